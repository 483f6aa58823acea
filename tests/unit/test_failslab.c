/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for allocator fault injection (xskb_fault_inject, XSKB_FAILSLAB):
 * the allocator's own set-up fails cleanly at every point, and a receive
 * queue under injected failures drops as nomem, leaks nothing and recovers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <xskb/napi.h>
#include <xskb/replay.h>
#include <xskb/skbuff.h>
#include <xskb/slab.h>

#include "test_helpers.h"

static void inject(const struct xskb_fault_opts *o)
{
	assert_int_equal(xskb_fault_inject(o), 0);
}

static struct xskb_fault_stats fault_stats(void)
{
	struct xskb_fault_stats st;

	assert_int_equal(xskb_fault_stats(&st), 0);
	return st;
}

/* Messages are expected here: keep the last ones for the assertions. */
static char printed[2048];

static int capture_print(enum xskb_print_level level, const char *fmt, va_list ap)
{
	size_t len = strlen(printed);

	(void)level;
	if (len > sizeof(printed) / 2)
		len = 0, printed[0] = '\0';
	return vsnprintf(printed + len, sizeof(printed) - len, fmt, ap);
}

static int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int c, n = 0;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Valgrind's and ASan's heaps map memory of their own for calloc(). */
static bool own_heap_maps(void)
{
	const char *p = getenv("LD_PRELOAD");

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
	return true;
#endif
#endif
	return p && strstr(p, "vgpreload");
}

/*
 * Run @fn(@arg) in a child forked now: these tests run before the parent
 * ever allocates, so every child starts with the allocator not yet set up.
 * Returns the child's exit status.
 */
static int in_fresh_child(int (*fn)(long), long arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

#define CHILD_DONE	10	/* nothing was injected: every failure point passed */
#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s failed (nth %ld): %s\n", __FILE__, \
				__LINE__, #cond, nth, printed);		\
			return 1;					\
		}							\
	} while (0)

/* The first allocation, with its @nth eligible call failed. */
static int first_alloc_fails_nth(long nth)
{
	XSKB_OPTS(xskb_fault_opts, o, .nth = (unsigned long)nth);
	struct xskb_fault_stats st;
	int maps;
	void *p;

	xskb_set_print(capture_print);
	maps = count_maps();
	inject(&o);
	p = kmalloc(64, GFP_KERNEL);
	st = fault_stats();
	inject(NULL);
	if (!st.injected) {
		CHECK(p != NULL);
		kfree(p);
		return CHILD_DONE;
	}
	if (p) {		/* a failure the set-up tolerates (pool pre-fill) */
		kfree(p);
		return 0;
	}
	if (!strstr(printed, "allocation failed")) {
		/* Set-up failed: said what, returned NULL, left nothing mapped. */
		CHECK(strstr(printed, "cannot") != NULL);
		if (nth == 1)
			CHECK(strstr(printed, "chunk map") != NULL);
		if (!own_heap_maps())
			CHECK(count_maps() == maps);
	}
	/* ... and the next allocation sets up again and succeeds. */
	p = kmalloc(64, GFP_KERNEL);
	CHECK(p != NULL);
	kfree(p);
	CHECK(kmalloc(200000, GFP_KERNEL) != NULL);
	return 0;
}

/*
 * Regression: the allocator aborted when its set-up failed (chunk map mmap,
 * kmalloc cache creation). Every failure point, in turn, now fails the
 * first allocation with NULL, is undone and printed, and a retry works.
 */
static void test_setup_every_failure_point(void **state)
{
	long nth;
	int rc = 0;

	(void)state;
	for (nth = 1; nth < 200 && (rc = in_fresh_child(first_alloc_fails_nth, nth)) == 0; nth++)
		;
	assert_int_equal(rc, CHILD_DONE);
	/* The chunk map, the pool pre-fill, the 17 kmalloc caches, at least. */
	assert_true(nth > 19);
}

/* The first queue, with its set-up's @nth eligible allocation failed. */
static int first_queue_fails_nth(long nth)
{
	unsigned char pkt[60] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0 };
	struct xskb_replay_pkt tpl = { .data = pkt, .len = sizeof(pkt) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &tpl, .nr_pkts = 1, .limit = 10);
	XSKB_OPTS(xskb_umem_opts, uo, .frame_count = 256);
	XSKB_OPTS(xskb_fault_opts, o, .nth = (unsigned long)nth);
	struct sk_buff_head got;
	struct xskb_umem *u;
	struct xskb_queue *q = NULL;
	unsigned long injected;
	int rc;

	xskb_set_print(capture_print);
	__skb_queue_head_init(&got);
	if (xskb_umem__create(&u, -1, &uo))
		return 2;
	inject(&o);
	rc = xskb_replay__create(&q, u, NULL, &ro);
	injected = fault_stats().injected;
	inject(NULL);
	CHECK(rc == 0 || rc == -ENOMEM);
	if (!injected) {
		CHECK(rc == 0);
		xskb_queue__destroy(q);
		xskb_umem__delete(u);
		return CHILD_DONE;
	}
	if (rc) {		/* failed, said so, left nothing: a retry works */
		CHECK(q == NULL && printed[0]);
		CHECK(xskb_replay__create(&q, u, NULL, &ro) == 0);
	}
	/* Every packet delivered, or dropped as nomem while the reserve an
	 * injected failure emptied is refilled. */
	CHECK(xskb_queue__receive(q, &got, 64) == 10);
	{
		struct xskb_queue_stats st;

		CHECK(xskb_queue__stats(q, &st) == 0);
		CHECK(skb_queue_len(&got) + st.drops[XSKB_DROP_NOMEM] == 10);
	}
	__skb_queue_purge(&got);
	CHECK(xskb_queue__destroy(q) == 0);
	CHECK(xskb_umem__delete(u) == 0);
	return 0;
}

/*
 * Regression: creating the sk_buff caches (the first queue, or the first
 * poll) aborted the process when an allocation failed (SLAB_PANIC). Every
 * failure point now makes the set-up return -ENOMEM with a message, and the
 * next try works.
 */
static void test_skb_setup_every_failure_point(void **state)
{
	long nth;
	int rc = 0;

	(void)state;
	for (nth = 1; nth < 400 && (rc = in_fresh_child(first_queue_fails_nth, nth)) == 0; nth++)
		;
	assert_int_equal(rc, CHILD_DONE);
}

static int env_case(long which)
{
	static const char *const env[] = {
		"nth=1", "rate=200", "rate=100,sites=slab,atomic=1", "nth=2,sites=page,after=0,seed=3",
	};
	struct xskb_fault_stats st;
	long nth = which;
	void *p;

	xskb_set_print(capture_print);
	setenv("XSKB_FAILSLAB", env[which], 1);
	p = kmalloc(64, GFP_KERNEL);
	st = fault_stats();
	switch (which) {
	case 0:		/* the chunk map: set-up fails once, then works */
		CHECK(!p && st.injected == 1 && strstr(printed, "chunk map"));
		p = kmalloc(64, GFP_KERNEL);
		CHECK(p != NULL);
		break;
	case 1:		/* refused with a message, nothing injected */
		CHECK(p && st.calls == 0 && strstr(printed, "XSKB_FAILSLAB=rate=200 ignored"));
		break;
	case 2:		/* sleeping allocations pass, atomic ones fail */
		CHECK(p && st.injected == 0);
		CHECK(kmalloc(128, GFP_ATOMIC) == NULL);
		CHECK(fault_stats().injected == 1);
		break;
	case 3:		/* the pool pre-fill fails: tolerated, page site only */
		CHECK(p && st.injected == 1);
		break;
	}
	kfree(p);
	return 0;
}

/* XSKB_FAILSLAB is read once, when the allocator sets itself up. */
static void test_env(void **state)
{
	(void)state;
	for (long i = 0; i < 4; i++)
		assert_int_equal(in_fresh_child(env_case, i), 0);
}

/* ---- the API, after set-up --------------------------------------------------- */

static void test_opts_invalid(void **state)
{
	XSKB_OPTS(xskb_fault_opts, rate, .rate = 101);
	XSKB_OPTS(xskb_fault_opts, sites, .rate = 1, .sites = 0x8);
	struct xskb_fault_opts small = { .sz = 2 };
	(void)state;

	xskb_set_print(capture_print);
	assert_int_equal(xskb_fault_inject(&rate), -EINVAL);
	assert_int_equal(xskb_fault_inject(&sites), -EINVAL);
	assert_int_equal(xskb_fault_inject(&small), -EINVAL);
	assert_int_equal(xskb_fault_stats(NULL), -EINVAL);
	assert_int_equal(xskb_fault_inject(NULL), 0);
}

static void test_cache_create_fails(void **state)
{
	XSKB_OPTS(xskb_fault_opts, o, .nth = 1, .sites = XSKB_FAULT_SLAB);
	struct kmem_cache *s;
	(void)state;

	assert_non_null(xskb_skbuff_cache());	/* set up before arming */
	inject(&o);
	errno = 0;
	assert_null(kmem_cache_create("failslab", 64, 0, 0, NULL));
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(fault_stats().injected, 1);
	s = kmem_cache_create("failslab", 64, 0, 0, NULL);	/* nth fires once */
	assert_non_null(s);
	inject(NULL);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
}

/* The pattern of failures of @n kmalloc(64) calls under @o; frees them. */
static void pattern(const struct xskb_fault_opts *o, bool *failed, unsigned int n)
{
	void **p = calloc(n, sizeof(*p));

	assert_non_null(p);
	inject(o);
	for (unsigned int i = 0; i < n; i++) {
		p[i] = kmalloc(64, GFP_KERNEL);
		failed[i] = !p[i];
	}
	inject(NULL);
	for (unsigned int i = 0; i < n; i++)
		kfree(p[i]);
	free(p);
}

static void test_rate_nth_after_times(void **state)
{
	enum { N = 1000 };
	static bool a[N], b[N];
	XSKB_OPTS(xskb_fault_opts, rate, .rate = 30, .seed = 7, .sites = XSKB_FAULT_SLAB);
	XSKB_OPTS(xskb_fault_opts, rate2, .rate = 30, .seed = 8, .sites = XSKB_FAULT_SLAB);
	XSKB_OPTS(xskb_fault_opts, nth, .nth = 5, .after = 10, .sites = XSKB_FAULT_SLAB);
	XSKB_OPTS(xskb_fault_opts, times, .rate = 100, .times = 3, .sites = XSKB_FAULT_SLAB);
	unsigned int fails = 0;
	(void)state;

	xskb_set_print(capture_print);
	pattern(&rate, a, N);
	for (unsigned int i = 0; i < N; i++)
		fails += a[i];
	assert_in_range(fails, 200, 400);
	pattern(&rate, b, N);
	assert_memory_equal(a, b, sizeof(a));	/* same seed, same failures */
	pattern(&rate2, b, N);
	assert_memory_not_equal(a, b, sizeof(a));

	pattern(&nth, a, 40);
	for (unsigned int i = 0; i < 40; i++)
		assert_int_equal(a[i], i == 14);
	pattern(&times, a, 10);
	for (unsigned int i = 0; i < 10; i++)
		assert_int_equal(a[i], i < 3);
	assert_true(strstr(printed, "kmalloc-64 allocation failed") != NULL);
}

/* The kmalloc and kmem_cache fast paths step aside while armed. */
static void test_fast_paths_fail(void **state)
{
	XSKB_OPTS(xskb_fault_opts, o, .rate = 100, .sites = XSKB_FAULT_SLAB);
	struct kmem_cache *c = xskb_skbuff_cache();
	void *p = kmalloc(64, GFP_ATOMIC), *s = kmem_cache_alloc(c, GFP_ATOMIC);
	(void)state;

	/* Freed into this thread's magazines: the next pops would be lock-free. */
	assert_non_null(p);
	assert_non_null(s);
	kfree(p);
	kmem_cache_free(c, s);
	inject(&o);
	assert_null(kmalloc(64, GFP_ATOMIC));
	assert_null(kmem_cache_alloc(c, GFP_ATOMIC));
	assert_null(alloc_skb(100, GFP_ATOMIC));
	p = kmalloc(200000, GFP_KERNEL);	/* mapped: an XSKB_FAULT_PAGE site */
	assert_non_null(p);
	kfree(p);
	inject(NULL);
	p = kmalloc(64, GFP_ATOMIC);
	assert_non_null(p);
	kfree(p);
}

/* kvmalloc: heap memory for set-up arrays, failing under injection. */
static void test_kvmalloc(void **state)
{
	XSKB_OPTS(xskb_fault_opts, o, .nth = 1, .sites = XSKB_FAULT_SLAB);
	unsigned int *a = kvcalloc(1000, sizeof(*a), GFP_KERNEL);
	void *k = kmalloc(100, GFP_KERNEL);
	(void)state;

	assert_non_null(a);
	for (unsigned int i = 0; i < 1000; i++)
		assert_int_equal(a[i], 0);
	kvfree(a);
	kvfree(k);			/* kmalloc() memory goes back to its slab */
	kvfree(NULL);
	assert_ptr_equal(kvmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_null(kvmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	inject(&o);
	assert_null(kvzalloc(64, GFP_KERNEL));
	a = kvmalloc(64, GFP_KERNEL);	/* nth fires once */
	assert_non_null(a);
	inject(NULL);
	kvfree(a);
}

/* ---- a receive queue under injected failures ------------------------------- */

struct rx {
	struct xskb_umem *u;
	struct xskb_queue *q;
	struct sk_buff_head got;
	unsigned char pkt[60];
};

static void rx_setup(struct rx *r, unsigned int copybreak, unsigned long long limit)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_size = 2048, .frame_count = 1024);
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 256, .fill_size = 512, .copybreak = copybreak);
	struct xskb_replay_pkt tpl = { .data = r->pkt, .len = sizeof(r->pkt) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &tpl, .nr_pkts = 1, .limit = limit);

	memset(r->pkt, 0x11, sizeof(r->pkt));
	memcpy(r->pkt, "\x02\0\0\0\0\x02" "\x02\0\0\0\0\x01" "\x08\x00", 14);
	__skb_queue_head_init(&r->got);
	assert_int_equal(xskb_umem__create(&r->u, -1, &uo), 0);
	assert_int_equal(xskb_replay__create(&r->q, r->u, &qo, &ro), 0);
}

static struct xskb_queue_stats rx_stats(struct rx *r)
{
	struct xskb_queue_stats st;

	assert_int_equal(xskb_queue__stats(r->q, &st), 0);
	return st;
}

/* Frames held by sk_buffs, after checking the UMEM's accounting. */
static unsigned int held(struct xskb_umem *u)
{
	struct xskb_frame_stats st;

	assert_int_equal(xskb_umem__check(u), 0);
	assert_int_equal(xskb_umem__frame_stats(u, &st), 0);
	assert_int_equal(st.free + st.held + st.fill, st.frames);
	return st.held;
}

/* No frame held or posted: nothing leaked, nothing left in a ring. */
static bool all_free(struct xskb_umem *u)
{
	struct xskb_frame_stats st;

	assert_int_equal(held(u), 0);
	assert_int_equal(xskb_umem__frame_stats(u, &st), 0);
	return st.free == st.frames;
}

static void rx_teardown(struct rx *r)
{
	__skb_queue_purge(&r->got);
	assert_int_equal(held(r->u), 0);
	assert_int_equal(xskb_queue__destroy(r->q), 0);
	assert_true(all_free(r->u));
	assert_int_equal(xskb_umem__delete(r->u), 0);
}

/*
 * Receive @n packets keeping every skb (so the hot magazine runs dry and
 * must be refilled from the slab); frees them every @keep packets.
 */
static void receive(struct rx *r, unsigned int n, unsigned int keep)
{
	unsigned int done = 0;

	while (done < n) {
		int got = xskb_queue__receive(r->q, &r->got, 64);

		assert_true(got > 0);
		done += (unsigned int)got;
		assert_int_equal(xskb_umem__check(r->u), 0);
		if (skb_queue_len(&r->got) >= keep)
			__skb_queue_purge(&r->got);
	}
}

static void nomem_and_recovery(unsigned int copybreak)
{
	XSKB_OPTS(xskb_fault_opts, o, .rate = 50, .seed = 1, .sites = XSKB_FAULT_SLAB);
	struct xskb_queue_stats a, b, c;
	struct xskb_fault_stats fs;
	struct rx r;

	xskb_set_print(capture_print);
	rx_setup(&r, copybreak, 0);
	receive(&r, 512, 400);		/* the skb caches are set up, warm */
	a = rx_stats(&r);
	assert_int_equal(a.drops[XSKB_DROP_NOMEM], 0);

	inject(&o);
	receive(&r, 4096, 400);
	fs = fault_stats();
	inject(NULL);
	b = rx_stats(&r);
	assert_true(fs.injected > 0);
	assert_true(b.drops[XSKB_DROP_NOMEM] > 0);
	/* Every descriptor is either delivered or a nomem drop. */
	assert_int_equal(b.rx_descs - a.rx_descs,
			 b.rx_packets - a.rx_packets + b.drops[XSKB_DROP_NOMEM]);
	/* Dropped frames went back: only the kept skbs hold frames. */
	assert_int_equal(held(r.u), copybreak ? 0 : skb_queue_len(&r.got));

	/* Allocations succeed again: so does receiving. */
	receive(&r, 2048, 400);
	c = rx_stats(&r);
	assert_int_equal(c.drops[XSKB_DROP_NOMEM], b.drops[XSKB_DROP_NOMEM]);
	assert_int_equal(c.rx_packets - b.rx_packets, c.rx_descs - b.rx_descs);
	assert_true(c.rx_packets - b.rx_packets >= 2048);
	rx_teardown(&r);
}

/* In place: the skb head cache's refill fails. */
static void test_rx_nomem_in_place(void **state)
{
	(void)state;
	nomem_and_recovery(0);
}

/* Copybreak: every packet's kmalloc()ed head may fail too. */
static void test_rx_nomem_copybreak(void **state)
{
	(void)state;
	nomem_and_recovery(128);
}

/*
 * Queue set-up under injection: walk every failure point of
 * xskb_umem__create() and xskb_replay__create() (their allocations through
 * kvmalloc/kmalloc, and whatever calls xskb_should_failslab()). Each one
 * fails with -ENOMEM and leaves nothing behind (valgrind checks the heap, the
 * UMEM its frames), until a run where nothing was injected succeeds.
 */
static void test_setup_under_injection(void **state)
{
	unsigned char pkt[60] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0 };
	struct xskb_replay_pkt tpl = { .data = pkt, .len = sizeof(pkt) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &tpl, .nr_pkts = 1);
	XSKB_OPTS(xskb_umem_opts, uo, .frame_count = 256);
	struct xskb_umem *u, *shared;
	struct xskb_queue *q;
	unsigned long nth;
	int rc;
	(void)state;

	xskb_set_print(capture_print);
	for (nth = 1;; nth++) {
		XSKB_OPTS(xskb_fault_opts, o, .nth = nth);

		inject(&o);
		rc = xskb_umem__create(&u, -1, &uo);
		if (!fault_stats().injected) {
			inject(NULL);
			assert_int_equal(rc, 0);
			assert_int_equal(xskb_umem__delete(u), 0);
			break;
		}
		inject(NULL);
		if (rc == 0) {		/* a tolerated failure */
			assert_int_equal(xskb_umem__delete(u), 0);
			continue;
		}
		assert_int_equal(rc, -ENOMEM);
		assert_null(u);
	}

	assert_int_equal(xskb_umem__create(&shared, -1, &uo), 0);
	for (nth = 1;; nth++) {
		XSKB_OPTS(xskb_fault_opts, o, .nth = nth);
		inject(&o);
		rc = xskb_replay__create(&q, shared, NULL, &ro);
		if (!fault_stats().injected) {
			inject(NULL);
			assert_int_equal(rc, 0);
			assert_int_equal(xskb_queue__destroy(q), 0);
			break;
		}
		inject(NULL);
		if (rc == 0) {
			assert_int_equal(xskb_queue__destroy(q), 0);
			continue;
		}
		assert_int_equal(rc, -ENOMEM);
		assert_null(q);
		assert_true(all_free(shared));
	}
	assert_int_equal(xskb_umem__delete(shared), 0);
}

int main(void)
{
	/* The first three need an allocator that is not set up yet: keep them
	 * first, before anything in this process allocates from it. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_every_failure_point),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_skb_setup_every_failure_point),
		cmocka_unit_test(test_opts_invalid),
		cmocka_unit_test(test_cache_create_fails),
		cmocka_unit_test(test_rate_nth_after_times),
		cmocka_unit_test(test_fast_paths_fail),
		cmocka_unit_test(test_kvmalloc),
		cmocka_unit_test(test_rx_nomem_in_place),
		cmocka_unit_test(test_rx_nomem_copybreak),
		cmocka_unit_test(test_setup_under_injection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
