# RSS over time, one panel per workload (rows) and allocator (columns), repetition 1: the
# RSS the kernel sees (colour) and the live bytes the program asked for (black, dashed),
# with the workload's phases shaded in turn and named at the top.
# data: select 03-fragmentation.csv --where release=none,sampler=1,rep=1,status=ok --blocks allocator,workload --tag phases
# data: select 03-fragmentation.series.csv --where release=none,sampler=1,rep=1 --blocks allocator,workload --tag series
W = 1200; H = 1000
load 'common/lab.gp'
WORKLOADS = "holes survivors growth decay"
set multiplot layout words(WORKLOADS), words(ALLOCATORS) title "RSS (colour) and live bytes requested (black, dashed) over time in ms (decay: s), repetition 1; phases shaded" margins 0.06, 0.99, 0.06, 0.92 spacing 0.03, 0.07
set format y "%.0f"
set xtics nomirror font ",8"
set ytics nomirror
# Phase boxes, one per row of the run CSV (its t_ms is the phase's end; the previous row's,
# or 0, its start), shaded in turn (nb counts them); each element of the plot walks the rows
# from 0.
box(t) = (b0 = b1, b1 = t, (b0 + b1) / 2)
label(t) = (l0 = l1, l1 = t, (l0 + l1) / 2)
shade(dummy) = (nb = nb + 1, nb % 2 ? 14542576 : 15658734)
do for [w in WORKLOADS] {
    do for [a in ALLOCATORS] {
        set title sprintf("%s · %s", w, a) font ",10"
        set ylabel (a eq word(ALLOCATORS, 1) ? "MiB" : "")
        set xlabel (w eq "decay" ? "time since start, s" : "")
        sc = (w eq "decay" ? 1000.0 : 1.0)
        set yrange [0:*]
        b1 = 0; l1 = 0; nb = 0
        plot figdata index ds("phases " . a . " " . w) using (box(column("t_ms") / sc)):(0):((b1 - b0) / 2):(1e9):(shade(0)) \
                with boxxyerror fs solid 1.0 noborder lc rgb variable, \
             '' index ds("phases " . a . " " . w) using (label(column("t_ms") / sc)):(0):(strcol("phase")) \
                with labels rotate by 90 left offset 0,0.3 font ",7" noenhanced tc rgb "#666666", \
             '' index ds("series " . a . " " . w) \
                using (column("t_ms") / sc):(column("rss_kib") / 1024) with lines lw 2 lc rgb hex(a), \
             '' index ds("series " . a . " " . w) using (column("t_ms") / sc):(column("live_bytes") / 1048576) with lines dt 2 lw 1.2 lc rgb "black"
    }
}
unset multiplot
