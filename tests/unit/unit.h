/* unit.h — the Check suites of build/test/unit_tests, one per test file
 * (tests/unit/test_<name>.c defines suite_<name>). A new test file adds its
 * constructor here and to the table in tests/unit/main.c.
 *
 * The unit binary links every application source except fcgi/main.c, so
 * test files keep everything but their suite_<name>() static. */
#ifndef FC_UNIT_H
#define FC_UNIT_H

#include <check.h>

Suite *suite_validate(void);
Suite *suite_crypto(void);
Suite *suite_http(void);
Suite *suite_router(void);
Suite *suite_jsonx(void);
Suite *suite_settings_rules(void);
Suite *suite_pms_rules(void);
Suite *suite_descriptor(void);
Suite *suite_match(void);
Suite *suite_safety(void);
Suite *suite_roster(void);
Suite *suite_ctoken(void);
Suite *suite_b64(void);
Suite *suite_jpeg(void);
Suite *suite_capture_rules(void);
Suite *suite_sync_rules(void);
Suite *suite_device_rules(void);
Suite *suite_csrf(void);
Suite *suite_page(void);
Suite *suite_chart(void);
Suite *suite_template(void);

#endif
