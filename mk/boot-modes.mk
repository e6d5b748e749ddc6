# mk/boot-modes.mk - the boot tests of the command line and of the boot
# tests' own judgement. tests/boot/run-cmdline-tests.sh boots the kernel with
# words it must refuse (and some it must take); tests/boot/run-judge-tests.sh
# feeds judge (tests/boot/judge.sh) logs in which one signal lies, no QEMU.

.PHONY: cmdline-test
cmdline-test: $(KERNEL_ELF) ## run only the command-line and judge boot tests
	@B=$(B) QEMU=$(QEMU) tests/boot/run-judge-tests.sh
	@B=$(B) QEMU=$(QEMU) tests/boot/run-cmdline-tests.sh

TEST_SUITES += tests/boot/run-judge-tests.sh tests/boot/run-cmdline-tests.sh
TEST_DEPS   += $(KERNEL_ELF)
