/* floor.c -- the floor: the cheapest allocator that can pass our checks.
 *
 * An LD_PRELOAD bump allocator. malloc advances a pointer through one region that is
 * mapped and pre-faulted at start (so the floor never pays a page fault); free does not
 * reuse anything, it only decrements a count of live blocks, and when that count reaches
 * zero the pointer rewinds to the start. What a benchmark measures under the floor is
 * therefore the harness (loop, size draws, pattern writes and checks, clock reads) plus a
 * few instructions of allocation: the limit any real allocator can approach.
 *
 * It is used only where memory allows: LAB_FLOOR_MIB (default 512) sets the region;
 * past its end malloc returns NULL with ENOMEM, which the benchmark reports as the run's
 * status. Each block has a 16-byte header holding its size (for realloc and
 * malloc_usable_size).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/single_threaded.h>

#define HEADER 16  // keeps every block 16-byte aligned, as glibc's are

static char *base, *end;
static _Atomic(uintptr_t) next;
static _Atomic long live;

// First call comes from the dynamic loader or libc's start-up, before threads exist.
static int init(void)
{
    if (base)
        return 1;
    const char *e = getenv("LAB_FLOOR_MIB");
    size_t mib = e && atol(e) > 0 ? (size_t)atol(e) : 512;
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
