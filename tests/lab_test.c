/* lab_test.c -- known-answer tests of common/lab.h, printed as TAP for `prove`. */
#include "../common/lab.h"
#include "../common/allocstats.h"

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

    // Issue 10: what a hostile tester typed.
    CHECK("u64 reads 08 as 8, never as octal", lab_parse_u64("08", 0, 100, &v) && v == 8);
    CHECK("u64 reads 010 as 10", lab_parse_u64("010", 0, 100, &v) && v == 10);
    CHECK("u64 suffix m is MiB", lab_parse_u64("10m", 1, 10 << 20, &v) && v == 10u << 20);
    CHECK("u64 suffix upper case", lab_parse_u64("3K", 1, UINT64_MAX, &v) && v == 3072);
    CHECK("u64 rejects sign, space, hex, exponent",
          !lab_parse_u64("+5", 0, 100, &v) && !lab_parse_u64(" 5", 0, 100, &v) && !lab_parse_u64("5 ", 0, 100, &v) &&
              !lab_parse_u64("0x10", 0, 100, &v) && !lab_parse_u64("1e3", 0, 10000, &v));
    CHECK("u64 rejects a suffix alone or twice", !lab_parse_u64("k", 0, 100, &v) && !lab_parse_u64("1kk", 0, UINT64_MAX, &v));
    CHECK("u64 rejects 1 past the range's top", !lab_parse_u64("10485761", 1, 10 << 20, &v));
    CHECK("u64 takes the largest value", lab_parse_u64("18446744073709551615", 0, UINT64_MAX, &v) && v == UINT64_MAX);

    char b[24];
    CHECK("fmt plain below 10k", strcmp(lab_fmt_u64(b, 1024), "1024") == 0 && strcmp(lab_fmt_u64(b, 4096), "4096") == 0 &&
                                     strcmp(lab_fmt_u64(b, 0), "0") == 0 && strcmp(lab_fmt_u64(b, 60000), "60000") == 0);
    CHECK("fmt suffixes where exact", strcmp(lab_fmt_u64(b, 100 << 10), "100k") == 0 &&
                                          strcmp(lab_fmt_u64(b, 1 << 20), "1m") == 0 &&
                                          strcmp(lab_fmt_u64(b, 10 << 20), "10m") == 0 &&
                                          strcmp(lab_fmt_u64(b, 1 << 30), "1g") == 0 &&
                                          strcmp(lab_fmt_u64(b, 1ull << 40), "1024g") == 0);
    CHECK("fmt the largest value", strcmp(lab_fmt_u64(b, UINT64_MAX), "18446744073709551615") == 0);
    bool round_trip = true;
    for (uint64_t x = 1; x && x < (1ull << 62); x = x * 3 + (x & 1))
        for (uint64_t y = x; y < x + 2048 * 3; y += 1024)
            round_trip &= lab_parse_u64(lab_fmt_u64(b, y), 0, UINT64_MAX, &v) && v == y;
    CHECK("parse reads back what fmt writes", round_trip);
}

static void die_live(void) { lab_opt_u64("--live", "0", 1, 10); }
static void die_choice(void)
{
    static const char *const c[] = { "small", "large", NULL };
    lab_opt_choice("workload", "huge", c);
}
static void die_dist(void) { lab_opt_dist("--sizes", "uniform:64:8"); }

static void die_live_missing(void) { lab_opt_u64("--live", "", 1, 10 << 20); }
static void die_series_missing(void) { lab_opt_str("--series", "", "a file name"); }
static void die_choice_missing(void)
{
    static const char *const c[] = { "small", "large", NULL };
    lab_opt_choice("--mode", "", c);
}

// lab_getopt on a made-up command line, as a program's loop calls it.
static const struct option test_opts[] = { { "live", 1, 0, 'l' }, { "workload", 1, 0, 'w' }, LAB_COMMON_OPTS };
static void test_usage(void) { printf("# usage: test\n"); }  // a TAP comment
static const lab_program_t test_prog = { .usage = test_usage };
static char *test_argv[8], test_arg[64];  // test_arg: the last option's value
static int test_getopt(const char *a, const char *b, const char *c)
{
    static char s[3][64];
    int argc = 1;
    test_argv[0] = (char *)"test";
    for (const char *x[] = { a, b, c }, **p = x; p < x + 3 && *p; p++, argc++)
        test_argv[argc] = strcpy(s[argc - 1], *p);
    test_argv[argc] = NULL;
    optind = 0;  // glibc: start over
    lab_common_t common = { .seed = 42 };
    int o, last = -1;
    while ((o = lab_getopt(argc, test_argv, test_opts, &test_prog, &common)) != -1) {
        last = o;
        snprintf(test_arg, sizeof test_arg, "%s", optarg);
    }
    return last;
}
static void getopt_twice(void) { test_getopt("--live", "1", "--live=2"); }
static void getopt_seed_twice(void) { test_getopt("--seed=1", "--seed", "1"); }
static void getopt_unknown(void) { test_getopt("--lives", "1", NULL); }
static void getopt_short(void) { test_getopt("-x", NULL, NULL); }
static void getopt_flag_value(void) { test_getopt("--quick=yes", NULL, NULL); }
static void getopt_h(void) { test_getopt("-h", NULL, NULL); }
static void getopt_help(void) { test_getopt("--live", "1", "--help"); }
static void getopt_seed_missing(void) { test_getopt("--seed", NULL, NULL); }
static void getopt_seed_octal(void) { test_getopt("--seed", "09x", NULL); }

static void test_getopt_errors(void)
{
    char msg[512];
    CHECK("getopt: an option's value", test_getopt("--live", "08", NULL) == 'l' && strcmp(test_arg, "08") == 0);
    CHECK("getopt: a missing value comes back empty", test_getopt("--live", NULL, NULL) == 'l' && !*test_arg);
    CHECK("getopt: --opt=VALUE", test_getopt("--workload=small", NULL, NULL) == 'w' && strcmp(test_arg, "small") == 0);
    CHECK("getopt: an option given twice exits 2 and names it",
          in_child(getopt_twice, msg, sizeof msg) == 2 && strstr(msg, "--live is given twice"));
    CHECK("getopt: a common option given twice too",
          in_child(getopt_seed_twice, msg, sizeof msg) == 2 && strstr(msg, "--seed is given twice"));
    CHECK("getopt: an unknown option exits 2 and names it",
          in_child(getopt_unknown, msg, sizeof msg) == 2 && strstr(msg, "'--lives'") && !strchr(msg, '\n')[1]);
    CHECK("getopt: an unknown short option", in_child(getopt_short, msg, sizeof msg) == 2 && strstr(msg, "'-x'"));
    CHECK("getopt: a flag given a value", in_child(getopt_flag_value, msg, sizeof msg) == 2 &&
                                              strstr(msg, "--quick takes no value"));
    CHECK("getopt: -h exits 0, nothing on stderr", in_child(getopt_h, msg, sizeof msg) == 0 && !*msg);
    CHECK("getopt: --help exits 0, nothing on stderr", in_child(getopt_help, msg, sizeof msg) == 0 && !*msg);
    CHECK("getopt: --seed without a value exits 2 and says what it allows",
          in_child(getopt_seed_missing, msg, sizeof msg) == 2 &&
              strstr(msg, "--seed needs a value: expected an integer from 0 to 18446744073709551615"));
    CHECK("getopt: --seed 09x", in_child(getopt_seed_octal, msg, sizeof msg) == 2 && strstr(msg, "--seed '09x' is not allowed"));
}

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
    rc = in_child(die_live_missing, msg, sizeof msg);
    CHECK("missing count: one line, the range as the usage writes it",
          rc == 2 && strcmp(msg, "heaplab: error: --live needs a value: expected an integer from 1 to 10m\n") == 0);
    rc = in_child(die_series_missing, msg, sizeof msg);
    CHECK("missing file name exits 2", rc == 2 && strstr(msg, "--series needs a value: expected a file name"));
    rc = in_child(die_choice_missing, msg, sizeof msg);
    CHECK("missing choice exits 2 and lists choices", rc == 2 && strstr(msg, "--mode needs a value: expected one of small, large"));
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
    CHECK("reject empty fields", !lab_dist_parse("uniform:8::64", &d, err, sizeof err) &&
                                     !lab_dist_parse("uniform:8:64:", &d, err, sizeof err) &&
                                     !lab_dist_parse(":uniform:8:64", &d, err, sizeof err) &&
                                     !lab_dist_parse("lognormal:64:1.5:8:1m:", &d, err, sizeof err));
    CHECK("reject a suffix the parser does not know", !lab_dist_parse("uniform:1:1t", &d, err, sizeof err) &&
                                                         strstr(err, "1024g"));
}

static void footprint_huge(void) { lab_require_memory("--live 1000 blocks of uniform:512m:1g", 1000.0 * 0x1p30, 0); }
static void footprint_small(void) { lab_require_memory("--live 10 blocks of uniform:8:64", 640, 4096); }

static void test_footprint(void)
{
    lab_dist_t d;
    char err[160];
    lab_dist_parse("uniform:8:8", &d, err, sizeof err);
    CHECK("footprint: one size, n blocks of it", lab_dist_total_bytes(&d, 10) == 80);
    lab_dist_parse("uniform:1:3", &d, err, sizeof err);
    double t = lab_dist_total_bytes(&d, 1000000);
    CHECK("footprint: uniform is the mean plus six sd of the sum", t > 2e6 + 6 * sqrt(1e6 * 2.0 / 3) * 0.99 &&
                                                                       t < 2e6 + 6 * sqrt(1e6 * 0.75) * 1.01);
    CHECK("footprint: never more than n times the largest block", lab_dist_total_bytes(&d, 1) == 3);
    lab_dist_parse("uniform:512m:1g", &d, err, sizeof err);
    t = lab_dist_total_bytes(&d, 1000);
    CHECK("footprint: the OOM case of issue 10 is about 750 GiB", t > 750 * 0x1p30 && t < 800 * 0x1p30);
    lab_dist_parse("lognormal:64:0:64:64", &d, err, sizeof err);
    CHECK("footprint: a log-normal with sigma 0", lab_dist_total_bytes(&d, 5) == 320);
    // The analytic moments of a clamped log-normal against a million draws.
    lab_dist_parse("lognormal:64:1.5:8:1m", &d, err, sizeof err);
    lab_rng_t r;
    lab_rng_seed(&r, 11);
    double sum = 0, sq = 0;
    enum { N = 1000000 };
    for (int i = 0; i < N; i++) {
        double x = (double)lab_dist_draw(&d, &r);
        sum += x, sq += x * x;
    }
    CHECK("footprint: clamped log-normal mean (1%)", near(lab_dist_moment(&d, 1), sum / N, 0.01));
    CHECK("footprint: chapter 1's mixed workload (10k blocks) is a few MiB",
          lab_dist_total_bytes(&d, 10000) < 16 * 0x1p20);
    // Its second moment rests on rare blocks near 1 MiB: a shorter tail checks it better.
    lab_dist_parse("lognormal:1k:1.2:64:128k", &d, err, sizeof err);
    sum = sq = 0;
    for (int i = 0; i < N; i++) {
        double x = (double)lab_dist_draw(&d, &r);
        sum += x, sq += x * x;
    }
    CHECK("footprint: clamped log-normal mean, second case (1%)", near(lab_dist_moment(&d, 1), sum / N, 0.01));
    CHECK("footprint: clamped log-normal second moment (2%)", near(lab_dist_moment(&d, 2), sq / N, 0.02));
    CHECK("footprint: MemAvailable is read", isfinite(lab_mem_available_bytes()) && lab_mem_available_bytes() > 0);
    char msg[512];
    CHECK("footprint: too much exits 2, naming the options and MemAvailable",
          in_child(footprint_huge, msg, sizeof msg) == 2 && strstr(msg, "--live 1000 blocks of uniform:512m:1g need up to") &&
              strstr(msg, "MemAvailable") && !strchr(msg, '\n')[1]);
    CHECK("footprint: what fits passes", in_child(footprint_small, msg, sizeof msg) == 0 && !*msg);
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

static void comma_allocator(void)
{
    setenv("LAB_ALLOCATOR", "glibc,x", 1);
    unsetenv("LAB_ALLOCATOR_LIB");
    lab_allocator();
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
    CHECK("allocator names: [a-z0-9_-]+", lab_allocator_name_ok("glibc-arena1") && lab_allocator_name_ok("tc_malloc") &&
                                              !lab_allocator_name_ok("a,b") && !lab_allocator_name_ok("") &&
                                              !lab_allocator_name_ok("Jemalloc") && !lab_allocator_name_ok("x y") &&
                                              !lab_allocator_name_ok("a\"b"));
    int rc = in_child(comma_allocator, msg, sizeof msg);
    CHECK("LAB_ALLOCATOR with a comma exits 2 before any row", rc == 2 && strstr(msg, "LAB_ALLOCATOR 'glibc,x' is not allowed"));
    rc = in_child(wrong_allocator, msg, sizeof msg);
    CHECK("a preload that did not take exits 3 and names both", rc == LAB_EXIT_WRONG_ALLOC &&
                                                                  strstr(msg, "'jemalloc' expected") &&
                                                                  strstr(msg, "malloc is live in"));
}

// ---------------------------------------------------------------------------
// the benchmark skeleton: timed calls, footprint, chapter 1's row, the options prologue

static void test_timed_call(void)
{
    static lab_hist_t h;
    lab_hist_init(&h);
    int calls = 0;
    uint64_t dt = LAB_TIMED_CALL(false, &h, calls++);
    CHECK("untimed call: runs once, records nothing, 0 ticks", calls == 1 && h.count == 0 && dt == 0);
    dt = LAB_TIMED_CALL(true, &h, calls++);
    CHECK("timed call: runs once, records its ticks once", calls == 2 && h.count == 1 && h.max == dt);
}

static void test_footprint_probe(void)
{
    enum { MIB = 64 };
    lab_footprint_t fp;
    lab_footprint_begin(&fp);
    char *p = mmap(NULL, MIB << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; p != MAP_FAILED && i < (size_t)MIB << 20; i += 4096)
        p[i] = 1;
    lab_footprint_end(&fp);
    CHECK("footprint: touching 64 MiB raises the peak over the baseline by 64 MiB",
          fp.peak_kib >= fp.baseline_kib + (MIB << 10) - 1024);
    CHECK("footprint: and takes a minor fault per page (16384), no major one",
          fp.minor_faults >= (MIB << 20) / 4096 && fp.minor_faults < 2 * (MIB << 20) / 4096 && fp.major_faults == 0);
    munmap(p, MIB << 20);
}

static const char *const micro_cols[] = { LAB_MICRO_COLUMNS, "extra", NULL };

static void test_micro_row(void)
{
    static lab_hist_t none;
    lab_hist_init(&none);
    lab_clock_t saved = lab_clock;
    lab_clock = (lab_clock_t){ .ns_per_tick = 1, .overhead_ticks = 2, .resolution_ns = 0.5 };
    lab_footprint_t fp = { .baseline_kib = 1000, .peak_kib = 3000, .minor_faults = 7, .major_faults = 0 };
    lab_micro_t m = { .allocator = "glibc", .workload = "mixed", .status = "ok", .threads = 1, .rep = 3,
                      .ops = 1000, .elapsed_s = 0.5, .ops_per_s = 2000, .ns_per_op = 500,
                      .hmalloc = &none, .hfree = &none, .fp = &fp, .live_peak_bytes = 1 << 20 };
    lab_row_t r;
    lab_row_micro(&r, micro_cols, &m);
    lab_row_u64(&r, "extra", 9);
    CHECK("micro row: chapter 1's columns in order; not measured (NAN, no latency phase) is empty",
          strcmp(r.line, "glibc,mixed,1,3,ok,1000,0.5,2000,500,,,,,,,,,,,,,2,0.5,3000,1000,1.04858e+06,1.95312,7,0,9") == 0);
    m.live_peak_bytes = 0;
    lab_row_micro(&r, micro_cols, &m);
    CHECK("micro row: no live bytes, no fragmentation ratio (empty, not inf)", strstr(r.line, ",1000,0,,7,0") != NULL);
    m.status = "malloc_null";
    lab_row_micro(&r, micro_cols, &m);
    lab_row_u64(&r, "extra", 9);
    CHECK("micro row of a failed run: every measurement is nan, counts stay",
          strcmp(r.line, "glibc,mixed,1,3,malloc_null,nan,nan,nan,nan,nan,nan,nan,nan,nan,nan,nan,nan,nan,nan,"
                         "nan,nan,nan,nan,nan,nan,nan,nan,nan,nan,9") == 0);
    lab_clock = saved;
}

static const char *const round_cols[] = { LAB_MICRO_ROUND_COLUMNS, NULL };

// The rounds' spread: sorted, with interpolated quantiles, written after ns_per_op.
static void test_rounds(void)
{
    double v[] = { 50, 10, 40, 20, 30 };
    lab_rounds_t x = lab_rounds(v, 5);
    CHECK("rounds: count, fastest, median, p90 (between the two slowest) and slowest",
          x.n == 5 && x.best == 10 && x.p50 == 30 && near(x.p90, 46, 1e-12) && x.max == 50);
    double one[] = { 7 };
    x = lab_rounds(one, 1);
    CHECK("rounds: one round is every quantile", x.best == 7 && x.p50 == 7 && x.p90 == 7 && x.max == 7);
    x = lab_rounds(NULL, 0);
    CHECK("rounds: no round, no quantile (NAN, written empty)", x.n == 0 && isnan(x.best) && isnan(x.max));
    static lab_hist_t none;
    lab_hist_init(&none);
    lab_footprint_t fp = { .baseline_kib = 1, .peak_kib = 2 };
    x = lab_rounds(v, 5);
    lab_micro_t m = { .allocator = "jemalloc", .workload = "large", .status = "ok", .threads = 1, .rep = 1,
                      .ops = 10, .elapsed_s = 1, .ops_per_s = 10, .ns_per_op = 1e8, .rounds = &x,
                      .hmalloc = &none, .hfree = &none, .fp = &fp };
    lab_row_t r;
    lab_row_micro(&r, round_cols, &m);
    CHECK("micro row with rounds: the spread follows ns_per_op", strncmp(r.line, "jemalloc,large,1,1,ok,10,1,10,1e+08,5,10,30,46,50,,", 51) == 0);
}

// A program with a workload table, as the chapters have.
static const struct { const char *why, *name; int size; } test_workloads[] = {
    { "few", "small", 1 }, { "many", "large", 2 }, { "all", "mixed", 3 },
};
static const struct option wl_opts[] = { { "live", 1, 0, 'l' }, LAB_WORKLOAD_OPT, LAB_DESCRIBE_OPT, LAB_COMMON_OPTS };
static lab_program_t wl_prog = { .workloads = LAB_WORKLOADS(test_workloads), .usage = test_usage };
static lab_common_t wl_common;
static void wl_getopt(const char *a, const char *b)
{
    char *argv[] = { (char *)"test", (char *)a, (char *)b, NULL };
    int argc = 1 + (a != NULL) + (b != NULL);
    optind = 0;
    wl_common = (lab_common_t)LAB_COMMON_INIT;
    while (lab_getopt(argc, argv, wl_opts, &wl_prog, &wl_common) != -1)
        ;
}
static void wl_none(void) { wl_getopt("--live", "1"); }
static void wl_unknown(void) { wl_getopt("--workload", "huge"); }
static void wl_cases(void) { wl_getopt("--cases", NULL); }
static void wl_help(void) { wl_getopt("-h", NULL); }
static void wl_row(size_t i, bool quick) { printf("| %s | %d |\n", test_workloads[i].name, quick ? 0 : test_workloads[i].size); }
static void wl_describe(void) { wl_getopt("--quick", "--describe"); }

// Runs fn in a child with stdout captured; returns its exit code and what it printed.
static int stdout_of(void (*fn)(void), char *out, size_t len)
{
    fflush(stdout);
    int saved = dup(1);
    FILE *f = tmpfile();
    dup2(fileno(f), 1);
    char err[256];
    int rc = in_child(fn, err, sizeof err);
    dup2(saved, 1);
    close(saved);
    rewind(f);
    out[fread(out, 1, len - 1, f)] = 0;
    fclose(f);
    return rc;
}

static void test_options_prologue(void)
{
    char msg[512];
    CHECK("workload table: names read through the struct, in order",
          strcmp(lab_workload_name(&wl_prog.workloads, 0), "small") == 0 &&
              strcmp(lab_workload_name(&wl_prog.workloads, 2), "mixed") == 0 && wl_prog.workloads.n == 3);
    wl_getopt("--workload", "large");
    CHECK("--workload NAME: its index in the table; the seed 42 by default",
          wl_common.workload == 1 && wl_common.seed == 42 && LAB_SEED == 42);
    CHECK("an unknown workload exits 2 and lists the table",
          in_child(wl_unknown, msg, sizeof msg) == 2 && strstr(msg, "unknown workload 'huge': expected one of small, large, mixed"));
    CHECK("no workload exits 2: required, one of the table",
          in_child(wl_none, msg, sizeof msg) == 2 && strstr(msg, "--workload is required: one of small, large, mixed\n"));
    wl_prog.workload_optional = true;
    wl_getopt("--live", "1");
    CHECK("a program that checks itself may go without", wl_common.workload == -1);
    wl_prog.workload_optional = false;
    CHECK("--cases by default: --workload NAME per workload, exit 0",
          stdout_of(wl_cases, msg, sizeof msg) == 0 && strcmp(msg, "--workload small\n--workload large\n--workload mixed\n") == 0);
    wl_prog.usage = NULL;
    wl_prog.options = "  --live N          slots (1 to 10)\n";
    lab_prog = "test";
    CHECK("-h by default: --workload's line from the table, aligned with the program's own, then the common ones",
          stdout_of(wl_help, msg, sizeof msg) == 0 &&
              strncmp(msg, "usage: test --workload NAME [options]\n  --workload NAME   small, large or mixed\n"
                           "  --live N          slots (1 to 10)\n  --seed N", 115) == 0);
    lab_prog = "heaplab";
    wl_prog.describe_head = "<workload|>size";
    wl_prog.describe_row = wl_row;
    CHECK("--describe by default: the header's alignment from the head, a row per workload, --quick before it counts",
          stdout_of(wl_describe, msg, sizeof msg) == 0 &&
              strcmp(msg, "| workload | size |\n|:--|--:|\n| small | 0 |\n| large | 0 |\n| mixed | 0 |\n") == 0);
}

static void test_identity_and_backend(void)
{
    const lab_malloc_t *m = lab_malloc();
    CHECK("lab_malloc: the library that defines malloc", m->path && m->base && (m->glibc || strstr(m->path, "asan")));
    CHECK("lab_malloc_sym: malloc is that library's own", lab_malloc_sym("malloc", true) != NULL);
    CHECK("lab_malloc_sym: jemalloc's mallctl is not there", lab_malloc_sym("mallctl", true) == NULL);
    if (m->glibc) {  // ld.so's __tls_get_addr: reached through libc's dependencies, not its own
        CHECK("lab_malloc_sym: a dependency's symbol only without own",
              lab_malloc_sym("__tls_get_addr", false) && !lab_malloc_sym("__tls_get_addr", true));
        lab_stats_t st;
        lab_bin_t bins[4];
        CHECK("allocstats: glibc's backend reads mallinfo2", lab_stats_read(&st) && strcmp(st.allocator, "glibc") == 0 &&
                                                                 strcmp(st.source, "mallinfo2+malloc_info") == 0 &&
                                                                 st.mapped_bytes > 0);
        CHECK("allocstats: glibc releases with malloc_trim(0), has no bins",
              strcmp(lab_stats_release(), "malloc_trim(0)") == 0 && lab_stats_bins(bins, 4) == -1);
    } else {
        CHECK("allocstats: a sanitizer's malloc has no backend", strcmp(lab_stats_which(), "unknown") == 0);
    }
    CHECK("lab_block_fault: NULL, misaligned, or nothing wrong",
          strcmp(lab_block_fault(NULL, 16), "malloc_null") == 0 && strcmp(lab_block_fault((void *)8, 16), "misaligned") == 0 &&
              lab_block_fault((void *)16, 16) == NULL && lab_block_fault((void *)8, 8) == NULL);
    bool distinct = lab_tag(1) == LAB_GOLDEN64;
    static uint8_t seen[1 << 16];
    for (uint64_t n = 1; n <= 1 << 16; n++)
        distinct &= !seen[lab_tag(n) & 0xffff]++;
    CHECK("lab_tag: 65536 neighbours differ in their low 16 bits", distinct);
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
    test_getopt_errors();
    test_footprint();
    test_histogram();
    test_rss_parsing();
    test_rss_live();
    test_prng();
    test_distributions();
    test_pattern();
    test_csv_row();
    test_identity_and_rows();
    test_timed_call();
    test_footprint_probe();
    test_micro_row();
    test_rounds();
    test_options_prologue();
    test_identity_and_backend();
    test_clock_and_threads();
    printf("1..%d\n", n_tests);
    return n_failed != 0;
}
