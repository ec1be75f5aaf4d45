# tests/lib.sh -- TAP helpers for the shell tests (run by `prove`, which ends with the
# summary line CI reads). Source it, call plan-free checks, end with `done_testing`.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/heaplab-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
_n=0 _failed=0

ok() {  # ok CONDITION_EXIT_STATUS NAME
    local status=$1; shift
    _n=$((_n + 1))
    if [ "$status" -eq 0 ]; then echo "ok $_n - $*"; else echo "not ok $_n - $*"; _failed=$((_failed + 1)); fi
}

is() {  # is ACTUAL EXPECTED NAME
    local got=$1 want=$2; shift 2
    [ "$got" = "$want" ]; ok $? "$*"
    [ "$got" = "$want" ] || printf '#   got:  %s\n#   want: %s\n' "$got" "$want"
}

# fails_with EXIT_CODE 'stderr pattern' NAME -- command...
# The command must exit with EXIT_CODE, print one line to stderr matching the pattern.
fails_with() {
    local code=$1 pattern=$2 name=$3; shift 4
    local err rc
    err=$("$@" 2>&1 >/dev/null); rc=$?
    [ "$rc" -eq "$code" ] && printf '%s\n' "$err" | grep -qE -- "$pattern"
    ok $? "$name"
    [ "$rc" -eq "$code" ] && printf '%s\n' "$err" | grep -qE -- "$pattern" ||
        printf '#   exit %s (want %s), stderr: %s\n' "$rc" "$code" "$err"
}

# rows IN.csv [--where COND,...]: how many rows (summarize select's conditions).
rows() { "$BUILD/summarize" select "$@" | tail -n +2 | wc -l; }

# Checksums of the committed reference run (data/, figures/): a QUICK run must leave it be.
reference_snapshot() { (cd "$ROOT" && find data figures -type f -exec md5sum {} + 2>/dev/null | sort); }

done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }
