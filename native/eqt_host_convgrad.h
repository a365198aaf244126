/*
 * eqt_host_convgrad.h: a training pass of the default model's correction network (eqt.model.nn.PairConvNet), one
 * station-source pair at a time: its forward pass, keeping what the backward pass needs in the core's buffers,
 * its output, then the backward pass to every weight's gradient.
 *
 * Why by hand: as libtorch operations at 16 features the training step writes and reads every layer's whole batch
 * of activations several times over and ran at 2.65x its float32 floor (benchmarks/NOTES.md §29, §31); the
 * inference kernel (eqt_host_conv.h) showed that one pair's working set kept in a core's cache runs near the
 * sgemm rate. Backward follows forward pair by pair because the trainer's losses are weighted sums of squares:
 * the loss's gradient with respect to the output is dA * out + dB with dA and dB known before the pass, so no
 * batch of activations (~100 MB for every block) is kept and no forward pass is run twice.
 *
 * The input u carries no gradient (standardised records and the fixed linear path), so none is computed for it.
 * Semantics are PairConvNet's training forward without dropout (nn.Conv1d, zero padding, exact GELU); the
 * results equal libtorch autograd's to float rounding (checked in FusedTrainingTest). GELU's derivative is
 * Phi(x) + x phi(x), with Phi from the same erf as the forward pass and phi = exp(-x^2 / 2) / sqrt(2 pi).
 */
#ifndef EQT_HOST_CONVGRAD_H
#define EQT_HOST_CONVGRAD_H

#include "eqt_host_conv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Floats of eqt_host_pairconv_train's grad: the parameters laid one after another in PairConvNet's order. */
long long eqt_host_pairconv_grad_size(int width, int blocks, int kernel);

/*
 * One training pass over the sequences s = b * channels + c in [from, to) (u, the weights, width, blocks and
 * kernel as eqt_host_pairconv's): writes the correction out [batch, len, channels] as eqt_host_pairconv does, and
 * adds to grad the gradient, with respect to the weights, of a loss whose gradient with respect to out is
 * dA * out + dB (elementwise, dA and dB [batch, len, channels]): a weighted sum of squares of out minus targets
 * has that form, so the backward pass follows the forward one pair at a time, with no second forward pass.
 * dA = 0, dB = dOut: the gradient of sum(dOut * out). grad holds, one after another: w_in [width, 2], b_in
 * [width], w_dil [blocks, width, width, kernel], b_dil [blocks, width], w_mix [blocks, width, width], b_mix
 * [blocks, width], w_head [width], b_head [1] (eqt_host_pairconv_grad_size floats). Float32 only. Returns 0, or
 * -1 (eqt_host_last_error says why).
 */
int eqt_host_pairconv_train(const float* u, const float* dA, const float* dB, float* out, long long batch,
                            long long len, int channels, long long from, long long to, int width, int blocks,
                            int kernel, const float* w_in, const float* b_in, const float* w_dil, const float* b_dil,
                            const float* w_mix, const float* b_mix, const float* w_head, const float* b_head,
                            float* grad);

/*
 * Test hook: fault = 1 leaves out the dilated convolutions' share of the residual stream's gradient (a wrong
 * backward that still runs), 0 (the default) computes the true gradient. Returns the previous setting.
 */
int eqt_host_pairconv_grad_fault(int fault);

#ifdef __cplusplus
}
#endif

#ifdef EQT_HOST_IMPLEMENTATION

/* One sequence's buffers for the gradient. Rows of h-like buffers (hs, dpre) are hStride long with `pad` zeros on
 * either side; the others lenR. Past len every row holds zeros where the backward pass reads it. */
typedef struct {
    long long len, lenR, pad, hStride;
    int W, L, k;
    float *x;          /* the pair's two traces, 2 rows */
    float *hs;         /* the residual stream entering block l (l = L: the head's input), L + 1 levels of W rows */
    float *pre;        /* block l's dilated convolution before GELU, L levels of W rows; the backward overwrites
                          a level with GELU's derivative there */
    float *a;          /* GELU of one level of pre */
    float *dh;         /* the gradient of the residual stream */
    float *dpre;       /* the gradient of one level of pre */
    float *dcol;       /* the loss's gradient with respect to the pair's output, zero past len */
    float *acol, *bcol;/* the pair's columns of dA and dB */
    float *wmT, *wdT;  /* the blocks' weights transposed ([l][in][out]) and, for w_dil, its taps reversed */
    float *zeros;      /* W zeros: the transposed products' bias */
    const float *w_in, *b_in, *w_dil, *b_dil, *w_mix, *b_mix, *w_head, *b_head;
    float *g_win, *g_bin, *g_wdil, *g_bdil, *g_wmix, *g_bmix, *g_whead, *g_bhead;
} eqt_grad_seq;

static int eqt_grad_fault = 0;

int eqt_host_pairconv_grad_fault(int fault) {
    int previous = eqt_grad_fault;
    eqt_grad_fault = fault;
    return previous;
}

long long eqt_host_pairconv_grad_size(int width, int blocks, int kernel) {
    long long W = width;
    return 2 * W + W + blocks * W * W * kernel + blocks * W + blocks * W * W + blocks * W + W + 1;
}

static inline float* eqt_grad_h(const eqt_grad_seq* q, int l, int f) {
    return q->hs + ((long long) l * q->W + f) * q->hStride + q->pad;
}

static inline float* eqt_grad_pre(const eqt_grad_seq* q, int l, int f) {
    return q->pre + ((long long) l * q->W + f) * q->lenR;
}

/* GELU's derivative: Phi(x) + x phi(x). */
static float eqt_grad_gelu_d1(float x) {
    return 0.5f * (1.0f + erff(x * 0.70710678118654752f)) + x * expf(-0.5f * x * x) * 0.39894228040143268f;
}

/* ---- plain C: the reference the vectorised path is tested against, and the path without AVX-512 ---- */

static void eqt_grad_forward_plain(const eqt_grad_seq* q) {
    int W = q->W, k = q->k, half = (k - 1) / 2;
    const float* x0 = q->x;
    const float* x1 = q->x + q->lenR;
    for (int f = 0; f < W; f++) {
        float* h = eqt_grad_h(q, 0, f);
        for (long long t = 0; t < q->len; t++) h[t] = q->b_in[f] + q->w_in[2 * f] * x0[t] + q->w_in[2 * f + 1] * x1[t];
    }
    for (int l = 0; l < q->L; l++) {
        long long dil = 1LL << l;
        const float* wd = q->w_dil + (long long) l * W * W * k;
        const float* wm = q->w_mix + (long long) l * W * W;
        for (int f = 0; f < W; f++) {
            float* p = eqt_grad_pre(q, l, f);
            for (long long t = 0; t < q->len; t++) {
                float s = q->b_dil[l * W + f];
                for (int i = 0; i < W; i++) {
                    const float* h = eqt_grad_h(q, l, i) + t;
                    for (int j = 0; j < k; j++) s += wd[(f * W + i) * k + j] * h[(j - half) * dil];
                }
                p[t] = s;
            }
        }
        for (int i = 0; i < W; i++) {
            const float* p = eqt_grad_pre(q, l, i);
            for (long long t = 0; t < q->len; t++) q->a[i * q->lenR + t] = eqt_conv_gelu1(p[t]);
        }
        for (int f = 0; f < W; f++) {
            const float* h = eqt_grad_h(q, l, f);
            float* hn = eqt_grad_h(q, l + 1, f);
            for (long long t = 0; t < q->len; t++) {
                float s = q->b_mix[l * W + f];
                for (int i = 0; i < W; i++) s += wm[f * W + i] * q->a[i * q->lenR + t];
                hn[t] = h[t] + s;
            }
        }
    }
}

/* The head: the pair's output, written by its stride, and dcol = dA * out + dB. */
static void eqt_grad_head_plain(const eqt_grad_seq* q, float* out, long long outStride) {
    for (long long t = 0; t < q->len; t++) {
        float s = q->b_head[0];
        for (int f = 0; f < q->W; f++) s += q->w_head[f] * eqt_conv_gelu1(eqt_grad_h(q, q->L, f)[t]);
        out[t * outStride] = s;
        q->dcol[t] = q->acol[t] * s + q->bcol[t];
    }
}

static void eqt_grad_backward_plain(const eqt_grad_seq* q) {
    int W = q->W, k = q->k, half = (k - 1) / 2;
    long long n = q->len;
    for (int f = 0; f < W; f++) {
        const float* h = eqt_grad_h(q, q->L, f);
        float* dh = q->dh + f * q->lenR;
        for (long long t = 0; t < n; t++) {
            float d = q->dcol[t];
            if (f == 0) q->g_bhead[0] += d;
            q->g_whead[f] += d * eqt_conv_gelu1(h[t]);
            dh[t] = d * q->w_head[f] * eqt_grad_gelu_d1(h[t]);
        }
    }
    for (int l = q->L - 1; l >= 0; l--) {
        long long dil = 1LL << l;
        const float* wd = q->w_dil + (long long) l * W * W * k;
        const float* wm = q->w_mix + (long long) l * W * W;
        float* gwd = q->g_wdil + (long long) l * W * W * k;
        float* gwm = q->g_wmix + (long long) l * W * W;
        for (int i = 0; i < W; i++) {
            const float* p = eqt_grad_pre(q, l, i);
            for (long long t = 0; t < n; t++) q->a[i * q->lenR + t] = eqt_conv_gelu1(p[t]);
        }
        for (int f = 0; f < W; f++) {
            const float* dh = q->dh + f * q->lenR;
            for (long long t = 0; t < n; t++) {
                q->g_bmix[l * W + f] += dh[t];
                for (int i = 0; i < W; i++) gwm[f * W + i] += dh[t] * q->a[i * q->lenR + t];
            }
        }
        for (int f = 0; f < W; f++) {
            const float* p = eqt_grad_pre(q, l, f);
            float* dp = q->dpre + f * q->hStride + q->pad;
            for (long long t = 0; t < n; t++) {
                float s = 0.0f;
                for (int o = 0; o < W; o++) s += wm[o * W + f] * q->dh[o * q->lenR + t];
                dp[t] = s * eqt_grad_gelu_d1(p[t]);
            }
        }
        for (int f = 0; f < W; f++) {
            const float* dp = q->dpre + f * q->hStride + q->pad;
            for (long long t = 0; t < n; t++) {
                q->g_bdil[l * W + f] += dp[t];
                for (int i = 0; i < W; i++) {
                    const float* h = eqt_grad_h(q, l, i) + t;
                    for (int j = 0; j < k; j++) gwd[(f * W + i) * k + j] += dp[t] * h[(j - half) * dil];
                }
            }
        }
        if (eqt_grad_fault == 1) continue;
        for (int i = 0; i < W; i++) {
            float* dh = q->dh + i * q->lenR;
            for (long long t = 0; t < n; t++) {
                float s = 0.0f;
                for (int f = 0; f < W; f++) {
                    const float* dp = q->dpre + f * q->hStride + q->pad + t;
                    for (int j = 0; j < k; j++) s += wd[(f * W + i) * k + j] * dp[-(j - half) * dil];
                }
                dh[t] += s;
            }
        }
    }
    const float* x0 = q->x;
    const float* x1 = q->x + q->lenR;
    for (int f = 0; f < W; f++) {
        const float* dh = q->dh + f * q->lenR;
        for (long long t = 0; t < n; t++) {
            q->g_bin[f] += dh[t];
            q->g_win[2 * f] += dh[t] * x0[t];
            q->g_win[2 * f + 1] += dh[t] * x1[t];
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
/* GCC 12's own _mm512_reduce_add_ps leaves an _mm256_undefined_pd that it then warns about, as in eqt_host_conv.h */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

/* Sixteen lanes from t that lie before len (the last tile's tail is masked off). */
static inline __mmask16 eqt_grad_live(long long t, long long len) {
    long long left = len - t;
    return left >= 16 ? (__mmask16) 0xFFFF : left <= 0 ? (__mmask16) 0 : (__mmask16) ((1u << left) - 1u);
}

/* GELU and its derivative at once (the erf's exponential is exp(-x^2 / 2), phi's too). */
EQT_CONV_AVX512 static inline void eqt_grad_gelu_both16(__m512 x, __m512* g, __m512* d) {
    __m512 e;
    __m512 cdf = eqt_conv_cdf16(x, &e);
    *g = _mm512_mul_ps(x, cdf);
    *d = _mm512_fmadd_ps(_mm512_mul_ps(x, e), _mm512_set1_ps(0.39894228040143268f), cdf);
}

/*
 * The weight gradients: g[a * fStride + b * iStride] += sum over t < lenR of d row a at t times s row b at
 * t + shift, for a 4 x 4 block of rows (a, b < 4). Sixteen vector accumulators fed by eight loads a step: one row
 * of d against sixteen rows of s would load an s vector for every product, and a level of rows (115 KB) lives in
 * L2, not L1 (NOTES §31).
 */
EQT_CONV_AVX512 static void eqt_grad_outer4x4(float* g, long long fStride, long long iStride, const float* d,
                                              long long dStride, const float* s, long long sStride, long long shift,
                                              long long lenR) {
    __m512 acc[4][4];
#pragma GCC unroll 4
    for (int a = 0; a < 4; a++) {
#pragma GCC unroll 4
        for (int b = 0; b < 4; b++) acc[a][b] = _mm512_setzero_ps();
    }
    const float* src = s + shift;
    for (long long t = 0; t < lenR; t += 16) {
        __m512 dv[4], sv[4];
#pragma GCC unroll 4
        for (int a = 0; a < 4; a++) dv[a] = _mm512_loadu_ps(d + a * dStride + t);
#pragma GCC unroll 4
        for (int b = 0; b < 4; b++) sv[b] = _mm512_loadu_ps(src + b * sStride + t);
#pragma GCC unroll 4
        for (int a = 0; a < 4; a++) {
#pragma GCC unroll 4
            for (int b = 0; b < 4; b++) acc[a][b] = _mm512_fmadd_ps(dv[a], sv[b], acc[a][b]);
        }
    }
#pragma GCC unroll 4
    for (int a = 0; a < 4; a++) {
#pragma GCC unroll 4
        for (int b = 0; b < 4; b++) g[a * fStride + b * iStride] += _mm512_reduce_add_ps(acc[a][b]);
    }
}

EQT_CONV_AVX512 static float eqt_grad_sum16(const float* d, long long lenR) {
    __m512 acc = _mm512_setzero_ps();
    for (long long t = 0; t < lenR; t += 16) acc = _mm512_add_ps(acc, _mm512_loadu_ps(d + t));
    return _mm512_reduce_add_ps(acc);
}

/* Which block a pass's epilogue writes (eqt_conv_pass hands it one context). */
typedef struct {
    const eqt_grad_seq* q;
    int l;
} eqt_grad_at;

/* forward, dilated: keep the pre-GELU sums, a = GELU(them) */
EQT_CONV_AVX512 static inline void eqt_grad_keep_pre(const void* ctx, int f, long long t, __m512 sum) {
    const eqt_grad_at* c = (const eqt_grad_at*) ctx;
    _mm512_storeu_ps(eqt_grad_pre(c->q, c->l, f) + t, sum);
    _mm512_storeu_ps(c->q->a + f * c->q->lenR + t, eqt_conv_gelu16(sum));
}

/* forward, mix: h of the next block = h + the sums, zero past len */
EQT_CONV_AVX512 static inline void eqt_grad_next_h(const void* ctx, int f, long long t, __m512 sum) {
    const eqt_grad_at* c = (const eqt_grad_at*) ctx;
    __m512 h = _mm512_add_ps(_mm512_loadu_ps(eqt_grad_h(c->q, c->l, f) + t), sum);
    _mm512_storeu_ps(eqt_grad_h(c->q, c->l + 1, f) + t, _mm512_maskz_mov_ps(eqt_grad_live(t, c->q->len), h));
}

/* backward, the mix's transpose: dpre = its sums * GELU'(pre) (pre holds GELU' by then), zero past len */
EQT_CONV_AVX512 static inline void eqt_grad_dpre(const void* ctx, int f, long long t, __m512 sum) {
    const eqt_grad_at* c = (const eqt_grad_at*) ctx;
    __m512 d = _mm512_mul_ps(sum, _mm512_loadu_ps(eqt_grad_pre(c->q, c->l, f) + t));
    _mm512_storeu_ps(c->q->dpre + f * c->q->hStride + c->q->pad + t, _mm512_maskz_mov_ps(eqt_grad_live(t, c->q->len), d));
}

/* backward, the dilated convolution's transpose: dh += its sums, zero past len */
EQT_CONV_AVX512 static inline void eqt_grad_add_dh(const void* ctx, int f, long long t, __m512 sum) {
    const eqt_grad_at* c = (const eqt_grad_at*) ctx;
    float* dh = c->q->dh + f * c->q->lenR + t;
    _mm512_storeu_ps(dh, _mm512_maskz_mov_ps(eqt_grad_live(t, c->q->len), _mm512_add_ps(_mm512_loadu_ps(dh), sum)));
}

EQT_CONV_AVX512 static void eqt_grad_forward_avx512(const eqt_grad_seq* q) {
    int W = q->W, k = q->k;
    const float* x0 = q->x;
    const float* x1 = q->x + q->lenR;
    for (int f = 0; f < W; f++) {
        float* h = eqt_grad_h(q, 0, f);
        __m512 w0 = _mm512_set1_ps(q->w_in[2 * f]), w1 = _mm512_set1_ps(q->w_in[2 * f + 1]), b = _mm512_set1_ps(q->b_in[f]);
        for (long long t = 0; t < q->lenR; t += 16) {
            __m512 v = _mm512_fmadd_ps(w1, _mm512_loadu_ps(x1 + t), _mm512_fmadd_ps(w0, _mm512_loadu_ps(x0 + t), b));
            _mm512_storeu_ps(h + t, _mm512_maskz_mov_ps(eqt_grad_live(t, q->len), v));
        }
    }
    for (int l = 0; l < q->L; l++) {
        long long dil = 1LL << l;
        const float* wd = q->w_dil + (long long) l * W * W * k;
        const float* wm = q->w_mix + (long long) l * W * W;
        eqt_grad_at at = {q, l};
        eqt_conv_pass(eqt_grad_h(q, l, 0), q->hStride, W, k, dil, wd, q->b_dil + l * W, q->lenR, eqt_grad_keep_pre, &at);
        eqt_conv_pass(q->a, q->lenR, W, 1, 0, wm, q->b_mix + l * W, q->lenR, eqt_grad_next_h, &at);
    }
}

EQT_CONV_AVX512 static void eqt_grad_head_avx512(const eqt_grad_seq* q, float* out, long long outStride) {
    float* sum = q->a; /* scratch until the backward pass fills it */
    for (long long t = 0; t < q->lenR; t += 16) {
        __m512 s = _mm512_set1_ps(q->b_head[0]);
        for (int f = 0; f < q->W; f++) {
            s = _mm512_fmadd_ps(_mm512_set1_ps(q->w_head[f]), eqt_conv_gelu16(_mm512_loadu_ps(eqt_grad_h(q, q->L, f) + t)), s);
        }
        _mm512_storeu_ps(sum + t, s);
        __m512 d = _mm512_fmadd_ps(_mm512_loadu_ps(q->acol + t), s, _mm512_loadu_ps(q->bcol + t));
        _mm512_storeu_ps(q->dcol + t, _mm512_maskz_mov_ps(eqt_grad_live(t, q->len), d));
    }
    for (long long t = 0; t < q->len; t++) out[t * outStride] = sum[t];
}

EQT_CONV_AVX512 static void eqt_grad_backward_avx512(const eqt_grad_seq* q) {
    int W = q->W, k = q->k, half = (k - 1) / 2;
    long long lenR = q->lenR;
    /* the head: dh = dout * w_head * GELU'(h_L); its weights' gradients */
    for (int f = 0; f < W; f++) {
        const float* h = eqt_grad_h(q, q->L, f);
        float* dh = q->dh + f * lenR;
        __m512 wh = _mm512_set1_ps(q->w_head[f]);
        __m512 acc = _mm512_setzero_ps();
        for (long long t = 0; t < lenR; t += 16) {
            __m512 g, d;
            eqt_grad_gelu_both16(_mm512_loadu_ps(h + t), &g, &d);
            __m512 dc = _mm512_loadu_ps(q->dcol + t); /* zero past len */
            acc = _mm512_fmadd_ps(dc, g, acc);
            _mm512_storeu_ps(dh + t, _mm512_mul_ps(_mm512_mul_ps(dc, wh), d));
        }
        q->g_whead[f] += _mm512_reduce_add_ps(acc);
    }
    q->g_bhead[0] += eqt_grad_sum16(q->dcol, lenR);
    for (int l = q->L - 1; l >= 0; l--) {
        long long dil = 1LL << l;
        float* gwd = q->g_wdil + (long long) l * W * W * k;
        float* gwm = q->g_wmix + (long long) l * W * W;
        /* a = GELU(pre) for the mix's weights; pre becomes GELU'(pre) */
        for (int f = 0; f < W; f++) {
            float* p = eqt_grad_pre(q, l, f);
            float* a = q->a + f * lenR;
            for (long long t = 0; t < lenR; t += 16) {
                __m512 g, d;
                eqt_grad_gelu_both16(_mm512_loadu_ps(p + t), &g, &d);
                _mm512_storeu_ps(a + t, g);
                _mm512_storeu_ps(p + t, d);
            }
        }
        /* the mix: its weights' gradients, then dpre = (w_mix^T dh) * GELU'(pre), zero past len */
        for (int f = 0; f < W; f++) q->g_bmix[l * W + f] += eqt_grad_sum16(q->dh + f * lenR, lenR);
        for (int f0 = 0; f0 < W; f0 += 4) {
            for (int i0 = 0; i0 < W; i0 += 4) {
                eqt_grad_outer4x4(gwm + f0 * W + i0, W, 1, q->dh + f0 * lenR, lenR, q->a + i0 * lenR, lenR, 0, lenR);
            }
        }
        eqt_grad_at at = {q, l};
        eqt_conv_pass(q->dh, lenR, W, 1, 0, q->wmT + (long long) l * W * W, q->zeros, lenR, eqt_grad_dpre, &at);
        /* the dilated convolution: its weights' gradients, then dh += its transpose applied to dpre */
        for (int f = 0; f < W; f++) q->g_bdil[l * W + f] += eqt_grad_sum16(q->dpre + f * q->hStride + q->pad, lenR);
        for (int j = 0; j < k; j++) {
            for (int f0 = 0; f0 < W; f0 += 4) {
                for (int i0 = 0; i0 < W; i0 += 4) {
                    eqt_grad_outer4x4(gwd + (f0 * W + i0) * k + j, (long long) W * k, k,
                                      q->dpre + f0 * q->hStride + q->pad, q->hStride, eqt_grad_h(q, l, i0), q->hStride,
                                      (j - half) * dil, lenR);
                }
            }
        }
        if (eqt_grad_fault == 1) continue;
        eqt_conv_pass(q->dpre + q->pad, q->hStride, W, k, dil, q->wdT + (long long) l * W * W * k, q->zeros, lenR,
                      eqt_grad_add_dh, &at);
    }
    /* the input map */
    const float* x0 = q->x;
    const float* x1 = q->x + lenR;
    for (int f = 0; f < W; f++) {
        const float* dh = q->dh + f * lenR;
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), ab = _mm512_setzero_ps();
        for (long long t = 0; t < lenR; t += 16) {
            __m512 d = _mm512_loadu_ps(dh + t);
            ab = _mm512_add_ps(ab, d);
            a0 = _mm512_fmadd_ps(d, _mm512_loadu_ps(x0 + t), a0);
            a1 = _mm512_fmadd_ps(d, _mm512_loadu_ps(x1 + t), a1);
        }
        q->g_bin[f] += _mm512_reduce_add_ps(ab);
        q->g_win[2 * f] += _mm512_reduce_add_ps(a0);
        q->g_win[2 * f + 1] += _mm512_reduce_add_ps(a1);
    }
}
#pragma GCC diagnostic pop
#endif

int eqt_host_pairconv_train(const float* u, const float* dA, const float* dB, float* out, long long batch,
                            long long len, int channels, long long from, long long to, int width, int blocks,
                            int kernel, const float* w_in, const float* b_in, const float* w_dil, const float* b_dil,
                            const float* w_mix, const float* b_mix, const float* w_head, const float* b_head,
                            float* grad) {
    if (width <= 0 || width % 16 != 0 || kernel <= 0 || kernel % 2 != 1 || blocks < 1 || blocks > 30 || len <= 0
        || from < 0 || to > batch * channels) {
        snprintf(eqt_host_error, sizeof eqt_host_error, "eqt_host_pairconv_train: width %d (a multiple of 16), "
                 "kernel %d (odd), blocks %d (at least 1), sequences [%lld, %lld) of %lld", width, kernel, blocks,
                 from, to, batch * channels);
        return -1;
    }
    eqt_grad_seq q;
    int W = width, L = blocks, k = kernel;
    q.len = len;
    q.lenR = (len + 15) / 16 * 16;
    q.pad = (long long) (kernel - 1) / 2 * (1LL << (blocks - 1));
    q.hStride = q.pad + q.lenR + q.pad;
    q.W = W, q.L = L, q.k = k;
    q.w_in = w_in, q.b_in = b_in, q.w_dil = w_dil, q.b_dil = b_dil, q.w_mix = w_mix, q.b_mix = b_mix;
    q.w_head = w_head, q.b_head = b_head;
    q.g_win = grad;
    q.g_bin = q.g_win + 2 * W;
    q.g_wdil = q.g_bin + W;
    q.g_bdil = q.g_wdil + (long long) L * W * W * k;
    q.g_wmix = q.g_bdil + (long long) L * W;
    q.g_bmix = q.g_wmix + (long long) L * W * W;
    q.g_whead = q.g_bmix + (long long) L * W;
    q.g_bhead = q.g_whead + W;
    size_t rows = (size_t) q.lenR, hrow = (size_t) q.hStride;
    size_t floats = 2 * rows + (size_t) (L + 1) * W * hrow + (size_t) L * W * rows + 2 * (size_t) W * rows
                    + (size_t) W * hrow + 3 * rows + (size_t) L * W * W * (k + 1) + (size_t) W;
    /* calloc: the padding of hs and dpre, and every row's steps past len, start (and stay) zero */
    float* buf = (float*) calloc(floats, sizeof(float));
    if (buf == NULL) {
        snprintf(eqt_host_error, sizeof eqt_host_error, "eqt_host_pairconv_train: out of memory (%zu floats)", floats);
        return -1;
    }
    q.x = buf;
    q.hs = q.x + 2 * rows;
    q.pre = q.hs + (size_t) (L + 1) * W * hrow;
    q.a = q.pre + (size_t) L * W * rows;
    q.dh = q.a + (size_t) W * rows;
    q.dpre = q.dh + (size_t) W * rows;
    q.dcol = q.dpre + (size_t) W * hrow;
    q.acol = q.dcol + rows;
    q.bcol = q.acol + rows;
    q.wmT = q.bcol + rows;
    q.wdT = q.wmT + (size_t) L * W * W;
    q.zeros = q.wdT + (size_t) L * W * W * k;
    for (int l = 0; l < L; l++) {
        for (int f = 0; f < W; f++) {
            for (int i = 0; i < W; i++) {
                q.wmT[((long long) l * W + i) * W + f] = w_mix[((long long) l * W + f) * W + i];
                for (int j = 0; j < k; j++) {
                    q.wdT[(((long long) l * W + i) * W + f) * k + (k - 1 - j)] = w_dil[(((long long) l * W + f) * W + i) * k + j];
                }
            }
        }
    }
    int vector = eqt_conv_allow && eqt_conv_has_avx512();
    long long rowIn = 2LL * channels;
    for (long long s = from; s < to; s++) {
        long long b = s / channels;
        int c = (int) (s % channels);
        const float* ub = u + b * len * rowIn;
        long long col = b * len * channels + c;
        for (long long t = 0; t < len; t++) {
            q.x[t] = ub[t * rowIn + c];
            q.x[rows + t] = ub[t * rowIn + channels + c];
            q.acol[t] = dA[col + t * channels];
            q.bcol[t] = dB[col + t * channels];
        }
#if defined(__x86_64__) && defined(__GNUC__)
        if (vector) {
            eqt_grad_forward_avx512(&q);
            eqt_grad_head_avx512(&q, out + col, channels);
            eqt_grad_backward_avx512(&q);
            continue;
        }
#endif
        eqt_grad_forward_plain(&q);
        eqt_grad_head_plain(&q, out + col, channels);
        eqt_grad_backward_plain(&q);
    }
    free(buf);
    return 0;
}
#endif /* EQT_HOST_IMPLEMENTATION */

#endif /* EQT_HOST_CONVGRAD_H */
