#!/bin/bash
# The trace tools: the recorder's round trip on a program with a known allocation stream,
# every bad input of the reader, and a recorder that never kills the program it traces.
# TRACE_TOOLS names the directory of trace, replay and heaptrace.so (trace-asan.t: the
# sanitized builds).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
B=${TRACE_TOOLS:-$BUILD/04-real-workloads}

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

# Two committed traces replay, one of them on three threads (xz's workers).
for n in gnuplot xz-threads; do
    xz -dc "data/traces/$n.htr.xz" >"$TMP/$n.htr"
    is "$("$B/replay" --trace "$TMP/$n.htr" | awk -F, 'NR == 2 { print $5 }')" ok "the $n trace replays, status ok"
done

# Bad input: one line with the byte offset and the reason, exit 2, never a crash.
python3 - "$f" "$TMP" <<'PY'
import sys, struct
data = open(sys.argv[1], 'rb').read(); d = sys.argv[2]
open(d + '/trunc.htr', 'wb').write(data[:len(data) - 7])
open(d + '/magic.htr', 'wb').write(b'NOTTRACE' + data[8:])
open(d + '/version.htr', 'wb').write(data[:8] + struct.pack('<I', 9) + data[12:])
open(d + '/short.htr', 'wb').write(data[:20])
hl = 32 + struct.unpack('<I', data[12:16])[0]
bad = bytearray(data); bad[hl + 16] = 77          # the first record's operation
open(d + '/op.htr', 'wb').write(bytes(bad))
def varint(v):
    out = b''
    while v >= 0x80: out += bytes([v & 0x7f | 0x80]); v >>= 7
    return out + bytes([v])
def chunk(recs, nrec=None, tid=7):
    return struct.pack('<IIII', tid, len(recs) if nrec is None else nrec, sum(map(len, recs)), 0) + b''.join(recs)
free = bytes([2]) + varint(2) + varint(0x1234 << 1)  # free(0x1234) at stamp 1
head = data[:12] + struct.pack('<I', 0) + data[16:32]  # no command line: chunks start at byte 32
open(d + '/unknown.htr', 'wb').write(head + chunk([free]))
open(d + '/cut.htr', 'wb').write(head + chunk([free[:2]]))                   # a pointer cut off
open(d + '/long.htr', 'wb').write(head + chunk([bytes([2]) + b'\xff' * 10 + b'\x01' + varint(2)]))
open(d + '/spare.htr', 'wb').write(head + chunk([free, b'\x00'], nrec=1))   # a byte after the records
open(d + '/few.htr', 'wb').write(head + chunk([free], nrec=2))
PY
fails_with 2 "byte [0-9]+: chunk of thread [0-9]+ claims [0-9]+ bytes, file ends first" "a truncated trace" -- "$B/trace" info "$TMP/trunc.htr"
fails_with 2 "byte 0: bad magic" "a file that is not a trace" -- "$B/trace" info "$TMP/magic.htr"
fails_with 2 "byte 8: version 9, this reader reads version 2" "a wrong version" -- "$B/replay" --trace "$TMP/version.htr"
fails_with 2 "byte 20: truncated header" "a truncated header" -- "$B/trace" info "$TMP/short.htr"
fails_with 2 "byte [0-9]+: unknown operation 77" "a corrupt record" -- "$B/trace" info "$TMP/op.htr"
fails_with 2 "byte 50: pointer runs past the end of its chunk" "a record cut short" -- "$B/trace" info "$TMP/cut.htr"
fails_with 2 "byte 49: stamp does not fit in 64 bits" "a varint of more than 64 bits" -- "$B/trace" info "$TMP/long.htr"
fails_with 2 "byte 52: the chunk at byte 32 has 1 byte\(s\) left after its 1 records" "bytes after a chunk's records" -- "$B/trace" info "$TMP/spare.htr"
fails_with 2 "byte 32: chunk of thread 7 claims 2 records, its 4 bytes hold 1" "a chunk with fewer records than it claims" -- "$B/trace" info "$TMP/few.htr"
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

done_testing
