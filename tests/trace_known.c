/* trace_known.c -- a program with a known allocation stream, for the recorder's round
 * trip (tests/04-real-workloads.t). Sizes 1000..1099 mark its own calls. Two threads:
 * the second frees, on its own, 10 blocks the first allocated.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void *blocks[10];

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10; i++)
        free(blocks[i]);
    return NULL;
}

int main(void)
{
    for (int i = 0; i < 10; i++) {
        blocks[i] = malloc(1000 + (size_t)i);
        memset(blocks[i], 1, 1000 + (size_t)i);
    }
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    void *c = calloc(10, 101);                   // 1010 bytes
    void *r = realloc(NULL, 1020);
    r = realloc(r, 1021);
    void *ra = reallocarray(NULL, 1, 1030);
    void *pm = NULL;
    if (posix_memalign(&pm, 64, 1040))
        return 1;
    void *aa = aligned_alloc(128, 1024);
    void *ma = memalign(256, 1050);
    void *va = valloc(1060);
    void *pv = pvalloc(1070);
    free(c); free(r); free(ra); free(pm); free(aa); free(ma); free(va); free(pv);
    return 0;
}
