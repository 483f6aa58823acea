/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An out-of-tree program built against an installed xskb: kernel-style skb
 * and slab code must compile unchanged and behave as in the kernel.
 */
#include <stdio.h>
#include <string.h>
#include <xskb/skbuff.h>
#include <xskb/slab.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); return 1; } } while (0)

int main(void)
{
	struct kmem_cache *cache = kmem_cache_create("consumer", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	struct sk_buff_head q;
	struct sk_buff *skb, *clone;
	void *obj;

	CHECK(cache);
	obj = kmem_cache_alloc(cache, GFP_KERNEL);
	CHECK(obj && ((unsigned long)obj % 64) == 0);
	kmem_cache_free(cache, obj);
	kmem_cache_destroy(cache);
	CHECK(ksize(kmalloc(100, GFP_ATOMIC)) == 128);

	skb = alloc_skb(1000, GFP_KERNEL);
	CHECK(skb);
	skb_reserve(skb, NET_SKB_PAD);
	memcpy(skb_put(skb, 64), "payload", 8);
	CHECK(skb->len == 64 && skb_headroom(skb) == NET_SKB_PAD);
	CHECK(skb_tailroom(skb) == (int)(SKB_WITH_OVERHEAD(2048) - NET_SKB_PAD - 64));
	clone = skb_clone(skb, GFP_ATOMIC);
	CHECK(clone && clone->data == skb->data && skb_cloned(skb));
	CHECK(atomic_read(&skb_shinfo(skb)->dataref) == 2);
	skb_queue_head_init(&q);
	skb_queue_tail(&q, skb);
	skb_queue_tail(&q, clone);
	CHECK(skb_queue_len(&q) == 2 && skb_dequeue(&q) == skb);
	kfree_skb(skb);
	CHECK(!skb_cloned(clone));
	skb_queue_purge(&q);
	CHECK(skb_queue_empty(&q));
	puts("consumer: ok");
	return 0;
}
