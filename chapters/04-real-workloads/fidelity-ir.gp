# Fidelity in instructions: each allocator's change of instructions against glibc, per
# event of the replayed trace, in the real program (every process it starts, callgrind)
# against the same change in the replay. On the diagonal, the replay predicts the program.
# Two panels: the traces of small blocks (tens of instructions per event) and of large
# ones (thousands: copies and zeroing).
# data: fidelity real.summary.csv replay.summary.csv counts-real.summary.csv counts-replay.summary.csv --changes
W = 1000; H = 500
load 'common/lab.gp'
PROGRAMS = "gcc sqlite gnuplot python xz-threads"
pt(w) = 3 + 2 * idx(PROGRAMS, w)   # 5, 7, 9, 11, 13: a filled shape per program
OTHERS = ""
do for [a in ALLOCATORS] { if (a ne "glibc") { OTHERS = add(OTHERS, a) } }
eval legend(OTHERS, 0.915)
do for [i = 1:words(PROGRAMS)] {
    set label 200 + i word(PROGRAMS, i) at screen 0.22 + (i - 1) * 0.13, screen 0.865 left offset 1.2, 0 tc rgb "#333333" noenhanced \
        point pt pt(word(PROGRAMS, i)) ps 1.1 lc rgb "#333333"
}
set multiplot layout 1, 2 margins 0.1, 0.98, 0.15, 0.75 spacing 0.1, 0.1 \
    title "Instructions per event of the trace: each allocator's change against glibc, real program and replay"
set xlabel "replay: change per event"
set ylabel "real program: change per event"
set grid xtics ytics lc rgb "#dddddd" lt 1
X = "replay_ir_change_per_event"; Y = "real_ir_change_per_event"
GROUPS = "gcc,sqlite,gnuplot python,xz-threads"
do for [g in GROUPS] {
    G = "," . g . ","
    in(w) = strstrt(G, "," . w . ",") > 0
    set title (g eq word(GROUPS, 1) ? "small blocks: gcc, sqlite, gnuplot" : "large blocks: python, xz")
    N = 0; lo = 1e300; hi = -1e300
    stats figdata using (in(strcol("workload")) && column(X) == column(X) && column(Y) == column(Y) ? \
        (N = N + 1, lo = (column(X) < lo ? column(X) : lo), lo = (column(Y) < lo ? column(Y) : lo), \
         hi = (column(X) > hi ? column(X) : hi), hi = (column(Y) > hi ? column(Y) : hi)) : 0) nooutput
    if (N == 0) { eval nodata("no data: no counts of glibc and another allocator"); continue }
    pad = (hi - lo) * 0.08 + 1
    set xrange [lo - pad:hi + pad]; set yrange [lo - pad:hi + pad]
    set arrow 1 from lo - pad, lo - pad to hi + pad, hi + pad nohead dt 3 lc rgb "#999999"
    plot for [a in OTHERS] figdata using (strcol("allocator") eq a && in(strcol("workload")) ? column(X) : NaN):Y:(pt(strcol("workload"))) \
            with points pt variable ps 1.3 lc rgb hex(a)
}
unset multiplot
