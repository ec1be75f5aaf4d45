/* 05-internals.c -- chapter 5: allocator internals made visible.
 *
 * Question: chapters 1-3 showed what each allocator does (speed, RSS, fragmentation). What
 * inside it makes it so? We look at its size classes, how full they are, its thread cache,
 * and where its pages are, while it runs chapter 3's holes workload.
 *
 * Method: one program, seven workloads (--workload):
 *   classes   probe malloc_usable_size for every request size from 1 B to 64 KiB: the
 *             allocator's size-class table and the internal fragmentation of rounding;
 *             then draw --requests sizes from chapter 3's survivors distribution and count
 *             them per class
 *   fill      chapter 3's holes workload (N blocks of 16-256 B or --sizes, free every other one,
 *             refill with 512 B-2 KiB); every N/20 operations, each size class's blocks
 *             used and room (common/allocstats.h lab_stats_bins: jemalloc mallctl bins,
 *             mimalloc mi_heap_visit_blocks; gperftools: its free blocks per class from
 *             MallocExtension_GetStats plus the program's own live blocks, counted by
 *             usable size); at the end jemalloc's thread-cache counters
 *   heapmap   the holes workload up to its holes phase (every other block freed), then a
 *             map of every 1 MiB chunk that ever held a block, one cell per 4 KiB page:
 *             live (holds a byte of a live block: the program knows its pointers), free
 *             (resident, no live block), absent (mapped, not resident: mincore) or unmapped
 *   xlocal    batches of 256 blocks (16-256 B) in a ring of 16; the allocating thread frees
 *             each batch 16 batches later; RSS every 50 batches
 *   xremote   the same, but a second thread frees every batch (every free is remote, as in
 *             chapter 2's producer-consumer): what remote frees hold back
 *   churn     a chapter-1-like loop (a window of live blocks, random sizes up to 256 KiB),
 *             the subject of chapters/05-internals/trace (strace), which times it
 *   pagetest  the page classifier on a constructed case (8 pages: known answer), for tests
 * Every block is written with lab_fill when allocated and checked before it is freed.
 *
 * Output: one CSV row per run on stdout; the detail (class table, fill samples, heap-map
 * runs) to the file named by LAB_SERIES (set by common/run) or --series, long format:
 *   allocator,workload,rep,t_ms,phase,size_bytes,class_bytes,used_count,total_count,chunk,page,pages_count,state,
 *   rss_kib,live_bytes
 *
 * Run it:   make 05
 *           build/05-internals/05-internals --workload classes --series /tmp/c.csv
 * Expected: jemalloc/tcmalloc/mimalloc round to classes spaced about 4 per doubling (up to
 *           20-25% waste), glibc to 16 B steps; the heap map shows every page of the holes
 *           phase still live (no allocator can return a page with one live block on it).
 */
#include "../../common/lab.h"
#include "../../common/allocstats.h"

#include <getopt.h>
#include <pthread.h>
#include <sys/mman.h>

static const char *const columns[] = {
    "allocator", "workload", "rep", "status", "stats_source", "work_ms", "classes_count",
    "waste_uniform_ratio", "waste_workload_ratio", "live_bytes", "rss_kib", "pages_live_count",
    "pages_free_count", "pages_absent_count", "pages_unmapped_count", "tc_requests_count",
    "tc_fills_count", "tc_flushes_count", "tc_hit_ratio", "fill_samples_count", "peak_rss_kib", NULL,
};
static const char *const series_columns[] = {
    "allocator", "workload", "rep", "t_ms", "phase", "size_bytes", "class_bytes", "used_count",
    "total_count", "chunk", "page", "pages_count", "state", "rss_kib", "live_bytes", NULL,
};

typedef struct {
    const char *workload, *series, *allocator, *sizes;  // sizes: the small blocks' (--sizes)
    uint64_t count, requests, ops, seed, rep;
    FILE *sf;
    lab_row_t row;
} config_t;

#define PROBE_MAX (64u << 10)  // 64 KiB
#define SMALL "uniform:16:256"
#define LARGE "uniform:512:2k"
#define WORKLOAD "lognormal:64:1:16:4k"  // chapter 3's survivors
#define CHURN "lognormal:256:2:16:256k"

static uint64_t t_start;
#define NCOLS (sizeof columns / sizeof *columns - 1)
static double results[NCOLS];  // the row's numeric columns, NAN until measured

static void put(const char *col, double v)
{
    for (size_t i = 0; i < NCOLS; i++)
        if (strcmp(columns[i], col) == 0) {
            results[i] = v;
            return;
        }
    lab_die_code(1, "bug: no column '%s'", col);
}
static double t_ms(void) { return (double)(lab_now_ns() - t_start) / 1e6; }

static double srow_rss = NAN, srow_live = NAN;  // the xfree workloads' sample, else empty

static void srow(const config_t *c, double t, const char *phase, double size, double cls, double used,
                 double total, double chunk, double page, double pages, const char *state)
{
    if (!c->sf)
        return;
    lab_row_t r;
    lab_row_begin(&r, series_columns);
    lab_row_str(&r, "allocator", c->allocator);
    lab_row_str(&r, "workload", c->workload);
    lab_row_u64(&r, "rep", c->rep);
    lab_row_f64(&r, "t_ms", t);
    lab_row_str(&r, "phase", phase);
    lab_row_f64(&r, "size_bytes", size);
    lab_row_f64(&r, "class_bytes", cls);
    lab_row_f64(&r, "used_count", used);
    lab_row_f64(&r, "total_count", total);
    lab_row_f64(&r, "chunk", chunk);
    lab_row_f64(&r, "page", page);
    lab_row_f64(&r, "pages_count", pages);
    lab_row_str(&r, "state", state);
    lab_row_f64(&r, "rss_kib", srow_rss);
    lab_row_f64(&r, "live_bytes", srow_live);
    lab_row_fend(&r, c->sf);
}

static void *xmalloc(size_t n, uint64_t tag)
{
    void *p = malloc(n);
    if (!p)
        lab_die_code(1, "malloc(%zu) returned NULL", n);
    lab_fill(p, n, tag);
    lab_escape(p);
    return p;
}

static void xfree(void *p, size_t n, uint64_t tag)
{
    if (!lab_check(p, n, tag))
        lab_die_code(1, "block %p of %zu bytes was corrupted (tag %llu)", p, n, (unsigned long long)tag);
    free(p);
}

// ---------------------------------------------------------------------------
// classes
// ---------------------------------------------------------------------------

// [classes]
static void run_classes(config_t *c)
{
    uint32_t *usable = lab_harness_alloc((PROBE_MAX + 1) * sizeof *usable);
    double waste = 0, total = 0;
    for (uint32_t s = 1; s <= PROBE_MAX; s++) {
        void *p = xmalloc(s, s);
        usable[s] = (uint32_t)malloc_usable_size(p);
        xfree(p, s, s);
        if (usable[s] < s)
            lab_die_code(1, "malloc_usable_size(malloc(%u)) = %u, less than asked", s, usable[s]);
        waste += usable[s] - s, total += usable[s];
    }
    // The workload's requests, counted per class (by the class's first request size).
    uint32_t *hits = lab_harness_alloc((PROBE_MAX + 1) * sizeof *hits);
    lab_dist_t d = lab_opt_dist("--sizes", WORKLOAD);
    lab_rng_t rng;
    lab_rng_seed(&rng, c->seed);
    double wwaste = 0, wtotal = 0;
    for (uint64_t i = 0; i < c->requests; i++) {
        size_t s = lab_dist_draw(&d, &rng);
        hits[s]++;
        wwaste += usable[s] - s, wtotal += usable[s];
    }
    // A class: the request sizes that share a usable size. Where every size is its own
    // "class" with the same slack (usable = request + k: no rounding, e.g. tbbmalloc's
    // large objects), one row of state "exact" stands for the run.
    uint64_t classes = 0;
    for (uint32_t s = 1; s <= PROBE_MAX;) {
        uint32_t e = s, n = 0;
        while (e <= PROBE_MAX && usable[e] == usable[s])
            n += hits[e++];
        if (e == s + 1 && e <= PROBE_MAX && usable[e] - e == usable[s] - s && usable[e] != usable[s]) {
            while (e <= PROBE_MAX && usable[e] - e == usable[s] - s)
                n += hits[e++];
            srow(c, NAN, "", s, usable[s], n, e - s, NAN, NAN, NAN, "exact");
        } else {
            srow(c, NAN, "", s, usable[s], n, e - s, NAN, NAN, NAN, "class");
            classes++;
        }
        s = e;
    }
    put("classes_count", classes);
    put("waste_uniform_ratio", waste / total);
    put("waste_workload_ratio", wwaste / wtotal);
}
// [/classes]

// ---------------------------------------------------------------------------
// the holes workload, with fill samples or a heap map
// ---------------------------------------------------------------------------

typedef struct {
    void **p;
    uint32_t *size;
    uint64_t n, live_bytes;
} blocks_t;

#define MAX_BINS 256
static lab_bin_t bins[MAX_BINS];
// The program's own live blocks by usable size (fill workload only): with gperftools, which
// reports only free blocks per class, used = ours and room = ours + its free ones.
static uint32_t *live_by_usable;

static void count_live(void *p, int d)
{
    if (live_by_usable) {
        size_t u = malloc_usable_size(p);
        if (u <= PROBE_MAX)
            live_by_usable[u] += (uint32_t)d;
    }
}

static uint64_t fill_sample(const config_t *c, const char *phase)
{
    int n = lab_stats_bins(bins, MAX_BINS);
    double t = t_ms();
    for (int i = 0; i < n; i++) {
        if (isnan(bins[i].used_count) && !isnan(bins[i].free_count) && bins[i].size_bytes <= PROBE_MAX) {
            bins[i].used_count = live_by_usable ? live_by_usable[(size_t)bins[i].size_bytes] : NAN;
            bins[i].total_count = bins[i].used_count + bins[i].free_count;
        }
        if (bins[i].total_count > 0 || bins[i].used_count > 0)
            srow(c, t, phase, NAN, bins[i].size_bytes, bins[i].used_count, bins[i].total_count, NAN, NAN, NAN, "fill");
    }
    return n > 0;
}

// Allocates c->count small blocks and frees every other one; with refill, then allocates
// larger blocks until as many bytes are live as before the free. Samples fill levels
// every count/20 operations when sample is set.
static void run_holes(const config_t *c, blocks_t *b, bool refill, bool sample, uint64_t *samples)
{
    lab_dist_t small = lab_opt_dist("--sizes", c->sizes), large = lab_opt_dist("--sizes", LARGE);
    lab_rng_t rng;
    lab_rng_seed(&rng, c->seed);
    uint64_t cap = 2 * c->count, every = c->count / 20 ? c->count / 20 : 1;
    b->p = lab_harness_alloc(cap * sizeof *b->p);
    b->size = lab_harness_alloc(cap * sizeof *b->size);
    for (uint64_t i = 0; i < c->count; i++) {
        b->size[i] = (uint32_t)lab_dist_draw(&small, &rng);
        b->p[i] = xmalloc(b->size[i], i);
        count_live(b->p[i], 1);
        b->live_bytes += b->size[i];
        if (sample && i % every == 0)
            *samples += fill_sample(c, "alloc");
    }
    b->n = c->count;
    uint64_t freed = 0;
    for (uint64_t i = 0; i < c->count; i += 2) {
        count_live(b->p[i], -1);
        xfree(b->p[i], b->size[i], i);
        b->p[i] = NULL;
        freed += b->size[i];
        b->live_bytes -= b->size[i];
        if (sample && i % (2 * every) == 0)
            *samples += fill_sample(c, "free_half");
    }
    if (!refill)
        return;
    for (uint64_t got = 0, k = 0; got < freed && b->n < cap; k++) {
        uint64_t i = b->n++;
        b->size[i] = (uint32_t)lab_dist_draw(&large, &rng);
        b->p[i] = xmalloc(b->size[i], i);
        count_live(b->p[i], 1);
        got += b->size[i];
        b->live_bytes += b->size[i];
        if (sample && k % (every / 4 + 1) == 0)
            *samples += fill_sample(c, "refill");
    }
    if (sample)
        *samples += fill_sample(c, "refill");
}

static void free_all(blocks_t *b)
{
    for (uint64_t i = 0; i < b->n; i++)
        if (b->p[i])
            xfree(b->p[i], b->size[i], i);
}

// [tcache]
static void run_fill(config_t *c)
{
    blocks_t b = { 0 };
    uint64_t samples = 0;
    live_by_usable = lab_harness_alloc((PROBE_MAX + 1) * sizeof *live_by_usable);
    run_holes(c, &b, true, true, &samples);
    put("live_bytes", b.live_bytes);
    put("rss_kib", lab_rss_kib());
    free_all(&b);
    put("fill_samples_count", samples);
    // jemalloc merges a thread cache's counts into its arena when it flushes.
    lab_mallctl_fn ctl = (lab_mallctl_fn)lab_malloc_sym("mallctl", true);
    if (ctl)
        ctl("thread.tcache.flush", NULL, NULL, NULL, 0);
    int n = lab_stats_bins(bins, MAX_BINS);
    double req = 0, fills = 0, flushes = 0;
    for (int i = 0; i < n; i++)
        req += bins[i].requests_count, fills += bins[i].fills_count, flushes += bins[i].flushes_count;
    if (n > 0 && !isnan(req) && req > 0) {
        put("tc_requests_count", req);
        put("tc_fills_count", fills);
        put("tc_flushes_count", flushes);
        put("tc_hit_ratio", 1 - fills / req);  // a fill is one miss
    }
}
// [/tcache]

// ---------------------------------------------------------------------------
// the heap map
// ---------------------------------------------------------------------------

enum { PG_LIVE, PG_FREE, PG_ABSENT, PG_UNMAPPED };
static const char *const pg_names[] = { "live", "free", "absent", "unmapped" };
#define CHUNK_PAGES 256  // 1 MiB of 4 KiB pages: one row of the map

static int cmp_uptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

// [classify]
// Classifies the pages of the chunks (1 MiB, sorted) given the live blocks [start, end).
// state[k * CHUNK_PAGES + j] for page j of chunk k. Pure but for mincore.
static void classify(const uintptr_t *chunk, size_t nchunks, const uintptr_t *start, const uintptr_t *end,
                     size_t nblocks, uint8_t *state)
{
    unsigned char vec[CHUNK_PAGES];
    for (size_t k = 0; k < nchunks; k++) {
        void *base = (void *)(chunk[k] * CHUNK_PAGES * LAB_PAGE);
        uint8_t *st = state + k * CHUNK_PAGES;
        if (mincore(base, CHUNK_PAGES * LAB_PAGE, vec) == 0) {
            for (int j = 0; j < CHUNK_PAGES; j++)
                st[j] = vec[j] & 1 ? PG_FREE : PG_ABSENT;
        } else {  // part of the chunk is not mapped: page by page
            for (int j = 0; j < CHUNK_PAGES; j++)
                st[j] = mincore((char *)base + j * LAB_PAGE, LAB_PAGE, vec) != 0 ? PG_UNMAPPED
                        : vec[0] & 1 ? PG_FREE : PG_ABSENT;
        }
    }
    for (size_t i = 0; i < nblocks; i++) {
        for (uintptr_t pg = start[i] / LAB_PAGE; pg <= (end[i] - 1) / LAB_PAGE; pg++) {
            uintptr_t ch = pg / CHUNK_PAGES;
            const uintptr_t *f = bsearch(&ch, chunk, nchunks, sizeof *chunk, cmp_uptr);
            if (f)
                state[(size_t)(f - chunk) * CHUNK_PAGES + pg % CHUNK_PAGES] = PG_LIVE;
        }
    }
}
// [/classify]

// Writes the map as runs of equal pages per chunk; counts the pages of each state.
static void map_out(config_t *c, size_t nchunks, const uint8_t *state)
{
    uint64_t count[4] = { 0 };
    for (size_t k = 0; k < nchunks; k++) {
        const uint8_t *st = state + k * CHUNK_PAGES;
        for (int j = 0; j < CHUNK_PAGES;) {
            int e = j;
            while (e < CHUNK_PAGES && st[e] == st[j])
                e++;
            srow(c, NAN, "", NAN, NAN, NAN, NAN, (double)k, j, e - j, pg_names[st[j]]);
            count[st[j]] += (uint64_t)(e - j);
            j = e;
        }
    }
    put("pages_live_count", count[PG_LIVE]);
    put("pages_free_count", count[PG_FREE]);
    put("pages_absent_count", count[PG_ABSENT]);
    put("pages_unmapped_count", count[PG_UNMAPPED]);
}

static size_t uniq(uintptr_t *a, size_t n)
{
    qsort(a, n, sizeof *a, cmp_uptr);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || a[m - 1] != a[i])
            a[m++] = a[i];
    return m;
}

static void run_heapmap(config_t *c)
{
    blocks_t b = { 0 };
    uint64_t samples = 0;
    // The chunks every block touched, taken before half of them are freed.
    run_holes(c, &b, false, false, &samples);
    uintptr_t *chunk = lab_harness_alloc(2 * c->count * sizeof *chunk);
    uintptr_t *start = lab_harness_alloc(c->count * sizeof *start), *end = lab_harness_alloc(c->count * sizeof *end);
    size_t nc = 0, nb = 0;
    // b.p[i] is NULL for the freed half: their chunks are those of their live neighbours
    // or were touched by them; we also keep the chunk of every live block's end.
    for (uint64_t i = 0; i < b.n; i++) {
        if (!b.p[i])
            continue;
        uintptr_t s = (uintptr_t)b.p[i], e = s + b.size[i];
        start[nb] = s, end[nb] = e, nb++;
        chunk[nc++] = s / LAB_PAGE / CHUNK_PAGES;
        chunk[nc++] = (e - 1) / LAB_PAGE / CHUNK_PAGES;
    }
    nc = uniq(chunk, nc);
    uint8_t *state = lab_harness_alloc(nc * CHUNK_PAGES);
    classify(chunk, nc, start, end, nb, state);
    put("live_bytes", b.live_bytes);
    put("rss_kib", lab_rss_kib());
    map_out(c, nc, state);
    free_all(&b);
}

// The constructed case: 8 pages; 0..5 touched except 3 and 4; a live block from the end of
// page 1 into page 2; page 7 unmapped. Known answer: free live live absent absent free absent unmapped.
static void run_pagetest(config_t *c)
{
    char *m = mmap(NULL, 2 * CHUNK_PAGES * LAB_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        lab_die_code(1, "mmap failed: %s", strerror(errno));
    char *base = (char *)(((uintptr_t)m + CHUNK_PAGES * LAB_PAGE - 1) / (CHUNK_PAGES * LAB_PAGE) * (CHUNK_PAGES * LAB_PAGE));
    int touch[] = { 0, 1, 2, 5 };
    for (size_t i = 0; i < sizeof touch / sizeof *touch; i++)
        base[touch[i] * LAB_PAGE] = 1;
    if (munmap(base + 7 * LAB_PAGE, (CHUNK_PAGES - 7) * LAB_PAGE) != 0)
        lab_die_code(1, "munmap failed: %s", strerror(errno));
    uintptr_t chunk = (uintptr_t)base / LAB_PAGE / CHUNK_PAGES;
    uintptr_t s = (uintptr_t)base + 2 * LAB_PAGE - 16, e = s + 32;
    uint8_t state[CHUNK_PAGES];
    classify(&chunk, 1, &s, &e, 1, state);
    for (int j = 0; j < 8; j++)
        srow(c, NAN, "", NAN, NAN, NAN, NAN, 0, j, 1, pg_names[state[j]]);
}

// ---------------------------------------------------------------------------
// churn: the traced loop
// ---------------------------------------------------------------------------

static void run_churn(config_t *c)
{
    enum { WINDOW = 4096 };
    static void *p[WINDOW];
    static uint32_t sz[WINDOW];
    lab_dist_t d = lab_opt_dist("--sizes", CHURN);
    lab_rng_t rng;
    lab_rng_seed(&rng, c->seed);
    for (uint64_t i = 0; i < c->ops; i++) {
        uint32_t k = (uint32_t)lab_rng_below(&rng, WINDOW);
        if (p[k])
            xfree(p[k], sz[k], k);
        sz[k] = (uint32_t)lab_dist_draw(&d, &rng);
        p[k] = xmalloc(sz[k], k);
    }
    for (int k = 0; k < WINDOW; k++)
        if (p[k])
            xfree(p[k], sz[k], k);
}

// ---------------------------------------------------------------------------
// cross-thread frees: what remote frees hold back
// ---------------------------------------------------------------------------

// [xfree]
// The main thread allocates batches of XBATCH blocks (16-256 B) into a ring of XRING
// slots. xremote: a second thread frees each batch (every free is remote, as in chapter
// 2's producer-consumer); xlocal: the main thread frees the batch it wrote XRING batches
// ago itself, so the live blocks are the same. RSS every XEVERY batches.
#define XBATCH 256
#define XRING 16
#define XEVERY 50
typedef struct {
    void *p[XBATCH];
    uint32_t size[XBATCH];
    uint64_t tag;
    bool full;
} xslot_t;
static xslot_t *xring;
static pthread_mutex_t xmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t xcv = PTHREAD_COND_INITIALIZER;
static uint64_t xrounds;

static void xfree_slot(xslot_t *s)
{
    for (int k = 0; k < XBATCH; k++)
        xfree(s->p[k], s->size[k], s->tag + (uint64_t)k);
}

static void *xconsumer(void *arg)
{
    (void)arg;
    for (uint64_t i = 0; i < xrounds; i++) {
        xslot_t *s = &xring[i % XRING];
        pthread_mutex_lock(&xmu);
        while (!s->full)
            pthread_cond_wait(&xcv, &xmu);
        pthread_mutex_unlock(&xmu);
        xfree_slot(s);
        pthread_mutex_lock(&xmu);
        s->full = false;
        pthread_cond_broadcast(&xcv);
        pthread_mutex_unlock(&xmu);
    }
    return NULL;
}

static void run_xfree(config_t *c, bool remote)
{
    lab_dist_t d = lab_opt_dist("--sizes", c->sizes);
    lab_rng_t rng;
    lab_rng_seed(&rng, c->seed);
    xring = lab_harness_alloc(XRING * sizeof *xring);
    xrounds = c->ops / XBATCH;
    pthread_t th;
    if (remote && pthread_create(&th, NULL, xconsumer, NULL) != 0)
        lab_die_code(1, "cannot start the consumer thread");
    uint64_t base = lab_rss_kib(), live = 0, most = 0;
    for (uint64_t i = 0; i < xrounds; i++) {
        xslot_t *s = &xring[i % XRING];
        if (remote) {
            pthread_mutex_lock(&xmu);
            while (s->full)
                pthread_cond_wait(&xcv, &xmu);
            pthread_mutex_unlock(&xmu);
        } else if (s->full) {
            xfree_slot(s);
        }
        s->tag = i * XBATCH;
        uint64_t bytes = 0;
        for (int k = 0; k < XBATCH; k++) {
            s->size[k] = (uint32_t)lab_dist_draw(&d, &rng);
            s->p[k] = xmalloc(s->size[k], s->tag + (uint64_t)k);
            bytes += s->size[k];
        }
        live = bytes * XRING;  // about: XRING batches in flight at most
        pthread_mutex_lock(&xmu);
        s->full = true;
        pthread_cond_broadcast(&xcv);
        pthread_mutex_unlock(&xmu);
        if (i % XEVERY == 0) {
            uint64_t rss = lab_rss_kib();
            most = rss - base > most ? rss - base : most;
            srow_rss = (double)(rss - base), srow_live = (double)live;
            srow(c, t_ms(), remote ? "remote" : "local", NAN, NAN, NAN, NAN, NAN, NAN, NAN, "rss");
        }
    }
    if (remote)
        pthread_join(th, NULL);
    else
        for (int k = 0; k < XRING; k++)
            if (xring[k].full)
                xfree_slot(&xring[k]);
    srow_rss = srow_live = NAN;
    put("peak_rss_kib", (double)lab_status_kib("VmHWM"));
    put("rss_kib", (double)most);  // the most RSS added, over the samples
    put("live_bytes", (double)live);
}
// [/xfree]

// ---------------------------------------------------------------------------

// fill and heapmap hold the holes workload: --count small blocks, then (fill) larger ones
// as many bytes as the freed half; the harness keeps two slots and a heap-map entry each.
static void footprint(const config_t *c)
{
    if (strcmp(c->workload, "fill") != 0 && strcmp(c->workload, "heapmap") != 0)
        return;  // the other workloads' footprints are fixed, or independent of the options
    lab_dist_t small = lab_opt_dist("--sizes", c->sizes), large = lab_opt_dist("--sizes", LARGE);
    char what[160];
    snprintf(what, sizeof what, "--count %llu blocks of %s", (unsigned long long)c->count, c->sizes);
    lab_require_memory(what,
                       lab_dist_total_bytes(&small, c->count) + lab_dist_total_bytes(&small, c->count / 2 + 1) +
                           (double)large.hi_bytes,
                       (double)c->count * (2 * (sizeof(void *) + sizeof(uint32_t)) + 4 * sizeof(uintptr_t)));
}

static void usage(void)
{
    printf("usage: %s --workload W [options]\n"
           "  --workload W        classes, fill, heapmap, xlocal, xremote, churn or pagetest\n"
           "  --count N           holes workload: small blocks (1000 to 10m)\n"
           "  --requests N        classes: workload requests drawn (1 to 100m)\n"
           "  --ops N             churn, xlocal, xremote: malloc/free pairs (1 to 1g)\n"
           "  --sizes DIST        fill, heapmap, xlocal, xremote: the small blocks' sizes, uniform:LO:HI\n"
           "                      or lognormal:MEDIAN:SIGMA:LO:HI, at most 64k (default " SMALL ")\n"
           "  --series FILE       the detail CSV (default: $LAB_SERIES)\n"
           "  --seed N  --rep N  --quick\n"
           "  -h | --help | --header | --cases | --context   print and exit\n"
           LAB_NUMBER_USAGE,
           lab_prog);
}

static void cases(bool quick)
{
    (void)quick;
    printf("--workload classes\n--workload fill\n--workload heapmap\n--workload xlocal\n--workload xremote\n");
}

static void context(void)
{
    printf("size classes: malloc_usable_size of malloc(1 B .. 64 KiB); heap map: mincore, 4 KiB pages, 1 MiB rows\n"
           "allocator statistics (common/allocstats.h): %s; per-class state: %s\n", lab_stats_which(),
           lab_stats_bins(bins, MAX_BINS) >= 0 ? "yes" : "none exposed");
}

int main(int argc, char **argv)
{
    lab_prog = "05-internals";
    static const struct option opts[] = {
        LAB_WORKLOAD_OPT, { "count", 1, 0, 'n' }, { "requests", 1, 0, 'r' }, { "ops", 1, 0, 'o' },
        { "series", 1, 0, 'F' }, { "sizes", 1, 0, 's' }, LAB_COMMON_OPTS
    };
    static const struct { const char *name; } workloads[] = {
        { "classes" }, { "fill" }, { "heapmap" }, { "xlocal" }, { "xremote" }, { "churn" }, { "pagetest" },
    };
    static const lab_program_t prog = {
        .columns = columns, .workloads = LAB_WORKLOADS(workloads), .cases = cases, .context = context, .usage = usage,
    };
    config_t c = { .series = getenv("LAB_SERIES") };
    if (c.series && !*c.series)
        c.series = NULL;
    lab_common_t common = LAB_COMMON_INIT;
    const char *count = NULL, *requests = NULL, *ops = NULL;
    int o;
    while ((o = lab_getopt(argc, argv, opts, &prog, &common)) != -1) {
        switch (o) {
        case 'n': count = optarg; break;
        case 'r': requests = optarg; break;
        case 'o': ops = optarg; break;
        case 'F': c.series = lab_opt_str("--series", optarg, "a file name"); break;
        case 's': c.sizes = optarg; break;
        }
    }
    c.workload = workloads[common.workload].name;
    c.seed = common.seed;
    c.rep = common.rep;
    bool quick = common.quick;
    c.count = count ? lab_opt_u64("--count", count, 1000, 10 << 20) : quick ? 100000 : 1000000;
    c.requests = requests ? lab_opt_u64("--requests", requests, 1, 100 << 20) : quick ? 100000 : 1000000;
    c.ops = ops ? lab_opt_u64("--ops", ops, 1, 1 << 30) : quick ? 200000 : 2000000;
    if (c.sizes && strcmp(c.workload, "fill") != 0 && strcmp(c.workload, "heapmap") != 0 &&
        strcmp(c.workload, "xlocal") != 0 && strcmp(c.workload, "xremote") != 0)
        lab_die("--sizes is not allowed with --workload %s: only fill, heapmap, xlocal and xremote take it", c.workload);
    c.sizes = c.sizes ? c.sizes : SMALL;
    if (lab_opt_dist("--sizes", c.sizes).hi_bytes > PROBE_MAX)  // a block spans at most two 1 MiB rows of the map
        lab_die("--sizes '%s' is not allowed: the small blocks are at most 64k", c.sizes);
    footprint(&c);
    c.allocator = lab_allocator();
    if (c.series && !(c.sf = fopen(c.series, "w")))
        lab_die("--series '%s' cannot be written: %s", c.series, strerror(errno));
    if (c.sf)
        lab_csv_fheader(c.sf, series_columns);
    lab_clock_init();
    t_start = lab_now_ns();
    for (size_t i = 0; i < NCOLS; i++)
        results[i] = NAN;
    lab_stats_t st;
    lab_stats_read(&st);
    if (strcmp(c.workload, "classes") == 0)
        run_classes(&c);
    else if (strcmp(c.workload, "fill") == 0)
        run_fill(&c);
    else if (strcmp(c.workload, "heapmap") == 0)
        run_heapmap(&c);
    else if (strcmp(c.workload, "xlocal") == 0 || strcmp(c.workload, "xremote") == 0)
        run_xfree(&c, strcmp(c.workload, "xremote") == 0);
    else if (strcmp(c.workload, "churn") == 0)
        run_churn(&c);
    else
        run_pagetest(&c);
    put("work_ms", t_ms());
    lab_csv_header(columns);
    lab_row_begin(&c.row, columns);
    lab_row_str(&c.row, "allocator", c.allocator);
    lab_row_str(&c.row, "workload", c.workload);
    lab_row_u64(&c.row, "rep", c.rep);
    lab_row_str(&c.row, "status", "ok");
    lab_row_str(&c.row, "stats_source", st.source);
    for (size_t i = 5; i < NCOLS; i++)
        lab_row_f64(&c.row, columns[i], results[i]);
    lab_row_end(&c.row);
    if (c.sf && fclose(c.sf) != 0)
        lab_die_code(1, "cannot write --series '%s'", c.series);
    return 0;
}
