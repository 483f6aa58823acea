/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Packet generation for the lab: frame templates (Ethernet/IPv4/UDP with
 * correct checksums, plus named malformed variants) and two engines:
 *  - XDP live frames: BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES on a
 *    one-instruction XDP_TX program sends a template N times out of an
 *    interface at multi-Mpps (frames up to one page: 3520 bytes on x86-64);
 *  - AF_PACKET: sendmmsg on a packet socket, for frames larger than a page
 *    (jumbo / multi-buffer tests), much slower.
 * The calling thread must already be in the sender's network namespace.
 */
#ifndef XSKB_TOOLS_PKTGEN_H
#define XSKB_TOOLS_PKTGEN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XT_PKT_MIN	60	/* Ethernet minimum without FCS */
#define XT_PKT_MAX	9014	/* MTU 9000 + Ethernet header */
#define XT_LIVE_MAX	3520	/* largest frame the live-frame engine can send */

enum xt_template {
	XT_TPL_UDP = 0,		/* valid Ethernet/IPv4/UDP */
	XT_TPL_RUNT,		/* 20-byte frame: shorter than an Ethernet+IP header */
	XT_TPL_BAD_IP_CSUM,	/* IPv4 header checksum wrong */
	XT_TPL_BAD_IHL,		/* IPv4 IHL < 5 */
	XT_TPL_TRUNC_IP,	/* IPv4 total length larger than the frame */
	XT_TPL_BAD_UDP_LEN,	/* UDP length larger than the IP payload */
	XT_TPL_ARP,		/* an ARP request (should be left to the kernel) */
	XT_TPL_TCP,		/* valid IPv4/TCP SYN (protocol filter tests) */
	XT_TPL_VLAN,		/* 802.1Q tagged IPv4/UDP */
	XT_TPL_MAX,
};

struct xt_pkt_spec {
	enum xt_template tpl;
	unsigned int size;		/* frame bytes without FCS, XT_PKT_MIN..XT_PKT_MAX */
	uint8_t src_mac[6], dst_mac[6];
	struct in_addr src_ip, dst_ip;
	uint16_t src_port, dst_port;	/* host order */
	uint32_t seq;			/* written big-endian at the start of the UDP payload */
};

/* Build the frame into @buf (at least spec->size bytes; XT_TPL_RUNT writes
 * 20). Returns the frame length or -EINVAL. Payload after the 4-byte
 * sequence number is the byte pattern (i * 7 + 3) & 0xff, i counted from the
 * start of the UDP payload, so receivers can check every byte. */
int xt_pkt_build(const struct xt_pkt_spec *spec, uint8_t *buf, size_t buflen);
/* Name <-> template ("udp", "runt", "bad-ip-csum", "bad-ihl", "trunc-ip",
 * "bad-udp-len", "arp", "tcp", "vlan"). */
const char *xt_template_name(enum xt_template tpl);
int xt_template_parse(const char *name, enum xt_template *tpl);
/* Check a received UDP frame built by xt_pkt_build: 0 if every payload byte
 * matches, else -EBADMSG. *seq gets the sequence number. */
int xt_pkt_verify(const uint8_t *frame, size_t len, uint32_t *seq);

enum xt_engine { XT_ENGINE_XDP, XT_ENGINE_PACKET };

struct xt_gen_config {
	enum xt_engine engine;
	int ifindex;			/* sending interface, in the current netns */
	uint64_t count;			/* frames to send (> 0) */
	uint64_t rate_pps;		/* 0 = as fast as possible */
	double max_seconds;		/* stop after this long even if count not reached; 0 = no limit */
	unsigned int batch;		/* live-frame batch_size (default 64) */
	struct xt_pkt_spec pkt;
	bool vary_src_port;		/* XDP engine ignores this (one template) */
};

struct xt_gen_result {
	uint64_t sent;			/* frames handed to the kernel */
	uint64_t bytes;
	double seconds;
	double pps;
};

/* Send; returns 0 and fills @res, or a negative errno with *msg set to a
 * sentence (e.g. -EOPNOTSUPP: frame too large for the XDP engine). */
int xt_gen_run(const struct xt_gen_config *cfg, struct xt_gen_result *res, const char **msg);

#endif
