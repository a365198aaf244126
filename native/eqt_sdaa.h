/*
 * eqt_sdaa.h: the project's shim over the Tecorigin SDAA stack.
 *
 * The vendor libraries are found and opened at run time (dlopen), so this builds on any Linux machine without the
 * vendor SDK or its headers: the declarations the shim needs are written here from the public API (a CUDA-like
 * runtime, libsdaart; an NCCL-like collective library, libtccl; and torch_sdaa, PyTorch's out-of-tree backend).
 * Every function returns an EQT_SDAA_* code; on failure eqt_sdaa_last_error() says what went wrong in words.
 *
 * Search order for each library (the first that opens wins):
 *   1. $SDAA_HOME/lib64, $SDAA_HOME/lib
 *   2. $TECO_HOME/lib64, $TECO_HOME/lib
 *   3. /opt/tecoai/lib64 (the vendor's default installation)
 *   4. the directories given by eqt_sdaa_set_more_dirs (the Java side passes torch_sdaa's lib/ inside its Python
 *      package)
 *   5. the dynamic loader's own search (LD_LIBRARY_PATH, /etc/ld.so.cache, system directories)
 * eqt_sdaa_searched() lists what was tried, for error messages.
 *
 * This header is what JavaCPP parses into the Java API. The implementation is in eqt_sdaa_impl.h, pulled in
 * below only where EQT_SDAA_IMPLEMENTATION is defined: the preset defines it for the generated JNI source, and the
 * parser never descends into it, so only the functions above reach Java.
 */
#ifndef EQT_SDAA_H
#define EQT_SDAA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. */
#define EQT_SDAA_OK 0
#define EQT_SDAA_ERR_NOT_FOUND 1   /* a library could not be opened anywhere on the search path */
#define EQT_SDAA_ERR_SYMBOL 2      /* a library opened but lacks an entry point */
#define EQT_SDAA_ERR_VENDOR 3      /* the vendor call returned an error; the message carries its text */
#define EQT_SDAA_ERR_NOT_LOADED 4  /* called before the library was loaded */
#define EQT_SDAA_ERR_ARGUMENT 5    /* a bad argument (null pointer, negative size) */
#define EQT_SDAA_ERR_VERSION 6     /* a library version whose values this shim was not checked against */

/* Size of tcclUniqueId (opaque bytes, as ncclUniqueId's 128). */
#define EQT_TCCL_UNIQUE_ID_BYTES 128

/* Which library eqt_sdaa_loaded_path() reports. */
#define EQT_SDAA_LIB_RUNTIME 0
#define EQT_SDAA_LIB_TCCL 1
#define EQT_SDAA_LIB_TORCH 2

/* Loading. Each is idempotent: once loaded, later calls return EQT_SDAA_OK at once. */
int eqt_sdaa_load_runtime(void);
int eqt_sdaa_load_tccl(void);
int eqt_sdaa_load_torch_sdaa(void);

/* Test hook: the directory searched before everything else (NULL clears it). */
void eqt_sdaa_set_extra_dir(const char* dir);
/* Directories searched after the vendor default and before the loader's own search, ':'-separated. */
void eqt_sdaa_set_more_dirs(const char* dirs);
/* The loaded TCCL's tcclGetVersion(), 0 when it is not loaded. */
int eqt_tccl_version(void);
/* A tcclGetVersion() value in words, decoded as Tecorigin does ("1.10.0", "1.12.0rc3"); into out (n bytes). */
void eqt_tccl_version_name(int version, char* out, int n);
/* 1 when this shim accepts that TCCL version without EQT_TCCL_UNCHECKED=1 (see eqt_sdaa_impl.h), else 0. */
int eqt_tccl_version_accepted(int version);

/* The last failure, in words; "" when none. */
const char* eqt_sdaa_last_error(void);
/* Every path tried by the last load call, separated by "; ". */
const char* eqt_sdaa_searched(void);
/* The file a library was opened from, or "" when it is not loaded. */
const char* eqt_sdaa_loaded_path(int which);

/* Runtime. */
int eqt_sdaa_device_count(int* count);
int eqt_sdaa_set_device(int device);
int eqt_sdaa_get_device(int* device);
int eqt_sdaa_mem_info(size_t* free_bytes, size_t* total_bytes);
int eqt_sdaa_synchronize(void);

/* Collectives (float32 sum / broadcast). Each synchronises the device before and after itself; stream may be NULL
 * for the default one. A NULL communicator is refused; eqt_tccl_comm_destroy(NULL) does nothing. */
int eqt_tccl_get_unique_id(char* id);
int eqt_tccl_comm_init_rank(void** comm, int nranks, const char* id, int rank);
int eqt_tccl_all_reduce_sum_float(const void* send, void* recv, size_t count, void* comm, void* stream);
int eqt_tccl_broadcast_float(const void* send, void* recv, size_t count, int root, void* comm, void* stream);
int eqt_tccl_comm_destroy(void* comm);

#ifdef __cplusplus
}
#endif

#ifdef EQT_SDAA_IMPLEMENTATION
#include "eqt_sdaa_impl.h"
#endif

#endif /* EQT_SDAA_H */
