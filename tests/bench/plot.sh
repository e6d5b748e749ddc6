#!/usr/bin/env bash
# Draw build/bench's CSV files with gnuplot, to PNG and SVG beside them.
#   tests/bench/plot.sh OUT_DIR [DOCS_IMAGES_DIR]
# With a second directory, the threads plot is also copied there as
# bench-threads.png, for the README (make bench does it on a full run).
set -u
out=${1:?usage: plot.sh OUT_DIR [DOCS_IMAGES_DIR]}
docs=${2-}
here=$(dirname "$0")
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "bench: gnuplot not found, plots skipped (Debian package: gnuplot-nox);"
	echo "bench: the tables and CSV files in $out are complete without it"
	exit 0
fi
# ns/op per workload, one column per allocator, for the histogram
if [ -s "$out/bench.csv" ]; then
	awk -F, 'NR > 1 { v[$1 "," $2] = $5; if (!seen[$1]++) w[n++] = $1 }
		END { print "# workload mm-fast mm-cached mm-check glibc (ns/op)"
		      for (i = 0; i < n; i++)
			print w[i], v[w[i] ",mm-fast"], v[w[i] ",mm-cached"], v[w[i] ",mm-check"], v[w[i] ",glibc"] }' \
		"$out/bench.csv" >"$out/workloads.dat"
fi
# M ops/s per thread count, one column per allocator; '-' where no rate
# (timed out, failed, not installed). A run stopped at its cap has one.
rm -f "$out/threads.dat" "$out/threads.png" "$out/threads.svg"
if [ -s "$out/mt.csv" ] && grep -q '^threads,' "$out/mt.csv"; then
	awk -F, -v cols="mm-cached mm-locked mm-nohooks mm-mutex glibc jemalloc mimalloc tcmalloc" '
		BEGIN { nc = split(cols, c, " ") }
		$1 == "threads" { if (!($3 in seen)) { seen[$3] = 1; ns[nn++] = $3 }
			if ($4 == "ok" || $4 == "capped") v[$3 "," $2] = $6 }
		END { printf "# threads"; for (j = 1; j <= nc; j++) printf " %s", c[j]; print ""
		      for (i = 0; i < nn; i++) { printf "%s", ns[i]
			for (j = 1; j <= nc; j++) { k = ns[i] "," c[j]; printf " %s", (k in v) ? v[k] : "-" }
			print "" } }' "$out/mt.csv" >"$out/threads.dat"
fi
for fmt in png svg; do
	for plot in scaling workloads threads; do
		data=$out/$plot.csv
		[ "$plot" = workloads ] && data=$out/workloads.dat
		[ "$plot" = threads ] && data=$out/threads.dat
		[ -s "$data" ] || continue
		gnuplot -e "fmt='$fmt'; data='$data'; outfile='$out/$plot.$fmt'" \
			"$here/$plot.gp" && echo "bench: wrote $out/$plot.$fmt"
	done
done
if [ -n "$docs" ] && [ -s "$out/threads.png" ]; then
	cp "$out/threads.png" "$docs/bench-threads.png" &&
		echo "bench: copied $out/threads.png to $docs/bench-threads.png"
fi
