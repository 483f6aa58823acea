/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The receive path: one NAPI poll drains a queue's RX ring with a budget and
 * turns each descriptor into an sk_buff (in place on its UMEM frame, or in a
 * slab skb), then refills the fill ring. Nothing from the ring is trusted.
 * The kind of queue (socket, replay) is reached only through q->ops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <xskb/etherdevice.h>

#include "rx.h"
#include "../xdp/xskb_xdp.h"
#include "flow_dissector.h"
#include "skbuff_internal.h"
#include "slab_internal.h"

#define RX_HDR_LEN	256u			/* bytes a frags skb gets in its linear part */

/* ---- per-packet helpers -------------------------------------------------------- */

static XSKB_ALWAYS_INLINE void rx_drop(struct xskb_queue *q, enum xskb_rx_drop why)
{
	XSKB_STAT_ADD(q->stats.drops[why], 1);
}

/*
 * XDP metadata the program wrote in front of the packet. The magic is
 * cleared after reading: the frame is reused, and a stale magic must not
 * make a later packet's metadata look valid.
 */
static XSKB_ALWAYS_INLINE void rx_meta(struct sk_buff *skb, unsigned char *pkt, bool in_headroom)
{
	struct xskb_xdp_meta *m = (struct xskb_xdp_meta *)(void *)(pkt - sizeof(*m));

	if (m->magic != XSKB_META_MAGIC)
		return;
	m->magic = 0;
	skb->mark = m->mark;
	if (m->flags & XSKB_META_F_HASH) {
		skb->hash = m->hash;
		skb->l4_hash = !!(m->flags & XSKB_META_F_HASH_L4);
		skb->sw_hash = !!(m->flags & XSKB_META_F_HASH_SW);
	}
	if (in_headroom)
		xskb_skb_shinfo(skb)->meta_len = sizeof(*m);
}

/* What __netif_receive_skb_core() and eth_type_trans() leave for a handler. */
static XSKB_ALWAYS_INLINE void rx_finish(struct xskb_queue *q, struct sk_buff *skb)
{
	skb->protocol = xskb_eth_type_trans(skb, q->netdev);
	xskb_skb_reset_network_header(skb);
	skb->mac_len = ETH_HLEN;
	skb->queue_mapping = (__u16)q->queue_id;
	skb->skb_iif = q->netdev->ifindex;
}

static XSKB_ALWAYS_INLINE void rx_deliver(struct xskb_queue *q, struct sk_buff *skb,
					  struct sk_buff_head *list)
{
	if (xskb_unlikely(q->parse_headers) && !xskb_rx_parse_headers(skb))
		XSKB_STAT_ADD(q->stats.rx_parse_errors, 1);
	if (list)
		xskb__skb_queue_tail(list, skb);
	else
		q->handler(skb, q->handler_arg);
}

/* A frame the kernel gave us that we do not keep: straight back to FREE. */
static XSKB_ALWAYS_INLINE void frame_return(struct xskb_queue *q, struct xskb_umem *u,
					    unsigned int idx)
{
#ifdef XSKB_DEBUG
	if (u->state[idx] != q->slot)
		xskb_umem_frame_bug(u, idx, "received but not posted to this queue's fill ring");
#else
	(void)q;
#endif
	xskb_umem_push_free(u, idx);
}

/*
 * Whether a descriptor names a frame the kernel may give this queue: inside
 * the UMEM and posted to this queue's fill ring (so a duplicate or forged
 * address is caught too). Anything else is dropped as invalid_desc and no
 * frame moves; the descriptor is not a received frame (q->received counts
 * frames that left the FILL state).
 */
static XSKB_COLD bool rx_desc_frame(struct xskb_queue *q, struct xskb_umem *u, __u64 addr,
				    unsigned int *idx)
{
	__u64 i = addr >> u->frame_shift;

	if (xskb_likely(i < u->frame_count && u->state[i] == q->slot)) {
		*idx = (unsigned int)i;
		return true;
	}
	rx_drop(q, XSKB_DROP_INVALID_DESC);
	q->received--;
	return false;
}

/* ---- slab path: copy, give the frame back at once ------------------------------- */

static XSKB_COLD struct sk_buff *rx_copy(struct xskb_queue *q, struct xskb_umem *u, __u64 addr,
					 __u32 len)
{
	unsigned int idx, off;
	unsigned char *pkt;
	struct sk_buff *skb;

	if (!rx_desc_frame(q, u, addr, &idx))
		return NULL;
	off = (unsigned int)(addr & (u->frame_size - 1));
	pkt = u->area + addr;
	/* 64-bit: a length near 4 GiB must not wrap past the frame's end. */
	if ((__u64)off + len > u->frame_size) {
		rx_drop(q, XSKB_DROP_INVALID_DESC);
		goto out_return;
	}
	if (len < ETH_HLEN) {
		rx_drop(q, XSKB_DROP_RUNT);
		goto out_return;
	}
	skb = xskb__napi_alloc_skb(&q->napi, len, XSKB_GFP_ATOMIC);
	if (!skb) {
		rx_drop(q, XSKB_DROP_NOMEM);
		goto out_return;
	}
	if (q->metadata && off >= sizeof(struct xskb_xdp_meta))
		rx_meta(skb, pkt, false);
	memcpy(xskb__skb_put(skb, len), pkt, len);
	frame_return(q, u, idx);
	XSKB_STAT_ADD(q->stats.skb_slab, 1);
	if (len <= q->copybreak)
		XSKB_STAT_ADD(q->stats.skb_copybreak, 1);
	rx_finish(q, skb);
	return skb;

out_return:
	frame_return(q, u, idx);
	return NULL;
}

/* ---- zero-copy path: the frame becomes the skb's head ---------------------------- */

typedef __u64 __attribute__((may_alias)) skb_u64a;
typedef __u32 __attribute__((may_alias)) skb_u32a;
#define SKB_W64(skb, first, v) (*(skb_u64a *)(void *)&(skb)->first = (__u64)(v))
#define SKB_W32(skb, first, v) (*(skb_u32a *)(void *)&(skb)->first = (__u32)(v))
#define SKB_ADJ(a, b) (offsetof(struct sk_buff, b) == offsetof(struct sk_buff, a) + \
		       sizeof(((struct sk_buff *)0)->a))
_Static_assert(SKB_ADJ(len, data_len) && SKB_ADJ(tail, end) && SKB_ADJ(protocol, mac_header) &&
	       SKB_ADJ(mac_header, network_header) && SKB_ADJ(network_header, transport_header) &&
	       SKB_ADJ(queue_mapping, mac_len) && SKB_ADJ(users, truesize) &&
	       offsetof(struct sk_buff, len) % 8 == 0 && offsetof(struct sk_buff, tail) % 8 == 0 &&
	       offsetof(struct sk_buff, protocol) % 8 == 0 &&
	       offsetof(struct sk_buff, queue_mapping) % 4 == 0 &&
	       offsetof(struct sk_buff, users) % 8 == 0 && sizeof(xskb_refcount_t) == 4,
	       "rx_one() writes these sk_buff fields in pairs");

static XSKB_COLD struct sk_buff *rx_skb_refill(void)
{
	return xskb_kmem_cache_alloc(xskb_skbuff_head_cache, XSKB_GFP_ATOMIC);
}

/*
 * Constants of the in-place path, loaded once per poll. The skb stores in
 * rx_one() are may_alias: had these stayed behind q and u, the compiler would
 * have to reload each one for every packet.
 */
struct rx_fast {
	/* The skb's second cache line (mark .. csum) as rx_one() leaves it:
	 * every field there is zero or a per-queue constant. */
	xskb_v16 line1[4];
	unsigned char *area;
	__u8 *state;
	struct net_device *dev;
	__u64 end_word;			/* zc_limit << 32: skb->end beside skb->tail */
	__u32 off_mask, shift, zc_limit, zc_min;
	__u32 frames;			/* frame indexes run 0..frames - 1 */
	__u8 slot;			/* this queue's FILL state */
	__u64 mac8;			/* the device's MAC in a __u64's first 6 bytes */
	bool meta;
};

/* rx_one() writes struct sk_buff as eleven 16-byte stores: line 0 (0-63),
 * line 1 (64-127, from rx_fast.line1), cb (128-175). */
#define RX_LINE1 64
/* The first six bytes of a __u64 read from memory: the low 48 bits on a
 * little-endian machine, the high 48 on a big-endian one. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define RX_MAC_BITS(v) ((v) << 16)
#else
#define RX_MAC_BITS(v) ((v) >> 16)
#endif
_Static_assert(sizeof(struct sk_buff) == 11 * 16 && offsetof(struct sk_buff, mark) == RX_LINE1 &&
	       offsetof(struct sk_buff, cb) == RX_LINE1 + 64,
	       "struct sk_buff: line 0, line 1 from mark to csum, then cb");

typedef __u64 __attribute__((may_alias, aligned(1))) rx_u64u;
typedef __u16 __attribute__((may_alias, aligned(1))) rx_u16u;

/* rx_fast.line1's source, built once the queue has its device and UMEM. */
void xskb_queue_rx_template(struct xskb_queue *q)
{
	struct sk_buff t;

	memset(&t, 0, sizeof(t));
	t.queue_mapping = (__u16)q->queue_id;
	t.mac_len = ETH_HLEN;
	t.xsk_frame = 1;
	xskb_refcount_set(&t.users, 1);
	t.truesize = q->zc_truesize;
	t.head_owner = &q->umem->head_owner;
	t.skb_iif = q->netdev->ifindex;
	memcpy(q->rx_line1, (const unsigned char *)&t + RX_LINE1, sizeof(q->rx_line1));
}

static XSKB_ALWAYS_INLINE void rx_fast_init(struct rx_fast *f, const struct xskb_queue *q,
					    struct xskb_umem *u)
{
	memcpy(f->line1, q->rx_line1, sizeof(f->line1));
	f->area = u->area;
	f->state = u->state;
	f->dev = q->netdev;
	f->end_word = (__u64)q->zc_limit << 32;
	f->off_mask = u->frame_size - 1;
	f->shift = u->frame_shift;
	f->zc_limit = q->zc_limit;
	f->zc_min = q->zc_min;
	f->frames = u->frame_count;
	f->slot = q->slot;
	f->mac8 = 0;
	memcpy(&f->mac8, q->netdev->dev_addr, ETH_ALEN);
	f->meta = q->metadata;
}

/* eth_type_trans()'s packet type and protocol for the frames rx_one()'s fast
 * test leaves out: a destination other than the device's MAC, or a length
 * field (802.3) instead of an EtherType. */
static XSKB_COLD void rx_classify(struct sk_buff *skb, const unsigned char *eth, unsigned int len,
				  const struct net_device *dev)
{
	__u8 pkt_type;

	skb->protocol = xskb_eth_classify((const struct ethhdr *)(const void *)eth, len, dev,
					  &pkt_type);
	skb->pkt_type = pkt_type;
}

/*
 * build_skb() on the frame, then eth_type_trans(): the frame's headroom (UMEM
 * headroom, XDP_PACKET_HEADROOM, metadata) becomes skb headroom and
 * skb_shared_info goes in the frame's last SKB_DATA_ALIGN(sizeof(struct
 * skb_shared_info)) bytes. Written out field by field rather than through
 * __build_skb_around() + eth_type_trans(): the result is the same skb
 * (tests/unit/test_napi.c checks every field), each field stored once.
 * Frames too small for the shared info, copybreak-sized packets and runts
 * take rx_copy().
 */
static XSKB_ALWAYS_INLINE struct sk_buff *rx_one(struct xskb_queue *q, struct xskb_umem *u,
						 const struct rx_fast *f, __u64 addr, __u32 len)
{
	unsigned int off = (unsigned int)addr & f->off_mask;
	unsigned int idx = (unsigned int)(addr >> f->shift);
	const unsigned char *eth;
	unsigned char *head;
	struct kmem_mag *m;
	struct sk_buff *skb;
	__be16 proto;

	/* Nothing in the descriptor is trusted: the frame must be one of ours,
	 * posted to this queue (one byte we store to below anyway), and the
	 * length is compared in 64 bits so that no value wraps. */
	if (xskb_unlikely((addr >> f->shift) >= f->frames || f->state[idx] != f->slot ||
			  (__u64)off + len > f->zc_limit || len <= f->zc_min))
		return rx_copy(q, u, addr, len);
	/* xskb_slab_hot_pop(), with the empty case as the only test. */
	m = xskb_slab_hot_mag;
	if (xskb_likely(m->count)) {
		skb = m->objs[--m->count];
	} else if (!(skb = rx_skb_refill())) {
		rx_drop(q, XSKB_DROP_NOMEM);
		frame_return(q, u, idx);
		return NULL;
	}
	f->state[idx] = FRAME_HELD;
	head = f->area + (addr - off);
	eth = head + off;

	proto = *(const rx_u16u *)(eth + 12);

	/* The zeroing up to the end of cb, the constant fields with it: lines
	 * 0 and 2 zeroed, line 1 copied from the queue's template. */
	{
		xskb_v16 *p = (xskb_v16 *)(void *)skb;
		const xskb_v16 z = { 0, 0 };

		p[0] = z; p[1] = z; p[2] = z; p[3] = z;
		p[4] = f->line1[0]; p[5] = f->line1[1]; p[6] = f->line1[2]; p[7] = f->line1[3];
		p[8] = z; p[9] = z; p[10] = z;
	}
	skb->dev = f->dev;
	skb->head = head;
	skb->data = head + off + ETH_HLEN;
	/* Field pairs set as one 64-bit store each (layout asserted above). */
	SKB_W64(skb, len, len - ETH_HLEN);				/* data_len 0 */
	SKB_W64(skb, tail, (off + len) | f->end_word);			/* tail, end */
	SKB_W64(skb, protocol, proto | (__u64)off << 16 | (__u64)(off + ETH_HLEN) << 32 |
			       (__u64)0xffff << 48);			/* + mac, network, transport */
	/* eth_type_trans(): PACKET_HOST (0, from the zeroing) and the EtherType
	 * as stored above when the destination is the device's MAC, which is
	 * unicast (Linux refuses a multicast one, and so does the replay
	 * queue): one 64-bit test covers multicast too. Bytes 6-7 (the source
	 * MAC's) are shifted out. */
	if (xskb_unlikely(RX_MAC_BITS(*(const rx_u64u *)eth ^ f->mac8) |
			  (ntohs(proto) < ETH_P_802_3_MIN)))
		rx_classify(skb, eth, len, f->dev);
	xskb_shinfo_init((struct skb_shared_info *)(void *)(head + f->zc_limit));
	/* The metadata sits in front of the packet, inside its own frame:
	 * an offset below its size would read (and clear) the frame before. */
	if (f->meta && off >= sizeof(struct xskb_xdp_meta))
		rx_meta(skb, head + off, true);
	return skb;
}

/* ---- multi-buffer: descriptor chains ----------------------------------------------- */

/* put_page() of a frag releases the frame: its page starts with one reference. */
static void frag_add(struct xskb_umem *u, struct sk_buff *skb, int i, unsigned int idx,
		     unsigned int off, unsigned int len)
{
	struct page *page = &u->pages[idx];

	xskb_atomic_set(&page->_refcount, 1);
	xskb_skb_add_rx_frag(skb, i, page, (int)off, (int)len, u->frame_size);
}

/*
 * A packet spread over @n descriptors starting at RX index @first (n <=
 * q->chain_max, see chain_len()). Every descriptor is read once and every
 * frame of ours in it is taken first, so a forged, duplicated or out-of-range
 * descriptor anywhere in the chain drops the packet with each of its valid
 * frames returned. Slab mode copies the packet into one linear skb (up to
 * XSKB_RX_SLAB_MAX); frags mode copies the headers and hangs the rest off the
 * frames as page fragments, which return when the skb goes.
 */
static XSKB_COLD struct sk_buff *rx_chain(struct xskb_queue *q, struct xskb_umem *u, __u32 first,
					  unsigned int n)
{
	struct xdp_desc d[XSKB_RX_CHAIN_MAX];
	unsigned int idx[XSKB_RX_CHAIN_MAX];
	bool own[XSKB_RX_CHAIN_MAX];
	enum xskb_rx_drop why = XSKB_DROP_MAX;	/* none */
	unsigned int total = 0, nfrags, hdr, i;
	struct sk_buff *skb = NULL;

	for (i = 0; i < n; i++) {
		__u64 fi;

		d[i] = *xskb_ring_desc(&q->rx, first + i);
		fi = d[i].addr >> u->frame_shift;
		own[i] = fi < u->frame_count && u->state[fi] == q->slot;
		if (!own[i]) {
			q->received--;		/* not a frame of this queue */
			why = XSKB_DROP_INVALID_DESC;
			continue;
		}
		idx[i] = (unsigned int)fi;
		u->state[fi] = FRAME_HELD;
		if ((d[i].addr & (u->frame_size - 1)) + (__u64)d[i].len > u->frame_size)
			why = XSKB_DROP_INVALID_DESC;
		else
			total += d[i].len;	/* <= n frames: no overflow */
	}
	/* A chain chain_len() cut at chain_max without its end. */
	if (d[n - 1].options & XDP_PKT_CONTD)
		why = XSKB_DROP_INVALID_DESC;
	if (why != XSKB_DROP_MAX)
		goto drop;
	if (d[0].len < ETH_HLEN) {
		why = XSKB_DROP_RUNT;
		goto drop;
	}
	/* The mode decides the limit: slab mode copies everything into the
	 * linear part; frags mode the headers, and the rest must fit in the
	 * fragment slots. */
	hdr = d[0].len < RX_HDR_LEN ? d[0].len : RX_HDR_LEN;
	nfrags = (d[0].len > hdr) + n - 1;
	if (q->mb_mode == XSKB_MB_SLAB ? total > XSKB_RX_SLAB_MAX : nfrags > XSKB_MAX_SKB_FRAGS) {
		why = XSKB_DROP_TOO_BIG;
		goto drop;
	}
	skb = xskb__napi_alloc_skb(&q->napi, q->mb_mode == XSKB_MB_SLAB ? total : hdr,
				   XSKB_GFP_ATOMIC);
	if (!skb) {
		why = XSKB_DROP_NOMEM;
		goto drop;
	}
	if (q->metadata && (d[0].addr & (u->frame_size - 1)) >= sizeof(struct xskb_xdp_meta))
		rx_meta(skb, u->area + d[0].addr, false);

	if (q->mb_mode == XSKB_MB_SLAB) {
		for (i = 0; i < n; i++) {
			memcpy(xskb__skb_put(skb, d[i].len), u->area + d[i].addr, d[i].len);
			xskb_umem_free_held(u, idx[i]);
		}
		XSKB_STAT_ADD(q->stats.skb_slab, 1);
		rx_finish(q, skb);
		return skb;
	}

	memcpy(xskb__skb_put(skb, hdr), u->area + d[0].addr, hdr);
	nfrags = 0;
	if (d[0].len > hdr)
		frag_add(u, skb, (int)nfrags++, idx[0],
			 (unsigned int)(d[0].addr & (u->frame_size - 1)) + hdr, d[0].len - hdr);
	else
		xskb_umem_free_held(u, idx[0]);
	for (i = 1; i < n; i++)
		frag_add(u, skb, (int)nfrags++, idx[i], (unsigned int)(d[i].addr & (u->frame_size - 1)),
			 d[i].len);
	XSKB_STAT_ADD(q->stats.skb_frags, 1);
	rx_finish(q, skb);
	return skb;

drop:
	rx_drop(q, why);
	for (i = 0; i < n; i++)
		if (own[i])
			xskb_umem_free_held(u, idx[i]);
	return NULL;
}

/*
 * Descriptors in the chain starting at @start, or 0 if the ring does not yet
 * hold its end (the kernel publishes whole packets, so this is a guard; the
 * caller then re-reads the producer, so a cached view never hides the end).
 * No packet the kernel makes spans more than q->chain_max descriptors: a
 * longer run without an end is cut there and dropped as invalid.
 */
static unsigned int chain_len(struct xskb_queue *q, __u32 start, __u32 avail)
{
	__u32 lim = avail < q->chain_max ? avail : q->chain_max;

	for (__u32 k = 0; k < lim; k++)
		if (!(xskb_ring_desc(&q->rx, start + k)->options & XDP_PKT_CONTD))
			return k + 1;
	return avail >= q->chain_max ? q->chain_max : 0;
}

/* ---- fill ring ---------------------------------------------------------------------- */

void xskb_queue_refill(struct xskb_queue *q)
{
	struct xskb_umem *u = q->umem;
	__u32 idx, n, avail;

	if (__atomic_load_n(&u->remote, __ATOMIC_RELAXED))
		xskb_umem_drain_remote(u);
	/* Frames the transmit path's copies can count on stay off the fill
	 * rings (u->tx_reserve): a sender that receives nothing must not find
	 * every frame posted for receive. */
	avail = u->nr_free > u->tx_reserve ? u->nr_free - u->tx_reserve : 0;
	n = xskb_ring_prod_free(&q->fill, avail);
	if (n > avail) {
		if (!avail) {
			XSKB_STAT_ADD(q->stats.fill_starved, 1);
			return;
		}
		n = avail;
	}
	if (!n)
		return;
	xskb_ring_prod_reserve(&q->fill, n, &idx);
	{
		/* Locals and wrap-free runs: the ring stores could alias u and q. */
		__u64 *ring = q->fill.ring;
		const __u32 mask = q->fill.mask, shift = u->frame_shift;
		const __u32 *stack = u->free_stack;
		__u8 *state = u->state, slot = q->slot;
		__u32 top = u->nr_free, i = 0;

		while (i < n) {
			__u32 at = (idx + i) & mask, run = n - i < mask + 1 - at ? n - i : mask + 1 - at;
			__u64 *p = &ring[at];
			const __u32 *fr = stack + top - run;	/* the run's frames: the top of the stack */

			/* Two passes: the address stores vectorise, the state
			 * stores (a scatter) do not. */
			for (__u32 k = 0; k < run; k++)
				p[k] = (__u64)fr[k] << shift;
#pragma GCC unroll 4
			for (__u32 k = 0; k < run; k++)
				state[fr[k]] = slot;
			top -= run;
			i += run;
		}
		u->nr_free = top;
	}
	xskb_ring_prod_submit(&q->fill, n);
	q->posted += n;
}

static XSKB_ALWAYS_INLINE void kick(struct xskb_queue *q)
{
	if (q->ops->kick)
		q->ops->kick(q);
}

/* ---- poll ------------------------------------------------------------------------------ */

/* Latched: once gone, every later poll returns -ENODEV. */
bool xskb_queue_gone(struct xskb_queue *q)
{
	if (q->gone)
		return true;
	if (!q->ops->check || !q->ops->check(q))
		return false;
	q->gone = true;
	pr_warn("%s queue %u: the interface is gone; destroy the queue\n", q->netdev->name,
		q->queue_id);
	return true;
}

static XSKB_COLD int poll_not_owner(struct xskb_queue *q)
{
	int err = xskb_skb_init_once();

	if (err)
		return err;
	xskb_umem_claim(q->umem);
	if (xskb_umem_owned(q->umem))
		return 0;
	/* Once per queue: a caller that retries must not flood the log. */
	if (!q->warned_owner) {
		q->warned_owner = true;
		pr_warn("queue %u: its UMEM is polled by another thread\n", q->queue_id);
	}
	return -EBUSY;
}

static XSKB_ALWAYS_INLINE int poll_common(struct xskb_queue *q, int budget,
					  struct sk_buff_head *list)
{
	struct xskb_umem *u = q->umem;
	__u32 start, avail, lim, rmask, done = 0, chained = 0;
	const struct xdp_desc *ring;
	__u64 delivered = 0, bytes = 0;
	struct rx_fast f;
	int pkts = 0;

	if (xskb_unlikely(!xskb_umem_owned(u))) {
		int err = poll_not_owner(q);

		if (err)
			return err;
	}
	if (q->ops->produce)
		q->ops->produce(q);
	XSKB_STAT_ADD(q->stats.polls, 1);
	avail = xskb_ring_cons_avail(&q->rx, (__u32)budget);
	if (!avail) {
		XSKB_STAT_ADD(q->stats.empty_polls, 1);
		/* Every 1024th empty poll: is the interface still there? */
		if (xskb_unlikely(!(q->stats.empty_polls & 1023) || q->gone) && xskb_queue_gone(q))
			return -ENODEV;
		/* A full TX ring drains without any packet received. */
		if (xskb_unlikely(u->tx_flush != NULL))
			xskb_umem_tx_flush(u);
		if (xskb_unlikely(xskb_queue_tx_busy(q)))
			xskb_queue_tx_flush(q);
		xskb_queue_refill(q);
		if (q->busy_poll || xskb_ring_needs_wakeup(&q->fill))
			kick(q);
		return 0;
	}
	rx_fast_init(&f, q, u);
	ring = q->rx.ring;
	rmask = q->rx.mask;
	start = q->rx.cached_cons;
	/* Walk wrap-free runs of the ring with a pointer, up to lim descriptors:
	 * one budget of packets. A multi-buffer chain leaves the inner loop and
	 * is taken whole (it may wrap, and may end past lim: it is one packet),
	 * then lim grows by its extra descriptors. */
	lim = avail < (__u32)budget ? avail : (__u32)budget;
	while (done < lim) {
		const __u32 at = (start + done) & rmask;
		const __u32 run = lim - done < rmask + 1 - at ? lim - done : rmask + 1 - at;
		const struct xdp_desc *d = &ring[at], *end = d + run, *last = end - 1;
		struct sk_buff *skb;

		for (; d != end && xskb_likely(!(d->options & XDP_PKT_CONTD)); d++) {
			__u32 len = d->len;

			/* The next packet's headers, while this one is built. The
			 * address is not checked yet: integer arithmetic, since a
			 * pointer past the area would be undefined (a prefetch of
			 * any address is harmless). */
			__builtin_prefetch((const void *)((uintptr_t)f.area +
							  (uintptr_t)(d != last ? d + 1 : d)->addr));
			skb = rx_one(q, u, &f, d->addr, len);
			if (xskb_likely(skb != NULL)) {
				delivered++;
				bytes += len;
				rx_deliver(q, skb, list);
			}
		}
		done += (__u32)(d - &ring[at]);
		if (d != end) {
			unsigned int n = chain_len(q, start + done, avail - done);

			if (!n) {
				/* The end may be published already: look again. */
				avail = xskb_ring_cons_avail(&q->rx, avail + 1);
				n = chain_len(q, start + done, avail - done);
				if (!n)
					break;
			}
			skb = rx_chain(q, u, start + done, n);
			done += n;
			chained += n - 1;
			/* The budget counts packets: a chain's extra descriptors
			 * extend the descriptor limit. */
			lim = avail < (__u32)budget + chained ? avail : (__u32)budget + chained;
			if (xskb_likely(skb != NULL)) {
				delivered++;
				bytes += skb->len + ETH_HLEN;
				rx_deliver(q, skb, list);
			}
		}
	}
	pkts = (int)(done - chained);
	q->rx.cached_cons += done;
	xskb_ring_cons_release(&q->rx, done);
	q->received += done;
	XSKB_STAT_ADD(q->stats.rx_descs, done);
	XSKB_STAT_ADD(q->stats.rx_packets, delivered);
	XSKB_STAT_ADD(q->stats.rx_bytes, bytes);
	/* What the handlers transmitted goes out with one kick per queue
	 * (xmit_more), and completed frames are free before the refill. */
	if (u->tx_flush)
		xskb_umem_tx_flush(u);
	if (xskb_unlikely(xskb_queue_tx_busy(q)))
		xskb_queue_tx_flush(q);
	xskb_queue_refill(q);
	if (xskb_unlikely(xskb_ring_needs_wakeup(&q->fill)))
		kick(q);
	return pkts;
}

int xskb_queue__poll(struct xskb_queue *q, int budget)
{
	if (xskb_unlikely(!q->handler || budget <= 0))
		return -EINVAL;
	return poll_common(q, budget, NULL);
}

int xskb_queue__receive(struct xskb_queue *q, struct sk_buff_head *list, int budget)
{
	if (xskb_unlikely(!list || budget <= 0))
		return -EINVAL;
	return poll_common(q, budget, list);
}

int xskb_queue_poll_napi(struct napi_struct *napi, int budget)
{
	return xskb_queue__poll(xskb_container_of(napi, struct xskb_queue, napi), budget);
}

/* ---- the loop ---------------------------------------------------------------------------- */
