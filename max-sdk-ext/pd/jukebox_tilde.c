/* jukebox~ for Pure Data: a thin wrapper over the C core (../core).
 * [jukebox~ src dst]: bang sends array src (mono, at Pd's sample rate
 * sys_getsr()) to jukebox-host and writes the result into array dst.
 * Outlets: bang when dst holds the result | progress 0..1 | info lists. */
#include <stdlib.h>
#include <string.h>

#include "m_pd.h"
#include "s_stuff.h" /* sys_addpollfn / sys_rmpollfn */

#include "jbx_client.h"

#define TICK_MS 50.0 /* heartbeat/timeout granularity and poll backstop */

static t_class *jukebox_class;

typedef struct _jukebox {
    t_object x_obj;
    t_symbol *src, *dst;
    t_symbol *more_dst[JBX_MAX_N_SAMPLES - 1]; /* arrays for variations 2, 3 … (message 'variations') */
    int n_more_dst;
    int dst_written;                           /* the first variation of this result reached dst */
    jbx_client *client;
    jbx_callbacks cb;
    t_clock *clock;
    int fd;
    t_symbol *dir;                     /* the patch's folder, for relative key paths */
    t_outlet *out_done, *out_progress, *out_info;
} t_jukebox;

/* ---- info outlet and console ---- */

/* "sel arg" on the info outlet; arg NULL sends the selector alone. */
static void info_sym(t_jukebox *x, const char *sel, const char *arg)
{
    t_atom a;
    if (arg) SETSYMBOL(&a, gensym(arg));
    outlet_anything(x->out_info, gensym(sel), arg ? 1 : 0, arg ? &a : NULL);
}

static void report(t_jukebox *x, const char *code, const char *msg)
{
    t_atom a[2];
    if (strcmp(code, JBX_ERR_CANCELLED) == 0)
        post("jukebox~: job cancelled");
    else
        pd_error(x, "jukebox~: %s", msg && *msg ? msg : code);
    SETSYMBOL(&a[0], gensym(code));
    SETSYMBOL(&a[1], gensym(msg ? msg : ""));
    outlet_anything(x->out_info, gensym("error"), 2, a);
}

/* ---- arrays ---- */

static t_garray *find_array(t_jukebox *x, t_symbol *name)
{
    char msg[MAXPDSTRING];
    t_garray *a = name && *name->s_name ? (t_garray *)pd_findbyclass(name, garray_class) : NULL;
    if (!a) {
        snprintf(msg, sizeof msg, "array '%s' not found", name ? name->s_name : "");
        report(x, JBX_LOCAL_NO_BUFFER, msg);
    }
    return a;
}

/* ---- core callbacks ---- */

static void on_progress(void *ctx, double fraction, int level, const char *stage)
{
    (void)level;
    (void)stage;
    t_jukebox *x = ctx;
    outlet_float(x->out_progress, (t_float)fraction);
}

/* Writes one variation into the array called name: a result resizes it to its length, a chunk or a chain link
 * is written at its start (the array grows to hold it; what lies before stays). 0 when it could not. */
static int write_array(t_jukebox *x, t_symbol *name, const jbx_result *r)
{
    t_garray *a = find_array(x, name);
    if (!a) return 0;
    if (r->streamed) return 1; /* the chunks wrote it all */
    int n = 0;
    t_word *vec = NULL;
    int placed = r->chunk || r->append;
    long offset = placed ? r->start : 0;
    if (!placed || garray_npoints(a) < offset + r->frames)
        garray_resize_long(a, offset + r->frames > 0 ? offset + r->frames : 1);
    if (!garray_getfloatwords(a, &n, &vec)) {
        char msg[MAXPDSTRING];
        snprintf(msg, sizeof msg, "array '%s' is not a float array", name->s_name);
        report(x, JBX_LOCAL_NO_BUFFER, msg);
        return 0;
    }
    if (placed) {
        for (long i = 0; i < r->frames && offset + i < n; i++) vec[offset + i].w_float = (t_float)r->planes[0][i];
    } else {
        for (int i = 0; i < n; i++)
            vec[i].w_float = (r->channels > 0 && i < r->frames) ? (t_float)r->planes[0][i] : 0;
    }
    garray_redraw(a);
    return 1;
}

static void on_result(void *ctx, const jbx_result *r)
{
    t_jukebox *x = ctx;
    if (r->variation == 0) {
        x->dst_written = write_array(x, x->dst, r);
    } else if (r->variation <= x->n_more_dst) {
        (void)write_array(x, x->more_dst[r->variation - 1], r);
    } else if (r->variation == x->n_more_dst + 1) {
        pd_error(x, "jukebox~: variations %d to %d have no array: name them with 'variations name …'",
                 r->variation + 1, r->variations);
    }
    if (r->variation != r->variations - 1 || !x->dst_written) return; /* one bang per result */
    if (r->chunk) {
        t_atom where[2];
        SETFLOAT(&where[0], (t_float)r->start);
        SETFLOAT(&where[1], (t_float)r->frames);
        outlet_anything(x->out_info, gensym("chunk"), 2, where);
        return;
    }
    if (r->final) {
        outlet_float(x->out_progress, 1);
        outlet_bang(x->out_done);
    } else {
        info_sym(x, "preview", NULL);
    }
}

static void on_error(void *ctx, const char *code, const char *message)
{
    report(ctx, code, message);
}

static void on_state(void *ctx, const char *state)
{
    info_sym(ctx, "state", state);
}

/* "host lost" once when the host stopped answering (the client dials again by itself), "host back" once when it
   answers again. */
static void on_host(void *ctx, int up, const char *endpoint)
{
    info_sym(ctx, "host", up ? "back" : "lost");
    post("jukebox~: host %s %s", up ? "back at" : "lost at", endpoint);
}

static void on_pong(void *ctx, double host_time)
{
    t_jukebox *x = ctx;
    t_atom a;
    SETFLOAT(&a, (t_float)host_time);
    outlet_anything(x->out_info, gensym("pong"), 1, &a);
}

static void on_status(void *ctx, const jbx_status *s)
{
    t_jukebox *x = ctx;
    t_atom a[10];
    SETSYMBOL(&a[0], gensym("device"));
    SETSYMBOL(&a[1], gensym(s->device));
    SETSYMBOL(&a[2], gensym("queue"));
    SETFLOAT(&a[3], (t_float)s->queue);
    SETSYMBOL(&a[4], gensym("running"));
    SETFLOAT(&a[5], (t_float)s->running);
    SETSYMBOL(&a[6], gensym("mine"));
    SETFLOAT(&a[7], (t_float)s->running_client);
    SETSYMBOL(&a[8], gensym("models"));
    SETSYMBOL(&a[9], gensym(s->models));
    outlet_anything(x->out_info, gensym("status"), 10, a);
}

/* ---- polling ---- */

static void poll_fd(void *ptr, int fd)
{
    (void)fd;
    t_jukebox *x = ptr;
    if (jbx_client_poll(x->client, &x->cb) < 0) pd_error(x, "jukebox~: socket error");
}

static void watch_fd(t_jukebox *x)
{
    if (x->fd >= 0) sys_rmpollfn(x->fd);
    x->fd = jbx_client_fd(x->client);
    if (x->fd >= 0) sys_addpollfn(x->fd, poll_fd, x);
}

/* The client opens a new socket when its connection failed (and on a new host or keys): watch the new fd. */
static void follow_fd(t_jukebox *x)
{
    if (jbx_client_fd(x->client) != x->fd) watch_fd(x);
}

static void tick(t_jukebox *x)
{
    jbx_client_tick(x->client, &x->cb);
    follow_fd(x);
    clock_delay(x->clock, TICK_MS);
}

/* After a send, input may already wait without a new edge on ZMQ_FD. */
static void poll_soon(t_jukebox *x)
{
    follow_fd(x);
    clock_delay(x->clock, 0);
}

/* ---- messages ---- */

static void jukebox_bang(t_jukebox *x)
{
    char err[512];
    float *samples = NULL;
    const float *planes[1];
    int n = 0, nch = 0;
    jbx_params *p = jbx_client_params(x->client);
    if (!find_array(x, x->dst)) return; /* fail now, not when the result arrives */
    if (jbx_params_needs_audio(p)) {
        t_word *vec = NULL;
        t_garray *a = find_array(x, x->src);
        if (!a) return;
        if (!garray_getfloatwords(a, &n, &vec)) {
            snprintf(err, sizeof err, "array '%s' is not a float array", x->src->s_name);
            report(x, JBX_LOCAL_NO_BUFFER, err);
            return;
        }
        if (n <= 0) {
            snprintf(err, sizeof err, "array '%s' is empty", x->src->s_name);
            report(x, JBX_LOCAL_EMPTY_BUFFER, err);
            return;
        }
        samples = malloc((size_t)n * sizeof(float));
        if (!samples) {
            report(x, JBX_LOCAL_NO_MEMORY, "out of memory");
            return;
        }
        for (int i = 0; i < n; i++) samples[i] = (float)vec[i].w_float;
        planes[0] = samples;
        nch = 1;
    }
    /* Pd arrays are mono and play at Pd's rate: ask for exactly that back. */
    jbx_params_set_out_channels(p, 1);
    jbx_params_set_out_sample_rate(p, (long)(sys_getsr() + 0.5));
    if (jbx_client_submit(x->client, nch ? planes : NULL, nch, n, sys_getsr(), err, sizeof err) < 0)
        report(x, JBX_LOCAL_BAD_REQUEST, err);
    free(samples);
    poll_soon(x);
}

static void jukebox_cancel(t_jukebox *x)
{
    if (jbx_client_cancel(x->client) == 1) post("jukebox~: nothing to cancel");
    poll_soon(x);
}

static void jukebox_ping(t_jukebox *x)
{
    if (jbx_client_ping(x->client) != 0) report(x, JBX_LOCAL_SEND, "cannot send ping");
    poll_soon(x);
}

static void jukebox_status(t_jukebox *x)
{
    if (jbx_client_status(x->client) != 0) report(x, JBX_LOCAL_SEND, "cannot send status");
    poll_soon(x);
}

static void jukebox_set(t_jukebox *x, t_symbol *src, t_symbol *dst)
{
    x->src = src;
    x->dst = *dst->s_name ? dst : src;
}

/* 'variations a b …': the arrays that receive variations 2, 3 … of a result (n_samples > 1). */
static void jukebox_variations(t_jukebox *x, t_symbol *s, int argc, t_atom *argv)
{
    (void)s;
    x->n_more_dst = 0;
    for (int k = 0; k < argc && x->n_more_dst < JBX_MAX_N_SAMPLES - 1; k++)
        if (argv[k].a_type == A_SYMBOL) x->more_dst[x->n_more_dst++] = atom_getsymbol(&argv[k]);
    if (argc > JBX_MAX_N_SAMPLES - 1)
        pd_error(x, "jukebox~: at most %d arrays for variations 2 …; the rest are ignored",
                 JBX_MAX_N_SAMPLES - 1);
}

/* Joins the atoms with spaces into buf; returns -1 (buf unchanged past its size) when they do not fit. */
static int join_atoms(int argc, t_atom *argv, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < argc; i++) {
        char word[MAXPDSTRING];
        atom_string(&argv[i], word, sizeof word);
        size_t n = strlen(word), sep = i ? 1 : 0;
        if (n + sep >= len - used) return -1;
        if (sep) buf[used++] = ' ';
        memcpy(buf + used, word, n + 1);
        used += n;
    }
    return 0;
}

/* A key file named relative to the patch's folder, as Pd users expect of a path in a patch. */
static void patch_path(t_jukebox *x, const char *path, char *buf, size_t len)
{
    if (!*path || path[0] == '/' || (path[0] && path[1] == ':') || !x->dir || !*x->dir->s_name)
        snprintf(buf, len, "%s", path);
    else
        snprintf(buf, len, "%s/%s", x->dir->s_name, path);
}

/* Every setting of the table (jbx_settings.h) is a message of its name: 'length 30', 'artist the beatles',
 * 'seed' alone (or any setting without a value) goes back to the default. A refused value is reported as
 * 'error bad_setting <message>', as the Max external does. */
static void jukebox_setting(t_jukebox *x, t_symbol *s, int argc, t_atom *argv)
{
    int id = jbx_setting_id(s->s_name);
    char err[1024], text[JBX_MAX_LYRICS_CHARS + 1], path[MAXPDSTRING];
    int was_curve = jbx_client_curve(x->client), rc;
    if (id < 0) return; /* only the table's names are registered */
    if (argc == 0) {
        rc = jbx_client_unset(x->client, id, err, sizeof err);
    } else if (jbx_setting_is_text(id)) {
        if (join_atoms(argc, argv, text, sizeof text) != 0) {
            snprintf(err, sizeof err, "%s is longer than %d characters", s->s_name, JBX_MAX_LYRICS_CHARS);
            report(x, JBX_LOCAL_BAD_SETTING, err);
            return;
        }
        if (jbx_settings[id].kind == JBX_FILE) {
            patch_path(x, text, path, sizeof path);
            rc = jbx_client_set_text(x->client, id, path, err, sizeof err);
        } else {
            rc = jbx_client_set_text(x->client, id, text, err, sizeof err);
        }
    } else if (argv[0].a_type != A_FLOAT) {
        snprintf(err, sizeof err, "%s takes a number", s->s_name);
        rc = -1;
    } else {
        rc = jbx_client_set_number(x->client, id, atom_getfloat(argv), err, sizeof err);
    }
    if (rc != 0) report(x, JBX_LOCAL_BAD_SETTING, err);
    if (jbx_settings[id].where == JBX_CLIENT) watch_fd(x); /* host and keys re-create the socket */
    if (jbx_client_curve(x->client) != was_curve)
        post("jukebox~: CURVE authentication %s", was_curve ? "off" : "on");
}

/* ---- lifecycle ---- */

static void *jukebox_new(t_symbol *src, t_symbol *dst)
{
    char err[512];
    jbx_client *c = jbx_client_new(NULL, err, sizeof err);
    if (!c) {
        pd_error(NULL, "jukebox~: %s", err);
        return NULL;
    }
    t_jukebox *x = (t_jukebox *)pd_new(jukebox_class);
    x->client = c;
    x->fd = -1;
    x->dir = canvas_getcurrentdir();
    x->cb.ctx = x;
    x->cb.progress = on_progress;
    x->cb.result = on_result;
    x->cb.error = on_error;
    x->cb.state = on_state;
    x->cb.pong = on_pong;
    x->cb.status = on_status;
    x->cb.host = on_host;
    jukebox_set(x, src, dst);
    x->out_done = outlet_new(&x->x_obj, &s_bang);
    x->out_progress = outlet_new(&x->x_obj, &s_float);
    x->out_info = outlet_new(&x->x_obj, &s_list);
    x->clock = clock_new(x, (t_method)tick);
    watch_fd(x);
    clock_delay(x->clock, TICK_MS);
    return x;
}

static void jukebox_free(t_jukebox *x)
{
    if (x->fd >= 0) sys_rmpollfn(x->fd);
    clock_free(x->clock);
    jbx_client_free(x->client);
}

/* The one symbol the external exports (everything else is built hidden). */
#ifdef _WIN32
#define JBX_PD_EXPORT __declspec(dllexport)
#else
#define JBX_PD_EXPORT __attribute__((visibility("default")))
#endif
JBX_PD_EXPORT void jukebox_tilde_setup(void);

void jukebox_tilde_setup(void)
{
    jukebox_class = class_new(gensym("jukebox~"), (t_newmethod)jukebox_new,
                              (t_method)jukebox_free, sizeof(t_jukebox), CLASS_DEFAULT,
                              A_DEFSYM, A_DEFSYM, 0);
    class_addbang(jukebox_class, jukebox_bang);
    class_addmethod(jukebox_class, (t_method)jukebox_cancel, gensym("cancel"), 0);
    class_addmethod(jukebox_class, (t_method)jukebox_ping, gensym("ping"), 0);
    class_addmethod(jukebox_class, (t_method)jukebox_status, gensym("status"), 0);
    class_addmethod(jukebox_class, (t_method)jukebox_set, gensym("set"), A_SYMBOL, A_DEFSYM, 0);
    class_addmethod(jukebox_class, (t_method)jukebox_variations, gensym("variations"), A_GIMME, 0);
    for (int id = 0; id < JBX_N_SETTINGS; id++) /* one message per setting, all through the table */
        class_addmethod(jukebox_class, (t_method)jukebox_setting, gensym(jbx_settings[id].name), A_GIMME, 0);
    post("jukebox~ %s (protocol v%d)", JBX_VERSION, JBX_PROTOCOL_VERSION);
}
