#!/bin/bash
# Chapter 5 end to end at QUICK size into a temporary directory, for every installed
# allocator: the run CSV and the detail (series) CSV, the size-class probe against known
# classes, the heap-map classifier on a constructed case, the strace pass (common/run
# --wrap strace, and its missing-tool path), the book; and every bad input.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
prog=$BUILD/05-internals/05-internals
out=$TMP/quick
d=$out/data/05-internals

reference_snapshot >"$TMP/reference"
make -s QUICK=1 OUT="$out" 05 >"$TMP/log" 2>&1
ok $? "make 05 QUICK=1 runs the chapter and renders the book" || tail -20 "$TMP/log" | sed 's/^/# /'
csv=$d/05-internals.csv series=$d/05-internals.series.csv
is "$(head -1 "$csv")" "$("$prog" --header)" "the CSV has the program's header"
cols=$(head -1 "$csv" | tr , '\n' | wc -l)
is "$(awk -F, -v n="$cols" 'NF != n' "$csv" | wc -l)" 0 "every row has $cols fields"
head -1 "$csv" | tr , '\n' | grep -vE '^(allocator|workload|rep|status|stats_source)$' | grep -vE '_(ms|kib|bytes|count|ratio)$' >"$TMP/nounit"
ok $([ ! -s "$TMP/nounit" ]; echo $?) "every measured column names its unit ($(paste -sd' ' "$TMP/nounit"))"
want='allocator,workload,rep,t_ms,phase,size_bytes,class_bytes,used_count,total_count,chunk,page,pages_count,state,rss_kib,live_bytes'
is "$(head -1 "$series")" "$want" "the detail CSV has its columns"
is "$(awk -F, 'NF != 15' "$series" | wc -l)" 0 "every detail row has 15 fields"

installed=$(for a in glibc jemalloc tcmalloc mimalloc tbbmalloc; do common/allocators lib $a >/dev/null 2>&1 && echo $a; done)
for a in $installed; do
    is "$(awk -F, -v a=$a '$1 == a && $4 == "ok"' "$csv" | wc -l)" 5 "$a: five workloads, all ok"
    for m in xlocal xremote; do
        n=$(awk -F, -v a=$a -v m=$m '$1 == a && $2 == m && $13 == "rss" && $14 >= 0 && $15 > 0' "$series" | wc -l)
        ok $([ "$n" -gt 5 ]; echo $?) "$a: $m has RSS samples ($n)"
    done
    # Every request size from 1 B to 64 KiB is in exactly one class row.
    is "$(awk -F, -v a=$a '$1 == a && $2 == "classes" { n += $9 } END { print n }' "$series")" 65536 "$a: the classes cover 1 B..64 KiB"
    is "$(awk -F, -v a=$a '$1 == a && $2 == "classes" && $13 == "class" && $7 < $6 + $9 - 1' "$series" | wc -l)" 0 "$a: no class is smaller than its requests"
    # The heap map: 256 pages per chunk row, live pages where blocks are.
    is "$(awk -F, -v a=$a '$1 == a && $2 == "heapmap" { n[$10] += $12 } END { for (k in n) if (n[k] != 256) bad++; print bad + 0 }' "$series")" 0 \
        "$a: every heap-map row has 256 pages"
    ok $(awk -F, -v a=$a '$1 == a && $2 == "heapmap" && $13 == "live" { n += $12 } END { exit !(n > 0) }' "$series"; echo $?) "$a: the heap map has live pages"
done
# Known classes. jemalloc (jemalloc(3), "Size classes"): 8, 16, then 16 apart to 128,
# then four per doubling.
if common/allocators lib jemalloc >/dev/null 2>&1; then
    is "$(awk -F, '$1 == "jemalloc" && $2 == "classes" { print $7 }' "$series" | head -16 | paste -sd' ')" \
       "8 16 32 48 64 80 96 112 128 160 192 224 256 320 384 448" "jemalloc: the probe finds its documented classes"
    is "$(awk -F, '$1 == "jemalloc" && $2 == "classes" && $7 == 48 { print $6, $9 }' "$series")" "33 16" \
       "jemalloc: class 48 serves requests 33..48"
    hit=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } $1 == "jemalloc" && $2 == "fill" { print $h["tc_hit_ratio"] }' "$csv")
    ok $(awk -v h="$hit" 'BEGIN { exit !(h > 0.5 && h <= 1) }'; echo $?) "jemalloc: the tcache hit ratio is plausible ($hit)"
    ok $([ "$(awk -F, '$1 == "jemalloc" && $2 == "fill"' "$series" | wc -l)" -gt 100 ]; echo $?) "jemalloc: fill levels sampled"
fi
# glibc: a chunk is the request + 8 bytes, 16-aligned, 32 at least: usable 24, 40, 56, ...
is "$(awk -F, '$1 == "glibc" && $2 == "classes" { print $7 }' "$series" | head -4 | paste -sd' ')" "24 40 56 72" "glibc: usable sizes 24, 40, 56, 72"
if common/allocators lib tcmalloc >/dev/null 2>&1; then
    ok $([ "$(awk -F, '$1 == "tcmalloc" && $2 == "fill" && $9 >= $8 && $8 >= 0' "$series" | wc -l)" -gt 100 ]; echo $?) \
        "tcmalloc: fill levels from GetStats' free blocks and the program's own, room >= used"
fi
for a in glibc tbbmalloc; do
    if echo "$installed" | grep -qx $a; then
        is "$(awk -F, -v a=$a '$1 == a && $2 == "fill"' "$series" | wc -l)" 0 "$a: no per-class state exposed, no fill rows"
    fi
done

# The classifier on a constructed case: the answer is known page by page.
"$prog" --workload pagetest --series "$TMP/pt.csv" >/dev/null
is "$(awk -F, 'NR > 1 { print $13 }' "$TMP/pt.csv" | paste -sd' ')" "free live live absent absent free absent unmapped" \
   "heap map: pages classified live, free (resident), absent, unmapped"

# The strace pass: the rows the book reads as they are (the table from syscalls.csv, the
# timeline from syscalls.strace.csv), columns by name.
if command -v strace >/dev/null; then
    is "$(rows "$d/syscalls.csv" --where 'status!=ok')" 0 "every run of the strace pass is ok"
    is "$(rows "$d/syscalls.csv" --where 'allocator=glibc,workload=heapmap,tool=strace,brk_count>0')" 3 \
        "glibc grows its heap with brk, in each of its three traced processes"
    is "$(rows "$d/syscalls.csv" --where 'wall_s>0')" "$(rows "$d/syscalls.csv")" "every run has its wall time"
    is "$(rows "$d/syscalls.csv" --where tool=none)" "$(rows "$d/syscalls.csv" --where tool=strace)" \
        "the pass's rows say which wrapper ran them, in 'tool': as many untraced as traced"
    is "$("$BUILD/summarize" select "$d/syscalls.strace.csv" --where 'allocator=glibc,workload=churn|heapmap,rep=1' --blocks workload | grep -c '^# \[')" 2 \
        "the timeline has glibc's calls in both workloads"
    grep -q 'glibc, heapmap' "$out/figures/05-internals/timeline.svg"; ok $? "the timeline's panels name the workload as the data has it"
fi
# Without strace (the wrapper's check fails): the rows say why and the untraced time is
# there; no calls are recorded.
LAB_STRACE=no-such-strace make -s QUICK=1 OUT="$TMP/nt" ALLOCATORS=glibc "$TMP/nt/data/05-internals/syscalls.csv" >/dev/null 2>&1
is "$(rows "$TMP/nt/data/05-internals/syscalls.csv" --where 'tool=strace,status=unavailable: strace not found (make deps installs strace)')" \
    "$(rows "$TMP/nt/data/05-internals/syscalls.csv" --where tool=strace)" "no strace: the pass's rows say why"
is "$(rows "$TMP/nt/data/05-internals/syscalls.csv" --where 'tool=none,wall_s>0')" 6 "  ... and have the untraced time"
is "$(wc -l <"$TMP/nt/data/05-internals/syscalls.strace.csv")" 1 "no strace: no calls recorded (the calls' file is its header)"
ls "$d"/*.tmp* >/dev/null 2>&1; ok $([ $? -ne 0 ]; echo $?) "no temporary files left"
grep -q 'Why they differ' "$out/book.html"; ok $? "the book has the synthesis"
is "$(reference_snapshot)" "$(cat "$TMP/reference")" "the QUICK run left data/ and figures/ alone"

# Bad input: one line, exit 2, naming the value.
fails_with 2 "workload.*'nope'" "unknown workload" -- "$prog" --workload nope
fails_with 2 "workload is required" "no workload" -- "$prog"
fails_with 2 "count.*'12'" "count too small" -- "$prog" --workload heapmap --count 12
fails_with 2 "requests.*'x'" "requests not a number" -- "$prog" --workload classes --requests x
fails_with 2 "unexpected argument 'extra'" "stray argument" -- "$prog" --workload classes extra
fails_with 2 "series '/nonexistent/s.csv'" "series not writable" -- "$prog" --workload classes --series /nonexistent/s.csv
fails_with 2 "sizes.*'uniform:1k:128k'.*at most 64k" "sizes above 64k" -- "$prog" --workload heapmap --sizes uniform:1k:128k
fails_with 2 "sizes.*'bogus'.*uniform:LO:HI" "sizes not a distribution" -- "$prog" --workload fill --sizes bogus
fails_with 2 "sizes is not allowed with --workload churn" "sizes with a workload that takes none" -- "$prog" --workload churn --sizes uniform:16:64
# --sizes (exercise 5.3): blocks of 4-8 KiB, every other one freed, leave whole pages with
# no live block; the default's 16-256 B leave almost none.
"$prog" --workload heapmap --count 2000 --sizes uniform:4k:8k >"$TMP/big.csv"
share=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    { l = $h["pages_live_count"]; f = $h["pages_free_count"] + $h["pages_absent_count"]; printf "%.2f", f / (l + f) }' "$TMP/big.csv")
ok $(awk -v s="$share" 'BEGIN { exit !(s > 0.1) }'; echo $?) "heapmap --sizes uniform:4k:8k: pages with no live block ($share of them)"
fails_with 2 "^strace: error: unknown option '--bogus'" "the strace wrapper: an unknown option" -- common/wrap/strace --bogus
fails_with 2 "^strace: error: LAB_WRAP_OUT and LAB_WRAP_DIR are not set" "the strace wrapper outside common/run" -- common/wrap/strace true

# Sanitizers: ASan+UBSan (every block freed, no overflow) and TSan (the xremote ring),
# each workload at a small size, under glibc.
if gcc -std=gnu11 -O1 -g -pthread -fsanitize=address,undefined -fno-sanitize-recover=all \
       -o "$TMP/asan" chapters/05-internals/05-internals.c -lm 2>"$TMP/cc.err" &&
   gcc -std=gnu11 -O1 -g -pthread -fsanitize=thread -o "$TMP/tsan" chapters/05-internals/05-internals.c -lm 2>>"$TMP/cc.err"; then
    for m in classes fill heapmap xlocal xremote churn pagetest; do
        bad=0
        "$TMP/asan" --workload $m --count 20000 --requests 1000 --ops 20000 --series "$TMP/san.csv" >/dev/null 2>"$TMP/san.err" || bad=1
        grep -qE 'ERROR|runtime error' "$TMP/san.err" && bad=1
        ok $bad "asan: --workload $m is clean" || head -5 "$TMP/san.err" | sed 's/^/# /'
    done
    bad=0
    "$TMP/tsan" --workload xremote --ops 50000 >/dev/null 2>"$TMP/san.err" || bad=1
    grep -q 'WARNING: ThreadSanitizer' "$TMP/san.err" && bad=1
    ok $bad "tsan: --workload xremote is race-free" || head -5 "$TMP/san.err" | sed 's/^/# /'
else
    ok 1 "sanitizer builds compile"; sed 's/^/# /' "$TMP/cc.err" | head -5
fi
done_testing
