/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the header accessors (<xskb/ip.h>, <xskb/if_vlan.h>,
 * eth_hdr) and the receive-time header parse (stack/flow_dissector.h):
 * exact offsets for IPv4 with options, IPv6 with each extension header, one
 * and two VLAN tags, every head/frag split, every truncation, bad headers.
 * Frag data sits in buffers of exactly its size, so under ASan a read past
 * the packet is caught.
 */
#include <stdlib.h>
#include <arpa/inet.h>
#include <xskb/etherdevice.h>
#include <xskb/if_vlan.h>
#include <xskb/ip.h>
#include <xskb/skbuff.h>

#include "flow_dissector.h"
#include "test_helpers.h"

#define UNSET	(-1)

/* ---- frames ---------------------------------------------------------------- */

/* b + ETH_HLEN is 4-aligned: the tests read struct iphdr there. */
struct __attribute__((aligned(8))) frame {
	unsigned char pad[2];
	unsigned char b[1024];
	size_t len;
	int nh, th;		/* expected offsets from skb->data (after Ethernet) */
	bool ok;		/* expected parse result */
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put16(struct frame *f, __u16 host)
{
	__be16 v = htons(host);

	put(f, &v, 2);
}

static void eth(struct frame *f, __u16 type)
{
	static const unsigned char macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	memset(f, 0, sizeof(*f));
	put(f, macs, sizeof(macs));
	put16(f, type);
	f->nh = 0;
	f->th = UNSET;
	f->ok = true;
}

static void vlan(struct frame *f, __u16 tci, __u16 inner)
{
	put16(f, tci);
	put16(f, inner);
	f->nh += 4;
}

/* The bytes after the L3 header(s): a TCP header of @doff words, UDP, ICMP
 * echo, or @n bytes of anything. */
static void l4(struct frame *f, __u8 proto, unsigned int n)
{
	unsigned char h[64];

	memset(h, 0, sizeof(h));
	for (unsigned int i = 0; i < n && i < sizeof(h); i++)
		h[i] = (unsigned char)(0x40 + i);
	if (proto == IPPROTO_TCP)
		h[12] = (unsigned char)((n / 4) << 4);	/* doff */
	if (proto == IPPROTO_ICMP)
		h[0] = ICMP_ECHO;
	put(f, h, n);
}

static size_t ipv4(struct frame *f, unsigned int ihl, __u8 proto, __u16 frag_off)
{
	size_t at = f->len;
	unsigned char h[60];

	memset(h, 0, sizeof(h));
	h[0] = (unsigned char)(0x40 | ihl);
	h[8] = 64;
	h[9] = proto;
	for (unsigned int i = 20; i < ihl * 4; i++)
		h[i] = 1;	/* NOP options */
	frag_off = htons(frag_off);
	memcpy(h + 6, &frag_off, 2);
	put(f, h, ihl * 4);
	f->th = f->nh + (int)ihl * 4;
	return at;
}

/* Set the IPv4 total length (or IPv6 payload length) from the frame's end. */
static void ipv4_done(struct frame *f, size_t at)
{
	__be16 tot = htons((__u16)(f->len - at));

	memcpy(f->b + at + 2, &tot, 2);
	ip_send_check((struct iphdr *)(void *)(f->b + at));
}

static size_t ipv6(struct frame *f, __u8 next)
{
	size_t at = f->len;
	unsigned char h[40];

	memset(h, 0, sizeof(h));
	h[0] = 0x60;
	h[6] = next;
	h[7] = 64;
	h[8 + 15] = 1;
	h[24 + 15] = 2;
	put(f, h, sizeof(h));
	f->th = f->nh + 40;
	return at;
}

static void ipv6_done(struct frame *f, size_t at)
{
	__be16 plen = htons((__u16)(f->len - at - 40));

	memcpy(f->b + at + 4, &plen, 2);
}

/* An extension header of @len bytes (a multiple of 8, or of 4 for AH). */
static void ext(struct frame *f, __u8 type, __u8 next, unsigned int len, __u16 frag_off)
{
	unsigned char h[256];

	memset(h, 0, sizeof(h));
	h[0] = next;
	if (type == IPPROTO_FRAGMENT) {
		frag_off = htons(frag_off);
		memcpy(h + 2, &frag_off, 2);
		len = 8;
	} else if (type == IPPROTO_AH) {
		h[1] = (unsigned char)(len / 4 - 2);
	} else {
		h[1] = (unsigned char)(len / 8 - 1);
	}
	put(f, h, len);
	f->th += (int)len;
}

/* ---- skbs ------------------------------------------------------------------- */

/* A page over exactly @n malloc()ed bytes: ASan sees any read past them. */
static void exact_release(struct page *page)
{
	free(page->address);
	free(page);
}
static const struct xskb_page_ops exact_ops = { .release = exact_release };

static struct page *exact_page(const void *src, size_t n)
{
	struct page *page = calloc(1, sizeof(*page));

	assert_non_null(page);
	page->address = malloc(n);
	assert_non_null(page->address);
	memcpy(page->address, src, n);
	xskb_atomic_set(&page->_refcount, 1);
	page->ops = &exact_ops;
	return page;
}

/* The first @len bytes of @f: @head linear (at least ETH_HLEN), the rest in
 * up to two exact-size frags split at @split; through eth_type_trans(). */
static struct sk_buff *frame_skb(const struct frame *f, size_t len, size_t head, size_t split)
{
	struct sk_buff *skb = alloc_skb(1200, GFP_KERNEL);

	assert_non_null(skb);
	skb_reserve(skb, 64 + 2);	/* the IP header 4-aligned, for ip_hdr(skb)-> */
	skb_put_data(skb, f->b, (unsigned int)head);
	if (split < head || split > len)
		split = len;
	if (split > head)
		skb_add_rx_frag(skb, 0, exact_page(f->b + head, split - head), 0, (int)(split - head),
				(unsigned int)(split - head));
	if (len > split)
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, exact_page(f->b + split, len - split), 0,
				(int)(len - split), (unsigned int)(len - split));
	skb->protocol = eth_type_trans(skb, NULL);
	return skb;
}

/* Parse and check the result, and that nothing it must not touch moved. */
static void expect_parse(const struct frame *f, size_t len, size_t head, size_t split, bool ok,
			 int nh, int th)
{
	struct sk_buff *skb = frame_skb(f, len, head, split);
	unsigned char *data = skb->data;
	unsigned int slen = skb->len, data_len = skb->data_len;
	__be16 proto = skb->protocol;
	__u16 old_nh, old_th;
	unsigned char *copy = malloc(len);

	skb_reset_network_header(skb);
	old_nh = skb->network_header;
	old_th = skb->transport_header;
	if (xskb_rx_parse_headers(skb) != ok)
		fail_msg("parse of %zu/%zu bytes (head %zu, split %zu) returned %d", len, f->len, head,
			 split, !ok);
	assert_ptr_equal(skb->data, data);
	assert_int_equal(skb->len, slen);
	assert_int_equal(skb->data_len, data_len);
	assert_int_equal(skb->protocol, proto);
	assert_memory_equal(skb_mac_header(skb), f->b, ETH_HLEN);
	assert_int_equal(skb_copy_bits(skb, 0, copy, (int)(len - ETH_HLEN)), 0);
	assert_memory_equal(copy, f->b + ETH_HLEN, len - ETH_HLEN);
	if (ok) {
		assert_int_equal(skb_network_offset(skb), nh);
		if (th == UNSET)
			assert_false(skb_transport_header_was_set(skb));
		else
			assert_int_equal(skb_transport_offset(skb), th);
	} else {
		assert_int_equal(skb->network_header, old_nh);
		assert_int_equal(skb->transport_header, old_th);
	}
	free(copy);
	kfree_skb(skb);
}

/*
 * The whole check for a frame: parses as expected linear and at every
 * head/frag split (and two-frag splits); every truncation of an IP frame
 * fails (its length field then exceeds the frame), linear and in frags.
 */
static void check_frame(const struct frame *f)
{
	bool ip = f->th != UNSET;

	expect_parse(f, f->len, f->len, f->len, f->ok, f->nh, f->th);
	for (size_t head = ETH_HLEN; head < f->len; head++) {
		expect_parse(f, f->len, head, f->len, f->ok, f->nh, f->th);
		expect_parse(f, f->len, head, head + (f->len - head) / 2 + 1, f->ok, f->nh, f->th);
	}
	if (!f->ok)
		return;
	for (size_t len = ETH_HLEN; len < f->len; len++) {
		/* A non-IP frame parses once its tags are all there. */
		bool want = !ip && len >= ETH_HLEN + (size_t)f->nh;

		expect_parse(f, len, len, len, want, f->nh, UNSET);
		expect_parse(f, len, ETH_HLEN, len, want, f->nh, UNSET);
	}
}

static void check_bad(struct frame *f)
{
	f->ok = false;
	check_frame(f);
}

/* ---- IPv4 ---------------------------------------------------------------------- */

static void test_ipv4_udp(void **state)
{
	struct frame f;
	size_t at;
	struct sk_buff *skb;

	(void)state;
	eth(&f, ETH_P_IP);
	at = ipv4(&f, 5, IPPROTO_UDP, 0);
	l4(&f, IPPROTO_UDP, 8 + 11);
	ipv4_done(&f, at);
	assert_int_equal(f.th, 20);
	check_frame(&f);

	/* The accessors on the parsed skb. */
	skb = frame_skb(&f, f.len, f.len, f.len);
	assert_true(xskb_rx_parse_headers(skb));
	assert_ptr_equal(ip_hdr(skb), skb->data);
	assert_int_equal(ip_hdr(skb)->protocol, IPPROTO_UDP);
	assert_int_equal(ip_hdrlen(skb), 20);
	assert_int_equal(skb_network_header_len(skb), 20);
	assert_ptr_equal(udp_hdr(skb), skb->data + 20);
	assert_int_equal(ntohs(udp_hdr(skb)->source), 0x4041);
	assert_ptr_equal(eth_hdr(skb), skb->data - ETH_HLEN);
	assert_int_equal(eth_hdr(skb)->h_proto, htons(ETH_P_IP));
	assert_int_equal(ip_fast_csum(ip_hdr(skb), ip_hdr(skb)->ihl), 0);
	kfree_skb(skb);
}

static void test_ipv4_options_tcp(void **state)
{
	(void)state;
	for (unsigned int ihl = 5; ihl <= 15; ihl++) {
		for (unsigned int doff = 5; doff <= 15; doff += 5) {
			struct frame f;
			size_t at;
			struct sk_buff *skb;

			eth(&f, ETH_P_IP);
			at = ipv4(&f, ihl, IPPROTO_TCP, 0);
			l4(&f, IPPROTO_TCP, doff * 4);
			ipv4_done(&f, at);
			assert_int_equal(f.th, (int)ihl * 4);
			if (ihl == 5 || ihl == 15)
				check_frame(&f);
			else
				expect_parse(&f, f.len, 20, f.len, true, 0, f.th);
			skb = frame_skb(&f, f.len, f.len, f.len);
			assert_true(xskb_rx_parse_headers(skb));
			assert_int_equal(ip_hdrlen(skb), ihl * 4);
			assert_int_equal(skb_network_header_len(skb), ihl * 4);
			assert_ptr_equal(tcp_hdr(skb), skb->data + ihl * 4);
			assert_int_equal(tcp_hdrlen(skb), doff * 4);
			kfree_skb(skb);
		}
	}
}

static void test_ipv4_icmp_and_padding(void **state)
{
	struct frame f;
	size_t at;
	struct sk_buff *skb;

	(void)state;
	eth(&f, ETH_P_IP);
	at = ipv4(&f, 6, IPPROTO_ICMP, 0);
	l4(&f, IPPROTO_ICMP, 8);
	ipv4_done(&f, at);
	check_frame(&f);
	skb = frame_skb(&f, f.len, f.len, f.len);
	assert_true(xskb_rx_parse_headers(skb));
	assert_int_equal(icmp_hdr(skb)->type, ICMP_ECHO);
	assert_ptr_equal(icmp_hdr(skb), skb->data + 24);
	kfree_skb(skb);
	/* Ethernet padding after the IP packet is not part of it. */
	put(&f, "\0\0\0\0\0\0\0\0\0\0", 10);
	expect_parse(&f, f.len, f.len, f.len, true, 0, 24);
	expect_parse(&f, f.len, ETH_HLEN, f.len - 5, true, 0, 24);
}

/* A later fragment has no L4 header: the transport header is its data. */
static void test_ipv4_fragment(void **state)
{
	struct frame f;
	size_t at;

	(void)state;
	eth(&f, ETH_P_IP);
	at = ipv4(&f, 5, IPPROTO_UDP, 185);
	l4(&f, 0, 3);		/* shorter than a UDP header: fine here */
	ipv4_done(&f, at);
	check_frame(&f);
	/* A first fragment (MF set, offset 0) must hold its UDP header. */
	eth(&f, ETH_P_IP);
	at = ipv4(&f, 5, IPPROTO_UDP, 0x2000);
	l4(&f, 0, 3);
	ipv4_done(&f, at);
	check_bad(&f);
}

static void test_ipv4_bad(void **state)
{
	struct frame f;
	size_t at;

	(void)state;
	/* version 5 */
	eth(&f, ETH_P_IP);
	at = ipv4(&f, 5, IPPROTO_UDP, 0);
	l4(&f, IPPROTO_UDP, 8);
	ipv4_done(&f, at);
	f.b[at] = 0x55;
	check_bad(&f);
	/* ihl 4 */
	f.b[at] = 0x44;
	check_bad(&f);
	/* total length below the header's */
	f.b[at] = 0x46;
	f.b[at + 2] = 0;
	f.b[at + 3] = 20;
	check_bad(&f);
	/* total length past the frame */
	f.b[at] = 0x45;
	f.b[at + 3] = (unsigned char)(f.len - at + 1);
	check_bad(&f);
	/* TCP data offset below 5, or past the packet */
	for (int doff = 0; doff < 2; doff++) {
		eth(&f, ETH_P_IP);
		at = ipv4(&f, 5, IPPROTO_TCP, 0);
		l4(&f, IPPROTO_TCP, 20);
		f.b[f.len - 20 + 12] = doff ? 0x60 : 0x40;
		ipv4_done(&f, at);
		check_bad(&f);
	}
}

/* ---- IPv6 ----------------------------------------------------------------------- */

static void test_ipv6_udp(void **state)
{
	struct frame f;
	size_t at;
	struct sk_buff *skb;

	(void)state;
	eth(&f, ETH_P_IPV6);
	at = ipv6(&f, IPPROTO_UDP);
	l4(&f, IPPROTO_UDP, 8 + 5);
	ipv6_done(&f, at);
	check_frame(&f);
	skb = frame_skb(&f, f.len, f.len, f.len);
	assert_true(xskb_rx_parse_headers(skb));
	assert_ptr_equal(ipv6_hdr(skb), skb->data);
	assert_int_equal(ipv6_hdr(skb)->nexthdr, IPPROTO_UDP);
	assert_int_equal(skb_network_header_len(skb), 40);
	assert_ptr_equal(udp_hdr(skb), skb->data + 40);
	kfree_skb(skb);
}

static const struct {
	__u8 type;
	unsigned int len;
} exts[] = {
	{ IPPROTO_HOPOPTS, 8 }, { IPPROTO_HOPOPTS, 24 }, { IPPROTO_ROUTING, 24 },
	{ IPPROTO_DSTOPTS, 16 }, { IPPROTO_FRAGMENT, 8 }, { IPPROTO_AH, 12 }, { IPPROTO_AH, 24 },
};

static void test_ipv6_each_extension_header(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		struct frame f;
		size_t at;

		eth(&f, ETH_P_IPV6);
		at = ipv6(&f, exts[i].type);
		ext(&f, exts[i].type, IPPROTO_TCP, exts[i].len, 0);
		l4(&f, IPPROTO_TCP, 20);
		ipv6_done(&f, at);
		assert_int_equal(f.th, 40 + (int)exts[i].len);
		check_frame(&f);
	}
}

static void test_ipv6_chain(void **state)
{
	struct frame f;
	size_t at;
	struct sk_buff *skb;

	(void)state;
	eth(&f, ETH_P_IPV6);
	at = ipv6(&f, IPPROTO_HOPOPTS);
	ext(&f, IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, 8, 0);
	ext(&f, IPPROTO_DSTOPTS, IPPROTO_ROUTING, 16, 0);
	ext(&f, IPPROTO_ROUTING, IPPROTO_FRAGMENT, 24, 0);
	ext(&f, IPPROTO_FRAGMENT, IPPROTO_AH, 8, 0x0001);	/* first fragment, M set */
	ext(&f, IPPROTO_AH, IPPROTO_ICMPV6, 16, 0);
	l4(&f, IPPROTO_ICMPV6, 8);
	ipv6_done(&f, at);
	assert_int_equal(f.th, 40 + 8 + 16 + 24 + 8 + 16);
	check_frame(&f);
	skb = frame_skb(&f, f.len, 60, 100);
	assert_true(xskb_rx_parse_headers(skb));
	assert_int_equal(skb_network_header_len(skb), 112);
	kfree_skb(skb);
}

static void test_ipv6_fragment_and_none(void **state)
{
	struct frame f;
	size_t at;

	(void)state;
	/* A later fragment stops the walk: its data follows the fragment header. */
	eth(&f, ETH_P_IPV6);
	at = ipv6(&f, IPPROTO_DSTOPTS);
	ext(&f, IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, 8, 0);
	ext(&f, IPPROTO_FRAGMENT, IPPROTO_TCP, 8, 0x05a8);
	l4(&f, 0, 5);
	ipv6_done(&f, at);
	assert_int_equal(f.th, 56);
	check_frame(&f);
	/* No next header: the transport header at the end of the headers. */
	eth(&f, ETH_P_IPV6);
	at = ipv6(&f, IPPROTO_HOPOPTS);
	ext(&f, IPPROTO_HOPOPTS, IPPROTO_NONE, 8, 0);
	ipv6_done(&f, at);
	assert_int_equal(f.th, 48);
	check_frame(&f);
}

static void test_ipv6_bad(void **state)
{
	struct frame f;
	size_t at;

	(void)state;
	eth(&f, ETH_P_IPV6);
	at = ipv6(&f, IPPROTO_UDP);
	l4(&f, IPPROTO_UDP, 8);
	ipv6_done(&f, at);
	f.b[at] = 0x40;			/* version 4 under ETH_P_IPV6 */
	check_bad(&f);
	f.b[at] = 0x60;
	f.b[at + 5] = 9;		/* payload length past the frame */
	check_bad(&f);
	/* an extension header longer than the payload */
	eth(&f, ETH_P_IPV6);
	at = ipv6(&f, IPPROTO_DSTOPTS);
	ext(&f, IPPROTO_DSTOPTS, IPPROTO_UDP, 8, 0);
	l4(&f, IPPROTO_UDP, 8);
	ipv6_done(&f, at);
	f.b[at + 41] = 2;		/* claims 24 bytes, 16 are there */
	check_bad(&f);
	/* 17 extension headers */
	eth(&f, ETH_P_IPV6);
	at = ipv6(&f, IPPROTO_DSTOPTS);
	for (int i = 0; i < 17; i++)
		ext(&f, IPPROTO_DSTOPTS, i == 16 ? IPPROTO_UDP : IPPROTO_DSTOPTS, 8, 0);
	l4(&f, IPPROTO_UDP, 8);
	ipv6_done(&f, at);
	expect_parse(&f, f.len, f.len, f.len, false, 0, 0);
	/* 16 are fine */
	eth(&f, ETH_P_IPV6);
	at = ipv6(&f, IPPROTO_DSTOPTS);
	for (int i = 0; i < 16; i++)
		ext(&f, IPPROTO_DSTOPTS, i == 15 ? IPPROTO_UDP : IPPROTO_DSTOPTS, 8, 0);
	l4(&f, IPPROTO_UDP, 8);
	ipv6_done(&f, at);
	expect_parse(&f, f.len, f.len, f.len, true, 0, 40 + 16 * 8);
}

/* ---- VLAN and other ethertypes ------------------------------------------------------- */

static void test_vlan_one_tag(void **state)
{
	struct frame f;
	size_t at;
	struct sk_buff *skb;

	(void)state;
	eth(&f, ETH_P_8021Q);
	vlan(&f, 100, ETH_P_IP);
	at = ipv4(&f, 5, IPPROTO_UDP, 0);
	l4(&f, IPPROTO_UDP, 8);
	ipv4_done(&f, at);
	assert_int_equal(f.nh, 4);
	assert_int_equal(f.th, 24);
	check_frame(&f);
	skb = frame_skb(&f, f.len, f.len, f.len);
	assert_true(xskb_rx_parse_headers(skb));
	assert_int_equal(skb->protocol, htons(ETH_P_8021Q));
	assert_ptr_equal(vlan_eth_hdr(skb), skb->data - ETH_HLEN);
	assert_int_equal(vlan_eth_hdr(skb)->h_vlan_proto, htons(ETH_P_8021Q));
	assert_int_equal(ntohs(vlan_eth_hdr(skb)->h_vlan_TCI) & VLAN_VID_MASK, 100);
	assert_int_equal(vlan_eth_hdr(skb)->h_vlan_encapsulated_proto, htons(ETH_P_IP));
	assert_ptr_equal(ip_hdr(skb), skb->data + VLAN_HLEN);
	assert_ptr_equal(udp_hdr(skb), skb->data + VLAN_HLEN + 20);
	kfree_skb(skb);
}

static void test_vlan_two_tags(void **state)
{
	struct frame f;
	size_t at;

	(void)state;
	eth(&f, ETH_P_8021AD);
	vlan(&f, 7, ETH_P_8021Q);
	vlan(&f, 100, ETH_P_IPV6);
	at = ipv6(&f, IPPROTO_TCP);
	l4(&f, IPPROTO_TCP, 32);
	ipv6_done(&f, at);
	assert_int_equal(f.nh, 8);
	assert_int_equal(f.th, 48);
	check_frame(&f);
	/* A third tag is more than we parse. */
	eth(&f, ETH_P_8021AD);
	vlan(&f, 7, ETH_P_8021Q);
	vlan(&f, 8, ETH_P_8021Q);
	vlan(&f, 100, ETH_P_IP);
	at = ipv4(&f, 5, IPPROTO_UDP, 0);
	l4(&f, IPPROTO_UDP, 8);
	ipv4_done(&f, at);
	check_bad(&f);
}

/* Not IP: true, network header after the tags, no transport header. */
static void test_unknown_ethertype(void **state)
{
	struct frame f;

	(void)state;
	eth(&f, 0x88b5);
	l4(&f, 0, 46);
	check_frame(&f);
	eth(&f, ETH_P_ARP);
	l4(&f, 0, 28);
	check_frame(&f);
	eth(&f, ETH_P_8021Q);
	vlan(&f, 5, ETH_P_ARP);
	l4(&f, 0, 28);
	assert_int_equal(f.nh, 4);
	check_frame(&f);
	/* Truncated inside the tag: that is a failure. */
	expect_parse(&f, ETH_HLEN + 3, ETH_HLEN + 3, ETH_HLEN + 3, false, 0, 0);
	expect_parse(&f, ETH_HLEN + 4, ETH_HLEN, ETH_HLEN + 4, true, 4, UNSET);
	/* An 802.3 length-field frame. */
	eth(&f, 60);
	l4(&f, 0, 60);
	check_frame(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_udp),
		cmocka_unit_test(test_ipv4_options_tcp),
		cmocka_unit_test(test_ipv4_icmp_and_padding),
		cmocka_unit_test(test_ipv4_fragment),
		cmocka_unit_test(test_ipv4_bad),
		cmocka_unit_test(test_ipv6_udp),
		cmocka_unit_test(test_ipv6_each_extension_header),
		cmocka_unit_test(test_ipv6_chain),
		cmocka_unit_test(test_ipv6_fragment_and_none),
		cmocka_unit_test(test_ipv6_bad),
		cmocka_unit_test(test_vlan_one_tag),
		cmocka_unit_test(test_vlan_two_tags),
		cmocka_unit_test(test_unknown_ethertype),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
