# common/compare.gp -- the figures of common/compare's report, one per call:
#     gnuplot -e "data='DIR'; fig='ratios|sizes|lifetimes|live'; out='FILE.svg'" common/compare.gp
# DIR is the report's data directory, named after the program: NAME.summary.csv (the real
# runs' summary, which common/lab.gp reads for the allocators that ran) and profile.csv
# (`trace info`: kind,key,value rows).
W = 900; H = 380
load 'common/lab.gp'
profile = data . "/profile.csv"
# the rows of one kind of the profile, else undefined
of(k) = strcol("kind") eq k ? column("value") : NaN
bin(key) = key < 1 ? 0 : log(key + 1) / log(2)   # bound 2^b - 1 -> b

if (fig eq "ratios") {
    METRICS = "elapsed_s user_s sys_s tree_peak_rss_kib peak_rss_kib minor_faults"
    set xtics ("wall" 1, "user" 2, "sys" 3, "peak RSS (tree)" 4, "peak RSS (largest)" 5, "minor faults" 6) scale 0
    set xrange [0.5:6.5]
    set ylabel "ratio to glibc's median"
    set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb "#999999"
    set title "Each allocator against glibc, with 95% intervals (below 1: faster or smaller)"
    OTHERS = ""
    do for [a in ALLOCATORS] { if (a ne "glibc") { OTHERS = add(OTHERS, a) } }
    eval legend(OTHERS, 0.86)
    set tmargin 5
    x(m, a) = idx(METRICS, m) + (idx(OTHERS, a) - (words(OTHERS) + 1) / 2.0) * 0.13
    plot for [a in OTHERS] data . "/" . _base(data) . ".summary.csv" \
        using (strcol("allocator") eq a && has(METRICS, strcol("metric")) ? x(strcol("metric"), a) : NaN):"ratio":"ratio_lo":"ratio_hi" \
        with yerrorbars pt 7 ps 0.8 lc rgb hex(a)
}
if (fig eq "sizes" || fig eq "lifetimes") {
    KIND = fig eq "sizes" ? "size_le_bytes" : "lifetime_le_events"
    set title fig eq "sizes" ? "Sizes asked for: calls per bin, up to 2^b - 1 bytes" : \
        "Block lifetimes: blocks per bin, up to 2^b - 1 allocation calls between allocation and free"
    set xlabel fig eq "sizes" ? "b: size up to 2^b - 1 bytes" : "b: lifetime up to 2^b - 1 allocation calls"
    set ylabel fig eq "sizes" ? "calls" : "blocks"
    set style fill solid 0.7 noborder
    set boxwidth 0.8
    set xtics 4
    set xrange [-1:*]
    set yrange [0:*]
    plot profile using (strcol("kind") eq KIND ? bin(column("key")) : NaN):(of(KIND)) with boxes lc rgb "#555577"
}
if (fig eq "live") {
    set title "Live bytes over the run (the traced process)"
    set xlabel "time, ms (as recorded, with the recorder's overhead)"
    set ylabel "live, MiB"
    set yrange [0:*]
    plot profile using (strcol("kind") eq "live" ? column("key") : NaN):(of("live") / 1048576) with lines lw 2 lc rgb "#555577"
}
