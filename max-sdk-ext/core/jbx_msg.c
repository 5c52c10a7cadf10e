/* msgpack-c based header codec; see jbx_msg.h. */
#include "jbx_msg.h"

#include <string.h>

static int pack_field(msgpack_packer *pk, const jbx_field *f)
{
    size_t klen = strlen(f->key);
    if (msgpack_pack_str(pk, klen) != 0 || msgpack_pack_str_body(pk, f->key, klen) != 0)
        return -1;
    switch (f->type) {
    case JBX_F_STR: {
        const char *s = f->s ? f->s : "";
        size_t len = strlen(s);
        if (msgpack_pack_str(pk, len) != 0) return -1;
        return msgpack_pack_str_body(pk, s, len) != 0 ? -1 : 0;
    }
    case JBX_F_INT:
        return msgpack_pack_int64(pk, (int64_t)f->i) != 0 ? -1 : 0;
    case JBX_F_DOUBLE:
        return msgpack_pack_double(pk, f->d) != 0 ? -1 : 0;
    case JBX_F_BOOL:
        return (f->i ? msgpack_pack_true(pk) : msgpack_pack_false(pk)) != 0 ? -1 : 0;
    }
    return -1;
}

int jbx_encode(const jbx_field *fields, size_t n, msgpack_sbuffer *out)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    if (msgpack_pack_map(&pk, n) != 0) return -1;
    for (size_t k = 0; k < n; k++)
        if (pack_field(&pk, &fields[k]) != 0) return -1;
    return 0;
}

int jbx_header_parse(jbx_header *h, const void *data, size_t len)
{
    size_t off = 0;
    msgpack_unpacked_init(&h->up);
    h->map = NULL;
    if (msgpack_unpack_next(&h->up, (const char *)data, len, &off) != MSGPACK_UNPACK_SUCCESS)
        return -1;
    if (off != len || h->up.data.type != MSGPACK_OBJECT_MAP) return -1;
    h->map = &h->up.data;
    return 0;
}

void jbx_header_destroy(jbx_header *h)
{
    msgpack_unpacked_destroy(&h->up);
    h->map = NULL;
}

const msgpack_object *jbx_obj_get(const msgpack_object *map, const char *key)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP) return NULL;
    size_t klen = strlen(key);
    for (uint32_t k = 0; k < map->via.map.size; k++) {
        const msgpack_object *ko = &map->via.map.ptr[k].key;
        if (ko->type == MSGPACK_OBJECT_STR && ko->via.str.size == klen &&
            memcmp(ko->via.str.ptr, key, klen) == 0)
            return &map->via.map.ptr[k].val;
    }
    return NULL;
}

const msgpack_object *jbx_header_get(const jbx_header *h, const char *key)
{
    return jbx_obj_get(h->map, key);
}

int jbx_get_int(const jbx_header *h, const char *key, long long *out)
{
    const msgpack_object *o = jbx_header_get(h, key);
    if (!o) return 0;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (o->via.u64 > (uint64_t)INT64_MAX) return 0;
        *out = (long long)o->via.u64;
        return 1;
    }
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = (long long)o->via.i64;
        return 1;
    }
    return 0;
}

int jbx_list_has_int(const jbx_header *h, const char *key, long long value)
{
    const msgpack_object *o = jbx_header_get(h, key);
    if (!o || o->type != MSGPACK_OBJECT_ARRAY) return -1;
    for (uint32_t k = 0; k < o->via.array.size; k++) {
        const msgpack_object *e = &o->via.array.ptr[k];
        if (e->type == MSGPACK_OBJECT_POSITIVE_INTEGER && value >= 0 && e->via.u64 == (uint64_t)value) return 1;
        if (e->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && e->via.i64 == value) return 1;
    }
    return 0;
}

int jbx_get_double(const jbx_header *h, const char *key, double *out)
{
    const msgpack_object *o = jbx_header_get(h, key);
    if (!o) return 0;
    switch (o->type) {
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: *out = o->via.f64; return 1;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: *out = (double)o->via.u64; return 1;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: *out = (double)o->via.i64; return 1;
    default: return 0;
    }
}

int jbx_get_bool(const jbx_header *h, const char *key, int *out)
{
    const msgpack_object *o = jbx_header_get(h, key);
    if (!o || o->type != MSGPACK_OBJECT_BOOLEAN) return 0;
    *out = o->via.boolean ? 1 : 0;
    return 1;
}

int jbx_obj_str(const msgpack_object *o, char *buf, size_t len)
{
    if (!o || o->type != MSGPACK_OBJECT_STR || len == 0) return 0;
    size_t n = o->via.str.size < len - 1 ? o->via.str.size : len - 1;
    memcpy(buf, o->via.str.ptr, n);
    buf[n] = '\0';
    return 1;
}

int jbx_get_str(const jbx_header *h, const char *key, char *buf, size_t len)
{
    return jbx_obj_str(jbx_header_get(h, key), buf, len);
}
