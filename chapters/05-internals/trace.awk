# chapters/05-internals/trace.awk -- the book's two files from the strace pass's rows
# (common/run --wrap none --wrap strace; see chapter.mk), columns read by name:
#   awk -f trace.awk -v want=count -v file=syscalls.csv         -> trace.count.csv
#   awk -f trace.awk -v want=events -v file=syscalls.strace.csv -> trace.csv
# count: per allocator and workload, the calls of the first traced process, and the fastest
# untraced and traced wall times (noise on a shared machine only ever adds time) and their
# ratio; a status other than ok when either kind of process has no ok row. events: the calls
# of the first traced process (a missing file: no calls). -v rename=FROM:TO names a
# workload as the book does (heapmap:holes: the heapmap workload is chapter 3's holes).
BEGIN {
    FS = OFS = ","
    split(rename, rn, ":")
    n = split("brk mmap munmap mremap madvise_dontneed madvise_free madvise_other mprotect", calls, " ")
    if (want == "count") count(); else if (want == "events") events()
    else { print "trace.awk: want is '" want "': expected count or events" > "/dev/stderr"; exit 2 }
}
function name(w) { return w == rn[1] ? rn[2] : w }
function columns(line, need,   i, m, f, c) {
    m = split(line, f, ","); for (i = 1; i <= m; i++) h[f[i]] = i
    m = split(need, c, " ")
    for (i = 1; i <= m; i++) if (!(c[i] in h)) { print "trace.awk: " file " has no column " c[i] > "/dev/stderr"; exit 2 }
}
function count(   line, f, k, t, i, a, w, keys, nk, st, best, cnt, s) {
    if ((getline line < file) <= 0) { print "trace.awk: cannot read " file > "/dev/stderr"; exit 2 }
    columns(line, "allocator workload status tool wall_s")
    while ((getline line < file) > 0) {
        split(line, f, ",")
        k = f[h["allocator"]] SUBSEP f[h["workload"]]; t = f[h["tool"]]
        if (!(k in keys)) { keys[k] = 1; order[++nk] = k }
        if (f[h["status"]] != "ok") { if (!(k in st)) st[k] = f[h["status"]]; continue }
        if (!((k, t) in best) || f[h["wall_s"]] + 0 < best[k, t]) best[k, t] = f[h["wall_s"]] + 0
        if (t == "strace" && !(k in cnt)) { s = ""; for (i = 1; i <= n; i++) s = s "," f[h[calls[i] "_count"]]; cnt[k] = s }
    }
    s = "allocator,workload,status"; for (i = 1; i <= n; i++) s = s "," calls[i] "_count"
    print s ",untraced_ms,traced_ms,slowdown_ratio"
    for (i = 1; i <= nk; i++) {
        k = order[i]; split(k, f, SUBSEP); a = f[1]; w = name(f[2])
        if (((k, "none") in best) && ((k, "strace") in best))
            printf "%s,%s,ok%s,%.1f,%.1f,%.3f\n", a, w, cnt[k], best[k, "none"] * 1000, best[k, "strace"] * 1000, best[k, "strace"] / best[k, "none"]
        else if ((k, "none") in best)
            printf "%s,%s,%s%s,%.1f,,\n", a, w, st[k], substr(",,,,,,,,", 1, n), best[k, "none"] * 1000
        else printf "%s,%s,%s%s,,,\n", a, w, st[k], substr(",,,,,,,,", 1, n)
    }
}
function events(   line, f, k, first) {
    print "allocator,workload,t_ms,call,y_start_mib,y_end_mib,length_kib"
    if ((getline line < file) <= 0) return
    columns(line, "allocator workload rep t_ms call y_start_mib y_end_mib length_kib")
    while ((getline line < file) > 0) {
        split(line, f, ",")
        k = f[h["allocator"]] SUBSEP f[h["workload"]]
        if (!(k in first)) first[k] = f[h["rep"]]
        if (f[h["rep"]] != first[k]) continue
        print f[h["allocator"]], name(f[h["workload"]]), f[h["t_ms"]], f[h["call"]], f[h["y_start_mib"]], f[h["y_end_mib"]], f[h["length_kib"]]
    }
}
