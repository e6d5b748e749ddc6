/*
 * fail.c - see fail.h. Each mode ends the boot the way a real bug would.
 */
#include "kernel/tests/fail.h"

#include <stdint.h>

#include "kernel/cpu.h"
#include "kernel/heap_hooks.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/vm/vm.h"
#include "mm/heap.h"
#include "mm/hooks.h"
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

/* p, with the compiler kept from knowing what it is (so that it cannot
 * turn a NULL dereference into a trap of its own, or fold it away). */
static void *opaque(void *p)
{
	__asm__ volatile("" : "+r"(p));
	return p;
}

#define STACK_OVERFLOW_WAIT_US 10000000u

/* Deep enough for any stack: each level keeps 256 bytes live. */
static unsigned recurse(unsigned depth)
{
	volatile unsigned char pad[256];

	pad[0] = (unsigned char)depth;
	if (depth > 100000000u)
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

/* With several CPUs the last one overflows its stack: the report must
 * name that CPU, not the boot CPU. */
static void overflow_on(unsigned cpu, void *last)
{
	if (cpu == (unsigned)(uintptr_t)last)
		recurse(0);
}

/* A large block's size: a multiple of 16, so that its end is the guard
 * page's start exactly. */
#define GUARDED_BYTES (96u * 1024)

/* Misuses of memory that only paging catches: each must end in the page
 * fault's (or the double fault's) report. */
static void misuse_memory(const struct boot_options *opt)
{
	volatile unsigned char *p;

	switch (opt->fail) {
	case FAIL_NULL_DEREF:
		p = opaque(NULL);
		kprintf("fail: reading through a NULL pointer "
			"(fail=null-deref)\n");
		kprintf("fail: read %u\n", (unsigned)p[4]);
		break;
	case FAIL_TEXT_WRITE:
		p = opaque((void *)(uintptr_t)fail_on_purpose);
		kprintf("fail: writing into the kernel's code at %p "
			"(fail=text-write)\n",
			(void *)(uintptr_t)p);
		p[0] = 0xcc;
		break;
	case FAIL_GUARD_PAGE:
		p = allocate_memory(GUARDED_BYTES);
		kprintf("fail: writing one byte past the end of the %u-byte "
			"block %p (fail=guard-page, heap=%s)\n",
			GUARDED_BYTES, (void *)(uintptr_t)p,
			cmdline_heap_mode(opt->heap_flags));
		if (p)
			p[GUARDED_BYTES] = 0x5a;
		deallocate_memory((void *)(uintptr_t)p);
		break;
	case FAIL_STACK_OVERFLOW:
		kprintf("fail: recursing on cpu %u until its stack overflows "
			"(fail=stack-overflow)\n",
			(unsigned)smp_cpu_count() - 1);
		if (smp_cpu_count() > 1)
			smp_run(overflow_on,
				(void *)(uintptr_t)(smp_cpu_count() - 1),
				STACK_OVERFLOW_WAIT_US, NULL);
		else
			recurse(0);
		break;
	default:
		return;
	}
	panic("no fault for fail=%s (heap=%s)", cmdline_fail_name(opt->fail),
	      cmdline_heap_mode(opt->heap_flags));
}

/* Above the caches' limit (4 KiB): freed onto a free list, not cached. */
#define LISTED_BYTES 8192
#define CACHED_BYTES 64

/*
 * A misuse of the system heap. Each must end in the heap's fault handler,
 * which panics with the heap's own message; returning here means the heap
 * missed it. With the caches (heap=fast) a small block freed goes into
 * this CPU's cache without a look at its neighbours, so some damage is
 * found one step later than without: each mode takes the steps that reach
 * it either way.
 */
static void misuse_heap(const struct boot_options *opt)
{
	enum fail_mode mode = opt->fail;
	static _Alignas(16) unsigned char not_heap[64];
	size_t bytes = mode == FAIL_FREE_LIST ? LISTED_BYTES : CACHED_BYTES;
	unsigned char *p = allocate_memory(bytes);
	unsigned char *guard = allocate_memory(bytes);
	size_t usable = heap_usable_size(memory_heap(), p);

	kprintf("fail: misusing the heap on purpose with block %p (%zu "
		"bytes)\n",
		(void *)p, bytes);
	switch (mode) {
	case FAIL_INVALID_FREE:
		deallocate_memory(p + 32);
		break;
	case FAIL_FOREIGN_FREE:
		deallocate_memory(not_heap + 16);
		break;
	case FAIL_MISALIGNED_FREE:
		deallocate_memory(p + 1);
		break;
	case FAIL_OVERFLOW:
		/* in fast mode the byte past p is the next header: guard's,
		 * when the two were cut from one batch; heap_check finds it
		 * wherever it is */
		p[usable] ^= 0x5a;
		deallocate_memory(p);
		deallocate_memory(guard);
		heap_check(memory_heap());
		break;
	case FAIL_UNDERFLOW:
		p[-1] ^= 0x5a;
		deallocate_memory(p);
		break;
	case FAIL_USE_AFTER_FREE:
		deallocate_memory(p);
		p[40] = 0x5a;
		p = allocate_memory(bytes);
		heap_check(memory_heap());
		break;
	case FAIL_FREE_LIST:
	case FAIL_CACHE_LINK:
		/* word 0 of a freed block links it: to the next free block of
		 * its list, or the next block of its cache's batch. The
		 * first allocation takes p back, the second follows the link
		 * (cached), or the unlink of p reads it (listed). */
		deallocate_memory(p);
		*(uintptr_t *)(void *)p = 0x1234;
		p = allocate_memory(bytes);
		allocate_memory(bytes);
		heap_check(memory_heap());
		break;
	default:
		break;
	}
	if (mode == FAIL_USE_AFTER_FREE && !(opt->heap_flags & HEAP_CHECKING))
		panic("the heap did not report the misuse "
		      "(fail=use-after-free, block %p, guard %p): heap=%s "
		      "cannot see a write into a freed block; boot with "
		      "heap=check to have it reported",
		      (void *)p, (void *)guard,
		      cmdline_heap_mode(opt->heap_flags));
	panic("the heap did not report the misuse (fail=%s in heap=%s%s, "
	      "block %p, guard %p)",
	      cmdline_fail_name(mode), cmdline_heap_mode(opt->heap_flags),
	      cmdline_caches_word(opt->heap_flags), (void *)p, (void *)guard);
}

/* fail=assert: a broken environment, which only mm/'s assertions see. */
static struct mm_local one_local;
static unsigned cpu_told;

static struct mm_local *one_local_for_all(void)
{
	return &one_local;
}

static unsigned cpu_as_told(void)
{
	return cpu_told;
}

/*
 * Two CPU ids that share one struct mm_local, against hooks.h's contract
 * (each CPU its own): the second finds the first's cache in its slot.
 * With MM_ASSERTS (make kernel-assert) the cache path checks who owns
 * the cache it is about to use, and panics naming that assertion; a
 * kernel without them cannot tell, and says so.
 */
static _Noreturn void share_one_cache(void)
{
	struct mm_hooks hooks;
	void *p;

	heap_hooks_get(&hooks);
	hooks.local = one_local_for_all;
	hooks.cpu_id = cpu_as_told;
	cpu_told = 0;
	mm_set_hooks(&hooks);
	kprintf("fail: CPU ids 0 and 1 sharing one cache (fail=assert)\n");
	p = allocate_memory(32);
	deallocate_memory(p);
	cpu_told = 1;
	p = allocate_memory(32);
	panic("nothing caught CPU ids 0 and 1 sharing one cache (block %p): "
	      "mm/ checks that only when built with MM_ASSERTS (make "
	      "kernel-assert), and this kernel was not",
	      p);
}

void fail_on_purpose(const struct boot_options *opt)
{
	void *p;

	switch (opt->fail) {
	case FAIL_NONE:
	case FAIL_SELFTEST:
	case FAIL_SELFTEST_LEAK:
	case FAIL_SELFTEST_DAMAGE:
	case FAIL_SELFTEST_FRAMES:
		return;
	case FAIL_STALE_TLB:
		kprintf("fail: unmapping without the TLB shootdown "
			"(fail=stale-tlb)\n");
		vm_skip_shootdown();
		return;
	case FAIL_NULL_DEREF:
	case FAIL_TEXT_WRITE:
	case FAIL_GUARD_PAGE:
	case FAIL_STACK_OVERFLOW:
		misuse_memory(opt);
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
	case FAIL_ASSERT:
		share_one_cache();
	default:
		misuse_heap(opt);
	}
}
