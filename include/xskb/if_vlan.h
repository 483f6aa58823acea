/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * 802.1Q/802.1AD headers as the kernel's linux/if_vlan.h declares them
 * (userspace UAPI has no struct vlan_ethhdr) and the vlan_eth_hdr() accessor.
 */
#ifndef XSKB_IF_VLAN_H
#define XSKB_IF_VLAN_H

#include <linux/if_ether.h>
#include <xskb/etherdevice.h>
#include <xskb/skbuff.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XSKB_VLAN_HLEN		4	/* the tag: TCI and the encapsulated protocol */
#define XSKB_VLAN_ETH_HLEN	18	/* Ethernet header with one tag */
#define XSKB_VLAN_VID_MASK	0x0fff

/* A tag as it follows the Ethernet addresses or another tag. */
struct vlan_hdr {
	__be16	h_vlan_TCI;
	__be16	h_vlan_encapsulated_proto;
};

/* An Ethernet header with one tag. */
struct vlan_ethhdr {
	unsigned char	h_dest[ETH_ALEN];
	unsigned char	h_source[ETH_ALEN];
	__be16		h_vlan_proto;
	__be16		h_vlan_TCI;
	__be16		h_vlan_encapsulated_proto;
};

_Static_assert(sizeof(struct vlan_ethhdr) == XSKB_VLAN_ETH_HLEN, "vlan_ethhdr is 18 bytes");

/* The tagged Ethernet header at the skb's MAC header. */
static inline struct vlan_ethhdr *xskb_vlan_eth_hdr(const struct sk_buff *skb)
{
	return (struct vlan_ethhdr *)(void *)xskb_skb_mac_header(skb);
}

/* ETH_P_8021Q or ETH_P_8021AD (network order): a tag follows. */
static inline bool xskb_eth_type_vlan(__be16 ethertype)
{
	return ethertype == htons(ETH_P_8021Q) || ethertype == htons(ETH_P_8021AD);
}

#ifndef XSKB_NO_KERNEL_NAMES
#define VLAN_HLEN		XSKB_VLAN_HLEN
#define VLAN_ETH_HLEN		XSKB_VLAN_ETH_HLEN
#define VLAN_VID_MASK		XSKB_VLAN_VID_MASK
#define vlan_eth_hdr(skb)	xskb_vlan_eth_hdr(skb)
#define eth_type_vlan(ethertype) xskb_eth_type_vlan(ethertype)
#endif

#ifdef __cplusplus
}
#endif
#endif /* XSKB_IF_VLAN_H */
