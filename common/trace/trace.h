/* trace.h -- the heaplab trace format, shared by the recorder (heaptrace.c), the tools
 * (trace.c) and the reader's fuzzer (trace_fuzz.c).
 *
 * Types and sizes:
 *     trace_header_t   32 bytes + cmdline_len bytes   once, at offset 0
 *     trace_chunk_t    16 bytes + nbytes              before each flushed thread buffer
 *     end marker       16 bytes (a trace_chunk_t)      once, last, written at exit
 *     a record         2 to 46 bytes (about 5)        one allocation call
 *     trace_rec_t      40 bytes                        a record, decoded (in memory only)
 *
 * A file is a header followed by chunks; each chunk holds the records of one thread in
 * the order that thread made them. Chunks of different threads interleave in flush order,
 * so a reader orders records globally by their TSC stamp (invariant TSC: one clock for
 * every core). All integers are little-endian, the machine's own order.
 *
 * The end marker (version 3) is a chunk header with tid TRACE_END_TID, nrec the number of
 * chunks before it, nbytes 0 and reserved TRACE_END_MAGIC; the recorder writes it after
 * its last flush at exit. A file without it was cut short (a kill, a full disk, a
 * descriptor taken away, an _exit): the reader calls it incomplete, and says how many
 * whole chunks it holds and where they end. A partial chunk at the end is part of that cut.
 *
 * A record is compact, because writing bytes is most of what recording costs: the
 * operation (one byte), then varints (7 bits a byte, low first; a set top bit means more
 * follow). Stamps and pointers are stored as the zigzag-coded difference from the
 * thread's previous stamp and previous pointer (both 0 at the start of each chunk), so a
 * chunk decodes on its own. Fields, in order, where the operation has them:
 *     tsc delta    every operation
 *     size         all but free (calloc, reallocarray: the product)
 *     arg delta    free, realloc, reallocarray: the pointer passed
 *     result delta all but free: the pointer returned (0 on failure)
 *     align        posix_memalign, aligned_alloc, memalign, valloc, pvalloc
 *
 * Invariants the recorder keeps: a free is stamped before the real free runs and an
 * allocation after the real allocation returns, so when an address is reused the free of
 * its old block is stamped before the allocation of the new one.
 */
#ifndef TRACE_H
#define TRACE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TRACE_MAGIC "HEAPTRC\0"
#define TRACE_VERSION 3u
#define TRACE_END_TID UINT32_MAX   // no kernel thread id is this large
#define TRACE_END_MAGIC 0x21444e45u  // "END!"
#define TRACE_MAX_CMDLINE 4096u
#define TRACE_MAX_REC 46u      // op + 4 varints of 10 bytes + one of 5

enum {  // trace_rec_t.op
    TR_MALLOC = 1, TR_FREE, TR_CALLOC, TR_REALLOC, TR_REALLOCARRAY, TR_POSIX_MEMALIGN,
    TR_ALIGNED_ALLOC, TR_MEMALIGN, TR_VALLOC, TR_PVALLOC, TR_NOPS
};
static const char *const trace_op_names[TR_NOPS] = {
    "?", "malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign",
    "aligned_alloc", "memalign", "valloc", "pvalloc",
};
static inline bool trace_has_arg(unsigned op) { return op == TR_FREE || op == TR_REALLOC || op == TR_REALLOCARRAY; }
static inline bool trace_has_align(unsigned op) { return op >= TR_POSIX_MEMALIGN; }

typedef struct {
    char magic[8];         // TRACE_MAGIC
    uint32_t version;      // TRACE_VERSION
    uint32_t cmdline_len;  // bytes of command line after the header, NULs between args
    double tsc_hz;         // TSC ticks per second, calibrated at start
    uint32_t pid;
    uint32_t reserved;
} trace_header_t;

typedef struct {
    uint32_t tid;          // kernel thread id
    uint32_t nrec;         // records that follow
    uint32_t nbytes;       // bytes they take
    uint32_t reserved;
} trace_chunk_t;

typedef struct {
    uint64_t tsc;          // stamp (see the invariants above)
    uint64_t size;         // bytes asked for
    uint64_t result;       // the pointer returned (0 for free, or on failure)
    uint64_t arg;          // the pointer passed (free, realloc), else 0
    uint32_t align;        // alignment asked for, else 0
    uint16_t op;           // TR_*
    uint16_t reserved;
} trace_rec_t;

_Static_assert(sizeof(trace_header_t) == 32, "trace header is 32 bytes");
_Static_assert(sizeof(trace_chunk_t) == 16, "chunk header is 16 bytes");

// ---------------------------------------------------------------------------
// Writer: encodes r at p (TRACE_MAX_REC bytes of room); *tsc and *ptr carry the thread's
// previous stamp and pointer. Returns the end of the record.
// ---------------------------------------------------------------------------
static inline uint64_t trace_zigzag(uint64_t d) { return (d << 1) ^ (uint64_t)((int64_t)d >> 63); }

// Inlined into each wrapper, where op is a constant and the field tests fold away.
#define TRACE_HOT static inline __attribute__((always_inline))
TRACE_HOT unsigned char *trace_put(unsigned char *p, uint64_t v)
{
    for (; v >= 0x80; v >>= 7)
        *p++ = (unsigned char)(v | 0x80);
    *p++ = (unsigned char)v;
    return p;
}

TRACE_HOT unsigned char *trace_encode(unsigned char *p, const trace_rec_t *r, uint64_t *tsc, uint64_t *ptr)
{
    *p++ = (unsigned char)r->op;
    p = trace_put(p, trace_zigzag(r->tsc - *tsc));
    *tsc = r->tsc;
    if (r->op != TR_FREE)
        p = trace_put(p, r->size);
    if (trace_has_arg(r->op)) {
        p = trace_put(p, trace_zigzag(r->arg - *ptr));
        *ptr = r->arg;
    }
    if (r->op != TR_FREE) {
        p = trace_put(p, trace_zigzag(r->result - *ptr));
        *ptr = r->result;
    }
    if (trace_has_align(r->op))
        p = trace_put(p, r->align);
    return p;
}

// ---------------------------------------------------------------------------
// Reader: validates a whole trace in memory. Calls `each` for every record of every
// whole chunk, in file order, and tells in *x whether the file is complete. On bad input
// it fills err with the byte offset and the reason and returns false; it never reads
// outside [buf, buf + len).
// ---------------------------------------------------------------------------
// at: the record's byte offset in the file.
typedef void (*trace_visit_fn)(void *ctx, uint32_t tid, const trace_rec_t *r, size_t at);

// How much of the file a successful parse read.
typedef struct {
    bool complete;     // the end marker was found, last, with the right chunk count
    uint32_t chunks;   // whole chunks before the end (or before the cut)
    size_t end;        // the byte after the last whole chunk
    size_t tail;       // bytes of a partial chunk after it (incomplete only)
} trace_extent_t;

// One varint at *off, which must end before end; max: the largest value allowed.
static inline bool trace_get(const unsigned char *buf, size_t *off, size_t end, uint64_t max,
                             const char *what, uint64_t *v, char *err, size_t errlen)
{
    size_t at = *off;
    *v = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (*off >= end) {
            snprintf(err, errlen, "byte %zu: %s runs past the end of its chunk", at, what);
            return false;
        }
        unsigned char b = buf[(*off)++];
        if (shift == 63 && b > 1) {
            snprintf(err, errlen, "byte %zu: %s does not fit in 64 bits", at, what);
            return false;
        }
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    if (*v > max) {
        snprintf(err, errlen, "byte %zu: %s %llu exceeds %llu", at, what, (unsigned long long)*v, (unsigned long long)max);
        return false;
    }
    return true;
}

static inline uint64_t trace_unzigzag(uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }

static inline bool trace_decode(const unsigned char *buf, size_t *off, size_t end, trace_rec_t *r,
                                uint64_t *tsc, uint64_t *ptr, char *err, size_t errlen)
{
    size_t at = *off;
    uint64_t v;
    memset(r, 0, sizeof *r);
    r->op = buf[(*off)++];  // the caller checked *off < end
    if (r->op == 0 || r->op >= TR_NOPS) {
        snprintf(err, errlen, "byte %zu: unknown operation %u", at, r->op);
        return false;
    }
    if (!trace_get(buf, off, end, UINT64_MAX, "stamp", &v, err, errlen))
        return false;
    r->tsc = *tsc += trace_unzigzag(v);
    if (r->op != TR_FREE && !trace_get(buf, off, end, UINT64_MAX, "size", &r->size, err, errlen))
        return false;
    if (trace_has_arg(r->op)) {
        if (!trace_get(buf, off, end, UINT64_MAX, "pointer", &v, err, errlen))
            return false;
        r->arg = *ptr += trace_unzigzag(v);
    }
    if (r->op != TR_FREE) {
        if (!trace_get(buf, off, end, UINT64_MAX, "pointer", &v, err, errlen))
            return false;
        r->result = *ptr += trace_unzigzag(v);
    }
    if (trace_has_align(r->op)) {
        size_t a = *off;
        if (!trace_get(buf, off, end, UINT32_MAX, "alignment", &v, err, errlen))
            return false;
        if (v & (v - 1)) {
            snprintf(err, errlen, "byte %zu: alignment %llu is not a power of two", a, (unsigned long long)v);
            return false;
        }
        r->align = (uint32_t)v;
    }
    return true;
}

// The header and the command line: false (with err) when they cannot be read; *off is
// then the first chunk's offset.
static inline bool trace_parse_header(const unsigned char *buf, size_t len, trace_header_t *h, size_t *off,
                                      char *err, size_t errlen)
{
    if (len < sizeof *h) {
        snprintf(err, errlen, "byte %zu: truncated header (%zu of %zu bytes)", len, len, sizeof *h);
        return false;
    }
    memcpy(h, buf, sizeof *h);
    if (memcmp(h->magic, TRACE_MAGIC, 8) != 0) {
        snprintf(err, errlen, "byte 0: bad magic: not a heaplab trace");
        return false;
    }
    if (h->version != TRACE_VERSION) {
        snprintf(err, errlen, "byte 8: version %u, this reader reads version %u (record it again)", h->version,
                 TRACE_VERSION);
        return false;
    }
    if (h->cmdline_len > TRACE_MAX_CMDLINE) {
        snprintf(err, errlen, "byte 12: command line length %u exceeds %u", h->cmdline_len, TRACE_MAX_CMDLINE);
        return false;
    }
    if (!(h->tsc_hz > 1e6 && h->tsc_hz < 1e11)) {
        snprintf(err, errlen, "byte 16: TSC frequency %g Hz is not plausible", h->tsc_hz);
        return false;
    }
    *off = sizeof *h + h->cmdline_len;
    if (*off > len) {
        snprintf(err, errlen, "byte %zu: truncated command line", len);
        return false;
    }
    return true;
}

// The end marker c at off: it must count the chunks before it and end the file.
static inline bool trace_parse_end(const trace_chunk_t *c, size_t off, size_t len, trace_extent_t *x, char *err,
                                   size_t errlen)
{
    if (c->nbytes != 0 || c->reserved != TRACE_END_MAGIC) {
        snprintf(err, errlen, "byte %zu: bad end marker", off);
        return false;
    }
    if (c->nrec != x->chunks) {
        snprintf(err, errlen, "byte %zu: the end marker counts %u chunks, the file holds %u", off, c->nrec,
                 x->chunks);
        return false;
    }
    if (len - off > sizeof *c) {
        snprintf(err, errlen, "byte %zu: %zu byte(s) after the end marker", off + sizeof *c, len - off - sizeof *c);
        return false;
    }
    x->complete = true;
    return true;
}

// The records of chunk c, whose payload is buf[*off, *off + c->nbytes): each one decoded and
// visited; *off ends past the chunk. start is the chunk header's offset, for messages.
static inline bool trace_parse_chunk(const unsigned char *buf, const trace_chunk_t *c, size_t start, size_t *off,
                                     trace_visit_fn each, void *ctx, char *err, size_t errlen)
{
    size_t end = *off + c->nbytes;
    uint64_t tsc = 0, ptr = 0;
    for (uint32_t i = 0; i < c->nrec; i++) {
        if (*off >= end) {
            snprintf(err, errlen, "byte %zu: chunk of thread %u claims %u records, its %u bytes hold %u", start,
                     c->tid, c->nrec, c->nbytes, i);
            return false;
        }
        trace_rec_t r;
        size_t at = *off;
        if (!trace_decode(buf, off, end, &r, &tsc, &ptr, err, errlen))
            return false;
        if (each)
            each(ctx, c->tid, &r, at);
    }
    if (*off != end) {
        snprintf(err, errlen, "byte %zu: the chunk at byte %zu has %zu byte(s) left after its %u records", *off,
                 start, end - *off, c->nrec);
        return false;
    }
    return true;
}

// Called with each whole chunk's header, and its offset, before its records are visited.
typedef void (*trace_chunk_fn)(void *ctx, const trace_chunk_t *c, size_t at);

// The whole file: header, then chunks until the end marker (complete) or a cut (x->tail
// bytes of an unfinished chunk: incomplete, still true); each chunk goes to chunk() (if
// any), each record to each().
static inline bool trace_parse_chunks(const unsigned char *buf, size_t len, trace_header_t *h, trace_extent_t *x,
                                      trace_chunk_fn chunk, trace_visit_fn each, void *ctx, char *err, size_t errlen)
{
    memset(x, 0, sizeof *x);
    err[0] = 0;
    size_t off;
    if (!trace_parse_header(buf, len, h, &off, err, errlen))
        return false;
    for (;;) {
        x->end = off;
        trace_chunk_t c;
        if (len - off < sizeof c) {  // the end, or a cut inside a chunk header: incomplete
            x->tail = len - off;
            return true;
        }
        memcpy(&c, buf + off, sizeof c);
        if (c.tid == TRACE_END_TID)
            return trace_parse_end(&c, off, len, x, err, errlen);
        if (c.nbytes > len - off - sizeof c) {  // a cut inside a chunk: incomplete
            x->tail = len - off;
            return true;
        }
        size_t start = off;
        off += sizeof c;
        if (chunk)
            chunk(ctx, &c, start);
        if (!trace_parse_chunk(buf, &c, start, &off, each, ctx, err, errlen))
            return false;
        if (x->chunks == UINT32_MAX - 1) {
            snprintf(err, errlen, "byte %zu: more than %u chunks", off, UINT32_MAX - 1);
            return false;
        }
        x->chunks++;
    }
}

static inline bool trace_parse(const unsigned char *buf, size_t len, trace_header_t *h, trace_extent_t *x,
                               trace_visit_fn each, void *ctx, char *err, size_t errlen)
{
    return trace_parse_chunks(buf, len, h, x, NULL, each, ctx, err, errlen);
}

// ---------------------------------------------------------------------------
// A trace's name (record --name, replay --name, HEAPTRACE_NAME): 1 to TRACE_NAME_MAX
// letters, digits, '.', '_' or '-', so that it is safe in a file name and a CSV cell.
// ---------------------------------------------------------------------------
#define TRACE_NAME_MAX 64u
#define TRACE_NAME_RULE "expected 1 to 64 letters, digits, '.', '_' or '-'"
static inline bool trace_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

static inline bool trace_name_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (n >= TRACE_NAME_MAX || !trace_name_char(s[n]))
            return false;
    return n > 0;
}
#endif
