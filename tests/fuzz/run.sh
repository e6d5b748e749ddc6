#!/usr/bin/env bash
# The fuzzing suite of `make test`. Each harness (one per directory under
# tests/fuzz/corpus/) first replays its committed corpus, then fuzzes from a
# copy of it for a short while with a fixed seed, so that a regression that
# the corpus no longer reaches still has a chance to show. One line a step:
#   ok - fuzz replay <harness> (N inputs)
#   ok - fuzz run <harness> (S s, N runs, seed 1)
# Any crash, sanitizer report or failed expectation is a FAIL, with the
# reason and the saved input.
#   B=build tests/fuzz/run.sh        (harnesses built by `make fuzz-build`)
# FUZZ_TEST_SECONDS (default 48) is shared out between the harnesses; with
# the replay, the suite takes about a minute.
set -u
B=${B:-build}
dir=$B/fuzz
corpus_root=tests/fuzz/corpus
total=${FUZZ_TEST_SECONDS:-48}
seed=1
fails=0
mkdir -p "$dir/test-logs" "$dir/test-crashes"

# Flags for every libFuzzer invocation: a hang is a failure too (an input
# runs in milliseconds), and an input never grows past what the committed
# corpus is made of.
common=(-timeout=3 -rss_limit_mb=2048 -max_len=1024)

result() { # status name [log]
	if [ "$1" = 0 ]; then
		echo "ok - fuzz $2"
		return
	fi
	echo "FAIL - fuzz $2"
	fails=$((fails + 1))
	[ -n "${3-}" ] || return
	{
		# the input that failed, why, and where it was saved
		grep '^Running:' "$3" | tail -n 1
		grep -E '^fuzz:|ERROR:|SUMMARY:|runtime error' "$3" | head -n 4
		grep 'Test unit written' "$3" | tail -n 1
	} | sed 's/^/    /'
	echo "    log: $3"
}

stat_of() { # log name
	sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

names=()
for d in "$corpus_root"/*/; do
	[ -d "$d" ] && names+=("$(basename "$d")")
done
if [ ${#names[@]} -eq 0 ]; then
	result 1 "corpus (no harness directories under $corpus_root)"
	exit 1
fi
per=$((total / ${#names[@]}))
[ $per -ge 5 ] || per=5

for name in "${names[@]}"; do
	bin=$dir/$name
	log=$dir/test-logs/$name
	if [ ! -x "$bin" ]; then
		result 1 "$name (harness $bin not built)"
		continue
	fi
	# one input a process: a crash stops libFuzzer, and every input that
	# fails should be named
	inputs=("$corpus_root/$name"/*)
	bad=()
	: >"$log-replay.log"
	for f in "${inputs[@]}"; do
		"$bin" "${common[@]}" -artifact_prefix="$dir/test-crashes/$name-" \
			"$f" >"$log-one.log" 2>&1 && continue
		bad+=("$(basename "$f")")
		[ ${#bad[@]} -eq 1 ] && cp "$log-one.log" "$log-replay.log"
	done
	if [ ${#bad[@]} -eq 0 ]; then
		result 0 "replay $name (${#inputs[@]} inputs)"
	else
		result 1 "replay $name (${#bad[@]} of ${#inputs[@]} inputs fail: ${bad[*]:0:8})" \
			"$log-replay.log"
	fi

	# a fresh copy each time: the same seed then starts from the same place
	work=$dir/test-corpus/$name
	rm -rf "$work" && mkdir -p "$work" && cp "${inputs[@]}" "$work/"
	"$bin" "${common[@]}" -seed=$seed -max_total_time=$per \
		-print_final_stats=1 -artifact_prefix="$dir/test-crashes/$name-" \
		"$work" >"$log-run.log" 2>&1
	rc=$?
	runs=$(stat_of "$log-run.log" number_of_executed_units)
	result $rc "run $name (${per} s, ${runs:-0} runs, seed $seed)" "$log-run.log"
done
[ $fails -eq 0 ]
