/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Compiler helpers shared by every xskb header: the export macro, branch hints,
 * cache-line constants and the small set of kernel types kernel code expects.
 */
#ifndef XSKB_COMPILER_H
#define XSKB_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

#ifdef __cplusplus
/* The headers' layout assertions, in C++ spelling. */
#ifndef _Static_assert
#define _Static_assert static_assert
#endif
extern "C" {
#endif

/* Symbols are hidden by default (-fvisibility=hidden); XSKB_API exports one. */
#if defined(XSKB_BUILDING_LIBRARY)
#define XSKB_API __attribute__((visibility("default")))
#else
#define XSKB_API
#endif

#define xskb_likely(x)		__builtin_expect(!!(x), 1)
#define xskb_unlikely(x)	__builtin_expect(!!(x), 0)
#define XSKB_NORETURN		__attribute__((noreturn))
#define XSKB_COLD		__attribute__((cold, noinline))
#define XSKB_ALWAYS_INLINE	inline __attribute__((always_inline))
#define XSKB_CACHELINE		64
#define XSKB_CACHE_ALIGNED	__attribute__((aligned(XSKB_CACHELINE)))
#define XSKB_ALIGN(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))

#define xskb_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/*
 * Extensible options, as libbpf's LIBBPF_OPTS: every options struct starts
 * with size_t sz and ends with size_t :0, so fields can be added without
 * breaking callers built against an older header. Unset fields are zero.
 *   XSKB_OPTS(xskb_umem_opts, o, .frame_count = 8192);
 */
#define XSKB_OPTS(TYPE, NAME, ...)						\
	struct TYPE NAME = ({							\
		memset(&NAME, 0, sizeof(struct TYPE));				\
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };	\
	})

/*
 * Kernel spellings. Kernel protocol code ports onto xskb unchanged, so the
 * kernel's basic types and hints exist under their kernel names unless the
 * includer opts out with XSKB_NO_KERNEL_NAMES. Each is guarded so another
 * compat header that defines the same name wins without a clash.
 */
#ifndef XSKB_NO_KERNEL_NAMES
#ifndef XSKB_HAVE_KERNEL_TYPES
#define XSKB_HAVE_KERNEL_TYPES
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
#endif
#ifndef likely
#define likely(x)	xskb_likely(x)
#endif
#ifndef unlikely
#define unlikely(x)	xskb_unlikely(x)
#endif
#ifndef container_of
#define container_of(ptr, type, member) xskb_container_of(ptr, type, member)
#endif
#ifndef SMP_CACHE_BYTES
#define SMP_CACHE_BYTES XSKB_CACHELINE
#endif
#ifndef L1_CACHE_BYTES
#define L1_CACHE_BYTES XSKB_CACHELINE
#endif
#endif /* XSKB_NO_KERNEL_NAMES */

#ifdef __cplusplus
}
#endif
#endif /* XSKB_COMPILER_H */
