# chapters/02-threads/perf.awk -- the contention pass's table, from its rows (common/run
# --wrap perf-stat --wrap perf-trace --wrap perf-lock: one row per allocator and tool),
# columns read by name:
#   awk -f perf.awk -v file=perf.csv
# One line per allocator: numbers where perf worked, the status where it did not; then the
# workload, from the rows (the book is made where perf.csv may not have been measured).
BEGIN {
    FS = ","
    if ((getline line < file) <= 0) { print "perf.awk: cannot read " file > "/dev/stderr"; exit 2 }
    m = split(line, f, ","); for (i = 1; i <= m; i++) h[f[i]] = i
    m = split("allocator workload threads pin status tool ops futex_calls stat_futex_calls trace_futex_calls trace_futex_errors trace_futex_ms lock_contended lock_wait_ms lock_top", need, " ")
    for (i = 1; i <= m; i++) if (!(need[i] in h)) { print "perf.awk: " file " has no column " need[i] > "/dev/stderr"; exit 2 }
    while ((getline line < file) > 0) {
        split(line, f, ","); a = f[h["allocator"]]; t = f[h["tool"]]
        if (!(a in seen)) { seen[a] = 1; order[++n] = a }
        if (args == "") args = "--workload " f[h["workload"]] " --threads " f[h["threads"]] (f[h["pin"]] == 1 ? " --pin" : " --no-pin")
        for (i = 1; i <= m; i++) v[a, t, need[i]] = f[h[need[i]]]
        if (f[h["status"]] != "ok" && !(a in st)) st[a] = f[h["status"]]
        if (f[h["status"]] ~ /^unavailable: /) why[t] = substr(f[h["status"]], 14)
    }
    print "| allocator | futex calls, whole process (perf stat) | futex calls, timed phase (in-process counter) | per million ops (timed) | futex calls (perf trace -s) | of which failed (EAGAIN) | ms in futex, all threads | contended kernel locks (perf lock) | their wait, ms | top kernel lock |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
    for (i = 1; i <= n; i++) {
        a = order[i]
        if (v[a, "perf-stat", "status"] != "ok" || v[a, "perf-trace", "status"] != "ok") { printf "| %s | %s | | | | | | | | |\n", a, st[a]; continue }
        timed = v[a, "perf-stat", "futex_calls"]; ops = v[a, "perf-stat", "ops"]
        per = (ops > 0 && timed != "") ? sprintf("%.0f", timed * 1e6 / ops) : "—"
        lk = v[a, "perf-lock", "status"] == "ok"; top = v[a, "perf-lock", "lock_top"]
        printf "| %s | %s | %s | %s | %s | %s | %.1f | %s | %s | %s |\n", a, v[a, "perf-stat", "stat_futex_calls"], timed, per,
            v[a, "perf-trace", "trace_futex_calls"], v[a, "perf-trace", "trace_futex_errors"], v[a, "perf-trace", "trace_futex_ms"],
            lk ? v[a, "perf-lock", "lock_contended"] : "—", lk ? sprintf("%.2f", v[a, "perf-lock", "lock_wait_ms"]) : "—",
            (!lk || top == "") ? "—" : "`" top "`"
    }
    print ""
    print "Workload: `" args "`."
    if ("perf-stat" in why) print "perf was not usable on this machine: " why["perf-stat"] ". The contention columns of this chapter's data say 'unavailable'."
    else if ("perf-lock" in why) print "perf lock was not usable: " why["perf-lock"] "."
}
