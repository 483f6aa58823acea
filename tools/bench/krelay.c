/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-krelay: the kernel-socket UDP relay that xskb-udp-proxy is measured
 * against. Datagrams from clients on LISTEN go to BACKEND from a socket of
 * their own per client flow (as a proxy or NAT would), replies from the
 * backend go back to the client that flow belongs to; recvmmsg/sendmmsg in
 * batches, one thread, epoll.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_tool.h"
#include "util.h"

#define PROG "xskb-krelay"
#define BATCH_MAX	256
#define MSG_BUF		2048		/* datagrams up to an MTU of 1500 and a bit */
#define SOCK_BUF	(4u << 20)
#define LISTEN_TAG	UINT32_MAX	/* epoll data of the listening socket */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --listen IP:PORT --backend IP:PORT [options]\n"
		"\n"
		"Kernel UDP relay for benchmarks: receives client datagrams on LISTEN, sends\n"
		"each to BACKEND from a socket of its client's own (one per client address\n"
		"and port), and sends what the backend answers on that socket back to the\n"
		"client. recvmmsg()/sendmmsg() batches, epoll, one thread. IPv6 addresses\n"
		"are written [ADDR]:PORT. Exits on SIGINT/SIGTERM, --duration or --count.\n"
		"\n"
		"  -l, --listen IP:PORT    where clients send to (required)\n"
		"  -B, --backend IP:PORT   where their datagrams go (required)\n"
		"  -n, --netns NAME        run inside network namespace NAME (/run/netns/NAME)\n"
		"  -d, --duration SEC      stop after SEC seconds (default: until a signal)\n"
		"  -c, --count N           stop after N datagrams relayed toward the backend\n"
		"  -b, --batch N           datagrams per recvmmsg(), 1..%d (default 64)\n"
		"  -F, --flows N           client flows kept, 1..65536 (default 1024); the\n"
		"                          datagrams of further clients are dropped\n"
		"      --cpu N             pin to CPU N\n"
		"      --json              print a JSON summary on stdout at exit\n"
		"      --quiet             no messages on stderr except errors\n"
		"  -h, --help              this text\n"
		"\n"
		"JSON: to_backend, to_client (datagrams relayed each way), flows,\n"
		"dropped_no_flow, send_errors, seconds, active_seconds, pps (both ways per\n"
		"second over the active window), to_backend_pps, to_client_pps.\n"
		"Exit status: 0 ok, 1 failure, 2 bad usage.\n", BATCH_MAX);
}

#define die_usage(...) xt_usage_error(PROG, __VA_ARGS__)
#define num(opt, s, min, max) xt_opt_u64(PROG, opt, s, min, max, true)

struct opts {
	const char *netns;
	struct sockaddr_storage listen, backend;
	socklen_t listen_len, backend_len;
	unsigned int batch, flows;
	int cpu;
	bool json, quiet;
	uint64_t duration_ns, count;
};

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_CPU = 256, O_JSON, O_QUIET };
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "backend", required_argument, NULL, 'B' },
		{ "netns", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, 'b' },
		{ "flows", required_argument, NULL, 'F' },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool have_l = false, have_b = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->batch = 64;
	o->flows = 1024;
	o->cpu = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:B:n:d:c:b:F:h", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (udp_parse_addr(optarg, &o->listen, &o->listen_len))
				die_usage("--listen: '%s' is not IP:PORT or [IPv6]:PORT", optarg);
			have_l = true;
			break;
		case 'B':
			if (udp_parse_addr(optarg, &o->backend, &o->backend_len))
				die_usage("--backend: '%s' is not IP:PORT or [IPv6]:PORT", optarg);
			have_b = true;
			break;
		case 'n': o->netns = optarg; break;
		case 'd':
			o->duration_ns = num("--duration", optarg, 1, 86400) * 1000000000ull;
			break;
		case 'c': o->count = num("--count", optarg, 1, UINT64_MAX); break;
		case 'b': o->batch = (unsigned int)num("--batch", optarg, 1, BATCH_MAX); break;
		case 'F': o->flows = (unsigned int)num("--flows", optarg, 1, 65536); break;
		case O_CPU: o->cpu = (int)num("--cpu", optarg, 0, CPU_SETSIZE - 1); break;
		case O_JSON: o->json = true; break;
		case O_QUIET: o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: xt_bad_option(PROG, argv, c);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!have_l || !have_b)
		die_usage("--listen and --backend are required%s", "");
}

/* ---- flows ------------------------------------------------------------------- */

struct flow {
	struct sockaddr_storage client;
	socklen_t client_len;
	int fd;			/* connected to the backend; -1: slot free */
};

struct relay {
	const struct opts *o;
	int lfd, ep;
	struct flow *flows;
	unsigned int nr_flows;
	uint32_t *hash;		/* flow index + 1, 0 = empty; open addressing */
	unsigned int hash_mask;
	/* one batch of datagrams and the messages that send them on */
	struct mmsghdr *rx, *tx;
	struct iovec *iov, *txiov;
	struct sockaddr_storage *names;
	unsigned char *bufs;
	uint64_t to_backend, to_client, no_flow, send_errors;
	uint64_t t_first, t_last;
};

static uint32_t addr_hash(const struct sockaddr_storage *ss)
{
	const unsigned char *p = (const unsigned char *)ss;
	size_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					       : sizeof(struct sockaddr_in);
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static bool addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

	return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
}

static void sock_bufs(int fd)
{
	int v = (int)SOCK_BUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

/* The flow of client @ss, created on first sight; NULL when the table is full
 * or the upstream socket cannot be made. */
static struct flow *flow_get(struct relay *r, const struct sockaddr_storage *ss, socklen_t len)
{
	uint32_t h = addr_hash(ss) & r->hash_mask;
	struct epoll_event ev = { .events = EPOLLIN };
	struct flow *f;
	int fd;

	for (;; h = (h + 1) & r->hash_mask) {
		uint32_t i = r->hash[h];

		if (!i)
			break;
		if (addr_equal(&r->flows[i - 1].client, ss))
			return &r->flows[i - 1];
	}
	if (r->nr_flows >= r->o->flows)
		return NULL;
	fd = socket(r->o->backend.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	sock_bufs(fd);
	ev.data.u32 = r->nr_flows;
	if (connect(fd, (const struct sockaddr *)&r->o->backend, r->o->backend_len) ||
	    epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		return NULL;
	}
	f = &r->flows[r->nr_flows];
	f->client = *ss;
	f->client_len = len;
	f->fd = fd;
	r->hash[h] = ++r->nr_flows;
	return f;
}

/* sendmmsg() all of @n, a few tries; what is left counts as send errors. */
static unsigned int send_all(struct relay *r, int fd, struct mmsghdr *m, unsigned int n)
{
	unsigned int done = 0;

	for (int tries = 0; done < n && tries < 4; tries++) {
		int s = sendmmsg(fd, m + done, n - done, MSG_DONTWAIT);

		if (s <= 0)
			break;
		done += (unsigned int)s;
	}
	r->send_errors += n - done;
	return done;
}

static int recv_batch(struct relay *r, int fd)
{
	for (unsigned int i = 0; i < r->o->batch; i++) {
		r->iov[i].iov_len = MSG_BUF;
		r->rx[i].msg_hdr.msg_namelen = sizeof(r->names[i]);
	}
	return recvmmsg(fd, r->rx, r->o->batch, MSG_DONTWAIT, NULL);
}

static void stamp(struct relay *r)
{
	r->t_last = xt_now_ns();
	if (!r->t_first)
		r->t_first = r->t_last;
}

/* Client datagrams: runs of the same flow go out in one sendmmsg(). */
static void from_clients(struct relay *r)
{
	for (int round = 0; round < 4; round++) {
		int got = recv_batch(r, r->lfd);
		struct flow *run_flow = NULL;
		unsigned int run = 0;

		if (got <= 0)
			return;
		for (int i = 0; i <= got; i++) {
			struct flow *f = NULL;

			if (i < got) {
				f = flow_get(r, &r->names[i], r->rx[i].msg_hdr.msg_namelen);
				if (!f)
					r->no_flow++;
			}
			if (run && (f != run_flow || i == got)) {
				r->to_backend += send_all(r, run_flow->fd, r->tx + i - run, run);
				run = 0;
			}
			if (!f)
				continue;
			/* tx[i] sends rx[i]'s bytes on the flow's connected socket. */
			r->txiov[i].iov_len = r->rx[i].msg_len;
			r->tx[i].msg_hdr.msg_name = NULL;
			r->tx[i].msg_hdr.msg_namelen = 0;
			run_flow = f;
			run++;
		}
		stamp(r);
		if ((unsigned int)got < r->o->batch)
			return;
	}
}

static void from_backend(struct relay *r, struct flow *f)
{
	for (int round = 0; round < 4; round++) {
		int got = recv_batch(r, f->fd);

		if (got <= 0)
			return;
		for (int i = 0; i < got; i++) {
			r->txiov[i].iov_len = r->rx[i].msg_len;
			r->tx[i].msg_hdr.msg_name = &f->client;
			r->tx[i].msg_hdr.msg_namelen = f->client_len;
		}
		r->to_client += send_all(r, r->lfd, r->tx, (unsigned int)got);
		stamp(r);
		if ((unsigned int)got < r->o->batch)
			return;
	}
}

static int relay_init(struct relay *r, const struct opts *o)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = LISTEN_TAG };
	unsigned int hsize = 1;
	int one = 1;

	memset(r, 0, sizeof(*r));
	r->o = o;
	r->lfd = r->ep = -1;
	while (hsize < 2 * o->flows)
		hsize <<= 1;
	r->hash_mask = hsize - 1;
	r->hash = calloc(hsize, sizeof(*r->hash));
	r->flows = calloc(o->flows, sizeof(*r->flows));
	r->rx = calloc(o->batch, sizeof(*r->rx));
	r->tx = calloc(o->batch, sizeof(*r->tx));
	r->iov = calloc(o->batch, sizeof(*r->iov));
	r->txiov = calloc(o->batch, sizeof(*r->txiov));
	r->names = calloc(o->batch, sizeof(*r->names));
	r->bufs = malloc((size_t)o->batch * MSG_BUF);
	if (!r->hash || !r->flows || !r->rx || !r->tx || !r->iov || !r->txiov || !r->names ||
	    !r->bufs) {
		fprintf(stderr, PROG ": out of memory\n");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < o->batch; i++) {
		r->iov[i].iov_base = r->txiov[i].iov_base = r->bufs + (size_t)i * MSG_BUF;
		r->rx[i].msg_hdr.msg_iov = &r->iov[i];
		r->rx[i].msg_hdr.msg_iovlen = 1;
		r->rx[i].msg_hdr.msg_name = &r->names[i];
		r->tx[i].msg_hdr.msg_iov = &r->txiov[i];
		r->tx[i].msg_hdr.msg_iovlen = 1;
	}
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	r->lfd = socket(o->listen.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->ep < 0 || r->lfd < 0) {
		fprintf(stderr, PROG ": socket/epoll: %s\n", strerror(errno));
		return -errno;
	}
	sock_bufs(r->lfd);
	setsockopt(r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(r->lfd, (const struct sockaddr *)&o->listen, o->listen_len) ||
	    epoll_ctl(r->ep, EPOLL_CTL_ADD, r->lfd, &ev)) {
		int err = -errno;

		fprintf(stderr, PROG ": cannot listen: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

static void relay_free(struct relay *r)
{
	for (unsigned int i = 0; i < r->nr_flows; i++)
		close(r->flows[i].fd);
	if (r->lfd >= 0)
		close(r->lfd);
	if (r->ep >= 0)
		close(r->ep);
	free(r->hash);
	free(r->flows);
	free(r->rx);
	free(r->tx);
	free(r->iov);
	free(r->txiov);
	free(r->names);
	free(r->bufs);
}

int main(int argc, char **argv)
{
	struct epoll_event evs[64];
	struct relay r;
	struct opts o;
	uint64_t t0, t_end;
	int err;

	parse(argc, argv, &o);
	if (bench_tool_start(PROG, o.netns, o.cpu))
		return 1;
	err = relay_init(&r, &o);
	if (err) {
		relay_free(&r);
		return 1;
	}
	if (!o.quiet)
		fprintf(stderr, PROG ": relaying\n");
	t0 = xt_now_ns();
	while (!bench_stop) {
		int n = epoll_wait(r.ep, evs, 64, 100);

		for (int i = 0; i < n; i++) {
			if (evs[i].data.u32 == LISTEN_TAG)
				from_clients(&r);
			else
				from_backend(&r, &r.flows[evs[i].data.u32]);
		}
		if (o.duration_ns && xt_now_ns() - t0 >= o.duration_ns)
			break;
		if (o.count && r.to_backend >= o.count)
			break;
	}
	t_end = xt_now_ns();
	if (o.json) {
		double secs = (double)(t_end - t0) / 1e9;
		double active = r.t_first ? (double)(r.t_last - r.t_first) / 1e9 : 0;

		printf("{\"tool\":\"" PROG "\",\"seconds\":%.6f,\"active_seconds\":%.6f,"
		       "\"to_backend\":%" PRIu64 ",\"to_client\":%" PRIu64 ",\"flows\":%u,"
		       "\"dropped_no_flow\":%" PRIu64 ",\"send_errors\":%" PRIu64 ",\"pps\":%.1f,"
		       "\"to_backend_pps\":%.1f,\"to_client_pps\":%.1f}\n",
		       secs, active, r.to_backend, r.to_client, r.nr_flows, r.no_flow, r.send_errors,
		       active > 0 ? (double)(r.to_backend + r.to_client) / active : 0.0,
		       active > 0 ? (double)r.to_backend / active : 0.0,
		       active > 0 ? (double)r.to_client / active : 0.0);
	} else if (!o.quiet) {
		fprintf(stderr, PROG ": %" PRIu64 " to the backend, %" PRIu64 " to clients, %u flows\n",
			r.to_backend, r.to_client, r.nr_flows);
	}
	relay_free(&r);
	return 0;
}
