/* tests/fuzz/descriptor.c — libFuzzer target: the face descriptor
 * validator (descriptor_from_json, handlers/attendance/descriptor_rules.c)
 * on any JSON text, parsed as a request body is (jx_parse), and the 1:N
 * matcher (match_rules.c) on every descriptor it accepts. Asserts that an
 * accepted descriptor is 128 finite floats within the bound, survives its
 * little-endian encoding, and that match_scan's verdict is the one the
 * reference distances (descriptor_distance) and the thresholds give. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attendance/descriptor_rules.h"
#include "attendance/match_rules.h"
#include "jsonx.h"

#define NROWS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the set to match against: the query itself (staff 11), the query moved
 * by a step the input picks (staff 12, and again as a second row of 12),
 * and the origin (staff 13) */
static void make_set(const float *q, float step, float vecs[NROWS][DESCRIPTOR_DIM], long long ids[NROWS])
{
    for (int k = 0; k < DESCRIPTOR_DIM; k++) {
        vecs[0][k] = q[k];
        vecs[1][k] = q[k] + (k % 2 ? step : -step);
        vecs[2][k] = q[k] + step;
        vecs[3][k] = 0.0f;
    }
    ids[0] = 11;
    ids[1] = 12;
    ids[2] = 12;
    ids[3] = 13;
}

static void check_match(const float *q, float step, double min_conf)
{
    _Alignas(16) float vecs[NROWS][DESCRIPTOR_DIM];
    long long ids[NROWS];
    struct face_set set = {NROWS, ids, &vecs[0][0]};
    struct match_result r;
    double best = INFINITY;

    make_set(q, step, vecs, ids);
    enum match_outcome m = match_scan(q, &set, min_conf, &r);
    for (int i = 0; i < NROWS; i++) {
        double d = descriptor_distance(q, vecs[i]);
        if (d < best)
            best = d;
    }
    /* the query is row 0: the nearest distance is 0, whoever wins a tie */
    if (best != 0.0 || r.distance != 0.0 || r.confidence != 1.0)
        abort();
    int found = 0;                  /* the winner is a row at that distance */
    for (int i = 0; i < NROWS; i++)
        found |= ids[i] == r.staff_id && descriptor_distance(q, vecs[i]) == r.distance;
    if (!found)
        abort();
    if (r.runner_up_id == r.staff_id)
        abort();
    switch (m) {
    case MATCH_OK:
        if (!match_confident(r.confidence, min_conf))
            abort();
        if (r.runner_up_id != 0 && (float)r.runner_up_distance <= (float)MATCH_RADIUS &&
            (float)(r.runner_up_distance - r.distance) <= (float)MATCH_AMBIGUITY_MARGIN)
            abort();
        break;
    case MATCH_LOW_CONFIDENCE:
        if (match_confident(r.confidence, min_conf))
            abort();
        break;
    case MATCH_AMBIGUOUS:
        if (r.runner_up_id == 0 || (float)r.runner_up_distance > (float)MATCH_RADIUS)
            abort();
        break;
    case MATCH_NOT_RECOGNIZED:      /* distance 0 is always within the radius */
    default:
        abort();
    }
}

/* the route's check (descriptor_valid_numbers) on v's numbers, as params.c
 * reads a PT_NUMBERS array: 1 when it takes them, 0 for anything else */
static int numbers_valid(struct json_object *v)
{
    if (!json_object_is_type(v, json_type_array))
        return 0;
    size_t n = json_object_array_length(v);
    double *x = malloc((n + 1) * sizeof *x);
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        struct json_object *e = json_object_array_get_idx(v, i);
        ok = json_object_is_type(e, json_type_int) || json_object_is_type(e, json_type_double);
        x[i] = ok ? json_object_get_double(e) : 0;
    }
    ok = ok && descriptor_valid_numbers(x, n);
    free(x);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    float d[DESCRIPTOR_DIM], back[DESCRIPTOR_DIM];
    unsigned char le[DESCRIPTOR_BYTES];

    memcpy(text, data, size);
    text[size] = '\0';
    struct json_object *o = jx_parse(text, size);
    free(text);
    /* a body {"descriptor": [...]} or the bare array */
    struct json_object *v = o;
    if (json_object_is_type(o, json_type_object))
        json_object_object_get_ex(o, "descriptor", &v);

    memset(d, 0x5a, sizeof d);
    int ok = descriptor_from_json(v, d);
    if (ok != (numbers_valid(v) ? 0 : -1))
        abort();
    if (ok == 0) {
        for (int k = 0; k < DESCRIPTOR_DIM; k++)
            if (!isfinite(d[k]) || fabsf(d[k]) > 1e6f)
                abort();
        descriptor_to_le(d, le);
        for (int k = 0; k < DESCRIPTOR_DIM; k++) {
            uint32_t u = (uint32_t)le[4 * k] | (uint32_t)le[4 * k + 1] << 8 |
                         (uint32_t)le[4 * k + 2] << 16 | (uint32_t)le[4 * k + 3] << 24;
            memcpy(&back[k], &u, 4);
        }
        if (memcmp(back, d, sizeof d) != 0)
            abort();
        /* the step and the minimum confidence from the descriptor's first values */
        check_match(d, fabsf(d[0]) < 1.0f ? d[0] / 8 : 0.01f, fabs(fmod(d[1], 1.0)));
    } else {
        unsigned char fill[sizeof d];
        memset(fill, 0x5a, sizeof fill);
        if (memcmp(d, fill, sizeof d) != 0)     /* out is untouched on -1 */
            abort();
    }
    json_object_put(o);
    return 0;
}
