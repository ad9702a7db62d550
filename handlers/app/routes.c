/* routes.c — the route table: method, path, handler, who may call, and
 * how the hotel is found. The router enforces all of it before a handler
 * runs (fcgi/router.c). */
#include "app.h"
#include "handlers.h"

#define HOTEL "/api/staff/hotel/{hotel_slug}"
#define MANAGERS (A_SYSADMIN | A_MANAGER | A_ADMIN)
#define CLOCK HOTEL "/attendance/clock-logs/"
#define READERS (A_SYSADMIN | A_MANAGER | A_HR | A_ADMIN)
/* the dashboard's pages (R_PAGE: HTML errors, login redirect) are for a
 * hotel's signed-in users; the system administrator uses the API */
#define PAGE(path, handler, access, name) {"GET", "/dashboard" path, handler, (access) | R_PAGE, T_CALLER, name}
#define PAGE_MANAGERS (A_MANAGER | A_ADMIN)
#define PAGE_READERS (A_MANAGER | A_HR | A_ADMIN)

const struct route app_routes[] = {
    {"GET",    "/healthz",                     h_healthz,        A_PUBLIC,  T_NONE, "healthz"},
    {"GET",    "/metrics",                     h_metrics,        A_PUBLIC,  T_NONE, "metrics"},

    {"POST",   "/api/auth/login",              h_login,          A_PUBLIC,  T_NONE, "auth.login"},
    {"POST",   "/api/auth/logout",             h_logout,         A_USERS,   T_NONE, "auth.logout"},
    {"GET",    "/api/auth/me",                 h_me,             A_USERS | A_KIOSK, T_NONE, "auth.me"},

    {"PUT",    HOTEL "/pms-sync/",             h_pms_sync,       A_SYSADMIN | A_ADMIN, T_PATH_CREATE, "pms.sync"},

    {"GET",    HOTEL "/kiosks/",               h_kiosks_list,    MANAGERS,  T_PATH, "kiosks.list"},
    {"POST",   HOTEL "/kiosks/",               h_kiosks_create,  MANAGERS,  T_PATH, "kiosks.create"},
    {"DELETE", HOTEL "/kiosks/{kiosk_id}/",    h_kiosks_revoke,  MANAGERS,  T_PATH, "kiosks.revoke"},

    {"GET",    HOTEL "/staff/",                h_staff_list,     READERS,   T_PATH, "staff.list"},

    {"GET",    HOTEL "/attendance/settings/",  h_settings_get,   READERS,   T_PATH, "settings.get"},
    {"PATCH",  HOTEL "/attendance/settings/",  h_settings_patch, MANAGERS,  T_PATH, "settings.patch"},

    {"POST",   CLOCK "register-face/",         h_register_face,  A_STAFF | MANAGERS, T_PATH, "face.register"},
    {"DELETE", CLOCK "revoke-face/{staff_id}/", h_revoke_face,   A_STAFF | MANAGERS, T_PATH, "face.revoke"},
    {"POST",   CLOCK "face-clock-in/",         h_face_clock_in,  A_KIOSK | A_SYSADMIN, T_PATH, "clock.face"},
    {"POST",   CLOCK "unrostered-confirm/",    h_unrostered_confirm, A_KIOSK | A_SYSADMIN, T_PATH, "clock.confirm"},
    {"POST",   CLOCK "force-log/",             h_force_log,      A_KIOSK | MANAGERS, T_PATH, "clock.force"},

    {"GET",    CLOCK,                          h_clocklogs_list, READERS | A_STAFF, T_PATH, "attendance.clock_logs"},
    {"GET",    CLOCK "pending-approval/",      h_review_pending, MANAGERS,  T_PATH, "attendance.pending"},
    {"POST",   CLOCK "{log_id}/approve/",      h_review_approve, MANAGERS,  T_PATH, "attendance.approve"},
    {"GET",    CLOCK "currently-clocked-in/",  h_review_clocked_in, MANAGERS, T_PATH, "attendance.clocked_in"},
    {"POST",   CLOCK "{log_id}/long-session-ack/", h_review_long_session_ack, A_KIOSK | MANAGERS, T_PATH, "attendance.long_session_ack"},
    {"GET",    CLOCK "face-audit-logs/",       h_audit_list,     READERS,   T_PATH, "attendance.audit"},

    {"POST",   "/api/enrollment/capture",      h_enrollment_capture, MANAGERS, T_CALLER, "enrollment.capture"},
    {"GET",    "/api/enrollment/{employee_id}", h_enrollment_get, READERS,  T_CALLER, "enrollment.get"},

    {"POST",   "/api/iot/enrollments/push",    h_push,           MANAGERS,  T_CALLER, "iot.push"},
    {"GET",    "/api/iot/enrollments/sync",    h_sync,           A_DEVICE,  T_CALLER, "iot.sync"},

    {"POST",   "/api/iot/devices",             h_devices_create, A_SYSADMIN | A_ADMIN, T_CALLER, "devices.create"},
    {"GET",    "/api/iot/devices",             h_devices_list,   READERS,   T_CALLER, "devices.list"},
    {"POST",   "/api/iot/devices/provision",   h_devices_provision, A_PUBLIC, T_NONE, "devices.provision"},
    {"POST",   "/api/iot/devices/{device_id}/provisioning-token", h_devices_token, A_SYSADMIN | A_ADMIN, T_CALLER, "devices.token"},
    {"DELETE", "/api/iot/devices/{device_id}", h_devices_deactivate, A_SYSADMIN | A_ADMIN, T_CALLER, "devices.deactivate"},
    {"POST",   "/api/iot/devices/{device_id}/heartbeat", h_devices_heartbeat, A_DEVICE, T_CALLER, "devices.heartbeat"},
    {"POST",   "/api/iot/events",              h_events_create,  A_DEVICE,  T_CALLER, "events.create"},
    {"GET",    "/api/iot/events",              h_events_list,    READERS,   T_CALLER, "events.list"},

    {"GET",    "/dashboard/login",             h_page_login,     A_PUBLIC | R_PAGE, T_NONE, "page.login"},
    PAGE("/logout",                            h_page_logout,    A_USERS,         "page.logout"),
    PAGE("/",                                  h_page_board,     A_USERS,         "page.board"),
    PAGE("/approvals",                         h_page_approvals, PAGE_MANAGERS,   "page.approvals"),
    PAGE("/staff",                             h_page_staff,     PAGE_READERS,    "page.staff"),
    PAGE("/audit",                             h_page_audit,     PAGE_READERS,    "page.audit"),
    PAGE("/clock-logs",                        h_page_clock_logs, PAGE_READERS,   "page.clock_logs"),
    PAGE("/settings",                          h_page_settings,  PAGE_READERS,    "page.settings"),
    PAGE("/kiosks",                            h_page_kiosks,    PAGE_MANAGERS,   "page.kiosks"),
    PAGE("/devices",                           h_page_devices,   PAGE_READERS,    "page.devices"),
    PAGE("/staff/{staff_id}/register",         h_page_staff_register, PAGE_MANAGERS, "page.staff_register"),
    PAGE("/me",                                h_page_me,        A_USERS,         "page.me"),
    {"GET",    "/enroll/",                     h_page_enroll,    PAGE_MANAGERS | R_PAGE, T_CALLER, "page.enroll"},
};

const int app_nroutes = (int)(sizeof app_routes / sizeof app_routes[0]);
