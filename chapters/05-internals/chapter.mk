# Chapter 5: allocator internals. One process per (allocator, workload), one repetition: the
# probes are deterministic. The detail goes to 05-internals.series.csv (LAB_SERIES).
05-internals_NO_FLOOR := 1
05-internals_REPS := 1
05-internals_SUMMARY := --by allocator,workload
# The strace pass: churn and heapmap (chapter 3's holes workload, as the book says) under
# each allocator, three times untraced and three times under strace (common/wrap/strace),
# in a shuffled order. The book's table and slowdowns come from its summary (each traced
# time against the untraced, a ratio of medians with its interval), the timeline from the
# calls of each first traced process (syscalls.strace.csv, rep 1).
05-internals_PASSES := syscalls
05-internals_PASS.syscalls := --prog build/05-internals/05-internals --allocators $(call sq,$(ALLOCATORS)) --reps 3 \
    --no-series --wrap none --wrap strace --case '--workload churn' --case '--workload heapmap'
05-internals_SUMMARIES := syscalls
05-internals_SUMMARY.syscalls := --by allocator,workload,tool --baseline tool=none
$(eval $(call chapter,05-internals))
