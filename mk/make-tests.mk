# mk/make-tests.mk - tests of the commands themselves (tests/make/): the
# first build on a machine without the tools, the install script, make
# run / debug and their verdicts, the README's host example. The suite runs
# make as a user would; what it boots is built first.

.PHONY: make-test

make-test: $(ISO) $(KERNEL_ELF) | tools-debug ## run only the tests of make run/debug, the install script, the README example
	@B=$(B) QEMU=$(QEMU) tests/make/run.sh

TEST_SUITES += tests/make/run.sh
TEST_DEPS   += $(ISO) $(KERNEL_ELF) tools-debug
