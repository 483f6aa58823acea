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

/* Why the transmit path dropped an skb (dev_queue_xmit() returned NET_XMIT_DROP). */
enum xskb_tx_drop {
	XSKB_TX_DROP_QDISC = 0,	/* TX ring and software queue both full */
	XSKB_TX_DROP_TOO_BIG,	/* over a frame without multi-buffer, or over the TX ring */
	XSKB_TX_DROP_RUNT,	/* shorter than an Ethernet header */
	XSKB_TX_DROP_NOT_OWNER,	/* called on a thread other than the UMEM's poller */
	XSKB_TX_DROP_GONE,	/* the interface is gone */
	XSKB_TX_DROP_CSUM,	/* CHECKSUM_PARTIAL with csum_start/csum_offset outside the data */
	XSKB_TX_DROP_MAX,
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

	/* receive, continued */
	__u64 rx_parse_errors;		/* parse_headers: headers it could not parse (delivered anyway) */

	/* transmit (dev_queue_xmit, xskb_queue__xmit) */
	__u64 tx_packets;		/* packets put on the TX ring */
	__u64 tx_bytes;			/* their Ethernet frame bytes */
	__u64 tx_descs;			/* descriptors (a multi-buffer packet takes several) */
	__u64 tx_zerocopy;		/* sent from the skb's own frame(s): no byte copied */
	__u64 tx_copied;		/* copied into a free frame (clone, slab skb, other UMEM) */
	__u64 tx_linearized;		/* of tx_copied: a frags skb copied into one frame */
	__u64 tx_hdr_copied;		/* chains sent from their own frames but for the copied
					 * headers (a multi-buffer skb's linear part) */
	__u64 tx_completed;		/* frames the completion ring gave back */
	__u64 tx_qdisc_queued;		/* packets that waited in the software queue */
	__u64 tx_kicks;			/* sendto() wakeups of the kernel's TX path */
	__u64 tx_kick_retries;		/* of them: after EAGAIN/EBUSY, completions drained first */
	__u64 tx_kick_errors;		/* kicks that failed otherwise (ENOBUFS, ENETDOWN, ...) */
	__u64 tx_csum_sw;		/* CHECKSUM_PARTIAL completed by xskb in software */
	__u64 tx_csum_offload;		/* CHECKSUM_PARTIAL handed to the kernel in TX metadata */
	__u64 tx_invalid_comp;		/* completions naming a frame this queue did not send */
	__u64 tx_drops[XSKB_TX_DROP_MAX];	/* by enum xskb_tx_drop */
	/* XDP_STATISTICS, transmit side */
	__u64 xdp_tx_invalid_descs;	/* the kernel refused a descriptor */
	__u64 xdp_tx_ring_empty;	/* the kernel found the TX ring empty when woken */
};

/** "nomem", "runt", "too_big", "invalid_desc"; "unknown" otherwise. */
XSKB_API const char *xskb_rx_drop_str(enum xskb_rx_drop reason);
/** "qdisc", "too_big", "runt", "not_owner", "gone", "csum"; "unknown" otherwise. */
XSKB_API const char *xskb_tx_drop_str(enum xskb_tx_drop reason);

#ifdef __cplusplus
}
#endif
#endif /* XSKB_STATS_H */
