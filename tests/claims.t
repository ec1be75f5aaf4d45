#!/bin/bash
# The book's claims (common/book/lab.lua): every claim holds on the committed reference
# data; a rerun whose data contradicts one renders it marked, listed at the end of its
# chapter and of the book, without failing the render; a claim that cannot be evaluated
# (a bad column, a test that is not true or false) fails the render, naming it.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
make -s build/summarize >/dev/null

# The reference book: rendered from data/ (no measuring), its list of claims beside it.
make -s book >"$TMP/log" 2>&1; ok $? "make book renders the reference book" || tail -5 "$TMP/log" | sed 's/^/# /'
list=build/book.claims.tsv
n=$(tail -n +2 "$list" | wc -l)
ok $([ "$n" -ge 1 ]; echo $?) "the book states claims about its data ($n)"
failed=$(awk -F'\t' '$2 != "holds"' "$list" | tail -n +2)
is "$failed" "" "every claim holds on the reference data"
grep -q 'id="claims"' build/book.html; ok $? "the book ends with its claims summary"
! grep -q 'no data (no such row)' build/book.html; ok $? "every value of the reference book finds its row"

# A fixture: chapter 1 on data where the floor is far cheaper than mimalloc on small.
mkdir -p "$TMP/d"; cp -r data/01-micro "$TMP/d/"
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i }
    NR > 1 && $h["allocator"] == "floor" && $h["workload"] == "small" && $h["metric"] == "ns_per_op" {
        $h["median"] = 5; $h["ci_lo"] = 4; $h["ci_hi"] = 6 } { print }' data/01-micro/01-micro.summary.csv >"$TMP/d/01-micro/01-micro.summary.csv"
for o in b e; do mkdir -p "$TMP/$o"; cp -r build/gen "$TMP/$o/"; done   # (the tables make book made)
common/book/render "$TMP/b/book.html" "$TMP/d" figures book.md chapters/01-micro/01-micro.md >"$TMP/r.log" 2>&1
ok $? "a rerun whose data contradicts a claim still renders" || sed 's/^/# /' "$TMP/r.log"
html=$(cat "$TMP/b/book.html" 2>/dev/null)
[[ $html == *'class="claim claim-failed"'* ]]; ok $? "the claim is marked failed"
[[ $html == *"on this run: mimalloc ci_lo"*"floor ci_hi 6"* ]]; ok $? "with the values it read"
[ "$(grep -c 'Claims that did not hold on this run' <<<"$html")" -ge 2 ]; ok $? "and listed at the end of the chapter and of the book"
awk -F'\t' '$2 == "failed" { print $3 }' "$TMP/b/book.claims.tsv" | grep -qx "are at the floor"; ok $? "the list of claims names it failed"

# A claim that cannot be evaluated is a problem of the prose: the render fails and says which.
printf '# T\n\n[x]{.claim src="01-micro/01-micro.summary.csv" where="nosuch=1" test="glibc > 0"}\n' >"$TMP/bad.md"
fails_with 1 "claim 01-micro/01-micro.summary.csv \[glibc > 0\]: where: 'nosuch=1' names no column" \
    "a claim whose where= names no column fails the render" -- common/book/render "$TMP/c/x.html" data figures "$TMP/bad.md"
printf '# T\n\n[x]{.claim src="01-micro/01-micro.summary.csv" where="workload=small,metric=ns_per_op" test="glibc"}\n' >"$TMP/bad2.md"
fails_with 1 "the test gives number, not true or false" "a test that is not true or false" -- \
    common/book/render "$TMP/c/x.html" data figures "$TMP/bad2.md"
# A key of two columns names a row by both: glibc on small against glibc on large.
printf '# T\n\n[x]{.claim src="01-micro/01-micro.summary.csv" where="metric=ns_per_op" key="allocator,workload" test="med[%s] < med[%s]"}\n' \
    "'glibc/small'" "'glibc/large'" >"$TMP/two.md"
common/book/render "$TMP/c/two.html" data figures "$TMP/two.md" >/dev/null 2>&1
is "$(awk -F'\t' 'NR == 2 { print $2 }' "$TMP/c/two.claims.tsv" 2>&1)" holds "key=allocator,workload: rows named 'glibc/small'"
# An allocator that did not run: the claim is not evaluated, not failed.
# (as summarize writes it for an allocator that is not installed: n=0, no values, 'missing')
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i }
    NR > 1 && $1 == "mimalloc" { for (i = h["n"]; i < h["status"]; i++) $i = ""; $h["n"] = 0; $h["n_failed"] = 0; $h["status"] = "missing" }
    { print }' data/01-micro/01-micro.summary.csv >"$TMP/d/01-micro/01-micro.summary.csv"
common/book/render "$TMP/e/book.html" "$TMP/d" figures book.md chapters/01-micro/01-micro.md >/dev/null 2>&1
is "$(awk -F'\t' '$3 == "are at the floor" { print $2 }' "$TMP/e/book.claims.tsv")" skipped "a claim naming an allocator that did not run is not evaluated"
done_testing
