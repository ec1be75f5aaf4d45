/* tests/compare_slow.c -- an "allocator" for tests/compare.t that is glibc made measurably
 * slower: malloc and free spin for 2 us each, then call glibc's own (__libc_malloc: no dlsym,
 * which would allocate). Preloaded as ALLOCATORS="glibc slow=PATH.so". */
#include <stddef.h>
#include <time.h>

void *__libc_malloc(size_t n);
void __libc_free(void *p);

static void spin(void)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 2000);
}

void *malloc(size_t n)
{
    spin();
    return __libc_malloc(n);
}

void free(void *p)
{
    spin();
    __libc_free(p);
}
