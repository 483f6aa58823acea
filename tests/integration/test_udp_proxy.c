/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-udp-proxy end to end on the three-namespace lab: kernel UDP sockets in
 * the client namespace talk through the proxy to an echo server in the
 * backend namespace. Kernel sockets drop datagrams with bad checksums, so
 * every reply received byte for byte proves the incremental checksum updates
 * in both directions; /proc/net/snmp(6) must show no checksum error either.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lab_fixture.h"

#ifndef XSKB_UDP_PROXY_BIN
#error "XSKB_UDP_PROXY_BIN must name the xskb-udp-proxy binary"
#endif

#define LISTEN_PORT 5000
#define BACKEND_PORT 9000
#define CLIENTS 4		/* sockets with ports of their own, at once */
#define DATAGRAMS 2000		/* per relay test, over all clients */
#define WINDOW 16		/* datagrams in flight per client */

static struct xt_lab3 lab;
static char prefix[16];
static char workdir[64];
static bool lab_skip;
struct echo;
/* What a failed test left running: the next test (or the group's end) stops it. */
static pid_t live_proxy;
static struct echo *live_echo;

/* ---- running things in a namespace ------------------------------------------ */

struct ns_job {
	const char *ns;
	void *(*fn)(void *);
	void *arg;
	void *ret;
	int err;
};

static void *ns_thread(void *p)
{
	struct ns_job *j = p;

	j->err = xt_netns_enter(j->ns);
	if (!j->err)
		j->ret = j->fn(j->arg);
	return NULL;
}

static void ns_start(struct ns_job *j, pthread_t *t)
{
	assert_int_equal(pthread_create(t, NULL, ns_thread, j), 0);
}

static void ns_join(struct ns_job *j, pthread_t t)
{
	assert_int_equal(pthread_join(t, NULL), 0);
	if (j->err)
		fail_msg("cannot enter %s: %s", j->ns, strerror(-j->err));
}

/* Run @fn(@arg) in a thread inside @ns and return its result. */
static void *in_ns(const char *ns, void *(*fn)(void *), void *arg)
{
	struct ns_job j = { .ns = ns, .fn = fn, .arg = arg };
	pthread_t t;

	ns_start(&j, &t);
	ns_join(&j, t);
	return j.ret;
}

/* ---- the echo server (backend namespace) ------------------------------------- */

struct echo {
	int family;
	bool no_check;		/* send replies without a UDP checksum (IPv4) */
	int stop;		/* atomic */
	unsigned long long echoed;
	struct ns_job job;
	pthread_t thread;
};

static int udp_socket(int family, uint16_t port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, buf = 4 << 20;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, family == AF_INET ? (struct sockaddr *)&a4 : (struct sockaddr *)&a6,
		 family == AF_INET ? sizeof(a4) : sizeof(a6))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void *echo_main(void *arg)
{
	struct echo *e = arg;
	static char buf[65536];
	uint64_t deadline = xt_now_ns() + 120000000000ull;	/* a test never runs longer */
	int fd = udp_socket(e->family, BACKEND_PORT), one = 1;

	if (fd < 0)
		return (void *)(intptr_t)fd;
	if (e->no_check)
		setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one));
	while (!__atomic_load_n(&e->stop, __ATOMIC_ACQUIRE) && xt_now_ns() < deadline) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n >= 0 && sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl) == n)
			e->echoed++;
	}
	close(fd);
	return NULL;
}

static void echo_start(struct echo *e, int family, bool no_check)
{
	memset(e, 0, sizeof(*e));
	e->family = family;
	e->no_check = no_check;
	e->job = (struct ns_job){ .ns = lab.ns_backend, .fn = echo_main, .arg = e };
	ns_start(&e->job, &e->thread);
	live_echo = e;
	usleep(100000);		/* bound before the first datagram */
}

static void echo_stop(struct echo *e)
{
	__atomic_store_n(&e->stop, 1, __ATOMIC_RELEASE);
	live_echo = NULL;
	ns_join(&e->job, e->thread);
	assert_null(e->job.ret);	/* the socket was bound */
}

/* ---- the proxy process ---------------------------------------------------------- */

struct proxy_run {
	pid_t pid;
	char out[96], err[96];
};

static const char *proxy_ip(int family)
{
	return family == AF_INET ? XT_LAB3_IP_PROXY_A : XT_LAB3_IP6_PROXY_A;
}

static const char *backend_ip(int family)
{
	return family == AF_INET ? XT_LAB3_IP_BACKEND : XT_LAB3_IP6_BACKEND;
}

static char *slurp(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/* Start the proxy in the proxy namespace with @extra arguments (NULL-ended)
 * and wait for its banner: the programs are attached and the queues bound. */
static void proxy_start(struct proxy_run *r, int family, const char *const *extra)
{
	char listen[96], backend[96];
	const char *argv[32] = { XSKB_UDP_PROXY_BIN, "-n", lab.ns_proxy, "--listen", listen,
				 "--backend", backend, "--json" };
	posix_spawn_file_actions_t fa;
	int n = 8, err;

	snprintf(listen, sizeof(listen), "%s,%s,%d", lab.proxy_a.ifname, proxy_ip(family),
		 LISTEN_PORT);
	snprintf(backend, sizeof(backend), "%s,%s,%d", lab.proxy_b.ifname, backend_ip(family),
		 BACKEND_PORT);
	for (; extra && *extra && n < 30; extra++)
		argv[n++] = *extra;
	snprintf(r->out, sizeof(r->out), "%s/proxy.json", workdir);
	snprintf(r->err, sizeof(r->err), "%s/proxy.err", workdir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, r->out, O_WRONLY | O_CREAT | O_TRUNC,
					 0644);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, r->err, O_WRONLY | O_CREAT | O_TRUNC,
					 0644);
	err = posix_spawn(&r->pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(err, 0);
	live_proxy = r->pid;
	for (int i = 0; i < 200; i++) {
		if (strstr(slurp(r->err), "Ctrl-C to stop"))
			return;
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid) {
			r->pid = live_proxy = 0;
			fail_msg("xskb-udp-proxy exited during set-up:\n%s", slurp(r->err));
		}
		usleep(50000);
	}
	fail_msg("xskb-udp-proxy printed no banner within 10 s:\n%s", slurp(r->err));
}

/* Send @sig and wait at most 10 s; returns the exit status (-1: it hung and
 * was killed, or died of a signal). */
static int proxy_stop(struct proxy_run *r, int sig)
{
	int status = 0;

	if (!r->pid)
		return -1;
	live_proxy = 0;
	kill(r->pid, sig);
	for (int i = 0; i < 200; i++) {
		if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
			r->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		usleep(50000);
	}
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	r->pid = 0;
	return -1;
}

/* The number after "@key": inside the object "@obj" (NULL: anywhere). */
static long long json_num(const char *js, const char *obj, const char *key)
{
	char pat[64];
	const char *at = js;

	if (obj) {
		snprintf(pat, sizeof(pat), "\"%s\":{", obj);
		at = strstr(js, pat);
		if (!at)
			return -1;
	}
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	at = strstr(at, pat);
	return at ? strtoll(at + strlen(pat), NULL, 10) : -1;
}

/* No XDP program on either proxy interface. */
static void assert_detached(void)
{
	const char *ifs[2] = { lab.proxy_a.ifname, lab.proxy_b.ifname };

	for (int i = 0; i < 2; i++) {
		char cmd[128], line[512];
		bool xdp = false;
		FILE *f;

		snprintf(cmd, sizeof(cmd), "ip -n %s link show %s", lab.ns_proxy, ifs[i]);
		f = popen(cmd, "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			xdp |= strstr(line, "xdp") != NULL;
		assert_int_equal(pclose(f), 0);
		if (xdp)
			fail_msg("an XDP program is still attached to %s", ifs[i]);
	}
}

/* Entries under /sys/fs/bpf/xdp (libxdp's pins), or -1 without bpffs. */
static int bpffs_pins(void)
{
	DIR *d = opendir("/sys/fs/bpf/xdp");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ---- clients (client namespace) ------------------------------------------------ */

struct clients {
	int family;
	unsigned int nr, per_client, max_size;
	bool no_check;
	unsigned int timeout_ms;	/* give up after this long without a reply */
	/* results */
	unsigned long long sent, received, bad, bytes, wrong_source;
	int err;
};

/* Datagram @seq of client @c: its size varies (odd and even, 0 and the
 * largest), its bytes depend on client, sequence and offset. */
static unsigned int dgram_size(const struct clients *cl, unsigned int c, unsigned int seq)
{
	if (seq == 0)
		return cl->max_size;
	if (seq == 1)
		return 0;
	return (seq * 733u + c * 97u) % (cl->max_size + 1);
}

static void dgram_fill(unsigned char *b, unsigned int len, unsigned int c, unsigned int seq)
{
	uint32_t x = (c + 1) * 2654435761u ^ seq * 40503u;

	for (unsigned int i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (unsigned char)(x >> 16);
	}
}

static void *clients_main(void *arg)
{
	struct clients *cl = arg;
	struct sockaddr_in6 to6 = { .sin6_family = AF_INET6, .sin6_port = htons(LISTEN_PORT) };
	struct sockaddr_in to4 = { .sin_family = AF_INET, .sin_port = htons(LISTEN_PORT) };
	struct sockaddr *to = cl->family == AF_INET ? (struct sockaddr *)&to4 : (struct sockaddr *)&to6;
	socklen_t tolen = cl->family == AF_INET ? sizeof(to4) : sizeof(to6);
	unsigned int next_tx[CLIENTS] = { 0 }, next_rx[CLIENTS] = { 0 };
	static unsigned char want[65536], got[65536];
	struct pollfd pfd[CLIENTS];
	uint64_t deadline = xt_now_ns() + 60000000000ull;
	int one = 1;

	inet_pton(AF_INET, XT_LAB3_IP_PROXY_A, &to4.sin_addr);
	inet_pton(AF_INET6, XT_LAB3_IP6_PROXY_A, &to6.sin6_addr);
	for (unsigned int c = 0; c < cl->nr; c++) {
		pfd[c].fd = udp_socket(cl->family, 0);	/* a port of its own */
		pfd[c].events = POLLIN;
		if (pfd[c].fd < 0) {
			cl->err = pfd[c].fd;
			return NULL;
		}
		if (cl->no_check)
			setsockopt(pfd[c].fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one));
	}
	while (xt_now_ns() < deadline) {
		bool more = false;
		int n;

		for (unsigned int c = 0; c < cl->nr; c++) {
			while (next_tx[c] < cl->per_client && next_tx[c] - next_rx[c] < WINDOW) {
				unsigned int len = dgram_size(cl, c, next_tx[c]);

				dgram_fill(want, len, c, next_tx[c]);
				if (sendto(pfd[c].fd, want, len, 0, to, tolen) != (ssize_t)len) {
					cl->err = -errno;
					goto out;
				}
				next_tx[c]++;
				cl->sent++;
			}
			more |= next_rx[c] < cl->per_client;
		}
		if (!more)
			break;
		n = poll(pfd, cl->nr, (int)cl->timeout_ms);
		if (n <= 0)
			break;	/* nothing for timeout_ms: the rest is lost */
		for (unsigned int c = 0; c < cl->nr; c++) {
			struct sockaddr_in6 f6;
			struct sockaddr_in *f4 = (struct sockaddr_in *)&f6;
			socklen_t fl = sizeof(f6);
			ssize_t len;

			if (!(pfd[c].revents & POLLIN))
				continue;
			len = recvfrom(pfd[c].fd, got, sizeof(got), MSG_DONTWAIT, (struct sockaddr *)&f6,
				       &fl);
			if (len < 0)
				continue;
			/* From the proxy's listen address and port, nobody else. */
			if (cl->family == AF_INET ? f4->sin_addr.s_addr != to4.sin_addr.s_addr ||
						    f4->sin_port != to4.sin_port
						  : memcmp(&f6.sin6_addr, &to6.sin6_addr, 16) ||
						    f6.sin6_port != to6.sin6_port)
				cl->wrong_source++;
			/* The reply to this client's oldest datagram in flight: one path,
			 * one queue, so replies come in order. */
			{
				unsigned int wl = dgram_size(cl, c, next_rx[c]);

				dgram_fill(want, wl, c, next_rx[c]);
				if ((size_t)len == wl && !memcmp(got, want, wl)) {
					cl->received++;
					cl->bytes += wl;
				} else {
					cl->bad++;
				}
			}
			next_rx[c]++;
		}
	}
out:
	for (unsigned int c = 0; c < cl->nr; c++)
		close(pfd[c].fd);
	return NULL;
}

static void clients_run(struct clients *cl)
{
	cl->sent = cl->received = cl->bad = cl->bytes = cl->wrong_source = 0;
	cl->err = 0;
	in_ns(lab.ns_client, clients_main, cl);
	if (cl->err)
		fail_msg("client: %s", strerror(-cl->err));
}

/* ---- counters and neighbours read inside a namespace ------------------------- */

struct snmp_read {
	int family;
	long long in_csum_errors, in_errors;
};

/* Udp: InCsumErrors and InErrors (IPv4: two lines, names then values; IPv6:
 * "Udp6InCsumErrors N" lines) of the reading thread's namespace. */
static void *snmp_main(void *arg)
{
	struct snmp_read *s = arg;
	char line[1024], names[1024] = "";
	FILE *f = fopen(s->family == AF_INET ? "/proc/thread-self/net/snmp"
					     : "/proc/thread-self/net/snmp6", "r");

	s->in_csum_errors = s->in_errors = -1;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (s->family == AF_INET6) {
			sscanf(line, "Udp6InCsumErrors %lld", &s->in_csum_errors);
			sscanf(line, "Udp6InErrors %lld", &s->in_errors);
		} else if (!strncmp(line, "Udp: ", 5) && !names[0]) {
			strcpy(names, line);
		} else if (!strncmp(line, "Udp: ", 5)) {
			char *sn, *sv, *n = strtok_r(names + 5, " \n", &sn);
			char *v = strtok_r(line + 5, " \n", &sv);

			for (; n && v; n = strtok_r(NULL, " \n", &sn), v = strtok_r(NULL, " \n", &sv)) {
				if (!strcmp(n, "InCsumErrors"))
					s->in_csum_errors = atoll(v);
				else if (!strcmp(n, "InErrors"))
					s->in_errors = atoll(v);
			}
		}
	}
	fclose(f);
	return NULL;
}

static void assert_no_csum_errors(int family)
{
	const char *ns[2] = { lab.ns_client, lab.ns_backend };

	for (int i = 0; i < 2; i++) {
		struct snmp_read s = { .family = family };

		in_ns(ns[i], snmp_main, &s);
		if (s.in_csum_errors != 0 || s.in_errors != 0)
			fail_msg("%s: UDP InCsumErrors %lld, InErrors %lld", ns[i], s.in_csum_errors,
				 s.in_errors);
	}
}

/* The client learned the proxy's MAC through ARP/ND answered by the proxy
 * namespace's kernel: a dynamic (not permanent) entry with proxy_a's MAC. */
static void assert_neighbour_learned(int family)
{
	char cmd[160], line[256], mac[18];
	const uint8_t *m = lab.proxy_a.mac;
	bool found = false;
	FILE *f;

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	snprintf(cmd, sizeof(cmd), "ip -n %s %s neigh show %s dev %s", lab.ns_client,
		 family == AF_INET ? "-4" : "-6", proxy_ip(family), lab.client.ifname);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		found |= strstr(line, mac) && !strstr(line, "PERMANENT");
	pclose(f);
	if (!found)
		fail_msg("the client has no ARP/ND entry %s -> %s", proxy_ip(family), mac);
}

/* ---- tests ------------------------------------------------------------------------ */

static void relay(int family)
{
	struct clients cl = { .family = family, .nr = CLIENTS, .per_client = DATAGRAMS / CLIENTS,
			      .max_size = family == AF_INET ? 1472 : 1452, .timeout_ms = 2000 };
	int pins = bpffs_pins();
	struct proxy_run r = { 0 };
	struct echo e;
	const char *js;

	if (lab_skip)
		skip();
	echo_start(&e, family, false);
	proxy_start(&r, family, NULL);
	clients_run(&cl);
	assert_int_equal(proxy_stop(&r, SIGINT), 0);
	echo_stop(&e);
	js = slurp(r.out);
	print_message("%s: sent %llu, received %llu byte for byte (%llu payload bytes), bad %llu\n",
		      family == AF_INET ? "IPv4" : "IPv6", cl.sent, cl.received, cl.bytes, cl.bad);
	assert_int_equal(cl.sent, DATAGRAMS);
	assert_int_equal(cl.received, DATAGRAMS);
	assert_int_equal(cl.bad, 0);
	assert_int_equal(cl.wrong_source, 0);
	assert_int_equal(e.echoed, DATAGRAMS);
	assert_int_equal(json_num(js, "to_backend", "datagrams"), DATAGRAMS);
	assert_int_equal(json_num(js, "to_client", "datagrams"), DATAGRAMS);
	assert_int_equal(json_num(js, "to_backend", "bytes"), (long long)cl.bytes);
	assert_int_equal(json_num(js, "to_client", "bytes"), (long long)cl.bytes);
	assert_int_equal(json_num(js, "flows", "created"), CLIENTS);
	assert_int_equal(json_num(js, "flows", "active"), CLIENTS);
	assert_int_equal(json_num(js, "drops", "tx"), 0);
	assert_int_equal(json_num(js, "drops", "other_dst"), 0);
	/* Forwarded from the frames they arrived in: one UMEM for both legs. */
	assert_non_null(strstr(js, "\"shared_umem\":true"));
	assert_int_equal(json_num(js, "tx", "zerocopy"), 2 * DATAGRAMS);
	assert_int_equal(json_num(js, "tx", "copied"), 0);
	assert_no_csum_errors(family);
	assert_neighbour_learned(family);
	assert_detached();
	assert_int_equal(bpffs_pins(), pins);
}

static void test_relay_ipv4(void **state)
{
	(void)state;
	relay(AF_INET);
}

static void test_relay_ipv6(void **state)
{
	(void)state;
	relay(AF_INET6);
}

/* IPv4 UDP without a checksum (0) in both directions: it must stay 0, or the
 * kernel would check what the incremental update made of it and drop it. */
static void test_no_udp_checksum_ipv4(void **state)
{
	struct clients cl = { .family = AF_INET, .nr = 2, .per_client = 100, .max_size = 1472,
			      .no_check = true, .timeout_ms = 2000 };
	struct proxy_run r = { 0 };
	struct echo e;

	(void)state;
	if (lab_skip)
		skip();
	echo_start(&e, AF_INET, true);
	proxy_start(&r, AF_INET, NULL);
	clients_run(&cl);
	assert_int_equal(proxy_stop(&r, SIGTERM), 0);
	echo_stop(&e);
	assert_int_equal(cl.received, 200);
	assert_int_equal(cl.bad, 0);
	assert_no_csum_errors(AF_INET);
	assert_detached();
}

/* Two backend-side ports: a third client finds none until the first two
 * flows expire, then gets a port of its own. */
static void test_flow_expiry(void **state)
{
	const char *extra[] = { "--ports", "61000-61001", "--idle-timeout", "1", NULL };
	struct clients one = { .family = AF_INET, .nr = 2, .per_client = 5, .max_size = 100,
			       .timeout_ms = 2000 };
	struct clients late = { .family = AF_INET, .nr = 3, .per_client = 1, .max_size = 100,
				.timeout_ms = 500 };
	struct proxy_run r = { 0 };
	struct echo e;
	const char *js;

	(void)state;
	if (lab_skip)
		skip();
	echo_start(&e, AF_INET, false);
	proxy_start(&r, AF_INET, extra);
	clients_run(&one);
	assert_int_equal(one.received, 10);
	/* Three new clients while two flows hold both ports: one is refused. The
	 * clients' replies come back in order, so the refused one stops them at
	 * its datagram; what matters is the proxy's count. */
	clients_run(&late);
	usleep(2500000);	/* idle timeout 1 s, swept once a second */
	clients_run(&one);
	assert_int_equal(one.received, 10);
	assert_int_equal(proxy_stop(&r, SIGINT), 0);
	echo_stop(&e);
	js = slurp(r.out);
	print_message("flows created %lld, expired %lld, no_port drops %lld\n",
		      json_num(js, "flows", "created"), json_num(js, "flows", "expired"),
		      json_num(js, "drops", "no_port"));
	assert_true(json_num(js, "drops", "no_port") >= 1);
	assert_true(json_num(js, "flows", "expired") >= 2);
	assert_true(json_num(js, "flows", "created") >= 4);
	assert_true(json_num(js, "flows", "active") <= 2);
	assert_detached();
}

struct flood {
	int stop;
	unsigned long long sent;
	int err;
};

static void *flood_main(void *arg)
{
	struct flood *fl = arg;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(LISTEN_PORT) };
	uint64_t deadline = xt_now_ns() + 20000000000ull;
	static unsigned char buf[1000];
	int fd = udp_socket(AF_INET, 0);

	if (fd < 0) {
		fl->err = fd;
		return NULL;
	}
	inet_pton(AF_INET, XT_LAB3_IP_PROXY_A, &to.sin_addr);
	for (unsigned long long i = 0; i < 5000000 && xt_now_ns() < deadline &&
				       !__atomic_load_n(&fl->stop, __ATOMIC_ACQUIRE); i++) {
		buf[0] = (unsigned char)i;
		if (sendto(fd, buf, 1 + i % 999, 0, (struct sockaddr *)&to, sizeof(to)) > 0)
			fl->sent++;
	}
	close(fd);
	return NULL;
}

/* SIGINT while datagrams pour in: a clean exit with its summary, nothing
 * left attached, and the kernel has the interfaces back. */
static void test_sigint_mid_flood(void **state)
{
	struct flood fl = { 0 };
	struct ns_job job = { .fn = flood_main, .arg = &fl };
	struct proxy_run r = { 0 };
	int pins = bpffs_pins();
	struct echo e;
	pthread_t t;
	const char *js;

	(void)state;
	if (lab_skip)
		skip();
	job.ns = lab.ns_client;
	echo_start(&e, AF_INET, false);
	proxy_start(&r, AF_INET, NULL);
	ns_start(&job, &t);
	usleep(500000);
	assert_int_equal(proxy_stop(&r, SIGINT), 0);
	__atomic_store_n(&fl.stop, 1, __ATOMIC_RELEASE);
	ns_join(&job, t);
	echo_stop(&e);
	js = slurp(r.out);
	print_message("flood: %llu sent, %lld relayed before SIGINT\n", fl.sent,
		      json_num(js, "to_backend", "datagrams"));
	assert_int_equal(fl.err, 0);
	assert_true(json_num(js, "to_backend", "datagrams") > 0);
	assert_detached();
	assert_int_equal(bpffs_pins(), pins);
	/* The proxy namespace's kernel answers on its own again. */
	{
		struct clients cl = { .family = AF_INET, .nr = 1, .per_client = 1, .max_size = 10,
				      .timeout_ms = 300 };

		clients_run(&cl);	/* the kernel has no socket on 5000: no reply */
		assert_int_equal(cl.received, 0);
	}
}

/* ---- group set-up ------------------------------------------------------------- */

/* After a failed test: no proxy left attached, no echo server on the port. */
static int leftovers(void **state)
{
	(void)state;
	if (live_proxy) {
		kill(live_proxy, SIGKILL);
		waitpid(live_proxy, NULL, 0);
		live_proxy = 0;
	}
	if (live_echo) {
		__atomic_store_n(&live_echo->stop, 1, __ATOMIC_RELEASE);
		pthread_join(live_echo->thread, NULL);
		live_echo = NULL;
	}
	return 0;
}

static int group_setup(void **state)
{
	struct xt_lab3_config cfg = { 0 };
	const char *msg = "";
	int err;

	(void)state;
	snprintf(prefix, sizeof(prefix), "xu%d", getpid() % 100000);
	snprintf(workdir, sizeof(workdir), "/tmp/xskb-udp-proxy.XXXXXX");
	if (!mkdtemp(workdir))
		return -1;
	cfg.prefix = prefix;
	if (geteuid() != 0) {
		fprintf(stderr, "the proxy lab needs root: %s\n",
			in_ci() ? "FAILING (CI=true)" : "skipping");
		lab_skip = true;
		return in_ci() ? -1 : 0;
	}
	xt_lab3_down(prefix);	/* a previous crashed run */
	err = xt_lab3_up(&cfg, &lab, &msg);
	if (err) {
		fprintf(stderr, "cannot build the three-namespace lab %s: %s (%s): %s\n", prefix, msg,
			strerror(-err), in_ci() ? "FAILING (CI=true)" : "skipping");
		lab_skip = true;
		return in_ci() ? -1 : 0;
	}
	return 0;
}

static int group_teardown(void **state)
{
	char path[128];

	leftovers(state);
	if (!lab_skip)
		xt_lab3_down(prefix);
	snprintf(path, sizeof(path), "%s/proxy.json", workdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/proxy.err", workdir);
	unlink(path);
	rmdir(workdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_relay_ipv4, leftovers),
		cmocka_unit_test_teardown(test_relay_ipv6, leftovers),
		cmocka_unit_test_teardown(test_no_udp_checksum_ipv4, leftovers),
		cmocka_unit_test_teardown(test_flow_expiry, leftovers),
		cmocka_unit_test_teardown(test_sigint_mid_flood, leftovers),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
