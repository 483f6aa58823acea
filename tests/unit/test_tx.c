/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the transmit path on a replay queue, whose "kernel" consumes
 * the TX ring like copy mode and completes every valid descriptor: the exact
 * descriptors (address, length, options) for an in-place skb, one with a
 * pushed header, a pulled and a trimmed one, a slab skb, a clone, frags skbs
 * (chain and linearised); completions returning the frames; a full TX ring
 * draining with no RX; the qdisc limit; checksums completed in software and
 * through TX metadata; forged completions; teardown with frames in flight.
 */
#include <errno.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <xskb/checksum.h>
#include <xskb/ip.h>
#include <xskb/napi.h>
#include <xskb/replay.h>

#include "test_helpers.h"
#include "replay_internal.h"

#define XDP_HEADROOM	256u
#define FRAMES		256u
#define FS		4096u

struct sent {
	struct xdp_desc d[XSKB_MAX_SKB_FRAGS + 1];
	unsigned int n;
	unsigned char bytes[16384];
	unsigned int len;
};

struct t {
	struct xskb_umem *u;
	struct xskb_queue *q;
	struct sk_buff_head got;
	unsigned char tpl[9000];
	unsigned int tpl_len;
	struct sent sent[512];
	unsigned int nsent;
};

static const unsigned char dev_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static struct sk_buff *slab_pkt(struct t *t, unsigned int i);

static void hook(const struct xdp_desc *d, unsigned int n, const void *area, void *arg)
{
	struct t *t = arg;
	struct sent *s;

	if (t->nsent == sizeof(t->sent) / sizeof(t->sent[0]))
		fail_msg("more packets sent than the test expects");
	s = &t->sent[t->nsent++];
	s->n = n;
	s->len = 0;
	for (unsigned int i = 0; i < n; i++) {
		s->d[i] = d[i];
		if (s->len + d[i].len <= sizeof(s->bytes))
			memcpy(s->bytes + s->len, (const unsigned char *)area + d[i].addr, d[i].len);
		s->len += d[i].len;
	}
}

struct cfg {
	unsigned int tpl_len;
	bool mb;
	enum xskb_mb_mode mb_mode;
	unsigned int tx_size, qdisc_len, budget;
	bool tx_metadata, tx_sw_csum;
	unsigned long long limit;
};

static void setup_cfg(struct t *t, const struct cfg *c)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_size = FS, .frame_count = FRAMES,
		  .tx_metadata = c->tx_metadata, .tx_sw_csum = c->tx_sw_csum);
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 64, .fill_size = 64, .multi_buffer = c->mb,
		  .mb_mode = c->mb_mode, .tx_size = c->tx_size, .tx_qdisc_len = c->qdisc_len,
		  .tx_budget = c->budget);
	struct xskb_replay_pkt p;
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &p, .nr_pkts = 1, .copy = true,
		  .limit = c->limit ? c->limit : 1, .tx_hook = hook, .tx_hook_arg = t);

	memset(t, 0, sizeof(*t));
	t->tpl_len = c->tpl_len ? c->tpl_len : 100;
	for (unsigned int i = 0; i < t->tpl_len; i++)
		t->tpl[i] = (unsigned char)(i * 7 + 3);
	memcpy(t->tpl, dev_mac, 6);
	t->tpl[12] = 0x08;
	t->tpl[13] = 0x00;
	p.data = t->tpl;
	p.len = t->tpl_len;
	__skb_queue_head_init(&t->got);
	assert_int_equal(xskb_umem__create(&t->u, -1, &uo), 0);
	assert_int_equal(xskb_replay__create(&t->q, t->u, &qo, &ro), 0);
}

static void setup(struct t *t)
{
	struct cfg c = { 0 };

	setup_cfg(t, &c);
}

static void teardown(struct t *t)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&t->got)))
		kfree_skb(skb);
	assert_int_equal(xskb_umem__check(t->u), 0);
	assert_int_equal(xskb_queue__destroy(t->q), 0);
	assert_int_equal(xskb_umem__delete(t->u), 0);
}

/* Receive one packet of the template: an in-place skb, data at the network
 * header, as a handler gets it. */
static struct sk_buff *rx_one(struct t *t)
{
	assert_int_equal(xskb_queue__receive(t->q, &t->got, 1), 1);
	return __skb_dequeue(&t->got);
}

static struct xskb_queue_stats stats(struct t *t)
{
	struct xskb_queue_stats st;

	assert_int_equal(xskb_queue__stats(t->q, &st), 0);
	return st;
}

static struct xskb_frame_stats frames(struct t *t)
{
	struct xskb_frame_stats st;

	assert_int_equal(xskb_umem__frame_stats(t->u, &st), 0);
	return st;
}

/* ---- zero-copy ---------------------------------------------------------------- */

static void test_inplace_zero_copy(void **state)
{
	struct t *t = malloc(sizeof(*t));
	struct sk_buff *skb;
	__u64 addr;
	unsigned int fidx;

	(void)state;
	setup(t);
	skb = rx_one(t);
	assert_true(skb->xsk_frame);
	addr = (__u64)(skb_mac_header(skb) - (unsigned char *)xskb_umem__area(t->u));
	fidx = (unsigned int)(addr / FS);
	assert_int_equal(addr % FS, XDP_HEADROOM);
	skb_push(skb, ETH_HLEN);
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_SUCCESS);
	/* Queued, not yet submitted: xmit_more until the flush. */
	assert_int_equal(t->nsent, 0);
	assert_int_equal(frames(t).tx, 1);
	assert_int_equal(frames(t).held, 0);
	assert_int_equal(xskb_umem__check(t->u), 0);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(t->nsent, 1);
	assert_int_equal(t->sent[0].n, 1);
	assert_int_equal(t->sent[0].d[0].addr, addr);
	assert_int_equal(t->sent[0].d[0].len, t->tpl_len);
	assert_int_equal(t->sent[0].d[0].options, 0);
	assert_memory_equal(t->sent[0].bytes, t->tpl, t->tpl_len);
	/* The completion sits in the ring until the next flush or poll. */
	assert_int_equal(frames(t).tx, 1);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(frames(t).tx, 0);
	{
		struct xskb_queue_stats st = stats(t);

		assert_int_equal(st.tx_packets, 1);
		assert_int_equal(st.tx_descs, 1);
		assert_int_equal(st.tx_bytes, t->tpl_len);
		assert_int_equal(st.tx_zerocopy, 1);
		assert_int_equal(st.tx_copied, 0);
		assert_int_equal(st.tx_completed, 1);
		assert_int_equal(st.tx_kicks, 1);
	}
	(void)fidx;
	teardown(t);
	free(t);
}

/* A pushed header (a VLAN tag), a pulled one, a trim: same frame, no copy. */
static void test_inplace_header_changes(void **state)
{
	struct cfg c = { .limit = 3 };
	struct t *t = malloc(sizeof(*t));
	struct sk_buff *a, *b, *d;
	__u64 pa, pb, pd;
	unsigned char *h;

	(void)state;
	setup_cfg(t, &c);
	assert_int_equal(xskb_queue__receive(t->q, &t->got, 3), 3);
	a = __skb_dequeue(&t->got);
	b = __skb_dequeue(&t->got);
	d = __skb_dequeue(&t->got);
	pa = (__u64)(skb_mac_header(a) - (unsigned char *)xskb_umem__area(t->u));
	pb = (__u64)(skb_mac_header(b) - (unsigned char *)xskb_umem__area(t->u));
	pd = (__u64)(skb_mac_header(d) - (unsigned char *)xskb_umem__area(t->u));

	/* a: 802.1Q tag inserted after the MACs. */
	h = skb_push(a, ETH_HLEN + 4);
	memmove(h, h + 4, 12);
	h[12] = 0x81; h[13] = 0x00; h[14] = 0x00; h[15] = 0x2a;
	assert_int_equal(dev_queue_xmit(a), NET_XMIT_SUCCESS);
	/* b: sent from the network header (a pulled skb). */
	assert_int_equal(dev_queue_xmit(b), NET_XMIT_SUCCESS);
	/* d: the Ethernet header back, then trimmed by 10 bytes. */
	skb_push(d, ETH_HLEN);
	assert_int_equal(pskb_trim(d, t->tpl_len - 10), 0);
	assert_int_equal(dev_queue_xmit(d), NET_XMIT_SUCCESS);
	assert_int_equal(xskb_queue__flush(t->q), 0);

	assert_int_equal(t->nsent, 3);
	assert_int_equal(t->sent[0].d[0].addr, pa - 4);
	assert_int_equal(t->sent[0].d[0].len, t->tpl_len + 4);
	assert_memory_equal(t->sent[0].bytes, t->tpl, 12);
	assert_int_equal(t->sent[0].bytes[12], 0x81);
	assert_int_equal(t->sent[0].bytes[15], 0x2a);
	assert_memory_equal(t->sent[0].bytes + 16, t->tpl + 12, t->tpl_len - 12);
	assert_int_equal(t->sent[1].d[0].addr, pb + ETH_HLEN);
	assert_int_equal(t->sent[1].d[0].len, t->tpl_len - ETH_HLEN);
	assert_int_equal(t->sent[2].d[0].addr, pd);
	assert_int_equal(t->sent[2].d[0].len, t->tpl_len - 10);
	assert_int_equal(stats(t).tx_zerocopy, 3);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(frames(t).tx, 0);
	teardown(t);
	free(t);
}

/* ---- copies ----------------------------------------------------------------------- */

static void test_slab_and_clone_copied(void **state)
{
	struct cfg c = { .limit = 1 };
	struct t *t = malloc(sizeof(*t));
	struct sk_buff *s, *in, *cl;
	unsigned char data[300];
	__u64 pin;

	(void)state;
	setup_cfg(t, &c);
	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i ^ 0x5a);
	s = alloc_skb(sizeof(data), GFP_ATOMIC);
	assert_non_null(s);
	skb_put_data(s, data, sizeof(data));
	s->dev = xskb_queue__napi(t->q)->dev;
	assert_int_equal(dev_queue_xmit(s), NET_XMIT_SUCCESS);

	in = rx_one(t);
	skb_push(in, ETH_HLEN);
	pin = (__u64)(in->data - (unsigned char *)xskb_umem__area(t->u));
	cl = skb_clone(in, GFP_ATOMIC);
	assert_non_null(cl);
	/* The clone shares the frame: it must be copied, the frame stays held. */
	assert_int_equal(dev_queue_xmit(cl), NET_XMIT_SUCCESS);
	assert_int_equal(frames(t).held, 1);
	assert_int_equal(xskb_queue__flush(t->q), 0);

	assert_int_equal(t->nsent, 2);
	assert_int_equal(t->sent[0].d[0].len, sizeof(data));
	assert_int_equal(t->sent[0].d[0].addr % FS, XDP_HEADROOM);
	assert_memory_equal(t->sent[0].bytes, data, sizeof(data));
	assert_int_equal(t->sent[1].d[0].len, t->tpl_len);
	assert_int_not_equal(t->sent[1].d[0].addr, pin);
	assert_int_equal(t->sent[1].d[0].addr % FS, XDP_HEADROOM);
	assert_memory_equal(t->sent[1].bytes, t->tpl, t->tpl_len);
	assert_int_equal(stats(t).tx_copied, 2);
	assert_int_equal(stats(t).tx_zerocopy, 0);
	kfree_skb(in);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(frames(t).held, 0);
	assert_int_equal(frames(t).tx, 0);
	teardown(t);
	free(t);
}

/* A 9000-byte packet received in frags mode goes out as the chain of its own
 * frames it arrived as: the copied headers go back in front of the first
 * fragment, in its frame (counted as tx_hdr_copied, not as zero-copy). */
static void test_frags_chain_zero_copy(void **state)
{
	struct cfg c = { .tpl_len = 9000, .mb = true, .mb_mode = XSKB_MB_FRAGS };
	struct t *t = malloc(sizeof(*t));
	struct sk_buff *skb;
	struct skb_shared_info *sh;
	__u64 fr[XSKB_MAX_SKB_FRAGS];
	unsigned int nf, hl;

	(void)state;
	setup_cfg(t, &c);
	skb = rx_one(t);
	sh = skb_shinfo(skb);
	nf = sh->nr_frags;
	assert_int_equal(nf, 3);		/* 3840 + 3840 + 1320 bytes of frame room */
	for (unsigned int i = 0; i < nf; i++)
		fr[i] = (__u64)((unsigned char *)skb_frag_address(&sh->frags[i]) -
				(unsigned char *)xskb_umem__area(t->u));
	skb_push(skb, ETH_HLEN);
	hl = skb_headlen(skb);
	/* A rewrite of the headers goes out too. */
	skb->data[0] = 0x02;
	skb->data[5] = 0x77;
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_SUCCESS);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(t->nsent, 1);
	assert_int_equal(t->sent[0].n, nf);
	assert_int_equal(t->sent[0].len, 9000);
	assert_int_equal(t->sent[0].bytes[5], 0x77);
	assert_memory_equal(t->sent[0].bytes + 6, t->tpl + 6, 9000 - 6);
	assert_int_equal(t->sent[0].d[0].addr, fr[0] - hl);
	assert_int_equal(t->sent[0].d[0].addr % FS, XDP_HEADROOM);
	for (unsigned int i = 1; i < nf; i++)
		assert_int_equal(t->sent[0].d[i].addr, fr[i]);
	for (unsigned int i = 0; i < nf; i++)
		assert_int_equal(t->sent[0].d[i].options, i + 1 < nf ? XDP_PKT_CONTD : 0);
	assert_int_equal(stats(t).tx_hdr_copied, 1);
	assert_int_equal(stats(t).tx_zerocopy, 0);
	assert_int_equal(stats(t).tx_copied, 0);
	assert_int_equal(stats(t).tx_descs, nf);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(frames(t).tx, 0);
	assert_int_equal(frames(t).held, 0);
	teardown(t);
	free(t);
}

/* A frags chain whose CHECKSUM_PARTIAL start lies past the linear part is
 * dropped once, as csum, and nothing else happens to it (tx_frags() used to
 * return NET_XMIT_DROP, 1, which also meant "copy it instead": tx_copy() then
 * freed the skb a second time). */
static void test_frags_csum_out_of_range(void **state)
{
	struct cfg c = { .tpl_len = 9000, .mb = true, .mb_mode = XSKB_MB_FRAGS };
	struct t *t = malloc(sizeof(*t));
	unsigned long before = xskb_skb_drop_count(SKB_DROP_REASON_NOT_SPECIFIED);
	struct sk_buff *skb;

	(void)state;
	setup_cfg(t, &c);
	skb = rx_one(t);
	skb_push(skb, ETH_HLEN);
	assert_true(skb_shinfo(skb)->nr_frags > 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = (__u16)(skb_headroom(skb) + 1000);	/* in the frags */
	skb->csum_offset = 6;
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_DROP);
	assert_int_equal(stats(t).tx_drops[XSKB_TX_DROP_CSUM], 1);
	assert_int_equal(stats(t).tx_drops[XSKB_TX_DROP_TOO_BIG], 0);
	assert_int_equal(stats(t).tx_packets, 0);
	assert_int_equal(xskb_skb_drop_count(SKB_DROP_REASON_NOT_SPECIFIED) - before, 1);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(t->nsent, 0);
	assert_int_equal(frames(t).held, 0);
	assert_int_equal(frames(t).tx, 0);
	teardown(t);
	free(t);
}

/* With TX metadata registered the kernel takes its 24 bytes off every
 * descriptor's frame room: an in-place skb pushed to within them of its
 * frame's start is copied, never sent as a descriptor the kernel refuses. */
static void test_inplace_metadata_room(void **state)
{
	struct cfg c = { .tx_metadata = true, .limit = 1 };
	struct t *t = malloc(sizeof(*t));
	struct sk_buff *skb;

	(void)state;
	setup_cfg(t, &c);
	skb = rx_one(t);
	skb_push(skb, skb_headroom(skb) - 8);		/* 8 bytes from the frame's start */
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_SUCCESS);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(t->nsent, 1);
	assert_int_equal(t->sent[0].d[0].addr % FS, XDP_HEADROOM);
	assert_int_equal(stats(t).tx_copied, 1);
	{
		struct xskb_replay_tx_stats rs;

		assert_int_equal(xskb_replay__tx_stats(t->q, &rs), 0);
		assert_int_equal(rs.invalid_descs, 0);
	}
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(frames(t).tx, 0);
	teardown(t);
	free(t);
}

/* A sender that receives nothing still finds frames for its copies: the
 * refill leaves a reserve (an eighth of the UMEM at most) off the fill
 * rings. Before, every frame went to the fill ring and copies waited in the
 * qdisc for ever. */
static void test_copies_without_rx(void **state)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_size = FS, .frame_count = 64);
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 64, .fill_size = 64);
	struct t *t = malloc(sizeof(*t));
	struct xskb_replay_pkt p;
	struct xskb_frame_stats fs;

	(void)state;
	memset(t, 0, sizeof(*t));
	memcpy(t->tpl, dev_mac, 6);
	t->tpl[12] = 0x08;
	t->tpl_len = 60;
	p.data = t->tpl;
	p.len = 60;
	{
		XSKB_OPTS(xskb_replay_opts, ro, .pkts = &p, .nr_pkts = 1, .limit = 1,
			  .tx_hook = hook, .tx_hook_arg = t);

		assert_int_equal(xskb_umem__create(&t->u, -1, &uo), 0);
		assert_int_equal(xskb_replay__create(&t->q, t->u, &qo, &ro), 0);
	}
	__skb_queue_head_init(&t->got);
	assert_int_equal(xskb_umem__frame_stats(t->u, &fs), 0);
	assert_int_equal(fs.fill, 64 - 64 / 8);
	assert_int_equal(fs.free, 64 / 8);
	for (unsigned int i = 0; i < 20; i++)
		assert_int_equal(dev_queue_xmit(slab_pkt(t, i)), NET_XMIT_SUCCESS);
	for (int i = 0; i < 20 && t->nsent < 20; i++)
		xskb_queue__flush(t->q);
	assert_int_equal(t->nsent, 20);
	teardown(t);
	free(t);
}

/* Without XDP_USE_SG a frags skb is linearised into one frame; a packet
 * bigger than a frame is dropped as too big. */
static void test_frags_linearised(void **state)
{
	struct t *t = malloc(sizeof(*t));
	struct sk_buff *skb, *big;
	struct page *pg;
	unsigned char want[1000];

	(void)state;
	setup(t);
	skb = alloc_skb(64, GFP_ATOMIC);
	skb_put_data(skb, t->tpl, 64);
	pg = alloc_page(GFP_ATOMIC);
	assert_non_null(pg);
	for (unsigned int i = 0; i < 936; i++)
		((unsigned char *)page_address(pg))[100 + i] = (unsigned char)(i * 3);
	skb_add_rx_frag(skb, 0, pg, 100, 936, PAGE_SIZE);
	memcpy(want, t->tpl, 64);
	memcpy(want + 64, (unsigned char *)page_address(pg) + 100, 936);
	skb->dev = xskb_queue__napi(t->q)->dev;
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_SUCCESS);

	big = alloc_skb(FS, GFP_ATOMIC);
	skb_put_zero(big, FS - XDP_HEADROOM + 1);
	big->dev = xskb_queue__napi(t->q)->dev;
	assert_int_equal(dev_queue_xmit(big), NET_XMIT_DROP);
	assert_int_equal(stats(t).tx_drops[XSKB_TX_DROP_TOO_BIG], 1);

	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(t->nsent, 1);
	assert_int_equal(t->sent[0].n, 1);
	assert_int_equal(t->sent[0].len, 1000);
	assert_memory_equal(t->sent[0].bytes, want, 1000);
	assert_int_equal(stats(t).tx_linearized, 1);
	teardown(t);
	free(t);
}

/* ---- ring, qdisc, completions ------------------------------------------------------ */

static struct sk_buff *slab_pkt(struct t *t, unsigned int i)
{
	struct sk_buff *skb = alloc_skb(128, GFP_ATOMIC);

	assert_non_null(skb);
	skb_put_data(skb, t->tpl, 60);
	skb->data[20] = (unsigned char)i;
	skb->data[21] = (unsigned char)(i >> 8);
	skb->dev = xskb_queue__napi(t->q)->dev;
	return skb;
}

/* 200 packets on a 64-entry TX ring with the kernel's 32 per kick: the rest
 * waits in the qdisc and goes out over later polls that receive nothing. */
static void test_full_ring_drains_without_rx(void **state)
{
	struct cfg c = { .tx_size = 64, .budget = XSKB_TX_BUDGET_KERNEL, .limit = 1 };
	struct t *t = malloc(sizeof(*t));
	int polls;

	(void)state;
	setup_cfg(t, &c);
	assert_int_equal(xskb_queue__tx_budget(t->q), 32);
	/* The one packet the replay "kernel" makes: no RX after this. */
	kfree_skb(rx_one(t));
	for (unsigned int i = 0; i < 200; i++)
		assert_int_equal(dev_queue_xmit(slab_pkt(t, i)), NET_XMIT_SUCCESS);
	assert_int_equal(stats(t).tx_qdisc_queued, 200 - 64);
	for (polls = 0; polls < 50 && t->nsent < 200; polls++)
		assert_int_equal(xskb_queue__receive(t->q, &t->got, 64), 0);
	assert_int_equal(t->nsent, 200);
	for (unsigned int i = 0; i < 200; i++) {
		assert_int_equal(t->sent[i].bytes[20], (unsigned char)i);
		assert_int_equal(t->sent[i].bytes[21], (unsigned char)(i >> 8));
	}
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(frames(t).tx, 0);
	assert_true(stats(t).tx_kick_retries > 0);	/* the 32-descriptor budget */
	teardown(t);
	free(t);
}

/* Qdisc of 8 behind a 64-entry ring: 100 packets without a flush, 28 dropped
 * under QDISC_DROP, none leaked. */
static void test_qdisc_limit(void **state)
{
	struct cfg c = { .tx_size = 64, .qdisc_len = 8 };
	struct t *t = malloc(sizeof(*t));
	unsigned long before = xskb_skb_drop_count(SKB_DROP_REASON_QDISC_DROP);
	unsigned int ok = 0, dropped = 0;

	(void)state;
	setup_cfg(t, &c);
	for (unsigned int i = 0; i < 100; i++) {
		int r = dev_queue_xmit(slab_pkt(t, i));

		r == NET_XMIT_SUCCESS ? ok++ : dropped++;
	}
	assert_int_equal(ok, 72);
	assert_int_equal(dropped, 28);
	assert_int_equal(stats(t).tx_drops[XSKB_TX_DROP_QDISC], 28);
	assert_int_equal(xskb_skb_drop_count(SKB_DROP_REASON_QDISC_DROP) - before, 28);
	for (int i = 0; i < 10 && t->nsent < 72; i++)
		xskb_queue__flush(t->q);
	assert_int_equal(t->nsent, 72);
	assert_int_equal(t->sent[71].bytes[20], 71);
	teardown(t);
	free(t);
}

/* Completions the kernel never made: out of range, a free frame, a frame
 * sent once but completed twice. Counted, ignored, accounting intact. */
static void test_forged_completions(void **state)
{
	struct t *t = malloc(sizeof(*t));
	struct sk_buff *skb;
	__u64 bad[3], addr;

	(void)state;
	setup(t);
	skb = rx_one(t);
	skb_push(skb, ETH_HLEN);
	addr = (__u64)(skb->data - (unsigned char *)xskb_umem__area(t->u));
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_SUCCESS);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	bad[0] = (__u64)FRAMES * FS + 64;
	bad[1] = ~0ull;
	bad[2] = addr;		/* a second completion of the same frame */
	assert_int_equal(xskb_replay_inject_comp(t->q, bad, 3), 3);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(stats(t).tx_invalid_comp, 3);
	assert_int_equal(stats(t).tx_completed, 1);
	assert_int_equal(frames(t).tx, 0);
	assert_int_equal(xskb_umem__check(t->u), 0);
	teardown(t);
	free(t);
}

/* Destroying the queue with frames on the TX ring and in the qdisc: every
 * frame comes back, the UMEM deletes cleanly. */
static void test_teardown_in_flight(void **state)
{
	struct cfg c = { .tx_size = 64, .limit = 40 };
	struct t *t = malloc(sizeof(*t));
	struct sk_buff *skb;

	(void)state;
	setup_cfg(t, &c);
	assert_int_equal(xskb_queue__receive(t->q, &t->got, 64), 40);
	while ((skb = __skb_dequeue(&t->got))) {
		skb_push(skb, ETH_HLEN);
		assert_int_equal(dev_queue_xmit(skb), NET_XMIT_SUCCESS);
	}
	for (unsigned int i = 0; i < 40; i++)
		assert_int_equal(dev_queue_xmit(slab_pkt(t, i)), NET_XMIT_SUCCESS);
	assert_int_equal(frames(t).tx, 64);
	assert_int_equal(xskb_umem__check(t->u), 0);
	assert_int_equal(xskb_queue__destroy(t->q), 0);
	assert_int_equal(frames(t).tx, 0);
	assert_int_equal(frames(t).held, 0);
	assert_int_equal(frames(t).free, FRAMES);
	assert_int_equal(xskb_umem__delete(t->u), 0);
	free(t);
}

/* ---- checksums ------------------------------------------------------------------------ */

/* An IPv4/UDP frame with CHECKSUM_PARTIAL: the field holds the pseudo-header
 * sum, csum_start/csum_offset point at the UDP header and its check. */
static struct sk_buff *udp_partial(struct t *t, unsigned int payload)
{
	unsigned int len = ETH_HLEN + 20 + 8 + payload;
	struct sk_buff *skb = alloc_skb(len + 64, GFP_ATOMIC);
	unsigned char *p;
	struct iphdr *ip;
	struct udphdr *uh;

	skb_reserve(skb, 34);		/* the IP header 4-byte aligned, as NET_IP_ALIGN would */
	p = skb_put_zero(skb, len);
	memcpy(p, dev_mac, 6);
	p[12] = 0x08;
	ip = (struct iphdr *)(p + ETH_HLEN);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((__u16)(20 + 8 + payload));
	ip->saddr = htonl(0xc6120001);
	ip->daddr = htonl(0xc6120002);
	ip_send_check(ip);
	uh = (struct udphdr *)(ip + 1);
	uh->source = htons(1234);
	uh->dest = htons(5678);
	uh->len = htons((__u16)(8 + payload));
	for (unsigned int i = 0; i < payload; i++)
		((unsigned char *)(uh + 1))[i] = (unsigned char)(i * 31 + 1);
	uh->check = ~csum_tcpudp_magic(ip->saddr, ip->daddr, 8 + payload, IPPROTO_UDP, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = (__u16)(skb_headroom(skb) + ETH_HLEN + 20);
	skb->csum_offset = offsetof(struct udphdr, check);
	skb->dev = xskb_queue__napi(t->q)->dev;
	return skb;
}

/* The UDP checksum of a sent IPv4 frame verifies. */
static void assert_udp_ok(const unsigned char *p, unsigned int len)
{
	unsigned int ulen = len - ETH_HLEN - 20;
	__wsum s = csum_partial(p + ETH_HLEN + 20, (int)ulen, 0);
	__be32 saddr, daddr;

	/* The captured bytes are not aligned for struct iphdr. */
	memcpy(&saddr, p + ETH_HLEN + offsetof(struct iphdr, saddr), 4);
	memcpy(&daddr, p + ETH_HLEN + offsetof(struct iphdr, daddr), 4);
	assert_int_equal(csum_tcpudp_magic(saddr, daddr, ulen, IPPROTO_UDP, s), 0);
}

static void test_csum_partial_software(void **state)
{
	struct cfg c = { .limit = 1 };
	struct t *t = malloc(sizeof(*t));
	struct sk_buff *skb, *cl;

	(void)state;
	setup_cfg(t, &c);
	assert_int_equal(xskb_queue__tx_csum(t->q), XSKB_TX_CSUM_SOFTWARE);
	/* Odd payload, a clone (copied, the original untouched), and one
	 * with csum_offset outside the packet. */
	assert_int_equal(dev_queue_xmit(udp_partial(t, 101)), NET_XMIT_SUCCESS);
	skb = udp_partial(t, 64);
	cl = skb_clone(skb, GFP_ATOMIC);
	assert_int_equal(dev_queue_xmit(cl), NET_XMIT_SUCCESS);
	kfree_skb(skb);
	skb = udp_partial(t, 10);
	skb->csum_offset = 200;
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_DROP);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(t->nsent, 2);
	assert_udp_ok(t->sent[0].bytes, t->sent[0].len);
	assert_udp_ok(t->sent[1].bytes, t->sent[1].len);
	assert_int_equal(stats(t).tx_csum_sw, 2);
	assert_int_equal(stats(t).tx_drops[XSKB_TX_DROP_CSUM], 1);
	teardown(t);
	free(t);
}

/* Through TX metadata: the descriptor carries XDP_TX_METADATA and the 24
 * bytes in front of the packet say where; with XDP_UMEM_TX_SW_CSUM the
 * "kernel" fills it in. */
static void test_csum_partial_metadata(void **state)
{
	struct cfg c = { .tx_metadata = true, .tx_sw_csum = true };
	struct t *t = malloc(sizeof(*t));
	const unsigned char *area;
	__u64 flags;
	__u16 start, off;

	(void)state;
	setup_cfg(t, &c);
	assert_int_equal(xskb_queue__tx_csum(t->q), XSKB_TX_CSUM_KERNEL_SW);
	assert_string_equal(xskb_tx_csum_str(xskb_queue__tx_csum(t->q)), "kernel-software");
	assert_int_equal(dev_queue_xmit(udp_partial(t, 333)), NET_XMIT_SUCCESS);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(t->nsent, 1);
	assert_int_equal(t->sent[0].d[0].options, 1u << 1);	/* XDP_TX_METADATA */
	area = xskb_umem__area(t->u);
	memcpy(&flags, area + t->sent[0].d[0].addr - 24, 8);
	memcpy(&start, area + t->sent[0].d[0].addr - 24 + 8, 2);
	memcpy(&off, area + t->sent[0].d[0].addr - 24 + 10, 2);
	assert_int_equal(flags, 1u << 1);			/* XDP_TXMD_FLAGS_CHECKSUM */
	assert_int_equal(start, ETH_HLEN + 20);
	assert_int_equal(off, offsetof(struct udphdr, check));
	assert_udp_ok(t->sent[0].bytes, t->sent[0].len);
	assert_int_equal(stats(t).tx_csum_offload, 1);
	teardown(t);
	free(t);
}

/* A copied chain with CHECKSUM_PARTIAL on a queue that uses TX metadata: the
 * metadata would describe the first descriptor only (the kernel refuses a
 * field beyond it), so the chain is summed in software. fuzz_tx found the
 * lost packet: the old code put the request in metadata, the replay refused
 * the descriptor and its frame never completed. */
static void test_csum_partial_chain_with_metadata(void **state)
{
	struct cfg c = { .mb = true, .tx_metadata = true };
	struct t *t = malloc(sizeof(*t));
	struct sk_buff *skb = NULL;

	(void)state;
	setup_cfg(t, &c);
	assert_int_equal(xskb_queue__tx_csum(t->q), XSKB_TX_CSUM_METADATA);
	{
		/* A linear 6000-byte UDP frame: two chained copies. */
		unsigned int payload = 6000 - ETH_HLEN - 28;
		struct sk_buff *small = udp_partial(t, payload);

		skb = small;
	}
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_SUCCESS);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(t->nsent, 1);
	assert_int_equal(t->sent[0].n, 2);
	assert_int_equal(t->sent[0].d[0].options & (1u << 1), 0);	/* no metadata */
	assert_int_equal(t->sent[0].len, 6000);
	assert_udp_ok(t->sent[0].bytes, t->sent[0].len);
	assert_int_equal(stats(t).tx_csum_sw, 1);
	assert_int_equal(stats(t).tx_csum_offload, 0);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(frames(t).tx, 0);
	teardown(t);
	free(t);
}

/* ---- the contract's edges ---------------------------------------------------------------- */

static void *xmit_thread(void *arg)
{
	struct t *t = arg;

	return (void *)(long)dev_queue_xmit(slab_pkt(t, 7));
}

static void test_drops_and_owner(void **state)
{
	struct t *t = malloc(sizeof(*t));
	struct net_device nodev;
	struct sk_buff *skb;
	unsigned long ready = xskb_skb_drop_count(SKB_DROP_REASON_DEV_READY);
	pthread_t th;
	void *ret;

	(void)state;
	setup(t);
	/* A device without an xskb queue. */
	memset(&nodev, 0, sizeof(nodev));
	skb = slab_pkt(t, 1);
	skb->dev = &nodev;
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_DROP);
	assert_int_equal(xskb_skb_drop_count(SKB_DROP_REASON_DEV_READY) - ready, 1);
	/* A runt. */
	skb = slab_pkt(t, 2);
	skb_trim(skb, 10);
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_DROP);
	assert_int_equal(stats(t).tx_drops[XSKB_TX_DROP_RUNT], 1);
	/* The queue mapping names a queue the device lacks: its only queue. */
	skb = slab_pkt(t, 3);
	skb_set_queue_mapping(skb, 5);
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_SUCCESS);
	/* Another thread while this one polls the UMEM. */
	kfree_skb(rx_one(t));
	assert_int_equal(pthread_create(&th, NULL, xmit_thread, t), 0);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_int_equal((long)ret, NET_XMIT_DROP);
	assert_int_equal(stats(t).tx_drops[XSKB_TX_DROP_NOT_OWNER], 1);
	assert_int_equal(xskb_queue__flush(t->q), 0);
	assert_int_equal(t->nsent, 1);
	teardown(t);
	free(t);
}

/* The completion ring must hold the TX ring. */
static void test_ring_sizes(void **state)
{
	struct xskb_umem *u;
	struct xskb_queue *q;
	unsigned char tpl[60] = { 0x02, 0, 0, 0, 0, 2 };
	struct xskb_replay_pkt p = { tpl, sizeof(tpl) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &p, .nr_pkts = 1);
	XSKB_OPTS(xskb_queue_opts, bad, .tx_size = 256, .comp_size = 128);
	XSKB_OPTS(xskb_queue_opts, odd, .tx_size = 100);

	(void)state;
	assert_int_equal(xskb_umem__create(&u, -1, NULL), 0);
	assert_int_equal(xskb_replay__create(&q, u, &bad, &ro), -EINVAL);
	assert_int_equal(xskb_replay__create(&q, u, &odd, &ro), -EINVAL);
	assert_int_equal(xskb_umem__delete(u), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inplace_zero_copy),
		cmocka_unit_test(test_inplace_header_changes),
		cmocka_unit_test(test_slab_and_clone_copied),
		cmocka_unit_test(test_frags_chain_zero_copy),
		cmocka_unit_test(test_frags_linearised),
		cmocka_unit_test(test_frags_csum_out_of_range),
		cmocka_unit_test(test_inplace_metadata_room),
		cmocka_unit_test(test_copies_without_rx),
		cmocka_unit_test(test_full_ring_drains_without_rx),
		cmocka_unit_test(test_qdisc_limit),
		cmocka_unit_test(test_forged_completions),
		cmocka_unit_test(test_teardown_in_flight),
		cmocka_unit_test(test_csum_partial_software),
		cmocka_unit_test(test_csum_partial_metadata),
		cmocka_unit_test(test_csum_partial_chain_with_metadata),
		cmocka_unit_test(test_drops_and_owner),
		cmocka_unit_test(test_ring_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
