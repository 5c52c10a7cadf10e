/* Core tests that need no host: msgpack codec, settings, request checks, and
 * the timeout of a request to an endpoint nobody serves. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <zmq.h>

#include "jbx_front.h"
#include "jbx_keys.h"
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
    CHECK(jbx_params_fields(&p, NULL, f) == 0); /* nothing set: host defaults */
    CHECK(strcmp(jbx_params_mode(&p), "primed") == 0);
    CHECK(jbx_params_set_text(&p, JBX_S_mode, "sideways", err, sizeof err) != 0 && strstr(err, "primed") != NULL);
    CHECK(jbx_params_needs_audio(&p)); /* primed, unset */
    CHECK(jbx_params_set_number(&p, JBX_S_stream, 1, err, sizeof err) == 0);
    CHECK(jbx_params_fields(&p, NULL, f) == 1 && strcmp(f[0].key, "stream") == 0 && f[0].type == JBX_F_BOOL);
    CHECK(jbx_params_set_number(&p, JBX_S_stream, -1, err, sizeof err) == 0 && jbx_params_fields(&p, NULL, f) == 0);
    CHECK(jbx_params_set_number(&p, JBX_S_stream, 2, err, sizeof err) != 0); /* a switch is 0 or 1 */
    CHECK(jbx_params_set_text(&p, JBX_S_mode, "continue", err, sizeof err) == 0 && !jbx_params_needs_audio(&p));
    CHECK(jbx_params_set_text(&p, JBX_S_mode, "upsample", err, sizeof err) == 0 && jbx_params_needs_audio(&p));
    CHECK(jbx_params_set_text(&p, JBX_S_mode, "ancestral", err, sizeof err) == 0 && !jbx_params_needs_audio(&p));
    CHECK(jbx_params_set_number(&p, JBX_S_temperature, -0.5, err, sizeof err) != 0);
    CHECK(jbx_params_set_number(&p, JBX_S_temperature, 2.5, err, sizeof err) != 0);
    CHECK(jbx_params_set_number(&p, JBX_S_temperature, 0.9, err, sizeof err) == 0);
    CHECK(jbx_params_set_number(&p, JBX_S_levels, 4, err, sizeof err) != 0);
    CHECK(jbx_params_set_number(&p, JBX_S_levels, 2.5, err, sizeof err) != 0); /* whole numbers only */
    CHECK(jbx_params_set_number(&p, JBX_S_levels, 3, err, sizeof err) == 0);
    CHECK(jbx_params_set_number(&p, JBX_S_hop_fraction, 1.5, err, sizeof err) != 0);
    CHECK(jbx_params_set_number(&p, JBX_S_length, -1, err, sizeof err) != 0);
    CHECK(jbx_params_set_number(&p, JBX_S_length, 0, err, sizeof err) == 0 && !jbx_params_is_set(&p, JBX_S_length));
    CHECK(jbx_params_number(&p, JBX_S_length) == 10.0); /* unset: what the host does then */
    CHECK(jbx_params_set_number(&p, JBX_S_length, JBX_MAX_OUTPUT_SECONDS + 1, err, sizeof err) != 0);
    CHECK(jbx_params_set_number(&p, JBX_S_song_length, -1, err, sizeof err) != 0);
    CHECK(jbx_params_set_number(&p, JBX_S_song_length, 90, err, sizeof err) == 0);
    CHECK(jbx_params_set_text(&p, JBX_S_model, "tiny", err, sizeof err) == 0);
    CHECK(jbx_params_set_text(&p, JBX_S_model, "other", err, sizeof err) == 0);
    CHECK(jbx_params_set_text(&p, JBX_S_artist, "", err, sizeof err) == 0 && !jbx_params_is_set(&p, JBX_S_artist));
    CHECK(jbx_params_set_number(&p, JBX_S_artist, 3, err, sizeof err) != 0); /* wrong kind */
    static char longtext[JBX_MAX_LYRICS_CHARS + 2];
    memset(longtext, 'a', sizeof longtext - 1);
    CHECK(jbx_params_set_text(&p, JBX_S_lyrics, longtext, err, sizeof err) != 0);
    CHECK(jbx_params_set_number(&p, JBX_S_seed, 4294967296.0, err, sizeof err) != 0);
    CHECK(jbx_params_set_number(&p, JBX_S_seed, 0, err, sizeof err) == 0 && jbx_params_is_set(&p, JBX_S_seed));
    CHECK(jbx_params_set_number(&p, JBX_S_seed, 42, err, sizeof err) == 0);
    CHECK(jbx_params_set_number(&p, JBX_S_preview, 0, err, sizeof err) == 0);
    CHECK(jbx_params_set_number(&p, JBX_S_chain, 5, err, sizeof err) == 0);
    CHECK(jbx_params_set_text(&p, JBX_S_host, "tcp://h:1", err, sizeof err) == 0);
    /* the set WIRE settings in table order; chain and host stay in the client */
    CHECK(jbx_params_fields(&p, NULL, f) == 7); /* model mode song_length levels temperature seed preview */
    CHECK(strcmp(f[0].key, "model") == 0 && strcmp(f[0].s, "other") == 0);
    CHECK(strcmp(f[2].key, "song_length") == 0 && f[2].d == 90.0 && f[2].type == JBX_F_DOUBLE);
    CHECK(strcmp(f[5].key, "seed") == 0 && f[5].i == 42 && f[5].type == JBX_F_INT);
    for (int id = 0; id < JBX_N_SETTINGS; id++) CHECK(jbx_setting_id(jbx_settings[id].name) == id);
    CHECK(jbx_setting_id("nonsense") == -1);
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

static void free_frame_of_test(void *data, void *hint)
{
    (void)hint;
    free(data);
}

/* A fake host: a ROUTER bound to a private ipc endpoint, waiting at most 5 s for each request. */
typedef struct fake_host {
    void *ctx, *router;
    char ep[128];
} fake_host;

static void fake_host_start(fake_host *h, const char *name)
{
    snprintf(h->ep, sizeof h->ep, "ipc:///tmp/jbx-ctest-%s-%d", name, (int)getpid());
    h->ctx = zmq_ctx_new();
    h->router = zmq_socket(h->ctx, ZMQ_ROUTER);
    int timeout_ms = 5000;
    CHECK(zmq_setsockopt(h->router, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms) == 0);
    CHECK(zmq_bind(h->router, h->ep) == 0);
}

static void fake_host_stop(fake_host *h)
{
    zmq_close(h->router);
    zmq_ctx_term(h->ctx);
    unlink(h->ep + strlen("ipc://"));
}

/* A request's header as the fake host received it: parsed from the copy it keeps (the map points into it). */
typedef struct fake_request {
    unsigned char data[4096];
    jbx_header h;
} fake_request;

/* Receives one whole request on the fake host's ROUTER; keeps its routing id in rid and, when req is not NULL,
 * its header (jbx_header_destroy req->h after). */
static int fake_host_receive(void *router, zmq_msg_t *rid, fake_request *req)
{
    int more = 1, first = 1, rc = 0;
    size_t len = sizeof more;
    if (zmq_msg_recv(rid, router, 0) < 0) return -1;
    while (zmq_getsockopt(router, ZMQ_RCVMORE, &more, &len) == 0 && more) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, router, 0) < 0) {
            rc = -1;
        } else if (first && req) {
            size_t size = zmq_msg_size(&part);
            if (size > sizeof req->data) size = sizeof req->data; /* a cut header fails to parse */
            memcpy(req->data, zmq_msg_data(&part), size);
            if (jbx_header_parse(&req->h, req->data, size) != 0) rc = -1;
        }
        first = 0;
        zmq_msg_close(&part);
    }
    return rc;
}

/* Receives requests until a generate comes (a hello and pings may come first); its header is in req. */
static int fake_host_generate(void *router, zmq_msg_t *rid, fake_request *req)
{
    char type[32] = "";
    for (int k = 0; k < 16; k++) {
        if (fake_host_receive(router, rid, req) != 0) return -1;
        int found = jbx_get_str(&req->h, "type", type, sizeof type) && strcmp(type, JBX_TYPE_GENERATE) == 0;
        if (found) return 0;
        jbx_header_destroy(&req->h);
    }
    return -1;
}

/* Sends a header-only message (a streamed result: no PCM) to the client at rid. */
static int fake_host_send(void *router, zmq_msg_t *rid, const jbx_field *f, size_t n)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    zmq_msg_t to;
    zmq_msg_init(&to);
    int rc = jbx_encode(f, n, &sb) == 0 && zmq_msg_copy(&to, rid) == 0 && zmq_msg_send(&to, router, ZMQ_SNDMORE) >= 0 &&
                     zmq_send(router, sb.data, sb.size, 0) >= 0
                 ? 0
                 : -1;
    zmq_msg_close(&to);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

/* A streamed final result of `seconds` at 8 kHz for job id, a chain link's when overlap (s) >= 0. */
static int fake_result(void *router, zmq_msg_t *rid, long long id, long long seconds, long long overlap)
{
    jbx_field f[] = {jbx_f_int("v", JBX_PROTOCOL_VERSION), jbx_f_str("type", JBX_TYPE_RESULT), jbx_f_int("id", id),
                     jbx_f_bool("final", 1), jbx_f_int("channels", 1), jbx_f_int("frames", seconds * 8000),
                     jbx_f_int("sample_rate", 8000), jbx_f_bool("streamed", 1), jbx_f_int("overlap", overlap * 8000)};
    return fake_host_send(router, rid, f, overlap >= 0 ? 9 : 8);
}

/* chain: each link asks for new_only, its audio goes at the piece's end less its overlap, and a chain stops
 * (chain_full) before dst would pass JBX_MAX_PIECE_SECONDS. A fake host answers at once. */
static void test_chain_places_links_and_stops_at_the_bound(void)
{
    char err[256], mode[16] = "";
    fake_host host;
    fake_host_start(&host, "chain");
    void *router = host.router;
    jbx_client *c = jbx_client_new(host.ep, err, sizeof err);
    CHECK(c != NULL);
    if (!c) {
        fake_host_stop(&host);
        return;
    }
    jbx_params *p = jbx_client_params(c);
    CHECK(jbx_params_set_text(p, JBX_S_mode, "ancestral", err, sizeof err) == 0);
    CHECK(jbx_params_set_number(p, JBX_S_length, 600, err, sizeof err) == 0);
    CHECK(jbx_params_set_number(p, JBX_S_chain, 10, err, sizeof err) == 0);
    rec r = {0};
    jbx_callbacks cb = rec_callbacks(&r);
    zmq_msg_t rid;
    zmq_msg_init(&rid);
    fake_request req;
    int new_only = 0;
    long long id = jbx_client_submit(c, NULL, 0, 0, 44100, err, sizeof err);
    /* the first result: 1000 s, a plain one; the chain's first link follows it */
    CHECK(id >= 0 && fake_host_generate(router, &rid, &req) == 0 && !jbx_get_bool(&req.h, "new_only", &new_only));
    jbx_header_destroy(&req.h);
    CHECK(fake_result(router, &rid, id, 1000, -1) == 0);
    CHECK(WAIT_FOR(c, &cb, &r, r.n_result == 1, 5.0) && r.res_start == 0 && r.res_streamed);
    CHECK(fake_host_generate(router, &rid, &req) == 0);
    CHECK(jbx_get_bool(&req.h, "new_only", &new_only) && new_only && jbx_get_str(&req.h, "mode", mode, sizeof mode) &&
          strcmp(mode, "continue") == 0 && jbx_get_int(&req.h, "id", &id));
    jbx_header_destroy(&req.h);
    /* a link of 601 s re-making the piece's last second: it goes at 999 s; the piece is 1600 s */
    CHECK(fake_result(router, &rid, id, 601, 1) == 0);
    CHECK(WAIT_FOR(c, &cb, &r, r.n_result == 2, 5.0) && r.res_start == 999 * 8000 && r.res_streamed);
    CHECK(fake_host_generate(router, &rid, &req) == 0 && jbx_get_int(&req.h, "id", &id));
    jbx_header_destroy(&req.h);
    /* a link to 3600 s: another 600 would pass the bound, so the chain stops there and sends nothing */
    CHECK(fake_result(router, &rid, id, 2000, 0) == 0);
    CHECK(WAIT_FOR(c, &cb, &r, r.n_error > 0, 5.0) && strcmp(r.code, JBX_LOCAL_CHAIN_FULL) == 0);
    CHECK(r.n_result == 3 && r.res_start == 1600 * 8000 && !jbx_client_busy(c));
    int timeout_ms = 300;
    CHECK(zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms) == 0);
    CHECK(fake_host_generate(router, &rid, &req) != 0); /* no generate came */
    rec_free(&r);
    jbx_client_free(c);
    zmq_msg_close(&rid);
    fake_host_stop(&host);
}

/* Receives requests on the fake host until one of type `want` comes (others are answered as a host would:
 * pongs for pings when pong_all, nothing else). Returns its id, or -1. */
static long long fake_host_until(void *router, zmq_msg_t *rid, const char *want, int pong_all)
{
    for (int k = 0; k < 64; k++) {
        fake_request req;
        char type[32] = "";
        long long id = -1;
        if (fake_host_receive(router, rid, &req) != 0) return -1;
        (void)jbx_get_str(&req.h, "type", type, sizeof type);
        (void)jbx_get_int(&req.h, "id", &id);
        jbx_header_destroy(&req.h);
        if (strcmp(type, want) == 0) return id;
        if (pong_all && strcmp(type, JBX_TYPE_PING) == 0) {
            jbx_field f[] = {jbx_f_int("v", JBX_PROTOCOL_VERSION), jbx_f_str("type", JBX_TYPE_PONG), jbx_f_int("id", id)};
            if (fake_host_send(router, rid, f, 3) != 0) return -1;
        }
    }
    return -1;
}

/* Receives one request within wait_ms; a ping is answered with its pong, as a host answers the heartbeat.
 * Returns 1 with its type (and id when not NULL), 0 when none came. */
static int fake_host_serve_one(void *router, zmq_msg_t *rid, int wait_ms, char *type, size_t typelen, long long *id)
{
    fake_request req;
    long long got = -1;
    (void)zmq_setsockopt(router, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms);
    if (fake_host_receive(router, rid, &req) != 0) return 0;
    type[0] = '\0';
    (void)jbx_get_str(&req.h, "type", type, typelen);
    (void)jbx_get_int(&req.h, "id", &got);
    jbx_header_destroy(&req.h);
    if (strcmp(type, JBX_TYPE_PING) == 0) {
        jbx_field f[] = {jbx_f_int("v", JBX_PROTOCOL_VERSION), jbx_f_str("type", JBX_TYPE_PONG), jbx_f_int("id", got)};
        CHECK(fake_host_send(router, rid, f, 3) == 0);
    }
    if (id) *id = got;
    return 1;
}

/* A fake host of the given name and a client connected to it; NULL (and the host stopped) when it fails. */
static jbx_client *fake_host_and_client(fake_host *h, const char *name)
{
    char err[256];
    fake_host_start(h, name);
    jbx_client *c = jbx_client_new(h->ep, err, sizeof err);
    CHECK(c != NULL);
    if (!c) fake_host_stop(h);
    return c;
}

/* A PAIR socket that receives the fake host's disconnect events (zmq_socket_monitor). */
static void *watch_disconnects(fake_host *h)
{
    char addr[160];
    snprintf(addr, sizeof addr, "inproc://monitor-%p", (void *)h);
    CHECK(zmq_socket_monitor(h->router, addr, ZMQ_EVENT_DISCONNECTED) == 0);
    void *pair = zmq_socket(h->ctx, ZMQ_PAIR);
    CHECK(pair != NULL && zmq_connect(pair, addr) == 0);
    return pair;
}

/* Waits up to secs for one disconnect event (two frames: event and value, then the endpoint). */
static int wait_disconnected(void *monitor, double secs)
{
    int ms = (int)(secs * 1000.0);
    CHECK(zmq_setsockopt(monitor, ZMQ_RCVTIMEO, &ms, sizeof ms) == 0);
    unsigned char event[6];
    char endpoint[256];
    if (zmq_recv(monitor, event, sizeof event, 0) < 0) return 0;
    return zmq_recv(monitor, endpoint, sizeof endpoint, 0) >= 0;
}

/* A ROUTER forgets a closed connection only once it has read that pipe's end (on a receive): let it. */
static void let_router_forget(void *router)
{
    for (int k = 0; k < 10; k++) {
        char byte;
        (void)zmq_recv(router, &byte, 1, ZMQ_DONTWAIT); /* nothing waits: the client has not dialled again yet */
        test_sleep(0.02);
    }
}

/* After a reply over the client's message limit libzmq drops the connection and never dials again: the client
 * times out, opens a new socket with the same routing id (one "lost"), and its next ping is answered (one
 * "back"), on the same object. */
static void test_heals_after_an_oversize_reply(void)
{
    fake_host host;
    jbx_client *c = fake_host_and_client(&host, "oversize");
    if (!c) return;
    jbx_client_set_timeout(c, 1.5);
    void *monitor = watch_disconnects(&host);
    rec r = {0};
    jbx_callbacks cb = rec_callbacks(&r);
    zmq_msg_t rid, rid2;
    zmq_msg_init(&rid);
    zmq_msg_init(&rid2);
    CHECK(jbx_client_ping(c) == 0);
    long long id = fake_host_until(host.router, &rid, JBX_TYPE_PING, 0);
    CHECK(id >= 0);
    /* a pong whose frame is one byte over the limit (calloc: untouched pages cost nothing) */
    size_t big = (size_t)JBX_MAX_MESSAGE_BYTES + 1;
    void *junk = calloc(1, big);
    jbx_field f[] = {jbx_f_int("v", JBX_PROTOCOL_VERSION), jbx_f_str("type", JBX_TYPE_PONG), jbx_f_int("id", id)};
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    zmq_msg_t to, body;
    zmq_msg_init(&to);
    CHECK(junk && jbx_encode(f, 3, &sb) == 0 && zmq_msg_copy(&to, &rid) == 0);
    CHECK(zmq_msg_send(&to, host.router, ZMQ_SNDMORE) >= 0 && zmq_send(host.router, sb.data, sb.size, ZMQ_SNDMORE) >= 0);
    CHECK(zmq_msg_init_data(&body, junk, big, free_frame_of_test, NULL) == 0 && zmq_msg_send(&body, host.router, 0) >= 0);
    zmq_msg_close(&to);
    msgpack_sbuffer_destroy(&sb);
    /* The client's libzmq drops that connection by itself. Let the fake host see it go before the client dials
       again: a ROUTER takes a second connection with a connected id for an anonymous one (docs/PROTOCOL.md,
       "Identity"), a race of the fake's, not of the client's. */
    CHECK(wait_disconnected(monitor, 20.0));
    let_router_forget(host.router);
    CHECK(WAIT_FOR(c, &cb, &r, r.n_error > 0, 10.0) && strcmp(r.code, JBX_LOCAL_TIMEOUT) == 0);
    CHECK(r.n_pong == 0 && r.n_lost == 1 && r.n_back == 0);
    WAIT_FOR(c, &cb, &r, jbx_client_fd(c) >= 0, 2.0); /* hung up, it dials again after a pause, on its own */
    CHECK(jbx_client_fd(c) >= 0);
    /* the same object: its next ping goes out on a new connection, with the same routing id, and is answered
       (the fake answers every ping: the heartbeat's too, which must not count as the user's answer) */
    rec_reset(&r);
    CHECK(jbx_client_ping(c) == 0);
    int same_id = 1, received = 0;
    double deadline = test_now() + 5.0;
    while ((r.n_pong == 0 && r.n_error == 0) && test_now() < deadline) {
        char type[32];
        if (fake_host_serve_one(host.router, &rid2, 50, type, sizeof type, NULL)) {
            received++;
            same_id = same_id && zmq_msg_size(&rid2) == zmq_msg_size(&rid) &&
                      memcmp(zmq_msg_data(&rid2), zmq_msg_data(&rid), zmq_msg_size(&rid)) == 0;
        }
        jbx_client_tick(c, &cb);
    }
    CHECK(received > 0 && same_id);
    CHECK(r.n_pong == 1 && r.n_error == 0);
    CHECK(r.n_lost == 0 && r.n_back == 1); /* (counted since the reset above) */
    zmq_msg_close(&rid);
    zmq_msg_close(&rid2);
    rec_free(&r);
    jbx_client_free(c);
    zmq_close(monitor);
    fake_host_stop(&host);
}

/* A user's ping that the host never answers ends in one timeout of its own, though the host answers the
 * heartbeat's pings all along (as a host started at once in place of a killed one does). */
static void test_a_lost_ping_times_out_while_heartbeats_are_answered(void)
{
    fake_host host;
    jbx_client *c = fake_host_and_client(&host, "lostping");
    if (!c) return;
    jbx_client_set_timeout(c, 1.5);
    rec r = {0};
    jbx_callbacks cb = rec_callbacks(&r);
    zmq_msg_t rid;
    zmq_msg_init(&rid);
    CHECK(jbx_client_ping(c) == 0);
    CHECK(fake_host_until(host.router, &rid, JBX_TYPE_PING, 0) >= 0); /* the user's ping: dropped */
    double t0 = test_now(), deadline = t0 + 6.0;
    while (r.n_error == 0 && test_now() < deadline) { /* the heartbeat's pings: answered */
        char type[32];
        (void)fake_host_serve_one(host.router, &rid, 50, type, sizeof type, NULL);
        jbx_client_tick(c, &cb);
    }
    printf("a lost ping under answered heartbeats: timeout after %.2f s: %s\n", test_now() - t0, r.message);
    CHECK(r.n_error == 1 && strcmp(r.code, JBX_LOCAL_TIMEOUT) == 0 && strstr(r.message, "no answer to ping"));
    CHECK(r.n_pong == 0); /* a heartbeat's pong is not the answer to the user's ping */
    zmq_msg_close(&rid);
    rec_free(&r);
    jbx_client_free(c);
    fake_host_stop(&host);
}

/* Sets mode ancestral (no source audio) and submits: the request id, or -1. */
static long long submit_ancestral(jbx_client *c)
{
    char err[256];
    CHECK(jbx_params_set_text(jbx_client_params(c), JBX_S_mode, "ancestral", err, sizeof err) == 0);
    return jbx_client_submit(c, NULL, 0, 0, 44100, err, sizeof err);
}

/* The host refuses the client's question about its quiet job (its key was removed): the job ends with the
 * host's reason, not in silence. */
static void test_a_refused_job_question_ends_the_job(void)
{
    fake_host host;
    jbx_client *c = fake_host_and_client(&host, "refused");
    if (!c) return;
    CHECK(submit_ancestral(c) >= 0);
    rec r = {0};
    jbx_callbacks cb = rec_callbacks(&r);
    zmq_msg_t rid;
    zmq_msg_init(&rid);
    /* the client ticks in a thread of its own in Max/Pd; here the fake host waits in between */
    double deadline = test_now() + 12.0;
    long long asked = -1;
    while (asked < 0 && test_now() < deadline) {
        char type[32];
        long long id = -1;
        if (fake_host_serve_one(host.router, &rid, 50, type, sizeof type, &id) && strcmp(type, JBX_TYPE_STATUS) == 0)
            asked = id;
        jbx_client_tick(c, &cb);
    }
    CHECK(asked >= 0);
    jbx_field f[] = {jbx_f_int("v", JBX_PROTOCOL_VERSION), jbx_f_str("type", JBX_TYPE_ERROR), jbx_f_int("id", asked),
                     jbx_f_str("code", JBX_ERR_BAD_MESSAGE),
                     jbx_f_str("message", "this client's key is no longer allowed by the host")};
    CHECK(fake_host_send(host.router, &rid, f, 5) == 0);
    CHECK(WAIT_FOR(c, &cb, &r, r.n_error > 0, 5.0));
    CHECK(r.n_error == 1 && strcmp(r.code, JBX_ERR_BAD_MESSAGE) == 0 && strstr(r.message, "no longer allowed"));
    CHECK(!jbx_client_busy(c) && strcmp(r.state, "idle") == 0);
    zmq_msg_close(&rid);
    rec_free(&r);
    jbx_client_free(c);
    fake_host_stop(&host);
}

/* An error flagged duplicate refuses a request that reused a held job's id: it is said, and the job goes on to
 * its result. */
static void test_a_duplicate_refusal_leaves_the_job_running(void)
{
    fake_host host;
    jbx_client *c = fake_host_and_client(&host, "duplicate");
    if (!c) return;
    long long id = submit_ancestral(c);
    rec r = {0};
    jbx_callbacks cb = rec_callbacks(&r);
    zmq_msg_t rid;
    zmq_msg_init(&rid);
    fake_request req;
    int got = id >= 0 && fake_host_generate(host.router, &rid, &req) == 0;
    CHECK(got);
    if (got) jbx_header_destroy(&req.h);
    jbx_field f[] = {jbx_f_int("v", JBX_PROTOCOL_VERSION), jbx_f_str("type", JBX_TYPE_ERROR), jbx_f_int("id", id),
                     jbx_f_str("code", JBX_ERR_BAD_FIELD), jbx_f_str("message", "already one of your jobs"),
                     jbx_f_bool("duplicate", 1)};
    CHECK(fake_host_send(host.router, &rid, f, 6) == 0);
    CHECK(WAIT_FOR(c, &cb, &r, r.n_error > 0, 5.0) && strcmp(r.code, JBX_ERR_BAD_FIELD) == 0);
    CHECK(jbx_client_busy(c));
    CHECK(fake_result(host.router, &rid, id, 1, -1) == 0);
    CHECK(WAIT_FOR(c, &cb, &r, r.n_result == 1, 5.0) && !jbx_client_busy(c));
    zmq_msg_close(&rid);
    rec_free(&r);
    jbx_client_free(c);
    fake_host_stop(&host);
}

/* A host that lies about a result's size: frames * 4 bytes wraps around 2^64 to match a 400-byte frame. The
 * client must refuse the reply, not read past the frame. */
static void test_lying_result(void)
{
    char err[256];
    fake_host host;
    fake_host_start(&host, "liar");
    void *router = host.router;
    jbx_client *c = jbx_client_new(host.ep, err, sizeof err);
    CHECK(c != NULL);
    float x[100] = {0};
    const float *planes[1] = {x};
    long long id = c ? jbx_client_echo(c, planes, 1, 100, 44100, err, sizeof err) : -1;
    zmq_msg_t rid;
    zmq_msg_init(&rid);
    CHECK(id >= 0 && fake_host_receive(router, &rid, NULL) == 0);
    jbx_field f[] = {{"v", JBX_F_INT, NULL, JBX_PROTOCOL_VERSION, 0.0}, {"type", JBX_F_STR, "echo", 0, 0.0},
                     {"id", JBX_F_INT, NULL, id, 0.0}, {"channels", JBX_F_INT, NULL, 1, 0.0},
                     {"frames", JBX_F_INT, NULL, (1LL << 62) + 100, 0.0}};
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    CHECK(jbx_encode(f, sizeof f / sizeof f[0], &sb) == 0);
    unsigned char junk[400] = {0};
    CHECK(zmq_msg_send(&rid, router, ZMQ_SNDMORE) >= 0);
    CHECK(zmq_send(router, sb.data, sb.size, ZMQ_SNDMORE) >= 0);
    CHECK(zmq_send(router, junk, sizeof junk, 0) >= 0);
    msgpack_sbuffer_destroy(&sb);
    rec r = {0};
    jbx_callbacks cb = rec_callbacks(&r);
    if (c) {
        CHECK(WAIT_FOR(c, &cb, &r, r.n_error > 0 || r.n_result > 0, 5.0));
        CHECK(r.n_result == 0 && strcmp(r.code, JBX_LOCAL_BAD_REPLY) == 0);
        jbx_client_free(c);
    }
    rec_free(&r);
    zmq_msg_close(&rid);
    fake_host_stop(&host);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

/* ZPL certificate parsing (jbx_keys) and jbx_client_set_curve's checks. */
static void test_keys(void)
{
    char pub_z[41], sec_z[41], pub2_z[41], sec2_z[41];
    CHECK(zmq_curve_keypair(pub_z, sec_z) == 0);
    CHECK(zmq_curve_keypair(pub2_z, sec2_z) == 0);
    unsigned char pub[JBX_KEY_BYTES], sec[JBX_KEY_BYTES], k[JBX_KEY_BYTES], k2[JBX_KEY_BYTES];
    CHECK(zmq_z85_decode(pub, pub_z) && zmq_z85_decode(sec, sec_z));

    char text[1024];
    /* as pyzmq writes it, with a commented-out decoy first */
    snprintf(text, sizeof text,
             "#   ****  Generated by pyzmq  ****\n# public-key = \"%s\"\n\nmetadata\ncurve\n"
             "    public-key = \"%s\"\n    secret-key = \"%s\"\n", pub2_z, pub_z, sec_z);
    CHECK(jbx_keys_parse(text, "public-key", k) == 1 && memcmp(k, pub, sizeof k) == 0);
    CHECK(jbx_keys_parse(text, "secret-key", k) == 1 && memcmp(k, sec, sizeof k) == 0);
    CHECK(jbx_keys_parse(text, "other-key", k) == 0);
    /* single quotes, bare values, tabs, CRLF */
    snprintf(text, sizeof text, "curve\r\n\tpublic-key='%s'\r\n", pub_z);
    CHECK(jbx_keys_parse(text, "public-key", k) == 1 && memcmp(k, pub, sizeof k) == 0);
    snprintf(text, sizeof text, "curve\n public-key = %s \n", pub_z);
    CHECK(jbx_keys_parse(text, "public-key", k) == 1 && memcmp(k, pub, sizeof k) == 0);
    /* a longer name is another key */
    snprintf(text, sizeof text, "public-key-old = \"%s\"\n", pub_z);
    CHECK(jbx_keys_parse(text, "public-key", k) == 0);
    /* malformed values */
    CHECK(jbx_keys_parse("public-key = \"abc\"\n", "public-key", k) == -1);
    CHECK(jbx_keys_parse("public-key = \"0123456789012345678901234567890123456789\n", "public-key", k) == -1);
    snprintf(text, sizeof text, "public-key = \"%.39s~\"\n", pub_z); /* ~ is not Z85 */
    CHECK(jbx_keys_parse(text, "public-key", k) == -1);
    /* '#' is Z85: a bare value holding one is read whole */
    unsigned char hash_key[JBX_KEY_BYTES];
    const char *hash_z = "000000000000000000000000000000000000#000";
    CHECK(zmq_z85_decode(hash_key, hash_z) != NULL);
    snprintf(text, sizeof text, "public-key = %s\n", hash_z);
    CHECK(jbx_keys_parse(text, "public-key", k) == 1 && memcmp(k, hash_key, sizeof k) == 0);
    CHECK(jbx_keys_parse("", "public-key", k) == 0);

    /* files */
    char dir[] = "/tmp/jbx-ctest-keys-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char fpub[128], fsec[128], fbad[128], fnone[128], fmix[128], err[512];
    snprintf(fpub, sizeof fpub, "%s/a.key", dir);
    snprintf(fsec, sizeof fsec, "%s/a.key_secret", dir);
    snprintf(fbad, sizeof fbad, "%s/bad.key", dir);
    snprintf(fnone, sizeof fnone, "%s/none.key", dir);
    snprintf(fmix, sizeof fmix, "%s/mix.key_secret", dir);
    snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n", pub_z);
    write_file(fpub, text);
    snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n    secret-key = \"%s\"\n", pub_z, sec_z);
    write_file(fsec, text);
    write_file(fbad, "curve\n    public-key = \"not a key\"\n");
    write_file(fnone, "metadata\ncurve\n");
    snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n    secret-key = \"%s\"\n", pub2_z, sec_z);
    write_file(fmix, text);

    CHECK(jbx_keys_load(fpub, k, NULL, err, sizeof err) == 0 && memcmp(k, pub, sizeof k) == 0);
    memset(k, 0, sizeof k);
    CHECK(jbx_keys_load(fsec, k, k2, err, sizeof err) == 0 && memcmp(k, pub, sizeof k) == 0 &&
          memcmp(k2, sec, sizeof k2) == 0);
    CHECK(jbx_keys_load(fpub, k, k2, err, sizeof err) != 0 && strstr(err, "holds no secret-key") &&
          strstr(err, ".key_secret") && strstr(err, fpub));
    CHECK(jbx_keys_load(fbad, k, NULL, err, sizeof err) != 0 && strstr(err, "not 40 Z85"));
    CHECK(jbx_keys_load(fnone, k, NULL, err, sizeof err) != 0 && strstr(err, "holds no public-key"));
    CHECK(jbx_keys_load(fmix, k, k2, err, sizeof err) != 0 && strstr(err, "not a pair"));
    char missing[160];
    snprintf(missing, sizeof missing, "%s/missing.key", dir);
    CHECK(jbx_keys_load(missing, k, NULL, err, sizeof err) != 0 &&
          strstr(err, "cannot read key file") && strstr(err, "missing.key"));
    unsigned char w[4] = {1, 2, 3, 4};
    jbx_keys_wipe(w, sizeof w);
    CHECK(w[0] == 0 && w[3] == 0);

    /* the client: errors keep CURVE as it was; NULLs turn it off */
    jbx_client *c = jbx_client_new("ipc:///tmp/jbx-ctest-nobody-keys", err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        CHECK(jbx_client_curve(c) == 0);
        CHECK(jbx_client_set_curve(c, NULL, NULL, err, sizeof err) == 0 && !jbx_client_curve(c));
        CHECK(jbx_client_set_curve(c, fpub, NULL, err, sizeof err) != 0 && strstr(err, "both"));
        CHECK(jbx_client_set_curve(c, missing, fsec, err, sizeof err) != 0 && strstr(err, "missing.key"));
        CHECK(jbx_client_set_curve(c, fpub, fpub, err, sizeof err) != 0 && strstr(err, "no secret-key"));
        CHECK(!jbx_client_curve(c));
        CHECK(jbx_client_set_curve(c, fpub, fsec, err, sizeof err) == 0 && jbx_client_curve(c));
        CHECK(jbx_client_fd(c) >= 0); /* a new socket */
        CHECK(jbx_client_set_curve(c, fbad, fsec, err, sizeof err) != 0 && jbx_client_curve(c));
        CHECK(jbx_client_set_endpoint(c, "ipc:///tmp/jbx-ctest-nobody-keys2", err, sizeof err) == 0);
        CHECK(jbx_client_curve(c)); /* kept across endpoints */
        CHECK(jbx_client_set_curve(c, "", "", err, sizeof err) == 0 && !jbx_client_curve(c));
        CHECK(jbx_client_set_curve(c, fpub, fsec, err, sizeof err) == 0);
        jbx_client_free(c); /* with CURVE on: ASan checks the wipe-and-free path */
    }
    unlink(fpub);
    unlink(fsec);
    unlink(fbad);
    unlink(fnone);
    unlink(fmix);
    CHECK(rmdir(dir) == 0);
}

static void count_console(void *ctx, jbx_console_level level, const char *text)
{
    (void)text;
    if (level == JBX_CONSOLE_WARN) ++*(int *)ctx;
}

/* 'variations' with more atoms than buffers: only the names given are read (a front passes the first
 * JBX_MAX_N_SAMPLES atoms; ASan sees a read past them), numbers are skipped, the excess is warned of. */
static void test_variations_read_only_the_names_given(void)
{
    const jbx_front_ops ops = {.buffer_word = "array", .console = count_console};
    int warnings = 0;
    jbx_front f;
    jbx_front_init(&f, &ops, &warnings);
    const char *names[JBX_MAX_N_SAMPLES] = {NULL}; /* 16 numbers, then more atoms the front did not copy */
    names[3] = "three";
    jbx_front_set_variations(&f, JBX_MAX_N_SAMPLES, names, JBX_MAX_N_SAMPLES + 4);
    CHECK(f.n_named == 1 && strcmp(f.named[0], "three") == 0);
    CHECK(warnings == 1);
    const char *two[2] = {"a", "b"};
    jbx_front_set_variations(&f, 2, two, 2);
    CHECK(f.n_named == 2 && warnings == 1);
}

int main(void)
{
    test_codec();
    test_params();
    test_lying_result();
    test_chain_places_links_and_stops_at_the_bound();
    test_pcm();
    test_keys();
    test_requests_and_timeout();
    test_heals_after_an_oversize_reply();
    test_a_lost_ping_times_out_while_heartbeats_are_answered();
    test_a_refused_job_question_ends_the_job();
    test_a_duplicate_refusal_leaves_the_job_running();
    test_variations_read_only_the_names_given();
    printf("%s (%d failures)\n", jbx_test_failures ? "FAIL" : "OK", jbx_test_failures);
    return jbx_test_failures ? 1 : 0;
}
