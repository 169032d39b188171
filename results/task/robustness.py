"""Robustness of distilled cart-pole batches to the learners' initialisation and architecture, and the smallest batch.

Usage: python results/task/robustness.py   (after results/task/cartpole_table.py)
Writes results/task/robustness.md. Evaluations: 50 fresh learners, one SGD step each, one episode, sampled actions.
"""
import json, time
from pathlib import Path
from ddrl.task import PPMOConfig, ppmo, evaluate_batch, load_batch, robustness, robustness_markdown

HERE = Path(__file__).parent

def main():
    parts = ["# Robustness of distilled cart-pole batches\n",
             "50 fresh learners per cell, one SGD step on the batch with its learned learning rate, one episode each, sampled "
             "actions, learner/env seed 10000. Batches from `results/task/cartpole_table.py` (seed 0). The batches were "
             "distilled for orthogonal (gain sqrt 2, output 0.01), width 64, depth 2 tanh learners.\n"]
    for name in ("cartpole-1d-2", "cartpole-2d-3"):
        batch = load_batch(HERE / "runs" / name)
        env = batch.config["env"]
        for greedy in (False, True):
            rows = robustness(batch, env, 50, greedy)
            parts += [f"## {name} ({env}, {len(batch)} states), {'greedy' if greedy else 'sampled'} actions\n", robustness_markdown(rows), ""]
            print(name, "greedy" if greedy else "sampled", "done", flush=True)
    # the smallest batch: 1 state for CartPole-v1 (the reference's k_min = ceil(|A|/2) + 1 = 2)
    out = HERE / "runs" / "cartpole-1d-1"
    t0 = time.time()
    b = ppmo(PPMOConfig("cartpole", size=1, meta_epochs=500, checkpoint_every=50, seed=0), out, resume=(out / "checkpoint.pt").exists(), progress=False)
    r, g = evaluate_batch(b, "cartpole", 50), evaluate_batch(b, "cartpole", 50, greedy=True)
    parts += ["## The smallest batch\n",
              f"CartPole-v1 with ONE state (500 meta-epochs, {b.curve[-1]['seconds']:.0f} s): {r.mean():.0f} +- {r.std():.0f} sampled, "
              f"{g.mean():.0f} +- {g.std():.0f} greedy (50 fresh learners). With two states: see `cartpole_table.md`.", ""]
    (HERE / "robustness.md").write_text("\n".join(parts))
    print("\n".join(parts))

if __name__ == "__main__":
    main()
