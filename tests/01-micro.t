#!/bin/bash
# Chapter 1 end to end at QUICK size into a temporary directory, for every installed
# allocator: CSV shape and units, statuses, the book; and every bad input.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
prog=$BUILD/01-micro/01-micro
out=$TMP/quick

reference_snapshot >"$TMP/reference"
make -s QUICK=1 OUT="$out" REPS=2 01 >"$TMP/log" 2>&1
ok $? "make 01 QUICK=1 runs the chapter and renders the book" || tail -20 "$TMP/log" | sed 's/^/# /'
csv=$out/data/01-micro/01-micro.csv
is "$(head -1 "$csv")" "$("$prog" --header)" "the CSV has the program's header"
cols=$(head -1 "$csv" | tr , '\n' | wc -l)
is "$(awk -F, -v n="$cols" 'NF != n' "$csv" | wc -l)" 0 "every row has $cols fields"
for c in allocator workload threads rep status ops_per_s malloc_lat_p50_ns malloc_lat_p999_ns free_lat_max_ns \
         peak_rss_kib live_peak_bytes frag_ratio minor_faults timer_overhead_ns; do
    head -1 "$csv" | tr , '\n' | grep -qx "$c"; ok $? "column $c is there"
done
head -1 "$csv" | tr , '\n' | grep -vE '^(allocator|workload|threads|rep|status|ops|rounds|frag_ratio)$' |
    grep -vE '_(ns|s|kib|bytes|per_s|op|faults)$' >"$TMP/nounit"
ok $([ ! -s "$TMP/nounit" ]; echo $?) "every measured column names its unit ($(paste -sd' ' "$TMP/nounit"))"

installed=$(for a in glibc jemalloc tcmalloc mimalloc tbbmalloc floor; do common/allocators lib $a >/dev/null 2>&1 && echo $a; done)
for a in $installed; do
    n=$(awk -F, -v a=$a '$1 == a && $5 == "ok"' "$csv" | wc -l)
    is "$n" 10 "$a: 5 workloads x 2 repetitions, all ok"
done
# Fields by name: f["column"] of each row.
byname='NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next } { for (i = 1; i <= NF; i++) f[h[i]] = $i }'
# (The floor maps and touches its whole region at start: it adds no RSS, ratio 0.)
is "$(awk -F, "$byname"' f["status"] == "ok" && !(f["ops_per_s"] > 0 && f["peak_rss_kib"] > 0 && f["live_peak_bytes"] > 0 && (f["frag_ratio"] > 0 || f["allocator"] == "floor")) { n++ } END { print n + 0 }' "$csv")" 0 \
    "ok rows have positive ops/s, peak RSS, live bytes and (but for the floor) ratio"
awk -F, "$byname"' f["status"] == "ok" && f["allocator"] != "floor" && f["workload"] == "large" { print f["frag_ratio"] }' "$csv" >"$TMP/frag"
ok $(awk '$1 < 0.5 || $1 > 20 { bad = 1 } END { exit bad }' "$TMP/frag"; echo $?) "large-block fragmentation ratios are plausible (0.5..20)"
ok $([ -s "$out/data/01-micro/env.txt" ] && grep -q '^allocators:' "$out/data/01-micro/env.txt"; echo $?) "env.txt records the allocators"
# The headline is the whole timed phase; the rounds' spread is ordered and brackets it.
is "$(awk -F, "$byname"' f["status"] == "ok" { d = f["elapsed_s"] * 1e9 / f["ops"] - f["ns_per_op"]; if (d * d > 1e-6 * f["ns_per_op"] ^ 2) n++ } END { print n + 0 }' "$csv")" 0 \
    "ns_per_op is the whole timed phase's: elapsed_s over ops"
is "$(awk -F, "$byname"' f["status"] == "ok" && !(f["rounds"] >= 1 && f["best_ns_per_op"] <= f["round_p50_ns_per_op"] && f["round_p50_ns_per_op"] <= f["round_p90_ns_per_op"] && f["round_p90_ns_per_op"] <= f["round_max_ns_per_op"] && f["best_ns_per_op"] <= f["ns_per_op"] * 1.000001 && f["ns_per_op"] <= f["round_max_ns_per_op"] * 1.000001) { n++ } END { print n + 0 }' "$csv")" 0 \
    "the rounds: fastest <= median <= p90 <= slowest, and the whole phase between fastest and slowest"

# Instructions and cache misses (the counts pass, under callgrind): every allocator's rows
# are ok (its preload check passes under valgrind), counted, and differ between allocators.
counts=$out/data/01-micro/counts.csv
if command -v valgrind >/dev/null; then
    is "$(awk -F, "$byname"' f["tool"] != "callgrind" || f["status"] != "ok" || !(f["ir_per_op"] > 0 && f["d1_misses_per_op"] > 0 && f["ll_misses_per_op"] >= 0) { n++ } END { print n + 0 }' "$counts")" 0 \
        "counts.csv: every row under callgrind, ok, with counts per operation"
    is "$(awk -F, "$byname"' f["workload"] == "small" { print f["allocator"] }' "$counts" | sort | paste -sd' ')" \
        "$(echo $installed | tr ' ' '\n' | sort | paste -sd' ')" "counts.csv: a row for every installed allocator and the floor"
    is "$(awk -F, "$byname"' f["workload"] == "small" { print f["ir_per_op"] }' "$counts" | sort -u | wc -l)" "$(echo $installed | wc -w)" \
        "the instruction counts differ between allocators: the preloaded allocator is what is counted"
    grep -q '^callgrind caches: I1 32768 B' "$out/data/01-micro/counts.env.txt"; ok $? "counts.env.txt records the caches simulated"
    # Deterministic: two processes of the same case agree within 0.5% on instructions and
    # L1 misses. (LL misses, a few thousand in a QUICK run, are mostly cold misses and vary
    # by a few percent with jemalloc, whose decay follows the clock: within 5%.)
    common/run --prog "$prog" --out "$TMP/cg/cg.csv" --reps 2 --quick --allocators "glibc jemalloc" --wrap callgrind \
        --case '--workload mixed --min-ms 0 --lat-rounds 0 --rounds 4' >/dev/null 2>&1
    is "$(awk -F, "$byname"' { for (c in tol) { k = f["allocator"] " " c; if (k in v) { d = f[c] / v[k] - 1; if (d * d > tol[c] ^ 2) bad = bad " " k } else v[k] = f[c] } }
        BEGIN { tol["ir"] = tol["d1_misses"] = 0.005; tol["ll_misses"] = 0.05 } END { print bad "" }' "$TMP/cg/cg.csv")" "" \
        "callgrind's counts of two processes agree: ir and d1_misses within 0.5%, ll_misses within 5%"
    is "$(awk -F, "$byname"' { print f["status"] }' "$TMP/cg/cg.csv" | sort -u)" ok "  ... and both allocators ran under valgrind"
fi

for f in throughput latency memory rounds; do
    rsvg-convert "$out/figures/01-micro/$f.svg" -o "$TMP/$f.png" 2>/dev/null; ok $? "figure $f.svg renders"
done
ok $(grep -q 'Figure 1.1' "$out/book.html"; echo $?) "the book numbers chapter 1's figures"
ls "$out"/data/01-micro/*.tmp.* >/dev/null 2>&1; ok $([ $? -ne 0 ]; echo $?) "no temporary files left"
reference_snapshot | cmp -s - "$TMP/reference"; ok $? "QUICK never touches data/ or figures/"

# A missing allocator is a visible row, not a silence.
common/run --prog "$prog" --out "$TMP/m/m.csv" --reps 1 --quick --allocators "glibc ghost=/nonexistent/libghost.so" 2>/dev/null
is "$(awk -F, '$1 == "ghost" { print $5 }' "$TMP/m/m.csv" | sort -u)" missing "a missing library gives 'missing' rows"
grep -q 'ghost: SKIPPED' "$TMP/m/env.txt"; ok $? "and a note in env.txt"

# malloc returning NULL is the run's status, not a crash: the floor with a 1 MiB region.
LAB_FLOOR_MIB=1 LD_PRELOAD=$BUILD/floor.so LAB_ALLOCATOR=floor LAB_ALLOCATOR_LIB=$BUILD/floor.so \
    "$prog" --workload large --quick >"$TMP/null.csv" 2>/dev/null
ok $? "malloc NULL exits 0"
is "$(tail -1 "$TMP/null.csv" | cut -d, -f1,5)" "floor,malloc_null" "and reports status malloc_null"

# Bad input: one line naming the value and what is allowed, non-zero exit, no data file.
fails_with 2 "unknown workload 'huge'.*small, medium, large, mixed, churn" "unknown workload" -- "$prog" --workload huge
fails_with 2 "workload is required" "no workload" -- "$prog"
fails_with 2 "--live '0' is not allowed.*from 1 to" "zero count" -- "$prog" --workload small --live 0
fails_with 2 "--live '-5' is not allowed" "negative count" -- "$prog" --workload small --live -5
fails_with 2 "--rounds 'many' is not allowed" "non-numeric count" -- "$prog" --workload small --rounds many
fails_with 2 "^01-micro: error: --label 'Large 4m' is not allowed: expected letters a-z, digits, '-' or '_'$" "a label that is not a name" -- "$prog" --workload large --label "Large 4m"
fails_with 2 "--label '' is not allowed" "an empty label" -- "$prog" --workload large --label ""
is "$("$prog" --workload large --sizes uniform:4m:4m --label large-4m --quick | awk -F, 'NR == 2 { print $2 }')" large-4m "--label names the rows' workload"
fails_with 2 "--live '99999999999' is not allowed" "absurd count" -- "$prog" --workload small --live 99999999999
fails_with 2 "--sizes 'uniform:0:8' is not allowed" "zero size" -- "$prog" --workload small --sizes uniform:0:8
fails_with 2 "--sizes 'uniform:1:4g' is not allowed.*larger than 1g" "absurd size" -- "$prog" --workload small --sizes uniform:1:4g
fails_with 2 "--sizes 'lognormal:x:1:1:2' is not allowed" "non-numeric size" -- "$prog" --workload mixed --sizes lognormal:x:1:1:2
fails_with 2 "unknown allocator 'hoard'.*glibc, jemalloc, tcmalloc, mimalloc, tbbmalloc" "unknown allocator" -- \
    common/run --prog "$prog" --out "$TMP/x/x.csv" --allocators "glibc hoard"
fails_with 2 "--reps '0' is not allowed" "zero repetitions" -- common/run --prog "$prog" --out "$TMP/x/x.csv" --reps 0
ok $([ ! -e "$TMP/x/x.csv" ]; echo $?) "no data file after bad input"
fails_with 3 "allocator 'jemalloc' expected .* but malloc is live in" "a preload that did not take is an error" -- \
    env LAB_ALLOCATOR=jemalloc LAB_ALLOCATOR_LIB=/lib/x86_64-linux-gnu/libjemalloc.so.2 "$prog" --workload small --quick

# An interrupted run leaves the previous data as it was.
echo previous >"$TMP/i.csv"
common/run --prog "$prog" --out "$TMP/i.csv" --reps 3 --quick >/dev/null 2>&1 & pid=$!
sleep 1.5; kill -TERM $pid; wait $pid
is "$(cat "$TMP/i.csv")" previous "an interrupted run leaves the old CSV untouched"
ok $(ls "$TMP"/i.csv.tmp.* >/dev/null 2>&1; [ $? -ne 0 ]; echo $?) "and no temporary file"
done_testing
