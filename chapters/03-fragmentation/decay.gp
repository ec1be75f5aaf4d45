# Decay curves: RSS after the large free, against the time since the free ended, every
# repetition (thin lines); left without, right with the allocator's release call.
# data: select 03-fragmentation.csv --where workload=decay,phase=free,status=ok --blocks release,allocator --tag end
# data: select 03-fragmentation.series.csv --where workload=decay --blocks release,allocator --tag series
W = 1100; H = 440
load 'common/lab.gp'
# The time since the free: a series row's t_ms minus the t_ms at which its run's free
# phase ended (the run CSV's row for that phase); before it, or without it, no point, and
# the line breaks (so each repetition is a line of its own).
REPMAX = 1000
array END[(words(ALLOCATORS) + 1) * 2 * REPMAX]
do for [i = 1:|END|] { END[i] = NaN }
at(rel, a, rep) = ((idx(ALLOCATORS, a) * 2 + (rel eq "now")) * REPMAX) + rep
do for [rel in "none now"] { do for [a in ALLOCATORS] {
    stats figdata index ds("end " . rel . " " . a) using (END[at(rel, a, column("rep"))] = column("t_ms"), 0) nooutput
} }
since(rel, a) = (e = END[at(rel, a, column("rep"))], column("t_ms") >= e ? (column("t_ms") - e) / 1000 : NaN)
set multiplot layout 1, 2 title "After freeing 95% of 128 MiB: RSS against time since the free (every repetition)" margins 0.09, 0.97, 0.18, 0.8 spacing 0.08
set title offset 0, -0.5
set xlabel "seconds since the free"
set ylabel "RSS, MiB"
set yrange [0:*]
set key bottom left font SMALL
set title "no release call: idle, then a trickle of malloc/free"
plot for [a in ALLOCATORS] figdata index ds("series none " . a) using (since("none", a)):(column("rss_kib") / 1024) with lines lw 1.2 lc rgb hex(a) title a
unset key
set title "the allocator's release call right after the free"
plot for [a in ALLOCATORS] figdata index ds("series now " . a) using (since("now", a)):(column("rss_kib") / 1024) with lines lw 1.2 lc rgb hex(a) title a
unset multiplot
