/* 02-threads.c -- chapter 2: how does each allocator scale as threads are added?
 *
 * Question: where does each allocator stop scaling, and why: arenas, thread caches,
 * remote frees or locks?
 *
 * Method: one process runs one workload with --threads worker threads, pinned
 * one per CPU (--pin) or left to the scheduler (--no-pin, the default). The main thread only
 * coordinates: it releases the workers phase by phase and sleeps (nanosleep, never a
 * futex; 1 ms at a time) while they run. Phases: warm-up (untimed), the timed rounds
 * (16 rounds of --ops operations in all, split evenly between rounds and threads, and more
 * rounds of the same size until --min-ms have passed; one clock read per thread at each
 * end of a round; throughput is the whole timed phase's, the rounds' spread beside it),
 * latency (every malloc and free bracketed by the TSC, at most 250k per thread, per-thread
 * histograms merged at the end). --paired (thread-local, shared-pool) alternates the timed rounds
 * between all threads and worker 0 alone, so that one process measures its own speedup
 * (a host's slow spell slows both kinds of round alike), and skips the latency phase.
 *   thread-local        each thread replaces random blocks of its own slot table
 *   producer-consumer   thread i allocates and passes blocks to thread i+1 (mod T) through
 *                       a lock-free single-producer single-consumer ring, and frees what
 *                       thread i-1 passes to it: with T >= 2 every free is cross-thread
 *   shared-pool         every thread replaces random blocks of one shared slot table: a
 *                       block is freed by whichever thread picks its slot next
 *   false-sharing       cache-scratch: the main thread allocates small objects and hands
 *                       them out round-robin; each worker frees its share and allocates its
 *                       own; we count objects on a cache line with another thread's object,
 *                       then time each thread writing to its own objects
 * Every block is written with lab_fill by the thread that allocates it and checked with
 * lab_check by the thread that frees it. Lock contention: the futex system calls of the
 * timed phase, counted by the kernel tracepoint syscalls:sys_enter_futex (the counter
 * `perf stat -e syscalls:sys_enter_futex` reads), opened with perf_event_open and
 * inherited by the workers; "unavailable" where the kernel does not permit it.
 *
 * Run it:   make 02                         (all allocators, 5 repetitions)
 *           build/02-threads/02-threads --workload shared-pool --threads 4
 * Expected: thread-local scales with cores for every allocator but glibc's slower path;
 *           cross-thread frees cost most where they meet a lock (glibc arenas,
 *           MALLOC_ARENA_MAX=1 above all); nothing scales past the number of cores.
 */
#include "../../common/lab.h"

#include <getopt.h>
#include <linux/perf_event.h>
#include <malloc.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#define MAX_THREADS 1024
#define LINE 64

// [workloads]
typedef struct {
    const char *name, *why;
    uint64_t ops, live;      // full size: operations in 16 timed rounds and live blocks, all
                             // threads together (false-sharing: objects per thread)
    uint64_t q_ops, q_live;  // QUICK size
} workload_t;

// Full size: live sets of about 30 MiB (160k blocks of chapter 1's mixed sizes), so that
// peak RSS measures what each allocator holds rather than its start-up footprint, and
// timed phases of at least MIN_MS: 16 rounds of these sizes take 0.2 to 0.7 s with glibc
// on this notebook's 2-CPU machine, and more rounds follow until a second has passed.
static const workload_t workloads[] = {
    { "thread-local", "per-thread caches and arenas; no block changes thread", 3000000, 160000, 100000, 2000 },
    { "producer-consumer", "every free is remote: thread caches, remote-free lists, arena locks", 8000000, 0, 100000, 0 },
    { "shared-pool", "blocks freed by a random thread: remote and local frees mixed", 3000000, 160000, 100000, 2000 },
    { "false-sharing", "does an object allocated for another thread share its cache line?", 600000000, 64, 400000, 64 },
};
// [/workloads]
#define NWORKLOADS (sizeof workloads / sizeof workloads[0])
#define MIN_MS 1000  // full size: timed rounds until this many ms have passed (QUICK: 0)
enum { THREAD_LOCAL, PRODUCER_CONSUMER, SHARED_POOL, FALSE_SHARING };
#define SIZES "lognormal:64:1.5:8:1m"  // chapter 1's mixed distribution
#define OBJ_BYTES 8                    // cache-scratch's object size
#define HANDOUT_TAG 0x5a5a5a5a5a5a5a5aull  // what memset(p, 0x5a, 8) writes
#define NSIZES 65536                   // pre-drawn sizes per thread (power of two)
#define RING 1024                      // entries per producer-consumer ring (power of two)
#define ROUNDS 16                      // timed rounds at least, of --ops / ROUNDS operations each
#define MAX_ROUNDS 1024                // ... and more until --min-ms have passed, up to this
#define LAT_OPS 250000                 // latency phase: operations per thread, at most

static const char *const columns[] = {
    "allocator", "workload", "threads", "pin", "rep", "status", "cpus", "ops", "elapsed_s",
    "ops_per_s", "ns_per_op", LAB_ROUND_COLUMNS, "solo_ns_per_op", "paired_speedup",
    "malloc_lat_p50_ns", "malloc_lat_p99_ns", "malloc_lat_p999_ns", "free_lat_p50_ns",
    "free_lat_p99_ns", "free_lat_p999_ns", "timer_overhead_ns", "timer_resolution_ns",
    "peak_rss_kib", "baseline_rss_kib", "rss_added_kib",
    "live_bytes", "remote_free_pct", "shared_line_pct", "arenas", "futex_counter",
    "futex_calls", "futex_per_mop", "minor_faults", NULL
};

// ---------------------------------------------------------------------------
// shared state
// ---------------------------------------------------------------------------

typedef struct {
    void *p;
    uint32_t size_bytes;
    uint64_t tag;
} block_t;

// A producer-consumer ring: one writer (head), one reader (tail), each index on its own
// cache line; each side caches the other's index and rereads it only when it seems
// full or empty, so a line moves between cores once per batch, not once per block.
typedef struct {
    _Alignas(LINE) _Atomic uint64_t head;  // written by the producer
    uint64_t tail_seen;                    // producer's copy of tail
    _Alignas(LINE) _Atomic uint64_t tail;  // written by the consumer
    uint64_t head_seen;                    // consumer's copy of head
    _Alignas(LINE) block_t e[RING];
} ring_t;

// A shared-pool slot: a byte spinlock held while one thread replaces the slot's block.
typedef struct {
    atomic_flag lock;
    uint32_t size_bytes;
    void *p;
    uint64_t tag;
} slot_t;

typedef struct {
    _Alignas(LINE) int id;
    lab_rng_t rng;
    uint32_t *sizes;          // NSIZES pre-drawn sizes
    uint64_t nsize;           // next index into sizes
    block_t *own;             // thread-local slots
    void **objs;              // false-sharing: this thread's objects
    lab_hist_t *hmalloc, *hfree;
    int64_t live_bytes;       // allocated here minus freed here: the sum over threads is live
    uint64_t gen, frees, remote_frees, nown;
    uint64_t t_start[MAX_ROUNDS], t_end[MAX_ROUNDS];  // ns, of each timed round
    const char *status;
    pthread_t tid;
} worker_t;

static struct {
    int workload, threads, pin;  // workload: the index in workloads[]
    bool paired;                 // --paired: odd timed rounds are worker 0's alone
    uint64_t ops, live, seed, min_ms;
    int rounds;                  // timed rounds run
    worker_t *w;
    ring_t *rings;                  // rings[i]: from thread i to thread i+1
    slot_t *pool;                   // shared pool: threads x live slots
    size_t npool;
    void **handout;                 // false-sharing: objects the main thread allocated
    _Alignas(LINE) _Atomic int phase;
    _Alignas(LINE) _Atomic int done;
    _Atomic int failed;             // a worker found broken memory: everyone stops
} g;

// Phases: warm-up, the timed rounds (g.rounds of them: the main thread decides), latency, end.
enum { PH_START = 1, PH_WARM, PH_TIMED, PH_LAT = PH_TIMED + MAX_ROUNDS, PH_END };

static bool failed(void) { return atomic_load_explicit(&g.failed, memory_order_relaxed); }

// ---------------------------------------------------------------------------
// one block: allocate, validate, free
// ---------------------------------------------------------------------------

static bool fail(worker_t *w, const char *status)
{
    w->status = status;
    atomic_store(&g.failed, 1);
    return false;
}

// [block]
// malloc, then the allocating thread validates: not NULL, aligned, and the pattern written.
static bool get_block(worker_t *w, block_t *b, bool bracket)
{
    size_t size = w->sizes[w->nsize++ & (NSIZES - 1)];
    void *p;
    LAB_TIMED_CALL(bracket, w->hmalloc, p = malloc(size));
    if (!p)
        return fail(w, "malloc_null");
    if ((uintptr_t)p % lab_owed_alignment(size))
        return fail(w, "misaligned");
    b->tag = (lab_tag(++w->gen) & ~(uint64_t)(MAX_THREADS - 1)) | (uint64_t)w->id;
    lab_fill(p, size, b->tag);
    b->p = p;
    b->size_bytes = (uint32_t)size;
    w->live_bytes += (int64_t)size;
    return true;
}

// The freeing thread checks the pattern, then frees. The tag's low bits name the
// thread that allocated the block: a free by another thread is remote.
static bool put_block(worker_t *w, block_t *b, bool bracket)
{
    bool remote = (b->tag & (MAX_THREADS - 1)) != (uint64_t)w->id;
    if (!lab_check(b->p, b->size_bytes, b->tag))
        return fail(w, "corrupt");
    LAB_TIMED_CALL(bracket, w->hfree, free(b->p));
    w->live_bytes -= b->size_bytes;
    w->frees++;
    w->remote_frees += remote;
    b->p = NULL;
    return true;
}
// [/block]

// ---------------------------------------------------------------------------
// the workloads: n operations (a malloc or a free each) by one thread
// ---------------------------------------------------------------------------

// [thread-local]
static bool thread_local_ops(worker_t *w, uint64_t n, bool bracket)
{
    for (uint64_t i = 0; i < n && !failed(); i += 2) {
        block_t *b = &w->own[lab_rng_below(&w->rng, w->nown)];
        if (b->p && !put_block(w, b, bracket))
            return false;
        if (!get_block(w, b, bracket))
            return false;
    }
    return !failed();
}
// [/thread-local]

// [producer-consumer]
// Thread i produces n/2 blocks into rings[i] and consumes n/2 from rings[i-1]; with one
// thread the ring leads back to itself (the queue's cost, with local frees).
static bool producer_consumer_ops(worker_t *w, uint64_t n, bool bracket)
{
    ring_t *out = &g.rings[w->id], *in = &g.rings[(w->id + g.threads - 1) % g.threads];
    uint64_t made = 0, eaten = 0, half = n / 2;
    unsigned spins = 0;
    while ((made < half || eaten < half) && !failed()) {
        bool progress = false;
        uint64_t h = atomic_load_explicit(&out->head, memory_order_relaxed);
        if (made < half && (h - out->tail_seen < RING ||
                            h - (out->tail_seen = atomic_load_explicit(&out->tail, memory_order_acquire)) < RING)) {
            if (!get_block(w, &out->e[h & (RING - 1)], bracket))
                return false;
            atomic_store_explicit(&out->head, h + 1, memory_order_release);
            made++, progress = true;
        }
        uint64_t t = atomic_load_explicit(&in->tail, memory_order_relaxed);
        if (eaten < half && (t < in->head_seen ||
                             t < (in->head_seen = atomic_load_explicit(&in->head, memory_order_acquire)))) {
            if (!put_block(w, &in->e[t & (RING - 1)], bracket))
                return false;
            atomic_store_explicit(&in->tail, t + 1, memory_order_release);
            eaten++, progress = true;
        }
        if (progress)
            spins = 0;
        else
            lab_pause(&spins);
    }
    return !failed();
}
// [/producer-consumer]

// [shared-pool]
static bool shared_pool_ops(worker_t *w, uint64_t n, bool bracket)
{
    for (uint64_t i = 0; i < n && !failed(); i += 2) {
        slot_t *s = &g.pool[lab_rng_below(&w->rng, g.npool)];
        unsigned spins = 0;
        while (atomic_flag_test_and_set_explicit(&s->lock, memory_order_acquire))
            lab_pause(&spins);
        block_t b = { s->p, s->size_bytes, s->tag };
        bool ok = (!b.p || put_block(w, &b, bracket)) &&
                  get_block(w, &b, bracket);
        s->p = b.p, s->size_bytes = b.size_bytes, s->tag = b.tag;
        atomic_flag_clear_explicit(&s->lock, memory_order_release);
        if (!ok)
            return false;
    }
    return !failed();
}
// [/shared-pool]

// [false-sharing]
// Cache-scratch: free the objects the main thread allocated for us (remote frees), take
// our own, then write to them. Writes to a line that another thread's object shares
// make that line travel between cores.
static bool scratch_setup(worker_t *w)
{
    for (uint64_t k = 0; k < g.live; k++) {
        block_t b = { g.handout[k * (uint64_t)g.threads + (uint64_t)w->id], OBJ_BYTES, HANDOUT_TAG };
        if (!put_block(w, &b, false))
            return false;
    }
    for (uint64_t k = 0; k < g.live; k++) {
        void *p = malloc(OBJ_BYTES);
        if (!p)
            return fail(w, "malloc_null");
        if ((uintptr_t)p % lab_owed_alignment(OBJ_BYTES))
            return fail(w, "misaligned");
        memset(p, 0, OBJ_BYTES);
        w->objs[k] = p;
    }
    return true;
}

static bool scratch_writes(worker_t *w, uint64_t n)
{
    uint64_t rounds = n / g.live;
    for (uint64_t r = 0; r < rounds && !failed(); r++)
        for (uint64_t k = 0; k < g.live; k++)
            (*(volatile uint64_t *)w->objs[k])++;
    return true;
}

static bool scratch_done(worker_t *w, uint64_t n)
{
    uint64_t want = (uint64_t)g.rounds * (n / g.live);  // n: writes per round
    for (uint64_t k = 0; k < g.live; k++) {
        if (*(uint64_t *)w->objs[k] != want)
            return fail(w, "corrupt");
        free(w->objs[k]);
    }
    return true;
}
// [/false-sharing]

static bool ops(worker_t *w, uint64_t n, bool bracket)
{
    switch (g.workload) {
    case THREAD_LOCAL: return thread_local_ops(w, n, bracket);
    case PRODUCER_CONSUMER: return producer_consumer_ops(w, n, bracket);
    case SHARED_POOL: return shared_pool_ops(w, n, bracket);
    default: return scratch_writes(w, n);
    }
}

// ---------------------------------------------------------------------------
// workers and phases
// ---------------------------------------------------------------------------

static void wait_phase(int ph)
{
    unsigned spins = 0;
    while (atomic_load_explicit(&g.phase, memory_order_acquire) < ph)
        lab_pause(&spins);
}

static void arrive(void) { atomic_fetch_add_explicit(&g.done, 1, memory_order_release); }

static uint64_t per_thread(uint64_t total) { return (total / (uint64_t)g.threads + 1) & ~(uint64_t)1; }

// Whether thread t works in timed round r: every thread, but with --paired only worker 0
// in the odd (solo) rounds.
static bool in_round(int t, int r) { return !g.paired || r % 2 == 0 || t == 0; }

static void *worker(void *arg)
{
    worker_t *w = arg;
    if (g.pin && !lab_pin(w->id))
        w->status = "pin_failed";
    uint64_t n = per_thread(g.ops);
    wait_phase(PH_WARM);
    bool ok = true;
    if (g.workload == THREAD_LOCAL)  // fill the own slots
        for (uint64_t i = 0; ok && i < w->nown; i++)
            ok = get_block(w, &w->own[i], false);
    if (ok && g.workload == FALSE_SHARING)
        ok = scratch_setup(w);
    if (ok && g.workload != FALSE_SHARING)
        ok = ops(w, n / 16, false);
    arrive();
    uint64_t nr = per_thread(g.ops / ROUNDS);  // operations per round
    for (int r = 0; r < MAX_ROUNDS; r++) {
        wait_phase(PH_TIMED + r);
        if (atomic_load_explicit(&g.phase, memory_order_acquire) >= PH_LAT)
            break;  // the main thread has ended the timed phase
        if (in_round(w->id, r)) {
            w->t_start[r] = lab_now_ns();
            if (ok)
                ok = ops(w, nr, false);
            w->t_end[r] = lab_now_ns();
        }
        arrive();
    }
    wait_phase(PH_LAT);
    if (ok && g.workload != FALSE_SHARING && !g.paired)  // (a paired run is for its speedup)
        ok = ops(w, n / 4 < LAT_OPS ? n / 4 : LAT_OPS, true);
    if (ok && g.workload == FALSE_SHARING)
        ok = scratch_done(w, nr);
    arrive();
    wait_phase(PH_END);
    if (ok && g.workload == THREAD_LOCAL)
        for (uint64_t i = 0; i < w->nown; i++)
            if (w->own[i].p)
                put_block(w, &w->own[i], false);
    return NULL;
}

// Releases the workers into phase ph and sleeps until all have finished it.
static void run_phase(int ph)
{
    atomic_store(&g.done, 0);
    atomic_store_explicit(&g.phase, ph, memory_order_release);
    lab_sleep_until(&g.done, g.threads);
}

// ---------------------------------------------------------------------------
// contention: the futex tracepoint, counted in this process and its threads
// ---------------------------------------------------------------------------

// Opens a counter of syscalls:sys_enter_futex, disabled, inherited by threads created
// later. -1 (and why, in *why) where the kernel has no tracefs or does not permit it.
static int futex_counter(const char **why)
{
    if (getenv("LAB_NO_PERF")) {
        *why = "switched off by LAB_NO_PERF";
        return -1;
    }
    const char *paths[] = { "/sys/kernel/tracing/events/syscalls/sys_enter_futex/id",
                            "/sys/kernel/debug/tracing/events/syscalls/sys_enter_futex/id" };
    char buf[64];
    uint64_t id = 0;
    for (size_t i = 0; i < 2 && !id; i++)
        if (lab_read_file(paths[i], buf, sizeof buf))
            id = strtoull(buf, NULL, 10);
    if (!id) {
        *why = "no tracefs (the syscalls:sys_enter_futex tracepoint id is not readable)";
        return -1;
    }
    struct perf_event_attr a = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof a, .config = id,
                                 .disabled = 1, .inherit = 1, .exclude_kernel = 0 };
    int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0)
        *why = errno == EACCES || errno == EPERM ? "perf_event_open not permitted (perf_event_paranoid)"
                                                 : "perf_event_open failed";
    return fd;
}

// glibc's arena count: one <heap nr="N"> per arena in malloc_info's XML. -1 elsewhere.
static int glibc_arenas(void)
{
    if (!lab_malloc()->glibc)
        return -1;
    static char xml[1 << 20];
    FILE *f = fmemopen(xml, sizeof xml - 1, "w");
    if (!f)
        return -1;
    malloc_info(0, f);
    fclose(f);
    int n = 0;
    for (char *p = xml; (p = strstr(p, "<heap nr=")); p++)
        n++;
    return n;
}

// ---------------------------------------------------------------------------
// one run
// ---------------------------------------------------------------------------

typedef struct {
    const workload_t *wl;
    uint64_t rep;
} config_t;

static int cmp_uptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

// False sharing: the share of objects whose 64-byte line holds another thread's object.
// Each address carries its thread in the low bits of a sorted key: line << 10 | thread.
static double shared_line_pct(void)
{
    size_t n = (size_t)g.threads * g.live, shared = 0;
    uintptr_t *key = lab_harness_alloc(n * sizeof *key);
    for (int t = 0; t < g.threads; t++)
        for (uint64_t k = 0; k < g.live; k++)
            key[(size_t)t * g.live + k] = ((uintptr_t)g.w[t].objs[k] / LINE) << 10 | (uintptr_t)t;
    qsort(key, n, sizeof *key, cmp_uptr);
    for (size_t i = 0, j; i < n; i = j) {
        bool mixed = false;
        for (j = i; j < n && key[j] >> 10 == key[i] >> 10; j++)
            mixed |= (key[j] & 0x3ff) != (key[i] & 0x3ff);
        if (mixed)
            shared += j - i;
    }
    munmap(key, n * sizeof *key);
    return 100.0 * (double)shared / (double)n;
}

// The harness's tables (pre-drawn sizes, histograms, the workload's slots), allocated
// before the measurement starts so that they are not part of its footprint.
static void setup_workers(void)
{
    lab_dist_t dist = lab_opt_dist("--sizes", SIZES);
    int T = g.threads;
    g.w = lab_harness_alloc((size_t)T * sizeof *g.w);
    for (int t = 0; t < T; t++) {
        worker_t *w = &g.w[t];
        w->id = t;
        w->status = "ok";
        lab_rng_seed(&w->rng, g.seed * 1000003u + (uint64_t)t);  // the same for every allocator
        w->sizes = lab_harness_alloc(NSIZES * sizeof *w->sizes);
        for (size_t i = 0; i < NSIZES; i++)
            w->sizes[i] = (uint32_t)lab_dist_draw(&dist, &w->rng);
        w->hmalloc = lab_harness_alloc(sizeof *w->hmalloc);
        w->hfree = lab_harness_alloc(sizeof *w->hfree);
        lab_hist_init(w->hmalloc);
        lab_hist_init(w->hfree);
        if (g.workload == THREAD_LOCAL) {  // the live blocks, shared out: RSS growth is overhead
            w->nown = g.live / (uint64_t)T + ((uint64_t)t < g.live % (uint64_t)T);
            w->nown = w->nown ? w->nown : 1;
            w->own = lab_harness_alloc((w->nown + 1) * sizeof *w->own);
        }
        if (g.workload == FALSE_SHARING)
            w->objs = lab_harness_alloc(g.live * sizeof *w->objs);
    }
    if (g.workload == PRODUCER_CONSUMER)
        g.rings = lab_harness_alloc((size_t)T * sizeof *g.rings);
    if (g.workload == SHARED_POOL) {
        g.npool = g.live;
        g.pool = lab_harness_alloc(g.npool * sizeof *g.pool);
    }
}

// false-sharing: the main thread allocates every worker's objects. "ok" or why not.
static const char *hand_out(void)
{
    size_t n = (size_t)g.threads * g.live;
    g.handout = lab_harness_alloc(n * sizeof *g.handout);
    for (size_t i = 0; i < n; i++) {
        if (!(g.handout[i] = malloc(OBJ_BYTES)))
            return "malloc_null";
        memset(g.handout[i], 0x5a, OBJ_BYTES);
    }
    return "ok";
}

// What the run measured, gathered from the workers.
typedef struct {
    const char *status;
    uint64_t nops, frees, remote, futex;  // nops: in the rounds of all threads
    int64_t live_end;      // bytes live when the timed phase ends
    double secs;           // the rounds' time (s), rounds of all threads
    double round_ns[MAX_ROUNDS];  // each such round's time per operation (ns)
    int rounds;            // ... and their number
    double solo_secs, solo_ops;   // --paired: worker 0's rounds alone
    double shared;         // false-sharing: shared_line_pct
    int arenas;            // glibc_arenas
    int fd;                // the futex counter, -1 if none
    lab_hist_t *hm, *hf;   // every thread's latencies
    lab_footprint_t fp;
} result_t;

// The phases: warm-up, the timed rounds (futex calls counted), latency.
static void run_phases(result_t *s)
{
    run_phase(PH_WARM);
    if (s->fd >= 0)
        ioctl(s->fd, PERF_EVENT_IOC_ENABLE, 0);
    // At least ROUNDS rounds, and more until min_ms have passed; --paired ends on a solo round.
    uint64_t t0 = lab_now_ns();
    for (g.rounds = 0; g.rounds < MAX_ROUNDS && (g.rounds < ROUNDS || lab_now_ns() - t0 < g.min_ms * 1000000 ||
                                                 (g.paired && g.rounds % 2));)
        run_phase(PH_TIMED + g.rounds++);
    for (int t = 0; t < g.threads; t++)
        s->live_end += g.w[t].live_bytes;
    if (s->fd >= 0) {
        ioctl(s->fd, PERF_EVENT_IOC_DISABLE, 0);
        if (read(s->fd, &s->futex, sizeof s->futex) != sizeof s->futex)
            s->fd = -1;  // the row says "unavailable"
    }
    run_phase(PH_LAT);
}

// The workers' counts, histograms and status; the rounds' times. A round lasts from the
// first thread's start to the last thread's end; throughput is the whole timed phase's.
static void gather(result_t *s)
{
    s->hm = lab_harness_alloc(sizeof *s->hm);
    s->hf = lab_harness_alloc(sizeof *s->hf);
    lab_hist_init(s->hm);
    lab_hist_init(s->hf);
    for (int t = 0; t < g.threads; t++) {
        worker_t *w = &g.w[t];
        if (strcmp(w->status, "ok") != 0)
            s->status = w->status;
        s->frees += w->frees;
        s->remote += w->remote_frees;
        lab_hist_merge(s->hm, w->hmalloc);
        lab_hist_merge(s->hf, w->hfree);
    }
    uint64_t nr = per_thread(g.ops / ROUNDS);  // each thread's operations in a round
    for (int r = 0; r < g.rounds; r++) {
        uint64_t t0 = UINT64_MAX, t1 = 0, n = 0;
        for (int t = 0; t < g.threads; t++)
            if (in_round(t, r)) {
                t0 = g.w[t].t_start[r] < t0 ? g.w[t].t_start[r] : t0;
                t1 = g.w[t].t_end[r] > t1 ? g.w[t].t_end[r] : t1;
                n += nr;
            }
        if (n < nr * (uint64_t)g.threads) {  // a solo round
            s->solo_secs += (double)(t1 - t0) / 1e9;
            s->solo_ops += (double)n;
            continue;
        }
        s->secs += (double)(t1 - t0) / 1e9;
        s->nops += n;
        s->round_ns[s->rounds++] = (double)(t1 - t0) / (double)n;
    }
}

// The row. ns per operation is wall time over all threads' operations, of the whole timed
// phase (ns_per_op, and ops_per_s), with the rounds' spread beside it (as in chapter 1).
// With --paired these are the rounds of all threads; solo_ns_per_op is worker 0's rounds
// alone, and paired_speedup the throughput of the one over the other.
static void write_row(const config_t *c, const char *allocator, result_t *s)
{
    bool ok = strcmp(s->status, "ok") == 0, lat = ok && g.workload != FALSE_SHARING && !g.paired;
    double peak = (double)s->fp.peak_kib, base = (double)s->fp.baseline_kib;
    lab_rounds_t spread = lab_rounds(s->round_ns, ok ? (size_t)s->rounds : 0);
    double solo_ns = ok && g.paired ? s->solo_secs * 1e9 / s->solo_ops : NAN;
    lab_row_t r;
    lab_csv_header(columns);
    lab_row_begin(&r, columns);
    lab_row_str(&r, "allocator", allocator);
    lab_row_str(&r, "workload", c->wl->name);
    lab_row_u64(&r, "threads", (uint64_t)g.threads);
    lab_row_u64(&r, "pin", (uint64_t)g.pin);
    lab_row_u64(&r, "rep", c->rep);
    lab_row_str(&r, "status", s->status);
    lab_row_u64(&r, "cpus", (uint64_t)lab_ncpus());
    lab_row_f64(&r, "ops", ok ? (double)s->nops : NAN);
    lab_row_f64(&r, "elapsed_s", ok ? s->secs : NAN);
    lab_row_f64(&r, "ops_per_s", ok ? (double)s->nops / s->secs : NAN);
    lab_row_f64(&r, "ns_per_op", ok ? s->secs * 1e9 / (double)s->nops : NAN);
    lab_row_rounds(&r, &spread);
    lab_row_f64(&r, "solo_ns_per_op", solo_ns);
    lab_row_f64(&r, "paired_speedup", solo_ns / (s->secs * 1e9 / (double)s->nops));
    lab_row_latency(&r, "malloc", s->hm, lat, "p50 p99 p999");
    lab_row_latency(&r, "free", s->hf, lat, "p50 p99 p999");
    lab_row_f64(&r, "timer_overhead_ns", lab_ticks_ns(lab_clock.overhead_ticks));
    lab_row_f64(&r, "timer_resolution_ns", lab_clock.resolution_ns);
    lab_row_f64(&r, "peak_rss_kib", ok ? peak : NAN);
    lab_row_f64(&r, "baseline_rss_kib", ok ? base : NAN);
    lab_row_f64(&r, "rss_added_kib", ok ? peak - base : NAN);
    lab_row_f64(&r, "live_bytes", ok && g.workload != FALSE_SHARING ? (double)s->live_end : NAN);
    lab_row_f64(&r, "remote_free_pct", ok && s->frees ? 100.0 * (double)s->remote / (double)s->frees : NAN);
    lab_row_f64(&r, "shared_line_pct", ok ? s->shared : NAN);
    lab_row_f64(&r, "arenas", ok && s->arenas >= 0 ? s->arenas : NAN);
    lab_row_str(&r, "futex_counter", s->fd >= 0 ? "tracepoint" : "unavailable");
    lab_row_f64(&r, "futex_calls", ok && s->fd >= 0 ? (double)s->futex : NAN);
    lab_row_f64(&r, "futex_per_mop", ok && s->fd >= 0 ? (double)s->futex * 1e6 / (double)s->nops : NAN);
    lab_row_f64(&r, "minor_faults", ok ? (double)s->fp.minor_faults : NAN);
    lab_row_end(&r);
}

static int run(const config_t *c)
{
    const char *allocator = lab_allocator(), *why = NULL;
    setup_workers();
    result_t s = { .status = "ok" };
    lab_footprint_begin(&s.fp);
    if (g.workload == FALSE_SHARING)
        s.status = hand_out();
    if ((s.fd = futex_counter(&why)) < 0)
        fprintf(stderr, "%s: note: futex calls not counted: %s\n", lab_prog, why);
    bool started = strcmp(s.status, "ok") == 0;
    for (int t = 0; t < g.threads && started; t++)
        if (pthread_create(&g.w[t].tid, NULL, worker, &g.w[t]) != 0)
            lab_die_code(1, "cannot create thread %d of %d: %s", t + 1, g.threads, strerror(errno));
    if (started)
        run_phases(&s);
    s.shared = g.workload == FALSE_SHARING && started && !failed() ? shared_line_pct() : NAN;
    lab_footprint_end(&s.fp);
    s.arenas = glibc_arenas();
    if (started) {
        atomic_store_explicit(&g.phase, PH_END, memory_order_release);
        for (int t = 0; t < g.threads; t++)
            pthread_join(g.w[t].tid, NULL);
    }
    for (size_t i = 0; g.pool && i < g.npool; i++)  // the pool's last blocks, checked too
        if (g.pool[i].p) {
            if (!lab_check(g.pool[i].p, g.pool[i].size_bytes, g.pool[i].tag))
                g.w[0].status = "corrupt";
            free(g.pool[i].p);
        }
    gather(&s);
    write_row(c, allocator, &s);
    if (strcmp(s.status, "ok") != 0)
        fprintf(stderr, "%s: %s: %s with %d threads stopped: %s\n", lab_prog, allocator, c->wl->name, g.threads, s.status);
    return 0;
}

// --describe (lab_describe): the workloads as a markdown table, for the book, so that their
// parameters come from here.
static const char describe_head[] = "<workload|<sizes (bytes)|>operations per 16 rounds (all threads)|>live blocks|"
                                    "<what it exercises";
static void describe_row(size_t i, bool quick)
{
    const workload_t *w = &workloads[i];
    char live[64];
    uint64_t n = quick ? w->q_live : w->live;
    if (i == PRODUCER_CONSUMER)
        snprintf(live, sizeof live, "up to %d per ring", RING);
    else
        snprintf(live, sizeof live, "%llu %s", (unsigned long long)n, i == FALSE_SHARING ? "per thread" : "in all");
    printf("| %s | `%s` | %llu%s | %s | %s |\n", w->name, i == FALSE_SHARING ? "8" : SIZES,
           (unsigned long long)(quick ? w->q_ops : w->ops), i == FALSE_SHARING ? " writes" : "", live, w->why);
}

// The blocks the workload holds at once, per workload (SIZES unless false-sharing's objects),
// and the harness's per-thread tables. Thread stacks are not counted: they are mostly
// untouched.
static void footprint(void)
{
    lab_dist_t dist = lab_opt_dist("--sizes", SIZES);
    uint64_t T = (uint64_t)g.threads;
    double blocks, harness = (double)T * (sizeof(worker_t) + NSIZES * sizeof(uint32_t) + 2 * sizeof(lab_hist_t));
    char what[160];
    switch (g.workload) {
    case PRODUCER_CONSUMER:  // up to a ring's worth in flight per thread
        blocks = lab_dist_total_bytes(&dist, T * RING);
        harness += (double)T * sizeof(ring_t);
        snprintf(what, sizeof what, "--threads %d x %d blocks in flight of %s", g.threads, RING, SIZES);
        break;
    case FALSE_SHARING:  // T x live objects, each at least a 16-byte chunk, and 2 pointers
        blocks = (double)(T * g.live) * 16;
        harness += (double)(T * g.live) * 2 * sizeof(void *);
        snprintf(what, sizeof what, "--threads %d x --live %llu objects", g.threads, (unsigned long long)g.live);
        break;
    default:  // the live blocks, shared out (thread-local) or in one pool
        blocks = lab_dist_total_bytes(&dist, g.live);
        harness += (double)(g.live + T) * sizeof(slot_t);
        snprintf(what, sizeof what, "--live %llu blocks of %s", (unsigned long long)g.live, SIZES);
    }
    lab_require_memory(what, blocks, harness);
}

static void usage(void)
{
    printf("usage: %s --workload NAME [--threads N] [--pin|--no-pin] [options]\n"
           "  --workload NAME   thread-local, producer-consumer, shared-pool or false-sharing\n"
           "  --threads N       worker threads (1 to %d)\n"
           "  --pin             worker i runs only on the i-th allowed CPU (mod their count)\n"
           "  --no-pin          the scheduler places the workers (the default)\n"
           "  --ops N           operations in 16 timed rounds, all threads together (1000 to 4g)\n"
           "  --min-ms N        ... and more rounds until N ms have passed (0 to 60000)\n"
           "  --live N          live blocks, all threads together (1 to 1m); false-sharing:\n"
           "                    objects per thread\n"
           "  --paired          alternate timed rounds of all threads and of worker 0 alone: the\n"
           "                    row's paired_speedup (thread-local or shared-pool, --threads 2+)\n"
           LAB_COMMON_USAGE
           "Thread counts for --cases: 1 to 2 x the CPUs this process may use.\n",
           lab_prog, MAX_THREADS);
}

// Not pinned: 1 thread, powers of two up to the CPUs, the CPUs, and 2 x the CPUs (1, 2, 4
// on 2 CPUs); 2 x the CPUs only where the book reads it (thread-local's caches and
// producer-consumer's waits), so that the speedup pass fits the chapter's time. Pinned runs
// showed nothing their intervals could resolve; --pin stays for a reader's own runs.
static void cases(bool quick)
{
    (void)quick;
    int ncpus = lab_ncpus(), tmax = 2 * ncpus < MAX_THREADS ? 2 * ncpus : MAX_THREADS;
    for (size_t i = 0; i < NWORKLOADS; i++) {
        int last = i == THREAD_LOCAL || i == PRODUCER_CONSUMER ? tmax : ncpus;
        for (int t = 1; t <= last; t = t < ncpus && 2 * t > ncpus ? ncpus : t == ncpus ? tmax : 2 * t)
            printf("--workload %s --threads %d --no-pin\n", workloads[i].name, t);
    }
}

static void context(void)
{
    lab_print_clock();
    printf("threads: 1 to %d (2 x %d usable CPUs); futex counter: ", 2 * lab_ncpus(), lab_ncpus());
    const char *why = "";
    int fd = futex_counter(&why);
    printf("%s\n", fd >= 0 ? "syscalls:sys_enter_futex tracepoint via perf_event_open" : why);
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    lab_prog = "02-threads";
    static const struct option opts[] = {
        LAB_WORKLOAD_OPT, { "threads", 1, 0, 't' }, { "pin", 0, 0, 'p' }, { "no-pin", 0, 0, 'P' },
        { "ops", 1, 0, 'o' }, { "live", 1, 0, 'l' }, { "min-ms", 1, 0, 'M' }, { "paired", 0, 0, 'D' }, LAB_DESCRIBE_OPT, LAB_COMMON_OPTS
    };
    static const lab_program_t prog = {
        .columns = columns, .workloads = LAB_WORKLOADS(workloads), .cases = cases,
        .describe_head = describe_head, .describe_row = describe_row, .context = context, .usage = usage,
    };
    config_t c = { 0 };
    lab_common_t common = LAB_COMMON_INIT;
    const char *threads = "1", *nops = NULL, *live = NULL, *min_ms = NULL;
    g.pin = -1;
    int o;
    while ((o = lab_getopt(argc, argv, opts, &prog, &common)) != -1) {
        switch (o) {
        case 't': threads = optarg; break;
        case 'p':
        case 'P':
            if (g.pin >= 0)
                lab_die("--pin and --no-pin: give one of them");
            g.pin = o == 'p';
            break;
        case 'o': nops = optarg; break;
        case 'l': live = optarg; break;
        case 'M': min_ms = optarg; break;
        case 'D': g.paired = true; break;
        }
    }
    g.workload = common.workload;
    g.seed = common.seed;
    c.rep = common.rep;
    bool quick = common.quick;
    c.wl = &workloads[g.workload];
    g.threads = (int)lab_opt_u64("--threads", threads, 1, MAX_THREADS);
    g.pin = g.pin > 0;  // --no-pin by default
    g.ops = nops ? lab_opt_u64("--ops", nops, 1000, 4ull << 30) : quick ? c.wl->q_ops : c.wl->ops;
    g.live = live ? lab_opt_u64("--live", live, 1, 1u << 20) : quick ? c.wl->q_live : c.wl->live;
    g.min_ms = min_ms ? lab_opt_u64("--min-ms", min_ms, 0, 60000) : quick ? 0 : MIN_MS;
    if (g.paired && g.workload != THREAD_LOCAL && g.workload != SHARED_POOL)
        lab_die("--paired with --workload %s: the solo rounds leave the other threads idle, which only "
                "thread-local and shared-pool allow", c.wl->name);
    if (g.paired && g.threads < 2)
        lab_die("--paired with --threads %d: pairing needs 2 threads or more", g.threads);
    footprint();
    lab_clock_init();
    return run(&c);
}
