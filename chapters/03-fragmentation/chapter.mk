# Chapter 3: fragmentation over time. One row per phase; the time series beside it
# (03-fragmentation.series.csv, through common/run's LAB_SERIES). No floor: a bump
# allocator never reuses anything, so it has nothing to say about fragmentation.
03-fragmentation_NO_FLOOR := 1
03-fragmentation_SUMMARY := --by allocator,workload,release,sampler,phase
$(eval $(call chapter,03-fragmentation))

# The sampler's perturbation: growth's work time with the sampler over without it, per
# allocator (the ratio's bootstrap CI), and the sampler's CPU share.
$(DATA)/03-fragmentation/perturbation.csv: $(DATA)/03-fragmentation/03-fragmentation.csv build/summarize
	common/atomic $@ build/summarize $(03-fragmentation_SUMMARY) --baseline sampler=0 --where workload=growth,phase=drift_4 $<

# MADV_FREE made visible: mimalloc 2.0 told to reset free pages (MADV_FREE) rather than
# decommit them. One QUICK-size decay run after each run of the chapter (the program checks
# that the preload took). Without mimalloc on the machine, the runner writes its 'missing'
# row and the prose says "mimalloc not run".
MADVFREE3 = common/run --prog build/03-fragmentation/03-fragmentation --out $(DATA)/03-fragmentation/madvfree.csv --allocators mimalloc --missing-ok \
    --env MIMALLOC_PAGE_RESET=1 --no-series --reps 1 --seed $(SEED) --quick --case '--workload decay --release now'
03-fragmentation_AFTER_RUN = $(MADVFREE3)
# (This rule only when it is missing, e.g. in a fresh QUICK dir.)
$(DATA)/03-fragmentation/madvfree.csv: | build/03-fragmentation/03-fragmentation
	$(MADVFREE3)
