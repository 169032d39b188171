"""Percentile BC at the paper's sizes on bigfish, timed part by part, resumable.

The paper's protocol: 100 expert episodes on levels 100-299 (easy); BC on the top 10/25/40/100% of episodes,
10 students each, 1000 Adam steps, batch 256, lr 5e-3; every student 100 episodes ID and 100 OOD, sampled actions.
Each part (the dataset, each percentile's 10 students, each percentile's evaluation) is saved with its wall time
under results/bc/paper_bigfish/ as soon as it finishes; running the script again skips finished parts, so the run
can be spread over several sessions. The total reported is the sum of the parts' wall times.
The offline dataset is not committed: when it is missing, the `data` part runs again (same seed, same episodes).
Writes results/bc/paper_bigfish.md when every part is done.
Usage: python experiments/percentile_bc_bigfish.py [--parts data bc-10 eval-10 ...] [--out results/bc/paper_bigfish]
"""
import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ddrl.bc import BCConfig, load_students, save_students, train_students
from ddrl.data import ProcgenSpec, RandomPolicy, collect, load_dataset, save_dataset, top_percent
from ddrl.eval import EvalSpec, aggregate, evaluate_policies, paper_value
from ddrl.expert import load_expert
from ddrl.report import markdown_table, plus_minus

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Config:
    out: Path = ROOT / "results" / "bc" / "paper_bigfish"  # the parts; the table goes beside it, in <out>.md
    parts: list | None = None           # run only these parts (None: every part)
    game: str = "bigfish"               # Procgen game
    percents: tuple = (10, 25, 40, 100) # percentile-BC datasets: the top x% of episodes by return
    seeds: tuple = tuple(range(10))     # one student per seed, the same seeds for every percentile
    episodes: int = 100                 # expert episodes in the offline dataset
    num_levels: int = 200               # training (ID) levels ...
    start_level: int = 100              # ... starting here
    mode: str = "easy"                  # Procgen distribution mode
    collect_envs: int = 64              # parallel environments while collecting
    data_seed: int = 0                  # seed of the collection (levels and sampled actions)
    bc: BCConfig = field(default_factory=lambda: BCConfig(steps=1000, batch_size=256, lr=5e-3))  # each student
    eval_episodes: int = 100            # episodes per student on each split (ID and OOD), sampled actions
    eval_envs: int = 64                 # parallel environments while evaluating
    eval_seed: int = 1                  # environment seed of the evaluation (the same for every policy)


def parse_config() -> Config:
    "The default configuration with the command line's changes."
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="*", help="parts to run (default: all), e.g. data bc-10 eval-10")
    parser.add_argument("--out", type=Path, default=Config.out, help=f"folder of the parts (default: {Config.out})")
    args = parser.parse_args()
    return Config(out=args.out, parts=args.parts)


def timed(cfg: Config, name: str, work) -> dict:
    "The record of part `name`: read if the part is done, else made by `work()` and saved with its wall time."
    done = cfg.out / f"{name}.json"
    if done.exists():
        return json.loads(done.read_text())
    start = time.time()
    info = dict(work() or {}, part=name, seconds=round(time.time() - start, 1), threads=torch.get_num_threads())
    done.write_text(json.dumps(info, indent=1))
    print(f"{name}: {info['seconds']:.0f} s", flush=True)
    return info


def collect_data(cfg: Config) -> dict:
    "Part `data`: the shipped expert's episodes on the training levels, saved as the offline dataset."
    spec = ProcgenSpec(cfg.game, cfg.num_levels, cfg.start_level, cfg.mode, cfg.collect_envs, cfg.data_seed)
    dataset = collect(load_expert(cfg.game), spec, cfg.episodes, progress=False)
    save_dataset(dataset, cfg.out / "dataset", overwrite=True)
    return dict(episodes=dataset.n_episodes, frames=len(dataset))


def train_bc(cfg: Config, percent: int) -> dict:
    "Part `bc-<percent>`: students on the top `percent`% of the episodes."
    subset = top_percent(load_dataset(cfg.out / "dataset"), percent)
    seeds = list(cfg.seeds)
    students = train_students(subset, cfg.bc, seeds, progress=False)
    save_students(students, cfg.out / f"bc-{percent}", seeds=seeds, overwrite=True)
    return dict(frames=len(subset), episodes=subset.n_episodes, students=len(seeds), steps=cfg.bc.steps,
                batch=cfg.bc.batch_size)


def evaluate(cfg: Config, policies: list) -> dict:
    "Part `eval-<x>`: every policy's ID and OOD returns (sampled actions), aggregated and raw."
    spec = EvalSpec(cfg.game, cfg.eval_episodes, cfg.num_levels, cfg.start_level, cfg.mode, cfg.eval_envs,
                    cfg.eval_seed)
    returns = evaluate_policies(policies, spec, modes=("sampled",), progress=False)
    return {split: dict(aggregate(r["sampled"]), returns=r["sampled"].tolist()) for split, r in returns.items()}


def table(cfg: Config, info: dict) -> str:
    "Markdown: every method's frames, ID and OOD mean +- s.e. across students, and the paper's means."
    columns = ["method", "frames", "ID mean +- s.e. (students)", "OOD mean +- s.e.", "paper ID", "paper OOD"]
    methods = [("Random", "eval-random"), ("Expert", "eval-expert")]
    methods += [(f"BC {p}%", f"eval-{p}") for p in cfg.percents]
    rows = []
    for name, key in methods:
        ev = info[key]
        frames = info.get(key.replace("eval", "bc"), {}).get("frames", "")
        paper = [paper_value(cfg.game, split, name) for split in ("id", "ood")]
        id_cell = f"{plus_minus(ev['id']['mean'], ev['id']['stderr'])} ({ev['id']['students']})"
        ood_cell = plus_minus(ev["ood"]["mean"], ev["ood"]["stderr"])
        rows.append([name, frames, id_cell, ood_cell, *(f"{p[0]:.2f}" if p else "" for p in paper)])
    return markdown_table(columns, rows)


def report(cfg: Config, info: dict) -> str:
    "The result page: protocol, table and wall times."
    train = sum(info[f"bc-{p}"]["seconds"] for p in cfg.percents)
    evaluation = sum(info[f"eval-{p}"]["seconds"] for p in cfg.percents)
    data = info["data"]
    single_policies = info["eval-random"]["seconds"] + info["eval-expert"]["seconds"]
    text = [f"# Percentile BC on bigfish at the paper's sizes\n",
            f"{data['episodes']} expert episodes ({data['frames']} frames, shipped stop-gap expert, seed 0); "
            f"10 students per percentile (seeds 0-9), 1000 Adam steps, batch 256, lr 5e-3, cross-entropy; each "
            f"student 100 episodes ID (levels 100-299) and 100 OOD (unseen levels), sampled actions, environment "
            f"seed 1.\n",
            table(cfg, info),
            "",
            f"Wall time on 2 CPU cores ({info['bc-10']['threads']} torch threads): BC training {train / 60:.1f} min "
            f"(4 x 10 students), evaluation of the 40 students {evaluation / 60:.1f} min, "
            f"total {(train + evaluation) / 60:.1f} min for the four baselines "
            f"(+ {data['seconds'] / 60:.1f} min collecting the data, "
            f"{single_policies / 60:.1f} min for the random and expert rows)."]
    return "\n".join(text) + "\n"


def main(cfg: Config):
    cfg.out.mkdir(parents=True, exist_ok=True)
    if not (cfg.out / "dataset").exists() and (cfg.out / "data.json").exists():
        (cfg.out / "data.json").rename(cfg.out / "data-previous.json")   # the dataset is collected again
    parts = {"data": lambda: collect_data(cfg),
             "eval-random": lambda: evaluate(cfg, [RandomPolicy()]),
             "eval-expert": lambda: evaluate(cfg, [load_expert(cfg.game)])}
    for p in cfg.percents:
        parts[f"bc-{p}"] = lambda p=p: train_bc(cfg, p)
        parts[f"eval-{p}"] = lambda p=p: evaluate(cfg, load_students(cfg.out / f"bc-{p}"))
    info = {name: timed(cfg, name, work) for name, work in parts.items() if not cfg.parts or name in cfg.parts}
    if len(info) < len(parts):
        return
    text = report(cfg, info)
    cfg.out.with_suffix(".md").write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main(parse_config())
