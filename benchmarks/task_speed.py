"""PPMO speed per task: environment steps/s and meta-epochs/s, with and without state/reward normalisation.

Each row is `ppmo` for a few meta-epochs at the reference's sizes (1 learner x 10 environments x 200 steps per
meta-epoch, 4 PPO epochs x 4 minibatches): cart-pole with 2 states, MuJoCo with 64, Pong with 4 (if the atari extra
is installed). The first meta-epoch (start-up, warm-up of the statistics) is timed apart; s/meta-epoch is the mean
of the rest. For the MuJoCo tasks the same run is made with `obs_norm`/`reward_norm` on (the default) and off, side
by side, and their ratio printed: what the normalisation costs. The projection column is the wall time of
`--project` meta-epochs at that speed.
Usage: python benchmarks/task_speed.py [--meta-epochs 4] [--project 2000] [--envs cartpole Hopper-v5 ...]
"""
import argparse, datetime, os, platform, time
import torch
from ddrl.task import PPMOConfig, ppmo

TASKS = {"cartpole": 2, "cartpole-3d": 4, "Hopper-v5": 64, "HalfCheetah-v5": 64, "Walker2d-v5": 64, "ALE/Pong-v5": 4}

def measure(env: str, size: int, meta_epochs: int, norm: str) -> dict:
    "Seconds of the first meta-epoch and mean seconds of the others, from the run's curve."
    cfg = PPMOConfig(env, size=size, meta_epochs=meta_epochs, obs_norm=norm, reward_norm=norm, seed=0)
    t0 = time.perf_counter()
    batch = ppmo(cfg, progress=False)
    wall = time.perf_counter() - t0
    seconds = [r["seconds"] for r in batch.curve]
    per = [b - a for a, b in zip(seconds, seconds[1:])]
    steps = cfg.learners * cfg.envs_per_learner * cfg.rollout
    mean = sum(per) / len(per)
    return dict(first=wall - (seconds[-1] - seconds[0]), per=mean, steps_per_s=steps / mean)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--meta-epochs", type=int, default=4)
    ap.add_argument("--project", type=int, default=2000, help="meta-epochs in the projection column")
    ap.add_argument("--envs", nargs="+", default=list(TASKS))
    args = ap.parse_args()
    print(f"# {datetime.date.today()} on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{torch.get_num_threads()} torch threads; {args.meta_epochs} meta-epochs per row")
    print(f"{'task':16s} {'states':>6s} {'norm':>4s} {'first s':>8s} {'s/meta-ep':>10s} {'meta-ep/s':>10s} "
          f"{'env steps/s':>12s} {'vs off':>7s} {f'{args.project} meta-ep':>14s}")
    for env in args.envs:
        size = TASKS.get(env, 64)
        norms = ("on", "off") if not (env.startswith("cartpole") or env.startswith("ALE/")) else ("off",)
        rows = {}
        for norm in norms:
            try: rows[norm] = measure(env, size, args.meta_epochs, norm)
            except ImportError as e:
                print(f"{env:16s} skipped: {e}")
                break
        for norm, r in rows.items():
            ratio = f"{r['per'] / rows['off']['per']:6.2f}x" if "off" in rows else ""
            print(f"{env:16s} {size:6d} {norm:>4s} {r['first']:8.1f} {r['per']:10.2f} {1 / r['per']:10.3f} "
                  f"{r['steps_per_s']:12.0f} {ratio:>7s} {r['per'] * args.project / 3600:12.1f} h", flush=True)

if __name__ == "__main__":
    main()
