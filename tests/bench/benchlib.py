"""tests/bench/benchlib.py — what the benchmark inputs (audit_bench.py,
clock_bench.py, sync_bench.py) share: JSON calls to the stack, psql as
the database owner, and the SQL of a prepared statement taken from the C
sources through the preprocessor (the handlers' macros assemble it), so a
pgbench ceiling runs exactly what the endpoint runs."""
import ast
import functools
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROG = os.path.basename(sys.argv[0]).rsplit(".", 1)[0]
STR = r'"(?:[^"\\\n]|\\.)*"'


def call(base, method, path, body=None, key=None, headers=None, timeout=300):
    """(status, JSON body); key goes in X-API-Key."""
    h = dict({"Content-Type": "application/json"}, **(headers or {}))
    if key:
        h["X-API-Key"] = key
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(), headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def must(result, what):
    status, body = result
    if status >= 300:
        sys.exit("%s: %s failed: %s %s" % (PROG, what, status, body))
    return body


def psql(sql):
    """Run sql as the database owner (PG_BIN, FACECLOCK_MIGRATE_URL); its output."""
    out = subprocess.run([os.path.join(os.environ["PG_BIN"], "psql"), os.environ["FACECLOCK_MIGRATE_URL"],
                          "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("%s: psql failed: %s" % (PROG, out.stderr.strip()))
    return out.stdout.strip()


@functools.lru_cache(maxsize=None)
def _preprocessed(source):
    return subprocess.run(
        ["cc", "-E", "-P", "-D_GNU_SOURCE", "-Ifcgi", "-Ihandlers", "-I/usr/include/postgresql", source],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout


def c_string(source, anchor):
    """The concatenated C string literals right after `anchor` in source
    (a path from the repository root), after preprocessing."""
    pp = _preprocessed(source)
    i = pp.index(anchor) + len(anchor)
    m = re.compile(r"\s*((?:%s\s*)+)" % STR).match(pp, i)
    if not m:
        sys.exit("%s: no string literal after %r in %s" % (PROG, anchor, source))
    return "".join(ast.literal_eval(s) for s in re.findall(STR, m.group(1)))


def bind(sql, values):
    """$n -> values[n] (text spliced as is); every parameter must be given."""
    out = re.sub(r"\$(\d+)\b", lambda m: values[int(m.group(1))], sql)
    if re.search(r"\$\d", out):
        sys.exit("%s: a parameter left unbound in: %s" % (PROG, out))
    return out
