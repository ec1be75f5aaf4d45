/* summarize.c -- the statistics of repeated runs, and markdown tables of them.
 *
 * Question: what did each allocator do, how sure are we of it, and how does it compare
 * with the baseline (glibc)?
 *
 * Summary (the default mode): one row per group x metric, from tidy run CSVs.
 *   summarize [--by COLS] [--baseline NAME|COL=VAL] [--boot N] [--seed N] IN.csv... > OUT.summary.csv
 *   header: <by cols...>,metric,n,median,min,max,mean,sd,cv,ci_lo,ci_hi,
 *           ratio,ratio_lo,ratio_hi,status
 * Groups are the distinct values of the --by columns (default allocator,workload,threads),
 * in order of first appearance. A metric is every other column but rep and status whose
 * non-empty values are all finite numbers. Only rows with status "ok" are counted; status
 * says "ok", or e.g. "3 ok; 2 malloc_null" (ok first, the rest by name; ";" because a
 * field may not hold a comma). A group with no ok row still gets its rows, with n=0, so a
 * missing allocator shows in every table.
 *
 * Table: a markdown pipe table of one metric of a summary.
 *   summarize table SUMMARY.csv --metric M --rows COL --cols COL [--cell median|ci|ratio|cv]
 *       [--scale X] [--digits N] [--where C=V,...] [--omit C=V,...] [--resolution METRIC]
 *       [--corner TEXT]
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
 *             one-thread figure; a bare NAME means allocator=NAME. Its CI resamples both samples independently B times and takes the
 *             same quantiles of the ratios of medians: the ratio carries its own
 *             uncertainty. The CI is empty when a resampled baseline median is 0.
 * Every bootstrap uses lab.h's xoshiro256** seeded from --seed (default 1) and a hash of
 * the group and metric: the same input gives the same output, and a group's CI does not
 * change when another group is added to the input.
 *
 * Errors: one line on stderr, "summarize: error: ...", naming the file, line and what is
 * allowed; exit 2. Output is built in memory and printed only once complete.
 */
#include "lab.h"

static const char usage[] =
    "usage: summarize [--by COLS] [--baseline NAME|COL=VAL] [--boot N] [--seed N] IN.csv...\n"
    "       summarize table SUMMARY.csv --metric M --rows COL --cols COL\n"
    "                 [--cell median|ci|ratio|cv] [--scale X] [--digits N]\n"
    "                 [--where COL=VAL,...] [--omit COL=VAL,...] [--resolution METRIC]\n"
    "                 [--corner TEXT]\n";

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

static void put(FILE *o, double v)  // ",value", or "," for no value
{
    fputc(',', o);
    if (!isnan(v))
        fprintf(o, "%.6g", v);
}

// ---------------------------------------------------------------------------
// csv input: a header and rows of fields; no quoting, an empty field is no value
// ---------------------------------------------------------------------------

typedef struct {
    char **f;  // fields, pointing into the row's own copy of its line
    int line;
} row_t;

static struct {
    char **col;  // header, from the first file
    int ncol;
    const char *file0;
    row_t *row;
    size_t nrow, cap;
} in;  // the input (static, so every allocation stays reachable)

// Splits a copy of line at commas; returns the field count.
static int split(const char *line, char ***out)
{
    char *s = xstrdup(line);
    int n = 1;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    char **f = *out = xrealloc(NULL, (size_t)n * sizeof *f);
    f[0] = s;
    for (int i = 1; (s = strchr(s, ',')); i++) {
        *s++ = 0;
        f[i] = s;
    }
    return n;
}

static int col_index(const char *name)
{
    for (int i = 0; i < in.ncol; i++)
        if (strcmp(in.col[i], name) == 0)
            return i;
    return -1;
}

static void set_header(const char *path, char **f, int n)
{
    bool same = n == in.ncol;
    for (int i = 0; same && i < n; i++)
        same = strcmp(f[i], in.col[i]) == 0;
    if (in.col && !same)
        lab_die("%s:1: header differs from the header of %s: inputs must have the same columns",
                path, in.file0);
    for (int i = 0; i < n && !in.col; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(f[i], f[j]) == 0)
                lab_die("%s:1: column '%s' appears twice", path, f[i]);
    if (in.col) {
        free(f[0]);
        free(f);
    } else {
        in.col = f, in.ncol = n, in.file0 = path;
    }
}

// Appends the rows of one file to the input (blank lines are skipped).
static void csv_read(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        lab_die("cannot read %s: %s", path, strerror(errno));
    char *line = NULL, **f;
    size_t cap = 0, len;
    bool header = true;
    for (int lineno = 1; getline(&line, &cap, fp) >= 0; lineno++) {
        for (len = strlen(line); len && (line[len - 1] == '\n' || line[len - 1] == '\r');)
            line[--len] = 0;
        if (!len)
            continue;
        int n = split(line, &f);
        if (header) {
            set_header(path, f, n);
            header = false;
            continue;
        }
        if (n != in.ncol)
            lab_die("%s:%d: %d fields, header has %d", path, lineno, n, in.ncol);
        GROW(in.row, in.nrow, in.cap);
        in.row[in.nrow++] = (row_t){ f, lineno };
    }
    if (ferror(fp))
        lab_die("cannot read %s: %s", path, strerror(errno));
    fclose(fp);
    free(line);
    if (header)
        lab_die("%s is empty: expected a header row", path);
}

// The number in a field: false if it is empty or not a finite number.
static bool num(const char *s, double *v) { return lab_parse_f64(s, -HUGE_VAL, HUGE_VAL, v); }

// ---------------------------------------------------------------------------
// statistics
// ---------------------------------------------------------------------------

typedef struct {
    size_t n;
    double median, min, max, mean, sd, cv, ci_lo, ci_hi, ratio, ratio_lo, ratio_hi;
} stats_t;

static size_t opt_boot;
static uint64_t opt_seed;

static double resampled_median(lab_rng_t *r, const double *v, size_t n, double *buf)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = v[lab_rng_below(r, n)];
    return lab_median(buf, n);
}

// Bootstrap 95% CI of median(a) / median(b), or of median(a) alone when b is NULL.
static void bootstrap(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
                      double *lo, double *hi)
{
    lab_rng_t r;
    lab_rng_seed(&r, seed);
    size_t B = opt_boot, i;
    double *m = xrealloc(NULL, B * sizeof *m);
    double *buf = xrealloc(NULL, (na > nb ? na : nb) * sizeof *buf);
    for (i = 0; i < B; i++) {
        m[i] = resampled_median(&r, a, na, buf);
        double mb = b ? resampled_median(&r, b, nb, buf) : 1;
        if (mb == 0)
            break;  // a ratio with no value: no CI
        m[i] /= mb;
    }
    *lo = *hi = NAN;
    if (i == B) {  // the 2.5% and 97.5% quantiles: floor(0.025 B) and ceil(0.975 B) - 1
        qsort(m, B, sizeof *m, lab_cmp_double);
        *lo = m[B * 25 / 1000];
        *hi = m[(B * 975 + 999) / 1000 - 1];
    }
    free(m);
    free(buf);
}

// Everything but the ratio, of the n values in v (sorted here).
static stats_t stats(double *v, size_t n, uint64_t seed)
{
    stats_t s = { n, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN };
    if (!n)
        return s;
    s.median = lab_median(v, n);
    s.min = v[0], s.max = v[n - 1];
    double sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    s.mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - s.mean) * (v[i] - s.mean);
    if (n >= 2) {
        s.sd = sqrt(ss / (double)(n - 1));
        s.cv = s.mean != 0 ? s.sd / s.mean : NAN;
    }
    bootstrap(v, n, NULL, 0, seed, &s.ci_lo, &s.ci_hi);
    return s;
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
// summary mode
// ---------------------------------------------------------------------------

typedef struct {
    size_t *rows, n, cap;  // indices into in.row; rows[0] holds the by-values
    long base;             // the baseline group, or -1
    char *status;
} group_t;

static int *by, nby, *metric, nmetric;  // column indices
static group_t *grp;
static size_t ngrp, capgrp;

// True when row a's by-values equal row b's, except that column alt must read altval.
static bool same_key(size_t a, size_t b, int alt, const char *altval)
{
    for (int k = 0; k < nby; k++)
        if (strcmp(in.row[a].f[by[k]], by[k] == alt ? altval : in.row[b].f[by[k]]) != 0)
            return false;
    return true;
}

// baseline: "NAME" (allocator=NAME) or "COL=VAL", where COL must be a --by column.
static void make_groups(const char *baseline)
{
    const char *eq = strchr(baseline, '='), *bcol = "allocator";
    char colbuf[256];
    if (eq) {
        snprintf(colbuf, sizeof colbuf, "%.*s", (int)(eq - baseline), baseline);
        bcol = colbuf;
        baseline = eq + 1;
    }
    for (size_t i = 0; i < in.nrow; i++) {
        size_t g = 0;
        while (g < ngrp && !same_key(i, grp[g].rows[0], -1, NULL))
            g++;
        if (g == ngrp) {
            GROW(grp, ngrp, capgrp);
            grp[ngrp++] = (group_t){ NULL, 0, 0, -1, NULL };
        }
        GROW(grp[g].rows, grp[g].n, grp[g].cap);
        grp[g].rows[grp[g].n++] = i;
    }
    int alloc = -1;  // the baseline's column
    for (int k = 0; k < nby; k++)
        alloc = strcmp(in.col[by[k]], bcol) == 0 ? by[k] : alloc;
    if (eq && alloc < 0)
        lab_die("--baseline column '%s' is not a --by column", bcol);
    for (size_t g = 0; g < ngrp && alloc >= 0; g++)
        for (size_t h = 0; h < ngrp && grp[g].base < 0; h++)
            if (same_key(grp[h].rows[0], grp[g].rows[0], alloc, baseline))
                grp[g].base = (long)h;
}

static int cmp_status(const void *a, const void *b)  // "ok" first, then by name
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int ox = strcmp(x, "ok") != 0, oy = strcmp(y, "ok") != 0;
    return ox != oy ? ox - oy : strcmp(x, y);
}

// "ok" if every row is ok, else counts: "3 ok; 2 malloc_null". sc: status column or -1.
static char *status_account(const group_t *g, int sc)
{
    const char **s = xrealloc(NULL, g->n * sizeof *s);
    size_t nok = 0, len;
    for (size_t i = 0; i < g->n; i++) {
        s[i] = sc < 0 ? "ok" : in.row[g->rows[i]].f[sc];
        s[i] = *s[i] ? s[i] : "empty";
        nok += strcmp(s[i], "ok") == 0;
    }
    char *text;
    FILE *m = open_memstream(&text, &len);
    qsort(s, g->n, sizeof *s, cmp_status);
    for (size_t i = 0, j; i < g->n && nok < g->n; i = j) {
        for (j = i; j < g->n && strcmp(s[j], s[i]) == 0; j++)
            ;
        fprintf(m, "%s%zu %s", i ? "; " : "", j - i, s[i]);
    }
    fputs(nok == g->n ? "ok" : "", m);
    fclose(m);
    free(s);
    return text;
}

static bool is_metric(int c)
{
    double v;
    for (int k = 0; k < nby; k++)
        if (by[k] == c)
            return false;
    for (size_t i = 0; i < in.nrow; i++)
        if (*in.row[i].f[c] && !num(in.row[i].f[c], &v))
            return false;
    return strcmp(in.col[c], "rep") != 0 && strcmp(in.col[c], "status") != 0;
}

static void find_columns(const char *bylist)
{
    char **f;
    nby = split(bylist, &f);
    by = xrealloc(NULL, (size_t)nby * sizeof *by);
    for (int k = 0; k < nby; k++)
        if ((by[k] = col_index(f[k])) < 0)
            lab_die("--by column '%s' is not in the header of %s", f[k], in.file0);
    free(f[0]);
    free(f);
    metric = xrealloc(NULL, (size_t)in.ncol * sizeof *metric);
    for (int c = 0; c < in.ncol; c++)
        if (is_metric(c))
            metric[nmetric++] = c;
    if (!nmetric)
        lab_die("%s has no numeric column to summarize besides --by, rep and status", in.file0);
}

// The values of column c in the ok rows of group g, skipping empty fields.
static size_t values(const group_t *g, int c, int sc, double *v)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++) {
        char **f = in.row[g->rows[i]].f;
        if ((sc < 0 || strcmp(f[sc], "ok") == 0) && *f[c])
            num(f[c], &v[n++]);
    }
    return n;
}

static uint64_t seed_of(const group_t *g, int c, const char *purpose)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int k = 0; k < nby; k++)
        h = fnv1a(h, in.row[g->rows[0]].f[by[k]]);
    return opt_seed ^ fnv1a(fnv1a(h, in.col[c]), purpose);
}

// Statistics of metric m for every group: st[g * nmetric + m].
static void summarize_metric(int m, int sc, stats_t *st)
{
    double **v = xrealloc(NULL, ngrp * sizeof *v);
    size_t nm = (size_t)nmetric;
    for (size_t g = 0; g < ngrp; g++) {
        v[g] = xrealloc(NULL, grp[g].n * sizeof **v);
        size_t n = values(&grp[g], metric[m], sc, v[g]);
        st[g * nm + (size_t)m] = stats(v[g], n, seed_of(&grp[g], metric[m], "median"));
    }
    for (size_t g = 0; g < ngrp; g++) {
        size_t b = (size_t)grp[g].base;
        if (grp[g].base >= 0)
            ratio(&st[g * nm + (size_t)m], v[g], &st[b * nm + (size_t)m], v[b],
                  seed_of(&grp[g], metric[m], "ratio"));
    }
    for (size_t g = 0; g < ngrp; g++)
        free(v[g]);
    free(v);
}

static void print_summary(FILE *o, const stats_t *st)
{
    for (int k = 0; k < nby; k++)
        fprintf(o, "%s,", in.col[by[k]]);
    fprintf(o, "metric,n,median,min,max,mean,sd,cv,ci_lo,ci_hi,ratio,ratio_lo,ratio_hi,status\n");
    for (size_t g = 0; g < ngrp; g++)
        for (int m = 0; m < nmetric; m++, st++) {
            for (int k = 0; k < nby; k++)
                fprintf(o, "%s,", in.row[grp[g].rows[0]].f[by[k]]);
            fprintf(o, "%s,%zu", in.col[metric[m]], st->n);
            put(o, st->median), put(o, st->min), put(o, st->max), put(o, st->mean);
            put(o, st->sd), put(o, st->cv), put(o, st->ci_lo), put(o, st->ci_hi);
            put(o, st->ratio), put(o, st->ratio_lo), put(o, st->ratio_hi);
            fprintf(o, ",%s\n", grp[g].status);
        }
}

static void summary_main(int argc, char **argv)
{
    const char *bylist = "allocator,workload,threads", *baseline = "glibc", *boot = "2000",
               *seed = "1", **files = xrealloc(NULL, (size_t)argc * sizeof *files);
    opt_t opts[] = { { "--by", &bylist, 0 }, { "--baseline", &baseline, 0 },
                     { "--boot", &boot, 0 }, { "--seed", &seed, 0 }, { 0 } };
    int nfiles = parse_opts(argc, argv, opts, files);
    opt_boot = lab_opt_u64("--boot", boot, 100, 100000);
    opt_seed = lab_opt_u64("--seed", seed, 0, UINT64_MAX);
    if (!nfiles)
        lab_die("no input file: see summarize --help");
    for (int i = 0; i < nfiles; i++)
        csv_read(files[i]);
    free(files);
    find_columns(bylist);
    make_groups(baseline);
    int sc = col_index("status");
    stats_t *st = xrealloc(NULL, ngrp * (size_t)nmetric * sizeof *st);
    for (int m = 0; m < nmetric; m++)
        summarize_metric(m, sc, st);
    for (size_t g = 0; g < ngrp; g++)
        grp[g].status = status_account(&grp[g], sc);
    FILE *o = open_memstream(&out_buf, &out_len);
    print_summary(o, st);
    out_flush(o);
    free(st);
}

// ---------------------------------------------------------------------------
// table mode
// ---------------------------------------------------------------------------

enum { CELL_MEDIAN, CELL_CI, CELL_RATIO, CELL_CV };
static const char *const cell_names[] = { "median", "ci", "ratio", "cv", NULL };

// The columns a summary must have; tb.k[K_...] is each one's index.
enum { K_METRIC, K_N, K_MEDIAN, K_CV, K_CI_LO, K_CI_HI, K_RATIO, K_RATIO_LO, K_RATIO_HI,
       K_STATUS, K_COUNT };
static const char *const key_names[] = { "metric", "n", "median", "cv", "ci_lo", "ci_hi",
                                         "ratio", "ratio_lo", "ratio_hi", "status" };

typedef struct {
    int col;
    const char *val;
} cond_t;

static struct {
    const char *path, *metric, *res;
    int cell, digits, k[K_COUNT], rows, cols;
    double scale;
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
    char **f;
    int n = s ? split(s, &f) : 0;
    cond_t *c = xrealloc(NULL, (size_t)(n + 1) * sizeof *c);
    for (int i = 0; i < n; i++) {
        char *eq = strchr(f[i], '=');
        if (!eq || eq == f[i])
            lab_die("%s '%s' is not allowed: expected COL=VAL[,COL=VAL...]", opt, s);
        *eq = 0;
        c[i] = (cond_t){ need_col(f[i], opt), eq + 1 };
    }
    c[n].col = -1;
    if (n)
        free(f);  // its fields stay, pointed to by the conditions
    return c;
}

static bool any(size_t i, const cond_t *c, bool want)  // does any condition match = want?
{
    for (; c->col >= 0; c++)
        if ((strcmp(in.row[i].f[c->col], c->val) == 0) == want)
            return true;
    return false;
}

static bool selected(size_t i)
{
    return strcmp(in.row[i].f[tb.k[K_METRIC]], tb.metric) == 0 && !any(i, tb.where, false) &&
           !any(i, tb.omit, true);
}

// Field k of summary row i as a number; NAN when empty.
static double field(size_t i, int k)
{
    const char *s = in.row[i].f[tb.k[k]];
    double v = NAN;
    if (*s && !num(s, &v))
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

// v scaled, with --digits significant digits in fixed notation: 12345, 3.14, 0.0123.
static char *sig(char *buf, double v)
{
    char e[64];
    if (!isfinite(v *= tb.scale))
        return strcpy(buf, "—");
    snprintf(e, sizeof e, "%.*e", tb.digits - 1, v);
    int dec = tb.digits - 1 - atoi(strchr(e, 'e') + 1);
    snprintf(buf, 64, "%.*f", v == 0 || dec < 0 ? 0 : dec, v);
    return buf;
}

// The text of a cell filled by summary row i (-1: none); notes which footnotes it needs.
static void cell_text(long i, char *buf, size_t len)
{
    char a[64], b[64], c[64];
    size_t r = (size_t)i;
    if (i < 0) {
        snprintf(buf, len, "—");
        return;
    }
    if (field(r, K_N) == 0 || isnan(field(r, K_MEDIAN))) {  // no ok run: say why
        snprintf(buf, len, "— (%s)", in.row[r].f[tb.k[K_STATUS]]);
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

static void layout(void)
{
    for (size_t i = 0; i < in.nrow; i++)
        if (selected(i)) {
            label(&lay.rl, &lay.nr, &lay.capr, in.row[i].f[tb.rows]);
            label(&lay.cl, &lay.nc, &lay.capc, in.row[i].f[tb.cols]);
        }
    if (!lay.nr)
        lab_die("no rows with metric '%s' in %s are left by --where and --omit", tb.metric,
                tb.path);
    lay.cell = xrealloc(NULL, lay.nr * lay.nc * sizeof *lay.cell);
    for (size_t i = 0; i < lay.nr * lay.nc; i++)
        lay.cell[i] = -1;
    for (size_t i = 0; i < in.nrow; i++) {
        if (!selected(i))
            continue;
        char **f = in.row[i].f;
        size_t r = label(&lay.rl, &lay.nr, &lay.capr, f[tb.rows]);
        size_t c = label(&lay.cl, &lay.nc, &lay.capc, f[tb.cols]);
        long *cell = &lay.cell[r * lay.nc + c];
        if (*cell >= 0)
            lab_die("%s: lines %d and %d both fall in row '%s', column '%s': narrow with --where",
                    tb.path, in.row[*cell].line, in.row[i].line, f[tb.rows], f[tb.cols]);
        *cell = (long)i;
    }
}

static void print_table(FILE *o, const char *corner)
{
    char buf[512];
    fprintf(o, "| %s |", corner ? corner : in.col[tb.rows]);
    for (size_t c = 0; c < lay.nc; c++)
        fprintf(o, " %s |", lay.cl[c]);
    fprintf(o, "\n|---|");
    for (size_t c = 0; c < lay.nc; c++)
        fprintf(o, "---:|");
    for (size_t r = 0; r < lay.nr; r++) {
        fprintf(o, "\n| %s |", lay.rl[r]);
        for (size_t c = 0; c < lay.nc; c++) {
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

static void table_main(int argc, char **argv)
{
    const char *rows = NULL, *cols = NULL, *cell = "median", *scale = "1", *digits = "3",
               *where = NULL, *omit = NULL, *corner = NULL;
    opt_t opts[] = { { "--metric", &tb.metric, 0 }, { "--rows", &rows, 0 },
                     { "--cols", &cols, 0 }, { "--cell", &cell, 0 }, { "--scale", &scale, 0 },
                     { "--digits", &digits, 0 }, { "--where", &where, 0 },
                     { "--omit", &omit, 0 }, { "--resolution", &tb.res, 0 },
                     { "--corner", &corner, 0 }, { 0 } };
    const char **args = xrealloc(NULL, (size_t)argc * sizeof *args);
    if (parse_opts(argc, argv, opts, args) != 1 || !tb.metric || !rows || !cols)
        lab_die("table needs one SUMMARY.csv, --metric M, --rows COL and --cols COL");
    tb.path = args[0];
    free(args);
    tb.cell = lab_opt_choice("--cell", cell, cell_names);
    tb.scale = lab_opt_f64("--scale", scale, 1e-30, 1e30);
    tb.digits = (int)lab_opt_u64("--digits", digits, 1, 15);
    csv_read(tb.path);
    for (int k = 0; k < K_COUNT; k++)
        tb.k[k] = need_col(key_names[k], "summary");
    tb.rows = need_col(rows, "--rows");
    tb.cols = need_col(cols, "--cols");
    tb.where = conds("--where", where);
    tb.omit = conds("--omit", omit);
    if (find_row(tb.metric, -1) < 0)
        lab_die("no rows with metric '%s' in %s", tb.metric, tb.path);
    if (tb.res && find_row(tb.res, -1) < 0)
        lab_die("no rows with metric '%s' (--resolution) in %s", tb.res, tb.path);
    layout();
    FILE *o = open_memstream(&out_buf, &out_len);
    print_table(o, corner);
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
    if (argc > 1 && strcmp(argv[1], "table") == 0)
        table_main(argc - 1, argv + 1);
    else
        summary_main(argc, argv);
    return 0;
}
