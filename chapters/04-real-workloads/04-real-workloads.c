/* 04-real-workloads.c -- chapter 4: allocators under application-shaped work.
 *
 * Question: micro-benchmarks time one pattern at a time; how do the allocators compare
 * when the pattern is an application's: many sizes at once, short and long lifetimes
 * mixed, and (for the server) several threads?
 *
 * Method: three simulators, each a loop of "units" of work. A unit of
 *     web-server   one request: a request buffer, its headers parsed into small strings,
 *                  a response built (header lines, a body grown by realloc), all freed;
 *                  requests are taken from a shared counter by --threads workers
 *     kv-store     one operation on a hash table of --keys keys: insert, update (the
 *                  value replaced by one of a new log-normal size) or delete, so that the
 *                  table stays about two thirds full
 *     json-tree    one document parsed into a tree of small nodes and strings; nine in
 *                  ten die at once, one in ten replaces the oldest of --kept long-lived ones
 * runs untimed to a steady state (warm-up), then timed for at least --min-ms, or for exactly
 * --units units per thread (throughput: allocation calls per second over the timed units,
 * no per-call clock; the instruction counts use --units), then a latency
 * phase brackets every call with the TSC. Every block is written (lab_fill) when it is
 * allocated and checked (lab_check) before it is freed. Columns are chapter 1's.
 *
 * Run it:   make 04   or   build/04-real-workloads/04-real-workloads --workload kv-store
 * Expected: the allocators' order differs from chapter 1's: sizes and lifetimes mix.
 */
#include "../../common/lab.h"

// [workloads]
typedef struct {
    const char *name, *why;
    uint64_t threads, size, min_ms, lat_units;   // full size
    uint64_t q_size, q_lat_units;               // QUICK size
} workload_t;
static const workload_t workloads[] = {
    { "web-server", "per request: buffer, ~20 header strings, response lines, a body grown by realloc; all freed",
      2, 0, 800, 20000, 0, 2000 },
    { "kv-store", "hash table under random insert/update/delete, values log-normal (median 100 B, 8 B..64 KiB)",
      1, 200000, 800, 200000, 20000, 20000 },
    { "json-tree", "trees of 100-300 small nodes and their strings; 9 in 10 freed at once, 1 in 10 replaces the oldest kept tree",
      1, 500, 800, 1000, 100, 200 },
};
// [/workloads]
#define NWORKLOADS (sizeof workloads / sizeof workloads[0])
enum { W_WEB, W_KV, W_JSON };  // their places in the table
enum {
    UNITS_PER_CLOCK_READ = 1000,  // the timed phase reads the clock once per 1000 units
    JSON_MAX_BLOCKS = 1024,       // a json-tree document's blocks at most
    QUICK_MIN_MS = 100,           // QUICK's timed phase, every workload
};

static const char *const columns[] = { LAB_MICRO_COLUMNS, NULL };

// ---------------------------------------------------------------------------
// one worker's allocation calls: counted, optionally timed, every block written
// ---------------------------------------------------------------------------
typedef struct {
    lab_rng_t rng;
    lab_hist_t hmalloc, hfree;
    bool bracket;
    uint64_t calls, live_bytes, live_peak_bytes, gen;
    const char *status;
} ctx_t;

typedef struct { void *p; uint32_t size; uint64_t tag; } blk_t;

static inline bool a_new(ctx_t *c, blk_t *b, size_t size)
{
    void *p;
    LAB_TIMED_CALL(c->bracket, &c->hmalloc, p = malloc(size));
    c->calls++;
    const char *fault = lab_block_fault(p, size);
    if (fault) {  // the run stops: the worker frees nothing more
        c->status = fault;
        b->p = NULL;
        return false;
    }
    b->p = p;
    b->size = (uint32_t)size;
    b->tag = lab_tag(++c->gen);
    lab_fill(p, size, b->tag);
    c->live_bytes += size;
    if (c->live_bytes > c->live_peak_bytes)
        c->live_peak_bytes = c->live_bytes;
    return true;
}

static inline bool a_grow(ctx_t *c, blk_t *b, size_t size)  // realloc, counted as a malloc
{
    void *p;
    LAB_TIMED_CALL(c->bracket, &c->hmalloc, p = realloc(b->p, size));
    c->calls++;
    const char *fault = lab_block_fault(p, size);
    if (fault) {
        c->status = fault;
        return false;
    }
    c->live_bytes += size - b->size;
    if (c->live_bytes > c->live_peak_bytes)
        c->live_peak_bytes = c->live_bytes;
    b->p = p;
    b->size = (uint32_t)size;
    lab_fill(p, size, b->tag);
    return true;
}

static inline void a_free(ctx_t *c, blk_t *b)
{
    if (!b->p)
        return;
    if (!lab_check(b->p, b->size, b->tag))
        c->status = "corrupt";
    LAB_TIMED_CALL(c->bracket, &c->hfree, free(b->p));
    c->calls++;
    c->live_bytes -= b->size;
    b->p = NULL;
}

static size_t lognormal(lab_rng_t *r, double median, double sigma, size_t lo, size_t hi)
{
    double v = median * exp(sigma * lab_rng_normal(r));
    return v < (double)lo ? lo : v > (double)hi ? hi : (size_t)v;
}

// ---------------------------------------------------------------------------
// the simulators: each one unit of work per call
// ---------------------------------------------------------------------------
// [web-server]
static bool web_request(ctx_t *c)
{
    enum { MAX_HEADERS = 40 };
    blk_t req, hdr[MAX_HEADERS], line[MAX_HEADERS], body;
    size_t nh = 10 + lab_rng_below(&c->rng, 25);
    bool ok = a_new(c, &req, lognormal(&c->rng, 1500, 0.5, 256, 16384));   // 1. the request
    for (size_t i = 0; i < nh && ok; i++)                                   // 2. its headers
        ok = a_new(c, &hdr[i], lognormal(&c->rng, 24, 0.7, 4, 512));
    size_t nl = ok ? nh / 2 : 0;                                           // 3. the response
    for (size_t i = 0; i < nl && ok; i++)
        ok = a_new(c, &line[i], lognormal(&c->rng, 40, 0.5, 8, 256));
    size_t want = lognormal(&c->rng, 4096, 1.2, 64, 262144), have = 256;
    ok = ok && a_new(c, &body, have);
    while (ok && have < want)
        ok = a_grow(c, &body, have = have * 2 < want ? have * 2 : want);
    if (ok) {                                                              // 4. all freed
        a_free(c, &body);
        for (size_t i = 0; i < nl; i++)
            a_free(c, &line[i]);
        for (size_t i = 0; i < nh; i++)
            a_free(c, &hdr[i]);
        a_free(c, &req);
    }
    return ok;
}
// [/web-server]

typedef struct {
    size_t keys;
    blk_t *key, *val;   // per key: its key string and value, or NULL
} kv_t;

// [kv-store]
static bool kv_op(ctx_t *c, kv_t *kv)
{
    size_t k = lab_rng_below(&c->rng, kv->keys);
    if (!kv->key[k].p)   // insert
        return a_new(c, &kv->key[k], 8 + lab_rng_below(&c->rng, 24)) &&
               a_new(c, &kv->val[k], lognormal(&c->rng, 100, 1.3, 8, 65536));
    if (lab_rng_below(&c->rng, 4) < 3) {  // update: a new value of a new size
        a_free(c, &kv->val[k]);
        return a_new(c, &kv->val[k], lognormal(&c->rng, 100, 1.3, 8, 65536));
    }
    a_free(c, &kv->val[k]);  // delete
    a_free(c, &kv->key[k]);
    return true;
}
// [/kv-store]

typedef struct {
    size_t kept, next;
    blk_t **trees;  // the long-lived trees: arrays of blocks
    size_t *ntree;
} json_t;

// [json-tree]
static bool json_doc(ctx_t *c, json_t *j)
{
    blk_t b[JSON_MAX_BLOCKS];
    size_t nodes = 100 + lab_rng_below(&c->rng, 200), n = 0;
    bool ok = true;
    for (size_t i = 0; i < nodes && ok && n + 2 <= JSON_MAX_BLOCKS; i++) {
        ok = a_new(c, &b[n++], 48);                                       // the node
        if (ok && lab_rng_below(&c->rng, 3) != 0)
            ok = a_new(c, &b[n++], lognormal(&c->rng, 12, 0.9, 2, 4096)); // its key/string
        if (ok && i % 16 == 15)
            ok = a_new(c, &b[n++], 8 * (4 + lab_rng_below(&c->rng, 60)));    // a child array
    }
    if (ok && lab_rng_below(&c->rng, 10) == 0) {   // kept: replaces the oldest kept tree
        size_t s = j->next++ % j->kept;
        for (size_t i = 0; i < j->ntree[s]; i++)
            a_free(c, &j->trees[s][i]);
        memcpy(j->trees[s], b, n * sizeof *b);
        j->ntree[s] = n;
        return true;
    }
    for (size_t i = n; i-- > 0;)   // dies young: freed in reverse order, as a parser's arena would
        a_free(c, &b[i]);
    return ok;
}
// [/json-tree]

// ---------------------------------------------------------------------------
typedef struct {
    const workload_t *w;
    uint64_t threads, size, min_ms, units, lat_units, seed, rep;  // units: 0, or a fixed count
} config_t;

// The workers wait at this gate until every thread exists (go 1), or one could not be
// created (go 2: those started return at once, and the run is a failure row).
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int go;
} gate_t;

typedef struct {
    const config_t *cfg;
    ctx_t c;
    kv_t kv;
    json_t js;
    uint64_t timed_calls, timed_ns;
    pthread_barrier_t *bar;
    gate_t *gate;
} worker_t;

static int gate_wait(gate_t *g)
{
    pthread_mutex_lock(&g->lock);
    while (!g->go)
        pthread_cond_wait(&g->cond, &g->lock);
    int go = g->go;
    pthread_mutex_unlock(&g->lock);
    return go;
}

static void gate_open(gate_t *g, int go)
{
    pthread_mutex_lock(&g->lock);
    g->go = go;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

static bool unit(worker_t *w)
{
    switch (w->cfg->w - workloads) {
    case W_WEB: return web_request(&w->c);
    case W_KV: return kv_op(&w->c, &w->kv);
    default: return json_doc(&w->c, &w->js);
    }
}

static bool ok_(const ctx_t *c) { return strcmp(c->status, "ok") == 0; }

// The timed phase: units until --min-ms have passed, or exactly --units of them (a count
// that does not depend on speed, for the instruction counts: common/wrap/callgrind counts
// only this function).
static __attribute__((noinline, noipa)) void timed_phase(worker_t *w)
{
    const config_t *cfg = w->cfg;
    uint64_t c0 = w->c.calls, t0 = lab_now_ns(), t = t0, done = 0;
    while (ok_(&w->c) && (cfg->units ? done < cfg->units : t - t0 < cfg->min_ms * 1000000)) {
        for (int i = 0; i < UNITS_PER_CLOCK_READ && ok_(&w->c) && (!cfg->units || done < cfg->units); i++, done++)
            unit(w);
        t = lab_now_ns();
    }
    w->timed_calls = w->c.calls - c0;
    w->timed_ns = t - t0;
}

static void *work(void *arg)
{
    worker_t *w = arg;
    const config_t *cfg = w->cfg;
    if (gate_wait(w->gate) != 1)
        return NULL;
    // warm-up to a steady state: the table filled and turned over, the ring of kept trees full
    uint64_t warm = cfg->w == &workloads[W_KV] ? 4 * cfg->size : cfg->w == &workloads[W_JSON] ? 20 * cfg->size : 2000;
    for (uint64_t i = 0; i < warm && ok_(&w->c); i++)
        unit(w);
    pthread_barrier_wait(w->bar);
    timed_phase(w);
    w->c.bracket = true;
    for (uint64_t i = 0; i < cfg->lat_units && ok_(&w->c); i++)
        unit(w);
    return NULL;
}

static void drain(worker_t *w)
{
    for (size_t k = 0; k < w->kv.keys; k++) {
        a_free(&w->c, &w->kv.key[k]);
        a_free(&w->c, &w->kv.val[k]);
    }
    for (size_t s = 0; s < w->js.kept; s++)
        for (size_t i = 0; i < w->js.ntree[s]; i++)
            a_free(&w->c, &w->js.trees[s][i]);
}

// The workers, each with its own generator and its workload's tables (harness memory).
static worker_t *workers_new(const config_t *cfg, pthread_barrier_t *bar, gate_t *gate)
{
    worker_t *ws = lab_harness_alloc(cfg->threads * sizeof *ws);
    for (uint64_t i = 0; i < cfg->threads; i++) {
        worker_t *w = &ws[i];
        w->cfg = cfg;
        w->bar = bar;
        w->gate = gate;
        w->c.status = "ok";
        lab_rng_seed(&w->c.rng, cfg->seed * 1000 + i);
        lab_hist_init(&w->c.hmalloc);
        lab_hist_init(&w->c.hfree);
        if (cfg->w == &workloads[W_KV]) {
            w->kv.keys = cfg->size;
            w->kv.key = lab_harness_alloc(cfg->size * sizeof(blk_t));
            w->kv.val = lab_harness_alloc(cfg->size * sizeof(blk_t));
        } else if (cfg->w == &workloads[W_JSON]) {
            w->js.kept = cfg->size;
            w->js.trees = lab_harness_alloc(cfg->size * sizeof(blk_t *));
            w->js.ntree = lab_harness_alloc(cfg->size * sizeof(size_t));
            for (size_t s = 0; s < cfg->size; s++)
                w->js.trees[s] = lab_harness_alloc(JSON_MAX_BLOCKS * sizeof(blk_t));
        }
    }
    return ws;
}

// Runs the workers: this thread is the first. A thread that cannot be created makes every
// worker's status no_thread (a failure row, as for an allocator that fails: the run goes
// on); returns false after saying so.
static bool workers_run(worker_t *ws, const config_t *cfg, gate_t *gate, const char *allocator)
{
    uint64_t nt = cfg->threads, started = 1;
    pthread_t *tid = lab_harness_alloc(nt * sizeof *tid);
    int err = 0;
    while (started < nt && (err = pthread_create(&tid[started], NULL, work, &ws[started])) == 0)
        started++;
    gate_open(gate, started == nt ? 1 : 2);
    if (started == nt)
        work(&ws[0]);
    for (uint64_t i = 1; i < started; i++)
        pthread_join(tid[i], NULL);
    if (started == nt)
        return true;
    fprintf(stderr, "%s: %s: workload %s: cannot create thread %llu of %llu: %s\n", lab_prog, allocator,
            cfg->w->name, (unsigned long long)started + 1, (unsigned long long)nt, strerror(err));
    for (uint64_t i = 0; i < nt; i++)
        ws[i].c.status = "no_thread";
    return false;
}

// The workers' results as one run: latencies merged, timed calls summed over the longest
// timed phase, and every block freed where the worker did not fail.
typedef struct {
    lab_hist_t hmalloc, hfree;
    uint64_t calls;
    double wall_ns, live_peak_bytes;
    const char *status;
} result_t;

static void workers_merge(worker_t *ws, uint64_t nt, result_t *res)
{
    lab_hist_init(&res->hmalloc);
    lab_hist_init(&res->hfree);
    res->calls = 0;
    res->wall_ns = res->live_peak_bytes = 0;
    res->status = "ok";
    for (uint64_t i = 0; i < nt; i++) {
        lab_hist_merge(&res->hmalloc, &ws[i].c.hmalloc);
        lab_hist_merge(&res->hfree, &ws[i].c.hfree);
        res->calls += ws[i].timed_calls;
        res->wall_ns = fmax(res->wall_ns, (double)ws[i].timed_ns);
        res->live_peak_bytes += (double)ws[i].c.live_peak_bytes;  // threads' peaks summed: an upper bound
        if (!ok_(&ws[i].c))
            res->status = ws[i].c.status;
        else
            drain(&ws[i]);
    }
}

static int run(const config_t *cfg)
{
    const char *allocator = lab_allocator();
    uint64_t nt = cfg->threads;
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, (unsigned)nt);
    gate_t gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
    worker_t *ws = workers_new(cfg, &bar, &gate);
    lab_footprint_t fp;
    lab_footprint_begin(&fp);
    bool started = workers_run(ws, cfg, &gate, allocator);
    lab_footprint_end(&fp);
    static result_t res;
    workers_merge(ws, nt, &res);
    // ns_per_op: wall time per call per thread, i.e. what one call costs one thread
    double ns_per_op = res.wall_ns * (double)nt / (double)res.calls;
    lab_micro_t m = {
        .allocator = allocator, .workload = cfg->w->name, .status = res.status, .threads = nt, .rep = cfg->rep,
        .ops = (double)res.calls, .elapsed_s = res.wall_ns / 1e9, .ops_per_s = (double)res.calls / (res.wall_ns / 1e9),
        .ns_per_op = ns_per_op,
        .hmalloc = &res.hmalloc, .hfree = &res.hfree, .fp = &fp, .live_peak_bytes = res.live_peak_bytes,
    };
    lab_row_t r;
    lab_csv_header(columns);
    lab_row_micro(&r, columns, &m);
    lab_row_end(&r);
    if (strcmp(res.status, "ok") != 0 && started)  // else said above, with the reason
        fprintf(stderr, "%s: %s: workload %s stopped: %s\n", lab_prog, allocator, cfg->w->name, res.status);
    return 0;
}

// The worst case the sizes allow, against MemAvailable, before anything is allocated:
// kv-store every key present (a key of up to 32 bytes, a value of the values' law);
// json-tree every kept tree at its largest (JSON_MAX_BLOCKS of up to 64 bytes, nearly all
// small). The harness: the block tables.
static void require_memory(const config_t *c)
{
    char what[80];
    snprintf(what, sizeof what, "%s's %llu %s", c->w->name, (unsigned long long)c->size,
             c->w == &workloads[W_KV] ? "keys" : "kept trees");
    if (c->w == &workloads[W_KV]) {
        lab_dist_t values;
        char err[160];
        if (!lab_dist_parse("lognormal:100:1.3:8:65536", &values, err, sizeof err))
            lab_die_code(1, "the values' law: %s", err);
        lab_require_memory(what, lab_dist_total_bytes(&values, c->size) + 32.0 * (double)c->size,
                           2.0 * (double)c->size * sizeof(blk_t));
    } else if (c->w == &workloads[W_JSON]) {
        lab_require_memory(what, (double)c->size * JSON_MAX_BLOCKS * 64,
                           (double)c->size * (JSON_MAX_BLOCKS * sizeof(blk_t) + sizeof(blk_t *) + sizeof(size_t)));
    }
}

// The lines of its own options in the usage text (lab_usage).
static const char options[] =
    "  --threads N       worker threads (1 to 64; web-server's default 2)\n"
    "  --size N          kv-store: keys; json-tree: kept trees (1 to 10m)\n"
    "  --min-ms N        timed phase, at least (1 to 60000)\n"
    "  --units N         timed phase: exactly N units per thread instead (1 to 1g)\n"
    "  --lat-units N     units in the latency phase (0 to 10m)\n";

// --describe: the workloads' parameters, for the book (lab_describe).
static const char describe_head[] = "<workload|>threads|>size|>timed for at least|>latency units|<what one unit does";
static void describe_row(size_t i, bool quick)
{
    const workload_t *w = &workloads[i];
    char size[48] = "—";
    if (w->size)
        snprintf(size, sizeof size, "%llu %s", (unsigned long long)(quick ? w->q_size : w->size), i == W_KV ? "keys" : "kept trees");
    printf("| %s | %llu | %s | %llu ms | %llu | %s |\n", w->name, (unsigned long long)w->threads, size,
           (unsigned long long)(quick ? QUICK_MIN_MS : w->min_ms), (unsigned long long)(quick ? w->q_lat_units : w->lat_units), w->why);
}

int main(int argc, char **argv)
{
    lab_prog = "04-real-workloads";
    static const struct option opts[] = {
        { "threads", 1, 0, 't' }, { "size", 1, 0, 's' }, { "min-ms", 1, 0, 'M' }, { "units", 1, 0, 'U' },
        { "lat-units", 1, 0, 'L' },
        LAB_WORKLOAD_OPT, LAB_DESCRIBE_OPT, LAB_COMMON_OPTS
    };
    static const lab_program_t prog = {
        .columns = columns, .workloads = LAB_WORKLOADS(workloads), .describe_head = describe_head, .describe_row = describe_row,
        .options = options,
    };
    config_t c = { 0 };
    lab_common_t common = LAB_COMMON_INIT;
    uint64_t threads = 0, size = 0, min_ms = 0, lat = 0;  // 0: not given (but --lat-units 0 is)
    bool lat_given = false;
    int o;
    while ((o = lab_getopt(argc, argv, opts, &prog, &common)) != -1) {
        switch (o) {
        case 't': threads = lab_opt_u64("--threads", optarg, 1, 64); break;
        case 's': size = lab_opt_u64("--size", optarg, 1, 10 << 20); break;
        case 'M': min_ms = lab_opt_u64("--min-ms", optarg, 1, 60000); break;
        case 'U': c.units = lab_opt_u64("--units", optarg, 1, 1 << 30); break;
        case 'L': lat = lab_opt_u64("--lat-units", optarg, 0, 10 << 20), lat_given = true; break;
        }
    }
    c.w = &workloads[common.workload];
    c.seed = common.seed;
    c.rep = common.rep;
    bool quick = common.quick;
    c.threads = threads ? threads : c.w->threads;
    c.size = size ? size : quick ? c.w->q_size : c.w->size;
    if (c.w->size == 0)
        c.size = 0;
    c.min_ms = min_ms ? min_ms : quick ? QUICK_MIN_MS : c.w->min_ms;
    c.lat_units = lat_given ? lat : quick ? c.w->q_lat_units : c.w->lat_units;
    require_memory(&c);
    lab_clock_init();
    return run(&c);
}
