/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Replay queue: a receive queue whose "kernel" is a few lines of userspace.
 * It consumes the fill ring and produces RX descriptors exactly as AF_XDP's
 * copy mode does (same rings, same frame geometry, same chaining of large
 * packets), so the NAPI code that runs on it is the code that runs on a
 * socket. Used to measure the per-packet userspace cost without the kernel,
 * under callgrind, and to unit-test the receive path without a network.
 *
 * It has a transmit side too, played as copy mode's __xsk_generic_xmit():
 * each kick consumes up to the queue's TX budget of descriptors from the TX
 * ring, checks every one as the kernel does (inside the UMEM, inside one
 * frame, known options, chains of at most MAX_SKB_FRAGS + 1), hands each
 * valid packet to an optional hook and puts its addresses on the completion
 * ring; an invalid descriptor is skipped and never completed, as the
 * kernel's. So forwarding is tested and benchmarked without a network.
 */
#ifndef XSKB_REPLAY_H
#define XSKB_REPLAY_H

#include <stdbool.h>
#include <linux/if_xdp.h>
#include <xskb/xsk.h>

#ifdef __cplusplus
extern "C" {
#endif

/* XDP_PACKET_HEADROOM: where AF_XDP puts a packet in its frame, after the UMEM headroom. */
#define XSKB_XDP_PACKET_HEADROOM 256u

struct xskb_replay_pkt {
	const void *data;
	unsigned int len;		/* 1..65535 */
};

/**
 * struct xskb_replay_opts - what the replay "kernel" produces
 * @pkts, @nr_pkts: packet templates, produced in turn (required)
 * @limit: stop after this many packets (0: never)
 * @copy: copy every packet into its frame, as copy-mode AF_XDP does. Off
 *        (the default) with one template that fits a frame, every frame is
 *        written once at creation and only descriptors are produced, so the
 *        measurement is the stack's cost alone; several templates, chained
 *        (multi-buffer) packets, and a UMEM shared with other queues always
 *        copy.
 * @dev: what skb->dev points to: this pointer, so the caller keeps the
 *       device alive as long as skbs of the queue may use it (default: a
 *       built-in "replay0", freed with the UMEM, whose MAC is the first
 *       template's destination, or 02:00:00:00:00:01 when that is a
 *       multicast address). Its MAC must be unicast, as every Ethernet
 *       device's is: -EINVAL otherwise.
 * @tx_hook: called for every valid packet the transmit side consumes, with
 *           its @n descriptors and the UMEM area (the packet's bytes are at
 *           area + d[i].addr), before its addresses are completed
 * @tx_hook_arg: the hook's argument
 */
struct xskb_replay_opts {
	size_t sz;
	const struct xskb_replay_pkt *pkts;
	unsigned int nr_pkts;
	unsigned long long limit;
	bool copy;
	struct net_device *dev;
	void (*tx_hook)(const struct xdp_desc *d, unsigned int n, const void *area, void *arg);
	void *tx_hook_arg;
	size_t :0;
};

/**
 * xskb_replay__create - a queue on @umem fed from memory
 * @q: out: the queue; poll it with xskb_queue__poll()/__receive(), free it
 *     with xskb_queue__destroy()
 * @qopts: as for a socket queue (handler, ring sizes, copybreak,
 *         multi_buffer, mb_mode); queue_id is reported in skb->queue_mapping
 *
 * Packets longer than a frame's room are chained over several frames with
 * XDP_PKT_CONTD when @qopts->multi_buffer is set, and dropped otherwise
 * (counted in xdp_rx_dropped, as the kernel does). Returns 0, -EINVAL or
 * -ENOMEM.
 */
XSKB_API int xskb_replay__create(struct xskb_queue **q, struct xskb_umem *umem,
				 const struct xskb_queue_opts *qopts,
				 const struct xskb_replay_opts *ropts);

/** Packets produced so far (descriptor chains count once). */
XSKB_API unsigned long long xskb_replay__produced(const struct xskb_queue *q);

/* What the transmit side consumed. */
struct xskb_replay_tx_stats {
	__u64 packets;			/* valid packets (a chain counts once) */
	__u64 descs;			/* their descriptors, all completed */
	__u64 bytes;
	__u64 invalid_descs;		/* refused, as XDP_STATISTICS tx_invalid_descs */
	__u64 kicks;			/* wakeups (sendto() on a socket) */
	__u64 kicks_again;		/* of them answered -EAGAIN: the budget ran out */
	__u64 kicks_busy;		/* of them answered -EBUSY: the completion ring was full */
};
XSKB_API int xskb_replay__tx_stats(const struct xskb_queue *q, struct xskb_replay_tx_stats *st);

#ifdef __cplusplus
}
#endif
#endif /* XSKB_REPLAY_H */
