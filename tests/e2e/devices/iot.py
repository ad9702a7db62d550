"""Helpers shared by the devices/ tests and the others that enroll faces or
run devices (no tests here; the name has no test_ prefix).

- Images made at test time, never checked in: ppm_*() write PPM (P6) bytes
  from Python, jpeg() feeds them to cjpeg (Debian libjpeg-turbo-progs),
  pad_jpeg() grows a JPEG to an exact size with COM segments (still a valid
  JPEG), png() is a minimal PNG (zlib + CRC), jpeg_dims() reads the SOF
  header, djpeg_pixels() decodes through djpeg for pixel checks.
- Descriptors for a capture: poses() are five descriptors around a face
  (each at a known distance from their mean); mean(); embedding_floats()
  decodes the answer's base64 little-endian float32 embedding.
- IotHotel: an AttHotel (attendance/att.py) with short-cuts for the
  enrollment and IoT endpoints: capture, enrollment status, devices
  (create, provision, heartbeat, online/offline by moving
  last_heartbeat_at), push, sync, events; the system administrator's
  requests carry ?hotel=slug.
"""

import base64
import datetime
import math
import os
import random
import shutil
import string
import struct
import subprocess
import time
import unittest
import urllib.parse
import zlib

import fc
from attendance.att import AttCase, AttHotel, DIM, along, person, unit

POSES = ("front", "left", "right", "up", "down")
MAX_IMAGE = 512 * 1024           # decoded bytes per image (docs/iot.md)
MODEL = "face-api.js"
ONLINE_S = 90
_rng = random.SystemRandom()


# ------------------------------------------------------------------ images

def _need(tool):
    if shutil.which(tool) is None:
        raise unittest.SkipTest("%s not installed (Debian libjpeg-turbo-progs; scripts/deps.sh)" % tool)


def ppm(w, h, pixel):
    """P6 bytes of a w×h image; pixel(x, y) → (r, g, b)."""
    rows = bytearray()
    for y in range(h):
        for x in range(w):
            rows += bytes(pixel(x, y))
    return b"P6\n%d %d\n255\n" % (w, h) + bytes(rows)


def ppm_gradient(w=320, h=240, blue=128):
    return ppm(w, h, lambda x, y: ((x * 255) // max(1, w - 1), (y * 255) // max(1, h - 1), blue))


def ppm_bands(w, h, centre, side):
    """The centred h×h square (w ≥ h) in colour centre, the side bands in
    colour side: a centre-cropped thumbnail is all centre, a stretched one
    shows side at its left and right edges."""
    x0 = (w - h) // 2
    x1 = x0 + h
    return ppm(w, h, lambda x, y: centre if x0 <= x < x1 else side)


def ppm_noise(w, h, seed):
    """Deterministic noise (compresses badly: big JPEGs from small sizes)."""
    r = random.Random(seed)
    return b"P6\n%d %d\n255\n" % (w, h) + r.randbytes(w * h * 3)


_jpeg_cache = {}


def jpeg(ppm_bytes, quality=85):
    """cjpeg of a PPM (cached per input)."""
    _need("cjpeg")
    key = (zlib.crc32(ppm_bytes), len(ppm_bytes), quality)
    if key not in _jpeg_cache:
        p = subprocess.run(["cjpeg", "-quality", str(quality)], input=ppm_bytes,
                           capture_output=True, check=True, timeout=30)
        _jpeg_cache[key] = p.stdout
    return _jpeg_cache[key]


def cjpeg_flags(ppm_bytes, flags):
    """cjpeg with extra flags (-progressive, -grayscale, ...)."""
    _need("cjpeg")
    p = subprocess.run(["cjpeg"] + list(flags), input=ppm_bytes, capture_output=True, check=True, timeout=30)
    return p.stdout


def gradient_jpeg(w=320, h=240, blue=128):
    return jpeg(ppm_gradient(w, h, blue))


def pad_jpeg(data, total):
    """data (a JPEG) grown to exactly `total` bytes by COM segments right
    after SOI: the same picture, a valid JPEG of that size."""
    assert data[:2] == b"\xff\xd8"
    need = total - len(data)
    assert need >= 0, "JPEG already larger than %d" % total
    segs = []
    while need > 0:
        if need < 4:                      # a COM segment is at least 4 bytes: shrink the last
            assert segs, "cannot pad by %d bytes" % need
            last = segs.pop()
            need += len(last)
            n = need - 4 - 4              # two segments: need-4 ... and 4
            segs.append(b"\xff\xfe" + struct.pack(">H", n + 2) + b"c" * n)
            segs.append(b"\xff\xfe" + struct.pack(">H", 2))
            need = 0
            break
        n = min(need - 4, 65533)
        segs.append(b"\xff\xfe" + struct.pack(">H", n + 2) + b"c" * n)
        need -= n + 4
    out = data[:2] + b"".join(segs) + data[2:]
    assert len(out) == total, (len(out), total)
    return out


def png(w=8, h=8):
    """A minimal valid PNG (RGB, 8 bit)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    raw = b"".join(b"\x00" + b"".join(bytes((x * 30 % 256, y * 30 % 256, 90)) for x in range(w))
                   for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_dims(data):
    """(width, height) from a JPEG's SOF segment; AssertionError when the
    bytes are not a JPEG with a frame header."""
    if data[:2] != b"\xff\xd8":
        raise AssertionError("not a JPEG (no SOI): %r" % data[:8])
    i = 2
    n = len(data)
    while i < n:
        if data[i] != 0xFF:
            raise AssertionError("JPEG: expected a marker at offset %d" % i)
        while i < n and data[i] == 0xFF:
            i += 1
        if i >= n:
            break
        m = data[i]
        i += 1
        if m == 0xD8 or m == 0x01 or 0xD0 <= m <= 0xD7:
            continue
        if m == 0xD9 or m == 0xDA:
            break
        if i + 2 > n:
            break
        seglen = struct.unpack(">H", data[i:i + 2])[0]
        if m in _SOF:
            if i + 7 > n:
                break
            hgt, wid = struct.unpack(">HH", data[i + 3:i + 7])
            return wid, hgt
        i += seglen
    raise AssertionError("JPEG without a SOF header")


def djpeg_pixels(data):
    """Decode a JPEG with djpeg: (w, h, rgb bytes)."""
    _need("djpeg")
    p = subprocess.run(["djpeg", "-pnm"], input=data, capture_output=True, check=True, timeout=30)
    out = p.stdout
    # P6\n<w> <h>\n255\n
    parts = out.split(maxsplit=4)
    assert parts[0] == b"P6", parts[:1]
    w, h, mx = int(parts[1]), int(parts[2]), int(parts[3])
    assert mx == 255
    pix = parts[4] if len(parts[4]) == w * h * 3 else out[-w * h * 3:]
    return w, h, pix


def pixel(w, pix, x, y):
    o = (y * w + x) * 3
    return tuple(pix[o:o + 3])


def data_url(data, mime="image/jpeg"):
    return "data:%s;base64,%s" % (mime, base64.b64encode(data).decode())


def from_data_url(url, mime="image/jpeg"):
    prefix = "data:%s;base64," % mime
    if not isinstance(url, str) or not url.startswith(prefix):
        raise AssertionError("not a %s data URL: %r" % (mime, (url or "")[:60]))
    return base64.b64decode(url[len(prefix):], validate=True)


# ------------------------------------------------------------- descriptors

def poses(base=None, spread=0.1):
    """Five descriptors (front, left, right, up, down) of one face: base
    moved by `spread` along five different axes; each is spread·√(1−1/5)·…
    from the mean, well within 0.6."""
    base = base if base is not None else person()
    return [along(base, i, spread) for i in range(5)]


def mean(descs):
    return [sum(c) / len(descs) for c in zip(*descs)]


def outlier_poses(k, d, base=None):
    """Five descriptors where pose k lies d away from the other four (which
    coincide): pose k is 0.8·d from the mean, the others 0.2·d."""
    base = base if base is not None else person()
    u = unit()
    out = [list(base) for _ in range(5)]
    out[k] = [b + d * x for b, x in zip(base, u)]
    return out


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def embedding_floats(b64):
    raw = base64.b64decode(b64, validate=True)
    if len(raw) != 4 * DIM:
        raise AssertionError("embedding is %d bytes, not %d" % (len(raw), 4 * DIM))
    return list(struct.unpack("<%df" % DIM, raw))


# ---------------------------------------------------------------- events

def event_id(ms=None, rand=None):
    ms = ms if ms is not None else int(time.time() * 1000)
    rand = rand or "".join(_rng.choice(string.ascii_letters + string.digits) for _ in range(10))
    return "EV1-%d-%s" % (ms, rand)


def ts(dt=None):
    dt = dt or datetime.datetime.now(datetime.timezone.utc)
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ hotel

class Device:
    def __init__(self, device_id, key=None, created=None):
        self.device_id = device_id
        self.key = key
        self.created = created

    def __repr__(self):
        return "<Device %s>" % self.device_id


DEVICE_FIELDS = {"device_id", "display_name", "device_category", "capability", "location_label",
                 "location_geo", "status", "lifecycle", "last_heartbeat_at", "enrolled_count",
                 "sync_version"}
CAPTURE_DATA_FIELDS = {"employee_id", "enrollment_status", "thumbnail", "embedding",
                       "embedding_model", "embedding_dim", "image_count", "enrolled_at"}
ENROLLMENT_FIELDS = {"employee_id", "enrollment_status", "thumbnail", "embedding_model",
                     "enrolled_at", "devices"}
SYNC_FIELDS = {"sync_version", "additions", "removals", "full_sync_required", "total_enrolled",
               "synced_at"}
ADDITION_FIELDS = {"user_id", "embedding", "dim", "model", "display_name"}


def emp(sid):
    """The employee_code (API employee_id / userId) of a test staff id."""
    return "E%d" % sid


def q(path, **params):
    params = {k: v for k, v in params.items() if v is not None}
    if not params:
        return path
    return path + ("&" if "?" in path else "?") + urllib.parse.urlencode(params)


class IotHotel(AttHotel):
    """A hotel for the enrollment / IoT tests (time zone UTC; people as
    AttHotel: self.people[0..extra-1] without logins)."""

    def __init__(self, tag="iot", extra=8, **kw):
        super().__init__(tag, extra=extra, **kw)
        self._fronts = {}

    def code(self, sid):
        """The employee_code of staff id sid (a str is taken as a code)."""
        if not isinstance(sid, int):
            return sid
        for r in self.staff:
            if r["id"] == sid:
                return r["employee_code"]
        return emp(sid)

    # --- callers
    def sys(self, method, path, json=None, **kw):
        """As the system administrator, with ?hotel=slug."""
        return fc.request(method, q(path, hotel=self.slug), json=json, api_key=fc.ADMIN_KEY, **kw)

    def as_role(self, role, method, path, json=None, **kw):
        return fc.request(method, path, json=json, token=self.login(role), **kw)

    # --- enrollment
    def capture_body(self, sid, descs=None, images=None, consent=True, order=POSES):
        descs = descs if descs is not None else poses()
        if images is None:
            images = [gradient_jpeg()] * 5
        caps = []
        for i, pose in enumerate(order):
            img = images[i % len(images)]
            caps.append({"pose": pose,
                         "imageData": data_url(img) if isinstance(img, (bytes, bytearray)) else img,
                         "descriptor": descs[i % len(descs)]})
        body = {"userId": self.code(sid), "captures": caps}
        if consent is not None:
            body["consent_given"] = consent
        return body

    def capture(self, sid, role="manager", **kw):
        body = self.capture_body(sid, **kw)
        if role == "sysadmin":
            return self.sys("POST", "/api/enrollment/capture", json=body)
        return fc.post("/api/enrollment/capture", json=body, token=self.login(role))

    def enroll(self, sid, base=None):
        """Capture sid's five poses; returns the mean descriptor (the face data)."""
        descs = poses(base)
        fc.assert_json(self.capture(sid, descs=descs), 201)
        return mean(descs)

    def enrollment(self, sid, role="manager"):
        path = "/api/enrollment/%s" % self.code(sid)
        if role == "sysadmin":
            return self.sys("GET", path)
        return fc.get(path, token=self.login(role))

    def enrollment_ok(self, sid):
        return fc.assert_json(self.enrollment(sid), 200)

    # --- devices
    def create_device(self, device_id, role="admin", **fields):
        body = {"device_id": device_id, "display_name": fields.pop("display_name", "Cam " + device_id),
                "device_category": "camera", "capability": "face_recognition",
                "location_label": "Lobby", "location_geo": None}
        body.update(fields)
        if role == "sysadmin":
            return self.sys("POST", "/api/iot/devices", json=body)
        return fc.post("/api/iot/devices", json=body, token=self.login(role))

    def device(self, device_id, state="online", **fields):
        """A device in state 'provisioning' (created only), 'provisioned'
        (key, never seen), 'online' (heartbeat now) or 'offline' (last
        heartbeat 2 minutes ago)."""
        created = fc.assert_json(self.create_device(device_id, **fields), 201)
        dev = Device(device_id, created=created)
        if state == "provisioning":
            return dev
        r = provision(device_id, created["provisioning_token"])
        dev.key = fc.assert_json(r, 200)["api_key"]
        if state == "provisioned":
            return dev
        fc.assert_json(self.heartbeat(dev), 200)
        if state == "offline":
            self.set_offline(dev)
        return dev

    def in_lifecycle(self, device_id, lifecycle):
        """A device brought to lifecycle (docs/iot.md "Lifecycle") through
        the API as the hotel's admin: UNALLOCATED and ALLOCATED registered
        without a token (ALLOCATED with a location), PROVISIONING with one,
        PROVISIONED and ACTIVE as device() makes them, ERROR reported by
        its heartbeat, DISABLED a provisioning one disabled,
        DECOMMISSIONED one deleted. The Device (with its key when it has
        one)."""
        if lifecycle in ("UNALLOCATED", "ALLOCATED"):
            place = {"location_label": "Lobby"} if lifecycle == "ALLOCATED" else {"location_label": None}
            fc.assert_json(self.create_device(device_id, provision=False, **place), 201)
            return Device(device_id)
        state = {"PROVISIONING": "provisioning", "PROVISIONED": "provisioned",
                 "DISABLED": "provisioning", "DECOMMISSIONED": "provisioning"}.get(lifecycle, "online")
        dev = self.device(device_id, state=state)
        path = "/api/iot/devices/" + device_id
        if lifecycle == "ERROR":
            fc.assert_json(self.heartbeat(dev, json={"error": "lens fogged"}), 200)
        elif lifecycle == "DISABLED":
            fc.assert_json(fc.post(path + "/disable", json={}, token=self.login("admin")), 200)
        elif lifecycle == "DECOMMISSIONED":
            fc.assert_json(fc.delete(path, token=self.login("admin")), 200)
        got = self.db_device(device_id, "lifecycle")
        if got != lifecycle:
            raise AssertionError("%s is %s, not %s" % (device_id, got, lifecycle))
        return dev

    def heartbeat(self, dev, json=None, device_id=None):
        return fc.post("/api/iot/devices/%s/heartbeat" % (device_id or dev.device_id),
                       json=json if json is not None else {}, api_key=dev.key)

    def set_heartbeat_age(self, dev, seconds):
        fc.psql("UPDATE devices SET last_heartbeat_at = now() - interval '%d seconds' "
                "WHERE hotel_id = %d AND device_id = %s" % (seconds, self.hotel_id, fc.sql_str(dev.device_id)))

    def set_offline(self, dev):
        self.set_heartbeat_age(dev, 120)

    def devices(self, role="manager", **filters):
        path = q("/api/iot/devices", **filters)
        if role == "sysadmin":
            return self.sys("GET", path)
        return fc.get(path, token=self.login(role))

    def device_list(self, **filters):
        return fc.assert_json(self.devices(**filters), 200)

    def listed(self, device_id):
        for d in self.device_list(limit=1000)["devices"]:
            if d["device_id"] == device_id:
                return d
        return None

    def db_device(self, device_id, cols):
        return fc.psql("SELECT %s FROM devices WHERE hotel_id = %d AND device_id = %s"
                       % (cols, self.hotel_id, fc.sql_str(device_id)))

    # --- push / sync
    def push(self, sid, mode="selected", targets=None, location=None, role="manager"):
        body = {"employee_id": self.code(sid), "push_mode": mode}
        if targets is not None:
            body["target_devices"] = [t.device_id if isinstance(t, Device) else t for t in targets]
        if location is not None:
            body["location_label"] = location
        if role == "sysadmin":
            return self.sys("POST", "/api/iot/enrollments/push", json=body)
        return fc.post("/api/iot/enrollments/push", json=body, token=self.login(role))

    def push_ok(self, sid, *targets):
        body = fc.assert_json(self.push(sid, targets=list(targets)), 200)
        if body["data"]["devices_failed"] != 0:
            raise AssertionError("push failed: %r" % body)
        return body

    def sync(self, dev, since=0, model=None, device_id=None, key=None, applied=None):
        path = q("/api/iot/enrollments/sync", device_id=device_id or dev.device_id,
                 since_version=since, model=model, applied_version=applied)
        return fc.get(path, api_key=key or dev.key, timeout=30)

    def sync_ok(self, dev, since=0, model=None, applied=None):
        return fc.assert_json(self.sync(dev, since, model, applied=applied), 200)

    def version(self):
        return int(fc.psql("SELECT sync_version FROM hotels WHERE id = %d" % self.hotel_id))

    # --- events
    def event(self, dev, **fields):
        body = {"event_id": event_id(), "event_type": "face_recognition",
                "event_timestamp": ts(), "metadata": {"confidence": 0.93}}
        body.update(fields)
        body = {k: v for k, v in body.items() if v is not _ABSENT}
        return fc.post("/api/iot/events", json=body, api_key=dev.key), body

    def events(self, role="manager", **filters):
        path = q("/api/iot/events", **filters)
        if role == "sysadmin":
            return self.sys("GET", path)
        return fc.get(path, token=self.login(role))


class _Absent:
    def __repr__(self):
        return "<absent>"


_ABSENT = _Absent()
ABSENT = _ABSENT


def provision(device_id, token, **kw):
    return fc.post("/api/iot/devices/provision",
                   json={"device_id": device_id, "provisioning_token": token}, **kw)


class IotCase(AttCase):
    """Checks shared by the IoT tests."""

    def assert_device(self, d):
        self.assertIsInstance(d, dict)
        self.assertTrue(DEVICE_FIELDS <= set(d), "device lacks %s: %r" % (DEVICE_FIELDS - set(d), d))
        self.assertIn(d["status"], ("provisioning", "online", "offline"))
        self.assertIn(d["capability"], ("face_recognition", "emotion_monitoring"))
        if d["last_heartbeat_at"] is not None:
            fc.parse_ts(d["last_heartbeat_at"])
        self.assertIsInstance(d["enrolled_count"], int)
        self.assertIsInstance(d["sync_version"], int)
        self.assertNotIn("api_key", d)
        self.assertNotIn("provisioning_token", d)
        self.assertNotIn("key_hash", d)
        return d

    def assert_sync(self, body, full=False):
        self.assertIsInstance(body, dict)
        self.assertTrue(SYNC_FIELDS <= set(body), "sync lacks %s: %r" % (SYNC_FIELDS - set(body), body))
        self.assertIsInstance(body["sync_version"], int)
        self.assertIsInstance(body["additions"], list)
        self.assertIsInstance(body["removals"], list)
        self.assertIs(body["full_sync_required"], full, body)
        self.assertIsInstance(body["total_enrolled"], int)
        fc.parse_ts(body["synced_at"])
        for a in body["additions"]:
            self.assertEqual(set(a), ADDITION_FIELDS, a)
            self.assertEqual(a["dim"], DIM)
            self.assertEqual(a["model"], MODEL)
            embedding_floats(a["embedding"])
        for rm in body["removals"]:
            self.assertIsInstance(rm, str)
        return body

    def additions(self, body):
        """{user_id: embedding floats} of a sync answer (each user once)."""
        out = {}
        for a in body["additions"]:
            self.assertNotIn(a["user_id"], out, "user %s twice in additions" % a["user_id"])
            out[a["user_id"]] = embedding_floats(a["embedding"])
        return out

    def assert_floats(self, got, want, tol=1e-6):
        self.assertEqual(len(got), len(want))
        worst = max(abs(g - w) for g, w in zip(got, want))
        self.assertLessEqual(worst, tol, "embedding differs by %g" % worst)
