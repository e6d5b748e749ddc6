# make bench: mm/ against the system malloc on generated traces
# (tests/bench/). Optimised like a release (-O2 -DNDEBUG), with -g so that
# profilers can name functions; everything goes to build/bench/.
BENCH_B      := $(B)/bench
BENCH_BIN    := $(BENCH_B)/bench
BENCH_SRCS   := $(sort $(wildcard tests/bench/*.c)) tests/common/rng.c \
                tests/common/stamp.c $(MM_SRCS) $(HOST_SRCS)
BENCH_OBJS   := $(patsubst %.c,$(BENCH_B)/obj/%.o,$(BENCH_SRCS))
BENCH_CFLAGS := $(WARN) -O2 -g -DNDEBUG -I. -MMD -MP -pthread
# e.g. make bench BENCH_ARGS='--reps 3 --only mixed' (bench --help lists them)
BENCH_ARGS   ?=

.PHONY: bench bench-icount bench-deps

$(BENCH_B)/obj/%.o: %.c | tools-host
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -c $< -o $@

$(BENCH_BIN): $(BENCH_OBJS)
	$(CC) -pthread -o $@ $^

# Plots need gnuplot (Debian: gnuplot-nox); without it the tables and CSV
# files are still written and plot.sh says what to install.
bench-deps:
	@$(INSTALL_DEPS) bench || \
		echo "bench: could not install the Debian package gnuplot-nox (gnuplot); plots will be skipped"

# A full run (no BENCH_ARGS) also refreshes the README's thread plot.
bench: $(BENCH_BIN) bench-deps ## time mm/ against glibc, jemalloc, mimalloc, tcmalloc: table, CSV, plots in build/bench/
	$(BENCH_BIN) --out $(BENCH_B) $(BENCH_ARGS)
	@tests/bench/plot.sh $(BENCH_B) $(if $(strip $(BENCH_ARGS)),,docs/images)

bench-icount: $(BENCH_BIN) bench-deps ## instructions per op (callgrind), mm/ vs glibc
	@tests/bench/icount.sh $(BENCH_BIN) $(BENCH_B)

# A tiny run of every workload through every allocator and replay loop,
# with the replayer's own checks: no timings are asserted.
TEST_SUITES += tests/bench/smoke.sh
TEST_DEPS   += $(BENCH_BIN)
