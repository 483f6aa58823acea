/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for sk_buff: allocation geometry, data operations, header
 * offsets, clone/fclone/copy sharing and refcounts, nonlinear data, frees,
 * drop accounting and overrun aborts. Every test ends with the skb caches
 * holding exactly what they held before it.
 */
#include <errno.h>
#include <stdint.h>
#include <limits.h>
#include <arpa/inet.h>
#include <xskb/etherdevice.h>
#include <xskb/skbuff.h>
#include <xskb/xsk.h>

#include "test_helpers.h"

#define SHINFO	320u		/* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define SKBSZ	192u		/* SKB_DATA_ALIGN(sizeof(struct sk_buff)) */

static unsigned long in_use(struct kmem_cache *s)
{
	struct xskb_slab_stats st;

	assert_int_equal(xskb_kmem_cache_stats(s, &st), 0);
	return st.objects_in_use;
}

static unsigned long base_heads, base_fclones;

static int setup(void **state)
{
	(void)state;
	base_heads = in_use(xskb_skbuff_cache());
	base_fclones = in_use(xskb_skbuff_fclone_cache());
	return 0;
}

/* Nothing a test allocated may still be in use. */
static int teardown(void **state)
{
	(void)state;
	assert_int_equal(in_use(xskb_skbuff_cache()), base_heads);
	assert_int_equal(in_use(xskb_skbuff_fclone_cache()), base_fclones);
	return 0;
}

static int dataref(const struct sk_buff *skb)
{
	return atomic_read(&skb_shinfo(skb)->dataref);
}

static void fill(unsigned char *p, unsigned int n, unsigned char seed)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static void test_constants(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct skb_shared_info), 320);
	assert_int_equal(SKB_DATA_ALIGN(sizeof(struct sk_buff)), SKBSZ);
	assert_int_equal(NET_SKB_PAD, 64);
	assert_int_equal(SKB_WITH_OVERHEAD(2048), 2048 - SHINFO);
	assert_int_equal(SKB_HEAD_ALIGN(1000), 1024 + SHINFO);
	assert_int_equal(SKB_TRUESIZE(1000), 1000 + SKBSZ + SHINFO);
	assert_int_equal(MAX_SKB_FRAGS, 17);
	assert_int_equal(offsetof(struct sk_buff, data), 24);
	assert_true(offsetof(struct sk_buff, transport_header) < 64);
}

/* alloc_skb(1000): head from kmalloc-2048 (1000 -> 1344 -> 2048), shared info
 * exactly at the end, no headroom, refcounts 1. */
static void test_alloc_geometry(void **state)
{
	struct sk_buff *skb = alloc_skb(1000, GFP_KERNEL);
	(void)state;

	assert_non_null(skb);
	assert_int_equal(ksize(skb->head), 2048);
	assert_ptr_equal(skb->data, skb->head);
	assert_int_equal(skb->len, 0);
	assert_int_equal(skb->data_len, 0);
	assert_int_equal(skb_headroom(skb), 0);
	assert_int_equal(skb_tailroom(skb), 2048 - SHINFO);
	assert_int_equal(skb_end_offset(skb), 2048 - SHINFO);
	assert_ptr_equal(skb_shinfo(skb), skb->head + 2048 - SHINFO);
	assert_int_equal((uintptr_t)skb_shinfo(skb) % 64, 0);
	assert_ptr_equal(skb_tail_pointer(skb), skb->head);
	assert_int_equal(refcount_read(&skb->users), 1);
	assert_int_equal(dataref(skb), 1);
	assert_false(skb_cloned(skb));
	assert_false(skb_shared(skb));
	assert_int_equal(skb->fclone, SKB_FCLONE_UNAVAILABLE);
	assert_int_equal(skb->truesize, SKB_TRUESIZE(2048 - SHINFO));
	assert_int_equal(skb_shinfo(skb)->nr_frags, 0);
	assert_null(skb_shinfo(skb)->frag_list);
	assert_false(skb_mac_header_was_set(skb));
	assert_false(skb_transport_header_was_set(skb));
	assert_null(skb->dev);
	assert_int_equal(skb->mark, 0);
	for (unsigned int i = 0; i < sizeof(skb->cb); i++)
		assert_int_equal(skb->cb[i], 0);
	kfree_skb(skb);

	/* size 0: 320 bytes of shared info round up to kmalloc-512 */
	skb = alloc_skb(0, GFP_KERNEL);
	assert_int_equal(ksize(skb->head), 512);
	assert_int_equal(skb_tailroom(skb), 512 - SHINFO);
	kfree_skb(skb);
}

static void test_data_ops(void **state)
{
	struct sk_buff *skb = alloc_skb(1000, GFP_KERNEL);
	unsigned char *h = skb->head, *p;
	const unsigned int end = 2048 - SHINFO;
	unsigned char pattern[100];
	(void)state;

	skb_reserve(skb, 64);
	assert_ptr_equal(skb->data, h + 64);
	assert_int_equal(skb_headroom(skb), 64);
	assert_int_equal(skb_tailroom(skb), end - 64);
	assert_int_equal(skb->len, 0);

	fill(pattern, sizeof(pattern), 3);
	p = skb_put_data(skb, pattern, 100);
	assert_ptr_equal(p, h + 64);
	assert_int_equal(skb->len, 100);
	assert_ptr_equal(skb_tail_pointer(skb), h + 164);
	assert_int_equal(skb_tailroom(skb), end - 164);
	assert_memory_equal(skb->data, pattern, 100);

	p = skb_put_zero(skb, 10);
	assert_ptr_equal(p, h + 164);
	assert_int_equal(skb->len, 110);
	for (int i = 0; i < 10; i++)
		assert_int_equal(p[i], 0);

	p = __skb_put(skb, 2);
	assert_ptr_equal(p, h + 174);
	assert_int_equal(skb->len, 112);

	p = skb_push(skb, 14);
	assert_ptr_equal(p, h + 50);
	assert_ptr_equal(skb->data, h + 50);
	assert_int_equal(skb->len, 126);
	assert_int_equal(skb_headroom(skb), 50);
	p = __skb_push(skb, 2);
	assert_ptr_equal(p, h + 48);
	assert_int_equal(skb->len, 128);

	p = skb_pull(skb, 16);
	assert_ptr_equal(p, h + 64);
	assert_int_equal(skb->len, 112);
	assert_memory_equal(skb->data, pattern, 100);
	assert_null(skb_pull(skb, 113));	/* too long: nothing changes */
	assert_ptr_equal(skb->data, h + 64);
	assert_int_equal(skb->len, 112);
	p = __skb_pull(skb, 2);
	assert_ptr_equal(p, h + 66);
	assert_int_equal(skb->len, 110);

	skb_trim(skb, 200);			/* longer than len: no-op */
	assert_int_equal(skb->len, 110);
	skb_trim(skb, 50);
	assert_int_equal(skb->len, 50);
	assert_ptr_equal(skb_tail_pointer(skb), h + 116);
	assert_int_equal(pskb_trim(skb, 40), 0);
	assert_int_equal(skb->len, 40);
	assert_ptr_equal(skb_tail_pointer(skb), h + 106);
	assert_int_equal(skb_headlen(skb), 40);
	assert_false(skb_is_nonlinear(skb));
	assert_true(pskb_may_pull(skb, 40));
	assert_false(pskb_may_pull(skb, 41));
	assert_int_equal(skb_linearize(skb), 0);
	kfree_skb(skb);
}

static void test_headers(void **state)
{
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);
	(void)state;

	skb_reserve(skb, 32);
	skb_put(skb, 60);
	skb_reset_mac_header(skb);
	assert_true(skb_mac_header_was_set(skb));
	assert_int_equal(skb->mac_header, 32);
	assert_ptr_equal(skb_mac_header(skb), skb->data);
	skb_set_network_header(skb, ETH_HLEN);
	assert_int_equal(skb->network_header, 46);
	assert_ptr_equal(skb_network_header(skb), skb->data + 14);
	assert_int_equal(skb_network_offset(skb), 14);
	skb_set_transport_header(skb, 34);
	assert_int_equal(skb->transport_header, 66);
	assert_int_equal(skb_transport_offset(skb), 34);
	skb_pull(skb, ETH_HLEN);
	skb_reset_network_header(skb);
	assert_int_equal(skb->network_header, 46);
	assert_int_equal(skb_network_offset(skb), 0);
	skb_reset_transport_header(skb);
	assert_ptr_equal(skb_transport_header(skb), skb->data);
	skb_set_mac_header(skb, -ETH_HLEN);
	assert_int_equal(skb->mac_header, 32);
	kfree_skb(skb);
}

static void put_overrun(void *arg)
{
	struct sk_buff *skb = alloc_skb(1000, GFP_KERNEL);

	(void)arg;
	skb_reserve(skb, 28);
	skb_put(skb, 1701);		/* tailroom is 1700 */
}

static void push_underrun(void *arg)
{
	struct sk_buff *skb = alloc_skb(1000, GFP_KERNEL);

	(void)arg;
	skb_reserve(skb, 16);
	skb_put(skb, 5);
	skb_push(skb, 17);		/* headroom is 16 */
}

static void put_huge(void *arg)
{
	struct sk_buff *skb = alloc_skb(100, GFP_KERNEL);

	(void)arg;
	skb_put(skb, 0xffffffffu);	/* must not wrap past the check */
}

static void test_overruns_abort(void **state)
{
	(void)state;
	expect_abort(put_overrun, NULL, "skb_over_panic", "put:1701", "len:0", "end:0x6c0",
		     "tail:0x1c");
	expect_abort(push_underrun, NULL, "skb_under_panic", "put:17", "len:5", "dev:<NULL>");
	expect_abort(put_huge, NULL, "skb_over_panic", "put:4294967295");
}

static void test_get_shared(void **state)
{
	struct sk_buff *skb = alloc_skb(100, GFP_KERNEL);
	(void)state;

	assert_ptr_equal(skb_get(skb), skb);
	assert_int_equal(refcount_read(&skb->users), 2);
	assert_true(skb_shared(skb));
	kfree_skb(skb);				/* drops one user only */
	assert_int_equal(refcount_read(&skb->users), 1);
	assert_false(skb_shared(skb));
	assert_int_equal(in_use(xskb_skbuff_cache()), base_heads + 1);
	consume_skb(skb);
	kfree_skb(NULL);
	consume_skb(NULL);
	dev_kfree_skb(NULL);
	kfree_skb_reason(NULL, SKB_DROP_REASON_NOMEM);
}

static void test_clone(void **state)
{
	struct sk_buff *skb = alloc_skb(500, GFP_KERNEL), *c;
	unsigned char pattern[200];
	(void)state;

	skb_reserve(skb, 32);
	fill(pattern, 200, 9);
	skb_put_data(skb, pattern, 200);
	skb->mark = 7;
	skb->protocol = htons(ETH_P_IP);
	memcpy(skb->cb, "control", 8);
	skb_reset_mac_header(skb);

	c = skb_clone(skb, GFP_ATOMIC);
	assert_non_null(c);
	assert_ptr_not_equal(c, skb);
	assert_int_equal(c->fclone, SKB_FCLONE_UNAVAILABLE);
	assert_ptr_equal(c->head, skb->head);
	assert_ptr_equal(c->data, skb->data);
	assert_int_equal(c->len, 200);
	assert_int_equal(c->tail, skb->tail);
	assert_int_equal(c->end, skb->end);
	assert_int_equal(c->mark, 7);
	assert_int_equal(c->protocol, htons(ETH_P_IP));
	assert_int_equal(c->mac_header, skb->mac_header);
	assert_string_equal(c->cb, "control");
	assert_int_equal(refcount_read(&skb->users), 1);
	assert_int_equal(refcount_read(&c->users), 1);
	assert_int_equal(dataref(skb), 2);
	assert_true(skb->cloned && c->cloned);
	assert_true(skb_cloned(skb));
	assert_true(skb_cloned(c));
	assert_true(skb_header_cloned(skb));
	assert_null(c->next);

	/* Pulling on the clone moves only the clone's view. */
	skb_pull(c, 20);
	assert_ptr_equal(c->data, skb->data + 20);
	assert_int_equal(skb->len, 200);

	kfree_skb(skb);
	assert_int_equal(dataref(c), 1);
	assert_false(skb_cloned(c));		/* cloned bit stays, but no one shares */
	assert_memory_equal(c->data, pattern + 20, 180);
	kfree_skb(c);
}

static void test_fclone(void **state)
{
	struct sk_buff *skb = alloc_skb_fclone(300, GFP_KERNEL), *c1, *c2;
	struct sk_buff_fclones *fc = (struct sk_buff_fclones *)skb;
	(void)state;

	assert_int_equal(skb->fclone, SKB_FCLONE_ORIG);
	assert_int_equal(refcount_read(&fc->fclone_ref), 1);
	assert_int_equal(in_use(xskb_skbuff_fclone_cache()), base_fclones + 1);
	assert_int_equal(in_use(xskb_skbuff_cache()), base_heads);
	skb_put(skb, 100);

	c1 = skb_clone(skb, GFP_ATOMIC);	/* free: the pre-allocated skb2 */
	assert_ptr_equal(c1, &fc->skb2);
	assert_int_equal(c1->fclone, SKB_FCLONE_CLONE);
	assert_int_equal(refcount_read(&fc->fclone_ref), 2);
	assert_int_equal(dataref(skb), 2);
	assert_int_equal(in_use(xskb_skbuff_cache()), base_heads);

	c2 = skb_clone(skb, GFP_ATOMIC);	/* skb2 taken: from skbuff_head_cache */
	assert_int_equal(c2->fclone, SKB_FCLONE_UNAVAILABLE);
	assert_int_equal(dataref(skb), 3);
	assert_int_equal(in_use(xskb_skbuff_cache()), base_heads + 1);

	/* Original first: the pair lives on until the clone goes. */
	kfree_skb(skb);
	assert_int_equal(refcount_read(&fc->fclone_ref), 1);
	assert_int_equal(in_use(xskb_skbuff_fclone_cache()), base_fclones + 1);
	assert_int_equal(dataref(c1), 2);
	kfree_skb(c2);
	kfree_skb(c1);
	assert_int_equal(in_use(xskb_skbuff_fclone_cache()), base_fclones);

	/* Clone first, then the original; and an fclone never cloned. */
	skb = alloc_skb_fclone(64, GFP_KERNEL);
	c1 = skb_clone(skb, GFP_ATOMIC);
	kfree_skb(c1);
	assert_int_equal(refcount_read(&((struct sk_buff_fclones *)skb)->fclone_ref), 1);
	c1 = skb_clone(skb, GFP_ATOMIC);	/* skb2 reusable once freed */
	assert_ptr_equal(c1, &((struct sk_buff_fclones *)skb)->skb2);
	kfree_skb(c1);
	kfree_skb(skb);
	kfree_skb(alloc_skb_fclone(64, GFP_KERNEL));
	assert_int_equal(in_use(xskb_skbuff_fclone_cache()), base_fclones);
}

static void test_copy(void **state)
{
	struct sk_buff *skb = alloc_skb(600, GFP_KERNEL), *n, *c;
	unsigned char pattern[300];
	(void)state;

	skb_reserve(skb, 40);
	fill(pattern, 300, 1);
	skb_put_data(skb, pattern, 300);
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, 14);
	skb->mark = 99;
	skb->hash = 0xabcd;
	skb->priority = 3;
	memcpy(skb->cb, "cb-data", 8);
	c = skb_clone(skb, GFP_ATOMIC);

	n = skb_copy(skb, GFP_ATOMIC);
	assert_non_null(n);
	assert_ptr_not_equal(n->head, skb->head);
	assert_int_equal(skb_headroom(n), 40);
	assert_int_equal(n->len, 300);
	assert_memory_equal(n->data, pattern, 300);
	assert_false(n->cloned);
	assert_int_equal(dataref(n), 1);
	assert_int_equal(dataref(skb), 2);	/* the copy takes no data reference */
	assert_int_equal(n->mac_header, skb->mac_header);
	assert_int_equal(n->network_header, skb->network_header);
	assert_int_equal(n->mark, 99);
	assert_int_equal(n->hash, 0xabcd);
	assert_int_equal(n->priority, 3);
	assert_string_equal(n->cb, "cb-data");
	n->data[0] ^= 0xff;			/* private data */
	assert_int_equal(skb->data[0], pattern[0]);
	kfree_skb(n);

	/* pskb_copy: private head, same headroom and bytes */
	n = pskb_copy(skb, GFP_ATOMIC);
	assert_ptr_not_equal(n->head, skb->head);
	assert_int_equal(skb_headroom(n), 40);
	assert_int_equal(n->len, 300);
	assert_memory_equal(n->data, pattern, 300);
	kfree_skb(n);

	/* skb_unshare: cloned -> private copy, the old reference consumed */
	skb_get(c);
	n = skb_unshare(c, GFP_ATOMIC);
	assert_ptr_not_equal(n, c);
	assert_false(skb_cloned(n));
	assert_memory_equal(n->data, pattern, 300);
	assert_int_equal(refcount_read(&c->users), 1);
	kfree_skb(n);
	kfree_skb(c);
	assert_int_equal(dataref(skb), 1);
	assert_ptr_equal(skb_unshare(skb, GFP_ATOMIC), skb);	/* not cloned: same skb */

	/* skb_share_check: shared -> clone, one user handed over */
	skb_get(skb);
	n = skb_share_check(skb, GFP_ATOMIC);
	assert_ptr_not_equal(n, skb);
	assert_int_equal(refcount_read(&skb->users), 1);
	assert_int_equal(dataref(skb), 2);
	kfree_skb(n);
	assert_ptr_equal(skb_share_check(skb, GFP_ATOMIC), skb);
	kfree_skb(skb);
}

static void test_expand_head(void **state)
{
	struct sk_buff *skb = alloc_skb(200, GFP_KERNEL), *c;
	unsigned char pattern[100];
	unsigned char *old_head;
	unsigned int old_tailroom;
	(void)state;

	skb_reserve(skb, 16);
	fill(pattern, 100, 5);
	skb_put_data(skb, pattern, 100);
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, 14);
	old_tailroom = (unsigned int)skb_tailroom(skb);
	c = skb_clone(skb, GFP_ATOMIC);
	old_head = skb->head;

	assert_int_equal(pskb_expand_head(skb, 64, 128, GFP_ATOMIC), 0);
	assert_ptr_not_equal(skb->head, old_head);
	assert_int_equal(skb_headroom(skb), 16 + 64);
	assert_true((unsigned int)skb_tailroom(skb) >= old_tailroom + 128);
	assert_int_equal(skb_end_offset(skb), ksize(skb->head) - SHINFO);
	assert_int_equal(skb->len, 100);
	assert_memory_equal(skb->data, pattern, 100);
	assert_int_equal(skb->mac_header, 16 + 64);
	assert_int_equal(skb->network_header, 30 + 64);
	assert_false(skb->cloned);
	assert_int_equal(dataref(skb), 1);
	/* The clone keeps the old buffer, now unshared. */
	assert_ptr_equal(c->head, old_head);
	assert_int_equal(dataref(c), 1);
	assert_memory_equal(c->data, pattern, 100);
	kfree_skb(c);

	/* skb_cow_head: enough headroom and private -> untouched */
	old_head = skb->head;
	assert_int_equal(skb_cow_head(skb, 32), 0);
	assert_ptr_equal(skb->head, old_head);
	/* more headroom than present -> reallocated, aligned to NET_SKB_PAD */
	assert_int_equal(skb_cow_head(skb, 200), 0);
	assert_int_equal(skb_headroom(skb), 80 + 128);
	assert_memory_equal(skb->data, pattern, 100);
	/* header shared with a clone -> private copy */
	c = skb_clone(skb, GFP_ATOMIC);
	old_head = skb->head;
	assert_int_equal(skb_cow_head(skb, 0), 0);
	assert_ptr_not_equal(skb->head, old_head);
	assert_false(skb_header_cloned(skb));
	kfree_skb(c);

	/* skb_realloc_headroom: a new skb with the requested headroom */
	c = skb_realloc_headroom(skb, 1000);
	assert_non_null(c);
	assert_ptr_not_equal(c, skb);
	assert_true(skb_headroom(c) >= 1000);
	assert_memory_equal(c->data, pattern, 100);
	kfree_skb(c);
	c = skb_realloc_headroom(skb, 10);	/* already enough: a pskb_copy */
	assert_int_equal(skb_headroom(c), skb_headroom(skb));
	kfree_skb(c);
	kfree_skb(skb);
}

/* An skb with 40 linear bytes and two 1000-byte page fragments. */
static struct sk_buff *frag_skb(struct page **pg, unsigned char *expect)
{
	struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);

	skb_reserve(skb, 32);
	fill(expect, 2040, 11);
	skb_put_data(skb, expect, 40);
	for (int i = 0; i < 2; i++) {
		pg[i] = alloc_page(GFP_KERNEL);
		assert_non_null(pg[i]);
		assert_int_equal(page_ref_count(pg[i]), 1);
		memcpy((char *)page_address(pg[i]) + 100, expect + 40 + i * 1000, 1000);
		skb_add_rx_frag(skb, i, pg[i], 100, 1000, 4096);
	}
	return skb;
}

static void test_frags(void **state)
{
	unsigned char expect[2040], buf[2040], *p;
	struct page *pg[2];
	struct sk_buff *skb = frag_skb(pg, expect), *c;
	unsigned int truesize0 = SKB_TRUESIZE(skb_end_offset(skb));
	(void)state;

	assert_int_equal(skb->len, 2040);
	assert_int_equal(skb->data_len, 2000);
	assert_int_equal(skb_headlen(skb), 40);
	assert_true(skb_is_nonlinear(skb));
	assert_int_equal(skb_tailroom(skb), 0);
	assert_int_equal(skb->truesize, truesize0 + 8192);
	assert_int_equal(skb_shinfo(skb)->nr_frags, 2);
	assert_int_equal(skb_frag_size(&skb_shinfo(skb)->frags[1]), 1000);
	assert_int_equal(skb_frag_off(&skb_shinfo(skb)->frags[1]), 100);
	assert_ptr_equal(skb_frag_page(&skb_shinfo(skb)->frags[0]), pg[0]);
	assert_ptr_equal(skb_frag_address(&skb_shinfo(skb)->frags[0]),
			 (char *)page_address(pg[0]) + 100);

	/* copy_bits across linear and both frags, and from the headroom */
	assert_int_equal(skb_copy_bits(skb, 0, buf, 2040), 0);
	assert_memory_equal(buf, expect, 2040);
	assert_int_equal(skb_copy_bits(skb, 1030, buf, 20), 0);
	assert_memory_equal(buf, expect + 1030, 20);
	assert_int_equal(skb_copy_bits(skb, 2030, buf, 11), -EFAULT);
	assert_int_equal(skb_copy_bits(skb, -33, buf, 10), -EFAULT);
	assert_int_equal(skb_copy_bits(skb, -32, buf, 32), 0);

	/* header_pointer: in place when linear, copied when not, NULL past end */
	assert_ptr_equal(skb_header_pointer(skb, 10, 20, buf), skb->data + 10);
	memset(buf, 0, sizeof(buf));
	p = skb_header_pointer(skb, 30, 30, buf);
	assert_ptr_equal(p, buf);
	assert_memory_equal(p, expect + 30, 30);
	assert_null(skb_header_pointer(skb, 2000, 41, buf));

	/* pskb_copy shares the pages */
	c = pskb_copy(skb, GFP_ATOMIC);
	assert_int_equal(page_ref_count(pg[0]), 2);
	assert_int_equal(page_ref_count(pg[1]), 2);
	assert_int_equal(c->len, 2040);
	assert_int_equal(c->data_len, 2000);
	assert_int_equal(skb_copy_bits(c, 0, buf, 2040), 0);
	assert_memory_equal(buf, expect, 2040);
	kfree_skb(c);
	assert_int_equal(page_ref_count(pg[0]), 1);

	/* skb_copy linearises */
	c = skb_copy(skb, GFP_ATOMIC);
	assert_int_equal(c->len, 2040);
	assert_int_equal(c->data_len, 0);
	assert_int_equal(skb_headroom(c), 32);
	assert_memory_equal(c->data, expect, 2040);
	kfree_skb(c);

	/* pskb_may_pull: 50 more linear bytes come out of frag 0 */
	get_page(pg[0]);
	assert_true(pskb_may_pull(skb, 90));
	assert_int_equal(skb_headlen(skb), 90);
	assert_int_equal(skb->len, 2040);
	assert_int_equal(skb->data_len, 1950);
	assert_int_equal(skb_shinfo(skb)->nr_frags, 2);
	assert_int_equal(skb_frag_size(&skb_shinfo(skb)->frags[0]), 950);
	assert_int_equal(skb_frag_off(&skb_shinfo(skb)->frags[0]), 150);
	assert_memory_equal(skb->data, expect, 90);
	assert_false(pskb_may_pull(skb, 2041));

	/* pull all of frag 0 and some of frag 1: frag 0 released */
	assert_true(pskb_may_pull(skb, 1100));
	assert_int_equal(skb_shinfo(skb)->nr_frags, 1);
	assert_ptr_equal(skb_frag_page(&skb_shinfo(skb)->frags[0]), pg[1]);
	assert_int_equal(skb_frag_size(&skb_shinfo(skb)->frags[0]), 940);
	assert_int_equal(page_ref_count(pg[0]), 1);	/* only our extra ref left */
	assert_memory_equal(skb->data, expect, 1100);
	put_page(pg[0]);

	/* linearize: everything linear, pages released */
	get_page(pg[1]);
	assert_int_equal(skb_linearize(skb), 0);
	assert_int_equal(skb->data_len, 0);
	assert_int_equal(skb_shinfo(skb)->nr_frags, 0);
	assert_int_equal(skb_headlen(skb), 2040);
	assert_memory_equal(skb->data, expect, 2040);
	assert_int_equal(page_ref_count(pg[1]), 1);
	put_page(pg[1]);
	kfree_skb(skb);
}

static void test_pskb_trim(void **state)
{
	unsigned char expect[2040], buf[2040];
	struct page *pg[2];
	struct sk_buff *skb = frag_skb(pg, expect), *c;
	(void)state;

	get_page(pg[1]);
	assert_int_equal(pskb_trim(skb, 545), 0);	/* into frag 0 */
	assert_int_equal(skb->len, 545);
	assert_int_equal(skb->data_len, 505);
	assert_int_equal(skb_shinfo(skb)->nr_frags, 1);
	assert_int_equal(skb_frag_size(&skb_shinfo(skb)->frags[0]), 505);
	assert_int_equal(page_ref_count(pg[1]), 1);	/* frag 1 dropped */
	put_page(pg[1]);
	assert_int_equal(skb_copy_bits(skb, 0, buf, 545), 0);
	assert_memory_equal(buf, expect, 545);

	/* a cloned skb is unshared before trimming */
	c = skb_clone(skb, GFP_ATOMIC);
	assert_int_equal(pskb_trim(skb, 20), 0);	/* below headlen: linear only */
	assert_int_equal(skb->len, 20);
	assert_int_equal(skb->data_len, 0);
	assert_int_equal(skb_shinfo(skb)->nr_frags, 0);
	assert_ptr_equal(skb_tail_pointer(skb), skb->data + 20);
	assert_int_equal(c->len, 545);			/* the clone keeps its view */
	assert_int_equal(skb_copy_bits(c, 0, buf, 545), 0);
	assert_memory_equal(buf, expect, 545);
	kfree_skb(c);
	kfree_skb(skb);
}

static void test_frag_list(void **state)
{
	struct sk_buff *skb = alloc_skb(64, GFP_KERNEL), *a, *b, *c;
	unsigned char expect[330], buf[330];
	(void)state;

	fill(expect, 330, 21);
	skb_put_data(skb, expect, 30);
	a = alloc_skb(200, GFP_KERNEL);
	skb_put_data(a, expect + 30, 100);
	b = alloc_skb(400, GFP_KERNEL);
	skb_put_data(b, expect + 130, 200);
	a->next = b;
	skb_shinfo(skb)->frag_list = a;
	skb->len += 300;
	skb->data_len += 300;

	assert_true(skb_has_frag_list(skb));
	assert_int_equal(skb_copy_bits(skb, 0, buf, 330), 0);
	assert_memory_equal(buf, expect, 330);
	assert_int_equal(skb_copy_bits(skb, 120, buf, 50), 0);
	assert_memory_equal(buf, expect + 120, 50);

	/* pskb_copy takes a reference on each list skb */
	c = pskb_copy(skb, GFP_ATOMIC);
	assert_int_equal(refcount_read(&a->users), 2);
	assert_int_equal(refcount_read(&b->users), 2);
	kfree_skb(c);
	assert_int_equal(refcount_read(&a->users), 1);

	/* pull through the whole first list skb and into the second */
	assert_true(pskb_may_pull(skb, 150));
	assert_int_equal(skb_headlen(skb), 150);
	assert_int_equal(skb->len, 330);
	assert_ptr_equal(skb_shinfo(skb)->frag_list, b);	/* a eaten and freed */
	assert_int_equal(b->len, 180);
	assert_memory_equal(skb->data, expect, 150);
	assert_int_equal(skb_copy_bits(skb, 0, buf, 330), 0);
	assert_memory_equal(buf, expect, 330);

	assert_int_equal(skb_linearize(skb), 0);
	assert_null(skb_shinfo(skb)->frag_list);
	assert_memory_equal(skb->data, expect, 330);
	kfree_skb(skb);
}

static int destructor_calls;
static void count_destructor(struct sk_buff *skb)
{
	(void)skb;
	destructor_calls++;
}

static void test_destructor(void **state)
{
	struct sk_buff *skb = alloc_skb(64, GFP_KERNEL), *c;
	(void)state;

	destructor_calls = 0;
	skb->destructor = count_destructor;
	c = skb_clone(skb, GFP_ATOMIC);
	assert_null(c->destructor);
	kfree_skb(c);
	assert_int_equal(destructor_calls, 0);
	skb_get(skb);
	kfree_skb(skb);
	assert_int_equal(destructor_calls, 0);
	kfree_skb(skb);
	assert_int_equal(destructor_calls, 1);
}

struct owner_probe {
	struct xskb_head_owner owner;
	int calls;
	unsigned char *last;
};

static void probe_free_head(struct xskb_head_owner *o, unsigned char *head)
{
	struct owner_probe *p = (struct owner_probe *)o;

	p->calls++;
	p->last = head;
}

/* The data-release hook runs once, after the last clone, with the head. */
static void test_head_owner(void **state)
{
	static unsigned char frame[2048] __attribute__((aligned(64)));
	struct owner_probe probe = { .owner.free_head = probe_free_head };
	struct sk_buff *skb, *c1, *c2;
	(void)state;

	skb = build_skb(frame, sizeof(frame));
	assert_non_null(skb);
	assert_ptr_equal(skb->head, frame);
	assert_int_equal(skb_end_offset(skb), 2048 - SHINFO);
	assert_ptr_equal(skb_shinfo(skb), frame + 2048 - SHINFO);
	assert_int_equal(skb->head_frag, 1);
	skb->head_owner = &probe.owner;
	skb_reserve(skb, 256);
	skb_put(skb, 60);

	c1 = skb_clone(skb, GFP_ATOMIC);
	c2 = skb_clone(c1, GFP_ATOMIC);
	assert_int_equal(dataref(skb), 3);
	kfree_skb(skb);
	kfree_skb(c2);
	assert_int_equal(probe.calls, 0);
	consume_skb(c1);
	assert_int_equal(probe.calls, 1);
	assert_ptr_equal(probe.last, frame);

	/* skb_copy of an owned skb is private (kmalloc), releasing nothing. */
	skb = build_skb(frame, sizeof(frame));
	skb->head_owner = &probe.owner;
	skb_put(skb, 10);
	c1 = skb_copy(skb, GFP_ATOMIC);
	assert_null(c1->head_owner);
	kfree_skb(skb);
	assert_int_equal(probe.calls, 2);
	kfree_skb(c1);
	assert_int_equal(probe.calls, 2);

	/* Expanding the head gives the owned buffer back at once. */
	skb = build_skb(frame, sizeof(frame));
	skb->head_owner = &probe.owner;
	skb_reserve(skb, 16);
	skb_put(skb, 10);
	assert_int_equal(pskb_expand_head(skb, 64, 0, GFP_ATOMIC), 0);
	assert_int_equal(probe.calls, 3);
	assert_null(skb->head_owner);
	kfree_skb(skb);
	assert_int_equal(probe.calls, 3);
}

static void test_build_skb_kmalloc(void **state)
{
	void *data = kmalloc(1500, GFP_KERNEL);
	struct sk_buff *skb = build_skb(data, 0);	/* 0: kmalloc'd, size from ksize */
	(void)state;

	assert_int_equal(skb_end_offset(skb), 2048 - SHINFO);
	assert_int_equal(skb->head_frag, 0);
	kfree_skb(skb);					/* frees data with kfree */
}

static void test_napi_and_netdev_alloc(void **state)
{
	struct net_device dev = { .name = "veth-test", .ifindex = 7 };
	struct napi_struct napi = { .dev = &dev };
	struct sk_buff *skb;
	(void)state;

	/* small: a 1 KiB fragment; 704 bytes before the shared info */
	skb = napi_alloc_skb(&napi, 100);
	assert_non_null(skb);
	assert_ptr_equal(skb->dev, &dev);
	assert_int_equal(skb->head_frag, 1);
	assert_int_equal(skb_headroom(skb), NET_SKB_PAD + NET_IP_ALIGN);
	assert_int_equal(skb_end_offset(skb), 1024 - SHINFO);
	assert_int_equal(skb_tailroom(skb), 1024 - SHINFO - 64);
	assert_int_equal((uintptr_t)skb->data % 64, 0);
	skb_put(skb, 100);
	kfree_skb(skb);

	/* medium: SKB_HEAD_ALIGN(1564) = 1920 from the page fragment cache */
	skb = napi_alloc_skb(&napi, 1500);
	assert_int_equal(skb->head_frag, 1);
	assert_int_equal(skb_end_offset(skb), 1600);
	assert_int_equal(skb_tailroom(skb), 1600 - 64);
	kfree_skb(skb);

	/* large: kmalloc head (5064 -> 5440 -> 8192) */
	skb = napi_alloc_skb(&napi, 5000);
	assert_int_equal(skb->head_frag, 0);
	assert_int_equal(skb_end_offset(skb), 8192 - SHINFO);
	assert_int_equal(skb_tailroom(skb), 8192 - SHINFO - 64);
	assert_ptr_equal(skb->dev, &dev);
	kfree_skb(skb);

	/* GFP_KERNEL callers get a kmalloc head even when small */
	skb = __napi_alloc_skb(&napi, 100, GFP_KERNEL);
	assert_int_equal(skb->head_frag, 0);
	kfree_skb(skb);

	/* dev_alloc_skb: NULL device allowed, NET_SKB_PAD headroom */
	skb = dev_alloc_skb(200);
	assert_null(skb->dev);
	assert_int_equal(skb_headroom(skb), NET_SKB_PAD);
	assert_int_equal(skb->head_frag, 1);
	assert_int_equal(skb_end_offset(skb), SKB_DATA_ALIGN(264u));
	kfree_skb(skb);
	skb = netdev_alloc_skb(&dev, 6000);
	assert_ptr_equal(skb->dev, &dev);
	assert_int_equal(skb->head_frag, 0);
	assert_int_equal(skb_headroom(skb), NET_SKB_PAD);
	kfree_skb(skb);

	/* __alloc_skb with SKB_ALLOC_NAPI: head from the thread's cache */
	skb = __alloc_skb(100, GFP_ATOMIC, SKB_ALLOC_NAPI, NUMA_NO_NODE);
	assert_int_equal(skb->fclone, SKB_FCLONE_UNAVAILABLE);
	kfree_skb(skb);
	skb = __alloc_skb(100, GFP_ATOMIC, SKB_ALLOC_FCLONE | SKB_ALLOC_NAPI, NUMA_NO_NODE);
	assert_int_equal(skb->fclone, SKB_FCLONE_ORIG);
	kfree_skb(skb);
}

/* Fragments are recycled: a long run of napi allocations leaks no chunks. */
static void test_page_frag_recycling(void **state)
{
	struct napi_struct napi = { 0 };
	struct sk_buff *held[64];
	(void)state;

	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 64; i++) {
			held[i] = napi_alloc_skb(&napi, (unsigned int)(60 + (i * 37) % 1400));
			assert_non_null(held[i]);
			skb_put(held[i], 60);
			held[i]->data[0] = (unsigned char)i;
		}
		for (int i = 0; i < 64; i++) {
			assert_int_equal(held[i]->data[0], (unsigned char)i);
			consume_skb(held[i]);
		}
	}
}

static struct {
	int calls;
	enum skb_drop_reason last;
	struct sk_buff *skb;
} hook_seen;

static void drop_hook(struct sk_buff *skb, enum skb_drop_reason reason, void *arg)
{
	assert_ptr_equal(arg, &hook_seen);
	hook_seen.calls++;
	hook_seen.last = reason;
	hook_seen.skb = skb;
}

static void test_drop_reasons(void **state)
{
	unsigned long nosock = xskb_skb_drop_count(SKB_DROP_REASON_NO_SOCKET);
	unsigned long unspec = xskb_skb_drop_count(SKB_DROP_REASON_NOT_SPECIFIED);
	struct sk_buff *skb;
	(void)state;

	memset(&hook_seen, 0, sizeof(hook_seen));
	xskb_set_drop_hook(drop_hook, &hook_seen);
	skb = alloc_skb(64, GFP_KERNEL);
	skb_get(skb);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);	/* not the last user */
	assert_int_equal(hook_seen.calls, 0);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
	assert_int_equal(hook_seen.calls, 1);
	assert_int_equal(hook_seen.last, SKB_DROP_REASON_NO_SOCKET);
	assert_ptr_equal(hook_seen.skb, skb);
	assert_int_equal(xskb_skb_drop_count(SKB_DROP_REASON_NO_SOCKET), nosock + 1);

	consume_skb(alloc_skb(64, GFP_KERNEL));			/* not a drop */
	kfree_skb_reason(alloc_skb(64, GFP_KERNEL), SKB_CONSUMED);
	assert_int_equal(hook_seen.calls, 1);
	kfree_skb(alloc_skb(64, GFP_KERNEL));
	assert_int_equal(hook_seen.last, SKB_DROP_REASON_NOT_SPECIFIED);
	assert_int_equal(xskb_skb_drop_count(SKB_DROP_REASON_NOT_SPECIFIED), unspec + 1);
	xskb_set_drop_hook(NULL, NULL);
	kfree_skb(alloc_skb(64, GFP_KERNEL));
	assert_int_equal(hook_seen.calls, 2);
	assert_string_equal(xskb_drop_reason_str(SKB_DROP_REASON_NOMEM), "NOMEM");
	assert_string_equal(xskb_drop_reason_str((enum skb_drop_reason)999), "UNKNOWN");
	assert_int_equal(xskb_skb_drop_count((enum skb_drop_reason)999), 0);
}

/* ---- build_skb over memory xskb did not hand out as a fragment ------------- */

/*
 * The kernel idiom build_skb(page_address(alloc_page()), PAGE_SIZE): the skb
 * owns the page reference and put_page()s it after the last clone. The old
 * code freed such a head as one of xskb's 32 KiB fragment chunks, decrementing
 * an int in whatever kmalloc object lay at the chunk's last cache line, so the
 * page kept its reference (2 here, not 1).
 */
static void test_build_skb_page(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL), *big;
	unsigned char *va = page_address(page);
	struct sk_buff *skb, *c, *half[2];
	(void)state;

	assert_ptr_equal(virt_to_head_page(va), page);
	assert_ptr_equal(virt_to_head_page(va + PAGE_SIZE - 1), page);
	skb = build_skb(va, PAGE_SIZE);
	assert_non_null(skb);
	assert_int_equal(skb->head_frag, 1);
	assert_int_equal(skb_end_offset(skb), PAGE_SIZE - SHINFO);
	assert_ptr_equal(skb_shinfo(skb), va + PAGE_SIZE - SHINFO);
	skb_reserve(skb, NET_SKB_PAD);
	skb_put(skb, 100);
	get_page(page);				/* ours, to watch the skb's go */
	c = skb_clone(skb, GFP_ATOMIC);
	kfree_skb(skb);
	assert_int_equal(page_ref_count(page), 2);	/* the clone holds the data */
	consume_skb(c);
	assert_int_equal(page_ref_count(page), 1);

	/* Two heads on the halves of one page (drivers' page reuse): one ref each. */
	get_page(page);
	half[0] = napi_build_skb(va, PAGE_SIZE / 2);
	half[1] = build_skb(va + PAGE_SIZE / 2, PAGE_SIZE / 2);
	assert_ptr_equal(skb_shinfo(half[1]), va + PAGE_SIZE - SHINFO);
	get_page(page);
	assert_int_equal(page_ref_count(page), 3);
	kfree_skb(half[1]);
	kfree_skb(half[0]);
	assert_int_equal(page_ref_count(page), 1);

	/* Expanding the head gives the page back at once. */
	skb = build_skb(va, PAGE_SIZE);
	skb_put(skb, 20);
	get_page(page);
	assert_int_equal(pskb_expand_head(skb, 64, 0, GFP_ATOMIC), 0);
	assert_int_equal(page_ref_count(page), 1);
	assert_null(skb->head_owner);
	kfree_skb(skb);
	assert_int_equal(page_ref_count(page), 1);
	put_page(page);

	/* Inside a higher-order page, at an offset. */
	big = alloc_pages(GFP_KERNEL, 2);
	va = page_address(big);
	assert_ptr_equal(virt_to_head_page(va + 3 * PAGE_SIZE + 17), big);
	skb = build_skb(va + PAGE_SIZE, 2 * PAGE_SIZE);
	kfree_skb(skb);				/* the last reference: page freed */

	/* Memory alloc_pages() did not hand out has no page. */
	va = kmalloc(PAGE_SIZE, GFP_KERNEL);
	assert_null(virt_to_head_page(va));
	kfree(va);
	assert_null(virt_to_head_page(&skb));
}

static void build_skb_foreign_no_owner(void *arg)
{
	static unsigned char buf[2048] __attribute__((aligned(64)));
	struct sk_buff *skb = build_skb(buf, sizeof(buf));

	(void)arg;
	skb_put(skb, 60);
	kfree_skb(skb);			/* nobody said who frees buf */
}

static void build_skb_kmalloc_frag_no_owner(void *arg)
{
	/* A kmalloc object with a frag_size: the "unrelated live object". */
	void *obj = kmalloc(32768, GFP_KERNEL);
	struct sk_buff *skb = build_skb(obj, 2048);

	(void)arg;
	kfree_skb(skb);
}

static void build_skb_tiny(void *arg)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)arg;
	build_skb(page_address(page), SHINFO - 1);
}

static void build_skb_past_page(void *arg)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)arg;
	build_skb((char *)page_address(page) + 64, PAGE_SIZE);
}

/* A head whose owner is unknown is never guessed at: it aborts, named. */
static void test_build_skb_foreign_aborts(void **state)
{
	(void)state;
	expect_abort(build_skb_foreign_no_owner, NULL, "skb_free_head", "head_owner");
	expect_abort(build_skb_kmalloc_frag_no_owner, NULL, "skb_free_head", "head_owner");
	expect_abort(build_skb_tiny, NULL, "build_skb", "smaller than skb_shared_info");
	expect_abort(build_skb_past_page, NULL, "build_skb", "past the end of the page");
}

/* ---- eth_type_trans ------------------------------------------------------- */

static const unsigned char our_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 1 };

/* An skb of @len frame bytes (dst = our_mac, h_proto = @proto) whose
 * tailroom is filled with 0xFF: stale bytes a bad read would see. */
static struct sk_buff *eth_skb(unsigned int len, __u16 proto, const unsigned char *after)
{
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);
	unsigned char *p;

	skb_reserve(skb, 32);
	memset(skb_tail_pointer(skb), 0xFF, (size_t)skb_tailroom(skb));
	p = skb_put(skb, len);
	memset(p, 0, len);
	if (len >= ETH_ALEN)
		memcpy(p, our_mac, ETH_ALEN);
	if (len >= ETH_HLEN) {
		p[12] = (unsigned char)(proto >> 8);
		p[13] = (unsigned char)proto;
	}
	if (after && len >= ETH_HLEN + 2)
		memcpy(p + ETH_HLEN, after, 2);
	return skb;
}

static void test_eth_type_trans_802(void **state)
{
	static const unsigned char ffff[2] = { 0xFF, 0xFF }, llc[2] = { 0x42, 0x42 };
	struct net_device dev = { .name = "eth-test" };
	struct sk_buff *skb;
	unsigned char *data;
	(void)state;

	memcpy(dev.dev_addr, our_mac, ETH_ALEN);
	/* Ends at its header: 802.2, whatever the tailroom holds. */
	skb = eth_skb(ETH_HLEN, 0x0030, NULL);
	data = skb->data;
	assert_int_equal(ntohs(eth_type_trans(skb, &dev)), ETH_P_802_2);
	assert_int_equal(skb->len, 0);
	assert_ptr_equal(skb->data, data + ETH_HLEN);
	assert_ptr_equal(skb_mac_header(skb), data);
	assert_ptr_equal(skb->dev, &dev);
	assert_int_equal(skb->pkt_type, PACKET_HOST);
	kfree_skb(skb);
	/* Novell raw 802.3 */
	skb = eth_skb(ETH_HLEN + 2, 0x0030, ffff);
	assert_int_equal(ntohs(eth_type_trans(skb, &dev)), ETH_P_802_3);
	assert_int_equal(skb->len, 2);
	kfree_skb(skb);
	skb = eth_skb(ETH_HLEN + 2, 0x0030, llc);
	assert_int_equal(ntohs(eth_type_trans(skb, &dev)), ETH_P_802_2);
	kfree_skb(skb);
	/* Ethernet II, and the packet types */
	skb = eth_skb(60, ETH_P_IP, NULL);
	skb->data[0] = 0x02;
	skb->data[5] = 9;
	assert_int_equal(ntohs(eth_type_trans(skb, &dev)), ETH_P_IP);
	assert_int_equal(skb->pkt_type, PACKET_OTHERHOST);
	assert_int_equal(skb->len, 60 - ETH_HLEN);
	kfree_skb(skb);
	skb = eth_skb(60, ETH_P_IPV6, NULL);
	memset(skb->data, 0xFF, ETH_ALEN);
	assert_int_equal(ntohs(eth_type_trans(skb, NULL)), ETH_P_IPV6);
	assert_int_equal(skb->pkt_type, PACKET_BROADCAST);
	kfree_skb(skb);
}

/*
 * The two bytes after the header in frag 0 are read from there (as through
 * skb_header_pointer()), not from the linear tailroom. The old code judged
 * them by the readable linear length: 802.2 for a Novell frame.
 */
static void test_eth_type_trans_frags(void **state)
{
	struct sk_buff *skb;
	struct page *page;
	unsigned char *pa;
	(void)state;

	for (int novell = 0; novell < 2; novell++) {
		skb = eth_skb(ETH_HLEN, 0x0040, NULL);
		page = alloc_page(GFP_KERNEL);
		pa = page_address(page);
		pa[10] = novell ? 0xFF : 0xAA;
		pa[11] = novell ? 0xFF : 0xAA;
		skb_add_rx_frag(skb, 0, page, 10, 50, PAGE_SIZE);
		assert_int_equal(ntohs(eth_type_trans(skb, NULL)),
				 novell ? ETH_P_802_3 : ETH_P_802_2);
		assert_int_equal(skb->len, 50);
		assert_int_equal(skb_headlen(skb), 0);
		kfree_skb(skb);
	}
}

/*
 * A runt is not pulled: the old code's unchecked pull wrapped skb->len to
 * ~4 GiB. data and len stay; dev, the MAC header and pkt_type are set.
 */
static void test_eth_type_trans_runt(void **state)
{
	struct net_device dev = { .name = "eth-test" };
	struct sk_buff *skb;
	unsigned char *data;
	struct page *page;
	(void)state;

	memcpy(dev.dev_addr, our_mac, ETH_ALEN);
	for (unsigned int len = 0; len < ETH_HLEN; len++) {
		skb = eth_skb(len, 0, NULL);
		data = skb->data;
		assert_int_equal(ntohs(eth_type_trans(skb, &dev)), ETH_P_802_2);
		assert_int_equal(skb->len, len);
		assert_ptr_equal(skb->data, data);
		assert_ptr_equal(skb_tail_pointer(skb), data + len);
		assert_ptr_equal(skb_mac_header(skb), data);
		assert_ptr_equal(skb->dev, &dev);
		/* the missing address bytes read as zero, not as the 0xFF after */
		assert_int_equal(skb->pkt_type, len >= ETH_ALEN ? PACKET_HOST : PACKET_OTHERHOST);
		kfree_skb(skb);
	}
	/* 13 bytes, the last 3 in a fragment: the protocol's high byte is there */
	skb = eth_skb(10, 0, NULL);
	page = alloc_page(GFP_KERNEL);
	memcpy(page_address(page), "\x77\x77\x08", 3);
	skb_add_rx_frag(skb, 0, page, 0, 3, PAGE_SIZE);
	assert_int_equal(ntohs(eth_type_trans(skb, &dev)), ETH_P_IP);
	assert_int_equal(skb->len, 13);
	assert_int_equal(skb->data_len, 3);
	kfree_skb(skb);
}

/* ---- pskb_expand_head limits ---------------------------------------------- */

static void expand_negative(void *arg)
{
	struct sk_buff *skb = alloc_skb(100, GFP_KERNEL);

	(void)arg;
	pskb_expand_head(skb, -1, 0, GFP_ATOMIC);
}

/*
 * nhead + ntail + the old size wrapped in 32 bits: INT_MAX twice asked for a
 * head of osize - 2 bytes and copied to data + INT_MAX. A header offset that
 * no longer fits 16 bits once moved is refused too.
 */
static void test_expand_head_limits(void **state)
{
	struct sk_buff *skb = alloc_skb(100, GFP_KERNEL);
	unsigned char *head = skb->head;
	(void)state;

	skb_reserve(skb, 40);
	skb_put(skb, 30);
	skb_reset_mac_header(skb);
	assert_int_equal(pskb_expand_head(skb, INT_MAX, INT_MAX, GFP_ATOMIC), -ENOMEM);
	assert_int_equal(pskb_expand_head(skb, INT_MAX, 0, GFP_ATOMIC), -ENOMEM);
	assert_int_equal(pskb_expand_head(skb, 0, INT_MAX, GFP_ATOMIC), -ENOMEM);
	assert_int_equal(pskb_expand_head(skb, 1 << 29, 1 << 29, GFP_ATOMIC), -ENOMEM);
	assert_int_equal(pskb_expand_head(skb, 0xFFF0, 0, GFP_KERNEL), -ENOMEM);
	assert_ptr_equal(skb->head, head);
	assert_int_equal(skb_headroom(skb), 40);
	assert_int_equal(skb->len, 30);
	assert_int_equal(skb->mac_header, 40);
	assert_int_equal(pskb_expand_head(skb, 0xFFFE - 40, 0, GFP_KERNEL), 0);
	assert_int_equal(skb->mac_header, 0xFFFE);
	assert_true(skb_mac_header_was_set(skb));
	kfree_skb(skb);
	expect_abort(expand_negative, NULL, "pskb_expand_head", "negative");
}

/* ---- kernel divergences --------------------------------------------------- */

/* dev_kfree_skb_any() is a drop (NOT_SPECIFIED) in the kernel; the old
 * macro made it consume_skb(), unseen by the drop hook. */
static void test_dev_kfree_skb_any_drops(void **state)
{
	unsigned long unspec = xskb_skb_drop_count(SKB_DROP_REASON_NOT_SPECIFIED);
	(void)state;

	memset(&hook_seen, 0, sizeof(hook_seen));
	xskb_set_drop_hook(drop_hook, &hook_seen);
	dev_kfree_skb_any(alloc_skb(64, GFP_KERNEL));
	assert_int_equal(hook_seen.calls, 1);
	assert_int_equal(hook_seen.last, SKB_DROP_REASON_NOT_SPECIFIED);
	dev_kfree_skb_irq(alloc_skb(64, GFP_KERNEL));
	assert_int_equal(hook_seen.calls, 2);
	dev_kfree_skb_any_reason(alloc_skb(64, GFP_KERNEL), SKB_DROP_REASON_NOMEM);
	assert_int_equal(hook_seen.last, SKB_DROP_REASON_NOMEM);
	assert_int_equal(xskb_skb_drop_count(SKB_DROP_REASON_NOT_SPECIFIED), unspec + 2);
	/* the consume flavours stay consumes */
	dev_kfree_skb(alloc_skb(64, GFP_KERNEL));
	dev_consume_skb_any(alloc_skb(64, GFP_KERNEL));
	dev_consume_skb_irq(alloc_skb(64, GFP_KERNEL));
	assert_int_equal(hook_seen.calls, 3);
	xskb_set_drop_hook(NULL, NULL);
	dev_kfree_skb_any(NULL);
}

static void put_nonlinear(void *arg)
{
	unsigned char expect[2040];
	struct page *pg[2];
	struct sk_buff *skb = frag_skb(pg, expect);

	(void)arg;
	__skb_put(skb, 4);		/* the old code appended silently */
}

static void pull_into_frags(void *arg)
{
	unsigned char expect[2040];
	struct page *pg[2];
	struct sk_buff *skb = frag_skb(pg, expect);

	(void)arg;
	__skb_pull(skb, 41);		/* headlen is 40 */
}

static char warned[512];

static int capture_print(enum xskb_print_level level, const char *fmt, va_list ap)
{
	if (level == XSKB_LOG_WARN)
		vsnprintf(warned, sizeof(warned), fmt, ap);
	return 0;
}

static void test_nonlinear_put_trim(void **state)
{
	unsigned char expect[2040], buf[2040];
	struct page *pg[2];
	struct sk_buff *skb = frag_skb(pg, expect);
	xskb_print_fn_t old;
	(void)state;

	expect_abort(put_nonlinear, NULL, "__skb_put", "nonlinear");
	expect_abort(pull_into_frags, NULL, "__skb_pull", "paged");

	/* skb_trim on a nonlinear skb warns and leaves it (the old code aborted) */
	warned[0] = '\0';
	old = xskb_set_print(capture_print);
	skb_trim(skb, 20);
	__skb_trim(skb, 10);
	xskb_set_print(old);
	assert_non_null(strstr(warned, "__skb_trim"));
	assert_non_null(strstr(warned, "nonlinear"));
	assert_int_equal(skb->len, 2040);
	assert_int_equal(skb->data_len, 2000);
	assert_int_equal(skb_headlen(skb), 40);
	assert_int_equal(skb_copy_bits(skb, 0, buf, 2040), 0);
	assert_memory_equal(buf, expect, 2040);
	/* pskb_trim is the way */
	assert_int_equal(pskb_trim(skb, 20), 0);
	assert_int_equal(skb->len, 20);
	kfree_skb(skb);
}

static void test_atomic_alloc_normal_load(void **state)
{
	struct sk_buff *skbs[512];
	(void)state;

	/* Under normal load an atomic allocation succeeds, as in the kernel. */
	for (int i = 0; i < 512; i++) {
		skbs[i] = alloc_skb(1500, GFP_ATOMIC);
		assert_non_null(skbs[i]);
	}
	for (int i = 0; i < 512; i++)
		kfree_skb(skbs[i]);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_constants),
		T(test_alloc_geometry),
		T(test_data_ops),
		T(test_headers),
		T(test_overruns_abort),
		T(test_get_shared),
		T(test_clone),
		T(test_fclone),
		T(test_copy),
		T(test_expand_head),
		T(test_frags),
		T(test_pskb_trim),
		T(test_frag_list),
		T(test_destructor),
		T(test_head_owner),
		T(test_build_skb_kmalloc),
		T(test_napi_and_netdev_alloc),
		T(test_page_frag_recycling),
		T(test_drop_reasons),
		T(test_atomic_alloc_normal_load),
		T(test_build_skb_page),
		T(test_build_skb_foreign_aborts),
		T(test_eth_type_trans_802),
		T(test_eth_type_trans_frags),
		T(test_eth_type_trans_runt),
		T(test_expand_head_limits),
		T(test_dev_kfree_skb_any_drops),
		T(test_nonlinear_put_trim),
	};

	return cmocka_run_group_tests_name("skbuff", tests, NULL, NULL);
}
