/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internet checksums: csum_partial() in portable C, with x86-64 add-with-carry
 * and AVX2 versions, the pseudo-header and incremental-update helpers, and
 * the skb walks (skb_checksum, __skb_checksum_complete, skb_checksum_help).
 *
 * Every version computes S = @sum + the buffer read as zero-padded
 * native-order 64-bit words, and returns S modulo 2^32 - 1 with the end-around
 * carry's representation (0 only when S is 0): the x86-64 kernel's value.
 * The weight of a word depends on its place in the buffer, never on its
 * address, so odd start addresses need no special case (the kernel's older
 * byte-swap dance aligned the loads; unaligned loads are cheap here).
 */
#include <arpa/inet.h>
#include <string.h>
#include <xskb/checksum.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "checksum_internal.h"
#include "util.h"

/* ---- csum_partial --------------------------------------------------------- */

static inline __u32 ld32(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline __u16 ld16(const unsigned char *p)
{
	__u16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Sum modulo 2^32 - 1, end-around: two folds bring any 64-bit value below 2^32. */
static inline __u32 fold64(__u64 s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return (__u32)s;
}

static inline __u64 add64(__u64 a, __u64 b)
{
	a += b;
	return a + (a < b);
}

/* The last @n < 8 bytes at @p as the 64-bit word they open, zero-padded,
 * each byte at its place: byte i at bits 8i (little endian) or 56 - 8i. */
static inline __u64 tail_word(const unsigned char *p, size_t n)
{
	__u64 t = 0;
	unsigned int o = 0;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	if (n & 4) {
		t = (__u64)ld32(p) << 32;
		o = 4;
	}
	if (n & 2) {
		t |= (__u64)ld16(p + o) << (48 - 8 * o);
		o += 2;
	}
	if (n & 1)
		t |= (__u64)p[o] << (56 - 8 * o);
#else
	if (n & 4) {
		t = ld32(p);
		o = 4;
	}
	if (n & 2) {
		t |= (__u64)ld16(p + o) << (8 * o);
		o += 2;
	}
	if (n & 1)
		t |= (__u64)p[o] << (8 * o);
#endif
	return t;
}

__wsum xskb_csum_partial_generic(const void *buff, int len, __wsum sum)
{
	const unsigned char *p = (const unsigned char *)buff;
	size_t n = len > 0 ? (size_t)len : 0;
	/* 32-bit words into 64-bit sums: no carries to track below 2^32 words. */
	__u64 a = (__u32)sum, b = 0, c = 0, d = 0, t;

	for (; n >= 16; n -= 16, p += 16) {
		a += ld32(p);
		b += ld32(p + 4);
		c += ld32(p + 8);
		d += ld32(p + 12);
	}
	for (; n >= 4; n -= 4, p += 4)
		a += ld32(p);
	/* 2^32 = 1 modulo 2^32 - 1: a 32-bit word's place in its 64-bit one is moot. */
	t = tail_word(p, n);
	a += (t & 0xffffffffu) + (t >> 32) + b + c + d;
	return (__wsum)fold64(a);
}

#if defined(__x86_64__)
/* One asm per 32 bytes: the flags do not survive between statements. */
#define XSKB_ADC32(acc, p)						\
	__asm__("addq 0(%[q]), %[a]\n\t"				\
		"adcq 8(%[q]), %[a]\n\t"				\
		"adcq 16(%[q]), %[a]\n\t"				\
		"adcq 24(%[q]), %[a]\n\t"				\
		"adcq $0, %[a]"						\
		: [a] "+r" (acc)					\
		: [q] "r" (p), "m" (*(const unsigned char (*)[32])(p))	\
		: "cc")

/* The 64-bit sum of @n bytes at @p (without folding), add-with-carry. */
static inline __u64 sum_adc(const unsigned char *p, size_t n, __u64 acc)
{
	__u64 acc2 = 0;

	/* Two chains: the CPU overlaps them (flags are renamed). */
	for (; n >= 64; n -= 64, p += 64) {
		XSKB_ADC32(acc, p);
		XSKB_ADC32(acc2, p + 32);
	}
	if (n & 32) {
		XSKB_ADC32(acc, p);
		p += 32;
	}
	if (n & 16) {
		__u64 w0, w1;

		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		acc2 = add64(add64(acc2, w0), w1);
		p += 16;
	}
	if (n & 8) {
		__u64 w;

		memcpy(&w, p, 8);
		acc = add64(acc, w);
		p += 8;
	}
	return add64(add64(acc, acc2), tail_word(p, n & 7));
}

__wsum xskb_csum_partial_adc(const void *buff, int len, __wsum sum)
{
	return (__wsum)fold64(sum_adc((const unsigned char *)buff, len > 0 ? (size_t)len : 0,
				      (__u32)sum));
}

/*
 * AVX2: each 32-bit lane of a load splits into its low and high 16-bit
 * halves, added into 32-bit lanes that cannot overflow for 65536 rounds.
 * The high halves weigh 2^16 in their word: adding their total shifted
 * keeps the exact 64-bit sum, so the result is the adc version's.
 */
#define AVX2_MAX_ROUNDS	65536u	/* 64-byte rounds before a lane could overflow */

__attribute__((target("avx2")))
static __u64 sum_avx2_blocks(const unsigned char *p, size_t rounds)
{
	const __m256i m16 = _mm256_set1_epi32(0xffff);
	const __m256i m32 = _mm256_set1_epi64x(0xffffffff);
	__m256i lo0 = _mm256_setzero_si256(), hi0 = lo0, lo1 = lo0, hi1 = lo0, lo, hi;
	__m128i x;
	__u64 l, h;

	for (size_t i = 0; i < rounds; i++, p += 64) {
		__m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
		__m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));

		lo0 = _mm256_add_epi32(lo0, _mm256_and_si256(v0, m16));
		hi0 = _mm256_add_epi32(hi0, _mm256_srli_epi32(v0, 16));
		lo1 = _mm256_add_epi32(lo1, _mm256_and_si256(v1, m16));
		hi1 = _mm256_add_epi32(hi1, _mm256_srli_epi32(v1, 16));
	}
	/* Widen to 64-bit lanes before adding the accumulators together. */
	lo = _mm256_add_epi64(_mm256_add_epi64(_mm256_and_si256(lo0, m32), _mm256_srli_epi64(lo0, 32)),
			      _mm256_add_epi64(_mm256_and_si256(lo1, m32), _mm256_srli_epi64(lo1, 32)));
	hi = _mm256_add_epi64(_mm256_add_epi64(_mm256_and_si256(hi0, m32), _mm256_srli_epi64(hi0, 32)),
			      _mm256_add_epi64(_mm256_and_si256(hi1, m32), _mm256_srli_epi64(hi1, 32)));
	x = _mm_add_epi64(_mm256_castsi256_si128(lo), _mm256_extracti128_si256(lo, 1));
	l = (__u64)_mm_cvtsi128_si64(x) + (__u64)_mm_extract_epi64(x, 1);
	x = _mm_add_epi64(_mm256_castsi256_si128(hi), _mm256_extracti128_si256(hi, 1));
	h = (__u64)_mm_cvtsi128_si64(x) + (__u64)_mm_extract_epi64(x, 1);
	/* l, h < 2^36 (16 lanes of under 2^32): h << 16 fits, and so does the sum. */
	return l + (h << 16);
}

static int have_avx2;

__attribute__((constructor))
static void csum_cpu_init(void)
{
	__builtin_cpu_init();
	have_avx2 = __builtin_cpu_supports("avx2");
}

bool xskb_csum_have_avx2(void)
{
	return have_avx2;
}

static __u64 sum_avx2(const unsigned char *p, size_t n, __u64 acc)
{
	while (n >= 64) {
		size_t rounds = n / 64 < AVX2_MAX_ROUNDS ? n / 64 : AVX2_MAX_ROUNDS;

		acc = add64(acc, sum_avx2_blocks(p, rounds));
		p += rounds * 64;
		n -= rounds * 64;
	}
	return sum_adc(p, n, acc);
}

__wsum xskb_csum_partial_avx2(const void *buff, int len, __wsum sum)
{
	const unsigned char *p = (const unsigned char *)buff;
	size_t n = len > 0 ? (size_t)len : 0;

	if (!have_avx2)
		return xskb_csum_partial_adc(buff, len, sum);
	return (__wsum)fold64(sum_avx2(p, n, (__u32)sum));
}

/* Below this the vector set-up and reduction cost more than they save.
 * AVX2 runs more instructions per byte than adc (0.28 against 0.22 at
 * 9000 bytes, tools/bench/csum_ir.sh) but retires them several to a cycle:
 * xskb-csum-bench has it even with adc at 256 bytes and up to 1.7x faster
 * at 1500 and 9000. */
#define AVX2_MIN_LEN	256

__wsum xskb_csum_partial(const void *buff, int len, __wsum sum)
{
	const unsigned char *p = (const unsigned char *)buff;
	size_t n = len > 0 ? (size_t)len : 0;

	if (n >= AVX2_MIN_LEN && have_avx2)
		return (__wsum)fold64(sum_avx2(p, n, (__u32)sum));
	return (__wsum)fold64(sum_adc(p, n, (__u32)sum));
}
#else /* !__x86_64__ */
__wsum xskb_csum_partial_adc(const void *buff, int len, __wsum sum)
{
	return xskb_csum_partial_generic(buff, len, sum);
}

__wsum xskb_csum_partial_avx2(const void *buff, int len, __wsum sum)
{
	return xskb_csum_partial_generic(buff, len, sum);
}

bool xskb_csum_have_avx2(void)
{
	return false;
}

__wsum xskb_csum_partial(const void *buff, int len, __wsum sum)
{
	return xskb_csum_partial_generic(buff, len, sum);
}
#endif

__wsum xskb_csum_partial_copy_nocheck(const void *src, void *dst, int len)
{
	if (len > 0)
		memcpy(dst, src, (size_t)len);
	return xskb_csum_partial(dst, len, 0);
}

/* ---- pseudo-headers and incremental updates -------------------------------- */

__sum16 xskb_csum_ipv6_magic(const struct in6_addr *saddr, const struct in6_addr *daddr,
			     __u32 len, __u8 proto, __wsum csum)
{
	__u64 s = (__u32)csum + (__u64)htonl(len) + htonl(proto);

	for (int i = 0; i < 16; i += 4)
		s += (__u64)ld32(saddr->s6_addr + i) + ld32(daddr->s6_addr + i);
	return xskb_csum_fold((__wsum)fold64(s));
}

void xskb_inet_proto_csum_replace_by_diff(__sum16 *sum, struct sk_buff *skb, __wsum diff,
					  bool pseudohdr)
{
	if (skb->ip_summed != XSKB_CHECKSUM_PARTIAL) {
		xskb_csum_replace_by_diff(sum, diff);
		/* The field moved by -diff; the sum over the data moves with it. */
		if (skb->ip_summed == XSKB_CHECKSUM_COMPLETE && pseudohdr)
			skb->csum = (__u32)~xskb_csum_sub(diff, (__wsum)skb->csum);
	} else if (pseudohdr) {
		/* The field holds the uncomplemented pseudo-header sum. */
		*sum = (__sum16)~xskb_csum_fold(xskb_csum_add(diff, xskb_csum_unfold(*sum)));
	}
}

void xskb_inet_proto_csum_replace4(__sum16 *sum, struct sk_buff *skb, __be32 from, __be32 to,
				   bool pseudohdr)
{
	__be32 diff[2] = { ~from, to };

	xskb_inet_proto_csum_replace_by_diff(sum, skb, xskb_csum_partial(diff, sizeof(diff), 0),
					     pseudohdr);
}

void xskb_inet_proto_csum_replace16(__sum16 *sum, struct sk_buff *skb, const __be32 *from,
				    const __be32 *to, bool pseudohdr)
{
	__be32 diff[8];

	for (int i = 0; i < 4; i++) {
		diff[i] = ~from[i];
		diff[4 + i] = to[i];
	}
	xskb_inet_proto_csum_replace_by_diff(sum, skb, xskb_csum_partial(diff, sizeof(diff), 0),
					     pseudohdr);
}

/* ---- skbs ------------------------------------------------------------------ */

/* How many of the range's bytes a piece ending at @end holds, from @offset. */
static inline int piece_len(int end, int offset, int len)
{
	int copy = end - offset;

	return copy < len ? copy : len;
}

/* Add a piece's own sum at its place in the range (pos: an odd start swaps
 * the bytes of its sum into place, csum_block_add); true when done. */
static inline bool add_piece(__wsum *csum, __wsum piece, int copy, int *len, int *offset, int *pos)
{
	*csum = xskb_csum_block_add(*csum, piece, *pos);
	*len -= copy;
	*offset += copy;
	*pos += copy;
	return *len == 0;
}

__wsum xskb_skb_checksum(const struct sk_buff *skb, int offset, int len, __wsum csum)
{
	const struct skb_shared_info *sh = xskb_skb_shinfo(skb);
	int start = (int)xskb_skb_headlen(skb), copy, pos = 0;
	const struct sk_buff *iter;

	if (xskb_unlikely(offset < 0 || len < 0))
		xskb_skb_bug(skb, "skb_checksum: negative offset or length");
	copy = piece_len(start, offset, len);
	if (copy > 0) {
		csum = xskb_csum_partial(skb->data + offset, copy, csum);
		if ((len -= copy) == 0)
			return csum;
		offset += copy;
		pos = copy;
	}
	for (int i = 0; i < sh->nr_frags; i++) {
		const skb_frag_t *frag = &sh->frags[i];
		int end = start + (int)xskb_skb_frag_size(frag);

		copy = piece_len(end, offset, len);
		if (copy > 0) {
			const unsigned char *v = (const unsigned char *)xskb_skb_frag_address(frag);

			if (add_piece(&csum, xskb_csum_partial(v + offset - start, copy, 0), copy, &len,
				      &offset, &pos))
				return csum;
		}
		start = end;
	}
	for (iter = sh->frag_list; iter; iter = iter->next) {
		int end = start + (int)iter->len;

		copy = piece_len(end, offset, len);
		if (copy > 0 && add_piece(&csum, xskb_skb_checksum(iter, offset - start, copy, 0), copy,
					  &len, &offset, &pos))
			return csum;
		start = end;
	}
	if (len)
		xskb_skb_bug(skb, "skb_checksum: range past the end of the skb");
	return csum;
}

__sum16 xskb__skb_checksum_complete(struct sk_buff *skb)
{
	__wsum csum = xskb_skb_checksum(skb, 0, (int)skb->len, 0);
	__sum16 sum = xskb_csum_fold(xskb_csum_add((__wsum)skb->csum, csum));

	/* We were called because the device's sum did not verify: if ours
	 * does, the device (or whoever kept skb->csum) got it wrong. */
	if (xskb_likely(!sum) && xskb_unlikely(skb->ip_summed == XSKB_CHECKSUM_COMPLETE) &&
	    !skb->csum_complete_sw)
		xskb_skb_warn(skb, "hw csum failure: CHECKSUM_COMPLETE sum disagrees with the data");
	if (!xskb_skb_shared(skb)) {
		/* Keep the sum of the whole packet for the layers above. */
		skb->csum = (__u32)csum;
		skb->ip_summed = XSKB_CHECKSUM_COMPLETE;
		skb->csum_complete_sw = 1;
		skb->csum_valid = !sum;
	}
	return sum;
}

int xskb_skb_checksum_help(struct sk_buff *skb)
{
	__wsum csum;
	int offset, ret;

	if (skb->ip_summed == XSKB_CHECKSUM_COMPLETE)
		goto out_set_summed;
	if (skb->ip_summed != XSKB_CHECKSUM_PARTIAL)
		return 0;	/* nothing to complete (the kernel's callers never ask) */
	if (xskb_unlikely(xskb_skb_shinfo(skb)->gso_size)) {
		xskb_skb_warn(skb, "skb_checksum_help: GSO skb (bad offload)");
		return -EINVAL;
	}
	offset = xskb_skb_checksum_start_offset(skb);
	/* The kernel checks only the upper bound; a start before the data (pulled
	 * past) would sum the headroom: refuse it the same way. */
	if (xskb_unlikely(offset < 0 || offset >= (int)xskb_skb_headlen(skb))) {
		xskb_skb_warn(skb, "skb_checksum_help: csum_start outside the linear data");
		return -EINVAL;
	}
	csum = xskb_skb_checksum(skb, offset, (int)skb->len - offset, 0);
	offset += skb->csum_offset;
	if (xskb_unlikely(offset + (int)sizeof(__sum16) > (int)xskb_skb_headlen(skb))) {
		xskb_skb_warn(skb, "skb_checksum_help: csum_offset past the linear data");
		return -EINVAL;
	}
	/* A head shared with clones is copied before the write. */
	ret = xskb_skb_ensure_writable(skb, (unsigned int)offset + sizeof(__sum16));
	if (ret)
		return ret;
	{
		__sum16 folded = xskb_csum_fold(csum);

		if (!folded)
			folded = XSKB_CSUM_MANGLED_0;
		memcpy(skb->data + offset, &folded, sizeof(folded));
	}
out_set_summed:
	skb->ip_summed = XSKB_CHECKSUM_NONE;
	return 0;
}
