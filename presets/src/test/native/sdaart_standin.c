/*
 * TEST-ONLY STAND-IN for the vendor runtime libsdaart.so. It is not SDAA code and drives no device: it exports the
 * few runtime symbols the shim resolves, with behaviour set by environment variables, so the tests can prove the
 * dlopen / dlsym / error-code plumbing of native/eqt_sdaa_impl.h without vendor hardware.
 *   EQT_STANDIN_DEVICES  device count reported (default 2)
 */
#include <stddef.h>
#include <stdlib.h>

static int current = 0;

static int devices(void) {
    const char* s = getenv("EQT_STANDIN_DEVICES");
    return s ? atoi(s) : 2;
}

int sdaaGetDeviceCount(int* n) { *n = devices(); return 0; }
int sdaaGetDevice(int* d) { *d = current; return 0; }
int sdaaSetDevice(int d) {
    if (d < 0 || d >= devices()) return 101; /* like cudaErrorInvalidDevice */
    current = d;
    return 0;
}
int sdaaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
    *total_bytes = (size_t) 32 << 30;
    *free_bytes = (size_t) 30 << 30;
    return 0;
}
/* Counted, so the TCCL stand-in can check that the shim synchronises around every collective. */
volatile int sdaa_standin_syncs = 0;
int sdaaDeviceSynchronize(void) { __sync_fetch_and_add(&sdaa_standin_syncs, 1); return 0; }
const char* sdaaGetErrorString(int code) { return code == 101 ? "invalid device ordinal (stand-in)" : "unknown (stand-in)"; }
