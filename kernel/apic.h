/*
 * apic.h - this CPU's local APIC, for sending the start-up IPIs.
 *
 * xAPIC mode, through its registers at the physical address the firmware
 * table gave (identity-mapped as device memory, kernel/vm/vm.h).
 */
#ifndef KERNEL_APIC_H
#define KERNEL_APIC_H

#include <stdint.h>

/* Software-enables the boot CPU's local APIC at base; 0, or -1 (after
 * saying why) when there is none to use. */
int apic_init(uintptr_t base);

/* Software-enables an application processor's own local APIC (INIT left
 * it disabled) and readies its timer for naps. */
void apic_init_ap(void);

/*
 * Halts this CPU for about us microseconds, woken by its local APIC timer;
 * spins instead before apic_init(). Interrupts are enabled only for the
 * halt itself. For waiting: a halted virtual CPU gives its host core back,
 * where a spinning one keeps it from the virtual CPU it waits for.
 */
void apic_nap(uint32_t us);

/* The ID in the local APIC's own register (what IPIs are addressed to). */
uint32_t apic_id(void);

/* INIT, then the start-up IPI with the trampoline's page number: the
 * target starts in real mode at vector << 12. 0, or -1 when the APIC never
 * accepted the IPI. */
int apic_send_init(uint32_t apic_id);
int apic_send_startup(uint32_t apic_id, uint8_t vector);
/* A non-maskable interrupt (the TLB shootdown's): 0, or -1. */
int apic_send_nmi(uint32_t apic_id);

#endif
