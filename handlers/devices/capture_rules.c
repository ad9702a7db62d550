/* capture_rules.c — owns the pose-set, mean and agreement rules of an
 * enrollment capture (capture_rules.h). Pure. */
#include <string.h>

#include "capture_rules.h"

static const char *const names_tab[POSE_COUNT] = {"front", "left", "right", "up", "down"};

const char *pose_name(int pose)
{
    return pose >= 0 && pose < POSE_COUNT ? names_tab[pose] : NULL;
}

int pose_parse(const char *name)
{
    for (int p = 0; name != NULL && p < POSE_COUNT; p++)
        if (strcmp(name, names_tab[p]) == 0)
            return p;
    return -1;
}

enum pose_problem capture_poses(const char *const *names, int n, int slot[POSE_COUNT],
                                struct pose_check *c)
{
    int p;

    c->problem = POSES_OK;
    c->index = c->pose = c->missing = -1;
    for (p = 0; p < POSE_COUNT; p++)
        slot[p] = -1;
    for (int i = 0; i < n; i++)
        if (pose_parse(names[i]) < 0) {
            c->problem = POSES_UNKNOWN;
            c->index = i;
            return c->problem;
        }
    for (int i = 0; i < n; i++) {
        p = pose_parse(names[i]);
        if (slot[p] >= 0 && c->problem == POSES_OK) {
            c->problem = POSES_DUPLICATE;
            c->index = i;
            c->pose = p;
        } else if (slot[p] < 0) {
            slot[p] = i;
        }
    }
    for (p = 0; p < POSE_COUNT; p++)
        if (slot[p] < 0) {
            if (c->problem == POSES_DUPLICATE) {
                c->missing = p;
                break;
            }
            c->problem = POSES_MISSING;
            c->pose = p;
            return c->problem;
        }
    return c->problem;
}

void capture_mean(const float d[POSE_COUNT][DESCRIPTOR_DIM], float mean[DESCRIPTOR_DIM])
{
    for (int k = 0; k < DESCRIPTOR_DIM; k++) {
        double sum = 0;

        for (int p = 0; p < POSE_COUNT; p++)
            sum += d[p][k];
        mean[k] = (float)(sum / POSE_COUNT);
    }
}

int capture_disagreeing(const float d[POSE_COUNT][DESCRIPTOR_DIM], const float mean[DESCRIPTOR_DIM],
                        double *distance)
{
    double worst = 0;

    for (int p = 0; p < POSE_COUNT; p++) {
        double dist = descriptor_distance(d[p], mean);

        /* at single precision: a decimal boundary is not a float */
        if ((float)dist > (float)CAPTURE_AGREEMENT) {
            *distance = dist;
            return p;
        }
        if (dist > worst)
            worst = dist;
    }
    *distance = worst;
    return -1;
}
