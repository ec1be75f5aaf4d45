/* trace_known.c -- programs for the recorder's tests (tests/trace.t), chosen by argv[1]:
 *   (none)          a known allocation stream, for the round trip. Sizes 1000..1099 mark
 *                   its own calls. Two threads: the second frees, on its own, 10 blocks
 *                   the first allocated.
 *   daemon FILE     closes fds 3 to 1023 as a daemon does, opens FILE (it gets the number
 *                   the trace had), allocates and frees 200,000 blocks, writes one line
 *                   to FILE: the recorder must not write into it (issue 10, item 1).
 *   exit-race       4 threads allocate and free without end while main calls exit():
 *                   the trace must come out whole (issue 10, item 7).
 *   forever         allocates and frees until killed (a kill -9 leaves an incomplete trace).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void *blocks[10];

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10; i++)
        free(blocks[i]);
    return NULL;
}

static int known(void)
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

static int daemon_like(const char *file)
{
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return 1;
    enum { N = 200000 };
    void **p = malloc(N * sizeof *p);
    for (int i = 0; i < N; i++)
        memset(p[i] = malloc(16 + i % 64), 1, 16);
    for (int i = 0; i < N; i++)
        free(p[i]);
    free(p);
    static const char line[] = "the program's own line\n";
    if (write(fd, line, sizeof line - 1) != (ssize_t)sizeof line - 1)
        return 1;
    return close(fd) != 0;
}

static void *churn(void *arg)
{
    void *ring[64] = { 0 };
    for (unsigned i = (unsigned)(size_t)arg;; i++) {
        free(ring[i % 64]);
        memset(ring[i % 64] = malloc(8 + i % 200), 2, 8);
    }
    return NULL;
}

static int exit_race(void)
{
    pthread_t t;
    for (size_t i = 0; i < 4; i++)
        pthread_create(&t, NULL, churn, (void *)i);
    nanosleep(&(struct timespec){ 0, 5 * 1000000 }, NULL);
    exit(0);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "daemon") == 0)
        return daemon_like(argv[2]);
    if (argc == 2 && strcmp(argv[1], "exit-race") == 0)
        return exit_race();
    if (argc == 2 && strcmp(argv[1], "forever") == 0)
        churn(NULL);
    return known();
}
