/* Settings of a generate request. Anything not set is left out of the header
 * so the host's defaults apply (docs/PROTOCOL.md, "generate"). */
#ifndef JBX_PARAMS_H
#define JBX_PARAMS_H

#include <stddef.h>

#include "jbx_msg.h"

typedef struct jbx_params {
    char *model, *artist, *genre, *lyrics; /* NULL = unset (heap copies) */
    char mode[16];                          /* "" = unset (host: primed) */
    double length, song_length, prompt, temperature, hop_fraction;
    long levels, n_samples, out_sample_rate, out_channels;
    long chain;                             /* client-side, never sent: links after a job (0 = off) */
    long long seed;
    int preview;                            /* -1 = unset */
    int stream;                             /* -1 = unset */
    unsigned char has_length, has_song_length, has_prompt, has_temperature, has_hop; /* 0 = unset */
    unsigned has_levels : 1, has_n_samples : 1, has_seed : 1;
} jbx_params;

/* Most fields a generate header can carry (the common ones included). */
#define JBX_MAX_FIELDS 24

void jbx_params_init(jbx_params *p);
void jbx_params_destroy(jbx_params *p);

/* Strings are copied; NULL or "" unsets; for numbers 0 unsets. Return 0, or -1 with err filled in
 * when the value is out of range (out of memory included); the previous value
 * is kept then. */
int jbx_params_set_model(jbx_params *p, const char *model, char *err, size_t errlen);
int jbx_params_set_artist(jbx_params *p, const char *artist, char *err, size_t errlen);
int jbx_params_set_genre(jbx_params *p, const char *genre, char *err, size_t errlen);
int jbx_params_set_lyrics(jbx_params *p, const char *lyrics, char *err, size_t errlen);
int jbx_params_set_mode(jbx_params *p, const char *mode, char *err, size_t errlen);
int jbx_params_set_length(jbx_params *p, double seconds, char *err, size_t errlen);
/* The length of the whole song the result starts (OpenAI's total_sample_length_in_seconds): it labels the
 * result; the host checks it against the model's range. */
int jbx_params_set_song_length(jbx_params *p, double seconds, char *err, size_t errlen);
int jbx_params_set_prompt(jbx_params *p, double seconds, char *err, size_t errlen);
int jbx_params_set_levels(jbx_params *p, long levels, char *err, size_t errlen);
int jbx_params_set_temperature(jbx_params *p, double t, char *err, size_t errlen);
int jbx_params_set_hop_fraction(jbx_params *p, double h, char *err, size_t errlen);
int jbx_params_set_n_samples(jbx_params *p, long n, char *err, size_t errlen);
void jbx_params_set_seed(jbx_params *p, long long seed);
void jbx_params_clear_seed(jbx_params *p);
void jbx_params_set_out_sample_rate(jbx_params *p, long sr); /* <= 0 unsets */
void jbx_params_set_out_channels(jbx_params *p, long nch);   /* <= 0 unsets */
void jbx_params_set_preview(jbx_params *p, int on);          /* < 0 unsets */
void jbx_params_set_stream(jbx_params *p, int on);           /* < 0 unsets */
/* chain n: after a job's result, continue it n more times, one job at a time (0 = off). */
#define JBX_MAX_CHAIN 1000
int jbx_params_set_chain(jbx_params *p, long n, char *err, size_t errlen);

/* Mode to use: the one set, else "primed". */
const char *jbx_params_mode(const jbx_params *p);

/* Whether a job in this mode sends the source audio (not ancestral, not continue). */
int jbx_params_needs_audio(const jbx_params *p);

/* Appends the set fields to f (room for JBX_MAX_FIELDS); returns the count
 * added. The strings point into p: keep p unchanged until encoded. */
size_t jbx_params_fields(const jbx_params *p, jbx_field *f);

#endif
