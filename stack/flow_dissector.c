/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The receive-time header parse (flow_dissector.h): VLAN tags, IPv4, IPv6
 * extension headers, read with bounds checks only, never trusting a length.
 */
#include <arpa/inet.h>
#include <string.h>
#include <xskb/if_vlan.h>
#include <xskb/ip.h>

#include "flow_dissector.h"
#include "util.h"

#define MAX_VLAN_TAGS	2	/* 802.1AD outer + 802.1Q inner (QinQ) */
#define MAX_EXT_HDRS	16	/* the kernel's flow dissector stops at 15 */
#define IPV4_OFFSET	0x1fff	/* fragment offset bits of frag_off (the kernel's IP_OFFSET) */
#define IPV6_FRAG_OFF	0xfff8	/* fragment offset bits of the fragment header */

/*
 * @len bytes at @off of the packet, which ends at @limit (<= skb->len),
 * always copied into @buf: the headers sit wherever the frame put them
 * (IPv4 after a 14-byte Ethernet header is 2 mod 4), and reading a struct
 * iphdr through a misaligned pointer is undefined behaviour.
 */
static const void *hdr_ptr(const struct sk_buff *skb, unsigned int off, unsigned int len,
			   unsigned int limit, void *buf)
{
	const void *p;

	if (off > limit || len > limit - off)
		return NULL;
	p = xskb_skb_header_pointer(skb, (int)off, (int)len, buf);
	if (p && p != buf)
		memcpy(buf, p, len);
	return p ? buf : NULL;
}

/* The upper-layer header at @off is there in full (as far as its own
 * fixed part and, for TCP, its data offset say). */
static bool l4_ok(const struct sk_buff *skb, unsigned int off, unsigned int limit, __u8 proto)
{
	struct tcphdr tbuf;
	const struct tcphdr *th;

	switch (proto) {
	case IPPROTO_TCP:
		th = (const struct tcphdr *)hdr_ptr(skb, off, sizeof(*th), limit, &tbuf);
		return th && th->doff >= 5 && th->doff * 4u <= limit - off;
	case IPPROTO_UDP:
		return off <= limit && limit - off >= sizeof(struct udphdr);
	case IPPROTO_ICMP:
		return off <= limit && limit - off >= sizeof(struct icmphdr);
	case IPPROTO_ICMPV6:
		return off <= limit && limit - off >= 4;	/* type, code, checksum */
	default:
		return true;	/* nothing we know to check */
	}
}

static bool parse_ipv4(const struct sk_buff *skb, unsigned int nh, unsigned int limit,
		       unsigned int *th)
{
	struct iphdr buf;
	const struct iphdr *iph = (const struct iphdr *)hdr_ptr(skb, nh, sizeof(buf), limit, &buf);
	unsigned int hlen, tot;

	if (!iph || iph->version != 4 || iph->ihl < 5)
		return false;
	hlen = iph->ihl * 4u;
	tot = ntohs(iph->tot_len);
	if (tot < hlen || tot > limit - nh)
		return false;
	limit = nh + tot;		/* Ethernet padding is not the packet's */
	*th = nh + hlen;
	if (iph->frag_off & htons(IPV4_OFFSET))
		return true;		/* a later fragment: its data, no L4 header */
	return l4_ok(skb, *th, limit, iph->protocol);
}

static bool parse_ipv6(const struct sk_buff *skb, unsigned int nh, unsigned int limit,
		       unsigned int *th)
{
	struct ipv6hdr buf;
	const struct ipv6hdr *ip6 = (const struct ipv6hdr *)hdr_ptr(skb, nh, sizeof(buf), limit, &buf);
	unsigned int off, plen;
	__u8 next;

	if (!ip6 || ip6->version != 6)
		return false;
	plen = ntohs(ip6->payload_len);
	if (plen > limit - nh - sizeof(buf))
		return false;		/* also jumbograms (0 with a jumbo option): not on XDP */
	limit = nh + (unsigned int)sizeof(buf) + plen;
	off = nh + (unsigned int)sizeof(buf);
	next = ip6->nexthdr;
	for (int n = 0;; n++) {
		__u8 eb[8];
		const __u8 *e;
		unsigned int len;

		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_AH:
		case IPPROTO_FRAGMENT:
			break;
		case IPPROTO_NONE:
			*th = off;
			return true;
		default:
			*th = off;
			return l4_ok(skb, off, limit, next);
		}
		if (n == MAX_EXT_HDRS)
			return false;
		/* Every one of these opens with next header and a length byte
		 * (reserved in the fragment header); all are at least 8 bytes. */
		e = (const __u8 *)hdr_ptr(skb, off, sizeof(eb), limit, eb);
		if (!e)
			return false;
		if (next == IPPROTO_FRAGMENT) {
			__be16 frag_off;

			memcpy(&frag_off, e + 2, sizeof(frag_off));
			if (frag_off & htons(IPV6_FRAG_OFF)) {
				*th = off + 8;	/* a later fragment: its data */
				return true;
			}
			len = 8;
		} else if (next == IPPROTO_AH) {
			len = (e[1] + 2u) * 4;
		} else {
			len = (e[1] + 1u) * 8;
		}
		if (len > limit - off)
			return false;
		off += len;
		next = e[0];
	}
}

bool xskb_rx_parse_headers(struct sk_buff *skb)
{
	unsigned int limit = skb->len, nh = 0, th = ~0u;
	__be16 proto = skb->protocol;
	bool ok;

	for (int tags = 0; xskb_eth_type_vlan(proto); tags++) {
		struct vlan_hdr buf;
		const struct vlan_hdr *vh;

		if (tags == MAX_VLAN_TAGS)
			return false;
		vh = (const struct vlan_hdr *)hdr_ptr(skb, nh, sizeof(buf), limit, &buf);
		if (!vh)
			return false;
		proto = vh->h_vlan_encapsulated_proto;
		nh += XSKB_VLAN_HLEN;
	}
	if (proto == htons(ETH_P_IP))
		ok = parse_ipv4(skb, nh, limit, &th);
	else if (proto == htons(ETH_P_IPV6))
		ok = parse_ipv6(skb, nh, limit, &th);
	else
		ok = true;	/* not ours to parse: only the network header */
	if (!ok)
		return false;
	/* The offsets are 16 bits from head, ~0 meaning unset. */
	if (xskb_skb_headroom(skb) + (th != ~0u ? th : nh) >= 0xffff)
		return false;
	xskb_skb_set_network_header(skb, (int)nh);
	if (th != ~0u)
		xskb_skb_set_transport_header(skb, (int)th);
	return true;
}
