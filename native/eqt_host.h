/*
 * eqt_host.h: host-process helpers that Java cannot do itself, one header per concern:
 *   eqt_host_process.h  re-executing the JVM with malloc settings; OpenBLAS's thread count
 *   eqt_host_dropout.h  dropout masks from a counter-based generator
 *   eqt_host_conv.h     the default model's correction network, fused for inference
 *   eqt_host_convgrad.h its gradients with respect to its weights, fused for training
 *   eqt_host_toeplitz.h Levinson solves for the classical anchors' least-squares FIRs
 *   eqt_host_net.h      the TCPStore's listening socket, bound to one address
 *   eqt_host_error.h    why the last call failed
 * Define EQT_HOST_IMPLEMENTATION in exactly one translation unit (the preset's JNI library does).
 */
#ifndef EQT_HOST_H
#define EQT_HOST_H

#include "eqt_host_error.h"
#include "eqt_host_process.h"
#include "eqt_host_dropout.h"
#include "eqt_host_conv.h"
#include "eqt_host_convgrad.h"
#include "eqt_host_toeplitz.h"
#include "eqt_host_net.h"

#endif /* EQT_HOST_H */
