#!/bin/bash
# Chapter 3 end to end at QUICK size into a temporary directory, for every installed
# allocator: the per-phase CSV and the time series (shape, units, phases), the sampler,
# the allocator statistics layer under each allocator, the book; and every bad input.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
prog=$BUILD/03-fragmentation/03-fragmentation
out=$TMP/quick
d=$out/data/03-fragmentation

reference_snapshot >"$TMP/reference"
make -s QUICK=1 OUT="$out" REPS=2 03 >"$TMP/log" 2>&1
ok $? "make 03 QUICK=1 runs the chapter and renders the book" || tail -20 "$TMP/log" | sed 's/^/# /'
csv=$d/03-fragmentation.csv series=$d/03-fragmentation.series.csv
is "$(head -1 "$csv")" "$("$prog" --header)" "the CSV has the program's header"
cols=$(head -1 "$csv" | tr , '\n' | wc -l)
is "$(awk -F, -v n="$cols" 'NF != n' "$csv" | wc -l)" 0 "every row has $cols fields"
col() { head -1 "$1" | tr , '\n' | grep -nx "$2" | cut -d: -f1; }   # column number by name
for c in allocator workload release sampler phase rep status t_ms live_bytes rss_kib smaps_rss_kib lazyfree_kib \
         effective_rss_kib private_dirty_kib anon_huge_kib vmrss_kib vmhwm_kib ru_maxrss_kib frag_ratio \
         hole_reuse_ratio sample_hz sampler_cpu_share st_allocated_bytes st_resident_bytes st_mapped_bytes \
         st_metadata_bytes st_thread_cache_bytes st_central_free_bytes st_page_free_bytes; do
    [ -n "$(col "$csv" $c)" ]; ok $? "column $c is there"
done
head -1 "$csv" | tr , '\n' | grep -vE '^(allocator|workload|release|sampler|phase|rep|status|stats_source|release_call)$' |
    grep -vE '_(ms|s|kib|bytes|blocks|ratio|count|hz|share)$' >"$TMP/nounit"
ok $([ ! -s "$TMP/nounit" ]; echo $?) "every measured column names its unit ($(paste -sd' ' "$TMP/nounit"))"

installed=$(for a in glibc jemalloc tcmalloc mimalloc tbbmalloc; do common/allocators lib $a >/dev/null 2>&1 && echo $a; done)
# Phases per run: holes 3, survivors 3, decay 4, decay with release 5, growth 5, growth without sampler 5.
for a in $installed; do
    is "$(awk -F, -v a=$a '$1 == a && $7 == "ok"' "$csv" | wc -l)" 50 "$a: 25 phase rows x 2 repetitions, all ok"
done
is "$(awk -F, '$1 == "floor"' "$csv" | wc -l)" 0 "the floor does not take part"
is "$(awk -F, -v l="$(col "$csv" live_bytes)" -v r="$(col "$csv" rss_kib)" -v s="$(col "$csv" smaps_rss_kib)" \
    'NR > 1 && $7 == "ok" && !($r > 0 && $s > 0 && $l != "")' "$csv" | wc -l)" 0 "ok rows have RSS from statm and smaps, and live bytes"
fr=$(col "$csv" frag_ratio)
awk -F, -v c=$fr '$2 == "holes" && $5 == "alloc" { print $c }' "$csv" >"$TMP/frag"
ok $(awk '$1 < 0.8 || $1 > 3 { bad = 1 } END { exit bad }' "$TMP/frag"; echo $?) "holes: RSS added / live after the allocation is plausible (0.8..3)"
awk -F, -v c=$fr '$2 == "survivors" && $5 == "free_99" { print $c }' "$csv" >"$TMP/frag"
ok $(awk '$1 < 10 { bad = 1 } END { exit bad }' "$TMP/frag"; echo $?) "survivors: 1% survivors pin at least 10 bytes of RSS per live byte"

# The time series: its own CSV beside the per-phase one, whole (no temporary left).
want='allocator,workload,release,sampler,rep,t_ms,phase_t_ms,rss_kib,live_bytes,frag_ratio,phase'
is "$(head -1 "$series")" "$want" "the time series has the contract's columns"
is "$(awk -F, 'NF != 11' "$series" | wc -l)" 0 "every series row has 11 fields"
for a in $installed; do
    n=$(awk -F, -v a=$a '$1 == a' "$series" | wc -l)
    ok $([ "$n" -gt 100 ]; echo $?) "$a: the series has samples ($n)"
done
is "$(awk -F, 'NR > 1 && $4 != 1' "$series" | wc -l)" 0 "no series rows from runs without the sampler"
is "$(awk -F, 'NR > 1 { print $4 }' "$csv" | sort -u | paste -sd' ')" "0 1" "the sampler column holds 0 and 1"
is "$(awk -F, 'NR > 1 { k = $1 FS $2 FS $3 FS $4 FS $5; if (k == last && $6 + 0 <= t + 0) bad++; last = k; t = $6 } END { print bad + 0 }' "$series")" 0 \
    "t_ms increases within every run"
is "$(awk -F, 'NR > 1 && !($8 > 0)' "$series" | wc -l)" 0 "every sample has a positive RSS"
# (A phase of a few milliseconds may fall between two samples at QUICK size.)
phases="decay:alloc decay:free decay:quiet decay:release decay:trickle growth:drift_1 growth:drift_2 growth:drift_3 growth:drift_4 growth:fill holes:alloc holes:free_half holes:refill survivors:alloc survivors:free_99 survivors:refill"
is "$(awk -F, 'NR > 1 { print $2 ":" $11 }' "$series" | sort -u | grep -vxF -f <(tr ' ' '\n' <<<"$phases") | paste -sd' ')" "" \
   "samples are marked with their workload's phases"
is "$(awk -F, 'NR > 1 { print $2 ":" $11 }' "$series" | sort -u | grep -cxE 'decay:(quiet|trickle)|growth:drift_4')" 3 \
   "and the long phases all have samples"
ls "$d"/*.tmp.* >/dev/null 2>&1; ok $([ $? -ne 0 ]; echo $?) "no temporary files left"

# The sampler: at least 90% of its nominal rate, no long gap; its own CPU cost is recorded.
hz=$(col "$csv" sample_hz) gap=$(col "$csv" sample_max_gap_ms)
is "$(awk -F, -v h=$hz -v g=$gap 'NR > 1 && $4 == 1 && $2 == "decay" && ($h < 90 || $g > 250)' "$csv" | wc -l)" 0 \
    "decay runs sample at >= 90 Hz with no gap over 250 ms"
LAB_SERIES= "$prog" --workload decay --quick --hz 500 --quiet-ms 200 --trickle-ms 100 --series "$TMP/s500.csv" >"$TMP/r500.csv" 2>/dev/null
ok $(awk -F, -v h=$hz 'NR == 2 { exit !($h > 400) }' "$TMP/r500.csv"; echo $?) "--hz 500 samples at more than 400 Hz"
ok $([ "$(awk -F, 'NR > 1' "$TMP/s500.csv" | wc -l)" -gt 120 ]; echo $?) "and writes them to --series"
"$prog" --workload holes --quick --no-sampler --series "$TMP/off.csv" >"$TMP/off.out" 2>/dev/null
ok $([ ! -e "$TMP/off.csv" ] && [ -z "$(awk -F, -v h=$hz 'NR > 1 { print $h }' "$TMP/off.out" | tr -d '\n')" ]; echo $?) \
    "--no-sampler: no sampler, no series, no sample rate"
is "$(awk -F, -v s="$(col "$csv" sampler)" 'NR > 1 { print $s }' "$TMP/off.out" | sort -u)" 0 "--no-sampler records sampler=0"
cpu=$(col "$csv" sampler_cpu_share)
# A share of the run, recorded for every sampled decay run (its size is a measurement, which
# the chapter reports; a test only checks that it is there and is a share).
ok $(awk -F, -v c=$cpu 'NR > 1 && $4 == 1 && $2 == "decay" { if ($c == "" || $c < 0 || $c > 1) bad = 1; n++ } END { exit bad || !n }' "$csv"; echo $?) \
    "the sampler's own CPU time is recorded as a share of the run"

# The statistics layer, under each allocator: its own interface, and a known answer. After
# allocating 100000 blocks, the allocator must count at least the live bytes as allocated:
# read as glibc's mallinfo2 under a preload, it would count glibc's idle heap (about 0).
declare -A source=([glibc]="mallinfo2+malloc_info" [jemalloc]=mallctl [tcmalloc]=MallocExtension
                   [mimalloc]="mi_process_info+mi_stats_print_out" [tbbmalloc]=none)
src=$(col "$csv" stats_source) al=$(col "$csv" st_allocated_bytes) lb=$(col "$csv" live_bytes) mp=$(col "$csv" st_mapped_bytes)
for a in $installed; do
    is "$(awk -F, -v a=$a -v s=$src '$1 == a && $7 == "ok" { print $s }' "$csv" | sort -u)" "${source[$a]}" \
        "$a: statistics come from ${source[$a]}"
    lib=$(common/allocators lib $a)
    is "$(LD_PRELOAD=$lib "$prog" --context | grep -o 'statistics.*: [a-z]*' | awk '{ print $NF }')" "$a" \
        "$a: lab_stats_which() names the preloaded allocator"
done
for a in glibc jemalloc tcmalloc; do
    echo "$installed" | grep -qx $a || continue
    ok $(awk -F, -v a=$a -v al=$al -v lb=$lb '$1 == a && $2 == "holes" && $5 == "alloc" { n++; if (!($al >= $lb && $al < 1.5 * $lb + 8388608)) bad = 1 } END { exit bad || !n }' "$csv"; echo $?) \
        "$a: allocated bytes by its own account >= the live bytes (not glibc's idle heap)"
done
if echo "$installed" | grep -qx mimalloc; then
    ok $(awk -F, -v mp=$mp -v lb=$lb '$1 == "mimalloc" && $2 == "holes" && $5 == "alloc" { n++; if (!($mp >= $lb)) bad = 1 } END { exit bad || !n }' "$csv"; echo $?) \
        "mimalloc: committed bytes by its own account >= the live bytes"
fi
if echo "$installed" | grep -qx tbbmalloc; then
    is "$(awk -F, -v al=$al '$1 == "tbbmalloc" && $al != ""' "$csv" | wc -l)" 0 "tbbmalloc: no statistics interface, no numbers"
fi
# The trap itself: under tcmalloc and tbbmalloc, which define mallinfo but not mallinfo2,
# the mallinfo2 found by name is glibc's and says nothing about the program's blocks.
if echo "$installed" | grep -qx tcmalloc; then
    cat >"$TMP/naive.c" <<'EOF'
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) { for (int i = 0; i < 1000; i++) memset(malloc(10000), 1, 10000); printf("%zu\n", mallinfo2().uordblks); return 0; }
EOF
    gcc -O0 -fno-builtin-malloc -o "$TMP/naive" "$TMP/naive.c" 2>/dev/null
    n=$(LD_PRELOAD=$(common/allocators lib tcmalloc) "$TMP/naive")
    ok $([ "${n:-0}" -lt 1000000 ]; echo $?) "control: mallinfo2 by name under tcmalloc misses the 10 MB allocated ($n bytes)"
fi
rc=$(col "$csv" release_call)
for a in $installed; do
    n=$(awk -F, -v a=$a -v c=$rc '$1 == a && $3 == "now" && $7 == "ok" && $c != "" && $c != "none available"' "$csv" | wc -l)
    is "$n" 10 "$a: decay with --release now names the release call it made"
done
mf=$d/madvfree.csv lz=$(col "$d/madvfree.csv" lazyfree_kib)
ok $(awk -F, -v l=$lz '$5 == "release" { exit !($l > 0) }' "$mf"; echo $?) "MADV_FREE (mimalloc page reset) shows as LazyFree"

# The book and the figures.
for f in rss frag overhead decay breakdown; do
    rsvg-convert "$out/figures/03-fragmentation/$f.svg" -o "$TMP/$f.png" 2>/dev/null; ok $? "figure $f.svg renders"
done
grep -q 'id="fig:frag-rss"' "$out/book.html"; ok $? "the book has chapter 3's figures"
reference_snapshot | cmp -s - "$TMP/reference"; ok $? "QUICK never touches data/ or figures/"

# If the sampler cannot read /proc, the program says so and stops: no rows, no zeros.
fails_with 2 "cannot open /nonexistent/statm.*sampler needs /proc" "no /proc: a clear error" -- \
    "$prog" --workload holes --quick --proc /nonexistent
is "$("$prog" --workload holes --quick --proc /nonexistent 2>/dev/null | wc -c)" 0 "and nothing on stdout"
mkdir -p "$TMP/fakeproc" && printf 'garbage\n' >"$TMP/fakeproc/statm"
fails_with 2 "cannot read .*/fakeproc/statm" "an unreadable statm: a clear error" -- "$prog" --workload holes --quick --proc "$TMP/fakeproc"

# Bad input: one line naming the value and what is allowed, exit 2.
fails_with 2 "unknown workload 'fragments'.*holes, survivors, decay, growth" "unknown workload" -- "$prog" --workload fragments
fails_with 2 "workload is required" "no workload" -- "$prog"
fails_with 2 "--count '0' is not allowed.*from 1 to" "zero count" -- "$prog" --workload holes --count 0
fails_with 2 "--count '-3' is not allowed" "negative count" -- "$prog" --workload holes --count -3
fails_with 2 "--count '99999999999' is not allowed" "absurd count" -- "$prog" --workload holes --count 99999999999
fails_with 2 "--count '5000' is not allowed.*1 to 4096" "absurd MiB" -- "$prog" --workload decay --count 5000
fails_with 2 "--ops 'lots' is not allowed" "non-numeric count" -- "$prog" --workload growth --ops lots
fails_with 2 "--hz '0' is not allowed.*10 to 1000" "zero sample rate" -- "$prog" --workload holes --hz 0
fails_with 2 "--hz '5' is not allowed" "too low a sample rate" -- "$prog" --workload holes --hz 5
fails_with 2 "--hz '100000' is not allowed" "too high a sample rate" -- "$prog" --workload holes --hz 100000
fails_with 2 "--hz 'fast' is not allowed" "non-numeric sample rate" -- "$prog" --workload holes --hz fast
fails_with 2 "--sizes 'uniform:0:8' is not allowed" "zero size" -- "$prog" --workload holes --sizes uniform:0:8
fails_with 2 "--sizes 'uniform:1:4m' is not allowed.*larger than 1m" "too large a size" -- "$prog" --workload holes --sizes uniform:1:4m
fails_with 2 "--sizes 'lognormal:x:1:1:2' is not allowed" "non-numeric size" -- "$prog" --workload survivors --sizes lognormal:x:1:1:2
fails_with 2 "--sizes2 'uniform:100:900' is not allowed: the refill must be larger" "refill not larger than the holes" -- \
    "$prog" --workload holes --sizes2 uniform:100:900
fails_with 2 "--sizes2 is not allowed for workload decay" "--sizes2 where it means nothing" -- "$prog" --workload decay --sizes2 uniform:1:2
fails_with 2 "--keep '1.5' is not allowed.*0 to 0.9" "keep out of range" -- "$prog" --workload survivors --keep 1.5
fails_with 2 "--quiet-ms '999999' is not allowed" "absurd idle time" -- "$prog" --workload decay --quiet-ms 999999
fails_with 2 "unknown --release 'later'.*none, now" "unknown release mode" -- "$prog" --workload decay --release later
fails_with 2 "--release now is not allowed for workload holes" "release outside decay" -- "$prog" --workload holes --release now
fails_with 2 "--sampler takes no value: '--sampler=off'" "sampler is a flag" -- "$prog" --workload holes --sampler=off
fails_with 2 "--sampler and --no-sampler: give one of them" "sampler both ways" -- "$prog" --workload holes --no-sampler --sampler
fails_with 2 "unexpected argument 'extra'" "stray argument" -- "$prog" --workload holes extra
fails_with 3 "allocator 'jemalloc' expected .* but malloc is live in" "a preload that did not take is an error" -- \
    env LAB_ALLOCATOR=jemalloc LAB_ALLOCATOR_LIB=/lib/x86_64-linux-gnu/libjemalloc.so.2 "$prog" --workload holes --quick

# The runner's second CSV is atomic too: an interrupted run leaves the old series as it was.
echo previous >"$TMP/i.csv"; echo previous >"$TMP/i.series.csv"
common/run --prog "$prog" --out "$TMP/i.csv" --reps 3 --quick --allocators glibc >/dev/null 2>&1 & pid=$!
sleep 2; kill -TERM $pid; wait $pid
is "$(cat "$TMP/i.csv" "$TMP/i.series.csv")" "previous"$'\n'"previous" "an interrupted run leaves the old CSV and series untouched"
ok $(ls "$TMP"/i.*tmp.* >/dev/null 2>&1; [ $? -ne 0 ]; echo $?) "and no temporary file"
done_testing
