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

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XSKB_XDP_MAX_FRAGS);
	__type(key, struct xskb_xdp_frag_key);
	__type(value, __u32);		/* the claiming rule's mark */
} xskb_frags SEC(".maps");

struct flow {
	__u16 ethertype;	/* host order, after one VLAN tag */
	__u8 proto;
	__u8 has_ports;
	__u16 sport, dport;	/* host order */
	__u8 frag;		/* part of a fragmented datagram */
	__u8 frag_first;	/* ... its first fragment (offset 0) */
	__u32 saddr, daddr;	/* IPv4, or the low words of IPv6: for the hash */
	struct xskb_xdp_frag_key key;
};

#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

/*
 * Packet pointers move by constant offsets only: a pointer plus a variable
 * (IHL, an extension header's length) is refused by the verifier to a
 * loader without CAP_PERFMON (its Spectre v1 sanitation), so headers at
 * such offsets are copied with bpf_xdp_load_bytes(), which also reads past
 * the first buffer of a multi-buffer packet. The usual packet (IPv4 without
 * options, IPv6 without extension headers) needs no helper call.
 */
static __always_inline void load_ports(struct xdp_md *ctx, void *l4, void *end, __u32 off,
				       int direct, struct flow *f)
{
	__be16 ports[2];

	if (f->proto != IPPROTO_UDP && f->proto != IPPROTO_TCP)
		return;
	if (direct) {
		if (l4 + 4 > end)
			return;
		__builtin_memcpy(ports, l4, 4);
	} else if (bpf_xdp_load_bytes(ctx, off, ports, 4)) {
		return;
	}
	f->sport = bpf_ntohs(ports[0]);
	f->dport = bpf_ntohs(ports[1]);
	f->has_ports = 1;
}

static __always_inline void parse_ipv4(struct xdp_md *ctx, void *l3, void *end, __u32 l3off,
				       struct flow *f)
{
	struct iphdr *ip = l3;
	__u16 frag_off;

	if ((void *)(ip + 1) > end || ip->ihl < 5)
		return;
	f->proto = ip->protocol;
	f->saddr = f->key.saddr[0] = ip->saddr;
	f->daddr = f->key.daddr[0] = ip->daddr;
	f->key.id = ip->id;
	f->key.proto = ip->protocol;
	f->key.family = 4;
	frag_off = bpf_ntohs(ip->frag_off);
	if (frag_off & (IP_MF | IP_OFFSET)) {
		f->frag = 1;
		f->frag_first = !(frag_off & IP_OFFSET);
		if (!f->frag_first)	/* no L4 header here */
			return;
	}
	load_ports(ctx, ip + 1, end, l3off + ip->ihl * 4, ip->ihl == 5, f);
}

struct ext_hdr {
	__u8 nexthdr;
	__u8 len;
	__be16 frag_off;	/* fragment header only: offset << 3 | M */
	__be32 id;		/* fragment header only */
};

static __always_inline void parse_ipv6(struct xdp_md *ctx, void *l3, void *end, __u32 l3off,
				       struct flow *f)
{
	struct ipv6hdr *ip6 = l3;
	__u32 off = l3off + sizeof(*ip6);
	__u8 nh;

	if ((void *)(ip6 + 1) > end)
		return;
	nh = ip6->nexthdr;
	__builtin_memcpy(f->key.saddr, &ip6->saddr, 16);
	__builtin_memcpy(f->key.daddr, &ip6->daddr, 16);
	f->saddr = ip6->saddr.in6_u.u6_addr32[3];
	f->daddr = ip6->daddr.in6_u.u6_addr32[3];
	f->key.family = 6;
	/* Hop-by-hop, routing, destination options, fragment and AH headers may
	 * precede the upper-layer header; walk a bounded number of them. */
	for (int i = 0; i < XSKB_XDP_MAX_EXTHDRS; i++) {
		struct ext_hdr h;

		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING && nh != IPPROTO_DSTOPTS &&
		    nh != IPPROTO_FRAGMENT && nh != IPPROTO_AH)
			break;
		if (bpf_xdp_load_bytes(ctx, off, &h, sizeof(h)))
			return;
		if (nh == IPPROTO_FRAGMENT) {
			__u16 fo = bpf_ntohs(h.frag_off);

			f->frag = 1;
			f->frag_first = !(fo & 0xfff8);
			f->key.id = h.id;
			f->key.proto = h.nexthdr;
			off += 8;
		} else if (nh == IPPROTO_AH) {
			off += ((__u32)h.len + 2) * 4;
		} else {
			off += ((__u32)h.len + 1) * 8;
		}
		nh = h.nexthdr;
		if (f->frag && !f->frag_first) {
			f->proto = nh;	/* no L4 header in a later fragment */
			return;
		}
	}
	f->proto = nh;
	load_ports(ctx, ip6 + 1, end, off, off == l3off + sizeof(*ip6), f);
}

/* Parse Ethernet, one VLAN tag, IPv4/IPv6 and the UDP/TCP ports. */
static __always_inline void parse(struct xdp_md *ctx, struct flow *f)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u16 proto;

	if ((void *)(eth + 1) > end)
		return;
	proto = bpf_ntohs(eth->h_proto);
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
		__be16 *inner = (void *)(eth + 1) + 2;

		if ((void *)(inner + 1) > end)
			return;
		f->ethertype = bpf_ntohs(*inner);
		if (f->ethertype == ETH_P_IP)
			parse_ipv4(ctx, (void *)(eth + 1) + 4, end, ETH_HLEN + 4, f);
		else if (f->ethertype == ETH_P_IPV6)
			parse_ipv6(ctx, (void *)(eth + 1) + 4, end, ETH_HLEN + 4, f);
		return;
	}
	f->ethertype = proto;
	if (proto == ETH_P_IP)
		parse_ipv4(ctx, eth + 1, end, ETH_HLEN, f);
	else if (proto == ETH_P_IPV6)
		parse_ipv6(ctx, eth + 1, end, ETH_HLEN, f);
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
		__u32 *fmark;

		/* A later fragment of a datagram whose first fragment was claimed. */
		if (f.frag && !f.frag_first && (fmark = bpf_map_lookup_elem(&xskb_frags, &f.key))) {
			claimed = 1;
			mark = *fmark;
		}
		for (__u32 i = 0; i < XSKB_XDP_MAX_RULES && !claimed; i++) {
			if (i >= nr)
				break;
			if (rule_match(&rs->rule[i], &f)) {
				claimed = 1;
				mark = rs->rule[i].mark;
			}
		}
		/* Remember the datagram, so that its other fragments follow. */
		if (claimed && f.frag && f.frag_first)
			bpf_map_update_elem(&xskb_frags, &f.key, &mark, BPF_ANY);
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
			if (f.key.family) {
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
