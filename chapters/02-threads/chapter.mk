# Chapter 2: threads. Every process runs one workload at one thread count, pinned or not;
# glibc runs a second time with MALLOC_ARENA_MAX=1 (the registry's glibc-arena1). QUICK
# runs one repetition unless REPS is given: 7 allocators x 20 cases is the QUICK budget.
02-threads_RUN := --allocators "$(ALLOCATORS)$(if $(filter glibc,$(ALLOCATORS)), glibc-arena1)" \
    $(if $(and $(QUICK),$(filter-out command line environment,$(origin REPS))),--reps 1)
02-threads_SUMMARY := --by allocator,workload,threads,pin --baseline threads=1
02-threads_TABLES :=
$(eval $(call chapter,02-threads))

# The floor never reuses memory while a block is live; 256 MiB hold a full run's blocks
# and cost less to pre-fault than the default 512.
run-02-threads $(DATA)/02-threads/02-threads.csv: LAB_FLOOR_MIB := $(if $(QUICK),32,256)
