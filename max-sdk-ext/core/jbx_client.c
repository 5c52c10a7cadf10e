/* The client's life and settings; see jbx_client.h (the other jobs: jbx_client_internal.h). */
#define _POSIX_C_SOURCE 200809L
#include "jbx_client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

char *jbx_dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int jbx_pending(const jbx_client *c)
{
    return c->job_id >= 0 || c->ping_id >= 0 || c->status_id >= 0;
}

void jbx_mark_waiting(jbx_client *c)
{
    if (!jbx_pending(c)) {
        c->waiting_since = jbx_now();
        c->last_ping = c->waiting_since;
    }
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
    c->host_command = jbx_dup_str(jbx_params_text(&c->params, JBX_S_hostcmd));
    c->zctx = zmq_ctx_new();
    jbx_conn_make_routing_id(c);
    if (!c->host_command || !c->zctx) {
        snprintf(err, errlen, c->zctx ? "out of memory" : "zmq_ctx_new failed");
        jbx_client_free(c);
        return NULL;
    }
    if (jbx_conn_open(c, endpoint ? endpoint : JBX_DEFAULT_ENDPOINT, err, errlen) != 0) {
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
        if (jbx_conn_send_simple(c, JBX_TYPE_CANCEL, c->next_id++, "target", c->job_id, err, sizeof err) == 0)
            (void)zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
    }
    jbx_conn_close(c);
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
    if (jbx_conn_open(c, endpoint, err, errlen) != 0) return -1;
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
    char *d = jbx_dup_str(program && *program ? program : jbx_settings[JBX_S_hostcmd].fallback);
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
    char *old_text = p->text[id] ? jbx_dup_str(p->text[id]) : NULL;
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
