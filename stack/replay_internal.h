/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The replay queue's internals for the benchmark's bare loop, the tests and
 * the fuzzer (replay.c).
 */
#ifndef XSKB_REPLAY_INTERNAL_H
#define XSKB_REPLAY_INTERNAL_H

#include <xskb/replay.h>

#include "queue.h"

/* Produce RX descriptors from the fill ring, as the kernel would (the
 * queue's ops->produce). */
unsigned int xskb_replay_produce(struct xskb_queue *q);
/*
 * Test and fuzzing entry points: the replay "kernel" stops producing from its
 * templates, and the caller plays the kernel. xskb_replay_take_fill() consumes
 * up to @n fill-ring addresses (returns how many); xskb_replay_inject() writes
 * @n raw descriptors to the RX ring, any address, length or options (returns
 * how many fit).
 */
unsigned int xskb_replay_take_fill(struct xskb_queue *q, __u64 *addrs, unsigned int n);
unsigned int xskb_replay_inject(struct xskb_queue *q, const struct xdp_desc *descs, unsigned int n);
/* Write @n raw addresses to the completion ring (returns how many fit). */
unsigned int xskb_replay_inject_comp(struct xskb_queue *q, const __u64 *addrs, unsigned int n);

#endif /* XSKB_REPLAY_INTERNAL_H */
