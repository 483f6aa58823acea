/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-bench: benchmarks for xskb. Each mode measures xskb against a
 * baseline in the same run and reports medians and ratios.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xskb-bench MODE [options]\n"
		"\n"
		"modes:\n"
		"  micro    ns/op of skb and allocator operations vs glibc malloc/free\n"
		"  replay   Mpps of the receive path on a memory-backed queue (no kernel)\n"
		"  replay-fwd  Mpps forwarded on a memory-backed queue: receive, rewrite, transmit\n"
		"\n"
		"Run 'xskb-bench MODE --help' for the options of a mode.\n");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

unsigned long bench_parse_ulong(const char *opt, const char *val, unsigned long min,
				unsigned long max)
{
	char *end;
	unsigned long v;

	if (!val || !*val) {
		fprintf(stderr, "xskb-bench: %s needs a value\n", opt);
		exit(2);
	}
	errno = 0;
	v = strtoul(val, &end, 0);
	if (errno || *end || v < min || v > max || val[0] == '-') {
		fprintf(stderr, "xskb-bench: %s: '%s' is not a number in %lu..%lu\n", opt, val,
			min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "micro"))
		return bench_micro(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return bench_replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay-fwd"))
		return bench_replay_fwd(argc - 1, argv + 1);
	fprintf(stderr, "xskb-bench: unknown mode '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
