#!/bin/bash
# Chapter 6 end to end at QUICK size into a temporary directory: the clock row (known
# relations between its columns), the noise passes, the counts tables it makes from chapter
# 1's committed data, the book; and bad input.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
prog=$BUILD/06-method/06-method
out=$TMP/quick
d=$out/data/06-method

reference_snapshot >"$TMP/reference"
make -s QUICK=1 OUT="$out" 06 >"$TMP/log" 2>&1
ok $? "make 06 QUICK=1 runs the chapter and renders the book" || tail -20 "$TMP/log" | sed 's/^/# /'
csv=$d/06-method.csv
is "$(head -1 "$csv")" "$("$prog" --header)" "the CSV has the program's header"
byname='NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next } { for (i = 1; i <= NF; i++) f[h[i]] = $i }'
is "$(awk -F, "$byname"' f["status"] == "ok" { n++ } END { print n + 0 }' "$csv")" 2 "two processes, both ok"
if grep -q ' constant_tsc.* nonstop_tsc' /proc/cpuinfo; then
    is "$(awk -F, "$byname"' !(f["tsc"] == 1 && f["tsc_ghz"] > 0.1 && f["tsc_ghz"] < 10 && f["calibration_spread_ppm"] >= 0 && f["tsc_step_ticks"] >= 1) { n++ } END { print n + 0 }' "$csv")" 0 \
        "an invariant TSC: a rate of 0.1 to 10 GHz, a calibration spread, a step of at least a tick"
    is "$(awk -F, "$byname"' !(f["bracket_p10_ns"] <= f["bracket_p50_ns"] && f["bracket_p50_ns"] <= f["bracket_p90_ns"] && f["bracket_p90_ns"] <= f["bracket_p99_ns"] && f["resolution_ns"] * f["tsc_ghz"] >= f["tsc_step_ticks"] * 0.999) { n++ } END { print n + 0 }' "$csv")" 0 \
        "the bracket's percentiles in order, and the resolution never finer than the TSC's step"
fi
is "$(awk -F, "$byname"' !(f["gettime_ns"] > 0 && f["gettime_step_ns"] >= 1) { n++ } END { print n + 0 }' "$csv")" 0 \
    "clock_gettime: a cost per call and a step of at least 1 ns"
LAB_CLOCK=gettime "$prog" --workload clock --quick >"$TMP/g.csv" 2>/dev/null
is "$(awk -F, "$byname"' { print f["tsc"] ":" f["tsc_ghz"] ":" f["tsc_step_ticks"] }' "$TMP/g.csv")" "0::" \
    "LAB_CLOCK=gettime: no TSC, and its columns are empty (not measured)"
for c in pinned busy unpinned; do
    is "$(awk -F, "$byname"' f["allocator"] == "glibc" && f["workload"] == "small" && f["status"] == "ok" { n++ } END { print n + 0 }' "$d/noise-$c.csv")" 3 \
        "noise-$c: three processes of glibc on small, all ok"
done
grep -q 'other CPUs kept busy' "$d/noise-busy.env.txt"; ok $? "noise-busy.env.txt says the other CPU was kept busy"
grep -q 'placement: not pinned' "$d/noise-unpinned.env.txt"; ok $? "noise-unpinned.env.txt says it was not pinned"
for t in counts-rows counts-fit; do
    grep -q '^| small | ' "$out/gen/06-method/$t.md"; ok $? "$t.md: made from chapter 1's committed counts"
done
rsvg-convert "$out/figures/06-method/noise.svg" -o "$TMP/noise.png" 2>/dev/null; ok $? "figure noise.svg renders"
grep -q 'id="fig:noise"' "$out/book.html"; ok $? "the book has chapter 6's figure"
reference_snapshot | cmp -s - "$TMP/reference"; ok $? "QUICK never touches data/ or figures/"

fails_with 2 "^06-method: error: --calibrations '1' is not allowed: expected an integer from 2 to 1000\$" "one calibration is too few" \
    -- "$prog" --workload clock --calibrations 1
fails_with 2 "unknown workload 'tsc'.*clock" "unknown workload" -- "$prog" --workload tsc
done_testing
