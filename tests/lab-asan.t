#!/bin/bash
# The same unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
. "$(dirname "$0")/lib.sh"
"$BUILD/asan/lab_test"   # (not exec: lib.sh's EXIT trap removes its temporary directory)
