/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Plumbing every part of the library uses: extensible options, counters one
 * thread writes and any thread reads, and the message printer (log.h).
 */
#ifndef XSKB_UTIL_H
#define XSKB_UTIL_H

#include <stddef.h>
#include <xskb/compiler.h>

#include "log.h"

/* Initial-exec TLS for every thread-local of the library (see slab_internal.h). */
#ifndef XSKB_TLS
#define XSKB_TLS		__attribute__((tls_model("initial-exec")))
#endif

/* A field of an extensible options struct, or @def when the caller's struct
 * is too old to have it (or the field is zero). */
#define XSKB_OPT(opts, field, def)						\
	(((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) +	\
			sizeof((opts)->field) && (opts)->field) ?		\
		 (opts)->field : (def))

int xskb_opts_check(const void *opts, size_t user_sz, size_t our_sz, const char *what);
#define XSKB_OPTS_CHECK(opts, what) \
	((opts) ? xskb_opts_check(opts, (opts)->sz, sizeof(*(opts)), what) : 0)

/* A counter only its polling thread writes and any thread may read
 * (xskb_queue__stats, xskb_napi__stats): a relaxed atomic store is a plain
 * store on every architecture we build for, and keeps readers race-free. */
#define XSKB_STAT_ADD(field, v) \
	__atomic_store_n(&(field), (field) + (v), __ATOMIC_RELAXED)

/* Copy @n such counters. */
static inline void xskb_stats_read(__u64 *dst, const __u64 *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

#endif /* XSKB_UTIL_H */
