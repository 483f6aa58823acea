/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: the input is a program of sk_buff operations on eight
 * slots, run against a flat model of each skb's bytes. An operation is only
 * issued where correct kernel code could issue it (its preconditions hold)
 * or where its failure is a defined return; after every one, every live skb
 * must satisfy the layout invariants and hold exactly its model's bytes. At
 * the end everything is freed: no object, page or foreign head may be left.
 */
#include <errno.h>
#include <limits.h>

#include "fuzz_common.h"

#define NSLOTS		8
#define MAX_OPS		64
#define MAX_PAGES	128
#define MAX_LEN		(256 * 1024)
#define NFOREIGN	4
#define FOREIGN_SIZE	4096

struct slot {
	struct sk_buff *skb;
	unsigned int extra;	/* skb_get() references beyond the first */
	uint8_t *model;		/* the bytes skb_copy_bits(0, len) must return */
	size_t len;
	bool hdrs;		/* mac/network/transport headers set, at these */
	int rel[3];		/* offsets from skb->data */
};

static struct slot slots[NSLOTS];
static struct page *pages[MAX_PAGES];	/* every page made, with our watching ref */
static unsigned int npages;
static unsigned long baseline;
static uint8_t seq;			/* the byte pattern written next */
static uint8_t scratch[MAX_LEN];
static bool trace;			/* FUZZ_TRACE=1: print each operation */

/* Buffers the harness owns, built into skbs with a head_owner. */
struct foreign {
	struct xskb_head_owner owner;
	bool busy;
	uint8_t buf[FOREIGN_SIZE] __attribute__((aligned(64)));
};
static struct foreign foreign[NFOREIGN];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void foreign_free(struct xskb_head_owner *owner, unsigned char *head)
{
	struct foreign *fb = (struct foreign *)(void *)owner;

	FZ_CHECK(fb->busy, "foreign head freed twice");
	FZ_CHECK(head == fb->buf, "foreign head %p is not its buffer", (void *)head);
	fb->busy = false;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sk_buff *a, *b, *c;

	(void)argc;
	(void)argv;
	xskb_set_print(NULL);	/* skb_trim's one-time warning */
	fz_deep_pool();
	trace = getenv("FUZZ_TRACE") != NULL;
	/* Each page-fragment cache holds one chunk from its first use on. */
	a = napi_alloc_skb(NULL, 100);
	b = napi_alloc_skb(NULL, 1500);
	c = netdev_alloc_skb(NULL, 1500);
	kfree_skb(a);
	kfree_skb(b);
	kfree_skb(c);
	kfree_skb(alloc_skb_fclone(64, GFP_KERNEL));
	for (int i = 0; i < NFOREIGN; i++)
		foreign[i].owner.free_head = foreign_free;
	baseline = fz_slab_in_use();
	return 0;
}

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = seq++;
}

static struct page *new_page(unsigned int order)
{
	struct page *page;

	if (npages == MAX_PAGES)
		return NULL;
	page = alloc_pages(GFP_KERNEL, order);
	FZ_CHECK(page != NULL, "alloc_pages(%u)", order);
	get_page(page);
	pages[npages++] = page;
	return page;
}

/* Check one slot against its model. */
static void check_slot(const struct slot *s)
{
	const struct sk_buff *skb = s->skb;

	fz_check_skb(skb, 0);
	FZ_CHECK(skb->len == s->len, "len %u, model %zu", skb->len, s->len);
	FZ_CHECK(refcount_read(&skb->users) == s->extra + 1, "users %u, expected %u",
		 refcount_read(&skb->users), s->extra + 1);
	FZ_CHECK(skb_copy_bits(skb, 0, scratch, (int)s->len) == 0, "copy_bits of len");
	FZ_CHECK(!memcmp(scratch, s->model, s->len), "bytes differ from the model");
	FZ_CHECK(skb_copy_bits(skb, 0, scratch, (int)s->len + 1) == -EFAULT, "copy_bits past len");
	if (s->hdrs) {
		FZ_CHECK(skb_mac_header_was_set(skb) && skb_transport_header_was_set(skb),
			 "headers unset");
		FZ_CHECK(skb_mac_header(skb) - skb->data == s->rel[0], "mac header at %d, model %d",
			 (int)(skb_mac_header(skb) - skb->data), s->rel[0]);
		FZ_CHECK(skb_network_offset(skb) == s->rel[1], "network offset %d, model %d",
			 skb_network_offset(skb), s->rel[1]);
		FZ_CHECK(skb_transport_offset(skb) == s->rel[2], "transport offset %d, model %d",
			 skb_transport_offset(skb), s->rel[2]);
	}
}

/* The data start moved by @delta bytes (push: negative); headers stay put. */
static void model_moved(struct slot *s, int delta)
{
	for (int i = 0; i < 3; i++)
		s->rel[i] -= delta;
}

static void model_set(struct slot *s, const uint8_t *src, size_t len)
{
	uint8_t *m = malloc(len ? len : 1);

	FZ_CHECK(m != NULL, "malloc");
	if (len)
		memcpy(m, src, len);
	free(s->model);
	s->model = m;
	s->len = len;
}

static void model_append(struct slot *s, const uint8_t *src, size_t len)
{
	uint8_t *m = realloc(s->model, s->len + len + 1);

	FZ_CHECK(m != NULL, "realloc");
	memcpy(m + s->len, src, len);
	s->model = m;
	s->len += len;
}

static void slot_put(struct slot *s, struct sk_buff *skb, const struct slot *from)
{
	s->skb = skb;
	s->extra = 0;
	s->hdrs = from && from->hdrs;
	if (from)
		memcpy(s->rel, from->rel, sizeof(s->rel));
	model_set(s, from ? from->model : NULL, from ? from->len : 0);
}

static void slot_free(struct slot *s, uint8_t how)
{
	if (!s->skb)
		return;
	switch (how % 3) {
	case 0: kfree_skb(s->skb); break;
	case 1: consume_skb(s->skb); break;
	default: dev_kfree_skb_any(s->skb); break;
	}
	if (s->extra) {
		s->extra--;
		return;
	}
	s->skb = NULL;
	s->hdrs = false;
	free(s->model);
	s->model = NULL;
	s->len = 0;
}

static void slot_clear(struct slot *s)
{
	while (s->skb)
		slot_free(s, 0);
}

/*
 * GFP_ATOMIC heads come from kmalloc's size classes: a head that must grow
 * past 128 KiB cannot be had, and the operation fails the way it says it
 * does (NULL, false, -ENOMEM) with the skb as it was. Generous by the slack
 * __pskb_pull_tail() adds.
 */
static bool head_may_fail(const struct sk_buff *skb, uint64_t grow)
{
	return SKB_HEAD_ALIGN(skb_end_offset(skb) + grow + 192) > XSKB_KMALLOC_MAX_CACHE_SIZE;
}

/* pskb_expand_head()'s refusal of a header offset that would pass 16 bits. */
static bool headers_overflow(const struct sk_buff *skb, uint64_t nhead)
{
	uint64_t max = skb->network_header;

	if (skb_mac_header_was_set(skb) && skb->mac_header > max)
		max = skb->mac_header;
	if (skb_transport_header_was_set(skb) && skb->transport_header > max)
		max = skb->transport_header;
	return max + nhead > 0xFFFE;
}

/* New skb of one of the allocation kinds, empty. */
static struct sk_buff *op_alloc(struct fz *f)
{
	unsigned int kind = fz_u8(f) % 8, size = fz_u16(f) % 16384;
	struct page *page;
	void *buf;

	switch (kind) {
	case 0: return alloc_skb(size, GFP_ATOMIC);
	case 1: return alloc_skb_fclone(size, GFP_ATOMIC);
	case 2: return napi_alloc_skb(NULL, size);
	case 3: return netdev_alloc_skb(NULL, size);
	case 4:
		buf = kmalloc(SKB_HEAD_ALIGN(size), GFP_KERNEL);
		FZ_CHECK(buf != NULL, "kmalloc");
		return build_skb(buf, 0);
	case 5:	/* a whole page, or one of its halves (napi_build_skb) */
		page = new_page(size & 1);
		if (!page)
			return NULL;
		if (size & 2) {
			size_t half = fz_page_bytes(page) / 2;

			return napi_build_skb((uint8_t *)page_address(page) + (size & 4 ? half : 0),
					      (unsigned int)half);
		}
		return build_skb(page_address(page), (unsigned int)fz_page_bytes(page));
	case 6:
		for (int i = 0; i < NFOREIGN; i++) {
			struct sk_buff *skb;

			if (foreign[i].busy)
				continue;
			skb = build_skb(foreign[i].buf, FOREIGN_SIZE);
			FZ_CHECK(skb != NULL, "build_skb foreign");
			skb->head_owner = &foreign[i].owner;
			foreign[i].busy = true;
			return skb;
		}
		return NULL;
	default:
		return alloc_skb(size, GFP_KERNEL);
	}
}

static void run_op(struct fz *f)
{
	unsigned int op = fz_u8(f), si = fz_u8(f) % NSLOTS, di;
	struct slot *s = &slots[si], *d;
	struct sk_buff *skb = s->skb, *n;
	uint32_t a;

	op %= 23;
	if (trace)
		fprintf(stderr, "op %2u slot %u skb %p len %zu\n", op, si, (void *)skb, s->len);
	if (op == 22) {			/* set the three headers */
		/* 16-bit offsets from head, as the kernel's: they must fit */
		if (!skb || s->extra || skb_headroom(skb) + s->len > 0xFFFE)
			return;
		s->rel[1] = (int)fz_below(f, (uint32_t)s->len);
		s->rel[2] = s->rel[1] + (int)fz_below(f, (uint32_t)s->len - (uint32_t)s->rel[1]);
		s->rel[0] = 0;
		skb_reset_mac_header(skb);
		skb_set_network_header(skb, s->rel[1]);
		skb_set_transport_header(skb, s->rel[2]);
		s->hdrs = true;
		return;
	}
	if (op == 0) {			/* alloc into the slot */
		slot_clear(s);
		n = op_alloc(f);
		if (n)
			slot_put(s, n, NULL);
		return;
	}
	if (!skb)
		return;
	/* Kernel code changes only an skb it holds the one reference to. */
	if (op >= 1 && op <= 13 && s->extra)
		return;
	switch (op) {
	case 1:				/* skb_reserve: an empty skb only */
		if (skb->len || skb_tailroom(skb) <= 0)
			return;
		a = fz_below(f, (uint32_t)skb_tailroom(skb));
		skb_reserve(skb, (int)a);
		model_moved(s, (int)a);
		return;
	case 2:				/* skb_put_data: linear, private */
		if (skb_is_nonlinear(skb) || skb_cloned(skb) || s->len >= MAX_LEN / 2)
			return;
		a = fz_below(f, (uint32_t)skb_tailroom(skb));
		fill(scratch, a);
		skb_put_data(skb, scratch, a);
		model_append(s, scratch, a);
		return;
	case 3:				/* skb_push, writing the new bytes */
		if (skb_cloned(skb) || s->len >= MAX_LEN / 2)
			return;
		a = fz_below(f, skb_headroom(skb));
		{
			uint8_t *m = malloc(s->len + a + 1), *p = skb_push(skb, a);

			fill(p, a);
			memcpy(m, p, a);
			memcpy(m + a, s->model, s->len);
			free(s->model);
			s->model = m;
			s->len += a;
			model_moved(s, -(int)a);
		}
		return;
	case 4:				/* skb_pull: the linear part, or past len (NULL) */
		a = fz_u8(f) & 1 ? (uint32_t)s->len + 1 + fz_u8(f) : fz_below(f, skb_headlen(skb));
		if (a > s->len) {
			FZ_CHECK(skb_pull(skb, a) == NULL, "skb_pull past len");
			return;
		}
		FZ_CHECK(skb_pull(skb, a) == skb->data, "skb_pull");
		memmove(s->model, s->model + a, s->len - a);
		s->len -= a;
		model_moved(s, (int)a);
		return;
	case 5:				/* pskb_pull: anything, NULL past len */
		a = fz_below(f, (uint32_t)s->len + 1);
		{
			bool may_fail = a > skb_headlen(skb) &&
					(head_may_fail(skb, a - skb_headlen(skb)) ||
					 (skb_cloned(skb) && headers_overflow(skb, 0)));

			n = (struct sk_buff *)pskb_pull(skb, a);
			if (a > s->len) {
				FZ_CHECK(n == NULL, "pskb_pull past len");
				return;
			}
			FZ_CHECK(n != NULL || may_fail, "pskb_pull(%u) of %zu", a, s->len);
			if (!n)
				return;
		}
		memmove(s->model, s->model + a, s->len - a);
		s->len -= a;
		model_moved(s, (int)a);
		return;
	case 6:				/* skb_trim: a nonlinear skb is left as it was */
		a = fz_below(f, (uint32_t)s->len + 1);
		skb_trim(skb, a);
		if (!s->skb->data_len && a < s->len)
			s->len = a;
		return;
	case 7:				/* pskb_trim */
		a = fz_below(f, (uint32_t)s->len + 1);
		if (pskb_trim(skb, a)) {
			FZ_CHECK(skb_cloned(skb) && head_may_fail(skb, 0), "pskb_trim(%u)", a);
			return;
		}
		if (a < s->len)
			s->len = a;
		return;
	case 8: {			/* pskb_expand_head, sizes up to overflowing */
		uint8_t k = fz_u8(f);
		int nhead = (int)fz_u16(f), ntail = (int)fz_u16(f);
		unsigned int hr = skb_headroom(skb), osize = skb_end_offset(skb);
		int rc;

		if (k & 1)
			nhead = INT_MAX - (nhead & 0xff);
		if (k & 2)
			ntail = INT_MAX - (ntail & 0xff);
		if (k & 4)
			nhead &= 0x3ff;
		{
			uint64_t grow = (uint64_t)nhead + (uint64_t)ntail;
			bool must_fail = osize + grow > (1u << 30) || headers_overflow(skb, (uint64_t)nhead);

			rc = pskb_expand_head(skb, nhead, ntail, GFP_ATOMIC);
			if (must_fail)
				FZ_CHECK(rc == -ENOMEM, "expand_head(%d, %d) of %u = %d", nhead, ntail,
					 osize, rc);
			else
				FZ_CHECK(rc == 0 || (rc == -ENOMEM && head_may_fail(skb, grow)),
					 "expand_head(%d, %d) of %u = %d", nhead, ntail, osize, rc);
		}
		if (!rc) {
			FZ_CHECK(skb_headroom(skb) == hr + (unsigned int)nhead, "headroom");
			FZ_CHECK(skb_end_offset(skb) >= osize + (unsigned int)nhead + (unsigned int)ntail,
				 "end");
			FZ_CHECK(!skb_cloned(skb), "still cloned");
		}
		return;
	}
	case 9:				/* pskb_may_pull */
		a = fz_u8(f) & 1 ? fz_u32(f) : fz_below(f, (uint32_t)s->len + 1);
		{
			bool may_fail = a > skb_headlen(skb) && a <= s->len &&
					(head_may_fail(skb, a - skb_headlen(skb)) ||
					 (skb_cloned(skb) && headers_overflow(skb, 0)));
			bool ok = pskb_may_pull(skb, a);

			FZ_CHECK(ok == (a <= s->len) || (may_fail && !ok), "may_pull(%u) of %zu", a,
				 s->len);
			FZ_CHECK(!ok || skb_headlen(skb) >= a, "headlen after may_pull");
		}
		return;
	case 10:			/* skb_linearize */
		if (skb_linearize(skb)) {
			FZ_CHECK(head_may_fail(skb, skb->data_len), "linearize of %zu", s->len);
			return;
		}
		FZ_CHECK(!skb_is_nonlinear(skb) && !skb_has_frag_list(skb), "still nonlinear");
		return;
	case 11: {			/* skb_add_rx_frag: private, no frag_list yet */
		struct page *page;
		size_t psz;
		unsigned int off, len;

		if (skb_cloned(skb) || skb_has_frag_list(skb) ||
		    skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS || s->len >= MAX_LEN / 2)
			return;
		page = new_page(fz_u8(f) & 1);
		if (!page)
			return;
		psz = fz_page_bytes(page);
		off = fz_below(f, (uint32_t)psz - 1);
		len = 1 + fz_below(f, (uint32_t)(psz - off - 1));
		fill((uint8_t *)page_address(page) + off, len);
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, (int)off, (int)len,
				(unsigned int)psz);
		model_append(s, (uint8_t *)page_address(page) + off, len);
		return;
	}
	case 12: {			/* a linear skb chained at the end of frag_list */
		struct sk_buff **pp = &skb_shinfo(skb)->frag_list;
		unsigned int len = 1 + fz_below(f, 1999);	/* GRO chains no empty skbs */

		/* The last member's next is written: no other skb may see the list
		 * (pskb_copy() shares it, taking a reference on each member). */
		if (skb_cloned(skb) || s->len >= MAX_LEN / 2)
			return;
		for (n = *pp; n; n = n->next)
			if (skb_shared(n))
				return;
		n = alloc_skb(len, GFP_KERNEL);
		FZ_CHECK(n != NULL, "alloc_skb for frag_list");
		fill(skb_put(n, len), len);
		while (*pp)
			pp = &(*pp)->next;
		*pp = n;
		skb->len += len;
		skb->data_len += len;
		skb->truesize += n->truesize;
		model_append(s, n->data, len);
		return;
	}
	case 13:			/* skb_cow_head */
		a = fz_below(f, 4096);
		{
			unsigned int hr = skb_headroom(skb), end = skb_end_offset(skb);
			int rc = skb_cow_head(skb, a);

			uint64_t nhead = a > hr ? (a - hr + NET_SKB_PAD - 1) / NET_SKB_PAD * NET_SKB_PAD : 0;

			if (rc) {
				FZ_CHECK(rc == -ENOMEM && (head_may_fail(skb, nhead) ||
							   headers_overflow(skb, nhead)),
					 "cow_head(%u) = %d: headroom %u end %u", a, rc, hr, end);
				return;
			}
		}
		FZ_CHECK(skb_headroom(skb) >= a && !skb_header_cloned(skb), "cow_head result");
		return;
	case 14:			/* skb_get */
		if (s->extra < 4) {
			skb_get(skb);
			s->extra++;
		}
		return;
	case 15:			/* free one reference */
		slot_free(s, fz_u8(f));
		return;
	default:
		break;
	}
	/* Ops that make a new skb in another slot (or replace this one). */
	di = fz_u8(f) % NSLOTS;
	d = &slots[di];
	if (d == s && op != 20 && op != 21)
		return;
	switch (op) {
	case 16: n = skb_clone(skb, GFP_ATOMIC); break;
	case 17:
		n = skb_copy(skb, GFP_ATOMIC);
		if (!n && head_may_fail(skb, skb->data_len))
			return;
		break;
	case 18: n = pskb_copy(skb, GFP_ATOMIC); break;
	case 19:
		a = fz_below(f, 2048);
		n = skb_realloc_headroom(skb, a);
		if (!n && (head_may_fail(skb, a) || headers_overflow(skb, a + 64)))
			return;
		FZ_CHECK(!n || skb_headroom(n) >= a, "realloc_headroom(%u) gave %u", a,
			 n ? skb_headroom(n) : 0);
		break;
	case 20:			/* skb_unshare: the slot's skb is replaced */
		if (s->extra)
			return;
		{
			bool may_fail = skb_cloned(skb) && head_may_fail(skb, skb->data_len);

			n = skb_unshare(skb, GFP_ATOMIC);
			FZ_CHECK(n != NULL || may_fail, "skb_unshare");
		}
		if (!n) {		/* the original went with the failure */
			s->skb = NULL;
			slot_clear(s);
			free(s->model);
			s->model = NULL;
			s->len = 0;
			return;
		}
		FZ_CHECK(!skb_cloned(n), "unshared but cloned");
		s->skb = n;
		return;
	default:			/* skb_share_check: one reference moves to a clone */
		if (!s->extra)
			return;
		n = skb_share_check(skb, GFP_ATOMIC);
		FZ_CHECK(n != NULL && n != skb, "share_check");
		s->extra--;
		if (d != s) {
			slot_clear(d);
			slot_put(d, n, s);
		} else {
			/* no other slot: drop it again */
			kfree_skb(n);
		}
		return;
	}
	FZ_CHECK(n != NULL, "op %u made no skb", op);
	slot_clear(d);		/* d != s: every slot holds its own skb */
	slot_put(d, n, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };

	npages = 0;
	for (int op = 0; op < MAX_OPS && f.n; op++) {
		run_op(&f);
		for (int i = 0; i < NSLOTS; i++)
			if (slots[i].skb)
				check_slot(&slots[i]);
	}
	for (int i = 0; i < NSLOTS; i++)
		slot_clear(&slots[i]);
	for (unsigned int i = 0; i < npages; i++) {
		FZ_CHECK(page_ref_count(pages[i]) == 1, "page %u: refcount %d with every skb freed", i,
			 page_ref_count(pages[i]));
		put_page(pages[i]);
	}
	for (int i = 0; i < NFOREIGN; i++)
		FZ_CHECK(!foreign[i].busy, "foreign head %d never released", i);
	FZ_CHECK(fz_slab_in_use() == baseline, "objects in use %lu, baseline %lu", fz_slab_in_use(),
		 baseline);
	return 0;
}
