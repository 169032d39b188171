"""`ddrl run` end to end as a user runs it: per-stage wall time of the two executors side by side.

For each preset (default: ci and quick) the same run (bigfish; torch threads as `make run` uses them unless
`--threads` says otherwise) is made twice, from the command line: with `--executor papermill` (the default: each stage notebook's stage cells executed in one kernel, the
executed notebooks kept) and with `--executor inprocess` (the stage functions called directly). Printed per stage:
wall seconds of each executor and their ratio, and the stage's units with wall and CPU seconds per unit of the
papermill run (on an idle machine, its wall seconds per unit are `ddrl.pipeline.STAGE_SPEEDS`). End to end includes
start-up, imports and the report. The bars (issue 25): ci <= 60 s and quick <= 5 min end to end on an idle 2-core
machine, with the default threads (`make run`).
Usage: python benchmarks/pipeline_speed.py [--presets ci quick] [--game bigfish] [--threads 0]
"""
import argparse, datetime, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path

EXECUTORS = ("papermill", "inprocess")

def run(game: str, preset: str, executor: str, out: Path, threads: int) -> dict:
    "One `ddrl run` in a subprocess: end-to-end wall and CPU seconds (the command and its kernel), the manifest."
    cmd = [str(Path(sys.executable).parent / "ddrl"), "run", "--env", game, "--preset", preset, "--set",
           f"threads={threads}", "--executor", executor, "--out", str(out), "--quiet"]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)} if threads else dict(os.environ)
    cpu0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall, cpu1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode: sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr[-3000:]}")
    manifest = json.loads((out / game / preset / "manifest.json").read_text())
    return dict(wall=wall, cpu=(cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime), manifest=manifest)

def report(game: str, preset: str, res: dict, threads: int):
    "Per-stage wall seconds side by side, the ratio, and the units with wall and CPU seconds per unit."
    p, i = (res[e]["manifest"]["stages"] for e in EXECUTORS)
    print(f"\n{game}, preset {preset}, threads={threads} (wall seconds; seconds per unit from the papermill run)")
    print(f"{'stage':10s} {'papermill':>10s} {'inprocess':>10s} {'ratio':>6s}   units, wall s and CPU s per unit")
    for stage in p:
        u = p[stage].get("units") or {}
        per = (f"{u['count']:g} {u['unit']}, {u['seconds'] / u['count']:.3g}, {u['cpu_seconds'] / u['count']:.3g}"
               if u.get("count") else "")
        ratio = f"{p[stage]['seconds'] / i[stage]['seconds']:6.2f}" if i[stage]["seconds"] else f"{'-':>6s}"
        print(f"{stage:10s} {p[stage]['seconds']:10.1f} {i[stage]['seconds']:10.1f} {ratio}   {per}")
    a, b = (res[e]["wall"] for e in EXECUTORS)
    print(f"{'end to end':10s} {a:10.1f} {b:10.1f} {a / b:6.2f}   (process start, imports, report included)")
    a, b = (res[e]["cpu"] for e in EXECUTORS)
    print(f"{'CPU s':10s} {a:10.1f} {b:10.1f} {a / b:6.2f}   (the command and its kernel)",
          flush=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="+", default=["ci", "quick"])
    ap.add_argument("--game", default="bigfish")
    ap.add_argument("--threads", type=int, default=0, help="torch threads per run (0: all cores, as `make run`)")
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip()
    print(f"{datetime.datetime.now():%Y-%m-%d %H:%M}, commit {commit}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for preset in args.presets:
            res = {e: run(args.game, preset, e, Path(tmp) / e, args.threads) for e in EXECUTORS}
            report(args.game, preset, res, args.threads)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end; the machine is shared: compare the executors within "
          f"one run, not absolute times across runs")

if __name__ == "__main__":
    main()
