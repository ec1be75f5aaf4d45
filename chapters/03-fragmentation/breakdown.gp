# Each allocator's own account at each phase end, stacked: the live bytes the program
# asked for, what the allocator counts as allocated beyond them, the free bytes it holds in
# each layer, its metadata; mimalloc says only how much it has committed, tbbmalloc
# nothing. The black diamond is the RSS the kernel saw the workload add. Median of runs.
W = 1200; H = 560
load 'common/lab.gp'
WORKLOADS = "holes survivors decay"
PHASES_holes = "alloc free_half refill"
PHASES_survivors = "alloc free_99 refill"
PHASES_decay = "alloc free trickle"
# One row per (allocator, phase), with a spacer row between allocators:
# label,live,beyond,tcache,central,page,meta,unbroken,rss (MiB)
table(w, phases) = sprintf("< awk -F, -v w=%s -v phases='%s' -v allocs='%s' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $h[\"workload\"] == w && $h[\"release\"] == \"none\" && $h[\"sampler\"] == \"on\" { v[$h[\"allocator\"], $h[\"phase\"], $h[\"metric\"]] = $h[\"median\"] } function g(a, p, m) { return ((a, p, m) in v && v[a, p, m] != \"\") ? v[a, p, m] / 1048576 : 0 } function has(a, p, m) { return (a, p, m) in v && v[a, p, m] != \"\" } END { print \"label,live,beyond,tcache,central,page,meta,unbroken,rss\"; na = split(allocs, A, \" \"); np = split(phases, P, \" \"); for (i = 1; i <= na; i++) { for (j = 1; j <= np; j++) { a = A[i]; p = P[j]; live = g(a, p, \"live_bytes\"); beyond = has(a, p, \"st_allocated_bytes\") ? g(a, p, \"st_allocated_bytes\") - live : 0; if (beyond < 0) beyond = 0; un = (!has(a, p, \"st_allocated_bytes\") && has(a, p, \"st_mapped_bytes\")) ? g(a, p, \"st_mapped_bytes\") - live : 0; if (un < 0) un = 0; rss = has(a, p, \"rss_kib\") ? (v[a, p, \"rss_kib\"] - v[a, p, \"baseline_rss_kib\"]) / 1024 : -1; OFS = \",\"; print p, live, beyond, g(a, p, \"st_thread_cache_bytes\"), g(a, p, \"st_central_free_bytes\"), g(a, p, \"st_page_free_bytes\"), g(a, p, \"st_metadata_bytes\"), un, rss } if (i < na) print \",0,0,0,0,0,0,0,-1\" } }' %s", w, phases, ALLOCATORS, q(summary))
set multiplot layout 1, 3 title "The allocator's own account at each phase end (stacked, MiB) and the RSS the kernel saw added (diamond); median of runs" margins 0.05, 0.99, 0.36, 0.86 spacing 0.04
set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border rgb "white"
set boxwidth 0.8
set xtics rotate by -90 font ",7" scale 0 noenhanced
set ylabel "MiB"
set yrange [0:*]
set key at screen 0.5, 0.14 center vertical font ",9" maxrows 4 width 2
set xrange [-0.7:*]
do for [w in WORKLOADS] {
    set title w
    unset label
    do for [i = 1:words(ALLOCATORS)] {
        set label i word(ALLOCATORS, i) at first (i - 1) * 4 + 1, graph -0.17 center front font ",9" tc rgb hex(word(ALLOCATORS, i))
    }
    if (w eq "holes") { set key } else { unset key }
    if (w ne "holes") { unset ylabel }
    ph = value("PHASES_" . w)
    plot table(w, ph) using "live":xtic(stringcolumn("label")) lc rgb "#4d4d4d" title "live (requested)", \
         '' using "beyond" lc rgb "#a6a6a6" title "allocated beyond live", \
         '' using "tcache" lc rgb "#e6550d" title "free: thread cache", \
         '' using "central" lc rgb "#fdae6b" title "free: size classes (central, bins, slabs)", \
         '' using "page" lc rgb "#6baed6" title "free: page level (page heap, dirty, top)", \
         '' using "meta" lc rgb "#756bb1" title "metadata", \
         '' using "unbroken" lc rgb "#c7b9e4" title "committed, not broken down (mimalloc)", \
         '' using ($0):(column("rss") >= 0 ? column("rss") : NaN) with points pt 13 ps 0.9 lc rgb "black" title "RSS added (kernel)"
}
unset multiplot
