/*
 * trampoline.h - where the AP trampoline runs and what it is handed.
 *
 * A start-up IPI starts a CPU in real mode at a page below 1 MiB. The page
 * at TRAMPOLINE_BASE lies below the heap (which starts at 1 MiB or above)
 * and holds nothing the kernel needs once multiboot_parse() has copied the
 * loader's data out. The boot CPU copies boot/ap_trampoline.S there and,
 * before each start-up IPI, writes the new CPU's stack and index into the
 * argument words at the end of the page. Included by assembly too.
 */
#ifndef KERNEL_TRAMPOLINE_H
#define KERNEL_TRAMPOLINE_H

#define TRAMPOLINE_BASE	  0x8000
#define TRAMPOLINE_VECTOR (TRAMPOLINE_BASE >> 12) /* the start-up vector */
#define TRAMPOLINE_SIZE	  0x1000

#define TRAMPOLINE_ARGS	     (TRAMPOLINE_BASE + 0xFF0)
#define TRAMPOLINE_ARG_STACK (TRAMPOLINE_ARGS + 0) /* initial %esp */
#define TRAMPOLINE_ARG_CPU   (TRAMPOLINE_ARGS + 4) /* ap_main's argument */
#define TRAMPOLINE_ARG_CR3   (TRAMPOLINE_ARGS + 8) /* the page directory */

#ifndef __ASSEMBLER__
/* The code to copy, in the kernel image (boot/ap_trampoline.S). */
extern const unsigned char ap_trampoline_start[], ap_trampoline_end[];
#endif

#endif
