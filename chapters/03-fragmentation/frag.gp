# Fragmentation ratio over time: the RSS added since the workload started over the live
# bytes the program asked for (1 = no overhead), repetition 1, every allocator per panel.
# data: select 03-fragmentation.series.csv --where release=none,sampler=1,rep=1,live_bytes>1048576 --blocks allocator,workload
W = 1200; H = 440
load 'common/lab.gp'
WORKLOADS = "holes survivors growth decay"
set multiplot layout 1, 4 title "Fragmentation ratio over time: RSS added / live bytes requested (repetition 1; while more than 1 MiB is live; log scale)" margins 0.05, 0.99, 0.14, 0.86 spacing 0.04
set logscale y
set format y "%g"
set key top left font ",9"
do for [w in WORKLOADS] {
    set title w
    sc = (w eq "decay" ? 1000.0 : 1.0)
    set xlabel (w eq "decay" ? "time since start, s" : "time since start, ms")
    set ylabel (w eq "holes" ? "RSS added / live bytes" : "")
    if (w eq "holes") { set key top left } else { unset key }
    plot for [a in ALLOCATORS] figdata index ds(a . " " . w) \
        using (column("t_ms") / sc):"frag_ratio" with lines lw 2 lc rgb hex(a) title a
}
unset multiplot
