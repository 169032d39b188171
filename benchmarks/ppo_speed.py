"""PPO (PFRL) environment steps per second on this machine, per network, precision and thread count.

Runs short expert trainings side by side in one process and prints, per candidate, env-steps/s, the
ratio to the IMPALA CNN in float32 at the same thread count, and the share of time spent stepping
Procgen, in inference (acting) and in PPO updates.

Candidates: the IMPALA CNN (the paper's), a narrow IMPALA CNN (channels 8, 16, 16) and the Nature CNN,
each in float32 and under bfloat16 autocast, at 1 and 2 torch threads. bfloat16 pays only on CPUs with
bfloat16 matrix units (Intel AMX); the header says whether this CPU has them.

Usage: python benchmarks/ppo_speed.py [--updates 1] [--num-envs 64] [--rollout 8] [--threads 1,2]
An update here is 64 envs x 8 steps with one minibatch of 512 per epoch (3 epochs): the paper's work
per step (3 epochs of forward and backward passes over every step) at a 32x shorter rollout, so that
the slowest candidate (bfloat16 without AMX) takes minutes, not hours.
"""
import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from ddrl.expert import PPOConfig, cpu_has_amx, device_name, train_expert


@dataclass
class Candidate:
    name: str
    arch: str
    channels: list | None
    amp: bool


CANDIDATES = [
    Candidate("impala fp32", "impala", None, False),
    Candidate("impala bf16", "impala", None, True),
    Candidate("impala-narrow fp32", "impala", [8, 16, 16], False),
    Candidate("impala-narrow bf16", "impala", [8, 16, 16], True),
    Candidate("nature fp32", "nature", None, False),
    Candidate("nature bf16", "nature", None, True),
]


def measure(candidate: Candidate, args) -> dict:
    "Env-steps/s and time shares of a short training of one candidate."
    arch_kwargs = {"channels": candidate.channels} if candidate.channels else {}
    cfg = PPOConfig("bigfish", steps=args.updates * args.num_envs * args.rollout, arch=candidate.arch,
                    num_envs=args.num_envs, rollout=args.rollout, minibatches=1, device=args.device,
                    amp=candidate.amp, arch_kwargs=arch_kwargs,
                    eval_every=10**6, checkpoint_every=10**6, eval_episodes=1)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        train_expert(cfg, Path(folder) / "run", progress=False)
        wall = time.perf_counter() - started
        state = torch.load(Path(folder) / "run" / "checkpoint.pt", weights_only=False)["state"]
    timing = state["timing"]
    busy = timing["env"] + timing["act"] + timing["learn"]
    shares = {key: timing[key] / busy for key in ("env", "act", "learn")}
    return dict(steps_per_second=state["steps"] / busy, wall=wall, **shares)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1, help="PPO updates per candidate (default: 1)")
    parser.add_argument("--num-envs", type=int, default=64, help="parallel environments (default: 64)")
    parser.add_argument("--rollout", type=int, default=8, help="steps per env per update (default: 8)")
    parser.add_argument("--threads", default="1,2", help="torch thread counts, comma-separated (default: 1,2)")
    parser.add_argument("--only", help="candidates whose name contains this text (default: all)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    candidates = [c for c in CANDIDATES if not args.only or args.only in c.name]
    thread_counts = [int(t) for t in args.threads.split(",")]
    print(f"device: {device_name(torch.device(args.device))}; AMX (bfloat16 matrix units): "
          f"{'yes' if cpu_has_amx() else 'no'}; torch {torch.__version__}")
    print(f"{args.updates} update(s) of {args.num_envs} envs x {args.rollout} steps, 3 epochs x 1 minibatch each")
    header = f"{'candidate':20s} {'threads':>7s} {'steps/s':>8s} {'vs impala fp32':>15s} {'env':>5s} {'act':>5s} {'update':>7s}"
    print(header)
    for threads in thread_counts:
        torch.set_num_threads(threads)
        baseline = None
        for candidate in candidates:
            result = measure(candidate, args)
            if candidate.name == "impala fp32":
                baseline = result["steps_per_second"]
            ratio = f"{result['steps_per_second'] / baseline:.2f}x" if baseline else "-"
            print(f"{candidate.name:20s} {threads:7d} {result['steps_per_second']:8.0f} {ratio:>15s} "
                  f"{result['env']:5.0%} {result['act']:5.0%} {result['learn']:7.0%}", flush=True)


if __name__ == "__main__":
    main()
