/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct xskb_queue: an AF_XDP socket bound to one RX queue, its fill and RX
 * rings, UMEM registration and sharing, busy-poll options and statistics.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include <xskb/replay.h>

#include "dev_internal.h"
#include "rx.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

/*
 * The fill ring is the only buffer while the polling thread is off the CPU
 * (descheduled, asleep, preempted by the very softirq that fills the RX
 * ring). Live-frame traffic on the lab comes in line-rate bursts of 2-4
 * Mpps: 4096 entries last about 1 ms of one, and on a loaded machine the
 * thread is off its CPU longer (docs/benchmarks.md, "Loss at a steady
 * rate": 4096 lost 8-42 %, 16384 0.3-3 % on the same shared machine, and 0
 * where it was quiet). 16384 entries (4 ms) for the fill and RX rings; the
 * default UMEM holds both full. The completion ring (transmit) keeps 4096.
 */
#define DEFAULT_RING	16384u
#define DEFAULT_COMP_RING	4096u
#define MAX_RING	(1u << 16)

#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET	9	/* Linux 6.17 */
#endif
#ifndef XDP_UMEM_TX_SW_CSUM
#define XDP_UMEM_TX_SW_CSUM	(1 << 1)
#endif
#ifndef XDP_UMEM_TX_METADATA_LEN
#define XDP_UMEM_TX_METADATA_LEN (1 << 2)
#endif

/* struct xdp_umem_reg with tx_metadata_len (Linux 6.8), which the 6.1 UAPI
 * headers lack; the kernel takes either size. */
struct umem_reg {
	__u64 addr;
	__u64 len;
	__u32 chunk_size;
	__u32 headroom;
	__u32 flags;
	__u32 tx_metadata_len;
};

static bool pow2(unsigned int v)
{
	return v && !(v & (v - 1));
}

static int map_ring(struct xskb_queue *q, struct xskb_ring *r, const struct xdp_ring_offset *off,
		    unsigned int entries, size_t entry_size, off_t pgoff, void **map, size_t *len)
{
	void *p;

	*len = off->desc + entries * entry_size;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, q->fd, pgoff);
	if (p == MAP_FAILED)
		return -errno;
	*map = p;
	r->mask = entries - 1;
	r->size = entries;
	r->producer = (__u32 *)((char *)p + off->producer);
	r->consumer = (__u32 *)((char *)p + off->consumer);
	r->flags = (__u32 *)((char *)p + off->flags);
	r->ring = (char *)p + off->desc;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer;
	return 0;
}

static int bind_socket(struct xskb_queue *q, struct xskb_umem *u, __u16 flags)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_ifindex = (__u32)q->dev->netdev.ifindex,
		.sxdp_queue_id = q->queue_id,
	};

	if (u->reg_fd >= 0 && u->reg_fd != q->fd) {
		/* The kernel takes the mode from the socket that registered the
		 * UMEM and accepts no other flag with XDP_SHARED_UMEM. */
		sxdp.sxdp_flags = XDP_SHARED_UMEM;
		sxdp.sxdp_shared_umem_fd = (__u32)u->reg_fd;
	} else {
		sxdp.sxdp_flags = flags | XDP_USE_NEED_WAKEUP;
	}
	return bind(q->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) ? -errno : 0;
}

static int bind_error(struct xskb_queue *q, int err)
{
	const char *name = q->dev->netdev.name;

	switch (err) {
	case -EBUSY:
		pr_warn("%s queue %u already has an AF_XDP socket (another xskb or XDP program user?)\n",
			name, q->queue_id);
		break;
	case -EINVAL:
		if (q->dev->netdev.real_num_rx_queues &&
		    q->queue_id >= q->dev->netdev.real_num_rx_queues)
			pr_warn("%s has %u RX queue(s); queue %u does not exist\n", name,
				q->dev->netdev.real_num_rx_queues, q->queue_id);
		else
			pr_warn("binding to %s queue %u failed: invalid argument (mode or flags "
				"unsupported by the driver?)\n", name, q->queue_id);
		break;
	case -EOPNOTSUPP:
		pr_warn("%s queue %u: %s not supported by the driver%s\n", name, q->queue_id,
			q->multi_buffer ? "multi-buffer (XDP_USE_SG) or zero-copy" : "zero-copy",
			q->mode == XSKB_MODE_ZEROCOPY ? "; use copy or auto mode" : "");
		break;
	case -EPERM:
	case -EACCES:
		pr_warn("AF_XDP needs CAP_NET_RAW (and CAP_IPC_LOCK for the UMEM): run as root\n");
		err = -EPERM;
		break;
	default:
		pr_warn("binding to %s queue %u failed: %s\n", name, q->queue_id, strerror(-err));
	}
	return err;
}

/* Bind in the requested mode; auto tries zero-copy first, then copy. */
static int bind_mode(struct xskb_queue *q, struct xskb_umem *u, enum xskb_bind_mode want)
{
	__u16 sg = q->multi_buffer ? XDP_USE_SG : 0;
	struct xdp_options xo = { 0 };
	socklen_t len = sizeof(xo);
	int err;

	if (u->reg_fd >= 0)
		err = bind_socket(q, u, 0);	/* shared: the UMEM's mode applies */
	else if (want == XSKB_MODE_COPY)
		err = bind_socket(q, u, XDP_COPY | sg);
	else {
		err = bind_socket(q, u, XDP_ZEROCOPY | sg);
		if (err == -EOPNOTSUPP && want == XSKB_MODE_AUTO) {
			pr_debug("%s queue %u: no zero-copy, using copy mode\n",
				 q->dev->netdev.name, q->queue_id);
			err = bind_socket(q, u, XDP_COPY | sg);
		}
	}
	if (err)
		return bind_error(q, err);
	if (getsockopt(q->fd, SOL_XDP, XDP_OPTIONS, &xo, &len) == 0)
		q->mode = (xo.flags & XDP_OPTIONS_ZEROCOPY) ? XSKB_MODE_ZEROCOPY : XSKB_MODE_COPY;
	else
		q->mode = want == XSKB_MODE_AUTO ? XSKB_MODE_COPY : want;
	if (want == XSKB_MODE_ZEROCOPY && q->mode != XSKB_MODE_ZEROCOPY) {
		pr_warn("%s queue %u: zero-copy requested but the shared UMEM is in copy mode\n",
			q->dev->netdev.name, q->queue_id);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int set_busy_poll(struct xskb_queue *q, unsigned int usec, unsigned int budget)
{
	int one = 1, us = (int)usec, b = (int)budget;

	if (setsockopt(q->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
	    setsockopt(q->fd, SOL_SOCKET, SO_BUSY_POLL, &us, sizeof(us)) ||
	    setsockopt(q->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &b, sizeof(b))) {
		int err = -errno;

		pr_warn("busy poll socket options refused: %s%s\n", strerror(-err),
			err == -EPERM ? " (SO_BUSY_POLL_BUDGET above net.core.busy_poll needs "
					"CAP_NET_ADMIN)" : "");
		return err;
	}
	return 0;
}

/* Register the UMEM, with room for TX metadata when asked; a kernel that
 * refuses metadata gets the plain registration and xskb completes
 * checksums itself. */
static int register_umem(struct xskb_queue *q, struct xskb_umem *u)
{
	struct umem_reg mr = {
		.addr = (__u64)(unsigned long)u->area,
		.len = u->area_len,
		.chunk_size = u->frame_size,
		.headroom = u->headroom,
	};
	int err;

	if (u->want_tx_metadata) {
		mr.flags = XDP_UMEM_TX_METADATA_LEN | (u->tx_sw_csum ? XDP_UMEM_TX_SW_CSUM : 0);
		mr.tx_metadata_len = XSKB_TX_META_LEN;
		if (!setsockopt(q->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr))) {
			u->tx_meta_len = XSKB_TX_META_LEN;
			return 0;
		}
		err = -errno;
		if (err != -EINVAL) {
			pr_warn("registering the UMEM (%zu bytes) failed: %s\n", u->area_len,
				strerror(-err));
			return err == -EACCES ? -EPERM : err;
		}
		pr_warn("the kernel refuses AF_XDP TX metadata (Linux 6.8+; %s needs 6.11+): "
			"xskb completes checksums in software\n",
			u->tx_sw_csum ? "XDP_UMEM_TX_SW_CSUM" : "XDP_UMEM_TX_METADATA_LEN");
		mr.flags = 0;
		mr.tx_metadata_len = 0;
	}
	if (setsockopt(q->fd, SOL_XDP, XDP_UMEM_REG, &mr, offsetof(struct umem_reg, flags))) {
		err = -errno;
		pr_warn("registering the UMEM (%zu bytes) failed: %s\n", u->area_len, strerror(-err));
		return err == -EACCES ? -EPERM : err;
	}
	return 0;
}

/* Copy mode's descriptors per kick: the batch, where the kernel lets us. */
static void set_tx_budget(struct xskb_queue *q, unsigned int want)
{
	unsigned int b = want == XSKB_TX_BUDGET_KERNEL ? XSKB_TX_KERNEL_BUDGET : want;

	q->tx_budget = XSKB_TX_KERNEL_BUDGET;
	if (q->mode != XSKB_MODE_COPY || b == XSKB_TX_KERNEL_BUDGET)
		return;
	if (b < XSKB_TX_KERNEL_BUDGET)
		b = XSKB_TX_KERNEL_BUDGET;
	if (b > q->tx.size)
		b = q->tx.size;
	if (setsockopt(q->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &b, sizeof(b))) {
		pr_debug("%s queue %u: no XDP_MAX_TX_SKB_BUDGET (%s; Linux 6.17+): the kernel sends "
			 "%u descriptors per kick\n", q->dev->netdev.name, q->queue_id,
			 strerror(errno), XSKB_TX_KERNEL_BUDGET);
		return;
	}
	q->tx_budget = b;
}

static int setup_rings(struct xskb_queue *q, struct xskb_umem *u, unsigned int fill_size,
		       unsigned int comp_size, unsigned int rx_size, unsigned int tx_size)
{
	struct xdp_mmap_offsets off;
	socklen_t optlen = sizeof(off);
	int err;

	if (u->reg_fd < 0) {
		err = register_umem(q, u);
		if (err)
			return err;
	}
	/* Every socket on its own (interface, queue) brings its own fill and
	 * completion rings, shared UMEM or not. */
	if (setsockopt(q->fd, SOL_XDP, XDP_UMEM_FILL_RING, &fill_size, sizeof(fill_size)) ||
	    setsockopt(q->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &comp_size, sizeof(comp_size)) ||
	    setsockopt(q->fd, SOL_XDP, XDP_RX_RING, &rx_size, sizeof(rx_size)) ||
	    setsockopt(q->fd, SOL_XDP, XDP_TX_RING, &tx_size, sizeof(tx_size)) ||
	    getsockopt(q->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen)) {
		err = -errno;
		pr_warn("setting up AF_XDP rings failed: %s\n", strerror(-err));
		return err;
	}
	err = map_ring(q, &q->fill, &off.fr, fill_size, sizeof(__u64), XDP_UMEM_PGOFF_FILL_RING,
		       &q->fill_map, &q->fill_map_len);
	if (!err)
		err = map_ring(q, &q->comp, &off.cr, comp_size, sizeof(__u64),
			       XDP_UMEM_PGOFF_COMPLETION_RING, &q->comp_map, &q->comp_map_len);
	if (!err)
		err = map_ring(q, &q->rx, &off.rx, rx_size, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING,
			       &q->rx_map, &q->rx_map_len);
	if (!err)
		err = map_ring(q, &q->tx, &off.tx, tx_size, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING,
			       &q->tx_map, &q->tx_map_len);
	if (err) {
		/* The caller unmaps what was mapped (unmap_rings). */
		pr_warn("mapping AF_XDP rings failed: %s\n", strerror(-err));
		return err;
	}
	/* The fill and TX rings start empty: a producer's cached_cons runs a
	 * ring ahead of the consumer. */
	q->fill.cached_cons = *q->fill.consumer + fill_size;
	q->tx.cached_cons = *q->tx.consumer + tx_size;
	return 0;
}

static void unmap_rings(struct xskb_queue *q)
{
	if (q->rx_map)
		munmap(q->rx_map, q->rx_map_len);
	if (q->fill_map)
		munmap(q->fill_map, q->fill_map_len);
	if (q->comp_map)
		munmap(q->comp_map, q->comp_map_len);
	if (q->tx_map)
		munmap(q->tx_map, q->tx_map_len);
	q->rx_map = q->fill_map = q->comp_map = q->tx_map = NULL;
	memset(&q->tx, 0, sizeof(q->tx));
	memset(&q->comp, 0, sizeof(q->comp));
}

/* ---- ops: what the core asks of a socket ----------------------------------- */

static void xsk_kick(struct xskb_queue *q)
{
	XSKB_STAT_ADD(q->stats.wakeups, 1);
	recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

/* Copy mode sends up to its budget in this call (EAGAIN: more wait; EBUSY:
 * the completion ring is full); zero-copy wakes the driver. */
static int xsk_tx_kick(struct xskb_queue *q)
{
	if (sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
		return 0;
	return -errno;
}

/* The kernel unbinds a socket whose interface is unregistered and reports
 * ENETDOWN on it; the RX ring just stays empty. */
static int xsk_check(struct xskb_queue *q)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err != ENETDOWN)
		return 0;
	return -ENODEV;
}

static void xsk_stats(struct xskb_queue *q, struct xskb_queue_stats *st)
{
	struct xdp_statistics xs;
	socklen_t len = sizeof(xs);

	if (getsockopt(q->fd, SOL_XDP, XDP_STATISTICS, &xs, &len))
		return;
	st->xdp_rx_dropped = xs.rx_dropped;
	st->xdp_rx_invalid_descs = xs.rx_invalid_descs;
	st->xdp_tx_invalid_descs = xs.tx_invalid_descs;
	if (len >= offsetof(struct xdp_statistics, rx_fill_ring_empty_descs) + sizeof(__u64)) {
		st->xdp_rx_ring_full = xs.rx_ring_full;
		st->xdp_rx_fill_ring_empty = xs.rx_fill_ring_empty_descs;
		st->xdp_tx_ring_empty = xs.tx_ring_empty_descs;
	}
}

/* Another live socket on the UMEM to share from, or -1. */
static int other_reg_fd(struct xskb_umem *u, struct xskb_queue *q)
{
	for (unsigned int s = 0; s < XSKB_UMEM_MAX_QUEUES; s++)
		if (u->queues[s] && u->queues[s] != q && u->queues[s]->fd >= 0)
			return u->queues[s]->fd;
	return -1;
}

static void xsk_release(struct xskb_queue *q)
{
	struct xskb_umem *u = q->umem;

	if (bpf_map_delete_elem(q->dev->xsks_map_fd, &q->queue_id) && errno != ENOENT)
		pr_warn("cannot remove queue %u from the XSKMAP: %s\n", q->queue_id, strerror(errno));
	q->dev->nr_queues--;
	q->dev->bound[q->queue_id / 64] &= ~(1ul << (q->queue_id % 64));
	/* The kernel gives up every frame once the socket is closed; in
	 * zero-copy mode only once it has released the pool, later. */
	close(q->fd);
	if (u->reg_fd == q->fd)
		u->reg_fd = other_reg_fd(u, q);
	unmap_rings(q);
}

static const struct xskb_queue_ops xsk_ops = {
	.kind = "socket",
	.kick = xsk_kick,
	.check = xsk_check,
	.stats = xsk_stats,
	.release = xsk_release,
	.tx_kick = xsk_tx_kick,
};

int xskb_queue__create(struct xskb_queue **out, struct xskb_dev *dev, struct xskb_umem *u,
		       const struct xskb_queue_opts *opts)
{
	unsigned int rx_size, fill_size, comp_size, tx_size;
	enum xskb_bind_mode want;
	struct xskb_queue *q;
	int err;

	if (!out || !dev || !u)
		return -EINVAL;
	*out = NULL;
	err = XSKB_OPTS_CHECK(opts, "xskb_queue_opts");
	if (err)
		return err;
	rx_size = XSKB_OPT(opts, rx_size, DEFAULT_RING);
	fill_size = XSKB_OPT(opts, fill_size, DEFAULT_RING);
	tx_size = XSKB_OPT(opts, tx_size, XSKB_TX_DEFAULT_RING);
	comp_size = XSKB_OPT(opts, comp_size, tx_size > DEFAULT_COMP_RING ? tx_size : DEFAULT_COMP_RING);
	want = XSKB_OPT(opts, mode, XSKB_MODE_AUTO);
	if (!pow2(rx_size) || !pow2(fill_size) || !pow2(comp_size) || !pow2(tx_size) ||
	    rx_size > MAX_RING || fill_size > MAX_RING || comp_size > MAX_RING || tx_size > MAX_RING) {
		pr_warn("ring sizes must be powers of two up to %u (rx %u, fill %u, comp %u, tx %u)\n",
			MAX_RING, rx_size, fill_size, comp_size, tx_size);
		return -EINVAL;
	}
	if (comp_size < tx_size) {
		pr_warn("the completion ring (%u) must hold at least the TX ring (%u): a full TX ring "
			"could not complete\n", comp_size, tx_size);
		return -EINVAL;
	}
	if (want > XSKB_MODE_ZEROCOPY) {
		pr_warn("unknown bind mode %d\n", want);
		return -EINVAL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->ops = &xsk_ops;
	q->dev = dev;
	q->netdev = &dev->netdev;
	q->metadata = dev->metadata;
	q->napi.dev = &dev->netdev;
	err = xskb_queue_init_common(q, u, opts);
	if (err) {
		free(q);
		return err;
	}
	q->busy_poll = XSKB_OPT(opts, busy_poll, false);
	if (q->queue_id >= XSKB_XDP_MAX_QUEUES) {
		pr_warn("queue %u: xskb serves queues 0..%d\n", q->queue_id, XSKB_XDP_MAX_QUEUES - 1);
		err = -EINVAL;
		goto out_detach;
	}
	if (dev->bound[q->queue_id / 64] & (1ul << (q->queue_id % 64))) {
		/* The kernel would say EINVAL (shared UMEM) or EBUSY: say it clearly. */
		pr_warn("%s queue %u already has an xskb queue; destroy it first\n", dev->netdev.name,
			q->queue_id);
		err = -EBUSY;
		goto out_detach;
	}
	if (dev->netdev.real_num_rx_queues && q->queue_id >= dev->netdev.real_num_rx_queues) {
		pr_warn("%s has %u RX queue(s); queue %u does not exist\n", dev->netdev.name,
			dev->netdev.real_num_rx_queues, q->queue_id);
		err = -EINVAL;
		goto out_detach;
	}
	if (q->multi_buffer && dev->netdev.mtu + 14 <= u->frame_size - 256 - u->headroom)
		pr_info("%s: multi-buffer on, but MTU %u fits a %u-byte frame: chains will not occur\n",
			dev->netdev.name, dev->netdev.mtu, u->frame_size);
	if (!q->multi_buffer && dev->netdev.mtu + 14 > u->frame_size - 256 - u->headroom)
		pr_warn("%s: MTU %u is larger than a %u-byte frame holds (%u bytes): the kernel will "
			"drop bigger packets (xdp_rx_dropped); set multi_buffer or use 4096-byte frames\n",
			dev->netdev.name, dev->netdev.mtu, u->frame_size,
			u->frame_size - 256 - u->headroom);

	q->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (q->fd < 0) {
		err = -errno;
		pr_warn("cannot create an AF_XDP socket: %s%s\n", strerror(-err),
			err == -EPERM || err == -EACCES ? " (needs CAP_NET_RAW: run as root)" : "");
		if (err == -EACCES)
			err = -EPERM;
		goto out_detach;
	}
	err = setup_rings(q, u, fill_size, comp_size, rx_size, tx_size);
	if (err)
		goto out_close;
	err = bind_mode(q, u, want);
	if (err)
		goto out_close;
	if (u->reg_fd < 0) {
		u->reg_fd = q->fd;
		u->sg = q->multi_buffer;
	} else if (q->multi_buffer != u->sg) {
		/* A socket sharing the UMEM binds with XDP_SHARED_UMEM alone and
		 * gets the registering socket's XDP_USE_SG. */
		pr_warn("%s queue %u: the shared UMEM's first socket was bound %s multi-buffer; "
			"this queue is too\n", dev->netdev.name, q->queue_id,
			u->sg ? "with" : "without");
		q->multi_buffer = u->sg;
	}
	set_tx_budget(q, XSKB_OPT(opts, tx_budget, q->tx.size));
	/* Copy mode hands the metadata's checksum request to the kernel's
	 * skb (XDP_UMEM_TX_SW_CSUM: completed there; else the device's offload
	 * or a CHECKSUM_PARTIAL skb, as any local packet). A zero-copy driver
	 * without the checksum TX metadata feature would ignore it: xskb does
	 * not take that on trust and completes checksums itself there. */
	if (u->tx_meta_len && q->mode == XSKB_MODE_COPY)
		q->tx_csum = u->tx_sw_csum ? XSKB_TX_CSUM_KERNEL_SW : XSKB_TX_CSUM_METADATA;
	else if (u->tx_meta_len)
		pr_debug("%s queue %u: zero-copy: checksums completed in software, not through "
			 "TX metadata\n", dev->netdev.name, q->queue_id);
	/* A zero-copy bind here proves an earlier queue's pool is gone. */
	if (q->mode == XSKB_MODE_ZEROCOPY)
		xskb_umem_release_retired(u, dev->netdev.ifindex, q->queue_id);
	if (q->busy_poll) {
		err = set_busy_poll(q, XSKB_OPT(opts, busy_poll_usec, 20u),
				    XSKB_OPT(opts, busy_poll_budget, 64u));
		if (err)
			goto out_unreg;
	}

	/* Frames on the fill ring before packets can arrive. */
	xskb_queue_refill(q);
	if (bpf_map_update_elem(dev->xsks_map_fd, &q->queue_id, &q->fd, BPF_ANY)) {
		err = -errno;
		pr_warn("cannot publish the socket in the XSKMAP of %s: %s\n", dev->netdev.name,
			strerror(-err));
		goto out_unreg;
	}
	dev->nr_queues++;
	dev->bound[q->queue_id / 64] |= 1ul << (q->queue_id % 64);
	xskb_queue_tx_publish(q);
	pr_debug("%s queue %u: bound in %s mode\n", dev->netdev.name, q->queue_id,
		 xskb_bind_mode_str(q->mode));
	*out = q;
	return 0;

out_unreg:
	if (u->reg_fd == q->fd)
		u->reg_fd = -1;
out_close:
	close(q->fd);
	unmap_rings(q);
out_detach:
	/* A zero-copy bind may have let the NIC take frames already. */
	xskb_umem_detach_queue(u, q, q->mode == XSKB_MODE_ZEROCOPY);
	free(q);
	return err;
}

