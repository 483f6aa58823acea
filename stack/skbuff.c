/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk_buff allocation, sharing, copying and freeing with the kernel's
 * semantics (net/core/skbuff.c), on top of the xskb slab allocator.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xskb/skbuff.h>
#include "skbuff_internal.h"
#include "slab_internal.h"
#include "umem_internal.h"

#define PAGE_FRAG_CACHE_MAX_SIZE 32768u
#define PAGE_FRAG_REF_OFFSET	(PAGE_FRAG_CACHE_MAX_SIZE - XSKB_CACHELINE)
#define PAGE_FRAG_BIAS		(PAGE_FRAG_CACHE_MAX_SIZE + 1)
#define SKB_SMALL_FRAG		1024u
#define MAX_PAGE_ORDER		5	/* 128 KiB: the largest kmalloc class */
#define SKB_ZERO_BYTES		sizeof(struct sk_buff)	/* up to the end of cb */

_Static_assert(offsetof(struct sk_buff, cb) + sizeof(((struct sk_buff *)0)->cb) ==
		       sizeof(struct sk_buff),
	       "cb ends struct sk_buff: __build_skb_around zeroes the whole struct");

/* An alloc_pages() page: its memory is a kmalloc() object of
 * XSKB_PAGE_SIZE << order bytes, naturally aligned; hnext chains the
 * address hash virt_to_head_page() searches. */
struct kpage {
	struct page page;
	struct kpage *hnext;
};

struct kmem_cache *xskb_skbuff_head_cache;
static struct kmem_cache *skbuff_fclone_cache;
static struct kmem_cache *page_cache;
static pthread_mutex_t skb_init_lock = PTHREAD_MUTEX_INITIALIZER;
static int skb_inited;

/*
 * The skb caches, made on first use. A failure (no memory, fault injection)
 * is reported and undone, and the next call tries again: set-up returns
 * -ENOMEM, allocations return NULL, nothing aborts.
 */
int xskb_skb_init_once(void)
{
	struct kmem_cache *head, *fclone = NULL, *pages = NULL;
	int err = 0;

	if (xskb_likely(__atomic_load_n(&skb_inited, __ATOMIC_ACQUIRE)))
		return 0;
	pthread_mutex_lock(&skb_init_lock);
	if (skb_inited)
		goto out;
	head = xskb_kmem_cache_create("skbuff_head_cache", sizeof(struct sk_buff), 0,
				      XSKB_SLAB_HWCACHE_ALIGN, NULL);
	if (head)
		fclone = xskb_kmem_cache_create("skbuff_fclone_cache",
						sizeof(struct sk_buff_fclones), 0,
						XSKB_SLAB_HWCACHE_ALIGN, NULL);
	if (fclone)
		pages = xskb_kmem_cache_create("xskb_page", sizeof(struct kpage), 0,
					       XSKB_SLAB_HWCACHE_ALIGN, NULL);
	if (!pages) {
		if (fclone)
			xskb_kmem_cache_destroy(fclone);
		if (head)
			xskb_kmem_cache_destroy(head);
		pr_warn("cannot create the sk_buff caches: %s\n", strerror(ENOMEM));
		err = -ENOMEM;
		goto out;
	}
	skbuff_fclone_cache = fclone;
	page_cache = pages;
	xskb_skbuff_head_cache = head;
	xskb_slab_set_hot(head);
	__atomic_store_n(&skb_inited, 1, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&skb_init_lock);
	return err;
}

/* The caches exist (made now if need be). */
static inline bool skb_ready(void)
{
	return xskb_likely(__atomic_load_n(&skb_inited, __ATOMIC_ACQUIRE)) ||
	       !xskb_skb_init_once();
}

struct kmem_cache *xskb_skbuff_cache(void)
{
	return skb_ready() ? xskb_skbuff_head_cache : NULL;
}

struct kmem_cache *xskb_skbuff_fclone_cache(void)
{
	return skb_ready() ? skbuff_fclone_cache : NULL;
}

/* ---- page fragments -----------------------------------------------------------
 * A 32 KiB kmalloc chunk (naturally aligned) carved from the top down; its last
 * cache line holds the reference count. The owner pre-charges a large bias so
 * carving costs no atomic; frees decrement, the last one frees the chunk.
 */
struct page_frag_cache {
	unsigned char *va;
	unsigned int offset;
	unsigned int pagecnt_bias;
};

/* Per-thread receive allocation state (the kernel's per-CPU napi_alloc_cache). */
struct napi_alloc_cache {
	struct page_frag_cache page;
	struct page_frag_cache page_small;
	struct page_frag_cache netdev;
};

static __thread struct napi_alloc_cache *napi_tl XSKB_TLS;
static pthread_key_t napi_key;
static pthread_once_t napi_key_once = PTHREAD_ONCE_INIT;

static inline xskb_atomic_t *frag_ref(void *chunk)
{
	return (xskb_atomic_t *)(void *)((unsigned char *)chunk + PAGE_FRAG_REF_OFFSET);
}

static void *page_frag_alloc(struct page_frag_cache *nc, unsigned int fragsz, xskb_gfp_t gfp)
{
	unsigned int offset;

	if (xskb_unlikely(fragsz > PAGE_FRAG_REF_OFFSET))
		return NULL;
	if (xskb_unlikely(!nc->va)) {
refill:
		nc->va = xskb_kmalloc(PAGE_FRAG_CACHE_MAX_SIZE, gfp);
		if (!nc->va)
			return NULL;
		xskb_atomic_set(frag_ref(nc->va), PAGE_FRAG_BIAS);
		nc->pagecnt_bias = PAGE_FRAG_BIAS;
		nc->offset = PAGE_FRAG_REF_OFFSET;
	}
	if (xskb_unlikely(nc->offset < fragsz)) {
		/* Chunk used up: drop the unused bias. If every fragment came
		 * back already, reuse the chunk in place. */
		if (xskb_atomic_sub_return((int)nc->pagecnt_bias, frag_ref(nc->va)))
			goto refill;
		xskb_atomic_set(frag_ref(nc->va), PAGE_FRAG_BIAS);
		nc->pagecnt_bias = PAGE_FRAG_BIAS;
		nc->offset = PAGE_FRAG_REF_OFFSET;
	}
	offset = (nc->offset - fragsz) & ~(XSKB_CACHELINE - 1u);
	nc->offset = offset;
	nc->pagecnt_bias--;
	return nc->va + offset;
}

static void page_frag_drain(struct page_frag_cache *nc)
{
	if (nc->va && !xskb_atomic_sub_return((int)nc->pagecnt_bias, frag_ref(nc->va)))
		xskb_kfree(nc->va);
	nc->va = NULL;
}

void xskb_skb_free_frag(void *addr)
{
	void *chunk = (void *)((unsigned long)addr & ~(unsigned long)(PAGE_FRAG_CACHE_MAX_SIZE - 1));

	if (xskb_atomic_dec_and_test(frag_ref(chunk)))
		xskb_kfree(chunk);
}

static void napi_cache_exit(void *arg)
{
	struct napi_alloc_cache *nc = arg;

	page_frag_drain(&nc->page);
	page_frag_drain(&nc->page_small);
	page_frag_drain(&nc->netdev);
	napi_tl = NULL;
	free(nc);
}

static void napi_key_init(void)
{
	pthread_key_create(&napi_key, napi_cache_exit);
}

static struct napi_alloc_cache *napi_cache(void)
{
	struct napi_alloc_cache *nc = napi_tl;

	if (xskb_likely(nc))
		return nc;
	pthread_once(&napi_key_once, napi_key_init);
	nc = calloc(1, sizeof(*nc));
	if (nc) {
		pthread_setspecific(napi_key, nc);
		napi_tl = nc;
	}
	return nc;
}

/* ---- building ------------------------------------------------------------------ */

void *xskb_kmalloc_reserve(unsigned int *size, xskb_gfp_t gfp, int node, bool *pfmemalloc)
{
	size_t obj_size;

	if (pfmemalloc)
		*pfmemalloc = false;
	if (*size > (1u << 30))
		return NULL;
	obj_size = xskb_kmalloc_size_roundup(XSKB_SKB_HEAD_ALIGN(*size));
	*size = (unsigned int)obj_size;
	return xskb_kmalloc_node(obj_size, gfp, node);
}

struct sk_buff *xskb_napi_skb_cache_get(void)
{
	struct sk_buff *skb = xskb_slab_hot_pop();

	if (xskb_likely(skb))
		return skb;
	if (!skb_ready())
		return NULL;
	return xskb_kmem_cache_alloc(xskb_skbuff_head_cache, XSKB_GFP_ATOMIC);
}

/* A head carved from this thread's page-fragment caches (napi/netdev alloc). */
static struct sk_buff *build_frag_skb(struct sk_buff *skb, void *data, unsigned int size)
{
	if (xskb_unlikely(!skb))
		return NULL;
	xskb__build_skb_around(skb, data, size);
	skb->head_frag = 1;
	return skb;
}

static XSKB_NORETURN void head_bug(const void *head, unsigned int size, const char *what)
{
	fprintf(stderr, "xskb: BUG: %s (head:%p size:%u)\n", what, head, size);
	fflush(stderr);
	abort();
}

/* A head in alloc_pages() memory holds one page reference, as the kernel's
 * skb_free_frag() gives back with put_page(virt_to_head_page(head)). */
static void page_head_free(struct xskb_head_owner *owner, unsigned char *head)
{
	struct page *page = xskb_virt_to_head_page(head);

	(void)owner;
	if (xskb_unlikely(!page))
		head_bug(head, 0, "skb_free_head: the page under a build_skb() head is gone");
	xskb_put_page(page);
}

/* A head in memory xskb does not know, whose owner was never named. */
static void foreign_head_free(struct xskb_head_owner *owner, unsigned char *head)
{
	(void)owner;
	head_bug(head, 0, "skb_free_head: build_skb() head is neither kmalloc() nor alloc_pages() "
			  "memory and has no head_owner: set skb->head_owner after build_skb()");
}

static struct xskb_head_owner page_head_owner = { .free_head = page_head_free };
static struct xskb_head_owner foreign_head_owner = { .free_head = foreign_head_free };

struct sk_buff *xskb_build_skb_around(struct sk_buff *skb, void *data, unsigned int frag_size)
{
	struct page *page;

	if (xskb_unlikely(!skb))
		return NULL;
	if (!frag_size) {
		/* kmalloc()ed: the whole object, freed with kfree() */
		xskb__build_skb_around(skb, data, (unsigned int)xskb_ksize(data));
		return skb;
	}
	if (xskb_unlikely(frag_size < XSKB_SKB_SHINFO_SIZE))
		head_bug(data, frag_size, "build_skb: frag_size smaller than skb_shared_info");
	page = xskb_virt_to_head_page(data);
	if (page && (unsigned char *)data + frag_size >
		    (unsigned char *)page->address + (XSKB_PAGE_SIZE << page->order))
		head_bug(data, frag_size, "build_skb: frag_size runs past the end of the page");
	xskb__build_skb_around(skb, data, frag_size);
	skb->head_frag = 1;
	/* Never guessed: a page is put, anything else needs its owner named. */
	skb->head_owner = page ? &page_head_owner : &foreign_head_owner;
	return skb;
}

struct sk_buff *xskb_build_skb(void *data, unsigned int frag_size)
{
	if (!skb_ready())
		return NULL;
	return xskb_build_skb_around(xskb_slab_alloc_fast(xskb_skbuff_head_cache, XSKB_GFP_ATOMIC),
				     data, frag_size);
}

struct sk_buff *xskb_napi_build_skb(void *data, unsigned int frag_size)
{
	return xskb_build_skb_around(xskb_napi_skb_cache_get(), data, frag_size);
}

struct sk_buff *xskb__alloc_skb(unsigned int size, xskb_gfp_t gfp, int flags, int node)
{
	struct kmem_cache *cache;
	struct sk_buff *skb;
	bool pfmemalloc;
	void *data;

	if (!skb_ready())
		return NULL;
	cache = (flags & XSKB_SKB_ALLOC_FCLONE) ? skbuff_fclone_cache : xskb_skbuff_head_cache;
	if ((flags & (XSKB_SKB_ALLOC_FCLONE | XSKB_SKB_ALLOC_NAPI)) == XSKB_SKB_ALLOC_NAPI &&
	    node == XSKB_NUMA_NO_NODE)
		skb = xskb_slab_alloc_fast(cache, gfp);
	else
		skb = xskb_kmem_cache_alloc_node(cache, gfp, node);
	if (xskb_unlikely(!skb))
		return NULL;

	/* kmalloc_size_roundup() may give more room than asked for: the
	 * shared info goes exactly at the end so all of it can be filled. */
	data = xskb_kmalloc_reserve(&size, gfp, node, &pfmemalloc);
	if (xskb_unlikely(!data)) {
		xskb_kmem_cache_free(cache, skb);
		return NULL;
	}
	xskb__build_skb_around(skb, data, size);
	skb->pfmemalloc = pfmemalloc;
	if (flags & XSKB_SKB_ALLOC_FCLONE) {
		struct sk_buff_fclones *fclones = xskb_container_of(skb, struct sk_buff_fclones, skb1);

		skb->fclone = XSKB_SKB_FCLONE_ORIG;
		xskb_refcount_set(&fclones->fclone_ref, 1);
	}
	return skb;
}

struct sk_buff *xskb__napi_alloc_skb(struct napi_struct *napi, unsigned int len, xskb_gfp_t gfp)
{
	struct napi_alloc_cache *nc;
	struct sk_buff *skb;
	void *data;

	len += XSKB_NET_SKB_PAD + XSKB_NET_IP_ALIGN;
	/* Too big for a fragment, or the caller may sleep: kmalloc the head. */
	if (len > XSKB_SKB_WITH_OVERHEAD(XSKB_PAGE_SIZE) || (gfp & XSKB___GFP_DIRECT_RECLAIM)) {
		skb = xskb__alloc_skb(len, gfp, XSKB_SKB_ALLOC_RX | XSKB_SKB_ALLOC_NAPI,
				      XSKB_NUMA_NO_NODE);
		if (!skb)
			return NULL;
		goto skb_success;
	}
	nc = napi_cache();
	if (!nc)
		return NULL;
	if (len <= XSKB_SKB_WITH_OVERHEAD(SKB_SMALL_FRAG)) {
		/* Small packets share 1 KiB fragments, as the kernel's page_small. */
		len = SKB_SMALL_FRAG;
		data = page_frag_alloc(&nc->page_small, len, gfp);
	} else {
		len = XSKB_SKB_HEAD_ALIGN(len);
		data = page_frag_alloc(&nc->page, len, gfp);
	}
	if (xskb_unlikely(!data))
		return NULL;
	skb = build_frag_skb(xskb_napi_skb_cache_get(), data, len);
	if (xskb_unlikely(!skb)) {
		xskb_skb_free_frag(data);
		return NULL;
	}
skb_success:
	xskb_skb_reserve(skb, XSKB_NET_SKB_PAD + XSKB_NET_IP_ALIGN);
	skb->dev = napi ? napi->dev : NULL;
	return skb;
}

struct sk_buff *xskb__netdev_alloc_skb(struct net_device *dev, unsigned int len, xskb_gfp_t gfp)
{
	struct napi_alloc_cache *nc;
	struct sk_buff *skb;
	void *data;

	len += XSKB_NET_SKB_PAD;
	if (len > XSKB_SKB_WITH_OVERHEAD(XSKB_PAGE_SIZE) || (gfp & XSKB___GFP_DIRECT_RECLAIM)) {
		skb = xskb__alloc_skb(len, gfp, XSKB_SKB_ALLOC_RX, XSKB_NUMA_NO_NODE);
		if (!skb)
			return NULL;
		goto skb_success;
	}
	nc = napi_cache();
	if (!nc)
		return NULL;
	len = XSKB_SKB_HEAD_ALIGN(len);
	data = page_frag_alloc(&nc->netdev, len, gfp);
	if (xskb_unlikely(!data))
		return NULL;
	skb = build_frag_skb(xskb_slab_alloc_fast(xskb_skbuff_head_cache, XSKB_GFP_ATOMIC), data, len);
	if (xskb_unlikely(!skb)) {
		xskb_skb_free_frag(data);
		return NULL;
	}
skb_success:
	xskb_skb_reserve(skb, XSKB_NET_SKB_PAD);
	skb->dev = dev;
	return skb;
}

/* ---- freeing -------------------------------------------------------------------- */

/* A UMEM frame goes back to its UMEM: a direct call, no indirect one. */
static XSKB_ALWAYS_INLINE void skb_free_xsk_frame(struct sk_buff *skb)
{
	struct xskb_umem *u = xskb_container_of(skb->head_owner, struct xskb_umem, head_owner);

	xskb_umem_recycle(u, xskb_frame_index(u, skb->head));
}

static void skb_free_head(struct sk_buff *skb)
{
	unsigned char *head = skb->head;

	if (skb->xsk_frame)
		skb_free_xsk_frame(skb);
	else if (skb->head_owner)
		skb->head_owner->free_head(skb->head_owner, head);
	else if (skb->head_frag)
		xskb_skb_free_frag(head);
	else
		xskb_kfree(head);
}

/* Drop this skb's reference to its data; the last one frees frags and head. */
static void skb_release_data(struct sk_buff *skb, enum skb_drop_reason reason)
{
	struct skb_shared_info *shinfo = xskb_skb_shinfo(skb);

	if (skb->cloned &&
	    xskb_atomic_sub_return(skb->nohdr ? (1 << XSKB_SKB_DATAREF_SHIFT) + 1 : 1,
				   &shinfo->dataref))
		return;
	for (int i = 0; i < shinfo->nr_frags; i++)
		xskb_put_page(shinfo->frags[i].page);
	if (shinfo->frag_list)
		xskb_kfree_skb_list_reason(shinfo->frag_list, reason);
	skb_free_head(skb);
}

static void kfree_skbmem(struct sk_buff *skb)
{
	struct sk_buff_fclones *fclones;

	switch (skb->fclone) {
	case XSKB_SKB_FCLONE_UNAVAILABLE:
		if (!xskb_slab_hot_push(skb))
			xskb_kmem_cache_free(xskb_skbuff_head_cache, skb);
		return;
	case XSKB_SKB_FCLONE_ORIG:
		fclones = xskb_container_of(skb, struct sk_buff_fclones, skb1);
		/* The clone was never used: no atomic needed. */
		if (xskb_refcount_read(&fclones->fclone_ref) == 1)
			goto fastpath;
		break;
	default:
		fclones = xskb_container_of(skb, struct sk_buff_fclones, skb2);
		break;
	}
	if (!xskb_refcount_dec_and_test(&fclones->fclone_ref))
		return;
fastpath:
	xskb_kmem_cache_free(skbuff_fclone_cache, fclones);
}

static void skb_release_all(struct sk_buff *skb, enum skb_drop_reason reason)
{
	if (skb->destructor)
		skb->destructor(skb);
	if (xskb_likely(skb->head))
		skb_release_data(skb, reason);
}

/* Drop one user; true when the caller holds the last one. */
static inline bool skb_unref(struct sk_buff *skb)
{
	if (xskb_unlikely(!skb))
		return false;
	if (xskb_likely(xskb_refcount_read(&skb->users) == 1)) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return true;
	}
	return xskb_refcount_dec_and_test(&skb->users);
}

static struct {
	xskb_drop_hook_t hook;
	void *arg;
	unsigned long count[SKB_DROP_REASON_MAX];
} drops;

void xskb_set_drop_hook(xskb_drop_hook_t hook, void *arg)
{
	__atomic_store_n(&drops.arg, arg, __ATOMIC_RELAXED);
	__atomic_store_n(&drops.hook, hook, __ATOMIC_RELEASE);
}

unsigned long xskb_skb_drop_count(enum skb_drop_reason reason)
{
	if ((unsigned int)reason >= SKB_DROP_REASON_MAX)
		return 0;
	return __atomic_load_n(&drops.count[reason], __ATOMIC_RELAXED);
}

const char *xskb_drop_reason_str(enum skb_drop_reason reason)
{
	static const char *const names[SKB_DROP_REASON_MAX] = {
		[SKB_NOT_DROPPED_YET] = "NOT_DROPPED_YET",
		[SKB_CONSUMED] = "CONSUMED",
		[SKB_DROP_REASON_NOT_SPECIFIED] = "NOT_SPECIFIED",
		[SKB_DROP_REASON_NO_SOCKET] = "NO_SOCKET",
		[SKB_DROP_REASON_PKT_TOO_SMALL] = "PKT_TOO_SMALL",
		[SKB_DROP_REASON_PKT_TOO_BIG] = "PKT_TOO_BIG",
		[SKB_DROP_REASON_HDR_TRUNC] = "HDR_TRUNC",
		[SKB_DROP_REASON_INVALID_PROTO] = "INVALID_PROTO",
		[SKB_DROP_REASON_UNHANDLED_PROTO] = "UNHANDLED_PROTO",
		[SKB_DROP_REASON_IP_CSUM] = "IP_CSUM",
		[SKB_DROP_REASON_IP_INHDR] = "IP_INHDR",
		[SKB_DROP_REASON_IP_NOPROTO] = "IP_NOPROTO",
		[SKB_DROP_REASON_UDP_CSUM] = "UDP_CSUM",
		[SKB_DROP_REASON_TCP_CSUM] = "TCP_CSUM",
		[SKB_DROP_REASON_OTHERHOST] = "OTHERHOST",
		[SKB_DROP_REASON_SOCKET_RCVBUFF] = "SOCKET_RCVBUFF",
		[SKB_DROP_REASON_PROTO_MEM] = "PROTO_MEM",
		[SKB_DROP_REASON_FULL_RING] = "FULL_RING",
		[SKB_DROP_REASON_NOMEM] = "NOMEM",
		[SKB_DROP_REASON_QUEUE_PURGE] = "QUEUE_PURGE",
		[SKB_DROP_REASON_DEV_READY] = "DEV_READY",
		[SKB_DROP_REASON_XDP] = "XDP",
		[SKB_DROP_REASON_QDISC_DROP] = "QDISC_DROP",
	};

	if ((unsigned int)reason >= SKB_DROP_REASON_MAX || !names[reason])
		return "UNKNOWN";
	return names[reason];
}

static XSKB_COLD void skb_account_drop(struct sk_buff *skb, enum skb_drop_reason reason)
{
	xskb_drop_hook_t hook;

	if ((unsigned int)reason >= SKB_DROP_REASON_MAX || reason == SKB_NOT_DROPPED_YET)
		reason = SKB_DROP_REASON_NOT_SPECIFIED;
	__atomic_fetch_add(&drops.count[reason], 1, __ATOMIC_RELAXED);
	hook = __atomic_load_n(&drops.hook, __ATOMIC_ACQUIRE);
	if (hook)
		hook(skb, reason, __atomic_load_n(&drops.arg, __ATOMIC_RELAXED));
}

/*
 * The receive path's common case: the only reference to a private (no
 * clone, no fclone, no destructor) frame-backed skb without fragments. Its
 * frame goes back to the UMEM and the skb to this thread's head cache: what
 * skb_release_all() + kfree_skbmem() do for it, minus the checks that cannot
 * fire. The flag bits are tested as one 16-bit word against constants.
 */
static __attribute__((noinline)) void kfree_skb_slow(struct sk_buff *skb, enum skb_drop_reason reason)
{
	if (!skb_unref(skb))
		return;
	if (reason != SKB_CONSUMED)
		skb_account_drop(skb, reason);
	skb_release_all(skb, reason);
	kfree_skbmem(skb);
}

/*
 * The fast path makes no call at all, so the compiler can keep it in
 * scratch registers (a call anywhere in the function, even a tail call, makes
 * GCC save callee-saved registers on every path). It returns false for
 * anything it does not handle; the caller then tail-calls the slow path.
 */
static XSKB_ALWAYS_INLINE bool consume_xsk_fast(struct sk_buff *skb)
{
	const struct skb_shared_info *sh;
	struct xskb_umem *u;

	if (xskb_unlikely(!skb || xskb_refcount_read(&skb->users) != 1 ||
			  (xskb_skb_flag_word(skb) & xskb_xsk_fast_mask()) != xskb_xsk_fast_val() || skb->destructor))
		return false;
	sh = xskb_skb_shinfo(skb);
	if (xskb_unlikely(sh->nr_frags || sh->frag_list))
		return false;
	u = xskb_container_of(skb->head_owner, struct xskb_umem, head_owner);
	if (xskb_unlikely(!xskb_umem_owned(u)))
		return false;
	if (xskb_unlikely(!xskb_slab_hot_push(skb)))
		return false;
	/* The skb is in the cache now, but nothing has reused it yet. */
	xskb_umem_free_held(u, xskb_frame_index(u, skb->head));
	return true;
}

/*
 * Free an skb whose data someone else took over (the transmit path gives its
 * frame to the kernel): the destructor runs and the sk_buff goes back to its
 * cache, the head and frags are left alone. The caller checked that nobody
 * else references the skb or its data.
 */
void xskb_skb_free_detached(struct sk_buff *skb)
{
	if (skb->destructor)
		skb->destructor(skb);
	kfree_skbmem(skb);
}

static __attribute__((noinline)) void consume_slow(struct sk_buff *skb)
{
	kfree_skb_slow(skb, SKB_CONSUMED);
}

void xskb_kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason)
{
	if (reason == SKB_CONSUMED && consume_xsk_fast(skb))
		return;
	kfree_skb_slow(skb, reason);
}

void xskb_consume_skb(struct sk_buff *skb)
{
	if (!consume_xsk_fast(skb))
		consume_slow(skb);
}

void xskb_napi_consume_skb(struct sk_buff *skb, int budget)
{
	(void)budget;	/* heads always go back to this thread's cache */
	if (!consume_xsk_fast(skb))
		consume_slow(skb);
}

void xskb_kfree_skb_list_reason(struct sk_buff *segs, enum skb_drop_reason reason)
{
	while (segs) {
		struct sk_buff *next = segs->next;

		xskb_kfree_skb_reason(segs, reason);
		segs = next;
	}
}

/* ---- clone and copy --------------------------------------------------------------- */

static struct sk_buff *__skb_clone(struct sk_buff *n, struct sk_buff *skb)
{
	unsigned int fclone = n->fclone;

	memcpy(n, skb, sizeof(*n));
	n->next = n->prev = NULL;
	n->fclone = fclone;
	n->hdr_len = skb->nohdr ? (__u16)xskb_skb_headroom(skb) : skb->hdr_len;
	n->cloned = 1;
	n->nohdr = 0;
	n->destructor = NULL;
	xskb_refcount_set(&n->users, 1);
	xskb_atomic_inc(&xskb_skb_shinfo(skb)->dataref);
	skb->cloned = 1;
	return n;
}

struct sk_buff *xskb_skb_clone(struct sk_buff *skb, xskb_gfp_t gfp)
{
	struct sk_buff_fclones *fclones = xskb_container_of(skb, struct sk_buff_fclones, skb1);
	struct sk_buff *n;

	if (skb->fclone == XSKB_SKB_FCLONE_ORIG && xskb_refcount_read(&fclones->fclone_ref) == 1) {
		n = &fclones->skb2;
		xskb_refcount_set(&fclones->fclone_ref, 2);
		n->fclone = XSKB_SKB_FCLONE_CLONE;
	} else {
		n = xskb_slab_alloc_fast(xskb_skbuff_head_cache, gfp);
		if (!n)
			return NULL;
		n->fclone = XSKB_SKB_FCLONE_UNAVAILABLE;
	}
	return __skb_clone(n, skb);
}

static void skb_headers_offset_update(struct sk_buff *skb, int off)
{
	if (xskb_skb_transport_header_was_set(skb))
		skb->transport_header += off;
	skb->network_header += off;
	if (xskb_skb_mac_header_was_set(skb))
		skb->mac_header += off;
	if (skb->ip_summed == XSKB_CHECKSUM_PARTIAL)
		skb->csum_start += off;		/* from head, like the header offsets */
}

/* Metadata a copy inherits (kernel __copy_skb_header + gso fields). */
static void skb_copy_header(struct sk_buff *n, const struct sk_buff *old)
{
	struct skb_shared_info *ns = xskb_skb_shinfo(n);
	const struct skb_shared_info *os = xskb_skb_shinfo(old);

	n->dev = old->dev;
	n->protocol = old->protocol;
	n->mac_header = old->mac_header;
	n->network_header = old->network_header;
	n->transport_header = old->transport_header;
	n->mark = old->mark;
	n->hash = old->hash;
	n->priority = old->priority;
	n->queue_mapping = old->queue_mapping;
	n->mac_len = old->mac_len;
	n->l4_hash = old->l4_hash;
	n->sw_hash = old->sw_hash;
	n->pkt_type = old->pkt_type;
	n->ip_summed = old->ip_summed;
	n->csum_valid = old->csum_valid;
	n->csum_complete_sw = old->csum_complete_sw;
	n->vlan_tci = old->vlan_tci;
	n->vlan_proto = old->vlan_proto;
	n->tstamp = old->tstamp;
	n->skb_iif = old->skb_iif;
	n->csum = old->csum;
	memcpy(n->cb, old->cb, sizeof(n->cb));
	ns->gso_size = os->gso_size;
	ns->gso_segs = os->gso_segs;
	ns->gso_type = os->gso_type;
	ns->meta_len = os->meta_len;
}

struct sk_buff *xskb_skb_copy(const struct sk_buff *skb, xskb_gfp_t gfp)
{
	int headerlen = (int)xskb_skb_headroom(skb);
	unsigned int size = xskb_skb_end_offset(skb) + skb->data_len;
	struct sk_buff *n = xskb__alloc_skb(size, gfp, 0, XSKB_NUMA_NO_NODE);

	if (!n)
		return NULL;
	xskb_skb_reserve(n, headerlen);
	xskb_skb_put(n, skb->len);
	if (xskb_skb_copy_bits(skb, -headerlen, n->head, headerlen + (int)skb->len))
		xskb_skb_bug(skb, "skb_copy: skb_copy_bits failed");
	skb_copy_header(n, skb);
	return n;
}

static void skb_clone_fraglist(struct sk_buff *skb)
{
	for (struct sk_buff *list = xskb_skb_shinfo(skb)->frag_list; list; list = list->next)
		xskb_skb_get(list);
}

struct sk_buff *xskb_pskb_copy(struct sk_buff *skb, xskb_gfp_t gfp)
{
	unsigned int headroom = xskb_skb_headroom(skb);
	struct sk_buff *n = xskb__alloc_skb(xskb_skb_headlen(skb) + headroom, gfp, 0,
					    XSKB_NUMA_NO_NODE);
	struct skb_shared_info *ns, *os = xskb_skb_shinfo(skb);

	if (!n)
		return NULL;
	xskb_skb_reserve(n, (int)headroom);
	xskb_skb_put(n, xskb_skb_headlen(skb));
	memcpy(n->data, skb->data, xskb_skb_headlen(skb));
	n->truesize += skb->data_len;
	n->data_len = skb->data_len;
	n->len = skb->len;
	ns = xskb_skb_shinfo(n);
	for (int i = 0; i < os->nr_frags; i++) {
		ns->frags[i] = os->frags[i];
		xskb_skb_frag_ref(skb, i);
	}
	ns->nr_frags = os->nr_frags;
	if (os->frag_list) {
		ns->frag_list = os->frag_list;
		skb_clone_fraglist(n);
	}
	skb_copy_header(n, skb);
	return n;
}

/* Largest head pskb_expand_head() makes: what kmalloc_reserve() accepts. */
#define SKB_MAX_HEAD_SIZE (1u << 30)

/* The 16-bit header offsets must still fit once moved by @nhead. */
static bool skb_headers_fit(const struct sk_buff *skb, unsigned int nhead)
{
	unsigned int max = 0xFFFEu - nhead;

	if (nhead > 0xFFFEu)
		return false;
	return (!xskb_skb_mac_header_was_set(skb) || skb->mac_header <= max) &&
	       (!xskb_skb_transport_header_was_set(skb) || skb->transport_header <= max) &&
	       skb->network_header <= max;
}

int xskb_pskb_expand_head(struct sk_buff *skb, int nhead, int ntail, xskb_gfp_t gfp)
{
	unsigned int osize = xskb_skb_end_offset(skb);
	struct skb_shared_info *shinfo = xskb_skb_shinfo(skb);
	unsigned char *data;
	unsigned int size;
	__u64 want;

	if (nhead < 0 || ntail < 0)
		xskb_skb_bug(skb, "pskb_expand_head: negative nhead/ntail");
	if (xskb_skb_shared(skb))
		xskb_skb_bug(skb, "pskb_expand_head: skb is shared");

	/* In 64 bits: two ints and the old size must not wrap into a small head. */
	want = (__u64)osize + (__u64)nhead + (__u64)ntail;
	if (want > SKB_MAX_HEAD_SIZE || !skb_headers_fit(skb, (unsigned int)nhead))
		return -ENOMEM;
	size = XSKB_SKB_DATA_ALIGN((unsigned int)want);
	data = xskb_kmalloc_reserve(&size, gfp, XSKB_NUMA_NO_NODE, NULL);
	if (!data)
		return -ENOMEM;
	size = XSKB_SKB_WITH_OVERHEAD(size);

	/* Copy the headroom and the linear data, then the shared info. */
	memcpy(data + nhead, skb->head, (size_t)(xskb_skb_tail_pointer(skb) - skb->head));
	memcpy(data + size, shinfo, offsetof(struct skb_shared_info, frags[shinfo->nr_frags]));

	if (xskb_skb_cloned(skb)) {
		/* The old data stays with the clones: take our own frag refs. */
		for (int i = 0; i < shinfo->nr_frags; i++)
			xskb_skb_frag_ref(skb, i);
		if (shinfo->frag_list)
			skb_clone_fraglist(skb);
		skb_release_data(skb, SKB_CONSUMED);
	} else {
		skb_free_head(skb);
	}
	/* data is a pointer; tail, end and the headers are offsets from head. */
	skb->data = data + nhead + (skb->data - skb->head);
	skb->head = data;
	skb->head_frag = 0;
	skb->head_owner = NULL;
	skb->xsk_frame = 0;
	skb->end = size;
	skb->tail += (unsigned int)nhead;
	skb_headers_offset_update(skb, nhead);
	skb->cloned = 0;
	skb->hdr_len = 0;
	skb->nohdr = 0;
	xskb_atomic_set(&xskb_skb_shinfo(skb)->dataref, 1);
	skb->truesize += size - osize;
	return 0;
}

struct sk_buff *xskb_skb_realloc_headroom(struct sk_buff *skb, unsigned int headroom)
{
	int delta = (int)headroom - (int)xskb_skb_headroom(skb);
	struct sk_buff *skb2;

	if (delta <= 0)
		return xskb_pskb_copy(skb, XSKB_GFP_ATOMIC);
	skb2 = xskb_skb_clone(skb, XSKB_GFP_ATOMIC);
	if (skb2 && xskb_pskb_expand_head(skb2, XSKB_SKB_DATA_ALIGN(delta), 0, XSKB_GFP_ATOMIC)) {
		xskb_kfree_skb(skb2);
		skb2 = NULL;
	}
	return skb2;
}

struct sk_buff *xskb_skb_unshare(struct sk_buff *skb, xskb_gfp_t gfp)
{
	struct sk_buff *nskb;

	if (!xskb_skb_cloned(skb))
		return skb;
	nskb = xskb_skb_copy(skb, gfp);
	if (nskb)
		xskb_consume_skb(skb);
	else
		xskb_kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
	return nskb;
}

struct sk_buff *xskb_skb_share_check(struct sk_buff *skb, xskb_gfp_t gfp)
{
	struct sk_buff *nskb;

	if (!xskb_skb_shared(skb))
		return skb;
	nskb = xskb_skb_clone(skb, gfp);
	if (nskb)
		xskb_consume_skb(skb);
	else
		xskb_kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
	return nskb;
}

/* ---- nonlinear data ----------------------------------------------------------------- */

int xskb_skb_copy_bits(const struct sk_buff *skb, int offset, void *to, int len)
{
	const struct skb_shared_info *shinfo = xskb_skb_shinfo(skb);
	int start = (int)xskb_skb_headlen(skb);
	unsigned char *dst = to;
	int copy;

	if (len < 0 || offset > (int)skb->len - len || offset < -(int)xskb_skb_headroom(skb))
		return -EFAULT;
	/* linear part (a negative offset reaches into the headroom) */
	copy = start - offset;
	if (copy > 0) {
		if (copy > len)
			copy = len;
		memcpy(dst, skb->data + offset, (size_t)copy);
		len -= copy;
		if (!len)
			return 0;
		offset += copy;
		dst += copy;
	}
	for (int i = 0; i < shinfo->nr_frags; i++) {
		const skb_frag_t *f = &shinfo->frags[i];
		int end = start + (int)xskb_skb_frag_size(f);

		copy = end - offset;
		if (copy > 0) {
			if (copy > len)
				copy = len;
			memcpy(dst, (unsigned char *)xskb_skb_frag_address(f) + offset - start,
			       (size_t)copy);
			len -= copy;
			if (!len)
				return 0;
			offset += copy;
			dst += copy;
		}
		start = end;
	}
	for (const struct sk_buff *it = shinfo->frag_list; it; it = it->next) {
		int end = start + (int)it->len;

		copy = end - offset;
		if (copy > 0) {
			if (copy > len)
				copy = len;
			if (xskb_skb_copy_bits(it, offset - start, dst, copy))
				return -EFAULT;
			len -= copy;
			if (!len)
				return 0;
			offset += copy;
			dst += copy;
		}
		start = end;
	}
	return len ? -EFAULT : 0;
}

int xskb_skb_ensure_writable(struct sk_buff *skb, unsigned int write_len)
{
	if (!xskb_pskb_may_pull(skb, write_len))
		return -ENOMEM;
	/* A clone may write its own header part (hdr_len), never the shared data. */
	if (!xskb_skb_cloned(skb) ||
	    (!xskb_skb_header_cloned(skb) && xskb_skb_headroom(skb) + write_len <= skb->hdr_len))
		return 0;
	return xskb_pskb_expand_head(skb, 0, 0, XSKB_GFP_ATOMIC);
}

/*
 * Move @delta bytes from the fragments (and frag_list) into the linear part,
 * growing the head if needed. Returns the new tail pointer, or NULL (skb
 * unchanged) when memory runs out.
 */
void *xskb__pskb_pull_tail(struct sk_buff *skb, int delta)
{
	struct skb_shared_info *shinfo;
	int i, k, eat = (int)(skb->tail + (unsigned int)delta) - (int)skb->end;

	if (eat > 0 || xskb_skb_cloned(skb)) {
		if (xskb_pskb_expand_head(skb, 0, eat > 0 ? eat + 128 : 0, XSKB_GFP_ATOMIC))
			return NULL;
	}
	shinfo = xskb_skb_shinfo(skb);
	if (xskb_skb_copy_bits(skb, (int)xskb_skb_headlen(skb), xskb_skb_tail_pointer(skb), delta))
		xskb_skb_bug(skb, "__pskb_pull_tail: skb shorter than its length");

	if (shinfo->frag_list) {
		/* Will the pages cover it, or must the frag_list be eaten too? */
		eat = delta;
		for (i = 0; i < shinfo->nr_frags; i++) {
			int size = (int)xskb_skb_frag_size(&shinfo->frags[i]);

			if (size >= eat)
				goto pull_pages;
			eat -= size;
		}
		if (eat) {
			struct sk_buff *list = shinfo->frag_list;
			struct sk_buff *clone = NULL;
			struct sk_buff *insp = NULL;

			do {
				if ((int)list->len <= eat) {
					/* eaten whole */
					eat -= (int)list->len;
					list = list->next;
					insp = list;
				} else {
					/* eaten partially: a shared one is forked first */
					if (xskb_skb_shared(list)) {
						clone = xskb_skb_clone(list, XSKB_GFP_ATOMIC);
						if (!clone)
							return NULL;
						insp = list->next;
						list = clone;
					} else {
						insp = list;
					}
					if (!xskb_pskb_pull(list, (unsigned int)eat)) {
						xskb_kfree_skb(clone);
						return NULL;
					}
					break;
				}
			} while (eat);
			while ((list = shinfo->frag_list) != insp) {
				shinfo->frag_list = list->next;
				xskb_consume_skb(list);
			}
			if (clone) {
				clone->next = list;
				shinfo->frag_list = clone;
			}
		}
	}
pull_pages:
	eat = delta;
	k = 0;
	for (i = 0; i < shinfo->nr_frags; i++) {
		int size = (int)xskb_skb_frag_size(&shinfo->frags[i]);

		if (size <= eat) {
			xskb_skb_frag_unref(skb, i);
			eat -= size;
		} else {
			skb_frag_t *frag = &shinfo->frags[k];

			*frag = shinfo->frags[i];
			if (eat) {
				xskb_skb_frag_off_add(frag, eat);
				xskb_skb_frag_size_sub(frag, eat);
				if (!i)
					goto end;
				eat = 0;
			}
			k++;
		}
	}
	shinfo->nr_frags = (__u8)k;
end:
	skb->tail += (unsigned int)delta;
	skb->data_len -= (unsigned int)delta;
	return xskb_skb_tail_pointer(skb);
}

static void skb_drop_list(struct sk_buff **listp)
{
	xskb_kfree_skb_list_reason(*listp, SKB_DROP_REASON_NOT_SPECIFIED);
	*listp = NULL;
}

int xskb___pskb_trim(struct sk_buff *skb, unsigned int len)
{
	struct skb_shared_info *shinfo;
	struct sk_buff **fragp, *frag;
	int offset = (int)xskb_skb_headlen(skb);
	int nfrags, i, err;

	if (xskb_skb_cloned(skb) && (err = xskb_pskb_expand_head(skb, 0, 0, XSKB_GFP_ATOMIC)))
		return err;
	shinfo = xskb_skb_shinfo(skb);
	nfrags = shinfo->nr_frags;
	i = 0;
	if (offset >= (int)len)
		goto drop_pages;
	for (; i < nfrags; i++) {
		int end = offset + (int)xskb_skb_frag_size(&shinfo->frags[i]);

		if (end < (int)len) {
			offset = end;
			continue;
		}
		xskb_skb_frag_size_set(&shinfo->frags[i++], len - (unsigned int)offset);
drop_pages:
		shinfo->nr_frags = (__u8)i;
		for (; i < nfrags; i++)
			xskb_skb_frag_unref(skb, i);
		if (shinfo->frag_list)
			skb_drop_list(&shinfo->frag_list);
		goto done;
	}
	for (fragp = &shinfo->frag_list; (frag = *fragp); fragp = &frag->next) {
		int end = offset + (int)frag->len;

		if (xskb_skb_shared(frag)) {
			struct sk_buff *nfrag = xskb_skb_clone(frag, XSKB_GFP_ATOMIC);

			if (!nfrag)
				return -ENOMEM;
			nfrag->next = frag->next;
			xskb_consume_skb(frag);
			frag = nfrag;
			*fragp = frag;
		}
		if (end < (int)len) {
			offset = end;
			continue;
		}
		if (end > (int)len && (err = xskb_pskb_trim(frag, len - (unsigned int)offset)))
			return err;
		if (frag->next)
			skb_drop_list(&frag->next);
		break;
	}
done:
	if (len > xskb_skb_headlen(skb)) {
		skb->data_len -= skb->len - len;
		skb->len = len;
	} else {
		skb->len = len;
		skb->data_len = 0;
		xskb_skb_set_tail_pointer(skb, (int)len);
	}
	return 0;
}

void xskb_skb_add_rx_frag(struct sk_buff *skb, int i, struct page *page, int off, int size,
			  unsigned int truesize)
{
	if (i < 0 || i >= XSKB_MAX_SKB_FRAGS)
		xskb_skb_bug(skb, "skb_add_rx_frag: fragment index out of range");
	xskb_skb_fill_page_desc(skb, i, page, off, size);
	skb->len += (unsigned int)size;
	skb->data_len += (unsigned int)size;
	skb->truesize += truesize;
}

/* ---- overruns ---------------------------------------------------------------------- */

static XSKB_NORETURN void skb_panic(const struct sk_buff *skb, unsigned int sz, void *addr,
				    const char *msg)
{
	fprintf(stderr,
		"xskb: %s: text:%p len:%u put:%u head:%p data:%p tail:%#x end:%#x dev:%s\n", msg,
		addr, skb->len, sz, (void *)skb->head, (void *)skb->data, skb->tail, skb->end,
		skb->dev ? skb->dev->name : "<NULL>");
	fflush(stderr);
	abort();
}

void xskb_skb_over_panic(const struct sk_buff *skb, unsigned int len, void *addr)
{
	skb_panic(skb, len, addr, "skb_over_panic");
}

void xskb_skb_under_panic(const struct sk_buff *skb, unsigned int len, void *addr)
{
	skb_panic(skb, len, addr, "skb_under_panic");
}

void xskb_skb_bug(const struct sk_buff *skb, const char *what)
{
	fprintf(stderr, "xskb: BUG: %s (len:%u data_len:%u headroom:%u users:%u)\n", what, skb->len,
		skb->data_len, xskb_skb_headroom(skb), xskb_refcount_read(&skb->users));
	fflush(stderr);
	abort();
}

void xskb_skb_warn(const struct sk_buff *skb, const char *what)
{
	static int warned;

	if (__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
		return;
	xskb_log(XSKB_LOG_WARN, "WARNING: %s (len:%u data_len:%u headroom:%u users:%u)\n", what,
		 skb->len, skb->data_len, xskb_skb_headroom(skb), xskb_refcount_read(&skb->users));
}

/* ---- locked queues --------------------------------------------------------------- */

void xskb_skb_queue_head(struct sk_buff_head *list, struct sk_buff *newsk)
{
	xskb_spin_lock(&list->lock);
	xskb__skb_queue_head(list, newsk);
	xskb_spin_unlock(&list->lock);
}

void xskb_skb_queue_tail(struct sk_buff_head *list, struct sk_buff *newsk)
{
	xskb_spin_lock(&list->lock);
	xskb__skb_queue_tail(list, newsk);
	xskb_spin_unlock(&list->lock);
}

struct sk_buff *xskb_skb_dequeue(struct sk_buff_head *list)
{
	struct sk_buff *skb;

	xskb_spin_lock(&list->lock);
	skb = xskb__skb_dequeue(list);
	xskb_spin_unlock(&list->lock);
	return skb;
}

struct sk_buff *xskb_skb_dequeue_tail(struct sk_buff_head *list)
{
	struct sk_buff *skb;

	xskb_spin_lock(&list->lock);
	skb = xskb__skb_dequeue_tail(list);
	xskb_spin_unlock(&list->lock);
	return skb;
}

void xskb_skb_queue_purge_reason(struct sk_buff_head *list, enum skb_drop_reason reason)
{
	struct sk_buff_head tmp;

	/* Detach under the lock, free outside it. */
	xskb__skb_queue_head_init(&tmp);
	xskb_spin_lock(&list->lock);
	xskb_skb_queue_splice_init(list, &tmp);
	xskb_spin_unlock(&list->lock);
	xskb__skb_queue_purge_reason(&tmp, reason);
}

void xskb_skb_insert(struct sk_buff *old, struct sk_buff *newsk, struct sk_buff_head *list)
{
	xskb_spin_lock(&list->lock);
	xskb__skb_insert(newsk, old->prev, old, list);
	xskb_spin_unlock(&list->lock);
}

void xskb_skb_append(struct sk_buff *old, struct sk_buff *newsk, struct sk_buff_head *list)
{
	xskb_spin_lock(&list->lock);
	xskb__skb_queue_after(list, old, newsk);
	xskb_spin_unlock(&list->lock);
}

void xskb_skb_unlink(struct sk_buff *skb, struct sk_buff_head *list)
{
	xskb_spin_lock(&list->lock);
	xskb__skb_unlink(skb, list);
	xskb_spin_unlock(&list->lock);
}

/* ---- pages ------------------------------------------------------------------------ */

/*
 * A hash of the live ones by address stands in for the kernel's memmap:
 * virt_to_head_page() masks an address down for each order and looks the
 * result up. Not on the per-packet path (UMEM frames have their own struct
 * page), so one lock is enough.
 */

#define KPAGE_MIN_BITS 8

static struct {
	pthread_mutex_t lock;
	struct kpage **bucket;
	unsigned int bits;
	unsigned long nr;
} kpages = { .lock = PTHREAD_MUTEX_INITIALIZER };

static inline size_t kpage_hash(uintptr_t addr, unsigned int bits)
{
	return (size_t)(((__u64)(addr >> XSKB_PAGE_SHIFT) * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

/* Double the table when it averages one page a bucket; a failed grow only
 * makes the chains longer. Called with the lock held. */
static void kpage_grow(void)
{
	unsigned int bits = kpages.bucket ? kpages.bits + 1 : KPAGE_MIN_BITS;
	struct kpage **nb = calloc((size_t)1 << bits, sizeof(*nb));

	if (!nb)
		return;
	for (size_t i = 0; kpages.bucket && i < ((size_t)1 << kpages.bits); i++) {
		struct kpage *kp, *next;

		for (kp = kpages.bucket[i]; kp; kp = next) {
			size_t h = kpage_hash((uintptr_t)kp->page.address, bits);

			next = kp->hnext;
			kp->hnext = nb[h];
			nb[h] = kp;
		}
	}
	free(kpages.bucket);
	kpages.bucket = nb;
	kpages.bits = bits;
}

static bool kpage_insert(struct kpage *kp)
{
	size_t h;

	pthread_mutex_lock(&kpages.lock);
	if (!kpages.bucket || kpages.nr >= ((unsigned long)1 << kpages.bits))
		kpage_grow();
	if (!kpages.bucket) {
		pthread_mutex_unlock(&kpages.lock);
		return false;
	}
	h = kpage_hash((uintptr_t)kp->page.address, kpages.bits);
	kp->hnext = kpages.bucket[h];
	kpages.bucket[h] = kp;
	kpages.nr++;
	pthread_mutex_unlock(&kpages.lock);
	return true;
}

static void kpage_remove(struct kpage *kp)
{
	struct kpage **pp;

	pthread_mutex_lock(&kpages.lock);
	pp = &kpages.bucket[kpage_hash((uintptr_t)kp->page.address, kpages.bits)];
	while (*pp != kp)
		pp = &(*pp)->hnext;
	*pp = kp->hnext;
	kpages.nr--;
	pthread_mutex_unlock(&kpages.lock);
}

struct page *xskb_virt_to_head_page(const void *addr)
{
	struct page *found = NULL;

	pthread_mutex_lock(&kpages.lock);
	for (unsigned int order = 0; kpages.bucket && order <= MAX_PAGE_ORDER && !found; order++) {
		uintptr_t base = (uintptr_t)addr & ~(((uintptr_t)XSKB_PAGE_SIZE << order) - 1);

		for (struct kpage *kp = kpages.bucket[kpage_hash(base, kpages.bits)]; kp;
		     kp = kp->hnext) {
			if ((uintptr_t)kp->page.address == base && kp->page.order == order) {
				found = &kp->page;
				break;
			}
		}
	}
	pthread_mutex_unlock(&kpages.lock);
	return found;
}

static void kmalloc_page_release(struct page *page)
{
	struct kpage *kp = xskb_container_of(page, struct kpage, page);

	kpage_remove(kp);
	xskb_kfree(page->address);
	xskb_kmem_cache_free(page_cache, kp);
}

static const struct xskb_page_ops kmalloc_page_ops = { .release = kmalloc_page_release };

struct page *xskb_alloc_pages(xskb_gfp_t gfp, unsigned int order)
{
	size_t size = (size_t)XSKB_PAGE_SIZE << order;
	struct kpage *kp;
	struct page *page;

	if (order > MAX_PAGE_ORDER)
		return NULL;
	if (!skb_ready())
		return NULL;
	kp = xskb_kmem_cache_alloc(page_cache, gfp & ~XSKB___GFP_ZERO);
	if (!kp)
		return NULL;
	page = &kp->page;
	page->address = xskb_kmalloc(size, gfp);
	if (!page->address)
		goto out_page;
	/* virt_to_head_page() relies on kmalloc's natural alignment. */
	if (((uintptr_t)page->address & (size - 1)) || !kpage_insert(kp))
		goto out_address;
	xskb_atomic_set(&page->_refcount, 1);
	page->order = order;
	page->ops = &kmalloc_page_ops;
	page->priv = 0;
	return page;

out_address:
	xskb_kfree(page->address);
out_page:
	xskb_kmem_cache_free(page_cache, kp);
	return NULL;
}

void xskb_page_release(struct page *page)
{
	page->ops->release(page);
}
