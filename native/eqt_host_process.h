/*
 * eqt_host_process.h: the process and the libraries in it, where Java cannot reach.
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
#ifndef EQT_HOST_PROCESS_H
#define EQT_HOST_PROCESS_H

#include "eqt_host_error.h"

#ifdef __cplusplus
extern "C" {
#endif

int eqt_host_exec(const char* path, const char* argv_block, int argc, const char* env_block, int envc);

/*
 * Sets the thread count of an OpenBLAS that is already loaded under the file name `soname` (libtorch's own copy,
 * which bytedeco's Java API does not reach). Returns 0, or -1 when the library is not loaded or lacks the entry.
 */
int eqt_host_blas_threads(const char* soname, int threads);

#ifdef __cplusplus
}
#endif

#ifdef EQT_HOST_IMPLEMENTATION
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#endif

#endif /* EQT_HOST_PROCESS_H */
