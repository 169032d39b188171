"""PPO (PFRL) environment steps per second on this machine, and where the time goes.

Runs a short expert training for each network side by side in one process and prints, per network,
env-steps/s and the share of time spent stepping Procgen, in inference (acting) and in PPO updates.
Usage: python benchmarks/ppo_speed.py [--updates 2] [--num-envs 64] [--rollout 64] [--device cpu]
The paper's update is 64 envs x 256 steps; a shorter rollout keeps this benchmark to a few minutes on
a 2-core CPU while keeping the same work per step (3 epochs of 8 minibatches).
"""
import argparse, tempfile, time
from pathlib import Path
import torch
from ddrl.expert import PPOConfig, train_expert, device_name

def measure(arch, args):
    cfg = PPOConfig("bigfish", steps=args.updates * args.num_envs * args.rollout, arch=arch, num_envs=args.num_envs,
                    rollout=args.rollout, device=args.device, eval_every=10**6, checkpoint_every=10**6, eval_episodes=1)
    with tempfile.TemporaryDirectory() as d:
        train_expert(cfg, Path(d) / "run", progress=False)
        st = torch.load(Path(d) / "run" / "checkpoint.pt", weights_only=False)["state"]
    T = st["timing"]; busy = T["env"] + T["act"] + T["learn"]
    return st["steps"] / busy, {k: T[k] / busy for k in ("env", "act", "learn")}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--updates", type=int, default=2); p.add_argument("--num-envs", type=int, default=64)
    p.add_argument("--rollout", type=int, default=64); p.add_argument("--device", default="cpu")
    args = p.parse_args()
    print(f"device: {device_name(torch.device(args.device))}; {args.updates} updates of {args.num_envs} envs x {args.rollout} steps")
    res = {arch: measure(arch, args) for arch in ("impala", "nature")}
    print(f"{'network':8s} {'steps/s':>9s} {'env':>6s} {'inference':>10s} {'update':>7s}")
    for arch, (sps, share) in res.items():
        print(f"{arch:8s} {sps:9.0f} {share['env']:6.0%} {share['act']:10.0%} {share['learn']:7.0%}")
    print(f"ratio nature / impala steps/s: {res['nature'][0] / res['impala'][0]:.1f}x")

if __name__ == "__main__":
    main()
