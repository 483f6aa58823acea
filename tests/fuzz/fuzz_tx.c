/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the transmit path under arbitrary operation sequences.
 * One or two replay queues share a UMEM (with or without multi-buffer in
 * either mode, small TX rings and qdiscs, the kernel's budget of 32 or the
 * ring's, TX metadata on or off, with or without XDP_UMEM_TX_SW_CSUM). The
 * input receives and polls skbs from templates (chains up to 9000 bytes with
 * multi-buffer), keeps, clones, pushes, pulls, trims and writes them, builds
 * slab and page-fragment skbs, sets CHECKSUM_PARTIAL with valid or arbitrary
 * csum_start/csum_offset, points skb->dev and the queue mapping anywhere
 * (a device with no queue, none at all), transmits, flushes, forges
 * completions and frees late.
 *
 * Checked: dev_queue_xmit() returns NET_XMIT_SUCCESS or NET_XMIT_DROP, and
 * the drop reason fits the skb; every packet the replay "kernel" consumes
 * (its tx_hook) has descriptors inside the UMEM, each inside one frame in the
 * sending queue's TX state, XDP_PKT_CONTD on all but the last, and carries
 * exactly the bytes the skb had when it was accepted, in order per queue,
 * with a CHECKSUM_PARTIAL checksum completed as skb_checksum_help() would
 * (a plain reference sum here) or handed over in TX metadata; data a kept
 * skb shares is never written; the frame accounting holds after every flush
 * and poll; at the end every accepted packet was sent, every frame is free,
 * the UMEM deletes and no object is left in use.
 *
 * FUZZ_TRACE=1 prints the decoded operations.
 */
#include <errno.h>

#include "fuzz_common.h"
#include "replay_internal.h"

/* Enough that the fill and RX rings (up to 2 x 128 frames), both TX rings
 * (2 x 256) and the kept skbs never starve the copies of frames for good. */
#define FRAMES		1024
#define MAX_KEEP	16
#define MAX_OPS		256
#define MAX_REC		(MAX_OPS + 8)
#define NTPL		4
#define TPL_MAX		9000
#define SCRATCH		(80 * 1024)
#define TXMD_CSUM	(1u << 1)	/* XDP_TXMD_FLAGS_CHECKSUM */
#define DESC_TXMD	(1u << 1)	/* descriptor option XDP_TX_METADATA */
#define META_LEN	24u

/* A packet dev_queue_xmit() accepted: what the kernel must see next on its queue. */
struct rec {
	uint8_t *bytes;
	unsigned int len;
	bool csum;
	unsigned int start, off;	/* from the packet's first byte; field at start + off */
};

struct qctx {
	int idx;
	struct xskb_queue *q;
	struct rec rec[MAX_REC];
	unsigned int head, tail;	/* FIFO */
	unsigned long long seen;
};

struct kept {
	struct sk_buff *skb;
	uint64_t hash;
};

static struct qctx qc[2];
static unsigned int nq;
static struct xskb_umem *umem;
static struct kept kept[MAX_KEEP];
static unsigned int nkept;
static struct sk_buff_head got;
static struct net_device dev_a, dev_none;
static uint8_t tpl[NTPL][TPL_MAX];
static uint8_t scratch[SCRATCH], scratch2[SCRATCH];
static bool mb, tx_md, sw_csum;
static unsigned int frame_size;
static unsigned long baseline;
static bool trace;
/* FUZZ_TX_AVOID_KNOWN=1, 2 or 3: steer clear of known library bugs (1: a
 * frags skb with a bad csum_start, freed twice before a7d6c94; 2: TX metadata
 * on a chain whose checksum field lies past its first frame) so that a long
 * run can look for others. */
static unsigned int avoid_known;

#define TRACE(...)						\
	do {							\
		if (trace)					\
			fprintf(stderr, __VA_ARGS__);		\
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	trace = getenv("FUZZ_TRACE") != NULL;
	avoid_known = getenv("FUZZ_TX_AVOID_KNOWN") ?
		      (unsigned int)strtoul(getenv("FUZZ_TX_AVOID_KNOWN"), NULL, 0) : 0;
	if (!getenv("FUZZ_VERBOSE"))
		xskb_set_print(NULL);
	fz_deep_pool();
	/* The skb caches and each page-fragment cache exist from here on. */
	kfree_skb(napi_alloc_skb(NULL, 100));
	kfree_skb(napi_alloc_skb(NULL, 1500));
	kfree_skb(netdev_alloc_skb(NULL, 1500));
	kfree_skb(alloc_skb_fclone(64, GFP_KERNEL));
	kfree_skb(alloc_skb(64, GFP_KERNEL));
	baseline = fz_slab_in_use();
	return 0;
}

/* ---- references ------------------------------------------------------------------ */

/* The Internet checksum of @n bytes, folded and complemented, 0 sent as 0xffff. */
static uint16_t ref_csum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	uint16_t v;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	v = (uint16_t)~s;
	return v ? v : 0xffff;
}

static uint64_t skb_hash(const struct sk_buff *skb)
{
	uint64_t h = 1469598103934665603ull;

	FZ_CHECK(skb->len <= SCRATCH, "skb of %u bytes", skb->len);
	FZ_CHECK(skb_copy_bits(skb, 0, scratch2, (int)skb->len) == 0, "copy_bits");
	for (unsigned int i = 0; i < skb->len; i++)
		h = (h ^ scratch2[i]) * 1099511628211ull;
	return h ^ skb->len;
}

static void kept_rehash(unsigned int i)
{
	fz_check_skb(kept[i].skb, 0);
	kept[i].hash = skb_hash(kept[i].skb);
}

/* Nothing the stack did may have changed what a kept skb holds. */
static void kept_verify(void)
{
	for (unsigned int i = 0; i < nkept; i++) {
		fz_check_skb(kept[i].skb, 0);
		FZ_CHECK(skb_hash(kept[i].skb) == kept[i].hash,
			 "kept skb %u (len %u, cloned %d) changed under its owner", i,
			 kept[i].skb->len, skb_cloned(kept[i].skb));
	}
}

/* netdev_pick_tx() as tx.c documents it. */
static struct xskb_queue *ref_pick(const struct net_device *dev, unsigned int qid)
{
	if (!dev)
		return NULL;
	if (dev->real_num_tx_queues && qid >= dev->real_num_tx_queues)
		qid = 0;
	if (qid < XSKB_NETDEV_MAX_TXQ && dev->xskb_txq[qid])
		return dev->xskb_txq[qid];
	for (unsigned int i = 0; i < XSKB_NETDEV_MAX_TXQ; i++)
		if (dev->xskb_txq[i])
			return dev->xskb_txq[i];
	return NULL;
}

static struct qctx *ctx_of(const struct xskb_queue *q)
{
	for (unsigned int i = 0; i < nq; i++)
		if (qc[i].q == q)
			return &qc[i];
	FZ_CHECK(0, "dev_queue_xmit would pick a queue %p that is not ours", (const void *)q);
	return NULL;
}

/* ---- the kernel's side ------------------------------------------------------------ */

static void tx_hook(const struct xdp_desc *d, unsigned int n, const void *area, void *arg)
{
	struct qctx *c = arg;
	const uint8_t *a = area;
	const struct xskb_umem *u = c->q->umem;
	unsigned int total = 0;
	struct rec *r;

	FZ_CHECK(n >= 1 && n <= MAX_SKB_FRAGS + 1, "queue %d: packet of %u descriptors", c->idx, n);
	FZ_CHECK(n == 1 || mb, "queue %d: a chain of %u without multi-buffer", c->idx, n);
	for (unsigned int i = 0; i < n; i++) {
		__u64 fi = d[i].addr / frame_size;
		__u32 want = i + 1 < n ? XDP_PKT_CONTD : 0;

		FZ_CHECK(d[i].addr < (__u64)FRAMES * frame_size, "queue %d desc %u: addr %#llx",
			 c->idx, i, (unsigned long long)d[i].addr);
		FZ_CHECK(d[i].len >= 1 && d[i].len <= frame_size &&
			 (d[i].addr + d[i].len - 1) / frame_size == fi,
			 "queue %d desc %u: addr %#llx len %u leaves its frame", c->idx, i,
			 (unsigned long long)d[i].addr, d[i].len);
		FZ_CHECK((d[i].options & XDP_PKT_CONTD) == want, "queue %d desc %u of %u: options %#x",
			 c->idx, i, n, d[i].options);
		FZ_CHECK(!(d[i].options & ~(XDP_PKT_CONTD | (i == 0 && tx_md ? DESC_TXMD : 0))),
			 "queue %d desc %u: options %#x", c->idx, i, d[i].options);
		FZ_CHECK(u->state[fi] == c->q->tx_slot, "queue %d desc %u: frame %llu in state %u",
			 c->idx, i, (unsigned long long)fi, u->state[fi]);
		for (unsigned int k = 0; k < i; k++)
			FZ_CHECK(d[k].addr / frame_size != fi, "queue %d: frame %llu twice in a chain",
				 c->idx, (unsigned long long)fi);
		FZ_CHECK(total + d[i].len <= SCRATCH, "packet too long");
		memcpy(scratch + total, a + d[i].addr, d[i].len);
		total += d[i].len;
	}
	FZ_CHECK(c->head != c->tail, "queue %d: packet %llu of %u bytes sent, none accepted",
		 c->idx, c->seen, total);
	r = &c->rec[c->head++ % MAX_REC];
	TRACE("  kernel q%d: packet %llu, %u desc, %u bytes%s\n", c->idx, c->seen, n, total,
	      (d[0].options & DESC_TXMD) ? " (metadata)" : "");
	FZ_CHECK(total == r->len, "queue %d packet %llu: %u bytes sent, %u accepted", c->idx,
		 c->seen, total, r->len);
	if (r->csum) {
		unsigned int pos = r->start + r->off;

		if (d[0].options & DESC_TXMD) {
			const uint8_t *m = a + d[0].addr - META_LEN;
			uint64_t flags;
			uint16_t cs, co;
			unsigned int at = (unsigned int)(d[0].addr & (frame_size - 1));

			FZ_CHECK(at >= META_LEN, "metadata outside the frame (packet at %u)", at);
			memcpy(&flags, m, 8);
			memcpy(&cs, m + 8, 2);
			memcpy(&co, m + 10, 2);
			FZ_CHECK(flags == TXMD_CSUM && cs == r->start && co == r->off,
				 "queue %d packet %llu: metadata flags %#llx start %u off %u, skb "
				 "start %u off %u", c->idx, c->seen, (unsigned long long)flags, cs, co,
				 r->start, r->off);
			if (sw_csum && n == 1) {
				/* The replay kernel completed it, as skb_checksum_help(). */
				uint16_t v = ref_csum(r->bytes + r->start, r->len - r->start);

				r->bytes[pos] = (uint8_t)(v >> 8);
				r->bytes[pos + 1] = (uint8_t)v;
			} else if (sw_csum && pos + 1 < total) {
				/* On a chain it sums the first descriptor only (as
				 * xsk_build_skb() does): the field is not checked. */
				r->bytes[pos] = scratch[pos];
				r->bytes[pos + 1] = scratch[pos + 1];
			}
		} else {
			uint16_t v = ref_csum(r->bytes + r->start, r->len - r->start);

			r->bytes[pos] = (uint8_t)(v >> 8);
			r->bytes[pos + 1] = (uint8_t)v;
		}
	} else {
		FZ_CHECK(!(d[0].options & DESC_TXMD), "queue %d packet %llu: metadata without "
			 "CHECKSUM_PARTIAL", c->idx, c->seen);
	}
	for (unsigned int i = 0; i < total; i++)
		FZ_CHECK(scratch[i] == r->bytes[i], "queue %d packet %llu (%u bytes, %u desc, csum "
			 "%d start %u off %u): byte %u is %#x, expected %#x", c->idx, c->seen, total,
			 n, r->csum, r->start, r->off, i, scratch[i], r->bytes[i]);
	free(r->bytes);
	r->bytes = NULL;
	c->seen++;
}

/* ---- helpers ---------------------------------------------------------------------- */

static void on_rx(struct sk_buff *skb, void *arg)
{
	(void)arg;
	__skb_queue_tail(&got, skb);
}

static void fill_bytes(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* A live skb handed out again is one the stack freed under its owner. */
static void check_not_kept(const struct sk_buff *skb, const char *what)
{
	for (unsigned int i = 0; i < nkept; i++)
		FZ_CHECK(kept[i].skb != skb, "%s returned kept skb %u, still in use", what, i);
}

static void keep_skb(struct sk_buff *skb)
{
	if (nkept == MAX_KEEP) {
		kfree_skb(skb);
		return;
	}
	kept[nkept].skb = skb;
	kept_rehash(nkept);
	nkept++;
}

static struct sk_buff *take_kept(unsigned int i)
{
	struct sk_buff *skb = kept[i].skb;

	kept[i] = kept[--nkept];
	return skb;
}

static void check_accounting(const char *where)
{
	FZ_CHECK(xskb_umem__check(umem) == 0, "frame accounting after %s", where);
}

static void drain_got(struct fz *f)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&got))) {
		check_not_kept(skb, "the receive path");
		fz_check_skb(skb, 0);
		if (fz_u8(f) & 1) {
			if (skb_headroom(skb) >= ETH_HLEN && (fz_u8(f) & 3))
				skb_push(skb, ETH_HLEN);
			keep_skb(skb);
		} else {
			kfree_skb(skb);
		}
	}
}

static struct net_device *pick_dev(struct fz *f)
{
	switch (fz_u8(f) % 5) {
	case 0:
		return &dev_a;
	case 1:
		return &dev_none;
	case 2:
		return NULL;
	default:
		return qc[nq - 1].q->netdev;
	}
}

static void get_drops(struct xskb_queue *q, struct xskb_queue_stats *st)
{
	FZ_CHECK(xskb_queue__stats(q, st) == 0, "stats");
}

/* dev_queue_xmit() with what its result must be. */
static void do_xmit(struct sk_buff *skb)
{
	struct xskb_queue *tq = ref_pick(skb->dev, skb_get_queue_mapping(skb));
	struct qctx *c = tq ? ctx_of(tq) : NULL;
	unsigned int len = skb->len, hl = skb_headlen(skb);
	bool partial = skb->ip_summed == CHECKSUM_PARTIAL, csum_ok = true, runt, too_big;
	int start = partial ? (int)skb->csum_start - (int)skb_headroom(skb) : 0;
	unsigned int off = partial ? skb->csum_offset : 0, room, nd;
	struct xskb_queue_stats st0, st1;
	struct rec r = { 0 };
	int ret;

	if (avoid_known && partial && c) {
		bool bad = start < 0 || (unsigned int)start >= hl || (unsigned int)start + off + 2 > hl;

		/* tx_frags()'s drop read as "does not qualify": freed twice;
		 * TX metadata on a chain with the field past its first frame. */
		if (((avoid_known & 1) && bad && skb_shinfo(skb)->nr_frags) ||
		    ((avoid_known & 2) && tx_md && len > frame_size - c->q->tx_off)) {
			skb->ip_summed = CHECKSUM_NONE;
			partial = false;
			start = 0;
			off = 0;
		}
	}
	fz_check_skb(skb, 0);
	FZ_CHECK(len <= SCRATCH, "xmit of %u bytes", len);
	if (partial)
		csum_ok = start >= 0 && (unsigned int)start < hl &&
			  (unsigned int)start + off + 2 <= hl;
	runt = len < ETH_HLEN;
	room = c ? frame_size - c->q->tx_off : frame_size;
	nd = (len + room - 1) / room;
	too_big = nd > 1 && (!mb || nd > MAX_SKB_FRAGS + 1);
	r.len = len;
	r.bytes = malloc(len ? len : 1);
	FZ_CHECK(r.bytes != NULL, "malloc");
	FZ_CHECK(skb_copy_bits(skb, 0, r.bytes, (int)len) == 0, "copy_bits");
	r.csum = partial;
	r.start = (unsigned int)start;
	r.off = off;
	if (c)
		get_drops(c->q, &st0);
	TRACE("  xmit len %u hl %u nr_frags %u cloned %d partial %d start %d off %u dev %s qmap %u "
	      "-> q%d%s%s%s\n", len, hl, skb_shinfo(skb)->nr_frags, skb_cloned(skb), partial, start,
	      off, skb->dev == &dev_a ? "A" : skb->dev == &dev_none ? "none" : skb->dev ? "q1dev" :
	      "NULL", skb_get_queue_mapping(skb), c ? c->idx : -1, csum_ok ? "" : " bad-csum",
	      runt ? " runt" : "", too_big ? " too-big" : "");
	ret = dev_queue_xmit(skb);
	TRACE("  = %d\n", ret);
	FZ_CHECK(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_DROP, "dev_queue_xmit returned %d", ret);
	if (!c) {
		FZ_CHECK(ret == NET_XMIT_DROP, "accepted an skb for a device with no queue");
		free(r.bytes);
		return;
	}
	get_drops(c->q, &st1);
	FZ_CHECK(st1.tx_drops[XSKB_TX_DROP_NOT_OWNER] == st0.tx_drops[XSKB_TX_DROP_NOT_OWNER] &&
		 st1.tx_drops[XSKB_TX_DROP_GONE] == st0.tx_drops[XSKB_TX_DROP_GONE],
		 "dropped as not the owner or gone");
	if (ret == NET_XMIT_DROP) {
		bool why = (runt && st1.tx_drops[XSKB_TX_DROP_RUNT] > st0.tx_drops[XSKB_TX_DROP_RUNT]) ||
			   (!csum_ok && st1.tx_drops[XSKB_TX_DROP_CSUM] >
					st0.tx_drops[XSKB_TX_DROP_CSUM]) ||
			   (too_big && st1.tx_drops[XSKB_TX_DROP_TOO_BIG] >
					st0.tx_drops[XSKB_TX_DROP_TOO_BIG]) ||
			   st1.tx_drops[XSKB_TX_DROP_QDISC] > st0.tx_drops[XSKB_TX_DROP_QDISC];

		FZ_CHECK(why, "queue %d dropped an skb of %u bytes (csum ok %d, too big %d) for no "
			 "reason it has", c->idx, len, csum_ok, too_big);
		free(r.bytes);
		return;
	}
	FZ_CHECK(!runt, "queue %d accepted a runt of %u bytes", c->idx, len);
	if (!csum_ok || too_big) {
		/* Only the qdisc may take it; it is dropped when it leaves. */
		FZ_CHECK(st1.tx_qdisc_queued == st0.tx_qdisc_queued + 1,
			 "queue %d sent an skb it must drop (csum ok %d, too big %d)", c->idx,
			 csum_ok, too_big);
		free(r.bytes);
		return;
	}
	FZ_CHECK(c->tail - c->head < MAX_REC, "record FIFO full");
	c->rec[c->tail++ % MAX_REC] = r;
}

static void do_flush(struct qctx *c)
{
	int r = xskb_queue__flush(c->q);

	FZ_CHECK(r >= 0 && r <= (int)c->q->tx.size, "flush returned %d", r);
	check_accounting("a flush");
}

static struct sk_buff *build_slab(struct fz *f)
{
	unsigned int len = fz_below(f, mb ? 12000 : 2200), hr = fz_below(f, 128);
	struct sk_buff *skb = alloc_skb(len + hr, GFP_ATOMIC);

	if (!skb)
		return NULL;
	check_not_kept(skb, "alloc_skb");
	skb_reserve(skb, (int)hr);
	fill_bytes(skb_put(skb, len), len, fz_u8(f));
	if (len >= 6)
		memcpy(skb->data, dev_a.dev_addr, 6);
	return skb;
}

static struct sk_buff *build_frags(struct fz *f)
{
	unsigned int hl = fz_below(f, 128), hr = fz_below(f, 64), nf = fz_below(f, MAX_SKB_FRAGS);
	struct sk_buff *skb = alloc_skb(hl + hr, GFP_ATOMIC);

	if (!skb)
		return NULL;
	check_not_kept(skb, "alloc_skb");
	skb_reserve(skb, (int)hr);
	fill_bytes(skb_put(skb, hl), hl, fz_u8(f));
	for (unsigned int i = 0; i < nf; i++) {
		struct page *pg = alloc_page(GFP_ATOMIC);
		unsigned int off, size;

		FZ_CHECK(pg != NULL, "alloc_page");
		off = fz_below(f, XSKB_PAGE_SIZE - 1);
		size = 1 + fz_below(f, XSKB_PAGE_SIZE - off - 1);
		if (skb->len + size > SCRATCH)
			size = 1;
		fill_bytes((uint8_t *)page_address(pg) + off, size, fz_u8(f));
		skb_add_rx_frag(skb, (int)i, pg, (int)off, (int)size, XSKB_PAGE_SIZE);
	}
	return skb;
}

/* ---- the program ------------------------------------------------------------------ */

static void op_rx(struct fz *f, bool poll)
{
	struct qctx *c = &qc[fz_u8(f) % nq];
	int budget = (int)fz_below(f, 15) + 1;
	int r = poll ? xskb_queue__poll(c->q, budget) : xskb_queue__receive(c->q, &got, budget);

	TRACE("%s q%d budget %d = %d\n", poll ? "poll" : "receive", c->idx, budget, r);
	FZ_CHECK(r >= 0 && r <= budget, "%s returned %d (budget %d)", poll ? "poll" : "receive",
		 r, budget);
	check_accounting(poll ? "a poll" : "a receive");
	drain_got(f);
}

static void op_forge(struct fz *f)
{
	struct qctx *c = &qc[fz_u8(f) % nq];
	struct xskb_queue *q = c->q;
	const struct xskb_umem *u = q->umem;
	unsigned int n = fz_below(f, 3) + 1, k = 0;
	__u64 addrs[4];

	/* Drained at once by the flush below: a forged address must not name a
	 * frame of this queue's TX state (indistinguishable from the kernel's
	 * own completion), and only a flush with frames in flight reads the ring. */
	if (q->tx_sent == q->tx_done)
		return;
	for (unsigned int i = 0; i < n; i++) {
		uint8_t kind = fz_u8(f);
		__u64 a;

		switch (kind & 3) {
		case 0:		/* out of range */
			a = (__u64)FRAMES * frame_size + fz_u16(f);
			if (kind & 4)
				a = ~(__u64)0 - fz_u8(f);
			break;
		case 1: {	/* a frame in any other state, at any offset */
			unsigned int fi = fz_below(f, FRAMES - 1), t;

			for (t = 0; t < FRAMES && u->state[fi] == q->tx_slot; t++)
				fi = (fi + 1) % FRAMES;
			if (t == FRAMES)
				continue;
			a = (__u64)fi * frame_size + fz_below(f, frame_size - 1);
			break;
		}
		case 2: {	/* a completion already in the ring, again */
			__u32 prod = __atomic_load_n(q->comp.producer, __ATOMIC_ACQUIRE);
			__u32 avail = prod - q->comp.cached_cons;

			if (!avail)
				continue;
			a = *xskb_ring_addr(&q->comp, q->comp.cached_cons + fz_below(f, avail - 1));
			break;
		}
		default:	/* anything */
			a = (__u64)fz_u32(f) << 32 | fz_u32(f);
			if (a / frame_size < FRAMES && u->state[a / frame_size] == q->tx_slot)
				continue;
		}
		addrs[k++] = a;
	}
	TRACE("forge q%d: %u completions\n", c->idx, k);
	xskb_replay_inject_comp(q, addrs, k);
	do_flush(c);
}

static void op_kept(struct fz *f, uint8_t op)
{
	unsigned int i = fz_below(f, nkept - 1);
	struct sk_buff *skb = kept[i].skb;
	unsigned int v;

	switch (op) {
	case 0: {	/* clone */
		struct sk_buff *cl = skb_clone(skb, GFP_ATOMIC);

		TRACE("clone kept %u\n", i);
		if (cl) {
			check_not_kept(cl, "skb_clone");
			keep_skb(cl);
		}
		return;
	}
	case 1:		/* push */
		v = fz_below(f, skb_headroom(skb));
		TRACE("push kept %u by %u\n", i, v);
		skb_push(skb, v);
		break;
	case 2:		/* pull, within the linear part */
		v = fz_below(f, skb_headlen(skb));
		TRACE("pull kept %u by %u\n", i, v);
		skb_pull(skb, v);
		break;
	case 3:		/* trim */
		v = fz_below(f, skb->len);
		TRACE("trim kept %u to %u\n", i, v);
		(void)pskb_trim(skb, v);
		break;
	case 4: {	/* CHECKSUM_PARTIAL, valid, arbitrary, or none */
		uint8_t how = fz_u8(f);
		unsigned int hl = skb_headlen(skb);

		if ((how & 3) == 0 && hl >= 2) {
			unsigned int s = fz_below(f, hl - 2);

			skb->ip_summed = CHECKSUM_PARTIAL;
			skb->csum_start = (__u16)(skb_headroom(skb) + s);
			skb->csum_offset = (__u16)fz_below(f, hl - 2 - s);
		} else if ((how & 3) == 1) {
			skb->ip_summed = CHECKSUM_PARTIAL;
			skb->csum_start = fz_u16(f);
			skb->csum_offset = fz_u16(f);
		} else if ((how & 3) == 2 && hl >= 2) {
			/* Near the edges: off by one either way. */
			skb->ip_summed = CHECKSUM_PARTIAL;
			skb->csum_start = (__u16)(skb_headroom(skb) + fz_below(f, hl) - (how >> 7));
			skb->csum_offset = (__u16)(hl - (skb->csum_start - skb_headroom(skb)) - 2 +
						   ((how >> 6) & 1));
		} else {
			skb->ip_summed = CHECKSUM_NONE;
		}
		TRACE("csum kept %u: %u start %u off %u (headroom %u headlen %u)\n", i,
		      skb->ip_summed, skb->csum_start, skb->csum_offset, skb_headroom(skb), hl);
		break;
	}
	case 5:		/* device and queue mapping */
		skb->dev = pick_dev(f);
		skb_set_queue_mapping(skb, (fz_u8(f) & 1) ? fz_u16(f) : fz_u8(f) % 4);
		TRACE("route kept %u: queue mapping %u\n", i, skb_get_queue_mapping(skb));
		break;
	case 6:		/* write a byte of private linear data */
		if (skb_cloned(skb) || !skb_headlen(skb))
			return;
		v = fz_below(f, skb_headlen(skb) - 1);
		skb->data[v] = fz_u8(f);
		TRACE("write kept %u at %u\n", i, v);
		break;
	case 7:		/* transmit */
		TRACE("xmit kept %u\n", i);
		do_xmit(take_kept(i));
		return;
	default:	/* free */
		TRACE("free kept %u\n", i);
		kfree_skb(take_kept(i));
		return;
	}
	kept_rehash(i);
}

static void run_op(struct fz *f)
{
	uint8_t op = fz_u8(f);

	switch (op % 16) {
	case 0:
	case 1:
		op_rx(f, op & 1);
		return;
	case 2:
	case 3: {	/* a slab skb or a page-fragment skb, sent now or kept */
		struct sk_buff *skb = (op & 1) ? build_frags(f) : build_slab(f);
		uint8_t how = fz_u8(f);

		if (!skb)
			return;
		skb->dev = (how & 8) ? pick_dev(f) : &dev_a;
		skb_set_queue_mapping(skb, fz_u8(f) % 4);
		TRACE("build %s skb len %u%s\n", (op & 1) ? "frags" : "slab", skb->len,
		      (how & 1) ? ", sent" : ", kept");
		if (how & 1)
			do_xmit(skb);
		else
			keep_skb(skb);
		return;
	}
	case 4:
	case 5: {
		struct qctx *c = &qc[fz_u8(f) % nq];

		TRACE("flush q%d\n", c->idx);
		do_flush(c);
		kept_verify();
		return;
	}
	case 6:
		op_forge(f);
		return;
	default:
		if (!nkept)
			return;
		op_kept(f, (uint8_t)(op % 16 - 7));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int tx_sizes[4] = { 64, 128, 256, 64 };
	static const unsigned int qdisc_lens[4] = { 4, 16, 64, 0 };
	static const unsigned int headrooms[4] = { 0, 32, 64, 0 };
	struct fz f = { data, size };
	uint8_t b0 = fz_u8(&f), b1 = fz_u8(&f), b2 = fz_u8(&f);
	struct xskb_replay_pkt pk[NTPL];
	struct xskb_frame_stats fs;
	unsigned int ntpl = 1 + (b2 & 3), room;
	struct sk_buff *skb;

	mb = b0 & 1;
	tx_md = b0 & 8;
	sw_csum = tx_md && (b0 & 16);
	frame_size = (b0 & 32) ? 4096 : 2048;
	nq = (b0 & 4) ? 2 : 1;
	{
		XSKB_OPTS(xskb_umem_opts, uo, .frame_size = frame_size, .frame_count = FRAMES,
			  .headroom = headrooms[(b1 >> 4) & 3], .tx_metadata = tx_md,
			  .tx_sw_csum = sw_csum);

		FZ_CHECK(xskb_umem__create(&umem, -1, &uo) == 0, "umem");
		room = frame_size - XSKB_XDP_PACKET_HEADROOM - uo.headroom;
	}
	memset(&dev_a, 0, sizeof(dev_a));
	memset(&dev_none, 0, sizeof(dev_none));
	snprintf(dev_a.name, sizeof(dev_a.name), "fzA");
	snprintf(dev_none.name, sizeof(dev_none.name), "fznone");
	dev_a.mtu = dev_none.mtu = 65535;
	dev_a.hard_header_len = dev_none.hard_header_len = ETH_HLEN;
	dev_a.numa_node = dev_none.numa_node = -1;
	memcpy(dev_a.dev_addr, (const unsigned char[6]){ 0x02, 0, 0, 0, 0, 0x0a }, 6);
	memcpy(dev_none.dev_addr, (const unsigned char[6]){ 0x02, 0, 0, 0, 0, 0x0b }, 6);
	dev_a.real_num_tx_queues = (b2 >> 2) & 3;
	for (unsigned int i = 0; i < ntpl; i++) {
		unsigned int v = fz_u16(&f);
		unsigned int len = 1 + v % (mb ? TPL_MAX : room + 64);

		fill_bytes(tpl[i], len, fz_u8(&f));
		memcpy(tpl[i], dev_a.dev_addr, len < 6 ? len : 6);
		pk[i].data = tpl[i];
		pk[i].len = len;
	}
	__skb_queue_head_init(&got);
	nkept = 0;
	for (unsigned int i = 0; i < nq; i++) {
		XSKB_OPTS(xskb_queue_opts, qo, .queue_id = i ? 1 + ((b2 >> 4) & 3) : 0,
			  .rx_size = (b1 & 0x80) ? 32 : 64, .fill_size = (b1 & 0x80) ? 32 : 64,
			  .multi_buffer = mb, .mb_mode = (b0 & 2) ? XSKB_MB_FRAGS : XSKB_MB_SLAB,
			  .copybreak = (b2 & 0x40) ? 128 : 0, .handler = on_rx,
			  .tx_size = tx_sizes[b1 & 3], .tx_qdisc_len = qdisc_lens[(b1 >> 2) & 3],
			  .tx_budget = (b0 & 64) ? XSKB_TX_BUDGET_KERNEL : 0);
		XSKB_OPTS(xskb_replay_opts, ro, .pkts = pk, .nr_pkts = ntpl, .copy = b1 & 0x40,
			  .dev = (i && (b0 & 128)) ? NULL : &dev_a, .tx_hook = tx_hook,
			  .tx_hook_arg = &qc[i]);

		memset(&qc[i], 0, sizeof(qc[i]));
		qc[i].idx = (int)i;
		FZ_CHECK(xskb_replay__create(&qc[i].q, umem, &qo, &ro) == 0, "replay queue %u", i);
	}
	TRACE("setup: mb %d frags %d queues %u (q1 own dev %d) tx_md %d sw_csum %d frame %u "
	      "headroom %u tx_size %u qdisc %u budget %u copybreak %d real_txq %u templates",
	      mb, !!(b0 & 2), nq, !!(b0 & 128), tx_md, sw_csum, frame_size,
	      headrooms[(b1 >> 4) & 3], tx_sizes[b1 & 3], qdisc_lens[(b1 >> 2) & 3],
	      xskb_queue__tx_budget(qc[0].q), !!(b2 & 0x40), dev_a.real_num_tx_queues);
	for (unsigned int i = 0; i < ntpl; i++)
		TRACE(" %u", pk[i].len);
	TRACE("\n");

	for (unsigned int ops = 0; ops < MAX_OPS && f.n; ops++)
		run_op(&f);

	/* Teardown: everything freed, the rings drained, every accepted packet sent. */
	TRACE("teardown\n");
	__skb_queue_purge(&got);
	kept_verify();
	while (nkept)
		kfree_skb(take_kept(nkept - 1));
	for (unsigned int round = 0;; round++) {
		bool busy = false;

		FZ_CHECK(round < 4096, "the TX rings never drain");
		for (unsigned int i = 0; i < nq; i++) {
			struct xskb_queue *q = qc[i].q;
			int r = xskb_queue__flush(q);

			FZ_CHECK(r >= 0, "flush returned %d", r);
			busy |= r || q->qdisc.qlen || xskb_queue_tx_frames(q);
		}
		if (!busy)
			break;
	}
	check_accounting("the final flush");
	for (unsigned int i = 0; i < nq; i++) {
		struct xskb_replay_tx_stats ts;

		FZ_CHECK(qc[i].head == qc[i].tail, "queue %u: %u accepted packets never sent", i,
			 qc[i].tail - qc[i].head);
		FZ_CHECK(xskb_replay__tx_stats(qc[i].q, &ts) == 0 && ts.invalid_descs == 0,
			 "queue %u: the kernel refused %llu descriptors", i,
			 (unsigned long long)ts.invalid_descs);
		FZ_CHECK(ts.packets == qc[i].seen, "queue %u: %llu packets, hook saw %llu", i,
			 (unsigned long long)ts.packets, qc[i].seen);
	}
	for (unsigned int i = nq; i-- > 0;)
		FZ_CHECK(xskb_queue__destroy(qc[i].q) == 0, "destroy");
	while ((skb = __skb_dequeue(&got)))
		kfree_skb(skb);
	FZ_CHECK(xskb_umem__frame_stats(umem, &fs) == 0 && fs.free == fs.frames && fs.held == 0 &&
		 fs.tx == 0, "frames not back: free %u of %u, held %u, tx %u", fs.free, fs.frames,
		 fs.held, fs.tx);
	FZ_CHECK(xskb_umem__delete(umem) == 0, "delete");
	umem = NULL;
	FZ_CHECK(fz_slab_in_use() == baseline, "objects in use %lu, baseline %lu", fz_slab_in_use(),
		 baseline);
	return 0;
}
