/* 01-micro.c -- chapter 1: what does one malloc and one free cost?
 *
 * Question: on simple single-threaded patterns, how fast is each allocator, how long
 * are its tails, and how much memory does it hold for the bytes we asked for?
 *
 * Method: a table of `live` slots. A round picks a share of the slots (all of them, in a
 * shuffled order, or a random subset for churn), frees what they hold, then refills them
 * with fresh sizes from the workload's distribution. Every block is written with a pattern
 * (lab_fill) when it is allocated and checked (lab_check) before it is freed. One process
 * runs one workload:
 *     fill + 1 warm-up round    untimed
 *     --rounds rounds           throughput: one clock read per round of 2 x live ops,
 *                               and more rounds until --min-ms have passed; ns_per_op
 *                               is the whole timed phase's, best_ns_per_op the fastest
 *                               round's, and the rounds' spread is kept beside them
 *     --lat-rounds rounds       latency: every malloc and free bracketed by the TSC
 * Peak RSS is VmHWM after a clear_refs reset at the start; fragmentation is the RSS the
 * workload added over the peak live bytes it asked for.
 *
 * Run it:   make 01                        (all allocators, 5 repetitions)
 *           build/01-micro/01-micro --workload mixed     (one row, this process's malloc)
 * Expected: small blocks cost tens of ns per op; large ones cost what page faults and
 *           mmap/munmap cost, which differs by orders of magnitude between allocators.
 */
#include "../../common/lab.h"

// [workloads]
typedef struct {
    const char *name, *sizes, *why;
    uint64_t live, rounds, lat_rounds;  // full size
    uint64_t min_ms;                    // full size: timed rounds last at least this long
    uint64_t q_live, q_rounds;          // QUICK size
    double free_fraction;
} workload_t;

// Slow spells on a shared machine last about a second: a timed phase of 400 ms or more
// contains fast rounds in most processes. churn runs a fixed number of rounds instead,
// because it never frees everything and the floor (which never reuses memory) must hold
// all of it.
static const workload_t workloads[] = {
    { "small", "uniform:8:64", "tcache/thread-cache fast paths, one size class after another",
      10000, 400, 100, 400, 5000, 40, 1.0 },
    { "medium", "uniform:1k:64k", "bins and runs: too large for most thread caches, below mmap",
      1000, 150, 40, 400, 250, 20, 1.0 },
    { "large", "uniform:1m:8m", "mmap, munmap and page faults: the OS is part of the cost",
      8, 40, 20, 400, 4, 10, 1.0 },
    { "mixed", "lognormal:64:1.5:8:1m", "many size classes at once, with a long tail",
      10000, 400, 100, 400, 5000, 40, 1.0 },
    { "churn", "lognormal:64:1.5:8:1m", "a random half replaced per round: holes of every size",
      10000, 300, 40, 0, 5000, 40, 0.5 },
};
// [/workloads]
#define NWORKLOADS (sizeof workloads / sizeof workloads[0])
enum { MAX_ROUNDS = 100 << 10 };  // timed rounds at most (--rounds' limit), whatever --min-ms asks

static const char *const columns[] = { LAB_MICRO_ROUND_COLUMNS, NULL };

typedef struct {
    size_t live;
    void **ptr;            // the slots
    uint32_t *size_bytes;  // each slot's requested size
    uint64_t *tag;         // each slot's pattern
    uint32_t *order;       // slot order of the current round
    uint32_t *next_bytes;  // sizes drawn for the current round, before timing
    double *round_ns_per_op;  // each timed round's time per call
    lab_rng_t rng;
    lab_dist_t dist;
    uint64_t gen, live_bytes, live_peak_bytes;
    lab_hist_t hmalloc, hfree;
    const char *status;    // "ok", "malloc_null", "corrupt", "misaligned"
} bench_t;

static void bench_init(bench_t *b, size_t live, const lab_dist_t *dist, uint64_t seed)
{
    memset(b, 0, sizeof *b);
    b->live = live;
    b->ptr = lab_harness_alloc(live * sizeof *b->ptr);
    b->size_bytes = lab_harness_alloc(live * sizeof *b->size_bytes);
    b->tag = lab_harness_alloc(live * sizeof *b->tag);
    b->order = lab_harness_alloc(live * sizeof *b->order);
    b->next_bytes = lab_harness_alloc(live * sizeof *b->next_bytes);
    b->round_ns_per_op = lab_harness_alloc(MAX_ROUNDS * sizeof *b->round_ns_per_op);
    for (size_t i = 0; i < live; i++)
        b->order[i] = (uint32_t)i;
    lab_rng_seed(&b->rng, seed);
    b->dist = *dist;
    lab_hist_init(&b->hmalloc);
    lab_hist_init(&b->hfree);
    b->status = "ok";
}

// [round]
// Frees k slots, then refills them. With `bracket`, every call is timed on its own.
static bool round_run(bench_t *b, size_t k, bool bracket)
{
    for (size_t i = 0; i < k; i++) {
        uint32_t s = b->order[i];
        if (!b->ptr[s])
            continue;
        if (!lab_check(b->ptr[s], b->size_bytes[s], b->tag[s])) {
            b->status = "corrupt";
            return false;
        }
        b->live_bytes -= b->size_bytes[s];
        LAB_TIMED_CALL(bracket, &b->hfree, free(b->ptr[s]));
        b->ptr[s] = NULL;
    }
    for (size_t i = 0; i < k; i++) {
        uint32_t s = b->order[i];
        size_t size = b->next_bytes[i];
        void *p;
        LAB_TIMED_CALL(bracket, &b->hmalloc, p = malloc(size));
        const char *fault = lab_block_fault(p, size);
        if (fault) {
            b->status = fault;
            return false;
        }
        b->tag[s] = lab_tag(++b->gen);
        lab_fill(p, size, b->tag[s]);
        b->ptr[s] = p;
        b->size_bytes[s] = (uint32_t)size;
        b->live_bytes += size;
    }
    if (b->live_bytes > b->live_peak_bytes)
        b->live_peak_bytes = b->live_bytes;
    return true;
}
// [/round]

// Chooses the round's slots and sizes: untimed, so the PRNG is not in the measurement.
static size_t round_prepare(bench_t *b, double fraction)
{
    size_t k = (size_t)((double)b->live * fraction);
    if (k < 1)
        k = 1;
    lab_shuffle_u32(&b->rng, b->order, b->live);
    for (size_t i = 0; i < k; i++)
        b->next_bytes[i] = (uint32_t)lab_dist_draw(&b->dist, &b->rng);
    return k;
}

static void drain(bench_t *b)
{
    for (size_t s = 0; s < b->live; s++) {
        free(b->ptr[s]);
        b->ptr[s] = NULL;
    }
}

typedef struct {
    const workload_t *w;
    const char *sizes, *label;  // label: the row's workload (--label), else the workload's name
    uint64_t live, rounds, lat_rounds, min_ms, seed, rep;
    double free_fraction;
} config_t;

typedef struct {
    uint64_t ops, elapsed_ns, rounds;
} timed_t;

// [timed]
// The timed rounds: one clock read per round, and more rounds until c->min_ms have passed.
// Throughput is the whole phase's: allocators do periodic work in bursts (purges, trims,
// decay) that a program pays for and the fastest round skips. Each round's time is kept
// too (b->round_ns_per_op), for the fastest round and the spread. Not inlined: its name is
// what common/wrap/callgrind counts.
static __attribute__((noinline, noipa)) bool timed_phase(bench_t *b, const config_t *c, timed_t *t)
{
    bool ok = true;
    for (uint64_t i = 0; ok && i < MAX_ROUNDS && (i < c->rounds || t->elapsed_ns < c->min_ms * 1000000); i++) {
        size_t k = round_prepare(b, c->free_fraction);
        uint64_t t0 = lab_now_ns();
        ok = round_run(b, k, false);
        uint64_t dt = lab_now_ns() - t0;
        t->elapsed_ns += dt;
        t->ops += 2 * k;
        b->round_ns_per_op[i] = (double)dt / (double)(2 * k);
        t->rounds = i + 1;
    }
    return ok;
}
// [/timed]

static int run(const config_t *c)
{
    const char *allocator = lab_allocator();
    lab_dist_t dist = lab_opt_dist("--sizes", c->sizes);
    static bench_t b;
    bench_init(&b, c->live, &dist, c->seed);

    lab_footprint_t fp;
    lab_footprint_begin(&fp);
    bool ok = round_run(&b, round_prepare(&b, 1.0), false) &&          // fill
              round_run(&b, round_prepare(&b, c->free_fraction), false); // warm-up
    timed_t t = { 0 };
    ok = ok && timed_phase(&b, c, &t);
    for (uint64_t i = 0; ok && i < c->lat_rounds; i++)
        ok = round_run(&b, round_prepare(&b, c->free_fraction), true);

    lab_footprint_end(&fp);
    if (ok)
        drain(&b);
    lab_rounds_t spread = lab_rounds(b.round_ns_per_op, ok ? t.rounds : 0);
    double ns_per_op = (double)t.elapsed_ns / (double)t.ops;

    lab_micro_t m = {
        .allocator = allocator, .workload = c->label, .status = b.status, .threads = 1, .rep = c->rep,
        .ops = (double)t.ops, .elapsed_s = (double)t.elapsed_ns / 1e9, .ops_per_s = 1e9 / ns_per_op,
        .ns_per_op = ns_per_op, .rounds = &spread,
        .hmalloc = &b.hmalloc, .hfree = &b.hfree, .fp = &fp, .live_peak_bytes = (double)b.live_peak_bytes,
    };
    lab_row_t r;
    lab_csv_header(columns);
    lab_row_micro(&r, columns, &m);
    lab_row_end(&r);
    if (!ok)
        fprintf(stderr, "%s: %s: workload %s stopped: %s\n", lab_prog, allocator, c->label, b.status);
    return 0;
}

// The lines of its own options in the usage text (lab_usage).
static const char options[] =
    "  --sizes DIST         uniform:LO:HI or lognormal:MEDIAN:SIGMA:LO:HI (bytes; k/m/g)\n"
    "  --live N             slots, i.e. blocks live at once (1 to 10m)\n"
    "  --rounds N           timed rounds, at least (1 to 100k)\n"
    "  --min-ms N           ... and until N ms have passed (0 to 60000)\n"
    "  --lat-rounds N       latency rounds (0 to 100k)\n"
    "  --free-fraction F    share of slots replaced per round (0.001 to 1)\n"
    "  --label NAME         the rows' workload, for a variant (e.g. other --sizes): a-z 0-9 - _\n";

// --describe: the workloads' parameters, for the book (lab_describe).
static const char describe_head[] = "<workload|<sizes (bytes)|>live blocks|>timed rounds (at least)|>for at least|"
                                    ">latency rounds|>share replaced per round|<what it exercises";
static void describe_row(size_t i, bool quick)
{
    const workload_t *w = &workloads[i];
    char ms[32] = "—";
    if (!quick && w->min_ms)
        snprintf(ms, sizeof ms, "%llu ms", (unsigned long long)w->min_ms);
    printf("| %s | `%s` | %llu | %llu | %s | %llu | %.0f%% | %s |\n", w->name, w->sizes,
           (unsigned long long)(quick ? w->q_live : w->live), (unsigned long long)(quick ? w->q_rounds : w->rounds), ms,
           (unsigned long long)(quick ? w->q_rounds / 2 : w->lat_rounds), 100 * w->free_fraction, w->why);
}

// The live slots hold up to c->live blocks at once; the harness has five arrays of them.
static void footprint(const config_t *c, const lab_dist_t *dist)
{
    char what[320];
    snprintf(what, sizeof what, "--live %llu blocks of --sizes %s", (unsigned long long)c->live, c->sizes);
    double slot_bytes = sizeof(void *) + sizeof(uint32_t) + sizeof(uint64_t) + 2 * sizeof(uint32_t);
    lab_require_memory(what, lab_dist_total_bytes(dist, c->live),
                       (double)c->live * slot_bytes + MAX_ROUNDS * sizeof(double));
}

int main(int argc, char **argv)
{
    lab_prog = "01-micro";
    static const struct option opts[] = {
        { "sizes", 1, 0, 's' }, { "live", 1, 0, 'l' }, { "rounds", 1, 0, 'r' }, { "lat-rounds", 1, 0, 'L' },
        { "free-fraction", 1, 0, 'f' }, { "min-ms", 1, 0, 'M' }, { "label", 1, 0, 'B' }, LAB_WORKLOAD_OPT, LAB_DESCRIBE_OPT, LAB_COMMON_OPTS
    };
    static const lab_program_t prog = {
        .columns = columns, .workloads = LAB_WORKLOADS(workloads), .describe_head = describe_head, .describe_row = describe_row,
        .options = options,
    };
    config_t c = { 0 };
    lab_common_t common = LAB_COMMON_INIT;
    const char *live = NULL, *rounds = NULL, *lat = NULL, *frac = NULL, *min_ms = NULL;
    int o;
    while ((o = lab_getopt(argc, argv, opts, &prog, &common)) != -1) {
        switch (o) {
        case 's': c.sizes = optarg; break;
        case 'l': live = optarg; break;
        case 'r': rounds = optarg; break;
        case 'M': min_ms = optarg; break;
        case 'L': lat = optarg; break;
        case 'f': frac = optarg; break;
        case 'B': c.label = optarg; break;
        }
    }
    c.w = &workloads[common.workload];
    if (c.label && (!*c.label || strspn(c.label, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(c.label)))
        lab_die("--label '%s' is not allowed: expected letters a-z, digits, '-' or '_'", c.label);
    c.label = c.label ? c.label : c.w->name;
    c.seed = common.seed;
    c.rep = common.rep;
    bool quick = common.quick;
    c.sizes = c.sizes ? c.sizes : c.w->sizes;
    c.live = live ? lab_opt_u64("--live", live, 1, 10 << 20) : quick ? c.w->q_live : c.w->live;
    c.rounds = rounds ? lab_opt_u64("--rounds", rounds, 1, MAX_ROUNDS) : quick ? c.w->q_rounds : c.w->rounds;
    c.min_ms = min_ms ? lab_opt_u64("--min-ms", min_ms, 0, 60000) : quick ? 0 : c.w->min_ms;
    c.lat_rounds = lat ? lab_opt_u64("--lat-rounds", lat, 0, 100 << 10) : quick ? c.w->q_rounds / 2 : c.w->lat_rounds;
    c.free_fraction = frac ? lab_opt_f64("--free-fraction", frac, 0.001, 1.0) : c.w->free_fraction;
    lab_dist_t dist = lab_opt_dist("--sizes", c.sizes);
    if (dist.hi_bytes > (1u << 30))
        lab_die("--sizes '%s' is not allowed: blocks larger than 1g are not a micro-benchmark", c.sizes);
    footprint(&c, &dist);
    lab_clock_init();
    return run(&c);
}
