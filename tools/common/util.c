/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the xskb tools and integration tests. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

int xt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	/* Decimal, or hex with 0x: a leading zero is not octal (010 is ten). */
	v = strtoull(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int xt_parse_scaled(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char buf[64];
	size_t n;
	uint64_t mult = 1, v;
	int err;

	if (!s || (n = strlen(s)) == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 'k': case 'K': mult = 1000; break;
	case 'M': mult = 1000000; break;
	case 'G': mult = 1000000000; break;
	}
	if (mult > 1)
		buf[n - 1] = '\0';
	err = xt_parse_u64(buf, 0, UINT64_MAX / mult, &v);
	if (err)
		return err;
	v *= mult;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int xt_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
			 &b[5], &tail) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

int xt_parse_ipv4(const char *s, struct in_addr *out)
{
	return s && inet_pton(AF_INET, s, out) == 1 ? 0 : -EINVAL;
}

int xt_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char buf[32], *dash;
	uint64_t a, b;
	int err;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	err = xt_parse_u64(buf, 1, 65535, &a);
	if (err)
		return err;
	b = a;
	if (dash && (err = xt_parse_u64(dash + 1, 1, 65535, &b)))
		return err;
	if (b < a)
		return -ERANGE;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

int xt_netns_open(const char *name)
{
	char path[256];
	int fd;

	if (!name)
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	else if (!*name || strchr(name, '/') || strlen(name) > 200)
		return -EINVAL;
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int xt_netns_set(int fd)
{
	return setns(fd, CLONE_NEWNET) ? -errno : 0;
}

int xt_netns_enter(const char *name)
{
	int fd = xt_netns_open(name), err;

	if (fd < 0)
		return fd;
	err = xt_netns_set(fd);
	close(fd);
	return err;
}

int xt_run(const char *const argv[], bool quiet)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, err;

	posix_spawn_file_actions_init(&fa);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	}
	err = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return -err;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -ECHILD;
}

void xt_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(2);
}

uint64_t xt_opt_u64(const char *prog, const char *opt, const char *s, uint64_t min, uint64_t max,
		    bool scaled)
{
	uint64_t v;
	int err = scaled ? xt_parse_scaled(s, min, max, &v) : xt_parse_u64(s, min, max, &v);

	if (err)
		xt_usage_error(prog, "%s '%s': %s (%llu..%llu)", opt, s,
			       err == -ERANGE ? "out of range" : "not a number",
			       (unsigned long long)min, (unsigned long long)max);
	return v;
}

uint64_t xt_opt_pow2(const char *prog, const char *opt, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v = xt_opt_u64(prog, opt, s, min, max, false);

	if (v & (v - 1))
		xt_usage_error(prog, "%s '%s': not a power of two (%llu..%llu)", opt, s,
			       (unsigned long long)min, (unsigned long long)max);
	return v;
}

void xt_bad_option(const char *prog, char *const argv[], int c)
{
	if (c == ':')
		xt_usage_error(prog, "option %s needs a value", argv[optind - 1]);
	if (optopt)
		xt_usage_error(prog, "unknown option '-%c'", optopt);
	xt_usage_error(prog, "unknown option '%s'", argv[optind - 1]);
}

uint64_t xt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
