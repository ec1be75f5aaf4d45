#!/bin/bash
# Chapter 2 end to end at QUICK size into a temporary directory, for every installed
# allocator and glibc with MALLOC_ARENA_MAX=1: CSV shape and units, the four modes, the
# thread sweep, pinning, the contention columns and pass, figures, the book; and every bad
# input.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
prog=$BUILD/02-threads/02-threads
out=$TMP/quick
nproc=$(nproc)
tmax=$((2 * nproc))

reference_snapshot >"$TMP/reference"
mkdir -p "$TMP/tmpdir"   # the run's own temporary files: only these are checked below
TMPDIR=$TMP/tmpdir make -s QUICK=1 OUT="$out" 02 >"$TMP/log" 2>&1
ok $? "make 02 QUICK=1 runs the chapter and renders the book" || tail -20 "$TMP/log" | sed 's/^/# /'
d=$out/data/02-threads
csv=$d/02-threads.csv
is "$(head -1 "$csv")" "$("$prog" --header)" "the CSV has the program's header"
cols=$(head -1 "$csv" | tr , '\n' | wc -l)
is "$(awk -F, -v n="$cols" 'NF != n' "$csv" | wc -l)" 0 "every row has $cols fields"
col() { head -1 "$csv" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
for c in allocator workload threads pin rep status cpus ops_per_s ns_per_op rounds best_ns_per_op round_max_ns_per_op malloc_lat_p99_ns malloc_lat_p999_ns \
         free_lat_p999_ns peak_rss_kib rss_added_kib remote_free_pct shared_line_pct arenas futex_counter \
         futex_calls futex_per_mop; do
    [ -n "$(col "$c")" ]; ok $? "column $c is there"
done
head -1 "$csv" | tr , '\n' | grep -vE '^(allocator|workload|threads|pin|rep|status|cpus|ops|rounds|arenas|futex_counter|futex_calls|paired_speedup)$' |
    grep -vE '_(ns|s|kib|bytes|per_s|op|pct|faults|mop)$' >"$TMP/nounit"
ok $([ ! -s "$TMP/nounit" ]; echo $?) "every measured column names its unit ($(paste -sd' ' "$TMP/nounit"))"
# ns_per_op, as in chapter 1: the whole timed phase, every round's time over every
# operation; the fastest round never slower, the slowest never faster.
is "$(awk -F, -v e="$(col elapsed_s)" -v o="$(col ops)" -v b="$(col best_ns_per_op)" -v x="$(col round_max_ns_per_op)" -v n="$(col ns_per_op)" -v s="$(col status)" \
    'NR > 1 && $s == "ok" && (($n - $e * 1e9 / $o) ^ 2 > (1e-4 * $n) ^ 2 || $b > $n * 1.0001 || $x < $n * 0.9999)' "$csv" | wc -l)" 0 \
    "ns_per_op is elapsed_s over ops, between the fastest and the slowest round"

# The cases: four workloads x 1, the powers of two below nproc, nproc and 2 x nproc threads,
# not pinned (the flag says so, so that a missing allocator's rows record pin 0).
"$prog" --cases >"$TMP/cases"
want_t=$(t=1; while [ $t -le $tmax ]; do echo $t; if [ $t -lt $nproc ] && [ $((2 * t)) -gt $nproc ]; then t=$nproc; elif [ $t -eq $nproc ]; then t=$tmax; else t=$((2 * t)); fi; [ $t -eq $tmax ] && [ $nproc -eq $tmax ] && break; done | sort -nu | paste -sd' ')
is "$(awk '{ print $4 }' "$TMP/cases" | sort -nu | paste -sd' ')" "$want_t" "the thread counts: $want_t"
is "$(awk '{ print $2 }' "$TMP/cases" | uniq | paste -sd' ')" "thread-local producer-consumer shared-pool false-sharing" "the four modes"
upto_n=$(for t in $want_t; do [ $t -le $nproc ] && echo $t; done | paste -sd' ')
is "$(awk '$2 == "shared-pool" || $2 == "false-sharing" { print $4 }' "$TMP/cases" | sort -nu | paste -sd' ')" "$upto_n" \
    "shared-pool and false-sharing stop at the CPUs ($upto_n)"
is "$(wc -l <"$TMP/cases")" $((2 * $(wc -w <<<"$want_t") + 2 * $(wc -w <<<"$upto_n"))) "--cases: 2 modes x $(wc -w <<<"$want_t") thread counts, 2 x $(wc -w <<<"$upto_n")"
taskset -c 0 "$prog" --cases | awk '{ print $4 }' | sort -nu | paste -sd' ' >"$TMP/t1"
is "$(cat "$TMP/t1")" "1 2" "the sweep follows the CPUs this process may use (taskset -c 0: 1 and 2)"
is "$(awk '{ print $5 }' "$TMP/cases" | sort -u)" "--no-pin" "every case says --no-pin"
"$prog" --quick --cases >"$TMP/qcases"
cmp -s "$TMP/cases" "$TMP/qcases"; ok $? "QUICK runs the same cases, smaller"

installed=$(for a in glibc jemalloc tcmalloc mimalloc tbbmalloc glibc-arena1; do common/allocators lib $a >/dev/null 2>&1 && echo $a; done)
nq=$(wc -l <"$TMP/qcases")
for a in $installed; do
    is "$(awk -F, -v a=$a '$1 == a && $6 == "ok"' "$csv" | wc -l)" "$nq" "$a: all $nq QUICK cases ok"
done
for w in thread-local producer-consumer shared-pool false-sharing; do
    is "$(awk -F, -v w=$w '$2 == w && $1 == "glibc" && $4 == 0 { print $3 }' "$csv" | sort -nu | paste -sd' ')" \
        "$(awk -v w=$w '$2 == w && $5 == "--no-pin" { print $4 }' "$TMP/qcases" | sort -n | paste -sd' ')" "$w: glibc ran at every QUICK thread count"
done
is "$(awk -F, -v c="$(col ops_per_s)" 'NR > 1 && $6 == "ok" && !($c > 0)' "$csv" | wc -l)" 0 "ok rows have positive ops/s"
is "$(awk -F, -v r="$(col remote_free_pct)" 'NR > 1 && $2 == "thread-local" && $6 == "ok" && $r != 0' "$csv" | wc -l)" 0 \
    "thread-local: no remote frees"
is "$(awk -F, -v r="$(col remote_free_pct)" 'NR > 1 && $2 == "producer-consumer" && $3 > 1 && $6 == "ok" && $r != 100' "$csv" | wc -l)" 0 \
    "producer-consumer with 2+ threads: every free is remote"
is "$(awk -F, -v s="$(col shared_line_pct)" 'NR > 1 && $2 == "false-sharing" && $3 == 1 && $6 == "ok" && $s != 0' "$csv" | wc -l)" 0 \
    "false-sharing with one thread: no shared lines"
is "$(awk -F, -v s="$(col shared_line_pct)" 'NR > 1 && $2 != "false-sharing" && $s != ""' "$csv" | wc -l)" 0 \
    "shared_line_pct only where it is measured"
is "$(awk -F, -v s="$(col solo_ns_per_op)" -v p="$(col paired_speedup)" 'NR > 1 && $s$p != ""' "$csv" | wc -l)" 0 \
    "the paired columns only in paired runs"
# The speedup pass: --paired, thread-local at 2 threads; each row's speedup is its solo
# rounds' time per operation over its rounds of both threads'.
sp=$d/speedup.csv
is "$(awk -F, -v s="$(col status)" 'NR > 1 && $s == "ok" { print $2, $3 }' "$sp" | sort -u)" "thread-local 2" "speedup.csv: thread-local at 2 threads"
is "$(awk -F, -v s="$(col status)" 'NR > 1 && $s == "ok"' "$sp" | wc -l)" "$(wc -w <<<"$installed")" "  ... a row per installed allocator"
is "$(awk -F, -v s="$(col solo_ns_per_op)" -v n="$(col ns_per_op)" -v p="$(col paired_speedup)" -v r="$(col rounds)" \
    'NR > 1 && !($p > 0 && ($p - $s / $n) ^ 2 < (1e-4 * $p) ^ 2 && $r == 8)' "$sp" | wc -l)" 0 \
    "  ... paired_speedup = solo_ns_per_op / ns_per_op; QUICK's 16 rounds are 8 of both threads"
grep -q 'thread-local,2,paired_speedup,' "$d/speedup.summary.csv"; ok $? "  ... and its summary has the speedup"
if echo "$installed" | grep -qx glibc-arena1; then
    is "$(awk -F, -v c="$(col arenas)" '$1 == "glibc-arena1" && $6 == "ok" { print $c }' "$csv" | sort -u)" 1 \
        "glibc-arena1 (MALLOC_ARENA_MAX=1 from the registry) has one arena"
    is "$(awk -F, -v c="$(col arenas)" -v t=$tmax '$1 == "glibc" && $2 == "thread-local" && $3 == t { print $c }' "$csv" | sort -u)" \
        $((tmax + 1)) "glibc has one arena per worker plus the main arena"
fi
is "$(awk -F, -v c="$(col arenas)" 'NR > 1 && $1 != "glibc" && $1 != "glibc-arena1" && $c != ""' "$csv" | wc -l)" 0 \
    "arenas only for glibc"

# Contention: counted, or marked unavailable with empty values.
fc=$(col futex_counter) fn=$(col futex_calls)
is "$(awk -F, -v c=$fc -v n=$fn 'NR > 1 && $6 == "ok" && !($c == "tracepoint" && $n != "" || $c == "unavailable" && $n == "")' "$csv" | wc -l)" 0 \
    "futex columns: counted by the tracepoint, or 'unavailable' and empty"
# (the chapter runs no floor: a full run allocates more than its region holds; QUICK fits)
LAB_FLOOR_MIB=32 LD_PRELOAD=$BUILD/floor.so LAB_ALLOCATOR=floor LAB_ALLOCATOR_LIB=$BUILD/floor.so \
    "$prog" --workload thread-local --threads 2 --quick >"$TMP/floor.csv" 2>/dev/null
is "$(awk -F, -v c=$fc -v n=$fn 'NR > 1 && $6 == "ok" && ($c == "unavailable" || $n == 0) { print "none" }' "$TMP/floor.csv")" none \
    "the harness makes no futex call in the timed phase (floor, thread-local, 2 threads)"
LAB_NO_PERF=1 "$prog" --workload shared-pool --threads 2 --quick >"$TMP/noperf.csv" 2>"$TMP/noperf.err"
is "$(tail -1 "$TMP/noperf.csv" | cut -d, -f"$fc","$fn",$(col futex_per_mop))" "unavailable,," "no perf: futex columns say unavailable"
grep -q "futex calls not counted" "$TMP/noperf.err"; ok $? "and stderr says why"
# The contention pass: common/run under three perf wrappers, one row per allocator and tool.
pc=$d/perf.csv ALLOC2="glibc jemalloc tcmalloc mimalloc tbbmalloc glibc-arena1"
pcol() { head -1 "$1" | tr , '\n' | grep -nx "$2" | cut -d: -f1; }
is "$(head -1 "$pc")" "$("$prog" --header),tool,stat_futex_calls,trace_futex_calls,trace_futex_errors,trace_futex_ms,lock_contended,lock_wait_ms,lock_top" \
    "perf.csv: the program's columns, then the wrappers'"
is "$(awk -F, -v t="$(pcol "$pc" tool)" 'NR > 1 { n[$1] = n[$1] " " $t } END { for (a in n) print a n[a] }' "$pc" | sort | paste -sd';')" \
    "$(for a in $ALLOC2; do echo "$a perf-stat perf-trace perf-lock"; done | sort | paste -sd';')" "a row per allocator and perf tool"
ok $(awk -F, -v s="$(pcol "$pc" status)" 'NR > 1 && $s != "ok" && $s != "missing" && $s !~ /^unavailable: / { bad = 1 } END { exit bad }' "$pc"; echo $?) \
    "each contention row is ok, missing or says why it is unavailable"
# The book's table: the rows summarised by allocator and tool, each column from its tool's rows.
perftable() { build/summarize --by allocator,tool "$1" >"$1.summary" &&
    build/summarize table "$1.summary" --metric stat_futex_calls@tool=perf-stat,trace_futex_calls@tool=perf-trace,lock_contended@tool=perf-lock --rows allocator --cols metric; }
if awk -F, -v s="$(pcol "$pc" status)" -v t="$(pcol "$pc" tool)" '$1 == "glibc" && $t == "perf-stat" && $s == "ok" { f = 1 } END { exit !f }' "$pc"; then
    is "$(awk -F, -v s="$(pcol "$pc" status)" -v t="$(pcol "$pc" tool)" -v c="$(pcol "$pc" stat_futex_calls)" \
        '$1 == "glibc" && $t == "perf-stat" && $s == "ok" && $c > 0' "$pc" | wc -l)" 1 "perf stat counted glibc's futex calls"
    perftable "$pc" | grep -q '^| glibc | [0-9]'; ok $? "and the book's table (summarized by allocator and tool) has them"
fi
# Without perf: the pass still writes its rows, and the table says why.
np=$TMP/noperf/perf.csv
LAB_PERF=/nonexistent/perf common/run --prog "$prog" --out "$np" --allocators glibc --reps 1 --quick --no-series \
    --wrap perf-stat --wrap perf-trace --wrap perf-lock --case "--workload producer-consumer --threads 2 --no-pin" 2>/dev/null
ok $? "the contention pass without perf exits 0"
is "$(perftable "$np" | tail -1)" "| glibc |$(printf ' — (1 unavailable: perf not found (make deps installs linux-perf)) |%.0s' 1 2 3)" \
    "and its table says perf was not found"
is "$(awk -F, -v s="$(pcol "$np" status)" 'NR > 1 { print $s }' "$np" | sort -u)" \
    "unavailable: perf not found (make deps installs linux-perf)" "and its rows say so"

# Summaries: speedup (ratio to 1 thread) of the same allocator; the xfree view.
s=$d/02-threads.summary.csv
# Columns by name: the summary's layout may grow.
col() { awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { for (k in h) f[k] = $h[k] } '"$1" "$2"; }
is "$(col 'f["allocator"] == "glibc" && f["workload"] == "thread-local" && f["threads"] == 1 && f["pin"] == 0 && f["metric"] == "ops_per_s" { print f["ratio"] }' "$s")" 1 \
    "summary ratio at one thread is 1 (speedup baseline)"
grep -q '<th[^>]*>producer-consumer / thread-local, ns per op (threads)</th>' "$out/book.html"
ok $? "the book's xfree table: producer-consumer against thread-local (its run summarised as the book renders)"
for f in throughput efficiency futex rss latency; do
    rsvg-convert "$out/figures/02-threads/$f.svg" -o "$TMP/$f.png" 2>/dev/null; ok $? "figure $f.svg renders"
done
ok $(grep -q 'Figure [0-9]*\.1: ' "$out/book.html" && grep -q 'Threads: scalability' "$out/book.html"; echo $?) "the QUICK book holds chapter 2, its figures numbered"
ok $(grep -q '??' "$out/book.html"; [ $? -ne 0 ]; echo $?) "no unresolved value in the book"
ls "$d"/*.tmp.* >/dev/null 2>&1; ok $([ $? -ne 0 ]; echo $?) "no temporary files left"
is "$(find "$TMP/tmpdir" "$out/figures" -name 'heaplab-fig.*' -o -name '*.tmp*' 2>/dev/null)" "" "figures leave no temporary files"
reference_snapshot | cmp -s - "$TMP/reference"; ok $? "QUICK never touches data/ or figures/"

# Pinning takes: with --pin each worker runs on one CPU (the kernel says so); the default
# and --no-pin record 0.
"$prog" --workload thread-local --threads 2 --pin --quick >"$TMP/pin.csv"
is "$(tail -1 "$TMP/pin.csv" | cut -d, -f3,4,6)" "2,1,ok" "--pin runs and records pin=1"
"$prog" --workload thread-local --threads 2 --no-pin --quick >"$TMP/pin.csv"
is "$(tail -1 "$TMP/pin.csv" | cut -d, -f3,4,6)" "2,0,ok" "--no-pin records pin=0"
"$prog" --workload thread-local --threads 2 --quick >"$TMP/pin.csv"
is "$(tail -1 "$TMP/pin.csv" | cut -d, -f3,4,6)" "2,0,ok" "not pinned by default"
# A missing allocator's rows keep each case's pinning as 0 or 1 (common/run reads the flags).
common/run --prog "$prog" --out "$TMP/m/m.csv" --reps 1 --quick --allocators "glibc nosuch=/nonexistent/libnosuch.so" \
    --case "--workload thread-local --threads 1 --pin" --case "--workload thread-local --threads 1 --no-pin" >/dev/null 2>&1
is "$(awk -F, '$1 == "nosuch" { print $4, $6 }' "$TMP/m/m.csv" | paste -sd,)" "1 missing,0 missing" \
    "a missing allocator's rows record pin 1 for --pin and 0 for --no-pin"

# Bad input: one line naming the value and what is allowed, exit 2, no data.
fails_with 2 "--threads '0' is not allowed: expected an integer from 1 to 1024" "threads=0" -- "$prog" --workload thread-local --threads 0
fails_with 2 "--threads '-3' is not allowed: expected an integer from 1 to 1024" "negative threads" -- "$prog" --workload thread-local --threads -3
fails_with 2 "--threads 'four' is not allowed" "non-numeric threads" -- "$prog" --workload thread-local --threads four
fails_with 2 "--threads '2x' is not allowed" "threads with junk" -- "$prog" --workload thread-local --threads 2x
fails_with 2 "--threads '5000' is not allowed: expected an integer from 1 to 1024" "more threads than supported" -- \
    "$prog" --workload thread-local --threads 5000
fails_with 2 "--pin takes no value: '--pin=1'" "pin is a flag" -- "$prog" --workload thread-local --pin=1
fails_with 2 "unexpected argument '1'" "pin is a flag (no separate value)" -- "$prog" --workload thread-local --pin 1
fails_with 2 "--pin and --no-pin: give one of them" "pin both ways" -- "$prog" --workload thread-local --pin --no-pin
fails_with 2 "unknown workload 'locks'.*thread-local, producer-consumer, shared-pool, false-sharing" "unknown workload" -- \
    "$prog" --workload locks
fails_with 2 "workload is required" "no workload" -- "$prog" --threads 2
fails_with 2 "--ops '10' is not allowed: expected an integer from 1000" "too few ops" -- "$prog" --workload shared-pool --ops 10
fails_with 2 "--live '0' is not allowed" "zero live blocks" -- "$prog" --workload shared-pool --live 0
fails_with 2 "unexpected argument 'extra'" "stray argument" -- "$prog" --workload shared-pool extra
fails_with 2 "--paired with --workload producer-consumer: .*only thread-local and shared-pool" "paired needs a workload that leaves threads idle" -- \
    "$prog" --workload producer-consumer --threads 2 --paired
fails_with 2 "--paired with --threads 1: pairing needs 2 threads or more" "paired needs two threads" -- \
    "$prog" --workload thread-local --paired
"$prog" --workload thread-local --threads 0 >"$TMP/bad.out" 2>/dev/null
is "$(wc -c <"$TMP/bad.out")" 0 "bad input writes no data"
fails_with 2 "unknown allocator 'glibc-arena7'" "unknown allocator variant" -- \
    common/run --prog "$prog" --out "$TMP/x/x.csv" --allocators "glibc glibc-arena7"
fails_with 3 "allocator 'mimalloc' expected .* but malloc is live in" "a preload that did not take is an error" -- \
    env LAB_ALLOCATOR=mimalloc LAB_ALLOCATOR_LIB=/lib/x86_64-linux-gnu/libmimalloc.so.2 "$prog" --workload thread-local --quick
fails_with 2 "^perf-stat: error: no command given" "the perf-stat wrapper without a command" -- common/wrap/perf-stat

# Sanitizers: ASan+UBSan (every block freed, no overflow) and TSan (the ring and the slot
# locks are race-free), each mode at 1 and 2 x nproc threads, under glibc.
if gcc -std=gnu11 -O1 -g -pthread -fsanitize=address,undefined -fno-sanitize-recover=all \
       -o "$TMP/asan" chapters/02-threads/02-threads.c -lm 2>"$TMP/cc.err" &&
   gcc -std=gnu11 -O1 -g -pthread -fsanitize=thread -o "$TMP/tsan" chapters/02-threads/02-threads.c -lm 2>>"$TMP/cc.err"; then
    for w in thread-local producer-consumer shared-pool false-sharing; do
        for san in asan tsan; do
            bad=0
            for t in 1 $tmax; do
                "$TMP/$san" --workload $w --threads $t --ops 20000 >/dev/null 2>"$TMP/san.err" || bad=1
                grep -qE 'ERROR|WARNING: ThreadSanitizer|runtime error' "$TMP/san.err" && bad=1
            done
            ok $bad "$san: $w at 1 and $tmax threads is clean" || head -5 "$TMP/san.err" | sed 's/^/# /'
        done
    done
else
    ok 1 "sanitizer builds compile" ; sed 's/^/# /' "$TMP/cc.err" | head -5
fi

# The registry's environment column.
is "$(common/allocators env glibc-arena1)" "MALLOC_ARENA_MAX=1" "registry: glibc-arena1 runs with MALLOC_ARENA_MAX=1"
is "$(common/allocators env glibc)" "" "registry: glibc has no environment"
is "$(common/allocators lib glibc-arena1 | tr -d '\n'; echo "rc=${PIPESTATUS[0]}")" "rc=0" "registry: glibc-arena1 needs no preload"
grep -q 'glibc-arena1 .* with MALLOC_ARENA_MAX=1' "$d/env.txt"; ok $? "env.txt records the environment"
done_testing
