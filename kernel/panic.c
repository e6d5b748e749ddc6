/*
 * panic.c - the kernel's one way to give up.
 */
#include "kernel/panic.h"

#include <stdarg.h>

#include "kernel/cpu.h"
#include "kernel/ksym.h"
#include "kernel/qemu.h"
#include "kernel/smp.h"
#include "kernel/vga.h"

static int exit_on_panic;
static unsigned panicking; /* the panicking CPU's index + 1, or 0 */

void panic_set_exit(int exit_qemu)
{
	exit_on_panic = exit_qemu;
}

/* Where a panic happened: a place in the source, or a return address. */
struct where {
	const char *file, *func;
	int line;
	uintptr_t pc; /* when file is NULL */
};

static void print_where(const struct where *w)
{
	const char *name;
	uintptr_t off;

	if (w->file) {
		kprintf("%s:%d (%s)", w->file, w->line, w->func);
		return;
	}
	name = ksym_find(w->pc, &off);
	if (name)
		kprintf("%s+0x%x (%p)", name, (unsigned)off, (void *)w->pc);
	else
		kprintf("%p", (void *)w->pc);
}

/* The first half of a panic: one CPU gets past it, with interrupts masked,
 * and has printed "PANIC at WHERE[ on cpu N]: ". */
static void begin(const struct where *w)
{
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
	kprintf("\nPANIC at ");
	print_where(w);
	if (smp_cpu_count() > 1)
		kprintf(" on cpu %u", me - 1);
	kprintf(": ");
}

/* The second half, after the message. */
static __attribute__((noreturn)) void finish(void)
{
	kprintf("\n");
	if (exit_on_panic) {
		kprintf("kernel: exiting QEMU with failure\n");
		qemu_exit(QEMU_EXIT_FAILURE);
	}
	kprintf("kernel: halted\n");
	cpu_halt_forever();
}

/* Both halves around the message. */
static __attribute__((noreturn)) void report(const struct where *w,
					     const char *fmt, va_list ap)
{
	begin(w);
	kvprintf(fmt, ap);
	finish();
}

void panic_at(const char *file, int line, const char *func, const char *fmt,
	      ...)
{
	struct where w = {file, func, line, 0};
	va_list ap;

	va_start(ap, fmt);
	report(&w, fmt, ap); /* never returns, so no va_end */
}

void panic_from(const void *pc, const char *fmt, ...)
{
	struct where w = {NULL, NULL, 0, (uintptr_t)pc};
	va_list ap;

	va_start(ap, fmt);
	report(&w, fmt, ap); /* never returns, so no va_end */
}
