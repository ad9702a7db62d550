/* handlers.h — every route handler, grouped by the file that defines it. */
#ifndef FC_HANDLERS_H
#define FC_HANDLERS_H

#include "access.h"
#include "request.h"

/* health.c */
void h_healthz(struct request *req);
void h_metrics(struct request *req);

/* openapi.c */
void h_openapi(struct request *req);

/* session.c */
void h_login(struct request *req);
void h_logout(struct request *req);
void h_me(struct request *req);

/* kiosks.c */
void h_kiosks_create(struct request *req);
void h_kiosks_list(struct request *req);
void h_kiosks_revoke(struct request *req);

/* settings.c */
void h_settings_get(struct request *req);
void h_settings_patch(struct request *req);

/* staff.c */
void h_staff_list(struct request *req);

/* face.c */
void h_register_face(struct request *req);
void h_revoke_face(struct request *req);

/* clock.c */
void h_face_clock_in(struct request *req);
void h_unrostered_confirm(struct request *req);
void h_force_log(struct request *req);

/* review.c */
void h_review_pending(struct request *req);
void h_review_approve(struct request *req);
void h_review_clocked_in(struct request *req);
void h_review_long_session_ack(struct request *req);

/* clocklogs.c */
void h_clocklogs_list(struct request *req);

/* audit.c */
void h_audit_list(struct request *req);

/* pms.c */
void h_pms_sync(struct request *req);

/* enrollment.c */
void h_enrollment_capture(struct request *req);
void h_enrollment_get(struct request *req);

/* push.c */
void h_push(struct request *req);

/* sync.c */
void h_sync(struct request *req);

/* devices.c */
void h_devices_create(struct request *req);
void h_devices_list(struct request *req);
void h_devices_token(struct request *req);
void h_devices_deactivate(struct request *req);
void h_devices_provision(struct request *req);
void h_devices_heartbeat(struct request *req);

/* events.c */
void h_events_create(struct request *req);
void h_events_list(struct request *req);

/* pages_login.c */
void h_page_login(struct request *req);
void h_page_logout(struct request *req);

/* pages_board.c */
void h_page_board(struct request *req);

/* pages_approvals.c */
void h_page_approvals(struct request *req);

/* pages_staff.c */
void h_page_staff(struct request *req);

/* pages_audit.c */
void h_page_audit(struct request *req);

/* pages_clock_logs.c */
void h_page_clock_logs(struct request *req);

/* pages_settings.c */
void h_page_settings(struct request *req);

/* pages_kiosks.c */
void h_page_kiosks(struct request *req);

/* pages_devices.c */
void h_page_devices(struct request *req);

/* pages_enroll.c */
void h_page_enroll(struct request *req);

/* pages_register.c */
void h_page_staff_register(struct request *req);

/* pages_me.c */
void h_page_me(struct request *req);

#endif
