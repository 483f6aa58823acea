/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Integration tests of the veth lab (up/get/down, errors) and of both
 * generator engines on it, counted exactly at the receiving interface.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "pktgen.h"
#include "util.h"

#include "test_helpers.h"
#include "lab_fixture.h"

#define COUNTER_WAIT_MS	2000

struct fixture {
	char prefix[XT_LAB_PREFIX_MAX + 1];
	int home_ns;			/* where the test thread returns to */
	struct xt_lab lab;
	int xdp_fd;			/* program attached to the rx end, or -1 */
	int pkt_fd;			/* capture socket in the rx namespace, or -1 */
};

static unsigned int fixture_seq;

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	/* pid plus a letter per test: two runs on one machine cannot collide. */
	snprintf(f->prefix, sizeof(f->prefix), "xt%u%c", (unsigned int)getpid() % 10000000u,
		 'a' + fixture_seq++ % 26);
	f->home_ns = xt_netns_open(NULL);
	f->xdp_fd = f->pkt_fd = -1;
	*state = f;
	return f->home_ns < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int ret = 0;

	/* A failed assertion may have left the thread in a lab namespace. */
	xt_netns_set(f->home_ns);
	if (f->pkt_fd >= 0)
		close(f->pkt_fd);
	/* Deleting the namespace destroys the veth and with it the attachment. */
	if (xt_lab_down(f->prefix) || xt_lab_exists(f->prefix)) {
		fprintf(stderr, "teardown: lab %s is still there\n", f->prefix);
		ret = -1;
	}
	if (f->xdp_fd >= 0)
		close(f->xdp_fd);
	close(f->home_ns);
	free(f);
	return ret;
}

/* Bring the fixture's lab up, or skip (fail under CI=true) with the reason. */
static void lab_up(struct fixture *f, unsigned int mtu, unsigned int queues)
{
	struct xt_lab_config cfg = { .prefix = f->prefix, .mtu = mtu, .queues = queues };
	const char *msg = "needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_BPF)";
	int err = -EPERM;

	if (geteuid() == 0)
		err = xt_lab_up(&cfg, &f->lab, &msg);
	if (!err)
		return;
	if (in_ci())
		fail_msg("cannot build the veth lab %s: %s (%s)", f->prefix, msg, strerror(-err));
	print_message("SKIP: cannot build the veth lab %s: %s (%s)\n", f->prefix, msg,
		      strerror(-err));
	skip();
}

static bool ns_present(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return access(path, F_OK) == 0;
}

static struct xt_link_info rx_stats(const struct fixture *f)
{
	struct xt_link_info li;

	assert_int_equal(xt_link_query(f->lab.ns_rx, f->lab.if_rx, &li), 0);
	return li;
}

/* Send from the lab's tx end with the calling thread, then come home. */
static int gen_in_tx(struct fixture *f, struct xt_gen_config *cfg, struct xt_gen_result *res)
{
	const char *msg = NULL;
	int err;

	cfg->ifindex = f->lab.ifindex_tx;
	if (!cfg->max_seconds)
		cfg->max_seconds = 30;
	memcpy(cfg->pkt.src_mac, f->lab.mac_tx, 6);
	memcpy(cfg->pkt.dst_mac, f->lab.mac_rx, 6);
	cfg->pkt.src_ip = f->lab.ip_tx;
	cfg->pkt.dst_ip = f->lab.ip_rx;
	assert_int_equal(xt_netns_enter(f->lab.ns_tx), 0);
	err = xt_gen_run(cfg, res, &msg);
	assert_int_equal(xt_netns_set(f->home_ns), 0);
	if (err)
		print_message("generator: %s (%s)\n", msg ? msg : "?", strerror(-err));
	return err;
}

/* Read a sysctl inside @ns: /proc/sys/net follows the thread's namespace. */
static int ns_sysctl(struct fixture *f, const char *ns, const char *path)
{
	char buf[16] = "";
	ssize_t n;
	int fd;

	assert_int_equal(xt_netns_enter(ns), 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_int_equal(xt_netns_set(f->home_ns), 0);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	return atoi(buf);
}

static void check_sides(const struct xt_lab *lab, unsigned int mtu, unsigned int queues)
{
	struct xt_link_info tx, rx;

	assert_int_equal(xt_link_query(lab->ns_tx, lab->if_tx, &tx), 0);
	assert_int_equal(xt_link_query(lab->ns_rx, lab->if_rx, &rx), 0);
	assert_int_equal(tx.ifindex, lab->ifindex_tx);
	assert_int_equal(rx.ifindex, lab->ifindex_rx);
	assert_memory_equal(tx.mac, lab->mac_tx, 6);
	assert_memory_equal(rx.mac, lab->mac_rx, 6);
	assert_int_equal(lab->mtu, mtu);
	assert_int_equal(lab->queues, queues);
	assert_int_equal(tx.mtu, mtu);
	assert_int_equal(rx.mtu, mtu);
	assert_int_equal(tx.num_rx_queues, queues);
	assert_int_equal(tx.num_tx_queues, queues);
	assert_int_equal(rx.num_rx_queues, queues);
	assert_int_equal(rx.num_tx_queues, queues);
	assert_true(tx.up);
	assert_true(rx.up);
}

static void test_lifecycle(void **state)
{
	struct fixture *f = *state;
	struct xt_lab again, got;
	struct xt_lab_config cfg = { .prefix = f->prefix };
	char name[96];
	const char *msg = NULL;
	static const uint8_t zero[6];

	lab_up(f, 0, 0);
	snprintf(name, sizeof(name), "%s-tx", f->prefix);
	assert_string_equal(f->lab.ns_tx, name);
	assert_true(ns_present(name));
	snprintf(name, sizeof(name), "%s-rx", f->prefix);
	assert_string_equal(f->lab.ns_rx, name);
	assert_true(ns_present(name));
	snprintf(name, sizeof(name), "%st", f->prefix);
	assert_string_equal(f->lab.if_tx, name);
	snprintf(name, sizeof(name), "%sr", f->prefix);
	assert_string_equal(f->lab.if_rx, name);
	assert_string_equal(f->lab.prefix, f->prefix);
	assert_int_equal(ntohl(f->lab.ip_tx.s_addr), 0xc6120001);
	assert_int_equal(ntohl(f->lab.ip_rx.s_addr), 0xc6120002);
	assert_true(f->lab.ifindex_tx > 0);
	assert_true(f->lab.ifindex_rx > 0);
	assert_memory_not_equal(f->lab.mac_tx, zero, 6);
	assert_memory_not_equal(f->lab.mac_rx, zero, 6);
	assert_memory_not_equal(f->lab.mac_tx, f->lab.mac_rx, 6);
	assert_int_equal(f->lab.mac_tx[0] & 1, 0);	/* unicast */
	assert_int_equal(f->lab.mac_rx[0] & 1, 0);
	check_sides(&f->lab, 1500, 1);
	assert_true(xt_lab_exists(f->prefix));

	/* IPv6 is off in both namespaces and on both ends. */
	assert_int_equal(ns_sysctl(f, f->lab.ns_tx, "/proc/sys/net/ipv6/conf/all/disable_ipv6"), 1);
	assert_int_equal(ns_sysctl(f, f->lab.ns_rx, "/proc/sys/net/ipv6/conf/default/disable_ipv6"), 1);
	snprintf(name, sizeof(name), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", f->lab.if_rx);
	assert_int_equal(ns_sysctl(f, f->lab.ns_rx, name), 1);

	assert_int_equal(xt_lab_get(f->prefix, &got), 0);
	assert_memory_equal(&got, &f->lab, sizeof(got));

	/* A second up must fail without touching the first lab. */
	assert_int_equal(xt_lab_up(&cfg, &again, &msg), -EEXIST);
	assert_non_null(msg);
	assert_int_equal(xt_lab_get(f->prefix, &got), 0);
	assert_memory_equal(&got, &f->lab, sizeof(got));

	assert_int_equal(xt_lab_down(f->prefix), 0);
	assert_false(ns_present(f->lab.ns_tx));
	assert_false(ns_present(f->lab.ns_rx));
	assert_false(xt_lab_exists(f->prefix));
	assert_int_equal(xt_lab_get(f->prefix, &got), -ENOENT);
	assert_int_equal(xt_lab_down(f->prefix), 0);	/* idempotent */
}

static void test_jumbo_multiqueue(void **state)
{
	struct fixture *f = *state;
	struct xt_gen_config cfg = {
		.engine = XT_ENGINE_PACKET,
		.count = 1000,
		.pkt = { .tpl = XT_TPL_UDP, .size = XT_PKT_MAX, .src_port = 40000, .dst_port = 9000 },
	};
	struct xt_gen_result res;
	struct xt_link_info before, after;

	lab_up(f, 9000, 4);
	check_sides(&f->lab, 9000, 4);

	before = rx_stats(f);
	assert_int_equal(gen_in_tx(f, &cfg, &res), 0);
	assert_int_equal(res.sent, 1000);
	assert_int_equal(res.bytes, 1000ull * XT_PKT_MAX);
	after = rx_stats(f);
	assert_int_equal(after.rx_packets - before.rx_packets, 1000);
	assert_int_equal(after.rx_bytes - before.rx_bytes, 1000ull * XT_PKT_MAX);
	assert_int_equal(after.rx_dropped, before.rx_dropped);
}

/* In a child: the errno xt_lab_up returns without CAP_SYS_ADMIN / without `ip`. */
static int lab_up_in_child(const char *prefix, bool drop_caps)
{
	struct xt_lab_config cfg = { .prefix = prefix };
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

		if (drop_caps) {
			if (syscall(SYS_capget, &hdr, data))
				_exit(255);
			data[0].effective &= ~(1u << CAP_SYS_ADMIN);
			if (syscall(SYS_capset, &hdr, data))
				_exit(255);
		} else if (setenv("PATH", "/nonexistent", 1)) {
			_exit(255);
		}
		_exit(-xt_lab_up(&cfg, NULL, NULL) & 0xff);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return -WEXITSTATUS(status);
}

static void test_bad_configs(void **state)
{
	struct fixture *f = *state;
	const struct xt_lab_config bad[] = {
		{ .prefix = "" },
		{ .prefix = "Upper" },
		{ .prefix = "a_b" },
		{ .prefix = "a/b" },
		{ .prefix = "abcdefghijk" },		/* 11 characters */
		{ .prefix = f->prefix, .mtu = 67 },
		{ .prefix = f->prefix, .mtu = 9001 },
		{ .prefix = f->prefix, .queues = 65 },
	};
	struct xt_lab lab;
	struct xt_link_info li;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *msg = NULL;

		assert_int_equal(xt_lab_up(&bad[i], &lab, &msg), -EINVAL);
		assert_non_null(msg);
	}
	assert_false(xt_lab_exists(f->prefix));
	assert_false(ns_present("a_b-tx"));
	assert_int_equal(xt_lab_get("Bad", &lab), -EINVAL);
	assert_int_equal(xt_lab_get(f->prefix, NULL), -EINVAL);
	assert_int_equal(xt_lab_get(f->prefix, &lab), -ENOENT);
	assert_int_equal(xt_lab_down("no/slash"), -EINVAL);
	assert_int_equal(xt_lab_down(f->prefix), 0);
	assert_false(xt_lab_exists("x_y"));
	assert_int_equal(xt_link_query("xskb-no-such-ns", "lo", &li), -ENOENT);
	assert_int_equal(xt_link_query(NULL, "xskbnosuch0", &li), -ENODEV);
	assert_int_equal(xt_link_query(NULL, "", &li), -EINVAL);
	assert_int_equal(xt_link_query(NULL, "lo", &li), 0);
	assert_int_equal(li.ifindex, 1);

	if (geteuid() == 0) {
		assert_int_equal(lab_up_in_child(f->prefix, true), -EPERM);
		assert_int_equal(lab_up_in_child(f->prefix, false), -ENOENT);
		assert_false(xt_lab_exists(f->prefix));
	}
}

/* AF_PACKET engine: every frame arrives and nothing else does. */
static void test_gen_packet_exact(void **state)
{
	struct fixture *f = *state;
	struct xt_gen_config cfg = {
		.engine = XT_ENGINE_PACKET,
		.count = 10000,
		.pkt = { .tpl = XT_TPL_UDP, .size = 64, .src_port = 40000, .dst_port = 9000 },
	};
	struct xt_gen_result res;
	struct xt_link_info before, after;

	lab_up(f, 0, 0);
	before = rx_stats(f);
	assert_int_equal(gen_in_tx(f, &cfg, &res), 0);
	assert_int_equal(res.sent, 10000);
	assert_int_equal(res.bytes, 640000);
	assert_true(res.seconds > 0);
	assert_true(res.pps > 0);
	after = rx_stats(f);
	assert_int_equal(after.rx_packets - before.rx_packets, 10000);
	assert_int_equal(after.rx_bytes - before.rx_bytes, 640000);
}

/* A send-only packet socket has protocol 0; this one captures everything. */
static int capture_open(struct fixture *f)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = f->lab.ifindex_rx,
	};
	int fd, sz = 32 << 20;

	assert_int_equal(xt_netns_enter(f->lab.ns_rx), 0);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	assert_int_equal(xt_netns_set(f->home_ns), 0);
	assert_true(fd >= 0);
	/* Room for every test frame: the capture is read only after the run. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return fd;
}

/* Per-frame sequence numbers (wrapping) and source ports, checksums intact. */
static void test_gen_packet_sequence(void **state)
{
	struct fixture *f = *state;
	const uint32_t first = 0xfffffc00u;	/* wraps after 1024 frames */
	const unsigned int count = 2000;
	struct xt_gen_config cfg = {
		.engine = XT_ENGINE_PACKET,
		.count = count,
		.batch = 32,
		.vary_src_port = true,
		.src_port_hi = 5009,
		.pkt = { .tpl = XT_TPL_UDP, .size = 131, .src_port = 5000, .dst_port = 9000,
			 .seq = first },
	};
	struct xt_gen_result res;
	uint8_t buf[256];
	unsigned int got = 0;

	lab_up(f, 0, 0);
	f->pkt_fd = capture_open(f);
	assert_int_equal(gen_in_tx(f, &cfg, &res), 0);
	assert_int_equal(res.sent, count);

	for (int idle = 0; got < count && idle < 10;) {
		struct pollfd p = { .fd = f->pkt_fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t alen = sizeof(from);
		uint32_t seq = 0;
		ssize_t n;

		if (poll(&p, 1, 100) <= 0) {
			idle++;
			continue;
		}
		n = recvfrom(f->pkt_fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &alen);
		assert_true(n > 0);
		/* The rx stack's ICMP port-unreachable replies pass by too. */
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		assert_int_equal(n, 131);
		if (xt_pkt_verify(buf, (size_t)n, &seq))
			fail_msg("frame %u (seq %#x) does not verify", got, seq);
		assert_int_equal(seq, first + got);
		assert_int_equal(buf[34] << 8 | buf[35], 5000 + got % 10);
		got++;
	}
	assert_int_equal(got, count);
}

/* One instruction pair: r0 = XDP_PASS; exit. Enables veth NAPI on the rx end. */
static int attach_xdp_pass(struct fixture *f)
{
	static const struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int err;

	f->xdp_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xt_test_pass", "Dual BSD/GPL", prog, 2, NULL);
	if (f->xdp_fd < 0)
		return f->xdp_fd;
	assert_int_equal(xt_netns_enter(f->lab.ns_rx), 0);
	err = bpf_xdp_attach(f->lab.ifindex_rx, f->xdp_fd, XDP_FLAGS_DRV_MODE, NULL);
	assert_int_equal(xt_netns_set(f->home_ns), 0);
	return err;
}

static void detach_xdp(struct fixture *f)
{
	assert_int_equal(xt_netns_enter(f->lab.ns_rx), 0);
	assert_int_equal(bpf_xdp_detach(f->lab.ifindex_rx, XDP_FLAGS_DRV_MODE, NULL), 0);
	assert_int_equal(xt_netns_set(f->home_ns), 0);
	close(f->xdp_fd);
	f->xdp_fd = -1;
}

static void test_gen_xdp_live(void **state)
{
	struct fixture *f = *state;
	const uint64_t count = 200000;
	struct xt_gen_config cfg = {
		.engine = XT_ENGINE_XDP,
		.count = count,
		.pkt = { .tpl = XT_TPL_UDP, .size = 64, .src_port = 40000, .dst_port = 9000 },
	};
	struct xt_gen_result res;
	struct xt_link_info before, after;
	int err;

	lab_up(f, 0, 0);
	err = attach_xdp_pass(f);
	if (err)
		fail_msg("cannot attach XDP_PASS to %s: %s", f->lab.if_rx, strerror(-err));
	before = rx_stats(f);
	assert_int_equal(gen_in_tx(f, &cfg, &res), 0);
	assert_int_equal(res.sent, count);
	assert_int_equal(res.bytes, count * 64);
	print_message("live frames, 64 bytes, rx end XDP_PASS: %.2f Mpps\n", res.pps / 1e6);
	/*
	 * Every frame is either received or counted as dropped at the rx end
	 * (its 256-entry XDP ring full); the NAPI poll may finish just after the
	 * run returns, hence the bounded wait.
	 */
	for (int ms = 0; ms < COUNTER_WAIT_MS; ms++) {
		after = rx_stats(f);
		if (after.rx_packets + after.rx_dropped - before.rx_packets - before.rx_dropped >= count)
			break;
		usleep(1000);
	}
	assert_int_equal(after.rx_packets + after.rx_dropped - before.rx_packets - before.rx_dropped,
			 count);
	if (after.rx_dropped != before.rx_dropped)
		print_message("note: %llu frames dropped at the rx ring\n",
			      (unsigned long long)(after.rx_dropped - before.rx_dropped));
	assert_true(after.rx_packets - before.rx_packets >= count * 9 / 10);
	assert_int_equal(after.rx_bytes - before.rx_bytes,
			 (after.rx_packets - before.rx_packets) * 64);

	/* Without the program the rx end has no NAPI: nothing is received. */
	detach_xdp(f);
	before = rx_stats(f);
	cfg.count = 1000;
	assert_int_equal(gen_in_tx(f, &cfg, &res), 0);
	assert_int_equal(res.sent, 1000);
	after = rx_stats(f);
	assert_int_equal(after.rx_packets, before.rx_packets);
}

/* Duration and rate bound a run; a stop flag ends it early. */
static void test_gen_bounds(void **state)
{
	struct fixture *f = *state;
	volatile sig_atomic_t stop = 1;
	struct xt_gen_config cfg = {
		.engine = XT_ENGINE_PACKET,
		.count = UINT64_MAX,
		.max_seconds = 0.3,
		.pkt = { .tpl = XT_TPL_UDP, .size = 64, .src_port = 40000, .dst_port = 9000 },
	};
	struct xt_gen_result res;
	struct xt_link_info before, after;

	lab_up(f, 0, 0);
	before = rx_stats(f);
	assert_int_equal(gen_in_tx(f, &cfg, &res), 0);
	assert_true(res.seconds >= 0.3 && res.seconds < 5.0);	/* upper bound: stopped, with room for a loaded machine */
	assert_true(res.sent > 0);
	after = rx_stats(f);
	assert_int_equal(after.rx_packets - before.rx_packets, res.sent);

	/* 500 frames at 2000 pps take 0.25 s (the last one is due at 0.2495 s). */
	cfg.count = 500;
	cfg.rate_pps = 2000;
	cfg.max_seconds = 10;
	assert_int_equal(gen_in_tx(f, &cfg, &res), 0);
	assert_int_equal(res.sent, 500);
	assert_true(res.seconds >= 0.24 && res.seconds < 5.0);

	cfg.stop = &stop;
	assert_int_equal(gen_in_tx(f, &cfg, &res), 0);
	assert_int_equal(res.sent, 0);

	/* Frames over the MTU: EMSGSIZE, nothing counted as sent. */
	cfg.stop = NULL;
	cfg.rate_pps = 0;
	cfg.pkt.size = 1515;
	assert_int_equal(gen_in_tx(f, &cfg, &res), -EMSGSIZE);
	assert_int_equal(res.sent, 0);
}

static void test_cli(void **state)
{
	struct fixture *f = *state;
	struct xt_link_info before, after;

	if (geteuid() != 0) {
		if (in_ci())
			fail_msg("the CLI test needs root");
		print_message("SKIP: the CLI test needs root\n");
		skip();
	}
	assert_int_equal(TOOL("xskb-lab", "--help"), 0);
	assert_int_equal(TOOL("xskb-gen", "--help"), 0);
	assert_int_equal(TOOL("xskb-lab", "bogus"), 2);
	assert_int_equal(TOOL("xskb-lab", "up", "--mtu", "67", "--prefix", f->prefix), 2);
	assert_int_equal(TOOL("xskb-lab", "up", "--queues", "0", "--prefix", f->prefix), 2);
	assert_int_equal(TOOL("xskb-lab", "show", "--mtu", "1500", "--prefix", f->prefix), 2);
	assert_int_equal(TOOL("xskb-lab", "up", "down"), 2);
	assert_int_equal(TOOL("xskb-lab", "--prefix", "UP", "show"), 2);
	assert_false(xt_lab_exists(f->prefix));

	assert_int_equal(TOOL("xskb-lab", "up", "--prefix", f->prefix, "--json"), 0);
	assert_int_equal(xt_lab_get(f->prefix, &f->lab), 0);
	assert_int_equal(TOOL("xskb-lab", "up", "--prefix", f->prefix), 1);
	assert_int_equal(TOOL("xskb-lab", "show", "--prefix", f->prefix), 0);

	before = rx_stats(f);
	assert_int_equal(TOOL("xskb-gen", "--lab", f->prefix, "--engine", "packet", "--count", "1k",
			      "--json"), 0);
	after = rx_stats(f);
	assert_int_equal(after.rx_packets - before.rx_packets, 1000);
	assert_int_equal(TOOL("xskb-gen", "--lab", f->prefix, "--engine", "xdp", "--size", "4000",
			      "--count", "1"), 1);
	assert_int_equal(TOOL("xskb-gen", "--lab", f->prefix, "--count", "0"), 2);
	assert_int_equal(TOOL("xskb-gen", "--lab", f->prefix, "--template", "nope"), 2);
	assert_int_equal(TOOL("xskb-gen", "--lab", f->prefix, "--duration", "-1"), 2);
	assert_int_equal(TOOL("xskb-gen", "--count", "10"), 2);	/* no interface */
	assert_int_equal(TOOL("xskb-gen", "--netns", f->lab.ns_tx, "-i", "nosuch0", "-c", "1"), 1);

	assert_int_equal(TOOL("xskb-lab", "down", "--prefix", f->prefix), 0);
	assert_false(ns_present(f->lab.ns_tx));
	assert_false(ns_present(f->lab.ns_rx));
	assert_int_equal(TOOL("xskb-lab", "down", "--prefix", f->prefix), 0);
	assert_int_equal(TOOL("xskb-lab", "show", "--prefix", f->prefix), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jumbo_multiqueue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_configs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gen_packet_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gen_packet_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gen_xdp_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gen_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
