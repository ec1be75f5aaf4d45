# Chapter 2: threads. Every process runs one workload at one thread count (1, 2 and, for
# thread-local and producer-consumer, 4 on 2 CPUs; not pinned); glibc runs a second time
# with MALLOC_ARENA_MAX=1 (the registry's glibc-arena1). Four repetitions, so that the
# speedup pass fits the chapter's ten minutes (QUICK: one), unless REPS is given.
02-threads_ALLOCATORS := $(ALLOCATORS)$(if $(filter glibc,$(ALLOCATORS)), glibc-arena1)
02-threads_REPS := $(if $(filter-out command line environment,$(origin REPS)),$(if $(QUICK),1,4))
# Summaries are grouped by pinning too (a reader's own runs may pin); the ratio is the
# speedup over the same allocator's one-thread run.
02-threads_SUMMARY := --by allocator,workload,threads,pin --baseline threads=1
# No floor: a bump allocator never reuses memory, and a full run allocates gigabytes.
02-threads_NO_FLOOR := 1
# The contention pass: producer-consumer at twice as many threads as CPUs, once under each
# perf wrapper (common/wrap/perf-*: one row per allocator and tool); the book's table
# summarises its rows by allocator and tool, each column from its tool's rows.
02-threads_PASSES := perf speedup
02-threads_PASS.perf := --prog build/02-threads/02-threads --allocators $(call sq,$(02-threads_ALLOCATORS)) --reps 1 \
    --no-series --wrap perf-stat --wrap perf-trace --wrap perf-lock --case "--workload producer-consumer --threads $$((2 * $$(nproc))) --no-pin"
# The speedup pass: thread-local at 2 threads, --paired (rounds of both threads alternate
# with rounds of one, so that each process measures its own speedup). The speedup varies
# between processes far more than between a process's rounds, so the pass buys its
# interval with many short processes: 20 per allocator, 0.3 s of timed rounds each.
02-threads_PASS.speedup := --prog build/02-threads/02-threads --allocators $(call sq,$(02-threads_ALLOCATORS)) \
    --reps $(if $(QUICK),1,20) --no-series --case "--workload thread-local --threads 2 --no-pin --paired$(if $(QUICK),, --min-ms 300)"
02-threads_SUMMARIES := speedup
02-threads_SUMMARY.speedup := --by allocator,workload,threads
# The appendix "Across machines" draws the speedup on thread-local and the throughput
# figure again from each machine's run: how scaling changes with the machine.
02-threads_MACHINE_TABLES := speeduptl
02-threads_MACHINE_FIGURES := throughput
$(eval $(call chapter,02-threads))
