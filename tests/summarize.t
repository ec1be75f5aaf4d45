#!/bin/bash
# tests/summarize.t -- known answers for common/summarize: statistics, bootstrap CIs, ratios
# to the baseline, status accounting, markdown tables, the rows figures draw (select), the
# replay's fidelity, and every error path.
# Expects $BUILD/summarize (built by make; this script builds nothing).
. "$(dirname "$0")/lib.sh"
S=${SUMMARIZE:-$BUILD/summarize}  # tests/summarize-asan.t runs these under the sanitizers
[ -x "$S" ] || { echo "Bail out! $S is not built"; exit 1; }

# get SUMMARY KEY METRIC COLUMN: one value of a summary, KEY being the by-values ("glibc,w,1").
get() {
    awk -F, -v key="$2" -v m="$3" -v c="$4" '
        NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        index($0, key "," m ",") == 1 { print $h[c]; exit }' "$1"
}

# ---- statistics on known values -----------------------------------------------------------
cat > "$TMP/stats.csv" <<'EOF'
allocator,workload,threads,rep,status,odd,even,same,note
glibc,w,1,1,ok,1,1,7,first
glibc,w,1,2,ok,2,2,7,second
glibc,w,1,3,ok,3,3,7,
glibc,w,1,4,ok,4,10,7,
glibc,w,1,5,ok,100,,7,
EOF
"$S" "$TMP/stats.csv" > "$TMP/stats.summary.csv"; ok $? "summary of stats.csv exits 0"
is "$(head -1 "$TMP/stats.summary.csv")" \
   "allocator,workload,threads,metric,n,n_failed,median,min,max,mean,sd,cv,ci_lo,ci_hi,ratio,ratio_lo,ratio_hi,status" \
   "summary header"
is "$(cut -d, -f4 "$TMP/stats.summary.csv" | tail -n +2 | tr '\n' ' ')" "odd even same " \
   "metrics are the numeric columns in header order (not rep, status, note)"
g() { get "$TMP/stats.summary.csv" glibc,w,1 "$@"; }
is "$(g odd n),$(g odd median),$(g odd min),$(g odd max),$(g odd mean)" "5,3,1,100,22" \
   "odd n: n, median, min, max, mean of 1,2,3,4,100"
is "$(g odd sd),$(g odd cv)" "43.6177,1.98262" "odd n: sample sd (n-1) and cv"
is "$(g even n),$(g even median),$(g even mean),$(g even sd)" "4,2.5,4,4.08248" \
   "even n: median is the mean of the middle two; the empty field is skipped"
is "$(g same median),$(g same sd),$(g same cv),$(g same ci_lo),$(g same ci_hi)" "7,0,0,7,7" \
   "identical values: sd 0, cv 0, CI [v, v]"
lo=$(g odd ci_lo) hi=$(g odd ci_hi)
awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo <= 3 && 3 <= hi && lo >= 1 && hi <= 100) }'
ok $? "CI [$lo, $hi] contains the median and lies within [min, max]"
"$S" "$TMP/stats.csv" | cmp -s - "$TMP/stats.summary.csv"; ok $? "same input, same output"
"$S" --boot 100 --seed 7 "$TMP/stats.csv" | cmp -s - <("$S" --seed 7 --boot 100 "$TMP/stats.csv")
ok $? "--boot and --seed: deterministic too"

# ---- ratios to the baseline, status accounting --------------------------------------------
cat > "$TMP/r1.csv" <<'EOF'
allocator,workload,threads,rep,status,ops
glibc,w,1,1,ok,10
jemalloc,w,1,1,ok,20
mimalloc,w,1,1,ok,5
mimalloc,w,1,2,malloc_null,999
tbbmalloc,w,1,1,missing,
EOF
cat > "$TMP/r2.csv" <<'EOF'
allocator,workload,threads,rep,status,ops
glibc,w,1,2,ok,10
jemalloc,w,1,2,ok,20
mimalloc,w,1,3,ok,5
mimalloc,w,1,4,crash,
jemalloc,w,2,1,ok,20
EOF
"$S" "$TMP/r1.csv" "$TMP/r2.csv" > "$TMP/r.summary.csv"; ok $? "summary of two files"
r() { get "$TMP/r.summary.csv" "$1" ops "$2"; }
is "$(cut -d, -f1-3 "$TMP/r.summary.csv" | tail -n +2 | tr '\n' ' ')" \
   "glibc,w,1 jemalloc,w,1 mimalloc,w,1 tbbmalloc,w,1 jemalloc,w,2 " \
   "groups in order of first appearance, across files"
is "$(r jemalloc,w,1 ratio),$(r jemalloc,w,1 ratio_lo),$(r jemalloc,w,1 ratio_hi)" "2,2,2" \
   "ratio to glibc: 20/10 = 2 with CI [2, 2]"
is "$(r glibc,w,1 ratio),$(r glibc,w,1 ratio_lo),$(r glibc,w,1 ratio_hi)" "1,1,1" \
   "the baseline's own ratio is 1"
is "$(r mimalloc,w,1 n),$(r mimalloc,w,1 median),$(r mimalloc,w,1 ratio)" "2,5,0.5" \
   "rows that are not ok are left out (999 is not counted)"
is "$(r mimalloc,w,1 status)" "2 ok; 1 crash; 1 malloc_null" "status: ok first, then by name"
is "$(r glibc,w,1 status)" "ok" "status of an all-ok group"
is "$(r mimalloc,w,1 n_failed),$(r glibc,w,1 n_failed)" "2,0" "n_failed counts the rows that are not ok"
is "$(grep '^tbbmalloc' "$TMP/r.summary.csv")" "tbbmalloc,w,1,ops,0,1,,,,,,,,,,,,1 missing" \
   "an all-missing group appears with n=0 and its status"
is "$(r jemalloc,w,2 median),$(r jemalloc,w,2 ratio)" "20," "no baseline group: empty ratio"
"$S" --baseline jemalloc "$TMP/r1.csv" "$TMP/r2.csv" > "$TMP/rj.csv"
is "$(get "$TMP/rj.csv" glibc,w,1 ops ratio)" "0.5" "--baseline jemalloc"
"$S" --by threads,allocator "$TMP/r1.csv" "$TMP/r2.csv" > "$TMP/rb.csv"
is "$(sed -n 2p "$TMP/rb.csv")" "1,glibc,ops,2,0,10,10,10,10,0,0,10,10,1,1,1,ok" \
   "--by threads,allocator: by columns in that order, workload is not a metric"
"$S" --by workload "$TMP/r1.csv" "$TMP/r2.csv" > "$TMP/rw.csv"
is "$(get "$TMP/rw.csv" w ops ratio),$(get "$TMP/rw.csv" w threads n)" ",7" \
   "no allocator among --by: no ratio; threads becomes a metric"

# --baseline COL=VAL: the baseline along another by-column (speedup over one thread).
"$S" --baseline threads=1 "$TMP/r1.csv" "$TMP/r2.csv" > "$TMP/rt.csv"
is "$(get "$TMP/rt.csv" jemalloc,w,2 ops ratio),$(get "$TMP/rt.csv" jemalloc,w,1 ops ratio)" "1,1" \
   "--baseline threads=1: each allocator against its own one-thread group"
is "$(get "$TMP/rt.csv" glibc,w,1 ops ratio)" "1" "and glibc against its own"
"$S" --baseline allocator=jemalloc "$TMP/r1.csv" "$TMP/r2.csv" | cmp -s - "$TMP/rj.csv"
ok $? "--baseline allocator=jemalloc is --baseline jemalloc"
fails_with 2 "--baseline column 'pin' is not a --by column" "--baseline on a column that is not grouped" -- \
    "$S" --baseline pin=0 "$TMP/r1.csv"

# ---- the bootstrap's numbers: pinned, so that a faster method must draw the same resamples -
cat > "$TMP/boot.csv" <<'EOF'
allocator,workload,threads,rep,status,ns
glibc,w,1,1,ok,10
glibc,w,1,2,ok,12
glibc,w,1,3,ok,11
glibc,w,1,4,ok,15
glibc,w,1,5,ok,9
glibc,w,1,6,ok,30
jemalloc,w,1,1,ok,7
jemalloc,w,1,2,ok,8
jemalloc,w,1,3,ok,6.5
jemalloc,w,1,4,ok,9
jemalloc,w,1,5,ok,7.5
EOF
is "$("$S" "$TMP/boot.csv" | cut -d, -f13-17 | tail -n +2 | tr '\n' ' ')" \
   "9.5,22.5,1,0.488889,1.95652 6.5,9,0.652174,0.333333,0.818182 " \
   "bootstrap CIs of the median (even and odd n) and of the ratio, as pinned"
is "$("$S" --boot 100 --seed 7 "$TMP/boot.csv" | sed -n 3p | cut -d, -f13-17)" "6.5,9,0.652174,0.25,0.818182" \
   "--boot 100 --seed 7, as pinned"

# ---- nan is a failed run; other non-numbers are errors ------------------------------------
cat > "$TMP/nan.csv" <<'EOF'
allocator,workload,threads,rep,status,ops,ns
glibc,w,1,1,ok,10,nan
glibc,w,1,2,ok,nan,NaN
glibc,w,1,3,ok,30,-nan
glibc,w,1,4,crash,nan,
glibc,w,1,5,ok,,
EOF
"$S" "$TMP/nan.csv" > "$TMP/nan.summary.csv"; ok $? "nan cells are data: exit 0"
n() { get "$TMP/nan.summary.csv" glibc,w,1 "$@"; }
is "$(n ops n),$(n ops n_failed),$(n ops median)" "2,2,20" \
   "ops: nan of an ok run and a crashed run are 2 failed; the empty cell is not measured"
is "$(n ns n),$(n ns n_failed),$(n ns median),$(n ns status)" "0,4,,4 ok; 1 crash" \
   "ns: nan, NaN and -nan are failed runs; a metric of failed runs only is still reported"
"$S" table "$TMP/nan.summary.csv" --metric ns --rows allocator --cols threads > "$TMP/nan.md"
is "$(sed -n 3p "$TMP/nan.md")" "| glibc | — (4 ok; 1 crash) |" "table: a group with no value says why"
printf 'allocator,workload,threads,rep,status,ns\nglibc,w,1,1,ok,nan\nglibc,w,1,2,ok,\n' > "$TMP/nan2.csv"
"$S" "$TMP/nan2.csv" > "$TMP/nan2.summary.csv"
is "$("$S" table "$TMP/nan2.summary.csv" --metric ns --rows allocator --cols threads | sed -n 3p)" \
   "| glibc | — (1 failed) |" "table: an ok group whose values are all nan says how many failed"

bad_cell() {  # bad_cell VALUE NAME: VALUE in line 3 of a numeric column is an error
    printf 'allocator,workload,threads,rep,status,ops,note\nglibc,w,1,1,ok,1,a\nglibc,w,1,2,ok,%s,b\n' "$1" > "$TMP/cell.csv"
    fails_with 2 "^summarize: error: $TMP/cell.csv:3: column 'ops': '$1' is not a finite decimal number; allowed: a number like 12 or 1.5e3, nan \(a failed run\), or an empty field \(not measured\)\$" \
        "$2" -- "$S" "$TMP/cell.csv"
}
bad_cell abc "text in a numeric column is an error naming file, line and column"
bad_cell inf "inf is an error: a measurement is finite"
bad_cell -Infinity "-Infinity is an error"
bad_cell 1e400 "1e400 (out of range) is an error"
bad_cell 1e-400 "1e-400 (out of range) is an error"
bad_cell 0x10 "0x10 is an error, not 16"
bad_cell ' 5' "a number with a space is an error"
printf 'allocator,workload,threads,rep,status,ops\nglibc,w,1,1,ok,5.\nglibc,w,1,2,ok,.5e1\nglibc,w,1,3,ok,+5\n' > "$TMP/forms.csv"
is "$("$S" "$TMP/forms.csv" | cut -d, -f5-7 | tail -1)" "3,0,5" "5., .5e1 and +5 are numbers"
printf 'allocator,workload,threads,rep,status,ops,note\nglibc,w,1,1,ok,1,0x1\n' > "$TMP/cell.csv"
fails_with 2 "^summarize: error: $TMP/cell.csv:2: column 'note': '0x1' is not a finite decimal number" \
    "a malformed number is an error even in a column of text" -- "$S" "$TMP/cell.csv"
printf 'allocator,workload,threads,rep,status,ops\nglibc,w,1,1,ok,abc\nglibc,w,1,2,ok,\nglibc,w,1,3,ok,2\n' > "$TMP/cell.csv"
fails_with 2 "^summarize: error: $TMP/cell.csv:2: column 'ops': 'abc' is not a finite decimal number" \
    "text before the first number is the error named" -- "$S" "$TMP/cell.csv"

# ---- a UTF-8 byte-order mark ----------------------------------------------------------------
{ printf '\357\273\277'; cat "$TMP/stats.csv"; } > "$TMP/bom.csv"
"$S" "$TMP/bom.csv" | cmp -s - "$TMP/stats.summary.csv"; ok $? "a byte-order mark before the header is ignored"
"$S" "$TMP/stats.csv" "$TMP/bom.csv" > /dev/null; ok $? "and its header equals the same header without one"

# ---- many groups: a hash, not a scan; order of first appearance; baselines found ----------
awk 'BEGIN { print "allocator,workload,threads,rep,status,ops"
             for (r = 1; r <= 3; r++) for (w = 1; w <= 3000; w++) {
                 printf "glibc,w%d,1,%d,ok,%d\n", w, r, 10 * w + r
                 printf "jemalloc,w%d,1,%d,ok,%d\n", w, r, 20 * w + 2 * r } }' > "$TMP/many.csv"
"$S" --boot 100 "$TMP/many.csv" > "$TMP/many.summary.csv"; ok $? "6000 groups"
is "$(wc -l < "$TMP/many.summary.csv")" "6001" "one row per group"
is "$(sed -n '2p;3p;6000p;6001p' "$TMP/many.summary.csv" | cut -d, -f1,2,5,7,15 | tr '\n' ' ')" \
   "glibc,w1,3,12,1 jemalloc,w1,3,24,2 glibc,w3000,3,30002,1 jemalloc,w3000,3,60004,2 " \
   "groups in order of first appearance, medians, ratios to each one's own baseline"

# ---- table mode ---------------------------------------------------------------------------
cat > "$TMP/t.csv" <<'EOF'
allocator,workload,threads,rep,status,ns,res_ns,spread
glibc,w,1,1,ok,12.3,20,100
glibc,w,4,1,ok,3.14159,2,110
glibc,w,1,2,ok,12.3,20,90
jemalloc,w,1,1,ok,12345,2,100
jemalloc,w,4,1,ok,0.0123,2,101
jemalloc,w,1,2,ok,12345,2,99
tbbmalloc,w,1,1,missing,,,
EOF
"$S" "$TMP/t.csv" > "$TMP/t.summary.csv"
T() { "$S" table "$TMP/t.summary.csv" "$@"; }
is "$(T --metric ns --rows allocator --cols threads --omit allocator=tbbmalloc)" \
"| allocator | 1 | 4 |
|---|---:|---:|
| glibc | 12.3 | 3.14 |
| jemalloc | 12345 | 0.0123 |" "2x2 table, 3 significant digits, --omit"
is "$(T --metric ns --rows threads --cols allocator --corner 'threads \ allocator' --scale 0.001 --digits 2)" \
"| threads \\ allocator | glibc | jemalloc | tbbmalloc |
|---|---:|---:|---:|
| 1 | 0.012 | 12 | — (1 missing) |
| 4 | 0.0031 | 0.000012 | — |" "--corner, --scale, --digits; missing group and missing combination"
is "$(T --metric ns --rows allocator --cols threads --where threads=4,workload=w)" \
"| allocator | 4 |
|---|---:|
| glibc | 3.14 |
| jemalloc | 0.0123 |" "--where with two conditions"
is "$(T --metric spread --rows allocator --cols workload --cell cv --where threads=1)" \
"| allocator | w |
|---|---:|
| glibc | 7.4% † |
| jemalloc | 0.7% |
| tbbmalloc | — (1 missing) |

† CV above 5%: this median is less certain than the others." "cv cells, † above 5% and its note"
is "$(T --metric ns --rows allocator --cols threads --cell ratio --where threads=1)" \
"| allocator | 1 |
|---|---:|
| glibc | ×1.00 [1.00, 1.00] |
| jemalloc | ×1003.66 [1003.66, 1003.66] |
| tbbmalloc | — (1 missing) |" "ratio cells"
is "$(T --metric ns --rows allocator --cols threads --resolution res_ns --digits 2 --where threads=1 --omit allocator=tbbmalloc)" \
"| allocator | 1 |
|---|---:|
| glibc | < 20 |
| jemalloc | 12345 |

< below the timer's resolution." "--resolution: a median below it prints < X"

is "$(T --metric ns --rows allocator --cols threads --omit allocator=glibc,allocator=jemalloc,allocator=tbbmalloc)" \
"| allocator |
|---|
| — (not run) |" "--omit leaves no row (the allocators it shows did not run): a table that says so"

cat > "$TMP/ci.csv" <<'EOF'
allocator,workload,threads,rep,status,ns
glibc,w,1,1,ok,10
glibc,w,1,2,ok,12
EOF
"$S" "$TMP/ci.csv" > "$TMP/ci.summary.csv"
is "$("$S" table "$TMP/ci.summary.csv" --metric ns --rows allocator --cols threads --cell ci | sed -n 3p)" \
   "| glibc | 11.0 [10.0, 12.0] † |" "ci cells: median [ci_lo, ci_hi], dagger when CV > 5%"
is "$("$S" table "$TMP/ci.summary.csv" --metric ns --rows allocator --cols threads --cell width | sed -n 3p)" \
   "| glibc | ±9.1% |" "width cells: the interval's wider side in % of the median (1 of 11)"

{ printf '\357\273\277'; cat "$TMP/t.summary.csv"; } > "$TMP/bom.summary.csv"
"$S" table "$TMP/bom.summary.csv" --metric ns --rows allocator --cols threads | cmp -s - <(T --metric ns --rows allocator --cols threads)
ok $? "table: a byte-order mark before the summary's header is ignored"

# --metric M@COL=VAL: a metric from some rows only; here a row per allocator and tool, each
# tool measuring its own columns (the others' are empty: not measured, n=0).
cat > "$TMP/tool.csv" <<'EOF'
allocator,tool,rep,status,calls,ms
glibc,stat,1,ok,1913,
glibc,trace,1,ok,358,46.831
jemalloc,stat,1,ok,47,
jemalloc,trace,1,unavailable: no perf,,
EOF
"$S" --by allocator,tool "$TMP/tool.csv" > "$TMP/tool.summary.csv"
is "$("$S" table "$TMP/tool.summary.csv" --metric calls@tool=stat,calls@tool=trace,ms@tool=trace --rows allocator \
        --cols metric --digits 1,1,3 --labels 'stat calls|trace calls|trace ms')" \
"| allocator | stat calls | trace calls | trace ms |
|---|---:|---:|---:|
| glibc | 1913 | 358 | 46.8 |
| jemalloc | 47 | — (1 unavailable: no perf) | — (1 unavailable: no perf) |" \
   "table --metric M@COL=VAL: each column from its rows, one row per allocator"
is "$("$S" table "$TMP/tool.summary.csv" --metric calls@tool=stat,ms --rows allocator --cols metric --where tool=trace | head -1)" \
   "| allocator | calls@tool=stat | ms |" "an entry is the column's label without --labels"
fails_with 2 "lines 2 and 4 both fall in row 'glibc', column 'calls': narrow with --where \(or M@COL=VAL\)" \
    "without @COL=VAL, two tools' rows of one metric collide" \
    -- "$S" table "$TMP/tool.summary.csv" --metric calls --rows allocator --cols metric
fails_with 2 "no rows with metric 'calls' and tool=lock in $TMP/tool.summary.csv" "an M@COL=VAL no row has" \
    -- "$S" table "$TMP/tool.summary.csv" --metric calls@tool=lock --rows allocator --cols metric
fails_with 2 "^summarize: error: --metric column 'tol' is not in the header of $TMP/tool.summary.csv\$" \
    "an M@COL=VAL of an unknown column" -- "$S" table "$TMP/tool.summary.csv" --metric calls@tol=stat --rows allocator --cols metric
fails_with 2 "^summarize: error: --metric 'tool' is not allowed: expected COL=VAL" "an M@ without COL=VAL" \
    -- "$S" table "$TMP/tool.summary.csv" --metric calls@tool --rows allocator --cols metric

# --cell, --scale, --digits per column: call counts, wall times in ms with and without a
# tool, and the tool's slowdown (a ratio of medians, baseline tool=none), in one table.
cat > "$TMP/slow.csv" <<'EOF'
allocator,tool,rep,status,calls,wall_s
glibc,none,1,ok,,0.010
glibc,none,2,ok,,0.012
glibc,strace,1,ok,40,0.030
glibc,strace,2,ok,40,0.034
EOF
"$S" --by allocator,tool --baseline tool=none --boot 200 "$TMP/slow.csv" > "$TMP/slow.summary.csv"
is "$("$S" table "$TMP/slow.summary.csv" --metric calls@tool=strace,wall_s@tool=none,wall_s@tool=strace,wall_s@tool=strace \
        --rows allocator --cols metric --cell median,median,median,ratio --scale 1,1000,1000,1 --digits 2,3,3,3 \
        --labels 'calls|none ms|strace ms|slowdown' | sed 's/ \[[0-9.]*, [0-9.]*\]//')" \
"| allocator | calls | none ms | strace ms | slowdown |
|---|---:|---:|---:|---:|
| glibc | 40 | 11.0 † | 32.0 † | ×2.91 |

† CV above 5%: this median is less certain than the others." \
   "table: --cell, --scale and --digits one per column (counts, ms, a ratio)"
fails_with 2 "^summarize: error: --cell 'median,min' lists 2: expected one, or one per metric of --metric with --cols metric\$" \
    "a --cell list of the wrong length" -- "$S" table "$TMP/slow.summary.csv" --metric calls@tool=strace,wall_s@tool=none,wall_s@tool=strace \
    --rows allocator --cols metric --cell median,min
fails_with 2 "^summarize: error: unknown --cell 'min': expected one of median, ci, ratio, cv, width\$" "a --cell list's bad value is named" \
    -- "$S" table "$TMP/slow.summary.csv" --metric calls@tool=strace,wall_s@tool=none --rows allocator --cols metric --cell median,min
fails_with 2 "^summarize: error: --scale '1,1' lists 2: expected one" "a --scale list without --cols metric" \
    -- "$S" table "$TMP/slow.summary.csv" --metric wall_s --rows allocator --cols tool --scale 1,1

# ---- summary --where: a summary of some rows --------------------------------------------
cat > "$TMP/w.csv" <<'EOF'
allocator,workload,threads,rep,status,ns
glibc,a,1,1,ok,10
glibc,b,1,1,ok,99
jemalloc,a,1,1,ok,20
jemalloc,a,2,1,ok,40
EOF
is "$("$S" --where workload=a,threads!=2 "$TMP/w.csv" | cut -d, -f1-3,7,15 | tr '\n' ' ')" \
   "allocator,workload,threads,median,ratio glibc,a,1,10,1 jemalloc,a,1,20,2 " \
   "summary --where: only the rows that pass are grouped, and the ratio is to their baseline"
is "$("$S" --where 'threads>1' "$TMP/w.csv" | tail -n +2 | cut -d, -f1-3,7,15)" "jemalloc,a,2,40," \
   "summary --where COL>NUM (no baseline left: no ratio)"

# ---- select: the rows a figure draws, by name ------------------------------------------
cat > "$TMP/s.csv" <<'EOF'
allocator,workload,threads,metric,median,ci_lo
glibc,a,4,ops,40,39
glibc,a,1,ops,10,9
glibc,a,2,ops,20,
jemalloc,a,1,ops,11,10
glibc,a,1,rss,5,4
jemalloc,b,1,ops,12,11
EOF
is "$("$S" select "$TMP/s.csv" --where 'metric=ops,workload=a|c')" "allocator,workload,threads,metric,median,ci_lo
glibc,a,4,ops,40,39
glibc,a,1,ops,10,9
glibc,a,2,ops,20,
jemalloc,a,1,ops,11,10" "select --where: rows whose values are among those given, every column, in input order"
is "$("$S" select "$TMP/s.csv" --where 'metric!=ops,median<6')" "allocator,workload,threads,metric,median,ci_lo
glibc,a,1,rss,5,4" "select --where COL!=VAL and COL<NUM"
is "$("$S" select "$TMP/s.csv" --where 'ci_lo>0')" "$("$S" select "$TMP/s.csv" --where 'threads!=2')" \
   "select --where COL>NUM: an empty field is no number and does not pass"
is "$("$S" select "$TMP/s.csv" --where metric=ops --blocks allocator,workload --sort threads | cut -d, -f1-3)" "# [glibc a]
allocator,workload,threads
glibc,a,1
glibc,a,2
glibc,a,4


# [jemalloc a]
allocator,workload,threads
jemalloc,a,1


# [jemalloc b]
allocator,workload,threads
jemalloc,b,1" "select --blocks --sort: a named data set per value, each with its header, sorted by number"
is "$("$S" select "$TMP/s.csv" --where metric=rss --tag res)" "# [res]
allocator,workload,threads,metric,median,ci_lo
glibc,a,1,rss,5,4" "select --tag: one named data set"
is "$("$S" select "$TMP/s.csv" --where metric=nothing --blocks allocator)" "" \
   "select --blocks of no rows: no data set (a figure says 'no data'), not an error"
is "$("$S" select "$TMP/s.csv" --where workload=a,threads=1 --key allocator --wide metric --values median,ci_lo)" \
   "allocator,ops_median,ops_ci_lo,rss_median,rss_ci_lo
glibc,10,9,5,4
jemalloc,11,10,," "select --wide: long to wide, a column per value of --wide and of --values, empty where none"
is "$("$S" select "$TMP/s.csv" --where metric=ops --blocks workload --key allocator,threads --wide metric --values median --gap allocator)" \
   "# [a]
allocator,threads,ops_median
glibc,4,40
glibc,1,10
glibc,2,20
,,
jemalloc,1,11


# [b]
allocator,threads,ops_median
jemalloc,1,12" "select --wide --blocks --gap: an empty row where the first key changes; every block has every column"
is "$("$S" select "$TMP/s.csv" --where workload=a,threads=1 --key allocator --wide 'metric=rss|none' --values median)" \
   "allocator,rss_median,none_median
glibc,5," "select --wide COL=V|V: exactly those columns, in that order, whether or not a row has them (rows of other values left out)"
fails_with 2 "^summarize: error: two rows have key 'glibc' and metric 'ops': narrow them with --where\$" \
    "select --wide: two rows in one cell" -- "$S" select "$TMP/s.csv" --key allocator --wide metric --values median
fails_with 2 "^summarize: error: --where 'metric' is not allowed: expected COL=VAL\[\|VAL...\], COL!=VAL\[\|VAL...\], COL>NUM or COL<NUM, joined by commas\$" \
    "select --where without an operator" -- "$S" select "$TMP/s.csv" --where metric
fails_with 2 "^summarize: error: --where median>'x': expected a number after >\$" "select --where COL>text" \
    -- "$S" select "$TMP/s.csv" --where 'median>x'
fails_with 2 "^summarize: error: --where column 'colour' is not in the header of $TMP/s.csv\$" \
    "select --where: unknown column" -- "$S" select "$TMP/s.csv" --where colour=red
fails_with 2 "^summarize: error: --blocks column 'colour' is not in the header of $TMP/s.csv\$" \
    "select --blocks: unknown column" -- "$S" select "$TMP/s.csv" --blocks allocator,colour
fails_with 2 "^summarize: error: $TMP/s.csv:2: --sort column 'allocator': 'glibc' is not a number\$" \
    "select --sort of text" -- "$S" select "$TMP/s.csv" --sort allocator
fails_with 2 "^summarize: error: --wide, --key and --values go together: give all three\$" \
    "select --wide without --key" -- "$S" select "$TMP/s.csv" --wide metric --values median
fails_with 2 "^summarize: error: --gap threads: expected the first --key column\$" "select --gap not the first key" \
    -- "$S" select "$TMP/s.csv" --key allocator,threads --wide metric --values median --gap threads
fails_with 2 "^summarize: error: --sort takes one column, not 'threads,median'\$" "select --sort of two columns" \
    -- "$S" select "$TMP/s.csv" --sort threads,median
fails_with 2 "^summarize: error: select needs an input file" "select without a file" -- "$S" select --tag x
fails_with 2 "^summarize: error: unknown option '--rows': expected one of --where --blocks" "select: unknown option" \
    -- "$S" select "$TMP/s.csv" --rows allocator

# ---- fidelity: the replay's ranks against the real run's ----------------------------------
H=allocator,workload,metric,n,n_failed,median,min,max,mean,sd,cv,ci_lo,ci_hi,ratio,ratio_lo,ratio_hi,status
printf '%s\n' "$H" glibc,p,elapsed_s,1,0,3,,,,,,,,,,,ok glibc,p,peak_rss_kib,1,0,1024,,,,,,,,,,,ok \
    jemalloc,p,elapsed_s,1,0,2,,,,,,,,,,,ok jemalloc,p,peak_rss_kib,1,0,4096,,,,,,,,,,,ok \
    mimalloc,p,elapsed_s,1,0,1,,,,,,,,,,,ok mimalloc,p,peak_rss_kib,1,0,2048,,,,,,,,,,,ok \
    floor,p,elapsed_s,1,0,0.1,,,,,,,,,,,ok "tbbmalloc,p,elapsed_s,0,0,,,,,,,,,,,,1 missing" \
    glibc,q,elapsed_s,1,0,1,,,,,,,,,,,ok > "$TMP/real.csv"
printf '%s\n' "$H" glibc,p,ns_per_op,1,0,30,,,,,,,,,,,ok glibc,p,elapsed_s,1,0,9,,,,,,,,,,,ok \
    glibc,p,peak_rss_kib,1,0,2048,,,,,,,,,,,ok jemalloc,p,ns_per_op,1,0,10,,,,,,,,,,,ok \
    jemalloc,p,elapsed_s,1,0,8,,,,,,,,,,,ok jemalloc,p,peak_rss_kib,1,0,3072,,,,,,,,,,,ok \
    mimalloc,p,ns_per_op,1,0,20,,,,,,,,,,,ok mimalloc,p,elapsed_s,1,0,7,,,,,,,,,,,ok \
    mimalloc,p,peak_rss_kib,1,0,4096,,,,,,,,,,,ok > "$TMP/replay.csv"
is "$("$S" fidelity "$TMP/real.csv" "$TMP/replay.csv" | tail -n +3)" \
   "| p | mimalloc / jemalloc / mimalloc | 2 of 3 / 3 of 3 | glibc / glibc | 2 of 3 | 2.0 MiB (jemalloc; 50% of its real peak) |
| q | glibc /  /  | 0 of 0 / 0 of 0 |  /  | 0 of 0 | glibc, the baseline, not run |" \
   "fidelity: fastest and smallest, pairs ordered alike, worst error of the predicted RSS change (floor and failed rows left out)"
# With callgrind's counts: the real runs change by +10M (jemalloc) and -10M (mimalloc)
# instructions against glibc, the replays by +8M and -5M: mimalloc's error is the worst.
printf '%s\n' "$H" glibc,p,ir,1,0,1000000000,,,,,,,,,,,ok jemalloc,p,ir,1,0,1010000000,,,,,,,,,,,ok \
    mimalloc,p,ir,1,0,990000000,,,,,,,,,,,ok > "$TMP/real-ir.csv"
printf '%s\n' "$H" glibc,p,ir,1,0,100000000,,,,,,,,,,,ok jemalloc,p,ir,1,0,108000000,,,,,,,,,,,ok \
    mimalloc,p,ir,1,0,95000000,,,,,,,,,,,ok floor,p,ir,1,0,90000000,,,,,,,,,,,ok \
    glibc,p,ops,1,0,1000000,,,,,,,,,,,ok jemalloc,p,ops,1,0,1000000,,,,,,,,,,,ok mimalloc,p,ops,1,0,1000000,,,,,,,,,,,ok > "$TMP/replay-ir.csv"
is "$("$S" fidelity "$TMP/real.csv" "$TMP/replay.csv" "$TMP/real-ir.csv" "$TMP/replay-ir.csv" | sed -n '1p;3,$p')" \
   "| program | fastest: real / replay call / replay wall | time order agrees, pairs: call / wall | smallest: real / replay | RSS order agrees (pairs) | worst error of predicted RSS change vs glibc | instruction order agrees (pairs) | worst error of predicted instruction change vs glibc |
| p | mimalloc / jemalloc / mimalloc | 2 of 3 / 3 of 3 | glibc / glibc | 2 of 3 | 2.0 MiB (jemalloc; 50% of its real peak) | 3 of 3 | 5.0 M (mimalloc; 50% of its real change) |
| q | glibc /  /  | 0 of 0 / 0 of 0 |  /  | 0 of 0 | glibc, the baseline, not run | 0 of 0 | glibc, the baseline, not counted |" \
   "fidelity with counts: instruction pairs ordered alike, worst error of the predicted instruction change"
is "$("$S" fidelity "$TMP/real.csv" "$TMP/replay.csv" "$TMP/real-ir.csv" "$TMP/replay-ir.csv" --changes)" \
   "workload,allocator,real_rss_change_kib,replay_rss_change_kib,real_ir_change_per_event,replay_ir_change_per_event
p,jemalloc,3072,1024,10,8
p,mimalloc,1024,2048,-10,-5" "fidelity --changes: each allocator's changes against glibc's (per replayed event)"
for n in 1 3; do
    fails_with 2 "^summarize: error: fidelity needs two files, REAL.summary.csv REPLAY.summary.csv, or four, with REAL_COUNTS.summary.csv REPLAY_COUNTS.summary.csv \\(and --changes: the changes as CSV\\)\$" \
        "fidelity of $n files" -- "$S" fidelity $(for i in $(seq $n); do echo "$TMP/real.csv"; done)
done

# ---- bridge: a classic's order of the allocators against ours ------------------------------
# The classic ran at 2 and 4 threads, ours at 1, 2 and 4: compared at 2. At 2 threads, a
# and b swap (intervals apart on both sides: one clear reversal), c is slowest in both.
HB=allocator,workload,threads,metric,n,n_failed,median,min,max,mean,sd,cv,ci_lo,ci_hi,ratio,ratio_lo,ratio_hi,status
b() { echo "$1,$2,$3,ns_per_op,3,0,$4,,,,,,$5,$6,,,,ok"; }
mkdir -p "$TMP/bd/07-x" "$TMP/bd/02-y"
{ echo "$HB"; b a cl 2 10 9 11; b b cl 2 20 19 21; b c cl 2 30 29 31; b floor cl 2 1 1 1; b a cl 4 50 49 51
  b b cl 4 5 4 6; b c cl 4 1 0 2; } > "$TMP/bd/07-x/s.csv"
{ echo "$HB"; b a own 1 1 0 2; b b own 1 2 1 3; b c own 1 3 2 4; b a own 2 20 19 21; b b own 2 10 9 11; b c own 2 30 25 35
  b a own 4 1 1 1; } > "$TMP/bd/02-y/s.csv"
printf '# a comment\ncl\t$DATA/07-x/s.csv\tcl\t%s\town\tone swap\n' "$TMP/bd/02-y/s.csv" > "$TMP/bridge.tsv"
is "$("$S" bridge "$TMP/bridge.tsv" --data "$TMP/bd" | tail -n +3)" \
   "| cl | own (02-y) | 2 | a < b < c | b < a < c | +0.33 | 1 of 3 | one swap |" \
   "bridge: at the smallest common thread count above 1, both orders, tau and the clear reversals (the floor left out)"
printf 'cl\t$DATA/07-x/s.csv\tcl\n' > "$TMP/bridge-bad.tsv"
fails_with 2 "^summarize: error: .*bridge-bad.tsv:1: 3 fields: expected 6, tab-separated" "bridge: a short spec line" \
    -- "$S" bridge "$TMP/bridge-bad.tsv" --data "$TMP/bd"
fails_with 2 "^summarize: error: bridge needs one spec file and --data DIR" "bridge without --data" -- "$S" bridge "$TMP/bridge.tsv"

# ---- machines: each machine's order of the allocators, and how two machines agree ----------
# At 1 thread m1 and m2 swap a and b (intervals apart on both: one clear reversal); m1
# alone has 2 threads, m2 alone 4 threads and the workload v; m1's floor is left out.
mkdir -p "$TMP/mc"
{ echo "$HB"; b a w 1 10 9 11; b b w 1 20 19 21; b c w 1 30 29 31; b floor w 1 1 1 1; b a w 2 5 4 6; b b w 2 6 5 7; } > "$TMP/mc/m1.csv"
{ echo "$HB"; b b w 1 10 9 11; b a w 1 20 19 21; b c w 1 30 25 35; b a w 4 1 1 1; b a v 1 3 2 4; } > "$TMP/mc/m2.csv"
is "$("$S" machines m1="$TMP/mc/m1.csv" m2="$TMP/mc/m2.csv")" \
   "| workload | threads | m1: fastest first | m2: fastest first | Kendall tau, m1 vs m2 | pairs reversed beyond both intervals |
|:--|--:|:--|:--|--:|--:|
| w | 1 | a < b < c | b < a < c | +0.33 | 1 of 3 |
| w | 2 | a < b | — | — | — |
| w | 4 | — | a | — | — |
| v | 1 | — | a | — | — |" \
   "machines: each machine's order per workload and thread count (threads ascending), tau and clear reversals per pair"
is "$("$S" machines m1="$TMP/mc/m1.csv" m2="$TMP/mc/m2.csv" m3="$TMP/mc/m1.csv" | head -1)" \
   "| workload | threads | m1: fastest first | m2: fastest first | m3: fastest first | Kendall tau, m1 vs m2 | pairs reversed beyond both intervals | Kendall tau, m1 vs m3 | pairs reversed beyond both intervals | Kendall tau, m2 vs m3 | pairs reversed beyond both intervals |" \
   "machines: three machines, three pairs"
fails_with 2 "^summarize: error: machines needs two or more NAME=SUMMARY.csv" "machines: one machine" -- "$S" machines m1="$TMP/mc/m1.csv"
fails_with 2 "^summarize: error: machines: '$TMP/mc/m1.csv' is not allowed: expected NAME=SUMMARY.csv" "machines: no NAME=" \
    -- "$S" machines "$TMP/mc/m1.csv" m2="$TMP/mc/m2.csv"
fails_with 2 "^summarize: error: machines: machine 'm1' is given twice" "machines: a name twice" \
    -- "$S" machines m1="$TMP/mc/m1.csv" m1="$TMP/mc/m2.csv"
printf 'allocator,workload,rep,ns_per_op,status\na,w,1,10,ok\n' > "$TMP/mc/run.csv"
fails_with 2 "^summarize: error: .*run.csv: expected a summary, with columns workload and metric" "machines: not a summary" \
    -- "$S" machines m1="$TMP/mc/m1.csv" m2="$TMP/mc/run.csv"

# ---- counts: instruction counts against wall time, and the cost model ----------------------
# Wall times made exactly 1 Ir + 2 D1 + 3 LL: the fit must find 1, 2 and 3. w3 takes a page
# fault per operation (not fitted, marked); the floor is subtracted where it ran (w1).
c() { echo "$1,$2,ir_per_op,1,0,$3,,,,,,,,,,,ok"; echo "$1,$2,d1_misses_per_op,1,0,$4,,,,,,,,,,,ok"; echo "$1,$2,ll_misses_per_op,1,0,$5,,,,,,,,,,,ok"; }
t() { echo "$1,$2,ns_per_op,1,0,$3,,,,,,,,,,,ok"; echo "$1,$2,minor_faults,1,0,$4,,,,,,,,,,,ok"; echo "$1,$2,ops,1,0,100,,,,,,,,,,,ok"; }
{ echo "$H"; c a w1 100 0 0; c b w1 10 40 0; c c w1 10 0 50; c floor w1 5 0 0
  c a w2 50 10 10; c b w2 200 0 0; c c w2 20 5 1; c a w3 10 0 0; c b w3 20 0 0; } > "$TMP/counts.csv"
{ echo "$H"; t a w1 100 0; t b w1 90 0; t c w1 160 0; t floor w1 10 0
  t a w2 100 0; t b w2 200 0; t c w2 33 0; t a w3 5000 100; t b w3 9000 100; } > "$TMP/wall.csv"
is "$("$S" counts rows "$TMP/counts.csv" "$TMP/wall.csv" | tail -n +3)" \
   "| w1 | a | 95.0 | 0 | 0 | 0 | 100 | 100 |
| w1 | b | 5.00 | 40.0 | 0 | 0 | 90.0 | 90.0 |
| w1 | c | 5.00 | 0 | 50 | 0 | 160 | 160 |
| w1 | floor | 5.00 | 0 | 0 | 0 | 10.0 | 5.00 ‡ |
| w2 | a | 50.0 | 10.0 | 10 | 0 | 100 | 100 |
| w2 | b | 200 | 0 | 0 | 0 | 200 | 200 |
| w2 | c | 20.0 | 5.00 | 1.0 | 0 | 33.0 | 33.0 |
| w3 | a | 10.0 | 0 | 0 | 1.0 | 5000 | 10.0 ‡ |
| w3 | b | 20.0 | 0 | 0 | 1.0 | 9000 | 20.0 ‡ |" \
   "counts rows: each allocator's counts beyond the floor's, faults per op, wall time and the model (‡: not fitted on)"
is "$("$S" counts fit "$TMP/counts.csv" "$TMP/wall.csv" | tail -n +3)" \
   "| w1 | +1.00 (3) | +0.00 (3) |
| w2 | +1.00 (3) | +1.00 (3) |
| w3 | +1.00 (2) | +1.00 (2) |
| *the model* | 1.00 ns per instruction, 2.00 per D1 miss, 3.00 per LL miss | fitted on 6 rows |" \
   "counts fit: Kendall's tau per workload (a tie counts neither way), and the exact coefficients"
fails_with 2 "^summarize: error: unknown counts part 'x': expected one of rows, fit\$" "counts: an unknown part" \
    -- "$S" counts x "$TMP/counts.csv" "$TMP/wall.csv"
fails_with 2 "^summarize: error: counts needs a part and two files: rows|fit COUNTS.summary.csv WALL.summary.csv\$" "counts of one file" \
    -- "$S" counts rows "$TMP/counts.csv"

# ---- errors: exit 2, one line naming the place and what is allowed ------------------------
printf 'allocator,workload,threads,rep,status,ns\nglibc,w,1,1,ok,1\nglibc,w,1,2\n' > "$TMP/bad.csv"
fails_with 2 "^summarize: error: $TMP/bad.csv:3: 4 fields, header has 6\$" "bad field count names file:line" \
    -- "$S" "$TMP/bad.csv"
is "$("$S" "$TMP/stats.csv" "$TMP/bad.csv" 2>/dev/null)" "" "no partial output on error"
fails_with 2 "--by column 'colour' is not in the header of" "unknown --by column" \
    -- "$S" --by allocator,colour "$TMP/stats.csv"
fails_with 2 "no rows with metric 'foo' in $TMP/t.summary.csv" "unknown metric in table" \
    -- "$S" table "$TMP/t.summary.csv" --metric foo --rows allocator --cols threads
fails_with 2 "no rows with metric 'bogus' \(--resolution\)" "unknown --resolution metric" \
    -- "$S" table "$TMP/t.summary.csv" --metric ns --rows allocator --cols threads --resolution bogus
fails_with 2 "^summarize: error: no rows with metric 'ns' in $TMP/t.summary.csv match --where\$" "--where matches no row" \
    -- "$S" table "$TMP/t.summary.csv" --metric ns --rows allocator --cols threads --where threads=9
fails_with 2 "--where column 'colour' is not in the header" "unknown --where column" \
    -- "$S" table "$TMP/t.summary.csv" --metric ns --rows allocator --cols threads --where colour=red
fails_with 2 "--omit 'allocator' is not allowed: expected COL=VAL" "--omit without =" \
    -- "$S" table "$TMP/t.summary.csv" --metric ns --rows allocator --cols threads --omit allocator
fails_with 2 "lines 2 and 8 both fall in row 'w', column '1': narrow with --where" "two rows in one cell" \
    -- "$S" table "$TMP/t.summary.csv" --metric ns --rows workload --cols threads
fails_with 2 "unknown --cell 'mean': expected one of median, ci, ratio, cv" "unknown --cell" \
    -- "$S" table "$TMP/t.summary.csv" --metric ns --rows allocator --cols threads --cell mean
fails_with 2 "summary column 'metric' is not in the header of" "table of a file that is not a summary" \
    -- "$S" table "$TMP/t.csv" --metric ns --rows allocator --cols threads
fails_with 2 "--boot '5' is not allowed: expected an integer from 100 to 100000" "--boot too small" \
    -- "$S" --boot 5 "$TMP/stats.csv"
fails_with 2 "--boot 'many' is not allowed" "--boot not a number" -- "$S" --boot many "$TMP/stats.csv"
fails_with 2 "cannot read $TMP/nope.csv: No such file" "missing file" -- "$S" "$TMP/nope.csv"
: > "$TMP/empty.csv"
fails_with 2 "$TMP/empty.csv is empty: expected a header row" "empty file" -- "$S" "$TMP/empty.csv"
fails_with 2 "$TMP/t.csv:1: header differs from the header of $TMP/stats.csv" "different headers" \
    -- "$S" "$TMP/stats.csv" "$TMP/t.csv"
fails_with 2 "unknown option '--bins': expected one of --by --baseline --boot --seed" "unknown option" \
    -- "$S" --bins 3 "$TMP/stats.csv"
fails_with 2 "option --seed needs a value" "option without its value" -- "$S" "$TMP/stats.csv" --seed
fails_with 2 "no input file" "no input file" -- "$S"
fails_with 2 "^summarize: error: option --boot given twice: give it once" "a duplicated option is an error" \
    -- "$S" --boot 200 --boot 300 "$TMP/stats.csv"
fails_with 2 "^summarize: error: option --digits given twice" "a duplicated table option is an error" \
    -- "$S" table "$TMP/t.summary.csv" --metric ns --rows allocator --cols threads --digits 2 --digits 3
fails_with 2 "^summarize: error: option --corner needs a value\$" "a table option without its value" \
    -- "$S" table "$TMP/t.summary.csv" --metric ns --rows allocator --cols threads --corner
fails_with 2 "^summarize: error: --digits '0' is not allowed: expected an integer from 1 to 15\$" "--digits out of range" \
    -- "$S" table "$TMP/t.summary.csv" --metric ns --rows allocator --cols threads --digits 0
fails_with 2 "^summarize: error: --seed '-1' is not allowed" "--seed negative" -- "$S" --seed -1 "$TMP/stats.csv"
fails_with 2 "^summarize: error: --by column 'allocator' is given twice\$" "a --by column twice" \
    -- "$S" --by allocator,allocator "$TMP/stats.csv"
for h in -h --help; do
    out=$("$S" $h 2>"$TMP/help.err"); rc=$?
    is "$rc,$(head -c 16 <<<"$out"),$(wc -c < "$TMP/help.err")" "0,usage: summarize,0" "$h: usage on stdout, exit 0"
    out=$("$S" table $h 2>/dev/null); is "$?,$(head -c 16 <<<"$out")" "0,usage: summarize" "table $h: usage too"
    out=$("$S" select $h 2>/dev/null); is "$?,$(head -c 16 <<<"$out")" "0,usage: summarize" "select $h: usage too"
done

done_testing
