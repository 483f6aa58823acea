/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What every kind of queue shares: the settings, the skb template and the
 * UMEM slot it gets at creation, teardown (the kind releases its part through
 * q->ops, then the frames come back), counters and getters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xskb/replay.h>

#include "rx.h"
#include "skbuff_internal.h"

/* Options both socket queues and replay queues take. */
int xskb_queue_init_common(struct xskb_queue *q, struct xskb_umem *u,
			   const struct xskb_queue_opts *opts)
{
	int err = xskb_umem_may_change(u, "creating a queue");
	const __u8 *mac = q->netdev->dev_addr;
	unsigned int room;

	if (err)
		return err;
	/* The skb caches now, so that a failure is the set-up's -ENOMEM. */
	err = xskb_skb_init_once();
	if (err)
		return err;
	/* rx_one()'s eth_type_trans() relies on it, as Linux does: a device
	 * address is unicast. Only a caller's replay device can break it. */
	if (mac[0] & 1) {
		pr_warn("device %s: MAC %02x:%02x:%02x:%02x:%02x:%02x is multicast; a device "
			"address must be unicast\n", q->netdev->name, mac[0], mac[1], mac[2],
			mac[3], mac[4], mac[5]);
		return -EINVAL;
	}
	q->fd = -1;
	q->umem = u;
	q->queue_id = XSKB_OPT(opts, queue_id, 0u);
	q->copybreak = XSKB_OPT(opts, copybreak, 0u);
	q->multi_buffer = XSKB_OPT(opts, multi_buffer, false);
	q->mb_mode = XSKB_OPT(opts, mb_mode, XSKB_MB_SLAB);
	q->handler = XSKB_OPT(opts, handler, (xskb_rx_handler_t)NULL);
	q->handler_arg = XSKB_OPT(opts, handler_arg, (void *)NULL);
	q->napi.poll = xskb_queue_poll_napi;
	q->napi.weight = XSKB_NAPI_POLL_WEIGHT;
	q->napi.index = q->queue_id;
	if (q->mb_mode != XSKB_MB_SLAB && q->mb_mode != XSKB_MB_FRAGS) {
		pr_warn("unknown multi-buffer mode %d\n", q->mb_mode);
		return -EINVAL;
	}
	if (q->copybreak > u->frame_size) {
		pr_warn("copybreak %u is above the frame size %u\n", q->copybreak, u->frame_size);
		return -EINVAL;
	}
	q->zc_limit = u->frame_size - XSKB_SHINFO_SIZE;
	q->zc_min = q->copybreak > ETH_HLEN - 1 ? q->copybreak : ETH_HLEN - 1;
	q->zc_truesize = XSKB_SKB_TRUESIZE(q->zc_limit);
	/* Copy mode spreads a packet over as many frames as it needs. */
	room = u->frame_size - u->headroom - XSKB_XDP_PACKET_HEADROOM;
	q->chain_max = (XSKB_RX_SLAB_MAX + room - 1) / room + 1;
	if (q->chain_max < XSKB_MAX_SKB_FRAGS + 1)
		q->chain_max = XSKB_MAX_SKB_FRAGS + 1;
	if (q->chain_max > XSKB_RX_CHAIN_MAX) {
		pr_warn("internal: a chain may span %u descriptors, more than %u\n", q->chain_max,
			XSKB_RX_CHAIN_MAX);
		return -EINVAL;
	}
	xskb_queue_rx_template(q);
	err = xskb_umem_attach_queue(u, q);
	if (err)
		return err;
	return xskb_queue_tx_init(q, opts);
}

int xskb_queue__destroy(struct xskb_queue *q)
{
	struct xskb_umem *u;

	if (!q)
		return 0;
	u = q->umem;
	if (xskb_umem_may_change(u, "destroying a queue"))
		return -EBUSY;
	/* The kind lets go first (a socket is unpublished and closed); frames
	 * still in the rings are taken back by state, not by ring. */
	xskb_queue_tx_release(q);
	q->ops->release(q);
	xskb_umem_detach_queue(u, q, q->mode == XSKB_MODE_ZEROCOPY);
	if (!u->nr_queues)
		xskb_umem_release_owner(u);
	free(q);
	return 0;
}

int xskb_queue__stats(struct xskb_queue *q, struct xskb_queue_stats *st)
{
	if (!q || !st)
		return -EINVAL;
	xskb_stats_read((__u64 *)st, (const __u64 *)&q->stats, sizeof(*st) / sizeof(__u64));
	/* Not counted per packet: every delivered skb took exactly one path. */
	st->skb_inplace = st->rx_packets - st->skb_slab - st->skb_frags;
	/* Likewise on transmit: the in-place path counts bytes only. Every
	 * packet takes one descriptor plus the chains' extra ones (counted in
	 * tx_descs until here), q->tx_sent counts descriptors at each flush,
	 * and every sent packet neither copied nor with its headers copied
	 * went out without a copy. Packets count once their flush has run. */
	st->tx_packets = __atomic_load_n(&q->tx_sent, __ATOMIC_RELAXED) - st->tx_descs;
	st->tx_descs += st->tx_packets;
	st->tx_zerocopy = st->tx_packets - st->tx_copied - st->tx_hdr_copied;
	if (q->ops->stats)
		q->ops->stats(q, st);
	return 0;
}

int xskb_queue__fd(const struct xskb_queue *q)
{
	return q->fd;
}

unsigned int xskb_queue__id(const struct xskb_queue *q)
{
	return q->queue_id;
}

enum xskb_bind_mode xskb_queue__mode(const struct xskb_queue *q)
{
	return q->mode;
}

struct napi_struct *xskb_queue__napi(struct xskb_queue *q)
{
	return &q->napi;
}

struct xskb_umem *xskb_queue__umem(const struct xskb_queue *q)
{
	return q->umem;
}
