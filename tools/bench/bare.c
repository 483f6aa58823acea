/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-bare: the baseline xskb is measured against on a live interface. A
 * bare libxdp AF_XDP ring loop behind xskb's own XDP program: peek RX, touch
 * the packet's first cache line, hand the address back to the fill ring. No
 * sk_buff, no allocator, no per-packet bookkeeping: what is left is the
 * price of AF_XDP itself, so the difference to xskb-rx is the stack's cost.
 * With --fwd it is the l2fwd baseline for xskb-fwd: RX on one interface, TX
 * on another (or the same) through one shared UMEM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include "lab.h"
#include "util.h"
#include "xskb_xdp.h"

#define PROG "xskb-bare"

/* linux-libc-dev 6.1 predates multi-buffer AF_XDP; the running kernel has it. */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif
#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif
/* Linux 6.17: descriptors one copy-mode TX kick may send (default 32). */
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif

/* Set by CMake to the object the build produced; --bpf-obj overrides it. */
#ifndef XSKB_BARE_BPF_OBJ
#define XSKB_BARE_BPF_OBJ "xskb_redirect.bpf.o"
#endif

#define BATCH		64	/* descriptors per peek: xskb's NAPI budget */
#define BUSY_POLL_USEC	20
#define TIME_CHECK_MASK	63	/* read the clock every 64 loop turns */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " -i IFACE [options]\n"
		"\n"
		"Baseline AF_XDP receiver for benchmarks: loads xskb's XDP program through\n"
		"libxdp (claim everything), binds one libxdp xsk socket and, per packet, only\n"
		"reads the first cache line and returns the frame to the fill ring. Spins on\n"
		"the RX ring (never sleeps); exits on SIGINT/SIGTERM, --duration or --count\n"
		"and detaches the program.\n"
		"\n"
		"  -i, --interface IFACE   interface to receive on (required)\n"
		"  -q, --queue N           RX queue (default 0)\n"
		"  -n, --netns NAME        run inside network namespace NAME (/run/netns/NAME)\n"
		"  -d, --duration SEC      stop after SEC seconds (default: until a signal)\n"
		"  -c, --count N           stop after N packets\n"
		"      --json              print a JSON summary on stdout at exit\n"
		"      --multi-buffer      bind with XDP_USE_SG: frames larger than a UMEM\n"
		"                          frame arrive as XDP_PKT_CONTD chains (4096-byte frames)\n"
		"      --busy-poll         SO_PREFER_BUSY_POLL; drive the queue with recvfrom()\n"
		"      --attach MODE       drv (native XDP, default) or skb (generic)\n"
		"      --frame-size N      UMEM frame size, 2048 or 4096 (default 4096)\n"
		"      --frames N          UMEM frames, all posted to the fill ring (default 4096)\n"
		"      --ring N            RX ring size, power of two (default 2048)\n"
		"      --bpf-obj PATH      XDP object (default " XSKB_BARE_BPF_OBJ ")\n"
		"      --cpu N             pin the thread to CPU N\n"
		"\n"
		"forwarding (the l2fwd baseline for xskb-fwd):\n"
		"      --fwd               send every received frame out of -o OUT queue 0\n"
		"                          (default: IFACE itself) through one shared UMEM\n"
		"                          (a fill and a completion ring per socket); frames\n"
		"                          that find the TX ring full go back to the fill ring\n"
		"  -o, --out OUT           the interface to send on (in the same namespace)\n"
		"      --dst-mac MAC       destination MAC to write (the source becomes OUT's\n"
		"                          MAC); default with --fwd: swap the two MACs\n"
		"      --tx-ring N         TX ring size, power of two (default 2048)\n"
		"      --tx-budget N       XDP_MAX_TX_SKB_BUDGET (kernel 6.17+): descriptors a\n"
		"                          copy-mode kick sends (kernel default 32)\n"
		"      --quiet             no messages on stderr except errors\n"
		"  -v, --verbose           show libxdp/libbpf warnings\n"
		"  -h, --help              this text\n"
		"\n"
		"JSON: rx_packets, rx_descs, rx_bytes, seconds, pps, active_seconds (first to\n"
		"last packet), active_pps and the kernel's XDP_STATISTICS counters; with\n"
		"--fwd also received, sent (descriptors put on the TX ring), completed,\n"
		"tx_ring_full (frames dropped for want of TX room), kicks, kick_errors\n"
		"(sendto() failures, mostly EAGAIN: the kick's budget ran out; retried),\n"
		"sent_pps and completed_pps over the active window.\n"
		"Exit status: 0 ok, 1 failure, 2 bad usage.\n");
}

#define die_usage(...) xt_usage_error(PROG, __VA_ARGS__)
#define num(opt, s, min, max) xt_opt_u64(PROG, opt, s, min, max, false)

struct opts {
	const char *ifname, *netns, *bpf_obj;
	unsigned int queue, frame_size, frames, ring;
	enum xdp_attach_mode attach;
	bool json, multi_buffer, busy_poll, quiet, verbose;
	uint64_t duration_ns, count;
	int cpu;			/* -1: not pinned */
	/* --fwd */
	bool fwd, dst_mac_set;
	const char *out_ifname;		/* NULL: the input interface */
	uint8_t dst_mac[6];
	unsigned int tx_ring, tx_budget;
};

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_JSON = 256, O_MB, O_BUSY, O_ATTACH, O_FSIZE, O_FRAMES, O_RING, O_OBJ, O_QUIET,
	       O_CPU, O_FWD, O_DMAC, O_TXRING, O_TXBUDGET };
	static const struct option lo[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "queue", required_argument, NULL, 'q' },
		{ "netns", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, O_JSON },
		{ "multi-buffer", no_argument, NULL, O_MB },
		{ "busy-poll", no_argument, NULL, O_BUSY },
		{ "attach", required_argument, NULL, O_ATTACH },
		{ "frame-size", required_argument, NULL, O_FSIZE },
		{ "frames", required_argument, NULL, O_FRAMES },
		{ "ring", required_argument, NULL, O_RING },
		{ "bpf-obj", required_argument, NULL, O_OBJ },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "fwd", no_argument, NULL, O_FWD },
		{ "out", required_argument, NULL, 'o' },
		{ "dst-mac", required_argument, NULL, O_DMAC },
		{ "tx-ring", required_argument, NULL, O_TXRING },
		{ "tx-budget", required_argument, NULL, O_TXBUDGET },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool fsize_given = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->frame_size = 4096;
	o->frames = 4096;
	o->ring = 2048;
	o->attach = XDP_MODE_NATIVE;
	o->bpf_obj = XSKB_BARE_BPF_OBJ;
	o->cpu = -1;
	o->tx_ring = 2048;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:q:n:d:c:o:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o->ifname = optarg; break;
		case 'q': o->queue = (unsigned int)num("--queue", optarg, 0, 255); break;
		case 'n': o->netns = optarg; break;
		case 'd':
			o->duration_ns = num("--duration", optarg, 1, 86400) * 1000000000ull;
			break;
		case 'c': o->count = num("--count", optarg, 1, UINT64_MAX); break;
		case O_JSON: o->json = true; break;
		case O_MB: o->multi_buffer = true; break;
		case O_BUSY: o->busy_poll = true; break;
		case O_ATTACH:
			if (!strcmp(optarg, "drv")) o->attach = XDP_MODE_NATIVE;
			else if (!strcmp(optarg, "skb")) o->attach = XDP_MODE_SKB;
			else die_usage("--attach: '%s' is not drv or skb", optarg);
			break;
		case O_FSIZE:
			o->frame_size = (unsigned int)xt_opt_pow2(PROG, "--frame-size", optarg, 2048, 4096);
			fsize_given = true;
			break;
		case O_FRAMES:
			o->frames = (unsigned int)num("--frames", optarg, 64, 1u << 20);
			break;
		case O_RING:
			o->ring = (unsigned int)xt_opt_pow2(PROG, "--ring", optarg, 64, 65536);
			break;
		case O_OBJ: o->bpf_obj = optarg; break;
		case O_QUIET: o->quiet = true; break;
		case O_CPU: o->cpu = (int)num("--cpu", optarg, 0, CPU_SETSIZE - 1); break;
		case O_FWD: o->fwd = true; break;
		case 'o': o->out_ifname = optarg; break;
		case O_DMAC:
			if (xt_parse_mac(optarg, o->dst_mac))
				die_usage("--dst-mac: '%s' is not a MAC address", optarg);
			o->dst_mac_set = true;
			break;
		case O_TXRING:
			o->tx_ring = (unsigned int)xt_opt_pow2(PROG, "--tx-ring", optarg, 64, 65536);
			break;
		case O_TXBUDGET:
			o->tx_budget = (unsigned int)num("--tx-budget", optarg, 1, 65536);
			break;
		case 'v': o->verbose = true; break;
		case 'h': usage(stdout); exit(0);
		default: xt_bad_option(PROG, argv, c);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!o->ifname)
		die_usage("-i IFACE is required%s", "");
	if (strlen(o->ifname) >= IF_NAMESIZE)
		die_usage("-i: interface name '%s' is too long", o->ifname);
	if ((o->out_ifname || o->dst_mac_set || o->tx_budget) && !o->fwd)
		die_usage("-o, --dst-mac and --tx-budget need --fwd%s", "");
	if (o->out_ifname && strlen(o->out_ifname) >= IF_NAMESIZE)
		die_usage("-o: interface name '%s' is too long", o->out_ifname);
	if (o->fwd && o->multi_buffer)
		die_usage("--fwd forwards single-buffer frames: no --multi-buffer%s", "");
	/* Same geometry as xskb-rx --multi-buffer, so both see the same chains. */
	if (o->multi_buffer && fsize_given && o->frame_size != 4096)
		die_usage("--multi-buffer uses 4096-byte frames%s", "");
}

/* ---- state ------------------------------------------------------------------ */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static bool verbose;

/* libxdp/libbpf warn about a missing bpffs in every namespace (they then load
 * without the dispatcher, as xskb does); only show that when asked. */
static int lib_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	if (!verbose || level == LIBXDP_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

struct bare {
	struct xdp_program *prog;
	int ifindex;
	bool attached;
	void *area;
	size_t area_len;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq;
	struct xsk_ring_cons rx;
	int fd;
	bool zerocopy;
	/* --fwd: the TX ring (on the input socket, or on xsk_out when OUT is
	 * another interface, which then has a fill and completion ring of its
	 * own over the same UMEM); cqp is the completion ring TX returns to. */
	struct xsk_socket *xsk_out;
	struct xsk_ring_prod tx, fq_out;
	struct xsk_ring_cons cq_out, *cqp;
	int fd_out;
	uint8_t out_mac[6];
	bool tx_budget_set;
};

struct counts {
	uint64_t packets, descs, bytes;
	uint64_t t_start, t_first, t_last;
	/* --fwd */
	uint64_t sent, completed, tx_ring_full, kicks, kick_errors;
};

static unsigned int pow2_at_least(unsigned int n)
{
	unsigned int p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* ---- setup -------------------------------------------------------------------- */

/* xskb's program, loaded by libxdp exactly as xskb_dev__open() loads it, set
 * to claim every packet (rule set 0, the one xskb_cfg[0] selects while
 * zero), so both receivers run the same BPF. */
static int load_program(struct bare *b, const struct opts *o)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, po, .open_filename = o->bpf_obj,
			    .prog_name = "xskb_redirect");
	struct xskb_xdp_ruleset rs = { .nr_rules = 0, .flags = XSKB_XDP_F_CLAIM_ALL };
	__u32 key = 0;
	int err, fd;

	b->prog = xdp_program__create(&po);
	err = (int)libxdp_get_error(b->prog);
	if (err) {
		b->prog = NULL;
		fprintf(stderr, PROG ": cannot open the XDP program %s: %s\n", o->bpf_obj,
			strerror(-err));
		return err;
	}
	err = xdp_program__attach(b->prog, b->ifindex, o->attach, 0);
	if (err) {
		fprintf(stderr, PROG ": cannot attach the XDP program to %s: %s%s\n", o->ifname,
			strerror(-err),
			err == -EBUSY || err == -EEXIST ? " (another XDP program is attached)" : "");
		return err;
	}
	b->attached = true;
	fd = bpf_object__find_map_fd_by_name(xdp_program__bpf_obj(b->prog), "xskb_rules");
	if (fd < 0 || bpf_map_update_elem(fd, &key, &rs, BPF_ANY)) {
		err = fd < 0 ? fd : -errno;
		fprintf(stderr, PROG ": cannot configure the XDP program (xskb_rules): %s\n",
			strerror(-err));
		return err;
	}
	return 0;
}

static int iface_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

/* --fwd: the TX side. OUT == IN: the input socket's own TX ring and the
 * UMEM's completion ring. Otherwise a second socket on OUT, bound with
 * XDP_SHARED_UMEM to the same UMEM: the kernel wants a fill and a
 * completion ring for every (device, queue) a UMEM is bound to. */
static int create_tx_socket(struct bare *b, const struct opts *o,
			    const struct xsk_socket_config *scfg)
{
	const char *out = o->out_ifname ? o->out_ifname : o->ifname;
	int err;

	err = iface_mac(out, b->out_mac);
	if (err) {
		fprintf(stderr, PROG ": cannot read the MAC of %s: %s\n", out, strerror(-err));
		return err;
	}
	if (!o->out_ifname) {
		b->cqp = &b->cq;
		b->fd_out = b->fd;
	} else {
		err = xsk_socket__create_shared(&b->xsk_out, out, o->queue, b->umem, NULL, &b->tx,
						&b->fq_out, &b->cq_out, scfg);
		if (err) {
			b->xsk_out = NULL;
			fprintf(stderr, PROG ": cannot bind a TX socket to %s queue %u: %s\n", out,
				o->queue, strerror(-err));
			return err;
		}
		b->cqp = &b->cq_out;
		b->fd_out = xsk_socket__fd(b->xsk_out);
	}
	if (o->tx_budget) {
		/* Before 6.17 the option does not exist: say so, go on. */
		if (setsockopt(b->fd_out, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &o->tx_budget,
			       sizeof(o->tx_budget)))
			fprintf(stderr, PROG ": XDP_MAX_TX_SKB_BUDGET %u refused: %s\n",
				o->tx_budget, strerror(errno));
		else
			b->tx_budget_set = true;
	}
	return 0;
}

static int create_socket(struct bare *b, const struct opts *o)
{
	unsigned int fill_size = pow2_at_least(o->frames);
	struct xsk_umem_config ucfg = {
		/* Every frame is posted at once (as libxdp's xdpsock does), so
		 * the fill ring must hold them all. */
		.fill_size = fill_size,
		/* Receive only: nothing completes. Forwarding: every frame may
		 * be in flight at once. */
		.comp_size = o->fwd ? fill_size : 64,
		.frame_size = o->multi_buffer ? 4096 : o->frame_size,
		.frame_headroom = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = o->ring,
		.tx_size = o->tx_ring,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		/* No copy/zerocopy flag: the kernel takes zero-copy where the
		 * driver can, else copy (xskb's XSKB_MODE_AUTO). */
		.bind_flags = XDP_USE_NEED_WAKEUP | (o->multi_buffer ? XDP_USE_SG : 0),
	};
	struct xdp_options xo;
	socklen_t xolen = sizeof(xo);
	__u32 idx = 0;
	int err, map_fd;

	b->area_len = (size_t)o->frames * ucfg.frame_size;
	b->area = mmap(NULL, b->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (b->area == MAP_FAILED) {
		b->area = NULL;
		err = -errno;
		fprintf(stderr, PROG ": cannot map %zu bytes of UMEM: %s\n", b->area_len,
			strerror(-err));
		return err;
	}
	err = xsk_umem__create(&b->umem, b->area, b->area_len, &b->fq, &b->cq, &ucfg);
	if (err) {
		b->umem = NULL;
		fprintf(stderr, PROG ": cannot register the UMEM: %s\n", strerror(-err));
		return err;
	}
	err = xsk_socket__create(&b->xsk, o->ifname, o->queue, b->umem, &b->rx,
				 o->fwd && !o->out_ifname ? &b->tx : NULL, &scfg);
	if (err) {
		b->xsk = NULL;
		fprintf(stderr, PROG ": cannot bind to %s queue %u: %s%s\n", o->ifname, o->queue,
			strerror(-err),
			o->multi_buffer && err == -EINVAL ? " (multi-buffer needs kernel 6.6+)" : "");
		return err;
	}
	b->fd = xsk_socket__fd(b->xsk);
	if (!getsockopt(b->fd, SOL_XDP, XDP_OPTIONS, &xo, &xolen))
		b->zerocopy = xo.flags & XDP_OPTIONS_ZEROCOPY;
	if (o->fwd) {
		err = create_tx_socket(b, o, &scfg);
		if (err)
			return err;
	}
	if (o->busy_poll) {
		int one = 1, usec = BUSY_POLL_USEC, budget = BATCH;

		if (setsockopt(b->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
		    setsockopt(b->fd, SOL_SOCKET, SO_BUSY_POLL, &usec, sizeof(usec)) ||
		    setsockopt(b->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget))) {
			err = -errno;
			fprintf(stderr, PROG ": busy poll socket options refused: %s\n",
				strerror(-err));
			return err;
		}
	}
	if (xsk_ring_prod__reserve(&b->fq, o->frames, &idx) != o->frames) {
		fprintf(stderr, PROG ": the fill ring does not take %u frames\n", o->frames);
		return -ENOSPC;
	}
	for (unsigned int i = 0; i < o->frames; i++)
		*xsk_ring_prod__fill_addr(&b->fq, idx + i) = (__u64)i * ucfg.frame_size;
	xsk_ring_prod__submit(&b->fq, o->frames);

	/* Publish last: packets start arriving only once the fill ring is full. */
	map_fd = bpf_object__find_map_fd_by_name(xdp_program__bpf_obj(b->prog), "xsks_map");
	err = map_fd < 0 ? map_fd : xsk_socket__update_xskmap(b->xsk, map_fd);
	if (err) {
		fprintf(stderr, PROG ": cannot publish the socket in xsks_map: %s\n",
			strerror(-err));
		return err;
	}
	return 0;
}

static void teardown(struct bare *b, const struct opts *o)
{
	/* Closing the socket removes it from the XSKMAP (the kernel does). */
	xsk_socket__delete(b->xsk_out);
	xsk_socket__delete(b->xsk);
	xsk_umem__delete(b->umem);
	if (b->area)
		munmap(b->area, b->area_len);
	if (b->attached) {
		int err = xdp_program__detach(b->prog, b->ifindex, o->attach, 0);

		if (err)
			fprintf(stderr, PROG ": detaching the XDP program from %s failed: %s\n",
				o->ifname, strerror(-err));
	}
	xdp_program__close(b->prog);
}

/* ---- the loop ------------------------------------------------------------------- */

static inline void kick(const struct bare *b)
{
	recvfrom(b->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

static void run(struct bare *b, const struct opts *o, struct counts *n)
{
	bool in_chain = false;	/* the last descriptor had XDP_PKT_CONTD */
	unsigned long turns = 0;

	n->t_start = xt_now_ns();
	while (!stop_signal) {
		__u32 idx_rx, idx_fq, got;

		if ((++turns & TIME_CHECK_MASK) == 0 && o->duration_ns &&
		    xt_now_ns() - n->t_start >= o->duration_ns)
			break;
		got = xsk_ring_cons__peek(&b->rx, BATCH, &idx_rx);
		if (!got) {
			if (o->busy_poll || xsk_ring_prod__needs_wakeup(&b->fq))
				kick(b);
			continue;
		}
		/* Every frame taken off RX goes straight back, so there is
		 * always room; the loop only guards against a kernel bug. */
		while (xsk_ring_prod__reserve(&b->fq, got, &idx_fq) != got) {
			if (stop_signal)
				return;
			kick(b);
		}
		for (__u32 i = 0; i < got; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&b->rx, idx_rx + i);
			__u64 addr = d->addr;

			if (!in_chain) {
				/* The one per-packet touch a receiver cannot avoid:
				 * the headers' cache line. */
				const volatile unsigned char *pkt =
					xsk_umem__get_data(b->area, addr);
				(void)pkt[0];
			}
			in_chain = d->options & XDP_PKT_CONTD;
			n->packets += !in_chain;
			n->bytes += d->len;
			*xsk_ring_prod__fill_addr(&b->fq, idx_fq + i) = xsk_umem__extract_addr(addr);
		}
		xsk_ring_prod__submit(&b->fq, got);
		xsk_ring_cons__release(&b->rx, got);
		n->descs += got;
		n->t_last = xt_now_ns();
		if (!n->t_first)
			n->t_first = n->t_last;
		if (xsk_ring_prod__needs_wakeup(&b->fq))
			kick(b);
		if (o->count && n->packets >= o->count)
			break;
	}
}

/* ---- the forwarding loop ------------------------------------------------------ */

/* Copy mode sends only from sendto(), at most XDP_MAX_TX_SKB_BUDGET (32 by
 * default) descriptors a call: a kick whenever descriptors wait. */
static inline int kick_tx(struct bare *b, struct counts *n)
{
	n->kicks++;
	if (sendto(b->fd_out, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
		return 0;
	n->kick_errors++;
	return errno;
}

static inline __u32 tx_waiting(struct bare *b)
{
	return b->tx.size - xsk_prod_nb_free(&b->tx, b->tx.size);
}

/* Completed TX frames go back to the input's fill ring. The fill ring holds
 * every frame of the UMEM, so the reservation cannot fail. */
static inline void recycle_completions(struct bare *b, struct counts *n)
{
	__u32 idx_cq, idx_fq, done = xsk_ring_cons__peek(b->cqp, BATCH * 4, &idx_cq);

	if (!done || xsk_ring_prod__reserve(&b->fq, done, &idx_fq) != done)
		return;
	for (__u32 i = 0; i < done; i++)
		*xsk_ring_prod__fill_addr(&b->fq, idx_fq + i) =
			*xsk_ring_cons__comp_addr(b->cqp, idx_cq + i);
	xsk_ring_prod__submit(&b->fq, done);
	xsk_ring_cons__release(b->cqp, done);
	n->completed += done;
}

static inline void rewrite_macs(unsigned char *pkt, const struct bare *b, const struct opts *o)
{
	unsigned char tmp[6];

	if (o->dst_mac_set) {
		memcpy(pkt, o->dst_mac, 6);
		memcpy(pkt + 6, b->out_mac, 6);
	} else {
		memcpy(tmp, pkt, 6);
		memcpy(pkt, pkt + 6, 6);
		memcpy(pkt + 6, tmp, 6);
	}
}

static void run_fwd(struct bare *b, const struct opts *o, struct counts *n)
{
	unsigned long turns = 0;
	uint64_t t_drain;

	n->t_start = xt_now_ns();
	while (!stop_signal) {
		__u32 idx_rx, idx_tx = 0, idx_fq = 0, got, room;

		if ((++turns & TIME_CHECK_MASK) == 0 && o->duration_ns &&
		    xt_now_ns() - n->t_start >= o->duration_ns)
			break;
		recycle_completions(b, n);
		got = xsk_ring_cons__peek(&b->rx, BATCH, &idx_rx);
		if (!got) {
			if (tx_waiting(b) && xsk_ring_prod__needs_wakeup(&b->tx))
				kick_tx(b, n);
			if (xsk_ring_prod__needs_wakeup(&b->fq))
				kick(b);
			continue;
		}
		room = xsk_prod_nb_free(&b->tx, got);
		if (room > got)
			room = got;
		if (room)
			xsk_ring_prod__reserve(&b->tx, room, &idx_tx);
		/* No TX room: the frame is dropped back to the fill ring. */
		if (got > room && xsk_ring_prod__reserve(&b->fq, got - room, &idx_fq) != got - room)
			break;	/* cannot happen: the fill ring holds every frame */
		for (__u32 i = 0; i < got; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&b->rx, idx_rx + i);

			n->bytes += d->len;
			if (i < room) {
				struct xdp_desc *t = xsk_ring_prod__tx_desc(&b->tx, idx_tx + i);

				rewrite_macs(xsk_umem__get_data(b->area, d->addr), b, o);
				t->addr = d->addr;
				t->len = d->len;
				t->options = 0;
			} else {
				*xsk_ring_prod__fill_addr(&b->fq, idx_fq + i - room) =
					xsk_umem__extract_addr(d->addr);
			}
		}
		if (room)
			xsk_ring_prod__submit(&b->tx, room);
		if (got > room)
			xsk_ring_prod__submit(&b->fq, got - room);
		xsk_ring_cons__release(&b->rx, got);
		n->packets += got;
		n->descs += got;
		n->sent += room;
		n->tx_ring_full += got - room;
		n->t_last = xt_now_ns();
		if (!n->t_first)
			n->t_first = n->t_last;
		/* A kick per batch (copy mode always asks for one). EAGAIN: the
		 * kick's budget ran out with descriptors left, EBUSY/ENOBUFS:
		 * no skb to be had; drain completions and kick again, a few
		 * times, before the next batch arrives behind these. */
		if (xsk_ring_prod__needs_wakeup(&b->tx)) {
			for (int tries = 0; tries < 8; tries++) {
				int e = kick_tx(b, n);

				if (!e || (e != EAGAIN && e != EBUSY && e != ENOBUFS) ||
				    !tx_waiting(b))
					break;
				recycle_completions(b, n);
			}
		}
		if (xsk_ring_prod__needs_wakeup(&b->fq))
			kick(b);
		if (o->count && n->packets >= o->count)
			break;
	}
	/* Bounded drain so that "completed" counts what went out. */
	t_drain = xt_now_ns();
	while (n->completed < n->sent && xt_now_ns() - t_drain < 200000000ull) {
		if (tx_waiting(b))
			kick_tx(b, n);
		recycle_completions(b, n);
	}
}

static void print_json(const struct bare *b, const struct opts *o, const struct counts *n,
		       uint64_t t_end)
{
	struct xdp_statistics st = { 0 };
	socklen_t len = sizeof(st);
	double secs = (double)(t_end - n->t_start) / 1e9;
	double active = n->t_first ? (double)(n->t_last - n->t_first) / 1e9 : 0;

	if (getsockopt(b->fd, SOL_XDP, XDP_STATISTICS, &st, &len))
		fprintf(stderr, PROG ": XDP_STATISTICS: %s\n", strerror(errno));
	printf("{\"tool\":\"" PROG "\",\"interface\":\"%s\",\"queue\":%u,\"mode\":\"%s\","
	       "\"multi_buffer\":%s,\"busy_poll\":%s,\"seconds\":%.6f,\"rx_packets\":%" PRIu64
	       ",\"rx_descs\":%" PRIu64 ",\"rx_bytes\":%" PRIu64 ",\"pps\":%.1f,"
	       "\"active_seconds\":%.6f,\"active_pps\":%.1f,",
	       o->ifname, o->queue, b->zerocopy ? "zerocopy" : "copy",
	       o->multi_buffer ? "true" : "false", o->busy_poll ? "true" : "false", secs,
	       n->packets, n->descs, n->bytes, secs > 0 ? (double)n->packets / secs : 0.0,
	       active, active > 0 ? (double)n->packets / active : 0.0);
	if (o->fwd)
		printf("\"fwd\":true,\"out_interface\":\"%s\",\"mac_rewrite\":\"%s\","
		       "\"received\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"completed\":%" PRIu64
		       ",\"tx_ring_full\":%" PRIu64 ",\"kicks\":%" PRIu64 ",\"kick_errors\":%" PRIu64
		       ",\"tx_budget\":%u,\"sent_pps\":%.1f,\"completed_pps\":%.1f,",
		       o->out_ifname ? o->out_ifname : o->ifname, o->dst_mac_set ? "dst" : "swap",
		       n->packets, n->sent, n->completed, n->tx_ring_full, n->kicks, n->kick_errors,
		       b->tx_budget_set ? o->tx_budget : 0,
		       active > 0 ? (double)n->sent / active : 0.0,
		       active > 0 ? (double)n->completed / active : 0.0);
	printf("\"kernel_rx_dropped\":%llu,\"kernel_rx_ring_full\":%llu,"
	       "\"kernel_rx_fill_ring_empty\":%llu,\"kernel_rx_invalid_descs\":%llu}\n",
	       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_ring_full,
	       (unsigned long long)st.rx_fill_ring_empty_descs,
	       (unsigned long long)st.rx_invalid_descs);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct bare b = { .fd = -1 };
	struct counts n = { 0 };
	struct sigaction sa;
	struct opts o;
	int err;

	parse(argc, argv, &o);
	verbose = o.verbose;
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, PROG ": cannot pin to CPU %d: %s\n", o.cpu, strerror(errno));
			return 1;
		}
	}
	libxdp_set_print(lib_print);
	libbpf_set_print(bpf_print);
	if (o.netns && (err = xt_netns_enter(o.netns))) {
		fprintf(stderr, PROG ": cannot enter network namespace %s: %s\n", o.netns,
			strerror(-err));
		return 1;
	}
	b.ifindex = (int)if_nametoindex(o.ifname);
	if (!b.ifindex) {
		fprintf(stderr, PROG ": no interface %s in this network namespace\n", o.ifname);
		return 1;
	}
	if (o.out_ifname && !if_nametoindex(o.out_ifname)) {
		fprintf(stderr, PROG ": no interface %s in this network namespace\n", o.out_ifname);
		return 1;
	}
	/* An offloaded partial checksum would pass through unchanged here, but
	 * the same lab feeds the xskb forwarders that rewrite headers. */
	xt_warn_tx_csum_offload(NULL, o.ifname);
	if (o.out_ifname)
		xt_warn_tx_csum_offload(NULL, o.out_ifname);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = load_program(&b, &o);
	if (!err)
		err = create_socket(&b, &o);
	if (!err) {
		if (!o.quiet)
			fprintf(stderr, PROG ": %s queue %u, %s mode%s: %s%s\n", o.ifname,
				o.queue, b.zerocopy ? "zero-copy" : "copy",
				o.multi_buffer ? ", multi-buffer" : "",
				o.fwd ? "forwarding to " : "receiving",
				o.fwd ? (o.out_ifname ? o.out_ifname : o.ifname) : "");
		if (o.fwd)
			run_fwd(&b, &o, &n);
		else
			run(&b, &o, &n);
		if (o.json)
			print_json(&b, &o, &n, xt_now_ns());
		else if (!o.quiet)
			fprintf(stderr, PROG ": %" PRIu64 " packets, %" PRIu64 " bytes\n",
				n.packets, n.bytes);
	}
	teardown(&b, &o);
	return err ? 1 : 0;
}
