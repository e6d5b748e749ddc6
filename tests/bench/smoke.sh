#!/usr/bin/env bash
# make test: every bench workload, tiny, through every allocator and every
# loop. The trace replayer verifies each block's contents, alignment and
# the heap's own check; threads, remote and procs run every mm/
# configuration (and glibc, and each preloaded malloc that is installed)
# at every N, in child processes, each block stamped and verified, the heap
# checked at the end. Timings are never asserted (benchmarks are not
# tests). One "ok - bench smoke <workload>" line per workload, then the
# must-fail cases: the harness must notice a broken allocator.
set -u
B=${B:-build}
bin=$B/bench/bench
if [ ! -x "$bin" ]; then
	echo "FAIL - bench smoke ($bin not built)"
	exit 1
fi
status=0

# name, expected line (grep -E, whole line), then the bench's arguments:
# the run must pass and print that line.
must_pass() {
	local name=$1 expect=$2 out
	shift 2
	if out=$("$bin" "$@" 2>&1) && grep -qxE "$expect" <<<"$out"; then
		echo "ok - $name"
	else
		echo "FAIL - $name"
		sed 's/^/    /' <<<"$out" | head -n 20
		status=1
	fi
}
for w in $("$bin" --list); do
	must_pass "bench smoke $w" "ok - bench smoke $w" --smoke 1000 --only "$w"
done

# name, expected message (grep -E), then the bench's arguments: each run
# must fail, and fail for that reason.
must_fail() {
	local name=$1 expect=$2 out
	shift 2
	if out=$("$bin" "$@" 2>&1); then
		echo "FAIL - bench smoke catches $name (the run passed)"
		sed 's/^/    /' <<<"$out" | head -n 10
		status=1
	elif grep -qE "$expect" <<<"$out"; then
		echo "ok - bench smoke catches $name"
	else
		echo "FAIL - bench smoke catches $name (not for the expected reason)"
		sed 's/^/    /' <<<"$out" | head -n 10
		status=1
	fi
}
must_fail "a block handed out twice" "damaged at byte" \
	--smoke 2000 --only threads --mt-config broken-twice
must_fail "a block handed out twice, freed by another thread" "FAILED" \
	--smoke 2000 --only remote --mt-config broken-twice
must_fail "a leak (threads)" "still in use" \
	--smoke 2000 --only threads --mt-config broken-leak
must_fail "a leak (processes)" "still in use" \
	--smoke 2000 --only procs --mt-config broken-leak
# the guard that keeps `make bench` from hanging: a child that never
# returns is killed at the hard cap, workers of procs included
must_fail "a hang (killed at the hard cap)" "did not finish in 1 s" \
	--smoke 1000 --only procs --mt-config hang --hard-cap 1

# A run stopped at its soft cap still frees and checks every block.
must_pass "bench smoke soft cap stops a run and checks it" \
	"bench: threads slow N=1 stopped at the 0.2 s cap after [0-9]+ ops, every block checked" \
	--smoke 100000 --only threads --mt-config slow --cap 0.2
exit $status
