# Chapter 4: application-shaped simulators (04-real-workloads), and the trace tools of
# common/trace/ on the real programs of programs.tsv: after the simulators, the same run
# replays their committed traces (replay.csv) and runs the programs themselves (real.csv)
# under every allocator.
# No floor: a bump allocator never reuses memory, and every simulator turns its heap over
# many times in 800 ms: the floor's region runs out (status malloc_null).
04-real-workloads_NO_FLOOR := 1
# The replays on the floor need its region to hold a whole trace (gcc: about 400 MiB).
04-real-workloads_FLOOR_MIB := 512
04-real-workloads_DEPS := $(TRACE_BINS)
# A trace too long to commit, recorded on the spot for the overhead-dry pass (below): the
# replay's own memory at scale.
04-real-workloads_LONG := build/04-real-workloads/long-$(if $(QUICK),50000,500000).htr
# The real programs (the trace tools read the list through HEAPLAB_PROGRAMS); their
# committed traces, decompressed for the replayer (HEAPLAB_TRACES).
04-real-workloads_PROGRAMS := $(shell awk -F'\t' '!/^\#/ && NF { print $$1 }' chapters/04-real-workloads/programs.tsv)
04-real-workloads_INPUTS := $(patsubst %,traces/%.htr,$(04-real-workloads_PROGRAMS))
04-real-workloads_TRACE_ENV := --env HEAPLAB_PROGRAMS=chapters/04-real-workloads/programs.tsv --env HEAPLAB_TRACES=build/04-real-workloads/traces
# Replays and real runs: after the simulators, under the same lock and allocators; 3
# repetitions (1 real run in QUICK). The replays also run on the floor (each trace's
# whole stream fits in its region): the cheapest allocator the replay can have.
04-real-workloads_PASSES := replay real counts-sims counts-replay counts-real counts-startup overhead-loop overhead-ltrace overhead-cc1 overhead-dry
04-real-workloads_PASS.replay := --allocators $(call sq,$(ALLOCATORS)) --floor --reps $(if $(QUICK),2,3) $(04-real-workloads_TRACE_ENV) --prog build/trace/replay
04-real-workloads_PASS.real := --allocators $(call sq,$(ALLOCATORS)) --reps $(if $(QUICK),1,3) $(04-real-workloads_TRACE_ENV) --prog build/trace/realrun

# Instructions and simulated cache misses (common/wrap/callgrind), one process each (the
# counts are deterministic): the simulators for a fixed number of units per thread and no
# latency phase, every replayed trace (the floor too), and the real programs, every process
# they start (realrun: not only its own timed_phase, the replay's). QUICK: the simulators
# smaller still (their warm-up runs under valgrind too), the replays the prose quotes (python, sqlite, xz), sqlite's real run, two
# allocators (valgrind runs the real sqlite ~80 times slower: 10 s a process).
04-real-workloads_COUNTED := --reps 1 --wrap callgrind --allocators $(call sq,$(if $(QUICK),$(or $(filter glibc mimalloc,$(ALLOCATORS)),glibc),$(ALLOCATORS)))
04-real-workloads_PASS.counts-sims := $(04-real-workloads_COUNTED) --prog build/04-real-workloads/04-real-workloads \
    --case '--workload web-server --units $(if $(QUICK),500,5000) --lat-units 0' \
    --case '--workload kv-store $(if $(QUICK),--size 5000 --units 5000,--units 100000) --lat-units 0' \
    --case '--workload json-tree $(if $(QUICK),--size 20 --units 100,--units 1000) --lat-units 0'
04-real-workloads_PASS.counts-replay := $(04-real-workloads_COUNTED) --floor $(04-real-workloads_TRACE_ENV) --prog build/trace/replay \
    $(if $(QUICK),$(foreach p,python sqlite xz-threads,--case '--workload $(p)'))
04-real-workloads_PASS.counts-real := $(04-real-workloads_COUNTED) --env CALLGRIND_WHOLE_PROGRAM=1 $(04-real-workloads_TRACE_ENV) --prog build/trace/realrun $(if $(QUICK),--case '--workload sqlite')
# What an allocator costs a process that allocates nothing (its start-up: every process a
# real program starts pays it, the replay's counted phase does not): /bin/true.
04-real-workloads_PASS.counts-startup := $(04-real-workloads_COUNTED) --command --prog /bin/true --case startup

# What recording costs, after the real runs, each run bounded (a 'timeout' row): a loop of
# malloc(64)/free pairs (`trace loop N` times itself) and gcc's compiler proper, cc1, on
# chapter 1's source (cc1 itself: heaptrack does not follow the driver's exec), under no
# tool, heaptrace.so and heaptrack, 7 runs each (2 in QUICK), shuffled; the loop under
# ltrace 3 times, with fewer calls; the replayer's own cost, `replay --dry` of each trace.
# In QUICK, cc1's limit is 15 s: heaptrack over it runs into any limit or crashes after a
# minute here (see the chapter), which would be most of a QUICK run's time.
04-real-workloads_OVERHEAD := --allocators glibc --reps $(if $(QUICK),2,7)
04-real-workloads_LIMIT := --timeout $(if $(QUICK),60,600)
04-real-workloads_LOOP := --command --values calls,elapsed_s,ns_per_call --prog build/trace/trace
04-real-workloads_PASS.overhead-loop := $(04-real-workloads_OVERHEAD) $(04-real-workloads_LIMIT) $(04-real-workloads_LOOP) \
    --case 'loop loop $(if $(QUICK),200000,2000000)' --wrap none --wrap heaptrace --wrap heaptrack
04-real-workloads_PASS.overhead-ltrace := --allocators glibc --reps $(if $(QUICK),1,3) $(04-real-workloads_LOOP) --case 'loop loop $(if $(QUICK),2000,5000)' --wrap ltrace
04-real-workloads_PASS.overhead-cc1 := $(04-real-workloads_OVERHEAD) --timeout $(if $(QUICK),15,600) --command --prog "$$(chapters/04-real-workloads/cc1 --prog)" \
    --case "cc1 $$(chapters/04-real-workloads/cc1 --args)" --wrap none --wrap heaptrace --wrap heaptrack
# (the replayer's cost and memory of each whole committed trace, and of the long one: no
# --quick, in QUICK too)
04-real-workloads_PASS.overhead-dry := $(04-real-workloads_OVERHEAD) $(04-real-workloads_LIMIT) $(04-real-workloads_TRACE_ENV) --prog build/trace/replay $(foreach p,$(04-real-workloads_PROGRAMS),--case '--workload $(p) --dry') \
    --case '--trace $(04-real-workloads_LONG) --name python-dict --dry'
04-real-workloads_FULL_PASSES := overhead-dry
# The passes' summaries (each tool against none), and the tables made at book time:
# fidelity (does the replay rank the allocators as the real run does, and how far are its
# predicted changes of peak RSS and of instructions against glibc from the real ones), the
# counts, the programs, the traces.
04-real-workloads_SUMMARIES := replay real counts-sims counts-replay counts-real counts-startup overhead-loop overhead-ltrace overhead-cc1 overhead-dry
# (the simulators' counts by threads too, as the chapter's own summary: summarize counts reads the two together)
04-real-workloads_SUMMARY.counts-sims := --by allocator,workload,threads
04-real-workloads_SUMMARY.overhead-loop := --by tool,workload --baseline tool=none
04-real-workloads_SUMMARY.overhead-ltrace := --by tool,workload
04-real-workloads_SUMMARY.overhead-cc1 := --by tool,workload --baseline tool=none
04-real-workloads_SUMMARY.overhead-dry := --by workload
04-real-workloads_GEN := fidelity counts-sims counts-sims-fit programs traces memory
04-real-workloads_GEN.fidelity := build/summarize fidelity $(addprefix $(DATA)/04-real-workloads/,real.summary.csv replay.summary.csv \
    counts-real.summary.csv counts-replay.summary.csv)
# The simulators' counts per call against wall time, and the cost model's fit.
04-real-workloads_SIMCOUNTS := $(addprefix $(DATA)/04-real-workloads/,counts-sims.summary.csv 04-real-workloads.summary.csv)
04-real-workloads_GEN.counts-sims := build/summarize counts rows $(04-real-workloads_SIMCOUNTS)
04-real-workloads_GEN.counts-sims-fit := build/summarize counts fit $(04-real-workloads_SIMCOUNTS)
04-real-workloads_GEN.programs := chapters/04-real-workloads/tables programs build/trace/trace
04-real-workloads_GEN_DEPS.programs := $(wildcard data/traces/*.htr.xz)
04-real-workloads_GEN.traces := chapters/04-real-workloads/tables traces build/trace/trace $(addprefix build/04-real-workloads/,$(04-real-workloads_INPUTS))
04-real-workloads_GEN_DEPS.traces := build/summarize
# The replay's own memory per trace (replay --dry).
04-real-workloads_GEN.memory := chapters/04-real-workloads/tables memory build/trace/trace $(DATA)/04-real-workloads/overhead-dry.summary.csv
04-real-workloads_GEN_DEPS.memory := build/summarize
$(eval $(call chapter,04-real-workloads))

run-04-real-workloads $(DATA)/04-real-workloads/04-real-workloads.csv $(DATA)/04-real-workloads/overhead-dry.csv: | $(04-real-workloads_LONG)
$(04-real-workloads_LONG): | $(TRACE_BINS)
	chapters/04-real-workloads/long-trace build/trace $@ $(if $(QUICK),50000,500000)

# make traces: record every real program again, compressed under data/traces/.
.PHONY: traces
traces: build/trace/trace build/trace/heaptrace.so
	chapters/04-real-workloads/record-traces build/trace
