/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The UMEM (umem.c): frame area, per-frame states, the free stack and the
 * remote-free list, the polling thread's ownership, and the inline frame
 * recycling the receive path and the skb free path run for every packet.
 */
#ifndef XSKB_UMEM_INTERNAL_H
#define XSKB_UMEM_INTERNAL_H

#include <stdbool.h>
#include <xskb/netdevice.h>
#include <xskb/skbuff.h>
#include <xskb/umem.h>

#include "util.h"

struct xskb_dev;
struct xskb_queue;

#define XSKB_UMEM_MAX_QUEUES	64
#define XSKB_SHINFO_SIZE	XSKB_SKB_SHINFO_SIZE

/* xskb_umem.state[]: one byte per frame, every frame in exactly one state */
enum {
	FRAME_FREE = 0,		/* free stack or remote-free list */
	FRAME_HELD = 1,		/* owned by an sk_buff */
	FRAME_FILL = 2,		/* FRAME_FILL + slot: posted to that queue's fill ring */
	/* FRAME_TX + slot: sent on that queue's TX ring, not yet completed */
	FRAME_TX = FRAME_FILL + XSKB_UMEM_MAX_QUEUES,
	FRAME_STATES = FRAME_TX + XSKB_UMEM_MAX_QUEUES,
};
/* struct xsk_tx_metadata's size (Linux 6.14: flags, request, launch time) */
#define XSKB_TX_META_LEN	24u

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
	/* Transmit: TX metadata in front of each sent packet (0: none), and
	 * whether the kernel completes checksums itself (XDP_UMEM_TX_SW_CSUM). */
	unsigned int tx_meta_len;
	/* Free frames the refill leaves for transmit copies. */
	unsigned int tx_reserve;
	bool want_tx_metadata;
	bool sg;			/* the registering socket was bound with XDP_USE_SG */
	bool tx_sw_csum;
	/* Queues of this UMEM with descriptors written but not yet submitted
	 * (dev_queue_xmit's xmit_more): the end of any poll flushes them. */
	struct xskb_queue *tx_flush;
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
	struct xskb_owner *next;	/* on the list of spent tokens */
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

/* The one way a frame goes onto the free stack, on the polling thread: two
 * stores. No counter: the number of held frames is what the other states
 * leave over (xskb_umem__frame_stats). */
static XSKB_ALWAYS_INLINE void xskb_umem_push_free(struct xskb_umem *u, unsigned int idx)
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
	xskb_umem_push_free(u, idx);
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

#endif /* XSKB_UMEM_INTERNAL_H */
