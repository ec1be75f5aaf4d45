# Throughput vs threads: one panel per workload, a line per allocator (median of runs) with
# its 95% bootstrap band; top row free threads, bottom row pinned one per CPU. The floor is
# dashed grey, glibc with MALLOC_ARENA_MAX=1 dashed.
# data: select 02-threads.summary.csv --where metric=ops_per_s --blocks metric,workload,allocator,pin --sort threads
load 'common/lab.gp'
load 'chapters/02-threads/threads.gpi'
set terminal svg size 1100,640
set multiplot layout 2, words(WL4) title "Throughput vs threads (operations per second, all threads together; median of runs, 95% CI band)"
set format y "%.1s%c"
do for [pin in "0 1"] {
    do for [w in WL4] {
        set title w . (pin eq "1" ? ", pinned" : "")
        set ylabel (w eq word(WL4, 1) ? "ops/s" : w eq "false-sharing" ? "writes/s" : "")
        set xlabel (pin eq "1" ? "threads" : "")
        plot for [a in LINES] figdata index blk("ops_per_s", w, a, pin) using "threads":"ci_lo":"ci_hi" \
                 with filledcurves fs transparent solid 0.15 noborder lc rgb hex(a), \
             for [a in LINES] figdata index blk("ops_per_s", w, a, pin) using "threads":"median" \
                 with linespoints pt 7 ps 0.5 lw 1.5 dt dash(a) lc rgb hex(a) title (w eq word(WL4, 1) && pin eq "0" ? a : "")
    }
}
unset multiplot
