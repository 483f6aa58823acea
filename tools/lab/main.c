/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-lab: create, describe and delete the two-namespace veth lab that the
 * generator, the integration tests and the benchmarks run in.
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
		"Two network namespaces joined by one veth pair; the host's interfaces are\n"
		"never touched:\n"
		"  <prefix>-tx: <prefix>t 198.18.0.1/24  <-veth->  <prefix>-rx: <prefix>r 198.18.0.2/24\n"
		"IPv6 is off, each side has a permanent neighbour entry for the other.\n"
		"\n"
		"commands:\n"
		"  up      create the lab (fails if one with this prefix exists)\n"
		"  down    delete both namespaces and the veth pair (no error if absent)\n"
		"  show    print names, ifindexes, MACs, addresses, MTU and queues\n"
		"\n"
		"options:\n"
		"  -p, --prefix P    lab name prefix, 1..10 of [a-z0-9-] (default xskb)\n"
		"  -m, --mtu N       MTU of both veth ends, 68..9000 (up only; default 1500)\n"
		"  -q, --queues N    rx and tx queues per veth end, 1..64 (up only; default 1)\n"
		"  -j, --json        machine-readable output\n"
		"  -h, --help        this text\n"
		"\n"
		"Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) and iproute2. Exit status: 0 ok,\n"
		"1 the operation failed, 2 bad usage.\n");
}

static void print_lab(const struct xt_lab *lab, bool json)
{
	char tx[INET_ADDRSTRLEN], rx[INET_ADDRSTRLEN];
	const uint8_t *m[2] = { lab->mac_tx, lab->mac_rx };
	char mac[2][18];

	inet_ntop(AF_INET, &lab->ip_tx, tx, sizeof(tx));
	inet_ntop(AF_INET, &lab->ip_rx, rx, sizeof(rx));
	for (int i = 0; i < 2; i++)
		snprintf(mac[i], sizeof(mac[i]), "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[i][0], m[i][1], m[i][2], m[i][3], m[i][4], m[i][5]);
	if (json) {
		/* Names are [a-z0-9-] by construction: nothing to escape. */
		printf("{\"prefix\":\"%s\",\"mtu\":%u,\"queues\":%u,"
		       "\"tx\":{\"netns\":\"%s\",\"ifname\":\"%s\",\"ifindex\":%d,\"mac\":\"%s\",\"ip\":\"%s\"},"
		       "\"rx\":{\"netns\":\"%s\",\"ifname\":\"%s\",\"ifindex\":%d,\"mac\":\"%s\",\"ip\":\"%s\"}}\n",
		       lab->prefix, lab->mtu, lab->queues,
		       lab->ns_tx, lab->if_tx, lab->ifindex_tx, mac[0], tx,
		       lab->ns_rx, lab->if_rx, lab->ifindex_rx, mac[1], rx);
		return;
	}
	printf("lab %s: mtu %u, %u queue%s per end\n", lab->prefix, lab->mtu, lab->queues,
	       lab->queues == 1 ? "" : "s");
	printf("  tx  netns %-14s if %-12s ifindex %-3d mac %s  %s/24\n",
	       lab->ns_tx, lab->if_tx, lab->ifindex_tx, mac[0], tx);
	printf("  rx  netns %-14s if %-12s ifindex %-3d mac %s  %s/24\n",
	       lab->ns_rx, lab->if_rx, lab->ifindex_rx, mac[1], rx);
}

static int bad_value(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "xskb-lab: %s '%s': %s (try --help)\n", opt, val, want);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "queues", required_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct xt_lab_config cfg = { .prefix = "xskb" };
	struct xt_lab lab;
	const char *cmd, *msg = NULL;
	bool json = false, up_opts = false;
	uint64_t v;
	int c, err;

	opterr = 0;	/* our own messages, with the offending argument */
	while ((c = getopt_long(argc, argv, ":p:m:q:jh", opts, NULL)) != -1) {
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

	if (!strcmp(cmd, "up")) {
		err = xt_lab_up(&cfg, &lab, &msg);
		if (err) {
			fprintf(stderr, "xskb-lab: up %s: %s (%s)\n", cfg.prefix, msg, strerror(-err));
			return EXIT_FAILURE;
		}
		print_lab(&lab, json);
	} else if (!strcmp(cmd, "show")) {
		err = xt_lab_get(cfg.prefix, &lab);
		if (err) {
			fprintf(stderr, "xskb-lab: show %s: %s\n", cfg.prefix,
				err == -ENOENT ? "no such lab" : strerror(-err));
			return EXIT_FAILURE;
		}
		print_lab(&lab, json);
	} else {
		bool existed = xt_lab_exists(cfg.prefix);

		err = xt_lab_down(cfg.prefix);
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
