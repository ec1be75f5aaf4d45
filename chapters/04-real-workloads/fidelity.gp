# Fidelity: each allocator against glibc, in the real program (filled) and in its replay
# (open), for peak RSS and for time (real: wall time; replay: time per allocation call).
# data: select real.summary.csv --tag real_all
# data: select real.summary.csv --where metric=peak_rss_kib|elapsed_s --blocks metric,allocator --tag real
# data: select replay.summary.csv --where metric=peak_rss_kib|ns_per_op --blocks metric,allocator --tag replay
W = 1000; H = 430
load 'common/lab.gp'
PROGRAMS = "gcc python sqlite gnuplot xz-threads"
eval legend(ALLOCATORS, 0.035)
set multiplot layout 1, 2 margins 0.09, 0.98, 0.22, 0.8 spacing 0.1, 0.1 title "Real run (filled) and replay (open), each allocator over glibc (medians)"
set xrange [0.5:words(PROGRAMS) + 0.5]
set xtics ("gcc" 1, "python" 2, "sqlite" 3, "gnuplot" 4, "xz-threads" 5) scale 0 rotate by 30 right
x(w, a) = idx(PROGRAMS, w) + (idx(ALLOCATORS, a) - (words(ALLOCATORS) + 1) / 2.0) * 0.14
set logscale y
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb "#999999"
set title "Peak RSS over glibc's"
set ylabel "ratio"
SET = ds("real_all"); COL = "ratio"; eval COUNT
if (N == 0) {   # no baseline: both panels say so
    eval nodata("no data: glibc, the baseline, not run")
    set title "Time over glibc's"
    eval nodata("no data: glibc, the baseline, not run")
    unset multiplot
    exit
}
plot for [a in ALLOCATORS] figdata index ds("real peak_rss_kib " . a) \
        using (x(strcol("workload"), a)):"ratio" with points pt 7 ps 0.9 lc rgb hex(a), \
     for [a in ALLOCATORS] figdata index ds("replay peak_rss_kib " . a) \
        using (x(strcol("workload"), a)):"ratio" with points pt 6 ps 1.1 lw 1.5 lc rgb hex(a)
set title "Time over glibc's"
plot for [a in ALLOCATORS] figdata index ds("real elapsed_s " . a) \
        using (x(strcol("workload"), a)):"ratio" with points pt 7 ps 0.9 lc rgb hex(a), \
     for [a in ALLOCATORS] figdata index ds("replay ns_per_op " . a) \
        using (x(strcol("workload"), a)):"ratio" with points pt 6 ps 1.1 lw 1.5 lc rgb hex(a)
unset multiplot
