# Shared by the boot test scripts: booting QEMU and explaining the result.
# The caller sets LOGS, QEMU and the QEMU_COMMON array, then sources this.
# shellcheck shell=bash

# Used by the scripts that source this file.
# shellcheck disable=SC2034
STATUS_SUCCESS=33
STATUS_FAILURE=35
STATUS_RESET=0
STATUS_TIMEOUT=124

# meaning STATUS [NAME]: what a QEMU status says; with NAME, QEMU's own
# log tells a triple fault from QEMU quitting.
meaning() {
	case $1 in
	33) echo "success reported by the kernel" ;;
	35) echo "failure reported by the kernel" ;;
	0)
		if [ $# -gt 1 ] && grep -q 'Triple fault' "$LOGS/$2.qemu" 2>/dev/null; then
			echo "triple fault (the CPU reset; -no-reboot made QEMU exit)"
		else
			echo "QEMU exited without a verdict (triple fault or QEMU quit)"
		fi
		;;
	124) echo "timed out: the kernel hung" ;;
	*) echo "unexpected QEMU status" ;;
	esac
}

# boot NAME TIMEOUT QEMU-ARGS... : runs QEMU; leaves the status in $status,
# the time taken in $seconds, the serial output in $LOGS/NAME.serial and
# the same with plain line ends in $LOGS/NAME.log.
boot() {
	local name=$1 limit=$2 start end
	shift 2
	rm -f "$LOGS/$name".*
	start=$(date +%s%N)
	timeout --kill-after=5 "$limit" "$QEMU" "${QEMU_COMMON[@]}" \
		-serial "file:$LOGS/$name.serial" \
		-d cpu_reset -D "$LOGS/$name.qemu" "$@" \
		</dev/null >"$LOGS/$name.stdout" 2>&1
	status=$?
	end=$(date +%s%N)
	seconds=$(((end - start) / 1000000000)).$(((end - start) / 100000000 % 10))
	touch "$LOGS/$name.serial"
	# The serial file has CR LF line ends.
	tr -d '\r' <"$LOGS/$name.serial" >"$LOGS/$name.log"
}

# has NAME REGEX: the serial log matches.
has() {
	grep -qE -- "$2" "$LOGS/$1.log"
}

# show NAME: what went wrong, indented so that no log line can pass for a
# result line.
show() {
	local name=$1
	echo "    status $status: $(meaning "$status" "$name")"
	echo "    serial log ($LOGS/$name.serial), last lines:"
	tail -n 25 "$LOGS/$name.log" | sed 's/^/    | /'
	if [ -s "$LOGS/$name.stdout" ]; then
		echo "    QEMU said:"
		tail -n 5 "$LOGS/$name.stdout" | sed 's/^/    | /'
	fi
	if [ "$status" -eq $STATUS_RESET ] && [ -s "$LOGS/$name.qemu" ]; then
		echo "    QEMU's log ($LOGS/$name.qemu; add -d int to see the" \
			"exceptions that led there):"
		tail -n 12 "$LOGS/$name.qemu" | sed 's/^/    | /'
	fi
}
