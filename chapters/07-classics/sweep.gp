# The malloc-large sweep: time per operation (median, 95% interval) against the blocks'
# size range, a line per allocator; left, one buffer replaced at a time (the classic), right,
# all freed and then refilled (chapter 1's large).
# data: select large-sweep.summary.csv --where metric=ns_per_op --blocks order,allocator
W = 1000; H = 440
load 'common/lab.gp'
RANGES = "uniform:1m:2m uniform:2m:4m uniform:4m:8m uniform:8m:16m uniform:16m:32m"
eval legend(ALLOCATORS, 0.035)
set multiplot layout 1, 2 margins 0.09, 0.98, 0.23, 0.79 spacing 0.09, 0.1 title "malloc-large across block sizes: time per operation (median, 95% interval)"
set xrange [0.5:words(RANGES) + 0.5]
set xtics ("1-2" 1, "2-4" 2, "4-8" 3, "8-16" 4, "16-32" 5) scale 0
set xlabel "block sizes, MiB"
set logscale y
set format y "%.0s %cs"
do for [o in "replace refill"] {
    set title (o eq "replace" ? "replace one buffer at a time (the classic)" : "free all, then refill (chapter 1's large)")
    set ylabel (o eq "replace" ? "time per operation" : "")
    SET = ds(o . " " . word(ALLOCATORS, 1)); COL = "median"; eval COUNT
    if (N == 0) { eval nodata("no data"); continue }
    plot for [a in ALLOCATORS] figdata index ds(o . " " . a) using (idx(RANGES, strcol("sizes"))):(column("median") * 1e-9):(column("ci_lo") * 1e-9):(column("ci_hi") * 1e-9) \
            with yerrorlines pt 7 ps 0.6 lw 1.5 lc rgb hex(a)
}
unset multiplot
