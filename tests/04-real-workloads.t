#!/bin/bash
# Chapter 4 at QUICK size into a temporary directory (simulators, replays, real runs, the
# book), and a short bounded fuzz run of the trace reader. The trace tools' own tests are
# in trace.t.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
B=$BUILD/04-real-workloads
prog=$B/04-real-workloads
out=$TMP/quick

reference_snapshot >"$TMP/reference"
make -s QUICK=1 OUT="$out" REPS=2 04 >"$TMP/log" 2>&1
ok $? "make 04 QUICK=1 runs the chapter and renders the book" || tail -20 "$TMP/log" | sed 's/^/# /'
D=$out/data/04-real-workloads
is "$(head -1 "$D/04-real-workloads.csv")" "$("$prog" --header)" "the simulators' CSV has the program's header"
ncols=$(head -1 "$D/04-real-workloads.csv" | tr , '\n' | wc -l)
is "$(head -1 "$D/replay.csv" | cut -d, -f1-"$ncols")" "$(head -1 "$D/04-real-workloads.csv")" "the replay's CSV has chapter 1's columns first"
installed=$(for a in glibc jemalloc tcmalloc mimalloc tbbmalloc; do common/allocators lib $a >/dev/null 2>&1 && echo $a; done)
for a in $installed; do
    is "$(awk -F, -v a=$a '$1 == a && $5 == "ok"' "$D/04-real-workloads.csv" | wc -l)" 6 "$a: 3 simulators x 2 repetitions, all ok"
    is "$(awk -F, -v a=$a '$1 == a && $5 == "ok"' "$D/replay.csv" | wc -l)" 4 "$a: 2 traces x 2 replays, all ok"
    is "$(awk -F, -v a=$a '$1 == a && $4 == "ok"' "$D/real.csv" | wc -l)" 2 "$a: 2 real programs, ok"
done
grep -q '^| python |' "$out/gen/04-real-workloads/fidelity.md"; ok $? "the fidelity table has a row per program"

# The counts passes (callgrind, QUICK: glibc and mimalloc, where installed): every row
# counted; the real run counts the program's own processes (sqlite3 under sh), far more
# than its replay; the allocators' counts differ; the fidelity table compares the changes.
ir() { awk -F, -v a="$2" -v w="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
       $c["allocator"] == a && $c["workload"] == w && $c["status"] == "ok" { print $c["ir"] }' "$D/counts-$1.csv"; }
counted=$(for a in glibc mimalloc; do common/allocators lib $a >/dev/null 2>&1 && echo $a; done)
for f in sims replay real startup; do
    is "$(rows "$D/counts-$f.csv" --where 'tool=callgrind,status=ok,ir>0')" "$(rows "$D/counts-$f.csv")" "counts-$f.csv: every row counted, ok"
done
for a in $counted; do
    ok $(awk -v r="$(ir real $a sqlite)" -v p="$(ir replay $a sqlite)" 'BEGIN { exit !(r > 5 * p && p > 0) }'; echo $?) \
        "$a: sqlite's real run counts its processes, more than 5x its replay's instructions"
done
if [ "$(echo $counted | wc -w)" = 2 ]; then
    ok $(awk -v g="$(ir real glibc sqlite)" -v m="$(ir real mimalloc sqlite)" 'BEGIN { exit !(g != m) }'; echo $?) "the real run's counts differ between allocators"
    grep -qE '^\| sqlite \|.*\| 1 of 1 \| [0-9.]+ M \(mimalloc; [0-9.]+% of its real change\) \|$' "$out/gen/04-real-workloads/fidelity.md"
    ok $? "the fidelity table: the replay's change of instructions against the real run's"
fi
grep -q '^| kv-store | glibc |' "$out/gen/04-real-workloads/counts-sims.md"; ok $? "the simulators' counts table"

# --units: a fixed number of units, the same calls in every run; a bad count is an error.
units() { "$prog" --workload json-tree --quick --units "$1" --lat-units 0 2>/dev/null | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["ops"] }'; }
a=$(units 50); b=$(units 50); c=$(units 100)
ok $(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { exit !(a > 0 && a == b && c > a) }'; echo $?) "--units: the same calls twice ($a, $b), more for more units ($c)"
fails_with 2 "^04-real-workloads: error: --units '0'" "--units 0" -- "$prog" --workload kv-store --units 0
for f in sims fidelity fidelity-ir; do
    rsvg-convert "$out/figures/04-real-workloads/$f.svg" -o "$TMP/$f.png" 2>/dev/null; ok $? "figure $f.svg renders"
done
ok $(grep -qE 'Figure [0-9]+\.3' "$out/book.html"; echo $?) "the book numbers chapter 4's three figures"
reference_snapshot | cmp -s - "$TMP/reference"; ok $? "QUICK never touches data/ or figures/"

# Every real program runs as its command says (QUICK runs two of them; a command that
# stopped working, e.g. a script it reads that changed, shows here, not in the next full run).
export HEAPLAB_PROGRAMS=chapters/04-real-workloads/programs.tsv
for w in $(grep -v '^#' "$HEAPLAB_PROGRAMS" | cut -f1); do
    is "$("$BUILD/trace/realrun" --workload "$w" --rep 1 2>"$TMP/real.err" | awk -F, 'NR == 2 { print $4 }')" ok "realrun --workload $w: the program runs, status ok" ||
        sed 's/^/# /' "$TMP/real.err"
done

# The overhead passes: common/run under the tools' wrappers; their summaries are the book's.
tools() { "$BUILD/summarize" select "$1" --where rep=1 | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "tool") t = i; next } { print $t }' | paste -sd' '; }
for f in loop cc1; do
    is "$(tools "$D/overhead-$f.csv")" "none heaptrace heaptrack" "overhead-$f.csv: each run under one wrapper, named in 'tool'"
done
is "$(rows "$D/overhead-loop.csv" --where 'status=ok,tool=none|heaptrace,ns_per_call>0')" "$(rows "$D/overhead-loop.csv" --where 'tool=none|heaptrace')" \
    "the loop times itself: a time per call in every run without a tool and under heaptrace.so"
is "$(rows "$D/overhead-cc1.csv" --where 'tool=heaptrace,status=ok,recorded_calls>100000')" "$(rows "$D/overhead-cc1.csv" --where tool=heaptrace)" \
    "cc1 under heaptrace.so: the calls it recorded, in every run"
for f in loop ltrace cc1 dry; do
    # (a summary's status: "ok", or e.g. "2 timeout" or "3 ok; 4 crashed_PIPE")
    ok $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "status") s = i; next }
                  { n = split($s, part, "; ")
                    for (k = 1; k <= n; k++) { sub(/^[0-9]+ /, "", part[k])
                        if (part[k] !~ /^(ok|timeout|crashed_[A-Z]+|unavailable: .*)$/) bad = 1 } }
                  END { exit bad }' "$D/overhead-$f.summary.csv"; echo $?) \
        "overhead-$f.summary.csv: a tool without a time says why (timeout, a crash, unavailable: ...)"
done
is "$("$BUILD/summarize" select "$D/overhead-dry.summary.csv" --where metric=replay_overhead_ns | tail -n +2 | cut -d, -f1 | paste -sd' ')" \
    "gcc python sqlite gnuplot xz-threads python-dict" "the replayer's own cost per trace, and of the long trace recorded on the spot"

# A thread that cannot be created (thread stacks of 1 GiB in 512 MiB of address space) is
# a failure row, as a failing allocator's is, and the run goes on: it used to end the run.
out=$( (ulimit -s 1048576 && ulimit -v 524288 && "$prog" --workload web-server --quick --threads 2) 2>"$TMP/thread.err"); rc=$?
is "$rc" 0 "a thread that cannot be created: exit 0, so the runner goes on"
is "$(printf '%s\n' "$out" | awk -F, 'NR == 2 { print $1, $2, $3, $5, $6 }')" "glibc web-server 2 no_thread nan" "and a row with status no_thread, its measurements nan (failed)"
grep -q "cannot create thread 2 of 2" "$TMP/thread.err"; ok $? "and one line on stderr says which thread"
out=$( (ulimit -s 1048576 && ulimit -v 524288 && "$prog" --workload kv-store --quick) 2>/dev/null)
is "$(printf '%s\n' "$out" | awk -F, 'NR == 2 { print $5 }')" ok "the same limits leave a one-thread workload alone"

# The simulators' command line: help on stdout; a missing, bad or repeated value and a
# size the machine cannot hold, one line each, exit 2, before anything runs.
for h in -h --help; do
    out=$("$prog" $h 2>"$TMP/h.err"); rc=$?
    [ $rc -eq 0 ] && [[ $out == usage:* ]] && [ ! -s "$TMP/h.err" ]; ok $? "04-real-workloads $h: usage on stdout, exit 0"
done
cli() {  # cli 'pattern' NAME -- args...
    local pattern=$1 name=$2; shift 3
    local err rc
    err=$("$prog" "$@" 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && printf '%s\n' "$err" | grep -qE -- "$pattern"
    ok $? "$name" || printf '#   exit %s, stderr: %s\n' "$rc" "$err"
}
cli "--threads needs a value: expected an integer from 1 to 64" "--threads without its value" -- --workload web-server --threads
cli "workload needs a value" "--workload without its value" -- --workload
cli "--size '11m' is not allowed: expected an integer from 1 to 10m" "--size beyond 10m" -- --workload kv-store --size 11m
cli "--size is given twice" "a repeated option" -- --workload kv-store --size 1k --size 2k
cli "json-tree's 10485760 kept trees need up to [0-9.]+ GiB .*more than MemAvailable" "a size the machine cannot hold is refused up front" -- --workload json-tree --size 10m

# A short bounded fuzz run of the trace reader (libFuzzer), seeded with the heads of the
# real traces and the crafted traces of tests/trace_craft.py.
if command -v clang >/dev/null && make -s build/trace/trace_fuzz 2>/dev/null; then
    mkdir -p "$TMP/corpus"; for t in $B/traces/*.htr; do head -c 4000 "$t" >"$TMP/corpus/$(basename "$t")"; done
    python3 tests/trace_craft.py "$TMP/corpus"
    "$BUILD/trace/trace_fuzz" -max_total_time=10 -max_len=4096 -rss_limit_mb=1024 -artifact_prefix="$TMP/" "$TMP/corpus" >"$TMP/fuzz.log" 2>&1
    ok $? "10 s of fuzzing the trace reader find no crash" || tail -5 "$TMP/fuzz.log" | sed 's/^/# /'
else
    ok 1 "clang with libFuzzer is needed for the fuzz run"
fi
done_testing
