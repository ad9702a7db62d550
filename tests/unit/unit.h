/* unit.h — the Check suites of build/test/unit_tests. Each test file
 * (tests/unit/<room>/test_<name>.c, mirroring fcgi/ and handlers/<room>/)
 * defines its suite with UNIT_SUITE(suite_<name>) { ... }, which registers
 * it with the runner (tests/unit/main.c) before main() starts: adding a
 * file adds its suite, with no table to edit. Suites run in link order
 * (the files' paths, sorted).
 *
 * The unit binary links every application source except fcgi/main.c, so
 * test files keep everything static. */
#ifndef FC_UNIT_H
#define FC_UNIT_H

#include <check.h>

typedef Suite *(*unit_suite_fn)(void);

/* Add a suite to the run (called by UNIT_SUITE's constructor). */
void unit_register(unit_suite_fn make);

#define UNIT_SUITE(name)                                                    \
    static Suite *name(void);                                               \
    __attribute__((constructor)) static void name##_register(void)          \
    {                                                                       \
        unit_register(name);                                                \
    }                                                                       \
    static Suite *name(void)

#endif
