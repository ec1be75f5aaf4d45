# Parallel efficiency vs threads: throughput at T threads / (T x the same allocator's
# one-thread throughput), i.e. speedup / T, from the summary's ratio to threads=1.
# data: select 02-threads.summary.csv --where metric=ops_per_s --blocks metric,workload,allocator,pin --sort threads
# data: select 02-threads.summary.csv --where metric=cpus --tag cpus
W = 1100; H = 460
load 'common/lab.gp'
load 'chapters/02-threads/threads.gpi'
set multiplot layout 1, words(WL4) @MARGINS title "Parallel efficiency = speedup / threads (1 = perfect scaling)\n(speedup over the same allocator at 1 thread; not pinned; 95% CI band)"
set yrange [0:*]
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb "#999999"
CPUS = 0
stats figdata index ds("cpus") using "median" nooutput
CPUS = STATS_max
set arrow 2 from first CPUS, graph 0 to first CPUS, graph 1 nohead dt 3 lc rgb "#bbbbbb"
do for [w in WL4] {
    set title w
    set ylabel (w eq word(WL4, 1) ? "efficiency" : "")
    set xlabel "threads (dotted: CPUs)"
    plot for [a in LINES] figdata index blk("ops_per_s", w, a, "0") using "threads":(column("ratio_lo") / column("threads")):(column("ratio_hi") / column("threads")) \
             with filledcurves fs transparent solid 0.12 noborder lc rgb hex(a), \
         for [a in LINES] figdata index blk("ops_per_s", w, a, "0") using "threads":(column("ratio") / column("threads")) \
             with linespoints pt 7 ps 0.5 lw 1.5 dt dash(a) lc rgb hex(a) title (w eq word(WL4, 1) ? a : "")
}
unset multiplot
