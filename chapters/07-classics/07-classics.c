/* 07-classics.c -- chapter 7: the classic allocator benchmarks, re-created.
 *
 * Question: what do the benchmarks that allocator papers quote (larson, xmalloc-test,
 * Hoard's cache-scratch and cache-thrash, mimalloc-bench's malloc-large and alloc-test,
 * glibc's benchtests) measure, and which of their design choices decides the ranking?
 *
 * Method: each workload re-creates one benchmark's shape from its public description
 * (the --describe table says where each came from and every way ours differs), with our
 * harness: fixed seeds, a fixed amount of work instead of a fixed run time, every block
 * written with lab_fill by the thread that allocates it and checked with lab_check before
 * it is freed, counters of our own calls beside the times. One process runs one workload:
 *     set-up            untimed: the live set the original starts from (larson's arrays,
 *                       alloc-test's blocks, malloc-large's buffers, cache-scratch's objects)
 *     timed phase       each thread's work in timed_phase(), one clock read at each end;
 *                       elapsed_s runs from the first thread's start to the last one's end
 *     drain             untimed: what is left is checked and freed
 * The bridges vary one design choice of a classic at a time, towards a workload of the
 * earlier chapters: malloc-large's block sizes and --order (chapter 1's large refills),
 * xmalloc's --symmetric ring (chapter 2's producer-consumer), larson's --no-respawn
 * (chapter 2's thread-local).
 *
 * Run it:   make 07                          (all allocators, 5 repetitions)
 *           build/07-classics/07-classics --workload larson --threads 4
 * Expected: the single-threaded classics rank the allocators as chapter 1 does; larson
 *           and xmalloc reward allocators whose freed blocks find their way back to a
 *           live thread; cache-scratch separates allocators that hand a freed object to
 *           another thread from those that keep objects per thread; malloc-large is page
 *           faults and mmap calls, decided by whether an allocator keeps freed buffers.
 */
#include "../../common/lab.h"

#include <stdatomic.h>

#define MAX_THREADS 1024
#define LINE 64

// [workloads]
typedef struct {
    const char *name, *sizes;               // sizes: the blocks' sizes in bytes
    const char *shape, *source, *differs;   // --describe: what, from where, how ours differs
    bool threaded;                          // takes --threads (default: the CPUs)
    // The amount of work, full size then QUICK; what each number counts:
    //   larson        live: blocks per thread; steps: replacements per generation;
    //                 rounds: generations (one thread each, --no-respawn: one in all)
    //   xmalloc       steps: batches of 4096 blocks, all producers together
    //   cache-*       steps: objects per thread, one after another; rounds: writes of each
    //                 object, all threads together (split between them, as the original)
    //   malloc-large  live: buffers (--live); steps: buffers allocated in the timed phase (--steps)
    //   alloc-test    live: blocks per thread; steps: replacements per thread
    //   glibc-simple  live: slots (the longest batch); steps: blocks per batch length
    //   glibc-thread  live: working-set slots per thread; steps: iterations per thread
    uint64_t live, steps, rounds, q_live, q_steps, q_rounds;
} workload_t;

static const workload_t workloads[] = {
    { "larson", "uniform:8:1000",
      "Larson and Krishnan's server simulation: each thread replaces random blocks of its own array, "
      "then hands the array to a new thread and exits, so blocks are freed into heaps whose thread is gone",
      "P. Larson, M. Krishnan, *Memory allocation for long-running server applications*, ISMM 1998; "
      "larsonN of mimalloc-bench (github.com/daanx/mimalloc-bench)",
      "a fixed number of generations, not a fixed time; the arrays filled by the main thread before "
      "timing; our pattern written and checked on every block (the original writes two bytes); "
      "xoshiro256** with our seed, one sequence per thread, instead of lran2; --no-respawn: each "
      "thread keeps its array to the end",
      true, 5000, 100000, 20, 1000, 10000, 4 },
    { "xmalloc", "uniform:64:64",
      "xmalloc-test: producer threads only allocate, in batches of 4096 blocks; consumer threads only "
      "free them; the batches pass through a shared stack of at most 100",
      "C. Lever, D. Boreham, *malloc() Performance in a Multithreaded Linux Environment*, USENIX 2000 "
      "(FREENIX); xmalloc-testN of mimalloc-bench (github.com/daanx/mimalloc-bench)",
      "a fixed number of batches, not a fixed time (elapsed_s is the figure of merit); --threads counts "
      "producers and consumers together, half each (the original starts N of each); batch holders are "
      "harness memory, reused, not malloc'd; a spin lock with short sleeps instead of a mutex and "
      "condition variables; our pattern written and checked on every block (the original sets 128 "
      "bytes); --symmetric: every thread both produces and consumes, passing batches round a ring",
      true, 0, 1500, 0, 0, 24, 0 },
    { "cache-scratch", "uniform:1:1",
      "Hoard's cache-scratch (passive false sharing): the main thread allocates one small object per "
      "thread and hands it over; each thread frees it, then allocates an object, writes it many times "
      "and frees it, again and again",
      "E. Berger, K. McKinley, R. Blumofe, P. Wilson, *Hoard: A Scalable Memory Allocator for "
      "Multithreaded Applications*, ASPLOS 2000; cache-scratch of mimalloc-bench",
      "fixed parameters (the original takes them as arguments); the writes store the bytes of our "
      "pattern, which is checked before each free; each object's cache line and life recorded "
      "(shared_line_pct)",
      true, 0, 1000, 2000000, 0, 100, 200000 },
    { "cache-thrash", "uniform:1:1",
      "Hoard's cache-thrash (active false sharing): each thread allocates a small object, writes it "
      "many times and frees it, again and again; nothing changes hands",
      "E. Berger, K. McKinley, R. Blumofe, P. Wilson, *Hoard: A Scalable Memory Allocator for "
      "Multithreaded Applications*, ASPLOS 2000; cache-thrash of mimalloc-bench",
      "fixed parameters (the original takes them as arguments); the writes store the bytes of our "
      "pattern, which is checked before each free; each object's cache line and life recorded "
      "(shared_line_pct)",
      true, 0, 1000, 2000000, 0, 100, 200000 },
    { "malloc-large", "uniform:5m:25m",
      "malloc-large: 20 live buffers of 5 to 25 MiB; each step replaces a random one, allocating the "
      "new buffer before the old one is freed",
      "malloc-large of mimalloc-bench (github.com/daanx/mimalloc-bench, README); D. Leijen, B. Zorn, "
      "L. de Moura, *Mimalloc: Free List Sharding in Action*, MSR-TR-2019-18",
      "the original zeroes every byte of a buffer, we write one word per page and the first 128 bytes "
      "(page faults, not copying); the first buffers are allocated before timing; fewer steps; a fixed "
      "seed; --sizes, --live, --steps, and --order refill (free every buffer, then allocate them all, as "
      "chapter 1's large)",
      false, 20, 200, 0, 1, 2, 0 },
    { "alloc-test", "loguniform:8:1k",
      "alloc-test (OLTP-like): each thread holds a large live set of small blocks and replaces them, "
      "80% of its picks falling on the hottest 20% of its slots, sizes skewed toward small, up to 1 KiB",
      "OLogN Technologies (ithare.com), *Testing Memory Allocators ... while trying to simulate "
      "real-world loads*, 2018 (github.com/node-dot-cpp/alloc-test); alloc-testN of mimalloc-bench; "
      "D. Leijen et al., MSR-TR-2019-18",
      "log-uniform sizes (density 1/size) for the original's; a two-level 80/20 choice of slot; "
      "far fewer operations (the suite runs 100 million per thread); our seed, one sequence per "
      "thread; our pattern written and checked instead of the original's access modes; the live "
      "set filled before timing",
      true, 100000, 1500000, 0, 20000, 100000, 0 },
    { "glibc-simple", "uniform:16:16",
      "glibc's bench-malloc-simple: one thread allocates a batch of n 16-byte blocks, then frees them "
      "all, for n = 25, 100, 400 and 1600, as many blocks for each n",
      "glibc, benchtests/bench-malloc-simple.c (sourceware.org/git/glibc.git)",
      "one row for the four batch lengths (the original reports each); only its single-threaded "
      "main-arena case (not the thread-arena ones); more blocks for each n (QUICK: the original's "
      "200000); warm-up of one batch per length; our pattern written and checked on every block",
      false, 1600, 12000000, 0, 1600, 200000, 0 },
    { "glibc-thread", "inverse-square:4:32k",
      "glibc's bench-malloc-thread: each thread replaces random slots of its own 1024-slot working set "
      "with blocks of 4 B to 32 KiB, drawn with density 1/size^2; sizes and slots pre-drawn, one "
      "sequence for all threads",
      "glibc, benchtests/bench-malloc-thread.c (sourceware.org/git/glibc.git)",
      "a fixed number of iterations per thread, not a fixed time; sizes and slots drawn with "
      "xoshiro256** and our seed (the original: rand()); the working set freed at the end, untimed; "
      "our pattern written and checked on every block",
      true, 1024, 12000000, 0, 1024, 150000, 0 },
};
// [/workloads]
enum { LARSON, XMALLOC, CACHE_SCRATCH, CACHE_THRASH, MALLOC_LARGE, ALLOC_TEST, GLIBC_SIMPLE, GLIBC_THREAD };
enum { REPLACE, REFILL };
static const char *const orders[] = { "replace", "refill", NULL };

#define XM_BATCH 4096  // xmalloc: blocks per batch
#define XM_BYTES 64    // ... of this size
#define XM_LIMIT 100   // ... and batches waiting at most
#define OBJ_BYTES 1    // cache-*: the object's size (the suite runs 1)
#define HOT_PCT 80     // alloc-test: picks that fall on the hot slots ...
#define HOT_SHARE 5    // ... which are one in this many
#define GT_SIZES 8000  // glibc-thread: pre-drawn sizes and slots, as the original
#define GT_SLOTS 4096
static const uint32_t simple_batches[] = { 25, 100, 400, 1600 };  // glibc-simple's n

static const char *const columns[] = {
    "allocator", "workload", "threads", "sizes", "order", "symmetric", "respawn", "rep", "status",
    "ops", "elapsed_s", "ops_per_s", "ns_per_op", "peak_rss_kib", "baseline_rss_kib", "rss_added_kib",
    "live_bytes", "live_blocks", "minor_faults", "major_faults", "mallocs", "frees", "blocks_written",
    "blocks_checked", "min_block_bytes", "max_block_bytes", "respawns", "consumer_mallocs",
    "producer_frees", "hot_pick_pct", "shared_line_pct", NULL
};

// ---------------------------------------------------------------------------
// shared state
// ---------------------------------------------------------------------------

typedef struct {
    void *p;
    uint32_t size_bytes;
    uint64_t tag;
} slot_t;

// cache-*: an object's cache line and its life (ns), to find lines that two threads'
// objects shared while both were live.
typedef struct {
    uint64_t line, born, died;
} life_t;

// One thread's state; larson's is one lineage's, passed from each thread to its successor.
// The counters count our own calls, never the allocator's: cheap, and per thread.
typedef struct {
    _Alignas(LINE) int id;
    lab_rng_t rng;
    slot_t *slots;            // its blocks: larson's array, the live sets, malloc-large's buffers
    uint64_t nslots;
    slot_t handout;           // cache-scratch: the object the main thread allocated for it
    life_t *lives;            // cache-*: its objects, one per step
    uint64_t gen;             // tags given out
    uint64_t mallocs, frees, written, checked, min_bytes, max_bytes;
    int64_t live_bytes;       // allocated here minus freed here: the sum over threads is live
    uint64_t picks, hot_picks;                 // alloc-test
    uint64_t generations, respawns;            // larson
    uint64_t t_mallocs, t_frees, t_start, t_end;  // the timed phase's calls and clock (ns)
    const char *status;
} worker_t;

// xmalloc: a batch of blocks, and a stack of batches under a spin lock.
typedef struct {
    int id;          // the producer: the blocks' tags are tag_of(id, n0 + 1 + i)
    uint64_t n0;
    void *p[XM_BATCH];
} batch_t;

typedef struct {
    _Alignas(LINE) atomic_flag lock;
    uint32_t n, limit;
    batch_t **e;
} lifo_t;

static struct {
    const workload_t *wl;
    int workload, threads, order, symmetric, respawn;  // symmetric, respawn: -1 where no choice
    const char *label, *sizes;
    lab_dist_t dist;                   // larson, malloc-large
    uint64_t seed, live, steps, rounds;
    worker_t *w, main;                 // main: the main thread's own calls
    lifo_t *full, holders;             // xmalloc: full[i] is thread i's output (one-way: full[0])
    int producers;                     // xmalloc one-way: threads 0 .. producers-1
    uint32_t *gt_sizes, *gt_slots;     // glibc-thread
    _Alignas(LINE) _Atomic uint64_t popped;  // xmalloc one-way: batches consumers have taken
    _Alignas(LINE) _Atomic int ready, finished, go, failed;
} g;

static bool failed(void) { return atomic_load_explicit(&g.failed, memory_order_relaxed); }

static bool fail(worker_t *w, const char *status)
{
    if (strcmp(w->status, "ok") == 0)
        w->status = status;
    atomic_store(&g.failed, 1);
    return false;
}

// ---------------------------------------------------------------------------
// blocks: allocate and write, check and free, counting both
// ---------------------------------------------------------------------------

// A tag per block; the low bits name the thread that allocated it.
static uint64_t tag_of(int id, uint64_t n) { return (lab_tag(n) & ~(uint64_t)(MAX_THREADS - 1)) | (uint64_t)id; }

// [block]
static void *get_block(worker_t *w, size_t size, uint64_t tag)
{
    void *p = malloc(size);
    const char *fault = lab_block_fault(p, size);
    if (fault) {
        fail(w, fault);
        return NULL;
    }
    lab_fill(p, size, tag);
    w->mallocs++, w->written++;
    w->live_bytes += (int64_t)size;
    w->min_bytes = size < w->min_bytes ? size : w->min_bytes;
    w->max_bytes = size > w->max_bytes ? size : w->max_bytes;
    return p;
}

static bool put_block(worker_t *w, void *p, size_t size, uint64_t tag)
{
    w->checked++;
    if (!lab_check(p, size, tag))
        return fail(w, "corrupt");
    free(p);
    w->frees++;
    w->live_bytes -= (int64_t)size;
    return true;
}
// [/block]

static bool slot_fill(worker_t *w, slot_t *s, size_t size)
{
    s->tag = tag_of(w->id, ++w->gen);
    s->size_bytes = (uint32_t)size;
    return (s->p = get_block(w, size, s->tag)) != NULL;
}

static bool slot_empty(worker_t *w, slot_t *s)
{
    void *p = s->p;
    s->p = NULL;
    return !p || put_block(w, p, s->size_bytes, s->tag);
}

// ---------------------------------------------------------------------------
// the workloads: one thread's timed work each
// ---------------------------------------------------------------------------

// [larson]
// One generation: n replacements of random blocks of the thread's array.
static bool larson_ops(worker_t *w, uint64_t n)
{
    for (uint64_t i = 0; i < n && !failed(); i++) {
        slot_t *s = &w->slots[lab_rng_below(&w->rng, w->nslots)];
        size_t size = lab_dist_draw(&g.dist, &w->rng);
        if (!slot_empty(w, s) || !slot_fill(w, s, size))
            return false;
    }
    return !failed();
}
// [/larson]

// [xmalloc]
static uint64_t share(uint64_t total, int i, int n) { return total / (uint64_t)n + ((uint64_t)i < total % (uint64_t)n); }

static void lifo_lock(lifo_t *q)
{
    unsigned spins = 0;
    while (atomic_flag_test_and_set_explicit(&q->lock, memory_order_acquire))
        lab_pause(&spins);
}

static bool lifo_push(lifo_t *q, batch_t *b)
{
    lifo_lock(q);
    bool room = q->n < q->limit;
    if (room)
        q->e[q->n++] = b;
    atomic_flag_clear_explicit(&q->lock, memory_order_release);
    return room;
}

static bool lifo_room(lifo_t *q)
{
    lifo_lock(q);
    bool room = q->n < q->limit;
    atomic_flag_clear_explicit(&q->lock, memory_order_release);
    return room;
}

static batch_t *lifo_pop(lifo_t *q)
{
    lifo_lock(q);
    batch_t *b = q->n ? q->e[--q->n] : NULL;
    atomic_flag_clear_explicit(&q->lock, memory_order_release);
    return b;
}

// A batch of blocks into `out`, waiting while it is full.
static bool produce(worker_t *w, lifo_t *out)
{
    batch_t *b = lifo_pop(&g.holders);  // never empty: there are enough for every queue and thread
    if (!b)
        return fail(w, "no_holder");
    b->id = w->id, b->n0 = w->gen;
    w->gen += XM_BATCH;
    for (uint32_t i = 0; i < XM_BATCH; i++)
        if (!(b->p[i] = get_block(w, XM_BYTES, tag_of(b->id, b->n0 + 1 + i))))
            return false;
    unsigned spins = 0;
    while (!lifo_push(out, b))
        if (failed())
            return false;
        else
            lab_pause(&spins);
    return true;
}

static bool consume(worker_t *w, batch_t *b)
{
    for (uint32_t i = 0; i < XM_BATCH; i++)
        if (!put_block(w, b->p[i], XM_BYTES, tag_of(b->id, b->n0 + 1 + i)))
            return false;
    lifo_push(&g.holders, b);
    return true;
}

// One-way: producers make their share of the batches, consumers take whatever is there
// until all are taken. Symmetric: thread i makes its share into full[i] and eats full[i-1]'s.
static bool xmalloc_ops(worker_t *w)
{
    int T = g.threads, prev = (w->id + T - 1) % T;
    bool producer = g.symmetric || w->id < g.producers, consumer = g.symmetric || !producer;
    uint64_t make = !producer ? 0 : g.symmetric ? share(g.steps, w->id, T) : share(g.steps, w->id, g.producers);
    uint64_t eat = !consumer ? 0 : g.symmetric ? share(g.steps, prev, T) : UINT64_MAX;
    lifo_t *out = &g.full[g.symmetric ? w->id : 0], *in = &g.full[g.symmetric ? prev : 0];
    unsigned spins = 0;
    while ((make || eat) && !failed()) {
        bool progress = false;
        if (make && (!g.symmetric || lifo_room(out))) {  // (only we fill our ring: the room stays)
            if (!produce(w, out))
                return false;
            make--, progress = true;
        }
        batch_t *b = eat ? lifo_pop(in) : NULL;
        if (b) {
            if (!consume(w, b))
                return false;
            eat--, progress = true;
            if (!g.symmetric)
                atomic_fetch_add(&g.popped, 1);
        }
        if (!g.symmetric && consumer && atomic_load(&g.popped) >= g.steps)
            eat = 0;
        if (progress)
            spins = 0;
        else
            lab_pause(&spins);
    }
    return !failed();
}
// [/xmalloc]

// [cache]
// Writes the object's own bytes back over it `reps` times, reading each back: every write
// takes the cache line, and the pattern stays intact for the check before free.
static void scribble(void *p, size_t size, uint64_t reps)
{
    volatile unsigned char *v = p;
    unsigned char own[OBJ_BYTES];
    memcpy(own, p, size);
    for (uint64_t r = 0; r < reps; r++)
        for (size_t k = 0; k < size; k++) {
            v[k] = own[k];
            (void)v[k];
        }
}

// cache-scratch frees the object it was handed first; then both allocate, write, free.
static bool cache_ops(worker_t *w)
{
    if (!slot_empty(w, &w->handout))
        return false;
    uint64_t reps = g.rounds / (uint64_t)g.threads;
    for (uint64_t i = 0; i < g.steps && !failed(); i++) {
        slot_t s;
        if (!slot_fill(w, &s, OBJ_BYTES))
            return false;
        life_t *l = &w->lives[i];
        l->line = (uintptr_t)s.p / LINE;
        l->born = lab_now_ns();
        scribble(s.p, OBJ_BYTES, reps);
        l->died = lab_now_ns();
        if (!slot_empty(w, &s))
            return false;
    }
    return !failed();
}
// [/cache]

// [malloc-large]
// replace: a random buffer replaced, the new one allocated before the old one is freed;
// refill: every buffer freed, then all allocated again.
static bool large_ops(worker_t *w)
{
    if (g.order == REFILL) {
        for (uint64_t r = 0; r < (g.steps + w->nslots - 1) / w->nslots; r++) {
            for (uint64_t i = 0; i < w->nslots; i++)
                if (!slot_empty(w, &w->slots[i]))
                    return false;
            for (uint64_t i = 0; i < w->nslots; i++)
                if (!slot_fill(w, &w->slots[i], lab_dist_draw(&g.dist, &w->rng)))
                    return false;
        }
        return true;
    }
    for (uint64_t i = 0; i < g.steps; i++) {
        slot_t *s = &w->slots[lab_rng_below(&w->rng, w->nslots)], old = *s;
        if (!slot_fill(w, s, lab_dist_draw(&g.dist, &w->rng)) || !slot_empty(w, &old))
            return false;
    }
    return true;
}
// [/malloc-large]

// [alloc-test]
// Sizes with density proportional to 1/size on [lo, hi]: most blocks small, a long tail.
static size_t loguniform(lab_rng_t *r, double lo, double hi)
{
    return (size_t)(lo * pow((hi + 1) / lo, lab_rng_double(r)));
}

// 80% of the picks fall on the first fifth of the slots, the rest on the others.
static bool alloc_test_ops(worker_t *w)
{
    uint64_t hot = w->nslots / HOT_SHARE;
    for (uint64_t i = 0; i < g.steps && !failed(); i++) {
        bool is_hot = lab_rng_below(&w->rng, 100) < HOT_PCT;
        uint64_t k = is_hot ? lab_rng_below(&w->rng, hot) : hot + lab_rng_below(&w->rng, w->nslots - hot);
        w->picks++, w->hot_picks += k < hot;
        if (!slot_empty(w, &w->slots[k]) || !slot_fill(w, &w->slots[k], loguniform(&w->rng, 8, 1024)))
            return false;
    }
    return !failed();
}
// [/alloc-test]

// [glibc]
// glibc-simple: batches of n blocks allocated, then freed, `blocks` blocks for each n.
static bool simple_ops(worker_t *w, uint64_t blocks)
{
    for (size_t b = 0; b < sizeof simple_batches / sizeof simple_batches[0]; b++) {
        uint32_t n = simple_batches[b];
        for (uint64_t j = 0; j < (blocks + n - 1) / n; j++) {
            for (uint32_t i = 0; i < n; i++)
                if (!slot_fill(w, &w->slots[i], 16))
                    return false;
            for (uint32_t i = 0; i < n; i++)
                if (!slot_empty(w, &w->slots[i]))
                    return false;
        }
    }
    return true;
}

// glibc-thread: every thread walks the same pre-drawn slots and sizes from the start.
static bool glibc_thread_ops(worker_t *w)
{
    for (uint64_t i = 0; i < g.steps && !failed(); i++) {
        slot_t *s = &w->slots[g.gt_slots[i % GT_SLOTS]];
        if (!slot_empty(w, s) || !slot_fill(w, s, g.gt_sizes[i % GT_SIZES]))
            return false;
    }
    return !failed();
}

// Density proportional to 1/size^2 on [lo, hi] (bench-malloc-thread's): the reciprocal of
// a size is uniform between 1/hi and 1/lo.
static uint32_t inverse_square(double u, double lo, double hi) { return (uint32_t)(1.0 / (u / hi + (1 - u) / lo)); }
// [/glibc]

// ---------------------------------------------------------------------------
// phases
// ---------------------------------------------------------------------------

// The timed work of one thread (of one larson generation). Not inlined: its name is what
// common/wrap/callgrind counts.
static __attribute__((noinline, noipa)) bool timed_phase(worker_t *w)
{
    uint64_t m = w->mallocs, f = w->frees, t0 = lab_now_ns();
    bool ok;
    switch (g.workload) {
    case LARSON: ok = larson_ops(w, g.respawn ? g.steps : g.steps * g.rounds); break;
    case XMALLOC: ok = xmalloc_ops(w); break;
    case CACHE_SCRATCH:
    case CACHE_THRASH: ok = cache_ops(w); break;
    case MALLOC_LARGE: ok = large_ops(w); break;
    case ALLOC_TEST: ok = alloc_test_ops(w); break;
    case GLIBC_SIMPLE: ok = simple_ops(w, g.steps); break;
    default: ok = glibc_thread_ops(w); break;
    }
    w->t_end = lab_now_ns();
    w->t_start = w->t_start ? w->t_start : t0;  // larson: the lineage's first generation
    w->t_mallocs += w->mallocs - m;
    w->t_frees += w->frees - f;
    return ok;
}

// Untimed, by each thread before the start: the live set it starts from.
static bool setup(worker_t *w)
{
    switch (g.workload) {
    case MALLOC_LARGE:
        for (uint64_t i = 0; i < w->nslots; i++)
            if (!slot_fill(w, &w->slots[i], lab_dist_draw(&g.dist, &w->rng)))
                return false;
        return true;
    case ALLOC_TEST:
        for (uint64_t i = 0; i < w->nslots; i++)
            if (!slot_fill(w, &w->slots[i], loguniform(&w->rng, 8, 1024)))
                return false;
        return true;
    case GLIBC_SIMPLE:
        return simple_ops(w, 1);
    }
    return true;
}

// Untimed, by the main thread before any worker starts: larson's arrays (sizes from each
// lineage's own sequence), cache-scratch's objects.
static bool prepare(void)
{
    for (int t = 0; t < g.threads && g.workload == LARSON; t++)
        for (uint64_t i = 0; i < g.w[t].nslots; i++)
            if (!slot_fill(&g.main, &g.w[t].slots[i], lab_dist_draw(&g.dist, &g.w[t].rng)))
                return false;
    for (int t = 0; t < g.threads && g.workload == CACHE_SCRATCH; t++)
        if (!slot_fill(&g.main, &g.w[t].handout, OBJ_BYTES))
            return false;
    return true;
}

static bool spawn(worker_t *w, void *(*fn)(void *))
{
    pthread_attr_t a;
    pthread_t tid;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    bool ok = pthread_create(&tid, &a, fn, w) == 0;
    pthread_attr_destroy(&a);
    return ok;
}

// [respawn]
// After its generation a larson thread hands its array to a new thread and exits.
static void *successor(void *arg);
static void *lineage(worker_t *w, bool ok)
{
    if (ok && timed_phase(w) && g.respawn == 1 && ++w->generations < g.rounds) {
        w->respawns++;  // before the successor starts: from then on, w is its
        if (spawn(w, successor))
            return NULL;
        w->respawns--;
        fail(w, "no_thread");
    }
    atomic_fetch_add_explicit(&g.finished, 1, memory_order_release);
    return NULL;
}
static void *successor(void *arg) { return lineage(arg, !failed()); }
// [/respawn]

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    bool ok = setup(w);
    atomic_fetch_add_explicit(&g.ready, 1, memory_order_release);
    unsigned spins = 0;
    while (!atomic_load_explicit(&g.go, memory_order_acquire))
        lab_pause(&spins);
    return lineage(w, ok);
}

// The threads (detached: larson's successors are nobody's to join) start together once
// all have set up; the main thread sleeps until the last lineage has finished.
static void run_threads(void)
{
    for (int t = 0; t < g.threads; t++)
        if (!spawn(&g.w[t], worker_main))
            lab_die_code(1, "cannot create thread %d of %d: %s", t + 1, g.threads, strerror(errno));
    lab_sleep_until(&g.ready, g.threads);
    atomic_store_explicit(&g.go, 1, memory_order_release);
    lab_sleep_until(&g.finished, g.threads);
}

// ---------------------------------------------------------------------------
// the harness
// ---------------------------------------------------------------------------

static void new_worker(worker_t *w, int id, uint64_t nslots)
{
    w->id = id;
    w->status = "ok";
    w->min_bytes = UINT64_MAX;
    lab_rng_seed(&w->rng, g.seed * 1000003u + (uint64_t)id);  // the same for every allocator
    w->nslots = nslots;
    w->slots = nslots ? lab_harness_alloc(nslots * sizeof *w->slots) : NULL;
}

static void new_lifo(lifo_t *q, uint32_t size, uint32_t limit)
{
    atomic_flag_clear(&q->lock);
    q->limit = limit;
    q->e = lab_harness_alloc(size * sizeof *q->e);
}

// Every table is harness memory, made before the measurement starts.
static void setup_harness(void)
{
    int T = g.threads;
    g.w = lab_harness_alloc((size_t)T * sizeof *g.w);
    new_worker(&g.main, MAX_THREADS - 1, 0);
    for (int t = 0; t < T; t++) {
        new_worker(&g.w[t], t, g.live);
        if (g.workload == CACHE_SCRATCH || g.workload == CACHE_THRASH)
            g.w[t].lives = lab_harness_alloc(g.steps * sizeof *g.w[t].lives);
    }
    if (g.workload == XMALLOC) {  // holders for every queue (XM_LIMIT in all) and one per thread
        uint32_t per = g.symmetric ? (XM_LIMIT / T > 0 ? XM_LIMIT / T : 1) : XM_LIMIT, nq = g.symmetric ? T : 1;
        uint32_t n = per * nq + (uint32_t)T;
        g.full = lab_harness_alloc(nq * sizeof *g.full);
        for (uint32_t q = 0; q < nq; q++)
            new_lifo(&g.full[q], per, per);
        new_lifo(&g.holders, n, n);
        batch_t *b = lab_harness_alloc(n * sizeof *b);
        for (uint32_t i = 0; i < n; i++)
            lifo_push(&g.holders, &b[i]);
        g.producers = T / 2;
    }
    if (g.workload == GLIBC_THREAD) {
        lab_rng_t r;
        lab_rng_seed(&r, g.seed);
        g.gt_sizes = lab_harness_alloc(GT_SIZES * sizeof *g.gt_sizes);
        g.gt_slots = lab_harness_alloc(GT_SLOTS * sizeof *g.gt_slots);
        for (size_t i = 0; i < GT_SIZES; i++)
            g.gt_sizes[i] = inverse_square(lab_rng_double(&r), 4, 32768);
        for (size_t i = 0; i < GT_SLOTS; i++)
            g.gt_slots[i] = (uint32_t)lab_rng_below(&r, g.live);
    }
}

// The blocks still live at the end: checked and freed.
static void drain(void)
{
    for (int t = 0; t < g.threads; t++)
        for (uint64_t i = 0; i < g.w[t].nslots; i++)
            slot_empty(&g.main, &g.w[t].slots[i]);
}

// What the run measured, gathered from the threads.
typedef struct {
    const char *status;
    double secs, shared_pct;
    uint64_t ops, mallocs, frees, written, checked, min_bytes, max_bytes;
    uint64_t respawns, picks, hot_picks, consumer_mallocs, producer_frees;
    int64_t live_bytes, live_blocks;
    lab_footprint_t fp;
} result_t;

static void tally_one(result_t *s, const worker_t *w)
{
    if (strcmp(w->status, "ok") != 0 && strcmp(s->status, "ok") == 0)
        s->status = w->status;
    s->mallocs += w->mallocs, s->frees += w->frees;
    s->written += w->written, s->checked += w->checked;
    s->min_bytes = w->min_bytes < s->min_bytes ? w->min_bytes : s->min_bytes;
    s->max_bytes = w->max_bytes > s->max_bytes ? w->max_bytes : s->max_bytes;
    s->live_bytes += w->live_bytes;
    s->live_blocks += (int64_t)w->mallocs - (int64_t)w->frees;
}

// The counts, over every thread and the main thread.
static void tally(result_t *s)
{
    s->mallocs = s->frees = s->written = s->checked = s->max_bytes = 0;
    s->min_bytes = UINT64_MAX;
    s->live_bytes = s->live_blocks = 0;
    tally_one(s, &g.main);
    for (int t = 0; t < g.threads; t++)
        tally_one(s, &g.w[t]);
}

// The timed phase: from the first thread's start to the last one's end. A thread that
// freed blocks in it is a consumer, one that allocated a producer (xmalloc).
static void timed_totals(result_t *s)
{
    uint64_t t0 = UINT64_MAX, t1 = 0;
    for (int t = 0; t < g.threads; t++) {
        const worker_t *w = &g.w[t];
        t0 = w->t_start < t0 ? w->t_start : t0;
        t1 = w->t_end > t1 ? w->t_end : t1;
        s->ops += w->t_mallocs + w->t_frees;
        s->respawns += w->respawns;
        s->picks += w->picks, s->hot_picks += w->hot_picks;
        s->consumer_mallocs += w->t_frees ? w->t_mallocs : 0;
        s->producer_frees += w->t_mallocs ? w->t_frees : 0;
    }
    s->secs = t1 > t0 ? (double)(t1 - t0) / 1e9 : NAN;
}

// cache-*: the share of objects whose cache line held another thread's object while both
// were live. Each thread's objects live one after another, so two threads' lists are
// walked side by side, the one whose object dies first stepping on.
static double shared_line_pct(void)
{
    size_t T = (size_t)g.threads, n = T * g.steps, shared = 0;
    bool *hit = lab_harness_alloc(n * sizeof *hit);
    for (size_t a = 0; a < T; a++)
        for (size_t b = a + 1; b < T; b++)
            for (uint64_t i = 0, j = 0; i < g.steps && j < g.steps;) {
                const life_t *x = &g.w[a].lives[i], *y = &g.w[b].lives[j];
                if (x->line == y->line && x->born < y->died && y->born < x->died)
                    hit[a * g.steps + i] = hit[b * g.steps + j] = true;
                x->died < y->died ? i++ : j++;
            }
    for (size_t k = 0; k < n; k++)
        shared += hit[k];
    munmap(hit, n * sizeof *hit);
    return 100.0 * (double)shared / (double)n;
}

static const char *flag(int v) { return v < 0 ? "" : v ? "1" : "0"; }

// One row; a column that does not apply to the workload is empty.
static void write_row(const char *allocator, uint64_t rep, const result_t *s)
{
    bool ok = strcmp(s->status, "ok") == 0;
    int w = g.workload;
    double peak = (double)s->fp.peak_kib, base = (double)s->fp.baseline_kib;
    lab_row_t r;
    lab_csv_header(columns);
    lab_row_begin(&r, columns);
    lab_row_str(&r, "allocator", allocator);
    lab_row_str(&r, "workload", g.label);
    lab_row_u64(&r, "threads", (uint64_t)g.threads);
    lab_row_str(&r, "sizes", g.sizes);
    lab_row_str(&r, "order", w == MALLOC_LARGE ? orders[g.order] : "");
    lab_row_str(&r, "symmetric", flag(g.symmetric));
    lab_row_str(&r, "respawn", flag(g.respawn));
    lab_row_u64(&r, "rep", rep);
    lab_row_status(&r, s->status);
    lab_row_f64(&r, "ops", (double)s->ops);
    lab_row_f64(&r, "elapsed_s", s->secs);
    lab_row_f64(&r, "ops_per_s", (double)s->ops / s->secs);
    lab_row_f64(&r, "ns_per_op", s->secs * 1e9 / (double)s->ops);
    lab_row_f64(&r, "peak_rss_kib", peak);
    lab_row_f64(&r, "baseline_rss_kib", base);
    lab_row_f64(&r, "rss_added_kib", peak - base);
    lab_row_f64(&r, "live_bytes", (double)s->live_bytes);
    lab_row_f64(&r, "live_blocks", (double)s->live_blocks);
    lab_row_f64(&r, "minor_faults", (double)s->fp.minor_faults);
    lab_row_f64(&r, "major_faults", (double)s->fp.major_faults);
    lab_row_f64(&r, "mallocs", (double)s->mallocs);
    lab_row_f64(&r, "frees", (double)s->frees);
    lab_row_f64(&r, "blocks_written", (double)s->written);
    lab_row_f64(&r, "blocks_checked", (double)s->checked);
    lab_row_f64(&r, "min_block_bytes", s->mallocs ? (double)s->min_bytes : NAN);
    lab_row_f64(&r, "max_block_bytes", s->mallocs ? (double)s->max_bytes : NAN);
    lab_row_f64(&r, "respawns", w == LARSON ? (double)s->respawns : NAN);
    lab_row_f64(&r, "consumer_mallocs", w == XMALLOC ? (double)s->consumer_mallocs : NAN);
    lab_row_f64(&r, "producer_frees", w == XMALLOC ? (double)s->producer_frees : NAN);
    lab_row_f64(&r, "hot_pick_pct", w == ALLOC_TEST && s->picks ? 100.0 * (double)s->hot_picks / (double)s->picks : NAN);
    lab_row_f64(&r, "shared_line_pct", ok ? s->shared_pct : NAN);
    lab_row_end(&r);
}

static int run(uint64_t rep)
{
    const char *allocator = lab_allocator();
    setup_harness();
    result_t s = { .status = "ok", .shared_pct = NAN };
    lab_footprint_begin(&s.fp);
    if (prepare()) {
        if (g.wl->threaded)
            run_threads();
        else if (setup(&g.w[0]))
            timed_phase(&g.w[0]);
    }
    lab_footprint_end(&s.fp);
    tally(&s);  // the live set at the end of the timed phase
    int64_t live_bytes = s.live_bytes, live_blocks = s.live_blocks;
    timed_totals(&s);
    if (strcmp(s.status, "ok") == 0) {
        if (g.workload == CACHE_SCRATCH || g.workload == CACHE_THRASH)
            s.shared_pct = shared_line_pct();
        drain();
    }
    tally(&s);  // every block, drained ones too
    s.live_bytes = live_bytes, s.live_blocks = live_blocks;
    write_row(allocator, rep, &s);
    if (strcmp(s.status, "ok") != 0)
        fprintf(stderr, "%s: %s: %s with %d threads stopped: %s\n", lab_prog, allocator, g.label, g.threads, s.status);
    return 0;
}

// ---------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------

// --describe (lab_describe): the workloads as a markdown table, for the book.
static const char describe_head[] = "<workload|<re-creates|<described in|<how ours differs|<sizes (bytes)|<work|<threads";
static void describe_row(size_t i, bool quick)
{
    const workload_t *w = &workloads[i];
    unsigned long long live = quick ? w->q_live : w->live, steps = quick ? w->q_steps : w->steps,
                       rounds = quick ? w->q_rounds : w->rounds;
    char work[160];
#define WORK(...) snprintf(work, sizeof work, __VA_ARGS__)
    switch (i) {
    case LARSON: WORK("%llu blocks per thread; %llu generations of %llu replacements", live, rounds, steps); break;
    case XMALLOC: WORK("%llu batches of %d blocks", steps, XM_BATCH); break;
    case CACHE_SCRATCH:
    case CACHE_THRASH: WORK("%llu objects per thread; %llu writes of each, all threads together", steps, rounds); break;
    case MALLOC_LARGE: WORK("%llu live; %llu allocated", live, steps); break;
    case ALLOC_TEST: WORK("%llu live per thread; %llu replacements per thread", live, steps); break;
    case GLIBC_SIMPLE: WORK("%llu blocks for each n", steps); break;
    default: WORK("%llu slots; %llu iterations per thread", live, steps); break;
    }
#undef WORK
    printf("| %s | %s | %s | %s | `%s` | %s | %s |\n", w->name, w->shape, w->source, w->differs, w->sizes, work,
           w->threaded ? "--threads (the CPUs)" : "1");
}

static const char options[] =
    "  --threads N       threads, 1 to 1024 (default: the CPUs this process may use); larson,\n"
    "                    xmalloc (half producers, half consumers), cache-scratch, cache-thrash,\n"
    "                    alloc-test and glibc-thread only\n"
    "  --sizes DIST      malloc-large: uniform:LO:HI or lognormal:MEDIAN:SIGMA:LO:HI (bytes; k/m/g)\n"
    "  --live N          malloc-large: buffers live at once, 1 to 1024\n"
    "  --steps N         malloc-large: buffers allocated in the timed phase, 1 to 1m\n"
    "  --order ORDER     malloc-large: replace (a random buffer; the new one allocated before the\n"
    "                    old one is freed; the default) or refill (free all, then allocate all)\n"
    "  --symmetric       xmalloc: every thread produces and consumes, passing batches round a ring\n"
    "  --no-symmetric    xmalloc: producers only allocate, consumers only free (the default)\n"
    "  --respawn         larson: a new thread takes over each array after every generation\n"
    "                    (the default)\n"
    "  --no-respawn      larson: each thread keeps its array to the end\n"
    "  --label NAME      the rows' workload, for a variant (e.g. other --sizes): a-z 0-9 - _\n";

// The chapter's run: every workload; the threaded ones at the CPUs, and those the original
// runs oversubscribed at twice as many too (alloc-test at the CPUs only; QUICK: none). The flags are
// spelled out so that a missing allocator's rows record them (common/run).
static void cases(bool quick)
{
    int n = lab_ncpus(), two = 2 * n < MAX_THREADS ? 2 * n : MAX_THREADS, xn = n < 2 ? 2 : n;
    // (QUICK: at the CPUs only; twice as many only where that is more threads)
    for (int pass = 0; pass < (quick ? 1 : 2); pass++) {
        if (!pass || two > n)
            printf("--workload larson --threads %d --respawn\n", pass ? two : n);
        if (!pass || two > xn)
            printf("--workload xmalloc --threads %d --no-symmetric\n", pass ? two : xn);
        for (int i = CACHE_SCRATCH; i <= CACHE_THRASH && (!pass || two > n); i++)
            printf("--workload %s --threads %d\n", workloads[i].name, pass ? two : n);
        if (!pass)
            printf("--workload malloc-large --order replace\n--workload alloc-test --threads %d\n--workload glibc-simple\n", n);
        if (!pass || two > n)
            printf("--workload glibc-thread --threads %d\n", pass ? two : n);
    }
}

static void context(void)
{
    lab_print_clock();
    printf("threads: %d by default (the CPUs this process may use)\n", lab_ncpus());
}

// The blocks a run can hold at once, refused up front where they cannot fit.
static void footprint(void)
{
    double T = g.threads, blocks = 0, harness = T * sizeof(worker_t);
    char what[320];
    switch (g.workload) {
    case LARSON:
        blocks = T * lab_dist_total_bytes(&g.dist, g.live);
        snprintf(what, sizeof what, "--threads %d x %llu blocks of %s", g.threads, (unsigned long long)g.live, g.sizes);
        break;
    case ALLOC_TEST:  // the log-uniform mean: (hi - lo) / ln(hi / lo)
        blocks = T * (double)g.live * (1024 - 8) / log(1024.0 / 8);
        snprintf(what, sizeof what, "--threads %d x %llu blocks of %s", g.threads, (unsigned long long)g.live, g.sizes);
        break;
    case MALLOC_LARGE:
        blocks = lab_dist_total_bytes(&g.dist, g.live + 1);
        snprintf(what, sizeof what, "--live %llu blocks of --sizes %s", (unsigned long long)g.live, g.sizes);
        break;
    case XMALLOC:
        blocks = (XM_LIMIT + 2 * T) * XM_BATCH * XM_BYTES;  // the batches' holders, at most
        harness += (XM_LIMIT + 2 * T) * sizeof(batch_t);
        snprintf(what, sizeof what, "--threads %d with %d batches of %d blocks waiting", g.threads, XM_LIMIT, XM_BATCH);
        break;
    default:
        return;
    }
    harness += T * (double)g.live * sizeof(slot_t);
    lab_require_memory(what, blocks, harness);
}

// A flag each way (--X, --no-X): -1 while neither is given.
static void set_flag(int *v, int o, int yes, const char *name)
{
    if (*v >= 0)
        lab_die("--%s and --no-%s: give one of them", name, name);
    *v = o == yes;
}

// An option that only one workload has, given to another.
static void only_for(bool given, int workload, const char *opt)
{
    if (given && g.workload != workload)
        lab_die("%s is not allowed with --workload %s: it applies to %s only", opt, g.wl->name, workloads[workload].name);
}

int main(int argc, char **argv)
{
    lab_prog = "07-classics";
    static const struct option opts[] = {
        LAB_WORKLOAD_OPT, { "threads", 1, 0, 't' }, { "sizes", 1, 0, 's' }, { "live", 1, 0, 'l' },
        { "steps", 1, 0, 'S' }, { "order", 1, 0, 'o' }, { "symmetric", 0, 0, 'y' }, { "no-symmetric", 0, 0, 'Y' },
        { "respawn", 0, 0, 'r' }, { "no-respawn", 0, 0, 'R' }, { "label", 1, 0, 'B' },
        LAB_DESCRIBE_OPT, LAB_COMMON_OPTS
    };
    static const lab_program_t prog = {
        .columns = columns, .workloads = LAB_WORKLOADS(workloads), .cases = cases, .describe_head = describe_head,
        .describe_row = describe_row, .context = context, .options = options,
    };
    lab_common_t common = LAB_COMMON_INIT;
    const char *threads = NULL, *live = NULL, *steps = NULL, *order = NULL;
    g.symmetric = g.respawn = -1;
    int o;
    while ((o = lab_getopt(argc, argv, opts, &prog, &common)) != -1) {
        switch (o) {
        case 't': threads = optarg; break;
        case 's': g.sizes = optarg; break;
        case 'l': live = optarg; break;
        case 'S': steps = optarg; break;
        case 'o': order = optarg; break;
        case 'y':
        case 'Y': set_flag(&g.symmetric, o, 'y', "symmetric"); break;
        case 'r':
        case 'R': set_flag(&g.respawn, o, 'r', "respawn"); break;
        case 'B': g.label = optarg; break;
        }
    }
    g.workload = common.workload;
    g.wl = &workloads[g.workload];
    g.seed = common.seed;
    bool quick = common.quick;
    only_for(g.sizes || live || steps || order, MALLOC_LARGE,
             g.sizes ? "--sizes" : live ? "--live" : steps ? "--steps" : "--order");
    only_for(g.symmetric >= 0, XMALLOC, g.symmetric ? "--symmetric" : "--no-symmetric");
    only_for(g.respawn >= 0, LARSON, g.respawn ? "--respawn" : "--no-respawn");
    if (threads && !g.wl->threaded)
        lab_die("--threads is not allowed with --workload %s: the original runs one thread", g.wl->name);
    if (g.label && (!*g.label || strspn(g.label, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(g.label)))
        lab_die("--label '%s' is not allowed: expected letters a-z, digits, '-' or '_'", g.label);
    g.label = g.label ? g.label : g.wl->name;
    int cpus = lab_ncpus() < MAX_THREADS ? lab_ncpus() : MAX_THREADS;
    cpus = g.workload == XMALLOC && cpus < 2 ? 2 : cpus;  // (one-way: a producer and a consumer)
    g.threads = threads ? (int)lab_opt_u64("--threads", threads, 1, MAX_THREADS) : g.wl->threaded ? cpus : 1;
    g.live = live ? lab_opt_u64("--live", live, 1, 1024) : quick ? g.wl->q_live : g.wl->live;
    g.steps = steps ? lab_opt_u64("--steps", steps, 1, 1u << 20) : quick ? g.wl->q_steps : g.wl->steps;
    g.rounds = quick ? g.wl->q_rounds : g.wl->rounds;
    g.order = order ? lab_opt_choice("--order", order, orders) : REPLACE;
    g.sizes = g.sizes ? g.sizes : g.wl->sizes;
    if (g.workload == LARSON || g.workload == MALLOC_LARGE)
        g.dist = lab_opt_dist("--sizes", g.sizes);
    if (g.dist.hi_bytes > 1u << 30)  // (a slot holds its size in 32 bits)
        lab_die("--sizes '%s' is not allowed: blocks of at most 1g", g.sizes);
    if (g.workload == LARSON)
        g.respawn = g.respawn != 0;  // respawning by default
    if (g.workload == XMALLOC) {
        g.symmetric = g.symmetric > 0;  // one-way by default
        if (!g.symmetric && g.threads < 2)
            lab_die("--threads '%d' is not allowed with --workload xmalloc: one-way needs 2 or more "
                    "(a producer and a consumer), or --symmetric", g.threads);
    }
    footprint();
    return run(common.rep);
}
