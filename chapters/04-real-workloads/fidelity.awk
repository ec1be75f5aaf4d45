# fidelity.awk -- real.summary.csv and replay.summary.csv (in that order) -> a markdown table.
# Per program: which allocator is fastest and which smallest, in the real run and in the
# replay; how many allocator pairs the replay orders as the real run does (time: the real
# wall time against the replay's mean call and against its wall time; memory: peak RSS);
# and the replay's error in predicting each allocator's change of peak RSS against glibc,
# worst case, in MiB and in % of the real peak (without glibc: "not run"). The floor is not an allocator a program
# can run on: it is left out.
FNR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; file++; next }
$h["status"] != "ok" && $h["status"] != "" || $h["allocator"] == "floor" { next }
{
    a = $h["allocator"]; w = $h["workload"]; m = $h["metric"]; v = $h["median"]
    if (!(a in seen_a)) { seen_a[a] = 1; al[++na] = a }
    if (file == 1 && m == "elapsed_s") { rt[w, a] = v; if (!(w in seen_w)) { seen_w[w] = 1; wl[++nw] = w } }
    if (file == 1 && m == "peak_rss_kib") rr[w, a] = v
    if (file == 2 && m == "ns_per_op") pt[w, a] = v
    if (file == 2 && m == "elapsed_s") pe[w, a] = v
    if (file == 2 && m == "peak_rss_kib") pr[w, a] = v
}
function best(arr, w,    i, b, a) { b = ""; for (i = 1; i <= na; i++) { a = al[i]; if ((w, a) in arr && (b == "" || arr[w, a] < arr[w, b])) b = a }; return b }
function agree(x, y, w,    i, j, a, b, n, k) {
    n = k = 0
    for (i = 1; i <= na; i++) for (j = i + 1; j <= na; j++) {
        a = al[i]; b = al[j]
        if (!((w, a) in x && (w, b) in x && (w, a) in y && (w, b) in y)) continue
        n++; if ((x[w, a] < x[w, b]) == (y[w, a] < y[w, b])) k++
    }
    return k " of " n
}
END {
    print "| program | fastest: real / replay call / replay wall | time order agrees, pairs: call / wall | smallest: real / replay | RSS order agrees (pairs) | worst error of predicted RSS change vs glibc |"
    print "|:--|:--|--:|:--|--:|:--|"
    for (i = 1; i <= nw; i++) {
        w = wl[i]; err = "glibc, the baseline, not run"
        if ((w, "glibc") in pr && (w, "glibc") in rr) {
            worst = -1; wa = ""
            for (j = 1; j <= na; j++) {
                a = al[j]; if (!((w, a) in pr && (w, a) in rr)) continue
                e = (pr[w, a] - pr[w, "glibc"]) - (rr[w, a] - rr[w, "glibc"]); if (e < 0) e = -e
                if (e > worst) { worst = e; wa = a }
            }
            err = sprintf("%.1f MiB (%s; %.0f%% of its real peak)", worst / 1024, wa, 100 * worst / rr[w, wa])
        }
        printf "| %s | %s / %s / %s | %s / %s | %s / %s | %s | %s |\n", w, best(rt, w), best(pt, w), best(pe, w), agree(rt, pt, w), agree(rt, pe, w),
            best(rr, w), best(pr, w), agree(rr, pr, w), err
    }
}
