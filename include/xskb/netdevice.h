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

struct net_device {
	char name[XSKB_IFNAMSIZ];
	int ifindex;
	unsigned int mtu;
	int numa_node;			/* -1: unknown / local */
	unsigned short hard_header_len;	/* 14 for Ethernet */
	unsigned short needed_headroom;
	unsigned char dev_addr[6];	/* MAC address; eth_type_trans() compares against it */
	unsigned int real_num_rx_queues;
	void *ml_priv;			/* owner's data; xskb: its device state */
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

#ifndef XSKB_NO_KERNEL_NAMES
#define NAPI_POLL_WEIGHT XSKB_NAPI_POLL_WEIGHT
#endif

#ifdef __cplusplus
}
#endif
#endif /* XSKB_NETDEVICE_H */
