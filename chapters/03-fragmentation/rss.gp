# RSS over time, one panel per workload (rows) and allocator (columns), repetition 1: the
# RSS the kernel sees (colour) and the live bytes the program asked for (black, dashed),
# with the workload's phases shaded in turn and named at the bottom. A row shares its
# scales (the longest run, the highest RSS), so that its panels compare at a glance: the
# axes are labelled once, on the row's first panel, and the allocators name the columns.
# data: select 03-fragmentation.csv --where release=none,sampler=1,rep=1,status=ok --blocks allocator,workload --tag phases
# data: select 03-fragmentation.series.csv --where release=none,sampler=1,rep=1 --blocks allocator,workload --tag series
W = 1200; H = 1100
load 'common/lab.gp'
WORKLOADS = "holes survivors growth decay"
set multiplot layout words(WORKLOADS), words(ALLOCATORS) title "RSS (colour) and live bytes requested (black, dashed) over time, repetition 1; phases shaded" margins 0.09, 0.99, 0.07, 0.9 spacing 0.02, 0.075
set ytics nomirror
# Phase boxes, one per row of the run CSV (its t_ms is the phase's end; the previous row's,
# or 0, its start), shaded in turn (nb counts them); each element of the plot walks the rows
# from 0. A phase too short to hold its name (decay's first two) goes unnamed.
box(t) = (b0 = b1, b1 = t, (b0 + b1) / 2)
label(t) = (l0 = l1, l1 = t, l1 - l0 > 0.06 * XMAX ? (l0 + l1) / 2 : NaN)
shade(dummy) = (nb = nb + 1, nb % 2 ? 14542576 : 15658734)
top(v, m) = v > m ? v : m
do for [w in WORKLOADS] {
    sc = (w eq "decay" ? 1000.0 : 1.0)
    XMAX = 0; YMAX = 1   # the row's scales, over its allocators (a missing panel adds nothing)
    set autoscale xy     # (stats reads only what the ranges let through: the last row's)
    do for [a in ALLOCATORS] {
        stats figdata index ds("series " . a . " " . w) using (XMAX = top(column("t_ms") / sc, XMAX), \
            YMAX = top(column("rss_kib") / 1024, top(column("live_bytes") / 1048576, YMAX))) nooutput
        stats figdata index ds("phases " . a . " " . w) using (XMAX = top(column("t_ms") / sc, XMAX)) nooutput
    }
    set xrange [0:XMAX]
    set yrange [0:YMAX * 1.05]
    set xtics 0, nicestep(XMAX, 3), 0.9 * XMAX nomirror font SMALL   # (none at the end: the next panel's 0)
    set ytics nicestep(YMAX, 4)
    set xlabel (w eq "decay" ? "s" : "ms") offset 0, 0.8 font SMALL
    do for [a in ALLOCATORS] {
        set title (w eq word(WORKLOADS, 1) ? a : "") tc rgb hex(a)
        if (a eq word(ALLOCATORS, 1)) { set ylabel w . ", MiB"; set format y "%.0f" } else { unset ylabel; set format y "" }
        b1 = 0; l1 = 0; nb = 0
        plot figdata index ds("phases " . a . " " . w) using (box(column("t_ms") / sc)):(0):((b1 - b0) / 2):(1e9):(shade(0)) \
                with boxxyerror fs solid 1.0 noborder lc rgb variable, \
             '' index ds("phases " . a . " " . w) using (label(column("t_ms") / sc)):(0):(strcol("phase")) \
                with labels rotate by 90 left offset 0,0.3 font SMALL noenhanced tc rgb "#666666", \
             '' index ds("series " . a . " " . w) \
                using (column("t_ms") / sc):(column("rss_kib") / 1024) with lines lw 2 lc rgb hex(a), \
             '' index ds("series " . a . " " . w) using (column("t_ms") / sc):(column("live_bytes") / 1048576) with lines dt 2 lw 1.2 lc rgb "black"
    }
}
unset multiplot
