# Chapter 1: micro-benchmarks, single-threaded: every process pinned to one CPU.
01-micro_RUN := --pin
01-micro_PASSES := jemalloc-conf sizes glibc-trim counts
# jemalloc's mechanisms on medium and large: the same runs under settings of MALLOC_CONF
# (the registry's jemalloc-*: decay 1 s and 1000 s, muzzy decay off, extent fit 2^30).
01-micro_PASS.jemalloc-conf := --prog build/01-micro/01-micro --pin --reps $(if $(QUICK),1,5) --missing-ok \
    --allocators 'jemalloc jemalloc-decay1s jemalloc-decay1000s jemalloc-nomuzzy jemalloc-fit30' \
    --case '--workload medium' --case '--workload large'
# large's structure at other sizes, 5 timed rounds and no latency phase (a block of tens of
# MiB can take hundreds of ms to map and touch here): large's own sizes (1-8 MiB), one fixed
# size (4 MiB), and random sizes on both sides of mimalloc's limit for blocks in segments.
01-micro_SIZES := --workload large --rounds $(if $(QUICK),2,5) --min-ms 0 --lat-rounds 0
# mimalloc runs a second time, with decommit off (the registry's mimalloc-nodecommit).
01-micro_PASS.sizes := --prog build/01-micro/01-micro --pin --reps $(if $(QUICK),1,3) \
    --allocators $(call sq,$(ALLOCATORS)$(if $(filter mimalloc,$(ALLOCATORS)), mimalloc-nodecommit)) \
    --case '$(01-micro_SIZES) --label large-1-8m' --case '$(01-micro_SIZES) --sizes uniform:4m:4m --label large-4m' \
    --case '$(01-micro_SIZES) --sizes uniform:9m:16m --label large-9-16m' \
    --case '$(01-micro_SIZES) --sizes uniform:17m:24m --label large-17-24m'
# glibc's trimming on medium: as it comes, and with a trim threshold no heap top reaches
# (the registry's glibc-notrim).
01-micro_PASS.glibc-trim := --prog build/01-micro/01-micro --pin --reps $(if $(QUICK),1,5) \
    --allocators 'glibc glibc-notrim' --case '--workload medium'
# Instructions and simulated cache misses per operation (common/wrap/callgrind), one process
# per allocator and workload: the counts are deterministic. Only the timed rounds are
# counted, a fixed number of them, with no latency phase. (QUICK: small and mixed only.)
01-micro_COUNTED := --min-ms 0 --lat-rounds 0 --rounds $(if $(QUICK),4,20)
01-micro_PASS.counts := --prog build/01-micro/01-micro --reps 1 --floor --allocators $(call sq,$(ALLOCATORS)) --wrap callgrind \
    $(foreach w,small $(if $(QUICK),,medium large) mixed $(if $(QUICK),,churn),--case '--workload $(w) $(01-micro_COUNTED)')
01-micro_SUMMARIES := jemalloc-conf sizes glibc-trim counts
# (by threads too, as the chapter's own summary: summarize counts reads the two together)
01-micro_SUMMARY.counts := --by allocator,workload,threads
# The appendix "Across machines" draws the ratio table again from each machine's run.
01-micro_MACHINE_TABLES := ratio
$(eval $(call chapter,01-micro))
