#!/usr/bin/env python3
"""Whole-process regeneration benchmarks (issue 7, items 1 and 2). Linux; needs clang++.

    benches/regen.py floor   [--runs N] [--bin PATH] [--baseline PATH] [--rustfmt] [--single-thread]
    benches/regen.py scaling [--runs N] [--bin PATH] [--baseline PATH] [--scales 1 10 100]

`floor`: `httpserv-codegen generate` on the bundled header against the floor, a bare
`clang++ -fsyntax-only` of the same translation unit with the same flags, measured in the same
run, interleaved (so drift hits all equally). Also shown: the libclang floor (the libclang the
generator loads, dlopen + parse with the generator's options, benches/libclang_floor.c; needs
`cc`) and the per-stage breakdown from `generate --time-stages` (medians). `--baseline` adds
another generator binary (e.g. one built from an older commit) to the same run. Each run writes
a new output folder unless `--reuse-out` (then the file is there and unchanged, and is not
rewritten). `--rustfmt` adds `generate --rustfmt` (every item formatted by rustfmt processes
started before the parse, the path before the printer laid items out itself) to the same run:
the before/after ratio of that change, measured interleaved. `--single-thread` adds `generate
--single-thread` (emitting and printing on one thread, as before they shared two) likewise.

`scaling`: synthetic headers with 1x, 10x, 100x the classes (benches/synthetic.py); for each,
generate and two floors of that header, `clang++ -fsyntax-only` and the libclang floor; the
growth of (generate - floor) against 1x and from each scale to the next; and the growth of
generate less its own parse stages, the floor measured in the same process. `--baseline` adds
another generator binary to the same runs.

Medians of wall time; `cpu` is user+sys of the process and the children it waited for
(rustfmt). Without --bin the release binary is built first (`cargo build --release`).
"""

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benches"))
import synthetic  # noqa: E402

CLANG_FLAGS = ["-x", "c++", "-std=c++14", "-fms-extensions", "-fms-compatibility", "-fno-rtti",
               "-nostdlibinc", "-DWIN32", '-D__FUNCTION__=""', "--target=x86_64-pc-windows-msvc",
               f"-I{ROOT / 'codegen/sdk/shims'}"]


def run(cmd, env=None):
    """(wall seconds, cpu seconds, stderr) of one run; fails loudly on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{stderr.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, stderr.decode(errors="replace")


def stage_times(stderr):
    return {m[1].strip(): float(m[2]) for m in re.finditer(r"^time: (.+?)\s+([\d.]+) ms$",
                                                            stderr, re.M)}


def libclang_path():
    """The libclang httpserv-codegen loads: LIBCLANG_PATH, else the highest version in the
    usual Linux folders (the rule of codegen/src/libclang.rs, simplified)."""
    if os.environ.get("LIBCLANG_PATH"):
        return Path(os.environ["LIBCLANG_PATH"])

    def version(name):
        v = name[len("libclang.so."):] if name.startswith("libclang.so.") else \
            name[9:-3] if name.startswith("libclang-") else ""
        return [int(p) if p.isdigit() else 0 for p in v.split(".")] if v else []

    best = None
    for d in [*Path("/usr/lib").glob("llvm*/lib"), *Path("/usr/lib").glob("*-linux-*"),
              Path("/usr/lib"), Path("/usr/local/lib")]:
        for f in sorted(d.glob("libclang*.so*")):
            if "-cpp." in f.name or not re.match(r"libclang(-[\d.]+)?\.so", f.name):
                continue
            if best is None or version(f.name) > best[0]:
                best = (version(f.name), f)
    return best and best[1]


def build_libclang_floor(work):
    exe = work / "libclang_floor"
    try:
        subprocess.run(["cc", "-O2", "-o", exe, ROOT / "benches/libclang_floor.c", "-ldl"],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return exe


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def measure(commands, runs, prepare=None, envs=None, groups=None):
    """Interleaved runs of every command; name -> {"wall": [...], "cpu": [...], "stages": [...]}.
    `prepare` (name -> function) runs untimed before each run of that command; `envs` (name ->
    environment) replaces the environment of that command. `groups` (lists of names; default:
    one of all) run one after the other in each round, each in an order shuffled anew every
    round: a process runs measurably slower right after some others (the generator at 100x,
    after the libclang floor rather than after another generator: +100 ms of 1.5 s), so no
    command may always follow the same one."""
    prepare, envs = prepare or {}, envs or {}
    groups = groups or [list(commands)]
    shuffle = random.Random(7).shuffle  # the same orders in every run of the script
    for name, cmd in commands.items():  # warm caches, fail early
        prepare.get(name, lambda: None)()
        run(cmd, envs.get(name))
    samples = {name: {"wall": [], "cpu": [], "stages": []} for name in commands}
    for _ in range(runs):
        for group in groups:
            group = list(group)
            shuffle(group)
            for name in group:
                cmd = commands[name]
                prepare.get(name, lambda: None)()
                wall, cpu, stderr = run(cmd, envs.get(name))
                samples[name]["wall"].append(wall)
                samples[name]["cpu"].append(cpu)
                samples[name]["stages"].append(stage_times(stderr))
    return samples


def binary(args):
    if args.bin:
        return Path(args.bin)
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "httpserv-codegen"],
                   cwd=ROOT, check=True)
    return ROOT / "target/release/httpserv-codegen"


def floor_bench(args):
    bin_ = binary(args)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tu = work / "tu.cpp"
        tu.write_text(f'#include <windows.h>\n#include "{ROOT / "codegen/sdk/httpserv.h"}"\n')
        commands = {"clang++ -fsyntax-only (floor)": ["clang++", *CLANG_FLAGS, "-fsyntax-only", tu]}
        lib, floor_exe = libclang_path(), build_libclang_floor(work)
        if lib and floor_exe:
            commands[f"libclang floor ({lib.name})"] = [floor_exe, lib, tu, *CLANG_FLAGS]
        commands["httpserv-codegen generate"] = [bin_, "generate", "--out", work / "out",
                                                 "--time-stages"]
        if args.baseline:
            commands["baseline generate"] = [args.baseline, "generate", "--out", work / "base"]
        envs = {}
        # Other paths of the same binary, measured in the same run: name -> (flag, out folder).
        variants = {}
        if args.rustfmt:
            variants["generate --rustfmt (every item through rustfmt)"] = ("--rustfmt", "forced")
        if args.single_thread:
            variants["generate --single-thread"] = ("--single-thread", "single")
        for name, (flag, out) in variants.items():
            commands[name] = [bin_, "generate", flag, "--out", work / out, "--time-stages"]
        # By default every run writes a new crate folder (a changed header); with --reuse-out
        # the file is already there, unchanged (a regeneration that changes nothing).
        outs = {"httpserv-codegen generate": "out", "baseline generate": "base",
                **{name: out for name, (_, out) in variants.items()}}
        prepare = {} if args.reuse_out else {
            name: (lambda out=out: shutil.rmtree(work / out, ignore_errors=True))
            for name, out in outs.items()
        }
        samples = measure(commands, args.runs, prepare, envs)
    floor = median(samples["clang++ -fsyntax-only (floor)"]["wall"])
    floor_cpu = median(samples["clang++ -fsyntax-only (floor)"]["cpu"])
    print(f"runs: {args.runs}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
          f"output {'reused (unchanged)' if args.reuse_out else 'written anew each run'}")
    print()
    print("| command | wall (median) | vs floor | cpu (median) | vs floor |")
    print("|---|---:|---:|---:|---:|")
    for name, s in samples.items():
        w, c = median(s["wall"]), median(s["cpu"])
        print(f"| {name} | {w * 1000:.1f} ms | {w / floor:.2f}x | {c * 1000:.1f} ms | "
              f"{c / floor_cpu:.2f}x |")
    columns = {"generate": samples["httpserv-codegen generate"]["stages"]}
    for name, (flag, _) in variants.items():
        columns[f"generate {flag}"] = samples[name]["stages"]
    if not all(stages and stages[0] for stages in columns.values()):
        return
    # Stage names in the order the first column met them, the others' own stages before the
    # three totals.
    names = []
    for stages in columns.values():
        for name in stages[0]:
            if name not in names:
                totals = [n for n in names if n.startswith("(")]
                names.insert(len(names) - len(totals), name)
    print()
    print("| stage of `--time-stages` | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name in names:
        cells = [f"{median([s.get(name, 0.0) for s in stages]):.1f} ms"
                 if name in stages[0] else "—" for stages in columns.values()]
        print(f"| {name} | " + " | ".join(cells) + " |")


# The generator's own parse: what `--time-stages` reports for finding, loading and running
# libclang (the libclang floor's work, measured inside the generator's process).
PARSE_STAGES = ("find libclang", "parse: load libclang", "parse: libclang")


def scaling_bench(args):
    bin_ = binary(args)
    generators = {"generate": bin_, **({"baseline": Path(args.baseline)} if args.baseline else {})}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        lib, floor_exe = libclang_path(), build_libclang_floor(work)
        floors = ["clang++"] + (["libclang"] if lib and floor_exe else [])
        commands, groups = {}, []
        for n in args.scales:
            # One group per scale: a small process after a 100x one would pay for it too.
            groups.append([f"clang++ {n}x", *([f"libclang {n}x"] if "libclang" in floors else []),
                           *(f"{name} {n}x" for name in generators)])
            header = work / f"synthetic-{n}x.h"
            header.write_text(synthetic.synthetic(n))
            tu = work / f"tu-{n}x.cpp"
            tu.write_text(f'#include <windows.h>\n#include "{header}"\n')
            commands[f"clang++ {n}x"] = ["clang++", *CLANG_FLAGS, "-fsyntax-only", tu]
            if "libclang" in floors:
                commands[f"libclang {n}x"] = [floor_exe, lib, tu, *CLANG_FLAGS]
            for name, exe in generators.items():
                commands[f"{name} {n}x"] = [exe, "generate", "--header", header,
                                            "--out", work / f"{name}-{n}x", "--time-stages"]
        samples = measure(commands, args.runs, groups=groups)
    base = args.scales[0]
    steps = list(zip(args.scales, args.scales[1:]))
    wall = {name: median(s["wall"]) for name, s in samples.items()}
    print(f"runs: {args.runs}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    # Two floors measured as processes of their own: `clang++ -fsyntax-only` (the floor of item
    # 1; here clang++ is another LLVM version than the libclang the generator loads, and the two
    # parsers do not grow alike) and the libclang floor (the generator's own libclang and parse
    # options, no AST walk): what the generator adds to its own parse.
    for name in generators:
        for floor in floors:
            net = {n: wall[f"{name} {n}x"] - wall[f"{floor} {n}x"] for n in args.scales}
            print()
            print(f"| scale | {floor} floor | {name} | {name} - floor | growth vs {base}x |")
            print("|---|---:|---:|---:|---:|")
            for n in args.scales:
                print(f"| {n}x | {wall[f'{floor} {n}x'] * 1000:.0f} ms | "
                      f"{wall[f'{name} {n}x'] * 1000:.0f} ms | {net[n] * 1000:.0f} ms | "
                      f"{net[n] / net[base]:.2f}x (input {n // base}x) |")
            print()
            print(f"{name}, growth per step: " + ", ".join(
                f"{a}x -> {b}x: {net[b] / net[a]:.2f}x (input {b // a}x)" for a, b in steps))
        # The floor measured inside the same process: each run's wall time less its own parse
        # stages. A difference of two separate processes' medians moves with the machine's
        # speed between them (the floor and the generator each take about a second at 100x);
        # this one does not, and its floor is the generator's own libclang, allocator included.
        own = {n: median([w - sum(st.get(k, 0.0) for k in PARSE_STAGES) / 1000
                          for w, st in zip(samples[f"{name} {n}x"]["wall"],
                                           samples[f"{name} {n}x"]["stages"])])
               for n in args.scales}
        print()
        print(f"{name} less its own parse (in the same process): " + ", ".join(
            f"{n}x {own[n] * 1000:.0f} ms" for n in args.scales) + "; growth per step: " +
            ", ".join(f"{a}x -> {b}x: {own[b] / own[a]:.2f}x" for a, b in steps))
    for name in generators:
        print()
        stages = {n: samples[f"{name} {n}x"]["stages"] for n in args.scales}
        names = list(stages[base][0])
        print(f"| stage of {name} | " + " | ".join(f"{n}x" for n in args.scales) + " |")
        print("|---|" + "---:|" * len(args.scales))
        for stage in names:
            cells = [median([s.get(stage, 0.0) for s in stages[n]]) for n in args.scales]
            print(f"| {stage} | " + " | ".join(f"{c:.0f} ms" for c in cells) + " |")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    f = sub.add_parser("floor", help="generate vs clang++ -fsyntax-only, stage breakdown")
    f.add_argument("--runs", type=int, default=30)
    f.add_argument("--bin", help="httpserv-codegen binary (default: build the release one)")
    f.add_argument("--baseline", help="another httpserv-codegen binary to time in the same run")
    f.add_argument("--reuse-out", action="store_true",
                   help="generate into the same folder every run (the file is then unchanged)")
    f.add_argument("--rustfmt", action="store_true",
                   help="also time `generate --rustfmt` (every item through rustfmt: the old path)")
    f.add_argument("--single-thread", action="store_true",
                   help="also time `generate --single-thread` (emit and print on one thread)")
    s = sub.add_parser("scaling", help="synthetic 1x/10x/100x headers")
    s.add_argument("--runs", type=int, default=5)
    s.add_argument("--bin")
    s.add_argument("--baseline", help="another httpserv-codegen binary to time in the same run")
    s.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    args = p.parse_args()
    floor_bench(args) if args.mode == "floor" else scaling_bench(args)


if __name__ == "__main__":
    main()
