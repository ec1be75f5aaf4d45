#!/bin/bash
# tests/run.t -- the runner and the shell glue (issue 10): the lock (a kill -9 never leaves
# it held, a waiter names the holder), no input that loses data, temporary files in one
# place and swept, every script's --help and bad values, no injection, make's settings.
# A tiny fake experiment stands in for a chapter's program, and a private lock
# (LAB_LOCK) keeps these tests off the machine-wide one.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
export LAB_LOCK=$TMP/lock
RUN=common/run

# The fake experiment: the runner's protocol (--header, --cases, --context, then one row
# per process). FAKE_SLEEP makes it slow; FAKE_NOROWS makes it write its header only;
# FAKE_VALUE is its value_ns (default 1).
fake=$TMP/fake
cat >"$fake" <<'EOF'
#!/bin/bash
case ${1:-} in
    --header) echo "allocator,workload,rep,status,value_ns"; exit ;;
    --cases) echo "--workload a"; echo "--workload b"; exit ;;
    --context) echo "context: fake"; exit ;;
esac
w= rep=
while [ $# -gt 0 ]; do case $1 in --workload|--rep|--seed) [ $1 = --workload ] && w=$2; [ $1 = --rep ] && rep=$2; shift 2 ;;
    --quick) shift ;; *) echo "fake: bad option $1" >&2; exit 2 ;; esac; done
[ -z "${FAKE_SLEEP:-}" ] || sleep "$FAKE_SLEEP"
echo "allocator,workload,rep,status,value_ns"
[ -n "${FAKE_NOROWS:-}" ] || echo "$LAB_ALLOCATOR,$w,$rep,ok,${FAKE_VALUE:-1}"
EOF
chmod +x "$fake"
$RUN --prog "$fake" --out "$TMP/ok/ok.csv" --reps 2 --allocators glibc 2>/dev/null
is "$(wc -l <"$TMP/ok/ok.csv")" 5 "the fake experiment runs: 2 cases x 2 repetitions"
is "$(ls -A "$TMP/ok" | paste -sd' ')" "env.txt ok.csv" "a run leaves its CSV and env.txt, nothing else"

# A pid that is not running (for stale temporary files).
dead=4000000; while [ -e /proc/$dead ]; do dead=$((dead - 1)); done
children() { ps -o pid= --ppid "$1" | tr -d ' '; }

# ---------------------------------------------------------------- item 3: the lock
# kill -9 of a runner with --pin --spin-others: its spin loops and its program die with
# it, none held the lock, and the next run gets the lock at once.
mkdir -p "$TMP/k"
echo "previous" >"$TMP/k/k.csv"
FAKE_SLEEP=30 $RUN --prog "$fake" --out "$TMP/k/k.csv" --reps 2 --allocators glibc --pin --spin-others 2>/dev/null & runner=$!
kids=
for _ in $(seq 50); do kids=$(children $runner); [ "$(echo "$kids" | grep -c .)" -ge "$(($(nproc) > 1 ? 2 : 1))" ] && break; sleep 0.2; done
spinners=$(for k in $kids; do grep -l 'while :' /proc/$k/cmdline 2>/dev/null | cut -d/ -f3; done)
if [ "$(nproc)" -gt 1 ]; then
    [ -n "$spinners" ]; ok $? "--spin-others starts a spin loop"
fi
holders=$(for k in $kids; do ls -l /proc/$k/fd 2>/dev/null | grep -F "$LAB_LOCK"; done)
is "$holders" "" "no helper of the runner holds the lock's descriptor"
kill -9 $runner; wait $runner 2>/dev/null
gone=1; for _ in $(seq 25); do gone=0; for k in $kids; do [ -e /proc/$k ] && gone=1; done; [ $gone = 0 ] && break; sleep 0.2; done
ok $gone "kill -9 of the runner: its spin loops and its program die too"
timeout 5 flock -n "$LAB_LOCK" true; ok $? "and the lock is free at once"
is "$(cat "$TMP/k/k.csv")" previous "the killed run left the old CSV as it was"
[ -d "$TMP/k/.tmp/$runner" ]; ok $? "the killed run's temporary files are in one place: .tmp/PID beside the data"
touch "$TMP/k/k.csv.rows.tmp.$dead" "$TMP/k/env.txt.tmp.$dead"   # the older convention, left by a killed run
timeout 20 $RUN --prog "$fake" --out "$TMP/k/k.csv" --reps 1 --allocators glibc 2>/dev/null
ok $? "the next run gets the lock and runs"
is "$(ls -A "$TMP/k" | paste -sd' ')" "env.txt k.csv" "and sweeps the stale temporary files of runs that are gone"

# A waiting run names the process that holds the lock.
FAKE_SLEEP=3 $RUN --prog "$fake" --out "$TMP/h/h.csv" --reps 1 --allocators glibc 2>/dev/null & holder=$!
for _ in $(seq 25); do grep -q "^$holder " "$LAB_LOCK" 2>/dev/null && break; sleep 0.2; done
err=$($RUN --prog "$fake" --out "$TMP/w/w.csv" --reps 1 --allocators glibc 2>&1 >/dev/null | head -1)
wait $holder
[[ $err == "run: waiting for another measurement to finish: pid $holder (/bin/bash common/run --prog $fake --out $TMP/h/h.csv "* ]] &&
    [[ $err == *") holds $LAB_LOCK" ]]
ok $? "a waiting run names the pid that holds the lock" || echo "#   $err"
[ ! -e common/lock ]; ok $? "no other way to take the lock: common/run is the only launcher"

# ---------------------------------------------------------------- item 4: no data lost
echo good >"$TMP/k/k.csv"
fails_with 2 "^run: error: --seed '08' is not allowed: expected an integer from 0 to 4294967295" "--seed 08 is an error" -- \
    $RUN --prog "$fake" --out "$TMP/k/k.csv" --seed 08
for v in abc -1 4294967296 1e3 ''; do
    fails_with 2 "--seed '$v' is not allowed" "--seed '$v' is an error" -- $RUN --prog "$fake" --out "$TMP/k/k.csv" --seed "$v"
done
for o in "--reps 0" "--reps 1001" "--reps 02" "--timeout 0" "--timeout x"; do
    fails_with 2 "${o% *} '${o#* }' is not allowed" "$o is an error" -- $RUN --prog "$fake" --out "$TMP/k/k.csv" $o
done
FAKE_NOROWS=1 $RUN --prog "$fake" --out "$TMP/k/k.csv" --reps 1 --allocators glibc >/dev/null 2>"$TMP/err"; rc=$?
is "$rc" 1 "a run in which no process wrote a row exits 1"
grep -q "no process wrote a row; $TMP/k/k.csv left as it was" "$TMP/err"; ok $? "and says so"
fails_with 1 "none of the allocators ghost=/nonexistent/x.so is installed" "a run with no installed allocator is an error" -- \
    $RUN --prog "$fake" --out "$TMP/k/k.csv" --allocators "ghost=/nonexistent/x.so"
is "$(cat "$TMP/k/k.csv")" good "no bad value, and no empty run, replaced the CSV"
mkdir -p "$TMP/mk/data/01-micro"; echo good >"$TMP/mk/data/01-micro/01-micro.csv"
fails_with 2 "--seed '08' is not allowed" "make 01 QUICK=1 SEED=08 is an error" -- make -s 01 QUICK=1 OUT="$TMP/mk" SEED=08
is "$(cat "$TMP/mk/data/01-micro/01-micro.csv")" good "and leaves the CSV as it was"

# ---------------------------------------------------------------- silent successes
fails_with 2 "^run: error: --allocators '' is empty" "--allocators '' is an error" -- $RUN --prog "$fake" --out "$TMP/x/x.csv" --allocators ''
fails_with 2 "--allocators ' ' is empty" "--allocators ' ' is an error" -- $RUN --prog "$fake" --out "$TMP/x/x.csv" --allocators ' '
fails_with 2 "ALLOCATORS is empty" "make ALLOCATORS= is an error" -- make -s 01 QUICK=1 OUT="$TMP/mk" ALLOCATORS=
fails_with 2 "ALLOCATORS is empty" "make ALLOCATORS=' ' is an error" -- make -s 01 QUICK=1 OUT="$TMP/mk" ALLOCATORS=' '
fails_with 2 "allocator name 'a,b' is not allowed: expected letters a-z, digits" "a name with a comma is an error" -- \
    $RUN --prog "$fake" --out "$TMP/x/x.csv" --allocators 'glibc a,b'
fails_with 2 "allocator name 'Glibc' is not allowed" "names are lower case" -- $RUN --prog "$fake" --out "$TMP/x/x.csv" --allocators Glibc
fails_with 2 "ALLOCATORS: .*'a,b' is not allowed" "make ALLOCATORS=a,b is an error" -- make -s 01 QUICK=1 OUT="$TMP/mk" ALLOCATORS=a,b
fails_with 2 "allocator 'glibc' is listed twice" "an allocator listed twice is an error" -- $RUN --prog "$fake" --out "$TMP/x/x.csv" --allocators 'glibc glibc'
$RUN --prog "$fake" --out "$TMP/fl/fl.csv" --reps 1 --allocators 'glibc floor' --floor >/dev/null 2>&1
is "$(awk -F, 'NR > 1 { print $1 }' "$TMP/fl/fl.csv" 2>/dev/null | sort | uniq -c | awk '{ print $2 ":" $1 }' | paste -sd' ')" \
    "floor:2 glibc:2" "floor listed in --allocators and given by --floor: one row per case each"
mkdir -p "$TMP/d"
fails_with 2 "--out '$TMP/d' is a directory: expected a file path ending in .csv" "--out DIR is an error" -- $RUN --prog "$fake" --out "$TMP/d" --allocators glibc
is "$(ls -A "$TMP/d")" "" "and leaves nothing in DIR"
fails_with 2 "--out '$TMP/d/x.txt' is not allowed: expected a file path ending in .csv" "--out FILE.txt is an error" -- $RUN --prog "$fake" --out "$TMP/d/x.txt"
fails_with 2 "QUICK='no' is not allowed: expected QUICK=1 .*QUICK=0 or QUICK=" "QUICK=no is an error" -- make -s 01 QUICK=no
fails_with 2 "QUICK='yes' is not allowed" "QUICK=yes is an error" -- make -s 01 QUICK=yes
make -n run-01-micro QUICK=0 2>&1 | grep -- '--prog build/01-micro/01-micro' >"$TMP/q0"
ok $([ -s "$TMP/q0" ] && ! grep -q -- '--quick' "$TMP/q0" && grep -q -- '--out data/01-micro/01-micro.csv' "$TMP/q0"; echo $?) "QUICK=0 is full size, into data/"
make -n run-01-micro QUICK=1 2>&1 | grep -- '--prog build/01-micro/01-micro' >"$TMP/q1"
ok $(grep -q -- '--quick.*--out build/quick/data/01-micro/01-micro.csv' "$TMP/q1"; echo $?) "QUICK=1 is QUICK, into build/quick/"
# A chapter's passes (NN_PASSES, NN_PASS.NAME): after its run, one common/run each into
# $(DATA)/NN/NAME.csv; a missing pass CSV runs that pass alone; the book starts none.
make -n run-01-micro 2>&1 | grep -o -- '--out [^ ]*' | paste -sd' ' >"$TMP/passes"
is "$(cat "$TMP/passes")" "--out data/01-micro/01-micro.csv --out data/01-micro/jemalloc-conf.csv --out data/01-micro/sizes.csv --out data/01-micro/glibc-trim.csv --out data/01-micro/counts.csv" \
    "make run-01-micro: the run, then its passes in the declared order"
make -n QUICK=1 OUT="$TMP/np" "$TMP/np/data/03-fragmentation/madvfree.csv" 2>&1 | grep '^common/run' >"$TMP/np.cmd"
ok $([ "$(wc -l <"$TMP/np.cmd")" = 1 ] && grep -q -- "--allocators mimalloc .*--out $TMP/np/data/03-fragmentation/madvfree.csv" "$TMP/np.cmd"; echo $?) \
    "a missing pass CSV: that pass alone"
ok $(make -n book 2>&1 | grep -q '^common/run'; [ $? = 1 ]; echo $?) "make book starts no measurement"
# The trace tools (and a chapter's NN_TOOLS, NN_TEST_TOOLS) are built by convention, and
# chapter 4's run needs them.
make -n -B build/trace/heaptrace.so build/trace/realrun build/asan/trace/heaptrace.so 2>&1 >"$TMP/tools"
ok $(grep -q -- '-fPIC -shared -o build/trace/heaptrace.so common/trace/heaptrace.c' "$TMP/tools" &&
     grep -q '^ln -sf trace build/trace/realrun$' "$TMP/tools" &&
     grep -q -- '-fsanitize=undefined .*-o build/asan/trace/heaptrace.so' "$TMP/tools" &&
     ! grep -q -- '-fsanitize=address.*heaptrace.so' "$TMP/tools"; echo $?) "tools: a .so, a link, a sanitized .so (UBSan only)"
make -n -B run-04-real-workloads 2>&1 >"$TMP/tools"
ok $(grep -q -- '-o build/trace/trace common/trace/trace.c' "$TMP/tools" &&
     grep -q 'xz -dc data/traces/gcc.htr.xz' "$TMP/tools"; echo $?) "run-04-real-workloads builds its tools and inputs first"
# A chapter's further summaries (NN_SUMMARIES, NN_SUMMARY.NAME) and book-time tables (NN_GEN,
# NN_GEN.NAME, NN_GEN_DEPS.NAME), in a tiny fake chapter: the table's command makes it, the
# files the command names (here the summary, made first) and GEN_DEPS are its prerequisites.
mkdir -p "$TMP/g/data/99-fake"
printf 'allocator,workload,rep,status,value_ns\nglibc,a,1,ok,5\nglibc,a,2,ok,7\nglibc,b,1,ok,3\n' >"$TMP/g/data/99-fake/x.csv"
echo dep >"$TMP/g/dep"
cat >"$TMP/g/99.mk" <<EOF
99-fake_SUMMARIES := x
99-fake_GEN := t
99-fake_GEN.t := sed -n 1p \$(DATA)/99-fake/x.summary.csv
99-fake_GEN_DEPS.t := $TMP/g/dep
\$(eval \$(call chapter,99-fake))
EOF
gmake() { make -f Makefile -f "$TMP/g/99.mk" QUICK=1 OUT="$TMP/g" "$@"; }
gmake -s "$TMP/g/gen/99-fake/t.md" >/dev/null 2>&1
is "$(cut -d, -f1-3 "$TMP/g/gen/99-fake/t.md" 2>&1)" "allocator,workload,metric" \
    "NN_SUMMARIES: NAME.summary.csv by summarize (no NN_SUMMARY.NAME: --by allocator,workload); NN_GEN: the table is its command's output"
gmake -q "$TMP/g/gen/99-fake/t.md"; ok $? "and then it is up to date"
touch "$TMP/g/dep"; gmake -q "$TMP/g/gen/99-fake/t.md"; [ $? = 1 ]; ok $? "NN_GEN_DEPS.NAME: a newer prerequisite remakes the table"
gmake -s "$TMP/g/gen/99-fake/t.md" >/dev/null 2>&1
touch "$TMP/g/data/99-fake/x.csv"; gmake -q "$TMP/g/gen/99-fake/t.md"; [ $? = 1 ]; ok $? "so does a newer CSV under its summary"
# NN_FULL_PASSES: those passes run without --quick in QUICK too (04's overhead-dry); chapter
# 4's cc1 pass finds cc1's command line with chapters/04-real-workloads/cc1.
make -n QUICK=1 OUT="$TMP/fp" "$TMP/fp/data/04-real-workloads/overhead-dry.csv" "$TMP/fp/data/04-real-workloads/overhead-loop.csv" 2>&1 |
    grep '^common/run' >"$TMP/fp.cmd"
ok $([ "$(wc -l <"$TMP/fp.cmd")" = 2 ] && grep -q -- "--quick .*--out $TMP/fp/data/04-real-workloads/overhead-loop.csv" "$TMP/fp.cmd" &&
     grep -- "--out $TMP/fp/data/04-real-workloads/overhead-dry.csv" "$TMP/fp.cmd" | grep -qv -- --quick; echo $?) \
    "NN_FULL_PASSES: overhead-dry runs without --quick, overhead-loop with it"
cc1=chapters/04-real-workloads/cc1
[ -x "$($cc1 --prog)" ] && [[ $($cc1 --args) == *" -o /dev/null"* ]]
ok $? "cc1: gcc's cc1 program, and its arguments writing to /dev/null"
is "$($cc1 --help | head -1)" "chapters/04-real-workloads/cc1 --prog|--args -- gcc's compiler proper, cc1, as the" "cc1 --help: usage on stdout"
fails_with 2 "^cc1: error: expected --prog or --args, not '-x'" "cc1: a bad option is one line" -- $cc1 -x
fails_with 2 "^cc1: error: expected '--prog' alone" "cc1: a stray argument is one line" -- $cc1 --prog "$TMP/nodir"
fails_with 2 "^record-traces: error: '$TMP/nodir' is not a directory$" "record-traces: a bad directory is one line" -- \
    chapters/04-real-workloads/record-traces "$TMP/nodir"
fails_with 2 "^record-traces: error: expected one argument" "record-traces without its argument" -- chapters/04-real-workloads/record-traces
# A QUICK `make NN` renders the book of the chapters it names: another chapter's stale or
# broken QUICK data cannot fail it.
mkdir -p "$TMP/bk/data/01-micro" "$TMP/bk/data/03-fragmentation"
echo "not,a,good,csv" >"$TMP/bk/data/01-micro/01-micro.csv"; cp "$TMP/bk/data/01-micro/01-micro.csv" "$TMP/bk/data/03-fragmentation/03-fragmentation.csv"
make -n 03 QUICK=1 OUT="$TMP/bk" 2>/dev/null | grep -c 'book BOOK_ONLY="03-fragmentation"$' >"$TMP/bo"
is "$(cat "$TMP/bo")" 1 "make 03 QUICK=1 asks for a book of chapter 3 only"
make -n book QUICK=1 OUT="$TMP/bk" BOOK_ONLY=03-fragmentation 2>/dev/null | grep '^common/book/render' >"$TMP/render"
ok $(grep -q 'chapters/03-fragmentation/03-fragmentation.md' "$TMP/render" && ! grep -q 01-micro "$TMP/render"; echo $?) \
    "  ... which leaves out chapter 1, whose QUICK data is there but broken"
make -n book QUICK=1 OUT="$TMP/bk" 2>/dev/null | grep '^common/book/render' >"$TMP/render"
ok $(grep -q '01-micro.md.*03-fragmentation.md' "$TMP/render" && ! grep -q 02-threads "$TMP/render"; echo $?) \
    "make book QUICK=1 holds every chapter with QUICK data"
# A book of other chapters is out of date: after `make 05 QUICK=1`'s book of chapter 5,
# `make book QUICK=1` renders every chapter with QUICK data (here: a copy of the reference).
# (Every file one old time: a clone's checkout order must not make one look newer.)
cp -rp data "$TMP/bq-data" && cp -rp figures "$TMP/bq-fig" && find "$TMP/bq-data" "$TMP/bq-fig" -exec touch -d '2020-01-01 00:00' {} +
bq=(QUICK=1 DATA="$TMP/bq-data" FIG="$TMP/bq-fig" OUT="$TMP/bq")
make -s book "${bq[@]}" BOOK_ONLY=05-internals >"$TMP/bq.log" 2>&1; ok $? "a QUICK book of chapter 5 alone renders"
make -q book "${bq[@]}" BOOK_ONLY=05-internals 2>/dev/null; ok $? "  ... and is then up to date"
make -q book "${bq[@]}" 2>/dev/null; is "$?" 1 "  ... but not as the book of every chapter with QUICK data"
fails_with 2 "REPS='x' is not allowed" "make REPS=x is an error" -- make -s 01 REPS=x
fails_with 2 "SEED='1;true' is not allowed" "make SEED='1;true' is an error" -- make -s 01 SEED='1;true'
fails_with 2 "OUT='$TMP/a b' is not allowed.*spaces" "an OUT with a space is one clear error" -- make -s 01 QUICK=1 OUT="$TMP/a b"
is "$(make -s 01 QUICK=1 OUT="$TMP/a b" 2>&1 | wc -l)" 1 "  ... of one line"

# ---------------------------------------------------------------- passes under a tool (--wrap)
$RUN --prog "$fake" --out "$TMP/wr/pass.csv" --reps 2 --allocators "glibc ghost=/no/x.so" --wrap none 2>/dev/null
ok $? "--wrap none: a pass under a wrapper runs"
is "$(head -1 "$TMP/wr/pass.csv")" "allocator,workload,rep,status,value_ns,tool,wall_s" "  ... its rows gain 'tool' and the wrapper's columns"
is "$(awk -F, '$1 == "glibc" && $4 == "ok" && $5 == 1 && $6 == "none" && $7 > 0' "$TMP/wr/pass.csv" | wc -l)" 4 \
    "  ... the program ran under it (its own value) and the wrapper recorded its time"
is "$(awk -F, '$1 == "ghost" { print $2 "," $4 "," $6 }' "$TMP/wr/pass.csv" | paste -sd' ')" "a,missing,none b,missing,none" \
    "  ... a missing allocator's rows come from run, one per case and wrapper"
is "$(ls -A "$TMP/wr" | paste -sd' ')" "pass.csv pass.env.txt" "  ... a pass's environment goes to NAME.env.txt (env.txt is the chapter's)"
grep -q '^wrappers: none$' "$TMP/wr/pass.env.txt"; ok $? "  ... which names the wrapper"
LAB_STRACE=/nonexistent/strace $RUN --prog "$fake" --out "$TMP/wr/u.csv" --reps 1 --allocators glibc --wrap strace --wrap none 2>/dev/null
is "$(awk -F, 'NR > 1 { print $2 "," $4 "," $6 }' "$TMP/wr/u.csv" | paste -sd' ')" \
    "a,unavailable: strace not found (make deps installs strace),strace a,ok,none b,unavailable: strace not found (make deps installs strace),strace b,ok,none" \
    "a wrapper whose tool is missing: rows that say why, not an error; the others run"
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
    $RUN --prog "$fake" --out "$TMP/wr/s.csv" --reps 1 --allocators glibc --wrap strace --case "--workload a" 2>/dev/null
    is "$(head -1 "$TMP/wr/s.strace.csv" 2>/dev/null)" "allocator,workload,rep,t_ms,call,y_start_mib,y_end_mib,length_kib" \
        "a wrapper's own rows go to NAME.WRAPPER.csv, after the key columns"
    ok $(awk -F, 'NR > 1 && !($7 > 0) { bad = 1 } END { exit bad }' "$TMP/wr/s.csv"; echo $?) "  ... and its values to the row (strace's wall time)"
fi
fails_with 2 "^run: error: unknown wrapper 'nosuch': expected one of .*none.*strace" "an unknown wrapper is one clear error" -- \
    $RUN --prog "$fake" --out "$TMP/wr/x.csv" --wrap nosuch
fails_with 2 "^run: error: unknown wrapper '../run'" "a wrapper name is a name, not a path" -- $RUN --prog "$fake" --out "$TMP/wr/x.csv" --wrap ../run
fails_with 2 "^run: error: wrapper 'none' is given twice" "a wrapper given twice is an error" -- \
    $RUN --prog "$fake" --out "$TMP/wr/x.csv" --wrap none --wrap none
is "$(common/wrap/none true 2>&1; echo "rc=$?")" "none: error: LAB_WRAP_OUT and LAB_WRAP_DIR are not set: common/run --wrap none runs this
rc=2" "a wrapper outside common/run: one clear error"
for w in common/wrap/*; do
    is "$($w --columns | grep -cE '^[a-z0-9_]+(,[a-z0-9_]+)*$')" 1 "${w##*/} --columns: names separated by commas"
    is "$($w --row-columns | grep -cE '^([a-z0-9_]+(,[a-z0-9_]+)*)?$')" 1 "${w##*/} --row-columns: names separated by commas, or an empty line"
done
# A wrapper that cannot run still leaves its rows file, with the header: a figure of those
# rows draws an empty panel instead of failing.
env LAB_STRACE=/nonexistent/strace $RUN --prog "$fake" --out "$TMP/wr/u.csv" --reps 1 --allocators glibc --wrap strace 2>/dev/null
is "$(cat "$TMP/wr/u.strace.csv" 2>&1)" "allocator,workload,rep,t_ms,call,y_start_mib,y_end_mib,length_kib" \
    "--wrap strace unavailable: NAME.strace.csv is written, header only"
ok $(grep -q ',unavailable: strace not found' "$TMP/wr/u.csv"; echo $?) "  ... and the run's rows say why"

# Item 8: a pass that preloads a library checks that the preload took: a recorder that
# records nothing stops the run (exit 3), and nothing is written.
if [ -x "$BUILD/trace/trace" ]; then
    echo 'int heaplab_nothing;' >"$TMP/nothing.c"
    gcc -shared -fPIC -o "$TMP/nothing.so" "$TMP/nothing.c"
    fails_with 3 "heaptrace: error: .* under LD_PRELOAD=$TMP/nothing.so wrote no trace: the preload did not take" \
        "--wrap heaptrace: a preload that did not take stops the run, not an untraced timing" -- \
        env LAB_HEAPTRACE="$TMP/nothing.so" $RUN --prog "$fake" --out "$TMP/wr/h.csv" --reps 1 --allocators glibc --wrap heaptrace
    ok $([ ! -e "$TMP/wr/h.csv" ]; echo $?) "  ... and writes nothing"
fi

# A process past its limit is a 'timeout' row, and is not run again in later repetitions
# (heaptrack over cc1 once held the lock for many minutes, repetition after repetition).
FAKE_SLEEP=5 $RUN --prog "$fake" --out "$TMP/to/t.csv" --reps 2 --timeout 1 --allocators glibc --case "--workload a" 2>/dev/null
is "$(tail -n +2 "$TMP/to/t.csv" 2>/dev/null)" "glibc,a,1,timeout," "a process past its limit: one 'timeout' row, not run again"

# heaptrack cut short by the limit: it would finish its program first; the wrapper ends its
# whole session (no program left running after the run) and removes its FIFO.
if command -v heaptrack >/dev/null && [ -x "$BUILD/trace/trace" ]; then
    $RUN --command --values calls,elapsed_s --prog "$BUILD/trace/trace" --case "loop loop 987654321" \
        --timeout 2 --reps 1 --allocators glibc --wrap heaptrack --out "$TMP/ht/h.csv" 2>/dev/null
    is "$(awk -F, 'NR > 1 { print $4 }' "$TMP/ht/h.csv")" timeout "--wrap heaptrack past the limit: a 'timeout' row"
    sleep 0.5
    is "$(ps -eo args | grep -c '[l]oop 987654321')" 0 "  ... and nothing it started is left running"
    stale=$(for f in /tmp/heaptrack_fifo*; do p=${f#/tmp/heaptrack_fifo}; [ -p "$f" ] && [ ! -e "/proc/$p" ] && echo "$f"; done)
    is "$stale" "" "  ... nor a FIFO of a heaptrack that is gone"
fi

# --env reaches the program; the runner's own variables are its own.
$RUN --prog "$fake" --out "$TMP/e/e.csv" --reps 1 --allocators glibc --env FAKE_VALUE=7 --case "--workload a" 2>/dev/null
is "$(tail -1 "$TMP/e/e.csv")" "glibc,a,1,ok,7" "--env VAR=VALUE reaches the program"
fails_with 2 "^run: error: --env 'LD_PRELOAD=/x.so' is not allowed: the runner sets LD_PRELOAD itself" "--env LD_PRELOAD is refused" -- \
    $RUN --prog "$fake" --out "$TMP/e/e.csv" --env LD_PRELOAD=/x.so
fails_with 2 "^run: error: --env 'FAKE' is not allowed: expected VAR=VALUE" "--env without a value is refused" -- \
    $RUN --prog "$fake" --out "$TMP/e/e.csv" --env FAKE
# --missing-ok: a pass that names one allocator writes its 'missing' row when it is absent.
$RUN --prog "$fake" --out "$TMP/mo/m.csv" --reps 1 --allocators ghost=/no/x.so --missing-ok --case "--workload a" 2>/dev/null
is "$?,$(tail -n +2 "$TMP/mo/m.csv" 2>/dev/null)" "0,ghost,a,0,missing," "--missing-ok: no allocator installed writes the 'missing' row, exit 0"
# --command: a program outside the protocol, with --values read off its output.
$RUN --command --values calls,elapsed_s --prog /bin/echo --case "e 12 0.5" --out "$TMP/c/c.csv" --reps 1 --allocators glibc 2>/dev/null
is "$(cat "$TMP/c/c.csv" 2>/dev/null)" "allocator,workload,rep,status,calls,elapsed_s
glibc,e,1,ok,12,0.5" "--command --values: the label is the workload, the printed values its columns"
fails_with 2 "^run: error: --values needs --command" "--values without --command is refused" -- \
    $RUN --prog "$fake" --out "$TMP/c/c.csv" --values a
fails_with 2 "^run: error: /bin/echo e under glibc printed '': expected values for calls" "--command: a program that does not print its values stops the run" -- \
    $RUN --command --values calls --prog /bin/echo --case "e" --out "$TMP/c/d.csv" --reps 1 --allocators glibc

# ---------------------------------------------------------------- injection and odd paths
fails_with 2 "allocator name '\`touch' is not allowed" "a backtick in a name is refused" -- \
    $RUN --prog "$fake" --out "$TMP/x/x.csv" --allocators "glibc \`touch $TMP/pwned1\`"
make -s 01 QUICK=1 OUT="$TMP/mk" ALLOCATORS="glibc \`touch $TMP/pwned2\`" >/dev/null 2>&1
make -s 01 QUICK=1 OUT="$TMP/mk" ALLOCATORS="glibc'; touch $TMP/pwned3; '" >/dev/null 2>&1
make -s 01 QUICK=1 OUT="$TMP/mk" ALLOCATORS="glibc \$\$(touch $TMP/pwned4)" >/dev/null 2>&1
ok $(ls "$TMP"/pwned* >/dev/null 2>&1; [ $? -ne 0 ]; echo $?) "no command in ALLOCATORS runs"
fails_with 2 "allocator '=/x.so' is not allowed: the name before '=' must be" "--allocators '=/x.so' is one clear error" -- \
    $RUN --prog "$fake" --out "$TMP/x/x.csv" --allocators "=/x.so"
fails_with 2 "allocator 'h=/a:b.so' is not allowed: .*without spaces or colons" "a path LD_PRELOAD cannot carry is refused" -- \
    $RUN --prog "$fake" --out "$TMP/x/x.csv" --allocators "h=/a:b.so"
mkdir -p "$TMP/lib"; : >"$TMP/lib/a.so"
$RUN --prog "$fake" --out "$TMP/star/s.csv" --reps 1 --allocators "glibc star=$TMP/lib/*.so" 2>/dev/null
is "$(awk -F, '$1 == "star" { print $4 }' "$TMP/star/s.csv" | sort -u)" missing "a '*' in a library path is not expanded"
mkdir -p "$TMP/sp ace"; cp "$fake" "$TMP/sp ace/fake"
$RUN --prog "$TMP/sp ace/fake" --out "$TMP/sp ace/out dir/s.csv" --reps 1 --allocators glibc 2>/dev/null
is "$(wc -l <"$TMP/sp ace/out dir/s.csv" 2>/dev/null)" 3 "paths with spaces work in the runner"

# ---------------------------------------------------------------- the command lines
fails_with 2 "^run: error: --prog needs a value$" "run --prog without a value" -- $RUN --prog
fails_with 2 "^run: error: --out needs a value$" "run --out without a value" -- $RUN --prog "$fake" --out
fails_with 2 "^run: error: --reps is given twice$" "a duplicated option is an error" -- $RUN --prog "$fake" --out "$TMP/x/x.csv" --reps 1 --reps 2
for s in common/run common/bench chapters/04-real-workloads/tables chapters/04-real-workloads/record-traces common/atomic common/allocators common/deps .ci/run common/book/render \
         common/wrap/*; do
    for h in -h --help; do
        out=$(cd "$TMP" && "$ROOT/$s" $h 2>"$TMP/herr"); rc=$?
        ok $([ $rc = 0 ] && [[ $out == *usage* || $out == *"$(basename $s)"* ]] && [ ! -s "$TMP/herr" ]; echo $?) "$s $h: usage on stdout, exit 0"
    done
done
is "$(ls -A "$TMP" | grep -c -- '--help')" 0 "no --help.tmp or the like left behind"

# ---------------------------------------------------------------- labelled cases (arms)
# --case "@LABEL ARGS": two cases of one workload told apart by a column `arm`, in one run.
$RUN --prog "$fake" --out "$TMP/arm/arm.csv" --reps 2 --allocators "glibc gone=/nonexistent/lib.so" \
    --case "@base --workload a" --case "@variant --workload a" 2>/dev/null
is "$(head -1 "$TMP/arm/arm.csv")" "allocator,workload,rep,status,value_ns,arm" "--case @LABEL: the rows gain a column arm, after the program's"
is "$(rows "$TMP/arm/arm.csv" --where arm=variant,status=ok)" 2 "  ... each arm's rows carry its label (2 repetitions)"
is "$(rows "$TMP/arm/arm.csv" --where allocator=gone,status=missing,arm=base)" 1 "  ... a missing allocator's status rows too"
grep -q 'cases: @base --workload a; @variant --workload a;' "$TMP/arm/env.txt"; ok $? "  ... and env.txt names each case with its label"
crash=$TMP/crash; sed 's/^echo "allocator,workload,rep,status,value_ns"$/[ "$w" = b ] \&\& kill -SEGV $$; &/' "$fake" >"$crash"; chmod +x "$crash"
$RUN --prog "$crash" --out "$TMP/arm/c.csv" --reps 1 --allocators glibc --case "@fine --workload a" --case "@bad --workload b" 2>/dev/null
is "$(rows "$TMP/arm/c.csv" --where arm=bad,status=crashed_SEGV)" 1 "a crashed process's status row carries its arm"
fails_with 2 "some cases are labelled '@LABEL' and some are not" "--case: labelled and unlabelled cases mixed: one line" -- \
    $RUN --prog "$fake" --out "$TMP/arm/x.csv" --allocators glibc --case "@a --workload a" --case "--workload b"
fails_with 2 "label '@a' is given twice" "--case: a label twice: one line" -- \
    $RUN --prog "$fake" --out "$TMP/arm/x.csv" --allocators glibc --case "@a --workload a" --case "@a --workload b"
fails_with 2 "'@Big --workload a' is not allowed: expected \"@LABEL ARGS...\"" "--case: a bad label: one line naming it" -- \
    $RUN --prog "$fake" --out "$TMP/arm/x.csv" --allocators glibc --case "@Big --workload a"
fails_with 2 "not allowed with --command" "--case @LABEL with --command: one line" -- \
    $RUN --prog "$fake" --out "$TMP/arm/x.csv" --allocators glibc --command --case "@a x"
armed=$TMP/armed; sed 's/value_ns"/value_ns,arm"/' "$fake" >"$armed"; chmod +x "$armed"
fails_with 2 "has a column 'arm' already" "--case @LABEL on a program with a column arm: one line" -- \
    $RUN --prog "$armed" --out "$TMP/arm/x.csv" --allocators glibc --case "@a --workload a"
[ ! -e "$TMP/arm/x.csv" ]; ok $? "  ... and none of them wrote anything"

# ---------------------------------------------------------------- temporary files elsewhere
mkdir -p "$TMP/a/.tmp/$dead"; : >"$TMP/a/.tmp/$dead/x"
common/atomic "$TMP/a/t.txt" echo hello
is "$(cat "$TMP/a/t.txt")" hello "common/atomic writes its command's output"
is "$(ls -A "$TMP/a")" t.txt "and sweeps a stale .tmp/PID, leaving no temporary file"
common/atomic "$TMP/a/t.txt" sh -c 'echo partial; exit 3'; rc=$?
is "$rc" 3 "a failing command: common/atomic exits with its status"
is "$(cat "$TMP/a/t.txt"; ls -A "$TMP/a" | paste -sd' ')" "hello
t.txt" "  ... and leaves the target as it was, and no temporary file"
if command -v pandoc >/dev/null; then
    mkdir -p "$TMP/b/d" "$TMP/b/f" "$TMP/b/out/.tmp/$dead"; : >"$TMP/b/out/.tmp/$dead/book.html"
    : >"$TMP/b/out/book.html.tmp.$dead"; : >"$TMP/b/out/book.html.tmp.$dead.err"
    printf -- '---\ntitle: t\n---\n\n# One\n\nText.\n' >"$TMP/b/b.md"
    common/book/render "$TMP/b/out/book.html" "$TMP/b/d" "$TMP/b/f" "$TMP/b/b.md" 2>/dev/null
    ok $? "render: a tiny book renders"
    is "$(ls -A "$TMP/b/out" | paste -sd' ')" "book.claims.tsv book.html" "render sweeps a killed render's temporary files and leaves none (the book and its list of claims)"
    # A side pass's row that says why it has no value (overhead's heaptrack 'timeout'): the
    # sentence says so, the book renders.
    mkdir -p "$TMP/b/d/x"; printf 'tool,target,status,slowdown\nnone,cc1,ok,1\nheaptrack,cc1,timeout,\n' >"$TMP/b/d/x/o.csv"
    printf -- '---\ntitle: t\n---\n\n# One\n\nSlower by []{.v src="x/o.csv" tool=heaptrack target=cc1 stat=slowdown}.\n' >"$TMP/b/v.md"
    common/book/render "$TMP/b/out/v.html" "$TMP/b/d" "$TMP/b/f" "$TMP/b/v.md" 2>"$TMP/b/err"
    ok $? "a value whose row says 'timeout' renders" || sed 's/^/# /' "$TMP/b/err"
    grep -q 'Slower by <span class="v not-run">no data (timeout)</span>' "$TMP/b/out/v.html"; ok $? "  ... as 'no data (timeout)'"
fi
done_testing
