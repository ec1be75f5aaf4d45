# common/lab.gp -- what every figure shares: terminal, colours, data selection.
# A chapter's script is called as  gnuplot -e "data='DIR'; out='FILE.svg'" NAME.gp
# and starts with  load 'common/lab.gp'  (after setting W and H, the size in pixels, if
# the default does not suit).
if (!exists("W")) W = 960
if (!exists("H")) H = 420
set terminal svg size W, H dynamic font "sans,13" background rgb "white"
set output out
set datafile separator ","
set datafile columnheaders
set datafile missing ""
set border 3 lc rgb "#555555"
set tics nomirror textcolor rgb "#333333"
set grid ytics lc rgb "#dddddd" lt 1
set key noautotitle

# One colour per allocator, the same in every figure of the book.
ALLOCATORS = "glibc jemalloc tcmalloc mimalloc tbbmalloc"
color(a) = a eq "glibc" ? 0x1f77b4 : a eq "jemalloc" ? 0xd62728 : a eq "tcmalloc" ? 0x2ca02c : \
           a eq "mimalloc" ? 0x9467bd : a eq "tbbmalloc" ? 0xff7f0e : a eq "floor" ? 0x777777 : \
           a eq "glibc-arena1" ? 0x17becf : 0x000000
hex(a) = sprintf("#%06x", color(a))
# Position of word w in a space-separated list (NaN if absent).
_idx(list, w, i) = i > words(list) ? NaN : word(list, i) eq w ? i : _idx(list, w, i + 1)
idx(list, w) = _idx(list, w, 1)

# The rows of a summary CSV with metric m ("" for any) and the header, as a gnuplot data
# source; `where` is an awk condition on named fields, e.g. 'f["workload"]=="small"'.
summary = data . "/" . system("basename " . data) . ".summary.csv"
rows(m, where) = sprintf("< awk -F, -v m='%s' 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; print; next } { for (i = 1; i <= NF; i++) f[h[i]] = $i } (m == \"\" || f[\"metric\"] == m) && (%s)' %s", m, where, summary)
is(col, v) = sprintf('f["%s"]=="%s"', col, v)

# One legend for all panels of a multiplot: coloured labels across the top, at height y
# (screen fraction). Use:  eval legend(ALLOCATORS . " floor", 0.925)
legend(list, y) = sprintf('do for [i = 1:words("%s")] { set label 100 + i "━ " . word("%s", i) at screen 0.5 + (i - (words("%s") + 1) / 2.0) * 0.09, screen %g center tc rgb hex(word("%s", i)) }', list, list, list, y, list)

# Allocators with no data (not installed on the machine that ran it), said on the figure.
# (An allocator is missing when none of its rows has data: a metric that is empty in some
# workloads, e.g. one that only one workload measures, does not make it missing.)
MISSING = system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } !($1 in seen) { seen[$1] = ++n; name[n] = $1 } $h[\"n\"] > 0 { has[$1] = 1 } END { for (i = 1; i <= n; i++) if (!has[name[i]]) printf \"%%s \", name[i] }' %s", summary))
if (strlen(MISSING) > 0) { set label 99 "not installed on this machine: " . MISSING at screen 0.01, screen 0.02 tc rgb "#aa0000" }

# The rows of any CSV (e.g. a chapter's time series or run CSV) that satisfy `where`, an
# awk condition on named fields as for rows(); the header is kept.
select(file, where) = sprintf("< awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; print; next } { for (i = 1; i <= NF; i++) f[h[i]] = $i } (%s)' %s", where, file)
