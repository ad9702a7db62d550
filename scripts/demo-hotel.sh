#!/usr/bin/env bash
# scripts/demo-hotel.sh — prints the demo hotel as a PMS-sync document
# (contract section 4): "Demo Grand Hotel" (slug demo-hotel, Europe/Dublin),
# four departments, ten staff, the users manager/manager123, hr/hr12345678,
# admin/admin12345 and john/john123456, and today's roster (hotel-local date),
# an overnight shift included. John's shift starts this hour, so a kiosk
# clock-in works whenever the demo is run.
#
#   scripts/demo-hotel.sh > demo.json
#   DATABASE_URL=... build/release/faceclock import demo-hotel demo.json
set -euo pipefail

TZ_NAME=Europe/Dublin
TODAY=$(TZ=$TZ_NAME date +%F)
HOUR=$(TZ=$TZ_NAME date +%H)
HOUR=$((10#$HOUR))
JOHN_START=$(printf '%02d:00:00' "$HOUR")
JOHN_END=$(printf '%02d:00:00' $(( (HOUR + 8) % 24 )))

# id code first last dept role username password
STAFF=(
    "101 EMP100101 Maria Murphy 1 manager manager manager123"
    "102 EMP100102 Aoife Byrne 1 hr hr hr12345678"
    "103 EMP100103 Declan Walsh 1 admin admin admin12345"
    "104 EMP100104 John Doe 1 staff john john123456"
    "105 EMP100105 Siobhan Kelly 2 staff - -"
    "106 EMP100106 Tomasz Nowak 2 staff - -"
    "107 EMP100107 Ana Silva 2 staff - -"
    "108 EMP100108 Liam O'Brien 3 staff - -"
    "109 EMP100109 Priya Nair 3 staff - -"
    "110 EMP100110 Ciaran Doyle 4 staff - -"
)

# id staff_id start end location department_id
ROSTER=(
    "5001 101 08:00:00 17:00:00 Front Desk 1"
    "5002 104 $JOHN_START $JOHN_END Front Desk 1"
    "5003 105 07:00:00 15:00:00 Floors 1-3 2"
    "5004 106 09:00:00 17:00:00 Floors 4-6 2"
    "5005 107 14:00:00 22:00:00 Laundry 2"
    "5006 108 06:00:00 14:00:00 Main Kitchen 3"
    "5007 109 22:00:00 06:00:00 Night Kitchen 3"
    "5008 110 08:00:00 16:00:00 Plant Room 4"
)

json_str() {
    local s=${1//\\/\\\\}
    printf '"%s"' "${s//\"/\\\"}"
}

staff_json() {
    local line id code first last dept role user pass sep=""
    for line in "${STAFF[@]}"; do
        read -r id code first last dept role user pass <<<"$line"
        printf '%s\n    {"id": %s, "employee_code": %s, "first_name": %s, "last_name": %s, "department_id": %s, "role": %s' \
            "$sep" "$id" "$(json_str "$code")" "$(json_str "$first")" "$(json_str "$last")" "$dept" "$(json_str "$role")"
        [[ $user == - ]] || printf ', "username": %s, "password": %s' "$(json_str "$user")" "$(json_str "$pass")"
        printf ', "is_active": true}'
        sep=,
    done
    printf '\n'
}

roster_json() {
    local line id staff start end rest dept loc sep=""
    for line in "${ROSTER[@]}"; do
        read -r id staff start end rest <<<"$line"
        dept=${rest##* }
        loc=${rest% *}
        printf '%s\n    {"id": %s, "staff_id": %s, "date": "%s", "start_time": "%s", "end_time": "%s", "location": %s, "department_id": %s}' \
            "$sep" "$id" "$staff" "$TODAY" "$start" "$end" "$(json_str "$loc")" "$dept"
        sep=,
    done
    printf '\n'
}

cat <<EOF
{
  "hotel": {"name": "Demo Grand Hotel", "timezone": "$TZ_NAME"},
  "settings": {"face_attendance_enabled": true, "require_face_consent": true,
               "allow_face_self_registration": true},
  "departments": [
    {"id": 1, "name": "Reception"},
    {"id": 2, "name": "Housekeeping"},
    {"id": 3, "name": "Kitchen"},
    {"id": 4, "name": "Maintenance"}
  ],
  "staff": [$(staff_json)  ],
  "roster": [$(roster_json)  ]
}
EOF
