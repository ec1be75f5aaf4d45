/* heaptrace.c -- an LD_PRELOAD recorder of every allocation call (build/04-real-workloads/heaptrace.so).
 *
 * Question: what allocation stream does a real program make? Method: wrap malloc, free,
 * calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc and
 * pvalloc (C++ new/delete reach them through libstdc++), append one compact record per
 * call (trace.h: about 5 bytes) to a buffer of the calling thread, and write a full
 * buffer to the file as one chunk.
 *
 * Run it:   HEAPTRACE_DIR=/tmp/t LD_PRELOAD=build/04-real-workloads/heaptrace.so python3 -c 1
 *           (or: build/04-real-workloads/trace record --out /tmp/t -- python3 -c 1)
 *           build/04-real-workloads/trace info /tmp/t/heaptrace.*.htr
 *
 * Design:
 *  - Per-thread buffers (64 KiB, mmap'd, never malloc'd), reached through an
 *    initial-exec TLS pointer: no lock and no TLS allocation on the fast path.
 *  - Bootstrap: dlsym(RTLD_NEXT) may itself call calloc/malloc; while we resolve, those
 *    calls are served from a static pool, and a free of a pool block is ignored.
 *  - Frees are stamped before the real free, allocations after the real call returns:
 *    a reused address keeps its order. realloc is stamped after it returns.
 *  - A buffer is written at thread exit (a pthread key destructor) and, for every thread
 *    still running, at exit (a destructor of this library).
 *  - fork: the child is not traced (its copy of the buffers is dropped); a child that
 *    execs starts afresh and gets its own file, heaptrace.PID.htr.
 *  - Output goes to $HEAPTRACE_DIR only, never to the program's stdout. Without that
 *    variable, or when the directory is not writable or fills up, one line on stderr says
 *    so and the program runs on untraced.
 */
#define _GNU_SOURCE
#include "trace.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define TLS __thread __attribute__((tls_model("initial-exec")))
#define EXPORT __attribute__((visibility("default")))
enum { BUF_BYTES = 65536 - 64 };  // a 64 KiB mapping per thread

typedef struct tbuf {
    struct tbuf *next;       // all buffers, for the flush at exit
    uint32_t tid, nrec, nbytes;
    uint64_t tsc, ptr;       // the previous record's stamp and pointer (trace.h)
    unsigned char data[BUF_BYTES];
} tbuf_t;

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

static TLS tbuf_t *my_buf;
static TLS int in_hook;          // a call made by the recorder itself is not recorded
static atomic_int state;         // 0 not started, 1 resolving, 2 tracing, 3 off
static int fd = -1;
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static tbuf_t *all_bufs;
static pthread_key_t exit_key;

// ---- bootstrap pool: what dlsym asks for while we resolve the real functions
static _Alignas(64) unsigned char pool[64 * 1024];
static size_t pool_used;
static bool in_pool(const void *p) { return (const unsigned char *)p >= pool && (const unsigned char *)p < pool + sizeof pool; }
static void *pool_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (pool_used + n > sizeof pool)
        return NULL;
    void *p = pool + pool_used;
    pool_used += n;
    return p;  // static memory: already zero
}

static void say(const char *msg)
{
    ssize_t rc = write(2, msg, strlen(msg));
    (void)rc;
}

static void turn_off(const char *why, int err)
{
    char line[512];
    snprintf(line, sizeof line, "heaptrace: %s: %s; the program runs on untraced\n", why, strerror(err));
    say(line);
    atomic_store(&state, 3);
}

static void write_buf(tbuf_t *b)
{
    if (b->nrec == 0 || fd < 0)
        return;
    trace_chunk_t c = { .tid = b->tid, .nrec = b->nrec, .nbytes = b->nbytes };
    struct iovec v[2] = { { &c, sizeof c }, { b->data, b->nbytes } };
    size_t want = v[0].iov_len + v[1].iov_len;
    pthread_mutex_lock(&write_lock);
    ssize_t got = atomic_load(&state) == 2 ? writev(fd, v, 2) : (ssize_t)want;
    if (got != (ssize_t)want && atomic_load(&state) == 2) {
        // A partial chunk would corrupt the file: cut it back to the last whole chunk.
        int e = got < 0 ? errno : ENOSPC;
        if (got > 0)
            (void)!ftruncate(fd, lseek(fd, 0, SEEK_CUR) - got);
        turn_off("cannot write the trace (the file ends at the last whole chunk)", e);
    }
    pthread_mutex_unlock(&write_lock);
    b->nrec = b->nbytes = 0;
    b->tsc = b->ptr = 0;  // the next chunk decodes on its own
}

static void thread_exit(void *arg)
{
    write_buf(arg);
}

static tbuf_t *new_buf(void)
{
    tbuf_t *b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED)
        return NULL;
    b->tid = (uint32_t)syscall(SYS_gettid);
    pthread_mutex_lock(&write_lock);
    b->next = all_bufs;
    all_bufs = b;
    pthread_mutex_unlock(&write_lock);
    pthread_setspecific(exit_key, b);
    return b;
}

static void after_fork_child(void)
{
    // Not traced: the parent writes its own records, and the child's copies are dropped.
    atomic_store(&state, 3);
    fd = -1;
}

static double calibrate_tsc(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC_RAW, &a);
    uint64_t t0 = __rdtsc();
    do
        clock_gettime(CLOCK_MONOTONIC_RAW, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 5000000L);  // 5 ms
    uint64_t t1 = __rdtsc();
    return (double)(t1 - t0) / ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
}

static void open_trace(void)
{
    const char *dir = getenv("HEAPTRACE_DIR");
    if (!dir || !*dir) {
        say("heaptrace: HEAPTRACE_DIR is not set; the program runs on untraced\n");
        atomic_store(&state, 3);
        return;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/heaptrace.%d.htr", dir, (int)getpid());
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        char why[4200];
        snprintf(why, sizeof why, "cannot create %s", path);
        turn_off(why, errno);
        return;
    }
    static char cmd[TRACE_MAX_CMDLINE];
    ssize_t n = 0;
    int cfd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (cfd >= 0) {
        n = read(cfd, cmd, sizeof cmd);
        close(cfd);
    }
    trace_header_t h = { .version = TRACE_VERSION, .cmdline_len = n > 0 ? (uint32_t)n : 0,
                         .tsc_hz = calibrate_tsc(), .pid = (uint32_t)getpid() };
    memcpy(h.magic, TRACE_MAGIC, 8);
    struct iovec v[2] = { { &h, sizeof h }, { cmd, h.cmdline_len } };
    if (writev(fd, v, 2) != (ssize_t)(sizeof h + h.cmdline_len)) {
        turn_off("cannot write the trace header", errno ? errno : ENOSPC);
        close(fd);
        fd = -1;
        return;
    }
    pthread_key_create(&exit_key, thread_exit);
    pthread_atfork(NULL, NULL, after_fork_child);
    atomic_store(&state, 2);
}

static void init(void)
{
    int expect = 0;
    if (!atomic_compare_exchange_strong(&state, &expect, 1))
        return;
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    real_free = dlsym(RTLD_NEXT, "free");
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_reallocarray = dlsym(RTLD_NEXT, "reallocarray");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = dlsym(RTLD_NEXT, "memalign");
    real_valloc = dlsym(RTLD_NEXT, "valloc");
    real_pvalloc = dlsym(RTLD_NEXT, "pvalloc");
    in_hook++;
    open_trace();
    in_hook--;
}

__attribute__((constructor)) static void heaptrace_start(void) { init(); }

__attribute__((destructor)) static void heaptrace_stop(void)
{
    if (atomic_load(&state) != 2)
        return;
    in_hook++;
    for (tbuf_t *b = all_bufs; b; b = b->next)
        write_buf(b);
    in_hook--;
}

// [record]
TRACE_HOT void record(int op, uint64_t size, const void *result, const void *arg, uint32_t align)
{
    if (__builtin_expect(atomic_load_explicit(&state, memory_order_relaxed) != 2 || in_hook, 0))
        return;
    tbuf_t *b = my_buf;
    if (__builtin_expect(!b, 0)) {
        in_hook++;
        b = my_buf = new_buf();
        in_hook--;
        if (!b)
            return;
    }
    trace_rec_t r = { .tsc = __rdtsc(), .size = size, .result = (uintptr_t)result, .arg = (uintptr_t)arg,
                      .align = align, .op = (uint16_t)op };
    b->nbytes = (uint32_t)(trace_encode(b->data + b->nbytes, &r, &b->tsc, &b->ptr) - b->data);
    b->nrec++;
    if (b->nbytes > BUF_BYTES - TRACE_MAX_REC) {
        in_hook++;
        write_buf(b);
        in_hook--;
    }
}
// [/record]

// Each wrapper calls the real function inside in_hook: when an allocator implements one
// entry point with another (glibc's reallocarray calls realloc), one call is one record.

// An alignment the format can hold: a power of two below 2^32, else 0 (the call failed).
#define ALIGN32(a) ((a) && !((a) & ((a) - 1)) && (a) <= 0x80000000u ? (uint32_t)(a) : 0u)
#define RESOLVED(f) (__builtin_expect(real_##f != NULL, 1) || (init(), real_##f != NULL))

EXPORT void *malloc(size_t n)
{
    if (!RESOLVED(malloc))
        return pool_alloc(n);
    in_hook++;
    void *p = real_malloc(n);
    in_hook--;
    record(TR_MALLOC, n, p, NULL, 0);
    return p;
}

EXPORT void free(void *p)
{
    if (in_pool(p))
        return;
    if (!RESOLVED(free))
        return;
    record(TR_FREE, 0, NULL, p, 0);
    in_hook++;
    real_free(p);
    in_hook--;
}

EXPORT void *calloc(size_t k, size_t n)
{
    if (!RESOLVED(calloc))
        return pool_alloc(k * n);
    in_hook++;
    void *p = real_calloc(k, n);
    in_hook--;
    size_t total;
    record(TR_CALLOC, __builtin_mul_overflow(k, n, &total) ? UINT64_MAX : total, p, NULL, 0);
    return p;
}

EXPORT void *realloc(void *old, size_t n)
{
    if (in_pool(old) || !RESOLVED(realloc)) {  // a pool block moves out of the pool
        void *p = RESOLVED(malloc) ? malloc(n) : pool_alloc(n);
        if (p && old) {
            size_t room = (size_t)(pool + sizeof pool - (unsigned char *)old);
            memcpy(p, old, n < room ? n : room);  // never read past the pool
        }
        return p;
    }
    in_hook++;
    void *p = real_realloc(old, n);
    in_hook--;
    record(TR_REALLOC, n, p, old, 0);
    return p;
}

EXPORT void *reallocarray(void *old, size_t k, size_t n)
{
    if (!RESOLVED(reallocarray))
        return NULL;
    in_hook++;
    void *p = real_reallocarray(old, k, n);
    in_hook--;
    size_t total;
    record(TR_REALLOCARRAY, __builtin_mul_overflow(k, n, &total) ? UINT64_MAX : total, p, old, 0);
    return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (!RESOLVED(posix_memalign))
        return ENOMEM;
    in_hook++;
    int rc = real_posix_memalign(out, align, n);
    in_hook--;
    record(TR_POSIX_MEMALIGN, n, rc == 0 ? *out : NULL, NULL, ALIGN32(align));
    return rc;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
    if (!RESOLVED(aligned_alloc))
        return NULL;
    in_hook++;
    void *p = real_aligned_alloc(align, n);
    in_hook--;
    record(TR_ALIGNED_ALLOC, n, p, NULL, ALIGN32(align));
    return p;
}

EXPORT void *memalign(size_t align, size_t n)
{
    if (!RESOLVED(memalign))
        return NULL;
    in_hook++;
    void *p = real_memalign(align, n);
    in_hook--;
    record(TR_MEMALIGN, n, p, NULL, ALIGN32(align));
    return p;
}

EXPORT void *valloc(size_t n)
{
    if (!RESOLVED(valloc))
        return NULL;
    in_hook++;
    void *p = real_valloc(n);
    in_hook--;
    record(TR_VALLOC, n, p, NULL, 4096);
    return p;
}

EXPORT void *pvalloc(size_t n)
{
    if (!RESOLVED(pvalloc))
        return NULL;
    in_hook++;
    void *p = real_pvalloc(n);
    in_hook--;
    record(TR_PVALLOC, n, p, NULL, 4096);
    return p;
}
