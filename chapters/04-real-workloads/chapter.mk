# Chapter 4: application-shaped simulators (04-real-workloads), and the trace tools:
# heaptrace.so (the recorder), trace (record, info), replay and realrun (trace under
# other names, for common/run). After the simulators, the same run replays the committed
# traces (replay.csv) and runs the real programs (real.csv) under every allocator.
# No floor: a bump allocator never reuses memory, and every simulator turns its heap over
# many times in 800 ms: the floor's region runs out (status malloc_null).
04-real-workloads_NO_FLOOR := 1
# The replays on the floor need its region to hold a whole trace (gcc: about 400 MiB).
run-04-real-workloads $(DATA)/04-real-workloads/04-real-workloads.csv: LAB_FLOOR_MIB := 512
$(eval $(call chapter,04-real-workloads))

B4 := build/04-real-workloads
D4 := $(DATA)/04-real-workloads
C4 := chapters/04-real-workloads
PROGRAMS4 := gcc python sqlite gnuplot xz-threads
TRACES4 := $(patsubst %,$(B4)/traces/%.htr,$(PROGRAMS4))
BINS += $(B4)/heaptrace.so $(B4)/trace $(B4)/replay $(B4)/realrun

$(B4)/heaptrace.so: $(C4)/heaptrace.c $(C4)/trace.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC -shared -o $@ $< -ldl
$(B4)/trace: $(C4)/trace.c $(C4)/trace.h common/lab.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(LDLIBS)
$(B4)/replay $(B4)/realrun: $(B4)/trace
	ln -sf trace $@

# The committed traces, decompressed for the replayer.
$(B4)/traces/%.htr: data/traces/%.htr.xz
	@mkdir -p $(@D)
	common/atomic $@ xz -dc $<

# Replays and real runs: after the simulators, under the same lock and allocators; 3
# repetitions (1 real run in QUICK). The replays also run on the floor (each trace's
# whole stream fits in its region): the cheapest allocator the replay can have.
04-real-workloads_AFTER_RUN = $(RUN) --allocators $(call sq,$(ALLOCATORS)) --floor --reps $(if $(QUICK),2,3) \
        --prog $(B4)/replay --out $(D4)/replay.csv && \
    $(RUN) --allocators $(call sq,$(ALLOCATORS)) --reps $(if $(QUICK),1,3) --prog $(B4)/realrun --out $(D4)/real.csv
# (and the overhead pass below: the recorder and the trace tool; `make 04` on a fresh clone)
run-04-real-workloads: $(B4)/replay $(B4)/realrun $(TRACES4) $(B4)/heaptrace.so $(B4)/trace
$(D4)/04-real-workloads.csv: | $(B4)/replay $(B4)/realrun $(TRACES4) $(B4)/heaptrace.so $(B4)/trace
$(D4)/replay.csv $(D4)/real.csv: $(D4)/04-real-workloads.csv ;

$(D4)/replay.summary.csv $(D4)/real.summary.csv: $(D4)/%.summary.csv: $(D4)/%.csv build/summarize
	common/atomic $@ build/summarize --by allocator,workload $<

# Fidelity: per program, does the replay rank the allocators as the real run does (pairs
# of allocators in the same order, of all pairs), and how far is the replay's predicted
# change of peak RSS against glibc from the real change (MiB)? Made at book time.
$(OUT)/gen/04-real-workloads/fidelity.md: $(D4)/real.summary.csv $(D4)/replay.summary.csv build/summarize
	@mkdir -p $(@D)
	common/atomic $@ build/summarize fidelity $(D4)/real.summary.csv $(D4)/replay.summary.csv

# The programs and what their traces hold, from the trace tool: tables made at book time.
$(OUT)/gen/04-real-workloads/programs.md: $(B4)/trace $(C4)/tables $(wildcard data/traces/*.htr.xz)
	@mkdir -p $(@D)
	common/atomic $@ $(C4)/tables programs $(B4)/trace
$(OUT)/gen/04-real-workloads/traces.md: $(B4)/trace $(C4)/tables $(TRACES4)
	@mkdir -p $(@D)
	common/atomic $@ $(C4)/tables traces $(B4)/trace $(TRACES4)

# make traces: record every real program again (the largest process's trace is kept:
# cc1 for gcc), compressed under data/traces/; a trace that is not complete replaces nothing.
.PHONY: traces
traces: $(B4)/trace $(B4)/heaptrace.so
	@mkdir -p data/traces
	$(B4)/trace programs | while IFS='	' read -r n c; do \
	    d=$(abspath $(B4))/recording/$$n && rm -rf $$d && mkdir -p $$d && $(B4)/trace record --out $$d -- sh -c "$$c" >/dev/null && \
	    f=$$(ls -S $$d/*.htr | head -1) && \
	    { $(B4)/trace info $$f | grep -q '^summary,complete,1$$' || { echo "traces: $$n: $$f is incomplete" >&2; false; }; } && \
	    xz -9 -T1 -c $$f >data/traces/$$n.htr.xz.tmp && mv data/traces/$$n.htr.xz.tmp data/traces/$$n.htr.xz && \
	    echo "traces: $$n: $$(basename $$f), $$(stat -c %s $$f) bytes" && rm -rf $$d || exit 1; done

# What recording costs, beside heaptrack and ltrace: once per run (it takes the lock).
04-real-workloads_AFTER_RUN += && $(C4)/overhead $(D4)/overhead.csv $(if $(QUICK),--quick)
$(D4)/overhead.csv: $(D4)/04-real-workloads.csv ;

# The trace tools again under the sanitizers, for make test (tests/trace-asan.t): the
# reader and the replayer with ASan and UBSan; the recorder, which must not bring a
# malloc of its own into the traced program, with UBSan only.
A4 := build/asan/04-real-workloads
$(A4)/trace: $(C4)/trace.c $(C4)/trace.h common/lab.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(SANITIZE) -o $@ $< $(LDLIBS)
$(A4)/heaptrace.so: $(C4)/heaptrace.c $(C4)/trace.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=undefined -fno-sanitize-recover=all -fPIC -shared -o $@ $< -ldl
$(A4)/replay: $(A4)/trace
	ln -sf trace $@
TEST_BINS += $(A4)/trace $(A4)/heaptrace.so $(A4)/replay

# The trace reader's fuzz target (clang, libFuzzer), for make test.
$(B4)/trace_fuzz: $(C4)/trace_fuzz.c $(C4)/trace.h
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $<
