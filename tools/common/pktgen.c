/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Frame templates with exact checksums, their verifier, and the two send
 * engines (BPF live frames, AF_PACKET sendmmsg) behind one paced send loop.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <math.h>
#include <net/ethernet.h>
#include <netinet/if_ether.h>
#include <netinet/ip.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pktgen.h"
#include "util.h"

#define ETH_HDR		14
#define VLAN_HDR	4
#define IP_HDR		20
#define UDP_HDR		8
#define TCP_HDR		20
#define SEQ_LEN		4
#define RUNT_LEN	20
#define BAD_LEN_EXTRA	64	/* how far trunc-ip / bad-udp-len lengths overshoot */
#define IP_DF		0x4000
#define IP_MF_OFF	0x3fff	/* MF flag and fragment offset */
#define TCP_SYN		0x02

#define NSEC		1000000000ull
#define CHUNK_MAX	(1u << 26)			/* the kernel's repeat is an int */
#define STALL_NS	NSEC			/* no frame out for this long: give up */
#define RETRY_NS	20000			/* back-off after the kernel dropped a frame */

/* Frame fields are written byte-wise: @buf carries no alignment promise. */
static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* One's-complement sum of big-endian 16-bit words, not yet folded. */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint64_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), one 16-bit word at a time. */
static uint16_t csum_replace(uint16_t check, uint16_t old, uint16_t new)
{
	return csum_fold((uint16_t)~check + (uint64_t)(uint16_t)~old + new);
}

static uint64_t pseudo_sum(const struct xt_pkt_spec *spec, uint8_t proto, size_t l4_len)
{
	uint64_t sum = 0;

	sum = csum_add(sum, (const uint8_t *)&spec->src_ip.s_addr, 4);
	sum = csum_add(sum, (const uint8_t *)&spec->dst_ip.s_addr, 4);
	return sum + proto + l4_len;
}

static const char *const template_names[XT_TPL_MAX] = {
	[XT_TPL_UDP] = "udp",
	[XT_TPL_RUNT] = "runt",
	[XT_TPL_BAD_IP_CSUM] = "bad-ip-csum",
	[XT_TPL_BAD_IHL] = "bad-ihl",
	[XT_TPL_TRUNC_IP] = "trunc-ip",
	[XT_TPL_BAD_UDP_LEN] = "bad-udp-len",
	[XT_TPL_ARP] = "arp",
	[XT_TPL_TCP] = "tcp",
	[XT_TPL_VLAN] = "vlan",
};

const char *xt_template_name(enum xt_template tpl)
{
	return (unsigned int)tpl < XT_TPL_MAX ? template_names[tpl] : NULL;
}

int xt_template_parse(const char *name, enum xt_template *tpl)
{
	if (!name || !tpl)
		return -EINVAL;
	for (unsigned int i = 0; i < XT_TPL_MAX; i++) {
		if (!strcmp(name, template_names[i])) {
			*tpl = (enum xt_template)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *xt_engine_name(enum xt_engine engine)
{
	switch (engine) {
	case XT_ENGINE_XDP:
		return "xdp";
	case XT_ENGINE_PACKET:
		return "packet";
	}
	return NULL;
}

int xt_engine_parse(const char *name, enum xt_engine *engine)
{
	if (!name || !engine)
		return -EINVAL;
	if (!strcmp(name, "xdp"))
		*engine = XT_ENGINE_XDP;
	else if (!strcmp(name, "packet"))
		*engine = XT_ENGINE_PACKET;
	else
		return -EINVAL;
	return 0;
}

static bool tpl_is_ipv4(enum xt_template tpl)
{
	return tpl != XT_TPL_RUNT && tpl != XT_TPL_ARP;
}

static size_t tpl_l2_len(enum xt_template tpl)
{
	return tpl == XT_TPL_VLAN ? ETH_HDR + VLAN_HDR : ETH_HDR;
}

/*
 * Where the per-frame fields live, so the AF_PACKET engine can rewrite them
 * without rebuilding the frame. Offsets are -1 where a template has none.
 */
struct pkt_layout {
	int l4;			/* start of the L4 header: checksum words count from here */
	int seq;
	int sport;
	int csum;		/* -1 also when the frame carries no L4 checksum */
	bool udp;		/* a computed 0 must go out as 0xffff */
};

static struct pkt_layout pkt_layout(enum xt_template tpl)
{
	struct pkt_layout lo = { -1, -1, -1, -1, false };

	if (!tpl_is_ipv4(tpl))
		return lo;
	lo.l4 = (int)(tpl_l2_len(tpl) + IP_HDR);
	lo.sport = lo.l4;
	if (tpl == XT_TPL_TCP) {
		lo.seq = lo.l4 + 4;
		lo.csum = lo.l4 + 16;
	} else {
		lo.seq = lo.l4 + UDP_HDR;
		/* RFC 768: 0 means "no checksum"; patching it would invent a wrong one. */
		lo.csum = tpl == XT_TPL_BAD_UDP_LEN ? -1 : lo.l4 + 6;
		lo.udp = true;
	}
	return lo;
}

int xt_pkt_seq_offset(enum xt_template tpl)
{
	if ((unsigned int)tpl >= XT_TPL_MAX)
		return -EINVAL;
	return tpl_is_ipv4(tpl) ? pkt_layout(tpl).seq : -ENOENT;
}

static size_t put_eth(const struct xt_pkt_spec *spec, uint8_t *buf, uint16_t type)
{
	memcpy(buf, spec->dst_mac, ETH_ALEN);
	memcpy(buf + ETH_ALEN, spec->src_mac, ETH_ALEN);
	if (spec->tpl == XT_TPL_VLAN) {
		put16(buf + 12, ETHERTYPE_VLAN);
		put16(buf + 14, XT_VLAN_ID);	/* PCP 0, DEI 0 */
		put16(buf + 16, type);
		return ETH_HDR + VLAN_HDR;
	}
	put16(buf + 12, type);
	return ETH_HDR;
}

static int build_runt(const struct xt_pkt_spec *spec, uint8_t *buf)
{
	size_t off = put_eth(spec, buf, ETHERTYPE_IP);

	/* The start of an IPv4 header, cut off before the addresses. */
	memset(buf + off, 0, RUNT_LEN - off);
	buf[off] = 0x45;
	return RUNT_LEN;
}

static int build_arp(const struct xt_pkt_spec *spec, uint8_t *buf)
{
	struct xt_pkt_spec bcast = *spec;
	uint8_t *arp;

	memset(bcast.dst_mac, 0xff, ETH_ALEN);
	arp = buf + put_eth(&bcast, buf, ETHERTYPE_ARP);
	memset(arp, 0, spec->size - ETH_HDR);
	put16(arp, ARPHRD_ETHER);
	put16(arp + 2, ETHERTYPE_IP);
	arp[4] = ETH_ALEN;
	arp[5] = 4;
	put16(arp + 6, ARPOP_REQUEST);
	memcpy(arp + 8, spec->src_mac, ETH_ALEN);
	memcpy(arp + 14, &spec->src_ip.s_addr, 4);
	/* target hardware address stays zero: that is what is being asked */
	memcpy(arp + 24, &spec->dst_ip.s_addr, 4);
	return (int)spec->size;
}

static void fill_pattern(uint8_t *payload, size_t from, size_t len)
{
	for (size_t i = from; i < len; i++)
		payload[i] = (uint8_t)((i * 7 + 3) & 0xff);
}

/* IPv4 with UDP or TCP, then the template's defect applied on top. */
static int build_ipv4(const struct xt_pkt_spec *spec, uint8_t *buf)
{
	const bool tcp = spec->tpl == XT_TPL_TCP;
	const uint8_t proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;
	size_t l3 = put_eth(spec, buf, ETHERTYPE_IP);
	size_t ip_len = spec->size - l3;
	size_t l4_len = ip_len - IP_HDR;
	uint8_t *ip = buf + l3, *l4 = ip + IP_HDR;
	uint8_t *payload = l4 + (tcp ? TCP_HDR : UDP_HDR);
	size_t payload_len = l4_len - (size_t)(payload - l4);
	uint16_t claimed_l4 = (uint16_t)l4_len;
	uint16_t check;

	if (tcp) {
		fill_pattern(payload, 0, payload_len);
		put16(l4, spec->src_port);
		put16(l4 + 2, spec->dst_port);
		put32(l4 + 4, spec->seq);
		put32(l4 + 8, 0);			/* ack */
		l4[12] = (TCP_HDR / 4) << 4;
		l4[13] = TCP_SYN;
		put16(l4 + 14, 65535);			/* window */
		put16(l4 + 16, 0);
		put16(l4 + 18, 0);			/* urgent pointer */
		check = csum_fold(csum_add(pseudo_sum(spec, proto, l4_len), l4, l4_len));
		put16(l4 + 16, check);
	} else {
		put32(payload, spec->seq);
		fill_pattern(payload, SEQ_LEN, payload_len);
		if (spec->tpl == XT_TPL_BAD_UDP_LEN)
			claimed_l4 = (uint16_t)(l4_len + BAD_LEN_EXTRA);
		put16(l4, spec->src_port);
		put16(l4 + 2, spec->dst_port);
		put16(l4 + 4, claimed_l4);
		put16(l4 + 6, 0);
		if (spec->tpl != XT_TPL_BAD_UDP_LEN) {
			check = csum_fold(csum_add(pseudo_sum(spec, proto, l4_len), l4, l4_len));
			put16(l4 + 6, check ? check : 0xffff);
		}
	}

	ip[0] = spec->tpl == XT_TPL_BAD_IHL ? 0x44 : 0x45;
	ip[1] = 0;					/* DSCP/ECN */
	put16(ip + 2, (uint16_t)(spec->tpl == XT_TPL_TRUNC_IP ? ip_len + BAD_LEN_EXTRA : ip_len));
	put16(ip + 4, 0);				/* ID 0 + DF: RFC 6864 atomic datagram */
	put16(ip + 6, IP_DF);
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0);
	memcpy(ip + 12, &spec->src_ip.s_addr, 4);
	memcpy(ip + 16, &spec->dst_ip.s_addr, 4);
	check = csum_fold(csum_add(0, ip, IP_HDR));
	/*
	 * Flip bits rather than complement: ~0x0000 is 0xffff, the same
	 * one's-complement value, which would leave the checksum valid.
	 */
	if (spec->tpl == XT_TPL_BAD_IP_CSUM)
		check ^= 0x5a5a;
	put16(ip + 10, check);
	return (int)spec->size;
}

int xt_pkt_build(const struct xt_pkt_spec *spec, uint8_t *buf, size_t buflen)
{
	if (!spec || !buf || (unsigned int)spec->tpl >= XT_TPL_MAX ||
	    spec->size < XT_PKT_MIN || spec->size > XT_PKT_MAX)
		return -EINVAL;
	if (buflen < (spec->tpl == XT_TPL_RUNT ? RUNT_LEN : spec->size))
		return -EINVAL;
	switch (spec->tpl) {
	case XT_TPL_RUNT:
		return build_runt(spec, buf);
	case XT_TPL_ARP:
		return build_arp(spec, buf);
	default:
		return build_ipv4(spec, buf);
	}
}

int xt_pkt_verify(const uint8_t *frame, size_t len, uint32_t *seq)
{
	size_t l3 = ETH_HDR, ihl, ip_len, udp_len;
	const uint8_t *ip, *udp, *payload;
	uint16_t type, check;

	if (!frame || len < ETH_HDR)
		return -EBADMSG;
	type = get16(frame + 12);
	if (type == ETHERTYPE_VLAN) {
		if (len < ETH_HDR + VLAN_HDR)
			return -EBADMSG;
		type = get16(frame + 16);
		l3 += VLAN_HDR;
	}
	if (type != ETHERTYPE_IP || len < l3 + IP_HDR)
		return -EBADMSG;
	ip = frame + l3;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	ip_len = get16(ip + 2);
	if (ip[0] >> 4 != 4 || ihl < IP_HDR || ip[9] != IPPROTO_UDP ||
	    (get16(ip + 6) & IP_MF_OFF) || ip_len < ihl + UDP_HDR + SEQ_LEN ||
	    ip_len > len - l3)
		return -EBADMSG;
	udp = ip + ihl;
	payload = udp + UDP_HDR;
	if (seq)
		*seq = get32(payload);
	udp_len = get16(udp + 4);
	if (csum_fold(csum_add(0, ip, ihl)) != 0 || udp_len != ip_len - ihl)
		return -EBADMSG;
	check = get16(udp + 6);
	if (check) {
		struct xt_pkt_spec addrs;

		memcpy(&addrs.src_ip.s_addr, ip + 12, 4);
		memcpy(&addrs.dst_ip.s_addr, ip + 16, 4);
		if (csum_fold(csum_add(pseudo_sum(&addrs, IPPROTO_UDP, udp_len), udp, udp_len)))
			return -EBADMSG;
	}
	for (size_t i = SEQ_LEN; i < udp_len - UDP_HDR; i++)
		if (payload[i] != (uint8_t)((i * 7 + 3) & 0xff))
			return -EBADMSG;
	return 0;
}

/* ---- generator ---------------------------------------------------------- */

struct gen {
	const struct xt_gen_config *cfg;
	uint8_t *frame;			/* the template as built */
	size_t len;
	int fd;				/* XDP program or packet socket */
	double kernel_frame_ns;		/* XDP: the last run's time per frame */
	/* AF_PACKET engine */
	struct pkt_layout layout;
	bool patch;			/* frames differ: rewrite seq/port per frame */
	uint16_t port_lo;
	uint32_t port_span;
	uint8_t *slots;			/* batch copies of the frame when patching */
	struct mmsghdr *msgs;
	struct iovec *iov;
};

struct gen_engine {
	int (*open)(struct gen *g, const char **msg);
	/* Send up to @n frames starting at frame number @first; *sent gets how
	 * many left. 0 with *sent == 0 means "try again later". */
	int (*send)(struct gen *g, uint64_t first, uint64_t n, uint64_t *sent, const char **msg);
};

static int xdp_open(struct gen *g, const char **msg)
{
	/* r0 = XDP_TX; exit: every frame goes back out of the ingress device. */
	static const struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_TX },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd;

	if (g->len > XT_LIVE_MAX) {
		*msg = "frame larger than the live-frame engine can send (3520 bytes); use the packet engine";
		return -EOPNOTSUPP;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xt_gen_tx", "Dual BSD/GPL", prog,
			   sizeof(prog) / sizeof(prog[0]), NULL);
	if (fd < 0) {
		*msg = fd == -EPERM ? "loading the XDP_TX program needs CAP_BPF and CAP_NET_ADMIN"
				    : "cannot load the XDP_TX program";
		return fd;
	}
	g->fd = fd;
	return 0;
}

static int xdp_send(struct gen *g, uint64_t first, uint64_t n, uint64_t *sent, const char **msg)
{
	struct xdp_md md = {
		.data_end = (uint32_t)g->len,
		.ingress_ifindex = (uint32_t)g->cfg->ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = g->frame,
		.data_size_in = (uint32_t)g->len,
		.ctx_in = &md,
		.ctx_size_in = sizeof(md),
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		.repeat = (int)n,
		.batch_size = g->cfg->batch ? g->cfg->batch : 64,
	);
	sigset_t all, old;
	int err;

	(void)first;
	/*
	 * A signal makes the kernel abandon the run with -EINTR and no count of
	 * the frames already sent; holding signals for one chunk (a second at
	 * most) keeps the count exact.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = bpf_prog_test_run_opts(g->fd, &opts);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err) {
		*sent = n;
		g->kernel_frame_ns = opts.duration;
		return 0;
	}
	switch (err) {
	case -ENODEV:
		*msg = "no interface with that ifindex in this network namespace";
		break;
	case -EOPNOTSUPP:
	case -524:	/* the kernel's internal ENOTSUPP, which BPF lets escape */
		*msg = "this kernel cannot send live frames (BPF_F_TEST_XDP_LIVE_FRAMES, Linux >= 5.18)";
		break;
	default:
		*msg = "the kernel refused the live-frame run";
		break;
	}
	return err;
}

static int packet_open(struct gen *g, const char **msg)
{
	const struct xt_gen_config *cfg = g->cfg;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = cfg->ifindex,
	};
	unsigned int batch = cfg->batch ? cfg->batch : 64;
	int fd, err;

	g->layout = pkt_layout(cfg->pkt.tpl);
	g->port_lo = cfg->pkt.src_port;
	g->port_span = (uint32_t)(cfg->src_port_hi ? cfg->src_port_hi : 65535) - g->port_lo + 1;
	g->patch = g->layout.seq >= 0;
	g->msgs = calloc(batch, sizeof(*g->msgs));
	g->iov = calloc(batch, sizeof(*g->iov));
	g->slots = g->patch ? malloc(batch * g->len) : NULL;
	if (!g->msgs || !g->iov || (g->patch && !g->slots)) {
		*msg = "out of memory";
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < batch; i++) {
		uint8_t *frame = g->frame;

		if (g->patch) {
			frame = g->slots + (size_t)i * g->len;
			memcpy(frame, g->frame, g->len);
		}
		g->iov[i] = (struct iovec){ .iov_base = frame, .iov_len = g->len };
		g->msgs[i].msg_hdr.msg_iov = &g->iov[i];
		g->msgs[i].msg_hdr.msg_iovlen = 1;
	}

	/* Protocol 0: a send-only socket, it never queues received frames. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		*msg = err == -EPERM ? "AF_PACKET sockets need CAP_NET_RAW"
				     : "cannot open an AF_PACKET socket";
		return err;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		close(fd);
		*msg = err == -ENODEV ? "no interface with that ifindex in this network namespace"
				      : "cannot bind the AF_PACKET socket to the interface";
		return err;
	}
	g->fd = fd;
	return 0;
}

/* Give frame number @n its sequence number and source port. */
static void packet_patch(struct gen *g, uint8_t *frame, uint64_t n)
{
	const struct pkt_layout *lo = &g->layout;
	const struct xt_pkt_spec *spec = &g->cfg->pkt;
	uint32_t seq = spec->seq + (uint32_t)n;
	uint16_t port = spec->src_port;
	uint16_t check;

	if (g->cfg->vary_src_port)
		port = (uint16_t)(g->port_lo + n % g->port_span);
	put32(frame + lo->seq, seq);
	put16(frame + lo->sport, port);
	if (lo->csum < 0)
		return;
	/* Both fields sit at even offsets from the L4 header: whole words. */
	check = get16(g->frame + lo->csum);
	check = csum_replace(check, (uint16_t)(spec->seq >> 16), (uint16_t)(seq >> 16));
	check = csum_replace(check, (uint16_t)spec->seq, (uint16_t)seq);
	check = csum_replace(check, spec->src_port, port);
	put16(frame + lo->csum, lo->udp && !check ? 0xffff : check);
}

static int packet_send(struct gen *g, uint64_t first, uint64_t n, uint64_t *sent, const char **msg)
{
	unsigned int batch = g->cfg->batch ? g->cfg->batch : 64;
	uint64_t done = 0;
	int r, err;

	while (done < n) {
		unsigned int k = (unsigned int)(n - done < batch ? n - done : batch);

		if (g->patch)
			for (unsigned int i = 0; i < k; i++)
				packet_patch(g, g->iov[i].iov_base, first + done + i);
		/* Never block: the caller's deadline must hold. */
		r = sendmmsg(g->fd, g->msgs, k, MSG_DONTWAIT);
		if (r > 0) {
			done += (unsigned int)r;
			continue;
		}
		err = r < 0 ? -errno : -EAGAIN;
		/* Dropped for lack of buffers or queue room: the frame is sent again. */
		if (err == -ENOBUFS || err == -EAGAIN || err == -EINTR)
			break;
		*sent = done;
		switch (err) {
		case -EMSGSIZE:
			*msg = "frame larger than the interface MTU plus its 14-byte header";
			break;
		case -ENETDOWN:
			*msg = "the interface is down";
			break;
		case -ENXIO:
		case -ENODEV:
			*msg = "the interface went away";
			break;
		default:
			*msg = "sendmmsg on the AF_PACKET socket failed";
			break;
		}
		return err;
	}
	*sent = done;
	return 0;
}

static const struct gen_engine engines[] = {
	[XT_ENGINE_XDP] = { xdp_open, xdp_send },
	[XT_ENGINE_PACKET] = { packet_open, packet_send },
};

static void sleep_until(uint64_t t_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t_ns / NSEC),
		.tv_nsec = (long)(t_ns % NSEC),
	};

	/* EINTR returns early on purpose: the caller re-checks its stop flag. */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int gen_check(const struct xt_gen_config *cfg, const char **msg)
{
	if (cfg->engine != XT_ENGINE_XDP && cfg->engine != XT_ENGINE_PACKET) {
		*msg = "unknown engine";
		return -EINVAL;
	}
	if (cfg->ifindex <= 0) {
		*msg = "no interface given (ifindex must be > 0)";
		return -EINVAL;
	}
	if (!cfg->count) {
		*msg = "count must be > 0";
		return -EINVAL;
	}
	if (cfg->batch > XT_GEN_BATCH_MAX) {
		*msg = "batch must be 1..256";
		return -EINVAL;
	}
	if (!(cfg->max_seconds >= 0) || isinf(cfg->max_seconds)) {
		*msg = "max_seconds must be a finite number >= 0";
		return -EINVAL;
	}
	if (cfg->vary_src_port && cfg->src_port_hi && cfg->src_port_hi < cfg->pkt.src_port) {
		*msg = "source port range is empty (src_port_hi < src_port)";
		return -EINVAL;
	}
	return 0;
}

/*
 * Pacing. A send call costs about overhead_ns + n * frame_ns. The live-frame
 * engine pays two RCU grace periods per call of more than one frame (the
 * kernel swaps the program in and out of the XDP dispatcher around every run
 * with repeat > 1): 10 ms idle, hundreds under load. Chunks therefore last
 * OVERHEAD_FACTOR times the overhead, so it costs at most a tenth of the
 * time, but never more than PERIOD_MAX_NS, which is also how late a stop
 * request or the deadline can be noticed.
 *
 * Rate limiting sends one frame per call, exactly on schedule, while single
 * calls (no dispatcher swap) are cheap enough for the rate; above that it
 * sends bursts of RATE_PERIOD_NS worth of frames, or of OVERHEAD_FACTOR
 * overheads where calls are expensive, each when its last frame is due.
 */
#define PERIOD_MIN_NS	(10 * 1000 * 1000.0)	/* sendmmsg: look at the clock this often */
#define PERIOD_MAX_NS	(1000 * 1000 * 1000.0)
#define RATE_PERIOD_NS	(1000 * 1000.0)
#define OVERHEAD_FACTOR	10
#define SINGLE_DUTY	0.5			/* single-frame calls may take this share */

struct pace {
	double frame_ns;	/* 0 until a call measured it */
	double overhead_ns;	/* fixed cost of a multi-frame call */
	double single_ns;	/* wall time of a one-frame call; 0 until measured */
};

static uint64_t pace_chunk(const struct pace *p, const struct xt_gen_config *cfg, uint64_t sent,
			   uint64_t now, uint64_t deadline)
{
	double period, frames;

	if (cfg->rate_pps && (p->single_ns <= 0 ||
			      (double)cfg->rate_pps * p->single_ns < SINGLE_DUTY * 1e9))
		return 1;
	if (p->frame_ns <= 0) {
		/* First call: a measurement, but never more than was asked for. */
		uint64_t first = cfg->batch ? cfg->batch : 64;

		return cfg->count && cfg->count - sent < first ? cfg->count - sent : first;
	}
	period = OVERHEAD_FACTOR * p->overhead_ns;
	period = period < PERIOD_MIN_NS ? PERIOD_MIN_NS : period > PERIOD_MAX_NS ? PERIOD_MAX_NS : period;
	frames = period / p->frame_ns;
	if (cfg->rate_pps) {
		double burst = OVERHEAD_FACTOR * p->overhead_ns;

		burst = burst < RATE_PERIOD_NS ? RATE_PERIOD_NS : burst;
		burst = burst * (double)cfg->rate_pps / 1e9;
		frames = burst < frames ? burst : frames;
	}
	if (deadline != UINT64_MAX) {
		double left = (double)(deadline - now) - p->overhead_ns;

		frames = left / p->frame_ns < frames ? left / p->frame_ns : frames;
	}
	if (frames > (double)(cfg->count - sent))
		frames = (double)(cfg->count - sent);
	if (frames > CHUNK_MAX)
		frames = CHUNK_MAX;
	return frames < 1 ? 1 : (uint64_t)frames;
}

/* @kernel_ns: per-frame time the kernel measured, 0 if unknown. */
static void pace_update(struct pace *p, uint64_t n, uint64_t wall_ns, double kernel_ns)
{
	double frame = kernel_ns > 0 ? kernel_ns : (double)wall_ns / (double)n;
	double over = (double)wall_ns - frame * (double)n;

	if (n == 1) {
		/* Single frames skip the dispatcher swap: they say nothing about it. */
		p->single_ns = p->single_ns > 0 ? (p->single_ns + (double)wall_ns) / 2
						: (double)wall_ns;
		if (p->frame_ns <= 0)
			p->frame_ns = frame;
		return;
	}
	p->frame_ns = p->frame_ns > 0 ? (p->frame_ns + frame) / 2 : frame;
	if (kernel_ns > 0)
		p->overhead_ns = p->overhead_ns > 0 ? (p->overhead_ns + over) / 2
						    : over > 0 ? over : 0;
}

int xt_gen_run(const struct xt_gen_config *cfg, struct xt_gen_result *res, const char **msg)
{
	const char *dummy;
	const struct gen_engine *eng;
	struct gen g = { .cfg = cfg, .fd = -1 };
	struct pace pace = { 0 };
	uint64_t start, now, deadline = UINT64_MAX, last_progress, sent = 0;
	int err;

	if (!msg)
		msg = &dummy;
	if (!cfg || !res) {
		*msg = "no configuration or result";
		return -EINVAL;
	}
	memset(res, 0, sizeof(*res));
	err = gen_check(cfg, msg);
	if (err)
		return err;
	g.frame = malloc(XT_PKT_MAX);
	if (!g.frame) {
		*msg = "out of memory";
		return -ENOMEM;
	}
	err = xt_pkt_build(&cfg->pkt, g.frame, XT_PKT_MAX);
	if (err < 0) {
		*msg = "bad packet spec (template or size out of range)";
		goto out;
	}
	g.len = (size_t)err;
	eng = &engines[cfg->engine];
	err = eng->open(&g, msg);
	if (err)
		goto out;

	start = last_progress = now = xt_now_ns();
	if (cfg->max_seconds > 0)
		deadline = start + (uint64_t)(cfg->max_seconds * 1e9);

	/* Bounded by count and deadline; a stall ends it after STALL_NS. */
	while (sent < cfg->count && now < deadline && !(cfg->stop && *cfg->stop)) {
		uint64_t n = 0, t0, chunk = pace_chunk(&pace, cfg, sent, now, deadline);

		if (cfg->rate_pps) {
			/* A burst waits for its last frame's turn: never ahead of the rate. */
			uint64_t due = start + (uint64_t)((double)(sent + chunk - 1) * 1e9 /
							  (double)cfg->rate_pps);

			if (due > now) {
				sleep_until(due < deadline ? due : deadline);
				now = xt_now_ns();
				continue;
			}
		}
		t0 = now;
		g.kernel_frame_ns = 0;
		err = eng->send(&g, sent, chunk, &n, msg);
		sent += n;
		now = xt_now_ns();
		if (err)
			break;
		if (!n) {
			if (now - last_progress > STALL_NS) {
				*msg = "no frame went out for a second: the kernel drops them (is the peer up?)";
				err = -ENOBUFS;
				break;
			}
			sleep_until(now + RETRY_NS);
			now = xt_now_ns();
			continue;
		}
		last_progress = now;
		pace_update(&pace, n, now - t0, g.kernel_frame_ns);
	}
	res->sent = sent;
	res->bytes = sent * g.len;
	res->seconds = (double)(now - start) / 1e9;
	res->pps = res->seconds > 0 ? (double)sent / res->seconds : 0;
out:
	if (g.fd >= 0)
		close(g.fd);
	free(g.slots);
	free(g.iov);
	free(g.msgs);
	free(g.frame);
	return err;
}
