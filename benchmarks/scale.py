"""Scale-out and bring-your-own-data benchmarks, measured side by side in one run.

1. The pipeline's grid of jobs (bigfish, a small preset: 4 BC datasets, the default distillation methods and the
   real-frame controls) in-process vs on a local Ray instance with 2 workers: wall time of the BC, distillation and
   evaluation stages (Ray's start-up reported apart), and a check that both give the same returns.
2. Peak memory (RSS) of distilling (expert-gm: every real frame goes through the expert) a dataset whose frames
   are larger than a memory cap: loaded whole vs kept on disk and read in chunks (`max_memory_mb`).
Usage: python benchmarks/scale.py [--frames 30000] [--cap-mb 64]
"""
import argparse, multiprocessing as mp, resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

GRID = dict(expert_episodes=8, num_envs=8, n_students=2, bc_steps=40, bc_batch=32, synthetic_size=30, distill_iterations=10,
            dc_iterations=1, dc_outer_loop=2, dc_inner_steps=5, syn_steps=30, eval_episodes=16, greedy=False)

def grid(tmp: Path):
    from ddrl.pipeline import run_pipeline, read_manifest, set_backend
    from ddrl.eval import load_results
    out = {}
    for label, backend, threads in (("in-process, 2 threads", "local", 0), ("in-process, 1 thread", "local", 1), ("Ray, 2 workers x 1 thread", "ray", 1)):
        t0 = time.perf_counter()
        if backend == "ray": set_backend("ray", num_cpus=2)
        startup = time.perf_counter() - t0
        run = run_pipeline("bigfish", "ci", out=tmp / label.replace(" ", "_"), backend=backend, executor="inprocess", progress=False,
                           log=lambda s: None, overrides=dict(GRID, threads=threads))
        st = read_manifest(run)["stages"]
        out[label] = (sum(st[s]["seconds"] for s in ("bc", "distill", "eval")), startup, load_results(run / "eval" / "results")["records"])
    base = out["in-process, 2 threads"][0]
    for label, (secs, startup, _) in out.items():
        print(f"grid (bigfish, {out[label][2].method.nunique()} methods), stages bc + distill + eval, {label:26s}: {secs:6.1f} s -> {base / secs:.2f}x"
              + (f" (Ray start-up {startup:.1f} s not included)" if "Ray" in label else ""), flush=True)
    a, b = out["in-process, 1 thread"][2], out["Ray, 2 workers x 1 thread"][2]
    same = a.equals(b)
    print(f"identical returns, in-process vs Ray at the same threads per job: {same}", flush=True)

def distill_child(path, cap, q):
    import torch
    from ddrl.data import load_dataset
    from ddrl.distill import DistillConfig, distill
    from ddrl.expert import load_expert
    t = time.perf_counter()
    ds = load_dataset(path, max_memory_mb=cap)
    distill(ds, DistillConfig("expert-gm", size=150, iterations=2), load_expert("bigfish"), progress=False)
    q.put((time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, getattr(ds.observations, "on_disk", False)))

def memory(tmp: Path, frames: int, cap: float):
    episodes = max(1, frames // 22)    # the writer's episodes have 5-39 steps
    subprocess.run([sys.executable, str(Path(__file__).parents[1] / "tests" / "byod_writer.py"), str(tmp / "big"), "--kind", "image",
                    "--episodes", str(episodes)], check=True, capture_output=True)
    subprocess.run([sys.executable, str(Path(__file__).parents[1] / "tests" / "byod_writer.py"), str(tmp / "small"), "--kind", "image",
                    "--episodes", "50"], check=True, capture_output=True)
    from ddrl.data import load_dataset
    n = len(load_dataset(tmp / "big", max_memory_mb=0).actions)
    size_mb = n * 64 * 64 * 3 / 2 ** 20
    ctx = mp.get_context("spawn")
    for label, path, c in (("small dataset (baseline)", "small", None), ("loaded whole", "big", None), (f"on disk, cap {cap:g} MB", "big", cap)):
        q = ctx.Queue(); p = ctx.Process(target=distill_child, args=(tmp / path, c, q)); p.start(); secs, rss, lazy = q.get(); p.join()
        m = len(load_dataset(tmp / path, max_memory_mb=0).actions)
        print(f"distil {m:6d} frames ({m * 64 * 64 * 3 / 2 ** 20:4.0f} MB of uint8 frames), expert-gm 150 frames x 2 iterations, "
              f"{label:24s}: peak RSS {rss:6.0f} MB, {secs:5.1f} s (observations on disk: {lazy})", flush=True)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frames", type=int, default=30000); p.add_argument("--cap-mb", type=float, default=64)
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp())
    try:
        grid(tmp); memory(tmp, a.frames, a.cap_mb)
    finally: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    main()
