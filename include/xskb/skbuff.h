/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct sk_buff for userspace, with the Linux kernel's layout rules,
 * reference semantics and API. Kernel protocol code ports unchanged: every
 * kernel name below means what it means in the kernel.
 *
 * Naming: exports and inline helpers are xskb_-prefixed; the kernel's "__"
 * variants become xskb__ (e.g. __skb_put -> xskb__skb_put). The kernel
 * function, macro and constant names are macros over them, hidden by
 * defining XSKB_NO_KERNEL_NAMES before including this header. The types keep
 * their kernel tags either way (struct sk_buff, skb_shared_info, page,
 * net_device, napi_struct, kmem_cache) as does enum skb_drop_reason: they
 * are the API itself, not aliases of something else.
 *
 * Buffer layout (one linear buffer, as the kernel's alloc_skb/build_skb):
 *
 *   head          data              tail            end
 *    |  headroom   |  linear data    |   tailroom    | struct skb_shared_info |
 *
 * skb_shared_info sits exactly at the end of the buffer (for kmalloc'd heads
 * at the end of the rounded-up size class; for UMEM frames in the frame's
 * tailroom). It holds the page fragments, the frag_list and the data
 * reference count shared by clones.
 */
#ifndef XSKB_SKBUFF_H
#define XSKB_SKBUFF_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <linux/if_ether.h>
#include <xskb/atomic.h>
#include <xskb/compiler.h>
#include <xskb/netdevice.h>
#include <xskb/slab.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- constants ------------------------------------------------------------ */

#define XSKB_PAGE_SHIFT		12
#define XSKB_PAGE_SIZE		(1u << XSKB_PAGE_SHIFT)
#define XSKB_NET_SKB_PAD	(XSKB_CACHELINE > 32 ? XSKB_CACHELINE : 32)
#if defined(__x86_64__) || defined(__i386__) || defined(__powerpc64__)
#define XSKB_NET_IP_ALIGN	0	/* unaligned access is cheap here, as in the kernel */
#else
#define XSKB_NET_IP_ALIGN	2
#endif
#define XSKB_MAX_SKB_FRAGS	17
#define XSKB_SKB_DATA_ALIGN(x)	(((x) + (XSKB_CACHELINE - 1)) & ~(XSKB_CACHELINE - 1))
#define XSKB_SKB_SHINFO_SIZE	XSKB_SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
#define XSKB_SKB_WITH_OVERHEAD(x) ((x) - XSKB_SKB_SHINFO_SIZE)
#define XSKB_SKB_HEAD_ALIGN(x)	(XSKB_SKB_DATA_ALIGN(x) + XSKB_SKB_SHINFO_SIZE)
#define XSKB_SKB_TRUESIZE(x)	((x) + XSKB_SKB_DATA_ALIGN(sizeof(struct sk_buff)) + XSKB_SKB_SHINFO_SIZE)
#define XSKB_SKB_DATAREF_SHIFT	16
#define XSKB_SKB_DATAREF_MASK	((1 << XSKB_SKB_DATAREF_SHIFT) - 1)

/* __alloc_skb() flags */
#define XSKB_SKB_ALLOC_FCLONE	0x01	/* from the fclone cache: skb_clone() is free */
#define XSKB_SKB_ALLOC_RX	0x02	/* receive path (kept for API parity) */
#define XSKB_SKB_ALLOC_NAPI	0x04	/* head from the thread's NAPI cache */

enum {
	XSKB_SKB_FCLONE_UNAVAILABLE,	/* from skbuff_cache */
	XSKB_SKB_FCLONE_ORIG,		/* skb1 of an fclone pair */
	XSKB_SKB_FCLONE_CLONE,		/* skb2 of an fclone pair */
};

/* skb->pkt_type */
#define XSKB_PACKET_HOST	0
#define XSKB_PACKET_BROADCAST	1
#define XSKB_PACKET_MULTICAST	2
#define XSKB_PACKET_OTHERHOST	3

/* skb->ip_summed */
#define XSKB_CHECKSUM_NONE	0
#define XSKB_CHECKSUM_UNNECESSARY 1
#define XSKB_CHECKSUM_COMPLETE	2
#define XSKB_CHECKSUM_PARTIAL	3

/* Drop reasons: the kernel's names for the ones userspace can meet. */
enum skb_drop_reason {
	SKB_NOT_DROPPED_YET = 0,
	SKB_CONSUMED,
	SKB_DROP_REASON_NOT_SPECIFIED,
	SKB_DROP_REASON_NO_SOCKET,
	SKB_DROP_REASON_PKT_TOO_SMALL,
	SKB_DROP_REASON_PKT_TOO_BIG,
	SKB_DROP_REASON_HDR_TRUNC,
	SKB_DROP_REASON_INVALID_PROTO,
	SKB_DROP_REASON_UNHANDLED_PROTO,
	SKB_DROP_REASON_IP_CSUM,
	SKB_DROP_REASON_IP_INHDR,
	SKB_DROP_REASON_IP_NOPROTO,
	SKB_DROP_REASON_UDP_CSUM,
	SKB_DROP_REASON_TCP_CSUM,
	SKB_DROP_REASON_OTHERHOST,
	SKB_DROP_REASON_SOCKET_RCVBUFF,
	SKB_DROP_REASON_PROTO_MEM,
	SKB_DROP_REASON_FULL_RING,
	SKB_DROP_REASON_NOMEM,
	SKB_DROP_REASON_QUEUE_PURGE,
	SKB_DROP_REASON_DEV_READY,
	SKB_DROP_REASON_XDP,
	SKB_DROP_REASON_QDISC_DROP,
	SKB_DROP_REASON_MAX,
};

/* ---- types --------------------------------------------------------------- */

struct page;
struct sk_buff;

/* What a struct page owner does when the last reference goes. */
struct xskb_page_ops {
	void (*release)(struct page *page);
};

/*
 * A reference-counted buffer that skb fragments point into, standing in for
 * the kernel's struct page. alloc_pages() pages are kmalloc()ed; UMEM frames
 * have one each, whose release returns the frame to the fill ring.
 */
struct page {
	xskb_atomic_t _refcount;
	unsigned int order;		/* size is XSKB_PAGE_SIZE << order */
	void *address;			/* page_address(); not "virtual": C++ includes this header */
	const struct xskb_page_ops *ops;
	unsigned long priv;		/* owner's data (page_private()); not "private": C++ */
};

typedef struct skb_frag {
	struct page *page;
	unsigned int len;
	unsigned int offset;
} skb_frag_t;

/*
 * Owner of an skb's head buffer when it is neither kmalloc()ed nor one of
 * xskb's page fragments: free_head() runs when the last reference to the
 * data goes (after every clone is freed). AF_XDP frame-backed skbs use this
 * to give the frame back to the fill ring; build_skb() sets one for heads in
 * alloc_pages() memory (put_page), and a caller that builds an skb over its
 * own buffer sets skb->head_owner itself (see xskb_build_skb()).
 */
struct xskb_head_owner {
	void (*free_head)(struct xskb_head_owner *owner, unsigned char *head);
};

struct skb_shared_hwtstamps {
	__u64 hwtstamp;
};

/* Sits at skb_end_pointer(skb); build_skb() clears it up to dataref. */
struct skb_shared_info {
	__u8		flags;
	__u8		meta_len;	/* XDP metadata bytes in front of data */
	__u8		nr_frags;
	__u8		tx_flags;
	unsigned short	gso_size;
	unsigned short	gso_segs;
	struct sk_buff	*frag_list;
	struct skb_shared_hwtstamps hwtstamps;
	unsigned int	gso_type;
	__u32		tskey;
	/* Fields from here on are not cleared by build_skb(). */
	xskb_atomic_t	dataref;	/* clones sharing this data (low 16 bits) */
	unsigned int	xdp_frags_size;
	void		*destructor_arg;
	skb_frag_t	frags[XSKB_MAX_SKB_FRAGS];
};

typedef unsigned int sk_buff_data_t;	/* offsets from head, as on 64-bit kernels */

/*
 * The links both struct sk_buff and struct sk_buff_head start with. Queue
 * code writes through a pointer that may be the head itself via this type,
 * never via struct sk_buff (as the kernel does). may_alias: the kernel builds
 * with -fno-strict-aliasing, users of this header do not; without it the
 * compiler may keep list->next in a register across a write through the
 * head-as-skb pointer and corrupt the queue.
 */
struct __attribute__((__may_alias__)) sk_buff_list {
	struct sk_buff *next;
	struct sk_buff *prev;
};
#define XSKB_SKB_LIST(p) ((struct sk_buff_list *)(void *)(p))

/*
 * struct sk_buff: cache line 0 holds everything the RX path writes for
 * every packet and the first things a handler reads (the queue links must be
 * first: an sk_buff_head is cast to an sk_buff at the ends of a queue).
 * Line 1 holds metadata, flags and the reference count; line 2 the control
 * block. Everything up to the end of cb is zeroed by __build_skb_around(),
 * as the kernel zeroes up to tail; the allocation fields are then set.
 */
struct sk_buff {
	/* cache line 0: RX hot */
	struct sk_buff		*next;
	struct sk_buff		*prev;
	struct net_device	*dev;
	unsigned char		*data;
	unsigned char		*head;
	unsigned int		len;
	unsigned int		data_len;
	sk_buff_data_t		tail;
	sk_buff_data_t		end;
	__be16			protocol;
	__u16			mac_header;
	__u16			network_header;
	__u16			transport_header;

	/* cache line 1: RX metadata (copied by clone/copy), state, refcount */
	__u32			mark;
	__u32			hash;
	__u32			priority;
	__u16			queue_mapping;
	__u16			mac_len;
	__u8			cloned:1,
				nohdr:1,
				fclone:2,
				head_frag:1,
				pfmemalloc:1,
				l4_hash:1,
				sw_hash:1;
	__u8			pkt_type:3,
				ip_summed:2,
				csum_valid:1,
				xsk_frame:1,	/* head is an AF_XDP UMEM frame */
				csum_complete_sw:1; /* csum is xskb's own sum, not a device's */
	__u16			vlan_tci;
	__be16			vlan_proto;
	__u16			hdr_len;
	xskb_refcount_t		users;
	unsigned int		truesize;
	void			(*destructor)(struct sk_buff *skb);
	struct xskb_head_owner	*head_owner;	/* NULL: kmalloc or xskb page-frag head */
	__u64			tstamp;
	int			skb_iif;
	union {
		__u32		csum;		/* CHECKSUM_COMPLETE: the sum of the data (__wsum) */
		struct {			/* CHECKSUM_PARTIAL: where the sum goes */
			__u16	csum_start;	/* from skb->head: the sum covers csum_start.. */
			__u16	csum_offset;	/* ..and is stored csum_start + csum_offset */
		};
	};

	/* cache line 2: control block, free for the layer that owns the skb */
	char			cb[48] __attribute__((aligned(8)));
};

/* The RX path writes line 0 for every packet; keep it there. */
_Static_assert(offsetof(struct sk_buff, next) == 0 && offsetof(struct sk_buff, prev) == 8,
	       "queue links must open struct sk_buff (sk_buff_head aliasing)");
_Static_assert(offsetof(struct sk_buff, transport_header) + 2 <= XSKB_CACHELINE,
	       "RX-hot fields (links, dev, data, head, len, data_len, tail, end, protocol, "
	       "header offsets) must stay in the first cache line");
_Static_assert(offsetof(struct sk_buff, csum) + 4 <= 2 * XSKB_CACHELINE,
	       "metadata, flags and users must stay in the second cache line");
_Static_assert(offsetof(struct sk_buff, cb) == 2 * XSKB_CACHELINE, "cb opens the third line");
_Static_assert(sizeof(struct skb_shared_info) == 320, "skb_shared_info is 5 cache lines");
_Static_assert(offsetof(struct skb_shared_info, dataref) == 32,
	       "build_skb clears exactly the first 32 bytes of skb_shared_info");

/* An skb allocated from the fclone cache, with its pre-allocated clone. */
struct sk_buff_fclones {
	struct sk_buff	skb1;
	struct sk_buff	skb2;
	xskb_refcount_t	fclone_ref;
};

/* Queue head; next/prev alias struct sk_buff's so the head ends the list. */
struct sk_buff_head {
	struct sk_buff	*next;
	struct sk_buff	*prev;
	__u32		qlen;
	xskb_spinlock_t	lock;
};

/* ---- out-of-line API (libxskb) ---------------------------------------------- */

/* allocation */
XSKB_API struct sk_buff *xskb__alloc_skb(unsigned int size, xskb_gfp_t gfp, int flags, int node);
/**
 * xskb_build_skb - wrap an skb around a buffer the caller filled
 * @data: the buffer; its last SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
 *        bytes become the shared info
 * @frag_size: the buffer's size, or 0 for a whole kmalloc() object (its
 *             size is then ksize(@data))
 *
 * The skb takes over the caller's claim on @data and releases it when the
 * last reference to the data goes, the way its owner says:
 *  - @frag_size 0: kfree(@data), as the kernel's;
 *  - @data inside memory from alloc_pages() (the kernel idiom
 *    build_skb(page_address(page) + off, size)): the skb owns one reference
 *    to that page and drops it with put_page(), as the kernel's
 *    skb_free_frag(); @data + @frag_size must lie within the page;
 *  - any other memory: the caller must set skb->head_owner to a struct
 *    xskb_head_owner before the last reference goes; freeing such an skb
 *    without one aborts naming skb_free_head rather than guess.
 * A @frag_size smaller than the shared info aborts naming build_skb.
 * Returns the skb, or NULL when no sk_buff could be allocated (@data is then
 * still the caller's).
 */
XSKB_API struct sk_buff *xskb_build_skb(void *data, unsigned int frag_size);
/* build_skb() on an sk_buff the caller allocated from xskb_skbuff_cache(). */
XSKB_API struct sk_buff *xskb_build_skb_around(struct sk_buff *skb, void *data,
					       unsigned int frag_size);
/* build_skb() with the sk_buff from this thread's NAPI cache. */
XSKB_API struct sk_buff *xskb_napi_build_skb(void *data, unsigned int frag_size);
XSKB_API struct sk_buff *xskb__napi_alloc_skb(struct napi_struct *napi, unsigned int len,
					      xskb_gfp_t gfp);
XSKB_API struct sk_buff *xskb__netdev_alloc_skb(struct net_device *dev, unsigned int len,
						xskb_gfp_t gfp);
XSKB_API void *xskb_kmalloc_reserve(unsigned int *size, xskb_gfp_t gfp, int node,
				    bool *pfmemalloc);
XSKB_API struct sk_buff *xskb_napi_skb_cache_get(void);

/* freeing */
XSKB_API void xskb_kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason);
XSKB_API void xskb_consume_skb(struct sk_buff *skb);
XSKB_API void xskb_napi_consume_skb(struct sk_buff *skb, int budget);
XSKB_API void xskb_kfree_skb_list_reason(struct sk_buff *segs, enum skb_drop_reason reason);

/* sharing and copying */
XSKB_API struct sk_buff *xskb_skb_clone(struct sk_buff *skb, xskb_gfp_t gfp);
XSKB_API struct sk_buff *xskb_skb_copy(const struct sk_buff *skb, xskb_gfp_t gfp);
XSKB_API struct sk_buff *xskb_pskb_copy(struct sk_buff *skb, xskb_gfp_t gfp);
XSKB_API int xskb_pskb_expand_head(struct sk_buff *skb, int nhead, int ntail, xskb_gfp_t gfp);
XSKB_API struct sk_buff *xskb_skb_realloc_headroom(struct sk_buff *skb, unsigned int headroom);
XSKB_API struct sk_buff *xskb_skb_unshare(struct sk_buff *skb, xskb_gfp_t gfp);
XSKB_API struct sk_buff *xskb_skb_share_check(struct sk_buff *skb, xskb_gfp_t gfp);

/* nonlinear data */
XSKB_API void *xskb__pskb_pull_tail(struct sk_buff *skb, int delta);
XSKB_API int xskb___pskb_trim(struct sk_buff *skb, unsigned int len);
XSKB_API int xskb_skb_copy_bits(const struct sk_buff *skb, int offset, void *to, int len);
/**
 * xskb_skb_ensure_writable - make the first @write_len bytes linear and private
 * @skb: the packet
 * @write_len: bytes from skb->data the caller will write
 *
 * As the kernel's: pulls them into the linear part, then copies a head
 * shared with clones (pskb_expand_head()) unless the bytes lie in this
 * skb's private header part (skb->hdr_len). Returns 0, or -ENOMEM when the
 * skb is shorter than @write_len or memory ran out.
 */
XSKB_API int xskb_skb_ensure_writable(struct sk_buff *skb, unsigned int write_len);
XSKB_API void xskb_skb_add_rx_frag(struct sk_buff *skb, int i, struct page *page, int off,
				   int size, unsigned int truesize);

/* overruns: abort with a message naming the lengths */
XSKB_API XSKB_NORETURN void xskb_skb_over_panic(const struct sk_buff *skb, unsigned int len,
						void *addr);
XSKB_API XSKB_NORETURN void xskb_skb_under_panic(const struct sk_buff *skb, unsigned int len,
						 void *addr);
XSKB_API XSKB_NORETURN void xskb_skb_bug(const struct sk_buff *skb, const char *what);
/* the kernel's WARN_ON: the first one in the process logs at XSKB_LOG_WARN */
XSKB_API void xskb_skb_warn(const struct sk_buff *skb, const char *what);

/* locked queue operations */
XSKB_API void xskb_skb_queue_head(struct sk_buff_head *list, struct sk_buff *newsk);
XSKB_API void xskb_skb_queue_tail(struct sk_buff_head *list, struct sk_buff *newsk);
XSKB_API struct sk_buff *xskb_skb_dequeue(struct sk_buff_head *list);
XSKB_API struct sk_buff *xskb_skb_dequeue_tail(struct sk_buff_head *list);
XSKB_API void xskb_skb_queue_purge_reason(struct sk_buff_head *list, enum skb_drop_reason reason);
XSKB_API void xskb_skb_insert(struct sk_buff *old, struct sk_buff *newsk, struct sk_buff_head *list);
XSKB_API void xskb_skb_append(struct sk_buff *old, struct sk_buff *newsk, struct sk_buff_head *list);
XSKB_API void xskb_skb_unlink(struct sk_buff *skb, struct sk_buff_head *list);

/* pages */
XSKB_API struct page *xskb_alloc_pages(xskb_gfp_t gfp, unsigned int order);
/**
 * xskb_virt_to_head_page - the alloc_pages() page an address lies in
 * @addr: any address inside the page's XSKB_PAGE_SIZE << order bytes
 *
 * The kernel's virt_to_head_page() for memory from xskb_alloc_pages().
 * Returns NULL for any other memory (UMEM frames, kmalloc(), the caller's
 * own buffers). The caller must hold a reference to the page. Takes a lock:
 * not for per-packet use.
 */
XSKB_API struct page *xskb_virt_to_head_page(const void *addr);
XSKB_API void xskb_page_release(struct page *page);

/* drop accounting: counters per reason and a hook like the kfree_skb tracepoint */
typedef void (*xskb_drop_hook_t)(struct sk_buff *skb, enum skb_drop_reason reason, void *arg);
XSKB_API void xskb_set_drop_hook(xskb_drop_hook_t hook, void *arg);
XSKB_API unsigned long xskb_skb_drop_count(enum skb_drop_reason reason);
XSKB_API const char *xskb_drop_reason_str(enum skb_drop_reason reason);

/* the skb head caches (for statistics and tests) */
XSKB_API struct kmem_cache *xskb_skbuff_cache(void);
XSKB_API struct kmem_cache *xskb_skbuff_fclone_cache(void);

/* ---- inline helpers ----------------------------------------------------------- */

static inline unsigned char *xskb_skb_end_pointer(const struct sk_buff *skb)
{
	return skb->head + skb->end;
}
static inline unsigned int xskb_skb_end_offset(const struct sk_buff *skb)
{
	return skb->end;
}
static inline struct skb_shared_info *xskb_skb_shinfo(const struct sk_buff *skb)
{
	return (struct skb_shared_info *)(void *)xskb_skb_end_pointer(skb);
}
static inline unsigned char *xskb_skb_tail_pointer(const struct sk_buff *skb)
{
	return skb->head + skb->tail;
}
static inline void xskb_skb_reset_tail_pointer(struct sk_buff *skb)
{
	skb->tail = (sk_buff_data_t)(skb->data - skb->head);
}
static inline void xskb_skb_set_tail_pointer(struct sk_buff *skb, const int offset)
{
	xskb_skb_reset_tail_pointer(skb);
	skb->tail += offset;
}
static inline bool xskb_skb_is_nonlinear(const struct sk_buff *skb)
{
	return skb->data_len;
}
static inline unsigned int xskb_skb_headlen(const struct sk_buff *skb)
{
	return skb->len - skb->data_len;
}
static inline unsigned int xskb_skb_headroom(const struct sk_buff *skb)
{
	return (unsigned int)(skb->data - skb->head);
}
static inline int xskb_skb_tailroom(const struct sk_buff *skb)
{
	return xskb_skb_is_nonlinear(skb) ? 0 : (int)(skb->end - skb->tail);
}
static inline void xskb_skb_reserve(struct sk_buff *skb, int len)
{
	skb->data += len;
	skb->tail += len;
}
static inline bool xskb_skb_has_frag_list(const struct sk_buff *skb)
{
	return xskb_skb_shinfo(skb)->frag_list != NULL;
}

/* The tail move both puts share; callers have done their checks. */
static inline void *xskb_skb_put_unchecked_(struct sk_buff *skb, unsigned int len)
{
	void *tmp = xskb_skb_tail_pointer(skb);

	skb->tail += len;
	skb->len += len;
	return tmp;
}
/**
 * xskb__skb_put - add @len bytes of data at the tail, room unchecked
 * @skb: a linear skb whose tailroom the caller has checked
 * @len: bytes to add
 *
 * Returns the old tail pointer. As the kernel's (SKB_LINEAR_ASSERT), a
 * nonlinear skb is a bug and aborts naming __skb_put: its tail is not the
 * end of its data. Overrunning the buffer end is not checked.
 */
static inline void *xskb__skb_put(struct sk_buff *skb, unsigned int len)
{
	if (xskb_unlikely(skb->data_len))
		xskb_skb_bug(skb, "__skb_put on a nonlinear skb");
	return xskb_skb_put_unchecked_(skb, len);
}
/**
 * xskb_skb_put - add @len bytes of data at the tail
 * @skb: a linear skb
 * @len: bytes to add
 *
 * Returns the old tail pointer. Aborts (the kernel BUGs) on a nonlinear skb,
 * and with skb_over_panic's message when @len exceeds the tailroom.
 */
static inline void *xskb_skb_put(struct sk_buff *skb, unsigned int len)
{
	if (xskb_unlikely(skb->data_len))
		xskb_skb_bug(skb, "skb_put on a nonlinear skb");
	if (xskb_unlikely(len > skb->end - skb->tail))
		xskb_skb_over_panic(skb, len, __builtin_return_address(0));
	return xskb_skb_put_unchecked_(skb, len);
}
static inline void *xskb_skb_put_data(struct sk_buff *skb, const void *data, unsigned int len)
{
	void *tmp = xskb_skb_put(skb, len);

	memcpy(tmp, data, len);
	return tmp;
}
static inline void *xskb_skb_put_zero(struct sk_buff *skb, unsigned int len)
{
	void *tmp = xskb_skb_put(skb, len);

	memset(tmp, 0, len);
	return tmp;
}
static inline void *xskb__skb_push(struct sk_buff *skb, unsigned int len)
{
	skb->data -= len;
	skb->len += len;
	return skb->data;
}
/* Checked: pushing in front of head aborts (kernel skb_under_panic). */
static inline void *xskb_skb_push(struct sk_buff *skb, unsigned int len)
{
	if (xskb_unlikely(len > xskb_skb_headroom(skb)))
		xskb_skb_under_panic(skb, len, __builtin_return_address(0));
	return xskb__skb_push(skb, len);
}
/**
 * xskb__skb_pull - remove @len bytes from the start of the data, unchecked
 * @skb: the skb
 * @len: bytes to remove, at most skb_headlen(skb)
 *
 * Returns the new data pointer. As the kernel's: the length is not checked.
 * Pulling more than skb->len wraps skb->len around (the caller's bug, not
 * caught: use skb_pull()); on a nonlinear skb, pulling into the paged data
 * (len ending up below data_len) aborts naming __skb_pull, as the kernel
 * BUGs.
 */
static inline void *xskb__skb_pull(struct sk_buff *skb, unsigned int len)
{
	skb->len -= len;
	if (xskb_unlikely(skb->len < skb->data_len))
		xskb_skb_bug(skb, "__skb_pull into the paged data");
	return skb->data += len;
}
/* Returns the new data pointer, or NULL (nothing changed) if len > skb->len. */
static inline void *xskb_skb_pull(struct sk_buff *skb, unsigned int len)
{
	return xskb_unlikely(len > skb->len) ? NULL : xskb__skb_pull(skb, len);
}
/**
 * xskb__skb_trim - cut a linear skb to @len bytes
 * @skb: a linear skb (use pskb_trim() for nonlinear ones)
 * @len: the new length, at most skb->len
 *
 * As the kernel's (WARN_ON(skb->data_len)): on a nonlinear skb it warns
 * (once per process, through xskb_set_print()) and leaves the skb as it was.
 */
static inline void xskb__skb_trim(struct sk_buff *skb, unsigned int len)
{
	if (xskb_unlikely(skb->data_len)) {
		xskb_skb_warn(skb, "__skb_trim on a nonlinear skb: left as it was, use pskb_trim()");
		return;
	}
	skb->len = len;
	xskb_skb_set_tail_pointer(skb, (int)len);
}
/* Trim to @len if longer; a nonlinear skb warns and is left as it was. */
static inline void xskb_skb_trim(struct sk_buff *skb, unsigned int len)
{
	if (skb->len > len)
		xskb__skb_trim(skb, len);
}
static inline int xskb__pskb_trim(struct sk_buff *skb, unsigned int len)
{
	if (skb->data_len)
		return xskb___pskb_trim(skb, len);
	xskb__skb_trim(skb, len);
	return 0;
}
/* Returns 0 or -ENOMEM (nonlinear skb that had to be unshared). */
static inline int xskb_pskb_trim(struct sk_buff *skb, unsigned int len)
{
	return (len < skb->len) ? xskb__pskb_trim(skb, len) : 0;
}
/* Make the first len bytes linear; false if the skb is shorter or memory ran out. */
static inline bool xskb_pskb_may_pull(struct sk_buff *skb, unsigned int len)
{
	if (xskb_likely(len <= xskb_skb_headlen(skb)))
		return true;
	if (xskb_unlikely(len > skb->len))
		return false;
	return xskb__pskb_pull_tail(skb, (int)(len - xskb_skb_headlen(skb))) != NULL;
}
static inline void *xskb__pskb_pull(struct sk_buff *skb, unsigned int len)
{
	if (!xskb_pskb_may_pull(skb, len))
		return NULL;
	skb->len -= len;
	return skb->data += len;
}
static inline void *xskb_pskb_pull(struct sk_buff *skb, unsigned int len)
{
	return xskb_unlikely(len > skb->len) ? NULL : xskb__pskb_pull(skb, len);
}
/* Returns 0 or -ENOMEM. */
static inline int xskb__skb_linearize(struct sk_buff *skb)
{
	return xskb__pskb_pull_tail(skb, (int)skb->data_len) ? 0 : -ENOMEM;
}
static inline int xskb_skb_linearize(struct sk_buff *skb)
{
	return xskb_skb_is_nonlinear(skb) ? xskb__skb_linearize(skb) : 0;
}
/* Pointer to len bytes at offset: in place when linear, else copied to buffer.
 * NULL when the skb is too short. */
static inline void *xskb_skb_header_pointer(const struct sk_buff *skb, int offset, int len,
					    void *buffer)
{
	int hlen = (int)xskb_skb_headlen(skb);

	if (xskb_likely(hlen - offset >= len))
		return skb->data + offset;
	if (xskb_skb_copy_bits(skb, offset, buffer, len) < 0)
		return NULL;
	return buffer;
}

/* header offsets */
/*
 * The queue an skb belongs to: on receive xskb's RX queue (xskb stores the
 * queue id itself, not the kernel's rx_queue + 1 of skb_record_rx_queue()),
 * on transmit the TX queue dev_queue_xmit() sends it on.
 */
static inline void xskb_skb_set_queue_mapping(struct sk_buff *skb, __u16 queue_mapping)
{
	skb->queue_mapping = queue_mapping;
}
static inline __u16 xskb_skb_get_queue_mapping(const struct sk_buff *skb)
{
	return skb->queue_mapping;
}

static inline void xskb_skb_reset_mac_header(struct sk_buff *skb)
{
	skb->mac_header = (__u16)(skb->data - skb->head);
}
static inline void xskb_skb_set_mac_header(struct sk_buff *skb, const int offset)
{
	xskb_skb_reset_mac_header(skb);
	skb->mac_header += offset;
}
static inline unsigned char *xskb_skb_mac_header(const struct sk_buff *skb)
{
	return skb->head + skb->mac_header;
}
static inline bool xskb_skb_mac_header_was_set(const struct sk_buff *skb)
{
	return skb->mac_header != (__u16)~0U;
}
static inline void xskb_skb_reset_network_header(struct sk_buff *skb)
{
	skb->network_header = (__u16)(skb->data - skb->head);
}
static inline void xskb_skb_set_network_header(struct sk_buff *skb, const int offset)
{
	xskb_skb_reset_network_header(skb);
	skb->network_header += offset;
}
static inline unsigned char *xskb_skb_network_header(const struct sk_buff *skb)
{
	return skb->head + skb->network_header;
}
static inline void xskb_skb_reset_transport_header(struct sk_buff *skb)
{
	skb->transport_header = (__u16)(skb->data - skb->head);
}
static inline void xskb_skb_set_transport_header(struct sk_buff *skb, const int offset)
{
	xskb_skb_reset_transport_header(skb);
	skb->transport_header += offset;
}
static inline unsigned char *xskb_skb_transport_header(const struct sk_buff *skb)
{
	return skb->head + skb->transport_header;
}
static inline bool xskb_skb_transport_header_was_set(const struct sk_buff *skb)
{
	return skb->transport_header != (__u16)~0U;
}
static inline int xskb_skb_network_offset(const struct sk_buff *skb)
{
	return (int)(xskb_skb_network_header(skb) - skb->data);
}
static inline int xskb_skb_transport_offset(const struct sk_buff *skb)
{
	return (int)(xskb_skb_transport_header(skb) - skb->data);
}

/* references */
static inline struct sk_buff *xskb_skb_get(struct sk_buff *skb)
{
	xskb_refcount_inc(&skb->users);
	return skb;
}
static inline int xskb_skb_shared(const struct sk_buff *skb)
{
	return xskb_refcount_read(&skb->users) != 1;
}
static inline int xskb_skb_cloned(const struct sk_buff *skb)
{
	return skb->cloned &&
	       (xskb_atomic_read(&xskb_skb_shinfo(skb)->dataref) & XSKB_SKB_DATAREF_MASK) != 1;
}
/* True if the header part (up to data) is shared with a clone. */
static inline int xskb_skb_header_cloned(const struct sk_buff *skb)
{
	int dataref;

	if (!skb->cloned)
		return 0;
	dataref = xskb_atomic_read(&xskb_skb_shinfo(skb)->dataref);
	dataref = (dataref & XSKB_SKB_DATAREF_MASK) - (dataref >> XSKB_SKB_DATAREF_SHIFT);
	return dataref != 1;
}
static inline void xskb_kfree_skb(struct sk_buff *skb)
{
	xskb_kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
}
/* Headroom at least @headroom and a private header; 0 or -ENOMEM. */
static inline int xskb_skb_cow_head(struct sk_buff *skb, unsigned int headroom)
{
	unsigned int delta = 0;

	if (headroom > xskb_skb_headroom(skb))
		delta = headroom - xskb_skb_headroom(skb);
	if (delta || xskb_skb_header_cloned(skb))
		return xskb_pskb_expand_head(skb, (int)XSKB_ALIGN(delta, (unsigned int)XSKB_NET_SKB_PAD),
					     0, XSKB_GFP_ATOMIC);
	return 0;
}

/* pages and fragments */
static inline void *xskb_page_address(const struct page *page)
{
	return page->address;
}
static inline unsigned long xskb_page_private(const struct page *page)
{
	return page->priv;
}
static inline void xskb_set_page_private(struct page *page, unsigned long priv)
{
	page->priv = priv;
}
static inline void xskb_get_page(struct page *page)
{
	xskb_atomic_inc(&page->_refcount);
}
static inline void xskb_put_page(struct page *page)
{
	if (xskb_atomic_dec_and_test(&page->_refcount))
		xskb_page_release(page);
}
static inline int xskb_page_ref_count(const struct page *page)
{
	return xskb_atomic_read(&page->_refcount);
}
static inline unsigned int xskb_skb_frag_size(const skb_frag_t *frag)
{
	return frag->len;
}
static inline void xskb_skb_frag_size_set(skb_frag_t *frag, unsigned int size)
{
	frag->len = size;
}
static inline void xskb_skb_frag_size_add(skb_frag_t *frag, int delta)
{
	frag->len += delta;
}
static inline void xskb_skb_frag_size_sub(skb_frag_t *frag, int delta)
{
	frag->len -= delta;
}
static inline unsigned int xskb_skb_frag_off(const skb_frag_t *frag)
{
	return frag->offset;
}
static inline void xskb_skb_frag_off_add(skb_frag_t *frag, int delta)
{
	frag->offset += delta;
}
static inline struct page *xskb_skb_frag_page(const skb_frag_t *frag)
{
	return frag->page;
}
static inline void *xskb_skb_frag_address(const skb_frag_t *frag)
{
	return (char *)xskb_page_address(frag->page) + frag->offset;
}
static inline void xskb_skb_frag_ref(struct sk_buff *skb, int f)
{
	xskb_get_page(xskb_skb_shinfo(skb)->frags[f].page);
}
static inline void xskb_skb_frag_unref(struct sk_buff *skb, int f)
{
	xskb_put_page(xskb_skb_shinfo(skb)->frags[f].page);
}
static inline void xskb_skb_fill_page_desc(struct sk_buff *skb, int i, struct page *page,
					   int off, int size)
{
	skb_frag_t *frag = &xskb_skb_shinfo(skb)->frags[i];

	frag->page = page;
	frag->offset = (unsigned int)off;
	frag->len = (unsigned int)size;
	xskb_skb_shinfo(skb)->nr_frags = (__u8)(i + 1);
}

/* allocation wrappers */
static inline struct sk_buff *xskb_alloc_skb(unsigned int size, xskb_gfp_t gfp)
{
	return xskb__alloc_skb(size, gfp, 0, XSKB_NUMA_NO_NODE);
}
static inline struct sk_buff *xskb_alloc_skb_node(unsigned int size, xskb_gfp_t gfp, int node)
{
	return xskb__alloc_skb(size, gfp, 0, node);
}
static inline struct sk_buff *xskb_alloc_skb_fclone(unsigned int size, xskb_gfp_t gfp)
{
	return xskb__alloc_skb(size, gfp, XSKB_SKB_ALLOC_FCLONE, XSKB_NUMA_NO_NODE);
}
static inline struct sk_buff *xskb_napi_alloc_skb(struct napi_struct *napi, unsigned int len)
{
	return xskb__napi_alloc_skb(napi, len, XSKB_GFP_ATOMIC);
}
static inline struct sk_buff *xskb_netdev_alloc_skb(struct net_device *dev, unsigned int len)
{
	return xskb__netdev_alloc_skb(dev, len, XSKB_GFP_ATOMIC);
}
static inline struct sk_buff *xskb_dev_alloc_skb(unsigned int len)
{
	return xskb_netdev_alloc_skb(NULL, len);
}
static inline struct sk_buff *xskb_netdev_alloc_skb_ip_align(struct net_device *dev,
							    unsigned int len)
{
	struct sk_buff *skb = xskb_netdev_alloc_skb(dev, len + XSKB_NET_IP_ALIGN);

	if (XSKB_NET_IP_ALIGN && skb)
		xskb_skb_reserve(skb, XSKB_NET_IP_ALIGN);
	return skb;
}
static inline struct page *xskb_alloc_page(xskb_gfp_t gfp)
{
	return xskb_alloc_pages(gfp, 0);
}
static inline struct page *xskb_dev_alloc_pages(unsigned int order)
{
	return xskb_alloc_pages(XSKB_GFP_ATOMIC, order);
}
static inline struct page *xskb_dev_alloc_page(void)
{
	return xskb_alloc_pages(XSKB_GFP_ATOMIC, 0);
}

/* queues: the xskb__ versions take no lock */
static inline void xskb_skb_queue_head_init(struct sk_buff_head *list)
{
	xskb_spin_lock_init(&list->lock);
	list->prev = list->next = (struct sk_buff *)(void *)list;
	list->qlen = 0;
}
static inline void xskb__skb_queue_head_init(struct sk_buff_head *list)
{
	list->prev = list->next = (struct sk_buff *)(void *)list;
	list->qlen = 0;
}
static inline __u32 xskb_skb_queue_len(const struct sk_buff_head *list)
{
	return list->qlen;
}
static inline int xskb_skb_queue_empty(const struct sk_buff_head *list)
{
	return list->next == (const struct sk_buff *)(const void *)list;
}
static inline bool xskb_skb_queue_is_last(const struct sk_buff_head *list,
					  const struct sk_buff *skb)
{
	return skb->next == (const struct sk_buff *)(const void *)list;
}
static inline struct sk_buff *xskb_skb_peek(const struct sk_buff_head *list)
{
	struct sk_buff *skb = list->next;

	return skb == (const struct sk_buff *)(const void *)list ? NULL : skb;
}
static inline struct sk_buff *xskb_skb_peek_tail(const struct sk_buff_head *list)
{
	struct sk_buff *skb = list->prev;

	return skb == (const struct sk_buff *)(const void *)list ? NULL : skb;
}
static inline void xskb__skb_insert(struct sk_buff *newsk, struct sk_buff *prev,
				    struct sk_buff *next, struct sk_buff_head *list)
{
	newsk->next = next;
	newsk->prev = prev;
	XSKB_SKB_LIST(next)->prev = newsk;
	XSKB_SKB_LIST(prev)->next = newsk;
	list->qlen++;
}
static inline void xskb__skb_queue_after(struct sk_buff_head *list, struct sk_buff *prev,
					 struct sk_buff *newsk)
{
	xskb__skb_insert(newsk, prev, XSKB_SKB_LIST(prev)->next, list);
}
static inline void xskb__skb_queue_before(struct sk_buff_head *list, struct sk_buff *next,
					  struct sk_buff *newsk)
{
	xskb__skb_insert(newsk, XSKB_SKB_LIST(next)->prev, next, list);
}
static inline void xskb__skb_queue_head(struct sk_buff_head *list, struct sk_buff *newsk)
{
	xskb__skb_queue_after(list, (struct sk_buff *)(void *)list, newsk);
}
static inline void xskb__skb_queue_tail(struct sk_buff_head *list, struct sk_buff *newsk)
{
	xskb__skb_queue_before(list, (struct sk_buff *)(void *)list, newsk);
}
static inline void xskb__skb_unlink(struct sk_buff *skb, struct sk_buff_head *list)
{
	struct sk_buff *next = skb->next, *prev = skb->prev;

	list->qlen--;
	skb->next = skb->prev = NULL;
	XSKB_SKB_LIST(next)->prev = prev;
	XSKB_SKB_LIST(prev)->next = next;
}
static inline struct sk_buff *xskb__skb_dequeue(struct sk_buff_head *list)
{
	struct sk_buff *skb = xskb_skb_peek(list);

	if (skb)
		xskb__skb_unlink(skb, list);
	return skb;
}
static inline struct sk_buff *xskb__skb_dequeue_tail(struct sk_buff_head *list)
{
	struct sk_buff *skb = xskb_skb_peek_tail(list);

	if (skb)
		xskb__skb_unlink(skb, list);
	return skb;
}
static inline void xskb__skb_queue_purge_reason(struct sk_buff_head *list,
						enum skb_drop_reason reason)
{
	struct sk_buff *skb;

	while ((skb = xskb__skb_dequeue(list)) != NULL)
		xskb_kfree_skb_reason(skb, reason);
}
static inline void xskb__skb_queue_splice(const struct sk_buff_head *list, struct sk_buff *prev,
					  struct sk_buff *next)
{
	struct sk_buff *first = list->next, *last = list->prev;

	first->prev = prev;
	XSKB_SKB_LIST(prev)->next = first;
	last->next = next;
	XSKB_SKB_LIST(next)->prev = last;
}
/* Join @list in front of @head's packets; @list is left stale (not reset). */
static inline void xskb_skb_queue_splice(const struct sk_buff_head *list, struct sk_buff_head *head)
{
	if (!xskb_skb_queue_empty(list)) {
		xskb__skb_queue_splice(list, (struct sk_buff *)(void *)head, head->next);
		head->qlen += list->qlen;
	}
}
static inline void xskb_skb_queue_splice_init(struct sk_buff_head *list, struct sk_buff_head *head)
{
	if (!xskb_skb_queue_empty(list)) {
		xskb__skb_queue_splice(list, (struct sk_buff *)(void *)head, head->next);
		head->qlen += list->qlen;
		xskb__skb_queue_head_init(list);
	}
}
/* Join @list after @head's packets; @list is left stale (not reset). */
static inline void xskb_skb_queue_splice_tail(const struct sk_buff_head *list,
					      struct sk_buff_head *head)
{
	if (!xskb_skb_queue_empty(list)) {
		xskb__skb_queue_splice(list, head->prev, (struct sk_buff *)(void *)head);
		head->qlen += list->qlen;
	}
}
static inline void xskb_skb_queue_splice_tail_init(struct sk_buff_head *list,
						   struct sk_buff_head *head)
{
	if (!xskb_skb_queue_empty(list)) {
		xskb__skb_queue_splice(list, head->prev, (struct sk_buff *)(void *)head);
		head->qlen += list->qlen;
		xskb__skb_queue_head_init(list);
	}
}
static inline void xskb_skb_queue_purge(struct sk_buff_head *list)
{
	xskb_skb_queue_purge_reason(list, SKB_DROP_REASON_QUEUE_PURGE);
}

#define xskb_skb_queue_walk(queue, skb) \
	for (skb = (queue)->next; skb != (struct sk_buff *)(void *)(queue); skb = skb->next)
#define xskb_skb_queue_walk_safe(queue, skb, tmp) \
	for (skb = (queue)->next, tmp = skb->next; skb != (struct sk_buff *)(void *)(queue); \
	     skb = tmp, tmp = skb->next)
#define xskb_skb_queue_reverse_walk(queue, skb) \
	for (skb = (queue)->prev; skb != (struct sk_buff *)(void *)(queue); skb = skb->prev)

/* ---- kernel names --------------------------------------------------------------- */
#ifndef XSKB_NO_KERNEL_NAMES
#ifndef PAGE_SHIFT
#define PAGE_SHIFT			XSKB_PAGE_SHIFT
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE			XSKB_PAGE_SIZE
#endif
#define NET_SKB_PAD			XSKB_NET_SKB_PAD
#define NET_IP_ALIGN			XSKB_NET_IP_ALIGN
#define MAX_SKB_FRAGS			XSKB_MAX_SKB_FRAGS
#define SKB_DATA_ALIGN(x)		XSKB_SKB_DATA_ALIGN(x)
#define SKB_WITH_OVERHEAD(x)		XSKB_SKB_WITH_OVERHEAD(x)
#define SKB_HEAD_ALIGN(x)		XSKB_SKB_HEAD_ALIGN(x)
#define SKB_TRUESIZE(x)			XSKB_SKB_TRUESIZE(x)
#define SKB_DATAREF_SHIFT		XSKB_SKB_DATAREF_SHIFT
#define SKB_DATAREF_MASK		XSKB_SKB_DATAREF_MASK
#define SKB_ALLOC_FCLONE		XSKB_SKB_ALLOC_FCLONE
#define SKB_ALLOC_RX			XSKB_SKB_ALLOC_RX
#define SKB_ALLOC_NAPI			XSKB_SKB_ALLOC_NAPI
#define SKB_FCLONE_UNAVAILABLE		XSKB_SKB_FCLONE_UNAVAILABLE
#define SKB_FCLONE_ORIG			XSKB_SKB_FCLONE_ORIG
#define SKB_FCLONE_CLONE		XSKB_SKB_FCLONE_CLONE
#define PACKET_HOST			XSKB_PACKET_HOST
#define PACKET_BROADCAST		XSKB_PACKET_BROADCAST
#define PACKET_MULTICAST		XSKB_PACKET_MULTICAST
#define PACKET_OTHERHOST		XSKB_PACKET_OTHERHOST
#define skb_set_queue_mapping		xskb_skb_set_queue_mapping
#define skb_get_queue_mapping		xskb_skb_get_queue_mapping
#define CHECKSUM_NONE			XSKB_CHECKSUM_NONE
#define CHECKSUM_UNNECESSARY		XSKB_CHECKSUM_UNNECESSARY
#define CHECKSUM_COMPLETE		XSKB_CHECKSUM_COMPLETE
#define CHECKSUM_PARTIAL		XSKB_CHECKSUM_PARTIAL

#define __alloc_skb(size, gfp, flags, node)	xskb__alloc_skb(size, gfp, flags, node)
#define alloc_skb(size, gfp)			xskb_alloc_skb(size, gfp)
#define alloc_skb_node(size, gfp, node)		xskb_alloc_skb_node(size, gfp, node)
#define alloc_skb_fclone(size, gfp)		xskb_alloc_skb_fclone(size, gfp)
#define build_skb(data, frag_size)		xskb_build_skb(data, frag_size)
#define build_skb_around(skb, data, frag_size)	xskb_build_skb_around(skb, data, frag_size)
#define napi_build_skb(data, frag_size)		xskb_napi_build_skb(data, frag_size)
#define napi_alloc_skb(napi, len)		xskb_napi_alloc_skb(napi, len)
#define __napi_alloc_skb(napi, len, gfp)	xskb__napi_alloc_skb(napi, len, gfp)
#define netdev_alloc_skb(dev, len)		xskb_netdev_alloc_skb(dev, len)
#define __netdev_alloc_skb(dev, len, gfp)	xskb__netdev_alloc_skb(dev, len, gfp)
#define netdev_alloc_skb_ip_align(dev, len)	xskb_netdev_alloc_skb_ip_align(dev, len)
#define dev_alloc_skb(len)			xskb_dev_alloc_skb(len)
#define kmalloc_reserve(size, gfp, node, pfm)	xskb_kmalloc_reserve(size, gfp, node, pfm)
#define napi_skb_cache_get()			xskb_napi_skb_cache_get()

#define kfree_skb(skb)				xskb_kfree_skb(skb)
#define kfree_skb_reason(skb, reason)		xskb_kfree_skb_reason(skb, reason)
#define kfree_skb_list(segs)			xskb_kfree_skb_list_reason(segs, SKB_DROP_REASON_NOT_SPECIFIED)
#define kfree_skb_list_reason(segs, reason)	xskb_kfree_skb_list_reason(segs, reason)
#define consume_skb(skb)			xskb_consume_skb(skb)
#define napi_consume_skb(skb, budget)		xskb_napi_consume_skb(skb, budget)
/* As the kernel's: dev_kfree_skb() is consume_skb(), the _any/_irq ones drop. */
#define dev_kfree_skb(skb)			xskb_consume_skb(skb)
#define dev_kfree_skb_any(skb)			xskb_kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED)
#define dev_kfree_skb_any_reason(skb, reason)	xskb_kfree_skb_reason(skb, reason)
#define dev_kfree_skb_irq(skb)			xskb_kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED)
#define dev_kfree_skb_irq_reason(skb, reason)	xskb_kfree_skb_reason(skb, reason)
#define dev_consume_skb_any(skb)		xskb_consume_skb(skb)
#define dev_consume_skb_irq(skb)		xskb_consume_skb(skb)

#define skb_clone(skb, gfp)			xskb_skb_clone(skb, gfp)
#define skb_copy(skb, gfp)			xskb_skb_copy(skb, gfp)
#define pskb_copy(skb, gfp)			xskb_pskb_copy(skb, gfp)
#define pskb_expand_head(skb, nhead, ntail, gfp) xskb_pskb_expand_head(skb, nhead, ntail, gfp)
#define skb_realloc_headroom(skb, headroom)	xskb_skb_realloc_headroom(skb, headroom)
#define skb_unshare(skb, gfp)			xskb_skb_unshare(skb, gfp)
#define skb_share_check(skb, gfp)		xskb_skb_share_check(skb, gfp)
#define skb_cow_head(skb, headroom)		xskb_skb_cow_head(skb, headroom)
#define skb_get(skb)				xskb_skb_get(skb)
#define skb_shared(skb)				xskb_skb_shared(skb)
#define skb_cloned(skb)				xskb_skb_cloned(skb)
#define skb_header_cloned(skb)			xskb_skb_header_cloned(skb)

#define skb_shinfo(skb)				xskb_skb_shinfo(skb)
#define skb_end_pointer(skb)			xskb_skb_end_pointer(skb)
#define skb_end_offset(skb)			xskb_skb_end_offset(skb)
#define skb_tail_pointer(skb)			xskb_skb_tail_pointer(skb)
#define skb_reset_tail_pointer(skb)		xskb_skb_reset_tail_pointer(skb)
#define skb_set_tail_pointer(skb, off)		xskb_skb_set_tail_pointer(skb, off)
#define skb_is_nonlinear(skb)			xskb_skb_is_nonlinear(skb)
#define skb_headlen(skb)			xskb_skb_headlen(skb)
#define skb_headroom(skb)			xskb_skb_headroom(skb)
#define skb_tailroom(skb)			xskb_skb_tailroom(skb)
#define skb_reserve(skb, len)			xskb_skb_reserve(skb, len)
#define skb_has_frag_list(skb)			xskb_skb_has_frag_list(skb)
#define skb_put(skb, len)			xskb_skb_put(skb, len)
#define __skb_put(skb, len)			xskb__skb_put(skb, len)
#define skb_put_data(skb, data, len)		xskb_skb_put_data(skb, data, len)
#define skb_put_zero(skb, len)			xskb_skb_put_zero(skb, len)
#define skb_push(skb, len)			xskb_skb_push(skb, len)
#define __skb_push(skb, len)			xskb__skb_push(skb, len)
#define skb_pull(skb, len)			xskb_skb_pull(skb, len)
#define __skb_pull(skb, len)			xskb__skb_pull(skb, len)
#define pskb_pull(skb, len)			xskb_pskb_pull(skb, len)
#define skb_trim(skb, len)			xskb_skb_trim(skb, len)
#define __skb_trim(skb, len)			xskb__skb_trim(skb, len)
#define pskb_trim(skb, len)			xskb_pskb_trim(skb, len)
#define __pskb_trim(skb, len)			xskb__pskb_trim(skb, len)
#define pskb_may_pull(skb, len)			xskb_pskb_may_pull(skb, len)
#define __pskb_pull_tail(skb, delta)		xskb__pskb_pull_tail(skb, delta)
#define skb_linearize(skb)			xskb_skb_linearize(skb)
#define __skb_linearize(skb)			xskb__skb_linearize(skb)
#define skb_header_pointer(skb, off, len, buf)	xskb_skb_header_pointer(skb, off, len, buf)
#define skb_copy_bits(skb, off, to, len)	xskb_skb_copy_bits(skb, off, to, len)
#define skb_ensure_writable(skb, write_len)	xskb_skb_ensure_writable(skb, write_len)
#define skb_over_panic(skb, len, addr)		xskb_skb_over_panic(skb, len, addr)
#define skb_under_panic(skb, len, addr)		xskb_skb_under_panic(skb, len, addr)

#define skb_reset_mac_header(skb)		xskb_skb_reset_mac_header(skb)
#define skb_set_mac_header(skb, off)		xskb_skb_set_mac_header(skb, off)
#define skb_mac_header(skb)			xskb_skb_mac_header(skb)
#define skb_mac_header_was_set(skb)		xskb_skb_mac_header_was_set(skb)
#define skb_reset_network_header(skb)		xskb_skb_reset_network_header(skb)
#define skb_set_network_header(skb, off)	xskb_skb_set_network_header(skb, off)
#define skb_network_header(skb)			xskb_skb_network_header(skb)
#define skb_network_offset(skb)			xskb_skb_network_offset(skb)
#define skb_reset_transport_header(skb)		xskb_skb_reset_transport_header(skb)
#define skb_set_transport_header(skb, off)	xskb_skb_set_transport_header(skb, off)
#define skb_transport_header(skb)		xskb_skb_transport_header(skb)
#define skb_transport_header_was_set(skb)	xskb_skb_transport_header_was_set(skb)
#define skb_transport_offset(skb)		xskb_skb_transport_offset(skb)

#define page_address(page)			xskb_page_address(page)
#define page_private(page)			xskb_page_private(page)
#define set_page_private(page, v)		xskb_set_page_private(page, v)
#define get_page(page)				xskb_get_page(page)
#define put_page(page)				xskb_put_page(page)
#define page_ref_count(page)			xskb_page_ref_count(page)
#define alloc_pages(gfp, order)			xskb_alloc_pages(gfp, order)
#define virt_to_head_page(addr)			xskb_virt_to_head_page(addr)
#define alloc_page(gfp)				xskb_alloc_page(gfp)
#define dev_alloc_pages(order)			xskb_dev_alloc_pages(order)
#define dev_alloc_page()			xskb_dev_alloc_page()
#define __free_pages(page, order)		xskb_put_page(page)
#define __free_page(page)			xskb_put_page(page)
#define skb_add_rx_frag(skb, i, page, off, size, truesize) \
	xskb_skb_add_rx_frag(skb, i, page, off, size, truesize)
#define skb_fill_page_desc(skb, i, page, off, size) xskb_skb_fill_page_desc(skb, i, page, off, size)
#define skb_frag_size(frag)			xskb_skb_frag_size(frag)
#define skb_frag_size_set(frag, size)		xskb_skb_frag_size_set(frag, size)
#define skb_frag_size_add(frag, delta)		xskb_skb_frag_size_add(frag, delta)
#define skb_frag_size_sub(frag, delta)		xskb_skb_frag_size_sub(frag, delta)
#define skb_frag_off(frag)			xskb_skb_frag_off(frag)
#define skb_frag_off_add(frag, delta)		xskb_skb_frag_off_add(frag, delta)
#define skb_frag_page(frag)			xskb_skb_frag_page(frag)
#define skb_frag_address(frag)			xskb_skb_frag_address(frag)
#define skb_frag_ref(skb, f)			xskb_skb_frag_ref(skb, f)
#define skb_frag_unref(skb, f)			xskb_skb_frag_unref(skb, f)

#define skb_queue_head_init(list)		xskb_skb_queue_head_init(list)
#define __skb_queue_head_init(list)		xskb__skb_queue_head_init(list)
#define skb_queue_len(list)			xskb_skb_queue_len(list)
#define skb_queue_empty(list)			xskb_skb_queue_empty(list)
#define skb_queue_is_last(list, skb)		xskb_skb_queue_is_last(list, skb)
#define skb_peek(list)				xskb_skb_peek(list)
#define skb_peek_tail(list)			xskb_skb_peek_tail(list)
#define skb_queue_head(list, newsk)		xskb_skb_queue_head(list, newsk)
#define __skb_queue_head(list, newsk)		xskb__skb_queue_head(list, newsk)
#define skb_queue_tail(list, newsk)		xskb_skb_queue_tail(list, newsk)
#define __skb_queue_tail(list, newsk)		xskb__skb_queue_tail(list, newsk)
#define __skb_queue_after(list, prev, newsk)	xskb__skb_queue_after(list, prev, newsk)
#define __skb_queue_before(list, next, newsk)	xskb__skb_queue_before(list, next, newsk)
#define __skb_insert(newsk, prev, next, list)	xskb__skb_insert(newsk, prev, next, list)
#define skb_dequeue(list)			xskb_skb_dequeue(list)
#define __skb_dequeue(list)			xskb__skb_dequeue(list)
#define skb_dequeue_tail(list)			xskb_skb_dequeue_tail(list)
#define __skb_dequeue_tail(list)		xskb__skb_dequeue_tail(list)
#define skb_queue_purge(list)			xskb_skb_queue_purge(list)
#define skb_queue_purge_reason(list, reason)	xskb_skb_queue_purge_reason(list, reason)
#define __skb_queue_purge(list)			xskb__skb_queue_purge_reason(list, SKB_DROP_REASON_QUEUE_PURGE)
#define __skb_queue_purge_reason(list, reason)	xskb__skb_queue_purge_reason(list, reason)
#define skb_insert(old, newsk, list)		xskb_skb_insert(old, newsk, list)
#define skb_append(old, newsk, list)		xskb_skb_append(old, newsk, list)
#define skb_unlink(skb, list)			xskb_skb_unlink(skb, list)
#define __skb_unlink(skb, list)			xskb__skb_unlink(skb, list)
#define skb_queue_splice(list, head)		xskb_skb_queue_splice(list, head)
#define skb_queue_splice_init(list, head)	xskb_skb_queue_splice_init(list, head)
#define skb_queue_splice_tail(list, head)	xskb_skb_queue_splice_tail(list, head)
#define skb_queue_splice_tail_init(list, head)	xskb_skb_queue_splice_tail_init(list, head)
#define skb_queue_walk(queue, skb)		xskb_skb_queue_walk(queue, skb)
#define skb_queue_walk_safe(queue, skb, tmp)	xskb_skb_queue_walk_safe(queue, skb, tmp)
#define skb_queue_reverse_walk(queue, skb)	xskb_skb_queue_reverse_walk(queue, skb)
#endif /* XSKB_NO_KERNEL_NAMES */

#ifdef __cplusplus
}
#endif
#endif /* XSKB_SKBUFF_H */
