#!/usr/bin/env python3
"""A simulated edge camera (docs/iot.md "MQTT push"): what a real device
does with faceclock, in one process for many devices.

A SimDevice provisions itself with its token (optionally with a CSR, when
it is given one), connects to the MQTT broker as <hotel_slug>/<device_id>
with its API key as the password, subscribes to its own topic
faceclock/<hotel>/devices/<device_id>/#, pulls
GET /api/iot/enrollments/sync?since_version=<applied> once on every
(re)connection (a "sync now" sent while it was away is not kept for it)
and again on each "sync now" message {"version": N} newer than what it
applied, and records what it applied. On a config message {"version": N}
newer than the configuration it runs it fetches
GET /api/iot/devices/<id>/config and reports the version applied in a
heartbeat (applied_config_version); on an action message {"id", "kind"}
it acknowledges the action (POST .../actions/<id>/ack), once per id. With
heartbeat=True it also heartbeats on every (re)connection — the poll
path: the answer's pending_actions are acknowledged and a config_version
above what it runs is fetched. Used by tests/e2e/devices/test_mqtt.py,
test_config_push.py, the fault suite and the fleet bench (N devices,
each with its own paho client thread).

As a command:

    tests/devices/sim.py --base http://127.0.0.1:8080 --mqtt mqtt://127.0.0.1:8087 \\
        --hotel grand --device cam-1 --key dev_... [--seconds 60]

prints one line per message and sync. Needs paho-mqtt (Debian
python3-paho-mqtt; scripts/deps.sh).
"""

import argparse
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

try:
    import paho.mqtt.client as mqtt
except ImportError:      # a python3 of its own (pyenv) beside Debian's: use Debian's package
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import paho.mqtt.client as mqtt
    except ImportError:
        mqtt = None


def available():
    """Whether paho-mqtt can be imported."""
    return mqtt is not None


def parse_url(url):
    """"mqtt://host:port" → (host, port)."""
    u = urllib.parse.urlsplit(url)
    if u.scheme != "mqtt" or not u.hostname or not u.port:
        raise ValueError("not mqtt://host:port: %r" % url)
    return u.hostname, u.port


def topic(hotel, device_id, leaf="#"):
    return "faceclock/%s/devices/%s/%s" % (hotel, device_id, leaf)


def http_json(method, url, body=None, api_key=None, timeout=30):
    """(status, parsed JSON body or None)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if api_key is not None:
        req.add_header("X-API-Key", api_key)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def provision(base, device_id, token, csr=None):
    """POST /api/iot/devices/provision: the answer's body (api_key, and the
    certificate when a CSR was sent); AssertionError when refused."""
    body = {"device_id": device_id, "provisioning_token": token}
    if csr is not None:
        body["csr"] = csr
    status, got = http_json("POST", base.rstrip("/") + "/api/iot/devices/provision", body)
    if status != 200:
        raise AssertionError("provisioning %s answered %s: %r" % (device_id, status, got))
    return got


class SimDevice:
    """One simulated camera. Thread-safe reads of what it saw: messages
    (list of (monotonic time, topic, payload)), versions (the "sync now"
    versions received), applied (list of dicts: version, additions,
    removals, at), refused (the CONNACK code of a refused connect, else
    None), subscribe_results (the granted QoS per SUBSCRIBE, 128 refused),
    disconnects (how many times the broker dropped it), config_versions
    (the config messages' versions), config (the configuration it fetched
    last) and config_version (its version), actions (the action messages:
    dicts id, kind), acked (the action ids it acknowledged, in order)."""

    def __init__(self, base, mqtt_url, hotel, device_id, api_key, pull=True, client_id=None, heartbeat=False):
        if mqtt is None:
            raise RuntimeError("paho-mqtt is not installed (Debian python3-paho-mqtt)")
        self.base = base.rstrip("/")
        self.host, self.port = parse_url(mqtt_url)
        self.hotel, self.device_id, self.api_key = hotel, device_id, api_key
        self.pull = pull
        self.username = "%s/%s" % (hotel, device_id)
        self.lock = threading.Condition()
        self.messages, self.versions, self.applied = [], [], []
        self.subscribe_results = {}
        self.connected = False
        self.refused = None
        self.disconnects = 0
        self.synced_version = 0
        self.heartbeats = heartbeat
        self.config_versions, self.actions, self.acked = [], [], []
        self.config, self.config_version = None, 0
        self._sub_mid = None
        self.client = mqtt.Client(client_id=client_id or "sim-%s-%s-%d" % (hotel, device_id, os.getpid()),
                                  clean_session=True)
        self.client.username_pw_set(self.username, api_key)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.client.reconnect_delay_set(1, 2)

    # --- paho callbacks (its network thread)
    def _on_connect(self, client, userdata, flags, rc):
        with self.lock:
            if rc != 0:
                self.refused = rc
                self.connected = False
            else:
                self.refused = None
                self.connected = True
            self.lock.notify_all()
        if rc == 0:
            client.subscribe(topic(self.hotel, self.device_id), qos=1)
            if self.pull:           # what was sent while it was away: pulled once
                threading.Thread(target=self.sync, daemon=True).start()
            if self.heartbeats:     # and the actions and config it missed
                threading.Thread(target=self.heartbeat, daemon=True).start()
        else:
            client.disconnect()     # refused: do not retry for ever

    def _on_disconnect(self, client, userdata, rc):
        with self.lock:
            if self.connected:
                self.disconnects += 1
            self.connected = False
            self.lock.notify_all()

    def _on_subscribe(self, client, userdata, mid, granted_qos):
        with self.lock:
            self.subscribe_results[mid] = list(granted_qos)
            self.lock.notify_all()

    def _on_message(self, client, userdata, msg):
        now = time.monotonic()
        version = config = action = None
        try:
            body = json.loads(msg.payload)
            if msg.topic == topic(self.hotel, self.device_id, "sync"):
                version = int(body["version"])
            elif msg.topic == topic(self.hotel, self.device_id, "config"):
                config = int(body["version"])
            elif msg.topic == topic(self.hotel, self.device_id, "actions"):
                action = {"id": int(body["id"]), "kind": str(body["kind"])}
        except (ValueError, KeyError, TypeError):
            pass
        with self.lock:
            self.messages.append((now, msg.topic, msg.payload))
            if version is not None:
                self.versions.append((now, version))
            if config is not None:
                self.config_versions.append((now, config))
            if action is not None:
                self.actions.append(action)
            self.lock.notify_all()
        if version is not None and self.pull and version > self.synced_version:
            threading.Thread(target=self.sync, daemon=True).start()
        if config is not None and self.pull and config > self.config_version:
            threading.Thread(target=self.fetch_config, daemon=True).start()
        if action is not None and self.pull:
            threading.Thread(target=self.ack, args=(action["id"],), daemon=True).start()

    # --- what a camera does
    def start(self):
        """Connect (in the background; wait_connected() to know)."""
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        return self

    def stop(self):
        self.client.disconnect()
        self.client.loop_stop()

    def wait(self, pred, timeout):
        """Wait until pred() (called under the lock) is true: its value."""
        end = time.monotonic() + timeout
        with self.lock:
            while True:
                v = pred()
                if v or time.monotonic() >= end:
                    return v
                self.lock.wait(min(0.1, max(0.0, end - time.monotonic())))

    def wait_connected(self, timeout=10):
        """True once connected (and subscribed to its topic), False when
        refused or not in time."""
        ok = self.wait(lambda: self.refused is not None or (self.connected and self.subscribe_results), timeout)
        return bool(ok) and self.refused is None

    def subscribe(self, t, timeout=5):
        """Subscribe to t: the granted QoS list (128: refused by the broker)."""
        rc, mid = self.client.subscribe(t, qos=1)
        if rc != mqtt.MQTT_ERR_SUCCESS:
            return None
        return self.wait(lambda: self.subscribe_results.get(mid), timeout)

    def publish(self, t, payload, qos=1):
        info = self.client.publish(t, payload, qos=qos)
        return info

    def sync(self):
        """Pull the changes since what it applied; record them."""
        url = "%s/api/iot/enrollments/sync?%s" % (self.base, urllib.parse.urlencode(
            {"device_id": self.device_id, "since_version": self.synced_version}))
        status, body = http_json("GET", url, api_key=self.api_key)
        if status != 200 or not isinstance(body, dict):
            with self.lock:
                self.applied.append({"status": status, "at": time.monotonic()})
                self.lock.notify_all()
            return None
        rec = {"status": 200, "version": body.get("sync_version"), "at": time.monotonic(),
               "additions": [a.get("user_id") for a in body.get("additions") or []],
               "removals": list(body.get("removals") or [])}
        with self.lock:
            if isinstance(rec["version"], int) and rec["version"] > self.synced_version:
                self.synced_version = rec["version"]
            self.applied.append(rec)
            self.lock.notify_all()
        return rec


    def _device_url(self, rest):
        return "%s/api/iot/devices/%s/%s" % (self.base, urllib.parse.quote(self.device_id), rest)

    def fetch_config(self):
        """Fetch its configuration, run it, report the version applied
        (a heartbeat with applied_config_version): the answer or None."""
        status, body = http_json("GET", self._device_url("config"), api_key=self.api_key)
        if status != 200 or not isinstance(body, dict):
            return None
        with self.lock:
            if body.get("config_version", 0) >= self.config_version:
                self.config, self.config_version = body.get("config"), body.get("config_version", 0)
            self.lock.notify_all()
        self.heartbeat(fetch=False)
        return body

    def ack(self, action_id):
        """Acknowledge action action_id (a repeated id: once, as a real
        device treats it as done): the HTTP status, or None when done."""
        with self.lock:
            if action_id in self.acked:
                return None
        status, _ = http_json("POST", self._device_url("actions/%d/ack" % action_id), {}, api_key=self.api_key)
        if status == 200:
            with self.lock:
                if action_id not in self.acked:
                    self.acked.append(action_id)
                self.lock.notify_all()
        return status

    def heartbeat(self, fetch=True):
        """A heartbeat with its receipts (applied_version,
        applied_config_version); the answer's pending_actions acknowledged
        and, when fetch, a newer config_version fetched: the answer or None."""
        with self.lock:
            body = {"applied_version": self.synced_version, "applied_config_version": self.config_version}
        status, got = http_json("POST", self._device_url("heartbeat"), body, api_key=self.api_key)
        if status != 200 or not isinstance(got, dict):
            return None
        for a in got.get("pending_actions") or []:
            self.ack(a["id"])
        if fetch and got.get("config_version", 0) > self.config_version:
            self.fetch_config()
        return got


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--mqtt", required=True)
    ap.add_argument("--hotel", required=True)
    ap.add_argument("--device", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--seconds", type=float, default=60)
    a = ap.parse_args()
    dev = SimDevice(a.base, a.mqtt, a.hotel, a.device, a.key).start()
    if not dev.wait_connected():
        print("connect refused (%s)" % dev.refused, file=sys.stderr)
        return 1
    print("connected as %s; subscribed to %s" % (dev.username, topic(a.hotel, a.device)))
    seen = 0
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        dev.wait(lambda: len(dev.applied) > seen, end - time.monotonic())
        with dev.lock:
            new, seen = dev.applied[seen:], len(dev.applied)
        for rec in new:
            print(json.dumps(rec))
    dev.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
