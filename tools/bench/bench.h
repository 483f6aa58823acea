/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared pieces of xskb-bench: timing, medians, option parsing helpers. */
#ifndef XSKB_BENCH_H
#define XSKB_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double bench_median(double *v, int n);
/* Parse a positive integer option value; exits with a message on error. */
unsigned long bench_parse_ulong(const char *opt, const char *val, unsigned long min,
				unsigned long max);

int bench_micro(int argc, char **argv);
int bench_replay(int argc, char **argv);
int bench_replay_fwd(int argc, char **argv);

#endif
