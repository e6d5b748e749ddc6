# mk/smp.mk - the SMP boot tests (tests/boot/run-smp-tests.sh) and the
# kernel they must see fail: the same sources with the heap lock compiled
# out (MM_UNSAFE_NO_LOCK), built apart in $(B)/kernel-nolock/ so that the
# real kernel's objects never mix with it.

NOLOCK_ELF  := $(B)/kernel-nolock.elf
NOLOCK_OBJS := $(patsubst %,$(B)/kernel-nolock/%.o,$(KERNEL_SRCS))

$(B)/kernel-nolock/%.c.o: %.c | tools-kernel
	@mkdir -p $(dir $@)
	$(say) CC-NOLK $<
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) -DMM_UNSAFE_NO_LOCK -c $< -o $@

$(B)/kernel-nolock/%.S.o: %.S | tools-kernel
	@mkdir -p $(dir $@)
	$(say) AS-NOLK $<
	$(Q)$(KERNEL_CC) $(KERNEL_ASFLAGS) -DMM_UNSAFE_NO_LOCK -c $< -o $@

$(NOLOCK_ELF): $(NOLOCK_OBJS) $(KSYMS_NONE_O) linker.ld
	$(say) LD $@
	$(Q)$(KERNEL_CC) $(KERNEL_LDFLAGS) -o $@ $(NOLOCK_OBJS) $(KSYMS_NONE_O) -lgcc
	@$(GRUB_FILE) --is-x86-multiboot $@ || \
		{ echo "error: $@ is not a multiboot kernel"; rm -f $@; exit 1; }

.PHONY: kernel-nolock smp-test
kernel-nolock: $(NOLOCK_ELF) ## build the must-fail kernel without the heap lock
smp-test: $(KERNEL_ELF) $(NOLOCK_ELF) $(ISO) ## run only the SMP boot tests (QEMU, -smp 1/2/4)
	@B=$(B) QEMU=$(QEMU) tests/boot/run-smp-tests.sh

TEST_SUITES += tests/boot/run-smp-tests.sh
TEST_DEPS   += $(KERNEL_ELF) $(NOLOCK_ELF) $(ISO)
