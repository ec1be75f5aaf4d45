# Chapter 1: micro-benchmarks, single-threaded: every process pinned to one CPU.
01-micro_RUN := --pin
# The tables the prose includes, as `summarize table` arguments.
01-micro_TABLES := workloads ratio nsop cv lat_malloc_p50 lat_free_p50 lat_malloc_p999 frag faults
A1 := --rows allocator --cols workload
01-micro_TABLE_ratio := --metric ops_per_s $(A1) --cell ratio --omit allocator=floor --corner "vs glibc"
01-micro_TABLE_nsop := --metric ns_per_op $(A1) --cell ci --corner "ns per op"
01-micro_TABLE_cv := --metric ops_per_s $(A1) --cell cv --corner "CV of ops/s"
01-micro_TABLE_lat_malloc_p50 := --metric malloc_lat_p50_ns $(A1) --resolution timer_resolution_ns --corner "malloc p50, ns"
01-micro_TABLE_lat_malloc_p999 := --metric malloc_lat_p999_ns $(A1) --resolution timer_resolution_ns --corner "malloc p99.9, ns"
01-micro_TABLE_lat_free_p50 := --metric free_lat_p50_ns $(A1) --resolution timer_resolution_ns --corner "free p50, ns"
01-micro_TABLE_frag := --metric frag_ratio $(A1) --omit allocator=floor --corner "RSS added / live"
01-micro_TABLE_faults := --metric minor_faults $(A1) --omit allocator=floor --corner "page faults"
$(eval $(call chapter,01-micro))

# The workloads' parameters come from the program itself, not from the prose.
$(DATA)/01-micro/workloads.table.md: build/01-micro/01-micro
	@mkdir -p $(@D)
	common/atomic $@ $< --describe $(if $(QUICK),--quick)

# The noise experiment: the same processes with the other CPUs busy and idle, to test
# whether an idle sibling vCPU causes the slow spells (see "How sure are we").
D1 := $(DATA)/01-micro
NOISE_RUN = common/run --prog build/01-micro/01-micro --reps $(if $(QUICK),3,8) --seed $(SEED) --pin \
    --allocators $(call sq,$(or $(filter glibc tcmalloc,$(ALLOCATORS)),glibc)) --case "--workload mixed" $(if $(QUICK),--quick)
01-micro_AFTER_RUN = $(NOISE_RUN) --spin-others --out $(D1)/noise/busy.csv && $(NOISE_RUN) --out $(D1)/noise/idle.csv
$(D1)/noise/%.csv: $(D1)/01-micro.csv ;
$(D1)/noise/%.summary.csv: $(D1)/noise/%.csv build/summarize
	common/atomic $@ build/summarize $<
$(D1)/noise/%.cv.md: $(D1)/noise/%.summary.csv build/summarize
	common/atomic $@ build/summarize table $< --metric ops_per_s --rows allocator --cols workload --cell cv --corner "CV of ops/s"
01-micro_BOOK += $(D1)/noise/busy.cv.md $(D1)/noise/idle.cv.md
