/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-bench micro: ns/op of skb operations and of kmalloc/kfree per size
 * class against glibc malloc/free, on one thread and across two threads
 * (one allocates, the other frees). Contenders alternate inside every run;
 * the figures are medians over runs.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xskb/skbuff.h>

#include "bench.h"

#define BATCH		32
#define NSIZES		4096		/* mixed-size pattern length (power of two) */
#define RING		1024
#define MAX_RUNS	101

enum { XSKB, GLIBC, NCONT };

struct result {
	char name[48];
	int threads;
	double ns[NCONT];	/* median; 0: no such contender */
};

static struct {
	unsigned long iters;	/* operations per measurement, one thread */
	unsigned long iters_2t;
	int runs;
	bool json, markdown;
	size_t mixed[NSIZES];
	struct result res[64];
	int nres;
} B;

/* GFP_KERNEL: like malloc, it may map memory when its caches run dry. */
static void *k_alloc(size_t n) { return kmalloc(n, GFP_KERNEL); }
static void k_free(void *p) { kfree(p); }
static void *g_alloc(size_t n) { return malloc(n); }
static void g_free(void *p) { free(p); }

static void oom(void)
{
	fprintf(stderr, "xskb-bench: allocation failed\n");
	exit(1);
}

/* Batches of BATCH allocations, each touched, then BATCH frees. The
 * function pointers are constants at every call site, so both contenders are
 * inlined the same way. */
static inline __attribute__((always_inline)) double
alloc_free_1t(void *(*al)(size_t), void (*fr)(void *), const size_t *sizes, size_t mask)
{
	void *p[BATCH];
	uint64_t t0 = bench_now_ns();

	for (unsigned long it = 0; it < B.iters; it += BATCH) {
		for (int i = 0; i < BATCH; i++) {
			p[i] = al(sizes[(it + (unsigned long)i) & mask]);
			if (!p[i])
				oom();
			*(volatile char *)p[i] = (char)i;
		}
		for (int i = 0; i < BATCH; i++)
			fr(p[i]);
	}
	return (double)(bench_now_ns() - t0) / (double)B.iters;
}

/* Single-producer single-consumer ring: the producer allocates, the consumer
 * frees, so every free is a cross-thread free. */
struct spsc {
	void *slot[RING];
	unsigned long head __attribute__((aligned(64)));
	unsigned long tail __attribute__((aligned(64)));
	unsigned long total;
	void (*fr)(void *);
};

static void *spsc_consumer(void *arg)
{
	struct spsc *r = arg;

	for (unsigned long t = 0; t < r->total; t++) {
		while (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) == t)
			xskb_cpu_relax();
		r->fr(r->slot[t % RING]);
		__atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static double alloc_free_2t(void *(*al)(size_t), void (*fr)(void *), const size_t *sizes,
			    size_t mask)
{
	static struct spsc r;
	pthread_t t;
	uint64_t t0;

	memset(&r, 0, sizeof(r));
	r.total = B.iters_2t;
	r.fr = fr;
	t0 = bench_now_ns();
	if (pthread_create(&t, NULL, spsc_consumer, &r)) {
		perror("xskb-bench: pthread_create");
		exit(1);
	}
	for (unsigned long h = 0; h < r.total; h++) {
		void *p;

		while (h - __atomic_load_n(&r.tail, __ATOMIC_ACQUIRE) >= RING)
			xskb_cpu_relax();
		p = al(sizes[h & mask]);
		if (!p)
			oom();
		*(volatile char *)p = 1;
		r.slot[h % RING] = p;
		__atomic_store_n(&r.head, h + 1, __ATOMIC_RELEASE);
	}
	pthread_join(t, NULL);
	return (double)(bench_now_ns() - t0) / (double)r.total;
}

/* ---- skb cases ------------------------------------------------------------ */

static double skb_alloc_free(void)
{
	uint64_t t0 = bench_now_ns();

	for (unsigned long i = 0; i < B.iters; i++) {
		struct sk_buff *skb = alloc_skb(256, GFP_ATOMIC);

		if (!skb)
			oom();
		skb_put(skb, 64);
		kfree_skb(skb);
	}
	return (double)(bench_now_ns() - t0) / (double)B.iters;
}

static double skb_napi_alloc_consume(void)
{
	static struct net_device dev = { .name = "bench" };
	struct napi_struct napi = { .dev = &dev };
	uint64_t t0 = bench_now_ns();

	for (unsigned long i = 0; i < B.iters; i++) {
		struct sk_buff *skb = napi_alloc_skb(&napi, 256);

		if (!skb)
			oom();
		skb_put(skb, 64);
		napi_consume_skb(skb, 64);
	}
	return (double)(bench_now_ns() - t0) / (double)B.iters;
}

static double skb_clone_free_common(struct sk_buff *base)
{
	uint64_t t0 = bench_now_ns();

	for (unsigned long i = 0; i < B.iters; i++) {
		struct sk_buff *c = skb_clone(base, GFP_ATOMIC);

		if (!c)
			oom();
		kfree_skb(c);
	}
	return (double)(bench_now_ns() - t0) / (double)B.iters;
}

static double skb_clone_free(void)
{
	struct sk_buff *base = alloc_skb(1500, GFP_KERNEL);
	double ns;

	skb_put(base, 1500);
	ns = skb_clone_free_common(base);
	kfree_skb(base);
	return ns;
}

static double skb_fclone_clone_free(void)
{
	struct sk_buff *base = alloc_skb_fclone(1500, GFP_KERNEL);
	double ns;

	skb_put(base, 1500);
	ns = skb_clone_free_common(base);
	kfree_skb(base);
	return ns;
}

/* ---- driver ------------------------------------------------------------------ */

typedef double (*measure_fn)(int contender, const void *arg);

static void record(const char *name, int threads, measure_fn fn, const void *arg, bool baseline)
{
	double v[NCONT][MAX_RUNS];
	struct result *r = &B.res[B.nres++];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->threads = threads;
	for (int run = 0; run < B.runs; run++) {
		/* Alternate which contender goes first. */
		for (int k = 0; k < NCONT; k++) {
			int c = (run + k) % NCONT;

			if (c == GLIBC && !baseline)
				continue;
			v[c][run] = fn(c, arg);
		}
	}
	r->ns[XSKB] = bench_median(v[XSKB], B.runs);
	r->ns[GLIBC] = baseline ? bench_median(v[GLIBC], B.runs) : 0;
	if (!B.json && !B.markdown) {
		printf("%-34s %2d %10.1f", r->name, threads, r->ns[XSKB]);
		if (baseline)
			printf(" %10.1f %8.2fx", r->ns[GLIBC], r->ns[GLIBC] / r->ns[XSKB]);
		printf("\n");
		fflush(stdout);
	}
}

struct size_arg {
	const size_t *sizes;
	size_t mask;
};

static double m_1t(int c, const void *arg)
{
	const struct size_arg *a = arg;

	return c == XSKB ? alloc_free_1t(k_alloc, k_free, a->sizes, a->mask)
			 : alloc_free_1t(g_alloc, g_free, a->sizes, a->mask);
}

static double m_2t(int c, const void *arg)
{
	const struct size_arg *a = arg;

	return c == XSKB ? alloc_free_2t(k_alloc, k_free, a->sizes, a->mask)
			 : alloc_free_2t(g_alloc, g_free, a->sizes, a->mask);
}

static double m_skb(int c, const void *arg)
{
	(void)c;
	return ((double (*)(void))arg)();
}

static void print_results(void)
{
	if (B.json) {
		printf("{\"mode\":\"micro\",\"runs\":%d,\"iterations\":%lu,\"iterations_2t\":%lu,"
		       "\"results\":[", B.runs, B.iters, B.iters_2t);
		for (int i = 0; i < B.nres; i++) {
			struct result *r = &B.res[i];

			printf("%s{\"case\":\"%s\",\"threads\":%d,\"xskb_ns\":%.2f", i ? "," : "",
			       r->name, r->threads, r->ns[XSKB]);
			if (r->ns[GLIBC])
				printf(",\"glibc_ns\":%.2f,\"glibc_over_xskb\":%.3f", r->ns[GLIBC],
				       r->ns[GLIBC] / r->ns[XSKB]);
			printf("}");
		}
		printf("]}\n");
	} else if (B.markdown) {
		printf("| operation | threads | xskb ns/op | glibc ns/op | glibc / xskb |\n");
		printf("|---|---:|---:|---:|---:|\n");
		for (int i = 0; i < B.nres; i++) {
			struct result *r = &B.res[i];

			if (r->ns[GLIBC])
				printf("| %s | %d | %.1f | %.1f | %.2f |\n", r->name, r->threads,
				       r->ns[XSKB], r->ns[GLIBC], r->ns[GLIBC] / r->ns[XSKB]);
			else
				printf("| %s | %d | %.1f | | |\n", r->name, r->threads, r->ns[XSKB]);
		}
	}
}

static void micro_usage(FILE *f)
{
	fprintf(f,
		"usage: xskb-bench micro [--runs N] [--iterations N] [--quick] [--json|--markdown]\n"
		"\n"
		"ns per operation for alloc_skb+kfree_skb, napi_alloc_skb+consume_skb,\n"
		"skb_clone+kfree_skb, and kmalloc/kfree per size class against glibc\n"
		"malloc/free in the same run (one thread: batches of %d allocations then\n"
		"frees; two threads: one allocates, the other frees). Medians over runs.\n"
		"\n"
		"  --runs N        runs per case, median taken (default 5, odd is best)\n"
		"  --iterations N  operations per run on one thread (default 1000000;\n"
		"                  two-thread cases use a fifth)\n"
		"  --quick         --runs 3 --iterations 200000\n"
		"  --json          one JSON object on stdout\n"
		"  --markdown      a Markdown table for docs/benchmarks.md\n",
		BATCH);
}

int bench_micro(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "quick", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "markdown", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const unsigned int classes[] = {
		8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
		8192, 16384, 32768, 65536, 131072,
	};
	int c;

	B.runs = 5;
	B.iters = 1000000;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': B.runs = (int)bench_parse_ulong("--runs", optarg, 1, MAX_RUNS); break;
		case 'n': B.iters = bench_parse_ulong("--iterations", optarg, BATCH, 1ul << 34); break;
		case 'q': B.runs = 3; B.iters = 200000; break;
		case 'j': B.json = true; break;
		case 'm': B.markdown = true; break;
		case 'h': micro_usage(stdout); return 0;
		default: micro_usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xskb-bench micro: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	B.iters = B.iters / BATCH * BATCH;
	B.iters_2t = B.iters / 5;

	/* Mixed sizes, 64..2048, from a fixed xorshift sequence. */
	uint32_t x = 2463534242u;
	for (int i = 0; i < NSIZES; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		B.mixed[i] = 64 + x % (2048 - 64 + 1);
	}
	/* Warm both allocators (first-touch page faults are not what we measure). */
	B.iters_2t = B.iters / 5;
	{
		struct size_arg warm = { B.mixed, NSIZES - 1 };

		m_1t(XSKB, &warm);
		m_1t(GLIBC, &warm);
	}
	if (!B.json && !B.markdown)
		printf("%-34s %2s %10s %10s %9s\n", "# operation", "t", "xskb ns", "glibc ns",
		       "glibc/xskb");

	record("alloc_skb+kfree_skb (256 B)", 1, m_skb, (const void *)skb_alloc_free, false);
	record("napi_alloc_skb+napi_consume_skb", 1, m_skb, (const void *)skb_napi_alloc_consume,
	       false);
	record("skb_clone+kfree_skb", 1, m_skb, (const void *)skb_clone_free, false);
	record("skb_clone+kfree_skb (fclone)", 1, m_skb, (const void *)skb_fclone_clone_free,
	       false);
	for (int threads = 1; threads <= 2; threads++) {
		static size_t fixed[sizeof(classes) / sizeof(classes[0])][1];
		struct size_arg mixed = { B.mixed, NSIZES - 1 };

		for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
			struct size_arg a = { fixed[i], 0 };
			char name[48];

			fixed[i][0] = classes[i];
			snprintf(name, sizeof(name), "kmalloc/kfree %u B", classes[i]);
			record(name, threads, threads == 1 ? m_1t : m_2t, &a, true);
		}
		record("kmalloc/kfree mixed 64-2048 B", threads, threads == 1 ? m_1t : m_2t, &mixed,
		       true);
	}
	print_results();
	return 0;
}
