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

/* The Ethernet header at the skb's MAC header (set by eth_type_trans()). */
static inline struct ethhdr *xskb_eth_hdr(const struct sk_buff *skb)
{
	return (struct ethhdr *)(void *)xskb_skb_mac_header(skb);
}

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

/* The packet type a destination address gives, as the kernel's eth_skb_pkt_type(). */
static inline __u8 xskb_eth_pkt_type(const struct ethhdr *eth, const struct net_device *dev)
{
	if (xskb_unlikely(xskb_is_multicast_ether_addr(eth->h_dest)))
		return xskb_is_broadcast_ether_addr(eth->h_dest) ? XSKB_PACKET_BROADCAST
								 : XSKB_PACKET_MULTICAST;
	if (xskb_unlikely(dev && !xskb_ether_addr_equal(eth->h_dest, dev->dev_addr)))
		return XSKB_PACKET_OTHERHOST;
	return XSKB_PACKET_HOST;
}

/*
 * The protocol of a length-field (802.3) frame from the two bytes after its
 * header, @sap (NULL when the frame ends at its header): raw 802.3 (Novell)
 * frames start with 0xFFFF, which no 802.2 SSAP/DSAP pair is; others are LLC.
 */
static inline __be16 xskb_eth_802_proto(const void *sap)
{
	__u16 v;

	if (!sap)
		return htons(ETH_P_802_2);
	memcpy(&v, sap, sizeof(v));
	return htons(v == 0xFFFF ? ETH_P_802_3 : ETH_P_802_2);
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
	*pkt_type = xskb_eth_pkt_type(eth, dev);
	if (xskb_likely(ntohs(eth->h_proto) >= ETH_P_802_3_MIN))
		return eth->h_proto;
	return xskb_eth_802_proto(len >= ETH_HLEN + 2 ? (const void *)(eth + 1) : NULL);
}

/* A frame shorter than its Ethernet header: classified from the bytes it
 * has, those it lacks read as zero; nothing is pulled. */
static inline __be16 xskb_eth_type_trans_runt(struct sk_buff *skb, const struct net_device *dev)
{
	struct ethhdr eth;

	memset(&eth, 0, sizeof(eth));
	if (xskb_skb_copy_bits(skb, 0, &eth, (int)skb->len))
		xskb_skb_bug(skb, "eth_type_trans: skb shorter than its length");
	skb->pkt_type = xskb_eth_pkt_type(&eth, dev);
	if (ntohs(eth.h_proto) >= ETH_P_802_3_MIN)
		return eth.h_proto;
	return xskb_eth_802_proto(NULL);	/* no bytes after the header */
}

/**
 * xskb_eth_type_trans - set up an skb whose data starts at an Ethernet header
 * @skb: the frame; its Ethernet header must be linear (ETH_HLEN bytes of
 *       skb_headlen()) unless the whole frame is shorter than ETH_HLEN
 * @dev: receiving device (may be NULL: every unicast frame is PACKET_HOST)
 *
 * As the kernel's: sets skb->dev, the MAC header and skb->pkt_type, pulls
 * the Ethernet header, and returns the protocol for skb->protocol. For a
 * length-field frame the two bytes after the header are read as through
 * skb_header_pointer(), from the paged data when the linear part ends at the
 * header: 0xFFFF gives ETH_P_802_3, anything else (or nothing: a frame that
 * ends at its header) ETH_P_802_2.
 *
 * A frame shorter than ETH_HLEN is not pulled, as the kernel's checked pull
 * leaves it: skb->data and skb->len stay as they were (dev, the MAC header
 * and pkt_type are set); the protocol and packet type come from the bytes
 * it has, those it lacks read as zero (the kernel reads whatever follows).
 * A header that is not linear in a longer frame aborts naming __skb_pull,
 * as the kernel BUGs.
 */
static inline __be16 xskb_eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	const struct ethhdr *eth = (const struct ethhdr *)(const void *)skb->data;
	__u16 sap_buf;

	skb->dev = dev;
	xskb_skb_reset_mac_header(skb);
	if (xskb_unlikely(skb->len < ETH_HLEN))
		return xskb_eth_type_trans_runt(skb, dev);
	xskb__skb_pull(skb, ETH_HLEN);
	skb->pkt_type = xskb_eth_pkt_type(eth, dev);
	if (xskb_likely(ntohs(eth->h_proto) >= ETH_P_802_3_MIN))
		return eth->h_proto;
	return xskb_eth_802_proto(xskb_skb_header_pointer(skb, 0, (int)sizeof(sap_buf), &sap_buf));
}

#ifndef XSKB_NO_KERNEL_NAMES
#define eth_type_trans(skb, dev)	xskb_eth_type_trans(skb, dev)
#define eth_hdr(skb)			xskb_eth_hdr(skb)
#define is_multicast_ether_addr(a)	xskb_is_multicast_ether_addr(a)
#define is_broadcast_ether_addr(a)	xskb_is_broadcast_ether_addr(a)
#define ether_addr_equal(a, b)		xskb_ether_addr_equal(a, b)
#endif

#ifdef __cplusplus
}
#endif
#endif /* XSKB_ETHERDEVICE_H */
