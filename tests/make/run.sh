#!/usr/bin/env bash
# tests/make/run.sh - the commands a new user types, tried as they would be:
# the build on a machine where make itself installs the tools, the install
# script under contention and without root, make run / make debug and
# their verdicts, the README's host example. One "ok - make NAME" /
# "FAIL - make NAME" line per case; logs in $B/make-tests/.
#
#   B=build tests/make/run.sh     (make test builds the ISO and kernel first)
set -u
B=${B:-build}
QEMU=${QEMU:-qemu-system-i386}
HERE=$(dirname "$0")
LOGS=$B/make-tests
rm -rf "$LOGS" && mkdir -p "$LOGS"
LOGS=$(cd "$LOGS" && pwd)

# shellcheck source=tests/make/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/make/build.sh
. "$HERE/build.sh"
# shellcheck source=tests/make/install.sh
. "$HERE/install.sh"
# shellcheck source=tests/make/targets.sh
. "$HERE/targets.sh"
# shellcheck source=tests/make/memory.sh
. "$HERE/memory.sh"
# shellcheck source=tests/make/readme.sh
. "$HERE/readme.sh"
# shellcheck source=tests/make/summary.sh
. "$HERE/summary.sh"

exit $((failed > 0))
