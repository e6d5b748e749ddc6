# mk/debug.mk - GDB against the kernel in QEMU (docs/debugging.md). The
# `debug` rule itself is in the Makefile, next to `run`; this adds what it
# needs and the test that drives GDB in batch mode through the same
# generated gdbinit and the heap commands of scripts/gdb/heap.py.

.PHONY: tools-debug gdb-test

tools-debug:
	@$(INSTALL_DEPS) debug

gdb-test: $(KERNEL_ELF) | tools-debug ## run only the GDB test (heap-walk, heap-check on a halted QEMU)
	@B=$(B) QEMU=$(QEMU) GDB=$(GDB) tests/gdb/run.sh

TEST_SUITES += tests/gdb/run.sh
TEST_DEPS   += $(KERNEL_ELF) tools-debug
