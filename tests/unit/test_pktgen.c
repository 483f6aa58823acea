/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for the generator's frame templates, verifier and parsers:
 * exact layouts, checksums recomputed independently, exact errno values.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include "pktgen.h"
#include "util.h"

#include "test_helpers.h"

static const uint8_t SRC_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t DST_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static uint8_t frame[XT_PKT_MAX + 64];

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

/* RFC 1071, written out again here so the library is not checked against itself. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* True when the header including its checksum field sums to 0xffff. */
static bool ip_csum_ok(const uint8_t *ip)
{
	return fold(sum16(0, ip, 20)) == 0xffff;
}

static bool l4_csum_ok(const uint8_t *ip, uint8_t proto, size_t l4_len)
{
	uint32_t sum = sum16(0, ip + 12, 8) + proto + (uint32_t)l4_len;

	return fold(sum16(sum, ip + 20, l4_len)) == 0xffff;
}

static struct xt_pkt_spec spec_of(enum xt_template tpl, unsigned int size)
{
	struct xt_pkt_spec s = {
		.tpl = tpl,
		.size = size,
		.src_port = 1234,
		.dst_port = 9000,
		.seq = 0xdeadbeef,
	};

	memcpy(s.src_mac, SRC_MAC, 6);
	memcpy(s.dst_mac, DST_MAC, 6);
	inet_pton(AF_INET, "198.18.0.1", &s.src_ip);
	inet_pton(AF_INET, "198.18.0.2", &s.dst_ip);
	return s;
}

static int build(enum xt_template tpl, unsigned int size)
{
	struct xt_pkt_spec s = spec_of(tpl, size);

	memset(frame, 0xee, sizeof(frame));
	return xt_pkt_build(&s, frame, sizeof(frame));
}

static void check_pattern(const uint8_t *payload, size_t from, size_t len)
{
	for (size_t i = from; i < len; i++)
		if (payload[i] != (uint8_t)((i * 7 + 3) & 0xff))
			fail_msg("payload byte %zu is %#x, want %#x", i, payload[i],
				 (unsigned int)((i * 7 + 3) & 0xff));
}

/* The common IPv4 header fields of every IPv4 template. */
static void check_ipv4(const uint8_t *ip, uint8_t proto, unsigned int tot_len)
{
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(rd16(ip + 2), tot_len);
	assert_int_equal(rd16(ip + 4), 0);
	assert_int_equal(rd16(ip + 6), 0x4000);	/* DF */
	assert_int_equal(ip[8], 64);
	assert_int_equal(ip[9], proto);
	assert_memory_equal(ip + 12, "\xc6\x12\x00\x01", 4);
	assert_memory_equal(ip + 16, "\xc6\x12\x00\x02", 4);
}

static void test_udp_layout(void **state)
{
	const uint8_t *ip = frame + 14, *udp = frame + 34;
	uint32_t seq = 0;
	(void)state;

	assert_int_equal(build(XT_TPL_UDP, 64), 64);
	assert_memory_equal(frame, DST_MAC, 6);
	assert_memory_equal(frame + 6, SRC_MAC, 6);
	assert_int_equal(rd16(frame + 12), 0x0800);
	check_ipv4(ip, 17, 50);
	assert_true(ip_csum_ok(ip));
	assert_int_equal(rd16(udp), 1234);
	assert_int_equal(rd16(udp + 2), 9000);
	assert_int_equal(rd16(udp + 4), 30);
	assert_int_not_equal(rd16(udp + 6), 0);
	assert_true(l4_csum_ok(ip, 17, 30));
	assert_int_equal(xt_pkt_seq_offset(XT_TPL_UDP), 42);
	assert_int_equal(rd32(frame + 42), 0xdeadbeef);
	check_pattern(frame + 42, 4, 22);
	assert_int_equal(frame[64], 0xee);		/* nothing written past size */
	assert_int_equal(xt_pkt_verify(frame, 64, &seq), 0);
	assert_int_equal(seq, 0xdeadbeef);
}

/* Odd sizes exercise the checksum's trailing byte; the extremes the bounds. */
static void test_udp_sizes(void **state)
{
	static const unsigned int sizes[] = { 60, 61, 63, 64, 65, 127, 1514, 3520, 3521, 9013, 9014 };
	(void)state;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned int sz = sizes[i];

		assert_int_equal(build(XT_TPL_UDP, sz), (int)sz);
		assert_int_equal(rd16(frame + 16), sz - 14);
		assert_int_equal(rd16(frame + 38), sz - 34);
		assert_true(ip_csum_ok(frame + 14));
		assert_true(l4_csum_ok(frame + 14, 17, sz - 34));
		check_pattern(frame + 42, 4, sz - 42);
		assert_int_equal(xt_pkt_verify(frame, sz, NULL), 0);
	}
}

static void test_vlan(void **state)
{
	const uint8_t *ip = frame + 18;
	uint32_t seq = 0;
	(void)state;

	assert_int_equal(build(XT_TPL_VLAN, 100), 100);
	assert_int_equal(rd16(frame + 12), 0x8100);
	assert_int_equal(rd16(frame + 14), XT_VLAN_ID);
	assert_int_equal(rd16(frame + 16), 0x0800);
	check_ipv4(ip, 17, 82);
	assert_true(ip_csum_ok(ip));
	assert_int_equal(rd16(ip + 24), 62);		/* UDP length */
	assert_true(l4_csum_ok(ip, 17, 62));
	assert_int_equal(xt_pkt_seq_offset(XT_TPL_VLAN), 46);
	assert_int_equal(rd32(frame + 46), 0xdeadbeef);
	check_pattern(frame + 46, 4, 54);
	assert_int_equal(xt_pkt_verify(frame, 100, &seq), 0);
	assert_int_equal(seq, 0xdeadbeef);
}

static void test_tcp(void **state)
{
	const uint8_t *ip = frame + 14, *tcp = frame + 34;
	(void)state;

	assert_int_equal(build(XT_TPL_TCP, 80), 80);
	assert_int_equal(rd16(frame + 12), 0x0800);
	check_ipv4(ip, 6, 66);
	assert_true(ip_csum_ok(ip));
	assert_int_equal(rd16(tcp), 1234);
	assert_int_equal(rd16(tcp + 2), 9000);
	assert_int_equal(xt_pkt_seq_offset(XT_TPL_TCP), 38);
	assert_int_equal(rd32(tcp + 4), 0xdeadbeef);
	assert_int_equal(rd32(tcp + 8), 0);
	assert_int_equal(tcp[12], 5 << 4);
	assert_int_equal(tcp[13], 0x02);		/* SYN only */
	assert_true(l4_csum_ok(ip, 6, 46));
	check_pattern(tcp + 20, 0, 26);
	/* Not UDP: the verifier is for UDP frames only. */
	assert_int_equal(xt_pkt_verify(frame, 80, NULL), -EBADMSG);
}

static void test_arp(void **state)
{
	const uint8_t *arp = frame + 14;
	static const uint8_t zero[6];
	(void)state;

	assert_int_equal(build(XT_TPL_ARP, 60), 60);
	assert_memory_equal(frame, "\xff\xff\xff\xff\xff\xff", 6);
	assert_memory_equal(frame + 6, SRC_MAC, 6);
	assert_int_equal(rd16(frame + 12), 0x0806);
	assert_int_equal(rd16(arp), 1);			/* Ethernet */
	assert_int_equal(rd16(arp + 2), 0x0800);
	assert_int_equal(arp[4], 6);
	assert_int_equal(arp[5], 4);
	assert_int_equal(rd16(arp + 6), 1);		/* request */
	assert_memory_equal(arp + 8, SRC_MAC, 6);
	assert_memory_equal(arp + 14, "\xc6\x12\x00\x01", 4);
	assert_memory_equal(arp + 18, zero, 6);
	assert_memory_equal(arp + 24, "\xc6\x12\x00\x02", 4);
	for (int i = 42; i < 60; i++)
		assert_int_equal(frame[i], 0);		/* padding */
	assert_int_equal(xt_pkt_seq_offset(XT_TPL_ARP), -ENOENT);
	assert_int_equal(xt_pkt_verify(frame, 60, NULL), -EBADMSG);
}

static void test_runt(void **state)
{
	struct xt_pkt_spec s = spec_of(XT_TPL_RUNT, 64);
	uint8_t small[20];
	(void)state;

	assert_int_equal(build(XT_TPL_RUNT, 64), 20);
	assert_int_equal(rd16(frame + 12), 0x0800);
	assert_int_equal(frame[14], 0x45);
	assert_int_equal(frame[20], 0xee);		/* 20 bytes, no more */
	/* A runt needs only a 20-byte buffer, whatever the size says. */
	assert_int_equal(xt_pkt_build(&s, small, sizeof(small)), 20);
	assert_int_equal(xt_pkt_build(&s, small, sizeof(small) - 1), -EINVAL);
	assert_int_equal(xt_pkt_seq_offset(XT_TPL_RUNT), -ENOENT);
	assert_int_equal(xt_pkt_verify(frame, 20, NULL), -EBADMSG);
}

static void test_bad_ip_csum(void **state)
{
	struct xt_pkt_spec s = spec_of(XT_TPL_BAD_IP_CSUM, 64);
	(void)state;

	/* Many headers, so a checksum of 0x0000 or 0xffff comes up too. */
	for (uint32_t i = 0; i < 70000; i++) {
		s.src_ip.s_addr = htonl(0xc6120001 + i);
		assert_int_equal(xt_pkt_build(&s, frame, sizeof(frame)), 64);
		if (ip_csum_ok(frame + 14))
			fail_msg("bad-ip-csum frame %u has a valid IP checksum", i);
		assert_true(l4_csum_ok(frame + 14, 17, 30));
		assert_int_equal(xt_pkt_verify(frame, 64, NULL), -EBADMSG);
	}
}

static void test_bad_ihl(void **state)
{
	(void)state;

	assert_int_equal(build(XT_TPL_BAD_IHL, 64), 64);
	assert_int_equal(frame[14], 0x44);
	assert_true(ip_csum_ok(frame + 14));		/* the IHL is the only defect */
	assert_int_equal(rd16(frame + 16), 50);
	assert_int_equal(xt_pkt_verify(frame, 64, NULL), -EBADMSG);
}

static void test_trunc_ip(void **state)
{
	(void)state;

	assert_int_equal(build(XT_TPL_TRUNC_IP, 64), 64);
	assert_int_equal(rd16(frame + 16), 50 + 64);
	assert_true(ip_csum_ok(frame + 14));
	assert_int_equal(rd16(frame + 38), 30);
	assert_int_equal(xt_pkt_verify(frame, 64, NULL), -EBADMSG);
}

static void test_bad_udp_len(void **state)
{
	(void)state;

	assert_int_equal(build(XT_TPL_BAD_UDP_LEN, 64), 64);
	assert_int_equal(rd16(frame + 16), 50);
	assert_true(ip_csum_ok(frame + 14));
	assert_int_equal(rd16(frame + 38), 30 + 64);
	assert_int_equal(rd16(frame + 40), 0);		/* no checksum */
	assert_int_equal(xt_pkt_verify(frame, 64, NULL), -EBADMSG);
}

static void test_verify_rejects(void **state)
{
	uint32_t seq = 0;
	(void)state;

	assert_int_equal(build(XT_TPL_UDP, 128), 128);
	assert_int_equal(xt_pkt_verify(frame, 128, NULL), 0);
	/* Trailing padding (a receiver's minimum-size frame) is fine. */
	assert_int_equal(xt_pkt_verify(frame, 140, NULL), 0);
	/* Cut short: the IP total length no longer fits. */
	assert_int_equal(xt_pkt_verify(frame, 127, NULL), -EBADMSG);
	assert_int_equal(xt_pkt_verify(frame, 10, NULL), -EBADMSG);
	assert_int_equal(xt_pkt_verify(NULL, 128, NULL), -EBADMSG);

	/* One payload byte: the sequence number still comes back. */
	frame[100] ^= 0x01;
	assert_int_equal(xt_pkt_verify(frame, 128, &seq), -EBADMSG);
	assert_int_equal(seq, 0xdeadbeef);
	frame[100] ^= 0x01;
	/*
	 * Swapping two aligned words leaves the one's-complement sum alone:
	 * the checksum still holds and only the pattern check can object.
	 */
	for (int i = 0; i < 2; i++) {
		uint8_t t = frame[50 + i];

		frame[50 + i] = frame[52 + i];
		frame[52 + i] = t;
	}
	assert_true(l4_csum_ok(frame + 14, 17, 94));
	assert_int_equal(xt_pkt_verify(frame, 128, NULL), -EBADMSG);
	assert_int_equal(build(XT_TPL_UDP, 128), 128);

	/* A header byte (TTL) without fixing the checksum. */
	frame[22]--;
	assert_int_equal(xt_pkt_verify(frame, 128, NULL), -EBADMSG);
	frame[22]++;
	/* The sequence number is covered by the UDP checksum. */
	frame[45] ^= 0x80;
	assert_int_equal(xt_pkt_verify(frame, 128, &seq), -EBADMSG);
	assert_int_equal(seq, 0xdeadbe6f);
	frame[45] ^= 0x80;
	/* Without a UDP checksum the payload is still checked byte by byte. */
	frame[40] = frame[41] = 0;
	assert_int_equal(xt_pkt_verify(frame, 128, NULL), 0);
	frame[127] ^= 0xff;
	assert_int_equal(xt_pkt_verify(frame, 128, NULL), -EBADMSG);
}

static void test_build_errors(void **state)
{
	struct xt_pkt_spec s = spec_of(XT_TPL_UDP, 64);
	(void)state;

	assert_int_equal(xt_pkt_build(NULL, frame, sizeof(frame)), -EINVAL);
	assert_int_equal(xt_pkt_build(&s, NULL, sizeof(frame)), -EINVAL);
	assert_int_equal(xt_pkt_build(&s, frame, 63), -EINVAL);
	assert_int_equal(xt_pkt_build(&s, frame, 64), 64);
	s.size = XT_PKT_MIN - 1;
	assert_int_equal(xt_pkt_build(&s, frame, sizeof(frame)), -EINVAL);
	s.size = XT_PKT_MAX + 1;
	assert_int_equal(xt_pkt_build(&s, frame, sizeof(frame)), -EINVAL);
	s.size = 64;
	s.tpl = XT_TPL_MAX;
	assert_int_equal(xt_pkt_build(&s, frame, sizeof(frame)), -EINVAL);
	assert_int_equal(xt_pkt_seq_offset(XT_TPL_MAX), -EINVAL);
	assert_int_equal(xt_pkt_seq_offset((enum xt_template)-1), -EINVAL);
}

static void test_names(void **state)
{
	static const char *const names[XT_TPL_MAX] = {
		"udp", "runt", "bad-ip-csum", "bad-ihl", "trunc-ip", "bad-udp-len", "arp", "tcp", "vlan",
	};
	enum xt_template tpl = XT_TPL_MAX;
	enum xt_engine eng = XT_ENGINE_PACKET;
	(void)state;

	for (int i = 0; i < XT_TPL_MAX; i++) {
		assert_string_equal(xt_template_name((enum xt_template)i), names[i]);
		assert_int_equal(xt_template_parse(names[i], &tpl), 0);
		assert_int_equal(tpl, i);
	}
	assert_null(xt_template_name(XT_TPL_MAX));
	tpl = XT_TPL_ARP;
	assert_int_equal(xt_template_parse("UDP", &tpl), -EINVAL);
	assert_int_equal(xt_template_parse("", &tpl), -EINVAL);
	assert_int_equal(xt_template_parse("udp ", &tpl), -EINVAL);
	assert_int_equal(xt_template_parse(NULL, &tpl), -EINVAL);
	assert_int_equal(xt_template_parse("udp", NULL), -EINVAL);
	assert_int_equal(tpl, XT_TPL_ARP);		/* untouched on error */

	assert_int_equal(xt_engine_parse("xdp", &eng), 0);
	assert_int_equal(eng, XT_ENGINE_XDP);
	assert_int_equal(xt_engine_parse("packet", &eng), 0);
	assert_int_equal(eng, XT_ENGINE_PACKET);
	assert_int_equal(xt_engine_parse("af_packet", &eng), -EINVAL);
	assert_int_equal(xt_engine_parse(NULL, &eng), -EINVAL);
	assert_string_equal(xt_engine_name(XT_ENGINE_XDP), "xdp");
	assert_string_equal(xt_engine_name(XT_ENGINE_PACKET), "packet");
	assert_null(xt_engine_name((enum xt_engine)7));
}

/* The option parsers xskb-gen and xskb-lab rely on. */
static void test_option_parsers(void **state)
{
	uint64_t v = 0;
	uint8_t mac[6];
	struct in_addr a;
	uint16_t lo = 0, hi = 0;
	(void)state;

	assert_int_equal(xt_parse_u64("9000", 68, 9000, &v), 0);
	assert_int_equal(v, 9000);
	assert_int_equal(xt_parse_u64("0x10", 0, 100, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(xt_parse_u64("9001", 68, 9000, &v), -ERANGE);
	assert_int_equal(xt_parse_u64("67", 68, 9000, &v), -ERANGE);
	assert_int_equal(xt_parse_u64("-1", 0, 10, &v), -EINVAL);
	assert_int_equal(xt_parse_u64("12abc", 0, 100, &v), -EINVAL);
	assert_int_equal(xt_parse_u64("", 0, 100, &v), -EINVAL);
	assert_int_equal(xt_parse_u64("99999999999999999999999", 0, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(xt_parse_scaled("10k", 1, UINT64_MAX, &v), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(xt_parse_scaled("2M", 1, UINT64_MAX, &v), 0);
	assert_int_equal(v, 2000000);
	assert_int_equal(xt_parse_scaled("0", 1, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(xt_parse_scaled("1.5M", 1, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(xt_parse_mac("02:00:00:00:00:0a", mac), 0);
	assert_memory_equal(mac, "\x02\x00\x00\x00\x00\x0a", 6);
	assert_int_equal(xt_parse_mac("02:00:00:00:00", mac), -EINVAL);
	assert_int_equal(xt_parse_mac("02:00:00:00:00:0a:", mac), -EINVAL);
	assert_int_equal(xt_parse_ipv4("198.18.0.2", &a), 0);
	assert_int_equal(ntohl(a.s_addr), 0xc6120002);
	assert_int_equal(xt_parse_ipv4("198.18.0", &a), -EINVAL);
	assert_int_equal(xt_parse_port_range("5000-5009", &lo, &hi), 0);
	assert_int_equal(lo, 5000);
	assert_int_equal(hi, 5009);
	assert_int_equal(xt_parse_port_range("9000", &lo, &hi), 0);
	assert_int_equal(lo, 9000);
	assert_int_equal(hi, 9000);
	assert_int_equal(xt_parse_port_range("10-5", &lo, &hi), -ERANGE);
	assert_int_equal(xt_parse_port_range("0", &lo, &hi), -ERANGE);
	assert_int_equal(xt_parse_port_range("a-b", &lo, &hi), -EINVAL);
}

/* Configurations rejected before anything is opened: no privileges needed. */
static void test_gen_config_errors(void **state)
{
	struct xt_gen_config base = {
		.engine = XT_ENGINE_XDP,
		.ifindex = 1,
		.count = 1,
		.pkt = spec_of(XT_TPL_UDP, 64),
	}, c;
	struct xt_gen_result res;
	const char *msg;
	(void)state;

#define EXPECT_GEN(err_, mutate_)						\
	do {									\
		c = base;							\
		mutate_;							\
		msg = NULL;							\
		memset(&res, 0xff, sizeof(res));				\
		assert_int_equal(xt_gen_run(&c, &res, &msg), (err_));		\
		assert_non_null(msg);						\
		assert_int_equal(res.sent, 0);					\
	} while (0)

	EXPECT_GEN(-EINVAL, c.count = 0);
	EXPECT_GEN(-EINVAL, c.ifindex = 0);
	EXPECT_GEN(-EINVAL, c.engine = (enum xt_engine)2);
	EXPECT_GEN(-EINVAL, c.batch = XT_GEN_BATCH_MAX + 1);
	EXPECT_GEN(-EINVAL, c.max_seconds = -1);
	EXPECT_GEN(-EINVAL, c.max_seconds = NAN);
	EXPECT_GEN(-EINVAL, c.max_seconds = INFINITY);
	EXPECT_GEN(-EINVAL, c.pkt.size = 59);
	EXPECT_GEN(-EINVAL, c.pkt.tpl = XT_TPL_MAX);
	EXPECT_GEN(-EINVAL, (c.vary_src_port = true, c.pkt.src_port = 2000, c.src_port_hi = 1999));
	EXPECT_GEN(-EOPNOTSUPP, c.pkt.size = XT_LIVE_MAX + 1);
#undef EXPECT_GEN
	assert_int_equal(xt_gen_run(NULL, &res, &msg), -EINVAL);
	assert_int_equal(xt_gen_run(&base, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_layout),
		cmocka_unit_test(test_udp_sizes),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_runt),
		cmocka_unit_test(test_bad_ip_csum),
		cmocka_unit_test(test_bad_ihl),
		cmocka_unit_test(test_trunc_ip),
		cmocka_unit_test(test_bad_udp_len),
		cmocka_unit_test(test_verify_rejects),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_option_parsers),
		cmocka_unit_test(test_gen_config_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
