#!/usr/bin/python3
"""The enterprise-scale benchmark's measuring side, driven by scripts/benchmark-scale.sh (which starts and stops the
servers, writes the data and reads heap, disk and CPU). Sub-commands:

  wait-ready   polls /api/status until the index is ready (index.state "ready"; "failed" is an error), printing the
               rebuild's progress; a sidecar without an index (no "index" in the status) is ready once the status
               answers 200 with the mirror's counts. Writes the last status and the seconds since --since.
  first-answer polls the cohort question until it answers HTTP 200; prints the seconds since --since.
  wait-mirror  polls /api/status until mirror.instances >= --instances and the queue is empty.
  measure      warm-up calls for --warmup seconds, then --rounds rounds of every question (interleaved):
               p50/p95 (nearest rank) and each answer's size, into --out.
  report       the summary table of every size (markdown) with PASS/MISS against the targets: stdout and
               report.md.

Questions (the comparison benchmark's, scripts/lib/bench_comparison.py, and mirror QIDO-RS):
  cohort       POST /api/cohorts/query: CT series, PixelSpacing 0.5 +- 0.01 (every value), SliceThickness <= 1;
               limit 100; size = count
  facet        POST /api/cohorts/query: PixelSpacing value counts over CT series, limit 1; size = count of CT series
  references   GET /api/references/{a CT series a SEG references}; size = references
  absence      POST /api/workflow/query: CT studies without a MANUAL SEG, limit 100; size = count
  qido-mr      GET /mirror/dicomweb/series?Modality=MR (the mirror's default limit, 1,000); size = results
  qido-patient GET /mirror/dicomweb/studies?PatientID={a patient with three studies}
  qido-dates   GET /mirror/dicomweb/studies?StudyDate=20150101-20161231
  qido-code    GET /mirror/dicomweb/series?ProcedureCodeSequence.CodeValue={a procedure code} (a sequence key)
"""
import argparse
import http.client
import json
import math
import os
import sys
import time
import urllib.parse

DICOM_JSON = "application/dicom+json"
QUESTIONS = ["cohort", "facet", "references", "absence", "qido-mr", "qido-patient", "qido-dates", "qido-code"]
TITLES = {
    "cohort": "cohort CT, PixelSpacing 0.5, SliceThickness <= 1",
    "facet": "facet PixelSpacing over CT series",
    "references": "what references a CT series",
    "absence": "CT studies without a MANUAL SEG",
    "qido-mr": "QIDO /series?Modality=MR",
    "qido-patient": "QIDO /studies?PatientID=X",
    "qido-dates": "QIDO /studies?StudyDate=20150101-20161231",
    "qido-code": "QIDO /series?ProcedureCodeSequence.CodeValue=X",
}
COHORT = {"level": "series", "limit": 100, "where": {"and": [
    {"attribute": "Modality", "equals": "CT"},
    {"attribute": "PixelSpacing", "values": "every", "near": 0.5, "tolerance": 0.01},
    {"attribute": "SliceThickness", "lte": 1}]}}
# targets at the largest size
P95_MS, P50_MS, HEAP_ABOVE_EMPTY_MB, RESTART_S, BUILD_PER_S, DISK_PER_INSTANCE, P50_GROWTH = 100, 20, 300, 10, 3000, 3072, 3


def log(*a):
    print("[scale]", *a, file=sys.stderr, flush=True)


class Client:
    """One kept-alive connection to the sidecar; reconnects after an error."""

    def __init__(self, root, timeout=120):
        u = urllib.parse.urlsplit(root)
        self.host, self.port, self.prefix, self.timeout = u.hostname, u.port or 80, u.path.rstrip("/"), timeout
        self.conn = None
        self.elapsed = 0.0

    def call(self, method, path, body=None, accept="application/json"):
        """(HTTP status, parsed body or None); self.elapsed: seconds from the request to the answer's last byte."""
        headers = {"Accept": accept}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            t = time.perf_counter()
            self.conn.request(method, self.prefix + path, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
            self.elapsed = time.perf_counter() - t
        except (OSError, http.client.HTTPException):
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            raise
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return resp.status, parsed


def status(client):
    try:
        code, body = client.call("GET", "/api/status")
        return code, body if isinstance(body, dict) else {}
    except (OSError, http.client.HTTPException):
        return None, {}


def wait_ready(args):
    client = Client(args.sidecar, timeout=60)
    deadline = time.time() + args.timeout
    last_log = 0
    while time.time() < deadline:
        code, s = status(client)
        index = s.get("index")
        mirror = s.get("mirror") or {}
        if isinstance(index, dict):
            state = index.get("state")
            if state == "ready":
                break
            if state == "failed":
                sys.exit("the index failed: %s" % json.dumps(index)[:500])
            if time.time() - last_log > 30:
                last_log = time.time()
                log("index %s: %s" % (state, json.dumps(index.get("rebuild") or {})))
        elif code == 200 and isinstance(mirror.get("instances"), int) and mirror["instances"] >= 0:
            break
        time.sleep(0.5)
    else:
        sys.exit("not ready after %d s (last status: %s)" % (args.timeout, json.dumps(s)[:500]))
    seconds = time.time() - args.since
    with open(args.out, "w") as f:
        json.dump({"seconds": seconds, "status": s}, f)
    print("%.1f" % seconds)


def cohort_ok(client):
    try:
        code, body = client.call("POST", "/api/cohorts/query", COHORT)
        return code == 200
    except (OSError, http.client.HTTPException):
        return False


def first_answer(args):
    client = Client(args.sidecar, timeout=60)
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        if cohort_ok(client):
            print("%.2f" % (time.time() - args.since))
            return
        time.sleep(0.1)
    sys.exit("no answer to the cohort question within %d s" % args.timeout)


def wait_mirror(args):
    client = Client(args.sidecar, timeout=60)
    deadline = time.time() + args.timeout
    m = {}
    while time.time() < deadline:
        code, s = status(client)
        m = s.get("mirror") or {}
        if isinstance(m.get("instances"), int) and m["instances"] >= args.instances and m.get("queueDepth") == 0:
            print(m["instances"])
            return
        time.sleep(0.5)
    sys.exit("the mirror holds %s of %d instances (queue %s) after %d s" % (
        m.get("instances"), args.instances, m.get("queueDepth"), args.timeout))


def questions(probes):
    q = urllib.parse.quote
    return {
        "cohort": ("POST", "/api/cohorts/query", COHORT, lambda a: a["count"]),
        "facet": ("POST", "/api/cohorts/query", {"level": "series", "where": {"attribute": "Modality", "equals": "CT"},
                                                 "limit": 1, "facets": [{"attribute": "PixelSpacing"}]},
                  lambda a: a["count"]),
        "references": ("GET", "/api/references/" + probes["referencedCtSeries"], None, lambda a: len(a["references"])),
        "absence": ("POST", "/api/workflow/query", {"has": [{"fact": "modalities", "contains": "CT"}],
                                                    "lacks": [{"fact": "segmentAlgorithmTypes", "contains": "MANUAL"}],
                                                    "limit": 100}, lambda a: a["count"]),
        "qido-mr": ("GET", "/mirror/dicomweb/series?Modality=MR", None, len),
        "qido-patient": ("GET", "/mirror/dicomweb/studies?PatientID=" + q(probes["patientId"]), None, len),
        "qido-dates": ("GET", "/mirror/dicomweb/studies?StudyDate=20150101-20161231", None, len),
        "qido-code": ("GET", "/mirror/dicomweb/series?ProcedureCodeSequence.CodeValue=" + q(probes["procedureCode"]),
                      None, len),
    }


def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, math.ceil(p / 100.0 * len(xs)) - 1))] if xs else None


def measure(args):
    with open(args.probes) as f:
        probes = json.load(f)["probes"]
    qs = questions(probes)
    client = Client(args.sidecar, timeout=300)

    def ask(key):
        method, path, body, size = qs[key]
        accept = DICOM_JSON if path.startswith("/mirror/") else "application/json"
        # the sidecar's time: from the request to the answer's last byte (this client's JSON parsing left out)
        code, answer = client.call(method, path, body, accept)
        ms = client.elapsed * 1000.0
        if code == 204:
            return ms, 0
        if code != 200:
            raise RuntimeError("%s %s: HTTP %s %s" % (method, path, code, json.dumps(answer)[:300]))
        return ms, size(answer)

    results = {k: {"title": TITLES[k], "times": [], "size": None, "error": None} for k in QUESTIONS}
    log("warm-up: %d s of calls" % args.warmup)
    end = time.time() + args.warmup
    first = True
    while first or time.time() < end:
        for k in QUESTIONS:
            if results[k]["error"]:
                continue
            try:
                ms, size = ask(k)
                if first:
                    results[k]["cold"], results[k]["size"] = ms, size
            except Exception as e:  # an error is a result: reported, the others go on
                results[k]["error"] = str(e)[:500]
        first = False
    log("measuring: %d rounds" % args.rounds)
    for _ in range(args.rounds):
        for k in QUESTIONS:
            if results[k]["error"]:
                continue
            try:
                ms, size = ask(k)
                results[k]["times"].append(ms)
                if size != results[k]["size"]:
                    results[k]["unstable"] = results[k].get("unstable", 0) + 1
            except Exception as e:
                results[k]["error"] = str(e)[:500]
    for k, r in results.items():
        r["p50"], r["p95"] = pct(r["times"], 50), pct(r["times"], 95)
        r["rounds"] = len(r.pop("times"))
        log("%-14s p50 %s ms, p95 %s ms, answer size %s%s" % (k, fmt(r["p50"], 1), fmt(r["p95"], 1), r["size"],
                                                            ", ERROR " + r["error"] if r["error"] else ""))
    with open(args.out, "w") as f:
        json.dump({"probes": probes, "questions": results}, f, indent=1)


def fmt(v, decimals=0):
    if v is None:
        return "n/a"
    return "{:,.{}f}".format(v, decimals)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def report(args):
    sizes = [int(s) for s in args.sizes.split()]
    rows = {}
    for s in sizes:
        d = os.path.join(args.root, str(s))
        rows[s] = {"facts": load(os.path.join(d, "facts.json")) or {}, "latency": load(os.path.join(d, "latency.json")),
                   "build": load(os.path.join(d, "ready.json")), "dataset": load(os.path.join(d, "dataset.json"))}
    empty = load(os.path.join(args.root, "0", "facts.json")) or {}
    empty_heap = empty.get("heapMB")

    def build(r):
        """(seconds from the start command to index.state "ready", instances / those seconds, lastRebuild or {}),
        all None without an index in the status."""
        st = (r["build"] or {}).get("status") or {}
        ix = st.get("index") if isinstance(st.get("index"), dict) else None
        if ix is None:
            return None, None, {}
        seconds, n = r["build"].get("seconds"), r["facts"].get("instances")
        return seconds, n / seconds if seconds and n else None, ix.get("lastRebuild") or {}

    lines = []
    w = lines.append
    w("# Scale benchmark")
    w("")
    w("Command: `%s`; %s; run time %s s; load average %s at the start, %s at the end." % (
        args.command, args.date, args.elapsed, args.load_start, args.load_end))
    w("Empty sidecar (no data): heap %s MB after a full GC." % fmt(empty_heap))
    w("")
    def latency(s, k):
        q = ((rows[s]["latency"] or {}).get("questions") or {}).get(k)
        if not q:
            return "n/a"
        if q.get("error"):
            return "error"
        return "%s / %s (%s)" % (fmt(q["p50"], 1), fmt(q["p95"], 1), fmt(q["size"]))

    w("One row per size. Latency cells: warm p50 / p95 ms (the answer's size: count or results). Questions: " +
      "; ".join("**%s** %s" % (k, TITLES[k]) for k in QUESTIONS) + ".")
    w("")
    w("| instances | series | studies | write rate inst/s | index build s (inst/s) | lastRebuild s (docs/s) | "
      "disk bytes/inst | heap MB (above empty) | restart to first answer s | mirror CPU ms/inst WildFly / CouchDB | "
      + " | ".join(QUESTIONS) + " |")
    w("|" + "---|" * (10 + len(QUESTIONS)))
    for s in sizes:
        r, f = rows[s], rows[s]["facts"]
        build_s, per_s, last = build(r)
        heap = f.get("heapMB")
        above = heap - empty_heap if heap is not None and empty_heap is not None else None
        w("| %s | %s | %s | %s | %s (%s) | %s (%s) | %s | %s (%s) | %s | %s / %s | %s |" % (
            fmt(f.get("instances")), fmt(f.get("series")), fmt(f.get("studies")), fmt(f.get("writeRate")),
            fmt(build_s, 1), fmt(per_s), fmt(last.get("seconds"), 1), fmt(last.get("perSecond")),
            fmt(f.get("diskBytesPerInstance")), fmt(heap), fmt(above),
            fmt(f.get("restartSeconds"), 1), fmt(f.get("cpuWildflyMsPerInstance"), 2),
            fmt(f.get("cpuCouchMsPerInstance"), 2), " | ".join(latency(s, k) for k in QUESTIONS)))
    w("")

    # targets, judged at the largest size measured (growth: smallest to largest)
    big, small = sizes[-1], sizes[0]
    rb, fb = rows[big], rows[big]["facts"]
    checks = []

    def check(name, value, ok, detail):
        checks.append(("n/a " if value is None else "PASS" if ok else "MISS", name, detail))

    lat_big = (rb["latency"] or {}).get("questions") or {}
    lat_small = (rows[small]["latency"] or {}).get("questions") or {}
    for k in QUESTIONS:
        q = lat_big.get(k) or {}
        p50, p95 = q.get("p50"), q.get("p95")
        check("%s at %s: p95 <= %d ms, p50 <= %d ms" % (TITLES[k], fmt(big), P95_MS, P50_MS), p50,
              p50 is not None and p95 <= P95_MS and p50 <= P50_MS, "p50 %s, p95 %s" % (fmt(p50, 1), fmt(p95, 1)))
        s50 = (lat_small.get(k) or {}).get("p50")
        growth = p50 / s50 if p50 and s50 else None
        if big != small:
            check("%s: p50 growth %s -> %s <= %dx" % (TITLES[k], fmt(small), fmt(big), P50_GROWTH), growth,
                  growth is not None and growth <= P50_GROWTH, "%sx" % fmt(growth, 2))
    heap = fb.get("heapMB")
    above = heap - empty_heap if heap is not None and empty_heap is not None else None
    check("heap above empty <= %d MB" % HEAP_ABOVE_EMPTY_MB, above, above is not None and above <= HEAP_ABOVE_EMPTY_MB,
          "%s MB" % fmt(above))
    rs = fb.get("restartSeconds")
    check("restart to first answer <= %d s" % RESTART_S, rs, rs is not None and rs <= RESTART_S, "%s s" % fmt(rs, 1))
    _, per_s, last = build(rb)
    # the index's own rate when it reports one; otherwise instances over start command -> ready (boot included)
    rate = last.get("perSecond") if last.get("perSecond") is not None else per_s
    check("index build >= %d inst/s" % BUILD_PER_S, rate, rate is not None and rate >= BUILD_PER_S,
          "%s inst/s (lastRebuild %s docs/s; instances / start-to-ready %s inst/s)" % (
              fmt(rate), fmt(last.get("perSecond")), fmt(per_s)))
    disk = fb.get("diskBytesPerInstance")
    check("disk <= %d bytes/instance" % DISK_PER_INSTANCE, disk, disk is not None and disk <= DISK_PER_INSTANCE,
          "%s bytes" % fmt(disk))
    w("Targets (at %s instances):" % fmt(big))
    w("")
    for verdict, name, detail in checks:
        w("- %s %s: %s" % (verdict.strip(), name, detail))
    w("")
    errors = [(s, k, q["error"]) for s in sizes for k, q in (((rows[s]["latency"] or {}).get("questions")) or {}).items()
              if q.get("error")]
    if errors:
        w("Errors:")
        w("")
        for s, k, e in errors:
            w("- %s at %s: `%s`" % (k, fmt(s), e.replace("`", "'")))
        w("")
    w("How each figure is measured: see the header of scripts/benchmark-scale.sh.")
    write_report(lines, os.path.join(args.root, "report.md"))


def write_report(lines, path):
    """The report's lines: printed, and written to PATH."""
    text = "\n".join(lines) + "\n"
    with open(path, "w") as f:
        f.write(text)
    print(text)


def run_arguments(parser, command):
    """A report's facts of the run: the command, its date, run time and the load average before and after."""
    parser.add_argument("--command", default=command)
    parser.add_argument("--date", default=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    parser.add_argument("--elapsed", default="")
    parser.add_argument("--load-start", default="")
    parser.add_argument("--load-end", default="")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("wait-ready")
    a.add_argument("--sidecar", required=True)
    a.add_argument("--since", type=float, required=True)
    a.add_argument("--timeout", type=float, required=True)
    a.add_argument("--out", required=True)
    a = sub.add_parser("first-answer")
    a.add_argument("--sidecar", required=True)
    a.add_argument("--since", type=float, required=True)
    a.add_argument("--timeout", type=float, required=True)
    a = sub.add_parser("wait-mirror")
    a.add_argument("--sidecar", required=True)
    a.add_argument("--instances", type=int, required=True)
    a.add_argument("--timeout", type=float, required=True)
    a = sub.add_parser("measure")
    a.add_argument("--sidecar", required=True)
    a.add_argument("--probes", required=True)
    a.add_argument("--rounds", type=int, default=200)
    a.add_argument("--warmup", type=float, default=30)
    a.add_argument("--out", required=True)
    a = sub.add_parser("report")
    a.add_argument("--root", required=True)
    a.add_argument("--sizes", required=True)
    run_arguments(a, "scripts/benchmark-scale.sh")
    args = p.parse_args()
    {"wait-ready": wait_ready, "first-answer": first_answer, "wait-mirror": wait_mirror, "measure": measure,
     "report": report}[args.cmd](args)


if __name__ == "__main__":
    main()
