/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-udpload: UDP clients for the proxy benchmarks. N flows (one connected
 * socket each, so N source ports) send datagrams with sendmmsg() flat out or
 * at a fixed rate to a target (a proxy in front of an echo backend) and
 * count the replies, checking every byte.
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

#define PROG "xskb-udpload"
#define BATCH_MAX	256
#define FLOWS_MAX	1024
#define SIZE_MAX_	1472		/* payload that fits an MTU of 1500 over IPv4 */
#define DRAIN_NS	500000000ull	/* replies still counted this long after the last send */
#define SOCK_BUF	(4u << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --target IP:PORT [options]\n"
		"\n"
		"UDP load client: FLOWS connected sockets (each its own source port) send\n"
		"datagrams round robin with sendmmsg(), flat out or at --rate, and count the\n"
		"replies of an echo behind TARGET; every reply is checked byte for byte (a\n"
		"4-byte sequence number, then the pattern (seq + i * 7) & 0xff). IPv6 as\n"
		"[ADDR]:PORT. Stops after --duration or --count, then waits half a second for\n"
		"replies still on their way.\n"
		"\n"
		"  -t, --target IP:PORT    where to send (required)\n"
		"  -n, --netns NAME        run inside network namespace NAME (/run/netns/NAME)\n"
		"  -F, --flows N           sockets, 1..%d (default 16)\n"
		"  -s, --size BYTES        UDP payload, 4..%d (default 18: 64-byte frames)\n"
		"  -r, --rate PPS          datagrams per second, k/M suffixes (default: flat out)\n"
		"  -d, --duration SEC      send for SEC seconds (default 5)\n"
		"  -c, --count N           send N datagrams at most\n"
		"  -b, --batch N           datagrams per sendmmsg(), 1..%d (default 32)\n"
		"      --cpu N             pin to CPU N\n"
		"      --json              print a JSON summary on stdout at exit\n"
		"      --quiet             no messages on stderr except errors\n"
		"  -h, --help              this text\n"
		"\n"
		"JSON: sent, send_busy (datagrams the socket refused, EAGAIN/ENOBUFS: not\n"
		"counted as sent), received, bad (replies that are not what was sent),\n"
		"seconds (sending), sent_pps, received_pps (replies over the active\n"
		"window, first to last reply). Exit status: 0 ok, 1 failure, 2 bad usage.\n",
		FLOWS_MAX, SIZE_MAX_, BATCH_MAX);
}

#define die_usage(...) xt_usage_error(PROG, __VA_ARGS__)
#define num(opt, s, min, max) xt_opt_u64(PROG, opt, s, min, max, true)

struct opts {
	const char *netns;
	struct sockaddr_storage target;
	socklen_t target_len;
	unsigned int flows, size, batch;
	uint64_t rate, duration_ns, count;
	int cpu;
	bool json, quiet;
};

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_CPU = 256, O_JSON, O_QUIET };
	static const struct option lo[] = {
		{ "target", required_argument, NULL, 't' },
		{ "netns", required_argument, NULL, 'n' },
		{ "flows", required_argument, NULL, 'F' },
		{ "size", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, 'b' },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool have_t = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->flows = 16;
	o->size = 18;
	o->batch = 32;
	o->duration_ns = 5000000000ull;
	o->cpu = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:n:F:s:r:d:c:b:h", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			if (udp_parse_addr(optarg, &o->target, &o->target_len))
				die_usage("--target: '%s' is not IP:PORT or [IPv6]:PORT", optarg);
			have_t = true;
			break;
		case 'n': o->netns = optarg; break;
		case 'F': o->flows = (unsigned int)num("--flows", optarg, 1, FLOWS_MAX); break;
		case 's': o->size = (unsigned int)num("--size", optarg, 4, SIZE_MAX_); break;
		case 'r': o->rate = num("--rate", optarg, 1, 100000000); break;
		case 'd':
			o->duration_ns = num("--duration", optarg, 1, 3600) * 1000000000ull;
			break;
		case 'c': o->count = num("--count", optarg, 1, UINT64_MAX); break;
		case 'b': o->batch = (unsigned int)num("--batch", optarg, 1, BATCH_MAX); break;
		case O_CPU: o->cpu = (int)num("--cpu", optarg, 0, CPU_SETSIZE - 1); break;
		case O_JSON: o->json = true; break;
		case O_QUIET: o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: xt_bad_option(PROG, argv, c);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!have_t)
		die_usage("--target is required%s", "");
}

static inline void fill(unsigned char *p, unsigned int size, uint32_t seq)
{
	p[0] = (unsigned char)(seq >> 24);
	p[1] = (unsigned char)(seq >> 16);
	p[2] = (unsigned char)(seq >> 8);
	p[3] = (unsigned char)seq;
	for (unsigned int i = 4; i < size; i++)
		p[i] = (unsigned char)((seq + i * 7) & 0xff);
}

static inline bool check(const unsigned char *p, unsigned int len, unsigned int size)
{
	uint32_t seq;

	if (len != size)
		return false;
	seq = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	for (unsigned int i = 4; i < size; i++)
		if (p[i] != (unsigned char)((seq + i * 7) & 0xff))
			return false;
	return true;
}

struct load {
	const struct opts *o;
	int *fds, ep;
	struct mmsghdr *msgs;
	struct iovec *iov;
	unsigned char *bufs;
	uint64_t sent, busy, received, bad, t_first, t_last;
};

static void drain(struct load *l)
{
	struct epoll_event evs[64];
	int n = epoll_wait(l->ep, evs, 64, 0);

	for (int e = 0; e < n; e++) {
		int fd = l->fds[evs[e].data.u32];
		int got;

		for (unsigned int i = 0; i < l->o->batch; i++)
			l->iov[i].iov_len = SIZE_MAX_ + 64;
		got = recvmmsg(fd, l->msgs, l->o->batch, MSG_DONTWAIT, NULL);
		for (int i = 0; i < got; i++) {
			if (check(l->iov[i].iov_base, l->msgs[i].msg_len, l->o->size))
				l->received++;
			else
				l->bad++;
		}
		if (got > 0) {
			l->t_last = xt_now_ns();
			if (!l->t_first)
				l->t_first = l->t_last;
		}
	}
}

static int load_init(struct load *l, const struct opts *o)
{
	memset(l, 0, sizeof(*l));
	l->o = o;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	l->fds = calloc(o->flows, sizeof(*l->fds));
	l->msgs = calloc(o->batch, sizeof(*l->msgs));
	l->iov = calloc(o->batch, sizeof(*l->iov));
	l->bufs = malloc((size_t)o->batch * (SIZE_MAX_ + 64));
	if (l->ep < 0 || !l->fds || !l->msgs || !l->iov || !l->bufs) {
		fprintf(stderr, PROG ": out of memory\n");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < o->batch; i++) {
		l->iov[i].iov_base = l->bufs + (size_t)i * (SIZE_MAX_ + 64);
		l->msgs[i].msg_hdr.msg_iov = &l->iov[i];
		l->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (unsigned int f = 0; f < o->flows; f++)
		l->fds[f] = -1;
	for (unsigned int f = 0; f < o->flows; f++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = f };
		int v = (int)SOCK_BUF;

		l->fds[f] = socket(o->target.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (l->fds[f] < 0)
			return -errno;
		if (setsockopt(l->fds[f], SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
			setsockopt(l->fds[f], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
		if (connect(l->fds[f], (const struct sockaddr *)&o->target, o->target_len) ||
		    epoll_ctl(l->ep, EPOLL_CTL_ADD, l->fds[f], &ev)) {
			int err = -errno;

			fprintf(stderr, PROG ": cannot connect a socket to the target: %s\n",
				strerror(-err));
			return err;
		}
	}
	return 0;
}

static void load_free(struct load *l)
{
	for (unsigned int f = 0; l->fds && f < l->o->flows; f++)
		if (l->fds[f] >= 0)
			close(l->fds[f]);
	if (l->ep >= 0)
		close(l->ep);
	free(l->fds);
	free(l->msgs);
	free(l->iov);
	free(l->bufs);
}

int main(int argc, char **argv)
{
	struct load l;
	struct opts o;
	uint64_t t0, t_send_end, now;
	uint32_t seq = 0;
	unsigned int flow = 0;
	int err;

	parse(argc, argv, &o);
	if (bench_tool_start(PROG, o.netns, o.cpu))
		return 1;
	err = load_init(&l, &o);
	if (err) {
		load_free(&l);
		return 1;
	}
	t0 = now = xt_now_ns();
	while (!bench_stop && now - t0 < o.duration_ns && (!o.count || l.sent < o.count)) {
		uint64_t want = o.batch;
		int s;

		if (o.rate) {
			uint64_t due = (uint64_t)((double)(now - t0) * (double)o.rate / 1e9) + 1;

			want = due > l.sent ? due - l.sent : 0;
			if (want > o.batch)
				want = o.batch;
		}
		if (o.count && want > o.count - l.sent)
			want = o.count - l.sent;
		for (unsigned int i = 0; i < want; i++) {
			l.iov[i].iov_len = o.size;
			fill(l.iov[i].iov_base, o.size, seq + i);
		}
		s = want ? sendmmsg(l.fds[flow], l.msgs, (unsigned int)want, MSG_DONTWAIT) : 0;
		if (s > 0) {
			l.sent += (uint64_t)s;
			seq += (uint32_t)s;
		}
		if (want && s < (int)want)
			l.busy += want - (uint64_t)(s > 0 ? s : 0);
		flow = (flow + 1) % o.flows;
		drain(&l);
		now = xt_now_ns();
	}
	t_send_end = xt_now_ns();
	while (!bench_stop && xt_now_ns() - t_send_end < DRAIN_NS && l.received + l.bad < l.sent)
		drain(&l);
	if (o.json) {
		double secs = (double)(t_send_end - t0) / 1e9;
		double active = l.t_first ? (double)(l.t_last - l.t_first) / 1e9 : 0;

		printf("{\"tool\":\"" PROG "\",\"flows\":%u,\"size\":%u,\"rate\":%" PRIu64
		       ",\"seconds\":%.6f,\"sent\":%" PRIu64 ",\"send_busy\":%" PRIu64
		       ",\"received\":%" PRIu64 ",\"bad\":%" PRIu64 ",\"sent_pps\":%.1f"
		       ",\"active_seconds\":%.6f,\"received_pps\":%.1f}\n",
		       o.flows, o.size, o.rate, secs, l.sent, l.busy, l.received, l.bad,
		       secs > 0 ? (double)l.sent / secs : 0.0, active,
		       active > 0 ? (double)l.received / active : 0.0);
	} else if (!o.quiet) {
		fprintf(stderr, PROG ": sent %" PRIu64 ", received %" PRIu64 " (%" PRIu64 " bad)\n",
			l.sent, l.received, l.bad);
	}
	load_free(&l);
	return 0;
}
