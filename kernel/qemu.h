/*
 * qemu.h - leaving QEMU with a status code, through isa-debug-exit.
 *
 * QEMU must run with -device isa-debug-exit,iobase=0xf4,iosize=0x04. A
 * value v written there ends QEMU with status (v << 1) | 1, so no value
 * can give 0: a plain QEMU exit (or a triple fault under -no-reboot) can
 * never be mistaken for a verdict.
 */
#ifndef KERNEL_QEMU_H
#define KERNEL_QEMU_H

#define QEMU_EXIT_PORT	  0xf4
#define QEMU_EXIT_SUCCESS 0x10 /* QEMU exits with 33 */
#define QEMU_EXIT_FAILURE 0x11 /* QEMU exits with 35 */

/* Without the device (real hardware, or a GUI run) the write does nothing
 * and this halts instead. */
__attribute__((noreturn)) void qemu_exit(unsigned value);

#endif
