/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-fwd: an L2 forwarder built on xskb the way a user would build one:
 * receive on one interface, rewrite the MACs, dev_queue_xmit() on another.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <xskb/napi.h>
#include <xskb/skbuff.h>

#include "caps.h"
#include "lab.h"
#include "util.h"
#include "xskb_opts.h"

#define PROG "xskb-fwd"

/* Forwarding holds frames in TX rings as well as fill rings: smaller rings
 * than xskb-rx's leave half the UMEM free for frames in flight. */
/*
 * A forwarder's frames circulate (fill -> RX -> TX -> completion -> fill),
 * so what its rings hold is its working set, copied by the kernel on every
 * copy-mode send: 2048-entry rings and 8192 frames (32 MiB) forwarded 0.97-1.12x
 * the bare l2fwd loop on the veth lab, the receiver's defaults (8192/4096
 * rings, 32768 frames: 128 MiB) 0.91x (docs/xskb-fwd.md).
 */
#define FWD_DEFAULT_RING	2048u
#define FWD_DEFAULT_FRAMES	8192u
#define FWD_DRAIN_MS		1000	/* at the end: wait this long for completions */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " -i IN -o OUT [options]\n"
		"\n"
		"Forward Ethernet frames from IN to OUT through xskb: XDP program, AF_XDP sockets\n"
		"on one shared UMEM, one NAPI loop; each frame goes out with dev_queue_xmit(),\n"
		"from its own UMEM frame where it can (no copy). Frames received on OUT go back\n"
		"to IN. OUT may be IN (hairpin: frames go back out where they came in, usually\n"
		"with --macswap). Prints a statistics line every second on stderr; exits on\n"
		"SIGINT/SIGTERM, after --duration or --count, detaching everything it attached.\n"
		"\n"
		"  -i, --in IFACE          interface to receive on (required)\n"
		"  -o, --out IFACE         interface to send on (required; may equal IN)\n"
		"  -q, --queue N           queue on both interfaces (default 0)\n"
		"  -n, --netns NAME        run inside network namespace NAME (/run/netns/NAME)\n"
		"      --dst-mac MAC       IN->OUT frames get destination MAC and OUT's own MAC as\n"
		"                          source; OUT->IN frames get IN's MAC as source and as\n"
		"                          destination --return-mac, or the last source MAC\n"
		"                          seen on IN\n"
		"      --return-mac MAC    destination of OUT->IN frames (needs --dst-mac)\n"
		"      --macswap           swap source and destination MACs (hairpin)\n"
		"                          (default: MACs unchanged)\n"
		"  -d, --duration SEC      stop after SEC seconds (default: until SIGINT)\n"
		"  -c, --count N           stop after N frames forwarded (both ways together);\n"
		"                          later frames are dropped, so exactly N go out\n"
		"      --json              print a JSON summary on stdout at exit\n"
		"      --multi-buffer      frames larger than a UMEM frame as descriptor chains\n"
		"                          (XDP_USE_SG), sent on as chains without a copy\n"
		"      --copy              bind in copy mode\n"
		"      --zero-copy         bind in zero-copy mode, fail if the driver cannot\n"
		"                          (default: zero-copy where possible, else copy)\n"
		"      --mode MODE         copy, zerocopy or auto, as xskb-rx's (auto)\n"
		"      --attach MODE       drv (native XDP, default) or skb (generic)\n"
		"      --busy-poll         preferred busy polling (SO_PREFER_BUSY_POLL)\n"
		"      --frame-size N      UMEM frame size, 2048 or 4096 (default 4096)\n"
		"      --frames N          UMEM frames, shared by both interfaces (default 8192)\n"
		"      --ring N            RX and fill ring size per queue (default 2048)\n"
		"      --tx-ring N         TX ring size per queue (default 2048)\n"
		"      --qdisc-len N       frames waiting in software when a TX ring is full\n"
		"                          (default 1024)\n"
		"      --tx-budget N|kernel  copy mode: descriptors the kernel sends per kick\n"
		"                          (XDP_MAX_TX_SKB_BUDGET, Linux 6.17+; default the TX\n"
		"                          ring size; kernel: its own 32)\n"
		"      --cpu N             pin the NAPI thread to CPU N\n"
		"      --budget N          NAPI budget per poll (default 64)\n"
		"      --idle-us N         busy-poll N µs after the last packet before sleeping\n"
		"                          (default 250000; 0: never sleep)\n"
		"      --quiet             no banner and no live statistics line\n"
		"  -h, --help              this text\n"
		"\n"
		"Exit status: 0 normal end, 1 error (set-up refused, an interface gone, frames\n"
		"not completed, detach failed), 2 bad usage.\n");
}

#define die_usage(...) xt_usage_error(PROG, __VA_ARGS__)
#define num(opt, s, min, max) xt_opt_u64(PROG, opt, s, min, max, false)

/* Counters the NAPI thread writes alone and the main thread reads. */
#define bump(x) __atomic_store_n(&(x), (x) + 1, __ATOMIC_RELAXED)
#define peek(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* ---- forwarding handler ----------------------------------------------------- */

enum mac_action { MAC_KEEP, MAC_SWAP, MAC_SET };

struct fwd_ctx;

/* One direction: frames received on one queue leave on @out. */
struct fwd_dir {
	struct fwd_ctx *ctx;
	struct net_device *out;
	unsigned short txq;
	enum mac_action mac;
	unsigned char dst[6];		/* MAC_SET */
	bool learn;			/* remember each frame's source MAC (IN->OUT) */
	bool use_learned;		/* MAC_SET with the learned MAC (OUT->IN) */
	bool have_dst;
	unsigned long long rx, fwd, xmit_drop, after_stop, no_return_mac;
};

struct fwd_ctx {
	struct fwd_dir dir[2];		/* [0] IN->OUT, [1] OUT->IN */
	unsigned long long limit;	/* --count */
	unsigned long long forwarded;	/* both directions */
	int stopping;			/* set by main: forward nothing more, let the rest drain */
	unsigned char learned[6];
	bool have_learned;
};

static void on_packet(struct sk_buff *skb, void *arg)
{
	struct fwd_dir *d = arg;
	struct fwd_ctx *c = d->ctx;
	unsigned char tmp[6];
	struct ethhdr *eth;

	bump(d->rx);
	if (__atomic_load_n(&c->stopping, __ATOMIC_RELAXED) ||
	    (c->limit && c->forwarded >= c->limit)) {
		bump(d->after_stop);
		consume_skb(skb);
		return;
	}
	/* Received skbs start at the network header; a driver's xmit, which
	 * is what dev_queue_xmit() ends in, wants the Ethernet header first. */
	skb_push(skb, (unsigned int)(skb->data - skb_mac_header(skb)));
	eth = (struct ethhdr *)skb->data;
	if (d->learn) {
		memcpy(c->learned, eth->h_source, ETH_ALEN);
		c->have_learned = true;
	}
	switch (d->mac) {
	case MAC_KEEP:
		break;
	case MAC_SWAP:
		memcpy(tmp, eth->h_dest, ETH_ALEN);
		memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
		memcpy(eth->h_source, tmp, ETH_ALEN);
		break;
	case MAC_SET:
		if (d->use_learned && !d->have_dst) {
			if (!c->have_learned) {
				/* Nobody on IN has sent yet: no one to return it to. */
				bump(d->no_return_mac);
				kfree_skb(skb);
				return;
			}
			memcpy(eth->h_dest, c->learned, ETH_ALEN);
		} else {
			memcpy(eth->h_dest, d->dst, ETH_ALEN);
		}
		memcpy(eth->h_source, d->out->dev_addr, ETH_ALEN);
		break;
	}
	skb->dev = d->out;
	skb_set_queue_mapping(skb, d->txq);
	if (dev_queue_xmit(skb) == NET_XMIT_DROP) {
		bump(d->xmit_drop);	/* the OUT queue's tx_drops say why */
		return;
	}
	bump(d->fwd);
	bump(c->forwarded);
}

/* ---- options ---------------------------------------------------------------- */

struct opts {
	const char *in, *out, *netns;
	unsigned int queue, frame_size, frames, ring, tx_ring, qdisc_len, tx_budget, budget, idle_us;
	int cpu;
	enum xskb_bind_mode mode;
	enum xskb_attach_mode attach;
	bool macswap, have_dst, have_return, json, multi_buffer, busy_poll, quiet;
	unsigned char dst_mac[6], return_mac[6];
	double duration;
	uint64_t count;
};

static void parse_mac(const char *opt, const char *s, unsigned char mac[6])
{
	if (xt_parse_mac(s, mac))
		die_usage("%s: '%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", opt, s);
}

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_DST = 256, O_RETURN, O_SWAP, O_JSON, O_MB, O_COPY, O_ZC, O_MODE, O_ATTACH, O_BUSY,
	       O_FSIZE, O_FRAMES, O_RING, O_TXRING, O_QDISC, O_TXBUDGET, O_CPU, O_BUDGET, O_IDLE,
	       O_QUIET };
	static const struct option lo[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "queue", required_argument, NULL, 'q' },
		{ "netns", required_argument, NULL, 'n' },
		{ "dst-mac", required_argument, NULL, O_DST },
		{ "return-mac", required_argument, NULL, O_RETURN },
		{ "macswap", no_argument, NULL, O_SWAP },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, O_JSON },
		{ "multi-buffer", no_argument, NULL, O_MB },
		{ "copy", no_argument, NULL, O_COPY },
		{ "zero-copy", no_argument, NULL, O_ZC },
		{ "mode", required_argument, NULL, O_MODE },
		{ "attach", required_argument, NULL, O_ATTACH },
		{ "busy-poll", no_argument, NULL, O_BUSY },
		{ "frame-size", required_argument, NULL, O_FSIZE },
		{ "frames", required_argument, NULL, O_FRAMES },
		{ "ring", required_argument, NULL, O_RING },
		{ "tx-ring", required_argument, NULL, O_TXRING },
		{ "qdisc-len", required_argument, NULL, O_QDISC },
		{ "tx-budget", required_argument, NULL, O_TXBUDGET },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "budget", required_argument, NULL, O_BUDGET },
		{ "idle-us", required_argument, NULL, O_IDLE },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->cpu = -1;
	o->budget = 64;
	o->ring = FWD_DEFAULT_RING;
	o->tx_ring = FWD_DEFAULT_RING;
	o->frames = FWD_DEFAULT_FRAMES;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:o:q:n:d:c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o->in = optarg; break;
		case 'o': o->out = optarg; break;
		case 'q': o->queue = (unsigned int)num("--queue", optarg, 0, 255); break;
		case 'n': o->netns = optarg; break;
		case O_DST: parse_mac("--dst-mac", optarg, o->dst_mac); o->have_dst = true; break;
		case O_RETURN:
			parse_mac("--return-mac", optarg, o->return_mac);
			o->have_return = true;
			break;
		case O_SWAP: o->macswap = true; break;
		case 'd': o->duration = (double)num("--duration", optarg, 1, 86400); break;
		case 'c': o->count = num("--count", optarg, 1, UINT64_MAX); break;
		case O_JSON: o->json = true; break;
		case O_MB: o->multi_buffer = true; break;
		case O_COPY:
			if (o->mode == XSKB_MODE_ZEROCOPY)
				die_usage("--copy and --zero-copy exclude each other%s", "");
			o->mode = XSKB_MODE_COPY;
			break;
		case O_ZC:
			if (o->mode == XSKB_MODE_COPY)
				die_usage("--copy and --zero-copy exclude each other%s", "");
			o->mode = XSKB_MODE_ZEROCOPY;
			break;
		case O_MODE: o->mode = xt_opt_bind_mode(PROG, optarg); break;
		case O_ATTACH: o->attach = xt_opt_attach_mode(PROG, optarg); break;
		case O_BUSY: o->busy_poll = true; break;
		case O_FSIZE:
			o->frame_size = (unsigned int)xt_opt_pow2(PROG, "--frame-size", optarg, 2048, 4096);
			break;
		case O_FRAMES:
			o->frames = (unsigned int)num("--frames", optarg, 64, XSKB_UMEM_MAX_FRAMES);
			break;
		case O_RING:
			o->ring = (unsigned int)xt_opt_pow2(PROG, "--ring", optarg, 64, 65536);
			break;
		case O_TXRING:
			o->tx_ring = (unsigned int)xt_opt_pow2(PROG, "--tx-ring", optarg, 64, 65536);
			break;
		case O_QDISC:
			o->qdisc_len = (unsigned int)num("--qdisc-len", optarg, 1, 1u << 20);
			break;
		case O_TXBUDGET:
			o->tx_budget = !strcmp(optarg, "kernel") ? XSKB_TX_BUDGET_KERNEL :
				       (unsigned int)num("--tx-budget", optarg, 32, 65536);
			break;
		case O_CPU: o->cpu = (int)num("--cpu", optarg, 0, 4095); break;
		case O_BUDGET: o->budget = (unsigned int)num("--budget", optarg, 1, 4096); break;
		case O_IDLE: o->idle_us = xt_opt_idle_us(PROG, optarg); break;
		case O_QUIET: o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: xt_bad_option(PROG, argv, c);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!o->in || !o->out)
		die_usage("-i IN and -o OUT are required%s", "");
	if (o->macswap && o->have_dst)
		die_usage("--macswap and --dst-mac exclude each other%s", "");
	if (o->have_return && !o->have_dst)
		die_usage("--return-mac goes with --dst-mac%s", "");
	if (o->have_return && !strcmp(o->in, o->out))
		die_usage("--return-mac: a hairpin (-i = -o) has no return direction%s", "");
}

/* ---- statistics -------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* One interface: its queue and the direction that receives on it. */
struct port {
	const char *name;
	struct xskb_dev *dev;
	struct xskb_queue *q;
	struct fwd_dir *dir;
	struct xskb_queue_stats st;
};

struct totals {
	unsigned long long rx, rx_bytes, fwd, sent, sent_bytes, descs, completed, zc, copied,
		linearized, hdr_copied, kicks, kick_errors, rx_drops, tx_drops, kernel_rx_dropped, xmit_drop;
};

static void sum(const struct port *p, unsigned int n, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < n; i++) {
		const struct xskb_queue_stats *s = &p[i].st;

		t->rx += s->rx_packets;
		t->rx_bytes += s->rx_bytes;
		t->fwd += peek(p[i].dir->fwd);
		t->xmit_drop += peek(p[i].dir->xmit_drop);
		t->sent += s->tx_packets;
		t->sent_bytes += s->tx_bytes;
		t->descs += s->tx_descs;
		t->completed += s->tx_completed;
		t->zc += s->tx_zerocopy;
		t->copied += s->tx_copied;
		t->linearized += s->tx_linearized;
		t->hdr_copied += s->tx_hdr_copied;
		t->kicks += s->tx_kicks;
		t->kick_errors += s->tx_kick_errors;
		t->kernel_rx_dropped += s->xdp_rx_dropped;
		for (int r = 0; r < XSKB_DROP_MAX; r++)
			t->rx_drops += s->drops[r];
		for (int r = 0; r < XSKB_TX_DROP_MAX; r++)
			t->tx_drops += s->tx_drops[r];
	}
}

static void read_stats(struct port *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		xskb_queue__stats(p[i].q, &p[i].st);
}

static void print_live(const struct totals *t, const struct totals *prev, double dt)
{
	fprintf(stderr,
		PROG ": %8.3f Mpps %7.3f Gbit/s | rx %llu fwd %llu sent %llu done %llu"
		" | zc %llu copied %llu | drops rx %llu tx %llu | kicks %llu"
		" | kernel dropped %llu\n",
		(double)(t->sent - prev->sent) / dt / 1e6,
		(double)(t->sent_bytes - prev->sent_bytes) * 8 / dt / 1e9, t->rx, t->fwd, t->sent,
		t->completed, t->zc, t->copied, t->rx_drops, t->tx_drops, t->kicks,
		t->kernel_rx_dropped);
}

static void print_port_json(const struct port *p, const char *role)
{
	const struct xskb_queue_stats *s = &p->st;
	const struct fwd_dir *d = p->dir;

	printf("\"%s\":{\"interface\":\"%s\",\"rx_packets\":%llu,\"rx_bytes\":%llu,"
	       "\"rx_descs\":%llu,\"skb_inplace\":%llu,\"skb_slab\":%llu,\"skb_frags\":%llu,"
	       "\"forwarded\":%llu,",
	       role, p->name, s->rx_packets, s->rx_bytes, s->rx_descs, s->skb_inplace, s->skb_slab,
	       s->skb_frags, peek(d->fwd));
	printf("\"tx_packets\":%llu,\"tx_bytes\":%llu,\"tx_descs\":%llu,\"tx_completed\":%llu,"
	       "\"tx_zerocopy\":%llu,\"tx_copied\":%llu,\"tx_linearized\":%llu,"
	       "\"tx_qdisc_queued\":%llu,\"tx_kicks\":%llu,\"tx_kick_retries\":%llu,"
	       "\"tx_kick_errors\":%llu,\"fill_ring_empty\":%llu,\"fill_starved\":%llu,",
	       s->tx_packets, s->tx_bytes, s->tx_descs, s->tx_completed, s->tx_zerocopy,
	       s->tx_copied, s->tx_linearized, s->tx_qdisc_queued, s->tx_kicks,
	       s->tx_kick_retries, s->tx_kick_errors, s->xdp_rx_fill_ring_empty, s->fill_starved);
	printf("\"drops\":{\"rx\":{");
	for (int i = 0; i < XSKB_DROP_MAX; i++)
		printf("\"%s\":%llu,", xskb_rx_drop_str((enum xskb_rx_drop)i), s->drops[i]);
	printf("\"kernel_rx_dropped\":%llu,\"kernel_rx_ring_full\":%llu"
	       ",\"kernel_rx_invalid_descs\":%llu},\"tx\":{",
	       s->xdp_rx_dropped, s->xdp_rx_ring_full, s->xdp_rx_invalid_descs);
	for (int i = 0; i < XSKB_TX_DROP_MAX; i++)
		printf("\"%s\":%llu,", xskb_tx_drop_str((enum xskb_tx_drop)i), s->tx_drops[i]);
	printf("\"kernel_tx_invalid_descs\":%llu,\"tx_invalid_comp\":%llu},"
	       "\"after_stop\":%llu,\"no_return_mac\":%llu}}",
	       s->xdp_tx_invalid_descs, s->tx_invalid_comp, peek(d->after_stop),
	       peek(d->no_return_mac));
}

static const char *mac_mode(const struct opts *o)
{
	return o->macswap ? "macswap" : o->have_dst ? "dst-mac" : "keep";
}

static void print_json(const struct opts *o, const struct port *p, unsigned int n,
		       const struct totals *t, const struct xskb_napi_stats *ns, double secs,
		       double active, unsigned long long pending)
{
	unsigned long long rx_drops[XSKB_DROP_MAX] = { 0 }, tx_drops[XSKB_TX_DROP_MAX] = { 0 };
	unsigned long long after = 0, noret = 0, krx = 0;

	for (unsigned int i = 0; i < n; i++) {
		for (int r = 0; r < XSKB_DROP_MAX; r++)
			rx_drops[r] += p[i].st.drops[r];
		for (int r = 0; r < XSKB_TX_DROP_MAX; r++)
			tx_drops[r] += p[i].st.tx_drops[r];
		after += peek(p[i].dir->after_stop);
		noret += peek(p[i].dir->no_return_mac);
		krx += p[i].st.xdp_rx_dropped;
	}
	printf("{\"in\":\"%s\",\"out\":\"%s\",\"queue\":%u,\"hairpin\":%s,\"mode\":\"%s\","
	       "\"attach\":\"%s\",\"multi_buffer\":%s,\"mac\":\"%s\",\"seconds\":%.3f,"
	       "\"active_seconds\":%.3f,",
	       o->in, o->out, o->queue, n == 1 ? "true" : "false",
	       xskb_bind_mode_str(xskb_queue__mode(p[0].q)),
	       xskb_dev__attach_mode(p[0].dev) == XSKB_ATTACH_SKB ? "skb" : "drv",
	       o->multi_buffer ? "true" : "false", mac_mode(o), secs, active);
	printf("\"received\":%llu,\"received_bytes\":%llu,\"forwarded\":%llu,\"sent\":%llu,"
	       "\"sent_bytes\":%llu,\"sent_descs\":%llu,\"completed\":%llu,\"pending\":%llu,"
	       "\"pps\":%.0f,\"tx_zerocopy\":%llu,\"tx_hdr_copied\":%llu,\"tx_copied\":%llu,"
	       "\"tx_linearized\":%llu,"
	       "\"kicks\":%llu,\"tx_csum\":\"%s\",\"tx_budget\":%u,",
	       t->rx, t->rx_bytes, t->fwd, t->sent, t->sent_bytes, t->descs, t->completed, pending,
	       active > 0 ? (double)t->fwd / active : 0.0, t->zc, t->hdr_copied, t->copied,
	       t->linearized,
	       t->kicks, xskb_tx_csum_str(xskb_queue__tx_csum(p[n - 1].q)),
	       xskb_queue__tx_budget(p[n - 1].q));
	printf("\"dropped\":{\"rx\":{");
	for (int r = 0; r < XSKB_DROP_MAX; r++)
		printf("\"%s\":%llu,", xskb_rx_drop_str((enum xskb_rx_drop)r), rx_drops[r]);
	printf("\"kernel_rx_dropped\":%llu},\"tx\":{", krx);
	for (int r = 0; r < XSKB_TX_DROP_MAX; r++)
		printf("%s\"%s\":%llu", r ? "," : "", xskb_tx_drop_str((enum xskb_tx_drop)r),
		       tx_drops[r]);
	printf("},\"after_stop\":%llu,\"no_return_mac\":%llu},", after, noret);
	print_port_json(&p[0], "in_port");
	if (n > 1) {
		printf(",");
		print_port_json(&p[1], "out_port");
	}
	printf(",\"napi\":{\"rounds\":%llu,\"busy_rounds\":%llu,\"sleeps\":%llu}}\n",
	       (unsigned long long)ns->rounds, (unsigned long long)ns->busy_rounds,
	       (unsigned long long)ns->sleeps);
	fflush(stdout);
}

/* ---- main --------------------------------------------------------------------- */

#define FWD_NEEDS "forwarding needs CAP_NET_ADMIN, CAP_BPF, CAP_NET_RAW and CAP_IPC_LOCK"

/* Everything handed to dev_queue_xmit() has left: on the TX ring, sent and
 * completed. Returns what is still outstanding. */
static unsigned long long pending(const struct port *p, unsigned int n)
{
	unsigned long long fwd = 0, sent = 0, descs = 0, done = 0;

	for (unsigned int i = 0; i < n; i++) {
		fwd += peek(p[i].dir->fwd);
		sent += p[i].st.tx_packets;
		descs += p[i].st.tx_descs;
		done += p[i].st.tx_completed;
	}
	return (fwd > sent ? fwd - sent : 0) + (descs > done ? descs - done : 0);
}

/* Once a second: an interface deleted, or our program removed, ends the run. */
static bool port_gone(const struct port *p)
{
	int err = xskb_dev__check(p->dev);

	if (err == -ENODEV)
		fprintf(stderr, PROG ": interface %s is gone; stopping\n", p->name);
	else if (err == -ENOENT)
		fprintf(stderr, PROG ": xskb's XDP program is no longer on %s; stopping\n", p->name);
	return err == -ENODEV || err == -ENOENT;
}

int main(int argc, char **argv)
{
	struct xskb_queue *qs[2] = { NULL, NULL };
	struct port port[2] = { { 0 } };
	struct totals t, prev = { 0 };
	struct xskb_umem *umem = NULL;
	struct xskb_napi *napi = NULL;
	struct xskb_napi_stats nst;
	struct fwd_ctx *ctx;
	struct sigaction sa;
	struct opts o;
	uint64_t t0, last, first_fwd = 0, last_fwd = 0;
	unsigned long long seen = 0, left = 0;
	unsigned int n;
	bool gone = false;
	int err, ret = 1;

	parse(argc, argv, &o);
	n = strcmp(o.in, o.out) ? 2 : 1;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	ctx->limit = o.count;
	if (o.netns && xt_netns_enter_explained(PROG, o.netns)) {
		free(ctx);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	port[0].name = o.in;
	port[1].name = o.out;
	{
		XSKB_OPTS(xskb_dev_opts, dopts, .attach = o.attach);
		XSKB_OPTS(xskb_umem_opts, uopts, .frame_size = o.frame_size,
			  .frame_count = o.frames, .ifname = o.in);
		XSKB_OPTS(xskb_napi_opts, nopts, .budget = (int)o.budget, .idle_usec = o.idle_us,
			  .cpu = o.cpu >= 0 ? XSKB_NAPI_CPU(o.cpu) : 0);
		uint64_t umem_bytes = (uint64_t)(o.frames ? o.frames : XSKB_UMEM_DEFAULT_FRAMES) *
				      (o.frame_size ? o.frame_size : 4096);

		for (unsigned int i = 0; i < n; i++) {
			if (xskb_dev__open(&port[i].dev, port[i].name, &dopts))
				goto out;	/* the library said why */
			/* A kernel sender with TX checksum offload hands us partial
			 * checksums; forwarded as they are, the receiver drops them. */
			xt_warn_tx_csum_offload(NULL, port[i].name);
		}
		if ((err = xskb_umem__create(&umem, -1, &uopts))) {
			xt_explain_setup_error(PROG, FWD_NEEDS, err, umem_bytes);
			goto out;
		}
		for (unsigned int i = 0; i < n; i++) {
			XSKB_OPTS(xskb_queue_opts, qopts, .queue_id = o.queue, .mode = o.mode,
				  .rx_size = o.ring, .fill_size = o.ring, .tx_size = o.tx_ring,
				  .tx_qdisc_len = o.qdisc_len, .tx_budget = o.tx_budget,
				  .multi_buffer = o.multi_buffer,
				  .mb_mode = o.multi_buffer ? XSKB_MB_FRAGS : XSKB_MB_SLAB,
				  .busy_poll = o.busy_poll, .handler = on_packet,
				  .handler_arg = &ctx->dir[i]);

			/* Both queues on one UMEM: the second binds with
			 * XDP_SHARED_UMEM, so a frame received on one interface
			 * leaves from the other without a copy. */
			if ((err = xskb_queue__create(&port[i].q, port[i].dev, umem, &qopts))) {
				xt_explain_setup_error(PROG, FWD_NEEDS, err, umem_bytes);
				goto out;
			}
			qs[i] = port[i].q;
		}
		for (unsigned int i = 0; i < n; i++) {
			struct fwd_dir *d = &ctx->dir[i];
			struct port *to = &port[n == 1 ? 0 : 1 - i];

			/* [0] IN->OUT, [1] OUT->IN; a hairpin has only the first. */
			d->ctx = ctx;
			d->txq = (unsigned short)o.queue;
			d->out = xskb_dev__netdev(to->dev);
			port[i].dir = d;
			if (o.macswap) {
				d->mac = MAC_SWAP;
			} else if (o.have_dst) {
				d->mac = MAC_SET;
				if (i == 0) {
					memcpy(d->dst, o.dst_mac, 6);
					d->have_dst = true;
					d->learn = n == 2 && !o.have_return;
				} else if (o.have_return) {
					memcpy(d->dst, o.return_mac, 6);
					d->have_dst = true;
				} else {
					d->use_learned = true;
				}
			}
		}
		if ((err = xskb_napi__create(&napi, qs, n, &nopts)) || xskb_napi__start(napi))
			goto out;
	}
	if (!o.quiet) {
		if (n == 1)
			fprintf(stderr, PROG ": %s queue %u hairpin, %s mode, %s XDP, MACs %s; "
				"Ctrl-C to stop\n", o.in, o.queue,
				xskb_bind_mode_str(xskb_queue__mode(port[0].q)),
				o.attach == XSKB_ATTACH_SKB ? "generic" : "native", mac_mode(&o));
		else
			fprintf(stderr, PROG ": %s <-> %s queue %u, one UMEM, %s mode, %s XDP, "
				"MACs %s; Ctrl-C to stop\n", o.in, o.out, o.queue,
				xskb_bind_mode_str(xskb_queue__mode(port[0].q)),
				o.attach == XSKB_ATTACH_SKB ? "generic" : "native", mac_mode(&o));
	}

	t0 = last = xt_now_ns();
	while (!stop_signal) {
		unsigned long long fwd;
		uint64_t now;

		usleep(10000);
		now = xt_now_ns();
		fwd = peek(ctx->forwarded);
		if (fwd != seen) {
			if (!seen)
				first_fwd = now - 10000000ull;	/* it arrived within the tick */
			last_fwd = now;
			seen = fwd;
		}
		if (o.count && fwd >= o.count)
			break;
		if (o.duration && (double)(now - t0) / 1e9 >= o.duration)
			break;
		if (now - last >= 1000000000ull) {
			read_stats(port, n);
			sum(port, n, &t);
			if (!o.quiet)
				print_live(&t, &prev, (double)(now - last) / 1e9);
			prev = t;
			last = now;
			for (unsigned int i = 0; i < n && !gone; i++)
				gone = port_gone(&port[i]);
			if (gone)
				break;
		}
		if (xskb_napi__error(napi) == -ENODEV) {
			fprintf(stderr, PROG ": an interface is gone; stopping\n");
			gone = true;
			break;
		}
	}
	/* What went to dev_queue_xmit() leaves before the sockets close: the
	 * handler forwards nothing more, and the loop keeps polling (and
	 * completing) while we wait, a bounded time. */
	__atomic_store_n(&ctx->stopping, 1, __ATOMIC_RELAXED);
	for (int i = 0; !gone && i < FWD_DRAIN_MS / 10; i++) {
		read_stats(port, n);
		if (!(left = pending(port, n)))
			break;
		usleep(10000);
	}
	xskb_napi__stop(napi, true);
	read_stats(port, n);
	sum(port, n, &t);
	left = pending(port, n);
	if (left && !gone)
		fprintf(stderr, PROG ": %llu frame(s) not sent or not completed after %d ms\n",
			left, FWD_DRAIN_MS);
	xskb_napi__stats(napi, &nst);
	if (o.json)
		print_json(&o, port, n, &t, &nst, (double)(xt_now_ns() - t0) / 1e9,
			   seen ? (double)(last_fwd - first_fwd) / 1e9 : 0.0, left);
	else if (!o.quiet)
		print_live(&t, &prev, (double)(xt_now_ns() - last) / 1e9);
	ret = gone || left ? 1 : 0;
out:
	xskb_napi__destroy(napi);
	for (unsigned int i = 0; i < n; i++)
		xskb_queue__destroy(port[i].q);
	if (xskb_umem__delete(umem))
		ret = 1;
	for (unsigned int i = 0; i < n; i++)
		if (xskb_dev__close(port[i].dev))
			ret = 1;	/* the program stays attached: the library said how to remove it */
	free(ctx);
	return ret;
}
