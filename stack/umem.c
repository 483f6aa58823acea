/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UMEM: the frame area (NUMA-local, optionally on huge pages), the free-frame
 * stack, per-frame states and the release path of frame-backed sk_buffs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <numa.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "slab_internal.h"
#include "dev_internal.h"
#include "queue.h"

#define HUGE_2M (2ul << 20)

/* ---- owners ----------------------------------------------------------------- */

static struct xskb_owner nobody = { .refs = 1, .dead = 0 };
__thread struct xskb_owner *xskb_self XSKB_TLS = &nobody;

static pthread_key_t owner_key;
static pthread_once_t owner_once = PTHREAD_ONCE_INIT;

/*
 * Spent tokens are never freed: a claimer may still be reading a dead
 * token's flag when another thread's claim drops its last reference, and a
 * freed token's address could come back as a new thread's and fool a CAS.
 * They stay on this list (a few bytes per thread that ever polled).
 */
static struct xskb_owner *spent_owners;

static void owner_put(struct xskb_owner *o)
{
	struct xskb_owner *head;

	if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL))
		return;
	head = __atomic_load_n(&spent_owners, __ATOMIC_RELAXED);
	do
		o->next = head;
	while (!__atomic_compare_exchange_n(&spent_owners, &head, o, true, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED));
}

/* The thread's exit: its UMEMs may be taken over from now on. */
static void owner_exit(void *arg)
{
	struct xskb_owner *o = arg;

	__atomic_store_n(&o->dead, 1, __ATOMIC_RELEASE);
	owner_put(o);
}

static void owner_key_init(void)
{
	if (pthread_key_create(&owner_key, owner_exit))
		pr_warn("cannot register the thread-exit hook: UMEMs of exited threads stay "
			"claimed\n");
}

static struct xskb_owner *owner_self(void)
{
	struct xskb_owner *o = xskb_self;

	if (o != &nobody)
		return o;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->refs = 1;
	pthread_once(&owner_once, owner_key_init);
	pthread_setspecific(owner_key, o);
	xskb_self = o;
	return o;
}

static bool owner_gone(const struct xskb_owner *o)
{
	return !o || __atomic_load_n(&o->dead, __ATOMIC_ACQUIRE);
}

void xskb_umem_claim(struct xskb_umem *u)
{
	struct xskb_owner *me = owner_self(), *cur;

	if (!me)
		return;
	cur = __atomic_load_n(&u->owner, __ATOMIC_ACQUIRE);
	while (cur != me && owner_gone(cur)) {
		__atomic_add_fetch(&me->refs, 1, __ATOMIC_RELAXED);
		/* Acquire: the dead owner's last writes to the free stack. */
		if (__atomic_compare_exchange_n(&u->owner, &cur, me, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			if (cur)
				owner_put(cur);
			return;
		}
		owner_put(me);
	}
}

void xskb_umem_release_owner(struct xskb_umem *u)
{
	if (!xskb_umem_owned(u))
		return;
	/* Release: our last writes to the free stack, for the next owner. */
	__atomic_store_n(&u->owner, NULL, __ATOMIC_RELEASE);
	owner_put(xskb_self);
}

int xskb_umem_may_change(struct xskb_umem *u, const char *what)
{
	if (owner_gone(__atomic_load_n(&u->owner, __ATOMIC_ACQUIRE)) || xskb_umem_owned(u))
		return 0;
	pr_warn("%s: another thread polls this UMEM; stop its NAPI loop first, or do this "
		"from that thread\n", what);
	return -EBUSY;
}

/* ---- frame release --------------------------------------------------------- */

void xskb_umem_frame_bug(struct xskb_umem *u, unsigned int idx, const char *what)
{
	fprintf(stderr, "xskb: UMEM frame %u of %u (state %u): %s\n", idx, u->frame_count,
		u->state[idx], what);
	fflush(stderr);
	abort();
}

/*
 * Lock-free push of a frame freed on a thread that does not poll the UMEM.
 * Only the owner pops, and it takes the whole list at once, so there is no
 * ABA problem.
 */
#define REMOTE_FIRST(w)	((__u32)(w))		/* frame index + 1, 0: empty */
#define REMOTE_LEN(w)	((__u32)((w) >> 32))

void xskb_umem_remote_free(struct xskb_umem *u, unsigned int idx)
{
	__u64 old = __atomic_load_n(&u->remote, __ATOMIC_RELAXED), new;

#ifdef XSKB_DEBUG
	if (__atomic_load_n(&u->state[idx], __ATOMIC_RELAXED) != FRAME_HELD)
		xskb_umem_frame_bug(u, idx, "freed but not held by an skb (double free?)");
#endif
	__atomic_store_n(&u->state[idx], FRAME_FREE, __ATOMIC_RELAXED);
	do {
		__atomic_store_n(&u->remote_next[idx], REMOTE_FIRST(old), __ATOMIC_RELAXED);
		new = ((__u64)(REMOTE_LEN(old) + 1) << 32) | (idx + 1);
		/* Release: the state and remote_next[idx] are visible before
		 * the new head. */
	} while (!__atomic_compare_exchange_n(&u->remote, &old, new, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
}

void xskb_umem_drain_remote(struct xskb_umem *u)
{
	/* Acquire: pairs with the pushers' release, so remote_next is read whole. */
	__u32 i = REMOTE_FIRST(__atomic_exchange_n(&u->remote, 0, __ATOMIC_ACQUIRE));

	while (i) {
		u->free_stack[u->nr_free++] = i - 1;
		i = __atomic_load_n(&u->remote_next[i - 1], __ATOMIC_RELAXED);
	}
}

/* skb_free_head() of a frame-backed skb: the last reference to its data went. */
static void umem_free_head(struct xskb_head_owner *owner, unsigned char *head)
{
	struct xskb_umem *u = xskb_container_of(owner, struct xskb_umem, head_owner);

	xskb_umem_recycle(u, xskb_frame_index(u, head));
}

/* put_page() of a frame used as a page fragment dropped the last reference. */
static void umem_page_release(struct page *page)
{
	struct xskb_umem *u = (struct xskb_umem *)page->priv;

	xskb_umem_recycle(u, (unsigned int)(page - u->pages));
}

static const struct xskb_page_ops umem_page_ops = { .release = umem_page_release };

/* ---- queues ------------------------------------------------------------------- */

int xskb_umem_attach_queue(struct xskb_umem *u, struct xskb_queue *q)
{
	for (unsigned int s = 0; s < XSKB_UMEM_MAX_QUEUES; s++) {
		if (u->queues[s] || u->retired[s].frames)
			continue;
		/* The UMEM holds the device for skb->dev (see umem_release_devs). */
		if (q->dev) {
			unsigned int k;

			for (k = 0; k < XSKB_UMEM_MAX_QUEUES && u->devs[k] != q->dev; k++) {
				if (!u->devs[k]) {
					xskb_dev_hold(q->dev);
					u->devs[k] = q->dev;
					break;
				}
			}
			if (k == XSKB_UMEM_MAX_QUEUES) {
				pr_warn("a UMEM serves queues of at most %d devices over its life; "
					"create another UMEM\n", XSKB_UMEM_MAX_QUEUES);
				return -ENOSPC;
			}
		}
		u->queues[s] = q;
		u->nr_queues++;
		q->slot = (__u8)(FRAME_FILL + s);
		q->tx_slot = (__u8)(FRAME_TX + s);
		return 0;
	}
	pr_warn("a UMEM serves at most %d queues; create another UMEM\n", XSKB_UMEM_MAX_QUEUES);
	return -ENOSPC;
}

/* Frames in slot state @slot back to FREE; returns how many. */
static unsigned int umem_free_slot(struct xskb_umem *u, __u8 slot)
{
	unsigned int back = 0;

	for (unsigned int i = 0; i < u->frame_count; i++) {
		if (u->state[i] != slot)
			continue;
		xskb_umem_push_free(u, i);
		back++;
	}
	return back;
}

void xskb_umem_detach_queue(struct xskb_umem *u, struct xskb_queue *q, bool retire)
{
	unsigned int s = q->slot - FRAME_FILL, n = (unsigned int)(q->posted - q->received);
	unsigned int tx = (unsigned int)xskb_queue_tx_frames(q);

	/* Sent frames not yet completed: the kernel is done with them once the
	 * socket is closed (copy mode copied them into its skbs), but a
	 * zero-copy NIC may still read them until the pool goes, like the
	 * frames it may still write: those join the retired FILL frames. */
	if (tx) {
		unsigned int back = 0;

		for (unsigned int i = 0; i < u->frame_count; i++) {
			if (u->state[i] != q->tx_slot)
				continue;
			if (retire)
				u->state[i] = q->slot;
			else
				xskb_umem_push_free(u, i);
			back++;
		}
		if (back != tx)
			xskb_umem_frame_bug(u, 0, "queue teardown: frames in TX do not match sent - "
					    "completed");
		if (retire)
			n += tx;
		q->tx_done = q->tx_sent;
	}
	if (retire && n) {
		u->retired[s].frames = n;
		u->retired[s].ifindex = q->netdev->ifindex;
		u->retired[s].queue_id = q->queue_id;
		pr_debug("%s queue %u: %u frames wait for the kernel to release the zero-copy pool\n",
			 q->netdev->name, q->queue_id, n);
	} else if (umem_free_slot(u, q->slot) != n) {
		xskb_umem_frame_bug(u, 0, "queue teardown: frames in FILL do not match posted - received");
	}
	u->queues[s] = NULL;
	u->nr_queues--;
}

void xskb_umem_release_retired(struct xskb_umem *u, int ifindex, unsigned int queue_id)
{
	for (unsigned int s = 0; s < XSKB_UMEM_MAX_QUEUES; s++) {
		if (!u->retired[s].frames || u->retired[s].ifindex != ifindex ||
		    u->retired[s].queue_id != queue_id)
			continue;
		if (umem_free_slot(u, (__u8)(FRAME_FILL + s)) != u->retired[s].frames)
			xskb_umem_frame_bug(u, 0, "retired frames do not match their count");
		u->retired[s].frames = 0;
	}
}

struct net_device *xskb_umem_alloc_netdev(struct xskb_umem *u)
{
	struct xskb_parked_netdev *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->next = u->parked;
	u->parked = p;
	return &p->dev;
}

/* The devices skbs of this UMEM may name: none is left. */
static void umem_release_devs(struct xskb_umem *u)
{
	for (unsigned int k = 0; k < XSKB_UMEM_MAX_QUEUES && u->devs[k]; k++)
		xskb_dev_put(u->devs[k]);
	while (u->parked) {
		struct xskb_parked_netdev *p = u->parked;

		u->parked = p->next;
		free(p);
	}
}

/* Set-up memory that fault injection may fail, like the kernel's kvzalloc(). */
static void *umem_zalloc(size_t size)
{
	return xskb_kvmalloc_node(size, XSKB_GFP_KERNEL | XSKB___GFP_ZERO, XSKB_NUMA_NO_NODE);
}

/* ---- area ------------------------------------------------------------------------ */

static int node_of_ifname(const char *ifname)
{
	char path[128], buf[16];
	FILE *f;
	int node = -1;

	if (!ifname || strchr(ifname, '/'))
		return -1;
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/numa_node", ifname);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		node = atoi(buf);
	fclose(f);
	return node;
}

static int local_node(void)
{
	int cpu = sched_getcpu();

	if (numa_available() < 0 || cpu < 0)
		return 0;
	return numa_node_of_cpu(cpu) < 0 ? 0 : numa_node_of_cpu(cpu);
}

/*
 * The frame area: hugetlb pages when asked for (falling back with a message),
 * else anonymous memory aligned to 2 MiB and advised for transparent huge
 * pages. A packet touches a new 4 KiB page nearly every time, so with small
 * pages every packet also costs a TLB miss (replay: 3% of the time). *mapped
 * gets the length to unmap.
 */
static void *map_area(size_t len, int node, bool *huge, size_t *mapped)
{
	const size_t alen = XSKB_ALIGN(len, HUGE_2M);
	void *p = MAP_FAILED;

	if (xskb_should_failslab(XSKB_FAULT_PAGE, XSKB_GFP_KERNEL))
		return NULL;

	if (*huge) {
		p = mmap(NULL, alen, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (p == MAP_FAILED) {
			pr_info("no hugetlb pages for a %zu-byte UMEM (%s); using transparent huge "
				"pages where the kernel gives them, else 4 KiB pages. Reserve some "
				"with: echo N > /proc/sys/vm/nr_hugepages\n",
				len, strerror(errno));
			*huge = false;
		}
	}
	*mapped = alen;
	if (p == MAP_FAILED && len >= HUGE_2M) {
		/* Over-map by 2 MiB and keep the aligned part. */
		unsigned char *raw = mmap(NULL, alen + HUGE_2M, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (raw != MAP_FAILED) {
			unsigned char *a = (unsigned char *)XSKB_ALIGN((uintptr_t)raw, HUGE_2M);

			if (a > raw)
				munmap(raw, (size_t)(a - raw));
			munmap(a + alen, (size_t)(raw + HUGE_2M - a));
			/* Advice only: without THP the area stays on 4 KiB pages. */
			(void)madvise(a, alen, MADV_HUGEPAGE);
			p = a;
		}
	}
	if (p == MAP_FAILED) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		*mapped = len;
	}
	if (p == MAP_FAILED)
		return NULL;
	/* Bind before the first touch so every page lands on the node. */
	if (numa_available() >= 0)
		numa_tonode_memory(p, *mapped, node);
	return p;
}

int xskb_umem__create(struct xskb_umem **out, int numa_node, const struct xskb_umem_opts *opts)
{
	unsigned int count, size, headroom;
	struct xskb_umem *u;
	bool huge;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	err = XSKB_OPTS_CHECK(opts, "xskb_umem_opts");
	if (err)
		return err;
	count = XSKB_OPT(opts, frame_count, XSKB_UMEM_DEFAULT_FRAMES);
	size = XSKB_OPT(opts, frame_size, XSKB_UMEM_DEFAULT_FRAME_SIZE);
	headroom = XSKB_OPT(opts, headroom, 0u);
	huge = XSKB_OPT(opts, hugepages, false);
	if (size != 2048 && size != 4096) {
		pr_warn("UMEM frame size %u: use 2048 or 4096\n", size);
		return -EINVAL;
	}
	if (count > XSKB_UMEM_MAX_FRAMES) {
		pr_warn("UMEM frame count %u: at most %u\n", count, XSKB_UMEM_MAX_FRAMES);
		return -EINVAL;
	}
	/* The kernel adds XDP_PACKET_HEADROOM (256); keep room for a minimal
	 * Ethernet frame so the headroom cannot swallow the whole frame. */
	if (headroom > size - 256 - XSKB_SHINFO_SIZE - 128) {
		pr_warn("UMEM headroom %u too large for %u-byte frames (at most %u)\n", headroom,
			size, (unsigned int)(size - 256 - XSKB_SHINFO_SIZE - 128));
		return -EINVAL;
	}
	if (numa_node == XSKB_NUMA_NO_NODE)
		numa_node = node_of_ifname(XSKB_OPT(opts, ifname, (const char *)NULL));
	if (numa_node < 0)
		numa_node = local_node();
	else if (numa_available() >= 0 ? numa_node > numa_max_node() : numa_node != 0) {
		pr_warn("NUMA node %d does not exist\n", numa_node);
		return -EINVAL;
	}

	u = umem_zalloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->frame_count = count;
	u->frame_size = size;
	u->frame_shift = (unsigned int)__builtin_ctz(size);
	u->headroom = headroom;
	u->numa_node = numa_node;
	u->reg_fd = -1;
	u->area_len = (size_t)count * size;
	u->head_owner.free_head = umem_free_head;
	u->area = map_area(u->area_len, numa_node, &huge, &u->area_mapped);
	u->hugepages = huge;
	u->want_tx_metadata = XSKB_OPT(opts, tx_metadata, false);
	u->tx_sw_csum = XSKB_OPT(opts, tx_sw_csum, false);
	u->free_stack = umem_zalloc((size_t)count * sizeof(*u->free_stack));
	u->remote_next = umem_zalloc((size_t)count * sizeof(*u->remote_next));
	u->state = umem_zalloc((size_t)count * sizeof(*u->state));
	u->pages = umem_zalloc((size_t)count * sizeof(*u->pages));
	if (!u->area || !u->free_stack || !u->remote_next || !u->state || !u->pages) {
		pr_warn("cannot allocate a UMEM of %u x %u bytes: %s\n", count, size,
			strerror(ENOMEM));
		err = -ENOMEM;
		goto out_free;
	}
	/* Lowest frames on top of the stack: the first fill posts frames
	 * 0..n-1 (a refill run takes the stack's top n entries, so within a
	 * run they go out highest first). */
	for (unsigned int i = 0; i < count; i++) {
		u->free_stack[i] = count - 1 - i;
		u->pages[i].address = xskb_frame_addr(u, i);
		u->pages[i].ops = &umem_page_ops;
		u->pages[i].priv = (unsigned long)u;
	}
	u->nr_free = count;
	*out = u;
	return 0;

out_free:
	if (u->area)
		munmap(u->area, u->area_mapped);
	xskb_kvfree(u->free_stack);
	xskb_kvfree(u->remote_next);
	xskb_kvfree(u->state);
	xskb_kvfree(u->pages);
	xskb_kvfree(u);
	return err;
}

int xskb_umem__delete(struct xskb_umem *u)
{
	struct xskb_frame_stats st;

	if (!u)
		return 0;
	if (u->nr_queues) {
		pr_warn("UMEM still used by %u queue(s): destroy them first\n", u->nr_queues);
		return -EBUSY;
	}
	xskb_umem_claim(u);
	if (xskb_umem_owned(u))
		xskb_umem_drain_remote(u);
	xskb_umem__frame_stats(u, &st);
	if (st.held) {
		pr_warn("UMEM teardown with %u frame(s) still held by sk_buffs: free them first\n",
			st.held);
#ifdef XSKB_DEBUG
		xskb_umem_frame_bug(u, 0, "teardown with frames held (leaked sk_buffs)");
#endif
		xskb_umem_release_owner(u);
		return -EBUSY;
	}
#ifdef XSKB_DEBUG
	if (xskb_umem__check(u))
		xskb_umem_frame_bug(u, 0, "teardown: frame accounting broken");
#endif
	xskb_umem_release_owner(u);
	umem_release_devs(u);
	munmap(u->area, u->area_mapped);
	xskb_kvfree(u->free_stack);
	xskb_kvfree(u->remote_next);
	xskb_kvfree(u->state);
	xskb_kvfree(u->pages);
	xskb_kvfree(u);
	return 0;
}

/* ---- accounting ------------------------------------------------------------------- */

int xskb_umem__frame_stats(struct xskb_umem *u, struct xskb_frame_stats *st)
{
	unsigned int remote;

	if (!u || !st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	remote = REMOTE_LEN(__atomic_load_n(&u->remote, __ATOMIC_ACQUIRE));
	st->frames = u->frame_count;
	st->free = u->nr_free + remote;
	for (unsigned int s = 0; s < XSKB_UMEM_MAX_QUEUES; s++) {
		struct xskb_queue *q = u->queues[s];

		st->fill += u->retired[s].frames;	/* the kernel's until it lets go */
		if (!q)
			continue;
		st->fill += (unsigned int)(q->posted - q->received);
		st->tx += (unsigned int)xskb_queue_tx_frames(q);
		st->fill_ring += xskb_ring_prod_pending(&q->fill);
		st->rx_ring += __atomic_load_n(q->rx.producer, __ATOMIC_ACQUIRE) - *q->rx.consumer;
	}
	st->held = st->frames - st->free - st->fill - st->tx;
	return 0;
}

/*
 * One pass of xskb_umem__check(). Frees on other threads run meanwhile: a
 * frame's state turns FREE a moment before its push onto the remote list
 * publishes it, so totals that disagree are -EAGAIN (checked again), and
 * only what no free in flight explains is -EUCLEAN. @say: print why.
 */
static int umem_check_once(struct xskb_umem *u, unsigned char *seen, bool say)
{
	unsigned int counts[FRAME_STATES] = { 0 };
	struct xskb_frame_stats st;
	__u64 remote;
	__u32 listed = 0;

#define CHECK_FAIL(err, ...)				\
	do {						\
		if (say)				\
			pr_warn(__VA_ARGS__);		\
		return err;				\
	} while (0)

	memset(seen, 0, u->frame_count);
	/* The remote list first (acquire: its frames' FREE states are visible),
	 * then the states. */
	remote = __atomic_load_n(&u->remote, __ATOMIC_ACQUIRE);
	for (__u32 i = REMOTE_FIRST(remote); i; i = __atomic_load_n(&u->remote_next[i - 1],
								      __ATOMIC_RELAXED)) {
		if (i - 1 >= u->frame_count || seen[i - 1]++ || ++listed > REMOTE_LEN(remote))
			CHECK_FAIL(-EUCLEAN, "remote-free list: frame %u out of range or listed "
				   "twice, or the list is longer than its count %u\n", i - 1,
				   REMOTE_LEN(remote));
	}
	if (listed != REMOTE_LEN(remote))
		CHECK_FAIL(-EUCLEAN, "remote-free list: %u frames but its count says %u\n", listed,
			   REMOTE_LEN(remote));
	for (unsigned int i = 0; i < u->frame_count; i++) {
		__u8 s = __atomic_load_n(&u->state[i], __ATOMIC_RELAXED);

		if (s >= FRAME_STATES ||
		    (s >= FRAME_TX && !u->queues[s - FRAME_TX]) ||
		    (s >= FRAME_FILL && s < FRAME_TX && !u->queues[s - FRAME_FILL] &&
		     !u->retired[s - FRAME_FILL].frames))
			CHECK_FAIL(-EUCLEAN, "frame %u: bad state %u\n", i, s);
		if (seen[i] && s != FRAME_FREE)
			CHECK_FAIL(-EUCLEAN, "frame %u: on the remote-free list but state %u\n", i, s);
		counts[s]++;
	}
	/* Every free-stack entry is a FREE frame listed once. */
	for (unsigned int k = 0; k < u->nr_free; k++) {
		__u32 i = u->free_stack[k];

		if (i >= u->frame_count || u->state[i] != FRAME_FREE || seen[i]++)
			CHECK_FAIL(-EUCLEAN, "free stack entry %u: frame %u %s\n", k, i,
				   i >= u->frame_count ? "out of range" :
				   u->state[i] != FRAME_FREE ? "is not FREE" : "listed twice");
	}
	if (u->nr_free + listed != counts[FRAME_FREE])
		CHECK_FAIL(-EAGAIN, "%u frames are FREE but %u are on the free lists\n",
			   counts[FRAME_FREE], u->nr_free + listed);
	/* Every fill-ring and RX-ring entry belongs to its queue, once. */
	for (unsigned int s = 0; s < XSKB_UMEM_MAX_QUEUES; s++) {
		struct xskb_queue *q = u->queues[s];
		__u32 prod, cons;

		if (u->retired[s].frames && counts[FRAME_FILL + s] != u->retired[s].frames)
			CHECK_FAIL(-EUCLEAN, "retired slot %u: %u frames in its state but %u "
				   "retired\n", s, counts[FRAME_FILL + s], u->retired[s].frames);
		if (!q)
			continue;
		if (counts[q->slot] != q->posted - q->received)
			CHECK_FAIL(-EUCLEAN, "queue %u: %u frames in FILL state but %llu posted - "
				   "received\n", q->queue_id, counts[q->slot],
				   (unsigned long long)(q->posted - q->received));
		prod = *q->fill.producer;
		cons = __atomic_load_n(q->fill.consumer, __ATOMIC_ACQUIRE);
		for (__u32 k = cons; k != prod; k++) {
			__u64 a = *xskb_ring_addr(&q->fill, k);
			__u64 i = a >> u->frame_shift;

			/* The kernel moves entries from fill to RX meanwhile: a
			 * frame seen in both is checked again. */
			if (i >= u->frame_count || u->state[i] != q->slot || seen[i]++)
				CHECK_FAIL(-EAGAIN, "queue %u fill ring: frame %llu not in its FILL "
					   "state or listed twice\n", q->queue_id,
					   (unsigned long long)i);
		}
		prod = __atomic_load_n(q->rx.producer, __ATOMIC_ACQUIRE);
		for (__u32 k = q->rx.cached_cons; k != prod; k++) {
			__u64 i = xskb_ring_desc(&q->rx, k)->addr >> u->frame_shift;

			if (i >= u->frame_count || u->state[i] != q->slot || seen[i]++)
				CHECK_FAIL(-EAGAIN, "queue %u RX ring: frame %llu not in its FILL "
					   "state or listed twice\n", q->queue_id,
					   (unsigned long long)i);
		}
		if (counts[q->tx_slot] != xskb_queue_tx_frames(q))
			CHECK_FAIL(-EUCLEAN, "queue %u: %u frames in TX state but %llu sent - "
				   "completed\n", q->queue_id, counts[q->tx_slot],
				   (unsigned long long)xskb_queue_tx_frames(q));
		/* TX ring entries the kernel has not taken, and completions not
		 * yet drained, name frames in this queue's TX state (the kernel
		 * moves entries from one to the other meanwhile). */
		if (q->tx.ring) {
			prod = q->tx.cached_prod;
			for (__u32 k = __atomic_load_n(q->tx.consumer, __ATOMIC_ACQUIRE); k != prod;
			     k++) {
				__u64 i = xskb_ring_desc(&q->tx, k)->addr >> u->frame_shift;

				if (i >= u->frame_count || u->state[i] != q->tx_slot)
					CHECK_FAIL(-EAGAIN, "queue %u TX ring: frame %llu not in its "
						   "TX state\n", q->queue_id, (unsigned long long)i);
			}
			prod = __atomic_load_n(q->comp.producer, __ATOMIC_ACQUIRE);
			for (__u32 k = q->comp.cached_cons; k != prod; k++) {
				__u64 i = *xskb_ring_addr(&q->comp, k) >> u->frame_shift;

				if (i >= u->frame_count || u->state[i] != q->tx_slot || seen[i]++)
					CHECK_FAIL(-EAGAIN, "queue %u completion ring: frame %llu not "
						   "in its TX state or listed twice\n", q->queue_id,
						   (unsigned long long)i);
			}
		}
	}
	xskb_umem__frame_stats(u, &st);
	if (st.held != counts[FRAME_HELD])
		CHECK_FAIL(-EAGAIN, "%u frames are HELD but the counters leave %u (free %u, fill "
			   "%u of %u)\n", counts[FRAME_HELD], st.held, st.free, st.fill,
			   st.frames);
	return 0;
#undef CHECK_FAIL
}

int xskb_umem__check(struct xskb_umem *u)
{
	unsigned char *seen;
	int err = -EAGAIN;

	if (!u)
		return -EINVAL;
	seen = malloc(u->frame_count);
	if (!seen)
		return -ENOMEM;
	/* Frees in flight settle in nanoseconds; a real break never does. */
	for (int tries = 0; err == -EAGAIN && tries < 1000; tries++) {
		if (tries)
			sched_yield();
		err = umem_check_once(u, seen, false);
	}
	if (err)
		err = umem_check_once(u, seen, true);
	free(seen);
	return err == -EAGAIN ? -EUCLEAN : err;
}

void *xskb_umem__area(const struct xskb_umem *u)
{
	return u->area;
}

unsigned int xskb_umem__frame_size(const struct xskb_umem *u)
{
	return u->frame_size;
}

unsigned int xskb_umem__frame_count(const struct xskb_umem *u)
{
	return u->frame_count;
}

int xskb_umem__numa_node(const struct xskb_umem *u)
{
	return u->numa_node;
}

bool xskb_umem__hugepages(const struct xskb_umem *u)
{
	return u->hugepages;
}
