# The noise experiment: chapter 1's *small* under glibc, one process after another, in three
# conditions run in turn: pinned with the other CPU idle, pinned with it busy, not pinned.
# Left, every process in the order it ran (the conditions one after another): its whole
# timed phase (dot) and its fastest round (open circle). Right, each condition's processes
# sorted by their whole phase: the distribution.
# data: select noise-pinned.csv --where status=ok --tag pinned
# data: select noise-busy.csv --where status=ok --tag busy
# data: select noise-unpinned.csv --where status=ok --tag unpinned
# data: select noise-pinned.csv --where status=ok --sort ns_per_op --tag sorted-pinned
# data: select noise-busy.csv --where status=ok --sort ns_per_op --tag sorted-busy
# data: select noise-unpinned.csv --where status=ok --sort ns_per_op --tag sorted-unpinned
W = 1000; H = 480
load 'common/lab.gp'
CONDITIONS = "pinned busy unpinned"
LABELS = "'pinned, other CPU idle' 'pinned, other CPU busy' 'not pinned'"
COLORS = "#1f77b4 #d62728 #2ca02c"
# Each condition's processes follow the previous condition's in the run order.
array OFF[3]
OFF[1] = 0
do for [i = 2:3] {
    stats figdata index ds(word(CONDITIONS, i - 1)) using "rep" nooutput
    OFF[i] = OFF[i - 1] + STATS_max
}
set multiplot layout 1, 2 title "glibc on small: time per operation of each process" margins 0.09, 0.99, 0.24, 0.76 spacing 0.1
set ylabel "ns per op"
# The key across the bottom, each condition after the one before (0.6 FONT a character).
KEYLEN = 0
do for [i = 1:3] { KEYLEN = KEYLEN + strlen(word(LABELS, i)) + 5 }
x = 0.5 - KEYLEN * 0.3 * FONT / W
do for [i = 1:3] {
    set label 200 + i word(LABELS, i) at screen x, screen 0.035 left offset 1.2, 0 point pt 7 ps 0.8 lc rgb word(COLORS, i)
    x = x + (strlen(word(LABELS, i)) + 5) * 0.6 * FONT / W
}
set title "in the order they ran: the whole phase (dot),\nthe fastest round (circle)"
set xlabel "process, in run order"
plot for [i = 1:3] figdata index ds(word(CONDITIONS, i)) using (OFF[i] + column("rep")):"ns_per_op" with points pt 7 ps 0.7 lc rgb word(COLORS, i), \
     for [i = 1:3] figdata index ds(word(CONDITIONS, i)) using (OFF[i] + column("rep")):"best_ns_per_op" with points pt 6 ps 0.7 lc rgb word(COLORS, i)
set title "each condition sorted:\nthe whole phase"
set xlabel "processes of a condition, fastest first"
# (each row's rank: a counter per condition, counted as gnuplot reads the rows)
array RANK[3] = [0, 0, 0]
plot for [i = 1:3] figdata index ds("sorted-" . word(CONDITIONS, i)) using (RANK[i] = RANK[i] + 1):"ns_per_op" with linespoints pt 7 ps 0.6 lc rgb word(COLORS, i)
unset multiplot
