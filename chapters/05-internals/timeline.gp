# The address-space timeline of the churn loop (chapter 1) and chapter 3's holes workload (heapmap) under strace: every anonymous
# brk/mmap/munmap/madvise/mprotect as a vertical range at its time, on a compressed address
# axis (gaps over 64 MiB shrink to 8 MiB), one panel per allocator: the first traced process.
# data: select syscalls.strace.csv --where rep=1 --blocks workload,allocator
W = 1000; H = 820
load 'common/lab.gp'
CALLS = "brk mmap munmap madvise_dontneed madvise_free mprotect mremap"
ccol(c) = c eq "brk" ? 0x1f77b4 : c eq "mmap" ? 0x2ca02c : c eq "munmap" ? 0xd62728 : \
          c eq "madvise_dontneed" ? 0xff7f0e : c eq "madvise_free" ? 0x9467bd : c eq "mprotect" ? 0x999999 : 0x000000
set multiplot layout 2, words(ALLOCATORS) margins 0.09, 0.975, 0.1, 0.9 spacing 0.035, 0.12
cname(c) = c eq "madvise_dontneed" ? "madvise DONTNEED" : c eq "madvise_free" ? "madvise FREE" : c
# The key across the top, each call after the one before (0.6 FONT a character).
KEYLEN = 0
do for [c in CALLS] { KEYLEN = KEYLEN + strlen(cname(c)) + 4 }
x = 0.5 - KEYLEN * 0.3 * FONT / W
do for [i = 1:words(CALLS)] {
    c = word(CALLS, i)
    set label 200 + i "━ " . cname(c) at screen x, screen 0.975 tc rgb sprintf("#%06x", ccol(c)) noenhanced
    x = x + (strlen(cname(c)) + 4) * 0.6 * FONT / W
}
set xtics font SMALL
set label 299 "time since the first call, ms (each panel its own scale)" at screen 0.5, screen 0.015 center
do for [w in "churn heapmap"] { do for [a in ALLOCATORS] {
    set title a . ", " . w tc rgb hex(a)
    unset xlabel
    if (a eq word(ALLOCATORS, 1)) { set ylabel "address (compressed), MiB" } else { unset ylabel }
    SET = ds(w . " " . a); COL = "t_ms"; eval COUNT
    if (N == 0) { set label 300 "no trace: see the table\n(strace missing, or\nallocator not installed)" at graph 0.5, graph 0.5 center tc rgb "#aa0000"; set xrange [0:1]; set yrange [0:1]; plot NaN; unset label 300; set autoscale; continue }
    TMAX = 0   # three steps at most: the panel's labels fit its width
    set autoscale x   # (stats reads only what the range lets through: the last panel's)
    stats figdata index ds(w . " " . a) using (TMAX = column("t_ms") > TMAX ? column("t_ms") : TMAX) nooutput
    set xtics nicestep(TMAX, 3)
    set autoscale xfix   # the range ends at the data, not at a tic beyond it (the canvas's edge)
    plot figdata index ds(w . " " . a) \
        using "t_ms":"y_start_mib":(0):(column("y_end_mib") - column("y_start_mib")):(ccol(strcol("call"))) \
        with vectors nohead lw 3 lc rgb variable
    unset label
} }
unset multiplot
