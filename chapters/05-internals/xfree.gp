# Cross-thread frees: the RSS added over time while 16 batches of 256 small blocks are in
# flight, freed by the allocating thread (dashed) or by a second thread (solid).
W = 960; H = 420
load 'common/lab.gp'
series = data . "/05-internals.series.csv"
set xlabel "ms"
set ylabel "RSS added, KiB"
set yrange [0:*]
set key outside right top textcolor variable
plot for [a in ALLOCATORS] select(series, 'f["workload"]=="xremote" && f["allocator"]=="' . a . '"') \
        using "t_ms":"rss_kib" with lines lw 2 lc rgb hex(a) title a . ", remote", \
     for [a in ALLOCATORS] select(series, 'f["workload"]=="xlocal" && f["allocator"]=="' . a . '"') \
        using "t_ms":"rss_kib" with lines lw 1.5 dt 2 lc rgb hex(a) title a . ", local", \
     select(series, 'f["workload"]=="xlocal" && f["allocator"]=="glibc"') using "t_ms":(column("live_bytes") / 1024.0) \
        with lines lw 1 lc rgb "#000000" title "live blocks (about)"
