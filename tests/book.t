#!/bin/bash
# tests/book.t -- common/book/render and lab.lua on a tiny fixture book: includes, values,
# figures and their numbers, cross-references, code regions; then every missing piece
# must fail the render, name what is missing, and leave no book behind.
. "$(dirname "$0")/lib.sh"

RENDER=$ROOT/common/book/render
if ! command -v pandoc >/dev/null; then
    echo "1..0 # SKIP pandoc not installed (make deps)"; exit 0
fi

# ---------------------------------------------------------------- fixture
D=$TMP/data F=$TMP/figs
mkdir -p "$D/01-x" "$F/01-x"
cat > "$D/01-x/t.table.md" <<'EOF'
| allocator | ns_per_op |
|:----------|----------:|
| floor     |   12.5001 |
| glibc     |   20.1002 |
EOF
cat > "$D/01-x/s.summary.csv" <<'EOF'
allocator,workload,metric,median,ratio
floor,small,ns_per_op,12.3456,0.8512
glibc,small,ns_per_op,20.1,1
glibc,large,ns_per_op,30.2,1
glibc,large,ns_per_op,31.7,1
mimalloc,small,ns_per_op,,1
EOF
cat > "$D/01-x/text.csv" <<'EOF'
case,status,top
a,ok,spinlock do_futex+0x183
b,ok,
c,unavailable: no perf,
EOF
cat > "$D/01-x/fmt.csv" <<'EOF'
case,x
int,12345
pi,3.14159
small,0.0123
carry,9.996
tiny,0.00001
neg,-3.14159
zero,0
EOF
cat > "$D/01-x/st.summary.csv" <<'END'
allocator,workload,metric,n,n_failed,median,cv,ci_lo,ci_hi,ratio,ratio_lo,ratio_hi,status
glibc,small,ns_per_op,5,0,20.1234,0.01,19.5,20.5,1,1,1,ok
glibc,large,ns_per_op,5,0,31.7,0.09,30,33,1,1,1,ok
jemalloc,small,ns_per_op,5,0,9.87654,0.02,9.5,10.1,0.491,0.47,0.51,ok
jemalloc,large,ns_per_op,5,0,41.5,0.01,41,42,1.309,1.2,1.4,ok
END
cat > "$D/01-x/run.csv" <<'END'
allocator,workload,rep,ns_per_op,status
glibc,small,1,20,ok
glibc,small,2,22,ok
jemalloc,small,1,10,ok
jemalloc,small,2,11,ok
END
printf 'allocator,workload,status,calls,wall_ms\nglibc,churn,ok,447,582.61\nglibc,holes,ok,1121,13.6\ntbbmalloc,churn,missing,,\n' > "$D/01-x/count.csv"
printf 'host: fixture-host\nkernel: 6.1\n' > "$D/01-x/env.txt"
mkdir -p "$TMP/out/gen/01-x"   # tables made at book time: under gen/ beside the book
printf '| workload | size |\n|:--|--:|\n| small | 16 |\n' > "$TMP/out/gen/01-x/w.md"
cat > "$F/01-x/a.svg" <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20"><rect width="40" height="20" fill="#369"/></svg>
EOF
cat > "$TMP/r.c" <<'EOF'
int main(void)
{
    // [loop]
    for (int i = 0; i < 3; i++)
        fixture_work(i);
    // [/loop]
    return 0;
}
EOF

# book BODY... -- a book file whose chapter is the given markdown lines
book() {
    printf -- '---\ntitle: Fixture book\n---\n\n# Preface {.unnumbered}\n\nEarly: @fig:a.\n\n# Micro\n\n'
    printf '%s\n\n' "$@"
}
good=(
    '::: runit'$'\n''make 01'$'\n'':::'
    'Median [x]{.v src="01-x/s.summary.csv" allocator=floor workload=small metric=ns_per_op}.'
    'Ratio []{.v src="01-x/s.summary.csv" allocator=floor stat=ratio}.'
    'Top []{.v src=01-x/text.csv case=a stat=top text=1}, b []{.v src=01-x/text.csv case=b stat=top text=1}, c []{.v src=01-x/text.csv case=c stat=top text=1}.'
    'Scaled []{.v src=01-x/s.summary.csv allocator=floor scale=1000 unit=ps}.'
    'Fmt int=[]{.v src=01-x/fmt.csv case=int stat=x} pi=[]{.v src=01-x/fmt.csv case=pi stat=x} small=[]{.v src=01-x/fmt.csv case=small stat=x} carry=[]{.v src=01-x/fmt.csv case=carry stat=x} tiny=[]{.v src=01-x/fmt.csv case=tiny stat=x} neg=[]{.v src=01-x/fmt.csv case=neg stat=x} zero=[]{.v src=01-x/fmt.csv case=zero stat=x} d5=[]{.v src=01-x/fmt.csv case=pi stat=x digits=5}.'
    '![Floor is fast.](figures/01-x/a.svg){#fig:a}'
    '![Second figure.](figures/01-x/a.svg){#fig:b}'
    '::: {#tbl:t .include src="01-x/t.table.md" caption="Throughput, *median*."}'$'\n'':::'
    '::: {#tbl:st .table src="01-x/st.summary.csv" metric=ns_per_op rows=allocator cols=workload cell=ci corner="ns per op" caption="From the *summary*."}'$'\n'':::'
    '::: {#tbl:run .table src="01-x/run.csv" by=allocator,workload baseline=glibc metric=ns_per_op rows=allocator cols=workload cell=ratio omit="allocator=glibc" caption="From the run."}'$'\n'':::'
    '::: {#tbl:gen .include gen="01-x/w.md" caption="Made at book time."}'$'\n'':::'
    '::: {#tbl:multi .table src="01-x/count.csv" by=allocator,workload metric=calls,wall_ms rows=allocator,workload cols=metric digits=1,4 labels="calls|wall, ms" caption="Several metrics."}'$'\n'':::'
    '::: {.include src="01-x/env.txt"}'$'\n'':::'
    "::: {.region src=\"$TMP/r.c\" name=\"loop\"}"$'\n'':::'
    'See [@fig:b, right] and @tbl:t, then @tbl:run.'
)
book "${good[@]}" > "$TMP/book.md"
# a chapter that follows: figure numbers restart per chapter
printf '# Second\n\n![Again.](figures/01-x/a.svg){#fig:c}\n\nSee @fig:c.\n' > "$TMP/second.md"

# ---------------------------------------------------------------- a good render
out=$TMP/out/book.html
err=$("$RENDER" "$out" "$D" "$F" "$TMP/book.md" "$TMP/second.md" 2>&1); rc=$?
is "$rc" 0 "render succeeds on the fixture"
[ -z "$err" ]; ok $? "render is quiet on success"
[ -n "$err" ] && printf '#   %s\n' "$err"
[ -s "$out" ]; ok $? "book.html written"
html=$(cat "$out" 2>/dev/null)
has() { printf '%s' "$html" | grep -qE -- "$1"; }
has '<title>Fixture book</title>';              ok $? "title from the YAML block"
has '<td style="text-align: left;">floor</td>';  ok $? "included table is in the book"
has '<td style="text-align: right;">20.1002</td>'; ok $? "included table keeps its numbers"
has '<caption>Table 1\.1: Throughput, <em>median</em>\.</caption>'; ok $? "table caption numbered"
has 'id="tbl:t"';                                ok $? "table has its anchor"
has 'host: fixture-host';                        ok $? ".txt include becomes a code block"
has '<caption>Table 1\.2: From the <em>summary</em>\.</caption>'; ok $? ".table: numbered, its caption markdown"
has 'id="tbl:st"';                               ok $? ".table: its anchor"
has '<th[^>]*>ns per op</th>';                   ok $? ".table: corner="
has '<td[^>]*>20\.1 \[19\.5, 20\.5\]</td>';       ok $? ".table: cell=ci, 3 significant digits"
has '<td[^>]*>31\.7 \[30\.0, 33\.0\] †</td>';    ok $? ".table: a CV above 5% flagged"
has '<caption>Table 1\.3: From the run\.</caption>'; ok $? ".table of a run CSV, summarised on the fly"
has '<td[^>]*>×0\.50 \[';                       ok $? "  ... with its baseline= (ratio to glibc)"
run_tbl=$(printf '%s' "$html" | tr '\n' ' ' | grep -oE 'From the run\.</caption>.*' | sed 's,</table>.*,,')
printf '%s' "$run_tbl" | grep -q '>jemalloc<' && ! printf '%s' "$run_tbl" | grep -q '>glibc<'; ok $? "  ... and omit="
has '<caption>Table 1\.4: Made at book time\.</caption>'; ok $? ".include gen=: a table made at book time, numbered"
multi=$(printf '%s' "$html" | tr '\n' ' ' | grep -oE 'Several metrics\.</caption>.*' | sed 's,</table>.*,,')
printf '%s' "$multi" | grep -qE '<th[^>]*>allocator</th> *<th[^>]*>workload</th> *<th[^>]*>calls</th> *<th[^>]*>wall, ms</th>'
ok $? ".table of several metrics: two row columns, a column per metric, labels= (a comma in one)"
printf '%s' "$multi" | grep -qE '<td[^>]*>glibc</td> *<td[^>]*>holes</td> *<td[^>]*>1121</td> *<td[^>]*>13\.60</td>'
ok $? "  ... digits= per column (1121 whole, 13.60)"
printf '%s' "$multi" | grep -qE '<td[^>]*>tbbmalloc</td> *<td[^>]*>churn</td> *<td[^>]*><em>not run \(not installed\)</em></td>'
ok $? "  ... and a missing allocator's row says 'not run'"
has 'Median <span class="v">12\.3</span>\.';     ok $? "value: median, 3 significant digits"
has 'Ratio <span class="v">0\.85×</span>';       ok $? "value: stat=ratio prints 0.85×"
has 'Top <span class="v"><code>spinlock do_futex\+0x183</code></span>,' && has '<span class="v not-run">no data</span>, c' &&
    has 'data \(unavailable: no perf\)</span>\.'   # (the HTML's lines wrap at spaces)
ok $? "value text=1: a text field as code; empty says no data (and the status when not ok)"
has 'Scaled <span class="v">12346.ps</span>';    ok $? "value: scale and unit"
has 'int=<span class="v">12345</span>';          ok $? "format: 12345 -> 12345"
has 'pi=<span class="v">3\.14</span>';           ok $? "format: 3.14159 -> 3.14"
has 'small=<span class="v">0\.0123</span>';      ok $? "format: 0.0123 -> 0.0123"
has 'carry=<span class="v">10\.0</span>';        ok $? "format: 9.996 -> 10.0"
has 'tiny=<span class="v">0\.0000100</span>';    ok $? "format: 1e-5 -> 0.0000100, never scientific"
has 'neg=<span class="v">-3\.14</span>';         ok $? "format: negative"
has 'zero=<span class="v">0</span>';             ok $? "format: zero"
has 'd5=<span class="v">3\.1416</span>';         ok $? "format: digits=5"
has '<figcaption[^>]*>Figure 1\.1: Floor is fast\.</figcaption>'; ok $? "first figure is Figure 1.1"
has '<figcaption[^>]*>Figure 1\.2: Second figure\.</figcaption>'; ok $? "second figure is Figure 1.2"
has '<figcaption[^>]*>Figure 2\.1: Again\.</figcaption>'; ok $? "numbers restart per chapter"
has 'id="fig:a"';                                ok $? "figure has its anchor"
has 'Early: <a href="#fig:a">Figure.1\.1</a>';   ok $? "reference before its figure resolves"
has 'See <a href="#fig:b">Figure.1\.2</a>, right'; ok $? "bracketed reference with suffix"
has 'and <a href="#tbl:t">Table.1\.1</a>';       ok $? "table reference"
has 'then <a href="#tbl:run">Table.1\.3</a>';    ok $? "reference to a .table"
has 'See <a href="#fig:c">Figure.2\.1</a>';      ok $? "reference in the second chapter"
has '<img src="data:image/svg\+xml;base64,';     ok $? "figure embedded as a data: URI"
! has 'figures/01-x/a.svg';                      ok $? "no figure left as an external path"
has 'fixture_work';                              ok $? "code region quoted"
! has 'return 0';                                ok $? "only the region's lines"
! has '\[/?loop\]';                              ok $? "region markers left out"
has '<code>[^<]*r\.c</code>, region <code>loop</code>'; ok $? "region caption names file and region"
has 'class="sourceCode c"';                      ok $? "region is a C code block"
has '<div class="runit">';                       ok $? "runit box kept for the CSS"
! has '(src|href)="https?:';                     ok $? "self-contained: no external URLs"
has 'max-width: 46em';                           ok $? "book.css embedded"

# relative DATADIR/FIGDIR from the caller's directory work too
( cd "$TMP" && "$RENDER" out/rel.html data figs book.md 2>/dev/null ); rc=$?
is "$rc" 0 "render with relative dirs from another directory"
[ -s "$TMP/out/rel.html" ]; ok $? "relative render wrote its book"

# ---------------------------------------------------------------- allocators that did not run
# (issue 10, item 2) A value of an allocator not asked for, or not installed (n=0), says
# "not run"; so does a ratio whose baseline, glibc, did not run.
cat > "$D/01-x/n.summary.csv" <<'EOF'
allocator,workload,metric,n,median,cv,ratio
glibc,small,ns_per_op,5,20.1,0.01,1
tbbmalloc,small,ns_per_op,0,,,
glibc,small,futex_per_mop,0,,,
glibc,large,ns_per_op,1,30.2,,1
EOF
printf 'allocator,workload,metric,n,median,ratio\nmimalloc,small,ns_per_op,5,9.5,\n' > "$D/01-x/nog.summary.csv"
cat > "$D/01-x/evil.table.md" <<'EOF'
| allocator | ns_per_op |
|:--|--:|
| <b>bold</b><script>x()</script> | 1 |
| tbbmalloc | — (1 missing) |
EOF
cat > "$D/01-x/phases.table.md" <<'EOF'
| RSS added / live | alloc | refill |  |
|---|---:|---:|---:|
| glibc | 1.12 | 1.63 | — |
| tbbmalloc | — | — | — (1 missing) |
EOF
book '![Floor is fast.](figures/01-x/a.svg){#fig:a}' \
    'A [x]{.v src=01-x/n.summary.csv allocator=jemalloc workload=small metric=ns_per_op} B []{.v src=01-x/n.summary.csv allocator=tbbmalloc workload=small metric=ns_per_op unit=ns} C []{.v src=01-x/nog.summary.csv allocator=mimalloc stat=ratio}. D []{.v src=01-x/n.summary.csv allocator=glibc metric=futex_per_mop}. E []{.v src=01-x/n.summary.csv allocator=glibc workload=large metric=ns_per_op stat=cv}.' \
    '::: {.include src="01-x/evil.table.md"}'$'\n'':::' \
    '::: {.include src="01-x/phases.table.md"}'$'\n'':::' > "$TMP/nr.md"
"$RENDER" "$TMP/out/nr.html" "$D" "$F" "$TMP/nr.md" 2>"$TMP/nr.err"
ok $? "values of allocators that did not run render"
sed 's/^/#   /' "$TMP/nr.err"
html=$(tr '\n' ' ' < "$TMP/out/nr.html" 2>/dev/null)   # pandoc wraps lines between words
has 'A <span class="v not-run">jemalloc not run</span> B'; ok $? "an allocator not asked for: 'not run'"
has 'B <span class="v not-run">tbbmalloc not run</span> C'; ok $? "an allocator not installed (n=0): 'not run', no unit"
has 'C <span class="v not-run">glibc not run</span>\.'; ok $? "a ratio without its baseline: 'glibc not run'"
has 'D <span class="v not-run">no data</span>\.'; ok $? "a value that ran but was not measured (n=0): 'no data'"
has 'E <span class="v not-run">n/a \(one run\)</span>\.'; ok $? "a spread of one run (a QUICK chapter of one repetition): 'n/a (one run)'"
has '<em>not run \(not installed\)</em>'; ok $? "a table cell of an allocator not installed says 'not run'"
has '<td>tbbmalloc</td> *<td[^>]*><em>not run \(not installed\)</em></td> *<td[^>]*><em>not run \(not installed\)</em></td> *</tr>'
ok $? "a missing allocator's row says 'not run' in every column"
! has '<th[^>]*></th>'; ok $? "  ... and the unnamed column only its rows made is gone"
has '&lt;b&gt;bold&lt;/b&gt;&lt;script&gt;'; ok $? "names in an included table are escaped in the HTML"
! has '<script>x'; ok $? "  ... and no raw HTML passes"

# ---------------------------------------------------------------- failures
# fails BOOKLINES PATTERN NAME -- the render of a chapter with these lines must fail
fails() {
    local pattern=$1 name=$2; shift 2
    book "$@" > "$TMP/bad.md"
    rm -f "$TMP/out/bad.html"
    fails_with 1 "$pattern" "$name" -- "$RENDER" "$TMP/out/bad.html" "$D" "$F" "$TMP/bad.md"
    local left=("$TMP"/out/bad.html*)
    [ ! -e "${left[0]}" ]
    ok $? "  ... and leaves no book.html nor tmp file"
}
fig='![Floor is fast.](figures/01-x/a.svg){#fig:a}'
fails 'include 01-x/nope\.table\.md: missing file .*/data/01-x/nope\.table\.md' "missing table" \
    "$fig" '::: {.include src="01-x/nope.table.md"}'$'\n'':::'
fails 'figure figures/01-x/nope\.svg: missing file .*/figs/01-x/nope\.svg' "missing figure" \
    "$fig" '![Nope.](figures/01-x/nope.svg){#fig:n}'
# (a row this run did not make, e.g. QUICK's fewer threads: "no data", and tests/claims.t
# checks that the reference book has none)
fails "value 01-x/text\\.csv: text='yes' is not allowed: expected 0 or 1" "text= other than 0 or 1" \
    "$fig" '[]{.v src=01-x/text.csv case=a stat=top text=yes}'
fails "value 01-x/s\\.summary\\.csv \\[allocator=tcmaloc\\].*: no allocator 'tcmaloc'" \
    "a misspelt allocator is not 'not run'" \
    "$fig" '[]{.v src=01-x/s.summary.csv allocator=tcmaloc}'
fails 'value 01-x/s\.summary\.csv \[allocator=glibc workload=large\].*: 2 rows match' \
    "ambiguous value (2 rows)" \
    "$fig" '[]{.v src=01-x/s.summary.csv allocator=glibc workload=large}'
fails 'allocator=mimalloc.*median is empty' "empty value" \
    "$fig" '[]{.v src=01-x/s.summary.csv allocator=mimalloc}'
fails "no column 'threads'" "unknown filter column" \
    "$fig" '[]{.v src=01-x/s.summary.csv threads=4}'
fails 'missing CSV .*/data/01-x/nope\.csv' "missing CSV" \
    "$fig" '[]{.v src=01-x/nope.csv allocator=floor}'
fails "region nope in .*/r\.c: no line '// \[nope\]'" "missing region" \
    "$fig" "::: {.region src=\"$TMP/r.c\" name=\"nope\"}"$'\n'':::'
fails 'region loop in chapters/none\.c: missing file' "missing region file" \
    "$fig" '::: {.region src="chapters/none.c" name="loop"}'$'\n'':::'
fails 'reference @fig:zzz: no figure or table' "unknown @fig reference" \
    "$fig" 'See @fig:zzz.'
fails 'reference @tbl:zzz' "unknown @tbl reference" \
    "$fig" 'See @tbl:zzz.'

fails "table #tbl:x 01-x/st\.summary\.csv: no rows with metric 'nope' in .*/01-x/st\.summary\.csv" \
    ".table: an unknown metric names it" \
    "$fig" '::: {#tbl:x .table src="01-x/st.summary.csv" metric=nope rows=allocator cols=workload}'$'\n'':::'
fails "table #tbl:x 01-x/st\.summary\.csv: --rows column 'colour' is not in the header" \
    ".table: an unknown column names it" \
    "$fig" '::: {#tbl:x .table src="01-x/st.summary.csv" metric=ns_per_op rows=colour cols=workload}'$'\n'':::'
fails "table #tbl:x 01-x/nope\.summary\.csv: missing file .*/data/01-x/nope\.summary\.csv" \
    ".table: a missing src names it" \
    "$fig" '::: {#tbl:x .table src="01-x/nope.summary.csv" metric=ns_per_op rows=allocator cols=workload}'$'\n'':::'
fails "table #tbl:x : no src=" ".table without src" \
    "$fig" '::: {#tbl:x .table metric=ns_per_op rows=allocator cols=workload}'$'\n'':::'
fails "table 01-x/st\.summary\.csv: unknown attribute 'metrics' \(allowed: src by baseline caption metric rows" \
    ".table: a misspelt attribute names it" \
    "$fig" '::: {.table src="01-x/st.summary.csv" metrics=ns_per_op rows=allocator cols=workload}'$'\n'':::'
fails "table 01-x/run\.csv: no rows with metric 'ns' in the summary of .*/01-x/run\.csv" \
    ".table of a run CSV: an unknown metric names the CSV" \
    "$fig" '::: {.table src="01-x/run.csv" by=allocator,workload metric=ns rows=allocator cols=workload}'$'\n'':::'
fails "table 01-x/run\.csv: .*baseline.*colour" ".table of a run CSV: a bad baseline= names it" \
    "$fig" '::: {.table src="01-x/run.csv" by=allocator,workload baseline=colour=red metric=ns_per_op rows=allocator cols=workload}'$'\n'':::'
fails "table 01-x/count\.csv: --labels 'calls' names 1 columns, the table has 2" \
    ".table: labels= that do not match the columns" \
    "$fig" '::: {.table src="01-x/count.csv" by=allocator,workload metric=calls,wall_ms rows=allocator,workload cols=metric labels=calls}'$'\n'':::'
fails "include 01-x/nope\.md: missing file .*/out/gen/01-x/nope\.md" "a missing gen= table" \
    "$fig" '::: {.include gen="01-x/nope.md"}'$'\n'':::'
fails "value 01-x/fmt\.csv.*: --digits '0' is not allowed" "value with digits=0" \
    "$fig" '[]{.v src=01-x/fmt.csv case=pi stat=x digits=0}'

# all problems are reported at once
book '![x](figures/01-x/none.svg)' '::: {.include src="01-x/none.md"}'$'\n'':::' > "$TMP/bad.md"
err=$("$RENDER" "$TMP/out/bad.html" "$D" "$F" "$TMP/bad.md" 2>&1)
printf '%s' "$err" | grep -q '3 problems' && printf '%s' "$err" | grep -q 'none\.svg' &&
    printf '%s' "$err" | grep -q 'none\.md' && printf '%s' "$err" | grep -q '@fig:a'
ok $? "every problem listed in one failure"

# a failed render removes an earlier book too: never a stale one that looks current
cp "$out" "$TMP/out/old.html"
book 'See @fig:zzz.' > "$TMP/bad.md"
"$RENDER" "$TMP/out/old.html" "$D" "$F" "$TMP/bad.md" 2>/dev/null
[ ! -e "$TMP/out/old.html" ]; ok $? "failed render removes the stale book"

fails_with 2 'usage' "usage error" -- "$RENDER" "$TMP/out/x.html"

done_testing
