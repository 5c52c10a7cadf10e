/* jukebox~ for Max: every setting of the core's table (jbx_settings.h) as an attribute of its kind, labelled, in
 * its category, saved with the patcher; the values live in the core. */
#include <stdio.h>

#include "jukebox_tilde.h"

/* A key path as the file system wants it (Max may hand out "Disk:/a/b"). */
static void conform_path(t_symbol *s, char *buf)
{
    if (path_nameconform(s->s_name, buf, PATH_STYLE_NATIVE, PATH_TYPE_BOOT) != 0)
        snprintf(buf, MAX_PATH_CHARS, "%s", s->s_name);
}

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
void jukebox_add_attributes(t_class *c)
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
