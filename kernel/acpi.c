/*
 * acpi.c - the CPUs the ACPI MADT lists: RSDP -> RSDT or XSDT -> "APIC".
 *
 * Layouts are from the ACPI specification (5.2.5 RSDP, 5.2.6 the common
 * table header, 5.2.7/5.2.8 RSDT/XSDT, 5.2.12 MADT). Firmware tables are
 * packed and fields may be unaligned, so they are read byte-wise through
 * bios_u32() rather than through structs. Every table lies below 4 GiB on
 * the machines this kernel runs on and is read where it is (no paging);
 * the memory map marks those pages reserved or ACPI, so the heap never gets
 * them, and this runs before the heap exists anyway.
 */
#include "kernel/cpu_map.h"

#include "kernel/bios.h"
#include "kernel/kprintf.h"
#include "kernel/string.h"

#define RSDP_V1_LENGTH	   20
#define RSDP_REVISION	   15
#define RSDP_RSDT	   16
#define RSDP_LENGTH	   20
#define RSDP_XSDT	   24
#define RSDP_V2_MIN_LENGTH 36

#define HDR_LENGTH 4
#define HDR_SIZE   36

#define MADT_LAPIC_BASE	  36
#define MADT_ENTRIES	  44
#define MADT_LAPIC	  0 /* processor local APIC */
#define MADT_LAPIC_BASE64 5 /* local APIC address override */
#define MADT_X2APIC	  9 /* processor local x2APIC */
#define LAPIC_ENABLED	  0x1u

/* No sane table is larger; a bigger length means we are reading junk. */
#define TABLE_MAX ((uint64_t)1024 * 1024)

static int rsdp_valid(const unsigned char *p)
{
	if (bios_checksum(p, RSDP_V1_LENGTH) != 0)
		return 0;
	/* Revision 2 adds the XSDT and a checksum over its own length. */
	if (p[RSDP_REVISION] >= 2) {
		uint32_t len = bios_u32(p + RSDP_LENGTH);

		if (len < RSDP_V2_MIN_LENGTH || len > 4096 ||
		    bios_checksum(p, len) != 0)
			return 0;
	}
	return 1;
}

/* The table at addr when its header and checksum hold, else NULL. */
static const unsigned char *table_at(uint64_t addr, const char *sig)
{
	const unsigned char *t;
	uint32_t len;

	if (addr == 0 || addr >= 0x100000000ull - TABLE_MAX)
		return NULL;
	t = bios_phys((uintptr_t)addr);
	if (sig && memcmp(t, sig, 4) != 0)
		return NULL;
	len = bios_u32(t + HDR_LENGTH);
	if (len < HDR_SIZE || len > TABLE_MAX || bios_checksum(t, len) != 0)
		return NULL;
	return t;
}

/* Finds the table with signature sig through the RSDT or XSDT. */
static const unsigned char *find_table(const unsigned char *rsdp,
				       const char *sig)
{
	const unsigned char *root = NULL;
	size_t entry = 4;

	if (rsdp[RSDP_REVISION] >= 2) {
		uint32_t lo = bios_u32(rsdp + RSDP_XSDT);
		uint32_t hi = bios_u32(rsdp + RSDP_XSDT + 4);

		root = table_at((uint64_t)hi << 32 | lo, "XSDT");
		entry = 8;
	}
	if (!root) {
		root = table_at(bios_u32(rsdp + RSDP_RSDT), "RSDT");
		entry = 4;
	}
	if (!root) {
		kprintf("acpi: RSDP at %p, but no valid RSDT or XSDT\n",
			(const void *)rsdp);
		return NULL;
	}
	for (uint32_t off = HDR_SIZE;
	     off + entry <= bios_u32(root + HDR_LENGTH); off += entry) {
		uint64_t a = bios_u32(root + off);
		const unsigned char *t;

		if (entry == 8)
			a |= (uint64_t)bios_u32(root + off + 4) << 32;
		t = table_at(a, sig);
		if (t)
			return t;
	}
	return NULL;
}

static void add_cpu(struct cpu_map *m, uint32_t apic_id)
{
	if (m->count == SMP_MAX_CPUS) {
		m->ignored++;
		return;
	}
	m->apic_id[m->count++] = apic_id;
}

static void read_madt(const unsigned char *madt, struct cpu_map *m)
{
	uint32_t len = bios_u32(madt + HDR_LENGTH);
	uint32_t off = MADT_ENTRIES;

	m->lapic_base = bios_u32(madt + MADT_LAPIC_BASE);
	/* Each entry starts with its type and length; a zero length would
	 * loop forever, and one past the end means the table is damaged. */
	while (off + 2 <= len && madt[off + 1] >= 2 &&
	       off + madt[off + 1] <= len) {
		const unsigned char *e = madt + off;

		if (e[0] == MADT_LAPIC && e[1] >= 8) {
			if (bios_u32(e + 4) & LAPIC_ENABLED)
				add_cpu(m, e[3]);
			else
				m->disabled++;
		} else if (e[0] == MADT_LAPIC_BASE64 && e[1] >= 12) {
			/* Only usable without PAE if it is below 4 GiB. */
			if (bios_u32(e + 8) == 0)
				m->lapic_base = bios_u32(e + 4);
		} else if (e[0] == MADT_X2APIC && e[1] >= 16) {
			/* IDs past 254 need x2APIC mode, which this kernel
			 * does not switch on. */
			if (bios_u32(e + 8) & LAPIC_ENABLED)
				m->ignored++;
			else
				m->disabled++;
		}
		off += e[1];
	}
	if (m->lapic_base == 0)
		m->lapic_base = LAPIC_DEFAULT_BASE;
}

int acpi_find_cpus(struct cpu_map *out)
{
	const unsigned char *rsdp, *madt;

	*out = (struct cpu_map){.source = "ACPI MADT"};
	/* ACPI puts the RSDP in the EBDA or 0xE0000-0xFFFFF only. */
	rsdp = bios_find("RSD PTR ", 8, 0, 0xE0000, rsdp_valid);
	if (!rsdp) {
		kprintf("acpi: no RSDP (no ACPI, or an EFI-only firmware)\n");
		return -1;
	}
	madt = find_table(rsdp, "APIC");
	if (!madt) {
		kprintf("acpi: RSDP at %p (revision %u), but no MADT\n",
			(const void *)rsdp, (unsigned)rsdp[RSDP_REVISION]);
		return -1;
	}
	out->table = (uintptr_t)madt;
	read_madt(madt, out);
	return 0;
}
