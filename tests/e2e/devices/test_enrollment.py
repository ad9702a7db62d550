"""Enrollment (contract 6, docs/iot.md): POST /api/enrollment/capture with
real JPEGs made by cjpeg at test time — the answer's shape, the 128×128
centre-cropped thumbnail of the front pose (SOF header and pixels), the
embedding (base64 LE float32 = the mean of the five descriptors), the face
data it becomes (kiosk matching, audit REGISTERED / RE_REGISTERED);
payload errors (corrupt JPEG, PNG, missing / duplicated / unknown pose,
bad descriptors, INCONSISTENT_CAPTURES naming the pose, 413 per image and
per request); the rules after them (hotel, department, consent);
GET /api/enrollment/{employee_id} through unenrolled → pending → enrolled
and the devices holding the profile. Every refused capture writes nothing."""

import base64
import json
import time

import fc
from devices.iot import (MAX_IMAGE, MODEL, POSES, IotCase, IotHotel, data_url, djpeg_pixels, emp,
                        embedding_floats, from_data_url, gradient_jpeg, jpeg, jpeg_dims, mean,
                        outlier_poses, pad_jpeg, pixel, png, poses, ppm_bands, ppm_noise, cjpeg_flags)
from attendance.att import near, person, staff_name

CAPTURE = "/api/enrollment/capture"


def tables_only(jpg):
    """SOI, the JPEG's segments before its frame header (quantisation and
    Huffman tables), EOI: no picture."""
    i, out = 2, [b"\xff\xd8"]
    while i + 4 <= len(jpg) and jpg[i] == 0xFF and jpg[i + 1] not in (0xC0, 0xC1, 0xC2, 0xDA):
        n = int.from_bytes(jpg[i + 2:i + 4], "big")
        out.append(jpg[i:i + 2 + n])
        i += 2 + n
    return b"".join(out) + b"\xff\xd9"


def state(h):
    return (h.db_count("face_data"), h.db_count("enrollments"), h.db_count("face_audit_log"))


class CaptureOk(IotCase):
    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("enr").make()

    def test_answer_shape_thumbnail_embedding(self):
        h = self.h
        sid = h.people[0]
        descs = poses()
        # the front image: a 320×240 picture whose centred 240×240 square is
        # green and whose side bands are red; the other poses are blue
        front = jpeg(ppm_bands(320, 240, (0, 200, 0), (220, 0, 0)))
        other = gradient_jpeg(320, 240, blue=255)
        t0 = time.time()
        r = h.capture(sid, descs=descs, images=[front, other, other, other, other])
        body = fc.assert_json(r, 201)
        self.assertEqual(set(body), {"success", "message", "data"}, body)
        self.assertIs(body["success"], True)
        self.assertEqual(body["message"], "Enrollment complete")
        d = body["data"]
        self.assertEqual(set(d), {"employee_id", "enrollment_status", "thumbnail", "embedding",
                                  "embedding_model", "embedding_dim", "image_count", "enrolled_at"}, d)
        self.assertEqual(d["employee_id"], emp(sid))
        self.assertEqual(d["enrollment_status"], "pending")
        self.assertEqual(d["embedding_model"], MODEL)
        self.assertEqual(d["embedding_dim"], 128)
        self.assertEqual(d["image_count"], 5)
        self.assertLessEqual(abs(fc.parse_ts(d["enrolled_at"]) - t0), 60)
        # thumbnail: a JPEG whose SOF says 128×128, centre-cropped (no red at
        # the edges), made from the front pose (green, not the blue others)
        thumb = from_data_url(d["thumbnail"])
        self.assertEqual(jpeg_dims(thumb), (128, 128))
        w, hh, pix = djpeg_pixels(thumb)
        self.assertEqual((w, hh), (128, 128))
        for x, y in ((1, 1), (1, 64), (126, 64), (64, 64), (126, 126), (64, 1)):
            rr, g, b = pixel(w, pix, x, y)
            self.assertTrue(g > 140 and rr < 80 and b < 80,
                            "thumbnail pixel (%d,%d) = %r: not the front image's centre square" % (x, y, (rr, g, b)))
        # embedding: 128 little-endian float32 equal to the mean of the five
        self.assert_floats(embedding_floats(d["embedding"]), mean(descs))
        # it is standard base64 of 512 bytes
        self.assertEqual(len(base64.b64decode(d["embedding"], validate=True)), 512)
        # GET says the same
        g = h.enrollment_ok(sid)
        self.assertEqual(g["enrollment_status"], "pending")
        self.assertEqual(g["thumbnail"], d["thumbnail"])
        self.assertEqual(g["enrolled_at"], d["enrolled_at"])
        self.assertEqual(g["embedding_model"], MODEL)
        self.assertEqual(g["devices"], [])

    def test_audit_and_reregistration(self):
        h = self.h
        sid = h.people[1]
        h.enroll(sid)
        rows = h.audit(sid)
        self.assertEqual([x["action"] for x in rows], ["REGISTERED"])
        self.assertIs(rows[0]["consent_given"], True)
        self.assertEqual(rows[0]["performed_by"], h.users["manager"]["staff_id"])
        # a second capture replaces the face data: RE_REGISTERED
        descs = poses()
        r = h.capture(sid, descs=descs, role="admin")
        d = fc.assert_json(r, 201)["data"]
        self.assert_floats(embedding_floats(d["embedding"]), mean(descs))
        self.assertEqual([x["action"] for x in h.audit(sid)], ["RE_REGISTERED", "REGISTERED"])
        self.assertEqual(h.db_count("face_data", "staff_id = %d" % sid), 1)
        # a face registered at a kiosk then captured: RE_REGISTERED too
        sid2 = h.people[2]
        h.register(sid2)
        fc.assert_json(h.capture(sid2), 201)
        self.assertEqual([x["action"] for x in h.audit(sid2)], ["RE_REGISTERED", "REGISTERED"])

    def test_kiosk_matches_the_enrolled_face(self):
        h = IotHotel("enrkiosk").make()
        h.settings(duplicate_scan_seconds=0)
        sid = h.people[0]
        m = h.enroll(sid)
        h.shift_now(sid)
        r = h.scan(near(m, 0.1))
        self.assert_clock(r, 201, "CLOCK_IN", sid, h, d=0.1)
        # a different face is not recognised
        fc.assert_error(h.scan(person()), 404, "FACE_NOT_RECOGNIZED")
        # re-captured as another face: the old one no longer matches, the new one does
        m2 = h.enroll(sid)
        fc.assert_error(h.scan(m), 404, "FACE_NOT_RECOGNIZED")
        self.assert_clock(h.scan(m2), 200, "CLOCK_OUT", sid, h, d=0.0)

    def test_pose_order_free_and_sysadmin(self):
        h = self.h
        sid = h.people[3]
        descs = poses()
        order = ("down", "up", "front", "right", "left")
        body = h.capture_body(sid, descs=descs, order=order)
        r = h.sys("POST", CAPTURE, json=body)
        d = fc.assert_json(r, 201)["data"]
        self.assert_floats(embedding_floats(d["embedding"]), mean(descs))
        # the system administrator must name the hotel
        r = fc.post(CAPTURE, json=h.capture_body(sid), api_key=fc.ADMIN_KEY)
        fc.assert_error(r, 400, "VALIDATION_ERROR", field="hotel")
        r = fc.request("POST", CAPTURE + "?hotel=no-such-hotel-x1", json=h.capture_body(sid),
                       api_key=fc.ADMIN_KEY)
        fc.assert_error(r, 404, "NOT_FOUND")

    def test_image_of_exactly_512_kib(self):
        h = self.h
        img = pad_jpeg(gradient_jpeg(), MAX_IMAGE)
        r = h.capture(h.people[4], images=[img] + [gradient_jpeg()] * 4)
        fc.assert_json(r, 201)

    def test_big_real_jpeg_under_the_limit(self):
        h = self.h
        img = jpeg(ppm_noise(448, 448, 7), quality=100)     # ~400 KB of real picture
        self.assertLess(len(img), MAX_IMAGE)
        r = h.capture(h.people[5], images=[img] + [gradient_jpeg()] * 4)
        d = fc.assert_json(r, 201)["data"]
        self.assertEqual(jpeg_dims(from_data_url(d["thumbnail"])), (128, 128))

    def test_jpeg_flavours(self):
        """Progressive, greyscale, 4:4:4, restart markers, arithmetic coding:
        all JPEGs; the thumbnail is a JPEG of 128×128 each time."""
        h = self.h
        src = ppm_bands(320, 240, (0, 200, 0), (220, 0, 0))
        for flags in (["-progressive"], ["-grayscale"], ["-sample", "1x1"], ["-restart", "1"],
                      ["-arithmetic"], ["-optimize", "-quality", "20"]):
            with self.subTest(flags=flags):
                img = cjpeg_flags(src, flags)
                self.assertEqual(jpeg_dims(img), (320, 240))
                r = h.capture(h.people[7], images=[img] * 5)
                d = fc.assert_json(r, 201)["data"]
                thumb = from_data_url(d["thumbnail"])
                self.assertEqual(jpeg_dims(thumb), (128, 128))
                w, hh, pix = djpeg_pixels(thumb)
                rr, g, b = pixel(w, pix, 2, 64)
                if "-grayscale" not in flags:
                    self.assertTrue(g > 120 and rr < 100, (rr, g, b))

    def test_pixel_limits(self):
        """4096 pixels a side is the most an image may have (docs/api.md)."""
        h = self.h
        fc.assert_json(h.capture(h.people[7], images=[gradient_jpeg(4096, 8)] + [gradient_jpeg(8, 4096)] * 4), 201)
        for i, (w, hh) in ((0, (4097, 8)), (3, (8, 4097))):
            with self.subTest(size=(w, hh)):
                imgs = [gradient_jpeg()] * 5
                imgs[i] = gradient_jpeg(w, hh)
                r = h.capture(h.people[7], images=imgs)
                fc.assert_error(r, 400, "VALIDATION_ERROR", field="captures[%d].imageData" % i)

    def test_descriptor_agreement_boundary(self):
        """Pose k is 0.8·d from the mean: d = 0.74 (0.592) passes, d = 0.76
        (0.608) does not."""
        h = self.h
        sid = h.people[6]
        fc.assert_json(h.capture(sid, descs=outlier_poses(2, 0.74)), 201)
        r = h.capture(sid, descs=outlier_poses(2, 0.76))
        fc.assert_error(r, 422, "INCONSISTENT_CAPTURES")

    def test_portrait_and_tiny_front_images(self):
        h = self.h
        for i, (w, hh) in enumerate(((120, 200), (16, 16), (1, 1))):
            with self.subTest(size=(w, hh)):
                img = gradient_jpeg(w, hh)
                r = h.capture(h.people[7], images=[img] + [gradient_jpeg()] * 4)
                d = fc.assert_json(r, 201)["data"]
                self.assertEqual(jpeg_dims(from_data_url(d["thumbnail"])), (128, 128))


class CaptureRefused(IotCase):
    """Payload errors: 400 / 413 / 422, nothing written."""

    @classmethod
    def setUpClass(cls):
        cls.h = IotHotel("enrbad").make()
        cls.sid = cls.h.people[0]

    def setUp(self):
        self.before = state(self.h)

    def tearDown(self):
        self.assertEqual(state(self.h), self.before, "a refused capture wrote something")

    def bad(self, r, status=400, codes=("VALIDATION_ERROR",)):
        body = fc.assert_json(r, status)
        self.assertIn(body.get("code"), codes, r)
        fc.assert_error(r, status, body["code"])
        return body

    def test_corrupt_jpeg(self):
        h = self.h
        good = gradient_jpeg()
        cases = [
            ("truncated", good[:len(good) // 3]),
            ("garbage after SOI", b"\xff\xd8" + bytes(range(256)) * 8),
            ("header only", good[:200]),
            ("zeros", b"\0" * 2000),
            ("text", b"this is not a picture at all"),
            ("empty", b""),
            ("tables only", tables_only(good)),
            ("SOI EOI", b"\xff\xd8\xff\xd9"),
        ]
        for label, img in cases:
            for pose_i in (0, 3):
                with self.subTest(case=label, pose=POSES[pose_i]):
                    imgs = [good] * 5
                    imgs[pose_i] = img
                    body = self.bad(h.capture(self.sid, images=imgs))
                    self.assertEqual(body["field"], "captures[%d].imageData" % pose_i)
                    self.assertIn(POSES[pose_i], body["message"], "the error does not name the pose")

    def test_png(self):
        h = self.h
        p = png(32, 32)
        for label, url in (("png data URL", data_url(p, "image/png")),
                           ("png bytes called jpeg", data_url(p))):
            with self.subTest(case=label):
                body = self.bad(h.capture(self.sid, images=[url, gradient_jpeg()]))
                self.assertEqual(body["field"], "captures[0].imageData")

    def test_not_a_data_url(self):
        h = self.h
        b64 = base64.b64encode(gradient_jpeg()).decode()
        for label, v in (("bare base64", b64), ("no base64 marker", "data:image/jpeg," + b64),
                         ("bad base64", "data:image/jpeg;base64,@@@@" + b64[4:]),
                         ("empty", ""), ("number", 5), ("null", None), ("object", {"a": 1}),
                         ("http URL", "http://example.com/a.jpg")):
            with self.subTest(case=label):
                body = self.bad(h.capture(self.sid, images=[gradient_jpeg(), v]))
                self.assertEqual(body["field"], "captures[1].imageData")
        # imageData missing
        body = h.capture_body(self.sid)
        del body["captures"][1]["imageData"]
        body = self.bad(fc.post(CAPTURE, json=body, token=h.login("manager")))
        self.assertEqual(body["field"], "captures[1].imageData")

    def test_poses(self):
        h = self.h
        tok = h.login("manager")
        cases = {
            "missing pose": ("front", "left", "right", "up"),
            "duplicated pose": ("front", "left", "right", "up", "up"),
            "six captures": ("front", "left", "right", "up", "down", "front"),
            "unknown pose": ("front", "left", "right", "up", "back"),
            "upper case": ("FRONT", "left", "right", "up", "down"),
            "none": (),
        }
        for label, order in cases.items():
            with self.subTest(case=label):
                body = h.capture_body(self.sid, order=order)
                err = self.bad(fc.post(CAPTURE, json=body, token=tok))
                self.assertTrue(err["field"].startswith("captures"), err)
        for label, caps in (("captures null", None), ("captures object", {"front": {}}),
                            ("captures string", "x"), ("capture not object", ["front"] * 5)):
            with self.subTest(case=label):
                body = h.capture_body(self.sid)
                body["captures"] = caps
                self.bad(fc.post(CAPTURE, json=body, token=tok))
        body = h.capture_body(self.sid)
        del body["captures"]
        self.bad(fc.post(CAPTURE, json=body, token=tok))
        body = h.capture_body(self.sid)
        del body["captures"][2]["pose"]
        self.bad(fc.post(CAPTURE, json=body, token=tok))

    def test_bad_descriptors(self):
        h = self.h
        good = poses()
        for label, v in (("127 numbers", [0.1] * 127), ("129", [0.1] * 129), ("string", "x"),
                         ("null", None), ("string inside", [0.1] * 127 + ["0.1"]), ("empty", [])):
            with self.subTest(case=label):
                descs = list(good)
                descs[1] = v
                err = self.bad(h.capture(self.sid, descs=descs), codes=("INVALID_FACE_DATA",))
                self.assertEqual(err.get("field"), "captures[1].descriptor")
                self.assertIn("left", err["message"])
        body = h.capture_body(self.sid)
        del body["captures"][4]["descriptor"]
        self.bad(fc.post(CAPTURE, json=body, token=h.login("manager")), codes=("INVALID_FACE_DATA",))
        text = json.dumps(h.capture_body(self.sid)).replace("[", "[1e999, ", 2)
        r = fc.post(CAPTURE, body=text, token=h.login("manager"))
        self.bad(r, codes=("INVALID_FACE_DATA", "VALIDATION_ERROR", "INVALID_JSON"))

    def test_inconsistent_captures_name_the_pose(self):
        h = self.h
        for k, pose in enumerate(POSES):
            with self.subTest(pose=pose):
                r = h.capture(self.sid, descs=outlier_poses(k, 1.5))
                body = fc.assert_error(r, 422, "INCONSISTENT_CAPTURES")
                self.assertEqual(body.get("pose"), pose, body)
                self.assertIn(pose, body["message"])
                self.assertFalse(any(p in body["message"] for p in POSES if p != pose),
                                 "names another pose too: %r" % body)
        # five different people
        r = h.capture(self.sid, descs=[person() for _ in range(5)])
        fc.assert_error(r, 422, "INCONSISTENT_CAPTURES")

    def test_oversize_image(self):
        h = self.h
        small = gradient_jpeg()
        padded = pad_jpeg(small, MAX_IMAGE + 1)
        r = h.capture(self.sid, images=[small, small, padded, small, small])
        body = fc.assert_error(r, 413, "PAYLOAD_TOO_LARGE")
        self.assertEqual(body.get("pose"), "right", body)
        # a real picture over the limit
        big = jpeg(ppm_noise(560, 560, 11), quality=100)
        self.assertGreater(len(big), MAX_IMAGE)
        r = h.capture(self.sid, images=[big, small, small, small, small])
        fc.assert_error(r, 413, "PAYLOAD_TOO_LARGE")

    def test_oversize_request(self):
        h = self.h
        body = h.capture_body(self.sid)
        body["padding"] = "x" * (2 * 1024 * 1024)
        r = fc.request("POST", CAPTURE, json=body, token=h.login("manager"), chunk_send=True)
        fc.assert_error(r, 413, "PAYLOAD_TOO_LARGE")
        # five images of 400 KiB each: 2 MB of base64, more than any request may be
        img = pad_jpeg(gradient_jpeg(), 400 * 1024)
        body = h.capture_body(self.sid, images=[img])
        r = fc.request("POST", CAPTURE, json=body, token=h.login("manager"), chunk_send=True)
        fc.assert_error(r, 413, "PAYLOAD_TOO_LARGE")

    def test_user(self):
        h = self.h
        other = IotHotel("enrbad2").make()
        tok = h.login("manager")
        for label, uid in (("unknown", "E-nobody"), ("other hotel", emp(other.people[0])),
                           ("inactive", emp(h.inactive["staff_id"]))):
            with self.subTest(case=label):
                body = h.capture_body(uid)
                fc.assert_error(fc.post(CAPTURE, json=body, token=tok), 404, "NOT_FOUND")
        for label, uid in (("missing", None), ("number", 5), ("empty", "")):
            with self.subTest(case=label):
                body = h.capture_body(self.sid)
                if uid is None:
                    del body["userId"]
                else:
                    body["userId"] = uid
                r = fc.post(CAPTURE, json=body, token=tok)
                self.assertIn(r.status, (400, 404), r)
                if r.status == 400:
                    fc.assert_error(r, 400, "VALIDATION_ERROR", field="userId")
                else:
                    fc.assert_error(r, 404, "NOT_FOUND")
        self.assertEqual(other.db_count("face_data"), 0)

    def test_not_json(self):
        h = self.h
        for text in ("", "{", "[]", "null", '"x"', "{\"userId\": }"):
            with self.subTest(body=text):
                r = fc.post(CAPTURE, body=text, token=h.login("manager"))
                body = fc.assert_json(r, 400)
                self.assertIn(body["code"], ("INVALID_JSON", "VALIDATION_ERROR"), r)


class CaptureRules(IotCase):
    """Hotel enabled → department → consent, after the payload checks
    (contract 5.3 order), for managers, admins and the system administrator."""

    def test_rule_order(self):
        h = IotHotel("enrrules").make()
        sid = h.people[1]                          # department dept[1]
        h.settings(face_attendance_enabled=False, face_attendance_departments=[h.dept[0]],
                   require_face_consent=True)
        before = state(h)
        # a payload error comes first
        r = h.capture(sid, consent=False, images=[png(), gradient_jpeg()])
        self.assertEqual(r.status, 400, r)
        fc.assert_error(h.capture(sid, consent=False, descs=outlier_poses(0, 2.0)), 422, "INCONSISTENT_CAPTURES")
        fc.assert_error(h.capture(sid, consent=False), 403, "FACE_DISABLED_FOR_HOTEL")
        h.settings(face_attendance_enabled=True)
        fc.assert_error(h.capture(sid, consent=False), 403, "FACE_DISABLED_FOR_DEPARTMENT")
        h.settings(face_attendance_departments=[h.dept[1]])
        fc.assert_error(h.capture(sid, consent=False), 400, "CONSENT_REQUIRED")
        self.assertEqual(state(h), before)
        fc.assert_json(h.capture(sid, consent=True), 201)

    def test_hotel_disabled_for_everyone(self):
        h = IotHotel("enroff").make()
        h.settings(face_attendance_enabled=False)
        for role in ("manager", "admin", "sysadmin"):
            with self.subTest(role=role):
                fc.assert_error(h.capture(h.people[0], role=role), 403, "FACE_DISABLED_FOR_HOTEL")
        self.assertEqual(state(h), (0, 0, 0))

    def test_departments(self):
        h = IotHotel("enrdept").make()
        h.settings(face_attendance_departments=[h.dept[0]])
        for sid in (h.people[1], h.no_dept):
            with self.subTest(staff_id=sid):
                fc.assert_error(h.capture(sid), 403, "FACE_DISABLED_FOR_DEPARTMENT")
        self.assertEqual(state(h), (0, 0, 0))
        fc.assert_json(h.capture(h.people[0]), 201)
        h.settings(face_attendance_departments=None)
        fc.assert_json(h.capture(h.no_dept), 201)

    def test_consent(self):
        h = IotHotel("enrconsent").make()
        for v in (False, "true", 1, None, [True]):
            with self.subTest(consent=v):
                fc.assert_error(h.capture(h.people[0], consent=v), 400, "CONSENT_REQUIRED")
        body = h.capture_body(h.people[0], consent=None)
        self.assertNotIn("consent_given", body)
        fc.assert_error(fc.post(CAPTURE, json=body, token=h.login("manager")), 400, "CONSENT_REQUIRED")
        self.assertEqual(state(h), (0, 0, 0))
        h.settings(require_face_consent=False)
        fc.assert_json(h.capture(h.people[0], consent=None), 201)
        fc.assert_json(h.capture(h.people[1], consent=False), 201)


class EnrollmentStatus(IotCase):
    def test_unenrolled_pending_enrolled_and_back(self):
        h = IotHotel("enrstat").make()
        sid = h.people[0]
        g = h.enrollment_ok(sid)
        self.assertEqual(set(g), {"employee_id", "enrollment_status", "thumbnail", "embedding_model",
                                  "enrolled_at", "devices"}, g)
        self.assertEqual(g["employee_id"], emp(sid))
        self.assertEqual(g["enrollment_status"], "unenrolled")
        self.assertIsNone(g["thumbnail"])
        self.assertIsNone(g["enrolled_at"])
        self.assertEqual(g["devices"], [])

        h.enroll(sid)
        g = h.enrollment_ok(sid)
        self.assertEqual(g["enrollment_status"], "pending")
        self.assertEqual(jpeg_dims(from_data_url(g["thumbnail"])), (128, 128))
        fc.parse_ts(g["enrolled_at"])
        self.assertEqual(g["devices"], [])

        a = h.device("enr-a")
        b = h.device("enr-b")
        off = h.device("enr-off", state="offline")
        push = fc.assert_json(h.push(sid, targets=[a, b]), 200)
        self.assertEqual(push["data"]["new_status"], "enrolled")
        g = h.enrollment_ok(sid)
        self.assertEqual(g["enrollment_status"], "enrolled")
        devs = sorted(g["devices"], key=lambda x: x["device_id"])
        self.assertEqual([x["device_id"] for x in devs], ["enr-a", "enr-b"])
        for x in devs:
            self.assertEqual(set(x), {"device_id", "display_name", "status", "sync_version"}, x)
            self.assertEqual(x["display_name"], "Cam " + x["device_id"])
            self.assertEqual(x["status"], "online")
            self.assertIsInstance(x["sync_version"], int)
        # the device syncs: its sync_version shows in the list
        s = h.sync_ok(a)
        g = h.enrollment_ok(sid)
        self.assertEqual({x["device_id"]: x["sync_version"] for x in g["devices"]}["enr-a"], s["sync_version"])

        # a push that partly fails: pending again; the devices that have it still listed
        push = fc.assert_json(h.push(sid, targets=[a, off]), 200)
        self.assertEqual(push["data"]["new_status"], "pending")
        g = h.enrollment_ok(sid)
        self.assertEqual(g["enrollment_status"], "pending")
        self.assertEqual(sorted(x["device_id"] for x in g["devices"]), ["enr-a", "enr-b"])
        # a device going offline shows as offline there
        h.set_offline(b)
        g = h.enrollment_ok(sid)
        self.assertEqual({x["device_id"]: x["status"] for x in g["devices"]}, {"enr-a": "online", "enr-b": "offline"})

        # revoked: unenrolled, no devices
        r = fc.request("DELETE", h.att("revoke-face/%d/" % sid), json={"reason": "test"},
                       token=h.login("manager"))
        fc.assert_json(r, 200)
        g = h.enrollment_ok(sid)
        self.assertEqual(g["enrollment_status"], "unenrolled")
        self.assertIsNone(g["thumbnail"])
        self.assertEqual(g["devices"], [])

    def test_recapture_after_push_is_pending(self):
        h = IotHotel("enrre").make()
        sid = h.people[0]
        h.enroll(sid)
        a = h.device("re-a")
        h.push_ok(sid, a)
        self.assertEqual(h.enrollment_ok(sid)["enrollment_status"], "enrolled")
        h.enroll(sid)
        g = h.enrollment_ok(sid)
        self.assertEqual(g["enrollment_status"], "pending")
        self.assertEqual([x["device_id"] for x in g["devices"]], ["re-a"])

    def test_kiosk_registered_face(self):
        """A face registered at a kiosk has no capture: no thumbnail; pushed,
        it is enrolled."""
        h = IotHotel("enrkreg").make()
        sid = h.people[0]
        h.register(sid)
        g = h.enrollment_ok(sid)
        self.assertEqual(g["enrollment_status"], "pending")
        self.assertIsNone(g["thumbnail"])
        self.assertEqual(g["embedding_model"], MODEL)
        fc.parse_ts(g["enrolled_at"])
        # a departed staff member is known, and unenrolled
        g = h.enrollment_ok(h.inactive["staff_id"])
        self.assertEqual((g["enrollment_status"], g["devices"]), ("unenrolled", []))
        a = h.device("kreg-a")
        push = fc.assert_json(h.push(sid, targets=[a]), 200)
        self.assertEqual(push["data"]["new_status"], "enrolled")
        g = h.enrollment_ok(sid)
        self.assertEqual(g["enrollment_status"], "enrolled")
        self.assertIsNone(g["thumbnail"])
        self.assertEqual([x["device_id"] for x in g["devices"]], ["kreg-a"])

    def test_unknown_employee_and_readers(self):
        h = IotHotel("enrget").make()
        other = IotHotel("enrget2").make()
        other.enroll(other.people[0])
        for uid in ("E-nobody", emp(other.people[0]), emp(h.base + 999)):
            with self.subTest(uid=uid):
                fc.assert_error(h.enrollment(uid), 404, "NOT_FOUND")
        for role in ("manager", "hr", "admin", "sysadmin"):
            with self.subTest(role=role):
                g = fc.assert_json(h.enrollment(h.people[0], role=role), 200)
                self.assertEqual(g["enrollment_status"], "unenrolled")
        fc.assert_error(fc.get("/api/enrollment/%s" % emp(h.people[0]), api_key=fc.ADMIN_KEY),
                        400, "VALIDATION_ERROR", field="hotel")
        # trailing slash as well
        fc.assert_json(fc.get("/api/enrollment/%s/" % emp(h.people[0]), token=h.login("hr")), 200)
