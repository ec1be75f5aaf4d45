#!/bin/bash
# Known-answer unit tests of common/lab.h (TAP from build/tests/lab_test).
. "$(dirname "$0")/lib.sh"
exec "$BUILD/tests/lab_test"
