/*
 * paging.c - see paging.h.
 *
 * Two ways to reach a page table. Before paging is on, physical addresses
 * are the addresses: a table is written where its frame is. Once it is on,
 * every table is visible at VM_PAGE_TABLES, because the directory's last
 * entry points at the directory itself: the table for va sits at
 * VM_PAGE_TABLES + (va >> 22) * 4096, its entry for va at
 * VM_PAGE_TABLES + (va >> 12) * 4, and the directory at 0xFFFFF000. No
 * frame needs a mapping of its own to be edited.
 */
#include "kernel/vm/paging.h"

#include "kernel/panic.h"
#include "kernel/string.h"
#include "kernel/trampoline.h"
#include "kernel/vm/frame.h"

#define ENTRIES	     1024u
#define RECURSIVE    1023u /* the directory entry that maps the tables */
#define CR0_WP	     0x00010000u
#define CR0_PG	     0x80000000u
#define DIRECTORY_VA 0xFFFFF000u
#define VGA_TEXT     0xB8000u
#define VGA_TEXT_END 0xC0000u

/* From linker.ld: text and read-only data, then data and BSS. */
extern char __kernel_start[], __ro_end[], __kernel_end[];
/* From boot/multiboot.S: the page below the boot CPU's stack. */
extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];

static uint32_t dir_pa;
static int on;
/* Pages mapped in each table: a table that empties is given back. */
static uint16_t used[ENTRIES];
static size_t tables;

static uint32_t *directory(void)
{
	return on ? (uint32_t *)DIRECTORY_VA : (uint32_t *)(uintptr_t)dir_pa;
}

static uint32_t *table_of(unsigned pdi)
{
	if (on)
		return (uint32_t *)(uintptr_t)(VM_PAGE_TABLES +
					       pdi * PAGE_SIZE);
	return (uint32_t *)(uintptr_t)(directory()[pdi] & PTE_ADDR);
}

int paging_is_on(void)
{
	return on;
}

uint32_t paging_directory(void)
{
	return dir_pa;
}

size_t paging_tables(void)
{
	return tables;
}

void paging_flush_page(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

void paging_flush_all(void)
{
	uint32_t cr3;

	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3"
			 : "=r"(cr3)
			 :
			 : "memory");
}

/* The table for va, made (zeroed) when there is none; NULL without a
 * frame for it. */
static uint32_t *table_for(uintptr_t va)
{
	unsigned pdi = (unsigned)(va >> 22);
	uint32_t *pd = directory(), *t;
	uintptr_t pa;

	if (pd[pdi] & PTE_PRESENT)
		return table_of(pdi);
	pa = frame_alloc();
	if (!pa)
		return NULL;
	/* writable and user in the directory: the table's entries decide */
	pd[pdi] = (uint32_t)pa | PTE_PRESENT | PTE_WRITE;
	t = table_of(pdi);
	if (on)
		paging_flush_page((uintptr_t)t);
	memset(t, 0, PAGE_SIZE);
	tables++;
	return t;
}

/* va's entry, its table made when make says so; NULL when there is no
 * table (or no frame for one). */
static uint32_t *entry(uintptr_t va, int make)
{
	unsigned pdi = (unsigned)(va >> 22);
	uint32_t *t;

	if (pdi == RECURSIVE)
		panic("paging: 0x%08x is where the page tables are",
		      (unsigned)va);
	if (make)
		t = table_for(va);
	else
		t = directory()[pdi] & PTE_PRESENT ? table_of(pdi) : NULL;
	return t ? &t[(va >> 12) & 1023] : NULL;
}

static int put(uintptr_t va, uint32_t value)
{
	uint32_t *e = entry(va, 1);

	if (!e || *e != 0)
		return -1;
	*e = value;
	used[va >> 22]++;
	return 0;
}

int paging_map(uintptr_t va, uintptr_t pa, unsigned flags)
{
	if ((va | pa) & (PAGE_SIZE - 1))
		panic("paging: map 0x%08x -> 0x%08x: not page aligned",
		      (unsigned)va, (unsigned)pa);
	return put(va, (uint32_t)pa | (flags & 0xFFFu) | PTE_PRESENT);
}

int paging_note(uintptr_t va, uint32_t note)
{
	if (note & PTE_PRESENT)
		panic("paging: note 0x%08x for 0x%08x is a present entry",
		      (unsigned)note, (unsigned)va);
	return put(va, note);
}

uint32_t paging_entry(uintptr_t va)
{
	const uint32_t *e = entry(va, 0);

	return e ? *e : 0;
}

uint32_t paging_replace(uintptr_t va, uint32_t to)
{
	uint32_t *e = entry(va, 0), old;

	if (to & PTE_PRESENT)
		panic("paging: replacing 0x%08x by a present entry",
		      (unsigned)va);
	if (!e)
		return 0;
	old = *e;
	*e = to;
	if (old && !to)
		used[va >> 22]--;
	else if (!old && to)
		used[va >> 22]++;
	if ((old & PTE_PRESENT) && on)
		paging_flush_page(va);
	return old;
}

int paging_lookup(uintptr_t va, uintptr_t *pa, unsigned *flags)
{
	uint32_t e = (va >> 22) == RECURSIVE ? 0 : paging_entry(va);

	if (!(e & PTE_PRESENT))
		return 0;
	if (pa)
		*pa = e & PTE_ADDR;
	if (flags)
		*flags = e & 0xFFFu;
	return 1;
}

size_t paging_reclaim_tables(void (*flush)(void))
{
	static uintptr_t gone[ENTRIES];
	uint32_t *pd = directory();
	size_t n = 0;

	for (unsigned i = VM_IDENTITY_END >> 22; i < RECURSIVE; i++) {
		if (!(pd[i] & PTE_PRESENT) || used[i] != 0)
			continue;
		gone[n++] = pd[i] & PTE_ADDR;
		pd[i] = 0;
		if (on)
			paging_flush_page(VM_PAGE_TABLES + i * PAGE_SIZE);
	}
	if (n == 0)
		return 0;
	/* the CPUs' paging-structure caches may still hold the entries */
	if (flush)
		flush();
	for (size_t i = 0; i < n; i++)
		frame_free(gone[i]);
	tables -= n;
	return n;
}

void paging_walk_tables(void (*fn)(uintptr_t va, uintptr_t table_pa,
				   const uint32_t *table, void *ctx),
			void *ctx)
{
	const uint32_t *pd = directory();

	for (unsigned i = 0; i < RECURSIVE; i++)
		if (pd[i] & PTE_PRESENT)
			fn((uintptr_t)i << 22, pd[i] & PTE_ADDR, table_of(i),
			   ctx);
}

static void identity(uintptr_t from, uintptr_t to, unsigned flags)
{
	for (uintptr_t a = from; a < to; a += PAGE_SIZE)
		if (paging_map(a, a, flags) != 0)
			panic("paging: no frame for the table that maps the "
			      "kernel at 0x%08x",
			      (unsigned)a);
}

void paging_init(void)
{
	uintptr_t ro_end = (uintptr_t)__ro_end;
	uintptr_t end = (uintptr_t)__kernel_end;

	if (end > VM_IDENTITY_END)
		panic("paging: the kernel image ends at 0x%08x, past the "
		      "identity-mapped 0x%08x",
		      (unsigned)end, VM_IDENTITY_END);
	dir_pa = (uint32_t)frame_alloc();
	if (!dir_pa)
		panic("paging: no frame for the page directory");
	memset((void *)(uintptr_t)dir_pa, 0, PAGE_SIZE);
	directory()[RECURSIVE] = dir_pa | PTE_PRESENT | PTE_WRITE;
	tables = 1;

	/* Page 0 stays out: a NULL dereference faults. */
	identity(TRAMPOLINE_BASE, TRAMPOLINE_BASE + TRAMPOLINE_SIZE, PTE_WRITE);
	identity(VGA_TEXT, VGA_TEXT_END, PTE_WRITE | PTE_NOCACHE);
	identity((uintptr_t)__kernel_start, ro_end, 0);
	identity(ro_end, (uintptr_t)boot_stack_guard, PTE_WRITE);
	if (paging_note((uintptr_t)boot_stack_guard,
			(uint32_t)((uintptr_t)boot_stack_top -
				   (uintptr_t)boot_stack_bottom) |
			    PTE_GUARD_BELOW) != 0)
		panic("paging: cannot mark the boot stack's guard page");
	identity((uintptr_t)boot_stack_bottom, end, PTE_WRITE);
}

void paging_enable(void)
{
	uint32_t cr0;

	__asm__ volatile("mov %0, %%cr3" : : "r"(dir_pa) : "memory");
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 |= CR0_PG | CR0_WP;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	on = 1;
}
