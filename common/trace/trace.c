/* trace.c -- the trace tools: record, info, replay, and real runs of a program (chapter 4
 * and common/compare use them).
 *
 * Question: does replaying a real program's allocation stream tell us how each allocator
 * would serve the program itself?
 *
 *   trace record [--name NAME] --out DIR -- CMD...
 *                                      run CMD with heaptrace.so preloaded, a trace a
 *                                      process, NAME.PID.htr (a statically linked CMD is
 *                                      run untraced, with a message, and record exits 1:
 *                                      nothing was traced)
 *   trace info FILE                    calls per kind, sizes, threads, live bytes over time,
 *                                      unmatched frees, block lifetimes (in allocating calls),
 *                                      cross-thread frees, realloc growth and chains (streamed:
 *                                      its memory grows with the blocks live at once, not with
 *                                      the events)
 *   replay --workload NAME | --trace FILE [--name NAME]   (this binary called as `replay`,
 *                                      for common/run; rows are labelled NAME, or with
 *                                      FILE's name without .htr)
 *   realrun --workload NAME            runs the real program (HEAPLAB_PROGRAMS): time,
 *                                      faults, peak RSS of its largest process and its tree
 *
 * Replay: records are ordered by TSC; addresses become dense slot indices (a freed slot is
 * reused); each original thread gets a replay thread; every event that touches a slot
 * waits until the slot's previous event (on any thread) has happened, so a free on thread
 * B of a block from thread A waits for A's malloc (an event whose slot its own thread
 * touched last has nothing to wait for). The trace is never held in memory: a first read
 * finds its runs, a second merges them in stamp order (info and dump read it so too), and
 * each event becomes a step of about 8 bytes (plan_put). So the replay's own memory grows
 * by about 8 bytes an event, the rest with the blocks live at once: 244 MiB for a trace
 * of 31M events, where holding its events took 2.6 GiB. Every block is written
 * after allocation (lab_touch) and its first word checked before it is freed. Events run
 * as fast as they can: the original gaps are not kept. Columns are chapter 1's; one call
 * in 16 is timed (more in a short trace): ns_per_op is their mean, and replay_overhead_ns
 * the rest of the wall time per event (writing, checking, looping, waiting). --dry replays
 * with no allocator at all, every block one scratch region: the replay's own cost.
 *
 * Expected: the replay ranks allocators by peak RSS as the program does; time rankings
 * agree less, since a program spends most of its time outside malloc.
 */
#include "../lab.h"
#include "trace.h"

#include <dirent.h>
#include <elf.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

// The programs --workload names (replay: their recorded traces, NAME.htr in the directory
// HEAPLAB_TRACES names; realrun: the programs themselves), from the file HEAPLAB_PROGRAMS
// names: one per line, NAME<TAB>SIZES<TAB>COMMAND, SIZES `all` (QUICK runs too) or `full`
// (full size only), COMMAND run by /bin/sh; '#' starts a comment line. Chapter 4's list is
// chapters/04-real-workloads/programs.tsv; common/compare writes a one-line list.
typedef struct {
    const char *name, *cmd;
    bool quick;  // also part of QUICK runs
} program_t;
static program_t *programs;
static size_t nprograms;
static const char *trace_dir;

// The list, read into harness memory (nothing from the allocator under test); a bad line
// stops with its number.
static void programs_load(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        lab_die("HEAPLAB_PROGRAMS: cannot open '%s': %s", path, strerror(errno));
    char *text = lab_harness_alloc((size_t)st.st_size + 1);
    if (read(fd, text, (size_t)st.st_size) != (ssize_t)st.st_size)
        lab_die("HEAPLAB_PROGRAMS: cannot read '%s'", path);
    close(fd);
    text[st.st_size] = 0;
    size_t cap = 0, line = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;  // (strtok_r skips empty lines: their numbers are not counted)
        if (*l == '#')
            continue;
        char *sizes = strchr(l, '\t'), *cmd = sizes ? strchr(sizes + 1, '\t') : NULL;
        if (!cmd)
            lab_die("HEAPLAB_PROGRAMS '%s', line %zu: expected NAME<TAB>SIZES<TAB>COMMAND", path, line);
        *sizes++ = 0;
        *cmd++ = 0;
        if (!trace_name_ok(l))
            lab_die("HEAPLAB_PROGRAMS '%s', line %zu: name '%s': %s", path, line, l, TRACE_NAME_RULE);
        if (strcmp(sizes, "all") != 0 && strcmp(sizes, "full") != 0)
            lab_die("HEAPLAB_PROGRAMS '%s', line %zu: sizes '%s' is not allowed: expected all or full", path, line, sizes);
        if (nprograms == LAB_MAX_WORKLOADS)
            lab_die("HEAPLAB_PROGRAMS '%s': more than %d programs", path, LAB_MAX_WORKLOADS);
        programs = lab_harness_grow(programs, nprograms, &cap, nprograms + 1, sizeof *programs, 16);
        programs[nprograms++] = (program_t){ l, cmd, strcmp(sizes, "all") == 0 };
    }
}

// ---------------------------------------------------------------------------
// loading: streamed, the same for info, dump and the replay. A first read validates the
// file and finds its runs; a second merges the runs into stamp order, one event at a time.
// What is held is the runs (about one a chunk) and the threads, never the events: a
// recorded trace can hold 60M of them, and the file's pages are let go of once read.
// ---------------------------------------------------------------------------
typedef struct {
    trace_rec_t r;
    uint32_t tid;
    uint64_t at;  // the record's byte offset in the file, for messages
} ev_t;

enum { MAX_THREADS = 4096 };

// A run: records of one chunk whose stamps never fall (every chunk is one or more). Merged
// by (stamp, offset), the runs give the events by stamp, ties in file order. Its head is
// decoded by the first read, so the merge reads a run's pages only in its turn.
typedef struct {
    size_t from, off, end;  // its first record, the next to decode (once left > 0), its chunk's end
    uint64_t tsc, ptr;      // the decoder's state after the head
    uint32_t tid, left;     // the chunk's thread; records after the head not yet decoded
    uint32_t th;            // its thread's index in the plan (UINT32_MAX: not yet known)
    bool done;              // every record merged
    ev_t head;              // its earliest event not yet merged
} run_t;

enum { RELEASE_BYTES = 1 << 20 };  // the file is let go of a megabyte at a time

typedef struct {
    const unsigned char *buf;
    run_t *run;
    size_t len, nruns, cap, n, chunk_end, released;
    size_t lo;                 // the merge: the first run not done
    size_t *heap, nheap;       // the merge: the runs not done, a min-heap by their heads
    bool fresh;                // the next record is its chunk's first
    uint64_t tsc, ptr;         // the previous record's stamp and pointer, in this chunk
    uint32_t ntids;
    uint32_t tids[MAX_THREADS];  // the threads seen: more is refused before any output
    uint64_t hist[65];         // sizes asked for, by bit length
} scan_t;

// v's bit length: the histograms' bin, whose bound is 2^b - 1.
static unsigned bit_len(uint64_t v) { return v ? 64 - (unsigned)__builtin_clzll(v) : 0; }

// The whole pages in [from, to) of the mapped file dropped from this process: read again
// from the page cache if touched, so only what is being read stays resident.
static void release_pages(const unsigned char *buf, size_t from, size_t to)
{
    const size_t pg = 4096;
    size_t a = (from + pg - 1) / pg * pg, b = to / pg * pg;
    if (b > a)
        madvise((void *)(buf + a), b - a, MADV_DONTNEED);
}

static void scan_chunk(void *ctx, const trace_chunk_t *c, size_t at)
{
    scan_t *sc = ctx;
    sc->fresh = true;
    sc->chunk_end = at + sizeof *c + c->nbytes;
    if (at - sc->released >= RELEASE_BYTES) {  // read: let it go
        release_pages(sc->buf, sc->released, at);
        sc->released = at / 4096 * 4096;
    }
}

static void scan_thread(scan_t *sc, uint32_t tid)
{
    for (uint32_t i = 0; i < sc->ntids; i++)
        if (sc->tids[i] == tid)
            return;
    if (sc->ntids < MAX_THREADS)
        sc->tids[sc->ntids++] = tid;
}

// A run begins with r, at offset at.
static void scan_run(scan_t *sc, const trace_rec_t *r, uint32_t tid, size_t at)
{
    sc->run = lab_harness_grow(sc->run, sc->nruns, &sc->cap, sc->nruns + 1, sizeof *sc->run, 1024);
    sc->run[sc->nruns++] = (run_t){ .from = at, .end = sc->chunk_end, .tsc = r->tsc, .ptr = sc->ptr, .tid = tid,
                                    .th = UINT32_MAX, .head = { *r, tid, at } };
}

static void scan_record(void *ctx, uint32_t tid, const trace_rec_t *r, size_t at)
{
    scan_t *sc = ctx;
    sc->n++;
    if (r->op != TR_FREE)
        sc->hist[bit_len(r->size)]++;
    if (sc->fresh)
        scan_thread(sc, tid);
    bool starts = sc->fresh || r->tsc < sc->tsc;
    sc->fresh = false;
    sc->tsc = r->tsc;
    sc->ptr = r->op == TR_FREE ? r->arg : r->result;  // the last pointer the record holds
    if (starts) {
        scan_run(sc, r, tid, at);
    } else {
        run_t *u = &sc->run[sc->nruns - 1];
        if (u->left++ == 0)
            u->off = at;
    }
}

// "incomplete: N chunks, ends at byte B", and what follows B
static void describe_extent(const trace_extent_t *x, char *out, size_t len)
{
    if (x->tail)
        snprintf(out, len, "incomplete: %u chunks, ends at byte %zu (no end marker; %zu bytes of a partial chunk follow)",
                 x->chunks, x->end, x->tail);
    else
        snprintf(out, len, "incomplete: %u chunks, ends at byte %zu (no end marker; cut at a chunk boundary)", x->chunks,
                 x->end);
}

// FILE mapped whole, read-only (*len bytes); dies when it cannot be. Nothing here comes from
// the allocator under test (no stdio): the replay measures it after the load.
static const unsigned char *map_trace(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        lab_die("cannot open trace '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        lab_die("trace '%s' is not a regular file", path);
    *len = (size_t)st.st_size;
    unsigned char *buf = *len ? mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0) : (unsigned char *)"";
    if (buf == MAP_FAILED)
        lab_die("cannot map trace '%s': %s", path, strerror(errno));
    close(fd);
    return buf;
}

// The checks on a parsed trace's calls: n of them, at least one and fewer than UINT32_MAX.
static void check_calls(const char *path, const trace_extent_t *x, size_t n)
{
    if (n == 0) {
        char ext[160] = "complete";
        if (!x->complete)
            describe_extent(x, ext, sizeof ext);
        lab_die("trace '%s' holds no allocation calls; it is %s", path, ext);
    }
    if (n >= UINT32_MAX)
        lab_die("trace '%s' holds %zu calls, more than %u", path, n, UINT32_MAX - 1);
}

// The traced command line, its arguments joined by spaces (cut to cmdlen - 1 bytes).
static void trace_cmdline(const unsigned char *buf, const trace_header_t *h, char *cmdline, size_t cmdlen)
{
    size_t n = h->cmdline_len < cmdlen - 1 ? h->cmdline_len : cmdlen - 1;
    memcpy(cmdline, buf + sizeof *h, n);
    cmdline[n] = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (!cmdline[i])
            cmdline[i] = ' ';
}

// The first read of FILE (sc zeroed): every record validated, the runs found. Dies with
// the byte offset and reason on bad input, and on a trace with no calls; *x says whether
// the file is complete.
static void scan_trace(const char *path, scan_t *sc, trace_header_t *h, trace_extent_t *x)
{
    char err[256];
    sc->buf = map_trace(path, &sc->len);
    if (!trace_parse_chunks(sc->buf, sc->len, h, x, scan_chunk, scan_record, sc, err, sizeof err))
        lab_die("trace '%s': %s", path, err);
    check_calls(path, x, sc->n);
}

// The run's next record into its head (the first read found it valid).
static void run_next(const unsigned char *buf, run_t *u)
{
    char err[256];
    u->head.at = u->off;
    u->head.tid = u->tid;
    if (!trace_decode(buf, &u->off, u->end, &u->head.r, &u->tsc, &u->ptr, err, sizeof err))
        lab_die_code(1, "%s, on reading the trace again", err);
    u->left--;
}

static bool run_before(const run_t *a, const run_t *b)
{
    return a->head.r.tsc != b->head.r.tsc ? a->head.r.tsc < b->head.r.tsc : a->head.at < b->head.at;
}

// A min-heap of run indices by their heads: heap[i] sinks to its place among n.
static void heap_down(size_t *heap, size_t n, size_t i, const run_t *run)
{
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && run_before(&run[heap[c + 1]], &run[heap[c]]))
            c++;
        if (!run_before(&run[heap[c]], &run[heap[i]]))
            break;
        size_t t = heap[i];
        heap[i] = heap[c];
        heap[c] = t;
    }
}

// A run is done: its pages let go of, and every page below the first run not yet done, a
// megabyte at a time (runs lie in file order; a page shared with a run still going, or
// mapped again by the kernel's fault-around, is read again from the page cache).
static void run_done(scan_t *sc, run_t *u)
{
    u->done = true;
    if (u->off > u->from + 4096)  // (off: 0 for a run of one record)
        release_pages(sc->buf, u->from / 4096 * 4096, (u->off + 4095) / 4096 * 4096);
    while (sc->lo < sc->nruns && sc->run[sc->lo].done)
        sc->lo++;
    size_t below = sc->lo < sc->nruns ? sc->run[sc->lo].from : sc->len;
    if (below - sc->released >= RELEASE_BYTES) {
        release_pages(sc->buf, sc->released, below);
        sc->released = below / 4096 * 4096;
    }
}

// The second read begins: every run in the heap, the file read from its start again.
static void merge_init(scan_t *sc)
{
    sc->nheap = sc->nruns;
    sc->heap = lab_harness_alloc(sc->nheap * sizeof *sc->heap);
    for (size_t k = 0; k < sc->nheap; k++)
        sc->heap[k] = k;
    for (size_t k = sc->nheap / 2; k-- > 0;)
        heap_down(sc->heap, sc->nheap, k, sc->run);
    sc->released = 0;
}

// The earliest event not yet merged (sc->nheap > 0), its run in *from; the run moves on.
static ev_t merge_next(scan_t *sc, run_t **from)
{
    run_t *u = &sc->run[sc->heap[0]];
    ev_t ev = u->head;
    *from = u;
    if (u->left) {
        run_next(sc->buf, u);
    } else {
        run_done(sc, u);
        sc->heap[0] = sc->heap[--sc->nheap];
    }
    heap_down(sc->heap, sc->nheap, 0, sc->run);
    return ev;
}

// Everything the two reads held let go of: the file, its runs, the heap.
static void scan_close(scan_t *sc)
{
    if (sc->len)
        munmap((void *)sc->buf, sc->len);
    if (sc->run)
        munmap(sc->run, sc->cap * sizeof *sc->run);
    if (sc->heap)
        munmap(sc->heap, (sc->nruns ? sc->nruns : 1) * sizeof *sc->heap);
}

// ---------------------------------------------------------------------------
// address -> slot: open addressing. It starts small and grows with the blocks live at once.
// ---------------------------------------------------------------------------
// Every address value is a key: whether an entry is empty, used or deleted is its own field.
enum { A_EMPTY, A_USED, A_DELETED };
typedef struct {
    uint64_t *key;
    uint32_t *slot;
    uint64_t *bytes;
    uint8_t *use;    // A_*
    size_t mask;
    size_t used, fill;  // entries used, and not empty (used or deleted)
} amap_t;

// Room for n entries in at least 2n (and 1024) places.
static void amap_init(amap_t *m, size_t n)
{
    size_t cap = 1024;
    while (cap < 2 * n)
        cap *= 2;
    m->key = lab_harness_alloc(cap * sizeof *m->key);
    m->slot = lab_harness_alloc(cap * sizeof *m->slot);
    m->bytes = lab_harness_alloc(cap * sizeof *m->bytes);
    m->use = lab_harness_alloc(cap * sizeof *m->use);
    m->mask = cap - 1;
    m->used = m->fill = 0;
}

// Where a's probe starts: Fibonacci hashing, whose middle bits vary with every bit of a.
static size_t amap_home(const amap_t *m, uint64_t a) { return (a * LAB_GOLDEN64) >> 20 & m->mask; }

// a's entry, or -1. At most half the places are ever not empty: an empty one ends the probe.
static ssize_t amap_find(const amap_t *m, uint64_t a)
{
    for (size_t i = amap_home(m, a); m->use[i] != A_EMPTY; i = (i + 1) & m->mask)
        if (m->use[i] == A_USED && m->key[i] == a)
            return (ssize_t)i;
    return -1;
}

static void amap_del(amap_t *m, size_t k)
{
    m->use[k] = A_DELETED;
    m->used--;
}

static void amap_put(amap_t *m, uint64_t a, uint32_t slot, uint64_t bytes);

// The used entries moved to a table twice their number (deleted ones dropped): the map
// grows with the blocks live at once.
static void amap_rehash(amap_t *m)
{
    amap_t old = *m;
    amap_init(m, 2 * old.used + 2);
    for (size_t i = 0; i <= old.mask; i++)
        if (old.use[i] == A_USED)
            amap_put(m, old.key[i], old.slot[i], old.bytes[i]);
    munmap(old.key, (old.mask + 1) * sizeof *old.key);
    munmap(old.slot, (old.mask + 1) * sizeof *old.slot);
    munmap(old.bytes, (old.mask + 1) * sizeof *old.bytes);
    munmap(old.use, (old.mask + 1) * sizeof *old.use);
}

// a, which is not in the map.
static void amap_put(amap_t *m, uint64_t a, uint32_t slot, uint64_t bytes)
{
    if (2 * (m->fill + 1) > m->mask + 1)
        amap_rehash(m);
    size_t i = amap_home(m, a);
    while (m->use[i] == A_USED)
        i = (i + 1) & m->mask;
    m->fill += m->use[i] == A_EMPTY;
    m->used++;
    m->use[i] = A_USED;
    m->key[i] = a;
    m->slot[i] = slot;
    m->bytes[i] = bytes;
}

// ---------------------------------------------------------------------------
// the plan: events rewritten on slots, per thread
// ---------------------------------------------------------------------------
enum { P_ALLOC, P_FREE, P_REALLOC };

// One event of the plan, as plan_step makes it and the replay reads it (the plan holds it
// in fewer bytes: plan_put, step_get).
typedef struct {
    uint8_t kind, op;
    bool old_waits, new_waits;    // the slot's previous event was another thread's: wait for it
    uint32_t align;
    uint64_t size;
    uint32_t old_slot, new_slot;  // UINT32_MAX: none
    uint32_t old_seq, new_seq;    // the slot's events before this one (what a wait waits for)
} step_t;

typedef struct {
    uint32_t tid;
    uint32_t *code;     // its steps, encoded (plan_put)
    size_t n;           // steps
    size_t words, cap;  // words of code written, and mapped
} plan_thread_t;

typedef struct {
    plan_thread_t *th;
    uint32_t nthreads, nslots;
    uint64_t calls[TR_NOPS], unmatched_frees, null_frees, failed, reused_live;
    uint64_t live_peak_bytes, total_bytes, max_size;
} plan_t;

// tid's index in the plan, a new one at its first event (the caller checked that there are
// fewer than MAX_THREADS).
static uint32_t thread_index(plan_t *p, uint32_t tid)
{
    for (uint32_t i = 0; i < p->nthreads; i++)
        if (p->th[i].tid == tid)
            return i;
    p->th[p->nthreads].tid = tid;
    return p->nthreads++;
}

// The plan's index of run u's thread, looked up once a run.
static uint32_t run_thread(plan_t *p, run_t *u)
{
    if (u->th == UINT32_MAX)
        u->th = thread_index(p, u->tid);
    return u->th;
}

// limit: the most bytes live at once that the plan accepts, and what it is (replay: the
// memory this machine has available; info: the address space). The call that would pass
// it is named with its byte offset, before anything is allocated.
typedef struct {
    uint64_t bytes;
    const char *what;
} limit_t;

// [plan]
// What plan_step keeps from one event to the next: the live addresses, the free slots, the
// bytes live, and per slot its events so far and the thread of the last one.
typedef struct {
    amap_t m;
    uint32_t *free_slots, nfree;
    uint32_t *seq;
    uint16_t *last;  // (a thread's index: fewer than MAX_THREADS)
    uint64_t live;
    limit_t limit;
    const char *path;
    size_t free_cap, seq_cap, last_cap;  // (the arrays' capacities: planner_room)
} planner_t;

// The block a free (or realloc) lets go of: its slot, or false for an unknown one.
static bool plan_release(plan_t *p, planner_t *pl, uint64_t addr, step_t *s)
{
    ssize_t k = amap_find(&pl->m, addr);
    if (k < 0) {
        p->unmatched_frees++;  // e.g. a block from before the recorder started
        return false;
    }
    s->old_slot = pl->m.slot[k];
    pl->live -= pl->m.bytes[k];
    amap_del(&pl->m, (size_t)k);
    return true;
}

// The block an allocation returns: a slot (the realloc'd block's own where it stayed put).
static void plan_acquire(plan_t *p, planner_t *pl, const ev_t *ev, size_t i, bool frees, step_t *s)
{
    const trace_rec_t *r = &ev->r;
    ssize_t k = amap_find(&pl->m, r->result);
    if (k >= 0) {  // stamped before its free (a racing realloc): drop the old
        p->reused_live++;
        pl->live -= pl->m.bytes[k];
        amap_del(&pl->m, (size_t)k);
    }
    if (r->size > pl->limit.bytes - pl->live)  // live <= limit: no overflow
        lab_die("trace '%s': the %s of %llu bytes at byte %llu (call %zu in time order), with %llu bytes "
                "live, needs more than %s (%llu bytes)", pl->path, trace_op_names[r->op],
                (unsigned long long)r->size, (unsigned long long)ev->at, i + 1, (unsigned long long)pl->live,
                pl->limit.what, (unsigned long long)pl->limit.bytes);
    s->new_slot = frees && r->result == r->arg ? s->old_slot : pl->nfree ? pl->free_slots[--pl->nfree] : p->nslots++;
    amap_put(&pl->m, r->result, s->new_slot, r->size);
    pl->live += r->size;
    p->total_bytes = r->size > UINT64_MAX - p->total_bytes ? UINT64_MAX : p->total_bytes + r->size;
    if (r->size > p->max_size)
        p->max_size = r->size;
    if (pl->live > p->live_peak_bytes)
        p->live_peak_bytes = pl->live;
}

// The slot's next event, made by thread th: its number. It must wait only when the event
// before it on the slot was another thread's; its own thread's earlier events have happened.
static uint32_t slot_event(planner_t *pl, uint32_t slot, uint32_t th, bool *waits)
{
    *waits = pl->seq[slot] > 0 && pl->last[slot] != th;
    pl->last[slot] = (uint16_t)th;
    return pl->seq[slot]++;
}

// Event i, of plan thread th, rewritten on slots: false when there is nothing to replay.
static bool plan_step(plan_t *p, planner_t *pl, const ev_t *ev, size_t i, uint32_t th, step_t *s)
{
    const trace_rec_t *r = &ev->r;
    p->calls[r->op]++;
    *s = (step_t){ .op = (uint8_t)r->op, .align = r->align, .size = r->size,
                   .old_slot = UINT32_MAX, .new_slot = UINT32_MAX };
    bool frees = r->op == TR_FREE || ((r->op == TR_REALLOC || r->op == TR_REALLOCARRAY) && r->arg);
    bool allocs = r->op != TR_FREE && r->result;
    if (r->op != TR_FREE && !r->result && !(frees && r->size == 0)) {
        p->failed++;  // the program's call failed: nothing to replay
        return false;
    }
    if (r->op == TR_FREE && !r->arg) {
        p->null_frees++;
        return false;
    }
    if (frees && !plan_release(p, pl, r->arg, s)) {
        if (!allocs)
            return false;  // a free, or realloc(p, 0), of an unknown block: nothing to replay
        frees = false;     // a realloc of an unknown block: replay an allocation
    }
    if (allocs)
        plan_acquire(p, pl, ev, i, frees, s);
    if (frees && (!allocs || s->new_slot != s->old_slot))
        pl->free_slots[pl->nfree++] = s->old_slot;
    s->kind = frees && allocs ? P_REALLOC : frees ? P_FREE : P_ALLOC;
    if (s->old_slot != UINT32_MAX)
        s->old_seq = slot_event(pl, s->old_slot, th, &s->old_waits);
    if (s->new_slot != UINT32_MAX && s->new_slot != s->old_slot)
        s->new_seq = slot_event(pl, s->new_slot, th, &s->new_waits);
    return true;
}

// [/plan]

// The planner, empty, and the plan with no thread yet; the merge of sc begins.
static void planner_init(plan_t *p, planner_t *pl, scan_t *sc, limit_t limit, const char *path)
{
    memset(p, 0, sizeof *p);
    p->th = lab_harness_alloc(MAX_THREADS * sizeof *p->th);
    *pl = (planner_t){ .limit = limit, .path = path };
    amap_init(&pl->m, 0);
    merge_init(sc);
}

// Room for a slot more than there are (one step makes at most one). What the planner holds
// grows with the slots, i.e. the blocks live at once, not with the events.
static void planner_room(planner_t *pl, const plan_t *p)
{
    size_t want = p->nslots + 1;
    pl->free_slots = lab_harness_grow(pl->free_slots, pl->nfree, &pl->free_cap, want, sizeof *pl->free_slots, 1024);
    pl->seq = lab_harness_grow(pl->seq, p->nslots, &pl->seq_cap, want, sizeof *pl->seq, 1024);
    pl->last = lab_harness_grow(pl->last, p->nslots, &pl->last_cap, want, sizeof *pl->last, 1024);
}

static void planner_free(planner_t *pl)
{
    size_t cap = pl->m.mask + 1;
    munmap(pl->m.key, cap * sizeof *pl->m.key);
    munmap(pl->m.slot, cap * sizeof *pl->m.slot);
    munmap(pl->m.bytes, cap * sizeof *pl->m.bytes);
    munmap(pl->m.use, cap * sizeof *pl->m.use);
    munmap(pl->free_slots, pl->free_cap * sizeof *pl->free_slots);
    munmap(pl->seq, pl->seq_cap * sizeof *pl->seq);
    munmap(pl->last, pl->last_cap * sizeof *pl->last);
}

// ---------------------------------------------------------------------------
// the plan's code: a step in two 32-bit words, more only where it needs them, so that the
// replay holds about 8 bytes an event (a step_t takes 32).
//   word 0  its slot: the old one for a free or a realloc of a known block, else the new one
//   word 1  kind (bits 0-1), op (2-5), what follows (6-10: X_* flags), and the size when it
//           is below 2^21 (11-31)
//   then, in this order, where the flags say, the words below.
// ---------------------------------------------------------------------------
enum {
    X_MOVED = 1,      // the new slot of a realloc that moved
    X_OLD_WAITS = 2,  // the old slot's event number, to wait for (plan_step)
    X_NEW_WAITS = 4,  // the new slot's
    X_ALIGN = 8,      // the alignment asked for
    X_SIZE = 16,      // the size, low word first (2^21 bytes or more)
};
enum { OP_SHIFT = 2, X_SHIFT = 6, SIZE_SHIFT = 11 };

// Room for n more words of thread t's code. Its mapping doubles in place (mremap moves
// pages, it copies none) and a page is resident once written: the code takes what it
// holds, never two copies at once as lab_harness_grow's arrays do while they grow.
static void code_room(plan_thread_t *t, size_t n)
{
    if (t->words + n <= t->cap)
        return;
    size_t cap = t->cap ? 2 * t->cap : 1024;  // (n is at most 8)
    void *q = t->cap ? mremap(t->code, t->cap * sizeof *t->code, cap * sizeof *t->code, MREMAP_MAYMOVE)
                     : lab_harness_alloc(cap * sizeof *t->code);
    if (q == MAP_FAILED)
        lab_die_code(1, "cannot grow the replay's plan to %zu bytes: %s", cap * sizeof *t->code, strerror(errno));
    t->code = q;
    t->cap = cap;
}

// Step s at the end of thread t's code.
static void plan_put(plan_thread_t *t, const step_t *s)
{
    bool moved = s->kind == P_REALLOC && s->new_slot != s->old_slot, big = s->size >> (32 - SIZE_SHIFT);
    uint32_t x = (moved ? X_MOVED : 0) | (s->old_waits ? X_OLD_WAITS : 0) | (s->new_waits ? X_NEW_WAITS : 0) |
                 (s->align ? X_ALIGN : 0) | (big ? X_SIZE : 0);
    uint32_t w[8], n = 0;
    w[n++] = s->kind == P_ALLOC ? s->new_slot : s->old_slot;
    w[n++] = s->kind | (uint32_t)s->op << OP_SHIFT | x << X_SHIFT | (big ? 0 : (uint32_t)s->size << SIZE_SHIFT);
    if (moved)
        w[n++] = s->new_slot;
    if (s->old_waits)
        w[n++] = s->old_seq;
    if (s->new_waits)
        w[n++] = s->new_seq;
    if (s->align)
        w[n++] = s->align;
    if (big) {
        w[n++] = (uint32_t)s->size;
        w[n++] = (uint32_t)(s->size >> 32);
    }
    code_room(t, n);
    memcpy(t->code + t->words, w, n * sizeof *w);
    t->words += n;
    t->n++;
}

// The step at c into s (its seqs 0 where it does not wait); returns the next. A step without
// flags, nearly every one, costs a few shifts: some 13 instructions, and under 1.5 ns, an
// event more than reading a 32-byte step_t did.
static inline const uint32_t *step_get(const uint32_t *c, step_t *s)
{
    uint32_t w = c[1];
    s->kind = w & 3;
    s->op = w >> OP_SHIFT & 15;
    s->size = w >> SIZE_SHIFT;
    s->old_slot = s->kind == P_ALLOC ? UINT32_MAX : c[0];
    s->new_slot = s->kind == P_FREE ? UINT32_MAX : c[0];
    s->old_waits = s->new_waits = false;
    s->old_seq = s->new_seq = s->align = 0;
    c += 2;
    if (__builtin_expect(!(w & 31u << X_SHIFT), 1))
        return c;
    uint32_t x = w >> X_SHIFT & 31;
    if (x & X_MOVED)
        s->new_slot = *c++;
    if ((s->old_waits = x & X_OLD_WAITS))
        s->old_seq = *c++;
    if ((s->new_waits = x & X_NEW_WAITS))
        s->new_seq = *c++;
    if (x & X_ALIGN)
        s->align = *c++;
    if (x & X_SIZE) {
        s->size = c[0] | (uint64_t)c[1] << 32;
        c += 2;
    }
    return c;
}

// The plan of every event, per thread, each step put in code as it is made: the plan grows
// by its 8 bytes or so an event, all else with the blocks live at once.
static void plan_build(plan_t *p, scan_t *sc, limit_t limit, const char *path)
{
    planner_t pl;
    planner_init(p, &pl, sc, limit, path);
    for (size_t i = 0; sc->nheap; i++) {
        run_t *u;
        ev_t ev = merge_next(sc, &u);
        uint32_t th = run_thread(p, u);
        step_t s;
        planner_room(&pl, p);
        if (plan_step(p, &pl, &ev, i, th, &s))
            plan_put(&p->th[th], &s);
    }
    for (uint32_t t = 0; t < p->nthreads; t++)
        code_room(&p->th[t], 1);  // (a thread with nothing to replay: empty code, not NULL)
    planner_free(&pl);
}

// ---------------------------------------------------------------------------
// info: the events through the planner, as the replay plans them, and what it sees of
// each block besides
// ---------------------------------------------------------------------------
// No block can be larger, nor all live blocks together, than x86-64's user address space.
static const limit_t address_space = { UINT64_C(1) << 47, "the address space" };

// What info follows of each block beyond the plan (the replay keeps none of it), per
// slot (its size is the address map's). A block's life ends at its free, or at a realloc
// of it that returns a block, moved or not: the returned block starts a life of its own,
// one realloc further down the same chain. A realloc(p, 0) that returns NULL is a free,
// and ends the chain. A block the planner drops as reused_live ends uncounted.
typedef struct {
    uint32_t born;   // its allocating call's number (the clock when it was made)
    uint32_t th;     // the plan's index of the thread that made it, or last realloc'd it
    uint32_t chain;  // reallocs from its chain's first block (a fresh allocation) to it
} life_t;

// Lifetimes are counted in allocating calls, every kind but free (failed ones too): the
// program's allocation clock, which an allocator's caches and arenas turn over with.
typedef struct {
    life_t *slot;
    size_t cap;
    uint32_t now;  // allocating calls so far (fewer than the records: check_calls)
    uint64_t frees, cross_frees, grow, shrink, moved, never_freed;
    uint64_t lifetime[65], chain[65];  // by bit length
} lives_t;

// The size of the block realloc r lets go of, read before the planner forgets it.
static uint64_t realloc_old_size(const planner_t *pl, const trace_rec_t *r)
{
    ssize_t k = (r->op == TR_REALLOC || r->op == TR_REALLOCARRAY) && r->arg ? amap_find(&pl->m, r->arg) : -1;
    return k >= 0 ? pl->m.bytes[k] : 0;
}

// Step s (event r, on plan thread th; old: realloc_old_size) in the lives: the old
// block's life ends (its lifetime: the allocating calls strictly between its own and this
// event), the new one's starts. The old is read before the new is written: they can share
// a slot.
static void life_step(lives_t *lv, const step_t *s, const trace_rec_t *r, uint64_t old, uint32_t th)
{
    uint32_t chain = 0;
    if (s->old_slot != UINT32_MAX) {
        const life_t *o = &lv->slot[s->old_slot];
        lv->lifetime[bit_len(lv->now - o->born - 1)]++;
        if (s->kind == P_FREE) {
            lv->frees++;
            lv->cross_frees += o->th != th;
            lv->chain[bit_len(o->chain)] += o->chain > 0;
        } else {  // a realloc of a known block that returned one
            lv->grow += r->size > old;
            lv->shrink += r->size < old;
            lv->moved += r->result != r->arg;
            chain = o->chain + 1;
        }
    }
    if (s->new_slot != UINT32_MAX)
        lv->slot[s->new_slot] = (life_t){ lv->now, th, chain };
}

// The blocks live at the end: never freed, their chains counted as they stand.
static void life_end(lives_t *lv, const amap_t *m)
{
    for (size_t k = 0; k <= m->mask; k++) {
        if (m->use[k] != A_USED)
            continue;
        uint32_t c = lv->slot[m->slot[k]].chain;
        lv->never_freed++;
        lv->chain[bit_len(c)] += c > 0;
    }
}

// Every event through the planner in stamp order, and a live line every 1/200 of them
// ("live,ms,bytes"); *span: the last stamp less the first.
static void info_plan(scan_t *sc, plan_t *p, lives_t *lv, const char *path, double hz, uint64_t *span)
{
    planner_t pl;
    planner_init(p, &pl, sc, address_space, path);
    size_t every = sc->n / 200 + 1;
    uint64_t t0 = sc->run[sc->heap[0]].head.r.tsc, t = t0;
    for (size_t i = 0; sc->nheap; i++) {
        run_t *u;
        ev_t ev = merge_next(sc, &u);
        uint32_t th = run_thread(p, u);
        planner_room(&pl, p);
        lv->slot = lab_harness_grow(lv->slot, p->nslots, &lv->cap, p->nslots + 1, sizeof *lv->slot, 1024);
        step_t s;
        t = ev.r.tsc;
        uint64_t old = realloc_old_size(&pl, &ev.r);
        if (plan_step(p, &pl, &ev, i, th, &s)) {
            life_step(lv, &s, &ev.r, old, th);
            p->th[th].n++;
            if (i % every == 0)
                printf("live,%.3f,%llu\n", (double)(t - t0) / hz * 1e3, (unsigned long long)pl.live);
        }
        lv->now += ev.r.op != TR_FREE;
    }
    life_end(lv, &pl.m);
    *span = t - t0;
}

// kind,BOUND,COUNT rows of a histogram by bit length, empty bins left out.
static void print_bins(const char *kind, const uint64_t *hist)
{
    for (int b = 0; b < 65; b++)
        if (hist[b])
            printf("%s,%llu,%llu\n", kind, b ? (unsigned long long)(b == 64 ? UINT64_MAX : (1ull << b) - 1) : 0ull,
                   (unsigned long long)hist[b]);
}

static int cmd_info(const char *path)
{
    static scan_t sc;  // (its thread table is 16 KiB)
    trace_header_t h;
    trace_extent_t x;
    char cmdline[TRACE_MAX_CMDLINE + 1], ext[160] = "complete";
    scan_trace(path, &sc, &h, &x);
    trace_cmdline(sc.buf, &h, cmdline, sizeof cmdline);
    if (!x.complete) {
        describe_extent(&x, ext, sizeof ext);
        fprintf(stderr, "%s: note: trace '%s' is %s\n", lab_prog, path, ext);
    }
    printf("# trace %s: version %u, pid %u, TSC %.3f GHz, %zu records\n# command: %s\n# %s\n", path, h.version,
           h.pid, h.tsc_hz / 1e9, sc.n, cmdline, ext);
    printf("kind,key,value\n");
    if (sc.ntids >= MAX_THREADS)
        lab_die("trace has more than %d threads", MAX_THREADS);
    plan_t p;
    lives_t lv = { 0 };
    uint64_t span;
    info_plan(&sc, &p, &lv, path, h.tsc_hz, &span);
    for (int op = 1; op < TR_NOPS; op++)
        printf("calls,%s,%llu\n", trace_op_names[op], (unsigned long long)p.calls[op]);
    print_bins("size_le_bytes", sc.hist);
    print_bins("lifetime_le_events", lv.lifetime);
    print_bins("realloc_chain_le", lv.chain);
    for (uint32_t t = 0; t < p.nthreads; t++)
        printf("thread,%u,%zu\n", p.th[t].tid, p.th[t].n);
    printf("summary,threads,%u\nsummary,slots,%u\nsummary,live_peak_bytes,%llu\nsummary,allocated_bytes,%llu\n"
           "summary,unmatched_frees,%llu\nsummary,null_frees,%llu\nsummary,failed_calls,%llu\n"
           "summary,reused_live,%llu\nsummary,duration_ms,%.3f\nsummary,complete,%d\nsummary,chunks,%u\n",
           p.nthreads, p.nslots, (unsigned long long)p.live_peak_bytes, (unsigned long long)p.total_bytes,
           (unsigned long long)p.unmatched_frees, (unsigned long long)p.null_frees, (unsigned long long)p.failed,
           (unsigned long long)p.reused_live, (double)span / h.tsc_hz * 1e3, x.complete, x.chunks);
    printf("summary,frees,%llu\nsummary,cross_thread_frees,%llu\nsummary,never_freed,%llu\n"
           "summary,reallocs_grow,%llu\nsummary,reallocs_shrink,%llu\nsummary,reallocs_moved,%llu\n",
           (unsigned long long)lv.frees, (unsigned long long)lv.cross_frees, (unsigned long long)lv.never_freed,
           (unsigned long long)lv.grow, (unsigned long long)lv.shrink, (unsigned long long)lv.moved);
    return 0;
}

// ---------------------------------------------------------------------------
// replay
// ---------------------------------------------------------------------------
static const char *const columns[] = {
    LAB_MICRO_COLUMNS, "replay_overhead_ns", "timed_calls", "unmatched_frees", NULL
};

// A slot's live block: its address, size and the tag its first word holds.
typedef struct {
    void *p;
    uint64_t size, tag;
} block_t;

typedef struct {
    plan_thread_t *th;
    block_t *blk;
    _Atomic uint32_t *done;  // per slot: events that have happened (NULL: one thread)
    uint64_t sample;         // one call in `sample` is timed
    void *dry;               // --dry: every block is this scratch memory, no call is made
    lab_rng_t rng;           // which calls are timed
    lab_hist_t hmalloc, hfree;
    uint64_t call_ticks, timed;
    const char *status;
} worker_t;

// One call in `sample` on average is timed, at random gaps of 1 to 2 * sample - 1 calls
// (random, so that a periodic stream cannot alias with them): a timer bracket costs about
// 20 ns here, several times a fast allocator's call. sample is 16, or less for a trace
// too short to give REPLAY_MIN_TIMED calls at 16 (1: every call).
enum { REPLAY_SAMPLE = 16, REPLAY_MIN_TIMED = 4096 };

// Calls until the next timed one: 1 to 2 * sample - 1, at random.
static uint64_t next_gap(worker_t *w) { return 1 + lab_rng_below(&w->rng, 2 * w->sample - 1); }

static inline void wait_for(_Atomic uint32_t *d, uint32_t seq)
{
    for (unsigned spins = 0; atomic_load_explicit(d, memory_order_acquire) != seq; spins++) {
        if (spins < 64)
            __builtin_ia32_pause();
        else
            sched_yield();
    }
}

static inline void *replay_call(const step_t *s, void *old)
{
    void *p = NULL;
    if (s->kind == P_FREE) {
        free(old);
        return NULL;
    }
    if (s->kind == P_REALLOC)
        return realloc(old, s->size);
    switch (s->op) {
    case TR_CALLOC: return calloc(1, s->size);
    case TR_POSIX_MEMALIGN: return posix_memalign(&p, s->align, s->size) ? NULL : p;
    case TR_ALIGNED_ALLOC: return aligned_alloc(s->align, s->size);
    case TR_MEMALIGN: return memalign(s->align, s->size);
    case TR_VALLOC: return valloc(s->size);
    case TR_PVALLOC: return pvalloc(s->size);
    default: return malloc(s->size);  // malloc, and realloc of an unknown block
    }
}

// [replay]
// The slot's event has happened: its count moves on. Whoever runs the slot's next event
// waits for this (or follows on this thread), so nobody else writes the count meanwhile.
static inline void slot_done(_Atomic uint32_t *d)
{
    atomic_store_explicit(d, atomic_load_explicit(d, memory_order_relaxed) + 1, memory_order_release);
}

// One thread's replay, start to end: the measured part (timed_phase: the function whose
// instructions common/wrap/callgrind counts).
static __attribute__((noinline, noipa)) void *timed_phase(void *arg)
{
    worker_t *w = arg;
    const uint32_t *c = w->th->code, *end = c + w->th->words;
    block_t *blk = w->blk;
    _Atomic uint32_t *done = w->done;
    uint64_t gap = next_gap(w);
    while (c < end) {
        step_t s;
        c = step_get(c, &s);
        if (s.old_waits)  // (only with several threads: done is there)
            wait_for(&done[s.old_slot], s.old_seq);
        if (s.new_waits)
            wait_for(&done[s.new_slot], s.new_seq);
        block_t *old = s.old_slot != UINT32_MAX ? &blk[s.old_slot] : NULL;
        if (old && !w->dry && !lab_get(old->p, 0, old->size, old->tag))  // written over, or handed out twice
            w->status = "corrupt";
        void *p = s.kind == P_FREE ? NULL : w->dry;
        bool timed = !w->dry && __builtin_expect(--gap == 0, 0);
        if (!w->dry)
            w->call_ticks += LAB_TIMED_CALL(timed, s.kind == P_FREE ? &w->hfree : &w->hmalloc,
                                            p = replay_call(&s, old ? old->p : NULL));
        if (timed)
            w->timed++, gap = next_gap(w);
        if (s.kind != P_FREE) {
            uint64_t tag = (uint64_t)(uintptr_t)c << 32 | s.new_slot;  // (the step's place and the slot)
            if (!p && s.size)
                w->status = "malloc_null";
            else if (s.kind == P_REALLOC && !w->dry && !lab_get(p, 0, old->size < s.size ? old->size : s.size, old->tag))
                w->status = "corrupt";  // realloc lost the contents
            if (p)  // p is stored in blk below: the stores cannot be optimised away
                lab_touch(p, s.size, tag);
            if (old)
                old->p = NULL;
            blk[s.new_slot] = (block_t){ p, p ? s.size : 0, tag };
        } else {
            old->p = NULL;
        }
        if (done && s.old_slot != UINT32_MAX)
            slot_done(&done[s.old_slot]);
        if (done && s.new_slot != UINT32_MAX && s.new_slot != s.old_slot)
            slot_done(&done[s.new_slot]);
    }
    return NULL;
}
// [/replay]

static void trace_path(const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/%s.htr", trace_dir, name);
}

// The most bytes a replay may have live at once: half of MemAvailable, since the
// allocator may hold as much again beyond the live bytes (chapter 3).
static limit_t replay_memory(void)
{
    double avail = lab_mem_available_bytes();
    return (limit_t){ avail < 0x1p63 ? (uint64_t)(avail / 2) : UINT64_MAX / 2,
                      "half of this machine's available memory (MemAvailable)" };
}

// A --trace FILE's name for the rows: the file's base name without ".htr", each character
// a name cannot hold (trace.h) made '-', at most TRACE_NAME_MAX of them ("trace" if none).
static void file_label(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = strlen(base);
    if (n >= 4 && strcmp(base + n - 4, ".htr") == 0)
        n -= 4;
    if (n > TRACE_NAME_MAX)
        n = TRACE_NAME_MAX;
    if (n >= len)
        n = len - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = trace_name_char(base[i]) ? base[i] : '-';
    out[n] = 0;
    if (n == 0)
        snprintf(out, len, "trace");
}

// The trace at path, read twice and planned (incomplete: replay one that lacks its end
// marker, as far as it goes). Returns the events to replay.
static uint64_t replay_plan(const char *path, bool incomplete, plan_t *p)
{
    static scan_t sc;  // (its thread table is 16 KiB)
    trace_header_t h;
    trace_extent_t x;
    char ext[160];
    scan_trace(path, &sc, &h, &x);
    if (!x.complete) {
        describe_extent(&x, ext, sizeof ext);
        if (!incomplete)
            lab_die("trace '%s' is %s; --allow-incomplete replays it as far as it goes", path, ext);
        fprintf(stderr, "%s: note: trace '%s' is %s\n", lab_prog, path, ext);
    }
    if (sc.ntids >= MAX_THREADS)
        lab_die("trace has more than %d threads", MAX_THREADS);
    plan_build(p, &sc, replay_memory(), path);
    scan_close(&sc);
    uint64_t events = 0;
    for (uint32_t t = 0; t < p->nthreads; t++)
        events += p->th[t].n;
    if (events == 0)
        lab_die("trace '%s' has no call to replay: its %llu failed calls and %llu frees of NULL or unknown blocks "
                "replay as nothing", path, (unsigned long long)p->failed,
                (unsigned long long)(p->null_frees + p->unmatched_frees));
    return events;
}

// One worker per original thread, sharing the slots' blocks. dry: the replay's own cost,
// with no allocator: every block is one scratch region.
static worker_t *replay_workers(const plan_t *p, uint64_t events, uint64_t seed, uint64_t rep, bool dry)
{
    block_t *blk = lab_harness_alloc((p->nslots + 1) * sizeof *blk);
    // --dry's one block: its pages are touched as a real block's would be, not before.
    void *scratch = dry ? mmap(NULL, p->max_size + 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                        : NULL;
    if (scratch == MAP_FAILED)
        lab_die_code(1, "cannot map %llu bytes of scratch memory: %s", (unsigned long long)p->max_size + 8, strerror(errno));
    uint64_t sample = events / REPLAY_MIN_TIMED;
    sample = sample < 1 ? 1 : sample > REPLAY_SAMPLE ? REPLAY_SAMPLE : sample;
    // One thread replays in the trace's order: no slot needs waiting for.
    _Atomic uint32_t *done = p->nthreads > 1 ? lab_harness_alloc((p->nslots + 1) * sizeof *done) : NULL;
    worker_t *w = lab_harness_alloc(p->nthreads * sizeof *w);
    for (uint32_t t = 0; t < p->nthreads; t++) {
        w[t] = (worker_t){ .th = &p->th[t], .blk = blk, .done = done, .sample = sample,
                           .dry = dry ? scratch : NULL, .status = "ok" };
        lab_rng_seed(&w[t].rng, seed ^ (rep << 20) ^ t);
        lab_hist_init(&w[t].hmalloc);
        lab_hist_init(&w[t].hfree);
    }
    return w;
}

// The measured part: every replay thread from start to end. Returns the wall time, in ns.
static uint64_t replay_run(const plan_t *p, worker_t *w, lab_footprint_t *fp)
{
    pthread_t *tid = lab_harness_alloc(p->nthreads * sizeof *tid);
    lab_footprint_begin(fp);
    uint64_t t0 = lab_now_ns();
    for (uint32_t t = 1; t < p->nthreads; t++)
        if (pthread_create(&tid[t], NULL, timed_phase, &w[t]) != 0)
            lab_die("cannot start replay thread %u of %u", t + 1, p->nthreads);
    if (p->nthreads)
        timed_phase(&w[0]);
    for (uint32_t t = 1; t < p->nthreads; t++)
        pthread_join(tid[t], NULL);
    uint64_t elapsed_ns = lab_now_ns() - t0;
    lab_footprint_end(fp);
    return elapsed_ns;
}

// The row: chapter 1's columns (m: who, what and the footprint), then the replay's own.
static void replay_row(const plan_t *p, const worker_t *w, lab_micro_t *m, uint64_t elapsed_ns, bool dry)
{
    static lab_hist_t hm, hf;
    lab_hist_init(&hm);
    lab_hist_init(&hf);
    uint64_t ticks = 0, ops = 0, timed = 0;
    m->status = "ok";
    for (uint32_t t = 0; t < p->nthreads; t++) {
        lab_hist_merge(&hm, &w[t].hmalloc);
        lab_hist_merge(&hf, &w[t].hfree);
        ticks += w[t].call_ticks;
        ops += p->th[t].n;
        timed += w[t].timed;
        if (strcmp(w[t].status, "ok") != 0)
            m->status = w[t].status;
    }
    // The mean call, from the timed sample (none timed: not measured); the rest of the
    // threads' time per event is the replay's own (with several threads, also their
    // waiting for each other).
    double ns_per_op = dry ? 0 : lab_ticks_ns(((double)ticks - (double)timed * lab_clock.overhead_ticks) / (double)timed);
    m->threads = p->nthreads;
    m->ops = (double)ops;
    m->elapsed_s = (double)elapsed_ns / 1e9;
    m->ops_per_s = dry ? NAN : 1e9 / ns_per_op;  // dry: no call, no rate (not inf)
    m->ns_per_op = ns_per_op;
    m->hmalloc = &hm;
    m->hfree = &hf;
    m->live_peak_bytes = (double)p->live_peak_bytes;
    lab_row_t r;
    lab_csv_header(columns);
    lab_row_micro(&r, columns, m);
    // Thread time per event beyond the mean call (one thread: wall time per event).
    lab_row_f64(&r, "replay_overhead_ns", (double)elapsed_ns * p->nthreads / (double)ops - ns_per_op);
    lab_row_u64(&r, "timed_calls", timed);
    lab_row_u64(&r, "unmatched_frees", p->unmatched_frees);
    lab_row_end(&r);
}

// workload: the chapter's program whose trace to replay, or -1 for the trace at path,
// whose rows are labelled name (NULL: the file's name).
static int cmd_replay(int workload, const char *path, const char *name, uint64_t rep, uint64_t seed, bool dry,
                      bool incomplete)
{
    const char *allocator = dry ? "none" : lab_allocator();
    char buf[4096], label[TRACE_NAME_MAX + 1];
    if (workload >= 0) {
        trace_path(programs[workload].name, buf, sizeof buf);
        path = buf;
    } else if (name) {
        snprintf(label, sizeof label, "%s", name);
    } else {
        file_label(path, label, sizeof label);
    }
    static plan_t p;
    uint64_t events = replay_plan(path, incomplete, &p);
    worker_t *w = replay_workers(&p, events, seed, rep, dry);
    lab_footprint_t fp;
    uint64_t elapsed_ns = replay_run(&p, w, &fp);
    for (uint32_t s = 0; s < p.nslots && !dry; s++)
        free(w[0].blk[s].p);
    lab_micro_t m = { .allocator = allocator, .workload = workload >= 0 ? programs[workload].name : label,
                      .rep = rep, .fp = &fp };
    replay_row(&p, w, &m, elapsed_ns, dry);
    return 0;
}

// ---------------------------------------------------------------------------
// the real program, under whichever allocator is preloaded
// ---------------------------------------------------------------------------
static const char *const real_columns[] = {
    "allocator", "workload", "rep", "status", "elapsed_s", "user_s", "sys_s", "peak_rss_kib", "tree_peak_rss_kib",
    "minor_faults", NULL
};

// The resident KiB of process root and all its descendants, from every /proc/PID/stat
// (this kernel may lack /proc/PID/task/TID/children): a process counts if its parent chain
// reaches root.
#define TREE_MAX 4096
static uint64_t tree_rss_kib(pid_t root)
{
    static pid_t pid[TREE_MAX], ppid[TREE_MAX];
    static uint64_t rss[TREE_MAX];
    static char in[TREE_MAX];
    size_t n = 0;
    DIR *d = opendir("/proc");
    for (struct dirent *e; d && (e = readdir(d)) && n < TREE_MAX;) {
        char path[300], buf[1024];
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t k = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (fd >= 0)
            close(fd);
        char *c = k > 0 ? (buf[k] = 0, strrchr(buf, ')')) : NULL;  // the name may hold spaces
        unsigned long long pages;
        int parent;
        // after the name: state ppid, then 19 fields to rss (the 24th field)
        if (c && sscanf(c + 2, "%*c %d %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
                        &parent, &pages) == 2) {
            pid[n] = (pid_t)atoi(e->d_name);
            ppid[n] = parent;
            rss[n] = pages * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
            in[n] = pid[n] == root;
            n++;
        }
    }
    if (d)
        closedir(d);
    uint64_t kib = 0;
    for (bool grew = true; grew;) {  // (a pass per generation)
        grew = false;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n && !in[i]; j++)
                if (in[j] && ppid[i] == pid[j])
                    in[i] = grew = true;
    }
    for (size_t i = 0; i < n; i++)
        kib += in[i] ? rss[i] : 0;
    return kib;
}

// The sampler: the tree's resident KiB every 10 ms, its largest sum in peak, until done.
typedef struct {
    pid_t root;
    _Atomic bool done;
    uint64_t peak;
} tree_sampler_t;
static void *tree_sample(void *arg)
{
    tree_sampler_t *t = arg;
    while (!atomic_load(&t->done)) {
        uint64_t kib = tree_rss_kib(t->root);
        t->peak = kib > t->peak ? kib : t->peak;
        nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
    }
    return NULL;
}

// The program, once, its stdout to /dev/null: wall, user and sys time and faults of the
// whole tree (wait4 counts every descendant that was waited for), the largest process's
// peak RSS (ru_maxrss), and the tree's: the largest sum of its processes' RSS at a 10 ms
// sample, at least the largest process's (a process shorter than a sample is missed).
static int cmd_realrun(int workload, uint64_t rep)
{
    const char *allocator = lab_allocator();
    const program_t *pr = &programs[workload];
    uint64_t t0 = lab_now_ns();
    pid_t pid = fork();
    if (pid < 0)
        lab_die("cannot fork: %s", strerror(errno));
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execl("/bin/sh", "sh", "-c", pr->cmd, (char *)NULL);
        _exit(127);
    }
    // Under valgrind (common/wrap/callgrind) the sampler's own instructions would be counted
    // with the program's: no sampler, and the tree's peak is the largest process's.
    tree_sampler_t ts = { .root = pid };
    pthread_t sampler;
    bool sampling = !RUNNING_ON_VALGRIND;
    if (sampling && pthread_create(&sampler, NULL, tree_sample, &ts) != 0)
        lab_die("cannot start the RSS sampler thread");
    int st;
    struct rusage u;
    if (wait4(pid, &st, 0, &u) < 0)
        lab_die("wait4: %s", strerror(errno));
    double secs = (double)(lab_now_ns() - t0) / 1e9;
    atomic_store(&ts.done, true);
    if (sampling)
        pthread_join(sampler, NULL);
    char status[32] = "ok";
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        snprintf(status, sizeof status, "exit_%d", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    lab_row_t r;
    lab_csv_header(real_columns);
    lab_row_begin(&r, real_columns);
    lab_row_str(&r, "allocator", allocator);
    lab_row_str(&r, "workload", pr->name);
    lab_row_u64(&r, "rep", rep);
    lab_row_status(&r, status);
    lab_row_f64(&r, "elapsed_s", secs);
    lab_row_f64(&r, "user_s", (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6);
    lab_row_f64(&r, "sys_s", (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6);
    lab_row_f64(&r, "peak_rss_kib", (double)u.ru_maxrss);  // the largest process of the run
    lab_row_f64(&r, "tree_peak_rss_kib", (double)(ts.peak > (uint64_t)u.ru_maxrss ? ts.peak : (uint64_t)u.ru_maxrss));
    lab_row_f64(&r, "minor_faults", (double)u.ru_minflt);
    lab_row_end(&r);
    return 0;
}

// ---------------------------------------------------------------------------
// record
// ---------------------------------------------------------------------------
// Is FILE a dynamically linked ELF program (has PT_INTERP)? 1 yes, 0 no (static), -1 not ELF.
static int dynamic_elf(const char *file)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return -1;
    Elf64_Ehdr eh;
    int rc = -1;
    if (fread(&eh, sizeof eh, 1, f) == 1 && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64) {
        rc = 0;
        for (int i = 0; i < eh.e_phnum; i++) {
            Elf64_Phdr ph;
            if (fseek(f, (long)(eh.e_phoff + (uint64_t)i * eh.e_phentsize), SEEK_SET) != 0 || fread(&ph, sizeof ph, 1, f) != 1)
                break;
            if (ph.p_type == PT_INTERP)
                rc = 1;
        }
    }
    fclose(f);
    return rc;
}

static bool is_help(const char *a) { return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0; }
static void usage(FILE *to);

// The directory of this program's own file (symbolic links resolved): the tools are built
// side by side, so `trace` run from PATH or from another directory finds heaptrace.so.
static void self_dir(char *out, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", out, len - 1);
    if (n <= 0 || (size_t)n >= len - 1)
        lab_die_code(1, "record: cannot read /proc/self/exe to find heaptrace.so beside trace: %s",
                     n < 0 ? strerror(errno) : "path too long");
    out[n] = 0;
    char *slash = strrchr(out, '/');
    slash[slash == out] = 0;  // "/trace" -> "/"
}

// mkdir -p dir, then a file created and removed in it (access() says yes to root even where
// nothing can be written): false, with errno, when it cannot hold a trace.
static bool writable_dir(const char *dir)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
        return errno = ENAMETOOLONG, false;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s)
            continue;
        char c = *s;
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return false;
        *s = c;
        if (!c)
            break;
    }
    char probe[PATH_MAX + 64];
    snprintf(probe, sizeof probe, "%s/.heaptrace-probe.%d", dir, (int)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    close(fd);
    unlink(probe);
    return true;
}

// Where execvp will find cmd (empty if nowhere), for the static-program check.
static void find_command(const char *cmd, char *exe, size_t len)
{
    if (strchr(cmd, '/')) {
        snprintf(exe, len, "%s", cmd);
        return;
    }
    char *path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin"), *save = NULL;
    for (char *d = strtok_r(path, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(exe, len, "%s/%s", d, cmd);
        if (access(exe, X_OK) == 0)
            break;
        exe[0] = 0;
    }
    free(path);
}

// Is file the recorder's NAME.PID.htr?
static bool is_trace_of(const char *file, const char *name)
{
    size_t n = strlen(name), len = strlen(file);
    if (len < n + 6 || strncmp(file, name, n) != 0 || file[n] != '.' || strcmp(file + len - 4, ".htr") != 0)
        return false;
    for (size_t i = n + 1; i < len - 4; i++)
        if (file[i] < '0' || file[i] > '9')
            return false;
    return true;
}

// The traces in dir written since t0 (NAME.PID.htr, new or rewritten). t0 is read from
// the coarse clock, the one file times are stamped from, so a trace is never older than it.
static size_t traces_since(const char *dir, const char *name, const struct timespec *t0)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *de; d && (de = readdir(d));) {
        struct stat st;
        if (!is_trace_of(de->d_name, name) || fstatat(dirfd(d), de->d_name, &st, 0) != 0)
            continue;
        if (st.st_mtim.tv_sec > t0->tv_sec || (st.st_mtim.tv_sec == t0->tv_sec && st.st_mtim.tv_nsec >= t0->tv_nsec))
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

// record's child, for forwarded signals (0: none yet).
static volatile sig_atomic_t record_child;
static void forward_signal(int sig)
{
    if (record_child > 0)
        kill((pid_t)record_child, sig);
}

// Runs cmd and waits for it: its exit status as a shell reports it (128 + N: signal N).
// A kill of trace (even -9) ends cmd too, as when trace ran it in its own process.
static int run_command(char **cmd)
{
    int fds[2];  // an exec that fails writes its errno here; one that succeeds closes it
    if (pipe2(fds, O_CLOEXEC) != 0)
        lab_die_code(1, "record: cannot make a pipe: %s", strerror(errno));
    pid_t parent = getpid(), pid = fork();
    if (pid < 0)
        lab_die_code(1, "record: cannot fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)  // trace died before the line above
            _exit(128 + SIGKILL);
        execvp(cmd[0], cmd);
        int err = errno;
        ssize_t w = write(fds[1], &err, sizeof err);
        _exit(w == sizeof err ? 127 : 126);
    }
    record_child = pid;
    // A terminal's ^C and ^\ reach the command itself; a kill of trace is passed on.
    struct sigaction ign = { .sa_handler = SIG_IGN }, fwd = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
    sigaction(SIGINT, &ign, NULL);
    sigaction(SIGQUIT, &ign, NULL);
    sigaction(SIGTERM, &fwd, NULL);
    sigaction(SIGHUP, &fwd, NULL);
    close(fds[1]);
    int err = 0, st;
    ssize_t got = read(fds[0], &err, sizeof err);
    close(fds[0]);
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            lab_die_code(1, "record: waitpid: %s", strerror(errno));
    if (got == (ssize_t)sizeof err)
        lab_die("record: cannot run '%s': %s", cmd[0], strerror(err));
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// record's value of option argv[*i] (--out, --name), once, not empty and not "--".
static const char *record_value(int argc, char **argv, int *i, const char *old, const char *what)
{
    if (old)
        lab_die("record: %s is given twice", argv[*i]);
    if (*i + 1 >= argc || strcmp(argv[*i + 1], "--") == 0 || !*argv[*i + 1])
        lab_die("record: %s needs %s", argv[*i], what);
    return argv[++*i];
}

static int cmd_record(int argc, char **argv)
{
    const char *out = NULL, *name = NULL;
    int i = 0;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (is_help(argv[i])) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--out") == 0)
            out = record_value(argc, argv, &i, out, "a directory");
        else if (strcmp(argv[i], "--name") == 0)
            name = record_value(argc, argv, &i, name, "a name");
        else
            lab_die("record: unexpected argument '%s': expected [--name NAME] --out DIR -- CMD...", argv[i]);
        if (name && !trace_name_ok(name))
            lab_die("record: --name '%s' is not allowed: %s", name, TRACE_NAME_RULE);
    }
    if (!out)
        lab_die("record: --out DIR is required");
    if (i + 1 >= argc)
        lab_die("record: no command after --");
    char **cmd = argv + i + 1;
    char so[PATH_MAX + 16], exe[PATH_MAX] = "";
    self_dir(so, PATH_MAX);
    strcat(so, "/heaptrace.so");
    char *rso = realpath(so, NULL);
    if (!rso)
        lab_die("record: cannot find the recorder '%s' beside trace: build it first (make build)", so);
    if (!writable_dir(out))
        lab_die("record: cannot write traces in '%s': %s", out, strerror(errno));
    find_command(cmd[0], exe, sizeof exe);
    bool is_static = exe[0] && dynamic_elf(exe) == 0;
    if (is_static)
        fprintf(stderr, "trace: record: %s is statically linked: LD_PRELOAD cannot trace it; running it untraced\n", exe);
    const char *old = getenv("LD_PRELOAD");
    char preload[2 * PATH_MAX];
    snprintf(preload, sizeof preload, "%s%s%s", rso, old && *old ? " " : "", old ? old : "");
    setenv("LD_PRELOAD", preload, 1);
    char *abs = realpath(out, NULL);  // for a command that changes directory
    setenv("HEAPTRACE_DIR", abs ? abs : out, 1);
    free(abs);
    if (name)  // (without --name, the default name, whatever the environment says)
        setenv("HEAPTRACE_NAME", name, 1);
    else
        unsetenv("HEAPTRACE_NAME");
    free(rso);
    struct timespec t0;
    clock_gettime(CLOCK_REALTIME_COARSE, &t0);
    int rc = run_command(cmd);
    if (traces_since(out, name ? name : "heaptrace", &t0) > 0)
        return rc;
    fprintf(stderr, "trace: record: nothing was traced: '%s' ran untraced (exit %d) and wrote no trace in '%s'%s\n",
            cmd[0], rc, out, is_static ? " (statically linked)" : "");
    return rc ? rc : 1;
}

// ---------------------------------------------------------------------------
static void usage(FILE *to)
{
    fprintf(to,
            "usage: trace record [--name NAME] --out DIR -- CMD...\n"
            "                                          run CMD with heaptrace.so (found beside trace) preloaded: one trace\n"
            "                                          per process in DIR, made if missing, named NAME.PID.htr (NAME: 1 to\n"
            "                                          64 of A-Z a-z 0-9 . _ -; default heaptrace); exit status CMD's, or 1\n"
            "                                          if no trace was written (e.g. CMD is statically linked: run untraced)\n"
            "       trace info FILE                    what a trace holds, as kind,key,value rows: calls, sizes, block\n"
            "                                          lifetimes, realloc chains, threads, live bytes, cross-thread frees;\n"
            "                                          says if it is incomplete (no end marker: the recording was cut short)\n"
            "       trace dump FILE                    every record, as CSV\n"
            "       trace loop N                       N malloc(64)/free pairs: prints calls, seconds, ns per call\n"
            "       replay --workload NAME | --trace FILE [--name NAME]  [--rep N --seed N --quick --dry --allow-incomplete]\n"
            "              --workload NAME   the recorded trace of program NAME (HEAPLAB_PROGRAMS): HEAPLAB_TRACES/NAME.htr;\n"
            "                                rows are labelled NAME\n"
            "              --trace FILE      any trace (not with --workload); rows are labelled with the file's name:\n"
            "                                its base name without .htr, any character but A-Z a-z 0-9 . _ - made -\n"
            "              --name NAME       --trace FILE's rows are labelled NAME instead (1 to 64 of A-Z a-z 0-9 . _ -)\n"
            "              --dry             no allocator, every block one scratch region: the replay's own cost\n"
            "              --allow-incomplete  replay a trace without its end marker, as far as it goes\n"
            "       realrun --workload NAME [--rep N --seed N --quick]   program NAME (HEAPLAB_PROGRAMS) once, its stdout to\n"
            "                                /dev/null: wall, user, sys time, minor faults, peak RSS of its largest process\n"
            "                                and of its whole process tree (sampled every 10 ms)\n"
            "  (replay and realrun also take --header, --cases, --context; -h or --help prints this, after any command)\n"
            "environment:\n"
            "  HEAPTRACE_DIR      heaptrace.so: where it writes heaptrace.PID.htr (record sets it to --out DIR)\n"
            "  HEAPTRACE_NAME     heaptrace.so: its traces are NAME.PID.htr (unset: heaptrace; record sets it to --name NAME)\n"
            "  LD_PRELOAD         record: heaptrace.so is put before what it names; replay, realrun: the allocator measured\n"
            "  PATH               record: where CMD is looked for\n"
            "  HEAPLAB_PROGRAMS   replay, realrun --workload: the file of programs, NAME<TAB>SIZES<TAB>COMMAND lines\n"
            "                     (SIZES: all, or full: not in QUICK runs); chapter 4's: chapters/04-real-workloads/programs.tsv\n"
            "  HEAPLAB_TRACES     replay --workload: the directory of the programs' traces, NAME.htr\n"
            "  LAB_CLOCK          replay: 'gettime' times calls with clock_gettime instead of the TSC\n"
            "  LAB_ALLOCATOR      replay, realrun: the allocator's name in the rows (unset: the live malloc's library)\n"
            "  LAB_ALLOCATOR_LIB  replay, realrun: the library whose malloc must be live (set with LAB_ALLOCATOR by common/run)\n"
            "  LAB_LOCK           not read here: common/run's lock (/tmp/heaplab-measure.lock); by hand, these take none\n");
}

// replay and realrun: the runner's protocol (lab_getopt: the common options, -h, and one
// line for an unknown, repeated or empty option)
static void usage_stdout(void) { usage(stdout); }
static void cases(bool quick)
{
    for (size_t i = 0; i < nprograms; i++)
        if (!quick || programs[i].quick)
            printf("--workload %s\n", programs[i].name);
}

static int runner_main(int argc, char **argv, bool real)
{
    static const struct option opts[] = {
        { "trace", 1, 0, 't' }, { "name", 1, 0, 'n' }, { "dry", 0, 0, 'D' }, { "allow-incomplete", 0, 0, 'I' },
        LAB_WORKLOAD_OPT,
        LAB_COMMON_OPTS
    };
    const char *list = getenv("HEAPLAB_PROGRAMS");
    if (list && *list)
        programs_load(list);
    for (int i = 1; i < argc && !nprograms; i++)
        if (strncmp(argv[i], "--workload", 10) == 0 || strcmp(argv[i], "--cases") == 0)
            lab_die("%s needs HEAPLAB_PROGRAMS: a file of NAME<TAB>SIZES<TAB>COMMAND lines (--help)", argv[i]);
    const lab_program_t prog = {
        .columns = real ? real_columns : columns,
        .workloads = { programs ? &programs[0].name : NULL, sizeof *programs, nprograms },
        .workload_optional = !real, .cases = cases, .usage = usage_stdout,  // replay: or --trace FILE
    };
    lab_common_t common = LAB_COMMON_INIT;
    const char *path = NULL, *name = NULL;
    bool dry = false, incomplete = false;
    int o;
    while ((o = lab_getopt(argc, argv, opts, &prog, &common)) != -1) {
        switch (o) {
        case 't': path = lab_opt_str("--trace", optarg, "a trace file"); break;
        case 'n': name = optarg; break;
        case 'D': dry = true; break;
        case 'I': incomplete = true; break;
        }
    }
    if (name && !trace_name_ok(name))
        lab_die_value("--name", name, TRACE_NAME_RULE);
    if (real && (path || name || dry || incomplete))
        lab_die("realrun runs the program itself: --trace, --name, --dry and --allow-incomplete are replay's");
    if (common.workload >= 0 && path)
        lab_die("--workload and --trace exclude each other: --workload NAME replays the chapter's trace of NAME, "
                "--trace FILE any trace, labelled with its file's name or --name");
    if (name && !path)
        lab_die("--name labels the rows of a --trace FILE (--workload NAME's rows are labelled NAME)");
    if (common.workload < 0 && !path)
        lab_die("--workload is required (or --trace FILE)");
    trace_dir = getenv("HEAPLAB_TRACES");
    if (common.workload >= 0 && !real && !(trace_dir && *trace_dir))
        lab_die("replay --workload needs HEAPLAB_TRACES: the directory of the programs' traces, NAME.htr");
    if (!real)  // (realrun reads only the monotonic clock: no calibration to count)
        lab_clock_init();
    return real ? cmd_realrun(common.workload, common.rep)
                : cmd_replay(common.workload, path, name, common.rep, common.seed, dry, incomplete);
}

// trace info FILE, trace dump FILE: exactly one file.
static const char *one_file(int argc, char **argv, const char *cmd)
{
    if (argc != 3)
        lab_die("%s: expected one trace file", cmd);
    return argv[2];
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (strcmp(base, "replay") == 0) {
        lab_prog = "replay";
        return runner_main(argc, argv, false);
    }
    if (strcmp(base, "realrun") == 0) {
        lab_prog = "realrun";
        return runner_main(argc, argv, true);
    }
    lab_prog = "trace";
    if (argc < 2)
        lab_die("expected a command: record, info, dump, loop, replay or realrun (--help for usage)");
    if (is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (argc > 2 && is_help(argv[2]) && strcmp(argv[1], "record") != 0 && strcmp(argv[1], "replay") != 0 &&
        strcmp(argv[1], "realrun") != 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "info") == 0) {
        return cmd_info(one_file(argc, argv, "info"));  // its times come from the trace's own TSC rate
    }
    if (strcmp(argv[1], "dump") == 0) {  // every record, in TSC order: op,tid,size_bytes,align_bytes
        static scan_t sc;  // (streamed, as info)
        trace_header_t h;
        trace_extent_t x;
        scan_trace(one_file(argc, argv, "dump"), &sc, &h, &x);
        merge_init(&sc);
        printf("op,tid,size_bytes,align_bytes,result,arg\n");
        while (sc.nheap) {
            run_t *u;
            ev_t e = merge_next(&sc, &u);
            printf("%s,%u,%llu,%u,%llx,%llx\n", trace_op_names[e.r.op], e.tid, (unsigned long long)e.r.size, e.r.align,
                   (unsigned long long)e.r.result, (unsigned long long)e.r.arg);
        }
        return 0;
    }
    if (strcmp(argv[1], "record") == 0)
        return cmd_record(argc - 2, argv + 2);
    if (strcmp(argv[1], "loop") == 0) {  // the overhead comparison's malloc/free loop
        uint64_t n = lab_opt_u64("loop count", argc > 2 ? argv[2] : "", 1, 1000000000);
        uint64_t t0 = lab_now_ns();
        for (uint64_t i = 0; i < n; i++) {
            void *p = malloc(64);
            lab_escape(p);
            free(p);
        }
        double s = (double)(lab_now_ns() - t0) / 1e9;
        printf("%llu %.6f %.3f\n", (unsigned long long)(2 * n), s, s * 1e9 / (double)(2 * n));
        return 0;
    }
    if (strcmp(argv[1], "replay") == 0 || strcmp(argv[1], "realrun") == 0)
        return runner_main(argc - 1, argv + 1, strcmp(argv[1], "realrun") == 0);
    lab_die("unknown command '%s': expected record, info, dump, loop, replay or realrun", argv[1]);
}
