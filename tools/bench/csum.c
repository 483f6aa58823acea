/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-csum-bench: ns per csum_partial() call of each implementation (a
 * plain 16-bit-word loop, portable C, x86-64 add-with-carry, AVX2, and the
 * dispatching xskb_csum_partial) on 64, 1500 and 9000 bytes, medians over
 * runs. --impl/--len run one pair, for instruction counts under callgrind
 * (tools/bench/csum_ir.sh).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xskb/checksum.h>

#include "bench.h"
#include "checksum_internal.h"

#define MAX_RUNS	101

/* The straightforward version: 16-bit words (assembled little endian, as
 * x86 loads them) into a 64-bit sum, folded once at the end. */
__attribute__((noinline)) static __wsum ref16_csum(const void *buff, int len, __wsum sum)
{
	const unsigned char *p = buff;
	uint64_t s = sum;

	for (int i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
	if (len & 1)
		s += p[len - 1];
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (__wsum)s;
}

static const struct impl {
	const char *name;
	__wsum (*fn)(const void *, int, __wsum);
} impls[] = {
	{ "ref16", ref16_csum },
	{ "generic", xskb_csum_partial_generic },
	{ "adc", xskb_csum_partial_adc },
	{ "avx2", xskb_csum_partial_avx2 },
	{ "csum_partial", xskb_csum_partial },
};
#define NIMPLS	(sizeof(impls) / sizeof(impls[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* ns per call of @fn over @iters calls on @buf. */
static double time_one(const struct impl *im, const unsigned char *buf, int len, unsigned long iters)
{
	volatile __wsum sink;
	__wsum acc = 0;
	uint64_t t0 = bench_now_ns();

	for (unsigned long i = 0; i < iters; i++)
		acc = im->fn(buf, len, acc);	/* chained: no call is dead */
	sink = acc;
	(void)sink;
	return (double)(bench_now_ns() - t0) / (double)iters;
}

static void usage(void);

static unsigned long num(const char *opt, const char *val, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(val, &end, 0);

	if (*end || val[0] == '-' || v > max) {
		fprintf(stderr, "xskb-csum-bench: %s: '%s' is not a number in 0..%lu\n", opt, val, max);
		usage();
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xskb-csum-bench [--len N] [--align A] [--iters N] [--runs N] [--impl NAME] [--json]\n"
		"  implementations: ref16 generic adc avx2 csum_partial; default lengths 64 1500 9000\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "len", required_argument, NULL, 'l' },   { "align", required_argument, NULL, 'a' },
		{ "iters", required_argument, NULL, 'n' }, { "runs", required_argument, NULL, 'r' },
		{ "impl", required_argument, NULL, 'i' },  { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int lens[3] = { 64, 1500, 9000 }, nlens = 3, align = 0, runs = 11, c;
	unsigned long iters = 0;
	const char *only = NULL;
	bool json = false, first = true;
	unsigned char *buf;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lens[0] = (int)num("--len", optarg, 1u << 20); nlens = 1; break;
		case 'a': align = (int)num("--align", optarg, 63); break;
		case 'n': iters = num("--iters", optarg, 1ul << 32); break;
		case 'r': runs = (int)num("--runs", optarg, MAX_RUNS); break;
		case 'i': only = optarg; break;
		case 'j': json = true; break;
		default: usage();
		}
	}
	if (runs < 1)
		usage();
	buf = aligned_alloc(64, (1u << 20) + 128);
	if (!buf)
		return 1;
	for (int i = 0; i < (1 << 20) + 128; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	if (!json)
		printf("csum_partial ns/call (median of %d runs, align %d, avx2 %s)\n%-14s", runs, align,
		       xskb_csum_have_avx2() ? "yes" : "no", "bytes");
	if (!json)
		for (int l = 0; l < nlens; l++)
			printf(" %10d", lens[l]);
	if (!json)
		printf("\n");
	if (json)
		printf("[");
	for (size_t k = 0; k < NIMPLS; k++) {
		const struct impl *im = &impls[k];

		if (only && strcmp(only, im->name))
			continue;
		if (!json)
			printf("%-14s", im->name);
		for (int l = 0; l < nlens; l++) {
			/* About 20 MB summed per run, at least 1000 calls. */
			unsigned long n = iters ? iters : 20000000ul / (unsigned long)(lens[l] + 64) + 1000;
			double v[MAX_RUNS];

			for (int r = 0; r < runs; r++)
				v[r] = time_one(im, buf + align, lens[l], n);
			qsort(v, (size_t)runs, sizeof(v[0]), cmp_double);
			if (json)
				printf("%s{\"impl\":\"%s\",\"len\":%d,\"ns\":%.2f}", first ? "" : ",",
				       im->name, lens[l], v[runs / 2]);
			else
				printf(" %10.1f", v[runs / 2]);
			first = false;
		}
		if (!json)
			printf("\n");
	}
	if (json)
		printf("]\n");
	free(buf);
	return 0;
}
