#!/bin/bash
# Chapter 4 at QUICK size into a temporary directory (simulators, replays, real runs, the
# book); the recorder's round trip on a program with a known allocation stream; every bad
# input of the trace tools; and a short bounded fuzz run of the trace reader.
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
is "$(head -1 "$D/replay.csv" | cut -d, -f1-30)" "$(head -1 "$D/04-real-workloads.csv")" "the replay's CSV has chapter 1's columns first"
installed=$(for a in glibc jemalloc tcmalloc mimalloc tbbmalloc; do common/allocators lib $a >/dev/null 2>&1 && echo $a; done)
for a in $installed; do
    is "$(awk -F, -v a=$a '$1 == a && $5 == "ok"' "$D/04-real-workloads.csv" | wc -l)" 6 "$a: 3 simulators x 2 repetitions, all ok"
    is "$(awk -F, -v a=$a '$1 == a && $5 == "ok"' "$D/replay.csv" | wc -l)" 4 "$a: 2 traces x 2 replays, all ok"
    is "$(awk -F, -v a=$a '$1 == a && $4 == "ok"' "$D/real.csv" | wc -l)" 2 "$a: 2 real programs, ok"
done
grep -q '^| python |' "$D/fidelity.table.md"; ok $? "the fidelity table has a row per program"
for f in sims fidelity; do
    rsvg-convert "$out/figures/04-real-workloads/$f.svg" -o "$TMP/$f.png" 2>/dev/null; ok $? "figure $f.svg renders"
done
ok $(grep -qE 'Figure [0-9]+\.2' "$out/book.html"; echo $?) "the book numbers chapter 4's two figures"
reference_snapshot | cmp -s - "$TMP/reference"; ok $? "QUICK never touches data/ or figures/"

# Round trip: a program with a known stream (its own calls have sizes 1000..1099).
gcc -O0 -pthread -fno-builtin -o "$TMP/known" tests/trace_known.c
mkdir -p "$TMP/k"
"$B/trace" record --out "$TMP/k" -- "$TMP/known"
ok $? "the traced program runs to exit 0"
f=$(ls "$TMP"/k/heaptrace.*.htr)
"$B/trace" dump "$f" >"$TMP/dump.csv"
is "$(awk -F, '$3 >= 1000 && $3 < 1100 { printf "%s:%s:%s ", $1, $3, $4 }' "$TMP/dump.csv")" \
   "malloc:1000:0 malloc:1001:0 malloc:1002:0 malloc:1003:0 malloc:1004:0 malloc:1005:0 malloc:1006:0 malloc:1007:0 malloc:1008:0 malloc:1009:0 calloc:1010:0 realloc:1020:0 realloc:1021:0 reallocarray:1030:0 posix_memalign:1040:64 aligned_alloc:1024:128 memalign:1050:256 valloc:1060:4096 pvalloc:1070:4096 " \
   "every call of the known program is recorded once, in order, with its size and alignment"
main=$(awk -F, '$3 == 1000 { print $2 }' "$TMP/dump.csv")
is "$(awk -F, -v m="$main" 'NR > 1 && $2 != m && $1 == "free" && $6 != "0"' "$TMP/dump.csv" | wc -l)" 10 "the second thread's 10 frees carry its own thread id"
"$B/trace" info "$f" >"$TMP/info.csv"; ok $? "trace info reads it"
grep -q '^summary,threads,2$' "$TMP/info.csv"; ok $? "info counts 2 threads"
grep -q '^summary,unmatched_frees,0$' "$TMP/info.csv"; ok $? "and no unmatched frees"
"$B/replay" --trace "$f" >"$TMP/replay.csv"; ok $? "the trace replays"
is "$(awk -F, 'NR == 2 { print $3, $5 }' "$TMP/replay.csv")" "2 ok" "on 2 threads, status ok"

# Bad input: one line with the byte offset and the reason, exit 2, never a crash.
python3 - "$f" "$TMP" <<'PY'
import sys, struct
data = open(sys.argv[1], 'rb').read(); d = sys.argv[2]
open(d + '/trunc.htr', 'wb').write(data[:len(data) - 7])
open(d + '/magic.htr', 'wb').write(b'NOTTRACE' + data[8:])
open(d + '/version.htr', 'wb').write(data[:8] + struct.pack('<I', 9) + data[12:])
open(d + '/short.htr', 'wb').write(data[:20])
hl = 32 + struct.unpack('<I', data[12:16])[0]
bad = bytearray(data); bad[hl + 16 + 36] = 77
open(d + '/op.htr', 'wb').write(bytes(bad))
# an unknown free: a header, one chunk of one free of 0x1234
rec = struct.pack('<QQQQIHH', 1, 0, 0, 0x1234, 0, 2, 0)
open(d + '/unknown.htr', 'wb').write(data[:hl] + struct.pack('<IIQ', 7, 1, 0) + rec)
PY
fails_with 2 "byte [0-9]+: chunk of thread [0-9]+ claims [0-9]+ records, file ends first" "a truncated trace" -- "$B/trace" info "$TMP/trunc.htr"
fails_with 2 "byte 0: bad magic" "a file that is not a trace" -- "$B/trace" info "$TMP/magic.htr"
fails_with 2 "byte 8: version 9, this reader reads version 1" "a wrong version" -- "$B/replay" --trace "$TMP/version.htr"
fails_with 2 "byte 20: truncated header" "a truncated header" -- "$B/trace" info "$TMP/short.htr"
fails_with 2 "byte [0-9]+: unknown operation 77" "a corrupt record" -- "$B/trace" info "$TMP/op.htr"
fails_with 2 "cannot open trace '/nonexistent.htr'" "a missing file" -- "$B/trace" info /nonexistent.htr
"$B/trace" info "$TMP/unknown.htr" | grep -q '^summary,unmatched_frees,1$'; ok $? "a free of an unknown pointer is counted"
is "$("$B/replay" --trace "$TMP/unknown.htr" | awk -F, 'NR == 2 { print $NF }')" 1 "and the replay reports it"
fails_with 2 "unknown workload 'emacs'" "an unknown program" -- "$B/replay" --workload emacs

# The recorder never kills the program: an unwritable directory, no directory, a static program.
err=$(HEAPTRACE_DIR=/nonexistent/dir LD_PRELOAD=$B/heaptrace.so "$TMP/known" 2>&1); rc=$?
is "$rc" 0 "an unwritable output directory: the program still exits 0"
[[ $err == *"heaptrace: cannot create /nonexistent/dir/heaptrace."*"untraced"* ]]; ok $? "with one clear line ($err)"
err=$(env -u HEAPTRACE_DIR LD_PRELOAD=$B/heaptrace.so "$TMP/known" 2>&1); rc=$?
[ $rc -eq 0 ] && [[ $err == *"HEAPTRACE_DIR is not set"* ]]; ok $? "no output directory: a clear line, exit 0"
if gcc -static -O0 -o "$TMP/static" tests/trace_known.c -pthread 2>/dev/null; then
    err=$("$B/trace" record --out "$TMP/k" -- "$TMP/static" 2>&1); rc=$?
    [ $rc -eq 0 ] && [[ $err == *"is statically linked"*"running it untraced"* ]]; ok $? "a static program: a clear line, and it runs"
fi

# A short bounded fuzz run of the trace reader (libFuzzer), seeded with real traces.
if command -v clang >/dev/null && make -s build/04-real-workloads/trace_fuzz 2>/dev/null; then
    mkdir -p "$TMP/corpus"; cp "$TMP"/*.htr "$TMP/corpus/"; head -c 4000 "$f" >"$TMP/corpus/head.htr"
    "$B/trace_fuzz" -max_total_time=10 -max_len=4096 -rss_limit_mb=1024 "$TMP/corpus" >"$TMP/fuzz.log" 2>&1
    ok $? "10 s of fuzzing the trace reader find no crash" || tail -5 "$TMP/fuzz.log" | sed 's/^/# /'
else
    ok 1 "clang with libFuzzer is needed for the fuzz run"
fi
done_testing
