# mk/real.mk - real programs on libmm (tests/real/): python3, perl, gcc,
# git, sort, xz, gzip and tar run on glibc and on libmm and must agree byte
# for byte; then Debian's Python test suite under both. `make real-test`
# runs only that suite; `make bench-real` times the same programs.

.PHONY: tools-real real-test

tools-real:
	@$(INSTALL_DEPS) real

real-test: lib | tools-real ## run only the real-program suite (tests/real/run.sh)
	@B=$(B) tests/real/run.sh

TEST_SUITES += tests/real/run.sh
TEST_DEPS   += lib tools-real

.PHONY: bench-real tools-bench-real
tools-bench-real:
	@$(INSTALL_DEPS) real bench

# e.g. make bench-real REPS=5
bench-real: lib | tools-real tools-bench-real ## wall time and peak RSS of the real programs: glibc, jemalloc, mimalloc, tcmalloc, libmm
	@B=$(B) REPS=$(or $(REPS),3) tests/real/bench.sh
