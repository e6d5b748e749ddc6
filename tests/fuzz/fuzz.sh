#!/usr/bin/env bash
# Long fuzzing runs, and growing the committed corpus from them.
#
#   tests/fuzz/fuzz.sh run HARNESS...     (make fuzz FUZZ_SECONDS=N)
#       Fuzzes each harness for FUZZ_SECONDS (default 60) in turn, from
#       $B/fuzz/corpus/<harness>/: a copy of tests/fuzz/corpus/<harness>/
#       that keeps what earlier runs found, so the committed corpus is only
#       read. Prints a summary; a crash is saved under $B/fuzz/crashes/ and
#       the exit status is 1. FUZZ_SEED fixes the seed (default: random).
#   tests/fuzz/fuzz.sh merge HARNESS...   (make fuzz-corpus)
#       Adds to tests/fuzz/corpus/<harness>/ the inputs of the build copy
#       that reach code (edges) the committed corpus does not.
set -u
B=${B:-build}
dir=$B/fuzz
mode=${1-}
shift || true
common=(-timeout=10 -rss_limit_mb=2048 -max_len=1024)

stat_of() { # log name
	sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

run() {
	local name=$1 bin=$dir/$1 corpus=$dir/corpus/$1 log=$dir/logs/$1.log
	local seed=() rc crash
	mkdir -p "$corpus" "$dir/logs" "$dir/crashes"
	cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
	[ -n "${FUZZ_SEED-}" ] && seed=(-seed="$FUZZ_SEED")
	echo "== $name: ${FUZZ_SECONDS:-60} s (log: $log)"
	"$bin" "${common[@]}" "${seed[@]}" -max_total_time="${FUZZ_SECONDS:-60}" \
		-print_final_stats=1 -artifact_prefix="$dir/crashes/$name-" \
		"$corpus" >"$log" 2>&1
	rc=$?
	crash=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)
	if [ $rc -ne 0 ]; then
		failed=$((failed + 1))
		grep -E '^fuzz:|ERROR:|SUMMARY:|runtime error' "$log" | head -n 6 |
			sed 's/^/    /'
		[ -n "$crash" ] && echo "    input: $crash" &&
			echo "    replay: $bin $crash"
	fi
	printf '%-16s %10s %8s %8s %6s  %s\n' "$name" \
		"$(stat_of "$log" number_of_executed_units)" \
		"$(stat_of "$log" average_exec_per_sec)" \
		"$(find "$corpus" -type f | wc -l)" \
		"$(stat_of "$log" new_units_added)" \
		"$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc)")" >>"$summary"
}

merge() {
	local name=$1 before after
	before=$(find tests/fuzz/corpus/"$name" -type f | wc -l)
	# edges only (no hit counts): a few inputs, not one per loop count
	mkdir -p "$dir/crashes"
	"$dir/$name" "${common[@]}" -merge=1 -use_counters=0 \
		-artifact_prefix="$dir/crashes/$name-" tests/fuzz/corpus/"$name" \
		"$dir/corpus/$name" >"$dir/logs/$name-merge.log" 2>&1 ||
		{ echo "$name: merge failed, see $dir/logs/$name-merge.log"; failed=$((failed + 1)); }
	after=$(find tests/fuzz/corpus/"$name" -type f | wc -l)
	echo "$name: $before -> $after inputs in tests/fuzz/corpus/$name"
}

failed=0
case $mode in
run)
	mkdir -p "$dir"
	summary=$dir/fuzz-summary.txt
	printf '%-16s %10s %8s %8s %6s  %s\n' harness runs exec/s corpus new \
		result >"$summary"
	for name in "$@"; do run "$name"; done
	echo
	cat "$summary"
	;;
merge)
	mkdir -p "$dir/logs"
	for name in "$@"; do merge "$name"; done
	echo "review with git status; commit the new files if they are few and small"
	;;
*)
	echo "usage: $0 run|merge HARNESS..." >&2
	exit 2
	;;
esac
[ $failed -eq 0 ]
