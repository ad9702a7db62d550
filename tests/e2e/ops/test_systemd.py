"""The production units (deploy/systemd/) and the site a system nginx
installs (`scripts/stack.sh site`), checked as far as a machine without
systemd as PID 1 allows:

- `systemd-analyze verify` passes every unit with nothing to say (it only
  warns, exit 0, on an unknown key or a bad value: any output fails), with
  ExecStart pointed at the built binary (it checks the command exists);
  a broken copy shows the check can fail;
- faceclock.service has the restart policy and hardening the operations
  guide promises;
- the MQTT broker's units: faceclock-mqtt.service runs mosquitto on the
  shipped configuration (deploy/mosquitto/faceclock.conf), whose password
  and ACL files are the mqtt service's, under faceclock.service's state
  directory; faceclock-mqtt-reload.path watches exactly those files and
  its service reloads that broker (SIGHUP);
- the rendered site passes `nginx -t` inside an http {} like Debian's, and
  talks to the socket the unit makes; rendered without nginx's nchan
  module too (its live lines left out, the rate limits' zones kept)."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import fc

UNITS = os.path.join(fc.REPO, "deploy", "systemd")
INSTALLED_BIN = "/usr/local/bin/faceclock"


MOSQUITTO_CONF = os.path.join(fc.REPO, "deploy", "mosquitto", "faceclock.conf")


def unit_files():
    return sorted(f for f in os.listdir(UNITS) if f.endswith((".service", ".timer", ".path")))


def read(name):
    with open(os.path.join(UNITS, name), encoding="utf-8") as f:
        return f.read()


def settings(text):
    """{key: [values]} of a unit file (every section)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z]+)=(.*)$", line)
        if m:
            out.setdefault(m.group(1), []).append(m.group(2))
    return out


class TestUnits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("systemd-analyze") is None:
            raise AssertionError("no systemd-analyze: scripts/deps.sh installs systemd")
        cls.bin = os.path.join(fc.REPO, "build", "release", "faceclock")
        if not os.path.exists(cls.bin):
            raise AssertionError("no %s: make build builds it" % cls.bin)

    def verify(self, texts):
        """systemd-analyze verify over {name: text}: (exit code, output)."""
        with tempfile.TemporaryDirectory(dir=fc.ENV["FC_VAR"]) as d:
            for name, text in texts.items():
                with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                    f.write(text.replace(INSTALLED_BIN, self.bin))
            p = subprocess.run(["systemd-analyze", "verify", "--man=no"] +
                               [os.path.join(d, n) for n in sorted(texts)],
                               capture_output=True, text=True, timeout=120)
        return p.returncode, (p.stdout + p.stderr).strip()

    def test_units_verify_clean(self):
        names = unit_files()
        self.assertEqual(names, ["faceclock-migrate.service", "faceclock-mqtt-reload.path",
                                 "faceclock-mqtt-reload.service", "faceclock-mqtt.service",
                                 "faceclock-purge.service", "faceclock-purge.timer", "faceclock.service"])
        rc, out = self.verify({n: read(n) for n in names})
        self.assertEqual((rc, out), (0, ""))

    def test_a_broken_unit_is_caught(self):
        broken = {
            "a bad restart policy": ("Restart=on-failure", "Restart=sometimes"),
            "an unknown key": ("NoNewPrivileges=yes", "NoNewPrivilege=yes"),
            "a missing binary": ("ExecStart=" + INSTALLED_BIN, "ExecStart=/nonexistent/faceclock"),
            "a path unit's unknown key": ("PathChanged=", "PathChange=", "faceclock-mqtt-reload.path"),
            "a broker unit's bad type": ("Type=notify", "Type=notified", "faceclock-mqtt.service"),
        }
        for what, (good, bad, *unit) in broken.items():
            with self.subTest(what):
                name = unit[0] if unit else "faceclock.service"
                text = read(name)
                self.assertIn(good, text)
                texts = {n: read(n) for n in unit_files()}
                texts[name] = text.replace(good, bad, 1)
                rc, out = self.verify(texts)
                self.assertTrue(rc != 0 or out, "systemd-analyze let %s through" % what)

    def test_service_policy_and_hardening(self):
        s = settings(read("faceclock.service"))
        want = {
            "Type": "simple", "User": "faceclock", "Restart": "on-failure", "RestartSec": "2s",
            "EnvironmentFile": "/etc/faceclock/env", "ExecStart": INSTALLED_BIN + " serve",
            "NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
            "ProtectHome": "yes", "RuntimeDirectory": "faceclock", "ReadWritePaths": "/run/faceclock",
            "CapabilityBoundingSet": "", "Requires": "faceclock-migrate.service",
        }
        for key, value in want.items():
            with self.subTest(key):
                self.assertEqual(s.get(key), [value])
        env = dict(v.split("=", 1) for v in s["Environment"])
        self.assertEqual(env["FACECLOCK_SOCKET"], "/run/faceclock/faceclock.sock")
        self.assertEqual(env["FACECLOCK_SOCKET_GROUP"], "www-data")
        self.assertIn("www-data", s["SupplementaryGroups"])
        # PostgreSQL wanted, never required: its restart must not stop us
        self.assertNotIn("postgresql.service", " ".join(s.get("Requires", []) + s.get("BindsTo", [])))
        # the owner's conninfo reaches the migrations only (the server's
        # one EnvironmentFile is checked above)
        self.assertIn("/etc/faceclock/migrate.env", settings(read("faceclock-migrate.service"))["EnvironmentFile"])


    def test_mqtt_units(self):
        broker = settings(read("faceclock-mqtt.service"))
        for key, value in {"Type": "notify", "User": "mosquitto", "Restart": "on-failure",
                           "ExecStart": "/usr/sbin/mosquitto -c /var/lib/faceclock/mqtt/mosquitto.conf",
                           "ExecReload": "/bin/kill -HUP $MAINPID", "Conflicts": "mosquitto.service",
                           "NoNewPrivileges": "yes", "ProtectSystem": "strict", "CapabilityBoundingSet": ""}.items():
            with self.subTest(key):
                self.assertEqual(broker.get(key), [value])
        # the configuration's files are the mqtt service's: <state dir>/mqtt/
        conf = {}
        with open(MOSQUITTO_CONF, encoding="utf-8") as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    key, _, value = line.strip().partition(" ")
                    conf[key] = value
        self.assertEqual((conf["allow_anonymous"], conf["per_listener_settings"]), ("false", "false"))
        server = settings(read("faceclock.service"))
        state = dict(v.split("=", 1) for v in server["Environment"])["FACECLOCK_STATE_DIR"]
        self.assertEqual(state, "/var/lib/" + server["StateDirectory"][0])
        files = [os.path.join(state, "mqtt", n) for n in ("passwd", "acl")]
        self.assertEqual([conf["password_file"], conf["acl_file"]], files)
        # the path unit watches exactly them, and its service reloads that broker
        path = settings(read("faceclock-mqtt-reload.path"))
        self.assertEqual((sorted(path["PathChanged"]), path["Unit"]),
                         (sorted(files), ["faceclock-mqtt-reload.service"]))
        reload = settings(read("faceclock-mqtt-reload.service"))
        self.assertEqual(reload["Type"], ["oneshot"])
        self.assertEqual([c for c in reload["ExecStart"] if "systemctl" in c],
                         ["/bin/systemctl try-reload-or-restart faceclock-mqtt.service"] * 2)


class TestSite(unittest.TestCase):
    def nginx_t(self, nchan):
        """The rendered site, and nginx -t's result on it: with nginx's nchan
        module (as installed here, when it is), or as on a machine without
        it (NCHAN_MODULE pointing nowhere: the live lines left out)."""
        nchan_so = "/usr/lib/nginx/modules/ngx_nchan_module.so"
        with tempfile.TemporaryDirectory(dir=fc.ENV["FC_VAR"]) as d:
            # nginx -t binds the nchan publisher's unix socket: one of its own
            env = dict(os.environ, SITE_LISTEN="127.0.0.1:8088", SITE_NCHAN_PUB=os.path.join(d, "nchan.sock"),
                       NCHAN_MODULE=nchan_so if nchan else os.path.join(d, "no-nchan.so"))
            p = subprocess.run([os.path.join(fc.REPO, "scripts", "stack.sh"), "site"], cwd=fc.REPO, env=env,
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            site = p.stdout
            with open(os.path.join(d, "faceclock"), "w", encoding="utf-8") as f:
                f.write(site)
            conf = os.path.join(d, "nginx.conf")
            with open(conf, "w", encoding="utf-8") as f:
                # as Debian's nginx.conf, with libnginx-mod-nchan's module
                # (modules-enabled/, by an absolute path: -p moves relative ones)
                f.write(("load_module %s;\n" % nchan_so if nchan and os.path.exists(nchan_so) else "") +
                        "pid %(d)s/nginx.pid;\nerror_log %(d)s/error.log;\nevents {}\n"
                        "http {\n  include /etc/nginx/mime.types;\n  access_log %(d)s/access.log;\n"
                        "  client_body_temp_path %(d)s/cb;\n  fastcgi_temp_path %(d)s/fc;\n"
                        "  proxy_temp_path %(d)s/px;\n  uwsgi_temp_path %(d)s/uw;\n  scgi_temp_path %(d)s/sc;\n"
                        "  include %(d)s/faceclock;\n}\n" % {"d": d})
            t = subprocess.run(["/usr/sbin/nginx", "-t", "-p", d + "/", "-c", conf, "-e", d + "/error.log"],
                               capture_output=True, text=True, timeout=60)
        return site, t

    def test_site_passes_nginx_t(self):
        site, t = self.nginx_t(nchan=True)
        self.assertIn("listen 127.0.0.1:8088;", site)
        self.assertIn("fastcgi_pass unix:/run/faceclock/faceclock.sock;", site)
        self.assertIn("/usr/local/share/faceclock/static", site)
        self.assertNotRegex(site, r"@[A-Z_]+@")
        self.assertEqual(t.returncode, 0, t.stderr)

    def test_site_without_nchan_passes_nginx_t(self):
        # the header's own mention of the markers is no marker: the rate
        # limits' zones stay (scripts/cluster.sh's edge renders it so)
        site, t = self.nginx_t(nchan=False)
        self.assertEqual(len(re.findall(r"^limit_req_zone ", site, re.M)), 3, site[:3000])
        self.assertNotRegex(site, r"(?m)^\s*nchan_")
        self.assertEqual(t.returncode, 0, t.stderr)

    def test_bad_listen_refused(self):
        env = dict(os.environ, SITE_LISTEN="80; evil")
        p = subprocess.run([os.path.join(fc.REPO, "scripts", "stack.sh"), "site"], cwd=fc.REPO, env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("SITE_LISTEN", p.stderr)
