"""Distilled task batches beside the random policy: fresh learners after ONE SGD step, sampled and greedy actions.

Each row: `evaluate_batch` with N fresh learners (seed 10000, disjoint from training), one episode each; mean with
its 95% t-interval over the learners (the learners vary; each batch is one distillation run). A PPO baseline
(`ddrl task ppo`) is one trained policy playing N episodes (the interval is over its episodes; the run is one
seed), and the random policy plays N episodes on the same seeds. Mind that Hopper and Walker2d pay 1 per step
alive: a learner that balances without moving scores ~1,000 in their 1,000 steps.
Usage: python experiments/task_table.py --env Hopper-v5 [--learners 20] RUN [RUN ...] [--ppo PPO_RUN ...]
"""
import argparse
import gymnasium as gym, numpy as np
from ddrl.eval import Estimate
from ddrl.task import load_batch, evaluate_batch, evaluate_policy, load_ppo

def interval(r) -> str:
    "Mean [95% t-interval]."
    r = np.asarray(r, float)
    low, high = Estimate(r.mean(), r.std(ddof=1) / np.sqrt(len(r)), len(r) - 1).interval()
    return f"{r.mean():.1f} [{low:.1f}, {high:.1f}]"

def random_returns(env_name: str, n: int, seed: int = 10_000) -> list[float]:
    "Returns of the uniform random policy, one episode per seed."
    env, out = gym.make(env_name), []
    for s in range(seed, seed + n):
        env.reset(seed=s)
        env.action_space.seed(s)
        done, ret = False, 0.0
        while not done:
            _, r, term, trunc, _ = env.step(env.action_space.sample())
            ret, done = ret + r, term or trunc
        out.append(ret)
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", required=True)
    ap.add_argument("--learners", type=int, default=20)
    ap.add_argument("runs", nargs="+", help="PPMO run folders (or batch.pt files)")
    ap.add_argument("--ppo", nargs="*", default=[], help="PPO baseline run folders (`ddrl task ppo`)")
    args = ap.parse_args()
    print(f"| {args.env} | meta-epochs | normalisation | sampled actions | greedy actions |")
    print("|---|---|---|---|---|")
    for run in args.runs:
        b = load_batch(run)
        cfg = b.config
        norm = f"states {cfg.get('obs_norm', 'off')}, rewards {cfg.get('reward_norm', 'off')}"
        cells = [interval(evaluate_batch(b, args.env, args.learners, greedy)) for greedy in (False, True)]
        print(f"| {run.rstrip('/').split('/')[-1]} | {cfg['meta_epochs']} | {norm} | {cells[0]} | {cells[1]} |")
    for run in args.ppo:
        net, weights, obs_norm, curve = load_ppo(run)
        cells = [interval(evaluate_policy(net, weights, args.env, args.learners, greedy, obs_norm))
                 for greedy in (False, True)]
        steps = f"{int(curve[-1]['env_steps']):,} env steps"
        name = run.rstrip("/").split("/")[-1]
        print(f"| PPO baseline ({name}) | {steps} | as the PPMO run | {cells[0]} | {cells[1]} |")
    print(f"| random policy | - | - | {interval(random_returns(args.env, args.learners))} | - |")

if __name__ == "__main__":
    main()
