#!/bin/bash
# The summariser's tests again, on its AddressSanitizer + UndefinedBehaviorSanitizer build.
SUMMARIZE="$(cd "$(dirname "$0")/.." && pwd)/build/asan/summarize" exec "$(dirname "$0")/summarize.t"
