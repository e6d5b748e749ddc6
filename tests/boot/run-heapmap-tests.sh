#!/usr/bin/env bash
# Heap map tests: the kernel draws the system heap's map on the VGA screen
# and prints the same map as text on serial (kernel/heapmap.h). These boot
# it, take QEMU's screenshot of the VGA screen and check what a person
# would see.
#
#   B=build QEMU=qemu-system-i386 tests/boot/run-heapmap-tests.sh
#
# Builds nothing: mk/heapmap-vga.mk makes $B/kernel.elf, $B/alloc.iso, the
# screenshot decoder $B/heapmap-vga/ppmcells and the host layout check
# $B/heapmap-vga/heapmap-layout first. One line per case,
# "ok - heapmap NAME (...)" or "FAIL - heapmap NAME"; exit 0 when every case
# is ok. Logs and pictures are kept in $B/heapmap-tests/.
#
# A screenshot boot runs without the exit device, so the kernel halts with
# the map on screen. QEMU's monitor reads a pipe: once the serial log says
# the kernel is done, the test sends "screendump" and "quit". The PPM is
# converted to PNG (netpbm's pnmtopng), and the PNG, decoded again, is what
# gets checked: ppmcells names the colours of each 9x16 text cell, which
# turn back into the serial map's characters. The map on screen must be the
# serial map, cell for cell, and its colours must cover the shares the demo
# phase implies. A screen without a map must fail that same check.
set -u

B=${B:-build}
QEMU=${QEMU:-qemu-system-i386}
ISO=$B/alloc.iso
ELF=$B/kernel.elf
PPMCELLS=${PPMCELLS:-$B/heapmap-vga/ppmcells}
LAYOUT=${LAYOUT:-$B/heapmap-vga/heapmap-layout}
LOGS=$B/heapmap-tests
BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}

# The device's options are one argument: its commas are not separators.
# shellcheck disable=SC2054
EXIT_DEVICE=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)
QEMU_COMMON=(-display none -no-reboot -m 32M)

# The titles the kernel gives its maps (kernel/tests/heapmap_demo.c).
FINAL="after the self-tests"
FILLED="demo 1/3: the heap filled"
FRAGMENTED="demo 2/3: every other block freed"
MERGED="demo 3/3: the rest freed and merged"

# VGA text colours as QEMU draws them: the heap map's kinds.
USED=0000a8
FREE=00a800
META=a85700
QUAR=a800a8
CACHED=00a8a8

failed=0

# shellcheck source=tests/boot/lib.sh
. "$(dirname "$0")/lib.sh"

# A monitor command sent to a QEMU that just ended must fail, not kill us.
trap '' PIPE

result() { # OK NAME [NOTE]
	if [ "$1" -eq 1 ]; then
		echo "ok - heapmap $2${3:+ ($3)}"
	else
		echo "FAIL - heapmap $2"
		failed=$((failed + 1))
	fi
}

# shoot NAME UNTIL QEMU-ARGS... : boots QEMU with its monitor on a pipe and
# a VGA card; once the serial log matches UNTIL, takes a screendump
# ($LOGS/NAME.ppm) and quits. status is 0 then; otherwise QEMU's own status
# (124 when it ran out of time). seconds: the time taken.
shoot() {
	local name=$1 until=$2 pid start end qemu_status
	shift 2
	rm -f "$LOGS/$name".*
	mkfifo "$LOGS/$name.monitor"
	start=$(date +%s%N)
	timeout --kill-after=5 "$BOOT_TIMEOUT" "$QEMU" "${QEMU_COMMON[@]}" \
		-vga std -monitor stdio -serial "file:$LOGS/$name.serial" \
		-d cpu_reset -D "$LOGS/$name.qemu" "$@" \
		<"$LOGS/$name.monitor" >"$LOGS/$name.hmp" 2>"$LOGS/$name.stdout" &
	pid=$!
	exec 3>"$LOGS/$name.monitor"
	status=$STATUS_TIMEOUT
	while kill -0 "$pid" 2>/dev/null; do
		{ tr -d '\r' <"$LOGS/$name.serial" >"$LOGS/$name.log"; } 2>/dev/null
		if has "$name" "$until" 2>/dev/null; then
			echo "screendump $LOGS/$name.ppm" >&3
			echo quit >&3
			status=0
			break
		fi
		sleep 0.1
	done
	exec 3>&-
	wait "$pid"
	qemu_status=$?
	[ "$status" -eq 0 ] || status=$qemu_status
	end=$(date +%s%N)
	seconds=$(((end - start) / 1000000000)).$(((end - start) / 100000000 % 10))
	touch "$LOGS/$name.serial"
	tr -d '\r' <"$LOGS/$name.serial" >"$LOGS/$name.log"
	rm -f "$LOGS/$name.monitor"
}

# picture NAME: the screendump as a PNG, decoded back into ppmcells'
# colour tokens ($LOGS/NAME.cells), and the map rows of those as map
# characters ($LOGS/NAME.screen). 1 when there is no picture to read.
picture() {
	local name=$1
	[ -s "$LOGS/$name.ppm" ] || return 1
	pnmtopng "$LOGS/$name.ppm" >"$LOGS/$name.png" 2>/dev/null || return 1
	# An all-grey screen comes back as a greyscale image: ppmtoppm makes
	# it colour again, and then the PNG must hold the screenshot exactly.
	pngtopnm "$LOGS/$name.png" 2>/dev/null | ppmtoppm >"$LOGS/$name.decoded.ppm" 2>/dev/null &&
		cmp -s "$LOGS/$name.decoded.ppm" "$LOGS/$name.ppm" &&
		"$PPMCELLS" "$LOGS/$name.decoded.ppm" >"$LOGS/$name.cells" || return 1
	# Screen rows 1-18 hold the map (kernel/heapmap_draw.c).
	awk -v u=$USED -v f=$FREE -v m=$META -v q=$QUAR -v c=$CACHED '
		function kind(t) {
			if (t == u) return "#"
			if (t == f) return "."
			if (t == m) return "H"
			if (t == q) return "q"
			if (t == c) return "c"
			if (t == "000000") return " "
			if (t == "000000/575757") return "|"
			return "?"
		}
		function cell(t, two) {
			if (split(t, two, "/") == 2 && kind(two[1]) ~ /[#.Hqc]/ &&
			    kind(two[2]) ~ /[#.Hqc]/)
				return "+"
			return kind(t)
		}
		NR >= 2 && NR <= 19 {
			line = ""
			for (i = 1; i <= NF; i++)
				line = line cell($i)
			sub(/ +$/, "", line)
			print line
		}' "$LOGS/$name.cells" >"$LOGS/$name.screen"
}

# serial_map NAME TITLE: the last map of that title on serial, without the
# addresses: the characters the screen must show.
serial_map() {
	awk -v title="heapmap: $2" '
		$0 == title { n = 0; grab = 1; next }
		grab && /^  0x/ { row[++n] = substr($0, 14); next }
		grab && /^heapmap: / && n > 0 { grab = 0 }
		END { for (i = 1; i <= n; i++) print row[i] }' "$LOGS/$1.log"
}

# census FILE: percent of the map's cells that are used, free, metadata,
# quarantined, mixed, cached, and anything else (unreadable).
census() {
	awk '{
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c == " ") continue
			n++; k[c]++
		}
	} END {
		if (!n) n = 1
		printf "%d %d %d %d %d %d %d\n", 100 * k["#"] / n, 100 * k["."] / n,
			100 * k["H"] / n, 100 * k["q"] / n, 100 * k["+"] / n,
			100 * k["c"] / n,
			100 * (n - k["#"] - k["."] - k["H"] - k["q"] - k["+"] - k["c"] - k["|"]) / n
	}' "$1"
}

# colours NAME MIN_USED MIN_FREE: the screen's map has both colours over at
# least those shares of its cells, and nothing unreadable. seen: the shares.
colours() {
	local used free meta quar mixed cached other
	read -r used free meta quar mixed cached other < <(census "$LOGS/$1.screen")
	seen="used ${used}%, free ${free}%, metadata ${meta}%, quarantined ${quar}%, mixed ${mixed}%, cached ${cached}%, other ${other}%"
	[ "$used" -ge "$2" ] && [ "$free" -ge "$3" ] && [ "$other" -eq 0 ]
}

# tokens NAME COLOUR: cells of the screen's map rows showing that colour,
# alone or as half of a mixed cell.
tokens() {
	awk -v c="$2" 'NR >= 2 && NR <= 19 {
		for (i = 1; i <= NF; i++)
			k += split($i, part, "/") == 2 ? (part[1] == c) + (part[2] == c) : $i == c
	} END { print k + 0 }' "$LOGS/$1.cells"
}

# same_map NAME TITLE: the screen shows the serial map of that title.
same_map() {
	serial_map "$1" "$2" >"$LOGS/$1.serial-map"
	[ -s "$LOGS/$1.serial-map" ] &&
		diff -u "$LOGS/$1.serial-map" "$LOGS/$1.screen" >"$LOGS/$1.diff"
}

# explain NAME WHY...: what went wrong. A boot that ended on its own gets
# lib.sh's account of it; one the test quit, the end of its serial log.
explain() {
	local name=$1
	shift
	echo "    $*"
	if [ -s "$LOGS/$name.diff" ]; then
		head -n 12 "$LOGS/$name.diff" | sed 's/^/    | /'
	fi
	if [ "$status" -ne 0 ]; then
		show "$name"
	else
		echo "    serial log ($LOGS/$name.serial), last lines:"
		tail -n 8 "$LOGS/$name.log" | sed 's/^/    | /'
	fi
}

mkdir -p "$LOGS"
for f in "$ISO" "$ELF" "$PPMCELLS" "$LAYOUT"; do
	if [ ! -f "$f" ]; then
		echo "FAIL - heapmap prerequisites ($f missing: run make vga-test)"
		exit 1
	fi
done
for t in pnmtopng pngtopnm; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "FAIL - heapmap prerequisites ($t missing: scripts/install-deps.sh viz)"
		exit 1
	fi
done

# Several regions, which the kernel's one-region heap under QEMU cannot
# show: kernel/heapmap.c on the host, over a heap laid out by the test
# (tests/boot/heapmap_layout.c). It prints its own result lines.
"$LAYOUT" >"$LOGS/layout.log" 2>&1
layout_status=$?
grep -E '^(ok|FAIL) - heapmap ' "$LOGS/layout.log"
failed=$((failed + $(grep -c '^FAIL - ' "$LOGS/layout.log")))
if [ "$layout_status" -ne 0 ] && ! grep -q '^FAIL - ' "$LOGS/layout.log"; then
	result 0 layout
	echo "    $LAYOUT ended with status $layout_status; see $LOGS/layout.log"
fi

# The demo on serial, as `make run` would print it, ending in the verdict:
# each phase's map in order, after the self-tests' verdict, with numbers
# that fit the phase.
name=serial-phases
boot $name "$BOOT_TIMEOUT" "${EXIT_DEVICE[@]}" -monitor none \
	-kernel "$ELF" -append "exit tests=none heapmap=phases"
verdict=$(grep -n -m1 '^ALL TESTS PASSED' "$LOGS/$name.log" | cut -d: -f1)
first_map=$(grep -n -m1 '^heapmap: demo 1/3' "$LOGS/$name.log" | cut -d: -f1)
order=$(grep '^heapmap: drawn' "$LOGS/$name.log" | tr '\n' '|')
serial_map $name "$FILLED" >"$LOGS/$name.filled"
serial_map $name "$FRAGMENTED" >"$LOGS/$name.fragmented"
serial_map $name "$MERGED" >"$LOGS/$name.merged"
read -r f_used f_free _ < <(census "$LOGS/$name.filled")
read -r g_used g_free _ < <(census "$LOGS/$name.fragmented")
read -r _ m_free _ < <(census "$LOGS/$name.merged")
why=""
if [ "$status" -ne $STATUS_SUCCESS ] || ! has $name '^ALL TESTS PASSED'; then
	why="no success verdict"
elif [ -z "$first_map" ] || [ "$first_map" -lt "$verdict" ]; then
	why="the first map is not after the verdict line"
elif [ "$order" != "heapmap: drawn ($FILLED)|heapmap: drawn ($FRAGMENTED)|heapmap: drawn ($MERGED)|" ]; then
	why="maps drawn: $order"
elif [ "$f_free" -ne 0 ] || [ "$f_used" -lt 50 ]; then
	why="filled heap: ${f_used}% used, ${f_free}% free"
elif [ "$g_used" -lt 20 ] || [ "$g_free" -lt 20 ]; then
	why="every other block freed: ${g_used}% used, ${g_free}% free"
elif ! has $name '^heapmap: largest free .* fragmentation 9[0-9]\.'; then
	why="no fragmentation of 90% or more after freeing every other block"
elif [ "$m_free" -lt 95 ] || ! has $name '^heapmap: largest free .* fragmentation 0\.0%'; then
	why="not merged back: ${m_free}% free, or fragmentation not 0.0%"
fi
result "$([ -z "$why" ] && echo 1 || echo 0)" $name "${seconds}s, 3 maps"
[ -z "$why" ] || explain $name "$why"

# The demo stopped after freeing every other block, on screen: the serial
# map, with substantial shares of used and free, and metadata showing.
name=vga-fragmented
shoot $name '^kernel: done; halted' -kernel "$ELF" \
	-append "tests=none heapmap=fragmented"
why=""
if [ "$status" -ne 0 ]; then
	why="no screenshot: the kernel never said it was done"
elif ! picture $name; then
	why="no picture: screendump, PNG conversion or decoding failed"
elif ! same_map $name "$FRAGMENTED"; then
	why="the screen does not show the serial map (serial -, screen +)"
elif ! colours $name 20 20; then
	why="colours: $seen"
elif [ "$(tokens $name $META)" -eq 0 ]; then
	why="no metadata colour on the map"
fi
result "$([ -z "$why" ] && echo 1 || echo 0)" $name "${seconds}s, $(census "$LOGS/$name.screen" | awk '{ print $1 "% used, " $2 "% free" }')"
[ -z "$why" ] || explain $name "$why"

# The same in quarantine mode: the last blocks freed are held, and show.
name=vga-quarantine
shoot $name '^kernel: done; halted' -kernel "$ELF" \
	-append "tests=none heap=quarantine heapmap=fragmented"
why=""
if [ "$status" -ne 0 ]; then
	why="no screenshot: the kernel never said it was done"
elif ! picture $name; then
	why="no picture: screendump, PNG conversion or decoding failed"
elif ! same_map $name "$FRAGMENTED"; then
	why="the screen does not show the serial map (serial -, screen +)"
elif ! colours $name 20 10; then
	why="colours: $seen"
elif [ "$(tokens $name $QUAR)" -eq 0 ]; then
	why="no quarantined colour on the map"
fi
result "$([ -z "$why" ] && echo 1 || echo 0)" $name "${seconds}s, $(tokens $name $QUAR) quarantined cells"
[ -z "$why" ] || explain $name "$why"

# After the SMP stress on 4 CPUs, with the frames counted (every CPU's
# cache given back for it), the demo frees every other block: the blocks
# this CPU's cache takes show in the cached colour, and the numbers count
# them.
name=vga-cached-smp4
shoot $name '^kernel: done; halted' -smp 4 -accel tcg,thread=multi \
	-kernel "$ELF" -append "tests=smp_stress heapmap=fragmented"
why=""
if [ "$status" -ne 0 ]; then
	why="no screenshot: the kernel never said it was done"
elif ! has $name '^ALL TESTS PASSED'; then
	why="no ALL TESTS PASSED line before the map"
elif ! picture $name; then
	why="no picture: screendump, PNG conversion or decoding failed"
elif ! same_map $name "$FRAGMENTED"; then
	why="the screen does not show the serial map (serial -, screen +)"
elif ! colours $name 0 0; then
	why="colours: $seen"
elif [ "$(tokens $name $CACHED)" -eq 0 ]; then
	why="no cached colour on the map"
elif ! has $name '^heapmap: metadata .*   cached [0-9.]+ [KM]iB in [1-9][0-9]* blocks$'; then
	why="the numbers do not count the cached blocks"
fi
result "$([ -z "$why" ] && echo 1 || echo 0)" $name "${seconds}s, $(tokens $name $CACHED) cached cells"
[ -z "$why" ] || explain $name "$why"

# What `make run GUI=1` shows: the ISO's own boot, every self-test, no exit
# device, so the kernel halts with the final map on screen and its last
# words in the console rows below it.
name=vga-final-iso
QEMU_COMMON=(-display none -no-reboot -m 128M)
shoot $name '^kernel: no isa-debug-exit device' -cdrom "$ISO" -boot d
QEMU_COMMON=(-display none -no-reboot -m 32M)
verdict=$(grep -n -m1 '^ALL TESTS PASSED' "$LOGS/$name.log" | cut -d: -f1)
first_map=$(grep -n -m1 "^heapmap: $FINAL" "$LOGS/$name.log" | cut -d: -f1)
why=""
if [ "$status" -ne 0 ]; then
	why="no screenshot: the kernel never said it was done"
elif [ -z "$verdict" ] || [ -z "$first_map" ] || [ "$first_map" -lt "$verdict" ]; then
	why="no ALL TESTS PASSED line before the final map"
elif ! picture $name; then
	why="no picture: screendump, PNG conversion or decoding failed"
elif ! same_map $name "$FINAL"; then
	why="the screen does not show the serial map (serial -, screen +)"
elif ! colours $name 0 90; then
	why="colours: $seen"
elif ! sed -n '24,25p' "$LOGS/$name.cells" | grep -q a8a8a8; then
	why="no text in the console rows below the map"
fi
result "$([ -z "$why" ] && echo 1 || echo 0)" $name "${seconds}s"
[ -z "$why" ] || explain $name "$why"

# heapmap=frames: the map of physical frames on VGA (kernel/framemap.c),
# cell for cell the serial frame map, in its colours.
KERNEL_FRAMES=a85700 TABLES=a800a8 HEAPPAGES=0000a8 KSPACE=00a8a8 LOST=a80000
# frame_screen NAME: the screen's map rows as frame-map characters.
frame_screen() {
	awk -v k=$KERNEL_FRAMES -v t=$TABLES -v h=$HEAPPAGES -v s=$KSPACE \
		-v f=$FREE -v l=$LOST '
		function kind(x) {
			if (index(x, "/")) return "+"
			if (x == k) return "K"
			if (x == t) return "T"
			if (x == h) return "h"
			if (x == s) return "s"
			if (x == f) return "."
			if (x == l) return "?"
			if (x == "000000") return " "
			return "!"
		}
		NR >= 2 && NR <= 19 {
			line = ""
			for (i = 1; i <= NF; i++)
				line = line kind($i)
			sub(/ +$/, "", line)
			row[++n] = line
		}
		END {	# rows past the last cell are blank: not part of the map
			while (n > 0 && row[n] == "") n--
			for (i = 1; i <= n; i++) print row[i]
		}' "$LOGS/$1.cells"
}
# serial_frames NAME: the serial frame map's rows, without the addresses.
serial_frames() {
	awk '/^framemap: physical memory/ { grab = 1; n = 0; next }
		grab && /^  0x/ { row = substr($0, 14); sub(/ +$/, "", row); print row; next }
		grab { grab = 0 }' "$LOGS/$1.log"
}
name=vga-frames
shoot $name '^kernel: done; halted' -kernel "$ELF" -append "tests=alignment,heap_grows heapmap=frames"
why=""
if [ "$status" -ne 0 ]; then
	why="no screenshot: the kernel never said it was done"
elif ! picture $name; then
	why="no picture: screendump, PNG conversion or decoding failed"
else
	frame_screen $name >"$LOGS/$name.frames-screen"
	serial_frames $name >"$LOGS/$name.frames-serial"
	if [ ! -s "$LOGS/$name.frames-serial" ]; then
		why="no frame map on serial"
	elif ! diff -u "$LOGS/$name.frames-serial" "$LOGS/$name.frames-screen" >"$LOGS/$name.diff"; then
		why="the screen does not show the serial frame map (serial -, screen +)"
	elif ! grep -q K "$LOGS/$name.frames-screen" || ! grep -q h "$LOGS/$name.frames-screen" ||
		! grep -q '\.' "$LOGS/$name.frames-screen"; then
		why="the frame map lacks the kernel, the heap or free frames"
	elif ! has $name '^framemap: [0-9]* free, [1-9][0-9]* heap, [1-9][0-9]* page tables, .* 0 lost$'; then
		why="the frame map's counts are missing, or count lost frames"
	fi
fi
result "$([ -z "$why" ] && echo 1 || echo 0)" $name "${seconds}s"
[ -z "$why" ] || explain $name "$why"

# Must fail: the heap map's screen (vga-final-iso) is not its frame map.
name=must-fail-heap-screen-as-frames
if [ ! -s "$LOGS/vga-final-iso.cells" ]; then
	result 0 $name
	echo "    no screen from vga-final-iso to judge"
elif frame_screen vga-final-iso | diff -q - <(serial_frames vga-final-iso) >/dev/null; then
	result 0 $name
	echo "    the frame-map comparison took the heap map's screen for the frame map"
else
	result 1 $name "differs from the frame map"
fi

# Must fail: a screen without a map (heapmap=none) must not pass the check
# the maps above passed.
name=must-fail-no-map
shoot $name '^kernel: done; halted' -kernel "$ELF" \
	-append "tests=none heapmap=none"
if [ "$status" -ne 0 ] || ! picture $name; then
	result 0 $name
	explain $name "no screenshot to judge"
elif colours $name 20 20; then
	result 0 $name
	explain $name "the colour check accepted a screen without a map: $seen"
else
	result 1 $name "rejected: $seen"
fi

# Must fail: the fragmented screen against another phase's serial map.
name=must-fail-other-map
cp "$LOGS/vga-fragmented.cells" "$LOGS/$name.cells" 2>/dev/null
cp "$LOGS/vga-fragmented.screen" "$LOGS/$name.screen" 2>/dev/null
cp "$LOGS/serial-phases.log" "$LOGS/$name.log" 2>/dev/null
status=0
if [ ! -s "$LOGS/$name.screen" ]; then
	result 0 $name
	echo "    no screen from vga-fragmented to compare"
elif same_map $name "$FILLED"; then
	result 0 $name
	echo "    the comparison took the fragmented screen for the filled map"
else
	result 1 $name "differs from the filled map"
fi

# Must fail: the quarantine's screen (the checking modes bypass the
# caches) has no cached cell and no cached count: the checks that passed
# vga-cached-smp4 must find none there.
name=must-fail-no-cached
if [ ! -s "$LOGS/vga-quarantine.cells" ]; then
	result 0 $name
	echo "    no screen from vga-quarantine to judge"
elif [ "$(tokens vga-quarantine $CACHED)" -ne 0 ] ||
	has vga-quarantine '^heapmap: metadata .*   cached [0-9.]+ [KM]iB in [1-9][0-9]* blocks$'; then
	result 0 $name
	echo "    the cached checks found cached blocks in a heap that bypasses the caches"
else
	result 1 $name "no cached cells, no cached count"
fi

[ "$failed" -eq 0 ]
