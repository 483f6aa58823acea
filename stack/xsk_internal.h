/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Datapath internals shared by umem.c, dev.c, xsk.c, napi.c and replay.c:
 * the UMEM, device and queue structures and the inline frame recycling the
 * NAPI loop and the skb free path run for every packet.
 */
#ifndef XSKB_XSK_INTERNAL_H
#define XSKB_XSK_INTERNAL_H

#include <stdarg.h>
#include <stdlib.h>
#include <xskb/napi.h>
#include <xskb/skbuff.h>
#include <xskb/umem.h>
#include <xskb/xsk.h>

#include "ring.h"
#include "slab_internal.h"
#include "../xdp/xskb_xdp.h"

#define XSKB_UMEM_MAX_QUEUES	64
/* The largest chain the receive path copies into one slab skb. */
#define XSKB_RX_SLAB_MAX	(64u * 1024u)
/* Most descriptors a packet may span: a 64 KiB packet in the smallest frame
 * room there is (2048-byte frames, the largest UMEM headroom: 448 bytes). */
#define XSKB_RX_CHAIN_MAX	160u
#define XSKB_SHINFO_SIZE	XSKB_SKB_SHINFO_SIZE

/* xskb_umem.state[]: one byte per frame */
enum {
	FRAME_FREE = 0,		/* free stack or remote-free list */
	FRAME_HELD = 1,		/* owned by an sk_buff */
	FRAME_FILL = 2,		/* FRAME_FILL + slot: posted to that queue's fill ring */
};

/* ---- options ------------------------------------------------------------- */

/* A field of an extensible options struct, or @def when the caller's struct
 * is too old to have it (or the field is zero). */
#define XSKB_OPT(opts, field, def)						\
	(((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) +	\
			sizeof((opts)->field) && (opts)->field) ?		\
		 (opts)->field : (def))

int xskb_opts_check(const void *opts, size_t user_sz, size_t our_sz, const char *what);
#define XSKB_OPTS_CHECK(opts, what) \
	((opts) ? xskb_opts_check(opts, (opts)->sz, sizeof(*(opts)), what) : 0)

/* ---- statistics ----------------------------------------------------------- */

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

/* ---- messages ------------------------------------------------------------ */

__attribute__((format(printf, 2, 3)))
void xskb_log(enum xskb_print_level level, const char *fmt, ...);
#define pr_warn(fmt, ...)	xskb_log(XSKB_LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	xskb_log(XSKB_LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	xskb_log(XSKB_LOG_DEBUG, fmt, ##__VA_ARGS__)

/* ---- UMEM ---------------------------------------------------------------- */

struct xskb_umem {
	/* Hot: the NAPI loop and the skb free path. */
	unsigned char *area;
	unsigned int frame_shift;
	unsigned int frame_size;
	unsigned int nr_free;		/* entries on free_stack */
	__u32 *free_stack;		/* frame indexes; the top is the hottest */
	__u8 *state;			/* FRAME_* per frame */
	struct xskb_owner *owner;	/* the polling thread (see xskb_umem_owned), or NULL */
	struct page *pages;		/* one per frame, for page fragments */
	struct xskb_head_owner head_owner;

	/* Frames freed by threads other than the owner: a lock-free LIFO the
	 * owner takes whole with one exchange. The head word holds the first
	 * frame's index + 1 (0: empty) in its low half and the list's length
	 * in its high half, so length and list change in one CAS and are never
	 * seen apart. remote_next[i] is the index + 1 after frame i. */
	__u64 remote XSKB_CACHE_ALIGNED;
	__u32 *remote_next;

	/* Cold. */
	unsigned int frame_count XSKB_CACHE_ALIGNED;
	unsigned int headroom;
	int numa_node;
	bool hugepages;
	size_t area_len;
	size_t area_mapped;		/* what munmap() takes: area_len or more */
	int reg_fd;			/* a socket the area is registered through, -1: none */
	struct xskb_queue *queues[XSKB_UMEM_MAX_QUEUES];	/* by slot */
	unsigned int nr_queues;
	/* Slots of destroyed zero-copy queues whose frames the kernel may
	 * still own: how many, and the (interface, queue) they were bound to. */
	struct {
		unsigned int frames;
		int ifindex;
		unsigned int queue_id;
	} retired[XSKB_UMEM_MAX_QUEUES];
	/* What skb->dev of this UMEM's skbs may point to, kept until deleted:
	 * the devices its queues were bound to (held), and the built-in
	 * devices of replay queues destroyed meanwhile. */
	struct xskb_dev *devs[XSKB_UMEM_MAX_QUEUES];
	struct xskb_parked_netdev *parked;
};

struct xskb_parked_netdev {
	struct xskb_parked_netdev *next;
	struct net_device dev;
};

/* A replay queue's built-in device, freed with the UMEM. */
struct net_device *xskb_umem_alloc_netdev(struct xskb_umem *u);

/*
 * Who polls a UMEM: a token per thread, made the first time the thread
 * claims a UMEM and referenced by every UMEM it owns, so it is never reused
 * while a UMEM names it (a thread's TLS address is: a new thread gets the
 * dead one's block). When the thread exits, the token is marked dead and
 * any thread may take its UMEMs over.
 */
struct xskb_owner {
	int refs;			/* the thread's, plus one per UMEM it owns */
	int dead;			/* the thread exited */
};

/* The calling thread's token; threads without one point at a token no UMEM
 * ever names. Initial-exec like every TLS variable of the library: the
 * general-dynamic default is a __tls_get_addr() call, and with a call in it
 * the skb free fast path saves and restores callee-saved registers on every
 * packet. */
extern __thread struct xskb_owner *xskb_self XSKB_TLS;

static inline bool xskb_umem_owned(const struct xskb_umem *u)
{
	return __atomic_load_n(&u->owner, __ATOMIC_RELAXED) == xskb_self;
}

static inline unsigned int xskb_frame_index(const struct xskb_umem *u, const void *p)
{
	return (unsigned int)(((const unsigned char *)p - u->area) >> u->frame_shift);
}

static inline unsigned char *xskb_frame_addr(const struct xskb_umem *u, unsigned int idx)
{
	return u->area + ((size_t)idx << u->frame_shift);
}

void xskb_umem_frame_bug(struct xskb_umem *u, unsigned int idx, const char *what);
void xskb_umem_remote_free(struct xskb_umem *u, unsigned int idx);
void xskb_umem_drain_remote(struct xskb_umem *u);

/* A frame onto the free stack, on the polling thread: two stores. No
 * counter: the number of held frames is what the other states leave over
 * (xskb_umem__frame_stats). */
static XSKB_ALWAYS_INLINE void umem_push_free(struct xskb_umem *u, unsigned int idx)
{
	u->state[idx] = FRAME_FREE;
	u->free_stack[u->nr_free++] = idx;
}

/* A HELD frame becomes FREE; the caller owns the UMEM. */
static XSKB_ALWAYS_INLINE void xskb_umem_free_held(struct xskb_umem *u, unsigned int idx)
{
#ifdef XSKB_DEBUG
	if (u->state[idx] != FRAME_HELD)
		xskb_umem_frame_bug(u, idx, "freed but not held by an skb (double free?)");
#endif
	umem_push_free(u, idx);
}

/* A HELD frame becomes FREE, from any thread: other threads go through the
 * remote-free list. */
static XSKB_ALWAYS_INLINE void xskb_umem_recycle(struct xskb_umem *u, unsigned int idx)
{
	if (xskb_likely(xskb_umem_owned(u)))
		xskb_umem_free_held(u, idx);
	else
		xskb_umem_remote_free(u, idx);
}

/* A received frame (state FILL) goes straight back: the packet was copied. */
static XSKB_ALWAYS_INLINE void xskb_umem_return_rx(struct xskb_umem *u, unsigned int idx)
{
	umem_push_free(u, idx);
}

int xskb_umem_attach_queue(struct xskb_umem *u, struct xskb_queue *q);
/*
 * The queue is gone: every frame it had posted is ours again, unless
 * @retire (a zero-copy socket): the kernel releases the buffer pool from a
 * workqueue after the socket closes, and until then the NIC may still write
 * those frames. They stay in the queue's FILL state and its slot stays
 * reserved (retired) until xskb_umem_release_retired() for that interface
 * and queue (a new zero-copy bind there proves the old pool is gone) or the
 * UMEM's deletion.
 */
void xskb_umem_detach_queue(struct xskb_umem *u, struct xskb_queue *q, bool retire);
void xskb_umem_release_retired(struct xskb_umem *u, int ifindex, unsigned int queue_id);
/*
 * Queue setup and teardown move frames on the UMEM's free stack, which only
 * its polling thread may touch: they run on that thread, or while nobody
 * polls. -EBUSY (with a message) otherwise.
 */
int xskb_umem_may_change(struct xskb_umem *u, const char *what);

/* Claim the UMEM for the calling thread if nobody polls it, or its owner
 * has exited. */
void xskb_umem_claim(struct xskb_umem *u);
void xskb_umem_release_owner(struct xskb_umem *u);

/* ---- device -------------------------------------------------------------- */

struct xdp_program;

struct xskb_dev {
	struct net_device netdev;
	bool metadata;
	enum xskb_attach_mode attach;
	struct xdp_program *prog;
	bool multiprog;
	int xsks_map_fd;
	int rules_fd;
	int cfg_fd;
	struct xskb_xdp_cfg cfg;
	unsigned int nr_queues;
	int refs;			/* the opener's (until close) + one per UMEM that named it */
	unsigned long bound[XSKB_XDP_MAX_QUEUES / 64];	/* queue ids with an xskb socket */
};

/*
 * skb->dev of an skb on a UMEM frame must not dangle: the UMEM a queue of
 * the device used holds the device (its struct, not its program) until the
 * UMEM is deleted, which cannot happen while such skbs hold frames.
 */
static inline void xskb_dev_hold(struct xskb_dev *d)
{
	__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
}

static inline void xskb_dev_put(struct xskb_dev *d)
{
	if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(d);
}

/* ---- queue --------------------------------------------------------------- */

struct xskb_replay;

struct xskb_queue {
	/* Hot: read by every poll. */
	struct xskb_ring rx;		/* consumer */
	struct xskb_ring fill;		/* producer */
	struct xskb_umem *umem;
	xskb_rx_handler_t handler;
	void *handler_arg;
	struct net_device *netdev;	/* skb->dev */
	struct xskb_dev *dev;		/* NULL for a replay queue */
	struct xskb_replay *replay;	/* memory-backed queue instead of a socket */
	unsigned int copybreak;
	unsigned int zc_limit;		/* offset + len must not exceed: skb_shared_info follows */
	unsigned int zc_min;		/* len must exceed: max(copybreak, ETH_HLEN - 1) */
	unsigned int zc_truesize;
	unsigned int chain_max;		/* descriptors a packet may span (rx_chain) */
	/* struct sk_buff's second cache line as the in-place path leaves it
	 * (xskb_queue_rx_template()): zeros and per-queue constants. */
	unsigned char rx_line1[64];
	unsigned int queue_id;
	__u8 slot;			/* this queue's FRAME_FILL + slot state value */
	bool metadata;
	bool busy_poll;
	bool warned_owner;
	bool gone;			/* the interface was unregistered (-ENODEV) */
	enum xskb_mb_mode mb_mode;
	int fd;
	__u64 posted;			/* frames put on the fill ring */
	__u64 received;			/* frames taken off the RX ring */
	struct xskb_queue_stats stats;
	struct napi_struct napi;

	/* Cold. */
	struct xskb_ring comp;
	enum xskb_bind_mode mode;
	bool multi_buffer;
	void *rx_map, *fill_map, *comp_map;
	size_t rx_map_len, fill_map_len, comp_map_len;
};

/* Settings socket and replay queues share; attaches the queue to the UMEM. */
int xskb_queue_init_common(struct xskb_queue *q, struct xskb_umem *u,
			   const struct xskb_queue_opts *opts);
/* Put free frames on the fill ring. */
void xskb_queue_refill(struct xskb_queue *q);
void xskb_queue_rx_template(struct xskb_queue *q);
int xskb_queue_poll_napi(struct napi_struct *napi, int budget);

/* replay.c: produce RX descriptors from the fill ring, as the kernel would. */
unsigned int xskb_replay_produce(struct xskb_queue *q);
void xskb_replay_destroy(struct xskb_queue *q);
/*
 * Test and fuzzing entry points: the replay "kernel" stops producing from its
 * templates, and the caller plays the kernel. xskb_replay_take_fill() consumes
 * up to @n fill-ring addresses (returns how many); xskb_replay_inject() writes
 * @n raw descriptors to the RX ring, any address, length or options (returns
 * how many fit).
 */
unsigned int xskb_replay_take_fill(struct xskb_queue *q, __u64 *addrs, unsigned int n);
unsigned int xskb_replay_inject(struct xskb_queue *q, const struct xdp_desc *descs, unsigned int n);
/* What the replay "kernel" dropped (too big without multi-buffer). */
__u64 xskb_replay_dropped(const struct xskb_queue *q);

#endif /* XSKB_XSK_INTERNAL_H */
