# Chapter 3: fragmentation over time. One row per phase; the time series beside it
# (03-fragmentation.series.csv, through common/run's LAB_SERIES). No floor: a bump
# allocator never reuses anything, so it has nothing to say about fragmentation.
03-fragmentation_NO_FLOOR := 1
03-fragmentation_SUMMARY := --by allocator,workload,release,sampler,phase
03-fragmentation_TABLES := workloads frag_holes reuse frag_survivors frag_growth decay_none decay_now \
    crosscheck_smaps crosscheck_status crosscheck_maxrss work sampler_cpu
F3 := --rows allocator --cols phase --where sampler=1
03-fragmentation_TABLE_frag_holes := --metric frag_ratio $(F3),workload=holes --corner "RSS added / live"
03-fragmentation_TABLE_reuse := --metric hole_reuse_ratio --rows allocator --cols workload --where phase=refill,workload=holes --digits 2 --corner "share of refill in old pages"
03-fragmentation_TABLE_frag_survivors := --metric frag_ratio $(F3),workload=survivors --corner "RSS added / live"
03-fragmentation_TABLE_frag_growth := --metric frag_ratio $(F3),workload=growth --corner "RSS added / live"
03-fragmentation_TABLE_decay_none := --metric rss_kib $(F3),workload=decay,release=none --scale 0.0009765625 --corner "RSS, MiB"
03-fragmentation_TABLE_decay_now := --metric rss_kib $(F3),workload=decay,release=now --scale 0.0009765625 --corner "RSS, MiB"
03-fragmentation_TABLE_crosscheck_smaps := --metric smaps_minus_statm_kib $(F3),workload=holes --corner "smaps Rss - statm, KiB"
03-fragmentation_TABLE_crosscheck_status := --metric vmrss_minus_statm_kib $(F3),workload=holes --corner "VmRSS - statm, KiB"
03-fragmentation_TABLE_crosscheck_maxrss := --metric maxrss_minus_vmhwm_kib $(F3),workload=holes --corner "ru_maxrss - VmHWM, KiB"
03-fragmentation_TABLE_work := --metric work_s --rows allocator --cols sampler --where workload=growth,phase=drift_4 --cell ci --corner "growth, work time (s), sampler 1=on 0=off"
03-fragmentation_TABLE_sampler_cpu := --metric sampler_cpu_share --rows allocator --cols workload --where sampler=1,release=none,phase=alloc --scale 100 --corner "sampler CPU, % of run"
$(eval $(call chapter,03-fragmentation))

D3 := $(DATA)/03-fragmentation
03-fragmentation_BOOK += $(D3)/perturbation.csv $(D3)/madvfree.csv

# The workloads' parameters come from the program itself, not from the prose.
$(D3)/workloads.table.md: build/03-fragmentation/03-fragmentation
	@mkdir -p $(@D)
	common/atomic $@ $< --describe $(if $(QUICK),--quick)

# The sampler's perturbation: growth's work time with the sampler over without it, per
# allocator (the ratio's bootstrap CI), and the sampler's CPU share.
$(D3)/perturbation.csv: $(D3)/03-fragmentation.csv build/summarize
	common/atomic $@ build/summarize $(03-fragmentation_SUMMARY) --baseline sampler=0 --where workload=growth,phase=drift_4 $<

# MADV_FREE made visible: mimalloc 2.0 told to reset free pages (MADV_FREE) rather than
# decommit them. One QUICK-size decay run after each run of the chapter (the program checks
# that the preload took). Without mimalloc on the machine, the runner writes its 'missing'
# row and the prose says "mimalloc not run".
MADVFREE3 = common/run --prog build/03-fragmentation/03-fragmentation --out $(D3)/madvfree.csv --allocators mimalloc --missing-ok \
    --env MIMALLOC_PAGE_RESET=1 --no-series --reps 1 --seed $(SEED) --quick --case '--workload decay --release now'
03-fragmentation_AFTER_RUN = $(MADVFREE3)
# (This rule only when it is missing, e.g. in a fresh QUICK dir.)
$(D3)/madvfree.csv: | build/03-fragmentation/03-fragmentation
	$(MADVFREE3)
