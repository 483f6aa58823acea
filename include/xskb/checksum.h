/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internet checksums with the kernel's semantics (include/net/checksum.h,
 * asm/checksum.h, the skb checksum helpers of net/core/skbuff.c and dev.c).
 *
 * Types are the kernel's: __wsum is a 32-bit one's complement partial sum
 * (any value congruent modulo 0xffff is the same sum; fold before comparing),
 * __sum16 a folded, complemented 16-bit checksum as it is stored in a header.
 * Both are in network byte order the way the kernel keeps them: sums of the
 * bytes as the CPU loads them, so a __sum16 is stored into a header as is.
 *
 * Naming as in <xskb/skbuff.h>: exports and inlines are xskb_-prefixed, the
 * kernel names are macros over them unless XSKB_NO_KERNEL_NAMES is defined.
 */
#ifndef XSKB_CHECKSUM_H
#define XSKB_CHECKSUM_H

#include <netinet/in.h>
#include <linux/types.h>
#include <xskb/skbuff.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a computed checksum of 0 is sent as where 0 means "none" (UDP). */
#define XSKB_CSUM_MANGLED_0	((__sum16)0xffff)

/* ---- out-of-line (libxskb) ------------------------------------------------ */

/**
 * xskb_csum_partial - one's complement sum of a buffer
 * @buff: the bytes; any alignment
 * @len: how many, 0 or more
 * @sum: a partial sum to add the buffer's to (0 to start)
 *
 * Returns the 32-bit partial sum, the kernel's value modulo 0xffff for every
 * length, alignment and start sum (on x86-64 the kernel's exact 32-bit value
 * but for 0 versus 0xffffffff). The bytes count from @buff: an odd-address
 * buffer sums as if it were aligned. Uses 64-bit add-with-carry, or AVX2 on
 * CPUs that have it for long buffers; thread-safe.
 */
XSKB_API __wsum xskb_csum_partial(const void *buff, int len, __wsum sum);
/**
 * xskb_csum_partial_copy_nocheck - copy @len bytes and sum them
 * @src: source
 * @dst: destination; must not overlap @src
 * @len: bytes
 *
 * Returns csum_partial(@dst, @len, 0), as the kernel's generic version.
 */
XSKB_API __wsum xskb_csum_partial_copy_nocheck(const void *src, void *dst, int len);
/**
 * xskb_csum_ipv6_magic - checksum of the IPv6 pseudo-header plus @csum
 * @saddr: source address
 * @daddr: destination address
 * @len: upper-layer packet length, host order
 * @proto: next header (IPPROTO_UDP, ...)
 * @csum: the partial sum of the upper-layer packet
 *
 * Returns the folded, complemented checksum (0 when @csum already makes the
 * packet verify).
 */
XSKB_API __sum16 xskb_csum_ipv6_magic(const struct in6_addr *saddr, const struct in6_addr *daddr,
				      __u32 len, __u8 proto, __wsum csum);

/**
 * xskb_inet_proto_csum_replace4 - update a transport checksum for a 4-byte change
 * @sum: the checksum field
 * @skb: the packet; its ip_summed says which sum the field holds
 * @from: the old value (network order)
 * @to: the new value
 * @pseudohdr: the value is part of the pseudo-header (an address)
 *
 * As the kernel's: a CHECKSUM_PARTIAL field holds only the pseudo-header sum
 * (uncomplemented) and changes only for a pseudo-header value; otherwise the
 * field is updated, and for a pseudo-header value of a CHECKSUM_COMPLETE skb
 * skb->csum too (the field changed, the sum over the data with it).
 */
XSKB_API void xskb_inet_proto_csum_replace4(__sum16 *sum, struct sk_buff *skb, __be32 from,
					    __be32 to, bool pseudohdr);
/* As inet_proto_csum_replace4() for a 16-byte value (an IPv6 address). */
XSKB_API void xskb_inet_proto_csum_replace16(__sum16 *sum, struct sk_buff *skb,
					     const __be32 *from, const __be32 *to, bool pseudohdr);
/* As inet_proto_csum_replace4() for a change given as a partial sum @diff
 * (new minus old, as bpf_csum_diff() computes it). */
XSKB_API void xskb_inet_proto_csum_replace_by_diff(__sum16 *sum, struct sk_buff *skb,
						   __wsum diff, bool pseudohdr);

/**
 * xskb_skb_checksum - partial sum of @len bytes of an skb from @offset
 * @skb: the packet: linear part, page frags and frag_list are walked
 * @offset: from skb->data, 0 or more (odd offsets are fine)
 * @len: bytes, 0 or more
 * @csum: partial sum to add to
 *
 * Returns the sum as csum_partial() over the bytes laid end to end (each
 * piece's sum shifted by its position, csum_block_add()). A range past the
 * end of the skb aborts naming skb_checksum, as the kernel BUGs.
 */
XSKB_API __wsum xskb_skb_checksum(const struct sk_buff *skb, int offset, int len, __wsum csum);
/**
 * xskb__skb_checksum_complete - verify a packet's checksum in software
 * @skb: the packet, skb->csum holding the sum the data must complete
 *       (the pseudo-header sum, say) for the packet to verify
 *
 * Returns 0 when the packet verifies, else the folded checksum. An skb not
 * shared becomes CHECKSUM_COMPLETE with skb->csum the sum of its data and
 * csum_valid set from the result. A CHECKSUM_COMPLETE skb whose device sum
 * was wrong (the data verifies, the device's sum did not) warns as the
 * kernel's netdev_rx_csum_fault().
 */
XSKB_API __sum16 xskb__skb_checksum_complete(struct sk_buff *skb);
/**
 * xskb_skb_checksum_help - complete a CHECKSUM_PARTIAL checksum in software
 * @skb: the packet: the sum from csum_start to the end is stored, folded, at
 *       csum_start + csum_offset (the field holds the pseudo-header sum)
 *
 * Returns 0 with ip_summed CHECKSUM_NONE (also for a CHECKSUM_COMPLETE skb,
 * which needs nothing), or: -EINVAL for a GSO skb or a start or field
 * outside the linear data (both warn once, the kernel's WARN); -ENOMEM when
 * a cloned head could not be copied. A head shared with clones is copied
 * first (skb_ensure_writable()): the clones never see the write.
 */
XSKB_API int xskb_skb_checksum_help(struct sk_buff *skb);

/* ---- inline helpers --------------------------------------------------------- */

static inline __u32 xskb_csum_ror32_(__u32 w, unsigned int s)
{
	return (w >> s) | (w << (32 - s));
}
/* Fold a partial sum to 16 bits and complement it: what a header stores. */
static inline __sum16 xskb_csum_fold(__wsum csum)
{
	__u32 sum = (__u32)csum;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__sum16)~sum;
}
static inline __wsum xskb_csum_unfold(__sum16 n)
{
	return (__wsum)n;
}
static inline __wsum xskb_csum_add(__wsum csum, __wsum addend)
{
	__u32 res = (__u32)csum + (__u32)addend;

	return (__wsum)(res + (res < (__u32)addend));
}
static inline __wsum xskb_csum_sub(__wsum csum, __wsum addend)
{
	return xskb_csum_add(csum, ~addend);
}
static inline __sum16 xskb_csum16_add(__sum16 csum, __be16 addend)
{
	__u16 res = (__u16)(csum + addend);

	return (__sum16)(res + (res < addend));
}
static inline __sum16 xskb_csum16_sub(__sum16 csum, __be16 addend)
{
	return xskb_csum16_add(csum, (__be16)~addend);
}
static inline __wsum xskb_wsum_negate(__wsum val)
{
	return (__wsum)-((__u32)val);
}
/* The sum of a block that starts @offset bytes into the summed range: an odd
 * start puts its bytes in the other halves of the 16-bit words. */
static inline __wsum xskb_csum_shift(__wsum sum, int offset)
{
	return (offset & 1) ? (__wsum)xskb_csum_ror32_((__u32)sum, 8) : sum;
}
/**
 * xskb_csum_block_add - add the sum of a block to a running sum
 * @csum: the sum of the bytes before the block
 * @csum2: the block's own sum (csum_partial() from its first byte)
 * @offset: where the block starts in the range (only its parity matters)
 */
static inline __wsum xskb_csum_block_add(__wsum csum, __wsum csum2, int offset)
{
	return xskb_csum_add(csum, xskb_csum_shift(csum2, offset));
}
static inline __wsum xskb_csum_block_sub(__wsum csum, __wsum csum2, int offset)
{
	return xskb_csum_block_add(csum, ~csum2, offset);
}

/**
 * xskb_csum_tcpudp_nofold - add the IPv4 pseudo-header to a partial sum
 * @saddr: source address, network order
 * @daddr: destination address
 * @len: upper-layer length, host order
 * @proto: protocol (IPPROTO_UDP, ...)
 * @sum: partial sum of the upper-layer packet
 *
 * Returns the unfolded sum (the kernel's value modulo 0xffff).
 */
static inline __wsum xskb_csum_tcpudp_nofold(__be32 saddr, __be32 daddr, __u32 len, __u8 proto,
					     __wsum sum)
{
	__u64 s = (__u64)(__u32)sum + saddr + daddr;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	s += (__u64)proto + len;
#else
	s += ((__u64)proto + len) << 8;
#endif
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return (__wsum)s;
}
/* The folded, complemented checksum of pseudo-header plus @sum. */
static inline __sum16 xskb_csum_tcpudp_magic(__be32 saddr, __be32 daddr, __u32 len, __u8 proto,
					     __wsum sum)
{
	return xskb_csum_fold(xskb_csum_tcpudp_nofold(saddr, daddr, len, proto, sum));
}

/**
 * xskb_ip_fast_csum - checksum of an IPv4 header
 * @iph: the header; any alignment
 * @ihl: its length in 32-bit words (iph->ihl), 1 or more
 *
 * Returns the folded, complemented checksum: 0 for a header whose check
 * field is right, the field's value for one whose field is 0.
 */
static inline __sum16 xskb_ip_fast_csum(const void *iph, unsigned int ihl)
{
	const unsigned char *p = (const unsigned char *)iph;
	__u64 s = 0;

	for (unsigned int i = 0; i < ihl; i++) {
		__u32 w;

		memcpy(&w, p + 4 * i, sizeof(w));
		s += w;
	}
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return xskb_csum_fold((__wsum)s);
}
/* Folded, complemented checksum of a buffer (ICMP's). */
static inline __sum16 xskb_ip_compute_csum(const void *buff, int len)
{
	return xskb_csum_fold(xskb_csum_partial(buff, len, 0));
}

/* Update checksum field @sum for a 16- or 32-bit header value changing
 * from @from to @to (RFC 1624). */
static inline void xskb_csum_replace4(__sum16 *sum, __be32 from, __be32 to)
{
	__wsum tmp = xskb_csum_sub(~xskb_csum_unfold(*sum), (__wsum)from);

	*sum = xskb_csum_fold(xskb_csum_add(tmp, (__wsum)to));
}
static inline void xskb_csum_replace2(__sum16 *sum, __be16 from, __be16 to)
{
	*sum = (__sum16)~xskb_csum16_add(xskb_csum16_sub((__sum16)~*sum, from), to);
}
/* Update checksum field @sum by a partial-sum difference @diff (new - old). */
static inline void xskb_csum_replace_by_diff(__sum16 *sum, __wsum diff)
{
	*sum = xskb_csum_fold(xskb_csum_add(diff, ~xskb_csum_unfold(*sum)));
}
static inline void xskb_inet_proto_csum_replace2(__sum16 *sum, struct sk_buff *skb, __be16 from,
						 __be16 to, bool pseudohdr)
{
	xskb_inet_proto_csum_replace4(sum, skb, (__be32)from, (__be32)to, pseudohdr);
}

/* skb helpers */
/* csum_start as an offset from skb->data (negative: already pulled past). */
static inline int xskb_skb_checksum_start_offset(const struct sk_buff *skb)
{
	return (int)skb->csum_start - (int)xskb_skb_headroom(skb);
}
static inline unsigned char *xskb_skb_checksum_start(const struct sk_buff *skb)
{
	return skb->head + skb->csum_start;
}
/**
 * xskb_skb_csum_unnecessary - the packet's checksum needs no software check
 * @skb: the packet
 *
 * True for CHECKSUM_UNNECESSARY, for a checksum already verified
 * (csum_valid), and for a CHECKSUM_PARTIAL skb (a local packet whose
 * checksum is yet to be filled in) whose start is still in the data.
 */
static inline bool xskb_skb_csum_unnecessary(const struct sk_buff *skb)
{
	return skb->ip_summed == XSKB_CHECKSUM_UNNECESSARY || skb->csum_valid ||
	       (skb->ip_summed == XSKB_CHECKSUM_PARTIAL && xskb_skb_checksum_start_offset(skb) >= 0);
}
/* 0 when the packet verifies (or needs no check), else its folded checksum;
 * see xskb__skb_checksum_complete() for what it records in the skb. */
static inline __sum16 xskb_skb_checksum_complete(struct sk_buff *skb)
{
	return xskb_skb_csum_unnecessary(skb) ? 0 : xskb__skb_checksum_complete(skb);
}
/**
 * xskb_skb_postpull_rcsum - keep skb->csum right after a pull
 * @skb: the packet, just pulled
 * @start: the data before the pull (the old skb->data)
 * @len: bytes pulled
 *
 * A CHECKSUM_COMPLETE sum loses the pulled bytes; a CHECKSUM_PARTIAL skb
 * pulled past its csum_start becomes CHECKSUM_NONE.
 */
static inline void xskb_skb_postpull_rcsum(struct sk_buff *skb, const void *start, unsigned int len)
{
	if (skb->ip_summed == XSKB_CHECKSUM_COMPLETE)
		skb->csum = (__u32)xskb_wsum_negate(xskb_csum_partial(start, (int)len,
								       xskb_wsum_negate((__wsum)skb->csum)));
	else if (skb->ip_summed == XSKB_CHECKSUM_PARTIAL && xskb_skb_checksum_start_offset(skb) < 0)
		skb->ip_summed = XSKB_CHECKSUM_NONE;
}

/* ---- kernel names ------------------------------------------------------------ */
#ifndef XSKB_NO_KERNEL_NAMES
#define CSUM_MANGLED_0				XSKB_CSUM_MANGLED_0
#define csum_partial(buff, len, sum)		xskb_csum_partial(buff, len, sum)
#define csum_partial_copy_nocheck(src, dst, len) xskb_csum_partial_copy_nocheck(src, dst, len)
#define csum_fold(csum)				xskb_csum_fold(csum)
#define csum_unfold(n)				xskb_csum_unfold(n)
#define csum_add(csum, addend)			xskb_csum_add(csum, addend)
#define csum_sub(csum, addend)			xskb_csum_sub(csum, addend)
#define csum16_add(csum, addend)		xskb_csum16_add(csum, addend)
#define csum16_sub(csum, addend)		xskb_csum16_sub(csum, addend)
#define wsum_negate(val)			xskb_wsum_negate(val)
#define csum_shift(sum, offset)			xskb_csum_shift(sum, offset)
#define csum_block_add(csum, csum2, offset)	xskb_csum_block_add(csum, csum2, offset)
#define csum_block_sub(csum, csum2, offset)	xskb_csum_block_sub(csum, csum2, offset)
#define csum_tcpudp_nofold(s, d, len, proto, sum) xskb_csum_tcpudp_nofold(s, d, len, proto, sum)
#define csum_tcpudp_magic(s, d, len, proto, sum) xskb_csum_tcpudp_magic(s, d, len, proto, sum)
#define csum_ipv6_magic(s, d, len, proto, sum)	xskb_csum_ipv6_magic(s, d, len, proto, sum)
#define ip_fast_csum(iph, ihl)			xskb_ip_fast_csum(iph, ihl)
#define ip_compute_csum(buff, len)		xskb_ip_compute_csum(buff, len)
#define csum_replace2(sum, from, to)		xskb_csum_replace2(sum, from, to)
#define csum_replace4(sum, from, to)		xskb_csum_replace4(sum, from, to)
#define csum_replace_by_diff(sum, diff)		xskb_csum_replace_by_diff(sum, diff)
#define inet_proto_csum_replace2(sum, skb, from, to, ph) \
	xskb_inet_proto_csum_replace2(sum, skb, from, to, ph)
#define inet_proto_csum_replace4(sum, skb, from, to, ph) \
	xskb_inet_proto_csum_replace4(sum, skb, from, to, ph)
#define inet_proto_csum_replace16(sum, skb, from, to, ph) \
	xskb_inet_proto_csum_replace16(sum, skb, from, to, ph)
#define inet_proto_csum_replace_by_diff(sum, skb, diff, ph) \
	xskb_inet_proto_csum_replace_by_diff(sum, skb, diff, ph)
#define skb_checksum(skb, offset, len, csum)	xskb_skb_checksum(skb, offset, len, csum)
#define __skb_checksum_complete(skb)		xskb__skb_checksum_complete(skb)
#define skb_checksum_complete(skb)		xskb_skb_checksum_complete(skb)
#define skb_csum_unnecessary(skb)		xskb_skb_csum_unnecessary(skb)
#define skb_checksum_start_offset(skb)		xskb_skb_checksum_start_offset(skb)
#define skb_checksum_start(skb)			xskb_skb_checksum_start(skb)
#define skb_postpull_rcsum(skb, start, len)	xskb_skb_postpull_rcsum(skb, start, len)
#define skb_checksum_help(skb)			xskb_skb_checksum_help(skb)
#endif /* XSKB_NO_KERNEL_NAMES */

#ifdef __cplusplus
}
#endif
#endif /* XSKB_CHECKSUM_H */
