/* Core tests that need no host: msgpack codec, settings, request checks, and
 * the timeout of a request to an endpoint nobody serves. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jbx_msg.h"
#include "jbx_pcm.h"
#include "jbx_test.h"

static void test_codec(void)
{
    jbx_field f[] = {{"v", JBX_F_INT, NULL, 1, 0.0},
                     {"type", JBX_F_STR, "generate", 0, 0.0},
                     {"temperature", JBX_F_DOUBLE, NULL, 0, 0.5},
                     {"preview", JBX_F_BOOL, NULL, 1, 0.0},
                     {"seed", JBX_F_INT, NULL, -7, 0.0}};
    msgpack_sbuffer buf;
    msgpack_sbuffer_init(&buf);
    CHECK(jbx_encode(f, 5, &buf) == 0);
    jbx_header h;
    CHECK(jbx_header_parse(&h, buf.data, buf.size) == 0);
    long long v = 0;
    double d = 0;
    int b = 0;
    char s[16];
    CHECK(jbx_get_int(&h, "v", &v) && v == 1);
    CHECK(jbx_get_int(&h, "seed", &v) && v == -7);
    CHECK(jbx_get_str(&h, "type", s, sizeof s) && strcmp(s, "generate") == 0);
    CHECK(jbx_get_double(&h, "temperature", &d) && d == 0.5);
    CHECK(jbx_get_double(&h, "v", &d) && d == 1.0); /* ints read as doubles */
    CHECK(jbx_get_bool(&h, "preview", &b) && b == 1);
    CHECK(!jbx_get_int(&h, "type", &v));            /* wrong type */
    CHECK(!jbx_get_int(&h, "missing", &v));
    char tiny[4];
    CHECK(jbx_get_str(&h, "type", tiny, sizeof tiny) && strcmp(tiny, "gen") == 0);
    jbx_header_destroy(&h);
    /* trailing garbage and non-maps are rejected */
    CHECK(jbx_header_parse(&h, "\x01", 1) != 0);
    jbx_header_destroy(&h);
    msgpack_sbuffer_write(&buf, "\x00", 1);
    CHECK(jbx_header_parse(&h, buf.data, buf.size) != 0);
    jbx_header_destroy(&h);
    msgpack_sbuffer_destroy(&buf);
}

static void test_params(void)
{
    char err[256];
    jbx_params p;
    jbx_params_init(&p);
    jbx_field f[JBX_MAX_FIELDS];
    CHECK(jbx_params_fields(&p, f) == 0); /* nothing set: host defaults */
    CHECK(strcmp(jbx_params_mode(&p), "primed") == 0);
    CHECK(jbx_params_set_mode(&p, "sideways", err, sizeof err) != 0);
    CHECK(jbx_params_set_mode(&p, "ancestral", err, sizeof err) == 0);
    CHECK(jbx_params_set_temperature(&p, -0.5, err, sizeof err) != 0);
    CHECK(jbx_params_set_temperature(&p, 2.5, err, sizeof err) != 0);
    CHECK(jbx_params_set_temperature(&p, 0.9, err, sizeof err) == 0);
    CHECK(jbx_params_set_levels(&p, 4, err, sizeof err) != 0);
    CHECK(jbx_params_set_levels(&p, 3, err, sizeof err) == 0);
    CHECK(jbx_params_set_hop_fraction(&p, 1.5, err, sizeof err) != 0);
    CHECK(jbx_params_set_length(&p, -1, err, sizeof err) != 0);
    CHECK(jbx_params_set_length(&p, 0, err, sizeof err) == 0 && !p.has_length);
    CHECK(jbx_params_set_length(&p, JBX_MAX_OUTPUT_SECONDS + 1, err, sizeof err) != 0);
    CHECK(jbx_params_set_model(&p, "tiny", err, sizeof err) == 0);
    CHECK(jbx_params_set_model(&p, "other", err, sizeof err) == 0);
    CHECK(jbx_params_set_artist(&p, "", err, sizeof err) == 0 && p.artist == NULL);
    static char longtext[JBX_MAX_LYRICS_CHARS + 2];
    memset(longtext, 'a', sizeof longtext - 1);
    CHECK(jbx_params_set_lyrics(&p, longtext, err, sizeof err) != 0);
    jbx_params_set_seed(&p, 42);
    jbx_params_set_preview(&p, 0);
    CHECK(jbx_params_fields(&p, f) == 6); /* mode model temperature levels seed preview */
    jbx_params_destroy(&p);
}

static void test_pcm(void)
{
    float in[3] = {1.0f, -0.5f, 0.25f}, out[3];
    unsigned char wire[13];
    jbx_pcm_to_wire(wire + 1, in, 3); /* unaligned on purpose */
    CHECK(wire[1 + 3] == 0x3f && wire[1 + 2] == 0x80); /* 1.0f little-endian */
    jbx_pcm_from_wire(out, wire + 1, 3);
    CHECK(memcmp(in, out, sizeof in) == 0);
}

static void test_requests_and_timeout(void)
{
    char err[256], ep[128];
    snprintf(ep, sizeof ep, "ipc:///tmp/jbx-ctest-nobody-%d", (int)getpid());
    jbx_client *c = jbx_client_new(ep, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    CHECK(jbx_client_new("bogus://x", err, sizeof err) == NULL && strstr(err, "bogus") != NULL);
    rec r = {0};
    jbx_callbacks cb = rec_callbacks(&r);
    float *x = test_sine(100, 44100);
    const float *planes[1] = {x};
    /* refused locally, nothing sent */
    CHECK(jbx_client_submit(c, NULL, 0, 0, 44100, err, sizeof err) < 0); /* primed needs audio */
    CHECK(jbx_client_submit(c, planes, 1, 100, 1000, err, sizeof err) < 0);
    CHECK(jbx_client_submit(c, planes, JBX_MAX_CHANNELS + 1, 100, 44100, err, sizeof err) < 0);
    CHECK(!jbx_client_busy(c));
    CHECK(jbx_client_cancel(c) == 1);

    /* nobody answers: the job fails with a timeout, on time */
    jbx_client_set_timeout(c, 1.5);
    double t0 = test_now();
    CHECK(jbx_client_submit(c, planes, 1, 100, 44100, err, sizeof err) >= 0);
    CHECK(jbx_client_busy(c));
    CHECK(WAIT_FOR(c, &cb, &r, r.n_error > 0, 5.0));
    double dt = test_now() - t0;
    CHECK(dt >= 1.4 && dt < 3.0);
    CHECK(strcmp(r.code, JBX_LOCAL_TIMEOUT) == 0);
    CHECK(strstr(r.message, "host not responding at ipc:///tmp/jbx-ctest-nobody") != NULL);
    CHECK(strcmp(r.state, "idle") == 0);
    CHECK(!jbx_client_busy(c));
    /* a ping to nobody times out too */
    rec_reset(&r);
    CHECK(jbx_client_ping(c) == 0);
    CHECK(WAIT_FOR(c, &cb, &r, r.n_error > 0, 5.0) && strcmp(r.code, JBX_LOCAL_TIMEOUT) == 0);
    CHECK(r.n_pong == 0);

    free(x);
    rec_free(&r);
    jbx_client_free(c);
}

int main(void)
{
    test_codec();
    test_params();
    test_pcm();
    test_requests_and_timeout();
    printf("%s (%d failures)\n", jbx_test_failures ? "FAIL" : "OK", jbx_test_failures);
    return jbx_test_failures ? 1 : 0;
}
