/* The externals' shared behaviour; see jbx_front.h. */
#include "jbx_front.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void jbx_front_init(jbx_front *f, const jbx_front_ops *ops, void *ctx)
{
    memset(f, 0, sizeof *f);
    f->ops = ops;
    f->ctx = ctx;
}

void jbx_front_console(jbx_front *f, jbx_console_level level, const char *format, ...)
{
    char text[1024];
    va_list args;
    va_start(args, format);
    (void)vsnprintf(text, sizeof text, format, args); /* a longer line is cut, never overrun */
    va_end(args);
    f->ops->console(f->ctx, level, text);
}

static void info_symbol(jbx_front *f, const char *selector, const char *word)
{
    jbx_atom a = {JBX_ATOM_SYMBOL, word, 0.0};
    f->ops->info(f->ctx, selector, word ? 1 : 0, &a);
}

void jbx_front_report(jbx_front *f, const char *code, const char *message)
{
    if (strcmp(code, JBX_ERR_CANCELLED) == 0)
        f->ops->console(f->ctx, JBX_CONSOLE_POST, "job cancelled");
    else
        f->ops->console(f->ctx, JBX_CONSOLE_ERROR, message && *message ? message : code);
    jbx_atom a[2] = {{JBX_ATOM_SYMBOL, code, 0.0}, {JBX_ATOM_SYMBOL, message ? message : "", 0.0}};
    f->ops->info(f->ctx, "error", 2, a);
}

void jbx_front_buffer_missing(jbx_front *f, const char *name)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s '%s' not found", f->ops->buffer_word, name ? name : "");
    jbx_front_report(f, JBX_LOCAL_NO_BUFFER, msg);
}

void jbx_front_buffer_empty(jbx_front *f, const char *name)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s '%s' is empty", f->ops->buffer_word, name ? name : "");
    jbx_front_report(f, JBX_LOCAL_EMPTY_BUFFER, msg);
}

void jbx_front_set_variations(jbx_front *f, int n, const char *const *names, int given)
{
    f->n_named = 0;
    for (int k = 0; k < n && f->n_named < JBX_MAX_N_SAMPLES - 1; k++)
        if (names[k]) f->named[f->n_named++] = names[k];
    if (given > JBX_MAX_N_SAMPLES - 1)
        jbx_front_console(f, JBX_CONSOLE_WARN, "at most %d %ss for variations 2 …; the rest are ignored",
                          JBX_MAX_N_SAMPLES - 1, f->ops->buffer_word);
}

/* ---- the client's callbacks ---- */

static void on_progress(void *ctx, double fraction, int level, const char *stage)
{
    (void)level;
    (void)stage;
    jbx_front *f = ctx;
    f->ops->progress(f->ctx, fraction);
}

/* Variation 0 goes to dst, variation k to the k-th buffer named by 'variations'; one bang (or chunk/preview
   word) per result, on its last variation, and only when dst took the first. */
static void on_result(void *ctx, const jbx_result *r)
{
    jbx_front *f = ctx;
    if (r->variation == 0) {
        f->dst_written = f->ops->write(f->ctx, 0, NULL, r);
    } else if (r->variation <= f->n_named) {
        (void)f->ops->write(f->ctx, r->variation, f->named[r->variation - 1], r);
    } else if (r->variation == f->n_named + 1) {
        jbx_front_console(f, JBX_CONSOLE_WARN, "variations %d to %d have no %s: name them with 'variations name …'",
                          r->variation + 1, r->variations, f->ops->buffer_word);
    }
    if (r->variation != r->variations - 1 || !f->dst_written) return;
    if (r->kind == JBX_RESULT_CHUNK) {
        jbx_atom where[2] = {{JBX_ATOM_INT, NULL, (double)r->start}, {JBX_ATOM_INT, NULL, (double)r->frames}};
        f->ops->info(f->ctx, "chunk", 2, where);
        if (r->final_seconds >= 0.0) { /* when playback from the top can start: see the help patch */
            jbx_atom pace[2] = {{JBX_ATOM_FLOAT, NULL, r->final_seconds}, {JBX_ATOM_FLOAT, NULL, r->final_rate}};
            f->ops->info(f->ctx, "final", 2, pace);
        }
    } else if (r->kind == JBX_RESULT_FINAL) {
        f->ops->progress(f->ctx, 1.0);
        f->ops->done(f->ctx);
    } else {
        info_symbol(f, "preview", NULL);
    }
}

static void on_error(void *ctx, const char *code, const char *message)
{
    jbx_front_report(ctx, code, message);
}

static void on_state(void *ctx, const char *state)
{
    info_symbol(ctx, "state", state);
}

/* "host lost" once when the host stopped answering (the client dials again by itself), "host back" once when it
   answers again. */
static void on_host(void *ctx, int up, const char *endpoint)
{
    info_symbol(ctx, "host", up ? "back" : "lost");
    jbx_front_console(ctx, JBX_CONSOLE_POST, "host %s %s", up ? "back at" : "lost at", endpoint);
}

static void on_pong(void *ctx, double host_time)
{
    jbx_front *f = ctx;
    jbx_atom a = {JBX_ATOM_FLOAT, NULL, host_time};
    f->ops->info(f->ctx, "pong", 1, &a);
}

static void on_status(void *ctx, const jbx_status *s)
{
    jbx_front *f = ctx;
    jbx_atom a[10] = {
        {JBX_ATOM_SYMBOL, "device", 0.0},  {JBX_ATOM_SYMBOL, s->device, 0.0},
        {JBX_ATOM_SYMBOL, "queue", 0.0},   {JBX_ATOM_INT, NULL, (double)s->queue},
        {JBX_ATOM_SYMBOL, "running", 0.0}, {JBX_ATOM_INT, NULL, (double)s->running},
        {JBX_ATOM_SYMBOL, "mine", 0.0},    {JBX_ATOM_INT, NULL, (double)s->running_client},
        {JBX_ATOM_SYMBOL, "models", 0.0},  {JBX_ATOM_SYMBOL, s->models, 0.0},
    };
    f->ops->info(f->ctx, "status", 10, a);
}

jbx_callbacks jbx_front_callbacks(jbx_front *f)
{
    jbx_callbacks cb = {f, on_progress, on_result, on_error, on_state, on_pong, on_status, on_host};
    return cb;
}

/* ---- messages ---- */

void jbx_front_cancel(jbx_front *f, jbx_client *c)
{
    if (jbx_client_cancel(c) == 1) jbx_front_console(f, JBX_CONSOLE_POST, "nothing to cancel");
}

void jbx_front_ping(jbx_front *f, jbx_client *c)
{
    if (jbx_client_ping(c) != 0) jbx_front_report(f, JBX_LOCAL_SEND, "cannot send ping");
}

void jbx_front_status(jbx_front *f, jbx_client *c)
{
    if (jbx_client_status(c) != 0) jbx_front_report(f, JBX_LOCAL_SEND, "cannot send status");
}

void jbx_front_submit(jbx_front *f, jbx_client *c, const float *const *planes, int nch, long frames,
                      double sample_rate)
{
    char err[512];
    if (jbx_client_submit(c, nch ? planes : NULL, nch, frames, sample_rate, err, sizeof err) < 0)
        jbx_front_report(f, JBX_LOCAL_BAD_REQUEST, err);
}

void jbx_front_setting_done(jbx_front *f, jbx_client *c, int rc, const char *err, int was_curve)
{
    if (rc != 0) jbx_front_report(f, JBX_LOCAL_BAD_SETTING, err);
    if (jbx_client_curve(c) != was_curve)
        jbx_front_console(f, JBX_CONSOLE_POST, "CURVE authentication %s", was_curve ? "off" : "on");
}
