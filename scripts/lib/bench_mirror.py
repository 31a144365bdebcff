#!/usr/bin/python3
"""The measuring half of scripts/benchmark-mirror.sh (standard library only). Sub-commands:

  files MANIFEST [--batches R --batch K]   the files of batch K (1..R) of a generated set, one per line:
                                           studies are dealt to batches in order (whole studies per batch)
  store PORT FILE_LIST OUT.json [--threads 4] [--pids name:pid,...]
                                           POSTs every file to Orthanc's /instances from THREADS threads,
                                           each with one kept-alive connection (no Expect: 100-continue);
                                           files are read into memory first. Records the host's ingest rate,
                                           and the CPU used meanwhile by each named process and by the whole
                                           machine (the rest is other people's load)
  wait-mirror STATUS_URL OUT.json --events E --instances N [--since EPOCH] [--timeout S]
                                           polls the sidecar's status until it received E events and its queue
                                           is empty (all mirrored), then until mirror.instances >= N (the
                                           counts are cached by the sidecar for 2 s)
  metadata PORT OUT.json MANIFEST... [--threads 4]
                                           GETs every series' /dicom-web/studies/{s}/series/{se}/metadata
                                           straight from Orthanc with THREADS threads: the host's own rate
  wait-reconcile URL OUT.json [--timeout S] polls /sidecar/api/admin/reconcile until done/failed/cancelled
  report RESULTS_DIR                       prints the figures and the summary block; exit 1 if something broke
"""
import argparse
import datetime
import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- helpers ------------------------------------------------------------------------------------------------
def write_json(path, obj):
    with open(path + ".tmp", "w") as f:
        json.dump(obj, f, indent=1)
    os.replace(path + ".tmp", path)


def read_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def proc_cpu_ticks(pid):
    """utime + stime of a process (all its threads), or None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None


def machine_busy_ticks():
    """Busy (non-idle, non-iowait) clock ticks of all CPUs together, and the number of CPUs."""
    with open("/proc/stat") as f:
        lines = f.read().splitlines()
    cpus = sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())
    v = [int(x) for x in lines[0].split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v[:8]) - idle, cpus


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


JVM_THREAD_GROUPS = [  # /proc comm (15 characters of the Java thread name) prefix -> group
    ("C1 CompilerThre", "jit"), ("C2 CompilerThre", "jit"),
    ("GC Thread", "gc"), ("G1 ", "gc"), ("VM Thread", "gc"),
    ("default task-", "http"), ("default I/O-", "http"),
    ("EE-ManagedThrea", "mirror/reconcile pool"), ("sidecar-reconci", "mirror/reconcile pool"),
    ("sidecar-event-j", "journal"), ("EE-ManagedSched", "scheduler"), ("sidecar-orthanc", "changes feed"),
]


def thread_group(comm):
    for prefix, group in JVM_THREAD_GROUPS:
        if comm.startswith(prefix):
            return group
    return "other"


def jvm_threads(pid):
    """{tid: (group, cpu ticks)} of a process's threads."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                comm = f.read().strip()
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[tid] = (thread_group(comm), int(fields[11]) + int(fields[12]))
        except (OSError, ValueError, IndexError):
            pass
    return out


def parse_pids(text):
    out = {}
    for item in filter(None, (text or "").split(",")):
        name, pid = item.rsplit(":", 1)
        out[name] = int(pid)
    return out


class CpuMeter:
    """CPU seconds used by named processes, by this process and by the whole machine between start and stop."""

    def __init__(self, pids):
        self.pids = dict(pids, **{"load-client": os.getpid()})

    def start(self):
        self.t0 = time.time()
        self.p0 = {n: proc_cpu_ticks(p) for n, p in self.pids.items()}
        self.m0, self.cpus = machine_busy_ticks()
        self.l0 = loadavg()
        jvm = self.pids.get("wildfly")
        self.threads0 = jvm_threads(jvm) if jvm else {}
        self.threads_last = dict(self.threads0)

    def sample(self):
        """Remembers the JVM's threads now (threads that end before stop() still count)."""
        jvm = self.pids.get("wildfly")
        if jvm:
            self.threads_last.update(jvm_threads(jvm))

    def stop(self):
        self.sample()
        seconds = time.time() - self.t0
        m1, _ = machine_busy_ticks()
        groups = {}
        for tid, (group, ticks) in self.threads_last.items():
            before = self.threads0.get(tid, (group, 0))[1]
            groups[group] = groups.get(group, 0.0) + (ticks - before) / CLK_TCK
        per = {}
        for n, p in self.pids.items():
            t1 = proc_cpu_ticks(p)
            if t1 is not None and self.p0[n] is not None:
                per[n] = (t1 - self.p0[n]) / CLK_TCK
        machine = (m1 - self.m0) / CLK_TCK
        ours = sum(per.values())
        return {"wall_seconds": seconds, "cpus": self.cpus, "machine_cpu_seconds": machine,
                "process_cpu_seconds": per, "others_cpu_seconds": max(0.0, machine - ours),
                "others_cores": max(0.0, machine - ours) / seconds if seconds > 0 else 0.0,
                "wildfly_threads_cpu_seconds": groups,
                "loadavg_start": self.l0, "loadavg_end": loadavg()}


def http_json(url, timeout=30):
    """(status, parsed JSON or None) of a GET."""
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return 0, None
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def iso_seconds(text):
    """Seconds since the epoch of an ISO-8601 instant such as Java's Instant.toString() (up to nanoseconds)."""
    text = text.replace("Z", "+00:00")
    if "." in text:
        head, frac = text.split(".", 1)
        digits = "".join(c for c in frac if c.isdigit())
        text = head + "." + digits[:6].ljust(6, "0") + frac[len(digits):]
    return datetime.datetime.fromisoformat(text).timestamp()


def run_threads(n, target):
    threads = [threading.Thread(target=target, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# --- files --------------------------------------------------------------------------------------------------
def cmd_files(a):
    manifest = read_json(a.manifest)
    root = os.path.dirname(os.path.abspath(a.manifest))
    studies = manifest["study_list"]
    chosen = [s for i, s in enumerate(studies) if i * a.batches // len(studies) == a.batch - 1]
    for study in chosen:
        for series in study["series"]:
            folder = os.path.join(root, series["dir"])
            for name in sorted(os.listdir(folder)):
                if name.endswith(".dcm"):
                    print(os.path.join(folder, name))


# --- store --------------------------------------------------------------------------------------------------
def cmd_store(a):
    with open(a.file_list) as f:
        paths = [line.strip() for line in f if line.strip()]
    bodies = []
    for p in paths:
        with open(p, "rb") as f:
            bodies.append(f.read())
    lock = threading.Lock()
    next_index = [0]
    errors = []
    ok = [0]
    latencies = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
        local_lat = []
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= len(bodies):
                break
            t0 = time.perf_counter()
            try:
                # http.client sends no "Expect: 100-continue"; keep-alive is HTTP/1.1's default
                conn.request("POST", "/instances", body=bodies[i], headers={"Content-Type": "application/dicom"})
                r = conn.getresponse()
                answer = r.read()
                if r.status != 200:
                    raise RuntimeError("HTTP %d %s" % (r.status, answer[:200]))
                local_lat.append(time.perf_counter() - t0)
                with lock:
                    ok[0] += 1
            except Exception as e:  # noqa: BLE001 - any failure is counted and reported
                with lock:
                    errors.append("%s: %s" % (os.path.basename(paths[i]), e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
        conn.close()
        with lock:
            latencies.extend(local_lat)

    meter = CpuMeter(parse_pids(a.pids))
    meter.start()
    started = time.time()
    t0 = time.perf_counter()
    run_threads(a.threads, worker)
    seconds = time.perf_counter() - t0
    finished = time.time()
    cpu = meter.stop()
    latencies.sort()
    result = {"port": a.port, "instances": len(bodies), "stored": ok[0], "errors": len(errors),
              "error_samples": errors[:5], "threads": a.threads, "seconds": seconds,
              "rate": ok[0] / seconds if seconds > 0 else 0.0, "started": started, "finished": finished,
              "bytes": sum(map(len, bodies)),
              "latency_ms_p50": 1000 * latencies[len(latencies) // 2] if latencies else None,
              "latency_ms_p95": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else None,
              "cpu": cpu}
    write_json(a.out, result)
    print("stored %d/%d instances in %.2f s: %.1f inst/s (%d errors; other load %.2f cores)"
          % (ok[0], len(bodies), seconds, result["rate"], len(errors), cpu["others_cores"]))
    sys.exit(1 if errors else 0)


# --- wait-mirror --------------------------------------------------------------------------------------------
def cmd_wait_mirror(a):
    deadline = time.time() + a.timeout
    drained_at = None
    last = None
    trace = []
    status_seconds = []
    while time.time() < deadline:
        sent = time.time()
        status, body = http_json(a.status_url, timeout=60)
        now = time.time()
        status_seconds.append(now - sent)
        m = (body or {}).get("mirror") if isinstance(body, dict) else None
        if m:
            last = m
            trace.append([round(now, 3), round(now - sent, 3), m.get("eventsReceived"), m.get("queueDepth"),
                          m.get("instances")])
            if drained_at is None and m.get("queueDepth") == 0 and m.get("eventsReceived", 0) >= a.events:
                drained_at = now
            if drained_at is not None and m.get("instances", -1) >= a.instances:
                break
            if drained_at is None and m.get("queueDepth") == 0 and m.get("instances", -1) >= a.instances:
                drained_at = now  # every instance is there though some notifications never came
        time.sleep(a.interval)
    reached = bool(last) and last.get("instances", -1) >= a.instances and last.get("queueDepth") == 0
    # when the last series was written, by the sidecar's own clock (same machine): the newest mirroredAt of the
    # series documents, taken just before their instances are written. The status-based time above also holds
    # the status call's own latency (it queries two CouchDB views, which are indexed lazily).
    last_mirrored_at = None
    if a.couch and reached:
        q = urllib.parse.quote
        _, docs = http_json("%s/_all_docs?include_docs=true&startkey=%s&endkey=%s"
                            % (a.couch, q('"series:"'), q('"series:\ufff0"')), timeout=120)
        stamps = [r["doc"].get("mirroredAt") for r in (docs or {}).get("rows", []) if r.get("doc")]
        stamps = [iso_seconds(x) for x in stamps if x]
        last_mirrored_at = max(stamps) if stamps else None
    result = {"reached": reached, "events_expected": a.events, "instances_expected": a.instances,
              "drained_at": drained_at, "last_mirrored_at": last_mirrored_at, "checked_at": time.time(),
              "status_seconds_max": max(status_seconds) if status_seconds else None,
              "status_seconds_first": status_seconds[0] if status_seconds else None,
              "events_at_first_poll": trace[0][2] if trace else None,
              "status_seconds_p50": sorted(status_seconds)[len(status_seconds) // 2] if status_seconds else None,
              "mirror": last, "trace": trace[-400:]}
    write_json(a.out, result)
    if last:
        print("mirror: %s instances, queue %s, events received %s failed %s, lag p50 %s p95 %s ms"
              % (last.get("instances"), last.get("queueDepth"), last.get("eventsReceived"),
                 last.get("eventsFailed"), last.get("lagMillisP50"), last.get("lagMillisP95")))
    sys.exit(0 if reached else 1)


# --- metadata -----------------------------------------------------------------------------------------------
def cmd_metadata(a):
    jobs = []
    for path in a.manifests:
        for study in read_json(path)["study_list"]:
            for series in study["series"]:
                jobs.append((study["StudyInstanceUID"], series["SeriesInstanceUID"], series["instances"]))
    lock = threading.Lock()
    next_index = [0]
    got = [0]
    errors = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= len(jobs):
                break
            study, series, expected = jobs[i]
            try:
                conn.request("GET", "/dicom-web/studies/%s/series/%s/metadata" % (study, series),
                             headers={"Accept": "application/dicom+json"})
                r = conn.getresponse()
                body = r.read()
                if r.status != 200:
                    raise RuntimeError("HTTP %d" % r.status)
                n = len(json.loads(body))
                if n != expected:
                    raise RuntimeError("%d instances, expected %d" % (n, expected))
                with lock:
                    got[0] += n
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append("%s: %s" % (series, e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
        conn.close()

    meter = CpuMeter(parse_pids(a.pids))
    meter.start()
    t0 = time.perf_counter()
    run_threads(a.threads, worker)
    seconds = time.perf_counter() - t0
    cpu = meter.stop()
    result = {"series": len(jobs), "instances": got[0], "errors": len(errors), "error_samples": errors[:5],
              "threads": a.threads, "seconds": seconds, "rate": got[0] / seconds if seconds > 0 else 0.0, "cpu": cpu}
    write_json(a.out, result)
    print("host metadata: %d series, %d instances in %.2f s: %.1f inst/s (%d errors; other load %.2f cores)"
          % (len(jobs), got[0], seconds, result["rate"], len(errors), cpu["others_cores"]))
    sys.exit(1 if errors else 0)


# --- notify -------------------------------------------------------------------------------------------------
def cmd_notify(a):
    """Round trips of single-event notifications, sent one after the other on a new connection each, as
    Orthanc's Lua HttpPost does; the study UIDs are unknown to the host (the mirror finds nothing to do)."""
    base = "2.25.%d" % (int(time.time() * 1000) % 10**12)
    lat, errors = [], 0
    meter = CpuMeter(parse_pids(a.pids))
    meter.start()
    for i in range(a.count):
        body = json.dumps({"studyInstanceUID": "%s.%d" % (base, i), "seriesInstanceUID": "%s.%d.1" % (base, i),
                           "sopInstanceUID": "%s.%d.1.1" % (base, i)})
        t0 = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
            conn.request("POST", a.path, body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            conn.close()
            if r.status != 202:
                errors += 1
                continue
        except (OSError, http.client.HTTPException):
            errors += 1
            continue
        lat.append(time.perf_counter() - t0)
    base_lat = []
    for i in range(a.count):
        t0 = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
            conn.request("GET", a.baseline_path, headers={"Accept": "application/json"})
            r = conn.getresponse()
            r.read()
            conn.close()
        except (OSError, http.client.HTTPException):
            continue
        base_lat.append(time.perf_counter() - t0)
    cpu = meter.stop()
    lat.sort()
    base_lat.sort()
    result = {"count": a.count, "errors": errors, "baseline_path": a.baseline_path,
              "baseline_ms_p50": 1000 * base_lat[len(base_lat) // 2] if base_lat else None,
              "ms_p50": 1000 * lat[len(lat) // 2] if lat else None,
              "ms_p95": 1000 * lat[int(len(lat) * 0.95)] if lat else None,
              "ms_mean": 1000 * statistics.mean(lat) if lat else None, "cpu": cpu}
    write_json(a.out, result)
    print("notification round trip (idle sidecar, new connection each): p50 %.2f ms, p95 %.2f ms, %d errors;"
          " GET %s p50 %.2f ms" % (result["ms_p50"] or -1, result["ms_p95"] or -1, errors, a.baseline_path,
                                   result["baseline_ms_p50"] or -1))


# --- noop-receiver ------------------------------------------------------------------------------------------
def cmd_noop_receiver(a):
    """Answers every request 202 at once (one write, TCP_NODELAY): the Lua hook's cheapest possible receiver."""
    import http.server
    import socket
    import socketserver

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b'{"accepted":1}'
            self.wfile.write(b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(body), body))

        do_GET = do_POST

        def log_message(self, *args):
            pass

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    Server(("127.0.0.1", a.port), Handler).serve_forever()


# --- wait-reconcile -----------------------------------------------------------------------------------------
def cmd_wait_reconcile(a):
    deadline = time.time() + a.timeout
    last = None
    first_seen = None
    meter = CpuMeter(parse_pids(a.pids))
    meter.start()
    while time.time() < deadline:
        status, body = http_json(a.url, timeout=30)
        if status == 200 and isinstance(body, dict):
            first_seen = first_seen or time.time()
            last = body
            if body.get("state") in ("done", "failed", "cancelled"):
                break
        meter.sample()
        time.sleep(a.interval)
    cpu = meter.stop()
    result = {"progress": last, "first_seen": first_seen, "checked_at": time.time(), "cpu": cpu}
    write_json(a.out, result)
    if last:
        print("reconciliation %s: %s studies, %s instances written, %s errors, %s studies/s"
              % (last.get("state"), last.get("studiesDone"), last.get("instancesWritten"), last.get("errors"),
                 last.get("studiesPerSecond")))
    sys.exit(0 if last and last.get("state") == "done" else 1)


# --- report -------------------------------------------------------------------------------------------------

def cmd_couch_ceiling(a):
    """pouchdb-server's own bulk-write rate for the mirror's instance documents (a copy into a scratch database,
    batches of 200, one after the other, as CouchDB serialises writes per database): the ceiling of any backfill."""
    import urllib.parse
    src = urllib.parse.urlsplit(a.db_url)
    conn = http.client.HTTPConnection(src.hostname, src.port, timeout=120)

    def call(method, path, body=None):
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status >= 300 and not (method == "DELETE" and r.status == 404):
            raise RuntimeError("%s %s: HTTP %d %s" % (method, path, r.status, data[:200]))
        return json.loads(data) if data else None

    rows = call("GET", src.path + "/_all_docs?include_docs=true&limit=%d&startkey=%s&endkey=%s" % (
        a.limit, urllib.parse.quote('"instance:"'), urllib.parse.quote('"instance:\ufff0"')))["rows"]
    docs = [r["doc"] for r in rows]
    for d in docs:
        d.pop("_rev", None)
    scratch = src.path + "-write-ceiling"
    call("DELETE", scratch)
    call("PUT", scratch)
    pids = parse_pids(a.pids)
    cpu = CpuMeter(pids)
    cpu.start()
    t0 = time.monotonic()
    for i in range(0, len(docs), 200):
        call("POST", scratch + "/_bulk_docs", json.dumps({"docs": docs[i:i + 200]}))
    elapsed = time.monotonic() - t0
    used = cpu.stop()
    call("DELETE", scratch)
    out = {"documents": len(docs), "seconds": elapsed, "rate": len(docs) / elapsed if elapsed > 0 else None,
           "mean_bytes": sum(len(json.dumps(d)) for d in docs) / max(1, len(docs)), "cpu": used}
    write_json(a.out, out)
    print("pouchdb-server bulk write of %d instance documents: %.1f docs/s" % (len(docs), out["rate"] or 0))


def cmd_report(a):
    res = a.results
    cfg = read_json(os.path.join(res, "config.json"), {})
    n = cfg.get("instances", 0)
    rounds = cfg.get("rounds", 1)
    failures = []
    pf = lambda ok: "PASS" if ok else "MISS"  # noqa: E731

    def fmt(x, spec="%.1f"):
        return spec % x if isinstance(x, (int, float)) else "n/a"

    # host ingest, per round, alone and with the sidecar
    alone, side, mirror_rates, tails, status_first = [], [], [], [], []
    print()
    print("Host ingest (POST /instances, %d threads, kept-alive connections), per round:" % cfg.get("threads", 4))
    print("  %-5s %-13s %9s %9s %9s %8s %8s  %s" % ("round", "route", "instances", "seconds", "inst/s", "p50 ms",
                                                   "p95 ms", "CPU s: Orthanc / WildFly / pouchdb / client / others"))
    for r in range(1, rounds + 1):
        for route in ("alone", "sidecar"):
            s = read_json(os.path.join(res, "store-%s-%d.json" % (route, r)))
            if not s:
                failures.append("no result for round %d %s" % (r, route))
                continue
            if s["errors"]:
                failures.append("round %d %s: %d stores failed (%s)" % (r, route, s["errors"], s["error_samples"][:2]))
            (alone if route == "alone" else side).append(s["rate"])
            c = s["cpu"]["process_cpu_seconds"]
            orthanc = c.get("orthanc-alone" if route == "alone" else "orthanc", 0.0)
            print("  %-5d %-13s %9d %9.2f %9.1f %8s %8s  %.1f / %.1f / %.1f / %.1f / %.1f  (load %.2f-%.2f)"
                  % (r, "host alone" if route == "alone" else "with sidecar", s["stored"], s["seconds"], s["rate"],
                     fmt(s["latency_ms_p50"]), fmt(s["latency_ms_p95"]), orthanc, c.get("wildfly", 0.0),
                     c.get("pouchdb", 0.0), c.get("load-client", 0.0), s["cpu"]["others_cpu_seconds"],
                     s["cpu"]["loadavg_start"], s["cpu"]["loadavg_end"]))
            if route == "sidecar":
                w = read_json(os.path.join(res, "mirror-%d.json" % r))
                if not w or not w.get("reached"):
                    failures.append("round %d: the mirror did not reach the expected instances (%s)"
                                    % (r, (w or {}).get("mirror")))
                elif w.get("drained_at"):
                    done_at = w.get("last_mirrored_at") or w["drained_at"]
                    span = done_at - s["started"]
                    mirror_rates.append((s["stored"], span))
                    tails.append(done_at - s["finished"])
                    print("  %5s %-13s all %d mirrored %.2f s after the first store, %.2f s after the last: %.1f inst/s"
                          " (last series written %s; status showed it %.2f s after the last store)"
                          % ("", "  mirror", s["stored"], span, done_at - s["finished"], s["stored"] / span,
                             "per CouchDB's mirroredAt" if w.get("last_mirrored_at") else "per status",
                             w["drained_at"] - s["finished"]))
                    status_first.append(w.get("status_seconds_first") or 0)
                    print("  %5s %-13s first GET /sidecar/api/status after the round took %.2f s (later ones up to"
                          " %.2f s); notifications received by then: %s of %s"
                          % ("", "", w.get("status_seconds_first") or 0, max([0] + [t[1] for t in w["trace"][1:]]),
                             w.get("events_at_first_poll"), w.get("events_expected")))
                groups = s["cpu"].get("wildfly_threads_cpu_seconds") or {}
                if groups:
                    print("  %5s %-13s WildFly CPU s by thread: %s" % ("", "", ", ".join(
                        "%s %.1f" % (g, v) for g, v in sorted(groups.items(), key=lambda kv: -kv[1]) if v >= 0.05)))
    noop = [x["rate"] for x in (read_json(os.path.join(res, "store-noop-%d.json" % r)) for r in range(1, rounds + 1))
            if x and not x["errors"]]
    if noop:
        print("  reference, not a target: the same batches of set A into a third Orthanc whose hook posts to a no-op"
              " receiver (answers 202 at once): %s inst/s" % ", ".join("%.1f" % x for x in noop))
    alone_rate = statistics.median(alone) if alone else float("nan")
    side_rate = statistics.median(side) if side else float("nan")
    ratio = side_rate / alone_rate if alone and side else float("nan")
    print("  median: alone %.1f inst/s, with sidecar %.1f inst/s, ratio %.3f (per-round ratios: %s)"
          % (alone_rate, side_rate, ratio, ", ".join("%.3f" % (s / a_) for a_, s in zip(alone, side))))
    if noop and alone:
        print("  median with the hook to a no-op receiver %.1f inst/s, ratio to alone %.3f: the ceiling of a"
              " synchronous per-instance Lua HttpPost, whatever the receiver" % (statistics.median(noop),
                                                                                 statistics.median(noop) / alone_rate))

    final = read_json(os.path.join(res, "mirror-final.json")) or read_json(os.path.join(res, "mirror-%d.json" % rounds)) or {}
    m = final.get("mirror") or {}
    sustained = (sum(x for x, _ in mirror_rates) / sum(y for _, y in mirror_rates)) if mirror_rates else float("nan")
    if m.get("instances") != n:
        failures.append("the mirror holds %s instances after the live run, expected %d" % (m.get("instances"), n))
    if m.get("failedAttemptsTotal"):
        print("  note: %s event attempts failed and were retried" % m.get("failedAttemptsTotal"))
    p95 = m.get("lagMillisP95", -1)
    print()
    print("Mirror after the live run: %s instances, %s series, %s studies; %s events received, %s rejected, %s failed;"
          " %s series mirrored, %s instances written; lag p50 %s ms p95 %s ms (from the sidecar's receipt of a"
          " notification, i.e. reading the change from Orthanc's /changes; last 5 minutes)" % (m.get("instances"), m.get("series"), m.get("studies"),
                                                   m.get("eventsReceived"), m.get("eventsRejected"),
                                                   m.get("eventsFailed"), m.get("seriesMirrored"),
                                                   m.get("instancesWritten"), m.get("lagMillisP50"), p95))
    if tails:
        print("  last store to all mirrored (end-to-end, includes the changes feed's polling): %s s"
              % ", ".join("%.2f" % t for t in tails))
    if status_first and max(status_first) > 2:
        print("  GET /sidecar/api/status took up to %.1f s right after a round: its mirror counts query two CouchDB"
              " views, which are indexed only when queried (every document written since the last query)"
              % max(status_first))

    if cfg.get("journal_left"):
        print("  after the live run (queue depth 0) the event journal still held %d events: the sidecar replays"
              " (re-mirrors) them at its next start-up; the benchmark removed them before the backfill"
              % cfg["journal_left"])

    nt = read_json(os.path.join(res, "notify.json"))
    if nt and nt.get("ms_p50"):
        print("  notification round trip, idle sidecar, one event per POST on a new connection (as Orthanc's Lua"
              " HttpPost): p50 %.2f ms, p95 %.2f ms (GET %s on a new connection: p50 %.2f ms). Orthanc's store path waits for the Lua lock that its event"
              " thread holds during HttpPost, so the hooked host stores at most ~1/round-trip instances/s (here"
              " ~%.0f/s idle; under ingest, with the mirror's work competing for the 2 cores, it is slower)"
              % (nt["ms_p50"], nt["ms_p95"], nt.get("baseline_path"), nt.get("baseline_ms_p50") or -1,
                 1000 / nt["ms_p50"]))

    # backfill
    bf = read_json(os.path.join(res, "reconcile.json")) or {}
    prog = bf.get("progress") or {}
    bf_rate = float("nan")
    if prog.get("state") != "done":
        failures.append("the backfill did not finish: %s" % prog)
    else:
        elapsed = iso_seconds(prog["finished"]) - iso_seconds(prog["started"])
        bf_rate = n / elapsed if elapsed > 0 else float("nan")
        if prog.get("errors"):
            failures.append("the backfill counted %s errors: %s" % (prog.get("errors"), prog.get("error")))
        if prog.get("instancesWritten") != n:
            failures.append("the backfill wrote %s instances, expected %d" % (prog.get("instancesWritten"), n))
        own = prog.get("instancesWritten", 0) / elapsed if elapsed > 0 else float("nan")
        boot = cfg.get("backfill_launched")
        print()
        print("Backfill (start-up reconciliation into an emptied CouchDB): %s studies, %s series checked, %s missing"
              " found, %s instances written in %.2f s (reconciler's own clock) = %.1f inst/s (N/elapsed; by"
              " instancesWritten %.1f), %s studies/s; from WildFly launch to done %s s"
              % (prog.get("studiesDone"), prog.get("seriesChecked"), prog.get("missingFound"),
                 prog.get("instancesWritten"), elapsed, bf_rate, own, prog.get("studiesPerSecond"),
                 fmt(bf.get("checked_at", 0) - boot, "%.1f") if boot else "n/a"))
        c = bf.get("cpu", {})
        groups = c.get("wildfly_threads_cpu_seconds") or {}
        if groups:
            print("  WildFly CPU s by thread: %s" % ", ".join(
                "%s %.1f" % (g, v) for g, v in sorted(groups.items(), key=lambda kv: -kv[1]) if v >= 0.05))
        if c:
            pc = c.get("process_cpu_seconds", {})
            print("  CPU s meanwhile (from WildFly launch): Orthanc %.1f, WildFly %.1f, pouchdb %.1f, others %.1f;"
                  " load %.2f-%.2f" % (pc.get("orthanc", 0), pc.get("wildfly", 0), pc.get("pouchdb", 0),
                                       c.get("others_cpu_seconds", 0), c.get("loadavg_start", 0),
                                       c.get("loadavg_end", 0)))
    after = read_json(os.path.join(res, "mirror-after-backfill.json")) or {}
    am = after.get("mirror") or {}
    if am.get("instances") != n:
        failures.append("the mirror holds %s instances after the backfill, expected %d" % (am.get("instances"), n))
    meta = [read_json(os.path.join(res, "host-metadata-%s.json" % w)) for w in ("before", "after")]
    meta = [x for x in meta if x]
    for x in meta:
        if x["errors"]:
            failures.append("host metadata: %d errors (%s)" % (x["errors"], x["error_samples"][:2]))
    meta_rate = statistics.mean(x["rate"] for x in meta) if meta else float("nan")
    bf_ratio = bf_rate / meta_rate if meta else float("nan")
    print("  host metadata serving (WADO-RS series metadata straight from Orthanc, %d threads): %s inst/s"
          " (passes before and after the backfill; mean %.1f)"
          % (cfg.get("workers", 4), " and ".join("%.1f" % x["rate"] for x in meta), meta_rate))
    ceiling = read_json(os.path.join(res, "couch-ceiling.json"))
    if ceiling and ceiling.get("rate"):
        pc = (ceiling.get("cpu") or {}).get("process_cpu_seconds", {})
        print("  CouchDB's own ceiling: pouchdb-server writes these instance documents (%.0f bytes each) at %.1f"
              " docs/s by itself (_bulk_docs of 200 into a scratch database, nothing else running; %.2f ms of its"
              " CPU per document) = %.2f of the host's metadata rate: the most any backfill into it can reach"
              % (ceiling["mean_bytes"], ceiling["rate"], 1000 * pc.get("pouchdb", 0) / ceiling["documents"],
                 ceiling["rate"] / meta_rate if meta else float("nan")))

    # memory
    hwm = cfg.get("wildfly_hwm_kib", {})
    rss_max = 0
    for name in ("wildfly-rss-kib-live.txt", "wildfly-rss-kib-backfill.txt"):
        try:
            with open(os.path.join(res, name)) as f:
                rss_max = max([rss_max] + [int(x) for x in f.read().split() if x.isdigit()])
        except OSError:
            pass
    peak = max([0] + [int(v) for v in hwm.values() if v])
    mb = lambda kib: kib * 1024 / 1e6  # noqa: E731
    oom = cfg.get("oom")
    if oom:
        failures.append("OutOfMemoryError in the WildFly log")
    loads = []
    try:
        with open(os.path.join(res, "loadavg.txt")) as f:
            loads = [float(x) for x in f.read().split()]
    except OSError:
        pass

    print()
    print("=" * 118)
    print("Host ingest   alone %.1f inst/s | with sidecar %.1f inst/s | ratio %.3f (target >= 0.90) %s   [median of %d"
          " rounds of %d]" % (alone_rate, side_rate, ratio, pf(ratio >= 0.9), rounds, n // max(1, rounds)))
    print("Mirror        sustained %.1f inst/s | lag p50 %s ms p95 %s ms (target p95 <= 2000 ms) %s | events received"
          " %s failed %s" % (sustained, m.get("lagMillisP50"), p95, pf(isinstance(p95, int) and 0 <= p95 <= 2000),
                             m.get("eventsReceived"), m.get("eventsFailed")))
    print("Backfill      %.1f inst/s | host metadata serving %.1f inst/s | ratio %.3f (target >= 0.80) %s"
          % (bf_rate, meta_rate, bf_ratio, pf(bf_ratio >= 0.8)))
    print("WildFly       peak RSS %.0f MB (VmHWM; live run %.0f MB, backfill %.0f MB; sampled VmRSS max %.0f MB; %s)"
          % (mb(peak), mb(int(hwm.get("live") or 0)), mb(int(hwm.get("backfill") or 0)), mb(rss_max),
             cfg.get("heap", "")))
    if loads:
        print("Load average  during the run: min %.2f, mean %.2f, max %.2f (1-minute, sampled each second; 2 cores)"
              % (min(loads), statistics.mean(loads), max(loads)))
    if failures:
        print("FAILED: " + "; ".join(failures))
    else:
        print("no errors: every store answered 200, the mirror reached N live and again after the backfill")
    print("=" * 118)
    sys.exit(1 if failures else 0)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("files")
    f.add_argument("manifest")
    f.add_argument("--batches", type=int, default=1)
    f.add_argument("--batch", type=int, default=1)
    f.set_defaults(func=cmd_files)
    s = sub.add_parser("store")
    s.add_argument("port", type=int)
    s.add_argument("file_list")
    s.add_argument("out")
    s.add_argument("--threads", type=int, default=4)
    s.add_argument("--pids", default="")
    s.set_defaults(func=cmd_store)
    w = sub.add_parser("wait-mirror")
    w.add_argument("status_url")
    w.add_argument("out")
    w.add_argument("--events", type=int, required=True)
    w.add_argument("--instances", type=int, required=True)
    w.add_argument("--timeout", type=float, default=600)
    w.add_argument("--interval", type=float, default=0.2)
    w.add_argument("--couch", default="", help="the CouchDB database URL, to read when the last series was written")
    w.set_defaults(func=cmd_wait_mirror)
    m = sub.add_parser("metadata")
    m.add_argument("port", type=int)
    m.add_argument("out")
    m.add_argument("manifests", nargs="+")
    m.add_argument("--threads", type=int, default=4)
    m.add_argument("--pids", default="")
    m.set_defaults(func=cmd_metadata)
    r = sub.add_parser("wait-reconcile")
    r.add_argument("url")
    r.add_argument("out")
    r.add_argument("--timeout", type=float, default=1800)
    r.add_argument("--interval", type=float, default=0.5)
    r.add_argument("--pids", default="")
    r.set_defaults(func=cmd_wait_reconcile)
    nt = sub.add_parser("notify")
    nt.add_argument("port", type=int)
    nt.add_argument("out")
    nt.add_argument("--path", default="/sidecar/api/events/stored")
    nt.add_argument("--count", type=int, default=500)
    nt.add_argument("--baseline-path", default="/sidecar/api/admin/reconcile")
    nt.add_argument("--pids", default="")
    nt.set_defaults(func=cmd_notify)
    nr = sub.add_parser("noop-receiver")
    nr.add_argument("port", type=int)
    nr.set_defaults(func=cmd_noop_receiver)
    cc = sub.add_parser("couch-ceiling")
    cc.add_argument("db_url")
    cc.add_argument("out")
    cc.add_argument("--limit", type=int, default=5000)
    cc.add_argument("--pids", default="")
    cc.set_defaults(func=cmd_couch_ceiling)
    rep = sub.add_parser("report")
    rep.add_argument("results")
    rep.set_defaults(func=cmd_report)
    a = p.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()
