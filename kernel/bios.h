/*
 * bios.h - the firmware's tables below 1 MiB, and how to find them.
 *
 * The ACPI RSDP and the MP floating pointer are found the same way: a
 * signature on a 16-byte boundary in the first KiB of the EBDA, at the top
 * of base memory or in the BIOS ROM, confirmed by a byte checksum.
 */
#ifndef KERNEL_BIOS_H
#define KERNEL_BIOS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A pointer to physical memory (paging is off: the address is the
 * pointer). Goes through an empty asm so that GCC does not treat low
 * constants such as the BIOS data area as a null pointer plus an offset.
 */
static inline const unsigned char *bios_phys(uintptr_t addr)
{
	__asm__("" : "+r"(addr));
	return (const unsigned char *)addr;
}

/* Sum of n bytes modulo 256: 0 for a valid firmware table. */
uint8_t bios_checksum(const void *p, size_t n);

/* Checks a candidate at p that carries the signature; non-zero = valid. */
typedef int (*bios_valid_fn)(const unsigned char *p);

/*
 * Looks for sig on 16-byte boundaries in the EBDA's first KiB, then in the
 * last KiB of base memory when top_of_base_memory is set (the MP spec
 * searches it; ACPI does not), then in [rom_start, 0x100000). Returns the
 * first candidate that valid() accepts, or NULL.
 */
const unsigned char *bios_find(const char *sig, size_t sig_len,
			       int top_of_base_memory, uintptr_t rom_start,
			       bios_valid_fn valid);

/* Reads an unaligned little-endian field of a firmware table. */
static inline uint32_t bios_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint16_t bios_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

#endif
