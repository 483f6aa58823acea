/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A counting XDP program for the benchmarks, built from raw instructions (no
 * object file): counts packets and bytes in an array map, then returns
 * XDP_PASS or XDP_DROP. Attached in native mode it also enables veth NAPI,
 * which frames sent into a veth by XDP (live frames, redirect) need.
 */
#ifndef XSKB_BENCH_XDP_COUNT_H
#define XSKB_BENCH_XDP_COUNT_H

#include <stdbool.h>
#include <stdint.h>

struct xdp_count {
	int ifindex;
	int prog_fd, map_fd;
	bool attached;
};

/* Load and attach to @ifname (current namespace) in native mode, frags-aware
 * (MTU 9000 works), never replacing another program. @action: XDP_PASS or
 * XDP_DROP. On failure prints why (prefixed with @prog) and returns a
 * negative errno; xdp_count_detach() is safe either way. */
int xdp_count_attach(struct xdp_count *c, const char *ifname, int action, const char *prog);
/*
 * The same, with a prologue that first restores each frame to what the
 * live-frame generator sent: destination MAC @mac and, for IPv4, TTL @ttl
 * (checksum updated). Live frames (BPF_F_TEST_XDP_LIVE_FRAMES) live in a
 * page pool that is initialised once per run: a frame the kernel forwards
 * is rewritten in place (TTL, next hop's MACs) and goes back to that pool
 * as it is, so the generator would send the rewritten bytes next time round
 * and the receiver would drop them as addressed to another host.
 */
int xdp_count_attach_restore(struct xdp_count *c, const char *ifname, int action,
			     const uint8_t *mac, uint8_t ttl, const char *prog);
/* Packets and bytes (linear part only for multi-buffer frames) so far. */
int xdp_count_read(const struct xdp_count *c, uint64_t *packets, uint64_t *bytes);
/* Detach our program (only ours) and close everything. */
void xdp_count_detach(struct xdp_count *c, const char *prog);

#endif
