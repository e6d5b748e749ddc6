/*
 * paging.h - the kernel's page tables: i386, 4 KiB pages, two levels, one
 * address space that every CPU shares (docs/vm.md draws it).
 *
 *   0x00000000  the NULL page: never mapped, so *NULL faults
 *   0x00001000  low memory: only the AP trampoline page and the VGA text
 *               buffer are mapped (identity)
 *   0x00100000  the kernel image (identity): text and read-only data
 *               read-only, data and BSS read-write
 *   0x00400000  VM_KSPACE: stacks with a guard page below each
 *   0x10000000  VM_HEAP: the system heap's virtual range; mapped only as
 *               the heap grows
 *   0xF0000000  unused; MMIO pages (the local APIC) are identity-mapped
 *               where the firmware put them
 *   0xFFC00000  the page tables themselves (the last directory entry
 *               points at the directory: "recursive" mapping)
 *
 * Nothing here is locked: kernel/vm/vm.c holds one lock around page
 * tables and frames together.
 */
#ifndef KERNEL_VM_PAGING_H
#define KERNEL_VM_PAGING_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096u

#define PTE_PRESENT 0x001u
#define PTE_WRITE   0x002u
#define PTE_USER    0x004u
#define PTE_NOCACHE 0x018u /* PCD | PWT: device memory */
#define PTE_ADDR    0xFFFFF000u

#define VM_IDENTITY_END 0x00400000u /* below: the identity-mapped kernel */
#define VM_KSPACE	0x00400000u
#define VM_KSPACE_END	0x10000000u
#define VM_HEAP		0x10000000u
#define VM_HEAP_END	0xF0000000u
#define VM_PAGE_TABLES	0xFFC00000u

/* Builds the kernel's directory and identity mappings (paging still off). */
void paging_init(void);
/* Loads the directory on this CPU and turns paging (and write protection
 * in ring 0) on. The boot CPU first, then each AP from its trampoline. */
void paging_enable(void);
int paging_is_on(void);
/* The physical address of the directory, for the AP trampoline's CR3. */
uint32_t paging_directory(void);

/*
 * Entries. A present entry maps a frame; a non-present one that is not 0
 * is the kernel's own note (the CPU ignores every bit but PRESENT):
 *   PTE_GUARD    a guard page; bits 12-31 count the pages of the range it
 *                guards (PTE_GUARD_BELOW: the range lies above it)
 *   PTE_PENDING  being unmapped: the frame (bits 12-31) goes back to the
 *                allocator once every CPU has flushed its TLB
 */
#define PTE_GUARD	0x200u
#define PTE_GUARD_BELOW 0x800u
#define PTE_PENDING	0x400u

/* Maps the page at va to the frame at pa with PTE_* flags (PRESENT is
 * implied). 0, or -1 when a page table was needed and no frame was left,
 * or va's entry is not empty (never silently replaced). */
int paging_map(uintptr_t va, uintptr_t pa, unsigned flags);
/* Writes a non-present note (above) into va's empty entry; 0 or -1. */
int paging_note(uintptr_t va, uint32_t note);
/* va's entry as it is (0 when there is none, or no table); */
uint32_t paging_entry(uintptr_t va);
/* Replaces va's entry (present, a note, or 0) by `to`, which must not be
 * present; flushes va on this CPU when it was present. Returns the old
 * entry. Tables stay, even empty: see paging_reclaim_tables. */
uint32_t paging_replace(uintptr_t va, uint32_t to);
/* 1 with the frame and the entry's flags when va is mapped, 0 if not. */
int paging_lookup(uintptr_t va, uintptr_t *pa, unsigned *flags);
/* Page tables in use (frames, the directory included). */
size_t paging_tables(void);
/* Unhooks every empty table above the identity map, calls flush() (the
 * TLB shootdown: no CPU may still walk them) and frees their frames.
 * Returns how many. */
size_t paging_reclaim_tables(void (*flush)(void));

/*
 * Every page table in use, in address order: fn(va, table_pa, table, ctx)
 * with the first address its entries map (a multiple of 4 MiB), the
 * frame it lives in, and its 1024 entries, readable. The directory's own
 * entry for the tables (the recursive one) is not a table of pages and is
 * left out. Called by whoever keeps the tables from changing meanwhile.
 */
void paging_walk_tables(void (*fn)(uintptr_t va, uintptr_t table_pa,
				   const uint32_t *table, void *ctx),
			void *ctx);

/* This CPU forgets every translation (a CR3 reload), or one page's. */
void paging_flush_all(void);
void paging_flush_page(uintptr_t va);

#endif
