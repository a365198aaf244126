/*
 * eqt_host_error.h: why the last eqt_host_* call failed, one message per process (the calls run at start-up or
 * from one thread at a time).
 */
#ifndef EQT_HOST_ERROR_H
#define EQT_HOST_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

const char* eqt_host_last_error(void);

#ifdef __cplusplus
}
#endif

#ifdef EQT_HOST_IMPLEMENTATION
static char eqt_host_error[256];

const char* eqt_host_last_error(void) {
    return eqt_host_error;
}
#endif

#endif /* EQT_HOST_ERROR_H */
