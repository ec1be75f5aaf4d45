# chapters/04-real-workloads/overhead.awk -- overhead.csv, the book's table of what recording
# costs, from the overhead pass's rows (see chapter.mk), columns read by name:
#   awk -f overhead.awk -v dir=DATA/04-real-workloads
# reads overhead-loop.csv and overhead-cc1.csv (tools none, heaptrace, heaptrack),
# overhead-ltrace.csv and overhead-dry.csv (replay --dry of each trace). Per tool and
# target: the fastest run (noise on a shared machine only ever adds time), its time per
# call, what the tool adds per call over no tool, and the slowdown; a tool with no ok run
# says why (timeout, unavailable: ...). The loop times itself (elapsed_s) and counts its
# calls; cc1 is timed from outside (wall_s), its calls are those heaptrace.so recorded. The
# replayer's rows: its own time per event, all of it added (no tool runs without it).
function load(name, need,   file, line, f, m, i, c, n, k) {
    file = dir "/" name; split("", h); split("", row)
    if ((getline line < file) <= 0) { print "overhead.awk: cannot read " file > "/dev/stderr"; bad = 1; exit 2 }
    m = split(line, f, ","); for (i = 1; i <= m; i++) h[f[i]] = i
    n = split(need, c, " ")
    for (i = 1; i <= n; i++) if (!(c[i] in h)) { print "overhead.awk: " file " has no column " c[i] > "/dev/stderr"; bad = 1; exit 2 }
    nrows = 0
    while ((getline line < file) > 0) { nrows++; split(line, f, ","); for (k in h) row[nrows, k] = f[h[k]] }
    close(file)
}
# The fastest ok run of each tool of the rows loaded: best[T], its calls in calls[T]; why[T]
# for a tool without one. TIME and CALLS name the columns.
function fastest(time, ncalls,   i, t) {
    split("", best); split("", calls); split("", why)
    for (i = 1; i <= nrows; i++) {
        t = row[i, "tool"]
        if (row[i, "status"] != "ok") { if (!(t in why)) why[t] = row[i, "status"]; continue }
        if (!(t in best) || row[i, time] + 0 < best[t]) best[t] = row[i, time] + 0
        if (row[i, ncalls] != "") calls[t] = row[i, ncalls]
    }
}
function out(tool, target, c, s, base, basec,   per, bper) {
    per = s * 1e9 / c; bper = base * 1e9 / basec
    printf "%s,%s,ok,%d,%.6f,%.3f,%.3f,%.3f\n", tool, target, c, s, per, per - bper, per / bper
}
function targets(target, time, ncalls, callsfrom,   i, t, c) {
    fastest(time, ncalls)
    c = calls[callsfrom]
    for (i = 1; i <= 3; i++) {
        t = tools[i]
        if ((t in best) && ("none" in best) && c > 0) out(t, target, c, best[t], best["none"], c)
        else printf "%s,%s,%s,,,,,\n", t, target, (t in why) ? why[t] : "no_data"
    }
    base[target] = best["none"]; basec[target] = c
}
BEGIN {
    FS = ","; split("none heaptrace heaptrack", tools, " ")
    print "tool,target,status,calls,elapsed_s,ns_per_call,added_ns_per_call,slowdown"
    load("overhead-loop.csv", "tool status calls elapsed_s"); targets("loop", "elapsed_s", "calls", "none")
    load("overhead-cc1.csv", "tool status wall_s recorded_calls"); targets("cc1", "wall_s", "recorded_calls", "heaptrace")
    load("overhead-ltrace.csv", "tool status calls elapsed_s"); fastest("elapsed_s", "calls")
    if ("ltrace" in best && base["loop"] != "") out("ltrace", "loop", calls["ltrace"], best["ltrace"], base["loop"], basec["loop"])
    else printf "ltrace,loop,%s,,,,,\n", ("ltrace" in why) ? why["ltrace"] : "no_data"
    load("overhead-dry.csv", "workload status ops elapsed_s")
    for (i = 1; i <= nrows; i++) {
        w = row[i, "workload"]; if (!(w in seen)) { seen[w] = 1; order[++nw] = w }
        if (row[i, "status"] == "ok" && (!(w in dbest) || row[i, "elapsed_s"] + 0 < dbest[w])) { dbest[w] = row[i, "elapsed_s"] + 0; dops[w] = row[i, "ops"] }
    }
    for (i = 1; i <= nw; i++) { w = order[i]; if (w in dbest)
        printf "replay-dry,%s,ok,%d,%.6f,%.3f,%.3f,\n", w, dops[w], dbest[w], dbest[w] * 1e9 / dops[w], dbest[w] * 1e9 / dops[w] }
}
