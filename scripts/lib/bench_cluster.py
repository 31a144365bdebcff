#!/usr/bin/python3
"""The cluster benchmark's measuring side, driven by scripts/benchmark-cluster.sh (which writes the data and starts
and stops pouchdb-server and the two WildFly nodes). Standard library only. Sub-commands:

  free-ports  prints one free loopback port per SPEC (a comma-separated list of offsets, e.g. "0,363": the port and
              the port + 363 must both be free, as WildFly's HTTP and HTTPS ports are), chosen at random below the
              kernel's ephemeral range, all distinct.
  settle      waits until the processes named by --pid are quiet (together under --quiet cores over --window s).
  run         one setup: --base once per node the clients send to (two bases: client-side round-robin). Checks that
              every node answers every question the same, warms up for --warmup seconds (the questions in turn),
              then, question by question, --clients threads each send one question after the other for --seconds
              over kept-alive connections (http.client, one per client and node); a client alternates between the
              bases request by request (client i starts at base i mod n), so that the nodes get the same share at
              every moment. Per question: requests, requests/s, p50/p99 latency (nearest rank; request to the
              answer's last byte, as the client sees it), errors, and the CPU seconds of each process named by --pid
              (utime + stime of /proc/PID/stat) and of this client (os.times) from before the first request to
              after the last answer, with the machine's busy CPU (/proc/stat) over the same time.
  report      the markdown table of the setups, and what a second machine would give, worked out from the measured
              CPU per request: stdout and --out.

The questions are the scale benchmark's (scripts/lib/bench_scale.py), with its probes (the dataset's summary).
"""
import argparse
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_scale  # noqa: E402 (the questions, their titles, percentiles, number formats and report writing)
from bench_scale import fmt, pct  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
ROUND_ROBIN = ("client-side alternation: each client sends its requests to the nodes in turn over a kept-alive "
               "connection to each; no load balancer, since a proxy process on the same cores would take CPU and "
               "blur the CPU figures")


def log(*a):
    print("[cluster]", *a, file=sys.stderr, flush=True)


# --- free ports ---------------------------------------------------------------------------------------------------

def bindable(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_ports(args):
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768
    rng = random.SystemRandom()
    taken, chosen = set(), []
    for spec in args.specs:
        offsets = [int(o) for o in spec.split(",")]
        for _ in range(2000):
            base = rng.randrange(10000, ephemeral - max(offsets))
            ports = [base + o for o in offsets]
            if not taken.intersection(ports) and all(bindable(p) for p in ports):
                taken.update(ports)
                chosen.append(base)
                break
        else:
            sys.exit("no free ports for offsets %s" % spec)
    print(" ".join(str(p) for p in chosen))


# --- CPU ----------------------------------------------------------------------------------------------------------

def process_cpu(pid):
    """CPU seconds (user + system) a process has used, or None once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime: fields 14 and 15 of the whole line


def machine_busy():
    """CPU seconds all cores of the machine have been busy (not idle, not waiting for I/O)."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLK_TCK


def client_cpu():
    t = os.times()
    return t.user + t.system


def cpu_sample(pids):
    return {"processes": {name: process_cpu(pid) for name, pid in pids.items()}, "client": client_cpu(),
            "machine": machine_busy()}


def cpu_used(before, after):
    used = {name: (after["processes"][name] - v if v is not None and after["processes"][name] is not None else None)
            for name, v in before["processes"].items()}
    return used, after["client"] - before["client"], after["machine"] - before["machine"]


# --- load -----------------------------------------------------------------------------------------------------------

class Node:
    """One client's kept-alive connection to one node."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.prefix = u.hostname, u.port or 80, u.path.rstrip("/")
        self.conn = None

    def send(self, method, path, body, headers):
        """The answer's HTTP status; the whole answer is read, not parsed."""
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            self.conn.request(method, self.prefix + path, body=body, headers=headers)
            resp = self.conn.getresponse()
            resp.read()
            if resp.will_close:
                self.close()
            return resp.status
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None


class Client:
    def __init__(self, number, bases):
        self.number, self.nodes, self.sent = number, [Node(b) for b in bases], 0

    def close(self):
        for n in self.nodes:
            n.close()


def requests_of(qs, keys):
    """Per question: (method, path, body bytes or None, headers), built once."""
    out = {}
    for k in keys:
        method, path, body, _ = qs[k]
        headers = {"Accept": bench_scale.DICOM_JSON if path.startswith("/mirror/") else "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body).encode()
        out[k] = (method, path, body, headers)
    return out


def phase(clients, requests, keys, seconds, pids):
    """Every client sends the questions KEYS in turn for SECONDS; the figures of this phase."""
    n_nodes = len(clients[0].nodes)
    results = [{"times": [], "errors": 0, "error": None, "perNode": [0] * n_nodes} for _ in clients]
    gate = threading.Barrier(len(clients) + 1)
    until = [0.0]

    def work(c, r):
        gate.wait()
        while time.monotonic() < until[0]:
            k = keys[c.sent % len(keys)] if len(keys) > 1 else keys[0]
            i = (c.number + c.sent) % n_nodes
            c.sent += 1
            method, path, body, headers = requests[k]
            t = time.perf_counter()
            try:
                status = c.nodes[i].send(method, path, body, headers)
            except (OSError, http.client.HTTPException) as e:
                status, detail = None, "%s: %s" % (type(e).__name__, e)
            else:
                detail = "HTTP %s" % status
            elapsed = time.perf_counter() - t
            r["perNode"][i] += 1
            if status == 200:
                r["times"].append(elapsed * 1000.0)
            else:
                r["errors"] += 1
                r["error"] = r["error"] or "%s %s: %s" % (method, path, detail)

    threads = [threading.Thread(target=work, args=(c, r), daemon=True) for c, r in zip(clients, results)]
    for t in threads:
        t.start()
    before = cpu_sample(pids)
    t0 = time.monotonic()
    until[0] = t0 + seconds
    gate.wait()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    processes, client, machine = cpu_used(before, cpu_sample(pids))
    times = [x for r in results for x in r["times"]]
    errors = sum(r["errors"] for r in results)
    requests_done = len(times) + errors
    return {"seconds": elapsed, "requests": requests_done, "ok": len(times), "errors": errors,
            "error": next((r["error"] for r in results if r["error"]), None),
            "perSecond": len(times) / elapsed if elapsed else None,
            "p50": pct(times, 50), "p99": pct(times, 99), "mean": sum(times) / len(times) if times else None,
            "perNode": [sum(r["perNode"][i] for r in results) for i in range(n_nodes)],
            "cpu": processes, "clientCpu": client, "machineBusy": machine}


def answers(bases, qs, keys):
    """Each node's answer size for each question, asked once ({question: {base: size}}; a node without a 200 stops
    the run), and what each node's status says of the cluster and its index ({base: {...}})."""
    sizes, nodes = {k: {} for k in keys}, {}
    for base in bases:
        client = bench_scale.Client(base, timeout=300)
        for k in keys:
            method, path, body, size = qs[k]
            accept = bench_scale.DICOM_JSON if path.startswith("/mirror/") else "application/json"
            code, answer = client.call(method, path, body, accept)
            if code not in (200, 204):
                sys.exit("%s %s%s: HTTP %s %s" % (method, base, path, code, json.dumps(answer)[:300]))
            sizes[k][base] = 0 if code == 204 else size(answer)
        _, s = bench_scale.status(client)
        cluster = s.get("cluster") or {}
        nodes[base] = {"node": cluster.get("node"), "duties": cluster.get("duties"),
                       "nodesSeen": [n.get("name") for n in cluster.get("nodesSeen") or [] if isinstance(n, dict)],
                       "indexDocuments": (s.get("index") or {}).get("documents")}
        if client.conn is not None:
            client.conn.close()
    return sizes, nodes


def named_pids(specs):
    """{name: PID} of NAME=PID arguments."""
    return {name: int(pid) for name, _, pid in (p.partition("=") for p in specs)}


def settle(args):
    """Waits until the processes together use less than --quiet of a core over --window seconds (a node that has just
    built its index still merges and compiles for a while), for --max seconds at the most."""
    pids = named_pids(args.pid)
    deadline = time.monotonic() + args.max
    while True:
        before = cpu_sample(pids)
        time.sleep(args.window)
        used, _, _ = cpu_used(before, cpu_sample(pids))
        cores = {n: (v or 0.0) / args.window for n, v in used.items()}
        detail = ", ".join("%s %.2f" % (n, v) for n, v in cores.items())
        if sum(cores.values()) < args.quiet:
            log("settled: cores used %s" % detail)
            return
        if time.monotonic() > deadline:
            log("still busy after %g s (cores used %s); measuring anyway" % (args.max, detail))
            return


def run(args):
    with open(args.probes) as f:
        probes = json.load(f)["probes"]
    keys = args.questions.split()
    qs = bench_scale.questions(probes)
    unknown = [k for k in keys if k not in qs]
    if unknown:
        sys.exit("unknown question(s) %s; known: %s" % (" ".join(unknown), " ".join(bench_scale.QUESTIONS)))
    pids = named_pids(args.pid)
    requests = requests_of(qs, keys)
    sizes, nodes = answers(args.base, qs, keys)
    for base, n in nodes.items():
        log("%s: node %s, duties %s, sees %s; index %s documents" % (
            base, n["node"], n["duties"], ", ".join(n["nodesSeen"] or []) or "none", n["indexDocuments"]))
    for k in keys:
        log("%-14s answer size %s" % (k, " / ".join(str(v) for v in sizes[k].values())) +
            ("" if len(set(sizes[k].values())) == 1 else "  (THE NODES DIFFER)"))
    clients = [Client(i, args.base) for i in range(args.clients)]
    out = {"label": args.label, "bases": args.base, "serving": args.serving.split(","), "clients": args.clients,
           "roundRobin": ROUND_ROBIN if len(args.base) > 1 else None, "answers": sizes, "nodes": nodes,
           "cores": os.cpu_count(), "questions": {}}
    if args.warmup > 0:
        log("%s: warm-up, %d clients for %g s (%s in turn)" % (args.label, args.clients, args.warmup, " ".join(keys)))
        w = phase(clients, requests, keys, args.warmup, pids)
        out["warmup"] = {"requests": w["requests"], "errors": w["errors"], "perSecond": w["perSecond"]}
    for k in keys:
        log("%s: %s, %d clients for %g s" % (args.label, k, args.clients, args.seconds))
        r = phase(clients, requests, [k], args.seconds, pids)
        r["title"], r["answerSizes"] = bench_scale.TITLES[k], list(sizes[k].values())
        out["questions"][k] = r
        log("%-14s %s req/s, p50 %s ms, p99 %s ms, %d errors%s; CPU s: %s, client %.1f, machine %.1f of %.1f" % (
            k, fmt(r["perSecond"], 1), fmt(r["p50"], 1), fmt(r["p99"], 1), r["errors"],
            " (" + r["error"] + ")" if r["error"] else "",
            ", ".join("%s %s" % (n, fmt(v, 1)) for n, v in r["cpu"].items()), r["clientCpu"], r["machineBusy"],
            r["seconds"] * out["cores"]))
    for c in clients:
        c.close()
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)


# --- report -----------------------------------------------------------------------------------------------------------

def per_request_ms(seconds, r):
    return seconds * 1000.0 / r["ok"] if seconds is not None and r["ok"] else None


def cpu_figures(setup, r):
    """One question of one setup: CPU ms per answered request of each process ("process": {name: ms}), of the serving
    nodes together, the client and all of these; the CPU seconds of the machine's other work; how busy it was."""
    cpu = r["cpu"]
    serving = sum(v for n, v in cpu.items() if n in setup["serving"] and v is not None)
    ours = sum(v for v in cpu.values() if v is not None) + r["clientCpu"]
    return {"process": {n: per_request_ms(v, r) for n, v in cpu.items()}, "serving": per_request_ms(serving, r),
            "couch": per_request_ms(cpu.get("pouchdb"), r), "client": per_request_ms(r["clientCpu"], r),
            "ours": per_request_ms(ours, r), "others": max(0.0, r["machineBusy"] - ours),
            "busy": r["machineBusy"] / (r["seconds"] * setup["cores"])}


def report(args):
    setups = [bench_scale.load(p) for p in args.results]
    if any(s is None for s in setups):
        sys.exit("a setup's results are missing: %s" % " ".join(args.results))
    dataset = bench_scale.load(args.dataset) or {}
    keys = list(setups[0]["questions"])
    cores = setups[0]["cores"]
    lines = []
    w = lines.append
    w("# Cluster benchmark: one node against two behind round-robin")
    w("")
    w("Command: `%s`; %s; run time %s s; %d cores; load average %s at the start, %s at the end." % (
        args.command, args.date, args.elapsed, cores, args.load_start, args.load_end))
    w("Data: %s instances, %s series, %s studies (seed %s), written straight into CouchDB (pouchdb-server); one "
      "pouchdb-server and two WildFly nodes (node-a, node-b) on this machine's %d cores, each node with its own index; "
      "node-b runs in both setups, idle in the one-node setup." % (
          fmt(dataset.get("instances")), fmt(dataset.get("series")), fmt(dataset.get("studies")),
          dataset.get("seed", "?"), cores))
    w("Round-robin: %s." % ROUND_ROBIN)
    w("%d clients (Python threads), %s s per question after %s s of warm-up per setup." % (
        setups[0]["clients"], fmt(next(iter(setups[0]["questions"].values()))["seconds"], 1), args.warmup))
    w("")
    w("| setup | question | req/s | p50 ms | p99 ms | errors | CPU ms/req: node-a | node-b | pouchdb-server | "
      "client | all of these | machine busy | others' CPU s |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in setups:
        for k in keys:
            r = s["questions"][k]
            c = cpu_figures(s, r)
            nodes = ["%s%s" % (fmt(c["process"].get(n), 3), "" if n in s["serving"] else " (idle)")
                     for n in ("wildfly-a", "wildfly-b")]
            w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s %% | %s |" % (
                s["label"], k, fmt(r["perSecond"], 1), fmt(r["p50"], 1), fmt(r["p99"], 1), fmt(r["errors"]),
                nodes[0], nodes[1], fmt(c["couch"], 3), fmt(c["client"], 3), fmt(c["ours"], 3), fmt(100 * c["busy"]),
                fmt(c["others"], 1)))
    w("")
    w("Questions: " + "; ".join("**%s** %s" % (k, bench_scale.TITLES[k]) for k in keys) + ". Answer sizes per node: " +
      "; ".join("%s %s" % (k, " / ".join(fmt(v) for v in setups[-1]["answers"][k].values())) for k in keys) + ".")
    w("CPU per request: the CPU seconds (utime + stime) each process used from before the first request to after the "
      "last answer, over the answered requests (node-b idle: what it costs standing by, over node-a's requests); all "
      "of these: both nodes, pouchdb-server and the client; machine busy: all cores, every process; others' CPU: "
      "machine busy less these processes (other work on the machine during the measurement).")
    w("")
    w("## What a second machine would give")
    w("")
    one = next((s for s in setups if len(s["serving"]) == 1), None)
    two = next((s for s in setups if len(s["serving"]) == 2), None)
    if one is None or two is None:
        w("Needs both setups.")
    for k in keys if one and two else []:
        r1, r2 = one["questions"][k], two["questions"][k]
        f1, f2 = cpu_figures(one, r1), cpu_figures(two, r2)
        c1, c2, couch, busy1, busy2 = f1["serving"], f2["serving"], f2["couch"], f1["busy"], f2["busy"]
        w("**%s**: measured here %s req/s on one node and %s req/s on two (x%s), the machine %s %% and %s %% busy." % (
            k, fmt(r1["perSecond"], 1), fmt(r2["perSecond"], 1),
            fmt(r2["perSecond"] / r1["perSecond"], 2) if r1["perSecond"] and r2["perSecond"] else "n/a",
            fmt(100 * busy1), fmt(100 * busy2)))
        if not c1 or not c2:
            w("")
            w("No CPU figures for this question (no answered requests).")
            w("")
            continue
        ratio = c2 / c1
        w("")
        w("- On one machine the two setups share the same %d cores, so a second node cannot add capacity here; what "
          "it tells is the CPU a request costs: WildFly %s ms per request on one node, %s ms on two (both nodes' "
          "CPU over all their requests), x%s." % (cores, fmt(c1, 3), fmt(c2, 3), fmt(ratio, 2)))
        if ratio > 1.15:
            w("- A request costs %s %% more WildFly CPU with two nodes on one machine. Nothing per request is shared "
              "between the nodes but CouchDB, so the extra is most likely the two JVMs competing for the same cores "
              "and caches, each with its own JIT, GC and background threads (and node-b's JIT still compiling after a "
              "short warm-up), which a machine per node removes; if it were inherent, the two-node figure would hold "
              "on two machines too. Both ends are worked out below." % fmt(100 * (ratio - 1)))
        elif ratio < 0.85:
            w("- A request costs less with two nodes than with one, which a second node cannot cause (each request is "
              "the same work on either node): the one-node run paid for something else (the JIT still compiling, "
              "garbage collection, other work on the machine). The one-node figure is used below for both, so that "
              "the projection never credits a second node with more than its own cores.")
        else:
            w("- A request costs about the same whichever node answers it and however many nodes there are: each node "
              "answers from its own index, and nothing per request is shared between the nodes but CouchDB. The "
              "work divides, so throughput grows with the nodes once each has cores of its own.")
        if couch:
            couch_cap = 1000.0 / couch
            w("- The shared CouchDB: pouchdb-server spent %s ms per request in the two-node run (its heartbeat and "
              "lease traffic included; one Node.js thread, so at most one core): it caps all nodes together at "
              "1000 / %s = %s req/s." % (fmt(couch, 3), fmt(couch, 3), fmt(couch_cap)))
        else:
            couch_cap = float("inf")
            w("- The shared CouchDB: pouchdb-server spent no measurable CPU on these requests; it caps nothing.")
        node_alone = cores * 1000.0 / c1
        # a request's WildFly CPU on two machines: as on one node (c1), or as measured with two nodes (c2) when dearer
        best = min(2 * cores * 1000.0 / c1, couch_cap)
        worst = min(2 * cores * 1000.0 / max(c1, c2), couch_cap)
        w("- A node on a machine of its own (%d cores; clients and CouchDB elsewhere) can answer at most %d x 1000 / "
          "%s = %s req/s; two such machines at most 2 x %d x 1000 / %s = %s req/s%s." % (
              cores, cores, fmt(c1, 3), fmt(node_alone), cores, fmt(max(c1, c2), 3), fmt(worst),
              "" if worst == best else " at the two-node figure, %s at the one-node figure" % fmt(best)))
        limit = ", CouchDB being the limit" if couch_cap < 2 * cores * 1000.0 / max(c1, c2) else ""
        if worst == best:
            w("- So a second machine would give about %s req/s where a node on one machine of its own gives %s: "
              "x%s%s." % (fmt(best), fmt(node_alone), fmt(best / node_alone, 2), limit))
        else:
            w("- So a second machine would give %s to %s req/s where a node on one machine of its own gives %s: x%s to "
              "x%s%s; the higher end when the extra cost came from sharing this machine." % (
                  fmt(worst), fmt(best), fmt(node_alone), fmt(worst / node_alone, 2), fmt(best / node_alone, 2), limit))
        others = max(f1["others"] / (r1["seconds"] * cores), f2["others"] / (r2["seconds"] * cores))
        if others > 0.1:
            w("- Caution: other work on the machine took up to %s %% of its CPU during these measurements: the rates "
              "above are lower than this machine's, and the CPU per request, though each process's own, is inflated "
              "by the competition for cores and caches. Run it on a quiet machine." % fmt(100 * others))
        if busy1 < 0.85:
            w("- Caution: the one-node run left the machine %s %% idle, so it was not bound by CPU alone (the "
              "clients, a pool or a lock held it back); the projection is what the CPU allows, an upper bound." %
              fmt(100 * (1 - busy1)))
        w("")
    w("How each figure is measured: see the header of scripts/benchmark-cluster.sh.")
    bench_scale.write_report(lines, args.out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("free-ports")
    a.add_argument("specs", nargs="+")
    a = sub.add_parser("settle")
    a.add_argument("--pid", action="append", required=True, help="NAME=PID of a process to wait for")
    a.add_argument("--quiet", type=float, default=0.1, help="cores all of them together may use when settled")
    a.add_argument("--window", type=float, default=5)
    a.add_argument("--max", type=float, default=180)
    a = sub.add_parser("run")
    a.add_argument("--label", required=True)
    a.add_argument("--base", action="append", required=True, help="a node's sidecar URL; once per node")
    a.add_argument("--serving", required=True, help="the --pid names of the nodes that answer, comma-separated")
    a.add_argument("--pid", action="append", default=[], help="NAME=PID of a process whose CPU is measured")
    a.add_argument("--probes", required=True)
    a.add_argument("--questions", default="cohort qido-patient")
    a.add_argument("--clients", type=int, default=32)
    a.add_argument("--seconds", type=float, default=60)
    a.add_argument("--warmup", type=float, default=30)
    a.add_argument("--out", required=True)
    a = sub.add_parser("report")
    a.add_argument("--results", nargs="+", required=True)
    a.add_argument("--dataset", required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--warmup", default="")
    bench_scale.run_arguments(a, "scripts/benchmark-cluster.sh")
    args = p.parse_args()
    {"free-ports": free_ports, "settle": settle, "run": run, "report": report}[args.cmd](args)


if __name__ == "__main__":
    main()
