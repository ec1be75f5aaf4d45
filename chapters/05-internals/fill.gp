# Size-class fill levels over chapter 3's holes workload, where the allocator exposes them:
# blocks used / room, per class (rows) and sample (columns). gperftools: the program's own
# live blocks / (those + the free blocks its GetStats text lists for the class).
# data: select 05-internals.series.csv --where workload=fill --tag fill
# data: select 05-internals.series.csv --where workload=fill,total_count>0 --blocks allocator
W = 1100; H = 460
load 'common/lab.gp'
set multiplot layout 1, 3 margins 0.1, 0.88, 0.13, 0.85 spacing 0.04
set palette defined (0 "#fff5eb", 0.5 "#fd8d3c", 1 "#7f2704")
set cbrange [0:1]
set cblabel "blocks used / room in the class"
set logscale y 2
set yrange [8:65536]
set format y "%.0s%cB"
set xlabel "ms"
set grid noytics
# Each sample's cell: as wide as the samples are apart on average (about 60 per run).
tmax = 1
stats figdata index ds("fill") using (column("t_ms") + 1 > tmax ? tmax = column("t_ms") + 1 : 0) nooutput
hw = tmax / 120.0
set xtics nicestep(tmax, 4)
do for [a in "jemalloc tcmalloc mimalloc"] {
    set title a tc rgb hex(a)
    if (a eq "jemalloc") { set ylabel "size class" } else { unset ylabel }
    if (a eq "mimalloc") { set colorbox } else { unset colorbox }
    SET = ds(a); COL = "total_count"; eval COUNT
    if (N == 0) { eval nodata("no fill levels: " . a . " not run"); continue }
    plot figdata index ds(a) \
        using "t_ms":"class_bytes":(hw):(column("class_bytes") * 0.09):(column("used_count") / column("total_count")) \
        with boxxyerror fs solid 1.0 noborder lc palette
}
unset multiplot
