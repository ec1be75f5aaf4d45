# The simulators: time per allocation call and fragmentation, per workload; points offset
# per allocator, with 95% CI whiskers.
# data: select 04-real-workloads.summary.csv --where metric=ns_per_op|frag_ratio --blocks metric,allocator
W = 1000; H = 430
load 'common/lab.gp'
WORKLOADS = "web-server kv-store json-tree"
eval legend(ALLOCATORS, 0.035)
set multiplot layout 1, 2 margins 0.09, 0.98, 0.17, 0.8 spacing 0.1, 0.1 title "Application-shaped work (median of runs, 95% CI)"
set xrange [0.5:words(WORKLOADS) + 0.5]
set xtics ("web-server" 1, "kv-store" 2, "json-tree" 3) scale 0
x(w, a) = idx(WORKLOADS, w) + (idx(ALLOCATORS, a) - (words(ALLOCATORS) + 1) / 2.0) * 0.14
set bars 1
set title "Time per malloc/free/realloc call, per thread"
set yrange [0:*]
set ylabel "ns"
plot for [a in ALLOCATORS] figdata index ds("ns_per_op " . a) \
    using (x(strcol("workload"), a)):"median":"ci_lo":"ci_hi" with yerrorbars pt 7 ps 0.7 lw 1.5 lc rgb hex(a)
set title "Fragmentation: RSS added / peak live bytes"
set ylabel "ratio (1 = no overhead)"
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb "#999999"
plot for [a in ALLOCATORS] figdata index ds("frag_ratio " . a) \
    using (x(strcol("workload"), a)):"median":"ci_lo":"ci_hi" with yerrorbars pt 7 ps 0.7 lw 1.5 lc rgb hex(a)
unset multiplot
