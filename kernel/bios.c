/*
 * bios.c - see bios.h.
 */
#include "kernel/bios.h"

#include "kernel/string.h"

#define BDA_EBDA_SEGMENT 0x40E /* real-mode segment of the EBDA */
#define BDA_BASE_KIB	 0x413 /* KiB of base memory, below the EBDA */
#define BIOS_ROM_END	 0x100000u
#define SCAN_STEP	 16u
#define KIB		 1024u

uint8_t bios_checksum(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

static const unsigned char *scan(uintptr_t start, uintptr_t end,
				 const char *sig, size_t sig_len,
				 bios_valid_fn valid)
{
	start = (start + SCAN_STEP - 1) & ~(uintptr_t)(SCAN_STEP - 1);
	for (uintptr_t a = start; a + sig_len <= end; a += SCAN_STEP) {
		const unsigned char *p = bios_phys(a);

		if (memcmp(p, sig, sig_len) == 0 && valid(p))
			return p;
	}
	return NULL;
}

const unsigned char *bios_find(const char *sig, size_t sig_len,
			       int top_of_base_memory, uintptr_t rom_start,
			       bios_valid_fn valid)
{
	uintptr_t ebda = (uintptr_t)bios_u16(bios_phys(BDA_EBDA_SEGMENT)) << 4;
	uintptr_t base_top = (uintptr_t)bios_u16(bios_phys(BDA_BASE_KIB)) * KIB;
	const unsigned char *p = NULL;

	/* A zero or absurd segment means the BIOS has no EBDA. */
	if (ebda >= 0x80000 && ebda < 0xA0000)
		p = scan(ebda, ebda + KIB, sig, sig_len, valid);
	if (!p && top_of_base_memory && base_top >= KIB && base_top <= 0xA0000)
		p = scan(base_top - KIB, base_top, sig, sig_len, valid);
	if (!p)
		p = scan(rom_start, BIOS_ROM_END, sig, sig_len, valid);
	return p;
}
