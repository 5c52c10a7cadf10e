/* Requests: a job (generate or echo), cancel, and the user's ping and status. */
#define _POSIX_C_SOURCE 200809L
#include "jbx_client_internal.h"

#include <stdio.h>
#include <string.h>

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
void jbx_job_drop(jbx_client *c)
{
    if (c->job_id < 0) return;
    char err[256];
    /* No socket: a refused connection was closed; dialling again only to cancel would be refused again. */
    if (c->sock) (void)jbx_conn_send_simple(c, JBX_TYPE_CANCEL, c->next_id++, "target", c->job_id, err, sizeof err);
    c->job_id = -1;
}

long long jbx_job_submit(jbx_client *c, const char *type, int link, const float *const *ch, int nch, long frames,
                         double sr, char *err, size_t errlen)
{
    int is_echo = strcmp(type, JBX_TYPE_ECHO) == 0;
    const char *mode = link ? "continue" : jbx_params_mode(&c->params); /* a link overrides, never sets, the mode */
    if (link || (!is_echo && !jbx_params_needs_audio(&c->params))) nch = 0;
    else if (!is_echo && nch == 0) {
        snprintf(err, errlen, "mode %s needs input audio (or set mode ancestral or continue)", mode);
        return -1;
    }
    if (check_audio(nch, frames, sr, err, errlen) != 0) return -1;

    jbx_job_drop(c);
    if (!c->host_alive) jbx_conn_send_hello(c); /* fresh handshake after start, timeout or bye */
    jbx_mark_waiting(c);

    long long id = c->next_id++;
    jbx_field f[JBX_MAX_FIELDS + 8];
    size_t n = 0;
    f[n++] = jbx_f_int("v", JBX_PROTOCOL_VERSION);
    f[n++] = jbx_f_str("type", type);
    f[n++] = jbx_f_int("id", id);
    f[n++] = jbx_f_int("channels", nch);
    f[n++] = jbx_f_int("frames", nch > 0 ? frames : 0);
    if (nch > 0) f[n++] = jbx_f_int("sample_rate", (long long)(sr + 0.5));
    if (!is_echo) n += jbx_params_fields(&c->params, link ? mode : NULL, f + n);
    if (link) f[n++] = jbx_f_bool("new_only", 1); /* only what a link adds comes back; the host keeps a tail */
    if (jbx_conn_send(c, f, n, ch, nch, frames, err, errlen) != 0) return -1;
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
    return jbx_job_submit(c, JBX_TYPE_GENERATE, 0, ch, nch, frames, sr, err, errlen);
}

long long jbx_client_echo(jbx_client *c, const float *const *ch, int nch, long frames,
                          double sr, char *err, size_t errlen)
{
    c->chain_left = 0;
    return jbx_job_submit(c, JBX_TYPE_ECHO, 0, ch, nch, frames, sr, err, errlen);
}

int jbx_client_cancel(jbx_client *c)
{
    c->chain_left = 0;
    if (c->job_id < 0) return 1;
    char err[256];
    return jbx_conn_send_simple(c, JBX_TYPE_CANCEL, c->next_id++, "target", c->job_id, err, sizeof err);
}

static int request(jbx_client *c, const char *type, long long *slot, double *sent)
{
    char err[256];
    if (!c->host_alive) jbx_conn_send_hello(c);
    jbx_mark_waiting(c);
    long long id = c->next_id++;
    if (jbx_conn_send_simple(c, type, id, NULL, 0, err, sizeof err) != 0) return -1;
    *slot = id;
    *sent = jbx_now();
    return 0;
}

int jbx_client_ping(jbx_client *c) { return request(c, JBX_TYPE_PING, &c->ping_id, &c->ping_sent); }

int jbx_client_status(jbx_client *c) { return request(c, JBX_TYPE_STATUS, &c->status_id, &c->status_sent); }
