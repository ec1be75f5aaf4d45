# The classics: each allocator's time per operation over glibc's (the summary's ratio of
# medians, 95% interval), per classic; the threaded ones at the CPUs (filled) and at twice
# as many (open), the others on one thread.
# data: select 07-classics.summary.csv --where metric=ns_per_op --blocks allocator
W = 1000; H = 460
load 'common/lab.gp'
CLASSICS = "larson xmalloc cache-scratch cache-thrash malloc-large alloc-test glibc-simple glibc-thread"
OTHERS = ""
do for [a in ALLOCATORS] { if (a ne "glibc") { OTHERS = add(OTHERS, a) } }
eval legend(OTHERS, 0.93)
# The smallest thread count above one: the CPUs (the chapter runs at the CPUs and twice).
TMIN = 1e9
stats figdata using (column("threads") > 1 && column("threads") < TMIN ? TMIN = column("threads") : 0) nooutput
set title sprintf("Time per operation over glibc's, each classic (filled: %d threads or one; open: %d threads)", TMIN, 2 * TMIN) offset 0, 1.5
set tmargin 6
set xrange [0.5:words(CLASSICS) + 0.5]
set for [i = 1:words(CLASSICS)] xtics add (word(CLASSICS, i) i) 
set xtics scale 0 rotate by 25 right
set logscale y
set ylabel "ratio to glibc (log)"
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb "#999999"
x(w, a) = idx(CLASSICS, w) + (idx(OTHERS, a) - (words(OTHERS) + 1) / 2.0) * 0.16
open(t) = t > TMIN
SET = ds(word(OTHERS, 1)); COL = "ratio"; N = 0
do for [a in OTHERS] { SET = ds(a); eval COUNT; if (N > 0) { break } }
if (N == 0) { eval nodata("no data: glibc, the baseline, not run"); exit }
plot for [a in OTHERS] figdata index ds(a) using (open(column("threads")) ? NaN : x(strcol("workload"), a)):"ratio":"ratio_lo":"ratio_hi" \
        with yerrorbars pt 7 ps 0.9 lc rgb hex(a), \
     for [a in OTHERS] figdata index ds(a) using (open(column("threads")) ? x(strcol("workload"), a) + 0.04 : NaN):"ratio":"ratio_lo":"ratio_hi" \
        with yerrorbars pt 6 ps 0.9 lc rgb hex(a)
