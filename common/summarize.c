/* summarize.c -- the statistics of repeated runs, markdown tables of them, and the rows
 * figures draw: every statistic of the notebook is computed here.
 *
 * Question: what did each allocator do, how sure are we of it, and how does it compare
 * with the baseline (glibc)?
 *
 * Summary (the default mode): one row per group x metric, from tidy run CSVs.
 *   summarize [--by COLS] [--baseline NAME|COL=VAL] [--boot N] [--seed N] [--where COND,...]
 *             IN.csv... > OUT.summary.csv
 *   header: <by cols...>,metric,n,n_failed,median,min,max,mean,sd,cv,ci_lo,ci_hi,
 *           ratio,ratio_lo,ratio_hi,status
 * Groups are the distinct values of the --by columns (default allocator,workload,threads),
 * in order of first appearance. A metric is every other column but rep and status; a
 * column that holds only text (or nothing) is not summarized. A field of a metric is a
 * finite decimal number (12, -1.5e3), "nan" (a run whose measurement failed) or empty (not
 * measured); anything else (text among numbers, inf, 1e400, 0x10) is an error. n counts
 * the numbers of rows with status "ok"; n_failed the rows whose status is not ok, or whose
 * field is nan. status says "ok", or e.g. "3 ok; 2 malloc_null" (ok first, the rest by
 * name; ";" because a field may not hold a comma). A group with no ok row still gets its
 * rows, with n=0, so a missing allocator shows in every table. --where summarizes only the
 * rows that pass (a COND as for select, below).
 *
 * Table: a markdown pipe table of one metric of a summary.
 *   summarize table SUMMARY.csv --metric M --rows COL --cols COL [--cell median|ci|ratio|cv|width]
 *       [--scale X] [--digits N] [--where C=V,...] [--omit C=V,...] [--resolution METRIC]
 *       [--corner TEXT]
 * --cell: the median, the median with its 95% interval (ci), the ratio to the baseline with
 * its interval, the CV, or the interval's wider side in % of the median (width, e.g. ±12%).
 * Several metrics as columns: --metric M1,M2,... --cols metric [--labels 'HEAD|HEAD']
 * [--digits N1,N2,...] [--cell C1,C2,...] [--scale X1,X2,...] (one for every column, or
 * one per metric: e.g. counts, then milliseconds with --scale 1000, then a ratio; an
 * entry may repeat, with another --cell). An entry M@COL=VAL takes metric M from the rows
 * whose COL is VAL only: a summary by allocator,tool gives one table row per allocator,
 * each column from the tool that measured it (the others' rows of that metric are not
 * measured).
 *
 * Select: the rows a figure draws, chosen and arranged by name (gnuplot reads no column by
 * position and computes nothing but positions and units).
 *   summarize select IN.csv... [--where COND,...] [--sort COL] [--blocks COLS] [--tag NAME]
 *       [--key COLS --wide COL[=V|V...] --values COLS [--gap COL]]
 * COND is COL=V[|V...] (one of the values), COL!=V[|V...] (none of them), COL>NUM or
 * COL<NUM (a number, so an empty field fails). The rows that pass every COND are written
 * with every column, in input order, or stably sorted by the number in --sort. --blocks:
 * a gnuplot data set per distinct value of COLS (in order of first appearance), each named
 * by a comment line "# [V1 V2]" (gnuplot: index "[V1 V2]"), with its own header, and ended
 * by two empty lines; --tag NAME prefixes the names ("# [NAME V1 V2]"), or alone names the
 * one data set. Long to wide, --wide: a row per distinct value of the --key columns, a
 * column "W_V" per value W of the --wide column (those of every data set, so each has all
 * the columns) and each --values column V; an empty cell where no row has them, an error
 * where two have. --wide COL=V|V...: those columns, in that order, whatever the rows hold
 * (a figure reads the columns it names; rows of other values are left out). --gap COL (the first key column): an empty row where its value changes,
 * a gap between a histogram's groups.
 *
 * Fidelity: does a program's replay rank the allocators as the program itself does?
 *   summarize fidelity REAL.summary.csv REPLAY.summary.csv > TABLE.md
 * From the medians of the two summaries (by allocator,workload; the floor and rows whose
 * status is not ok left out), a markdown row per program (the real summary's workloads):
 * the fastest allocator of the real run (elapsed_s) and of the replay (ns_per_op, call;
 * elapsed_s, wall); of the n pairs of allocators that have both figures, how many the
 * replay orders as the real run does ("k of n": time by call and by wall, and peak_rss_kib);
 * the smallest (peak_rss_kib) of each; and the worst error of the replay's prediction of an
 * allocator's change of peak RSS against glibc's, |(replay_a - replay_glibc) - (real_a -
 * real_glibc)|, in MiB and in % of that allocator's real peak (fmt_sig: 2 and 1 significant
 * digits). With two more summaries, of callgrind's counts of the real runs and of the
 * replays (common/wrap/callgrind's `ir`), two more columns: how many pairs the replay's
 * instructions order as the real run's do, and the worst error of the replay's prediction
 * of an allocator's change of instructions against glibc's, in millions and in % of that
 * allocator's real change. --changes (last) prints, instead, each allocator's changes
 * against glibc as CSV: workload, allocator, real_rss_change_kib, replay_rss_change_kib,
 * real_ir_change_per_event, replay_ir_change_per_event (per event of the replayed trace:
 * the replay counts' `ops`); empty where a figure is missing.
 *
 * Bridge: does a classic benchmark rank the allocators as our own workload does?
 *   summarize bridge SPEC.tsv --data DIR > TABLE.md
 * SPEC: a pair a line, tab-separated: a label, the classic's summary and workload, ours
 * (or a step towards ours) and workload, a note ("$DATA/" in a file name: DIR's). From
 * each summary the median ns_per_op (and its interval) per allocator (the floor left out)
 * at one thread count: the smallest both have, above 1 where both have one. A markdown row
 * per pair: the label, our workload and its chapter (the file's directory), the threads,
 * the allocators both have, fastest first, in each; Kendall's tau between the two orders;
 * how many pairs the two order oppositely with both sides' intervals apart (an interval of
 * fewer than three runs is never apart); the note.
 *
 * Machines: do several machines rank the allocators alike (the book's "Across machines")?
 *   summarize machines NAME=SUMMARY.csv NAME=SUMMARY.csv... > TABLE.md
 * Each NAME is a machine, its SUMMARY a summary of one chapter's run on it. From each, the
 * median ns_per_op (and its interval) per allocator, workload and thread count (the floor
 * left out; as for bridge, the first row of each). A markdown row per workload and thread
 * count (every machine's, in order of first appearance; threads ascending): each machine's
 * allocators, fastest first ("—" where it has none); then, for each pair of machines, over
 * the allocators both have, Kendall's tau between their two orders and how many pairs they
 * order oppositely with both machines' intervals apart (as bridge: an interval of fewer
 * than three runs is never apart).
 *
 * Counts: do deterministic counts rank the allocators as wall time does?
 *   summarize counts rows|fit COUNTS.summary.csv WALL.summary.csv > TABLE.md
 * From the medians of callgrind's counts per operation (ir_per_op, d1_misses_per_op,
 * ll_misses_per_op: common/wrap/callgrind) and of the wall-time run's ns_per_op, both by
 * allocator,workload,threads (the two files must have the same columns). A cost model, ns
 * per op = a Ir + b D1 + c LL, is fitted by least squares on relative errors over the
 * (allocator, workload) pairs whose wall-time run took fewer than one page fault per 1000
 * operations (minor_faults / ops: the counts cannot see what a fault costs), the floor left
 * out (it never reuses memory: its time goes to TLB misses on fresh pages, which valgrind
 * does not simulate). rows: a markdown row per workload and allocator: the counts minus
 * the floor's (the allocator's own; the floor's row is its total), page faults per
 * operation, the wall time and the model's estimate (‡: a row the model was not fitted
 * on). fit: per
 * workload, Kendall's tau between the allocators' order (floor left out) by the model and
 * by wall time, and by instructions alone and by wall time; then the coefficients.
 *
 * The statistics, and why:
 *   median    the centre. Run times are skewed (a run can only be slowed: interrupts, page
 *             faults, a noisy neighbour) and the median ignores the one slow run that drags
 *             the mean. Even n: the mean of the two middle values.
 *   min, max  the spread as observed, with no model behind it.
 *   mean, sd  sd is the sample standard deviation (n-1); both serve cv = sd / mean, the
 *             run-to-run noise as a fraction (tables flag cv above 5%).
 *   ci        95% percentile bootstrap of the median: with 5-10 runs of unknown
 *             distribution, draw n runs with replacement B times (--boot, default 2000) and
 *             take the quantiles of the B medians, sorted m[0..B-1]: m[floor(0.025 B)] and
 *             m[ceil(0.975 B) - 1].
 *   ratio     median / the median of the baseline allocator's group with the same other
 *             by-values. --baseline COL=VAL takes the baseline along another by-column
 *             instead: threads=1 gives each group's speedup over the same allocator's
 *             one-thread figure; a bare NAME means allocator=NAME. Its CI
 *             resamples both samples independently B times and takes the same quantiles
 *             of the ratios of medians: the ratio carries its own uncertainty. The CI is
 *             empty when a resampled baseline median is 0.
 * Every bootstrap uses lab.h's xoshiro256** seeded from --seed (default 1) and a hash of
 * the group and metric: the same input gives the same output, and a group's CI does not
 * change when another group is added to the input.
 *
 * Cost: the bootstrap is nearly all of it, B (1 + 2) n random draws per group and metric.
 * A resample's median is found by counting draws, not by sorting them; a sample of equal
 * values needs no draws; groups are spread over the CPUs. Groups are found by a hash of
 * their by-values. The input is kept as numbers, a column at a time: about 8 bytes per
 * field of a metric, and 8 per row.
 *
 * Errors: one line on stderr, "summarize: error: ...", naming the file, line and what is
 * allowed; exit 2. Output is built in memory and printed only once complete.
 */
#include "lab.h"

static const char usage[] =
    "usage: summarize [--by COLS] [--baseline NAME|COL=VAL] [--boot N] [--seed N]\n"
    "                 [--where COND,...] IN.csv...\n"
    "       summarize table SUMMARY.csv --metric M[@COL=VAL][,...] --rows COL[,COL...] --cols COL|metric\n"
    "                 [--cell median|ci|ratio|cv|width[,...]] [--scale X[,X...]] [--digits N[,N...]]\n"
    "                 [--where COL=VAL,...] [--omit COL=VAL,...] [--resolution METRIC]\n"
    "                 [--corner TEXT] [--labels 'HEAD|HEAD|...']\n"
    "       summarize format [--digits N] [--scale X] < NUMBERS\n"
    "       summarize select IN.csv... [--where COND,...] [--sort COL] [--blocks COLS]\n"
    "                 [--tag NAME] [--key COLS --wide COL[=V|V...] --values COLS [--gap COL]]\n"
    "       summarize fidelity REAL.summary.csv REPLAY.summary.csv [REAL_COUNTS.summary.csv REPLAY_COUNTS.summary.csv] [--changes]\n"
    "       summarize counts rows|fit COUNTS.summary.csv WALL.summary.csv\n"
    "       summarize bridge SPEC.tsv --data DIR\n"
    "       summarize machines NAME=SUMMARY.csv NAME=SUMMARY.csv...\n"
    "  COND: COL=VAL[|VAL...], COL!=VAL[|VAL...], COL>NUM or COL<NUM\n";

// ---------------------------------------------------------------------------
// memory, options, output
// ---------------------------------------------------------------------------

static void *xrealloc(void *p, size_t n)
{
    if (!(p = realloc(p, n ? n : 1)))
        lab_die_code(1, "out of memory");
    return p;
}

static char *xstrdup(const char *s) { return strcpy(xrealloc(NULL, strlen(s) + 1), s); }

#define GROW(a, n, cap)                                                                   \
    do {                                                                                  \
        if ((n) == (cap))                                                                 \
            (a) = xrealloc((a), ((cap) = (cap) ? 2 * (cap) : 16) * sizeof *(a));          \
    } while (0)

typedef struct {
    const char *name, **val;  // "--name VALUE" sets *val
    bool seen;
} opt_t;

// Sets the options in the table; the other arguments go to pos. Returns their count.
static int parse_opts(int argc, char **argv, opt_t *opts, const char **pos)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        opt_t *o = opts;
        while (o->name && strcmp(o->name, argv[i]) != 0)
            o++;
        if (o->name && i + 1 >= argc)
            lab_die("option %s needs a value", argv[i]);
        if (o->name && o->seen)
            lab_die("option %s given twice: give it once (a list takes commas)", argv[i]);
        if (o->name) {
            *o->val = argv[++i];
            o->seen = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            char list[256] = "";
            for (o = opts; o->name; o++)
                snprintf(list + strlen(list), sizeof list - strlen(list), " %s", o->name);
            lab_die("unknown option '%s': expected one of%s", argv[i], list);
        } else {
            pos[n++] = argv[i];
        }
    }
    return n;
}

// Everything is printed into memory first, then written out in one go.
static char *out_buf;
static size_t out_len;

static void out_flush(FILE *o)
{
    fclose(o);
    fwrite(out_buf, 1, out_len, stdout);
    free(out_buf);
    if (fflush(stdout) || ferror(stdout))
        lab_die_code(1, "cannot write the output: %s", strerror(errno));
}

// The book's one number format (its tables, and its prose through `summarize format`):
// digits significant digits in fixed notation, never scientific; an integer wider than
// digits is kept whole (12345, 3.14, 0.0123, 9.996 -> 10.0); "—" when not finite. buf
// holds NUM_LEN bytes: the widest double printed whole.
#define NUM_LEN 320
static char *fmt_sig(char *buf, double v, int digits)
{
    char e[64];
    if (!isfinite(v))
        return strcpy(buf, "—");
    if (v == 0)  // no "-0"
        return strcpy(buf, "0");
    snprintf(e, sizeof e, "%.*e", digits - 1, v);  // its exponent is the one after rounding
    int dec = digits - 1 - atoi(strchr(e, 'e') + 1);
    snprintf(buf, NUM_LEN, "%.*f", dec < 0 ? 0 : dec, v);
    return buf;
}

static void put(FILE *o, double v)  // ",value", or "," for no value
{
    fputc(',', o);
    if (!isnan(v))
        fprintf(o, "%.6g", v);
}

// ---------------------------------------------------------------------------
// csv input: a header and rows of fields; no quoting, an empty field is no value
// ---------------------------------------------------------------------------

static struct {
    char **col;  // header, from the first file
    size_t ncol;
    const char *file0;
    void (*then)(void);  // called once the first header is known
} hdr;

// Splits s at its commas, in place, into *f (grown as needed); returns the field count.
static size_t split(char *s, char ***f, size_t *cap)
{
    size_t n = 0;
    for (;;) {
        GROW(*f, n, *cap);
        (*f)[n++] = s;
        if (!(s = strchr(s, ',')))
            return n;
        *s++ = 0;
    }
}

static int col_index(const char *name)
{
    for (size_t i = 0; i < hdr.ncol; i++)
        if (strcmp(hdr.col[i], name) == 0)
            return (int)i;
    return -1;
}

static void set_header(const char *path, char **f, size_t n)
{
    bool same = n == hdr.ncol;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(f[i], hdr.col[i]) == 0;
    if (hdr.col && !same)
        lab_die("%s:1: header differs from the header of %s: inputs must have the same columns",
                path, hdr.file0);
    for (size_t i = 0; i < n && !hdr.col; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(f[i], f[j]) == 0)
                lab_die("%s:1: column '%s' appears twice", path, f[i]);
    if (hdr.col)
        return;
    hdr.col = xrealloc(NULL, n * sizeof *hdr.col);
    for (size_t i = 0; i < n; i++)
        hdr.col[i] = xstrdup(f[i]);
    hdr.ncol = n, hdr.file0 = path;
    if (hdr.then)
        hdr.then();
}

// Reads one file: checks its header, then hands each row's hdr.ncol fields to row().
// Blank lines are skipped, and a UTF-8 byte-order mark before the header is not part of it.
static void csv_read(const char *path, void (*row)(const char *path, int line, char **f))
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        lab_die("cannot read %s: %s", path, strerror(errno));
    char *line = NULL, **f = NULL;
    size_t cap = 0, fcap = 0, len;
    bool header = true;
    for (int lineno = 1; getline(&line, &cap, fp) >= 0; lineno++) {
        char *s = line + (lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0 ? 3 : 0);
        for (len = strlen(s); len && (s[len - 1] == '\n' || s[len - 1] == '\r');)
            s[--len] = 0;
        if (!len)
            continue;
        size_t n = split(s, &f, &fcap);
        if (header)
            set_header(path, f, n);
        else if (n != hdr.ncol)
            lab_die("%s:%d: %zu fields, header has %zu", path, lineno, n, hdr.ncol);
        else
            row(path, lineno, f);
        header = false;
    }
    if (ferror(fp))
        lab_die("cannot read %s: %s", path, strerror(errno));
    fclose(fp);
    free(line);
    free(f);
    if (header)
        lab_die("%s is empty: expected a header row", path);
}

// What a field holds. A measurement is a finite decimal number; "nan" (any case, any sign,
// as printf writes it) is a run whose measurement failed; empty is not measured. A field
// strtod would read some other way (inf, 1e400, 0x10, " 5") is no measurement either.
enum { V_NUM, V_EMPTY, V_NAN, V_TEXT, V_BAD };

static int field_kind(const char *s, double *v)
{
    static const char digit[] = "0123456789";
    if (!*s)
        return V_EMPTY;
    const char *p = s + (*s == '-' || *s == '+');
    if (strcasecmp(p, "nan") == 0)
        return *v = NAN, V_NAN;
    size_t whole = strspn(p, digit), frac = p[whole] == '.' ? strspn(p + whole + 1, digit) : 0;
    const char *e = p + whole + (p[whole] == '.') + frac;  // after the mantissa
    bool decimal = whole + frac > 0;
    if (decimal && (*e == 'e' || *e == 'E')) {
        e += 1 + (e[1] == '-' || e[1] == '+');
        decimal = isdigit((unsigned char)*e);
        e += strspn(e, digit);
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (decimal && !*e && !errno)
        return V_NUM;
    return *end || end == s ? V_TEXT : V_BAD;  // V_BAD: strtod reads it all, as no decimal
}

#define BAD_FIELD                                                                        \
    "%s:%d: column '%s': '%s' is not a finite decimal number; allowed: a number like 12 or "  \
    "1.5e3, nan (a failed run), or an empty field (not measured)"

// ---------------------------------------------------------------------------
// row filters (--where of the summary and select modes)
// ---------------------------------------------------------------------------

typedef struct {
    int col;      // -1 ends the list
    char op;      // '=' one of vals, '!' none of vals, '>' or '<' than num
    char **vals;  // NULL-ended
    double num;
} filter_t;

static const char *opt_where;
static filter_t *filters;

static char **value_list(char *s)  // "a|b|c" -> {a, b, c, NULL}, in place
{
    char **v = NULL;
    size_t n = 0, cap = 0;
    for (;; s++) {
        GROW(v, n, cap);
        v[n++] = s;
        if (!(s = strchr(s, '|')))
            break;
        *s = 0;
    }
    GROW(v, n, cap);
    v[n] = NULL;
    return v;
}

// Parses --where, "COL=V|V,COL!=V,COL>NUM,COL<NUM", once the header is known.
static void parse_where(void)
{
    char **f = NULL, *copy = opt_where ? xstrdup(opt_where) : NULL;
    size_t cap = 0, n = copy ? split(copy, &f, &cap) : 0;
    filters = xrealloc(NULL, (n + 1) * sizeof *filters);
    for (size_t i = 0; i < n; i++) {
        filter_t *w = &filters[i];
        char *op = f[i] + strcspn(f[i], "=!<>");
        w->op = *op == '!' ? '!' : *op;
        if (op == f[i] || !*op || (*op == '!' && op[1] != '='))
            lab_die("--where '%s' is not allowed: expected COL=VAL[|VAL...], COL!=VAL[|VAL...], "
                    "COL>NUM or COL<NUM, joined by commas", f[i]);
        *op = 0;
        char *v = op + 1 + (w->op == '!');
        if ((w->col = col_index(f[i])) < 0)
            lab_die("--where column '%s' is not in the header of %s", f[i], hdr.file0);
        if ((w->op == '>' || w->op == '<') && field_kind(v, &w->num) != V_NUM)
            lab_die("--where %s%c'%s': expected a number after %c", f[i], w->op, v, w->op);
        w->vals = w->op == '>' || w->op == '<' ? NULL : value_list(xstrdup(v));
    }
    filters[n].col = -1;
    free(f);
    free(copy);
}

static bool passes(char *const *f)
{
    for (const filter_t *w = filters; w && w->col >= 0; w++) {
        double v;
        if (w->op == '>' || w->op == '<') {
            if (field_kind(f[w->col], &v) != V_NUM || !(w->op == '>' ? v > w->num : v < w->num))
                return false;
            continue;
        }
        bool in = false;
        for (char **s = w->vals; *s && !in; s++)
            in = strcmp(f[w->col], *s) == 0;
        if (in != (w->op == '='))
            return false;
    }
    return true;
}

// ---------------------------------------------------------------------------
// statistics
// ---------------------------------------------------------------------------

typedef struct {
    size_t n, n_failed;  // values counted; runs that failed (status not ok, or nan)
    double median, min, max, mean, sd, cv, ci_lo, ci_hi, ratio, ratio_lo, ratio_hi;
} stats_t;

static size_t opt_boot;
static uint64_t opt_seed;

// The median of a resample (n draws with replacement) of the n sorted values v. It makes
// the same draws as sorting the resample would and gives the same value, but counts how
// often each value is drawn: O(n) instead of O(n log n), which was nearly all of the time.
static double resampled_median(lab_rng_t *r, const double *v, size_t n, uint32_t *count)
{
    lab_rng_t rng = *r;  // a copy the compiler can keep in registers
    memset(count, 0, n * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[lab_rng_below(&rng, n)]++;
    *r = rng;
    size_t lo = (n - 1) / 2, hi = n / 2, seen = 0, j = 0;  // the middle ranks (equal if n is odd)
    while ((seen += count[j]) <= lo)
        j++;
    double a = v[j];
    while (seen <= hi)
        seen += count[++j];
    return n % 2 ? a : (a + v[j]) / 2;
}

// The k-th smallest of the n values in v (reorders them): Hoare's selection, O(n).
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double p = v[lo + (hi - lo) / 2], t;
        size_t i = lo, j = hi;
        for (;;) {  // v[lo..i) <= p <= v(j..hi] when they meet
            while (v[i] < p)
                i++;
            while (v[j] > p)
                j--;
            if (i >= j)
                break;
            t = v[i], v[i++] = v[j], v[j--] = t;
        }
        if (k <= j)
            hi = j;
        else
            lo = j + 1;
    }
    return v[k];
}

// Bootstrap 95% CI of median(a) / median(b), or of median(a) alone when b is NULL; a and b
// are sorted.
static void bootstrap(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
                      double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (a[0] == a[na - 1] && (!b || b[0] == b[nb - 1])) {  // every resample is the sample:
        double ma = na % 2 ? a[0] : (a[0] + a[0]) / 2;     // its median, computed as
        double mb = !b ? 1 : nb % 2 ? b[0] : (b[0] + b[0]) / 2;  // resampled_median does
        if (mb != 0)
            *lo = *hi = ma / mb;
        return;
    }
    lab_rng_t r;
    lab_rng_seed(&r, seed);
    size_t B = opt_boot, i;
    double *m = xrealloc(NULL, B * sizeof *m);
    uint32_t *count = xrealloc(NULL, (na > nb ? na : nb) * sizeof *count);
    for (i = 0; i < B; i++) {
        m[i] = resampled_median(&r, a, na, count);
        double mb = b ? resampled_median(&r, b, nb, count) : 1;
        if (mb == 0)
            break;  // a ratio with no value: no CI
        m[i] /= mb;
    }
    if (i == B) {  // the 2.5% and 97.5% quantiles of the sorted m: floor(0.025 B), ceil(0.975 B) - 1
        *lo = select_kth(m, B, B * 25 / 1000);
        *hi = select_kth(m, B, (B * 975 + 999) / 1000 - 1);
    }
    free(m);
    free(count);
}

// Everything but the ratio, of the s->n values in v (sorted here).
static void stats(stats_t *s, double *v, uint64_t seed)
{
    size_t n = s->n;
    if (!n)
        return;
    s->median = lab_median(v, n);
    s->min = v[0], s->max = v[n - 1];
    double sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    s->mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - s->mean) * (v[i] - s->mean);
    if (n >= 2) {
        s->sd = sqrt(ss / (double)(n - 1));
        s->cv = s->mean != 0 ? s->sd / s->mean : NAN;
    }
    bootstrap(v, n, NULL, 0, seed, &s->ci_lo, &s->ci_hi);
}

static void ratio(stats_t *s, const double *v, const stats_t *base, const double *bv, uint64_t seed)
{
    if (!s->n || !base->n || base->median == 0)
        return;
    s->ratio = s->median / base->median;
    bootstrap(v, s->n, bv, base->n, seed, &s->ratio_lo, &s->ratio_hi);
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    do
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    while (*s++);  // the terminating 0 too: it separates strings
    return h;
}

// ---------------------------------------------------------------------------
// distinct strings, numbered in order of first appearance (a hash table)
// ---------------------------------------------------------------------------

typedef struct {
    char **s;        // s[id]
    size_t n, cap;
    uint32_t *slot;  // id + 1, or 0 for a free slot; nslot is a power of 2, at most half full
    size_t nslot;
} strings_t;

static uint32_t *find_slot(const strings_t *t, const char *s)
{
    size_t i = fnv1a(0xcbf29ce484222325ull, s) & (t->nslot - 1);
    while (t->slot[i] && strcmp(t->s[t->slot[i] - 1], s) != 0)
        i = (i + 1) & (t->nslot - 1);
    return &t->slot[i];
}

// The id of s, or -1 when it is not there.
static long find_string(const strings_t *t, const char *s)
{
    uint32_t *p = t->nslot ? find_slot(t, s) : NULL;
    return p && *p ? (long)*p - 1 : -1;
}

// The id of s, added (copied) when new.
static uint32_t intern(strings_t *t, const char *s)
{
    if (2 * (t->n + 1) > t->nslot) {  // rehash into twice the slots
        free(t->slot);
        t->nslot = t->nslot ? 2 * t->nslot : 64;
        t->slot = xrealloc(NULL, t->nslot * sizeof *t->slot);
        memset(t->slot, 0, t->nslot * sizeof *t->slot);
        for (size_t id = 0; id < t->n; id++)
            *find_slot(t, t->s[id]) = (uint32_t)id + 1;
    }
    uint32_t *p = find_slot(t, s);
    if (!*p) {
        if (t->n == UINT32_MAX - 1)
            lab_die_code(1, "more than %u distinct values", UINT32_MAX - 1);
        GROW(t->s, t->n, t->cap);
        t->s[t->n] = xstrdup(s);
        *p = (uint32_t)++t->n;
    }
    return *p - 1;
}

// ---------------------------------------------------------------------------
// summary mode
// ---------------------------------------------------------------------------

static int *by, nby;       // the --by columns
static int sc;             // the status column, or -1
static int *cand, ncand;   // every other column but rep: a metric unless it holds text
static struct {            // per candidate
    bool num;              // it holds a number (or nan)
    char *text;            // the error for the first text it holds, or NULL
} *seen;
static strings_t keys, status;  // the groups' by-values ("v1,v2,..."); the status values

// The rows as read: each one's group, status and candidates' values (INFINITY for an empty
// field: no measurement is infinite).
static struct {
    uint32_t *grp, *st;
    double **col;  // col[c][row]: a column each, so that each can be freed once gathered
    size_t n, cap;
} rows;

// The by-values of a row, f[at[k]] (f[k] if at is NULL), joined by commas (they hold none),
// in a buffer reused.
static const char *key_of(char *const *f, const int *at)
{
    static char *key;
    static size_t cap;
    size_t len = 0;
    for (int k = 0; k < nby; k++) {
        const char *v = f[at ? at[k] : k];
        size_t l = strlen(v);
        if (len + l + 1 > cap)
            key = xrealloc(key, cap = 2 * (len + l + 1));
        memcpy(key + len, v, l);
        len += l;
        key[len++] = ',';
    }
    key[len - 1] = 0;
    return key;
}

// A column of numbers must hold nothing else, and text is not summarized: a column that
// holds both is an error that names the text's place.
static void add_row(const char *path, int line, char **f)
{
    if (!passes(f))  // --where: not part of this summary
        return;
    if (rows.n == rows.cap) {
        rows.cap = rows.cap ? 2 * rows.cap : 1024;
        rows.grp = xrealloc(rows.grp, rows.cap * sizeof *rows.grp);
        rows.st = xrealloc(rows.st, rows.cap * sizeof *rows.st);
        for (int c = 0; c < ncand; c++)
            rows.col[c] = xrealloc(rows.col[c], rows.cap * sizeof **rows.col);
    }
    rows.grp[rows.n] = intern(&keys, key_of(f, by));
    rows.st[rows.n] = intern(&status, sc < 0 ? "ok" : f[sc]);
    for (int c = 0; c < ncand; c++) {
        const char *s = f[cand[c]];
        double *v = &rows.col[c][rows.n];
        int kind = field_kind(s, v);
        if (kind == V_EMPTY)
            *v = INFINITY;
        if (kind == V_BAD || (kind == V_TEXT && seen[c].num))
            lab_die(BAD_FIELD, path, line, hdr.col[cand[c]], s);
        if (kind == V_TEXT && !seen[c].text &&
            asprintf(&seen[c].text, BAD_FIELD, path, line, hdr.col[cand[c]], s) < 0)
            lab_die_code(1, "out of memory");
        if ((kind == V_NUM || kind == V_NAN) && seen[c].text)
            lab_die("%s", seen[c].text);
        seen[c].num |= kind == V_NUM || kind == V_NAN;
    }
    rows.n++;
}

static const char *opt_by;

static void find_columns(void)
{
    char *list = xstrdup(opt_by), **f = NULL;
    size_t cap = 0;
    nby = (int)split(list, &f, &cap);
    by = xrealloc(NULL, (size_t)nby * sizeof *by);
    for (int k = 0; k < nby; k++) {
        if ((by[k] = col_index(f[k])) < 0)
            lab_die("--by column '%s' is not in the header of %s", f[k], hdr.file0);
        for (int j = 0; j < k; j++)
            if (by[j] == by[k])
                lab_die("--by column '%s' is given twice", f[k]);
    }
    free(f);
    free(list);
    parse_where();
    sc = col_index("status");
    cand = xrealloc(NULL, hdr.ncol * sizeof *cand);
    for (int c = 0; c < (int)hdr.ncol; c++) {
        bool is_by = false;
        for (int k = 0; k < nby; k++)
            is_by |= by[k] == c;
        if (!is_by && c != sc && strcmp(hdr.col[c], "rep") != 0)
            cand[ncand++] = c;
    }
    seen = xrealloc(NULL, (size_t)ncand * sizeof *seen);
    memset(seen, 0, (size_t)ncand * sizeof *seen);
    rows.col = xrealloc(NULL, (size_t)ncand * sizeof *rows.col);
    memset(rows.col, 0, (size_t)ncand * sizeof *rows.col);
}

typedef struct {
    size_t first, n;  // its rows are rows first .. first + n - 1 of the grouped order
    long base;        // the baseline group, or -1
    uint64_t hash;    // of its by-values, for the bootstrap's seeds
    char *status;
} group_t;

static group_t *grp;
static size_t ngrp;
static int *metric, nmetric;  // the candidates that hold no text
static double **val;          // val[m]: metric m's counted values, group by group
static stats_t *st;           // st[g * nmetric + m]

// Each group's first row in the grouped order, and the hash of its by-values.
static void make_groups(void)
{
    ngrp = keys.n;
    grp = xrealloc(NULL, ngrp * sizeof *grp);
    memset(grp, 0, ngrp * sizeof *grp);
    for (size_t i = 0; i < rows.n; i++)
        grp[rows.grp[i]].n++;
    for (size_t g = 0, first = 0; g < ngrp; first += grp[g++].n) {
        grp[g].first = first, grp[g].base = -1;
        uint64_t h = 0xcbf29ce484222325ull;
        for (char *k = keys.s[g], *comma;; k = comma + 1) {  // the key's values, one by one
            if ((comma = strchr(k, ',')))
                *comma = 0;
            h = fnv1a(h, k);
            if (!comma)
                break;
            *comma = ',';
        }
        grp[g].hash = h;
    }
}

// baseline: "NAME" (allocator=NAME) or "COL=VAL", where COL must be a --by column. A
// group's baseline has the same by-values but COL's, which is VAL.
static void find_baselines(const char *baseline)
{
    const char *eq = strchr(baseline, '='), *bcol = "allocator", *bval = eq ? eq + 1 : baseline;
    char *col = eq ? strndup(baseline, (size_t)(eq - baseline)) : NULL;
    int alt = -1;  // its place among the by-values
    for (int k = 0; k < nby; k++)
        alt = strcmp(hdr.col[by[k]], col ? col : bcol) == 0 ? k : alt;
    if (col && alt < 0)
        lab_die("--baseline column '%s' is not a --by column", col);
    free(col);
    char *copy = NULL, **f = NULL;
    size_t cap = 0;
    for (size_t g = 0; g < ngrp && alt >= 0; g++) {
        free(copy);
        copy = xstrdup(keys.s[g]);
        split(copy, &f, &cap);
        f[alt] = (char *)bval;
        grp[g].base = find_string(&keys, key_of(f, NULL));
    }
    free(copy);
    free(f);
}

static int cmp_status(const void *a, const void *b)  // "ok" first, then by name
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int ox = strcmp(x, "ok") != 0, oy = strcmp(y, "ok") != 0;
    return ox != oy ? ox - oy : strcmp(x, y);
}

// "ok" if all n statuses are ok, else counts: "3 ok; 2 malloc_null".
static char *status_account(const uint32_t *ids, size_t n)
{
    const char **s = xrealloc(NULL, n * sizeof *s);
    size_t nok = 0, len;
    for (size_t i = 0; i < n; i++) {
        s[i] = *status.s[ids[i]] ? status.s[ids[i]] : "empty";
        nok += strcmp(s[i], "ok") == 0;
    }
    char *text;
    FILE *m = open_memstream(&text, &len);
    if (nok < n)
        qsort(s, n, sizeof *s, cmp_status);
    for (size_t i = 0, j; i < n && nok < n; i = j) {
        for (j = i; j < n && strcmp(s[j], s[i]) == 0; j++)
            ;
        fprintf(m, "%s%zu %s", i ? "; " : "", j - i, s[i]);
    }
    fputs(nok == n ? "ok" : "", m);
    fclose(m);
    free(s);
    return text;
}

// Sorts the rows into groups: each metric's counted values (of ok rows, not empty, not
// nan) go to val, the failed ones are counted, and each group's status is accounted.
static void gather(void)
{
    nmetric = 0;
    metric = xrealloc(NULL, (size_t)ncand * sizeof *metric);
    for (int c = 0; c < ncand; c++)
        if (!seen[c].text)
            metric[nmetric++] = c;  // an index into the candidates
    if (!nmetric)
        lab_die("%s has no numeric column to summarize besides --by, rep and status", hdr.file0);
    size_t nm = (size_t)nmetric, *fill = xrealloc(NULL, ngrp * sizeof *fill);
    long ok = find_string(&status, "ok");
    uint32_t *ids = xrealloc(NULL, rows.n * sizeof *ids);  // the statuses, group by group
    for (size_t g = 0; g < ngrp; g++)
        fill[g] = grp[g].first;
    for (size_t r = 0; r < rows.n; r++)
        ids[fill[rows.grp[r]]++] = rows.st[r];
    for (size_t g = 0; g < ngrp; g++)
        grp[g].status = status_account(ids + grp[g].first, grp[g].n);
    free(ids);
    st = xrealloc(NULL, ngrp * nm * sizeof *st);
    for (size_t i = 0; i < ngrp * nm; i++)
        st[i] = (stats_t){ 0, 0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN };
    for (int c = 0; c < ncand; c++)
        if (seen[c].text)  // text, not kept
            free(rows.col[c]);
    val = xrealloc(NULL, nm * sizeof *val);
    for (size_t m = 0; m < nm; m++) {  // each column moves to val, group by group
        double *col = rows.col[metric[m]];
        val[m] = xrealloc(NULL, rows.n * sizeof **val);
        for (size_t r = 0; r < rows.n; r++) {
            size_t g = rows.grp[r];
            stats_t *s = &st[g * nm + m];
            if (rows.st[r] != ok || isnan(col[r]))
                s->n_failed++;
            else if (col[r] != INFINITY)
                val[m][grp[g].first + s->n++] = col[r];
        }
        free(col);
    }
    free(fill);
    free(rows.grp), free(rows.st), free(rows.col);
}

static uint64_t seed_of(size_t g, int m, const char *purpose)
{
    return opt_seed ^ fnv1a(fnv1a(grp[g].hash, hdr.col[cand[metric[m]]]), purpose);
}

static void group_stats(size_t g)  // every metric of group g but the ratio
{
    for (int m = 0; m < nmetric; m++)
        stats(&st[g * (size_t)nmetric + (size_t)m], val[m] + grp[g].first,
              seed_of(g, m, "median"));
}

static void group_ratios(size_t g)  // every metric of group g against its baseline's
{
    size_t b = (size_t)grp[g].base, nm = (size_t)nmetric;
    for (size_t m = 0; grp[g].base >= 0 && m < nm; m++)
        ratio(&st[g * nm + m], val[m] + grp[g].first, &st[b * nm + m], val[m] + grp[b].first,
              seed_of(g, (int)m, "ratio"));
}

// Runs fn(g) for every group on every CPU this process may use: each group's bootstrap has
// its own seed, so the output does not depend on which thread computes it.
static void (*par_fn)(size_t);
static size_t par_next;

static void *par_worker(void *arg)
{
    for (size_t g; (g = __atomic_fetch_add(&par_next, 1, __ATOMIC_RELAXED)) < ngrp;)
        par_fn(g);
    return arg;
}

static void for_each_group(void (*fn)(size_t))
{
    cpu_set_t cpus;
    size_t nt = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? (size_t)CPU_COUNT(&cpus) : 1, i;
    pthread_t t[64];
    nt = nt < 1 ? 1 : nt > 64 ? 64 : nt > ngrp ? ngrp : nt;
    par_fn = fn, par_next = 0;
    for (i = 1; i < nt && pthread_create(&t[i], NULL, par_worker, NULL) == 0; i++)
        ;
    par_worker(NULL);
    while (--i > 0)
        pthread_join(t[i], NULL);
}

static void print_summary(FILE *o)
{
    for (int k = 0; k < nby; k++)
        fprintf(o, "%s,", hdr.col[by[k]]);
    fprintf(o, "metric,n,n_failed,median,min,max,mean,sd,cv,ci_lo,ci_hi,ratio,ratio_lo,"
               "ratio_hi,status\n");
    const stats_t *s = st;
    for (size_t g = 0; g < ngrp; g++)
        for (int m = 0; m < nmetric; m++, s++) {
            fprintf(o, "%s,%s,%zu,%zu", keys.s[g], hdr.col[cand[metric[m]]], s->n, s->n_failed);
            put(o, s->median), put(o, s->min), put(o, s->max), put(o, s->mean);
            put(o, s->sd), put(o, s->cv), put(o, s->ci_lo), put(o, s->ci_hi);
            put(o, s->ratio), put(o, s->ratio_lo), put(o, s->ratio_hi);
            fprintf(o, ",%s\n", grp[g].status);
        }
}

static void summary_main(int argc, char **argv)
{
    const char *baseline = "glibc", *boot = "2000",
               *seed = "1", **files = xrealloc(NULL, (size_t)argc * sizeof *files);
    opt_by = "allocator,workload,threads";
    opt_t opts[] = { { "--by", &opt_by, 0 }, { "--baseline", &baseline, 0 },
                     { "--boot", &boot, 0 }, { "--seed", &seed, 0 },
                     { "--where", &opt_where, 0 }, { 0 } };
    int nfiles = parse_opts(argc, argv, opts, files);
    opt_boot = lab_opt_u64("--boot", boot, 100, 100000);
    opt_seed = lab_opt_u64("--seed", seed, 0, UINT64_MAX);
    if (!nfiles)
        lab_die("no input file: see summarize --help");
    hdr.then = find_columns;
    for (int i = 0; i < nfiles; i++)
        csv_read(files[i], add_row);
    free(files);
    make_groups();
    find_baselines(baseline);
    gather();
    for_each_group(group_stats);
    for_each_group(group_ratios);
    FILE *o = open_memstream(&out_buf, &out_len);
    print_summary(o);
    out_flush(o);
}

// ---------------------------------------------------------------------------
// select mode: the rows a figure draws, chosen and arranged by name
// ---------------------------------------------------------------------------

static struct {
    char ***row;    // the rows kept (copies), in input order, then sorted
    double *sortv;  // each one's --sort value
    size_t n, cap;
    int *blocks, nblocks, *key, nkey, *vals, nvals, wide, sort, gap;
    const char *o_blocks, *o_key, *o_vals, *o_wide, *o_sort, *o_gap, *tag;
    char **wide_vals;  // --wide COL=V|V...: the values, in order; NULL: those of the rows
} sl;

// "COL,COL" as column indices; each must be in the header, once.
static int *col_list(const char *opt, const char *s, int *n)
{
    char **f = NULL, *copy = xstrdup(s ? s : "");
    size_t cap = 0;
    *n = s ? (int)split(copy, &f, &cap) : 0;
    int *c = xrealloc(NULL, (size_t)*n * sizeof *c);
    for (int i = 0; i < *n; i++) {
        if ((c[i] = col_index(f[i])) < 0)
            lab_die("%s column '%s' is not in the header of %s", opt, f[i], hdr.file0);
        for (int j = 0; j < i; j++)
            if (c[j] == c[i])
                lab_die("%s column '%s' is given twice", opt, f[i]);
    }
    free(copy);
    free(f);
    return c;
}

static int one_col(const char *opt, const char *s)  // -1 when s is NULL
{
    int n = 0, *c = s ? col_list(opt, s, &n) : NULL, i = c && n == 1 ? c[0] : -1;
    free(c);
    if (s && n != 1)
        lab_die("%s takes one column, not '%s'", opt, s);
    return i;
}

static void select_columns(void)  // once the header is known
{
    parse_where();
    sl.blocks = col_list("--blocks", sl.o_blocks, &sl.nblocks);
    sl.key = col_list("--key", sl.o_key, &sl.nkey);
    sl.vals = col_list("--values", sl.o_vals, &sl.nvals);
    char *wide = sl.o_wide ? xstrdup(sl.o_wide) : NULL, *eq = wide ? strchr(wide, '=') : NULL;
    if (eq)  // (the copy stays: wide_vals point into it)
        *eq = 0, sl.wide_vals = value_list(eq + 1);
    sl.wide = one_col("--wide", wide);
    if (!eq)
        free(wide);
    sl.sort = one_col("--sort", sl.o_sort);
    sl.gap = one_col("--gap", sl.o_gap);
    if ((sl.o_wide || sl.o_key || sl.o_vals) && !(sl.o_wide && sl.o_key && sl.o_vals))
        lab_die("--wide, --key and --values go together: give all three");
    if (sl.gap >= 0 && (!sl.nkey || sl.key[0] != sl.gap))
        lab_die("--gap %s: expected the first --key column", sl.o_gap);
}

static void select_row(const char *path, int line, char **f)
{
    double v = 0;
    bool listed = !sl.wide_vals;
    for (char **w = sl.wide_vals; w && *w && !listed; w++)
        listed = strcmp(f[sl.wide], *w) == 0;
    if (!passes(f) || !listed)
        return;
    if (sl.sort >= 0 && field_kind(f[sl.sort], &v) != V_NUM)
        lab_die("%s:%d: --sort column '%s': '%s' is not a number", path, line,
                hdr.col[sl.sort], f[sl.sort]);
    if (sl.n == sl.cap)
        sl.sortv = xrealloc(sl.sortv, (sl.cap ? 2 * sl.cap : 16) * sizeof *sl.sortv);
    GROW(sl.row, sl.n, sl.cap);
    char **copy = xrealloc(NULL, hdr.ncol * sizeof *copy);
    for (size_t i = 0; i < hdr.ncol; i++)
        copy[i] = xstrdup(f[i]);
    sl.sortv[sl.n] = v;
    sl.row[sl.n++] = copy;
}

// A stable sort by --sort (insertion: a figure's rows are nearly in order already).
static void select_sort(void)
{
    for (size_t i = 1; sl.sort >= 0 && i < sl.n; i++)
        for (size_t j = i; j > 0 && sl.sortv[j - 1] > sl.sortv[j]; j--) {
            double v = sl.sortv[j];
            char **r = sl.row[j];
            sl.sortv[j] = sl.sortv[j - 1], sl.row[j] = sl.row[j - 1];
            sl.sortv[j - 1] = v, sl.row[j - 1] = r;
        }
}

// The values of columns c[0..n) of row f joined by sep, in a buffer reused.
static const char *joined(char *const *f, const int *c, int n, char sep)
{
    static char *buf;
    static size_t cap;
    size_t len = 0;
    for (int k = 0; k < n; k++) {
        size_t l = strlen(f[c[k]]);
        if (len + l + 2 > cap)
            buf = xrealloc(buf, cap = 2 * (len + l + 2));
        memcpy(buf + len, f[c[k]], l);
        len += l;
        buf[len++] = sep;
    }
    if (!cap)
        buf = xrealloc(buf, cap = 16);
    buf[len ? len - 1 : 0] = 0;
    return buf;
}

static void strings_free(strings_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->s[i]);
    free(t->s);
    free(t->slot);
}

// Row r's block (0 without --blocks).
static long block_of(const strings_t *blk, size_t r)
{
    return sl.nblocks ? find_string(blk, joined(sl.row[r], sl.blocks, sl.nblocks, ' ')) : 0;
}

static bool same_first(const char *a, const char *b)  // the same text before the first comma
{
    size_t l = strcspn(a, ",");
    return strcspn(b, ",") == l && strncmp(a, b, l) == 0;
}

// Long to wide, block b: a row per --key value, a column "W_V" per --wide value W (of
// every block, so that every block has the same columns) and --values column V; an empty
// cell where no row has them.
static void print_wide(FILE *o, const strings_t *blk, long b, const strings_t *wv)
{
    static strings_t kv;  // the key values (static, as everything an error may leave behind)
    static long *cell;    // cell[k * nw + w]: the row that fills it, or -1
    size_t nw = wv->n, nv = (size_t)sl.nvals, ncell = 0;
    for (size_t r = 0; r < sl.n; r++)
        if (block_of(blk, r) == b)
            intern(&kv, joined(sl.row[r], sl.key, sl.nkey, ','));
    cell = xrealloc(NULL, kv.n * nw * sizeof *cell);
    for (ncell = 0; ncell < kv.n * nw; ncell++)
        cell[ncell] = -1;
    for (size_t r = 0; r < sl.n; r++) {
        if (block_of(blk, r) != b)
            continue;
        long k = find_string(&kv, joined(sl.row[r], sl.key, sl.nkey, ','));
        long *c = &cell[(size_t)k * nw + (size_t)find_string(wv, sl.row[r][sl.wide])];
        if (*c >= 0)
            lab_die("two rows have key '%s' and %s '%s': narrow them with --where", kv.s[k],
                    hdr.col[sl.wide], sl.row[r][sl.wide]);
        *c = (long)r;
    }
    fputs(joined(hdr.col, sl.key, sl.nkey, ','), o);
    for (size_t w = 0; w < nw; w++)
        for (size_t v = 0; v < nv; v++)
            fprintf(o, ",%s_%s", wv->s[w], hdr.col[sl.vals[v]]);
    for (size_t k = 0; k < kv.n; k++) {
        if (sl.gap >= 0 && k && !same_first(kv.s[k - 1], kv.s[k]))  // an empty row
            for (size_t i = 0; i < (size_t)sl.nkey + nw * nv; i++)
                fputs(i ? "," : "\n", o);
        fprintf(o, "\n%s", kv.s[k]);
        for (size_t w = 0; w < nw; w++)
            for (size_t v = 0; v < nv; v++)
                fprintf(o, ",%s", cell[k * nw + w] < 0 ? "" : sl.row[cell[k * nw + w]][sl.vals[v]]);
    }
    fputc('\n', o);
    free(cell), cell = NULL;
    strings_free(&kv), kv = (strings_t){ 0 };
}

static void select_main(int argc, char **argv)
{
    opt_t opts[] = { { "--where", &opt_where, 0 }, { "--blocks", &sl.o_blocks, 0 },
                     { "--sort", &sl.o_sort, 0 }, { "--wide", &sl.o_wide, 0 },
                     { "--key", &sl.o_key, 0 }, { "--values", &sl.o_vals, 0 },
                     { "--gap", &sl.o_gap, 0 }, { "--tag", &sl.tag, 0 }, { 0 } };
    const char **files = xrealloc(NULL, (size_t)argc * sizeof *files);
    int nfiles = parse_opts(argc, argv, opts, files);
    if (!nfiles)
        lab_die("select needs an input file: see summarize --help");
    hdr.then = select_columns;
    for (int i = 0; i < nfiles; i++)
        csv_read(files[i], select_row);
    free(files);
    select_sort();
    strings_t blk = { 0 }, wv = { 0 };
    for (char **w = sl.wide_vals; w && *w; w++)
        intern(&wv, *w);
    for (size_t r = 0; r < sl.n; r++) {
        if (sl.nblocks)
            intern(&blk, joined(sl.row[r], sl.blocks, sl.nblocks, ' '));
        if (sl.wide >= 0)
            intern(&wv, sl.row[r][sl.wide]);
    }
    bool named = sl.nblocks || sl.tag;
    FILE *o = open_memstream(&out_buf, &out_len);
    for (long b = 0; b < (long)(sl.nblocks ? blk.n : 1); b++) {
        if (named)  // gnuplot's  index "[TAG V1 V2]"  selects it
            fprintf(o, "# [%s%s%s]\n", sl.tag ? sl.tag : "", sl.tag && sl.nblocks ? " " : "",
                    sl.nblocks ? blk.s[b] : "");
        if (sl.wide >= 0) {
            print_wide(o, &blk, b, &wv);
        } else {
            int all[hdr.ncol];
            for (size_t c = 0; c < hdr.ncol; c++)
                all[c] = (int)c;
            fprintf(o, "%s\n", joined(hdr.col, all, (int)hdr.ncol, ','));
            for (size_t r = 0; r < sl.n; r++)
                if (block_of(&blk, r) == b)
                    fprintf(o, "%s\n", joined(sl.row[r], all, (int)hdr.ncol, ','));
        }
        if (named)
            fputs("\n\n", o);  // the end of a gnuplot data set
    }
    strings_free(&blk);
    strings_free(&wv);
    out_flush(o);
}

// Kendall's tau between two orders of the same n items (x[i], y[i]: item i's figure in
// each): the pairs ordered alike minus those ordered oppositely, over all pairs; a tie
// counts neither. NAN for fewer than two items. (counts, bridge and machines use it.)
static double kendall_tau(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    long s = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double d = (x[i] - x[j]) * (y[i] - y[j]);
            s += d > 0 ? 1 : d < 0 ? -1 : 0;
        }
    return (double)s / (double)(n * (n - 1) / 2);
}

// ---------------------------------------------------------------------------
// fidelity mode: does a program's replay rank the allocators as the program does?
// ---------------------------------------------------------------------------

// The medians read, by program or workload, allocator and kind: each mode's table names
// each kind's metric in each of its two files ("": not in that file). Workloads are those
// of the first file. Fidelity: time and peak RSS of the real run, and of the replay its
// time per call, its wall time and its peak RSS, and the instructions of each, where their
// counts are given. Counts: instructions, D1 and LL misses per
// operation (callgrind), and wall time per operation.
enum { F_REAL_TIME, F_REAL_RSS, F_CALL, F_WALL, F_RSS, F_REAL_IR, F_IR, F_EVENTS, F_KINDS };
enum { C_IR, C_D1, C_LL, C_NS, C_FAULTS, C_OPS, C_KINDS };
#define MAX_FAULTS_PER_OP 0.001  // the model is fitted where page faults cost (almost) nothing
#define MAX_KINDS 8
#define MAX_FILES 4
typedef const char *const kinds_t[MAX_FILES][MAX_KINDS];  // "" or NULL: none
static kinds_t fidelity_kinds = {
    { "elapsed_s", "peak_rss_kib" },                                   // the real run's summary
    { [F_CALL] = "ns_per_op", [F_WALL] = "elapsed_s", [F_RSS] = "peak_rss_kib" },  // the replay's
    { [F_REAL_IR] = "ir" },                                            // callgrind's, real runs
    { [F_IR] = "ir", [F_EVENTS] = "ops" },                             // callgrind's, replays
};
static kinds_t counts_kinds = {
    { "ir_per_op", "d1_misses_per_op", "ll_misses_per_op" },                  // callgrind's summary
    { [C_NS] = "ns_per_op", [C_FAULTS] = "minor_faults", [C_OPS] = "ops" },  // the wall-time run's
};

static struct {
    strings_t al, wl;  // allocators (of either file) and workloads (of the first), in order
    struct {
        size_t w, a;
        int kind;
        double v;
    } *m;
    size_t n, cap;
    int file;  // which of the files
    kinds_t *kinds;
    bool floor;  // read the floor's rows too
} fd;

static void medians_row(const char *path, int line, char **f)
{
    int ca = col_index("allocator"), cw = col_index("workload"), cm = col_index("metric"),
        cs = col_index("status"), cmed = col_index("median");
    if (ca < 0 || cw < 0 || cm < 0 || cs < 0 || cmed < 0)
        lab_die("%s: expected a summary, with columns allocator, workload, metric, median "
                "and status", path);
    if ((strcmp(f[cs], "ok") != 0 && *f[cs]) || (!fd.floor && strcmp(f[ca], "floor") == 0))
        return;  // (the floor is no allocator a program can run on)
    for (int k = 0; k < MAX_KINDS; k++) {
        if (!(*fd.kinds)[fd.file][k] || strcmp(f[cm], (*fd.kinds)[fd.file][k]) != 0)
            continue;
        long w = fd.file == 0 ? (long)intern(&fd.wl, f[cw]) : find_string(&fd.wl, f[cw]);
        double v;
        int kind = field_kind(f[cmed], &v);
        if (w < 0 || kind == V_EMPTY)
            continue;  // a workload the first file does not have; no value
        if (kind != V_NUM)
            lab_die("%s:%d: median '%s' is not a number", path, line, f[cmed]);
        GROW(fd.m, fd.n, fd.cap);
        fd.m[fd.n].w = (size_t)w, fd.m[fd.n].a = intern(&fd.al, f[ca]), fd.m[fd.n].kind = k, fd.m[fd.n++].v = v;
    }
}

static void read_medians(kinds_t *kinds, bool floor, char **files, int nfiles)
{
    fd.kinds = kinds, fd.floor = floor;
    for (fd.file = 0; fd.file < nfiles; fd.file++)
        csv_read(files[fd.file], medians_row);
}

static double fid(size_t w, size_t a, int kind)  // the last value read, or NAN
{
    double v = NAN;
    for (size_t i = 0; i < fd.n; i++)
        if (fd.m[i].w == w && fd.m[i].a == a && fd.m[i].kind == kind)
            v = fd.m[i].v;
    return v;
}

static const char *best(size_t w, int kind)  // the allocator with the least (the first of equals)
{
    long b = -1;
    for (size_t a = 0; a < fd.al.n; a++)
        if (!isnan(fid(w, a, kind)) && (b < 0 || fid(w, a, kind) < fid(w, (size_t)b, kind)))
            b = (long)a;
    return b < 0 ? "" : fd.al.s[b];
}

// "k of n": of the n pairs of allocators with both figures, how many x and y order alike.
static char *agree(char *buf, size_t w, int x, int y)
{
    int n = 0, k = 0;
    for (size_t a = 0; a < fd.al.n; a++)
        for (size_t b = a + 1; b < fd.al.n; b++) {
            double xa = fid(w, a, x), xb = fid(w, b, x), ya = fid(w, a, y), yb = fid(w, b, y);
            if (isnan(xa) || isnan(xb) || isnan(ya) || isnan(yb))
                continue;
            n++;
            k += (xa < xb) == (ya < yb);
        }
    sprintf(buf, "%d of %d", k, n);
    return buf;
}

// The replay's worst error in predicting an allocator's change of a metric against glibc's,
// |(replay_a - replay_glibc) - (real_a - real_glibc)|, and whose it is (*worst: -1 where no
// allocator has both figures); NAN where glibc, the baseline, has not both.
static double change_error(size_t w, int real, int replay, long *worst)
{
    long g = find_string(&fd.al, "glibc");
    *worst = -1;
    if (g < 0 || isnan(fid(w, (size_t)g, replay)) || isnan(fid(w, (size_t)g, real)))
        return NAN;
    double most = -1;
    for (size_t a = 0; a < fd.al.n; a++) {
        double e = fabs((fid(w, a, replay) - fid(w, (size_t)g, replay)) - (fid(w, a, real) - fid(w, (size_t)g, real)));
        if (!isnan(e) && e > most)
            most = e, *worst = (long)a;
    }
    return most;
}

// The worst error as a cell: in `unit` (value / scale), and in % of `of`: the allocator's
// real figure (the peak) or, relative, its real change against glibc.
static void error_cell(FILE *o, size_t w, int real, int replay, double scale, const char *unit, bool relative)
{
    long a;
    double e = change_error(w, real, replay, &a);
    if (isnan(e) || a < 0) {
        fputs(isnan(e) ? (relative ? "glibc, the baseline, not counted" : "glibc, the baseline, not run") : "no allocator to compare", o);
        return;
    }
    double of = fid(w, (size_t)a, real) - (relative ? fid(w, (size_t)find_string(&fd.al, "glibc"), real) : 0);
    char v[NUM_LEN], pct[NUM_LEN];
    fprintf(o, "%s %s (%s; %s%% of its real %s)", fmt_sig(v, e / scale, 2), unit, fd.al.s[a],
            fmt_sig(pct, 100 * e / fabs(of), 1), relative ? "change" : "peak");
}

// --changes: each allocator's changes against glibc, real and replayed, as CSV (a figure's
// data): peak RSS in KiB, and instructions per event of the replayed trace.
static void fidelity_changes(void)
{
    long g = find_string(&fd.al, "glibc");
    FILE *o = open_memstream(&out_buf, &out_len);
    fputs("workload,allocator,real_rss_change_kib,replay_rss_change_kib,real_ir_change_per_event,replay_ir_change_per_event\n", o);
    for (size_t w = 0; w < fd.wl.n && g >= 0; w++)
        for (size_t a = 0; a < fd.al.n; a++) {
            if ((long)a == g)
                continue;
            double ev = fid(w, a, F_EVENTS), v[4] = {
                fid(w, a, F_REAL_RSS) - fid(w, (size_t)g, F_REAL_RSS), fid(w, a, F_RSS) - fid(w, (size_t)g, F_RSS),
                (fid(w, a, F_REAL_IR) - fid(w, (size_t)g, F_REAL_IR)) / ev, (fid(w, a, F_IR) - fid(w, (size_t)g, F_IR)) / ev };
            if (isnan(v[0]) && isnan(v[1]) && isnan(v[2]) && isnan(v[3]))
                continue;  // (an allocator this program has no figure of)
            fprintf(o, "%s,%s", fd.wl.s[w], fd.al.s[a]);
            for (int i = 0; i < 4; i++)
                put(o, v[i]);
            fputc('\n', o);
        }
    out_flush(o);
}

static void fidelity_main(int argc, char **argv)
{
    bool changes = argc > 1 && strcmp(argv[argc - 1], "--changes") == 0;
    argc -= changes;
    if ((argc != 3 && argc != 5) || argv[1][0] == '-' || argv[2][0] == '-' || (argc == 5 && (argv[3][0] == '-' || argv[4][0] == '-')))
        lab_die("fidelity needs two files, REAL.summary.csv REPLAY.summary.csv, or four, with "
                "REAL_COUNTS.summary.csv REPLAY_COUNTS.summary.csv (and --changes: the changes as CSV)");
    bool ir = argc == 5;
    read_medians(&fidelity_kinds, false, argv + 1, argc - 1);
    if (changes) {
        fidelity_changes();
        return;
    }
    char a[64], b[64], c[64], d[64];
    FILE *o = open_memstream(&out_buf, &out_len);
    fprintf(o, "| program | fastest: real / replay call / replay wall | time order agrees, pairs: "
            "call / wall | smallest: real / replay | RSS order agrees (pairs) | worst error of "
            "predicted RSS change vs glibc |%s\n|:--|:--|--:|:--|--:|:--|%s\n",
            ir ? " instruction order agrees (pairs) | worst error of predicted instruction change vs glibc |" : "",
            ir ? "--:|:--|" : "");
    for (size_t w = 0; w < fd.wl.n; w++) {
        fprintf(o, "| %s | %s / %s / %s | %s / %s | %s / %s | %s | ", fd.wl.s[w],
                best(w, F_REAL_TIME), best(w, F_CALL), best(w, F_WALL),
                agree(a, w, F_REAL_TIME, F_CALL), agree(b, w, F_REAL_TIME, F_WALL),
                best(w, F_REAL_RSS), best(w, F_RSS), agree(c, w, F_REAL_RSS, F_RSS));
        error_cell(o, w, F_REAL_RSS, F_RSS, 1024, "MiB", false);
        if (ir) {
            fprintf(o, " | %s | ", agree(d, w, F_REAL_IR, F_IR));
            error_cell(o, w, F_REAL_IR, F_IR, 1e6, "M", true);
        }
        fputs(" |\n", o);
    }
    out_flush(o);
}

// ---------------------------------------------------------------------------
// counts mode: do instruction counts rank the allocators as wall time does?
// ---------------------------------------------------------------------------

// Does the model fit (w, a)? Only where page faults are rare: the counts cannot see them.
static bool fitted_on(size_t w, size_t a)
{
    return strcmp(fd.al.s[a], "floor") != 0 && fid(w, a, C_FAULTS) / fid(w, a, C_OPS) < MAX_FAULTS_PER_OP && fid(w, a, C_NS) > 0 &&
           !isnan(fid(w, a, C_IR) + fid(w, a, C_D1) + fid(w, a, C_LL));
}

// The cost model: ns per op = a Ir + b D1 + c LL, each per op, fitted by least squares on
// relative errors (every (allocator, workload) weighs alike, whether it costs 10 ns or
// 10 us): minimise the sum of (x.beta / t - 1)^2, the normal equations solved by Gaussian
// elimination. False when they are singular (e.g. fewer than three points). *n: the points.
static bool fit_model(double beta[3], int *n)
{
    double A[3][4] = { { 0 } };
    *n = 0;
    for (size_t w = 0; w < fd.wl.n; w++)
        for (size_t a = 0; a < fd.al.n; a++) {
            double x[3] = { fid(w, a, C_IR), fid(w, a, C_D1), fid(w, a, C_LL) }, t = fid(w, a, C_NS);
            if (!fitted_on(w, a))
                continue;
            ++*n;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++)
                    A[i][j] += x[i] / t * x[j] / t;
                A[i][3] += x[i] / t;
            }
        }
    for (int i = 0; i < 3; i++) {
        int p = i;
        for (int r = i + 1; r < 3; r++)
            if (fabs(A[r][i]) > fabs(A[p][i]))
                p = r;
        if (fabs(A[p][i]) < 1e-300)
            return false;
        for (int c = 0; c < 4; c++) {
            double tmp = A[i][c];
            A[i][c] = A[p][c], A[p][c] = tmp;
        }
        for (int r = 0; r < 3; r++)
            if (r != i)
                for (int c = 3; c >= i; c--)
                    A[r][c] -= A[r][i] / A[i][i] * A[i][c];
    }
    for (int i = 0; i < 3; i++)
        beta[i] = A[i][3] / A[i][i];
    return true;
}

static double model(const double beta[3], size_t w, size_t a)
{
    return beta[0] * fid(w, a, C_IR) + beta[1] * fid(w, a, C_D1) + beta[2] * fid(w, a, C_LL);
}

// Kendall's tau between two orders of workload w's allocators (the floor left out): the
// pairs ordered alike minus those ordered oppositely, over all pairs; a tie counts neither.
// x: a kind, or -1 for the model's estimate. Writes "tau (n allocators)", or "—".
static char *kendall(char *buf, size_t w, int x, int y, const double beta[3])
{
    double xs[64], ys[64];
    size_t n = 0;
    for (size_t a = 0; a < fd.al.n && n < 64; a++) {
        double xa = x < 0 ? model(beta, w, a) : fid(w, a, x);
        if (strcmp(fd.al.s[a], "floor") != 0 && !isnan(xa) && !isnan(fid(w, a, y)))
            xs[n] = xa, ys[n++] = fid(w, a, y);
    }
    if (n < 2)
        return strcpy(buf, "—");
    sprintf(buf, "%+.2f (%zu)", kendall_tau(xs, ys, n), n);
    return buf;
}

// One number, or "—" when there is none.
static const char *num(char *buf, double v, int digits) { return isnan(v) ? "—" : fmt_sig(buf, v, digits); }

// rows: per workload and allocator, the counts (minus the floor's) and both times;
// fit: per workload, Kendall's tau of the model and of the instructions against wall time,
// and the model's coefficients.
static void counts_main(int argc, char **argv)
{
    static const char *const parts[] = { "rows", "fit", NULL };
    if (argc != 4 || argv[2][0] == '-' || argv[3][0] == '-')
        lab_die("counts needs a part and two files: rows|fit COUNTS.summary.csv WALL.summary.csv");
    int part = lab_opt_choice("counts part", argv[1], parts);
    read_medians(&counts_kinds, true, argv + 2, 2);
    double beta[3];
    int npoints;
    if (!fit_model(beta, &npoints))
        beta[0] = beta[1] = beta[2] = NAN;
    long fl = find_string(&fd.al, "floor");
    char b[6][NUM_LEN];
    FILE *o = open_memstream(&out_buf, &out_len);
    if (part == 0) {
        fputs("| workload | allocator | instructions | D1 misses | LL misses | page faults | ns, wall | ns, model |\n"
              "|:--|:--|--:|--:|--:|--:|--:|--:|\n", o);
        for (size_t w = 0; w < fd.wl.n; w++)
            for (size_t a = 0; a < fd.al.n; a++) {
                double own[3];
                for (int k = 0; k < 3; k++) {  // the floor's own row, or no floor: the total
                    double f = fl < 0 || (long)a == fl ? NAN : fid(w, (size_t)fl, k);
                    own[k] = fid(w, a, k) - (isnan(f) ? 0 : f);
                }
                if (isnan(own[0]) && isnan(fid(w, a, C_NS)))
                    continue;
                fprintf(o, "| %s | %s | %s | %s | %s | %s | %s | %s%s |\n", fd.wl.s[w], fd.al.s[a], num(b[0], own[0], 3),
                        num(b[1], own[1], 3), num(b[2], own[2], 2), num(b[3], fid(w, a, C_FAULTS) / fid(w, a, C_OPS), 2),
                        num(b[4], fid(w, a, C_NS), 3), num(b[5], model(beta, w, a), 3), fitted_on(w, a) ? "" : " ‡");
            }
    } else {
        fputs("| workload | Kendall tau: model vs wall | instructions alone vs wall |\n|:--|--:|--:|\n", o);
        for (size_t w = 0; w < fd.wl.n; w++)
            fprintf(o, "| %s | %s | %s |\n", fd.wl.s[w], kendall(b[0], w, -1, C_NS, beta),
                    kendall(b[1], w, C_IR, C_NS, beta));
        fprintf(o, "| *the model* | %s ns per instruction, %s per D1 miss, %s per LL miss | fitted on %d rows |\n",
                num(b[0], beta[0], 3), num(b[1], beta[1], 3), num(b[2], beta[2], 3), npoints);
    }
    out_flush(o);
}

// ---------------------------------------------------------------------------
// table mode
// ---------------------------------------------------------------------------

enum { CELL_MEDIAN, CELL_CI, CELL_RATIO, CELL_CV, CELL_WIDTH };
static const char *const cell_names[] = { "median", "ci", "ratio", "cv", "width", NULL };

// The columns a summary must have; tb.k[K_...] is each one's index.
enum { K_METRIC, K_N, K_N_FAILED, K_MEDIAN, K_CV, K_CI_LO, K_CI_HI, K_RATIO, K_RATIO_LO,
       K_RATIO_HI, K_STATUS, K_COUNT };
static const char *const key_names[] = { "metric", "n", "n_failed", "median", "cv", "ci_lo",
                                         "ci_hi", "ratio", "ratio_lo", "ratio_hi", "status" };

// The summary's rows, as text.
typedef struct {
    char **f;
    int line;
} row_t;

static struct {
    row_t *row;
    size_t nrow, cap;
} in;

static void keep_row(const char *path, int line, char **f)
{
    (void)path;
    char **copy = xrealloc(NULL, hdr.ncol * sizeof *copy);
    for (size_t i = 0; i < hdr.ncol; i++)
        copy[i] = xstrdup(f[i]);
    GROW(in.row, in.nrow, in.cap);
    in.row[in.nrow++] = (row_t){ copy, line };
}

typedef struct {
    int col;
    const char *val;
} cond_t;

static struct {
    const char *path, *metric, *res, *labels;
    char **metrics;  // --metric's list, as given (a column's label)
    char **mname;    // each one's metric name: the entry up to its '@'
    cond_t *mcond;   // each one's M@COL=VAL condition; col -1 if none
    int cell, digits, k[K_COUNT], *rows, cols;  // cell, digits, scale: the current column's
    size_t nmetric, nrows;  // --rows: one or more columns
    int *cell_list, *digit_list;  // --cell, --digits, --scale: one for every column, or one each
    double *scale_list, scale;
    size_t ncell, ndigits, nscale;
    cond_t *where, *omit;  // ended by col -1
    bool dagger, below;    // footnotes needed
} tb;

static int need_col(const char *name, const char *what)
{
    int i = col_index(name);
    if (i < 0)
        lab_die("%s column '%s' is not in the header of %s", what, name, tb.path);
    return i;
}

// "COL=VAL,COL=VAL" as conditions, ended by col -1.
static cond_t *conds(const char *opt, const char *s)
{
    char **f = NULL;
    size_t n = 0, cap = 0;
    if (s)
        n = split(xstrdup(s), &f, &cap);  // the copy stays, pointed to by the conditions
    cond_t *c = xrealloc(NULL, (n + 1) * sizeof *c);
    for (size_t i = 0; i < n; i++) {
        char *eq = strchr(f[i], '=');
        if (!eq || eq == f[i])
            lab_die("%s '%s' is not allowed: expected COL=VAL[,COL=VAL...]", opt, s);
        *eq = 0;
        c[i] = (cond_t){ need_col(f[i], opt), eq + 1 };
    }
    c[n].col = -1;
    free(f);
    return c;
}

static bool any(size_t i, const cond_t *c, bool want)  // does any condition match = want?
{
    for (; c->col >= 0; c++)
        if ((strcmp(in.row[i].f[c->col], c->val) == 0) == want)
            return true;
    return false;
}

// Does summary row i fill --metric entry m (its metric, and its M@COL=VAL holds)?
static bool of_entry(size_t i, size_t m)
{
    return strcmp(in.row[i].f[tb.k[K_METRIC]], tb.mname[m]) == 0 &&
           (tb.mcond[m].col < 0 || strcmp(in.row[i].f[tb.mcond[m].col], tb.mcond[m].val) == 0);
}

static long metric_of(size_t i)  // the --metric entry of summary row i; -1 if none
{
    for (size_t m = 0; m < tb.nmetric; m++)
        if (of_entry(i, m))
            return (long)m;
    return -1;
}

static bool of_metric(size_t i) { return metric_of(i) >= 0; }

static bool selected(size_t i)
{
    return of_metric(i) && !any(i, tb.where, false) && !any(i, tb.omit, true);
}


// Field k of summary row i as a number; NAN when empty.
static double field(size_t i, int k)
{
    const char *s = in.row[i].f[tb.k[k]];
    double v = NAN;
    int kind = field_kind(s, &v);
    if (kind == V_EMPTY)
        return NAN;
    if (kind != V_NUM && kind != V_NAN)
        lab_die("%s:%d: %s '%s' is not a number", tb.path, in.row[i].line, key_names[k], s);
    return v;
}

// The first row with metric m and, unless like is -1, in the same group as row like (the
// same values in the columns before metric); -1 if none.
static long find_row(const char *m, long like)
{
    for (size_t j = 0; j < in.nrow; j++) {
        bool same = strcmp(in.row[j].f[tb.k[K_METRIC]], m) == 0;
        for (int c = 0; same && like >= 0 && c < tb.k[K_METRIC]; c++)
            same = strcmp(in.row[j].f[c], in.row[like].f[c]) == 0;
        if (same)
            return (long)j;
    }
    return -1;
}

static char *sig(char *buf, double v) { return fmt_sig(buf, v * tb.scale, tb.digits); }

// The text of a cell filled by summary row i (-1: none); notes which footnotes it needs.
static void cell_text(long i, char *buf, size_t len)
{
    char a[NUM_LEN], b[NUM_LEN], c[NUM_LEN];
    size_t r = (size_t)i;
    if (i < 0) {
        snprintf(buf, len, "—");
        return;
    }
    const char *status = in.row[r].f[tb.k[K_STATUS]];
    if (field(r, K_N) == 0 || isnan(field(r, K_MEDIAN))) {  // no value: say why
        if (strcmp(status, "ok") == 0 && field(r, K_N_FAILED) > 0)
            snprintf(buf, len, "— (%g failed)", field(r, K_N_FAILED));
        else
            snprintf(buf, len, "— (%s)", status);
        return;
    }
    long j = tb.res ? find_row(tb.res, i) : -1;  // --resolution's row in this group
    double med = field(r, K_MEDIAN), lo = field(r, K_CI_LO), hi = field(r, K_CI_HI);
    double res = j < 0 ? NAN : field((size_t)j, K_MEDIAN), cv = field(r, K_CV);
    double ratio = field(r, K_RATIO), rlo = field(r, K_RATIO_LO), rhi = field(r, K_RATIO_HI);
    switch (tb.cell) {
    case CELL_MEDIAN:
    case CELL_CI:
        if (med < res)
            snprintf(buf, len, "< %s", sig(a, res)), tb.below = true;
        else if (tb.cell == CELL_CI && !isnan(lo))
            snprintf(buf, len, "%s [%s, %s]%s", sig(a, med), sig(b, lo), sig(c, hi), cv > 0.05 ? " †" : "");
        else
            snprintf(buf, len, "%s%s", sig(a, med), cv > 0.05 ? " †" : "");
        tb.dagger |= !(med < res) && cv > 0.05;
        break;
    case CELL_RATIO:  // a ratio is not scaled
        if (isnan(ratio))
            snprintf(buf, len, "—");
        else if (isnan(rlo))
            snprintf(buf, len, "×%.2f", ratio);
        else
            snprintf(buf, len, "×%.2f [%.2f, %.2f]", ratio, rlo, rhi);
        break;
    case CELL_CV:
        if (isnan(cv))
            snprintf(buf, len, "—");
        else
            snprintf(buf, len, "%.1f%%%s", cv * 100, cv > 0.05 ? " †" : "");
        tb.dagger |= cv > 0.05;
        break;
    case CELL_WIDTH:  // the interval's wider side, in % of the median
        if (isnan(lo))
            snprintf(buf, len, "—");
        else
            snprintf(buf, len, "±%.1f%%", 100 * fmax(med - lo, hi - med) / fabs(med));
        break;
    }
}

// Index of s in the list of distinct labels, appended when new.
static size_t label(const char ***list, size_t *n, size_t *cap, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return i;
    GROW(*list, *n, *cap);
    (*list)[*n] = s;
    return (*n)++;
}

// The table's shape: its row and column labels (distinct values, in order of first
// appearance) and, for each cell, the summary row that fills it (-1: none).
static struct {
    const char **rl, **cl;
    size_t nr, nc, capr, capc;
    long *cell;  // cell[r * nc + c]
} lay;

// The index of summary row i's row label (its --rows values, one table column each: " | ")
// in the table's rows, appended when new.
static size_t row_label(size_t i)
{
    size_t len = 1;
    for (size_t j = 0; j < tb.nrows; j++)
        len += strlen(in.row[i].f[tb.rows[j]]) + 3;
    char *k = xrealloc(NULL, len);
    *k = 0;
    for (size_t j = 0; j < tb.nrows; j++)
        strcat(strcat(k, j ? " | " : ""), in.row[i].f[tb.rows[j]]);
    size_t r = label(&lay.rl, &lay.nr, &lay.capr, k);
    if (lay.rl[r] != k)
        free(k);
    return r;
}

// Summary row i's table column: its --metric entry with --cols metric, else its --cols value.
static const char *col_label(size_t i)
{
    return tb.cols == tb.k[K_METRIC] ? tb.metrics[metric_of(i)] : in.row[i].f[tb.cols];
}

// Summary row i fills the cell at row r, column c: an error if another already does.
static void place(size_t i, size_t r, size_t c)
{
    long *cell = &lay.cell[r * lay.nc + c];
    if (*cell >= 0)
        lab_die("%s: lines %d and %d both fall in row '%s', column '%s': narrow with --where "
                "(or M@COL=VAL)", tb.path, in.row[*cell].line, in.row[i].line, lay.rl[r],
                lay.cl[c]);
    *cell = (long)i;
}

static void layout(void)
{
    bool by_entry = tb.cols == tb.k[K_METRIC];  // a column per --metric entry, in its order
    for (size_t m = 0; by_entry && m < tb.nmetric; m++) {  // (one may repeat: another --cell)
        GROW(lay.cl, lay.nc, lay.capc);
        lay.cl[lay.nc++] = tb.metrics[m];
    }
    for (size_t i = 0; i < in.nrow; i++)
        if (selected(i)) {
            row_label(i);
            if (!by_entry)
                label(&lay.cl, &lay.nc, &lay.capc, col_label(i));
        }
    bool where = false;  // does any row pass --where?
    for (size_t i = 0; i < in.nrow && !where; i++)
        where = of_metric(i) && !any(i, tb.where, false);
    if (!where)
        lab_die("no rows with metric '%s' in %s match --where", tb.metric, tb.path);
    lay.cell = xrealloc(NULL, lay.nr * lay.nc * sizeof *lay.cell);
    for (size_t i = 0; i < lay.nr * lay.nc; i++)
        lay.cell[i] = -1;
    for (size_t i = 0; i < in.nrow; i++) {
        if (!selected(i))
            continue;
        size_t r = row_label(i);
        if (!by_entry)
            place(i, r, label(&lay.cl, &lay.nc, &lay.capc, col_label(i)));
        for (size_t m = 0; by_entry && m < tb.nmetric; m++)
            if (of_entry(i, m))
                place(i, r, m);
    }
}

static void print_table(FILE *o, const char *corner)
{
    char buf[4 * NUM_LEN], *label = tb.labels ? xstrdup(tb.labels) : NULL, *l = label;
    size_t nlabel = 0;
    for (char *p = label; p; p = strchr(p, '|'))  // HEAD|HEAD|...: a header may hold a comma
        nlabel++, p += *p == '|';
    if (label && nlabel != lay.nc && lay.nr)
        lab_die("--labels '%s' names %zu columns, the table has %zu", tb.labels, nlabel, lay.nc);
    fputc('|', o);
    for (size_t j = 0; j < tb.nrows; j++)
        fprintf(o, " %s |", j == 0 && corner ? corner : hdr.col[tb.rows[j]]);
    if (!lay.nr) {  // --omit left none: the rows this table shows did not run
        fprintf(o, "\n|---|\n| — (not run) |\n");
        return;
    }
    for (size_t c = 0; c < lay.nc; c++, l = l ? l + strcspn(l, "|") + 1 : NULL)
        fprintf(o, " %.*s |", l ? (int)strcspn(l, "|") : (int)strlen(lay.cl[c]), l ? l : lay.cl[c]);
    free(label);
    fputc('\n', o);
    for (size_t j = 0; j < tb.nrows; j++)
        fprintf(o, "|---");
    fputc('|', o);
    for (size_t c = 0; c < lay.nc; c++)
        fprintf(o, "---:|");
    for (size_t r = 0; r < lay.nr; r++) {
        fprintf(o, "\n| %s |", lay.rl[r]);
        for (size_t c = 0; c < lay.nc; c++) {
            tb.cell = tb.cell_list[tb.ncell > 1 ? c : 0];
            tb.digits = tb.digit_list[tb.ndigits > 1 ? c : 0];
            tb.scale = tb.scale_list[tb.nscale > 1 ? c : 0];
            cell_text(lay.cell[r * lay.nc + c], buf, sizeof buf);
            fprintf(o, " %s |", buf);
        }
    }
    fputc('\n', o);
    if (tb.dagger)
        fputs("\n† CV above 5%: this median is less certain than the others.\n", o);
    if (tb.below)
        fputs("\n< below the timer's resolution.\n", o);
}

// --metric's entries: M, or M@COL=VAL (the rows of metric M whose COL is VAL: two by-columns
// merged into one table row, e.g. a tool's metrics from that tool's rows).
static void metric_entries(void)
{
    tb.mname = xrealloc(NULL, tb.nmetric * sizeof *tb.mname);
    tb.mcond = xrealloc(NULL, tb.nmetric * sizeof *tb.mcond);
    for (size_t m = 0; m < tb.nmetric; m++) {
        char *at = strchr(tb.metrics[m], '@');
        tb.mname[m] = xstrdup(tb.metrics[m]);
        tb.mcond[m].col = -1;
        if (at) {
            tb.mname[m][at - tb.metrics[m]] = 0;
            cond_t *c = conds("--metric", at + 1);  // no comma in an entry: one
            tb.mcond[m] = c[0];
            free(c);
        }
        if (find_row(tb.mname[m], -1) < 0)
            lab_die("no rows with metric '%s' in %s", tb.mname[m], tb.path);
        bool found = false;
        for (size_t i = 0; i < in.nrow && !found; i++)
            found = of_entry(i, m);
        if (!found)
            lab_die("no rows with metric '%s' and %s in %s", tb.mname[m], at + 1, tb.path);
    }
}

// --cell, --digits, --scale: one value for every column, or one per metric of --metric with
// --cols metric (a column each). Returns the values (f[0] holds the copy they point into).
static char **per_column(const char *opt, const char *s, size_t *n)
{
    char **f = NULL;
    size_t cap = 0;
    *n = split(xstrdup(s), &f, &cap);
    if (*n != 1 && (tb.cols != tb.k[K_METRIC] || *n != tb.nmetric))
        lab_die("%s '%s' lists %zu: expected one, or one per metric of --metric with --cols "
                "metric", opt, s, *n);
    return f;
}

static void table_main(int argc, char **argv)
{
    const char *rows = NULL, *cols = NULL, *cell = "median", *scale = "1", *digits = "3",
               *where = NULL, *omit = NULL, *corner = NULL;
    opt_t opts[] = { { "--metric", &tb.metric, 0 }, { "--rows", &rows, 0 },
                     { "--cols", &cols, 0 }, { "--cell", &cell, 0 }, { "--scale", &scale, 0 },
                     { "--digits", &digits, 0 }, { "--where", &where, 0 },
                     { "--omit", &omit, 0 }, { "--resolution", &tb.res, 0 },
                     { "--corner", &corner, 0 }, { "--labels", &tb.labels, 0 }, { 0 } };
    const char **args = xrealloc(NULL, (size_t)argc * sizeof *args);
    if (parse_opts(argc, argv, opts, args) != 1 || !tb.metric || !rows || !cols)
        lab_die("table needs one SUMMARY.csv, --metric M, --rows COL and --cols COL");
    tb.path = args[0];
    free(args);
    char **f = NULL;
    size_t cap = 0;
    csv_read(tb.path, keep_row);
    for (int k = 0; k < K_COUNT; k++)
        tb.k[k] = need_col(key_names[k], "summary");
    tb.nrows = split(xstrdup(rows), &f, &cap);
    tb.rows = xrealloc(NULL, tb.nrows * sizeof *tb.rows);
    for (size_t j = 0; j < tb.nrows; j++)
        tb.rows[j] = need_col(f[j], "--rows");
    free(f[0]);  // the copy of rows, which f points into
    free(f);
    tb.cols = need_col(cols, "--cols");
    tb.where = conds("--where", where);
    tb.omit = conds("--omit", omit);
    tb.metrics = NULL, cap = 0;
    tb.nmetric = split(xstrdup(tb.metric), &tb.metrics, &cap);
    metric_entries();
    if (tb.nmetric > 1 && tb.cols != tb.k[K_METRIC])
        lab_die("--metric '%s' lists %zu metrics: a table of several needs --cols metric", tb.metric,
                tb.nmetric);
    f = per_column("--cell", cell, &tb.ncell);
    tb.cell_list = xrealloc(NULL, tb.ncell * sizeof *tb.cell_list);
    for (size_t j = 0; j < tb.ncell; j++)
        tb.cell_list[j] = lab_opt_choice("--cell", f[j], cell_names);
    free(f[0]), free(f);
    f = per_column("--digits", digits, &tb.ndigits);
    tb.digit_list = xrealloc(NULL, tb.ndigits * sizeof *tb.digit_list);
    for (size_t j = 0; j < tb.ndigits; j++)
        tb.digit_list[j] = (int)lab_opt_u64("--digits", f[j], 1, 15);
    free(f[0]), free(f);
    f = per_column("--scale", scale, &tb.nscale);
    tb.scale_list = xrealloc(NULL, tb.nscale * sizeof *tb.scale_list);
    for (size_t j = 0; j < tb.nscale; j++)
        tb.scale_list[j] = lab_opt_f64("--scale", f[j], 1e-30, 1e30);
    free(f[0]), free(f);
    if (tb.res && find_row(tb.res, -1) < 0)
        lab_die("no rows with metric '%s' (--resolution) in %s", tb.res, tb.path);
    layout();
    FILE *o = open_memstream(&out_buf, &out_len);
    print_table(o, corner);
    out_flush(o);
}

// The prose's values (common/book/lab.lua's .v spans), formatted as the tables' numbers:
// one NUMBER a line on stdin (a number may be negative: not an argument), one out.
static void format_main(int argc, char **argv)
{
    const char *scale = "1", *digits = "3";
    opt_t opts[] = { { "--digits", &digits, 0 }, { "--scale", &scale, 0 }, { 0 } };
    const char **args = xrealloc(NULL, (size_t)argc * sizeof *args);
    if (parse_opts(argc, argv, opts, args) != 0)
        lab_die("format takes its numbers on stdin, one a line, not '%s'", args[0]);
    free(args);
    double s = lab_opt_f64("--scale", scale, -1e30, 1e30), v;
    int d = (int)lab_opt_u64("--digits", digits, 1, 15);
    char *line = NULL, buf[NUM_LEN];
    size_t cap = 0;
    ssize_t len;
    FILE *o = open_memstream(&out_buf, &out_len);
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        line[strcspn(line, "\r\n")] = 0;
        if (field_kind(line, &v) != V_NUM || !isfinite(v * s))
            lab_die("format: '%s' is not allowed: expected a finite decimal number like 12 or 1.5e3", line);
        fprintf(o, "%s\n", fmt_sig(buf, v * s, d));
    }
    free(line);
    out_flush(o);
}

// ---------------------------------------------------------------------------
// bridge mode: does a classic benchmark rank the allocators as our own workload does?
// ---------------------------------------------------------------------------

// One side of a pair: a workload's median ns_per_op and its interval per allocator and
// thread count, from one summary.
typedef struct {
    size_t a;  // the allocator, in al
    double threads, med, lo, hi;
} side_med_t;
typedef struct {
    const char *path, *workload;
    strings_t al;
    side_med_t *m;
    size_t n, cap;
} side_t;
static side_t *side_now;

static void side_row(const char *path, int line, char **f)
{
    int ca = col_index("allocator"), cw = col_index("workload"), cm = col_index("metric"),
        ct = col_index("threads"), cmed = col_index("median"), clo = col_index("ci_lo"), chi = col_index("ci_hi");
    if (ca < 0 || cw < 0 || cm < 0 || cmed < 0 || clo < 0 || chi < 0)
        lab_die("%s: expected a summary, with columns allocator, workload, metric, median, ci_lo and ci_hi", path);
    double v, lo, hi, t = 1;
    if (strcmp(f[cw], side_now->workload) != 0 || strcmp(f[cm], "ns_per_op") != 0 || strcmp(f[ca], "floor") == 0 ||
        field_kind(f[cmed], &v) != V_NUM)
        return;
    if (ct >= 0 && *f[ct] && field_kind(f[ct], &t) != V_NUM)  // (empty: a single-threaded workload)
        lab_die("%s:%d: threads '%s' is not a number", path, line, f[ct]);
    int cn = col_index("n");
    double n = 0;
    if (cn < 0 || field_kind(f[cn], &n) != V_NUM || n < 3 || field_kind(f[clo], &lo) != V_NUM || field_kind(f[chi], &hi) != V_NUM)
        lo = hi = NAN;  // (fewer than three runs: no interval to trust)
    side_t *sd = side_now;
    GROW(sd->m, sd->n, sd->cap);
    sd->m[sd->n++] = (side_med_t){ intern(&sd->al, f[ca]), t, v, lo, hi };
}

static void forget_header(void)  // the next file read brings its own columns
{
    for (size_t i = 0; i < hdr.ncol; i++)
        free(hdr.col[i]);
    free(hdr.col);
    hdr.col = NULL, hdr.ncol = 0;
}

static void side_read(side_t *sd)
{
    forget_header();  // every summary has its own columns
    side_now = sd;
    csv_read(sd->path, side_row);
}

static void side_free(side_t *sd)
{
    strings_free(&sd->al);
    free(sd->m), free((char *)sd->path), free((char *)sd->workload);
}

// The side's entry for allocator name at t threads, or NULL.
static side_med_t *side_get(const side_t *sd, const char *name, double t)
{
    long a = find_string(&sd->al, name);
    for (size_t i = 0; a >= 0 && i < sd->n; i++)
        if (sd->m[i].a == (size_t)a && sd->m[i].threads == t)
            return &sd->m[i];
    return NULL;
}

// The thread count to compare at: the smallest both sides have, above 1 where there is one
// (a threaded classic runs at the CPUs and more, our workloads at 1 and more).
static double bridge_threads(const side_t *x, const side_t *y)
{
    double best = NAN;
    for (size_t i = 0; i < x->n; i++)
        for (size_t j = 0; j < y->n; j++) {
            double t = x->m[i].threads;
            if (t == y->m[j].threads && (isnan(best) || (t > 1 && (best <= 1 || t < best))))
                best = t;
        }
    return best;
}

static const side_t *order_side;
static double order_t;
static int by_median(const void *p, const void *q)
{
    double a = side_get(order_side, *(const char *const *)p, order_t)->med, b = side_get(order_side, *(const char *const *)q, order_t)->med;
    return a < b ? -1 : a > b;
}

// "a < b < c": the allocators, fastest first.
static void put_order(FILE *o, const side_t *sd, double t, const char **names, size_t n)
{
    order_side = sd, order_t = t;
    qsort(names, n, sizeof *names, by_median);
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%s%s", i ? " < " : "", names[i]);
}

// The allocators both sides have at t threads, in x's order (at most 64): their count.
static size_t both_have(const side_t *x, const side_t *y, double t, const char **names)
{
    size_t n = 0;
    for (size_t a = 0; a < x->al.n && n < 64 && !isnan(t); a++)
        if (side_get(x, x->al.s[a], t) && side_get(y, x->al.s[a], t))
            names[n++] = x->al.s[a];
    return n;
}

static bool apart(const side_med_t *a, const side_med_t *b) { return a->hi < b->lo || b->hi < a->lo; }

// Of the n allocators names (both sides have them at t threads): Kendall's tau between the
// two sides' orders, and in *clear how many pairs they order oppositely with each side's
// two intervals apart: a disagreement beyond the noise.
static double concordance(const side_t *x, const side_t *y, double t, const char **names, size_t n, int *clear)
{
    double xm[64], ym[64];
    *clear = 0;
    for (size_t i = 0; i < n; i++) {
        side_med_t *xi = side_get(x, names[i], t), *yi = side_get(y, names[i], t);
        xm[i] = xi->med, ym[i] = yi->med;
        for (size_t j = 0; j < i; j++) {
            side_med_t *xj = side_get(x, names[j], t), *yj = side_get(y, names[j], t);
            *clear += (xm[i] - xm[j]) * (ym[i] - ym[j]) < 0 && apart(xi, xj) && apart(yi, yj);
        }
    }
    return kendall_tau(xm, ym, n);
}

// One row of the table: x (a classic) against y (a workload of ours, or a step towards it).
static void bridge_row(FILE *o, const char *label, side_t *x, side_t *y, const char *note)
{
    side_read(x), side_read(y);
    double t = bridge_threads(x, y);
    const char *names[64];
    size_t n = both_have(x, y, t, names);
    const char *dir = strrchr(y->path, '/'), *start = dir;  // the chapter: the file's directory
    while (start && start > y->path && start[-1] != '/')
        start--;
    fprintf(o, "| %s | %s (%.*s) | ", label, y->workload, dir ? (int)(dir - start) : 1, dir ? start : "?");
    if (n < 2) {  // (e.g. a step QUICK does not run)
        fprintf(o, "— | not run: %s | | | | %s |\n", !x->n ? x->workload : !y->n ? y->workload : "fewer than two allocators in both", note);
        return;
    }
    int clear;
    double tau = concordance(x, y, t, names, n, &clear);
    fprintf(o, "%g | ", t);
    put_order(o, x, t, names, n);
    fputs(" | ", o);
    put_order(o, y, t, names, n);
    fprintf(o, " | %+.2f | %d of %zu | %s |\n", tau, clear, n * (n - 1) / 2, note);
}

// The spec: a pair a line, tab-separated: label, file and workload of the classic, file and
// workload of ours, and a note; '#' starts a comment line. "$DATA/" in a file name stands
// for the run's data directory (--data), any other name is taken as it is.
static char *spec_path(const char *s, const char *data)
{
    if (strncmp(s, "$DATA/", 6) != 0)
        return xstrdup(s);
    char *p = xrealloc(NULL, strlen(data) + strlen(s));
    sprintf(p, "%s/%s", data, s + 6);
    return p;
}

static void bridge_main(int argc, char **argv)
{
    const char *data = NULL;
    opt_t opts[] = { { "--data", &data, 0 }, { 0 } };
    const char **args = xrealloc(NULL, (size_t)argc * sizeof *args);
    if (parse_opts(argc, argv, opts, args) != 1 || !data)
        lab_die("bridge needs one spec file and --data DIR");
    FILE *fp = fopen(args[0], "r");
    if (!fp)
        lab_die("cannot read %s: %s", args[0], strerror(errno));
    FILE *o = open_memstream(&out_buf, &out_len);
    fputs("| classic | ours (chapter) | threads | order, classic (fastest first) | order, ours | Kendall tau | "
          "pairs reversed beyond both intervals | what differs |\n|:--|:--|--:|:--|:--|--:|--:|:--|\n", o);
    char *line = NULL, **f = NULL;
    size_t cap = 0, fcap = 0;
    for (int lineno = 1; getline(&line, &cap, fp) >= 0; lineno++) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line || *line == '#')
            continue;
        size_t n = 0;
        for (char *t = line;; t++) {  // split at tabs
            GROW(f, n, fcap);
            f[n++] = t;
            if (!(t = strchr(t, '\t')))
                break;
            *t = 0;
        }
        if (n != 6)
            lab_die("%s:%d: %zu fields: expected 6, tab-separated: label, classic file, classic workload, "
                    "our file, our workload, note", args[0], lineno, n);
        side_t x = { .path = spec_path(f[1], data), .workload = xstrdup(f[2]) },
               y = { .path = spec_path(f[3], data), .workload = xstrdup(f[4]) };
        bridge_row(o, f[0], &x, &y, f[5]);
        side_free(&x), side_free(&y);
    }
    fclose(fp);
    free(line), free(f), free(args);
    out_flush(o);
}

// ---------------------------------------------------------------------------
// machines mode: do several machines rank the allocators alike?
// ---------------------------------------------------------------------------

static strings_t *workloads_now;

static void workload_row(const char *path, int line, char **f)
{
    (void)line;
    int cw = col_index("workload"), cm = col_index("metric");
    if (cw < 0 || cm < 0)
        lab_die("%s: expected a summary, with columns workload and metric", path);
    if (strcmp(f[cm], "ns_per_op") == 0)
        intern(workloads_now, f[cw]);
}

static int by_number(const void *p, const void *q)
{
    double a = *(const double *)p, b = *(const double *)q;
    return a < b ? -1 : a > b;
}

// The thread counts any of the n sides has, ascending (at most 64): their count.
static size_t thread_counts(const side_t *sd, size_t n, double *t)
{
    size_t nt = 0;
    for (size_t m = 0; m < n; m++)
        for (size_t i = 0; i < sd[m].n; i++) {
            size_t k = 0;
            while (k < nt && t[k] != sd[m].m[i].threads)
                k++;
            if (k == nt && nt < 64)
                t[nt++] = sd[m].m[i].threads;
        }
    qsort(t, nt, sizeof *t, by_number);
    return nt;
}

// One row: workload w at t threads, each machine's order, then each pair's agreement.
static void machines_row(FILE *o, const char *w, double t, const side_t *sd, size_t n)
{
    const char *names[64];
    fprintf(o, "| %s | %g |", w, t);
    for (size_t m = 0; m < n; m++) {
        size_t k = both_have(&sd[m], &sd[m], t, names);
        fputs(" ", o);
        k ? put_order(o, &sd[m], t, names, k) : (void)fputs("—", o);
        fputs(" |", o);
    }
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            size_t k = both_have(&sd[a], &sd[b], t, names);
            int clear;
            double tau = concordance(&sd[a], &sd[b], t, names, k, &clear);
            if (k < 2)
                fputs(" — | — |", o);
            else
                fprintf(o, " %+.2f | %d of %zu |", tau, clear, k * (k - 1) / 2);
        }
    fputc('\n', o);
}

static void machines_main(int argc, char **argv)
{
    size_t n = (size_t)argc - 1;
    if (n < 2)
        lab_die("machines needs two or more NAME=SUMMARY.csv: each machine's name and its summary of one chapter");
    const char **name = xrealloc(NULL, n * sizeof *name), **path = xrealloc(NULL, n * sizeof *path);
    strings_t wl = { 0 };
    for (size_t m = 0; m < n; m++) {
        char *eq = strchr(argv[m + 1], '=');
        if (!eq || eq == argv[m + 1] || !eq[1] || argv[m + 1][0] == '-')
            lab_die("machines: '%s' is not allowed: expected NAME=SUMMARY.csv", argv[m + 1]);
        *eq = 0, name[m] = argv[m + 1], path[m] = eq + 1;
        for (size_t k = 0; k < m; k++)
            if (strcmp(name[k], name[m]) == 0)
                lab_die("machines: machine '%s' is given twice: give each once", name[m]);
        forget_header();
        workloads_now = &wl;
        csv_read(path[m], workload_row);
    }
    FILE *o = open_memstream(&out_buf, &out_len);
    fputs("| workload | threads |", o);
    for (size_t m = 0; m < n; m++)
        fprintf(o, " %s: fastest first |", name[m]);
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            fprintf(o, " Kendall tau, %s vs %s | pairs reversed beyond both intervals |", name[a], name[b]);
    fputs("\n|:--|--:|", o);
    for (size_t c = 0; c < n + n * (n - 1); c++)
        fputs(c < n ? ":--|" : "--:|", o);
    fputc('\n', o);
    side_t *sd = xrealloc(NULL, n * sizeof *sd);
    for (size_t w = 0; w < wl.n; w++) {
        for (size_t m = 0; m < n; m++) {
            sd[m] = (side_t){ .path = xstrdup(path[m]), .workload = xstrdup(wl.s[w]) };
            side_read(&sd[m]);
        }
        double t[64];
        for (size_t i = 0, nt = thread_counts(sd, n, t); i < nt; i++)
            machines_row(o, wl.s[w], t[i], sd, n);
        for (size_t m = 0; m < n; m++)
            side_free(&sd[m]);
    }
    free(sd), free(name), free(path);
    strings_free(&wl);
    out_flush(o);
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

int main(int argc, char **argv)
{
    lab_prog = "summarize";
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return fputs(usage, stdout) < 0;
    if (argc > 1 && strcmp(argv[1], "select") == 0)
        select_main(argc - 1, argv + 1);
    else if (argc > 1 && strcmp(argv[1], "fidelity") == 0)
        fidelity_main(argc - 1, argv + 1);
    else if (argc > 1 && strcmp(argv[1], "counts") == 0)
        counts_main(argc - 1, argv + 1);
    else if (argc > 1 && strcmp(argv[1], "bridge") == 0)
        bridge_main(argc - 1, argv + 1);
    else if (argc > 1 && strcmp(argv[1], "machines") == 0)
        machines_main(argc - 1, argv + 1);
    else if (argc > 1 && strcmp(argv[1], "table") == 0)
        table_main(argc - 1, argv + 1);
    else if (argc > 1 && strcmp(argv[1], "format") == 0)
        format_main(argc - 1, argv + 1);
    else
        summary_main(argc, argv);
    return 0;
}
