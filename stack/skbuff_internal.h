/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk_buff internals shared inside the library: the head cache and the
 * build_skb core the NAPI loop inlines for every frame-backed packet.
 */
#ifndef XSKB_SKBUFF_INTERNAL_H
#define XSKB_SKBUFF_INTERNAL_H

#include <stddef.h>
#include <string.h>
#include <xskb/skbuff.h>

extern struct kmem_cache *xskb_skbuff_head_cache;

/* The skb caches: 0, or -ENOMEM (reported; the next call tries again). */
int xskb_skb_init_once(void);
void xskb_skb_free_frag(void *addr);
/* Free the sk_buff but not its data, which the caller took over. */
void xskb_skb_free_detached(struct sk_buff *skb);

/* 16-byte stores that may alias anything and need no alignment. */
typedef long long xskb_v16 __attribute__((vector_size(16), aligned(1), may_alias));

/*
 * Zero all of struct sk_buff (cb included, as the kernel zeroes up to tail)
 * with eleven 16-byte stores: a generic memset() of 192 bytes costs about
 * three times the instructions on the per-packet path.
 */
static XSKB_ALWAYS_INLINE void xskb_skb_zero(struct sk_buff *skb)
{
	xskb_v16 *p = (xskb_v16 *)(void *)skb;
	const xskb_v16 z = { 0, 0 };

	/* Spelled out: GCC turns the equivalent loop back into a memset() call. */
	_Static_assert(sizeof(struct sk_buff) == 11 * 16, "sk_buff zeroed in eleven 16-byte stores");
	p[0] = z; p[1] = z; p[2] = z; p[3] = z; p[4] = z; p[5] = z;
	p[6] = z; p[7] = z; p[8] = z; p[9] = z; p[10] = z;
}

/* build_skb() clears the first 32 bytes of skb_shared_info, then dataref. */
static XSKB_ALWAYS_INLINE void xskb_shinfo_init(struct skb_shared_info *sh)
{
	xskb_v16 *p = (xskb_v16 *)(void *)sh;
	const xskb_v16 z = { 0, 0 };

	p[0] = z;
	p[1] = z;
	xskb_atomic_set(&sh->dataref, 1);
}

/*
 * Wrap a buffer of @size bytes (shared info included) at @data: no headroom,
 * empty data, skb_shared_info at the end. As the kernel's
 * __build_skb_around(), everything up to the end of the control block is
 * zeroed and the allocation fields are set afterwards.
 */
static XSKB_ALWAYS_INLINE void xskb__build_skb_around(struct sk_buff *skb, void *data,
						      unsigned int size)
{
	struct skb_shared_info *shinfo;

	size -= XSKB_SKB_SHINFO_SIZE;
	xskb_skb_zero(skb);
	skb->truesize = XSKB_SKB_TRUESIZE(size);
	xskb_refcount_set(&skb->users, 1);
	skb->head = data;
	skb->data = data;
	skb->end = size;
	skb->mac_header = (__u16)~0U;
	skb->transport_header = (__u16)~0U;

	shinfo = xskb_skb_shinfo(skb);
	xskb_shinfo_init(shinfo);
}

/*
 * The flag bits as one 16-bit word, for fast paths that test several at once
 * against constants the compiler folds from the layout: an skb the frame
 * fast paths (free, transmit) may take has cloned and fclone clear and
 * xsk_frame set.
 */
#define XSKB_SKB_FLAGS_OFFSET (offsetof(struct sk_buff, mac_len) + sizeof(__u16))
_Static_assert(offsetof(struct sk_buff, vlan_tci) == XSKB_SKB_FLAGS_OFFSET + 2,
	       "two bytes of flag bits (cloned, fclone, ..., xsk_frame) follow mac_len");

static XSKB_ALWAYS_INLINE __u16 xskb_skb_flag_word(const struct sk_buff *skb)
{
	__u16 w;

	memcpy(&w, (const unsigned char *)skb + XSKB_SKB_FLAGS_OFFSET, sizeof(w));
	return w;
}

static XSKB_ALWAYS_INLINE __u16 xskb_xsk_fast_mask(void)
{
	struct sk_buff t;

	memset(&t, 0, sizeof(t));
	t.cloned = 1;
	t.fclone = 3;
	t.xsk_frame = 1;
	return xskb_skb_flag_word(&t);
}

static XSKB_ALWAYS_INLINE __u16 xskb_xsk_fast_val(void)
{
	struct sk_buff t;

	memset(&t, 0, sizeof(t));
	t.xsk_frame = 1;
	return xskb_skb_flag_word(&t);
}

/* The ip_summed bits in the flag word, and their CHECKSUM_PARTIAL value. */
static XSKB_ALWAYS_INLINE __u16 xskb_ip_summed_mask(void)
{
	struct sk_buff t;

	memset(&t, 0, sizeof(t));
	t.ip_summed = 3;
	return xskb_skb_flag_word(&t);
}

static XSKB_ALWAYS_INLINE __u16 xskb_ip_summed_partial(void)
{
	struct sk_buff t;

	memset(&t, 0, sizeof(t));
	t.ip_summed = XSKB_CHECKSUM_PARTIAL;
	return xskb_skb_flag_word(&t);
}

#endif /* XSKB_SKBUFF_INTERNAL_H */
