"""Student training paths and vectorised evaluation, measured side by side in one run (ratios).

1. Behavioural cloning of the paper's student at batch 256: plain eager (contiguous NCHW) vs
   channels-last vs torch.compile (+channels-last) vs the torch.func vmap path (K students at once);
   seconds per 1000 steps per student, extrapolated from a few timed steps after a warm-up.
2. Evaluation of a student: wall time to play the same number of whole episodes with 64 environments
   stepped together vs one environment at a time (same policy and levels; the vectorised run waits for
   its slowest episodes, which is part of the honest cost of unbiased episode selection).
Usage: python benchmarks/bc_eval_speed.py [--steps 20] [--students 4] [--device cpu]
"""
import argparse, time
from dataclasses import replace
import numpy as np, torch
from ddrl.data import OfflineDataset, ProcgenSpec, play
from ddrl.bc import BCConfig, BCData, train_students

def toy_data(n=4096, seed=0):
    rng = np.random.default_rng(seed)
    return BCData.from_dataset(OfflineDataset(rng.integers(0, 256, (n, 64, 64, 3), dtype=np.uint8), rng.integers(0, 15, n),
                                              np.zeros(n), np.r_[np.zeros(n - 1), 1], np.zeros(n), [n], n_actions=15))

def time_per_1000(data, cfg, students, warmup=3):
    "Seconds per 1000 steps per student (after `warmup` steps, which include any compilation)."
    train_students(data, replace(cfg, steps=warmup), seeds=range(students), progress=False)
    t = time.perf_counter(); train_students(data, cfg, seeds=range(students), progress=False)
    return (time.perf_counter() - t) / (cfg.steps * students) * 1000

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=20); p.add_argument("--students", type=int, default=4)
    p.add_argument("--device", default="cpu"); p.add_argument("--episodes", type=int, default=128)
    a = p.parse_args()
    data = toy_data()
    base = BCConfig(steps=a.steps, batch_size=256, device=a.device, path="sequential", channels_last=False)
    paths = {"eager (NCHW)": base, "channels-last": replace(base, channels_last=True),
             "compile + channels-last": replace(base, channels_last=True, compile=True),
             f"vmap ({a.students} at once)": replace(base, path="vmap")}
    print(f"BC, paper student, batch 256, {a.students} students x {a.steps} timed steps, device {a.device}, {torch.get_num_threads()} threads")
    res = {name: time_per_1000(data, cfg, a.students) for name, cfg in paths.items()}
    eager = res["eager (NCHW)"]
    for name, sec in res.items(): print(f"  {name:26s} {sec:7.1f} s per 1000 steps   speed-up vs eager {eager / sec:4.2f}x")
    best = min(res, key=res.get); print(f"  fastest: {best}")
    student = train_students(data, replace(base, steps=1), seeds=[0], progress=False)[0]
    spec = ProcgenSpec("bigfish", seed=0)
    out = {}
    for n_envs in (64, 1):
        t = time.perf_counter(); r = play(student, replace(spec, num_envs=n_envs), a.episodes, progress=False)
        out[n_envs] = (time.perf_counter() - t, r["lengths"].sum())
    print(f"evaluation of {a.episodes} episodes: 64 envs {out[64][0]:.1f} s ({out[64][1]} frames), 1 env {out[1][0]:.1f} s "
          f"({out[1][1]} frames); speed-up {out[1][0] / out[64][0]:.1f}x")

if __name__ == "__main__":
    main()
