/*
 * apic.c - see apic.h. Register offsets and ICR bits are from the Intel SDM,
 * volume 3, chapter 10 (Advanced Programmable Interrupt Controller).
 */
#include "kernel/apic.h"

#include "kernel/cpu.h"
#include "kernel/idt.h"
#include "kernel/io.h"
#include "kernel/kprintf.h"
#include "kernel/timer.h"
#include "kernel/vm/vm.h"

#define REG_ID		  0x020
#define REG_VERSION	  0x030
#define REG_EOI		  0x0B0
#define REG_SPURIOUS	  0x0F0
#define REG_ESR		  0x280
#define REG_ICR_LOW	  0x300
#define REG_ICR_HIGH	  0x310
#define REG_LVT_TIMER	  0x320
#define REG_LVT_LINT0	  0x350
#define REG_TIMER_INITIAL 0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE  0x3E0

#define LVT_MASKED	0x10000u
#define TIMER_DIVIDE_16 0x3u
#define NAP_VECTOR	0xF0u
#define CALIBRATE_US	10000u

/* The 8259 PICs' data ports: writing 0xFF masks every IRQ line. */
#define PIC1_DATA 0x21
#define PIC2_DATA 0xA1

#define SPURIOUS_ENABLE 0x100u
/* Never delivered: interrupts stay masked in this kernel. */
#define SPURIOUS_VECTOR 0xFFu

#define ICR_INIT	  0x500u
#define ICR_STARTUP	  0x600u
#define ICR_NMI		  0x400u
#define ICR_LEVEL_ASSERT  0x4000u
#define ICR_DELIVERY_BUSY 0x1000u
#define ICR_DEST_SHIFT	  24

#define MSR_APIC_BASE	 0x1B
#define APIC_BASE_ENABLE 0x800u

/* A delivery takes microseconds; 100 ms of polling means it never will. */
#define SEND_TIMEOUT_US 100000u

static uintptr_t lapic;
static uint32_t timer_per_ms; /* APIC timer counts per ms; 0 = no naps */

static volatile uint32_t *reg(uint32_t offset)
{
	return (volatile uint32_t *)(lapic + offset);
}

static uint32_t rd(uint32_t offset)
{
	return *reg(offset);
}

static void wr(uint32_t offset, uint32_t value)
{
	*reg(offset) = value;
	/* reading back makes sure the write reached the APIC */
	(void)rd(REG_ID);
}

__attribute__((interrupt)) static void wake(struct interrupt_frame *frame)
{
	(void)frame;
	*reg(REG_EOI) = 0;
}

static void enable_this_cpu(void)
{
	wr(REG_SPURIOUS, SPURIOUS_ENABLE | SPURIOUS_VECTOR);
	wr(REG_LVT_LINT0, LVT_MASKED);
	wr(REG_TIMER_DIVIDE, TIMER_DIVIDE_16);
	/* One-shot (periodic bit clear), unmasked: it fires only when a nap
	 * writes an initial count. */
	wr(REG_LVT_TIMER, NAP_VECTOR);
}

/* The APIC timer's rate is the bus clock's, which no table gives: count it
 * against the PIT, with the timer masked. */
static void calibrate(void)
{
	uint32_t left;

	wr(REG_LVT_TIMER, NAP_VECTOR | LVT_MASKED);
	wr(REG_TIMER_INITIAL, 0xFFFFFFFFu);
	timer_udelay(CALIBRATE_US);
	left = rd(REG_TIMER_CURRENT);
	wr(REG_TIMER_INITIAL, 0);
	wr(REG_LVT_TIMER, NAP_VECTOR);
	timer_per_ms = (0xFFFFFFFFu - left) / (CALIBRATE_US / 1000);
}

int apic_init(uintptr_t base)
{
	uint64_t msr;

	if (!cpu_has_apic()) {
		kprintf("apic: this CPU has no local APIC\n");
		return -1;
	}
	msr = cpu_rdmsr(MSR_APIC_BASE);
	if (!(msr & APIC_BASE_ENABLE)) {
		kprintf("apic: local APIC disabled in IA32_APIC_BASE\n");
		return -1;
	}
	if ((msr & 0xFFFFF000u) != base)
		kprintf("apic: table says 0x%08x, IA32_APIC_BASE 0x%08x; "
			"using the table's\n",
			(unsigned)base, (unsigned)(msr & 0xFFFFF000u));
	if (vm_map_device(base) != 0) {
		kprintf("apic: cannot map the local APIC's page at 0x%08x\n",
			(unsigned)base);
		return -1;
	}
	lapic = base;
	/* The legacy PICs reach the boot CPU through LINT0; with interrupts
	 * on during naps their IRQs would land on exception vectors. */
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
	idt_set(NAP_VECTOR, wake);
	idt_load();
	enable_this_cpu();
	calibrate();
	kprintf("apic: local APIC at 0x%08x, version 0x%02x, this CPU's ID "
		"%u, timer %u counts/ms\n",
		(unsigned)base, (unsigned)(rd(REG_VERSION) & 0xFF),
		(unsigned)apic_id(), (unsigned)timer_per_ms);
	return 0;
}

void apic_init_ap(void)
{
	idt_load();
	enable_this_cpu();
}

void apic_nap(uint32_t us)
{
	if (!timer_per_ms) {
		timer_udelay(us);
		return;
	}
	wr(REG_TIMER_INITIAL,
	   (uint32_t)((uint64_t)us * timer_per_ms / 1000) + 1);
	/* sti takes effect after the next instruction, so a timer that has
	 * already fired is delivered in hlt and wakes it: no lost wake-up. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	wr(REG_TIMER_INITIAL, 0); /* woken early by something else */
}

uint32_t apic_id(void)
{
	return rd(REG_ID) >> ICR_DEST_SHIFT;
}

static int send(uint32_t apic_id, uint32_t command)
{
	uint32_t waited = 0;

	/* The SDM asks for the error status to be cleared before an IPI
	 * (written, then read, to latch it). */
	wr(REG_ESR, 0);
	wr(REG_ICR_HIGH, apic_id << ICR_DEST_SHIFT);
	wr(REG_ICR_LOW, command);
	while (rd(REG_ICR_LOW) & ICR_DELIVERY_BUSY) {
		if (waited >= SEND_TIMEOUT_US)
			return -1;
		timer_udelay(10);
		waited += 10;
	}
	return 0;
}

int apic_send_init(uint32_t apic_id)
{
	/* No de-assert afterwards: only the 82489DX needed it, and the SDM's
	 * start-up sequence for later APICs sends INIT alone. */
	return send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
}

int apic_send_startup(uint32_t apic_id, uint8_t vector)
{
	return send(apic_id, ICR_STARTUP | vector);
}

int apic_send_nmi(uint32_t apic_id)
{
	return send(apic_id, ICR_NMI | ICR_LEVEL_ASSERT);
}
