/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * L3/L4 header accessors with the kernel's names (linux/ip.h, ipv6.h, udp.h,
 * tcp.h, icmp.h) over the system's UAPI structs, and ip_send_check().
 *
 * The structs are <linux/ip.h>'s, <linux/tcp.h>'s, ...: a file that includes
 * this header cannot also include <netinet/tcp.h> or <netinet/udp.h>, whose
 * struct tcphdr/udphdr have the same tags. The accessors trust the skb's
 * header offsets, as the kernel's do: set them first (the receive path's
 * header parse, or skb_set_*_header()) and check the lengths yourself
 * (pskb_may_pull()).
 */
#ifndef XSKB_IP_H
#define XSKB_IP_H

/* <netinet/in.h> before the UAPI headers: glibc's then suppress linux/in6.h's copies. */
#include <netinet/in.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <xskb/checksum.h>
#include <xskb/skbuff.h>

#ifdef __cplusplus
extern "C" {
#endif

static inline struct iphdr *xskb_ip_hdr(const struct sk_buff *skb)
{
	return (struct iphdr *)(void *)xskb_skb_network_header(skb);
}
/* The IPv4 header's length in bytes, from its ihl field (not checked). */
static inline unsigned int xskb_ip_hdrlen(const struct sk_buff *skb)
{
	return xskb_ip_hdr(skb)->ihl * 4u;
}
static inline struct ipv6hdr *xskb_ipv6_hdr(const struct sk_buff *skb)
{
	return (struct ipv6hdr *)(void *)xskb_skb_network_header(skb);
}
static inline struct udphdr *xskb_udp_hdr(const struct sk_buff *skb)
{
	return (struct udphdr *)(void *)xskb_skb_transport_header(skb);
}
static inline struct tcphdr *xskb_tcp_hdr(const struct sk_buff *skb)
{
	return (struct tcphdr *)(void *)xskb_skb_transport_header(skb);
}
/* The TCP header's length in bytes, from its doff field (not checked). */
static inline unsigned int xskb_tcp_hdrlen(const struct sk_buff *skb)
{
	return xskb_tcp_hdr(skb)->doff * 4u;
}
static inline struct icmphdr *xskb_icmp_hdr(const struct sk_buff *skb)
{
	return (struct icmphdr *)(void *)xskb_skb_transport_header(skb);
}
static inline struct icmp6hdr *xskb_icmp6_hdr(const struct sk_buff *skb)
{
	return (struct icmp6hdr *)(void *)xskb_skb_transport_header(skb);
}
/* Bytes from the network header to the transport header (IP header plus
 * IPv6 extension headers). */
static inline unsigned int xskb_skb_network_header_len(const struct sk_buff *skb)
{
	return (unsigned int)(skb->transport_header - skb->network_header);
}
/* Fill in an IPv4 header's checksum (its ihl must be right). */
static inline void xskb_ip_send_check(struct iphdr *iph)
{
	iph->check = 0;
	iph->check = xskb_ip_fast_csum(iph, iph->ihl);
}

#ifndef XSKB_NO_KERNEL_NAMES
#define ip_hdr(skb)			xskb_ip_hdr(skb)
#define ip_hdrlen(skb)			xskb_ip_hdrlen(skb)
#define ipv6_hdr(skb)			xskb_ipv6_hdr(skb)
#define udp_hdr(skb)			xskb_udp_hdr(skb)
#define tcp_hdr(skb)			xskb_tcp_hdr(skb)
#define tcp_hdrlen(skb)			xskb_tcp_hdrlen(skb)
#define icmp_hdr(skb)			xskb_icmp_hdr(skb)
#define icmp6_hdr(skb)			xskb_icmp6_hdr(skb)
#define skb_network_header_len(skb)	xskb_skb_network_header_len(skb)
#define ip_send_check(iph)		xskb_ip_send_check(iph)
#endif

#ifdef __cplusplus
}
#endif
#endif /* XSKB_IP_H */
