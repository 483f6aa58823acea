/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-bench replay: the per-packet userspace cost of the receive path on a
 * memory-backed queue (no kernel): xskb's NAPI poll wrapping every frame as
 * an skb, or, with --bare, the minimal ring loop on the same queue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xskb/replay.h>
#include <xskb/skbuff.h>

#include "bench.h"
#include "pktgen.h"
#include "replay_internal.h"

static struct {
	unsigned int size;
	unsigned long long packets;
	double seconds;
	bool json, bare;
	unsigned int frames, ring, budget;
	unsigned long long sink;
} R = { .size = 64, .frames = 4096, .ring = 2048, .budget = 64 };

/* The "application": read the first cache line of the packet, then free. */
static void handler(struct sk_buff *skb, void *arg)
{
	(void)arg;
	R.sink += *(volatile unsigned char *)skb_mac_header(skb);
	napi_consume_skb(skb, 64);
}

/*
 * The bare loop: what an AF_XDP application without skbs does per packet
 * on the same rings and the same replay "kernel" — peek, touch the first
 * cache line, hand the frame straight back to the fill ring.
 */
static unsigned int bare_poll(struct xskb_queue *q, unsigned int budget)
{
	struct xskb_umem *u = q->umem;
	__u32 ri, fi, n;

	xskb_replay_produce(q);
	n = xskb_ring_cons_peek(&q->rx, budget, &ri);
	if (!n)
		return 0;
	if (xskb_ring_prod_reserve(&q->fill, n, &fi) != n) {
		fprintf(stderr, "xskb-bench: fill ring full in the bare loop\n");
		exit(1);
	}
	{
		/* Locals, so the fill-ring stores cannot force reloads. */
		const struct xdp_desc *rx = q->rx.ring;
		__u64 *fill = q->fill.ring;
		const __u32 rmask = q->rx.mask, fmask = q->fill.mask;
		const unsigned char *area = u->area;
		const __u64 fmask_addr = ~((__u64)u->frame_size - 1);
		unsigned long long sink = 0;

		for (__u32 i = 0; i < n; i++) {
			const struct xdp_desc *d = &rx[(ri + i) & rmask];

			sink += *(volatile const unsigned char *)(area + d->addr);
			fill[(fi + i) & fmask] = d->addr & fmask_addr;
		}
		R.sink += sink;
	}
	xskb_ring_prod_submit(&q->fill, n);
	xskb_ring_cons_release(&q->rx, n);
	return n;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xskb-bench replay [--size BYTES] (--seconds S | --packets N) [--bare] [--json]\n"
		"\n"
		"Receive from a replay queue (memory rings fed like AF_XDP copy mode, one\n"
		"template written once per frame) on this thread: xskb wraps each frame\n"
		"as an skb, hands it to a handler that reads its first cache line and\n"
		"frees it; the frame goes back to the fill ring. --bare runs the minimal\n"
		"ring loop on the same queue instead (no skb), as the baseline.\n"
		"\n"
		"  --size BYTES    frame size, 60..3520 (default 64)\n"
		"  --seconds S     run this long (default 2 when --packets is not given)\n"
		"  --packets N     run exactly N packets (for instruction counts)\n"
		"  --bare          the bare ring loop instead of xskb\n"
		"  --frames N      UMEM frames (default 4096)\n"
		"  --ring N        RX and fill ring size (default 2048)\n"
		"  --budget N      NAPI budget (default 64)\n"
		"  --json          one JSON object on stdout\n");
}

int bench_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "packets", required_argument, NULL, 'p' },
		{ "bare", no_argument, NULL, 'b' },
		{ "frames", required_argument, NULL, 'f' },
		{ "ring", required_argument, NULL, 'r' },
		{ "budget", required_argument, NULL, 'B' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static unsigned char pkt[XT_LIVE_MAX];
	struct xt_pkt_spec spec = { .tpl = XT_TPL_UDP, .src_port = 1000, .dst_port = 9000,
				    .src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 } };
	struct xskb_replay_pkt tpl;
	struct xskb_umem *u;
	struct xskb_queue *q;
	unsigned long long done = 0;
	uint64_t t0, t1, deadline;
	int c, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': R.size = (unsigned int)bench_parse_ulong("--size", optarg, 60, XT_LIVE_MAX); break;
		case 'S': R.seconds = (double)bench_parse_ulong("--seconds", optarg, 1, 3600); break;
		case 'p': R.packets = bench_parse_ulong("--packets", optarg, 1, 1ul << 40); break;
		case 'b': R.bare = true; break;
		case 'f': R.frames = (unsigned int)bench_parse_ulong("--frames", optarg, 256, 1u << 20); break;
		case 'r': R.ring = (unsigned int)bench_parse_ulong("--ring", optarg, 64, 65536); break;
		case 'B': R.budget = (unsigned int)bench_parse_ulong("--budget", optarg, 1, 4096); break;
		case 'j': R.json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xskb-bench replay: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (R.seconds && R.packets) {
		fprintf(stderr, "xskb-bench replay: give --seconds or --packets, not both\n");
		return 2;
	}
	if ((R.ring & (R.ring - 1)) || R.frames < 2 * R.ring) {
		fprintf(stderr, "xskb-bench replay: --ring must be a power of two and --frames at "
				"least twice it\n");
		return 2;
	}
	if (!R.packets && !R.seconds)
		R.seconds = 2;
	spec.size = R.size;
	inet_pton(AF_INET, "198.18.0.1", &spec.src_ip);
	inet_pton(AF_INET, "198.18.0.2", &spec.dst_ip);
	tpl.data = pkt;
	tpl.len = (unsigned int)xt_pkt_build(&spec, pkt, sizeof(pkt));

	{
		XSKB_OPTS(xskb_umem_opts, uo, .frame_count = R.frames);
		XSKB_OPTS(xskb_queue_opts, qo, .rx_size = R.ring, .fill_size = R.ring,
			  .handler = handler);
		XSKB_OPTS(xskb_replay_opts, ro, .pkts = &tpl, .nr_pkts = 1, .limit = R.packets);

		err = xskb_umem__create(&u, -1, &uo);
		if (!err)
			err = xskb_replay__create(&q, u, &qo, &ro);
		if (err) {
			fprintf(stderr, "xskb-bench replay: setup failed: %s\n", strerror(-err));
			return 1;
		}
	}

	/* Warm up: caches, magazines and the fill ring reach steady state. */
	for (int i = 0; i < 2000 && !R.packets; i++)
		done += R.bare ? bare_poll(q, R.budget) : (unsigned int)xskb_queue__poll(q, (int)R.budget);
	done = 0;
	t0 = bench_now_ns();
	deadline = R.seconds ? t0 + (uint64_t)(R.seconds * 1e9) : UINT64_MAX;
	for (;;) {
		for (int i = 0; i < 256; i++) {
			int n = R.bare ? (int)bare_poll(q, R.budget) : xskb_queue__poll(q, (int)R.budget);

			done += (unsigned long long)n;
		}
		if (R.packets ? done >= R.packets : bench_now_ns() >= deadline)
			break;
	}
	t1 = bench_now_ns();
	if (R.packets && done != R.packets) {
		fprintf(stderr, "xskb-bench replay: received %llu of %llu\n", done, R.packets);
		return 1;
	}

	{
		double secs = (double)(t1 - t0) / 1e9;
		double mpps = (double)done / secs / 1e6;

		if (R.json)
			printf("{\"mode\":\"%s\",\"size\":%u,\"packets\":%llu,\"seconds\":%.6f,"
			       "\"mpps\":%.3f,\"ns_per_pkt\":%.2f}\n",
			       R.bare ? "bare" : "xskb", R.size, done, secs, mpps, 1e3 / mpps);
		else
			printf("%s replay, %u-byte frames: %llu packets in %.3f s: %.2f Mpps, %.2f ns/packet\n",
			       R.bare ? "bare" : "xskb", R.size, done, secs, mpps, 1e3 / mpps);
	}
	xskb_queue__destroy(q);
	if (xskb_umem__delete(u))
		return 1;
	return 0;
}
