/* The socket: dial with the client's routing id and keys, send, watch its handshakes, hang up. */
#define _POSIX_C_SOURCE 200809L
#include "jbx_client_internal.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "jbx_pcm.h"

/* A routing id of the client's own (docs/PROTOCOL.md, "Identity"): the host knows it again after libzmq
   reconnects (a network blip, a restarted gateway), so a dropped connection loses no job. It is a secret, so
   it comes from libzmq's CURVE key generator: 16 Z85 characters of a fresh secret key (about 100 random bits,
   never a zero byte, which libzmq keeps for its own ids). A libzmq without CURVE leaves the client anonymous:
   it then learns of a lost job from the host's status instead. Made once per client: every socket the client
   reopens (see jbx_conn_reopen) carries the same id, so the host's jobs and kept codes stay its own. */
void jbx_conn_make_routing_id(jbx_client *c)
{
    char public_z85[41], secret_z85[41];
    c->has_routing_id = zmq_curve_keypair(public_z85, secret_z85) == 0;
    if (c->has_routing_id) memcpy(c->routing_id, secret_z85, JBX_ROUTING_ID_BYTES);
    jbx_keys_wipe(secret_z85, sizeof secret_z85);
}

void jbx_conn_close(jbx_client *c)
{
    jbx_link_watch_stop(c->watch); /* before its socket (see jbx_link_watch_stop) */
    if (c->sock) zmq_close(c->sock);
    c->sock = NULL;
    c->watch = NULL;
}

int jbx_conn_open(jbx_client *c, const char *endpoint, char *err, size_t errlen)
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
    } else if (!(ep = jbx_dup_str(endpoint))) {
        snprintf(err, errlen, "out of memory");
    }
    if (!ep) {
        jbx_link_watch_stop(watch);
        zmq_close(s);
        return -1;
    }
    jbx_conn_close(c);
    free(c->endpoint);
    c->sock = s;
    c->watch = watch;
    c->endpoint = ep;
    c->host_alive = 0;
    c->opened_at = jbx_now();
    return 0;
}

/* The ZeroMQ guide's lazy pirate: a fresh socket to the same endpoint, with the same routing id and keys. libzmq
   does not bring every connection back by itself: after a reply over ZMQ_MAXMSGSIZE the DEALER's connection stays
   down and every later send fails; after a CURVE refusal it takes sends and delivers none. A new socket dials
   again. */
int jbx_conn_reopen(jbx_client *c)
{
    char err[256];
    return jbx_conn_open(c, c->endpoint, err, sizeof err);
}

/* Closes a connection that stopped answering; the next tick after JBX_REDIAL_PAUSE (or the next request, a
   human's moment later) dials again. */
void jbx_conn_hang_up(jbx_client *c)
{
    jbx_conn_close(c);
    c->redial_at = jbx_now() + JBX_REDIAL_PAUSE;
}

/* A socket to send on: the current one, or a new one when the last was hung up. */
static int have_socket(jbx_client *c)
{
    return c->sock != NULL || jbx_conn_reopen(c) == 0;
}

static void free_frame(void *data, void *hint)
{
    (void)hint;
    free(data);
}

/* Sends one message: header fields, then nch PCM frames of `frames` samples. */
int jbx_conn_send(jbx_client *c, const jbx_field *f, size_t n,
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
    /* A socket that refuses the first frame has no live connection (see jbx_conn_reopen): one more try on a fresh socket,
       which queues the message until it connects. Nothing of the message went out before, so nothing is doubled. */
    if (!have_socket(c)) {
        snprintf(err, errlen, "cannot open a socket to %s: %s", c->endpoint, zmq_strerror(zmq_errno()));
        goto done;
    }
    if (zmq_send(c->sock, buf.data, buf.size, ZMQ_DONTWAIT | more) < 0 &&
        (jbx_conn_reopen(c) != 0 || zmq_send(c->sock, buf.data, buf.size, ZMQ_DONTWAIT | more) < 0)) {
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
int jbx_conn_send_simple(jbx_client *c, const char *type, long long id,
                       const char *extra_key, long long extra, char *err, size_t errlen)
{
    jbx_field f[4] = {jbx_f_int("v", JBX_PROTOCOL_VERSION), jbx_f_str("type", type), jbx_f_int("id", id)};
    size_t n = 3;
    if (extra_key) f[n++] = jbx_f_int(extra_key, extra);
    return jbx_conn_send(c, f, n, NULL, 0, 0, err, errlen);
}

void jbx_conn_send_hello(jbx_client *c)
{
    char err[256];
    jbx_field f[4] = {jbx_f_int("v", JBX_PROTOCOL_VERSION), jbx_f_str("type", JBX_TYPE_HELLO),
                      jbx_f_int("id", c->next_id), jbx_f_str("client", "jukebox~ (C core)")};
    if (jbx_conn_send(c, f, 4, NULL, 0, 0, err, sizeof err) == 0) c->hello_id = c->next_id;
    c->next_id++;
}

int jbx_client_fd(const jbx_client *c)
{
    zmq_fd_t fd; /* a SOCKET on Windows (64 bits there), an int elsewhere */
    size_t len = sizeof fd;
    if (!c->sock || zmq_getsockopt(c->sock, ZMQ_FD, &fd, &len) != 0) return -1; /* none while hung up */
    return (int)fd; /* Pd's poll functions and Windows' select take SOCKETs as int */
}

/* A refused handshake: the socket would swallow every later message (see jbx_link_watch.h). Whatever waits ends
   now with the reason, not a timeout; the socket is closed, and the next request dials again (so a key allowed
   meanwhile is served at once), not the clock: a refused client does not knock every JBX_REDIAL_PAUSE. */
void jbx_conn_watch_link(jbx_client *c, const jbx_callbacks *cb)
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
    jbx_conn_close(c);
    c->redial_at = DBL_MAX;
    jbx_end_waiting(c, cb, JBX_LOCAL_REFUSED, msg);
}
