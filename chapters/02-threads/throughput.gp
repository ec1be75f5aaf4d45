# Throughput vs threads: one panel per workload, a line per allocator (median of runs over
# the whole timed phase) with its 95% bootstrap band; glibc with MALLOC_ARENA_MAX=1 dashed.
# Not pinned (the chapter's runs; pinned ones would draw under pin=1).
# data: select 02-threads.summary.csv --where metric=ops_per_s --blocks metric,workload,allocator,pin --sort threads
W = 1100; H = 470
load 'common/lab.gp'
load 'chapters/02-threads/threads.gpi'
set multiplot layout 1, words(WL4) @MARGINS title "Throughput vs threads: operations per second, all threads together, whole timed phase\n(median of runs, 95% CI band; not pinned)"
do for [w in WL4] {
    set title w
    set format y (w eq "false-sharing" ? "%.1s%c" : "%.0s%c")   # (1.5G is not 2G)
    set ylabel (w eq word(WL4, 1) ? "ops/s" : w eq "false-sharing" ? "writes/s" : "")
    plot for [a in LINES] figdata index blk("ops_per_s", w, a, "0") using "threads":"ci_lo":"ci_hi" \
             with filledcurves fs transparent solid 0.15 noborder lc rgb hex(a), \
         for [a in LINES] figdata index blk("ops_per_s", w, a, "0") using "threads":"median" \
             with linespoints pt 7 ps 0.5 lw 1.5 dt dash(a) lc rgb hex(a) title (w eq word(WL4, 1) ? a : "")
}
unset multiplot
