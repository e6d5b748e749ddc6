/*
 * multiboot.h - what the loader told us, copied into kernel memory.
 *
 * The loader's structures live in RAM that is about to become the heap, so
 * multiboot_parse() copies out everything the kernel uses (memory map,
 * command line, loader name) and records where the loader put things
 * (struct mb_reserved) so that region selection can keep the heap off them.
 */
#ifndef KERNEL_MULTIBOOT_H
#define KERNEL_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#define MB_LOADER_MAGIC 0x2BADB002u

#define MB_MAX_MMAP	64
#define MB_MAX_RESERVED 32
#define MB_CMDLINE_MAX	256
#define MB_NAME_MAX	64

/* Memory map types from the multiboot spec (the BIOS E820 types). */
#define MB_MEMORY_AVAILABLE 1

struct mb_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
};

/* A physical range [start, end) the loader filled, and what it holds. */
struct mb_reserved {
	uint64_t start;
	uint64_t end;
	const char *what;
};

struct boot_info {
	uint32_t flags;
	/* Set when the loader gave no map and it was made from mem_*. */
	int mmap_synthesized;
	size_t mmap_count;
	struct mb_mmap_entry mmap[MB_MAX_MMAP];
	size_t reserved_count;
	struct mb_reserved reserved[MB_MAX_RESERVED];
	size_t module_count;
	char cmdline[MB_CMDLINE_MAX];
	char loader[MB_NAME_MAX];
};

/* Verifies the magic and the flags, copies, and returns the kernel's copy.
 * Panics when the loader was not multiboot or gave no memory information. */
const struct boot_info *multiboot_parse(uint32_t magic, uintptr_t info_addr);

void multiboot_print(const struct boot_info *bi);

const char *multiboot_mmap_type_name(uint32_t type);

#endif
