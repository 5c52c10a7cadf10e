/* jukebox~ for Max: a thin wrapper over the C core (../../core).
 * [jukebox~ src dst]: bang sends buffer~ src (all its channels, at its sample
 * rate) to jukebox-host and writes the result into buffer~ dst (resized, at
 * dst's rate and channel count).
 *
 * Threading: the core is only touched on the main thread. Messages that may
 * come from the scheduler thread are deferred; the socket is polled from a
 * qelem (main thread) that a clock sets; buffers are written on the main
 * thread. Nothing here runs in the audio thread. */
#include <stdlib.h>
#include <string.h>

#include "ext.h"
#include "ext_obex.h"
#include "ext_systhread.h"
#include "ext_buffer.h"

#include "jbx_client.h"
#include "jbx_front.h"

#define POLL_MS 20.0

typedef struct _jukebox {
    t_object ob;
    t_buffer_ref *src_ref, *dst_ref;
    t_symbol *src, *dst;
    jbx_client *client;
    jbx_front front; /* results, outlets and console words: the core's (jbx_front.h) */
    jbx_callbacks cb;
    t_clock *clock;
    t_qelem *qelem;
    void *out_done, *out_progress, *out_info;
    /* Attributes live in the core (jbx_settings.h), set and read through the accessors below. */
} t_jukebox;

static t_class *jukebox_class;

/* ---- outlets and console (jbx_front_ops) ---- */

static void to_info(void *ctx, const char *selector, int argc, const jbx_atom *argv)
{
    t_atom a[16];
    if (argc > 16) argc = 16;
    for (int k = 0; k < argc; k++) {
        if (argv[k].kind == JBX_ATOM_SYMBOL)
            atom_setsym(&a[k], gensym(argv[k].symbol));
        else if (argv[k].kind == JBX_ATOM_INT)
            atom_setlong(&a[k], (t_atom_long)argv[k].number);
        else
            atom_setfloat(&a[k], argv[k].number);
    }
    outlet_anything(((t_jukebox *)ctx)->out_info, gensym(selector), (short)argc, a);
}

static void to_progress(void *ctx, double fraction)
{
    outlet_float(((t_jukebox *)ctx)->out_progress, fraction);
}

static void to_done(void *ctx)
{
    outlet_bang(((t_jukebox *)ctx)->out_done);
}

static void to_console(void *ctx, jbx_console_level level, const char *text)
{
    if (level == JBX_CONSOLE_POST)
        object_post((t_object *)ctx, "%s", text);
    else if (level == JBX_CONSOLE_WARN)
        object_warn((t_object *)ctx, "%s", text);
    else
        object_error((t_object *)ctx, "%s", text);
}

static void report(t_jukebox *x, const char *code, const char *msg)
{
    jbx_front_report(&x->front, code, msg);
}

static t_buffer_obj *get_buffer(t_jukebox *x, t_buffer_ref *ref, t_symbol *name)
{
    t_buffer_obj *b = buffer_ref_getobject(ref);
    if (!b) jbx_front_buffer_missing(&x->front, name ? name->s_name : "");
    return b;
}

/* ---- results (main thread, from the qelem) ---- */

/* Writes one variation into buffer~ b (its own channel count), where r->place says (jbx_place). */
static int write_buffer(t_jukebox *x, t_buffer_obj *b, const jbx_result *r)
{
    if (!b || r->channels < 1) return 0;
    if (r->place == JBX_PLACE_NONE) return 1; /* the chunks wrote it all */
    long offset = 0, needed = jbx_result_buffer_frames(r, (long)buffer_getframecount(b), &offset);
    if ((long)buffer_getframecount(b) != needed) {
        t_atom a;
        atom_setlong(&a, needed);
        buffer_edit_begin(b);
        object_method_typed(b, gensym("sizeinsamps"), 1, &a, NULL);
        buffer_edit_end(b, 1);
    }
    float *samples = buffer_locksamples(b);
    if (!samples) {
        report(x, JBX_LOCAL_NO_BUFFER, "cannot lock the destination buffer~");
        return 0;
    }
    long nch = (long)buffer_getchannelcount(b);
    long frames = (long)buffer_getframecount(b) - offset;
    if (frames > r->frames) frames = r->frames;
    for (long c = 0; c < nch; c++) {
        const float *plane = r->planes[c < r->channels ? c : r->channels - 1];
        for (long i = 0; i < frames; i++) samples[(offset + i) * nch + c] = plane[i];
    }
    buffer_setdirty(b);
    buffer_unlocksamples(b);
    return 1;
}

/* dst through its buffer_ref; variation k > 0 to the buffer~ named by 'variations', looked up now. */
static int write_variation(void *ctx, int variation, const char *name, const jbx_result *r)
{
    t_jukebox *x = ctx;
    if (variation == 0) return write_buffer(x, get_buffer(x, x->dst_ref, x->dst), r);
    t_symbol *sym = gensym(name);
    t_buffer_ref *ref = buffer_ref_new((t_object *)x, sym);
    if (!ref) return 0;
    int written = write_buffer(x, get_buffer(x, ref, sym), r);
    object_free(ref);
    return written;
}

static const jbx_front_ops max_ops = {"buffer~", write_variation, to_info, to_progress, to_done, to_console};

/* ---- polling: clock (any thread) -> qelem (main thread) ---- */



/* A key path as the file system wants it (Max may hand out "Disk:/a/b"). */
static void conform_path(t_symbol *s, char *buf)
{
    if (path_nameconform(s->s_name, buf, PATH_STYLE_NATIVE, PATH_TYPE_BOOT) != 0)
        snprintf(buf, MAX_PATH_CHARS, "%s", s->s_name);
}

static void poll_main(t_jukebox *x)
{
    jbx_client_tick(x->client, &x->cb);
    clock_fdelay(x->clock, POLL_MS);
}

static void clock_tick(t_jukebox *x)
{
    qelem_set(x->qelem);
}

/* ---- attributes: one per row of the settings table, kept in the core ---- */

/* A refused value is reported when it is set (and the attribute keeps its value). */
static t_max_err set_setting(t_jukebox *x, int id, long argc, t_atom *argv)
{
    char err[1024], path[MAX_PATH_CHARS];
    int rc;
    int was_curve = jbx_client_curve(x->client);
    if (argc < 1 || (atom_gettype(argv) == A_SYM && *atom_getsym(argv)->s_name == '\0')) {
        rc = jbx_client_unset(x->client, id, err, sizeof err);
    } else if (jbx_setting_is_text(id)) {
        t_symbol *text = atom_gettype(argv) == A_SYM ? atom_getsym(argv) : gensym("");
        if (jbx_settings[id].kind == JBX_FILE) {
            conform_path(text, path);
            rc = jbx_client_set_text(x->client, id, path, err, sizeof err);
        } else {
            rc = jbx_client_set_text(x->client, id, text->s_name, err, sizeof err);
        }
    } else {
        rc = jbx_client_set_number(x->client, id, atom_getfloat(argv), err, sizeof err);
    }
    jbx_front_setting_done(&x->front, x->client, rc, err, was_curve);
    return MAX_ERR_NONE;
}

static t_max_err get_setting(t_jukebox *x, int id, long *argc, t_atom **argv)
{
    char alloc;
    if (atom_alloc(argc, argv, &alloc) != MAX_ERR_NONE) return MAX_ERR_OUT_OF_MEM;
    const jbx_params *p = jbx_client_params(x->client);
    jbx_kind kind = jbx_settings[id].kind;
    if (jbx_setting_is_text(id))
        atom_setsym(*argv, gensym(jbx_params_text(p, id)));
    else if (kind == JBX_NUMBER)
        atom_setfloat(*argv, jbx_params_number(p, id));
    else
        atom_setlong(*argv, (t_atom_long)jbx_params_number(p, id));
    return MAX_ERR_NONE;
}

/* Max's accessors carry no name: one pair per setting, made from the table. */
#define JBX_MAX_ACCESSORS(name, ...)                                                                     \
    static t_max_err set_##name(t_jukebox *x, void *attr, long argc, t_atom *argv)                       \
    {                                                                                                    \
        (void)attr;                                                                                      \
        return set_setting(x, JBX_S_##name, argc, argv);                                                 \
    }                                                                                                    \
    static t_max_err get_##name(t_jukebox *x, void *attr, long *argc, t_atom **argv)                     \
    {                                                                                                    \
        (void)attr;                                                                                      \
        return get_setting(x, JBX_S_##name, argc, argv);                                                 \
    }
JBX_SETTINGS(JBX_MAX_ACCESSORS)
#undef JBX_MAX_ACCESSORS

static const method setting_setters[JBX_N_SETTINGS] = {
#define JBX_MAX_SETTER(name, ...) (method)set_##name,
    JBX_SETTINGS(JBX_MAX_SETTER)
#undef JBX_MAX_SETTER
};
static const method setting_getters[JBX_N_SETTINGS] = {
#define JBX_MAX_GETTER(name, ...) (method)get_##name,
    JBX_SETTINGS(JBX_MAX_GETTER)
#undef JBX_MAX_GETTER
};

/* Each setting as an attribute of its kind, labelled, in its category, saved with the patcher. */
static void add_attributes(t_class *c)
{
    for (int id = 0; id < JBX_N_SETTINGS; id++) {
        const jbx_setting *set = &jbx_settings[id];
        t_symbol *type = jbx_setting_is_text(id) ? gensym("symbol") : set->kind == JBX_NUMBER ? gensym("float64")
                                                                                            : gensym("long");
        class_addattr(c, attribute_new(set->name, type, 0, setting_getters[id], setting_setters[id]));
        CLASS_ATTR_LABEL(c, set->name, 0, set->help);
        CLASS_ATTR_CATEGORY(c, set->name, 0, set->category);
        CLASS_ATTR_SAVE(c, set->name, 0);
        if (set->kind == JBX_SWITCH) CLASS_ATTR_STYLE(c, set->name, 0, "onoff");
        if (set->kind == JBX_FILE) CLASS_ATTR_STYLE(c, set->name, 0, "file");
        if (set->kind == JBX_CHOICE) CLASS_ATTR_ENUM(c, set->name, 0, set->choices);
    }
}

/* ---- messages (main thread; deferred there when they arrive elsewhere) ---- */

/* MAIN_THREAD_METHOD(name) defines jukebox_<name>, the A_GIMME method Max
 * calls, which runs do_<name> now on the main thread or defers it there.
 * do_<name> has defer's signature (short argc); defer copies the atoms. */
#define MAIN_THREAD_METHOD(name)                                                \
    static void jukebox_##name(t_jukebox *x, t_symbol *s, long argc, t_atom *argv) \
    {                                                                           \
        if (systhread_ismainthread())                                          \
            do_##name(x, s, (short)argc, argv);                                 \
        else                                                                    \
            defer(x, (method)do_##name, s, (short)argc, argv);                  \
    }

static void do_bang(t_jukebox *x, t_symbol *s, short argc, t_atom *argv)
{
    (void)s;
    (void)argc;
    (void)argv;
    t_buffer_obj *dst = get_buffer(x, x->dst_ref, x->dst);
    if (!dst) return;
    long out_sr = (long)(buffer_getsamplerate(dst) + 0.5);
    long out_ch = (long)buffer_getchannelcount(dst);
    jbx_params *p = jbx_client_params(x->client); /* the result as dst holds it: its rate and channels */
    jbx_params_set_out_sample_rate(p, out_sr);
    jbx_params_set_out_channels(p, out_ch > JBX_MAX_CHANNELS ? JBX_MAX_CHANNELS : out_ch);
    float *planes_mem = NULL;
    const float *planes[JBX_MAX_CHANNELS] = {0};
    long frames = 0, nch = 0;
    double sr = out_sr;
    if (jbx_params_needs_audio(jbx_client_params(x->client))) {
        t_buffer_obj *src = get_buffer(x, x->src_ref, x->src);
        if (!src) return;
        frames = (long)buffer_getframecount(src);
        nch = (long)buffer_getchannelcount(src);
        sr = buffer_getsamplerate(src);
        if (frames <= 0 || nch <= 0) {
            jbx_front_buffer_empty(&x->front, x->src->s_name);
            return;
        }
        if (nch > JBX_MAX_CHANNELS) {
            object_warn((t_object *)x, "sending the first %d of %ld channels", JBX_MAX_CHANNELS, nch);
            nch = JBX_MAX_CHANNELS;
        }
        long stride = (long)buffer_getchannelcount(src);
        planes_mem = malloc((size_t)frames * (size_t)nch * sizeof(float));
        if (!planes_mem) {
            report(x, JBX_LOCAL_NO_MEMORY, "out of memory");
            return;
        }
        float *samples = buffer_locksamples(src); /* held only during the copy */
        if (!samples) {
            free(planes_mem);
            report(x, JBX_LOCAL_NO_BUFFER, "cannot lock the source buffer~");
            return;
        }
        for (long c = 0; c < nch; c++) {
            float *plane = planes_mem + c * frames;
            for (long i = 0; i < frames; i++) plane[i] = samples[i * stride + c];
            planes[c] = plane;
        }
        buffer_unlocksamples(src);
    }
    jbx_front_submit(&x->front, x->client, planes, (int)nch, frames, sr);
    free(planes_mem);
    qelem_set(x->qelem); /* replies may already wait without a new edge */
}

MAIN_THREAD_METHOD(bang)

/* bang is registered with no arguments, as Max expects for "bang". */
static void jukebox_bang_plain(t_jukebox *x)
{
    jukebox_bang(x, gensym("bang"), 0, NULL);
}

static void do_cancel(t_jukebox *x, t_symbol *s, short argc, t_atom *argv)
{
    (void)s;
    (void)argc;
    (void)argv;
    jbx_front_cancel(&x->front, x->client);
    qelem_set(x->qelem);
}

static void do_ping(t_jukebox *x, t_symbol *s, short argc, t_atom *argv)
{
    (void)s;
    (void)argc;
    (void)argv;
    jbx_front_ping(&x->front, x->client);
    qelem_set(x->qelem);
}

static void do_status(t_jukebox *x, t_symbol *s, short argc, t_atom *argv)
{
    (void)s;
    (void)argc;
    (void)argv;
    jbx_front_status(&x->front, x->client);
    qelem_set(x->qelem);
}

static void do_set(t_jukebox *x, t_symbol *s, short argc, t_atom *argv)
{
    (void)s;
    if (argc < 1 || atom_gettype(argv) != A_SYM) {
        object_error((t_object *)x, "set needs a source buffer~ name");
        return;
    }
    x->src = atom_getsym(argv);
    x->dst = (argc > 1 && atom_gettype(argv + 1) == A_SYM) ? atom_getsym(argv + 1) : x->src;
    buffer_ref_set(x->src_ref, x->src);
    buffer_ref_set(x->dst_ref, x->dst);
}

MAIN_THREAD_METHOD(cancel)
MAIN_THREAD_METHOD(ping)
MAIN_THREAD_METHOD(status)
MAIN_THREAD_METHOD(set)

/* 'variations a b …': the buffer~s that receive variations 2, 3 … of a result (n_samples > 1). */
static void do_variations(t_jukebox *x, t_symbol *s, short argc, t_atom *argv)
{
    (void)s;
    const char *names[JBX_MAX_N_SAMPLES];
    int n = argc < JBX_MAX_N_SAMPLES ? argc : JBX_MAX_N_SAMPLES; /* one past the most: warned of */
    for (int k = 0; k < n; k++) names[k] = atom_gettype(argv + k) == A_SYM ? atom_getsym(argv + k)->s_name : NULL;
    jbx_front_set_variations(&x->front, argc > n ? argc : n, names);
}
MAIN_THREAD_METHOD(variations)

static t_max_err jukebox_notify(t_jukebox *x, t_symbol *s, t_symbol *msg, void *sender, void *data)
{
    buffer_ref_notify(x->src_ref, s, msg, sender, data);
    return buffer_ref_notify(x->dst_ref, s, msg, sender, data);
}

static void jukebox_assist(t_jukebox *x, void *b, long m, long a, char *s)
{
    (void)x;
    (void)b;
    static const char *const outs[] = {
        "bang: the result is in the destination buffer~",
        "float: progress 0..1",
        "info: state, error <code> <message>, preview, pong, status, host lost/back"};
    if (m == ASSIST_INLET)
        snprintf(s, ASSIST_MAX_STRING_LEN, "bang, cancel, set src dst, status, ping, attributes");
    else if (a >= 0 && a < 3)
        snprintf(s, ASSIST_MAX_STRING_LEN, "%s", outs[a]);
}

/* ---- lifecycle ---- */

static void *jukebox_new(t_symbol *s, long argc, t_atom *argv)
{
    (void)s;
    char err[512];
    t_jukebox *x = (t_jukebox *)object_alloc(jukebox_class);
    if (!x) return NULL;
    x->client = jbx_client_new(NULL, err, sizeof err);
    if (!x->client) {
        object_error((t_object *)x, "%s", err);
        object_free(x);
        return NULL;
    }
    jbx_front_init(&x->front, &max_ops, x);
    x->cb = jbx_front_callbacks(&x->front);

    long nargs = attr_args_offset((short)argc, argv);
    x->src = nargs > 0 && atom_gettype(argv) == A_SYM ? atom_getsym(argv) : gensym("");
    x->dst = nargs > 1 && atom_gettype(argv + 1) == A_SYM ? atom_getsym(argv + 1) : x->src;
    x->src_ref = buffer_ref_new((t_object *)x, x->src);
    x->dst_ref = buffer_ref_new((t_object *)x, x->dst);

    /* Max outlets are created right to left */
    x->out_info = outlet_new(x, NULL);
    x->out_progress = floatout(x);
    x->out_done = bangout(x);
    x->qelem = qelem_new(x, (method)poll_main);
    x->clock = clock_new(x, (method)clock_tick);
    attr_args_process(x, (short)argc, argv);
    clock_fdelay(x->clock, POLL_MS);
    return x;
}

static void jukebox_free(t_jukebox *x)
{
    if (x->clock) {
        clock_unset(x->clock);
        object_free(x->clock);
    }
    if (x->qelem) qelem_free(x->qelem);
    if (x->src_ref) object_free(x->src_ref);
    if (x->dst_ref) object_free(x->dst_ref);
    jbx_client_free(x->client);
}


void ext_main(void *r)
{
    (void)r;
    t_class *c = class_new("jukebox~", (method)jukebox_new, (method)jukebox_free,
                           (long)sizeof(t_jukebox), 0L, A_GIMME, 0);
    class_addmethod(c, (method)jukebox_bang_plain, "bang", 0);
    class_addmethod(c, (method)jukebox_cancel, "cancel", A_GIMME, 0);
    class_addmethod(c, (method)jukebox_ping, "ping", A_GIMME, 0);
    class_addmethod(c, (method)jukebox_status, "status", A_GIMME, 0);
    class_addmethod(c, (method)jukebox_set, "set", A_GIMME, 0);
    class_addmethod(c, (method)jukebox_variations, "variations", A_GIMME, 0);
    class_addmethod(c, (method)jukebox_notify, "notify", A_CANT, 0);
    class_addmethod(c, (method)jukebox_assist, "assist", A_CANT, 0);

    add_attributes(c);

    class_register(CLASS_BOX, c);
    jukebox_class = c;
    post("jukebox~ %s (protocol v%d)", JBX_VERSION, JBX_PROTOCOL_VERSION);
}

#ifdef WIN_VERSION
#include <windows.h>
/* MaxAudio.lib carries a DllMain of its own, which mingw's linker would wire into this DLL: ours does nothing. */
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved);
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
#endif
