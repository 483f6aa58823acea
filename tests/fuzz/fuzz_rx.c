/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: arbitrary RX descriptor streams through the real poll
 * path. The input plays the kernel of a replay queue (xskb_replay_take_fill,
 * xskb_replay_inject): descriptors with any address (frames it took from the
 * fill ring, at any offset, frames it never took, or anything at all), any
 * length and any options, in chains of any shape, polled with any budget,
 * some skbs kept, cloned and freed late. Every skb delivered must be sound,
 * the frame accounting must hold whenever the ring is drained, and at the end
 * every frame must be back.
 */
#include <errno.h>

#include "fuzz_common.h"
#include "replay_internal.h"

#define FRAMES		128
#define MAX_KEEP	16

static struct sk_buff_head got;

static void keep(struct sk_buff *skb, void *arg)
{
	(void)arg;
	__skb_queue_tail(&got, skb);
}

/* An skb the receive path handed out: lengths add up, pointers in bounds, an
 * in-place head is a whole frame of the UMEM. */
static void check_skb(const struct sk_buff *skb, struct xskb_umem *u)
{
	const unsigned char *area = xskb_umem__area(u);
	size_t size = (size_t)xskb_umem__frame_size(u) * FRAMES;

	FZ_CHECK(skb->len == skb_headlen(skb) + skb->data_len, "len %u headlen %u data_len %u",
		 skb->len, skb_headlen(skb), skb->data_len);
	FZ_CHECK(skb->len <= 64 * 1024, "len %u", skb->len);
	FZ_CHECK(skb->data >= skb->head && skb_tail_pointer(skb) <= skb_end_pointer(skb),
		 "data/tail outside head..end");
	FZ_CHECK(skb_mac_header(skb) >= skb->head && skb_mac_header(skb) + ETH_HLEN == skb->data,
		 "mac header");
	if (skb->head >= area && skb->head < area + size) {
		bool whole = (size_t)(skb->head - area) % xskb_umem__frame_size(u) == 0 &&
			     skb_end_pointer(skb) <= area + size;

		FZ_CHECK(whole, "in-place head not a frame");
	}
	FZ_CHECK(skb_shinfo(skb)->nr_frags <= MAX_SKB_FRAGS, "nr_frags %u",
		 skb_shinfo(skb)->nr_frags);
}

static void drain_got(struct xskb_umem *u, struct sk_buff_head *kept, struct fz *f)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&got))) {
		check_skb(skb, u);
		if (skb_queue_len(kept) < MAX_KEEP && (fz_u8(f) & 3) == 0) {
			struct sk_buff *c = (fz_u8(f) & 1) ? skb_clone(skb, GFP_ATOMIC) : NULL;

			__skb_queue_tail(kept, skb);
			if (c) {
				check_skb(c, u);
				kfree_skb(c);
			}
		} else {
			kfree_skb(skb);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char tpl[64];
	struct fz f = { data, size };
	unsigned int frame_size = (fz_u8(&f) & 1) ? 4096 : 2048;
	XSKB_OPTS(xskb_umem_opts, uo, .frame_size = frame_size, .frame_count = FRAMES,
		  .headroom = (fz_u8(&f) & 1) ? 64 : 0);
	XSKB_OPTS(xskb_queue_opts, qo, .handler = keep, .rx_size = 64, .fill_size = 64);
	struct xskb_replay_pkt p = { tpl, sizeof(tpl) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &p, .nr_pkts = 1);
	struct sk_buff_head kept;
	struct xskb_frame_stats fs;
	struct xskb_umem *u;
	struct xskb_queue *q;
	__u64 fill[64];
	unsigned int nfill, flags;

	if (!getenv("FUZZ_VERBOSE"))
		xskb_set_print(NULL);
	flags = fz_u8(&f);
	qo.multi_buffer = flags & 1;
	qo.mb_mode = (flags & 2) ? XSKB_MB_FRAGS : XSKB_MB_SLAB;
	qo.copybreak = (flags & 4) ? 128 : 0;
	tpl[0] = 0x02;
	__skb_queue_head_init(&got);
	__skb_queue_head_init(&kept);
	if (xskb_umem__create(&u, -1, &uo))
		return 0;
	FZ_CHECK(xskb_replay__create(&q, u, &qo, &ro) == 0, "replay queue");
	nfill = xskb_replay_take_fill(q, fill, 64);

	for (unsigned int round = 0; round < 32 && f.n; round++) {
		struct xdp_desc d[64];
		bool forged[64];
		__u64 given[64];
		unsigned int n = fz_below(&f, 63) + 1, budget = fz_below(&f, 63) + 1, ngiven = 0;

		/* The "kernel" takes what the fill ring offers. A real kernel only
		 * returns frames it took: naming a frame that still sits in the
		 * fill ring cannot be told from a delivery, so the forgeries below
		 * are frames it never took (free, held, out of range) and
		 * duplicates within one poll. */
		nfill += xskb_replay_take_fill(q, fill + nfill, 64 - nfill);
		for (unsigned int i = 0; i < n; i++) {
			__u8 kind = fz_u8(&f);
			__u64 base = 0;
			bool took = false;

			switch (kind & 3) {
			case 0:	/* a frame it took, at the packet offset or anywhere */
				if (nfill) {
					unsigned int k = fz_below(&f, nfill - 1);

					base = fill[k] & ~((__u64)frame_size - 1);
					fill[k] = fill[--nfill];
					given[ngiven++] = base;
					took = true;
				}
				break;
			case 1:	/* the same frame again (a forgery: see below) */
				base = ngiven ? given[fz_below(&f, ngiven - 1)] : (__u64)FRAMES * frame_size;
				break;
			case 2: {	/* a frame it never took, or just past the UMEM */
				unsigned int idx = fz_below(&f, FRAMES);

				if (idx < FRAMES && q->umem->state[idx] == q->slot)
					idx = FRAMES;
				base = (__u64)idx * frame_size;
				break;
			}
			default:	/* anything */
				base = ((__u64)fz_u32(&f) << (kind & 16 ? 32 : 0)) | fz_u32(&f);
			}
			/* Anything that lands on a frame it took is that frame given. */
			for (unsigned int k = 0; (kind & 3) == 3 && k < nfill; k++)
				if (fill[k] / frame_size == base / frame_size) {
					fill[k] = fill[--nfill];
					given[ngiven++] = base & ~((__u64)frame_size - 1);
					took = true;
					break;
				}
			d[i].addr = base + ((kind & 3) == 3 ? 0 :
					    (kind & 4) ? fz_below(&f, frame_size - 1) : 256 + uo.headroom);
			if ((kind & 3) < 2 && !nfill && !ngiven)
				d[i].addr = (__u64)FRAMES * frame_size;	/* nothing to give */
			switch ((kind >> 5) & 3) {
			case 0:
				d[i].len = fz_below(&f, frame_size);
				break;
			case 1:
				d[i].len = 60 + fz_below(&f, 64);
				break;
			case 2:
				d[i].len = fz_u32(&f);
				break;
			default:
				d[i].len = 0xFFFFFFFFu - fz_below(&f, 255);
			}
			d[i].options = (kind & 0x80) ? XDP_PKT_CONTD : 0;
			if (fz_u8(&f) & 0x80)
				d[i].options |= fz_u32(&f) & ~1u;
			forged[i] = !took && d[i].addr / frame_size < FRAMES;
			/* Still in the fill ring: indistinguishable from a delivery. */
			if (forged[i] && (kind & 3) == 3 &&
			    q->umem->state[d[i].addr / frame_size] == q->slot)
				d[i].addr = (__u64)FRAMES * frame_size + 256;
		}
		/* A frame it never took may be reposted by the poll that precedes
		 * the one reading its descriptor: in-range forgeries only where one
		 * poll reads the whole batch. */
		for (unsigned int i = 0; i < n; i++)
			if (forged[i] && (budget < n || (d[n - 1].options & XDP_PKT_CONTD)))
				d[i].addr = (__u64)FRAMES * frame_size + 256;
		if (getenv("FUZZ_VERBOSE"))
			for (unsigned int i = 0; i < n; i++)
				fprintf(stderr, "round %u desc %u: frame %llu off %llu len %u opt %#x "
					"(budget %u)\n", round, i,
					(unsigned long long)(d[i].addr / frame_size),
					(unsigned long long)(d[i].addr % frame_size), d[i].len,
					d[i].options, budget);
		xskb_replay_inject(q, d, n);
		for (int polls = 0; polls < 256; polls++) {
			int r = (fz_u8(&f) & 1) ? xskb_queue__poll(q, (int)budget)
						: xskb_queue__receive(q, &got, (int)budget);

			FZ_CHECK(r >= 0 && r <= (int)budget, "poll returned %d (budget %u)", r,
				 budget);
			drain_got(u, &kept, &f);
			if (!r)
				break;
		}
		/* Drained unless an unterminated chain waits for its end. */
		if (__atomic_load_n(q->rx.producer, __ATOMIC_ACQUIRE) == q->rx.cached_cons)
			FZ_CHECK(xskb_umem__check(u) == 0, "frame accounting");
		if (fz_u8(&f) & 1)
			__skb_queue_purge(&kept);
	}
	__skb_queue_purge(&kept);
	__skb_queue_purge(&got);
	FZ_CHECK(xskb_queue__destroy(q) == 0, "destroy");
	FZ_CHECK(xskb_umem__frame_stats(u, &fs) == 0 && fs.free == fs.frames && fs.held == 0,
		 "frames not back: free %u of %u, held %u", fs.free, fs.frames, fs.held);
	FZ_CHECK(xskb_umem__delete(u) == 0, "delete");
	return 0;
}
