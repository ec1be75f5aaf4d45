/* tests/compare_known.c -- a program whose allocations are known, for tests/compare.t:
 * N malloc/free pairs of 2500 bytes (2049-4095: a size bin libc's own start-up does not
 * use), each block written and checked, then a second thread allocates 1000 blocks of 300
 * bytes that the main thread frees (1000 cross-thread frees). Prints the sum it checked. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAIRS = 100000, SIZE = 2500, HANDED = 1000, SMALL = 300 };
static void *blocks[HANDED];

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 0; i < HANDED; i++) {
        blocks[i] = malloc(SMALL);
        if (!blocks[i])
            abort();
        memset(blocks[i], i & 0xff, SMALL);
    }
    return NULL;
}

int main(void)
{
    unsigned long sum = 0;
    for (int i = 0; i < PAIRS; i++) {
        unsigned char *p = malloc(SIZE);
        if (!p)
            abort();
        p[0] = (unsigned char)i;
        p[SIZE - 1] = (unsigned char)(i >> 8);
        sum += p[0] + p[SIZE - 1];
        free(p);
    }
    pthread_t t;
    if (pthread_create(&t, NULL, producer, NULL) != 0 || pthread_join(t, NULL) != 0)
        abort();
    for (int i = 0; i < HANDED; i++) {
        sum += ((unsigned char *)blocks[i])[SMALL - 1];
        free(blocks[i]);
    }
    printf("%lu\n", sum);
    return 0;
}
