#!/usr/bin/env bash
# Draw build/bench's CSV files with gnuplot, to PNG and SVG beside them.
#   tests/bench/plot.sh OUT_DIR
set -u
out=${1:?usage: plot.sh OUT_DIR}
here=$(dirname "$0")
if ! command -v gnuplot >/dev/null 2>&1; then
	echo "bench: gnuplot not found, plots skipped (Debian package: gnuplot-nox);"
	echo "bench: the tables and CSV files in $out are complete without it"
	exit 0
fi
# ns/op per workload, one column per allocator, for the histogram
if [ -s "$out/bench.csv" ]; then
	awk -F, 'NR > 1 { v[$1 "," $2] = $5; if (!seen[$1]++) w[n++] = $1 }
		END { print "# workload mm-fast mm-check glibc (ns/op)"
		      for (i = 0; i < n; i++)
			print w[i], v[w[i] ",mm-fast"], v[w[i] ",mm-check"], v[w[i] ",glibc"] }' \
		"$out/bench.csv" >"$out/workloads.dat"
fi
for fmt in png svg; do
	for plot in scaling workloads; do
		data=$out/$plot.csv
		[ "$plot" = workloads ] && data=$out/workloads.dat
		[ -s "$data" ] || continue
		gnuplot -e "fmt='$fmt'; data='$data'; outfile='$out/$plot.$fmt'" \
			"$here/$plot.gp" && echo "bench: wrote $out/$plot.$fmt"
	done
done
