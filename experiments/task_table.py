"""Distilled task batches beside the random policy: fresh learners after ONE SGD step, sampled and greedy actions.

Each row: `evaluate_batch` with N fresh learners (seed 10000, disjoint from training), one episode each; mean with
its 95% t-interval over the learners (the learners vary; each batch is one distillation run). A PPO baseline
(`ddrl task ppo`) is one trained policy playing N episodes (the interval is over its episodes; the run is one
seed), and the random policy plays N episodes in the same task env (`make_task_env`) on the same seeds. Mind that
Hopper and Walker2d pay 1 per step alive: a learner that balances without moving scores ~1,000 in 1,000 steps.
The last column: each row's sampled mean minus the random policy's, with a 95% Welch interval, and the verdict
after Holm's correction over the rows of the table ("beats" / "loses" only when the corrected test rejects 0).
Usage: python experiments/task_table.py --env Hopper-v5 [--learners 20] RUN [RUN ...] [--ppo PPO_RUN ...]
"""
import argparse
from dataclasses import fields
from pathlib import Path
import numpy as np
from ddrl.eval import Estimate, holm
from ddrl.task import PPMOConfig, load_batch, evaluate_batch, evaluate_policy, load_ppo, make_task_env, read_task_curve

def interval(r) -> str:
    "Mean [95% t-interval]."
    r = np.asarray(r, float)
    low, high = Estimate(r.mean(), r.std(ddof=1) / np.sqrt(len(r)), len(r) - 1).interval()
    return f"{r.mean():.1f} [{low:.1f}, {high:.1f}]"

def random_returns(env_name: str, n: int, seed: int = 10_000) -> np.ndarray:
    "Returns of the uniform random policy, one episode in each of n copies of the task env, seeded as the learners'."
    env = make_task_env(env_name, n, seed=seed)
    env.reset(seed=seed)
    env.action_space.seed(seed)
    returns, alive = np.zeros(n), np.ones(n, bool)
    while alive.any():
        _, rew, term, trunc, _ = env.step(env.action_space.sample())
        returns += rew * alive
        alive &= ~(term | trunc)
    env.close()
    return returns

def versus(a, b) -> Estimate:
    "mean(a) - mean(b) with Welch's standard error and degrees of freedom (independent draws)."
    a, b = np.asarray(a, float), np.asarray(b, float)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)) if va + vb > 0 else np.inf
    return Estimate(float(a.mean() - b.mean()), float(np.sqrt(va + vb)), float(df))

def run_settings(run: str, cfg: dict) -> tuple[str, str]:
    "Meta-epochs done (from the run's curve when there is one) and the normalisation the run used."
    curve = Path(run) / "curve.csv"
    done = int(read_task_curve(run)[-1]["meta_epoch"]) if curve.exists() else cfg["meta_epochs"]
    states, rewards = PPMOConfig(**{f.name: cfg[f.name] for f in fields(PPMOConfig) if f.name in cfg}).norms
    return str(done), f"states {'on' if states else 'off'}, rewards {'on' if rewards else 'off'}"

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", required=True)
    ap.add_argument("--learners", type=int, default=20)
    ap.add_argument("runs", nargs="+", help="PPMO run folders (or batch.pt files)")
    ap.add_argument("--ppo", nargs="*", default=[], help="PPO baseline run folders (`ddrl task ppo`)")
    args = ap.parse_args()
    rows = []   # (name, steps, normalisation, sampled returns, greedy returns)
    for run in args.runs:
        b = load_batch(run)
        done, norm = run_settings(run, b.config)
        rows.append((run.rstrip("/").split("/")[-1], done, norm,
                     *(evaluate_batch(b, args.env, args.learners, greedy) for greedy in (False, True))))
    for run in args.ppo:
        net, weights, obs_norm, curve = load_ppo(run)
        rows.append((f"PPO baseline ({run.rstrip('/').split('/')[-1]})", f"{int(curve[-1]['env_steps']):,} env steps",
                     "as the PPMO run", *(evaluate_policy(net, weights, args.env, args.learners, greedy, obs_norm)
                                          for greedy in (False, True))))
    random = random_returns(args.env, args.learners)
    gains = [versus(sampled, random) for *_, sampled, _ in rows]
    adjusted = holm([g.p for g in gains])
    print(f"| {args.env} | meta-epochs | normalisation | sampled actions | greedy actions | sampled vs random (Holm) |")
    print("|---|---|---|---|---|---|")
    for (name, steps, norm, sampled, greedy), gain, p in zip(rows, gains, adjusted):
        low, high = gain.interval()
        verdict = "ties" if p >= 0.05 else ("beats" if gain.value > 0 else "loses")
        print(f"| {name} | {steps} | {norm} | {interval(sampled)} | {interval(greedy)} | "
              f"{gain.value:+.1f} [{low:+.1f}, {high:+.1f}] {verdict} (p {p:.3f}) |")
    print(f"| random policy | - | - | {interval(random)} | - | |")

if __name__ == "__main__":
    main()
