/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for what the receive path does with descriptors it must not
 * trust: the test plays the kernel on a replay queue (xskb_replay_take_fill,
 * xskb_replay_inject) and writes out-of-range, wrapping, forged, duplicated
 * and unterminated descriptors; every one is dropped and counted, every valid
 * frame comes back, and the frame accounting holds after each poll.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <xskb/napi.h>
#include <xskb/replay.h>

#include "test_helpers.h"
#include "dev_internal.h"
#include "replay_internal.h"
#include "../xdp/xskb_xdp.h"

#define XDP_HEADROOM	256u

static const unsigned char dev_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

struct t {
	struct xskb_umem *u;
	struct xskb_queue *q;
	struct sk_buff_head got;
	unsigned char tpl[64];
	__u64 fill[64];			/* frames the "kernel" took off the fill ring */
	unsigned int nfill;
};

static void keep(struct sk_buff *skb, void *arg)
{
	__skb_queue_tail(&((struct t *)arg)->got, skb);
}

static void keep_list(struct sk_buff *skb, void *arg)
{
	__skb_queue_tail(arg, skb);
}

static void setup(struct t *t, unsigned int frame_size, bool mb, enum xskb_mb_mode mode)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_size = frame_size, .frame_count = 256);
	XSKB_OPTS(xskb_queue_opts, qo, .handler = keep, .handler_arg = t, .multi_buffer = mb,
		  .mb_mode = mode, .rx_size = 256, .fill_size = 128);
	struct xskb_replay_pkt p = { t->tpl, sizeof(t->tpl) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &p, .nr_pkts = 1);

	memset(t->tpl, 0, sizeof(t->tpl));
	memcpy(t->tpl, dev_mac, 6);
	t->tpl[12] = 0x08;
	__skb_queue_head_init(&t->got);
	assert_int_equal(xskb_umem__create(&t->u, -1, &uo), 0);
	assert_int_equal(xskb_replay__create(&t->q, t->u, &qo, &ro), 0);
	t->nfill = xskb_replay_take_fill(t->q, t->fill, 64);
	assert_int_equal(t->nfill, 64);
}

/* Write a frame of @len bytes at the packet offset of fill frame @i. */
static struct xdp_desc pkt(struct t *t, unsigned int i, unsigned int len, __u32 options)
{
	__u64 base = t->fill[i] & ~((__u64)xskb_umem__frame_size(t->u) - 1);
	unsigned char *p = (unsigned char *)xskb_umem__area(t->u) + base + XDP_HEADROOM;

	for (unsigned int k = 0; k < len; k++)
		p[k] = (unsigned char)(k * 13 + i);
	if (len >= 14) {
		memcpy(p, dev_mac, 6);
		p[12] = 0x08;
		p[13] = 0x00;
	}
	return (struct xdp_desc){ .addr = base + XDP_HEADROOM, .len = len, .options = options };
}

static void inject(struct t *t, const struct xdp_desc *d, unsigned int n)
{
	assert_int_equal(xskb_replay_inject(t->q, d, n), n);
}

static struct xskb_queue_stats stats(struct t *t)
{
	struct xskb_queue_stats st;

	assert_int_equal(xskb_queue__stats(t->q, &st), 0);
	return st;
}

static unsigned int held(struct t *t)
{
	struct xskb_frame_stats fs;

	assert_int_equal(xskb_umem__frame_stats(t->u, &fs), 0);
	return fs.held;
}

static void teardown(struct t *t)
{
	struct xskb_frame_stats fs;

	__skb_queue_purge(&t->got);
	assert_int_equal(xskb_umem__check(t->u), 0);
	assert_int_equal(xskb_queue__destroy(t->q), 0);
	assert_int_equal(xskb_umem__frame_stats(t->u, &fs), 0);
	assert_int_equal(fs.free, fs.frames);
	assert_int_equal(xskb_umem__delete(t->u), 0);
}

/* An index one past the last frame, and addresses far outside the UMEM:
 * dropped, no frame touched (the old code wrote state[256]). */
static void test_index_out_of_range(void **state)
{
	struct t t = { 0 };
	struct xdp_desc d[4];
	(void)state;

	setup(&t, 2048, false, XSKB_MB_SLAB);
	d[0] = (struct xdp_desc){ .addr = 256ull * 2048 + XDP_HEADROOM, .len = 64 };
	d[1] = (struct xdp_desc){ .addr = 256ull * 2048 + XDP_HEADROOM, .len = 8 };	/* copy path */
	d[2] = (struct xdp_desc){ .addr = (1ull << 63) + XDP_HEADROOM, .len = 64 };
	d[3] = (struct xdp_desc){ .addr = (1ull << 32) * 2048, .len = 64 };	/* idx wraps to 0 */
	inject(&t, d, 4);
	assert_int_equal(xskb_queue__poll(t.q, 64), 4);
	assert_int_equal(skb_queue_len(&t.got), 0);
	assert_int_equal(stats(&t).drops[XSKB_DROP_INVALID_DESC], 4);
	assert_int_equal(stats(&t).rx_packets, 0);
	assert_int_equal(held(&t), 0);
	assert_int_equal(xskb_umem__check(t.u), 0);
	teardown(&t);
}

/* len = 0xFFFFFF80 at offset 256: off + len wraps in 32 bits. The old code
 * built an in-place skb with len 4294967154. */
static void test_len_wraps(void **state)
{
	struct t t = { 0 };
	struct xdp_desc d[3];
	(void)state;

	setup(&t, 2048, false, XSKB_MB_SLAB);
	d[0] = pkt(&t, 0, 64, 0);
	d[0].len = 0xFFFFFF80u;
	d[1] = pkt(&t, 1, 64, 0);
	d[1].len = 2048 - XDP_HEADROOM + 1;	/* one byte past the frame: copy path */
	d[2] = pkt(&t, 2, 64, 0);		/* a good one after them */
	inject(&t, d, 3);
	assert_int_equal(xskb_queue__poll(t.q, 64), 3);
	assert_int_equal(stats(&t).drops[XSKB_DROP_INVALID_DESC], 2);
	assert_int_equal(skb_queue_len(&t.got), 1);
	assert_int_equal(skb_peek(&t.got)->len, 64 - ETH_HLEN);
	/* The two bad frames went back to the free stack at once. */
	__skb_queue_purge(&t.got);
	assert_int_equal(xskb_umem__check(t.u), 0);
	teardown(&t);
}

/* A frame posted once but named twice, and a frame that was never posted
 * (FREE): the second use and the forgery are dropped, nothing is freed
 * twice. */
static void test_duplicate_and_unposted(void **state)
{
	struct t t = { 0 };
	struct xdp_desc d[3];
	unsigned int free_frame = 255;	/* the bottom of the free stack */
	(void)state;

	setup(&t, 2048, false, XSKB_MB_SLAB);
	d[0] = pkt(&t, 5, 64, 0);
	d[1] = d[0];
	d[2] = (struct xdp_desc){ .addr = (__u64)free_frame * 2048 + XDP_HEADROOM, .len = 64 };
	inject(&t, d, 3);
	assert_int_equal(xskb_queue__poll(t.q, 64), 3);
	assert_int_equal(skb_queue_len(&t.got), 1);
	assert_int_equal(stats(&t).drops[XSKB_DROP_INVALID_DESC], 2);
	assert_int_equal(xskb_umem__check(t.u), 0);
	teardown(&t);
}

/* A chain whose end is published after a poll saw its start: the next poll
 * with a small budget takes it (the old code kept a stale producer view and
 * returned 0 forever). */
static void test_chain_end_published_later(void **state)
{
	struct t t = { 0 };
	struct xdp_desc d[3];
	(void)state;

	setup(&t, 2048, true, XSKB_MB_SLAB);
	d[0] = pkt(&t, 0, 1792, XDP_PKT_CONTD);
	d[1] = pkt(&t, 1, 1792, XDP_PKT_CONTD);
	d[2] = pkt(&t, 2, 100, 0);
	inject(&t, d, 2);
	assert_int_equal(xskb_queue__poll(t.q, 2), 0);
	assert_int_equal(xskb_queue__poll(t.q, 2), 0);
	inject(&t, d + 2, 1);
	assert_int_equal(xskb_queue__poll(t.q, 2), 1);
	assert_int_equal(skb_queue_len(&t.got), 1);
	assert_int_equal(skb_peek(&t.got)->len, 1792 * 2 + 100 - ETH_HLEN);
	assert_int_equal(stats(&t).rx_descs, 3);
	teardown(&t);
}

/* More descriptors with XDP_PKT_CONTD than any packet spans: the run is cut
 * at chain_max and dropped as invalid (the old code swallowed every visible
 * descriptor as one chain), its frames returned, and the packet after it
 * is received. */
static void test_chain_without_end(void **state)
{
	struct t t = { 0 };
	struct xdp_desc d[64];
	unsigned int n;
	(void)state;

	setup(&t, 2048, true, XSKB_MB_SLAB);
	n = t.q->chain_max;
	assert_true(n + 1 <= 64);
	for (unsigned int i = 0; i < n; i++)
		d[i] = pkt(&t, i, 1792, XDP_PKT_CONTD);
	d[n] = pkt(&t, n, 64, 0);
	inject(&t, d, n + 1);
	assert_int_equal(xskb_queue__poll(t.q, 64), 2);
	assert_int_equal(stats(&t).drops[XSKB_DROP_INVALID_DESC], 1);
	assert_int_equal(skb_queue_len(&t.got), 1);
	assert_int_equal(skb_peek(&t.got)->len, 64 - ETH_HLEN);
	assert_int_equal(held(&t), 1);
	teardown(&t);
}

/* One bad descriptor in the middle of a chain, and a chain naming one frame
 * twice: each packet is dropped, each valid frame returned once. */
static void test_chain_with_bad_desc(void **state)
{
	struct t t = { 0 };
	struct xdp_desc d[6];
	(void)state;

	setup(&t, 2048, true, XSKB_MB_FRAGS);
	d[0] = pkt(&t, 0, 1792, XDP_PKT_CONTD);
	d[1] = (struct xdp_desc){ .addr = 999ull * 2048, .len = 100, .options = XDP_PKT_CONTD };
	d[2] = pkt(&t, 2, 100, 0);
	d[3] = pkt(&t, 3, 1792, XDP_PKT_CONTD);
	d[4] = d[3];
	d[4].options = 0;
	inject(&t, d, 5);
	assert_int_equal(xskb_queue__poll(t.q, 64), 2);
	assert_int_equal(stats(&t).drops[XSKB_DROP_INVALID_DESC], 2);
	assert_int_equal(skb_queue_len(&t.got), 0);
	assert_int_equal(held(&t), 0);
	assert_int_equal(xskb_umem__check(t.u), 0);
	teardown(&t);
}

/* A 40000-byte packet in 2 KiB frames is 23 descriptors: slab mode takes up
 * to 64 KiB whatever the descriptor count (the old code applied the frags
 * limit of 18 descriptors first and dropped it as too_big). Frags mode
 * drops it: it needs 23 fragment slots. */
static void test_chain_slab_many_descs(void **state)
{
	static unsigned char big[40000];
	XSKB_OPTS(xskb_umem_opts, uo, .frame_size = 2048, .frame_count = 256);
	struct xskb_replay_pkt p = { big, sizeof(big) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &p, .nr_pkts = 1, .limit = 1);
	struct sk_buff_head got;
	struct xskb_umem *u;
	struct xskb_queue *q;
	struct xskb_queue_stats st;
	(void)state;

	for (unsigned int i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 31);
	memcpy(big, dev_mac, 6);
	big[12] = 0x08;
	big[13] = 0x00;
	for (int mode = XSKB_MB_SLAB; mode <= XSKB_MB_FRAGS; mode++) {
		XSKB_OPTS(xskb_queue_opts, qo, .handler = keep_list, .multi_buffer = true,
			  .mb_mode = (enum xskb_mb_mode)mode);

		__skb_queue_head_init(&got);
		qo.handler_arg = &got;
		assert_int_equal(xskb_umem__create(&u, -1, &uo), 0);
		assert_int_equal(xskb_replay__create(&q, u, &qo, &ro), 0);
		assert_int_equal(xskb_queue__poll(q, 64), 1);
		assert_int_equal(xskb_queue__stats(q, &st), 0);
		assert_int_equal(st.rx_descs, 23);
		if (mode == XSKB_MB_SLAB) {
			assert_int_equal(skb_queue_len(&got), 1);
			assert_int_equal(skb_peek(&got)->len, sizeof(big) - ETH_HLEN);
			assert_memory_equal(skb_mac_header(skb_peek(&got)), big, sizeof(big));
		} else {
			assert_int_equal(skb_queue_len(&got), 0);
			assert_int_equal(st.drops[XSKB_DROP_TOO_BIG], 1);
		}
		__skb_queue_purge(&got);
		assert_int_equal(xskb_umem__check(u), 0);
		assert_int_equal(xskb_queue__destroy(q), 0);
		assert_int_equal(xskb_umem__delete(u), 0);
	}
}

/*
 * A descriptor at offset 0 of a frame on a queue that reads XDP metadata:
 * the 16 bytes "in front of the packet" are the previous frame's last ones,
 * which a remote sender may fill. The old code read a planted magic from
 * there (skb->mark from foreign bytes), cleared it in a frame that is not
 * the packet's, and set meta_len with no headroom before the MAC header.
 */
static void test_meta_at_frame_start(void **state)
{
	struct t t = { 0 };
	struct xskb_xdp_meta *m;
	struct xdp_desc d;
	unsigned char *area;
	__u64 base;
	(void)state;

	setup(&t, 2048, false, XSKB_MB_SLAB);
	t.q->metadata = true;
	area = xskb_umem__area(t.u);
	d = pkt(&t, 0, 64, 0);
	base = d.addr - XDP_HEADROOM;
	assert_true(base >= 2048);		/* a frame with one before it */
	memmove(area + base, area + d.addr, 64);	/* the packet at offset 0 */
	m = (struct xskb_xdp_meta *)(void *)(area + base - sizeof(*m));
	memset(m, 0, sizeof(*m));
	m->magic = XSKB_META_MAGIC;
	m->mark = 0xdeadbeef;
	d.addr = base;
	inject(&t, &d, 1);
	assert_int_equal(xskb_queue__poll(t.q, 64), 1);
	assert_int_equal(skb_queue_len(&t.got), 1);
	assert_int_equal(skb_peek(&t.got)->mark, 0);
	assert_int_equal(skb_shinfo(skb_peek(&t.got))->meta_len, 0);
	assert_int_equal(m->magic, XSKB_META_MAGIC);	/* the other frame untouched */
	teardown(&t);
}

/*
 * A UMEM holds every device its queues were bound to, so that skb->dev never
 * dangles; it has room for 64. The 65th device used to be attached without
 * a hold (its struct freed at close under skbs naming it); now it is -ENOSPC.
 */
static void test_umem_device_holds(void **state)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_count = 64);
	struct xskb_dev *devs[XSKB_UMEM_MAX_QUEUES + 1];
	struct xskb_queue fq;
	struct xskb_umem *u;
	(void)state;

	xskb_set_print(NULL);
	assert_int_equal(xskb_umem__create(&u, -1, &uo), 0);
	for (unsigned int i = 0; i <= XSKB_UMEM_MAX_QUEUES; i++) {
		devs[i] = calloc(1, sizeof(*devs[i]));
		assert_non_null(devs[i]);
		devs[i]->refs = 1;		/* the opener's */
		memset(&fq, 0, sizeof(fq));
		fq.dev = devs[i];
		if (i < XSKB_UMEM_MAX_QUEUES) {
			assert_int_equal(xskb_umem_attach_queue(u, &fq), 0);
			xskb_umem_detach_queue(u, &fq, false);
			assert_int_equal(devs[i]->refs, 2);
		} else {
			assert_int_equal(xskb_umem_attach_queue(u, &fq), -ENOSPC);
			assert_int_equal(devs[i]->refs, 1);
		}
	}
	for (unsigned int i = 0; i <= XSKB_UMEM_MAX_QUEUES; i++)
		xskb_dev_put(devs[i]);		/* "closed": the UMEM still holds 64 */
	assert_int_equal(xskb_umem__delete(u), 0);	/* frees them (memcheck) */
}

/*
 * A second replay queue on a UMEM whose frames other queues use: it must not
 * write its template into every frame (the old code did, overwriting the
 * packet an skb of the first queue still held), and its packets still carry
 * its template.
 */
static void test_replay_fast_on_shared_umem(void **state)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_size = 2048, .frame_count = 256);
	XSKB_OPTS(xskb_queue_opts, qo, .handler = keep_list, .rx_size = 64, .fill_size = 64);
	unsigned char a[64], b[64];
	struct xskb_replay_pkt pa = { a, sizeof(a) }, pb = { b, sizeof(b) };
	XSKB_OPTS(xskb_replay_opts, ra, .pkts = &pa, .nr_pkts = 1, .limit = 1, .copy = true);
	XSKB_OPTS(xskb_replay_opts, rb, .pkts = &pb, .nr_pkts = 1, .limit = 1);
	struct sk_buff_head got;
	struct xskb_queue *q1, *q2;
	struct xskb_umem *u;
	struct sk_buff *held;
	(void)state;

	memset(a, 0xaa, sizeof(a));
	memset(b, 0xbb, sizeof(b));
	memcpy(a, dev_mac, 6);
	memcpy(b, dev_mac, 6);
	__skb_queue_head_init(&got);
	qo.handler_arg = &got;
	assert_int_equal(xskb_umem__create(&u, -1, &uo), 0);
	assert_int_equal(xskb_replay__create(&q1, u, &qo, &ra), 0);
	assert_int_equal(xskb_queue__poll(q1, 64), 1);
	held = __skb_dequeue(&got);
	assert_true(skb_mac_header(held)[20] == 0xaa);
	qo.queue_id = 1;
	assert_int_equal(xskb_replay__create(&q2, u, &qo, &rb), 0);
	assert_memory_equal(skb_mac_header(held), a, sizeof(a));	/* untouched */
	assert_int_equal(xskb_queue__poll(q2, 64), 1);
	assert_memory_equal(skb_mac_header(skb_peek(&got)), b, sizeof(b));
	__skb_queue_purge(&got);
	kfree_skb(held);
	assert_int_equal(xskb_queue__destroy(q2), 0);
	assert_int_equal(xskb_queue__destroy(q1), 0);
	assert_int_equal(xskb_umem__delete(u), 0);
}

/*
 * Zero-copy teardown: the frames a destroyed zero-copy queue had posted stay
 * the kernel's (it releases the pool later, from a workqueue) and are not
 * handed to another queue of the shared UMEM (the old code freed them at
 * once); a zero-copy bind on the same interface and queue, or the UMEM's
 * deletion, releases them.
 */
static void test_zerocopy_teardown_retires(void **state)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_size = 2048, .frame_count = 256);
	XSKB_OPTS(xskb_queue_opts, qo, .handler = keep_list, .queue_id = 5, .rx_size = 64,
		  .fill_size = 64);
	unsigned char tpl[64] = { 0 };
	struct xskb_replay_pkt p = { tpl, sizeof(tpl) };
	XSKB_OPTS(xskb_replay_opts, ro, .pkts = &p, .nr_pkts = 1, .limit = 1);
	struct xskb_frame_stats fs;
	struct sk_buff_head got;
	struct xskb_queue *q1, *q2;
	struct xskb_umem *u;
	(void)state;

	memcpy(tpl, dev_mac, 6);
	__skb_queue_head_init(&got);
	qo.handler_arg = &got;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(xskb_umem__create(&u, -1, &uo), 0);
		assert_int_equal(xskb_replay__create(&q1, u, &qo, &ro), 0);
		assert_int_equal(xskb_queue__poll(q1, 64), 1);
		__skb_queue_purge(&got);
		q1->mode = XSKB_MODE_ZEROCOPY;		/* as a zero-copy socket */
		assert_int_equal(xskb_queue__destroy(q1), 0);
		assert_int_equal(xskb_umem__frame_stats(u, &fs), 0);
		assert_int_equal(fs.fill, 64);		/* still the kernel's */
		assert_int_equal(fs.free, 256 - 64);
		assert_int_equal(xskb_umem__check(u), 0);
		/* Another queue on the UMEM gets other frames only. */
		qo.queue_id = 6;
		assert_int_equal(xskb_replay__create(&q2, u, &qo, &ro), 0);
		assert_int_equal(xskb_umem__frame_stats(u, &fs), 0);
		assert_int_equal(fs.fill, 128);
		assert_int_equal(xskb_umem__check(u), 0);
		assert_int_equal(xskb_queue__destroy(q2), 0);
		qo.queue_id = 5;
		if (round == 0) {
			xskb_umem_release_retired(u, 0, 6);	/* another queue: no effect */
			assert_int_equal(xskb_umem__frame_stats(u, &fs), 0);
			assert_int_equal(fs.fill, 64);
			xskb_umem_release_retired(u, 0, 5);
			assert_int_equal(xskb_umem__frame_stats(u, &fs), 0);
			assert_int_equal(fs.free, 256);
		}
		assert_int_equal(xskb_umem__check(u), 0);
		assert_int_equal(xskb_umem__delete(u), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_out_of_range),
		cmocka_unit_test(test_len_wraps),
		cmocka_unit_test(test_duplicate_and_unposted),
		cmocka_unit_test(test_chain_end_published_later),
		cmocka_unit_test(test_chain_without_end),
		cmocka_unit_test(test_chain_with_bad_desc),
		cmocka_unit_test(test_chain_slab_many_descs),
		cmocka_unit_test(test_zerocopy_teardown_retires),
		cmocka_unit_test(test_meta_at_frame_start),
		cmocka_unit_test(test_umem_device_holds),
		cmocka_unit_test(test_replay_fast_on_shared_umem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
