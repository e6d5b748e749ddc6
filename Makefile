# alloc - a small kernel memory allocator and the multiboot kernel that
# proves it. `make help` lists the targets. Everything built goes to build/.

# --- tools (override on the command line: make KERNEL_CC=clang ...) ---------
CC            ?= gcc
CLANG         ?= clang
CC32          ?= i686-linux-gnu-gcc
KERNEL_CC     ?= i686-linux-gnu-gcc
KERNEL_READELF ?= i686-linux-gnu-readelf
KERNEL_NM     ?= i686-linux-gnu-nm
GRUB_MKRESCUE ?= grub-mkrescue
GRUB_FILE     ?= grub-file
QEMU          ?= qemu-system-i386
GDB           ?= gdb

# make's own default CC is "cc"; we want gcc unless told otherwise.
ifeq ($(origin CC),default)
CC := gcc
endif

B := build

# Quiet by default: one line per file. `make V=1` shows every command.
ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-8s %s\n'
endif
INSTALL_DEPS := scripts/install-deps.sh

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wpointer-arith -Wcast-align \
        -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Werror

MM_SRCS     := $(sort $(wildcard mm/*.c))
HOST_SRCS   := $(sort $(wildcard host/*.c))
TEST_COMMON := $(sort $(wildcard tests/common/*.c))
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_NAMES  := $(notdir $(UNIT_SRCS:.c=))

# --- the kernel -------------------------------------------------------------
# Freestanding and pinned explicitly: the Debian cross compiler defaults to
# PIE, SSP and CET, none of which a bare-metal kernel can use.
# -nostdinc leaves only the compiler's own headers (stddef.h, stdint.h),
# found by asking the compiler. Asked when the first kernel object is
# compiled, after tools-kernel has installed the compiler - never while make
# reads this file, on a fresh machine before the install - and then kept.
# An answer that is not a folder stops the build: an empty -isystem would
# swallow the -I. after it.
kernel_include_dir = $(or $(filter /%,$(shell $(KERNEL_CC) -print-file-name=include 2>/dev/null)),\
        $(error the kernel compiler $(KERNEL_CC) names no include folder \
        (-print-file-name=include): install the Debian package gcc-i686-linux-gnu \
        (scripts/install-deps.sh kernel), or point KERNEL_CC at a working one))
KERNEL_FREESTANDING_INC = $(eval KERNEL_FREESTANDING_INC := $(kernel_include_dir))$(KERNEL_FREESTANDING_INC)
# Recursive (=), so that the lookup above happens in a recipe.
KERNEL_CFLAGS = $(WARN) -O2 -g -m32 -march=i686 -ffreestanding -fno-pic \
        -fno-pie -fno-stack-protector -mgeneral-regs-only -fcf-protection=none \
        -fno-omit-frame-pointer -nostdinc -isystem $(KERNEL_FREESTANDING_INC) \
        -I. -MMD -MP
KERNEL_ASFLAGS := -m32 -g -I. -MMD -MP
KERNEL_LDFLAGS := -m32 -T linker.ld -nostdlib -static -no-pie -Wl,--build-id=none \
        -Wl,-z,noexecstack
# The self-tests stamp blocks and draw random numbers with the host tests'
# helpers (freestanding).
KERNEL_TEST_COMMON := tests/common/stamp.c tests/common/rng.c
KERNEL_SRCS := $(sort $(wildcard boot/*.S)) $(sort $(wildcard kernel/*.c kernel/vm/*.c kernel/tests/*.c)) $(MM_SRCS) \
        $(KERNEL_TEST_COMMON)
KERNEL_OBJS := $(patsubst %,$(B)/kernel/%.o,$(KERNEL_SRCS))
KERNEL_ELF  := $(B)/kernel.elf
# The same kernel with mm/'s assertions on (MM_ASSERTS; mk/kernel-variants.mk
# builds it): what make run and make debug boot with ASSERTS=1.
ASSERT_ELF  := $(B)/kernel-assert.elf
ifeq ($(ASSERTS),1)
RUN_KERNEL  := $(ASSERT_ELF)
else
RUN_KERNEL  := $(KERNEL_ELF)
endif
ISO         := $(B)/alloc.iso

# --- host builds of mm/ -----------------------------------------------------
# Each variant builds mm/, host/ glue and every unit test with one compiler
# and one set of flags: build/<variant>/.
HOST_BASE := $(WARN) -g -I. -MMD -MP
host64_CC     := $(CC)
host64_CFLAGS := $(HOST_BASE) -O2
host64_LIBS   := -lcmocka
clang64_CC     := $(CLANG)
clang64_CFLAGS := $(HOST_BASE) -O2
clang64_LIBS   := -lcmocka
host32_CC     := $(CC32)
host32_CFLAGS := $(HOST_BASE) -O2 -march=i686 -I$(B)/host32/include
host32_LIBS   := -L/usr/lib/i386-linux-gnu -lcmocka
asan64_CC     := $(CC)
asan64_CFLAGS := $(HOST_BASE) -O1 -fno-omit-frame-pointer \
        -fsanitize=address,undefined -fno-sanitize-recover=all
asan64_LIBS   := -fsanitize=address,undefined -lcmocka
asan32_CC     := $(CC32)
asan32_CFLAGS := $(HOST_BASE) -O1 -march=i686 -I$(B)/host32/include \
        -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
# The cross compiler's sanitizer runtimes live beside a cross libc that must
# not be loaded with the system's i386 one: the rpath names a directory
# holding only the runtimes (made by the rule below).
asan32_LIBS   := -fsanitize=address,undefined -L/usr/lib/i386-linux-gnu -lcmocka \
        -Wl,-rpath,$(abspath $(B))/asan32/lib
# assert64: mm/'s invariants checked (MM_ASSERT, mm/assert.h), at the
# optimisation the others ship with.
assert64_CC     := $(CC)
assert64_CFLAGS := $(HOST_BASE) -O2 -DMM_ASSERTS
assert64_LIBS   := -lcmocka
VARIANTS := host64 clang64 host32 asan64 asan32 assert64

.DEFAULT_GOAL := help
# Objects made through pattern rules are not throwaway intermediates: keep
# them, so that a second make rebuilds only what changed.
.SECONDARY:
.PHONY: help all run test check iso kernel unit sanitize lint debug clean tools-host tools-kernel tools-lint \
        tools-i386 tools-gui check-mem check-mm-freestanding format format-check

help: ## list the targets
	@echo "alloc - targets (everything is built under $(B)/):"
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{ printf "  make %-14s %s\n", $$1, $$2 }'
	@echo "Variables: GUI=1 (run with a VGA window), MEM=128M (16M at least), SMP=1, GDB_PORT=1234,"
	@echo "           ASSERTS=1 (run or debug the kernel built with mm/'s assertions on),"
	@echo "           V=1 (show commands)"
	@echo "           CMDLINE='...' the kernel's command line for make run and make debug"
	@echo "           (words in kernel/cmdline.h), e.g. make run CMDLINE='heap=check tests=alignment'"

all: iso unit ## build the kernel, the ISO and every host test

# --- tool installation: cheap checks every time, apt only when missing -----
tools-host:
	@$(INSTALL_DEPS) host
tools-i386:
	@$(INSTALL_DEPS) i386
tools-kernel:
	@$(INSTALL_DEPS) kernel

# --- kernel rules -----------------------------------------------------------
kernel: $(KERNEL_ELF) ## build the kernel image (build/kernel.elf)

$(B)/kernel/%.c.o: %.c | tools-kernel
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) -c $< -o $@

$(B)/kernel/%.S.o: %.S | tools-kernel
	@mkdir -p $(dir $@)
	$(say) AS $<
	$(Q)$(KERNEL_CC) $(KERNEL_ASFLAGS) -c $< -o $@

# Two links, so that the kernel can name its own functions (kernel/ksym.h):
# the first without the table of them, the second with the table made from
# the first. The table lies after .text, so no function moves; if one did,
# the names would lie, and the build stops.
KERNEL_PASS1 := $(B)/kernel-pass1.elf
KSYMS_C      := $(B)/kernel/ksyms.c
KSYMS_O      := $(B)/kernel/ksyms.gen.o
KSYMS_NONE_O := $(B)/kernel/ksyms-none.gen.o
kernel_functions = $(KERNEL_NM) -n --defined-only $(1) | awk '$$2 ~ /^[tT]$$/'

$(KERNEL_PASS1): $(KERNEL_OBJS) $(KSYMS_NONE_O) linker.ld
	$(say) LD $@
	$(Q)$(KERNEL_CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(KSYMS_NONE_O) -lgcc

$(KSYMS_C): $(KERNEL_PASS1) scripts/ksyms.sh
	$(say) KSYMS $@
	$(Q)scripts/ksyms.sh $(KERNEL_NM) $< >$@.tmp && mv $@.tmp $@

$(B)/kernel/ksyms-none.c: scripts/ksyms.sh
	@mkdir -p $(dir $@)
	$(Q)scripts/ksyms.sh --empty >$@.tmp && mv $@.tmp $@

$(B)/kernel/%.gen.o: $(B)/kernel/%.c | tools-kernel
	$(say) CC $<
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) -c $< -o $@

# The checks catch the two ways a kernel silently fails to boot: a missing or
# misplaced multiboot header, and a PIE image with an INTERP segment.
$(KERNEL_ELF): $(KERNEL_PASS1) $(KSYMS_O)
	$(say) LD $@
	$(Q)$(KERNEL_CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(KSYMS_O) -lgcc
	@$(call kernel_functions,$(KERNEL_PASS1)) >$@.pass1.txt
	@$(call kernel_functions,$@) >$@.final.txt
	@cmp -s $@.pass1.txt $@.final.txt || \
		{ echo "error: linking the symbol table moved the kernel's functions (diff $@.pass1.txt $@.final.txt)"; rm -f $@; exit 1; }
	@rm -f $@.pass1.txt $@.final.txt
	@$(GRUB_FILE) --is-x86-multiboot $@ || \
		{ echo "error: $@ is not a multiboot kernel (header missing or past 8 KiB)"; rm -f $@; exit 1; }
	@if $(KERNEL_READELF) -lW $@ | grep -q INTERP; then \
		echo "error: $@ has an INTERP segment (built as PIE?)"; rm -f $@; exit 1; fi

iso: $(ISO) ## build the bootable GRUB ISO (build/alloc.iso)

$(ISO): $(KERNEL_ELF) iso/boot/grub/grub.cfg
	@rm -rf $(B)/iso && mkdir -p $(B)/iso/boot/grub
	@cp $(KERNEL_ELF) $(B)/iso/boot/kernel.elf
	@cp iso/boot/grub/grub.cfg $(B)/iso/boot/grub/grub.cfg
	$(say) ISO $@
	$(Q)$(GRUB_MKRESCUE) -o $@ $(B)/iso 2>$(B)/grub-mkrescue.log || \
		{ cat $(B)/grub-mkrescue.log; exit 1; }

MEM ?= 128M
SMP ?= 1
# First prerequisite of every target that boots QEMU with MEM: a machine
# below the kernel's minimum (kernel/minimum.h) is refused before anything
# is built or booted.
check-mem:
	@scripts/check-ram.sh $(call quote,$(MEM))
QEMU_EXIT := -device isa-debug-exit,iobase=0xf4,iosize=0x04
# GUI=1 names the gtk display: left to choose, a QEMU without its GUI
# package (qemu-system-gui) falls back to serving VNC, and make run would
# never return. tools-gui checks for a display and installs that package.
ifeq ($(GUI),1)
QEMU_RUN := -display gtk -serial mon:stdio
# Without the exit device the kernel halts when done and the window stays.
QEMU_EXIT :=
QEMU_UI_TOOLS := tools-gui
else
QEMU_RUN := -display none -serial mon:stdio
QEMU_UI_TOOLS :=
endif

tools-gui:
	@if [ -z "$${DISPLAY-}$${WAYLAND_DISPLAY-}" ]; then \
		echo "error: GUI=1 opens a QEMU window, but there is no display to open it on:" \
			"neither DISPLAY nor WAYLAND_DISPLAY is set." >&2; \
		echo "error: run it in a desktop session (or ssh -X), or leave out GUI=1" \
			"to see the serial console here." >&2; \
		exit 1; \
	fi
	@$(INSTALL_DEPS) gui

# quote: $(1) as one single-quoted shell word.
quote = '$(subst ','\'',$(1))'

# make run boots the ISO through GRUB, whose entry passes `exit`. Given
# CMDLINE (or ASSERTS=1), QEMU loads the kernel itself instead (it reads
# multiboot images) and passes those words, after `exit` unless they have
# it, so that the run still ends with the verdict.
ifeq ($(strip $(CMDLINE))$(filter 1,$(ASSERTS)),)
RUN_IMAGE := $(ISO)
RUN_BOOT   = -cdrom $(ISO) -boot d
else
RUN_IMAGE := $(RUN_KERNEL)
RUN_BOOT   = -kernel $(RUN_KERNEL) -append $(call quote,$(RUN_CMDLINE))
# A GUI run has no exit device and keeps its window: no `exit` added there.
RUN_CMDLINE = $(strip $(if $(QEMU_EXIT),$(if $(filter exit,$(CMDLINE)),,exit)) $(CMDLINE))
endif

# The kernel leaves QEMU through isa-debug-exit: status (value << 1) | 1, so
# 33 is success. run-qemu.sh turns that back into 0 / 1 for the shell.
run: check-mem $(RUN_IMAGE) | $(QEMU_UI_TOOLS) ## boot the kernel in QEMU; serial output here, verdict as exit status
	@scripts/run-qemu.sh $(QEMU) -m $(MEM) -smp $(SMP) $(RUN_BOOT) \
		-no-reboot $(QEMU_EXIT) $(QEMU_RUN)

# make debug (docs/debugging.md): QEMU holds the CPU at reset until GDB
# attaches; run-qemu.sh turns the verdict into make's exit status. Port
# 1234 is what QEMU's -s means; GDB_PORT=N lets two sessions run side by
# side. -no-shutdown with -no-reboot stops the machine on a triple fault
# instead of ending QEMU, so GDB shows where it happened.
GDB_PORT ?= 1234
GDBINIT  := $(B)/gdbinit
# Only a kernel told `exit` uses the exit device; without it, quitting QEMU
# is how a debug session ends, and run-qemu.sh does not call that a failure.
DEBUG_EXIT = $(if $(filter exit,$(CMDLINE)),$(QEMU_EXIT))
debug: check-mem $(RUN_KERNEL) | tools-debug $(QEMU_UI_TOOLS) ## start QEMU halted for GDB; prints the gdb command to type
	@scripts/gdb/gdbinit.sh $(RUN_KERNEL) $(GDB_PORT) > $(GDBINIT)
	@echo "debug: QEMU is halted at reset, waiting for GDB on port $(GDB_PORT)."
	@echo "debug: in another terminal, in $(CURDIR), type:"
	@echo "debug:"
	@echo "    $(GDB) -x $(GDBINIT)"
	@echo "debug:"
	@echo "debug: it stops at kmain; heap-walk, heap-check, heap-stats once the heap exists"
	@echo "debug: (e.g. break selftest_run)."
	@scripts/run-qemu.sh $(QEMU) -m $(MEM) -smp $(SMP) -kernel $(RUN_KERNEL) \
		-append $(call quote,$(CMDLINE)) -gdb tcp:127.0.0.1:$(GDB_PORT) -S \
		-no-reboot -no-shutdown $(DEBUG_EXIT) $(QEMU_RUN)

# --- host rules -------------------------------------------------------------
# cmocka.h lives in /usr/include, which the i386 cross compiler does not
# search (and must not: the rest of it is amd64 glibc).
$(B)/host32/include/cmocka.h: | tools-i386
	@mkdir -p $(dir $@)
	@ln -sf /usr/include/cmocka.h $@

ASAN32_RUNTIME := libasan.so.8 libubsan.so.1 libstdc++.so.6
$(B)/asan32/lib/.made: | tools-i386
	@mkdir -p $(dir $@)
	@for l in $(ASAN32_RUNTIME); do ln -sf /usr/i686-linux-gnu/lib/$$l $(dir $@)$$l; done
	@touch $@

define variant_rules
$(B)/$(1)/%.o: %.c | tools-host $(if $(filter host32 asan32,$(1)),tools-i386 $(B)/host32/include/cmocka.h)
	@mkdir -p $$(dir $$@)
	$$(say) CC $(1)/$$<
	$$(Q)$$($(1)_CC) $$($(1)_CFLAGS) -c $$< -o $$@

$(B)/$(1)/tests/%: $(B)/$(1)/tests/unit/%.o $(patsubst %.c,$(B)/$(1)/%.o,$(MM_SRCS) $(HOST_SRCS) $(TEST_COMMON)) $(if $(filter asan32,$(1)),$(B)/asan32/lib/.made)
	$$(say) LD $$@
	$$(Q)$$($(1)_CC) -o $$@ $$(filter %.o,$$^) $$($(1)_LIBS)

$(1)-tests: $(addprefix $(B)/$(1)/tests/,$(UNIT_NAMES))
.PHONY: $(1)-tests
endef
$(foreach v,$(VARIANTS),$(eval $(call variant_rules,$(v))))
# mm/'s own objects, whose global symbols make lint and tests/names check.
MM_HOST64_OBJS := $(patsubst %.c,$(B)/host64/%.o,$(MM_SRCS))

unit: $(addsuffix -tests,$(VARIANTS)) ## build the host unit tests (all variants)

# The inner loop for a change to mm/: one variant's unit tests, built and
# run in seconds, needing neither the i386 packages nor QEMU.
check: host64-tests ## quick: build and run the host64 unit tests only (no i386, no QEMU)
	@B=$(B) VARIANTS=host64 UNIT_NAMES="$(UNIT_NAMES)" SUITES= tests/run-all.sh

# mm/ must build with nothing but the compiler's freestanding headers,
# with its assertions (MM_ASSERTS) and without.
check-mm-freestanding: | tools-host
	@for f in $(MM_SRCS); do for d in "" -DMM_ASSERTS; do \
		$(CC) $(WARN) $$d -ffreestanding -nostdinc \
			-isystem $$($(CC) -print-file-name=include) -c $$f -o /dev/null || exit 1; \
		$(CLANG) $(WARN) $$d -ffreestanding -nostdinc \
			-isystem $$($(CLANG) -print-resource-dir)/include -c $$f -o /dev/null || exit 1; \
	done; done

# mm/ annotated for host memory checkers (mm/annotate.h): mm/ is built
# without instrumentation, like any malloc; the program with it.
SAN := $(B)/sanitize
sanitize: $(SAN)/misuse-asan $(SAN)/misuse-valgrind ## build the ASan/Valgrind annotation checks

$(SAN)/misuse-asan: tests/sanitize/misuse.c $(MM_SRCS) $(wildcard mm/*.h) | tools-host
	@mkdir -p $(SAN)/asan
	@for f in $(MM_SRCS); do \
		$(CC) $(WARN) -O1 -g -I. -DMM_ASAN -c $$f -o $(SAN)/asan/$$(basename $$f .c).o || exit 1; \
	done
	$(say) CCLD $@
	$(Q)$(CC) $(WARN) -O1 -g -I. -fsanitize=address -fno-omit-frame-pointer \
		-o $@ tests/sanitize/misuse.c $(SAN)/asan/*.o

$(SAN)/misuse-valgrind: tests/sanitize/misuse.c $(MM_SRCS) $(wildcard mm/*.h) | tools-host
	@mkdir -p $(SAN)
	$(say) CCLD $@
	$(Q)$(CC) $(WARN) -O1 -g -I. -DMM_VALGRIND -o $@ tests/sanitize/misuse.c $(MM_SRCS)

# Suites `make test` runs after the unit tests: scripts printing one
# "ok - name" / "FAIL - name" line per case. Fragments in mk/ add their own
# suites to TEST_SUITES and what those need built to TEST_DEPS.
TEST_SUITES := tests/sanitize/run.sh tests/boot/run-boot-tests.sh
TEST_DEPS   := unit sanitize $(ISO) $(KERNEL_ELF) check-mm-freestanding
include $(sort $(wildcard mk/*.mk))

test: $(TEST_DEPS) ## run every test; ends with "N passed, M failed"
	@B=$(B) QEMU=$(QEMU) VARIANTS="$(VARIANTS)" UNIT_NAMES="$(UNIT_NAMES)" \
		SUITES="$(TEST_SUITES)" tests/run-all.sh

# Static analysis of the product code: mm/ (as for the host and as for the
# kernel), host/ and kernel/. Configuration: .clang-tidy, .cppcheck-suppressions.
# Then the names mm/ exports (scripts/check-mm-names.sh): only heap_*, mm_*
# and the original API, so that mm/ links into any kernel.
LINT_HOST := $(MM_SRCS) $(HOST_SRCS)
LINT_KERNEL := $(sort $(wildcard kernel/*.c kernel/vm/*.c kernel/tests/*.c)) $(KERNEL_TEST_COMMON)
tools-lint:
	@$(INSTALL_DEPS) lint

lint: $(MM_HOST64_OBJS) | tools-lint ## cppcheck, clang-tidy, clang-format, mm/ symbol names (clean or fail)
	$(say) CPPCHECK "mm/ host/ kernel/"
	$(Q)cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 \
		--enable=warning,style,performance,portability \
		--suppressions-list=.cppcheck-suppressions -I. $(LINT_HOST)
	$(Q)cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 \
		--enable=warning,style,performance,portability -D__i386__ \
		--suppressions-list=.cppcheck-suppressions -I. $(LINT_KERNEL) $(MM_SRCS)
	$(say) TIDY "mm/ host/ kernel/"
	$(Q)for f in $(LINT_HOST); do \
		out=$$(clang-tidy --quiet $$f -- -std=c11 -I. 2>&1) || \
			{ echo "$$out"; exit 1; }; done
	$(Q)for f in $(LINT_KERNEL) $(MM_SRCS); do \
		out=$$(clang-tidy --quiet $$f -- -std=c11 -I. -m32 -ffreestanding 2>&1) || \
			{ echo "$$out"; exit 1; }; done
	$(say) FORMAT "every .c and .h"
	$(Q)clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')
	$(say) NAMES "mm/ global symbols"
	$(Q)scripts/check-mm-names.sh $(MM_HOST64_OBJS)

format: ## format the sources with .clang-format
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check: ## fail if any source is not formatted
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean: ## remove build/
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
