#!/usr/bin/env bash
# make bench-icount: instructions per operation, counted by callgrind.
#
#   tests/bench/icount.sh BENCH_BINARY OUT_DIR [bench options...]
#
# Instruction counts do not depend on the machine's speed or load, so they
# compare across machines and runs where nanoseconds do not. Each run
# replays one workload against one allocator; callgrind counts only the
# timed part (the bench zeroes the counters after setup and dumps them
# after the last timed op), and only inside the allocator: the ax_*
# wrappers of allocators.c, inclusive. System calls cost no instructions
# here (callgrind sees user space only): compare times for those.
#
# Then the smallest operation on its own: a tight loop of malloc(32) and
# free, counted per pair, for mm/ with and without its caches and for the
# C libraries: glibc, and jemalloc, mimalloc and tcmalloc through
# LD_PRELOAD (valgrind passes it on to the program it runs).
set -u
bin=${1:?usage: icount.sh BENCH_BINARY OUT_DIR [bench options...]}
out=${2:?usage: icount.sh BENCH_BINARY OUT_DIR [bench options...]}
shift 2
# 200,000 timed ops: a prefix of the trace `make bench` times (generators
# only stop earlier), and about a minute for the whole table.
ICOUNT_SCALE=${ICOUNT_SCALE:-0.2}
workloads=${ICOUNT_WORKLOADS:-mixed small}
allocs=${ICOUNT_ALLOCS:-mm-fast mm-cached mm-check glibc}
pair_allocs=${ICOUNT_PAIR_ALLOCS:-mm-cached mm-locked glibc jemalloc mimalloc tcmalloc}
PAIRS=${ICOUNT_PAIRS:-100000}

if ! command -v valgrind >/dev/null 2>&1; then
	echo "bench-icount: valgrind is missing (Debian package: valgrind)" >&2
	exit 1
fi
dir=$out/callgrind
mkdir -p "$dir"
csv=$out/icount.csv
echo "workload,allocator,timed_ops,allocator_instructions,instructions_per_op,loop_instructions_per_op" >"$csv"

# Sum the inclusive cost of the ax_* wrappers: they never call each other,
# so the sum is every instruction spent inside the allocator.
allocator_ir() {
	callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$1" 2>/dev/null |
		awk '/:ax_[a-z_]+ / { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}

printf '%-8s %-9s %9s %12s %14s\n' workload allocator ops "Ir/op" "Ir/op+loop"
for w in $workloads; do
	for a in $allocs; do
		f=$dir/$w-$a.out
		rm -f "$f" "$f".*
		ops=$(valgrind --tool=callgrind --callgrind-out-file="$f" \
			"$bin" --scale "$ICOUNT_SCALE" "$@" --icount "$w" "$a" 2>"$dir/$w-$a.log" |
			sed -n 's/^ops //p')
		if [ -z "$ops" ] || [ ! -s "$f.1" ]; then
			echo "bench-icount: $w on $a failed; see $dir/$w-$a.log" >&2
			exit 1
		fi
		ir=$(allocator_ir "$f.1")
		total=$(sed -n 's/^summary: //p' "$f.1")
		awk -v w="$w" -v a="$a" -v n="$ops" -v ir="$ir" -v t="$total" 'BEGIN {
			printf "%-8s %-9s %9d %12.1f %14.1f\n", w, a, n, ir / n, t / n
		}'
		awk -v w="$w" -v a="$a" -v n="$ops" -v ir="$ir" -v t="$total" 'BEGIN {
			printf "%s,%s,%d,%d,%.2f,%.2f\n", w, a, n, ir, ir / n, t / n
		}' >>"$csv"
	done
done
echo "Ir/op: instructions inside the allocator per timed op; +loop: with the"
echo "replayer's own work. Per function: callgrind_annotate --inclusive=no $dir/<workload>-<allocator>.out.1"
echo "bench-icount: wrote $csv"

# The pair: bench --icount-pair CONFIG, the C libraries as config libc
# under LD_PRELOAD. A library that is not installed is skipped, named
# with its Debian package; one that valgrind will not run is reported.
pcsv=$out/icount-pair.csv
echo "allocator,pairs,instructions_per_pair" >"$pcsv"
echo
printf '%-10s %9s %14s\n' allocator pairs "Ir/pair"
libraries=$("$bin" --libraries)
for a in $pair_allocs; do
	config=$a preload=
	case $a in
	mm-*) ;;
	glibc) config=libc ;;
	*)
		config=libc
		read -r _ preload package < <(grep "^$a " <<<"$libraries")
		if [ -z "${preload-}" ] || [ "$preload" = missing ]; then
			echo "bench-icount: $a skipped: not installed (Debian package: ${package:-unknown})"
			continue
		fi
		;;
	esac
	f=$dir/pair-$a.out
	rm -f "$f" "$f".*
	res=$(env ${preload:+LD_PRELOAD=$preload} valgrind --tool=callgrind \
		--callgrind-out-file="$f" "$bin" --pairs "$PAIRS" \
		--icount-pair "$config" 2>"$dir/pair-$a.log")
	ops=$(sed -n 's/^ops //p' <<<"$res")
	got=$(sed -n 's/^malloc //p' <<<"$res")
	if [ -z "$ops" ] || [ ! -s "$f.1" ]; then
		echo "bench-icount: $a under valgrind failed; see $dir/pair-$a.log" >&2
		continue
	fi
	if [ "$config" = libc ] && [ "$got" != "$a" ]; then
		echo "bench-icount: $a: the program's malloc is $got under valgrind (LD_PRELOAD did not take); skipped" >&2
		continue
	fi
	ir=$(allocator_ir "$f.1")
	awk -v a="$a" -v n="$ops" -v ir="$ir" 'BEGIN {
		printf "%-10s %9d %14.1f\n", a, n, ir / n }'
	awk -v a="$a" -v n="$ops" -v ir="$ir" 'BEGIN {
		printf "%s,%d,%.2f\n", a, n, ir / n }' >>"$pcsv"
done
echo "Ir/pair: instructions inside malloc(32) + free, per pair, caches warm"
awk -F, '$1 == "mm-cached" { m = $3 } $1 == "glibc" { g = $3 }
	END { if (m && g) printf "goal of issue 11: mm-cached near glibc; now %.2fx glibc'"'"'s instructions\n", m / g }' "$pcsv"
echo "bench-icount: wrote $pcsv"
