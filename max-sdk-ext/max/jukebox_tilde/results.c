/* jukebox~ for Max: the outlets, the console and buffer~ writes, as jbx_front (the core's shared front) drives
 * them. Main thread only (from the qelem). */
#include <stdio.h>

#include "jukebox_tilde.h"

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

void jukebox_report(t_jukebox *x, const char *code, const char *msg)
{
    jbx_front_report(&x->front, code, msg);
}

t_buffer_obj *jukebox_get_buffer(t_jukebox *x, t_buffer_ref *ref, t_symbol *name)
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
        jukebox_report(x, JBX_LOCAL_NO_BUFFER, "cannot lock the destination buffer~");
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
    if (variation == 0) return write_buffer(x, jukebox_get_buffer(x, x->dst_ref, x->dst), r);
    t_symbol *sym = gensym(name);
    t_buffer_ref *ref = buffer_ref_new((t_object *)x, sym);
    if (!ref) return 0;
    int written = write_buffer(x, jukebox_get_buffer(x, ref, sym), r);
    object_free(ref);
    return written;
}

const jbx_front_ops jukebox_max_ops = {"buffer~", write_variation, to_info, to_progress, to_done, to_console};
