/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ethernet receive helpers with the kernel's semantics: eth_type_trans() and
 * the MAC address tests drivers and protocol code use.
 */
#ifndef XSKB_ETHERDEVICE_H
#define XSKB_ETHERDEVICE_H

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <xskb/netdevice.h>
#include <xskb/skbuff.h>

#ifdef __cplusplus
extern "C" {
#endif

static inline bool xskb_is_multicast_ether_addr(const __u8 *addr)
{
	return addr[0] & 0x01;
}

static inline bool xskb_is_broadcast_ether_addr(const __u8 *addr)
{
	return (addr[0] & addr[1] & addr[2] & addr[3] & addr[4] & addr[5]) == 0xff;
}

/* As the kernel's: a 4-byte and a 2-byte compare, no memcmp() call. */
static inline bool xskb_ether_addr_equal(const __u8 *a, const __u8 *b)
{
	typedef __u32 __attribute__((may_alias, aligned(1))) u32u;
	typedef __u16 __attribute__((may_alias, aligned(1))) u16u;

	return ((*(const u32u *)a ^ *(const u32u *)b) |
		(*(const u16u *)(a + 4) ^ *(const u16u *)(b + 4))) == 0;
}

/*
 * The part of eth_type_trans() that reads the header: the packet type for
 * skb->pkt_type and the protocol for skb->protocol. Shared with xskb's
 * receive path, which sets the skb's offsets itself. @len is how many bytes
 * are readable at @eth (at least ETH_HLEN): the kernel reads the two bytes
 * after the header through skb_header_pointer(), and a frame that ends at
 * the header is 802.2, never judged from stale bytes.
 */
static inline __be16 xskb_eth_classify(const struct ethhdr *eth, unsigned int len,
				       const struct net_device *dev, __u8 *pkt_type)
{
	*pkt_type = XSKB_PACKET_HOST;
	if (xskb_unlikely(xskb_is_multicast_ether_addr(eth->h_dest)))
		*pkt_type = xskb_is_broadcast_ether_addr(eth->h_dest) ? XSKB_PACKET_BROADCAST
								       : XSKB_PACKET_MULTICAST;
	else if (xskb_unlikely(dev && !xskb_ether_addr_equal(eth->h_dest, dev->dev_addr)))
		*pkt_type = XSKB_PACKET_OTHERHOST;
	if (xskb_likely(ntohs(eth->h_proto) >= ETH_P_802_3_MIN))
		return eth->h_proto;
	/* Raw 802.3 (Novell) frames start with 0xFFFF; others carry 802.2 LLC. */
	if (len >= ETH_HLEN + 2 && *(const __u16 *)(const void *)(eth + 1) == 0xFFFF)
		return htons(ETH_P_802_3);
	return htons(ETH_P_802_2);
}

/**
 * xskb_eth_type_trans - set up an skb whose data starts at an Ethernet header
 * @skb: at least ETH_HLEN bytes of linear data (the caller checks)
 * @dev: receiving device (may be NULL: every unicast frame is PACKET_HOST)
 *
 * As the kernel's: sets skb->dev, the MAC header and skb->pkt_type, pulls
 * the Ethernet header, and returns the protocol for skb->protocol
 * (ETH_P_802_3 / ETH_P_802_2 for length-field frames).
 */
static inline __be16 xskb_eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	const struct ethhdr *eth = (const struct ethhdr *)(const void *)skb->data;
	__u8 pkt_type;
	__be16 proto;

	skb->dev = dev;
	xskb_skb_reset_mac_header(skb);
	xskb__skb_pull(skb, ETH_HLEN);
	proto = xskb_eth_classify(eth, skb->len + ETH_HLEN - skb->data_len, dev, &pkt_type);
	skb->pkt_type = pkt_type;
	return proto;
}

#ifndef XSKB_NO_KERNEL_NAMES
#define eth_type_trans(skb, dev)	xskb_eth_type_trans(skb, dev)
#define is_multicast_ether_addr(a)	xskb_is_multicast_ether_addr(a)
#define is_broadcast_ether_addr(a)	xskb_is_broadcast_ether_addr(a)
#define ether_addr_equal(a, b)		xskb_ether_addr_equal(a, b)
#endif

#ifdef __cplusplus
}
#endif
#endif /* XSKB_ETHERDEVICE_H */
