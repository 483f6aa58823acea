/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-ringfwd: the lower bound of replay forwarding. AF_XDP's four rings
 * laid out as the kernel lays them (producer and consumer indexes, u64
 * addresses, struct xdp_desc), in plain memory, no library: a "kernel" turn
 * moves fill-ring frames to the RX ring and TX descriptors to the completion
 * ring; the "application" turn recycles completions to the fill ring and
 * moves RX descriptors to the TX ring, rewriting both MACs in the frame
 * (testpmd's "mac" mode). One thread, one core, as xskb-bench replay-fwd.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <getopt.h>
#include <linux/if_xdp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktgen.h"
#include "util.h"

#define PROG "xskb-ringfwd"
#define FRAME		2048u
#define BUDGET		64u		/* descriptors per turn: xskb's NAPI budget */

struct ring {
	/* Each index on a cache line of its own, as in the kernel's rings. */
	_Alignas(64) uint32_t prod;
	_Alignas(64) uint32_t cons;
	_Alignas(64) uint32_t mask;
	void *slots;
};

static inline uint32_t ring_used(const struct ring *r)
{
	return __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE) - r->cons;
}

static inline uint32_t ring_free(const struct ring *r)
{
	return r->mask + 1 - (r->prod - __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE));
}

static inline uint64_t *addr_at(struct ring *r, uint32_t i)
{
	return &((uint64_t *)r->slots)[i & r->mask];
}

static inline struct xdp_desc *desc_at(struct ring *r, uint32_t i)
{
	return &((struct xdp_desc *)r->slots)[i & r->mask];
}

/* Release ordering: a consumer that sees the index sees the slots. */
static inline void ring_publish_prod(struct ring *r, uint32_t n)
{
	__atomic_store_n(&r->prod, r->prod + n, __ATOMIC_RELEASE);
}

static inline void ring_publish_cons(struct ring *r, uint32_t n)
{
	__atomic_store_n(&r->cons, r->cons + n, __ATOMIC_RELEASE);
}

static const uint8_t next_hop[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t own_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* The "kernel": fill -> RX (the frames keep their template bytes, as the
 * replay queue's fast mode and net_null copy=0), TX -> completion. */
static void kernel_turn(struct ring *fill, struct ring *rx, struct ring *tx, struct ring *comp,
			uint32_t len)
{
	uint32_t n = ring_used(tx), room = ring_free(comp);

	if (n > room)
		n = room;
	for (uint32_t i = 0; i < n; i++)
		*addr_at(comp, comp->prod + i) = desc_at(tx, tx->cons + i)->addr;
	ring_publish_cons(tx, n);
	ring_publish_prod(comp, n);

	n = ring_used(fill);
	room = ring_free(rx);
	if (n > room)
		n = room;
	if (n > BUDGET)
		n = BUDGET;
	for (uint32_t i = 0; i < n; i++) {
		struct xdp_desc *d = desc_at(rx, rx->prod + i);

		d->addr = *addr_at(fill, fill->cons + i);
		d->len = len;
		d->options = 0;
	}
	ring_publish_cons(fill, n);
	ring_publish_prod(rx, n);
}

/* The application: what a forwarder without skbs does per packet. */
static uint32_t app_turn(unsigned char *area, struct ring *fill, struct ring *rx,
			 struct ring *tx, struct ring *comp)
{
	uint32_t n = ring_used(comp), got;

	for (uint32_t i = 0; i < n; i++)
		*addr_at(fill, fill->prod + i) = *addr_at(comp, comp->cons + i);
	ring_publish_cons(comp, n);
	ring_publish_prod(fill, n);

	got = ring_used(rx);
	if (got > BUDGET)
		got = BUDGET;
	if (got > ring_free(tx))
		got = ring_free(tx);
	for (uint32_t i = 0; i < got; i++) {
		const struct xdp_desc *d = desc_at(rx, rx->cons + i);
		unsigned char *pkt = area + d->addr;

		memcpy(pkt, next_hop, 6);
		memcpy(pkt + 6, own_mac, 6);
		*desc_at(tx, tx->prod + i) = *d;
	}
	ring_publish_cons(rx, got);
	ring_publish_prod(tx, got);
	return got;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [--size BYTES] (--seconds S | --packets N) [--json]\n"
		"\n"
		"The bare ring loop that forwards descriptors: AF_XDP-shaped fill, RX, TX\n"
		"and completion rings in memory, a simulated kernel, no skb and no library;\n"
		"per packet the MACs are rewritten in the frame. The lower bound for\n"
		"xskb-bench replay-fwd.\n"
		"\n"
		"  -s, --size BYTES    frame size, 60..%u (default 64)\n"
		"  -t, --seconds S     run for S seconds (default 2)\n"
		"  -p, --packets N     forward N packets\n"
		"  -r, --ring N        ring size, power of two (default 2048; frames: 2x)\n"
		"      --json          {\"mode\":\"ringfwd\",\"size\",\"packets\",\"seconds\",\"mpps\",\"ns_per_pkt\"}\n"
		"  -h, --help          this text\n", FRAME);
}

int main(int argc, char **argv)
{
	enum { O_JSON = 256 };
	static const struct option lo[] = {
		{ "size", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ "packets", required_argument, NULL, 'p' },
		{ "ring", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ring fill = { 0 }, rx = { 0 }, tx = { 0 }, comp = { 0 };
	uint64_t seconds = 2, packets = 0, done = 0, t0, t1, ring = 2048;
	unsigned int size = 64, frames;
	struct xt_pkt_spec spec = { .tpl = XT_TPL_UDP, .src_port = 1024, .dst_port = 9000 };
	unsigned char *area;
	bool json = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:t:p:r:h", lo, NULL)) != -1) {
		switch (c) {
		case 's': size = (unsigned int)xt_opt_u64(PROG, "--size", optarg, 60, FRAME, false); break;
		case 't': seconds = xt_opt_u64(PROG, "--seconds", optarg, 1, 3600, false); break;
		case 'p': packets = xt_opt_u64(PROG, "--packets", optarg, 1, UINT64_MAX, true); break;
		case 'r': ring = xt_opt_pow2(PROG, "--ring", optarg, 64, 65536); break;
		case O_JSON: json = true; break;
		case 'h': usage(stdout); return 0;
		default: xt_bad_option(PROG, argv, c);
		}
	}
	if (optind < argc)
		xt_usage_error(PROG, "unexpected argument '%s'", argv[optind]);
	frames = (unsigned int)ring * 2;
	area = aligned_alloc(4096, (size_t)frames * FRAME);
	fill.slots = calloc(frames, sizeof(uint64_t));
	comp.slots = calloc(frames, sizeof(uint64_t));
	rx.slots = calloc(ring, sizeof(struct xdp_desc));
	tx.slots = calloc(ring, sizeof(struct xdp_desc));
	if (!area || !fill.slots || !comp.slots || !rx.slots || !tx.slots) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	fill.mask = comp.mask = frames - 1;
	rx.mask = tx.mask = (uint32_t)ring - 1;
	spec.size = size;
	spec.src_ip.s_addr = htonl(0xc6120001);	/* 198.18.0.1 */
	spec.dst_ip.s_addr = htonl(0xc6120002);
	for (unsigned int i = 0; i < frames; i++) {
		if (xt_pkt_build(&spec, area + (size_t)i * FRAME, FRAME) < 0) {
			fprintf(stderr, PROG ": cannot build the frame\n");
			return 1;
		}
		*addr_at(&fill, i) = (uint64_t)i * FRAME;
	}
	fill.prod = frames;

	t0 = xt_now_ns();
	for (unsigned long turn = 1;; turn++) {
		kernel_turn(&fill, &rx, &tx, &comp, size);
		done += app_turn(area, &fill, &rx, &tx, &comp);
		if (packets ? done >= packets
			    : (turn & 255) == 0 && xt_now_ns() - t0 >= seconds * 1000000000ull)
			break;
	}
	t1 = xt_now_ns();
	{
		double secs = (double)(t1 - t0) / 1e9;
		double mpps = (double)done / secs / 1e6;

		if (json)
			printf("{\"mode\":\"ringfwd\",\"size\":%u,\"packets\":%llu,\"seconds\":%.6f,"
			       "\"mpps\":%.3f,\"ns_per_pkt\":%.2f}\n",
			       size, (unsigned long long)done, secs, mpps, 1e3 / mpps);
		else
			printf("ringfwd, %u-byte frames: %llu packets in %.3f s: %.2f Mpps, "
			       "%.2f ns/packet\n", size, (unsigned long long)done, secs, mpps,
			       1e3 / mpps);
	}
	free(area);
	free(fill.slots);
	free(comp.slots);
	free(rx.slots);
	free(tx.slots);
	return 0;
}
