#!/bin/bash
# tests/exercises.t -- a workshop's exercises (issue 15, part 4): every exercise of the
# chapters runs with `make ex-NN-K` at QUICK size, once; its rows
# hold a result for every arm; it prints its verdict line; a bad name is one line listing the
# allowed ones; the book shows each exercise with its command and without its answer; `make
# answers` writes a key holding every exercise, from the runs, without running them again.
# The claims' verdicts are not asserted (timing noise), except those whose counts are
# deterministic (fault counts, arenas, shared cache lines): those must hold.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
if ! command -v pandoc >/dev/null; then echo "1..0 # SKIP pandoc not installed (make deps)"; exit 0; fi
make -s build >/dev/null 2>&1

out=$(common/exercise --help 2>"$TMP/err"); rc=$?
ok $([ $rc = 0 ] && [[ $out == usage:* ]] && [ ! -s "$TMP/err" ]; echo $?) "common/exercise --help: usage on stdout, exit 0"
mapfile -t ids < <(common/exercise list | awk '{ print $1 }')
declared=$(cat chapters/*/[0-9][0-9]-*.md | grep -c '^::: *{\.exercise ')
is "${#ids[@]}" "$declared" "common/exercise list names every exercise the chapters declare ($declared)"
bad=$(printf '%s\n' "${ids[@]}" | grep -cvE '^ex-[0-9]{2}-[1-9][0-9]*$')
is "$bad" 0 "  ... each as ex-NN-K"
for c in 01 02 03 04 05 06 07; do
    printf '%s\n' "${ids[@]}" | grep -q "^ex-$c-1$"; ok $? "chapter $c has runnable exercises (ex-$c-1)"
done

# Bad names: one line naming the bad value and the allowed ones, non-zero exit, nothing run.
fails_with 2 "^exercise: error: unknown exercise 'ex-99-9': expected one of ex-01-1, ex-01-2" \
    "an unknown exercise: one line listing the allowed ones" -- common/exercise run ex-99-9
err=$(make -s ex-99-9 2>&1 >/dev/null); rc=$?
ok $([ $rc -ne 0 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -q "unknown exercise 'ex-99-9': expected one of ex-01-1" <<<"$err"; echo $?) "make ex-99-9: fails with that one line, before building anything"
fails_with 2 "unknown command 'frobnicate'" "an unknown command: one line" -- common/exercise frobnicate
fails_with 2 "--seed '01' is not allowed" "a bad --seed: one line" -- common/exercise run --seed 01 ex-01-1

# A spec the book cannot use fails the render, naming the exercise and what is wrong.
printf '# T\n\n::: {.exercise #ex-01-9 prog=x allocators=glibc case="--workload a" baseline=glibc metric=m colour=red}\nQ\n:::\n' >"$TMP/bad.md"
fails_with 1 "exercise ex-01-9: unknown attribute 'colour'" "an exercise with an unknown attribute fails the render" -- \
    common/book/render "$TMP/x.html" data figures "$TMP/bad.md"
printf '# T\n\n::: {.exercise #ex-01-9 prog=x allocators=glibc case="--workload a" baseline=glibc metric=m}\nQ\n:::\n' >"$TMP/bad2.md"
fails_with 1 "exercise ex-01-9: no ::: answer div" "an exercise without an answer fails the render" -- \
    common/book/render "$TMP/x.html" data figures "$TMP/bad2.md"

# Each exercise once, through make: rows for every arm with status ok, and a verdict line.
# (Its time, under 30 s, is a target for `make bench`, not for a test.)
deterministic="ex-01-1 ex-01-3 ex-02-1 ex-02-2"   # their expected outcome is a count: it must hold
for id in "${ids[@]}"; do
    make -s "$id" >"$TMP/$id.out" 2>"$TMP/$id.err"; rc=$?
    ok $rc "make $id runs" || tail -5 "$TMP/$id.err" | sed 's/^/#   /'
    grep -qE "^$id: (held|did not hold|not evaluated): " "$TMP/$id.out"; ok $? "  ... and prints its verdict line"
    csv=build/ex/$id.csv
    arms=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        { k = $h["allocator"] ("arm" in h ? "/" $h["arm"] : ""); all[k] = 1; if ($h["status"] == "ok") good[k] = 1 }
        END { for (k in all) if (!(k in good)) print k }' "$csv" 2>/dev/null)
    ok $([ -s "$csv" ] && [ -z "$arms" ]; echo $?) "  ... its rows hold a result (status ok) for every arm${arms:+ (not: $arms)}"
    if [[ " $deterministic " == *" $id "* ]]; then
        grep -q "^$id: held: " "$TMP/$id.out"; ok $? "  ... its deterministic claim evaluates and holds" ||
            grep "^$id:" "$TMP/$id.out" | sed 's/^/#   /'
    fi
    grep -q "^$id: not evaluated: " "$TMP/$id.out"; [ $? = 1 ]; ok $? "  ... every claim of its answer evaluates on its run"
done

# The book: each exercise numbered, with its command; no answer.
make -s book PDF= >"$TMP/book.log" 2>&1; ok $? "make book renders" || tail -3 "$TMP/book.log" | sed 's/^/#   /'
for id in "${ids[@]}"; do
    grep -q "<div id=\"$id\" class=\"exercise\">" build/book.html && grep -q "<code>make $id</code>" build/book.html
    ok $? "the book shows $id with its command"
done
! tr '\n' ' ' <build/book.html | grep -q 'takes fewer than a tenth of glibc'; ok $? "the book holds no answer"

# The answer key: every exercise, from the runs just made (none run again).
make -s answers >"$TMP/answers.out" 2>"$TMP/answers.err"; ok $? "make answers" || tail -5 "$TMP/answers.err" | sed 's/^/#   /'
! grep -q '^exercise: ex-.*allocator(s) x' "$TMP/answers.err"; ok $? "  ... runs no exercise whose run is current"
key=build/answers.html
for id in "${ids[@]}"; do
    grep -q "id=\"$id\"" "$key"; ok $? "the key holds $id"
done
is "$(grep -c 'class="verdict verdict-' "$key")" "$(grep -c '<section id="ex-[0-9]*-[0-9]*"' "$key")" "the key gives every exercise a verdict"
! grep -q 'Not run yet' "$key"; ok $? "  ... from a run of each"
tr '\n' ' ' <"$key" | grep -q 'fewer than a tenth of glibc'; ok $? "  ... and its answers"
grep -q 'book.css\|--accent' "$key"; ok $? "  ... in the book's style"
# A stale run (what ran differs from the spec now) runs again, alone.
echo "an older spec" >build/ex/ex-01-1.spec
make -s answers >/dev/null 2>"$TMP/k.err"
is "$(grep '^exercise: ex-.*allocator(s) x' "$TMP/k.err" | cut -d: -f2 | paste -sd' ')" " ex-01-1" "answers runs again the one exercise whose run is stale"
done_testing
