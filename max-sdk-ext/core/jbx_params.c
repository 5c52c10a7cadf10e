/* Generate settings with range checks; see jbx_params.h. */
#include "jbx_params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jbx_protocol.h"

void jbx_params_init(jbx_params *p)
{
    memset(p, 0, sizeof *p);
    p->preview = -1;
    p->stream = -1;
}

void jbx_params_destroy(jbx_params *p)
{
    free(p->model);
    free(p->artist);
    free(p->genre);
    free(p->lyrics);
    jbx_params_init(p);
}

/* Replaces *slot with a copy of s (NULL/"" = unset). */
static int set_string(char **slot, const char *s, char *err, size_t errlen)
{
    char *copy = NULL;
    if (s && *s) {
        size_t n = strlen(s) + 1;
        copy = malloc(n);
        if (!copy) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        memcpy(copy, s, n);
    }
    free(*slot);
    *slot = copy;
    return 0;
}

int jbx_params_set_model(jbx_params *p, const char *s, char *err, size_t errlen)
{
    return set_string(&p->model, s, err, errlen);
}

int jbx_params_set_artist(jbx_params *p, const char *s, char *err, size_t errlen)
{
    return set_string(&p->artist, s, err, errlen);
}

int jbx_params_set_genre(jbx_params *p, const char *s, char *err, size_t errlen)
{
    return set_string(&p->genre, s, err, errlen);
}

int jbx_params_set_lyrics(jbx_params *p, const char *s, char *err, size_t errlen)
{
    if (s && strlen(s) > JBX_MAX_LYRICS_CHARS) {
        snprintf(err, errlen, "lyrics longer than %d characters", JBX_MAX_LYRICS_CHARS);
        return -1;
    }
    return set_string(&p->lyrics, s, err, errlen);
}

int jbx_params_set_mode(jbx_params *p, const char *mode, char *err, size_t errlen)
{
    if (!mode || !*mode) {
        p->mode[0] = '\0';
        return 0;
    }
    if (strcmp(mode, "primed") != 0 && strcmp(mode, "ancestral") != 0 &&
        strcmp(mode, "upsample") != 0 && strcmp(mode, "continue") != 0) {
        snprintf(err, errlen, "mode must be primed, ancestral, upsample or continue, not '%s'", mode);
        return -1;
    }
    snprintf(p->mode, sizeof p->mode, "%s", mode);
    return 0;
}

/* A numeric setting: 0 unsets it (the host's default applies), anything else must lie in (0, hi].
 * Returns 0 (value and flag set), or -1 (err filled in, previous value kept) when out of range. */
static int set_number(double v, double hi, const char *what, const char *unit, double *value,
                      unsigned char *has, char *err, size_t errlen)
{
    if (v != 0 && !(v > 0.0 && v <= hi)) {
        snprintf(err, errlen, "%s must be in (0, %g]%s", what, hi, unit);
        return -1;
    }
    *value = v;
    *has = v != 0;
    return 0;
}

int jbx_params_set_length(jbx_params *p, double s, char *err, size_t errlen)
{
    return set_number(s, JBX_MAX_OUTPUT_SECONDS, "length", " seconds", &p->length, &p->has_length, err, errlen);
}

int jbx_params_set_song_length(jbx_params *p, double s, char *err, size_t errlen)
{
    return set_number(s, JBX_MAX_OUTPUT_SECONDS, "song_length", " seconds", &p->song_length, &p->has_song_length,
                      err, errlen);
}

int jbx_params_set_prompt(jbx_params *p, double s, char *err, size_t errlen)
{
    return set_number(s, JBX_MAX_INPUT_SECONDS, "prompt", " seconds", &p->prompt, &p->has_prompt, err, errlen);
}

int jbx_params_set_levels(jbx_params *p, long n, char *err, size_t errlen)
{
    if (n == 0) { /* 0 = unset: the host default applies */
        p->has_levels = 0;
        return 0;
    }
    if (n < 1 || n > 3) {
        snprintf(err, errlen, "levels must be 1, 2 or 3");
        return -1;
    }
    p->levels = n;
    p->has_levels = 1;
    return 0;
}

int jbx_params_set_temperature(jbx_params *p, double t, char *err, size_t errlen)
{
    return set_number(t, 2.0, "temperature", "", &p->temperature, &p->has_temperature, err, errlen);
}

int jbx_params_set_hop_fraction(jbx_params *p, double h, char *err, size_t errlen)
{
    return set_number(h, 1.0, "hop_fraction", "", &p->hop_fraction, &p->has_hop, err, errlen);
}

int jbx_params_set_n_samples(jbx_params *p, long n, char *err, size_t errlen)
{
    if (n == 0) { /* 0 = unset: the host default applies */
        p->has_n_samples = 0;
        return 0;
    }
    if (n < 1 || n > 16) { /* the host's limit: one batch */
        snprintf(err, errlen, "n_samples must be 1 to %d", JBX_MAX_N_SAMPLES);
        return -1;
    }
    p->n_samples = n;
    p->has_n_samples = 1;
    return 0;
}

void jbx_params_set_seed(jbx_params *p, long long seed)
{
    p->seed = seed;
    p->has_seed = 1;
}

void jbx_params_clear_seed(jbx_params *p)
{
    p->has_seed = 0;
}

void jbx_params_set_out_sample_rate(jbx_params *p, long sr)
{
    p->out_sample_rate = sr > 0 ? sr : 0;
}

void jbx_params_set_out_channels(jbx_params *p, long nch)
{
    p->out_channels = nch > 0 ? nch : 0;
}

void jbx_params_set_preview(jbx_params *p, int on)
{
    p->preview = on < 0 ? -1 : (on != 0);
}

void jbx_params_set_stream(jbx_params *p, int on)
{
    p->stream = on < 0 ? -1 : (on != 0);
}

int jbx_params_set_chain(jbx_params *p, long n, char *err, size_t errlen)
{
    if (n < 0 || n > JBX_MAX_CHAIN) {
        snprintf(err, errlen, "chain must be 0 (off) to %d links", JBX_MAX_CHAIN);
        return -1;
    }
    p->chain = n;
    return 0;
}

const char *jbx_params_mode(const jbx_params *p)
{
    return p->mode[0] ? p->mode : "primed";
}


size_t jbx_params_fields(const jbx_params *p, jbx_field *f)
{
    size_t n = 0;
    if (p->mode[0]) f[n++] = jbx_f_str("mode", p->mode);
    if (p->model) f[n++] = jbx_f_str("model", p->model);
    if (p->has_length) f[n++] = jbx_f_double("length", p->length);
    if (p->has_song_length) f[n++] = jbx_f_double("song_length", p->song_length);
    if (p->has_prompt) f[n++] = jbx_f_double("prompt", p->prompt);
    if (p->has_levels) f[n++] = jbx_f_int("levels", p->levels);
    if (p->has_temperature) f[n++] = jbx_f_double("temperature", p->temperature);
    if (p->has_hop) f[n++] = jbx_f_double("hop_fraction", p->hop_fraction);
    if (p->has_n_samples) f[n++] = jbx_f_int("n_samples", p->n_samples);
    if (p->has_seed) f[n++] = jbx_f_int("seed", p->seed);
    if (p->artist) f[n++] = jbx_f_str("artist", p->artist);
    if (p->genre) f[n++] = jbx_f_str("genre", p->genre);
    if (p->lyrics) f[n++] = jbx_f_str("lyrics", p->lyrics);
    if (p->out_sample_rate > 0) f[n++] = jbx_f_int("out_sample_rate", p->out_sample_rate);
    if (p->out_channels > 0) f[n++] = jbx_f_int("out_channels", p->out_channels);
    if (p->preview >= 0) f[n++] = jbx_f_bool("preview", p->preview);
    if (p->stream >= 0) f[n++] = jbx_f_bool("stream", p->stream);
    return n;
}

int jbx_params_needs_audio(const jbx_params *p)
{
    /* ancestral samples from the labels alone; continue extends the codes the host kept of the last result */
    const char *mode = jbx_params_mode(p);
    return strcmp(mode, "ancestral") != 0 && strcmp(mode, "continue") != 0;
}
