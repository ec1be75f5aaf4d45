#!/bin/bash
# tests/browser.t -- the book in a real browser (headless Chromium, common/book/browser):
# first the checker itself, on fixture pages that must pass and fail (a broken image, a
# dangling link, a console error, a table wider than the paper), and the printer (A4, page
# numbers, the contents' page numbers); then the reference book (`make book` from the
# committed data/): every image drawn, every internal link resolved, no console error,
# nothing wider than the page; its PDF A4, its figures vectors, its contents' page numbers
# those of the pages; the first page of each chapter photographed from the HTML and from the
# PDF into build/shots/ for a person to look at.
. "$(dirname "$0")/lib.sh"
BROWSER=$ROOT/common/book/browser
for tool in pdfinfo pdftotext pdftoppm pdfimages; do
    command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool not installed (make deps: poppler-utils)"; exit 0; }
done
[ -x /usr/lib/chromium/chromium ] || command -v chromium >/dev/null ||
    { echo "1..0 # SKIP chromium not installed (make deps)"; exit 0; }

# ---------------------------------------------------------------- usage
out=$("$BROWSER" --help); rc=$?
is "$rc" 0 "--help exits 0"
printf '%s' "$out" | grep -q '^usage: common/book/browser pdf BOOK.html'; ok $? "--help prints the usage on stdout"
fails_with 2 "expected pdf or check, got 'print'" "an unknown command is a usage error" -- "$BROWSER" print x.html
fails_with 2 "check: expected BOOK.html" "check without a book is a usage error" -- "$BROWSER" check
fails_with 2 "unexpected argument '--shot'" "an unknown option is named" -- "$BROWSER" check x.html --shot d
fails_with 2 "--pdf is for the shots" "--pdf without --shots is a usage error" -- "$BROWSER" check x.html --pdf x.pdf
fails_with 1 "no such file: $TMP/none.html" "a missing book is named" -- "$BROWSER" check "$TMP/none.html"

# ---------------------------------------------------------------- fixtures
# page TITLE BODY: an HTML page with the book's own stylesheets (print.css sets the paper)
page() {
    printf '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>%s</title><style>\n' "$1"
    cat "$ROOT/common/book/book.css" "$ROOT/common/book/print.css"
    printf '</style></head><body>\n%s\n</body></html>\n' "$2"
}
svg64=$(printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="40" height="20" fill="#369"/></svg>' | base64 -w0)
page "Good" "
<nav id=\"TOC\"><ul>
<li><a href=\"#ch:one\"><span class=\"toc-section-number\">1</span> First</a></li>
<li><a href=\"#ch:two\"><span class=\"toc-section-number\">2</span> Second</a></li>
<li><a href=\"#ch:three\"><span class=\"toc-section-number\">3</span> Third</a></li>
</ul></nav>
<h1 id=\"ch:one\"><span class=\"header-section-number\">1</span> First</h1>
<figure id=\"fig:a\"><img src=\"data:image/svg+xml;base64,$svg64\"><figcaption>Figure 1.1: a figure.</figcaption></figure>
<p>See <a href=\"#fig:a\">Figure 1.1</a> and <a href=\"#ch:two\">chapter 2</a>.</p>
<svg width=\"60\" height=\"30\"><circle cx=\"15\" cy=\"15\" r=\"10\"/></svg>
<h1 id=\"ch:two\"><span class=\"header-section-number\">2</span> Second</h1>
<p>$(printf 'Filler text that runs on. %.0s' $(seq 400))</p>
<h1 id=\"ch:three\"><span class=\"header-section-number\">3</span> Third</h1>
<p>The end.</p>" > "$TMP/good.html"
long=$(printf 'x%.0s' $(seq 200))
page "Bad" "
<h1 id=\"ch:one\"><span class=\"header-section-number\">1</span> One</h1>
<p><img src=\"missing.png\" alt=\"gone\"></p>
<figure id=\"fig:broken\"><img src=\"data:image/svg+xml;base64,bm90IGFuIHN2Zw==\"></figure>
<div id=\"tiny\"><svg width=\"0\" height=\"0\"></svg></div>
<p>See <a href=\"#fig:nowhere\">Figure 9.9</a>.</p>
<table id=\"tbl:wide\"><tr><td>$long</td></tr></table>
<script>console.error('boom from the fixture'); throw new Error('thrown in the fixture');</script>" > "$TMP/bad.html"

# ---------------------------------------------------------------- the checker
out=$("$BROWSER" check "$TMP/good.html" --shots "$TMP/shots" 2>"$TMP/err"); rc=$?
is "$rc" 0 "a good page passes the check"
sed 's/^/#   /' "$TMP/err"
printf '%s' "$out" | grep -q ': 1 images, 1 inline svg, 5 internal links, 3 chapters, 0 problems$'
ok $? "  ... having seen its image, inline svg, links and chapters: $out"
[ -s "$TMP/shots/01-html.png" ] && [ -s "$TMP/shots/03-html.png" ] && [ ! -e "$TMP/shots/01-pdf.png" ]
ok $? "  ... and photographed each chapter's first page (no PDF asked: no PDF shot)"

"$BROWSER" check "$TMP/bad.html" >/dev/null 2>"$TMP/err"; rc=$?
is "$rc" 1 "a bad page fails the check"
bad() {  # bad PATTERN NAME: the bad page's report has a line matching
    grep -qE -- "$1" "$TMP/err"; ok $? "  ... $2"
}
bad 'image #ch:one|image after "1 One" did not load: src="missing.png"' "a missing image file"
bad 'image #fig:broken did not load: src="data:image/svg' "an image that does not decode"
bad 'inline svg #tiny is drawn 0x0 px' "an inline svg of no size"
bad 'link "Figure 9.9" .*: no element with id "fig:nowhere"' "a dangling cross-reference"
bad 'console error: boom from the fixture' "console.error"
bad 'console error: .*thrown in the fixture' "an exception"
bad 'on A4 paper, table in #tbl:wide is [0-9]+ px wider than the text' "a table wider than the paper"
[ "$(grep -c . "$TMP/err")" -eq 8 ]; ok $? "  ... one line per problem, nothing else (the failed load is one more console error)"
sed 's/^/#   /' "$TMP/err"

# ---------------------------------------------------------------- the printer
"$BROWSER" pdf "$TMP/good.html" > "$TMP/good.pdf"; rc=$?
is "$rc" 0 "pdf prints the good page"
pdfinfo "$TMP/good.pdf" 2>/dev/null | grep -qE '^Page size: +59[45][.0-9]* x 84[12][.0-9]* pts \(A4\)'
ok $? "  ... on A4 paper"
dest() { pdfinfo -dests "$1" | awk -v id="\"$2\"" '$NF == id { print $1 }'; }
two=$(dest "$TMP/good.pdf" ch:two) three=$(dest "$TMP/good.pdf" ch:three)
[ -n "$two" ] && [ "$three" -gt "$two" ] 2>/dev/null; ok $? "  ... each chapter on its page (2 on $two, 3 on $three)"
toc=$(pdftotext -layout -f 1 -l 1 "$TMP/good.pdf" - | grep -E '^ *2 +Second')
is "$(printf '%s' "$toc" | awk '{ print $NF }')" "$two" "  ... the contents give chapter 2's page"
foot=$(pdftotext -layout -f "$three" -l "$three" "$TMP/good.pdf" - | grep -v '^[[:space:]]*$' | tail -1 | tr -d ' \f')
is "$foot" "$three" "  ... and its pages their numbers"

# ---------------------------------------------------------------- the reference book
# (rendered from the committed data/, as a reader gets it: QUICK and the paths pinned,
# whatever the make that runs the tests was given)
make -s -C "$ROOT" book QUICK= OUT=build DATA=data FIG=figures >"$TMP/make.log" 2>&1
ok $? "make book renders the reference book" || tail -5 "$TMP/make.log" | sed 's/^/#   /'
html=$ROOT/build/book.html pdf=$ROOT/build/book.pdf shots=$ROOT/build/shots
rm -rf "$shots"
out=$("$BROWSER" check "$html" --shots "$shots" --pdf "$pdf" 2>"$TMP/err"); rc=$?
is "$rc" 0 "the book passes the browser check: $out"
sed 's/^/#   /' "$TMP/err" | head -20
nimg=$(grep -o '<img ' "$html" | wc -l)
printf '%s' "$out" | grep -qE ": $nimg images, " && [ "$nimg" -gt 10 ]; ok $? "  ... having drawn all its $nimg images"
nch=$(grep -c '<h1 data-number=' "$html")
is "$(ls "$shots"/*-html.png 2>/dev/null | wc -l) $(ls "$shots"/*-pdf.png 2>/dev/null | wc -l)" "$nch $nch" \
    "the first page of each of its $nch chapters, from the HTML and the PDF, in build/shots/"
pdfinfo "$pdf" | grep -qE '^Page size: +59[45][.0-9]* x 84[12][.0-9]* pts \(A4\)'; ok $? "book.pdf is A4"
is "$(pdfimages -list "$pdf" | tail -n +3 | wc -l)" 0 "book.pdf holds no raster image: its figures are vectors"
id=$(grep -o '<h1 data-number="1" id="[^"]*"' "$html" | sed 's/.*id="//; s/"$//')
title=$(grep -o '<h1 data-number="1" id="[^"]*"><span class="header-section-number">1</span> [A-Za-z-]*' "$html" | sed 's/.* //')
first=$(dest "$pdf" "$id")
toc=$(pdftotext -layout -l "$first" "$pdf" - | grep -m1 -E "^ *1 +$title" | awk '{ print $NF }')
is "$toc" "$first" "the contents give chapter 1 ($title) its page, $first"

done_testing
