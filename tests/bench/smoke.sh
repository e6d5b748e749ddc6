#!/usr/bin/env bash
# make test: every bench workload, 1000 ops, through every allocator and
# every replay loop. The replayer verifies each block's contents, alignment
# and the heap's own check; timings are not asserted (benchmarks are not
# tests). One "ok - bench smoke <workload>" line per workload.
set -u
B=${B:-build}
bin=$B/bench/bench
if [ ! -x "$bin" ]; then
	echo "FAIL - bench smoke ($bin not built)"
	exit 1
fi
status=0
for w in $("$bin" --list); do
	if out=$("$bin" --smoke 1000 --only "$w" 2>&1) &&
		grep -qx "ok - bench smoke $w" <<<"$out"; then
		echo "ok - bench smoke $w"
	else
		echo "FAIL - bench smoke $w"
		sed 's/^/    /' <<<"$out" | head -n 20
		status=1
	fi
done
exit $status
