#!/bin/bash
# The trace tools: the recorder's round trip on a program with a known allocation stream,
# every bad input of the reader, and a recorder that never kills the program it traces.
# TRACE_TOOLS names the directory of trace, replay and heaptrace.so (trace-asan.t: the
# sanitized builds).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
B=${TRACE_TOOLS:-$BUILD/trace}
# --workload NAME: chapter 4's programs
export HEAPLAB_PROGRAMS=$ROOT/chapters/04-real-workloads/programs.tsv

# one_line CODE 'pattern' NAME -- command...: exit CODE and exactly one line on stderr.
one_line() {
    local code=$1 pattern=$2 name=$3; shift 4
    local err rc
    err=$("$@" 2>&1 >/dev/null); rc=$?
    [ "$rc" -eq "$code" ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && printf '%s\n' "$err" | grep -qE -- "$pattern"
    ok $? "$name" || printf '#   exit %s (want %s), stderr: %s\n' "$rc" "$code" "$err"
}

# The test programs are built as the benchmarks are (make test exports the Makefile's
# BENCH_CFLAGS as LAB_CFLAGS).
cflags=${LAB_CFLAGS:--std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread -fno-builtin-malloc -fno-builtin-calloc -fno-builtin-realloc -fno-builtin-free}
# shellcheck disable=SC2086
gcc $cflags -o "$TMP/known" tests/trace_known.c

# Round trip: a program with a known stream (its own calls have sizes 1000..1099).
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
grep -q '^summary,complete,1$' "$TMP/info.csv"; ok $? "and finds the end marker: the trace is complete"
# The second thread allocates nothing: its frees of known blocks are the program's 10, all
# of the first thread's blocks.
grep -q '^summary,cross_thread_frees,10$' "$TMP/info.csv"; ok $? "info counts the second thread's 10 frees as cross-thread frees"
"$B/replay" --trace "$f" >"$TMP/replay.csv"; ok $? "the trace replays"
is "$(awk -F, 'NR == 2 { print $2, $3, $5 }' "$TMP/replay.csv")" "$(basename "$f" .htr) 2 ok" "on 2 threads, status ok, labelled with the trace file's name"

# Three committed traces replay, one of them on three threads (xz's workers). Issue 14: their
# threads, events replayed, timed calls (one call at random gaps per thread: they follow
# each thread's steps) and unmatched frees are what the replay gave when it held every
# event in memory, before it streamed the trace and encoded its plan: the same steps.
declare -A pinned=([gnuplot]="ok 1 1.044e+06 65140 0" [xz-threads]="ok 3 323 323 0" [python]="ok 1 5962 5962 0")
for n in gnuplot xz-threads python; do
    xz -dc "data/traces/$n.htr.xz" >"$TMP/$n.htr"
    is "$("$B/replay" --trace "$TMP/$n.htr" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i }
        NR == 2 { print $h["status"], $h["threads"], $h["ops"], $h["timed_calls"], $h["unmatched_frees"] }')" \
        "${pinned[$n]}" "the $n trace replays: status, threads, ops, timed_calls, unmatched_frees as before issue 14"
done

# --dry makes no allocator call: its time per call is 0 and it has no rate (empty, not inf,
# which summarize refuses).
"$B/replay" --dry --trace "$TMP/gnuplot.htr" >"$TMP/dry.csv"
is "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i } NR == 2 { print $h["status"] ":" $h["ops_per_s"] ":" $h["ns_per_op"] }' "$TMP/dry.csv")" "ok::0" \
    "replay --dry: status ok, no ops_per_s, 0 ns per call"

# Issue 10, item 7: a trace cut short reads as incomplete, never as complete. At a chunk
# boundary (the end marker is the last 16 bytes), inside the end marker, and by kill -9.
len=$(stat -c %s "$f")
chunks=$(awk -F, '$2 == "chunks" { print $3 }' "$TMP/info.csv")
head -c $((len - 16)) "$f" >"$TMP/boundary.htr"
head -c $((len - 7)) "$f" >"$TMP/trunc.htr"
"$B/trace" info "$TMP/boundary.htr" >"$TMP/binfo.csv" 2>"$TMP/binfo.err"; ok $? "info reads a trace cut at a chunk boundary"
grep -q "incomplete: $chunks chunks, ends at byte $((len - 16))" "$TMP/binfo.err"; ok $? "and says: incomplete: $chunks chunks, ends at byte $((len - 16))"
grep -q '^summary,complete,0$' "$TMP/binfo.csv"; ok $? "info's summary says complete 0"
one_line 2 "incomplete: $chunks chunks, ends at byte $((len - 16)).*--allow-incomplete" "replay refuses it without --allow-incomplete" -- "$B/replay" --trace "$TMP/boundary.htr"
is "$("$B/replay" --allow-incomplete --trace "$TMP/boundary.htr" 2>/dev/null | awk -F, 'NR == 2 { print $5 }')" ok "with --allow-incomplete it replays"
"$B/trace" info "$TMP/trunc.htr" 2>&1 >/dev/null | grep -q "incomplete: $chunks chunks, ends at byte $((len - 16)) (no end marker; 9 bytes of a partial chunk follow)"
ok $? "a cut inside the last chunk header: incomplete, and the partial bytes are named"
mkdir -p "$TMP/kill"
"$B/trace" record --out "$TMP/kill" -- "$TMP/known" forever & pid=$!
sleep 0.5; kill -9 $pid; wait $pid 2>/dev/null
"$B/trace" info "$TMP"/kill/heaptrace.*.htr 2>&1 >/dev/null | grep -q "incomplete: [0-9]* chunks, ends at byte"; ok $? "a recording killed with -9 reads as incomplete"

# Issue 10, item 7: threads still allocating while main calls exit(). The flush at exit
# must not race them: every trace complete, no unmatched free.
bad=0 incomplete=0
for i in $(seq 16); do
    mkdir -p "$TMP/race$i"
    "$B/trace" record --out "$TMP/race$i" -- "$TMP/known" exit-race
    "$B/trace" info "$TMP"/race$i/heaptrace.*.htr >"$TMP/race.csv" 2>/dev/null || bad=$((bad + 1))
    complete=$(awk -F, '$2 == "complete" { print $3 }' "$TMP/race.csv")
    unmatched=$(awk -F, '$2 == "unmatched_frees" { print $3 }' "$TMP/race.csv")
    [ "$complete" = 1 ] && [ "$unmatched" != 0 ] && bad=$((bad + 1))
    [ "$complete" = 1 ] || incomplete=$((incomplete + 1))
done
is "$bad" 0 "16 runs of threads allocating through exit(): no trace reads as complete with unmatched frees"
is "$incomplete" 0 "and every one is complete (the exit flushes every thread's buffer)"

# Issue 10, item 1: a program that closes every descriptor and gets the trace's number
# for a file of its own. The recorder must not write into it.
mkdir -p "$TMP/d"
"$B/trace" record --out "$TMP/d" -- "$TMP/known" daemon "$TMP/d/own.txt" 2>"$TMP/d.err"
ok $? "a daemon-like program runs to exit 0"
is "$(cat "$TMP/d/own.txt")" "the program's own line" "its own file holds exactly its line"
is "$(stat -c %s "$TMP/d/own.txt")" 23 "and not a byte of trace"
is "$(grep -c 'heaptrace: the program closed descriptor [0-9]*, which wrote .*incomplete' "$TMP/d.err")" 1 "the recorder says so once on stderr"
"$B/trace" info "$TMP"/d/heaptrace.*.htr 2>&1 | grep -q "incomplete"; ok $? "and its trace reads as incomplete"

# Bad input: one line with the byte offset and the reason, exit 2, never a crash.
PYTHONPATH=tests python3 - "$f" "$TMP" <<'PY'
import sys, struct
data = open(sys.argv[1], 'rb').read(); d = sys.argv[2]
open(d + '/magic.htr', 'wb').write(b'NOTTRACE' + data[8:])
open(d + '/version.htr', 'wb').write(data[:8] + struct.pack('<I', 9) + data[12:])
open(d + '/short.htr', 'wb').write(data[:20])
hl = 32 + struct.unpack('<I', data[12:16])[0]
bad = bytearray(data); bad[hl + 16] = 77          # the first record's operation
open(d + '/op.htr', 'wb').write(bytes(bad))
from trace_craft import varint
def chunk(recs, nrec=None, tid=7):
    return struct.pack('<IIII', tid, len(recs) if nrec is None else nrec, sum(map(len, recs)), 0) + b''.join(recs)
end1 = struct.pack('<IIII', 0xFFFFFFFF, 1, 0, 0x21444E45)  # the end marker after one chunk
free = bytes([2]) + varint(2) + varint(0x1234 << 1)  # free(0x1234) at stamp 1
head = data[:12] + struct.pack('<I', 0) + data[16:32]  # no command line: chunks start at byte 32
open(d + '/unknown.htr', 'wb').write(head + chunk([free]) + end1)
open(d + '/cut.htr', 'wb').write(head + chunk([free[:2]]))                   # a pointer cut off
open(d + '/long.htr', 'wb').write(head + chunk([bytes([2]) + b'\xff' * 10 + b'\x01' + varint(2)]))
open(d + '/spare.htr', 'wb').write(head + chunk([free, b'\x00'], nrec=1))   # a byte after the records
open(d + '/few.htr', 'wb').write(head + chunk([free], nrec=2))
PY
one_line 2 "byte 0: bad magic" "a file that is not a trace" -- "$B/trace" info "$TMP/magic.htr"
one_line 2 "byte 8: version 9, this reader reads version 3" "a wrong version" -- "$B/replay" --trace "$TMP/version.htr"
one_line 2 "byte 20: truncated header" "a truncated header" -- "$B/trace" info "$TMP/short.htr"
one_line 2 "byte [0-9]+: unknown operation 77" "a corrupt record" -- "$B/trace" info "$TMP/op.htr"
one_line 2 "byte 50: pointer runs past the end of its chunk" "a record cut short" -- "$B/trace" info "$TMP/cut.htr"
one_line 2 "byte 49: stamp does not fit in 64 bits" "a varint of more than 64 bits" -- "$B/trace" info "$TMP/long.htr"
one_line 2 "byte 52: the chunk at byte 32 has 1 byte\(s\) left after its 1 records" "bytes after a chunk's records" -- "$B/trace" info "$TMP/spare.htr"
one_line 2 "byte 32: chunk of thread 7 claims 2 records, its 4 bytes hold 1" "a chunk with fewer records than it claims" -- "$B/trace" info "$TMP/few.htr"
one_line 2 "cannot open trace '/nonexistent.htr'" "a missing file" -- "$B/trace" info /nonexistent.htr
"$B/trace" info "$TMP/unknown.htr" | grep -q '^summary,unmatched_frees,1$'; ok $? "a free of an unknown pointer is counted"
one_line 2 "no call to replay" "and a trace of nothing else has nothing to replay" -- "$B/replay" --trace "$TMP/unknown.htr"
one_line 2 "unknown workload 'emacs'" "an unknown program" -- "$B/replay" --workload emacs

# Issue 10, item 6: crafted traces (tests/trace_craft.py, also the fuzzer's seeds).
python3 tests/trace_craft.py "$TMP/c"
C=$TMP/c
for t in size-max size-max8; do
    for dry in "" --dry; do
        one_line 2 "the malloc of 1844674407370955[0-9]+ bytes at byte 56 \(call 1 in time order\).*needs more than half of this machine's available memory" \
            "$t: replay $dry refuses a size beyond memory, naming the call and its byte" -- "$B/replay" $dry --trace "$C/$t.htr"
    done
    one_line 2 "at byte 56 .*needs more than the address space" "$t: info refuses a block larger than the address space" -- "$B/trace" info "$C/$t.htr"
done
one_line 2 "the malloc of 1099511627776 bytes at byte 56 .*available memory" "a 1 TiB block: replay refuses it before any allocation" -- "$B/replay" --trace "$C/size-1t.htr"
one_line 2 "the malloc of 1099511627776 bytes at byte 56 .*available memory" "and so does replay --dry" -- "$B/replay" --dry --trace "$C/size-1t.htr"
"$B/trace" info "$C/free-1.htr" | grep -q '^summary,unmatched_frees,1$'; ok $? "free(0x1) after another block's free: info counts one unmatched free"
is "$("$B/replay" --trace "$C/free-1.htr" | awk -F, 'NR == 2 { print $5, $NF }')" "ok 1" "and replay frees no other block: status ok, 1 unmatched"
is "$("$B/replay" --trace "$C/addr-edges.htr" | awk -F, 'NR == 2 { print $5, $6, $NF }')" "ok 5 0" "addresses 1 and 2^64-1 are addresses like any other"
is "$("$B/replay" --trace "$C/two-threads.htr" | awk -F, 'NR == 2 { print $3, $5 }')" "2 ok" "a free on another thread waits for its malloc"
# Issue 14: an event waits only where its slot's previous event was another thread's; in
# ping-pong.htr every event's was, 1000 of them on one slot.
for dry in "" --dry; do
    is "$("$B/replay" $dry --trace "$C/ping-pong.htr" | awk -F, 'NR == 2 { print $3, $5, $6 }')" "2 ok 1000" \
        "replay $dry: two threads that hand one slot to each other at every event (each waits for the other)"
done
is "$("$B/replay" --trace "$C/realloc0-unknown.htr" | awk -F, 'NR == 2 { print $5, $6, $NF }')" "ok 2 1" \
    "realloc(p, 0) of an unknown block is an unmatched free, not replayed (it was a write to slot 2^32 - 1)"
one_line 2 "holds no allocation calls; it is complete" "a header-only trace is an error for replay" -- "$B/replay" --trace "$C/header-only.htr"
one_line 2 "holds no allocation calls; it is complete" "and for info" -- "$B/trace" info "$C/header-only.htr"
one_line 2 "holds no allocation calls; it is incomplete: 0 chunks, ends at byte 40" "a header without its end marker" -- "$B/replay" --trace "$C/header-only-cut.htr"
one_line 2 "byte 0: truncated header \(0 of 32 bytes\)" "an empty file" -- "$B/replay" --trace "$C/empty.htr"
one_line 2 "no call to replay: its 1 failed calls" "a trace of failed calls only" -- "$B/replay" --trace "$C/failed-only.htr"
one_line 2 "byte 62: the end marker counts 2 chunks, the file holds 1" "an end marker with the wrong count" -- "$B/trace" info "$C/end-count.htr"
one_line 2 "byte 78: 1 byte\(s\) after the end marker" "bytes after the end marker" -- "$B/trace" info "$C/after-end.htr"
one_line 2 "incomplete: 0 chunks, ends at byte 40 \(no end marker; 21 bytes of a partial chunk follow\)" "a cut inside the only chunk" -- "$B/replay" --trace "$C/cut-in-chunk.htr"

# Block lives (trace_craft.py's lives.htr, every lifetime in its comments): lifetimes in
# allocating calls, failed ones counted; a realloc that returns a block ends a life and
# adds one to the chain; a free is cross-thread when made by another thread than the last
# to allocate or realloc the block; realloc(NULL) starts a chain, realloc(p, 0) ends one.
lives() { awk -F, '$1 ~ /^(lifetime_le_events|realloc_chain_le)$/ || $2 ~ /^(frees|cross_thread_frees|never_freed|reallocs_(grow|shrink|moved))$/ { printf "%s%s:%s:%s", sep, $1, $2, $3; sep = " " } END { print "" }'; }
"$B/trace" info "$C/lives.htr" >"$TMP/lives.csv"; ok $? "trace info reads crafted block lives"
is "$(grep '^lifetime_le_events' "$TMP/lives.csv" | lives)" \
   "lifetime_le_events:0:8 lifetime_le_events:1:1 lifetime_le_events:3:4 lifetime_le_events:7:1 lifetime_le_events:15:1" \
   "info: lifetime_le_events, the allocating calls between a block's allocation and its end, in power-of-two bins"
is "$(grep '^realloc_chain_le' "$TMP/lives.csv" | lives)" "realloc_chain_le:1:2 realloc_chain_le:3:2" \
   "info: realloc_chain_le, reallocs per chain, freed or live at the end (chains of 2 and 3 share a bin)"
is "$(grep '^summary' "$TMP/lives.csv" | lives)" \
   "summary:frees:8 summary:cross_thread_frees:2 summary:never_freed:1 summary:reallocs_grow:5 summary:reallocs_shrink:1 summary:reallocs_moved:3" \
   "info: frees (realloc to 0 one of them), cross-thread frees, never freed, reallocs that grow, shrink, move"

# The same rows counted again by awk, from trace dump's records (the planner's rules written
# a second time): on the known program, the crafted lives and two committed traces (one of
# three threads, one with 2,000 reallocs).
cat >"$TMP/lives.awk" <<'AWK'
function bound(v,  b) { for (b = 1; v >= 1; v = int(v / 2)) b *= 2; return b - 1 }
BEGIN { FS = "," }
NR > 1 {
    isfree = $1 == "free"; frees = isfree || (($1 == "realloc" || $1 == "reallocarray") && $6 != "0")
    allocs = !isfree && $5 != "0"; ch = 0
    if (!isfree && !allocs && !(frees && $3 == 0)) { now++; next }  # a failed call
    if (frees && !($6 in born)) frees = 0                            # unknown, or free(NULL)
    if (frees) {
        lt[bound(now - born[$6] - 1)]++
        if (!allocs) { nfree++; cross += th[$6] != $2; if (chain[$6]) chains[bound(chain[$6])]++ }
        else { grow += $3 > size[$6]; shrink += $3 < size[$6]; moved += $5 "" != $6 ""; ch = chain[$6] + 1 }
        delete born[$6]
    }
    if (allocs) { born[$5] = now; th[$5] = $2; chain[$5] = ch; size[$5] = $3 }
    if (!isfree) now++
}
END {
    for (a in born) { never++; if (chain[a]) chains[bound(chain[a])]++ }
    for (b in lt) print "lifetime_le_events," b "," lt[b]
    for (b in chains) print "realloc_chain_le," b "," chains[b]
    printf "summary,frees,%d\nsummary,cross_thread_frees,%d\nsummary,never_freed,%d\n", nfree, cross, never
    printf "summary,reallocs_grow,%d\nsummary,reallocs_shrink,%d\nsummary,reallocs_moved,%d\n", grow, shrink, moved
}
AWK
ln -sf "$f" "$TMP/known.htr"
for t in "$TMP/known.htr" "$C/lives.htr" "$TMP/python.htr" "$TMP/xz-threads.htr"; do
    want=$("$B/trace" dump "$t" | awk -f "$TMP/lives.awk" | sort | lives)
    got=$("$B/trace" info "$t" | sort | lives)
    [ -n "$want" ] && [ "$want" = "$got" ]; ok $? "info's lifetime, chain and realloc rows match a count from trace dump: $(basename "$t")" ||
        printf '#   want %s\n#   got  %s\n' "$want" "$got"
done

# The command lines: help on stdout with exit 0; a missing or bad value in one line.
for args in "--help" "-h" "record --help" "record -h" "info --help" "info -h" "dump --help" \
            "loop --help" "replay --help" "replay -h" "realrun --help" "realrun -h"; do
    # shellcheck disable=SC2086
    out=$("$B/trace" $args 2>"$TMP/help.err"); rc=$?
    [ $rc -eq 0 ] && [[ $out == usage:* ]] && [ ! -s "$TMP/help.err" ]; ok $? "trace $args: usage on stdout, exit 0"
done
out=$("$B/replay" -h); [[ $out == *"--allow-incomplete"* && $out == *"labelled with the file's name"* && $out == *"--name NAME"* ]]; ok $? "replay -h names --allow-incomplete, --name and how rows are labelled"
out=$("$B/replay" --help); rc=$?; [ $rc -eq 0 ] && [[ $out == usage:* ]]; ok $? "replay --help: usage on stdout, exit 0"
# Every environment variable the tools read (getenv in their sources and lab.h), and the
# runner's lock, has its line in --help and in the README.
vars=$(grep -ho 'getenv("[A-Z_]*")' common/trace/trace.c common/trace/heaptrace.c \
       common/trace/trace.h common/lab.h | sed 's/getenv("\(.*\)")/\1/' | sort -u)
usage=$("$B/trace" --help)
for v in $vars LAB_LOCK; do
    printf '%s\n' "$usage" | grep -qE "^  $v +[a-z]"; ok $? "trace --help explains $v"
    grep -q "\`$v\`" README.md; ok $? "and README.md lists it"
done
one_line 2 "expected a command: record, info" "trace with no command" -- "$B/trace"
one_line 2 "--trace needs a value: expected a trace file" "replay --trace without its value" -- "$B/replay" --trace
one_line 2 "--seed needs a value: expected an integer" "replay --seed without its value" -- "$B/replay" --workload python --seed
one_line 2 "--seed 'abc' is not allowed" "replay --seed abc" -- "$B/replay" --workload python --seed abc
one_line 2 "--seed is given twice" "a repeated option" -- "$B/replay" --workload python --seed 1 --seed 2
one_line 2 "unknown or ambiguous option '--bogus'" "an unknown option" -- "$B/replay" --bogus
one_line 2 "record: --out needs a directory" "trace record --out without its value" -- "$B/trace" record --out
one_line 2 "record: --out needs a directory" "trace record --out --" -- "$B/trace" record --out -- true
one_line 2 "--workload and --trace exclude each other" "replay --workload python --trace xz.htr: no mislabelled rows" -- "$B/replay" --workload python --trace "$TMP/xz-threads.htr"
one_line 2 "info: expected one trace file" "trace info without a file" -- "$B/trace" info
one_line 2 "workload needs a value: expected one of gcc, python" "replay --workload without its value" -- "$B/replay" --workload
one_line 2 "--dry takes no value" "a flag given a value" -- "$B/replay" --dry=1 --workload python
one_line 2 "--workload needs HEAPLAB_PROGRAMS: a file of NAME<TAB>SIZES<TAB>COMMAND lines" "--workload without a list of programs" -- \
    env -u HEAPLAB_PROGRAMS "$B/realrun" --workload python
one_line 2 "replay --workload needs HEAPLAB_TRACES" "replay --workload without the traces' directory" -- env -u HEAPLAB_TRACES "$B/replay" --workload python
printf '# comment\nok\tall\ttrue\nbad one\tall\ttrue\n' >"$TMP/names.tsv"
one_line 2 "HEAPLAB_PROGRAMS '$TMP/names.tsv', line 3: name 'bad one'" "a bad name in the list of programs, with its line" -- \
    env HEAPLAB_PROGRAMS="$TMP/names.tsv" "$B/realrun" --workload ok
printf 'a\tsome\ttrue\n' >"$TMP/sizes.tsv"
one_line 2 "line 1: sizes 'some' is not allowed: expected all or full" "a bad SIZES" -- env HEAPLAB_PROGRAMS="$TMP/sizes.tsv" "$B/realrun" --workload a
printf 'a\ttrue\n' >"$TMP/cols.tsv"
one_line 2 "line 1: expected NAME<TAB>SIZES<TAB>COMMAND" "a line of two fields" -- env HEAPLAB_PROGRAMS="$TMP/cols.tsv" "$B/realrun" --workload a
one_line 2 "line 3: name 'bad one'" "and before --cases lists any" -- env HEAPLAB_PROGRAMS="$TMP/names.tsv" "$B/realrun" --cases
is "$("$B/realrun" --quick --cases | paste -sd' ')" "--workload python --workload sqlite" "realrun --quick --cases: the programs whose SIZES is all"

# realrun: a program of two processes, each holding 64 MiB for 0.4 s at the same time. The
# largest process's peak is one of them; the tree's peak, sampled, is both; user and sys
# time and faults are the tree's.
hold='python3 -c "b = bytearray(64 << 20); import time; time.sleep(0.4)"'
printf 'two\tall\t%s & %s & wait\nfails\tall\texit 3\n' "$hold" "$hold" >"$TMP/two.tsv"
HEAPLAB_PROGRAMS="$TMP/two.tsv" "$B/realrun" --workload two >"$TMP/real.csv"; ok $? "realrun runs a program of two processes"
read -r st peak tree faults < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i }
    NR == 2 { print $h["status"], $h["peak_rss_kib"], $h["tree_peak_rss_kib"], $h["minor_faults"] }' "$TMP/real.csv")
is "$st" ok "status ok"
ok $([ "$peak" -ge 65536 ] && [ "$peak" -lt 98304 ]; echo $?) "the largest process's peak is one process's 64 MiB and more ($peak KiB)"
ok $([ "$tree" -ge $((2 * 65536)) ] && [ "$tree" -lt $((2 * 98304)) ]; echo $?) "the tree's sampled peak holds both ($tree KiB)"
ok $([ "${faults%.*}" -ge $((2 * 16384)) ]; echo $?) "and the faults are both processes' ($faults: at least 2 x 64 MiB of 4 KiB pages)"
is "$(HEAPLAB_PROGRAMS="$TMP/two.tsv" "$B/realrun" --workload fails | awk -F, 'NR == 2 { print $4 }')" exit_3 "a program that fails: its exit status is the row's status"

# The recorder never kills the program: an unwritable directory, no directory, a static program.
err=$(HEAPTRACE_DIR=/nonexistent/dir LD_PRELOAD=$B/heaptrace.so "$TMP/known" 2>&1); rc=$?
is "$rc" 0 "an unwritable output directory: the program still exits 0"
[[ $err == *"heaptrace: cannot create /nonexistent/dir/heaptrace."*"untraced"* ]]; ok $? "with one clear line ($err)"
err=$(env -u HEAPTRACE_DIR LD_PRELOAD=$B/heaptrace.so "$TMP/known" 2>&1); rc=$?
[ $rc -eq 0 ] && [[ $err == *"HEAPTRACE_DIR is not set"* ]]; ok $? "no output directory: a clear line, exit 0"
if gcc -static -O0 -o "$TMP/static" tests/trace_known.c -pthread 2>/dev/null; then
    mkdir -p "$TMP/s"
    err=$("$B/trace" record --out "$TMP/s" -- "$TMP/static" 2>&1); rc=$?
    [[ $err == *"is statically linked"*"running it untraced"* ]]; ok $? "a static program: a clear line, and it runs ($err)"
    [ $rc -ne 0 ] && [[ $err == *"nothing was traced: '$TMP/static' ran untraced (exit 0) and wrote no trace in '$TMP/s' (statically linked)"* ]]
    ok $? "and record exits non-zero (exit $rc), saying nothing was traced"
fi

# Issue 14: record makes its directory (mkdir -p), refuses one it cannot write in before
# running anything, and exits with the command's status.
"$B/trace" record --out "$TMP/new/a/b" -- "$TMP/known"; ok $? "record --out a missing directory: it is made"
ls "$TMP"/new/a/b/heaptrace.*.htr >/dev/null 2>&1; ok $? "and holds the trace"
: >"$TMP/afile"
one_line 2 "record: cannot write traces in '$TMP/afile/sub': Not a directory" "record --out under a file: one line naming it" \
    -- "$B/trace" record --out "$TMP/afile/sub" -- touch "$TMP/ran"
one_line 2 "record: cannot write traces in '/proc': " "record --out a directory nothing can be written in" \
    -- "$B/trace" record --out /proc -- touch "$TMP/ran"
[ ! -e "$TMP/ran" ]; ok $? "and the command did not run"
mkdir -p "$TMP/e"
"$B/trace" record --out "$TMP/e" -- sh -c 'exit 3' 2>/dev/null; is "$?" 3 "record exits with the traced command's status"
one_line 2 "record: cannot run 'no-such-command-heaplab': No such file or directory" "record of a command that does not exist" \
    -- "$B/trace" record --out "$TMP/e" -- no-such-command-heaplab

# Issue 14: heaptrace.so is found beside trace itself, not in the current directory: trace
# run from PATH elsewhere, and through a symbolic link.
mkdir -p "$TMP/elsewhere/bin"
ln -s "$B/trace" "$TMP/elsewhere/bin/trace"
(cd "$TMP/elsewhere" && PATH="$B:$PATH" trace record --out p -- "$TMP/known"); ok $? "trace from PATH, in another directory, records"
ls "$TMP"/elsewhere/p/heaptrace.*.htr >/dev/null 2>&1; ok $? "and writes its trace"
(cd / && "$TMP/elsewhere/bin/trace" record --out "$TMP/elsewhere/q" -- "$TMP/known"); ok $? "trace through a symbolic link records"

# Issue 14: the loader orders events by stamp, ties in file order (the order qsort gave):
# chunks of three threads whose stamps collide and differ in several bytes.
PYTHONPATH=tests python3 - "$TMP/order.htr" "$TMP/order.want" <<'PY'
import random, struct, sys
from trace_craft import varint
zz = lambda d: ((d << 1) ^ (-1 if d < 0 else 0)) & (2**64 - 1)
rng, recs, chunks = random.Random(14), [], b''
base, steps = 0x123456789a, [0, 1, 255, 256, 65535, 65536, 1 << 24, 1 << 32, 1 << 40]
for c in range(6):
    tsc = ptr = 0; body = b''
    for i in range(200):
        ident = len(recs) + 1; stamp = base + rng.choice(steps) + rng.randrange(3); addr = 0x10000 + 16 * ident
        body += bytes([1]) + varint(zz(stamp - tsc)) + varint(ident) + varint(zz(addr - ptr))
        tsc, ptr = stamp, addr
        recs.append((stamp, ident))
    chunks += struct.pack('<IIII', c % 3 + 1, 200, len(body), 0) + body
cmd = b'order\0'
data = b'HEAPTRC\0' + struct.pack('<IIdII', 3, len(cmd), 2e9, 1, 0) + cmd + chunks + struct.pack('<IIII', 2**32 - 1, 6, 0, 0x21444E45)
open(sys.argv[1], 'wb').write(data)
open(sys.argv[2], 'w').write(' '.join(str(i) for _, i in sorted(recs, key=lambda r: r[0])) + '\n')
PY
is "$("$B/trace" dump "$TMP/order.htr" | awk -F, 'NR > 1 { printf "%s%s", sep, $3; sep = " " } END { print "" }')" \
   "$(cat "$TMP/order.want")" "trace dump: events in stamp order, ties in file order"

# Issue 14: the replay's loader takes no memory from the allocator under test (qsort's
# scratch did: 16 bytes an event, before the peak-RSS reset). A preloaded shim counts the
# bytes asked of malloc other than the trace's own 48-byte blocks; a trace 20 times as
# long must not ask for more.
cat >"$TMP/shim.c" <<'C'
#include <stddef.h>
#include <stdio.h>
extern void *__libc_malloc(size_t), *__libc_calloc(size_t, size_t), *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static size_t asked;  /* bytes, but for the replayed 48-byte blocks */
static void tally(size_t n) { asked += n == 48 ? 0 : n; }
void *malloc(size_t n) { tally(n); return __libc_malloc(n); }
void *calloc(size_t k, size_t n) { tally(k * n); return __libc_calloc(k, n); }
void *realloc(void *p, size_t n) { tally(n); return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }
__attribute__((destructor)) static void report(void) { dprintf(2, "shim: asked %zu bytes\n", asked); }
C
if ldd "$B/replay" | grep -q libasan; then
    ok 0 "the loader takes no allocator memory # SKIP a preloaded malloc and AddressSanitizer exclude each other"
else
    # shellcheck disable=SC2086
    gcc $cflags -shared -fPIC -o "$TMP/shim.so" "$TMP/shim.c"
    for n in 5000 100000; do
        PYTHONPATH=tests python3 - "$TMP/pairs$n.htr" "$n" <<'PY'
import struct, sys
from trace_craft import varint
# malloc(48) returning 0x10000, then its free, n times; stamps 1, 2, ... (deltas zigzagged:
# stamp +1 is 2; the pointer moves only at the first malloc, from 0)
body = bytearray(bytes([1, 2, 48]) + varint(0x10000 << 1) + bytes([2, 2, 0]))
body += bytes([1, 2, 48, 0, 2, 2, 0]) * (int(sys.argv[2]) - 1)
cmd = b'pairs\0'
data = b'HEAPTRC\0' + struct.pack('<IIdII', 3, len(cmd), 2e9, 1, 0) + cmd
data += struct.pack('<IIII', 7, 2 * int(sys.argv[2]), len(body), 0) + body + struct.pack('<IIII', 2**32 - 1, 1, 0, 0x21444E45)
open(sys.argv[1], 'wb').write(data)
PY
        LD_PRELOAD=$TMP/shim.so "$B/replay" --trace "$TMP/pairs$n.htr" >"$TMP/pairs$n.csv" 2>"$TMP/pairs$n.err"
        is "$(awk -F, 'NR == 2 { print $5 }' "$TMP/pairs$n.csv")" ok "a trace of $n malloc/free pairs replays under the counting shim"
    done
    small=$(awk '/^shim: asked/ { print $3 }' "$TMP/pairs5000.err")
    large=$(awk '/^shim: asked/ { print $3 }' "$TMP/pairs100000.err")
    [ -n "$small" ] && [ -n "$large" ] && [ "$large" -le "$small" ]; ok $? "the loader takes no allocator memory: $small bytes asked for 10000 events, $large for 200000"
fi

# Issue 14: a --trace FILE's rows are labelled with the file's name (without .htr, any
# character a name cannot hold made '-'), or with --name NAME: several user traces in one
# CSV can be told apart. A bad name is one line, exit 2.
cp "$TMP/xz-threads.htr" "$TMP/my trace+1.htr"
is "$("$B/replay" --trace "$TMP/my trace+1.htr" | awk -F, 'NR == 2 { print $2, $5 }')" "my-trace-1 ok" \
   "replay --trace FILE: rows labelled with FILE's base name without .htr, other characters made '-'"
is "$("$B/replay" --trace "$TMP/my trace+1.htr" --name Run_2.b-c | awk -F, 'NR == 2 { print $2, $5 }')" "Run_2.b-c ok" \
   "replay --trace FILE --name NAME: rows labelled NAME"
long=$(printf 'a%.0s' $(seq 65))
one_line 2 "--name 'a b' is not allowed: expected 1 to 64 letters, digits, '.', '_' or '-'" "replay --name with a space: one line, exit 2" \
    -- "$B/replay" --trace "$TMP/xz-threads.htr" --name 'a b'
one_line 2 "--name '$long' is not allowed: expected 1 to 64" "replay --name of 65 characters: one line, exit 2" \
    -- "$B/replay" --trace "$TMP/xz-threads.htr" --name "$long"
one_line 2 "--name needs a value: expected 1 to 64" "replay --name '': one line, exit 2" -- "$B/replay" --trace "$TMP/xz-threads.htr" --name ''
one_line 2 "--name labels the rows of a --trace FILE" "replay --workload NAME --name: refused" -- "$B/replay" --workload python --name x

# Issue 14: record --name NAME writes NAME.PID.htr (heaptrace.PID.htr without it, whatever
# HEAPTRACE_NAME says), and its check that something was traced looks for that name.
"$B/trace" record --name my-app --out "$TMP/named" -- "$TMP/known"; ok $? "record --name my-app: exit 0 (a trace was found under that name)"
named=$(ls "$TMP"/named/ 2>/dev/null)
[[ $named =~ ^my-app\.[0-9]+\.htr$ ]]; ok $? "and its trace is my-app.PID.htr ($named)"
label=$("$B/replay" --trace "$TMP/named/$named" 2>/dev/null | awk -F, 'NR == 2 { print $2 }')
[ -n "$named" ] && [ "$label" = "${named%.htr}" ]; ok $? "which replays labelled ${named%.htr} ($label)"
HEAPTRACE_NAME=other "$B/trace" record --out "$TMP/unnamed" -- "$TMP/known"; ok $? "record without --name, HEAPTRACE_NAME set: exit 0"
ls "$TMP"/unnamed/heaptrace.*.htr >/dev/null 2>&1; ok $? "and the trace keeps the default name, heaptrace.PID.htr"
one_line 2 "record: --name 'a/b' is not allowed: expected 1 to 64" "record --name a/b: one line, exit 2" \
    -- "$B/trace" record --name a/b --out "$TMP/named2" -- true
err=$(HEAPTRACE_DIR=$TMP/named HEAPTRACE_NAME=../x LD_PRELOAD=$B/heaptrace.so "$TMP/known" 2>&1); rc=$?
[ $rc -eq 0 ] && [[ $err == *"HEAPTRACE_NAME is not a trace name"*untraced* ]]; ok $? "heaptrace.so with HEAPTRACE_NAME=../x: one line, runs untraced, exit 0"
if [ -x "$TMP/static" ]; then
    err=$("$B/trace" record --name st --out "$TMP/s2" -- "$TMP/static" 2>&1); rc=$?
    [ $rc -ne 0 ] && [[ $err == *"nothing was traced"* ]]; ok $? "record --name of a static program: nothing was traced, exit $rc"
fi

# Issue 14: trace info streams the trace (it held every event, about 200 bytes each: 4.5 GB
# for 30M). Chunks out of stamp order and a stamp that falls within a chunk are still read
# in stamp order; a trace 20 times as long takes hardly more memory (the old loader: about
# 140 bytes an event; now a few MiB of the file's pages, whatever its length).
python3 - "$TMP/ooo.htr" <<'PY'
import struct, sys
# thread 2's chunk first in the file: free(0x20) at 10; thread 1's: malloc(100) = 0x30 at
# 20, then, its stamp falling, malloc(60) = 0x20 at 5 (deltas -15 and -0x10, zigzagged 29, 31)
c2 = bytes([2, 10 << 1, 0x20 << 1])
c1 = bytes([1, 20 << 1, 100, 0x30 << 1]) + bytes([1, 29, 60, 31])
cmd = b'ooo\0'
data = b'HEAPTRC\0' + struct.pack('<IIdII', 3, len(cmd), 2e9, 1, 0) + cmd
data += struct.pack('<IIII', 2, 1, len(c2), 0) + c2 + struct.pack('<IIII', 1, 2, len(c1), 0) + c1
open(sys.argv[1], 'wb').write(data + struct.pack('<IIII', 2**32 - 1, 2, 0, 0x21444E45))
PY
is "$("$B/trace" info "$TMP/ooo.htr" | awk -F, '$1 == "thread" || $2 ~ /^(unmatched_frees|live_peak_bytes|slots)$/ { printf "%s:%s ", $2, $3 }')" \
   "1:2 2:1 slots:1 live_peak_bytes:100 unmatched_frees:0 " "trace info: chunks out of order and a falling stamp are read in stamp order"
if [ -x /usr/bin/time ]; then
    for n in 50000 1000000 2500000; do
        PYTHONPATH=tests python3 - "$TMP/long$n.htr" "$n" <<'PY'
import struct, sys
from trace_craft import varint
# n malloc(48)/free pairs, 2048 a chunk, chunks alternating between two threads (each its
# own address); stamps 1, 2, 3, ... across the file (zigzag: +1 is 2)
n, per, stamp, out = int(sys.argv[2]), 2048, 0, []
for c in range((n + per - 1) // per):
    m = min(per, n - c * per)
    body = bytes([1]) + varint((stamp + 1) << 1) + bytes([48]) + varint((0x10000 + (c % 2 << 20)) << 1) + bytes([2, 2, 0])
    body += bytes([1, 2, 48, 0, 2, 2, 0]) * (m - 1)
    out.append(struct.pack('<IIII', 1 + c % 2, 2 * m, len(body), 0) + body)
    stamp += 2 * m
cmd = b'long\0'
data = b'HEAPTRC\0' + struct.pack('<IIdII', 3, len(cmd), 2e9, 1, 0) + cmd + b''.join(out)
open(sys.argv[1], 'wb').write(data + struct.pack('<IIII', 2**32 - 1, len(out), 0, 0x21444E45))
PY
        [ "$n" = 2500000 ] && continue  # (for the replay below)
        /usr/bin/time -f '%M' -o "$TMP/long$n.kib" "$B/trace" info "$TMP/long$n.htr" >"$TMP/long$n.csv"
        grep -q "^calls,malloc,$n$" "$TMP/long$n.csv"; ok $? "trace info reads all $((2 * n)) events of a long trace"
    done
    small=$(tail -1 "$TMP/long50000.kib") large=$(tail -1 "$TMP/long1000000.kib")
    [ $((large - small)) -lt 16384 ]; ok $? "trace info's peak RSS grows by less than 16 MiB from 100000 events to 2000000: $small KiB, $large KiB"
    # Issue 14: the replay's plan, about 8 bytes an event. replay --dry has no allocator: its
    # memory is all the replay's own. It held every event (twice, to sort them) and a
    # 32-byte step each: over 100 bytes an event, 550 MB more for 5M events than for 100000.
    for n in 50000 2500000; do
        /usr/bin/time -f '%M' -o "$TMP/rlong$n.kib" "$B/replay" --dry --trace "$TMP/long$n.htr" >"$TMP/rlong$n.csv"
        is "$(awk -F, 'NR == 2 { print $3, $5, $6 }' "$TMP/rlong$n.csv")" "2 ok $(awk -v n=$((2 * n)) 'BEGIN { printf "%g", n }')" \
            "replay --dry replays all $((2 * n)) events of a long trace, on its two threads"
    done
    small=$(tail -1 "$TMP/rlong50000.kib") large=$(tail -1 "$TMP/rlong2500000.kib") bound=$((12 * 4900000 / 1024))
    [ $((large - small)) -lt $bound ]; ok $? "replay --dry's peak RSS grows by less than 12 bytes an event from 100000 events to 5000000 ($bound KiB): $small KiB, $large KiB"
else
    ok 0 "trace info's memory # SKIP no /usr/bin/time"
    ok 0 "the replay's memory # SKIP no /usr/bin/time"
fi

done_testing
