/* trace_fuzz.c -- libFuzzer target for the trace reader (trace.h's trace_parse).
 * Built by `make test` with clang -fsanitize=fuzzer,address,undefined; a short bounded
 * run (tests/04-real-workloads.t) must find no crash, leak or out-of-bounds read. Its seeds:
 * the first bytes of the real traces and the crafted traces of tests/trace_craft.py.
 *   build/trace/trace_fuzz -max_total_time=10 CORPUS_DIR
 */
#include "trace.h"

static void visit(void *ctx, uint32_t tid, const trace_rec_t *r, size_t at)
{
    *(uint64_t *)ctx += tid + r->size + at;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    trace_header_t h;
    trace_extent_t x;
    char err[256];
    uint64_t sum = 0;
    if (!trace_parse(data, size, &h, &x, visit, &sum, err, sizeof err)) {
        if (err[0] == 0)
            __builtin_trap();  // every failure must say why
    } else if (x.complete ? x.tail || x.end + sizeof(trace_chunk_t) != size : x.end + x.tail != size) {
        __builtin_trap();  // the extent accounts for every byte: the chunks, then the end marker or the cut
    }
    return 0;
}
