# Lock contention: futex system calls per million operations during the timed phase
# (tracepoint syscalls:sys_enter_futex), log scale: 0 is drawn at 0.1.
# data: select 02-threads.summary.csv --where metric=futex_per_mop --blocks metric,workload,allocator,pin --sort threads
# data: select 02-threads.summary.csv --where metric=futex_per_mop --blocks workload --tag any
W = 1100; H = 460
load 'common/lab.gp'
load 'chapters/02-threads/threads.gpi'
set multiplot layout 1, words(WL3) @MARGINS title "futex system calls per million malloc/free operations in the timed phase\n(median of runs, 95% CI band; 0 drawn at 0.1; not pinned)"
set logscale y
set yrange [0.08:*]
set format y "10^{%T}"
f(v) = v < 0.1 ? 0.1 : v
do for [w in WL3] {
    set title w
    set ylabel (w eq word(WL3, 1) ? "futex calls / 10^6 ops" : "")
    SET = ds("any " . w); COL = "median"; eval COUNT
    if (N == 0) { eval nodata("no data: perf not available"); set xtics 1; continue }
    plot for [a in LINES] figdata index blk("futex_per_mop", w, a, "0") using "threads":(f(column("ci_lo"))):(f(column("ci_hi"))) \
             with filledcurves fs transparent solid 0.12 noborder lc rgb hex(a), \
         for [a in LINES] figdata index blk("futex_per_mop", w, a, "0") using "threads":(f(column("median"))) \
             with linespoints pt 7 ps 0.5 lw 1.5 dt dash(a) lc rgb hex(a) title (w eq word(WL3, 1) ? a : "")
}
unset multiplot
