# Latency percentiles of single malloc and free calls, log scale: one panel per workload
# and call, a line per allocator (the floor dashed). Values under the timer's resolution
# are drawn at the resolution, inside the shaded band.
# data: select 01-micro.summary.csv --where metric=timer_resolution_ns --tag resolution
# data: select 01-micro.summary.csv --where metric=malloc_lat_min_ns|malloc_lat_p50_ns|malloc_lat_p95_ns|malloc_lat_p99_ns|malloc_lat_p999_ns|malloc_lat_max_ns --blocks workload,allocator --tag malloc
# data: select 01-micro.summary.csv --where metric=free_lat_min_ns|free_lat_p50_ns|free_lat_p95_ns|free_lat_p99_ns|free_lat_p999_ns|free_lat_max_ns --blocks workload,allocator --tag free
W = 1000; H = 720
load 'common/lab.gp'
WORKLOADS = "small medium large mixed churn"
PCTS = "min p50 p95 p99 p999 max"
LINES = ALLOCATORS . " floor"
stats figdata index ds("resolution") using "median" nooutput
RES = STATS_median
eval legend(LINES, 0.905)
set multiplot layout 2, words(WORKLOADS) margins 0.075, 0.99, 0.09, 0.82 spacing 0.06, 0.17 title sprintf("Latency of one call (median over runs; timer bracket subtracted; shaded: below the %.0f ns resolution)", RES)
set logscale y
set format y "10^{%T}"
set xrange [0.7:words(PCTS) + 0.3]
set xtics ("min" 1, "p50" 2, "p95" 3, "p99" 4, "p99.9" 5, "max" 6) rotate by 90 right scale 0 font SMALL
set object 1 rect from graph 0, graph 0 to graph 1, first RES fc rgb "#eeeeee" fs solid noborder behind
# "malloc_lat_p99_ns" -> 4
pct(m) = strstrt(m, "_min_") ? 1 : strstrt(m, "_p50_") ? 2 : strstrt(m, "_p95_") ? 3 : \
         strstrt(m, "_p99_") ? 4 : strstrt(m, "_p999_") ? 5 : strstrt(m, "_max_") ? 6 : NaN
do for [op in "malloc free"] {
    do for [w in WORKLOADS] {
        set title op . ", " . w
        set ylabel (w eq "small" ? "ns" : "")
        plot for [a in LINES] figdata index ds(op . " " . w . " " . a) \
            using (pct(strcol("metric"))):(column("median") > RES ? column("median") : RES) \
            with linespoints pt 7 ps 0.5 lw 1.5 dt 1 + (a eq "floor") lc rgb hex(a)
    }
}
unset multiplot
