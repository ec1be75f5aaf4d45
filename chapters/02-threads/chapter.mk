# Chapter 2: threads. Every process runs one workload at one thread count, pinned or not;
# glibc runs a second time with MALLOC_ARENA_MAX=1 (the registry's glibc-arena1). QUICK
# runs one repetition unless REPS is given: 7 allocators x 24 cases is the QUICK budget.
02-threads_ALLOCATORS := $(ALLOCATORS)$(if $(filter glibc,$(ALLOCATORS)), glibc-arena1)
02-threads_REPS := $(if $(and $(QUICK),$(filter-out command line environment,$(origin REPS))),1)
# Summaries are grouped by pinning too; the ratio is the speedup over the same
# allocator's one-thread run.
02-threads_SUMMARY := --by allocator,workload,threads,pin --baseline threads=1
# The floor never reuses memory while a block is live; 256 MiB hold a full run's blocks
# and cost less to pre-fault than the default 512.
02-threads_FLOOR_MIB := $(if $(QUICK),32,256)
# The contention pass: producer-consumer at twice as many threads as CPUs, once under each
# perf wrapper (common/wrap/perf-*: one row per allocator and tool); the book's table
# summarises its rows by allocator and tool, each column from its tool's rows.
02-threads_PASSES := perf
02-threads_PASS.perf := --prog build/02-threads/02-threads --allocators $(call sq,$(02-threads_ALLOCATORS)) --reps 1 \
    --no-series --wrap perf-stat --wrap perf-trace --wrap perf-lock --case "--workload producer-consumer --threads $$((2 * $$(nproc))) --no-pin"
$(eval $(call chapter,02-threads))
