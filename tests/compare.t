#!/bin/bash
# make compare: a small real program (sqlite3 building a table and an index) under glibc
# and mimalloc, 2 runs each, counted by callgrind; the report and its data; every bad
# input in one line, with nothing written; a failing command leaves the previous report.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
out=$TMP/cmp/sq
sql="create table t(k integer primary key, v text); with recursive c(i) as (select 1 union all select i + 1 from c where i < 3000) insert into t select i, hex(randomblob(i % 64 + 1)) from c; create index tv on t(v); select count(*) from t;"
alloc="glibc mimalloc"; common/allocators lib mimalloc >/dev/null 2>&1 || alloc=glibc
common/compare --name sq --reps 2 --allocators "$alloc" --out "$out" -- sqlite3 :memory: "$sql" >"$TMP/log" 2>&1
ok $? "compare runs sqlite3 under $alloc and writes its report" || tail -20 "$TMP/log" | sed 's/^/# /'
for f in report.html report.md sq.csv sq.summary.csv env.txt replay.csv profile.csv counts-real.csv counts-replay.csv \
         sq.htr.xz ratios.svg sizes.svg lifetimes.svg live.svg; do
    [ -s "$out/$f" ]; ok $? "it writes $f"
done
for a in $alloc; do
    is "$(rows "$out/sq.csv" --where "allocator=$a,status=ok")" 2 "$a: 2 real runs, ok"
    is "$(rows "$out/replay.csv" --where "allocator=$a,status=ok")" 2 "$a: 2 replays, ok"
    is "$(rows "$out/counts-real.csv" --where "allocator=$a,status=ok")" 1 "$a: the real command counted once"
done
is "$(rows "$out/replay.csv" --where "allocator=floor,status=ok")" 2 "the replay runs on the floor too"
# sqlite3 allocates its 3000 rows' strings: the profile counts the calls the real program made
calls=$(awk -F, '$1 == "calls" { c += $3 } END { print c }' "$out/profile.csv")
ok $([ "${calls:-0}" -gt 6000 ]; echo $?) "the profile counts the program's calls ($calls)"
grep -q '^summary,threads,1$' "$out/profile.csv"; ok $? "and one thread"
html=$(cat "$out/report.html")
[[ $html == *'id="verdict"'* && $html == *"sqlite3 :memory: &#39;create table t"* && $(grep -o 'data:image/svg+xml' <<<"$html" | wc -l) -eq 4 ]]
ok $? "the report has its verdict, the command as typed, its four figures inline"
grep -qE '^\| sq \|' "$out/gen/fidelity.md"; ok $? "and the replay against the real runs"
# The verdict claims a difference only where the interval excludes none.
if [ "$alloc" != glibc ]; then
    lo=$(awk -F, '$1 == "mimalloc" && $3 == "elapsed_s" { print $15 }' "$out/sq.summary.csv")
    hi=$(awk -F, '$1 == "mimalloc" && $3 == "elapsed_s" { print $16 }' "$out/sq.summary.csv")
    line=$(grep '^| mimalloc |' "$out/report.md")
    if awk -v l="$lo" -v h="$hi" 'BEGIN { exit !(l <= 1 && h >= 1) }'; then
        [[ $line == *"no difference this machine can resolve"* ]]; ok $? "an interval holding 1: no difference claimed ($line)"
    else
        [[ $line == *"faster by"* || $line == *"slower by"* ]]; ok $? "an interval excluding 1: the change with its interval ($line)"
    fi
    [[ $line =~ [+−][0-9.]+\ M\ \([+−][0-9.]+%\) ]]; ok $? "the instruction change, signed, in M and % ($line)"
fi

# A program whose answer is known (tests/compare_known.c), twice at once (fork, threads),
# against glibc and glibc made slower by a shim (tests/compare_slow.c: 2 us a call).
cflags=${LAB_CFLAGS:--std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread -fno-builtin-malloc -fno-builtin-calloc -fno-builtin-realloc -fno-builtin-free}
# shellcheck disable=SC2086
gcc $cflags -pthread -o "$TMP/known" tests/compare_known.c && gcc -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -shared -o "$TMP/slow.so" tests/compare_slow.c
ok $? "the known program and the slow shim build"
K=$TMP/cmp/known
common/compare --name known --reps 3 --allocators "glibc slow=$TMP/slow.so" --valgrind 0 --out "$K" \
    --shell "$TMP/known >/dev/null & $TMP/known; wait" >"$TMP/known.log" 2>&1
ok $? "compare runs the known program, two processes at once" || tail -5 "$TMP/known.log" | sed 's/^/# /'
p() { awk -F, -v k="$1" -v key="$2" '$1 == k && $2 == key { print $3 }' "$K/profile.csv"; }
is "$(p size_le_bytes 4095)" 100000 "the profile counts its 100000 blocks of 2500 bytes (2049-4095)"
is "$(p summary threads)" 2 "  ... its two threads"
is "$(p summary cross_thread_frees)" 1000 "  ... and the 1000 frees of blocks the other thread allocated"
grep -q 'which traced 3 process(es)' "$K/report.md"; ok $? "the recorder traced the shell and both processes"
line=$(grep '^| slow |' "$K/report.md")
[[ $line == "| slow | slower by "* ]]; ok $? "the slowed allocator is found slower, with its interval ($line)"
grep -q '^\*\*No allocator makes this program faster' "$K/report.md"; ok $? "and the verdict recommends none"
tree=$(awk -F, '$1 == "glibc" && $3 == "tree_peak_rss_kib" { print $6 }' "$K/known.summary.csv")
one=$(awk -F, '$1 == "glibc" && $3 == "peak_rss_kib" { print $6 }' "$K/known.summary.csv")
ok $(awk -v t="$tree" -v o="$one" 'BEGIN { exit !(t >= o) }'; echo $?) "the tree's peak RSS is at least the largest process's ($tree >= $one KiB)"

# A statically linked command: nothing can be traced, and the report says so; the real runs still run.
if gcc -static -O2 -pthread -o "$TMP/static" tests/compare_known.c 2>/dev/null; then
    common/compare --name st --reps 2 --allocators glibc --valgrind 0 --out "$TMP/cmp/st" -- "$TMP/static" >"$TMP/st.log" 2>&1
    ok $? "a static command: compare still completes" || tail -5 "$TMP/st.log" | sed 's/^/# /'
    grep -q "tracing is impossible: nothing the command runs could be traced" "$TMP/st.log"; ok $? "  ... says tracing is impossible"
    grep -q '^\*\*No allocator can be compared on this program\*\*: .*statically linked' "$TMP/cmp/st/report.md"; ok $? "  ... and the report says why"
    is "$(rows "$TMP/cmp/st/st.csv" --where status=ok)" 2 "  ... after its real runs"
else
    ok 1 "gcc -static (libc6-dev's libc.a) is needed for the static command's test"
fi
fails_with 2 "^compare: error: --out '/proc/heaplab/x': cannot write in /proc/heaplab" "an unwritable output directory: one line, before any run" -- \
    common/compare --out /proc/heaplab/x -- true

# A failing command: exit non-zero, the previous report kept.
before=$(md5sum "$out/report.html")
common/compare --name sq --reps 2 --allocators glibc --out "$out" --valgrind 0 -- sh -c 'exit 3' >"$TMP/fail.log" 2>&1
ok $([ $? -ne 0 ]; echo $?) "a command that fails: compare fails"
grep -q "the command failed under the recorder (exit 3): nothing compared" "$TMP/fail.log"; ok $? "  ... and says so, before any real run"
is "$(md5sum "$out/report.html")" "$before" "  ... and the previous report is kept"
# VALGRIND=0: no counts, and the report says why.
common/compare --name v0 --reps 2 --allocators glibc --out "$TMP/cmp/v0" --valgrind 0 -- sqlite3 :memory: "select 1;" >/dev/null 2>&1
ok $([ ! -e "$TMP/cmp/v0/counts-real.csv" ] && grep -q 'were skipped: --valgrind 0' "$TMP/cmp/v0/report.md"; echo $?) \
    "--valgrind 0: no counts, and the report says they were skipped"

# make passes CMD to the shell verbatim: a $1 and quotes survive.
make -n compare CMD='awk "{ print $1 }" /etc/hostname' NAME=x >"$TMP/n" 2>&1
grep -qF -- "--shell 'awk \"{ print \$1 }\" /etc/hostname'" "$TMP/n"; ok $? "make compare: CMD reaches the shell verbatim" || sed 's/^/# /' "$TMP/n"
# and quoted words come back as typed
bash -c '. <(sed -n "/^quote() /p" common/compare); for w in "$@"; do quote "$w"; done | paste -sd" "' - a "b c" "it's" >"$TMP/q"
is "$(cat "$TMP/q")" "a 'b c' 'it'\''s'" "compare quotes CMD's words as a reader would type them"
fails_with 2 "CMD is empty: expected the command to compare" "make compare without CMD" -- make -s compare

# Bad input: one line, exit 2, nothing written.
C="common/compare --out $TMP/cmp/bad"
fails_with 2 "^compare: error: expected the command to compare" "no command" -- $C
fails_with 2 "^compare: error: --reps '1' is not allowed: expected an integer from 2 to 100" "--reps 1" -- $C --reps 1 -- true
fails_with 2 "^compare: error: --name 'a/b' is not allowed" "a bad --name" -- $C --name a/b -- true
fails_with 2 "^compare: error: --valgrind 'yes' is not allowed: expected 0 or 1" "a bad --valgrind" -- $C --valgrind yes -- true
fails_with 2 "^compare: error: --valgrind-max 'x' is not allowed" "a bad --valgrind-max" -- $C --valgrind-max x -- true
fails_with 2 "lacks glibc: every ratio is against glibc" "allocators without glibc" -- $C --allocators mimalloc -- true
fails_with 2 "^compare: error: --shell and -- CMD exclude each other" "--shell and a command" -- $C --shell true -- true
fails_with 2 "holds a newline or a tab" "a command with a tab" -- $C --shell "$(printf 'a\tb')"
fails_with 2 "^compare: error: unknown option '--bogus'" "an unknown option" -- $C --bogus
ok $([ ! -e "$TMP/cmp/bad" ]; echo $?) "and nothing was written"
out=$(common/compare --help); rc=$?
[ $rc -eq 0 ] && [[ $out == "common/compare [options]"* ]]; ok $? "--help: usage on stdout, exit 0"
out=$(common/compare-report --help); [ $? -eq 0 ] && [[ $out == common/compare-report* ]]; ok $? "compare-report --help"
done_testing
