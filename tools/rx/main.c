/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-rx: receive on one interface queue through xskb and report what came
 * in: live statistics on stderr, a JSON summary, optionally a pcap file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <xskb/napi.h>
#include <xskb/skbuff.h>

#include "caps.h"
#include "lab.h"
#include "pktgen.h"
#include "util.h"

#define PROG "xskb-rx"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " -i IFACE [options]\n"
		"       " PROG " --detach IFACE [-n NETNS] [--force]\n"
		"\n"
		"Receive packets on one RX queue through xskb's XDP program, AF_XDP socket and\n"
		"NAPI loop. Prints a statistics line every second on stderr; exits on SIGINT,\n"
		"after --duration or --count, detaching everything it attached. Exits with\n"
		"status 1 if the interface disappears or its XDP program is removed.\n"
		"\n"

		"  -i, --interface IFACE   interface to receive on (required)\n"
		"  -q, --queue N           RX queue (default 0)\n"
		"  -n, --netns NAME        run inside network namespace NAME (/run/netns/NAME)\n"
		"      --mode MODE         copy, zerocopy or auto (default auto)\n"
		"      --attach MODE       drv (native XDP, default) or skb (generic)\n"
		"      --busy-poll         preferred busy polling (SO_PREFER_BUSY_POLL)\n"
		"  -d, --duration SEC      stop after SEC seconds (default: until SIGINT)\n"
		"  -c, --count N           stop after N packets\n"
		"      --json              print a JSON summary on stdout at exit\n"
		"      --pcap FILE         write every packet to FILE (pcap, Ethernet)\n"
		"      --copybreak BYTES   copy packets up to BYTES into slab skbs (default 0)\n"
		"      --multi-buffer      accept frames larger than a UMEM frame (XDP_USE_SG)\n"
		"      --mb-mode MODE      chains become slab (linear copy, default) or frags skbs\n"
		"      --frame-size N      UMEM frame size, 2048 or 4096 (default 4096)\n"
		"      --frames N          UMEM frames (default 32768)\n"
		"      --ring N            RX and fill ring size, power of two (default 16384)\n"
		"      --fill-ring N       fill ring size alone (after --ring)\n"
		"      --rx-ring N         RX ring size alone (after --ring)\n"
		"      --hugepages         back the UMEM with huge pages (falls back if none)\n"
		"      --metadata          XDP metadata: rx hash and rule mark into the skb\n"
		"      --claim RULE        claim only matching packets, the rest go to the kernel;\n"
		"                          RULE is udp|tcp[:PORT[-PORT]] or ethertype:0xNNNN;\n"
		"                          repeatable (default: claim everything); later\n"
		"                          fragments follow a claimed first fragment\n"
		"      --verify            check xskb-gen's UDP payloads byte by byte\n"
		"      --cpu N             pin the NAPI thread to CPU N\n"
		"      --budget N          NAPI budget per poll (default 64)\n"
		"      --idle-us N         busy-poll N µs after the last packet before sleeping\n"
		"                          (default 250000; 0: never sleep)\n"
		"      --quiet             no live statistics line\n"
		"      --free-thread       hand a clone of every skb to another thread, which\n"
		"                          frees it (remote frees, as a proxy's workers do)\n"
		"      --user NAME         set up as root, then run as user NAME, keeping only\n"
		"                          CAP_NET_ADMIN (not effective) to detach at exit\n"
		"      --detach IFACE      remove xskb's XDP program left on IFACE by a process\n"
		"                          that died (kill -9), then exit (no -i)\n"
		"      --force             with --detach: remove it even if its process lives\n"
		"  -h, --help              this text\n");
}

#define die_usage(...) xt_usage_error(PROG, __VA_ARGS__)
#define num(opt, s, min, max) xt_opt_u64(PROG, opt, s, min, max, false)

/* ---- receive handler ----------------------------------------------------- */

struct rx_ctx {
	pcap_dumper_t *pcap;
	bool verify;
	/* --free-thread: clones go to @freer, which frees them */
	bool free_thread, freer_running;
	int stop_freer;
	struct sk_buff_head to_free;
	pthread_t freer;
	unsigned long long remote_freed;
	unsigned char buf[65536];
	unsigned long long verify_ok, verify_bad;
	unsigned long long pcap_written;
};

/* Linear copy of the whole frame, Ethernet header included. */
static unsigned int frame_copy(struct sk_buff *skb, unsigned char *buf)
{
	unsigned int len = skb->len + skb->mac_len;

	if (len > 65536 || skb_copy_bits(skb, -(int)skb->mac_len, buf, (int)len))
		return 0;
	return len;
}

static void on_packet(struct sk_buff *skb, void *arg)
{
	struct rx_ctx *c = arg;
	unsigned int len = 0;

	if (c->pcap || c->verify)
		len = frame_copy(skb, c->buf);
	if (c->pcap && len) {
		struct pcap_pkthdr h;
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		h.ts.tv_sec = ts.tv_sec;
		h.ts.tv_usec = ts.tv_nsec / 1000;
		h.caplen = h.len = len;
		pcap_dump((unsigned char *)c->pcap, &h, c->buf);
		c->pcap_written++;
	}
	if (c->verify) {
		if (len && xt_pkt_verify(c->buf, len, NULL) == 0)
			c->verify_ok++;
		else
			c->verify_bad++;
	}
	if (c->free_thread) {
		struct sk_buff *clone = skb_clone(skb, GFP_ATOMIC);

		if (clone)
			skb_queue_tail(&c->to_free, clone);	/* locked: the tool's cost */
	}
	consume_skb(skb);
}

/* --free-thread: free what the handler queued, from a thread of its own, so
 * frames come back through the UMEM's remote-free list. */
static void *freer_main(void *arg)
{
	struct rx_ctx *c = arg;
	struct sk_buff *skb;

	for (;;) {
		bool stop = __atomic_load_n(&c->stop_freer, __ATOMIC_ACQUIRE);
		unsigned int n = 0;

		while ((skb = skb_dequeue(&c->to_free))) {
			kfree_skb(skb);
			n++;
		}
		__atomic_fetch_add(&c->remote_freed, n, __ATOMIC_RELAXED);
		if (stop)
			return NULL;
		if (!n)
			usleep(100);
	}
}

static int start_freer(struct rx_ctx *c)
{
	int err;

	if (!c->free_thread)
		return 0;
	err = pthread_create(&c->freer, NULL, freer_main, c);
	if (err) {
		fprintf(stderr, PROG ": cannot start the --free-thread thread: %s\n", strerror(err));
		return -err;
	}
	c->freer_running = true;
	pthread_setname_np(c->freer, "xskb-rx-free");
	return 0;
}

/* After the NAPI loop stopped: nothing is queued any more. */
static void stop_freer(struct rx_ctx *c)
{
	if (!c->freer_running)
		return;
	__atomic_store_n(&c->stop_freer, 1, __ATOMIC_RELEASE);
	pthread_join(c->freer, NULL);
	c->freer_running = false;
	skb_queue_purge(&c->to_free);
}

/* ---- options --------------------------------------------------------------- */

struct opts {
	const char *ifname, *netns, *pcap;
	unsigned int queue, copybreak, frame_size, frames, fill_ring, rx_ring, budget, idle_us;
	int cpu;
	enum xskb_bind_mode mode;
	enum xskb_attach_mode attach;
	enum xskb_mb_mode mb_mode;
	bool busy_poll, json, multi_buffer, hugepages, metadata, verify, quiet, force, free_thread;
	const char *detach, *user;
	double duration;
	uint64_t count;
	struct xskb_rule rules[XSKB_MAX_RULES];
	unsigned int nr_rules;
};

static void parse_rule(struct opts *o, const char *s)
{
	struct xskb_rule r = { 0 };
	const char *colon = strchr(s, ':');
	size_t kw = colon ? (size_t)(colon - s) : strlen(s);

	if (o->nr_rules == XSKB_MAX_RULES)
		die_usage("--claim: at most 16 rules%s", "");
	if ((kw == 3 && !strncmp(s, "udp", 3)) || (kw == 3 && !strncmp(s, "tcp", 3))) {
		r.flags = XSKB_RULE_PROTO;
		r.ip_proto = s[0] == 'u' ? IPPROTO_UDP : IPPROTO_TCP;
		if (colon) {
			r.flags |= XSKB_RULE_DPORT;
			if (xt_parse_port_range(colon + 1, &r.dport_lo, &r.dport_hi))
				die_usage("--claim: bad port range in '%s'", s);
		}
	} else if (kw == 9 && !strncmp(s, "ethertype", 9) && colon) {
		r.flags = XSKB_RULE_ETHERTYPE;
		r.ethertype = (unsigned short)num("--claim ethertype", colon + 1, 0x600, 0xffff);
	} else {
		die_usage("--claim: '%s' is not udp|tcp[:PORT[-PORT]] or ethertype:0xNNNN", s);
	}
	r.mark = o->nr_rules + 1;
	o->rules[o->nr_rules++] = r;
}

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_MODE = 256, O_ATTACH, O_BUSY, O_JSON, O_PCAP, O_COPYBREAK, O_MB, O_MBMODE,
	       O_FSIZE, O_FRAMES, O_RING, O_HUGE, O_META, O_CLAIM, O_VERIFY, O_CPU, O_BUDGET,
	       O_QUIET, O_IDLE, O_DETACH, O_FORCE, O_USER, O_FILL_RING, O_RX_RING, O_FREE_THREAD };
	static const struct option lo[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "queue", required_argument, NULL, 'q' },
		{ "netns", required_argument, NULL, 'n' },
		{ "mode", required_argument, NULL, O_MODE },
		{ "attach", required_argument, NULL, O_ATTACH },
		{ "busy-poll", no_argument, NULL, O_BUSY },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, O_JSON },
		{ "pcap", required_argument, NULL, O_PCAP },
		{ "copybreak", required_argument, NULL, O_COPYBREAK },
		{ "multi-buffer", no_argument, NULL, O_MB },
		{ "mb-mode", required_argument, NULL, O_MBMODE },
		{ "frame-size", required_argument, NULL, O_FSIZE },
		{ "frames", required_argument, NULL, O_FRAMES },
		{ "ring", required_argument, NULL, O_RING },
		{ "fill-ring", required_argument, NULL, O_FILL_RING },
		{ "rx-ring", required_argument, NULL, O_RX_RING },
		{ "free-thread", no_argument, NULL, O_FREE_THREAD },
		{ "hugepages", no_argument, NULL, O_HUGE },
		{ "metadata", no_argument, NULL, O_META },
		{ "claim", required_argument, NULL, O_CLAIM },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "budget", required_argument, NULL, O_BUDGET },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "idle-us", required_argument, NULL, O_IDLE },
		{ "detach", required_argument, NULL, O_DETACH },
		{ "force", no_argument, NULL, O_FORCE },
		{ "user", required_argument, NULL, O_USER },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->cpu = -1;
	o->budget = 64;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:q:n:d:c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o->ifname = optarg; break;
		case 'q': o->queue = (unsigned int)num("--queue", optarg, 0, 255); break;
		case 'n': o->netns = optarg; break;
		case 'd':
			o->duration = (double)num("--duration", optarg, 1, 86400);
			break;
		case 'c': o->count = num("--count", optarg, 1, UINT64_MAX); break;
		case O_MODE:
			if (!strcmp(optarg, "copy")) o->mode = XSKB_MODE_COPY;
			else if (!strcmp(optarg, "zerocopy")) o->mode = XSKB_MODE_ZEROCOPY;
			else if (!strcmp(optarg, "auto")) o->mode = XSKB_MODE_AUTO;
			else die_usage("--mode: '%s' is not copy, zerocopy or auto", optarg);
			break;
		case O_ATTACH:
			if (!strcmp(optarg, "drv")) o->attach = XSKB_ATTACH_DRV;
			else if (!strcmp(optarg, "skb")) o->attach = XSKB_ATTACH_SKB;
			else die_usage("--attach: '%s' is not drv or skb", optarg);
			break;
		case O_BUSY: o->busy_poll = true; break;
		case O_JSON: o->json = true; break;
		case O_PCAP: o->pcap = optarg; break;
		case O_COPYBREAK:
			o->copybreak = (unsigned int)num("--copybreak", optarg, 0, 4096);
			break;
		case O_MB: o->multi_buffer = true; break;
		case O_MBMODE:
			if (!strcmp(optarg, "slab")) o->mb_mode = XSKB_MB_SLAB;
			else if (!strcmp(optarg, "frags")) o->mb_mode = XSKB_MB_FRAGS;
			else die_usage("--mb-mode: '%s' is not slab or frags", optarg);
			break;
		case O_FSIZE:
			o->frame_size = (unsigned int)xt_opt_pow2(PROG, "--frame-size", optarg, 2048, 4096);
			break;
		case O_FRAMES:
			o->frames = (unsigned int)num("--frames", optarg, 64, XSKB_UMEM_MAX_FRAMES);
			break;
		case O_RING:
			o->fill_ring = o->rx_ring =
				(unsigned int)xt_opt_pow2(PROG, "--ring", optarg, 64, 65536);
			break;
		case O_FILL_RING:
			o->fill_ring = (unsigned int)xt_opt_pow2(PROG, "--fill-ring", optarg, 64, 65536);
			break;
		case O_RX_RING:
			o->rx_ring = (unsigned int)xt_opt_pow2(PROG, "--rx-ring", optarg, 64, 65536);
			break;
		case O_FREE_THREAD:
			o->free_thread = true;
			break;
		case O_HUGE: o->hugepages = true; break;
		case O_META: o->metadata = true; break;
		case O_CLAIM: parse_rule(o, optarg); break;
		case O_VERIFY: o->verify = true; break;
		case O_CPU: o->cpu = (int)num("--cpu", optarg, 0, 4095); break;
		case O_BUDGET: o->budget = (unsigned int)num("--budget", optarg, 1, 4096); break;
		case O_QUIET: o->quiet = true; break;
		case O_IDLE:
			o->idle_us = (unsigned int)num("--idle-us", optarg, 0, 10000000);
			if (!o->idle_us)
				o->idle_us = XSKB_NAPI_NEVER_SLEEP;
			break;
		case O_DETACH: o->detach = optarg; break;
		case O_FORCE: o->force = true; break;
		case O_USER: o->user = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: xt_bad_option(PROG, argv, c);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (o->force && !o->detach)
		die_usage("--force goes with --detach%s", "");
	if (o->detach && o->ifname)
		die_usage("--detach IFACE takes no -i%s", "");
	if (o->detach)
		return;
	if (!o->ifname)
		die_usage("-i IFACE is required%s", "");
	if (o->mb_mode == XSKB_MB_FRAGS && !o->multi_buffer)
		die_usage("--mb-mode frags needs --multi-buffer%s", "");
}

/* ---- statistics ------------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void print_live(const struct xskb_queue_stats *s, const struct xskb_queue_stats *prev,
		       double dt)
{
	unsigned long long drops = 0;

	for (int i = 0; i < XSKB_DROP_MAX; i++)
		drops += s->drops[i];
	fprintf(stderr,
		PROG ": %8.3f Mpps %7.3f Gbit/s | rx %llu | inplace %llu slab %llu"
		" frags %llu | drops %llu | kernel dropped %llu"
		" ring_full %llu fill_empty %llu\n",
		(double)(s->rx_packets - prev->rx_packets) / dt / 1e6,
		(double)(s->rx_bytes - prev->rx_bytes) * 8 / dt / 1e9, s->rx_packets,
		s->skb_inplace, s->skb_slab, s->skb_frags, drops, s->xdp_rx_dropped,
		s->xdp_rx_ring_full, s->xdp_rx_fill_ring_empty);
}

/*
 * @secs is the whole run; @active the time packets were arriving (first
 * to last 10 ms tick that saw the count grow), which is what pps divides by.
 */
static void print_json(const struct opts *o, struct xskb_queue *q, struct xskb_dev *dev,
		       const struct xskb_queue_stats *s, const struct xskb_napi_stats *ns,
		       const struct rx_ctx *c, double secs, double active)
{
	printf("{\"interface\":\"%s\",\"queue\":%u,\"mode\":\"%s\",\"attach\":\"%s\","
	       "\"multiprog\":%s,\"seconds\":%.3f,\"active_seconds\":%.3f,",
	       o->ifname, o->queue, xskb_bind_mode_str(xskb_queue__mode(q)),
	       xskb_dev__attach_mode(dev) == XSKB_ATTACH_SKB ? "skb" : "drv",
	       xskb_dev__multiprog(dev) ? "true" : "false", secs, active);
	printf("\"rx_packets\":%llu,\"rx_bytes\":%llu,\"pps\":%.0f,"
	       "\"rx_descs\":%llu,\"skb_inplace\":%llu,\"skb_slab\":%llu"
	       ",\"skb_copybreak\":%llu,\"skb_frags\":%llu,",
	       s->rx_packets, s->rx_bytes, active > 0 ? (double)s->rx_packets / active : 0.0,
	       s->rx_descs, s->skb_inplace, s->skb_slab, s->skb_copybreak, s->skb_frags);
	printf("\"fill_ring_empty\":%llu,\"fill_starved\":%llu,\"polls\":%llu"
	       ",\"empty_polls\":%llu,\"wakeups\":%llu,\"drops\":{",
	       s->xdp_rx_fill_ring_empty, s->fill_starved, s->polls, s->empty_polls, s->wakeups);
	for (int i = 0; i < XSKB_DROP_MAX; i++)
		printf("\"%s\":%llu,", xskb_rx_drop_str((enum xskb_rx_drop)i), s->drops[i]);
	printf("\"kernel_rx_dropped\":%llu,\"kernel_rx_ring_full\":%llu"
	       ",\"kernel_rx_invalid_descs\":%llu}",
	       s->xdp_rx_dropped, s->xdp_rx_ring_full, s->xdp_rx_invalid_descs);
	printf(",\"napi\":{\"rounds\":%llu,\"busy_rounds\":%llu,\"sleeps\":%llu}",
	       (unsigned long long)ns->rounds, (unsigned long long)ns->busy_rounds,
	       (unsigned long long)ns->sleeps);
	if (o->verify)
		printf(",\"verify_ok\":%llu,\"verify_bad\":%llu", c->verify_ok,
		       c->verify_bad);
	if (o->pcap)
		printf(",\"pcap_packets\":%llu", c->pcap_written);
	if (o->free_thread)
		printf(",\"remote_freed\":%llu",
		       __atomic_load_n(&c->remote_freed, __ATOMIC_RELAXED));
	printf("}\n");
	fflush(stdout);
}

/* ---- main ------------------------------------------------------------------------------ */

#define RX_NEEDS "receiving needs CAP_NET_ADMIN, CAP_BPF, CAP_NET_RAW and CAP_IPC_LOCK " \
		 "(--busy-poll: CAP_NET_ADMIN)"

/* --user: everything that needs privileges is set up; keep only what detaching needs. */
static int drop_privileges(const struct opts *o, struct xskb_dev *dev, uint64_t *kept)
{
	const char *msg = "";
	int err;

	*kept = XT_CAPBIT(XT_CAP_NET_ADMIN);
	if (xskb_dev__multiprog(dev))	/* libxdp looks the dispatcher up by id */
		*kept |= XT_CAPBIT(XT_CAP_SYS_ADMIN);
	err = xt_drop_to_user(o->user, *kept, &msg);
	if (err) {
		char lack[160];

		xt_caps_missing(XT_CAPBIT(XT_CAP_SETUID) | XT_CAPBIT(XT_CAP_SETGID) |
					XT_CAPBIT(XT_CAP_SETPCAP), lack, sizeof(lack));
		fprintf(stderr, PROG ": --user %s: %s: %s%s%s\n", o->user, msg, strerror(-err),
			lack[0] ? "; this process lacks " : "", lack);
	}
	return err;
}

/* --detach IFACE: remove what a dead xskb process left; 0 also when nothing was there. */
static int detach_only(const struct opts *o)
{
	int n = xskb_dev__detach(o->detach, o->force ? XSKB_DETACH_FORCE : 0);

	if (n < 0)
		return 1;	/* the library said why */
	fprintf(stderr, PROG ": %s: %s\n", o->detach,
		n ? "removed xskb's XDP program" : "no xskb XDP program attached");
	return 0;
}

int main(int argc, char **argv)
{
	struct xskb_queue_stats st, prev = { 0 };
	struct xskb_umem *umem = NULL;
	struct xskb_dev *dev = NULL;
	struct xskb_queue *q = NULL;
	struct xskb_napi *napi = NULL;
	struct xskb_napi_stats nst;
	struct rx_ctx *ctx;
	pcap_t *pcap_h = NULL;
	struct sigaction sa;
	struct opts o;
	uint64_t t0, last, first_rx = 0, last_rx = 0;
	unsigned long long seen = 0;
	uint64_t kept = 0;
	bool gone = false;
	int err, ret = 1;

	parse(argc, argv, &o);
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	ctx->verify = o.verify;
	ctx->free_thread = o.free_thread;
	skb_queue_head_init(&ctx->to_free);
	if (o.netns && xt_netns_enter_explained(PROG, o.netns)) {
		free(ctx);
		return 1;
	}
	if (o.detach) {
		free(ctx);
		return detach_only(&o);
	}
	if (o.pcap) {
		pcap_h = pcap_open_dead(DLT_EN10MB, 65535);
		ctx->pcap = pcap_h ? pcap_dump_open(pcap_h, o.pcap) : NULL;
		if (!ctx->pcap) {
			fprintf(stderr, PROG ": cannot write %s: %s\n", o.pcap,
				pcap_h ? pcap_geterr(pcap_h) : "out of memory");
			goto out;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	{
		XSKB_OPTS(xskb_dev_opts, dopts, .attach = o.attach, .metadata = o.metadata);
		XSKB_OPTS(xskb_umem_opts, uopts, .frame_size = o.frame_size,
			  .frame_count = o.frames, .ifname = o.ifname, .hugepages = o.hugepages);
		XSKB_OPTS(xskb_queue_opts, qopts, .queue_id = o.queue, .mode = o.mode,
			  .rx_size = o.rx_ring, .fill_size = o.fill_ring, .copybreak = o.copybreak,
			  .multi_buffer = o.multi_buffer, .mb_mode = o.mb_mode,
			  .busy_poll = o.busy_poll, .handler = on_packet, .handler_arg = ctx);
		XSKB_OPTS(xskb_napi_opts, nopts, .budget = (int)o.budget, .idle_usec = o.idle_us,
			  .cpu = o.cpu >= 0 ? XSKB_NAPI_CPU(o.cpu) : 0);

		uint64_t umem_bytes = (uint64_t)(o.frames ? o.frames : XSKB_UMEM_DEFAULT_FRAMES) *
				      (o.frame_size ? o.frame_size : 4096);

		/* The library explains each failure, naming the capabilities XDP
		 * needs; for the socket and the UMEM we add the one missing. */
		/* A sender's TX checksum offload leaves checksums unfinished
		 * in the frames we see (lab.h says why it matters). */
		xt_warn_tx_csum_offload(NULL, o.ifname);
		if (xskb_dev__open(&dev, o.ifname, &dopts) ||
		    (o.nr_rules && xskb_dev__set_rules(dev, o.rules, o.nr_rules)))
			goto out;
		if ((err = xskb_umem__create(&umem, -1, &uopts)) ||
		    (err = xskb_queue__create(&q, dev, umem, &qopts)) ||
		    (err = xskb_napi__create(&napi, &q, 1, &nopts))) {
			xt_explain_setup_error(PROG, RX_NEEDS, err, umem_bytes);
			goto out;
		}
		/* Before the NAPI thread starts, so that it runs unprivileged too. */
		if (o.user && drop_privileges(&o, dev, &kept))
			goto out;
		if (start_freer(ctx) || xskb_napi__start(napi))
			goto out;
	}
	if (!o.quiet)
		fprintf(stderr, PROG ": %s queue %u, %s mode, %s XDP%s; Ctrl-C to stop\n", o.ifname,
			o.queue, xskb_bind_mode_str(xskb_queue__mode(q)),
			o.attach == XSKB_ATTACH_SKB ? "generic" : "native",
			xskb_dev__multiprog(dev) ? " (libxdp dispatcher)" : "");

	t0 = last = xt_now_ns();
	while (!stop_signal) {
		uint64_t now;

		usleep(10000);
		now = xt_now_ns();
		xskb_queue__stats(q, &st);
		if (st.rx_packets != seen) {
			if (!seen)
				first_rx = now - 10000000ull;	/* it arrived within the tick */
			last_rx = now;
			seen = st.rx_packets;
		}
		if (o.count && st.rx_packets >= o.count)
			break;
		if (o.duration && (double)(now - t0) / 1e9 >= o.duration)
			break;
		if (now - last >= 1000000000ull) {
			if (!o.quiet)
				print_live(&st, &prev, (double)(now - last) / 1e9);
			prev = st;
			last = now;
			/* Once a second: the interface deleted, or our program removed
			 * (packets go to the kernel now), ends the run. */
			err = xskb_dev__check(dev);
			if (err == -ENODEV || err == -ENOENT) {
				if (err == -ENODEV)
					fprintf(stderr, PROG ": interface %s is gone; stopping\n",
						o.ifname);
				else
					fprintf(stderr, PROG ": xskb's XDP program is no longer on %s; "
						"stopping\n", o.ifname);
				gone = true;
				break;
			}
		}
		/* The NAPI loop saw the socket fail (interface deleted): at once. */
		if (xskb_napi__error(napi) == -ENODEV) {
			fprintf(stderr, PROG ": interface %s is gone; stopping\n", o.ifname);
			gone = true;
			break;
		}
	}
	xskb_napi__stop(napi, true);
	stop_freer(ctx);
	xskb_queue__stats(q, &st);
	xskb_napi__stats(napi, &nst);
	if (o.json)
		print_json(&o, q, dev, &st, &nst, ctx, (double)(xt_now_ns() - t0) / 1e9,
			   seen ? (double)(last_rx - first_rx) / 1e9 : 0.0);
	else if (!o.quiet)
		print_live(&st, &prev, (double)(xt_now_ns() - last) / 1e9);
	ret = gone ? 1 : 0;
out:
	xskb_napi__destroy(napi);
	stop_freer(ctx);
	xskb_queue__destroy(q);
	if (xskb_umem__delete(umem))
		ret = 1;
	if (kept && dev && xt_caps_raise(kept))
		fprintf(stderr, PROG ": cannot raise %s again to detach: %s\n",
			"the capabilities --user kept", strerror(errno));
	if (xskb_dev__close(dev))
		ret = 1;	/* the program stays attached: the library said how to remove it */
	if (ctx->pcap)
		pcap_dump_close(ctx->pcap);
	if (pcap_h)
		pcap_close(pcap_h);
	if (ctx->verify_bad)
		ret = ret ? ret : 3;
	free(ctx);
	return ret;
}
