# Decay curves: RSS after the large free, against the time since the free ended, every
# repetition (thin lines); left without, right with the allocator's release call.
W = 1100; H = 440
load 'common/lab.gp'
series = data . "/03-fragmentation.series.csv"
runs = data . "/03-fragmentation.csv"
# Each series row of a decay run, with t = ms since its run's "free" phase ended.
since(rel, a) = sprintf("< awk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) h[FILENAME, $i] = i; if (NR > FNR) print \"t_s,rss_mib,rep\"; next } NR == FNR { if ($h[FILENAME, \"workload\"] == \"decay\" && $h[FILENAME, \"phase\"] == \"free\" && $h[FILENAME, \"status\"] == \"ok\") end[$h[FILENAME, \"allocator\"], $h[FILENAME, \"release\"], $h[FILENAME, \"rep\"]] = $h[FILENAME, \"t_ms\"]; next } { k = $h[FILENAME, \"allocator\"] SUBSEP $h[FILENAME, \"release\"] SUBSEP $h[FILENAME, \"rep\"] } $h[FILENAME, \"workload\"] == \"decay\" && $h[FILENAME, \"release\"] == \"%s\" && $h[FILENAME, \"allocator\"] == \"%s\" && (k in end) && $h[FILENAME, \"t_ms\"] >= end[k] { if ($h[FILENAME, \"rep\"] != last) print \"\"; last = $h[FILENAME, \"rep\"]; printf \"%%g,%%g,%%s\\n\", ($h[FILENAME, \"t_ms\"] - end[k]) / 1000, $h[FILENAME, \"rss_kib\"] / 1024, last }' %s %s", rel, a, q(runs), q(series))
set multiplot layout 1, 2 title "After freeing 95% of 128 MiB: RSS against time since the free (every repetition)" margins 0.07, 0.99, 0.14, 0.86 spacing 0.06
set xlabel "seconds since the free"
set ylabel "RSS, MiB"
set yrange [0:*]
set key bottom left font ",9"
set title "no release call: idle, then a trickle of small malloc/free"
plot for [a in ALLOCATORS] since("none", a) using "t_s":"rss_mib" with lines lw 1.2 lc rgb hex(a) title a
unset key
set title "with the allocator's release call right after the free"
plot for [a in ALLOCATORS] since("now", a) using "t_s":"rss_mib" with lines lw 1.2 lc rgb hex(a) title a
unset multiplot
