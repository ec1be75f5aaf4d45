# Chapter 5: allocator internals. One process per (allocator, workload), one repetition: the
# probes are deterministic. The detail goes to 05-internals.series.csv (LAB_SERIES).
05-internals_NO_FLOOR := 1
05-internals_REPS := 1
05-internals_SUMMARY := --by allocator,workload
# The strace pass: churn and heapmap (chapter 3's holes workload, 'holes' in the book) under
# each allocator, three times untraced and three times under strace (common/wrap/strace),
# in a shuffled order; the book's trace.count.csv and trace.csv (the timeline) are read off
# its rows (syscalls.csv, syscalls.strace.csv) by trace.awk.
05-internals_PASSES := syscalls
05-internals_PASS.syscalls := --prog build/05-internals/05-internals --allocators $(call sq,$(ALLOCATORS)) --reps 3 \
    --no-series --wrap none --wrap strace --case '--workload churn' --case '--workload heapmap'
05-internals_AFTER_RUN = \
    common/atomic $(DATA)/05-internals/trace.count.csv awk -f chapters/05-internals/trace.awk -v want=count -v rename=heapmap:holes -v file=$(DATA)/05-internals/syscalls.csv && \
    common/atomic $(DATA)/05-internals/trace.csv awk -f chapters/05-internals/trace.awk -v want=events -v rename=heapmap:holes -v file=$(DATA)/05-internals/syscalls.strace.csv
$(eval $(call chapter,05-internals))
# (Made by the run; this rule only when they are missing, e.g. in a fresh QUICK dir.)
$(DATA)/05-internals/trace.csv $(DATA)/05-internals/trace.count.csv &: | build/05-internals/05-internals
	$(call run_pass,05-internals,syscalls)
	$(05-internals_AFTER_RUN)
