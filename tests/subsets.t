#!/bin/bash
# tests/subsets.t -- every chapter's figures, tables and book render with any subset of
# allocators (issue 10, item 2), and a figure with no data for a panel draws the panel
# with a note (item 5). No measuring: each case is the committed reference run, filtered
# down to a subset (as `make ALLOCATORS=...` would have measured it), then `make book`.
. "$(dirname "$0")/lib.sh"
command -v pandoc >/dev/null && command -v gnuplot >/dev/null ||
    { echo "1..0 # SKIP pandoc or gnuplot not installed (make deps)"; exit 0; }
CHAPTERS=$(cd "$ROOT/data" && ls -d [0-9][0-9]-*)

# subset DIR "KEEP..." [MISSING] -- DIR/data: the reference data with only the rows of the
# allocators in KEEP (the floor stays; glibc-arena1 stays with glibc), and for MISSING
# the rows common/run writes for an allocator whose library is not found: one per case,
# rep 0, status 'missing', the case's own columns filled, all else empty. Every summary
# made from these is removed, so that `make book` makes it again; the book makes its tables
# from them as it renders.
subset() {
    local dir=$1 keep="$2 floor" missing=${3:-}
    case " $keep " in *" glibc "*) keep="$keep glibc-arena1" ;; esac
    rm -rf "$dir"; mkdir -p "$dir"; cp -r "$ROOT/data" "$dir/data"
    local f
    while IFS= read -r f; do
        awk -F, -v OFS=, -v keep=" $keep " -v missing="$missing" -v cases="$(case_columns "$f")" '
            BEGIN { n = split(cases, cc, " "); for (i = 1; i <= n; i++) case_col[cc[i]] = 1 }
            NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; print; next }
            !("allocator" in h) { print; next }
            index(keep, " " $h["allocator"] " ") { print; next }
            $h["allocator"] != missing || cases == "" { next }
            { k = ""; for (c in case_col) if (c in h) k = k SUBSEP $h[c]
              if (k in done) next; done[k] = 1
              for (i = 1; i <= NF; i++) {
                  c = "" ; for (n in h) if (h[n] == i) c = n
                  if (c == "rep") $i = 0; else if (c == "status") $i = "missing"
                  else if (c != "allocator" && !(c in case_col)) $i = "" }
              print }
            ' "$f" > "$f.new" && mv "$f.new" "$f"
    done < <(find "$dir/data" -name "*.csv" ! -name madvfree.csv ! -name 'jemalloc-*.csv' ! -name glibc-trim.csv ! -name 'overhead-*.csv' \
                 ! -path '*/06-method/*')
    # (those passes, and chapter 6, run their own allocators whatever ALLOCATORS says)
    for a in glibc jemalloc tcmalloc mimalloc tbbmalloc; do
        case " $keep $missing " in *" $a "*) ;; *) sed -i "/^  $a  /d" "$dir"/data/*/env.txt ;; esac
    done
    [ -n "$missing" ] && sed -i "/^  $missing  /c\\  $missing: SKIPPED, library not found on this machine" "$dir"/data/*/env.txt
    # Every file keeps one old time, so that make remakes only what is removed below.
    find "$dir/data" -type f -exec touch -d '2020-01-01 00:00' {} +
    find "$dir/data" -name '*.summary.csv' -delete
}
# The columns a run's case sets (its program's --cases), for the CSVs that common/run
# writes; nothing for the others (series, perf, traces), which get no 'missing' rows.
case_columns() {
    case ${1##*/} in
        02-threads.csv) echo workload threads pin ;;
        03-fragmentation.csv) echo workload release sampler ;;
        [0-9][0-9]-*[a-z].csv|replay.csv|real.csv|sizes.csv|counts.csv) echo workload ;;
    esac
}

# book DIR -- make book from DIR/data into DIR/figures and DIR/book.html; its output in DIR/log
book() {
    (cd "$ROOT" && TMPDIR=$1 make -k -j2 --no-print-directory book DATA="$1/data" FIG="$1/figures" OUT="$1" QUICK= PDF=) \
        >"$1/log" 2>&1
}

# check NAME DIR -- the book rendered, with every chapter's figures, and left no temp file
check() {
    local name=$1 dir=$2 rc
    book "$dir"; rc=$?
    is "$rc" 0 "$name: make book succeeds"
    [ "$rc" = 0 ] || sed 's/^/#   /' "$dir/log" | grep -vE 'Skipping data file|No valid data' | tail -15
    [ -s "$dir/book.html" ]; ok $? "$name: book.html written"
    local want got
    want=$(cd "$ROOT" && ls chapters/*/*.gp | wc -l)
    got=$(ls "$dir"/figures/*/*.svg 2>/dev/null | wc -l)
    is "$got" "$want" "$name: every figure drawn"
    left=$(find "$dir" -name '*.tmp*' -o -name 'heaplab-fig.*' | head -3)
    is "$left" "" "$name: no temporary file left"
}

# ---------------------------------------------------------------- the README's subset, one not installed
D=$TMP/missing
subset "$D" "glibc mimalloc" tbbmalloc
check "glibc mimalloc, tbbmalloc missing" "$D"
grep -q 'not installed on this machine: tbbmalloc' "$D"/figures/01-micro/throughput.svg
ok $? "tbbmalloc missing: the figure says so"
tr '\n' ' ' < "$D/book.html" > "$D/book.txt"
grep -q '>tbbmalloc not run<' "$D/book.txt"; ok $? "tbbmalloc missing: its values say 'not run'"
grep -q '<em>not run (not installed)</em>' "$D/book.txt"; ok $? "tbbmalloc missing: its table cells say 'not run'"
grep -q 'tbbmalloc: SKIPPED' "$D/book.html"; ok $? "tbbmalloc missing: env.txt in the book says so"
# (one book for these too: a render of every chapter is a minute of CI)
html=$D/book.txt
grep -q '>jemalloc not run<' "$html"; ok $? "glibc mimalloc: a value of an allocator not asked for says 'not run', naming it"
# glibc's values all have data here: a "no data" or "glibc not run" would be a prose typo
! grep -qE 'class="v not-run">(no data|glibc not run)<' "$html"; ok $? "glibc mimalloc: every glibc value found"
# (but chapters 1's and 3's jemalloc settings, passes of jemalloc whatever ALLOCATORS says,
# chapter 6's tables of chapter 1's committed reference run, and the appendix: other
# machines' data, data/machines, whatever this machine ran)
! perl -pe 's,<div id="tbl:(jemalloc-[a-z]*|counts-rows|counts-fit)".*?</table>,,g; s,id="ch:machines".*,,' "$html" | grep -q '<td[^>]*>jemalloc</td>'
ok $? "glibc mimalloc: no table row for an allocator not asked for"

# ---------------------------------------------------------------- without glibc (no baseline for ratios)
D=$TMP/mimalloc
subset "$D" "mimalloc"
check "mimalloc alone" "$D"
grep -q 'glibc, the baseline, not run' "$D/figures/04-real-workloads/fidelity.svg"; ok $? "mimalloc alone: fidelity says why it is empty"
tr '\n' ' ' < "$D/book.html" > "$D/book.txt"
grep -q '>glibc not run<' "$D/book.txt"; ok $? "mimalloc alone: a ratio to glibc says the baseline did not run"

# ---------------------------------------------------------------- no perf: futex panels empty
D=$TMP/noperf
subset "$D" "glibc"
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^futex_/) f[i] = 1; print; next }
    { for (i in f) $i = ""; print }' "$D/data/02-threads/02-threads.csv" > "$D/x" && mv "$D/x" "$D/data/02-threads/02-threads.csv"
touch -d '2020-01-01 00:00' "$D/data/02-threads/02-threads.csv"
(cd "$ROOT" && TMPDIR=$D make --no-print-directory "$D/figures/02-threads/futex.svg" DATA="$D/data" FIG="$D/figures" OUT="$D" QUICK=) >"$D/log" 2>&1
ok $? "no perf: futex.svg drawn"
grep -q 'no data: perf not available' "$D/figures/02-threads/futex.svg"; ok $? "no perf: each panel says why it is empty"
left=$(find "$D" -name '*.tmp*' -o -name 'heaplab-fig.*' | head -3)
is "$left" "" "no perf: no temporary file left"

# ---------------------------------------------------------------- a failing figure leaves nothing
D=$TMP/broken
subset "$D" "glibc"
printf 'allocator,workload,threads,pin,metric,n,median\nx;y,small,1,0,ops_per_s,1,1\n' \
    > "$D/data/02-threads/02-threads.summary.csv"   # a name lab.gp refuses: gnuplot fails
touch "$D/data/02-threads/02-threads.summary.csv"
(cd "$ROOT" && TMPDIR=$D make --no-print-directory "$D/figures/02-threads/throughput.svg" DATA="$D/data" FIG="$D/figures" OUT="$D" QUICK=) >"$D/log" 2>&1
is "$?" 2 "broken summary: the figure fails"
left=$(find "$D" -name '*.tmp*' -o -name 'heaplab-fig.*' -o -name 'throughput.svg' | head -3)
is "$left" "" "broken summary: no figure and no temporary file left"

# ---------------------------------------------------------------- no allocator but the floor ran
# (every allocator asked for was missing: chapter 1 still has the floor's rows)
D=$TMP/flooronly
mkdir -p "$D/data/01-micro"
for f in 01-micro.csv 01-micro.summary.csv; do   # (the run CSV older: nothing is run again)
    awk -F, 'NR == 1 || $1 == "floor"' "$ROOT/data/01-micro/$f" > "$D/data/01-micro/$f"
done
touch -d '2020-01-01 00:00' "$D/data/01-micro/01-micro.csv"
for g in "$ROOT"/chapters/01-micro/*.gp; do
    f=$(basename "$g" .gp)
    (cd "$ROOT" && TMPDIR=$D make --no-print-directory "$D/figures/01-micro/$f.svg" DATA="$D/data" FIG="$D/figures" OUT="$D" QUICK=) \
        >"$D/$f.log" 2>&1
    ok $? "floor only: $f.svg drawn"
done
grep -q 'no data: no allocator but the floor ran' "$D/figures/01-micro/memory.svg"; ok $? "floor only: the memory panels say why they are empty"

# ---------------------------------------------------------------- a data path is not shell code
# (issue 10, injection) a figure hands no path to a shell: it reads its data with gnuplot.
D="$TMP/it's \$(touch $TMP/pwned)"
mkdir -p "$D/01-micro" && cp "$ROOT/data/01-micro/01-micro.summary.csv" "$D/01-micro/"
(cd "$D/01-micro" && "$BUILD/summarize" $(sed -n 's/^# data: //p' "$ROOT/chapters/01-micro/throughput.gp")) > "$D/fig.csv"
(cd "$ROOT" && LAB_DATA="$D/01-micro" LAB_FIG="$D/fig.csv" gnuplot \
    -e 'data = system("printf %s \"$LAB_DATA\""); figdata = system("printf %s \"$LAB_FIG\""); out = "/dev/stdout"' \
    chapters/01-micro/throughput.gp) 2>"$TMP/inj.err" | grep -q 'tbbmalloc'
ok $? "a data path with a quote and \$(...): the figure draws its data"
[ ! -e "$TMP/pwned" ]; ok $? "  ... and runs nothing"

done_testing
