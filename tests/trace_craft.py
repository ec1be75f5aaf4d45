#!/usr/bin/env python3
"""trace_craft.py DIR -- writes crafted traces (format: common/trace/trace.h,
version 3) into DIR: the hostile cases of issue 10, item 6, and the cut-short cases of
item 7. tests/trace.t checks how the tools answer each; tests/04-real-workloads.t seeds
the reader's fuzzer with them.
"""
import os, struct, sys

MALLOC, FREE, CALLOC, REALLOC = 1, 2, 3, 4
END_TID, END_MAGIC = 0xFFFFFFFF, 0x21444E45


def varint(v):
    out = b''
    while v >= 0x80:
        out += bytes([v & 0x7F | 0x80])
        v >>= 7
    return out + bytes([v])


def zigzag(d):
    d &= (1 << 64) - 1
    return ((d << 1) ^ (0xFFFFFFFFFFFFFFFF if d >> 63 else 0)) & ((1 << 64) - 1)


def header(cmd=b'crafted\0'):
    return b'HEAPTRC\0' + struct.pack('<IIdII', 3, len(cmd), 2e9, 4242, 0) + cmd


def chunk(events, tid=7, t0=0, stamps=None):
    """events: (op, size, arg, result); stamps t0 + 1, t0 + 2, ... (or the list stamps) as
    the recorder's deltas."""
    tsc = ptr = 0
    body = b''
    for i, (op, size, arg, result) in enumerate(events):
        stamp = stamps[i] if stamps else t0 + i + 1
        body += bytes([op]) + varint(zigzag(stamp - tsc))
        tsc = stamp
        if op != FREE:
            body += varint(size)
        if op in (FREE, REALLOC):
            body += varint(zigzag(arg - ptr))
            ptr = arg
        if op != FREE:
            body += varint(zigzag(result - ptr))
            ptr = result
    return struct.pack('<IIII', tid, len(events), len(body), 0) + body


def end(nchunks):
    return struct.pack('<IIII', END_TID, nchunks, 0, END_MAGIC)


def trace(*chunks):
    return header() + b''.join(chunks) + end(len(chunks))


def old_hash(a, mask=1023):  # the address map's hash (trace.c), 1024 entries for a short trace
    return ((a * 0x9E3779B97F4A7C15) & ((1 << 64) - 1)) >> 20 & mask


# A block whose entry, once freed, lay where the probe for address 0x1 starts: the old map
# marked a deleted entry with key 1, so free(0x1) matched it, and the slot it named was
# by then another block's.
twin = next(a for a in range(0x10000, 1 << 40, 16) if old_hash(a) == old_hash(1))

# Block lives with known lifetimes (tests/trace.t has the rows trace info must give). The
# comments give each allocating call's number, the clock lifetimes are counted in, and
# each block's lifetime when its life ends: the allocating calls strictly between.
A, B, C, D, E, F, G, H, I, J, K, L = (0x10000 * n for n in range(1, 13))
lives = trace(
    chunk([(MALLOC, 16, 0, A),        # 0
           (FREE, 0, A, 0),           # A: 0
           (MALLOC, 32, 0, B),        # 1
           (CALLOC, 64, 0, C),        # 2
           (MALLOC, 8, 0, D),         # 3
           (FREE, 0, B, 0),           # B: 2
           (REALLOC, 128, C, C),      # 4, C: 1; grows in place, chain 1
           (REALLOC, 256, C, E),      # 5, C: 0; grows, moves, chain 2
           (REALLOC, 100, E, E),      # 6, E: 0; shrinks, chain 3
           (REALLOC, 40, 0, F),       # 7, realloc(NULL): a chain starts
           (REALLOC, 80, F, G),       # 8, F: 0; grows, moves, chain 1
           (REALLOC, 0, G, 0),        # 9, G: 0; a free, ending a chain of 1
           (MALLOC, 1 << 50, 0, 0),   # 10, failed: still a call
           (FREE, 0, E, 0),           # E: 4 (3 were failed calls not counted), ending a chain of 3
           (MALLOC, 24, 0, H),        # 11
           (MALLOC, 48, 0, I),        # 12
           (MALLOC, 1000, 0, L)],     # 13
          tid=1),
    chunk([(MALLOC, 8, 0, J),         # 14
           (FREE, 0, H, 0),           # H: 3, made by thread 1
           (FREE, 0, D, 0),           # D: 11, made by thread 1
           (FREE, 0, J, 0),           # J: 0
           (REALLOC, 64, I, I),       # 15, I: 2; grows in place, chain 1, now thread 2's
           (REALLOC, 64, I, K),       # 16, I: 0; same size, moves, chain 2
           (FREE, 0, K, 0),           # K: 0, on the thread that realloc'd it: a chain of 2
           (REALLOC, 2000, L, L),     # 17, L: 3; grows in place, chain 1, live at the end
           (FREE, 0, 0x999990, 0),    # unknown
           (FREE, 0, 0, 0)],          # free(NULL)
          tid=2, t0=100))

# Two threads that hand one slot to each other at every event: thread 1 allocates a block,
# thread 2 frees it, thread 1 allocates the next (in the slot just freed), and so on. Each
# event's slot was last touched by the other thread: every event of the replay waits.
def ping_pong(blocks):
    addr = [0x10000 + 32 * (i % 3) for i in range(blocks)]
    one = chunk([(MALLOC, 24 + 8 * (i % 5), 0, a) for i, a in enumerate(addr)], tid=1,
                stamps=[2 * i + 1 for i in range(blocks)])
    two = chunk([(FREE, 0, a, 0) for a in addr], tid=2, stamps=[2 * i + 2 for i in range(blocks)])
    return trace(one, two)


cases = {
    'size-max.htr': trace(chunk([(MALLOC, 2**64 - 1, 0, 0x10000)])),
    'size-max8.htr': trace(chunk([(MALLOC, 2**64 - 8, 0, 0x10000)])),
    'size-1t.htr': trace(chunk([(MALLOC, 1 << 40, 0, 0x10000), (FREE, 0, 0x10000, 0)])),
    'size-20g.htr': trace(chunk([(MALLOC, 20 << 30, 0, 0x10000), (FREE, 0, 0x10000, 0)])),
    'free-1.htr': trace(chunk([(MALLOC, 16, 0, twin), (FREE, 0, twin, 0), (MALLOC, 16, 0, 0x20000),
                               (FREE, 0, 1, 0), (FREE, 0, 0x20000, 0)])),
    'addr-edges.htr': trace(chunk([(MALLOC, 8, 0, 1), (MALLOC, 8, 0, 2**64 - 1), (REALLOC, 24, 1, 2**64 - 16),
                                   (FREE, 0, 2**64 - 1, 0), (FREE, 0, 2**64 - 16, 0)])),
    'header-only.htr': header() + end(0),
    'header-only-cut.htr': header(),
    'empty.htr': b'',
    'failed-only.htr': trace(chunk([(MALLOC, 1 << 50, 0, 0), (FREE, 0, 0, 0)])),
    'end-count.htr': header() + chunk([(MALLOC, 8, 0, 0x10000)]) + end(2),
    'after-end.htr': trace(chunk([(MALLOC, 8, 0, 0x10000)])) + b'\0',
    'cut-in-chunk.htr': trace(chunk([(MALLOC, 8, 0, 0x10000), (FREE, 0, 0x10000, 0)]))[:-20],
    'lives.htr': lives,
    'two-threads.htr': trace(chunk([(MALLOC, 100, 0, 0x10000)], tid=1), chunk([(FREE, 0, 0x10000, 0)], tid=2)),
    'ping-pong.htr': ping_pong(500),  # (3.6 KB: whole under the fuzzer's 4096 bytes)
    # realloc(p, 0) of a block the trace never allocated, returning NULL (it freed p): an
    # unmatched free, nothing to replay (the replay once wrote to slot UINT32_MAX)
    'realloc0-unknown.htr': trace(chunk([(MALLOC, 16, 0, 0x10000), (REALLOC, 0, 0x5000, 0), (FREE, 0, 0x10000, 0)])),
}

if __name__ == '__main__':  # (tests/trace.t imports its encoders)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, data in cases.items():
        with open(os.path.join(sys.argv[1], name), 'wb') as f:
            f.write(data)
