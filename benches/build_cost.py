#!/usr/bin/env python3
"""Build cost (issue 7, item 5): how long cargo takes to build the bindings. Linux/macOS.

    benches/build_cost.py cold        [--runs N] [--release] [--jobs J] [--baseline DIR]
                                      [--as-dependency | --incremental]
    benches/build_cost.py incremental [--runs N]

`cold`: `cargo build -p httpserv` (the generated crate with its proc-macros, everything from
scratch) against a crate that depends only on windows-sys with the same features (the floor:
what any binding of these types costs), each run in a new CARGO_TARGET_DIR, interleaved.
Both use this workspace's Cargo.lock versions, offline. Also prints the slowest units of the
last httpserv build (from `cargo build --timings`). `--baseline DIR`: another checkout of this
repository (e.g. `git worktree add /tmp/before <commit>`) whose `httpserv` is built in the same
runs, interleaved, with that checkout's Cargo.lock: before/after in the same conditions.
By default `httpserv` is built as this workspace builds it: its profile turns incremental
compilation off for the generated crate (`[profile.dev.package.httpserv]` in Cargo.toml).
`--as-dependency`: everything without incremental compilation (CARGO_INCREMENTAL=0), which is
how cargo builds a git or registry dependency. `--incremental`: everything with it
(CARGO_INCREMENTAL=1), which is how cargo builds a path dependency or workspace member whose
workspace lacks that profile line: a cold build then pays for the bookkeeping.

`incremental`: a module crate (a copy of examples/hello as a cdylib, depending on
generated/ by path) built once, then rebuilt after a one-line change of its source.

Medians of wall time; cpu is user+sys of cargo and everything it ran.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd, cwd, env=None):
    """(wall seconds, cpu seconds) of one command, which must succeed."""
    before = os.times()
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{result.stderr}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def windows_sys_dependency():
    """The version of windows-sys in Cargo.lock and the features the generated crate enables."""
    lock = tomllib.loads((ROOT / "Cargo.lock").read_text())
    version = next(p["version"] for p in lock["package"] if p["name"] == "windows-sys")
    manifest = tomllib.loads((ROOT / "generated/Cargo.toml").read_text())
    features = manifest["dependencies"]["windows-sys"]["features"]
    return version, features


def floor_crate(work):
    """A library crate depending only on windows-sys with the generated crate's features."""
    version, features = windows_sys_dependency()
    crate = work / "windows-sys-only"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "windows-sys-only"\nversion = "0.1.0"\nedition = "2024"\n\n'
        f'[dependencies]\nwindows-sys = {{ version = "={version}", features = {json.dumps(features)} }}\n'
        "\n[workspace]\n")
    # Every type the features declare is compiled, as in the generated crate.
    (crate / "src/lib.rs").write_text("pub use windows_sys;\n")
    shutil.copy(ROOT / "Cargo.lock", crate / "Cargo.lock")
    return crate


def module_crate(work):
    """A copy of examples/hello, as its own cdylib crate depending on generated/ by path."""
    version, _ = windows_sys_dependency()
    crate = work / "module"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "module"\nversion = "0.1.0"\nedition = "2024"\n\n'
        '[lib]\ncrate-type = ["cdylib"]\n\n'
        f'[dependencies]\nhttpserv = {{ path = "{ROOT / "generated"}" }}\n'
        f'windows-sys = {{ version = "={version}", features = ["Win32_Networking_HttpServer"] }}\n'
        "\n[workspace]\n")
    shutil.copy(ROOT / "examples/hello/src/lib.rs", crate / "src/lib.rs")
    shutil.copy(ROOT / "Cargo.lock", crate / "Cargo.lock")
    return crate


def slowest_units(target_dir, count=6):
    """(name, mode, seconds) of the slowest units of the last `--timings` build."""
    html = (Path(target_dir) / "cargo-timings/cargo-timing.html").read_text()
    match = re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S)
    if not match:
        return []
    units = json.loads(match.group(1))
    units.sort(key=lambda u: -u["duration"])
    return [(u["name"], u.get("target", "").strip() or u["mode"], u["duration"]) for u in units[:count]]


def cold(args):
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    profile = ["--release"] if args.release else []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        floor = floor_crate(work)
        samples = {"httpserv": [], "windows-sys only": []}
        if args.baseline:
            samples["httpserv (baseline)"] = []
        last_target = None
        for i in range(args.runs):
            for name in samples:
                target = work / f"target-{name.replace(' ', '-')}-{i}"
                env = dict(os.environ, CARGO_TARGET_DIR=str(target))
                if args.as_dependency:
                    env["CARGO_INCREMENTAL"] = "0"
                elif args.incremental:
                    env["CARGO_INCREMENTAL"] = "1"
                if name == "httpserv":
                    cmd = ["cargo", "build", "--quiet", "--offline", "--timings", "-p", "httpserv",
                           *profile, *jobs]
                    samples[name].append(timed(cmd, ROOT, env))
                    last_target = target
                elif name == "httpserv (baseline)":
                    cmd = ["cargo", "build", "--quiet", "--offline", "--timings", "-p", "httpserv",
                           *profile, *jobs]
                    samples[name].append(timed(cmd, Path(args.baseline).resolve(), env))
                else:
                    # `--timings` in every build, as the httpserv one needs it for its units.
                    cmd = ["cargo", "build", "--quiet", "--offline", "--timings", *profile, *jobs]
                    samples[name].append(timed(cmd, floor, env))
                if name != "httpserv" or i < args.runs - 1:
                    shutil.rmtree(target, ignore_errors=True)
        units = slowest_units(last_target)
    wall = {n: statistics.median(w for w, _ in s) for n, s in samples.items()}
    cpu = {n: statistics.median(c for _, c in s) for n, s in samples.items()}
    floor_wall, floor_cpu = wall["windows-sys only"], cpu["windows-sys only"]
    how = (" as a dependency (CARGO_INCREMENTAL=0)" if args.as_dependency
           else " with incremental compilation (CARGO_INCREMENTAL=1)" if args.incremental
           else " with this workspace's profile")
    print(f"cold `cargo build{' --release' if args.release else ''}`{how}, runs: {args.runs}, "
          f"jobs: {args.jobs or os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    print()
    print("| crate | wall (median) | vs floor | cpu (median) | vs floor |")
    print("|---|---:|---:|---:|---:|")
    for name in samples:
        print(f"| {name} | {wall[name]:.1f} s | {wall[name] / floor_wall:.2f}x | "
              f"{cpu[name]:.1f} s | {cpu[name] / floor_cpu:.2f}x |")
    print()
    print("| slowest units of the last httpserv build | seconds |")
    print("|---|---:|")
    for name, what, seconds in units:
        print(f"| {name} ({what}) | {seconds:.2f} |")


def incremental(args):
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        crate = module_crate(work)
        env = dict(os.environ, CARGO_TARGET_DIR=str(work / "target"))
        build = ["cargo", "build", "--quiet", "--offline"]
        first = timed(build, crate, env)
        source = crate / "src/lib.rs"
        text = source.read_text()
        line = 'pub const BODY: &[u8] = b"Hello from an IIS module written in Rust!\\r\\n";'
        if line not in text:
            sys.exit("examples/hello/src/lib.rs no longer has the BODY line this benchmark edits")
        samples = []
        for i in range(args.runs):
            source.write_text(text.replace(line, line.replace("Rust!", f"Rust! ({i})")))
            samples.append(timed(build, crate, env))
    print(f"incremental `cargo build` of a module crate (examples/hello as a cdylib) after a "
          f"one-line change, runs: {args.runs}, load average {os.getloadavg()[0]:.2f}")
    print()
    print("| build | wall (median) | cpu (median) |")
    print("|---|---:|---:|")
    print(f"| first (httpserv and dependencies included) | {first[0]:.1f} s | {first[1]:.1f} s |")
    print(f"| after a one-line change | {statistics.median(w for w, _ in samples):.2f} s | "
          f"{statistics.median(c for _, c in samples):.2f} s |")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("cold", help="cold build of httpserv vs windows-sys alone")
    c.add_argument("--runs", type=int, default=3)
    c.add_argument("--release", action="store_true")
    c.add_argument("--jobs", type=int, help="cargo --jobs (default: all cores)")
    how = c.add_mutually_exclusive_group()
    how.add_argument("--as-dependency", action="store_true",
                     help="no incremental compilation, as for a git or registry dependency")
    how.add_argument("--incremental", action="store_true",
                     help="incremental compilation, as for a path dependency without the profile line")
    c.add_argument("--baseline", metavar="DIR",
                   help="another checkout of this repository to build in the same runs")
    i = sub.add_parser("incremental", help="rebuild of a module after a one-line change")
    i.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    cold(args) if args.mode == "cold" else incremental(args)


if __name__ == "__main__":
    main()
