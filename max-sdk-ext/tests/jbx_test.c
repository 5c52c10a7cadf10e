/* Harness implementation, portable (the Windows client under wine uses it too); the host processes the POSIX
 * tests start are in jbx_test_host.c. See jbx_test.h. */
#define _GNU_SOURCE
#define _USE_MATH_DEFINES
#include "jbx_test.h"

#include <math.h>
#include <string.h>

#include "jbx_platform.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <poll.h>
#include <time.h>
#endif

int jbx_test_failures = 0;

double test_now(void) { return jbx_now(); }

void test_sleep(double s)
{
#ifdef _WIN32
    Sleep((DWORD)(s * 1000.0));
#else
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
#endif
}

void test_wait_fd(jbx_client *c, double secs)
{
#ifdef _WIN32
    (void)c; /* ZMQ_FD is a SOCKET there: short sleeps serve a test as well */
    test_sleep(secs);
#else
    struct pollfd p = {jbx_client_fd(c), POLLIN, 0};
    if (p.fd < 0 || poll(&p, 1, (int)(secs * 1000.0)) < 0) test_sleep(secs);
#endif
}

static void on_progress(void *ctx, double f, int level, const char *stage)
{
    (void)level;
    (void)stage;
    rec *r = ctx;
    r->n_progress++;
    r->last_fraction = f;
}

static void on_result(void *ctx, const jbx_result *res)
{
    rec *r = ctx;
    if (!jbx_result_ends_job(res)) {
        r->n_preview++;
        return;
    }
    r->n_result++;
    r->res_final = 1;
    r->res_sr = res->sample_rate;
    r->res_channels = res->channels;
    r->res_frames = res->frames;
    r->res_start = res->start;
    r->res_streamed = res->place == JBX_PLACE_NONE;
    for (int c = 0; c < JBX_MAX_CHANNELS; c++) {
        free(r->res_planes[c]);
        r->res_planes[c] = NULL;
    }
    for (int c = 0; c < res->channels && res->place != JBX_PLACE_NONE; c++) { /* streamed: the chunks held the audio */
        size_t bytes = (size_t)res->frames * sizeof(float);
        r->res_planes[c] = malloc(bytes ? bytes : 1);
        if (r->res_planes[c] && bytes) memcpy(r->res_planes[c], res->planes[c], bytes);
    }
}

static void on_error(void *ctx, const char *code, const char *msg)
{
    rec *r = ctx;
    r->n_error++;
    snprintf(r->code, sizeof r->code, "%s", code);
    snprintf(r->message, sizeof r->message, "%s", msg);
    fprintf(stderr, "  [error] %s: %s\n", code, msg);
}

static void on_state(void *ctx, const char *state)
{
    rec *r = ctx;
    snprintf(r->state, sizeof r->state, "%s", state);
}

static void on_pong(void *ctx, double t)
{
    (void)t;
    ((rec *)ctx)->n_pong++;
}

static void on_status(void *ctx, const jbx_status *s)
{
    rec *r = ctx;
    r->n_status++;
    r->status = *s;
}

static void on_host(void *ctx, int up, const char *endpoint)
{
    rec *r = ctx;
    if (up)
        r->n_back++;
    else
        r->n_lost++;
    fprintf(stderr, "  [host] %s %s\n", up ? "back at" : "lost, dialling again:", endpoint);
}

jbx_callbacks rec_callbacks(rec *r)
{
    jbx_callbacks cb = {r, on_progress, on_result, on_error, on_state, on_pong, on_status, on_host};
    return cb;
}

void rec_free(rec *r)
{
    for (int c = 0; c < JBX_MAX_CHANNELS; c++) free(r->res_planes[c]);
    memset(r, 0, sizeof *r);
}

void rec_reset(rec *r) { rec_free(r); }

const char *fixture_endpoint(void)
{
    const char *ep = getenv("JBX_TEST_ENDPOINT");
    const char *status = getenv("JBX_HOST_STATUS");
    if (status) {
        char line[512] = "";
        FILE *f = fopen(status, "r");
        if (f) {
            if (!fgets(line, sizeof line, f)) line[0] = '\0';
            fclose(f);
        }
        if (strncmp(line, "ready", 5) != 0) {
            printf("SKIP: test host not available: %s\n", line[0] ? line : "(no status)");
            exit(JBX_SKIP);
        }
    }
    if (!ep) {
        printf("SKIP: JBX_TEST_ENDPOINT not set (run through ctest)\n");
        exit(JBX_SKIP);
    }
    return ep;
}

float *test_sine(long frames, double sr)
{
    float *x = malloc((size_t)frames * sizeof(float));
    if (!x) return NULL;
    for (long i = 0; i < frames; i++) x[i] = (float)(0.5 * sin(2.0 * M_PI * 220.0 * (double)i / sr));
    return x;
}
