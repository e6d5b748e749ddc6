#!/usr/bin/env bash
# tests/gdb/run.sh - GDB in batch mode against a kernel that QEMU holds at
# reset: the gdbinit `make debug` writes attaches and stops at kmain, then
# tests/gdb/session.gdb runs heap-walk, heap-check and heap-stats on the
# live system heap, flips bits in it and expects each flip reported, and
# page-walk on pages the kernel's own page tables describe.
# Once GDB lets go, the kernel runs one self-test and its own heap_check,
# which must pass: the debugger leaves the heap as it found it.
#
# Once in the fast heap mode and once with the quarantine (which has
# quarantined blocks to show). Prints "ok - gdb ..." / "FAIL - gdb ...".
set -u
B=${B:-build}
QEMU=${QEMU:-qemu-system-i386}
GDB=${GDB:-gdb}
ELF=$B/kernel.elf
LOGS=$B/gdb-tests
HERE=$(dirname "$0")
failed=0
qpid=

mkdir -p "$LOGS"
if [ ! -f "$ELF" ]; then
	echo "FAIL - gdb: $ELF is not built (make kernel)"
	exit 1
fi

stop_qemu() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null
		wait "$qpid" 2>/dev/null
	fi
	qpid=
}
trap stop_qemu EXIT

# start_qemu NAME CMDLINE: the kernel held at reset, its GDB stub on a
# port the system picks (port=0), read back through the monitor, so that
# parallel runs never meet on one port. Sets qpid and port. nodelay as
# -gdb tcp: has it: without, each of GDB's small reads waits for a delayed
# ACK, and one heap-check takes 20 s instead of 20 ms.
start_qemu() {
	local name=$1 fifo=$LOGS/$1.monitor
	rm -f "$LOGS/$name".* && mkfifo "$fifo"
	"$QEMU" -m 128M -kernel "$ELF" -append "$2" -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-chardev socket,id=gdb0,host=127.0.0.1,port=0,server=on,wait=off,nodelay=on \
		-gdb chardev:gdb0 -S -display none \
		-serial "file:$LOGS/$name.serial" -monitor stdio \
		<"$fifo" >"$LOGS/$name.qemu" 2>&1 &
	qpid=$!
	# fd 3 keeps the monitor's input open until QEMU is done. A QEMU that
	# died at once has closed the other end: no SIGPIPE, that is a FAIL.
	exec 3>"$fifo"
	(trap '' PIPE && echo "info chardev" >&3) 2>/dev/null
	port=
	for _ in $(seq 50); do
		port=$(sed -n 's/.*gdb0: filename=.*tcp:127\.0\.0\.1:\([0-9]*\).*/\1/p' \
			"$LOGS/$name.qemu" | head -n 1)
		[ -n "$port" ] && return 0
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# finish_qemu: the kernel's own verdict, once GDB has detached.
finish_qemu() {
	for _ in $(seq 150); do
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.1
	done
	exec 3>&-
	if kill -0 "$qpid" 2>/dev/null; then
		stop_qemu
		status=124
		return
	fi
	wait "$qpid"
	status=$?
	qpid=
}

# section LOG NAME: the lines GDB printed after "==== NAME".
section() {
	awk -v s="==== $2" '$0 == s { on = 1; next } /^==== / { on = 0 } on' "$1"
}

# blocks SECTION-TEXT: the block lines of a heap-walk, as
# "header payload size state requested check..."
blocks() {
	grep -E '^  0x[0-9a-f]+ +(0x[0-9a-f]+|-) +[0-9]+ +(used|cached|internal|free|quarantined|sentinel) ' <<<"$1" |
		sed 's/^ *//'
}

stat_of() { # STATS-TEXT FIELD
	awk -v f="$2" '$1 == f { print $2 }' <<<"$1"
}

result() { # NAME OK [DETAIL...]
	local name=$1 ok=$2
	shift 2
	if [ "$ok" -eq 1 ]; then
		echo "ok - gdb $name"
	else
		echo "FAIL - gdb $name"
		failed=1
		[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    /'
	fi
}

# judge MODE LOG SERIAL: every check on one session's output.
judge() {
	local mode=$1 log=$2 serial=$3 stats walk lines victim aligned
	local used cached free quar sent ok want got lo hi line small

	ok=0
	grep -q '^Breakpoint 1, kmain ' "$log" && ok=1
	result "$mode: the generated gdbinit attaches and stops at kmain" $ok \
		"no 'Breakpoint 1, kmain' in $log"

	stats=$(section "$log" stats)
	walk=$(section "$log" walk)
	lines=$(blocks "$walk")
	victim=$(sed -n 's/^victim \(0x[0-9a-f]*\)$/\1/p' "$log")
	aligned=$(sed -n 's/^aligned \(0x[0-9a-f]*\)$/\1/p' "$log")
	small=$(sed -n 's/^cached \(0x[0-9a-f]*\)$/\1/p' "$log")
	used=$(grep -c ' used ' <<<"$lines")
	cached=$(grep -c ' cached ' <<<"$lines")
	free=$(grep -c ' free ' <<<"$lines")
	quar=$(grep -c ' quarantined ' <<<"$lines")
	sent=$(grep -c ' sentinel ' <<<"$lines")

	# heap-stats says what heap_get_stats would: cached blocks apart from
	# the callers' (internal ones, the caches' own, in neither)
	want="$(stat_of "$stats" used_blocks) $(stat_of "$stats" cached_blocks) $(stat_of "$stats" free_blocks) $(stat_of "$stats" quarantined_blocks) $(stat_of "$stats" regions)"
	got="$used $cached $free $quar $sent"
	ok=0
	[ "$got" = "$want" ] && [ "$used" -ge 2 ] && ok=1
	if [ "$mode" = quarantine ] && { [ "$quar" -lt 1 ] || [ "$cached" -ne 0 ]; }; then ok=0; fi
	if [ "$mode" = fast ] && [ "$cached" -lt 1 ]; then ok=0; fi
	result "$mode: heap-walk lists the blocks heap-stats counts" $ok \
		"used cached free quarantined sentinels: walk '$got', stats '$want'"

	# payload bytes per state: block size less the header (payload - block)
	local bused=0 bcached=0 bfree=0 bquar=0 blk pay size state rest
	while read -r blk pay size state rest; do
		case $state in
		used) bused=$((bused + size - (pay - blk))) ;;
		cached) bcached=$((bcached + size - (pay - blk))) ;;
		free) bfree=$((bfree + size - (pay - blk))) ;;
		quarantined) bquar=$((bquar + size - (pay - blk))) ;;
		esac
	done <<<"$lines"
	got="$bused $bcached $bfree $bquar"
	want="$(stat_of "$stats" bytes_used) $(stat_of "$stats" bytes_cached) $(stat_of "$stats" bytes_free) $(stat_of "$stats" bytes_quarantined)"
	ok=0
	[ "$got" = "$want" ] && ok=1
	result "$mode: heap-walk's block sizes add up to heap-stats' bytes" $ok \
		"used cached free quarantined bytes: walk '$got', stats '$want'"

	# the small block freed from the debugger: in this CPU's cache with
	# the caches (fast mode), held by the quarantine without them
	line=$(grep "^$small " <<<"$lines")
	want=$([ "$mode" = fast ] && echo cached || echo quarantined)
	ok=0
	[ -n "$small" ] && grep -qE "^0x[0-9a-f]+ +0x[0-9a-f]+ +[0-9]+ +$want +- +ok$" <<<"$line" && ok=1
	result "$mode: heap-walk shows the small block freed as $want" $ok \
		"block $small: '$line'"

	lo=$(sed -n 's/^heap: system heap in \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\) .*/\1-\2/p' "$serial" | head -n 1)
	ok=0
	[ -n "$lo" ] && grep -q "^region 0: $lo, " <<<"$walk" && ok=1
	result "$mode: heap-walk's region is the one the kernel printed" $ok \
		"serial: '${lo:-no heap line}'; walk: '$(grep '^region' <<<"$walk")'"

	line=$(grep "^$victim " <<<"$lines")
	hi=$(grep "^$aligned " <<<"$lines")
	ok=0
	if [ -n "$victim" ] && [ -n "$aligned" ] &&
		grep -qE '^0x[0-9a-f]+ +0x[0-9a-f]+ +[0-9]+ +used +100 +ok$' <<<"$line" &&
		grep -qE '^0x[0-9a-f]+ +0x[0-9a-f]+000 +[0-9]+ +used +300 +ok +align 4096$' <<<"$hi"; then
		ok=1
	fi
	result "$mode: heap-walk shows the debugger's blocks, used, sizes asked for" $ok \
		"victim $victim: '$line'" "aligned $aligned: '$hi'"

	line=$(section "$log" check)
	ok=0
	grep -qx "heap-check: OK ($(grep -vc ' sentinel ' <<<"$lines") blocks, $free free)" <<<"$line" && ok=1
	result "$mode: heap-check finds the heap consistent" $ok "$line"

	lines=$(blocks "$(section "$log" walk-bad-check)")
	ok=0
	if grep -qE "^$victim .* BAD \(stored 0x[0-9a-f]+, computed 0x[0-9a-f]+\)$" <<<"$lines" &&
		[ "$(grep -c ' BAD ' <<<"$lines")" -eq 1 ]; then
		ok=1
	fi
	result "$mode: one bit flipped in a check word: heap-walk flags that block" $ok \
		"$(grep ' BAD ' <<<"$lines")"

	line=$(section "$log" check-bad-check)
	ok=0
	if grep -q "^heap-check: block $victim: header corrupted" <<<"$line" &&
		! grep -q 'heap-check: OK' <<<"$line"; then
		ok=1
	fi
	result "$mode: one bit flipped in a check word: heap-check names the header" $ok "$line"

	line=$(section "$log" check-repaired)
	ok=0
	grep -q '^heap-check: OK ' <<<"$line" && ok=1
	result "$mode: the bit flipped back: heap-check is OK again" $ok "$line"

	line=$(section "$log" check-bad-size)
	ok=0
	if grep -q "^heap-check: block $victim: header corrupted" <<<"$line" &&
		! grep -q 'heap-check: OK' <<<"$line"; then
		ok=1
	fi
	result "$mode: one bit flipped in a size: heap-check names the header" $ok "$line"

	if [ "$mode" = fast ]; then
		line=$(section "$log" check-bad-cache-link)
		ok=0
		if grep -qE "^heap-check: block $small: cache 0 head\[[0-9]+\]: links to 0x[0-9a-f]+, not a cached block of [0-9]+ bytes" <<<"$line" &&
			! grep -q 'heap-check: OK' <<<"$line"; then
			ok=1
		fi
		result "$mode: one bit flipped in a cached block's link: heap-check names the cache list" $ok "$line"
	fi

	# page-walk: the heap page's entry is the one the kernel reads, and
	# the physical address is that frame plus the offset
	local entry addr phys
	entry=$(sed -n 's/^kernel-entry \(0x[0-9a-f]*\)$/\1/p' "$log")
	addr=$(sed -n 's/^small-address \(0x[0-9a-f]*\)$/\1/p' "$log")
	line=$(section "$log" page-walk-heap)
	phys=
	[ -n "$entry" ] && [ -n "$addr" ] &&
		phys=$(printf '0x%08x' $(((entry & 0xFFFFF000) | (addr & 0xFFF))))
	ok=0
	if [ -n "$phys" ] &&
		grep -qE "^  table entry at 0x[0-9a-f]+: $entry  present writable kernel" <<<"$line" &&
		grep -qx "  $addr -> physical $phys" <<<"$line"; then
		ok=1
	fi
	result "$mode: page-walk translates a heap block as the kernel's page table says" $ok \
		"kernel's entry '$entry' for '$addr'; walk:" "$line"
	line=$(section "$log" page-walk-null)
	ok=0
	grep -q '^  table entry at 0x[0-9a-f]*: 0x00000000  empty: nothing mapped$' <<<"$line" &&
		grep -q '^  0x00000000 is not mapped$' <<<"$line" && ok=1
	result "$mode: page-walk finds the NULL page unmapped" $ok "$line"
	line=$(section "$log" page-walk-text)
	ok=0
	grep -qE '^  table entry at 0x[0-9a-f]+: 0x[0-9a-f]+  present read-only kernel' <<<"$line" &&
		grep -qE '^  0x001[0-9a-f]+ -> physical 0x001[0-9a-f]+$' <<<"$line" && ok=1
	result "$mode: page-walk finds kernel text read-only" $ok "$line"
	line=$(section "$log" page-walk-guard)
	ok=0
	grep -q 'guard page below a range of 4 page(s)$' <<<"$line" &&
		grep -q 'is not mapped$' <<<"$line" && ok=1
	result "$mode: page-walk names the boot stack's guard page" $ok "$line"
	line=$(section "$log" page-walk-readonly)
	ok=0
	grep -qE '^  table entry at 0x[0-9a-f]+: 0x[0-9a-f]+  present read-only kernel' <<<"$line" && ok=1
	result "$mode: page-walk sees a table entry changed under it" $ok "$line"

	line=$(section "$log" check-bad-bitmap)
	ok=0
	if grep -q '^heap-check: heap: fl_map bit 0 ' <<<"$line" &&
		! grep -q 'heap-check: OK' <<<"$line"; then
		ok=1
	fi
	result "$mode: one bit flipped in fl_map: heap-check reports the bitmap" $ok "$line"
}

# session MODE CMDLINE
session() {
	local mode=$1 start end status=
	start=$(date +%s%N)
	if ! start_qemu "$mode" "$2"; then
		stop_qemu
		result "$mode: QEMU starts with a GDB stub" 0 \
			"$(tail -n 5 "$LOGS/$mode.qemu")"
		return
	fi
	scripts/gdb/gdbinit.sh "$ELF" "$port" >"$LOGS/$mode.gdbinit"
	timeout --kill-after=5 20 "$GDB" -batch -nx -x "$LOGS/$mode.gdbinit" \
		-x "$HERE/session.gdb" </dev/null >"$LOGS/$mode.gdb" 2>&1
	finish_qemu
	end=$(date +%s%N)
	tr -d '\r' <"$LOGS/$mode.serial" >"$LOGS/$mode.log"
	judge "$mode" "$LOGS/$mode.gdb" "$LOGS/$mode.log"
	ok=0
	[ "$status" -eq 33 ] && grep -q '^ok - heap_check$' "$LOGS/$mode.log" && ok=1
	result "$mode: resumed, the kernel's own heap_check passes ($(((end - start) / 1000000)) ms)" \
		$ok "QEMU status $status (33: success); serial: $LOGS/$mode.log" \
		"$(tail -n 3 "$LOGS/$mode.log")"
}

session fast "exit tests=alignment"
session quarantine "exit tests=alignment heap=quarantine"
exit $failed
