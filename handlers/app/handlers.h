/* handlers.h — every route handler, by the file under handlers/ that
 * defines it, in the route table's order (routes.c names each route's
 * file too). Included by the endpoints for access.h's identity_of(). */
#ifndef FC_HANDLERS_H
#define FC_HANDLERS_H

#include "access.h"
#include "request.h"

/* app/health.c */
void h_healthz(struct request *req);
void h_metrics(struct request *req);

/* app/openapi.c */
void h_openapi(struct request *req);

#ifdef FC_TEST_ROUTES
/* app/crash.c (the test build only) */
void h_test_crash(struct request *req);
#endif

/* people/sessions.c */
void h_login(struct request *req);
void h_logout(struct request *req);
void h_me(struct request *req);

/* people/pms.c */
void h_pms_sync(struct request *req);

/* people/kiosks.c */
void h_kiosks_list(struct request *req);
void h_kiosks_create(struct request *req);
void h_kiosks_revoke(struct request *req);

/* people/staff.c */
void h_staff_list(struct request *req);

/* attendance/settings.c */
void h_settings_get(struct request *req);
void h_settings_patch(struct request *req);

/* attendance/faces.c */
void h_register_face(struct request *req);
void h_revoke_face(struct request *req);

/* attendance/clock.c */
void h_face_clock_in(struct request *req);
void h_unrostered_confirm(struct request *req);
void h_force_log(struct request *req);

/* attendance/clock_logs.c */
void h_clocklogs_list(struct request *req);

/* attendance/review.c */
void h_review_pending(struct request *req);
void h_review_approve(struct request *req);
void h_review_clocked_in(struct request *req);
void h_review_long_session_ack(struct request *req);

/* attendance/audit.c */
void h_audit_list(struct request *req);

/* attendance/action_audit.c */
void h_action_audit_list(struct request *req);

/* attendance/insights.c */
void h_insights(struct request *req);

/* attendance/alerts.c */
void h_alerts_list(struct request *req);
void h_alert_acknowledge(struct request *req);
void h_alert_resolve(struct request *req);
void h_alert_rules_get(struct request *req);
void h_alert_rules_patch(struct request *req);

/* notify/notifications.c */
void h_notify_endpoints_list(struct request *req);
void h_notify_endpoint_create(struct request *req);
void h_notify_endpoint_patch(struct request *req);
void h_notify_endpoint_delete(struct request *req);
void h_notify_endpoint_test(struct request *req);
void h_notify_deliveries_list(struct request *req);

/* devices/enrollment.c */
void h_enrollment_capture(struct request *req);
void h_enrollment_get(struct request *req);

/* devices/push.c */
void h_push(struct request *req);

/* devices/sync.c */
void h_sync(struct request *req);

/* devices/devices.c */
void h_devices_create(struct request *req);
void h_devices_list(struct request *req);
void h_devices_provision(struct request *req);
void h_devices_token(struct request *req);
void h_devices_deactivate(struct request *req);
void h_devices_allocate(struct request *req);
void h_devices_disable(struct request *req);
void h_devices_enable(struct request *req);
void h_devices_clear_error(struct request *req);
void h_devices_certificate(struct request *req);
void h_devices_heartbeat(struct request *req);

/* devices/receipts.c */
void h_revocations_list(struct request *req);

/* devices/metrics.c */
void h_device_metrics(struct request *req);

/* devices/config.c */
void h_device_config_get(struct request *req);
void h_device_config_put(struct request *req);
void h_location_config_get(struct request *req);
void h_location_config_put(struct request *req);

/* devices/actions.c */
void h_device_actions_create(struct request *req);
void h_device_actions_list(struct request *req);
void h_device_actions_ack(struct request *req);

/* devices/acl.c */
void h_device_tier_put(struct request *req);
void h_device_acl(struct request *req);

/* devices/events.c */
void h_events_create(struct request *req);
void h_events_list(struct request *req);

/* pages/login.c */
void h_page_login(struct request *req);
void h_page_logout(struct request *req);

/* live/subscribe.c */
void h_live_hotel(struct request *req);
void h_live_kiosk(struct request *req);
/* live/catchup.c */
void h_live_catchup(struct request *req);

/* pages/board.c */
void h_page_board(struct request *req);

/* pages/approvals.c */
void h_page_approvals(struct request *req);

/* pages/staff.c */
void h_page_staff(struct request *req);

/* pages/audit.c */
void h_page_audit(struct request *req);

/* pages/clock_logs.c */
void h_page_clock_logs(struct request *req);

/* pages/insights.c */
void h_page_insights(struct request *req);

/* pages/settings.c */
void h_page_settings(struct request *req);

/* pages/kiosks.c */
void h_page_kiosks(struct request *req);
void h_page_alerts(struct request *req);

/* pages/devices.c */
void h_page_devices(struct request *req);

/* pages/register.c */
void h_page_staff_register(struct request *req);

/* pages/me.c */
void h_page_me(struct request *req);

/* pages/enroll.c */
void h_page_enroll(struct request *req);

#endif
