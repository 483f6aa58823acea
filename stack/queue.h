/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct xskb_queue and what each kind of queue supplies: the core (queue.c,
 * rx.c, napi.c) reaches a socket (xsk.c) or a replay queue (replay.c) only
 * through its struct xskb_queue_ops, the way the kernel reaches a driver
 * through net_device_ops.
 */
#ifndef XSKB_QUEUE_H
#define XSKB_QUEUE_H

#include <stdbool.h>
#include <xskb/napi.h>
#include <xskb/xsk.h>

#include "ring.h"
#include "umem_internal.h"

/* The largest chain the receive path copies into one slab skb. */
#define XSKB_RX_SLAB_MAX	(64u * 1024u)
/* Most descriptors a packet may span: a 64 KiB packet in the smallest frame
 * room there is (2048-byte frames, the largest UMEM headroom: 448 bytes). */
#define XSKB_RX_CHAIN_MAX	160u

struct xskb_queue;
struct xskb_replay;

/*
 * What a kind of queue does for the core. Every hook may be NULL (nothing to
 * do) except release.
 */
struct xskb_queue_ops {
	const char *kind;			/* "socket", "replay": for messages */
	/* Before each poll: play the kernel's receive side (the replay
	 * queue produces RX descriptors from its fill ring). */
	unsigned int (*produce)(struct xskb_queue *q);
	/* Wake the kernel after a poll: the fill ring asks for it, or busy
	 * poll drives the driver's NAPI. */
	void (*kick)(struct xskb_queue *q);
	/* Is the queue's interface still there? 0, or -ENODEV once it is gone
	 * (the core latches it). Called every 1024th empty poll and after
	 * every sleep of the loop, never per packet. */
	int (*check)(struct xskb_queue *q);
	/* The kernel's counters (XDP_STATISTICS) into @st. */
	void (*stats)(struct xskb_queue *q, struct xskb_queue_stats *st);
	/* Tear down what the kind set up (unpublish, close, unmap, free) once
	 * the core stops polling; the core then takes the frames back (or, in
	 * zero-copy mode, retires them: see xskb_umem_detach_queue). */
	void (*release)(struct xskb_queue *q);
	/* Wake the kernel's TX path to take descriptors off the TX ring: 0,
	 * -EAGAIN (its budget ran out with more waiting), -EBUSY (the
	 * completion ring is full: drain it), or another -errno. */
	int (*tx_kick)(struct xskb_queue *q);
};

struct xskb_queue {
	/* Hot: read by every poll. */
	struct xskb_ring rx;		/* consumer */
	struct xskb_ring fill;		/* producer */
	const struct xskb_queue_ops *ops;
	struct xskb_umem *umem;
	xskb_rx_handler_t handler;
	void *handler_arg;
	struct net_device *netdev;	/* skb->dev */
	struct xskb_dev *dev;		/* socket queues: the interface */
	struct xskb_replay *replay;	/* replay queues: the memory "kernel" */
	unsigned int copybreak;
	unsigned int zc_limit;		/* offset + len must not exceed: skb_shared_info follows */
	unsigned int zc_min;		/* len must exceed: max(copybreak, ETH_HLEN - 1) */
	unsigned int zc_truesize;
	unsigned int chain_max;		/* descriptors a packet may span (rx_chain) */
	/* struct sk_buff's second cache line as the in-place path leaves it
	 * (xskb_queue_rx_template()): zeros and per-queue constants. */
	unsigned char rx_line1[64];
	unsigned int queue_id;
	__u8 slot;			/* this queue's FRAME_FILL + slot state value */
	bool metadata;
	bool busy_poll;
	bool warned_owner;
	bool gone;			/* the interface was unregistered (-ENODEV) */
	enum xskb_mb_mode mb_mode;
	int fd;
	__u64 posted;			/* frames put on the fill ring */
	__u64 received;			/* frames taken off the RX ring */
	struct xskb_queue_stats stats;
	struct napi_struct napi;

	/* Transmit (tx.c). */
	struct xskb_ring tx;		/* producer */
	struct xskb_ring comp;		/* consumer */
	/* Every descriptor written takes one frame into this queue's TX
	 * state, so frames in TX = tx_sent + unsubmitted - tx_done. */
	__u64 tx_sent;			/* descriptors published (counted at the flush) */
	__u64 tx_done;			/* frames completed (back to FREE) */
	__u8 tx_slot;			/* this queue's FRAME_TX + slot state value */
	bool tx_flush_listed;		/* on umem->tx_flush */
	bool tx_warned;
	unsigned int tx_off;		/* where a copied packet starts in its frame */
	unsigned int tx_budget;		/* copy mode: descriptors per kick */
	unsigned int tx_chain_max;	/* descriptors one sent packet may take */
	enum xskb_tx_csum tx_csum;
	struct xskb_queue *tx_flush_next;
	struct sk_buff_head qdisc;	/* skbs waiting for TX ring room or frames */
	unsigned int qdisc_len;
	bool parse_headers;

	/* Cold. */
	enum xskb_bind_mode mode;
	bool multi_buffer;
	void *rx_map, *fill_map, *comp_map, *tx_map;
	size_t rx_map_len, fill_map_len, comp_map_len, tx_map_len;
};

/* Transmit (tx.c). */
#define XSKB_TX_DEFAULT_RING	4096u
#define XSKB_TX_DEFAULT_QDISC	1024u
#define XSKB_TX_KERNEL_BUDGET	32u	/* copy mode's TX_BATCH_SIZE before XDP_MAX_TX_SKB_BUDGET */

/* Descriptors written but not yet published: the producer index is ours
 * (none once the rings are gone). */
static inline __u32 xskb_queue_tx_unsubmitted(const struct xskb_queue *q)
{
	return q->tx.producer ? q->tx.cached_prod - *q->tx.producer : 0;
}
/* Frames in this queue's TX state (polling thread). */
static inline __u64 xskb_queue_tx_frames(const struct xskb_queue *q)
{
	return q->tx_sent + xskb_queue_tx_unsubmitted(q) - q->tx_done;
}
/* Is there transmit work a poll must do (completions to take, descriptors
 * to publish or that the kernel has not taken, skbs waiting)? */
static inline bool xskb_queue_tx_busy(const struct xskb_queue *q)
{
	return xskb_queue_tx_frames(q) || q->qdisc.qlen;
}
/* Completions back, the qdisc onto the ring, submit, kick. */
int xskb_queue_tx_flush(struct xskb_queue *q);
/* Flush every queue of the UMEM that dev_queue_xmit() queued on. */
void xskb_umem_tx_flush(struct xskb_umem *u);
/* Queue set-up and teardown of the transmit side. */
int xskb_queue_tx_init(struct xskb_queue *q, const struct xskb_queue_opts *opts);
void xskb_queue_tx_publish(struct xskb_queue *q);
void xskb_queue_tx_release(struct xskb_queue *q);

/* Settings socket and replay queues share; attaches the queue to the UMEM.
 * q->ops, q->netdev (and q->dev) are set by the caller. */
int xskb_queue_init_common(struct xskb_queue *q, struct xskb_umem *u,
			   const struct xskb_queue_opts *opts);

#endif /* XSKB_QUEUE_H */
