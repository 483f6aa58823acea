/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct xskb_dev: one interface with xskb's XDP program (dev.c), and the
 * reference UMEMs hold on it so skb->dev outlives xskb_dev__close().
 */
#ifndef XSKB_DEV_INTERNAL_H
#define XSKB_DEV_INTERNAL_H

#include <stdbool.h>
#include <stdlib.h>
#include <xskb/xsk.h>

#include "../xdp/xskb_xdp.h"

struct xdp_program;

struct xskb_dev {
	struct net_device netdev;
	bool metadata;
	enum xskb_attach_mode attach;
	struct xdp_program *prog;
	bool multiprog;
	int xsks_map_fd;
	int rules_fd;
	int cfg_fd;
	int netns_fd;			/* the network namespace it was opened in */
	struct xskb_xdp_cfg cfg;
	unsigned int nr_queues;
	int refs;			/* the opener's (until close) + one per UMEM that named it */
	unsigned long bound[XSKB_XDP_MAX_QUEUES / 64];	/* queue ids with an xskb socket */
};

/*
 * skb->dev of an skb on a UMEM frame must not dangle: the UMEM a queue of
 * the device used holds the device (its struct, not its program) until the
 * UMEM is deleted, which cannot happen while such skbs hold frames.
 */
static inline void xskb_dev_hold(struct xskb_dev *d)
{
	__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
}

static inline void xskb_dev_put(struct xskb_dev *d)
{
	if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(d);
}

#endif /* XSKB_DEV_INTERNAL_H */
