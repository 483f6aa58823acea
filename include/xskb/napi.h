/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NAPI loop: one thread polls a set of queues with a budget, busy
 * polling while packets flow and sleeping in poll(2) when they stop, the way
 * the kernel's NAPI switches between polling and interrupts.
 *
 *   struct xskb_napi *n;
 *   XSKB_OPTS(xskb_napi_opts, no, .cpu = 2);
 *   xskb_napi__create(&n, &q, 1, &no);
 *   xskb_napi__start(n);             // own thread, pinned to CPU 2
 *   ...
 *   xskb_napi__stop(n, true);        // joins; or xskb_napi__run(n) in this thread
 *   xskb_napi__destroy(n);
 */
#ifndef XSKB_NAPI_H
#define XSKB_NAPI_H

#include <stdbool.h>
#include <xskb/compiler.h>
#include <xskb/xsk.h>

#ifdef __cplusplus
extern "C" {
#endif

struct xskb_napi;

/**
 * struct xskb_napi_opts - loop configuration; zero means default
 * @budget: packets per queue per poll (default NAPI_POLL_WEIGHT, 64)
 * @idle_usec: keep busy polling this long after the loop found no packet
 *             (measured from its 64th empty round) before
 *             sleeping (default 250000 µs); XSKB_NAPI_NEVER_SLEEP never
 *             sleeps. While asleep the fill ring is the only buffer: a
 *             wakeup on a busy or virtual machine can take longer than a
 *             full fill ring lasts at line rate, so this errs on the side of
 *             polling. (On the veth lab a "500 kpps" live-frame flood is a
 *             train of line-rate bursts 135-207 ms apart: with 50 ms the
 *             loop slept before every burst and lost frames waking up.)
 * @sleep_ms: longest sleep in poll(2) before re-checking (default 100); 1 ms
 *            while a fill ring is less than half full, so frames freed on
 *            other threads are posted; xskb_napi__stop() wakes it at once
 * @cpu: pin the thread xskb_napi__start() creates to this CPU; 0 means
 *       unpinned, so CPU n is given as n + 1 (XSKB_NAPI_CPU(n))
 */
struct xskb_napi_opts {
	size_t sz;
	int budget;
	unsigned int idle_usec;
	int sleep_ms;
	int cpu;
	size_t :0;
};
#define XSKB_NAPI_CPU(n) ((n) + 1)
#define XSKB_NAPI_NEVER_SLEEP (~0u)
#define XSKB_NAPI_DEFAULT_IDLE_USEC 250000u

struct xskb_napi_stats {
	__u64 rounds;		/* passes over every queue */
	__u64 busy_rounds;	/* rounds that found packets */
	__u64 sleeps;		/* switches to sleeping in poll(2) ("interrupt mode") */
	__u64 packets;
};

/**
 * xskb_napi__create - group queues under one polling loop
 * @queues: @nr queues (1..64), all polled by the loop's thread
 *
 * Returns 0, -EINVAL (no queues, a queue without handler, bad options) or
 * -ENOMEM.
 */
XSKB_API int xskb_napi__create(struct xskb_napi **napi, struct xskb_queue **queues,
			       unsigned int nr, const struct xskb_napi_opts *opts);

/** Run the loop in the calling thread until xskb_napi__stop() (a stop ends
 * one run: the loop may be run again). Returns 0 after a stop, -ENODEV when
 * a queue's interface went away (xskb_queue__poll() said so), -EALREADY if
 * the loop runs already, or -EBUSY at once if another thread polls one of
 * the queues' UMEMs. */
XSKB_API int xskb_napi__run(struct xskb_napi *napi);

/** Run the loop in a new thread (pinned when opts->cpu is set). Returns once
 * the thread owns its queues' UMEMs: 0, -EALREADY if running, -EINVAL for a
 * CPU that does not exist, -EBUSY if another thread polls one of the UMEMs
 * (the thread has then exited), or -errno. */
XSKB_API int xskb_napi__start(struct xskb_napi *napi);

/** Ask the loop to stop; waits for a thread xskb_napi__start() created.
 * Safe from signal handlers when the loop runs via xskb_napi__run() and
 * called there with @wait false. */
XSKB_API void xskb_napi__stop(struct xskb_napi *napi, bool wait);

/** Counters of the loop; safe from any thread while it runs. */
XSKB_API int xskb_napi__stats(const struct xskb_napi *napi, struct xskb_napi_stats *st);

/** Why the last run ended by itself: -ENODEV when an interface went away
 * (the thread xskb_napi__start() made has then exited), 0 otherwise. */
XSKB_API int xskb_napi__error(const struct xskb_napi *napi);

/** Stops the loop and frees it (the queues stay). Waits for a loop another
 * thread runs through xskb_napi__run() to return; called from a handler of
 * this loop, the loop stops and frees itself when the handler returns. */
XSKB_API void xskb_napi__destroy(struct xskb_napi *napi);

#ifdef __cplusplus
}
#endif
#endif /* XSKB_NAPI_H */
