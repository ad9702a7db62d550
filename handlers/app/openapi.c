/* openapi.c — GET /api/openapi.json: the OpenAPI document of the route
 * table (fcgi/openapi.h), made once per worker; and the application's
 * words in it (app_openapi): the title, the name of each kind of caller
 * the access bits stand for, and the credentials each one presents. */
#include <string.h>
#include "handlers.h"
#include "openapi.h"
#include "response.h"
#include "router.h"

const struct openapi_app app_openapi = {
    .title = "faceclock",
    .version = "1",
    .description = "Face-recognition staff attendance for hotels: kiosks clock staff in and out, "
                   "managers review, edge devices sync face profiles. Generated from the route table "
                   "(handlers/app/routes.c): every route, who may call it, what it takes and every "
                   "status and error code it answers. Errors are {code, message[, field]}.",
    .src_dir = "handlers/",
    .schemes = (const struct openapi_scheme[]){
        {"apiKey", "apiKey", "header", "X-API-Key",
         "The system administrator's key (FACECLOCK_ADMIN_KEY), a kiosk's key (kio_...) or an edge "
         "device's key (dev_...)."},
        {"bearer", "http", NULL, "bearer", "A user's token from POST /api/auth/login."},
        {"cookie", "apiKey", "cookie", "fc_token",
         "The dashboard's session cookie, set by POST /api/auth/login; a write with it also needs "
         "the session's X-CSRF-Token header."},
        {0},
    },
    .callers = (const struct openapi_caller[]){
        {A_SYSADMIN, "sysadmin", "apiKey"},
        {A_STAFF, "staff", "bearer cookie"},
        {A_MANAGER, "manager", "bearer cookie"},
        {A_HR, "hr", "bearer cookie"},
        {A_ADMIN, "admin", "bearer cookie"},
        {A_KIOSK, "kiosk", "apiKey"},
        {A_DEVICE, "device", "apiKey"},
        {0},
    },
};

void h_openapi(struct request *req)
{
    const char *doc = openapi_json();

    if (doc == NULL) {
        resp_error(req, 500, "INTERNAL", "The API document could not be made.");
        return;
    }
    resp_stream_begin(req, 200, "application/json");
    resp_write(req, doc, strlen(doc));
}
