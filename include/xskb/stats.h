/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-queue receive statistics: what the NAPI loop did with every descriptor,
 * why packets were dropped, and the kernel's own XDP_STATISTICS counters.
 */
#ifndef XSKB_STATS_H
#define XSKB_STATS_H

#include <xskb/compiler.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why the NAPI loop dropped a packet before any handler saw it. */
enum xskb_rx_drop {
	XSKB_DROP_NOMEM = 0,	/* no skb head or slab buffer (GFP_ATOMIC reserve exhausted) */
	XSKB_DROP_RUNT,		/* shorter than an Ethernet header */
	XSKB_DROP_TOO_BIG,	/* slab mode: over 64 KiB; frags mode: over MAX_SKB_FRAGS frags */
	XSKB_DROP_INVALID_DESC,	/* outside the UMEM or its frame, a frame not posted to this
				 * queue (forged, duplicated), or a chain without an end */
	XSKB_DROP_MAX,
};

struct xskb_queue_stats {
	__u64 rx_packets;		/* delivered to the handler / list */
	__u64 rx_bytes;			/* their Ethernet frame bytes */
	__u64 rx_descs;			/* descriptors consumed from the RX ring */
	union {
		__u64 skb_inplace;	/* built in place on their UMEM frame (copy mode too) */
		__u64 skb_zerocopy;	/* the old name of skb_inplace: it was never zero-copy only */
	};
	__u64 skb_slab;			/* copied into a slab skb (too big, chain in slab mode, copybreak) */
	__u64 skb_copybreak;		/* of skb_slab: copied because len <= copybreak */
	__u64 skb_frags;		/* chains delivered as page frags on UMEM frames */
	__u64 drops[XSKB_DROP_MAX];	/* by enum xskb_rx_drop */
	__u64 polls;			/* poll calls */
	__u64 empty_polls;		/* polls that found the RX ring empty */
	__u64 wakeups;			/* recvfrom() kicks (need_wakeup, busy poll) */
	__u64 fill_starved;		/* refills that wanted frames but found none free */
	/* XDP_STATISTICS (getsockopt SOL_XDP), read by xskb_queue__stats() */
	__u64 xdp_rx_dropped;		/* kernel dropped: frame too big for the UMEM frame, ... */
	__u64 xdp_rx_invalid_descs;
	__u64 xdp_rx_ring_full;		/* kernel dropped: our RX ring was full */
	__u64 xdp_rx_fill_ring_empty;	/* kernel found the fill ring empty */
};

/** "nomem", "runt", "too_big", "invalid_desc"; "unknown" otherwise. */
XSKB_API const char *xskb_rx_drop_str(enum xskb_rx_drop reason);

#ifdef __cplusplus
}
#endif
#endif /* XSKB_STATS_H */
