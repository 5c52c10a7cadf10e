/* Small harness for the core tests: records callbacks, waits with a deadline,
 * starts/stops a real host. */
#ifndef JBX_TEST_H
#define JBX_TEST_H

#include <stdio.h>
#include <stdlib.h>
#ifndef _WIN32
#include <sys/types.h>
#endif

#include "jbx_client.h"

#define JBX_SKIP 77 /* ctest SKIP_RETURN_CODE */

typedef struct rec {
    int n_progress, n_result, n_preview, n_error, n_pong, n_status;
    int n_lost, n_back; /* host callbacks: the connection lost (and dialled again), then back */
    double last_fraction;
    int res_final, res_channels;
    double res_sr;
    long res_frames;
    long res_start; /* where the last result goes in dst (a chain link's: in the piece) */
    int res_streamed; /* the final result held no audio: its chunks did (JBX_PLACE_NONE) */
    float *res_planes[JBX_MAX_CHANNELS]; /* copies of the last result */
    char code[64], message[1024], state[32];
    jbx_status status;
} rec;

extern int jbx_test_failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            jbx_test_failures++;                                                     \
        }                                                                            \
    } while (0)

/* Callbacks that fill r (cb.ctx = r). */
jbx_callbacks rec_callbacks(rec *r);
void rec_reset(rec *r);
void rec_free(rec *r);

double test_now(void);
void test_sleep(double s);

/* Waits up to secs for the client's fd to signal input, as Pd's poll loop does. */
void test_wait_fd(jbx_client *c, double secs);

/* Ticks c whenever its fd wakes (or every 5 ms) until cond(r) holds or secs
 * pass; returns cond(r). */
#define WAIT_FOR(c, cb, r, cond, secs)                                               \
    ({                                                                               \
        double t_end_ = test_now() + (secs);                                         \
        while (!(cond) && test_now() < t_end_) {                                     \
            jbx_client_tick((c), (cb));                                              \
            if (!(cond)) test_wait_fd((c), 0.005);                                   \
        }                                                                            \
        (cond);                                                                      \
    })

/* Endpoint of the ctest fixture host, or exits 77 (skip) when the fixture
 * reported that the host cannot run here. */
const char *fixture_endpoint(void);

#ifndef _WIN32 /* jbx_test_host.c: the POSIX tests start their hosts themselves */
/* Starts `$JBX_TEST_HOST_CMD serve --endpoint ep --model tiny` and waits until
 * it answers a ping (up to secs). Returns the pid or -1. */
pid_t host_start(const char *ep, double secs);
/* The same with extra serve arguments (extra_args: words for sh, may be NULL)
 * and, when server_key/client_key are set, a CURVE client for the pings. */
pid_t host_start_args(const char *ep, const char *extra_args, const char *server_key,
                      const char *client_key, double secs);
/* Runs `$JBX_TEST_HOST_CMD keygen folder name`; 0 on success. */
int host_keygen(const char *folder, const char *name);
/* A TCP port on 127.0.0.1 that was free a moment ago, or -1. */
int free_tcp_port(void);
void host_kill(pid_t pid, int sig);
#endif

/* A test mono signal: a 220 Hz sine. Caller frees. */
float *test_sine(long frames, double sr);

#endif
