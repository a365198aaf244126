/*
 * eqt_host_dropout.h: dropout masks from a counter-based generator, so both cores can fill one (libtorch's CPU
 * bernoulli_ runs on one) and any split of a tensor into ranges draws the same mask; an AVX-512 path where the
 * CPU has it.
 */
#ifndef EQT_HOST_DROPOUT_H
#define EQT_HOST_DROPOUT_H

#include "eqt_host_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A dropout keep-mask for elements [from, to) of a tensor: out[i] = 1 with probability 1 - p, else 0, drawn from
 * SplitMix64 of (key, i / 2) so that any split of the range into calls gives the same mask (from must be even).
 */
void eqt_host_keep_mask(unsigned char* out, long long from, long long to, double p, unsigned long long key);

/*
 * Dropout's zeros written into x itself, elements [from, to) (from even): x[i] becomes 0 exactly where
 * eqt_host_keep_mask with the same key and p gives 0, and is left as it is elsewhere. The
 * 1 / (1 - p) scale is the caller's.
 */
void eqt_host_drop_inplace(float* x, long long from, long long to, double p, unsigned long long key);

#ifdef __cplusplus
}
#endif

#ifdef EQT_HOST_IMPLEMENTATION
#include <math.h>

static inline unsigned long long eqt_host_mix(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* keep decisions of elements 2j and 2j + 1: one 64-bit draw gives two 32-bit uniforms, kept when u32 >= p 2^32 */
static inline unsigned long long eqt_host_draw(unsigned long long key, long long i) {
    return eqt_host_mix(key + (unsigned long long) (i >> 1) * 0x9E3779B97F4A7C15ULL);
}

static inline unsigned long long eqt_host_threshold(double p) {
    return (unsigned long long) ceil(p * 4294967296.0);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define EQT_HOST_AVX512 1
/* GCC 12's own _mm512_undefined_epi32 trips -Wmaybe-uninitialized when these intrinsics are inlined */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

/*
 * Sixteen elements (eight draws) per iteration: the 32-bit lanes of eight 64-bit draws are, in order, the low and
 * high halves, that is elements i, i + 1, ... i + 15 (x86 is little-endian). Returns the 16-bit keep mask.
 */
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))
static inline __mmask16 eqt_host_keep16(unsigned long long key, long long i, __m512i threshold) {
    const __m512i lanes = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    __m512i j = _mm512_add_epi64(_mm512_set1_epi64(i >> 1), lanes);
    __m512i z = _mm512_add_epi64(_mm512_set1_epi64((long long) key),
                                 _mm512_mullo_epi64(j, _mm512_set1_epi64((long long) 0x9E3779B97F4A7C15ULL)));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)),
                           _mm512_set1_epi64((long long) 0xBF58476D1CE4E5B9ULL));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)),
                           _mm512_set1_epi64((long long) 0x94D049BB133111EBULL));
    z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
    return _mm512_cmpge_epu32_mask(z, threshold);
}

/* The vector loops below run up to the last multiple of 16 past `from`; they return where the scalar tail starts. */
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))
static long long eqt_host_keep_mask16(unsigned char* out, long long from, long long to, unsigned int threshold,
                                      unsigned long long key) {
    __m512i t = _mm512_set1_epi32((int) threshold);
    long long i = from;
    for (; i + 16 <= to; i += 16) {
        _mm_storeu_si128((__m128i*) (out + i), _mm_maskz_set1_epi8(eqt_host_keep16(key, i, t), 1));
    }
    return i;
}

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))
static long long eqt_host_drop16(float* x, long long from, long long to, unsigned int threshold,
                                 unsigned long long key) {
    __m512i t = _mm512_set1_epi32((int) threshold);
    long long i = from;
    for (; i + 16 <= to; i += 16) {
        __mmask16 keep = eqt_host_keep16(key, i, t);
        _mm512_storeu_ps(x + i, _mm512_maskz_mov_ps(keep, _mm512_loadu_ps(x + i)));
    }
    return i;
}

/* Whether this CPU runs the vector loops (checked once; the answer does not change). */
static int eqt_host_has_avx512(void) {
    static int has = -1;
    if (has < 0) {
        __builtin_cpu_init();
        has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
              && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    }
    return has;
}
#pragma GCC diagnostic pop
#endif

void eqt_host_keep_mask(unsigned char* out, long long from, long long to, double p, unsigned long long key) {
    unsigned long long threshold = eqt_host_threshold(p);
    long long i = from;
#ifdef EQT_HOST_AVX512
    if (threshold <= 0xFFFFFFFFULL && eqt_host_has_avx512()) {
        i = eqt_host_keep_mask16(out, from, to, (unsigned int) threshold, key);
    }
#endif
    for (; i < to; i += 2) {
        unsigned long long r = eqt_host_draw(key, i);
        out[i] = (r & 0xFFFFFFFFULL) >= threshold;
        if (i + 1 < to) out[i + 1] = (r >> 32) >= threshold;
    }
}

void eqt_host_drop_inplace(float* x, long long from, long long to, double p, unsigned long long key) {
    unsigned long long threshold = eqt_host_threshold(p);
    long long i = from;
#ifdef EQT_HOST_AVX512
    if (threshold <= 0xFFFFFFFFULL && eqt_host_has_avx512()) {
        i = eqt_host_drop16(x, from, to, (unsigned int) threshold, key);
    }
#endif
    for (; i < to; i += 2) {
        unsigned long long r = eqt_host_draw(key, i);
        if ((r & 0xFFFFFFFFULL) < threshold) x[i] = 0.0f;
        if (i + 1 < to && (r >> 32) < threshold) x[i + 1] = 0.0f;
    }
}
#endif

#endif /* EQT_HOST_DROPOUT_H */
