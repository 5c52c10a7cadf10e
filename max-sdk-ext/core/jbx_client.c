/* DEALER client, request/job state machine and heartbeat; see jbx_client.h. */
#define _POSIX_C_SOURCE 200809L
#include "jbx_client.h"

#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "jbx_keys.h"
#include "jbx_link_watch.h"
#include "jbx_msg.h"
#include "jbx_pcm.h"
#include "jbx_platform.h"

/* Seconds of silence before autostart spawns the host. */
#define JBX_AUTOSTART_AFTER 1.0
/* Seconds between closing a failed connection and dialling again with the same routing id: a host that has not
   yet read the old connection's end ignores a new one with its id (docs/PROTOCOL.md, "Identity"). */
#define JBX_REDIAL_PAUSE 0.25
/* Bytes of the routing id a client chooses for itself (see make_routing_id). */
#define JBX_ROUTING_ID_BYTES 16

struct jbx_client {
    void *zctx;
    void *sock;            /* NULL between a failed connection's close and the redial (see hang_up) */
    jbx_link_watch *watch; /* sock's handshakes (see jbx_link_watch.h); stopped with it */
    unsigned watch_seq;    /* numbers the watchers' inproc names */
    double redial_at;      /* when to dial again while sock is NULL (DBL_MAX: at the next request) */
    double opened_at;      /* when sock was opened: a connection younger than the timeout is not hung up */
    char *endpoint;
    jbx_params params;
    int autostart;
    char *host_command;
    double timeout;

    long long next_id;
    long long job_id;      /* -1: no job in flight */
    int job_is_echo;
    long chain_left;       /* continue jobs still to run after this one (setting chain) */
    int link_next;         /* the next submit is a chain link (new_only) */
    int job_is_link;       /* the job in flight is one: its audio goes at the piece's end, less its overlap */
    long long piece_frames; /* frames of the piece dst holds: the last result, and the links after it */
    int job_started;       /* "running" announced */
    long long ping_id;     /* -1: no user ping waiting */
    long long status_id;   /* -1: no status request waiting */
    long long hello_id;
    long long watch_id;    /* -1: no status asked about the job waiting */
    int job_missing;       /* status answers in a row that did not list the job */
    double job_news;       /* last message about the job (or its submission) */
    double watch_sent;     /* when watch_id was asked */
    double waiting_since;  /* when the oldest outstanding request was sent */
    double ping_sent;      /* when the user's ping (ping_id) was sent: its own deadline, whatever else arrives */
    double status_sent;    /* the same for status_id */
    int lost;              /* the host was lost and the socket reopened; "back" not told yet */
    double last_rx;        /* last message from the host */
    double last_ping;      /* last heartbeat ping sent */
    int host_alive;        /* heard from the host since the last timeout/bye */

    jbx_child spawn_child; /* autostart's child still to reap (0: none) */
    double spawn_time;     /* < 0: never spawned */

    char routing_id[JBX_ROUTING_ID_BYTES]; /* this client's, kept across reopened sockets (see make_routing_id) */
    int has_routing_id;

    int curve;             /* CURVE keys below are set on every socket */
    unsigned char curve_server[JBX_KEY_BYTES]; /* the host's public key */
    unsigned char curve_public[JBX_KEY_BYTES]; /* this client's pair */
    unsigned char curve_secret[JBX_KEY_BYTES];
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int pending(const jbx_client *c)
{
    return c->job_id >= 0 || c->ping_id >= 0 || c->status_id >= 0;
}

static void mark_waiting(jbx_client *c)
{
    if (!pending(c)) {
        c->waiting_since = jbx_now();
        c->last_ping = c->waiting_since;
    }
}

/* ---- socket ---- */

/* A routing id of the client's own (docs/PROTOCOL.md, "Identity"): the host knows it again after libzmq
   reconnects (a network blip, a restarted gateway), so a dropped connection loses no job. It is a secret, so
   it comes from libzmq's CURVE key generator: 16 Z85 characters of a fresh secret key (about 100 random bits,
   never a zero byte, which libzmq keeps for its own ids). A libzmq without CURVE leaves the client anonymous:
   it then learns of a lost job from the host's status instead. Made once per client: every socket the client
   reopens (see reopen) carries the same id, so the host's jobs and kept codes stay its own. */
static void make_routing_id(jbx_client *c)
{
    char public_z85[41], secret_z85[41];
    c->has_routing_id = zmq_curve_keypair(public_z85, secret_z85) == 0;
    if (c->has_routing_id) memcpy(c->routing_id, secret_z85, JBX_ROUTING_ID_BYTES);
    jbx_keys_wipe(secret_z85, sizeof secret_z85);
}

static void close_socket(jbx_client *c)
{
    jbx_link_watch_stop(c->watch); /* before its socket (see jbx_link_watch_stop) */
    if (c->sock) zmq_close(c->sock);
    c->sock = NULL;
    c->watch = NULL;
}

static int open_socket(jbx_client *c, const char *endpoint, char *err, size_t errlen)
{
    void *s = zmq_socket(c->zctx, ZMQ_DEALER);
    if (!s) {
        snprintf(err, errlen, "zmq_socket: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    int linger = 0;
    int64_t maxsize = JBX_MAX_MESSAGE_BYTES;
    if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxsize, sizeof maxsize) != 0 ||
        (c->has_routing_id && zmq_setsockopt(s, ZMQ_ROUTING_ID, c->routing_id, JBX_ROUTING_ID_BYTES) != 0)) {
        snprintf(err, errlen, "zmq_setsockopt: %s", zmq_strerror(zmq_errno()));
        zmq_close(s);
        return -1;
    }
    /* CURVE before connect: the handshake of every (re)connection uses it */
    if (c->curve &&
        (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, c->curve_server, JBX_KEY_BYTES) != 0 ||
         zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, c->curve_public, JBX_KEY_BYTES) != 0 ||
         zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, c->curve_secret, JBX_KEY_BYTES) != 0)) {
        snprintf(err, errlen, "cannot set the CURVE keys: %s", zmq_strerror(zmq_errno()));
        zmq_close(s);
        return -1;
    }
    /* watched before it connects, so no handshake goes unseen */
    jbx_link_watch *watch = jbx_link_watch_open(c->zctx, s, ++c->watch_seq);
    if (!watch) {
        snprintf(err, errlen, "cannot watch the connection: %s", zmq_strerror(zmq_errno()));
        zmq_close(s);
        return -1;
    }
    char *ep = NULL;
    if (zmq_connect(s, endpoint) != 0) {
        snprintf(err, errlen, "cannot connect to '%s': %s", endpoint, zmq_strerror(zmq_errno()));
    } else if (!(ep = dup_str(endpoint))) {
        snprintf(err, errlen, "out of memory");
    }
    if (!ep) {
        jbx_link_watch_stop(watch);
        zmq_close(s);
        return -1;
    }
    close_socket(c);
    free(c->endpoint);
    c->sock = s;
    c->watch = watch;
    c->endpoint = ep;
    c->host_alive = 0;
    c->opened_at = jbx_now();
    return 0;
}

/* The ZeroMQ guide's lazy pirate: a fresh socket to the same endpoint, with the same routing id and keys. libzmq
   does not bring every connection back by itself: after a reply over ZMQ_MAXMSGSIZE or a CURVE refusal the
   DEALER's connection stays down and every later send fails. A new socket dials again. */
static int reopen(jbx_client *c)
{
    char err[256];
    return open_socket(c, c->endpoint, err, sizeof err);
}

/* Closes a connection that stopped answering; the next tick after JBX_REDIAL_PAUSE (or the next request, a
   human's moment later) dials again. */
static void hang_up(jbx_client *c)
{
    close_socket(c);
    c->redial_at = jbx_now() + JBX_REDIAL_PAUSE;
}

/* A socket to send on: the current one, or a new one when the last was hung up. */
static int have_socket(jbx_client *c)
{
    return c->sock != NULL || reopen(c) == 0;
}

static void free_frame(void *data, void *hint)
{
    (void)hint;
    free(data);
}

/* Sends one message: header fields, then nch PCM frames of `frames` samples. */
static int send_msg(jbx_client *c, const jbx_field *f, size_t n,
                    const float *const *planes, int nch, long frames,
                    char *err, size_t errlen)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init(&buf);
    int rc = -1;
    if (jbx_encode(f, n, &buf) != 0) {
        snprintf(err, errlen, "cannot encode the header (out of memory)");
        goto done;
    }
    if (buf.size > JBX_MAX_HEADER_BYTES) {
        snprintf(err, errlen, "header is %zu bytes, more than %d", buf.size, JBX_MAX_HEADER_BYTES);
        goto done;
    }
    int more = nch > 0 ? ZMQ_SNDMORE : 0;
    /* A socket that refuses the first frame has no live connection (see reopen): one more try on a fresh socket,
       which queues the message until it connects. Nothing of the message went out before, so nothing is doubled. */
    if (!have_socket(c)) {
        snprintf(err, errlen, "cannot open a socket to %s: %s", c->endpoint, zmq_strerror(zmq_errno()));
        goto done;
    }
    if (zmq_send(c->sock, buf.data, buf.size, ZMQ_DONTWAIT | more) < 0 &&
        (reopen(c) != 0 || zmq_send(c->sock, buf.data, buf.size, ZMQ_DONTWAIT | more) < 0)) {
        snprintf(err, errlen, "cannot send to %s: %s", c->endpoint, zmq_strerror(zmq_errno()));
        goto done;
    }
    for (int ch = 0; ch < nch; ch++) {
        zmq_msg_t m;
        size_t bytes = (size_t)frames * sizeof(float);
        /* A buffer of our own that libzmq frees once sent (zmq_msg_init_data): for seconds of audio this round
           trip is about 2x faster than copying into zmq_msg_init_size's (bench/RESULTS.md, section 1b). */
        float *wire = malloc(bytes ? bytes : 1);
        if (!wire || zmq_msg_init_data(&m, wire, bytes, free_frame, NULL) != 0) {
            free(wire);
            snprintf(err, errlen, "out of memory for %zu bytes", bytes);
            goto done; /* only when malloc fails; the header already went out */
        }
        jbx_pcm_to_wire(wire, planes[ch], (size_t)frames);
        if (zmq_msg_send(&m, c->sock, ZMQ_DONTWAIT | (ch + 1 < nch ? ZMQ_SNDMORE : 0)) < 0) {
            snprintf(err, errlen, "cannot send to %s: %s", c->endpoint, zmq_strerror(zmq_errno()));
            zmq_msg_close(&m);
            goto done;
        }
    }
    rc = 0;
done:
    msgpack_sbuffer_destroy(&buf);
    return rc;
}


/* A message with only v, type, id (plus one optional int field). */
static int send_simple(jbx_client *c, const char *type, long long id,
                       const char *extra_key, long long extra, char *err, size_t errlen)
{
    jbx_field f[4] = {jbx_f_int("v", JBX_PROTOCOL_VERSION), jbx_f_str("type", type), jbx_f_int("id", id)};
    size_t n = 3;
    if (extra_key) f[n++] = jbx_f_int(extra_key, extra);
    return send_msg(c, f, n, NULL, 0, 0, err, errlen);
}

static void send_hello(jbx_client *c)
{
    char err[256];
    jbx_field f[4] = {jbx_f_int("v", JBX_PROTOCOL_VERSION), jbx_f_str("type", JBX_TYPE_HELLO),
                      jbx_f_int("id", c->next_id), jbx_f_str("client", "jukebox~ (C core)")};
    if (send_msg(c, f, 4, NULL, 0, 0, err, sizeof err) == 0) c->hello_id = c->next_id;
    c->next_id++;
}

/* ---- lifecycle ---- */

jbx_client *jbx_client_new(const char *endpoint, char *err, size_t errlen)
{
    jbx_client *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    jbx_params_init(&c->params);
    c->timeout = jbx_params_number(&c->params, JBX_S_timeout);
    c->job_id = c->ping_id = c->status_id = c->hello_id = c->watch_id = -1;
    c->spawn_time = -1.0;
    c->host_command = dup_str(jbx_params_text(&c->params, JBX_S_hostcmd));
    c->zctx = zmq_ctx_new();
    make_routing_id(c);
    if (!c->host_command || !c->zctx) {
        snprintf(err, errlen, c->zctx ? "out of memory" : "zmq_ctx_new failed");
        jbx_client_free(c);
        return NULL;
    }
    if (open_socket(c, endpoint ? endpoint : JBX_DEFAULT_ENDPOINT, err, errlen) != 0) {
        jbx_client_free(c);
        return NULL;
    }
    return c;
}

void jbx_client_free(jbx_client *c)
{
    if (!c) return;
    /* A job in flight is cancelled so the host does not work for nobody. */
    if (c->sock && c->job_id >= 0 && c->host_alive) {
        char err[256];
        int linger = 100; /* ms: enough to flush the cancel, short enough not to stall Max/Pd */
        if (send_simple(c, JBX_TYPE_CANCEL, c->next_id++, "target", c->job_id, err, sizeof err) == 0)
            (void)zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
    }
    close_socket(c);
    if (c->zctx) zmq_ctx_term(c->zctx);
    (void)jbx_spawn_reap(c->spawn_child);
    jbx_params_destroy(&c->params);
    free(c->endpoint);
    free(c->host_command);
    jbx_keys_wipe(c->curve_secret, sizeof c->curve_secret);
    jbx_keys_wipe(c, sizeof *c);
    free(c);
}

int jbx_client_set_endpoint(jbx_client *c, const char *endpoint, char *err, size_t errlen)
{
    if (!endpoint || !*endpoint) endpoint = JBX_DEFAULT_ENDPOINT;
    if (open_socket(c, endpoint, err, errlen) != 0) return -1;
    c->job_id = c->ping_id = c->status_id = c->watch_id = -1;
    return 0;
}

int jbx_client_set_curve(jbx_client *c, const char *server_public_key_file,
                         const char *client_secret_key_file, char *err, size_t errlen)
{
    int on_server = server_public_key_file && *server_public_key_file;
    int on_client = client_secret_key_file && *client_secret_key_file;
    if (!on_server && !on_client) {
        if (!c->curve) return 0;
        c->curve = 0;
        jbx_keys_wipe(c->curve_secret, sizeof c->curve_secret);
        return jbx_client_set_endpoint(c, c->endpoint, err, errlen);
    }
    if (!on_server || !on_client) {
        snprintf(err, errlen, "CURVE needs both the host's public key file and this client's "
                              "secret key file");
        return -1;
    }
    if (!zmq_has("curve")) {
        snprintf(err, errlen, "this ZeroMQ library was built without CURVE support");
        return -1;
    }
    unsigned char server[JBX_KEY_BYTES], pub[JBX_KEY_BYTES], sec[JBX_KEY_BYTES];
    int rc = -1;
    if (jbx_keys_load(server_public_key_file, server, NULL, err, errlen) == 0 &&
        jbx_keys_load(client_secret_key_file, pub, sec, err, errlen) == 0) {
        /* keep the old state if the new socket cannot be made */
        int old_curve = c->curve;
        unsigned char old[3][JBX_KEY_BYTES];
        memcpy(old[0], c->curve_server, JBX_KEY_BYTES);
        memcpy(old[1], c->curve_public, JBX_KEY_BYTES);
        memcpy(old[2], c->curve_secret, JBX_KEY_BYTES);
        c->curve = 1;
        memcpy(c->curve_server, server, JBX_KEY_BYTES);
        memcpy(c->curve_public, pub, JBX_KEY_BYTES);
        memcpy(c->curve_secret, sec, JBX_KEY_BYTES);
        /* options only apply to new connections: make a new socket */
        rc = jbx_client_set_endpoint(c, c->endpoint, err, errlen);
        if (rc != 0) {
            c->curve = old_curve;
            memcpy(c->curve_server, old[0], JBX_KEY_BYTES);
            memcpy(c->curve_public, old[1], JBX_KEY_BYTES);
            memcpy(c->curve_secret, old[2], JBX_KEY_BYTES);
        }
        jbx_keys_wipe(old, sizeof old);
    }
    jbx_keys_wipe(sec, sizeof sec);
    return rc;
}

int jbx_client_curve(const jbx_client *c) { return c->curve; }

const char *jbx_client_endpoint(const jbx_client *c) { return c->endpoint; }
jbx_params *jbx_client_params(jbx_client *c) { return &c->params; }
void jbx_client_set_autostart(jbx_client *c, int on) { c->autostart = on != 0; }
void jbx_client_set_timeout(jbx_client *c, double s) { c->timeout = s > 0.1 ? s : 0.1; }
int jbx_client_busy(const jbx_client *c) { return c->job_id >= 0; }

void jbx_client_set_host_command(jbx_client *c, const char *program)
{
    char *d = dup_str(program && *program ? program : jbx_settings[JBX_S_hostcmd].fallback);
    if (!d) return; /* keep the old command when out of memory */
    free(c->host_command);
    c->host_command = d;
}

/* What a CLIENT setting does once its value changed (jbx_settings.h); 0, or -1 with err filled in. */
static int apply_setting(jbx_client *c, int id, char *err, size_t errlen)
{
    const jbx_params *p = &c->params;
    switch (id) {
    case JBX_S_host: return jbx_client_set_endpoint(c, jbx_params_text(p, id), err, errlen);
    case JBX_S_autostart: jbx_client_set_autostart(c, jbx_params_number(p, id) != 0); return 0;
    case JBX_S_hostcmd: jbx_client_set_host_command(c, jbx_params_text(p, id)); return 0;
    case JBX_S_timeout: jbx_client_set_timeout(c, jbx_params_number(p, id)); return 0;
    case JBX_S_server_key:
    case JBX_S_client_key: { /* CURVE is on while both files are set */
        const char *server = jbx_params_text(p, JBX_S_server_key), *client = jbx_params_text(p, JBX_S_client_key);
        if (*server && *client) return jbx_client_set_curve(c, server, client, err, errlen);
        return jbx_client_set_curve(c, NULL, NULL, err, errlen);
    }
    default: return 0; /* WIRE settings act when a job is sent; chain when a result comes */
    }
}

typedef enum { SET_TEXT, SET_NUMBER, SET_UNSET } set_how;

/* Sets (text or number) or unsets a setting and applies it; what it was comes back when the new value is
 * refused. */
static int set_setting(jbx_client *c, int id, set_how how, const char *text, double number, char *err,
                       size_t errlen)
{
    if (id < 0 || id >= JBX_N_SETTINGS) {
        snprintf(err, errlen, "no such setting");
        return -1;
    }
    jbx_params *p = &c->params;
    char *old_text = p->text[id] ? dup_str(p->text[id]) : NULL;
    double old_number = p->number[id];
    unsigned char old_set = p->is_set[id];
    if (p->text[id] && !old_text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    if (how == SET_UNSET) jbx_params_unset(p, id);
    else if (how == SET_TEXT) rc = jbx_params_set_text(p, id, text, err, errlen);
    else rc = jbx_params_set_number(p, id, number, err, errlen);
    if (rc == 0 && jbx_settings[id].where == JBX_CLIENT && apply_setting(c, id, err, errlen) != 0) {
        char ignored[64];
        jbx_params_unset(p, id);
        if (old_set && old_text) (void)jbx_params_set_text(p, id, old_text, ignored, sizeof ignored);
        else if (old_set) (void)jbx_params_set_number(p, id, old_number, ignored, sizeof ignored);
        rc = -1;
    }
    free(old_text);
    return rc;
}

int jbx_client_set_text(jbx_client *c, int id, const char *text, char *err, size_t errlen)
{
    return set_setting(c, id, SET_TEXT, text, 0.0, err, errlen);
}

int jbx_client_set_number(jbx_client *c, int id, double number, char *err, size_t errlen)
{
    return set_setting(c, id, SET_NUMBER, NULL, number, err, errlen);
}

int jbx_client_unset(jbx_client *c, int id, char *err, size_t errlen)
{
    return set_setting(c, id, SET_UNSET, NULL, 0.0, err, errlen);
}

int jbx_client_fd(const jbx_client *c)
{
    zmq_fd_t fd; /* a SOCKET on Windows (64 bits there), an int elsewhere */
    size_t len = sizeof fd;
    if (!c->sock || zmq_getsockopt(c->sock, ZMQ_FD, &fd, &len) != 0) return -1; /* none while hung up */
    return (int)fd; /* Pd's poll functions and Windows' select take SOCKETs as int */
}

/* ---- requests ---- */

static int check_audio(int nch, long frames, double sr, char *err, size_t errlen)
{
    if (nch < 0 || nch > JBX_MAX_CHANNELS) {
        snprintf(err, errlen, "%d channels; at most %d", nch, JBX_MAX_CHANNELS);
        return -1;
    }
    if (nch == 0) return 0;
    if (frames <= 0) {
        snprintf(err, errlen, "no samples to send");
        return -1;
    }
    if (!(sr >= JBX_MIN_SAMPLE_RATE && sr <= JBX_MAX_SAMPLE_RATE)) {
        snprintf(err, errlen, "sample rate %g outside [%d, %d]", sr, JBX_MIN_SAMPLE_RATE,
                 JBX_MAX_SAMPLE_RATE);
        return -1;
    }
    if ((double)frames > sr * JBX_MAX_INPUT_SECONDS ||
        (double)frames * 4.0 * nch > (double)JBX_MAX_MESSAGE_BYTES - JBX_MAX_HEADER_BYTES) {
        snprintf(err, errlen, "input of %ld samples x %d channels is too large (max %d s)",
                 frames, nch, JBX_MAX_INPUT_SECONDS);
        return -1;
    }
    return 0;
}

/* Abandons the job in flight: the host is told to drop it, replies are ignored. */
static void drop_job(jbx_client *c)
{
    if (c->job_id < 0) return;
    char err[256];
    (void)send_simple(c, JBX_TYPE_CANCEL, c->next_id++, "target", c->job_id, err, sizeof err);
    c->job_id = -1;
}

static long long submit(jbx_client *c, const char *type, const float *const *ch, int nch,
                        long frames, double sr, char *err, size_t errlen)
{
    int is_echo = strcmp(type, JBX_TYPE_ECHO) == 0;
    const char *mode = jbx_params_mode(&c->params);
    if (!is_echo && !jbx_params_needs_audio(&c->params)) nch = 0;
    else if (!is_echo && nch == 0) {
        snprintf(err, errlen, "mode %s needs input audio (or set mode ancestral or continue)", mode);
        return -1;
    }
    if (check_audio(nch, frames, sr, err, errlen) != 0) return -1;

    drop_job(c);
    if (!c->host_alive) send_hello(c); /* fresh handshake after start, timeout or bye */
    mark_waiting(c);

    long long id = c->next_id++;
    jbx_field f[JBX_MAX_FIELDS + 8];
    size_t n = 0;
    f[n++] = jbx_f_int("v", JBX_PROTOCOL_VERSION);
    f[n++] = jbx_f_str("type", type);
    f[n++] = jbx_f_int("id", id);
    f[n++] = jbx_f_int("channels", nch);
    f[n++] = jbx_f_int("frames", nch > 0 ? frames : 0);
    if (nch > 0) f[n++] = jbx_f_int("sample_rate", (long long)(sr + 0.5));
    if (!is_echo) n += jbx_params_fields(&c->params, f + n);
    int link = c->link_next && !is_echo;
    c->link_next = 0;
    if (link) f[n++] = jbx_f_bool("new_only", 1); /* only what a link adds comes back; the host keeps a tail */
    if (send_msg(c, f, n, ch, nch, frames, err, errlen) != 0) return -1;
    c->job_id = id;
    c->job_is_link = link;
    c->job_is_echo = is_echo;
    c->job_started = 0;
    c->job_news = jbx_now();
    c->job_missing = 0;
    c->watch_id = -1;
    return id;
}

long long jbx_client_submit(jbx_client *c, const float *const *ch, int nch, long frames,
                            double sr, char *err, size_t errlen)
{
    c->chain_left = (long)jbx_params_number(&c->params, JBX_S_chain);
    return submit(c, JBX_TYPE_GENERATE, ch, nch, frames, sr, err, errlen);
}

long long jbx_client_echo(jbx_client *c, const float *const *ch, int nch, long frames,
                          double sr, char *err, size_t errlen)
{
    c->chain_left = 0;
    return submit(c, JBX_TYPE_ECHO, ch, nch, frames, sr, err, errlen);
}

int jbx_client_cancel(jbx_client *c)
{
    c->chain_left = 0;
    if (c->job_id < 0) return 1;
    char err[256];
    return send_simple(c, JBX_TYPE_CANCEL, c->next_id++, "target", c->job_id, err, sizeof err);
}

static int request(jbx_client *c, const char *type, long long *slot, double *sent)
{
    char err[256];
    if (!c->host_alive) send_hello(c);
    mark_waiting(c);
    long long id = c->next_id++;
    if (send_simple(c, type, id, NULL, 0, err, sizeof err) != 0) return -1;
    *slot = id;
    *sent = jbx_now();
    return 0;
}

int jbx_client_ping(jbx_client *c) { return request(c, JBX_TYPE_PING, &c->ping_id, &c->ping_sent); }
int jbx_client_status(jbx_client *c) { return request(c, JBX_TYPE_STATUS, &c->status_id, &c->status_sent); }

/* ---- replies ---- */

static void emit_error(const jbx_callbacks *cb, const char *code, const char *msg)
{
    if (cb && cb->error) cb->error(cb->ctx, code, msg);
}

static void emit_state(const jbx_callbacks *cb, const char *state)
{
    if (cb && cb->state) cb->state(cb->ctx, state);
}

/* After a final result: the next link of a chain continues it (mode continue, the other settings as they are
 * now). One job at a time, so a chain never floods the host; an error or a cancel ends it. */
static void next_link(jbx_client *c, const jbx_callbacks *cb, double sample_rate)
{
    if (c->chain_left <= 0 || c->job_id >= 0) return; /* off, or a callback started a job of its own */
    char mode[32], err[512];
    double adds = jbx_params_number(&c->params, JBX_S_length);
    if ((double)c->piece_frames + adds * sample_rate > (double)JBX_MAX_PIECE_SECONDS * sample_rate) {
        c->chain_left = 0;
        snprintf(err, sizeof err, "chain stopped: dst would pass %d s, the most a chain appends (bang with mode "
                 "continue to go on from its end in a fresh dst)", JBX_MAX_PIECE_SECONDS);
        emit_error(cb, JBX_LOCAL_CHAIN_FULL, err);
        return;
    }
    c->chain_left--;
    int mode_set = jbx_params_is_set(&c->params, JBX_S_mode); /* the setting is left as it was */
    snprintf(mode, sizeof mode, "%s", jbx_params_text(&c->params, JBX_S_mode));
    (void)jbx_params_set_text(&c->params, JBX_S_mode, "continue", err, sizeof err);
    c->link_next = 1;
    long long id = submit(c, JBX_TYPE_GENERATE, NULL, 0, 0, 0.0, err, sizeof err);
    if (mode_set) (void)jbx_params_set_text(&c->params, JBX_S_mode, mode, err, sizeof err);
    else jbx_params_unset(&c->params, JBX_S_mode);
    if (id < 0) {
        c->chain_left = 0;
        emit_error(cb, JBX_LOCAL_SEND, err);
    }
}

/* PCM frames one result may carry: every channel of every variation. */
#define JBX_MAX_RESULT_PLANES (JBX_MAX_CHANNELS * JBX_MAX_N_SAMPLES)

/* Turns the PCM frames of a result/echo/chunk into planes and calls back, once per variation. */
static void handle_result(jbx_client *c, const jbx_header *h, zmq_msg_t *parts, int nparts,
                          const jbx_callbacks *cb, int is_echo, int is_chunk)
{
    long long nch = 0, frames = 0, level = -1, nvar = 1, start = 0;
    int final = 1;
    double seconds = 0.0, srd = 0.0;
    (void)jbx_get_int(h, "channels", &nch);
    (void)jbx_get_int(h, "frames", &frames);
    if (!jbx_get_double(h, "sample_rate", &srd)) srd = 0.0;
    if (!is_echo) {
        (void)jbx_get_bool(h, "final", &final);
        (void)jbx_get_int(h, "level", &level);
        (void)jbx_get_double(h, "seconds", &seconds);
        (void)jbx_get_int(h, "variations", &nvar);
    }
    if (is_chunk) {
        final = 0; /* a chunk never ends the job: a result follows */
        (void)jbx_get_int(h, "start", &start);
    }
    int streamed = 0; /* a final result after chunks: the audio is in them, none follows */
    if (!is_echo && !is_chunk) (void)jbx_get_bool(h, "streamed", &streamed);
    long long overlap = 0; /* a chain link re-makes this much of the piece's end */
    if (!is_echo && c->job_is_link) (void)jbx_get_int(h, "overlap", &overlap);
    /* PCM frames are variation-major: nvar groups of nch. Both are small, so nch * nvar cannot
     * wrap; frames * 4 must not either: no frame can be larger than a whole message. */
    if (nch < 0 || nch > JBX_MAX_CHANNELS || nvar < 1 || nvar > JBX_MAX_N_SAMPLES ||
        (streamed ? nparts != 1 : nch * nvar != nparts - 1) || frames < 0 ||
        frames > (long long)(JBX_MAX_MESSAGE_BYTES / sizeof(float)) || start < 0 ||
        start > (long long)JBX_MAX_OUTPUT_SECONDS * JBX_MAX_SAMPLE_RATE || overlap < 0 ||
        overlap > (long long)JBX_MAX_OUTPUT_SECONDS * JBX_MAX_SAMPLE_RATE) {
        c->job_id = -1;
        emit_state(cb, "idle");
        emit_error(cb, JBX_LOCAL_BAD_REPLY, "the host sent a result whose frames do not match its header");
        return;
    }
    /* Planes point into the received frames where they can be read in place (no copy of
     * seconds of audio); copies are made only on big-endian hosts or unaligned buffers. */
    const float *planes[JBX_MAX_RESULT_PLANES] = {0};
    float *copies[JBX_MAX_RESULT_PLANES] = {0};
    int ok = 1, nplanes = streamed ? 0 : (int)(nch * nvar);
    for (int k = 0; k < nplanes && ok; k++) {
        const void *wire = zmq_msg_data(&parts[k + 1]);
        if (zmq_msg_size(&parts[k + 1]) != (size_t)frames * sizeof(float)) {
            ok = 0;
        } else if ((planes[k] = jbx_pcm_in_place(wire)) == NULL) {
            copies[k] = malloc(frames > 0 ? (size_t)frames * sizeof(float) : 1);
            if (copies[k]) jbx_pcm_from_wire(copies[k], wire, (size_t)frames);
            planes[k] = copies[k];
            ok = copies[k] != NULL;
        }
    }
    /* Where this audio goes in the piece: a link's at the piece's end, less the overlap it re-makes. */
    long long base = 0;
    if (c->job_is_link && !is_echo) base = overlap < c->piece_frames ? c->piece_frames - overlap : 0;
    if (final && !is_echo) c->piece_frames = base + frames;
    if (final) c->job_id = -1; /* before callbacks: they may submit a new job */
    if (!ok) {
        if (!final) c->job_id = -1;
        emit_state(cb, "idle");
        emit_error(cb, JBX_LOCAL_BAD_REPLY, "result frames do not match the header (or out of memory)");
    } else {
        if (final) emit_state(cb, "done");
        for (int v = 0; v < (int)nvar && cb && cb->result; v++) {
            jbx_result r = {final && v == (int)nvar - 1, srd, (int)nch, (long)frames, (int)level,
                            seconds, planes + (size_t)v * (size_t)nch, v, (int)nvar, is_chunk, (long)(base + start),
                            streamed, base > 0};
            cb->result(cb->ctx, &r);
        }
        if (final && !is_echo) next_link(c, cb, srd);
    }
    for (int k = 0; k < nplanes; k++) free(copies[k]);
}

static void handle_status(const jbx_header *h, const jbx_callbacks *cb)
{
    jbx_status s;
    memset(&s, 0, sizeof s);
    long long v = 0;
    (void)jbx_get_str(h, "device", s.device, sizeof s.device);
    s.queue = jbx_get_int(h, "queue", &v) ? (long)v : 0;
    s.running = jbx_get_int(h, "running", &v) ? (long)v : -1;
    (void)jbx_get_bool(h, "running_client", &s.running_client);
    const msgpack_object *models = jbx_header_get(h, "models");
    if (models && models->type == MSGPACK_OBJECT_ARRAY) {
        for (uint32_t k = 0; k < models->via.array.size; k++) {
            const msgpack_object *m = &models->via.array.ptr[k];
            char name[256];
            /* a list of maps per the protocol; accept plain names too */
            if (!jbx_obj_str(m->type == MSGPACK_OBJECT_MAP ? jbx_obj_get(m, "name") : m,
                             name, sizeof name))
                continue;
            size_t used = strlen(s.models);
            snprintf(s.models + used, sizeof s.models - used, "%s%s", used ? " " : "", name);
        }
    }
    if (cb && cb->status) cb->status(cb->ctx, &s);
}

/* The host's answer to "do you still have my job?" (see JBX_JOB_CHECK). */
static void job_watch_answer(jbx_client *c, const jbx_header *h, const jbx_callbacks *cb)
{
    if (c->job_id < 0) return;
    c->job_missing = jbx_list_has_int(h, "jobs", c->job_id) == 0 ? c->job_missing + 1 : 0;
    if (c->job_missing < 2) return;
    char msg[512];
    snprintf(msg, sizeof msg, "the host at %s no longer has job %lld (was it restarted?): bang again",
             c->endpoint, c->job_id);
    c->job_id = -1;
    c->job_missing = 0;
    emit_state(cb, "idle");
    emit_error(cb, JBX_LOCAL_LOST, msg);
}

static void handle_message(jbx_client *c, zmq_msg_t *parts, int nparts, const jbx_callbacks *cb)
{
    jbx_header h;
    char type[32] = "", code[64] = "", msg[1024] = "";
    long long id = -1;
    if (jbx_header_parse(&h, zmq_msg_data(&parts[0]), zmq_msg_size(&parts[0])) != 0 ||
        !jbx_get_str(&h, "type", type, sizeof type)) {
        jbx_header_destroy(&h);
        return; /* not protocol v1: ignore, as the host does for unknown keys */
    }
    (void)jbx_get_int(&h, "id", &id);
    c->last_rx = jbx_now();
    c->host_alive = 1;
    if (c->lost) {
        c->lost = 0;
        if (cb && cb->host) cb->host(cb->ctx, 1, c->endpoint);
    }

    int is_job = c->job_id >= 0 && id == c->job_id;
    if (is_job) {
        c->job_news = c->last_rx;
        c->job_missing = 0;
    }
    if (strcmp(type, JBX_TYPE_PONG) == 0) {
        if (id == c->ping_id && id >= 0) {
            double t = 0.0;
            (void)jbx_get_double(&h, "time", &t);
            c->ping_id = -1;
            if (cb && cb->pong) cb->pong(cb->ctx, t);
        }
    } else if (strcmp(type, JBX_TYPE_STATUS) == 0) {
        if (id == c->watch_id && id >= 0) {
            c->watch_id = -1;
            job_watch_answer(c, &h, cb);
        } else if (id == c->status_id && id >= 0) {
            c->status_id = -1;
            handle_status(&h, cb);
        }
    } else if (strcmp(type, JBX_TYPE_QUEUED) == 0) {
        if (is_job) emit_state(cb, "queued");
    } else if (strcmp(type, JBX_TYPE_PROGRESS) == 0) {
        if (is_job) {
            double frac = 0.0;
            long long level = 0;
            char stage[32] = "";
            (void)jbx_get_double(&h, "fraction", &frac);
            (void)jbx_get_int(&h, "level", &level);
            (void)jbx_get_str(&h, "stage", stage, sizeof stage);
            if (!c->job_started) {
                c->job_started = 1;
                emit_state(cb, "running");
            }
            if (cb && cb->progress) cb->progress(cb->ctx, frac, (int)level, stage);
        }
    } else if (strcmp(type, JBX_TYPE_RESULT) == 0 || strcmp(type, JBX_TYPE_ECHO) == 0) {
        if (is_job) handle_result(c, &h, parts, nparts, cb, strcmp(type, JBX_TYPE_ECHO) == 0, 0);
    } else if (strcmp(type, JBX_TYPE_CHUNK) == 0) {
        if (is_job) handle_result(c, &h, parts, nparts, cb, 0, 1);
    } else if (strcmp(type, JBX_TYPE_ERROR) == 0) {
        (void)jbx_get_str(&h, "code", code, sizeof code);
        (void)jbx_get_str(&h, "message", msg, sizeof msg);
        int duplicate = 0; /* a refused request that reused a held job's id: that job goes on */
        (void)jbx_get_bool(&h, "duplicate", &duplicate);
        if (duplicate) {
            emit_error(cb, code, msg);
        } else if (is_job || (id >= 0 && id == c->watch_id && c->job_id >= 0)) {
            /* the job's own error, or the host refusing the question about it (a client whose key was removed
               is refused everything): either way the job is over, and the host said why */
            c->job_id = -1;
            c->watch_id = -1;
            c->chain_left = 0; /* an error ends a chain */
            emit_state(cb, "idle");
            emit_error(cb, code, msg);
        } else if (id >= 0 && (id == c->ping_id || id == c->status_id || id == c->hello_id)) {
            if (id == c->ping_id) c->ping_id = -1;
            if (id == c->status_id) c->status_id = -1;
            emit_error(cb, code, msg);
        } /* else: about an abandoned request, nobody waits for it */
    } else if (strcmp(type, JBX_TYPE_BYE) == 0) {
        c->host_alive = 0; /* next request says hello again */
    } /* welcome, cancelled, loaded, unloaded: liveness only */
    jbx_header_destroy(&h);
}

/* Receives one multipart message into parts (at most max); extra parts are
 * drained and counted. Returns the part count, 0 when nothing waits, -1 on error. */
static int recv_parts(void *sock, zmq_msg_t *parts, int max)
{
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t tmp;
        zmq_msg_t *m = n < max ? &parts[n] : &tmp;
        if (zmq_msg_init(m) != 0) return -1;
        if (zmq_msg_recv(m, sock, ZMQ_DONTWAIT) < 0) {
            int e = zmq_errno();
            zmq_msg_close(m);
            for (int k = 0; k < n && k < max; k++) zmq_msg_close(&parts[k]);
            return (e == EAGAIN && n == 0) ? 0 : -1;
        }
        more = zmq_msg_more(m);
        if (m == &tmp) zmq_msg_close(&tmp);
        n++;
    }
    return n;
}

int jbx_client_poll(jbx_client *c, const jbx_callbacks *cb)
{
    int handled = 0;
    while (c->sock) {
        int events = 0;
        size_t len = sizeof events;
        if (zmq_getsockopt(c->sock, ZMQ_EVENTS, &events, &len) != 0) return -1;
        if (!(events & ZMQ_POLLIN)) break; /* ZMQ_FD is edge-triggered: drain fully */
        zmq_msg_t parts[JBX_MAX_RESULT_PLANES + 1];
        int n = recv_parts(c->sock, parts, JBX_MAX_RESULT_PLANES + 1);
        if (n < 0) return -1;
        if (n == 0) break;
        int kept = n < JBX_MAX_RESULT_PLANES + 1 ? n : JBX_MAX_RESULT_PLANES + 1;
        void *sock = c->sock;
        handle_message(c, parts, n, cb);
        for (int k = 0; k < kept; k++) zmq_msg_close(&parts[k]);
        handled++;
        if (c->sock != sock) break; /* a callback switched endpoints */
    }
    return handled;
}

/* ---- heartbeat, timeouts, autostart ---- */

/* Ends everything waiting for the host (the job, a chain's rest, a ping or status) with one error. */
static void end_waiting(jbx_client *c, const jbx_callbacks *cb, const char *code, const char *msg)
{
    int had_job = c->job_id >= 0;
    c->chain_left = 0;
    drop_job(c); /* queued behind the job, so a host that comes back drops it */
    c->ping_id = c->status_id = c->watch_id = -1;
    c->host_alive = 0;
    if (had_job) emit_state(cb, "idle");
    emit_error(cb, code, msg);
}

static void fail_pending(jbx_client *c, const jbx_callbacks *cb)
{
    char msg[512];
    snprintf(msg, sizeof msg, "host not responding at %s (is jukebox-host serve running?)",
             c->endpoint);
    end_waiting(c, cb, JBX_LOCAL_TIMEOUT, msg);
    /* The connection itself may be what failed (see reopen): hang up, dial again shortly (see hang_up), and tell
       the front once. A connection opened within the timeout (a send found the last one down) is already new:
       hanging it up would only race the host over the id once more. */
    if (jbx_now() - c->opened_at >= c->timeout) hang_up(c);
    if (!c->lost) {
        c->lost = 1;
        if (cb && cb->host) cb->host(cb->ctx, 0, c->endpoint);
    }
}

/* A user's ping or status answered by nothing within the limit ends in a timeout of its own, even while the
   heartbeat's pongs come (a request lost with a host that was replaced at once). */
static void expire_request(jbx_client *c, long long *slot, double sent, double t, double limit, const char *what,
                           const jbx_callbacks *cb)
{
    if (*slot < 0 || t - sent <= limit) return;
    char msg[512];
    *slot = -1;
    snprintf(msg, sizeof msg, "no answer to %s from %s within %.0f s", what, c->endpoint, limit);
    emit_error(cb, JBX_LOCAL_TIMEOUT, msg);
}

/* A refused handshake: the socket would swallow every later message (see jbx_link_watch.h). Whatever waits ends
   now with the reason, not a timeout; the socket is closed, and the next request dials again (so a key allowed
   meanwhile is served at once), not the clock: a refused client does not knock every JBX_REDIAL_PAUSE. */
static void watch_link(jbx_client *c, const jbx_callbacks *cb)
{
    int value;
    jbx_link_event event = jbx_link_watch_read(c->watch, &value);
    if (event == JBX_LINK_QUIET || event == JBX_LINK_SERVED) return;
    char msg[512];
    if (event == JBX_LINK_REFUSED_KEY)
        snprintf(msg, sizeof msg, "the host at %s refused this client's key (status %d): its public key must be "
                                  "in the host's --curve-allow folder", c->endpoint, value);
    else if (event == JBX_LINK_REFUSED_PROTOCOL || !c->curve)
        snprintf(msg, sizeof msg, "the handshake with %s failed: CURVE keys set on one side only "
                                  "(server_key/client_key), or not a jukebox-host", c->endpoint);
    else
        snprintf(msg, sizeof msg, "the host at %s hung up %d handshakes in a row: is server_key the host's public "
                                  "key?", c->endpoint, JBX_LINK_SILENT_FAILURES);
    close_socket(c);
    c->redial_at = DBL_MAX;
    end_waiting(c, cb, JBX_LOCAL_REFUSED, msg);
}

void jbx_client_tick(jbx_client *c, const jbx_callbacks *cb)
{
    if (!c->sock && jbx_now() >= c->redial_at) (void)reopen(c); /* after hang_up; a failure retries next tick */
    watch_link(c, cb);
    if (jbx_client_poll(c, cb) < 0)
        emit_error(cb, JBX_LOCAL_BAD_REPLY, zmq_strerror(zmq_errno()));
    if (c->spawn_child != 0 && jbx_spawn_reap(c->spawn_child)) c->spawn_child = 0;
    if (!pending(c)) return;

    double t = jbx_now();
    double quiet_since = c->last_rx > c->waiting_since ? c->last_rx : c->waiting_since;
    if (t - c->last_ping >= JBX_PING_INTERVAL) {
        char err[256];
        c->last_ping = t;
        (void)send_simple(c, JBX_TYPE_PING, c->next_id++, NULL, 0, err, sizeof err);
    }
    /* Pings prove the host alive, not that it still has the job: a restarted host, or one that lost this
       client's connection, answers them too. Ask about the job when it has gone quiet. */
    double quiet = t - c->job_news, asked = t - c->watch_sent;
    int ask = c->job_missing > 0 ? asked >= JBX_JOB_LOST_GRACE : quiet >= JBX_JOB_CHECK && asked >= JBX_JOB_CHECK;
    if (c->job_id >= 0 && c->watch_id < 0 && ask) {
        char err[256];
        c->watch_id = c->next_id++;
        c->watch_sent = t;
        if (send_simple(c, JBX_TYPE_STATUS, c->watch_id, NULL, 0, err, sizeof err) != 0) c->watch_id = -1;
    } else if (c->watch_id >= 0 && t - c->watch_sent > c->timeout) {
        c->watch_id = -1; /* unanswered: the ping timeout speaks for a dead host; ask again later */
    }
    if (c->autostart && !c->host_alive && t - quiet_since >= JBX_AUTOSTART_AFTER &&
        (c->spawn_time < 0.0 || t - c->spawn_time > JBX_AUTOSTART_GRACE)) {
        char err[512];
        c->spawn_time = t; /* at most once per grace period: a host may be loading */
        if (jbx_spawn_host(c->host_command, c->endpoint, &c->spawn_child, err, sizeof err) != 0)
            emit_error(cb, JBX_LOCAL_AUTOSTART, err);
    }
    double limit = c->timeout;
    if (c->spawn_time >= 0.0 && t - c->spawn_time < JBX_AUTOSTART_GRACE && !c->host_alive)
        limit = (c->spawn_time - quiet_since) + JBX_AUTOSTART_GRACE;
    if (t - quiet_since > limit) {
        fail_pending(c, cb);
        return;
    }
    expire_request(c, &c->ping_id, c->ping_sent, t, limit, "ping", cb);
    expire_request(c, &c->status_id, c->status_sent, t, limit, "status", cb);
}
