/* The values of the settings (jbx_settings.h) and the generate fields they make. Anything not set is left out
 * of the header so the host's defaults apply (docs/PROTOCOL.md, "generate"). */
#ifndef JBX_PARAMS_H
#define JBX_PARAMS_H

#include <stddef.h>

#include "jbx_msg.h"
#include "jbx_settings.h"

typedef struct jbx_params {
    double number[JBX_N_SETTINGS]; /* NUMBER, INT, SWITCH and SEED values */
    char *text[JBX_N_SETTINGS];    /* TEXT, CHOICE and FILE values (heap copies) */
    unsigned char is_set[JBX_N_SETTINGS];
    long out_sample_rate, out_channels; /* from the destination, not settings: 0 = unset */
} jbx_params;

/* Most fields a generate header can carry (the common ones included). */
#define JBX_MAX_FIELDS 24

void jbx_params_init(jbx_params *p);
void jbx_params_destroy(jbx_params *p);

/* Sets a number-valued setting, or unsets it with its kind's unset value (0; negative for SWITCH and SEED).
 * Returns 0, or -1 with err filled in (the previous value kept) when out of range or the wrong kind. */
int jbx_params_set_number(jbx_params *p, int id, double v, char *err, size_t errlen);
/* Sets a text-valued setting (copied); NULL or "" unsets. Returns 0, or -1 with err filled in. */
int jbx_params_set_text(jbx_params *p, int id, const char *s, char *err, size_t errlen);
void jbx_params_unset(jbx_params *p, int id);
int jbx_params_is_set(const jbx_params *p, int id);
/* The value, or what unset means (the table's fallback). */
double jbx_params_number(const jbx_params *p, int id);
const char *jbx_params_text(const jbx_params *p, int id);

void jbx_params_set_out_sample_rate(jbx_params *p, long sr); /* <= 0 unsets */
void jbx_params_set_out_channels(jbx_params *p, long nch);   /* <= 0 unsets */

/* Mode to use: the one set, else "primed". */
const char *jbx_params_mode(const jbx_params *p);

/* Whether a job in this mode sends the source audio (not ancestral, not continue). */
int jbx_params_needs_audio(const jbx_params *p);

/* Appends the set WIRE settings (and out_*) to f (room for JBX_MAX_FIELDS); returns the count added. mode, when
 * not NULL, is sent instead of the mode setting (a chain link's "continue"). The strings point into p and mode:
 * keep both unchanged until encoded. */
size_t jbx_params_fields(const jbx_params *p, const char *mode, jbx_field *f);

#endif
