#!/bin/bash
# Known-answer unit tests of common/lab.h (TAP from build/tests/lab_test).
. "$(dirname "$0")/lib.sh"
"$BUILD/tests/lab_test"   # (not exec: lib.sh's EXIT trap removes its temporary directory)
