# Memory vs threads: peak RSS the workload added (VmHWM after a reset, minus the RSS at
# the start), with the same live bytes at every thread count; and glibc's arena count.
# data: select 02-threads.summary.csv --where metric=rss_added_kib|arenas --blocks metric,workload,allocator,pin --sort threads
# data: select 02-threads.summary.csv --where metric=arenas,allocator=glibc --tag glibc_arenas
W = 1100; H = 480
load 'common/lab.gp'
load 'chapters/02-threads/threads.gpi'
set multiplot layout 1, words(WL3) + 1 @MARGINS title "Peak RSS added vs threads (the same live blocks in all; median of runs, 95% CI band;\nnot pinned), and glibc's arenas"
do for [w in WL3] {
    set title w
    set ylabel (w eq word(WL3, 1) ? "MiB" : "")
    plot for [a in LINES] figdata index blk("rss_added_kib", w, a, "0") using "threads":(column("ci_lo") / 1024):(column("ci_hi") / 1024) \
             with filledcurves fs transparent solid 0.12 noborder lc rgb hex(a), \
         for [a in LINES] figdata index blk("rss_added_kib", w, a, "0") using "threads":(column("median") / 1024) \
             with linespoints pt 7 ps 0.5 lw 1.5 dt dash(a) lc rgb hex(a) title (w eq word(WL3, 1) ? a : "")
}
set offsets 0, 0, graph 0.3, 0
set title "glibc arenas\n(thread-local)"
set key top left reverse Left samplen 2
set ylabel "arenas"
set yrange [0:*]
SET = ds("glibc_arenas"); COL = "median"; eval COUNT
if (N == 0) { eval nodata("no data: glibc not run") } else {
plot for [a in "glibc glibc-arena1"] figdata index blk("arenas", "thread-local", a, "0") using "threads":"median" \
         with linespoints pt 7 ps 0.6 lw 1.5 dt dash(a) lc rgb hex(a) title a
}
unset multiplot
