#!/bin/bash
# tests/figures.t -- the figures' scripts compute nothing and read nothing behind make's
# back: no gnuplot script runs a command (system, a "< cmd" source, awk), makes a temporary
# file, or reads a column by position; each declares its data (# data: select ...), and
# the figure's rule depends on every file the figure reads.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
scripts=$(ls common/lab.gp chapters/*/*.gp chapters/*/*.gpi)

# Comments aside (they may say "system calls"), each pattern must not occur.
code() { sed 's/#.*//' "$1"; }
check() {  # check NAME REGEX
    local hits=
    for f in $scripts; do code "$f" | grep -qE -- "$2" && hits="$hits $f"; done
    is "$hits" "" "no gnuplot script $1"
}
check "calls system()" 'system *\('
check "reads a command's output ('< cmd')" "[\"'] *<"
check "runs awk, sed, sort or a shell" '\b(awk|sed|sort|sh -c|bash)\b'
check "makes a temporary file" 'mktemp|CLEANUP|/tmp'
check "reads a column by position (\$N, column(N), using N:)" '\$[0-9]|column\( *[0-9]|using +[0-9]|[0-9)"]:[0-9]+( |:|,|$)'

# Every figure declares its data, and each file it names is in the reference run.
for f in chapters/*/*.gp; do
    d=data/$(basename "$(dirname "$f")")
    lines=$(grep -c '^# data: ' "$f")
    missing=
    for w in $(sed -n 's/^# data: //p' "$f"); do
        case $w in *.csv) [ -f "$d/$w" ] || missing="$missing $w" ;; esac
    done
    is "$([ "$lines" -gt 0 ] && echo declared)$missing" "declared" "$f: its # data: lines name files of $d"
done

# The rules: a figure depends on everything it reads (its script, common/lab.gp, its
# chapter's *.gpi, the chapter's summary, summarize) and, through its data file
# (build/gen/NN/FIG.plot.csv), on the files its # data: lines name; and on nothing else.
make -pnq figures/01-micro/memory.svg >"$TMP/db" 2>/dev/null  # make's database: every rule
prereqs() {  # prereqs TARGET: what the database lists for it
    sed -n "s|^$1: ||p" "$TMP/db" | head -1
}
depends() {  # depends FIGURE FILE
    local fig=$1 f=$2 name; name=$(basename "${fig%.svg}")
    local data="build/gen/$(basename "$(dirname "$fig")")/$name.plot.csv"
    printf ' %s %s \n' "$(prereqs "$fig")" "$(prereqs "$data")" | grep -qF " $f "
}
for pair in figures/02-threads/throughput.svg:chapters/02-threads/threads.gpi \
            figures/02-threads/throughput.svg:data/02-threads/02-threads.summary.csv \
            figures/01-micro/memory.svg:common/lab.gp \
            figures/01-micro/memory.svg:chapters/01-micro/memory.gp \
            figures/03-fragmentation/rss.svg:data/03-fragmentation/03-fragmentation.series.csv \
            figures/03-fragmentation/decay.svg:data/03-fragmentation/03-fragmentation.csv \
            figures/04-real-workloads/fidelity.svg:data/04-real-workloads/replay.summary.csv \
            figures/04-real-workloads/fidelity.svg:data/04-real-workloads/real.summary.csv \
            figures/05-internals/timeline.svg:data/05-internals/syscalls.strace.csv \
            figures/05-internals/xfree.svg:build/summarize; do
    depends "${pair%%:*}" "${pair#*:}"; ok $? "${pair%%:*} depends on ${pair#*:}"
done
! depends figures/05-internals/xfree.svg data/05-internals/syscalls.strace.csv
ok $? "figures/05-internals/xfree.svg does not depend on data/05-internals/syscalls.strace.csv"

done_testing
