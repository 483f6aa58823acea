/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kmem_cache and kmalloc for userspace: the allocator behind every sk_buff.
 * Kernel names and GFP semantics; exports carry the xskb_ prefix.
 *
 * Model (see docs/architecture.md, "Allocator"):
 *  - Slabs are 1 MiB chunks, aligned to 1 MiB, mapped on a NUMA node. The
 *    chunk starts with its struct slab header, so object -> slab is a mask.
 *  - Each thread keeps a magazine of free objects per cache. Allocation and
 *    free touch only the magazine; refills and flushes move objects in bulk
 *    under the cache's per-node lock. Frees from any thread are correct.
 *  - Free chunks wait in a per-node pool, mapped and pre-faulted ahead of
 *    demand, kept between watermarks by a background refiller
 *    ("xskb-kswapd") and by GFP_KERNEL callers. When atomic demand reaches
 *    the emergency reserve the watermarks are boosted (doubling, up to 1/32
 *    of memory) and the boost decays after quiet seconds. GFP_ATOMIC never makes a
 *    blocking system call: magazine, partial slabs, then the pool down to
 *    empty; NULL only when all three are exhausted.
 *  - kmalloc has kernel size classes from 8 B to 128 KiB
 *    (KMALLOC_MAX_CACHE_SIZE); larger requests are mmap()ed directly and need
 *    GFP_KERNEL.
 */
#ifndef XSKB_SLAB_H
#define XSKB_SLAB_H

#include <stdbool.h>
#include <stdio.h>
#include <xskb/compiler.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- GFP flags ---------------------------------------------------------- */

typedef unsigned int xskb_gfp_t;

#define XSKB___GFP_DIRECT_RECLAIM 0x01u /* may block: map new memory */
#define XSKB___GFP_KSWAPD_RECLAIM 0x02u /* may wake the background refiller */
#define XSKB___GFP_HIGH           0x04u /* may drain the pool below its min watermark */
#define XSKB___GFP_ZERO           0x08u /* zero the object */
#define XSKB___GFP_NOWARN         0x10u /* no message on failure */

#define XSKB_GFP_KERNEL (XSKB___GFP_DIRECT_RECLAIM | XSKB___GFP_KSWAPD_RECLAIM)
#define XSKB_GFP_ATOMIC (XSKB___GFP_HIGH | XSKB___GFP_KSWAPD_RECLAIM)
#define XSKB_GFP_NOWAIT (XSKB___GFP_KSWAPD_RECLAIM)

#define XSKB_NUMA_NO_NODE (-1)

/* ---- kmem_cache --------------------------------------------------------- */

#define XSKB_SLAB_HWCACHE_ALIGN 0x01u /* align objects to the cache line */
#define XSKB_SLAB_POISON        0x02u /* poison free objects even in release builds */
#define XSKB_SLAB_PANIC         0x04u /* abort if creation fails */

#define XSKB_SLAB_CHUNK_SHIFT   20
#define XSKB_SLAB_CHUNK_SIZE    (1ul << XSKB_SLAB_CHUNK_SHIFT)
#define XSKB_SLAB_MAX_OBJECT    (XSKB_SLAB_CHUNK_SIZE / 8) /* largest kmem_cache object */
#define XSKB_KMALLOC_MIN_SIZE   8u
#define XSKB_KMALLOC_MAX_CACHE_SIZE (128u * 1024u)
#define XSKB_ZERO_SIZE_PTR      ((void *)16)
#define XSKB_ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)XSKB_ZERO_SIZE_PTR)

struct kmem_cache;

/**
 * xskb_kmem_cache_create - create a cache of fixed-size objects
 * @name: shown in statistics; copied
 * @size: object size, 1 .. XSKB_SLAB_MAX_OBJECT bytes
 * @align: minimum alignment (power of two, 0 = 8), raised to the cache line
 *         by XSKB_SLAB_HWCACHE_ALIGN
 * @flags: XSKB_SLAB_*
 * @ctor: called once on each object when its slab is populated, never again:
 *        objects must be returned to the cache in constructed state
 *
 * Process context only (maps memory). Returns the cache, or NULL with errno
 * set (EINVAL for a bad size/alignment/flag, ENOMEM, also when the allocator
 * itself cannot be set up, ENOSPC when the cache table is full); with
 * XSKB_SLAB_PANIC failure aborts instead, as the kernel panics.
 */
XSKB_API struct kmem_cache *xskb_kmem_cache_create(const char *name, unsigned int size,
						   unsigned int align, unsigned int flags,
						   void (*ctor)(void *));

/**
 * xskb_kmem_cache_destroy - destroy a cache
 *
 * Objects in any thread's magazine are reclaimed first. Returns 0, or -EBUSY
 * (with a message naming the cache and the count) when objects are still
 * allocated: the cache is then left intact, as the kernel does. NULL is a no-op.
 */
XSKB_API int xskb_kmem_cache_destroy(struct kmem_cache *s);

/**
 * xskb_kmem_cache_alloc_node - allocate one object
 * @node: NUMA node, or XSKB_NUMA_NO_NODE for the calling thread's node
 *
 * Returns the object, or NULL when the GFP mode forbids getting more memory
 * (or the system is out of it, or the allocator cannot be set up: the first
 * allocation sets it up, and a failed set-up is undone and tried again by
 * the next one). Lock-free on the thread's own node while its
 * magazine has objects.
 */
XSKB_API void *xskb_kmem_cache_alloc_node(struct kmem_cache *s, xskb_gfp_t gfp, int node);
XSKB_API void *xskb_kmem_cache_alloc(struct kmem_cache *s, xskb_gfp_t gfp);
/** xskb_kmem_cache_free - return an object; any thread may free. NULL is a no-op. */
XSKB_API void xskb_kmem_cache_free(struct kmem_cache *s, void *obj);
/** Allocate @nr objects into @p: returns @nr, or 0 (nothing allocated). */
XSKB_API int xskb_kmem_cache_alloc_bulk(struct kmem_cache *s, xskb_gfp_t gfp, size_t nr, void **p);
XSKB_API void xskb_kmem_cache_free_bulk(struct kmem_cache *s, size_t nr, void **p);
/** Object size as given at creation. */
XSKB_API unsigned int xskb_kmem_cache_size(const struct kmem_cache *s);
XSKB_API const char *xskb_kmem_cache_name(const struct kmem_cache *s);

/* ---- kmalloc ------------------------------------------------------------ */

/**
 * xskb_kmalloc_node - allocate @size bytes
 *
 * Sizes up to XSKB_KMALLOC_MAX_CACHE_SIZE come from size-class caches
 * (8, 16, 32, 64, 96, 128, 192, 256, 512 ... 128 KiB), aligned to 8 bytes and
 * naturally aligned for power-of-two sizes. Larger sizes are mapped directly
 * (page aligned) and need __GFP_DIRECT_RECLAIM (GFP_KERNEL). Size 0 returns
 * XSKB_ZERO_SIZE_PTR, which kfree() accepts.
 */
XSKB_API void *xskb_kmalloc_node(size_t size, xskb_gfp_t gfp, int node);
XSKB_API void *xskb_kmalloc(size_t size, xskb_gfp_t gfp);
/**
 * xskb_kfree - free memory from kmalloc() or kmem_cache_alloc()
 *
 * NULL and XSKB_ZERO_SIZE_PTR are no-ops. A pointer the allocator never
 * handed out aborts with a message (always for pointers outside any chunk;
 * debug builds also catch interior pointers and double frees).
 */
XSKB_API void xskb_kfree(const void *p);
/** Usable size of an allocation: its size class, or the mapped size. */
XSKB_API size_t xskb_ksize(const void *p);
/** The size kmalloc(@size) really allocates; 0 for 0. */
XSKB_API size_t xskb_kmalloc_size_roundup(size_t size);

/**
 * xskb_kvmalloc_node - allocate memory that need not come from a slab
 * @gfp: __GFP_ZERO zeroes it; the rest matters only to fault injection
 * @node: a hint, ignored
 *
 * The kernel's kvmalloc() for set-up arrays (tables, rings): here the C
 * library heap (the kernel's vmalloc() fallback), so it costs no slab
 * chunk and stays visible to valgrind. It fails under fault injection
 * (XSKB_FAULT_SLAB) like kmalloc(). Size 0 returns XSKB_ZERO_SIZE_PTR.
 * Returns NULL on failure. Free with xskb_kvfree().
 */
XSKB_API void *xskb_kvmalloc_node(size_t size, xskb_gfp_t gfp, int node);
/** xskb_kvfree - free kvmalloc() or kmalloc() memory; NULL is a no-op. */
XSKB_API void xskb_kvfree(const void *p);

/* ---- reserve, statistics ------------------------------------------------ */

/**
 * struct xskb_slab_reserve - free-chunk pool watermarks of one NUMA node
 * @min_chunks: only __GFP_HIGH (GFP_ATOMIC) may take the pool below this
 * @low_chunks: below this the refiller is woken / GFP_KERNEL refills
 * @high_chunks: the refiller fills to this and trims chunks above it
 * @background_refill: run the xskb-kswapd refiller thread
 */
struct xskb_slab_reserve {
	unsigned int min_chunks;
	unsigned int low_chunks;
	unsigned int high_chunks;
	bool background_refill;
};

/**
 * xskb_slab_set_reserve - set a node's pool watermarks (tests, tuning)
 * @node: a node, or XSKB_NUMA_NO_NODE for every node
 *
 * Process context: fills or trims the pool to @high_chunks before returning.
 * Returns 0, or -EINVAL unless min <= low <= high <= 4096 and @node exists.
 */
XSKB_API int xskb_slab_set_reserve(int node, const struct xskb_slab_reserve *r);
XSKB_API int xskb_slab_get_reserve(int node, struct xskb_slab_reserve *r);

struct xskb_slab_stats {
	unsigned int object_size;	/* as created */
	unsigned int stride;		/* bytes between objects */
	unsigned int align;
	unsigned int objects_per_slab;
	unsigned long slabs;		/* chunks owned by the cache, all nodes */
	unsigned long slabs_partial;
	unsigned long slabs_full;
	unsigned long objects_in_use;	/* held by callers */
	unsigned long objects_cached;	/* in per-thread magazines */
	unsigned long alloc_failures;
};

/** Snapshot of a cache's counters. Returns 0 or -EINVAL for a NULL cache. */
XSKB_API int xskb_kmem_cache_stats(struct kmem_cache *s, struct xskb_slab_stats *st);

struct xskb_slab_pool_stats {
	unsigned long free_chunks;	/* in the pool now */
	unsigned long mapped_chunks;	/* mapped for slabs (pool + caches) */
	unsigned long large_mappings;	/* live kmalloc() allocations above 128 KiB */
	unsigned long refills;		/* background refiller runs */
	unsigned long boost;		/* chunks added to low/high after atomic pressure */
};
XSKB_API int xskb_slab_pool_stats(int node, struct xskb_slab_pool_stats *st);

/** Print a /proc/slabinfo-like table of every cache to @f. */
XSKB_API void xskb_slabinfo(FILE *f);

/** Release every node's free pool chunks to the OS (process context). */
XSKB_API void xskb_slab_shrink(void);

/* ---- fault injection (the kernel's failslab) ---------------------------- */

#define XSKB_FAULT_SLAB 0x1u /* kmem_cache_alloc(), kmalloc() up to 128 KiB, cache creation */
#define XSKB_FAULT_PAGE 0x2u /* memory mapped for the caller: slab chunks, the allocator's
			      * chunk map, kmalloc() above 128 KiB */

/**
 * struct xskb_fault_opts - which allocations xskb_fault_inject() fails
 * @sz: sizeof(struct xskb_fault_opts); use XSKB_OPTS()
 * @rate: percent (0..100) of eligible calls that fail, drawn from a
 *        deterministic PRNG: the same @seed fails the same calls
 * @nth: fail the @nth eligible call after @after (1 = the first), once
 * @after: the first @after eligible calls never fail
 * @times: fail at most this many calls (0: no limit)
 * @seed: the PRNG seed for @rate (0: a fixed default)
 * @sites: XSKB_FAULT_* mask of the allocations that may fail (0: all)
 * @atomic_only: only allocations that may not sleep (no
 *               __GFP_DIRECT_RECLAIM), like the kernel's failslab with
 *               ignore-gfp-wait
 *
 * An eligible call is an allocation at one of @sites that @atomic_only does
 * not exclude, made by any thread except the background refiller. Failures
 * look like real ones: NULL, counted in the cache's alloc_failures, one
 * message per cache. The per-packet pop from a thread's sk_buff head cache
 * (the kernel's napi_skb_cache_get()) is not an allocation: its refill is.
 */
struct xskb_fault_opts {
	size_t sz;
	unsigned int rate;
	unsigned long nth;
	unsigned long after;
	unsigned long times;
	unsigned long long seed;
	unsigned int sites;
	bool atomic_only;
	size_t :0;
};

/**
 * xskb_fault_inject - fail allocations on purpose (tests, hardening)
 * @opts: what to fail; NULL, or neither @rate nor @nth: stop failing
 *
 * Replaces the previous setting (and the XSKB_FAILSLAB environment variable,
 * which the first allocation reads once: "rate=P,seed=S,nth=N,after=A,
 * times=T,sites=slab|page|all,atomic=0|1", e.g. XSKB_FAILSLAB=rate=10,seed=1)
 * and zeroes the counters. Off, the allocation fast paths pay one
 * never-taken branch; on, every eligible call takes a lock. Any thread.
 * Returns 0, or -EINVAL for a rate above 100, unknown sites or an options
 * struct with unknown non-zero fields.
 */
XSKB_API int xskb_fault_inject(const struct xskb_fault_opts *opts);

/** Counters since the last xskb_fault_inject() (or XSKB_FAILSLAB). */
struct xskb_fault_stats {
	unsigned long calls;		/* eligible calls seen */
	unsigned long injected;		/* of those, failed on purpose */
};

/** Copy the counters to @st. Returns 0, or -EINVAL for a NULL @st. */
XSKB_API int xskb_fault_stats(struct xskb_fault_stats *st);

/* ---- kernel names ------------------------------------------------------- */
#ifndef XSKB_NO_KERNEL_NAMES
typedef xskb_gfp_t gfp_t;
typedef unsigned int slab_flags_t;

#define __GFP_DIRECT_RECLAIM	XSKB___GFP_DIRECT_RECLAIM
#define __GFP_KSWAPD_RECLAIM	XSKB___GFP_KSWAPD_RECLAIM
#define __GFP_RECLAIM		(XSKB___GFP_DIRECT_RECLAIM | XSKB___GFP_KSWAPD_RECLAIM)
#define __GFP_HIGH		XSKB___GFP_HIGH
#define __GFP_ZERO		XSKB___GFP_ZERO
#define __GFP_NOWARN		XSKB___GFP_NOWARN
#define __GFP_NOMEMALLOC	0u
#define __GFP_MEMALLOC		0u
#define GFP_KERNEL		XSKB_GFP_KERNEL
#define GFP_ATOMIC		XSKB_GFP_ATOMIC
#define GFP_NOWAIT		XSKB_GFP_NOWAIT
#define GFP_DMA			0u
#define NUMA_NO_NODE		XSKB_NUMA_NO_NODE

#define SLAB_HWCACHE_ALIGN	XSKB_SLAB_HWCACHE_ALIGN
#define SLAB_POISON		XSKB_SLAB_POISON
#define SLAB_PANIC		XSKB_SLAB_PANIC
#define KMALLOC_MIN_SIZE	XSKB_KMALLOC_MIN_SIZE
#define KMALLOC_MAX_CACHE_SIZE	XSKB_KMALLOC_MAX_CACHE_SIZE
#define ZERO_SIZE_PTR		XSKB_ZERO_SIZE_PTR
#define ZERO_OR_NULL_PTR(x)	XSKB_ZERO_OR_NULL_PTR(x)

static inline struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
						   unsigned int align, slab_flags_t flags,
						   void (*ctor)(void *))
{
	return xskb_kmem_cache_create(name, size, align, flags, ctor);
}
static inline void kmem_cache_destroy(struct kmem_cache *s)
{
	(void)xskb_kmem_cache_destroy(s);
}
static inline void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return xskb_kmem_cache_alloc(s, gfp);
}
static inline void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int node)
{
	return xskb_kmem_cache_alloc_node(s, gfp, node);
}
static inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return xskb_kmem_cache_alloc(s, gfp | __GFP_ZERO);
}
static inline void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	xskb_kmem_cache_free(s, obj);
}
static inline int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t nr, void **p)
{
	return xskb_kmem_cache_alloc_bulk(s, gfp, nr, p);
}
static inline void kmem_cache_free_bulk(struct kmem_cache *s, size_t nr, void **p)
{
	xskb_kmem_cache_free_bulk(s, nr, p);
}
static inline unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return xskb_kmem_cache_size(s);
}
static inline void *kmalloc(size_t size, gfp_t gfp)
{
	return xskb_kmalloc(size, gfp);
}
static inline void *kmalloc_node(size_t size, gfp_t gfp, int node)
{
	return xskb_kmalloc_node(size, gfp, node);
}
static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return xskb_kmalloc(size, gfp | __GFP_ZERO);
}
static inline void *kzalloc_node(size_t size, gfp_t gfp, int node)
{
	return xskb_kmalloc_node(size, gfp | __GFP_ZERO, node);
}
static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return xskb_kmalloc(bytes, gfp);
}
static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}
static inline void kfree(const void *p)
{
	xskb_kfree(p);
}
static inline size_t ksize(const void *p)
{
	return xskb_ksize(p);
}
static inline size_t kmalloc_size_roundup(size_t size)
{
	return xskb_kmalloc_size_roundup(size);
}
static inline void *kvmalloc_node(size_t size, gfp_t gfp, int node)
{
	return xskb_kvmalloc_node(size, gfp, node);
}
static inline void *kvmalloc(size_t size, gfp_t gfp)
{
	return xskb_kvmalloc_node(size, gfp, NUMA_NO_NODE);
}
static inline void *kvzalloc(size_t size, gfp_t gfp)
{
	return xskb_kvmalloc_node(size, gfp | __GFP_ZERO, NUMA_NO_NODE);
}
static inline void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return xskb_kvmalloc_node(bytes, gfp, NUMA_NO_NODE);
}
static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kvmalloc_array(n, size, gfp | __GFP_ZERO);
}
static inline void kvfree(const void *p)
{
	xskb_kvfree(p);
}
#endif /* XSKB_NO_KERNEL_NAMES */

#ifdef __cplusplus
}
#endif
#endif /* XSKB_SLAB_H */
