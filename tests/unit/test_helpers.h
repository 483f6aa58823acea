/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers shared by the unit tests: run a function that must abort in a
 * child process and check its message.
 */
#ifndef XSKB_TEST_HELPERS_H
#define XSKB_TEST_HELPERS_H

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

/*
 * Run fn(arg) in a child. The child must die of SIGABRT and write a message
 * containing every string in the NULL-terminated list to stderr.
 */
static inline void expect_abort_(void (*fn)(void *), void *arg, ...)
{
	char buf[4096];
	size_t got = 0;
	ssize_t n;
	int fds[2], status;
	pid_t pid;
	va_list ap;
	const char *want;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		fn(arg);
		_exit(0);	/* did not abort: the parent fails the test */
	}
	close(fds[1]);
	while (got < sizeof(buf) - 1 && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
		fail_msg("child did not abort (status %#x), stderr: %s", status, buf);
	va_start(ap, arg);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (!strstr(buf, want))
			fail_msg("abort message lacks \"%s\": %s", want, buf);
	va_end(ap);
}
#define expect_abort(fn, arg, ...) expect_abort_(fn, arg, __VA_ARGS__, (const char *)NULL)

#endif
