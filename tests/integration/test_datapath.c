/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Integration tests of the AF_XDP datapath on a real veth lab in namespaces
 * this test creates and removes: exact counts and bytes on the in-place
 * path, jumbo frames through the slab and frags paths byte for byte,
 * copybreak, clones held and released, XDP metadata and claim rules,
 * errors, libxdp's dispatcher, and nothing left behind.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xskb/napi.h>
#include <xskb/skbuff.h>

#include "lab_fixture.h"

/*
 * Each lab has one RX queue per veth end except mlab: with several, the
 * sender's TX queue picks the receiver's RX queue, and frames on a queue
 * without a socket go (correctly) to the kernel.
 */
static struct xt_lab lab;	/* MTU 1500, 1 queue */
static struct xt_lab jlab;	/* MTU 9000, 1 queue */
static struct xt_lab mlab;	/* MTU 1500, 2 queues: binding tests only */
static char prefix[16], jprefix[16], mprefix[16];
static char gprefix[16];	/* test_interface_deleted's own lab (it deletes its link) */
static bool have_lab;
static int home_ns = -1;

#define need_lab()				\
	do {					\
		if (!have_lab)			\
			skip();			\
	} while (0)

/* ---- receiver: a queue, a NAPI thread, a handler that checks every frame ---- */

struct rx_check {
	unsigned long packets, bytes, verify_ok, verify_bad, marks, hashes;
	__u32 want_mark;
	bool hold;			/* keep a clone of each skb */
	struct sk_buff_head held;
	unsigned char buf[10000];
};

static void on_packet(struct sk_buff *skb, void *arg)
{
	struct rx_check *c = arg;
	unsigned int len = skb->len + ETH_HLEN;

	if (len <= sizeof(c->buf) && !skb_copy_bits(skb, -ETH_HLEN, c->buf, (int)len) &&
	    !xt_pkt_verify(c->buf, len, NULL) && skb->protocol == htons(ETH_P_IP) &&
	    skb_network_header(skb) == skb->data && skb_mac_header(skb) == skb->data - ETH_HLEN)
		__atomic_fetch_add(&c->verify_ok, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&c->verify_bad, 1, __ATOMIC_RELAXED);
	if (c->want_mark && skb->mark == c->want_mark)
		__atomic_fetch_add(&c->marks, 1, __ATOMIC_RELAXED);
	if (skb->hash && skb->l4_hash && skb->sw_hash)
		__atomic_fetch_add(&c->hashes, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->bytes, len, __ATOMIC_RELAXED);
	if (c->hold)
		__skb_queue_tail(&c->held, skb_clone(skb, GFP_ATOMIC));
	consume_skb(skb);
	__atomic_fetch_add(&c->packets, 1, __ATOMIC_RELEASE);
}

struct rx {
	struct xskb_dev *dev;
	struct xskb_umem *umem;
	struct xskb_queue *q;
	struct xskb_napi *napi;
	struct rx_check *chk;
};

static struct rx *cur_rx;	/* what the per-test teardown must undo */
static int kernel_fd = -1;

static void rx_open(struct rx *r, const struct xt_lab *l, const struct xskb_dev_opts *dopts,
		    const struct xskb_umem_opts *uopts, struct xskb_queue_opts *qopts)
{
	memset(r, 0, sizeof(*r));
	cur_rx = r;
	r->chk = calloc(1, sizeof(*r->chk));
	assert_non_null(r->chk);
	__skb_queue_head_init(&r->chk->held);
	assert_int_equal(xt_netns_enter(l->ns_rx), 0);
	assert_int_equal(xskb_dev__open(&r->dev, l->if_rx, dopts), 0);
	assert_int_equal(xskb_umem__create(&r->umem, -1, uopts), 0);
	qopts->handler = on_packet;
	qopts->handler_arg = r->chk;
	assert_int_equal(xskb_queue__create(&r->q, r->dev, r->umem, qopts), 0);
	assert_int_equal(xskb_queue__mode(r->q), XSKB_MODE_COPY);	/* veth: no zero-copy */
	assert_int_equal(xskb_napi__create(&r->napi, &r->q, 1, NULL), 0);
	assert_int_equal(xskb_napi__start(r->napi), 0);
}

static void rx_stop(struct rx *r)
{
	xskb_napi__destroy(r->napi);
	r->napi = NULL;
}

/* Teardown checks: the accounting invariant, then every frame back. */
static void rx_close(struct rx *r)
{
	struct xskb_frame_stats fs;

	if (r->napi)
		rx_stop(r);
	__skb_queue_purge(&r->chk->held);
	assert_int_equal(xskb_umem__check(r->umem), 0);
	assert_int_equal(xskb_queue__destroy(r->q), 0);
	assert_int_equal(xskb_umem__frame_stats(r->umem, &fs), 0);
	assert_int_equal(fs.free, fs.frames);
	assert_int_equal(xskb_umem__delete(r->umem), 0);
	assert_int_equal(xskb_dev__close(r->dev), 0);
	free(r->chk);
	cur_rx = NULL;
	assert_int_equal(xt_netns_set(home_ns), 0);
}

/*
 * After every test, pass or fail: undo whatever it left open, so that one
 * failed assertion cannot leave a program attached for the next test.
 */
static int test_teardown(void **state)
{
	struct rx *r = cur_rx;
	(void)state;

	if (r) {
		fprintf(stderr, "teardown: closing what the failed test left open\n");
		cur_rx = NULL;
		xskb_napi__destroy(r->napi);
		if (r->chk)
			__skb_queue_purge(&r->chk->held);
		xskb_queue__destroy(r->q);
		xskb_umem__delete(r->umem);
		xskb_dev__close(r->dev);
		free(r->chk);
	}
	if (kernel_fd >= 0)
		close(kernel_fd);
	kernel_fd = -1;
	if (home_ns >= 0)
		xt_netns_set(home_ns);
	return 0;
}

static unsigned long delivered(struct rx *r)
{
	return __atomic_load_n(&r->chk->packets, __ATOMIC_ACQUIRE);
}

/* Wait for @n packets; on timeout say where the rest went. */
static void expect_delivered(struct rx *r, unsigned long n)
{
	struct xskb_queue_stats st;

	if (wait_for(delivered(r) >= n, 5000))
		return;
	xskb_queue__stats(r->q, &st);
	fail_msg("delivered %lu of %lu: kernel dropped %llu (fill ring empty %llu, rx ring full "
		 "%llu), xskb drops nomem %llu runt %llu too_big %llu", delivered(r), n,
		 st.xdp_rx_dropped, st.xdp_rx_fill_ring_empty, st.xdp_rx_ring_full,
		 st.drops[XSKB_DROP_NOMEM], st.drops[XSKB_DROP_RUNT], st.drops[XSKB_DROP_TOO_BIG]);
}

/*
 * Exact-count tests pace the sender: a burst faster than the NAPI thread is
 * scheduled empties the fill ring, and the kernel then drops (correctly, and
 * counted in xdp_rx_fill_ring_empty). The flood test covers that regime.
 */
#define PACE_PPS 100000

/* ---- tests ---------------------------------------------------------------------------- */

#define N_SMALL 50000ul

static void test_exact_count_inplace(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo);
	struct xskb_queue_stats st;
	struct gen_job g;
	static struct rx r;	/* static: the teardown uses it after a failed assert */
	(void)state;

	need_lab();
	rx_open(&r, &lab, NULL, NULL, &qo);
	gen_job_init(&g, &lab, XT_ENGINE_PACKET, N_SMALL, 100);
	g.cfg.rate_pps = PACE_PPS;
	gen_start(&g);
	gen_wait(&g);
	assert_int_equal(g.res.sent, N_SMALL);
	expect_delivered(&r, N_SMALL);
	usleep(100000);		/* anything extra would show up now */
	rx_stop(&r);
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.rx_packets, N_SMALL);
	assert_int_equal(st.rx_bytes, N_SMALL * 100);
	assert_int_equal(st.skb_inplace, N_SMALL);
	assert_int_equal(st.skb_slab, 0);
	assert_int_equal(st.xdp_rx_dropped, 0);
	assert_int_equal(r.chk->verify_ok, N_SMALL);
	assert_int_equal(r.chk->verify_bad, 0);
	assert_int_equal(r.chk->bytes, N_SMALL * 100);
	rx_close(&r);
}

/* The live-frame generator at full speed: frames arrive intact and every
 * counter agrees. How many arrive depends on the machine's load, so that is
 * the benchmarks' business (tools/bench), not this test's. */
static void test_live_frames_flood(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo);
	struct xskb_queue_stats st;
	struct gen_job g;
	static struct rx r;	/* static: the teardown uses it after a failed assert */
	(void)state;

	need_lab();
	rx_open(&r, &lab, NULL, NULL, &qo);
	gen_job_init(&g, &lab, XT_ENGINE_XDP, 500000, 64);
	gen_start(&g);
	gen_wait(&g);
	assert_int_equal(g.res.sent, 500000);
	wait_for(delivered(&r) >= 500000, 3000);
	rx_stop(&r);
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_true(st.rx_packets > 0 && st.rx_packets <= 500000);
	assert_int_equal(st.rx_packets, r.chk->packets);
	assert_int_equal(r.chk->verify_bad, 0);
	assert_int_equal(st.skb_inplace, st.rx_packets);
	rx_close(&r);
}

static void run_jumbo(enum xskb_mb_mode mode)
{
	XSKB_OPTS(xskb_queue_opts, qo, .multi_buffer = true, .mb_mode = mode);
	struct xskb_queue_stats st;
	struct gen_job g;
	static struct rx r;	/* static: the teardown uses it after a failed assert */
	const unsigned long n = 3000;

	need_lab();
	if (!jlab.mtu)
		skip();
	rx_open(&r, &jlab, NULL, NULL, &qo);
	gen_job_init(&g, &jlab, XT_ENGINE_PACKET, n, 9014);
	g.cfg.rate_pps = PACE_PPS;
	gen_start(&g);
	gen_wait(&g);
	expect_delivered(&r, n);
	rx_stop(&r);
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.rx_packets, n);
	assert_int_equal(st.rx_bytes, n * 9014);
	assert_int_equal(st.rx_descs, n * 3);	/* 3840 + 3840 + 1334 bytes */
	assert_int_equal(mode == XSKB_MB_FRAGS ? st.skb_frags : st.skb_slab, n);
	assert_int_equal(st.skb_inplace, 0);
	assert_int_equal(r.chk->verify_ok, n);
	assert_int_equal(r.chk->verify_bad, 0);
	rx_close(&r);
}

static void test_jumbo_slab(void **state)
{
	(void)state;
	run_jumbo(XSKB_MB_SLAB);
}

static void test_jumbo_frags(void **state)
{
	(void)state;
	run_jumbo(XSKB_MB_FRAGS);
}

static void test_copybreak(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .copybreak = 128);
	struct xskb_queue_stats st;
	struct gen_job g;
	static struct rx r;	/* static: the teardown uses it after a failed assert */
	(void)state;

	need_lab();
	rx_open(&r, &lab, NULL, NULL, &qo);
	gen_job_init(&g, &lab, XT_ENGINE_PACKET, 10000, 128);
	g.cfg.rate_pps = PACE_PPS;
	gen_start(&g);
	gen_wait(&g);
	expect_delivered(&r, 10000);
	gen_job_init(&g, &lab, XT_ENGINE_PACKET, 10000, 129);
	g.cfg.rate_pps = PACE_PPS;
	gen_start(&g);
	gen_wait(&g);
	expect_delivered(&r, 20000);
	rx_stop(&r);
	assert_int_equal(xskb_queue__stats(r.q, &st), 0);
	assert_int_equal(st.skb_copybreak, 10000);
	assert_int_equal(st.skb_slab, 10000);
	assert_int_equal(st.skb_inplace, 10000);
	assert_int_equal(r.chk->verify_ok, 20000);
	rx_close(&r);
}

/* A handler that keeps clones pins their frames; releasing them returns every one. */
static void test_held_clones_return(void **state)
{
	XSKB_OPTS(xskb_umem_opts, uo, .frame_count = 8192);
	XSKB_OPTS(xskb_queue_opts, qo);
	struct xskb_frame_stats fs;
	struct gen_job g;
	static struct rx r;	/* static: the teardown uses it after a failed assert */
	(void)state;

	need_lab();
	rx_open(&r, &lab, NULL, &uo, &qo);
	r.chk->hold = true;
	gen_job_init(&g, &lab, XT_ENGINE_PACKET, 1000, 200);
	g.cfg.rate_pps = 100000;
	gen_start(&g);
	gen_wait(&g);
	expect_delivered(&r, 1000);
	rx_stop(&r);
	assert_int_equal(skb_queue_len(&r.chk->held), 1000);
	assert_int_equal(xskb_umem__frame_stats(r.umem, &fs), 0);
	assert_int_equal(fs.held, 1000);
	assert_int_equal(xskb_umem__check(r.umem), 0);
	/* Each clone is the last reference to its frame now. */
	assert_false(skb_cloned(skb_peek(&r.chk->held)));
	assert_true(skb_peek(&r.chk->held)->xsk_frame);
	__skb_queue_purge(&r.chk->held);
	assert_int_equal(xskb_umem__frame_stats(r.umem, &fs), 0);
	assert_int_equal(fs.held, 0);
	assert_int_equal(fs.free + fs.fill, fs.frames);
	rx_close(&r);
}

/* Rules claim UDP 9000 with a mark; UDP 9001 goes on to the kernel's socket. */
static void test_rules_and_metadata(void **state)
{
	XSKB_OPTS(xskb_dev_opts, dopts, .metadata = true);
	XSKB_OPTS(xskb_queue_opts, qo);
	struct xskb_rule rule = { .flags = XSKB_RULE_PROTO | XSKB_RULE_DPORT, .ip_proto = IPPROTO_UDP,
				  .dport_lo = 9000, .dport_hi = 9000, .mark = 77 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9001) };
	struct gen_job g;
	static struct rx r;	/* static: the teardown uses it after a failed assert */
	char buf[2048];
	int fd, kernel_got = 0;
	(void)state;

	need_lab();
	rx_open(&r, &lab, &dopts, NULL, &qo);
	r.chk->want_mark = 77;
	assert_int_equal(xskb_dev__add_rule(r.dev, &rule), 0);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);	/* in the rx namespace */
	assert_true(fd >= 0);
	kernel_fd = fd;
	/* Room for all 300 until we read them (root may exceed rmem_max). */
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 8 << 20 }, sizeof(int)), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);

	gen_job_init(&g, &lab, XT_ENGINE_PACKET, 500, 100);
	g.cfg.rate_pps = PACE_PPS;
	gen_start(&g);
	gen_wait(&g);
	gen_job_init(&g, &lab, XT_ENGINE_PACKET, 300, 100);
	g.cfg.rate_pps = PACE_PPS;
	g.cfg.pkt.dst_port = 9001;
	gen_start(&g);
	gen_wait(&g);
	expect_delivered(&r, 500);
	for (int i = 0; i < 2000 && kernel_got < 300; i++) {
		if (recv(fd, buf, sizeof(buf), 0) > 0)
			kernel_got++;
		else
			usleep(1000);
	}
	rx_stop(&r);
	close(fd);
	kernel_fd = -1;
	assert_int_equal(r.chk->packets, 500);
	assert_int_equal(r.chk->marks, 500);
	assert_int_equal(r.chk->hashes, 500);
	assert_int_equal(kernel_got, 300);
	/* Bad rules are refused with the errno the API promises. */
	rule.dport_lo = 10;
	rule.dport_hi = 5;
	assert_int_equal(xskb_dev__add_rule(r.dev, &rule), -EINVAL);
	rule.flags = 0;
	assert_int_equal(xskb_dev__add_rule(r.dev, &rule), -EINVAL);
	rx_close(&r);
}

static void test_errors(void **state)
{
	XSKB_OPTS(xskb_queue_opts, qo, .handler = on_packet);
	struct xskb_dev *dev, *dev2;
	struct xskb_umem *u;
	struct xskb_queue *q, *q2;
	(void)state;

	need_lab();
	assert_int_equal(xt_netns_enter(mlab.ns_rx), 0);
	assert_int_equal(xskb_dev__open(&dev, "xskb-nope0", NULL), -ENOENT);
	assert_int_equal(xskb_dev__open(&dev, mlab.if_rx, NULL), 0);
	assert_int_equal(xskb_umem__create(&u, -1, NULL), 0);
	qo.queue_id = mlab.queues;			/* one past the last */
	assert_int_equal(xskb_queue__create(&q, dev, u, &qo), -EINVAL);
	/* A failed queue leaves nothing for dev_queue_xmit() to find. */
	assert_null(xskb_dev__netdev(dev)->xskb_txq[mlab.queues]);
	qo.queue_id = 0;
	qo.mode = XSKB_MODE_ZEROCOPY;			/* veth cannot */
	assert_int_equal(xskb_queue__create(&q, dev, u, &qo), -EOPNOTSUPP);
	assert_null(xskb_dev__netdev(dev)->xskb_txq[0]);
	qo.mode = XSKB_MODE_AUTO;
	qo.rx_size = 1000;				/* not a power of two */
	assert_int_equal(xskb_queue__create(&q, dev, u, &qo), -EINVAL);
	qo.rx_size = 0;
	assert_int_equal(xskb_queue__create(&q, dev, u, &qo), 0);
	assert_ptr_equal(xskb_dev__netdev(dev)->xskb_txq[0], q);
	{
		/* Loss-free defaults: a 16384-entry fill ring, posted full. */
		struct xskb_frame_stats fs;

		assert_int_equal(xskb_umem__frame_stats(u, &fs), 0);
		assert_int_equal(fs.frames, 32768);
		assert_int_equal(fs.fill, 16384);
	}
	assert_int_equal(xskb_queue__create(&q2, dev, u, &qo), -EBUSY);	/* same queue */
	assert_int_equal(xskb_dev__close(dev), -EBUSY);			/* queue still bound */
	assert_int_equal(xskb_umem__delete(u), -EBUSY);
	/* A second queue shares the UMEM (XDP_SHARED_UMEM). */
	qo.queue_id = 1;
	assert_int_equal(xskb_queue__create(&q2, dev, u, &qo), 0);
	assert_int_equal(xskb_queue__mode(q2), XSKB_MODE_COPY);
	assert_int_equal(xskb_umem__check(u), 0);
	assert_int_equal(xskb_queue__destroy(q), 0);
	assert_int_equal(xskb_queue__destroy(q2), 0);
	assert_null(xskb_dev__netdev(dev)->xskb_txq[0]);
	assert_null(xskb_dev__netdev(dev)->xskb_txq[1]);
	assert_int_equal(xskb_umem__check(u), 0);
	assert_int_equal(xskb_umem__delete(u), 0);
	/* A second xskb program on the same interface: libxdp refuses without
	 * a dispatcher, and the first keeps working. */
	if (!xskb_dev__multiprog(dev))
		assert_int_equal(xskb_dev__open(&dev2, mlab.if_rx, NULL), -EBUSY);
	assert_int_equal(xskb_dev__close(dev), 0);
	assert_int_equal(xt_netns_set(home_ns), 0);
}

static char ring_log[4096];

static int log_to_buf(enum xskb_print_level level, const char *fmt, va_list ap)
{
	size_t n = strlen(ring_log);
	(void)level;

	return vsnprintf(ring_log + n, sizeof(ring_log) - n, fmt, ap);
}

/* Address space for @extra more bytes than this process maps now. */
static void limit_address_space(size_t extra)
{
	unsigned long vsize = 0;
	struct rlimit rl;
	FILE *f = fopen("/proc/self/statm", "re");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu", &vsize), 1);
	fclose(f);
	assert_int_equal(getrlimit(RLIMIT_AS, &rl), 0);
	rl.rlim_cur = vsize * (unsigned long)sysconf(_SC_PAGESIZE) + extra;
	assert_int_equal(setrlimit(RLIMIT_AS, &rl), 0);
}

/*
 * The ring mmaps fail (no address space left): the queue is not created,
 * -ENOMEM, a message, nothing leaked. The old code then read the fill ring's
 * consumer through a NULL pointer. In a child, since it lowers RLIMIT_AS.
 */
static int ring_mmap_child(void)
{
	XSKB_OPTS(xskb_queue_opts, qo, .handler = on_packet);
	struct xskb_dev *dev;
	struct xskb_umem *u;
	struct xskb_queue *q;
	struct rlimit rl;
	int err, ok;

	if (xt_netns_enter(lab.ns_rx) || xskb_dev__open(&dev, lab.if_rx, NULL))
		return 2;
	if (xskb_umem__create(&u, -1, NULL))
		return 3;
	kfree_skb(alloc_skb(64, GFP_KERNEL));	/* the allocator's own set-up, first */
	xskb_set_print(log_to_buf);
	limit_address_space(16 * 1024);
	err = xskb_queue__create(&q, dev, u, &qo);
	getrlimit(RLIMIT_AS, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_AS, &rl);
	ok = err == -ENOMEM && strstr(ring_log, "mapping AF_XDP rings failed") &&
	     xskb_umem__check(u) == 0;
	if (!ok)
		fprintf(stderr, "queue create: %d, log: %s\n", err, ring_log);
	if (!err)
		xskb_queue__destroy(q);
	ok = xskb_umem__delete(u) == 0 && ok;
	ok = xskb_dev__close(dev) == 0 && ok;
	return ok ? 0 : 1;
}

/* Run @fn in a child; its exit status, or fail the test if it died. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* A crash must kill the child, not run cmocka's teardown in it. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("child died: status %#x (signal %d)", status,
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WEXITSTATUS(status);
}

static void test_ring_mmap_fails(void **state)
{
	(void)state;
	need_lab();
	assert_int_equal(in_child(ring_mmap_child), 0);
}

/*
 * A device closed (and checked) from another network namespace than the one
 * it was opened in: its ifindex means nothing here. The old code detached by
 * ifindex in the caller's namespace (refused, or another interface's) and
 * left the program attached; now close goes back to the device's namespace.
 */
static bool xdp_attached(int ifindex);

static void test_close_from_other_netns(void **state)
{
	struct xskb_dev *dev;
	(void)state;

	need_lab();
	assert_int_equal(xt_netns_enter(lab.ns_rx), 0);
	assert_int_equal(xskb_dev__open(&dev, lab.if_rx, NULL), 0);
	assert_true(xdp_attached(lab.ifindex_rx));
	assert_int_equal(xt_netns_set(home_ns), 0);
	assert_int_equal(xskb_dev__check(dev), 0);
	assert_int_equal(xskb_dev__close(dev), 0);
	assert_int_equal(xt_netns_enter(lab.ns_rx), 0);
	assert_false(xdp_attached(lab.ifindex_rx));
	assert_int_equal(xt_netns_set(home_ns), 0);
}

/* An XDP program that libxdp does not manage makes the attach fail with EBUSY. */
static void test_foreign_program(void **state)
{
	struct bpf_insn prog[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 2 },	/* r0 = XDP_PASS */
		{ .code = 0x95 },				/* exit */
	};
	struct xskb_dev *dev;
	int pfd;
	(void)state;

	need_lab();
	assert_int_equal(xt_netns_enter(lab.ns_rx), 0);
	pfd = bpf_prog_load(BPF_PROG_TYPE_XDP, "pass", "GPL", prog, 2, NULL);
	assert_true(pfd >= 0);
	assert_int_equal(bpf_xdp_attach(lab.ifindex_rx, pfd, XDP_FLAGS_DRV_MODE, NULL), 0);
	assert_int_equal(xskb_dev__open(&dev, lab.if_rx, NULL), -EBUSY);
	assert_int_equal(bpf_xdp_detach(lab.ifindex_rx, XDP_FLAGS_DRV_MODE, NULL), 0);
	close(pfd);
	assert_int_equal(xskb_dev__open(&dev, lab.if_rx, NULL), 0);
	assert_int_equal(xskb_dev__close(dev), 0);
	assert_int_equal(xt_netns_set(home_ns), 0);
}

/* True if @ifindex in the current namespace has any XDP program attached. */
static bool xdp_attached(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, o);

	if (bpf_xdp_query(ifindex, 0, &o))
		return true;	/* cannot tell: assume the worst */
	return o.attach_mode != XDP_ATTACHED_NONE;
}

/*
 * With bpffs mounted, libxdp tries its dispatcher. Where the kernel accepts
 * the dispatcher's freplace extensions, two xskb programs coexist on one
 * interface and detaching one leaves the other; where it refuses (kernel
 * 6.18 with libxdp 1.3.1 here: EPERM on the compatibility check), libxdp
 * falls back to a single legacy program and a second attach must fail with
 * -EBUSY. Either way closing detaches everything. Runs in a child with a
 * private mount namespace, so the bpffs and its pins vanish with the child.
 * Exit status: 0 dispatcher path passed, 1 legacy path passed, >= 10 failure.
 */
static int dispatcher_child(void)
{
	struct xskb_dev *a = NULL, *b = NULL;
	int ret = 0;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL))
		return 10;
	if (xt_netns_enter(lab.ns_rx))
		return 11;
	if (xskb_dev__open(&a, lab.if_rx, NULL))
		return 12;
	if (xskb_dev__multiprog(a)) {
		if (xskb_dev__open(&b, lab.if_rx, NULL))
			ret = 13;
		else if (xskb_dev__close(b) || !xdp_attached(lab.ifindex_rx))
			ret = 14;
	} else {
		ret = xskb_dev__open(&b, lab.if_rx, NULL) == -EBUSY ? 1 : 15;
		if (ret != 1)
			xskb_dev__close(b);
	}
	if (xskb_dev__close(a) || xdp_attached(lab.ifindex_rx))
		ret = 16;
	return ret;
}

static void test_libxdp_dispatcher(void **state)
{
	int rc;
	(void)state;

	need_lab();
	rc = in_child(dispatcher_child);
	if (rc == 1)
		fprintf(stderr, "note: libxdp's dispatcher is unavailable on this kernel; "
				"verified its legacy fallback instead\n");
	assert_true(rc <= 1);
}

/*
 * The interface is deleted under a running NAPI loop: the loop stops by
 * itself with -ENODEV (the old code kept polling an unbound socket forever),
 * the queue polls -ENODEV, and everything still tears down with every frame
 * back.
 */
static void test_interface_deleted(void **state)
{
	char cmd[128];
	struct xskb_frame_stats fs;
	struct xt_lab glab;
	struct rx r;
	int err;
	(void)state;

	need_lab();
	assert_int_equal(fixture_lab_up(gprefix, 1500, 1, &glab), 0);
	{
		XSKB_OPTS(xskb_queue_opts, qo);

		rx_open(&r, &glab, NULL, NULL, &qo);
	}
	assert_int_equal(xskb_napi__error(r.napi), 0);
	snprintf(cmd, sizeof(cmd), "ip -n %s link del %s", glab.ns_rx, glab.if_rx);
	assert_int_equal(system(cmd), 0);
	if (!wait_for(xskb_napi__error(r.napi) == -ENODEV, 5000))
		fail_msg("the NAPI loop did not notice the deleted interface");
	assert_int_equal(xskb_queue__poll(r.q, 64), -ENODEV);
	xskb_napi__destroy(r.napi);
	r.napi = NULL;
	assert_int_equal(xskb_umem__check(r.umem), 0);
	assert_int_equal(xskb_queue__destroy(r.q), 0);
	assert_int_equal(xskb_umem__frame_stats(r.umem, &fs), 0);
	assert_int_equal(fs.free, fs.frames);
	assert_int_equal(xskb_umem__delete(r.umem), 0);
	err = xskb_dev__close(r.dev);	/* the program went with the interface */
	assert_true(err == 0 || err == -ENODEV);
	free(r.chk);
	cur_rx = NULL;
	assert_int_equal(xt_netns_set(home_ns), 0);
	xt_lab_down(gprefix);
	assert_false(xt_lab_exists(gprefix));
}

/* Nothing xskb attached or pinned survives: every test closed its device. */
static void test_nothing_left_behind(void **state)
{
	DIR *d;
	(void)state;

	need_lab();
	assert_int_equal(xt_netns_enter(lab.ns_rx), 0);
	assert_false(xdp_attached(lab.ifindex_rx));
	assert_int_equal(xt_netns_set(home_ns), 0);
	d = opendir("/sys/fs/bpf/xdp");
	if (d) {
		struct dirent *e;

		while ((e = readdir(d)))
			assert_true(e->d_name[0] == '.' || strncmp(e->d_name, "dispatch-", 9));
		closedir(d);
	}
}

/* ---- lab lifetime ------------------------------------------------------------------------ */

static int group_setup(void **state)
{
	int r;
	(void)state;

	snprintf(prefix, sizeof(prefix), "xd%d", getpid() % 100000);
	snprintf(jprefix, sizeof(jprefix), "xj%d", getpid() % 100000);
	snprintf(mprefix, sizeof(mprefix), "xm%d", getpid() % 100000);
	snprintf(gprefix, sizeof(gprefix), "xg%d", getpid() % 100000);
	home_ns = xt_netns_open(NULL);
	if (home_ns < 0)
		return -1;
	r = fixture_lab_up(prefix, 1500, 1, &lab);
	if (r < 0)
		return -1;
	have_lab = r == 0;
	if (have_lab && (fixture_lab_up(jprefix, 9000, 1, &jlab) ||
			 fixture_lab_up(mprefix, 1500, 2, &mlab))) {
		xt_lab_down(prefix);
		xt_lab_down(jprefix);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (home_ns >= 0)
		xt_netns_set(home_ns);
	xt_lab_down(prefix);
	xt_lab_down(jprefix);
	xt_lab_down(mprefix);
	xt_lab_down(gprefix);
	return xt_lab_exists(gprefix) || xt_lab_exists(prefix) || xt_lab_exists(jprefix) ||
	       xt_lab_exists(mprefix) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_exact_count_inplace, test_teardown),
		cmocka_unit_test_teardown(test_live_frames_flood, test_teardown),
		cmocka_unit_test_teardown(test_jumbo_slab, test_teardown),
		cmocka_unit_test_teardown(test_jumbo_frags, test_teardown),
		cmocka_unit_test_teardown(test_copybreak, test_teardown),
		cmocka_unit_test_teardown(test_held_clones_return, test_teardown),
		cmocka_unit_test_teardown(test_rules_and_metadata, test_teardown),
		cmocka_unit_test_teardown(test_errors, test_teardown),
		cmocka_unit_test_teardown(test_ring_mmap_fails, test_teardown),
		cmocka_unit_test_teardown(test_close_from_other_netns, test_teardown),
		cmocka_unit_test_teardown(test_foreign_program, test_teardown),
		cmocka_unit_test_teardown(test_libxdp_dispatcher, test_teardown),
		cmocka_unit_test_teardown(test_interface_deleted, test_teardown),
		cmocka_unit_test_teardown(test_nothing_left_behind, test_teardown),
	};

	if (getenv("XSKB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("XSKB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
