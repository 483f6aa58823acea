/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * AF_XDP ring access: the single-producer/single-consumer rings the kernel
 * shares with us (fill, RX, completion), and the memory rings the replay
 * queue builds with the same layout, so both feed the same NAPI code.
 */
#ifndef XSKB_RING_H
#define XSKB_RING_H

#include <linux/if_xdp.h>
#include <xskb/compiler.h>

#ifndef XDP_USE_SG
#define XDP_USE_SG	(1 << 4)	/* multi-buffer bind flag (linux-libc-dev 6.1 lacks it) */
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD	(1 << 0)	/* desc option: the packet continues in the next desc */
#endif

/*
 * One ring. producer/consumer/flags/ring point into the mmap()ed area (or
 * into memory for replay). cached_* are our private copies: the producer side
 * keeps cached_cons = consumer + size, the consumer side cached_prod, so the
 * shared words are read only when the cached view runs out.
 */
struct xskb_ring {
	__u32 cached_prod;
	__u32 cached_cons;
	__u32 mask;
	__u32 size;
	__u32 *producer;
	__u32 *consumer;
	void *ring;
	__u32 *flags;
};

static inline __u64 *xskb_ring_addr(const struct xskb_ring *r, __u32 idx)
{
	return &((__u64 *)r->ring)[idx & r->mask];
}

static inline struct xdp_desc *xskb_ring_desc(const struct xskb_ring *r, __u32 idx)
{
	return &((struct xdp_desc *)r->ring)[idx & r->mask];
}

/* Free slots a producer may fill, re-reading the consumer only when fewer
 * than @nb are known free. */
static inline __u32 xskb_ring_prod_free(struct xskb_ring *r, __u32 nb)
{
	__u32 free_entries = r->cached_cons - r->cached_prod;

	if (free_entries >= nb)
		return free_entries;
	/* Acquire: the consumer finished reading the slots it released. */
	r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE) + r->size;
	return r->cached_cons - r->cached_prod;
}

/* Reserve up to @nb slots; returns how many, first index in *idx. */
static inline __u32 xskb_ring_prod_reserve(struct xskb_ring *r, __u32 nb, __u32 *idx)
{
	__u32 n = xskb_ring_prod_free(r, nb);

	if (n > nb)
		n = nb;
	*idx = r->cached_prod;
	r->cached_prod += n;
	return n;
}

static inline void xskb_ring_prod_submit(struct xskb_ring *r, __u32 nb)
{
	/* Release: the entries are written before the consumer can see them. */
	__atomic_store_n(r->producer, *r->producer + nb, __ATOMIC_RELEASE);
}

/* Entries available to a consumer, re-reading the producer only when the
 * cached view has fewer than @nb. */
static inline __u32 xskb_ring_cons_avail(struct xskb_ring *r, __u32 nb)
{
	__u32 entries = r->cached_prod - r->cached_cons;

	if (entries >= nb)
		return entries;
	/* Acquire: the descriptors are visible once the producer index is. */
	r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
	return r->cached_prod - r->cached_cons;
}

static inline __u32 xskb_ring_cons_peek(struct xskb_ring *r, __u32 nb, __u32 *idx)
{
	__u32 n = xskb_ring_cons_avail(r, nb);

	if (n > nb)
		n = nb;
	*idx = r->cached_cons;
	r->cached_cons += n;
	return n;
}

/* Give back @nb peeked entries; cached_cons has already moved past them. */
static inline void xskb_ring_cons_release(struct xskb_ring *r, __u32 nb)
{
	/* Release: our reads of the entries complete before the producer reuses them. */
	__atomic_store_n(r->consumer, *r->consumer + nb, __ATOMIC_RELEASE);
}

static inline int xskb_ring_needs_wakeup(const struct xskb_ring *r)
{
	return __atomic_load_n(r->flags, __ATOMIC_RELAXED) & XDP_RING_NEED_WAKEUP;
}

/* Entries the consumer has not yet taken (producer's view). */
static inline __u32 xskb_ring_prod_pending(const struct xskb_ring *r)
{
	return *r->producer - __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
}

#endif /* XSKB_RING_H */
