# The timed rounds of each process: a line from the fastest round to the slowest, ticks
# at the median and 90th-percentile round, and a dot at the whole timed phase (the
# headline ns per op); each the median over the processes. Log scale. (The slowest round
# is plotted again as an invisible point: autoscale does not reach a vector's end.)
# data: select 01-micro.summary.csv --where metric=ns_per_op|best_ns_per_op|round_p50_ns_per_op|round_p90_ns_per_op|round_max_ns_per_op --key allocator,workload --wide metric --values median --blocks workload
W = 1000; H = 400
load 'common/lab.gp'
WORKLOADS = "small medium large mixed churn"
ALL = ALLOCATORS . (has(ALLOCATORS, "floor") ? "" : " floor")
set multiplot layout 1, words(WORKLOADS) title "Time per operation of each timed round: fastest to slowest (line), median and p90 round (ticks), whole phase (dot)"
set logscale y
set format y "%.0s%c"
set xrange [0.4:words(ALL) + 0.6]
set xtics rotate by 90 right scale 0 font SMALL
set xtics ()
do for [i = 1:words(ALL)] { set xtics add (word(ALL, i) i) }
x(a) = idx(ALL, a)
do for [w in WORKLOADS] {
    set title w
    set ylabel (w eq "small" ? "ns per op" : "")
    plot figdata index ds(w) using (x(strcol("allocator"))):"best_ns_per_op_median":(0):(column("round_max_ns_per_op_median") - column("best_ns_per_op_median")):(color(strcol("allocator"))) \
            with vectors nohead lw 2 lc rgb variable, \
         '' index ds(w) using (x(strcol("allocator"))):"round_p50_ns_per_op_median":(color(strcol("allocator"))) with points pt 5 ps 0.5 lc rgb variable, \
         '' index ds(w) using (x(strcol("allocator"))):"round_p90_ns_per_op_median":(color(strcol("allocator"))) with points pt 4 ps 0.7 lc rgb variable, \
         '' index ds(w) using (x(strcol("allocator"))):"ns_per_op_median":(color(strcol("allocator"))) with points pt 7 ps 1.1 lc rgb variable, \
         '' index ds(w) using (x(strcol("allocator"))):"round_max_ns_per_op_median" with points pt 1 ps 0.01 lc rgb "white"
}
unset multiplot
