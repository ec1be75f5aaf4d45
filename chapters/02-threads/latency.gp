# Tail latency vs threads: p99.9 of single malloc and free calls (TSC bracket, its cost
# subtracted), per workload; log scale. Oversubscribed runs include time slices lost to
# preemption.
# data: select 02-threads.summary.csv --where metric=malloc_lat_p999_ns|free_lat_p999_ns --blocks metric,workload,allocator,pin --sort threads
W = 1100; H = 720
load 'common/lab.gp'
load 'chapters/02-threads/threads.gpi'
set multiplot layout 2, words(WL3) margins 0.075, 0.99, 0.16, 0.87 spacing 0.075, 0.16 title "p99.9 latency of one call vs threads (median of runs, 95% CI band; not pinned; log scale)"
set logscale y
set format y "10^{%T}"
do for [op in "malloc free"] {
    do for [w in WL3] {
        set title op . ", " . w
        set ylabel (w eq word(WL3, 1) ? "ns" : "")
        set xlabel (op eq "free" ? "threads" : "")
        m = op . "_lat_p999_ns"
        plot for [a in LINES] figdata index blk(m, w, a, "0") using "threads":"ci_lo":"ci_hi" \
                 with filledcurves fs transparent solid 0.12 noborder lc rgb hex(a), \
             for [a in LINES] figdata index blk(m, w, a, "0") using "threads":"median" \
                 with linespoints pt 7 ps 0.5 lw 1.5 dt dash(a) lc rgb hex(a) title (w eq word(WL3, 1) && op eq "malloc" ? a : "")
    }
}
unset multiplot
