/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-lab: create, describe and delete the veth labs that the generator,
 * the integration tests and the benchmarks run in: two namespaces joined by
 * one veth pair, or three (client, proxy, backend) joined by two.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "util.h"

#define EXIT_USAGE 2

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xskb-lab up|down|show [options]\n"
		"\n"
		"Network namespaces joined by veth pairs; the host's interfaces are never\n"
		"touched. The two-namespace lab (default):\n"
		"  <prefix>-tx: <prefix>t 198.18.0.1/24  <-veth->  <prefix>-rx: <prefix>r 198.18.0.2/24\n"
		"IPv6 is off, each side has a permanent neighbour entry for the other.\n"
		"\n"
		"The three-namespace lab (--proxy), for forwarders and proxies:\n"
		"  <prefix>-client: <prefix>c 198.18.1.1/24 fd78:736b:6200:1::1/64\n"
		"     <-veth->  <prefix>-proxy: <prefix>a 198.18.1.2/24 fd78:736b:6200:1::2/64\n"
		"               <prefix>-proxy: <prefix>b 198.18.2.1/24 fd78:736b:6200:2::1/64\n"
		"     <-veth->  <prefix>-backend: <prefix>s 198.18.2.2/24 fd78:736b:6200:2::2/64\n"
		"The client routes the backend's subnets via <prefix>a, the backend the\n"
		"client's via <prefix>b; the kernel forwards between them only with\n"
		"--ip-forward.\n"
		"\n"
		"TX checksum offload is off on every veth end of both labs: with it on, the\n"
		"kernel hands XDP packets whose checksum field holds only the pseudo-header\n"
		"sum, and a proxy's incremental checksum update makes that a wrong checksum.\n"
		"\n"
		"commands:\n"
		"  up      create the lab (fails if one with this prefix exists)\n"
		"  down    delete the namespaces and veth pairs of both kinds of lab with this\n"
		"          prefix (no error if absent)\n"
		"  show    print names, ifindexes, MACs, addresses, MTU and queues\n"
		"\n"
		"options:\n"
		"  -p, --prefix P    lab name prefix, 1..10 of [a-z0-9-] (default xskb)\n"
		"  -m, --mtu N       MTU of every veth end, 68..9000 (up only; default 1500)\n"
		"  -q, --queues N    rx and tx queues per veth end, 1..64 (up only; default 1)\n"
		"  -3, --proxy       the three-namespace lab (up and show)\n"
		"      --ip-forward  kernel IPv4/IPv6 forwarding on in the proxy namespace\n"
		"                    (--proxy up only; default off)\n"
		"      --static-neigh  permanent ARP/ND entries for each end's peer (--proxy\n"
		"                    up only; default: ARP and ND as usual)\n"
		"      --gro         GRO on every veth end, which enables veth NAPI without an\n"
		"                    XDP program (--proxy up only)\n"
		"      --no-ipv6     IPv4 only (--proxy up only)\n"
		"  -j, --json        machine-readable output\n"
		"  -h, --help        this text\n"
		"\n"
		"Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) and iproute2. Exit status: 0 ok,\n"
		"1 the operation failed, 2 bad usage.\n");
}

static void mac_fmt(const uint8_t *m, char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* "on", "off" or "?" for an end's TX checksum offload. */
static const char *csum_state(const char *netns, const char *ifname)
{
	int on = xt_tx_csum_offload_get(netns, ifname);

	return on < 0 ? "?" : on ? "on" : "off";
}

static void print_lab(const struct xt_lab *lab, bool json)
{
	char tx[INET_ADDRSTRLEN], rx[INET_ADDRSTRLEN];
	char mac[2][18];

	inet_ntop(AF_INET, &lab->ip_tx, tx, sizeof(tx));
	inet_ntop(AF_INET, &lab->ip_rx, rx, sizeof(rx));
	mac_fmt(lab->mac_tx, mac[0]);
	mac_fmt(lab->mac_rx, mac[1]);
	if (json) {
		/* Names are [a-z0-9-] by construction: nothing to escape. */
		printf("{\"prefix\":\"%s\",\"mtu\":%u,\"queues\":%u,"
		       "\"tx\":{\"netns\":\"%s\",\"ifname\":\"%s\",\"ifindex\":%d,\"mac\":\"%s\",\"ip\":\"%s\","
		       "\"tx_csum_offload\":\"%s\"},"
		       "\"rx\":{\"netns\":\"%s\",\"ifname\":\"%s\",\"ifindex\":%d,\"mac\":\"%s\",\"ip\":\"%s\","
		       "\"tx_csum_offload\":\"%s\"}}\n",
		       lab->prefix, lab->mtu, lab->queues,
		       lab->ns_tx, lab->if_tx, lab->ifindex_tx, mac[0], tx,
		       csum_state(lab->ns_tx, lab->if_tx),
		       lab->ns_rx, lab->if_rx, lab->ifindex_rx, mac[1], rx,
		       csum_state(lab->ns_rx, lab->if_rx));
		return;
	}
	printf("lab %s: mtu %u, %u queue%s per end\n", lab->prefix, lab->mtu, lab->queues,
	       lab->queues == 1 ? "" : "s");
	printf("  tx  netns %-14s if %-12s ifindex %-3d mac %s  %s/24\n",
	       lab->ns_tx, lab->if_tx, lab->ifindex_tx, mac[0], tx);
	printf("  rx  netns %-14s if %-12s ifindex %-3d mac %s  %s/24\n",
	       lab->ns_rx, lab->if_rx, lab->ifindex_rx, mac[1], rx);
}

static void print_end(const char *role, const struct xt_lab3_end *e, bool ipv6, bool json,
		      bool last)
{
	char ip[INET_ADDRSTRLEN], ip6[INET6_ADDRSTRLEN], mac[18];

	inet_ntop(AF_INET, &e->ip, ip, sizeof(ip));
	inet_ntop(AF_INET6, &e->ip6, ip6, sizeof(ip6));
	mac_fmt(e->mac, mac);
	if (json) {
		printf("\"%s\":{\"netns\":\"%s\",\"ifname\":\"%s\",\"ifindex\":%d,\"mac\":\"%s\","
		       "\"ip\":\"%s\",\"ip6\":\"%s\",\"tx_csum_offload\":\"%s\"}%s",
		       role, e->netns, e->ifname, e->ifindex, mac, ip, ipv6 ? ip6 : "",
		       csum_state(e->netns, e->ifname), last ? "}\n" : ",");
		return;
	}
	printf("  %-8s netns %-18s if %-12s ifindex %-3d mac %s  %s/24", role, e->netns,
	       e->ifname, e->ifindex, mac, ip);
	if (ipv6)
		printf("  %s/64", ip6);
	printf("\n");
}

static void print_lab3(const struct xt_lab3 *lab, bool json)
{
	if (json)
		printf("{\"prefix\":\"%s\",\"kind\":\"proxy\",\"mtu\":%u,\"queues\":%u,"
		       "\"ip_forward\":%s,\"ipv6\":%s,",
		       lab->prefix, lab->mtu, lab->queues, lab->ip_forward ? "true" : "false",
		       lab->ipv6 ? "true" : "false");
	else
		printf("lab %s (client, proxy, backend): mtu %u, %u queue%s per end, "
		       "kernel forwarding %s\n",
		       lab->prefix, lab->mtu, lab->queues, lab->queues == 1 ? "" : "s",
		       lab->ip_forward ? "on" : "off");
	print_end("client", &lab->client, lab->ipv6, json, false);
	print_end("proxy_a", &lab->proxy_a, lab->ipv6, json, false);
	print_end("proxy_b", &lab->proxy_b, lab->ipv6, json, false);
	print_end("backend", &lab->backend, lab->ipv6, json, true);
}

static int bad_value(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "xskb-lab: %s '%s': %s (try --help)\n", opt, val, want);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	enum { O_FWD = 256, O_NEIGH, O_GRO, O_NO6 };
	static const struct option opts[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "queues", required_argument, NULL, 'q' },
		{ "proxy", no_argument, NULL, '3' },
		{ "ip-forward", no_argument, NULL, O_FWD },
		{ "static-neigh", no_argument, NULL, O_NEIGH },
		{ "gro", no_argument, NULL, O_GRO },
		{ "no-ipv6", no_argument, NULL, O_NO6 },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct xt_lab_config cfg = { .prefix = "xskb" };
	struct xt_lab3_config cfg3 = { 0 };
	struct xt_lab lab;
	struct xt_lab3 lab3;
	const char *cmd, *msg = NULL;
	bool json = false, up_opts = false, proxy = false, proxy_opts = false;
	uint64_t v;
	int c, err;

	opterr = 0;	/* our own messages, with the offending argument */
	while ((c = getopt_long(argc, argv, ":p:m:q:3jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!*optarg || strlen(optarg) > XT_LAB_PREFIX_MAX ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(optarg))
				return bad_value("--prefix", optarg, "1..10 characters of [a-z0-9-]");
			cfg.prefix = optarg;
			break;
		case 'm':
			if (xt_parse_u64(optarg, XT_LAB_MTU_MIN, XT_LAB_MTU_MAX, &v))
				return bad_value("--mtu", optarg, "a number in 68..9000");
			cfg.mtu = (unsigned int)v;
			up_opts = true;
			break;
		case 'q':
			if (xt_parse_u64(optarg, 1, XT_LAB_QUEUES_MAX, &v))
				return bad_value("--queues", optarg, "a number in 1..64");
			cfg.queues = (unsigned int)v;
			up_opts = true;
			break;
		case '3':
			proxy = true;
			break;
		case O_FWD:
			cfg3.ip_forward = true;
			proxy_opts = true;
			break;
		case O_NEIGH:
			cfg3.static_neigh = true;
			proxy_opts = true;
			break;
		case O_GRO:
			cfg3.gro = true;
			proxy_opts = true;
			break;
		case O_NO6:
			cfg3.no_ipv6 = true;
			proxy_opts = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			xt_bad_option("xskb-lab", argv, c);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "xskb-lab: no command: up, down or show (try --help)\n");
		return EXIT_USAGE;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "xskb-lab: one command only, unexpected '%s' (try --help)\n",
			argv[optind + 1]);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "up") && strcmp(cmd, "down") && strcmp(cmd, "show")) {
		fprintf(stderr, "xskb-lab: unknown command '%s': up, down or show (try --help)\n", cmd);
		return EXIT_USAGE;
	}
	if (up_opts && strcmp(cmd, "up")) {
		fprintf(stderr, "xskb-lab: --mtu and --queues only apply to 'up'\n");
		return EXIT_USAGE;
	}
	if (proxy_opts && (!proxy || strcmp(cmd, "up"))) {
		fprintf(stderr, "xskb-lab: --ip-forward, --static-neigh, --gro and --no-ipv6 only "
			"apply to 'up --proxy'\n");
		return EXIT_USAGE;
	}
	cfg3.prefix = cfg.prefix;
	cfg3.mtu = cfg.mtu;
	cfg3.queues = cfg.queues;

	if (!strcmp(cmd, "up")) {
		err = proxy ? xt_lab3_up(&cfg3, &lab3, &msg) : xt_lab_up(&cfg, &lab, &msg);
		if (err) {
			fprintf(stderr, "xskb-lab: up %s: %s (%s)\n", cfg.prefix, msg, strerror(-err));
			return EXIT_FAILURE;
		}
		if (proxy)
			print_lab3(&lab3, json);
		else
			print_lab(&lab, json);
	} else if (!strcmp(cmd, "show")) {
		err = proxy ? xt_lab3_get(cfg.prefix, &lab3) : xt_lab_get(cfg.prefix, &lab);
		if (err) {
			fprintf(stderr, "xskb-lab: show %s%s: %s\n", proxy ? "--proxy " : "",
				cfg.prefix, err == -ENOENT ? "no such lab" : strerror(-err));
			return EXIT_FAILURE;
		}
		if (proxy)
			print_lab3(&lab3, json);
		else
			print_lab(&lab, json);
	} else {
		bool existed = xt_lab_exists(cfg.prefix) || xt_lab3_exists(cfg.prefix);

		/* Both kinds: a name is a name, whichever lab holds it. */
		err = xt_lab_down(cfg.prefix);
		if (!err)
			err = xt_lab3_down(cfg.prefix);
		if (err) {
			fprintf(stderr, "xskb-lab: down %s: %s\n", cfg.prefix, strerror(-err));
			return EXIT_FAILURE;
		}
		if (json)
			printf("{\"prefix\":\"%s\",\"removed\":%s}\n", cfg.prefix,
			       existed ? "true" : "false");
		else if (!existed)
			printf("lab %s: not present\n", cfg.prefix);
	}
	return 0;
}
