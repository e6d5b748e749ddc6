/*
 * fail.c - see fail.h. Each mode ends the boot the way a real bug would.
 */
#include "kernel/fail.h"

#include <stdint.h>

#include "kernel/cpu.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "mm/memory.h"

static void triple_fault(void)
{
	/* With a zero-limit IDT, int3 cannot be delivered (#GP), neither can
	 * the #GP (#DF), nor the #DF: the CPU shuts down, which QEMU turns
	 * into a reset, and -no-reboot into an exit with status 0. */
	static const struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty_idt = {0, 0};

	__asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
}

void fail_on_purpose(enum fail_mode mode)
{
	void *p;

	switch (mode) {
	case FAIL_NONE:
	case FAIL_SELFTEST:
		return;
	case FAIL_PANIC:
		panic("deliberate panic (fail=panic on the command line)");
	case FAIL_DOUBLE_FREE:
		p = allocate_memory(64);
		kprintf("fail: freeing %p twice (fail=double-free)\n", p);
		deallocate_memory(p);
		deallocate_memory(p);
		panic("the heap did not report the double free of %p", p);
	case FAIL_TRIPLE_FAULT:
		kprintf("fail: loading an empty IDT and trapping "
			"(fail=triple-fault)\n");
		triple_fault();
		panic("still running after a triple fault");
	case FAIL_HANG:
		kprintf("fail: hanging without a verdict (fail=hang)\n");
		cpu_halt_forever();
	}
}
