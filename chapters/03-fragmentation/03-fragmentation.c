/* 03-fragmentation.c -- chapter 3: when a program frees memory, what does the OS get back?
 *
 * Question: how much of the memory a program frees does each allocator hand back to the
 * OS, and when? Can it reuse holes for sizes that do not fit them? Answered with time
 * series, not only peaks.
 *
 * Method: four workloads, each a sequence of named phases.
 *   holes      allocate 1M objects of 16-256 B; free every other one; allocate larger
 *              objects (512 B-2 KiB) until as many bytes are back as were freed
 *   survivors  allocate 1M objects; free 99% at random, keep 1%; allocate the 99% again
 *   decay      allocate 128 MiB; free 95% at random; (release: ask the allocator to give
 *              memory back now); stay idle with no allocator call ("quiet"); then idle
 *              with a trickle of small malloc/free pairs, as a mostly idle server does
 *   growth     a live size held flat while the sizes drift from a median of 32 B to
 *              4 KiB: does RSS creep?
 * A sampler thread reads <proc>/statm with pread on a kept fd at --hz (100 by default,
 * on an absolute clock_nanosleep schedule) and records the RSS, the live bytes the
 * benchmark counts itself, and the phase, into memory mapped before the workload starts.
 * It never calls malloc. At each phase end the main thread reads smaps_rollup (Rss,
 * LazyFree, Private_Dirty, AnonHugePages), /proc/self/status (VmRSS, VmHWM), getrusage
 * (ru_maxrss) and the allocator's own statistics (common/allocstats.h).
 * Every block is written with lab_fill when allocated and checked before it is freed.
 *
 * Output: one CSV row per phase on stdout; the time series
 *   allocator,workload,release,sampler,rep,t_ms,phase_t_ms,rss_kib,live_bytes,frag_ratio,phase
 * to the file named by --series or LAB_SERIES (set by common/run), written whole at exit.
 *
 * Run it:   make 03                          (all allocators, 5 repetitions)
 *           build/03-fragmentation/03-fragmentation --workload holes --series /tmp/s.csv
 * Expected: no allocator reuses the holes for larger sizes; a few survivors pin most of
 *           the memory; glibc gives memory back at free time or not at all (until
 *           malloc_trim), the others after a delay that needs allocator calls to elapse.
 */
#include "../../common/lab.h"
#include "../../common/allocstats.h"

#include <getopt.h>
#include <sys/mman.h>
#include <sys/resource.h>

// [workloads]
typedef struct {
    const char *name, *sizes, *sizes2, *why;
    uint64_t count, q_count;  // objects (holes, survivors), MiB (decay, growth)
    double keep;              // share kept (survivors, decay)
    uint64_t ops, q_ops;      // growth: allocations after the fill
    uint64_t quiet_ms, trickle_ms, q_quiet_ms, q_trickle_ms;  // decay
} workload_t;

static const workload_t workloads[] = {
    { "holes", "uniform:16:256", "uniform:512:2k",
      "every other object freed, then larger objects than any hole", 1000000, 100000, 0.5, 0, 0, 0, 0, 0, 0 },
    { "survivors", "lognormal:64:1:16:4k", NULL,
      "99% freed at random: 1% survivors pin pages", 1000000, 100000, 0.01, 0, 0, 0, 0, 0, 0 },
    { "decay", "lognormal:1k:1.2:64:128k", NULL,
      "a large free, then idle: when does RSS come down?", 128, 16, 0.05, 0, 0, 800, 3200, 100, 200 },
    { "growth", "lognormal:32:0.6:8:64k", "lognormal:4k:0.6:8:64k",
      "flat live size, sizes drifting upwards: does RSS creep?", 32, 8, 0, 1200000, 150000, 0, 0, 0, 0 },
};
// [/workloads]
#define NWORKLOADS (sizeof workloads / sizeof workloads[0])
enum { W_HOLES, W_SURVIVORS, W_DECAY, W_GROWTH };

static const char *const columns[] = {
    "allocator", "workload", "release", "sampler", "phase", "rep", "status",
    "t_ms", "phase_ms", "work_s", "live_bytes", "live_blocks", "baseline_rss_kib", "rss_kib",
    "smaps_rss_kib", "lazyfree_kib", "effective_rss_kib", "private_dirty_kib", "anon_huge_kib",
    "vmrss_kib", "vmhwm_kib", "ru_maxrss_kib", "smaps_minus_statm_kib", "vmrss_minus_statm_kib",
    "maxrss_minus_vmhwm_kib", "frag_ratio",
    "effective_frag_ratio", "hole_reuse_ratio", "sample_count", "sample_hz", "sample_max_gap_ms",
    "sampler_cpu_s", "sampler_cpu_share", "stats_source", "st_allocated_bytes", "st_active_bytes",
    "st_resident_bytes", "st_mapped_bytes", "st_metadata_bytes", "st_retained_bytes",
    "st_thread_cache_bytes", "st_central_free_bytes", "st_page_free_bytes", "release_call", NULL
};
static const char *const series_columns[] = {
    "allocator", "workload", "release", "sampler", "rep", "t_ms", "phase_t_ms", "rss_kib",
    "live_bytes", "frag_ratio", "phase", NULL
};

// ---------------------------------------------------------------------------
// harness memory and /proc
// ---------------------------------------------------------------------------

static const char *proc_dir = "/proc/self";
static int statm_fd = -1;
static uint64_t page_kib;

// The sampler's probe. A /proc that cannot be read stops the program: never a zero.
static uint64_t statm_rss_kib(void)
{
    char buf[128];
    uint64_t kib;
    ssize_t n = pread(statm_fd, buf, sizeof buf - 1, 0);
    if (n <= 0 || (buf[n] = 0, !lab_parse_statm(buf, page_kib, &kib)))
        lab_die("cannot read %s/statm: the sampler needs /proc; stopping rather than writing zeros", proc_dir);
    return kib;
}

static void proc_open(void)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/statm", proc_dir);
    page_kib = (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
    if ((statm_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        lab_die("cannot open %s: %s; the sampler needs /proc (is it mounted?)", path, strerror(errno));
    statm_rss_kib();
}

static void proc_read(const char *file, char *buf, size_t len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", proc_dir, file);
    if (!lab_read_file(path, buf, len))
        lab_die("cannot read %s: %s; stopping rather than writing zeros", path, strerror(errno));
}

// ---------------------------------------------------------------------------
// the sampler
// ---------------------------------------------------------------------------

typedef struct {
    uint64_t t_ns, rss_kib, live_bytes;
    uint32_t phase;
} sample_t;

#define MAX_PHASES 8
#define MAX_SAMPLES (1u << 17)  // 22 minutes at 100 Hz; the sampler stops recording when full

static struct {
    uint64_t live_bytes;  // written by the benchmark (relaxed stores), read by the sampler
    uint32_t phase;
    int stop;
    uint64_t period_ns, t0_ns;
    sample_t *s;
    uint32_t n;
    pthread_t thread;
    bool running;
} smp;

static void set_live(uint64_t v) { __atomic_store_n(&smp.live_bytes, v, __ATOMIC_RELAXED); }

// [sampler]
static void *sampler_main(void *arg)
{
    (void)arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (!__atomic_load_n(&smp.stop, __ATOMIC_ACQUIRE)) {
        if (smp.n < MAX_SAMPLES) {
            sample_t *x = &smp.s[smp.n];
            x->t_ns = lab_now_ns() - smp.t0_ns;
            x->rss_kib = statm_rss_kib();
            x->live_bytes = __atomic_load_n(&smp.live_bytes, __ATOMIC_RELAXED);
            x->phase = __atomic_load_n(&smp.phase, __ATOMIC_RELAXED);
            __atomic_store_n(&smp.n, smp.n + 1, __ATOMIC_RELEASE);
        }
        next.tv_nsec += (long)smp.period_ns;  // an absolute schedule: no drift
        while (next.tv_nsec >= 1000000000) {
            next.tv_nsec -= 1000000000;
            next.tv_sec++;
        }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
            ;
    }
    return NULL;
}
// [/sampler]

static double thread_cpu_s(pthread_t t)
{
    clockid_t c;
    struct timespec ts;
    if (pthread_getcpuclockid(t, &c) != 0 || clock_gettime(c, &ts) != 0)
        return NAN;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// ---------------------------------------------------------------------------
// blocks: allocated, filled, checked, freed
// ---------------------------------------------------------------------------

typedef struct {
    void **ptr;
    uint32_t *size_bytes, *gen;
    size_t cap, n;         // slots, and the slots in use (dense: 0..n-1 for growth)
    uint64_t live_bytes, next_gen;
    const char *status;    // "ok", "malloc_null", "corrupt", "misaligned"
    lab_rng_t rng;
} blocks_t;

static void blocks_init(blocks_t *b, size_t cap, uint64_t seed)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
    b->ptr = lab_harness_alloc(cap * sizeof *b->ptr);
    b->size_bytes = lab_harness_alloc(cap * sizeof *b->size_bytes);
    b->gen = lab_harness_alloc(cap * sizeof *b->gen);
    b->status = "ok";
    lab_rng_seed(&b->rng, seed);
}

static uint64_t tag_of(uint32_t gen) { return lab_tag(gen + 1); }

// [block]
static bool block_alloc(blocks_t *b, size_t i, size_t size)
{
    void *p = malloc(size);
    if (!p) {
        b->status = "malloc_null";
        return false;
    }
    if ((uintptr_t)p % lab_owed_alignment(size)) {
        b->status = "misaligned";
        return false;
    }
    b->gen[i] = (uint32_t)b->next_gen++;
    lab_fill(p, size, tag_of(b->gen[i]));
    b->ptr[i] = p;
    b->size_bytes[i] = (uint32_t)size;
    b->live_bytes += size;
    set_live(b->live_bytes);
    return true;
}

static bool block_free(blocks_t *b, size_t i)
{
    if (!b->ptr[i])
        return true;
    if (!lab_check(b->ptr[i], b->size_bytes[i], tag_of(b->gen[i]))) {
        b->status = "corrupt";
        return false;
    }
    free(b->ptr[i]);
    b->ptr[i] = NULL;
    b->live_bytes -= b->size_bytes[i];
    set_live(b->live_bytes);
    return true;
}
// [/block]

static bool blocks_drain(blocks_t *b)
{
    for (size_t i = 0; i < b->cap; i++)
        if (!block_free(b, i))
            return false;
    return true;
}

static size_t live_blocks(const blocks_t *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->cap; i++)
        n += b->ptr[i] != NULL;
    return n;
}

// ---------------------------------------------------------------------------
// phases: what is measured at each phase end
// ---------------------------------------------------------------------------

typedef struct {
    const char *name;
    uint64_t t_end_ns, dur_ns, live_bytes, live_blocks;
    uint64_t rss_kib, vmrss_kib, vmhwm_kib, maxrss_kib;
    lab_smaps_t smaps;
    lab_stats_t st;
    bool work;   // allocator work (timed), not idle
} phase_t;

typedef struct {
    const workload_t *w;
    const char *sizes, *sizes2, *release, *series;
    uint64_t count, ops, quiet_ms, trickle_ms, seed, rep, hz;
    double keep;
    bool sampler;
} config_t;

static phase_t phases[MAX_PHASES];
static int nphases;
static uint64_t phase_start_ns;

static void phase_begin(const char *name)
{
    if (nphases == MAX_PHASES)
        abort();
    phases[nphases].name = name;
    __atomic_store_n(&smp.phase, (uint32_t)nphases, __ATOMIC_RELAXED);
    phase_start_ns = lab_now_ns();
}

// Ends the phase: every probe is read after the clock stops, so probes are not work.
static void phase_end(const blocks_t *b, bool work)
{
    phase_t *p = &phases[nphases];
    uint64_t now = lab_now_ns();
    p->t_end_ns = now - smp.t0_ns;
    p->dur_ns = now - phase_start_ns;
    p->work = work;
    p->live_bytes = b->live_bytes;
    p->live_blocks = live_blocks(b);
    p->rss_kib = statm_rss_kib();
    char buf[8192];
    proc_read("smaps_rollup", buf, sizeof buf);
    if (!lab_parse_smaps(buf, &p->smaps))
        lab_die("%s/smaps_rollup has no Rss line; stopping rather than writing zeros", proc_dir);
    proc_read("status", buf, sizeof buf);
    if (!lab_parse_kib_field(buf, "VmRSS", &p->vmrss_kib) || !lab_parse_kib_field(buf, "VmHWM", &p->vmhwm_kib))
        lab_die("%s/status has no VmRSS or VmHWM line", proc_dir);
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    p->maxrss_kib = (uint64_t)u.ru_maxrss;
    lab_stats_read(&p->st);
    nphases++;
}

// ---------------------------------------------------------------------------
// the workloads
// ---------------------------------------------------------------------------

// [holes]
static bool run_holes(const config_t *c, blocks_t *b, const lab_dist_t *small, const lab_dist_t *large,
                      double *reuse)
{
    size_t n = c->count;
    phase_begin("alloc");
    for (size_t i = 0; i < n; i++)
        if (!block_alloc(b, i, lab_dist_draw(small, &b->rng)))
            return false;
    phase_end(b, true);

    phase_begin("free_half");
    uint64_t before = b->live_bytes;
    for (size_t i = 1; i < n; i += 2)
        if (!block_free(b, i))
            return false;
    uint64_t freed = before - b->live_bytes;
    phase_end(b, true);

    phase_begin("refill");  // larger than any hole: only new memory can hold them
    uint64_t added = 0;
    for (size_t i = n; added < freed && i < b->cap; i++) {
        size_t size = lab_dist_draw(large, &b->rng);
        if (!block_alloc(b, i, size))
            return false;
        added += size;
    }
    phase_end(b, true);
    // Share of the refill that fitted into memory already resident: 1 = all, 0 = none.
    const phase_t *f = &phases[nphases - 2], *r = &phases[nphases - 1];
    *reuse = 1.0 - ((double)r->rss_kib - (double)f->rss_kib) * 1024.0 / (double)added;
    return true;
}
// [/holes]

static bool run_survivors(const config_t *c, blocks_t *b, const lab_dist_t *d)
{
    size_t n = c->count;
    uint32_t *order = lab_harness_alloc(n * sizeof *order);
    phase_begin("alloc");
    for (size_t i = 0; i < n; i++)
        if (!block_alloc(b, i, lab_dist_draw(d, &b->rng)))
            return false;
    phase_end(b, true);
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    lab_shuffle_u32(&b->rng, order, n);
    size_t nfree = n - (size_t)((double)n * c->keep);
    phase_begin("free_99");
    for (size_t i = 0; i < nfree; i++)
        if (!block_free(b, order[i]))
            return false;
    phase_end(b, true);
    phase_begin("refill");  // the same sizes again: the pinned pages' free slots fit them
    for (size_t i = 0; i < nfree; i++)
        if (!block_alloc(b, order[i], lab_dist_draw(d, &b->rng)))
            return false;
    phase_end(b, true);
    return true;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) == EINTR)
        ;
}

// [decay]
static bool run_decay(const config_t *c, blocks_t *b, const lab_dist_t *d, const char **call)
{
    uint64_t target = c->count << 20;
    size_t n = 0;
    phase_begin("alloc");
    while (b->live_bytes < target && n < b->cap - 64)
        if (!block_alloc(b, n++, lab_dist_draw(d, &b->rng)))
            return false;
    phase_end(b, true);
    uint32_t *order = lab_harness_alloc(n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    lab_shuffle_u32(&b->rng, order, n);
    phase_begin("free");
    for (size_t i = 0; i < n - (size_t)((double)n * c->keep); i++)
        if (!block_free(b, order[i]))
            return false;
    phase_end(b, true);
    if (strcmp(c->release, "now") == 0) {
        phase_begin("release");
        *call = lab_stats_release();
        phase_end(b, true);
    }
    phase_begin("quiet");  // no allocator call at all
    sleep_ms(c->quiet_ms);
    phase_end(b, false);
    // A mostly idle program still calls malloc now and then: 64 short-lived blocks per
    // millisecond. Allocators that purge lazily do it inside such calls.
    phase_begin("trickle");
    size_t spare = b->cap - 64;
    lab_dist_t tiny = { LAB_UNIFORM, 16, 512, 0, 0 };
    uint64_t end = lab_now_ns() + c->trickle_ms * 1000000u;
    while (lab_now_ns() < end) {
        for (size_t i = 0; i < 64; i++)
            if (!block_alloc(b, spare + i, lab_dist_draw(&tiny, &b->rng)))
                return false;
        for (size_t i = 0; i < 64; i++)
            if (!block_free(b, spare + i))
                return false;
        sleep_ms(1);
    }
    phase_end(b, false);
    return true;
}
// [/decay]

// [growth]
// The median size moves geometrically from sizes' to sizes2' median over the run; blocks
// are freed at random until the next one fits under the target live size.
static bool run_growth(const config_t *c, blocks_t *b, lab_dist_t d0, const lab_dist_t *d1)
{
    uint64_t target = c->count << 20;
    lab_dist_t d = d0;
    phase_begin("fill");
    while (b->live_bytes < target && b->n < b->cap)
        if (!block_alloc(b, b->n++, lab_dist_draw(&d, &b->rng)))
            return false;
    phase_end(b, true);
    static const char *const names[] = { "drift_1", "drift_2", "drift_3", "drift_4" };
    uint64_t done = 0;
    for (int q = 0; q < 4; q++) {
        phase_begin(names[q]);
        for (uint64_t end = c->ops * (uint64_t)(q + 1) / 4; done < end; done++) {
            double x = (double)done / (double)c->ops;
            d.median_bytes = d0.median_bytes * pow(d1->median_bytes / d0.median_bytes, x);
            size_t size = lab_dist_draw(&d, &b->rng);
            while (b->live_bytes + size > target && b->n > 0) {
                size_t i = lab_rng_below(&b->rng, b->n);
                if (!block_free(b, i))
                    return false;
                b->n--;  // keep the slots dense: the last one moves into the hole
                b->ptr[i] = b->ptr[b->n], b->size_bytes[i] = b->size_bytes[b->n], b->gen[i] = b->gen[b->n];
                b->ptr[b->n] = NULL;
            }
            if (b->n == b->cap || !block_alloc(b, b->n++, size))
                return false;
        }
        phase_end(b, true);
    }
    return true;
}
// [/growth]

// ---------------------------------------------------------------------------
// output
// ---------------------------------------------------------------------------

static double ratio_or_nan(double added_kib, uint64_t live)
{
    return live ? added_kib * 1024.0 / (double)live : NAN;
}

// The columns that name a run, first in both CSVs.
static void put_key(lab_row_t *r, const config_t *c, const char *allocator)
{
    lab_row_str(r, "allocator", allocator);
    lab_row_str(r, "workload", c->w->name);
    lab_row_str(r, "release", c->release);
    lab_row_u64(r, "sampler", c->sampler);
}

static void write_series(const config_t *c, const char *allocator, uint64_t baseline_kib)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", c->series, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        lab_die_code(1, "cannot write the series %s: %s", tmp, strerror(errno));
    lab_csv_fheader(f, series_columns);
    uint32_t n = __atomic_load_n(&smp.n, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < n; i++) {
        const sample_t *x = &smp.s[i];
        uint64_t start = 0;  // the phase's start: the previous phase's end
        for (uint32_t k = 0; k < x->phase && k < (uint32_t)nphases; k++)
            start = phases[k].t_end_ns;
        lab_row_t r;
        lab_row_begin(&r, series_columns);
        put_key(&r, c, allocator);
        lab_row_u64(&r, "rep", c->rep);
        lab_row_put(&r, "t_ms", "%.3f", (double)x->t_ns / 1e6);
        lab_row_put(&r, "phase_t_ms", "%.3f", ((double)x->t_ns - (double)start) / 1e6);
        lab_row_u64(&r, "rss_kib", x->rss_kib);
        lab_row_u64(&r, "live_bytes", x->live_bytes);
        lab_row_f64(&r, "frag_ratio", ratio_or_nan((double)x->rss_kib - (double)baseline_kib, x->live_bytes));
        lab_row_str(&r, "phase", x->phase < (uint32_t)nphases ? phases[x->phase].name : "end");
        lab_row_fend(&r, f);
    }
    if (fflush(f) || ferror(f) || fclose(f) || rename(tmp, c->series))
        lab_die_code(1, "cannot write the series %s: %s", c->series, strerror(errno));
}

// An integer, or an empty field when there is none.
static void put_count(lab_row_t *r, const char *col, bool have, uint64_t v)
{
    if (have)
        lab_row_u64(r, col, v);
    else
        lab_row_str(r, col, "");
}

static void put_stats(lab_row_t *r, const lab_stats_t *s)
{
    lab_row_str(r, "stats_source", s->source);
    lab_row_f64(r, "st_allocated_bytes", s->allocated_bytes);
    lab_row_f64(r, "st_active_bytes", s->active_bytes);
    lab_row_f64(r, "st_resident_bytes", s->resident_bytes);
    lab_row_f64(r, "st_mapped_bytes", s->mapped_bytes);
    lab_row_f64(r, "st_metadata_bytes", s->metadata_bytes);
    lab_row_f64(r, "st_retained_bytes", s->retained_bytes);
    lab_row_f64(r, "st_thread_cache_bytes", s->thread_cache_bytes);
    lab_row_f64(r, "st_central_free_bytes", s->central_free_bytes);
    lab_row_f64(r, "st_page_free_bytes", s->page_free_bytes);
}

// The block table's capacity: every block the workload can hold at once.
static size_t harness_capacity(const config_t *c, const lab_dist_t *d1, const lab_dist_t *d2)
{
    if (c->w == &workloads[W_HOLES]) {
        // The refill: as many bytes as were freed, in blocks of at least d2's low bound.
        uint64_t freed_max = (c->count / 2 + 1) * d1->hi_bytes;
        return c->count + freed_max / d2->lo_bytes + 2;
    }
    if (c->w == &workloads[W_DECAY])
        return (c->count << 20) / d1->lo_bytes + 64 + 1;
    if (c->w == &workloads[W_GROWTH])
        return (c->count << 20) / d1->lo_bytes + 1;
    return c->count;
}

// What a run measured besides its phases, for every row.
typedef struct {
    const char *allocator, *status, *call;  // call: the release call made, if any
    bool ok;
    double reuse, cpu_s;                     // hole_reuse_ratio; the sampler's CPU time
    uint64_t baseline_kib, work_ns, gap_ns, end_ns;
} outcome_t;

// One phase's row (the run's only row, and an empty phase, if it stopped before any).
static void phase_row(const config_t *c, const outcome_t *o, const phase_t *p, bool have)
{
    double base = (double)o->baseline_kib, added = (double)p->rss_kib - base;
    double eff = (double)p->smaps.rss_kib - (double)p->smaps.lazyfree_kib;
    bool sampled = o->ok && c->sampler;
    lab_row_t r;
    lab_row_begin(&r, columns);
    put_key(&r, c, o->allocator);
    lab_row_str(&r, "phase", p->name ? p->name : "");
    lab_row_u64(&r, "rep", c->rep);
    lab_row_str(&r, "status", o->status);
    lab_row_f64(&r, "t_ms", have ? (double)p->t_end_ns / 1e6 : NAN);
    lab_row_f64(&r, "phase_ms", have ? (double)p->dur_ns / 1e6 : NAN);
    lab_row_f64(&r, "work_s", o->ok ? (double)o->work_ns / 1e9 : NAN);
    put_count(&r, "live_bytes", have, p->live_bytes);
    put_count(&r, "live_blocks", have, p->live_blocks);
    lab_row_u64(&r, "baseline_rss_kib", o->baseline_kib);
    put_count(&r, "rss_kib", have, p->rss_kib);
    put_count(&r, "smaps_rss_kib", have, p->smaps.rss_kib);
    put_count(&r, "lazyfree_kib", have, p->smaps.lazyfree_kib);
    lab_row_f64(&r, "effective_rss_kib", have ? eff : NAN);
    put_count(&r, "private_dirty_kib", have, p->smaps.private_dirty_kib);
    put_count(&r, "anon_huge_kib", have, p->smaps.anon_huge_kib);
    put_count(&r, "vmrss_kib", have, p->vmrss_kib);
    put_count(&r, "vmhwm_kib", have, p->vmhwm_kib);
    put_count(&r, "ru_maxrss_kib", have, p->maxrss_kib);
    lab_row_f64(&r, "smaps_minus_statm_kib", have ? (double)p->smaps.rss_kib - (double)p->rss_kib : NAN);
    lab_row_f64(&r, "vmrss_minus_statm_kib", have ? (double)p->vmrss_kib - (double)p->rss_kib : NAN);
    lab_row_f64(&r, "maxrss_minus_vmhwm_kib", have ? (double)p->maxrss_kib - (double)p->vmhwm_kib : NAN);
    lab_row_f64(&r, "frag_ratio", have ? ratio_or_nan(added, p->live_bytes) : NAN);
    lab_row_f64(&r, "effective_frag_ratio", have ? ratio_or_nan(eff - base, p->live_bytes) : NAN);
    lab_row_f64(&r, "hole_reuse_ratio", have && p->name && strcmp(p->name, "refill") == 0 ? o->reuse : NAN);
    put_count(&r, "sample_count", sampled, smp.n);
    lab_row_f64(&r, "sample_hz", sampled && smp.n > 1 ? (double)(smp.n - 1) * 1e9 / (double)(smp.s[smp.n - 1].t_ns - smp.s[0].t_ns) : NAN);
    lab_row_f64(&r, "sample_max_gap_ms", sampled ? (double)o->gap_ns / 1e6 : NAN);
    lab_row_f64(&r, "sampler_cpu_s", o->ok ? o->cpu_s : NAN);
    lab_row_f64(&r, "sampler_cpu_share", o->ok ? o->cpu_s / ((double)o->end_ns / 1e9) : NAN);
    lab_stats_t none;
    lab_stats_nan(&none);
    none.source = "none";
    put_stats(&r, have ? &p->st : &none);
    lab_row_str(&r, "release_call", o->call ? o->call : (strcmp(c->release, "now") == 0 ? "none available" : ""));
    lab_row_end(&r);
}

// The rows, one per phase: the work time over the phases that are work, the sampler's
// longest gap, the run's end.
static void write_rows(const config_t *c, outcome_t *o)
{
    o->end_ns = nphases ? phases[nphases - 1].t_end_ns : 1;
    for (int i = 0; i < nphases; i++)
        o->work_ns += phases[i].work ? phases[i].dur_ns : 0;
    for (uint32_t i = 1; i < smp.n; i++)
        if (smp.s[i].t_ns - smp.s[i - 1].t_ns > o->gap_ns)
            o->gap_ns = smp.s[i].t_ns - smp.s[i - 1].t_ns;
    lab_csv_header(columns);
    for (int i = 0; i < (nphases ? nphases : 1); i++)
        phase_row(c, o, &phases[i], o->ok && i < nphases);
}

static int run(const config_t *c)
{
    outcome_t o = { .allocator = lab_allocator(), .reuse = NAN, .cpu_s = NAN };
    lab_dist_t d1 = lab_opt_dist("--sizes", c->sizes), d2 = { 0 };
    if (c->sizes2)
        d2 = lab_opt_dist("--sizes2", c->sizes2);
    proc_open();

    // Everything the harness needs is mapped and touched before the baseline.
    static blocks_t b;
    blocks_init(&b, harness_capacity(c, &d1, &d2), c->seed);
    smp.s = lab_harness_alloc(MAX_SAMPLES * sizeof *smp.s);
    smp.period_ns = 1000000000u / c->hz;
    if (!lab_reset_peak_rss())
        fprintf(stderr, "%s: note: cannot reset VmHWM; it counts from process start\n", lab_prog);
    lab_stats_t st0;
    lab_stats_read(&st0);  // the first call may set the statistics interface up
    o.baseline_kib = statm_rss_kib();  // through --proc, like every phase's RSS
    smp.t0_ns = lab_now_ns();
    if (c->sampler && pthread_create(&smp.thread, NULL, sampler_main, NULL) != 0)
        lab_die_code(1, "cannot start the sampler thread");
    smp.running = c->sampler;

    switch ((int)(c->w - workloads)) {
    case W_HOLES: o.ok = run_holes(c, &b, &d1, &d2, &o.reuse); break;
    case W_SURVIVORS: o.ok = run_survivors(c, &b, &d1); break;
    case W_DECAY: o.ok = run_decay(c, &b, &d1, &o.call); break;
    case W_GROWTH: o.ok = run_growth(c, &b, d1, &d2); break;
    }
    if (smp.running) {
        __atomic_store_n(&smp.stop, 1, __ATOMIC_RELEASE);
        o.cpu_s = thread_cpu_s(smp.thread);
        pthread_join(smp.thread, NULL);
    }
    if (o.ok)
        o.ok = blocks_drain(&b);  // checks every remaining block
    if (!o.ok)
        fprintf(stderr, "%s: %s: workload %s stopped: %s\n", lab_prog, o.allocator, c->w->name, b.status);
    o.status = b.status;
    write_rows(c, &o);
    if (o.ok && c->sampler && c->series)
        write_series(c, o.allocator, o.baseline_kib);
    return 0;
}

// --describe (lab_describe): the workloads as a markdown table, for the book, so that their
// parameters come from here.
static const char describe_head[] = "<workload|>objects or live size|<sizes (bytes)|<second sizes|>kept|"
                                    "<idle (quiet + trickle)|<what it shows";
static void describe_row(size_t i, bool quick)
{
    const workload_t *w = &workloads[i];
    uint64_t n = quick ? w->q_count : w->count;
    char amount[64], idle[64] = "—";
    if (i == W_DECAY || i == W_GROWTH)
        snprintf(amount, sizeof amount, "%llu MiB", (unsigned long long)n);
    else
        snprintf(amount, sizeof amount, "%llu", (unsigned long long)n);
    if (i == W_DECAY)
        snprintf(idle, sizeof idle, "%llu + %llu ms", (unsigned long long)(quick ? w->q_quiet_ms : w->quiet_ms),
                 (unsigned long long)(quick ? w->q_trickle_ms : w->trickle_ms));
    printf("| %s | %s | `%s` | %s%s%s | %s | %s | %s |\n", w->name, amount, w->sizes,
           w->sizes2 ? "`" : "—", w->sizes2 ? w->sizes2 : "", w->sizes2 ? "`" : "",
           i == W_SURVIVORS || i == W_DECAY ? (i == W_SURVIVORS ? "1%" : "5%") : i == W_HOLES ? "50%" : "—",
           idle, w->why);
}

// The most the workload holds at once: holes, the blocks and a refill as large as the
// freed half; survivors, the blocks; decay and growth, --count MiB and one more block.
// The harness: the slot table (as run() sizes it), an order array, the samples.
static void footprint(const config_t *c)
{
    lab_dist_t d1 = lab_opt_dist("--sizes", c->sizes);
    double blocks, slots = (double)c->count;
    char what[320];
    if (c->w == &workloads[W_DECAY] || c->w == &workloads[W_GROWTH]) {
        blocks = (double)(c->count << 20) + (double)d1.hi_bytes;
        slots = (double)(c->count << 20) / (double)d1.lo_bytes + 65;
        snprintf(what, sizeof what, "--count %llu MiB", (unsigned long long)c->count);
    } else {
        blocks = lab_dist_total_bytes(&d1, c->count);
        if (c->w == &workloads[W_HOLES]) {
            lab_dist_t d2 = lab_opt_dist("--sizes2", c->sizes2);
            blocks += lab_dist_total_bytes(&d1, c->count / 2 + 1) + (double)d2.hi_bytes;
            slots += (double)((c->count / 2 + 1) * d1.hi_bytes / d2.lo_bytes + 2);
        }
        snprintf(what, sizeof what, "--count %llu blocks of --sizes %s", (unsigned long long)c->count, c->sizes);
    }
    double harness = slots * (sizeof(void *) + 2 * sizeof(uint32_t) + sizeof(uint32_t)) +
                     MAX_SAMPLES * sizeof(sample_t);
    lab_require_memory(what, blocks, harness);
}

static void usage(void)
{
    printf("usage: %s --workload NAME [options]\n"
           "  --workload NAME     holes, survivors, decay or growth\n"
           "  --count N           objects (holes, survivors: 1 to 10m) or MiB (decay, growth: 1 to 4096)\n"
           "  --sizes DIST        uniform:LO:HI or lognormal:MEDIAN:SIGMA:LO:HI (bytes; k/m/g; at most 1m)\n"
           "  --sizes2 DIST       holes: the refill's sizes (LO above the holes' HI); growth: the final sizes\n"
           "  --keep F            share kept (survivors, decay: 0 to 0.9)\n"
           "  --ops N             growth: allocations after the fill (1 to 1g)\n"
           "  --quiet-ms N  --trickle-ms N   decay: idle time without / with allocator calls (0 to 60000)\n"
           "  --release none|now  decay: ask the allocator to release free memory after the free\n"
           "  --hz N              sampler rate (10 to 1000 samples per second)\n"
           "  --no-sampler        no sampler thread (to measure its perturbation; --sampler: the default)\n"
           "  --series FILE       the time series CSV (default: $LAB_SERIES; none without either)\n"
           "  --proc DIR          where statm, smaps_rollup and status are (default /proc/self)\n"
           LAB_COMMON_USAGE,
           lab_prog);
}

static void cases(bool quick)
{
    (void)quick;
    printf("--workload holes --release none --sampler\n"
           "--workload survivors --release none --sampler\n"
           "--workload decay --release none --sampler\n"
           "--workload decay --release now --sampler\n"
           "--workload growth --release none --sampler\n"
           "--workload growth --release none --no-sampler\n");
}

static void context(void)
{
    printf("sampler: /proc/self/statm by pread on a kept fd, 100 Hz by default (absolute clock_nanosleep schedule)\n"
           "allocator statistics (common/allocstats.h): %s via its own interface\n", lab_stats_which());
}

int main(int argc, char **argv)
{
    lab_prog = "03-fragmentation";
    static const struct option opts[] = {
        LAB_WORKLOAD_OPT, { "count", 1, 0, 'n' }, { "sizes", 1, 0, 's' },
        { "sizes2", 1, 0, 'z' }, { "keep", 1, 0, 'k' }, { "ops", 1, 0, 'o' },
        { "quiet-ms", 1, 0, 'Q' }, { "trickle-ms", 1, 0, 'T' }, { "release", 1, 0, 'r' },
        { "hz", 1, 0, 'f' }, { "sampler", 0, 0, 'm' }, { "no-sampler", 0, 0, 'M' }, { "series", 1, 0, 'F' }, { "proc", 1, 0, 'P' },
        LAB_DESCRIBE_OPT, LAB_COMMON_OPTS
    };
    static const lab_program_t prog = {
        .columns = columns, .workloads = LAB_WORKLOADS(workloads), .cases = cases,
        .describe_head = describe_head, .describe_row = describe_row, .context = context, .usage = usage,
    };
    static const char *const releases[] = { "none", "now", NULL };
    config_t c = { .hz = 100, .sampler = true, .release = "none", .series = getenv("LAB_SERIES") };
    if (c.series && !*c.series)
        c.series = NULL;  // LAB_SERIES= : no series
    lab_common_t common = LAB_COMMON_INIT;
    const char *count = NULL, *keep = NULL, *ops = NULL, *quiet = NULL, *trickle = NULL;
    int o, sampler = -1;
    while ((o = lab_getopt(argc, argv, opts, &prog, &common)) != -1) {
        switch (o) {
        case 'n': count = optarg; break;
        case 's': c.sizes = optarg; break;
        case 'z': c.sizes2 = optarg; break;
        case 'k': keep = optarg; break;
        case 'o': ops = optarg; break;
        case 'Q': quiet = optarg; break;
        case 'T': trickle = optarg; break;
        case 'r': c.release = releases[lab_opt_choice("--release", optarg, releases)]; break;
        case 'f': c.hz = lab_opt_u64("--hz", optarg, 10, 1000); break;
        case 'm':
        case 'M':
            if (sampler >= 0)
                lab_die("--sampler and --no-sampler: give one of them");
            sampler = o == 'm';
            break;
        case 'F': c.series = lab_opt_str("--series", optarg, "a file name"); break;
        case 'P': proc_dir = lab_opt_str("--proc", optarg, "a directory"); break;
        }
    }
    c.sampler = sampler != 0;  // on by default
    c.w = &workloads[common.workload];
    c.seed = common.seed;
    c.rep = common.rep;
    bool quick = common.quick;
    const workload_t *w = c.w;
    bool mib = w == &workloads[W_DECAY] || w == &workloads[W_GROWTH];
    c.count = count ? lab_opt_u64("--count", count, 1, mib ? 4096 : 10 << 20) : quick ? w->q_count : w->count;
    c.sizes = c.sizes ? c.sizes : w->sizes;
    c.sizes2 = c.sizes2 ? c.sizes2 : w->sizes2;
    if (c.sizes2 && !w->sizes2)
        lab_die("--sizes2 is not allowed for workload %s: only holes and growth take it", w->name);
    c.keep = keep ? lab_opt_f64("--keep", keep, 0.0, 0.9) : w->keep;
    c.ops = ops ? lab_opt_u64("--ops", ops, 1, 1 << 30) : quick ? w->q_ops : w->ops;
    // After an explicit release there is less to watch: a shorter idle by default.
    int idle_div = strcmp(c.release, "now") == 0 ? 2 : 1;
    c.quiet_ms = quiet ? lab_opt_u64("--quiet-ms", quiet, 0, 60000) : (quick ? w->q_quiet_ms : w->quiet_ms) / (uint64_t)idle_div;
    c.trickle_ms = trickle ? lab_opt_u64("--trickle-ms", trickle, 0, 60000) : (quick ? w->q_trickle_ms : w->trickle_ms) / (uint64_t)(idle_div * idle_div);
    if (strcmp(c.release, "now") == 0 && w != &workloads[W_DECAY])
        lab_die("--release now is not allowed for workload %s: only decay takes it", w->name);
    lab_dist_t d = lab_opt_dist("--sizes", c.sizes);
    if (d.hi_bytes > (1u << 20))
        lab_die("--sizes '%s' is not allowed: blocks larger than 1m are not the subject here", c.sizes);
    if (c.sizes2) {
        lab_dist_t d2 = lab_opt_dist("--sizes2", c.sizes2);
        if (d2.hi_bytes > (1u << 20))
            lab_die("--sizes2 '%s' is not allowed: blocks larger than 1m are not the subject here", c.sizes2);
        if (w == &workloads[W_HOLES] && d2.lo_bytes <= d.hi_bytes)
            lab_die("--sizes2 '%s' is not allowed: the refill must be larger than every hole (LO > %llu)",
                    c.sizes2, (unsigned long long)d.hi_bytes);
    }
    footprint(&c);
    return run(&c);
}
