/*
 * main.c - kmain: from the loader's hand-off to the verdict.
 */
#include <stdint.h>

#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/fail.h"
#include "kernel/gdt.h"
#include "kernel/heap_hooks.h"
#include "kernel/heapmap.h"
#include "kernel/kprintf.h"
#include "kernel/minimum.h"
#include "kernel/multiboot.h"
#include "kernel/panic.h"
#include "kernel/qemu.h"
#include "kernel/regions.h"
#include "kernel/selftest.h"
#include "kernel/size.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
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

/* Hands every selected region to mm/; returns how many it took. */
static size_t give_memory(const struct ram_region *r, size_t n, unsigned flags)
{
	size_t taken = 1;

	kprintf("heap: system heap in 0x%08x-0x%08x (", (unsigned)r[0].base,
		(unsigned)(r[0].base + r[0].size));
	print_size(r[0].size, 0);
	kprintf("), %s mode, %s (heap=%s%s)\n", cmdline_heap_mode_text(flags),
		!(flags & HEAP_CACHES)	? "no caches"
		: flags & HEAP_CHECKING ? "caches bypassed"
					: "per-CPU caches",
		cmdline_heap_mode(flags), cmdline_caches_word(flags));
	if (memory_init_flags((void *)r[0].base, r[0].size, flags) != 0)
		panic("memory_init refused 0x%08x, %zu bytes",
		      (unsigned)r[0].base, r[0].size);
	for (size_t i = 1; i < n; i++) {
		int rc = heap_add_region(memory_heap(), (void *)r[i].base,
					 r[i].size);
		kprintf("heap: add 0x%08x-0x%08x: %s\n", (unsigned)r[i].base,
			(unsigned)(r[i].base + r[i].size),
			rc == 0 ? "ok" : "refused");
		taken += rc == 0;
	}
	return taken;
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
	size_t n, taken;
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

	/* Hooks first: the heap takes its secret from them at creation. */
	heap_hooks_install();
	taken = give_memory(regions, n, opt.heap_flags);
	print_stats("ready");

	demo();
	/* After the heap (the AP stacks come from it), before the tests. */
	smp_start();
	fail_on_purpose(&opt);
	failed = selftest_run(&opt, taken);
	smp_stop_others();
	/* After the verdict, so that a map or demo can never change it. */
	heapmap_run(memory_heap(), opt.heapmap, opt.exit);

	if (opt.exit) {
		kprintf("kernel: done, exiting QEMU with %s\n",
			failed ? "failure" : "success");
		qemu_exit(failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
	}
	kprintf("kernel: done; halted (boot with 'exit' to leave QEMU)\n");
	cpu_halt_forever();
}
