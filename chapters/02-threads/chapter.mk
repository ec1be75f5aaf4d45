# Chapter 2: threads. Every process runs one workload at one thread count, pinned or not;
# glibc runs a second time with MALLOC_ARENA_MAX=1 (the registry's glibc-arena1). QUICK
# runs one repetition unless REPS is given: 7 allocators x 24 cases is the QUICK budget.
02-threads_ALLOC := $(ALLOCATORS)$(if $(filter glibc,$(ALLOCATORS)), glibc-arena1)
02-threads_ALLOCATORS := $(02-threads_ALLOC)
02-threads_REPS := $(if $(and $(QUICK),$(filter-out command line environment,$(origin REPS))),1)
# Summaries are grouped by pinning too; the ratio is the speedup over the same
# allocator's one-thread run (a second summary takes the floor as baseline, a third
# thread-local: the harness's share and the cost of cross-thread frees).
02-threads_SUMMARY := --by allocator,workload,threads,pin --baseline threads=1
02-threads_AFTER_RUN = chapters/02-threads/contention --prog build/02-threads/02-threads \
    --out $(DATA)/02-threads --allocators $(call sq,$(02-threads_ALLOC)) --seed $(SEED) $(if $(QUICK),--quick)
D2 := $(DATA)/02-threads
NOPIN := pin=0
02-threads_TABLES := nsop1 harness floor speedup_tl speedup_pc speedup_sp speedup_tl_pinned \
    futex_pc futex_sp xfree rss arenas p999_free_pc p999_malloc_pc shared_lines cv
02-threads_TABLE_nsop1 := --metric ns_per_op --rows allocator --cols workload --where threads=1,$(NOPIN) --cell ci --corner "ns per op, 1 thread"
02-threads_TABLE_floor := --metric ns_per_op --rows workload --cols threads --where allocator=floor,$(NOPIN) --cell ci --corner "floor: ns per op"
02-threads_TABLE_speedup_tl := --metric ops_per_s --rows allocator --cols threads --where workload=thread-local,$(NOPIN) --cell ratio --corner "speedup (threads)"
02-threads_TABLE_speedup_pc := --metric ops_per_s --rows allocator --cols threads --where workload=producer-consumer,$(NOPIN) --cell ratio --corner "speedup (threads)"
02-threads_TABLE_speedup_sp := --metric ops_per_s --rows allocator --cols threads --where workload=shared-pool,$(NOPIN) --cell ratio --corner "speedup (threads)"
02-threads_TABLE_speedup_tl_pinned := --metric ops_per_s --rows allocator --cols threads --where workload=thread-local,pin=1 --cell ratio --corner "speedup, pinned (threads)"
02-threads_TABLE_futex_pc := --metric futex_per_mop --rows allocator --cols threads --where workload=producer-consumer,$(NOPIN) --omit allocator=floor --digits 2 --corner "futex / 10^6 ops (threads)"
02-threads_TABLE_futex_sp := --metric futex_per_mop --rows allocator --cols threads --where workload=shared-pool,$(NOPIN) --omit allocator=floor --digits 2 --corner "futex / 10^6 ops (threads)"
02-threads_TABLE_rss := --metric rss_added_kib --rows allocator --cols threads --where workload=thread-local,$(NOPIN) --scale 0.0009765625 --corner "MiB added (threads)"
02-threads_TABLE_arenas := --metric arenas --rows allocator --cols threads --where workload=thread-local,$(NOPIN) --omit allocator=jemalloc,allocator=tcmalloc,allocator=mimalloc,allocator=tbbmalloc,allocator=floor --corner "arenas (threads)"
02-threads_TABLE_p999_free_pc := --metric free_lat_p999_ns --rows allocator --cols threads --where workload=producer-consumer,$(NOPIN) --omit allocator=floor --resolution timer_resolution_ns --corner "free p99.9, ns (threads)"
02-threads_TABLE_p999_malloc_pc := --metric malloc_lat_p999_ns --rows allocator --cols threads --where workload=producer-consumer,$(NOPIN) --omit allocator=floor --resolution timer_resolution_ns --corner "malloc p99.9, ns (threads)"
02-threads_TABLE_shared_lines := --metric shared_line_pct --rows allocator --cols threads --where workload=false-sharing,$(NOPIN) --digits 2 --corner "% objects on a shared line (threads)"
02-threads_TABLE_cv := --metric ops_per_s --rows allocator --cols threads --where workload=thread-local,$(NOPIN) --cell cv --corner "CV of ops/s (threads)"
$(eval $(call chapter,02-threads))

# The floor never reuses memory while a block is live; 256 MiB hold a full run's blocks
# and cost less to pre-fault than the default 512.
run-02-threads $(D2)/02-threads.csv: LAB_FLOOR_MIB := $(if $(QUICK),32,256)

# Two more views of the same runs: against the floor (the harness's share of an
# operation) and against thread-local (what a cross-thread free costs).
$(D2)/02-threads.floor.summary.csv: $(D2)/02-threads.csv build/summarize
	common/atomic $@ build/summarize --by allocator,workload,threads,pin --baseline allocator=floor $<
$(D2)/02-threads.xfree.summary.csv: $(D2)/02-threads.csv build/summarize
	common/atomic $@ build/summarize --by allocator,workload,threads,pin --baseline workload=thread-local $<
$(D2)/harness.table.md: $(D2)/02-threads.floor.summary.csv build/summarize chapters/02-threads/chapter.mk
	common/atomic $@ build/summarize table $< --metric ns_per_op --rows allocator --cols workload --where threads=1,$(NOPIN) --omit allocator=floor --cell ratio --corner "ns per op / floor's, 1 thread"
$(D2)/xfree.table.md: $(D2)/02-threads.xfree.summary.csv build/summarize chapters/02-threads/chapter.mk
	common/atomic $@ build/summarize table $< --metric ns_per_op --rows allocator --cols threads --where workload=producer-consumer,$(NOPIN) --cell ratio --corner "producer-consumer / thread-local, ns per op (threads)"

# The workloads' parameters come from the program; the contention pass writes its table.
$(D2)/workloads.table.md: build/02-threads/02-threads
	@mkdir -p $(@D)
	common/atomic $@ $< --describe $(if $(QUICK),--quick)
$(D2)/perf.table.md: $(D2)/02-threads.csv ;
02-threads_BOOK += $(D2)/workloads.table.md $(D2)/perf.table.md $(D2)/02-threads.floor.summary.csv $(D2)/02-threads.xfree.summary.csv
