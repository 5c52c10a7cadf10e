/* Heartbeat pings, timeouts, refusals and autostart. */
#define _POSIX_C_SOURCE 200809L
#include "jbx_client_internal.h"

#include <stdio.h>
#include <zmq.h>

/* Seconds of silence before autostart spawns the host. */
#define JBX_AUTOSTART_AFTER 1.0

/* Ends everything waiting for the host (the job, a chain's rest, a ping or status) with one error. */
void jbx_end_waiting(jbx_client *c, const jbx_callbacks *cb, const char *code, const char *msg)
{
    int had_job = c->job_id >= 0;
    c->chain_left = 0;
    jbx_job_drop(c); /* queued behind the job, so a host that comes back drops it */
    c->ping_id = c->status_id = c->watch_id = -1;
    c->host_alive = 0;
    if (had_job) jbx_emit_state(cb, "idle");
    jbx_emit_error(cb, code, msg);
}

static void fail_pending(jbx_client *c, const jbx_callbacks *cb)
{
    char msg[512];
    snprintf(msg, sizeof msg, "host not responding at %s (is jukebox-host serve running?)",
             c->endpoint);
    jbx_end_waiting(c, cb, JBX_LOCAL_TIMEOUT, msg);
    /* The connection itself may be what failed (see jbx_conn_reopen): hang up, dial again shortly (see jbx_conn_hang_up), and tell
       the front once. A connection opened within the timeout (a send found the last one down) is already new:
       hanging it up would only race the host over the id once more. */
    if (jbx_now() - c->opened_at >= c->timeout) jbx_conn_hang_up(c);
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
    jbx_emit_error(cb, JBX_LOCAL_TIMEOUT, msg);
}

void jbx_client_tick(jbx_client *c, const jbx_callbacks *cb)
{
    if (!c->sock && jbx_now() >= c->redial_at) (void)jbx_conn_reopen(c); /* after hang_up; a failure retries next tick */
    jbx_conn_watch_link(c, cb);
    if (jbx_client_poll(c, cb) < 0)
        jbx_emit_error(cb, JBX_LOCAL_BAD_REPLY, zmq_strerror(zmq_errno()));
    if (c->spawn_child != 0 && jbx_spawn_reap(c->spawn_child)) c->spawn_child = 0;
    if (!jbx_pending(c)) return;

    double t = jbx_now();
    double quiet_since = c->last_rx > c->waiting_since ? c->last_rx : c->waiting_since;
    if (t - c->last_ping >= JBX_PING_INTERVAL) {
        char err[256];
        c->last_ping = t;
        (void)jbx_conn_send_simple(c, JBX_TYPE_PING, c->next_id++, NULL, 0, err, sizeof err);
    }
    /* Pings prove the host alive, not that it still has the job: a restarted host, or one that lost this
       client's connection, answers them too. Ask about the job when it has gone quiet. */
    double quiet = t - c->job_news, asked = t - c->watch_sent;
    int ask = c->job_missing > 0 ? asked >= JBX_JOB_LOST_GRACE : quiet >= JBX_JOB_CHECK && asked >= JBX_JOB_CHECK;
    if (c->job_id >= 0 && c->watch_id < 0 && ask) {
        char err[256];
        c->watch_id = c->next_id++;
        c->watch_sent = t;
        if (jbx_conn_send_simple(c, JBX_TYPE_STATUS, c->watch_id, NULL, 0, err, sizeof err) != 0) c->watch_id = -1;
    } else if (c->watch_id >= 0 && t - c->watch_sent > c->timeout) {
        c->watch_id = -1; /* unanswered: the ping timeout speaks for a dead host; ask again later */
    }
    if (c->autostart && !c->host_alive && t - quiet_since >= JBX_AUTOSTART_AFTER &&
        (c->spawn_time < 0.0 || t - c->spawn_time > JBX_AUTOSTART_GRACE)) {
        char err[512];
        c->spawn_time = t; /* at most once per grace period: a host may be loading */
        if (jbx_spawn_host(c->host_command, c->endpoint, &c->spawn_child, err, sizeof err) != 0)
            jbx_emit_error(cb, JBX_LOCAL_AUTOSTART, err);
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
