/* tests/unit/main.c — runs every Check suite that registered itself
 * (UNIT_SUITE in unit.h) and exits non-zero when any test fails, or when
 * none registered. `make unit` runs it with CK_FORK=no so ASan's leak
 * checker sees the whole run; CK_RUN_SUITE / CK_RUN_CASE pick one suite or
 * case as usual. */
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"
#include "unit.h"

#define UNIT_MAX_SUITES 128

static unit_suite_fn unit_suites[UNIT_MAX_SUITES];
static int unit_nsuites;

void unit_register(unit_suite_fn make)
{
    if (unit_nsuites == UNIT_MAX_SUITES) {
        fprintf(stderr, "unit_tests: more than %d suites; raise UNIT_MAX_SUITES\n", UNIT_MAX_SUITES);
        exit(EXIT_FAILURE);
    }
    unit_suites[unit_nsuites++] = make;
}

int main(void)
{
    SRunner *sr;
    int failed;

    if (unit_nsuites == 0) {
        fprintf(stderr, "unit_tests: no suite registered\n");
        return EXIT_FAILURE;
    }
    if (crypto_init() == -1) {
        fprintf(stderr, "unit_tests: crypto_init failed\n");
        return EXIT_FAILURE;
    }
    sr = srunner_create(NULL);
    for (int i = 0; i < unit_nsuites; i++)
        srunner_add_suite(sr, unit_suites[i]());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
