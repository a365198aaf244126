/*
 * eqt_host_toeplitz.h: symmetric Toeplitz systems T x_j = b_j by Levinson's recursion, several right-hand sides
 * sharing one matrix (eqt.dsp.Toeplitz; the least-squares FIR's leads of one length and ridge).
 *
 * Why by hand: the classical anchors' tuning solves some 600 systems of up to 4 096 unknowns per pair, before
 * training and again in `eq evaluate`; in Java the recursion ran at 2.4 G multiply-adds a second (benchmarks/
 * NOTES.md §32, §33) because the JIT does not vectorise a reduction of doubles (it may not reorder the sums).
 * Here every order of the recursion is one pass over memory: the forward and backward vectors' update, each
 * right-hand side's update, and the dot products the next order needs are one loop, eight doubles a step.
 * The sums are taken in a different order from the Java form's, so results differ from it by rounding only.
 *
 * T[i][k] = r[|i - k|] + (i == k ? diag : 0); b and x are nb rows of n doubles, one after another.
 */
#ifndef EQT_HOST_TOEPLITZ_H
#define EQT_HOST_TOEPLITZ_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Solves T x_j = b_j for j < nb. Returns 0; m >= 1 where T's leading minor of order m is not positive definite
 * (a silent or constant record; x is then undefined); -1 for bad arguments or no memory. Thread-safe: the calls
 * share nothing.
 */
int eqt_host_toeplitz_solve(const double* r, double diag, int n, int nb, const double* b, double* x);

/* Lets the AVX-512 path run (allow != 0, the default) or forces the plain C loop; returns whether AVX-512 now runs. */
int eqt_host_toeplitz_vector(int allow);

#ifdef __cplusplus
}
#endif

#ifdef EQT_HOST_IMPLEMENTATION
#include <stdlib.h>
#include <string.h>

/* Right-hand sides updated in one pass: eight accumulators stay in registers beside the forward vector's. */
#define EQT_TOEPLITZ_GROUP 8

/*
 * The recursion's state for one group of right-hand sides. rev[n - m + i] = r[m - i], so every dot product runs
 * forward over memory; back holds the backward vector (the forward one reversed, T being symmetric) shifted by
 * one (back[0] = 0). ef and gx are the dot products of the next order's row of T with f and with each x.
 */
typedef struct {
    int n, nb;
    const double* rev;
    double *f, *fn, *back, *backn;
    const double* b;
    double* x;
    double ef, gx[EQT_TOEPLITZ_GROUP];
} eqt_toeplitz;

/*
 * Elements [from, m] of order m's update in plain C, g[j] the right-hand sides' corrections: adds the next order's
 * dot products to *sf and sx. The whole step on the plain path, the last m + 1 mod 8 elements on the vector path.
 */
static inline void eqt_toeplitz_elements(eqt_toeplitz* s, int m, double inv, int from, const double* g, double* sf,
                                         double* sx) {
    const double* rn = s->rev + (s->n - m - 1); /* the next order's row of T, reversed */
    double ef = s->ef;
    for (int i = from; i <= m; i++) {
        double fi = s->f[i], bi = s->back[i];
        double fo = (fi - ef * bi) * inv, bo = (bi - ef * fi) * inv;
        s->fn[i] = fo;
        s->backn[i + 1] = bo;
        *sf += rn[i] * fo;
        for (int j = 0; j < s->nb; j++) {
            double* xj = s->x + (long long) j * s->n;
            double xv = xj[i] + g[j] * bo;
            xj[i] = xv;
            sx[j] += rn[i] * xv;
        }
    }
}

/* Order m to m + 1 in plain C. */
static void eqt_toeplitz_step(eqt_toeplitz* s, int m, double inv) {
    double g[EQT_TOEPLITZ_GROUP], sx[EQT_TOEPLITZ_GROUP] = {0}, sf = 0;
    for (int j = 0; j < s->nb; j++) g[j] = s->b[(long long) j * s->n + m] - s->gx[j];
    eqt_toeplitz_elements(s, m, inv, 0, g, &sf, sx);
    s->ef = sf;
    for (int j = 0; j < s->nb; j++) s->gx[j] = sx[j];
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* GCC 12's _mm512_reduce_add_pd reads an "uninitialised" __m256d inside its own header: a false alarm */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#define EQT_TOEPLITZ_AVX512 __attribute__((target("avx512f")))

/* Order m to m + 1, eight elements a step; the last m + 1 mod 8 in plain C. */
EQT_TOEPLITZ_AVX512 static void eqt_toeplitz_step_avx512(eqt_toeplitz* s, int m, double inv) {
    double g[EQT_TOEPLITZ_GROUP];
    int nb = s->nb;
    for (int j = 0; j < nb; j++) g[j] = s->b[(long long) j * s->n + m] - s->gx[j];
    const double* rn = s->rev + (s->n - m - 1);
    double ef = s->ef;
    __m512d ve = _mm512_set1_pd(ef), vi = _mm512_set1_pd(inv), accf = _mm512_setzero_pd();
    __m512d acc[EQT_TOEPLITZ_GROUP], vg[EQT_TOEPLITZ_GROUP];
    for (int j = 0; j < nb; j++) {
        acc[j] = _mm512_setzero_pd();
        vg[j] = _mm512_set1_pd(g[j]);
    }
    int i = 0, last = m + 1;
    for (; i + 8 <= last; i += 8) {
        __m512d fi = _mm512_loadu_pd(s->f + i), bi = _mm512_loadu_pd(s->back + i);
        __m512d fo = _mm512_mul_pd(_mm512_fnmadd_pd(ve, bi, fi), vi);
        __m512d bo = _mm512_mul_pd(_mm512_fnmadd_pd(ve, fi, bi), vi);
        _mm512_storeu_pd(s->fn + i, fo);
        _mm512_storeu_pd(s->backn + i + 1, bo);
        __m512d rr = _mm512_loadu_pd(rn + i);
        accf = _mm512_fmadd_pd(rr, fo, accf);
        for (int j = 0; j < nb; j++) {
            double* xj = s->x + (long long) j * s->n + i;
            __m512d xv = _mm512_fmadd_pd(vg[j], bo, _mm512_loadu_pd(xj));
            _mm512_storeu_pd(xj, xv);
            acc[j] = _mm512_fmadd_pd(rr, xv, acc[j]);
        }
    }
    double sf = _mm512_reduce_add_pd(accf), sx[EQT_TOEPLITZ_GROUP];
    for (int j = 0; j < nb; j++) sx[j] = _mm512_reduce_add_pd(acc[j]);
    eqt_toeplitz_elements(s, m, inv, i, g, &sf, sx);
    s->ef = sf;
    for (int j = 0; j < nb; j++) s->gx[j] = sx[j];
}

static int eqt_toeplitz_has_avx512(void) {
    static int has = -1;
    if (has < 0) {
        __builtin_cpu_init();
        has = __builtin_cpu_supports("avx512f");
    }
    return has;
}
#pragma GCC diagnostic pop
#else
static int eqt_toeplitz_has_avx512(void) {
    return 0;
}
#endif

static int eqt_toeplitz_allow = 1;

int eqt_host_toeplitz_vector(int allow) {
    eqt_toeplitz_allow = allow != 0;
    return eqt_toeplitz_allow && eqt_toeplitz_has_avx512();
}

/* One group of at most EQT_TOEPLITZ_GROUP right-hand sides; work holds 4 * (n + 8) doubles. */
static int eqt_toeplitz_group(const double* rev, double r0, int n, int nb, const double* b, double* x, double* work) {
    int vector = eqt_toeplitz_allow && eqt_toeplitz_has_avx512();
    long long stride = n + 8;
    memset(work, 0, sizeof(double) * 4 * stride);
    eqt_toeplitz s = {n, nb, rev, work, work + stride, work + 2 * stride, work + 3 * stride, b, x, 0, {0}};
    s.f[0] = 1 / r0;
    s.back[1] = 1 / r0;
    for (int j = 0; j < nb; j++) {
        memset(x + (long long) j * n, 0, sizeof(double) * n);
        x[(long long) j * n] = b[(long long) j * n] / r0;
        s.gx[j] = rev[n - 1] * x[(long long) j * n];
    }
    s.ef = rev[n - 1] * s.f[0];
    for (int m = 1; m < n; m++) {
        double den = 1 - s.ef * s.ef;
        if (!(den > 0)) return m + 1;
#if defined(__x86_64__) && defined(__GNUC__)
        if (vector) eqt_toeplitz_step_avx512(&s, m, 1 / den);
        else eqt_toeplitz_step(&s, m, 1 / den);
#else
        (void) vector;
        eqt_toeplitz_step(&s, m, 1 / den);
#endif
        double* t = s.f;
        s.f = s.fn;
        s.fn = t;
        t = s.back;
        s.back = s.backn;
        s.backn = t;
    }
    return 0;
}

int eqt_host_toeplitz_solve(const double* r, double diag, int n, int nb, const double* b, double* x) {
    if (r == NULL || b == NULL || x == NULL || n <= 0 || nb <= 0) return -1;
    double r0 = r[0] + diag;
    if (!(r0 > 0)) return 1;
    long long stride = n + 8;
    double* work = (double*) malloc(sizeof(double) * (5 * stride));
    if (work == NULL) return -1;
    double* rev = work + 4 * stride;
    rev[0] = 0;
    for (int k = 1; k < n; k++) rev[k] = r[n - k];
    int status = 0;
    for (int j = 0; j < nb && status == 0; j += EQT_TOEPLITZ_GROUP) {
        int group = nb - j < EQT_TOEPLITZ_GROUP ? nb - j : EQT_TOEPLITZ_GROUP;
        status = eqt_toeplitz_group(rev, r0, n, group, b + (long long) j * n, x + (long long) j * n, work);
    }
    free(work);
    return status;
}
#endif /* EQT_HOST_IMPLEMENTATION */

#endif /* EQT_HOST_TOEPLITZ_H */
