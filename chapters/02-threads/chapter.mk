# Chapter 2: threads. Every process runs one workload at one thread count (1, 2 and 4 on 2
# CPUs; not pinned); glibc runs a second time with MALLOC_ARENA_MAX=1 (the registry's
# glibc-arena1). QUICK runs one repetition unless REPS is given.
02-threads_ALLOCATORS := $(ALLOCATORS)$(if $(filter glibc,$(ALLOCATORS)), glibc-arena1)
02-threads_REPS := $(if $(and $(QUICK),$(filter-out command line environment,$(origin REPS))),1)
# Summaries are grouped by pinning too (a reader's own runs may pin); the ratio is the
# speedup over the same allocator's one-thread run.
02-threads_SUMMARY := --by allocator,workload,threads,pin --baseline threads=1
# No floor: a bump allocator never reuses memory, and a full run allocates gigabytes.
02-threads_NO_FLOOR := 1
# The contention pass: producer-consumer at twice as many threads as CPUs, once under each
# perf wrapper (common/wrap/perf-*: one row per allocator and tool); the book's table
# summarises its rows by allocator and tool, each column from its tool's rows.
02-threads_PASSES := perf
02-threads_PASS.perf := --prog build/02-threads/02-threads --allocators $(call sq,$(02-threads_ALLOCATORS)) --reps 1 \
    --no-series --wrap perf-stat --wrap perf-trace --wrap perf-lock --case "--workload producer-consumer --threads $$((2 * $$(nproc))) --no-pin"
$(eval $(call chapter,02-threads))
