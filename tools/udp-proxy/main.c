/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xskb-udp-proxy: a UDP relay built on xskb the way a user's proxy embeds it,
 * and the worked example of docs/embedding.md ("A UDP proxy").
 *
 * Clients send to LISTEN-IP:PORT on one interface; each client (address and
 * port) gets a source port of its own toward the backend, and the backend's
 * replies to that port go back to it. Datagrams are rewritten in their UMEM
 * frame (addresses, ports, Ethernet header, checksums updated incrementally)
 * and sent with dev_queue_xmit(): with one UMEM for both interfaces, a
 * datagram leaves from the frame it arrived in. Claim rules take only UDP to
 * the listen port and to the backend-side port range; ARP, ND, ICMP and
 * everything else stay with the kernel, which also answers ARP/ND for the
 * proxy's addresses.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/udp.h>
#include <xskb/checksum.h>
#include <xskb/etherdevice.h>
#include <xskb/ip.h>
#include <xskb/napi.h>
#include <xskb/skbuff.h>

#include "lab.h"
#include "util.h"
#include "xskb_opts.h"

#define PROG "xskb-udp-proxy"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --listen IF,IP,PORT --backend IF,IP,PORT [options]\n"
		"\n"
		"Relay UDP datagrams that clients send to IP:PORT on the listen interface to\n"
		"the backend, and the backend's replies back to each client, through xskb:\n"
		"AF_XDP sockets on one UMEM, one NAPI thread, the datagrams rewritten in place\n"
		"with incremental checksum updates. Only UDP to the listen port and to the\n"
		"backend-side source ports is claimed; the kernel keeps ARP, ND and the rest.\n"
		"Prints a statistics line every second on stderr; exits on SIGINT/SIGTERM or\n"
		"after --duration, detaching everything it attached.\n"
		"\n"
		"      --listen IF,IP,PORT   where clients send (IPv4 or IPv6 address of IF)\n"
		"      --backend IF,IP,PORT  where datagrams go (same address family); IF may\n"
		"                            be the listen interface or another one\n"
		"      --backend-mac MAC     the backend's (or its next hop's) MAC address\n"
		"                            (default: from the neighbour table of IF, after\n"
		"                            a ping if it has none)\n"
		"      --source IP           the proxy's address toward the backend (default:\n"
		"                            the backend interface's first address of the family)\n"
		"      --ports LO-HI         backend-side source ports, one per flow; they must\n"
		"                            be free of local sockets (default 61000-61999)\n"
		"      --idle-timeout SEC    forget a flow idle this long (default 30)\n"
		"  -n, --netns NAME          run inside network namespace NAME (/run/netns/NAME)\n"
		"  -d, --duration SEC        stop after SEC seconds (default: until SIGINT)\n"
		"      --json                print a JSON summary on stdout at exit\n"
		"      --cpu N               pin the NAPI thread to CPU N\n"
		"      --mode MODE           copy, zerocopy or auto (default auto)\n"
		"      --attach MODE         drv (native XDP, default) or skb (generic)\n"
		"      --ring N              RX, fill and TX ring entries per queue, power of\n"
		"                            two (default 2048)\n"
		"      --frames N            UMEM frames (default: enough for every ring)\n"
		"      --budget N            NAPI budget per poll (default 64)\n"
		"      --idle-us N           busy-poll N µs after the last packet before\n"
		"                            sleeping (default 250000; 0: never sleep)\n"
		"      --quiet               no banner and no live statistics line\n"
		"  -h, --help                this text\n");
}

#define die_usage(...) xt_usage_error(PROG, __VA_ARGS__)
#define num(opt, s, min, max) xt_opt_u64(PROG, opt, s, min, max, false)

/* An IPv4 address sits in the first word, the rest zero: one key for both. */
union px_addr {
	struct in6_addr v6;
	__be32 v4;
};

struct endpoint {
	char ifname[IF_NAMESIZE];
	int family;			/* AF_INET or AF_INET6 */
	union px_addr ip;
	__be16 port;
};

struct opts {
	struct endpoint listen, backend;
	union px_addr source;
	bool have_listen, have_backend, have_source, have_backend_mac;
	uint8_t backend_mac[ETH_ALEN];
	uint16_t port_lo, port_hi;
	unsigned int idle_timeout, ring, frames, budget, idle_us;
	int cpu;
	enum xskb_bind_mode mode;
	enum xskb_attach_mode attach;
	const char *netns;
	double duration;
	bool json, quiet;
};

/* ---- flows ------------------------------------------------------------------
 *
 * One flow per client address and port, each with a backend-side source port
 * of its own: flows[i] uses port_lo + i, so a reply finds its flow by its
 * destination port alone, and a client's datagrams find theirs through a
 * hash of its address and port. Freed ports are reused oldest first, so a
 * late reply meant for an expired flow is unlikely to reach its successor.
 *
 * The NAPI thread looks flows up and creates them; the main thread expires
 * idle ones once a second. Both take the table's spinlock, which the NAPI
 * thread holds for a lookup (two atomic operations per packet, uncontended).
 */
#define NIL UINT32_MAX

struct flow {
	union px_addr client;
	__be16 client_port;
	uint8_t client_mac[ETH_ALEN];	/* where its replies go: its next hop */
	bool active;
	uint32_t hash_next;		/* next flow in the bucket */
	uint32_t lru_prev, lru_next;	/* least recently used first */
	uint64_t last_ms;
};

struct flow_table {
	xskb_spinlock_t lock;
	struct flow *f;
	uint32_t n;			/* flows = backend-side ports */
	uint32_t *bucket, mask;		/* hash heads */
	uint32_t *free_fifo, free_first, free_count;
	uint32_t lru_first, lru_last;
	uint64_t seed;			/* keyed hash: clients cannot aim at one bucket */
	uint64_t created, expired;	/* under the lock */
	uint32_t active;
};

static int flows_init(struct flow_table *t, uint32_t n)
{
	uint32_t buckets = 1;

	while (buckets < 2 * n)
		buckets <<= 1;
	memset(t, 0, sizeof(*t));
	spin_lock_init(&t->lock);
	t->f = calloc(n, sizeof(*t->f));
	t->bucket = malloc(buckets * sizeof(*t->bucket));
	t->free_fifo = malloc(n * sizeof(*t->free_fifo));
	if (!t->f || !t->bucket || !t->free_fifo)
		return -ENOMEM;
	t->n = n;
	t->mask = buckets - 1;
	memset(t->bucket, 0xff, buckets * sizeof(*t->bucket));	/* all NIL */
	for (uint32_t i = 0; i < n; i++)
		t->free_fifo[i] = i;
	t->free_count = n;
	t->lru_first = t->lru_last = NIL;
	if (getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed))
		t->seed = xt_now_ns();
	return 0;
}

static void flows_free(struct flow_table *t)
{
	free(t->f);
	free(t->bucket);
	free(t->free_fifo);
}

static uint32_t flow_bucket(const struct flow_table *t, const union px_addr *a, __be16 port)
{
	uint64_t lo, hi, h;

	memcpy(&lo, a->v6.s6_addr, 8);
	memcpy(&hi, a->v6.s6_addr + 8, 8);
	h = (lo ^ t->seed) * 0x9e3779b97f4a7c15ull;
	h = (h ^ hi ^ port) * 0xff51afd7ed558ccdull;
	return (uint32_t)(h >> 32) & t->mask;
}

static void lru_unlink(struct flow_table *t, uint32_t i)
{
	struct flow *f = &t->f[i];

	if (f->lru_prev != NIL)
		t->f[f->lru_prev].lru_next = f->lru_next;
	else
		t->lru_first = f->lru_next;
	if (f->lru_next != NIL)
		t->f[f->lru_next].lru_prev = f->lru_prev;
	else
		t->lru_last = f->lru_prev;
}

static void lru_append(struct flow_table *t, uint32_t i)
{
	struct flow *f = &t->f[i];

	f->lru_prev = t->lru_last;
	f->lru_next = NIL;
	if (t->lru_last != NIL)
		t->f[t->lru_last].lru_next = i;
	else
		t->lru_first = i;
	t->lru_last = i;
}

/* Used now: the most recently used flow goes last. */
static void flow_touch(struct flow_table *t, uint32_t i, uint64_t now_ms)
{
	t->f[i].last_ms = now_ms;
	if (t->lru_last != i) {
		lru_unlink(t, i);
		lru_append(t, i);
	}
}

static uint32_t flow_lookup(const struct flow_table *t, const union px_addr *a, __be16 port)
{
	uint32_t i = t->bucket[flow_bucket(t, a, port)];

	while (i != NIL && (t->f[i].client_port != port ||
			    memcmp(&t->f[i].client, a, sizeof(*a))))
		i = t->f[i].hash_next;
	return i;
}

/* A new flow with the oldest free port, or NIL when every port is in use. */
static uint32_t flow_create(struct flow_table *t, const union px_addr *a, __be16 port,
			    const uint8_t *mac, uint64_t now_ms)
{
	uint32_t b = flow_bucket(t, a, port), i;
	struct flow *f;

	if (!t->free_count)
		return NIL;
	i = t->free_fifo[t->free_first];
	t->free_first = (t->free_first + 1) % t->n;
	t->free_count--;
	f = &t->f[i];
	f->client = *a;
	f->client_port = port;
	memcpy(f->client_mac, mac, ETH_ALEN);
	f->active = true;
	f->hash_next = t->bucket[b];
	t->bucket[b] = i;
	f->last_ms = now_ms;
	lru_append(t, i);
	t->created++;
	t->active++;
	return i;
}

static void flow_delete(struct flow_table *t, uint32_t i)
{
	struct flow *f = &t->f[i];
	uint32_t *link = &t->bucket[flow_bucket(t, &f->client, f->client_port)];

	while (*link != i)
		link = &t->f[*link].hash_next;
	*link = f->hash_next;
	lru_unlink(t, i);
	f->active = false;
	t->free_fifo[(t->free_first + t->free_count) % t->n] = i;
	t->free_count++;
	t->active--;
	t->expired++;
}

/* Forget the flows idle since before @now_ms - @timeout_ms: the oldest first. */
static void flows_expire(struct flow_table *t, uint64_t now_ms, uint64_t timeout_ms)
{
	spin_lock(&t->lock);
	while (t->lru_first != NIL && t->f[t->lru_first].last_ms + timeout_ms <= now_ms)
		flow_delete(t, t->lru_first);
	spin_unlock(&t->lock);
}

/* ---- the proxy ------------------------------------------------------------- */

/* Why the proxy dropped a datagram it was given (the library counts its own). */
enum px_drop {
	PX_DROP_UNSUPPORTED = 0,	/* not plain IPv4/IPv6 + UDP: VLAN tag, extension headers */
	PX_DROP_HDR,			/* truncated or inconsistent IP/UDP header */
	PX_DROP_IP_CSUM,		/* bad IPv4 header checksum */
	PX_DROP_NO_CSUM,		/* IPv6 UDP without a checksum (RFC 8200 forbids it) */
	PX_DROP_FRAGMENT,		/* IP fragment: the proxy does not reassemble */
	PX_DROP_OTHER_DST,		/* a claimed port, but another address */
	PX_DROP_NO_FLOW,		/* to a backend-side port without a flow (expired) */
	PX_DROP_NOT_BACKEND,		/* to a flow's port, from someone not the backend */
	PX_DROP_NO_PORT,		/* every backend-side port is in use */
	PX_DROP_TX,			/* dev_queue_xmit() dropped it (the queue's tx_drops say why) */
	PX_DROP_MAX,
};

static const char *const px_drop_name[PX_DROP_MAX] = {
	"unsupported", "bad_header", "ip_csum", "no_udp_csum6", "fragment", "other_dst",
	"no_flow", "not_backend", "no_port", "tx",
};

static const enum skb_drop_reason px_drop_reason[PX_DROP_MAX] = {
	SKB_DROP_REASON_UNHANDLED_PROTO, SKB_DROP_REASON_HDR_TRUNC, SKB_DROP_REASON_IP_CSUM,
	SKB_DROP_REASON_UDP_CSUM, SKB_DROP_REASON_UNHANDLED_PROTO, SKB_DROP_REASON_OTHERHOST,
	SKB_DROP_REASON_NO_SOCKET, SKB_DROP_REASON_NO_SOCKET, SKB_DROP_REASON_NOMEM,
	SKB_DROP_REASON_NOT_SPECIFIED,
};

/* One direction's counters. */
struct px_dir {
	uint64_t datagrams, bytes;	/* bytes: UDP payload */
};

/*
 * Counters the NAPI thread writes and the main thread reads while it runs: a
 * relaxed store of the writer's own value (a plain mov), read with a relaxed
 * load, so a reader sees every counter whole, if a moment old.
 */
#define STAT_ADD(x, n) __atomic_store_n(&(x), (x) + (n), __ATOMIC_RELAXED)
#define STAT_GET(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* One interface the proxy uses: its device and its queues (one per RX queue). */
struct px_side {
	const char *ifname;
	struct xskb_dev *dev;
	struct net_device *netdev;
	unsigned int first_q, nr_q;	/* its queues in proxy.q[] */
};

struct proxy {
	struct opts o;
	int family;
	union px_addr listen_ip, backend_ip, source_ip;
	__be16 listen_port, backend_port;
	uint8_t backend_mac[ETH_ALEN];
	struct px_side listen, backend;	/* the same device when one interface does both */
	bool one_dev;
	struct flow_table flows;
	uint64_t now_ms;		/* the main thread's clock, 10 ms ticks */
	struct xskb_umem *umem;
	struct xskb_queue *q[64];
	unsigned int nr_q;
	struct xskb_napi *napi;
	/* written by the NAPI thread */
	struct px_dir to_backend, to_client;
	uint64_t drops[PX_DROP_MAX];
};

/* What the handler found in a claimed datagram. */
struct px_pkt {
	union px_addr saddr, daddr;
	__be16 sport, dport;
	unsigned int payload;		/* UDP payload bytes */
};

/*
 * Check the IP and UDP headers of @skb (skb->data at the network header) and
 * set its transport header. Returns 0 or why to drop it.
 */
static enum px_drop parse_udp(const struct proxy *p, struct sk_buff *skb, struct px_pkt *pk)
{
	const struct udphdr *uh;
	unsigned int l4, tot;

	memset(&pk->saddr, 0, sizeof(pk->saddr));
	memset(&pk->daddr, 0, sizeof(pk->daddr));
	if (skb->protocol == htons(ETH_P_IP) && p->family == AF_INET) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return PX_DROP_HDR;
		iph = ip_hdr(skb);
		l4 = iph->ihl * 4u;
		tot = ntohs(iph->tot_len);
		if (iph->version != 4 || l4 < sizeof(*iph) || iph->protocol != IPPROTO_UDP ||
		    tot < l4 + sizeof(*uh) || tot > skb->len || !pskb_may_pull(skb, l4 + sizeof(*uh)))
			return PX_DROP_HDR;
		iph = ip_hdr(skb);	/* the pull may have moved the head */
		if (ip_fast_csum(iph, iph->ihl))
			return PX_DROP_IP_CSUM;
		if (iph->frag_off & htons(0x3fff))	/* MF or an offset */
			return PX_DROP_FRAGMENT;
		pk->saddr.v4 = iph->saddr;
		pk->daddr.v4 = iph->daddr;
	} else if (skb->protocol == htons(ETH_P_IPV6) && p->family == AF_INET6) {
		const struct ipv6hdr *ip6h;

		l4 = sizeof(*ip6h);
		if (!pskb_may_pull(skb, l4 + sizeof(*uh)))
			return PX_DROP_HDR;
		ip6h = ipv6_hdr(skb);
		if (ip6h->version != 6)
			return PX_DROP_HDR;
		if (ip6h->nexthdr != IPPROTO_UDP)
			return PX_DROP_UNSUPPORTED;	/* extension headers: not handled */
		tot = l4 + ntohs(ip6h->payload_len);
		if (tot < l4 + sizeof(*uh) || tot > skb->len)
			return PX_DROP_HDR;
		pk->saddr.v6 = ip6h->saddr;
		pk->daddr.v6 = ip6h->daddr;
	} else {
		return PX_DROP_UNSUPPORTED;
	}
	/* Link-layer padding beyond the IP datagram goes, as in ip_rcv(). */
	if (pskb_trim(skb, tot))
		return PX_DROP_HDR;
	skb_set_transport_header(skb, (int)l4);
	uh = udp_hdr(skb);
	if (ntohs(uh->len) < sizeof(*uh) || ntohs(uh->len) > tot - l4)
		return PX_DROP_HDR;
	if (p->family == AF_INET6 && !uh->check)
		return PX_DROP_NO_CSUM;
	pk->sport = uh->source;
	pk->dport = uh->dest;
	pk->payload = ntohs(uh->len) - sizeof(*uh);
	return 0;
}

/*
 * Give the datagram new addresses and ports. The checksums are updated for
 * the changed words only (RFC 1624), as the kernel's NAT does: the IPv4
 * header checksum for the addresses, the UDP checksum for the addresses (its
 * pseudo-header) and the ports. An IPv4 UDP checksum of 0 means "none" and
 * stays 0; one that comes out 0 is sent as 0xffff, its other form.
 */
static void udp_rewrite(struct sk_buff *skb, const union px_addr *saddr, __be16 sport,
			const union px_addr *daddr, __be16 dport)
{
	struct udphdr *uh = udp_hdr(skb);
	bool csum = uh->check || skb->protocol == htons(ETH_P_IPV6);

	if (skb->protocol == htons(ETH_P_IP)) {
		struct iphdr *iph = ip_hdr(skb);

		if (csum) {
			inet_proto_csum_replace4(&uh->check, skb, iph->saddr, saddr->v4, true);
			inet_proto_csum_replace4(&uh->check, skb, iph->daddr, daddr->v4, true);
		}
		csum_replace4(&iph->check, iph->saddr, saddr->v4);
		csum_replace4(&iph->check, iph->daddr, daddr->v4);
		iph->saddr = saddr->v4;
		iph->daddr = daddr->v4;
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		inet_proto_csum_replace16(&uh->check, skb, ip6h->saddr.s6_addr32,
					  saddr->v6.s6_addr32, true);
		inet_proto_csum_replace16(&uh->check, skb, ip6h->daddr.s6_addr32,
					  daddr->v6.s6_addr32, true);
		ip6h->saddr = saddr->v6;
		ip6h->daddr = daddr->v6;
	}
	if (csum) {
		inet_proto_csum_replace2(&uh->check, skb, uh->source, sport, false);
		inet_proto_csum_replace2(&uh->check, skb, uh->dest, dport, false);
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	uh->source = sport;
	uh->dest = dport;
}

/*
 * Send the rewritten datagram out of @out to @dst_mac. skb->data is at the
 * IP header; the Ethernet header it arrived with is right in front, so
 * pushing it back costs nothing. dev_queue_xmit() always consumes the skb:
 * from a frame of the UMEM it goes out of that very frame.
 */
static enum px_drop xmit(const struct px_side *out, struct sk_buff *skb, const uint8_t *dst_mac)
{
	struct ethhdr *eth = skb_push(skb, ETH_HLEN);

	skb_reset_mac_header(skb);
	memcpy(eth->h_dest, dst_mac, ETH_ALEN);
	memcpy(eth->h_source, out->netdev->dev_addr, ETH_ALEN);
	skb->dev = out->netdev;
	/* The TX queue of the RX queue's number: the same core's rings. */
	skb_set_queue_mapping(skb, skb_get_queue_mapping(skb) % out->nr_q);
	return dev_queue_xmit(skb) == NET_XMIT_SUCCESS ? 0 : PX_DROP_TX;
}

/* Client -> backend: find or create the client's flow, send from its port. */
static enum px_drop to_backend(struct proxy *p, struct sk_buff *skb, const struct px_pkt *pk)
{
	struct flow_table *t = &p->flows;
	uint64_t now = STAT_GET(p->now_ms);
	uint32_t i;

	if (memcmp(&pk->daddr, &p->listen_ip, sizeof(pk->daddr)))
		return PX_DROP_OTHER_DST;
	spin_lock(&t->lock);
	i = flow_lookup(t, &pk->saddr, pk->sport);
	if (i == NIL)
		i = flow_create(t, &pk->saddr, pk->sport, eth_hdr(skb)->h_source, now);
	else
		flow_touch(t, i, now);
	spin_unlock(&t->lock);
	if (i == NIL)
		return PX_DROP_NO_PORT;
	udp_rewrite(skb, &p->source_ip, htons((uint16_t)(p->o.port_lo + i)), &p->backend_ip,
		    p->backend_port);
	return xmit(&p->backend, skb, p->backend_mac);
}

/* Backend -> client: the destination port names the flow. */
static enum px_drop to_client(struct proxy *p, struct sk_buff *skb, const struct px_pkt *pk)
{
	struct flow_table *t = &p->flows;
	uint32_t i = ntohs(pk->dport) - p->o.port_lo;
	union px_addr client;
	__be16 client_port;
	uint8_t mac[ETH_ALEN];

	if (memcmp(&pk->daddr, &p->source_ip, sizeof(pk->daddr)))
		return PX_DROP_OTHER_DST;
	if (pk->sport != p->backend_port || memcmp(&pk->saddr, &p->backend_ip, sizeof(pk->saddr)))
		return PX_DROP_NOT_BACKEND;
	spin_lock(&t->lock);
	if (!t->f[i].active) {
		spin_unlock(&t->lock);
		return PX_DROP_NO_FLOW;
	}
	flow_touch(t, i, STAT_GET(p->now_ms));
	client = t->f[i].client;	/* copies: the sweep may free the flow */
	client_port = t->f[i].client_port;
	memcpy(mac, t->f[i].client_mac, ETH_ALEN);
	spin_unlock(&t->lock);
	udp_rewrite(skb, &p->listen_ip, p->listen_port, &client, client_port);
	return xmit(&p->listen, skb, mac);
}

/* The NAPI thread's handler for every queue: it owns @skb. */
static void on_packet(struct sk_buff *skb, void *arg)
{
	struct proxy *p = arg;
	struct px_dir *dir = NULL;
	struct px_pkt pk = { .sport = 0 };
	enum px_drop why;
	uint16_t dport;

	why = parse_udp(p, skb, &pk);
	if (why)
		goto drop;
	/* The rules claimed it for one of two reasons; on one interface, both. */
	dport = ntohs(pk.dport);
	if (skb->dev == p->listen.netdev && pk.dport == p->listen_port) {
		dir = &p->to_backend;
		why = to_backend(p, skb, &pk);
	} else if (skb->dev == p->backend.netdev && dport >= p->o.port_lo &&
		   dport <= p->o.port_hi) {
		dir = &p->to_client;
		why = to_client(p, skb, &pk);
	} else {
		why = PX_DROP_OTHER_DST;
		goto drop;
	}
	/* From here on the skb is gone: sent, or dropped by dev_queue_xmit()
	 * (which counts why), or still ours when the rewrite refused it. */
	if (!why) {
		STAT_ADD(dir->datagrams, 1);
		STAT_ADD(dir->bytes, pk.payload);
		return;
	}
	if (why == PX_DROP_TX) {
		STAT_ADD(p->drops[why], 1);
		return;
	}
drop:
	STAT_ADD(p->drops[why], 1);
	kfree_skb_reason(skb, px_drop_reason[why]);
}

/* ---- set-up helpers ---------------------------------------------------------- */

static int parse_addr(const char *s, int *family, union px_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->v6) == 1)
		*family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

/* "IF,IP,PORT" */
static void parse_endpoint(const char *opt, const char *s, struct endpoint *e)
{
	const char *c1 = strchr(s, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	char ip[INET6_ADDRSTRLEN];
	size_t iflen = c1 ? (size_t)(c1 - s) : 0, iplen = c2 ? (size_t)(c2 - c1 - 1) : 0;

	if (!c2 || !iflen || iflen >= IF_NAMESIZE || !iplen || iplen >= sizeof(ip))
		die_usage("%s: '%s' is not IF,IP,PORT", opt, s);
	memcpy(e->ifname, s, iflen);
	e->ifname[iflen] = 0;
	memcpy(ip, c1 + 1, iplen);
	ip[iplen] = 0;
	if (parse_addr(ip, &e->family, &e->ip))
		die_usage("%s: '%s' is not an IPv4 or IPv6 address", opt, ip);
	e->port = htons((uint16_t)num(opt, c2 + 1, 1, 65535));
}

static const char *addr_str(int family, const union px_addr *a, char *buf)
{
	return inet_ntop(family, a, buf, INET6_ADDRSTRLEN);
}

static void mac_str(const uint8_t *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* Is @a one of @ifname's addresses (@want: find it), or its first usable
 * address of @family (!@want: store it in @a)? 0 or -ENOENT. */
static int if_addr(const char *ifname, int family, union px_addr *a, bool want)
{
	struct ifaddrs *ifa, *i;
	int err = -ENOENT;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i && err; i = i->ifa_next) {
		union px_addr x;

		if (!i->ifa_addr || i->ifa_addr->sa_family != family || strcmp(i->ifa_name, ifname))
			continue;
		memset(&x, 0, sizeof(x));
		if (family == AF_INET) {
			x.v4 = ((const struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
		} else {
			x.v6 = ((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&x.v6))
				continue;	/* the backend must be reachable by its own address */
		}
		if (want && !memcmp(&x, a, sizeof(x)))
			err = 0;
		else if (!want) {
			*a = x;
			err = 0;
		}
	}
	freeifaddrs(ifa);
	return err;
}

/*
 * The MAC address of @ip on interface @ifindex from the kernel's neighbour
 * table (RTM_GETNEIGH dump). 0, -ENOENT (no usable entry) or -errno.
 */
static int neigh_lookup(int ifindex, int family, const union px_addr *ip, uint8_t mac[ETH_ALEN])
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNEIGH,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.nd = { .ndm_family = (unsigned char)family },
	};
	struct timeval tv = { .tv_sec = 1 };
	size_t alen = family == AF_INET ? 4 : 16;
	static char buf[32768];
	int fd, err = -ENOENT;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, &req, sizeof(req), 0) < 0) {
		err = -errno;
		goto out;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n < 0) {
			err = err ? -errno : 0;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			const struct ndmsg *nd = NLMSG_DATA(nh);
			const struct rtattr *rta;
			int len = (int)RTM_PAYLOAD(nh);
			const void *dst = NULL, *lladdr = NULL;

			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWNEIGH || nd->ndm_ifindex != ifindex ||
			    !(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
					       NUD_PERMANENT | NUD_NOARP)))
				continue;
			for (rta = RTM_RTA(nd); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
				if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == alen)
					dst = RTA_DATA(rta);
				else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == ETH_ALEN)
					lladdr = RTA_DATA(rta);
			}
			if (dst && lladdr && !memcmp(dst, ip, alen) && err) {
				memcpy(mac, lladdr, ETH_ALEN);
				err = 0;
			}
		}
	}
out:
	close(fd);
	return err;
}

/* An ICMP echo request to @ip out of @ifname, so the kernel resolves its
 * address (ARP or ND) into the neighbour table. */
static int neigh_solicit(const char *ifname, int family, const union px_addr *ip)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = ip->v6 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = ip->v4 };
	struct icmphdr echo = { .type = ICMP_ECHO, .un.echo.id = htons(0x7870) };
	int fd, err = 0;

	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC,
		    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname))) {
		err = -errno;
		goto out;
	}
	if (family == AF_INET) {
		echo.checksum = ip_compute_csum(&echo, sizeof(echo));
		if (sendto(fd, &echo, sizeof(echo), 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			err = -errno;
	} else {
		/* Same layout; the kernel fills in an ICMPv6 checksum itself. */
		echo.type = ICMPV6_ECHO_REQUEST;
		if (sendto(fd, &echo, sizeof(echo), 0, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)
			err = -errno;
	}
out:
	close(fd);
	return err;
}

/* The backend's MAC from the neighbour table, pinging it first when the
 * table has none (up to three seconds). */
static int learn_backend_mac(struct proxy *p)
{
	int ifindex = p->backend.netdev->ifindex, err = 0;
	uint64_t t0 = xt_now_ns(), last_ping = 0;

	while (xt_now_ns() - t0 < 3000000000ull) {
		err = neigh_lookup(ifindex, p->family, &p->backend_ip, p->backend_mac);
		if (err != -ENOENT)
			break;
		if (xt_now_ns() - last_ping >= 500000000ull) {
			err = neigh_solicit(p->backend.ifname, p->family, &p->backend_ip);
			if (err)
				break;
			last_ping = xt_now_ns();
		}
		usleep(10000);
	}
	if (err) {
		char ip[INET6_ADDRSTRLEN];

		fprintf(stderr, PROG ": no MAC address for the backend %s on %s (%s): is it on "
			"that link? Give it (or its next hop's) with --backend-mac\n",
			addr_str(p->family, &p->backend_ip, ip), p->backend.ifname,
			err == -ENOENT ? "it did not answer ARP/ND" : strerror(-err));
	}
	return err;
}

/* ---- options --------------------------------------------------------------- */

static void parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_LISTEN = 256, O_BACKEND, O_BACKEND_MAC, O_SOURCE, O_PORTS, O_IDLE_TIMEOUT,
	       O_JSON, O_CPU, O_MODE, O_ATTACH, O_RING, O_FRAMES, O_BUDGET, O_IDLE_US, O_QUIET };
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "backend", required_argument, NULL, O_BACKEND },
		{ "backend-mac", required_argument, NULL, O_BACKEND_MAC },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "ports", required_argument, NULL, O_PORTS },
		{ "idle-timeout", required_argument, NULL, O_IDLE_TIMEOUT },
		{ "netns", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, O_JSON },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "mode", required_argument, NULL, O_MODE },
		{ "attach", required_argument, NULL, O_ATTACH },
		{ "ring", required_argument, NULL, O_RING },
		{ "frames", required_argument, NULL, O_FRAMES },
		{ "budget", required_argument, NULL, O_BUDGET },
		{ "idle-us", required_argument, NULL, O_IDLE_US },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, family = AF_UNSPEC;

	memset(o, 0, sizeof(*o));
	o->cpu = -1;
	o->port_lo = 61000;
	o->port_hi = 61999;
	o->idle_timeout = 30;
	o->ring = 2048;
	o->budget = 64;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:d:h", lo, NULL)) != -1) {
		switch (c) {
		case O_LISTEN:
			parse_endpoint("--listen", optarg, &o->listen);
			o->have_listen = true;
			break;
		case O_BACKEND:
			parse_endpoint("--backend", optarg, &o->backend);
			o->have_backend = true;
			break;
		case O_BACKEND_MAC:
			if (xt_parse_mac(optarg, o->backend_mac))
				die_usage("--backend-mac: '%s' is not a MAC address", optarg);
			o->have_backend_mac = true;
			break;
		case O_SOURCE:
			if (parse_addr(optarg, &family, &o->source))
				die_usage("--source: '%s' is not an IPv4 or IPv6 address", optarg);
			o->have_source = true;
			break;
		case O_PORTS:
			if (xt_parse_port_range(optarg, &o->port_lo, &o->port_hi))
				die_usage("--ports: '%s' is not LO-HI (1..65535)", optarg);
			break;
		case O_IDLE_TIMEOUT:
			o->idle_timeout = (unsigned int)num("--idle-timeout", optarg, 1, 86400);
			break;
		case 'n': o->netns = optarg; break;
		case 'd': o->duration = (double)num("--duration", optarg, 1, 86400); break;
		case O_JSON: o->json = true; break;
		case O_CPU: o->cpu = (int)num("--cpu", optarg, 0, 4095); break;
		case O_MODE: o->mode = xt_opt_bind_mode(PROG, optarg); break;
		case O_ATTACH: o->attach = xt_opt_attach_mode(PROG, optarg); break;
		case O_RING: o->ring = (unsigned int)xt_opt_pow2(PROG, "--ring", optarg, 64, 16384); break;
		case O_FRAMES:
			o->frames = (unsigned int)num("--frames", optarg, 1024, XSKB_UMEM_MAX_FRAMES);
			break;
		case O_BUDGET: o->budget = (unsigned int)num("--budget", optarg, 1, 4096); break;
		case O_IDLE_US: o->idle_us = xt_opt_idle_us(PROG, optarg); break;
		case O_QUIET: o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: xt_bad_option(PROG, argv, c);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!o->have_listen || !o->have_backend)
		die_usage("--listen IF,IP,PORT and --backend IF,IP,PORT are required%s", "");
	if (o->listen.family != o->backend.family)
		die_usage("--listen and --backend need addresses of the same family%s", "");
	if (o->have_source && family != o->listen.family)
		die_usage("--source: not of the --listen address's family%s", "");
	if (!strcmp(o->listen.ifname, o->backend.ifname) && ntohs(o->listen.port) >= o->port_lo &&
	    ntohs(o->listen.port) <= o->port_hi)
		die_usage("--ports %u-%u: on one interface they must not include the listen port %u",
			  o->port_lo, o->port_hi, ntohs(o->listen.port));
}

/* ---- statistics ------------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* The library's counters over every queue. */
static void sum_queue_stats(const struct proxy *p, struct xskb_queue_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned int i = 0; i < p->nr_q; i++) {
		struct xskb_queue_stats s;

		if (xskb_queue__stats(p->q[i], &s))
			continue;
		sum->rx_packets += s.rx_packets;
		sum->tx_packets += s.tx_packets;
		sum->tx_zerocopy += s.tx_zerocopy;
		sum->tx_copied += s.tx_copied;
		sum->tx_completed += s.tx_completed;
		sum->tx_qdisc_queued += s.tx_qdisc_queued;
		sum->tx_kicks += s.tx_kicks;
		sum->xdp_rx_dropped += s.xdp_rx_dropped;
		sum->xdp_rx_ring_full += s.xdp_rx_ring_full;
		sum->xdp_rx_fill_ring_empty += s.xdp_rx_fill_ring_empty;
		sum->xdp_tx_invalid_descs += s.xdp_tx_invalid_descs;
		for (int d = 0; d < XSKB_DROP_MAX; d++)
			sum->drops[d] += s.drops[d];
		for (int d = 0; d < XSKB_TX_DROP_MAX; d++)
			sum->tx_drops[d] += s.tx_drops[d];
	}
}

static uint64_t px_drops(const struct proxy *p)
{
	uint64_t n = 0;

	for (int i = 0; i < PX_DROP_MAX; i++)
		n += STAT_GET(p->drops[i]);
	return n;
}

static void flow_counts(struct proxy *p, uint64_t *active, uint64_t *created, uint64_t *expired)
{
	spin_lock(&p->flows.lock);
	*active = p->flows.active;
	*created = p->flows.created;
	*expired = p->flows.expired;
	spin_unlock(&p->flows.lock);
}

static void print_live(struct proxy *p, uint64_t *prev_b, uint64_t *prev_c, double dt)
{
	uint64_t b = STAT_GET(p->to_backend.datagrams), c = STAT_GET(p->to_client.datagrams);
	uint64_t active, created, expired;
	struct xskb_queue_stats s;

	sum_queue_stats(p, &s);
	flow_counts(p, &active, &created, &expired);
	fprintf(stderr,
		PROG ": to backend %" PRIu64 " (%.0f/s) to client %" PRIu64 " (%.0f/s) | flows %"
		PRIu64 " active %" PRIu64 " created %" PRIu64 " expired | drops %" PRIu64
		" | tx zerocopy %llu copied %llu completed %llu | kernel dropped %llu\n",
		b, (double)(b - *prev_b) / dt, c, (double)(c - *prev_c) / dt, active, created,
		expired, px_drops(p), s.tx_zerocopy, s.tx_copied, s.tx_completed,
		s.xdp_rx_dropped);
	*prev_b = b;
	*prev_c = c;
}

static void print_json(struct proxy *p, double secs)
{
	char lip[INET6_ADDRSTRLEN], bip[INET6_ADDRSTRLEN], sip[INET6_ADDRSTRLEN], mac[18];
	uint64_t active, created, expired;
	struct xskb_queue_stats s;

	sum_queue_stats(p, &s);
	flow_counts(p, &active, &created, &expired);
	addr_str(p->family, &p->listen_ip, lip);
	addr_str(p->family, &p->backend_ip, bip);
	addr_str(p->family, &p->source_ip, sip);
	mac_str(p->backend_mac, mac);
	printf("{\"listen\":{\"interface\":\"%s\",\"ip\":\"%s\",\"port\":%u},"
	       "\"backend\":{\"interface\":\"%s\",\"ip\":\"%s\",\"port\":%u,\"mac\":\"%s\"},"
	       "\"source\":\"%s\",\"ports\":[%u,%u],\"queues\":%u,\"shared_umem\":%s,"
	       "\"mode\":\"%s\",\"seconds\":%.3f,",
	       p->listen.ifname, lip, ntohs(p->listen_port), p->backend.ifname, bip,
	       ntohs(p->backend_port), mac, sip, p->o.port_lo, p->o.port_hi, p->nr_q,
	       p->one_dev ? "false" : "true", xskb_bind_mode_str(xskb_queue__mode(p->q[0])), secs);
	printf("\"to_backend\":{\"datagrams\":%" PRIu64 ",\"bytes\":%" PRIu64 "},"
	       "\"to_client\":{\"datagrams\":%" PRIu64 ",\"bytes\":%" PRIu64 "},",
	       p->to_backend.datagrams, p->to_backend.bytes, p->to_client.datagrams,
	       p->to_client.bytes);
	printf("\"flows\":{\"active\":%" PRIu64 ",\"created\":%" PRIu64 ",\"expired\":%" PRIu64
	       ",\"max\":%u},\"drops\":{", active, created, expired, p->flows.n);
	for (int i = 0; i < PX_DROP_MAX; i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", px_drop_name[i], p->drops[i]);
	printf("},\"rx\":{\"packets\":%llu,\"drops\":{", s.rx_packets);
	for (int i = 0; i < XSKB_DROP_MAX; i++)
		printf("\"%s\":%llu,", xskb_rx_drop_str((enum xskb_rx_drop)i), s.drops[i]);
	printf("\"kernel_rx_dropped\":%llu,\"kernel_rx_ring_full\":%llu,"
	       "\"kernel_fill_ring_empty\":%llu}},",
	       s.xdp_rx_dropped, s.xdp_rx_ring_full, s.xdp_rx_fill_ring_empty);
	printf("\"tx\":{\"packets\":%llu,\"zerocopy\":%llu,\"copied\":%llu,\"completed\":%llu,"
	       "\"qdisc_queued\":%llu,\"kicks\":%llu,\"csum\":\"%s\",\"drops\":{",
	       s.tx_packets, s.tx_zerocopy, s.tx_copied, s.tx_completed, s.tx_qdisc_queued,
	       s.tx_kicks, xskb_tx_csum_str(xskb_queue__tx_csum(p->q[0])));
	for (int i = 0; i < XSKB_TX_DROP_MAX; i++)
		printf("\"%s\":%llu,", xskb_tx_drop_str((enum xskb_tx_drop)i), s.tx_drops[i]);
	printf("\"kernel_tx_invalid_descs\":%llu}}}\n", s.xdp_tx_invalid_descs);
	fflush(stdout);
}

/* ---- set-up and teardown ------------------------------------------------------ */

/* Open the interface's device and claim only what the proxy handles. */
static int side_open(struct proxy *p, struct px_side *s, const char *ifname,
		     const struct xskb_rule *rules, unsigned int nr)
{
	XSKB_OPTS(xskb_dev_opts, dopts, .attach = p->o.attach);
	int err;

	s->ifname = ifname;
	err = xskb_dev__open(&s->dev, ifname, &dopts);
	if (err)
		return err;
	s->netdev = xskb_dev__netdev(s->dev);
	/* Before any socket exists: the kernel never loses what is not ours. */
	return xskb_dev__set_rules(s->dev, rules, nr);
}

/* One queue per RX queue of the interface, all on the proxy's one UMEM. */
static int side_queues(struct proxy *p, struct px_side *s)
{
	unsigned int n = s->netdev->real_num_rx_queues ? s->netdev->real_num_rx_queues : 1;
	int err;

	if (p->nr_q + n > 64) {
		fprintf(stderr, PROG ": %s has %u RX queues; one NAPI loop polls at most 64 in all\n",
			s->ifname, n);
		return -E2BIG;
	}
	s->first_q = p->nr_q;
	s->nr_q = n;
	for (unsigned int i = 0; i < n; i++) {
		XSKB_OPTS(xskb_queue_opts, qo, .queue_id = i, .mode = p->o.mode,
			  .rx_size = p->o.ring, .fill_size = p->o.ring, .tx_size = p->o.ring,
			  .handler = on_packet, .handler_arg = p);

		err = xskb_queue__create(&p->q[p->nr_q], s->dev, p->umem, &qo);
		if (err)
			return err;
		p->nr_q++;
	}
	return 0;
}

static int setup(struct proxy *p)
{
	const struct opts *o = &p->o;
	uint16_t ethertype = p->family == AF_INET ? ETH_P_IP : ETH_P_IPV6;
	struct xskb_rule listen_rule = {
		.flags = XSKB_RULE_ETHERTYPE | XSKB_RULE_PROTO | XSKB_RULE_DPORT,
		.ethertype = ethertype, .ip_proto = IPPROTO_UDP,
		.dport_lo = ntohs(o->listen.port), .dport_hi = ntohs(o->listen.port),
	};
	struct xskb_rule backend_rule = {
		.flags = XSKB_RULE_ETHERTYPE | XSKB_RULE_PROTO | XSKB_RULE_DPORT,
		.ethertype = ethertype, .ip_proto = IPPROTO_UDP,
		.dport_lo = o->port_lo, .dport_hi = o->port_hi,
	};
	struct xskb_rule both[2] = { listen_rule, backend_rule };
	char ip[INET6_ADDRSTRLEN];
	unsigned int frames, rx_queues;
	int err;

	/* 1. Devices and rules. */
	if (p->one_dev) {
		err = side_open(p, &p->listen, o->listen.ifname, both, 2);
		p->backend = p->listen;
	} else {
		err = side_open(p, &p->listen, o->listen.ifname, &listen_rule, 1);
		if (!err)
			err = side_open(p, &p->backend, o->backend.ifname, &backend_rule, 1);
	}
	if (err)
		return err;
	if (if_addr(o->listen.ifname, p->family, &p->listen_ip, true))
		fprintf(stderr, PROG ": warning: %s is not an address of %s: the kernel will not "
			"answer ARP/ND for it\n", addr_str(p->family, &p->listen_ip, ip),
			o->listen.ifname);
	if (o->have_source) {
		p->source_ip = o->source;
	} else if (if_addr(o->backend.ifname, p->family, &p->source_ip, false)) {
		fprintf(stderr, PROG ": %s has no %s address to send to the backend from; give "
			"one with --source\n", o->backend.ifname, p->family == AF_INET ? "IPv4" : "IPv6");
		return -EADDRNOTAVAIL;
	}
	if (o->have_backend_mac)
		memcpy(p->backend_mac, o->backend_mac, ETH_ALEN);
	else if ((err = learn_backend_mac(p)))
		return err;
	/* What it sends and receives must carry full checksums: warn if not. */
	xt_warn_tx_csum_offload(NULL, o->listen.ifname);
	if (!p->one_dev)
		xt_warn_tx_csum_offload(NULL, o->backend.ifname);

	/* 2. One UMEM for every queue of both interfaces, so a datagram
	 * received on one leaves from the other in the same frame. Enough
	 * frames for every fill and TX ring and its software queue, no more:
	 * the frames circulate, and what the rings hold is the working set the
	 * kernel copies on every send (docs/xskb-fwd.md measured 128 MiB
	 * against 32 MiB). */
	rx_queues = p->listen.netdev->real_num_rx_queues +
		    (p->one_dev ? 0 : p->backend.netdev->real_num_rx_queues);
	frames = o->frames;
	if (!frames) {
		uint64_t need = (uint64_t)(rx_queues ? rx_queues : 1) * (2 * o->ring + 1024);

		frames = need > XSKB_UMEM_MAX_FRAMES ? XSKB_UMEM_MAX_FRAMES : (unsigned int)need;
	}
	{
		XSKB_OPTS(xskb_umem_opts, uo, .frame_count = frames, .ifname = o->listen.ifname);

		err = xskb_umem__create(&p->umem, -1, &uo);
		if (err)
			return err;
	}
	/* 3. The queues: from here on claimed packets arrive. */
	err = side_queues(p, &p->listen);
	if (!err && !p->one_dev)
		err = side_queues(p, &p->backend);
	else if (!err)
		p->backend = p->listen;
	if (err)
		return err;
	/* 4. One NAPI loop polls them all: the UMEM has a single owner. */
	{
		XSKB_OPTS(xskb_napi_opts, no, .budget = (int)o->budget, .idle_usec = o->idle_us,
			  .cpu = o->cpu >= 0 ? XSKB_NAPI_CPU(o->cpu) : 0);

		err = xskb_napi__create(&p->napi, p->q, p->nr_q, &no);
		if (!err)
			err = xskb_napi__start(p->napi);
	}
	return err;
}

/* In reverse; each step accepts what set-up did not get to. */
static int teardown(struct proxy *p)
{
	int ret = 0;

	xskb_napi__destroy(p->napi);			/* nothing polls any more */
	for (unsigned int i = p->nr_q; i-- > 0;)
		xskb_queue__destroy(p->q[i]);		/* unbound; TX frames completed or back */
	if (xskb_umem__delete(p->umem))			/* the proxy holds no skb */
		ret = -EBUSY;
	if (xskb_dev__close(p->listen.dev))		/* XDP programs detached */
		ret = -EIO;
	if (!p->one_dev && xskb_dev__close(p->backend.dev))
		ret = -EIO;
	return ret;
}

static bool interface_gone(struct proxy *p)
{
	const struct px_side *sides[2] = { &p->listen, &p->backend };

	if (xskb_napi__error(p->napi) == -ENODEV) {
		fprintf(stderr, PROG ": an interface is gone; stopping\n");
		return true;
	}
	for (int i = 0; i < (p->one_dev ? 1 : 2); i++) {
		int err = xskb_dev__check(sides[i]->dev);

		if (err == -ENODEV || err == -ENOENT) {
			fprintf(stderr, PROG ": %s: %s; stopping\n", sides[i]->ifname,
				err == -ENODEV ? "the interface is gone"
					       : "xskb's XDP program is no longer on it");
			return true;
		}
	}
	return false;
}

int main(int argc, char **argv)
{
	struct proxy *p = calloc(1, sizeof(*p));
	uint64_t t0, last, prev_b = 0, prev_c = 0;
	char lip[INET6_ADDRSTRLEN], bip[INET6_ADDRSTRLEN], sip[INET6_ADDRSTRLEN], mac[18];
	struct sigaction sa;
	bool gone = false;
	int err, ret = 1;

	if (!p) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	parse_opts(argc, argv, &p->o);
	p->family = p->o.listen.family;
	p->listen_ip = p->o.listen.ip;
	p->listen_port = p->o.listen.port;
	p->backend_ip = p->o.backend.ip;
	p->backend_port = p->o.backend.port;
	p->one_dev = !strcmp(p->o.listen.ifname, p->o.backend.ifname);
	if (p->o.netns && (err = xt_netns_enter(p->o.netns))) {
		fprintf(stderr, PROG ": cannot enter network namespace %s: %s\n", p->o.netns,
			strerror(-err));
		free(p);
		return 1;
	}
	if (flows_init(&p->flows, (uint32_t)(p->o.port_hi - p->o.port_lo + 1u))) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	p->now_ms = xt_now_ns() / 1000000;
	if (setup(p))
		goto out;	/* the library or setup() said why */
	if (!p->o.quiet) {
		mac_str(p->backend_mac, mac);
		fprintf(stderr, PROG ": %s:%u on %s -> %s:%u on %s (MAC %s) from %s ports %u-%u; "
			"%u queues, %s mode, %s; Ctrl-C to stop\n",
			addr_str(p->family, &p->listen_ip, lip), ntohs(p->listen_port),
			p->listen.ifname, addr_str(p->family, &p->backend_ip, bip),
			ntohs(p->backend_port), p->backend.ifname, mac,
			addr_str(p->family, &p->source_ip, sip), p->o.port_lo, p->o.port_hi, p->nr_q,
			xskb_bind_mode_str(xskb_queue__mode(p->q[0])),
			p->one_dev ? "one interface" : "one UMEM for both interfaces");
	}

	t0 = last = xt_now_ns();
	while (!stop_signal) {
		uint64_t now;

		usleep(10000);
		now = xt_now_ns();
		__atomic_store_n(&p->now_ms, now / 1000000, __ATOMIC_RELAXED);
		if (p->o.duration && (double)(now - t0) / 1e9 >= p->o.duration)
			break;
		if (now - last >= 1000000000ull) {
			flows_expire(&p->flows, now / 1000000, p->o.idle_timeout * 1000ull);
			if (!p->o.quiet)
				print_live(p, &prev_b, &prev_c, (double)(now - last) / 1e9);
			last = now;
			if ((gone = interface_gone(p)))
				break;
		} else if (xskb_napi__error(p->napi) == -ENODEV) {
			gone = interface_gone(p);
			break;
		}
	}
	xskb_napi__stop(p->napi, true);
	/* The loop has stopped: the counters are final, the flows only ours. */
	flows_expire(&p->flows, xt_now_ns() / 1000000, p->o.idle_timeout * 1000ull);
	if (p->o.json)
		print_json(p, (double)(xt_now_ns() - t0) / 1e9);
	else if (!p->o.quiet)
		print_live(p, &prev_b, &prev_c, (double)(xt_now_ns() - last) / 1e9);
	ret = gone ? 1 : 0;
out:
	if (teardown(p))
		ret = 1;	/* the library said what is left and how to remove it */
	flows_free(&p->flows);
	free(p);
	return ret;
}
