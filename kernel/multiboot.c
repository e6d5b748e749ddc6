/*
 * multiboot.c - reading the multiboot v1 information structure.
 *
 * Layout and flag bits are from the Multiboot Specification 0.6.96. Every
 * address in the structure is physical; with paging off it is also the
 * address we read it at.
 */
#include "kernel/multiboot.h"

#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "kernel/size.h"

/* Which fields of struct mb_info are valid. */
#define MBF_MEM	    (1u << 0)
#define MBF_CMDLINE (1u << 2)
#define MBF_MODS    (1u << 3)
#define MBF_AOUT    (1u << 4)
#define MBF_ELF	    (1u << 5)
#define MBF_MMAP    (1u << 6)
#define MBF_DRIVES  (1u << 7)
#define MBF_LOADER  (1u << 9)
#define MBF_KNOWN   0x1FFFu /* bits 0..12; later bits are not in v1 */

/* Through the VBE fields: what every v1 loader is expected to provide. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB from 0 */
	uint32_t mem_upper; /* KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t elf_num; /* with MBF_ELF: the kernel's section headers */
	uint32_t elf_size;
	uint32_t elf_addr;
	uint32_t elf_shndx;
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
};

/* The size field counts the bytes after itself, so entries may grow. */
struct mb_mmap_raw {
	uint32_t size;
	uint64_t base;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));

struct mb_module {
	uint32_t start;
	uint32_t end;
	uint32_t string;
	uint32_t reserved;
};

/* An ELF32 section header: the loader may have placed sections (symbols,
 * debug info) outside the image, and those must not become heap. */
struct elf32_shdr {
	uint32_t name, type, flags, addr, offset, size, link, info, align,
	    entsize;
};

#define SHT_NOBITS 8
#define SHF_ALLOC  0x2 /* part of the image: linker.ld bounds those */

static struct boot_info boot_info;

/* Merges one pair of same-kind entries that overlap or nearly touch;
 * returns 0 when there is none. Loaded ELF sections come in dozens of
 * pieces a few bytes apart: one range reads better, and a few bytes of
 * slack kept out of the heap cost nothing. */
static int merge_one(struct boot_info *bi)
{
	const uint64_t slack = 4096;

	for (size_t i = 0; i < bi->reserved_count; i++) {
		for (size_t j = i + 1; j < bi->reserved_count; j++) {
			struct mb_reserved *a = &bi->reserved[i];
			const struct mb_reserved *b = &bi->reserved[j];

			if (a->what != b->what || b->start > a->end + slack ||
			    a->start > b->end + slack)
				continue;
			a->start = b->start < a->start ? b->start : a->start;
			a->end = b->end > a->end ? b->end : a->end;
			bi->reserved[j] = bi->reserved[--bi->reserved_count];
			return 1;
		}
	}
	return 0;
}

static void coalesce(struct boot_info *bi)
{
	while (merge_one(bi))
		;
}

static void reserve(struct boot_info *bi, uint64_t start, uint64_t len,
		    const char *what)
{
	if (len == 0)
		return;
	if (bi->reserved_count == MB_MAX_RESERVED)
		coalesce(bi);
	if (bi->reserved_count == MB_MAX_RESERVED)
		panic("multiboot: more than %d loader ranges to keep out of "
		      "the heap (adding %s at 0x%llx)",
		      MB_MAX_RESERVED, what, (unsigned long long)start);
	bi->reserved[bi->reserved_count++] =
	    (struct mb_reserved){start, start + len, what};
}

/* Copies a loader string into dst and reserves where it lives. */
static void copy_string(struct boot_info *bi, char *dst, size_t cap,
			uint32_t addr, const char *what)
{
	const char *src = (const char *)(uintptr_t)addr;
	size_t n = 0;

	while (src[n] && n + 1 < cap) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
	if (src[n])
		kprintf("multiboot: %s longer than %zu bytes, truncated\n",
			what, cap - 1);
	while (src[n])
		n++;
	reserve(bi, addr, n + 1, what);
}

static size_t string_size(uint32_t addr)
{
	const char *s = (const char *)(uintptr_t)addr;
	size_t n = 0;

	while (s[n])
		n++;
	return n + 1;
}

static void add_mmap(struct boot_info *bi, uint64_t base, uint64_t length,
		     uint32_t type)
{
	if (bi->mmap_count == MB_MAX_MMAP) {
		kprintf("multiboot: memory map has more than %d entries; "
			"ignoring the rest\n",
			MB_MAX_MMAP);
		return;
	}
	bi->mmap[bi->mmap_count++] = (struct mb_mmap_entry){base, length, type};
}

static void copy_mmap(struct boot_info *bi, const struct mb_info *mb)
{
	uintptr_t p = mb->mmap_addr, end = p + mb->mmap_length;

	reserve(bi, mb->mmap_addr, mb->mmap_length, "memory map");
	while (p + sizeof(struct mb_mmap_raw) <= end) {
		const struct mb_mmap_raw *e = (const struct mb_mmap_raw *)p;
		/* A size too small to hold the fields means a broken map;
		 * stepping by it could loop forever. */
		if (e->size < sizeof(*e) - sizeof(e->size)) {
			kprintf("multiboot: bad memory map entry size %u at "
				"0x%x; map cut short\n",
				e->size, (unsigned)p);
			break;
		}
		add_mmap(bi, e->base, e->length, e->type);
		p += e->size + sizeof(e->size);
	}
}

static void reserve_modules(struct boot_info *bi, const struct mb_info *mb)
{
	const struct mb_module *mods =
	    (const struct mb_module *)(uintptr_t)mb->mods_addr;

	bi->module_count = mb->mods_count;
	reserve(bi, mb->mods_addr, (uint64_t)mb->mods_count * sizeof(*mods),
		"module list");
	for (uint32_t i = 0; i < mb->mods_count; i++) {
		reserve(bi, mods[i].start, mods[i].end - mods[i].start,
			"module");
		if (mods[i].string)
			reserve(bi, mods[i].string, string_size(mods[i].string),
				"module name");
	}
}

static void reserve_elf_sections(struct boot_info *bi, const struct mb_info *mb)
{
	uintptr_t table = mb->elf_addr;

	if (mb->elf_size < sizeof(struct elf32_shdr))
		return;
	reserve(bi, table, (uint64_t)mb->elf_num * mb->elf_size,
		"ELF section headers");
	for (uint32_t i = 0; i < mb->elf_num; i++) {
		const struct elf32_shdr *sh =
		    (const struct elf32_shdr *)(table + i * mb->elf_size);
		if (sh->addr && sh->type != SHT_NOBITS &&
		    !(sh->flags & SHF_ALLOC))
			reserve(bi, sh->addr, sh->size, "ELF sections");
	}
}

const struct boot_info *multiboot_parse(uint32_t magic, uintptr_t info_addr)
{
	struct boot_info *bi = &boot_info;
	const struct mb_info *mb = (const struct mb_info *)info_addr;

	if (magic != MB_LOADER_MAGIC)
		panic("multiboot: bad magic 0x%08x (expected 0x%08x): not "
		      "started by a multiboot loader",
		      magic, MB_LOADER_MAGIC);
	bi->flags = mb->flags;
	if (!(mb->flags & (MBF_MMAP | MBF_MEM)))
		panic("multiboot: the loader gave no memory information "
		      "(flags 0x%08x, neither bit 0 nor bit 6)",
		      mb->flags);
	if (mb->flags & ~MBF_KNOWN)
		kprintf("multiboot: unknown flag bits 0x%08x ignored\n",
			mb->flags & ~MBF_KNOWN);
	if ((mb->flags & MBF_AOUT) && (mb->flags & MBF_ELF))
		kprintf("multiboot: flags claim both a.out and ELF symbols; "
			"ignoring both\n");

	reserve(bi, info_addr, sizeof(*mb), "multiboot info");
	if (mb->flags & MBF_CMDLINE)
		copy_string(bi, bi->cmdline, sizeof(bi->cmdline), mb->cmdline,
			    "command line");
	if (mb->flags & MBF_LOADER)
		copy_string(bi, bi->loader, sizeof(bi->loader),
			    mb->boot_loader_name, "loader name");
	if (mb->flags & MBF_MODS)
		reserve_modules(bi, mb);
	if ((mb->flags & MBF_ELF) && !(mb->flags & MBF_AOUT))
		reserve_elf_sections(bi, mb);
	if (mb->flags & MBF_DRIVES)
		reserve(bi, mb->drives_addr, mb->drives_length, "drive info");

	if (mb->flags & MBF_MMAP) {
		copy_mmap(bi, mb);
	} else {
		/* mem_lower/upper describe only the two classic RAM ranges;
		 * without a map, that is all we can trust. */
		bi->mmap_synthesized = 1;
		add_mmap(bi, 0, (uint64_t)mb->mem_lower * 1024,
			 MB_MEMORY_AVAILABLE);
		add_mmap(bi, 0x100000, (uint64_t)mb->mem_upper * 1024,
			 MB_MEMORY_AVAILABLE);
	}
	coalesce(bi);
	return bi;
}

const char *multiboot_mmap_type_name(uint32_t type)
{
	switch (type) {
	case MB_MEMORY_AVAILABLE:
		return "available";
	case 2:
		return "reserved";
	case 3:
		return "ACPI reclaimable";
	case 4:
		return "ACPI NVS";
	case 5:
		return "bad RAM";
	default:
		return "unknown";
	}
}

void multiboot_print(const struct boot_info *bi)
{
	kprintf("multiboot: loader \"%s\", flags 0x%08x, %zu module(s)\n",
		bi->loader[0] ? bi->loader : "?", bi->flags, bi->module_count);
	kprintf("multiboot: command line \"%s\"\n", bi->cmdline);
	if (bi->mmap_synthesized)
		kprintf("multiboot: no memory map from the loader; built from "
			"mem_lower/mem_upper\n");
	kprintf("memory map (%zu entries):\n", bi->mmap_count);
	kprintf("  %-18s  %-18s  %10s  %s\n", "start", "end", "size", "type");
	for (size_t i = 0; i < bi->mmap_count; i++) {
		const struct mb_mmap_entry *e = &bi->mmap[i];
		kprintf("  0x%016llx  0x%016llx  ", e->base,
			e->base + e->length);
		print_size(e->length, 6);
		kprintf("  %u %s\n", e->type,
			multiboot_mmap_type_name(e->type));
	}
	kprintf("loader data kept out of the heap:\n");
	for (size_t i = 0; i < bi->reserved_count; i++) {
		const struct mb_reserved *r = &bi->reserved[i];
		kprintf("  0x%08llx  0x%08llx  ", r->start, r->end);
		print_size(r->end - r->start, 6);
		kprintf("  %s\n", r->what);
	}
}
