/*
 * gdt.h - the kernel's own flat GDT.
 *
 * The loader's GDT lives in loader memory that may become heap or be
 * overwritten by the AP trampoline, so every CPU switches to this one: the
 * boot CPU in gdt_load(), the others in the trampoline. Included by
 * assembly too.
 */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#define GDT_KERNEL_CODE 0x08 /* 0-4 GiB, 32-bit, execute/read */
#define GDT_KERNEL_DATA 0x10 /* 0-4 GiB, read/write */
#define GDT_ENTRIES	3

#ifndef __ASSEMBLER__
#include <stdint.h>

extern const uint64_t gdt_table[GDT_ENTRIES];

/* Loads gdt_table and reloads every segment register from it. */
void gdt_load(void);
#endif

#endif
