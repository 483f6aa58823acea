/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Integration tests of the XDP program's claim rules on a veth lab of their
 * own: a rule change is atomic for packets in flight.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
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
	};

	if (getenv("XSKB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("XSKB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
