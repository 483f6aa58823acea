/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the slab allocator: size classes, alignment, constructors,
 * statistics, the GFP_ATOMIC reserve, cross-thread frees, misuse detection.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <numaif.h>
#include <pthread.h>
#include <stdint.h>
#include <xskb/slab.h>
#include <xskb/xsk.h>

#include "test_helpers.h"

static const struct xskb_slab_reserve default_reserve = {
	.min_chunks = 2, .low_chunks = 4, .high_chunks = 8, .background_refill = true,
};

static void test_size_classes(void **state)
{
	static const struct { size_t in, out; } cases[] = {
		{ 1, 8 }, { 8, 8 }, { 9, 16 }, { 16, 16 }, { 17, 32 }, { 33, 64 }, { 64, 64 },
		{ 65, 96 }, { 96, 96 }, { 97, 128 }, { 129, 192 }, { 192, 192 }, { 193, 256 },
		{ 257, 512 }, { 513, 1024 }, { 1025, 2048 }, { 2049, 4096 }, { 4097, 8192 },
		{ 8193, 16384 }, { 16385, 32768 }, { 32769, 65536 }, { 65537, 131072 },
		{ 131072, 131072 }, { 131073, 131072 + 4096 }, { 200000, 200704 },
	};
	(void)state;

	assert_int_equal(kmalloc_size_roundup(0), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *p;

		assert_int_equal(kmalloc_size_roundup(cases[i].in), cases[i].out);
		p = kmalloc(cases[i].in, GFP_KERNEL);
		assert_non_null(p);
		assert_int_equal(ksize(p), cases[i].out);
		memset(p, 0xab, ksize(p));	/* the whole class is usable */
		kfree(p);
	}
}

static void test_kmalloc_alignment(void **state)
{
	(void)state;
	/* Power-of-two classes are naturally aligned; others 8/32 bytes. */
	for (size_t sz = 8; sz <= KMALLOC_MAX_CACHE_SIZE; sz *= 2) {
		void *p[3];

		for (int i = 0; i < 3; i++) {
			p[i] = kmalloc(sz, GFP_KERNEL);
			assert_non_null(p[i]);
			assert_int_equal((uintptr_t)p[i] % sz, 0);
		}
		for (int i = 0; i < 3; i++)
			kfree(p[i]);
	}
	void *p96 = kmalloc(96, GFP_KERNEL), *p192 = kmalloc(150, GFP_KERNEL);

	assert_int_equal((uintptr_t)p96 % 32, 0);
	assert_int_equal((uintptr_t)p192 % 32, 0);
	kfree(p96);
	kfree(p192);
}

static void test_zero_size_and_null(void **state)
{
	(void)state;
	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_true(ZERO_OR_NULL_PTR(ZERO_SIZE_PTR));
	assert_true(ZERO_OR_NULL_PTR(NULL));
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	assert_int_equal(ksize(NULL), 0);
	assert_int_equal(ksize(ZERO_SIZE_PTR), 0);
	kmem_cache_free(NULL, NULL);	/* NULL object: no-op even without a cache */
	assert_int_equal(xskb_kmem_cache_destroy(NULL), 0);
}

static void test_kzalloc_and_array(void **state)
{
	unsigned char *p;
	(void)state;

	p = kmalloc(300, GFP_KERNEL);
	memset(p, 0xff, 300);
	kfree(p);
	p = kzalloc(300, GFP_KERNEL);	/* likely the same object: must come back zeroed */
	for (int i = 0; i < 512; i++)
		assert_int_equal(p[i], 0);
	kfree(p);
	assert_null(kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	p = kcalloc(10, 10, GFP_KERNEL);
	assert_non_null(p);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	kfree(p);
}

static void test_large(void **state)
{
	struct xskb_slab_pool_stats before, during, after;
	unsigned char *p;
	(void)state;

	assert_int_equal(xskb_slab_pool_stats(0, &before), 0);
	p = kmalloc(200000, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_int_equal(ksize(p), 200704);
	memset(p, 0x11, 200704);
	assert_int_equal(xskb_slab_pool_stats(0, &during), 0);
	assert_int_equal(during.large_mappings, before.large_mappings + 1);
	kfree(p);
	assert_int_equal(xskb_slab_pool_stats(0, &after), 0);
	assert_int_equal(after.large_mappings, before.large_mappings);
	/* Beyond the size classes an atomic caller gets nothing. */
	assert_null(kmalloc(200000, GFP_ATOMIC | __GFP_NOWARN));
}

static void test_create_invalid(void **state)
{
	(void)state;
	errno = 0;
	assert_null(kmem_cache_create("bad-size", 0, 0, 0, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(kmem_cache_create("bad-align", 64, 3, 0, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(kmem_cache_create("too-big", XSKB_SLAB_MAX_OBJECT + 1, 0, 0, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(kmem_cache_create("bad-flags", 64, 0, 0x80, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(kmem_cache_create(NULL, 64, 0, 0, NULL));
	assert_int_equal(errno, EINVAL);
}

static void test_cache_alignment_and_stats(void **state)
{
	struct xskb_slab_stats st;
	struct kmem_cache *s, *hw;
	void *objs[100];
	(void)state;

	s = kmem_cache_create("align256", 100, 256, 0, NULL);
	assert_non_null(s);
	assert_string_equal(xskb_kmem_cache_name(s), "align256");
	assert_int_equal(kmem_cache_size(s), 100);
	for (int i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
		assert_int_equal((uintptr_t)objs[i] % 256, 0);
	}
	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	assert_int_equal(st.object_size, 100);
	assert_int_equal(st.stride, 256);
	assert_int_equal(st.objects_in_use, 100);
	assert_int_equal(st.slabs, 1);
	assert_true(st.objects_per_slab >= 4000);
	for (int i = 0; i < 100; i++)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	assert_int_equal(st.objects_in_use, 0);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);

	hw = kmem_cache_create("hw", 24, 0, SLAB_HWCACHE_ALIGN, NULL);
	objs[0] = kmem_cache_alloc(hw, GFP_KERNEL);
	objs[1] = kmem_cache_alloc(hw, GFP_KERNEL);
	assert_int_equal((uintptr_t)objs[0] % 64, 0);
	assert_int_equal((uintptr_t)objs[1] % 64, 0);
	assert_int_equal(xskb_kmem_cache_stats(hw, &st), 0);
	assert_int_equal(st.stride, 64);
	kmem_cache_free(hw, objs[0]);
	kmem_cache_free(hw, objs[1]);
	assert_int_equal(xskb_kmem_cache_destroy(hw), 0);
}

static void test_destroy_busy(void **state)
{
	struct kmem_cache *s = kmem_cache_create("busy", 64, 0, 0, NULL);
	void *a = kmem_cache_alloc(s, GFP_KERNEL), *b = kmem_cache_alloc(s, GFP_KERNEL);
	struct xskb_slab_stats st;
	(void)state;

	kmem_cache_free(s, b);
	/* One object out: destroy refuses and leaves the cache usable. */
	assert_int_equal(xskb_kmem_cache_destroy(s), -EBUSY);
	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	assert_int_equal(st.objects_in_use, 1);
	kmem_cache_free(s, a);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
}

static int ctor_calls;
static void ctor_fn(void *obj)
{
	ctor_calls++;
	*(uint64_t *)obj = 0xc0ffee;
}

static void test_ctor(void **state)
{
	struct kmem_cache *s = kmem_cache_create("ctor", 48, 0, 0, ctor_fn);
	uint64_t *objs[10];
	struct xskb_slab_stats st;
	int carved;
	(void)state;

	ctor_calls = 0;
	for (int i = 0; i < 10; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_int_equal(*objs[i], 0xc0ffee);
	}
	/* The constructor ran once per object carved from the slab (a
	 * magazine refill carves a batch), never on the allocation itself. */
	carved = ctor_calls;
	assert_true(carved >= 10);
	for (int i = 0; i < 10; i++) {
		*objs[i] = 0xc0ffee;	/* returned in constructed state */
		kmem_cache_free(s, objs[i]);
	}
	for (int i = 0; i < 10; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_int_equal(*objs[i], 0xc0ffee);
	}
	assert_int_equal(ctor_calls, carved);
	for (int i = 0; i < 10; i++)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	assert_int_equal(st.objects_in_use, 0);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
}

static void test_bulk(void **state)
{
	struct kmem_cache *s = kmem_cache_create("bulk", 128, 0, 0, NULL);
	void *p[300];
	struct xskb_slab_stats st;
	(void)state;

	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, 300, p), 300);
	for (int i = 0; i < 300; i++)
		for (int j = i + 1; j < 300; j++)
			assert_ptr_not_equal(p[i], p[j]);
	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	assert_int_equal(st.objects_in_use, 300);
	kmem_cache_free_bulk(s, 300, p);
	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	assert_int_equal(st.objects_in_use, 0);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
}

/*
 * The GFP_ATOMIC reserve: with the background refiller off and the pool set
 * to exactly two chunks, a fresh cache serves exactly two slabs' worth of
 * atomic allocations, then NULL; GFP_NOWAIT stops at the min watermark;
 * GFP_KERNEL may map more.
 */
static void test_atomic_reserve(void **state)
{
	const struct xskb_slab_reserve two = {
		.min_chunks = 1, .low_chunks = 1, .high_chunks = 2, .background_refill = false,
	};
	struct xskb_slab_pool_stats ps;
	struct xskb_slab_stats st;
	struct kmem_cache *s;
	static void *objs[1024];
	unsigned int n = 0, per_slab;
	void *k;
	(void)state;

	s = kmem_cache_create("reserve", 4096, 0, 0, NULL);
	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	per_slab = st.objects_per_slab;
	assert_true(per_slab * 2 < 1024);
	assert_int_equal(xskb_slab_set_reserve(0, &two), 0);
	assert_int_equal(xskb_slab_pool_stats(0, &ps), 0);
	assert_int_equal(ps.free_chunks, 2);

	/* GFP_NOWAIT may not go below min (1): one slab's worth. */
	while ((objs[n] = kmem_cache_alloc(s, GFP_NOWAIT | __GFP_NOWARN)) != NULL)
		n++;
	assert_int_equal(n, per_slab);
	/* GFP_ATOMIC may: exactly one more slab, then NULL. */
	while ((objs[n] = kmem_cache_alloc(s, GFP_ATOMIC | __GFP_NOWARN)) != NULL)
		n++;
	assert_int_equal(n, 2 * per_slab);
	assert_int_equal(xskb_slab_pool_stats(0, &ps), 0);
	assert_int_equal(ps.free_chunks, 0);
	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	assert_int_equal(st.alloc_failures, 2);
	assert_int_equal(st.objects_in_use, 2 * per_slab);

	/* Process context may map new memory. */
	k = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(k);
	kmem_cache_free(s, k);
	for (unsigned int i = 0; i < n; i++)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	assert_int_equal(st.objects_in_use, 0);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
	assert_int_equal(xskb_slab_set_reserve(XSKB_NUMA_NO_NODE, &default_reserve), 0);
}

static void test_reserve_refill(void **state)
{
	struct xskb_slab_reserve r;
	struct xskb_slab_pool_stats ps;
	const struct xskb_slab_reserve bad = { .min_chunks = 5, .low_chunks = 2, .high_chunks = 8 };
	(void)state;

	assert_int_equal(xskb_slab_set_reserve(0, &bad), -EINVAL);
	assert_int_equal(xskb_slab_set_reserve(9999, &default_reserve), -EINVAL);
	assert_int_equal(xskb_slab_set_reserve(0, NULL), -EINVAL);
	assert_int_equal(xskb_slab_get_reserve(0, &r), 0);
	assert_int_equal(r.high_chunks, 8);
	assert_int_equal(xskb_slab_get_reserve(-5, &r), -EINVAL);
	/* set_reserve fills the pool to high before returning */
	assert_int_equal(xskb_slab_set_reserve(0, &default_reserve), 0);
	assert_int_equal(xskb_slab_pool_stats(0, &ps), 0);
	assert_int_equal(ps.free_chunks, 8);
}

/* Allocate atomically until the cache owns @slabs slabs; returns the count. */
static int alloc_until_slabs(struct kmem_cache *s, void **objs, int n, unsigned long slabs)
{
	struct xskb_slab_stats st;

	for (;;) {
		assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
		if (st.slabs >= slabs)
			return n;
		assert_true(n < 200);
		objs[n] = kmem_cache_alloc(s, GFP_ATOMIC);
		assert_non_null(objs[n]);
		n++;
	}
}

/* Atomic demand that reaches the emergency reserve boosts the watermarks. */
static void test_watermark_boost(void **state)
{
	const struct xskb_slab_reserve manual = {
		.min_chunks = 2, .low_chunks = 4, .high_chunks = 8, .background_refill = false,
	};
	struct kmem_cache *s = kmem_cache_create("boost", 65536, 0, 0, NULL), *s2;
	struct xskb_slab_pool_stats ps;
	static void *objs[200];
	void *k;
	int n;
	(void)state;

	assert_int_equal(xskb_slab_set_reserve(0, &manual), 0);
	/* Six slabs leave 2 chunks (= min): no boost yet. */
	n = alloc_until_slabs(s, objs, 0, 6);
	assert_int_equal(xskb_slab_pool_stats(0, &ps), 0);
	assert_int_equal(ps.free_chunks, 2);
	assert_int_equal(ps.boost, 0);
	/* The 7th slab dips below min: boost by high + 1, then doubling. */
	n = alloc_until_slabs(s, objs, n, 7);
	assert_int_equal(xskb_slab_pool_stats(0, &ps), 0);
	assert_int_equal(ps.free_chunks, 1);
	assert_int_equal(ps.boost, 9);
	n = alloc_until_slabs(s, objs, n, 8);
	assert_int_equal(xskb_slab_pool_stats(0, &ps), 0);
	assert_int_equal(ps.free_chunks, 0);
	assert_int_equal(ps.boost, 18);
	/* A GFP_KERNEL caller that needs a chunk refills to high + boost. */
	s2 = kmem_cache_create("boost2", 64, 0, 0, NULL);
	k = kmem_cache_alloc(s2, GFP_KERNEL);
	assert_int_equal(xskb_slab_pool_stats(0, &ps), 0);
	assert_int_equal(ps.free_chunks, 8 + 18 - 1);
	kmem_cache_free(s2, k);
	assert_int_equal(xskb_kmem_cache_destroy(s2), 0);
	for (int i = 0; i < n; i++)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
	assert_int_equal(xskb_slab_set_reserve(0, &default_reserve), 0);
	assert_int_equal(xskb_slab_pool_stats(0, &ps), 0);
	assert_int_equal(ps.boost, 0);
	assert_int_equal(ps.free_chunks, 8);	/* trimmed back to high */
}

/* The background refiller tops the pool up after atomic allocations drain it. */
static void test_background_refill(void **state)
{
	struct kmem_cache *s = kmem_cache_create("kswapd", 65536, 0, 0, NULL);
	struct xskb_slab_pool_stats ps;
	static void *objs[200];
	int n = 0;
	(void)state;

	assert_int_equal(xskb_slab_set_reserve(0, &default_reserve), 0);
	/* 15 objects a slab: take 6 slabs atomically, below low (4). */
	for (n = 0; n < 6 * 15; n++) {
		objs[n] = kmem_cache_alloc(s, GFP_ATOMIC);
		assert_non_null(objs[n]);
	}
	for (int tries = 0; tries < 400; tries++) {
		assert_int_equal(xskb_slab_pool_stats(0, &ps), 0);
		if (ps.free_chunks >= 8)
			break;
		usleep(5000);
	}
	/* At least high; more only if the burst also boosted the watermarks. */
	assert_true(ps.free_chunks >= 8);
	assert_true(ps.free_chunks <= 8 + ps.boost);
	assert_true(ps.refills >= 1);
	for (int i = 0; i < n; i++)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
}

/* ---- cross-thread frees ---------------------------------------------------- */

#define XT_OBJS 5000
struct xt_ring {
	void *slot[XT_OBJS];
	unsigned int head;	/* written by the producer */
	struct kmem_cache *s;
};

static void *reserve_flipper(void *arg)
{
	const struct xskb_slab_reserve other = {
		.min_chunks = 1, .low_chunks = 2, .high_chunks = 3, .background_refill = false,
	};

	for (int i = 0; i < 50 && !__atomic_load_n((bool *)arg, __ATOMIC_ACQUIRE); i++) {
		assert_int_equal(xskb_slab_set_reserve(0, i % 2 ? &default_reserve : &other), 0);
		usleep(1000);
	}
	return NULL;
}

/*
 * Regression (a data race the TSan build reports on the old code): taking a
 * chunk read the pool's watermarks and free count without the pool lock
 * while xskb_slab_set_reserve() and the refiller changed them.
 */
static void test_reserve_while_allocating(void **state)
{
	struct kmem_cache *s = kmem_cache_create("churn", 65536, 0, 0, NULL);
	static void *objs[3 * 15];
	bool stop = false;
	pthread_t t;
	(void)state;

	assert_non_null(s);
	assert_int_equal(pthread_create(&t, NULL, reserve_flipper, &stop), 0);
	for (int round = 0; round < 200; round++) {
		/* Three slabs of 15 taken and given back: chunks through the pool. */
		for (int i = 0; i < 3 * 15; i++) {
			objs[i] = kmem_cache_alloc(s, round % 2 ? GFP_ATOMIC : GFP_KERNEL);
			if (!objs[i])	/* the atomic reserve may run dry here */
				objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
			assert_non_null(objs[i]);
		}
		for (int i = 0; i < 3 * 15; i++)
			kmem_cache_free(s, objs[i]);
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(xskb_slab_set_reserve(0, &default_reserve), 0);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
}

static void *xt_consumer(void *arg)
{
	struct xt_ring *r = arg;

	for (unsigned int i = 0; i < XT_OBJS; i++) {
		while (__atomic_load_n(&r->head, __ATOMIC_ACQUIRE) <= i)
			sched_yield();
		assert_int_equal(*(unsigned int *)r->slot[i], i);
		kmem_cache_free(r->s, r->slot[i]);
	}
	return NULL;	/* thread exit flushes this thread's magazine */
}

static void test_cross_thread_free(void **state)
{
	static struct xt_ring r;
	struct xskb_slab_stats st;
	pthread_t t;
	(void)state;

	r.s = kmem_cache_create("xthread", 200, 0, 0, NULL);
	r.head = 0;
	assert_int_equal(pthread_create(&t, NULL, xt_consumer, &r), 0);
	for (unsigned int i = 0; i < XT_OBJS; i++) {
		r.slot[i] = kmem_cache_alloc(r.s, GFP_KERNEL);
		assert_non_null(r.slot[i]);
		*(unsigned int *)r.slot[i] = i;
		__atomic_store_n(&r.head, i + 1, __ATOMIC_RELEASE);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(xskb_kmem_cache_stats(r.s, &st), 0);
	assert_int_equal(st.objects_in_use, 0);
	assert_int_equal(xskb_kmem_cache_destroy(r.s), 0);
}

/* Two threads each free what the other allocated, at the same time. */
struct swap_arg {
	struct kmem_cache *s;
	void **mine, **theirs;
	pthread_barrier_t *bar;
};

static void *swap_worker(void *p)
{
	struct swap_arg *a = p;

	for (int i = 0; i < 2000; i++)
		a->mine[i] = kmem_cache_alloc(a->s, GFP_KERNEL);
	pthread_barrier_wait(a->bar);
	for (int i = 0; i < 2000; i++)
		kmem_cache_free(a->s, a->theirs[i]);
	pthread_barrier_wait(a->bar);
	return NULL;
}

static void test_concurrent_swap_free(void **state)
{
	static void *x[2000], *y[2000];
	struct kmem_cache *s = kmem_cache_create("swap", 96, 0, 0, NULL);
	pthread_barrier_t bar;
	struct swap_arg a = { s, x, y, &bar }, b = { s, y, x, &bar };
	struct xskb_slab_stats st;
	pthread_t ta, tb;
	(void)state;

	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&ta, NULL, swap_worker, &a);
	pthread_create(&tb, NULL, swap_worker, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&bar);
	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	assert_int_equal(st.objects_in_use, 0);
	assert_int_equal(st.objects_cached, 0);	/* both magazines flushed at exit */
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
}

/* Memory comes from the requested node (this machine: node 0). */
static void test_numa_node(void **state)
{
	struct kmem_cache *s = kmem_cache_create("numa", 512, 0, 0, NULL);
	void *p = kmem_cache_alloc_node(s, GFP_KERNEL, 0);
	int status = -1;
	(void)state;

	assert_non_null(p);
	memset(p, 1, 512);
	assert_int_equal(move_pages(0, 1, &p, NULL, &status, 0), 0);
	assert_int_equal(status, 0);
	kmem_cache_free(s, p);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
}

/* ---- misuse ---------------------------------------------------------------- */

static void kfree_foreign(void *arg)
{
	char *p = malloc(64);

	(void)arg;
	memset(p, 0, 64);
	kfree(p);
}

static void test_kfree_foreign_aborts(void **state)
{
	(void)state;
	expect_abort(kfree_foreign, NULL, "foreign pointer");
}

/* ---- messages go through the library's printer ------------------------------ */

static char printed[1024];

static int capture_print(enum xskb_print_level level, const char *fmt, va_list ap)
{
	size_t len = strlen(printed);

	(void)level;
	return vsnprintf(printed + len, sizeof(printed) - len, fmt, ap);
}

/* Run @fn with stderr on a pipe; returns what it wrote there. */
static void stderr_of(void (*fn)(void), char *out, size_t size)
{
	int fds[2], saved;
	ssize_t n;

	assert_int_equal(pipe(fds), 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fds[1], STDERR_FILENO) >= 0);
	close(fds[1]);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	n = read(fds[0], out, size - 1);	/* the writer is closed: no block */
	out[n > 0 ? n : 0] = '\0';
	close(fds[0]);
}

/* Two slab warnings: an atomic large kmalloc, a busy cache destroy. */
static void slab_warnings(void)
{
	struct kmem_cache *s = kmem_cache_create("printer_test", 64, 0, 0, NULL);
	void *obj;

	assert_non_null(s);
	assert_null(kmalloc(KMALLOC_MAX_CACHE_SIZE + 1, GFP_ATOMIC));
	obj = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(obj);
	assert_int_equal(xskb_kmem_cache_destroy(s), -EBUSY);
	kmem_cache_free(s, obj);
	assert_int_equal(xskb_kmem_cache_destroy(s), 0);
}

/* Regression: the slab wrote to stderr itself, so xskb_set_print(NULL) did
 * not silence it and a program's printer never saw its messages. */
static void test_messages_use_printer(void **state)
{
	xskb_print_fn_t old;
	char err[1024];
	(void)state;

	printed[0] = '\0';
	old = xskb_set_print(capture_print);
	stderr_of(slab_warnings, err, sizeof(err));
	assert_string_equal(err, "");
	assert_non_null(strstr(printed, "kmalloc(131073) above 131072 bytes needs GFP_KERNEL"));
	assert_non_null(strstr(printed, "kmem_cache_destroy printer_test: 1 objects still allocated"));

	xskb_set_print(NULL);
	printed[0] = '\0';
	stderr_of(slab_warnings, err, sizeof(err));
	assert_string_equal(err, "");
	assert_string_equal(printed, "");
	xskb_set_print(old);
}

#ifdef XSKB_DEBUG
static void double_free(void *arg)
{
	void *p = kmalloc(64, GFP_KERNEL);

	(void)arg;
	kfree(p);
	kfree(p);
}

static void interior_free(void *arg)
{
	char *p = kmalloc(64, GFP_KERNEL);

	(void)arg;
	kfree(p + 8);
}

static void wrong_cache_free(void *arg)
{
	struct kmem_cache *a = kmem_cache_create("a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("b", 64, 0, 0, NULL);

	(void)arg;
	kmem_cache_free(b, kmem_cache_alloc(a, GFP_KERNEL));
}

static void use_after_free(void *arg)
{
	struct kmem_cache *s = kmem_cache_create("uaf", 64, 0, 0, NULL);
	char *p = kmem_cache_alloc(s, GFP_KERNEL);

	(void)arg;
	kmem_cache_free(s, p);
	p[20] = 1;	/* write after free */
	for (int i = 0; i < 200; i++)
		(void)kmem_cache_alloc(s, GFP_KERNEL);
}

static void test_debug_checks(void **state)
{
	(void)state;
	expect_abort(double_free, NULL, "double free");
	expect_abort(interior_free, NULL, "not the start of an object");
	expect_abort(wrong_cache_free, NULL, "another cache");
	expect_abort(use_after_free, NULL, "poison overwritten");
}

static void test_poison_on_alloc(void **state)
{
	unsigned char *p = kmalloc(64, GFP_KERNEL);
	(void)state;

	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], 0x5a);	/* POISON_INUSE: uninitialised reads show */
	kfree(p);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_classes),
		cmocka_unit_test(test_kmalloc_alignment),
		cmocka_unit_test(test_zero_size_and_null),
		cmocka_unit_test(test_kzalloc_and_array),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_create_invalid),
		cmocka_unit_test(test_cache_alignment_and_stats),
		cmocka_unit_test(test_destroy_busy),
		cmocka_unit_test(test_ctor),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_atomic_reserve),
		cmocka_unit_test(test_reserve_refill),
		cmocka_unit_test(test_watermark_boost),
		cmocka_unit_test(test_background_refill),
		cmocka_unit_test(test_reserve_while_allocating),
		cmocka_unit_test(test_cross_thread_free),
		cmocka_unit_test(test_concurrent_swap_free),
		cmocka_unit_test(test_numa_node),
		cmocka_unit_test(test_kfree_foreign_aborts),
		cmocka_unit_test(test_messages_use_printer),
#ifdef XSKB_DEBUG
		cmocka_unit_test(test_debug_checks),
		cmocka_unit_test(test_poison_on_alloc),
#endif
	};

	return cmocka_run_group_tests_name("slab", tests, NULL, NULL);
}
