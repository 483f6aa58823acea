/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xskb's XDP program: claims packets matching the active rule set in
 * xskb_rules (or all of them) and redirects them to the AF_XDP socket of
 * their RX queue; everything else, and queues without a socket, get XDP_PASS.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>

#include "xskb_xdp.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XSKB_XDP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* Two generations; xskb_cfg.active says which one is in use (xskb_xdp.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xskb_xdp_ruleset);
} xskb_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xskb_xdp_cfg);
} xskb_cfg SEC(".maps");

/* libxdp dispatcher: run early, and let the next program see what we pass. */
struct {
	__uint(priority, 20);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(xskb_redirect);

struct flow {
	__u16 ethertype;	/* host order, after one VLAN tag */
	__u8 proto;
	__u8 has_ports;
	__u16 sport, dport;	/* host order */
	__u32 saddr, daddr;	/* IPv4, or the low words of IPv6 */
};

/* Parse the headers in the first buffer only (multi-buffer safe). */
static __always_inline void parse(struct xdp_md *ctx, struct flow *f)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3, *l4;
	__u16 proto;

	if ((void *)(eth + 1) > end)
		return;
	proto = bpf_ntohs(eth->h_proto);
	l3 = eth + 1;
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
		__be16 *inner = l3 + 2;

		if ((void *)(inner + 1) > end)
			return;
		proto = bpf_ntohs(*inner);
		l3 += 4;
	}
	f->ethertype = proto;
	if (proto == ETH_P_IP) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return;
		f->proto = ip->protocol;
		f->saddr = ip->saddr;
		f->daddr = ip->daddr;
		if (ip->frag_off & bpf_htons(0x1fff))	/* not the first fragment */
			return;
		l4 = l3 + ip->ihl * 4;
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > end)
			return;
		f->proto = ip6->nexthdr;
		f->saddr = ip6->saddr.in6_u.u6_addr32[3];
		f->daddr = ip6->daddr.in6_u.u6_addr32[3];
		l4 = ip6 + 1;
	} else {
		return;
	}
	if (f->proto == IPPROTO_UDP || f->proto == IPPROTO_TCP) {
		__be16 *ports = l4;

		if ((void *)(ports + 2) > end)
			return;
		f->sport = bpf_ntohs(ports[0]);
		f->dport = bpf_ntohs(ports[1]);
		f->has_ports = 1;
	}
}

static __always_inline int rule_match(const struct xskb_xdp_rule *r, const struct flow *f)
{
	if ((r->flags & XSKB_RULE_F_ETHERTYPE) && r->ethertype != f->ethertype)
		return 0;
	if ((r->flags & XSKB_RULE_F_PROTO) && r->ip_proto != f->proto)
		return 0;
	if ((r->flags & XSKB_RULE_F_DPORT) &&
	    (!f->has_ports || f->dport < r->dport_lo || f->dport > r->dport_hi))
		return 0;
	return 1;
}

/* A software flow hash over addresses, protocol and ports (murmur3 mixing). */
static __always_inline __u32 flow_hash(const struct flow *f)
{
	__u32 h = f->saddr * 0xcc9e2d51u;

	h ^= f->daddr * 0x1b873593u;
	h = (h << 13) | (h >> 19);
	h ^= ((__u32)f->sport << 16 | f->dport) * 0xcc9e2d51u;
	h ^= f->proto;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h ? h : 1;
}

SEC("xdp.frags")
int xskb_redirect(struct xdp_md *ctx)
{
	__u32 key = 0, queue = ctx->rx_queue_index, mark = 0, gen, flags, nr;
	struct xskb_xdp_cfg *cfg = bpf_map_lookup_elem(&xskb_cfg, &key);
	struct xskb_xdp_ruleset *rs;
	struct flow f = {};
	int claimed = 0;

	if (!cfg)
		return XDP_PASS;
	/* No socket on this queue: leave the packet to the kernel. */
	if (!bpf_map_lookup_elem(&xsks_map, &queue))
		return XDP_PASS;
	/* One load decides the generation; everything after reads that one,
	 * which the library does not write while a program may read it. */
	gen = *(volatile __u32 *)&cfg->active & 1;
	rs = bpf_map_lookup_elem(&xskb_rules, &gen);
	if (!rs)
		return XDP_PASS;
	flags = rs->flags;
	nr = rs->nr_rules;

	parse(ctx, &f);
	if (flags & XSKB_XDP_F_CLAIM_ALL) {
		claimed = 1;
	} else {
		for (__u32 i = 0; i < XSKB_XDP_MAX_RULES; i++) {
			if (i >= nr)
				break;
			if (rule_match(&rs->rule[i], &f)) {
				claimed = 1;
				mark = rs->rule[i].mark;
				break;
			}
		}
	}
	if (!claimed)
		return XDP_PASS;

	if (flags & XSKB_XDP_F_META &&
	    bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct xskb_xdp_meta)) == 0) {
		struct xskb_xdp_meta *meta = (void *)(long)ctx->data_meta;

		if ((void *)(meta + 1) <= (void *)(long)ctx->data) {
			meta->mark = mark;
			meta->flags = 0;
			meta->hash = 0;
			if (f.ethertype == ETH_P_IP || f.ethertype == ETH_P_IPV6) {
				meta->hash = flow_hash(&f);
				meta->flags = XSKB_META_F_HASH | XSKB_META_F_HASH_SW |
					      (f.has_ports ? XSKB_META_F_HASH_L4 : 0);
			}
			meta->magic = XSKB_META_MAGIC;
		}
	}
	return bpf_redirect_map(&xsks_map, queue, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
