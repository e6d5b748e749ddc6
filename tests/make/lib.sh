# Shared by the tests/make/ scripts: results, and running make as a user
# would, from the top of the repository.
# shellcheck shell=bash

failed=0

# result NAME OK [DETAIL...]: one "ok - make NAME" or "FAIL - make NAME";
# the details, indented so that none can pass for a result line.
result() {
	local name=$1 ok=$2
	shift 2
	if [ "$ok" -eq 1 ]; then
		echo "ok - make $name"
	else
		echo "FAIL - make $name"
		failed=$((failed + 1))
		[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/    | /'
	fi
	return 0
}

# tail_of FILE: its last lines, for a FAIL's details.
tail_of() {
	tail -n "${2:-15}" "$1" 2>/dev/null
}

# A make started by make test must not inherit the outer make's flags or
# jobserver: each case runs make exactly as typed.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
