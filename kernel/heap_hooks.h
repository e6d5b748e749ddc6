/*
 * heap_hooks.h - what the kernel plugs into mm/ (see mm/hooks.h).
 */
#ifndef KERNEL_HEAP_HOOKS_H
#define KERNEL_HEAP_HOOKS_H

#include "mm/hooks.h"

/* Must run before the first heap exists: the heap's secret comes from the
 * entropy hook at creation. */
void heap_hooks_install(void);

/* The hooks heap_hooks_install() installs, for a test that changes one. */
void heap_hooks_get(struct mm_hooks *out);

#endif
