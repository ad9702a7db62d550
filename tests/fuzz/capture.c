/* tests/fuzz/capture.c — libFuzzer target: the pure checks of an
 * enrollment capture (handlers/devices/capture_rules.c) on any JSON text
 * shaped like the request's "captures" ([{pose, descriptor}, ...]; the
 * images are the jpeg target's). Names are read as enrollment.c reads
 * them (a string member without a NUL, else none). Asserts that
 * capture_poses reports the first problem the header promises, with an
 * index and poses that say what is wrong (a duplicate among five always
 * names the missing pose), and that capture_mean / capture_disagreeing on
 * five valid descriptors return the first pose beyond CAPTURE_AGREEMENT or
 * -1 with the largest distance. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/capture_rules.h"
#include "jsonx.h"

#define MAXN 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *member_str(struct json_object *o, const char *key)
{
    struct json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string(v);
    return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

static void check_poses(const char *const *names, int n, int slot[POSE_COUNT], enum pose_problem pr,
                        const struct pose_check *c)
{
    int first[POSE_COUNT];          /* first capture of each pose, -1 if none */

    for (int p = 0; p < POSE_COUNT; p++)
        first[p] = -1;
    for (int i = 0; i < n; i++) {
        int p = pose_parse(names[i]);
        if (p < 0) {                /* the first unknown name is the problem */
            if (pr != POSES_UNKNOWN || c->index != i || c->pose != -1)
                abort();
            return;
        }
        if (strcmp(pose_name(p), names[i]) != 0)
            abort();
        if (first[p] < 0)
            first[p] = i;
    }
    if (pr == POSES_UNKNOWN || pr != c->problem)
        abort();
    int dup = -1, missing = -1;
    for (int i = 0; i < n && dup < 0; i++)
        if (first[pose_parse(names[i])] != i)
            dup = i;
    for (int p = 0; p < POSE_COUNT && missing < 0; p++)
        if (first[p] < 0)
            missing = p;
    if (dup >= 0) {
        if (pr != POSES_DUPLICATE || c->index != dup || c->pose != pose_parse(names[dup]) ||
            c->missing != missing || (n == POSE_COUNT && pose_name(c->missing) == NULL))
            abort();
    } else if (missing >= 0) {
        if (pr != POSES_MISSING || c->pose != missing || c->index != -1)
            abort();
    } else {
        if (pr != POSES_OK)
            abort();
        for (int p = 0; p < POSE_COUNT; p++)
            if (slot[p] != first[p])
                abort();
    }
}

static void check_agreement(const float d[POSE_COUNT][DESCRIPTOR_DIM])
{
    float mean[DESCRIPTOR_DIM];
    double dist = -1, worst = 0;

    capture_mean(d, mean);
    int bad = capture_disagreeing(d, mean, &dist);
    for (int k = 0; k < DESCRIPTOR_DIM; k++)
        if (!isfinite(mean[k]))
            abort();
    if (!(dist >= 0) || !isfinite(dist))
        abort();
    for (int p = 0; p < POSE_COUNT; p++) {
        double dp = descriptor_distance(d[p], mean);
        int far = (float)dp > (float)CAPTURE_AGREEMENT;

        if (p == bad) {
            if (!far || dp != dist)
                abort();
            return;
        }
        if (far)                    /* an earlier pose was already too far */
            abort();
        if (dp > worst)
            worst = dp;
    }
    if (bad != -1 || dist != worst)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    const char *names[MAXN];
    float d[POSE_COUNT][DESCRIPTOR_DIM];
    int slot[POSE_COUNT], n = 0, valid = 1;
    struct pose_check c;

    memcpy(text, data, size);
    text[size] = '\0';
    struct json_object *o = jx_parse(text, size);
    free(text);
    struct json_object *arr = o;
    if (json_object_is_type(o, json_type_object))
        json_object_object_get_ex(o, "captures", &arr);
    if (!json_object_is_type(arr, json_type_array))
        goto out;
    for (size_t i = 0; i < json_object_array_length(arr) && n < MAXN; i++, n++)
        names[n] = member_str(json_object_array_get_idx(arr, i), "pose");

    enum pose_problem pr = capture_poses(names, n, slot, &c);
    check_poses(names, n, slot, pr, &c);
    if (pr != POSES_OK || n != POSE_COUNT)
        goto out;
    for (int p = 0; p < POSE_COUNT && valid; p++) {
        struct json_object *desc = NULL;
        json_object_object_get_ex(json_object_array_get_idx(arr, (size_t)slot[p]), "descriptor", &desc);
        valid = descriptor_from_json(desc, d[p]) == 0;
    }
    if (valid)
        check_agreement(d);
out:
    json_object_put(o);
    return 0;
}
