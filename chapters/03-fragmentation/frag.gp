# Fragmentation ratio over time: the RSS added since the workload started over the live
# bytes the program asked for (1 = no overhead), repetition 1, every allocator per panel.
# data: select 03-fragmentation.series.csv --where release=none,sampler=1,rep=1,live_bytes>1048576 --blocks allocator,workload
W = 1200; H = 440
load 'common/lab.gp'
WORKLOADS = "holes survivors growth decay"
eval legend(ALLOCATORS, 0.035)
set multiplot layout 1, 4 title "Fragmentation ratio over time: RSS added / live bytes requested\n(repetition 1; while more than 1 MiB is live; log scale)" margins 0.075, 0.99, 0.24, 0.73 spacing 0.05
set title offset 0, -0.5
set logscale y
set format y "%g"
do for [w in WORKLOADS] {
    set title w
    sc = (w eq "decay" ? 1000.0 : 1.0)
    set xlabel (w eq "decay" ? "time since start, s" : "time since start, ms")
    set ylabel (w eq "holes" ? "RSS added / live bytes" : "")
    unset key
    XMAX = 0   # the panel's time axis: four steps at most
    do for [a in ALLOCATORS] { stats figdata index ds(a . " " . w) using (t = column("t_ms") / sc, XMAX = t > XMAX ? t : XMAX) nooutput }
    set xtics nicestep(XMAX, 4)
    plot for [a in ALLOCATORS] figdata index ds(a . " " . w) \
        using (column("t_ms") / sc):"frag_ratio" with lines lw 2 lc rgb hex(a) title a
}
unset multiplot
