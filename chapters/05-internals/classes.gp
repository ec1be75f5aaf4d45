# Size classes: the mean share of a block that rounding wastes in each class,
# (class - mean request) / class, over request sizes 1 B to 64 KiB (every size probed).
# A run of "exact" sizes (usable = request + k) is drawn with its own mean.
# data: select 05-internals.series.csv --where workload=classes --blocks allocator
W = 960; H = 420
load 'common/lab.gp'
set logscale x 2
set xrange [1:65536]
set format x "%.0s%cB"
set xlabel "request size"
set ylabel "mean waste in the class"
set yrange [0:0.6]
set key top right textcolor variable
mean(lo, n) = lo + (n - 1) / 2.0
waste(lo, cls, n, st) = st eq "exact" ? (cls - lo) / (mean(lo, n) + cls - lo) : (cls - mean(lo, n)) / cls
lw(a) = a eq "jemalloc" ? 6 : a eq "tcmalloc" ? 3 : 2
plot for [i = 1:words(ALLOCATORS)] figdata index ds(word(ALLOCATORS, i)) \
    using "size_bytes":(waste(column("size_bytes"), column("class_bytes"), column("total_count"), strcol("state"))) \
    with steps lw lw(word(ALLOCATORS, i)) lc rgb hex(word(ALLOCATORS, i)) title word(ALLOCATORS, i)
