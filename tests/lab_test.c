/* lab_test.c -- known-answer tests of common/lab.h, printed as TAP for `prove`. */
#include "../common/lab.h"

#include <sys/mman.h>
#include <sys/wait.h>

static int n_tests, n_failed;

#define CHECK(name, cond)                                                          \
    do {                                                                           \
        bool ok_ = (cond);                                                         \
        printf("%sok %d - %s\n", ok_ ? "" : "not ", ++n_tests, name);              \
        if (!ok_) {                                                                \
            n_failed++;                                                            \
            printf("#   failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);         \
        }                                                                          \
    } while (0)

static bool near(double got, double want, double rel) { return fabs(got - want) <= rel * fabs(want); }

// Runs fn in a child with stderr captured; returns its exit code and the message.
static int in_child(void (*fn)(void), char *msg, size_t len)
{
    int fd[2];
    if (pipe(fd) != 0)
        abort();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 2);
        fn();
        exit(0);
    }
    close(fd[1]);
    size_t got = 0;
    ssize_t n;
    while (got < len - 1 && (n = read(fd[0], msg + got, len - 1 - got)) > 0)
        got += (size_t)n;
    msg[got] = 0;
    close(fd[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// ---------------------------------------------------------------------------
static void test_options(void)
{
    uint64_t v = 0;
    CHECK("u64 plain", lab_parse_u64("12", 1, 100, &v) && v == 12);
    CHECK("u64 suffix k is KiB", lab_parse_u64("4k", 1, UINT64_MAX, &v) && v == 4096);
    CHECK("u64 suffix g is GiB", lab_parse_u64("2g", 1, UINT64_MAX, &v) && v == 2ull << 30);
    CHECK("u64 rejects below range", !lab_parse_u64("0", 1, 100, &v));
    CHECK("u64 rejects above range", !lab_parse_u64("101", 1, 100, &v));
    CHECK("u64 rejects negative", !lab_parse_u64("-1", 0, 100, &v));
    CHECK("u64 rejects junk", !lab_parse_u64("12x", 0, 100, &v) && !lab_parse_u64("abc", 0, 100, &v));
    CHECK("u64 rejects empty", !lab_parse_u64("", 0, 100, &v));
    CHECK("u64 rejects overflow", !lab_parse_u64("99999999999999999999", 0, UINT64_MAX, &v));
    CHECK("u64 rejects overflow by suffix", !lab_parse_u64("17179869184g", 0, UINT64_MAX, &v));
    double f = 0;
    CHECK("f64 plain", lab_parse_f64("0.5", 0, 1, &f) && f == 0.5);
    CHECK("f64 rejects nan, inf, junk", !lab_parse_f64("nan", 0, 1, &f) && !lab_parse_f64("inf", 0, 1e9, &f) &&
                                            !lab_parse_f64("0.5x", 0, 1, &f));
    CHECK("f64 rejects out of range", !lab_parse_f64("1.5", 0, 1, &f));
}

static void die_live(void) { lab_opt_u64("--live", "0", 1, 10); }
static void die_choice(void)
{
    static const char *const c[] = { "small", "large", NULL };
    lab_opt_choice("workload", "huge", c);
}
static void die_dist(void) { lab_opt_dist("--sizes", "uniform:64:8"); }

static void test_option_errors(void)
{
    char msg[512];
    int rc = in_child(die_live, msg, sizeof msg);
    CHECK("bad count exits 2", rc == LAB_EXIT_USAGE);
    CHECK("bad count names value and range", strstr(msg, "--live '0'") && strstr(msg, "from 1 to 10"));
    rc = in_child(die_choice, msg, sizeof msg);
    CHECK("unknown choice exits 2 and lists choices", rc == 2 && strstr(msg, "'huge'") && strstr(msg, "small, large"));
    rc = in_child(die_dist, msg, sizeof msg);
    CHECK("bad distribution exits 2 and says why", rc == 2 && strstr(msg, "uniform:64:8") && strstr(msg, "LO <= HI"));
}

// ---------------------------------------------------------------------------
static void test_histogram(void)
{
    static lab_hist_t h, a, b;
    lab_hist_init(&h);
    lab_hist_init(&a);
    lab_hist_init(&b);
    for (uint64_t v = 1; v <= 100000; v++) {
        lab_hist_record(&h, v);
        lab_hist_record(v % 2 ? &a : &b, v);
    }
    CHECK("hist count, min, max exact", h.count == 100000 && h.min == 1 && h.max == 100000);
    CHECK("hist p50 of 1..1e5 within 1%", near(lab_hist_quantile(&h, 0.5), 50000, 0.01));
    CHECK("hist p99 of 1..1e5 within 1%", near(lab_hist_quantile(&h, 0.99), 99000, 0.01));
    CHECK("hist p99.9 of 1..1e5 within 1%", near(lab_hist_quantile(&h, 0.999), 99900, 0.01));
    CHECK("hist q=0 is min, q=1 is max", lab_hist_quantile(&h, 0) == 1 && lab_hist_quantile(&h, 1) == 100000);
    lab_hist_merge(&a, &b);
    CHECK("hist merge equals recording all",
          a.count == h.count && a.min == h.min && a.max == h.max && memcmp(a.counts, h.counts, sizeof h.counts) == 0);

    lab_hist_init(&h);
    uint64_t small[] = { 5, 5, 5, 200 };
    for (int i = 0; i < 4; i++)
        lab_hist_record(&h, small[i]);
    CHECK("hist small values exact", lab_hist_quantile(&h, 0.5) == 5 && lab_hist_quantile(&h, 0.75) == 5 &&
                                         lab_hist_quantile(&h, 0.9) == 200);
    lab_hist_init(&h);
    CHECK("hist empty gives 0", lab_hist_quantile(&h, 0.5) == 0);

    bool bounded = true, contained = true;
    for (double x = 256; x < 1e14; x *= 1.0137) {
        uint64_t v = (uint64_t)x, w, lo = lab_hist_low(lab_hist_index(v), &w);
        contained &= lo <= v && v < lo + w;
        bounded &= (double)w / (double)lo <= 1.0 / 128;
    }
    CHECK("hist every value lies in its bucket", contained);
    CHECK("hist bucket width <= 1/128 of its value (<1% error)", bounded);
    CHECK("hist huge values clamp into the last bucket", lab_hist_index(UINT64_MAX) == LAB_HIST_BUCKETS - 1);
    CHECK("hist is fixed-size and small", sizeof(lab_hist_t) < 48 * 1024);
}

// ---------------------------------------------------------------------------
static void test_rss_parsing(void)
{
    uint64_t kib = 0;
    CHECK("statm resident pages to KiB", lab_parse_statm("1000 250 10 1 0 300 0\n", 4, &kib) && kib == 1000);
    CHECK("statm garbage rejected", !lab_parse_statm("x y", 4, &kib));
    const char *status = "Name:\tx\nVmHWM:\t    1234 kB\nVmRSS:\t    1000 kB\nVmRSSx:\t 7 kB\n";
    CHECK("status VmHWM", lab_parse_kib_field(status, "VmHWM", &kib) && kib == 1234);
    CHECK("status VmRSS", lab_parse_kib_field(status, "VmRSS", &kib) && kib == 1000);
    CHECK("status missing key", !lab_parse_kib_field(status, "VmSwap", &kib));
    const char *smaps = "55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  5000 kB\nPss:  4000 kB\n"
                        "Private_Dirty:  3000 kB\nLazyFree:  700 kB\nAnonHugePages:  2048 kB\n";
    lab_smaps_t s;
    CHECK("smaps_rollup fields", lab_parse_smaps(smaps, &s) && s.rss_kib == 5000 && s.private_dirty_kib == 3000 &&
                                     s.lazyfree_kib == 700 && s.anon_huge_kib == 2048);
    CHECK("smaps_rollup without Rss fails", !lab_parse_smaps("Pss: 1 kB\n", &s));
}

// mmap, not malloc: a sanitizer's malloc keeps freed memory in quarantine.
static void test_rss_live(void)
{
    uint64_t before = lab_rss_kib();
    size_t bytes = 64u << 20;
    char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 1, bytes);
    lab_escape(p);
    uint64_t after = lab_rss_kib(), hwm = lab_status_kib("VmHWM");
    CHECK("statm sees 64 MiB touched", after >= before + 60 * 1024);
    CHECK("VmRSS agrees with statm within 1 MiB", (double)lab_status_kib("VmRSS") - (double)after < 1024);
    CHECK("VmHWM >= VmRSS", hwm >= after);
    lab_smaps_t s;
    CHECK("smaps_rollup Rss close to statm", lab_smaps_rollup(&s) && near((double)s.rss_kib, (double)after, 0.05));
    munmap(p, bytes);
    if (lab_reset_peak_rss())
        CHECK("clear_refs resets VmHWM", lab_status_kib("VmHWM") < hwm - 32 * 1024);
    else
        printf("ok %d - # SKIP clear_refs not permitted here\n", ++n_tests);
}

// ---------------------------------------------------------------------------
static void test_prng(void)
{
    lab_rng_t r = { { 1, 2, 3, 4 } };  // the reference implementation's test vector
    uint64_t want[] = { 11520, 0, 1509978240, 1215971899390074240ull };
    bool same = true;
    for (int i = 0; i < 4; i++)
        same &= lab_rng_next(&r) == want[i];
    CHECK("xoshiro256** matches the reference outputs", same);
    uint64_t x = 0;
    CHECK("splitmix64 matches the reference output", lab_splitmix64(&x) == 0xe220a8397b1dcdafull);

    lab_rng_t a, b;
    lab_rng_seed(&a, 42);
    lab_rng_seed(&b, 42);
    bool equal = true;
    for (int i = 0; i < 1000; i++)
        equal &= lab_rng_next(&a) == lab_rng_next(&b);
    CHECK("same seed, same sequence", equal);
    lab_rng_seed(&b, 43);
    CHECK("other seed, other sequence", lab_rng_next(&a) != lab_rng_next(&b));

    uint64_t counts[6] = { 0 };
    bool in_range = true;
    for (int i = 0; i < 600000; i++) {
        uint64_t v = lab_rng_below(&a, 6);
        in_range &= v < 6;
        counts[v < 6 ? v : 0]++;
    }
    double chi2 = 0;
    for (int i = 0; i < 6; i++)
        chi2 += pow((double)counts[i] - 100000.0, 2) / 100000.0;
    CHECK("below(6) stays in range", in_range);
    CHECK("below(6) is uniform (chi-square, 5 dof, p > 0.001)", chi2 < 20.5);

    uint32_t perm[100];
    for (uint32_t i = 0; i < 100; i++)
        perm[i] = i;
    lab_shuffle_u32(&a, perm, 100);
    uint64_t sum = 0;
    bool moved = false;
    for (uint32_t i = 0; i < 100; i++) {
        sum += perm[i];
        moved |= perm[i] != i;
    }
    CHECK("shuffle is a permutation", sum == 4950 && moved);
    double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 100 };
    CHECK("median of odd and even counts", lab_median(odd, 3) == 3 && lab_median(even, 4) == 3.5);
}

static void test_distributions(void)
{
    char err[160];
    lab_dist_t d;
    lab_rng_t r;
    lab_rng_seed(&r, 7);
    enum { N = 400000 };
    static double v[N];

    CHECK("parse uniform", lab_dist_parse("uniform:8:64", &d, err, sizeof err) && d.lo_bytes == 8 && d.hi_bytes == 64);
    double sum = 0;
    bool bounds = true;
    for (int i = 0; i < N; i++) {
        size_t s = lab_dist_draw(&d, &r);
        bounds &= s >= 8 && s <= 64;
        sum += (double)s;
    }
    CHECK("uniform 8..64 stays in bounds", bounds);
    CHECK("uniform 8..64 has mean 36", near(sum / N, 36, 0.005));

    CHECK("parse lognormal with suffixes",
          lab_dist_parse("lognormal:64:1.5:1:1g", &d, err, sizeof err) && d.median_bytes == 64 && d.sigma == 1.5 &&
              d.hi_bytes == 1ull << 30);
    double lsum = 0, lsq = 0;
    for (int i = 0; i < N; i++) {
        v[i] = (double)lab_dist_draw(&d, &r);
        double l = log(v[i]);
        lsum += l;
        lsq += l * l;
    }
    qsort(v, N, sizeof v[0], lab_cmp_double);
    double mu = lsum / N, sigma = sqrt(lsq / N - mu * mu);
    CHECK("lognormal median is the stated median (2%)", near(v[N / 2], 64, 0.02));
    CHECK("lognormal log-sd is the stated sigma (2%)", near(sigma, 1.5, 0.02));

    CHECK("reject uniform LO > HI", !lab_dist_parse("uniform:64:8", &d, err, sizeof err));
    CHECK("reject uniform zero", !lab_dist_parse("uniform:0:8", &d, err, sizeof err));
    CHECK("reject negative sigma", !lab_dist_parse("lognormal:64:-1:8:1m", &d, err, sizeof err));
    CHECK("reject median outside bounds", !lab_dist_parse("lognormal:64:1:128:1m", &d, err, sizeof err));
    CHECK("reject unknown kind", !lab_dist_parse("pareto:1:2", &d, err, sizeof err) && strstr(err, "expected"));
}

// ---------------------------------------------------------------------------
static void test_pattern(void)
{
    static char buf[3 * 4096 + 64];
    bool all = true;
    size_t sizes[] = { 1, 7, 8, 9, 63, 64, 127, 128, 129, 135, 4095, 4096, 4100, 4104, 3 * 4096 + 5 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(buf, 0, sizeof buf);
        lab_fill(buf, sizes[i], 0x1234567890abcdefull);
        all &= lab_check(buf, sizes[i], 0x1234567890abcdefull);
        all &= !lab_check(buf, sizes[i], 0x1234567890abcdeeull);
        all &= buf[sizes[i]] == 0;  // nothing written past the end
    }
    CHECK("pattern round-trips and stays inside the block, for every size shape", all);
    size_t size = 3 * 4096 + 5;
    lab_fill(buf, size, 99);
    buf[17] ^= 1;
    CHECK("pattern catches a change in the head", !lab_check(buf, size, 99));
    lab_fill(buf, size, 99);
    buf[2 * 4096 + 3] ^= 1;
    CHECK("pattern catches a change in a page word", !lab_check(buf, size, 99));
    lab_fill(buf, size, 99);
    buf[size - 1] ^= 1;
    CHECK("pattern catches a change in the last byte", !lab_check(buf, size, 99));
}

static void test_csv_row(void)
{
    static const char *const cols[] = { "allocator", "ops", "frag_ratio", NULL };
    lab_row_t r;
    lab_row_begin(&r, cols);
    lab_row_str(&r, "allocator", "glibc");
    lab_row_u64(&r, "ops", 1000);
    lab_row_f64(&r, "frag_ratio", NAN);
    CHECK("row writes values in order, NaN as empty", strcmp(r.line, "glibc,1000,") == 0);
}

static void row_wrong_column(void)
{
    static const char *const cols[] = { "allocator", "ops", NULL };
    lab_row_t r;
    lab_row_begin(&r, cols);
    lab_row_u64(&r, "ops", 1);
}

static void wrong_allocator(void)
{
    setenv("LAB_ALLOCATOR", "jemalloc", 1);
    setenv("LAB_ALLOCATOR_LIB", "/nonexistent/libjemalloc.so.2", 1);
    lab_allocator();
}

static void test_identity_and_rows(void)
{
    char msg[512];
    CHECK("row aborts on a value under the wrong column",
          in_child(row_wrong_column, msg, sizeof msg) == 128 + SIGABRT && strstr(msg, "'ops' written where 'allocator'"));
    unsetenv("LAB_ALLOCATOR");
    // Under AddressSanitizer the live malloc is libasan's, and lab_allocator says so.
    const char *live = lab_allocator();
    CHECK("without a preload, glibc (or the sanitizer) is live", strcmp(live, "glibc") == 0 || strstr(live, "asan"));
    int rc = in_child(wrong_allocator, msg, sizeof msg);
    CHECK("a preload that did not take exits 3 and names both", rc == LAB_EXIT_WRONG_ALLOC &&
                                                                  strstr(msg, "'jemalloc' expected") &&
                                                                  strstr(msg, "malloc is live in"));
}

// ---------------------------------------------------------------------------
static void test_clock_and_threads(void)
{
    lab_clock_init();
    CHECK("clock calibrated", lab_clock.ns_per_tick > 0 && lab_clock.overhead_ticks > 0);
    uint64_t t = lab_t0();
    struct timespec ts = { 0, 20000000 };
    nanosleep(&ts, NULL);
    double ms = lab_ticks_ns((double)(lab_t1() - t)) / 1e6;
    CHECK("20 ms sleep measures 20..30 ms", ms >= 19.9 && ms < 30);
    setenv("LAB_CLOCK", "gettime", 1);
    lab_clock_init();
    CHECK("LAB_CLOCK=gettime falls back to clock_gettime", !lab_clock.tsc && lab_clock.ns_per_tick == 1.0);
    unsetenv("LAB_CLOCK");
    CHECK("ncpus >= 1", lab_ncpus() >= 1);
    CHECK("pin to the first CPU", lab_pin(0));
}

int main(void)
{
    test_options();
    test_option_errors();
    test_histogram();
    test_rss_parsing();
    test_rss_live();
    test_prng();
    test_distributions();
    test_pattern();
    test_csv_row();
    test_identity_and_rows();
    test_clock_and_threads();
    printf("1..%d\n", n_tests);
    return n_failed != 0;
}
