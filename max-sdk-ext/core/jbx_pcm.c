/* memcpy also handles ZeroMQ buffers that are not 4-byte aligned. */
#include "jbx_pcm.h"

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
const float *jbx_pcm_in_place(const void *src)
{
    (void)src;
    return NULL;
}

static void swap32(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t k = 0; k < n; k++, b += 4) {
        uint8_t t0 = b[0], t1 = b[1];
        b[0] = b[3]; b[1] = b[2]; b[2] = t1; b[3] = t0;
    }
}
#else
const float *jbx_pcm_in_place(const void *src)
{
    return ((uintptr_t)src % _Alignof(float)) == 0 ? (const float *)src : NULL;
}

static void swap32(void *p, size_t n) { (void)p; (void)n; }
#endif

void jbx_pcm_to_wire(void *dst, const float *src, size_t n)
{
    if (n) memcpy(dst, src, n * sizeof(float));
    swap32(dst, n);
}

void jbx_pcm_from_wire(float *dst, const void *src, size_t n)
{
    if (n) memcpy(dst, src, n * sizeof(float));
    swap32(dst, n);
}
