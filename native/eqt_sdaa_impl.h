/*
 * eqt_sdaa_impl.h: implementation of eqt_sdaa.h, included by it where EQT_SDAA_IMPLEMENTATION is defined (the
 * JNI source JavaCPP generates). Never parsed into Java.
 *
 * The vendor types are declared here from the public API: error codes are ints (0 = success), a stream and a
 * communicator are opaque pointers, tcclUniqueId is 128 opaque bytes passed by value. The TCCL enum values are
 * Tecorigin's own, NOT NCCL's: they are taken from the vendor's tccl.h as published in a public copy (GitHub
 * repository yl8908/swtccl, file src/tccl.h, "Copyright (c) 2023 Tecorigin", TCCL_VERSION_CODE 1200):
 *   tcclDataType_t: tcclInt8 0, tcclUint8 1, tcclInt32 2, tcclUint32 3, tcclFloat32 4, tcclFloat64 5,
 *                   tcclInt64 6, tcclUint64 7, tcclFloat16 8, tcclBF16 9
 *   tcclRedOp_t:    tcclSum 0, tcclProd 1, tcclMax 2, tcclMin 3
 *   tcclResult_t:   tcclSuccess 0, tcclUnhandledSdaaError 1, tcclSystemError 2, tcclInternalError 3,
 *                   tcclInvalidArgument 4, tcclInvalidUsage 5, tcclInProgress 6
 *   typedef struct { char internal[128]; } tcclUniqueId;   tcclResult_t tcclGetVersion(int*);
 * (An earlier version of this shim sent NCCL's ncclFloat32 = 7, which is tcclUint64 here.)
 *
 * Versions. tcclGetVersion() in Tecorigin's SDK returns major·10^8 + minor·10^6 + patch·10^4 + type·100 + type_no
 * (type 0 release, 1 rc, 2 b, 3 a): PaddlePaddle/PaddleCustomDevice, backends/sdaa/tools/version/query.cc
 * (GetTCCLVersion, GetVersionItems with TCCL_DETAILED_FORMULA {100, 100, 100, 100, 100} in query.h) decodes it so,
 * and backends/sdaa/cmake/version.cmake names TCCL 1.10.0 as the oldest its SDAA plugin supports. The public
 * swtccl header's TCCL_VERSION_CODE is 1200 (another numbering: that copy's own). Accepted without the override:
 * 1200, and releases and pre-releases of 1.x from 1.10.0 on, the line Tecorigin's own plugin is built against
 * by the names whose values are listed above. Anything else (2.x, 1.9, an unknown numbering) is refused by its
 * decoded name unless EQT_TCCL_UNCHECKED=1: its tccl.h may number the types differently.
 *
 * Streams: TCCL, like NCCL, only enqueues a collective on the stream it is given. The shim passes the default
 * stream (NULL) and synchronises the whole device before each collective (so the kernels that produced the buffer,
 * on whatever stream torch_sdaa ran them, have finished) and after it (so the div_/copy_/item that follow in Java
 * read the reduced values). One device-wide synchronisation per step costs little next to a training step and
 * does not depend on torch_sdaa's stream API, which is not public.
 *
 * The load functions and the tables they fill are guarded by one mutex: two threads probing at once (the
 * data-parallel test, a device check beside a training thread) never see a half-filled table.
 */
#ifndef EQT_SDAA_IMPL_H
#define EQT_SDAA_IMPL_H

#include "eqt_sdaa.h"

#include <dlfcn.h>
#include <pthread.h>
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

#define EQT_TCCL_FLOAT32 4     /* tcclFloat32, tccl.h (yl8908/swtccl src/tccl.h) */
#define EQT_TCCL_SUM 0         /* tcclSum, same header */
#define EQT_TCCL_LEGACY_VERSION 1200  /* TCCL_VERSION_CODE of that header */
#define EQT_TCCL_MIN_MINOR 10         /* 1.10.0: PaddleCustomDevice backends/sdaa/cmake/version.cmake */

static const char* eqt_tccl_result_names[] = {"tcclSuccess", "tcclUnhandledSdaaError", "tcclSystemError",
    "tcclInternalError", "tcclInvalidArgument", "tcclInvalidUsage", "tcclInProgress"};
static pthread_mutex_t eqt_lock = PTHREAD_MUTEX_INITIALIZER;
static int eqt_tccl_loaded_version;
static char eqt_more_dirs[4096];

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
    eqt_fn_int_intp get_version;
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
    const char* dirs[24] = {eqt_extra_dir[0] ? eqt_extra_dir : NULL};
    static char buf[4][1024];
    static char more[4096];
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
    dirs[n++] = "/opt/tecoai/lib64"; /* the vendor's default installation */
    /* Then the directories the Java side found (torch_sdaa's lib/ inside its Python package), ':'-separated. */
    snprintf(more, sizeof more, "%s", eqt_more_dirs);
    for (char* save = NULL, *d = strtok_r(more, ":", &save); d && n < 24; d = strtok_r(NULL, ":", &save)) dirs[n++] = d;
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

/* A TCCL result, named from tccl.h's tcclResult_t when the library gives no text. */
static int eqt_tccl_result(int code, const char* call) {
    if (code == 0) return EQT_SDAA_OK;
    const char* s = eqt_tccl.error_string ? eqt_tccl.error_string(code) : NULL;
    const char* name = code > 0 && code < 7 ? eqt_tccl_result_names[code] : "unknown tcclResult_t";
    return eqt_fail(EQT_SDAA_ERR_VENDOR, "%s failed with %s (%d): %s", call, name, code, s ? s : "no message");
}

void eqt_sdaa_set_more_dirs(const char* dirs) {
    pthread_mutex_lock(&eqt_lock);
    snprintf(eqt_more_dirs, sizeof eqt_more_dirs, "%s", dirs ? dirs : "");
    pthread_mutex_unlock(&eqt_lock);
}

int eqt_tccl_version(void) { return eqt_tccl_loaded_version; }

void eqt_tccl_version_name(int v, char* out, int n) {
    static const char* types[] = {"", "rc", "b", "a"};
    if (!out || n <= 0) return;
    if (v == EQT_TCCL_LEGACY_VERSION) {
        snprintf(out, (size_t) n, "%d (TCCL_VERSION_CODE of the public tccl.h)", v);
        return;
    }
    int major = v / 100000000, minor = v / 1000000 % 100, patch = v / 10000 % 100, type = v / 100 % 100, no = v % 100;
    if (v < 100000000 || type > 3) {
        snprintf(out, (size_t) n, "%d (not in Tecorigin's numbering)", v);
    } else if (type == 0) {
        snprintf(out, (size_t) n, "%d.%d.%d", major, minor, patch);
    } else {
        snprintf(out, (size_t) n, "%d.%d.%d%s%d", major, minor, patch, types[type], no);
    }
}

int eqt_tccl_version_accepted(int v) {
    if (v == EQT_TCCL_LEGACY_VERSION) return 1;
    int major = v / 100000000, minor = v / 1000000 % 100, type = v / 100 % 100;
    return v >= 100000000 && major == 1 && minor >= EQT_TCCL_MIN_MINOR && type <= 3;
}

void eqt_sdaa_set_extra_dir(const char* dir) {
    snprintf(eqt_extra_dir, sizeof eqt_extra_dir, "%s", dir ? dir : "");
}

const char* eqt_sdaa_last_error(void) { return eqt_error; }
const char* eqt_sdaa_searched(void) { return eqt_searched; }
const char* eqt_sdaa_loaded_path(int which) {
    return which >= 0 && which < 3 && eqt_handles[which] ? eqt_paths[which] : "";
}

static int eqt_load_runtime_locked(void) {
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

int eqt_sdaa_load_runtime(void) {
    pthread_mutex_lock(&eqt_lock);
    int s = eqt_load_runtime_locked();
    pthread_mutex_unlock(&eqt_lock);
    return s;
}

static int eqt_load_tccl_locked(void) {
    if (eqt_tccl.get_unique_id) return EQT_SDAA_OK;
    int s = eqt_open(EQT_SDAA_LIB_TCCL, "libtccl.so");
    if (s) return s;
    eqt_tccl.get_version = (eqt_fn_int_intp) eqt_sym(1, "tcclGetVersion", &s);
    eqt_tccl.get_unique_id = (eqt_fn_tccl_uid) eqt_sym(1, "tcclGetUniqueId", &s);
    eqt_tccl.comm_init_rank = (eqt_fn_tccl_init) eqt_sym(1, "tcclCommInitRank", &s);
    eqt_tccl.all_reduce = (eqt_fn_tccl_allreduce) eqt_sym(1, "tcclAllReduce", &s);
    eqt_tccl.broadcast = (eqt_fn_tccl_bcast) eqt_sym(1, "tcclBroadcast", &s);
    eqt_tccl.comm_destroy = (eqt_fn_tccl_destroy) eqt_sym(1, "tcclCommDestroy", &s);
    eqt_tccl.error_string = (eqt_fn_errstr) eqt_sym(1, "tcclGetErrorString", &s);
    int version = 0;
    if (!s) s = eqt_tccl_result(eqt_tccl.get_version(&version), "tcclGetVersion");
    if (!s && !eqt_tccl_version_accepted(version)) {
        const char* unchecked = getenv("EQT_TCCL_UNCHECKED");
        if (!(unchecked && strcmp(unchecked, "1") == 0)) {
            char name[96];
            eqt_tccl_version_name(version, name, sizeof name);
            s = eqt_fail(EQT_SDAA_ERR_VERSION, "%s is TCCL %s (tcclGetVersion %d); this shim accepts TCCL 1.10 to 1.99 "
                         "(the line Tecorigin's own PaddlePaddle plugin supports) and the public tccl.h's 1200, whose "
                         "values it uses (tcclFloat32 = 4, tcclSum = 0): compare them with your SDK's tccl.h, then "
                         "set EQT_TCCL_UNCHECKED=1", eqt_paths[1], name, version);
        }
    }
    if (s) {
        eqt_unload(EQT_SDAA_LIB_TCCL, &eqt_tccl, sizeof eqt_tccl);
    } else {
        eqt_tccl_loaded_version = version;
    }
    return s;
}

int eqt_sdaa_load_tccl(void) {
    pthread_mutex_lock(&eqt_lock);
    int s = eqt_load_tccl_locked();
    pthread_mutex_unlock(&eqt_lock);
    return s;
}

/* Opening torch_sdaa runs its static initialisers, which register its kernels under PrivateUse1. */
int eqt_sdaa_load_torch_sdaa(void) {
    pthread_mutex_lock(&eqt_lock);
    int s = eqt_open(EQT_SDAA_LIB_TORCH, "libtorch_sdaa.so");
    pthread_mutex_unlock(&eqt_lock);
    return s;
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
    int s = eqt_tccl_result(eqt_tccl.get_unique_id(&u), "tcclGetUniqueId");
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
    return eqt_tccl_result(eqt_tccl.comm_init_rank(comm, nranks, u, rank), "tcclCommInitRank");
}

/* The device-wide synchronisation around every collective (see the note on streams at the top). */
static int eqt_sync(const char* when) {
    if (!eqt_rt.synchronize) return eqt_fail(EQT_SDAA_ERR_NOT_LOADED, "libsdaart.so is not loaded (needed %s)", when);
    return eqt_vendor(eqt_rt.synchronize(), eqt_rt.error_string, when);
}

int eqt_tccl_all_reduce_sum_float(const void* send, void* recv, size_t count, void* comm, void* stream) {
    EQT_NEED(eqt_tccl, "libtccl.so");
    if (!comm || !send || !recv) return eqt_fail(EQT_SDAA_ERR_ARGUMENT, "tcclAllReduce: NULL communicator or buffer");
    int s = eqt_sync("sdaaDeviceSynchronize before tcclAllReduce");
    if (!s) s = eqt_tccl_result(eqt_tccl.all_reduce(send, recv, count, EQT_TCCL_FLOAT32, EQT_TCCL_SUM, comm, stream),
                                "tcclAllReduce");
    if (!s) s = eqt_sync("sdaaDeviceSynchronize after tcclAllReduce");
    return s;
}

int eqt_tccl_broadcast_float(const void* send, void* recv, size_t count, int root, void* comm, void* stream) {
    EQT_NEED(eqt_tccl, "libtccl.so");
    if (!comm || !send || !recv) return eqt_fail(EQT_SDAA_ERR_ARGUMENT, "tcclBroadcast: NULL communicator or buffer");
    int s = eqt_sync("sdaaDeviceSynchronize before tcclBroadcast");
    if (!s) s = eqt_tccl_result(eqt_tccl.broadcast(send, recv, count, EQT_TCCL_FLOAT32, root, comm, stream),
                                "tcclBroadcast");
    if (!s) s = eqt_sync("sdaaDeviceSynchronize after tcclBroadcast");
    return s;
}

int eqt_tccl_comm_destroy(void* comm) {
    EQT_NEED(eqt_tccl, "libtccl.so");
    if (!comm) return EQT_SDAA_OK; /* nothing to destroy: close() may run twice or after a failed init */
    return eqt_tccl_result(eqt_tccl.comm_destroy(comm), "tcclCommDestroy");
}

#endif /* EQT_SDAA_IMPL_H */
