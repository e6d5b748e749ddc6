#!/usr/bin/env bash
# tests/real/bench.sh - wall time and peak RSS of the real programs of
# tests/real/programs.sh under glibc, jemalloc, mimalloc, tcmalloc and
# libmm, in one run: the median of REPS runs each (default 3), measured by
# GNU time (wall clock, and the largest resident set of any process the
# program ran). Writes build/real-bench/results.tsv and table.md, prints
# the table: glibc's seconds and MiB, the others as ratios to glibc.
set -u
B=${B:-build}
REPS=${REPS:-3}
here=$(cd "$(dirname "$0")" && pwd)
work=$B/real-bench
rm -rf "$work" && mkdir -p "$work"
work=$(realpath "$work")
D=/usr/lib/x86_64-linux-gnu
ALLOCS="glibc: jemalloc:$D/libjemalloc.so.2 mimalloc:$D/libmimalloc.so.2
	tcmalloc:$D/libtcmalloc_minimal.so.4 libmm:$(realpath "$B/lib/libmm.so")"
for a in $ALLOCS; do
	lib=${a#*:}
	if [ -n "$lib" ] && [ ! -e "$lib" ]; then
		echo "bench-real: $lib is missing (make bench-real installs it)" >&2
		exit 1
	fi
done

# shellcheck source=tests/real/programs.sh
. "$here/programs.sh"
make_inputs
export HOME=$work

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bench_one NAME CMD...: one row per allocator. A run that exits non-zero
# is not timed as if it had worked: its row says "failed" (the rule of
# run.sh), and the table shows it instead of a ratio.
bench_one() {
	local name=$1 a lib r d t m rc failed
	shift
	for a in $ALLOCS; do
		lib=${a#*:} failed=
		: >"$work/times" && : >"$work/rss"
		for r in $(seq "$REPS"); do
			d=$(mktemp -d "$work/run.XXXXXX")
			t=$EPOCHREALTIME
			(cd "$d" && /usr/bin/time -f '%M' -o "$work/one" \
				env ${lib:+LD_PRELOAD=$lib} "$@" >/dev/null 2>"$work/err")
			rc=$?
			t=$(echo "$EPOCHREALTIME $t" | awk '{ printf "%.4f", $1 - $2 }')
			rm -rf "$d"
			if [ "$rc" -ne 0 ]; then
				failed=$rc
				echo "bench-real: $name fails on ${a%%:*} (exit $rc):" >&2
				grep -v '^Command exited' "$work/err" | head -n 3 >&2
				break
			fi
			tail -n 1 "$work/one" >>"$work/rss" && echo "$t" >>"$work/times"
		done
		if [ -n "$failed" ]; then
			printf '%s\t%s\tfailed\t%s\n' "$name" "${a%%:*}" "$failed"
		else
			printf '%s\t%s\t%s\t%s\n' "$name" "${a%%:*}" \
				"$(median <"$work/times")" "$(median <"$work/rss")"
		fi >>"$work/results.tsv"
	done
	echo "bench-real: $name done" >&2
}

printf "program\tallocator\tseconds\tmax_rss_kib\n" >"$work/results.tsv"
programs bench_one

# The table: time and RSS as ratios to glibc, and their geometric means
# over the programs that ran on both (a failed run is shown, never averaged)
awk -F'\t' 'NR > 1 {
	if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
	t[$1, $2] = $3; m[$1, $2] = $4
} END {
	split("jemalloc mimalloc tcmalloc libmm", al, " ")
	printf "| program | glibc | jemalloc | mimalloc | tcmalloc | libmm |\n"
	printf "|---|---|---|---|---|---|\n"
	for (i = 1; i <= n; i++) {
		p = order[i]; g = t[p, "glibc"]; gm = m[p, "glibc"]
		if (g == "failed") {
			printf "| %s | failed (exit %s) | | | | |\n", p, gm
			continue
		}
		printf "| %s | %.3f s, %.1f MiB |", p, g, gm / 1024
		for (j = 1; j <= 4; j++) {
			a = al[j]
			if (t[p, a] == "failed") {
				printf " failed (exit %s) |", m[p, a]
				continue
			}
			rt = g > 0 ? t[p, a] / g : 1; rm = m[p, a] / gm
			printf " %.2fx, %.2fx |", rt, rm
			lt[a] += log(rt); lm[a] += log(rm); k[a]++
		}
		printf "\n"
	}
	printf "| geometric mean | 1 |"
	for (j = 1; j <= 4; j++) {
		a = al[j]
		if (k[a]) printf " %.2fx, %.2fx |", exp(lt[a] / k[a]), exp(lm[a] / k[a])
		else printf " - |"
	}
	printf "\n"
}' "$work/results.tsv" >"$work/table.md"
echo "Wall time and peak RSS, median of $REPS runs; other allocators as ratios to glibc (time, RSS):"
cat "$work/table.md"
if grep -q $'\tfailed\t' "$work/results.tsv"; then
	echo "bench-real: some programs failed (see above); their rows are not timed" >&2
	exit 1
fi
