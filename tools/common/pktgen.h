/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Packet generation for the lab: frame templates (Ethernet/IPv4/UDP with
 * correct checksums, plus named malformed variants) and two engines:
 *  - XDP live frames: BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES on a
 *    two-instruction XDP_TX program sends a template N times out of an
 *    interface at multi-Mpps (frames up to one page: 3520 bytes on x86-64);
 *  - AF_PACKET: sendmmsg on a packet socket, for frames larger than a page
 *    (jumbo / multi-buffer tests), much slower.
 * The calling thread must already be in the sender's network namespace.
 */
#ifndef XSKB_TOOLS_PKTGEN_H
#define XSKB_TOOLS_PKTGEN_H

#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XT_PKT_MIN	60	/* Ethernet minimum without FCS */
#define XT_PKT_MAX	9014	/* MTU 9000 + Ethernet header */
#define XT_LIVE_MAX	3520	/* largest frame the live-frame engine can send */
#define XT_VLAN_ID	100	/* VLAN ID of XT_TPL_VLAN frames (priority 0) */
#define XT_GEN_BATCH_MAX 256	/* kernel limit for live frames (TEST_XDP_MAX_BATCH) */

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
 * start of the UDP payload, so receivers can check every byte.
 *
 * Per template: every IPv4 frame has IHL 5, TTL 64, DF, ID 0 and fills the
 * frame exactly (IP total length = size - L2 header) unless its defect says
 * otherwise. XT_TPL_TCP carries spec->seq as the TCP sequence number and the
 * byte pattern from the start of its payload. XT_TPL_ARP is a broadcast
 * who-has for dst_ip from src_mac/src_ip, zero-padded to size.
 * XT_TPL_BAD_UDP_LEN claims 64 bytes more than the IP payload and carries no
 * UDP checksum (0), so the length is its only defect; XT_TPL_TRUNC_IP claims
 * 64 bytes more than the frame holds (checksums computed as sent). */
int xt_pkt_build(const struct xt_pkt_spec *spec, uint8_t *buf, size_t buflen);
/* Offset of the big-endian sequence number in frames of @tpl, or -ENOENT for
 * templates without one (runt, ARP); -EINVAL for an unknown template. */
int xt_pkt_seq_offset(enum xt_template tpl);
/* Name <-> template ("udp", "runt", "bad-ip-csum", "bad-ihl", "trunc-ip",
 * "bad-udp-len", "arp", "tcp", "vlan"). xt_template_name returns NULL for an
 * unknown template; xt_template_parse returns -EINVAL for an unknown name. */
const char *xt_template_name(enum xt_template tpl);
int xt_template_parse(const char *name, enum xt_template *tpl);
/* Check a received UDP frame built by xt_pkt_build (plain or VLAN-tagged):
 * 0 if the headers are consistent, both checksums hold and every payload byte
 * matches, else -EBADMSG. *seq (may be NULL) gets the sequence number
 * whenever the frame is long enough to hold one, even on -EBADMSG, so a
 * receiver can say which frame was damaged. Trailing padding is allowed. */
int xt_pkt_verify(const uint8_t *frame, size_t len, uint32_t *seq);

enum xt_engine { XT_ENGINE_XDP, XT_ENGINE_PACKET };

/* Name <-> engine ("xdp", "packet"); NULL / -EINVAL for unknown ones. */
const char *xt_engine_name(enum xt_engine engine);
int xt_engine_parse(const char *name, enum xt_engine *engine);

struct xt_gen_config {
	enum xt_engine engine;
	int ifindex;			/* sending interface, in the current netns */
	uint64_t count;			/* frames to send (> 0) */
	uint64_t rate_pps;		/* 0 = as fast as possible */
	double max_seconds;		/* stop after this long even if count not reached; 0 = no limit */
	unsigned int batch;		/* frames per kernel call, 1..XT_GEN_BATCH_MAX; 0 = 64 */
	struct xt_pkt_spec pkt;
	bool vary_src_port;		/* XDP engine ignores this (one template) */
	/* Appended fields: zero keeps the behaviour above. */
	uint16_t src_port_hi;		/* vary_src_port cycles pkt.src_port..this; 0 = ..65535 */
	volatile sig_atomic_t *stop;	/* if set, stop soon after *stop becomes non-zero */
};

struct xt_gen_result {
	uint64_t sent;			/* frames handed to the kernel */
	uint64_t bytes;
	double seconds;
	double pps;
};

/* Send; returns 0 and fills @res, or a negative errno with *msg set to a
 * sentence (e.g. -EOPNOTSUPP: frame too large for the XDP engine). @res
 * holds what was sent before an error, too.
 *
 * The AF_PACKET engine writes pkt.seq + n into frame n (and cycles the source
 * port with vary_src_port), fixing the L4 checksum incrementally; frames the
 * kernel drops for lack of buffers are sent again, so @res->sent frames left
 * the socket. It fails with -ENOBUFS if no frame goes out for a second.
 * The XDP engine sends one template; with XDP_TX on a veth the peer needs an
 * XDP program attached, or the frames are dropped (and still counted here).
 * Each live-frame call of more than one frame costs the kernel two RCU grace
 * periods (~10 ms idle), so that engine sends in chunks of up to a second;
 * signals are blocked during a chunk so that no sent frame goes uncounted,
 * and *stop, max_seconds and signals take effect between chunks.
 *
 * Rate limiting sends single frames on schedule while one call per frame
 * takes at most half the frame interval (single live frames skip the grace
 * periods), else bursts (1 ms of frames, or ten times the per-call cost)
 * sent when the last of their frames is due, so no prefix of the run is
 * ahead of the rate. Thread-safe: every call has its own program and socket. */
int xt_gen_run(const struct xt_gen_config *cfg, struct xt_gen_result *res, const char **msg);

#endif
