/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Integration tests of the three-namespace lab (client, proxy, backend):
 * reachability through kernel forwarding, TX checksum offload off on every
 * end, veth peer lookup and the offload warning, the xskb-lab CLI, clean-up.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include "lab_fixture.h"

#define UDP_PORT	9999
#define REPLY_WAIT_MS	1000

struct fixture {
	char prefix[XT_LAB_PREFIX_MAX + 1];
	int home_ns;
	struct xt_lab3 lab;
};

static unsigned int fixture_seq;

static bool ns_present(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return access(path, F_OK) == 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->prefix, sizeof(f->prefix), "x3%u%c", (unsigned int)getpid() % 10000000u,
		 'a' + fixture_seq++ % 26);
	f->home_ns = xt_netns_open(NULL);
	*state = f;
	return f->home_ns < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct xt_lab3 names;
	int ret = 0;

	xt_netns_set(f->home_ns);
	/* Names follow from the prefix: check all three even if up failed. */
	xt_lab3_get(f->prefix, &names);
	if (xt_lab3_down(f->prefix) || xt_lab3_exists(f->prefix) || xt_lab_down(f->prefix) ||
	    xt_lab_exists(f->prefix)) {
		fprintf(stderr, "teardown: lab %s is still there\n", f->prefix);
		ret = -1;
	}
	close(f->home_ns);
	free(f);
	return ret;
}

static void lab3_up(struct fixture *f, const struct xt_lab3_config *c)
{
	struct xt_lab3_config cfg = *c;
	const char *msg = "needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN)";
	int err = -EPERM;

	cfg.prefix = f->prefix;
	if (geteuid() == 0)
		err = xt_lab3_up(&cfg, &f->lab, &msg);
	if (!err)
		return;
	if (in_ci())
		fail_msg("cannot build the three-namespace lab %s: %s (%s)", f->prefix, msg,
			 strerror(-err));
	print_message("SKIP: cannot build the three-namespace lab %s: %s (%s)\n", f->prefix, msg,
		      strerror(-err));
	skip();
}

/* A UDP socket of @family opened inside @ns (it stays there). */
static int ns_socket(struct fixture *f, const char *ns, int family)
{
	int fd;

	assert_int_equal(xt_netns_enter(ns), 0);
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(xt_netns_set(f->home_ns), 0);
	assert_true(fd >= 0);
	return fd;
}

static void sockaddr_of(int family, const struct xt_lab3_end *e, struct sockaddr_storage *ss,
			socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(UDP_PORT);
		s->sin_addr = e->ip;
		*len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(UDP_PORT);
		s->sin6_addr = e->ip6;
		*len = sizeof(*s);
	}
}

static ssize_t recv_wait(int fd, void *buf, size_t len, struct sockaddr_storage *from,
			 socklen_t *flen, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)from, flen);
}

/*
 * The client sends a datagram to the backend's address, the backend echoes
 * it reversed. Returns true when the echo came back byte for byte, false
 * when nothing reached the backend within the wait (asserts on anything
 * else: a datagram that arrives mangled is a failure, not an absence).
 */
static bool udp_exchange(struct fixture *f, int family)
{
	static const char msg[] = "three namespaces, two veth pairs";
	struct sockaddr_storage to, from;
	socklen_t tolen, flen = sizeof(from);
	char buf[128], rev[sizeof(msg) - 1];
	int srv = ns_socket(f, f->lab.ns_backend, family);
	int cli = ns_socket(f, f->lab.ns_client, family);
	bool ok = false;
	ssize_t n;

	sockaddr_of(family, &f->lab.backend, &to, &tolen);
	assert_int_equal(bind(srv, (struct sockaddr *)&to, tolen), 0);
	assert_int_equal(sendto(cli, msg, sizeof(msg) - 1, 0, (struct sockaddr *)&to, tolen),
			 (ssize_t)sizeof(msg) - 1);
	n = recv_wait(srv, buf, sizeof(buf), &from, &flen, REPLY_WAIT_MS);
	if (n >= 0) {
		assert_int_equal(n, sizeof(msg) - 1);
		assert_memory_equal(buf, msg, sizeof(msg) - 1);
		/* The client's own address: routed, not NATed. */
		if (family == AF_INET)
			assert_int_equal(((struct sockaddr_in *)&from)->sin_addr.s_addr,
					 f->lab.client.ip.s_addr);
		else
			assert_memory_equal(&((struct sockaddr_in6 *)&from)->sin6_addr,
					    &f->lab.client.ip6, 16);
		for (size_t i = 0; i < sizeof(rev); i++)
			rev[i] = msg[sizeof(rev) - 1 - i];
		assert_int_equal(sendto(srv, rev, sizeof(rev), 0, (struct sockaddr *)&from, flen),
				 (ssize_t)sizeof(rev));
		flen = sizeof(from);
		n = recv_wait(cli, buf, sizeof(buf), &from, &flen, REPLY_WAIT_MS);
		assert_int_equal(n, sizeof(rev));
		assert_memory_equal(buf, rev, sizeof(rev));
		ok = true;
	}
	close(cli);
	close(srv);
	return ok;
}

static void assert_csum_off(const struct xt_lab3_end *e)
{
	int on = xt_tx_csum_offload_get(e->netns, e->ifname);

	if (on != 0)
		fail_msg("TX checksum offload on %s in %s: %d (want 0: off)", e->ifname, e->netns, on);
}

static void assert_peer(const struct xt_lab3_end *e, const struct xt_lab3_end *want)
{
	char ns[32], ifname[IF_NAMESIZE];

	assert_int_equal(xt_link_peer(e->netns, e->ifname, ns, ifname), 0);
	assert_string_equal(ns, want->netns);
	assert_string_equal(ifname, want->ifname);
}

/* Kernel forwarding on: client and backend reach each other, IPv4 and IPv6. */
static void test_kernel_forwarding(void **state)
{
	struct fixture *f = *state;
	const struct xt_lab3_config cfg = { .ip_forward = true };
	const struct xt_lab3_end *ends[] = { &f->lab.client, &f->lab.proxy_a, &f->lab.proxy_b,
					     &f->lab.backend };

	lab3_up(f, &cfg);
	assert_true(ns_present(f->lab.ns_client));
	assert_true(ns_present(f->lab.ns_proxy));
	assert_true(ns_present(f->lab.ns_backend));
	assert_true(f->lab.ip_forward);
	assert_true(f->lab.ipv6);
	assert_int_equal(f->lab.mtu, 1500);
	assert_int_equal(f->lab.queues, 1);
	for (unsigned int i = 0; i < 4; i++) {
		char want[8];

		assert_true(ends[i]->ifindex > 0);
		snprintf(want, sizeof(want), "%c", "cabs"[i]);
		assert_string_equal(ends[i]->ifname + strlen(f->prefix), want);
		assert_csum_off(ends[i]);
	}
	assert_string_equal(inet_ntoa(f->lab.client.ip), XT_LAB3_IP_CLIENT);
	assert_string_equal(inet_ntoa(f->lab.backend.ip), XT_LAB3_IP_BACKEND);

	assert_true(udp_exchange(f, AF_INET));
	assert_true(udp_exchange(f, AF_INET6));
}

/* Forwarding off (the default): nothing crosses the proxy namespace. */
static void test_no_forwarding(void **state)
{
	struct fixture *f = *state;
	const struct xt_lab3_config cfg = { 0 };

	lab3_up(f, &cfg);
	assert_false(f->lab.ip_forward);
	assert_false(udp_exchange(f, AF_INET));
	assert_false(udp_exchange(f, AF_INET6));
}

/* MTU, queues, static neighbours, GRO and IPv4 only, read back. */
static void test_options(void **state)
{
	struct fixture *f = *state;
	const struct xt_lab3_config cfg = { .mtu = 9000, .queues = 4, .ip_forward = true,
					    .static_neigh = true, .gro = true, .no_ipv6 = true };
	struct xt_link_info li;
	struct xt_lab3_config bad = { .mtu = 67 };
	const char *msg = NULL;

	bad.prefix = f->prefix;
	assert_int_equal(xt_lab3_up(&bad, NULL, &msg), -EINVAL);
	assert_non_null(msg);
	bad.mtu = 0;
	bad.queues = 65;
	assert_int_equal(xt_lab3_up(&bad, NULL, NULL), -EINVAL);
	bad.queues = 0;
	bad.prefix = "Bad";
	assert_int_equal(xt_lab3_up(&bad, NULL, NULL), -EINVAL);
	assert_false(xt_lab3_exists(f->prefix));

	lab3_up(f, &cfg);
	assert_int_equal(f->lab.mtu, 9000);
	assert_int_equal(f->lab.queues, 4);
	assert_false(f->lab.ipv6);
	assert_int_equal(xt_link_query(f->lab.ns_backend, f->lab.backend.ifname, &li), 0);
	assert_int_equal(li.mtu, 9000);
	assert_int_equal(li.num_tx_queues, 4);
	assert_string_equal(li.kind, "veth");
	assert_true(udp_exchange(f, AF_INET));

	const struct xt_lab3_config again = { .prefix = f->prefix };

	assert_int_equal(xt_lab3_up(&again, NULL, &msg), -EEXIST);
}

/* Peer lookup across namespaces and the warning for TX checksum offload. */
static void test_peer_and_warning(void **state)
{
	struct fixture *f = *state;
	const struct xt_lab3_config cfg = { 0 };
	char ns[32], ifname[IF_NAMESIZE];

	lab3_up(f, &cfg);
	assert_peer(&f->lab.client, &f->lab.proxy_a);
	assert_peer(&f->lab.proxy_a, &f->lab.client);
	assert_peer(&f->lab.proxy_b, &f->lab.backend);
	assert_peer(&f->lab.backend, &f->lab.proxy_b);
	assert_int_equal(xt_link_peer(f->lab.ns_proxy, "lo", ns, ifname), -ENOENT);
	assert_int_equal(xt_link_peer(f->lab.ns_proxy, "nosuch0", ns, ifname), -ENODEV);
	assert_int_equal(xt_tx_csum_offload_get(f->lab.ns_proxy, "nosuch0"), -ENODEV);

	/* Off everywhere: no warning. */
	assert_int_equal(xt_warn_tx_csum_offload(f->lab.ns_proxy, f->lab.proxy_a.ifname), 0);
	/* On at the client: the proxy receiving from it is warned (the peer),
	 * and so is the client itself. */
	assert_int_equal(xt_tx_csum_offload_set(f->lab.ns_client, f->lab.client.ifname, true), 0);
	assert_int_equal(xt_tx_csum_offload_get(f->lab.ns_client, f->lab.client.ifname), 1);
	assert_int_equal(xt_warn_tx_csum_offload(f->lab.ns_proxy, f->lab.proxy_a.ifname), 1);
	assert_int_equal(xt_warn_tx_csum_offload(f->lab.ns_client, f->lab.client.ifname), 1);
	assert_int_equal(xt_warn_tx_csum_offload(f->lab.ns_proxy, f->lab.proxy_b.ifname), 0);
	assert_int_equal(xt_tx_csum_offload_set(f->lab.ns_proxy, f->lab.proxy_a.ifname, true), 0);
	assert_int_equal(xt_warn_tx_csum_offload(f->lab.ns_proxy, f->lab.proxy_a.ifname), 2);
	assert_int_equal(xt_warn_tx_csum_offload(f->lab.ns_proxy, "nosuch0"), -ENODEV);
}

/* The two-namespace lab turns TX checksum offload off too. */
static void test_two_namespace_lab(void **state)
{
	struct fixture *f = *state;
	struct xt_lab_config cfg = { .prefix = f->prefix };
	struct xt_lab lab;
	const char *msg = "needs root";
	int err = -EPERM;

	if (geteuid() == 0)
		err = xt_lab_up(&cfg, &lab, &msg);
	if (err) {
		if (in_ci())
			fail_msg("cannot build the veth lab %s: %s (%s)", f->prefix, msg,
				 strerror(-err));
		print_message("SKIP: cannot build the veth lab: %s\n", msg);
		skip();
	}
	assert_int_equal(xt_tx_csum_offload_get(lab.ns_tx, lab.if_tx), 0);
	assert_int_equal(xt_tx_csum_offload_get(lab.ns_rx, lab.if_rx), 0);
	assert_int_equal(xt_warn_tx_csum_offload(lab.ns_rx, lab.if_rx), 0);
	/* Both kinds under one prefix do not clash. */
	lab3_up(f, &(struct xt_lab3_config){ 0 });
	assert_true(xt_lab_exists(f->prefix));
	assert_int_equal(xt_lab3_down(f->prefix), 0);
	assert_true(xt_lab_exists(f->prefix));
	assert_false(xt_lab3_exists(f->prefix));
	assert_int_equal(xt_lab3_down(f->prefix), 0);
}

static void test_cli(void **state)
{
	struct fixture *f = *state;

	if (geteuid() != 0) {
		if (in_ci())
			fail_msg("the CLI test needs root");
		print_message("SKIP: the CLI test needs root\n");
		skip();
	}
	assert_int_equal(TOOL("xskb-lab", "--help"), 0);
	assert_int_equal(TOOL("xskb-lab", "up", "--ip-forward", "-p", f->prefix), 2);
	assert_int_equal(TOOL("xskb-lab", "show", "--proxy", "--gro", "-p", f->prefix), 2);
	assert_false(xt_lab3_exists(f->prefix));

	assert_int_equal(TOOL("xskb-lab", "up", "--proxy", "-p", f->prefix, "--ip-forward",
			      "--queues", "2", "--json"), 0);
	assert_int_equal(xt_lab3_get(f->prefix, &f->lab), 0);
	assert_true(f->lab.ip_forward);
	assert_int_equal(f->lab.queues, 2);
	assert_int_equal(TOOL("xskb-lab", "up", "--proxy", "-p", f->prefix), 1);
	assert_int_equal(TOOL("xskb-lab", "show", "--proxy", "-p", f->prefix), 0);
	assert_int_equal(TOOL("xskb-lab", "show", "-p", f->prefix), 1);	/* no two-ns lab */
	assert_true(udp_exchange(f, AF_INET));

	assert_int_equal(TOOL("xskb-lab", "down", "-p", f->prefix), 0);
	assert_false(ns_present(f->lab.ns_client));
	assert_false(ns_present(f->lab.ns_proxy));
	assert_false(ns_present(f->lab.ns_backend));
	assert_int_equal(TOOL("xskb-lab", "down", "-p", f->prefix), 0);
	assert_int_equal(TOOL("xskb-lab", "show", "--proxy", "-p", f->prefix), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_forwarding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_forwarding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_and_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_namespace_lab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
