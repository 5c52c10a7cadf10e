/* The C core as a Windows program: built with mingw-w64 and run under wine by tests/release against a real
 * jukebox-host on loopback TCP (the host is a Linux process; the test starts, keys and kills it).
 *   wine_client.exe CASE ENDPOINT [ARG...]
 * Cases: ping | generate | cancel | killed | curve SERVER_PUBLIC CLIENT_SECRET | autostart HOST_COMMAND.
 * Prints what it saw ("pong", "result ...", "error CODE: message", "running" once a job runs) and exits 0 when
 * the case went as it should, 1 otherwise. */
#include <stdio.h>
#include <string.h>

#include "jbx_test.h"

#define SR 44100.0

static void tiny_settings(jbx_client *c, double length)
{
    char err[256];
    jbx_params *p = jbx_client_params(c);
    CHECK(jbx_params_set_text(p, JBX_S_model, "tiny", err, sizeof err) == 0);
    CHECK(jbx_params_set_number(p, JBX_S_length, length, err, sizeof err) == 0);
    CHECK(jbx_params_set_number(p, JBX_S_song_length, 90.0, err, sizeof err) == 0);
    CHECK(jbx_params_set_number(p, JBX_S_prompt, 1.0, err, sizeof err) == 0);
    CHECK(jbx_params_set_number(p, JBX_S_levels, 1, err, sizeof err) == 0);
    CHECK(jbx_params_set_number(p, JBX_S_seed, 1, err, sizeof err) == 0);
}

static long long submit_sine(jbx_client *c)
{
    char err[256];
    long frames = (long)(1.5 * SR);
    float *x = test_sine(frames, SR);
    const float *planes[1] = {x};
    long long id = x ? jbx_client_submit(c, planes, 1, frames, SR, err, sizeof err) : -1;
    if (id < 0) printf("submit failed: %s\n", x ? err : "no memory");
    free(x);
    return id;
}

static int ping(jbx_client *c, rec *r, double secs)
{
    jbx_callbacks cb = rec_callbacks(r);
    r->n_error = 0;
    if (jbx_client_ping(c) != 0) return 0;
    int ok = WAIT_FOR(c, &cb, r, r->n_pong > 0 || r->n_error > 0, secs) && r->n_pong > 0;
    if (ok) printf("pong\n");
    return ok;
}

static void wait_running(jbx_client *c, rec *r, double secs)
{
    jbx_callbacks cb = rec_callbacks(r);
    CHECK(WAIT_FOR(c, &cb, r, r->n_progress > 0 || r->n_error > 0, secs));
    CHECK(r->n_error == 0);
    printf("running\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: wine_client CASE ENDPOINT [ARG...]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0); /* the test reads it live (the 'killed' case) */
    const char *which = argv[1];
    char err[512];
    jbx_client *c = jbx_client_new(argv[2], err, sizeof err);
    if (!c) {
        printf("jbx_client_new: %s\n", err);
        return 1;
    }
    rec r = {0};
    jbx_callbacks cb = rec_callbacks(&r);
    if (strcmp(which, "ping") == 0) {
        CHECK(ping(c, &r, 20.0));
    } else if (strcmp(which, "curve") == 0 && argc == 5) {
        if (jbx_client_set_curve(c, argv[3], argv[4], err, sizeof err) != 0) {
            printf("curve: %s\n", err);
            jbx_test_failures++;
        } else {
            CHECK(ping(c, &r, 20.0));
        }
    } else if (strcmp(which, "autostart") == 0 && argc == 4) {
        jbx_client_set_autostart(c, 1);
        jbx_client_set_host_command(c, argv[3]);
        CHECK(ping(c, &r, 150.0)); /* the client starts the host through CreateProcessW, then the host loads */
    } else if (strcmp(which, "generate") == 0) {
        tiny_settings(c, 2.0);
        CHECK(submit_sine(c) >= 0);
        CHECK(WAIT_FOR(c, &cb, &r, r.n_result > 0 || r.n_error > 0, 180.0));
        printf("result %ld frames %g Hz %d channel(s) after %d progress message(s)\n", r.res_frames, r.res_sr,
               r.res_channels, r.n_progress);
        CHECK(r.n_error == 0 && r.res_channels == 1 && r.res_sr == SR);
        CHECK(labs(r.res_frames - (long)(2.0 * SR)) <= (long)(0.05 * SR));
    } else if (strcmp(which, "cancel") == 0) {
        tiny_settings(c, 60.0);
        CHECK(submit_sine(c) >= 0);
        wait_running(c, &r, 120.0);
        CHECK(jbx_client_cancel(c) == 0);
        CHECK(WAIT_FOR(c, &cb, &r, r.n_error > 0 || r.n_result > 0, 30.0));
        CHECK(strcmp(r.code, JBX_ERR_CANCELLED) == 0 && r.n_result == 0 && !jbx_client_busy(c));
        printf("error %s: %s\n", r.code, r.message);
        rec_reset(&r);
        CHECK(ping(c, &r, 10.0)); /* and the client goes on */
    } else if (strcmp(which, "killed") == 0) {
        tiny_settings(c, 60.0);
        jbx_client_set_timeout(c, 10.0);
        CHECK(submit_sine(c) >= 0);
        wait_running(c, &r, 120.0); /* now the test kills the host */
        CHECK(WAIT_FOR(c, &cb, &r, r.n_error > 0 || r.n_result > 0, 60.0));
        CHECK(r.n_error == 1 && r.n_result == 0 && !jbx_client_busy(c));
    } else {
        fprintf(stderr, "wine_client: unknown case or arguments: %s\n", which);
        jbx_test_failures++;
    }
    if (r.n_error) printf("error %s: %s\n", r.code, r.message);
    rec_free(&r);
    jbx_client_free(c);
    return jbx_test_failures ? 1 : 0;
}
