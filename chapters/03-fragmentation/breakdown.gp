# Each allocator's own account at each phase end, stacked: the live bytes the program
# asked for, what the allocator counts as allocated beyond them, the free bytes it holds in
# each layer, its metadata; mimalloc says only how much it has committed, tbbmalloc
# nothing. The black diamond is the RSS the kernel saw the workload add. Median of runs.
# data: select 03-fragmentation.summary.csv --where release=none,sampler=1,n>0,workload=holes|survivors|decay,phase=alloc|free_half|refill|free_99|free|trickle --blocks workload --key allocator,phase --wide metric=live_bytes|st_allocated_bytes|st_mapped_bytes|st_thread_cache_bytes|st_central_free_bytes|st_page_free_bytes|st_metadata_bytes|rss_kib|baseline_rss_kib --values median --gap allocator
W = 1200; H = 1100
load 'common/lab.gp'
WORKLOADS = "holes survivors decay"
# One row per (allocator, phase), an empty row between allocators, a column per metric's
# median ("live_bytes_median"); a metric the allocator does not report is empty: drawn as
# 0. The allocators in the table's order, for their labels: ORDER.
mib(c) = (v = column(c), v == v ? v / 1048576 : 0)
given(c) = column(c) == column(c)
pos(v) = v > 0 ? v : 0
beyond(x) = given("st_allocated_bytes_median") ? pos(mib("st_allocated_bytes_median") - mib("live_bytes_median")) : 0
unbroken(x) = !given("st_allocated_bytes_median") && given("st_mapped_bytes_median") ? pos(mib("st_mapped_bytes_median") - mib("live_bytes_median")) : 0
rss(x) = given("rss_kib_median") ? (column("rss_kib_median") - column("baseline_rss_kib_median")) / 1024 : NaN
# One workload a row: its 15 bars need the page's width for their phase names. Each
# allocator's name heads its group of bars, inside the panel (offsets: room above them).
set multiplot layout 3, 1 title "The allocator's own account at each phase end (stacked, MiB) and the RSS the kernel\nsaw added (diamond); median of runs" margins 0.09, 0.99, 0.2, 0.87 spacing 0.15
set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border rgb "white"
set boxwidth 0.8
set xtics rotate by 90 right font SMALL scale 0 noenhanced
set ylabel "MiB"
set ytics 50
set yrange [0:*]
set key at screen 0.5, 0.09 center vertical font SMALL maxrows 4 width 2
set offsets 0, 0, graph 0.2, 0
set xrange [-0.7:*]
do for [w in WORKLOADS] {
    set title w
    unset label
    ORDER = ""
    stats figdata index ds(w) using (a = strcol("allocator"), strlen(a) && !has(ORDER, a) ? ORDER = add(ORDER, a) : 0, 0) nooutput
    do for [i = 1:words(ORDER)] {
        set label i word(ORDER, i) at first (i - 1) * 4 + 1, graph 0.93 center front tc rgb hex(word(ORDER, i))
    }
    if (w eq "holes") { set key } else { unset key }
    row = 0  # the diamonds are drawn at the bars' x: the row number, from 0
    plot figdata index ds(w) using (mib("live_bytes_median")):xtic(strcol("phase")) lc rgb "#4d4d4d" title "live (requested)", \
         '' index ds(w) using (beyond(0)) lc rgb "#a6a6a6" title "allocated beyond live", \
         '' index ds(w) using (mib("st_thread_cache_bytes_median")) lc rgb "#e6550d" title "free: thread cache", \
         '' index ds(w) using (mib("st_central_free_bytes_median")) lc rgb "#fdae6b" title "free: size classes (central, bins, slabs)", \
         '' index ds(w) using (mib("st_page_free_bytes_median")) lc rgb "#6baed6" title "free: page level (page heap, dirty, top)", \
         '' index ds(w) using (mib("st_metadata_bytes_median")) lc rgb "#756bb1" title "metadata", \
         '' index ds(w) using (unbroken(0)) lc rgb "#c7b9e4" title "committed, not broken down (mimalloc)", \
         '' index ds(w) using (row = row + 1, row - 1):(rss(0)) with points pt 13 ps 0.9 lc rgb "black" title "RSS added (kernel)"
}
unset multiplot
