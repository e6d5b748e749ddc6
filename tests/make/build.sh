# tests/make/build.sh - building the kernel on a machine that has no cross
# compiler until make's own install step puts it there (a fresh Debian: the
# first `make run` failed with "kernel/cpu_map.h: No such file", because
# the compiler's include folder was asked for before it was installed).
# shellcheck shell=bash

# A stand-in for scripts/install-deps.sh that "installs" the kernel group
# by creating the compiler make was told to use: a wrapper around the real
# cross compiler, absent until the install step runs.
fake_kernel_install() { # DIR
	local dir=$1
	mkdir -p "$dir/bin"
	cat >"$dir/install-deps" <<SH
#!/bin/sh
echo "\$*" >>"$dir/install.log"
for g in "\$@"; do
	[ "\$g" = kernel ] || continue
	printf '#!/bin/sh\nexec i686-linux-gnu-gcc "\$@"\n' >"$dir/bin/i686-late-gcc"
	chmod +x "$dir/bin/i686-late-gcc"
done
SH
	chmod +x "$dir/install-deps"
}

case_kernel_cc_installed_by_make() {
	local dir=$LOGS/late-cc log=$LOGS/late-cc.log ok=0
	rm -rf "$dir" && fake_kernel_install "$dir"
	make B="$dir/build" INSTALL_DEPS="$dir/install-deps" \
		KERNEL_CC="$dir/bin/i686-late-gcc" "$dir/build/kernel/kernel/acpi.c.o" \
		>"$log" 2>&1 && [ -s "$dir/build/kernel/kernel/acpi.c.o" ] && ok=1
	result "kernel builds when make's install step brings the cross compiler" $ok \
		"log: $log" "$(tail_of "$log")"
}

# A compiler that knows no include folder must stop the build, naming the
# package, and never compile with an empty -isystem.
case_kernel_cc_without_headers() {
	local dir=$LOGS/no-headers log=$LOGS/no-headers.log ok=0
	rm -rf "$dir" && mkdir -p "$dir"
	printf '#!/bin/sh\n[ "$1" = -print-file-name=include ] && { echo include; exit 0; }\nexit 1\n' \
		>"$dir/cc" && chmod +x "$dir/cc"
	if ! make B="$dir/build" INSTALL_DEPS=true KERNEL_CC="$dir/cc" \
		"$dir/build/kernel/kernel/acpi.c.o" >"$log" 2>&1 &&
		grep -q 'gcc-i686-linux-gnu' "$log" && grep -q 'include' "$log" &&
		! grep -q 'No such file' "$log"; then
		ok=1
	fi
	result "a kernel compiler without its headers stops the build, naming gcc-i686-linux-gnu" $ok \
		"log: $log" "$(tail_of "$log")"
}

case_kernel_cc_installed_by_make
case_kernel_cc_without_headers
