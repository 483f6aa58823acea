/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-kudp: the kernel's own receive path as a benchmark contender. A UDP
 * socket drained with recvmmsg(), reporting the same JSON fields as xskb-rx
 * and xskb-bare, so "how much faster than a socket" is one division.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util.h"
#include "xdp_count.h"

#define PROG "xskb-kudp"

#define HDR_BYTES	42		/* Ethernet + IPv4 (no options) + UDP */
#define MSG_BUF		(16 * 1024)	/* > the largest lab frame (MTU 9000) */
#define BATCH_MAX	1024
#define DEFAULT_RCVBUF	(32u << 20)
#define RCV_TIMEOUT_US	100000		/* re-check stop conditions this often when idle */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options]\n"
		"\n"
		"Baseline receiver for benchmarks: one kernel UDP socket drained with\n"
		"recvmmsg(). With -i it first attaches a counting XDP_PASS program to\n"
		"IFACE (native mode) and removes it at exit: frames an XDP program sends\n"
		"into a veth (xskb-gen's live-frame engine) only arrive when the receiving\n"
		"end has one. With --echo every datagram goes back to its sender\n"
		"(sendmmsg()): the backend of the UDP proxy benchmarks. Exits on\n"
		"SIGINT/SIGTERM, --duration or --count.\n"
		"\n"
		"  -n, --netns NAME        run inside network namespace NAME (/run/netns/NAME)\n"
		"  -i, --interface IFACE   attach the XDP_PASS program to IFACE\n"
		"  -p, --port N            UDP port to bind (default 9000)\n"
		"  -a, --addr IP           address to bind (default 0.0.0.0)\n"
		"  -d, --duration SEC      stop after SEC seconds (default: until a signal)\n"
		"  -c, --count N           stop after N datagrams\n"
		"  -b, --batch N           datagrams per recvmmsg(), 1..%d (default 64)\n"
		"      --rcvbuf BYTES      socket receive buffer (default %u; SO_RCVBUFFORCE)\n"
		"      --echo              send every datagram back to where it came from\n"
		"      --json              print a JSON summary on stdout at exit\n"
		"      --quiet             no messages on stderr except errors\n"
		"  -h, --help              this text\n"
		"\n"
		"JSON: rx_packets, rx_bytes (as Ethernet frame bytes: payload + %d),\n"
		"rx_payload_bytes, seconds, pps, active_seconds, active_pps, tx_packets and\n"
		"tx_errors (--echo: echoed, not echoed), and the namespace's UDP counters\n"
		"over the run (udp_rcvbuf_errors, udp_in_errors).\n"
		"Exit status: 0 ok, 1 failure, 2 bad usage.\n",
		BATCH_MAX, DEFAULT_RCVBUF, HDR_BYTES);
}

#define die_usage(...) xt_usage_error(PROG, __VA_ARGS__)
#define num(opt, s, min, max) xt_opt_u64(PROG, opt, s, min, max, true)

struct opts {
	const char *netns, *ifname;
	struct in_addr addr;
	unsigned int port, batch, rcvbuf;
	bool json, quiet, echo;
	uint64_t duration_ns, count;
};

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_RCVBUF = 256, O_JSON, O_QUIET, O_ECHO };
	static const struct option lo[] = {
		{ "netns", required_argument, NULL, 'n' },
		{ "interface", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "addr", required_argument, NULL, 'a' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, 'b' },
		{ "rcvbuf", required_argument, NULL, O_RCVBUF },
		{ "json", no_argument, NULL, O_JSON },
		{ "echo", no_argument, NULL, O_ECHO },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->port = 9000;
	o->batch = 64;
	o->rcvbuf = DEFAULT_RCVBUF;
	o->addr.s_addr = htonl(INADDR_ANY);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:i:p:a:d:c:b:h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o->netns = optarg; break;
		case 'i':
			if (!*optarg || strlen(optarg) >= IF_NAMESIZE)
				die_usage("-i: '%s' is not an interface name", optarg);
			o->ifname = optarg;
			break;
		case 'p': o->port = (unsigned int)num("--port", optarg, 1, 65535); break;
		case 'a':
			if (xt_parse_ipv4(optarg, &o->addr))
				die_usage("--addr: '%s' is not an IPv4 address", optarg);
			break;
		case 'd':
			o->duration_ns = num("--duration", optarg, 1, 86400) * 1000000000ull;
			break;
		case 'c': o->count = num("--count", optarg, 1, UINT64_MAX); break;
		case 'b': o->batch = (unsigned int)num("--batch", optarg, 1, BATCH_MAX); break;
		case O_RCVBUF:
			o->rcvbuf = (unsigned int)num("--rcvbuf", optarg, 4096, 1u << 30);
			break;
		case O_JSON: o->json = true; break;
		case O_ECHO: o->echo = true; break;
		case O_QUIET: o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: xt_bad_option(PROG, argv, c);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* ---- UDP counters of this namespace ---------------------------------------- */

struct udp_mib {
	uint64_t in_datagrams, in_errors, rcvbuf_errors;
	bool valid;
};

/* /proc/self/net follows the network namespace of the thread reading it. */
static void udp_mib_read(struct udp_mib *m)
{
	char names[512], values[512];
	FILE *f = fopen("/proc/self/net/snmp", "re");

	memset(m, 0, sizeof(*m));
	if (!f)
		return;
	while (fgets(names, sizeof(names), f)) {
		char *sn, *sv, *n, *v;
		int col = 0;

		if (strncmp(names, "Udp: ", 5) || !fgets(values, sizeof(values), f))
			continue;
		n = strtok_r(names + 5, " \n", &sn);
		v = strtok_r(values + 5, " \n", &sv);
		for (; n && v; n = strtok_r(NULL, " \n", &sn), v = strtok_r(NULL, " \n", &sv)) {
			uint64_t x = strtoull(v, NULL, 10);

			if (!strcmp(n, "InDatagrams"))
				m->in_datagrams = x, col++;
			else if (!strcmp(n, "InErrors"))
				m->in_errors = x, col++;
			else if (!strcmp(n, "RcvbufErrors"))
				m->rcvbuf_errors = x, col++;
		}
		m->valid = col == 3;
		break;
	}
	fclose(f);
}

/* ---- receive ------------------------------------------------------------------ */

struct counts {
	uint64_t packets, payload, t_start, t_first, t_last;
	uint64_t echoed, echo_errors;
};

static int open_socket(const struct opts *o)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->port),
				   .sin_addr = o->addr };
	struct timeval tv = { .tv_sec = 0, .tv_usec = RCV_TIMEOUT_US };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rcvbuf = (int)o->rcvbuf, err;

	if (fd < 0) {
		err = -errno;
		fprintf(stderr, PROG ": socket: %s\n", strerror(-err));
		return err;
	}
	/* A deep buffer absorbs bursts while this thread is off the CPU; FORCE
	 * passes net.core.rmem_max (root), plain RCVBUF is the fallback. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		fprintf(stderr, PROG ": cannot set the receive buffer: %s\n", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		err = -errno;
		fprintf(stderr, PROG ": cannot bind UDP port %u: %s\n", o->port, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

/* Send the @got datagrams just received back to their senders, as they are
 * (each message already names its sender; the iovecs hold its length). */
static void echo(int fd, struct mmsghdr *msgs, int got, struct counts *n)
{
	int done = 0;

	for (int i = 0; i < got; i++)
		msgs[i].msg_hdr.msg_iov->iov_len = msgs[i].msg_len;
	/* Bounded: a full socket buffer costs the rest of the batch. */
	for (int tries = 0; done < got && tries < 4; tries++) {
		int s = sendmmsg(fd, msgs + done, (unsigned int)(got - done), MSG_DONTWAIT);

		if (s <= 0)
			break;
		done += s;
	}
	n->echoed += (uint64_t)done;
	n->echo_errors += (uint64_t)(got - done);
}

static int run(int fd, const struct opts *o, struct counts *n)
{
	struct mmsghdr *msgs = calloc(o->batch, sizeof(*msgs));
	struct iovec *iov = calloc(o->batch, sizeof(*iov));
	struct sockaddr_in *from = calloc(o->batch, sizeof(*from));
	unsigned char *bufs = malloc((size_t)o->batch * MSG_BUF);
	int err = 0;

	if (!msgs || !iov || !bufs || !from) {
		err = -ENOMEM;
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	for (unsigned int i = 0; i < o->batch; i++) {
		iov[i].iov_base = bufs + (size_t)i * MSG_BUF;
		iov[i].iov_len = MSG_BUF;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &from[i];
	}
	n->t_start = xt_now_ns();
	while (!stop_signal) {
		/* MSG_WAITFORONE: block for the first datagram only, then take
		 * what is queued, up to the batch. */
		int got;

		for (unsigned int i = 0; i < o->batch; i++) {
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
			iov[i].iov_len = MSG_BUF;
		}
		got = recvmmsg(fd, msgs, o->batch, MSG_WAITFORONE, NULL);

		if (got < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				err = -errno;
				fprintf(stderr, PROG ": recvmmsg: %s\n", strerror(-err));
				break;
			}
		} else if (got > 0) {
			for (int i = 0; i < got; i++)
				n->payload += msgs[i].msg_len;
			n->packets += (uint64_t)got;
			if (o->echo)
				echo(fd, msgs, got, n);
			n->t_last = xt_now_ns();
			if (!n->t_first)
				n->t_first = n->t_last;
			if (o->count && n->packets >= o->count)
				break;
		}
		if (o->duration_ns && xt_now_ns() - n->t_start >= o->duration_ns)
			break;
	}
out:
	free(bufs);
	free(from);
	free(iov);
	free(msgs);
	return err;
}

static void print_json(const struct opts *o, const struct counts *n, const struct udp_mib *m0,
		       const struct udp_mib *m1, uint64_t t_end)
{
	double secs = (double)(t_end - n->t_start) / 1e9;
	double active = n->t_first ? (double)(n->t_last - n->t_first) / 1e9 : 0;

	printf("{\"tool\":\"" PROG "\",\"interface\":\"%s\",\"port\":%u,\"seconds\":%.6f,"
	       "\"rx_packets\":%" PRIu64 ",\"rx_bytes\":%" PRIu64 ",\"rx_payload_bytes\":%" PRIu64
	       ",\"pps\":%.1f,\"active_seconds\":%.6f,\"active_pps\":%.1f",
	       o->ifname ? o->ifname : "", o->port, secs, n->packets,
	       n->payload + n->packets * HDR_BYTES, n->payload,
	       secs > 0 ? (double)n->packets / secs : 0.0, active,
	       active > 0 ? (double)n->packets / active : 0.0);
	if (o->echo)
		printf(",\"tx_packets\":%" PRIu64 ",\"tx_errors\":%" PRIu64, n->echoed,
		       n->echo_errors);
	if (m0->valid && m1->valid)
		printf(",\"udp_in_datagrams\":%" PRIu64 ",\"udp_in_errors\":%" PRIu64
		       ",\"udp_rcvbuf_errors\":%" PRIu64,
		       m1->in_datagrams - m0->in_datagrams, m1->in_errors - m0->in_errors,
		       m1->rcvbuf_errors - m0->rcvbuf_errors);
	printf("}\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct xdp_count pass = { .prog_fd = -1, .map_fd = -1 };
	struct udp_mib m0, m1;
	struct counts n = { 0 };
	struct sigaction sa;
	struct opts o;
	int fd = -1, err;

	parse(argc, argv, &o);
	if (o.netns && (err = xt_netns_enter(o.netns))) {
		fprintf(stderr, PROG ": cannot enter network namespace %s: %s\n", o.netns,
			strerror(-err));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* No SA_RESTART: a signal ends a blocked recvmmsg() at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fd = open_socket(&o);
	if (fd < 0)
		return 1;
	err = o.ifname ? xdp_count_attach(&pass, o.ifname, XDP_PASS, PROG) : 0;
	if (!err) {
		if (!o.quiet)
			fprintf(stderr, PROG ": UDP port %u%s%s: receiving\n", o.port,
				o.ifname ? ", XDP_PASS on " : "", o.ifname ? o.ifname : "");
		udp_mib_read(&m0);
		err = run(fd, &o, &n);
		udp_mib_read(&m1);
		if (o.json)
			print_json(&o, &n, &m0, &m1, xt_now_ns());
		else if (!o.quiet)
			fprintf(stderr, PROG ": %" PRIu64 " datagrams\n", n.packets);
	}
	xdp_count_detach(&pass, PROG);
	close(fd);
	return err ? 1 : 0;
}
