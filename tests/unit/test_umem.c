/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the UMEM: option checks with their exact errno, geometry,
 * frame accounting through a replay queue, teardown refusing held frames.
 */
#include <errno.h>
#include <xskb/replay.h>
#include <xskb/umem.h>

#include "test_helpers.h"

static unsigned char pkt[64];

static void quiet(void)
{
	xskb_set_print(NULL);
}

static void test_defaults(void **state)
{
	struct xskb_umem *u;
	(void)state;

	assert_int_equal(xskb_umem__create(&u, -1, NULL), 0);
	assert_int_equal(xskb_umem__frame_count(u), 32768);
	assert_int_equal(xskb_umem__frame_size(u), 4096);
	assert_true(xskb_umem__numa_node(u) >= 0);
	assert_false(xskb_umem__hugepages(u));
	assert_int_equal((unsigned long)xskb_umem__area(u) % 4096, 0);
	assert_int_equal(xskb_umem__check(u), 0);
	assert_int_equal(xskb_umem__delete(u), 0);
	assert_int_equal(xskb_umem__delete(NULL), 0);
}

static void test_bad_options(void **state)
{
	struct xskb_umem *u = (void *)1;
	(void)state;

	quiet();
	{
		XSKB_OPTS(xskb_umem_opts, o, .frame_size = 3000);
		assert_int_equal(xskb_umem__create(&u, -1, &o), -EINVAL);
		assert_null(u);
	}
	{
		XSKB_OPTS(xskb_umem_opts, o, .frame_count = XSKB_UMEM_MAX_FRAMES + 1);
		assert_int_equal(xskb_umem__create(&u, -1, &o), -EINVAL);
	}
	{
		/* 2048 - 256 - 320 - 128 = 1344 is the most headroom a 2 KiB frame takes. */
		XSKB_OPTS(xskb_umem_opts, o, .frame_size = 2048, .headroom = 1345);
		assert_int_equal(xskb_umem__create(&u, -1, &o), -EINVAL);
		o.headroom = 1344;
		assert_int_equal(xskb_umem__create(&u, -1, &o), 0);
		assert_int_equal(xskb_umem__delete(u), 0);
	}
	{
		struct xskb_umem_opts o = { .sz = 2 };	/* not from XSKB_OPTS */

		assert_int_equal(xskb_umem__create(&u, -1, &o), -EINVAL);
	}
	assert_int_equal(xskb_umem__create(&u, 4096, NULL), -EINVAL);	/* no such node */
	assert_int_equal(xskb_umem__create(NULL, -1, NULL), -EINVAL);
	xskb_set_print(NULL);
}

/* Huge pages: granted when reserved, else a fallback to 4 KiB pages. Either
 * way the UMEM works and says which it got. */
static void test_hugepages_fallback(void **state)
{
	XSKB_OPTS(xskb_umem_opts, o, .frame_count = 512, .hugepages = true);
	struct xskb_umem *u;
	(void)state;

	quiet();
	assert_int_equal(xskb_umem__create(&u, -1, &o), 0);
	memset(xskb_umem__area(u), 0xab, 512 * 4096);
	assert_int_equal(xskb_umem__check(u), 0);
	assert_int_equal(xskb_umem__delete(u), 0);
}

static struct sk_buff *held;

static void hold(struct sk_buff *skb, void *arg)
{
	(void)arg;
	held = skb;
}

/* Frame states through a replay queue: FILL after creation, HELD while an
 * skb has the frame, FREE again after it goes; delete refuses while held. */
static void test_states_and_teardown(void **state)
{
	XSKB_OPTS(xskb_umem_opts, o, .frame_count = 256);
	XSKB_OPTS(xskb_queue_opts, qo, .fill_size = 128, .rx_size = 128, .handler = hold);
	struct xskb_replay_pkt p = { pkt, sizeof(pkt) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &p, .nr_pkts = 1, .limit = 1);
	struct xskb_frame_stats st;
	struct xskb_umem *u;
	struct xskb_queue *q;
	(void)state;

	quiet();
	assert_int_equal(xskb_umem__create(&u, -1, &o), 0);
	assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), 0);
	assert_int_equal(xskb_umem__frame_stats(u, &st), 0);
	assert_int_equal(st.frames, 256);
	assert_int_equal(st.fill, 128);
	assert_int_equal(st.fill_ring, 128);
	assert_int_equal(st.free, 128);
	assert_int_equal(st.held, 0);
	assert_int_equal(xskb_umem__check(u), 0);

	assert_int_equal(xskb_queue__poll(q, 64), 1);
	assert_non_null(held);
	assert_int_equal(xskb_umem__frame_stats(u, &st), 0);
	assert_int_equal(st.held, 1);
	assert_int_equal(st.fill, 128);		/* refilled from the free stack */
	assert_int_equal(st.free, 127);
	assert_int_equal(xskb_umem__check(u), 0);

	/* The queue may go first: a held frame stays held, the rest come back. */
	assert_int_equal(xskb_queue__destroy(q), 0);
	assert_int_equal(xskb_umem__frame_stats(u, &st), 0);
	assert_int_equal(st.fill, 0);
	assert_int_equal(st.held, 1);
	assert_int_equal(st.free, 255);
	assert_int_equal(xskb_umem__check(u), 0);
#ifndef XSKB_DEBUG
	assert_int_equal(xskb_umem__delete(u), -EBUSY);
#endif
	consume_skb(held);
	held = NULL;
	assert_int_equal(xskb_umem__frame_stats(u, &st), 0);
	assert_int_equal(st.held, 0);
	assert_int_equal(st.free, 256);
	assert_int_equal(xskb_umem__delete(u), 0);
}

static __attribute__((unused)) void delete_with_held(void *arg)
{
	(void)arg;
	XSKB_OPTS(xskb_umem_opts, o, .frame_count = 64);
	XSKB_OPTS(xskb_queue_opts, qo, .fill_size = 32, .rx_size = 32, .handler = hold);
	struct xskb_replay_pkt p = { pkt, sizeof(pkt) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &p, .nr_pkts = 1, .limit = 1);
	struct xskb_umem *u;
	struct xskb_queue *q;

	if (xskb_umem__create(&u, -1, &o) || xskb_replay__create(&q, u, &qo, &ro) ||
	    xskb_queue__poll(q, 1) != 1 || xskb_queue__destroy(q))
		return;
	xskb_umem__delete(u);
}

/* Debug builds treat a held frame at teardown as the leak it is. */
static void test_delete_held_aborts_in_debug(void **state)
{
	(void)state;
#ifdef XSKB_DEBUG
	expect_abort(delete_with_held, NULL, "teardown with frames held (leaked sk_buffs)");
#else
	skip();
#endif
}

static void test_delete_with_queue(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .handler = hold);
	struct xskb_replay_pkt p = { pkt, sizeof(pkt) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &p, .nr_pkts = 1);
	struct xskb_umem *u;
	struct xskb_queue *q;
	(void)state;

	quiet();
	assert_int_equal(xskb_umem__create(&u, -1, NULL), 0);
	assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), 0);
	assert_int_equal(xskb_umem__delete(u), -EBUSY);
	assert_int_equal(xskb_queue__destroy(q), 0);
	assert_int_equal(xskb_umem__delete(u), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_hugepages_fallback),
		cmocka_unit_test(test_states_and_teardown),
		cmocka_unit_test(test_delete_held_aborts_in_debug),
		cmocka_unit_test(test_delete_with_queue),
	};

	memset(pkt, 0x11, sizeof(pkt));
	pkt[12] = 0x08;
	pkt[13] = 0x00;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
