#!/usr/bin/env bash
# Stress tests: many threads, and many processes, on one heap (see
# tests/stress/threads.c and procs.c). One line per case, "ok - stress ..."
# or "FAIL - stress ...", and exit 0 when every case is ok. Logs are kept in
# $B/stress/logs/.
#
#   B=build [STRESS_SCALE=test|full] tests/stress/run.sh
#
# Builds nothing: `make stress-build` does. STRESS_* variables in the
# environment override the sizes below one by one.
# A case passes when its program exits 0 with its "result:" line and said
# nothing else; rates are printed for information, never judged. The timeout
# only turns a hang into a failure. The no-lock cases run the same programs
# linked with MM_UNSAFE_NO_LOCK and pass only when the run was caught
# failing: a stamp mismatch, an overlap, a bad end check, a fault report, a
# crash or a hang.
set -u
B=${B:-build}
D=$B/stress
LOGS=$D/logs

# Two scales. "full" (make stress) is the longer run; "test" (make test)
# runs every case at the sizes make stress had before the heap's lock
# stopped convoying and the caches came (issue 11): 8 x 1,000,000 then
# took 150-240 s, now about 4 s without caches and 2 s with them.
# Without the lock a run is caught within a few thousand operations, so
# the no-lock runs stay short. ThreadSanitizer runs every access through
# its runtime: fewer ops there. The i386, clang and bare (no host hooks:
# a lock that spins and yields without futexes, and shared shards for
# caches) builds prove the code and the configuration, not the scale.
case ${STRESS_SCALE:-test} in
full)
	thread_ops=5000000 procs=6 proc_ops=1000000
	tsan_thread_ops=500000 tsan_proc_ops=200000 small_ops=1000000
	;;
test)
	thread_ops=1000000 procs=6 proc_ops=200000
	tsan_thread_ops=100000 tsan_proc_ops=50000 small_ops=200000
	;;
*)
	echo "FAIL - stress: STRESS_SCALE must be test or full"
	exit 1
	;;
esac
THREADS=${STRESS_THREADS:-8}
THREAD_OPS=${STRESS_THREAD_OPS:-$thread_ops}
PROCS=${STRESS_PROCS:-$procs}
PROC_OPS=${STRESS_PROC_OPS:-$proc_ops}
TSAN_THREAD_OPS=${STRESS_TSAN_THREAD_OPS:-$tsan_thread_ops}
TSAN_PROCS=${STRESS_TSAN_PROCS:-4}
TSAN_PROC_OPS=${STRESS_TSAN_PROC_OPS:-$tsan_proc_ops}
SMALL_OPS=${STRESS_SMALL_OPS:-$small_ops}
NOLOCK_OPS=${STRESS_NOLOCK_OPS:-200000}
NOLOCK_RUNS=${STRESS_NOLOCK_RUNS:-2}
TIMEOUT=${STRESS_TIMEOUT:-900}
NOLOCK_TIMEOUT=${STRESS_NOLOCK_TIMEOUT:-60}

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS-}"
mkdir -p "$LOGS"
failed=0

# Indented, so that no log line can pass for a result line.
show() {
	sed 's/^/    /' "$1" | tail -n 15
}

# run LOG LIMIT PROGRAM ARGS...: leaves the exit status in $rc
run() {
	local log=$1 limit=$2
	shift 2
	# in a subshell, so that the shell's own "Aborted" notice of a program
	# killed by a signal goes to /dev/null and not between the results
	(
		timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1 </dev/null
		exit $?
	) 2>/dev/null
	rc=$?
}

# rate LOG: the rate and time from the program's result line
rate() {
	sed -n 's/^result: .* ops in \([0-9.]*\) s (\([0-9.]*\) Mops\/s).*/\2 Mops\/s, \1 s/p' "$1"
}

# pass NAME VARIANT PROGRAM ARGS...: the run must end well and say so
pass() {
	local name=$1 variant=$2 prog=$3 log info
	shift 3
	log=$LOGS/${name// /-}.log
	if [ ! -x "$D/$variant/stress-$prog" ]; then
		echo "FAIL - stress $name (not built: $D/$variant/stress-$prog)"
		failed=$((failed + 1))
		return
	fi
	# i386: natively, or under qemu-i386 (scripts/run-i386.sh)
	local -a via=()
	[ "$variant" = host32 ] && via=(scripts/run-i386.sh)
	run "$log" "$TIMEOUT" "${via[@]}" "$D/$variant/stress-$prog" "$@"
	if [ $rc -eq 0 ] && grep -q '^result: ' "$log" &&
		! grep -qvE '^result: ' "$log"; then
		info=$(rate "$log")
		echo "ok - stress $name${info:+ ($info)}"
		return
	fi
	case $rc in
	66) info="ThreadSanitizer reported a race" ;;
	124 | 137) info="timed out after $TIMEOUT s" ;;
	0) info="exit 0 but unexpected output" ;;
	*) info="exit $rc" ;;
	esac
	echo "FAIL - stress $name ($info) - log: $log"
	show "$log"
	failed=$((failed + 1))
}

# why LOG: what caught a failing run, in a few words
why() {
	local line
	line=$(grep -m1 -E '^(stress|heap|spinlock)' "$1")
	case $rc in
	124 | 137) echo "hung; killed after $NOLOCK_TIMEOUT s" ;;
	*)
		if [ -n "$line" ]; then
			echo "${line:0:110}"
		elif [ "$rc" -gt 128 ]; then
			echo "killed by signal $((rc - 128))"
		else
			echo "exit $rc"
		fi
		;;
	esac
}

# must_fail NAME PROGRAM ARGS...: the no-lock build must be caught, every
# one of NOLOCK_RUNS times
must_fail() {
	local name=$1 prog=$2 log bin=$D/nolock/stress-$2 i caught=0 reason=
	shift 2
	if [ ! -x "$bin" ]; then
		echo "FAIL - stress $name (not built: $bin)"
		failed=$((failed + 1))
		return
	fi
	for ((i = 1; i <= NOLOCK_RUNS; i++)); do
		log=$LOGS/${name// /-}.$i.log
		run "$log" "$NOLOCK_TIMEOUT" "$bin" "$@"
		# 0: it passed; 2: bad usage; 3: it could not run (fail.h)
		if [ $rc -ne 0 ] && [ $rc -ne 2 ] && [ $rc -ne 3 ]; then
			caught=$((caught + 1))
			reason=$(why "$log")
		else
			echo "FAIL - stress $name: run $i of $NOLOCK_RUNS was not caught (exit $rc) - log: $log"
			show "$log"
			failed=$((failed + 1))
			return
		fi
	done
	echo "ok - stress $name ($caught/$NOLOCK_RUNS caught; last: $reason)"
}

# -c: per-thread (or per-process) caches; -b: no host hooks. The shards
# of a bare heap with caches get 64 MiB: in 32 MiB their cached blocks
# fragment the free space until, about one run in twenty, a 64 KiB
# request finds no hole that large (issue 11's note).
T="-w $THREADS -n $THREAD_OPS" P="-w $PROCS -n $PROC_OPS"
TS="-w $THREADS -n $SMALL_OPS" PS="-w $PROCS -n $SMALL_OPS"
pass "overlap replay catches what it must" host64 spancheck
pass "threads ${THREADS}x$THREAD_OPS" host64 threads $T
pass "threads ${THREADS}x$THREAD_OPS, caches" host64 threads $T -c
pass "processes ${PROCS}x$PROC_OPS" host64 procs $P
pass "processes ${PROCS}x$PROC_OPS, caches" host64 procs $P -c
pass "bare threads ${THREADS}x$SMALL_OPS" host64 threads $TS -b
pass "bare threads ${THREADS}x$SMALL_OPS, shards" host64 threads $TS -b -c -m 64
pass "bare processes ${PROCS}x$SMALL_OPS" host64 procs $PS -b
pass "bare processes ${PROCS}x$SMALL_OPS, shards" host64 procs $PS -b -c -m 64
must_fail "no-lock threads fail as they must" threads -w "$THREADS" -n "$NOLOCK_OPS"
must_fail "no-lock threads with caches fail as they must" threads -w "$THREADS" -n "$NOLOCK_OPS" -c
must_fail "no-lock processes fail as they must" procs -w "$PROCS" -n "$NOLOCK_OPS"
must_fail "no-lock processes with caches fail as they must" procs -w "$PROCS" -n "$NOLOCK_OPS" -c
TT="-w $THREADS -n $TSAN_THREAD_OPS" TP="-w $TSAN_PROCS -n $TSAN_PROC_OPS"
pass "tsan threads ${THREADS}x$TSAN_THREAD_OPS" tsan threads $TT
pass "tsan threads ${THREADS}x$TSAN_THREAD_OPS, caches" tsan threads $TT -c
pass "tsan processes ${TSAN_PROCS}x$TSAN_PROC_OPS" tsan procs $TP
pass "tsan processes ${TSAN_PROCS}x$TSAN_PROC_OPS, caches" tsan procs $TP -c
pass "tsan bare threads ${THREADS}x$TSAN_THREAD_OPS, shards" tsan threads $TT -b -c -m 64
pass "asserts on, bare threads ${THREADS}x$SMALL_OPS, shards" assert threads $TS -b -c -m 64
for v in host32 clang64 assert; do
	name=${v/host32/i386}
	name=${name/clang64/clang}
	name=${name/assert/asserts on,}
	pass "$name threads ${THREADS}x$SMALL_OPS" $v threads $TS
	pass "$name threads ${THREADS}x$SMALL_OPS, caches" $v threads $TS -c
	pass "$name processes ${PROCS}x$SMALL_OPS" $v procs $PS
	pass "$name processes ${PROCS}x$SMALL_OPS, caches" $v procs $PS -c
done
[ $failed -eq 0 ]
