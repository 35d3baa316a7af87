#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/badinput/matrix.py PAGEBENCH - the bad-input matrix.

Generates, from the binary's own --help texts, every subcommand x every option x
{empty, negative, huge, overflow, wrong type, non-UTF-8, very long} value, and every input
file kind x {empty, truncated at random offsets, bit flips, wrong format, a directory, a
FIFO, a device} for the commands that read files (trace info/convert, sim/mrc on a trace,
suite files, compare and plot on broken run folders).  Each case runs the real binary in a
fresh scratch folder with a timeout and must:
  - not crash (no signal, no sanitizer report) and not hang (timeout);
  - exit 0, 1 (a failed run) or 2 (usage / bad input); on 1 or 2 print exactly one
    non-empty line on stderr that names the command ("pagebench CMD: ...");
  - leave no temporary file (*.tmp*, .NAME.XXXXXX) anywhere under the scratch folder, and
    after a failure no run folder that looks complete (a meta.json with status complete);
  - never touch the run folder made before the matrix (its files byte-identical).
Prints "N passed, N failed" and exits 1 on any failure.  PB_MATRIX_SEED fixes the random
choices (recorded in the output); PB_MATRIX_JOBS runs cases in parallel (default: cores);
PB_MATRIX_FILTER (a regular expression) runs only the cases whose name matches.
"""
import concurrent.futures as cf
import hashlib
import json
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import tempfile

PB = os.path.abspath(sys.argv[1])
SEED = int(os.environ.get("PB_MATRIX_SEED", "1"))
JOBS = int(os.environ.get("PB_MATRIX_JOBS", str(os.cpu_count() or 2)))
TIMEOUT = float(os.environ.get("PB_MATRIX_TIMEOUT", "60"))
rng = random.Random(SEED)

# Small, fast valid arguments per command, so that an option's bad value is the only
# thing wrong (and a case that is accepted finishes quickly).
WL = "zipf:pages=300,alpha=0.9,refs=2000,seed=1"
BASE = {
    "run": ["run", "memtouch", "--threads", "1", "--reps", "1", "--size", "64K", "--no-baseline"],
    "sim": ["sim", "--workload", WL, "--policy", "lru", "--frames", "50"],
    "mrc": ["mrc", "--workload", WL, "--policy", "lru", "--frames", "10:50:10"],
    "suite": ["suite", "SUITEFILE"],
    "list": ["list"],
    "topo": ["topo"],
    "trace": ["trace", "info", "TRACEFILE"],
    "compare": ["compare", "RUNA", "RUNA"],
    "plot": ["plot", "RUNA", "--out", "PLOTOUT"],
    "merge": ["merge", "SUITERUN"],
    "csim": ["csim", "-s", "4", "-E", "1", "-b", "4", "-t", "TRACEFILE"],
}
# Options that would make a case long or leave the scratch folder by design.
SKIP_OPTS = {"--help", "--version", "--results", "--slurm", "--wait", "--task", "--resume"}
VALUES = {
    "empty": "",
    "negative": "-1",
    "huge": "4611686018427387904",
    "overflow": "184467440737095516160",
    "wrong type": "abc",
    "non-UTF-8": b"\xff\xfe\x80x".decode("latin-1"),
    "very long": "x" * 5000,
}

results = {"pass": 0, "fail": 0}
failures = []


def help_options(cmd):
    args = [PB, cmd, "--help"] if cmd != "trace" else [PB, "trace", "--help"]
    p = subprocess.run(args, capture_output=True, timeout=TIMEOUT)
    text = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
    opts = sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text)) - SKIP_OPTS)
    return opts


def tree_state(root):
    """path -> sha1 of every file under root (to prove an earlier folder is untouched)."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            try:
                with open(p, "rb") as fh:
                    out[p] = hashlib.sha1(fh.read()).hexdigest()
            except OSError:
                pass
    return out


def leftovers(root):
    bad = []
    for d, dirs, files in os.walk(root):
        for f in files:
            if ".tmp" in f or re.match(r"^\..+\.[A-Za-z0-9]{6}$", f):
                bad.append(os.path.join(d, f))
    return bad


def complete_folders(root):
    out = []
    for d, _, files in os.walk(root):
        if "meta.json" in files:
            try:
                with open(os.path.join(d, "meta.json")) as fh:
                    m = json.load(fh)
                if m.get("status") == "complete":
                    out.append(d)
            except (OSError, ValueError):
                out.append(d + " (meta.json not JSON)")
    return out


class Fixture:
    """A scratch folder per case with the inputs the base arguments name."""

    def __init__(self, good):
        self.dir = tempfile.mkdtemp(prefix="pb_matrix_", dir=os.environ.get("TMPDIR"))
        self.good = good

    def subst(self, args):
        m = {
            "SUITEFILE": self.good["suite"],
            "TRACEFILE": self.good["trace"],
            "RUNA": self.good["run"],
            "SUITERUN": self.good["suiterun"],
            "PLOTOUT": os.path.join(self.dir, "plots"),
        }
        return [m.get(a, a) for a in args]

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def run_case(name, args, good, files_replaced=None, want=None):
    fx = Fixture(good)
    env = dict(os.environ)
    env["PAGEBENCH_RESULTS"] = os.path.join(fx.dir, "results")
    env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0:exitcode=99"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:exitcode=99"
    argv = [PB] + fx.subst(args)
    if files_replaced:
        argv = [files_replaced.get(a, a) for a in argv]
    why = None
    try:
        p = subprocess.run([a.encode("latin-1") if isinstance(a, str) else a for a in argv],
                           capture_output=True, timeout=TIMEOUT, cwd=fx.dir, env=env,
                           stdin=subprocess.DEVNULL)
        err = p.stderr.decode("utf-8", "replace")
        lines = [l for l in err.splitlines() if l.strip()]
        if p.returncode < 0:
            why = f"killed by signal {-p.returncode}"
        elif p.returncode == 99 or "Sanitizer" in err or "runtime error" in err:
            why = "sanitizer report: " + " | ".join(lines[:3])
        elif p.returncode not in (0, 1, 2):
            why = f"exit {p.returncode}"
        elif p.returncode in (1, 2):
            msgs = [l for l in lines if l.startswith("pagebench")]
            if len(lines) != 1 and not (p.returncode == 1 and msgs):
                why = f"exit {p.returncode} with {len(lines)} stderr lines: {lines[:3]}"
            elif not msgs:
                why = f"exit {p.returncode}, message does not name the command: {lines[:1]}"
        if not why and want:
            code, needle = want
            if p.returncode != code:
                why = f"exit {p.returncode}, wanted {code}: {lines[:1]}"
            elif needle not in err:
                why = f"message does not name the problem ('{needle}'): {lines[:1]}"
        if not why:
            left = leftovers(fx.dir)
            if left:
                why = f"temporary files left: {left[:3]}"
        if not why and p.returncode != 0:
            done = complete_folders(os.path.join(fx.dir, "results"))
            if done:
                why = f"failed (exit {p.returncode}) but left a complete-looking folder {done[:1]}"
    except subprocess.TimeoutExpired:
        why = f"hang (no exit within {TIMEOUT:.0f} s)"
    fx.close()
    return name, why


def make_good(root):
    """Valid inputs the matrix starts from (made with the real binary)."""
    g = {}
    env = dict(os.environ, PAGEBENCH_RESULTS=os.path.join(root, "results"))
    lackey = os.path.join(root, "good.lackey")
    with open(lackey, "w") as f:
        for i in range(2000):
            f.write(f" L {0x10000 + (i * 4096) % 65536:x},8\n")
    g["trace"] = lackey
    suite = os.path.join(root, "good.suite")
    with open(suite, "w") as f:
        f.write(f"sim --workload {WL} --policy lru --frames 50\n")
    g["suite"] = suite
    subprocess.run([PB] + BASE["run"], env=env, capture_output=True, timeout=TIMEOUT, check=True)
    g["run"] = [os.path.join(root, "results", d) for d in os.listdir(os.path.join(root, "results"))][0]
    sroot = os.path.join(root, "suiteres")
    subprocess.run([PB, "suite", suite, "--results", sroot], env=env, capture_output=True,
                   timeout=TIMEOUT, check=True)
    g["suiterun"] = os.path.join(sroot, os.listdir(sroot)[0])
    return g


def file_variants(src, root, tag):
    """Broken copies of a valid input file: name -> path."""
    with open(src, "rb") as f:
        data = f.read()
    out = {}

    def put(kind, content):
        p = os.path.join(root, f"{tag}-{kind.replace(' ', '_')}")
        with open(p, "wb") as f:
            f.write(content)
        out[kind] = p

    put("empty", b"")
    for k in range(3):
        put(f"truncated {k}", data[: rng.randrange(1, max(2, len(data)))])
    for k in range(3):
        b = bytearray(data)
        for _ in range(8):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        put(f"bit flips {k}", bytes(b))
    put("wrong format", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(300)))
    put("long line", b"x" * (1 << 20) + b"\n")
    d = os.path.join(root, f"{tag}-directory")
    os.mkdir(d)
    out["directory"] = d
    fifo = os.path.join(root, f"{tag}-fifo")
    os.mkfifo(fifo)
    out["FIFO"] = fifo
    out["device"] = "/dev/zero"
    out["missing"] = os.path.join(root, f"{tag}-does-not-exist")
    return out


def broken_runs(good_run, root):
    """Copies of a run folder with one file broken: name -> folder."""
    out = {}
    for fname in ("summary.csv", "runs.csv", "meta.json"):
        for kind in ("empty", "truncated", "garbled", "missing"):
            d = os.path.join(root, f"run-{fname}-{kind}")
            shutil.copytree(good_run, d)
            p = os.path.join(d, fname)
            if not os.path.exists(p):
                continue
            with open(p, "rb") as f:
                data = f.read()
            if kind == "missing":
                os.unlink(p)
            else:
                with open(p, "wb") as f:
                    if kind == "truncated":
                        f.write(data[: len(data) // 2])
                    elif kind == "garbled":
                        f.write(data.replace(b"1", b"\xff").replace(b",", b"\",", 3))
            out[f"{fname} {kind}"] = d
    e = os.path.join(root, "run-emptydir")
    os.mkdir(e)
    out["empty folder"] = e
    return out


def other_meta_run(good_run, root):
    """A copy of a run folder whose meta.json is another run's (its run_id changed)."""
    d = os.path.join(root, "run-othermeta")
    shutil.copytree(good_run, d)
    p = os.path.join(d, "meta.json")
    with open(p) as f:
        m = json.load(f)
    m["run_id"] = "0000aa" if m.get("run_id") != "0000aa" else "0000bb"
    with open(p, "w") as f:
        json.dump(m, f)
    return d


def main():
    root = tempfile.mkdtemp(prefix="pb_matrix_inputs_", dir=os.environ.get("TMPDIR"))
    try:
        good = make_good(root)
    except (subprocess.SubprocessError, OSError, IndexError) as e:
        print(f"could not make the valid inputs the matrix starts from: {e}")
        print("0 passed, 1 failed")
        return 1
    before = tree_state(good["run"])
    cases = []
    # 1. every subcommand x every option x every bad value
    for cmd, base in BASE.items():
        for opt in help_options(cmd if cmd != "trace" else "trace"):
            for vname, val in VALUES.items():
                cases.append((f"{cmd} {opt}={vname}", base + [opt, val]))
        # positional junk and an unknown option
        cases.append((f"{cmd} unknown option", base + ["--no-such-option"]))
    for vname, val in VALUES.items():
        cases.append((f"command {vname}", [val]))
        cases.append((f"run kernel {vname}", ["run", val]))
        cases.append((f"sim workload {vname}", ["sim", "--workload", val, "--policy", "lru",
                                                  "--frames", "10"]))
        cases.append((f"sim policy {vname}", ["sim", "--workload", WL, "--policy", val,
                                                "--frames", "10"]))
    # 2. every input file kind x broken variants
    tv = file_variants(good["trace"], root, "trace")
    sv = file_variants(good["suite"], root, "suite")
    for kind, path in tv.items():
        cases.append((f"trace info {kind}", ["trace", "info", path]))
        cases.append((f"trace convert {kind}", ["trace", "convert", path, "PLOTOUT.pbt"]))
        cases.append((f"sim trace {kind}", ["sim", "--workload", f"trace:path={path}",
                                              "--policy", "lru", "--frames", "10"]))
        cases.append((f"trace info as pbt {kind}", ["trace", "info", "--format", "pbt", path]))
    for kind, path in sv.items():
        cases.append((f"suite file {kind}", ["suite", path]))
    # a trace spec's backing=, and a broken TRACE.maps sidecar beside a good trace
    for vname, val in VALUES.items():
        cases.append((f"sim trace backing {vname}",
                      ["sim", "--workload", f"trace:path={good['trace']},backing={val}",
                       "--policy", "lru", "--frames", "10"]))
    cases.append(("sim trace backing bogus",
                  ["sim", "--workload", f"trace:path={good['trace']},backing=bogus",
                   "--policy", "lru", "--frames", "10"]))
    good_maps = os.path.join(root, "good.maps")
    with open(good_maps, "w") as f:
        f.write("# mappings\n00010000-00020000 r-xp 00000000 fe:00 1 /bin/prog\n")
    for kind, path in file_variants(good_maps, root, "maps").items():
        t = os.path.join(root, f"mapped-{kind.replace(' ', '_')}.lackey")
        shutil.copyfile(good["trace"], t)
        os.symlink(path, t + ".maps")
        cases.append((f"sim trace maps sidecar {kind}",
                      ["sim", "--workload", f"trace:path={t}", "--policy", "lru",
                       "--frames", "10"]))
        cases.append((f"trace info maps sidecar {kind}", ["trace", "info", t]))
    for kind, path in tv.items():
        cases.append((f"csim trace {kind}", ["csim", "-s", "4", "-E", "1", "-b", "4", "-t", path]))
    # 2b. issue 12's options and specs: each must exit 2 with one line naming the problem
    sim = ["sim", "--workload", WL, "--policy", "lru", "--frames", "50"]
    csim = ["csim", "-s", "4", "-E", "1", "-b", "4", "-t"]
    malformed = os.path.join(root, "csim-malformed.trace")
    with open(malformed, "w") as f:
        f.write(" L 10,4\n S 20,4\n M zz,4\n")
    # perf script with perf's default fields: no addr field, the address after the event is
    # the instruction pointer (it was replayed as the faulting address, without a word)
    perf_ip = os.path.join(root, "perf-default-fields.txt")
    with open(perf_ip, "w") as f:
        f.write("            true   838 57720.351866:          1 page-faults:  ffffffff8177d51a "
                "elf_load+0x28a ([kernel.kallsyms])\n")
    for name, args, needle in (
            ("trace info perf default fields", ["trace", "info", perf_ip], "-F +addr"),
            ("sim perf default fields", ["sim", "--workload", f"trace:path={perf_ip}",
                                         "--policy", "lru", "--frames", "10"], "-F +addr"),
            ("merge --timeout without --wait", ["merge", "SUITERUN", "--timeout", "5"],
             "--timeout"),
            ("sim --caches bogus", sim + ["--caches", "bogus"], "bogus"),
            ("sim --caches L1d=3K:7", sim + ["--caches", "L1d=3K:7"], "power-of-two"),
            ("sim --thp sometimes", sim + ["--thp", "sometimes"], "sometimes"),
            ("sim --thp always --pt hashed", sim + ["--thp", "always", "--pt", "hashed"], "--pt"),
            ("sim --swap -1", sim + ["--swap", "-1"], "--swap"),
            ("sim --swap abc", sim + ["--swap", "abc"], "--swap"),
            ("sim exec:procs=0", ["sim", "--workload", "exec:procs=0", "--policy", "lru",
                                  "--frames", "50"], "procs"),
            ("sim exec:bad=2", ["sim", "--workload", "exec:bad=2", "--policy", "lru",
                                "--frames", "50"], "bad"),
            ("sim exec:thp=2", ["sim", "--workload", "exec:thp=2", "--policy", "lru",
                                "--frames", "50"], "thp"),
            ("sim zipf thp=2", ["sim", "--workload", WL + ",thp=2", "--policy", "lru",
                                "--frames", "50"], "thp"),
            ("csim without -t", ["csim", "-s", "4", "-E", "1", "-b", "4"], "--trace"),
            ("csim nonexistent trace", csim + ["no-such.trace"], "no-such.trace"),
            ("csim malformed line", csim + [malformed], ":3:"),
            ("csim -s 70", ["csim", "-s", "70", "-E", "1", "-b", "4", "-t", "TRACEFILE"], "70"),
            ("csim -E 0", ["csim", "-s", "4", "-E", "0", "-b", "4", "-t", "TRACEFILE"],
             "--lines")):
        cases.append((name, args, (2, needle)))
    # outputs that must never be replaced
    fifo_out = os.path.join(root, "out-fifo")
    os.mkfifo(fifo_out)
    link_out = os.path.join(root, "out-link")
    os.symlink(good["trace"], link_out)
    for kind, path in (("FIFO", fifo_out), ("symlink", link_out), ("device", "/dev/null"),
                       ("existing", good["suite"])):
        cases.append((f"trace convert to {kind}", ["trace", "convert", good["trace"], path]))
    # 3. compare, plot and merge on broken folders
    for kind, d in broken_runs(good["run"], root).items():
        cases.append((f"compare {kind}", ["compare", good["run"], d]))
        cases.append((f"compare new {kind}", ["compare", d, good["run"]]))
        cases.append((f"plot {kind}", ["plot", d, "--out", "PLOTOUT"]))
        cases.append((f"merge {kind}", ["merge", d]))
    om = other_meta_run(good["run"], root)
    cases.append(("compare meta.json of another run", ["compare", good["run"], om],
                  (2, "a meta.json from another run")))

    only = os.environ.get("PB_MATRIX_FILTER")
    if only:
        cases = [c for c in cases if re.search(only, c[0])]
    print(f"bad-input matrix: {len(cases)} cases, seed {SEED}, {JOBS} at a time", flush=True)
    with cf.ThreadPoolExecutor(max_workers=JOBS) as ex:
        for name, why in ex.map(lambda c: run_case(c[0], c[1], good, want=c[2] if len(c) > 2
                                                   else None), cases):
            if why:
                results["fail"] += 1
                failures.append((name, why))
                print(f"FAIL {name}: {why}", flush=True)
            else:
                results["pass"] += 1
    # the earlier run folder and the protected files are untouched
    if tree_state(good["run"]) != before:
        results["fail"] += 1
        print("FAIL the run folder made before the matrix changed")
    else:
        results["pass"] += 1
    for kind, path in (("FIFO", fifo_out), ("symlink", link_out)):
        st = os.lstat(path)
        ok = stat.S_ISFIFO(st.st_mode) if kind == "FIFO" else stat.S_ISLNK(st.st_mode)
        results["pass" if ok else "fail"] += 1
        if not ok:
            print(f"FAIL the {kind} output target was replaced")
    ok = stat.S_ISCHR(os.stat("/dev/null").st_mode)
    results["pass" if ok else "fail"] += 1
    shutil.rmtree(root, ignore_errors=True)
    print(f"{results['pass']} passed, {results['fail']} failed")
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
