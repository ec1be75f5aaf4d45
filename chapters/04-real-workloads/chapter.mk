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

PROGRAMS4 := gcc python sqlite gnuplot xz-threads
TRACES4 := $(patsubst %,build/04-real-workloads/traces/%.htr,$(PROGRAMS4))
BINS += build/04-real-workloads/heaptrace.so build/04-real-workloads/trace build/04-real-workloads/replay build/04-real-workloads/realrun

build/04-real-workloads/heaptrace.so: chapters/04-real-workloads/heaptrace.c chapters/04-real-workloads/trace.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC -shared -o $@ $< -ldl
build/04-real-workloads/trace: chapters/04-real-workloads/trace.c chapters/04-real-workloads/trace.h common/lab.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(LDLIBS)
build/04-real-workloads/replay build/04-real-workloads/realrun: build/04-real-workloads/trace
	ln -sf trace $@

# The committed traces, decompressed for the replayer.
build/04-real-workloads/traces/%.htr: data/traces/%.htr.xz
	@mkdir -p $(@D)
	common/atomic $@ xz -dc $<

# Replays and real runs: after the simulators, under the same lock and allocators; 3
# repetitions (1 real run in QUICK). The replays also run on the floor (each trace's
# whole stream fits in its region): the cheapest allocator the replay can have.
04-real-workloads_AFTER_RUN = $(RUN) --allocators $(call sq,$(ALLOCATORS)) --floor --reps $(if $(QUICK),2,3) \
        --prog build/04-real-workloads/replay --out $(DATA)/04-real-workloads/replay.csv && \
    $(RUN) --allocators $(call sq,$(ALLOCATORS)) --reps $(if $(QUICK),1,3) --prog build/04-real-workloads/realrun --out $(DATA)/04-real-workloads/real.csv
# (and the overhead pass below: the recorder and the trace tool; `make 04` on a fresh clone)
run-04-real-workloads: build/04-real-workloads/replay build/04-real-workloads/realrun $(TRACES4) build/04-real-workloads/heaptrace.so build/04-real-workloads/trace
$(DATA)/04-real-workloads/04-real-workloads.csv: | build/04-real-workloads/replay build/04-real-workloads/realrun $(TRACES4) build/04-real-workloads/heaptrace.so build/04-real-workloads/trace
$(DATA)/04-real-workloads/replay.csv $(DATA)/04-real-workloads/real.csv: $(DATA)/04-real-workloads/04-real-workloads.csv ;

$(DATA)/04-real-workloads/replay.summary.csv $(DATA)/04-real-workloads/real.summary.csv: $(DATA)/04-real-workloads/%.summary.csv: $(DATA)/04-real-workloads/%.csv build/summarize
	common/atomic $@ build/summarize --by allocator,workload $<

# Fidelity: per program, does the replay rank the allocators as the real run does (pairs
# of allocators in the same order, of all pairs), and how far is the replay's predicted
# change of peak RSS against glibc from the real change (MiB)? Made at book time.
$(OUT)/gen/04-real-workloads/fidelity.md: $(DATA)/04-real-workloads/real.summary.csv $(DATA)/04-real-workloads/replay.summary.csv build/summarize
	@mkdir -p $(@D)
	common/atomic $@ build/summarize fidelity $(DATA)/04-real-workloads/real.summary.csv $(DATA)/04-real-workloads/replay.summary.csv

# The programs and what their traces hold, from the trace tool: tables made at book time.
$(OUT)/gen/04-real-workloads/programs.md: build/04-real-workloads/trace chapters/04-real-workloads/tables $(wildcard data/traces/*.htr.xz)
	@mkdir -p $(@D)
	common/atomic $@ chapters/04-real-workloads/tables programs build/04-real-workloads/trace
$(OUT)/gen/04-real-workloads/traces.md: build/04-real-workloads/trace build/summarize chapters/04-real-workloads/tables $(TRACES4)
	@mkdir -p $(@D)
	common/atomic $@ chapters/04-real-workloads/tables traces build/04-real-workloads/trace $(TRACES4)

# make traces: record every real program again (the largest process's trace is kept:
# cc1 for gcc), compressed under data/traces/; a trace that is not complete replaces nothing.
.PHONY: traces
traces: build/04-real-workloads/trace build/04-real-workloads/heaptrace.so
	@mkdir -p data/traces
	build/04-real-workloads/trace programs | while IFS='	' read -r n c; do \
	    d=$(abspath build/04-real-workloads)/recording/$$n && rm -rf $$d && mkdir -p $$d && build/04-real-workloads/trace record --out $$d -- sh -c "$$c" >/dev/null && \
	    f=$$(ls -S $$d/*.htr | head -1) && \
	    { build/04-real-workloads/trace info $$f | grep -q '^summary,complete,1$$' || { echo "traces: $$n: $$f is incomplete" >&2; false; }; } && \
	    xz -9 -T1 -c $$f >data/traces/$$n.htr.xz.tmp && mv data/traces/$$n.htr.xz.tmp data/traces/$$n.htr.xz && \
	    echo "traces: $$n: $$(basename $$f), $$(stat -c %s $$f) bytes" && rm -rf $$d || exit 1; done

# What recording costs, beside heaptrack and ltrace (common/wrap/*), after the real runs: a
# loop of malloc(64)/free pairs (`trace loop N`, which counts and times itself) and gcc's
# compiler proper, cc1, on chapter 1's source (run directly, with the command line that
# `gcc -###` prints: heaptrack does not follow the driver's exec), each under no tool,
# heaptrace.so and heaptrack: 7 runs each (2 in QUICK), the tools' runs shuffled in every
# round, each bounded (heaptrack's interpreter has taken minutes over cc1 on a loaded VM:
# a row of status 'timeout'); the loop under ltrace once, with fewer calls (it is slow);
# the replayer's own cost, `replay --dry` of each trace. overhead.awk reads overhead.csv
# (the fastest run of each) off their rows.
O4 = --allocators glibc --reps $(if $(QUICK),2 --timeout 60,7 --timeout 600)
CC1 = src=$$(build/04-real-workloads/trace programs | awk -F'\t' '$$1 == "gcc" { print $$2 }') && \
    cc1=$$(eval "gcc -\#\#\# $${src\#gcc }" 2>&1 | grep '/cc1 ' | sed 's|"||g; s|^ *||; s| -o [^ ]*\.s| -o /dev/null|') && [ -n "$$cc1" ]
OVERHEAD4 = $(RUN) $(O4) --command --values calls,elapsed_s --prog build/04-real-workloads/trace --case 'loop loop $(if $(QUICK),200000,2000000)' \
        --wrap none --wrap heaptrace --wrap heaptrack --out $(DATA)/04-real-workloads/overhead-loop.csv && \
    $(CC1) && $(RUN) $(O4) --command --prog "$${cc1%% *}" --case "cc1 $${cc1\#* }" \
        --wrap none --wrap heaptrace --wrap heaptrack --out $(DATA)/04-real-workloads/overhead-cc1.csv && \
    $(RUN) --allocators glibc --reps 1 --command --values calls,elapsed_s --prog build/04-real-workloads/trace \
        --case 'loop loop $(if $(QUICK),2000,5000)' --wrap ltrace --out $(DATA)/04-real-workloads/overhead-ltrace.csv && \
    common/run --seed $(SEED) $(O4) --prog build/04-real-workloads/replay $(foreach p,$(PROGRAMS4),--case '--workload $(p) --dry') \
        --out $(DATA)/04-real-workloads/overhead-dry.csv && \
    common/atomic $(DATA)/04-real-workloads/overhead.csv awk -f chapters/04-real-workloads/overhead.awk -v dir=$(DATA)/04-real-workloads
04-real-workloads_AFTER_RUN += && $(OVERHEAD4)
$(DATA)/04-real-workloads/overhead.csv: $(DATA)/04-real-workloads/04-real-workloads.csv ;

# The trace tools again under the sanitizers, for make test (tests/trace-asan.t): the
# reader and the replayer with ASan and UBSan; the recorder, which must not bring a
# malloc of its own into the traced program, with UBSan only.
build/asan/04-real-workloads/trace: chapters/04-real-workloads/trace.c chapters/04-real-workloads/trace.h common/lab.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(SANITIZE) -o $@ $< $(LDLIBS)
build/asan/04-real-workloads/heaptrace.so: chapters/04-real-workloads/heaptrace.c chapters/04-real-workloads/trace.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=undefined -fno-sanitize-recover=all -fPIC -shared -o $@ $< -ldl
build/asan/04-real-workloads/replay: build/asan/04-real-workloads/trace
	ln -sf trace $@
TEST_BINS += build/asan/04-real-workloads/trace build/asan/04-real-workloads/heaptrace.so build/asan/04-real-workloads/replay

# The trace reader's fuzz target (clang, libFuzzer), for make test.
build/04-real-workloads/trace_fuzz: chapters/04-real-workloads/trace_fuzz.c chapters/04-real-workloads/trace.h
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $<
