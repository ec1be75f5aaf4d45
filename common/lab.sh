# common/lab.sh -- what the runner, its wrappers and the scripts share (bash; source it,
# after defining `die MESSAGE`, which prints one line and exits 2).
#
#   lab_lock WHO            take the machine-wide measurement lock on fd 9; while waiting,
#                           say which process holds it
#   "${lab_tied[@]}" CMD 9>&-
#                           run CMD without the lock's descriptor, killed when this shell
#                           dies, even by kill -9 (PR_SET_PDEATHSIG): a helper never outlives
#                           its runner, and never keeps the lock after it
#   lab_wrap "$@"           a wrapper's whole command line (common/wrap/*, see common/run)
#   lab_tmpdir DIR [PID]    the process's temporary directory DIR/.tmp/PID (made, printed);
#                           first sweeps those whose process is gone
#   lab_opt / lab_flag      option parsing: a value is present, an option is given once
#   lab_val SUMMARY A M COL one field of a summary (build/summarize's CSV), by column name
#
# Temporary files: one directory per process, beside the files it writes (DIR/.tmp/PID), so
# that the final rename into DIR is atomic; removed by the writer on exit, and by the next
# writer into DIR if the writer was killed.
LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_LOCK_PATH=${LAB_LOCK:-/tmp/heaplab-measure.lock}
lab_tied=(setpriv --pdeathsig KILL)

# The holder writes its pid and command line into the lock file: a waiter can say who it
# waits for (the kernel's /proc/locks names whoever called flock, here a flock(1) long gone).
lab_lock_holder() {
    local pid cmd
    read -r pid cmd <"$LAB_LOCK_PATH" 2>/dev/null || true
    [[ ${pid:-} =~ ^[0-9]+$ ]] || { echo "a process that did not say who it is"; return; }
    if [ -e "/proc/$pid" ]; then echo "pid $pid ($cmd)"
    else echo "pid $pid ($cmd), which has exited: a process it left behind"; fi
}

lab_lock() {  # WHO
    exec 9>>"$LAB_LOCK_PATH" || die "cannot open the lock file '$LAB_LOCK_PATH' (LAB_LOCK)"
    if ! flock -n 9; then
        echo "$1: waiting for another measurement to finish: $(lab_lock_holder) holds $LAB_LOCK_PATH" >&2
        flock 9
    fi
    local cmd; cmd=$(tr '\0' ' ' </proc/$$/cmdline | cut -c1-200)
    echo "$$ ${cmd% }" 2>/dev/null >"$LAB_LOCK_PATH" || true
}

# A wrapper (common/wrap/NAME; its contract is in common/run) sets WRAP_COLUMNS and defines
# `check` (prints why the tool cannot run here, returns 1), optionally `context` (lines for
# env.txt, e.g. the tool's settings on this machine) and `measure CMD...` (runs
# "${lab_cmd[@]}", which is CMD with the allocator's preload, under its tool and writes its
# values to $LAB_WRAP_OUT; returns CMD's status), then calls lab_wrap "$@". The tool itself
# runs without the allocator, tied to the wrapper (lab_tied): it dies with it.
lab_wrap() {
    case ${1:-} in
        -h|--help) sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        --columns) echo "$WRAP_COLUMNS"; exit 0 ;;
        --row-columns) echo "${WRAP_ROW_COLUMNS:-}"; exit 0 ;;
        --check) check; exit ;;
        --context) ! declare -F context >/dev/null || context; exit 0 ;;
        '') die "no command given: expected ${0##*/} --columns | --row-columns | --check | --context | CMD [ARG...]" ;;
        -*) die "unknown option '$1': expected --columns, --row-columns, --check, --context, --help or a command" ;;
    esac
    [ -n "${LAB_WRAP_OUT:-}" ] && [ -d "${LAB_WRAP_DIR:-}" ] ||
        die "LAB_WRAP_OUT and LAB_WRAP_DIR are not set: common/run --wrap ${0##*/} runs this"
    lab_cmd=("$@")
    [ -z "${LAB_PRELOAD:-}" ] || lab_cmd=(env LD_PRELOAD="$LAB_PRELOAD" "$@")
    measure "$@"
}

# lab_timed CMD...: runs CMD; its status in lab_rc, its wall time in seconds in lab_wall_s.
lab_timed() {
    local t0 t1
    lab_rc=0; t0=$(date +%s%N)
    "$@" || lab_rc=$?
    t1=$(date +%s%N)
    lab_wall_s=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.6f", d / 1e9 }')
}

lab_tmpdir() {  # DIR [PID]
    local dir=$1 pid=${2:-$$} d p
    for d in "$dir"/.tmp/*; do
        p=${d##*/}
        [[ $p =~ ^[0-9]+$ ]] && [ "$p" != "$pid" ] && [ ! -e "/proc/$p" ] && rm -rf -- "$d"
    done
    for d in "$dir"/*.tmp.[0-9]*; do  # the older convention: FILE.tmp.PID[.err]
        p=${d##*.tmp.}; p=${p%.err}
        [[ $p =~ ^[0-9]+$ ]] && [ ! -e "/proc/$p" ] && rm -f -- "$d"
    done
    mkdir -p "$dir/.tmp/$pid" && echo "$dir/.tmp/$pid"
}

lab_rmtmp() {  # TMPDIR: remove it, and .tmp too when it is left empty
    rm -rf -- "$1"
    rmdir -- "${1%/*}" 2>/dev/null || true
}

# In a parser's case:  --out) lab_opt "$@"; out=$2; shift 2 ;;   --quick) lab_flag "$1"; ...
declare -A lab_seen=()
lab_flag() {
    [ -z "${lab_seen[$1]:-}" ] || die "$1 is given twice"
    lab_seen[$1]=1
}
lab_opt() {
    lab_flag "$1"
    [ $# -ge 2 ] || die "$1 needs a value"
}

# lab_val SUMMARY ALLOCATOR METRIC COLUMN: one field of a summary's row ('' when the row is
# absent or its allocator did not run), found by the header's names, not positions.
lab_val() {
    awk -F, -v a="$2" -v m="$3" -v c="$4" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        $h["allocator"] == a && $h["metric"] == m && $h["n"] > 0 { print $h[c]; exit }' "$1"
}
