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

bench_one() { # NAME CMD...
	local name=$1 a lib r d t m
	shift
	for a in $ALLOCS; do
		lib=${a#*:}
		: >"$work/times" && : >"$work/rss"
		for r in $(seq "$REPS"); do
			d=$(mktemp -d "$work/run.XXXXXX")
			t=$EPOCHREALTIME
			(cd "$d" && /usr/bin/time -f '%M' -o "$work/one" \
				env ${lib:+LD_PRELOAD=$lib} "$@" >/dev/null 2>&1)
			t=$(echo "$EPOCHREALTIME $t" | awk '{ printf "%.4f", $1 - $2 }')
			m=$(tail -n 1 "$work/one")
			echo "$t" >>"$work/times" && echo "$m" >>"$work/rss"
			rm -rf "$d"
		done
		printf '%s\t%s\t%s\t%s\n' "$name" "${a%%:*}" "$(median <"$work/times")" \
			"$(median <"$work/rss")" >>"$work/results.tsv"
	done
	echo "bench-real: $name done" >&2
}

printf "program\tallocator\tseconds\tmax_rss_kib\n" >"$work/results.tsv.head"
programs bench_one
cat "$work/results.tsv.head" "$work/results.tsv" >"$work/all.csv" &&
	mv "$work/all.csv" "$work/results.tsv" && rm -f "$work/results.tsv.head"

# The table: time and RSS as ratios to glibc, and their geometric means
awk -F'\t' 'NR > 1 {
	if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
	t[$1, $2] = $3; m[$1, $2] = $4
} END {
	split("jemalloc mimalloc tcmalloc libmm", al, " ")
	printf "| program | glibc | jemalloc | mimalloc | tcmalloc | libmm |\n"
	printf "|---|---|---|---|---|---|\n"
	for (i = 1; i <= n; i++) {
		p = order[i]; g = t[p, "glibc"]; gm = m[p, "glibc"]
		printf "| %s | %.3f s, %.1f MiB |", p, g, gm / 1024
		for (j = 1; j <= 4; j++) {
			a = al[j]; rt = g > 0 ? t[p, a] / g : 1; rm = m[p, a] / gm
			printf " %.2fx, %.2fx |", rt, rm
			lt[a] += log(rt); lm[a] += log(rm)
		}
		printf "\n"
	}
	printf "| geometric mean | 1 |"
	for (j = 1; j <= 4; j++)
		printf " %.2fx, %.2fx |", exp(lt[al[j]] / n), exp(lm[al[j]] / n)
	printf "\n"
}' "$work/results.tsv" >"$work/table.md"
echo "Wall time and peak RSS, median of $REPS runs; other allocators as ratios to glibc (time, RSS):"
cat "$work/table.md"
