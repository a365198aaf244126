/*
 * TEST-ONLY STAND-IN for libtccl.so. Not vendor code and drives no device: it implements the few TCCL entry
 * points the shim resolves as a real all-reduce / broadcast between the THREADS of one process (each test rank
 * is a thread), over host memory, so the Java side's rendezvous, unique-id exchange, bucket flattening, pointer
 * and count passing and averaging are exercised end to end without SDAA hardware. It checks what the shim must
 * get right: tccl.h's own values (tcclFloat32 = 4, tcclSum = 0, not NCCL's 7), and a device synchronisation
 * (counted by the runtime stand-in, presets/src/test/native/sdaart_standin.c) between any two collectives of a rank.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

typedef struct { char internal[128]; } tcclUniqueId;

#define MAX_RANKS 8
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int nranks_seen;
static const float* sends[MAX_RANKS];
static float* recvs[MAX_RANKS];
static int arrived, generation;

typedef struct { int rank, nranks, syncs_at_exit; } comm_t;
static comm_t comms[MAX_RANKS];

/* As Tecorigin's SDK numbers it (major·10^8 + minor·10^6 + patch·10^4 + type·100 + type_no): 1.11.0. */
int tcclGetVersion(int* v) { *v = 111000000; return 0; }

/* The runtime stand-in's synchronisation count; -1 when it is not loaded. */
static int syncs(void) {
    volatile int* n = (volatile int*) dlsym(RTLD_DEFAULT, "sdaa_standin_syncs");
    return n ? *n : -1;
}

int tcclGetUniqueId(tcclUniqueId* id) {
    memset(id, 0, sizeof *id);
    strcpy(id->internal, "eqt-standin-uid");
    return 0;
}

int tcclCommInitRank(void** comm, int nranks, tcclUniqueId id, int rank) {
    if (strcmp(id.internal, "eqt-standin-uid") != 0) return 2; /* wrong id: the exchange is broken */
    if (nranks > MAX_RANKS || rank < 0 || rank >= nranks) return 4;
    comms[rank].rank = rank;
    comms[rank].nranks = nranks;
    comms[rank].syncs_at_exit = -1;
    nranks_seen = nranks;
    *comm = &comms[rank];
    return 0;
}

/* Every rank deposits its buffers, the last to arrive combines them, everyone waits for that. */
static int collective(const void* send, void* recv, size_t count, int root, void* c) {
    comm_t* comm = (comm_t*) c;
    if (syncs() < 0 || syncs() <= comm->syncs_at_exit) return 5; /* tcclInvalidUsage: not synchronised before */
    pthread_mutex_lock(&mu);
    int gen = generation;
    sends[comm->rank] = (const float*) send;
    recvs[comm->rank] = (float*) recv;
    if (++arrived == comm->nranks) {
        float* tmp = (float*) __builtin_alloca(count * sizeof(float));
        for (size_t i = 0; i < count; i++) {
            float v = 0;
            if (root < 0) for (int r = 0; r < comm->nranks; r++) v += sends[r][i];
            else v = sends[root][i];
            tmp[i] = v;
        }
        for (int r = 0; r < comm->nranks; r++) memcpy(recvs[r], tmp, count * sizeof(float));
        arrived = 0;
        generation++;
        pthread_cond_broadcast(&cv);
    } else {
        while (gen == generation) pthread_cond_wait(&cv, &mu);
    }
    pthread_mutex_unlock(&mu);
    comm->syncs_at_exit = syncs();
    return 0;
}

int tcclAllReduce(const void* send, void* recv, size_t count, int dtype, int op, void* comm, void* stream) {
    if (dtype != 4 || op != 0) return 4; /* tcclInvalidArgument: the shim must ask for tcclFloat32, tcclSum */
    return collective(send, recv, count, -1, comm);
}

int tcclBroadcast(const void* send, void* recv, size_t count, int dtype, int root, void* comm, void* stream) {
    if (dtype != 4) return 4;
    return collective(send, recv, count, root, comm);
}

int tcclCommDestroy(void* comm) { return 0; }
const char* tcclGetErrorString(int code) { return "stand-in TCCL error"; }
