# Chapter 6: how we measure. Its program times the clocks every chapter uses, under glibc
# only (it allocates nothing while it measures), ten processes.
06-method_ALLOCATORS := glibc
06-method_NO_FLOOR := 1
06-method_REPS := $(if $(QUICK),2,10)
06-method_SUMMARY := --by allocator,workload
# The noise experiment reruns chapter 1's program: *small* under glibc, one process after
# another, pinned to one CPU with the other idle (as chapter 1 runs), pinned with the other
# CPU kept busy by a spin loop, and not pinned.
06-method_DEPS := build/01-micro/01-micro
06-method_NOISE := --prog build/01-micro/01-micro --allocators glibc --reps $(if $(QUICK),3,20) --case '--workload small'
06-method_PASSES := noise-pinned noise-busy noise-unpinned
06-method_PASS.noise-pinned := $(06-method_NOISE) --pin
06-method_PASS.noise-busy := $(06-method_NOISE) --pin --spin-others
06-method_PASS.noise-unpinned := $(06-method_NOISE)
06-method_SUMMARIES := noise-pinned noise-busy noise-unpinned
# Instructions against wall time: chapter 1's committed counts and wall times (data/, also
# in QUICK), the allocators' own counts (the floor's subtracted), the cost model's fit and
# the Kendall tau of its order against wall time (summarize counts).
06-method_COUNTS := data/01-micro/counts.summary.csv data/01-micro/01-micro.summary.csv
06-method_GEN := counts-rows counts-fit
06-method_GEN.counts-rows := build/summarize counts rows $(06-method_COUNTS)
06-method_GEN_DEPS.counts-rows := $(06-method_COUNTS)
06-method_GEN.counts-fit := build/summarize counts fit $(06-method_COUNTS)
06-method_GEN_DEPS.counts-fit := $(06-method_COUNTS)
$(eval $(call chapter,06-method))
