#!/bin/bash
# Chapter 7's program at QUICK size: every workload ok under glibc and a preloaded
# allocator; the invariants its counters expose (consumers never allocate in xmalloc, every
# malloc-large buffer written and within 5-25 MiB, larson respawns, alloc-test's picks
# 80/20); the bridges' options; failures as status rows; --describe, --cases, -h; every
# bad input; the sanitizers.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
prog=$BUILD/07-classics/07-classics
workloads="larson xmalloc cache-scratch cache-thrash malloc-large alloc-test glibc-simple glibc-thread"
threaded="larson xmalloc cache-scratch cache-thrash alloc-test glibc-thread"
nproc=$(nproc)

hdr=$("$prog" --header)
ncols=$(tr , '\n' <<<"$hdr" | wc -l)
col() { tr , '\n' <<<"$hdr" | grep -nx "$1" | cut -d: -f1; }
# v COLUMN FILE: the column's value in the file's last row.
v() { tail -1 "$2" | cut -d, -f"$(col "$1")"; }
# check FILE 'awk condition on named columns' NAME: the condition holds in the last row,
# with c["name"] the value of column name.
check() {
    tail -1 "$1" | awk -F, -v h="$hdr" 'BEGIN { n = split(h, H, ",") } { for (i = 1; i <= n; i++) c[H[i]] = $i; exit !('"$2"') }'
    ok $? "$3" || printf '#   %s\n' "$(tail -1 "$1")"
}
is_threaded() { [[ " $threaded " == *" $1 "* ]]; }

for c in allocator workload threads sizes order symmetric respawn rep status ops elapsed_s ops_per_s ns_per_op \
         peak_rss_kib rss_added_kib live_bytes live_blocks minor_faults mallocs frees blocks_written blocks_checked \
         min_block_bytes max_block_bytes respawns consumer_mallocs producer_frees hot_pick_pct shared_line_pct; do
    [ -n "$(col "$c")" ]; ok $? "column $c is there"
done
tr , '\n' <<<"$hdr" | grep -vE '^(allocator|workload|threads|sizes|order|symmetric|respawn|rep|status|ops|mallocs|frees|respawns)$' |
    grep -vE '_(ns|s|kib|bytes|blocks|per_s|op|pct|faults|written|checked|mallocs|frees)$' >"$TMP/nounit"
ok $([ ! -s "$TMP/nounit" ]; echo $?) "every measured column names its unit or what it counts ($(paste -sd' ' "$TMP/nounit"))"
nm "$prog" | grep -qw timed_phase; ok $? "timed_phase is a symbol of its own (what the callgrind wrapper counts)"

# Every workload at QUICK size, under glibc and one preloaded allocator (2 threads where it
# takes --threads, so that xmalloc has a producer and a consumer on any machine).
pre=
for a in jemalloc mimalloc tcmalloc; do lib=$(common/allocators lib $a 2>/dev/null) && { pre=$a; break; }; done
for a in glibc $pre; do
    env=()
    [ "$a" = glibc ] || env=(LD_PRELOAD="$lib" LAB_ALLOCATOR="$a" LAB_ALLOCATOR_LIB="$lib")
    for w in $workloads; do
        t=(); is_threaded $w && t=(--threads 2)
        f=$TMP/$a-$w.csv
        env "${env[@]}" timeout 60 "$prog" --workload $w "${t[@]}" --quick >"$f" 2>"$TMP/err"
        ok $? "$a: $w runs at QUICK size" || head -3 "$TMP/err" | sed 's/^/# /'
        is "$(head -1 "$f")" "$hdr" "$a: $w: the CSV has the program's header"
        is "$(awk -F, 'END { print NR ":" NF }' "$f")" "2:$ncols" "$a: $w: one row of $ncols fields"
        is "$(v allocator "$f"),$(v workload "$f"),$(v status "$f")" "$a,$w,ok" "$a: $w: status ok"
        check "$f" 'c["ops"] > 0 && c["elapsed_s"] > 0 && (c["ns_per_op"] - c["elapsed_s"] * 1e9 / c["ops"]) ^ 2 <= (1e-4 * c["ns_per_op"]) ^ 2 &&
                    (c["ops_per_s"] * c["ns_per_op"] / 1e9 - 1) ^ 2 < 1e-6' "$a: $w: ns_per_op and ops_per_s are elapsed_s over ops"
        check "$f" 'c["mallocs"] > 0 && c["mallocs"] == c["frees"] && c["blocks_written"] == c["mallocs"] && c["blocks_checked"] == c["frees"]' \
            "$a: $w: every block written when allocated and checked before it is freed, all freed"
        check "$f" 'c["peak_rss_kib"] > 0 && c["rss_added_kib"] >= 0' "$a: $w: peak RSS measured"
    done
    d=$TMP/$a
    check "$d-xmalloc.csv" 'c["consumer_mallocs"] == 0 && c["producer_frees"] == 0 && c["symmetric"] == 0' \
        "$a: xmalloc one-way: consumers never allocate, producers never free"
    check "$d-xmalloc.csv" 'c["min_block_bytes"] == 64 && c["max_block_bytes"] == 64 && c["mallocs"] % 4096 == 0 && c["live_blocks"] == 0' \
        "$a: xmalloc: 64-byte blocks in whole batches of 4096, all consumed"
    check "$d-malloc-large.csv" 'c["min_block_bytes"] >= 5 * 2^20 && c["max_block_bytes"] <= 25 * 2^20 && c["order"] == "replace"' \
        "$a: malloc-large: every buffer within 5-25 MiB, replaced one at a time by default"
    check "$d-larson.csv" 'c["respawns"] > 0 && c["respawn"] == 1 && c["min_block_bytes"] >= 8 && c["max_block_bytes"] <= 1000' \
        "$a: larson: threads respawn (by default), blocks of 8-1000 bytes"
    check "$d-alloc-test.csv" 'c["hot_pick_pct"] > 78 && c["hot_pick_pct"] < 82 && c["live_blocks"] == 2 * 20000 && c["max_block_bytes"] <= 1024' \
        "$a: alloc-test: 80% of picks on the hottest 20% of slots, all 20k live blocks per thread (QUICK), up to 1 KiB"
    for w in cache-scratch cache-thrash; do
        check "$d-$w.csv" 'c["shared_line_pct"] >= 0 && c["shared_line_pct"] <= 100 && c["live_blocks"] == 0' \
            "$a: $w: shared_line_pct measured"
    done
    check "$d-glibc-simple.csv" 'c["min_block_bytes"] == 16 && c["max_block_bytes"] == 16 && c["threads"] == 1' \
        "$a: glibc-simple: 16-byte blocks, one thread"
    check "$d-glibc-thread.csv" 'c["min_block_bytes"] >= 4 && c["max_block_bytes"] <= 32768 && c["live_blocks"] <= 2 * 1024' \
        "$a: glibc-thread: blocks of 4 B to 32 KiB, at most 1024 live per thread"
done
[ -n "$pre" ] || ok 0 "# skip: no preloadable allocator installed"
# A column that does not apply to a workload is empty.
f=$TMP/glibc-glibc-simple.csv
is "$(for c in order symmetric respawn respawns consumer_mallocs producer_frees hot_pick_pct shared_line_pct; do v $c "$f"; done | tr -d '\n')" "" \
    "glibc-simple: the other workloads' columns are empty"
is "$(v threads "$TMP/glibc-malloc-large.csv")" 1 "malloc-large runs one thread"

# The bridges' options.
"$prog" --workload xmalloc --threads 2 --symmetric --quick >"$TMP/sym.csv"
check "$TMP/sym.csv" 'c["status"] == "ok" && c["symmetric"] == 1 && c["consumer_mallocs"] > 0 && c["producer_frees"] > 0' \
    "xmalloc --symmetric: the threads that free also allocate"
"$prog" --workload xmalloc --threads 1 --symmetric --quick >"$TMP/sym1.csv"
check "$TMP/sym1.csv" 'c["status"] == "ok" && c["mallocs"] == c["frees"]' "xmalloc --symmetric runs with one thread (a ring to itself)"
"$prog" --workload larson --threads 2 --no-respawn --quick >"$TMP/norespawn.csv"
check "$TMP/norespawn.csv" 'c["status"] == "ok" && c["respawn"] == 0 && c["respawns"] == 0' "larson --no-respawn: no thread respawns"
is "$(v ops "$TMP/norespawn.csv") $(v max_block_bytes "$TMP/norespawn.csv")" \
    "$(v ops "$TMP/glibc-larson.csv") $(v max_block_bytes "$TMP/glibc-larson.csv")" "larson --no-respawn does the same operations"
"$prog" --workload malloc-large --order refill --sizes uniform:1m:2m --live 3 --label large-1-2m --quick >"$TMP/refill.csv"
check "$TMP/refill.csv" 'c["status"] == "ok" && c["order"] == "refill" && c["workload"] == "large-1-2m" && c["sizes"] == "uniform:1m:2m" &&
    c["min_block_bytes"] >= 2^20 && c["max_block_bytes"] <= 2^21 && c["live_blocks"] == 3' \
    "malloc-large --order refill --sizes --live --label: as asked"
# The same seed, the same operations; another seed, others.
"$prog" --workload malloc-large --quick >"$TMP/s1.csv"
"$prog" --workload malloc-large --quick --seed 7 >"$TMP/s7.csv"
is "$(v min_block_bytes "$TMP/s1.csv"),$(v max_block_bytes "$TMP/s1.csv")" \
    "$(v min_block_bytes "$TMP/glibc-malloc-large.csv"),$(v max_block_bytes "$TMP/glibc-malloc-large.csv")" "the same seed draws the same buffers"
[ "$(v max_block_bytes "$TMP/s7.csv")" != "$(v max_block_bytes "$TMP/s1.csv")" ]; ok $? "another seed draws others"

# A failure is a row with its status, not a crash: the floor's region (8 MiB) cannot hold
# malloc-large's first buffer (the main thread) nor alloc-test's live sets (the workers).
floor=(env LD_PRELOAD="$BUILD/floor.so" LAB_ALLOCATOR=floor LAB_ALLOCATOR_LIB="$BUILD/floor.so" LAB_FLOOR_MIB=8)
for w in malloc-large alloc-test; do
    t=(); is_threaded $w && t=(--threads 2)
    "${floor[@]}" timeout 20 "$prog" --workload $w "${t[@]}" --quick >"$TMP/floor.csv" 2>"$TMP/floor.err"
    ok $? "floor, 8 MiB: $w exits 0"
    check "$TMP/floor.csv" 'c["status"] == "malloc_null" && c["ops"] == "nan" && c["elapsed_s"] == "nan"' "floor, 8 MiB: $w writes a malloc_null row"
    grep -q "stopped: malloc_null" "$TMP/floor.err"; ok $? "floor, 8 MiB: $w says why on stderr"
done
# xmalloc in 1 MiB: whether a producer runs out or not (the floor rewinds only when nothing
# is live), the consumers waiting for it never hang.
"${floor[@]}" LAB_FLOOR_MIB=1 timeout 20 "$prog" --workload xmalloc --threads 2 --quick >"$TMP/floor.csv" 2>/dev/null
ok $? "floor, 1 MiB: xmalloc exits 0"
check "$TMP/floor.csv" 'c["status"] == "ok" || c["status"] == "malloc_null"' "floor, 1 MiB: xmalloc writes its row"

# --describe: one row per workload, with where it came from and how ours differs.
"$prog" --describe >"$TMP/describe"
is "$(awk -F'|' 'NR > 2 { gsub(/ /, "", $2); print $2 }' "$TMP/describe" | paste -sd' ')" "$workloads" "--describe lists the 8 workloads"
is "$(awk -F'|' 'NR > 2 && NF != 9' "$TMP/describe" | wc -l)" 0 "--describe: 7 cells in every row"
grep -q 'ISMM 1998' "$TMP/describe" && grep -q 'ASPLOS 2000' "$TMP/describe" && grep -q 'mimalloc-bench' "$TMP/describe" &&
    grep -q 'bench-malloc-simple.c' "$TMP/describe" && grep -q 'bench-malloc-thread.c' "$TMP/describe"
ok $? "--describe names the sources"
grep -q '^| alloc-test |.*| 100000 live per thread;' "$TMP/describe"; ok $? "--describe: alloc-test's live set is 100k blocks per thread"
grep -q '^| malloc-large |.*| `uniform:5m:25m` | 20 live;' "$TMP/describe"; ok $? "--describe: malloc-large keeps 20 buffers of 5-25 MiB"
! "$prog" --quick --describe | cmp -s - "$TMP/describe"; ok $? "--describe --quick gives the QUICK amounts"

# --cases: every workload; the threaded ones at the CPUs, those the original oversubscribes
# at twice as many too; the flags spelled out.
"$prog" --cases >"$TMP/cases"
is "$(awk '!seen[$2]++ { print $2 }' "$TMP/cases" | paste -sd' ')" "$workloads" "--cases: every workload"
want=$(for w in larson xmalloc cache-scratch cache-thrash glibc-thread; do
    echo "$w $([ $w = xmalloc ] && [ $nproc -lt 2 ] && echo 2 || echo $nproc) $((2 * nproc))"; done; echo "alloc-test $nproc")
is "$(awk '$3 == "--threads" { t[$2] = t[$2] " " $4 } END { for (w in t) print w t[w] }' "$TMP/cases" | sort)" "$(sort <<<"$want")" \
    "--cases: threads at the CPUs ($nproc) and twice as many where the original oversubscribes"
grep -q -- '--workload larson .*--respawn$' "$TMP/cases" && grep -q -- '--workload xmalloc .*--no-symmetric$' "$TMP/cases" &&
    grep -q -- '--workload malloc-large --order replace$' "$TMP/cases"
ok $? "--cases spells out the default of each flag (a missing allocator's rows record it)"
# QUICK: the same cases at the CPUs only (the oversubscribed ones are the full run's).
if [ "$nproc" -ge 2 ]; then
    grep -v -- "--threads $((2 * nproc))\( \|\$\)" "$TMP/cases" | cmp -s - <("$prog" --quick --cases)
    ok $? "QUICK runs the same cases at the CPUs only, smaller"
fi

# -h and --help: the usage on stdout, nothing on stderr, exit 0.
for h in -h --help; do
    out=$("$prog" $h 2>"$TMP/err"); rc=$?
    [ $rc -eq 0 ] && [ ! -s "$TMP/err" ] && [[ $out == usage:* ]] && grep -q -- '--no-respawn' <<<"$out"
    ok $? "$h: the usage on stdout, exit 0"
done

# Bad input: one line naming the value and what is allowed, exit 2, no data.
bad() {  # bad 'pattern' NAME -- args...
    local pattern=$1 name=$2; shift 3
    fails_with 2 "^07-classics: error: $pattern" "$name" -- "$prog" "$@"
    is "$("$prog" "$@" 2>&1 >"$TMP/bad.out" | wc -l),$(wc -c <"$TMP/bad.out")" "1,0" "  ... in one line, with no data"
}
bad "unknown workload 'hoard': expected one of larson, xmalloc, cache-scratch" "unknown workload" -- --workload hoard
bad "--workload is required" "no workload" -- --threads 2
bad "--threads '0' is not allowed: expected an integer from 1 to 1024" "--threads 0" -- --workload larson --threads 0
bad "--threads 'two' is not allowed: expected an integer" "--threads two" -- --workload larson --threads two
bad "--threads is not allowed with --workload malloc-large" "--threads for a one-thread workload" -- --workload malloc-large --threads 2
bad "--threads '1' is not allowed with --workload xmalloc: one-way needs 2 or more" "xmalloc one-way with one thread" -- \
    --workload xmalloc --threads 1
bad "--live '0' is not allowed: expected an integer from 1 to 1024" "--live 0" -- --workload malloc-large --live 0
bad "--live needs a value" "--live without a value" -- --workload malloc-large --live
bad "unknown --order 'bogus': expected one of replace, refill" "--order bogus" -- --workload malloc-large --order bogus
bad "--order needs a value: expected one of replace, refill" "--order without a value" -- --workload malloc-large --order
bad "--steps '0' is not allowed: expected an integer from 1 to 1m" "--steps 0" -- --workload malloc-large --steps 0
bad "--sizes 'uniform:9:8' is not allowed: uniform bounds" "--sizes with LO > HI" -- --workload malloc-large --sizes uniform:9:8
bad "--sizes 'pareto:1:2' is not allowed: expected uniform:LO:HI" "--sizes of an unknown kind" -- --workload malloc-large --sizes pareto:1:2
bad "--sizes 'uniform:1m:2g' is not allowed: blocks of at most 1g" "--sizes beyond 1 GiB" -- --workload malloc-large --sizes uniform:1m:2g
bad "--sizes is not allowed with --workload larson: it applies to malloc-large only" "--sizes for larson" -- --workload larson --sizes uniform:8:16
bad "--order is not allowed with --workload alloc-test" "--order for alloc-test" -- --workload alloc-test --order refill
bad "--symmetric is not allowed with --workload larson: it applies to xmalloc only" "--symmetric for larson" -- --workload larson --symmetric
bad "--no-respawn is not allowed with --workload xmalloc: it applies to larson only" "--no-respawn for xmalloc" -- --workload xmalloc --no-respawn
bad "--symmetric and --no-symmetric: give one of them" "--symmetric both ways" -- --workload xmalloc --symmetric --no-symmetric
bad "--respawn and --no-respawn: give one of them" "--respawn both ways" -- --workload larson --no-respawn --respawn
bad "--symmetric takes no value: '--symmetric=1'" "--symmetric is a flag" -- --workload xmalloc --symmetric=1
bad "--label 'Big' is not allowed" "--label in capitals" -- --workload larson --label Big
bad "unexpected argument 'extra'" "a stray argument" -- --workload larson extra
fails_with 3 "allocator 'mimalloc' expected .* but malloc is live in" "a preload that did not take is an error" -- \
    env LAB_ALLOCATOR=mimalloc LAB_ALLOCATOR_LIB=/lib/x86_64-linux-gnu/libmimalloc.so.2 "$prog" --workload larson --quick

# Sanitizers: ASan+UBSan (every block freed, no overflow) and TSan (the stacks, the start
# and the hand-offs between larson's threads are race-free), every workload at QUICK size,
# 2 threads where it takes --threads, under glibc.
if gcc -std=gnu11 -O1 -g -pthread -fsanitize=address,undefined -fno-sanitize-recover=all \
       -o "$TMP/asan" chapters/07-classics/07-classics.c -lm 2>"$TMP/cc.err" &&
   gcc -std=gnu11 -O1 -g -pthread -fsanitize=thread -o "$TMP/tsan" chapters/07-classics/07-classics.c -lm 2>>"$TMP/cc.err"; then
    for san in asan tsan; do
        for w in $workloads; do
            t=(); is_threaded $w && t=(--threads 2)
            extra=(); [ $w = xmalloc ] && extra=(--symmetric)
            bad=0
            for e in "" "${extra[@]}"; do
                "$TMP/$san" --workload $w "${t[@]}" $e --quick >"$TMP/san.csv" 2>"$TMP/san.err" || bad=1
                grep -qE 'ERROR|WARNING: ThreadSanitizer|runtime error' "$TMP/san.err" && bad=1
                [ "$(v status "$TMP/san.csv")" = ok ] || bad=1
            done
            ok $bad "$san: $w is clean" || head -5 "$TMP/san.err" | sed 's/^/# /'
        done
    done
else
    ok 1 "sanitizer builds compile"; sed 's/^/# /' "$TMP/cc.err" | head -5
fi
done_testing
