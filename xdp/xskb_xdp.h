/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The ABI between xskb_redirect.bpf.c and the library: map value layouts and
 * the metadata the program writes in front of a packet.
 */
#ifndef XSKB_XDP_H
#define XSKB_XDP_H

#include <linux/types.h>

#define XSKB_XDP_MAX_QUEUES	256	/* xsks_map entries (rx queue ids) */
#define XSKB_XDP_MAX_RULES	16
#define XSKB_XDP_MAX_FRAGS	4096	/* xskb_frags entries: datagrams being fragmented */
#define XSKB_XDP_MAX_EXTHDRS	8	/* IPv6 extension headers walked before giving up */

/* struct xskb_xdp_rule.flags */
#define XSKB_RULE_F_ETHERTYPE	0x01	/* match ethertype (after one VLAN tag) */
#define XSKB_RULE_F_PROTO	0x02	/* match IPv4 protocol / IPv6 next header */
#define XSKB_RULE_F_DPORT	0x04	/* match UDP/TCP destination port range */

/* One claim rule; a packet is claimed when every field flagged matches. */
struct xskb_xdp_rule {
	__u16 ethertype;	/* host order */
	__u8 ip_proto;
	__u8 flags;
	__u16 dport_lo;		/* host order, inclusive */
	__u16 dport_hi;
	__u32 mark;		/* written to the metadata when this rule claims */
};

/* struct xskb_xdp_ruleset.flags */
#define XSKB_XDP_F_META		0x01	/* write struct xskb_xdp_meta before the packet */
#define XSKB_XDP_F_CLAIM_ALL	0x02	/* no rules: claim every packet */

/*
 * xskb_rules[0] and [1]: two generations of the whole rule set. The library
 * writes the one the program does not use, then switches xskb_cfg.active
 * with one map update, so a packet sees either the old rule set or the new
 * one, never a mix; before it writes a generation again it waits until no
 * program can still be reading it (an RCU grace period).
 */
struct xskb_xdp_ruleset {
	__u32 nr_rules;
	__u32 flags;
	struct xskb_xdp_rule rule[XSKB_XDP_MAX_RULES];
};

/*
 * xskb_cfg[0]. The program reads only @active, with one 32-bit load; a
 * switch changes its lowest byte alone, so even a bytewise map update cannot
 * show the program a torn value. The rest is the library's: the owner
 * fields name the process that attached the program, so that a later
 * xskb_dev__open() can tell a program whose process died (kill -9) from one
 * in use (xskb_dev__detach()).
 */
struct xskb_xdp_cfg {
	__u32 active;		/* xskb_rules generation in use: 0 or 1 */
	__u32 switches;		/* generation switches so far */
	__u32 owner_pid;	/* getpid() of the process that attached it */
	__u32 reserved;
	__u64 owner_start;	/* its start time: /proc/PID/stat field 22 */
	__u64 owner_pidns;	/* inode of its pid namespace (/proc/self/ns/pid) */
};

/*
 * xskb_frags (LRU hash): a fragmented datagram whose first fragment a rule
 * claimed, so that its later fragments (which carry no ports) are claimed
 * too. IPv4 addresses sit in addr[0], the rest zero.
 */
struct xskb_xdp_frag_key {
	__u32 saddr[4];
	__u32 daddr[4];
	__u32 id;		/* IPv4 identification or IPv6 fragment identification */
	__u8 proto;		/* upper-layer protocol */
	__u8 family;		/* 4 or 6 */
	__u16 pad;
};

/* XDP metadata (bpf_xdp_adjust_meta), immediately in front of the packet. */
#define XSKB_META_MAGIC		0x78736b62u	/* "xskb" */
#define XSKB_META_F_HASH	0x01	/* hash is valid */
#define XSKB_META_F_HASH_L4	0x02	/* hash covers ports (skb->l4_hash) */
#define XSKB_META_F_HASH_SW	0x04	/* computed by the program, not the NIC */

struct xskb_xdp_meta {
	__u32 mark;
	__u32 hash;
	__u32 flags;
	__u32 magic;		/* last: adjacent to the packet data */
};

#endif
