/* The Max external's own code (max/jukebox_tilde/jukebox_tilde.c) driven through the
 * fake Max runtime against the real host: buffers in and out, attributes,
 * outlets, deferral, errors. Outlets: out0 info, out1 progress, out2 done. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fake_max.h"
#include "jbx_test.h"

static int done_or_error(void)
{
    return strstr(fake_log(), "out2 bang") || strstr(fake_log(), "out0 error");
}

static int has_pong(void) { return strstr(fake_log(), "out0 pong") != NULL; }
static int has_status(void) { return strstr(fake_log(), "out0 status device") != NULL; }
static int has_error(void) { return strstr(fake_log(), "out0 error") != NULL; }

static void fill_sine(float *x, long frames, long nch, double sr)
{
    for (long i = 0; i < frames; i++)
        for (long c = 0; c < nch; c++)
            x[i * nch + c] = (float)(0.4 * sin(2 * M_PI * (220.0 + 110.0 * (double)c) * (double)i / sr));
}

int main(void)
{
    const char *ep = fixture_endpoint();
    char args[512];
    ext_main(NULL);

    /* stereo prompt at 44.1 kHz in, mono at 48 kHz out: the host converts */
    fill_sine(fake_buffer_new("src", 66150, 2, 44100.0), 66150, 2, 44100.0);
    fake_buffer_new("dst", 10, 1, 48000.0);
    snprintf(args, sizeof args,
             "src dst @host %s @model tiny @length 2. @prompt 1. @levels 1 @seed 1", ep);
    void *x = fake_new("jukebox~", args);
    CHECK(x != NULL);
    if (!x) return 1;

    fake_send(x, "ping");
    CHECK(fake_run(10.0, has_pong));
    fake_send(x, "status");
    CHECK(fake_run(10.0, has_status));

    fake_log_clear();
    fake_send(x, "bang");
    CHECK(fake_run(120.0, done_or_error));
    CHECK(strstr(fake_log(), "out2 bang") != NULL);
    CHECK(strstr(fake_log(), "out0 state done") != NULL);
    CHECK(strstr(fake_log(), "out1 float") != NULL);
    long frames = fake_buffer_frames("dst");
    printf("dst: %ld frames, %ld channel(s)\n", frames, fake_buffer_channels("dst"));
    CHECK(labs(frames - 96000) <= 4800); /* 2 s at dst's 48 kHz */
    CHECK(fake_buffer_channels("dst") == 1);
    float *y = fake_buffer_samples("dst");
    double energy = 0;
    int finite = 1;
    for (long i = 0; y && i < frames; i++) {
        energy += (double)y[i] * y[i];
        if (!isfinite(y[i])) finite = 0;
    }
    CHECK(finite && energy > 0.0);

    /* a bang from the scheduler thread is deferred to the main thread */
    fake_log_clear();
    fake_set_main_thread(0);
    fake_send(x, "bang");
    fake_set_main_thread(1);
    CHECK(fake_deferred_count() == 1);
    CHECK(fake_run(120.0, done_or_error) && strstr(fake_log(), "out2 bang") != NULL);

    /* missing buffer: console error and info outlet, nothing sent */
    fake_log_clear();
    fake_send(x, "set nosuch dst");
    fake_send(x, "bang");
    CHECK(strstr(fake_log(), "error: buffer~ 'nosuch' not found") != NULL);
    CHECK(strstr(fake_log(), "out0 error no_buffer") != NULL);

    /* ancestral needs no source; cancel ends the job with error cancelled */
    fake_log_clear();
    fake_send(x, "set src dst");
    fake_send(x, "@mode ancestral");
    fake_send(x, "@length 60.");
    fake_send(x, "bang");
    fake_run(1.5, has_error);
    fake_send(x, "cancel");
    CHECK(fake_run(30.0, has_error));
    CHECK(strstr(fake_log(), "out0 error cancelled") != NULL);
    CHECK(strstr(fake_log(), "post: job cancelled") != NULL);
    CHECK(strstr(fake_log(), "out2 bang") == NULL);

    /* attributes live in the core: a refused value is reported when it is set and the attribute keeps its
     * value; unset (0) reads as the host's default */
    fake_log_clear();
    fake_send(x, "@levels 2");
    fake_send(x, "@levels 9");
    CHECK(strstr(fake_log(), "out0 error bad_setting") != NULL && strstr(fake_log(), "levels must be") != NULL);
    CHECK(strcmp(fake_get(x, "levels"), "2") == 0);
    fake_send(x, "@levels 0");
    CHECK(strcmp(fake_get(x, "levels"), "1") == 0);
    fake_send(x, "@mode sideways");
    CHECK(strcmp(fake_get(x, "mode"), "ancestral") == 0);
    fake_send(x, "@mode primed");
    CHECK(strcmp(fake_get(x, "mode"), "primed") == 0 && strcmp(fake_get(x, "length"), "60") == 0);

    /* a host that is not there: timeout error on the console within seconds */
    fake_log_clear();
    fake_send(x, "@host ipc:///tmp/jbx-ctest-nobody-max");
    fake_send(x, "@timeout 1.5");
    fake_send(x, "@length 2.");
    fake_send(x, "bang");
    CHECK(fake_run(6.0, has_error));
    CHECK(strstr(fake_log(), "error: host not responding at ipc:///tmp/jbx-ctest-nobody-max") != NULL);

    /* CURVE attributes: applied when both are set; a bad file is reported once */
    fake_log_clear();
    fake_send(x, "@server_key /tmp/jbx-ctest-nobody-max/server.key");
    fake_run(0.2, NULL);
    CHECK(!has_error()); /* one key alone: CURVE stays off, nothing to report */
    fake_send(x, "@client_key /tmp/jbx-ctest-nobody-max/client.key_secret");
    CHECK(fake_run(2.0, has_error));
    CHECK(strstr(fake_log(), "error: cannot read key file '/tmp/jbx-ctest-nobody-max/server.key'") != NULL);
    CHECK(strstr(fake_log(), "out0 error bad_setting") != NULL);
    fake_run(0.3, NULL);
    const char *first = strstr(fake_log(), "error: cannot read key file");
    CHECK(first && !strstr(first + 1, "error: cannot read key file")); /* console: once */

    object_free(x);
    fake_shutdown();
    printf("max runtime %s (%d failures)\n", jbx_test_failures ? "FAIL" : "OK", jbx_test_failures);
    return jbx_test_failures ? 1 : 0;
}
