"""What one SGD step can express: how much fresh learners' policies vary across a task's real states.

`policy_spread` (05_task) for each given run's batch, then for unlearned batches of the same task and size as
controls: states started from visited frames (ddrl's Atari start) or N(0, 1) in the learner's units (the
reference's), targets N(0, 1) (the reference's), inner lr 0.02. A spread near 0 means one step leaves each learner
with one policy for every state: no batch of that learner class can then teach more than an action preference.
Units: `--learners` fresh learners on `--states` real states visited by a random policy (seed 10000).
Usage: python experiments/task_spread.py --env ALE/Pong-v5 RUN [RUN ...] [--learners 10] [--states 200]
"""
import argparse
from pathlib import Path
import torch
from ddrl.task import PPMOConfig, SyntheticBatch, init_states, load_batch, make_task_env, policy_spread, task_spaces

def control_batch(env_name: str, size: int, state_init: str, seed: int = 0) -> SyntheticBatch:
    "An unlearned batch: states as `state_init` starts them, targets N(0, 1), inner lr 0.02."
    cfg = PPMOConfig(env_name, size=size, state_init=state_init, seed=seed)
    env = make_task_env(env_name, cfg.envs_per_learner, seed=seed)
    obs_shape, n_out, discrete = task_spaces(env)
    batch = SyntheticBatch(init_states(env, cfg, obs_shape), n_out, discrete, cfg.inner_lr)
    env.close()
    batch.targets.data = torch.randn(size, n_out, generator=torch.Generator().manual_seed(seed))
    return batch

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", required=True)
    ap.add_argument("runs", nargs="+", help="PPMO run folders (or batch.pt files)")
    ap.add_argument("--learners", type=int, default=10)
    ap.add_argument("--states", type=int, default=200)
    args = ap.parse_args()
    rows = [(Path(run).name, load_batch(run)) for run in args.runs]
    size = len(rows[0][1])
    rows += [(f"unlearned: {init} states, N(0, 1) targets, lr 0.02", control_batch(args.env, size, init))
             for init in ("visited", "normal")]
    print(f"| {args.env}, {size} states | spread, fresh | spread after one step | mean policy after one step |")
    print("|---|---|---|---|")
    for name, batch in rows:
        s = policy_spread(batch, args.env, args.states, args.learners)
        policy = ", ".join(f"{p:.2f}" for p in s["stepped_policy"])
        print(f"| {name} | {s['fresh']:.5f} | {s['stepped']:.5f} | {policy} |")

if __name__ == "__main__":
    main()
