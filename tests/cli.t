#!/bin/bash
# The chapter programs' command lines (issue 10): -h/--help, one clear line for every bad,
# missing or duplicated value, the k/m/g suffixes the usage texts promise, a footprint
# that cannot fit refused before anything is allocated, allocator names kept out of CSV.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

# Each program with the arguments that make a run valid, and its integer options.
declare -A base=(
    [01-micro]="--workload small --quick"
    [02-threads]="--workload thread-local --quick"
    [03-fragmentation]="--workload holes --quick"
    [05-internals]="--workload fill --quick"
    [06-method]="--workload clock --quick"
    [07-classics]="--workload malloc-large --quick"
)
declare -A ints=(
    [01-micro]="--live --rounds --min-ms --lat-rounds --seed --rep"
    [02-threads]="--threads --ops --live --min-ms --seed --rep"
    [03-fragmentation]="--count --hz --seed --rep"
    [05-internals]="--count --requests --ops --seed --rep"
    [06-method]="--calibrations --seed --rep"
    [07-classics]="--live --steps --seed --rep"
)
# Those whose range starts above 0: 0 is an error there too.
declare -A no_zero=(
    [01-micro]="--live --rounds"
    [02-threads]="--threads --ops --live"
    [03-fragmentation]="--count --hz"
    [05-internals]="--count --requests --ops"
    [06-method]="--calibrations"
    [07-classics]="--live --steps"
)
# Boolean options: a flag each way (--X and --no-X), which records 1 or 0 in column X.
declare -A flags=(
    [02-threads]="pin"
    [03-fragmentation]="sampler"
)
# Options of other kinds, with a value that is wrong for them.
declare -A others=(
    [01-micro]="--sizes=uniform:9:8 --free-fraction=2 --workload=huge"
    [02-threads]="--workload=locks"
    [03-fragmentation]="--sizes=uniform:0:8 --keep=1 --release=later --workload=x"
    [05-internals]="--workload=x"
    [06-method]="--workload=x"
    [07-classics]="--sizes=uniform:9:8 --order=bogus --workload=x"
)

# one_line CODE PATTERN NAME -- command: exits CODE, prints nothing on stdout and exactly
# one line on stderr, which matches PATTERN (an extended regular expression).
one_line() {
    local code=$1 pattern=$2 name=$3 out rc lines
    shift 4
    out=$("$@" 2>"$TMP/err"); rc=$?
    mapfile -t lines <"$TMP/err"
    [ "$rc" -eq "$code" ] && [ -z "$out" ] && [ ${#lines[@]} -eq 1 ] && [[ ${lines[0]} =~ $pattern ]]
    ok $? "$name" || printf '#   exit %s (want %s), stdout: %.80s, stderr: %s\n' "$rc" "$code" "$out" "${lines[*]}"
}

# A value as a literal part of a regular expression.
re() { sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"; }

# Runs a command that must never allocate much: with 4 GiB of address space at most, so
# that a broken guard fails the test instead of exhausting the machine.
small() { (ulimit -v 4194304; timeout 20 "$@"); }

for p in 01-micro 02-threads 03-fragmentation 05-internals 06-method 07-classics; do
    prog=$BUILD/$p/$p
    read -ra args <<<"${base[$p]}"

    for h in -h --help; do
        out=$("$prog" $h 2>"$TMP/err"); rc=$?
        ok $(( rc != 0 )) "$p $h exits 0"
        ok $(( $(wc -c <"$TMP/err") != 0 )) "$p $h: nothing on stderr"
        [[ $out == usage:* ]]; ok $? "$p $h: the usage on stdout"
    done
    usage=$("$prog" --help)

    for o in ${ints[$p]}; do
        one_line 2 "^$p: error: $o needs a value: expected an integer from" "$p $o at the end: needs a value" -- \
            "$prog" "${args[@]}" "$o"
        one_line 2 "^$p: error: $o needs a value" "$p $o=: needs a value" -- "$prog" "${args[@]}" "$o="
        for bad in abc -5 99999999999999999999 10x 08x; do
            one_line 2 "^$p: error: $o '$(re "$bad")' is not allowed: expected an integer from" "$p $o '$bad'" -- \
                "$prog" "${args[@]}" "$o" "$bad"
        done
        # The range in the message is the range in the usage text's line for the option
        # (--seed and --rep state none).
        range=$("$prog" "${args[@]}" "$o" abc 2>&1 | sed -n 's/.*expected an integer from \(.*\)$/\1/p')
        case $o in
            --seed|--rep) [ -n "$range" ]; ok $? "$p $o: the message states the range ($range)" ;;
            *) grep -- "$o" <<<"$usage" | grep -qF -- "$range"
               ok $? "$p $o: the usage text states the parser's range ($range)" ;;
        esac
    done
    first=${ints[$p]%% *}
    for bad in 1.5 0x10 1e3 +5 ''\ 5 5\  1kk; do
        one_line 2 "^$p: error: $first '$(re "$bad")' is not allowed: expected an integer from" "$p $first '$bad'" -- \
            "$prog" "${args[@]}" "$first" "$bad"
    done
    for o in ${no_zero[$p]}; do
        one_line 2 "^$p: error: $o '0' is not allowed: expected an integer from [1-9]" "$p $o 0" -- \
            small "$prog" "${args[@]}" "$o" 0
    done
    for f in ${flags[$p]:-}; do
        for o in --$f --no-$f; do
            one_line 2 "^$p: error: $o takes no value: '$o=1'" "$p $o is a flag" -- small "$prog" "${args[@]}" "$o=1"
        done
        one_line 2 "^$p: error: --$f and --no-$f: give one of them" "$p: --$f and --no-$f" -- \
            small "$prog" "${args[@]}" --no-$f --$f
    done
    for ov in ${others[$p]}; do
        o=${ov%%=*} v=${ov#*=}
        given=("${args[@]}")
        [ "$o" = "${args[0]}" ] && given=()
        one_line 2 "^$p: error: .*${o#--} '$v'.*(not allowed|expected)" "$p $o '$v'" -- small "$prog" "${given[@]}" "$o" "$v"
        one_line 2 "^$p: error: -*${o#--} needs a value: (expected|uniform)" "$p $o at the end: needs a value" -- \
            small "$prog" "${given[@]}" "$o"
    done
    one_line 2 "^$p: error: $first '--rep=1' is not allowed" "$p: the next option is a value, and a bad one" -- \
        small "$prog" "${args[@]}" "$first" --rep=1
    one_line 2 "^$p: error: $first is given twice: give each option once" "$p: $first twice" -- \
        small "$prog" "${args[@]}" "$first" 5 "$first" 5
    one_line 2 "^$p: error: --seed is given twice" "$p: --seed twice" -- small "$prog" "${args[@]}" --seed 1 --seed=2
    one_line 2 "^$p: error: ${args[0]} is given twice" "$p: ${args[0]} twice" -- small "$prog" "${args[@]}" "${args[0]}" "${args[1]}"
    one_line 2 "^$p: error: --quick is given twice" "$p: --quick twice" -- small "$prog" "${args[@]}" --quick
    one_line 2 "^$p: error: unknown or ambiguous option '--bogus'" "$p: an unknown option" -- small "$prog" "${args[@]}" --bogus
    one_line 2 "^$p: error: unknown option '-x'" "$p: an unknown short option" -- small "$prog" "${args[@]}" -x
    one_line 2 "^$p: error: --quick takes no value" "$p: a flag with a value" -- small "$prog" "${args[0]}" "${args[1]}" --quick=1
    one_line 2 "^$p: error: unexpected argument 'extra'" "$p: a stray argument" -- small "$prog" "${args[@]}" extra
    one_line 2 "^$p: error: LAB_ALLOCATOR 'glibc,x' is not allowed: expected a name of a-z, 0-9, _ and -" \
        "$p: an allocator name with a comma never reaches a row" -- env LAB_ALLOCATOR=glibc,x "$prog" "${args[@]}"
    one_line 2 "^$p: error: LAB_ALLOCATOR 'Glibc' is not allowed" "$p: an allocator name in capitals" -- \
        env LAB_ALLOCATOR=Glibc "$prog" "${args[@]}"
done

# The k/m/g suffixes that the usage texts promise, read as 1024-fold, and 08 as 8. The
# footprint guard's message shows the value read, without running anything.
m=$BUILD/01-micro/01-micro
one_line 2 "^01-micro: error: --live 10485760 blocks of --sizes uniform:1g:1g need up to [0-9.]+ GiB.*MemAvailable [0-9.]+ GiB" \
    "01-micro --live 10m is accepted (10 x 2^20)" -- small "$m" --workload small --live 10m --sizes uniform:1g:1g
one_line 2 "^01-micro: error: --live 100 blocks of" "01-micro --live 0100 is 100, not octal" -- \
    small "$m" --workload small --live 0100 --sizes uniform:1g:1g
one_line 2 "^01-micro: error: --live 1024 blocks of" "01-micro --rounds 100k and --lat-rounds 100k are accepted" -- \
    small "$m" --workload small --live 1k --rounds 100k --lat-rounds 100k --sizes uniform:1g:1g
one_line 2 "^01-micro: error: --rounds '102401' is not allowed: expected an integer from 1 to 100k" \
    "01-micro --rounds: one past 100k is not" -- small "$m" --workload small --rounds 102401
one_line 2 "^02-threads: error: --threads 1024 x --live 1048576 objects need up to" \
    "02-threads --ops 1g and --live 1m are accepted" -- \
    small "$BUILD/02-threads/02-threads" --workload false-sharing --threads 1024 --live 1m --ops 1g
one_line 2 "^03-fragmentation: error: --hz '08' is not allowed: expected an integer from 10 to 1000" \
    "03-fragmentation --hz 08 is 8 (out of range), not 0" -- small "$BUILD/03-fragmentation/03-fragmentation" --workload holes --hz 08
one_line 2 "^03-fragmentation: error: --count 10485760 blocks of --sizes uniform:1m:1m need up to" \
    "03-fragmentation --count 10m and --hz 010 are accepted" -- \
    small "$BUILD/03-fragmentation/03-fragmentation" --workload survivors --count 10m --sizes uniform:1m:1m --hz 010
out=$("$m" --workload small --live 1k --rounds 2 --lat-rounds 1 --min-ms 0 --seed 08 2>/dev/null | tail -1)
[[ $out == glibc,small,1,0,ok,* ]]; ok $? "01-micro runs with --live 1k and --seed 08 ($out)"

# The footprint guard: the OOM case of issue 10 is refused before anything is allocated
# (no CSV header either), with the numbers and MemAvailable.
one_line 2 "^01-micro: error: --live 1000 blocks of --sizes uniform:512m:1g need up to [0-9.]+ GiB \(blocks [0-9.]+ GiB.*\), more than MemAvailable [0-9.]+ GiB" \
    "01-micro: the issue's 19 GB OOM case is refused up front" -- \
    small "$m" --workload small --sizes uniform:512m:1g --live 1000
one_line 2 "^03-fragmentation: error: --count 10485760 blocks of --sizes uniform:256k:512k need up to .*MemAvailable" \
    "03-fragmentation: the guard counts the holes' refill" -- small "$BUILD/03-fragmentation/03-fragmentation" \
    --workload holes --count 10m --sizes uniform:256k:512k --sizes2 uniform:1m:1m

# The floor's region is populated at start: its size is checked the same way.
floor=(env LD_PRELOAD="$BUILD/floor.so" LAB_ALLOCATOR=floor LAB_ALLOCATOR_LIB="$BUILD/floor.so")
for v in abc 0 -1 10x 1048577 ''; do
    one_line 2 "^floor: error: LAB_FLOOR_MIB '$(re "$v")' is not allowed: expected an integer from 1 to 1048576 \(MiB\)" \
        "the floor refuses LAB_FLOOR_MIB='$v'" -- "${floor[@]}" LAB_FLOOR_MIB="$v" "$m" --workload small --quick
done
one_line 2 "^floor: error: LAB_FLOOR_MIB 1048576 MiB is more than MemAvailable \([0-9]+ MiB\)" \
    "the floor refuses a region larger than MemAvailable" -- "${floor[@]}" LAB_FLOOR_MIB=1048576 "$m" --workload small --quick
out=$("${floor[@]}" LAB_FLOOR_MIB=08 "$m" --workload small --quick 2>/dev/null | tail -1)
[[ $out == floor,small,1,0,ok,* ]]; ok $? "the floor reads LAB_FLOOR_MIB=08 as 8 MiB"

done_testing
