/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the small forwarding-benchmark tools (xskb-sink, xskb-krelay,
 * xskb-udpload) share: the start (namespace, CPU, signals), parsing
 * "IP:PORT" / "[IPv6]:PORT". One translation unit per tool.
 */
#ifndef XSKB_BENCH_TOOL_H
#define XSKB_BENCH_TOOL_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

/* "198.18.1.2:9000" or "[fd78:736b:6200:1::2]:9000" into @ss; 0 or -EINVAL. */
static inline int udp_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon, *h = s;
	size_t hl;
	uint64_t port;

	memset(ss, 0, sizeof(*ss));
	if (!s || !(colon = strrchr(s, ':')))
		return -EINVAL;
	hl = (size_t)(colon - s);
	if (*s == '[') {
		if (hl < 3 || s[hl - 1] != ']')
			return -EINVAL;
		h = s + 1;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host) || xt_parse_u64(colon + 1, 1, 65535, &port))
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (*s != '[') {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -EINVAL;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -EINVAL;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
	}
	return 0;
}

/* Set by SIGINT/SIGTERM once bench_tool_start() ran. */
static volatile sig_atomic_t bench_stop;

static inline void bench_on_signal(int sig)
{
	bench_stop = sig;
}

/*
 * Enter network namespace @netns (NULL: stay), pin to @cpu (-1: do not),
 * catch SIGINT/SIGTERM into bench_stop (no SA_RESTART: a blocked call ends
 * at once). Prints why and returns -1 on failure, else 0.
 */
static inline int bench_tool_start(const char *prog, const char *netns, int cpu)
{
	struct sigaction sa;
	int err;

	if (netns && (err = xt_netns_enter(netns))) {
		fprintf(stderr, "%s: cannot enter network namespace %s: %s\n", prog, netns,
			strerror(-err));
		return -1;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "%s: cannot pin to CPU %d: %s\n", prog, cpu,
				strerror(errno));
			return -1;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bench_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return 0;
}

#endif
