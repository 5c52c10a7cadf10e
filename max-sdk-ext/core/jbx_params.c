/* Setting values with the table's range checks; see jbx_params.h and jbx_settings.h. */
#include "jbx_params.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jbx_params_init(jbx_params *p)
{
    memset(p, 0, sizeof *p);
}

void jbx_params_destroy(jbx_params *p)
{
    for (int id = 0; id < JBX_N_SETTINGS; id++) free(p->text[id]);
    jbx_params_init(p);
}

void jbx_params_unset(jbx_params *p, int id)
{
    free(p->text[id]);
    p->text[id] = NULL;
    p->number[id] = 0.0;
    p->is_set[id] = 0;
}

int jbx_params_is_set(const jbx_params *p, int id)
{
    return p->is_set[id];
}

/* Whether word is one of the space-separated choices. */
static int is_choice(const char *choices, const char *word)
{
    size_t n = strlen(word);
    for (const char *c = choices; *c;) {
        size_t len = strcspn(c, " ");
        if (len == n && strncmp(c, word, n) == 0) return 1;
        c += len + (c[len] == ' ');
    }
    return 0;
}

int jbx_params_set_text(jbx_params *p, int id, const char *s, char *err, size_t errlen)
{
    const jbx_setting *set = &jbx_settings[id];
    if (!jbx_setting_is_text(id)) {
        snprintf(err, errlen, "%s takes a number", set->name);
        return -1;
    }
    if (!s || !*s) {
        jbx_params_unset(p, id);
        return 0;
    }
    size_t n = strlen(s);
    if (set->max > 0 && (double)n > set->max) {
        snprintf(err, errlen, "%s is longer than %.0f characters", set->name, set->max);
        return -1;
    }
    if (set->kind == JBX_CHOICE && !is_choice(set->choices, s)) {
        snprintf(err, errlen, "%s must be one of: %s (not '%s')", set->name, set->choices, s);
        return -1;
    }
    char *copy = malloc(n + 1);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(copy, s, n + 1);
    free(p->text[id]);
    p->text[id] = copy;
    p->is_set[id] = 1;
    return 0;
}

int jbx_params_set_number(jbx_params *p, int id, double v, char *err, size_t errlen)
{
    const jbx_setting *set = &jbx_settings[id];
    if (jbx_setting_is_text(id)) {
        snprintf(err, errlen, "%s takes text", set->name);
        return -1;
    }
    int unset = (set->kind == JBX_SWITCH || set->kind == JBX_SEED) ? v < 0 : v == 0;
    if (unset) {
        jbx_params_unset(p, id);
        return 0;
    }
    int whole = set->kind != JBX_NUMBER;
    int ok = isfinite(v) &&
             (set->kind == JBX_NUMBER ? v > set->min && v <= set->max : v >= set->min && v <= set->max) &&
             (!whole || (double)(long long)v == v); /* in range first: the cast is defined there */
    if (!ok) {
        if (set->kind == JBX_NUMBER)
            snprintf(err, errlen, "%s must be in (%g, %g], or 0 for the default", set->name, set->min, set->max);
        else if (set->kind == JBX_SWITCH)
            snprintf(err, errlen, "%s must be 0 or 1", set->name);
        else
            snprintf(err, errlen, "%s must be a whole number from %.0f to %.0f%s", set->name, set->min, set->max,
                     set->kind == JBX_SEED ? " (-1: random)" : ", or 0 for the default");
        return -1;
    }
    p->number[id] = v;
    p->is_set[id] = 1;
    return 0;
}

double jbx_params_number(const jbx_params *p, int id)
{
    return p->is_set[id] ? p->number[id] : strtod(jbx_settings[id].fallback, NULL);
}

const char *jbx_params_text(const jbx_params *p, int id)
{
    return p->is_set[id] && p->text[id] ? p->text[id] : jbx_settings[id].fallback;
}

void jbx_params_set_out_sample_rate(jbx_params *p, long sr)
{
    p->out_sample_rate = sr > 0 ? sr : 0;
}

void jbx_params_set_out_channels(jbx_params *p, long nch)
{
    p->out_channels = nch > 0 ? nch : 0;
}

const char *jbx_params_mode(const jbx_params *p)
{
    return jbx_params_text(p, JBX_S_mode);
}

size_t jbx_params_fields(const jbx_params *p, const char *mode, jbx_field *f)
{
    size_t n = 0;
    if (mode) f[n++] = jbx_f_str(jbx_settings[JBX_S_mode].name, mode);
    for (int id = 0; id < JBX_N_SETTINGS; id++) {
        const jbx_setting *set = &jbx_settings[id];
        if (set->where != JBX_WIRE || !p->is_set[id] || (mode && id == JBX_S_mode)) continue;
        switch (set->kind) {
        case JBX_TEXT:
        case JBX_CHOICE:
        case JBX_FILE: f[n++] = jbx_f_str(set->name, p->text[id]); break;
        case JBX_NUMBER: f[n++] = jbx_f_double(set->name, p->number[id]); break;
        case JBX_INT:
        case JBX_SEED: f[n++] = jbx_f_int(set->name, (long long)p->number[id]); break;
        case JBX_SWITCH: f[n++] = jbx_f_bool(set->name, p->number[id] != 0); break;
        }
    }
    if (p->out_sample_rate > 0) f[n++] = jbx_f_int("out_sample_rate", p->out_sample_rate);
    if (p->out_channels > 0) f[n++] = jbx_f_int("out_channels", p->out_channels);
    return n;
}

int jbx_params_needs_audio(const jbx_params *p)
{
    /* ancestral samples from the labels alone; continue extends the codes the host kept of the last result */
    const char *mode = jbx_params_mode(p);
    return strcmp(mode, "ancestral") != 0 && strcmp(mode, "continue") != 0;
}
