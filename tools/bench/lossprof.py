#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Per-second loss profile for tools/bench/soak.sh.

  lossprof.py sample --out FILE --ns-tx NS --if-tx IF --ns-rx NS --if-rx IF
                     --rx-pid PID [--gen-pid-file F] --seconds N
      Every second, one JSON line: the veth counters of both ends (ip -j -s
      link), the receiver's RSS, every receiver and generator thread's CPU
      (field 39 of /proc/PID/task/TID/stat), CPU time and voluntary context
      switches (the NAPI thread's sleeps show up there), and NET_RX softirqs
      per CPU. Stops after N seconds or when the receiver is gone.

  lossprof.py report --dir DIR [--json]
      Merges samples.jsonl, rx.log (xskb-rx's timestamped live lines),
      rx.json and gen.json of one soak into a per-second table (profile.tsv)
      and a summary (summary.json), and checks the frame accounting.

  lossprof.py table DIR...
      A markdown table, one row per soak folder.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time


def link_stats(ns, ifname):
    try:
        out = subprocess.run(["ip", "-n", ns, "-j", "-s", "link", "show", "dev", ifname],
                             capture_output=True, text=True, timeout=5).stdout
        d = json.loads(out)[0]["stats64"]
        return {"rx_packets": d["rx"]["packets"], "rx_dropped": d["rx"]["dropped"],
                "tx_packets": d["tx"]["packets"]}
    except Exception:  # noqa: BLE001 - a sample may miss; the report copes
        return None


def threads(pid):
    res = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                st = f.read()
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                status = f.read()
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        fields = st[st.rindex(")") + 2:].split()
        # fields[0] is field 3 (state): field N is fields[N - 3]
        vol = re.search(r"voluntary_ctxt_switches:\s+(\d+)", status)
        res[tid] = {"comm": comm, "psr": int(fields[39 - 3]),
                    "cpu_ticks": int(fields[14 - 3]) + int(fields[15 - 3]),
                    "vcsw": int(vol.group(1)) if vol else 0}
    return res


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            m = re.search(r"VmRSS:\s+(\d+)", f.read())
        return int(m.group(1)) if m else None
    except OSError:
        return None


def net_rx():
    with open("/proc/softirqs") as f:
        for line in f:
            if line.strip().startswith("NET_RX:"):
                return [int(x) for x in line.split()[1:]]
    return []


def cpu_pressure_us():
    """PSI 'some' total: microseconds in which a runnable task waited for a CPU."""
    try:
        with open("/proc/pressure/cpu") as f:
            for line in f:
                if line.startswith("some"):
                    return int(line.split("total=")[1])
    except (OSError, IndexError, ValueError):
        pass
    return None


def cpu_busy():
    """Per CPU: (busy, total) jiffies from /proc/stat."""
    res = []
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                v = [int(x) for x in line.split()[1:]]
                idle = v[3] + (v[4] if len(v) > 4 else 0)
                res.append((sum(v) - idle, sum(v)))
    return res


def sample(a):
    deadline = time.monotonic() + a.seconds
    nxt = time.monotonic()
    with open(a.out, "w") as out:
        while time.monotonic() < deadline and os.path.exists(f"/proc/{a.rx_pid}"):
            gen_pid = None
            if a.gen_pid_file and os.path.exists(a.gen_pid_file):
                try:
                    gen_pid = int(open(a.gen_pid_file).read().strip() or 0) or None
                except ValueError:
                    gen_pid = None
            s = {"t": time.time(), "tx": link_stats(a.ns_tx, a.if_tx),
                 "rx": link_stats(a.ns_rx, a.if_rx), "rss_kb": rss_kb(a.rx_pid),
                 "rx_threads": threads(a.rx_pid),
                 "gen_threads": threads(gen_pid) if gen_pid else None, "net_rx": net_rx(),
                 "psi_us": cpu_pressure_us(), "cpu": cpu_busy()}
            out.write(json.dumps(s) + "\n")
            out.flush()
            nxt += 1.0
            time.sleep(max(0.0, nxt - time.monotonic()))


LIVE = re.compile(r"^(\d+\.\d+) xskb-rx: .*\| rx (\d+) \|.*\| drops (\d+) \| kernel dropped (\d+)"
                  r" ring_full (\d+) fill_empty (\d+)")


def load_jsonl(path):
    res = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                try:
                    res.append(json.loads(line))
                except ValueError:
                    pass
    return res


def load_json(path):
    try:
        with open(path) as f:
            txt = f.read().strip().splitlines()
        return json.loads(txt[-1]) if txt else None
    except (OSError, ValueError):
        return None


def live_at(live, t):
    """The last live line printed at or before @t (cumulative counters)."""
    best = None
    for row in live:
        if row[0] <= t:
            best = row
    return best


def report(a):
    d = a.dir
    samples = [s for s in load_jsonl(os.path.join(d, "samples.jsonl")) if s.get("rx") and s.get("tx")]
    live = []
    if os.path.exists(os.path.join(d, "rx.log")):
        with open(os.path.join(d, "rx.log")) as f:
            for line in f:
                m = LIVE.match(line)
                if m:
                    live.append([float(m.group(1))] + [int(x) for x in m.groups()[1:]])
    rxj = load_json(os.path.join(d, "rx.json")) or {}
    genj = load_json(os.path.join(d, "gen.json")) or {}
    rows = []
    hdr = ["sec", "sent", "arrived", "veth_dropped", "loss_pct", "rx", "fill_empty", "ring_full",
           "xskb_drops", "rss_kb", "napi_cpu", "napi_busy_pct", "napi_vcsw", "gen_cpu", "net_rx_per_cpu",
           "cpu_pressure_pct", "cpu_busy_pct"]
    t0 = samples[0]["t"] if samples else 0
    napi_tid = None
    for prev, cur in zip(samples, samples[1:]):
        sent = cur["tx"]["tx_packets"] - prev["tx"]["tx_packets"]
        arrived = cur["rx"]["rx_packets"] - prev["rx"]["rx_packets"]
        dropped = cur["rx"]["rx_dropped"] - prev["rx"]["rx_dropped"]
        dt = cur["t"] - prev["t"]
        # The receiver's busiest thread is its poll loop (NAPI thread / bare loop).
        napi_cpu = busy = vcsw = ""
        rt, pt = cur.get("rx_threads") or {}, prev.get("rx_threads") or {}
        if rt:
            if napi_tid is None or napi_tid not in rt:
                cand = [(rt[t]["cpu_ticks"] - pt.get(t, rt[t])["cpu_ticks"], t) for t in rt]
                napi_tid = max(cand)[1] if cand else None
            if napi_tid in rt:
                th = rt[napi_tid]
                napi_cpu = th["psr"]
                if napi_tid in pt:
                    hz = os.sysconf("SC_CLK_TCK")
                    busy = round(100.0 * (th["cpu_ticks"] - pt[napi_tid]["cpu_ticks"]) / hz / dt)
                    vcsw = th["vcsw"] - pt[napi_tid]["vcsw"]
        gen_cpu = ""
        gt = cur.get("gen_threads") or {}
        if gt:
            gen_cpu = "/".join(str(v["psr"]) for v in gt.values())
        nrx = "/".join(str(c - p) for c, p in zip(cur.get("net_rx", []), prev.get("net_rx", [])))
        lc, lp = live_at(live, cur["t"]), live_at(live, prev["t"])
        rx = fe = rf = xd = ""
        if lc and lp:
            rx, xd, fe, rf = lc[1] - lp[1], lc[2] - lp[2], lc[5] - lp[5], lc[4] - lp[4]
        loss = round(100.0 * dropped / arrived, 3) if arrived else 0.0
        # Machine load: the share of the second in which some task waited for
        # a CPU (PSI), and every CPU's busy share.
        psi = ""
        if cur.get("psi_us") is not None and prev.get("psi_us") is not None:
            psi = round((cur["psi_us"] - prev["psi_us"]) / 1e4 / dt)
        busy_cpus = "/".join(str(round(100.0 * (c[0] - p[0]) / max(1, c[1] - p[1])))
                             for c, p in zip(cur.get("cpu") or [], prev.get("cpu") or []))
        rows.append([round(cur["t"] - t0), sent, arrived, dropped, loss, rx, fe, rf, xd,
                     cur.get("rss_kb") or "", napi_cpu, busy, vcsw, gen_cpu, nrx, psi, busy_cpus])
    with open(os.path.join(d, "profile.tsv"), "w") as f:
        f.write("\t".join(hdr) + "\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\n")

    sent = genj.get("sent")
    drops = rxj.get("drops")
    if drops is None:  # xskb-bare: the kernel's counters at the top level
        drops = {k: rxj[k] for k in ("kernel_rx_dropped", "kernel_rx_ring_full") if k in rxj}
    if rxj.get("fill_ring_empty") is None and "kernel_rx_fill_ring_empty" in rxj:
        rxj["fill_ring_empty"] = rxj["kernel_rx_fill_ring_empty"]
    xskb_drops = sum(v for k, v in drops.items() if not k.startswith("kernel_"))
    received = rxj.get("rx_packets")
    first, last = (samples[0], samples[-1]) if samples else (None, None)
    veth = {}
    if first:
        veth = {"tx_sent": last["tx"]["tx_packets"] - first["tx"]["tx_packets"],
                "rx_arrived": last["rx"]["rx_packets"] - first["rx"]["rx_packets"],
                "rx_dropped": last["rx"]["rx_dropped"] - first["rx"]["rx_dropped"]}
    loss_secs = [r for r in rows if r[3] > 0]
    rss = [r[9] for r in rows if r[9] != ""]
    summ = {
        "dir": d, "sent": sent, "received": received,
        "lost": (sent - received) if sent is not None and received is not None else None,
        "loss_pct": round(100.0 * (sent - received) / sent, 4) if sent and received is not None else None,
        "kernel_rx_dropped": drops.get("kernel_rx_dropped"),
        "kernel_rx_ring_full": drops.get("kernel_rx_ring_full"),
        "fill_ring_empty": rxj.get("fill_ring_empty"), "xskb_drops": xskb_drops,
        "napi": rxj.get("napi"), "veth": veth,
        "seconds_with_loss": len(loss_secs), "seconds": len(rows),
        "worst_second_lost": max((r[3] for r in rows), default=0),
        "rss_kb_first": rss[0] if rss else None, "rss_kb_max": max(rss) if rss else None,
        "rss_kb_last": rss[-1] if rss else None,
        "napi_cpus": sorted({r[10] for r in rows if r[10] != ""}),
        "napi_vcsw_total": sum(r[12] for r in rows if r[12] != ""),
        "gen_pps": genj.get("pps"),
        "cpu_pressure_pct_mean": (round(sum(r[15] for r in rows if r[15] != "") /
                                        sum(1 for r in rows if r[15] != ""))
                                  if any(r[15] != "" for r in rows) else None),
    }
    # Frame accounting: every frame sent arrived at the rx veth, and each one
    # that arrived was either delivered, dropped by xskb, or dropped by the
    # kernel (no fill-ring entry, RX ring full).
    acc = []
    if sent is not None and veth:
        acc.append(("sent == arrived at the rx veth (during sampling)", veth["rx_arrived"] <= sent))
    if received is not None and sent is not None:
        kd = (drops.get("kernel_rx_dropped") or 0) + (drops.get("kernel_rx_ring_full") or 0)
        if "rx_descs" in rxj:
            acc.append(("rx_descs == rx_packets + xskb drops", rxj["rx_descs"] == received + xskb_drops))
        acc.append(("sent == received + xskb drops + kernel drops", sent == received + xskb_drops + kd))
    summ["accounting"] = {k: v for k, v in acc}
    summ["accounting_ok"] = all(v for _, v in acc) if acc else None
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump(summ, f)
        f.write("\n")
    if a.json:
        print(json.dumps(summ))
    else:
        print("\t".join(hdr))
        for r in rows:
            print("\t".join(str(x) for x in r))
        print(json.dumps(summ))
    return 0 if summ["accounting_ok"] in (True, None) else 1


def table(a):
    """One row per soak folder: configuration, loss, sleeps, placement."""
    rows = []
    for d in a.dirs:
        cfg = load_json(os.path.join(d, "config.json")) or {}
        sm = load_json(os.path.join(d, "summary.json")) or {}
        rows.append(cfg | sm)
    print("| rate | receiver | options | rx CPU | gen CPU | sent | lost | loss % | s with loss "
          "| worst s | sleeps | poll CPUs | RSS max KiB | CPU pressure % |")
    print("|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for r in rows:
        napi = r.get("napi") or {}
        print(f"| {r.get('rate')} | {r.get('receiver')} | {r.get('rx_options') or 'defaults'} "
              f"| {r.get('rx_cpu')} | {r.get('gen_cpu')} | {r.get('sent')} | {r.get('lost')} "
              f"| {r.get('loss_pct')} | {r.get('seconds_with_loss')} | {r.get('worst_second_lost')} "
              f"| {napi.get('sleeps', '')} | {','.join(str(c) for c in r.get('napi_cpus', []))} "
              f"| {r.get('rss_kb_max')} | {r.get('cpu_pressure_pct_mean', '')} |")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--out", required=True)
    s.add_argument("--ns-tx", required=True)
    s.add_argument("--if-tx", required=True)
    s.add_argument("--ns-rx", required=True)
    s.add_argument("--if-rx", required=True)
    s.add_argument("--rx-pid", type=int, required=True)
    s.add_argument("--gen-pid-file")
    s.add_argument("--seconds", type=float, required=True)
    r = sub.add_parser("report")
    r.add_argument("--dir", required=True)
    r.add_argument("--json", action="store_true")
    t = sub.add_parser("table")
    t.add_argument("dirs", nargs="+")
    a = p.parse_args()
    return {"sample": sample, "report": report, "table": table}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
