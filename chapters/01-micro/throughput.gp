# Throughput per workload: one panel each, a point per allocator with its bootstrap 95% CI,
# the floor as a dashed line. Log scale: the allocators differ by orders of magnitude on
# large blocks.
# data: select 01-micro.summary.csv --where metric=ops_per_s --blocks workload
W = 1000; H = 380
load 'common/lab.gp'
WORKLOADS = "small medium large mixed churn"
set multiplot layout 1, words(WORKLOADS) title "Throughput (malloc + free calls per second; median of runs, 95% CI)"
set logscale y
set format y "%.0s%c"
set xrange [0.4:words(ALLOCATORS) + 0.6]
set xtics rotate by 90 right scale 0 font SMALL
set xtics ()
do for [i = 1:words(ALLOCATORS)] { set xtics add (word(ALLOCATORS, i) i) }
set bars 2
# The floor is no allocator of the list: its row is the dashed line.
if_floor(x) = strcol("allocator") eq "floor" ? x : NaN
do for [w in WORKLOADS] {
    set title w
    set ylabel (w eq "small" ? "ops/s" : "")
    plot figdata index ds(w) \
            using (idx(ALLOCATORS, strcol("allocator"))):"median":"ci_lo":"ci_hi":(color(strcol("allocator"))) \
            with yerrorbars pt 7 ps 0.8 lw 1.5 lc rgb variable, \
         '' index ds(w) using (if_floor(0.5)):"median":(words(ALLOCATORS)):(0) with vectors nohead dt 2 lw 1.5 lc rgb "#777777", \
         '' index ds(w) using (if_floor(words(ALLOCATORS) + 0.5)):"median":("floor") with labels right offset 0,0.7 tc rgb "#777777"
}
unset multiplot
