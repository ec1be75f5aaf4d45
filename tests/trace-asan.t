#!/bin/bash
# The trace tools' tests again, on the sanitized builds: trace and replay with
# AddressSanitizer + UndefinedBehaviorSanitizer, heaptrace.so with UBSan.
TRACE_TOOLS="$(cd "$(dirname "$0")/.." && pwd)/build/asan/trace" exec "$(dirname "$0")/trace.t"
