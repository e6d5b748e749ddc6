# tests/real/programs.sh - the real programs that tests/real/run.sh checks
# and tests/real/bench.sh times, and the inputs they read. Sourced; needs
# $here (this folder) and $work (an empty folder to write in).

# make_inputs: files the programs read, made on glibc, in $work/input
make_inputs() {
	in=$work/input
	mkdir -p "$in/tree"
	awk 'BEGIN { srand(12345); for (i = 0; i < 400000; i++)
		printf "%08x %d word%d\n", int(rand() * 4294967295), int(rand() * 1000), i % 977 }' \
		>"$in/lines.txt"
	cp -r "$here/../../mm" "$here/../../lib" "$in/tree/"
	cat "$here"/../../mm/*.c >"$in/all.c"
}

# A fixed environment, so that runs can be compared byte for byte
export LC_ALL=C TZ=UTC
export GIT_AUTHOR_NAME=alloc GIT_AUTHOR_EMAIL=alloc@example.org \
	GIT_COMMITTER_NAME=alloc GIT_COMMITTER_EMAIL=alloc@example.org \
	GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
	GIT_CONFIG_NOSYSTEM=1

# programs FN: calls FN NAME CMD... for each program, in the run's folder
programs() {
	local f=$1 py=/usr/bin/python3
	"$f" "python3 with 8 threads (pymalloc)" $py "$here/threads.py"
	"$f" "python3 with 8 threads (PYTHONMALLOC=malloc)" env PYTHONMALLOC=malloc $py "$here/threads.py"
	"$f" "perl: hashes, regexes, sort" perl "$here/words.pl" "$in/lines.txt"
	"$f" "gcc -O2 compiles mm/ into assembly" gcc -O2 -std=c11 -S -o - -I"$here/../../mm" "$in/all.c"
	"$f" "git: init, commit, log, fsck, archive" sh -c '
		git init -q -b main r && cp -r "$1"/* r/ && cd r &&
		git add -A && git commit -q -m one && echo "// two" >>mm/heap.h &&
		git commit -q -am two && git log --stat && git fsck --full --strict &&
		git gc -q && git archive --format=tar HEAD | cksum' sh "$in/tree"
	"$f" "sort --parallel=2 -S 4M (temporary files, merge threads)" \
		sort --parallel=2 -S 4M -T . -k2,2n -k1,1 "$in/lines.txt"
	"$f" "xz -T2 compresses and decompresses" sh -c \
		'xz -T2 -6 -c "$1" >x.xz && cksum <x.xz && xz -T2 -dc x.xz | cksum' sh "$in/lines.txt"
	"$f" "gzip -9 and gunzip" sh -c \
		'gzip -9 -n -c "$1" >g.gz && cksum <g.gz && gzip -dc g.gz | cksum' sh "$in/lines.txt"
	"$f" "tar creates and lists an archive" sh -c \
		'tar --sort=name --mtime=@0 --owner=0 --group=0 -cf t.tar -C "$1" . && cksum <t.tar &&
		 tar -tvf t.tar | head -n 50' sh "$in/tree"
}
