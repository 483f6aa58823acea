/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for sk_buff_head queues: order and length after every locked
 * and unlocked operation, splicing, walking, purging, concurrent use.
 */
#include <pthread.h>
#include <xskb/skbuff.h>

#include "test_helpers.h"

#define N 6

static struct sk_buff *mk(int id)
{
	struct sk_buff *skb = alloc_skb(32, GFP_KERNEL);

	assert_non_null(skb);
	skb->mark = (unsigned int)id;
	return skb;
}

/* Assert the queue holds exactly ids[0..n) in order, both directions. */
static void expect_order(const struct sk_buff_head *q, const int *ids, unsigned int n)
{
	struct sk_buff *skb;
	unsigned int i = 0;

	assert_int_equal(skb_queue_len(q), n);
	assert_int_equal(skb_queue_empty(q), n == 0);
	skb_queue_walk(q, skb) {
		assert_true(i < n);
		assert_int_equal(skb->mark, (unsigned int)ids[i]);
		i++;
	}
	assert_int_equal(i, n);
	skb_queue_reverse_walk(q, skb) {
		i--;
		assert_int_equal(skb->mark, (unsigned int)ids[i]);
	}
	if (n) {
		assert_int_equal(skb_peek(q)->mark, (unsigned int)ids[0]);
		assert_int_equal(skb_peek_tail(q)->mark, (unsigned int)ids[n - 1]);
	} else {
		assert_null(skb_peek(q));
		assert_null(skb_peek_tail(q));
	}
}

static void test_head_tail_dequeue(void **state)
{
	struct sk_buff_head q;
	struct sk_buff *skb;
	(void)state;

	skb_queue_head_init(&q);
	expect_order(&q, NULL, 0);
	assert_null(skb_dequeue(&q));
	assert_null(skb_dequeue_tail(&q));

	skb_queue_tail(&q, mk(1));
	skb_queue_tail(&q, mk(2));
	skb_queue_head(&q, mk(0));
	__skb_queue_tail(&q, mk(3));
	__skb_queue_head(&q, mk(-1));
	expect_order(&q, (int[]){ -1, 0, 1, 2, 3 }, 5);

	skb = skb_dequeue(&q);
	assert_int_equal(skb->mark, (unsigned int)-1);
	assert_null(skb->next);
	assert_null(skb->prev);
	kfree_skb(skb);
	expect_order(&q, (int[]){ 0, 1, 2, 3 }, 4);
	skb = skb_dequeue_tail(&q);
	assert_int_equal(skb->mark, 3);
	kfree_skb(skb);
	expect_order(&q, (int[]){ 0, 1, 2 }, 3);
	skb = __skb_dequeue(&q);
	assert_int_equal(skb->mark, 0);
	kfree_skb(skb);
	skb = __skb_dequeue_tail(&q);
	assert_int_equal(skb->mark, 2);
	kfree_skb(skb);
	expect_order(&q, (int[]){ 1 }, 1);
	skb_queue_purge(&q);
	expect_order(&q, NULL, 0);
}

static void test_insert_append_unlink(void **state)
{
	struct sk_buff_head q;
	struct sk_buff *a = mk(1), *b = mk(2), *c = mk(3);
	(void)state;

	skb_queue_head_init(&q);
	skb_queue_tail(&q, a);
	skb_queue_tail(&q, c);
	skb_insert(c, b, &q);			/* b before c */
	expect_order(&q, (int[]){ 1, 2, 3 }, 3);
	skb_append(c, mk(4), &q);		/* after c: new tail */
	skb_append(a, mk(5), &q);		/* after a */
	expect_order(&q, (int[]){ 1, 5, 2, 3, 4 }, 5);
	skb_insert(a, mk(0), &q);		/* before the head element */
	expect_order(&q, (int[]){ 0, 1, 5, 2, 3, 4 }, 6);

	skb_unlink(b, &q);
	assert_null(b->next);
	assert_null(b->prev);
	expect_order(&q, (int[]){ 0, 1, 5, 3, 4 }, 5);
	kfree_skb(b);
	__skb_unlink(a, &q);
	kfree_skb(a);
	expect_order(&q, (int[]){ 0, 5, 3, 4 }, 4);
	__skb_queue_purge(&q);
	expect_order(&q, NULL, 0);
}

static void fill_queue(struct sk_buff_head *q, int from, int to)
{
	skb_queue_head_init(q);
	for (int i = from; i < to; i++)
		skb_queue_tail(q, mk(i));
}

static void test_splice(void **state)
{
	struct sk_buff_head a, b, empty;
	(void)state;

	fill_queue(&a, 0, 3);
	fill_queue(&b, 10, 12);
	skb_queue_splice_init(&b, &a);		/* b in front of a */
	expect_order(&a, (int[]){ 10, 11, 0, 1, 2 }, 5);
	expect_order(&b, NULL, 0);

	fill_queue(&b, 20, 22);
	skb_queue_splice_tail_init(&b, &a);
	expect_order(&a, (int[]){ 10, 11, 0, 1, 2, 20, 21 }, 7);
	expect_order(&b, NULL, 0);

	fill_queue(&b, 30, 31);
	skb_queue_splice(&b, &a);		/* b is left stale, as in the kernel */
	expect_order(&a, (int[]){ 30, 10, 11, 0, 1, 2, 20, 21 }, 8);
	assert_int_equal(skb_queue_len(&b), 1);
	fill_queue(&b, 40, 42);
	skb_queue_splice_tail(&b, &a);
	expect_order(&a, (int[]){ 30, 10, 11, 0, 1, 2, 20, 21, 40, 41 }, 10);

	skb_queue_head_init(&empty);
	skb_queue_splice_init(&empty, &a);	/* empty: no change */
	skb_queue_splice_tail(&empty, &a);
	expect_order(&a, (int[]){ 30, 10, 11, 0, 1, 2, 20, 21, 40, 41 }, 10);
	skb_queue_purge(&a);
	expect_order(&a, NULL, 0);
}

static void test_walk_safe(void **state)
{
	struct sk_buff_head q;
	struct sk_buff *skb, *tmp;
	(void)state;

	fill_queue(&q, 0, N);
	skb_queue_walk_safe(&q, skb, tmp) {	/* unlink the odd ones while walking */
		if (skb->mark & 1) {
			__skb_unlink(skb, &q);
			kfree_skb(skb);
		}
	}
	expect_order(&q, (int[]){ 0, 2, 4 }, 3);
	assert_true(skb_queue_is_last(&q, skb_peek_tail(&q)));
	assert_false(skb_queue_is_last(&q, skb_peek(&q)));
	skb_queue_purge(&q);
}

static void test_purge_reason(void **state)
{
	unsigned long before = xskb_skb_drop_count(SKB_DROP_REASON_QUEUE_PURGE);
	unsigned long full = xskb_skb_drop_count(SKB_DROP_REASON_FULL_RING);
	struct sk_buff_head q;
	(void)state;

	fill_queue(&q, 0, 4);
	skb_queue_purge(&q);
	assert_int_equal(xskb_skb_drop_count(SKB_DROP_REASON_QUEUE_PURGE), before + 4);
	fill_queue(&q, 0, 2);
	skb_queue_purge_reason(&q, SKB_DROP_REASON_FULL_RING);
	assert_int_equal(xskb_skb_drop_count(SKB_DROP_REASON_FULL_RING), full + 2);
	expect_order(&q, NULL, 0);
}

/* Locked operations from two threads: a producer and a consumer. */
#define XQ 20000
static void *producer(void *arg)
{
	struct sk_buff_head *q = arg;

	for (int i = 0; i < XQ; i++)
		skb_queue_tail(q, mk(i));
	return NULL;
}

static void test_concurrent(void **state)
{
	struct sk_buff_head q;
	pthread_t t;
	int next = 0;
	(void)state;

	skb_queue_head_init(&q);
	assert_int_equal(pthread_create(&t, NULL, producer, &q), 0);
	while (next < XQ) {
		struct sk_buff *skb = skb_dequeue(&q);

		if (!skb) {
			sched_yield();
			continue;
		}
		assert_int_equal(skb->mark, next);	/* FIFO order preserved */
		next++;
		kfree_skb(skb);
	}
	pthread_join(t, NULL);
	expect_order(&q, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_tail_dequeue),
		cmocka_unit_test(test_insert_append_unlink),
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_walk_safe),
		cmocka_unit_test(test_purge_reason),
		cmocka_unit_test(test_concurrent),
	};

	return cmocka_run_group_tests_name("skb_queue", tests, NULL, NULL);
}
