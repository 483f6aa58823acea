/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Malformed and unusual frames, end to end (issue 9 §5). Crafted frames go
 * out of an AF_PACKET socket in the lab's tx namespace, over a veth pair, to
 * an xskb receiver that claims everything; frames a veth cannot carry (runts
 * under 14 bytes, 64 KiB) go through the replay queue instead. For every
 * class the test checks how many arrive, the skb's protocol and pkt_type
 * against what the kernel's eth_type_trans() (net/ethernet/eth.c) gives for
 * the same bytes, how the skb was built, the drop counters by reason, and
 * that a pcap written from the skbs holds exactly the bytes sent, read back
 * with libpcap. A class that fails is named with what the library gave, and
 * the test goes on to the next, so one run lists every divergence.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <pcap/pcap.h>	/* its struct bpf_insn rules out <bpf/bpf.h> here */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/if_ether.h>
/* <netpacket/packet.h> has them too, with the same values. */
#undef PACKET_HOST
#undef PACKET_BROADCAST
#undef PACKET_MULTICAST
#undef PACKET_OTHERHOST
#include <xskb/etherdevice.h>
#include <xskb/napi.h>
#include <xskb/replay.h>
#include <xskb/skbuff.h>

#include "lab_fixture.h"

#ifndef XSKB_RX_BIN
#define XSKB_RX_BIN "xskb-rx"	/* CMake passes the built one's path */
#endif

static struct xt_lab lab;	/* MTU 1500 */
static struct xt_lab jlab;	/* MTU 9000 */
static char prefix[16], jprefix[16];
static bool have_lab;
static int home_ns = -1;
static char pcap_dir[64];

/* ---- the kernel's rules, written out (net/ethernet/eth.c) ---------------------------- */

/*
 * eth_type_trans(): pkt_type from the destination (the device's own address:
 * HOST; else a multicast bit: BROADCAST for ff:ff:ff:ff:ff:ff, MULTICAST
 * otherwise; else OTHERHOST); protocol the EtherType when it is >= 0x0600
 * (eth_proto_is_802_3()), else ETH_P_802_3 when the two bytes after the
 * header, read with skb_header_pointer() (so only if the frame has them),
 * are 0xFFFF (Novell raw 802.3), else ETH_P_802_2. VLAN tags are not looked
 * into: a tagged frame's protocol is its TPID (0x8100 or 0x88a8).
 */
static void kernel_eth_type_trans(const unsigned char *f, unsigned int len, const unsigned char *dev_addr,
				  unsigned int *proto, unsigned int *pkt_type)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned int h_proto = (unsigned int)f[12] << 8 | f[13];

	if (!memcmp(f, dev_addr, 6))
		*pkt_type = XSKB_PACKET_HOST;
	else if (f[0] & 1)
		*pkt_type = memcmp(f, bcast, 6) ? XSKB_PACKET_MULTICAST : XSKB_PACKET_BROADCAST;
	else
		*pkt_type = XSKB_PACKET_OTHERHOST;
	if (h_proto >= ETH_P_802_3_MIN)
		*proto = h_proto;
	else if (len >= ETH_HLEN + 2 && f[14] == 0xff && f[15] == 0xff)
		*proto = ETH_P_802_3;
	else
		*proto = ETH_P_802_2;
}

/* ---- frames ------------------------------------------------------------------------------ */

#define FRAME_MAX 9018

enum path { P_INPLACE, P_SLAB, P_FRAGS, P_KDROP, P_RUNT, P_TOOBIG };
static const char *const path_name[] = { "in place", "slab", "frags", "kernel drop", "runt drop",
					 "too_big drop" };

struct cls {
	const char *name;
	unsigned char *f;
	unsigned int len, count;
	unsigned int proto, pkt_type;	/* expected, host order */
	enum path path;
};

#define MAX_CLS 64
static struct cls cls[MAX_CLS];
static unsigned int nr_cls;

static unsigned char *eth(unsigned char *f, const unsigned char *dst, const unsigned char *src,
			  unsigned int type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (unsigned char)(type >> 8);
	f[13] = (unsigned char)type;
	return f + 14;
}

static unsigned short csum(const unsigned char *p, unsigned int len)
{
	unsigned long s = 0;

	for (unsigned int i = 0; i + 1 < len; i += 2)
		s += (unsigned long)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (unsigned long)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (unsigned short)~s;
}

/* An IPv4 header at @p: version/IHL byte as given, checksum right over IHL words. */
static void ip4(unsigned char *p, unsigned int ver_ihl, unsigned int tot_len, unsigned int frag,
		unsigned int proto, const struct xt_lab *l)
{
	unsigned int hl = (ver_ihl & 15) * 4;
	unsigned short c;

	p[0] = (unsigned char)ver_ihl;
	p[1] = 0;
	p[2] = (unsigned char)(tot_len >> 8);
	p[3] = (unsigned char)tot_len;
	p[4] = 0x12;
	p[5] = 0x34;
	p[6] = (unsigned char)(frag >> 8);
	p[7] = (unsigned char)frag;
	p[8] = 64;
	p[9] = (unsigned char)proto;
	p[10] = p[11] = 0;
	memcpy(p + 12, &l->ip_tx, 4);
	memcpy(p + 16, &l->ip_rx, 4);
	for (unsigned int i = 20; i < hl; i++)
		p[i] = 1;	/* NOP options */
	c = csum(p, hl < 20 ? 20 : hl);
	p[10] = (unsigned char)(c >> 8);
	p[11] = (unsigned char)c;
}

static void udp(unsigned char *p, unsigned int len)
{
	p[0] = 0x9c; p[1] = 0x40;	/* 40000 */
	p[2] = 0x23; p[3] = 0x28;	/* 9000 */
	p[4] = (unsigned char)(len >> 8);
	p[5] = (unsigned char)len;
	p[6] = p[7] = 0;		/* no checksum */
}

/* IPv6 header with addresses in 2001:2::/48 (benchmarking, RFC 5180). */
static void ip6(unsigned char *p, unsigned int plen, unsigned int nexthdr)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (unsigned char)(plen >> 8);
	p[5] = (unsigned char)plen;
	p[6] = (unsigned char)nexthdr;
	p[7] = 64;
	p[8] = 0x20; p[9] = 0x01; p[10] = 0x00; p[11] = 0x02; p[23] = 1;
	p[24] = 0x20; p[25] = 0x01; p[26] = 0x00; p[27] = 0x02; p[39] = 2;
}

/* An extension header of 8 bytes (or a fragment header) at @p. */
static unsigned char *ext6(unsigned char *p, unsigned int type, unsigned int next)
{
	memset(p, 0, 8);
	p[0] = (unsigned char)next;
	if (type == 43) {		/* routing: type 4 (SRH) with 0 segments left */
		p[2] = 4;
	} else if (type == 44) {	/* fragment: offset 0, M set, id 0x1234 */
		p[3] = 1;
		p[7] = 0x34;
		p[6] = 0x12;
	} else {			/* hop-by-hop / destination options: PadN */
		p[2] = 1;
		p[3] = 4;
	}
	return p + 8;
}

/* The payload after the headers: byte i is (i * 7 + 3). */
static void fill(unsigned char *from, unsigned char *end)
{
	for (unsigned int i = 0; from + i < end; i++)
		from[i] = (unsigned char)(i * 7 + 3);
}

static struct cls *add(const char *name, unsigned int len, unsigned int count, unsigned int proto,
		       unsigned int pkt_type, enum path path)
{
	struct cls *c = &cls[nr_cls++];

	assert_true(nr_cls <= MAX_CLS);
	c->name = name;
	c->f = calloc(1, FRAME_MAX);
	assert_non_null(c->f);
	c->len = len;
	c->count = count;
	c->proto = proto;
	c->pkt_type = pkt_type;
	c->path = path;
	return c;
}

static void free_classes(void)
{
	for (unsigned int i = 0; i < nr_cls; i++)
		free(cls[i].f);
	nr_cls = 0;
}

/*
 * An IPv4/UDP frame of @len bytes, headers right, to @dst.
 */
static struct cls *add_udp4(const char *name, const struct xt_lab *l, const unsigned char *dst,
			    unsigned int len, unsigned int count, unsigned int pkt_type, enum path path)
{
	struct cls *c = add(name, len, count, ETH_P_IP, pkt_type, path);
	unsigned char *p = eth(c->f, dst, l->mac_tx, ETH_P_IP);

	ip4(p, 0x45, len - 14, 0x4000, IPPROTO_UDP, l);
	udp(p + 20, len - 34);
	fill(p + 28, c->f + len);
	return c;
}

/* An 802.1Q (VLAN 100) IPv4/UDP frame of @len bytes to the lab's rx end. */
static struct cls *add_vlan_udp4(const char *name, const struct xt_lab *l, unsigned int len,
				 unsigned int count, enum path path)
{
	struct cls *c = add(name, len, count, ETH_P_8021Q, XSKB_PACKET_HOST, path);
	unsigned char *p = eth(c->f, l->mac_rx, l->mac_tx, ETH_P_8021Q);

	p[0] = 0x00; p[1] = 100; p[2] = 0x08; p[3] = 0x00;
	ip4(p + 4, 0x45, len - 18, 0x4000, IPPROTO_UDP, l);
	udp(p + 24, len - 38);
	fill(p + 32, c->f + len);
	return c;
}

/* The classes that cross a 1500-byte veth lab. */
static void build_lab_classes(const struct xt_lab *l)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char mcast4[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const unsigned char mcast6[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	static const unsigned char stp[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };
	static const unsigned char other[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	const unsigned char *me = l->mac_rx, *src = l->mac_tx;
	unsigned char near_last[6], near_first[6];
	unsigned char *p, *q;
	struct cls *c;

	memcpy(near_last, me, 6);
	near_last[5] ^= 0x01;		/* differs in the last byte only */
	memcpy(near_first, me, 6);
	near_first[0] ^= 0x04;		/* first byte, still unicast */

	/* Sizes and destinations. */
	add_udp4("min 60 B IPv4/UDP", l, me, 60, 8, XSKB_PACKET_HOST, P_INPLACE);
	add_udp4("max 1514 B IPv4/UDP", l, me, 1514, 8, XSKB_PACKET_HOST, P_INPLACE);
	add_udp4("broadcast destination", l, bcast, 60, 8, XSKB_PACKET_BROADCAST, P_INPLACE);
	add_udp4("IPv4 multicast destination", l, mcast4, 60, 8, XSKB_PACKET_MULTICAST, P_INPLACE);
	add_udp4("other host destination", l, other, 60, 8, XSKB_PACKET_OTHERHOST, P_INPLACE);
	add_udp4("other host, last MAC byte differs", l, near_last, 60, 8, XSKB_PACKET_OTHERHOST,
		 P_INPLACE);
	add_udp4("other host, first MAC byte differs", l, near_first, 60, 8, XSKB_PACKET_OTHERHOST,
		 P_INPLACE);

	/* Bogus and truncated IPv4. */
	c = add("IPv4 IHL 4", 60, 8, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	ip4(eth(c->f, me, src, ETH_P_IP), 0x44, 46, 0x4000, IPPROTO_UDP, l);
	c = add("IPv4 IHL 15, frame ends inside the options", 50, 8, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IP);
	ip4(p, 0x4f, 36, 0x4000, IPPROTO_UDP, l);	/* 36 of the 60 header bytes sent */
	c = add("IPv4 total length > frame", 60, 8, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IP);
	ip4(p, 0x45, 1400, 0x4000, IPPROTO_UDP, l);
	udp(p + 20, 1380);
	c = add("IPv4 total length < header", 60, 8, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	ip4(eth(c->f, me, src, ETH_P_IP), 0x45, 8, 0x4000, IPPROTO_UDP, l);
	c = add("IPv4 version 5", 60, 8, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	ip4(eth(c->f, me, src, ETH_P_IP), 0x55, 46, 0x4000, IPPROTO_UDP, l);
	c = add("IPv4 header truncated (10 of 20 bytes)", 24, 8, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IP);
	ip4(p, 0x45, 46, 0x4000, IPPROTO_UDP, l);
	memset(p + 10, 0, 10);				/* only 10 bytes are sent */
	c = add("IPv4 bad header checksum", 60, 8, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IP);
	ip4(p, 0x45, 46, 0x4000, IPPROTO_UDP, l);
	p[10] ^= 0x5a;
	c = add("IPv4 TCP data offset 15 past the end", 60, 8, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IP);
	ip4(p, 0x45, 46, 0x4000, IPPROTO_TCP, l);
	p[20 + 12] = 0xf0;
	p[20 + 13] = 0x02;				/* SYN */

	/* IPv4 fragments of one datagram (id 0x1234): first, middle, last. */
	c = add("IPv4 first fragment (MF, offset 0)", 1514, 4, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IP);
	ip4(p, 0x45, 1500, 0x2000, IPPROTO_UDP, l);
	udp(p + 20, 4000);
	fill(p + 28, c->f + c->len);
	c = add("IPv4 middle fragment (MF, offset 1480)", 1514, 4, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IP);
	ip4(p, 0x45, 1500, 0x2000 | 185, IPPROTO_UDP, l);
	fill(p + 20, c->f + c->len);
	c = add("IPv4 last fragment (offset 2960)", 1074, 4, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IP);
	ip4(p, 0x45, 1060, 370, IPPROTO_UDP, l);
	fill(p + 20, c->f + c->len);

	/* IPv6. */
	c = add("IPv6 payload length > frame", 70, 8, ETH_P_IPV6, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IPV6);
	ip6(p, 1000, IPPROTO_UDP);
	udp(p + 40, 1000);
	c = add("IPv6 payload length < payload", 90, 8, ETH_P_IPV6, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IPV6);
	ip6(p, 8, IPPROTO_UDP);
	udp(p + 40, 8);
	c = add("IPv6 header truncated (20 of 40 bytes)", 34, 8, ETH_P_IPV6, XSKB_PACKET_HOST, P_INPLACE);
	ip6(eth(c->f, me, src, ETH_P_IPV6), 0, IPPROTO_UDP);
	c = add("IPv6 version 4 in an IPv6 EtherType", 70, 8, ETH_P_IPV6, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IPV6);
	ip6(p, 16, IPPROTO_UDP);
	p[0] = 0x40;
	c = add("IPv6 hop-by-hop + UDP", 78, 8, ETH_P_IPV6, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IPV6);
	ip6(p, 24, 0);
	udp(ext6(p + 40, 0, IPPROTO_UDP), 16);
	c = add("IPv6 routing header + UDP, to 33:33:00:00:00:01", 78, 8, ETH_P_IPV6,
		XSKB_PACKET_MULTICAST, P_INPLACE);
	p = eth(c->f, mcast6, src, ETH_P_IPV6);
	ip6(p, 24, 43);
	udp(ext6(p + 40, 43, IPPROTO_UDP), 16);
	c = add("IPv6 destination options + UDP", 78, 8, ETH_P_IPV6, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IPV6);
	ip6(p, 24, 60);
	udp(ext6(p + 40, 60, IPPROTO_UDP), 16);
	c = add("IPv6 fragment header + UDP", 78, 8, ETH_P_IPV6, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IPV6);
	ip6(p, 24, 44);
	udp(ext6(p + 40, 44, IPPROTO_UDP), 16);
	c = add("IPv6 chain of 12 extension headers + UDP", 166, 8, ETH_P_IPV6, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IPV6);
	ip6(p, 112, 0);
	q = ext6(p + 40, 0, 60);
	for (int i = 0; i < 9; i++)
		q = ext6(q, 60, i == 8 ? 43 : 60);
	q = ext6(q, 43, 44);
	udp(ext6(q, 44, IPPROTO_UDP), 8);
	c = add("IPv6 extension header cut by the frame end", 60, 8, ETH_P_IPV6, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_IPV6);
	ip6(p, 200, 0);
	p[40] = 60;
	p[41] = 30;				/* 248 bytes claimed, 6 present */

	/* VLAN. */
	add_vlan_udp4("802.1Q VLAN 100, IPv4/UDP", l, 64, 8, P_INPLACE);
	add_vlan_udp4("802.1Q VLAN, 1518 B (MTU + tag)", l, 1518, 4, P_INPLACE);
	c = add("QinQ 802.1ad 200 + 802.1Q 100, IPv4/UDP", 68, 8, ETH_P_8021AD, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_8021AD);
	p[0] = 0x00; p[1] = 200; p[2] = 0x81; p[3] = 0x00;
	p[4] = 0x00; p[5] = 100; p[6] = 0x08; p[7] = 0x00;
	ip4(p + 8, 0x45, 46, 0x4000, IPPROTO_UDP, l);
	udp(p + 28, 26);
	c = add("802.1Q tag cut by the frame end", 16, 8, ETH_P_8021Q, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, ETH_P_8021Q);
	p[0] = 0x00; p[1] = 100;

	/* 802.3 length frames. */
	c = add("802.3 + LLC (STP BPDU to 01:80:c2:00:00:00)", 60, 8, ETH_P_802_2, XSKB_PACKET_MULTICAST,
		P_INPLACE);
	p = eth(c->f, stp, src, 38);
	p[0] = 0x42; p[1] = 0x42; p[2] = 0x03;	/* DSAP, SSAP, UI */
	c = add("802.3 + LLC/SNAP (OUI 0, type IPv4)", 60, 8, ETH_P_802_2, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, 46);
	p[0] = 0xaa; p[1] = 0xaa; p[2] = 0x03; p[3] = p[4] = p[5] = 0; p[6] = 0x08; p[7] = 0x00;
	ip4(p + 8, 0x45, 38, 0x4000, IPPROTO_UDP, l);
	c = add("raw 802.3 (Novell, 0xFFFF)", 60, 8, ETH_P_802_3, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, 46);
	p[0] = 0xff; p[1] = 0xff;
	c = add("802.3 length field 0x05FF (largest length)", 60, 8, ETH_P_802_2, XSKB_PACKET_HOST, P_INPLACE);
	eth(c->f, me, src, 0x05ff);
	/* Frames that end at the Ethernet header, after frames that leave 0xFFFF
	 * where their bytes 14-15 would be: those stale bytes must not count. */
	c = add("raw 802.3, 0xFFFF (fills every frame)", 60, 600, ETH_P_802_3, XSKB_PACKET_HOST, P_INPLACE);
	p = eth(c->f, me, src, 46);
	p[0] = 0xff; p[1] = 0xff;
	c = add("802.3 length 0x0026, 14 bytes exactly", 14, 300, ETH_P_802_2, XSKB_PACKET_HOST, P_INPLACE);
	eth(c->f, me, src, 38);
	c = add("802.3 length 0x0000, 14 bytes exactly", 14, 8, ETH_P_802_2, XSKB_PACKET_HOST, P_INPLACE);
	eth(c->f, me, src, 0);
	c = add("EtherType 0x0800, 14 bytes exactly", 14, 8, ETH_P_IP, XSKB_PACKET_HOST, P_INPLACE);
	eth(c->f, me, src, ETH_P_IP);

	/* Odd EtherTypes. */
	c = add("EtherType 0x0600 (smallest)", 60, 8, 0x0600, XSKB_PACKET_HOST, P_INPLACE);
	eth(c->f, me, src, 0x0600);
	c = add("EtherType 0x88B5 (local experimental)", 60, 8, 0x88b5, XSKB_PACKET_HOST, P_INPLACE);
	fill(eth(c->f, me, src, 0x88b5), c->f + c->len);
	c = add("EtherType 0x0000, zero payload", 60, 8, ETH_P_802_2, XSKB_PACKET_HOST, P_INPLACE);
	eth(c->f, me, src, 0x0000);
	c = add("EtherType 0xFFFF", 60, 8, 0xffff, XSKB_PACKET_HOST, P_INPLACE);
	fill(eth(c->f, me, src, 0xffff), c->f + c->len);
	c = add("ARP truncated to 20 bytes", 20, 8, ETH_P_ARP, XSKB_PACKET_BROADCAST, P_INPLACE);
	p = eth(c->f, bcast, src, ETH_P_ARP);
	p[1] = 1; p[2] = 8; p[4] = 6; p[5] = 4;
}

/* The classes of a 9000-byte lab (a frame is 4096 bytes, 3840 of them room). */
static void build_jumbo_classes(const struct xt_lab *l, bool mb, enum xskb_mb_mode mode)
{
	const unsigned char *me = l->mac_rx, *src = l->mac_tx;
	enum path big = !mb ? P_KDROP : mode == XSKB_MB_FRAGS ? P_FRAGS : P_SLAB;
	unsigned char *p;
	struct cls *c;

	add_udp4("jumbo 9014 B IPv4/UDP", l, me, 9014, 8, XSKB_PACKET_HOST, big);
	add_udp4("jumbo 3841 B (one byte over a frame's room)", l, me, 3841, 8, XSKB_PACKET_HOST, big);
	/* Fits one frame's room but not with skb_shared_info behind it: copied. */
	add_udp4("3600 B, one descriptor, no room for shared info", l, me, 3600, 8, XSKB_PACKET_HOST,
		 P_SLAB);
	add_udp4("jumbo 9014 B to another host", l, (const unsigned char[6]){ 0x02, 9, 9, 9, 9, 9 },
		 9014, 4, XSKB_PACKET_OTHERHOST, big);
	add_vlan_udp4("jumbo 802.1Q 9018 B", l, 9018, 4, big);
	c = add("jumbo 802.3 + LLC, length field 0x05DC", 9014, 4, ETH_P_802_2, XSKB_PACKET_HOST, big);
	p = eth(c->f, me, src, 1500);
	p[0] = 0x42; p[1] = 0x42; p[2] = 0x03;
	fill(p + 3, c->f + c->len);
	add_udp4("normal 1000 B between jumbos", l, me, 1000, 8, XSKB_PACKET_HOST, P_INPLACE);
}

/* Every class's expectation agrees with the kernel's rules written above. */
static void check_table(const unsigned char *dev_addr)
{
	for (unsigned int i = 0; i < nr_cls; i++) {
		unsigned int proto, pt;

		kernel_eth_type_trans(cls[i].f, cls[i].len, dev_addr, &proto, &pt);
		if (proto != cls[i].proto || pt != cls[i].pkt_type)
			fail_msg("table error: class '%s' expects 0x%04x/%u, the kernel's rules say 0x%04x/%u",
				 cls[i].name, cls[i].proto, cls[i].pkt_type, proto, pt);
	}
}

/* ---- receiver: every skb recorded, and written to a pcap ---------------------------- */

struct rec {
	unsigned int proto, pkt_type, len;
	int mac_off, net_off;		/* mac header and network header relative to data */
	bool dev_ok;
	unsigned char *bytes;
};

#define MAX_REC 4096

struct rx_log {
	struct rec rec[MAX_REC];
	unsigned long n;		/* released after each record */
	unsigned long overflow;
	struct net_device *netdev;
	pcap_dumper_t *pcap;
};

static void on_packet(struct sk_buff *skb, void *arg)
{
	struct rx_log *lg = arg;
	unsigned long n = __atomic_load_n(&lg->n, __ATOMIC_RELAXED);
	int mac_off = (int)(skb_mac_header(skb) - skb->data);
	unsigned int len = (unsigned int)((int)skb->len - mac_off);
	struct rec *r;

	if (n >= MAX_REC) {
		lg->overflow++;
		consume_skb(skb);
		return;
	}
	r = &lg->rec[n];
	r->proto = ntohs(skb->protocol);
	r->pkt_type = skb->pkt_type;
	r->len = len;
	r->mac_off = mac_off;
	r->net_off = (int)(skb_network_header(skb) - skb->data);
	r->dev_ok = skb->dev == lg->netdev;
	r->bytes = malloc(len ? len : 1);
	if (r->bytes && skb_copy_bits(skb, mac_off, r->bytes, (int)len)) {
		free(r->bytes);
		r->bytes = NULL;
	}
	if (lg->pcap && r->bytes) {
		struct pcap_pkthdr h = { .caplen = len, .len = len };
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		h.ts.tv_sec = ts.tv_sec;
		h.ts.tv_usec = ts.tv_nsec / 1000;
		pcap_dump((unsigned char *)lg->pcap, &h, r->bytes);
	}
	consume_skb(skb);
	__atomic_store_n(&lg->n, n + 1, __ATOMIC_RELEASE);
}

struct rx {
	struct xskb_dev *dev;
	struct xskb_umem *umem;
	struct xskb_queue *q;
	struct xskb_napi *napi;
	struct rx_log *log;
	pcap_t *pcap_h;
	char pcap_path[128];
	int tx_fd;
	int tx_ifindex;
	const char *ns_rx;	/* the device is closed from inside it */
};

static struct rx *cur_rx;
static void rx_tool_stop(const struct xt_lab *l);
static bool xdp_attached(const char *ns, const char *ifname);

static void log_free(struct rx_log *lg)
{
	if (!lg)
		return;
	for (unsigned long i = 0; i < lg->n && i < MAX_REC; i++)
		free(lg->rec[i].bytes);
	free(lg);
}

/* An AF_PACKET socket on the lab's tx end (opened inside its namespace). */
static int tx_socket(const struct xt_lab *l)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = l->ifindex_tx };
	int fd;

	assert_int_equal(xt_netns_enter(l->ns_tx), 0);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);	/* protocol 0: sends only */
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	assert_int_equal(xt_netns_set(home_ns), 0);
	return fd;
}

static void rx_open(struct rx *r, const struct xt_lab *l, struct xskb_queue_opts *qo, const char *tag)
{
	/* A small UMEM, so a few hundred frames recycle every one of them. */
	XSKB_OPTS(xskb_umem_opts, uo, .frame_count = 256);
	XSKB_OPTS(xskb_napi_opts, no, .idle_usec = XSKB_NAPI_NEVER_SLEEP);

	memset(r, 0, sizeof(*r));
	r->tx_fd = -1;
	cur_rx = r;
	r->log = calloc(1, sizeof(*r->log));
	assert_non_null(r->log);
	snprintf(r->pcap_path, sizeof(r->pcap_path), "%s/%s.pcap", pcap_dir, tag);
	r->pcap_h = pcap_open_dead(DLT_EN10MB, 65535);
	assert_non_null(r->pcap_h);
	r->log->pcap = pcap_dump_open(r->pcap_h, r->pcap_path);
	assert_non_null(r->log->pcap);
	r->tx_fd = tx_socket(l);
	r->tx_ifindex = l->ifindex_tx;
	r->ns_rx = l->ns_rx;
	assert_int_equal(xt_netns_enter(l->ns_rx), 0);
	assert_int_equal(xskb_dev__open(&r->dev, l->if_rx, NULL), 0);	/* no rule: claims all */
	r->log->netdev = xskb_dev__netdev(r->dev);
	assert_int_equal(xskb_umem__create(&r->umem, -1, &uo), 0);
	qo->rx_size = qo->rx_size ? qo->rx_size : 128;
	qo->fill_size = qo->fill_size ? qo->fill_size : 128;
	qo->handler = on_packet;
	qo->handler_arg = r->log;
	assert_int_equal(xskb_queue__create(&r->q, r->dev, r->umem, qo), 0);
	assert_int_equal(xskb_napi__create(&r->napi, &r->q, 1, &no), 0);
	assert_int_equal(xskb_napi__start(r->napi), 0);
	assert_int_equal(xt_netns_set(home_ns), 0);
}

/* Undo whatever is open; true if the UMEM got every frame back. */
static bool rx_release(struct rx *r)
{
	struct xskb_frame_stats fs = { 0 };
	bool ok = true;

	if (r->napi)
		xskb_napi__destroy(r->napi);
	r->napi = NULL;
	if (r->umem && xskb_umem__check(r->umem))
		ok = false;
	if (r->q)
		xskb_queue__destroy(r->q);
	r->q = NULL;
	if (r->umem) {
		if (xskb_umem__frame_stats(r->umem, &fs) || fs.free != fs.frames)
			ok = false;
		xskb_umem__delete(r->umem);
	}
	r->umem = NULL;
	/* The program is detached by ifindex in the calling thread's namespace:
	 * close from the lab's, never from the host's. */
	if (r->dev && !xt_netns_enter(r->ns_rx) && xskb_dev__close(r->dev))
		ok = false;
	r->dev = NULL;
	if (home_ns >= 0 && xt_netns_set(home_ns))
		ok = false;
	if (r->tx_fd >= 0)
		close(r->tx_fd);
	r->tx_fd = -1;
	if (r->log && r->log->pcap)
		pcap_dump_close(r->log->pcap);
	if (r->log)
		r->log->pcap = NULL;
	if (r->pcap_h)
		pcap_close(r->pcap_h);
	r->pcap_h = NULL;
	return ok;
}

static int test_teardown(void **state)
{
	(void)state;
	rx_tool_stop(&lab);
	if (cur_rx) {
		rx_release(cur_rx);
		log_free(cur_rx->log);
		cur_rx->log = NULL;
		cur_rx = NULL;
	}
	free_classes();
	if (home_ns >= 0)
		xt_netns_set(home_ns);
	return 0;
}

static unsigned long got(struct rx *r)
{
	return __atomic_load_n(&r->log->n, __ATOMIC_ACQUIRE);
}

static __u64 kernel_dropped(struct rx *r)
{
	struct xskb_queue_stats st;

	xskb_queue__stats(r->q, &st);
	return st.xdp_rx_dropped + st.xdp_rx_ring_full;
}

/* Send @c->count copies, at most 32 ahead of the receiver, each at most 2 s late. */
static int send_class(struct rx *r, const struct cls *c, unsigned long base_rx, __u64 base_kdrop)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = r->tx_ifindex, .sll_halen = 6 };
	bool delivered = c->path != P_KDROP;

	memcpy(to.sll_addr, c->f, 6);
	for (unsigned int i = 0; i < c->count; i++) {
		unsigned long want = i >= 32 ? i - 31 : 0;

		if (delivered ? !wait_for(got(r) - base_rx >= want, 2000)
			      : !wait_for(kernel_dropped(r) - base_kdrop >= want, 2000))
			return -ETIMEDOUT;
		if (sendto(r->tx_fd, c->f, c->len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)c->len)
			return -errno;
	}
	return 0;
}

/*
 * Send every class in turn and compare what arrived with what the kernel
 * would have made of it. Returns the number of failing classes; each is
 * printed with what the library gave.
 */
static unsigned int run_classes(struct rx *r, unsigned long *expect_pcap)
{
	unsigned int failed = 0;

	*expect_pcap = 0;
	for (unsigned int i = 0; i < nr_cls; i++) {
		const struct cls *c = &cls[i];
		struct xskb_queue_stats a, b;
		unsigned long n0 = got(r), n1;
		unsigned int want = c->path <= P_FRAGS ? c->count : 0, bad_proto = 0, bad_type = 0,
			     bad_bytes = 0, bad_layout = 0, first_proto = 0, first_type = 0;
		__u64 kdrop, zc, slab, frags, drops = 0;
		char why[512] = "";
		int err;

		xskb_queue__stats(r->q, &a);
		err = send_class(r, c, n0, a.xdp_rx_dropped + a.xdp_rx_ring_full);
		if (want)
			wait_for(got(r) - n0 >= want, 3000);
		else
			wait_for(kernel_dropped(r) - (a.xdp_rx_dropped + a.xdp_rx_ring_full) >= c->count, 3000);
		usleep(20000);		/* anything extra shows up now */
		n1 = got(r);
		xskb_queue__stats(r->q, &b);
		kdrop = b.xdp_rx_dropped - a.xdp_rx_dropped + b.xdp_rx_ring_full - a.xdp_rx_ring_full;
		zc = b.skb_inplace - a.skb_inplace;
		slab = b.skb_slab - a.skb_slab;
		frags = b.skb_frags - a.skb_frags;
		for (int k = 0; k < XSKB_DROP_MAX; k++)
			drops += b.drops[k] - a.drops[k];
		for (unsigned long k = n0; k < n1 && k < MAX_REC; k++) {
			const struct rec *e = &r->log->rec[k];

			if (e->proto != c->proto) {
				if (!bad_proto++)
					first_proto = e->proto;
			}
			if (e->pkt_type != c->pkt_type) {
				if (!bad_type++)
					first_type = e->pkt_type;
			}
			if (!e->bytes || e->len != c->len || memcmp(e->bytes, c->f, c->len))
				bad_bytes++;
			if (e->mac_off != -ETH_HLEN || e->net_off != 0 || !e->dev_ok)
				bad_layout++;
		}
		if (err)
			snprintf(why + strlen(why), sizeof(why) - strlen(why), " send failed (%s);",
				 strerror(-err));
		if (n1 - n0 != want)
			snprintf(why + strlen(why), sizeof(why) - strlen(why), " delivered %lu of %u "
				 "(want %u);", n1 - n0, c->count, want);
		if (bad_proto)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " protocol 0x%04x in %u of them, kernel: 0x%04x;", first_proto, bad_proto,
				 c->proto);
		if (bad_type)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " pkt_type %u in %u of them, kernel: %u;", first_type, bad_type, c->pkt_type);
		if (bad_bytes)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " %u not byte-identical to the frame sent;", bad_bytes);
		if (bad_layout)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " %u with mac/network header or dev wrong;", bad_layout);
		if ((c->path == P_INPLACE && zc != want) || (c->path == P_SLAB && slab != want) ||
		    (c->path == P_FRAGS && frags != want) || (c->path == P_KDROP && kdrop != c->count) ||
		    (c->path != P_KDROP && kdrop) || drops)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " path: in place %llu slab %llu frags %llu kernel drops %llu xskb drops %llu, "
				 "want %s;", (unsigned long long)zc, (unsigned long long)slab,
				 (unsigned long long)frags, (unsigned long long)kdrop,
				 (unsigned long long)drops, path_name[c->path]);
		if (why[0]) {
			failed++;
			fprintf(stderr, "FAIL class '%s' (%u B x %u):%s\n", c->name, c->len, c->count, why);
		} else {
			fprintf(stderr, "ok   class '%s' (%u B x %u): 0x%04x, pkt_type %u, %s\n", c->name,
				c->len, c->count, c->proto, c->pkt_type, path_name[c->path]);
		}
		*expect_pcap += want;
	}
	return failed;
}

/* The pcap holds exactly the delivered frames, in order, byte for byte. */
static unsigned int check_pcap(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	const unsigned char *data;
	struct pcap_pkthdr *h;
	unsigned int bad = 0;
	unsigned long k = 0;
	pcap_t *p;
	int rc;

	p = pcap_open_offline(path, err);
	if (!p)
		fail_msg("cannot read back %s: %s", path, err);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	for (unsigned int i = 0; i < nr_cls; i++) {
		if (cls[i].path > P_FRAGS)
			continue;
		for (unsigned int j = 0; j < cls[i].count; j++, k++) {
			rc = pcap_next_ex(p, &h, &data);
			if (rc != 1) {
				fprintf(stderr, "FAIL pcap: ends at record %lu, in class '%s'\n", k, cls[i].name);
				pcap_close(p);
				return bad + 1;
			}
			if (h->caplen != cls[i].len || h->len != cls[i].len ||
			    memcmp(data, cls[i].f, cls[i].len)) {
				if (!bad)
					fprintf(stderr, "FAIL pcap: record %lu (class '%s') is not the frame sent "
						"(%u/%u bytes, sent %u)\n", k, cls[i].name, h->caplen, h->len,
						cls[i].len);
				bad++;
			}
		}
	}
	if (pcap_next_ex(p, &h, &data) == 1) {
		fprintf(stderr, "FAIL pcap: more records than frames delivered (%lu)\n", k);
		bad++;
	}
	pcap_close(p);
	return bad;
}

/* Everything in the tables over one lab; @tag names the pcap. */
static void run_lab(const struct xt_lab *l, struct xskb_queue_opts *qo, const char *tag)
{
	static struct rx r;	/* static: the teardown uses it after a failed assert */
	unsigned long want_pcap;
	unsigned int failed, pcap_bad;
	bool frames_back;

	check_table(l->mac_rx);
	rx_open(&r, l, qo, tag);
	usleep(50000);		/* let the socket settle: nothing may arrive before the first class */
	assert_int_equal(got(&r), 0);
	failed = run_classes(&r, &want_pcap);
	assert_int_equal(r.log->overflow, 0);
	assert_int_equal(got(&r), want_pcap);
	frames_back = rx_release(&r);
	pcap_bad = check_pcap(r.pcap_path);
	log_free(r.log);
	r.log = NULL;
	cur_rx = NULL;
	unlink(r.pcap_path);
	assert_true(frames_back);
	if (failed || pcap_bad)
		fail_msg("%u of %u classes failed, %u pcap records wrong (details above)", failed, nr_cls,
			 pcap_bad);
}

/* ---- tests -------------------------------------------------------------------------------- */

#define need_lab()			\
	do {				\
		if (!have_lab)		\
			skip();		\
	} while (0)

static void test_veth_classes(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo);
	(void)state;

	need_lab();
	build_lab_classes(&lab);
	assert_true(nr_cls >= 25);
	run_lab(&lab, &qo, "lab");
}

/* The jumbo lab: with multi-buffer in either mode, and without (the kernel
 * then drops what does not fit one frame, and counts it). */
static void run_jumbo(bool mb, enum xskb_mb_mode mode, const char *tag)
{
	XSKB_OPTS(xskb_queue_opts, qo, .multi_buffer = mb, .mb_mode = mode);

	need_lab();
	build_jumbo_classes(&jlab, mb, mode);
	run_lab(&jlab, &qo, tag);
}

static void test_jumbo_multi_buffer_slab(void **state)
{
	(void)state;
	run_jumbo(true, XSKB_MB_SLAB, "jumbo-slab");
}

static void test_jumbo_multi_buffer_frags(void **state)
{
	(void)state;
	run_jumbo(true, XSKB_MB_FRAGS, "jumbo-frags");
}

static void test_jumbo_no_multi_buffer(void **state)
{
	(void)state;
	run_jumbo(false, XSKB_MB_SLAB, "jumbo-nomb");
}

/*
 * The same classes through the xskb-rx tool: its --pcap file must hold the
 * frames sent, byte for byte, and its JSON must count them.
 */
static pid_t rx_tool_pid;

static void rx_tool_stop(const struct xt_lab *l)
{
	int status;

	if (rx_tool_pid <= 0)
		return;
	kill(rx_tool_pid, SIGTERM);
	for (int i = 0; i < 500; i++) {
		if (waitpid(rx_tool_pid, &status, WNOHANG) == rx_tool_pid) {
			rx_tool_pid = 0;
			return;
		}
		usleep(10000);
	}
	kill(rx_tool_pid, SIGKILL);
	waitpid(rx_tool_pid, &status, 0);
	rx_tool_pid = 0;
	/* Killed hard, it leaves its program behind (the namespace goes later). */
	xt_run((const char *const[]){ "ip", "-n", l->ns_rx, "link", "set", "dev", l->if_rx, "xdp", "off",
				      NULL }, true);
}

static void test_rx_tool_pcap(void **state)
{
	char pcap_path[128], json_path[128], buf[4096];
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = lab.ifindex_tx, .sll_halen = 6 };
	unsigned long want = 0;
	unsigned int bad;
	int fd, status;
	FILE *jf;
	size_t n;
	(void)state;

	need_lab();
	if (access(XSKB_RX_BIN, X_OK))
		skip();
	build_lab_classes(&lab);
	snprintf(pcap_path, sizeof(pcap_path), "%s/rx-tool.pcap", pcap_dir);
	snprintf(json_path, sizeof(json_path), "%s/rx-tool.json", pcap_dir);
	fd = tx_socket(&lab);
	fflush(NULL);
	rx_tool_pid = fork();
	assert_true(rx_tool_pid >= 0);
	if (rx_tool_pid == 0) {
		int out = open(json_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (out < 0 || dup2(out, 1) < 0)
			_exit(127);
		execl(XSKB_RX_BIN, "xskb-rx", "-n", lab.ns_rx, "-i", lab.if_rx, "-d", "60", "--json",
		      "--quiet", "--idle-us", "0", "--pcap", pcap_path, (char *)NULL);
		_exit(127);
	}
	if (!wait_for(xdp_attached(lab.ns_rx, lab.if_rx), 10000)) {
		rx_tool_stop(&lab);
		close(fd);
		fail_msg("xskb-rx did not attach");
	}
	/* Attached is not yet bound: the socket comes after a 128 MiB UMEM
	 * is mapped and filled, which took over 0.5 s under a loaded CI (a run
	 * where xskb-rx bound after most frames had passed: 891 of 1228). */
	usleep(2000000);
	for (unsigned int i = 0; i < nr_cls; i++) {
		memcpy(to.sll_addr, cls[i].f, 6);
		for (unsigned int j = 0; j < cls[i].count; j++) {
			if (sendto(fd, cls[i].f, cls[i].len, 0, (struct sockaddr *)&to, sizeof(to)) !=
			    (ssize_t)cls[i].len) {
				rx_tool_stop(&lab);
				close(fd);
				fail_msg("sendto: %s", strerror(errno));
			}
			if (!(j % 32))
				usleep(1000);	/* far below a 4096-entry fill ring */
		}
		want += cls[i].count;
	}
	close(fd);
	usleep(300000);
	kill(rx_tool_pid, SIGTERM);
	assert_true(wait_for(waitpid(rx_tool_pid, &status, WNOHANG) == rx_tool_pid, 10000));
	rx_tool_pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	jf = fopen(json_path, "r");
	assert_non_null(jf);
	n = fread(buf, 1, sizeof(buf) - 1, jf);
	fclose(jf);
	buf[n] = 0;
	{
		char key[64];

		snprintf(key, sizeof(key), "\"rx_packets\":%lu,", want);
		if (!strstr(buf, key))
			fail_msg("xskb-rx JSON does not count %lu packets: %s", want, buf);
		snprintf(key, sizeof(key), "\"pcap_packets\":%lu", want);
		if (!strstr(buf, key))
			fail_msg("xskb-rx JSON does not count %lu pcap records: %s", want, buf);
	}
	bad = check_pcap(pcap_path);
	unlink(pcap_path);
	unlink(json_path);
	if (bad)
		fail_msg("%u records of xskb-rx's pcap differ from the frames sent", bad);
}

/* ---- the replay queue: what a veth cannot carry --------------------------------------------- */

/* What the replay handler checks each skb against, and what it found. */
struct replay_check {
	const unsigned char *f, *dev_mac;
	unsigned int len, proto;
	const char *name;
	unsigned int delivered, bad;
};

static void kernel_eth_type_trans(const unsigned char *f, unsigned int len, const unsigned char *dev_addr,
				  unsigned int *proto, unsigned int *pkt_type);

/* Checked and freed at once: the kernel would not hold them either. */
static void replay_check_skb(struct sk_buff *skb, void *arg)
{
	struct replay_check *rc = arg;
	int mac_off = (int)(skb_mac_header(skb) - skb->data);
	unsigned int len = (unsigned int)((int)skb->len - mac_off);
	unsigned char *b = malloc(len ? len : 1);
	unsigned int proto, pt;

	kernel_eth_type_trans(rc->f, rc->len, rc->dev_mac, &proto, &pt);
	if (!b || len != rc->len || skb_copy_bits(skb, mac_off, b, (int)len) || memcmp(b, rc->f, len) ||
	    ntohs(skb->protocol) != proto || skb->pkt_type != pt || proto != rc->proto ||
	    mac_off != -ETH_HLEN) {
		if (!rc->bad)
			fprintf(stderr, "     replay '%s': got %u B, protocol 0x%04x, pkt_type %u; "
				"kernel: %u B, 0x%04x, %u\n", rc->name, len, ntohs(skb->protocol),
				skb->pkt_type, rc->len, proto, pt);
		rc->bad++;
	}
	free(b);
	rc->delivered++;
	consume_skb(skb);
}

struct replay_case {
	const char *name;
	unsigned int len, frame_size;
	bool mb;
	enum xskb_mb_mode mode;
	unsigned int proto;		/* expected, when delivered */
	enum path path;
	unsigned char fill14;		/* the two bytes after the header */
};

/*
 * One case: @count packets of one template through a replay queue, polled
 * in this thread. Returns true if it went as the kernel (and xskb's own
 * drop rules) say.
 */
static bool replay_one(const struct replay_case *rc, const unsigned char *dev_mac)
{
	static const unsigned char src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	const unsigned int count = 40;
	struct net_device nd = { .name = "replay0", .ifindex = 7, .mtu = 65535, .hard_header_len = 14 };
	XSKB_OPTS(xskb_umem_opts, uo, .frame_count = 1024, .frame_size = rc->frame_size);
	XSKB_OPTS(xskb_queue_opts, qo, .rx_size = 256, .fill_size = 256, .multi_buffer = rc->mb,
		  .mb_mode = rc->mode, .handler = replay_check_skb);
	XSKB_OPTS(xskb_replay_opts, ro, .limit = count, .copy = true, .dev = &nd);
	struct xskb_replay_pkt tpl;
	struct xskb_queue_stats st;
	struct xskb_frame_stats fs;
	struct xskb_umem *u;
	struct xskb_queue *q;
	unsigned char *f = calloc(1, rc->len + 16);
	unsigned int delivered = 0, bad = 0, want_drops[XSKB_DROP_MAX] = { 0 };
	struct replay_check chk;
	unsigned long long kdrop;
	bool ok = true;

	assert_non_null(f);
	memcpy(nd.dev_addr, dev_mac, 6);
	if (rc->len >= 6)
		memcpy(f, dev_mac, 6);
	if (rc->len >= 12)
		memcpy(f + 6, src, 6);
	if (rc->len >= 14) {
		f[12] = (unsigned char)(rc->proto >= ETH_P_802_3_MIN ? rc->proto >> 8 : 0);
		f[13] = (unsigned char)(rc->proto >= ETH_P_802_3_MIN ? rc->proto : 38);
	}
	for (unsigned int i = 14; i < rc->len; i++)
		f[i] = i < 16 ? rc->fill14 : (unsigned char)(i * 7 + 3);
	tpl = (struct xskb_replay_pkt){ f, rc->len };
	chk = (struct replay_check){ .f = f, .dev_mac = dev_mac, .len = rc->len, .proto = rc->proto,
				     .name = rc->name };
	qo.handler_arg = &chk;
	ro.pkts = &tpl;
	ro.nr_pkts = 1;
	assert_int_equal(xskb_umem__create(&u, -1, &uo), 0);
	assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), 0);
	for (int i = 0; i < 200 && xskb_replay__produced(q) < count; i++)
		xskb_queue__poll(q, 64);
	for (int i = 0; i < 4; i++)
		xskb_queue__poll(q, 64);
	assert_int_equal(xskb_queue__stats(q, &st), 0);
	delivered = chk.delivered;
	bad = chk.bad;
	if (rc->path == P_RUNT)
		want_drops[XSKB_DROP_RUNT] = count;
	if (rc->path == P_TOOBIG)
		want_drops[XSKB_DROP_TOO_BIG] = count;
	kdrop = st.xdp_rx_dropped;
	if (bad || delivered != (rc->path <= P_FRAGS ? count : 0) ||
	    kdrop != (rc->path == P_KDROP ? count : 0) ||
	    (rc->path == P_SLAB && st.skb_slab != count) || (rc->path == P_FRAGS && st.skb_frags != count) ||
	    (rc->path == P_INPLACE && st.skb_inplace != count))
		ok = false;
	for (int k = 0; k < XSKB_DROP_MAX; k++)
		if (st.drops[k] != want_drops[k])
			ok = false;
	fprintf(stderr, "%s replay '%s' (%u B): delivered %u of %u, in place %llu slab %llu frags %llu, "
		"kernel drops %llu, runt %llu too_big %llu invalid_desc %llu nomem %llu; want %s\n",
		ok ? "ok  " : "FAIL", rc->name, rc->len, delivered, count,
		(unsigned long long)st.skb_inplace, (unsigned long long)st.skb_slab,
		(unsigned long long)st.skb_frags, kdrop, (unsigned long long)st.drops[XSKB_DROP_RUNT],
		(unsigned long long)st.drops[XSKB_DROP_TOO_BIG],
		(unsigned long long)st.drops[XSKB_DROP_INVALID_DESC],
		(unsigned long long)st.drops[XSKB_DROP_NOMEM], path_name[rc->path]);
	assert_int_equal(xskb_umem__check(u), 0);
	assert_int_equal(xskb_queue__destroy(q), 0);
	assert_int_equal(xskb_umem__frame_stats(u, &fs), 0);
	assert_int_equal(fs.free, fs.frames);
	assert_int_equal(xskb_umem__delete(u), 0);
	free(f);
	return ok;
}

static void test_replay_runts_and_sizes(void **state)
{
	static const unsigned char me[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const struct replay_case cases[] = {
		{ "runt 1 byte", 1, 4096, false, 0, 0, P_RUNT, 0 },
		{ "runt 6 bytes (destination only)", 6, 4096, false, 0, 0, P_RUNT, 0 },
		{ "runt 13 bytes", 13, 4096, false, 0, 0, P_RUNT, 0 },
		{ "14 bytes, EtherType 0x0800", 14, 4096, false, 0, ETH_P_IP, P_INPLACE, 0 },
		{ "14 bytes, 802.3 length", 14, 4096, false, 0, ETH_P_802_2, P_INPLACE, 0 },
		{ "15 bytes, 802.3, one 0xFF after the header", 15, 4096, false, 0, ETH_P_802_2,
		  P_INPLACE, 0xff },
		{ "16 bytes, raw 802.3 0xFFFF", 16, 4096, false, 0, ETH_P_802_3, P_INPLACE, 0xff },
		{ "65535 bytes, no multi-buffer", 65535, 4096, false, 0, ETH_P_IP, P_KDROP, 0 },
		{ "65535 bytes, multi-buffer slab (18 descriptors)", 65535, 4096, true, XSKB_MB_SLAB,
		  ETH_P_IP, P_SLAB, 0 },
		{ "65000 bytes, multi-buffer frags (17 descriptors)", 65000, 4096, true, XSKB_MB_FRAGS,
		  ETH_P_IP, P_FRAGS, 0 },
		{ "40000 bytes in 2 KiB frames, frags (23 descriptors)", 40000, 2048, true, XSKB_MB_FRAGS,
		  ETH_P_IP, P_TOOBIG, 0 },
		{ "40000 bytes in 2 KiB frames, slab (23 descriptors, < 64 KiB)", 40000, 2048, true,
		  XSKB_MB_SLAB, ETH_P_IP, P_SLAB, 0 },
		{ "802.3 length 9000 B multi-buffer slab", 9000, 4096, true, XSKB_MB_SLAB, ETH_P_802_2,
		  P_SLAB, 0x42 },
	};
	unsigned int failed = 0;
	(void)state;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!replay_one(&cases[i], me))
			failed++;
	if (failed)
		fail_msg("%u of %zu replay cases failed (details above)", failed,
			 sizeof(cases) / sizeof(cases[0]));
}

/* True if `ip` shows an XDP program on @ifname in @ns (or cannot tell). */
static bool xdp_attached(const char *ns, const char *ifname)
{
	char cmd[160], line[512];
	bool seen = false, any = false;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip -n %s link show dev %s 2>/dev/null", ns, ifname);
	p = popen(cmd, "r");
	if (!p)
		return true;
	while (fgets(line, sizeof(line), p)) {
		any = true;
		if (strstr(line, "xdp"))
			seen = true;
	}
	pclose(p);
	return seen || !any;
}

/* Nothing attached after all of it. */
static void test_nothing_left_behind(void **state)
{
	(void)state;

	need_lab();
	assert_false(xdp_attached(lab.ns_rx, lab.if_rx));
	assert_false(xdp_attached(jlab.ns_rx, jlab.if_rx));
}

/* ---- lab lifetime ---------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	int r;
	(void)state;

	snprintf(prefix, sizeof(prefix), "xf%d", getpid() % 100000);
	snprintf(jprefix, sizeof(jprefix), "xg%d", getpid() % 100000);
	snprintf(pcap_dir, sizeof(pcap_dir), "/tmp/xskb-malformed-%d", getpid());
	if (mkdir(pcap_dir, 0700) && errno != EEXIST)
		return -1;
	home_ns = xt_netns_open(NULL);
	if (home_ns < 0)
		return -1;
	r = fixture_lab_up(prefix, 1500, 1, &lab);
	if (r < 0)
		return -1;
	have_lab = r == 0;
	if (have_lab && fixture_lab_up(jprefix, 9000, 1, &jlab)) {
		xt_lab_down(prefix);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (home_ns >= 0)
		xt_netns_set(home_ns);
	xt_lab_down(prefix);
	xt_lab_down(jprefix);
	rmdir(pcap_dir);
	return xt_lab_exists(prefix) || xt_lab_exists(jprefix) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_veth_classes, test_teardown),
		cmocka_unit_test_teardown(test_jumbo_multi_buffer_slab, test_teardown),
		cmocka_unit_test_teardown(test_jumbo_multi_buffer_frags, test_teardown),
		cmocka_unit_test_teardown(test_jumbo_no_multi_buffer, test_teardown),
		cmocka_unit_test_teardown(test_rx_tool_pcap, test_teardown),
		cmocka_unit_test_teardown(test_replay_runts_and_sizes, test_teardown),
		cmocka_unit_test_teardown(test_nothing_left_behind, test_teardown),
	};

	if (getenv("XSKB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("XSKB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
