/* Transport benchmark client: echo round trips through the real C core (protocol v1), one time per line.
 *   jbx_bench_echo ENDPOINT SECONDS CHANNELS RUNS   → RUNS lines of seconds on stdout
 * Run by bench/transport.py beside the Python client and the seed's file + OSC hand-off. */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jbx_client.h"

typedef struct bench_state {
    int done;
    int failed;
    long frames;
} bench_state;

static void on_result(void *ctx, const jbx_result *r) {
    bench_state *s = ctx;
    s->done = 1;
    s->frames = r->frames;
}

static void on_error(void *ctx, const char *code, const char *message) {
    bench_state *s = ctx;
    fprintf(stderr, "jbx_bench_echo: %s: %s\n", code, message);
    s->done = 1;
    s->failed = 1;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One round trip: send, then wait on the socket's fd and read until the echo is back. */
static int round_trip(jbx_client *c, const float *const *planes, int nch, long frames, bench_state *s) {
    char err[256];
    jbx_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.ctx = s;
    cb.result = on_result;
    cb.error = on_error;
    s->done = 0;
    if (jbx_client_echo(c, planes, nch, frames, 44100.0, err, sizeof err) < 0) {
        fprintf(stderr, "jbx_bench_echo: %s\n", err);
        return -1;
    }
    double deadline = now() + 30.0;
    /* Read first, then wait: ZMQ_FD is edge-triggered, so a message that came in whole while we were reading
       does not wake poll() again (it would cost the 1 ms timeout every round trip). */
    while (jbx_client_poll(c, &cb) >= 0 && !s->done) {
        struct pollfd p = {.fd = jbx_client_fd(c), .events = POLLIN, .revents = 0};
        if (poll(&p, 1, 1) < 0 || now() > deadline) break;
    }
    if (!s->done) {
        fprintf(stderr, "jbx_bench_echo: no echo within 30 s\n");
        return -1;
    }
    return s->failed || s->frames != frames ? -1 : 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s ENDPOINT SECONDS CHANNELS RUNS\n", argv[0]);
        return 2;
    }
    long frames = (long)(atof(argv[2]) * 44100.0);
    int nch = atoi(argv[3]);
    int runs = atoi(argv[4]);
    if (frames <= 0 || nch <= 0 || nch > JBX_MAX_CHANNELS || runs <= 0) {
        fprintf(stderr, "jbx_bench_echo: bad arguments\n");
        return 2;
    }
    char err[256];
    jbx_client *c = jbx_client_new(argv[1], err, sizeof err);
    if (!c) {
        fprintf(stderr, "jbx_bench_echo: %s\n", err);
        return 1;
    }
    float *samples = malloc((size_t)frames * (size_t)nch * sizeof(float));
    const float *planes[JBX_MAX_CHANNELS];
    int status = 1;
    if (!samples) {
        fprintf(stderr, "jbx_bench_echo: out of memory\n");
        goto done;
    }
    for (long i = 0; i < frames * nch; i++) samples[i] = (float)((i % 2001) - 1000) / 1000.0f;
    for (int ch = 0; ch < nch; ch++) planes[ch] = samples + (size_t)ch * (size_t)frames;
    bench_state state = {0, 0, 0};
    if (round_trip(c, planes, nch, frames, &state) != 0) goto done; /* connect + warm up */
    for (int i = 0; i < runs; i++) {
        double started = now();
        if (round_trip(c, planes, nch, frames, &state) != 0) goto done;
        printf("%.6f\n", now() - started);
    }
    status = 0;
done:
    free(samples);
    jbx_client_free(c);
    return status;
}
