#!/usr/bin/env bash
# Check that host memory checkers see through mm/ (mm/annotate.h): each
# misuse in misuse.c must be reported by AddressSanitizer and by Valgrind
# memcheck at the faulting access, naming the block; the "ok" case must
# produce no report, so that a tool that reports everything cannot pass.
#   B=build tests/sanitize/run.sh     (binaries built by `make sanitize`)
set -u
B=${B:-build}
dir=$B/sanitize
asan=$dir/misuse-asan
vg=$dir/misuse-valgrind
fails=0

result() { # ok? name [log]
	if [ "$1" = 0 ]; then
		echo "ok - sanitize $2"
	else
		echo "FAIL - sanitize $2"
		[ -n "${3-}" ] && sed 's/^/    /' "$3" | head -n 30
		fails=$((fails + 1))
	fi
}

# expect TOOL CASE OFFSET PATTERN...: the run must fail (or pass, for "ok")
# and its output must match every pattern; ADDR in a pattern stands for the
# address of the bad access, OFFSET bytes from the block the program printed.
expect() {
	local tool=$1 case=$2 off=${3-0} log=$dir/$1-$2.log rc bad=0 block addr
	shift 3 2>/dev/null || shift $#
	case $tool in
	asan) ASAN_OPTIONS=halt_on_error=1 "$asan" "$case" >"$log" 2>&1 ;;
	valgrind) valgrind -q --error-exitcode=42 "$vg" "$case" >"$log" 2>&1 ;;
	esac
	rc=$?
	if [ "$case" = ok ]; then
		[ $rc -eq 0 ] || bad=1
		grep -qE 'ERROR: AddressSanitizer|Invalid (read|write)' "$log" && bad=1
	else
		[ $rc -ne 0 ] || bad=1
		block=$(sed -n 's/^block \(0x[0-9a-f]*\),.*/\1/p' "$log")
		[ -n "$block" ] || bad=1
		addr=$(printf '0x%x' $((block + off)))
		for pat in "$@"; do
			pat=${pat//ADDR/$addr}
			grep -qE -- "$pat" "$log" || bad=1
		done
	fi
	result $bad "$tool $case" "$log"
}

for bin in "$asan" "$vg"; do
	[ -x "$bin" ] || { result 1 "build ($bin missing)"; exit 1; }
done

expect asan ok
expect asan use-after-free 8 'AddressSanitizer: use-after-poison on address ADDR' 'WRITE of size 1 at ADDR'
expect asan overflow 24 'AddressSanitizer: use-after-poison on address ADDR' 'WRITE of size 1 at ADDR'
expect asan underflow -1 'AddressSanitizer: use-after-poison on address ADDR' 'WRITE of size 1 at ADDR'
expect valgrind ok
expect valgrind use-after-free 8 'Invalid write of size 1' 'Address ADDR is 8 bytes inside a block of size 24 free'"'"'d'
expect valgrind overflow 24 'Invalid write of size 1' 'Address ADDR is 0 bytes after a block of size 24 alloc'"'"'d'
expect valgrind underflow -1 'Invalid write of size 1' 'Address ADDR is'
[ $fails -eq 0 ]
