/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers the libFuzzer harnesses share: reading the fuzz input as a stream
 * of numbers, a hard check that crashes with a message, sk_buff invariants
 * and an allocator-wide count of objects in use for leak checks.
 */
#ifndef XSKB_FUZZ_COMMON_H
#define XSKB_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xskb/skbuff.h>
#include <xskb/xsk.h>

/* The input as a stream; past its end every read is 0. */
struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz *f)
{
	uint8_t v = 0;

	if (f->n) {
		v = *f->p++;
		f->n--;
	}
	return v;
}

static inline uint16_t fz_u16(struct fz *f)
{
	uint16_t lo = fz_u8(f);

	return (uint16_t)(lo | fz_u8(f) << 8);
}

static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t lo = fz_u16(f);

	return lo | (uint32_t)fz_u16(f) << 16;
}

/* A number in 0..max, cheap to reach from small inputs. */
static inline uint32_t fz_below(struct fz *f, uint32_t max)
{
	return max == UINT32_MAX ? fz_u32(f) : (max < 256 ? fz_u8(f) : fz_u16(f)) % (max + 1);
}

__attribute__((noreturn, format(printf, 3, 4)))
static inline void fz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: fuzz check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
#define FZ_CHECK(cond, ...)							\
	do {									\
		if (!(cond))							\
			fz_fail(__FILE__, __LINE__, "(" #cond ") " __VA_ARGS__);	\
	} while (0)

/* Bytes of an alloc_pages() page. */
static inline size_t fz_page_bytes(const struct page *page)
{
	return (size_t)XSKB_PAGE_SIZE << page->order;
}

/*
 * What every skb must satisfy between operations: data and tail inside
 * head..end, data + headlen == tail, data_len == the paged bytes (fragments
 * and frag_list), live references, a private head when not cloned.
 */
static inline void fz_check_skb(const struct sk_buff *skb, int depth)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	uint64_t paged = 0;

	FZ_CHECK(depth < 8, "frag_list nested too deep");
	FZ_CHECK(skb->head && skb->data >= skb->head, "data %p before head %p", (void *)skb->data,
		 (void *)skb->head);
	FZ_CHECK(skb->tail <= skb->end, "tail %u past end %u", skb->tail, skb->end);
	FZ_CHECK(skb->data_len <= skb->len, "data_len %u > len %u", skb->data_len, skb->len);
	FZ_CHECK(skb->data + skb_headlen(skb) == skb_tail_pointer(skb),
		 "data + headlen (%u) is not tail (headroom %u, tail %u)", skb_headlen(skb),
		 skb_headroom(skb), skb->tail);
	FZ_CHECK(refcount_read(&skb->users) >= 1, "users %u", refcount_read(&skb->users));
	FZ_CHECK((atomic_read(&sh->dataref) & SKB_DATAREF_MASK) >= 1, "dataref %d",
		 atomic_read(&sh->dataref));
	FZ_CHECK(skb->cloned || (atomic_read(&sh->dataref) & SKB_DATAREF_MASK) == 1,
		 "not cloned but dataref %d", atomic_read(&sh->dataref));
	FZ_CHECK(sh->nr_frags <= MAX_SKB_FRAGS, "nr_frags %u", sh->nr_frags);
	for (unsigned int i = 0; i < sh->nr_frags; i++) {
		const skb_frag_t *fr = &sh->frags[i];

		FZ_CHECK(page_ref_count(fr->page) >= 1, "frag %u page refcount %d", i,
			 page_ref_count(fr->page));
		FZ_CHECK((uint64_t)fr->offset + fr->len <= fz_page_bytes(fr->page),
			 "frag %u off %u len %u past its page", i, fr->offset, fr->len);
		paged += fr->len;
	}
	for (const struct sk_buff *it = sh->frag_list; it; it = it->next) {
		fz_check_skb(it, depth + 1);
		paged += it->len;
	}
	FZ_CHECK(paged == skb->data_len, "paged bytes %llu != data_len %u",
		 (unsigned long long)paged, skb->data_len);
}

/*
 * A deep slab pool: the library allocates GFP_ATOMIC, which fails once the
 * pool is empty and the background refiller behind; a harness wants only
 * the failures the API defines.
 */
static inline void fz_deep_pool(void)
{
	const struct xskb_slab_reserve r = {
		.min_chunks = 32, .low_chunks = 64, .high_chunks = 96, .background_refill = true,
	};

	FZ_CHECK(xskb_slab_set_reserve(NUMA_NO_NODE, &r) == 0, "slab reserve");
}

/* Objects in use over every cache (kmalloc classes included), from slabinfo. */
static inline unsigned long fz_slab_in_use(void)
{
	char *buf = NULL, *line, *save = NULL;
	size_t sz = 0;
	unsigned long total = 0;
	FILE *f = open_memstream(&buf, &sz);

	FZ_CHECK(f != NULL, "open_memstream");
	xskb_slabinfo(f);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		unsigned long in_use;

		if (line[0] != '#' && sscanf(line, "%63s %lu", name, &in_use) == 2)
			total += in_use;
	}
	free(buf);
	return total;
}

#endif /* XSKB_FUZZ_COMMON_H */
