/* capture_rules.h — the pure checks of an enrollment capture (docs/iot.md):
 * the five poses exactly once each, the mean of the five descriptors, and
 * the pose whose descriptor disagrees with that mean. No I/O. */
#ifndef FC_CAPTURE_RULES_H
#define FC_CAPTURE_RULES_H

#include "attendance/descriptor_rules.h"

/* in the order the poses are named, checked and reported */
enum pose { POSE_FRONT = 0, POSE_LEFT, POSE_RIGHT, POSE_UP, POSE_DOWN, POSE_COUNT };

/* each capture within this distance of the mean (compared at single
 * precision, as match_rules.c compares its radius: 0.6 agrees, 0.6000001 not) */
#define CAPTURE_AGREEMENT 0.6

/* "front", ... ; NULL for a value outside the enum */
const char *pose_name(int pose);

/* enum pose for a name (exact, case-sensitive), or -1 */
int pose_parse(const char *name);

enum pose_problem {
    POSES_OK = 0,
    POSES_UNKNOWN,          /* names[index] is NULL or no pose */
    POSES_DUPLICATE,        /* names[index] repeats pose; missing: one now absent, or -1 */
    POSES_MISSING,          /* pose appears nowhere */
};

struct pose_check {
    enum pose_problem problem;
    int index;              /* the capture concerned, -1 for POSES_MISSING */
    int pose;               /* the pose concerned, -1 for POSES_UNKNOWN */
    int missing;            /* POSES_DUPLICATE: a pose no capture has, or -1 */
};

/* Assign n captures, named names[0..n), to the poses: on POSES_OK
 * slot[pose] is the capture index of each pose. The first problem is
 * reported: an unknown name (lowest index), else a repeated pose (the
 * later capture), else a missing pose (in enum order). */
enum pose_problem capture_poses(const char *const *names, int n, int slot[POSE_COUNT],
                                struct pose_check *c);

/* The mean of the POSE_COUNT descriptors (summed in double). */
void capture_mean(const float d[POSE_COUNT][DESCRIPTOR_DIM], float mean[DESCRIPTOR_DIM]);

/* The first pose (enum order) farther than CAPTURE_AGREEMENT from mean,
 * with *distance its distance; -1 when all agree (*distance then the
 * largest distance). */
int capture_disagreeing(const float d[POSE_COUNT][DESCRIPTOR_DIM], const float mean[DESCRIPTOR_DIM],
                        double *distance);

#endif
