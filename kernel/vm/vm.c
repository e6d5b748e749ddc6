/*
 * vm.c - see vm.h.
 *
 * One lock covers the frames, the page tables and the areas' free lists:
 * every change to the address space takes it, with interrupts masked (the
 * heap calls in here with its own lock held; nothing here calls the heap).
 *
 * Giving pages back is done in three steps, so that no CPU can reach a
 * frame through a stale TLB entry once it has been reused: each entry
 * becomes a PTE_PENDING note (not present, the frame's address kept),
 * every other CPU flushes its TLB (shootdown), then the frames are freed.
 * The shootdown is an NMI: this kernel runs with interrupts masked but for
 * naps, and a CPU spinning on the heap's lock would never take an ordinary
 * IPI while this CPU, holding that lock, waits for it.
 */
#include "kernel/vm/vm.h"

#include <stdatomic.h>

#include "kernel/apic.h"
#include "kernel/cpu.h"
#include "kernel/idt.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "kernel/size.h"
#include "kernel/smp.h"
#include "kernel/timer.h"
#include "kernel/vm/fault.h"
#include "kernel/vm/frame.h"
#include "kernel/vm/paging.h"

#define SPANS		  256
#define SHOOTDOWN_WAIT_US 1000000u
#define NMI_VECTOR	  2

/* From boot/multiboot.S: the boot CPU's stack. */
extern char boot_stack_bottom[], boot_stack_top[];

struct span {
	uintptr_t start, end;
};

/* Free virtual ranges of an area, sorted, never touching (merged). */
struct area {
	const char *name;
	size_t count;
	struct span free[SPANS];
};

static struct area areas[2] = {
    [VM_AREA_HEAP] = {"heap", 1, {{VM_HEAP, VM_HEAP_END}}},
    [VM_AREA_KERNEL] = {"kernel space", 1, {{VM_KSPACE, VM_KSPACE_END}}},
};

static atomic_flag lock = ATOMIC_FLAG_INIT;
static size_t pages_in[2];
static size_t shootdowns;

/* Shootdown: CPUs with paging on, the generation each has flushed. */
static atomic_uint online[SMP_MAX_CPUS];
static atomic_uint flush_gen;
static atomic_uint flushed[SMP_MAX_CPUS];

static uintptr_t vm_lock(void)
{
	uintptr_t irq = cpu_irq_save();

	while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
		cpu_pause();
	return irq;
}

static void vm_unlock(uintptr_t irq)
{
	atomic_flag_clear_explicit(&lock, memory_order_release);
	cpu_irq_restore(irq);
}

/* --- the TLB shootdown ------------------------------------------------ */

__attribute__((interrupt)) static void nmi(struct interrupt_frame *frame)
{
	unsigned gen = atomic_load_explicit(&flush_gen, memory_order_acquire);

	(void)frame;
	paging_flush_all();
	atomic_store_explicit(&flushed[smp_this_cpu()], gen,
			      memory_order_release);
}

void vm_cpu_online(unsigned cpu)
{
	atomic_store(&flushed[cpu], atomic_load(&flush_gen));
	atomic_store(&online[cpu], 1);
}

/* Every other CPU with paging on has flushed its TLB when this returns;
 * this one flushed as it went (invlpg). Called with the lock held. */
static int skip_shootdown;

void vm_skip_shootdown(void)
{
	skip_shootdown = 1;
}

static void shootdown(void)
{
	unsigned me = smp_this_cpu(), gen, waiting = 0;
	uint64_t deadline;

	if (skip_shootdown)
		return;
	for (unsigned c = 0; c < SMP_MAX_CPUS; c++)
		waiting += c != me && atomic_load(&online[c]);
	if (!waiting)
		return;
	shootdowns++;
	gen = atomic_fetch_add(&flush_gen, 1) + 1;
	for (unsigned c = 0; c < SMP_MAX_CPUS; c++)
		if (c != me && atomic_load(&online[c]))
			apic_send_nmi(smp_apic_id(c));
	deadline = timer_now() + timer_us_to_ticks(SHOOTDOWN_WAIT_US);
	for (unsigned c = 0; c < SMP_MAX_CPUS; c++) {
		if (c == me || !atomic_load(&online[c]))
			continue;
		/* generations only grow; a later flush covers this one */
		while ((int)(atomic_load_explicit(&flushed[c],
						  memory_order_acquire) -
			     gen) < 0) {
			if (timer_now() > deadline)
				panic("vm: TLB shootdown: cpu %u did not "
				      "flush within %u ms",
				      c, SHOOTDOWN_WAIT_US / 1000);
			cpu_pause();
		}
	}
}

/* --- virtual ranges --------------------------------------------------- */

static uintptr_t area_take(struct area *a, size_t bytes)
{
	for (size_t i = 0; i < a->count; i++) {
		struct span *s = &a->free[i];
		uintptr_t at = s->start;

		if (s->end - s->start < bytes)
			continue;
		s->start += bytes;
		if (s->start == s->end) {
			for (size_t k = i + 1; k < a->count; k++)
				a->free[k - 1] = a->free[k];
			a->count--;
		}
		return at;
	}
	return 0;
}

static void area_give(struct area *a, uintptr_t start, size_t bytes)
{
	uintptr_t end = start + bytes;
	size_t i = 0;

	while (i < a->count && a->free[i].start < start)
		i++;
	/* merge with the span before, the span after, or both */
	if (i > 0 && a->free[i - 1].end == start) {
		a->free[i - 1].end = end;
		if (i < a->count && a->free[i].start == end) {
			a->free[i - 1].end = a->free[i].end;
			for (size_t k = i + 1; k < a->count; k++)
				a->free[k - 1] = a->free[k];
			a->count--;
		}
		return;
	}
	if (i < a->count && a->free[i].start == end) {
		a->free[i].start = start;
		return;
	}
	if (a->count == SPANS) {
		/* too fragmented to track: the range is lost, not reused
		 * twice */
		kprintf("vm: %s area: more than %u free ranges; 0x%08x-0x%08x "
			"is not reused\n",
			a->name, SPANS, (unsigned)start, (unsigned)end);
		return;
	}
	for (size_t k = a->count; k > i; k--)
		a->free[k] = a->free[k - 1];
	a->free[i] = (struct span){start, end};
	a->count++;
}

/* --- backing ranges with frames ---------------------------------------- */

/* Marks [va, va + bytes) pending, shoots down, frees the frames. */
static size_t unback(uintptr_t va, size_t bytes)
{
	size_t n = 0;

	for (uintptr_t a = va; a < va + bytes; a += PAGE_SIZE) {
		uint32_t e = paging_entry(a);

		if (e & PTE_PRESENT) {
			paging_replace(a, (e & PTE_ADDR) | PTE_PENDING);
			n++;
		}
	}
	if (n == 0)
		return 0;
	shootdown();
	for (uintptr_t a = va; a < va + bytes; a += PAGE_SIZE) {
		uint32_t e = paging_entry(a);

		if (e & PTE_PENDING) {
			paging_replace(a, 0);
			frame_free(e & PTE_ADDR);
		}
	}
	return n;
}

/* Fresh frames for every page of [va, va + bytes); all or none. */
static int back(uintptr_t va, size_t bytes)
{
	for (uintptr_t a = va; a < va + bytes; a += PAGE_SIZE) {
		uintptr_t f = frame_alloc();

		if (!f || paging_map(a, f, PTE_WRITE) != 0) {
			if (f)
				frame_free(f);
			unback(va, (size_t)(a - va));
			return -1;
		}
	}
	return 0;
}

static enum vm_area area_of(uintptr_t va)
{
	return va >= VM_HEAP ? VM_AREA_HEAP : VM_AREA_KERNEL;
}

void *vm_alloc(enum vm_area area, size_t bytes, size_t guard_below,
	       size_t guard_above)
{
	size_t pages = bytes / PAGE_SIZE;
	size_t total = bytes + (guard_below + guard_above) * PAGE_SIZE;
	uintptr_t irq, base, va;
	int ok;

	if (!bytes || bytes % PAGE_SIZE || total < bytes || pages >= 1u << 20)
		return NULL;
	irq = vm_lock();
	base = area_take(&areas[area], total);
	va = base + guard_below * PAGE_SIZE;
	ok = base && back(va, bytes) == 0;
	for (size_t i = 0; ok && i < guard_below; i++)
		ok =
		    paging_note(base + i * PAGE_SIZE,
				(uint32_t)(pages << 12) | PTE_GUARD_BELOW) == 0;
	for (size_t i = 0; ok && i < guard_above; i++)
		ok = paging_note(va + bytes + i * PAGE_SIZE,
				 (uint32_t)(pages << 12) | PTE_GUARD) == 0;
	if (!ok && base) {
		unback(va, bytes);
		for (uintptr_t a = base; a < base + total; a += PAGE_SIZE)
			paging_replace(a, 0);
		area_give(&areas[area], base, total);
	}
	if (ok)
		pages_in[area] += pages;
	vm_unlock(irq);
	return ok ? (void *)va : NULL;
}

void vm_free(enum vm_area area, void *va, size_t bytes, size_t guard_below,
	     size_t guard_above)
{
	uintptr_t start = (uintptr_t)va - guard_below * PAGE_SIZE;
	size_t total = bytes + (guard_below + guard_above) * PAGE_SIZE;
	uintptr_t irq = vm_lock();

	pages_in[area] -= unback((uintptr_t)va, bytes);
	for (uintptr_t a = start; a < start + total; a += PAGE_SIZE)
		paging_replace(a, 0);
	area_give(&areas[area], start, total);
	vm_unlock(irq);
}

void vm_unback(void *va, size_t bytes)
{
	uintptr_t irq = vm_lock();

	pages_in[area_of((uintptr_t)va)] -= unback((uintptr_t)va, bytes);
	vm_unlock(irq);
}

int vm_back(void *va, size_t bytes)
{
	uintptr_t irq = vm_lock();
	int rc = back((uintptr_t)va, bytes);

	if (rc == 0)
		pages_in[area_of((uintptr_t)va)] += bytes / PAGE_SIZE;
	vm_unlock(irq);
	return rc;
}

void vm_reclaim_tables(void)
{
	uintptr_t irq = vm_lock();

	paging_reclaim_tables(shootdown);
	vm_unlock(irq);
}

int vm_map_device(uintptr_t pa)
{
	uintptr_t irq = vm_lock(), have;
	int rc = 0;

	pa &= ~(uintptr_t)(PAGE_SIZE - 1);
	if (!paging_lookup(pa, &have, NULL))
		rc = paging_map(pa, pa, PTE_WRITE | PTE_NOCACHE);
	else if (have != pa)
		rc = -1;
	vm_unlock(irq);
	return rc;
}

int vm_guard_of(uintptr_t va, enum vm_area *area, uintptr_t *start,
		size_t *bytes)
{
	uintptr_t page = va & ~(uintptr_t)(PAGE_SIZE - 1);
	uint32_t e = paging_entry(page);
	size_t n = e >> 12;

	if ((e & PTE_PRESENT) || !(e & (PTE_GUARD | PTE_GUARD_BELOW)))
		return 0;
	*area = area_of(page);
	*bytes = n * PAGE_SIZE;
	*start = e & PTE_GUARD_BELOW ? page + PAGE_SIZE : page - *bytes;
	return 1;
}

struct frame_walk {
	void (*fn)(uintptr_t pa, enum vm_use use, void *ctx);
	void *ctx;
};

/* One page table: its own frame, and the frames its entries map. */
static void frames_of_table(uintptr_t va, uintptr_t table_pa, const uint32_t *t,
			    void *ctx)
{
	const struct frame_walk *w = ctx;

	w->fn(table_pa, VM_USE_TABLE, w->ctx);
	/* the identity map is the kernel's image and devices, not frames
	 * that were handed out */
	if (va < VM_IDENTITY_END || va >= VM_HEAP_END)
		return;
	for (unsigned k = 0; k < PAGE_SIZE / sizeof *t; k++)
		if (t[k] & PTE_PRESENT)
			w->fn(t[k] & PTE_ADDR,
			      va >= VM_HEAP ? VM_USE_HEAP : VM_USE_KERNEL,
			      w->ctx);
}

void vm_walk_frames(void (*fn)(uintptr_t pa, enum vm_use use, void *ctx),
		    void *ctx)
{
	struct frame_walk w = {fn, ctx};
	uintptr_t irq = vm_lock();

	fn(paging_directory(), VM_USE_TABLE, ctx);
	paging_walk_tables(frames_of_table, &w);
	vm_unlock(irq);
}

void vm_get_stats(struct vm_stats *out)
{
	struct frame_stats f;
	uintptr_t irq = vm_lock();

	frame_get_stats(&f);
	out->frames_total = f.total;
	out->frames_free = f.free;
	out->page_tables = paging_tables();
	out->heap_pages = pages_in[VM_AREA_HEAP];
	out->kernel_pages = pages_in[VM_AREA_KERNEL];
	out->shootdowns = shootdowns;
	vm_unlock(irq);
}

void vm_init(const struct ram_region *r, size_t n)
{
	struct frame_stats f;

	frame_init();
	for (size_t i = 0; i < n; i++)
		frame_add(r[i].base, (uint64_t)r[i].base + r[i].size);
	frame_get_stats(&f);
	kprintf("frames: %zu of 4 KiB (", f.total);
	print_size((uint64_t)f.total * FRAME_SIZE, 0);
	kprintf(") in %zu region(s)\n", n);
	paging_init();
	idt_set(NMI_VECTOR, nmi);
	paging_enable();
	vm_fault_cpu_init(0);
	vm_fault_name_stack(
	    (uintptr_t)boot_stack_bottom,
	    (size_t)((uintptr_t)boot_stack_top - (uintptr_t)boot_stack_bottom),
	    0);
	vm_cpu_online(0);
	frame_get_stats(&f);
	kprintf("paging: on: NULL page unmapped, kernel text read-only, %zu "
		"page table(s), %zu frames free\n",
		paging_tables(), f.free);
}
