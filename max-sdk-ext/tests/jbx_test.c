/* Harness implementation; see jbx_test.h. */
#define _GNU_SOURCE
#include "jbx_test.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;
int jbx_test_failures = 0;

double test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void test_sleep(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

void test_wait_fd(jbx_client *c, double secs)
{
    struct pollfd p = {jbx_client_fd(c), POLLIN, 0};
    if (p.fd < 0 || poll(&p, 1, (int)(secs * 1000.0)) < 0) test_sleep(secs);
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
    if (!res->final) {
        r->n_preview++;
        return;
    }
    r->n_result++;
    r->res_final = res->final;
    r->res_sr = res->sample_rate;
    r->res_channels = res->channels;
    r->res_frames = res->frames;
    r->res_start = res->start;
    r->res_append = res->append;
    r->res_streamed = res->streamed;
    for (int c = 0; c < JBX_MAX_CHANNELS; c++) {
        free(r->res_planes[c]);
        r->res_planes[c] = NULL;
    }
    for (int c = 0; c < res->channels && !res->streamed; c++) { /* streamed: the chunks held the audio */
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

jbx_callbacks rec_callbacks(rec *r)
{
    jbx_callbacks cb = {r, on_progress, on_result, on_error, on_state, on_pong, on_status};
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

static const char *host_cmd(void)
{
    const char *cmd = getenv("JBX_TEST_HOST_CMD");
    return cmd ? cmd : "python3 -m jukebox_host";
}

pid_t host_start(const char *ep, double secs)
{
    return host_start_args(ep, NULL, NULL, NULL, secs);
}

int host_keygen(const char *folder, const char *name)
{
    char script[1024];
    snprintf(script, sizeof script, "exec %s keygen \"$0\" \"$1\" >/dev/null", host_cmd());
    char *argv[] = {"/bin/sh", "-c", script, (char *)folder, (char *)name, NULL};
    pid_t pid;
    int st = 0;
    if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) return -1;
    if (waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only */
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

pid_t host_start_args(const char *ep, const char *extra_args, const char *server_key,
                      const char *client_key, double secs)
{
    const char *cmd = host_cmd();
    char script[2048];
    snprintf(script, sizeof script, "exec %s serve --endpoint \"$0\" --model tiny %s", cmd,
             extra_args ? extra_args : "");
    char *argv[] = {"/bin/sh", "-c", script, (char *)ep, NULL};
    pid_t pid;
    if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) return -1;
    char err[512];
    jbx_client *c = jbx_client_new(ep, err, sizeof err);
    if (c && server_key && jbx_client_set_curve(c, server_key, client_key, err, sizeof err) != 0) {
        fprintf(stderr, "host_start: %s\n", err);
        jbx_client_free(c);
        c = NULL;
    }
    if (!c) {
        host_kill(pid, SIGKILL);
        return -1;
    }
    rec r = {0};
    jbx_callbacks cb = rec_callbacks(&r);
    double end = test_now() + secs;
    int ok = 0;
    jbx_client_set_timeout(c, 2.0);
    while (!ok && test_now() < end) {
        r.n_error = 0;
        if (jbx_client_ping(c) != 0) {
            fprintf(stderr, "host_start: cannot send ping\n");
            break;
        }
        WAIT_FOR(c, &cb, &r, r.n_pong > 0 || r.n_error > 0, 5.0);
        ok = r.n_pong > 0;
        if (!ok && waitpid(pid, NULL, WNOHANG) == pid) {
            fprintf(stderr, "host_start: '%s' exited\n", cmd);
            pid = -1;
            break;
        }
    }
    jbx_client_free(c);
    rec_free(&r);
    if (!ok) {
        fprintf(stderr, "host_start: no pong from %s\n", ep);
        host_kill(pid, SIGKILL);
        return -1;
    }
    return pid;
}

void host_kill(pid_t pid, int sig)
{
    if (pid <= 0) return;
    kill(pid, sig);
    for (int i = 0; i < 200; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid) return;
        test_sleep(0.05);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

float *test_sine(long frames, double sr)
{
    float *x = malloc((size_t)frames * sizeof(float));
    if (!x) return NULL;
    for (long i = 0; i < frames; i++) x[i] = (float)(0.5 * sin(2.0 * M_PI * 220.0 * (double)i / sr));
    return x;
}
