#define _GNU_SOURCE
#include "tests/bench/spawn.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/bench/timing.h"

#define OUTPUT_BYTES 8192

_Noreturn void spawn_child(const struct mt_params *p)
{
	struct mt_outcome o;
	size_t taken, waited;
	char why[256];

	mt_open(p->kind, p->workload == MTW_PROCS);
	mt_work(p, &o);
	if (mt_close(why, sizeof why) != 0) {
		fprintf(stderr, "bench: %s\n", why);
		exit(1);
	}
	mt_lock_counts(&taken, &waited);
	printf("mt-result %zu %llu %d %zu %zu %s\n", o.ops,
	       (unsigned long long)o.ns, o.finished, taken, waited,
	       mt_malloc_name());
	exit(0);
}

static _Noreturn void exec_child(char *const argv[], const char *preload,
				 int out)
{
	/* its own group, so that a kill reaches the procs workers too */
	setpgid(0, 0);
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	close(out);
	if (preload)
		setenv("LD_PRELOAD", preload, 1);
	else
		unsetenv("LD_PRELOAD");
	execv("/proc/self/exe", argv);
	fprintf(stderr, "bench: cannot run /proc/self/exe: %s\n",
		strerror(errno));
	_exit(127);
}

/* Read the child's output until it closes it or the cap passes; the
 * buffer keeps the first cap - 1 bytes. 0, or -1 at the cap. */
static int collect(int fd, uint64_t deadline, char *buf, size_t cap,
		   size_t *len)
{
	for (;;) {
		uint64_t now = now_ns();
		struct pollfd pfd = {fd, POLLIN, 0};
		char scratch[512];
		ssize_t got;
		int r;

		if (now >= deadline)
			return -1;
		r = poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue; /* the deadline is checked above */
		got = read(fd, scratch, sizeof scratch);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		if (*len + (size_t)got >= cap)
			got = (ssize_t)(cap - 1 - *len);
		memcpy(buf + *len, scratch, (size_t)got);
		*len += (size_t)got;
		buf[*len] = '\0';
	}
}

static void describe(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
}

static void parse(const char *output, const char *expect,
		  struct spawn_result *out)
{
	const char *line = strstr(output, "mt-result ");
	unsigned long long ns;
	int finished;

	if (!line || sscanf(line, "mt-result %zu %llu %d %zu %zu %15s",
			    &out->ops, &ns, &finished, &out->lock_taken,
			    &out->lock_waited, out->malloc_name) != 6) {
		out->status = SPAWN_FAILED;
		snprintf(out->message, sizeof out->message,
			 "no result line: %.400s", output);
		out->message[strcspn(out->message, "\n")] = '\0';
		return;
	}
	out->ns = ns;
	out->status = finished ? SPAWN_OK : SPAWN_CAPPED;
	if (expect && strcmp(expect, out->malloc_name) != 0) {
		out->status = SPAWN_FAILED;
		snprintf(out->message, sizeof out->message,
			 "the child's malloc is %s, not %s: LD_PRELOAD did "
			 "not take",
			 out->malloc_name, expect);
	}
}

enum spawn_status spawn_capture(char *const argv[], const char *preload,
				double hard_cap, char *out, size_t len)
{
	enum spawn_status st = SPAWN_OK;
	size_t got = 0;
	int fd[2], status = 0;
	pid_t pid;

	out[0] = '\0';
	fflush(NULL);
	if (pipe(fd) != 0 || (pid = fork()) < 0) {
		snprintf(out, len, "cannot start a child: %s", strerror(errno));
		return SPAWN_FAILED;
	}
	if (pid == 0) {
		close(fd[0]);
		exec_child(argv, preload, fd[1]);
	}
	close(fd[1]);
	setpgid(pid, pid); /* as the child does: whichever runs first */
	if (collect(fd[0], now_ns() + (uint64_t)(hard_cap * 1e9), out, len,
		    &got) != 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		st = SPAWN_TIMEOUT;
	}
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (st == SPAWN_OK && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		char how[64], *copy = strdup(out);

		describe(status, how, sizeof how);
		snprintf(out, len, "%s%s%s", how, copy && *copy ? ": " : "",
			 copy ? copy : "");
		free(copy);
		st = SPAWN_FAILED;
	}
	return st;
}

void spawn_run(const struct mt_params *p, const char *preload,
	       const char *expect_malloc, double hard_cap,
	       struct spawn_result *out)
{
	static char output[OUTPUT_BYTES];
	char n[16], ops[32], cap[32], seed[32];
	char *argv[] = {"bench",
			"--mt-child",
			(char *)mt_workloads[p->workload].name,
			(char *)mt_configs[p->kind].name,
			n,
			ops,
			cap,
			seed,
			NULL};

	memset(out, 0, sizeof *out);
	snprintf(n, sizeof n, "%u", p->n);
	snprintf(ops, sizeof ops, "%zu", p->ops);
	snprintf(cap, sizeof cap, "%.3f", p->cap);
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)p->seed);
	out->status =
	    spawn_capture(argv, preload, hard_cap, output, sizeof output);
	if (out->status == SPAWN_OK) {
		parse(output, expect_malloc, out);
	} else if (out->status == SPAWN_FAILED) {
		snprintf(out->message, sizeof out->message, "%.500s", output);
		out->message[strcspn(out->message, "\n")] = '\0';
	}
}
