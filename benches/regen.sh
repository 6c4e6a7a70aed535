#!/usr/bin/env bash
# Whole-process benchmark: full `httpserv-codegen generate` on the bundled header against the
# floor, a bare `clang++ -fsyntax-only` of the same translation unit with the same flags,
# measured in the same run. Prints medians and the ratio. Usage: benches/regen.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
cargo build --quiet --release -p httpserv-codegen
bin=target/release/httpserv-codegen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#include <windows.h>\n#include "%s"\n' "$PWD/codegen/sdk/httpserv.h" > "$work/tu.cpp"
floor=(clang++ -x c++ -std=c++14 -fms-extensions -fms-compatibility -fno-rtti -nostdlibinc
       -DWIN32 '-D__FUNCTION__=""' --target=x86_64-pc-windows-msvc -Icodegen/sdk/shims
       -fsyntax-only "$work/tu.cpp")
generate=("$bin" generate --out "$work/out")
"${floor[@]}"; "${generate[@]}" 2>/dev/null   # warm caches, fail early

python3 - "$runs" "$work" <<'PY'
import statistics, subprocess, sys, time
runs, work = int(sys.argv[1]), sys.argv[2]
floor = ["clang++", "-x", "c++", "-std=c++14", "-fms-extensions", "-fms-compatibility", "-fno-rtti",
         "-nostdlibinc", "-DWIN32", '-D__FUNCTION__=""', "--target=x86_64-pc-windows-msvc",
         "-Icodegen/sdk/shims", "-fsyntax-only", f"{work}/tu.cpp"]
generate = ["target/release/httpserv-codegen", "generate", "--out", f"{work}/out"]
def measure(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t
samples = {"floor": [], "generate": []}
for _ in range(runs):  # interleaved, so drift hits both equally
    samples["floor"].append(measure(floor))
    samples["generate"].append(measure(generate))
f, g = (statistics.median(samples[k]) for k in ("floor", "generate"))
print(f"runs: {runs}")
print(f"clang++ -fsyntax-only (floor): median {f*1000:.1f} ms")
print(f"httpserv-codegen generate    : median {g*1000:.1f} ms")
print(f"ratio generate / floor       : {g/f:.2f}")
PY
