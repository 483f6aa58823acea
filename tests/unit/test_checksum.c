/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for <xskb/checksum.h>: every helper against a plain 16-bit
 * one's complement reference over random lengths 0-9000, alignments 0-7 and
 * skbs split across page frags and frag_lists at random points. Seeded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <xskb/checksum.h>
#include <xskb/ip.h>
#include <xskb/skbuff.h>

#include "checksum_internal.h"
#include "test_helpers.h"

#define MAXLEN	9000

/* ---- references -------------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

static void fill_random(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rnd();
}

/* End-around 16-bit sum of @len bytes read as host-order 16-bit words from
 * the first byte, the last odd byte padded with zero; plus @start. 0 only when
 * everything summed is 0. */
static uint16_t ref_sum16(const void *buf, size_t len, uint32_t start)
{
	const unsigned char *p = buf;
	uint64_t s = (start & 0xffff) + (start >> 16);
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		uint16_t w;

		memcpy(&w, p + i, 2);
		s += w;
	}
	if (len & 1) {
		unsigned char last[2] = { p[len - 1], 0 };
		uint16_t w;

		memcpy(&w, last, 2);
		s += w;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The checksum a header stores for these bytes: ~sum, as csum_fold() gives. */
static uint16_t ref_check(const void *buf, size_t len, uint32_t start)
{
	return (uint16_t)~ref_sum16(buf, len, start);
}

/* The x86-64 kernel's exact __wsum: 32-bit words, end-around to 32 bits. */
static uint32_t ref_wsum(const void *buf, size_t len, uint32_t start)
{
	const unsigned char *p = buf;
	uint64_t s = start;

	for (size_t i = 0; i < len; i += 4) {
		unsigned char w[4] = { 0 };
		uint32_t v;

		memcpy(w, p + i, len - i < 4 ? len - i : 4);
		memcpy(&v, w, 4);
		s += v;
		s = (s & 0xffffffffu) + (s >> 32);
	}
	return (uint32_t)s;
}

typedef __wsum (*csum_fn)(const void *, int, __wsum);

static const struct {
	const char *name;
	csum_fn fn;
} impls[] = {
	{ "csum_partial", xskb_csum_partial },
	{ "generic", xskb_csum_partial_generic },
	{ "adc", xskb_csum_partial_adc },
	{ "avx2", xskb_csum_partial_avx2 },
};
#define NIMPLS (sizeof(impls) / sizeof(impls[0]))

static unsigned char *buf_a, *buf_b;

static int setup(void **state)
{
	(void)state;
	rng_state = 0x5eed10;
	buf_a = malloc(MAXLEN + 64);
	buf_b = malloc(MAXLEN + 64);
	assert_non_null(buf_a);
	assert_non_null(buf_b);
	fill_random(buf_a, MAXLEN + 64);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(buf_a);
	free(buf_b);
	return 0;
}

static void check_one(size_t len, size_t align, uint32_t start)
{
	const unsigned char *p = buf_a + align;
	uint32_t want = ref_wsum(p, len, start);

	for (size_t i = 0; i < NIMPLS; i++) {
		__wsum got = impls[i].fn(p, (int)len, start);

		if ((uint32_t)got != want || csum_fold(got) != ref_check(p, len, start))
			fail_msg("%s(len %zu, align %zu, sum %#x) = %#x, want %#x (fold %#x, want %#x)",
				 impls[i].name, len, align, start, (uint32_t)got, want,
				 csum_fold(got), ref_check(p, len, start));
	}
}

/* ---- csum_partial and the scalar helpers ------------------------------------------ */

static void test_csum_partial_every_short_length(void **state)
{
	(void)state;
	for (size_t len = 0; len <= 600; len++)
		for (size_t align = 0; align < 8; align++)
			check_one(len, align, align * 0x1234567u);
}

static void test_csum_partial_random(void **state)
{
	(void)state;
	for (int i = 0; i < 400; i++)
		check_one(rnd() % (MAXLEN + 1), rnd() % 8, i % 3 ? rnd() : 0);
	check_one(64, 0, 0);
	check_one(1500, 1, 0);
	check_one(9000, 7, 0xffffffffu);
}

/* The representation edges: all-zero bytes sum to 0, all-ones to 0xffffffff
 * (never 0), and the AVX2 lanes at their widest. */
static void test_csum_partial_extremes(void **state)
{
	unsigned char *big;
	size_t n = (5u << 20) | 5;	/* past the AVX2 lanes' 4 MiB flush */

	(void)state;
	memset(buf_a, 0, MAXLEN);
	for (size_t i = 0; i < NIMPLS; i++) {
		assert_int_equal((uint32_t)impls[i].fn(buf_a + 3, 1777, 0), 0);
		assert_int_equal(csum_fold(impls[i].fn(buf_a, 1500, 0)), 0xffff);
	}
	memset(buf_a, 0xff, MAXLEN);
	for (size_t len = 0; len < 700; len += 37)
		check_one(len, len % 8, 0xffffffffu);
	check_one(MAXLEN, 0, 0xffffffffu);
	big = malloc(n);
	assert_non_null(big);
	memset(big, 0xff, n);
	for (size_t i = 0; i < NIMPLS; i++)
		assert_int_equal((uint32_t)impls[i].fn(big, (int)n, 1), ref_wsum(big, n, 1));
	free(big);
	fill_random(buf_a, MAXLEN + 64);
}

static void test_csum_partial_copy(void **state)
{
	(void)state;
	for (int i = 0; i < 50; i++) {
		size_t len = rnd() % MAXLEN, sa = rnd() % 8, da = rnd() % 8;
		__wsum s = csum_partial_copy_nocheck(buf_a + sa, buf_b + da, (int)len);

		assert_memory_equal(buf_b + da, buf_a + sa, len);
		assert_int_equal((uint32_t)s, ref_wsum(buf_a + sa, len, 0));
	}
}

static void test_fold_add_sub(void **state)
{
	(void)state;
	assert_int_equal(csum_fold(0), 0xffff);
	assert_int_equal(csum_fold(0xffffffffu), 0);
	assert_int_equal(csum_fold(0x0001ffffu), (uint16_t)~0x0001);
	assert_int_equal(csum_unfold(0xabcd), 0xabcd);
	assert_int_equal(csum_add(0xffffffffu, 1), 1);
	assert_int_equal(csum_add(0x80000000u, 0x80000000u), 1);
	assert_int_equal(csum_sub(5, 3), 2);
	for (int i = 0; i < 200; i++) {
		size_t l1 = rnd() % 3000, l2 = rnd() % 3000;
		__wsum a = csum_partial(buf_a, (int)l1, 0);
		__wsum b = csum_partial(buf_a + l1, (int)l2, 0);
		__wsum all = csum_partial(buf_a, (int)(l1 + l2), 0);

		/* block_add: the second block starts at l1, odd or even. */
		assert_int_equal(csum_fold(csum_block_add(a, b, (int)l1)), csum_fold(all));
		assert_int_equal(csum_fold(csum_block_sub(all, b, (int)l1)), csum_fold(a));
		assert_int_equal(csum_fold(csum_sub(csum_add(a, b), b)), csum_fold(a));
		if (!(l1 & 1))
			assert_int_equal(csum_fold(csum_add(a, b)), csum_fold(all));
	}
}

/* The check field (bytes 10-11) a full computation gives. */
static __sum16 fresh_check_ip(const unsigned char *h, size_t len)
{
	unsigned char c[60];

	memcpy(c, h, len);
	memset(c + 10, 0, 2);
	return ref_check(c, len, 0);
}

static void test_ip_fast_csum(void **state)
{
	unsigned char h[68] __attribute__((aligned(4)));
	struct iphdr *iph = (struct iphdr *)(void *)h;

	(void)state;
	for (int i = 0; i < 500; i++) {
		unsigned int ihl = 5 + rnd() % 11, a = rnd() % 4;

		/* Any alignment for the raw sums; ip_send_check() takes a struct. */
		fill_random(h, sizeof(h));
		assert_int_equal(ip_fast_csum(h + a, ihl), ref_check(h + a, ihl * 4, 0));
		assert_int_equal(ip_compute_csum(h + a, (int)ihl * 4), ref_check(h + a, ihl * 4, 0));
		iph->ihl = ihl & 0xf;
		ip_send_check(iph);
		assert_int_equal(ip_fast_csum(iph, ihl), 0);
		assert_int_equal(iph->check, fresh_check_ip(h, ihl * 4));
	}
}

/* ---- pseudo-headers ----------------------------------------------------------------- */

static void test_csum_tcpudp_magic(void **state)
{
	unsigned char ph[12 + MAXLEN];

	(void)state;
	for (int i = 0; i < 300; i++) {
		__be32 s = rnd(), d = rnd();
		__u32 len = rnd() % 2000;
		__u8 proto = i % 2 ? IPPROTO_UDP : (__u8)rnd();
		__u16 blen = htons((__u16)len);
		__wsum data = csum_partial(buf_a, (int)len, 0);

		memcpy(ph, &s, 4);
		memcpy(ph + 4, &d, 4);
		ph[8] = 0;
		ph[9] = proto;
		memcpy(ph + 10, &blen, 2);
		memcpy(ph + 12, buf_a, len);
		assert_int_equal(csum_tcpudp_magic(s, d, len, proto, data), ref_check(ph, 12 + len, 0));
		assert_int_equal(csum_fold(csum_tcpudp_nofold(s, d, len, proto, data)),
				 ref_check(ph, 12 + len, 0));
	}
}

static void test_csum_ipv6_magic(void **state)
{
	unsigned char ph[40 + MAXLEN];

	(void)state;
	for (int i = 0; i < 300; i++) {
		struct in6_addr s, d;
		__u32 len = rnd() % 9000, blen = htonl(len);
		__u8 proto = i % 2 ? IPPROTO_TCP : (__u8)rnd();
		__wsum data = csum_partial(buf_a + 1, (int)len, 0);

		fill_random(s.s6_addr, 16);
		fill_random(d.s6_addr, 16);
		memcpy(ph, s.s6_addr, 16);
		memcpy(ph + 16, d.s6_addr, 16);
		memcpy(ph + 32, &blen, 4);
		memset(ph + 36, 0, 3);
		ph[39] = proto;
		memcpy(ph + 40, buf_a + 1, len);
		assert_int_equal(csum_ipv6_magic(&s, &d, len, proto, data), ref_check(ph, 40 + len, 0));
	}
}

/* ---- incremental updates -------------------------------------------------------------- */

/* A packet with a checksum field at @coff that makes it verify. */
static void make_packet(unsigned char *p, size_t len, size_t coff)
{
	__sum16 c;

	fill_random(p, len);
	memset(p + coff, 0, 2);
	c = ref_check(p, len, 0);
	memcpy(p + coff, &c, 2);
}

static __sum16 get_check(const unsigned char *p, size_t coff)
{
	__sum16 c;

	memcpy(&c, p + coff, 2);
	return c;
}

/* The field as a full recomputation gives it. */
static __sum16 fresh_check(unsigned char *p, size_t len, size_t coff)
{
	unsigned char save[2];
	__sum16 c;

	memcpy(save, p + coff, 2);
	memset(p + coff, 0, 2);
	c = ref_check(p, len, 0);
	memcpy(p + coff, save, 2);
	return c;
}

static void test_csum_replace(void **state)
{
	unsigned char p[256];

	(void)state;
	for (int i = 0; i < 2000; i++) {
		size_t len = 16 + rnd() % 200, coff = 2 * (rnd() % (len / 2)), foff;
		__sum16 c;

		make_packet(p, len, coff);
		do
			foff = 2 * (rnd() % ((len - 4) / 2));
		while (foff + 4 > coff && foff < coff + 2);
		c = get_check(p, coff);
		if (i % 2) {
			__be32 from, to = rnd();

			memcpy(&from, p + foff, 4);
			memcpy(p + foff, &to, 4);
			csum_replace4(&c, from, to);
		} else {
			__be16 from, to = (__be16)rnd();

			memcpy(&from, p + foff, 2);
			memcpy(p + foff, &to, 2);
			csum_replace2(&c, from, to);
		}
		memcpy(p + coff, &c, 2);
		assert_int_equal(c, fresh_check(p, len, coff));
		assert_int_equal(ref_sum16(p, len, 0), 0xffff);	/* it verifies */
	}
}

static void test_csum_replace_by_diff(void **state)
{
	unsigned char p[128];

	(void)state;
	for (int i = 0; i < 1000; i++) {
		size_t len = 64, coff = 6;
		__be32 from[4], to[4], diff[8];
		__sum16 c;

		make_packet(p, len, coff);
		memcpy(from, p + 16, 16);
		fill_random((unsigned char *)to, 16);
		for (int k = 0; k < 4; k++) {
			diff[k] = ~from[k];
			diff[4 + k] = to[k];
		}
		memcpy(p + 16, to, 16);
		c = get_check(p, coff);
		csum_replace_by_diff(&c, csum_partial(diff, sizeof(diff), 0));
		assert_int_equal(c, fresh_check(p, len, coff));
	}
}

/*
 * inet_proto_csum_replace*: a UDP datagram over IPv4/IPv6 whose addresses
 * (pseudo-header) or port (in the datagram) change, the skb in each
 * ip_summed state.
 */
struct udp_pkt {
	__be32 saddr[4], daddr[4];	/* IPv4 uses [0] */
	unsigned char l4[512];
	size_t len;
	bool v6;
};

static __sum16 l4_check(struct udp_pkt *u)
{
	struct in6_addr s, d;
	unsigned char save[2];
	__wsum sum;
	__sum16 c;

	memcpy(save, u->l4 + 6, 2);
	memset(u->l4 + 6, 0, 2);
	sum = csum_partial(u->l4, (int)u->len, 0);
	memcpy(u->l4 + 6, save, 2);
	if (!u->v6)
		return csum_tcpudp_magic(u->saddr[0], u->daddr[0], (__u32)u->len, IPPROTO_UDP, sum);
	memcpy(s.s6_addr, u->saddr, 16);
	memcpy(d.s6_addr, u->daddr, 16);
	c = csum_ipv6_magic(&s, &d, (__u32)u->len, IPPROTO_UDP, sum);
	return c;
}

/* The uncomplemented pseudo-header sum a CHECKSUM_PARTIAL field holds. */
static __sum16 l4_pseudo(const struct udp_pkt *u)
{
	struct in6_addr s, d;

	if (!u->v6)
		return (__sum16)~csum_tcpudp_magic(u->saddr[0], u->daddr[0], (__u32)u->len,
						   IPPROTO_UDP, 0);
	memcpy(s.s6_addr, u->saddr, 16);
	memcpy(d.s6_addr, u->daddr, 16);
	return (__sum16)~csum_ipv6_magic(&s, &d, (__u32)u->len, IPPROTO_UDP, 0);
}

static void test_inet_proto_csum_replace(void **state)
{
	struct sk_buff skb;
	struct udp_pkt u;

	(void)state;
	memset(&skb, 0, sizeof(skb));
	for (int i = 0; i < 1200; i++) {
		int summed = i % 3 == 0 ? CHECKSUM_NONE : i % 3 == 1 ? CHECKSUM_COMPLETE : CHECKSUM_PARTIAL;
		int what = (i / 3) % 4;	/* 0 addr4, 1 addr16, 2 port (replace2), 3 addr by diff */
		bool pseudo = what != 2;
		__sum16 c, before;

		u.v6 = what == 1;
		u.len = 8 + rnd() % 400;
		fill_random((unsigned char *)u.saddr, sizeof(u.saddr));
		fill_random((unsigned char *)u.daddr, sizeof(u.daddr));
		fill_random(u.l4, u.len);
		c = summed == CHECKSUM_PARTIAL ? l4_pseudo(&u) : l4_check(&u);
		memcpy(u.l4 + 6, &c, 2);
		skb.ip_summed = summed & 3;
		if (summed == CHECKSUM_COMPLETE)
			skb.csum = csum_partial(u.l4, (int)u.len, 0);
		before = c;

		if (what == 0) {
			__be32 to = rnd();

			inet_proto_csum_replace4(&c, &skb, u.saddr[0], to, true);
			u.saddr[0] = to;
		} else if (what == 1) {
			__be32 to[4];

			fill_random((unsigned char *)to, sizeof(to));
			inet_proto_csum_replace16(&c, &skb, u.daddr, to, true);
			memcpy(u.daddr, to, sizeof(to));
		} else if (what == 2) {
			__be16 from, to = (__be16)rnd();

			memcpy(&from, u.l4, 2);	/* source port */
			memcpy(u.l4, &to, 2);
			inet_proto_csum_replace2(&c, &skb, from, to, false);
		} else {
			__be32 to = rnd(), diff[2] = { ~u.daddr[0], to };

			inet_proto_csum_replace_by_diff(&c, &skb, csum_partial(diff, sizeof(diff), 0),
							true);
			u.daddr[0] = to;
		}
		memcpy(u.l4 + 6, &c, 2);
		if (summed == CHECKSUM_PARTIAL) {
			/* Only the pseudo-header is in the field. */
			assert_int_equal(c, pseudo ? l4_pseudo(&u) : before);
		} else {
			assert_int_equal(c, l4_check(&u));
		}
		if (summed == CHECKSUM_COMPLETE)
			assert_int_equal(csum_fold(skb.csum), csum_fold(csum_partial(u.l4, (int)u.len, 0)));
	}
}

/* ---- skbs --------------------------------------------------------------------------------- */

/*
 * An skb holding @len bytes of @src: @head of them linear, the rest in page
 * frags cut at random points at random (odd) page offsets, and when
 * @fraglist the last part in a frag_list skb with frags of its own.
 */
static struct sk_buff *build_skb_split(const unsigned char *src, unsigned int len,
				       unsigned int head, bool fraglist)
{
	struct sk_buff *skb = alloc_skb(head + 64, GFP_KERNEL);
	unsigned int done, tail_start = len;

	assert_non_null(skb);
	skb_reserve(skb, 32 + (int)(rnd() % 8));	/* odd data addresses too */
	skb_put_data(skb, src, head);
	done = head;
	if (fraglist && len - head > 2)
		tail_start = head + (len - head) / 2 + rnd() % ((len - head) / 2);
	for (int i = 0; done < tail_start && i < MAX_SKB_FRAGS; i++) {
		struct page *page = alloc_page(GFP_KERNEL);
		unsigned int off = rnd() % 64, n = 1 + rnd() % 3000;
		unsigned int later = (unsigned int)(MAX_SKB_FRAGS - 1 - i) * 4000u;

		assert_non_null(page);
		/* Leave no more than the later frags can take. */
		if (tail_start - done > later && n < tail_start - done - later)
			n = tail_start - done - later;
		if (i == MAX_SKB_FRAGS - 1 || n > tail_start - done)
			n = tail_start - done;
		if (n > PAGE_SIZE - off)
			n = PAGE_SIZE - off;
		memcpy((char *)page_address(page) + off, src + done, n);
		skb_add_rx_frag(skb, i, page, (int)off, (int)n, PAGE_SIZE);
		done += n;
	}
	assert_int_equal(done, tail_start);	/* MAX_SKB_FRAGS pages of at least 4032 */
	if (tail_start < len) {
		unsigned int rest = len - tail_start, h = rest / 3;
		struct sk_buff *child = build_skb_split(src + tail_start, rest, h, false);

		skb_shinfo(skb)->frag_list = child;
		skb->len += child->len;
		skb->data_len += child->len;
		skb->truesize += child->truesize;
	}
	assert_int_equal(skb->len, len);
	return skb;
}

static void test_skb_checksum(void **state)
{
	(void)state;
	for (int i = 0; i < 300; i++) {
		unsigned int len = 1 + rnd() % MAXLEN, head = rnd() % (len < 200 ? len + 1 : 200);
		struct sk_buff *skb = build_skb_split(buf_a, len, head, i % 3 == 2);
		unsigned char *flat = malloc(len);

		assert_int_equal(skb_copy_bits(skb, 0, flat, (int)len), 0);
		assert_memory_equal(flat, buf_a, len);
		for (int k = 0; k < 8; k++) {
			unsigned int off = rnd() % (len + 1), n = rnd() % (len - off + 1);
			__wsum start = k % 2 ? rnd() : 0;

			assert_int_equal(csum_fold(skb_checksum(skb, (int)off, (int)n, start)),
					 ref_check(buf_a + off, n, start));
		}
		assert_int_equal(csum_fold(skb_checksum(skb, 0, (int)len, 0)), ref_check(buf_a, len, 0));
		free(flat);
		kfree_skb(skb);
	}
}

static void skb_checksum_past_end(void *arg)
{
	struct sk_buff *skb = arg;

	skb_checksum(skb, 10, (int)skb->len - 9, 0);
}

static void test_skb_checksum_past_end_bugs(void **state)
{
	struct sk_buff *skb = build_skb_split(buf_a, 3000, 100, true);

	(void)state;
	expect_abort(skb_checksum_past_end, skb, "skb_checksum");
	kfree_skb(skb);
}

/* A UDP/IPv4 datagram in an skb: 20 bytes of IPv4 header, then UDP. */
struct dgram {
	__be32 s, d;
	unsigned int ulen;
};

static struct sk_buff *udp_skb(struct dgram *g, unsigned int ulen, unsigned int head, bool frags)
{
	unsigned char *pkt = malloc(20 + ulen);
	struct sk_buff *skb;
	__be16 blen = htons((__u16)ulen);

	if (head > 20 + ulen)
		head = 20 + ulen;

	fill_random(pkt, 20 + ulen);
	g->s = rnd();
	g->d = rnd();
	g->ulen = ulen;
	memcpy(pkt + 20 + 4, &blen, 2);
	memset(pkt + 20 + 6, 0, 2);
	skb = frags ? build_skb_split(pkt, 20 + ulen, head, false) : build_skb_split(pkt, 20 + ulen,
										      20 + ulen, false);
	free(pkt);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, 20);
	return skb;
}

static bool udp_verifies(struct sk_buff *skb, const struct dgram *g)
{
	return csum_tcpudp_magic(g->s, g->d, g->ulen, IPPROTO_UDP,
				 skb_checksum(skb, 20, (int)g->ulen, 0)) == 0;
}

static void set_partial(struct sk_buff *skb, const struct dgram *g)
{
	__sum16 ph = (__sum16)~csum_tcpudp_magic(g->s, g->d, g->ulen, IPPROTO_UDP, 0);

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = (__u16)(skb_headroom(skb) + 20);
	skb->csum_offset = 6;
	memcpy(skb->data + 20 + 6, &ph, 2);
}

static void test_skb_checksum_help(void **state)
{
	(void)state;
	for (int i = 0; i < 200; i++) {
		unsigned int ulen = 8 + rnd() % 8000;
		bool frags = i % 2;
		struct dgram g;
		struct sk_buff *skb = udp_skb(&g, ulen, 28 + rnd() % 64, frags);

		set_partial(skb, &g);
		assert_false(udp_verifies(skb, &g));
		assert_int_equal(skb_checksum_help(skb), 0);
		assert_int_equal(skb->ip_summed, CHECKSUM_NONE);
		assert_true(udp_verifies(skb, &g));
		assert_int_equal(skb_checksum_help(skb), 0);	/* NONE: nothing to do */
		assert_true(udp_verifies(skb, &g));
		kfree_skb(skb);
	}
}

/* A sum that folds to 0 goes out as 0xffff. */
static void test_skb_checksum_help_mangled_zero(void **state)
{
	struct dgram g;
	struct sk_buff *skb = udp_skb(&g, 100, 0, false);
	__sum16 c;
	__u16 fix;

	(void)state;
	set_partial(skb, &g);
	memset(skb->data + 20 + 98, 0, 2);
	/* Make the whole sum 0xffff: the last word completes it. */
	fix = (__u16)~ref_sum16(skb->data + 20, 100, 0);
	memcpy(skb->data + 20 + 98, &fix, 2);
	assert_int_equal(skb_checksum_help(skb), 0);
	memcpy(&c, skb->data + 26, 2);
	assert_int_equal(c, CSUM_MANGLED_0);
	assert_true(udp_verifies(skb, &g));
	kfree_skb(skb);
}

/* A clone's head is shared: the write goes to a private copy. */
static void test_skb_checksum_help_clone(void **state)
{
	for (int frags = 0; frags < 2; frags++) {
		struct dgram g;
		struct sk_buff *skb = udp_skb(&g, 3000, 60, frags), *clone;
		unsigned char before[64];

		(void)state;
		set_partial(skb, &g);
		memcpy(before, skb->data, sizeof(before));
		clone = skb_clone(skb, GFP_ATOMIC);
		assert_non_null(clone);
		assert_int_equal(skb_checksum_help(clone), 0);
		assert_ptr_not_equal(clone->head, skb->head);
		assert_memory_equal(skb->data, before, sizeof(before));
		assert_true(udp_verifies(clone, &g));
		assert_false(udp_verifies(skb, &g));
		assert_int_equal(skb->ip_summed, CHECKSUM_PARTIAL);
		/* The original, no longer cloned, is written in place. */
		kfree_skb(clone);
		{
			unsigned char *head = skb->head;

			assert_int_equal(skb_checksum_help(skb), 0);
			assert_ptr_equal(skb->head, head);
			assert_true(udp_verifies(skb, &g));
		}
		kfree_skb(skb);
	}
}

static void test_skb_checksum_help_errors(void **state)
{
	struct dgram g;
	struct sk_buff *skb = udp_skb(&g, 2000, 28, true);
	__u16 start;

	(void)state;
	set_partial(skb, &g);
	start = skb->csum_start;
	skb->csum_start = (__u16)(skb_headroom(skb) + skb_headlen(skb));	/* start in the frags */
	assert_int_equal(skb_checksum_help(skb), -EINVAL);
	assert_int_equal(skb->ip_summed, CHECKSUM_PARTIAL);
	skb->csum_start = (__u16)(skb_headroom(skb) - 2);			/* before the data */
	assert_int_equal(skb_checksum_help(skb), -EINVAL);
	skb->csum_start = start;
	skb->csum_offset = (__u16)(skb_headlen(skb) - 20 - 1);		/* field past headlen */
	assert_int_equal(skb_checksum_help(skb), -EINVAL);
	skb->csum_offset = 6;
	skb_shinfo(skb)->gso_size = 1400;
	assert_int_equal(skb_checksum_help(skb), -EINVAL);
	skb_shinfo(skb)->gso_size = 0;
	assert_int_equal(skb_checksum_help(skb), 0);
	assert_true(udp_verifies(skb, &g));
	skb->ip_summed = CHECKSUM_COMPLETE;
	assert_int_equal(skb_checksum_help(skb), 0);
	assert_int_equal(skb->ip_summed, CHECKSUM_NONE);
	kfree_skb(skb);
}

/* A partial skb whose head grows keeps csum_start on its header. */
static void test_csum_start_follows_expand_head(void **state)
{
	struct dgram g;
	struct sk_buff *skb = udp_skb(&g, 500, 0, false);

	(void)state;
	set_partial(skb, &g);
	assert_int_equal(pskb_expand_head(skb, 128, 0, GFP_ATOMIC), 0);
	assert_int_equal(skb_checksum_start_offset(skb), 20);
	assert_int_equal(skb_checksum_help(skb), 0);
	assert_true(udp_verifies(skb, &g));
	kfree_skb(skb);
}

static void test_skb_checksum_complete(void **state)
{
	(void)state;
	for (int i = 0; i < 100; i++) {
		struct dgram g;
		struct sk_buff *skb = udp_skb(&g, 8 + rnd() % 5000, 28 + rnd() % 20, i % 2);
		__sum16 c;

		set_partial(skb, &g);
		assert_int_equal(skb_checksum_help(skb), 0);
		/* The transport layer's check: csum is the pseudo-header sum. */
		assert_int_equal(pskb_pull(skb, 20) != NULL, 1);
		skb->csum = csum_tcpudp_nofold(g.s, g.d, g.ulen, IPPROTO_UDP, 0);
		assert_false(skb_csum_unnecessary(skb));
		assert_int_equal(skb_checksum_complete(skb), 0);
		assert_int_equal(skb->ip_summed, CHECKSUM_COMPLETE);
		assert_true(skb->csum_valid);
		assert_true(skb->csum_complete_sw);
		assert_int_equal(skb->csum, skb_checksum(skb, 0, (int)skb->len, 0));
		assert_true(skb_csum_unnecessary(skb));
		/* A bad one: not valid, its folded sum returned. */
		skb->csum_valid = 0;
		skb->ip_summed = CHECKSUM_NONE;
		skb->csum = csum_tcpudp_nofold(g.s ^ htonl(1), g.d, g.ulen, IPPROTO_UDP, 0);
		c = skb_checksum_complete(skb);
		assert_int_not_equal(c, 0);
		assert_false(skb->csum_valid);
		kfree_skb(skb);
	}
}

static void test_skb_csum_unnecessary(void **state)
{
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);

	(void)state;
	skb_reserve(skb, 64);
	skb_put_zero(skb, 100);
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	assert_true(skb_csum_unnecessary(skb));
	assert_int_equal(skb_checksum_complete(skb), 0);
	assert_int_equal(skb->ip_summed, CHECKSUM_UNNECESSARY);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = 64 + 10;
	assert_true(skb_csum_unnecessary(skb));
	skb->csum_start = 60;
	assert_false(skb_csum_unnecessary(skb));
	skb->ip_summed = CHECKSUM_NONE;
	assert_false(skb_csum_unnecessary(skb));
	kfree_skb(skb);
}

/* CHECKSUM_COMPLETE stays the sum of what is left after each (even) pull;
 * a pull past csum_start turns CHECKSUM_PARTIAL into NONE. */
static void test_skb_postpull_rcsum(void **state)
{
	(void)state;
	for (int i = 0; i < 200; i++) {
		unsigned int len = 100 + rnd() % 4000;
		struct sk_buff *skb = build_skb_split(buf_a, len, 80, i % 2);

		skb->ip_summed = CHECKSUM_COMPLETE;
		skb->csum = skb_checksum(skb, 0, (int)skb->len, 0);
		for (int k = 0; k < 3; k++) {
			unsigned int n = 2 * (rnd() % 12);
			const unsigned char *start = skb->data;

			assert_non_null(skb_pull(skb, n));
			skb_postpull_rcsum(skb, start, n);
			assert_int_equal(csum_fold(skb->csum),
					 csum_fold(skb_checksum(skb, 0, (int)skb->len, 0)));
		}
		kfree_skb(skb);
	}
	{
		struct sk_buff *skb = build_skb_split(buf_a, 200, 200, false);
		const unsigned char *start = skb->data;

		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = (__u16)(skb_headroom(skb) + 20);
		skb->csum_offset = 6;
		skb_pull(skb, 14);
		skb_postpull_rcsum(skb, start, 14);
		assert_int_equal(skb->ip_summed, CHECKSUM_PARTIAL);
		start = skb->data;
		skb_pull(skb, 8);
		skb_postpull_rcsum(skb, start, 8);
		assert_int_equal(skb->ip_summed, CHECKSUM_NONE);
		kfree_skb(skb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_partial_every_short_length),
		cmocka_unit_test(test_csum_partial_random),
		cmocka_unit_test(test_csum_partial_extremes),
		cmocka_unit_test(test_csum_partial_copy),
		cmocka_unit_test(test_fold_add_sub),
		cmocka_unit_test(test_ip_fast_csum),
		cmocka_unit_test(test_csum_tcpudp_magic),
		cmocka_unit_test(test_csum_ipv6_magic),
		cmocka_unit_test(test_csum_replace),
		cmocka_unit_test(test_csum_replace_by_diff),
		cmocka_unit_test(test_inet_proto_csum_replace),
		cmocka_unit_test(test_skb_checksum),
		cmocka_unit_test(test_skb_checksum_past_end_bugs),
		cmocka_unit_test(test_skb_checksum_help),
		cmocka_unit_test(test_skb_checksum_help_mangled_zero),
		cmocka_unit_test(test_skb_checksum_help_clone),
		cmocka_unit_test(test_skb_checksum_help_errors),
		cmocka_unit_test(test_csum_start_follows_expand_head),
		cmocka_unit_test(test_skb_checksum_complete),
		cmocka_unit_test(test_skb_csum_unnecessary),
		cmocka_unit_test(test_skb_postpull_rcsum),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
