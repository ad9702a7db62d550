/* descriptor_rules.c — owns the one face-descriptor validator (exactly 128
 * finite numbers, as a list or a JSON array → float[128]) and the reference Euclidean
 * distance. Pure: no I/O, no allocation. */
#include <math.h>
#include <string.h>

#include "descriptor_rules.h"

#define DESCRIPTOR_MAX_ABS 1e6      /* far beyond any real descriptor, well inside float */

int
descriptor_from_numbers(const double *x, size_t n, float out[DESCRIPTOR_DIM])
{
    float tmp[DESCRIPTOR_DIM];

    if (x == NULL || n != DESCRIPTOR_DIM)
        return -1;
    for (size_t i = 0; i < DESCRIPTOR_DIM; i++) {
        if (!isfinite(x[i]) || fabs(x[i]) > DESCRIPTOR_MAX_ABS)
            return -1;
        tmp[i] = (float)x[i];
    }
    memcpy(out, tmp, sizeof(tmp));      /* out is untouched on -1 */
    return 0;
}

int
descriptor_from_json(struct json_object *v, float out[DESCRIPTOR_DIM])
{
    double x[DESCRIPTOR_DIM];

    if (v == NULL || !json_object_is_type(v, json_type_array) ||
        json_object_array_length(v) != DESCRIPTOR_DIM)
        return -1;
    for (size_t i = 0; i < DESCRIPTOR_DIM; i++) {
        struct json_object *e = json_object_array_get_idx(v, i);

        /* json_object_get_double would turn true, "1" or null into numbers */
        if (!json_object_is_type(e, json_type_double) && !json_object_is_type(e, json_type_int))
            return -1;
        x[i] = json_object_get_double(e);
    }
    return descriptor_from_numbers(x, DESCRIPTOR_DIM, out);
}

void
descriptor_to_le(const float d[DESCRIPTOR_DIM], unsigned char out[DESCRIPTOR_BYTES])
{
    for (int i = 0; i < DESCRIPTOR_DIM; i++) {
        unsigned int u;
        memcpy(&u, &d[i], 4);
        out[4 * i] = (unsigned char)u;
        out[4 * i + 1] = (unsigned char)(u >> 8);
        out[4 * i + 2] = (unsigned char)(u >> 16);
        out[4 * i + 3] = (unsigned char)(u >> 24);
    }
}

int
descriptor_valid_numbers(const double *x, size_t n)
{
    float tmp[DESCRIPTOR_DIM];
    return descriptor_from_numbers(x, n, tmp) == 0;
}

double
descriptor_distance(const float *a, const float *b)
{
    double s = 0.0;

    /* in double: this is the reference the vectorised scan is checked against */
    for (int i = 0; i < DESCRIPTOR_DIM; i++) {
        double d = (double)a[i] - (double)b[i];

        s += d * d;
    }
    return sqrt(s);
}
