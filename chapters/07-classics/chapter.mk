# Chapter 7: the classic benchmarks, re-created. The run is the program's --cases: every
# workload, the threaded ones at the CPUs, and those the original oversubscribes (larson,
# xmalloc, cache-scratch, cache-thrash, glibc-thread) at twice as many too. QUICK runs one
# repetition unless REPS is given.
07-classics_REPS := $(if $(and $(QUICK),$(filter-out command line environment,$(origin REPS))),1)
# (by each flag too: a flag column left out would be summarised as a metric)
07-classics_SUMMARY := --by allocator,workload,threads,symmetric,respawn
# No floor: a bump allocator never reuses memory, and these benchmarks turn their heaps
# over many times (a full run of malloc-large allocates about 3 GiB, of larson about 2 GiB,
# of alloc-test and glibc-simple hundreds of MiB): the floor's region runs out (status
# malloc_null).
07-classics_NO_FLOOR := 1

# The bridges, one design choice at a time (fewer repetitions; smaller in QUICK):
# large-sweep: malloc-large over sizes of 1-2 to 16-32 MiB, replacing one buffer at a time
# (the classic) and refilling all (chapter 1's large), 20 live and 40 allocated, not the
# classic's 200 (QUICK: 1 and 1, two buffers a case): a page fault costs about 17 us on the
# notebook's machine, and a fresh buffer of 16-32 MiB takes thousands of them. QUICK (under
# 30 s from a fresh clone) sweeps the largest sizes only, and runs the two other passes
# without the classic's own case: the main run has it.
07-classics_BRIDGE := --prog build/07-classics/07-classics --allocators $(call sq,$(ALLOCATORS)) --reps $(if $(QUICK),1,3)
07-classics_LARGE := --workload malloc-large --live $(if $(QUICK),1,20) --steps $(if $(QUICK),1,40)
07-classics_PASS.large-sweep := $(07-classics_BRIDGE) $(foreach r,$(if $(QUICK),,1-2 2-4 4-8 8-16) 16-32,$(foreach o,replace refill,\
    --case '$(07-classics_LARGE) --sizes uniform:$(firstword $(subst -, ,$(r)))m:$(lastword $(subst -, ,$(r)))m --order $(o) --label large-$(r)m-$(o)'))
# xmalloc-symmetric: xmalloc one-way against every thread producing and consuming (chapter
# 2's producer-consumer ring), at the CPUs (2 at least: one producer, one consumer).
07-classics_XN := $$(( $$(nproc) < 2 ? 2 : $$(nproc) ))
07-classics_PASS.xmalloc-symmetric := $(07-classics_BRIDGE) \
    $(if $(QUICK),,--case "--workload xmalloc --threads $(07-classics_XN) --no-symmetric --label xmalloc-oneway") \
    --case "--workload xmalloc --threads $(07-classics_XN) --symmetric --label xmalloc-symmetric"
# larson-respawn: larson with its threads respawned, and each thread keeping its array
# (chapter 2's thread-local), at the CPUs.
07-classics_PASS.larson-respawn := $(07-classics_BRIDGE) \
    $(if $(QUICK),,--case "--workload larson --threads $$(nproc) --respawn --label larson-respawn") \
    --case "--workload larson --threads $$(nproc) --no-respawn --label larson-no-respawn"
07-classics_PASSES := large-sweep xmalloc-symmetric larson-respawn
07-classics_SUMMARIES := large-sweep xmalloc-symmetric larson-respawn
07-classics_SUMMARY.large-sweep := --by allocator,workload,sizes,order
07-classics_SUMMARY.xmalloc-symmetric := --by allocator,workload,threads,symmetric
07-classics_SUMMARY.larson-respawn := --by allocator,workload,threads,respawn
# The bridge tables (summarize bridge): each classic against the closest workload of chapters
# 1 and 2 (their committed reference runs, also in QUICK), and each step of the sweeps.
07-classics_GEN := bridge steps
07-classics_GEN.bridge := build/summarize bridge chapters/07-classics/bridge.tsv --data $(DATA)
07-classics_GEN_DEPS.bridge := $(DATA)/07-classics/07-classics.summary.csv data/01-micro/01-micro.summary.csv data/02-threads/02-threads.summary.csv
07-classics_GEN.steps := build/summarize bridge chapters/07-classics/steps.tsv --data $(DATA)
07-classics_GEN_DEPS.steps := $(addprefix $(DATA)/07-classics/,07-classics.summary.csv large-sweep.summary.csv xmalloc-symmetric.summary.csv \
    larson-respawn.summary.csv) data/01-micro/01-micro.summary.csv data/02-threads/02-threads.summary.csv
$(eval $(call chapter,07-classics))
