# Cross-thread frees: the RSS added over time while 16 batches of 256 small blocks are in
# flight, freed by the allocating thread (dashed) or by a second thread (solid).
# data: select 05-internals.series.csv --where workload=xremote|xlocal --blocks workload,allocator
W = 960; H = 420
load 'common/lab.gp'
set xlabel "ms"
set ylabel "RSS added, KiB"
set yrange [0:*]
set key outside right top textcolor variable
plot for [a in ALLOCATORS] figdata index ds("xremote " . a) \
        using "t_ms":"rss_kib" with lines lw 2 lc rgb hex(a) title a . ", remote", \
     for [a in ALLOCATORS] figdata index ds("xlocal " . a) \
        using "t_ms":"rss_kib" with lines lw 1.5 dt 2 lc rgb hex(a) title a . ", local", \
     figdata index ds("xlocal glibc") using "t_ms":(column("live_bytes") / 1024.0) \
        with lines lw 1 lc rgb "#000000" title "live blocks (about)"
