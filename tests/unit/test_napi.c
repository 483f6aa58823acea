/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the NAPI receive path, driven by replay queues (the same
 * rings and code a socket uses): in-place skb geometry on UMEM frames, the
 * slab fallbacks (frame too small, copybreak, chains), page frags on frames,
 * frame recycling through clones/copies/other threads, budgets, drops and the
 * frame accounting invariant.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <xskb/napi.h>
#include <xskb/replay.h>

#include "test_helpers.h"

#define SHINFO		320u
#define XDP_HEADROOM	256u

static const unsigned char dev_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const unsigned char src_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

/* An Ethernet frame of @len bytes to @dst; payload byte i is (i * 7 + seed). */
static unsigned char *frame(unsigned int len, const unsigned char *dst, unsigned char seed)
{
	unsigned char *p = malloc(len);

	assert_non_null(p);
	for (unsigned int i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed);
	if (len >= 14) {
		memcpy(p, dst, 6);
		memcpy(p + 6, src_mac, 6);
		p[12] = 0x08;
		p[13] = 0x00;
	}
	return p;
}

/* ---- fixture: one UMEM, one replay queue, a handler that keeps skbs ----------- */

struct rx {
	struct xskb_umem *u;
	struct xskb_queue *q;
	struct sk_buff_head got;
	unsigned char *pkts[4];
	struct xskb_replay_pkt tpl[4];
};

static void keep(struct sk_buff *skb, void *arg)
{
	__skb_queue_tail(&((struct rx *)arg)->got, skb);
}

static void rx_setup(struct rx *r, unsigned int frame_size, unsigned int frames, unsigned int headroom,
		     struct xskb_queue_opts *qo, struct xskb_replay_opts *ro)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_size = frame_size, .frame_count = frames,
		  .headroom = headroom);

	__skb_queue_head_init(&r->got);
	assert_int_equal(xskb_umem__create(&r->u, -1, &uo), 0);
	qo->handler = keep;
	qo->handler_arg = r;
	assert_int_equal(xskb_replay__create(&r->q, r->u, qo, ro), 0);
}

/* Everything freed, everything back, accounting intact. */
static void rx_teardown(struct rx *r)
{
	struct xskb_frame_stats st;

	__skb_queue_purge(&r->got);
	assert_int_equal(xskb_umem__check(r->u), 0);
	assert_int_equal(xskb_queue__destroy(r->q), 0);
	assert_int_equal(xskb_umem__frame_stats(r->u, &st), 0);
	assert_int_equal(st.free, st.frames);
	assert_int_equal(st.held, 0);
	assert_int_equal(xskb_umem__delete(r->u), 0);
	for (int i = 0; i < 4; i++)
		free(r->pkts[i]);
}

static unsigned int held(struct rx *r)
{
	struct xskb_frame_stats st;

	assert_int_equal(xskb_umem__frame_stats(r->u, &st), 0);
	return st.held;
}

static bool in_umem(struct rx *r, const void *p)
{
	const unsigned char *a = xskb_umem__area(r->u);

	return (const unsigned char *)p >= a &&
	       (const unsigned char *)p < a + (size_t)xskb_umem__frame_size(r->u) *
						  xskb_umem__frame_count(r->u);
}

static void one_template(struct rx *r, unsigned int len, struct xskb_replay_opts *ro)
{
	r->pkts[0] = frame(len, dev_mac, 3);
	r->tpl[0].data = r->pkts[0];
	r->tpl[0].len = len;
	ro->pkts = r->tpl;
	ro->nr_pkts = 1;
}

/* ---- in place ------------------------------------------------------------------------ */

static void check_inplace(unsigned int umem_headroom)
{
	XSKB_OPTS(xskb_queue_opts, qo, .queue_id = 3);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 1);
	struct xskb_queue_stats st;
	struct sk_buff *skb;
	struct rx r = { 0 };
	unsigned int off = umem_headroom + XDP_HEADROOM;

	one_template(&r, 64, &ro);
	rx_setup(&r, 4096, 256, umem_headroom, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 1);
	assert_int_equal(skb_queue_len(&r.got), 1);
	skb = skb_peek(&r.got);

	/* The frame is the head: 4096-aligned, inside the UMEM. */
	assert_true(in_umem(&r, skb->head));
	assert_int_equal(((unsigned char *)skb->head - (unsigned char *)xskb_umem__area(r.u)) % 4096, 0);
	assert_int_equal(skb->end, 4096 - SHINFO);
	assert_ptr_equal(skb_shinfo(skb), skb->head + 4096 - SHINFO);
	assert_int_equal(skb->mac_header, off);
	assert_int_equal(skb_headroom(skb), off + ETH_HLEN);
	assert_int_equal(skb->network_header, off + ETH_HLEN);
	assert_int_equal(skb->len, 64 - ETH_HLEN);
	assert_int_equal(skb->data_len, 0);
	assert_int_equal(skb->tail, off + 64);
	assert_int_equal(skb_tailroom(skb), 4096 - SHINFO - off - 64);
	assert_memory_equal(skb_mac_header(skb), r.pkts[0], 64);
	assert_int_equal(skb->protocol, htons(ETH_P_IP));
	assert_int_equal(skb->pkt_type, PACKET_HOST);
	assert_int_equal(skb->mac_len, ETH_HLEN);
	assert_int_equal(skb->queue_mapping, 3);
	assert_string_equal(skb->dev->name, "replay0");
	assert_int_equal(skb->xsk_frame, 1);
	assert_int_equal(refcount_read(&skb->users), 1);
	assert_int_equal(atomic_read(&skb_shinfo(skb)->dataref), 1);
	assert_int_equal(skb_shinfo(skb)->nr_frags, 0);
	assert_int_equal(held(&r), 1);

	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.rx_packets, 1);
	assert_int_equal(st.rx_bytes, 64);
	assert_int_equal(st.rx_descs, 1);
	assert_int_equal(st.skb_inplace, 1);
	assert_int_equal(st.skb_slab, 0);

	consume_skb(__skb_dequeue(&r.got));
	assert_int_equal(held(&r), 0);
	rx_teardown(&r);
}

static void test_inplace_geometry(void **state)
{
	(void)state;
	check_inplace(0);
	check_inplace(128);	/* UMEM headroom adds to skb headroom */
}

/* With 2 KiB frames a packet fits in place up to 2048 - 256 - 320 = 1472 bytes. */
static void test_frame_too_small_takes_slab(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo);
	XSKB_OPTS(xskb_replay_opts, ro);
	struct xskb_queue_stats st;
	struct sk_buff *a, *b;
	struct rx r = { 0 };
	(void)state;

	r.pkts[0] = frame(1472, dev_mac, 1);
	r.pkts[1] = frame(1473, dev_mac, 2);
	r.tpl[0] = (struct xskb_replay_pkt){ r.pkts[0], 1472 };
	r.tpl[1] = (struct xskb_replay_pkt){ r.pkts[1], 1473 };
	ro.pkts = r.tpl;
	ro.nr_pkts = 2;
	ro.limit = 2;
	rx_setup(&r, 2048, 128, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 2);
	a = __skb_dequeue(&r.got);
	b = __skb_dequeue(&r.got);
	assert_true(in_umem(&r, a->head));
	assert_int_equal(a->len, 1472 - ETH_HLEN);
	assert_false(in_umem(&r, b->head));
	assert_int_equal(b->len, 1473 - ETH_HLEN);
	assert_int_equal(skb_headroom(b), NET_SKB_PAD + NET_IP_ALIGN + ETH_HLEN);
	assert_memory_equal(skb_mac_header(b), r.pkts[1], 1473);
	assert_int_equal(b->protocol, htons(ETH_P_IP));
	assert_int_equal(held(&r), 1);		/* the slab skb's frame went back at once */
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.skb_inplace, 1);
	assert_int_equal(st.skb_slab, 1);
	assert_int_equal(st.skb_copybreak, 0);
	assert_int_equal(st.rx_bytes, 1472 + 1473);
	kfree_skb(a);
	kfree_skb(b);
	rx_teardown(&r);
}

static void test_copybreak(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .copybreak = 128);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 2);
	struct xskb_queue_stats st;
	struct sk_buff *a, *b;
	struct rx r = { 0 };
	(void)state;

	r.pkts[0] = frame(128, dev_mac, 5);
	r.pkts[1] = frame(129, dev_mac, 6);
	r.tpl[0] = (struct xskb_replay_pkt){ r.pkts[0], 128 };
	r.tpl[1] = (struct xskb_replay_pkt){ r.pkts[1], 129 };
	ro.pkts = r.tpl;
	ro.nr_pkts = 2;
	rx_setup(&r, 4096, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 2);
	a = __skb_dequeue(&r.got);
	b = __skb_dequeue(&r.got);
	assert_false(in_umem(&r, a->head));
	assert_memory_equal(skb_mac_header(a), r.pkts[0], 128);
	assert_true(in_umem(&r, b->head));
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.skb_slab, 1);
	assert_int_equal(st.skb_copybreak, 1);
	assert_int_equal(st.skb_inplace, 1);
	assert_int_equal(held(&r), 1);
	consume_skb(a);
	consume_skb(b);
	rx_teardown(&r);
}

/* ---- references keep the frame ------------------------------------------------------- */

static void test_clone_and_copy(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 1);
	struct sk_buff *skb, *clone, *copy;
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 200, &ro);
	rx_setup(&r, 4096, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 8), 1);
	skb = __skb_dequeue(&r.got);

	clone = skb_clone(skb, GFP_ATOMIC);
	assert_non_null(clone);
	assert_ptr_equal(clone->data, skb->data);
	assert_int_equal(atomic_read(&skb_shinfo(skb)->dataref), 2);
	assert_true(skb_cloned(skb));
	copy = skb_copy(skb, GFP_ATOMIC);
	assert_non_null(copy);
	assert_false(in_umem(&r, copy->head));
	assert_int_equal(copy->len, skb->len);
	assert_memory_equal(copy->data, skb->data, skb->len);
	assert_int_equal(copy->mac_header - skb_headroom(copy), skb->mac_header - skb_headroom(skb));
	assert_int_equal(copy->xsk_frame, 0);
	assert_int_equal(held(&r), 1);

	kfree_skb(skb);
	assert_int_equal(held(&r), 1);		/* the clone still has it */
	assert_false(skb_cloned(clone));
	kfree_skb(clone);
	assert_int_equal(held(&r), 0);		/* last reference: back to the UMEM */
	assert_memory_equal(skb_mac_header(copy), r.pkts[0], 200);
	kfree_skb(copy);
	rx_teardown(&r);
}

static void test_expand_head_releases_frame(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 1);
	struct sk_buff *skb;
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 100, &ro);
	rx_setup(&r, 4096, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 8), 1);
	skb = __skb_dequeue(&r.got);
	skb_push(skb, ETH_HLEN);
	assert_int_equal(pskb_expand_head(skb, 64, 0, GFP_ATOMIC), 0);
	assert_false(in_umem(&r, skb->head));
	assert_int_equal(skb->xsk_frame, 0);
	assert_int_equal(held(&r), 0);
	assert_memory_equal(skb->data, r.pkts[0], 100);
	kfree_skb(skb);
	rx_teardown(&r);
}

/* ---- multi-buffer chains ------------------------------------------------------------------ */

/* 5000 bytes in 2 KiB frames: 1792 + 1792 + 1416 in three descriptors. */
static void test_chain_slab(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .multi_buffer = true, .mb_mode = XSKB_MB_SLAB);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 2);
	struct xskb_queue_stats st;
	struct sk_buff *skb;
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 5000, &ro);
	rx_setup(&r, 2048, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 2);
	assert_int_equal(skb_queue_len(&r.got), 2);
	skb = skb_peek(&r.got);
	assert_false(in_umem(&r, skb->head));
	assert_int_equal(skb->len, 5000 - ETH_HLEN);
	assert_int_equal(skb->data_len, 0);
	assert_memory_equal(skb_mac_header(skb), r.pkts[0], 5000);
	assert_int_equal(held(&r), 0);
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.rx_descs, 6);
	assert_int_equal(st.rx_packets, 2);
	assert_int_equal(st.rx_bytes, 10000);
	assert_int_equal(st.skb_slab, 2);
	assert_int_equal(st.skb_frags, 0);
	rx_teardown(&r);
}

/* The budget counts packets, not descriptors: a poll takes as many
 * three-descriptor chains as the budget allows, when the ring holds them. */
static void test_chain_budget(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .multi_buffer = true, .mb_mode = XSKB_MB_SLAB,
		  .rx_size = 512, .fill_size = 512);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 100);
	struct xskb_queue_stats st;
	struct rx r = { 0 };
	unsigned int total = 16;
	(void)state;

	one_template(&r, 5000, &ro);
	rx_setup(&r, 2048, 1024, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 16), 16);
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.rx_descs, 48);
	assert_int_equal(st.rx_packets, 16);
	for (int i = 0; i < 10 && total < 100; i++) {
		int n = xskb_queue__poll(r.q, 16);

		assert_int_equal(n, 100 - total < 16 ? 100 - total : 16);
		total += (unsigned int)n;
	}
	assert_int_equal(total, 100);
	assert_int_equal(xskb_queue__poll(r.q, 16), 0);
	assert_int_equal(skb_queue_len(&r.got), 100);
	rx_teardown(&r);
}

static void test_chain_frags(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .multi_buffer = true, .mb_mode = XSKB_MB_FRAGS);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 1);
	struct xskb_queue_stats st;
	unsigned char buf[5000];
	struct skb_shared_info *sh;
	struct sk_buff *skb, *clone;
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 5000, &ro);
	rx_setup(&r, 2048, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 1);
	skb = __skb_dequeue(&r.got);
	sh = skb_shinfo(skb);
	/* 256 header bytes linear, then the rest of frame 1 and frames 2, 3. */
	assert_false(in_umem(&r, skb->head));
	assert_int_equal(skb_headlen(skb), 256 - ETH_HLEN);
	assert_int_equal(skb->len, 5000 - ETH_HLEN);
	assert_int_equal(skb->data_len, 5000 - 256);
	assert_int_equal(sh->nr_frags, 3);
	assert_int_equal(skb_frag_size(&sh->frags[0]), 1792 - 256);
	assert_int_equal(skb_frag_off(&sh->frags[0]), XDP_HEADROOM + 256);
	assert_int_equal(skb_frag_size(&sh->frags[1]), 1792);
	assert_int_equal(skb_frag_size(&sh->frags[2]), 1416);
	for (int i = 0; i < 3; i++) {
		assert_true(in_umem(&r, skb_frag_address(&sh->frags[i])));
		assert_int_equal(page_ref_count(skb_frag_page(&sh->frags[i])), 1);
	}
	skb_push(skb, ETH_HLEN);
	assert_int_equal(skb_copy_bits(skb, 0, buf, 5000), 0);
	assert_memory_equal(buf, r.pkts[0], 5000);
	assert_int_equal(held(&r), 3);

	/* Clones share the frags; pulling headers makes them linear. */
	clone = skb_clone(skb, GFP_ATOMIC);
	kfree_skb(skb);
	assert_int_equal(held(&r), 3);
	assert_true(pskb_may_pull(clone, 600));		/* part of frame 1's frag */
	assert_int_equal(skb_headlen(clone), 600);
	assert_memory_equal(clone->data, r.pkts[0], 600);
	assert_int_equal(skb_shinfo(clone)->nr_frags, 3);
	assert_int_equal(skb_frag_size(&skb_shinfo(clone)->frags[0]), 1792 - 600);
	assert_int_equal(held(&r), 3);
	assert_true(pskb_may_pull(clone, 1800));	/* all of it: frame 1 goes back */
	assert_int_equal(skb_headlen(clone), 1800);
	assert_memory_equal(clone->data, r.pkts[0], 1800);
	assert_int_equal(skb_shinfo(clone)->nr_frags, 2);
	assert_int_equal(skb_frag_size(&skb_shinfo(clone)->frags[0]), 1792 - 8);
	assert_int_equal(held(&r), 2);
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.skb_frags, 1);
	assert_int_equal(st.rx_descs, 3);
	kfree_skb(clone);
	assert_int_equal(held(&r), 0);
	rx_teardown(&r);
}

/* Without multi-buffer the "kernel" drops what does not fit, as AF_XDP does. */
static void test_chain_needs_multi_buffer(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 3);
	struct rx r = { 0 };
	(void)state;

	r.pkts[0] = frame(64, dev_mac, 1);
	r.pkts[1] = frame(3000, dev_mac, 2);
	r.tpl[0] = (struct xskb_replay_pkt){ r.pkts[0], 64 };
	r.tpl[1] = (struct xskb_replay_pkt){ r.pkts[1], 3000 };
	ro.pkts = r.tpl;
	ro.nr_pkts = 2;
	rx_setup(&r, 2048, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 2);
	assert_int_equal(skb_queue_len(&r.got), 2);
	assert_int_equal(skb_peek(&r.got)->len, 50);
	assert_int_equal(skb_peek_tail(&r.got)->len, 50);
	assert_int_equal(xskb_replay__produced(r.q), 3);
	{
		struct xskb_queue_stats st;

		assert_int_equal(xskb_queue__stats(r.q, &st), 0);
		assert_int_equal(st.xdp_rx_dropped, 1);	/* as XDP_STATISTICS would say */
	}
	rx_teardown(&r);
}

/* Every template too big and no multi-buffer: polls return, drops count. */
static void test_replay_all_dropped(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 64, .fill_size = 64);
	XSKB_OPTS(xskb_replay_opts, ro);
	struct xskb_queue_stats st;
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 3000, &ro);	/* no limit */
	rx_setup(&r, 2048, 128, 0, &qo, &ro);
	for (int i = 0; i < 3; i++)
		assert_int_equal(xskb_queue__poll(r.q, 64), 0);
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.xdp_rx_dropped, 3 * 64);
	assert_int_equal(st.rx_packets, 0);
	rx_teardown(&r);
}

/* ---- drops, budgets, lists ---------------------------------------------------------------------- */

static void test_runt_dropped(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 5);
	struct xskb_queue_stats st;
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 10, &ro);
	rx_setup(&r, 4096, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 5);		/* processed ... */
	assert_int_equal(skb_queue_len(&r.got), 0);		/* ... none delivered */
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.drops[XSKB_DROP_RUNT], 5);
	assert_int_equal(st.rx_packets, 0);
	assert_int_equal(held(&r), 0);
	assert_string_equal(xskb_rx_drop_str(XSKB_DROP_RUNT), "runt");
	rx_teardown(&r);
}

static void test_budget_and_list(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 256, .fill_size = 256);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 300);
	struct sk_buff_head list;
	struct rx r = { 0 };
	unsigned int total = 0;
	(void)state;

	one_template(&r, 60, &ro);
	rx_setup(&r, 4096, 1024, 0, &qo, &ro);
	__skb_queue_head_init(&list);
	assert_int_equal(xskb_queue__receive(r.q, &list, 64), 64);
	assert_int_equal(skb_queue_len(&list), 64);
	assert_int_equal(xskb_queue__poll(r.q, 100), 100);
	assert_int_equal(skb_queue_len(&r.got), 100);
	for (int i = 0; i < 10; i++) {
		int n = xskb_queue__receive(r.q, &list, 64);

		assert_true(n >= 0 && n <= 64);
		total += (unsigned int)n;
	}
	assert_int_equal(total, 136);
	assert_int_equal(skb_queue_len(&list), 200);
	assert_int_equal(held(&r), 300);
	__skb_queue_purge(&list);
	assert_int_equal(xskb_queue__poll(r.q, 0), -EINVAL);
	assert_int_equal(xskb_queue__receive(r.q, NULL, 8), -EINVAL);
	rx_teardown(&r);
}

/* eth_type_trans()'s protocol for length-field frames, on the in-place path:
 * raw 802.3 (payload opens with 0xFFFF) and 802.2 LLC, to us and to others. */
static void test_8023_protocols(void **state)
{
	static const unsigned char other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct net_device dev = { .name = "lab0", .ifindex = 7 };
	XSKB_OPTS(xskb_queue_opts, qo);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 4, .dev = &dev);
	static const struct { int raw, host, proto, type; } want[4] = {
		{ 1, 1, ETH_P_802_3, PACKET_HOST },
		{ 0, 1, ETH_P_802_2, PACKET_HOST },
		{ 1, 0, ETH_P_802_3, PACKET_OTHERHOST },
		{ 0, 0, ETH_P_802_2, PACKET_OTHERHOST },
	};
	struct rx r = { 0 };
	(void)state;

	memcpy(dev.dev_addr, dev_mac, 6);
	for (int i = 0; i < 4; i++) {
		r.pkts[i] = frame(60, want[i].host ? dev_mac : other, 3);
		r.pkts[i][12] = 0x00;	/* length 46: an 802.3 frame */
		r.pkts[i][13] = 46;
		r.pkts[i][14] = want[i].raw ? 0xff : 0xaa;
		r.pkts[i][15] = want[i].raw ? 0xff : 0xaa;
		r.tpl[i] = (struct xskb_replay_pkt){ r.pkts[i], 60 };
	}
	ro.pkts = r.tpl;
	ro.nr_pkts = 4;
	rx_setup(&r, 4096, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 4);
	for (int i = 0; i < 4; i++) {
		struct sk_buff *skb = __skb_dequeue(&r.got);

		assert_true(skb->xsk_frame);
		assert_int_equal(ntohs(skb->protocol), want[i].proto);
		assert_int_equal(skb->pkt_type, want[i].type);
		assert_int_equal(skb->len, 60 - ETH_HLEN);
		kfree_skb(skb);
	}
	rx_teardown(&r);
}

/* A device address is unicast: the replay queue refuses a multicast one and
 * picks a unicast default when the template's destination is multicast. */
/*
 * skb->dev is the caller's device itself (the old code pointed it at a copy
 * inside the queue), and with the built-in device an in-place skb kept past
 * xskb_queue__destroy() still reads a live skb->dev (the old code freed it
 * with the queue: memcheck and ASan flag the read).
 */
static void test_replay_skb_dev(void **state)
{
	struct net_device dev = { .name = "mine0", .ifindex = 7 };
	XSKB_OPTS(xskb_queue_opts, qo);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 1, .dev = &dev);
	struct sk_buff *skb;
	struct rx r = { 0 };
	(void)state;

	memcpy(dev.dev_addr, dev_mac, 6);
	one_template(&r, 64, &ro);
	rx_setup(&r, 4096, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 1);
	assert_ptr_equal(skb_peek(&r.got)->dev, &dev);
	assert_ptr_equal(xskb_queue__napi(r.q)->dev, &dev);
	rx_teardown(&r);

	memset(&r, 0, sizeof(r));
	ro.dev = NULL;
	one_template(&r, 64, &ro);
	rx_setup(&r, 4096, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 1);
	skb = __skb_dequeue(&r.got);
	assert_int_equal(xskb_queue__destroy(r.q), 0);
	assert_string_equal(skb->dev->name, "replay0");
	assert_memory_equal(skb->dev->dev_addr, dev_mac, 6);
	kfree_skb(skb);
	assert_int_equal(xskb_umem__delete(r.u), 0);
	free(r.pkts[0]);
}

static void test_replay_dev_mac(void **state)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char laa[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct net_device dev = { .name = "mcast0", .ifindex = 3 };
	XSKB_OPTS(xskb_umem_opts, uo, .frame_count = 64);
	XSKB_OPTS(xskb_queue_opts, qo);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 2, .dev = &dev);
	struct xskb_queue *q = NULL;
	struct xskb_umem *u;
	struct rx r = { 0 };
	struct sk_buff *skb;
	(void)state;

	r.pkts[0] = frame(60, bcast, 1);
	r.tpl[0] = (struct xskb_replay_pkt){ r.pkts[0], 60 };
	ro.pkts = r.tpl;
	ro.nr_pkts = 1;
	memcpy(dev.dev_addr, bcast, 6);
	assert_int_equal(xskb_umem__create(&u, -1, &uo), 0);
	assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), -EINVAL);
	assert_null(q);
	assert_int_equal(xskb_umem__delete(u), 0);

	ro.dev = NULL;
	rx_setup(&r, 4096, 64, 0, &qo, &ro);
	assert_memory_equal(xskb_queue__napi(r.q)->dev->dev_addr, laa, 6);
	assert_int_equal(xskb_queue__poll(r.q, 64), 2);
	while ((skb = __skb_dequeue(&r.got))) {
		assert_int_equal(skb->pkt_type, PACKET_BROADCAST);
		kfree_skb(skb);
	}
	rx_teardown(&r);
}

static void test_pkt_types(void **state)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const unsigned char other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct net_device dev = { .name = "lab0", .ifindex = 7 };
	XSKB_OPTS(xskb_queue_opts, qo);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 4, .dev = &dev);
	struct rx r = { 0 };
	(void)state;

	memcpy(dev.dev_addr, dev_mac, 6);
	r.pkts[0] = frame(60, dev_mac, 1);
	r.pkts[1] = frame(60, bcast, 1);
	r.pkts[2] = frame(60, mcast, 1);
	r.pkts[3] = frame(60, other, 1);
	for (int i = 0; i < 4; i++)
		r.tpl[i] = (struct xskb_replay_pkt){ r.pkts[i], 60 };
	ro.pkts = r.tpl;
	ro.nr_pkts = 4;
	rx_setup(&r, 4096, 64, 0, &qo, &ro);
	assert_int_equal(xskb_queue__poll(r.q, 64), 4);
	{
		static const int want[4] = { PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST,
					     PACKET_OTHERHOST };

		for (int i = 0; i < 4; i++) {
			struct sk_buff *skb = __skb_dequeue(&r.got);

			assert_int_equal(skb->pkt_type, want[i]);
			assert_ptr_equal(skb->dev, xskb_queue__napi(r.q)->dev);
			assert_int_equal(skb->skb_iif, 7);
			kfree_skb(skb);
		}
	}
	rx_teardown(&r);
}

/* ---- frames come back: other threads, starvation ------------------------------------------------ */

static void *free_list(void *arg)
{
	__skb_queue_purge((struct sk_buff_head *)arg);
	return NULL;
}

static void test_free_on_other_thread(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 128, .fill_size = 128);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 200);
	struct xskb_frame_stats st;
	pthread_t t;
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 64, &ro);
	rx_setup(&r, 4096, 512, 0, &qo, &ro);
	while (xskb_queue__poll(r.q, 64) > 0)
		;
	assert_int_equal(skb_queue_len(&r.got), 200);
	assert_int_equal(held(&r), 200);
	assert_int_equal(pthread_create(&t, NULL, free_list, &r.got), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	/* On the remote-free list now: counted free, not yet on the stack. */
	assert_int_equal(xskb_umem__frame_stats(r.u, &st), 0);
	assert_int_equal(st.held, 0);
	assert_int_equal(st.free + st.fill, 512);
	assert_int_equal(xskb_umem__check(r.u), 0);
	assert_int_equal(xskb_queue__poll(r.q, 64), 0);	/* drains the list */
	assert_int_equal(xskb_umem__check(r.u), 0);
	rx_teardown(&r);
}

static void *poll_once(void *arg)
{
	return (void *)(long)xskb_queue__poll(arg, 64);
}

/*
 * A thread polls a queue directly and exits: the queue is not stuck with a
 * dead owner (the old code answered -EBUSY forever to every other thread),
 * a new thread that may reuse its TLS block claims the UMEM afresh, and the
 * owner's skbs freed after it exited come back.
 */
static void test_owner_thread_exits(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 64, .fill_size = 64);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 30);
	void *ret;
	pthread_t t;
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 64, &ro);
	rx_setup(&r, 4096, 128, 0, &qo, &ro);
	assert_int_equal(pthread_create(&t, NULL, poll_once, r.q), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_int_equal((long)ret, 30);
	/* Another thread, possibly on the same stack and TLS block. */
	ro.limit = 0;
	assert_int_equal(pthread_create(&t, NULL, poll_once, r.q), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_int_equal((long)ret, 0);
	/* And this one: frees, polls, destroys. */
	__skb_queue_purge(&r.got);
	assert_int_equal(xskb_queue__poll(r.q, 64), 0);
	assert_int_equal(held(&r), 0);
	rx_teardown(&r);
}

struct freeer {
	struct sk_buff_head list;
	pthread_t t;
};

static unsigned int checks_done;

static void *free_slowly(void *arg)
{
	struct freeer *f = arg;
	struct sk_buff *skb;
	unsigned int n = 0, seen = 0;

	while ((skb = __skb_dequeue(&f->list))) {
		kfree_skb(skb);
		/* Every 200 frees, let the checker run (valgrind serialises
		 * threads: without this the frees could all come first). */
		if (++n % 200)
			continue;
		for (int i = 0; i < 100000 && __atomic_load_n(&checks_done, __ATOMIC_ACQUIRE) == seen;
		     i++)
			sched_yield();
		seen = __atomic_load_n(&checks_done, __ATOMIC_ACQUIRE);
	}
	return NULL;
}

/*
 * xskb_umem__check() on the polling thread while two other threads free
 * skbs: it never reports a broken invariant that is only a free in flight
 * (the old code bumped the remote-free count after publishing the frame, so
 * the count and the list disagreed for a moment).
 */
static void test_check_during_remote_frees(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 2048, .fill_size = 2048);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 4000);
	struct freeer f[2];
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 64, &ro);
	rx_setup(&r, 2048, 8192, 0, &qo, &ro);
	while (xskb_queue__poll(r.q, 64) > 0)
		;
	assert_int_equal(skb_queue_len(&r.got), 4000);
	for (int k = 0; k < 2; k++) {
		__skb_queue_head_init(&f[k].list);
		for (int i = 0; i < 2000; i++)
			__skb_queue_tail(&f[k].list, __skb_dequeue(&r.got));
	}
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&f[k].t, NULL, free_slowly, &f[k]), 0);
	__atomic_store_n(&checks_done, 0, __ATOMIC_RELEASE);
	while (held(&r) > 0) {
		assert_int_equal(xskb_umem__check(r.u), 0);
		__atomic_add_fetch(&checks_done, 1, __ATOMIC_RELEASE);
	}
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_join(f[k].t, NULL), 0);
	assert_true(checks_done >= 10);
	assert_int_equal(xskb_umem__check(r.u), 0);
	rx_teardown(&r);
}

/* A handler that keeps every skb runs the UMEM dry, but for the eighth of it
 * the refill leaves for transmit copies; freeing them restarts it. */
static void test_fill_starvation(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 32, .fill_size = 32);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 100);
	struct xskb_queue_stats st;
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 64, &ro);
	rx_setup(&r, 4096, 48, 0, &qo, &ro);
	for (int i = 0; i < 20; i++)
		xskb_queue__poll(r.q, 64);
	assert_int_equal(skb_queue_len(&r.got), 48 - 48 / 8);	/* all but the TX reserve */
	assert_int_equal(held(&r), 48 - 48 / 8);
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_true(st.fill_starved > 0);
	__skb_queue_purge(&r.got);
	for (int i = 0; i < 20; i++) {
		xskb_queue__poll(r.q, 64);
		__skb_queue_purge(&r.got);
	}
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.rx_packets, 100);
	rx_teardown(&r);
}

/* Random holding and freeing: the invariant holds after every poll. */
static void test_accounting_churn(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 64, .fill_size = 64, .copybreak = 70);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 5000);
	struct sk_buff *kept[64];
	unsigned int nkept = 0, seed = 12345;
	struct rx r = { 0 };
	(void)state;

	r.pkts[0] = frame(64, dev_mac, 1);
	r.pkts[1] = frame(500, dev_mac, 2);
	r.pkts[2] = frame(2000, dev_mac, 3);
	r.tpl[0] = (struct xskb_replay_pkt){ r.pkts[0], 64 };
	r.tpl[1] = (struct xskb_replay_pkt){ r.pkts[1], 500 };
	r.tpl[2] = (struct xskb_replay_pkt){ r.pkts[2], 2000 };
	ro.pkts = r.tpl;
	ro.nr_pkts = 3;
	qo.multi_buffer = true;
	qo.mb_mode = XSKB_MB_FRAGS;
	rx_setup(&r, 2048, 256, 0, &qo, &ro);
	for (int round = 0; round < 400; round++) {
		struct sk_buff *skb;

		xskb_queue__poll(r.q, 16);
		while ((skb = __skb_dequeue(&r.got))) {
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 3 == 0 && nkept < 64)
				kept[nkept++] = (seed >> 20) & 1 ? skb_clone(skb, GFP_ATOMIC) : skb_get(skb);
			kfree_skb(skb);
		}
		if (nkept && (seed >> 8) % 4 == 0)
			kfree_skb(kept[--nkept]);
		assert_int_equal(xskb_umem__check(r.u), 0);
	}
	while (nkept)
		kfree_skb(kept[--nkept]);
	while (xskb_queue__poll(r.q, 64) > 0)
		__skb_queue_purge(&r.got);
	assert_int_equal(xskb_replay__produced(r.q), 5000);
	rx_teardown(&r);
}

/* Two queues on one UMEM (XDP_SHARED_UMEM's model): separate fill states. */
static void test_shared_umem(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 64, .fill_size = 64);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = 10);
	struct xskb_queue *q2;
	struct xskb_frame_stats st;
	struct rx r = { 0 };
	(void)state;

	one_template(&r, 64, &ro);
	rx_setup(&r, 4096, 256, 0, &qo, &ro);
	qo.queue_id = 1;
	assert_int_equal(xskb_replay__create(&q2, r.u, &qo, &ro), 0);
	assert_int_equal(xskb_umem__frame_stats(r.u, &st), 0);
	assert_int_equal(st.fill, 128);
	assert_int_equal(xskb_queue__poll(r.q, 64), 10);
	assert_int_equal(xskb_queue__poll(q2, 64), 10);
	assert_int_equal(skb_queue_len(&r.got), 20);
	assert_int_equal(skb_peek_tail(&r.got)->queue_mapping, 1);
	assert_int_equal(xskb_umem__check(r.u), 0);
	assert_int_equal(xskb_queue__destroy(q2), 0);
	assert_int_equal(xskb_umem__check(r.u), 0);
	rx_teardown(&r);
}

/* The NAPI loop in its own thread drains a replay queue and stops on request. */
static unsigned long napi_count;

static void count_and_free(struct sk_buff *skb, void *arg)
{
	(void)arg;
	__atomic_fetch_add(&napi_count, 1, __ATOMIC_RELAXED);
	consume_skb(skb);
}

static void test_napi_thread(void **state)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_count = 1024);
	XSKB_OPTS(xskb_queue_opts, qo, .handler = count_and_free, .rx_size = 256, .fill_size = 256);
	XSKB_OPTS(xskb_napi_opts, no, .budget = 32, .idle_usec = 100, .sleep_ms = 1);
	unsigned char *pkt = frame(64, dev_mac, 9);
	struct xskb_replay_pkt tpl = { pkt, 64 };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &tpl, .nr_pkts = 1, .limit = 20000);
	struct xskb_napi_stats ns;
	struct xskb_queue_stats st;
	struct xskb_napi *napi;
	struct xskb_umem *u;
	struct xskb_queue *q;
	(void)state;

	assert_int_equal(xskb_umem__create(&u, -1, &uo), 0);
	assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), 0);
	assert_int_equal(xskb_napi__create(&napi, &q, 1, &no), 0);
	assert_int_equal(xskb_napi__start(napi), 0);
	assert_int_equal(xskb_napi__start(napi), -EALREADY);
	for (int i = 0; i < 5000 && __atomic_load_n(&napi_count, __ATOMIC_RELAXED) < 20000; i++)
		usleep(1000);
	/* With nothing left to receive it must go to sleep (idle_usec 100). */
	for (int i = 0; i < 5000 && (xskb_napi__stats(napi, &ns), ns.sleeps == 0); i++)
		usleep(1000);
	xskb_napi__stop(napi, true);
	assert_int_equal(napi_count, 20000);
	assert_int_equal(xskb_napi__stats(napi, &ns), 0);
	assert_int_equal(ns.packets, 20000);
	assert_true(ns.busy_rounds > 0 && ns.rounds >= ns.busy_rounds);
	assert_true(ns.sleeps > 0);	/* it idled after the last packet */
	/* The loop gave the UMEM up: this thread may poll it now. */
	assert_int_equal(xskb_queue__poll(q, 8), 0);
	assert_int_equal(xskb_queue__stats(q, &st), 0);
	assert_int_equal(st.rx_packets, 20000);
	xskb_napi__destroy(napi);
	assert_int_equal(xskb_umem__check(u), 0);
	assert_int_equal(xskb_queue__destroy(q), 0);
	assert_int_equal(xskb_umem__delete(u), 0);
	free(pkt);
}

/* A loop run by a thread of the caller's (xskb_napi__run), for the tests below. */
struct runner {
	struct xskb_napi *napi;
	pthread_t t;
	int ret;
};

static void *run_loop(void *arg)
{
	struct runner *r = arg;

	r->ret = xskb_napi__run(r->napi);
	return NULL;
}

static __u64 rounds_of(struct xskb_napi *napi)
{
	struct xskb_napi_stats ns;

	assert_int_equal(xskb_napi__stats(napi, &ns), 0);
	return ns.rounds;
}

/* The loop runs: its rounds grow past @from (waits at most 2 s). */
static bool loop_advances(struct xskb_napi *napi, __u64 from)
{
	for (int i = 0; i < 20000; i++) {
		if (rounds_of(napi) > from)
			return true;
		usleep(100);
	}
	return false;
}

/*
 * xskb_napi__run() in a thread of ours: stopping it ends one run, a second
 * run runs (the old code returned at once: only __start() reset the stop
 * flag), and xskb_napi__destroy() waits for a running loop before freeing it
 * (the old code freed it under the running thread).
 */
static void test_napi_run_again_and_destroy(void **state)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_count = 256);
	XSKB_OPTS(xskb_queue_opts, qo, .handler = count_and_free, .rx_size = 64, .fill_size = 64);
	XSKB_OPTS(xskb_napi_opts, no, .idle_usec = XSKB_NAPI_NEVER_SLEEP);
	unsigned char *pkt = frame(64, dev_mac, 9);
	struct xskb_replay_pkt tpl = { pkt, 64 };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &tpl, .nr_pkts = 1, .limit = 100);
	struct runner r = { 0 };
	struct xskb_umem *u;
	struct xskb_queue *q;
	__u64 rounds;
	(void)state;

	assert_int_equal(xskb_umem__create(&u, -1, &uo), 0);
	assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), 0);
	assert_int_equal(xskb_napi__create(&r.napi, &q, 1, &no), 0);

	assert_int_equal(pthread_create(&r.t, NULL, run_loop, &r), 0);
	assert_true(loop_advances(r.napi, 0));
	assert_int_equal(xskb_napi__start(r.napi), -EALREADY);
	xskb_napi__stop(r.napi, false);
	assert_int_equal(pthread_join(r.t, NULL), 0);
	assert_int_equal(r.ret, 0);

	rounds = rounds_of(r.napi);
	r.ret = 1;
	assert_int_equal(pthread_create(&r.t, NULL, run_loop, &r), 0);
	assert_true(loop_advances(r.napi, rounds));
	/* Still running: destroy stops it, waits, then frees. */
	xskb_napi__destroy(r.napi);
	assert_int_equal(pthread_join(r.t, NULL), 0);
	assert_int_equal(r.ret, 0);

	assert_int_equal(xskb_queue__destroy(q), 0);
	assert_int_equal(xskb_umem__delete(u), 0);
	free(pkt);
}

/* A handler that keeps every skb, for another thread to free. */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sk_buff_head kept_skbs;
static unsigned long kept_total;

static void keep_locked(struct sk_buff *skb, void *arg)
{
	(void)arg;
	pthread_mutex_lock(&kept_lock);
	__skb_queue_tail(&kept_skbs, skb);
	kept_total++;
	pthread_mutex_unlock(&kept_lock);
}

static unsigned long kept_count(void)
{
	unsigned long n;

	pthread_mutex_lock(&kept_lock);
	n = kept_total;
	pthread_mutex_unlock(&kept_lock);
	return n;
}

/*
 * Every frame is held by skbs when the loop goes to sleep, and another
 * thread frees them: with the fill ring low the loop sleeps 1 ms, not
 * sleep_ms (10 s here; the old code slept all of it while the kernel found
 * the fill ring empty), so the freed frames are posted and the rest of the
 * packets arrive.
 */
static void test_napi_sleep_while_frames_out(void **state)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_count = 128);
	XSKB_OPTS(xskb_queue_opts, qo, .handler = keep_locked, .rx_size = 64, .fill_size = 64);
	XSKB_OPTS(xskb_napi_opts, no, .idle_usec = 100, .sleep_ms = 10000);
	unsigned char *pkt = frame(64, dev_mac, 9);
	struct xskb_replay_pkt tpl = { pkt, 64 };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &tpl, .nr_pkts = 1, .limit = 200);
	struct xskb_napi_stats ns;
	struct xskb_napi *napi;
	struct xskb_umem *u;
	struct xskb_queue *q;
	(void)state;

	__skb_queue_head_init(&kept_skbs);
	kept_total = 0;
	assert_int_equal(xskb_umem__create(&u, -1, &uo), 0);
	assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), 0);
	assert_int_equal(xskb_napi__create(&napi, &q, 1, &no), 0);
	assert_int_equal(xskb_napi__start(napi), 0);
	for (int i = 0; i < 20000 && kept_count() < 128 - 128 / 8; i++)
		usleep(100);
	assert_int_equal(kept_count(), 128 - 128 / 8);	/* all but the TX reserve held */
	for (int i = 0; i < 20000; i++) {		/* the loop is asleep */
		assert_int_equal(xskb_napi__stats(napi, &ns), 0);
		if (ns.sleeps)
			break;
		usleep(100);
	}
	assert_true(ns.sleeps > 0);
	pthread_mutex_lock(&kept_lock);
	__skb_queue_purge(&kept_skbs);			/* remote frees */
	pthread_mutex_unlock(&kept_lock);
	for (int i = 0; i < 30000 && kept_count() < 200; i++)
		usleep(100);
	assert_int_equal(kept_count(), 200);
	xskb_napi__destroy(napi);
	__skb_queue_purge(&kept_skbs);
	assert_int_equal(xskb_queue__poll(q, 64), 0);	/* takes the remote frees back */
	assert_int_equal(xskb_umem__check(u), 0);
	assert_int_equal(xskb_queue__destroy(q), 0);
	assert_int_equal(xskb_umem__delete(u), 0);
	free(pkt);
}

static void test_napi_bad_args(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo);
	unsigned char *pkt = frame(64, dev_mac, 9);
	struct xskb_replay_pkt tpl = { pkt, 64 };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &tpl, .nr_pkts = 1);
	XSKB_OPTS(xskb_napi_opts, no, .cpu = XSKB_NAPI_CPU(100000));
	struct xskb_napi *napi;
	struct xskb_umem *u;
	struct xskb_queue *q;
	(void)state;

	assert_int_equal(xskb_umem__create(&u, -1, NULL), 0);
	assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), 0);
	assert_int_equal(xskb_napi__create(&napi, &q, 1, NULL), -EINVAL);	/* no handler */
	assert_int_equal(xskb_napi__create(&napi, &q, 0, NULL), -EINVAL);
	assert_int_equal(xskb_queue__poll(q, 8), -EINVAL);			/* no handler */
	assert_int_equal(xskb_queue__destroy(q), 0);
	qo.handler = count_and_free;
	assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), 0);
	assert_int_equal(xskb_napi__create(&napi, &q, 1, &no), 0);
	assert_int_equal(xskb_napi__start(napi), -EINVAL);			/* no such CPU */
	xskb_napi__destroy(napi);
	/* This thread polled the UMEM first: a NAPI thread cannot take it. */
	assert_true(xskb_queue__poll(q, 8) >= 0);
	assert_int_equal(xskb_napi__create(&napi, &q, 1, NULL), 0);
	assert_int_equal(xskb_napi__start(napi), -EBUSY);
	xskb_napi__destroy(napi);
	assert_int_equal(xskb_queue__destroy(q), 0);
	ro.nr_pkts = 0;
	assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), -EINVAL);
	assert_int_equal(xskb_umem__delete(u), 0);
	free(pkt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inplace_geometry),
		cmocka_unit_test(test_frame_too_small_takes_slab),
		cmocka_unit_test(test_copybreak),
		cmocka_unit_test(test_clone_and_copy),
		cmocka_unit_test(test_expand_head_releases_frame),
		cmocka_unit_test(test_chain_slab),
		cmocka_unit_test(test_chain_frags),
		cmocka_unit_test(test_chain_budget),
		cmocka_unit_test(test_chain_needs_multi_buffer),
		cmocka_unit_test(test_replay_all_dropped),
		cmocka_unit_test(test_runt_dropped),
		cmocka_unit_test(test_budget_and_list),
		cmocka_unit_test(test_pkt_types),
		cmocka_unit_test(test_8023_protocols),
		cmocka_unit_test(test_replay_dev_mac),
		cmocka_unit_test(test_replay_skb_dev),
		cmocka_unit_test(test_free_on_other_thread),
		cmocka_unit_test(test_owner_thread_exits),
		cmocka_unit_test(test_check_during_remote_frees),
		cmocka_unit_test(test_fill_starvation),
		cmocka_unit_test(test_accounting_churn),
		cmocka_unit_test(test_shared_umem),
		cmocka_unit_test(test_napi_thread),
		cmocka_unit_test(test_napi_run_again_and_destroy),
		cmocka_unit_test(test_napi_sleep_while_frames_out),
		cmocka_unit_test(test_napi_bad_args),
	};

	xskb_set_print(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
