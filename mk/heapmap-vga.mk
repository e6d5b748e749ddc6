# mk/heapmap-vga.mk - the kernel's heap map on the VGA screen
# (kernel/heapmap*.c, docs/heapmap-vga.md): a target to watch its demo,
# and the tests that screenshot it (tests/boot/run-heapmap-tests.sh).
# Their host tools go to $(B)/heapmap-vga/:
#   ppmcells        names the colours of each text cell of a screenshot
#   heapmap-layout  kernel/heapmap.c on the host, over a heap of two regions
HEAPMAP_VGA_B      := $(B)/heapmap-vga
HEAPMAP_PPMCELLS   := $(HEAPMAP_VGA_B)/ppmcells
HEAPMAP_LAYOUT     := $(HEAPMAP_VGA_B)/heapmap-layout
HEAPMAP_LAYOUT_SRCS := tests/boot/heapmap_layout.c kernel/heapmap.c $(MM_SRCS) $(HOST_SRCS)
# Without a window nobody watches the pauses between phases: exit at once.
HEAPMAP_VGA_CMDLINE := $(if $(filter 1,$(GUI)),,exit) tests=none heapmap=phases

.PHONY: heapmap-vga vga-test

$(HEAPMAP_PPMCELLS): tests/boot/ppmcells.c | tools-host
	@mkdir -p $(dir $@)
	$(say) CCLD $@
	$(Q)$(CC) $(WARN) -O2 -g -o $@ $<

$(HEAPMAP_LAYOUT): $(HEAPMAP_LAYOUT_SRCS) $(wildcard mm/*.h kernel/heapmap.h) | tools-host
	@mkdir -p $(dir $@)
	$(say) CCLD $@
	$(Q)$(CC) $(WARN) -O2 -g -I. -o $@ $(HEAPMAP_LAYOUT_SRCS)

heapmap-vga: check-mem $(KERNEL_ELF) | $(QEMU_UI_TOOLS) ## the kernel's heap map demo: fill, free every other, merge (GUI=1: VGA window)
	@scripts/run-qemu.sh $(QEMU) -m $(MEM) -smp $(SMP) -kernel $(KERNEL_ELF) \
		-append "$(HEAPMAP_VGA_CMDLINE)" -no-reboot $(QEMU_EXIT) $(QEMU_RUN)

vga-test: $(ISO) $(KERNEL_ELF) $(HEAPMAP_PPMCELLS) $(HEAPMAP_LAYOUT) tools-viz ## run only the heap map screenshot tests
	@B=$(B) QEMU=$(QEMU) tests/boot/run-heapmap-tests.sh

TEST_SUITES += tests/boot/run-heapmap-tests.sh
TEST_DEPS   += $(ISO) $(KERNEL_ELF) $(HEAPMAP_PPMCELLS) $(HEAPMAP_LAYOUT) tools-viz
