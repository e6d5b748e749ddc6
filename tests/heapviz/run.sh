#!/usr/bin/env bash
# heapviz on small scenarios: the pictures must be real PNGs of the size
# asked for, show what the heap did, and agree with the numbers in the CSV.
# The PNGs are decoded by pnginfo (libpng's reader), not by heapviz.
#   B=build tests/heapviz/run.sh     (binaries built by make: mk/heapviz.mk)
set -u
B=${B:-build}
viz=$B/heapviz/heapviz
info=$B/heapviz/pnginfo
out=$B/heapviz-test
fails=0

# The palette (tools/heapviz/png_out.c); "edge" is a block's first pixel.
GAP=3a3a3a META=e6a23c USED=3d6fb6 SLACK=9ec5f0 FREE=7ccf7c QUAR=c58fd6
USED_EDGE=24426d FREE_EDGE=4a7c4a

result() { # 0|1 name [detail]
	if [ "$1" = 0 ]; then
		echo "ok - heapviz $2"
	else
		echo "FAIL - heapviz $2${3:+: $3}"
		fails=$((fails + 1))
	fi
}

# col CSV NAME: the column called NAME, one value per data row
col() {
	awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
		k { print $k }' "$1"
}
# at CSV ROW NAME: one value (ROW 1 is the first data row; -1 the last)
at() {
	if [ "$2" -lt 0 ]; then col "$1" "$3" | tail -n 1; else col "$1" "$3" | sed -n "$2p"; fi
}
# count PNG ROW COLOUR: pixels of that colour in that row ("all": image)
count() {
	"$info" "$1" "$2" | awk -v c="$3" '$1 == c { n = $2 } END { print n + 0 }'
}
# dims PNG: "WIDTH HEIGHT", or nothing when the file does not decode
dims() { "$info" "$1" 2>/dev/null | awk '{ print $1, $2 }'; }
ncolours() { "$info" "$1" 2>/dev/null | awk '{ print $3 + 0 }'; }

for bin in "$viz" "$info"; do
	[ -x "$bin" ] || { result 1 "build" "$bin missing"; exit 1; }
done
rm -rf "$out"
mkdir -p "$out"

# --- fill-free-alternate: 1 KiB blocks in a 64 KiB heap, 128 bytes a pixel
d=$out/ffa
"$viz" --scenario fill-free-alternate --heap-size 64k --width 512 --every 1 \
	--row-height 2 --frame-height 32 --write-trace "$out/ffa.trace" \
	--out "$d" >"$out/ffa.log" 2>&1
result $? "fill-free-alternate runs" "$(tail -n 3 "$out/ffa.log")"
csv=$d/stats.csv
steps=$(grep -c '^[amrf] ' "$out/ffa.trace")
pics=$(grep -c '^p' "$out/ffa.trace")
block=$(awk '$1 == "a" { print $3; exit }' "$out/ffa.trace")
# blocks filled: the allocations before the first free
n=$(awk '$1 == "f" { exit } $1 == "a" { n++ } END { print n + 0 }' "$out/ffa.trace")

bad=0
[ "$(dims "$d/summary.png")" = "512 $(((steps + 1) * 2))" ] || bad=1
[ "$(col "$csv" step | wc -l)" -eq $((steps + 1)) ] || bad=1
result $bad "summary.png is 512 wide with one 2-pixel row per step ($steps steps)" \
	"$(dims "$d/summary.png")"

bad=0
nframes=0
for f in "$d"/frames/*.png; do
	[ -e "$f" ] || continue
	nframes=$((nframes + 1))
	[ "$(dims "$f")" = "512 32" ] || bad=1
	[ "$(ncolours "$f")" -ge 2 ] || bad=1
done
[ "$nframes" -eq "$pics" ] && [ "$pics" -ge 4 ] || bad=1
result $bad "one 512x32 frame per picture line ($nframes of $pics), none blank"

# The fill is exact, so every freed block sits between two used ones.
free_col=$(col "$csv" free_blocks)
peak=$(echo "$free_col" | sort -n | tail -n 1)
prow=$(echo "$free_col" | grep -n -x "$peak" | head -n 1 | cut -d: -f1)
frag=$(at "$csv" "$prow" fragmentation)
bad=0
[ "$n" -ge 20 ] && [ "$peak" -ge $((n / 2)) ] && [ "$peak" -le $((n / 2 + 1)) ] || bad=1
awk -v f="$frag" 'BEGIN { exit !(f > 0.85) }' || bad=1
result $bad "freeing every other of $n blocks leaves $peak free blocks, fragmentation $frag"

# Half the heap is free, but a request for four blocks finds no hole.
frow=$(col "$csv" failed_allocs | grep -n -x 1 | head -n 1 | cut -d: -f1)
bad=0
[ -n "$frow" ] && [ "$(at "$csv" -1 failed_allocs)" = 1 ] || bad=1
[ -n "$frow" ] && [ "$(at "$csv" "$frow" free_bytes)" -gt $((4 * block * 5 / 2)) ] || bad=1
[ -n "$frow" ] && [ "$(at "$csv" "$frow" largest_free)" -lt $((4 * block)) ] || bad=1
result $bad "a $((4 * block))-byte request fails with more than twice that free"

l0=$(at "$csv" 1 largest_free)
bad=0
[ "$(at "$csv" 1 free_blocks)" = 1 ] || bad=1
[ "$(at "$csv" -1 free_blocks)" = 1 ] || bad=1
[ "$(at "$csv" -1 largest_free)" = "$l0" ] || bad=1
[ "$(at "$csv" -1 used_bytes)" = 0 ] || bad=1
[ "$(at "$csv" -1 fragmentation)" = 0.000000 ] || bad=1
result $bad "freeing the rest merges everything back into one $l0-byte block"

# Rows of the summary: strip k is image rows 2k and 2k+1.
s=$d/summary.png
y=$(((prow - 1) * 2))
bad=0
[ "$(count "$s" 0 "$USED")" = 0 ] && [ "$(count "$s" 0 "$FREE")" -gt 400 ] || bad=1
[ "$(count "$s" $((y + 1)) "$FREE_EDGE")" = "$peak" ] || bad=1
[ "$(count "$s" "$y" "$USED_EDGE")" = "$(at "$csv" "$prow" used_blocks)" ] || bad=1
[ "$(count "$s" -1 "$USED")" = 0 ] && [ "$(count "$s" -1 "$USED_EDGE")" = 0 ] || bad=1
[ "$(count "$s" -1 "$FREE_EDGE")" = 1 ] || bad=1
result $bad "summary rows: empty first, one edge per block at the peak, one free block last"

bad=0
for p in heapmap fragmentation frames; do
	[ -n "$(dims "$d/$p.png")" ] && [ "$(ncolours "$d/$p.png")" -gt 8 ] || bad=1
done
result $bad "gnuplot pictures decode and are not blank"

# --- replaying the written trace gives the same pictures and numbers
"$viz" --heap-size 64k --width 512 --every 1 --row-height 2 --frame-height 32 \
	--no-plot --out "$out/replay" "$out/ffa.trace" >"$out/replay.log" 2>&1 &&
	cmp -s "$d/summary.png" "$out/replay/summary.png" &&
	cmp -s "$csv" "$out/replay/stats.csv"
result $? "the written trace replays to the same summary.png and stats.csv"

# --- mixed, zoomed in to 16 bytes a pixel in checking mode: every class
d=$out/mixed
"$viz" --scenario mixed --seed 3 --ops 300 --heap-size 16k --regions 2 \
	--checking --width 1024 --no-plot --write-trace "$out/mixed.trace" \
	--out "$d" >"$out/mixed.log" 2>&1
result $? "mixed runs in checking mode on two regions" "$(tail -n 3 "$out/mixed.log")"
bad=0
for c in "$GAP" "$META" "$USED" "$SLACK" "$FREE"; do
	[ "$(count "$d/summary.png" all "$c")" -gt 0 ] || { bad=1; echo "    colour $c never seen"; }
done
result $bad "gap, metadata, used, slack and free all show at 16 bytes a pixel"
bad=0
[ "$(at "$d/stats.csv" -1 used_bytes)" = 0 ] || bad=1
[ "$(at "$d/stats.csv" -1 free_blocks)" = 2 ] || bad=1
result $bad "mixed drains to one free block per region"

"$viz" --scenario mixed --seed 3 --ops 300 --heap-size 16k --regions 2 \
	--checking --width 1024 --no-plot --write-trace "$out/mixed2.trace" \
	--out "$out/mixed2" >/dev/null 2>&1 &&
	cmp -s "$out/mixed.trace" "$out/mixed2.trace" &&
	cmp -s "$d/summary.png" "$out/mixed2/summary.png"
same=$?
"$viz" --scenario mixed --seed 4 --ops 300 --heap-size 16k --no-plot \
	--write-trace "$out/mixed3.trace" --out "$out/mixed3" >/dev/null 2>&1
cmp -s "$out/mixed.trace" "$out/mixed3.trace"
result $((same == 0 && $? != 0 ? 0 : 1)) "a seed gives the same trace and picture; another seed another trace"

# --- realloc-growth: growing between pins must move some buffers
d=$out/growth
"$viz" --scenario realloc-growth --heap-size 64k --width 256 --no-plot \
	--out "$d" >"$out/growth.log" 2>&1
bad=$?
[ "$(at "$d/stats.csv" -1 moved_reallocs)" -gt 0 ] 2>/dev/null || bad=1
[ "$(at "$d/stats.csv" -1 used_bytes)" = 0 ] || bad=1
result $bad "realloc-growth moves blocks ($(at "$d/stats.csv" -1 moved_reallocs 2>/dev/null) moves) and ends empty"

# --- quarantine: freed blocks wait instead of merging
d=$out/quarantine
"$viz" --scenario fill-free-alternate --quarantine --heap-size 64k --width 512 \
	--no-plot --out "$d" >"$out/quarantine.log" 2>&1
bad=$?
f=$(awk -F, '$3 == "every other block freed" { print $2 }' "$d/frames.csv")
[ -n "$f" ] && [ "$(count "$d/$f" 0 "$QUAR")" -gt 100 ] || bad=1
result $bad "quarantine mode shows freed blocks as quarantined"

# --- bad traces are refused, naming the line
printf 'a 1 100\nf 2\n' >"$out/unbound.trace"
printf '# ok\nx 1 2\n' >"$out/syntax.trace"
printf 'a 1 100\na 1 100\n' >"$out/twice.trace"
bad=0
for t in unbound:2 syntax:2 twice:2; do
	file=$out/${t%:*}.trace
	if "$viz" --no-plot --out "$out/bad" "$file" >/dev/null 2>"$out/bad.err" ||
		! grep -q "${t%:*}.trace:${t#*:}:" "$out/bad.err"; then
		bad=1
		echo "    $file: $(cat "$out/bad.err")"
	fi
done
result $bad "bad traces (unbound id, unknown op, id bound twice) are refused with their line"

[ $fails -eq 0 ]
