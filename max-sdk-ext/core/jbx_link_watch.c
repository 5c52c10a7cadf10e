/* libzmq's socket monitor, read without blocking; see jbx_link_watch.h. */
#include "jbx_link_watch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define JBX_WATCHED_EVENTS                                                                               \
    (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | \
     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)

struct jbx_link_watch {
    void *sock;         /* the watched socket (not owned) */
    void *pair;         /* our end of its monitor */
    int silent_failures; /* handshakes in a row that failed without a reason */
};

jbx_link_watch *jbx_link_watch_open(void *zctx, void *sock, unsigned seq)
{
    char name[64];
    int n = snprintf(name, sizeof name, "inproc://jbx-link-watch-%u", seq);
    if (n < 0 || (size_t)n >= sizeof name) return NULL;
    jbx_link_watch *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->sock = sock;
    if (zmq_socket_monitor(sock, name, JBX_WATCHED_EVENTS) != 0) {
        free(w);
        return NULL;
    }
    w->pair = zmq_socket(zctx, ZMQ_PAIR);
    int linger = 0, unbounded = 0; /* an inproc pipe's bound is the sum of both ends': 0 here lifts it, so the
                                      I/O thread never waits on a watch that was not read for a while */
    if (!w->pair || zmq_setsockopt(w->pair, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(w->pair, ZMQ_RCVHWM, &unbounded, sizeof unbounded) != 0 || zmq_connect(w->pair, name) != 0) {
        jbx_link_watch_stop(w);
        return NULL;
    }
    return w;
}

/* One event: a 6-byte frame (uint16 event, uint32 value, native order) and a frame naming the endpoint.
   1: read, 0: none waiting, -1: not an event of this shape (skipped). */
static int read_event(void *pair, uint16_t *event, uint32_t *value)
{
    zmq_msg_t part;
    zmq_msg_init(&part);
    if (zmq_msg_recv(&part, pair, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&part);
        return 0;
    }
    int ok = zmq_msg_size(&part) == 6;
    if (ok) {
        const unsigned char *p = zmq_msg_data(&part);
        memcpy(event, p, sizeof *event);
        memcpy(value, p + 2, sizeof *value);
    }
    int more = zmq_msg_more(&part);
    while (more) { /* the endpoint frame: already here (one multipart message) */
        zmq_msg_close(&part);
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, pair, 0) < 0) break;
        more = zmq_msg_more(&part);
    }
    zmq_msg_close(&part);
    return ok ? 1 : -1;
}

jbx_link_event jbx_link_watch_read(jbx_link_watch *w, int *value)
{
    jbx_link_event last = JBX_LINK_QUIET;
    uint16_t event = 0;
    uint32_t v = 0;
    int rc;
    *value = 0;
    while (w && (rc = read_event(w->pair, &event, &v)) != 0) {
        if (rc < 0) continue;
        jbx_link_event now = JBX_LINK_QUIET;
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) now = JBX_LINK_SERVED;
        else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) now = JBX_LINK_REFUSED_KEY;
        else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) now = JBX_LINK_REFUSED_PROTOCOL;
        else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL && ++w->silent_failures >= JBX_LINK_SILENT_FAILURES)
            now = JBX_LINK_BROKEN;
        if (event != ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) w->silent_failures = 0;
        if (now == JBX_LINK_QUIET) continue;
        last = now;
        *value = v > (uint32_t)INT32_MAX ? INT32_MAX : (int)v;
    }
    return last;
}

void jbx_link_watch_stop(jbx_link_watch *w)
{
    if (!w) return;
    (void)zmq_socket_monitor(w->sock, NULL, 0);
    if (w->pair) zmq_close(w->pair);
    free(w);
}
