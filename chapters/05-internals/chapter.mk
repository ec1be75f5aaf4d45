# Chapter 5: allocator internals. One process per (allocator, workload), one repetition: the
# probes are deterministic. The detail goes to 05-internals.series.csv (LAB_SERIES).
05-internals_NO_FLOOR := 1
05-internals_REPS := 1
05-internals_SUMMARY := --by allocator,workload
# The strace pass: churn and heapmap (chapter 3's holes workload, as the book says) under
# each allocator, three times untraced and three times under strace (common/wrap/strace),
# in a shuffled order. The book reads its rows as they are: the table from syscalls.csv,
# the timeline from syscalls.strace.csv.
05-internals_PASSES := syscalls
05-internals_PASS.syscalls := --prog build/05-internals/05-internals --allocators $(call sq,$(ALLOCATORS)) --reps 3 \
    --no-series --wrap none --wrap strace --case '--workload churn' --case '--workload heapmap'
$(eval $(call chapter,05-internals))
