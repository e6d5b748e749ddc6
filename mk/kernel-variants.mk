# mk/kernel-variants.mk - the kernel built again from the same sources with
# one more compiler flag, each in $(B)/kernel-<name>/ so that its objects
# never mix with the real kernel's:
#   nolock   MM_UNSAFE_NO_LOCK: the heap's lock compiled out; the SMP tests
#            must catch it (tests/boot/run-smp-tests.sh)
#   assert   MM_ASSERTS: mm/'s invariants checked (mm/assert.h); the boot
#            tests run it on 4 CPUs and in every heap mode, and fail=assert
#            must stop it at an assertion (tests/boot/run-boot-tests.sh)
# Neither names its own functions in a panic (no second link for ksyms):
# panics place themselves by file and line, as before that table existed.
kernel_nolock_DEFS := -DMM_UNSAFE_NO_LOCK
kernel_assert_DEFS := -DMM_ASSERTS

# $(1): the variant's name; $(2): a word for make's one-line output.
define kernel_variant
$(B)/kernel-$(1)/%.c.o: %.c | tools-kernel
	@mkdir -p $$(dir $$@)
	$$(say) CC-$(2) $$<
	$$(Q)$$(KERNEL_CC) $$(KERNEL_CFLAGS) $$(kernel_$(1)_DEFS) -c $$< -o $$@

$(B)/kernel-$(1)/%.S.o: %.S | tools-kernel
	@mkdir -p $$(dir $$@)
	$$(say) AS-$(2) $$<
	$$(Q)$$(KERNEL_CC) $$(KERNEL_ASFLAGS) $$(kernel_$(1)_DEFS) -c $$< -o $$@

$(B)/kernel-$(1).elf: $$(patsubst %,$(B)/kernel-$(1)/%.o,$$(KERNEL_SRCS)) $$(KSYMS_NONE_O) linker.ld
	$$(say) LD $$@
	$$(Q)$$(KERNEL_CC) $$(KERNEL_LDFLAGS) -o $$@ $$(filter %.o,$$^) -lgcc
	@$$(GRUB_FILE) --is-x86-multiboot $$@ || \
		{ echo "error: $$@ is not a multiboot kernel"; rm -f $$@; exit 1; }

.PHONY: kernel-$(1)
endef

$(eval $(call kernel_variant,nolock,NOLK))
$(eval $(call kernel_variant,assert,ASRT))

# ASSERT_ELF is the Makefile's: make run ASSERTS=1 boots it.
NOLOCK_ELF := $(B)/kernel-nolock.elf
kernel-nolock: $(NOLOCK_ELF) ## build the must-fail kernel without the heap lock
kernel-assert: $(ASSERT_ELF) ## build the kernel with mm/'s assertions on (MM_ASSERTS)

TEST_DEPS += $(ASSERT_ELF)
