/*
 * eqt_sdaa_impl.h: implementation of eqt_sdaa.h, included by it where EQT_SDAA_IMPLEMENTATION is defined (the
 * JNI source JavaCPP generates). Never parsed into Java.
 *
 * The vendor types are declared here from the public API as their CUDA/NCCL counterparts: error codes are ints
 * (0 = success), a stream and a communicator are opaque pointers, tcclUniqueId is 128 opaque bytes passed by
 * value. The TCCL enum values for float32 and sum are assumed to be NCCL's (7 and 0); no SDAA SDK was available to
 * check them, which the README says.
 */
#ifndef EQT_SDAA_IMPL_H
#define EQT_SDAA_IMPL_H

#include "eqt_sdaa.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*eqt_fn_int_intp)(int*);
typedef int (*eqt_fn_int_int)(int);
typedef int (*eqt_fn_int_void)(void);
typedef int (*eqt_fn_meminfo)(size_t*, size_t*);
typedef const char* (*eqt_fn_errstr)(int);

typedef struct { char internal[EQT_TCCL_UNIQUE_ID_BYTES]; } eqt_tccl_unique_id;
typedef int (*eqt_fn_tccl_uid)(eqt_tccl_unique_id*);
typedef int (*eqt_fn_tccl_init)(void**, int, eqt_tccl_unique_id, int);
typedef int (*eqt_fn_tccl_allreduce)(const void*, void*, size_t, int, int, void*, void*);
typedef int (*eqt_fn_tccl_bcast)(const void*, void*, size_t, int, int, void*, void*);
typedef int (*eqt_fn_tccl_destroy)(void*);

#define EQT_TCCL_FLOAT32 7
#define EQT_TCCL_SUM 0

static __thread char eqt_error[1024];
static char eqt_searched[4096];
static char eqt_paths[3][2048];
static char eqt_extra_dir[1024];
static void* eqt_handles[3];

static struct {
    eqt_fn_int_intp get_device_count, get_device;
    eqt_fn_int_int set_device;
    eqt_fn_meminfo mem_info;
    eqt_fn_int_void synchronize;
    eqt_fn_errstr error_string;
} eqt_rt;

static struct {
    eqt_fn_tccl_uid get_unique_id;
    eqt_fn_tccl_init comm_init_rank;
    eqt_fn_tccl_allreduce all_reduce;
    eqt_fn_tccl_bcast broadcast;
    eqt_fn_tccl_destroy comm_destroy;
    eqt_fn_errstr error_string;
} eqt_tccl;

static int eqt_fail(int code, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(eqt_error, sizeof eqt_error, fmt, ap);
    va_end(ap);
    return code;
}

static void eqt_note_searched(const char* path) {
    size_t used = strlen(eqt_searched);
    snprintf(eqt_searched + used, sizeof eqt_searched - used, "%s%s", used ? "; " : "", path);
}

/* Tries each directory of the search order, then the loader's own search, for one library file name. */
static int eqt_open(int which, const char* file) {
    if (eqt_handles[which]) return EQT_SDAA_OK;
    const char* dirs[5] = {eqt_extra_dir[0] ? eqt_extra_dir : NULL, NULL, NULL, NULL, NULL};
    static char buf[4][1024];
    const char* homes[2] = {getenv("SDAA_HOME"), getenv("TECO_HOME")};
    int n = 1;
    for (int h = 0; h < 2; h++) {
        if (homes[h] && homes[h][0]) {
            snprintf(buf[2 * h], sizeof buf[0], "%s/lib64", homes[h]);
            snprintf(buf[2 * h + 1], sizeof buf[0], "%s/lib", homes[h]);
            dirs[n++] = buf[2 * h];
            dirs[n++] = buf[2 * h + 1];
        }
    }
    eqt_searched[0] = '\0';
    char path[2048];
    const char* last = "";
    for (int i = 0; i < n; i++) {
        if (!dirs[i]) continue;
        snprintf(path, sizeof path, "%s/%s", dirs[i], file);
        eqt_note_searched(path);
        void* h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
        if (h) {
            eqt_handles[which] = h;
            snprintf(eqt_paths[which], sizeof eqt_paths[0], "%s", path);
            return EQT_SDAA_OK;
        }
        last = dlerror();
    }
    snprintf(path, sizeof path, "%s (loader search: LD_LIBRARY_PATH, ld.so.cache, system dirs)", file);
    eqt_note_searched(path);
    void* h = dlopen(file, RTLD_NOW | RTLD_GLOBAL);
    if (h) {
        eqt_handles[which] = h;
        snprintf(eqt_paths[which], sizeof eqt_paths[0], "%s", file);
        return EQT_SDAA_OK;
    }
    last = dlerror();
    return eqt_fail(EQT_SDAA_ERR_NOT_FOUND, "%s not found (set SDAA_HOME or TECO_HOME, or add it to LD_LIBRARY_PATH): %s",
                    file, last ? last : "");
}

static void* eqt_sym(int which, const char* name, int* status) {
    void* p = dlsym(eqt_handles[which], name);
    if (!p && *status == EQT_SDAA_OK) {
        *status = eqt_fail(EQT_SDAA_ERR_SYMBOL, "%s has no symbol %s", eqt_paths[which], name);
    }
    return p;
}

/* Forgets a library that opened but was unusable, so a later load may find a good one. */
static void eqt_unload(int which, void* table, size_t size) {
    memset(table, 0, size);
    if (eqt_handles[which]) dlclose(eqt_handles[which]);
    eqt_handles[which] = NULL;
    eqt_paths[which][0] = '\0';
}

static int eqt_vendor(int code, eqt_fn_errstr text, const char* call) {
    if (code == 0) return EQT_SDAA_OK;
    const char* s = text ? text(code) : NULL;
    return eqt_fail(EQT_SDAA_ERR_VENDOR, "%s failed with error %d (%s)", call, code, s ? s : "no message");
}

void eqt_sdaa_set_extra_dir(const char* dir) {
    snprintf(eqt_extra_dir, sizeof eqt_extra_dir, "%s", dir ? dir : "");
}

const char* eqt_sdaa_last_error(void) { return eqt_error; }
const char* eqt_sdaa_searched(void) { return eqt_searched; }
const char* eqt_sdaa_loaded_path(int which) {
    return which >= 0 && which < 3 && eqt_handles[which] ? eqt_paths[which] : "";
}

int eqt_sdaa_load_runtime(void) {
    if (eqt_rt.get_device_count) return EQT_SDAA_OK;
    int s = eqt_open(EQT_SDAA_LIB_RUNTIME, "libsdaart.so");
    if (s) return s;
    eqt_rt.get_device_count = (eqt_fn_int_intp) eqt_sym(0, "sdaaGetDeviceCount", &s);
    eqt_rt.get_device = (eqt_fn_int_intp) eqt_sym(0, "sdaaGetDevice", &s);
    eqt_rt.set_device = (eqt_fn_int_int) eqt_sym(0, "sdaaSetDevice", &s);
    eqt_rt.mem_info = (eqt_fn_meminfo) eqt_sym(0, "sdaaMemGetInfo", &s);
    eqt_rt.synchronize = (eqt_fn_int_void) eqt_sym(0, "sdaaDeviceSynchronize", &s);
    eqt_rt.error_string = (eqt_fn_errstr) eqt_sym(0, "sdaaGetErrorString", &s);
    if (s) eqt_unload(EQT_SDAA_LIB_RUNTIME, &eqt_rt, sizeof eqt_rt);
    return s;
}

int eqt_sdaa_load_tccl(void) {
    if (eqt_tccl.get_unique_id) return EQT_SDAA_OK;
    int s = eqt_open(EQT_SDAA_LIB_TCCL, "libtccl.so");
    if (s) return s;
    eqt_tccl.get_unique_id = (eqt_fn_tccl_uid) eqt_sym(1, "tcclGetUniqueId", &s);
    eqt_tccl.comm_init_rank = (eqt_fn_tccl_init) eqt_sym(1, "tcclCommInitRank", &s);
    eqt_tccl.all_reduce = (eqt_fn_tccl_allreduce) eqt_sym(1, "tcclAllReduce", &s);
    eqt_tccl.broadcast = (eqt_fn_tccl_bcast) eqt_sym(1, "tcclBroadcast", &s);
    eqt_tccl.comm_destroy = (eqt_fn_tccl_destroy) eqt_sym(1, "tcclCommDestroy", &s);
    eqt_tccl.error_string = (eqt_fn_errstr) eqt_sym(1, "tcclGetErrorString", &s);
    if (s) eqt_unload(EQT_SDAA_LIB_TCCL, &eqt_tccl, sizeof eqt_tccl);
    return s;
}

/* Opening torch_sdaa runs its static initialisers, which register its kernels under PrivateUse1. */
int eqt_sdaa_load_torch_sdaa(void) {
    return eqt_open(EQT_SDAA_LIB_TORCH, "libtorch_sdaa.so");
}

#define EQT_NEED(table, lib) \
    if (!(table).error_string) return eqt_fail(EQT_SDAA_ERR_NOT_LOADED, "%s is not loaded", lib)

int eqt_sdaa_device_count(int* count) {
    EQT_NEED(eqt_rt, "libsdaart.so");
    if (!count) return eqt_fail(EQT_SDAA_ERR_ARGUMENT, "count is NULL");
    return eqt_vendor(eqt_rt.get_device_count(count), eqt_rt.error_string, "sdaaGetDeviceCount");
}

int eqt_sdaa_set_device(int device) {
    EQT_NEED(eqt_rt, "libsdaart.so");
    return eqt_vendor(eqt_rt.set_device(device), eqt_rt.error_string, "sdaaSetDevice");
}

int eqt_sdaa_get_device(int* device) {
    EQT_NEED(eqt_rt, "libsdaart.so");
    if (!device) return eqt_fail(EQT_SDAA_ERR_ARGUMENT, "device is NULL");
    return eqt_vendor(eqt_rt.get_device(device), eqt_rt.error_string, "sdaaGetDevice");
}

int eqt_sdaa_mem_info(size_t* free_bytes, size_t* total_bytes) {
    EQT_NEED(eqt_rt, "libsdaart.so");
    if (!free_bytes || !total_bytes) return eqt_fail(EQT_SDAA_ERR_ARGUMENT, "free_bytes/total_bytes is NULL");
    return eqt_vendor(eqt_rt.mem_info(free_bytes, total_bytes), eqt_rt.error_string, "sdaaMemGetInfo");
}

int eqt_sdaa_synchronize(void) {
    EQT_NEED(eqt_rt, "libsdaart.so");
    return eqt_vendor(eqt_rt.synchronize(), eqt_rt.error_string, "sdaaDeviceSynchronize");
}

int eqt_tccl_get_unique_id(char* id) {
    EQT_NEED(eqt_tccl, "libtccl.so");
    if (!id) return eqt_fail(EQT_SDAA_ERR_ARGUMENT, "id is NULL");
    eqt_tccl_unique_id u;
    int s = eqt_vendor(eqt_tccl.get_unique_id(&u), eqt_tccl.error_string, "tcclGetUniqueId");
    if (s == EQT_SDAA_OK) memcpy(id, u.internal, sizeof u.internal);
    return s;
}

int eqt_tccl_comm_init_rank(void** comm, int nranks, const char* id, int rank) {
    EQT_NEED(eqt_tccl, "libtccl.so");
    if (!comm || !id) return eqt_fail(EQT_SDAA_ERR_ARGUMENT, "comm or id is NULL");
    if (nranks < 1 || rank < 0 || rank >= nranks) {
        return eqt_fail(EQT_SDAA_ERR_ARGUMENT, "rank %d outside 0..%d", rank, nranks - 1);
    }
    eqt_tccl_unique_id u;
    memcpy(u.internal, id, sizeof u.internal);
    return eqt_vendor(eqt_tccl.comm_init_rank(comm, nranks, u, rank), eqt_tccl.error_string, "tcclCommInitRank");
}

int eqt_tccl_all_reduce_sum_float(const void* send, void* recv, size_t count, void* comm, void* stream) {
    EQT_NEED(eqt_tccl, "libtccl.so");
    return eqt_vendor(eqt_tccl.all_reduce(send, recv, count, EQT_TCCL_FLOAT32, EQT_TCCL_SUM, comm, stream),
                      eqt_tccl.error_string, "tcclAllReduce");
}

int eqt_tccl_broadcast_float(const void* send, void* recv, size_t count, int root, void* comm, void* stream) {
    EQT_NEED(eqt_tccl, "libtccl.so");
    return eqt_vendor(eqt_tccl.broadcast(send, recv, count, EQT_TCCL_FLOAT32, root, comm, stream),
                      eqt_tccl.error_string, "tcclBroadcast");
}

int eqt_tccl_comm_destroy(void* comm) {
    EQT_NEED(eqt_tccl, "libtccl.so");
    return eqt_vendor(eqt_tccl.comm_destroy(comm), eqt_tccl.error_string, "tcclCommDestroy");
}

#endif /* EQT_SDAA_IMPL_H */
