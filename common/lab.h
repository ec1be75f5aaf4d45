/* lab.h -- the tiny shared header of heaplab.
 *
 * Every experiment is one C file that includes this header and nothing else of ours.
 * One section per concern, in this order:
 *
 *   errors and options  lab_die, lab_parse_u64 (k/m/g suffixes), lab_opt_u64, lab_opt_f64,
 *                       lab_opt_choice, lab_opt_str
 *   clocks              lab_clock (TSC calibrated against CLOCK_MONOTONIC_RAW, or
 *                       clock_gettime when the TSC is not invariant), lab_t0/lab_t1
 *   histogram           lab_hist_t: log-linear, 128 sub-buckets per power of two
 *                       (<= 0.78% bucket width), fixed 43 KiB, no allocation, mergeable
 *                       LAB_TIMED_CALL: one TSC bracket around a call, into a histogram
 *   rss probes          statm through a kept fd, VmRSS/VmHWM, smaps_rollup, clear_refs;
 *                       lab_footprint_begin/end: peak RSS, baseline and faults of a run
 *   csv rows            lab_row_t: every value is written under its column's name;
 *                       lab_row_micro writes chapter 1's columns (LAB_MICRO_COLUMNS)
 *   common options      lab_program_t + lab_getopt: --workload (from the program's workload
 *                       table) --seed --rep --quick --header --cases --describe --context
 *                       -h/--help, the same in every program; unknown, duplicated and
 *                       valueless options are errors; lab_usage and lab_describe print the
 *                       usage and the workloads' table from the program's description
 *   prng and sizes      xoshiro256** seeded by splitmix64; uniform and log-normal sizes;
 *                       LAB_GOLDEN64 and lab_tag (the validation pattern's tags)
 *   footprint           lab_require_memory: a run that cannot fit into MemAvailable is refused
 *   memory              lab_escape, lab_block_fault, lab_fill/lab_check (the validation pattern)
 *   threads             lab_ncpus, lab_pin
 *   allocator identity  lab_malloc(), lab_malloc_sym(): the library whose malloc is live;
 *                       lab_allocator(): its name, checked against the runner's
 *
 * Units are in names: _ns, _kib, _bytes. Everything is static inline: each program is one
 * translation unit, and an unused helper costs nothing.
 */
#ifndef LAB_H
#define LAB_H

#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

// ---------------------------------------------------------------------------
// errors and options
// ---------------------------------------------------------------------------

// Exit codes shared by every program and understood by common/run.
#define LAB_EXIT_USAGE 2      // bad input: the runner stops
#define LAB_EXIT_WRONG_ALLOC 3 // the preload did not take: the runner stops

static const char *lab_prog = "heaplab";

__attribute__((format(printf, 2, 3), noreturn))
static inline void lab_die_code(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", lab_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}
#define lab_die(...) lab_die_code(LAB_EXIT_USAGE, __VA_ARGS__)

// Parses an unsigned integer with an optional binary suffix (k, m, g: KiB, MiB, GiB).
// Returns false on anything else: sign, junk, overflow, out of [lo, hi].
static inline bool lab_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return false;
    int shift = 0;
    switch (tolower((unsigned char)*end)) {
    case 'k': shift = 10; end++; break;
    case 'm': shift = 20; end++; break;
    case 'g': shift = 30; end++; break;
    }
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return false;
    v <<= shift;
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static inline bool lab_parse_f64(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

// Writes v as the usage texts do: with a k/m/g suffix where that is exact, from 10k up
// (below that a plain number reads better: 1024 threads, 4096 MiB). lab_parse_u64 reads
// back every string this writes.
static inline const char *lab_fmt_u64(char buf[24], uint64_t v)
{
    static const char suffix[] = "kmg";
    int i = -1;
    while (i < 2 && v && v % 1024 == 0 && (i >= 0 || v >= 10240))
        v /= 1024, i++;
    snprintf(buf, 24, "%llu%.*s", (unsigned long long)v, i >= 0, i >= 0 ? &suffix[i] : "");
    return buf;
}

// The one line for a bad or missing value: a missing value reads as an empty one (see
// lab_getopt), so both say what the option allows.
__attribute__((format(printf, 3, 4), noreturn))
static inline void lab_die_value(const char *opt, const char *s, const char *fmt, ...)
{
    char allowed[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(allowed, sizeof allowed, fmt, ap);
    va_end(ap);
    if (!s || !*s)
        lab_die("%s needs a value: %s", opt, allowed);
    lab_die("%s '%s' is not allowed: %s", opt, s, allowed);
}

static inline uint64_t lab_opt_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
    uint64_t v;
    char a[24], b[24];
    if (!lab_parse_u64(s, lo, hi, &v))
        lab_die_value(opt, s, "expected an integer from %s to %s", lab_fmt_u64(a, lo), lab_fmt_u64(b, hi));
    return v;
}

static inline double lab_opt_f64(const char *opt, const char *s, double lo, double hi)
{
    double v;
    if (!lab_parse_f64(s, lo, hi, &v))
        lab_die_value(opt, s, "expected a number from %g to %g", lo, hi);
    return v;
}

// A string value (a file, a directory): anything but empty.
static inline const char *lab_opt_str(const char *opt, const char *s, const char *what)
{
    if (!s || !*s)
        lab_die_value(opt, s, "expected %s", what);
    return s;
}

// Returns the index of s in the NULL-terminated list, or dies listing the choices.
static inline int lab_opt_choice(const char *opt, const char *s, const char *const *choices)
{
    char list[512] = "";
    for (int i = 0; choices[i]; i++) {
        if (strcmp(s, choices[i]) == 0)
            return i;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 choices[i]);
    }
    if (!*s)
        lab_die("%s needs a value: expected one of %s", opt, list);
    lab_die("unknown %s '%s': expected one of %s", opt, s, list);
}

// ---------------------------------------------------------------------------
// clocks
// ---------------------------------------------------------------------------

typedef struct {
    bool tsc;               // true: ticks are TSC cycles; false: ticks are ns
    double ns_per_tick;
    double overhead_ticks;  // median cost of an empty lab_t0/lab_t1 bracket
    double resolution_ns;   // spread (p10..p90) of the empty bracket, at least one step
    double step_ticks;      // the smallest nonzero difference of two back-to-back reads
} lab_clock_t;

static lab_clock_t lab_clock = { .ns_per_tick = 1.0 };

static inline uint64_t lab_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// Bracket start: lfence keeps earlier instructions from leaking into the interval.
static inline uint64_t lab_t0(void)
{
#if defined(__x86_64__)
    if (lab_clock.tsc) {
        uint32_t lo, hi;
        __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) :: "memory");
        return ((uint64_t)hi << 32) | lo;
    }
#endif
    return lab_now_ns();
}

// Bracket end: rdtscp waits for the measured code; lfence keeps later code out.
static inline uint64_t lab_t1(void)
{
#if defined(__x86_64__)
    if (lab_clock.tsc) {
        uint32_t lo, hi, aux;
        __asm__ volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux) :: "memory");
        return ((uint64_t)hi << 32) | lo;
    }
#endif
    return lab_now_ns();
}

static inline double lab_ticks_ns(double ticks) { return ticks * lab_clock.ns_per_tick; }

// The TSC is usable only when it ticks at a constant rate through P- and C-states.
static inline bool lab_tsc_invariant(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return false;
    char line[4096];
    bool constant = false, nonstop = false;
    while (fgets(line, sizeof line, f) && strncmp(line, "flags", 5) != 0)
        ;
    if (strncmp(line, "flags", 5) == 0) {
        constant = strstr(line, " constant_tsc") != NULL;
        nonstop = strstr(line, " nonstop_tsc") != NULL;
    }
    fclose(f);
    return constant && nonstop;
}

static int lab_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int lab_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// The median of n values (sorts them).
static inline double lab_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, lab_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Calibrates over ~20 ms, then measures the empty bracket 2x10^4 times.
// The TSC's ns per tick over one window of ms milliseconds of CLOCK_MONOTONIC_RAW.
static inline double lab_calibrate(uint64_t ms)
{
    uint64_t n0 = lab_now_ns(), c0 = lab_t0(), n1;
    while ((n1 = lab_now_ns()) - n0 < ms * 1000000u)
        ;
    uint64_t c1 = lab_t1();
    return (double)(n1 - n0) / (double)(c1 - c0);
}

// n empty brackets (lab_t0 ... lab_t1), in ticks, sorted.
static inline void lab_empty_brackets(uint64_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t t = lab_t0();
        d[i] = lab_t1() - t;
    }
    qsort(d, n, sizeof d[0], lab_cmp_u64);
}

// LAB_CLOCK=gettime forces the fallback (for tests and for machines we do not trust).
static inline void lab_clock_init(void)
{
    const char *force = getenv("LAB_CLOCK");
    lab_clock.tsc = !(force && strcmp(force, "gettime") == 0) && lab_tsc_invariant();
#if !defined(__x86_64__)
    lab_clock.tsc = false;
#endif
    lab_clock.ns_per_tick = lab_clock.tsc ? lab_calibrate(20) : 1.0;
    enum { N = 20000 };
    static uint64_t d[N];
    lab_empty_brackets(d, N);
    lab_clock.overhead_ticks = (double)d[N / 2];
    // What one bracket can resolve is its own spread (p10 to p90), and never less than
    // the counter's step: a virtual TSC may advance in steps of many ticks (about 20 under
    // KVM on AMD), and then every empty bracket may read the same two steps, spread 0.
    uint64_t step = UINT64_MAX;
    for (int i = 0; i < N; i++) {
        uint64_t a = lab_t0(), b = lab_t0();
        if (b > a && b - a < step)
            step = b - a;
    }
    lab_clock.step_ticks = step == UINT64_MAX ? 1 : (double)step;
    lab_clock.resolution_ns = lab_ticks_ns(fmax((double)(d[N * 9 / 10] - d[N / 10]), lab_clock.step_ticks));
}

// The context line every program prints for env.txt (`--context`).
static inline void lab_print_clock(void)
{
    lab_clock_init();
    printf("timer: %s, %.4f GHz, empty bracket %.1f ns (subtracted), resolution %.2f ns\n",
           lab_clock.tsc ? "invariant TSC (lfence;rdtsc / rdtscp;lfence)" : "clock_gettime(CLOCK_MONOTONIC_RAW)",
           1.0 / lab_clock.ns_per_tick, lab_ticks_ns(lab_clock.overhead_ticks), lab_clock.resolution_ns);
}

// ---------------------------------------------------------------------------
// histogram
// ---------------------------------------------------------------------------

// Values below 2*LAB_HIST_SUB are exact. Above, each power of two [2^e, 2^(e+1)) is split
// into LAB_HIST_SUB equal buckets of width 2^(e-7): relative width <= 1/128 = 0.78%, and the
// midpoint we report is within 0.39% of any value in the bucket.
#define LAB_HIST_SUB_BITS 7
#define LAB_HIST_SUB (1u << LAB_HIST_SUB_BITS)          // 128
#define LAB_HIST_MAX_BITS 48                             // 2^48 ticks: > 1 day at 3 GHz
#define LAB_HIST_BUCKETS (2 * LAB_HIST_SUB + (LAB_HIST_MAX_BITS - LAB_HIST_SUB_BITS - 1) * LAB_HIST_SUB)

typedef struct {
    uint64_t count, min, max;
    uint64_t counts[LAB_HIST_BUCKETS];  // 5376 x 8 B = 43 KiB
} lab_hist_t;

static inline void lab_hist_init(lab_hist_t *h)
{
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

static inline unsigned lab_hist_index(uint64_t v)
{
    if (v < 2 * LAB_HIST_SUB)
        return (unsigned)v;
    if (v >> LAB_HIST_MAX_BITS)
        return LAB_HIST_BUCKETS - 1;
    unsigned e = 63u - (unsigned)__builtin_clzll(v);               // 8 .. 47
    unsigned m = (unsigned)(v >> (e - LAB_HIST_SUB_BITS)) & (LAB_HIST_SUB - 1);
    return 2 * LAB_HIST_SUB + (e - LAB_HIST_SUB_BITS - 1) * LAB_HIST_SUB + m;
}

// Lowest value of bucket i and its width.
static inline uint64_t lab_hist_low(unsigned i, uint64_t *width)
{
    if (i < 2 * LAB_HIST_SUB) {
        *width = 1;
        return i;
    }
    unsigned e = (i - 2 * LAB_HIST_SUB) / LAB_HIST_SUB + LAB_HIST_SUB_BITS + 1;
    unsigned m = (i - 2 * LAB_HIST_SUB) % LAB_HIST_SUB;
    *width = 1ull << (e - LAB_HIST_SUB_BITS);
    return (1ull << e) + m * *width;
}

static inline void lab_hist_record(lab_hist_t *h, uint64_t v)
{
    h->counts[lab_hist_index(v)]++;
    h->count++;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

static inline void lab_hist_merge(lab_hist_t *dst, const lab_hist_t *src)
{
    for (unsigned i = 0; i < LAB_HIST_BUCKETS; i++)
        dst->counts[i] += src->counts[i];
    dst->count += src->count;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

// The value at quantile q in [0, 1]: the midpoint of the bucket holding the
// ceil(q*count)-th smallest value, clamped to the exact min and max. 0 when empty.
static inline double lab_hist_quantile(const lab_hist_t *h, double q)
{
    if (h->count == 0)
        return 0;
    if (q <= 0)
        return (double)h->min;
    if (q >= 1)
        return (double)h->max;
    uint64_t rank = (uint64_t)ceil(q * (double)h->count), seen = 0;
    if (rank < 1)
        rank = 1;
    for (unsigned i = 0; i < LAB_HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            uint64_t w, lo = lab_hist_low(i, &w);
            double mid = (double)lo + (double)(w - 1) / 2.0;
            return fmin(fmax(mid, (double)h->min), (double)h->max);
        }
    }
    return (double)h->max;
}

// The timed-call bracket: runs `call` (a statement), and when `timed`, between lab_t0 and
// lab_t1, recording the ticks it took in histogram h. Evaluates to those ticks (0 when
// untimed). The untimed path is the call alone: no clock read in a throughput loop.
#define LAB_TIMED_CALL(timed, h, call)                                                    \
    ({                                                                                    \
        uint64_t lab_dt_ = 0;                                                             \
        if (timed) {                                                                      \
            uint64_t lab_t_ = lab_t0();                                                   \
            call;                                                                         \
            lab_dt_ = lab_t1() - lab_t_;                                                  \
            lab_hist_record((h), lab_dt_);                                                \
        } else {                                                                          \
            call;                                                                         \
        }                                                                                 \
        lab_dt_;                                                                          \
    })

// ---------------------------------------------------------------------------
// rss probes
// ---------------------------------------------------------------------------

typedef struct {
    uint64_t rss_kib, lazyfree_kib, private_dirty_kib, anon_huge_kib;
} lab_smaps_t;

// "size resident shared text lib data dt" in pages -> resident KiB.
static inline bool lab_parse_statm(const char *text, uint64_t page_kib, uint64_t *rss_kib)
{
    unsigned long long size, resident;
    if (sscanf(text, "%llu %llu", &size, &resident) != 2)
        return false;
    *rss_kib = resident * page_kib;
    return true;
}

// Finds "Key:   123 kB" in /proc/self/status or smaps_rollup text.
static inline bool lab_parse_kib_field(const char *text, const char *key, uint64_t *kib)
{
    size_t n = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        unsigned long long v;
        if (strncmp(p, key, n) == 0 && p[n] == ':' && sscanf(p + n + 1, "%llu", &v) == 1) {
            *kib = v;
            return true;
        }
    }
    return false;
}

static inline bool lab_parse_smaps(const char *text, lab_smaps_t *s)
{
    memset(s, 0, sizeof *s);
    // LazyFree and AnonHugePages exist since Linux 4.12 and 2.6.38; Rss is always there.
    lab_parse_kib_field(text, "LazyFree", &s->lazyfree_kib);
    lab_parse_kib_field(text, "Private_Dirty", &s->private_dirty_kib);
    lab_parse_kib_field(text, "AnonHugePages", &s->anon_huge_kib);
    return lab_parse_kib_field(text, "Rss", &s->rss_kib);
}

// Reads a whole small /proc file into buf; false if it cannot.
static inline bool lab_read_file(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = 0;
    return true;
}

static int lab_statm_fd = -1;

// RSS from /proc/self/statm with pread on a kept fd: ~1 us, cheap enough to sample.
static inline uint64_t lab_rss_kib(void)
{
    if (lab_statm_fd < 0 && (lab_statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) < 0)
        lab_die_code(1, "cannot open /proc/self/statm: %s", strerror(errno));
    char buf[128];
    ssize_t n = pread(lab_statm_fd, buf, sizeof buf - 1, 0);
    uint64_t kib;
    if (n <= 0 || (buf[n] = 0, !lab_parse_statm(buf, (uint64_t)sysconf(_SC_PAGESIZE) / 1024, &kib)))
        lab_die_code(1, "cannot read /proc/self/statm");
    return kib;
}

// A field of /proc/self/status: "VmRSS" now, "VmHWM" the peak since start or clear_refs.
static inline uint64_t lab_status_kib(const char *key)
{
    char buf[8192];
    uint64_t kib;
    if (!lab_read_file("/proc/self/status", buf, sizeof buf) || !lab_parse_kib_field(buf, key, &kib))
        lab_die_code(1, "cannot read %s from /proc/self/status", key);
    return kib;
}

// smaps_rollup walks every mapping: up to milliseconds. Phase boundaries only.
static inline bool lab_smaps_rollup(lab_smaps_t *s)
{
    char buf[4096];
    return lab_read_file("/proc/self/smaps_rollup", buf, sizeof buf) && lab_parse_smaps(buf, s);
}

// Resets VmHWM to the current RSS (Linux >= 4.0). False where not permitted.
static inline bool lab_reset_peak_rss(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, "5", 1) == 1;
    close(fd);
    return ok;
}

// What a run did to the process's memory: its peak RSS over the RSS it started from, and
// the page faults it took. begin resets VmHWM (with a note where the kernel does not let
// us: the peak then counts from process start), so call it after the harness's own setup.
typedef struct {
    uint64_t baseline_kib;  // RSS at begin
    uint64_t peak_kib;      // VmHWM at end
    uint64_t minor_faults, major_faults;  // between begin and end
    struct rusage start;
} lab_footprint_t;

static inline void lab_footprint_begin(lab_footprint_t *f)
{
    if (!lab_reset_peak_rss())
        fprintf(stderr, "%s: note: cannot reset VmHWM; peak RSS counts from process start\n", lab_prog);
    f->baseline_kib = lab_rss_kib();
    getrusage(RUSAGE_SELF, &f->start);
}

static inline void lab_footprint_end(lab_footprint_t *f)
{
    struct rusage u;
    f->peak_kib = lab_status_kib("VmHWM");
    getrusage(RUSAGE_SELF, &u);
    f->minor_faults = (uint64_t)(u.ru_minflt - f->start.ru_minflt);
    f->major_faults = (uint64_t)(u.ru_majflt - f->start.ru_majflt);
}

// ---------------------------------------------------------------------------
// csv rows
// ---------------------------------------------------------------------------

// A row is written field by field, each under its column's name, so a value can never
// land in the wrong column: a name out of order is a bug and aborts.
// A measurement is a number; NAN is written as an empty field, "not measured"; in the row
// of a run that failed (lab_row_status with a status other than "ok") every measurement
// after the status is "nan", "failed" (the data contract: summarize counts them apart).
typedef struct {
    const char *const *cols;  // NULL-terminated header
    int i;
    bool failed;              // lab_row_status: the run failed
    char line[8192];
    size_t len;
} lab_row_t;

static inline void lab_csv_fheader(FILE *f, const char *const *cols)
{
    for (int i = 0; cols[i]; i++)
        fprintf(f, "%s%s", i ? "," : "", cols[i]);
    fputc('\n', f);
}
static inline void lab_csv_header(const char *const *cols) { lab_csv_fheader(stdout, cols); }

// Chapter 1's columns: every single-process benchmark's rows start with them (chapter 4's
// simulators and replays too), so that one summary and one set of figures read them all.
// ns_per_op and ops_per_s are the whole timed phase's: what a program pays, periodic work
// (purges, trims, decay) included. A program that times rounds writes LAB_ROUND_COLUMNS
// after them (LAB_MICRO_ROUND_COLUMNS).
#define LAB_MICRO_COLUMNS LAB_MICRO_HEAD_COLUMNS, LAB_MICRO_TAIL_COLUMNS
#define LAB_MICRO_ROUND_COLUMNS LAB_MICRO_HEAD_COLUMNS, LAB_ROUND_COLUMNS, LAB_MICRO_TAIL_COLUMNS
#define LAB_MICRO_HEAD_COLUMNS \
    "allocator", "workload", "threads", "rep", "status", "ops", "elapsed_s", "ops_per_s", "ns_per_op"
// The timed rounds' spread, per call: how many, the fastest, the median, the 90th
// percentile and the slowest. The fastest round skips the bursts the others pay for.
#define LAB_ROUND_COLUMNS \
    "rounds", "best_ns_per_op", "round_p50_ns_per_op", "round_p90_ns_per_op", "round_max_ns_per_op"
#define LAB_MICRO_TAIL_COLUMNS                                                             \
    "malloc_lat_min_ns", "malloc_lat_p50_ns",                                             \
    "malloc_lat_p95_ns", "malloc_lat_p99_ns", "malloc_lat_p999_ns", "malloc_lat_max_ns",  \
    "free_lat_min_ns", "free_lat_p50_ns", "free_lat_p95_ns", "free_lat_p99_ns",           \
    "free_lat_p999_ns", "free_lat_max_ns", "timer_overhead_ns", "timer_resolution_ns",    \
    "peak_rss_kib", "baseline_rss_kib", "live_peak_bytes", "frag_ratio", "minor_faults",  \
    "major_faults"

static inline void lab_row_begin(lab_row_t *r, const char *const *cols)
{
    r->cols = cols;
    r->i = 0;
    r->failed = false;
    r->len = 0;
    r->line[0] = 0;
}

__attribute__((format(printf, 3, 4)))
static inline void lab_row_put(lab_row_t *r, const char *col, const char *fmt, ...)
{
    if (!r->cols[r->i] || strcmp(r->cols[r->i], col) != 0) {
        fprintf(stderr, "%s: bug: csv column '%s' written where '%s' belongs\n", lab_prog, col,
                r->cols[r->i] ? r->cols[r->i] : "(end of row)");
        abort();
    }
    if (r->i++)
        r->line[r->len++] = ',';
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->line + r->len, sizeof r->line - r->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof r->line - r->len)
        abort();
    r->len += (size_t)n;
}

static inline void lab_row_u64(lab_row_t *r, const char *col, uint64_t v) { lab_row_put(r, col, "%llu", (unsigned long long)v); }
static inline void lab_row_str(lab_row_t *r, const char *col, const char *s) { lab_row_put(r, col, "%s", s); }
// A measurement: "nan" in a failed run's row, empty for NAN (not measured), else the number.
static inline void lab_row_f64(lab_row_t *r, const char *col, double v)
{
    if (r->failed)
        lab_row_put(r, col, "%s", "nan");
    else if (isnan(v))
        lab_row_put(r, col, "%s", "");
    else
        lab_row_put(r, col, "%.6g", v);
}

// The "status" column: "ok", or why the run stopped, which makes the row a failed one.
static inline void lab_row_status(lab_row_t *r, const char *status)
{
    lab_row_str(r, "status", status);
    r->failed = strcmp(status, "ok") != 0;
}

// Ends the row and writes it to f (a second CSV beside stdout, e.g. a time series).
static inline void lab_row_fend(lab_row_t *r, FILE *f)
{
    if (r->cols[r->i]) {
        fprintf(stderr, "%s: bug: csv row ends before column '%s'\n", lab_prog, r->cols[r->i]);
        abort();
    }
    fputs(r->line, f);
    fputc('\n', f);
    if (f == stdout)
        fflush(stdout);
}
// Latency columns "<op>_lat_<x>_ns" for each x in `which` ("min p50 p99 p999 max"; pNNN
// is the quantile 0.NNN), from a histogram of TSC brackets with the empty bracket's cost
// subtracted; empty when the run failed or recorded nothing.
static inline void lab_row_latency(lab_row_t *r, const char *op, const lab_hist_t *h, bool ok, const char *which)
{
    char buf[128], *save = NULL;
    snprintf(buf, sizeof buf, "%s", which);
    for (char *x = strtok_r(buf, " ", &save); x; x = strtok_r(NULL, " ", &save)) {
        char col[64], q[32];
        snprintf(col, sizeof col, "%s_lat_%s_ns", op, x);
        snprintf(q, sizeof q, "0.%s", x + 1);
        double quantile = strcmp(x, "min") == 0 ? 0 : strcmp(x, "max") == 0 ? 1 : atof(q);
        double ticks = lab_hist_quantile(h, quantile) - lab_clock.overhead_ticks;
        lab_row_f64(r, col, ok && h->count ? lab_ticks_ns(fmax(ticks, 0)) : NAN);
    }
}

static inline void lab_row_end(lab_row_t *r) { lab_row_fend(r, stdout); }

// The spread of the timed rounds' times per call (LAB_ROUND_COLUMNS).
typedef struct {
    double n, best, p50, p90, max;
} lab_rounds_t;

// Quantile q of n sorted values, interpolated between the two nearest ranks.
static inline double lab_quantile_sorted(const double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double x = q * (double)(n - 1);
    size_t i = (size_t)x;
    return i + 1 < n ? v[i] + (x - (double)i) * (v[i + 1] - v[i]) : v[n - 1];
}

// Sorts v (qsort may allocate: call it after the measured phase).
static inline lab_rounds_t lab_rounds(double *v, size_t n)
{
    if (n)
        qsort(v, n, sizeof *v, lab_cmp_double);
    return (lab_rounds_t){ (double)n, lab_quantile_sorted(v, n, 0), lab_quantile_sorted(v, n, 0.5),
                           lab_quantile_sorted(v, n, 0.9), lab_quantile_sorted(v, n, 1) };
}

static inline void lab_row_rounds(lab_row_t *r, const lab_rounds_t *x)
{
    lab_row_f64(r, "rounds", x->n);
    lab_row_f64(r, "best_ns_per_op", x->best);
    lab_row_f64(r, "round_p50_ns_per_op", x->p50);
    lab_row_f64(r, "round_p90_ns_per_op", x->p90);
    lab_row_f64(r, "round_max_ns_per_op", x->max);
}

// One run in chapter 1's columns, as every single-process benchmark writes it (chapter 1,
// chapter 4's simulators and replays). NAN: not measured (e.g. no latency phase).
typedef struct {
    const char *allocator, *workload, *status;  // status: "ok", or why the run stopped
    uint64_t threads, rep;
    double ops, elapsed_s, ops_per_s, ns_per_op;  // the whole timed phase's
    const lab_rounds_t *rounds;         // NULL: the row has no LAB_ROUND_COLUMNS
    const lab_hist_t *hmalloc, *hfree;  // the timed calls (LAB_TIMED_CALL)
    const lab_footprint_t *fp;
    double live_peak_bytes;             // the most bytes the run asked for at once
} lab_micro_t;

#define LAB_LATENCIES "min p50 p95 p99 p999 max"  // chapter 1's latency columns

// Begins r (whose columns start with LAB_MICRO_COLUMNS) and writes those columns of m;
// a program with more columns writes them next, then lab_row_end. frag_ratio is the RSS
// the run added over the bytes it asked for.
static inline void lab_row_micro(lab_row_t *r, const char *const *cols, const lab_micro_t *m)
{
    const lab_footprint_t *fp = m->fp;
    double added_bytes = ((double)fp->peak_kib - (double)fp->baseline_kib) * 1024.0;
    lab_row_begin(r, cols);
    lab_row_str(r, "allocator", m->allocator);
    lab_row_str(r, "workload", m->workload);
    lab_row_u64(r, "threads", m->threads);
    lab_row_u64(r, "rep", m->rep);
    lab_row_status(r, m->status);
    lab_row_f64(r, "ops", m->ops);
    lab_row_f64(r, "elapsed_s", m->elapsed_s);
    lab_row_f64(r, "ops_per_s", m->ops_per_s);
    lab_row_f64(r, "ns_per_op", m->ns_per_op);
    if (m->rounds)
        lab_row_rounds(r, m->rounds);
    lab_row_latency(r, "malloc", m->hmalloc, true, LAB_LATENCIES);
    lab_row_latency(r, "free", m->hfree, true, LAB_LATENCIES);
    lab_row_f64(r, "timer_overhead_ns", lab_ticks_ns(lab_clock.overhead_ticks));
    lab_row_f64(r, "timer_resolution_ns", lab_clock.resolution_ns);
    lab_row_f64(r, "peak_rss_kib", (double)fp->peak_kib);
    lab_row_f64(r, "baseline_rss_kib", (double)fp->baseline_kib);
    lab_row_f64(r, "live_peak_bytes", m->live_peak_bytes);
    lab_row_f64(r, "frag_ratio", m->live_peak_bytes > 0 ? added_bytes / m->live_peak_bytes : NAN);
    lab_row_f64(r, "minor_faults", (double)fp->minor_faults);
    lab_row_f64(r, "major_faults", (double)fp->major_faults);
}

// ---------------------------------------------------------------------------
// common options
// ---------------------------------------------------------------------------

// Every chapter program answers common/run the same way: --workload NAME --seed N --rep N
// --quick set up the run; --header, --cases, --describe, --context and --help print and
// exit. They are parsed here once, so their names, limits and messages cannot drift apart
// between programs. Their codes lie above any char, so a program's own single-letter codes
// never collide.
enum {
    LAB_OPT_SEED = 256, LAB_OPT_REP, LAB_OPT_QUICK, LAB_OPT_HEADER, LAB_OPT_CASES,
    LAB_OPT_DESCRIBE, LAB_OPT_CONTEXT, LAB_OPT_WORKLOAD, LAB_OPT_HELP
};

// The seed of every program and of common/run, unless --seed says otherwise.
#define LAB_SEED 42

// The last entries of a program's struct option table, its terminator included. --describe
// is an entry of its own: not every program has one.
#define LAB_COMMON_OPTS                                                                   \
    { "seed", 1, 0, LAB_OPT_SEED }, { "rep", 1, 0, LAB_OPT_REP },                         \
    { "quick", 0, 0, LAB_OPT_QUICK }, { "header", 0, 0, LAB_OPT_HEADER },                 \
    { "cases", 0, 0, LAB_OPT_CASES }, { "context", 0, 0, LAB_OPT_CONTEXT },               \
    { "help", 0, 0, LAB_OPT_HELP }, { 0, 0, 0, 0 }
#define LAB_DESCRIBE_OPT { "describe", 0, 0, LAB_OPT_DESCRIBE }
// --workload NAME, one of the program's workload table (lab_program_t.workloads).
#define LAB_WORKLOAD_OPT { "workload", 1, 0, LAB_OPT_WORKLOAD }

// Their lines in the usage text of a program with --describe.
#define LAB_COMMON_USAGE                                                                  \
    "  --seed N  --rep N  --quick\n"                                                      \
    "  -h | --help | --header | --cases | --describe | --context   print and exit\n"      \
    LAB_NUMBER_USAGE
// How lab_parse_u64 reads N, for every usage text.
#define LAB_NUMBER_USAGE "N is an integer; a k, m or g suffix multiplies it by 1024, 1024^2 or 1024^3.\n"

// A program's workload table: an array of structs, each with a member `const char *name`,
// seen through LAB_WORKLOADS(table) whatever the struct's other members.
typedef struct {
    const char *const *name;  // the first workload's name member
    size_t stride, n;         // bytes from one workload to the next; how many there are
} lab_workloads_t;
#define LAB_WORKLOADS(table) { &(table)[0].name, sizeof (table)[0], sizeof (table) / sizeof (table)[0] }
#define LAB_MAX_WORKLOADS 64

static inline const char *lab_workload_name(const lab_workloads_t *w, size_t i)
{
    return *(const char *const *)(const void *)((const char *)w->name + i * w->stride);
}

// The names, NULL-terminated, as lab_opt_choice takes them.
static inline void lab_workload_names(const lab_workloads_t *w, const char *names[LAB_MAX_WORKLOADS + 1])
{
    size_t i = 0;
    for (; i < w->n && i < LAB_MAX_WORKLOADS; i++)
        names[i] = lab_workload_name(w, i);
    names[i] = NULL;
}

// What a program is, for the options every program shares.
typedef struct {
    const char *const *columns;    // --header: the CSV header
    lab_workloads_t workloads;     // --workload NAME (LAB_WORKLOAD_OPT): one of these
    bool workload_optional;        // the program checks itself whether --workload is needed
    void (*cases)(bool quick);     // --cases: one argument line per case (NULL: --workload NAME per workload)
    void (*describe)(bool quick);  // --describe, where the program has LAB_DESCRIBE_OPT (NULL: lab_describe)
    const char *describe_head;     // lab_describe: the header cells, "<" (left) or ">" (right) then
                                   // the text, separated by '|': "<workload|>live blocks"
    void (*describe_row)(size_t i, bool quick);  // lab_describe: workload i's row, "| a | b |\n"
    void (*context)(void);         // --context: lines for env.txt (NULL: lab_print_clock)
    void (*usage)(void);           // -h, --help: the usage text, on stdout (NULL: lab_usage)
    const char *options;           // lab_usage: the lines of the program's own options
} lab_program_t;

// Their values. --quick counts from where it stands: `--quick --cases` lists the QUICK cases.
typedef struct {
    uint64_t seed, rep;
    bool quick;
    int workload;                            // the index of --workload in the table; -1: none
    uint64_t seen[(LAB_OPT_HELP >> 6) + 1];  // lab_getopt: the option codes given so far
} lab_common_t;
#define LAB_COMMON_INIT { .seed = LAB_SEED, .workload = -1 }

// --cases by default: every workload, with no other option.
static inline void lab_print_workloads(const lab_workloads_t *w)
{
    for (size_t i = 0; i < w->n; i++)
        printf("--workload %s\n", lab_workload_name(w, i));
}

// The usage text of a program with a workload table: the --workload line (its names, from
// the table, aligned with the program's own lines), the program's options, the common ones.
static inline void lab_usage(const lab_program_t *p)
{
    const char *own = p->options, *desc = own + 2;
    while (*desc && !(desc[0] == ' ' && desc[1] == ' '))  // "  --live N    slots": the description's column
        desc++;
    while (*desc == ' ')
        desc++;
    int width = desc - own > 19 ? (int)(desc - own) : 19;  // at least two spaces after NAME
    printf("usage: %s --workload NAME [options]\n%-*s", lab_prog, width, "  --workload NAME");
    for (size_t i = 0; i < p->workloads.n; i++)
        printf("%s%s", i == 0 ? "" : i + 1 < p->workloads.n ? ", " : " or ", lab_workload_name(&p->workloads, i));
    printf("\n%s" LAB_COMMON_USAGE, own);
}

// --describe by default: a markdown table of the workload table, for the book, so that the
// book's table of the workloads' parameters comes from the program itself.
static inline void lab_describe(const lab_program_t *p, bool quick)
{
    char head[1024], align[256] = "|";
    if (!p->describe_head || !p->describe_row)
        lab_die("--describe: this program has no table to describe");
    snprintf(head, sizeof head, "%s", p->describe_head);
    printf("|");
    for (char *save = NULL, *c = strtok_r(head, "|", &save); c; c = strtok_r(NULL, "|", &save)) {
        printf(" %s |", c + 1);
        strncat(align, *c == '>' ? "--:|" : ":--|", sizeof align - strlen(align) - 1);
    }
    printf("\n%s\n", align);
    for (size_t i = 0; i < p->workloads.n; i++)
        p->describe_row(i, quick);
}

// Handles getopt_long's result o if it is a common option (or a bad one: '?'), printing and
// exiting where the option says so. Returns false for the program's own options.
static inline bool lab_common_option(int o, const lab_program_t *p, lab_common_t *c)
{
    const char *names[LAB_MAX_WORKLOADS + 1];
    switch (o) {
    case LAB_OPT_WORKLOAD:
        lab_workload_names(&p->workloads, names);
        c->workload = lab_opt_choice("workload", optarg, names);
        return true;
    case LAB_OPT_SEED: c->seed = lab_opt_u64("--seed", optarg, 0, UINT64_MAX); return true;
    case LAB_OPT_REP: c->rep = lab_opt_u64("--rep", optarg, 0, 1000000); return true;
    case LAB_OPT_QUICK: c->quick = true; return true;
    case LAB_OPT_HEADER: lab_csv_header(p->columns); exit(0);
    case LAB_OPT_CASES: p->cases ? p->cases(c->quick) : lab_print_workloads(&p->workloads); exit(0);
    case LAB_OPT_DESCRIBE: p->describe ? p->describe(c->quick) : lab_describe(p, c->quick); exit(0);
    case LAB_OPT_CONTEXT: p->context ? p->context() : lab_print_clock(); exit(0);
    case LAB_OPT_HELP: p->usage ? p->usage() : lab_usage(p); exit(0);
    case '?': exit(LAB_EXIT_USAGE);  // getopt_long has said what was wrong, in one line
    }
    return false;
}

// The long name of option code o, for messages.
static inline const char *lab_opt_name(const struct option *opts, int o)
{
    for (; opts->name; opts++)
        if (!opts->flag && opts->val == o)
            return opts->name;
    return "?";
}

// After the options: the programs take no operands, so a stray word is a mistake.
static inline void lab_no_operands(int argc, char **argv)
{
    if (optind < argc)
        lab_die("unexpected argument '%s'", argv[optind]);
}

// The end of the options, where lab_getopt returned -1: no stray word, and a workload where
// the program has a table and needs one.
static inline void lab_getopt_end(int argc, char **argv, const lab_program_t *p, const lab_common_t *c)
{
    lab_no_operands(argc, argv);
    if (p->workloads.n && !p->workload_optional && c->workload < 0) {
        char list[512] = "";
        for (size_t i = 0; i < p->workloads.n; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     lab_workload_name(&p->workloads, i));
        lab_die("--workload is required: one of %s", list);
    }
}

// getopt_long for the chapter programs. Handles the common options (lab_common_option),
// -h, and what getopt_long would leave half done: an unknown option, a value given to an
// option that takes none and an option given twice are one-line errors. A missing value
// (`--live` at the end) comes back as an empty optarg, so that the program's own check of
// the value (lab_opt_u64 and the others) says what the option allows. Returns the
// program's own options (their codes must not be 'h' or ':'), and -1 at the end, where
// lab_getopt_end has checked what follows the options and that a workload was named.
static inline int lab_getopt(int argc, char **argv, const struct option *opts,
                             const lab_program_t *p, lab_common_t *c)
{
    for (;;) {
        opterr = 0;  // every message is ours
        int o = getopt_long(argc, argv, ":h", opts, NULL);
        if (o == -1) {
            lab_getopt_end(argc, argv, p, c);
            return -1;
        }
        const char *arg = argv[optind - 1];
        if (o == '?' && optopt && strncmp(arg, "--", 2) == 0)
            lab_die("--%s takes no value: '%s'", lab_opt_name(opts, optopt), arg);
        if (o == '?' && optopt)
            lab_die("unknown option '-%c' (see --help)", optopt);
        if (o == '?')
            lab_die("unknown or ambiguous option '%s' (see --help)", arg);
        if (o == ':')
            o = optopt, optarg = (char *)"";
        if (o == 'h')
            o = LAB_OPT_HELP;
        if (o >= 0 && o < 64 * (int)(sizeof c->seen / sizeof c->seen[0])) {
            uint64_t bit = 1ull << (o & 63);
            if (c->seen[o >> 6] & bit)
                lab_die("--%s is given twice: give each option once", lab_opt_name(opts, o));
            c->seen[o >> 6] |= bit;
        }
        if (!lab_common_option(o, p, c))
            return o;
    }
}

// ---------------------------------------------------------------------------
// prng and size distributions
// ---------------------------------------------------------------------------

// xoshiro256** (Blackman and Vigna): fast, 256-bit state, passes BigCrush.
typedef struct {
    uint64_t s[4];
} lab_rng_t;

// 2^64 / phi, odd: the golden-ratio constant. Multiplying by it spreads consecutive
// integers over all 64 bits (Fibonacci hashing; splitmix64's Weyl sequence).
#define LAB_GOLDEN64 0x9e3779b97f4a7c15ull

// The validation pattern's tag of the n-th block (n >= 1): distinct for every n (the
// constant is odd), and far apart in every bit for neighbouring n, so that a block
// written with another block's tag fails lab_check.
static inline uint64_t lab_tag(uint64_t n) { return n * LAB_GOLDEN64; }

static inline uint64_t lab_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += LAB_GOLDEN64);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline void lab_rng_seed(lab_rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = lab_splitmix64(&seed);
}

static inline uint64_t lab_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t lab_rng_next(lab_rng_t *r)
{
    uint64_t *s = r->s, out = lab_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = lab_rotl(s[3], 45);
    return out;
}

// Uniform in [0, n), unbiased (Lemire's multiply-shift with rejection).
static inline uint64_t lab_rng_below(lab_rng_t *r, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)lab_rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)lab_rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

static inline double lab_rng_double(lab_rng_t *r) { return (double)(lab_rng_next(r) >> 11) * 0x1p-53; }

// Standard normal by the Box-Muller transform (one of the pair is discarded: simpler).
static inline double lab_rng_normal(lab_rng_t *r)
{
    double u1 = 1.0 - lab_rng_double(r), u2 = lab_rng_double(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static inline void lab_shuffle_u32(lab_rng_t *r, uint32_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = lab_rng_below(r, i);
        uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

// A size distribution. Written as "uniform:LO:HI" or "lognormal:MEDIAN:SIGMA:LO:HI"
// (bytes, with k/m/g suffixes); log-normal draws are clamped to [LO, HI].
typedef enum { LAB_UNIFORM, LAB_LOGNORMAL } lab_dist_kind_t;
typedef struct {
    lab_dist_kind_t kind;
    uint64_t lo_bytes, hi_bytes;
    double median_bytes, sigma;
} lab_dist_t;

static inline size_t lab_dist_draw(const lab_dist_t *d, lab_rng_t *r)
{
    if (d->kind == LAB_UNIFORM)
        return d->lo_bytes + lab_rng_below(r, d->hi_bytes - d->lo_bytes + 1);
    double v = round(d->median_bytes * exp(d->sigma * lab_rng_normal(r)));
    return (size_t)fmin(fmax(v, (double)d->lo_bytes), (double)d->hi_bytes);
}

// Parses a distribution; on failure returns false and says why in err.
static inline bool lab_dist_parse(const char *s, lab_dist_t *d, char *err, size_t errlen)
{
    char buf[256], *f[6] = { 0 };
    int n = 0;
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf) {
        snprintf(err, errlen, "too long");
        return false;
    }
    for (char *p = buf; p && n < 6; n++) {  // every field, empty ones too: "8::64" is an error
        f[n] = p;
        if ((p = strchr(p, ':')))
            *p++ = 0;
    }
    const uint64_t max = 1ull << 40;  // 1 TiB: anything larger is a typo
    memset(d, 0, sizeof *d);
    if (n == 3 && strcmp(f[0], "uniform") == 0) {
        d->kind = LAB_UNIFORM;
        if (lab_parse_u64(f[1], 1, max, &d->lo_bytes) && lab_parse_u64(f[2], 1, max, &d->hi_bytes) &&
            d->lo_bytes <= d->hi_bytes)
            return true;
        snprintf(err, errlen, "uniform bounds must be 1 <= LO <= HI <= 1024g bytes");
        return false;
    }
    if (n == 5 && strcmp(f[0], "lognormal") == 0) {
        d->kind = LAB_LOGNORMAL;
        uint64_t median;
        if (lab_parse_u64(f[1], 1, max, &median) && lab_parse_f64(f[2], 0.0, 10.0, &d->sigma) &&
            lab_parse_u64(f[3], 1, max, &d->lo_bytes) && lab_parse_u64(f[4], 1, max, &d->hi_bytes) &&
            d->lo_bytes <= median && median <= d->hi_bytes) {
            d->median_bytes = (double)median;
            return true;
        }
        snprintf(err, errlen, "lognormal needs MEDIAN >= 1, 0 <= SIGMA <= 10, 1 <= LO <= MEDIAN <= HI <= 1024g");
        return false;
    }
    snprintf(err, errlen, "expected uniform:LO:HI or lognormal:MEDIAN:SIGMA:LO:HI");
    return false;
}

static inline lab_dist_t lab_opt_dist(const char *opt, const char *s)
{
    lab_dist_t d;
    char err[160];
    if (!lab_dist_parse(s, &d, err, sizeof err))
        lab_die_value(opt, s, "%s", err);
    return d;
}

// ---------------------------------------------------------------------------
// footprint: refuse up front what cannot fit
// ---------------------------------------------------------------------------

// The k-th moment of one draw: E[X^k]. A clamped log-normal X = clamp(M e^(sZ), LO, HI)
// takes LO below a = ln(LO/M)/s, HI above b = ln(HI/M)/s, and in between
// E[(M e^(sZ))^k; a < Z < b] = M^k e^(k^2 s^2 / 2) (Phi(b - ks) - Phi(a - ks)).
static inline double lab_dist_moment(const lab_dist_t *d, int k)
{
    double lo = (double)d->lo_bytes, hi = (double)d->hi_bytes;
    if (d->kind == LAB_UNIFORM) {  // the mean of x^k over the integers lo..hi, nearly
        if (lo == hi)
            return pow(lo, k);
        return (pow(hi + 0.5, k + 1) - pow(lo - 0.5, k + 1)) / ((k + 1) * (hi - lo + 1));
    }
    double m = d->median_bytes, s = d->sigma;
    if (s == 0)
        return pow(m, k);
#define LAB_PHI(x) (0.5 * erfc(-(x) / M_SQRT2))
    double a = log(lo / m) / s, b = log(hi / m) / s;
    return pow(lo, k) * LAB_PHI(a) + pow(hi, k) * (1 - LAB_PHI(b)) +
           pow(m, k) * exp(k * k * s * s / 2) * (LAB_PHI(b - k * s) - LAB_PHI(a - k * s));
#undef LAB_PHI
}

// The bytes that n draws from d add up to, at most, bar a six-sigma accident: the sum's
// mean plus six of its standard deviations, and never more than n times the largest block.
// (n times the largest block alone would refuse chapter 1's own mixed workload: 10k
// blocks of up to 1 MiB whose sum is about 2 MiB.)
static inline double lab_dist_total_bytes(const lab_dist_t *d, uint64_t n)
{
    double mean = lab_dist_moment(d, 1), var = fmax(lab_dist_moment(d, 2) - mean * mean, 0);
    double total = (double)n * mean + 6 * sqrt((double)n * var);
    return fmin(total, (double)n * (double)d->hi_bytes);
}

// The memory a new process can have without swapping, in bytes (MemAvailable, Linux
// >= 3.14); INFINITY where the kernel does not say.
static inline double lab_mem_available_bytes(void)
{
    char buf[8192];
    uint64_t kib;
    if (!lab_read_file("/proc/meminfo", buf, sizeof buf) || !lab_parse_kib_field(buf, "MemAvailable", &kib))
        return INFINITY;
    return (double)kib * 1024;
}

// Size-class rounding: the allocators under test round a request up by at most a quarter
// (the message says 25%).
#define LAB_CLASS_ROUNDING 1.25

// The footprint guard of every program whose options set how much memory it holds: it
// takes the blocks' bytes (lab_dist_total_bytes) and the harness's, adds the allocators'
// rounding, and refuses, before anything is allocated, a run that cannot fit into
// MemAvailable; `what` names the options, e.g. "--live 1000 blocks of uniform:512m:1g".
// An out-of-memory kill would lose the run and could take other processes with it.
static inline void lab_require_memory(const char *what, double block_bytes, double harness_bytes)
{
    double need = block_bytes * LAB_CLASS_ROUNDING + harness_bytes, avail = lab_mem_available_bytes();
    if (need > avail)
        lab_die("%s need up to %.1f GiB (blocks %.1f GiB, +25%% size-class rounding, harness %.1f GiB), "
                "more than MemAvailable %.1f GiB: ask for fewer or smaller blocks",
                what, need / 0x1p30, block_bytes / 0x1p30, harness_bytes / 0x1p30, avail / 0x1p30);
}

// ---------------------------------------------------------------------------
// memory: keep the compiler honest, and validate what the allocator hands out
// ---------------------------------------------------------------------------

// The compiler may not assume anything about what p points to after this.
static inline void lab_escape(void *p) { __asm__ volatile("" : : "r"(p) : "memory"); }

// Harness memory (slot tables, size lists) comes from mmap, never from the allocator under
// test, and is populated at once, so it is in the baseline RSS and not in the workload's.
static inline void *lab_harness_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
        lab_die_code(1, "cannot map %zu bytes of harness memory: %s", bytes, strerror(errno));
    return p;
}

// Harness array p, n of its entries kept, grown to hold at least want entries of elem bytes:
// its capacity *cap doubles from first. The old region is unmapped; returns the array.
static inline void *lab_harness_grow(void *p, size_t n, size_t *cap, size_t want, size_t elem, size_t first)
{
    if (want <= *cap)
        return p;
    size_t c = *cap ? 2 * *cap : first;
    while (c < want)
        c *= 2;
    void *q = lab_harness_alloc(c * elem);
    if (n)
        memcpy(q, p, n * elem);
    if (p)
        munmap(p, *cap * elem);
    *cap = c;
    return q;
}

// The alignment malloc owes a request: max_align_t's 16, or less for smaller objects
// (C11 DR 445: an object smaller than 16 bytes cannot need more than its size).
static inline size_t lab_owed_alignment(size_t size)
{
    size_t a = 16;
    while (a > 1 && a > size)
        a >>= 1;
    return a;
}

// What is wrong with the block p of size bytes that malloc returned: "malloc_null",
// "misaligned" (less than the alignment it owes), or NULL when nothing is. These are the
// statuses of a run that stops on it.
static inline const char *lab_block_fault(const void *p, size_t size)
{
    return !p ? "malloc_null" : (uintptr_t)p % lab_owed_alignment(size) ? "misaligned" : NULL;
}

// [pattern]
// The pattern: the whole first 128 bytes word by word, one word in every 4 KiB page (so
// every page is really resident), and the (possibly partial) word holding the last byte.
// Words sit at multiples of 8, so where two of these sets meet they write the same word.
// Word at offset o holds tag ^ o: a block written over by a neighbour, or handed out
// twice, fails the check.
#define LAB_FILL_HEAD 128
#define LAB_PAGE 4096

// Whole words are single 8-byte moves (a memcpy of constant size compiles to one); only
// the last word of a block whose size is not a multiple of 8 goes byte by byte.
static inline void lab_put(char *p, size_t off, size_t size, uint64_t tag)
{
    uint64_t w = tag ^ off;
    if (off + 8 <= size)
        memcpy(p + off, &w, 8);
    else
        for (size_t i = 0; off + i < size; i++)
            p[off + i] = (char)(w >> (8 * i));
}

static inline bool lab_get(const char *p, size_t off, size_t size, uint64_t tag)
{
    uint64_t w = tag ^ off, v;
    if (off + 8 <= size) {
        memcpy(&v, p + off, 8);
        return v == w;
    }
    for (size_t i = 0; off + i < size; i++)
        if (p[off + i] != (char)(w >> (8 * i)))
            return false;
    return true;
}

#define LAB_FOR_PATTERN(off, size, head, body)                                            \
    do {                                                                                  \
        size_t off;                                                                       \
        for (off = 0; off < (size) && off < (head); off += 8) { body; }                   \
        for (off = LAB_PAGE; off + 8 <= (size); off += LAB_PAGE) { body; }                \
        if ((size) > (head)) { off = ((size) - 1) & ~(size_t)7; body; }                   \
    } while (0)

static inline void lab_fill(void *p, size_t size, uint64_t tag)
{
    LAB_FOR_PATTERN(off, size, LAB_FILL_HEAD, lab_put(p, off, size, tag));
    lab_escape(p);
}

static inline bool lab_check(const void *p, size_t size, uint64_t tag)
{
    LAB_FOR_PATTERN(off, size, LAB_FILL_HEAD, if (!lab_get(p, off, size, tag)) return false);
    return true;
}

// The light pattern, for replays where the pattern's own cost would swamp a fast
// allocator: the same words without the head's, i.e. the first, one per page and the
// last. Every page is still resident; lab_get(p, 0, size, tag) checks the first word.
// No lab_escape (a compiler barrier, which costs a fast loop its registers): the caller
// must keep p where the compiler sees it escape, e.g. in a table it later frees from.
static inline void lab_touch(void *p, size_t size, uint64_t tag)
{
    LAB_FOR_PATTERN(off, size, 8, lab_put(p, off, size, tag));
}
// [/pattern]

// ---------------------------------------------------------------------------
// threads
// ---------------------------------------------------------------------------

// Waiting without a futex: spin a little, then sleep 20 us at a time, for a worker that
// must start promptly; it adds nothing to a futex count. Its wake-ups do preempt a worker
// where there are no spare CPUs: a thread that waits a whole phase uses lab_sleep_until.
static inline void lab_pause(unsigned *spins)
{
    if (++*spins < 64) {
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
        return;
    }
    struct timespec ts = { 0, 20000 };
    nanosleep(&ts, NULL);
}

// The coordinating thread's wait while the workers run: until *n reaches want, checking
// once a millisecond. With as many workers as CPUs each of its wake-ups preempts a worker:
// lab_pause's 20 us sleeps slowed two workers' timed rounds by about a sixth on 2 CPUs. The
// workers time themselves, so a late wake-up adds only an untimed pause.
static inline void lab_sleep_until(_Atomic int *n, int want)
{
    struct timespec ms = { 0, 1000000 };
    while (__atomic_load_n(n, __ATOMIC_ACQUIRE) < want)
        nanosleep(&ms, NULL);
}

// CPUs this process may run on (honours taskset and cgroups' cpusets).
static inline int lab_ncpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return (int)sysconf(_SC_NPROCESSORS_ONLN);
    return CPU_COUNT(&set);
}

// Pins the calling thread to the n-th allowed CPU (modulo their count).
static inline bool lab_pin(int n)
{
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return false;
    int k = n % CPU_COUNT(&allowed);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &allowed) && k-- == 0) {
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            return pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------
// allocator identity
// ---------------------------------------------------------------------------

// Which allocator is live is a fact about this process, not the label we were given: the
// object that defines the malloc the program calls. Everything that asks which allocator
// this is (lab_allocator, common/allocstats.h, chapter 2's arena count) asks this.
typedef struct {
    const char *path;  // its file name as the dynamic linker has it; NULL: nothing says
    void *base;        // its load address, to tell its own symbols from its dependencies'
    bool glibc;        // it is the C library (no preload took)
} lab_malloc_t;

static inline const lab_malloc_t *lab_malloc(void)
{
    static lab_malloc_t m;
    static bool known;
    Dl_info info;
    void *f = known ? NULL : dlsym(RTLD_DEFAULT, "malloc");
    if (f && dladdr(f, &info) && info.dli_fname)
        m = (lab_malloc_t){ info.dli_fname, info.dli_fbase, strstr(info.dli_fname, "libc.so") != NULL };
    known = true;
    return &m;
}

// A symbol of that library, found through it (NULL if none): with `own`, only one it
// defines itself. Under a preload, dlsym(RTLD_DEFAULT, "mallinfo2") still finds glibc's,
// which would describe glibc's idle heap as if it were the program's; and a library's
// dependencies are not the allocator (tbbmalloc's proxy, though, calls into libtbbmalloc).
static inline void *lab_malloc_sym(const char *name, bool own)
{
    static void *handle;
    const lab_malloc_t *m = lab_malloc();
    if (!handle && m->path)
        handle = dlopen(m->path, RTLD_LAZY | RTLD_NOLOAD);
    if (!handle && m->path)  // the main program itself defines malloc
        handle = dlopen(NULL, RTLD_LAZY);
    Dl_info info;
    void *p = handle ? dlsym(handle, name) : NULL;
    return p && (!own || (dladdr(p, &info) && info.dli_fbase == m->base)) ? p : NULL;
}

// common/run sets LAB_ALLOCATOR and LAB_ALLOCATOR_LIB (empty for glibc); if that library
// is not the one whose malloc is live, the preload did not take and the run stops rather
// than writing mislabelled rows.
// Allocator names go into CSV rows and the book unquoted: [a-z0-9_-]+ only.
static inline bool lab_allocator_name_ok(const char *name)
{
    if (!name || !*name)
        return false;
    for (const char *c = name; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_' || *c == '-'))
            return false;
    return true;
}

static inline const char *lab_allocator(void)
{
    const lab_malloc_t *m = lab_malloc();
    if (!m->path)
        lab_die_code(LAB_EXIT_WRONG_ALLOC, "cannot tell which library defines malloc");
    const char *name = getenv("LAB_ALLOCATOR"), *lib = getenv("LAB_ALLOCATOR_LIB");
    char want[PATH_MAX], have[PATH_MAX];
    bool have_ok = realpath(m->path, have) != NULL;
    if (!name || !*name) {  // run by hand: name it after the library, in CSV-safe letters
        static char base[256];
        const char *b = strrchr(m->path, '/');
        snprintf(base, sizeof base, "%s", b ? b + 1 : m->path);
        for (char *c = base; *c; c++)
            if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
                *c = '_';
        return m->glibc ? "glibc" : base;
    }
    if (!lab_allocator_name_ok(name))
        lab_die("LAB_ALLOCATOR '%s' is not allowed: expected a name of a-z, 0-9, _ and - only", name);
    if (!lib || !*lib) {
        if (m->glibc)
            return name;
    } else if (have_ok && realpath(lib, want) && strcmp(want, have) == 0) {
        return name;
    }
    lab_die_code(LAB_EXIT_WRONG_ALLOC, "allocator '%s' expected (%s) but malloc is live in %s",
                 name, lib && *lib ? lib : "libc", m->path);
}

#endif
