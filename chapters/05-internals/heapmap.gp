# The heap map at the holes phase: every 1 MiB chunk that holds a live block is a row of
# 256 pages; a page is live (holds a live byte), free (resident, no live block), absent
# (mapped, not resident) or unmapped. One panel per allocator, all at the same scale.
# data: select 05-internals.series.csv --where workload=heapmap --tag heapmap
# data: select 05-internals.series.csv --where workload=heapmap --blocks allocator
W = 1000; H = 560
load 'common/lab.gp'
scol(s) = s eq "live" ? 0x2b5f8a : s eq "free" ? 0xf0a030 : s eq "absent" ? 0xdddddd : 0xffffff
rows_max = 1
stats figdata index ds("heapmap") using (column("chunk") + 1 > rows_max ? rows_max = column("chunk") + 1 : 0) nooutput
set multiplot layout 1, words(ALLOCATORS) margins 0.05, 0.99, 0.08, 0.86 spacing 0.015
set label 201 "■ live" at screen 0.3, screen 0.95 tc rgb "#2b5f8a"
set label 202 "■ resident, no live block" at screen 0.4, screen 0.95 tc rgb "#f0a030"
set label 203 "■ mapped, not resident" at screen 0.62, screen 0.95 tc rgb "#999999"
set xrange [0:256]
set yrange [rows_max:0]
set xtics 128
set grid noytics
do for [a in ALLOCATORS] {
    set title a tc rgb hex(a)
    set xlabel "page in 1 MiB"
    if (a eq word(ALLOCATORS, 1)) { set ylabel "1 MiB chunk (address order)" } else { unset ylabel }
    plot figdata index ds(a) \
        using (column("page") + column("pages_count") / 2.0):(column("chunk") + 0.5):(column("page")):(column("page") + column("pages_count")):(column("chunk")):(column("chunk") + 1):(scol(strcol("state"))) \
        with boxxyerror fs solid 1.0 noborder lc rgb variable
    unset label
}
unset multiplot
