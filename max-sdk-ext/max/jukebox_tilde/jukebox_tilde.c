/* jukebox~ for Max: a thin wrapper over the C core (../../core).
 * [jukebox~ src dst]: bang sends buffer~ src (all its channels, at its sample
 * rate) to jukebox-host and writes the result into buffer~ dst (resized, at
 * dst's rate and channel count).
 *
 * Threading: the core is only touched on the main thread. Messages that may
 * come from the scheduler thread are deferred; the socket is polled from a
 * qelem (main thread) that a clock sets; buffers are written on the main
 * thread. Nothing here runs in the audio thread. The object's other files:
 * jukebox_tilde.h. */
#include <stdlib.h>
#include <string.h>

#include "ext_systhread.h"

#include "jukebox_tilde.h"

static t_class *jukebox_class;

/* ---- polling: clock (any thread) -> qelem (main thread) ---- */

static void poll_main(t_jukebox *x)
{
    jbx_client_tick(x->client, &x->cb);
    clock_fdelay(x->clock, POLL_MS);
}

static void clock_tick(t_jukebox *x)
{
    qelem_set(x->qelem);
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
    t_buffer_obj *dst = jukebox_get_buffer(x, x->dst_ref, x->dst);
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
        t_buffer_obj *src = jukebox_get_buffer(x, x->src_ref, x->src);
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
            jukebox_report(x, JBX_LOCAL_NO_MEMORY, "out of memory");
            return;
        }
        float *samples = buffer_locksamples(src); /* held only during the copy */
        if (!samples) {
            free(planes_mem);
            jukebox_report(x, JBX_LOCAL_NO_BUFFER, "cannot lock the source buffer~");
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
    jbx_front_set_variations(&x->front, n, names, argc);
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
    jbx_front_init(&x->front, &jukebox_max_ops, x);
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

    jukebox_add_attributes(c);

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
