/* trace.h -- the heaplab trace format, shared by the recorder (heaptrace.c), the tools
 * (trace.c) and the reader's fuzzer (trace_fuzz.c).
 *
 * Types and sizes:
 *     trace_header_t   32 bytes + cmdline_len bytes   once, at offset 0
 *     trace_chunk_t    16 bytes                        before each flushed thread buffer
 *     trace_rec_t      40 bytes                        one allocation call
 *
 * A file is a header followed by chunks; each chunk holds the records of one thread in
 * the order that thread made them. Chunks of different threads interleave in flush order,
 * so a reader orders records globally by their TSC stamp (invariant TSC: one clock for
 * every core). All integers are little-endian, the machine's own order.
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
#define TRACE_VERSION 1u
#define TRACE_MAX_CMDLINE 4096u

enum {  // trace_rec_t.op
    TR_MALLOC = 1, TR_FREE, TR_CALLOC, TR_REALLOC, TR_REALLOCARRAY, TR_POSIX_MEMALIGN,
    TR_ALIGNED_ALLOC, TR_MEMALIGN, TR_VALLOC, TR_PVALLOC, TR_NOPS
};
static const char *const trace_op_names[TR_NOPS] = {
    "?", "malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign",
    "aligned_alloc", "memalign", "valloc", "pvalloc",
};

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
    uint64_t reserved;
} trace_chunk_t;

typedef struct {
    uint64_t tsc;          // stamp (see the invariants above)
    uint64_t size;         // bytes asked for (calloc, reallocarray: the product)
    uint64_t result;       // the pointer returned (0 for free, or on failure)
    uint64_t arg;          // the pointer passed (free, realloc), else 0
    uint32_t align;        // alignment asked for, else 0
    uint16_t op;           // TR_*
    uint16_t reserved;
} trace_rec_t;

_Static_assert(sizeof(trace_header_t) == 32, "trace header is 32 bytes");
_Static_assert(sizeof(trace_chunk_t) == 16, "chunk header is 16 bytes");
_Static_assert(sizeof(trace_rec_t) == 40, "record is 40 bytes");

// ---------------------------------------------------------------------------
// Reader: validates a whole trace in memory. Calls `each` for every record of every
// chunk, in file order. On bad input it fills err with the byte offset and the reason and
// returns false; it never reads outside [buf, buf + len).
// ---------------------------------------------------------------------------
typedef void (*trace_visit_fn)(void *ctx, uint32_t tid, const trace_rec_t *r);

static inline bool trace_parse(const unsigned char *buf, size_t len, trace_header_t *h,
                               trace_visit_fn each, void *ctx, char *err, size_t errlen)
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
        snprintf(err, errlen, "byte 8: version %u, this reader reads version %u", h->version, TRACE_VERSION);
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
    size_t off = sizeof *h + h->cmdline_len;
    if (off > len) {
        snprintf(err, errlen, "byte %zu: truncated command line", len);
        return false;
    }
    while (off < len) {
        trace_chunk_t c;
        if (len - off < sizeof c) {
            snprintf(err, errlen, "byte %zu: truncated chunk header", off);
            return false;
        }
        memcpy(&c, buf + off, sizeof c);
        if ((uint64_t)c.nrec * sizeof(trace_rec_t) > len - off - sizeof c) {
            snprintf(err, errlen, "byte %zu: chunk of thread %u claims %u records, file ends first", off, c.tid, c.nrec);
            return false;
        }
        off += sizeof c;
        for (uint32_t i = 0; i < c.nrec; i++, off += sizeof(trace_rec_t)) {
            trace_rec_t r;
            memcpy(&r, buf + off, sizeof r);
            if (r.op == 0 || r.op >= TR_NOPS) {
                snprintf(err, errlen, "byte %zu: unknown operation %u", off + 36, r.op);
                return false;
            }
            if (r.align & (r.align - 1)) {
                snprintf(err, errlen, "byte %zu: alignment %u is not a power of two", off + 32, r.align);
                return false;
            }
            if (each)
                each(ctx, c.tid, &r);
        }
    }
    return true;
}
#endif
