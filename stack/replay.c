/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The replay queue's "kernel": rings in plain memory, a fill-ring consumer and
 * an RX-ring producer that behave like AF_XDP copy mode's xsk_rcv().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xskb/checksum.h>
#include <xskb/replay.h>

#include "replay_internal.h"
#include "rx.h"

typedef __u64 __attribute__((may_alias)) xskb_u64a;

/* Ring indexes on their own cache lines, as the kernel maps them. */
struct mem_ring_hdr {
	__u32 producer XSKB_CACHE_ALIGNED;
	__u32 consumer XSKB_CACHE_ALIGNED;
	__u32 flags XSKB_CACHE_ALIGNED;
};

struct xskb_replay {
	struct xskb_ring kfill;		/* consumer view of the queue's fill ring */
	struct xskb_ring krx;		/* producer view of the queue's RX ring */
	struct xskb_replay_pkt *pkts;
	unsigned int nr_pkts;
	unsigned int next;		/* template produced next */
	bool copy;
	bool fast;			/* one template, one frame each, no copy */
	bool manual;			/* tests write the RX ring (xskb_replay_inject) */
	unsigned int room;		/* packet bytes a frame holds */
	unsigned int data_off;		/* packet offset in its frame */
	unsigned long long limit;
	unsigned long long produced;
	__u64 dropped;			/* too big without multi-buffer */
	struct mem_ring_hdr *fill_hdr, *rx_hdr;
	void *fill_ring, *rx_ring;

	/* Transmit side: consumer of the TX ring, producer of completions. */
	struct xskb_ring ktx;
	struct xskb_ring kcomp;
	struct mem_ring_hdr *tx_hdr, *comp_hdr;
	void *tx_ring, *comp_ring;
	void (*tx_hook)(const struct xdp_desc *d, unsigned int n, const void *area, void *arg);
	void *tx_hook_arg;
	struct xskb_replay_tx_stats tx;
};

static int mem_ring(struct mem_ring_hdr **hdr, void **ring, unsigned int entries, size_t esz,
		    struct xskb_ring *user, struct xskb_ring *kern, bool user_produces)
{
	*hdr = aligned_alloc(XSKB_CACHELINE, sizeof(**hdr));
	*ring = aligned_alloc(XSKB_CACHELINE, XSKB_ALIGN(entries * esz, (size_t)XSKB_CACHELINE));
	if (!*hdr || !*ring)
		return -ENOMEM;
	memset(*hdr, 0, sizeof(**hdr));
	for (int i = 0; i < 2; i++) {
		struct xskb_ring *r = i ? kern : user;

		r->mask = entries - 1;
		r->size = entries;
		r->producer = &(*hdr)->producer;
		r->consumer = &(*hdr)->consumer;
		r->flags = &(*hdr)->flags;
		r->ring = *ring;
		r->cached_prod = 0;
		r->cached_cons = 0;
	}
	/* A producer's cached_cons runs one ring ahead (see xskb_ring_prod_free). */
	(user_produces ? user : kern)->cached_cons = entries;
	return 0;
}

/*
 * Produce what the fill ring and RX ring allow, as xsk_rcv() would for each
 * arriving packet: take a fill address, write the packet at the frame's data
 * offset, post a descriptor; a packet bigger than a frame takes several
 * frames and descriptors with XDP_PKT_CONTD on all but the last.
 */
unsigned int xskb_replay_produce(struct xskb_queue *q)
{
	struct xskb_replay *rp = q->replay;
	struct xskb_umem *u = q->umem;
	unsigned int made = 0;
	__u32 fidx, ridx, nfill, nrx, used_f = 0, used_r = 0;

	if (rp->manual)
		return 0;
	if (xskb_unlikely(rp->fast && u->nr_queues > 1)) {
		/* Another queue shares the UMEM now: its frames no longer all
		 * hold the template, so write every packet from here on. */
		rp->fast = false;
		rp->copy = true;
	}
	nfill = xskb_ring_cons_avail(&rp->kfill, q->fill.size);
	nrx = xskb_ring_prod_free(&rp->krx, q->rx.size);
	fidx = rp->kfill.cached_cons;
	ridx = rp->krx.cached_prod;
	if (rp->fast) {
		/* The benchmark's case: only descriptors to write. Everything the
		 * loop needs is in locals: the descriptor stores could alias
		 * rp's fields and force reloads otherwise. */
		const __u64 *fring = rp->kfill.ring;
		struct xdp_desc *rring = rp->krx.ring;
		const __u32 fmask = rp->kfill.mask, rmask = rp->krx.mask;
		const __u64 mask = ~((__u64)u->frame_size - 1), off = rp->data_off;
		const __u32 len = rp->pkts[0].len;
		__u32 n = nfill < nrx ? nfill : nrx;

		if (rp->limit && rp->limit - rp->produced < n)
			n = (__u32)(rp->limit - rp->produced);
		/* Runs that wrap neither ring, by pointer, with the length and
		 * options written as one 64-bit store. */
		const __u64 lenopt = len;	/* options 0 */
		__u32 i = 0;

		while (i < n) {
			__u32 fo = (fidx + i) & fmask, ro = (ridx + i) & rmask;
			__u32 run = n - i;
			const __u64 *f = &fring[fo];
			struct xdp_desc *d = &rring[ro], *end;

			run = run < fmask + 1 - fo ? run : fmask + 1 - fo;
			run = run < rmask + 1 - ro ? run : rmask + 1 - ro;
			for (end = d + run; d != end; d++, f++) {
				d->addr = (*f & mask) + off;
				*(xskb_u64a *)(void *)&d->len = lenopt;
			}
			i += run;
		}
		rp->produced += n;
		used_f = used_r = made = n;
		goto publish;
	}
	/* Bounded: every pass takes frames or drops a packet, and at most
	 * one fill ring's worth of packets is dropped per call (otherwise a
	 * queue whose templates are all dropped would never return). */
	for (unsigned int drops = 0; !rp->limit || rp->produced < rp->limit;) {
		const struct xskb_replay_pkt *p = &rp->pkts[rp->next];
		unsigned int nd = (p->len + rp->room - 1) / rp->room;

		if (nd > 1 && !q->multi_buffer) {
			/* The kernel drops what does not fit without XDP_USE_SG. */
			if (drops++ == q->fill.size)
				break;
			rp->dropped++;
			rp->produced++;
			if (++rp->next == rp->nr_pkts)
				rp->next = 0;
			continue;
		}
		if (used_f + nd > nfill || used_r + nd > nrx)
			break;
		for (unsigned int k = 0, off = 0; k < nd; k++) {
			__u64 base = *xskb_ring_addr(&rp->kfill, fidx + used_f++);
			struct xdp_desc *d = xskb_ring_desc(&rp->krx, ridx + used_r++);
			unsigned int len = p->len - off < rp->room ? p->len - off : rp->room;

			base &= ~((__u64)u->frame_size - 1);
			if (rp->copy)
				memcpy(u->area + base + rp->data_off, (const char *)p->data + off, len);
			d->addr = base + rp->data_off;
			d->len = len;
			d->options = k + 1 < nd ? XDP_PKT_CONTD : 0;
			off += len;
		}
		rp->produced++;
		made++;
		if (++rp->next == rp->nr_pkts)
			rp->next = 0;
	}
publish:
	if (used_f) {
		rp->kfill.cached_cons += used_f;
		xskb_ring_cons_release(&rp->kfill, used_f);
	}
	if (used_r) {
		rp->krx.cached_prod += used_r;
		xskb_ring_prod_submit(&rp->krx, used_r);
	}
	return made;
}

unsigned int xskb_replay_take_fill(struct xskb_queue *q, __u64 *addrs, unsigned int n)
{
	struct xskb_replay *rp = q->replay;
	__u32 idx;

	rp->manual = true;
	n = xskb_ring_cons_peek(&rp->kfill, n, &idx);
	for (unsigned int i = 0; i < n; i++)
		addrs[i] = *xskb_ring_addr(&rp->kfill, idx + i);
	if (n)
		xskb_ring_cons_release(&rp->kfill, n);
	return n;
}

unsigned int xskb_replay_inject(struct xskb_queue *q, const struct xdp_desc *descs, unsigned int n)
{
	struct xskb_replay *rp = q->replay;
	__u32 idx;

	rp->manual = true;
	n = xskb_ring_prod_reserve(&rp->krx, n, &idx);
	for (unsigned int i = 0; i < n; i++)
		*xskb_ring_desc(&rp->krx, idx + i) = descs[i];
	if (n)
		xskb_ring_prod_submit(&rp->krx, n);
	return n;
}

/* ---- transmit side: copy mode's __xsk_generic_xmit() ------------------------- */

/* xp_aligned_validate_desc() and the TX metadata checks of xsk_build_skb(). */
static bool replay_tx_desc_ok(const struct xskb_queue *q, const struct xdp_desc *d)
{
	const struct xskb_umem *u = q->umem;
	__u32 valid = XDP_PKT_CONTD | (u->tx_meta_len ? (1u << 1) : 0);
	__u64 mask = ~((__u64)u->frame_size - 1);

	/* Empty, too long, outside the area, unknown options; and the
	 * metadata room is taken off every descriptor, as the kernel does. */
	if (!d->len || d->len > u->frame_size || d->addr >= u->area_len || (d->options & ~valid) ||
	    (d->addr & ~mask) < u->tx_meta_len)
		return false;
	if ((d->addr & mask) != ((d->addr + d->len - 1) & mask))
		return false;		/* crosses a frame */
	if ((d->options & XDP_PKT_CONTD) && !q->multi_buffer)
		return false;
	if (d->options & (1u << 1)) {
		/* struct xsk_tx_metadata sits in front, inside the frame. */
		__u64 flags;
		__u16 start, off;

		if ((d->addr & ~mask) < u->tx_meta_len)
			return false;
		memcpy(&flags, u->area + d->addr - u->tx_meta_len, sizeof(flags));
		memcpy(&start, u->area + d->addr - u->tx_meta_len + 8, sizeof(start));
		memcpy(&off, u->area + d->addr - u->tx_meta_len + 10, sizeof(off));
		if (flags & ~(__u64)7)
			return false;
		if ((flags & 2) && (__u32)start + off + 2 > d->len)
			return false;
	}
	return true;
}

/* XDP_UMEM_TX_SW_CSUM: what the kernel's skb_checksum_help() does to a
 * packet whose metadata asks for a checksum (first descriptor only). */
static void replay_tx_sw_csum(const struct xskb_queue *q, const struct xdp_desc *d)
{
	struct xskb_umem *u = q->umem;
	unsigned char *pkt = u->area + d->addr;
	__u64 flags;
	__u16 start, off;
	__sum16 v;

	memcpy(&flags, pkt - u->tx_meta_len, sizeof(flags));
	memcpy(&start, pkt - u->tx_meta_len + 8, sizeof(start));
	memcpy(&off, pkt - u->tx_meta_len + 10, sizeof(off));
	if (!(flags & 2))
		return;
	v = xskb_csum_fold(xskb_csum_partial(pkt + start, (int)(d->len - start), 0));
	if (!v)
		v = XSKB_CSUM_MANGLED_0;
	memcpy(pkt + start + off, &v, sizeof(v));
}

/*
 * One kick: consume up to the queue's budget of descriptors, whole packets
 * at a time. A valid packet goes to the hook; every valid descriptor of a
 * packet is completed (an invalid one never is, and drops its packet).
 * -EAGAIN when the budget ran out with more waiting, -EBUSY when the
 * completion ring has no room for the next packet. The rings' shared words
 * are written once per kick, as the kernel's batched consumer does.
 */
static int replay_tx_kick(struct xskb_queue *q)
{
	struct xskb_replay *rp = q->replay;
	const struct xskb_umem *u = q->umem;
	struct xdp_desc d[XSKB_MAX_SKB_FRAGS + 1];
	const __u64 mask = ~((__u64)u->frame_size - 1);
	__u32 avail, room, used = 0, good = 0;
	const __u32 cons = rp->ktx.cached_cons, prod = rp->kcomp.cached_prod;
	int err = 0;

	rp->tx.kicks++;
	avail = xskb_ring_cons_avail(&rp->ktx, q->tx.size);
	room = xskb_ring_prod_free(&rp->kcomp, q->comp.size);
	if (!rp->tx_hook) {
		/* The common run: one descriptor per packet, no metadata, within
		 * the budget and the completion ring's room. */
		__u32 lim = avail < q->tx_budget ? avail : q->tx_budget;
		/* Locals: the completion stores could alias u's fields. */
		const struct xdp_desc *tring = rp->ktx.ring;
		__u64 *cring = rp->kcomp.ring;
		const __u32 tmask = rp->ktx.mask, cmask = rp->kcomp.mask;
		const __u64 fs = u->frame_size, area_len = u->area_len, meta = u->tx_meta_len;
		__u64 bytes = 0;
		__u32 bad = 0;

		lim = lim < room ? lim : room;
		for (; used < lim; used++) {
			const struct xdp_desc *p = &tring[(cons + used) & tmask];
			const __u64 a = p->addr, len = p->len;

			if (xskb_unlikely(p->options))
				break;
			/* 1..frame size bytes, inside the area, inside one frame,
			 * the metadata room in front. */
			if (xskb_likely(len - 1 < fs && a < area_len && !((a ^ (a + len - 1)) & mask) &&
					(a & ~mask) >= meta)) {
				cring[(prod + good++) & cmask] = a;
				bytes += len;
			} else {
				bad++;
			}
		}
		rp->tx.packets += good;
		rp->tx.descs += good;
		rp->tx.bytes += bytes;
		rp->tx.invalid_descs += bad;
	}
	while (used < avail) {
		__u32 k = 0, ok_descs = 0;
		bool ok = true;

		if (used >= q->tx_budget) {
			err = -EAGAIN;
			rp->tx.kicks_again++;
			break;
		}
		/* A chain, metadata or a hook: the packet's descriptors up to
		 * one without XDP_PKT_CONTD. */
		while (used + k < avail && k < XSKB_MAX_SKB_FRAGS + 1) {
			d[k] = *xskb_ring_desc(&rp->ktx, cons + used + k);
			if (!(d[k++].options & XDP_PKT_CONTD))
				break;
		}
		if (d[k - 1].options & XDP_PKT_CONTD) {
			if (k < XSKB_MAX_SKB_FRAGS + 1)
				break;		/* the rest is not published yet */
			ok = false;		/* too long a chain: -EOVERFLOW */
		}
		if (used + k > q->tx_budget) {
			err = -EAGAIN;
			rp->tx.kicks_again++;
			break;
		}
		if (good + k > room) {
			err = -EBUSY;
			rp->tx.kicks_busy++;
			break;
		}
		for (__u32 n = 0; n < k; n++) {
			if (!replay_tx_desc_ok(q, &d[n])) {
				ok = false;
				rp->tx.invalid_descs++;
				continue;
			}
			*xskb_ring_addr(&rp->kcomp, prod + good + ok_descs++) = d[n].addr;
		}
		/* A dropped packet's descriptors are never completed, the valid
		 * ones neither (xsk_drop_skb() cancels them). */
		if (!ok)
			ok_descs = 0;
		if (ok) {
			if (u->tx_sw_csum && (d[0].options & (1u << 1)))
				replay_tx_sw_csum(q, &d[0]);
			if (rp->tx_hook)
				rp->tx_hook(d, k, u->area, rp->tx_hook_arg);
			rp->tx.packets++;
			rp->tx.descs += k;
			for (__u32 n = 0; n < k; n++)
				rp->tx.bytes += d[n].len;
		}
		good += ok_descs;
		used += k;
	}
	if (used) {
		rp->ktx.cached_cons += used;
		xskb_ring_cons_release(&rp->ktx, used);
	}
	if (good) {
		rp->kcomp.cached_prod += good;
		xskb_ring_prod_submit(&rp->kcomp, good);
	}
	return err;
}

unsigned int xskb_replay_inject_comp(struct xskb_queue *q, const __u64 *addrs, unsigned int n)
{
	struct xskb_replay *rp = q->replay;
	__u32 idx;

	n = xskb_ring_prod_reserve(&rp->kcomp, n, &idx);
	for (unsigned int i = 0; i < n; i++)
		*xskb_ring_addr(&rp->kcomp, idx + i) = addrs[i];
	if (n)
		xskb_ring_prod_submit(&rp->kcomp, n);
	return n;
}

static void replay_free(struct xskb_replay *rp)
{
	if (!rp)
		return;
	free(rp->tx_hdr);
	free(rp->comp_hdr);
	free(rp->tx_ring);
	free(rp->comp_ring);
	free(rp->fill_hdr);
	free(rp->rx_hdr);
	free(rp->fill_ring);
	free(rp->rx_ring);
	free(rp->pkts);
	free(rp);
}

/* ---- ops ------------------------------------------------------------------ */

static void replay_stats(struct xskb_queue *q, struct xskb_queue_stats *st)
{
	st->xdp_rx_dropped = q->replay->dropped;	/* as XDP_STATISTICS would say */
}

static void replay_release(struct xskb_queue *q)
{
	replay_free(q->replay);
	q->replay = NULL;
	/* The rings were in the replay's memory. */
	memset(&q->tx, 0, sizeof(q->tx));
	memset(&q->comp, 0, sizeof(q->comp));
}

static const struct xskb_queue_ops replay_ops = {
	.kind = "replay",
	.produce = xskb_replay_produce,
	.stats = replay_stats,
	.release = replay_release,
	.tx_kick = replay_tx_kick,
};

int xskb_replay__tx_stats(const struct xskb_queue *q, struct xskb_replay_tx_stats *st)
{
	if (!q || !st || !q->replay)
		return -EINVAL;
	*st = q->replay->tx;
	return 0;
}

int xskb_replay__create(struct xskb_queue **out, struct xskb_umem *u,
			const struct xskb_queue_opts *qopts, const struct xskb_replay_opts *ropts)
{
	unsigned int rx_size, fill_size, tx_size, comp_size, nr;
	const struct xskb_replay_pkt *pkts;
	struct xskb_replay *rp = NULL;
	struct xskb_queue *q = NULL;
	struct net_device *dev;
	bool fits_one = true;
	int err;

	if (!out || !u || !ropts)
		return -EINVAL;
	*out = NULL;
	err = XSKB_OPTS_CHECK(qopts, "xskb_queue_opts");
	if (!err)
		err = XSKB_OPTS_CHECK(ropts, "xskb_replay_opts");
	if (err)
		return err;
	pkts = XSKB_OPT(ropts, pkts, (const struct xskb_replay_pkt *)NULL);
	nr = XSKB_OPT(ropts, nr_pkts, 0u);
	rx_size = XSKB_OPT(qopts, rx_size, 2048u);
	fill_size = XSKB_OPT(qopts, fill_size, 2048u);
	tx_size = XSKB_OPT(qopts, tx_size, 2048u);
	comp_size = XSKB_OPT(qopts, comp_size, tx_size);
	if (!pkts || !nr) {
		pr_warn("a replay queue needs at least one packet template\n");
		return -EINVAL;
	}
	if ((rx_size & (rx_size - 1)) || (fill_size & (fill_size - 1)) || (tx_size & (tx_size - 1)) ||
	    (comp_size & (comp_size - 1)) || rx_size > 65536 || fill_size > 65536 ||
	    tx_size > 65536 || comp_size > 65536) {
		pr_warn("ring sizes must be powers of two up to 65536\n");
		return -EINVAL;
	}
	if (comp_size < tx_size) {
		pr_warn("the completion ring (%u) must hold at least the TX ring (%u)\n", comp_size,
			tx_size);
		return -EINVAL;
	}
	rp = calloc(1, sizeof(*rp));
	q = calloc(1, sizeof(*q));
	if (!rp || !q) {
		err = -ENOMEM;
		goto out_free;
	}
	rp->data_off = u->headroom + XSKB_XDP_PACKET_HEADROOM;
	rp->room = u->frame_size - rp->data_off;
	rp->pkts = calloc(nr, sizeof(*rp->pkts));
	if (!rp->pkts) {
		err = -ENOMEM;
		goto out_free;
	}
	for (unsigned int i = 0; i < nr; i++) {
		if (!pkts[i].data || !pkts[i].len || pkts[i].len > 65535) {
			pr_warn("replay template %u: no data or length %u outside 1..65535\n", i,
				pkts[i].len);
			err = -EINVAL;
			goto out_free;
		}
		rp->pkts[i] = pkts[i];
		if (pkts[i].len > rp->room)
			fits_one = false;
	}
	rp->nr_pkts = nr;
	rp->limit = XSKB_OPT(ropts, limit, 0ull);
	/* Fast mode writes the template into every frame once: only on a UMEM
	 * of its own (other queues' frames hold other packets). */
	rp->copy = XSKB_OPT(ropts, copy, false) || nr > 1 || !fits_one || u->nr_queues;
	rp->fast = !rp->copy;
	err = mem_ring(&rp->fill_hdr, &rp->fill_ring, fill_size, sizeof(__u64), &q->fill, &rp->kfill,
		       true);
	if (!err)
		err = mem_ring(&rp->rx_hdr, &rp->rx_ring, rx_size, sizeof(struct xdp_desc), &q->rx,
			       &rp->krx, false);
	if (!err)
		err = mem_ring(&rp->tx_hdr, &rp->tx_ring, tx_size, sizeof(struct xdp_desc), &q->tx,
			       &rp->ktx, true);
	if (!err)
		err = mem_ring(&rp->comp_hdr, &rp->comp_ring, comp_size, sizeof(__u64), &q->comp,
			       &rp->kcomp, false);
	if (err)
		goto out_free;
	/* Copy mode: the TX path always wants a kick. */
	*q->tx.flags = XDP_RING_NEED_WAKEUP;
	rp->tx_hook = XSKB_OPT(ropts, tx_hook, rp->tx_hook);
	rp->tx_hook_arg = XSKB_OPT(ropts, tx_hook_arg, (void *)NULL);

	/* skb->dev: the caller's device itself (its MAC is checked with every
	 * queue's), or a built-in one that lives as long as the UMEM. */
	dev = XSKB_OPT(ropts, dev, (struct net_device *)NULL);
	if (!dev) {
		static const unsigned char laa[6] = { 0x02, 0, 0, 0, 0, 0x01 };

		dev = xskb_umem_alloc_netdev(u);
		if (!dev) {
			err = -ENOMEM;
			goto out_free;
		}
		snprintf(dev->name, sizeof(dev->name), "replay0");
		dev->mtu = 65535;
		dev->numa_node = u->numa_node;
		dev->hard_header_len = 14;
		if (pkts[0].len >= 6 && !(*(const unsigned char *)pkts[0].data & 1))
			memcpy(dev->dev_addr, pkts[0].data, 6);
		else
			memcpy(dev->dev_addr, laa, 6);
	}
	q->ops = &replay_ops;
	q->replay = rp;
	q->netdev = dev;
	q->napi.dev = dev;
	q->mode = XSKB_MODE_COPY;
	err = xskb_queue_init_common(q, u, qopts);
	if (err)
		goto out_free;
	/* The "kernel" takes TX metadata when the UMEM asks for it. */
	if (u->want_tx_metadata) {
		u->tx_meta_len = XSKB_TX_META_LEN;
		q->tx_csum = u->tx_sw_csum ? XSKB_TX_CSUM_KERNEL_SW : XSKB_TX_CSUM_METADATA;
	}
	{
		unsigned int b = XSKB_OPT(qopts, tx_budget, q->tx.size);

		q->tx_budget = b == XSKB_TX_BUDGET_KERNEL ? XSKB_TX_KERNEL_BUDGET :
			       b < XSKB_TX_KERNEL_BUDGET ? XSKB_TX_KERNEL_BUDGET :
			       b > q->tx.size ? q->tx.size : b;
	}
	if (!rp->copy) {
		/* One template for every frame, written once. */
		for (unsigned int i = 0; i < u->frame_count; i++)
			memcpy(xskb_frame_addr(u, i) + rp->data_off, pkts[0].data, pkts[0].len);
	}
	xskb_queue_refill(q);
	xskb_queue_tx_publish(q);
	*out = q;
	return 0;

out_free:
	replay_free(rp);
	free(q);
	return err;
}

unsigned long long xskb_replay__produced(const struct xskb_queue *q)
{
	return q && q->replay ? q->replay->produced : 0;
}
