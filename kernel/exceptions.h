/*
 * exceptions.h - the CPU's exceptions (vectors 0-31): each panics with its
 * name, the instruction pointer and the error code, on serial and VGA,
 * instead of ending in a triple fault. The page fault (14) is
 * kernel/vm/fault.c's.
 */
#ifndef KERNEL_EXCEPTIONS_H
#define KERNEL_EXCEPTIONS_H

/* Fills vectors 0-31 of the IDT (after idt_init, before idt_load). */
void exceptions_install(void);

/* The exception's short name ("page fault"), or "reserved". */
const char *exception_name(unsigned vector);

#endif
