# The heap map at the holes phase: every 1 MiB chunk that holds a live block is a row of
# 256 pages; a page is live (holds a live byte), free (resident, no live block), absent
# (mapped, not resident) or unmapped. One panel per allocator, all at the same scale: the
# chunk axis is labelled on the first panel only, the page axis once below them all.
# data: select 05-internals.series.csv --where workload=heapmap --tag heapmap
# data: select 05-internals.series.csv --where workload=heapmap --blocks allocator
W = 1000; H = 560
load 'common/lab.gp'
scol(s) = s eq "live" ? 0x2b5f8a : s eq "free" ? 0xf0a030 : s eq "absent" ? 0xdddddd : 0xffffff
rows_max = 1
stats figdata index ds("heapmap") using (column("chunk") + 1 > rows_max ? rows_max = column("chunk") + 1 : 0) nooutput
# The key across the top, each entry after the one before (0.6 FONT a character).
KEYS = "'live' 'resident, no live block' 'mapped, not resident'"
KCOL = "#2b5f8a #f0a030 #999999"
KEYLEN = 0
do for [i = 1:3] { KEYLEN = KEYLEN + strlen(word(KEYS, i)) + 5 }
x = 0.53 - KEYLEN * 0.3 * FONT / W
do for [i = 1:3] {
    set label 200 + i "■ " . word(KEYS, i) at screen x, screen 0.96 tc rgb word(KCOL, i)
    x = x + (strlen(word(KEYS, i)) + 5) * 0.6 * FONT / W
}
set label 210 "page in each 1 MiB chunk (4 KiB pages)" at screen 0.53, screen 0.03 center
set multiplot layout 1, words(ALLOCATORS) margins 0.09, 0.97, 0.13, 0.84 spacing 0.035
set xrange [0:256]
set yrange [rows_max:0]
set xtics ("0" 0, "128" 128, "256" 256)
set grid noytics
do for [a in ALLOCATORS] {
    set title a tc rgb hex(a)
    if (a eq word(ALLOCATORS, 1)) { set ylabel "1 MiB chunk (address order)"; set format y "%g" } else { unset ylabel; set format y "" }
    plot figdata index ds(a) \
        using (column("page") + column("pages_count") / 2.0):(column("chunk") + 0.5):(column("page")):(column("page") + column("pages_count")):(column("chunk")):(column("chunk") + 1):(scol(strcol("state"))) \
        with boxxyerror fs solid 1.0 noborder lc rgb variable
    unset label
}
unset multiplot
