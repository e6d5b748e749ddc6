/*
 * vm.h - the kernel's virtual memory: frames and page tables behind one
 * lock, virtual ranges handed out from the areas of paging.h, and the TLB
 * shootdown that lets several CPUs share one set of page tables.
 */
#ifndef KERNEL_VM_VM_H
#define KERNEL_VM_VM_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/regions.h"

/* Every usable RAM region becomes frames; the kernel's page tables are
 * built and paging is turned on (`paging: on`). */
void vm_init(const struct ram_region *r, size_t n);

/* The local APIC's page (device memory, identity-mapped). 0 or -1. */
int vm_map_device(uintptr_t pa);

/* An AP, from its trampoline with paging already on, joins the
 * shootdowns. */
void vm_cpu_online(unsigned cpu);

/* A virtual range of `bytes` (whole pages) in the heap area or in kernel
 * space, with `guard` unmapped pages after it (and, in kernel space, one
 * below it), backed by fresh frames. NULL when either runs out. */
enum vm_area { VM_AREA_HEAP, VM_AREA_KERNEL };
void *vm_alloc(enum vm_area area, size_t bytes, size_t guard_below,
	       size_t guard_above);
/* Gives back what vm_alloc returned (same arguments). */
void vm_free(enum vm_area area, void *va, size_t bytes, size_t guard_below,
	     size_t guard_above);
/* Inside a range from vm_alloc: unmap pages and free their frames, or map
 * fresh frames again (-1, with nothing mapped, when frames run out). */
void vm_unback(void *va, size_t bytes);
int vm_back(void *va, size_t bytes);

/* The bug the tlb_shootdown test must catch (fail=stale-tlb): pages are
 * unmapped here only, never on the other CPUs. */
void vm_skip_shootdown(void);

/* Page tables that have become empty go back to the frames. */
void vm_reclaim_tables(void);

/* What a frame is used for, as the page tables tell: for the frame map. */
enum vm_use { VM_USE_TABLE, VM_USE_HEAP, VM_USE_KERNEL };
/* Calls fn for every frame a page table maps in the heap area or kernel
 * space, and for every page table (the directory too), under the VM lock:
 * fn must not call into the VM. */
void vm_walk_frames(void (*fn)(uintptr_t pa, enum vm_use use, void *ctx),
		    void *ctx);

struct vm_stats {
	size_t frames_total, frames_free, page_tables, heap_pages, kernel_pages,
	    shootdowns;
};
void vm_get_stats(struct vm_stats *out);

/* What a guard page guards, for the page-fault report: 1 and the range
 * below it when va lies in a guard page of a vm_alloc range. */
int vm_guard_of(uintptr_t va, enum vm_area *area, uintptr_t *start,
		size_t *bytes);

#endif
