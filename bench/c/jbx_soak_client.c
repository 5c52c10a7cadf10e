/* Soak client: the real C core, as an external drives it, for SECONDS against a host that bench/soak.py kills,
 * restarts and harasses meanwhile. One request at a time, as one [jukebox~] makes them: a ping, a status, or a
 * job (primed, ancestral, or cancelled mid-way). Every request must end in exactly one callback (its answer or
 * an error); after it ends the client is watched a while longer for a second ending.
 *   jbx_soak_client ENDPOINT SECONDS SERVER_KEY CLIENT_SECRET SEED   → one JSON line of counts on stdout */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jbx_client.h"

#define MAX_CODES 16
#define TIMEOUT_S 10.0
#define LINGER_S 0.4 /* watched after an ending, for a second one */

typedef struct code_count {
    char code[32];
    int count;
} code_count;

typedef struct tally {
    int sent, once, twice, never, refused; /* refused: not sent at all (the call returned -1, said why) */
} tally;

typedef struct soak {
    int endings;
    code_count codes[MAX_CODES];
    int lost, back;
} soak;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void count_code(soak *s, const char *code)
{
    for (int k = 0; k < MAX_CODES; k++) {
        if (s->codes[k].code[0] == '\0') snprintf(s->codes[k].code, sizeof s->codes[k].code, "%s", code);
        if (strcmp(s->codes[k].code, code) == 0) {
            s->codes[k].count++;
            return;
        }
    }
}

static void on_result(void *ctx, const jbx_result *r)
{
    soak *s = ctx;
    if (jbx_result_ends_job(r)) s->endings++;
}

static void on_error(void *ctx, const char *code, const char *message)
{
    soak *s = ctx;
    (void)message;
    s->endings++;
    count_code(s, code);
    if (strcmp(code, JBX_LOCAL_LOST) == 0) { /* when: soak.py tells a job lost with a killed host from a fault */
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        fprintf(stderr, "jbx_soak_client: lost at %.3f\n", (double)t.tv_sec + (double)t.tv_nsec * 1e-9);
    }
}

static void on_pong(void *ctx, double host_time)
{
    soak *s = ctx;
    (void)host_time;
    s->endings++;
}

static void on_status(void *ctx, const jbx_status *status)
{
    soak *s = ctx;
    (void)status;
    s->endings++;
}

static void on_host(void *ctx, int up, const char *endpoint)
{
    soak *s = ctx;
    (void)endpoint;
    if (up)
        s->back++;
    else
        s->lost++;
}

/* Ticks the client (as Max's clock and Pd's poll do) for `seconds`, or until stop says so. */
static void run_for(jbx_client *c, const jbx_callbacks *cb, double seconds, const int *stop)
{
    double end = now() + seconds;
    while (now() < end && !(stop && *stop)) {
        struct pollfd p = {.fd = jbx_client_fd(c), .events = POLLIN, .revents = 0};
        (void)poll(&p, 1, 10);
        jbx_client_tick(c, cb);
    }
}

/* One request that was sent: waits for its ending, then watches for a second one. */
static void settle(jbx_client *c, const jbx_callbacks *cb, soak *s, tally *t, int cancel_after_ms)
{
    t->sent++;
    if (cancel_after_ms > 0) {
        run_for(c, cb, cancel_after_ms / 1000.0, &s->endings);
        if (s->endings == 0) (void)jbx_client_cancel(c);
    }
    /* the client's own deadlines: its timeout, the lost-job checks (5 s + 3 s), a redial; then some margin */
    double wait = 3 * TIMEOUT_S + JBX_JOB_CHECK + JBX_JOB_LOST_GRACE + 30.0;
    int quiet = 0;
    const int *stop = &s->endings;
    run_for(c, cb, wait, stop);
    if (s->endings == 0) {
        t->never++;
        return;
    }
    run_for(c, cb, LINGER_S, &quiet);
    if (s->endings == 1)
        t->once++;
    else
        t->twice++;
}

static void print_tally(const char *name, const tally *t, int last)
{
    printf("\"%s\": {\"sent\": %d, \"once\": %d, \"twice\": %d, \"never\": %d, \"refused\": %d}%s", name, t->sent,
           t->once, t->twice, t->never, t->refused, last ? "" : ", ");
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s ENDPOINT SECONDS SERVER_KEY CLIENT_SECRET SEED\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[2]);
    srand((unsigned)atoi(argv[5]));
    char err[256];
    jbx_client *c = jbx_client_new(argv[1], err, sizeof err);
    if (!c) {
        fprintf(stderr, "jbx_soak_client: %s\n", err);
        return 1;
    }
    if (jbx_client_set_curve(c, argv[3], argv[4], err, sizeof err) != 0) {
        fprintf(stderr, "jbx_soak_client: %s\n", err);
        jbx_client_free(c);
        return 1;
    }
    jbx_client_set_timeout(c, TIMEOUT_S);
    enum { FRAMES = 22050 };
    static float tone[FRAMES];
    for (int i = 0; i < FRAMES; i++) tone[i] = (float)((i % 134) - 67) / 100.0f; /* 329 Hz saw */
    const float *planes[1] = {tone};
    jbx_params *params = jbx_client_params(c);
    if (jbx_params_set_number(params, JBX_S_length, 1.0, err, sizeof err) != 0) {
        fprintf(stderr, "jbx_soak_client: %s\n", err);
        jbx_client_free(c);
        return 1;
    }
    soak s;
    memset(&s, 0, sizeof s);
    jbx_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.ctx = &s;
    cb.result = on_result;
    cb.error = on_error;
    cb.pong = on_pong;
    cb.status = on_status;
    cb.host = on_host;
    tally jobs = {0}, pings = {0}, statuses = {0};
    double end = now() + seconds;
    while (now() < end) {
        int op = rand() % 6;
        s.endings = 0;
        if (op == 0) {
            if (jbx_client_ping(c) != 0)
                pings.refused++;
            else
                settle(c, &cb, &s, &pings, 0);
        } else if (op == 1) {
            if (jbx_client_status(c) != 0)
                statuses.refused++;
            else
                settle(c, &cb, &s, &statuses, 0);
        } else {
            int ancestral = op == 3;
            if (jbx_params_set_text(params, JBX_S_mode, ancestral ? "ancestral" : "primed", err, sizeof err) != 0) {
                fprintf(stderr, "jbx_soak_client: %s\n", err);
                break;
            }
            long long id = jbx_client_submit(c, ancestral ? NULL : planes, ancestral ? 0 : 1, FRAMES, 44100.0,
                                             err, sizeof err);
            if (id < 0) {
                jobs.refused++;
                fprintf(stderr, "jbx_soak_client: not sent: %s\n", err);
            } else {
                settle(c, &cb, &s, &jobs, op == 5 ? 100 + rand() % 600 : 0);
            }
        }
    }
    printf("{");
    print_tally("jobs", &jobs, 0);
    print_tally("pings", &pings, 0);
    print_tally("statuses", &statuses, 0);
    printf("\"host_lost\": %d, \"host_back\": %d, \"errors\": {", s.lost, s.back);
    for (int k = 0; k < MAX_CODES && s.codes[k].code[0]; k++)
        printf("%s\"%s\": %d", k ? ", " : "", s.codes[k].code, s.codes[k].count);
    printf("}}\n");
    jbx_client_free(c);
    return 0;
}
