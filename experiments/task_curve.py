"""A PPMO run's curve (or its PPO baseline's) in numbers: steps, time, and the returns played while it learned.

PPMO (`curve.csv`): every meta-epoch draws one fresh learner, steps it once on the batch and lets it act for
`rollout` steps in each environment; a row's return is the mean of the episodes that ENDED in that meta-epoch.
Where episodes outlast a meta-epoch (Pong: ~800 steps against 200), several successive learners played them, so
these are indicative, not per-learner measurements: the verdicts come from `task_table.py` (fresh learners, one
episode each, 95% intervals). Means are over the meta-epochs (PPO: iterations) that ended an episode, each
weighted once. PPO (`ppo_curve.csv`): one policy in training.
Usage: python experiments/task_curve.py RUN [RUN ...] [--last 20]
"""
import argparse, json
from pathlib import Path
import numpy as np
from ddrl.task import read_task_curve

def mean(values) -> str:
    "Mean of per-point values, and how many points."
    return f"{np.mean(values):.2f} over {len(values)} points" if len(values) else "-"

def summarize(run: Path, last: int) -> list[str]:
    "Lines describing one run folder's curve."
    ppo = (run / "ppo_curve.csv").exists()
    if not (ppo or (run / "curve.csv").exists()):
        return [f"{run}: no curve.csv or ppo_curve.csv (not a run folder, or no checkpoint written yet)"]
    curve = read_task_curve(run, "ppo_curve" if ppo else "curve")
    if not curve: return [f"{run}: empty curve"]
    played = [r for r in curve if r["episodes"] > 0 and np.isfinite(r["learner_return"])]
    step_key = "iteration" if ppo else "meta_epoch"
    end = curve[-1]
    if ppo: steps = int(end["env_steps"])
    else:
        cfg = json.loads((run / "config.json").read_text())
        steps = int(end["meta_epoch"]) * cfg["learners"] * cfg["envs_per_learner"] * cfg["rollout"]
    lines = [f"{run}: {'PPO' if ppo else 'PPMO'}, {step_key} {int(end[step_key])}, {steps:,} env steps, "
             f"{end['seconds']:,.0f} s ({end['seconds'] / 3600:.2f} h)",
             f"  all {len(played)} {step_key}s with episodes ({sum(int(r['episodes']) for r in played)} episodes): "
             f"{mean([r['learner_return'] for r in played])}",
             f"  last {min(last, len(played))} of them: {mean([r['learner_return'] for r in played[-last:]])}"]
    if not ppo:
        lrs = [r["inner_lr"] for r in curve[-100:]]
        lines.append(f"  inner lr: {curve[-1]['inner_lr']:.4f} at the end, {min(lrs):.4f}-{max(lrs):.4f} over the last "
                     f"{len(lrs)} meta-epochs")
    return lines

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", help="PPMO run folders (curve.csv) or PPO baseline folders (ppo_curve.csv)")
    ap.add_argument("--last", type=int, default=20, help="also average the last N points with episodes (default: 20)")
    args = ap.parse_args()
    for run in args.runs:
        print("\n".join(summarize(Path(run), args.last)))

if __name__ == "__main__":
    main()
