/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The transmit path: dev_queue_xmit() puts an skb on a queue's TX ring,
 * without a copy when its head is a private frame of the queue's UMEM, and
 * the completion ring gives the frames back. Descriptors are written as skbs
 * come and published with one kick when the poll that produced them ends
 * (the kernel's xmit_more); a bounded software queue (the qdisc) holds what
 * does not fit. Frame states: a sent frame is in its queue's TX state until
 * its address comes back on that queue's completion ring. Nothing from the
 * completion ring is trusted. docs/architecture.md, "Transmit", has the rules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <xskb/checksum.h>
#include <xskb/replay.h>

#include "rx.h"
#include "skbuff_internal.h"
#include "slab_internal.h"

#ifndef XDP_TX_METADATA
#define XDP_TX_METADATA		(1 << 1)	/* desc option: struct xsk_tx_metadata in front */
#endif
#define TXMD_FLAGS_CHECKSUM	(1 << 1)	/* XDP_TXMD_FLAGS_CHECKSUM */

/* struct xsk_tx_metadata as Linux 6.14 lays it out (24 bytes). */
struct tx_meta {
	__u64 flags;
	__u16 csum_start;		/* from the packet's first byte */
	__u16 csum_offset;		/* from csum_start */
	__u32 pad;
	__u64 launch_time;
};
_Static_assert(sizeof(struct tx_meta) == XSKB_TX_META_LEN, "struct xsk_tx_metadata is 24 bytes");

/* What tx_one() did with an skb it could not put on the ring yet; and what
 * tx_frags() says of an skb it leaves to tx_copy(). Neither collides with
 * NET_XMIT_SUCCESS (0) or NET_XMIT_DROP (1), which mean the skb is gone. */
#define TX_NOSPACE	(-ENOSPC)
#define TX_NOTMINE	(-EXDEV)

static XSKB_COLD int tx_drop(struct xskb_queue *q, struct sk_buff *skb, enum xskb_tx_drop why,
			     enum skb_drop_reason reason)
{
	if (q)
		XSKB_STAT_ADD(q->stats.tx_drops[why], 1);
	xskb_kfree_skb_reason(skb, reason);
	return XSKB_NET_XMIT_DROP;
}

/* ---- completions ------------------------------------------------------------------ */

/*
 * Take every address off the completion ring: a frame in this queue's TX
 * state goes back to FREE; anything else (out of range, another state: a
 * forged or duplicated completion) is counted and ignored.
 */
static unsigned int tx_complete(struct xskb_queue *q)
{
	struct xskb_umem *u = q->umem;
	unsigned int good = 0;
	__u32 idx, n = xskb_ring_cons_peek(&q->comp, q->comp.size, &idx);

	for (__u32 i = 0; i < n; i++) {
		__u64 fi = *xskb_ring_addr(&q->comp, idx + i) >> u->frame_shift;

		if (xskb_likely(fi < u->frame_count && u->state[fi] == q->tx_slot)) {
			xskb_umem_push_free(u, (unsigned int)fi);
			good++;
		} else {
			XSKB_STAT_ADD(q->stats.tx_invalid_comp, 1);
		}
	}
	if (n)
		xskb_ring_cons_release(&q->comp, n);
	q->tx_done += good;
	XSKB_STAT_ADD(q->stats.tx_completed, good);
	return good;
}

/* ---- descriptors ------------------------------------------------------------------ */

/* Ring slots for @n descriptors, taking completions first if short. */
static XSKB_ALWAYS_INLINE bool tx_room(struct xskb_queue *q, __u32 n)
{
	if (xskb_likely(xskb_ring_prod_free(&q->tx, n) >= n))
		return true;
	tx_complete(q);
	return xskb_ring_prod_free(&q->tx, n) >= n;
}

static XSKB_ALWAYS_INLINE void tx_desc(struct xskb_queue *q, __u64 addr, __u32 len, __u32 options)
{
	struct xdp_desc *d = xskb_ring_desc(&q->tx, q->tx.cached_prod++);

	d->addr = addr;
	d->len = len;
	d->options = options;
}

/* @n free frames, draining remote frees and completions when short. */
static bool tx_frames(struct xskb_queue *q, unsigned int n)
{
	struct xskb_umem *u = q->umem;

	if (u->nr_free >= n)
		return true;
	if (__atomic_load_n(&u->remote, __ATOMIC_RELAXED))
		xskb_umem_drain_remote(u);
	if (u->nr_free < n)
		tx_complete(q);
	return u->nr_free >= n;
}

static XSKB_ALWAYS_INLINE unsigned int tx_pop_frame(struct xskb_umem *u)
{
	return u->free_stack[--u->nr_free];
}

/* ---- checksums -------------------------------------------------------------------- */

/*
 * A CHECKSUM_PARTIAL skb's checksum start, from skb->data, when it and the
 * field lie in the linear data, as the kernel's skb_checksum_help() demands
 * (it warns and fails otherwise); -1 if not.
 */
static int tx_csum_start(const struct sk_buff *skb)
{
	int start = xskb_skb_checksum_start_offset(skb);
	unsigned int hl = xskb_skb_headlen(skb);

	if (start < 0 || (unsigned int)start >= hl ||
	    (unsigned int)start + skb->csum_offset + sizeof(__sum16) > hl)
		return -1;
	return start;
}

/* skb_checksum_help()'s value without its write, for a copy: the skb may
 * be a clone, whose data is shared. */
static __sum16 tx_csum_value(const struct sk_buff *skb, int start)
{
	__sum16 v = xskb_csum_fold(xskb_skb_checksum(skb, start, (int)skb->len - start, 0));

	return v ? v : XSKB_CSUM_MANGLED_0;
}

/* TX metadata asking the kernel to fill the checksum in, in front of the
 * packet at @pkt (the caller checked there is room in its frame). */
static void tx_csum_meta(const struct sk_buff *skb, int start, unsigned char *pkt)
{
	struct tx_meta m = {
		.flags = TXMD_FLAGS_CHECKSUM,
		.csum_start = (__u16)start,
		.csum_offset = skb->csum_offset,
	};

	memcpy(pkt - sizeof(m), &m, sizeof(m));
}

/* ---- the three ways out ------------------------------------------------------------- */

/* Is @skb's linear data a private frame of @u that can go out as it is? */
static XSKB_ALWAYS_INLINE bool tx_own_head(const struct sk_buff *skb, const struct xskb_umem *u)
{
	return skb->xsk_frame && skb->head_owner == &u->head_owner && !xskb_skb_cloned(skb) &&
	       xskb_refcount_read(&skb->users) == 1;
}

/* A CHECKSUM_PARTIAL skb about to go out from its own frame: the TX
 * metadata or the sum in place (the data is private). Returns the
 * descriptor options, or -1 to drop. */
static XSKB_COLD int tx_inplace_csum(struct xskb_queue *q, struct sk_buff *skb, unsigned int off)
{
	int start = tx_csum_start(skb);

	if (start < 0)
		return -1;
	if (q->tx_csum != XSKB_TX_CSUM_SOFTWARE && off >= q->umem->tx_meta_len) {
		tx_csum_meta(skb, start, skb->data);
		XSKB_STAT_ADD(q->stats.tx_csum_offload, 1);
		return XDP_TX_METADATA;
	}
	/* The data is private: the kernel's own helper, in place. */
	if (xskb_skb_checksum_help(skb))
		return -1;
	XSKB_STAT_ADD(q->stats.tx_csum_sw, 1);
	return 0;
}

/* The sk_buff goes, its frame stays with the kernel: kfree_skbmem()'s
 * common case inline (no destructor, from the head cache, room in this
 * thread's magazine). */
static XSKB_ALWAYS_INLINE void tx_free_skb_only(struct sk_buff *skb)
{
	if (xskb_likely(!skb->destructor && skb->fclone == XSKB_SKB_FCLONE_UNAVAILABLE &&
			xskb_slab_hot_push(skb)))
		return;
	xskb_skb_free_detached(skb);
}

/*
 * Zero-copy, linear: the descriptor points at skb->data in the skb's own
 * frame, the frame changes from HELD to this queue's TX state, and only the
 * sk_buff is freed. A pushed or pulled header is inside the same frame.
 * Counted in tx_packets and tx_bytes only: tx_zerocopy and tx_descs are
 * what the other paths leave (xskb_queue__stats()).
 */
static XSKB_ALWAYS_INLINE int tx_inplace(struct xskb_queue *q, struct xskb_umem *u,
					 struct sk_buff *skb)
{
	__u64 hoff = (__u64)(skb->head - u->area);
	__u64 idx = hoff >> u->frame_shift;
	unsigned int off = (unsigned int)(skb->data - skb->head);
	int options = 0;

	/* The skb said so; the frame's state must agree. */
	if (xskb_unlikely(idx >= u->frame_count || (hoff & (u->frame_size - 1)) ||
			  u->state[idx] != FRAME_HELD || (__u64)off + skb->len > u->frame_size))
		xskb_skb_bug(skb, "dev_queue_xmit: an in-place skb's head is not a frame it holds");
	/* The kernel takes tx_metadata_len off every descriptor's frame room
	 * (xp_aligned_validate_desc()), metadata or not: a header pushed that
	 * close to the frame's start is copied instead. */
	if (xskb_unlikely(off < u->tx_meta_len))
		return TX_NOTMINE;
	if (xskb_unlikely(!tx_room(q, 1)))
		return TX_NOSPACE;
	if (xskb_unlikely(skb->ip_summed == XSKB_CHECKSUM_PARTIAL)) {
		options = tx_inplace_csum(q, skb, off);
		if (options < 0)
			return tx_drop(q, skb, XSKB_TX_DROP_CSUM, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	tx_desc(q, hoff + off, skb->len, (__u32)options);
	u->state[idx] = q->tx_slot;
	XSKB_STAT_ADD(q->stats.tx_bytes, skb->len);
	tx_free_skb_only(skb);
	return XSKB_NET_XMIT_SUCCESS;
}

/*
 * Zero-copy, multi-buffer: an skb whose page fragments are all private
 * frames of the UMEM (a chain received in XSKB_MB_FRAGS mode) goes out as a
 * descriptor chain of its own frames. Its linear part (the headers the
 * receive path copied out, maybe rewritten) goes back into the first
 * fragment's frame, right in front of the fragment, where the receive path
 * found it, so the chain has as many descriptors as it arrived with; into a
 * fresh frame when there is no room there; in place when the head is a frame
 * itself. Returns TX_NOTMINE when the skb does not qualify (untouched).
 */
static int tx_frags(struct xskb_queue *q, struct sk_buff *skb)
{
	struct xskb_umem *u = q->umem;
	struct skb_shared_info *sh = xskb_skb_shinfo(skb);
	unsigned int hl = xskb_skb_headlen(skb), nf = sh->nr_frags, room, i, nd;
	bool own_head = tx_own_head(skb, u), merge;
	int start = -1;
	__u32 k = 0;

	room = u->frame_size - q->tx_off;
	if (!q->multi_buffer || sh->frag_list || xskb_skb_cloned(skb) ||
	    xskb_refcount_read(&skb->users) != 1 || nf + 1 > q->tx_chain_max ||
	    (!own_head && hl > room))
		return TX_NOTMINE;
	for (i = 0; i < nf; i++) {
		const skb_frag_t *f = &sh->frags[i];
		size_t pi = (size_t)(f->page - u->pages);

		if (f->page < u->pages || pi >= u->frame_count || u->state[pi] != FRAME_HELD ||
		    xskb_atomic_read(&f->page->_refcount) != 1 || !f->len ||
		    f->offset < u->tx_meta_len || (__u64)f->offset + f->len > u->frame_size)
			return TX_NOTMINE;
	}
	/* The kernel takes tx_metadata_len off every descriptor's frame
	 * room (xp_aligned_validate_desc()), metadata or not. */
	if (own_head && hl && (unsigned int)(skb->data - skb->head) < u->tx_meta_len)
		return TX_NOTMINE;
	/* The headers back in front of the first fragment, in its frame. */
	merge = hl && !own_head && sh->frags[0].offset >= hl + u->tx_meta_len;
	nd = nf + (hl && !merge);
	if (skb->ip_summed == XSKB_CHECKSUM_PARTIAL) {
		start = tx_csum_start(skb);
		if (start < 0)
			return tx_drop(q, skb, XSKB_TX_DROP_CSUM, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	if (!tx_room(q, nd) || (hl && !own_head && !merge && !tx_frames(q, 1)))
		return TX_NOSPACE;
	if (start >= 0) {
		/* In the linear part, which is private: checked above, so the
		 * kernel's helper cannot fail here. */
		xskb_skb_checksum_help(skb);
		XSKB_STAT_ADD(q->stats.tx_csum_sw, 1);
	}
	i = 0;
	if (merge) {
		skb_frag_t *f = &sh->frags[0];
		unsigned int fi = (unsigned int)(f->page - u->pages);
		__u64 addr = ((__u64)fi << u->frame_shift) + f->offset - hl;

		memcpy(u->area + addr, skb->data, hl);
		tx_desc(q, addr, hl + f->len, nf > 1 ? XDP_PKT_CONTD : 0);
		u->state[fi] = q->tx_slot;
		i = k = 1;
	} else if (hl) {
		unsigned int fi;
		__u64 addr;

		if (own_head) {
			fi = (unsigned int)((skb->head - u->area) >> u->frame_shift);
			addr = (__u64)(skb->data - u->area);
		} else {
			fi = tx_pop_frame(u);
			addr = ((__u64)fi << u->frame_shift) + q->tx_off;
			memcpy(u->area + addr, skb->data, hl);
		}
		tx_desc(q, addr, hl, nf ? XDP_PKT_CONTD : 0);
		u->state[fi] = q->tx_slot;
		k = 1;
	}
	for (; i < nf; i++, k++) {
		const skb_frag_t *f = &sh->frags[i];
		unsigned int fi = (unsigned int)(f->page - u->pages);

		tx_desc(q, ((__u64)fi << u->frame_shift) + f->offset, f->len,
			k + 1 < nd ? XDP_PKT_CONTD : 0);
		u->state[fi] = q->tx_slot;
	}
	XSKB_STAT_ADD(q->stats.tx_descs, nd - 1);	/* the extra ones: see xskb_queue__stats() */
	XSKB_STAT_ADD(q->stats.tx_bytes, skb->len);
	if (hl && !own_head)
		XSKB_STAT_ADD(q->stats.tx_hdr_copied, 1);
	/* The frames are the kernel's now: the skb lets go of them. A head
	 * frame that went out stays; an empty one goes back with the skb. */
	sh->nr_frags = 0;
	skb->data_len = 0;
	skb->len = hl;
	if (own_head && hl)
		xskb_skb_free_detached(skb);
	else
		xskb_consume_skb(skb);
	return XSKB_NET_XMIT_SUCCESS;
}

/* Store @v at byte @pos of a packet copied into frames of @room bytes each. */
static void tx_store_split(struct xskb_umem *u, const unsigned int *frames, unsigned int off,
			   unsigned int room, unsigned int pos, __sum16 v)
{
	const unsigned char *b = (const unsigned char *)&v;

	for (int i = 0; i < 2; i++, pos++)
		u->area[((__u64)frames[pos / room] << u->frame_shift) + off + pos % room] = b[i];
}

/*
 * Copy: a clone, a slab skb, an skb of another UMEM or with foreign frags is
 * copied (skb_copy_bits) into free frames of the queue's UMEM: one frame, or
 * a chain when the socket is bound with XDP_USE_SG and it is bigger.
 */
static int tx_copy(struct xskb_queue *q, struct sk_buff *skb)
{
	struct xskb_umem *u = q->umem;
	unsigned int frames[XSKB_MAX_SKB_FRAGS + 1];
	unsigned int room = u->frame_size - q->tx_off, len = skb->len, nd, off = 0;
	__u32 options = 0;
	int start = -1;

	nd = (len + room - 1) / room;
	if (nd > 1 && (!q->multi_buffer || nd > q->tx_chain_max))
		return tx_drop(q, skb, XSKB_TX_DROP_TOO_BIG, SKB_DROP_REASON_PKT_TOO_BIG);
	if (skb->ip_summed == XSKB_CHECKSUM_PARTIAL) {
		start = tx_csum_start(skb);
		if (start < 0)
			return tx_drop(q, skb, XSKB_TX_DROP_CSUM, SKB_DROP_REASON_NOT_SPECIFIED);
	}
	if (!tx_room(q, nd) || !tx_frames(q, nd))
		return TX_NOSPACE;
	for (unsigned int k = 0; k < nd; k++) {
		unsigned int chunk = len - off < room ? len - off : room;
		__u64 addr;

		frames[k] = tx_pop_frame(u);
		addr = ((__u64)frames[k] << u->frame_shift) + q->tx_off;
		if (xskb_skb_copy_bits(skb, (int)off, u->area + addr, (int)chunk))
			xskb_skb_bug(skb, "tx_copy: skb_copy_bits failed inside the skb");
		u->state[frames[k]] = q->tx_slot;
		off += chunk;
	}
	if (start >= 0) {
		/* Metadata describes the first descriptor only (the kernel
		 * refuses a field beyond it, and XDP_UMEM_TX_SW_CSUM would sum
		 * that descriptor alone): a chain is summed here. */
		if (q->tx_csum != XSKB_TX_CSUM_SOFTWARE && nd == 1) {
			tx_csum_meta(skb, start, u->area + ((__u64)frames[0] << u->frame_shift) +
					     q->tx_off);
			options = XDP_TX_METADATA;
			XSKB_STAT_ADD(q->stats.tx_csum_offload, 1);
		} else {
			tx_store_split(u, frames, q->tx_off, room, (unsigned int)start + skb->csum_offset,
				       tx_csum_value(skb, start));
			XSKB_STAT_ADD(q->stats.tx_csum_sw, 1);
		}
	}
	off = 0;
	for (unsigned int k = 0; k < nd; k++) {
		unsigned int chunk = len - off < room ? len - off : room;

		tx_desc(q, ((__u64)frames[k] << u->frame_shift) + q->tx_off, chunk,
			(k + 1 < nd ? XDP_PKT_CONTD : 0) | (k ? 0 : options));
		off += chunk;
	}
	XSKB_STAT_ADD(q->stats.tx_descs, nd - 1);	/* the extra ones: see xskb_queue__stats() */
	XSKB_STAT_ADD(q->stats.tx_bytes, len);
	XSKB_STAT_ADD(q->stats.tx_copied, 1);
	if (nd == 1 && xskb_skb_is_nonlinear(skb))
		XSKB_STAT_ADD(q->stats.tx_linearized, 1);
	xskb_consume_skb(skb);
	return XSKB_NET_XMIT_SUCCESS;
}

/* Neither in place nor linear: a chain of own frames, or a copy. */
static int tx_other(struct xskb_queue *q, struct sk_buff *skb)
{
	if (xskb_skb_shinfo(skb)->nr_frags) {
		int r = tx_frags(q, skb);

		if (r != TX_NOTMINE)
			return r;
	}
	return tx_copy(q, skb);
}

/* NET_XMIT_SUCCESS or NET_XMIT_DROP (@skb consumed either way), or
 * TX_NOSPACE: no ring room or frames yet, @skb untouched. */
static XSKB_ALWAYS_INLINE int tx_one(struct xskb_queue *q, struct sk_buff *skb)
{
	struct xskb_umem *u = q->umem;
	const struct skb_shared_info *sh = xskb_skb_shinfo(skb);

	if (xskb_likely(tx_own_head(skb, u) && !sh->nr_frags && !sh->frag_list)) {
		int r = tx_inplace(q, u, skb);

		if (xskb_likely(r != TX_NOTMINE))
			return r;
	}
	return tx_other(q, skb);
}

/* ---- the qdisc ------------------------------------------------------------------------ */

static XSKB_ALWAYS_INLINE void tx_flush_list_add(struct xskb_queue *q)
{
	struct xskb_umem *u = q->umem;

	if (q->tx_flush_listed)
		return;
	q->tx_flush_listed = true;
	q->tx_flush_next = u->tx_flush;
	u->tx_flush = q;
}

static int tx_enqueue(struct xskb_queue *q, struct sk_buff *skb)
{
	if (q->qdisc.qlen >= q->qdisc_len)
		return tx_drop(q, skb, XSKB_TX_DROP_QDISC, SKB_DROP_REASON_QDISC_DROP);
	xskb__skb_queue_tail(&q->qdisc, skb);
	XSKB_STAT_ADD(q->stats.tx_qdisc_queued, 1);
	tx_flush_list_add(q);
	return XSKB_NET_XMIT_SUCCESS;
}

/* Move waiting skbs onto the ring, in order, while there is room. */
static void tx_qdisc_run(struct xskb_queue *q)
{
	struct sk_buff *skb;

	while ((skb = xskb__skb_dequeue(&q->qdisc))) {
		if (tx_one(q, skb) == TX_NOSPACE) {
			xskb__skb_queue_head(&q->qdisc, skb);
			break;
		}
	}
}

/* ---- entry points ---------------------------------------------------------------------- */

static XSKB_COLD int tx_not_owner(struct xskb_queue *q, struct sk_buff *skb)
{
	xskb_umem_claim(q->umem);
	if (xskb_umem_owned(q->umem))
		return 0;
	if (!q->tx_warned) {
		q->tx_warned = true;
		pr_warn("%s queue %u: transmit from a thread other than the one polling its UMEM; "
			"dropped\n", q->netdev->name, q->queue_id);
	}
	return tx_drop(q, skb, XSKB_TX_DROP_NOT_OWNER, SKB_DROP_REASON_DEV_READY);
}

/* The full path, after tx_fast() declined: not yet the UMEM's poller,
 * the interface gone, a runt, skbs waiting in the qdisc, a copy, a chain,
 * a checksum, no room. */
static __attribute__((noinline)) int tx_xmit(struct xskb_queue *q, struct sk_buff *skb)
{
	int r;

	if (!xskb_umem_owned(q->umem) && tx_not_owner(q, skb))
		return XSKB_NET_XMIT_DROP;
	if (q->gone)
		return tx_drop(q, skb, XSKB_TX_DROP_GONE, SKB_DROP_REASON_DEV_READY);
	if (skb->len < ETH_HLEN)
		return tx_drop(q, skb, XSKB_TX_DROP_RUNT, SKB_DROP_REASON_PKT_TOO_SMALL);
	/* Behind what already waits: packets leave in order. */
	if (q->qdisc.qlen) {
		tx_qdisc_run(q);
		if (q->qdisc.qlen)
			return tx_enqueue(q, skb);
	}
	r = tx_one(q, skb);
	if (r == TX_NOSPACE)
		return tx_enqueue(q, skb);
	tx_flush_list_add(q);
	return r;
}

/*
 * The forwarding case with no call at all, so the compiler keeps it in
 * scratch registers (a call anywhere in a function makes GCC save
 * callee-saved registers on every path, as in the skb free fast path): the
 * polling thread sends a private in-place skb, no checksum to complete, ring
 * room and a free slot in this thread's skb magazine at hand. Anything else
 * returns false having changed nothing, and the caller tail-calls the full
 * path, which checks everything again.
 */
static XSKB_ALWAYS_INLINE bool tx_fast(struct xskb_queue *q, struct sk_buff *skb)
{
	struct xskb_umem *u = q->umem;
	const struct skb_shared_info *sh = xskb_skb_shinfo(skb);
	struct kmem_mag *m = xskb_slab_hot_mag;
	__u64 hoff = (__u64)(skb->head - u->area), idx = hoff >> u->frame_shift;

	__u16 w = xskb_skb_flag_word(skb);

	/* One word for xsk_frame set, cloned and fclone clear, and no
	 * CHECKSUM_PARTIAL; then the rest, cheapest first. */
	if (xskb_unlikely((w & xskb_xsk_fast_mask()) != xskb_xsk_fast_val() ||
			  (w & xskb_ip_summed_mask()) == xskb_ip_summed_partial() ||
			  skb->head_owner != &u->head_owner || xskb_refcount_read(&skb->users) != 1 ||
			  !xskb_umem_owned(u) || q->gone || q->qdisc.qlen || skb->len < ETH_HLEN ||
			  sh->nr_frags || sh->frag_list || skb->destructor ||
			  idx >= u->frame_count || u->state[idx] != FRAME_HELD || m->count >= m->cap ||
			  (unsigned int)(skb->data - skb->head) < u->tx_meta_len ||
			  xskb_ring_prod_free(&q->tx, 1) < 1))
		return false;
	tx_desc(q, hoff + (__u64)(skb->data - skb->head), skb->len, 0);
	u->state[idx] = q->tx_slot;
	XSKB_STAT_ADD(q->stats.tx_bytes, skb->len);
	m->objs[m->count++] = skb;
	tx_flush_list_add(q);
	return true;
}

int xskb_queue__xmit(struct xskb_queue *q, struct sk_buff *skb)
{
	if (xskb_unlikely(!skb))
		return XSKB_NET_XMIT_DROP;
	if (xskb_unlikely(!q))
		return tx_drop(NULL, skb, XSKB_TX_DROP_GONE, SKB_DROP_REASON_DEV_READY);
	if (xskb_likely(tx_fast(q, skb)))
		return XSKB_NET_XMIT_SUCCESS;
	return tx_xmit(q, skb);
}

/* The device's queue for skb_get_queue_mapping(), as netdev_pick_tx() and
 * netdev_cap_txqueue() choose it. */
static XSKB_COLD struct xskb_queue *tx_pick_slow(struct net_device *dev, unsigned int qid)
{
	static bool warned;

	if (dev->real_num_tx_queues && qid >= dev->real_num_tx_queues) {
		if (!__atomic_exchange_n(&warned, true, __ATOMIC_RELAXED))
			pr_warn("%s selects queue %u, but the number of TX queues is %u; using 0 "
				"(warned once)\n", dev->name, qid, dev->real_num_tx_queues);
		qid = 0;
	}
	if (qid < XSKB_NETDEV_MAX_TXQ && dev->xskb_txq[qid])
		return dev->xskb_txq[qid];
	for (unsigned int i = 0; i < XSKB_NETDEV_MAX_TXQ; i++)
		if (dev->xskb_txq[i])
			return dev->xskb_txq[i];
	return NULL;
}

/* dev_queue_xmit() past the fast path: the queue picked with every rule. */
static __attribute__((noinline)) int tx_dev_xmit_slow(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct xskb_queue *q;

	if (!dev)
		return tx_drop(NULL, skb, XSKB_TX_DROP_GONE, SKB_DROP_REASON_DEV_READY);
	q = tx_pick_slow(dev, skb->queue_mapping);
	if (!q)
		return tx_drop(NULL, skb, XSKB_TX_DROP_GONE, SKB_DROP_REASON_DEV_READY);
	return tx_xmit(q, skb);
}

/*
 * A queue registered for skb_get_queue_mapping()'s id exists there, so it
 * is below real_num_tx_queues as far as xskb can know: the fast path takes
 * it as it is; everything else goes through tx_pick_slow().
 */
int xskb_dev_queue_xmit(struct sk_buff *skb)
{
	struct net_device *dev;
	struct xskb_queue *q;

	if (xskb_unlikely(!skb))
		return XSKB_NET_XMIT_DROP;
	dev = skb->dev;
	if (xskb_likely(dev && skb->queue_mapping < XSKB_NETDEV_MAX_TXQ &&
			(q = dev->xskb_txq[skb->queue_mapping]) != NULL &&
			(!dev->real_num_tx_queues || skb->queue_mapping < dev->real_num_tx_queues) &&
			tx_fast(q, skb)))
		return XSKB_NET_XMIT_SUCCESS;
	return tx_dev_xmit_slow(skb);
}

/* ---- submit and kick --------------------------------------------------------------------- */

/* Wake the kernel, a few times when it asks for more: its budget ran out
 * (EAGAIN) or the completion ring was full (EBUSY, drained first). What is
 * left goes with the next poll's flush. */
static void tx_kick(struct xskb_queue *q)
{
	for (int tries = 0; tries < 8; tries++) {
		int err = q->ops->tx_kick(q);

		XSKB_STAT_ADD(q->stats.tx_kicks, 1);
		if (!err)
			return;
		if (err != -EAGAIN && err != -EBUSY) {
			XSKB_STAT_ADD(q->stats.tx_kick_errors, 1);
			return;
		}
		XSKB_STAT_ADD(q->stats.tx_kick_retries, 1);
		tx_complete(q);
		if (!xskb_ring_prod_pending(&q->tx))
			return;
	}
}

int xskb_queue_tx_flush(struct xskb_queue *q)
{
	__u32 pending, n;

	if (q->tx_sent != q->tx_done)
		tx_complete(q);
	if (q->qdisc.qlen)
		tx_qdisc_run(q);
	n = xskb_queue_tx_unsubmitted(q);
	if (n) {
		xskb_ring_prod_submit(&q->tx, n);
		XSKB_STAT_ADD(q->tx_sent, n);
	}
	pending = xskb_ring_prod_pending(&q->tx);
	/* Copy mode needs a kick for every batch; a zero-copy driver says
	 * when it does through the flag. */
	if (pending && q->ops->tx_kick && (q->mode == XSKB_MODE_COPY || xskb_ring_needs_wakeup(&q->tx))) {
		tx_kick(q);
		pending = xskb_ring_prod_pending(&q->tx);
	}
	return (int)pending;
}

void xskb_umem_tx_flush(struct xskb_umem *u)
{
	struct xskb_queue *q;

	while ((q = u->tx_flush)) {
		u->tx_flush = q->tx_flush_next;
		q->tx_flush_next = NULL;
		q->tx_flush_listed = false;
		xskb_queue_tx_flush(q);
	}
}

int xskb_queue__flush(struct xskb_queue *q)
{
	if (!q)
		return -EINVAL;
	if (!xskb_umem_owned(q->umem)) {
		xskb_umem_claim(q->umem);
		if (!xskb_umem_owned(q->umem))
			return -EBUSY;
	}
	if (q->gone)
		return -ENODEV;
	return xskb_queue_tx_flush(q);
}

/* ---- set-up and teardown ------------------------------------------------------------------ */

int xskb_queue_tx_init(struct xskb_queue *q, const struct xskb_queue_opts *opts)
{
	xskb__skb_queue_head_init(&q->qdisc);
	q->qdisc_len = XSKB_OPT(opts, tx_qdisc_len, XSKB_TX_DEFAULT_QDISC);
	q->tx_off = q->umem->headroom + XSKB_XDP_PACKET_HEADROOM;
	q->tx_chain_max = XSKB_MAX_SKB_FRAGS + 1;	/* copy mode's limit (xsk_build_skb) */
	q->tx_budget = XSKB_TX_KERNEL_BUDGET;
	q->tx_csum = XSKB_TX_CSUM_SOFTWARE;
	q->parse_headers = XSKB_OPT(opts, parse_headers, false);
	{
		/* Room for copies that does not depend on receiving: a TX
		 * ring's worth, at most an eighth of the frames. */
		struct xskb_umem *u = q->umem;
		unsigned int r = XSKB_OPT(opts, tx_size, XSKB_TX_DEFAULT_RING);

		if (r > u->frame_count / 8)
			r = u->frame_count / 8;
		if (r > u->tx_reserve)
			u->tx_reserve = r;
	}
	return 0;
}

/* The queue transmits for its device's queue id from now on: the last step
 * of a successful creation, so a failed one leaves nothing behind. */
void xskb_queue_tx_publish(struct xskb_queue *q)
{
	struct net_device *dev = q->netdev;

	if (q->queue_id < XSKB_NETDEV_MAX_TXQ && !dev->xskb_txq[q->queue_id])
		dev->xskb_txq[q->queue_id] = q;
}

/* Before the kind releases its rings: nothing may name the queue after. */
void xskb_queue_tx_release(struct xskb_queue *q)
{
	struct xskb_umem *u = q->umem;
	struct net_device *dev = q->netdev;

	if (q->tx_flush_listed) {
		struct xskb_queue **pp = &u->tx_flush;

		while (*pp && *pp != q)
			pp = &(*pp)->tx_flush_next;
		if (*pp)
			*pp = q->tx_flush_next;
		q->tx_flush_listed = false;
	}
	xskb__skb_queue_purge_reason(&q->qdisc, SKB_DROP_REASON_QUEUE_PURGE);
	if (q->queue_id < XSKB_NETDEV_MAX_TXQ && dev->xskb_txq[q->queue_id] == q) {
		/* Another queue of the UMEM for the same device and id (replay
		 * queues on a caller's device) takes over. */
		dev->xskb_txq[q->queue_id] = NULL;
		for (unsigned int s = 0; s < XSKB_UMEM_MAX_QUEUES; s++) {
			struct xskb_queue *o = u->queues[s];

			if (o && o != q && o->netdev == dev && o->queue_id == q->queue_id) {
				dev->xskb_txq[q->queue_id] = o;
				break;
			}
		}
	}
	/* What the completion ring holds already is ours again; descriptors
	 * never published count as sent (their frames are in TX). */
	if (q->comp.ring && q->tx_sent != q->tx_done)
		tx_complete(q);
	XSKB_STAT_ADD(q->tx_sent, xskb_queue_tx_unsubmitted(q));
	if (q->tx.producer)
		q->tx.cached_prod = *q->tx.producer;
}

enum xskb_tx_csum xskb_queue__tx_csum(const struct xskb_queue *q)
{
	return q->tx_csum;
}

const char *xskb_tx_csum_str(enum xskb_tx_csum mode)
{
	switch (mode) {
	case XSKB_TX_CSUM_SOFTWARE:
		return "software";
	case XSKB_TX_CSUM_METADATA:
		return "metadata";
	case XSKB_TX_CSUM_KERNEL_SW:
		return "kernel-software";
	}
	return "unknown";
}

unsigned int xskb_queue__tx_budget(const struct xskb_queue *q)
{
	return q->tx_budget;
}

const char *xskb_tx_drop_str(enum xskb_tx_drop reason)
{
	static const char *const names[XSKB_TX_DROP_MAX] = {
		[XSKB_TX_DROP_QDISC] = "qdisc",
		[XSKB_TX_DROP_TOO_BIG] = "too_big",
		[XSKB_TX_DROP_RUNT] = "runt",
		[XSKB_TX_DROP_NOT_OWNER] = "not_owner",
		[XSKB_TX_DROP_GONE] = "gone",
		[XSKB_TX_DROP_CSUM] = "csum",
	};

	return (unsigned int)reason < XSKB_TX_DROP_MAX ? names[reason] : "unknown";
}
