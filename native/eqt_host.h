/*
 * eqt_host.h: host-process helpers that Java cannot do itself.
 *
 * eqt_host_exec replaces the running process (the JVM) with a new program, as a shell's `exec` does: same process
 * id, same terminal, signals delivered to it directly. eqt uses it once at start-up to run itself again with
 * glibc's malloc settings in the environment; glibc reads them only when a process starts, and libtorch's
 * training step allocates and frees tensors of 100 MB and more, which glibc otherwise maps and unmaps afresh every
 * time (page faults and zeroing on every step; see benchmarks/NOTES.md).
 *
 * Arguments and environment come as blocks of NUL-terminated strings, so Java passes plain byte arrays.
 * On success the call does not return; on failure it returns -1 and eqt_host_last_error() says why.
 */
#ifndef EQT_HOST_H
#define EQT_HOST_H

#ifdef __cplusplus
extern "C" {
#endif

int eqt_host_exec(const char* path, const char* argv_block, int argc, const char* env_block, int envc);

/*
 * Sets the thread count of an OpenBLAS that is already loaded under the file name `soname` (libtorch's own copy,
 * which bytedeco's Java API does not reach). Returns 0, or -1 when the library is not loaded or lacks the entry.
 */
int eqt_host_blas_threads(const char* soname, int threads);

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

/*
 * A listening TCP socket bound to `addr` (a host name or address) and `port` only, for c10d's TCPStore, which
 * otherwise listens on every interface: the store takes the descriptor through masterListenFd. Returns the
 * descriptor, or -1 and eqt_host_last_error() says why.
 */
int eqt_host_listen(const char* addr, int port, int backlog);

const char* eqt_host_last_error(void);

#ifdef __cplusplus
}
#endif

#ifdef EQT_HOST_IMPLEMENTATION
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/socket.h>

static char eqt_host_error[256];

/* Pointers to the n strings of a NUL-separated block, NULL-terminated as execve wants them. */
static char** eqt_host_split(const char* block, int n) {
    char** v = (char**) calloc((size_t) n + 1, sizeof(char*));
    if (v == NULL) return NULL;
    for (int i = 0; i < n; i++) {
        v[i] = (char*) block;
        block += strlen(block) + 1;
    }
    return v;
}

int eqt_host_exec(const char* path, const char* argv_block, int argc, const char* env_block, int envc) {
    if (path == NULL || argv_block == NULL || env_block == NULL || argc < 1 || envc < 0) {
        strcpy(eqt_host_error, "eqt_host_exec: bad argument");
        return -1;
    }
    char** argv = eqt_host_split(argv_block, argc);
    char** envp = eqt_host_split(env_block, envc);
    if (argv != NULL && envp != NULL) execve(path, argv, envp);
    snprintf(eqt_host_error, sizeof eqt_host_error, "execve %s: %s", path, strerror(errno));
    free(argv);
    free(envp);
    return -1;
}

int eqt_host_blas_threads(const char* soname, int threads) {
    void* lib = soname == NULL ? NULL : dlopen(soname, RTLD_LAZY | RTLD_NOLOAD); /* only if already loaded */
    if (lib == NULL) {
        snprintf(eqt_host_error, sizeof eqt_host_error, "%s is not loaded", soname == NULL ? "(null)" : soname);
        return -1;
    }
    void (*set)(int) = (void (*)(int)) dlsym(lib, "openblas_set_num_threads");
    if (set != NULL) set(threads);
    else snprintf(eqt_host_error, sizeof eqt_host_error, "%s has no openblas_set_num_threads", soname);
    dlclose(lib); /* drops the reference NOLOAD took; the library stays loaded */
    return set != NULL ? 0 : -1;
}

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

int eqt_host_listen(const char* addr, int port, int backlog) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(addr, service, &hints, &res);
    if (rc != 0) {
        snprintf(eqt_host_error, sizeof eqt_host_error, "%s: %s", addr, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo* a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, backlog) == 0) break;
        snprintf(eqt_host_error, sizeof eqt_host_error, "%s:%d: %s", addr, port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

const char* eqt_host_last_error(void) {
    return eqt_host_error;
}
#endif

#endif /* EQT_HOST_H */
