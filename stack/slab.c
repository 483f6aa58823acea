/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kmem_cache / kmalloc: slab chunks on NUMA nodes, per-thread magazines, and a
 * pre-faulted chunk pool that lets GFP_ATOMIC allocate without system calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "slab_internal.h"
#include "util.h"

#define CHUNK_SIZE	XSKB_SLAB_CHUNK_SIZE
#define CHUNK_MASK	(~(CHUNK_SIZE - 1))
#define PAGE_SZ		4096ul
#define SLAB_MAGIC	0x51ab51abu
#define LARGE_MAGIC	0x1a7e1a7eu
#define POOL_MAGIC	0x9001900du
#define POISON_FREE	0x6b
#define POISON_INUSE	0x5a
#define MAX_EMPTY_SLABS	1	/* empty slabs a cache node keeps before giving chunks back */
#define MAX_MAG_CAP	128
#define MAX_RESERVE	4096u
#define VA_BITS		47

/*
 * Chunk header: the first bytes of every mapped chunk. Slab chunks are owned by
 * one cache; large chunks hold one kmalloc() allocation; pool chunks are free.
 */
struct slab {
	unsigned int magic;
	int node;
	struct kmem_cache *cache;	/* SLAB */
	void *freelist;			/* SLAB: objects returned to this slab */
	unsigned int inuse;		/* SLAB: objects out of the slab */
	/* SLAB: objects carved so far (lazy). Written under the node lock,
	 * read without it by the debug free check: atomic, relaxed (it only
	 * grows while the slab lives, and a freed object was carved before
	 * it was handed out). */
	unsigned int carved;
	struct slab *next;		/* list links: cache node lists, pool */
	struct slab *prev;
	bool on_full;
	size_t map_len;			/* LARGE: bytes mapped including the header page */
	unsigned long debug_map[];	/* debug caches: one bit per object held by a caller */
};

/* Free chunks of one node, with the watermarks of the GFP_ATOMIC reserve. */
struct chunk_pool {
	pthread_mutex_t lock;
	struct slab *free;
	unsigned long nr_free;
	unsigned long nr_mapped;
	unsigned long nr_large;
	unsigned long refills;
	unsigned long boost;		/* extra chunks on low and high after atomic pressure */
	unsigned long boost_max;
	struct xskb_slab_reserve wm;
};

static struct {
	pthread_mutex_t init_lock;	/* set-up and its undo */
	bool ready;			/* set up; read with acquire */
	bool atfork_done;
	pthread_mutex_t lock;		/* caches[], threads, magazine tables */
	pthread_key_t key;
	int nr_nodes;
	bool numa;
	struct kmem_cache *caches[XSKB_MAX_CACHES];
	struct slab_thread *threads;
	struct chunk_pool pool[XSKB_MAX_NODES];
	unsigned long *chunk_map;	/* bit per 1 MiB of address space: mapped by us */
	/* background refiller */
	pthread_mutex_t kswapd_lock;
	pthread_cond_t kswapd_wake;
	atomic_bool kswapd_pending;
	bool kswapd_running;
	/* kmalloc */
	struct kmem_cache *kmalloc_caches[18];
} G = {
	.init_lock = PTHREAD_MUTEX_INITIALIZER,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.kswapd_lock = PTHREAD_MUTEX_INITIALIZER,
	.kswapd_wake = PTHREAD_COND_INITIALIZER,
};

__thread struct slab_thread *xskb_slab_tl XSKB_TLS;
struct kmem_mag xskb_slab_no_mag;
__thread struct kmem_mag *xskb_slab_hot_mag XSKB_TLS = &xskb_slab_no_mag;
/* This thread's kmalloc magazines by size class: kmalloc() pops without
 * looking up the cache (non-debug caches only). */
static __thread struct kmem_mag *kmalloc_mag[18] XSKB_TLS;
static struct kmem_cache *hot_cache;

void xskb_slab_set_hot(struct kmem_cache *s)
{
	/* Debug caches check every object: they get no unchecked fast path. */
	if (!s->debug)
		__atomic_store_n(&hot_cache, s, __ATOMIC_RELEASE);
}

static int slab_global_init(void);

/*
 * Set the allocator up on first use. A failed set-up is undone completely,
 * so a later call tries again (the allocation that failed may succeed then).
 * Returns 0 or a negative errno.
 */
static XSKB_COLD int slab_init_slow(void)
{
	int err = 0;

	pthread_mutex_lock(&G.init_lock);
	if (!G.ready) {
		err = slab_global_init();
		if (!err)
			__atomic_store_n(&G.ready, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&G.init_lock);
	return err;
}

static inline int slab_ready(void)
{
	return xskb_likely(__atomic_load_n(&G.ready, __ATOMIC_ACQUIRE)) ? 0 : slab_init_slow();
}

/* The chunk map, NULL before set-up (and after a set-up that failed). */
static inline unsigned long *chunk_map(void)
{
	return __atomic_load_n(&G.chunk_map, __ATOMIC_ACQUIRE);
}

/* ---- fault injection ------------------------------------------------------- */

/* Read by every allocation's fast-path condition: alone in its cache line. */
bool xskb_failslab_armed XSKB_CACHE_ALIGNED;

static struct {
	pthread_mutex_t lock;
	pthread_once_t env_once;
	struct xskb_fault_opts o;	/* sites already defaulted */
	unsigned long calls;		/* eligible calls since armed */
	unsigned long injected;
	unsigned long long prng;
} F = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.env_once = PTHREAD_ONCE_INIT,
};

/* The refiller's own mappings are never failed: it runs at no caller's
 * request, and counting its calls would make nth= depend on timing. */
static __thread bool in_kswapd;

/* splitmix64: a deterministic stream from the seed. */
static unsigned long long prng_next(unsigned long long *x)
{
	unsigned long long z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fault_apply_locked(const struct xskb_fault_opts *o)
{
	memset(&F.o, 0, sizeof(F.o));
	if (o)
		F.o = *o;
	F.o.sz = sizeof(F.o);
	if (!F.o.sites)
		F.o.sites = XSKB_FAULT_SLAB | XSKB_FAULT_PAGE;
	F.calls = 0;
	F.injected = 0;
	F.prng = F.o.seed ? F.o.seed : 0x5eed;
	__atomic_store_n(&xskb_failslab_armed, F.o.rate || F.o.nth, __ATOMIC_RELAXED);
}

/* XSKB_FAILSLAB="rate=P,seed=S,nth=N,after=A,times=T,sites=slab|page|all,atomic=1" */
static void fault_env(void)
{
	const char *env = getenv("XSKB_FAILSLAB");
	struct xskb_fault_opts o = { .sz = sizeof(o) };
	char buf[256], *save = NULL, *tok;

	if (!env || !*env)
		return;
	if (strlen(env) >= sizeof(buf))
		goto bad;
	strcpy(buf, env);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		unsigned long long v;

		if (!eq)
			goto bad;
		*eq++ = '\0';
		if (!strcmp(tok, "sites")) {
			if (!strcmp(eq, "slab"))
				o.sites = XSKB_FAULT_SLAB;
			else if (!strcmp(eq, "page"))
				o.sites = XSKB_FAULT_PAGE;
			else if (!strcmp(eq, "all"))
				o.sites = XSKB_FAULT_SLAB | XSKB_FAULT_PAGE;
			else
				goto bad;
			continue;
		}
		errno = 0;
		v = strtoull(eq, &end, 0);
		if (errno || end == eq || *end)
			goto bad;
		if (!strcmp(tok, "rate") && v <= 100)
			o.rate = (unsigned int)v;
		else if (!strcmp(tok, "seed"))
			o.seed = v;
		else if (!strcmp(tok, "nth"))
			o.nth = (unsigned long)v;
		else if (!strcmp(tok, "after"))
			o.after = (unsigned long)v;
		else if (!strcmp(tok, "times"))
			o.times = (unsigned long)v;
		else if (!strcmp(tok, "atomic") && v <= 1)
			o.atomic_only = v;
		else
			goto bad;
	}
	pthread_mutex_lock(&F.lock);
	fault_apply_locked(&o);
	pthread_mutex_unlock(&F.lock);
	pr_info("XSKB_FAILSLAB=%s: failing allocations on purpose\n", env);
	return;
bad:
	pr_warn("XSKB_FAILSLAB=%s ignored: use rate=PERCENT,seed=N,nth=N,after=N,times=N,"
		"sites=slab|page|all,atomic=0|1\n", env);
}

bool xskb_failslab_check(unsigned int site, xskb_gfp_t gfp)
{
	bool fail = false;

	if (in_kswapd)
		return false;
	pthread_mutex_lock(&F.lock);
	if (!(F.o.rate || F.o.nth) || !(F.o.sites & site) ||
	    (F.o.atomic_only && (gfp & XSKB___GFP_DIRECT_RECLAIM)))
		goto out;
	if (++F.calls <= F.o.after || (F.o.times && F.injected >= F.o.times))
		goto out;
	if (F.o.nth)
		fail = F.calls - F.o.after == F.o.nth;
	if (!fail && F.o.rate)
		fail = prng_next(&F.prng) % 100 < F.o.rate;
	F.injected += fail;
out:
	pthread_mutex_unlock(&F.lock);
	return fail;
}

int xskb_fault_inject(const struct xskb_fault_opts *opts)
{
	struct xskb_fault_opts o = { 0 };

	if (opts) {
		int err = xskb_opts_check(opts, opts->sz, sizeof(*opts), "xskb_fault_opts");

		if (err)
			return err;
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
		if (o.rate > 100 || (o.sites & ~(XSKB_FAULT_SLAB | XSKB_FAULT_PAGE))) {
			pr_warn("xskb_fault_opts: rate %u (0..100) or sites %#x unknown\n", o.rate,
				o.sites);
			return -EINVAL;
		}
	}
	pthread_once(&F.env_once, fault_env);	/* the API overrides the environment */
	pthread_mutex_lock(&F.lock);
	fault_apply_locked(opts ? &o : NULL);
	pthread_mutex_unlock(&F.lock);
	return 0;
}

int xskb_fault_stats(struct xskb_fault_stats *st)
{
	if (!st)
		return -EINVAL;
	pthread_mutex_lock(&F.lock);
	st->calls = F.calls;
	st->injected = F.injected;
	pthread_mutex_unlock(&F.lock);
	return 0;
}

/* ---- chunk map: which 1 MiB chunks of address space belong to us --------- */

static inline bool chunk_map_test(unsigned long base)
{
	unsigned long idx = base >> XSKB_SLAB_CHUNK_SHIFT;

	if (base >> VA_BITS)
		return false;
	return __atomic_load_n(&chunk_map()[idx / 64], __ATOMIC_ACQUIRE) & (1ul << (idx % 64));
}

static void chunk_map_set(unsigned long base, unsigned long len, bool on)
{
	for (unsigned long a = base; a < base + len; a += CHUNK_SIZE) {
		unsigned long idx = a >> XSKB_SLAB_CHUNK_SHIFT;

		if (on)
			__atomic_fetch_or(&chunk_map()[idx / 64], 1ul << (idx % 64), __ATOMIC_RELEASE);
		else
			__atomic_fetch_and(&chunk_map()[idx / 64], ~(1ul << (idx % 64)), __ATOMIC_RELEASE);
	}
}

static inline struct slab *virt_to_slab(const void *p)
{
	return (struct slab *)((unsigned long)p & CHUNK_MASK);
}

/* ---- mapping memory on a node --------------------------------------------- */

static void bind_to_node(void *addr, size_t len, int node)
{
	unsigned long mask[XSKB_MAX_NODES / 64 + 1] = { 0 };

	if (!G.numa || node < 0)
		return;
	mask[node / 64] = 1ul << (node % 64);
	/* Preferred, not bound: a full node falls back rather than failing. */
	(void)mbind(addr, len, MPOL_PREFERRED, mask, XSKB_MAX_NODES + 1, 0);
}

static void prefault(void *addr, size_t len)
{
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
	if (madvise(addr, len, MADV_POPULATE_WRITE) == 0)
		return;
	for (size_t off = 0; off < len; off += PAGE_SZ)
		((volatile char *)addr)[off] = 0;
}

/* Map @len bytes aligned to a chunk; returns NULL on failure. */
static void *map_aligned(size_t len, int node, bool populate)
{
	size_t span = len + CHUNK_SIZE;
	char *raw, *base;

	if (xskb_should_failslab(XSKB_FAULT_PAGE, XSKB_GFP_KERNEL))
		return NULL;
	raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	base = (char *)(((unsigned long)raw + CHUNK_SIZE - 1) & CHUNK_MASK);
	if (base > raw)
		munmap(raw, base - raw);
	if (raw + span > base + len)
		munmap(base + len, raw + span - (base + len));
	if ((unsigned long)base >> VA_BITS) {
		munmap(base, len);
		return NULL;
	}
	bind_to_node(base, len, node);
	if (populate)
		prefault(base, len);
	chunk_map_set((unsigned long)base, len, true);
	return base;
}

static void unmap_chunks(void *base, size_t len)
{
	chunk_map_set((unsigned long)base, len, false);
	munmap(base, len);
}

/* ---- chunk pool ------------------------------------------------------------ */

static void pool_push_locked(struct chunk_pool *p, struct slab *c)
{
	c->magic = POOL_MAGIC;
	c->cache = NULL;
	c->next = p->free;
	p->free = c;
	p->nr_free++;
}

/* Map @n chunks for node @node and add them to its pool. Process context. */
static unsigned long pool_grow(int node, unsigned long n)
{
	struct chunk_pool *p = &G.pool[node];
	char *base;

	if (!n)
		return 0;
	base = map_aligned(n * CHUNK_SIZE, node, true);
	if (!base)
		return 0;
	pthread_mutex_lock(&p->lock);
	for (unsigned long i = 0; i < n; i++) {
		struct slab *c = (struct slab *)(base + i * CHUNK_SIZE);

		c->node = node;
		pool_push_locked(p, c);
	}
	p->nr_mapped += n;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* Bring the pool between its watermarks: fill to high, trim above high. */
static void pool_balance(int node)
{
	struct chunk_pool *p = &G.pool[node];
	struct slab *excess = NULL;
	unsigned long want = 0;

	unsigned long high;

	pthread_mutex_lock(&p->lock);
	high = p->wm.high_chunks + p->boost;
	if (p->nr_free < high)
		want = high - p->nr_free;
	while (p->nr_free > high) {
		struct slab *c = p->free;

		p->free = c->next;
		p->nr_free--;
		p->nr_mapped--;
		c->next = excess;
		excess = c;
	}
	pthread_mutex_unlock(&p->lock);
	while (excess) {
		struct slab *c = excess;

		excess = c->next;
		unmap_chunks(c, CHUNK_SIZE);
	}
	pool_grow(node, want);
}

static void *kswapd(void *arg)
{
	(void)arg;
	in_kswapd = true;
	for (;;) {
		struct timespec ts;

		bool idle = false;

		pthread_mutex_lock(&G.kswapd_lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		while (!atomic_load(&G.kswapd_pending))
			if (pthread_cond_timedwait(&G.kswapd_wake, &G.kswapd_lock, &ts) == ETIMEDOUT) {
				idle = true;
				break;
			}
		atomic_store(&G.kswapd_pending, false);
		pthread_mutex_unlock(&G.kswapd_lock);
		for (int n = 0; n < G.nr_nodes; n++) {
			struct chunk_pool *p = &G.pool[n];
			bool on;

			pthread_mutex_lock(&p->lock);
			on = p->wm.background_refill;
			if (on && idle)
				p->boost /= 2;	/* a quiet second: let the boost decay */
			pthread_mutex_unlock(&p->lock);
			if (!on)
				continue;
			pool_balance(n);
			__atomic_fetch_add(&G.pool[n].refills, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void kswapd_child_after_fork(void)
{
	G.kswapd_running = false;
	atomic_store(&G.kswapd_pending, false);
}

/*
 * Wake the refiller; the first wake starts it. The start is a one-time
 * clone(); every later wake is a futex wake only if the refiller sleeps.
 */
static void wakeup_kswapd(void)
{
	bool expected = false;

	if (!atomic_compare_exchange_strong(&G.kswapd_pending, &expected, true))
		return;
	pthread_mutex_lock(&G.kswapd_lock);
	if (!G.kswapd_running) {
		pthread_t tid;
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&tid, &attr, kswapd, NULL) == 0) {
			pthread_setname_np(tid, "xskb-kswapd");
			G.kswapd_running = true;
		}
		pthread_attr_destroy(&attr);
	}
	pthread_cond_signal(&G.kswapd_wake);
	pthread_mutex_unlock(&G.kswapd_lock);
}

/*
 * Take a free chunk for node @node. GFP_KERNEL keeps the reserve for atomic
 * callers: below min it maps a fresh chunk, below low it refills first.
 * Without __GFP_DIRECT_RECLAIM nothing here makes a system call except the
 * refiller wakeup.
 */
static struct slab *pool_get(int node, xskb_gfp_t gfp)
{
	struct chunk_pool *p = &G.pool[node];
	struct slab *c = NULL;
	unsigned long floor;
	bool low, bg;

	/* The pool's counters and watermarks are read under its lock only:
	 * the refiller and xskb_slab_set_reserve() change them. */
	if (gfp & XSKB___GFP_DIRECT_RECLAIM) {
		pthread_mutex_lock(&p->lock);
		low = p->nr_free <= p->wm.low_chunks + p->boost;
		pthread_mutex_unlock(&p->lock);
		if (low)
			pool_balance(node);
	}
	pthread_mutex_lock(&p->lock);
	floor = (gfp & XSKB___GFP_HIGH) ? 0 : p->wm.min_chunks;
	if (p->nr_free > floor) {
		c = p->free;
		p->free = c->next;
		p->nr_free--;
	}
	/* Atomic demand reached the emergency reserve: boost the watermarks
	 * (the kernel's watermark_boost) so the refiller keeps more ready. */
	if (p->nr_free < p->wm.min_chunks && !(gfp & XSKB___GFP_DIRECT_RECLAIM))
		p->boost = p->boost ? p->boost * 2 : p->wm.high_chunks + 1;
	if (p->boost > p->boost_max)
		p->boost = p->boost_max;
	low = p->nr_free < p->wm.low_chunks + p->boost;
	bg = p->wm.background_refill;
	pthread_mutex_unlock(&p->lock);

	if (!c && (gfp & XSKB___GFP_DIRECT_RECLAIM)) {
		c = map_aligned(CHUNK_SIZE, node, false);
		if (c) {
			pthread_mutex_lock(&p->lock);
			p->nr_mapped++;
			pthread_mutex_unlock(&p->lock);
			c->node = node;
		}
	}
	if (low && (gfp & XSKB___GFP_KSWAPD_RECLAIM) && bg)
		wakeup_kswapd();
	return c;
}

/* Chunks never go back to the OS from here (that would be a syscall on the
 * free path); the refiller or a GFP_KERNEL caller trims above high. */
static void pool_put(struct slab *c)
{
	struct chunk_pool *p = &G.pool[c->node];

	pthread_mutex_lock(&p->lock);
	pool_push_locked(p, c);
	pthread_mutex_unlock(&p->lock);
}

/* ---- threads ---------------------------------------------------------------- */

static int current_node(void)
{
	int cpu, node;

	if (!G.numa)
		return 0;
	cpu = sched_getcpu();
	node = cpu < 0 ? 0 : numa_node_of_cpu(cpu);
	return (node < 0 || node >= G.nr_nodes) ? 0 : node;
}

static void mag_flush(struct kmem_cache *s, struct kmem_mag *m, unsigned int n);

static void slab_thread_exit(void *arg)
{
	struct slab_thread *t = arg;

	pthread_mutex_lock(&G.lock);
	for (unsigned int id = 0; id < XSKB_MAX_CACHES; id++) {
		struct kmem_mag *m = t->mag[id];

		if (!m)
			continue;
		if (G.caches[id])
			mag_flush(G.caches[id], m, m->count);
		free(m);
		t->mag[id] = NULL;
		if (xskb_slab_hot_mag == m)	/* the exiting thread runs this */
			xskb_slab_hot_mag = &xskb_slab_no_mag;
		for (unsigned int k = 0; k < 18; k++)
			if (kmalloc_mag[k] == m)
				kmalloc_mag[k] = NULL;
	}
	if (t->prev)
		t->prev->next = t->next;
	else
		G.threads = t->next;
	if (t->next)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&G.lock);
	xskb_slab_tl = NULL;
	free(t);
}

static struct slab_thread *slab_thread_init(void)
{
	struct slab_thread *t;

	if (slab_ready())
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->node = current_node();
	pthread_mutex_lock(&G.lock);
	t->next = G.threads;
	if (t->next)
		t->next->prev = t;
	G.threads = t;
	pthread_mutex_unlock(&G.lock);
	pthread_setspecific(G.key, t);
	xskb_slab_tl = t;
	return t;
}

static inline struct slab_thread *this_thread(void)
{
	struct slab_thread *t = xskb_slab_tl;

	return xskb_likely(t) ? t : slab_thread_init();
}

/* ---- slabs ----------------------------------------------------------------- */

static inline void *slab_obj(const struct kmem_cache *s, struct slab *sl, unsigned int i)
{
	return (char *)sl + s->offset + (size_t)i * s->stride;
}

static inline unsigned int slab_index(const struct kmem_cache *s, const struct slab *sl,
				      const void *obj)
{
	return (unsigned int)(((const char *)obj - (const char *)sl - s->offset) / s->stride);
}

static inline void **free_ptr(const struct kmem_cache *s, void *obj)
{
	return (void **)((char *)obj + s->fp_offset);
}

static void list_del_slab(struct slab **head, struct slab *sl)
{
	if (sl->prev)
		sl->prev->next = sl->next;
	else
		*head = sl->next;
	if (sl->next)
		sl->next->prev = sl->prev;
	sl->next = sl->prev = NULL;
}

static void list_add_slab(struct slab **head, struct slab *sl)
{
	sl->prev = NULL;
	sl->next = *head;
	if (*head)
		(*head)->prev = sl;
	*head = sl;
}

static void list_add_tail_slab(struct slab **head, struct slab *sl)
{
	struct slab *last = *head;

	if (!last) {
		list_add_slab(head, sl);
		return;
	}
	while (last->next)
		last = last->next;
	last->next = sl;
	sl->prev = last;
	sl->next = NULL;
}

static void slab_init(struct kmem_cache *s, struct slab *sl, int node)
{
	sl->magic = SLAB_MAGIC;
	sl->node = node;
	sl->cache = s;
	sl->freelist = NULL;
	sl->inuse = 0;
	__atomic_store_n(&sl->carved, 0, __ATOMIC_RELAXED);
	sl->on_full = false;
	sl->next = sl->prev = NULL;
	if (s->debug)
		memset(sl->debug_map, 0, (s->objects + 63) / 64 * sizeof(unsigned long));
}

/*
 * Move up to @want objects from node @node's slabs into @out; returns the
 * count. Objects carved fresh from a slab are listed in @fresh for the
 * constructor, which runs after the lock is dropped.
 */
static unsigned int slab_take(struct kmem_cache *s, int node, xskb_gfp_t gfp, void **out,
			      unsigned int want, void **fresh, unsigned int *nfresh)
{
	struct kmem_cache_node *n = &s->node[node];
	unsigned int got = 0;

	*nfresh = 0;
	pthread_mutex_lock(&n->lock);
	while (got < want) {
		struct slab *sl = n->partial;

		if (!sl) {
			pthread_mutex_unlock(&n->lock);
			sl = pool_get(node, gfp);
			pthread_mutex_lock(&n->lock);
			if (!sl)
				break;
			slab_init(s, sl, node);
			list_add_slab(&n->partial, sl);
			n->nr_slabs++;
			n->nr_partial++;
			n->nr_empty++;
		}
		if (sl->inuse == 0)
			n->nr_empty--;
		while (got < want && sl->inuse < s->objects) {
			void *obj;

			if (sl->freelist) {
				obj = sl->freelist;
				sl->freelist = *free_ptr(s, obj);
			} else {
				unsigned int i = sl->carved;	/* ours: the lock is held */

				__atomic_store_n(&sl->carved, i + 1, __ATOMIC_RELAXED);
				obj = slab_obj(s, sl, i);
				if (s->ctor || s->debug)
					fresh[(*nfresh)++] = obj;
			}
			sl->inuse++;
			out[got++] = obj;
		}
		if (sl->inuse == s->objects) {
			list_del_slab(&n->partial, sl);
			n->nr_partial--;
			list_add_slab(&n->full, sl);
			sl->on_full = true;
		}
	}
	n->nr_out += got;
	pthread_mutex_unlock(&n->lock);
	return got;
}

/* Return one object to its slab; the caller holds the slab's node lock.
 * Returns the chunk if the slab became surplus-empty (give it to the pool). */
static struct slab *slab_put_locked(struct kmem_cache *s, struct kmem_cache_node *n,
				    struct slab *sl, void *obj)
{
	*free_ptr(s, obj) = sl->freelist;
	sl->freelist = obj;
	if (sl->on_full) {
		list_del_slab(&n->full, sl);
		list_add_slab(&n->partial, sl);
		sl->on_full = false;
		n->nr_partial++;
	}
	sl->inuse--;
	n->nr_out--;
	if (sl->inuse)
		return NULL;
	if (n->nr_empty >= MAX_EMPTY_SLABS) {
		list_del_slab(&n->partial, sl);
		n->nr_partial--;
		n->nr_slabs--;
		return sl;
	}
	/* Keep one empty slab, at the tail so fuller slabs are used first. */
	list_del_slab(&n->partial, sl);
	list_add_tail_slab(&n->partial, sl);
	n->nr_empty++;
	return NULL;
}

/* Give @nr objects back to their slabs, batching consecutive same-node frees
 * under one lock. */
static void slab_put_bulk(struct kmem_cache *s, void **objs, unsigned int nr)
{
	struct kmem_cache_node *locked = NULL;
	struct slab *spare = NULL;

	for (unsigned int i = 0; i < nr; i++) {
		struct slab *sl = virt_to_slab(objs[i]);
		struct kmem_cache_node *n = &s->node[sl->node];
		struct slab *empty;

		if (n != locked) {
			if (locked)
				pthread_mutex_unlock(&locked->lock);
			pthread_mutex_lock(&n->lock);
			locked = n;
		}
		empty = slab_put_locked(s, n, sl, objs[i]);
		if (empty) {
			empty->next = spare;
			spare = empty;
		}
	}
	if (locked)
		pthread_mutex_unlock(&locked->lock);
	while (spare) {
		struct slab *c = spare;

		spare = c->next;
		pool_put(c);
	}
}

/* Flush the @n coldest objects of a magazine back to the slabs. */
static void mag_flush(struct kmem_cache *s, struct kmem_mag *m, unsigned int n)
{
	if (!n)
		return;
	slab_put_bulk(s, m->objs, n);
	memmove(m->objs, m->objs + n, (m->count - n) * sizeof(void *));
	m->count -= n;
}

static struct kmem_mag *mag_create(struct kmem_cache *s, struct slab_thread *t)
{
	struct kmem_mag *m = calloc(1, sizeof(*m) + s->mag_cap * sizeof(void *));

	if (!m)
		return NULL;
	m->cap = s->mag_cap;
	pthread_mutex_lock(&G.lock);
	t->mag[s->id] = m;
	/* Magazines are created by their own thread (t is this thread). */
	if (s == __atomic_load_n(&hot_cache, __ATOMIC_ACQUIRE))
		xskb_slab_hot_mag = m;
	if (s->kmalloc && !s->debug)
		kmalloc_mag[s->kmalloc_idx] = m;
	pthread_mutex_unlock(&G.lock);
	return m;
}

/* ---- debug checks ---------------------------------------------------------- */

static XSKB_COLD XSKB_NORETURN void slab_bug(const struct kmem_cache *s, const void *p,
					     const char *what)
{
	xskb_log(XSKB_LOG_WARN, "slab BUG: %s: %s object %p\n", s ? s->name : "kmalloc", what,
		 p);
	abort();
}

static void debug_check_owner(struct kmem_cache *s, struct slab *sl, const void *obj)
{
	unsigned long off;

	if (!chunk_map_test((unsigned long)sl) || sl->magic != SLAB_MAGIC)
		slab_bug(s, obj, "pointer not from any slab (foreign pointer)");
	if (sl->cache != s)
		slab_bug(s, obj, sl->cache ? "pointer belongs to another cache" : "stale pointer");
	off = (unsigned long)((const char *)obj - (const char *)sl);
	if (off < s->offset || (off - s->offset) % s->stride ||
	    slab_index(s, sl, obj) >= __atomic_load_n(&sl->carved, __ATOMIC_RELAXED))
		slab_bug(s, obj, "pointer is not the start of an object");
}

static void debug_on_alloc(struct kmem_cache *s, void *obj)
{
	struct slab *sl = virt_to_slab(obj);
	unsigned int i = slab_index(s, sl, obj);
	unsigned long bit = 1ul << (i % 64);
	const unsigned char *b = obj;

	if (__atomic_fetch_or(&sl->debug_map[i / 64], bit, __ATOMIC_RELAXED) & bit)
		slab_bug(s, obj, "allocator handed out an object twice");
	if (!s->ctor) {
		/* The first word may hold the slab free pointer. */
		for (unsigned int k = sizeof(void *); k < s->object_size; k++)
			if (b[k] != POISON_FREE)
				slab_bug(s, obj, "object written after free (poison overwritten)");
		memset(obj, POISON_INUSE, s->object_size);
	}
}

static void debug_on_free(struct kmem_cache *s, void *obj)
{
	struct slab *sl = virt_to_slab(obj);
	unsigned int i;
	unsigned long bit;

	debug_check_owner(s, sl, obj);
	i = slab_index(s, sl, obj);
	bit = 1ul << (i % 64);
	if (!(__atomic_fetch_and(&sl->debug_map[i / 64], ~bit, __ATOMIC_RELAXED) & bit))
		slab_bug(s, obj, "double free");
	if (!s->ctor)
		memset(obj, POISON_FREE, s->object_size);
}

/* ---- cache lifecycle ------------------------------------------------------- */

static unsigned int header_size(unsigned int objects, bool debug)
{
	unsigned int h = sizeof(struct slab);

	if (debug)
		h += (objects + 63) / 64 * sizeof(unsigned long);
	return h;
}

static struct kmem_cache *cache_create(const char *name, unsigned int size, unsigned int align,
				       unsigned int flags, void (*ctor)(void *))
{
	struct kmem_cache *s = NULL;
	unsigned int id, hdr, objects;
	int err = EINVAL;

	if (!name || !size || size > XSKB_SLAB_MAX_OBJECT || (align & (align - 1)) ||
	    align > PAGE_SZ || (flags & ~(XSKB_SLAB_HWCACHE_ALIGN | XSKB_SLAB_POISON | XSKB_SLAB_PANIC)))
		goto fail;
	err = ENOMEM;
	if (!xskb_should_failslab(XSKB_FAULT_SLAB, XSKB_GFP_KERNEL))
		s = calloc(1, sizeof(*s) + G.nr_nodes * sizeof(s->node[0]));
	if (!s)
		goto fail;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->object_size = size;
	s->flags = flags;
	s->ctor = ctor;
#ifdef XSKB_DEBUG
	s->debug = true;
#else
	s->debug = flags & XSKB_SLAB_POISON;
#endif
	s->align = align ? align : 8;
	if (s->align < 8)
		s->align = 8;
	if ((flags & XSKB_SLAB_HWCACHE_ALIGN) && s->align < XSKB_CACHELINE)
		s->align = XSKB_CACHELINE;
	/* The free pointer lives outside the object when a constructed object's
	 * contents must survive being free; otherwise in its first word (poison
	 * checks skip that word). */
	s->fp_offset = ctor ? XSKB_ALIGN(size, 8u) : 0;
	s->stride = XSKB_ALIGN(s->fp_offset ? s->fp_offset + 8 : (size < 8 ? 8 : size), s->align);
	objects = (CHUNK_SIZE - sizeof(struct slab)) / s->stride;
	for (;;) {
		hdr = XSKB_ALIGN(header_size(objects, s->debug), s->align);
		if (hdr + (unsigned long)objects * s->stride <= CHUNK_SIZE)
			break;
		objects--;
	}
	s->offset = hdr;
	s->objects = objects;
	s->mag_cap = (512u * 1024u) / s->stride;
	if (s->mag_cap > MAX_MAG_CAP)
		s->mag_cap = MAX_MAG_CAP;
	if (s->mag_cap < 4)
		s->mag_cap = 4;
	for (int n = 0; n < G.nr_nodes; n++)
		pthread_mutex_init(&s->node[n].lock, NULL);

	pthread_mutex_lock(&G.lock);
	for (id = 0; id < XSKB_MAX_CACHES && G.caches[id]; id++)
		;
	if (id == XSKB_MAX_CACHES) {
		pthread_mutex_unlock(&G.lock);
		err = ENOSPC;
		goto fail;
	}
	s->id = id;
	G.caches[id] = s;
	pthread_mutex_unlock(&G.lock);
	return s;

fail:
	free(s);
	if (flags & XSKB_SLAB_PANIC) {
		pr_warn("kmem_cache_create(%s, %u, %u) failed: %s\n", name ? name : "(null)", size,
			align, strerror(err));
		abort();
	}
	errno = err;
	return NULL;
}

struct kmem_cache *xskb_kmem_cache_create(const char *name, unsigned int size, unsigned int align,
					  unsigned int flags, void (*ctor)(void *))
{
	int err = slab_ready();

	if (err) {
		if (flags & XSKB_SLAB_PANIC) {
			pr_warn("kmem_cache_create(%s): the allocator could not be set up: %s\n",
				name ? name : "(null)", strerror(-err));
			abort();
		}
		errno = -err;
		return NULL;
	}
	return cache_create(name, size, align, flags, ctor);
}

/* Undo cache_create() of a cache nothing was allocated from. */
static void cache_free(struct kmem_cache *s)
{
	pthread_mutex_lock(&G.lock);
	G.caches[s->id] = NULL;
	pthread_mutex_unlock(&G.lock);
	for (int n = 0; n < G.nr_nodes; n++)
		pthread_mutex_destroy(&s->node[n].lock);
	free(s);
}

/* Drain every thread's magazine of @s back to its slabs. Caller holds G.lock. */
static void drain_magazines_locked(struct kmem_cache *s)
{
	for (struct slab_thread *t = G.threads; t; t = t->next) {
		struct kmem_mag *m = t->mag[s->id];

		if (m) {
			mag_flush(s, m, m->count);
			free(m);
			t->mag[s->id] = NULL;
		}
	}
}

int xskb_kmem_cache_destroy(struct kmem_cache *s)
{
	unsigned long out = 0;

	if (!s)
		return 0;
	if (s == __atomic_load_n(&hot_cache, __ATOMIC_ACQUIRE)) {
		/* Other threads reach its magazines through their TLS. */
		pr_warn("kmem_cache_destroy %s: the skb head cache lives as long as the process\n",
			s->name);
		return -EBUSY;
	}
	pthread_mutex_lock(&G.lock);
	drain_magazines_locked(s);
	for (int n = 0; n < G.nr_nodes; n++)
		out += s->node[n].nr_out;
	if (out) {
		pthread_mutex_unlock(&G.lock);
		pr_warn("kmem_cache_destroy %s: %lu objects still allocated\n", s->name, out);
		return -EBUSY;
	}
	G.caches[s->id] = NULL;
	pthread_mutex_unlock(&G.lock);

	for (int n = 0; n < G.nr_nodes; n++) {
		struct kmem_cache_node *kn = &s->node[n];

		while (kn->partial) {
			struct slab *sl = kn->partial;

			list_del_slab(&kn->partial, sl);
			pool_put(sl);
		}
		pthread_mutex_destroy(&kn->lock);
	}
	free(s);
	return 0;
}

/* ---- allocation ------------------------------------------------------------ */

static XSKB_COLD void alloc_failed(struct kmem_cache *s, xskb_gfp_t gfp, bool injected)
{
	__atomic_fetch_add(&s->alloc_failures, 1, __ATOMIC_RELAXED);
	if (!(gfp & XSKB___GFP_NOWARN) && !__atomic_exchange_n(&s->warned, true, __ATOMIC_RELAXED))
		pr_warn("%s allocation failed (gfp %#x): %s\n", s->name, gfp,
			injected ? "failure injected (xskb_fault_inject, XSKB_FAILSLAB)" :
			(gfp & XSKB___GFP_DIRECT_RECLAIM) ? "out of memory"
							  : "atomic reserve exhausted");
}

static void run_ctors(struct kmem_cache *s, void **fresh, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (s->debug && !s->ctor)
			memset(fresh[i], POISON_FREE, s->object_size);
		if (s->ctor)
			s->ctor(fresh[i]);
	}
}

/* One object straight from node @node's slabs (remote node, no magazine). */
static void *alloc_from_node(struct kmem_cache *s, xskb_gfp_t gfp, int node)
{
	void *obj, *fresh[1];
	unsigned int nfresh;

	if (!slab_take(s, node, gfp, &obj, 1, fresh, &nfresh))
		return NULL;
	run_ctors(s, fresh, nfresh);
	return obj;
}

static void *alloc_slow(struct kmem_cache *s, struct slab_thread *t, xskb_gfp_t gfp)
{
	struct kmem_mag *m = t->mag[s->id];
	void *fresh[MAX_MAG_CAP];
	unsigned int nfresh, got;

	if (!m && !(m = mag_create(s, t)))
		return alloc_from_node(s, gfp, t->node);
	if (m->count)
		return m->objs[--m->count];
	got = slab_take(s, t->node, gfp, m->objs, (m->cap + 1) / 2, fresh, &nfresh);
	m->count = got;
	run_ctors(s, fresh, nfresh);
	return got ? m->objs[--m->count] : NULL;
}

void *xskb_kmem_cache_alloc_node(struct kmem_cache *s, xskb_gfp_t gfp, int node)
{
	struct slab_thread *t;
	void *obj;

	/* The kernel's slab_pre_alloc_hook(): every allocation may be failed. */
	if (xskb_should_failslab(XSKB_FAULT_SLAB, gfp)) {
		alloc_failed(s, gfp, true);
		return NULL;
	}
	t = this_thread();
	if (xskb_unlikely(!t))
		return NULL;
	if (node != XSKB_NUMA_NO_NODE && node != t->node && node >= 0 && node < G.nr_nodes)
		obj = alloc_from_node(s, gfp, node);
	else
		obj = alloc_slow(s, t, gfp);
	if (xskb_unlikely(!obj)) {
		alloc_failed(s, gfp, false);
		return NULL;
	}
	if (xskb_unlikely(s->debug))
		debug_on_alloc(s, obj);
	if (gfp & XSKB___GFP_ZERO)
		memset(obj, 0, s->object_size);
	return obj;
}

void *xskb_kmem_cache_alloc(struct kmem_cache *s, xskb_gfp_t gfp)
{
	return xskb_kmem_cache_alloc_node(s, gfp, XSKB_NUMA_NO_NODE);
}

void xskb_kmem_cache_free(struct kmem_cache *s, void *obj)
{
	struct slab_thread *t;
	struct kmem_mag *m;
	struct slab *sl;

	if (!obj)
		return;
	if (xskb_unlikely(s->debug))
		debug_on_free(s, obj);
	sl = virt_to_slab(obj);
	t = this_thread();
	if (xskb_unlikely(!t || sl->node != t->node)) {
		/* Remote node (or no thread state): straight back to the slab. */
		slab_put_bulk(s, &obj, 1);
		return;
	}
	m = t->mag[s->id];
	if (!m && !(m = mag_create(s, t))) {
		slab_put_bulk(s, &obj, 1);
		return;
	}
	if (m->count == m->cap)
		mag_flush(s, m, m->cap / 2);
	m->objs[m->count++] = obj;
}

int xskb_kmem_cache_alloc_bulk(struct kmem_cache *s, xskb_gfp_t gfp, size_t nr, void **p)
{
	for (size_t i = 0; i < nr; i++) {
		p[i] = xskb_kmem_cache_alloc(s, gfp);
		if (!p[i]) {
			xskb_kmem_cache_free_bulk(s, i, p);
			return 0;
		}
	}
	return (int)nr;
}

void xskb_kmem_cache_free_bulk(struct kmem_cache *s, size_t nr, void **p)
{
	for (size_t i = 0; i < nr; i++)
		xskb_kmem_cache_free(s, p[i]);
}

unsigned int xskb_kmem_cache_size(const struct kmem_cache *s)
{
	return s->object_size;
}

const char *xskb_kmem_cache_name(const struct kmem_cache *s)
{
	return s->name;
}

/* ---- kmalloc ---------------------------------------------------------------- */

static const unsigned int kmalloc_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
	8192, 16384, 32768, 65536, 131072,
};
#define NR_KMALLOC (sizeof(kmalloc_sizes) / sizeof(kmalloc_sizes[0]))

static inline unsigned int kmalloc_index(size_t size)
{
	if (size <= 64)
		return size <= 8 ? 0 : size <= 16 ? 1 : size <= 32 ? 2 : 3;
	if (size <= 96)
		return 4;
	if (size <= 128)
		return 5;
	if (size <= 192)
		return 6;
	/* 256 -> 7 ... 131072 -> 16: index of the next power of two */
	return (unsigned int)(64 - __builtin_clzl(size - 1)) - 1;
}

/* The size-class caches; on failure none is left. Returns 0 or -errno. */
static int kmalloc_init(void)
{
	for (unsigned int i = 0; i < NR_KMALLOC; i++) {
		unsigned int sz = kmalloc_sizes[i];
		char name[32];

		snprintf(name, sizeof(name), "kmalloc-%u%s", sz >= 1024 ? sz / 1024 : sz,
			 sz >= 1024 ? "k" : "");
		/* Power-of-two classes are naturally aligned, as in the kernel. */
		G.kmalloc_caches[i] = cache_create(name, sz, (sz & (sz - 1)) ? 32 :
					  (sz > PAGE_SZ ? PAGE_SZ : sz), 0, NULL);
		if (!G.kmalloc_caches[i]) {
			int err = -errno;

			pr_warn("cannot create the kmalloc cache %s: %s\n", name, strerror(errno));
			while (i--) {
				cache_free(G.kmalloc_caches[i]);
				G.kmalloc_caches[i] = NULL;
			}
			return err;
		}
		if (sz > PAGE_SZ) {
			/* Natural alignment above a page: first object at its size. */
			struct kmem_cache *s = G.kmalloc_caches[i];

			s->offset = sz;
			s->objects = (CHUNK_SIZE - sz) / s->stride;
		}
		G.kmalloc_caches[i]->kmalloc = true;
		G.kmalloc_caches[i]->kmalloc_idx = i;
	}
	return 0;
}

static void *kmalloc_large(size_t size, xskb_gfp_t gfp, int node)
{
	size_t len = PAGE_SZ + XSKB_ALIGN(size, PAGE_SZ);
	struct slab *hdr;

	if (!(gfp & XSKB___GFP_DIRECT_RECLAIM)) {
		if (!(gfp & XSKB___GFP_NOWARN))
			pr_warn("kmalloc(%zu) above %u bytes needs GFP_KERNEL\n", size,
				XSKB_KMALLOC_MAX_CACHE_SIZE);
		return NULL;
	}
	if (node < 0 || node >= G.nr_nodes)
		node = this_thread() ? xskb_slab_tl->node : 0;
	hdr = map_aligned(len, node, false);	/* the page allocator's failure point */
	if (!hdr)
		return NULL;
	hdr->magic = LARGE_MAGIC;
	hdr->node = node;
	hdr->map_len = len;
	__atomic_fetch_add(&G.pool[node].nr_large, 1, __ATOMIC_RELAXED);
	return (char *)hdr + PAGE_SZ;	/* fresh anonymous memory is already zero */
}

void *xskb_kmalloc_node(size_t size, xskb_gfp_t gfp, int node)
{
	/* Fast path: a non-empty magazine of this thread's size class. */
	if (xskb_likely(size - 1 < XSKB_KMALLOC_MAX_CACHE_SIZE && node == XSKB_NUMA_NO_NODE &&
			!(gfp & XSKB___GFP_ZERO) && !xskb_failslab_on())) {
		struct kmem_mag *m = kmalloc_mag[kmalloc_index(size)];

		if (xskb_likely(m != NULL) && xskb_likely(m->count))
			return m->objs[--m->count];
	}
	if (xskb_unlikely(!size))
		return XSKB_ZERO_SIZE_PTR;
	if (xskb_unlikely(size > XSKB_KMALLOC_MAX_CACHE_SIZE))
		return slab_ready() ? NULL : kmalloc_large(size, gfp, node);
	if (xskb_unlikely(!xskb_slab_tl) && !slab_thread_init())
		return NULL;
	return xskb_kmem_cache_alloc_node(G.kmalloc_caches[kmalloc_index(size)], gfp, node);
}

void *xskb_kmalloc(size_t size, xskb_gfp_t gfp)
{
	return xskb_kmalloc_node(size, gfp, XSKB_NUMA_NO_NODE);
}

static XSKB_COLD XSKB_NORETURN void kfree_bug(const void *p, const char *what)
{
	xskb_log(XSKB_LOG_WARN, "kfree(%p): %s\n", p, what);
	abort();
}

static struct slab *kmalloc_owner(const void *p, const char *fn)
{
	struct slab *sl = virt_to_slab(p);

	(void)fn;
	if (xskb_unlikely(!chunk_map() || !chunk_map_test((unsigned long)sl)))
		kfree_bug(p, "pointer was not allocated by xskb (foreign pointer)");
	if (sl->magic == LARGE_MAGIC) {
		if ((const char *)p != (const char *)sl + PAGE_SZ)
			kfree_bug(p, "pointer is inside a large allocation, not its start");
		return sl;
	}
	if (xskb_unlikely(sl->magic != SLAB_MAGIC))
		kfree_bug(p, "pointer is in a free chunk (use after free or double free)");
	return sl;
}

void xskb_kfree(const void *p)
{
	struct slab *sl = virt_to_slab(p);
	struct slab_thread *t = xskb_slab_tl;

	/* Fast path: a slab object of this thread's node, room in its
	 * magazine. The chunk map check stays: foreign pointers must abort. */
	if (xskb_likely(!XSKB_ZERO_OR_NULL_PTR(p) && t && chunk_map() &&
			chunk_map_test((unsigned long)sl) && sl->magic == SLAB_MAGIC &&
			sl->node == t->node && !sl->cache->debug)) {
		struct kmem_mag *m = t->mag[sl->cache->id];

		if (xskb_likely(m != NULL) && xskb_likely(m->count < m->cap)) {
			m->objs[m->count++] = (void *)p;
			return;
		}
	}
	if (XSKB_ZERO_OR_NULL_PTR(p))
		return;
	sl = kmalloc_owner(p, "kfree");
	if (sl->magic == LARGE_MAGIC) {
		__atomic_fetch_sub(&G.pool[sl->node].nr_large, 1, __ATOMIC_RELAXED);
		sl->magic = 0;
		unmap_chunks(sl, sl->map_len);
		return;
	}
	xskb_kmem_cache_free(sl->cache, (void *)p);
}

size_t xskb_ksize(const void *p)
{
	struct slab *sl;

	if (XSKB_ZERO_OR_NULL_PTR(p))
		return 0;
	sl = kmalloc_owner(p, "ksize");
	if (sl->magic == LARGE_MAGIC)
		return sl->map_len - PAGE_SZ;
	return sl->cache->object_size;
}

size_t xskb_kmalloc_size_roundup(size_t size)
{
	if (!size)
		return 0;
	if (size > XSKB_KMALLOC_MAX_CACHE_SIZE)
		return size > SIZE_MAX - PAGE_SZ ? SIZE_MAX : XSKB_ALIGN(size, PAGE_SZ);
	return kmalloc_sizes[kmalloc_index(size)];
}

/* ---- kvmalloc ---------------------------------------------------------------- */

/*
 * The kernel's kvmalloc() falls back to vmalloc() for memory that need not
 * be contiguous; here that is the C library heap, which also keeps such
 * set-up arrays visible to valgrind. It fails under fault injection as
 * kmalloc() does.
 */
void *xskb_kvmalloc_node(size_t size, xskb_gfp_t gfp, int node)
{
	(void)node;	/* a hint; the heap has no placement */
	if (!size)
		return XSKB_ZERO_SIZE_PTR;
	if (xskb_should_failslab(XSKB_FAULT_SLAB, gfp))
		return NULL;
	return (gfp & XSKB___GFP_ZERO) ? calloc(1, size) : malloc(size);
}

void xskb_kvfree(const void *p)
{
	unsigned long *map = chunk_map();

	if (XSKB_ZERO_OR_NULL_PTR(p))
		return;
	if (map && chunk_map_test((unsigned long)virt_to_slab(p)))
		xskb_kfree(p);	/* kvfree() takes kmalloc() memory too */
	else
		free((void *)p);
}

/* ---- reserve and statistics ------------------------------------------------- */

static bool node_ok(int node)
{
	return !slab_ready() && node >= 0 && node < G.nr_nodes;
}

int xskb_slab_set_reserve(int node, const struct xskb_slab_reserve *r)
{
	int err;

	if (!r || r->min_chunks > r->low_chunks || r->low_chunks > r->high_chunks ||
	    r->high_chunks > MAX_RESERVE)
		return -EINVAL;
	err = slab_ready();
	if (err)
		return err;
	if (node != XSKB_NUMA_NO_NODE && !node_ok(node))
		return -EINVAL;
	for (int n = 0; n < G.nr_nodes; n++) {
		if (node != XSKB_NUMA_NO_NODE && n != node)
			continue;
		pthread_mutex_lock(&G.pool[n].lock);
		G.pool[n].wm = *r;
		G.pool[n].boost = 0;
		pthread_mutex_unlock(&G.pool[n].lock);
		pool_balance(n);
	}
	return 0;
}

int xskb_slab_get_reserve(int node, struct xskb_slab_reserve *r)
{
	if (!r || !node_ok(node))
		return -EINVAL;
	pthread_mutex_lock(&G.pool[node].lock);
	*r = G.pool[node].wm;
	pthread_mutex_unlock(&G.pool[node].lock);
	return 0;
}

int xskb_slab_pool_stats(int node, struct xskb_slab_pool_stats *st)
{
	struct chunk_pool *p;

	if (!st || !node_ok(node))
		return -EINVAL;
	p = &G.pool[node];
	pthread_mutex_lock(&p->lock);
	st->free_chunks = p->nr_free;
	st->mapped_chunks = p->nr_mapped;
	st->large_mappings = __atomic_load_n(&p->nr_large, __ATOMIC_RELAXED);
	st->refills = __atomic_load_n(&p->refills, __ATOMIC_RELAXED);
	st->boost = p->boost;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void xskb_slab_shrink(void)
{
	if (slab_ready())
		return;
	for (int n = 0; n < G.nr_nodes; n++) {
		struct chunk_pool *p = &G.pool[n];
		struct xskb_slab_reserve saved;

		pthread_mutex_lock(&p->lock);
		saved = p->wm;
		p->wm.high_chunks = 0;
		p->boost = 0;
		pthread_mutex_unlock(&p->lock);
		pool_balance(n);
		pthread_mutex_lock(&p->lock);
		p->wm = saved;
		pthread_mutex_unlock(&p->lock);
	}
}

int xskb_kmem_cache_stats(struct kmem_cache *s, struct xskb_slab_stats *st)
{
	unsigned long out = 0, cached = 0;

	if (!s || !st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->object_size = s->object_size;
	st->stride = s->stride;
	st->align = s->align;
	st->objects_per_slab = s->objects;
	pthread_mutex_lock(&G.lock);
	for (struct slab_thread *t = G.threads; t; t = t->next)
		if (t->mag[s->id])
			cached += __atomic_load_n(&t->mag[s->id]->count, __ATOMIC_RELAXED);
	for (int n = 0; n < G.nr_nodes; n++) {
		struct kmem_cache_node *kn = &s->node[n];

		pthread_mutex_lock(&kn->lock);
		st->slabs += kn->nr_slabs;
		st->slabs_partial += kn->nr_partial;
		out += kn->nr_out;
		pthread_mutex_unlock(&kn->lock);
	}
	pthread_mutex_unlock(&G.lock);
	st->slabs_full = st->slabs - st->slabs_partial;
	st->objects_cached = cached;
	st->objects_in_use = out - cached;
	st->alloc_failures = __atomic_load_n(&s->alloc_failures, __ATOMIC_RELAXED);
	return 0;
}

void xskb_slabinfo(FILE *f)
{
	if (slab_ready())
		return;
	fprintf(f, "%-24s %10s %10s %8s %8s %8s %8s\n", "# name", "in_use", "cached", "objsize",
		"stride", "per_slab", "slabs");
	for (unsigned int id = 0; id < XSKB_MAX_CACHES; id++) {
		struct kmem_cache *s;
		struct xskb_slab_stats st;

		pthread_mutex_lock(&G.lock);
		s = G.caches[id];
		pthread_mutex_unlock(&G.lock);
		if (!s || xskb_kmem_cache_stats(s, &st))
			continue;
		if (!st.slabs && s->kmalloc)
			continue;
		fprintf(f, "%-24s %10lu %10lu %8u %8u %8u %8lu\n", s->name, st.objects_in_use,
			st.objects_cached, st.object_size, st.stride, st.objects_per_slab, st.slabs);
	}
}

/* ---- init ------------------------------------------------------------------- */

/* Unmap a pool's free chunks (all of them: at set-up no cache has one). */
static void pool_release_all(struct chunk_pool *p)
{
	while (p->free) {
		struct slab *c = p->free;

		p->free = c->next;
		unmap_chunks(c, CHUNK_SIZE);
	}
	p->nr_free = p->nr_mapped = 0;
}

/*
 * Called once, under G.init_lock, until it succeeds. Every failure is
 * printed and undone; returns 0 or a negative errno.
 */
static int slab_global_init(void)
{
	const struct xskb_slab_reserve def = {
		.min_chunks = 2, .low_chunks = 4, .high_chunks = 8, .background_refill = true,
	};
	size_t map_bytes = (1ul << (VA_BITS - XSKB_SLAB_CHUNK_SHIFT)) / 8;
	unsigned long *map = MAP_FAILED;
	int err, n;

	pthread_once(&F.env_once, fault_env);
	G.numa = numa_available() >= 0;
	G.nr_nodes = G.numa ? numa_max_node() + 1 : 1;
	if (G.nr_nodes > XSKB_MAX_NODES)
		G.nr_nodes = XSKB_MAX_NODES;
	errno = ENOMEM;
	if (!xskb_should_failslab(XSKB_FAULT_PAGE, XSKB_GFP_KERNEL))
		map = mmap(NULL, map_bytes, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		err = -errno;
		pr_warn("cannot reserve the slab chunk map (%zu bytes of address space): %s\n",
			map_bytes, strerror(errno));
		return err;
	}
	__atomic_store_n(&G.chunk_map, map, __ATOMIC_RELEASE);
	err = -pthread_key_create(&G.key, slab_thread_exit);
	if (err) {
		pr_warn("cannot create the slab's thread key: %s\n", strerror(-err));
		goto out_map;
	}
	if (!G.atfork_done) {	/* cannot be undone: registered at most once */
		pthread_atfork(NULL, NULL, kswapd_child_after_fork);
		G.atfork_done = true;
	}
	/* Boost at most to 1/32 of memory, between 64 MiB and 1 GiB. */
	long pages = sysconf(_SC_PHYS_PAGES);
	unsigned long boost_max = pages > 0 ? (unsigned long)pages * PAGE_SZ / 32 / CHUNK_SIZE : 64;

	boost_max = boost_max < 64 ? 64 : boost_max > 1024 ? 1024 : boost_max;
	for (n = 0; n < G.nr_nodes; n++) {
		struct chunk_pool *p = &G.pool[n];

		memset(p, 0, sizeof(*p));
		pthread_mutex_init(&p->lock, NULL);
		p->boost_max = boost_max;
		p->wm = def;
		pool_balance(n);	/* an empty pool is no error: GFP_KERNEL maps */
	}
	err = kmalloc_init();
	if (err)
		goto out_pools;
	return 0;

out_pools:
	for (n = 0; n < G.nr_nodes; n++) {
		pool_release_all(&G.pool[n]);
		pthread_mutex_destroy(&G.pool[n].lock);
	}
	pthread_key_delete(G.key);
out_map:
	__atomic_store_n(&G.chunk_map, NULL, __ATOMIC_RELEASE);
	munmap(map, map_bytes);
	return err;
}
