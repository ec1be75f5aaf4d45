# Final overhead: the RSS the workload added over the live bytes requested, at the end of
# the phase that matters for each workload (median of runs, 95% CI), log scale.
# data: select 03-fragmentation.summary.csv --where metric=frag_ratio,sampler=1 --blocks allocator,workload,release,phase
W = 1000; H = 440
load 'common/lab.gp'
# "workload:release:phase" per category, and its label.
CATS = "holes:none:refill survivors:none:free_99 survivors:none:refill growth:none:drift_4 decay:none:trickle decay:now:trickle"
n = words(CATS)
_f(c, i) = i == 1 ? c[1:strstrt(c, ":") - 1] : _f(c[strstrt(c, ":") + 1:], i - 1)
field(c, i) = _f(c . ":", i)
set xrange [0.5:n + 0.5]
set xtics scale 0 font SMALL noenhanced
set xtics ("holes\nafter the refill" 1, "survivors\nafter 99%% freed" 2, "survivors\nafter the refill" 3, \
           "growth\nat the end" 4, "decay\nidle, no call" 5, "decay\nafter release call" 6)
set bmargin 4
set logscale y
set format y "%g"
set ylabel "RSS added / live bytes (1 = no overhead)"
set title "Memory held per live byte at the end of each workload (median of runs, 95% CI)"
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb "#999999"
set bars 1
set key top right font SMALL
x(i, a) = i + (idx(ALLOCATORS, a) - (words(ALLOCATORS) + 1) / 2.0) * 0.13
cat(a, i) = ds(sprintf("%s %s %s %s", a, field(word(CATS, i), 1), field(word(CATS, i), 2), field(word(CATS, i), 3)))
plot for [a in ALLOCATORS] for [i = 1:n] figdata index cat(a, i) \
    using (x(i, a)):"median":"ci_lo":"ci_hi" with yerrorbars pt 7 ps 0.8 lw 1.5 lc rgb hex(a) title (i == 1 ? a : "")
