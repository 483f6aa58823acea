/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-gen: send template frames out of an interface in a namespace at
 * multi-Mpps (BPF live frames) or with per-frame sequence numbers (AF_PACKET).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "pktgen.h"
#include "util.h"

#define EXIT_USAGE	2
#define DEFAULT_COUNT	1000000
#define DEFAULT_SIZE	64
#define DEFAULT_SPORT	1024
#define DEFAULT_DPORT	9000
#define MAX_DURATION	86400.0

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xskb-gen (--lab PREFIX | [--netns NS] -i IFACE) [options]\n"
		"\n"
		"Send template frames out of IFACE (inside namespace NS) and report\n"
		"sent/bytes/seconds/pps.\n"
		"\n"
		"where:\n"
		"  -L, --lab PREFIX     send from an xskb-lab lab's tx end: fills netns, iface,\n"
		"                       MACs and IPs (explicit options still win)\n"
		"  -n, --netns NS       network namespace to send from (default: the current one)\n"
		"  -i, --iface IFACE    sending interface\n"
		"\n"
		"what:\n"
		"  -c, --count N        frames to send, k/M/G suffixes (default 1M; unlimited\n"
		"                       with --duration alone)\n"
		"  -d, --duration SEC   stop after SEC seconds (fractions allowed)\n"
		"  -r, --rate PPS       frames per second, k/M/G suffixes (default: as fast as\n"
		"                       possible)\n"
		"  -s, --size BYTES     frame size without FCS, 60..9014 (default 64)\n"
		"  -t, --template NAME  udp (default), vlan, tcp, arp, runt, bad-ip-csum,\n"
		"                       bad-ihl, trunc-ip, bad-udp-len\n"
		"  -e, --engine E       xdp: BPF live frames, many Mpps, frames <= 3520 bytes,\n"
		"                            one template repeated (default up to 3520 bytes)\n"
		"                       packet: AF_PACKET sendmmsg, < 1 Mpps, any size, frame n\n"
		"                            carries sequence number SEQ+n (default above 3520)\n"
		"  -b, --batch N        frames per kernel call, 1..256 (default 64)\n"
		"      --src-mac MAC    (default: the interface's MAC)\n"
		"      --dst-mac MAC    (default: the lab peer's, else ff:ff:ff:ff:ff:ff)\n"
		"      --src-ip IP      (default 198.18.0.1)\n"
		"      --dst-ip IP      (default 198.18.0.2)\n"
		"      --sport P|LO-HI  UDP/TCP source port; a range cycles per frame with\n"
		"                       the packet engine (default 1024)\n"
		"      --dport P        destination port (default 9000)\n"
		"      --seq N          first sequence number (default 0)\n"
		"  -j, --json           print {\"sent\":..,\"bytes\":..,\"seconds\":..,\"pps\":..}\n"
		"  -h, --help           this text\n"
		"\n"
		"With the xdp engine on a veth, frames only arrive if the PEER end has an XDP\n"
		"program attached (that enables veth NAPI); without one they are dropped by\n"
		"the peer (counted as its rx_dropped) but still reported as sent here.\n"
		"Needs root (CAP_BPF + CAP_NET_ADMIN for xdp, CAP_NET_RAW for packet).\n"
		"Exit status: 0 ok (also when stopped by SIGINT), 1 failure, 2 bad usage.\n");
}

static int bad_value(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "xskb-gen: %s '%s': %s (try --help)\n", opt, val, want);
	return EXIT_USAGE;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -EINVAL;
	if (v <= 0 || v > MAX_DURATION)
		return -ERANGE;
	*out = v;
	return 0;
}

enum {
	OPT_SRC_MAC = 256, OPT_DST_MAC, OPT_SRC_IP, OPT_DST_IP, OPT_SPORT, OPT_DPORT, OPT_SEQ,
};

/* Which options the user gave, so --lab fills only the rest. */
struct given {
	bool netns, iface, count, engine, src_mac, dst_mac, src_ip, dst_ip;
};

static void print_result(const struct xt_gen_result *res, bool json)
{
	if (json) {
		printf("{\"sent\":%llu,\"bytes\":%llu,\"seconds\":%.6f,\"pps\":%.1f}\n",
		       (unsigned long long)res->sent, (unsigned long long)res->bytes,
		       res->seconds, res->pps);
		return;
	}
	printf("sent %llu frames, %llu bytes in %.3f s: ", (unsigned long long)res->sent,
	       (unsigned long long)res->bytes, res->seconds);
	if (res->pps >= 1e6)
		printf("%.3f Mpps", res->pps / 1e6);
	else if (res->pps >= 1e3)
		printf("%.1f kpps", res->pps / 1e3);
	else
		printf("%.0f pps", res->pps);
	printf(", %.3f Gbit/s\n",
	       res->seconds > 0 ? (double)res->bytes * 8 / res->seconds / 1e9 : 0.0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lab", required_argument, NULL, 'L' },
		{ "netns", required_argument, NULL, 'n' },
		{ "iface", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 's' },
		{ "template", required_argument, NULL, 't' },
		{ "engine", required_argument, NULL, 'e' },
		{ "batch", required_argument, NULL, 'b' },
		{ "src-mac", required_argument, NULL, OPT_SRC_MAC },
		{ "dst-mac", required_argument, NULL, OPT_DST_MAC },
		{ "src-ip", required_argument, NULL, OPT_SRC_IP },
		{ "dst-ip", required_argument, NULL, OPT_DST_IP },
		{ "sport", required_argument, NULL, OPT_SPORT },
		{ "dport", required_argument, NULL, OPT_DPORT },
		{ "seq", required_argument, NULL, OPT_SEQ },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct xt_gen_config cfg = {
		.engine = XT_ENGINE_XDP,
		.count = DEFAULT_COUNT,
		.pkt = {
			.tpl = XT_TPL_UDP,
			.size = DEFAULT_SIZE,
			.dst_mac = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
			.src_port = DEFAULT_SPORT,
			.dst_port = DEFAULT_DPORT,
		},
		.stop = &stop,
	};
	struct given given = { 0 };
	const char *netns = NULL, *iface = NULL, *lab_prefix = NULL, *msg = "";
	struct sigaction sa = { .sa_handler = on_signal };
	struct xt_gen_result res;
	struct xt_link_info link;
	struct xt_lab lab;
	bool json = false;
	uint16_t lo, hi;
	uint64_t v;
	int c, err;

	xt_parse_ipv4(XT_LAB_IP_TX, &cfg.pkt.src_ip);
	xt_parse_ipv4(XT_LAB_IP_RX, &cfg.pkt.dst_ip);
	opterr = 0;	/* our own messages, with the offending argument */
	while ((c = getopt_long(argc, argv, ":L:n:i:c:d:r:s:t:e:b:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'L':
			lab_prefix = optarg;
			break;
		case 'n':
			if (!*optarg || strchr(optarg, '/'))
				return bad_value("--netns", optarg, "not a namespace name");
			netns = optarg;
			given.netns = true;
			break;
		case 'i':
			if (!*optarg || strlen(optarg) >= IF_NAMESIZE)
				return bad_value("--iface", optarg, "not an interface name");
			iface = optarg;
			given.iface = true;
			break;
		case 'c':
			if (xt_parse_scaled(optarg, 1, UINT64_MAX, &cfg.count))
				return bad_value("--count", optarg, "a number >= 1 (k/M/G suffixes)");
			given.count = true;
			break;
		case 'd':
			if (parse_seconds(optarg, &cfg.max_seconds))
				return bad_value("--duration", optarg, "seconds, > 0 and <= 86400");
			break;
		case 'r':
			if (xt_parse_scaled(optarg, 1, UINT64_MAX, &cfg.rate_pps))
				return bad_value("--rate", optarg, "frames per second >= 1 (k/M/G suffixes)");
			break;
		case 's':
			if (xt_parse_u64(optarg, XT_PKT_MIN, XT_PKT_MAX, &v))
				return bad_value("--size", optarg, "a number in 60..9014");
			cfg.pkt.size = (unsigned int)v;
			break;
		case 't':
			if (xt_template_parse(optarg, &cfg.pkt.tpl))
				return bad_value("--template", optarg,
						 "one of udp, vlan, tcp, arp, runt, bad-ip-csum, bad-ihl, trunc-ip, bad-udp-len");
			break;
		case 'e':
			if (xt_engine_parse(optarg, &cfg.engine))
				return bad_value("--engine", optarg, "xdp or packet");
			given.engine = true;
			break;
		case 'b':
			if (xt_parse_u64(optarg, 1, XT_GEN_BATCH_MAX, &v))
				return bad_value("--batch", optarg, "a number in 1..256");
			cfg.batch = (unsigned int)v;
			break;
		case OPT_SRC_MAC:
			if (xt_parse_mac(optarg, cfg.pkt.src_mac))
				return bad_value("--src-mac", optarg, "not a MAC (aa:bb:cc:dd:ee:ff)");
			given.src_mac = true;
			break;
		case OPT_DST_MAC:
			if (xt_parse_mac(optarg, cfg.pkt.dst_mac))
				return bad_value("--dst-mac", optarg, "not a MAC (aa:bb:cc:dd:ee:ff)");
			given.dst_mac = true;
			break;
		case OPT_SRC_IP:
			if (xt_parse_ipv4(optarg, &cfg.pkt.src_ip))
				return bad_value("--src-ip", optarg, "not an IPv4 address");
			given.src_ip = true;
			break;
		case OPT_DST_IP:
			if (xt_parse_ipv4(optarg, &cfg.pkt.dst_ip))
				return bad_value("--dst-ip", optarg, "not an IPv4 address");
			given.dst_ip = true;
			break;
		case OPT_SPORT:
			if (xt_parse_port_range(optarg, &lo, &hi))
				return bad_value("--sport", optarg, "a port or LO-HI range in 1..65535");
			cfg.pkt.src_port = lo;
			cfg.src_port_hi = hi;
			cfg.vary_src_port = hi != lo;
			break;
		case OPT_DPORT:
			if (xt_parse_u64(optarg, 1, 65535, &v))
				return bad_value("--dport", optarg, "a port in 1..65535");
			cfg.pkt.dst_port = (uint16_t)v;
			break;
		case OPT_SEQ:
			if (xt_parse_u64(optarg, 0, UINT32_MAX, &v))
				return bad_value("--seq", optarg, "a number in 0..4294967295");
			cfg.pkt.seq = (uint32_t)v;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			xt_bad_option("xskb-gen", argv, c);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xskb-gen: unexpected argument '%s' (try --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (cfg.max_seconds > 0 && !given.count)
		cfg.count = UINT64_MAX;		/* --duration alone: run for that long */
	/* The live-frame engine cannot carry a frame larger than a page. */
	if (!given.engine && cfg.pkt.size > XT_LIVE_MAX)
		cfg.engine = XT_ENGINE_PACKET;

	if (lab_prefix) {
		err = xt_lab_get(lab_prefix, &lab);
		if (err) {
			fprintf(stderr, "xskb-gen: lab '%s': %s\n", lab_prefix,
				err == -ENOENT ? "no such lab (xskb-lab up first)"
					       : err == -EINVAL ? "not a lab prefix" : strerror(-err));
			return err == -EINVAL ? EXIT_USAGE : EXIT_FAILURE;
		}
		if (!given.netns)
			netns = lab.ns_tx;
		if (!given.iface)
			iface = lab.if_tx;
		if (!given.src_mac)
			memcpy(cfg.pkt.src_mac, lab.mac_tx, sizeof(cfg.pkt.src_mac));
		if (!given.dst_mac)
			memcpy(cfg.pkt.dst_mac, lab.mac_rx, sizeof(cfg.pkt.dst_mac));
		if (!given.src_ip)
			cfg.pkt.src_ip = lab.ip_tx;
		if (!given.dst_ip)
			cfg.pkt.dst_ip = lab.ip_rx;
	}
	if (!iface) {
		fprintf(stderr, "xskb-gen: no interface: give -i IFACE or --lab PREFIX (try --help)\n");
		return EXIT_USAGE;
	}

	if (netns) {
		err = xt_netns_enter(netns);
		if (err) {
			fprintf(stderr, "xskb-gen: cannot enter namespace '%s': %s\n", netns,
				strerror(-err));
			return EXIT_FAILURE;
		}
	}
	err = xt_link_query(NULL, iface, &link);
	if (err) {
		fprintf(stderr, "xskb-gen: interface '%s'%s%s: %s\n", iface,
			netns ? " in namespace " : "", netns ? netns : "",
			err == -ENODEV ? "no such interface" : strerror(-err));
		return EXIT_FAILURE;
	}
	cfg.ifindex = link.ifindex;
	if (!given.src_mac && !lab_prefix)
		memcpy(cfg.pkt.src_mac, link.mac, sizeof(cfg.pkt.src_mac));

	/* No SA_RESTART: a signal must cut a rate-limit sleep short. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = xt_gen_run(&cfg, &res, &msg);
	if (err) {
		fprintf(stderr, "xskb-gen: %s (%s); %llu frames sent before\n", msg, strerror(-err),
			(unsigned long long)res.sent);
		return EXIT_FAILURE;
	}
	print_result(&res, json);
	return 0;
}
