/*
 * probe.c - see probe.h. In assembly, so that the faulting instruction and
 * the fix-up are at addresses the handler can know (cdecl: p at 4(%esp),
 * out at 8(%esp)).
 */
#include "kernel/vm/probe.h"

extern const char vm_probe_insn[], vm_probe_fail[];

__asm__(".text\n"
	".global vm_probe_read\n"
	".type vm_probe_read, @function\n"
	"vm_probe_read:\n"
	"	movl 4(%esp), %edx\n"
	".global vm_probe_insn\n"
	"vm_probe_insn:\n"
	"	movl (%edx), %eax\n"
	"	movl 8(%esp), %ecx\n"
	"	movl %eax, (%ecx)\n"
	"	xorl %eax, %eax\n"
	"	ret\n"
	".global vm_probe_fail\n"
	"vm_probe_fail:\n"
	"	movl $-1, %eax\n"
	"	ret\n"
	".size vm_probe_read, . - vm_probe_read\n");

uintptr_t vm_probe_fixup(uintptr_t ip)
{
	return ip == (uintptr_t)vm_probe_insn ? (uintptr_t)vm_probe_fail : 0;
}
