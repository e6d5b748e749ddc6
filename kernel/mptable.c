/*
 * mptable.c - the CPUs the Intel MultiProcessor Specification 1.4 table
 * lists: the "_MP_" floating pointer -> the "PCMP" configuration table ->
 * its processor entries.
 *
 * Older than ACPI and the fallback when there is no MADT. Firmware may list
 * fewer CPUs here than in the MADT (SeaBIOS lists one per socket), which is
 * why it comes second.
 */
#include "kernel/cpu_map.h"

#include "kernel/bios.h"
#include "kernel/kprintf.h"
#include "kernel/string.h"

#define FP_SIZE	    16
#define FP_CONFIG   4
#define FP_LENGTH   8  /* in 16-byte units */
#define FP_FEATURE1 11 /* non-zero: a default configuration, no table */

#define CFG_LENGTH	4
#define CFG_ENTRY_COUNT 34
#define CFG_LAPIC	36
#define CFG_ENTRIES	44

#define ENTRY_PROCESSOR	    0
#define PROCESSOR_SIZE	    20
#define OTHER_ENTRY_SIZE    8
#define ENTRY_LAST_KNOWN    4 /* bus, I/O APIC, I/O and local interrupt */
#define PROCESSOR_ENABLED   0x1u
#define PROCESSOR_APIC_ID   1
#define PROCESSOR_CPU_FLAGS 3

static int fp_valid(const unsigned char *p)
{
	return p[FP_LENGTH] == 1 && bios_checksum(p, FP_SIZE) == 0;
}

int mptable_find_cpus(struct cpu_map *out)
{
	const unsigned char *fp, *cfg;
	uint32_t addr, len;
	uint16_t entries;
	uint32_t off = CFG_ENTRIES;

	*out = (struct cpu_map){.source = "MP table"};
	fp = bios_find("_MP_", 4, 1, 0xF0000, fp_valid);
	if (!fp) {
		kprintf("mptable: no MP floating pointer\n");
		return -1;
	}
	addr = bios_u32(fp + FP_CONFIG);
	if (fp[FP_FEATURE1] != 0 || addr == 0) {
		kprintf("mptable: default configuration %u, no table: not "
			"supported\n",
			(unsigned)fp[FP_FEATURE1]);
		return -1;
	}
	cfg = bios_phys(addr);
	len = bios_u16(cfg + CFG_LENGTH);
	if (memcmp(cfg, "PCMP", 4) != 0 || len < CFG_ENTRIES ||
	    bios_checksum(cfg, len) != 0) {
		kprintf("mptable: bad configuration table at 0x%08x\n",
			(unsigned)addr);
		return -1;
	}
	out->table = addr;
	out->lapic_base = bios_u32(cfg + CFG_LAPIC);
	if (out->lapic_base == 0)
		out->lapic_base = LAPIC_DEFAULT_BASE;
	entries = bios_u16(cfg + CFG_ENTRY_COUNT);
	/* Processor entries are 20 bytes, every other kind 8. */
	for (uint16_t i = 0; i < entries && off < len; i++) {
		const unsigned char *e = cfg + off;

		if (e[0] > ENTRY_LAST_KNOWN)
			break; /* size unknown: the rest cannot be read */
		if (e[0] != ENTRY_PROCESSOR) {
			off += OTHER_ENTRY_SIZE;
			continue;
		}
		if (off + PROCESSOR_SIZE > len)
			break;
		if (!(e[PROCESSOR_CPU_FLAGS] & PROCESSOR_ENABLED))
			out->disabled++;
		else if (out->count == SMP_MAX_CPUS)
			out->ignored++;
		else
			out->apic_id[out->count++] = e[PROCESSOR_APIC_ID];
		off += PROCESSOR_SIZE;
	}
	return 0;
}
