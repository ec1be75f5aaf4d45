# Memory: the RSS each allocator added per live byte requested (fragmentation ratio), and
# its peak RSS, per workload; points offset per allocator, with 95% CI whiskers.
# data: select 01-micro.summary.csv --where metric=frag_ratio|peak_rss_kib --blocks metric,allocator
W = 1000; H = 430
load 'common/lab.gp'
WORKLOADS = "small medium large mixed churn"
eval legend(ALLOCATORS, 0.035)
set multiplot layout 1, 2 margins 0.1, 0.98, 0.19, 0.79 spacing 0.09, 0.1 title "Memory held for the bytes asked for (median of runs, 95% CI)"
set xrange [0.5:words(WORKLOADS) + 0.5]
set xtics ("small" 1, "medium" 2, "large" 3, "mixed" 4, "churn" 5) scale 0
x(w, a) = idx(WORKLOADS, w) + (idx(ALLOCATORS, a) - (words(ALLOCATORS) + 1) / 2.0) * 0.14
set bars 1
set title "Fragmentation: RSS added / peak live bytes"
set yrange [0:*]
set ylabel "ratio (1 = no overhead)"
# (The floor has no memory figures: with no allocator but the floor, both panels say so.)
NONE = "no data: no allocator but the floor ran"
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb "#999999"
if (words(ALLOCATORS) == 0) { eval nodata(NONE) } else {
plot for [a in ALLOCATORS] figdata index ds("frag_ratio " . a) \
    using (x(strcol("workload"), a)):"median":"ci_lo":"ci_hi" with yerrorbars pt 7 ps 0.7 lw 1.5 lc rgb hex(a) }
unset arrow 1
set title "Peak RSS"
set yrange [*:*]
set ylabel "MiB"
if (words(ALLOCATORS) == 0) { eval nodata(NONE) } else {
set logscale y
plot for [a in ALLOCATORS] figdata index ds("peak_rss_kib " . a) \
    using (x(strcol("workload"), a)):(column("median") / 1024):(column("ci_lo") / 1024):(column("ci_hi") / 1024) \
    with yerrorbars pt 7 ps 0.7 lw 1.5 lc rgb hex(a) }
unset multiplot
