# mk/vm.mk - host unit tests of the kernel's VM layer (kernel/vm/), built
# once per variant with that variant's compiler and flags (the Makefile's
# <variant>_CC/_CFLAGS/_LIBS) into $(B)/<variant>/vm/, apart from the
# Makefile's own trees there (kernel/, tests/). The kernel build compiles
# kernel/vm/*.c with the kernel's flags. `make vm-test` runs only this suite.
VM_VARIANTS := host64 clang64 host32 asan64
VM_TESTS    := test_frame
# What each test links besides its own tests/vm/<test>.c.
vm_test_frame_SRCS := kernel/vm/frame.c tests/common/rng.c

VM_TEST_BINS := $(foreach v,$(VM_VARIANTS),$(addprefix $(B)/$(v)/vm/,$(VM_TESTS)))

vm_tools = tools-host $(if $(filter host32,$(1)),tools-i386 $(B)/host32/include/cmocka.h)

# $(1): variant, $(2): source. One explicit rule per object: no pattern
# rule that make could also try on the .d files it includes.
define vm_object
$(B)/$(1)/vm/$(basename $(notdir $(2))).o: $(2) | $(call vm_tools,$(1))
	@mkdir -p $$(dir $$@)
	$$(say) CC $(1)/$$<
	$$(Q)$$($(1)_CC) $$($(1)_CFLAGS) -c $$< -o $$@
endef

# $(1): variant, $(2): test.
define vm_test
$(B)/$(1)/vm/$(2): $(B)/$(1)/vm/$(2).o $(foreach s,$(vm_$(2)_SRCS),$(B)/$(1)/vm/$(basename $(notdir $(s))).o)
	$$(say) LD $$@
	$$(Q)$$($(1)_CC) -o $$@ $$^ $$($(1)_LIBS)
endef

VM_ALL_SRCS := $(sort $(addprefix tests/vm/,$(addsuffix .c,$(VM_TESTS))) \
        $(foreach t,$(VM_TESTS),$(vm_$(t)_SRCS)))
$(foreach v,$(VM_VARIANTS),$(foreach s,$(VM_ALL_SRCS),$(eval $(call vm_object,$(v),$(s)))))
$(foreach v,$(VM_VARIANTS),$(foreach t,$(VM_TESTS),$(eval $(call vm_test,$(v),$(t)))))

.PHONY: vm-build vm-test
vm-build: $(VM_TEST_BINS) ## build the kernel/vm/ host tests (every variant)
vm-test: vm-build ## run only the kernel/vm/ host tests (tests/vm/run.sh)
	@B=$(B) VM_VARIANTS="$(VM_VARIANTS)" VM_TESTS="$(VM_TESTS)" tests/vm/run.sh

TEST_SUITES += tests/vm/run.sh
TEST_DEPS   += $(VM_TEST_BINS)
