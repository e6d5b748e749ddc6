/*
 * multiboot.S - the multiboot v1 header and the kernel's entry point.
 *
 * The loader (GRUB, or QEMU's -kernel) leaves us in 32-bit protected mode
 * with paging off, interrupts off, flat segments, eax = the loader magic and
 * ebx = the physical address of the multiboot information structure. Nothing
 * else is set up: in particular there is no stack, so one is reserved here.
 */

#define MB_HEADER_MAGIC 0x1BADB002
#define MB_PAGE_ALIGN   (1 << 0)	/* modules on page boundaries */
#define MB_MEMORY_INFO  (1 << 1)	/* mem_lower/mem_upper and the map */
#define MB_FLAGS        (MB_PAGE_ALIGN | MB_MEMORY_INFO)

#define STACK_SIZE      16384

	/* linker.ld places this section first so the loader finds it in the
	 * first 8 KiB of the file, 4-byte aligned as the spec demands. */
	.section .multiboot, "a"
	.balign 4
	.long MB_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MB_HEADER_MAGIC + MB_FLAGS)

	/* A page of its own below the stack, which paging leaves unmapped
	 * (kernel/vm/paging.c): an overflow faults there. */
	.section .bss
	.balign 4096
	.global boot_stack_guard
boot_stack_guard:
	.skip 4096
	.global boot_stack_bottom
boot_stack_bottom:
	.skip STACK_SIZE
	.global boot_stack_top
boot_stack_top:

	.section .text
	.global _start
	.type _start, @function
_start:
	movl $boot_stack_top, %esp
	/* A zero frame pointer ends backtraces and GDB's frame walk here. */
	xorl %ebp, %ebp
	/* The loader promises nothing about EFLAGS beyond IF=0 and VM=0; C
	 * code assumes DF=0 (string instructions count up). */
	pushl $0
	popfl
	/* kmain(magic, info): the stack stays 16-byte aligned at the call as
	 * the i386 System V ABI asks for (16 KiB top, minus 8, minus 8). */
	subl $8, %esp
	pushl %ebx
	pushl %eax
	call kmain
	/* kmain is not supposed to return; if it does, stop this CPU for good.
	 * hlt alone would resume on an NMI, hence the loop. */
	cli
1:	hlt
	jmp 1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
