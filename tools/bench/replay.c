/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-bench replay: the per-packet userspace cost of the receive path on a
 * memory-backed queue (no kernel): xskb's NAPI poll wrapping every frame as
 * an skb, or, with --bare, the minimal ring loop on the same queue.
 *
 * xskb-bench replay-fwd: the same for forwarding: receive as an skb, rewrite
 * the MACs, dev_queue_xmit() it back out (zero-copy: the descriptor points
 * into the skb's own frame); the replay "kernel" consumes the TX ring and
 * completes, the frame returns to the fill ring. --bare moves descriptors
 * from the RX ring to the TX ring with the same rewrite and no skb. The
 * rewrite is testpmd's "mac" mode: destination the next hop's address,
 * source the port's own (constants, so the frames of the replay's fast
 * mode, written once, arrive the same every time).
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
	bool json, bare, fwd;
	unsigned int frames, ring, budget;
	unsigned long long sink;
	unsigned long long xmit_drops;
} R = { .size = 64, .ring = 2048, .budget = 64 };

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

static const unsigned char next_hop[6] = { 2, 0, 0, 0, 0, 2 }, own[6] = { 2, 0, 0, 0, 0, 1 };

static XSKB_ALWAYS_INLINE void rewrite(unsigned char *eth)
{
	memcpy(eth, next_hop, 6);
	memcpy(eth + 6, own, 6);
}

/* The forwarder: what a user's L2 handler does. */
static void fwd_handler(struct sk_buff *skb, void *arg)
{
	(void)arg;
	skb_push(skb, ETH_HLEN);
	rewrite(skb->data);
	if (dev_queue_xmit(skb) != NET_XMIT_SUCCESS)
		R.xmit_drops++;
}

/*
 * The bare loop on the same rings and the same replay "kernel": completions
 * back to the fill ring, RX descriptors rewritten and moved to the TX ring,
 * one kick. No skb, no checks.
 */
static unsigned int bare_fwd_poll(struct xskb_queue *q, unsigned int budget)
{
	struct xskb_umem *u = q->umem;
	__u32 ci, fi, ri, ti, n, nc;

	xskb_replay_produce(q);
	nc = xskb_ring_cons_peek(&q->comp, q->comp.size, &ci);
	if (nc) {
		if (xskb_ring_prod_reserve(&q->fill, nc, &fi) != nc) {
			fprintf(stderr, "xskb-bench: fill ring full in the bare loop\n");
			exit(1);
		}
		for (__u32 i = 0; i < nc; i++)
			*xskb_ring_addr(&q->fill, fi + i) = *xskb_ring_addr(&q->comp, ci + i);
		xskb_ring_prod_submit(&q->fill, nc);
		xskb_ring_cons_release(&q->comp, nc);
	}
	n = xskb_ring_cons_peek(&q->rx, budget, &ri);
	if (!n)
		return 0;
	if (xskb_ring_prod_reserve(&q->tx, n, &ti) != n) {
		fprintf(stderr, "xskb-bench: TX ring full in the bare loop\n");
		exit(1);
	}
	for (__u32 i = 0; i < n; i++) {
		const struct xdp_desc *d = xskb_ring_desc(&q->rx, ri + i);

		rewrite(u->area + d->addr);
		*xskb_ring_desc(&q->tx, ti + i) = *d;
	}
	xskb_ring_prod_submit(&q->tx, n);
	xskb_ring_cons_release(&q->rx, n);
	q->ops->tx_kick(q);
	return n;
}

static void usage(FILE *f)
{
	if (R.fwd)
		fprintf(f,
			"usage: xskb-bench replay-fwd [--size BYTES] (--seconds S | --packets N) [--bare] [--json]\n"
			"\n"
			"Forward on a replay queue (memory rings fed like AF_XDP copy mode, whose\n"
			"\"kernel\" also consumes the TX ring and completes) on this thread: xskb\n"
			"wraps each frame as an skb, the handler rewrites the MACs and calls\n"
			"dev_queue_xmit(), which sends it from its own frame; completions return\n"
			"the frames to the fill ring. --bare moves descriptors from the RX ring to\n"
			"the TX ring with the same MAC rewrite and no skb, as the baseline.\n"
			"\n");
	else
		fprintf(f,
			"usage: xskb-bench replay [--size BYTES] (--seconds S | --packets N) [--bare] [--json]\n"
			"\n"
			"Receive from a replay queue (memory rings fed like AF_XDP copy mode, one\n"
			"template written once per frame) on this thread: xskb wraps each frame\n"
			"as an skb, hands it to a handler that reads its first cache line and\n"
			"frees it; the frame goes back to the fill ring. --bare runs the minimal\n"
			"ring loop on the same queue instead (no skb), as the baseline.\n"
			"\n");
	fprintf(f,
		"  --size BYTES    frame size, 60..3520 (default 64)\n"
		"  --seconds S     run this long (default 2 when --packets is not given)\n"
		"  --packets N     run exactly N packets (for instruction counts)\n"
		"  --bare          the bare ring loop instead of xskb\n"
		"  --frames N      UMEM frames (default 4096; 8192 for replay-fwd)\n"
		"  --ring N        size of every ring (default 2048)\n"
		"  --budget N      NAPI budget (default 64)\n"
		"  --json          one JSON object on stdout\n");
}

/* Packets done: received, or forwarded (completed by the replay's TX side). */
static unsigned long long done_count(struct xskb_queue *q, unsigned long long received)
{
	struct xskb_replay_tx_stats st;

	if (!R.fwd)
		return received;
	xskb_replay__tx_stats(q, &st);
	return st.packets;
}

static int poll_once(struct xskb_queue *q)
{
	if (R.bare)
		return (int)(R.fwd ? bare_fwd_poll(q, R.budget) : bare_poll(q, R.budget));
	return xskb_queue__poll(q, (int)R.budget);
}

static int run(int argc, char **argv)
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
	const char *mode = R.fwd ? "replay-fwd" : "replay";
	struct xskb_replay_pkt tpl;
	struct xskb_umem *u;
	struct xskb_queue *q;
	unsigned long long got = 0, start, done;
	uint64_t t0, t1, deadline;
	int c, err;

	R.frames = R.fwd ? 8192 : 4096;
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
		fprintf(stderr, "xskb-bench %s: unexpected argument '%s'\n", mode, argv[optind]);
		return 2;
	}
	if (R.seconds && R.packets) {
		fprintf(stderr, "xskb-bench %s: give --seconds or --packets, not both\n", mode);
		return 2;
	}
	/* Receiving holds the fill ring's frames; forwarding the TX and
	 * completion rings' too. */
	if ((R.ring & (R.ring - 1)) || R.frames < (R.fwd ? 3 : 2) * R.ring) {
		fprintf(stderr, "xskb-bench %s: --ring must be a power of two and --frames at least "
				"%s it\n", mode, R.fwd ? "three times" : "twice");
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
			  .tx_size = R.ring, .comp_size = R.ring,
			  .handler = R.fwd ? fwd_handler : handler);
		XSKB_OPTS(xskb_replay_opts, ro, .pkts = &tpl, .nr_pkts = 1, .limit = R.packets);

		err = xskb_umem__create(&u, -1, &uo);
		if (!err)
			err = xskb_replay__create(&q, u, &qo, &ro);
		if (err) {
			fprintf(stderr, "xskb-bench %s: setup failed: %s\n", mode, strerror(-err));
			return 1;
		}
	}

	/* Warm up: caches, magazines and the rings reach steady state. */
	for (int i = 0; i < 2000 && !R.packets; i++)
		got += (unsigned int)poll_once(q);
	start = done_count(q, got);
	t0 = bench_now_ns();
	deadline = R.seconds ? t0 + (uint64_t)(R.seconds * 1e9) : UINT64_MAX;
	for (int idle = 0;;) {
		int n = 0;

		for (int i = 0; i < 256; i++)
			n += poll_once(q);
		got += (unsigned long long)n;
		done = done_count(q, got) - start;
		/* Forwarding: the last completions come with polls that find
		 * nothing to receive; a run that stops short stops here. */
		if (R.packets ? done >= R.packets || (!n && ++idle > 1000) : bench_now_ns() >= deadline)
			break;
	}
	t1 = bench_now_ns();
	if (R.packets && done != R.packets) {
		fprintf(stderr, "xskb-bench %s: %s %llu of %llu\n", mode,
			R.fwd ? "forwarded" : "received", done, R.packets);
		return 1;
	}
	if (R.xmit_drops) {
		fprintf(stderr, "xskb-bench %s: dev_queue_xmit dropped %llu\n", mode, R.xmit_drops);
		return 1;
	}

	{
		double secs = (double)(t1 - t0) / 1e9;
		double mpps = (double)done / secs / 1e6;
		const char *what = R.bare ? (R.fwd ? "bare-fwd" : "bare") : (R.fwd ? "xskb-fwd" : "xskb");

		if (R.json)
			printf("{\"mode\":\"%s\",\"size\":%u,\"packets\":%llu,\"seconds\":%.6f,"
			       "\"mpps\":%.3f,\"ns_per_pkt\":%.2f}\n",
			       what, R.size, done, secs, mpps, 1e3 / mpps);
		else
			printf("%s %s, %u-byte frames: %llu packets in %.3f s: %.2f Mpps, %.2f ns/packet\n",
			       what, mode, R.size, done, secs, mpps, 1e3 / mpps);
	}
	/* Forwarding: the last kick's completions, then every frame is back. */
	if (R.fwd && !R.bare)
		xskb_queue__flush(q);
	xskb_queue__destroy(q);
	/* The bare loop moves frames behind the UMEM's back: no accounting. */
	if (!R.bare && xskb_umem__delete(u))
		return 1;
	return 0;
}

int bench_replay(int argc, char **argv)
{
	R.fwd = false;
	return run(argc, argv);
}

int bench_replay_fwd(int argc, char **argv)
{
	R.fwd = true;
	return run(argc, argv);
}
