/*
 * qemu.c - see qemu.h.
 */
#include "kernel/qemu.h"

#include "kernel/cpu.h"
#include "kernel/io.h"
#include "kernel/kprintf.h"

void qemu_exit(unsigned value)
{
	outl(QEMU_EXIT_PORT, value);
	kprintf("kernel: no isa-debug-exit device at 0x%x; halting instead\n",
		QEMU_EXIT_PORT);
	cpu_halt_forever();
}
