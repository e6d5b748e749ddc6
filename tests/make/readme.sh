# tests/make/readme.sh - README's "Using mm/ in your own code", followed to
# the letter: its program and its compile line, extracted from README.md
# and run as written, must behave as the README says - "heap_check: 0"
# normally; the heap's message on stderr and an abort on a double free; and,
# without mm_host_init(), the double free only counted, silently.
# shellcheck shell=bash

# readme_section: the README from "## Using mm/ in your own code" to the
# next "## " heading.
readme_section() {
	awk '/^## / { on = ($0 == "## Using mm/ in your own code") } on' README.md
}

# fenced LANG: the first ```LANG block of the section.
fenced() {
	readme_section | awk -v open="\`\`\`$1" '
		$0 == open && !done { on = 1; next }
		on && $0 == "```" { on = 0; done = 1 }
		on'
}

case_readme_example() {
	local dir=$LOGS/readme ok line top
	top=$(pwd)
	rm -rf "$dir" && mkdir -p "$dir"
	# The commands are typed at the top of the repository; the program is
	# built apart, with mm/ and host/ seen there as they are here.
	ln -s "$top/mm" "$dir/mm" && ln -s "$top/host" "$dir/host"
	fenced c >"$dir/prog.c"
	line=$(fenced sh | grep -m 1 '^cc ')

	ok=0
	[ -s "$dir/prog.c" ] && [ -n "$line" ] &&
		(cd "$dir" && bash -c "$line") >"$dir/build.log" 2>&1 && [ -x "$dir/prog" ] && ok=1
	result "README's host example builds with README's own line" $ok \
		"line: '$line'" "$(tail_of "$dir/build.log" 10)"
	[ $ok -eq 1 ] || return

	ok=0
	(cd "$dir" && ./prog) >"$dir/run.out" 2>"$dir/run.err"
	rc=$?
	[ $rc -eq 0 ] && grep -qx 'heap_check: 0' "$dir/run.out" && [ ! -s "$dir/run.err" ] && ok=1
	result "README's example: a run without misuse prints heap_check: 0 and exits 0" $ok \
		"exit $rc" "$(cat "$dir/run.out" "$dir/run.err")"

	ok=0
	# (the braces keep bash's own "Aborted" out of the suite's output)
	{ (cd "$dir" && ./prog double-free) >"$dir/df.out" 2>"$dir/df.err"; } 2>/dev/null
	rc=$?
	# 134: killed by SIGABRT (128 + 6)
	# The wording depends on what became of the block after its first free
	# (still a block of its own, or merged into a neighbour): either names
	# the double free.
	[ $rc -eq 134 ] && grep -qE '^heap: (double free of 0x|.*freed twice)' "$dir/df.err" &&
		! grep -q 'heap_check' "$dir/df.out" && ok=1
	result "README's example: a double free prints the heap's message on stderr and aborts" $ok \
		"exit $rc (134 = SIGABRT)" "stderr: $(cat "$dir/df.err")"

	# The README's word on mm/ alone: the same program without the call.
	ok=0
	grep -v 'mm_host_init();' "$dir/prog.c" >"$dir/alone.c"
	if (cd "$dir" && bash -c "${line//prog/alone}") >"$dir/alone.log" 2>&1; then
		(cd "$dir" && ./alone double-free) >"$dir/alone.out" 2>"$dir/alone.err"
		rc=$?
		[ $rc -eq 0 ] && [ ! -s "$dir/alone.err" ] && grep -qx 'heap_check: 0' "$dir/alone.out" && ok=1
	fi
	result "README's example without mm_host_init(): the double free is silent, the heap fine" $ok \
		"exit ${rc-}" "$(tail_of "$dir/alone.log" 5)" "stderr: $(cat "$dir/alone.err" 2>/dev/null)"
}

case_readme_example
