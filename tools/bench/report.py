#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Turn the raw results of tools/bench/run.sh into docs/benchmarks.md and a plot.

Also the two small parsers run.sh needs while measuring (testpmd's text
output to JSON, a one-line summary of a measurement). Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

# Display order and names. 64/1500-byte runs use bare/xskb, 9000-byte runs
# bare-mb/xskb-slab/xskb-frags; both share the plot's columns.
VETH_NAMES = {
    "bare": "bare libxdp loop (xskb-bare)",
    "bare-mb": "bare libxdp loop, multi-buffer (xskb-bare --multi-buffer)",
    "xskb": "xskb-rx",
    "xskb-slab": "xskb-rx --multi-buffer --mb-mode slab",
    "xskb-frags": "xskb-rx --multi-buffer --mb-mode frags",
    "dpdk": "dpdk-testpmd net_af_xdp rxonly",
    "kudp": "kernel UDP socket, recvmmsg (xskb-kudp)",
}
VETH_ORDER = ["bare", "bare-mb", "xskb", "xskb-slab", "xskb-frags", "dpdk", "kudp"]
REPLAY_NAMES = {
    "xskb": "xskb-bench replay (xskb NAPI poll, skbs)",
    "bare": "xskb-bench replay --bare (ring loop, no skb)",
    "dpdk": "dpdk-testpmd net_null rxonly (copy=0)",
}
REPLAY_ORDER = ["xskb", "bare", "dpdk"]
FWD_REPLAY_NAMES = {
    "xskb": "xskb-bench replay-fwd (skbs, dev_queue_xmit)",
    "bare": "xskb-bench replay-fwd --bare (replay rings, no skb)",
    "ringfwd": "xskb-ringfwd (in-memory rings, no library)",
    "dpdk-macswap": "dpdk-testpmd net_null macswap (copy=0)",
    "dpdk-io": "dpdk-testpmd net_null io (copy=0)",
}
FWD_REPLAY_ORDER = ["xskb", "bare", "ringfwd", "dpdk-macswap", "dpdk-io"]
FWD_VETH_NAMES = {
    "xskb": "xskb-fwd",
    "bare": "bare libxdp l2fwd (xskb-bare --fwd --tx-budget 2048)",
    "bare-k32": "bare libxdp l2fwd, kernel TX budget 32 (xskb-bare --fwd)",
    "dpdk": "dpdk-testpmd 2x net_af_xdp, mac mode",
    "kernel": "kernel IP forwarding (ip_forward=1)",
}
FWD_VETH_ORDER = ["xskb", "bare", "bare-k32", "dpdk", "kernel"]
FWD_UDP_NAMES = {
    "xskb": "xskb-udp-proxy",
    "krelay": "kernel UDP relay, recvmmsg/sendmmsg (xskb-krelay)",
}
FWD_UDP_ORDER = ["xskb", "krelay"]
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLOT_COLUMNS = [  # (title, contender for 64/1500, contender for 9000)
    ("bare libxdp loop", "bare", "bare-mb"),
    ("xskb-rx (9000 B: slab)", "xskb", "xskb-slab"),
    ("xskb-rx frags", None, "xskb-frags"),
    ("dpdk-testpmd af_xdp", "dpdk", "dpdk"),
    ("kernel UDP socket", "kudp", "kudp"),
]


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def median(v):
    return statistics.median(v) if v else None


# ---- testpmd -------------------------------------------------------------------

def parse_testpmd(text):
    """Counters from testpmd's "show port stats" and "stop" output."""
    out = {"tool": "dpdk-testpmd"}
    nic = re.findall(r"RX-packets:\s+(\d+)\s+RX-missed:\s+(\d+)\s+RX-bytes:\s+(\d+)", text)
    if nic:
        p, m, b = (int(x) for x in nic[-1])
        out.update(nic_rx_packets=p, rx_missed=m, rx_bytes=b)
    pps = re.findall(r"Rx-pps:\s+(\d+)\s+Rx-bps:\s+(\d+)", text)
    if len(pps) >= 2:
        # The first show has no earlier one to measure against.
        out["window_rx_pps"] = int(pps[-1][0])
        out["window_rx_bps"] = int(pps[-1][1])
    acc = re.search(r"Accumulated forward statistics.*?RX-packets:\s+(\d+)\s+RX-dropped:\s+(\d+)",
                    text, re.S)
    if acc:
        out["rx_packets"] = int(acc.group(1))
        out["rx_dropped"] = int(acc.group(2))
    elif "nic_rx_packets" in out:
        out["rx_packets"] = out["nic_rx_packets"]
    if "rx_packets" not in out and "window_rx_pps" not in out:
        return None
    return out


# ---- loading one results directory ---------------------------------------------

class Results:
    def __init__(self, d):
        self.dir = d
        self.meta = load_json(os.path.join(d, "meta.json")) or {}
        self.rows = []
        try:
            with open(os.path.join(d, "manifest.jsonl")) as f:
                for line in f:
                    line = line.strip()
                    if line:
                        self.rows.append(json.loads(line))
        except OSError:
            pass

    def path(self, name):
        return os.path.join(self.dir, name)

    def veth_one(self, rid):
        gen = load_json(self.path(rid + ".gen.json"))
        rx = load_json(self.path(rid + ".rx.json"))
        if not gen or not rx or not gen.get("sent") or not gen.get("seconds"):
            return None
        sent, secs = gen["sent"], gen["seconds"]
        got = rx.get("rx_packets", 0)
        rbytes = rx.get("rx_bytes", 0)
        d = rx.get("drops", {})
        kdrops = (rx.get("kernel_rx_dropped", 0) + rx.get("kernel_rx_ring_full", 0)
                  + d.get("kernel_rx_dropped", 0) + d.get("kernel_rx_ring_full", 0)
                  + rx.get("rx_dropped", 0))
        return {
            "sent": sent, "received": got, "fraction": got / sent,
            "offered_mpps": sent / secs / 1e6, "mpps": got / secs / 1e6,
            "gbps": rbytes * 8 / secs / 1e9, "kernel_drops": kdrops,
            "udp_rcvbuf_errors": rx.get("udp_rcvbuf_errors"),
        }

    def replay_one(self, rid, contender):
        j = load_json(self.path(rid + ".json"))
        if not j:
            return None
        if contender == "dpdk":
            pps = j.get("window_rx_pps")
            return {"mpps": pps / 1e6, "ns_per_pkt": 1e3 / (pps / 1e6)} if pps else None
        if "mpps" not in j:
            return None
        ns = j.get("ns_per_pkt") or (1e3 / j["mpps"] if j["mpps"] else None)
        return {"mpps": j["mpps"], "ns_per_pkt": ns}

    def fwd_replay_one(self, rid, contender):
        return self.replay_one(rid, "dpdk" if contender.startswith("dpdk") else contender)

    def fwd_veth_one(self, rid):
        gen = load_json(self.path(rid + ".gen.json"))
        sink = load_json(self.path(rid + ".sink.json"))
        if not gen or not sink or not gen.get("sent") or not gen.get("seconds"):
            return None
        sent, secs, got = gen["sent"], gen["seconds"], sink.get("rx_packets", 0)
        return {"sent": sent, "received": got, "fraction": got / sent,
                "offered_mpps": sent / secs / 1e6, "mpps": got / secs / 1e6,
                "arrival_mpps": (sink.get("active_pps") or 0) / 1e6}

    def fwd_udp_one(self, rid):
        c = load_json(self.path(rid + ".client.json"))
        if not c or not c.get("sent") or not c.get("seconds"):
            return None
        px = load_json(self.path(rid + ".proxy.json")) or {}
        return {"sent": c["sent"], "received": c["received"], "bad": c.get("bad", 0),
                "fraction": c["received"] / c["sent"],
                "offered_mpps": c["sent"] / c["seconds"] / 1e6,
                "mpps": c["received"] / c["seconds"] / 1e6,
                "proxy": px}

    def _medians(self, agg, keys):
        for a in agg.values():
            for k in keys:
                a[k] = median([x[k] for x in a["runs"]])
            if a["runs"] and "mpps" in keys:
                a["mpps_min"] = min(x["mpps"] for x in a["runs"])
                a["mpps_max"] = max(x["mpps"] for x in a["runs"])
        return agg

    def fwd_replay(self):
        return self._medians(self._collect("fwd-replay", lambda r: self.fwd_replay_one(
            r["id"], r["contender"])), ("mpps", "ns_per_pkt"))

    def fwd_veth(self):
        return self._medians(self._collect("fwd-veth", lambda r: self.fwd_veth_one(r["id"])),
                             ("mpps", "fraction", "offered_mpps", "sent", "arrival_mpps"))

    def fwd_udp1(self):
        # Same files and arithmetic as veth forwarding: counted at the backend.
        return self._medians(self._collect("fwd-udp1", lambda r: self.fwd_veth_one(r["id"])),
                             ("mpps", "fraction", "offered_mpps", "sent", "arrival_mpps"))

    def fwd_udp(self):
        return self._medians(self._collect("fwd-udp", lambda r: self.fwd_udp_one(r["id"])),
                             ("mpps", "fraction", "offered_mpps", "sent", "bad"))

    def callgrind_total(self, contender, n):
        try:
            with open(self.path("cg-%s-%d.out" % (contender, n))) as f:
                for line in f:
                    if line.startswith("totals:") or line.startswith("summary:"):
                        return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return None

    # -- aggregation --

    def _collect(self, suite, read_one):
        """{(size, contender): {'runs': [read_one(row)...], 'notes': [...]}}"""
        agg = {}
        for r in self.rows:
            if r["suite"] != suite:
                continue
            a = agg.setdefault((r["size"], r["contender"]), {"runs": [], "notes": []})
            if r["status"] == "ok":
                one = read_one(r)
                if one:
                    a["runs"].append(one)
                else:
                    a["notes"].append("run %d: unreadable output" % r["run"])
            elif r["note"] and r["note"] not in a["notes"]:
                a["notes"].append(r["note"] if r["status"] == "skipped"
                                  else "run %d %s: %s" % (r["run"], r["status"], r["note"]))
        for a in agg.values():
            a["n"] = len(a["runs"])
        return agg

    def veth(self):
        """{(size, contender): {...medians..., 'notes': [...]}}"""
        agg = self._collect("veth", lambda r: self.veth_one(r["id"]))
        for a in agg.values():
            runs = a["runs"]
            for k in ("fraction", "mpps", "gbps", "offered_mpps", "sent", "kernel_drops"):
                a[k] = median([x[k] for x in runs])
            a["fraction_min"] = min((x["fraction"] for x in runs), default=None)
            a["fraction_max"] = max((x["fraction"] for x in runs), default=None)
        return agg

    def replay(self):
        agg = self._collect("replay", lambda r: self.replay_one(r["id"], r["contender"]))
        for a in agg.values():
            a["mpps"] = median([x["mpps"] for x in a["runs"]])
            a["mpps_min"] = min((x["mpps"] for x in a["runs"]), default=None)
            a["mpps_max"] = max((x["mpps"] for x in a["runs"]), default=None)
            a["ns_per_pkt"] = median([x["ns_per_pkt"] for x in a["runs"] if x["ns_per_pkt"]])
        return agg

    def callgrind(self):
        out = {}
        n1, n2 = self.meta.get("callgrind_n1"), self.meta.get("callgrind_n2")
        for r in self.rows:
            if r["suite"] != "callgrind":
                continue
            c = r["contender"]
            e = {"status": r["status"], "note": r["note"], "n1": n1, "n2": n2}
            if r["status"] == "ok" and n1 and n2:
                i1, i2 = self.callgrind_total(c, n1), self.callgrind_total(c, n2)
                if i1 is not None and i2 is not None:
                    e.update(ir1=i1, ir2=i2, per_packet=(i2 - i1) / (n2 - n1))
                else:
                    e.update(status="failed", note="no totals line in the callgrind output")
            out[c] = e
        return out

    def micro(self):
        for r in self.rows:
            if r["suite"] == "slab":
                if r["status"] != "ok":
                    return {"error": r["note"] or r["status"]}
                j = load_json(self.path("micro.json"))
                return j if j else {"error": "micro.json unreadable"}
        return None


# ---- formatting ------------------------------------------------------------------

def fmt(v, spec=".2f", none="n/a"):
    return none if v is None else format(v, spec)


def pct(v, digits=3):
    return "n/a" if v is None else "%.*f %%" % (digits, v * 100)


def md_table(header, rows, align=None):
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def ratio(a, b):
    return a / b if a is not None and b else None


def verdict(value, target, higher_is_better=True):
    if value is None:
        return "n/a"
    ok = value >= target if higher_is_better else value <= target
    return "**PASS**" if ok else "**FAIL**"


class Report:
    def __init__(self, res):
        self.r = res
        self.veth = res.veth()
        self.replay = res.replay()
        self.cg = res.callgrind()
        self.micro = res.micro()
        self.meta = res.meta
        self.fwd = {"replay": res.fwd_replay(), "veth": res.fwd_veth(), "udp": res.fwd_udp(),
                    "udp1": res.fwd_udp1()}

    def vget(self, size, c, key):
        a = self.veth.get((size, c))
        return a.get(key) if a and a["n"] else None

    def fget(self, kind, size, c, key="mpps"):
        a = self.fwd[kind].get((size, c))
        return a.get(key) if a and a["n"] else None

    def rget(self, size, c, key="mpps"):
        a = self.replay.get((size, c))
        return a.get(key) if a and a["n"] else None

    def disturbed(self):
        # Instruction counts do not depend on what else runs.
        return [r for r in self.r.rows if r.get("disturbed") and r["suite"] != "callgrind"]

    def meta_md(self):
        m = self.meta
        mode = "quick (`--quick`)" if m.get("quick") else "full"
        d = self.disturbed()
        warn = []
        if d:
            warn = ["- **%d of %d measurements ran while benchmark processes this harness did "
                    "not start were running** (%s; see `disturbed` in manifest.jsonl): on two "
                    "CPUs their figures are unreliable." % (
                        len(d), len(self.r.rows),
                        ", ".join(sorted({x["id"] for x in d})[:8])
                        + (", ..." if len(d) > 8 else ""))]
        return "\n".join([
            "Generated %s from `%s` (raw JSON kept there, not committed)." % (
                m.get("date", "?"), os.path.relpath(os.path.realpath(self.r.dir), TOP)),
            "",
            "- machine: %s, %s CPUs, kernel %s" % (m.get("cpu", "?"), m.get("cpus", "?"),
                                                     m.get("host_kernel", "?")),
            "- xskb commit %s%s; libxdp %s; DPDK %s" % (
                m.get("commit", "?"), " (with uncommitted changes)" if m.get("dirty") else "",
                m.get("libxdp", "?"), m.get("dpdk", "?") if m.get("testpmd") else "not installed"),
            "- mode: %s; %s runs per contender, contenders alternating, medians quoted" % (
                mode, m.get("runs", "?")),
            "- veth frames sent per run: %s (64 B), %s (1500 B), %s (9000 B)" % (
                "{:,}".format(m.get("count_64", 0)), "{:,}".format(m.get("count_1500", 0)),
                "{:,}".format(m.get("count_9000", 0))),
        ] + warn)

    # -- targets --

    def targets_md(self):
        rows = []
        m = self.meta
        x64 = self.vget(64, "xskb", "fraction")
        b64 = self.vget(64, "bare", "fraction")
        count = m.get("count_64", 0)
        note = "%s frames per run, %s runs, median" % ("{:,}".format(count), m.get("runs", "?"))
        if count < 30000000:
            note += "; the target's 30 M frames need the full mode"
        rows.append(["veth 64 B: xskb-rx delivers >= 99.9 % at the maximum offered rate",
                     "%s (bare loop: %s; offered %s Mpps)" % (
                         pct(x64), pct(b64), fmt(self.vget(64, "xskb", "offered_mpps"))),
                     "%s of 99.9 %%" % fmt(ratio(x64, 0.999), ".4f") if x64 is not None
                     else "n/a", verdict(x64, 0.999), note])
        xp, kp = self.vget(64, "xskb", "mpps"), self.vget(64, "kudp", "mpps")
        rows.append(["veth 64 B: xskb-rx pps >= 8x kernel UDP socket pps",
                     "%s vs %s Mpps" % (fmt(xp, ".3f"), fmt(kp, ".3f")),
                     fmt(ratio(xp, kp), ".2f") + "x" if ratio(xp, kp) else "n/a",
                     verdict(ratio(xp, kp), 8.0), "delivered packets / sender's time"])
        bare_g = self.vget(9000, "bare-mb", "gbps")
        for mode in ("slab", "frags"):
            g = self.vget(9000, "xskb-" + mode, "gbps")
            rr = ratio(g, bare_g)
            rows.append(["veth 9000 B: xskb-rx %s Gbit/s >= 0.9x bare multi-buffer loop" % mode,
                         "%s vs %s Gbit/s" % (fmt(g), fmt(bare_g)),
                         fmt(rr, ".3f") + "x" if rr else "n/a", verdict(rr, 0.9),
                         "same lab and sender (AF_PACKET engine)"])
        rx, rd = self.rget(64, "xskb"), self.rget(64, "dpdk")
        rows.append(["replay 64 B: xskb Mpps >= 1.0x DPDK net_null rxonly",
                     "%s vs %s Mpps" % (fmt(rx), fmt(rd)),
                     fmt(ratio(rx, rd), ".3f") + "x" if ratio(rx, rd) else "n/a",
                     verdict(ratio(rx, rd), 1.0),
                     "; ".join(self.replay.get((64, "xskb"), {}).get("notes", [])[:1])
                     or "one core each"])
        cg = self.cg.get("xskb", {})
        ipp = cg.get("per_packet")
        rows.append(["replay 64 B: <= 60 instructions per packet (callgrind)",
                     fmt(ipp, ".1f") + " (bare: %s)" % fmt(self.cg.get("bare", {}).get("per_packet"), ".1f"),
                     fmt(ratio(ipp, 60.0), ".3f") + "x of 60" if ipp else "n/a",
                     verdict(ipp, 60.0, higher_is_better=False),
                     cg.get("note") or "(Ir(N2) - Ir(N1)) / (N2 - N1)"])
        for kind, size, c, base, target, what, how in (
                ("replay", 64, "xskb", "dpdk-macswap", 1.0,
                 "replay forward 64 B: xskb Mpps >= 1.0x dpdk-testpmd net_null macswap",
                 "one core each"),
                ("veth", 64, "xskb", "bare", 0.95,
                 "veth forward 64 B: xskb-fwd >= 0.95x the bare l2fwd loop",
                 "frames at the backend / sender's time"),
                ("veth", 64, "xskb", "dpdk", 1.0,
                 "veth forward 64 B: xskb-fwd >= 1.0x dpdk-testpmd net_af_xdp mac",
                 "frames at the backend / sender's time"),
                ("udp", 18, "xskb", "krelay", 3.0,
                 "UDP proxy: xskb-udp-proxy >= 3x the kernel socket relay",
                 "echoed replies at the clients / their time"),
                ("udp1", 64, "xskb", "krelay", 3.0,
                 "UDP proxy one way: xskb-udp-proxy >= 3x the kernel socket relay",
                 "datagrams at the backend / sender's time")):
            if not self.fwd[kind]:
                continue
            x, b = self.fget(kind, size, c), self.fget(kind, size, base)
            rr = ratio(x, b)
            notes = self.fwd[kind].get((size, c), {}).get("notes", [])
            rows.append([what, "%s vs %s Mpps" % (fmt(x, ".3f"), fmt(b, ".3f")),
                         fmt(rr, ".3f") + "x" if rr else "n/a", verdict(rr, target),
                         "; ".join(notes[:1]) or how])
        for t in (1, 2):
            r = self.mixed_ratio(t)
            rows.append(["slab: kmalloc/kfree mixed 64-2048 B >= 2x glibc ops/s (%d thread%s)"
                         % (t, "s" if t > 1 else ""),
                         fmt(r, ".2f") + "x glibc" if r else "n/a",
                         fmt(r, ".2f") + "x" if r else "n/a", verdict(r, 2.0),
                         "ops/s ratio = glibc ns/op / xskb ns/op"])
        return md_table(["target", "measured", "ratio", "verdict", "how"], rows,
                        ["---", "---", "---:", "---", "---"])

    def mixed_ratio(self, threads):
        if not self.micro or "results" not in self.micro:
            return None
        for e in self.micro["results"]:
            if e["case"].startswith("kmalloc/kfree mixed") and e["threads"] == threads:
                return e.get("glibc_over_xskb")
        return None

    # -- tables --

    def veth_md(self):
        rows, notes = [], []
        for size in (64, 1500, 9000):
            for c in VETH_ORDER:
                a = self.veth.get((size, c))
                if not a:
                    continue
                for n in a["notes"]:
                    s = "%d B, %s: %s" % (size, c, n)
                    if s not in notes:
                        notes.append(s)
                if not a["n"]:
                    rows.append([size, VETH_NAMES[c], 0, "", "", "", "", "", "", "see notes"])
                    continue
                rows.append([
                    size, VETH_NAMES[c], a["n"], "{:,}".format(int(a["sent"])),
                    fmt(a["offered_mpps"], ".3f"), pct(a["fraction"]),
                    "%s – %s" % (pct(a["fraction_min"]), pct(a["fraction_max"])),
                    fmt(a["mpps"], ".3f"), fmt(a["gbps"], ".2f"),
                    "{:,}".format(int(a["kernel_drops"])),
                ])
        if not rows:
            return "_Not run._"
        t = md_table(["frame B", "receiver", "runs", "sent/run", "offered Mpps", "delivered",
                      "delivered min – max", "delivered Mpps", "Gbit/s",
                      "kernel drops (median)"], rows,
                     ["---:", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"])
        ratios = []
        for size in (64, 1500):
            x, b, d, k = (self.vget(size, c, "mpps") for c in ("xskb", "bare", "dpdk", "kudp"))
            ratios.append("- %d B: xskb-rx / bare %s, xskb-rx / dpdk %s, xskb-rx / kernel UDP %s"
                          % (size, fmt(ratio(x, b), ".3f"), fmt(ratio(x, d), ".3f"),
                             fmt(ratio(x, k), ".2f")))
        b = self.vget(9000, "bare-mb", "gbps")
        ratios.append("- 9000 B Gbit/s: slab / bare %s, frags / bare %s, kernel UDP / bare %s"
                      % tuple(fmt(ratio(self.vget(9000, c, "gbps"), b), ".3f")
                              for c in ("xskb-slab", "xskb-frags", "kudp")))
        out = t + "\n\nRatios of medians (delivered Mpps; Gbit/s for 9000 B):\n\n" + "\n".join(ratios)
        if notes:
            out += "\n\nNotes:\n\n" + "\n".join("- " + n for n in notes)
        return out

    def replay_md(self):
        rows, notes = [], []
        sizes = sorted({k[0] for k in self.replay})
        for size in sizes:
            for c in REPLAY_ORDER:
                a = self.replay.get((size, c))
                if not a:
                    continue
                for n in a["notes"]:
                    s = "%d B, %s: %s" % (size, c, n)
                    if s not in notes:
                        notes.append(s)
                if not a["n"]:
                    rows.append([size, REPLAY_NAMES[c], 0, "not available", "", "", ""])
                    continue
                rows.append([size, REPLAY_NAMES[c], a["n"], fmt(a["mpps"]),
                             "%s – %s" % (fmt(a["mpps_min"]), fmt(a["mpps_max"])),
                             fmt(a["ns_per_pkt"], ".1f"),
                             fmt(ratio(a["mpps"], self.rget(size, "dpdk")), ".3f")])
        if not rows:
            return "_Not run._"
        out = md_table(["frame B", "contender", "runs", "Mpps (median)", "min – max",
                        "ns/packet", "/ DPDK"], rows,
                       ["---:", "---", "---:", "---:", "---:", "---:", "---:"])
        if notes:
            out += "\n\nNotes:\n\n" + "\n".join("- " + n for n in notes)
        return out

    def _fwd_table(self, kind, order, names, header_extra, row_extra, base, base_name):
        rows, notes = [], []
        agg = self.fwd[kind]
        for size in sorted({k[0] for k in agg}):
            for c in order:
                a = agg.get((size, c))
                if not a:
                    continue
                for n in a["notes"]:
                    s = "%d B, %s: %s" % (size, c, n)
                    if s not in notes:
                        notes.append(s)
                if not a["n"]:
                    rows.append([size, names[c], 0] + [""] * (len(header_extra) + 3))
                    continue
                rows.append([size, names[c], a["n"], fmt(a["mpps"], ".3f"),
                             "%s – %s" % (fmt(a["mpps_min"], ".3f"), fmt(a["mpps_max"], ".3f"))]
                            + row_extra(a)
                            + [fmt(ratio(a["mpps"], self.fget(kind, size, base)), ".3f")])
        if not rows:
            return "_Not run._"
        out = md_table(["B", "contender", "runs", "Mpps (median)", "min – max"] + header_extra
                       + ["/ " + base_name], rows,
                       ["---:", "---", "---:", "---:", "---:"] + ["---:"] * (len(header_extra) + 1))
        if notes:
            out += "\n\nNotes:\n\n" + "\n".join("- " + n for n in notes)
        return out

    def fwd_replay_md(self):
        return self._fwd_table("replay", FWD_REPLAY_ORDER, FWD_REPLAY_NAMES, ["ns/packet"],
                               lambda a: [fmt(a["ns_per_pkt"], ".1f")], "dpdk-macswap",
                               "testpmd macswap")

    def fwd_veth_md(self):
        return self._fwd_table("veth", FWD_VETH_ORDER, FWD_VETH_NAMES,
                               ["offered Mpps", "forwarded", "arrival Mpps"],
                               lambda a: [fmt(a["offered_mpps"], ".3f"), pct(a["fraction"]),
                                          fmt(a["arrival_mpps"], ".3f")], "bare", "bare l2fwd")

    def fwd_udp_md(self):
        return self._fwd_table("udp", FWD_UDP_ORDER, FWD_UDP_NAMES,
                               ["sent Mpps", "replies / sent", "bad replies"],
                               lambda a: [fmt(a["offered_mpps"], ".3f"), pct(a["fraction"]),
                                          "%d" % a["bad"]], "krelay", "kernel relay")

    def fwd_udp1_md(self):
        return self._fwd_table("udp1", FWD_UDP_ORDER, FWD_UDP_NAMES,
                               ["offered Mpps", "relayed", "arrival Mpps"],
                               lambda a: [fmt(a["offered_mpps"], ".3f"), pct(a["fraction"]),
                                          fmt(a["arrival_mpps"], ".3f")], "krelay",
                               "kernel relay")

    def callgrind_md(self):
        if not self.cg:
            return "_Not run._"
        rows = []
        for c in ("xskb", "bare"):
            e = self.cg.get(c)
            if not e:
                continue
            if "per_packet" not in e:
                rows.append([REPLAY_NAMES[c], e["status"] + (": " + e["note"] if e["note"] else ""),
                             "", "", ""])
                continue
            rows.append([REPLAY_NAMES[c], "{:,}".format(e["ir1"]), "{:,}".format(e["ir2"]),
                         "{:,}".format(e["n2"] - e["n1"]), fmt(e["per_packet"], ".1f")])
        n1, n2 = self.meta.get("callgrind_n1"), self.meta.get("callgrind_n2")
        return md_table(["contender", "Ir, N1 = %s" % "{:,}".format(n1 or 0),
                         "Ir, N2 = %s" % "{:,}".format(n2 or 0), "N2 - N1",
                         "instructions / packet"], rows,
                        ["---", "---:", "---:", "---:", "---:"])

    def slab_md(self):
        m = self.micro
        if m is None:
            return "_Not run._"
        if "error" in m:
            return "_Failed: %s_" % m["error"]
        rows = []
        for e in m.get("results", []):
            g = e.get("glibc_ns")
            rows.append([e["case"], e["threads"], fmt(e["xskb_ns"], ".1f"),
                         fmt(g, ".1f", ""), fmt(e.get("glibc_over_xskb"), ".2f", "")])
        return ("%d runs of %s operations (two-thread cases: %s), medians.\n\n"
                % (m.get("runs", 0), "{:,}".format(m.get("iterations", 0)),
                   "{:,}".format(m.get("iterations_2t", 0)))
                + md_table(["operation", "threads", "xskb ns/op", "glibc ns/op",
                            "glibc / xskb (ops/s ratio)"], rows))

    # -- plot --

    def plot(self, path):
        gp = shutil.which("gnuplot")
        if not gp:
            return "gnuplot not installed: no plot"
        data = os.path.join(self.r.dir, "veth-plot.dat")
        have = False
        with open(data, "w") as f:
            for key in ("mpps", "fraction"):
                # Each block starts with its own header row: columnheader()
                # reads the first row of the block it plots.
                f.write('"frame" ' + " ".join('"%s"' % t for t, _, _ in PLOT_COLUMNS) + "\n")
                for size in (64, 1500, 9000):
                    vals = []
                    for _, c_small, c_jumbo in PLOT_COLUMNS:
                        c = c_jumbo if size == 9000 else c_small
                        v = self.vget(size, c, key) if c else None
                        if v is not None:
                            have = True
                            v = v * 100 if key == "fraction" else v
                        vals.append("-" if v is None else "%.6g" % v)
                    f.write('"%d B" %s\n' % (size, " ".join(vals)))
                f.write("\n\n")
        if not have:
            return "no veth results: no plot"
        term = "pngcairo size 1200,480 font 'sans,10'" if path.endswith(".png") else \
            "svg size 1200,480"
        cols = len(PLOT_COLUMNS)
        # Delivered fractions sit near 100 %: start the axis a little below
        # the lowest bar (on a multiple of 5) so that differences show.
        fr = [self.vget(z, c, "fraction") for z in (64, 1500, 9000) for _, a, b in PLOT_COLUMNS
              for c in (a, b) if c]
        low = min([f * 100 for f in fr if f is not None] or [0])
        ymin = max(0, int(low // 5) * 5 - 5)
        script = """set terminal %s
set termoption noenhanced
set output '%s'
set datafile missing '-'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top right font ',8'
set multiplot layout 1,2 title 'xskb on veth (medians; %s)'
set title 'delivered Mpps (log scale)'
set logscale y
set yrange [0.01:*]
plot for [i=2:%d] '%s' index 0 using i:xtic(1) title columnheader(i)
unset logscale y
unset key
set title 'delivered fraction of frames sent (%%, axis from %d)'
set yrange [%d:100.5]
plot for [i=2:%d] '%s' index 1 using i:xtic(1) title columnheader(i)
unset multiplot
""" % (term, path, "quick mode" if self.meta.get("quick") else "full mode",
             cols + 1, data, ymin, ymin, cols + 1, data)
        spath = os.path.join(self.r.dir, "veth-plot.gp")
        with open(spath, "w") as f:
            f.write(script)
        p = subprocess.run([gp, spath], capture_output=True, text=True)
        if p.returncode != 0 and "pngcairo" in term:
            # Without cairo, libgd's png terminal still draws it.
            script = script.replace(term, "png size 1200,480")
            with open(spath, "w") as f:
                f.write(script)
            p = subprocess.run([gp, spath], capture_output=True, text=True)
        if p.returncode != 0:
            return "gnuplot failed: " + p.stderr.strip()[:200]
        return None

    def summary_json(self):
        def clean(d):
            return {"%s/%s" % k: {kk: vv for kk, vv in v.items() if kk != "runs"}
                    for k, v in d.items()}
        return {"meta": self.meta, "veth": clean(self.veth), "replay": clean(self.replay),
                "fwd": {k: clean(v) for k, v in self.fwd.items()},
                "callgrind": self.cg,
                "micro_mixed_ratio": {"1": self.mixed_ratio(1), "2": self.mixed_ratio(2)}}


def render(args):
    res = Results(args.results)
    if not res.rows:
        sys.exit("report.py: %s has no manifest.jsonl rows" % args.results)
    rep = Report(res)
    plot_note = rep.plot(args.plot) if args.plot else "no plot requested"
    optlog = ""
    if args.optlog and os.path.exists(args.optlog):
        with open(args.optlog) as f:
            optlog = f.read().strip()
        # Its own top heading would nest badly under ours.
        optlog = re.sub(r"\A#\s[^\n]*\n+", "", optlog)
    if not optlog:
        optlog = ("_No entries yet. Write them in `docs/optimisations.md`: the generator "
                  "includes that file here verbatim._")
    with open(args.template) as f:
        text = f.read()
    plot_md = ("![veth results](%s)" % os.path.relpath(args.plot, os.path.dirname(args.out))
               if plot_note is None else "_(%s)_" % plot_note)
    for key, val in (("META", rep.meta_md()), ("TARGETS", rep.targets_md()),
                     ("VETH", rep.veth_md()), ("VETH_PLOT", plot_md),
                     ("REPLAY", rep.replay_md()), ("CALLGRIND", rep.callgrind_md()),
                     ("SLAB", rep.slab_md()), ("FWD_REPLAY", rep.fwd_replay_md()),
                     ("FWD_VETH", rep.fwd_veth_md()), ("FWD_UDP", rep.fwd_udp_md()),
                     ("FWD_UDP1", rep.fwd_udp1_md()),
                     ("OPTIMISATION_LOG", optlog)):
        text = text.replace("@@%s@@" % key, val)
    with open(args.out, "w") as f:
        f.write(text)
    with open(os.path.join(res.dir, "summary.json"), "w") as f:
        json.dump(rep.summary_json(), f, indent=1, sort_keys=True)
    print("report.py: wrote %s%s" % (args.out, "" if plot_note else " and " + args.plot))
    if plot_note:
        print("report.py: " + plot_note, file=sys.stderr)
    print(re.sub(r"\*\*", "", rep.targets_md()))


def one_line(d, rid):
    res = Results(d)
    if rid.startswith("veth-"):
        v = res.veth_one(rid)
        if v:
            return "delivered %s of %s (%.3f of %.3f Mpps, %.2f Gbit/s)" % (
                pct(v["fraction"]), "{:,}".format(v["sent"]), v["mpps"], v["offered_mpps"],
                v["gbps"])
    elif rid.startswith("replay-"):
        v = res.replay_one(rid, rid.split("-")[2])
        if v:
            return "%.2f Mpps" % v["mpps"]
    elif rid.startswith("fwdreplay-"):
        v = res.fwd_replay_one(rid, rid.split("-", 2)[2].rsplit("-", 1)[0])
        if v:
            return "%.2f Mpps" % v["mpps"]
    elif rid.startswith("fwdveth-") or rid.startswith("fwdudp1-"):
        v = res.fwd_veth_one(rid)
        if v:
            return "forwarded %s of %s (%.3f of %.3f Mpps)" % (
                pct(v["fraction"]), "{:,}".format(v["sent"]), v["mpps"], v["offered_mpps"])
    elif rid.startswith("fwdudp-"):
        v = res.fwd_udp_one(rid)
        if v:
            return "%s replies of %s sent (%.3f Mpps round trips, %d bad)" % (
                "{:,}".format(v["received"]), "{:,}".format(v["sent"]), v["mpps"], v["bad"])
    return "(no result)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", help="a results directory of run.sh")
    ap.add_argument("--template", help="the benchmarks.md template")
    ap.add_argument("--out", help="the Markdown file to write")
    ap.add_argument("--plot", help="the PNG (or .svg) to write")
    ap.add_argument("--optlog", help="include this file as the optimisation log, if it exists")
    ap.add_argument("--parse-testpmd", metavar="LOG", help="print testpmd's counters as JSON")
    ap.add_argument("--one-line", nargs=2, metavar=("DIR", "ID"),
                    help="print one measurement's result in a line")
    args = ap.parse_args()
    if args.parse_testpmd:
        try:
            with open(args.parse_testpmd, errors="replace") as f:
                j = parse_testpmd(f.read())
        except OSError as e:
            sys.exit("report.py: %s" % e)
        if not j:
            sys.exit("report.py: no statistics in %s" % args.parse_testpmd)
        print(json.dumps(j))
        return
    if args.one_line:
        print(one_line(*args.one_line))
        return
    if not (args.results and args.template and args.out):
        ap.error("--results, --template and --out are needed to render")
    render(args)


if __name__ == "__main__":
    main()
