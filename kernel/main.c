/*
 * main.c - kmain: from the loader's hand-off to the verdict.
 */
#include <stdint.h>

#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/exceptions.h"
#include "kernel/tests/fail.h"
#include "kernel/framemap.h"
#include "kernel/gdt.h"
#include "kernel/heap_hooks.h"
#include "kernel/heapmap.h"
#include "kernel/idt.h"
#include "kernel/kprintf.h"
#include "kernel/minimum.h"
#include "kernel/multiboot.h"
#include "kernel/panic.h"
#include "kernel/qemu.h"
#include "kernel/regions.h"
#include "kernel/tests/selftest.h"
#include "kernel/size.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
#include "kernel/vm/fault.h"
#include "kernel/vm/heap_growth.h"
#include "kernel/vm/paging.h"
#include "kernel/vm/vm.h"
#include "mm/memory.h"

/* Called from boot/multiboot.S with what the loader left in eax and ebx. */
void kmain(uint32_t magic, uintptr_t info);

static void print_stats(const char *when)
{
	struct heap_stats s;

	heap_get_stats(memory_heap(), &s);
	kprintf("heap %s: %zu region(s), %zu bytes free in %zu block(s), "
		"%zu used in %zu, largest free %zu\n",
		when, s.regions, s.bytes_free, s.free_blocks, s.bytes_used,
		s.used_blocks, s.largest_free);
}

/* The system heap, on virtual memory: a small first mapping that grows. */
static void make_heap(unsigned flags)
{
	void *first;

	kprintf("heap: system heap in 0x%08x-0x%08x (%zu KiB mapped, growing "
		"on demand up to 0x%08x), %s mode, %s (heap=%s%s)\n",
		VM_HEAP, VM_HEAP + (unsigned)HEAP_FIRST_BYTES,
		HEAP_FIRST_BYTES >> 10, VM_HEAP_END,
		cmdline_heap_mode_text(flags),
		!(flags & HEAP_CACHES)	? "no caches"
		: flags & HEAP_CHECKING ? "caches bypassed"
					: "per-CPU caches",
		cmdline_heap_mode(flags), cmdline_caches_word(flags));
	first = heap_growth_init(flags);
	if (first != (void *)VM_HEAP)
		kprintf("heap: first mapping at %p\n", first);
}

/* The original API at work, for a person reading the console. */
static void demo(void)
{
	char *a = allocate_memory(100);
	int *b = allocate_clear_memory(10, sizeof(int));
	void *c = allocate_aligned_memory(4096, 1000);
	char *a2;

	kprintf("demo: allocate_memory(100)          = %p\n", (void *)a);
	kprintf("demo: allocate_clear_memory(10, 4)  = %p\n", (void *)b);
	kprintf("demo: allocate_aligned_memory(4096) = %p\n", c);
	a2 = reallocate_memory(a, 5000);
	kprintf("demo: reallocate_memory(%p, 5000) = %p (%s)\n", (void *)a,
		(void *)a2, a2 == a ? "grown in place" : "moved");
	print_stats("with the demo's 3 blocks");
	deallocate_memory(a2);
	deallocate_memory(b);
	deallocate_memory(c);
	print_stats("after freeing them");
}

/* Physical memory beside the heap map: serial always, VGA when asked. */
static void show_frames(enum heapmap_mode mode)
{
	static struct framemap m;

	if (mode == HEAPMAP_NONE)
		return;
	framemap_build(&m);
	framemap_print(&m);
	if (mode == HEAPMAP_FRAMES)
		framemap_draw_vga(&m);
}

/* Ends a run that cannot go on, with the failure verdict. */
static void refuse(const struct boot_options *opt, const char *why)
{
	if (opt->exit) {
		kprintf("kernel: %s; exiting QEMU with failure\n", why);
		qemu_exit(QEMU_EXIT_FAILURE);
	}
	kprintf("kernel: %s; halted\n", why);
	cpu_halt_forever();
}

void kmain(uint32_t magic, uintptr_t info)
{
	static struct ram_region regions[REGIONS_MAX];
	struct boot_options opt;
	const struct boot_info *bi;
	size_t n;
	int failed, refused;

	console_init();
	/* Multiboot leaves the GDTR undefined, and the loader's table lies in
	 * memory that becomes heap or the AP trampoline: use our own. */
	gdt_load();
	kprintf("alloc: a kernel memory allocator, booted to test itself\n");
#ifdef MM_UNSAFE_NO_LOCK
	kprintf("alloc: UNSAFE BUILD: the heap lock is compiled out "
		"(MM_UNSAFE_NO_LOCK); SMP tests must fail\n");
#endif
#ifdef MM_ASSERTS
	kprintf("alloc: built with MM_ASSERTS: mm/'s invariants are checked "
		"(mm/assert.h)\n");
#endif

	/* Everything the loader left must be copied before the heap exists:
	 * the heap may be handed the RAM it sits in. */
	bi = multiboot_parse(magic, info);
	refused = cmdline_parse(bi->cmdline, &opt);
	panic_set_exit(opt.exit);
	if (refused)
		refuse(&opt, "stopping before any test: the command line has "
			     "words it does not understand (above)");
	multiboot_print(bi);
	if (minimum_ram_check(bi) != 0)
		refuse(&opt, "stopping before any test: not enough RAM");
	timer_init();
	/* Before the heap exists, so that no table it reads can have been
	 * handed out (the memory map keeps them out anyway). */
	smp_discover(!opt.no_acpi);

	n = regions_select(bi, regions, REGIONS_MAX);
	if (n == 0)
		panic("no usable RAM above 1 MiB and below 4 GiB for the heap");

	/* Exceptions before paging: a mistake in the page tables is then a
	 * report, not a reset. */
	idt_init();
	exceptions_install();
	vm_fault_install();
	idt_load();
	vm_init(regions, n);

	/* Hooks first: the heap takes its secret from them at creation. */
	heap_hooks_install();
	make_heap(opt.heap_flags);
	print_stats("ready");

	demo();
	/* After the heap (the AP stacks come from it), before the tests. */
	smp_start();
	fail_on_purpose(&opt);
	failed = selftest_run(&opt);
	smp_stop_others();
	/* After the verdict, so that a map or demo can never change it. */
	heapmap_run(memory_heap(),
		    opt.heapmap == HEAPMAP_FRAMES ? HEAPMAP_FINAL : opt.heapmap,
		    opt.exit);
	show_frames(opt.heapmap);

	if (opt.exit) {
		kprintf("kernel: done, exiting QEMU with %s\n",
			failed ? "failure" : "success");
		qemu_exit(failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
	}
	kprintf("kernel: done; halted (boot with 'exit' to leave QEMU)\n");
	cpu_halt_forever();
}
