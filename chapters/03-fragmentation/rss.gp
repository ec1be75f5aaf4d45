# RSS over time, one panel per workload (rows) and allocator (columns), repetition 1: the
# RSS the kernel sees (colour) and the live bytes the program asked for (black, dashed),
# with the workload's phases shaded in turn and named at the top.
W = 1200; H = 1000
load 'common/lab.gp'
series = data . "/03-fragmentation.series.csv"
runs = data . "/03-fragmentation.csv"
WORKLOADS = "holes survivors growth decay"
set multiplot layout words(WORKLOADS), words(ALLOCATORS) title "RSS (colour) and live bytes requested (black, dashed) over time in ms (decay: s), repetition 1; phases shaded" margins 0.06, 0.99, 0.06, 0.92 spacing 0.03, 0.07
set format y "%.0f"
set xtics nomirror font ",8"
set ytics nomirror
# Phase boxes: "x_mid,y_mid,dx,dy,colour,phase,x_label" (a CSV with a header, as lab.gp reads) from the run CSV (t_ms is each phase's end).
boxes(w, a) = sprintf("< awk -F, 'NR == 1 { print \"x,y,dx,dy,c,phase,xl\"; for (i = 1; i <= NF; i++) h[$i] = i; next } $h[\"allocator\"] == \"%s\" && $h[\"workload\"] == \"%s\" && $h[\"release\"] == \"none\" && $h[\"sampler\"] == \"on\" && $h[\"rep\"] == 1 && $h[\"status\"] == \"ok\" { e = $h[\"t_ms\"] / %g; printf \"%%g,0,%%g,1e9,%%d,%%s,%%g\\n\", (s + e) / 2, (e - s) / 2, (n++ %% 2) ? 15658734 : 14542576, $h[\"phase\"], (s + e) / 2; s = e }' %s", a, w, (w eq "decay" ? 1000.0 : 1.0), q(runs))
do for [w in WORKLOADS] {
    do for [a in ALLOCATORS] {
        set title sprintf("%s · %s", w, a) font ",10"
        set ylabel (a eq word(ALLOCATORS, 1) ? "MiB" : "")
        set xlabel (w eq "decay" ? "time since start, s" : "")
        sc = (w eq "decay" ? 1000.0 : 1.0)
        set yrange [0:*]
        plot boxes(w, a) using 1:2:3:4:5 with boxxyerror fs solid 1.0 noborder lc rgb variable, \
             boxes(w, a) using 7:(0):6 with labels rotate by 90 left offset 0,0.3 font ",7" noenhanced tc rgb "#666666", \
             select(series, sprintf('f["allocator"]=="%s" && f["workload"]=="%s" && f["release"]=="none" && f["sampler"]=="on" && f["rep"]==1', a, w)) \
                using (column("t_ms") / sc):(column("rss_kib") / 1024) with lines lw 2 lc rgb hex(a), \
             '' using (column("t_ms") / sc):(column("live_bytes") / 1048576) with lines dt 2 lw 1.2 lc rgb "black"
    }
}
unset multiplot
