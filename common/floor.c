/* floor.c -- the floor: the cheapest allocator that can pass our checks.
 *
 * An LD_PRELOAD bump allocator. malloc advances a pointer through one region that is
 * mapped and pre-faulted at start (so the floor never pays a page fault); free does not
 * reuse anything, it only decrements a count of live blocks, and when that count reaches
 * zero the pointer rewinds to the start. What a benchmark measures under the floor is
 * therefore the harness (loop, size draws, pattern writes and checks, clock reads) plus a
 * few instructions of allocation: the limit any real allocator can approach.
 *
 * It is used only where memory allows: LAB_FLOOR_MIB (default 512, at most MemAvailable) sets the region;
 * past its end malloc returns NULL with ENOMEM, which the benchmark reports as the run's
 * status. Each block has a 16-byte header holding its size (for realloc and
 * malloc_usable_size).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/single_threaded.h>
#include <unistd.h>

#define HEADER 16  // keeps every block 16-byte aligned, as glibc's are

static char *base, *end;
static _Atomic(uintptr_t) next;
static _Atomic long live;

// A bad setting stops the process with one line and exit 2 (bad input, for common/run).
// Nothing here may call malloc: it is the malloc.
static void refuse(const char *fmt, const char *value, unsigned long long n)
{
    char msg[256];
    int len = snprintf(msg, sizeof msg, fmt, value, n);
    if (write(2, msg, len > 0 && (size_t)len < sizeof msg ? (size_t)len : 0) < 0)
        _exit(2);
    _exit(2);
}

// MemAvailable in MiB; ULLONG_MAX where the kernel does not say.
static unsigned long long available_mib(void)
{
    char buf[4096];
    int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    char *p = n > 0 ? (buf[n] = 0, strstr(buf, "MemAvailable:")) : NULL;
    return p ? strtoull(p + 13, NULL, 10) >> 10 : ULLONG_MAX;
}

// LAB_FLOOR_MIB: 1 to 1048576 (1 TiB), and no more than MemAvailable: the region is
// populated at once, so too large a one would be an out-of-memory kill, not a NULL.
static size_t region_mib(void)
{
    const char *e = getenv("LAB_FLOOR_MIB");
    if (!e)
        return 512;
    char *end;
    errno = 0;
    unsigned long long mib = strtoull(e, &end, 10);
    if (*e < '0' || *e > '9' || *end || errno || mib < 1 || mib > (1u << 20))
        refuse("floor: error: LAB_FLOOR_MIB '%s' is not allowed: expected an integer from 1 to %llu (MiB)\n",
               e, 1u << 20);
    if (mib > available_mib())
        refuse("floor: error: LAB_FLOOR_MIB %s MiB is more than MemAvailable (%llu MiB): the region is populated at once\n",
               e, available_mib());
    return (size_t)mib;
}

// First call comes from the dynamic loader or libc's start-up, before threads exist.
static int init(void)
{
    if (base)
        return 1;
    size_t mib = region_mib();
    void *p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return 0;
    base = p;
    end = base + (mib << 20);
    atomic_store(&next, (uintptr_t)base);
    return 1;
}

static uintptr_t place(uintptr_t at, size_t size, size_t align, uintptr_t *end_of_block)
{
    uintptr_t p = (at + HEADER + align - 1) & ~(uintptr_t)(align - 1);
    *end_of_block = (p + size + 15) & ~(uintptr_t)15;
    return p;
}

// While the process has one thread (glibc's __libc_single_threaded), plain loads and
// stores: an atomic read-modify-write costs more than the rest of the floor together.
static void *bump(size_t size, size_t align)
{
    if (!init() || size > (size_t)(end - base) || align > (1u << 30)) {
        errno = ENOMEM;
        return NULL;
    }
    uintptr_t old = atomic_load_explicit(&next, memory_order_relaxed), p, n;
    if (__libc_single_threaded) {
        p = place(old, size, align, &n);
        if (n > (uintptr_t)end)
            goto full;
        atomic_store_explicit(&next, n, memory_order_relaxed);
        atomic_store_explicit(&live, atomic_load_explicit(&live, memory_order_relaxed) + 1, memory_order_relaxed);
    } else {
        atomic_fetch_add(&live, 1);  // before the bump: a concurrent rewind then cannot happen
        do {
            p = place(old, size, align, &n);
            if (n > (uintptr_t)end) {
                atomic_fetch_sub(&live, 1);
                goto full;
            }
        } while (!atomic_compare_exchange_weak(&next, &old, n));
    }
    ((size_t *)p)[-1] = size;
    return (void *)p;
full:
    errno = ENOMEM;
    return NULL;
}

void *malloc(size_t size) { return bump(size, 16); }

void free(void *p)
{
    if (!p)
        return;
    if (__libc_single_threaded) {
        long n = atomic_load_explicit(&live, memory_order_relaxed) - 1;
        atomic_store_explicit(&live, n, memory_order_relaxed);
        if (n == 0)
            atomic_store_explicit(&next, (uintptr_t)base, memory_order_relaxed);
        return;
    }
    uintptr_t seen = atomic_load(&next);
    // The last live block gone: rewind, unless another thread has bumped meanwhile.
    if (atomic_fetch_sub(&live, 1) == 1)
        atomic_compare_exchange_strong(&next, &seen, (uintptr_t)base);
}

void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = bump(total, 16);
    if (p)
        memset(p, 0, total);  // the rewound region is not zero
    return p;
}

size_t malloc_usable_size(void *p) { return p ? ((size_t *)p)[-1] : 0; }

void *realloc(void *old, size_t size)
{
    if (!old)
        return malloc(size);
    void *p = malloc(size);
    if (p) {
        size_t n = malloc_usable_size(old);
        memcpy(p, old, n < size ? n : size);
        free(old);
    }
    return p;
}

void *reallocarray(void *old, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(old, total);
}

static int pow2(size_t a) { return a && !(a & (a - 1)); }

void *aligned_alloc(size_t align, size_t size)
{
    if (!pow2(align)) {
        errno = EINVAL;
        return NULL;
    }
    return bump(size, align < 16 ? 16 : align);
}

void *memalign(size_t align, size_t size) { return aligned_alloc(align, size); }

int posix_memalign(void **out, size_t align, size_t size)
{
    if (!pow2(align) || align % sizeof(void *))
        return EINVAL;
    void *p = aligned_alloc(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t size) { return aligned_alloc(4096, size); }

void *pvalloc(size_t size) { return aligned_alloc(4096, (size + 4095) & ~(size_t)4095); }
