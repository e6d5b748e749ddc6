#!/usr/bin/env bash
# Boot the kernel in QEMU and turn its verdict into the shell's exit status.
#
#   scripts/run-qemu.sh QEMU [QEMU arguments...]      (make run calls this)
#
# The kernel reports through QEMU's isa-debug-exit device (port 0xf4):
# writing v there ends QEMU with status (v << 1) | 1. The kernel writes 0x10
# on success (33) and 0x11 on failure (35). Status 0 is never a verdict: it
# means QEMU stopped on its own, e.g. a triple fault reset the CPU and
# -no-reboot turned the reset into an exit, GRUB powered the machine off
# because it could not boot the kernel, or QEMU was quit.
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 QEMU [QEMU arguments...]" >&2
	exit 2
fi

args=" $* "
has_exit_device=0
case "$args" in *isa-debug-exit*) has_exit_device=1 ;; esac

# How to leave depends on how serial is wired: a mux (mon:stdio) takes
# Ctrl-A X; a plain stdio chardev passes Ctrl-C to QEMU as a signal.
case "$args" in
*" -serial mon:stdio "* | *" -nographic "*) quit="Ctrl-A X" ;;
*" -serial stdio "*) quit="Ctrl-C" ;;
*) quit="closing the QEMU window" ;;
esac

echo "run-qemu: $*"
echo "run-qemu: serial output follows; quit QEMU early with $quit"
"$@"
status=$?

case $status in
33)
	echo "kernel: success (all self-tests passed)"
	exit 0
	;;
35)
	echo "kernel: failure (a self-test failed or the kernel panicked; see above)"
	exit 1
	;;
0)
	if [ $has_exit_device -eq 0 ]; then
		echo "run-qemu: QEMU closed; without isa-debug-exit the verdict is only on screen"
		exit 0
	fi
	echo "kernel: no verdict: QEMU stopped with status 0 before the kernel gave one" \
		"(a triple fault under -no-reboot, GRUB unable to boot the kernel, or QEMU quit)"
	exit 1
	;;
1)
	echo "run-qemu: QEMU failed (status 1): bad arguments or a missing image?"
	exit 1
	;;
*)
	if [ $status -gt 128 ] && [ $status -lt 160 ]; then
		echo "run-qemu: QEMU killed by signal $((status - 128))"
	elif [ $((status % 2)) -eq 1 ]; then
		printf 'kernel: unknown verdict: wrote 0x%x to isa-debug-exit (status %d)\n' \
			$(((status - 1) / 2)) $status
	else
		echo "run-qemu: QEMU exited with unexpected status $status"
	fi
	exit 1
	;;
esac
