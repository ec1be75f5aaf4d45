/* heaptrace.c -- an LD_PRELOAD recorder of every allocation call (build/trace/heaptrace.so).
 *
 * Question: what allocation stream does a real program make? Method: wrap malloc, free,
 * calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc and
 * pvalloc (C++ new/delete reach them through libstdc++), append one compact record per
 * call (trace.h: about 5 bytes) to a buffer of the calling thread, and write a full
 * buffer to the file as one chunk.
 *
 * Run it:   HEAPTRACE_DIR=/tmp/t LD_PRELOAD=build/trace/heaptrace.so python3 -c 1
 *           (or: build/trace/trace record --out /tmp/t -- python3 -c 1)
 *           build/trace/trace info /tmp/t/heaptrace.*.htr
 *
 * Design:
 *  - Per-thread buffers (64 KiB, mmap'd, never malloc'd), reached through an
 *    initial-exec TLS pointer: no lock and no TLS allocation on the fast path.
 *  - Bootstrap: dlsym(RTLD_NEXT) may itself call calloc/malloc; while we resolve, those
 *    calls are served from a static pool, and a free of a pool block is ignored.
 *  - Frees are stamped before the real free, allocations after the real call returns:
 *    a reused address keeps its order. realloc is stamped after it returns.
 *  - A buffer is written at thread exit (a pthread key destructor) and, for every thread
 *    still running, at exit (a destructor of this library), which then writes the end
 *    marker (trace.h). Those threads may be appending while exit runs: each append is
 *    bracketed by its buffer's busy flag, and the exit stops new appends, then waits
 *    until no buffer is busy. The hot path pays no fence for this: one membarrier(2) at
 *    exit orders every thread's flag store before its check of the state.
 *  - The trace's descriptor is checked before every write: a program may close it (as
 *    daemons close every fd) and get the number back for a file of its own. Then the
 *    recorder stops, says so once, and the trace is left without its end marker.
 *  - fork: the child is not traced (its copy of the buffers is dropped); a child that
 *    execs starts afresh and gets its own file, heaptrace.PID.htr (NAME.PID.htr with
 *    HEAPTRACE_NAME=NAME, as trace record --name NAME sets it).
 *  - Output goes to $HEAPTRACE_DIR only, never to the program's stdout. Without that
 *    variable, or when the directory is not writable or fills up, one line on stderr says
 *    so and the program runs on untraced.
 */
#define _GNU_SOURCE
#include "trace.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
    atomic_int busy;         // its thread is appending (see record)
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
enum { ST_NEW, ST_RESOLVING, ST_TRACING, ST_STOPPING, ST_OFF };
static atomic_int state;         // records are appended in ST_TRACING only
static pthread_key_t exit_key;
static int membarrier_cmd;       // the fence of heaptrace_stop: expedited where registered

// The file, under write_lock: its descriptor and identity, and what it holds so far.
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static int fd = -1;              // -1: nothing more is written
static dev_t fd_dev;
static ino_t fd_ino;
static uint64_t file_len;        // bytes written: the next chunk goes here
static uint32_t chunks;          // chunks written, for the end marker
static char trace_file[4096];
static tbuf_t *all_bufs;

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

// err 0: no system error to add.
static void turn_off(const char *why, int err)
{
    char line[4600];
    snprintf(line, sizeof line, "heaptrace: %s%s%s; the program runs on untraced\n", why, err ? ": " : "",
             err ? strerror(err) : "");
    say(line);
    atomic_store(&state, ST_OFF);
}

// Is fd still the trace's file? The program may have closed it and opened one of its own.
static bool still_ours(void)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == fd_dev && st.st_ino == fd_ino;
}

// Appends v to the file, under write_lock; on failure nothing more is written.
static bool put(const struct iovec *v, int n)
{
    if (fd < 0)
        return false;
    if (!still_ours()) {
        char why[4300];
        snprintf(why, sizeof why, "the program closed descriptor %d, which wrote %s; the trace stops there, incomplete",
                 fd, trace_file);
        fd = -1;  // never written again, never closed: it is the program's now
        turn_off(why, 0);
        return false;
    }
    size_t want = 0;
    for (int i = 0; i < n; i++)
        want += v[i].iov_len;
    ssize_t got = pwritev(fd, v, n, (off_t)file_len);
    if (got != (ssize_t)want) {
        // A partial chunk would corrupt the file: cut it back to the last whole chunk.
        int e = got < 0 ? errno : ENOSPC;
        (void)!ftruncate(fd, (off_t)file_len);
        close(fd);
        fd = -1;
        turn_off("cannot write the trace (the file ends at the last whole chunk, incomplete)", e);
        return false;
    }
    file_len += want;
    return true;
}

// Writes b's records as one chunk and empties b. Its thread is not appending (its own
// flush, its exit, or heaptrace_stop waited).
static void write_buf(tbuf_t *b)
{
    pthread_mutex_lock(&write_lock);
    if (b->nrec) {
        trace_chunk_t c = { .tid = b->tid, .nrec = b->nrec, .nbytes = b->nbytes };
        struct iovec v[2] = { { &c, sizeof c }, { b->data, b->nbytes } };
        if (put(v, 2))
            chunks++;
    }
    b->nrec = b->nbytes = 0;
    b->tsc = b->ptr = 0;  // the next chunk decodes on its own
    pthread_mutex_unlock(&write_lock);
}

static void thread_exit(void *arg)
{
    in_hook++;
    write_buf(arg);
    in_hook--;
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
    atomic_store(&state, ST_OFF);
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
    // The file's name: HEAPTRACE_NAME (trace record --name), else heaptrace; checked, since
    // it becomes part of a path and, in the replay, a CSV cell.
    const char *name = getenv("HEAPTRACE_NAME");
    if (!name || !*name)
        name = "heaptrace";
    if (!trace_name_ok(name)) {
        say("heaptrace: HEAPTRACE_NAME is not a trace name (" TRACE_NAME_RULE "); the program runs on untraced\n");
        atomic_store(&state, 3);
        return;
    }
    snprintf(trace_file, sizeof trace_file, "%s/%s.%d.htr", dir, name, (int)getpid());
    fd = open(trace_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        char why[4200];
        snprintf(why, sizeof why, "cannot create %s", trace_file);
        turn_off(why, errno);
        return;
    }
    fd_dev = st.st_dev;
    fd_ino = st.st_ino;
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
    if (!put(v, 2))
        return;
    // The expedited fence needs registering first; the global one (slower) does not.
    membarrier_cmd = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0
                         ? MEMBARRIER_CMD_PRIVATE_EXPEDITED : MEMBARRIER_CMD_GLOBAL;
    pthread_key_create(&exit_key, thread_exit);
    pthread_atfork(NULL, NULL, after_fork_child);
    atomic_store(&state, ST_TRACING);
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

// Waits until b's thread is not appending to it: false after two seconds (a thread that
// cannot run), or for the calling thread's own buffer (exit called inside an append).
static bool wait_idle(tbuf_t *b)
{
    if (!atomic_load_explicit(&b->busy, memory_order_acquire))
        return true;
    if (b == my_buf)
        return false;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        sched_yield();
        if (!atomic_load_explicit(&b->busy, memory_order_acquire))
            return true;
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while (t.tv_sec - t0.tv_sec < 2);
    return false;
}

// At exit: stop the appends, wait for those under way, write every buffer and the end
// marker. A buffer that cannot be written safely leaves the trace without its marker.
__attribute__((destructor)) static void heaptrace_stop(void)
{
    int expect = ST_TRACING;
    if (!atomic_compare_exchange_strong(&state, &expect, ST_STOPPING))
        return;
    in_hook++;
    // After the fence, a thread that is appending has its busy flag visible to us, and
    // one that is not yet will see ST_STOPPING and append nothing (record).
    bool fenced = syscall(SYS_membarrier, membarrier_cmd, 0, 0) == 0;
    pthread_mutex_lock(&write_lock);
    tbuf_t *head = all_bufs;
    pthread_mutex_unlock(&write_lock);
    uint32_t skipped = 0;
    for (tbuf_t *b = head; b; b = b->next) {
        if ((fenced || b == my_buf) && wait_idle(b))
            write_buf(b);
        else
            skipped++;
    }
    pthread_mutex_lock(&write_lock);
    if (skipped && fd >= 0) {
        char why[4300];
        snprintf(why, sizeof why, "%u thread buffer(s) could not be written at exit; %s is incomplete", skipped,
                 trace_file);
        turn_off(why, 0);
    } else {
        trace_chunk_t end = { .tid = TRACE_END_TID, .nrec = chunks, .nbytes = 0, .reserved = TRACE_END_MAGIC };
        struct iovec v = { &end, sizeof end };
        put(&v, 1);
    }
    if (fd >= 0 && still_ours())
        close(fd);
    fd = -1;
    pthread_mutex_unlock(&write_lock);
    atomic_store(&state, ST_OFF);
    in_hook--;
}

// [record]
TRACE_HOT void record(int op, uint64_t size, const void *result, const void *arg, uint32_t align)
{
    if (__builtin_expect(atomic_load_explicit(&state, memory_order_relaxed) != ST_TRACING || in_hook, 0))
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
    // Busy, then the state again: heaptrace_stop's fence orders the two (no fence here).
    atomic_store_explicit(&b->busy, 1, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst);
    if (__builtin_expect(atomic_load_explicit(&state, memory_order_relaxed) == ST_TRACING, 1)) {
        b->nbytes = (uint32_t)(trace_encode(b->data + b->nbytes, &r, &b->tsc, &b->ptr) - b->data);
        b->nrec++;
        if (b->nbytes > BUF_BYTES - TRACE_MAX_REC) {
            in_hook++;
            write_buf(b);
            in_hook--;
        }
    }
    atomic_store_explicit(&b->busy, 0, memory_order_release);
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
