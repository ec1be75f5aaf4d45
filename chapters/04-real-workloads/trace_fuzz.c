/* trace_fuzz.c -- libFuzzer target for the trace reader (trace.h's trace_parse).
 * Built by `make test` with clang -fsanitize=fuzzer,address,undefined; a short bounded
 * run (tests/04-real-workloads.t) must find no crash, leak or out-of-bounds read.
 *   build/04-real-workloads/trace_fuzz -max_total_time=10 CORPUS_DIR
 */
#include "trace.h"

static void visit(void *ctx, uint32_t tid, const trace_rec_t *r)
{
    *(uint64_t *)ctx += tid + r->size;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    trace_header_t h;
    char err[256];
    uint64_t sum = 0;
    if (!trace_parse(data, size, &h, visit, &sum, err, sizeof err) && err[0] == 0)
        __builtin_trap();  // every failure must say why
    return 0;
}
