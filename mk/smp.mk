# mk/smp.mk - the SMP boot tests (tests/boot/run-smp-tests.sh), and the
# kernel they must see fail, built without the heap lock
# (mk/kernel-variants.mk).

.PHONY: smp-test
smp-test: $(KERNEL_ELF) $(NOLOCK_ELF) $(ISO) ## run only the SMP boot tests (QEMU, -smp 1/2/4)
	@B=$(B) QEMU=$(QEMU) tests/boot/run-smp-tests.sh

TEST_SUITES += tests/boot/run-smp-tests.sh
TEST_DEPS   += $(KERNEL_ELF) $(NOLOCK_ELF) $(ISO)
