# mk/stress.mk - many threads, and many processes, on one heap
# (tests/stress/). The programs are built once per variant, each in its own
# $(B)/stress/<variant>/ with mm/ and the host glue compiled the same way:
#   host64   gcc -O2: the full-size runs
#   clang64  clang -O2: the same code from the other compiler
#   host32   i686 gcc: 32-bit pointers and size_t
#   tsan     gcc with ThreadSanitizer, mm/ instrumented too
#   nolock   gcc -O2 with MM_UNSAFE_NO_LOCK: the heap's lock does nothing;
#            the suite passes only if the tests catch that
#   assert   gcc -O2 with MM_ASSERTS: mm/'s invariants checked while many
#            threads and processes share the heap (mm/assert.h)
STRESS_DIR      := $(B)/stress
STRESS_VARIANTS := host64 clang64 host32 tsan nolock assert
STRESS_PROGS    := threads procs spancheck

# What each program links besides its own tests/stress/<prog>.c.
STRESS_WORKER_SRCS := $(MM_SRCS) $(HOST_SRCS) tests/common/rng.c \
        tests/common/stamp.c $(addprefix tests/stress/,worker.c fail.c \
        options.c endcheck.c span.c)
stress_threads_SRCS   := $(STRESS_WORKER_SRCS)
stress_procs_SRCS     := $(STRESS_WORKER_SRCS)
stress_spancheck_SRCS := tests/stress/span.c tests/stress/fail.c
STRESS_SRCS := $(STRESS_WORKER_SRCS) $(addprefix tests/stress/,$(addsuffix .c,$(STRESS_PROGS)))

STRESS_BASE := $(WARN) -g -I. -MMD -MP -pthread
stress_host64_CC      := $(CC)
stress_host64_CFLAGS  := $(STRESS_BASE) -O2
stress_clang64_CC     := $(CLANG)
stress_clang64_CFLAGS := $(STRESS_BASE) -O2
stress_host32_CC      := $(CC32)
stress_host32_CFLAGS  := $(STRESS_BASE) -O2 -march=i686
stress_tsan_CC        := $(CC)
stress_tsan_CFLAGS    := $(STRESS_BASE) -O1 -fno-omit-frame-pointer \
        -fsanitize=thread
stress_tsan_LDFLAGS   := -fsanitize=thread
stress_nolock_CC      := $(CC)
stress_nolock_CFLAGS  := $(STRESS_BASE) -O2 -DMM_UNSAFE_NO_LOCK
stress_assert_CC      := $(CC)
stress_assert_CFLAGS  := $(STRESS_BASE) -O2 -DMM_ASSERTS

stress_objs = $(patsubst %.c,$(STRESS_DIR)/$(1)/obj/%.o,$(2))

# $(1): variant. A static pattern rule for the objects, so that make never
# tries it on the .d files it includes.
define stress_variant
$$(call stress_objs,$(1),$$(STRESS_SRCS)): $(STRESS_DIR)/$(1)/obj/%.o: %.c | tools-host $(if $(filter host32,$(1)),tools-i386)
	@mkdir -p $$(dir $$@)
	$$(say) CC stress/$(1)/$$<
	$$(Q)$$(stress_$(1)_CC) $$(stress_$(1)_CFLAGS) -c $$< -o $$@
endef

# $(1): variant, $(2): program.
define stress_program
$(STRESS_DIR)/$(1)/stress-$(2): $$(call stress_objs,$(1),tests/stress/$(2).c $$(stress_$(2)_SRCS))
	$$(say) LD $$@
	$$(Q)$$(stress_$(1)_CC) -pthread $$(stress_$(1)_LDFLAGS) -o $$@ $$^
stress-build: $(STRESS_DIR)/$(1)/stress-$(2)
endef

$(foreach v,$(STRESS_VARIANTS),$(eval $(call stress_variant,$(v))))
$(foreach v,$(STRESS_VARIANTS),$(foreach p,$(STRESS_PROGS),\
        $(eval $(call stress_program,$(v),$(p)))))

.PHONY: stress stress-build
stress-build: ## build the stress tests (every variant) under build/stress/
stress: stress-build ## full-size thread/process stress tests, with TSan, i386 and no-lock runs
	@B=$(B) STRESS_SCALE=full tests/stress/run.sh

TEST_SUITES += tests/stress/run.sh
TEST_DEPS   += stress-build
