# Chapter 2: threads. Every process runs one workload at one thread count, pinned or not;
# glibc runs a second time with MALLOC_ARENA_MAX=1 (the registry's glibc-arena1). QUICK
# runs one repetition unless REPS is given: 7 allocators x 24 cases is the QUICK budget.
02-threads_ALLOC := $(ALLOCATORS)$(if $(filter glibc,$(ALLOCATORS)), glibc-arena1)
02-threads_ALLOCATORS := $(02-threads_ALLOC)
02-threads_REPS := $(if $(and $(QUICK),$(filter-out command line environment,$(origin REPS))),1)
# Summaries are grouped by pinning too; the ratio is the speedup over the same
# allocator's one-thread run.
02-threads_SUMMARY := --by allocator,workload,threads,pin --baseline threads=1
# The contention pass: producer-consumer at twice as many threads as CPUs, once under each
# perf wrapper (common/wrap/perf-*: one row per allocator and tool); the book's table
# summarises its rows by allocator and tool, each column from its tool's rows.
02-threads_PERF = --workload producer-consumer --threads $$((2 * $$(nproc))) --no-pin
02-threads_AFTER_RUN = $(RUN) --prog build/02-threads/02-threads --out $(DATA)/02-threads/perf.csv \
        --allocators $(call sq,$(02-threads_ALLOC)) --reps 1 --no-series --wrap perf-stat --wrap perf-trace --wrap perf-lock \
        --case "$(02-threads_PERF)"
$(eval $(call chapter,02-threads))

# The floor never reuses memory while a block is live; 256 MiB hold a full run's blocks
# and cost less to pre-fault than the default 512.
run-02-threads $(DATA)/02-threads/02-threads.csv: LAB_FLOOR_MIB := $(if $(QUICK),32,256)

$(DATA)/02-threads/perf.csv: $(DATA)/02-threads/02-threads.csv ;
