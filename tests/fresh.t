#!/bin/bash
# tests/fresh.t -- every chapter's QUICK run works on a fresh clone, without `make build`
# first (issue 10, item 8: `make test` and `make` build everything first, which hid a
# missing prerequisite). The working tree as it is (committed or not, without build/) is
# copied once; each chapter then runs with no build/ at all, so that one chapter's build
# cannot hide another's missing prerequisite. Each runs with glibc alone: the build's
# prerequisites do not depend on the allocators, the chapter tests run all of them, and
# so a real run of every chapter with a subset of one is checked too (item 2); one
# repetition, so that a book of single runs (no spread to show) is checked as well.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
copy=$TMP/clone
mkdir -p "$copy"
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$copy" 2>"$TMP/copy.err"
ok $? "the working tree is copied (no build/)"
[ -s "$copy/Makefile" ] || sed 's/^/# /' "$TMP/copy.err"
[ ! -e "$copy/build" ]; ok $? "the copy has no build/"

reference_snapshot >"$TMP/reference"
for c in $(cd chapters && ls -d [0-9][0-9]-*); do
    nn=${c%%-*}
    rm -rf "$copy/build"
    (cd "$copy" && make -s "run-$c" QUICK=1 REPS=1 ALLOCATORS=glibc >"$TMP/$nn.log" 2>&1); rc=$?
    ok $rc "make run-$c QUICK=1 REPS=1 ALLOCATORS=glibc on a fresh copy"
    [ $rc = 0 ] || tail -15 "$TMP/$nn.log" | sed 's/^/# /'
    [ -s "$copy/build/quick/data/$c/$c.csv" ]
    ok $? "  ... writes chapter $nn's data"
    grep -iE "cannot open|ld.so|no such file" "$TMP/$nn.log" >"$TMP/$nn.missing"
    ok $([ ! -s "$TMP/$nn.missing" ]; echo $?) "  ... with no missing file on the way"
    head -5 "$TMP/$nn.missing" | sed 's/^/# /'
done
# The book of all seven, from the last chapter's build/ alone: its figures' and tables'
# prerequisites are made on the way (one render: each chapter's would cost a minute more).
rm -rf "$copy/build/summarize" "$copy/build/gen"
(cd "$copy" && make -s book QUICK=1 REPS=1 ALLOCATORS=glibc >"$TMP/book.log" 2>&1); rc=$?
ok $rc "make book QUICK=1 of the seven chapters' data, on the fresh copy" || tail -15 "$TMP/book.log" | sed 's/^/# /'
[ -s "$copy/build/quick/book.html" ]; ok $? "  ... writes the book"
reference_snapshot | cmp -s - "$TMP/reference"; ok $? "the fresh runs never touch this tree's data/ or figures/"
done_testing
