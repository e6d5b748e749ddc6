# tests/make/targets.sh - make run and make debug as typed, judged by
# their exit status and what they print: the words of CMDLINE reach the
# kernel, a passing run exits 0 and a failing one does not, whichever way
# it is started.
# shellcheck shell=bash

# mk NAME ARGS...: make ARGS, output in $LOGS/NAME.log, status in $rc.
mk() {
	local name=$1
	shift
	timeout --kill-after=5 120 make B="$B" QEMU="$QEMU" "$@" </dev/null >"$LOGS/$name.log" 2>&1
	rc=$?
}

case_run_passes_cmdline() {
	local log=$LOGS/run-cmdline.log ok=0
	mk run-cmdline run CMDLINE='tests=alignment heapmap=none'
	[ $rc -eq 0 ] && grep -q '^ok - alignment' "$log" &&
		! grep -q '^ok - mixed_sizes' "$log" && ! grep -q '^heapmap:' "$log" &&
		grep -q '^kernel: success' "$log" && ok=1
	result "run CMDLINE='tests=alignment heapmap=none' boots with those words, exits 0" $ok \
		"exit $rc; log: $log" "$(tail_of "$log" 8)"

	log=$LOGS/run-cmdline-fail.log
	ok=0
	mk run-cmdline-fail run CMDLINE='tests=alignment fail=selftest'
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q '^FAIL - ' "$log" &&
		grep -q '^kernel: failure' "$log" && ok=1
	result "run CMDLINE='... fail=selftest' exits non-zero with the kernel's failure" $ok \
		"exit $rc; log: $log" "$(tail_of "$log" 8)"
}

case_run_passes_cmdline

# make run ASSERTS=1: the kernel with mm/'s assertions on (MM_ASSERTS);
# fail=assert breaks the hooks' contract, which only an assertion sees.
case_run_asserts() {
	local log=$LOGS/run-asserts.log ok=0
	mk run-asserts run ASSERTS=1 CMDLINE='tests=alignment heapmap=none'
	[ $rc -eq 0 ] && grep -q '^alloc: built with MM_ASSERTS' "$log" &&
		grep -q '^ok - alignment' "$log" && grep -q '^kernel: success' "$log" && ok=1
	result "run ASSERTS=1 boots the kernel with mm/'s assertions on, exits 0" $ok \
		"exit $rc; log: $log" "$(tail_of "$log" 8)"

	log=$LOGS/run-asserts-fail.log
	ok=0
	mk run-asserts-fail run ASSERTS=1 CMDLINE='fail=assert'
	[ $rc -ne 0 ] && [ $rc -ne 124 ] &&
		grep -q '^PANIC at .*: mm/cache_ops.h:[0-9]*: assertion failed: cache_is_mine(c)' "$log" && ok=1
	result "run ASSERTS=1 CMDLINE='fail=assert' exits non-zero at the assertion, naming it" $ok \
		"exit $rc; log: $log" "$(tail_of "$log" 8)"
}

case_run_asserts

# make check: the host64 unit tests alone, with their summary line, and
# nothing of the other variants or suites.
case_check_is_host64_only() {
	local log=$LOGS/check.log ok=0
	mk check check
	[ $rc -eq 0 ] && grep -qE '^[1-9][0-9]* passed, 0 failed$' "$log" &&
		grep -q '^ok - host64/test_alloc ' "$log" &&
		! grep -qE '^(ok|FAIL) - (host32|clang64|asan64|asan32)/' "$log" &&
		! grep -q '^== tests/' "$log" && ok=1
	# the FAIL lines first, with the cmocka lines under them: the tail
	# alone once left a failed case unnamed
	result "check runs the host64 unit tests alone and ends with its summary" $ok \
		"exit $rc; log: $log" "$(grep -A8 '^FAIL - ' "$log" | head -n 30)" \
		"$(tail_of "$log" 2)"
}

case_check_is_host64_only

# free_port: a local TCP port nothing listens on (for make debug's GDB_PORT).
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# debug_run NAME CMDLINE: make debug, then a GDB that attaches and lets the
# kernel run to its end; make's status in $rc.
debug_run() {
	local name=$1 cmdline=$2 port pid
	port=$(free_port) || { rc=255; return; }
	timeout --kill-after=5 120 make B="$B" QEMU="$QEMU" debug GDB_PORT="$port" CMDLINE="$cmdline" \
		</dev/null >"$LOGS/$name.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		timeout 60 "${GDB:-gdb}" -batch -nx -ex "target remote 127.0.0.1:$port" \
			-ex continue </dev/null >"$LOGS/$name.gdb" 2>&1
		grep -q 'Connection refused' "$LOGS/$name.gdb" || break
		kill -0 $pid 2>/dev/null || break
		sleep 0.2
	done
	wait $pid
	rc=$?
}

case_debug_verdicts() {
	local log=$LOGS/debug-pass.log ok=0
	debug_run debug-pass 'exit tests=alignment'
	[ $rc -eq 0 ] && grep -q '^ok - alignment' "$log" &&
		grep -q '^kernel: success' "$log" && ok=1
	result "debug CMDLINE='exit tests=alignment': a passing run under GDB exits 0" $ok \
		"exit $rc; log: $log" "$(tail_of "$log" 8)" "gdb:" "$(tail_of "$LOGS/debug-pass.gdb" 4)"

	log=$LOGS/debug-fail.log
	ok=0
	debug_run debug-fail 'exit tests=alignment fail=selftest'
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q '^kernel: failure' "$log" && ok=1
	result "debug CMDLINE='exit ... fail=selftest': a failing run exits non-zero, saying why" $ok \
		"exit $rc; log: $log" "$(tail_of "$log" 8)" "gdb:" "$(tail_of "$LOGS/debug-fail.gdb" 4)"
}

case_debug_verdicts

# A stand-in install script that notes the groups it is asked for and
# refuses the gui group, so that nothing after that runs.
fake_refusing_install() { # FILE LOG
	printf '#!/bin/sh\necho "$*" >>"%s"\ncase " $* " in *" gui "*) exit 1 ;; esac\n' \
		"$2" >"$1"
	chmod +x "$1"
}

case_gui() {
	local log=$LOGS/gui-nodisplay.log ok=0 start secs fake=$LOGS/gui-install
	rm -f "$LOGS/gui-groups"
	fake_refusing_install "$fake" "$LOGS/gui-groups"
	start=$(date +%s)
	env -u DISPLAY -u WAYLAND_DISPLAY timeout --kill-after=5 30 make B="$B" QEMU="$QEMU" run GUI=1 \
		INSTALL_DEPS="$fake" </dev/null >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'DISPLAY' "$log" &&
		grep -q 'WAYLAND_DISPLAY' "$log" && ! grep -q '^run-qemu:' "$log" && ok=1
	result "run GUI=1 without a display fails at once, naming DISPLAY and WAYLAND_DISPLAY" $ok \
		"exit $rc after ${secs}s; log: $log" "$(tail_of "$log" 6)"

	log=$LOGS/gui-install.log
	ok=0
	rm -f "$LOGS/gui-groups"
	DISPLAY=:97 timeout --kill-after=5 30 make B="$B" QEMU="$QEMU" run GUI=1 INSTALL_DEPS="$fake" \
		</dev/null >"$log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -qw gui "$LOGS/gui-groups" 2>/dev/null &&
		! grep -q '^run-qemu:' "$log" && ok=1
	result "run GUI=1 asks the install script for the gui group before QEMU starts" $ok \
		"exit $rc; groups asked for: $(tr '\n' ';' 2>/dev/null <"$LOGS/gui-groups")" \
		"$(tail_of "$log" 6)"
}

# The gui group's probe is QEMU's own list of displays: the real manifest,
# with a stand-in apt-get that records what it is asked to install.
case_gui_probe() {
	local dir=$LOGS/apt-gui ok=0 has_gtk=0 asked=0
	fake_apt "$dir"
	"$QEMU" -display help 2>/dev/null | grep -qx gtk && has_gtk=1
	PATH=$dir/bin:$PATH INSTALL_DEPS_LOCK=$dir/install.lock INSTALL_DEPS_RETRY_DELAY=0 \
		"$INSTALL" gui </dev/null >"$dir/out.log" 2>&1
	rc=$?
	grep -q 'install .*qemu-system-gui' "$dir/apt.log" 2>/dev/null && asked=1
	[ $rc -eq 0 ] && [ $asked -ne $has_gtk ] && ok=1
	result "install-deps gui installs qemu-system-gui exactly when QEMU lacks its gtk display" $ok \
		"QEMU has gtk: $has_gtk; qemu-system-gui asked for: $asked; exit $rc" \
		"$(tail_of "$dir/out.log" 6)"
}

case_gui
case_gui_probe
