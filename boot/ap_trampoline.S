/*
 * ap_trampoline.S - where an application processor starts.
 *
 * A start-up IPI with vector TRAMPOLINE_VECTOR starts the CPU in real mode
 * at CS:IP = (TRAMPOLINE_BASE >> 4):0. This code is linked into the kernel
 * image but runs only from its copy at TRAMPOLINE_BASE (smp.c copies it),
 * so every address it uses is computed for that copy with AT(); only the
 * final call goes back into the kernel image, by absolute address.
 *
 * It switches to protected mode on the kernel's GDT (kernel/gdt.c), turns
 * paging on with the kernel's page directory, takes the stack and CPU index the boot CPU left in the argument words, and
 * calls ap_main(index), which never returns.
 */
#include "kernel/gdt.h"
#include "kernel/trampoline.h"

#define CR0_PE 0x1
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000

/* The address of a label in the copy at TRAMPOLINE_BASE. */
#define AT(label) ((label) - ap_trampoline_start + TRAMPOLINE_BASE)

	/* Data, as far as the kernel is concerned: it is copied, never run
	 * where it was linked. */
	.section .rodata.ap_trampoline, "a"
	.global ap_trampoline_start
	.global ap_trampoline_end

	.code16
ap_trampoline_start:
	cli
	cld
	/* DS = 0: the copy lies below 64 KiB, so AT() addresses are valid
	 * offsets from segment 0. */
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl AT(gdt_pointer)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	/* The far jump leaves real mode's segment cache behind: from here CS
	 * comes from the GDT, and the 32-bit offset is the copy's. */
	ljmpl $GDT_KERNEL_CODE, $AT(protected)

	.code32
protected:
	movw $GDT_KERNEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	/* Paging on, on the kernel's page tables, before the stack (which
	 * is in mapped memory) is touched: this page is identity-mapped, so
	 * the next instruction is where it was. */
	movl TRAMPOLINE_ARG_CR3, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP), %eax
	movl %eax, %cr0
	movl TRAMPOLINE_ARG_STACK, %esp
	/* Same state as _start gives the boot CPU: no frame to return to,
	 * EFLAGS clear (IF=0, DF=0), the stack 16-byte aligned at the call. */
	xorl %ebp, %ebp
	pushl $0
	popfl
	subl $12, %esp
	pushl TRAMPOLINE_ARG_CPU
	movl $ap_main, %eax
	call *%eax
1:	cli
	hlt
	jmp 1b

	.balign 4
gdt_pointer:
	.word GDT_ENTRIES * 8 - 1
	.long gdt_table
ap_trampoline_end:

	.section .note.GNU-stack, "", @progbits
