# The address-space timeline of the churn loop (chapter 1) and chapter 3's holes workload (heapmap) under strace: every anonymous
# brk/mmap/munmap/madvise/mprotect as a vertical range at its time, on a compressed address
# axis (gaps over 64 MiB shrink to 8 MiB), one panel per allocator: the first traced process.
# data: select syscalls.strace.csv --where rep=1 --blocks workload,allocator
W = 1000; H = 820
load 'common/lab.gp'
CALLS = "brk mmap munmap madvise_dontneed madvise_free mprotect mremap"
ccol(c) = c eq "brk" ? 0x1f77b4 : c eq "mmap" ? 0x2ca02c : c eq "munmap" ? 0xd62728 : \
          c eq "madvise_dontneed" ? 0xff7f0e : c eq "madvise_free" ? 0x9467bd : c eq "mprotect" ? 0x999999 : 0x000000
set multiplot layout 2, words(ALLOCATORS) margins 0.07, 0.99, 0.07, 0.9 spacing 0.02, 0.12
LX = "0.06 0.16 0.27 0.39 0.57 0.73 0.86"
cname(c) = c eq "madvise_dontneed" ? "madvise DONTNEED" : c eq "madvise_free" ? "madvise FREE" : c
do for [i = 1:words(CALLS)] { c = word(CALLS, i); set label 200 + i "━ " . cname(c) at screen real(word(LX, i)), screen 0.975 tc rgb sprintf("#%06x", ccol(c)) noenhanced }
set xtics rotate by 90 right font ",10"
set label 299 "time since the first call, ms (each panel its own scale)" at screen 0.5, screen 0.012 center
do for [w in "churn heapmap"] { do for [a in ALLOCATORS] {
    set title a . ", " . w tc rgb hex(a)
    unset xlabel
    if (a eq word(ALLOCATORS, 1)) { set ylabel "address (compressed), MiB" } else { unset ylabel }
    SET = ds(w . " " . a); COL = "t_ms"; eval COUNT
    if (N == 0) { set label 300 "no trace: see the table\n(strace missing, or\nallocator not installed)" at graph 0.5, graph 0.5 center tc rgb "#aa0000"; set xrange [0:1]; set yrange [0:1]; plot NaN; unset label 300; set autoscale; continue }
    plot figdata index ds(w . " " . a) \
        using "t_ms":"y_start_mib":(0):(column("y_end_mib") - column("y_start_mib")):(ccol(strcol("call"))) \
        with vectors nohead lw 3 lc rgb variable
    unset label
} }
unset multiplot
