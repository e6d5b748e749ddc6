#!/usr/bin/env bash
# tests/lib/run.sh - build/lib/libmm.so as a program's malloc: the C and
# POSIX semantics, fork with threads inside the heap, threads that exit,
# memory given back, and the fault reports (what, and who called), in every
# mode the library offers (LIBMM_OPTIONS). One "ok - " / "FAIL - " line per case.
set -u
B=${B:-build}
LIB=${LIB:-$B/lib/libmm.so}
CHECKER=$B/lib/libcheck
STATIC=$B/lib/libcheck-static
out=$B/lib/test-out
mkdir -p "$out"

if [ ! -e "$LIB" ] || [ ! -x "$CHECKER" ]; then
	echo "FAIL - libmm.so or $CHECKER not built (make lib)"
	exit 0
fi
LIB=$(realpath "$LIB")

# expect NAME STATUS REGEX OPTIONS CMD...: CMD exits with STATUS and its
# stderr matches REGEX (an empty REGEX: stderr holds no "libmm:" fault).
# Returns 0 when all of that holds.
expect() {
	local name=$1 want=$2 regex=$3 opts=$4 rc
	shift 4
	LIBMM_OPTIONS=$opts timeout 120 "$@" >"$out/$name.out" 2>"$out/$name.err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "  $name: exit $rc, expected $want; stderr:" && head -n 5 "$out/$name.err"
		return 1
	fi
	if [ -n "$regex" ]; then
		grep -qE "$regex" "$out/$name.err" || {
			echo "  $name: stderr does not match $regex:" && head -n 5 "$out/$name.err"
			return 1
		}
	elif grep -v '^libmm: stats:' "$out/$name.err" | grep -q '^libmm:'; then
		echo "  $name: unexpected report:" && head -n 5 "$out/$name.err"
		return 1
	fi
	return 0
}

case_() { # NAME STATUS REGEX OPTIONS CASE
	if expect "$1" "$2" "$3" "$4" env LD_PRELOAD="$LIB" "$CHECKER" "$5"; then
		echo "ok - lib: $1"
	else
		echo "FAIL - lib: $1"
	fi
}

for mode in "" check quarantine nocache; do
	m=${mode:-default}
	case_ "api ($m)" 0 "" "$mode" api
	case_ "fork with threads in the heap ($m)" 0 "" "$mode" fork
done
case_ "threads that exit" 0 '^libmm: stats: ' stats threads
cached=$(sed -n 's/.* \([0-9]*\) cached,.*/\1/p' "$out/threads that exit.err")
if [ -n "$cached" ] && [ "$cached" -le 256 ]; then
	echo "ok - lib: 500 threads that exited left $cached blocks cached (at most 256)"
else
	echo "FAIL - lib: threads that exited left ${cached:-?} blocks cached"
fi
case_ "256 MiB freed goes back (RSS)" 0 "" "" rss
sed 's/^/  /' "$out/256 MiB freed goes back (RSS).out"
case_ "double free aborts naming the block" 134 \
	'^libmm: double free of 0x[0-9a-f]+ \(block already free\)$' "" double-free
# named_caller ERR FUNCTION: the report's "called from" line gives an
# offset in libcheck that addr2line places in FUNCTION (less one: inside
# the call, not after it)
named_caller() {
	local off fn
	off=$(sed -nE 's/^libmm: called from 0x[0-9a-f]+ \(.*libcheck\+(0x[0-9a-f]+)\)$/\1/p' "$1")
	[ -n "$off" ] || { echo "  no 'libmm: called from' line with an offset in $1"; return 1; }
	fn=$(addr2line -f -e "$CHECKER" "$(printf '0x%x' $((off - 1)))" | head -n 1)
	[ "$fn" = "$2" ] || { echo "  the report names $fn (offset $off), not $2"; return 1; }
}
if named_caller "$out/double free aborts naming the block.err" double_free; then
	echo "ok - lib: double free names the function that freed twice"
else
	echo "FAIL - lib: double free names the function that freed twice"
fi
case_ "bad pointer aborts naming the block" 134 \
	'^libmm: free of 0x[0-9a-f]+, which points inside block 0x[0-9a-f]+' "" bad-pointer
case_ "overflow caught in checking mode" 134 '^libmm: overflow: block 0x' check overflow
case_ "stats at exit" 0 '^libmm: stats: [0-9]+ blocks in use' stats api

if [ -x "$STATIC" ] && expect static 0 "" "" "$STATIC" api; then
	echo "ok - lib: libmm.a linked into a program"
else
	echo "FAIL - lib: libmm.a linked into a program"
fi

# the harness itself: each way expect() fails must be seen
if expect proof-status 0 "" "" env LD_PRELOAD="$LIB" "$CHECKER" double-free >/dev/null; then
	echo "FAIL - lib: harness missed a wrong exit status"
else
	echo "ok - lib: harness catches a wrong exit status"
fi
if expect proof-regex 134 '^libmm: overflow' "" env LD_PRELOAD="$LIB" "$CHECKER" double-free >/dev/null; then
	echo "FAIL - lib: harness missed a wrong report"
else
	echo "ok - lib: harness catches a wrong report"
fi
if expect proof-report 0 "" "" sh -c 'echo "libmm: double free of 0x1" >&2' >/dev/null; then
	echo "FAIL - lib: harness missed an unexpected report"
else
	echo "ok - lib: harness catches an unexpected report"
fi
printf 'libmm: called from 0x1000 (x/libcheck+0x%x)\n' \
	"$(nm "$CHECKER" | awk '$3 == "main" { print "0x" $1 }')" >"$out/proof-caller.err"
if named_caller "$out/proof-caller.err" double_free >/dev/null; then
	echo "FAIL - lib: harness missed a report naming the wrong function"
else
	echo "ok - lib: harness catches a report naming the wrong function"
fi
exit 0
