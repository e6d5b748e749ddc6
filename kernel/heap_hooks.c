/*
 * heap_hooks.c - interrupt masking, CPU numbers, per-CPU cache slots,
 * entropy and fault reporting for mm/.
 */
#include "kernel/heap_hooks.h"

#include <stdint.h>

#include "kernel/cpu.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "mm/hooks.h"

#define RDRAND_RETRIES 10

static int have_rdrand;

/*
 * Each CPU's struct mm_local, where mm/ finds that CPU's caches. Only its
 * own CPU touches one, with interrupts masked (mm/ masks them before it
 * calls the hook), so no lock guards them; a line each keeps one CPU's
 * slot updates from stealing another's cache line.
 */
static struct {
	struct mm_local local;
} __attribute__((aligned(64))) per_cpu[SMP_MAX_CPUS];

static struct mm_local *local(void)
{
	return &per_cpu[smp_this_cpu()].local;
}

/* A 32-bit finaliser (murmur3's) so that nearby TSC values and addresses
 * still give unrelated words. */
static uint32_t mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

static uintptr_t entropy(void)
{
	static uint32_t calls;
	uint32_t r, t;
	uint64_t tsc;

	if (have_rdrand)
		for (int i = 0; i < RDRAND_RETRIES; i++)
			if (cpu_rdrand(&r))
				return r;
	/* Weak, but differs from boot to boot: the TSC counts from reset
	 * and the time to get here varies with the loader and the machine. */
	tsc = cpu_rdtsc();
	t = (uint32_t)tsc ^ mix((uint32_t)(tsc >> 32) + ++calls);
	return mix(t ^ (uint32_t)(uintptr_t)&t);
}

/* A heap fault stops the kernel at the code that called the heap (the
 * double free; for damage, the call that found it), not here. At the
 * return address less one: inside the call instruction, so that addr2line
 * names the line of the call, not the line after it. */
static void fault(const struct heap_fault *f, void *ctx)
{
	const char *what = f->what ? f->what : heap_fault_name(f->kind);

	(void)ctx;
	if (f->caller)
		panic_from((const char *)f->caller - 1, "%s", what);
	panic("%s", what);
}

/* mm/ stops: a misused lock (taken twice by one CPU, or released by one
 * without it), or a failed MM_ASSERT, which names its own file and line. */
static void mm_stopped(const char *what)
{
	panic("%s", what);
}

void heap_hooks_get(struct mm_hooks *out)
{
	*out = (struct mm_hooks){
	    .irq_save = cpu_irq_save,
	    .irq_restore = cpu_irq_restore,
	    .cpu_id = smp_this_cpu,
	    .local = local,
	    .entropy = entropy,
	    .panic = mm_stopped,
	    .fault = fault,
	};
}

void heap_hooks_install(void)
{
	struct mm_hooks hooks;

	heap_hooks_get(&hooks);
	have_rdrand = cpu_has_rdrand();
	kprintf("heap: entropy from %s\n",
		have_rdrand ? "RDRAND" : "RDTSC (no RDRAND on this CPU)");
	mm_set_hooks(&hooks);
}
