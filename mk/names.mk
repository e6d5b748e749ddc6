# mk/names.mk - the names mm/ exports (tests/names/): only heap_*, mm_* and
# the original API, in the host64 and the kernel objects, and the check
# (scripts/check-mm-names.sh, also run by make lint) shown to refuse a
# stray global. `make names-test` runs only this suite.

.PHONY: names-test

names-test: $(MM_HOST64_OBJS) $(KERNEL_ELF) ## run only the mm/ symbol-name check (tests/names/run.sh)
	@B=$(B) tests/names/run.sh

TEST_SUITES += tests/names/run.sh
TEST_DEPS   += host64-tests $(KERNEL_ELF)
