"""Robustness of distilled cart-pole batches to the learners' initialisation and architecture, and the smallest batch.

Usage: python experiments/cartpole_robustness.py [--out DIR]   (after experiments/cartpole_nd_table.py)
Writes results/task/robustness.md. Evaluations: 50 fresh learners, one SGD step each, one episode, sampled actions.
The smallest batch (CartPole-v1 in one state) is distilled here, resumed from its checkpoint if interrupted, and read
back when its run has finished.
"""
import argparse
from dataclasses import asdict, dataclass
from pathlib import Path

from ddrl.task import PPMOConfig, evaluate_batch, load_batch, ppmo, read_task_curve, robustness, robustness_markdown

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Config:
    out: Path = ROOT / "results" / "task"  # batches in <out>/runs/, the page in <out>/robustness.md
    batches: tuple = ("cartpole-1d-2", "cartpole-2d-3")  # runs of experiments/cartpole_nd_table.py to test
    learners: int = 50                  # fresh learners per cell
    smallest_meta_epochs: int = 500     # meta-epochs of the one-state CartPole-v1 batch
    checkpoint_every: int = 50          # its meta-epochs between checkpoints
    seed: int = 0                       # its seed


def parse_config() -> Config:
    "The default configuration with the command line's changes."
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Config.out, help=f"results folder (default: {Config.out})")
    args = parser.parse_args()
    return Config(out=args.out)


def smallest_batch(cfg: Config) -> tuple:
    "CartPole-v1 distilled into one state, and the seconds its distillation took."
    out = cfg.out / "runs" / "cartpole-1d-1"
    ppmo_cfg = PPMOConfig("cartpole", size=1, meta_epochs=cfg.smallest_meta_epochs,
                          checkpoint_every=cfg.checkpoint_every, seed=cfg.seed)
    curve = read_task_curve(out) if (out / "curve.csv").exists() else []
    finished = bool(curve) and curve[-1]["meta_epoch"] == ppmo_cfg.meta_epochs
    if finished and (out / "batch.pt").exists() and load_batch(out).config == asdict(ppmo_cfg):
        return load_batch(out), curve[-1]["seconds"]
    batch = ppmo(ppmo_cfg, out, resume=(out / "checkpoint.pt").exists(), progress=False)
    return batch, batch.curve[-1]["seconds"]


def main(cfg: Config):
    parts = ["# Robustness of distilled cart-pole batches\n",
             "50 fresh learners per cell, one SGD step on the batch with its learned learning rate, one episode each, "
             "sampled actions, learner/env seed 10000. Batches from `experiments/cartpole_nd_table.py` (seed 0). The "
             "batches were distilled for orthogonal (gain sqrt 2, output 0.01), width 64, depth 2 tanh learners.\n"]
    for name in cfg.batches:
        batch = load_batch(cfg.out / "runs" / name)
        env = batch.config["env"]
        for greedy in (False, True):
            rows = robustness(batch, env, cfg.learners, greedy)
            actions = "greedy" if greedy else "sampled"
            parts += [f"## {name} ({env}, {len(batch)} states), {actions} actions\n", robustness_markdown(rows), ""]
            print(name, actions, "done", flush=True)
    # the smallest batch: 1 state for CartPole-v1 (the reference's k_min = ceil(|A|/2) + 1 = 2)
    batch, seconds = smallest_batch(cfg)
    sampled = evaluate_batch(batch, "cartpole", cfg.learners)
    greedy = evaluate_batch(batch, "cartpole", cfg.learners, greedy=True)
    parts += ["## The smallest batch\n",
              f"CartPole-v1 with ONE state ({cfg.smallest_meta_epochs} meta-epochs, {seconds:.0f} s): "
              f"{sampled.mean():.0f} +- {sampled.std():.0f} sampled, {greedy.mean():.0f} +- {greedy.std():.0f} greedy "
              f"({cfg.learners} fresh learners). With two states: see `cartpole_table.md`.", ""]
    (cfg.out / "robustness.md").write_text("\n".join(parts))
    print("\n".join(parts))


if __name__ == "__main__":
    main(parse_config())
