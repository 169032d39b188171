"""N-dimensional cart-pole distilled with PPMO at the minimal size N+1 and at 512 states; every run resumable.

Writes results/task/runs/cartpole-<N>d-<size>/ (batch.pt, curve.csv, curve.png, eval.json) and
results/task/cartpole_table.md.
Runs that finished are evaluated again only if eval.json is missing; interrupted ones resume from their checkpoint.
Usage: python experiments/cartpole_nd_table.py [--dims 1 2 3 4 5] [--sizes min 512] [--learners 50] [--out DIR]
"""
import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch

from ddrl.eval import Estimate
from ddrl.report import markdown_table, with_interval
from ddrl.task import PPMOConfig, evaluate_batch, load_batch, plot_batch, ppmo, read_task_curve

ROOT = Path(__file__).resolve().parents[1]
# the reference's released datasets, re-evaluated with 50 fresh learners:
# N -> (states, sampled mean, sampled std, greedy mean); only the greedy mean was kept, so it has no interval
REFERENCE = {1: (2, 500, 0, 500), 2: (3, 391, 143, 500), 3: (4, 263, 107, 500), 4: (5, 128, 35, 398),
             5: (6, 86, 31, 279)}
REFERENCE_LEARNERS = 50


@dataclass
class Config:
    out: Path = ROOT / "results" / "task"  # runs in <out>/runs/cartpole-<N>d-<size>/, table in <out>/cartpole_table.md
    dims: tuple = (1, 2, 3, 4, 5)       # cart-pole dimensions N
    sizes: tuple = ("min", "512")       # batch sizes: `min` (N+1 states) and/or numbers
    learners: int = 50                  # fresh learners per evaluation (one SGD step each, one episode)
    meta_epochs: dict = field(default_factory=lambda: {1: 500, 2: 1000, 3: 1500, 4: 1500, 5: 1500})  # per N
    checkpoint_every: int = 50          # meta-epochs between checkpoints
    seed: int = 0                       # seed of every run


def parse_config() -> Config:
    "The default configuration with the command line's changes."
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, nargs="+", default=list(Config.dims), help="cart-pole dimensions")
    parser.add_argument("--sizes", nargs="+", default=list(Config.sizes), help="'min' (N+1) and/or numbers")
    parser.add_argument("--learners", type=int, default=Config.learners, help="fresh learners per evaluation")
    parser.add_argument("--out", type=Path, default=Config.out, help=f"results folder (default: {Config.out})")
    args = parser.parse_args()
    return Config(out=args.out, dims=tuple(args.dims), sizes=tuple(args.sizes), learners=args.learners)


def active_seconds(curve: list[dict]) -> float:
    "Distillation time without pauses: a meta-epoch over 20x the median (the process was stopped) counts as the median."
    d = np.diff([0.0] + [r["seconds"] for r in curve])
    med = float(np.median(d))
    paused = d > 20 * med
    return float(np.minimum(d, 20 * med).sum() + paused.sum() * med - np.minimum(d, 20 * med)[paused].sum())


def run(cfg: Config, n: int, size: int) -> dict:
    "One run: distilled (or resumed), evaluated with sampled and greedy actions; read back if already done."
    env = "cartpole" if n == 1 else f"cartpole-{n}d"
    out = cfg.out / "runs" / f"cartpole-{n}d-{size}"
    ppmo_cfg = PPMOConfig(env, size=size, meta_epochs=cfg.meta_epochs[n], checkpoint_every=cfg.checkpoint_every,
                          seed=cfg.seed)
    batch_done = (out / "batch.pt").exists() and load_batch(out).config["meta_epochs"] == ppmo_cfg.meta_epochs
    if batch_done and (out / "eval.json").exists():
        result = json.loads((out / "eval.json").read_text())
        result["distill_seconds"] = round(active_seconds(read_task_curve(out)), 1)
        return result
    start = time.time()
    batch = ppmo(ppmo_cfg, out, resume=(out / "checkpoint.pt").exists(), progress=True)
    result = dict(env=env, n=n, size=size, meta_epochs=ppmo_cfg.meta_epochs,
                  distill_seconds=round(active_seconds(batch.curve), 1),
                  wall_seconds_this_call=round(time.time() - start, 1), inner_lr=batch.lr.item(),
                  learners=cfg.learners, torch_threads=torch.get_num_threads())
    for mode in ("sampled", "greedy"):
        returns = evaluate_batch(batch, env, cfg.learners, greedy=mode == "greedy")
        result[mode] = dict(mean=float(returns.mean()), std=float(returns.std()), returns=returns.tolist())
    if size <= 16:
        fig = plot_batch(batch, f"{env}: {size} states")
        fig.savefig(out / "batch.png", dpi=90)
        plt.close(fig)
    (out / "eval.json").write_text(json.dumps(result, indent=1))
    return result


def interval(mean: float, std: float, n: int) -> str:
    "`mean [low, high]`: the 95% t-interval of a mean over `n` learners with sample standard deviation `std`."
    low, high = Estimate(mean, std / np.sqrt(n), n - 1).interval()
    return with_interval(mean, max(low, 0.0), min(high, 500.0), digits=0)


def table(results: list[dict]) -> str:
    "Markdown: one row per batch, ours and the reference's (one row per N), returns with 95% intervals."
    columns = ["N", "batch", "states", "meta-epochs", "distill time (s)", "sampled: mean [95% CI]",
               "greedy: mean [95% CI]"]
    rows = []
    for n in sorted({r["n"] for r in results}):
        for r in sorted((r for r in results if r["n"] == n), key=lambda r: r["size"]):
            cells = [interval(np.mean(r[m]["returns"]), np.std(r[m]["returns"], ddof=1), len(r[m]["returns"]))
                     for m in ("sampled", "greedy")]
            rows.append([n, "ours", r["size"], r["meta_epochs"], f"{r['distill_seconds']:.0f}", *cells])
        states, mean, std, greedy = REFERENCE[n]
        rows.append([n, "reference", states, "", "", interval(mean, std, REFERENCE_LEARNERS), f"{greedy:.0f}"])
    return markdown_table(columns, rows)


CAPTION = ("Returns of fresh learners after one SGD step on each distilled batch (one episode per learner; cart-pole's "
           "maximum is 500). Intervals: 95% t-intervals over the {learners} learners of one batch (distillation seed "
           "{seed}): they cover learner-to-learner variation, not the variation between distillation runs. Reference: "
           "the reference's released datasets, re-evaluated with {ref} learners (only the mean of the greedy returns "
           "was kept). Made by `python experiments/cartpole_nd_table.py`.")


def main(cfg: Config):
    results = []
    for n in cfg.dims:
        for s in cfg.sizes:
            size = n + 1 if s == "min" else int(s)
            r = run(cfg, n, size)
            results.append(r)
            print(f"N={n} size={size}: sampled {r['sampled']['mean']:.1f} +- {r['sampled']['std']:.1f}, "
                  f"greedy {r['greedy']['mean']:.1f} ({r['distill_seconds']:.0f} s of distillation)", flush=True)
    text = table(results) + "\n\n" + CAPTION.format(learners=cfg.learners, seed=cfg.seed, ref=REFERENCE_LEARNERS)
    (cfg.out / "cartpole_table.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main(parse_config())
