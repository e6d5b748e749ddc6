#!/usr/bin/env bash
# Run an i386 (32-bit x86) program on this x86_64 machine.
#
#   scripts/run-i386.sh PROGRAM [ARGS...]   run it, natively or emulated
#   scripts/run-i386.sh --native            exit 0 if this machine runs
#                                           i386 programs itself
#
# Most x86_64 Linux kernels run i386 programs as they are. Some do not: a
# kernel built or booted without IA-32 emulation (ia32_emulation=0), or a
# virtual machine whose hypervisor gives its guests no 32-bit mode. Every
# i386 program then fails with "Exec format error", before its first
# instruction. There, the program runs under qemu-i386 (Debian's
# qemu-user, in the i386 install group), which emulates an i386 CPU and
# passes the system calls to this kernel: the same code, the same i386
# libraries (/lib/ld-linux.so.2, /usr/lib/i386-linux-gnu), only slower.
#
# The probe runs the i386 dynamic loader, which the i386 build needs
# anyway (libc6:i386 comes with libcmocka-dev:i386).
set -u

LOADER=/lib/ld-linux.so.2

native() {
	[ -x "$LOADER" ] && "$LOADER" --version >/dev/null 2>&1
}

if [ "${1-}" = --native ]; then
	native && exit 0
	exit 1
fi
if [ $# -eq 0 ]; then
	echo "usage: $0 PROGRAM [ARGS...] | --native" >&2
	exit 2
fi
if native; then
	exec "$@"
fi
if ! command -v qemu-i386 >/dev/null 2>&1; then
	echo "run-i386: this machine runs no i386 programs itself, and qemu-i386 is" \
		"missing: install the Debian package qemu-user (scripts/install-deps.sh i386)" >&2
	exit 127
fi
exec qemu-i386 "$@"
