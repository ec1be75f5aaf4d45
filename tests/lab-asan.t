#!/bin/bash
# The same unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
. "$(dirname "$0")/lib.sh"
exec "$BUILD/asan/lab_test"
