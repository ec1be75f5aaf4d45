#!/bin/bash
# tests/fleet.t -- heaplab across machines (issue 16): make fleet over ssh through GNU
# parallel, against an sshd this test starts on loopback addresses with keys it makes;
# a host that refuses the connection and a host whose job is killed mid-run become
# FAILED records while the others land whole; the appendix "Across machines" renders from
# what landed (and not from one machine), with the chapters' claims counted per machine as
# each machine's list of claims has them, and a claim that a machine's data contradicts
# shown as not holding there only; make bundle and make merge, with every kind of
# bundle merge must reject leaving the data as it was; the Slurm script; bad input; --help.
# Only 127.0.0.x is ever contacted. The sshd runs on its own config in $TMP (root may log
# in with the test's key, nothing else) and is stopped on exit, whatever happens.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

SSHD=/usr/sbin/sshd
for t in "$SSHD" ssh ssh-keygen parallel rsync; do
    command -v "$t" >/dev/null || { echo "1..0 # SKIP $t not installed (make deps)"; exit 0; }
done
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP sshd's privilege separation needs root (CI runs as root)"; exit 0; }

# ---------------------------------------------------------------- the loopback sshd

# A port free on every address the test uses (nothing answers a connection to it).
free_port() {
    local p a
    for p in $(seq 22220 22299); do
        for a in 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4; do
            (exec 3<>"/dev/tcp/$a/$p") 2>/dev/null && continue 2
        done
        echo "$p"; return
    done
    return 1
}
PORT=$(free_port) || { echo "1..0 # SKIP no free port in 22220-22299"; exit 0; }
# On any exit (a signal too): the fleet this test started, then its sshd, then its files.
fleet=
stop_sshd() {
    [ -z "$fleet" ] || kill "$fleet" 2>/dev/null
    [ -s "$TMP/sshd.pid" ] && kill "$(cat "$TMP/sshd.pid")" 2>/dev/null
    rm -rf "$TMP"
}
trap stop_sshd EXIT
trap 'exit 1' INT TERM HUP
ssh-keygen -q -t ed25519 -N '' -f "$TMP/host_key" && ssh-keygen -q -t ed25519 -N '' -f "$TMP/client_key"
cp "$TMP/client_key.pub" "$TMP/authorized_keys"
# loopback-a and -b answer; nothing listens on 127.0.0.3 (loopback-c: refused); loopback-d's
# job is the one killed. SetEnv SHLVL=1: bash reads ~/.bashrc for a command over ssh unless
# it is a nested shell, and a slow one (a pyenv init takes a second) would cost every one
# of the dozens of commands parallel sends.
cat >"$TMP/sshd_config" <<EOF
ListenAddress 127.0.0.1:$PORT
ListenAddress 127.0.0.2:$PORT
ListenAddress 127.0.0.4:$PORT
HostKey $TMP/host_key
PidFile $TMP/sshd.pid
AuthorizedKeysFile $TMP/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
MaxStartups 100
SetEnv SHLVL=1
LogLevel ERROR
EOF
{
    for h in a:127.0.0.1 b:127.0.0.2 c:127.0.0.3 d:127.0.0.4; do
        printf 'Host loopback-%s\n  HostName %s\n' "${h%%:*}" "${h#*:}"
    done
    printf 'Host *\n  Port %s\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n' "$PORT" "$TMP/client_key"
    printf '  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n' "$TMP/known_hosts"
    printf '  BatchMode yes\n  ConnectTimeout 5\n  LogLevel ERROR\n'
} >"$TMP/ssh_config"
for a in 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4; do echo "[$a]:$PORT $(cut -d' ' -f1-2 "$TMP/host_key.pub")"; done >"$TMP/known_hosts"
mkdir -p /run/sshd   # (sshd's privilege separation directory, which its service makes)
"$SSHD" -f "$TMP/sshd_config" -E "$TMP/sshd.log"
SSH="ssh -F $TMP/ssh_config"
for i in $(seq 50); do $SSH loopback-a true 2>/dev/null && break; sleep 0.1; done
$SSH loopback-b true; ok $? "the test's sshd answers on 127.0.0.1 and 127.0.0.2, port $PORT"

# ---------------------------------------------------------------- bad input

# bad NAME ARGS...: make exits 2 with one line and writes no data.
bad() {
    local name=$1 out rc lines
    shift
    out=$(make -s "$@" DATA="$TMP/nothing" SSH="$SSH" 2>&1 >/dev/null); rc=$?
    lines=$(printf '%s\n' "$out" | grep -c .)
    [ "$rc" = 2 ] && [ "$lines" = 1 ] && [ ! -e "$TMP/nothing" ]
    ok $? "$name: one line, exit 2, nothing written" || printf '#   exit %s: %s\n' "$rc" "$out"
}
bad "HOSTS empty" fleet HOSTS= CHAPTERS=01
bad "a bad host name" fleet HOSTS="loopback-a bad/host" CHAPTERS=01
bad "CHAPTERS naming no chapter" fleet HOSTS=loopback-a CHAPTERS=99
bad "merge: FROM empty" merge
# (the rest straight from the scripts, which make asks first: a make costs a second)
fails_with 2 "machine 'loopback-a' is given twice" "a host given twice" -- common/fleet check --hosts "loopback-a root@loopback-a" --chapters 01
fails_with 2 "CHAPTERS is empty" "CHAPTERS empty" -- common/fleet check --hosts loopback-a --chapters ""
fails_with 2 "REPS '0' is not allowed" "a bad REPS" -- common/fleet check --hosts loopback-a --chapters 01 --reps 0
fails_with 2 "holds a brace" "a NOTE parallel would read as a replacement string" -- common/fleet check --hosts loopback-a --chapters 01 --note "x {}"
fails_with 2 "'node1@x' is not allowed for Slurm" "slurm: a USER@ node" -- common/fleet slurm --hosts "node1@x" --chapters 01 --out "$TMP/nothing"
fails_with 2 "chapter '42' is not allowed" "bundle: a chapter that is not" -- common/bundle --size quick --data data --chapters 42 --out "$TMP/nothing"
fails_with 2 "name '../x' is not allowed" "bundle: a bad name" -- common/bundle --size quick --data data --name ../x --out "$TMP/nothing"
[ ! -e "$TMP/nothing" ]; ok $? "  ... none of them wrote anything"

# ---------------------------------------------------------------- make fleet

# Four hosts at once: a and b run chapter 1 (its own run, glibc, one repetition, QUICK);
# c refuses the connection; d's job is killed once its run has begun writing.
D=$TMP/data
make -s fleet HOSTS="loopback-a loopback-b loopback-c loopback-d" CHAPTERS=01 QUICK=1 ALLOCATORS=glibc REPS=1 \
    MAIN_ONLY=1 NOTE="a loopback host of the test" DATA="$D" SSH="$SSH" >"$TMP/fleet.out" 2>"$TMP/fleet.err" &
fleet=$!
djob= killed=
for i in $(seq 600); do   # (a minute at most: d's job, then its run's staging directory)
    [ -n "$djob" ] || djob=$(pgrep -f 'common/fleet remote --name loopback-d' | head -1)
    if [ -n "$djob" ] && [ -d "$(readlink "/proc/$djob/cwd")/build/fleet/data/01-micro/.tmp" ]; then
        pgid=$(ps -o pgid= -p "$djob" | tr -d ' ')
        # (the remote job's own process group, under the sshd: never this test's)
        if [ -n "$pgid" ] && [ "$pgid" != "$(ps -o pgid= -p $$ | tr -d ' ')" ] && [ "$pgid" -gt 1 ]; then
            kill -KILL -- "-$pgid" && killed=1
        fi
        break
    fi
    kill -0 "$fleet" 2>/dev/null || break
    sleep 0.1
done
ok $([ -n "$killed" ]; echo $?) "loopback-d's job is killed mid-run (its chapter's run had started writing)"
wait "$fleet"; rc=$?; fleet=
is "$rc" 2 "make fleet fails (exit 2 from make) when a host failed"
grep -q '^fleet: 2 of 4 hosts landed' "$TMP/fleet.err"; ok $? "... and says 2 of 4 hosts landed"
[ $rc = 2 ] || tail -20 "$TMP/fleet.err" | sed 's/^/#   /'
grep -Eq '^loopback-a: \[ *[0-9]+/[0-9]+\] .*ETA' "$TMP/fleet.err" && grep -q '^loopback-b: fleet: chapter 01-micro (1 of 1)' "$TMP/fleet.err"
ok $? "progress shows per host, tagged with its name, with common/run's ETA"

for m in loopback-a loopback-b; do
    M=$D/machines/$m
    [ -s "$M/01-micro/01-micro.csv" ] && [ -s "$M/01-micro/env.txt" ] && [ -s "$M/machine.txt" ] && [ ! -e "$M/FAILED" ]
    ok $? "$m landed: machines/$m/01-micro/ with its CSV and env.txt, and machine.txt"
    is "$(head -1 "$M/01-micro/01-micro.csv")" "$(build/01-micro/01-micro --header)" "  ... its CSV has the program's header"
    is "$(rows "$M/01-micro/01-micro.csv" --where status=ok,allocator=glibc)" "$(build/01-micro/01-micro --quick --cases | wc -l)" \
        "  ... a row for each QUICK case under glibc, all ok"
    is "$(ls "$M/01-micro" | grep -vc -e '^01-micro.csv$' -e '^env.txt$')" 0 "  ... and no pass (MAIN_ONLY=1)"
    grep -qx 'machine: '$m "$M/machine.txt" && grep -q '^size: quick' "$M/machine.txt" && grep -q '^note: a loopback host of the test' "$M/machine.txt" &&
        grep -q "^git: $(git describe --always --dirty)\$" "$M/machine.txt"
    ok $? "  ... machine.txt names it, its size, the note and the revision shipped"
done
grep -q '^reason: ssh failed .*Connection refused$' "$D/machines/loopback-c/FAILED" && [ "$(ls "$D/machines/loopback-c")" = FAILED ]
ok $? "loopback-c, refused: machines/loopback-c/FAILED says why, and nothing else is there"
grep -q '^reason: the job was killed' "$D/machines/loopback-d/FAILED" && [ "$(ls "$D/machines/loopback-d")" = FAILED ]
ok $? "loopback-d, killed mid-run: FAILED says so, and no partial data is kept"
is "$(find "$D" -name '.tmp*' | wc -l)" 0 "no temporary file left in the data"
is "$(ls ~/.parallel/tmp 2>/dev/null | grep -vc '^sshlogin$')" 0 "each host's working directory is removed (--cleanup)"
is "$(pgrep -fc 'common/fleet remote')" 0 "no remote job is left running"

# ---------------------------------------------------------------- the appendix

# A book of no chapter but the appendix (a QUICK book from this DATA holds no chapter).
book() {  # DATA OUT
    make -s book QUICK=1 DATA="$1" FIG="$2/figures" OUT="$2" >"$2.log" 2>&1
}
book "$D" "$TMP/b2"; ok $? "make book renders with two machines" || tail -5 "$TMP/b2.log" | sed 's/^/#   /'
H=$TMP/b2/book.txt   # (the HTML on one line: pandoc wraps it)
tr '\n' ' ' <"$TMP/b2/book.html" >"$H" 2>/dev/null
grep -q 'Across machines' "$H"; ok $? "  ... with the appendix 'Across machines'"
grep -q 'Kendall tau, loopback-a vs loopback-b' "$H"; ok $? "  ... the rankings side by side with Kendall's tau"
grep -q 'On <strong>loopback-a</strong>: Throughput relative to glibc' "$H" && grep -q 'On <strong>loopback-b</strong>: Throughput relative to glibc' "$H"
ok $? "  ... the ratio table of each machine"
grep -q 'AMD\|Intel\|CPUs usable' "$H" && grep -q '2.36' "$H"; ok $? "  ... each machine's environment and allocator versions"
grep -q 'Both ran on the same host' "$H"; ok $? "  ... saying both ran on the same host"
grep -q 'The last <code>make fleet</code> on loopback-c failed' "$H"; ok $? "  ... and naming the hosts that failed"

# The chapter's claims on each machine (glibc alone, no pass: many not evaluated), counted
# in the appendix as in the machine's list of claims (gen/machines/M/CHAPTER/claims.tsv).
claims_in() {  # CHAPTER: how many claims its prose makes about a chapter's run (not data/..., ex/...)
    grep -o '{\.claim src="[^"]*"' "chapters/$1/$1.md" | grep -c 'src="[0-9][0-9]-'
}
counts() {  # TSV: evaluated, held, did not hold, not evaluated, from a list of claims
    awk -F'\t' 'NR > 1 { n[$2]++ } END { print n["holds"] + n["failed"], n["holds"] + 0, n["failed"] + 0, n["skipped"] + 0 }' "$1"
}
claims_row() {  # BOOK-TEXT CHAPTER M: machine M's numbers in the chapter's table of claims
    sed -e "s/.*The claims of $2 checked//" -e 's,</table>.*,,' -e 's/<[^>]*>/ /g' "$1" | tr -s ' ' |
        sed -n "s/.* $3 \([0-9]* [0-9]* [0-9]* [0-9]*\) .*/\1/p"
}
failed_on() {  # BOOK-TEXT M: the claims the appendix lists as not holding on machine M
    sed -e "s#.*<p>On <strong>$2</strong>, [^:]*:</p>##" -e 's#</ul>.*##' "$1" | grep -o '<li>“[^”]*”' | sed 's/<li>//'
}
for m in loopback-a loopback-b; do
    T=$TMP/b2/gen/machines/$m/01-micro/claims.tsv
    is "$(claims_row "$H" 01-micro $m)" "$(counts "$T")" "  ... the claims of 01-micro on $m: evaluated, held, not, not evaluated, as in its list"
    is "$(tail -n +2 "$T" | wc -l)" "$(claims_in 01-micro)" "  ... which has every claim of the chapter about its own data"
done
grep -q $'\tskipped\t.*\tno data on this machine: 01-micro/jemalloc-conf.summary.csv$' "$T"
ok $? "  ... a claim about a pass the machine did not run is not evaluated, and says why"
grep -q 'The chapters’ claims are about full-size runs: on a QUICK run some do not hold' "$H"
ok $? "  ... saying that claims may not hold on a QUICK run"

# A machine whose data contradicts one claim: the committed loopback-a's chapter 1, and a
# copy of it whose floor takes a thousand times as long per operation on medium.
C=$TMP/contra
for m in ref contra; do
    mkdir -p "$C/machines/$m" && cp -R data/machines/loopback-a/01-micro data/machines/loopback-a/machine.txt "$C/machines/$m/"
done
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print; next }
    $col["allocator"] == "floor" && $col["workload"] == "medium" { $col["ns_per_op"] *= 1000 } { print }' \
    data/machines/loopback-a/01-micro/01-micro.csv >"$C/machines/contra/01-micro/01-micro.csv"
book "$C" "$TMP/b3"; ok $? "make book renders with a machine whose data contradicts a claim" || tail -5 "$TMP/b3.log" | sed 's/^/#   /'
H3=$TMP/b3/book.txt
tr '\n' ' ' <"$TMP/b3/book.html" >"$H3" 2>/dev/null
claim="on medium its median over the whole phase is the lowest of all"
is "$(diff <(cut -f2,3 "$TMP/b3/gen/machines/ref/01-micro/claims.tsv") <(cut -f2,3 "$TMP/b3/gen/machines/contra/01-micro/claims.tsv") | grep '^[<>]')" \
    "< holds	$claim
> failed	$claim" "  ... that claim alone does not hold on it, and holds on the other"
failed_on "$H3" contra | grep -qxF "“$claim”" && ! failed_on "$H3" ref | grep -qxF "“$claim”"
ok $? "  ... the appendix lists it as not holding on that machine only"
for m in ref contra; do
    is "$(claims_row "$H3" 01-micro $m)" "$(counts "$TMP/b3/gen/machines/$m/01-micro/claims.tsv")" "  ... $m's counts in the appendix are its list's"
done
fails_with 2 "no chapter '99-nothing'" "appendix evaluate: a chapter that is not, one line" -- \
    common/appendix evaluate "$C/machines" "$TMP/b3/gen/machines" 99-nothing ref
mkdir -p "$TMP/one/machines" && cp -R "$D/machines/loopback-a" "$TMP/one/machines/"
render=$(make -n book QUICK=1 DATA="$TMP/one" FIG="$TMP/b1/figures" OUT="$TMP/b1" 2>&1 | grep 'common/book/render')
[ -n "$render" ] && [[ $render != *appendix* ]]; ok $? "with one machine, the book renders without the appendix"

# ---------------------------------------------------------------- bundle and merge

# A student's own QUICK run (loopback-a's, as if made here), bundled and merged.
mkdir -p "$TMP/own/01-micro" && cp "$D/machines/loopback-a/01-micro/"* "$TMP/own/01-micro/"
make -s bundle QUICK=1 DATA="$TMP/own" OUT="$TMP/bout" NAME=student1 CHAPTERS=01 NOTE="a laptop" 2>"$TMP/bundle.err"
ok $? "make bundle QUICK=1 NAME=student1 writes a bundle" || sed 's/^/#   /' "$TMP/bundle.err"
B=$TMP/bout/heaplab-student1.tar.gz
is "$(tar -tzf "$B" | sort | paste -sd' ')" "student1/ student1/01-micro/ student1/01-micro/01-micro.csv student1/01-micro/env.txt student1/machine.txt" \
    "  ... heaplab-student1.tar.gz: machine.txt, the chapter's CSV and env.txt"
tar -xzOf "$B" student1/machine.txt | grep -q "^size: quick (QUICK=1: small sizes; data from $TMP/own)"
ok $? "  ... its machine.txt says it holds QUICK data, and from where"

snapshot() { (cd "$D" && find . | sort && find . -type f -exec md5sum {} + | sort) | md5sum; }
make -s merge FROM="$B" DATA="$D" 2>"$TMP/merge.err"
ok $? "make merge FROM=the bundle" || sed 's/^/#   /' "$TMP/merge.err"
cmp -s "$D/machines/student1/01-micro/01-micro.csv" "$TMP/own/01-micro/01-micro.csv"; ok $? "  ... lands in machines/student1/"

# rejected NAME PATTERN FROM: merge exits 2 with one line matching PATTERN, changes nothing.
rejected() {
    local name=$1 pattern=$2 from=$3 before out rc
    before=$(snapshot)
    out=$(common/merge --data "$D" "$from" 2>&1); rc=$?
    [ "$rc" = 2 ] && [ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] && [[ $out =~ $pattern ]] && [ "$(snapshot)" = "$before" ]
    ok $? "merge rejects $name: one line, exit 2, nothing changed" || printf '#   exit %s: %s\n' "$rc" "$out"
}
rejected "a duplicate machine name" "student1' is in .* already" "$B"
fails_with 2 "student1' is in .* already" "  ... make merge too (exit 2)" -- make -s merge FROM="$B" DATA="$D"
# unpack DIR NAME: student1's bundle unpacked into DIR as machine NAME; bundle NAME: alone
# in $TMP/x, to be spoilt
unpack() { mkdir -p "$1" && tar -xzf "$B" -C "$1" && mv "$1/student1" "$1/$2" && sed -i "s/^machine: .*/machine: $2/" "$1/$2/machine.txt"; }
bundle() { rm -rf "$TMP/x" && unpack "$TMP/x" "$1"; }
bundle s2 && rm "$TMP/x/s2/01-micro/env.txt"
rejected "a missing env.txt" "s2/01-micro: missing env.txt" "$TMP/x"
bundle s3 && sed -i '1s/ns_per_op/nanos/' "$TMP/x/s3/01-micro/01-micro.csv"
rejected "a CSV header that is not the program's (the data contract)" "header differs from what 01-micro --header prints" "$TMP/x"
bundle s4 && sed -i '2s/,ok,/,ok,1,/' "$TMP/x/s4/01-micro/01-micro.csv"
rejected "a row with a field too many" "line 2 has .* fields" "$TMP/x"
bundle s5 && touch "$TMP/x/stray.txt"
rejected "a file beside the machines (wrong layout)" "wrong layout: 'stray.txt' at the top is a file" "$TMP/x"
bundle s6 && cp "$TMP/x/s6/01-micro/01-micro.csv" "$TMP/x/s6/01-micro/01-micro.summary.csv"
rejected "a summary (wrong layout)" "wrong layout: s6/01-micro/01-micro.summary.csv is a summary" "$TMP/x"
bundle s7 && mv "$TMP/x/s7/01-micro" "$TMP/x/s7/99-nothing"
rejected "a chapter this checkout lacks" "wrong layout: s7/99-nothing is not a chapter" "$TMP/x"
bundle s8 && ln -s /etc/passwd "$TMP/x/s8/01-micro/x.csv"
rejected "a link" "x.csv' is a link" "$TMP/x"
bundle s9 && rm "$TMP/x/s9/machine.txt"
rejected "no machine.txt" "s9 has no machine.txt" "$TMP/x"
python3 -c 'import sys, tarfile, io
t = tarfile.open(sys.argv[1], "w:gz"); d = b"x\n"
i = tarfile.TarInfo("../escape.csv"); i.size = len(d); t.addfile(i, io.BytesIO(d)); t.close()' "$TMP/evil.tar.gz"
rejected "a tarball member outside it" "member '../escape.csv' points outside" "$TMP/evil.tar.gz"
echo 'not a tarball' >"$TMP/junk.tar.gz"
rejected "a file that is no tarball" "not a readable tarball" "$TMP/junk.tar.gz"
unpack "$TMP/y" good && unpack "$TMP/y" s11 && rm "$TMP/y/s11/01-micro/env.txt"
rejected "a bundle of two machines, one bad (all or nothing)" "s11/01-micro: missing env.txt" "$TMP/y"

# A fleet's machines directory is a bundle too: the hosts that failed are skipped.
common/merge --data "$TMP/other" "$D/machines" 2>"$TMP/m2.err"
ok $? "merge FROM=a fleet's machines directory"
is "$(ls "$TMP/other/machines" | paste -sd' ')" "loopback-a loopback-b student1" "  ... lands every machine with data"
grep -q 'loopback-c skipped: it holds no data, only FAILED' "$TMP/m2.err"; ok $? "  ... and says which it skipped"

# ---------------------------------------------------------------- slurm

make -s slurm HOSTS="node1 node2" CHAPTERS="01 02" QUICK=1 REPS=1 OUT="$TMP/sl" 2>/dev/null
S=$TMP/sl/slurm/heaplab.sbatch
ok $? "make slurm writes $S"
bash -n "$S"; ok $? "  ... a valid bash script"
sb() { grep -c "^#SBATCH $1\$" "$S"; }
is "$(sb '--array=0-3') $(sb --exclusive) $(sb '--nodes=1') $(sb '--ntasks=1')" "1 1 1 1" \
    "  ... #SBATCH --array=0-3 (2 nodes x 2 chapters), --exclusive, one node, one task"
[ -s "$TMP/sl/slurm/heaplab.tar.gz" ] && tar -tzf "$TMP/sl/slurm/heaplab.tar.gz" | grep -qx common/fleet
ok $? "  ... beside the tree it unpacks on each node"
mkdir -p "$TMP/bin" && printf '#!/bin/sh\necho "$@" >>%s\n' "$TMP/sbatch.log" >"$TMP/bin/sbatch" && chmod +x "$TMP/bin/sbatch"
PATH=$TMP/bin:$PATH bash "$S"
is "$(cat "$TMP/sbatch.log")" "--nodelist=node1 --array=0-1 $S
--nodelist=node2 --array=2-3 $S" "  ... bash submits it: sbatch --nodelist=NODE --array=its tasks, once per node"
out=$(SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_JOB_ID=7 SLURMD_NODENAME=node1 bash "$S" 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *"task 3 is node2's but runs on node1"* ]]; ok $? "  ... a task on the wrong node refuses to run"

# ---------------------------------------------------------------- --help

for s in common/fleet common/bundle common/merge common/appendix; do
    out=$($s --help 2>/dev/null); rc=$?
    [ $rc = 0 ] && [[ $out == *common/${s#common/}* ]]; ok $? "$s --help prints its usage to stdout, exit 0"
done
done_testing
