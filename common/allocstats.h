/* allocstats.h -- each allocator's own account of its memory, in one normalised structure.
 *
 * The kernel sees pages (RSS); an allocator knows why it holds them: bytes handed out,
 * free bytes it keeps in each of its layers, its own metadata. This header asks the live
 * allocator, resolving its statistics interface with dlsym at run time, so one binary
 * reads whichever library LD_PRELOAD put in front of glibc:
 *
 *   types      lab_stats_t       the common quantities, bytes; NAN where a source has none
 *              lab_stats_backend_t  one allocator: name, probe symbol, read, release, bins
 *   functions  lab_stats_read()  fill one from the allocator whose malloc is live
 *              lab_stats_release()  ask that allocator to give free memory back now
 *              lab_stats_which()    which allocator's interface that is ("glibc", ...)
 *              lab_stats_bins()     per size class: blocks used and room, thread-cache
 *                                   counters (jemalloc mallctl; mimalloc mi_heap_visit_blocks;
 *                                   gperftools: free blocks per class only)
 *
 * Sources (verified on jemalloc 5.3.0, gperftools 2.10, mimalloc 2.0.9, glibc 2.36,
 * tbbmalloc 2021.8):
 *   jemalloc   mallctl, after writing "epoch" (statistics are cached until then):
 *              stats.allocated/active/resident/mapped/metadata/retained, and per layer
 *              stats.arenas.4096.tcache_bytes (4096 = MALLCTL_ARENAS_ALL), active -
 *              allocated (free regions in slabs), stats.arenas.4096.pdirty + pmuzzy pages
 *   tcmalloc   MallocExtension_GetNumericProperty: generic.current_allocated_bytes,
 *              generic.heap_size, generic.total_physical_bytes,
 *              tcmalloc.{thread_cache,central_cache,transfer_cache,pageheap}_free_bytes,
 *              tcmalloc.pageheap_unmapped_bytes
 *   mimalloc   mi_process_info (current commit) and mi_stats_print_out, whose text gives
 *              the reserved and committed bytes (a release build counts no allocations)
 *   glibc      mallinfo2 (uordblks + hblkhd allocated, arena + hblkhd mapped, keepcost
 *              the top chunk) and malloc_info's XML (free bytes in fastbins and bins)
 *   tbbmalloc  no statistics interface: source "none", every quantity NAN
 *
 * Which interface to use is decided by the library that defines the live malloc (lab.h's
 * lab_malloc), never by which symbols happen to resolve: under a preload,
 * dlsym(RTLD_DEFAULT, "mallinfo2") still finds glibc's, which would describe glibc's idle
 * heap as if it were the program's. Each allocator is one backend in lab_stats_backend's
 * table: its name, how it is recognised, and its read, release and bins.
 */
#ifndef LAB_ALLOCSTATS_H
#define LAB_ALLOCSTATS_H

#include "lab.h"

#include <malloc.h>

// All quantities in bytes, NAN when the allocator does not say.
typedef struct {
    const char *allocator;   // "glibc", "jemalloc", "tcmalloc", "mimalloc", "tbbmalloc", "unknown"
    const char *source;      // the interface read, e.g. "mallctl", or "none"
    double allocated_bytes;  // in blocks handed out, as the allocator counts them (size classes)
    double active_bytes;     // in pages that hold at least one allocated block
    double resident_bytes;   // physically resident, by the allocator's own estimate
    double mapped_bytes;     // mapped from the OS and usable (committed)
    double metadata_bytes;   // the allocator's own bookkeeping
    double retained_bytes;   // address space kept but returned to the OS (not resident)
    // Free bytes the allocator holds, by layer (each is resident unless swapped):
    double thread_cache_bytes;  // per-thread caches (jemalloc/tcmalloc tcache)
    double central_free_bytes;  // size-class layer: free slots in slabs/spans, bins
    double page_free_bytes;     // page layer: whole free pages kept mapped (dirty, top chunk)
} lab_stats_t;

// ---------------------------------------------------------------------------
// per allocator
// ---------------------------------------------------------------------------

static inline void lab_stats_nan(lab_stats_t *s)
{
    s->allocated_bytes = s->active_bytes = s->resident_bytes = s->mapped_bytes = NAN;
    s->metadata_bytes = s->retained_bytes = NAN;
    s->thread_cache_bytes = s->central_free_bytes = s->page_free_bytes = NAN;
}

typedef int (*lab_mallctl_fn)(const char *, void *, size_t *, void *, size_t);

// jemalloc's statistics of all arenas together: MALLCTL_ARENAS_ALL is arena 4096.
#define LAB_JE_ALL "4096"
#define LAB_JE_ALL_STATS "stats.arenas." LAB_JE_ALL "."

static inline double lab_je_size(lab_mallctl_fn ctl, const char *name)
{
    size_t v, len = sizeof v;
    return ctl(name, &v, &len, NULL, 0) == 0 ? (double)v : NAN;
}

// mallctl, with its statistics brought up to date (they are cached until "epoch" is
// written); NULL where that fails.
static inline lab_mallctl_fn lab_je_refresh(void)
{
    lab_mallctl_fn ctl = (lab_mallctl_fn)lab_malloc_sym("mallctl", true);
    uint64_t epoch = 1;
    size_t len = sizeof epoch;
    return ctl && ctl("epoch", &epoch, &len, &epoch, len) == 0 ? ctl : NULL;
}

static inline void lab_stats_jemalloc(lab_stats_t *s)
{
    lab_mallctl_fn ctl = lab_je_refresh();
    if (!ctl)
        return;
    s->source = "mallctl";
    s->allocated_bytes = lab_je_size(ctl, "stats.allocated");
    s->active_bytes = lab_je_size(ctl, "stats.active");
    s->resident_bytes = lab_je_size(ctl, "stats.resident");
    s->mapped_bytes = lab_je_size(ctl, "stats.mapped");
    s->metadata_bytes = lab_je_size(ctl, "stats.metadata");
    s->retained_bytes = lab_je_size(ctl, "stats.retained");
    s->thread_cache_bytes = lab_je_size(ctl, LAB_JE_ALL_STATS "tcache_bytes");
    s->central_free_bytes = s->active_bytes - s->allocated_bytes;
    double page = lab_je_size(ctl, "arenas.page");
    s->page_free_bytes = page * (lab_je_size(ctl, LAB_JE_ALL_STATS "pdirty") +
                                 lab_je_size(ctl, LAB_JE_ALL_STATS "pmuzzy"));
}

typedef int (*lab_tc_prop_fn)(const char *, size_t *);

static inline double lab_tc(lab_tc_prop_fn get, const char *name)
{
    size_t v;
    return get(name, &v) ? (double)v : NAN;
}

static inline void lab_stats_tcmalloc(lab_stats_t *s)
{
    lab_tc_prop_fn get = (lab_tc_prop_fn)lab_malloc_sym("MallocExtension_GetNumericProperty", true);
    if (!get)
        return;
    s->source = "MallocExtension";
    s->allocated_bytes = lab_tc(get, "generic.current_allocated_bytes");
    double heap = lab_tc(get, "generic.heap_size");
    double unmapped = lab_tc(get, "tcmalloc.pageheap_unmapped_bytes");
    s->resident_bytes = lab_tc(get, "generic.total_physical_bytes");
    s->mapped_bytes = heap - unmapped;
    s->retained_bytes = unmapped;
    // total_physical = heap - unmapped + metadata, by gperftools' own definition.
    s->metadata_bytes = s->resident_bytes - s->mapped_bytes;
    s->thread_cache_bytes = lab_tc(get, "tcmalloc.thread_cache_free_bytes");
    s->central_free_bytes = lab_tc(get, "tcmalloc.central_cache_free_bytes") +
                            lab_tc(get, "tcmalloc.transfer_cache_free_bytes");
    s->page_free_bytes = lab_tc(get, "tcmalloc.pageheap_free_bytes");
    s->active_bytes = s->mapped_bytes - s->page_free_bytes;
}

// mi_stats_print_out's lines read "  name:   peak   total   freed   current   unit ...",
// each amount with a unit suffix ("12.5 MiB"). We keep the "current" amount of a name.
typedef struct {
    double reserved_bytes, committed_bytes;
} lab_mi_text_t;

// Parses "12.5 MiB", "100 B", "3.0 KiB" at *p (advancing it); NAN if it is not an amount.
static inline double lab_mi_amount(const char **p)
{
    char *end;
    double v = strtod(*p, &end);
    if (end == *p)
        return NAN;
    while (*end == ' ')
        end++;
    double mul = 1;
    if (end[0] && end[1] == 'i' && end[2] == 'B') {
        const char *u = strchr("KMGT", end[0]);
        if (!u)
            return NAN;
        mul = (double)(1ull << (10 * (1 + (u - "KMGT"))));
        end += 3;
    } else if (end[0] == 'B') {
        end += 1;
    } else {
        mul = 1;  // a bare count
    }
    *p = end;
    return v * mul;
}

static inline void lab_mi_line(const char *msg, void *arg)
{
    lab_mi_text_t *t = arg;
    while (*msg == ' ')
        msg++;
    double *dst = strncmp(msg, "reserved:", 9) == 0 ? &t->reserved_bytes
                : strncmp(msg, "committed:", 10) == 0 ? &t->committed_bytes : NULL;
    if (!dst)
        return;
    const char *p = strchr(msg, ':') + 1;
    double v[4];
    for (int i = 0; i < 4; i++) {
        while (*p == ' ')
            p++;
        if (isnan(v[i] = lab_mi_amount(&p)))
            return;
    }
    *dst = v[3];  // peak, total, freed, current
}

static inline void lab_stats_mimalloc(lab_stats_t *s)
{
    typedef void (*info_fn)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *);
    typedef void (*print_fn)(void (*)(const char *, void *), void *);
    info_fn info = (info_fn)lab_malloc_sym("mi_process_info", true);
    print_fn print = (print_fn)lab_malloc_sym("mi_stats_print_out", true);
    if (!info)
        return;
    size_t el, us, sy, rss, prss, commit, pcommit, pf;
    info(&el, &us, &sy, &rss, &prss, &commit, &pcommit, &pf);
    s->source = "mi_process_info";
    // mi_process_info's current_rss is the peak on Linux (getrusage): not used.
    s->mapped_bytes = (double)commit;
    if (print) {
        lab_mi_text_t t = { NAN, NAN };
        print(lab_mi_line, &t);
        if (!isnan(t.reserved_bytes)) {
            s->source = "mi_process_info+mi_stats_print_out";
            s->retained_bytes = t.reserved_bytes - s->mapped_bytes;
        }
    }
}

// The free bytes in glibc's bins and fastbins, from malloc_info's XML totals.
static inline double lab_glibc_bins_free(void)
{
    typedef int (*info_fn)(int, FILE *);
    info_fn info = (info_fn)lab_malloc_sym("malloc_info", true);
    static char xml[1 << 16];
    FILE *f = info ? fmemopen(xml, sizeof xml - 1, "w") : NULL;
    if (!f)
        return NAN;
    memset(xml, 0, sizeof xml);
    int rc = info(0, f);
    fclose(f);
    if (rc != 0)
        return NAN;
    // The process-wide totals come after the last </heap>.
    const char *p = strstr(xml, "</heap>"), *q;
    while (p && (q = strstr(p + 1, "</heap>")))
        p = q;
    double sum = 0;
    int found = 0;
    static const char *const kinds[] = { "<total type=\"fast\"", "<total type=\"rest\"" };
    for (int i = 0; p && i < 2; i++) {
        const char *t = strstr(p, kinds[i]), *sz = t ? strstr(t, "size=\"") : NULL;
        if (sz) {
            sum += strtod(sz + 6, NULL);
            found++;
        }
    }
    return found == 2 ? sum : NAN;
}

static inline void lab_stats_glibc(lab_stats_t *s)
{
    typedef struct mallinfo2 (*mi2_fn)(void);
    mi2_fn mi2 = (mi2_fn)lab_malloc_sym("mallinfo2", true);
    if (!mi2)
        return;
    struct mallinfo2 m = mi2();
    s->source = "mallinfo2+malloc_info";
    s->allocated_bytes = (double)(m.uordblks + m.hblkhd);  // tcache'd chunks count as in use
    s->mapped_bytes = (double)(m.arena + m.hblkhd);
    s->page_free_bytes = (double)m.keepcost;  // the top chunk
    s->central_free_bytes = lab_glibc_bins_free();
    if (isnan(s->central_free_bytes))
        s->central_free_bytes = (double)m.fordblks - (double)m.keepcost;
    s->active_bytes = s->mapped_bytes - s->page_free_bytes;
}

// ---------------------------------------------------------------------------
// release: give free memory back to the OS now; returns what was called, or NULL
// ---------------------------------------------------------------------------

static inline const char *lab_release_jemalloc(void)
{
    lab_mallctl_fn ctl = (lab_mallctl_fn)lab_malloc_sym("mallctl", true);
    if (ctl && ctl("thread.tcache.flush", NULL, NULL, NULL, 0) == 0 &&
        ctl("arena." LAB_JE_ALL ".purge", NULL, NULL, NULL, 0) == 0)
        return "mallctl(thread.tcache.flush; arena.<all>.purge)";
    return NULL;
}

static inline const char *lab_release_tcmalloc(void)
{
    void (*rel)(void) = (void (*)(void))lab_malloc_sym("MallocExtension_ReleaseFreeMemory", true);
    return rel ? (rel(), "MallocExtension_ReleaseFreeMemory()") : NULL;
}

static inline const char *lab_release_mimalloc(void)
{
    void (*collect)(bool) = (void (*)(bool))lab_malloc_sym("mi_collect", true);
    return collect ? (collect(true), "mi_collect(true)") : NULL;
}

// The proxy's scalable_* live in libtbbmalloc, a dependency: not the proxy's own symbol.
static inline const char *lab_release_tbbmalloc(void)
{
    int (*cmd)(int, void *) = (int (*)(int, void *))lab_malloc_sym("scalable_allocation_command", false);
    if (cmd && cmd(0 /* TBBMALLOC_CLEAN_ALL_BUFFERS */, NULL) >= 0)
        return "scalable_allocation_command(TBBMALLOC_CLEAN_ALL_BUFFERS)";
    return NULL;
}

static inline const char *lab_release_glibc(void)
{
    int (*trim)(size_t) = (int (*)(size_t))lab_malloc_sym("malloc_trim", true);
    return trim ? (trim(0), "malloc_trim(0)") : NULL;
}

// ---------------------------------------------------------------------------
// size classes: fill levels and thread-cache counters (chapter 5)
// ---------------------------------------------------------------------------

// One size class as the allocator reports it; NAN where it does not say.
typedef struct {
    double size_bytes;      // the class's block size
    double used_count;      // blocks handed out (jemalloc curregs; mimalloc area used)
    double total_count;     // blocks the class has room for now (nregs x curslabs; committed / block)
    double requests_count;  // jemalloc: allocation requests served (tcache included, once flushed)
    double fills_count;     // jemalloc: thread-cache fills from the arena (one per miss)
    double flushes_count;   // jemalloc: thread-cache flushes back to the arena
    double free_count;      // gperftools: free blocks in its thread, transfer and central caches
} lab_bin_t;

typedef struct {
    lab_bin_t *bins;
    int n, max;
} lab_bins_acc_t;

// mimalloc's mi_heap_area_t, its first five fields (the same from 1.6 to 2.1).
typedef struct {
    void *blocks;
    size_t reserved, committed, used, block_size;
} lab_mi_area_t;

static inline bool lab_mi_visit(const void *heap, const lab_mi_area_t *area, void *block, size_t size, void *arg)
{
    (void)heap, (void)block, (void)size;
    lab_bins_acc_t *a = arg;
    if (!area || area->block_size == 0 || area->block_size > (1u << 16))
        return true;
    int i = 0;
    while (i < a->n && a->bins[i].size_bytes != (double)area->block_size)
        i++;
    if (i == a->n) {
        if (a->n == a->max)
            return true;
        a->bins[a->n++] = (lab_bin_t){ (double)area->block_size, 0, 0, NAN, NAN, NAN, NAN };
    }
    a->bins[i].used_count += (double)area->used;
    a->bins[i].total_count += (double)(area->committed / area->block_size);
    return true;
}

static inline int lab_bins_jemalloc(lab_bin_t *bins, int max)
{
    lab_mallctl_fn ctl = lab_je_refresh();
    unsigned nbins;
    size_t ulen = sizeof nbins;
    if (!ctl || ctl("arenas.nbins", &nbins, &ulen, NULL, 0) != 0)
        return -1;
    int n = 0;
    for (unsigned j = 0; j < nbins && n < max; j++) {
        char name[96];
        uint64_t v64;
        size_t l64 = sizeof v64;
        uint32_t nregs;
        size_t l32 = sizeof nregs;
        lab_bin_t *b = &bins[n++];
        b->free_count = NAN;
        snprintf(name, sizeof name, "arenas.bin.%u.size", j);
        b->size_bytes = lab_je_size(ctl, name);
        snprintf(name, sizeof name, "arenas.bin.%u.nregs", j);
        double nregs_d = ctl(name, &nregs, &l32, NULL, 0) == 0 ? (double)nregs : NAN;
        snprintf(name, sizeof name, LAB_JE_ALL_STATS "bins.%u.curregs", j);
        b->used_count = lab_je_size(ctl, name);
        snprintf(name, sizeof name, LAB_JE_ALL_STATS "bins.%u.curslabs", j);
        b->total_count = nregs_d * lab_je_size(ctl, name);
        static const char *const ctr[] = { "nrequests", "nfills", "nflushes" };
        double *dst[] = { &b->requests_count, &b->fills_count, &b->flushes_count };
        for (int k = 0; k < 3; k++) {
            snprintf(name, sizeof name, LAB_JE_ALL_STATS "bins.%u.%s", j, ctr[k]);
            l64 = sizeof v64;
            *dst[k] = ctl(name, &v64, &l64, NULL, 0) == 0 ? (double)v64 : NAN;
        }
    }
    return n;
}

// gperftools says only how many blocks of each class are free (the per-class section of
// MallocExtension_GetStats): used_count and total_count are NAN, free_count is set.
static inline int lab_bins_tcmalloc(lab_bin_t *bins, int max)
{
    void (*stats)(char *, int) = (void (*)(char *, int))lab_malloc_sym("MallocExtension_GetStats", true);
    static char text[1 << 17];
    if (!stats)
        return -1;
    text[0] = 0;
    stats(text, (int)sizeof text);
    int n = 0;
    // "class   3 [       32 bytes ] :      624 objs;   0.0 MiB; ..."
    for (const char *p = strstr(text, "\nclass "); p && n < max; p = strstr(p + 1, "\nclass ")) {
        int cls;
        unsigned long size, objs;
        if (sscanf(p, "\nclass %d [ %lu bytes ] : %lu objs;", &cls, &size, &objs) == 3)
            bins[n++] = (lab_bin_t){ (double)size, NAN, NAN, NAN, NAN, NAN, (double)objs };
    }
    return n;
}

// Not thread-safe: visits the calling thread's default heap only.
static inline int lab_bins_mimalloc(lab_bin_t *bins, int max)
{
    typedef bool (*visitor_fn)(const void *, const lab_mi_area_t *, void *, size_t, void *);
    void *(*get)(void) = (void *(*)(void))lab_malloc_sym("mi_heap_get_default", true);
    bool (*visit)(const void *, bool, visitor_fn, void *) =
        (bool (*)(const void *, bool, visitor_fn, void *))lab_malloc_sym("mi_heap_visit_blocks", true);
    if (!get || !visit)
        return -1;
    lab_bins_acc_t a = { bins, 0, max };
    visit(get(), false, lab_mi_visit, &a);
    return a.n;
}

// ---------------------------------------------------------------------------
// the backends, and the interface
// ---------------------------------------------------------------------------

typedef struct {
    const char *name;       // the allocator: lab_stats_t.allocator, lab_stats_which()
    const char *probe;      // a symbol only this allocator's library defines; NULL: none
    const char *file;       // a part of its library's file name; NULL: any
    void (*read)(lab_stats_t *s);          // NULL: no statistics interface
    const char *(*release)(void);
    int (*bins)(lab_bin_t *bins, int max); // NULL: no per-class state we read
} lab_stats_backend_t;

// The backend of the live allocator (the first whose probe and file both match), or NULL.
static inline const lab_stats_backend_t *lab_stats_backend(void)
{
    static const lab_stats_backend_t table[] = {
        { "jemalloc", "mallctl", NULL, lab_stats_jemalloc, lab_release_jemalloc, lab_bins_jemalloc },
        { "tcmalloc", "MallocExtension_GetNumericProperty", NULL, lab_stats_tcmalloc, lab_release_tcmalloc,
          lab_bins_tcmalloc },
        { "mimalloc", "mi_process_info", NULL, lab_stats_mimalloc, lab_release_mimalloc, lab_bins_mimalloc },
        { "tbbmalloc", NULL, "tbbmalloc", NULL, lab_release_tbbmalloc, NULL },  // the proxy library
        { "glibc", "mallinfo2", "libc.so", lab_stats_glibc, lab_release_glibc, NULL },
    };
    static const lab_stats_backend_t *live;
    static bool known;  // asked once: a sampler reads statistics many times a second
    const lab_malloc_t *m = lab_malloc();
    for (size_t i = 0; !known && m->path && i < sizeof table / sizeof table[0]; i++) {
        const lab_stats_backend_t *b = &table[i];
        if ((!b->probe || lab_malloc_sym(b->probe, true)) && (!b->file || strstr(m->path, b->file)))
            live = b, known = true;
    }
    known = true;
    return live;
}

// Which allocator's interface the statistics come from: "glibc", "jemalloc", ... or "unknown".
static inline const char *lab_stats_which(void)
{
    const lab_stats_backend_t *b = lab_stats_backend();
    return b ? b->name : "unknown";
}

// Fills s from the live allocator. Returns false (source "none", all NAN) when it has no
// statistics interface we know.
static inline bool lab_stats_read(lab_stats_t *s)
{
    const lab_stats_backend_t *b = lab_stats_backend();
    lab_stats_nan(s);
    s->allocator = lab_stats_which();
    s->source = "none";
    if (b && b->read)
        b->read(s);
    return strcmp(s->source, "none") != 0;
}

// Asks the live allocator to return its free memory to the OS now. Returns what it called
// ("malloc_trim(0)", ...), or NULL when the allocator has no such call.
static inline const char *lab_stats_release(void)
{
    const lab_stats_backend_t *b = lab_stats_backend();
    return b && b->release ? b->release() : NULL;
}

// Fills up to max size classes of the live allocator, in its own order (jemalloc: by size;
// mimalloc: as its areas are visited). Returns how many, or -1 when the allocator exposes
// no per-class state we read (tbbmalloc, glibc: see chapter 5 for why).
static inline int lab_stats_bins(lab_bin_t *bins, int max)
{
    const lab_stats_backend_t *b = lab_stats_backend();
    return b && b->bins ? b->bins(bins, max) : -1;
}

#endif
