/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The receive path (rx.c): one poll of a queue turns RX descriptors into
 * sk_buffs and refills the fill ring. What the kinds of queue and the NAPI
 * loop call.
 */
#ifndef XSKB_RX_H
#define XSKB_RX_H

#include "queue.h"

/* Put free frames on the queue's fill ring (drains remote frees first). */
void xskb_queue_refill(struct xskb_queue *q);
/* Build the queue's skb template once its device and UMEM are known. */
void xskb_queue_rx_template(struct xskb_queue *q);
/* napi_struct.poll of every queue. */
int xskb_queue_poll_napi(struct napi_struct *napi, int budget);
/* ops->check, latched: true once the queue's interface is gone. */
bool xskb_queue_gone(struct xskb_queue *q);

#endif /* XSKB_RX_H */
