# Fuzzing mm/ with libFuzzer (tests/fuzz/). Each harness is linked with mm/,
# the host glue and the test helpers, all built with clang's fuzzer, ASan and
# UBSan instrumentation under $(B)/fuzz/, apart from the other host builds:
# mm/ is instrumented too, so coverage guides the fuzzer through it and ASan
# sees every access it makes.
FUZZ_DIR     := $(B)/fuzz
FUZZ_SAN     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  := $(WARN) -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -I. -MMD -MP
FUZZ_SECONDS ?= 60
# The operations harness is one source, built once per heap mode.
FUZZ_MODES   := fast checking quarantine cached
fuzz_mode_fast       := 0
fuzz_mode_checking   := HEAP_CHECKING
fuzz_mode_quarantine := HEAP_QUARANTINE
fuzz_mode_cached     := HEAP_CACHES
FUZZ_NAMES   := $(addprefix ops_,$(FUZZ_MODES)) faults
FUZZ_BINS    := $(addprefix $(FUZZ_DIR)/,$(FUZZ_NAMES))
FUZZ_OPS_BINS := $(addprefix $(FUZZ_DIR)/ops_,$(FUZZ_MODES))
FUZZ_OPS_OBJS := $(addprefix $(FUZZ_DIR)/mode/ops_,$(addsuffix .o,$(FUZZ_MODES)))

FUZZ_LIB_SRCS := $(HOST_SRCS) tests/common/stamp.c \
        tests/common/fault_log.c tests/fuzz/fuzz.c tests/fuzz/guard.c \
        tests/fuzz/input.c tests/fuzz/layout.c
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_LIB_SRCS))
# mm/ twice: the operations harnesses, which only use the heap as a caller
# may, check mm/'s invariants as well (MM_ASSERTS, mm/assert.h); the
# faults harness forges headers with the heap's secret, damage that can
# make any invariant false, and is judged by the heap's reports alone.
FUZZ_MM_OBJS        := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(MM_SRCS))
FUZZ_MM_ASSERT_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj-assert/%.o,$(MM_SRCS))

.PHONY: fuzz fuzz-build fuzz-corpus tools-fuzz

tools-fuzz:
	@$(INSTALL_DEPS) fuzz

$(FUZZ_DIR)/obj/%.o: %.c | tools-fuzz
	@mkdir -p $(dir $@)
	$(say) CC fuzz/$<
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/obj-assert/%.o: %.c | tools-fuzz
	@mkdir -p $(dir $@)
	$(say) CC fuzz-assert/$<
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -DMM_ASSERTS -c $< -o $@

# Static pattern rules: as plain ones, make would also try them (through its
# built-in "%: %.o") to remake the .d files it includes.
$(FUZZ_OPS_OBJS): $(FUZZ_DIR)/mode/ops_%.o: tests/fuzz/fuzz_ops.c | tools-fuzz
	@mkdir -p $(dir $@)
	$(say) CC fuzz/$<:$*
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -DFUZZ_HEAP_FLAGS=$(fuzz_mode_$*) -c $< -o $@

$(FUZZ_OPS_BINS): $(FUZZ_DIR)/ops_%: $(FUZZ_DIR)/mode/ops_%.o \
		$(FUZZ_DIR)/obj/tests/fuzz/ops_model.o $(FUZZ_LIB_OBJS) \
		$(FUZZ_MM_ASSERT_OBJS)
	$(say) LD $@
	$(Q)$(CLANG) $(FUZZ_SAN) -o $@ $^

$(FUZZ_DIR)/faults: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_faults.o \
		$(FUZZ_DIR)/obj/tests/fuzz/faults_misuse.o $(FUZZ_LIB_OBJS) \
		$(FUZZ_MM_OBJS)
	$(say) LD $@
	$(Q)$(CLANG) $(FUZZ_SAN) -o $@ $^

fuzz-build: $(FUZZ_BINS) ## build the libFuzzer harnesses (build/fuzz/)

fuzz: $(FUZZ_BINS) ## fuzz each harness FUZZ_SECONDS (60) from a copy of the corpus
	@B=$(B) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/fuzz.sh run $(FUZZ_NAMES)

fuzz-corpus: $(FUZZ_BINS) ## merge what make fuzz found into tests/fuzz/corpus/
	@B=$(B) tests/fuzz/fuzz.sh merge $(FUZZ_NAMES)

TEST_SUITES += tests/fuzz/run.sh
TEST_DEPS   += $(FUZZ_BINS)
