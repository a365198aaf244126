/*
 * eqt_host_conv.h: the default model's correction network (eqt.model.nn.PairConvNet) run forward for inference,
 * one station-source pair at a time through every layer.
 *
 * Why by hand: the network is 16 features wide. Run as libtorch operations (pad, shifted copies, a product of
 * K = 48 by N = 16, GELU, a 1x1 product, the residual add), every layer writes and reads its whole batch's
 * activations several times over - about a kilobyte of memory traffic per sample, pair and layer for 2 048
 * multiply-adds - so the cores wait on memory at less than half the machine's sgemm rate (benchmarks/NOTES.md
 * §23). Here one pair's activations (16 features x its window, 96 KB at 1 500 samples) stay in the core's own
 * cache through all layers, and sixteen time steps fill one AVX-512 register, so a 16-feature output is sixteen
 * fused multiply-adds per input feature and tap with the weight broadcast from memory.
 *
 * Semantics are PairConvNet's (nn.Conv1d with zero padding dilation * (kernel - 1) / 2, exact GELU): results equal
 * libtorch's to float rounding (summation order; GELU's erf is the Abramowitz-Stegun 7.1.26 form that ATen's
 * vectorised erf also uses, absolute error below 1.5e-7). Without AVX-512 a plain C loop with libm's erff runs.
 */
#ifndef EQT_HOST_CONV_H
#define EQT_HOST_CONV_H

#include "eqt_host_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * u [batch, len, 2 * channels] (pair c's station record at feature c, its linear estimate at channels + c) ->
 * out [batch, len, channels], for the sequences s = b * channels + c in [from, to). width must be a multiple of
 * 16 and kernel odd. bf16 = 1: the convolutions' products in bfloat16 (weights and their inputs rounded to
 * nearest even, sums in float32, as autocast's bf16 matrix products; the residual stream, GELU and the head stay
 * float32), on CPUs with AVX512-BF16 only (eqt_host_pairconv_has_bf16). Weights as PairConvNet stores them, blocks laid one after another: w_in [width, 2],
 * b_in [width], w_dil [blocks, width, width, kernel], b_dil [blocks, width], w_mix [blocks, width, width],
 * b_mix [blocks, width], w_head [width], b_head [1]. Returns 0, or -1 (eqt_host_last_error says why).
 */
int eqt_host_pairconv(const float* u, float* out, long long batch, long long len, int channels, long long from,
                      long long to, int width, int blocks, int kernel, const float* w_in, const float* b_in,
                      const float* w_dil, const float* b_dil, const float* w_mix, const float* b_mix,
                      const float* w_head, const float* b_head, int bf16);

/* 1 if this CPU has AVX512-BF16, the bf16 path's instructions. */
int eqt_host_pairconv_has_bf16(void);

/*
 * Whether eqt_host_pairconv takes its AVX-512 path: allow = 0 forces the plain C loop (tests check both), 1 lets
 * it use AVX-512 where the CPU has it. Returns 1 if the AVX-512 path runs from now on.
 */
int eqt_host_pairconv_vector(int allow);

#ifdef __cplusplus
}
#endif

#ifdef EQT_HOST_IMPLEMENTATION
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One sequence's working set: h (the residual stream, zero padded by `pad` on either side) and a (one block's
 * inner activation), each `width` rows; rows are `lenR` = len rounded up to 16 long plus the padding. */
typedef struct {
    long long len, lenR, pad, hStride;
    int width, blocks, kernel;
    float *h, *a;
    unsigned *hb, *ab;           /* h and a as bf16 pairs (features 2i, 2i + 1 in one 32-bit word), the bf16 path's */
    unsigned *wdp, *wmp;         /* the block weights as bf16 pairs: [blocks][out][in / 2][kernel], [blocks][out][in / 2] */
    const float *w_in, *b_in, *w_dil, *b_dil, *w_mix, *b_mix, *w_head, *b_head;
} eqt_conv_seq;

static float eqt_conv_gelu1(float x) {
    return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
}

/* The pair's two traces, station and linear estimate, copied out of u into a's first two rows (zero past len). */
static void eqt_conv_traces(const eqt_conv_seq* q, const float* u, long long rowStride, int c, int channels) {
    float* x0 = q->a;
    float* x1 = q->a + q->lenR;
    for (long long t = 0; t < q->len; t++) {
        x0[t] = u[t * rowStride + c];
        x1[t] = u[t * rowStride + channels + c];
    }
    for (long long t = q->len; t < q->lenR; t++) x0[t] = x1[t] = 0.0f;
}

/* h = the input map of the two traces (a's first rows); its steps past len stay zero. */
static void eqt_conv_input_plain(const eqt_conv_seq* q) {
    for (int f = 0; f < q->width; f++) {
        float* hr = q->h + f * q->hStride + q->pad;
        float w0 = q->w_in[2 * f], w1 = q->w_in[2 * f + 1], b = q->b_in[f];
        for (long long t = 0; t < q->len; t++) hr[t] = b + w0 * q->a[t] + w1 * q->a[q->lenR + t];
        for (long long t = q->len; t < q->lenR; t++) hr[t] = 0.0f;
    }
}

static void eqt_conv_head_plain(const eqt_conv_seq* q, float* out, long long outStride) {
    for (long long t = 0; t < q->len; t++) {
        float s = q->b_head[0];
        for (int f = 0; f < q->width; f++) s += q->w_head[f] * eqt_conv_gelu1(q->h[f * q->hStride + q->pad + t]);
        out[t * outStride] = s;
    }
}

/* Block l, plain C: a = gelu(dilated conv of h), then h += mix(a). */
static void eqt_conv_block_plain(const eqt_conv_seq* q, int l) {
    int W = q->width, k = q->kernel, half = (k - 1) / 2;
    long long dil = 1LL << l;
    const float* wd = q->w_dil + (long long) l * W * W * k;
    const float* wm = q->w_mix + (long long) l * W * W;
    for (int f = 0; f < W; f++) {
        float* ar = q->a + f * q->lenR;
        for (long long t = 0; t < q->len; t++) {
            float s = q->b_dil[l * W + f];
            for (int i = 0; i < W; i++) {
                const float* hr = q->h + i * q->hStride + q->pad + t;
                for (int j = 0; j < k; j++) s += wd[(f * W + i) * k + j] * hr[(j - half) * dil];
            }
            ar[t] = eqt_conv_gelu1(s);
        }
    }
    for (long long t = 0; t < q->len; t++) {
        for (int f = 0; f < W; f++) {
            float s = q->b_mix[l * W + f];
            for (int i = 0; i < W; i++) s += wm[f * W + i] * q->a[i * q->lenR + t];
            q->h[f * q->hStride + q->pad + t] += s;
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* GCC 12's own _mm512_undefined_* trips -Wmaybe-uninitialized when these intrinsics are inlined */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define EQT_CONV_AVX512 __attribute__((target("avx512f,avx512dq")))

/* exp(x) for x <= 0 (Cephes expf's polynomial, 2^n by scalef); under -87 it gives 0's neighbourhood, as expf. */
EQT_CONV_AVX512 static inline __m512 eqt_conv_exp16(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    __m512 y = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(y, n);
}

/* Phi(x) = 0.5 (1 + erf(x / sqrt 2)), erf by Abramowitz & Stegun 7.1.26; *e = exp(-x^2 / 2), which GELU's
 * derivative needs too (eqt_host_convgrad.h). */
EQT_CONV_AVX512 static inline __m512 eqt_conv_cdf16(__m512 x, __m512* e) {
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 z = _mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f));
    __m512 az = _mm512_abs_ps(z);
    __m512 t = _mm512_div_ps(one, _mm512_fmadd_ps(_mm512_set1_ps(0.3275911f), az, one));
    __m512 r = _mm512_fmadd_ps(_mm512_set1_ps(1.061405429f), t, _mm512_set1_ps(-1.453152027f));
    r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(1.421413741f));
    r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(-0.284496736f));
    r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(0.254829592f));
    *e = eqt_conv_exp16(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(az, az)));
    __m512 erfAbs = _mm512_fnmadd_ps(_mm512_mul_ps(r, t), *e, one);
    __m512 erf = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(erfAbs),
            _mm512_and_si512(_mm512_castps_si512(z), _mm512_set1_epi32((int) 0x80000000u))));
    return _mm512_mul_ps(_mm512_set1_ps(0.5f), _mm512_add_ps(one, erf));
}

/* GELU: x Phi(x). */
EQT_CONV_AVX512 static inline __m512 eqt_conv_gelu16(__m512 x) {
    __m512 e;
    return _mm512_mul_ps(x, eqt_conv_cdf16(x, &e));
}

/*
 * Eight output features (from f0) at nv x 16 time steps from t (nv <= 3, a constant where it is inlined):
 * acc[v * 8 + f] = bias + sum over inputs i and taps j of w[((f0 + f) * W + i) * k + j] * src row i at
 * t + 16 v + (j - half) * dil, summed over i, then j, in order. The 24 accumulators and 3 input vectors fit in the
 * 32 registers; each weight is a broadcast memory operand. Per input and tap, 8 weight broadcasts and 3 input loads
 * feed 24 fused multiply-adds, where the former tile of 16 features at 16 steps needed 17 loads for 16 (the same
 * sums in the same order): 21 % less time for the inference forward on Sapphire Rapids (benchmarks/NOTES.md §34).
 */
EQT_CONV_AVX512 static inline __attribute__((always_inline)) void eqt_conv_tile8(
        __m512* acc, const float* src, long long srcStride, int W, int k, long long dil, const float* w,
        const float* bias, int f0, long long t, const int nv) {
    int half = (k - 1) / 2;
#pragma GCC unroll 3
    for (int v = 0; v < nv; v++)
#pragma GCC unroll 8
        for (int f = 0; f < 8; f++) acc[v * 8 + f] = _mm512_set1_ps(bias[f0 + f]);
    for (int i = 0; i < W; i++) {
        for (int j = 0; j < k; j++) {
            const float* row = src + i * srcStride + t + (j - half) * dil;
            __m512 x[3];
#pragma GCC unroll 3
            for (int v = 0; v < nv; v++) x[v] = _mm512_loadu_ps(row + 16 * v);
            const float* wij = w + ((long long) f0 * W + i) * k + j;
#pragma GCC unroll 8
            for (int f = 0; f < 8; f++) {
                __m512 wb = _mm512_set1_ps(wij[(long long) f * W * k]);
#pragma GCC unroll 3
                for (int v = 0; v < nv; v++) acc[v * 8 + f] = _mm512_fmadd_ps(wb, x[v], acc[v * 8 + f]);
            }
        }
    }
}

/* Where a pass's sums go: epilogue(ctx, f, t, sum) for output feature f at the sixteen steps from t. */
typedef void (*eqt_conv_epilogue)(const void* ctx, int f, long long t, __m512 sum);

/*
 * One convolution over steps [0, lenR) (a multiple of 16) for all W output features, through eqt_conv_tile8: 48
 * steps at a time, the last up to 32 steps 16 at a time. Inlined with a constant epilogue, the epilogue is too.
 */
EQT_CONV_AVX512 static inline __attribute__((always_inline)) void eqt_conv_pass(
        const float* src, long long srcStride, int W, int k, long long dil, const float* w, const float* bias,
        long long lenR, eqt_conv_epilogue epilogue, const void* ctx) {
    __m512 acc[24];
    long long t = 0;
    for (; t + 48 <= lenR; t += 48) {
        for (int f0 = 0; f0 < W; f0 += 8) {
            eqt_conv_tile8(acc, src, srcStride, W, k, dil, w, bias, f0, t, 3);
#pragma GCC unroll 3
            for (int v = 0; v < 3; v++)
#pragma GCC unroll 8
                for (int f = 0; f < 8; f++) epilogue(ctx, f0 + f, t + 16 * v, acc[v * 8 + f]);
        }
    }
    for (; t < lenR; t += 16) {
        for (int f0 = 0; f0 < W; f0 += 8) {
            eqt_conv_tile8(acc, src, srcStride, W, k, dil, w, bias, f0, t, 1);
#pragma GCC unroll 8
            for (int f = 0; f < 8; f++) epilogue(ctx, f0 + f, t, acc[f]);
        }
    }
}

/* The inference block's epilogues: a = GELU(the dilated sums); h += the mix's sums. */
EQT_CONV_AVX512 static inline void eqt_conv_store_gelu(const void* ctx, int f, long long t, __m512 sum) {
    const eqt_conv_seq* q = (const eqt_conv_seq*) ctx;
    _mm512_storeu_ps(q->a + f * q->lenR + t, eqt_conv_gelu16(sum));
}

EQT_CONV_AVX512 static inline void eqt_conv_add_to_h(const void* ctx, int f, long long t, __m512 sum) {
    const eqt_conv_seq* q = (const eqt_conv_seq*) ctx;
    float* hr = q->h + f * q->hStride + q->pad + t;
    _mm512_storeu_ps(hr, _mm512_add_ps(_mm512_loadu_ps(hr), sum));
}

/* h's steps past len back to zero: they are the convolution's zero padding for the next block. */
static void eqt_conv_zero_tail(const eqt_conv_seq* q) {
    for (int f = 0; f < q->width; f++) {
        memset(q->h + f * q->hStride + q->pad + q->len, 0, (size_t) (q->lenR - q->len) * sizeof(float));
    }
}

EQT_CONV_AVX512 static void eqt_conv_block_avx512(const eqt_conv_seq* q, int l) {
    int W = q->width, k = q->kernel;
    long long dil = 1LL << l;
    const float* wd = q->w_dil + (long long) l * W * W * k;
    const float* wm = q->w_mix + (long long) l * W * W;
    eqt_conv_pass(q->h + q->pad, q->hStride, W, k, dil, wd, q->b_dil + l * W, q->lenR, eqt_conv_store_gelu, q);
    /* h is read by the dilated pass at every step above, so the residual update is a second pass */
    eqt_conv_pass(q->a, q->lenR, W, 1, 0, wm, q->b_mix + l * W, q->lenR, eqt_conv_add_to_h, q);
    eqt_conv_zero_tail(q);
}

EQT_CONV_AVX512 static void eqt_conv_input_avx512(const eqt_conv_seq* q) {
    const float* x0 = q->a;
    const float* x1 = q->a + q->lenR;
    for (int f = 0; f < q->width; f++) {
        float* hr = q->h + f * q->hStride + q->pad;
        __m512 w0 = _mm512_set1_ps(q->w_in[2 * f]), w1 = _mm512_set1_ps(q->w_in[2 * f + 1]);
        __m512 b = _mm512_set1_ps(q->b_in[f]);
        for (long long t = 0; t < q->lenR; t += 16) {
            __m512 v = _mm512_fmadd_ps(w1, _mm512_loadu_ps(x1 + t), _mm512_fmadd_ps(w0, _mm512_loadu_ps(x0 + t), b));
            _mm512_storeu_ps(hr + t, v);
        }
        memset(hr + q->len, 0, (size_t) (q->lenR - q->len) * sizeof(float));
    }
}

/* The head's sums go through a's first row, then out by the pair's stride. */
EQT_CONV_AVX512 static void eqt_conv_head_avx512(const eqt_conv_seq* q, float* out, long long outStride) {
    float* sum = q->a;
    for (long long t = 0; t < q->lenR; t += 16) {
        __m512 s = _mm512_set1_ps(q->b_head[0]);
        for (int f = 0; f < q->width; f++) {
            __m512 g = eqt_conv_gelu16(_mm512_loadu_ps(q->h + f * q->hStride + q->pad + t));
            s = _mm512_fmadd_ps(_mm512_set1_ps(q->w_head[f]), g, s);
        }
        _mm512_storeu_ps(sum + t, s);
    }
    for (long long t = 0; t < q->len; t++) out[t * outStride] = sum[t];
}

#define EQT_CONV_BF16 __attribute__((target("avx512f,avx512dq,avx512bw,avx512bf16")))

/* Two float vectors as one of bf16 pairs (x's in the low halves), rounded to nearest even. */
EQT_CONV_BF16 static inline __m512i eqt_conv_pair16(__m512 x, __m512 y) {
    __m512i lo = _mm512_cvtepu16_epi32((__m256i) _mm512_cvtneps_pbh(x));
    __m512i hi = _mm512_cvtepu16_epi32((__m256i) _mm512_cvtneps_pbh(y));
    return _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16));
}

/* h (float32, its steps past len zero) into hb. */
EQT_CONV_BF16 static void eqt_conv_pack_h(const eqt_conv_seq* q) {
    for (int ip = 0; ip < q->width / 2; ip++) {
        const float* r0 = q->h + 2 * ip * q->hStride + q->pad;
        const float* r1 = r0 + q->hStride;
        unsigned* d = q->hb + ip * q->hStride + q->pad;
        for (long long t = 0; t < q->lenR; t += 16) {
            _mm512_storeu_si512(d + t, eqt_conv_pair16(_mm512_loadu_ps(r0 + t), _mm512_loadu_ps(r1 + t)));
        }
    }
}

/* Sixteen output features (group g) at sixteen steps from t, as eqt_conv_tile8 sums them, two input features per
 * instruction: src and w hold bf16 pairs ([f][in / 2][k] for w). */
EQT_CONV_BF16 static inline void eqt_conv_tile_bf16(__m512* acc, const unsigned* src, long long srcStride, int W, int k,
                                                     long long dil, const unsigned* w, const float* bias, int g, long long t) {
    int half = (k - 1) / 2;
#pragma GCC unroll 16
    for (int f = 0; f < 16; f++) acc[f] = _mm512_set1_ps(bias[g * 16 + f]);
    for (int ip = 0; ip < W / 2; ip++) {
        for (int j = 0; j < k; j++) {
            __m512bh v = (__m512bh) _mm512_loadu_si512(src + ip * srcStride + t + (j - half) * dil);
            const unsigned* wij = w + ((long long) g * 16 * (W / 2) + ip) * k + j;
#pragma GCC unroll 16
            for (int f = 0; f < 16; f++) {
                acc[f] = _mm512_dpbf16_ps(acc[f], v, (__m512bh) _mm512_set1_epi32((int) wij[(long long) f * (W / 2) * k]));
            }
        }
    }
}

EQT_CONV_BF16 static void eqt_conv_block_bf16(const eqt_conv_seq* q, int l) {
    int W = q->width, k = q->kernel;
    long long dil = 1LL << l;
    const unsigned* wd = q->wdp + (long long) l * W * (W / 2) * k;
    const unsigned* wm = q->wmp + (long long) l * W * (W / 2);
    __m512 acc[16];
    for (long long t = 0; t < q->lenR; t += 16) {
        for (int g = 0; g < W / 16; g++) {
            eqt_conv_tile_bf16(acc, q->hb + q->pad, q->hStride, W, k, dil, wd, q->b_dil + l * W, g, t);
            for (int f = 0; f < 16; f += 2) {
                _mm512_storeu_si512(q->ab + (g * 16 + f) / 2 * q->lenR + t,
                                    eqt_conv_pair16(eqt_conv_gelu16(acc[f]), eqt_conv_gelu16(acc[f + 1])));
            }
        }
    }
    for (long long t = 0; t < q->lenR; t += 16) {
        for (int g = 0; g < W / 16; g++) {
            eqt_conv_tile_bf16(acc, q->ab, q->lenR, W, 1, 0, wm, q->b_mix + l * W, g, t);
#pragma GCC unroll 16
            for (int f = 0; f < 16; f++) eqt_conv_add_to_h(q, g * 16 + f, t, acc[f]);
        }
    }
    eqt_conv_zero_tail(q);
    eqt_conv_pack_h(q);
}

static int eqt_conv_has_bf16(void) {
    static int has = -1;
    if (has < 0) {
        __builtin_cpu_init();
        has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
              && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512bf16");
    }
    return has;
}

static int eqt_conv_has_avx512(void) {
    static int has = -1;
    if (has < 0) {
        __builtin_cpu_init();
        has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    }
    return has;
}
#pragma GCC diagnostic pop
#else
static int eqt_conv_has_avx512(void) {
    return 0;
}
static int eqt_conv_has_bf16(void) {
    return 0;
}
#endif

static int eqt_conv_allow = 1;

int eqt_host_pairconv_has_bf16(void) {
    return eqt_conv_has_bf16();
}

/* float -> bfloat16 bits, rounded to nearest even (weights: finite) */
static unsigned eqt_conv_bf16_bits(float x) {
    unsigned u;
    memcpy(&u, &x, sizeof u);
    u += 0x7FFFu + ((u >> 16) & 1u);
    return u >> 16;
}

static void eqt_conv_pack_weights(eqt_conv_seq* q) {
    int W = q->width, k = q->kernel, P = q->width / 2;
    for (int l = 0; l < q->blocks; l++) {
        for (int f = 0; f < W; f++) {
            for (int ip = 0; ip < P; ip++) {
                for (int j = 0; j < k; j++) {
                    const float* w = q->w_dil + (((long long) l * W + f) * W + 2 * ip) * k + j;
                    q->wdp[(((long long) l * W + f) * P + ip) * k + j] = eqt_conv_bf16_bits(w[0]) | eqt_conv_bf16_bits(w[k]) << 16;
                }
                const float* m = q->w_mix + ((long long) l * W + f) * W + 2 * ip;
                q->wmp[((long long) l * W + f) * P + ip] = eqt_conv_bf16_bits(m[0]) | eqt_conv_bf16_bits(m[1]) << 16;
            }
        }
    }
}

int eqt_host_pairconv_vector(int allow) {
    eqt_conv_allow = allow != 0;
    return eqt_conv_allow && eqt_conv_has_avx512();
}

int eqt_host_pairconv(const float* u, float* out, long long batch, long long len, int channels, long long from,
                      long long to, int width, int blocks, int kernel, const float* w_in, const float* b_in,
                      const float* w_dil, const float* b_dil, const float* w_mix, const float* b_mix,
                      const float* w_head, const float* b_head, int bf16) {
    if (bf16 && !eqt_conv_has_bf16()) {
        snprintf(eqt_host_error, sizeof eqt_host_error, "eqt_host_pairconv: this CPU has no AVX512-BF16");
        return -1;
    }
    if (width <= 0 || width % 16 != 0 || kernel <= 0 || kernel % 2 != 1 || blocks < 0 || blocks > 30 || len <= 0
        || from < 0 || to > batch * channels) {
        snprintf(eqt_host_error, sizeof eqt_host_error, "eqt_host_pairconv: width %d (a multiple of 16), kernel %d "
                 "(odd), blocks %d, sequences [%lld, %lld) of %lld", width, kernel, blocks, from, to, batch * channels);
        return -1;
    }
    eqt_conv_seq q;
    q.len = len;
    q.lenR = (len + 15) / 16 * 16;
    q.pad = blocks == 0 ? 0 : (long long) (kernel - 1) / 2 * (1LL << (blocks - 1));
    q.hStride = q.pad + q.lenR + q.pad;
    q.width = width, q.blocks = blocks, q.kernel = kernel;
    q.w_in = w_in, q.b_in = b_in, q.w_dil = w_dil, q.b_dil = b_dil, q.w_mix = w_mix, q.b_mix = b_mix;
    q.w_head = w_head, q.b_head = b_head;
    /* h, a, then (bf16) hb, ab and the packed weights, one allocation; h's and hb's padding stay zero from here on */
    size_t floats = (size_t) width * (size_t) (q.hStride + q.lenR);
    size_t words = bf16 ? (size_t) (width / 2) * (size_t) (q.hStride + q.lenR)
                          + (size_t) blocks * width * (width / 2) * (kernel + 1) : 0;
    float* buf = (float*) calloc(floats + words, sizeof(float));
    if (buf == NULL) {
        snprintf(eqt_host_error, sizeof eqt_host_error, "eqt_host_pairconv: out of memory (%zu floats)", floats + words);
        return -1;
    }
    q.h = buf;
    q.a = buf + (size_t) width * (size_t) q.hStride;
    q.hb = q.ab = q.wdp = q.wmp = NULL;
    if (bf16) {
        q.hb = (unsigned*) (buf + floats);
        q.ab = q.hb + (size_t) (width / 2) * (size_t) q.hStride;
        q.wdp = q.ab + (size_t) (width / 2) * (size_t) q.lenR;
        q.wmp = q.wdp + (size_t) blocks * width * (width / 2) * kernel;
        eqt_conv_pack_weights(&q);
    }
    int vector = eqt_conv_allow && eqt_conv_has_avx512();
    long long rowIn = 2LL * channels;
    for (long long s = from; s < to; s++) {
        long long b = s / channels;
        int c = (int) (s % channels);
        eqt_conv_traces(&q, u + b * len * rowIn, rowIn, c, channels);
        float* o = out + b * len * channels + c;
#if defined(__x86_64__) && defined(__GNUC__)
        if (bf16) {
            eqt_conv_input_avx512(&q);
            eqt_conv_pack_h(&q);
            for (int l = 0; l < blocks; l++) eqt_conv_block_bf16(&q, l);
            eqt_conv_head_avx512(&q, o, channels);
            continue;
        }
        if (vector) {
            eqt_conv_input_avx512(&q);
            for (int l = 0; l < blocks; l++) eqt_conv_block_avx512(&q, l);
            eqt_conv_head_avx512(&q, o, channels);
            continue;
        }
#endif
        eqt_conv_input_plain(&q);
        for (int l = 0; l < blocks; l++) eqt_conv_block_plain(&q, l);
        eqt_conv_head_plain(&q, o, channels);
    }
    free(buf);
    return 0;
}
#endif /* EQT_HOST_IMPLEMENTATION */

#endif /* EQT_HOST_CONV_H */
