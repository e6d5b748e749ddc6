/*
 * panic.c - the kernel's one way to give up.
 */
#include "kernel/panic.h"

#include <stdarg.h>

#include "kernel/cpu.h"
#include "kernel/qemu.h"
#include "kernel/smp.h"
#include "kernel/vga.h"

static int exit_on_panic;
static unsigned panicking; /* the panicking CPU's index + 1, or 0 */

void panic_set_exit(int exit_qemu)
{
	exit_on_panic = exit_qemu;
}

void panic_at(const char *file, int line, const char *func, const char *fmt,
	      ...)
{
	va_list ap;
	unsigned me = smp_this_cpu() + 1, first = 0;

	cpu_irq_save();
	/* A panic from inside the panic path (say, in kprintf) must not
	 * recurse: the first message is the one that matters. Another CPU
	 * panicking at the same time stops here and lets the first one
	 * finish its message and the exit. */
	if (!__atomic_compare_exchange_n(&panicking, &first, me, 0,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		if (exit_on_panic && first == me)
			qemu_exit(QEMU_EXIT_FAILURE);
		cpu_halt_forever();
	}

	vga_set_color(VGA_WHITE, VGA_RED);
	kprintf("\nPANIC at %s:%d (%s)", file, line, func);
	if (smp_cpu_count() > 1)
		kprintf(" on cpu %u", me - 1);
	kprintf(": ");
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
