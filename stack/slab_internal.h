/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocator internals shared inside the library: cache and magazine layout,
 * and the inline magazine fast path the skb code uses for skb heads.
 */
#ifndef XSKB_SLAB_INTERNAL_H
#define XSKB_SLAB_INTERNAL_H

#include <pthread.h>
#include <xskb/slab.h>

#define XSKB_MAX_CACHES		256
#define XSKB_MAX_NODES		64
#define XSKB_TLS		__attribute__((tls_model("initial-exec")))

/* A thread's stack of free objects of one cache; objs[count - 1] is hottest. */
struct kmem_mag {
	unsigned int count;
	unsigned int cap;
	void *objs[];
};

/* Per-thread allocator state; registered so cache destroy can drain it. */
struct slab_thread {
	struct kmem_mag *mag[XSKB_MAX_CACHES];
	int node;
	struct slab_thread *next;
	struct slab_thread *prev;
};

struct slab;

/* One cache's slabs on one NUMA node. */
struct kmem_cache_node {
	pthread_mutex_t lock;
	struct slab *partial;		/* has free objects; empty slabs at the tail */
	struct slab *full;
	unsigned long nr_slabs;
	unsigned long nr_partial;
	unsigned long nr_empty;
	unsigned long nr_out;		/* objects out of slabs: callers + magazines */
};

struct kmem_cache {
	unsigned int id;		/* index into the thread's magazine table */
	unsigned int object_size;
	unsigned int stride;
	unsigned int align;
	unsigned int offset;		/* first object, from the chunk start */
	unsigned int fp_offset;		/* free pointer, from the object start */
	unsigned int objects;		/* per slab */
	unsigned int mag_cap;
	unsigned int flags;
	bool debug;			/* poisoning + ownership checks */
	bool kmalloc;
	unsigned int kmalloc_idx;	/* size class, for kmalloc caches */
	void (*ctor)(void *);
	unsigned long alloc_failures;
	bool warned;
	char name[32];
	struct kmem_cache_node node[];	/* xskb_slab_nr_nodes entries */
};

extern __thread struct slab_thread *xskb_slab_tl XSKB_TLS;
/* This thread's magazine of the hot cache (the skb head cache), reachable
 * without the thread state or the cache's id: two loads less per packet. */
extern __thread struct kmem_mag *xskb_slab_hot_mag XSKB_TLS;
/* Where xskb_slab_hot_mag points before the thread has a magazine (and after
 * it exits): empty and full at once, so both fast paths go out of line
 * without a NULL test. */
extern struct kmem_mag xskb_slab_no_mag;

/*
 * Fault injection (xskb_fault_inject(), XSKB_FAILSLAB). Off, it costs the
 * allocation fast paths one load of a read-mostly global and a branch that
 * is never taken; armed, those paths step aside so that every allocation
 * reaches xskb_failslab_check(), as every kernel allocation reaches
 * slab_pre_alloc_hook(). The hot magazine pop (xskb_slab_hot_pop()) is the
 * kernel's napi_skb_cache_get() and, like it, is never failed: its refill is.
 */
extern bool xskb_failslab_armed;

/* True when the allocation at @site (XSKB_FAULT_*) with @gfp must fail. */
bool xskb_failslab_check(unsigned int site, xskb_gfp_t gfp);

static XSKB_ALWAYS_INLINE bool xskb_failslab_on(void)
{
	return xskb_unlikely(__atomic_load_n(&xskb_failslab_armed, __ATOMIC_RELAXED));
}

/* For set-up allocations outside the slab (UMEM area, rings): call before
 * the allocation and fail it with -ENOMEM when this says so. */
static XSKB_ALWAYS_INLINE bool xskb_should_failslab(unsigned int site, xskb_gfp_t gfp)
{
	return xskb_failslab_on() && xskb_failslab_check(site, gfp);
}

/* Give @s a per-thread fast path (at most one cache: sk_buff heads). */
void xskb_slab_set_hot(struct kmem_cache *s);

/*
 * The hot cache's magazine pop/push, the kernel's napi_skb_cache_get/put:
 * a thread-local array, no cache lookup. NULL / false when the magazine is
 * empty / full or not yet created; the caller then goes out of line.
 */
static XSKB_ALWAYS_INLINE void *xskb_slab_hot_pop(void)
{
	struct kmem_mag *m = xskb_slab_hot_mag;

	if (xskb_likely(m->count))
		return m->objs[--m->count];
	return NULL;
}

static XSKB_ALWAYS_INLINE bool xskb_slab_hot_push(void *obj)
{
	struct kmem_mag *m = xskb_slab_hot_mag;

	if (xskb_likely(m->count < m->cap)) {
		m->objs[m->count++] = obj;
		return true;
	}
	return false;
}

/*
 * Inline magazine pop: what kmem_cache_alloc() does when the thread's
 * magazine has an object. Anything else (empty magazine, first use by this
 * thread, __GFP_ZERO, debug caches, fault injection armed) goes out of line.
 */
static XSKB_ALWAYS_INLINE void *xskb_slab_alloc_fast(struct kmem_cache *s, xskb_gfp_t gfp)
{
	struct slab_thread *t = xskb_slab_tl;
	struct kmem_mag *m;

	if (xskb_likely(t) && (m = t->mag[s->id]) != NULL && xskb_likely(m->count) &&
	    !(gfp & XSKB___GFP_ZERO) && !s->debug && !xskb_failslab_on())
		return m->objs[--m->count];
	return xskb_kmem_cache_alloc(s, gfp);
}

static XSKB_ALWAYS_INLINE void xskb_slab_free_fast(struct kmem_cache *s, void *obj)
{
	struct slab_thread *t = xskb_slab_tl;
	struct kmem_mag *m;

	if (xskb_likely(t) && (m = t->mag[s->id]) != NULL && xskb_likely(m->count < m->cap) &&
	    !s->debug) {
		m->objs[m->count++] = obj;
		return;
	}
	xskb_kmem_cache_free(s, obj);
}

#endif /* XSKB_SLAB_INTERNAL_H */
