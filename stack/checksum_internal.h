/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The csum_partial() implementations behind xskb_csum_partial(), for the
 * tests (each against a reference) and the micro benchmark.
 */
#ifndef XSKB_CHECKSUM_INTERNAL_H
#define XSKB_CHECKSUM_INTERNAL_H

#include <stdbool.h>
#include <linux/types.h>

/* Portable C: 32-bit loads into 64-bit accumulators, any architecture. */
__wsum xskb_csum_partial_generic(const void *buff, int len, __wsum sum);
/* x86-64: 64-bit add-with-carry chains (generic elsewhere). */
__wsum xskb_csum_partial_adc(const void *buff, int len, __wsum sum);
/* x86-64 with AVX2: 16-bit lanes into 32-bit accumulators (adc elsewhere or
 * when the CPU lacks AVX2). */
__wsum xskb_csum_partial_avx2(const void *buff, int len, __wsum sum);
/* Whether xskb_csum_partial() uses the AVX2 version for long buffers. */
bool xskb_csum_have_avx2(void);

#endif /* XSKB_CHECKSUM_INTERNAL_H */
