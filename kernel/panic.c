/*
 * panic.c - the kernel's one way to give up.
 */
#include "kernel/panic.h"

#include <stdarg.h>

#include "kernel/cpu.h"
#include "kernel/qemu.h"
#include "kernel/vga.h"

static int exit_on_panic;
static int panicking;

void panic_set_exit(int exit_qemu)
{
	exit_on_panic = exit_qemu;
}

void panic_at(const char *file, int line, const char *func, const char *fmt,
	      ...)
{
	va_list ap;

	cpu_irq_save();
	/* A panic from inside the panic path (say, in kprintf) must not
	 * recurse: the first message is the one that matters. */
	if (panicking++) {
		if (exit_on_panic)
			qemu_exit(QEMU_EXIT_FAILURE);
		cpu_halt_forever();
	}

	vga_set_color(VGA_WHITE, VGA_RED);
	kprintf("\nPANIC at %s:%d (%s): ", file, line, func);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	if (exit_on_panic) {
		kprintf("kernel: exiting QEMU with failure\n");
		qemu_exit(QEMU_EXIT_FAILURE);
	}
	kprintf("kernel: halted\n");
	cpu_halt_forever();
}
