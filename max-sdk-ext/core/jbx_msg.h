/* Header frame (frame 0) encoding and decoding with msgpack-c.
 * Encoding takes a flat field list so the map size is known before packing. */
#ifndef JBX_MSG_H
#define JBX_MSG_H

#include <stddef.h>
#include <msgpack.h>

typedef enum { JBX_F_STR, JBX_F_INT, JBX_F_DOUBLE, JBX_F_BOOL } jbx_ftype;

typedef struct jbx_field {
    const char *key;
    jbx_ftype type;
    const char *s; /* JBX_F_STR */
    long long i;   /* JBX_F_INT, JBX_F_BOOL (0/1) */
    double d;      /* JBX_F_DOUBLE */
} jbx_field;

/* One field each: the key and the string are not copied (they must outlive the encoding). */
static inline jbx_field jbx_f_str(const char *k, const char *v) { jbx_field f = {k, JBX_F_STR, v, 0, 0.0}; return f; }
static inline jbx_field jbx_f_int(const char *k, long long v) { jbx_field f = {k, JBX_F_INT, NULL, v, 0.0}; return f; }
static inline jbx_field jbx_f_double(const char *k, double v) { jbx_field f = {k, JBX_F_DOUBLE, NULL, 0, v}; return f; }
static inline jbx_field jbx_f_bool(const char *k, int v) { jbx_field f = {k, JBX_F_BOOL, NULL, v, 0.0}; return f; }

/* Packs the fields as one msgpack map into out (already msgpack_sbuffer_init'ed).
 * Returns 0, or -1 when msgpack-c fails (out of memory). */
int jbx_encode(const jbx_field *fields, size_t n, msgpack_sbuffer *out);

/* A decoded header; the map lives until jbx_header_destroy. */
typedef struct jbx_header {
    msgpack_unpacked up;
    const msgpack_object *map;
} jbx_header;

/* Returns 0 when data holds exactly one msgpack map, -1 otherwise.
 * jbx_header_destroy must be called either way. */
int jbx_header_parse(jbx_header *h, const void *data, size_t len);
void jbx_header_destroy(jbx_header *h);

/* Value of key in the header map, or NULL. */
const msgpack_object *jbx_header_get(const jbx_header *h, const char *key);

/* Typed getters: return 1 when the key exists with a fitting type, else 0
 * and leave *out untouched. Doubles accept integers; strings are truncated
 * to fit and always NUL-terminated. */
int jbx_get_int(const jbx_header *h, const char *key, long long *out);
int jbx_get_double(const jbx_header *h, const char *key, double *out);
int jbx_get_bool(const jbx_header *h, const char *key, int *out);
int jbx_get_str(const jbx_header *h, const char *key, char *buf, size_t len);

/* Whether the list under key holds the integer value: 1 yes, 0 no, -1 no such list. */
int jbx_list_has_int(const jbx_header *h, const char *key, long long value);

/* Same for a bare object (e.g. inside a list of maps). */
int jbx_obj_str(const msgpack_object *o, char *buf, size_t len);
const msgpack_object *jbx_obj_get(const msgpack_object *map, const char *key);

#endif
