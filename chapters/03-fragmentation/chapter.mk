# Chapter 3: fragmentation over time. One row per phase; the time series beside it
# (03-fragmentation.series.csv, through common/run's LAB_SERIES). No floor: a bump
# allocator never reuses anything, so it has nothing to say about fragmentation.
03-fragmentation_NO_FLOOR := 1
03-fragmentation_BY := allocator,workload,release,sampler,phase
03-fragmentation_TABLES := workloads
$(eval $(call chapter,03-fragmentation))

# The workloads' parameters come from the program itself, not from the prose.
$(DATA)/03-fragmentation/workloads.table.md: build/03-fragmentation/03-fragmentation
	@mkdir -p $(@D)
	$< --describe $(if $(QUICK),--quick) >$@.tmp && mv $@.tmp $@
