# Chapter 3: fragmentation over time. One row per phase; the time series beside it
# (03-fragmentation.series.csv, through common/run's LAB_SERIES). No floor: a bump
# allocator never reuses anything, so it has nothing to say about fragmentation.
03-fragmentation_NO_FLOOR := 1
03-fragmentation_SUMMARY := --by allocator,workload,release,sampler,phase

# The sampler's perturbation: growth's work time with the sampler over without it, per
# allocator (the ratio's bootstrap CI), and the sampler's CPU share.
03-fragmentation_SUMMARIES := perturbation jemalloc-decay
03-fragmentation_SUMMARY_FROM.perturbation := 03-fragmentation
03-fragmentation_SUMMARY.perturbation := $(03-fragmentation_SUMMARY) --baseline sampler=0 --where workload=growth,phase=drift_4

# MADV_FREE made visible: mimalloc 2.0 told to reset free pages (MADV_FREE) rather than
# decommit them. One QUICK-size decay run (--quick unless the run is QUICK already) after
# each run of the chapter (the program checks that the preload took). Without mimalloc on
# the machine, the runner writes its 'missing' row and the prose says "mimalloc not run".
03-fragmentation_PASSES := madvfree jemalloc-decay
03-fragmentation_PASS.madvfree := --prog build/03-fragmentation/03-fragmentation --allocators mimalloc --missing-ok \
    --env MIMALLOC_PAGE_RESET=1 --no-series --reps 1 $(if $(QUICK),,--quick) --case '--workload decay --release now'
# jemalloc's decay given the time it needs: the decay workload with a quiet phase longer
# than dirty_decay_ms (10 s), under jemalloc as it comes and with a background thread
# (the registry's jemalloc-bg). A shorter quiet phase in QUICK.
03-fragmentation_PASS.jemalloc-decay := --prog build/03-fragmentation/03-fragmentation --allocators 'jemalloc jemalloc-bg' --missing-ok \
    --no-series --reps $(if $(QUICK),1,3) --case '--workload decay --release none --quiet-ms $(if $(QUICK),1000,12000)'
03-fragmentation_SUMMARY.jemalloc-decay := $(03-fragmentation_SUMMARY)
$(eval $(call chapter,03-fragmentation))
