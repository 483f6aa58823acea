/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk_buff internals shared inside the library: the head cache and the
 * build_skb core the NAPI loop inlines for every frame-backed packet.
 */
#ifndef XSKB_SKBUFF_INTERNAL_H
#define XSKB_SKBUFF_INTERNAL_H

#include <xskb/skbuff.h>

extern struct kmem_cache *xskb_skbuff_head_cache;

void xskb_skb_init_once(void);
void xskb_skb_free_frag(void *addr);

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
	memset(skb, 0, sizeof(*skb));
	skb->truesize = XSKB_SKB_TRUESIZE(size);
	xskb_refcount_set(&skb->users, 1);
	skb->head = data;
	skb->data = data;
	skb->end = size;
	skb->mac_header = (__u16)~0U;
	skb->transport_header = (__u16)~0U;

	shinfo = xskb_skb_shinfo(skb);
	memset(shinfo, 0, offsetof(struct skb_shared_info, dataref));
	xskb_atomic_set(&shinfo->dataref, 1);
}

#endif /* XSKB_SKBUFF_INTERNAL_H */
