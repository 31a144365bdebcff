#!/usr/bin/python3
"""The side-by-side comparison benchmark: the same questions answered with standard DICOMweb only, the
way a pipeline does it today, and with the sidecar; checks that the answers are identical and measures both.

Two sub-commands, driven by scripts/benchmark-comparison.sh:

  measure  one archive size, everything already running and mirrored:
           bench_comparison.py measure --dataset DIR --host URL --sidecar URL --out results.json
           --host     the archive's DICOMweb base (Orthanc: http://127.0.0.1:P/dicom-web)
           --sidecar  the sidecar's root (http://127.0.0.1:P/sidecar): /api/... and /mirror/dicomweb/...
  report   every size measured: report.md, PNG charts, the summary table on stdout
           bench_comparison.py report --root DIR --sizes "2000 10000" --command "..." --elapsed S

Questions (standard route = the archive's QIDO-RS and WADO-RS only, client-side filtering in Python; sidecar
route = the sidecar's REST API over its mirror):
  cohort      CT series whose every PixelSpacing value is 0.5 +- 0.01 and SliceThickness <= 1 (series UIDs).
              Standard: QIDO /series?Modality=CT (paged), WADO-RS metadata of every CT series (a bounded
              pool of kept-alive connections), a series matches when one of its instances satisfies all
              three (the sidecar's rule; the generated series are uniform). Sidecar: POST /api/cohorts/query.
  references  every object referencing a CT series (SOP Instance UIDs of the referencing objects).
              Standard: QIDO the series' instances, QIDO /series?Modality=M for SEG, SR, RTSTRUCT, PR, KO,
              WADO-RS metadata of each, then walk every sequence at any depth for a ReferencedSOPInstanceUID
              of the series or its SeriesInstanceUID. Sidecar: GET /api/references/{series}.
  absence     CT studies without a MANUAL segmentation (study UIDs). Standard: QIDO
              /studies?ModalitiesInStudy=CT, QIDO /series?Modality=SEG, WADO-RS metadata of the SEG series
              of CT studies, SegmentSequence > SegmentAlgorithmType. Sidecar: POST /api/workflow/query
              (has modalities CT, lacks segmentAlgorithmTypes MANUAL), paged with cursor/next.
  facet       PixelSpacing value counts over CT series. The sidecar's facet counts each distinct value of a
              series' shared PixelSpacing once (both components: a 0.488281\\0.625 series counts for both
              values; a square one, the usual case, counts its first value once); the standard route
              computes exactly that from the metadata. Sidecar: POST /api/cohorts/query with facets.
  qido-*      plain QIDO-RS queries sent to the archive's QIDO and to the mirror's (/sidecar/mirror/dicomweb),
              compared as sets of UIDs (paged with limit/offset, 1,000 a page, on both). A query with its own
              limit compares as: both return min(limit, all matches) results, all of them matches.
              Two are informational (the mirror is checked against the ground truth, the host's answer is
              reported): qido-unindexed (PixelSpacing, a key Orthanc does not match at the series level) and
              qido-ct-studies-paged (ModalitiesInStudy=CT in pages of 100: Orthanc 1.10 with DICOMweb 1.7
              answers limit - offset results of the first page when offset is set, so a paging client loses
              every study past the first page; the absence question's standard route therefore takes its CT
              studies from /series?Modality=CT).
Every answer is also checked against the generator's ground truth (manifest.json).

Before measuring, the sidecar's and the mirror's calls are cycled for --warmup-seconds (WildFly's JIT; the
very first call of each is kept as its cold time: CouchDB builds its views lazily). Each question and route:
one cold call, then R timed rounds interleaved between the routes; every round's answer must equal the first.
p50/p95 are nearest-rank percentiles (with 5 rounds p95 is the slowest round); requests and bytes
(response bodies) are those of one round; ratio = standard p50 / sidecar p50.
"""
import argparse
import collections
import datetime
import http.client
import json
import math
import os
import re
import sys
import textwrap
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation

DICOM_JSON = "application/dicom+json"
QIDO_PAGE = 1000  # page size of the plain QIDO queries (the mirror's default limit)
STUDY_UID, SERIES_UID, SOP_UID = "0020000D", "0020000E", "00080018"
MODALITY, PIXEL_SPACING, SLICE_THICKNESS = "00080060", "00280030", "00180050"
REFERENCED_SOP_UID = "00081155"
SEGMENT_SEQUENCE, SEGMENT_ALGORITHM_TYPE = "00620002", "00620008"
REFERENCING_MODALITIES = ["SEG", "SR", "RTSTRUCT", "PR", "KO"]
EXTENSION_QUESTIONS = ["cohort", "references", "absence", "facet"]
TITLES = {
    "cohort": "cohort: CT, PixelSpacing 0.5 +- 0.01, SliceThickness <= 1",
    "references": "what references a CT series",
    "absence": "CT studies without a MANUAL SEG",
    "facet": "facet PixelSpacing over CT series",
}


# ---------------------------------------------------------------------------------------------------------
# HTTP: kept-alive connections (one per thread), every request and response body counted


class Meter:
    def __init__(self):
        self.requests = 0
        self.bytes = 0
        self.lock = threading.Lock()

    def add(self, n):
        with self.lock:
            self.requests += 1
            self.bytes += n


class HttpError(Exception):
    pass


class Http:
    def __init__(self, base, timeout=900):
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.prefix = u.hostname, u.port or 80, u.path.rstrip("/")
        self.timeout = timeout
        self.local = threading.local()

    def _conn(self):
        c = getattr(self.local, "conn", None)
        if c is None:
            c = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return c

    def request(self, meter, method, path, body=None, accept="application/json"):
        headers = {"Accept": accept}
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            conn = self._conn()
            try:
                conn.request(method, self.prefix + path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                self.local.conn = None
                if attempt:
                    raise HttpError("%s %s%s: %r" % (method, self.prefix, path, e))
        meter.add(len(data))
        if resp.status == 204:
            return []
        if resp.status != 200:
            raise HttpError("%s %s%s: HTTP %d %s" % (method, self.prefix, path, resp.status,
                                                     data[:300].decode("utf-8", "replace")))
        return json.loads(data, parse_float=Decimal) if data else []

    def close(self):
        c = getattr(self.local, "conn", None)
        if c is not None:
            c.close()
            self.local.conn = None


# ---------------------------------------------------------------------------------------------------------
# DICOM JSON


def values(ds, tag):
    e = ds.get(tag)
    return e.get("Value", []) if isinstance(e, dict) else []


def first(ds, tag):
    v = values(ds, tag)
    return v[0] if v else None


def number(v):
    if v is None:
        return None
    try:
        # Orthanc writes DS as JSON numbers through a double ("0.488281" becomes 0.48828100000000002): the
        # shortest text that reads back as the same double is the value the file holds
        return Decimal(repr(float(v))) if isinstance(v, (Decimal, int, float)) else Decimal(str(v).strip())
    except (InvalidOperation, ValueError):
        return None


def plain(d):
    """A number as the sidecar's facet writes it (BigDecimal.stripTrailingZeros().toPlainString())."""
    d = d.normalize()
    return format(d, "f")


def references_target(ds, sops, series, in_sequence=False):
    """Whether any sequence item, at any depth, holds a ReferencedSOPInstanceUID of the series or its UID."""
    for tag, e in ds.items():
        if not isinstance(e, dict):
            continue
        if e.get("vr") == "SQ":
            for item in e.get("Value", []) or []:
                if isinstance(item, dict) and references_target(item, sops, series, True):
                    return True
        elif in_sequence and tag == REFERENCED_SOP_UID:
            if any(v in sops for v in e.get("Value", []) or []):
                return True
        elif in_sequence and tag == SERIES_UID:
            if series in (e.get("Value", []) or []):
                return True
    return False


# ---------------------------------------------------------------------------------------------------------
# the standard route


class Standard:
    def __init__(self, base, threads, page):
        self.http = Http(base)
        self.pool = ThreadPoolExecutor(threads)
        self.page = page

    def qido(self, meter, path, params=()):
        """Every result of a QIDO-RS query, paged with limit/offset."""
        out, offset = [], 0
        while True:
            q = list(params) + [("limit", self.page), ("offset", offset)]
            items = self.http.request(meter, "GET", path + "?" + urllib.parse.urlencode(q), accept=DICOM_JSON)
            out += items
            if len(items) < self.page:
                return out
            if len(items) > self.page:
                raise HttpError("%s ignored limit=%d (%d results)" % (path, self.page, len(items)))
            offset += self.page

    def series_metadata(self, meter, series, evaluate):
        """evaluate(study, series, [instance datasets]) for every (study, series), WADO-RS metadata fetched by
        the pool; answers the list of results in the order given."""
        def one(pair):
            study, se = pair
            datasets = self.http.request(meter, "GET", "/studies/%s/series/%s/metadata" % (study, se),
                                         accept=DICOM_JSON)
            return evaluate(study, se, datasets)
        return list(self.pool.map(one, series))

    def ct_series(self, meter):
        rows = self.qido(meter, "/series", [("Modality", "CT"), ("includefield", STUDY_UID)])
        return [(first(r, STUDY_UID), first(r, SERIES_UID)) for r in rows]

    def cohort(self, meter):
        def evaluate(study, series, datasets):
            for ds in datasets:
                if first(ds, MODALITY) != "CT":
                    continue
                ps = [number(v) for v in values(ds, PIXEL_SPACING)]
                st = number(first(ds, SLICE_THICKNESS))
                if ps and all(v is not None and abs(v - Decimal("0.5")) <= Decimal("0.01") for v in ps) \
                        and st is not None and st <= 1:
                    return series
            return None
        return frozenset(s for s in self.series_metadata(meter, self.ct_series(meter), evaluate) if s)

    def facet(self, meter):
        def evaluate(study, series, datasets):
            spacings = {tuple(values(ds, PIXEL_SPACING)) for ds in datasets}
            if len(spacings) != 1:  # not shared by all its instances: no series-level value (as the sidecar)
                return set()
            return {plain(number(v)) for v in next(iter(spacings)) if number(v) is not None}
        counts = collections.Counter()
        for distinct in self.series_metadata(meter, self.ct_series(meter), evaluate):
            counts.update(distinct)
        return dict(counts)

    def references(self, meter, study, series):
        sops = {first(r, SOP_UID) for r in self.qido(meter, "/studies/%s/series/%s/instances" % (study, series))}
        candidates = []
        for m in REFERENCING_MODALITIES:
            candidates += [(first(r, STUDY_UID), first(r, SERIES_UID))
                           for r in self.qido(meter, "/series", [("Modality", m), ("includefield", STUDY_UID)])]

        def evaluate(st, se, datasets):
            return [first(ds, SOP_UID) for ds in datasets
                    if first(ds, SOP_UID) not in sops and references_target(ds, sops, series)]
        return frozenset(s for found in self.series_metadata(meter, candidates, evaluate) for s in found)

    def absence(self, meter):
        # the CT studies from the series level: Orthanc 1.10 (DICOMweb 1.7) pages /studies?ModalitiesInStudy=CT
        # wrongly (with offset it answers limit - offset results, from the first page), so a pipeline paging
        # that query silently loses every study past the first page (qido-ct-studies-paged shows it)
        ct_studies = {first(r, STUDY_UID) for r in self.qido(meter, "/series", [("Modality", "CT"),
                                                                               ("includefield", STUDY_UID)])}
        seg = [(first(r, STUDY_UID), first(r, SERIES_UID))
               for r in self.qido(meter, "/series", [("Modality", "SEG"), ("includefield", STUDY_UID)])]
        seg = [p for p in seg if p[0] in ct_studies]

        def evaluate(study, series, datasets):
            for ds in datasets:
                for segment in values(ds, SEGMENT_SEQUENCE):
                    if "MANUAL" in values(segment, SEGMENT_ALGORITHM_TYPE):
                        return study
            return None
        manual = {s for s in self.series_metadata(meter, seg, evaluate) if s}
        return frozenset(ct_studies - manual)


# ---------------------------------------------------------------------------------------------------------
# the sidecar route


class Sidecar:
    def __init__(self, root):
        self.api = Http(root.rstrip("/") + "/api")

    def _pages(self, meter, path, query, key):
        out, cursor = set(), None
        while True:
            q = dict(query, limit=1000)
            if cursor is not None:
                q["cursor"] = cursor
            answer = self.api.request(meter, "POST", path, q)
            out.update(r[key] for r in answer["results"])
            cursor = answer.get("next")
            if not cursor:
                if len(out) != answer["count"]:
                    raise HttpError("%s: count %d but %d results over the pages" % (path, answer["count"], len(out)))
                return frozenset(out)

    def cohort(self, meter):
        return self._pages(meter, "/cohorts/query", {"level": "series", "where": {"and": [
            {"attribute": "Modality", "equals": "CT"},
            {"attribute": "PixelSpacing", "values": "every", "near": 0.5, "tolerance": 0.01},
            {"attribute": "SliceThickness", "lte": 1}]}}, "seriesInstanceUID")

    def facet(self, meter):
        answer = self.api.request(meter, "POST", "/cohorts/query", {
            "level": "series", "where": {"attribute": "Modality", "equals": "CT"}, "limit": 1,
            "facets": [{"attribute": "PixelSpacing", "limit": 1000}]})
        f = answer["facets"]["PixelSpacing"]
        counts = {r["value"]: int(r["count"]) for r in f["values"]}
        if f.get("distinct") != len(counts):
            raise HttpError("facet: distinct %s but %d values listed" % (f.get("distinct"), len(counts)))
        return counts

    def references(self, meter, study, series):
        answer = self.api.request(meter, "GET", "/references/" + series)
        return frozenset(r["sopInstanceUID"] for r in answer["references"])

    def absence(self, meter):
        return self._pages(meter, "/workflow/query", {
            "has": [{"fact": "modalities", "contains": "CT"}],
            "lacks": [{"fact": "segmentAlgorithmTypes", "contains": "MANUAL"}]}, "studyInstanceUID")


# ---------------------------------------------------------------------------------------------------------
# plain QIDO-RS: the same query to the host's QIDO and to the mirror's


def qido_answer(http, meter, path, uid_tag, own_limit, page=None):
    page = page or QIDO_PAGE
    if own_limit:
        rows = http.request(meter, "GET", path, accept=DICOM_JSON)
        return tuple(sorted(first(r, uid_tag) for r in rows))
    out, offset = [], 0
    sep = "&" if "?" in path else "?"
    while True:
        rows = http.request(meter, "GET", "%s%slimit=%d&offset=%d" % (path, sep, page, offset), accept=DICOM_JSON)
        out += [first(r, uid_tag) for r in rows]
        if len(rows) < page:
            break
        if len(rows) > page:
            raise HttpError("%s ignored limit=%d" % (path, page))
        offset += page
    if len(set(out)) != len(out):
        raise HttpError("%s: the pages repeat results (%d results, %d distinct)" % (path, len(out), len(set(out))))
    return frozenset(out)


# ---------------------------------------------------------------------------------------------------------
# ground truth from the generator's manifest


class Truth:
    def __init__(self, manifest):
        self.m = manifest
        self.series = {s["series"]: s for s in manifest["series"]}
        self.studies = {s["study"]: s for s in manifest["studies"]}
        self.instances_of = collections.defaultdict(list)
        for i in manifest["instances"]:
            self.instances_of[i["series"]].append(i)

    def cohort(self):
        out = set()
        for se, rows in self.instances_of.items():
            for i in rows:
                ps = [Decimal(str(v)) for v in i.get("PixelSpacing", [])]
                st = i.get("SliceThickness")
                if i["modality"] == "CT" and ps and all(abs(v - Decimal("0.5")) <= Decimal("0.01") for v in ps) \
                        and st is not None and Decimal(str(st)) <= 1:
                    out.add(se)
                    break
        return frozenset(out)

    def facet(self):
        counts = collections.Counter()
        for se, s in self.series.items():
            if s["modality"] == "CT" and "PixelSpacing" in s:
                counts.update({plain(Decimal(str(v))) for v in s["PixelSpacing"]})
        return dict(counts)

    def references(self, series):
        sops = {i["sop"] for i in self.instances_of[series]}
        return frozenset(r["source"] for r in self.m["references"] if not r["dangling"] and r["source"] not in sops
                         and ((r["level"] == "instance" and r["target"] in sops)
                              or (r["level"] == "series" and r["target"] == series)))

    def absence(self):
        return frozenset(s["study"] for s in self.m["studies"]
                         if "CT" in s["modalities"] and "MANUAL" not in s.get("segmentAlgorithmTypes", []))

    def pick_reference_target(self):
        """The CT series referenced by the most kinds of objects (SEG, SR, RTSTRUCT, PR), then by the most."""
        series_of = {i["sop"]: i["series"] for i in self.m["instances"]}
        kinds, count = collections.defaultdict(set), collections.Counter()
        for r in self.m["references"]:
            if r["dangling"]:
                continue
            se = series_of.get(r["target"]) if r["level"] == "instance" else r["target"] if r["level"] == "series" else None
            if se in self.series and self.series[se]["modality"] == "CT":
                kinds[se].add(r["sourceModality"])
                count[se] += 1
        wanted = {"SEG", "SR", "RTSTRUCT", "PR"}
        best = max(kinds, key=lambda se: (len(kinds[se] & wanted), len(kinds[se]), count[se], se))
        return self.series[best]["study"], best, sorted(kinds[best])


def plain_queries(truth):
    """(key, path, uid tag, own limit, truth, strict, page size): plain QIDO-RS queries for both QIDOs."""
    m = truth.m
    studies_of_patient = collections.Counter(s["PatientID"] for s in m["studies"])
    patient = max(studies_of_patient, key=lambda p: (studies_of_patient[p], p))
    years = collections.Counter((s.get("StudyDate") or "")[:4] for s in m["studies"] if s.get("StudyDate"))
    year = max(years, key=lambda y: (years[y], y)) if years else "2019"
    lo, hi = year + "0101", year + "1231"  # closed: Orthanc counts an empty date as before any date
    series_per_study = collections.Counter(s["study"] for s in m["series"])
    study = max(series_per_study, key=lambda s: (series_per_study[s], s))
    ct = sorted((s for s in m["series"] if s["modality"] == "CT"), key=lambda s: (-s["instances"], s["series"]))[0]
    ct_studies = frozenset(s["study"] for s in m["studies"] if "CT" in s["modalities"])
    square = frozenset(s["series"] for s in m["series"] if s["modality"] == "CT"
                       and [Decimal(str(v)) for v in s.get("PixelSpacing", [])] == [Decimal("0.5")] * 2)
    q = urllib.parse.quote
    return [
        ("qido-patient", "/studies?PatientID=" + q(patient), STUDY_UID, False,
         frozenset(s["study"] for s in m["studies"] if s["PatientID"] == patient), True, None),
        ("qido-date-range", "/studies?StudyDate=%s-%s" % (lo, hi), STUDY_UID, False,
         frozenset(s["study"] for s in m["studies"] if lo <= (s.get("StudyDate") or "") <= hi), True, None),
        ("qido-modality-mr", "/series?Modality=MR", SERIES_UID, False,
         frozenset(s["series"] for s in m["series"] if s["modality"] == "MR"), True, None),
        ("qido-ct-studies-limit", "/studies?ModalitiesInStudy=CT&limit=100", STUDY_UID, True, ct_studies, True, None),
        ("qido-study-series", "/studies/%s/series" % study, SERIES_UID, False,
         frozenset(s["series"] for s in m["series"] if s["study"] == study), True, None),
        ("qido-series-instances", "/studies/%s/series/%s/instances" % (ct["study"], ct["series"]), SOP_UID, False,
         frozenset(i["sop"] for i in truth.instances_of[ct["series"]]), True, None),
        ("qido-unindexed", "/series?Modality=CT&PixelSpacing=0.5%5C0.5", SERIES_UID, False, square, False, None),
        ("qido-ct-studies-paged", "/studies?ModalitiesInStudy=CT", STUDY_UID, False, ct_studies, False, 100),
    ]


QIDO_TITLES = {
    "qido-patient": "QIDO /studies?PatientID=X",
    "qido-date-range": "QIDO /studies?StudyDate=YYYY0101-YYYY1231",
    "qido-modality-mr": "QIDO /series?Modality=MR",
    "qido-ct-studies-limit": "QIDO /studies?ModalitiesInStudy=CT&limit=100",
    "qido-study-series": "QIDO /studies/{s}/series",
    "qido-series-instances": "QIDO /studies/{s}/series/{se}/instances",
    "qido-unindexed": "QIDO /series?Modality=CT&PixelSpacing=0.5\\0.5 (not indexed by Orthanc)",
    "qido-ct-studies-paged": "QIDO /studies?ModalitiesInStudy=CT, pages of 100 (limit/offset)",
}


# ---------------------------------------------------------------------------------------------------------
# measuring


def pct(xs, p):
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, math.ceil(p / 100.0 * len(xs)) - 1))] if xs else None


def describe(answer):
    return len(answer) if not isinstance(answer, dict) else sum(answer.values())


def diff(a, b):
    """What differs between two answers (sets or value-count maps), for the report."""
    if isinstance(a, dict) or isinstance(b, dict):
        a, b = a or {}, b or {}
        keys = sorted(set(a) | set(b), key=lambda k: (Decimal(k) if re.match(r"^-?[0-9.]+$", k) else 0, k))
        return {"differentValues": [{"value": k, "standard": a.get(k), "sidecar": b.get(k)}
                                    for k in keys if a.get(k) != b.get(k)][:20]}
    a, b = set(a), set(b)
    return {"onlyStandard": len(a - b), "onlySidecar": len(b - a),
            "onlyStandardSample": sorted(a - b)[:5], "onlySidecarSample": sorted(b - a)[:5]}


class Runner:
    def __init__(self, args):
        self.args = args
        self.log = lambda *a: print("[comparison]", *a, file=sys.stderr, flush=True)
        self.cold = {}  # question -> the sidecar's (or mirror's) very first call, made during the warm-up

    def timed(self, fn):
        meter = Meter()
        t = time.perf_counter()
        answer = fn(meter)
        return (time.perf_counter() - t) * 1000.0, answer, meter

    def run(self, key, title, kind, routes, truth, check):
        """routes: [(name, fn(meter), rounds, budget seconds or None)]; check(answers) -> (identical, detail)."""
        self.log("%s: cold calls" % key)
        stats, first_answers, errors = {}, {}, []
        for name, fn, rounds, budget in routes:
            try:
                ms, answer, meter = self.timed(fn)
                first_answers[name] = answer
                if name in ("sidecar", "mirror") and key in self.cold:
                    ms = self.cold[key]
                stats[name] = {"cold": ms, "times": [], "requests": meter.requests, "bytes": meter.bytes,
                               "answerSize": describe(answer), "rounds": 0, "unstable": 0}
            except Exception as e:  # an error is a result too: reported, the benchmark goes on
                errors.append("%s: %s" % (name, e))
                stats[name] = {"cold": None, "times": [], "requests": 0, "bytes": 0, "answerSize": None,
                               "rounds": 0, "unstable": 0, "error": str(e)[:500]}
        spent = collections.Counter()
        more = True
        while more:
            more = False
            for name, fn, rounds, budget in routes:
                s = stats[name]
                if name not in first_answers or len(s["times"]) >= rounds:
                    continue
                if budget is not None and spent[name] > budget and len(s["times"]) >= self.args.min_standard_rounds:
                    continue
                try:
                    ms, answer, meter = self.timed(fn)
                except Exception as e:
                    errors.append("%s: %s" % (name, e))
                    s["error"] = str(e)[:500]
                    first_answers.pop(name, None)
                    continue
                spent[name] += ms / 1000.0
                s["times"].append(ms)
                s["requests"], s["bytes"] = meter.requests, meter.bytes
                if answer != first_answers[name]:
                    s["unstable"] += 1
                more = True
        for name, s in stats.items():
            s["rounds"] = len(s["times"])
            s["p50"], s["p95"] = pct(s["times"], 50), pct(s["times"], 95)
            s["mean"] = sum(s["times"]) / len(s["times"]) if s["times"] else None
        names = [r[0] for r in routes]
        result = {"key": key, "title": title, "kind": kind, "routes": stats, "errors": errors}
        if len(first_answers) == len(routes):
            identical, detail, extra = check(first_answers)
        else:
            identical, detail, extra = False, {"error": errors}, {}
        unstable = any(stats[n]["unstable"] for n in names)
        result.update({"identical": identical and not unstable and not errors, "detail": detail, **extra})
        a, b = stats[names[0]].get("p50"), stats[names[1]].get("p50")
        result["ratio"] = a / b if a and b else None
        self.log("%s: %s p50 %s (%d rounds), %s p50 %s (%d rounds), ratio %s, identical %s" % (
            key, names[0], fmt_ms(a), stats[names[0]]["rounds"], names[1], fmt_ms(b), stats[names[1]]["rounds"],
            fmt_ratio(result["ratio"]), result["identical"]))
        return result


def measure(args):
    with open(os.path.join(args.dataset, "manifest.json")) as f:
        manifest = json.load(f)
    truth = Truth(manifest)
    std = Standard(args.host, args.threads, args.page)
    side = Sidecar(args.sidecar)
    host_qido = Http(args.host)
    mirror_qido = Http(args.sidecar.rstrip("/") + "/mirror/dicomweb")
    runner = Runner(args)
    ref_study, ref_series, ref_kinds = truth.pick_reference_target()
    sr, cr = args.standard_rounds, args.sidecar_rounds
    budget = args.standard_budget
    results = []

    def extension(key, std_fn, side_fn, expected):
        def check(answers):
            a, b = answers["standard"], answers["sidecar"]
            return a == b, (None if a == b else diff(a, b)), {
                "answer": describe(b), "matchesManifest": {"standard": a == expected, "sidecar": b == expected},
                "manifestDetail": {n: diff(expected, x) for n, x in answers.items() if x != expected}}
        results.append(runner.run(key, TITLES[key], "extension",
                                  [("standard", std_fn, sr, budget), ("sidecar", side_fn, cr, None)],
                                  expected, check))

    if args.warmup_seconds > 0:
        # a production sidecar runs warm: let WildFly's JIT compile the hot paths (and CouchDB build its views)
        # by cycling the sidecar's and the mirror's calls; the standard route gets its cold call per question
        runner.log("warming the sidecar up for %.0f s" % args.warmup_seconds)
        calls = [("cohort", side.cohort), ("facet", side.facet), ("absence", side.absence),
                 ("references", lambda m: side.references(m, ref_study, ref_series))]
        calls += [(k, lambda m, p=p, t=t, o=o, g=g: qido_answer(mirror_qido, m, p, t, o, g))
                  for k, p, t, o, _, _, g in plain_queries(truth)]
        end, n = time.monotonic() + args.warmup_seconds, 0
        while time.monotonic() < end or n < len(calls):
            key, fn = calls[n % len(calls)]
            ms = runner.timed(fn)[0]
            runner.cold.setdefault(key, ms)  # the true first call: CouchDB builds views, caches load
            n += 1
        runner.log("warm-up: %d calls" % n)

    extension("cohort", std.cohort, side.cohort, truth.cohort())
    extension("references", lambda m: std.references(m, ref_study, ref_series),
              lambda m: side.references(m, ref_study, ref_series), truth.references(ref_series))
    results[-1]["target"] = {"series": ref_series, "study": ref_study, "referencedBy": ref_kinds}
    extension("absence", std.absence, side.absence, truth.absence())
    extension("facet", std.facet, side.facet, truth.facet())

    qr = args.qido_rounds
    for key, path, tag, own_limit, expected, strict, page in plain_queries(truth):
        def check(answers, own_limit=own_limit, expected=expected, strict=strict):
            a, b = answers["host"], answers["mirror"]
            if own_limit:
                want = min(int(re.search(r"limit=(\d+)", path).group(1)), len(expected))
                ok = {n: len(x) == want and set(x) <= expected for n, x in answers.items()}
                same = ok["host"] and ok["mirror"]
                return same, (None if same else {"valid": ok, "sizes": {n: len(x) for n, x in answers.items()},
                                                 "expected": want}), {
                    "answer": len(b), "matchesManifest": ok, "samePage": set(a) == set(b),
                    "note": "own limit: both must return min(limit, matches) results, all matches"}
            same = a == b if strict else b == expected
            return same, (None if a == b else diff(a, b)), {
                "answer": len(b), "matchesManifest": {"host": a == expected, "mirror": b == expected},
                "strict": strict}
        results.append(runner.run(key, QIDO_TITLES[key], "qido", [
            ("host", lambda m, p=path, t=tag, o=own_limit, g=page: qido_answer(host_qido, m, p, t, o, g), qr, budget),
            ("mirror", lambda m, p=path, t=tag, o=own_limit, g=page: qido_answer(mirror_qido, m, p, t, o, g), qr, None)],
            expected, check))
        results[-1]["path"] = path + ("" if page is None else " (pages of %d)" % page)

    status = Http(args.sidecar.rstrip("/") + "/api").request(Meter(), "GET", "/status")
    out = {"size": args.size, "instances": manifest["totals"]["instances"], "studies": manifest["totals"]["studies"],
           "series": manifest["totals"]["series"], "references": manifest["totals"]["references"],
           "rounds": {"standard": sr, "sidecar": cr, "qido": qr, "standardBudgetSeconds": budget,
                      "minStandardRounds": args.min_standard_rounds},
           "warmupSeconds": args.warmup_seconds, "threads": args.threads, "qidoPage": args.page, "questions": results,
           "mirrorStatus": status.get("mirror"), "measuredAt": datetime.datetime.now().isoformat(timespec="seconds")}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1, default=str)
    std.pool.shutdown()
    bad = [r["key"] for r in results if not r["identical"]]
    if bad:
        runner.log("answers differ (or failed) for: " + ", ".join(bad))
        return 1
    return 0


# ---------------------------------------------------------------------------------------------------------
# the report


def fmt_ms(v):
    if v is None:
        return "-"
    if v >= 10000:
        return "%.1f s" % (v / 1000)
    if v >= 100:
        return "%.0f ms" % v
    if v >= 10:
        return "%.1f ms" % v
    return "%.2f ms" % v


def fmt_ratio(r):
    if r is None:
        return "-"
    return ("%.0fx" % r) if r >= 10 else ("%.2fx" % r)


def fmt_bytes(n):
    if n is None:
        return "-"
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= div:
            return "%.1f %s" % (n / div, unit)
    return "%d B" % n


def identical_cell(q):
    if q.get("strict", True):
        return "yes" if q["identical"] else "**NO**"
    # informational: the mirror against the ground truth; the host's answer only reported
    mm = q.get("matchesManifest") or {}
    return "%s (info: mirror %s truth, host %s)" % ("yes" if q["identical"] else "**NO**",
                                                    "=" if mm.get("mirror") else "!=", "=" if mm.get("host") else "!=")


def fmt_int(n):
    return "-" if n is None else "{:,}".format(n)


def machine():
    info = {"nproc": os.cpu_count()}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["ramGiB"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def log_findings(root, size):
    """ERROR lines and exceptions in the size's WildFly log (distinct messages, a few each)."""
    path = os.path.join(root, str(size), "logs", "wildfly.log")
    found = collections.Counter()
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if re.search(r"\bERROR\b|SEVERE|OutOfMemoryError", line):
                    msg = re.sub(r"^\S+ \S+ +", "", line.strip())
                    msg = re.sub(r"\b(2\.25\.\d+|[0-9a-f]{8}-[0-9a-f-]{27})\b", "<uid>", msg)
                    found[msg[:240]] += 1
    except OSError:
        return None
    return found


def report(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator

    sizes = [int(s) for s in args.sizes.split()]
    data = {}
    for s in sizes:
        p = os.path.join(args.root, str(s), "results.json")
        if os.path.isfile(p):
            with open(p) as f:
                data[s] = json.load(f)
    sizes = [s for s in sizes if s in data]
    phases = {}
    for s in sizes:
        p = os.path.join(args.root, str(s), "phases.txt")
        if os.path.isfile(p):
            with open(p) as f:
                phases[s] = dict(line.strip().split("=", 1) for line in f if "=" in line)
    keys = []
    for s in sizes:
        for q in data[s]["questions"]:
            if q["key"] not in keys:
                keys.append(q["key"])

    def q_of(s, k):
        return next((q for q in data[s]["questions"] if q["key"] == k), None)

    def names(q):
        return ("standard", "sidecar") if q["kind"] == "extension" else ("host", "mirror")

    lines = []
    w = lines.append
    m = machine()
    w("# Comparison benchmark: standard DICOMweb against the sidecar")
    w("")
    w("Generated by `scripts/benchmark-comparison.sh` on %s." % args.date)
    w("")
    w("- Command: `%s`" % args.command)
    w("- Machine: %s CPUs (%s), %s GiB RAM; load average at start %s, at the end %s (other jobs share it)"
      % (m.get("nproc"), m.get("cpu", "?"), m.get("ramGiB", "?"), args.load_start or "?", args.load_end or "?"))
    w("- Run time: %s (%s s), sizes %s" % (str(datetime.timedelta(seconds=int(float(args.elapsed or 0)))),
                                           args.elapsed, ", ".join("{:,}".format(s) for s in sizes)))
    if sizes:
        r0 = data[sizes[0]]["rounds"]
        w("- Rounds: standard route %s (stops after %s s per question once %s rounds are done), sidecar %s, "
          "plain QIDO %s per route, interleaved. Not counted: %s s of warm-up calls to the sidecar and the mirror "
          "first (WildFly's JIT; a production sidecar runs warm), and one cold call per route and question; the "
          "\"cold\" column is that call for the standard route and the very first call, before the warm-up, for "
          "the sidecar and the mirror (CouchDB builds its views lazily). Standard route: %d threads, "
          "kept-alive connections, QIDO pages of %d." % (r0["standard"], r0["standardBudgetSeconds"],
                                                         r0["minStandardRounds"], r0["sidecar"], r0["qido"],
                                                         data[sizes[0]].get("warmupSeconds", 0),
                                                         data[sizes[0]]["threads"], data[sizes[0]]["qidoPage"]))
    w("- Servers: Orthanc 1.10 + DICOMweb plugin (`StudiesMetadata`/`SeriesMetadata`: Full, read from the files), "
      "the sidecar on WildFly 39 (`-Xmx768m`) over pouchdb-server (LevelDB), all on 127.0.0.1.")
    w("- Latencies are wall-clock times of the whole question (every request of the route), p50/p95 nearest-rank;"
      " requests and bytes (response bodies) are per answer; ratio = standard p50 / sidecar p50 (for plain "
      "QIDO: host p50 / mirror p50, above 1 means the mirror is faster).")
    w("")

    # acceptance
    acc = []
    all_identical = all(q["identical"] for s in sizes for q in data[s]["questions"])
    bad = ["%s at %s" % (q["key"], "{:,}".format(s)) for s in sizes for q in data[s]["questions"] if not q["identical"]]
    acc.append(("Identical answers everywhere (and equal to the generator's ground truth)",
                all_identical and all(all(q.get("matchesManifest", {}).values()) for s in sizes
                                      for q in data[s]["questions"] if q.get("strict", True)),
                ("all %d comparisons agree (%d of them informational: the mirror equals the ground truth, the "
                 "host's answer differs where it cannot match the key or page the query)" % (
                     sum(len(data[s]["questions"]) for s in sizes),
                     sum(1 for s in sizes for q in data[s]["questions"] if not q.get("strict", True))))
                if all_identical else "differ: " + ", ".join(bad)))
    ref = 10000 if 10000 in sizes else None
    for k in ("cohort", "references", "absence"):
        ratios = [(s, q_of(s, k)["ratio"]) for s in sizes if q_of(s, k)]
        at = dict(ratios).get(ref) if ref else None
        growing = all(b[1] is not None and a[1] is not None and b[1] >= a[1] for a, b in zip(ratios, ratios[1:]))
        ok = at is not None and at >= 100 and growing
        acc.append(("Sidecar >= 100x faster for %s at 10,000 instances, ratio growing with size" % k, ok,
                    "ratios " + ", ".join("%s: %s" % ("{:,}".format(s), fmt_ratio(r)) for s, r in ratios)
                    + ("" if growing else " (not growing)") + ("" if ref else " (10,000 not measured)")))
    slower = []
    for s in sizes:
        for q in data[s]["questions"]:
            if q["kind"] == "qido" and q.get("strict", True) and q["key"] != "qido-unindexed":
                h, mi = q["routes"]["host"].get("p50"), q["routes"]["mirror"].get("p50")
                if h is None or mi is None or mi > h:
                    slower.append("%s at %s (host %s, mirror %s)" % (q["key"], "{:,}".format(s), fmt_ms(h), fmt_ms(mi)))
    acc.append(("Mirror QIDO no slower than host QIDO (p50) on keys both support", not slower,
                "mirror p50 <= host p50 for every query and size" if not slower else "slower: " + "; ".join(slower)))
    w("## Acceptance")
    w("")
    w("| criterion | result | detail |")
    w("|---|---|---|")
    for name, ok, detail in acc:
        w("| %s | **%s** | %s |" % (name, "PASS" if ok else "MISS", detail.replace("|", "\\|")))
    w("")

    # summary
    summary = ["| question | size | standard p50 | sidecar p50 | ratio | requests std / sidecar | bytes std / sidecar | answer | identical |",
               "|---|---|---|---|---|---|---|---|---|"]
    for k in keys:
        for s in sizes:
            q = q_of(s, k)
            if not q:
                continue
            a, b = names(q)
            ra, rb = q["routes"][a], q["routes"][b]
            title = (TITLES.get(k) or QIDO_TITLES.get(k, k)).replace("|", "\\|")
            summary.append("| %s | %s | %s | %s | %s | %s / %s | %s / %s | %s | %s |" % (
                title, "{:,}".format(s), fmt_ms(ra.get("p50")), fmt_ms(rb.get("p50")), fmt_ratio(q.get("ratio")),
                fmt_int(ra.get("requests")), fmt_int(rb.get("requests")), fmt_bytes(ra.get("bytes")),
                fmt_bytes(rb.get("bytes")), fmt_int(q.get("answer")), identical_cell(q)))
    w("## Summary (question x archive size)")
    w("")
    w("For plain QIDO rows, \"standard\" is the archive's own QIDO-RS and \"sidecar\" the mirror's "
      "(`/sidecar/mirror/dicomweb`).")
    w("")
    lines.extend(summary)
    w("")

    for s in sizes:
        d = data[s]
        w("## %s instances" % "{:,}".format(s))
        w("")
        ph = phases.get(s, {})
        w("%s studies, %s series, %s instances, %s references in the manifest. %s" % (
            fmt_int(d["studies"]), fmt_int(d["series"]), fmt_int(d["instances"]), fmt_int(d["references"]),
            "Generated in %s s; loaded into Orthanc and mirrored by the sidecar in %s s (load %s s)." % (
                ph.get("generate_seconds", "?"), ph.get("mirror_seconds", "?"), ph.get("load_seconds", "?"))
            if ph else ""))
        rq = q_of(s, "references")
        if rq and rq.get("target"):
            w("Reference target: CT series `%s` (referenced by %s)." % (rq["target"]["series"],
                                                                         ", ".join(rq["target"]["referencedBy"])))
        paths = ["`%s`" % q["path"] for q in d["questions"] if q.get("path")]
        if paths:
            w("Plain QIDO queries (both QIDOs): %s." % ", ".join(paths))
        w("")
        w("| question | route | rounds | cold | p50 | p95 | requests | bytes | answer | identical | ratio |")
        w("|---|---|---|---|---|---|---|---|---|---|---|")
        for q in d["questions"]:
            title = (TITLES.get(q["key"]) or QIDO_TITLES.get(q["key"], q["key"])).replace("|", "\\|")
            for i, n in enumerate(names(q)):
                r = q["routes"][n]
                w("| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    title if i == 0 else "", n, r["rounds"], fmt_ms(r.get("cold")), fmt_ms(r.get("p50")),
                    fmt_ms(r.get("p95")), fmt_int(r.get("requests")), fmt_bytes(r.get("bytes")),
                    fmt_int(r.get("answerSize")), identical_cell(q) if i == 0 else "",
                    fmt_ratio(q.get("ratio")) if i == 0 else ""))
        w("")
        notes = []
        for q in d["questions"]:
            if not q["identical"]:
                notes.append("- **%s differs**: `%s`" % (q["key"], json.dumps(q.get("detail"), default=str)[:1500]))
            mm = q.get("matchesManifest") or {}
            if mm and not all(mm.values()) and q.get("strict", True):
                notes.append("- %s: against the generator's ground truth %s%s" % (
                    q["key"], ", ".join("%s %s" % (n, "agrees" if ok else "DIFFERS") for n, ok in mm.items()),
                    (": `%s`" % json.dumps(q.get("manifestDetail"), default=str)[:800]) if q.get("manifestDetail") else ""))
            if q.get("strict") is False:
                notes.append("- %s (informational, `%s`): the mirror answered %s results (%s the ground truth), the "
                             "host %s" % (q["key"], q.get("path"), q["routes"]["mirror"].get("answerSize"),
                                          "equal to" if mm.get("mirror") else "NOT equal to",
                                          q["routes"]["host"].get("answerSize")))
            if q.get("samePage") is False:
                notes.append("- %s: the two pages of 100 hold different studies (no order is defined by PS3.18); "
                             "both are valid pages" % q["key"])
            for n, r in q["routes"].items():
                if r.get("unstable"):
                    notes.append("- %s, %s route: %d rounds answered differently from the first" % (q["key"], n, r["unstable"]))
                if r.get("error"):
                    notes.append("- %s, %s route failed: `%s`" % (q["key"], n, r["error"][:400]))
        found = log_findings(args.root, s)
        if found:
            notes.append("- WildFly log (`%s/logs/wildfly.log`): %d ERROR lines, %d distinct:" % (
                s, sum(found.values()), len(found)))
            for msg, c in found.most_common(8):
                notes.append("  - %dx `%s`" % (c, msg.replace("`", "'")))
        elif found is not None:
            notes.append("- WildFly log: no ERROR lines")
        ms = d.get("mirrorStatus") or {}
        notes.append("- Mirror status after the run: %s instances, %s series, %s studies, queue %s, events failed %s, "
                     "lag p50/p95 %s/%s ms" % (ms.get("instances"), ms.get("series"), ms.get("studies"),
                                                ms.get("queueDepth"), ms.get("eventsFailed"), ms.get("lagMillisP50"),
                                                ms.get("lagMillisP95")))
        lines.extend(notes)
        w("")

    w("## Charts")
    w("")
    w("Median latency (markers; bars up to p95) against archive size, both axes logarithmic.")
    w("")
    w("![all questions](latency-vs-size.png)")
    w("")
    for k in keys:
        w("- [%s](latency-%s.png)" % (TITLES.get(k) or QIDO_TITLES.get(k, k), k))
    w("")
    w("## How the routes answer")
    w("")
    w("```")
    w("Questions (" + __doc__.split("Questions (", 1)[1].rstrip())
    w("```")

    with open(os.path.join(args.root, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")

    # charts
    def chart(ax, k):
        q0 = next(q_of(s, k) for s in sizes if q_of(s, k))
        a, b = names(q0)
        for n, color, marker in ((a, "tab:red", "o"), (b, "tab:blue", "s")):
            xs, ys, lo, hi = [], [], [], []
            for s in sizes:
                q = q_of(s, k)
                if q and q["routes"][n].get("p50"):
                    r = q["routes"][n]
                    xs.append(s)
                    ys.append(r["p50"])
                    lo.append(0)
                    hi.append(max(0, r["p95"] - r["p50"]))
            label = {"standard": "standard DICOMweb (QIDO + WADO-RS metadata)", "sidecar": "sidecar API",
                     "host": "host QIDO (Orthanc)", "mirror": "mirror QIDO (sidecar)"}[n]
            if xs:
                ax.errorbar(xs, ys, yerr=[lo, hi], color=color, marker=marker, capsize=3, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes)
        ax.set_xticklabels(["{:,}".format(s) for s in sizes])
        ax.minorticks_off()
        # labels at 1, 2, 5 x 10^n, so that a range within one decade still has some
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "%g" % v))
        ax.set_xlabel("archive size (instances)")
        ax.set_ylabel("latency p50 (ms), bar to p95")
        title = TITLES.get(k) or QIDO_TITLES.get(k, k)
        ax.set_title("\n".join(textwrap.wrap(title, 52)), fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)

    if sizes:
        cols = 3
        rows = math.ceil(len(keys) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.8 * rows), squeeze=False)
        for i, k in enumerate(keys):
            chart(axes[i // cols][i % cols], k)
        for j in range(len(keys), rows * cols):
            axes[j // cols][j % cols].axis("off")
        fig.suptitle("Latency against archive size: standard DICOMweb vs the sidecar (log scales)")
        fig.tight_layout()
        fig.savefig(os.path.join(args.root, "latency-vs-size.png"), dpi=90)
        plt.close(fig)
        for k in keys:
            fig, ax = plt.subplots(figsize=(6.4, 4.4))
            chart(ax, k)
            fig.tight_layout()
            fig.savefig(os.path.join(args.root, "latency-%s.png" % k), dpi=90)
            plt.close(fig)

    # stdout
    print("=" * 110)
    print("Comparison benchmark: %s" % args.command)
    print("Machine: %s CPUs, %s GiB RAM; run time %s s; report %s" % (m.get("nproc"), m.get("ramGiB"), args.elapsed,
                                                                      os.path.join(args.root, "report.md")))
    print()
    print("\n".join(summary))
    print()
    for name, ok, detail in acc:
        print("%-4s %s: %s" % ("PASS" if ok else "MISS", name, detail))
    print("=" * 110)
    return 0 if all_identical else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("measure")
    a.add_argument("--size", type=int, required=True)
    a.add_argument("--dataset", required=True)
    a.add_argument("--host", required=True, help="the archive's DICOMweb base URL")
    a.add_argument("--sidecar", required=True, help="the sidecar's root URL (…/sidecar)")
    a.add_argument("--out", required=True)
    a.add_argument("--standard-rounds", type=int, default=5)
    a.add_argument("--sidecar-rounds", type=int, default=20)
    a.add_argument("--qido-rounds", type=int, default=20)
    a.add_argument("--standard-budget", type=float, default=150.0,
                   help="seconds per question after which the standard route stops repeating")
    a.add_argument("--min-standard-rounds", type=int, default=3)
    a.add_argument("--warmup-seconds", type=float, default=30.0,
                   help="seconds of sidecar and mirror calls before measuring (JIT warm-up)")
    a.add_argument("--threads", type=int, default=4)
    a.add_argument("--page", type=int, default=200, help="QIDO page size (limit) of the standard route")
    r = sub.add_parser("report")
    r.add_argument("--root", required=True)
    r.add_argument("--sizes", required=True)
    r.add_argument("--command", default="scripts/benchmark-comparison.sh")
    r.add_argument("--elapsed", default="")
    r.add_argument("--date", default=datetime.datetime.now().astimezone().isoformat(timespec="seconds"))
    r.add_argument("--load-start", default="")
    r.add_argument("--load-end", default="")
    args = p.parse_args()
    sys.exit(measure(args) if args.cmd == "measure" else report(args))


if __name__ == "__main__":
    main()
