#!/usr/bin/env bash
# tests/real/run.sh - real programs from Debian packages, each run twice:
# on the C library's malloc and with build/lib/libmm.so preloaded. Their
# stdout, exit status and stderr (less libmm's own stats line) must be the
# same byte for byte, and the libmm run must show that the library was
# loaded and served allocations (LIBMM_OPTIONS=stats prints a line at exit).
# Then Debian's Python test suite (libpython3.11-testsuite) runs a set of
# allocator-heavy modules under both, and no test that passes under glibc
# may fail under libmm. One "ok - " / "FAIL - " line per case.
set -u
B=${B:-build}
LIB=${LIB:-$B/lib/libmm.so}
PY=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
work=$B/real
rm -rf "$work" && mkdir -p "$work"
work=$(realpath "$work")

if [ ! -e "$LIB" ]; then
	echo "FAIL - real: $LIB not built (make lib)"
	exit 0
fi
LIB=$(realpath "$LIB")

# same NAME LIBRARY CMD...: run CMD (in $work/NAME.{glibc,libmm}/) without
# and with LIBRARY preloaded; returns 0 when it succeeds on glibc, both
# runs agree and the library was used. Each run starts in an empty directory of its own, so
# files a command writes are compared through what it prints about them.
same() {
	local name=$1 lib=$2 d rc_g rc_m
	shift 2
	d=$work/$(printf '%s' "$name" | tr -c 'A-Za-z0-9' _)
	mkdir -p "$d.glibc" "$d.libmm"
	(cd "$d.glibc" && timeout 300 "$@" >"$d.g.out" 2>"$d.g.err")
	rc_g=$?
	(cd "$d.libmm" && LD_PRELOAD=$lib LIBMM_OPTIONS=stats timeout 300 "$@" \
		>"$d.m.out" 2>"$d.m.err")
	rc_m=$?
	if [ "$rc_g" -ne 0 ]; then
		echo "  $name: fails on glibc too (exit $rc_g):" && head -n 5 "$d.g.err"
		return 1
	fi
	if [ "$rc_g" -ne "$rc_m" ]; then
		echo "  $name: exit $rc_g on glibc, $rc_m on libmm:" && head -n 5 "$d.m.err"
		return 1
	fi
	if ! cmp -s "$d.g.out" "$d.m.out"; then
		echo "  $name: output differs:" && diff "$d.g.out" "$d.m.out" | head -n 5
		return 1
	fi
	if grep -v '^libmm: stats:' "$d.m.err" | grep -q '^libmm:'; then
		echo "  $name: libmm reported a fault:" && grep '^libmm:' "$d.m.err" | head -n 3
		return 1
	fi
	if ! grep -v '^libmm: stats:' "$d.m.err" | cmp -s "$d.g.err" -; then
		echo "  $name: stderr differs:" && grep -v '^libmm: stats:' "$d.m.err" |
			diff "$d.g.err" - | head -n 5
		return 1
	fi
	if ! grep -qE '^libmm: stats: [1-9][0-9]* blocks in use' "$d.m.err"; then
		echo "  $name: libmm was not loaded (no stats line at exit)"
		return 1
	fi
	return 0
}

case_() { # NAME CMD...
	if same "$1" "$LIB" "${@:2}"; then
		echo "ok - real: $1"
	else
		echo "FAIL - real: $1"
	fi
}

# shellcheck source=tests/real/programs.sh
. "$here/programs.sh"
make_inputs
export HOME=$work
programs case_

# --- Debian's Python test suite --------------------------------------------
PY_MODULES=${PY_MODULES:-test_dict test_list test_json test_threading test_set test_deque \
	test_bytes test_unicode test_re test_collections test_gc test_struct test_array \
	test_heapq test_itertools test_sort}
if [ ! -e /usr/lib/python3.11/test/test_dict.py ]; then
	echo "FAIL - python suite: libpython3.11-testsuite is not installed"
else
	# PYTHONMALLOC=malloc: every object, small or not, comes from malloc
	(cd "$work" && PYTHONMALLOC=malloc timeout 900 $PY -m test \
		--junit-xml py.glibc.xml $PY_MODULES >py.glibc.log 2>&1)
	(cd "$work" && PYTHONMALLOC=malloc LD_PRELOAD=$LIB timeout 900 $PY -m test \
		--junit-xml py.libmm.xml $PY_MODULES >py.libmm.log 2>&1)
	$PY "$here/pysuite.py" "$work/py.glibc.xml" "$work/py.libmm.xml" $PY_MODULES
fi

# --- the harness itself: each way same() and pysuite.py fail must be seen ---
proof() { # NAME CMD...: the comparison must refuse this
	if same "proof-$1" "$LIB" "${@:2}" >/dev/null; then
		echo "FAIL - real: harness proof: $1 was not caught"
	else
		echo "ok - real: harness proof: $1 is caught"
	fi
}
proof "a program failing on both" sh -c 'echo no >&2; exit 3'
proof "different output" sh -c 'echo "${LD_PRELOAD-}"'
proof "different exit status" sh -c '[ -z "${LD_PRELOAD-}" ]'
proof "different stderr" sh -c 'echo "${LD_PRELOAD-}" >&2'
proof "a libmm fault line" sh -c 'echo "libmm: double free of 0x10 (block already free)" >&2'
if same "proof-not-loaded" "$work/no-such-libmm.so" true >/dev/null 2>&1; then
	echo "FAIL - real: harness proof: a library that was not loaded was not caught"
else
	echo "ok - real: harness proof: a library that was not loaded is caught"
fi
x='<testsuites><testsuite>'
printf '%s<testcase name="test.test_x.T.a"/><testcase name="test.test_x.T.b"/></testsuite></testsuites>' "$x" >"$work/proof.g.xml"
printf '%s<testcase name="test.test_x.T.a"/><testcase name="test.test_x.T.b"><failure/></testcase></testsuite></testsuites>' "$x" >"$work/proof.m.xml"
printf '%s<testcase name="test.test_x.T.a"/></testsuite></testsuites>' "$x" >"$work/proof.short.xml"
check_py_proof() { # NAME GLIBC LIBMM [MODULE]
	if $PY "$here/pysuite.py" "$2" "$3" "${4:-test_x}" | grep -q '^FAIL - '; then
		echo "ok - real: harness proof: python suite: $1 is caught"
	else
		echo "FAIL - real: harness proof: python suite: $1 was not caught"
	fi
}
check_py_proof "a test failing only under libmm" "$work/proof.g.xml" "$work/proof.m.xml"
check_py_proof "a test missing under libmm" "$work/proof.g.xml" "$work/proof.short.xml"
check_py_proof "no results file" "$work/proof.g.xml" "$work/none.xml"
check_py_proof "a module with no results" "$work/proof.g.xml" "$work/proof.g.xml" test_y
