/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-sink: count what arrives at the far end of a forwarding benchmark
 * without spending a CPU on it. A counting XDP program (drop, or pass to the
 * kernel) on one interface; this process only reads the counter every few
 * milliseconds to time the first and last packet.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "bench_tool.h"
#include "lab.h"
#include "util.h"
#include "xdp_count.h"

#define PROG "xskb-sink"
#define POLL_NS		2000000ull	/* read the counter every 2 ms */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " -i IFACE [options]\n"
		"\n"
		"Counts the packets arriving on IFACE with an XDP program (native mode) and\n"
		"drops them (default) or passes them to the kernel (--pass). The program also\n"
		"enables veth NAPI, so frames that XDP or AF_XDP send into the peer arrive.\n"
		"Exits on SIGINT/SIGTERM, --duration or --count and detaches the program.\n"
		"\n"
		"  -i, --interface IFACE   interface to count on (required)\n"
		"  -n, --netns NAME        run inside network namespace NAME (/run/netns/NAME)\n"
		"  -d, --duration SEC      stop after SEC seconds (default: until a signal)\n"
		"  -c, --count N           stop after N packets\n"
		"      --pass              XDP_PASS instead of XDP_DROP\n"
		"      --restore-ttl N     first set each frame's destination MAC back to\n"
		"                          IFACE's and an IPv4 TTL back to N (checksum\n"
		"                          updated): for kernel forwarding of live frames,\n"
		"                          whose pages come back rewritten (xdp_count.h)\n"
		"      --json              print a JSON summary on stdout at exit\n"
		"      --quiet             no messages on stderr except errors\n"
		"  -h, --help              this text\n"
		"\n"
		"JSON: rx_packets, rx_bytes, seconds, pps, active_seconds (first to last\n"
		"packet, to within 2 ms), active_pps. Exit status: 0 ok, 1 failure, 2 bad usage.\n");
}

#define die_usage(...) xt_usage_error(PROG, __VA_ARGS__)

struct opts {
	const char *ifname, *netns;
	uint64_t duration_ns, count;
	bool pass, json, quiet;
	unsigned int restore_ttl;	/* 0: no restoring */
};

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_PASS = 256, O_JSON, O_QUIET, O_RESTORE };
	static const struct option lo[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "netns", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "pass", no_argument, NULL, O_PASS },
		{ "restore-ttl", required_argument, NULL, O_RESTORE },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:n:d:c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o->ifname = optarg; break;
		case 'n': o->netns = optarg; break;
		case 'd':
			o->duration_ns = xt_opt_u64(PROG, "--duration", optarg, 1, 86400, false) *
					 1000000000ull;
			break;
		case 'c': o->count = xt_opt_u64(PROG, "--count", optarg, 1, UINT64_MAX, true); break;
		case O_PASS: o->pass = true; break;
		case O_RESTORE:
			o->restore_ttl = (unsigned int)xt_opt_u64(PROG, "--restore-ttl", optarg, 1,
								  255, false);
			break;
		case O_JSON: o->json = true; break;
		case O_QUIET: o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: xt_bad_option(PROG, argv, c);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!o->ifname || !*o->ifname || strlen(o->ifname) >= IF_NAMESIZE)
		die_usage("-i IFACE is required (an interface name)%s", "");
}

int main(int argc, char **argv)
{
	struct xdp_count xc = { .prog_fd = -1, .map_fd = -1 };
	uint64_t pkts = 0, bytes = 0, last = 0, t0, t_first = 0, t_last = 0, t_end;
	struct timespec nap = { .tv_nsec = (long)POLL_NS };
	struct opts o;
	int err;

	parse(argc, argv, &o);
	if (bench_tool_start(PROG, o.netns, -1))
		return 1;
	if (o.restore_ttl) {
		struct xt_link_info li;

		err = xt_link_query(NULL, o.ifname, &li);
		if (err) {
			fprintf(stderr, PROG ": cannot read %s: %s\n", o.ifname, strerror(-err));
			return 1;
		}
		err = xdp_count_attach_restore(&xc, o.ifname, o.pass ? XDP_PASS : XDP_DROP, li.mac,
					       (uint8_t)o.restore_ttl, PROG);
	} else {
		err = xdp_count_attach(&xc, o.ifname, o.pass ? XDP_PASS : XDP_DROP, PROG);
	}
	if (err) {
		xdp_count_detach(&xc, PROG);
		return 1;
	}
	if (!o.quiet)
		fprintf(stderr, PROG ": counting on %s (%s)\n", o.ifname, o.pass ? "pass" : "drop");
	t0 = xt_now_ns();
	while (!bench_stop) {
		uint64_t now;

		nanosleep(&nap, NULL);
		now = xt_now_ns();
		if (xdp_count_read(&xc, &pkts, &bytes))
			break;
		if (pkts != last) {
			/* The first change happened within the last poll. */
			if (!t_first)
				t_first = now - POLL_NS / 2;
			t_last = now;
			last = pkts;
		}
		if (o.count && pkts >= o.count)
			break;
		if (o.duration_ns && now - t0 >= o.duration_ns)
			break;
	}
	t_end = xt_now_ns();
	xdp_count_read(&xc, &pkts, &bytes);
	xdp_count_detach(&xc, PROG);
	if (o.json) {
		double secs = (double)(t_end - t0) / 1e9;
		double active = t_first ? (double)(t_last - t_first) / 1e9 : 0;

		printf("{\"tool\":\"" PROG "\",\"interface\":\"%s\",\"action\":\"%s\","
		       "\"seconds\":%.6f,\"rx_packets\":%" PRIu64 ",\"rx_bytes\":%" PRIu64
		       ",\"pps\":%.1f,\"active_seconds\":%.6f,\"active_pps\":%.1f}\n",
		       o.ifname, o.pass ? "pass" : "drop", secs, pkts, bytes,
		       secs > 0 ? (double)pkts / secs : 0.0, active,
		       active > 0 ? (double)pkts / active : 0.0);
	} else if (!o.quiet) {
		fprintf(stderr, PROG ": %" PRIu64 " packets, %" PRIu64 " bytes\n", pkts, bytes);
	}
	return 0;
}
