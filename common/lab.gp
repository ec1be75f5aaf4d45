# common/lab.gp -- what every figure shares: terminal, colours, the allocators drawn.
# A chapter's script is called as
#     gnuplot -e "data='DIR'; figdata='FILE.plot.csv'; out='FILE.svg'" NAME.gp
# and starts with  load 'common/lab.gp'  (after setting W and H, the size in pixels, if
# the default does not suit; a script never sets the terminal again). figdata holds the
# rows the figure draws, made by the `# data: select ...` lines of its header
# (common/chapter.mk, summarize select): a figure computes no statistic (only positions,
# units and differences of the values it reads), and reads every column by name. With
# --blocks, figdata holds named data sets: `index ds("glibc small")` reads the one named
# "[glibc small]".
if (!exists("W")) W = 960
if (!exists("H")) H = 420
# Text at the size the book shows it. A figure is shown as wide as the text: 665 CSS px on
# A4 paper (common/book/print.css), 782 px on screen, whatever W is; so the base size grows
# with W, FONT = W/62 px is 8 pt on paper (12.5 px on screen). Smaller text is `font
# SMALL` (legends, crowded ticks), or a variable set to font(R), a fraction of FONT (gnuplot
# takes a variable there, not a call); never an absolute size, which a wider figure shrinks.
FONT = W / 62.0
font(r) = sprintf(",%d", int(FONT * r + 0.5))
SMALL = font(0.85)
set terminal svg size W, H dynamic font "sans" . font(1) background rgb "white"
set output out
set datafile separator ","
set datafile columnheaders
set datafile missing ""
set border 3 lc rgb "#555555"
set tics nomirror textcolor rgb "#333333"
set grid ytics lc rgb "#dddddd" lt 1
set key noautotitle

# One colour per allocator, the same in every figure of the book.
STANDARD = "glibc jemalloc tcmalloc mimalloc tbbmalloc"
color(a) = a eq "glibc" ? 0x1f77b4 : a eq "jemalloc" ? 0xd62728 : a eq "tcmalloc" ? 0x2ca02c : \
           a eq "mimalloc" ? 0x9467bd : a eq "tbbmalloc" ? 0xff7f0e : a eq "floor" ? 0x777777 : \
           a eq "glibc-arena1" ? 0x17becf : 0x000000
hex(a) = sprintf("#%06x", color(a))
# Position of word w in a space-separated list (NaN if absent).
_idx(list, w, i) = i > words(list) ? NaN : word(list, i) eq w ? i : _idx(list, w, i + 1)
idx(list, w) = _idx(list, w, 1)
has(list, w) = strstrt(" " . list . " ", " " . w . " ") > 0
add(list, w) = strlen(list) ? list . " " . w : w

_base(s) = strstrt(s, "/") ? _base(s[strstrt(s, "/") + 1:]) : s
summary = data . "/" . _base(data) . ".summary.csv"

# The allocators the summary has data for (a row with n > 0), in the book's order: the
# standard five, then any other (e.g. an ad-hoc NAME=PATH); the floor and glibc-arena1
# are drawn by the chapters that have them. MISSING: those it lists without any data (not
# installed on the machine that ran it), said on the figure. A figure draws whatever
# subset ran. Names reach gnuplot commands (eval): anything but [a-z0-9_-] is refused.
_ok(s) = strlen(s) == 0 || strstrt("abcdefghijklmnopqrstuvwxyz0123456789_-", s[1:1]) > 0 && _ok(s[2:])
_SEEN = ""; _DATA = ""
_see(a, n) = (has(_SEEN, a) ? 0 : (_SEEN = add(_SEEN, a)), n > 0 && !has(_DATA, a) ? (_DATA = add(_DATA, a)) : 0, 0)
stats summary using (_see(strcol("allocator"), column("n"))) nooutput
do for [a in _SEEN] { if (!_ok(a)) { print sprintf("lab.gp: %s: allocator name '%s' is not [a-z0-9_-]+", summary, a); exit status 1 } }
ALLOCATORS = ""
do for [a in STANDARD] { if (has(_DATA, a)) { ALLOCATORS = add(ALLOCATORS, a) } }
do for [a in _DATA] { if (!has(STANDARD . " floor glibc-arena1", a)) { ALLOCATORS = add(ALLOCATORS, a) } }
MISSING = ""
do for [a in _SEEN] { if (!has(_DATA, a)) { MISSING = add(MISSING, a) } }
if (strlen(MISSING) > 0) { set label 99 "not installed on this machine: " . MISSING at screen 0.01, screen 0.02 tc rgb "#aa0000" noenhanced }

# A tic step for an axis of length `range` with at most n steps: 1, 2, 5 or 10 times a power
# of ten (gnuplot's own choice ignores the text's size: a narrow panel's labels run together).
# Use:  set xtics nicestep(XMAX - XMIN, 4)
_pow10(r, n) = 10.0 ** floor(log10(r * 1.0 / n))   # (real arithmetic: 1 / 4 and 10 ** -1 are integer 0)
_step(range, n, p) = range * 1.0 / p <= n ? p : range / (2 * p) <= n ? 2 * p : range / (5 * p) <= n ? 5 * p : 10 * p
nicestep(range, n) = range <= 0 ? 1 : _step(range, n, _pow10(range, n))

# The data set of figdata named "[s]" (summarize select --blocks, --tag).
ds(s) = "[" . s . "]"

# One legend for all panels of a multiplot: coloured labels across the top or the bottom,
# at height y (screen fraction), spaced by the longest name at the base size (a character
# is about 0.6 FONT wide). Use:  eval legend(ALLOCATORS . " floor", 0.925)
_longest(list, i) = i > words(list) ? 0 : (strlen(word(list, i)) > _longest(list, i + 1) ? strlen(word(list, i)) : _longest(list, i + 1))
legend_step(list) = (_longest(list, 1) + 3.5) * 0.6 * FONT / W
legend(list, y) = sprintf('do for [i = 1:words("%s")] { set label 100 + i "━ " . word("%s", i) at screen 0.5 + (i - (words("%s") + 1) / 2.0) * %g, screen %g center tc rgb hex(word("%s", i)) noenhanced }', list, list, list, legend_step(list), y, list)

# A panel with nothing to draw: its title and a note in place of gnuplot's error ("all
# points undefined", "x range is invalid"). Count the rows of a panel's data set first
# (N: those where column COL has a value), then, e.g.:
#     SET = ds("futex_per_mop " . w); COL = "median"; eval COUNT
#     if (N == 0) { eval nodata("no data: perf not available"); continue }
# (nodata resets the tics to the default: a script with its own sets them again.)
COUNT = 'N = 0; stats figdata index SET using (column(COL) == column(COL) ? N = N + 1 : 0) nooutput'
nodata(note) = sprintf('set label 98 "%s" at graph 0.5, graph 0.5 center tc rgb "#aa0000" noenhanced; unset xtics; unset ytics; plot [0:1][1:2] NaN; set xtics nomirror; set ytics nomirror; unset label 98', note)
