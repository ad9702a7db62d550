/* tests/unit/main.c — runs every Check suite listed in unit.h and exits
 * non-zero when any test fails. `make unit` runs it with CK_FORK=no so
 * ASan's leak checker sees the whole run; CK_RUN_SUITE / CK_RUN_CASE pick
 * one suite or case as usual. Only main() is global here: the binary
 * shares its namespace with all of fcgi/ and handlers/. */
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"
#include "unit.h"

static Suite *(*const unit_suites[])(void) = {
    suite_validate,
    suite_crypto,
    suite_http,
    suite_router,
    suite_jsonx,
    suite_settings_rules,
    suite_pms_rules,
    suite_descriptor,
    suite_match,
    suite_safety,
    suite_roster,
    suite_ctoken,
    suite_b64,
    suite_jpeg,
    suite_capture_rules,
    suite_sync_rules,
    suite_device_rules,
    suite_csrf,
    suite_page,
    suite_chart,
    suite_template,
};

int
main(void)
{
    SRunner *sr;
    int failed;

    if (crypto_init() == -1) {
        fprintf(stderr, "unit_tests: crypto_init failed\n");
        return EXIT_FAILURE;
    }
    sr = srunner_create(NULL);
    for (size_t i = 0; i < sizeof(unit_suites) / sizeof(unit_suites[0]); i++)
        srunner_add_suite(sr, unit_suites[i]());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
