/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct net_device and struct napi_struct: the fields kernel protocol code
 * reads from skb->dev and the NAPI instance a receive queue polls with.
 */
#ifndef XSKB_NETDEVICE_H
#define XSKB_NETDEVICE_H

#include <xskb/compiler.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One interface as the stack sees it. xskb_dev__open() fills it (name,
 * ifindex, mtu, MAC, RX queues, numa_node); tests and embedders may fill
 * their own.
 */
#define XSKB_IFNAMSIZ 16	/* IFNAMSIZ, without needing _DEFAULT_SOURCE for <net/if.h> */
#define XSKB_NETDEV_MAX_TXQ 256	/* transmit queue ids xskb serves (its XSKMAP's size) */

struct sk_buff;
struct xskb_queue;

struct net_device {
	char name[XSKB_IFNAMSIZ];
	int ifindex;
	unsigned int mtu;
	int numa_node;			/* -1: unknown / local */
	unsigned short hard_header_len;	/* 14 for Ethernet */
	unsigned short needed_headroom;
	unsigned char dev_addr[6];	/* MAC address; eth_type_trans() compares against it */
	unsigned int real_num_rx_queues;
	unsigned int real_num_tx_queues;	/* 0: unknown (replay and caller-made devices) */
	void *ml_priv;			/* owner's data; xskb: its device state */
	/* The xskb queue that transmits for each TX queue id, NULL where none
	 * exists: a queue registers itself here when it is created and leaves
	 * when destroyed. dev_queue_xmit() looks skb_get_queue_mapping() up. */
	struct xskb_queue *xskb_txq[XSKB_NETDEV_MAX_TXQ];
};

struct napi_struct;
typedef int (*xskb_napi_poll_t)(struct napi_struct *napi, int budget);

/*
 * A polled receive context, as in the kernel: poll(napi, budget) handles up
 * to budget packets and returns how many it handled. xskb's receive queues
 * embed one (see <xskb/napi.h>).
 */
struct napi_struct {
	struct net_device *dev;
	xskb_napi_poll_t poll;
	int weight;			/* default budget (NAPI_POLL_WEIGHT) */
	unsigned int index;		/* receive queue */
};

#define XSKB_NAPI_POLL_WEIGHT 64

/* dev_queue_xmit() results, the kernel's values */
#define XSKB_NET_XMIT_SUCCESS	0x00
#define XSKB_NET_XMIT_DROP	0x01	/* the skb was dropped (counted under a drop reason) */
#define XSKB_NET_XMIT_CN	0x02	/* congestion: queued, but the queue is filling up */
#define XSKB_NET_XMIT_MASK	0x0f

/**
 * xskb_dev_queue_xmit - transmit an skb: the kernel's dev_queue_xmit()
 * @skb: an Ethernet frame from skb->data (the MAC header first), len bytes;
 *       skb->dev is the device and skb_get_queue_mapping(skb) the TX queue
 *
 * Always consumes @skb, as the kernel's. The queue is the device's xskb
 * queue with that id, or its lowest-numbered one when that id has none (the
 * kernel folds an id beyond real_num_tx_queues to 0, with a warning; xskb
 * warns once too). The frame goes out without a copy when the skb's head is a
 * frame of that queue's UMEM and its data is private (!skb_cloned(), not
 * shared), else it is copied into a free frame of the UMEM; a
 * CHECKSUM_PARTIAL skb has its checksum completed (in software, or by the
 * kernel through AF_XDP TX metadata: see xskb_queue__tx_csum()).
 *
 * Descriptors are queued and submitted with one kick at the end of the
 * current NAPI poll, or at xskb_queue__flush(), as the kernel's xmit_more.
 * When the TX ring is full the skb waits in the queue's software queue (its
 * qdisc, xskb_queue_opts.tx_qdisc_len long); when that is full too it is
 * dropped. Must run on the thread that polls the queue's UMEM (the thread
 * of the NAPI loop whose handler calls it).
 *
 * Returns NET_XMIT_SUCCESS (sent or queued), or NET_XMIT_DROP: the skb was
 * freed with kfree_skb_reason() under SKB_DROP_REASON_QDISC_DROP (qdisc
 * full), _PKT_TOO_BIG (bigger than a frame without multi-buffer, or than
 * the ring), _PKT_TOO_SMALL (shorter than an Ethernet header), _DEV_READY
 * (the device has no xskb queue, its interface is gone, or another thread
 * polls its UMEM), _NOMEM, or _NOT_SPECIFIED (a CHECKSUM_PARTIAL skb whose
 * csum_start/csum_offset lie outside it); the queue's tx_drops say which.
 */
XSKB_API int xskb_dev_queue_xmit(struct sk_buff *skb);

#ifndef XSKB_NO_KERNEL_NAMES
#define NAPI_POLL_WEIGHT XSKB_NAPI_POLL_WEIGHT
#define NET_XMIT_SUCCESS XSKB_NET_XMIT_SUCCESS
#define NET_XMIT_DROP XSKB_NET_XMIT_DROP
#define NET_XMIT_CN XSKB_NET_XMIT_CN
#define NET_XMIT_MASK XSKB_NET_XMIT_MASK
#define dev_queue_xmit xskb_dev_queue_xmit
#endif

#ifdef __cplusplus
}
#endif
#endif /* XSKB_NETDEVICE_H */
