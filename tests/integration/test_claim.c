/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Integration tests of the XDP program's claim rules on a veth lab of their
 * own: a rule change is atomic for packets in flight, every fragment of a
 * claimed IPv4/IPv6 UDP datagram is claimed, and IPv6 extension headers in
 * front of UDP do not hide its port.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/ip6.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ipv6.h>
/* <xskb/skbuff.h> names the skb's pkt_type values as the kernel does. */
#undef PACKET_HOST
#undef PACKET_BROADCAST
#undef PACKET_MULTICAST
#undef PACKET_OTHERHOST
#include <xskb/napi.h>
#include <xskb/skbuff.h>

#include "lab_fixture.h"

static struct xt_lab lab;
static char prefix[16];
static bool have_lab;
static int home_ns = -1;

/* ---- a receiver that counts what it is given ---------------------------------- */

struct counts {
	unsigned long packets, udp9000, frags, v6;
};

static void on_packet(struct sk_buff *skb, void *arg)
{
	struct counts *c = arg;
	const unsigned char *nh = skb->data;

	if (skb->protocol == htons(ETH_P_IP) && skb->len >= 20) {
		/* More fragments, or a fragment offset: part of a fragmented datagram. */
		if ((nh[6] & 0x3f) || nh[7])
			__atomic_fetch_add(&c->frags, 1, __ATOMIC_RELAXED);
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		__atomic_fetch_add(&c->v6, 1, __ATOMIC_RELAXED);
	}
	consume_skb(skb);
	__atomic_fetch_add(&c->packets, 1, __ATOMIC_RELEASE);
}

struct rx {
	struct xskb_dev *dev;
	struct xskb_umem *umem;
	struct xskb_queue *q;
	struct xskb_napi *napi;
	struct counts c;
};

static struct rx rx;
static bool rx_open_now;

static void rx_start(const struct xskb_rule *rules, unsigned int n)
{
	XSKB_OPTS(xskb_queue_opts, qo, .handler = on_packet, .handler_arg = &rx.c);

	memset(&rx, 0, sizeof(rx));
	rx_open_now = true;
	assert_int_equal(xt_netns_enter(lab.ns_rx), 0);
	assert_int_equal(xskb_dev__open(&rx.dev, lab.if_rx, NULL), 0);
	assert_int_equal(xskb_dev__set_rules(rx.dev, rules, n), 0);
	assert_int_equal(xskb_umem__create(&rx.umem, -1, NULL), 0);
	assert_int_equal(xskb_queue__create(&rx.q, rx.dev, rx.umem, &qo), 0);
	assert_int_equal(xskb_napi__create(&rx.napi, &rx.q, 1, NULL), 0);
	assert_int_equal(xskb_napi__start(rx.napi), 0);
}

/* Also the teardown after a failed assertion: undoes whatever is open. */
static void rx_end(void)
{
	if (!rx_open_now)
		return;
	rx_open_now = false;
	xskb_napi__destroy(rx.napi);
	xskb_queue__destroy(rx.q);
	xskb_umem__delete(rx.umem);
	xskb_dev__close(rx.dev);
	memset(&rx, 0, sizeof(rx));
	xt_netns_set(home_ns);
}

static int test_teardown(void **state)
{
	(void)state;
	rx_end();
	return 0;
}

static unsigned long received(void)
{
	return __atomic_load_n(&rx.c.packets, __ATOMIC_ACQUIRE);
}

#define need_lab()				\
	do {					\
		if (!have_lab)			\
			skip();			\
	} while (0)

static const struct xskb_rule udp9000 = { .flags = XSKB_RULE_PROTO | XSKB_RULE_DPORT,
					  .ip_proto = IPPROTO_UDP, .dport_lo = 9000,
					  .dport_hi = 9000, .mark = 1 };

/* ---- rule changes are atomic ----------------------------------------------------- */

/*
 * UDP to port 9000 floods the receiver while the rules switch back and forth
 * between "UDP 9001" and "TCP 9000": no rule set claims the flood, and no mix
 * of the two (UDP from one, port 9000 from the other) may either. Before
 * rule sets had generations, a change rewrote rules and count in place, and
 * going from one set to another (clear, then add) claimed everything between
 * the two calls.
 */
static void test_rule_switch_is_atomic(void **state)
{
	const struct xskb_rule a = { .flags = XSKB_RULE_PROTO | XSKB_RULE_DPORT,
				     .ip_proto = IPPROTO_UDP, .dport_lo = 9001, .dport_hi = 9001 };
	const struct xskb_rule b = { .flags = XSKB_RULE_PROTO | XSKB_RULE_DPORT,
				     .ip_proto = IPPROTO_TCP, .dport_lo = 9000, .dport_hi = 9000 };
	volatile sig_atomic_t stop = 0;
	struct gen_job g;
	unsigned int switches = 0;
	uint64_t t0;
	(void)state;

	need_lab();
	rx_start(&a, 1);
	gen_job_init(&g, &lab, XT_ENGINE_XDP, 50000000, 64);
	g.cfg.max_seconds = 5;
	g.cfg.stop = &stop;
	gen_start(&g);
	t0 = xt_now_ns();
	while (xt_now_ns() - t0 < 1500000000ull && switches < 100000) {
		assert_int_equal(xskb_dev__set_rules(rx.dev, switches & 1 ? &a : &b, 1), 0);
		switches++;
	}
	stop = 1;
	gen_wait(&g);
	fprintf(stderr, "%u rule switches under %llu frames\n", switches,
		(unsigned long long)g.res.sent);
	assert_true(switches >= 20);
	assert_true(g.res.sent >= 10000);
	usleep(100000);
	assert_int_equal(received(), 0);

	/* The rules still work: one that matches claims every frame. */
	assert_int_equal(xskb_dev__set_rules(rx.dev, &udp9000, 1), 0);
	gen_job_init(&g, &lab, XT_ENGINE_XDP, 1000, 64);
	gen_start(&g);
	gen_wait(&g);
	assert_true(wait_for(received() == 1000, 2000));
	/* add_rule and clear_rules go through the same switch. */
	assert_int_equal(xskb_dev__add_rule(rx.dev, &a), 1);
	assert_int_equal(xskb_dev__clear_rules(rx.dev), 0);
	assert_int_equal(xskb_dev__set_rules(rx.dev, NULL, XSKB_MAX_RULES + 1), -EINVAL);
	assert_int_equal(xskb_dev__set_rules(rx.dev, &a, XSKB_MAX_RULES + 1), -ENOSPC);
	rx_end();
}

/* ---- fragments and IPv6 extension headers ---------------------------------------- */

/* Send @len bytes of UDP payload to the rx end's port 9000 from the tx
 * namespace with a kernel socket: over MTU 1500, IPv4 fragments it. */
static void send_udp_datagrams(unsigned int len, unsigned int count)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9000) };
	static char buf[4000];
	int fd;

	assert_int_equal(xt_netns_enter(lab.ns_tx), 0);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	/* Let the kernel fragment (no path-MTU discovery, DF clear). */
	assert_int_equal(setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &(int){ IP_PMTUDISC_DONT },
				    sizeof(int)), 0);
	to.sin_addr = lab.ip_rx;
	for (unsigned int i = 0; i < count; i++) {
		assert_true(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len);
		usleep(1000);
	}
	close(fd);
	assert_int_equal(xt_netns_enter(lab.ns_rx), 0);
}

/* Every fragment of a claimed datagram is claimed, not only the first. */
static void test_ipv4_fragments_claimed(void **state)
{
	(void)state;

	need_lab();
	rx_start(&udp9000, 1);
	/* 4000 bytes + UDP header over 1480-byte fragments: 3 fragments each. */
	send_udp_datagrams(4000, 20);
	assert_true(wait_for(received() == 60, 2000));
	usleep(50000);
	assert_int_equal(received(), 60);
	assert_int_equal(rx.c.frags, 60);
	rx_end();
}

/* Raw frames from the tx end, through a packet socket in its namespace. */
static void send_frames(const unsigned char *const *frames, const size_t *lens, unsigned int n)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	int fd;

	assert_int_equal(xt_netns_enter(lab.ns_tx), 0);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	assert_true(fd >= 0);
	sll.sll_ifindex = lab.ifindex_tx;
	memcpy(sll.sll_addr, lab.mac_rx, 6);
	for (unsigned int i = 0; i < n; i++)
		assert_true(sendto(fd, frames[i], lens[i], 0, (struct sockaddr *)&sll, sizeof(sll)) ==
			    (ssize_t)lens[i]);
	close(fd);
	assert_int_equal(xt_netns_enter(lab.ns_rx), 0);
}

/*
 * An IPv6 frame to UDP @dport behind @ext (extension headers, already
 * chained: the caller sets their next-header fields) and, with @frag, a
 * fragment header with offset @frag_off (8-byte units) and M=@more; the UDP
 * header goes in only when @frag_off is 0. Returns the frame length.
 */
static size_t ipv6_frame(unsigned char *f, const unsigned char *ext, size_t ext_len,
			 unsigned char first_next, bool frag, unsigned int frag_off, bool more,
			 uint16_t dport)
{
	struct ethhdr *eth = (struct ethhdr *)f;
	struct ipv6hdr *ip6 = (struct ipv6hdr *)(eth + 1);
	unsigned char *p = (unsigned char *)(ip6 + 1);
	size_t payload;

	memset(f, 0, 200);
	memcpy(eth->h_dest, lab.mac_rx, 6);
	memcpy(eth->h_source, lab.mac_tx, 6);
	eth->h_proto = htons(ETH_P_IPV6);
	ip6->version = 6;
	ip6->hop_limit = 64;
	ip6->nexthdr = first_next;
	inet_pton(AF_INET6, "2001:2::1", &ip6->saddr);	/* 2001:2::/48: benchmarking */
	inet_pton(AF_INET6, "2001:2::2", &ip6->daddr);
	memcpy(p, ext, ext_len);
	p += ext_len;
	if (frag) {
		p[0] = IPPROTO_UDP;
		p[2] = (unsigned char)(frag_off >> 5);
		p[3] = (unsigned char)((frag_off << 3) | (more ? 1 : 0));
		memcpy(p + 4, "\x12\x34\x56\x78", 4);	/* identification */
		p += 8;
	}
	if (!frag || frag_off == 0) {
		p[0] = 0x9c;				/* source port 40000 */
		p[1] = 0x40;
		p[2] = (unsigned char)(dport >> 8);
		p[3] = (unsigned char)dport;
		p[5] = 8 + 64;				/* UDP length (unchecked) */
		p += 8;
	}
	p += 64;					/* payload */
	payload = (size_t)(p - (unsigned char *)(ip6 + 1));
	ip6->payload_len = htons((uint16_t)payload);
	return (size_t)(p - f);
}

/*
 * IPv6 UDP to port 9000 behind a destination-options header, behind
 * hop-by-hop + routing + destination options, and as two fragments is
 * claimed; the same behind a destination-options header to port 9001 is not.
 */
static void test_ipv6_extension_headers(void **state)
{
	/* Destination options, 8 bytes: next header UDP, PadN over the rest. */
	static const unsigned char dopts[8] = { IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0 };
	/* Hop-by-hop -> routing (type 0 style, no segments left) -> dest opts -> UDP. */
	static const unsigned char chain[24] = {
		IPPROTO_ROUTING, 0, 1, 4, 0, 0, 0, 0,
		IPPROTO_DSTOPTS, 0, 0, 0, 0, 0, 0, 0,
		IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0,
	};
	unsigned char f[5][200];
	const unsigned char *frames[5] = { f[0], f[1], f[2], f[3], f[4] };
	size_t lens[5];
	(void)state;

	need_lab();
	rx_start(&udp9000, 1);
	lens[0] = ipv6_frame(f[0], dopts, 8, IPPROTO_DSTOPTS, false, 0, false, 9000);
	lens[1] = ipv6_frame(f[1], chain, 24, IPPROTO_HOPOPTS, false, 0, false, 9000);
	lens[2] = ipv6_frame(f[2], NULL, 0, IPPROTO_FRAGMENT, true, 0, true, 9000);
	lens[3] = ipv6_frame(f[3], NULL, 0, IPPROTO_FRAGMENT, true, 10, false, 0);
	lens[4] = ipv6_frame(f[4], dopts, 8, IPPROTO_DSTOPTS, false, 0, false, 9001);
	send_frames(frames, lens, 5);
	assert_true(wait_for(received() == 4, 2000));
	usleep(50000);
	assert_int_equal(received(), 4);
	assert_int_equal(rx.c.v6, 4);
	rx_end();
}

/* ---- lab lifetime ------------------------------------------------------------------ */

static int group_setup(void **state)
{
	int r;
	(void)state;

	snprintf(prefix, sizeof(prefix), "xc%d", getpid() % 100000);
	home_ns = xt_netns_open(NULL);
	if (home_ns < 0)
		return -1;
	r = fixture_lab_up(prefix, 1500, 1, &lab);
	if (r < 0)
		return -1;
	have_lab = r == 0;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (home_ns >= 0)
		xt_netns_set(home_ns);
	xt_lab_down(prefix);
	return xt_lab_exists(prefix) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rule_switch_is_atomic, test_teardown),
		cmocka_unit_test_teardown(test_ipv4_fragments_claimed, test_teardown),
		cmocka_unit_test_teardown(test_ipv6_extension_headers, test_teardown),
	};

	if (getenv("XSKB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("XSKB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
