/* jukebox~ for Pure Data: a thin wrapper over the C core (../core).
 * [jukebox~ src dst]: bang sends array src (mono, at Pd's sample rate
 * sys_getsr()) to jukebox-host and writes the result into array dst.
 * Outlets: bang when dst holds the result | progress 0..1 | info lists. */
#include <stdlib.h>
#include <string.h>

#include "m_pd.h"
#include "s_stuff.h" /* sys_addpollfn / sys_rmpollfn */

#include "jbx_client.h"
#include "jbx_front.h"

#define TICK_MS 50.0 /* heartbeat/timeout granularity and poll backstop */

static t_class *jukebox_class;

typedef struct _jukebox {
    t_object x_obj;
    t_symbol *src, *dst;
    jbx_client *client;
    jbx_front front;                   /* results, outlets and console words: the core's (jbx_front.h) */
    jbx_callbacks cb;
    t_clock *clock;
    int fd;
    t_symbol *dir;                     /* the patch's folder, for relative key paths */
    t_outlet *out_done, *out_progress, *out_info;
} t_jukebox;

/* ---- outlets and console (jbx_front_ops) ---- */

static void to_info(void *ctx, const char *selector, int argc, const jbx_atom *argv)
{
    t_jukebox *x = ctx;
    t_atom a[16];
    if (argc > 16) argc = 16;
    for (int k = 0; k < argc; k++) {
        if (argv[k].kind == JBX_ATOM_SYMBOL)
            SETSYMBOL(&a[k], gensym(argv[k].symbol));
        else
            SETFLOAT(&a[k], (t_float)argv[k].number);
    }
    outlet_anything(x->out_info, gensym(selector), argc, a);
}

static void to_progress(void *ctx, double fraction)
{
    outlet_float(((t_jukebox *)ctx)->out_progress, (t_float)fraction);
}

static void to_done(void *ctx)
{
    outlet_bang(((t_jukebox *)ctx)->out_done);
}

static void to_console(void *ctx, jbx_console_level level, const char *text)
{
    if (level == JBX_CONSOLE_POST)
        post("jukebox~: %s", text);
    else
        pd_error(ctx, "jukebox~: %s", text);
}

static void report(t_jukebox *x, const char *code, const char *msg)
{
    jbx_front_report(&x->front, code, msg);
}

/* ---- arrays ---- */

static t_garray *find_array(t_jukebox *x, t_symbol *name)
{
    t_garray *a = name && *name->s_name ? (t_garray *)pd_findbyclass(name, garray_class) : NULL;
    if (!a) jbx_front_buffer_missing(&x->front, name ? name->s_name : "");
    return a;
}

/* Writes one variation into its array (dst, or the one called name), where r->place says (jbx_place). */
static int write_array(void *ctx, int variation, const char *name, const jbx_result *r)
{
    t_jukebox *x = ctx;
    t_symbol *array = variation == 0 ? x->dst : gensym(name);
    t_garray *a = find_array(x, array);
    if (!a) return 0;
    if (r->place == JBX_PLACE_NONE) return 1; /* the chunks wrote it all */
    int n = 0;
    t_word *vec = NULL;
    long offset = 0, needed = jbx_result_buffer_frames(r, garray_npoints(a), &offset);
    if (needed < 1) needed = 1; /* a Pd array holds at least one point */
    if (needed != garray_npoints(a)) garray_resize_long(a, needed);
    if (!garray_getfloatwords(a, &n, &vec)) {
        char msg[MAXPDSTRING];
        snprintf(msg, sizeof msg, "array '%s' is not a float array", array->s_name);
        report(x, JBX_LOCAL_NO_BUFFER, msg);
        return 0;
    }
    for (long i = offset; i < n; i++) { /* a whole result's array past its end (length 0 keeps 1): silence */
        long k = i - offset;
        if (k < r->frames) vec[i].w_float = r->channels > 0 ? (t_float)r->planes[0][k] : 0;
        else if (r->place == JBX_PLACE_WHOLE) vec[i].w_float = 0;
        else break;
    }
    garray_redraw(a);
    return 1;
}

static const jbx_front_ops pd_ops = {"array", write_array, to_info, to_progress, to_done, to_console};

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
            jbx_front_buffer_empty(&x->front, x->src->s_name);
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
    jbx_front_submit(&x->front, x->client, planes, nch, n, sys_getsr());
    free(samples);
    poll_soon(x);
}

static void jukebox_cancel(t_jukebox *x)
{
    jbx_front_cancel(&x->front, x->client);
    poll_soon(x);
}

static void jukebox_ping(t_jukebox *x)
{
    jbx_front_ping(&x->front, x->client);
    poll_soon(x);
}

static void jukebox_status(t_jukebox *x)
{
    jbx_front_status(&x->front, x->client);
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
    const char *names[JBX_MAX_N_SAMPLES];
    int n = argc < JBX_MAX_N_SAMPLES ? argc : JBX_MAX_N_SAMPLES; /* one past the most: warned of */
    for (int k = 0; k < n; k++) names[k] = argv[k].a_type == A_SYMBOL ? atom_getsymbol(&argv[k])->s_name : NULL;
    jbx_front_set_variations(&x->front, n, names, argc);
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
    jbx_front_setting_done(&x->front, x->client, rc, err, was_curve);
    if (jbx_settings[id].where == JBX_CLIENT) watch_fd(x); /* host and keys re-create the socket */
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
    jbx_front_init(&x->front, &pd_ops, x);
    x->cb = jbx_front_callbacks(&x->front);
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
