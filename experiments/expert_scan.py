"""Which expert network learns most per CPU-hour here? The same CPU budget for each candidate, on one game.

Candidates: the Nature CNN (342k parameters), a narrow IMPALA CNN (channels 8, 16, 16) and the paper's IMPALA
CNN (16, 32, 32), each trained with the reference's PPO settings (`PPOConfig` defaults: 64 envs x 256 steps,
levels 100-299, easy) until it has used `cpu_hours` of CPU time (torch with one thread; the process's CPU time,
Procgen's threads included). bfloat16 autocast is left to `PPOConfig`'s default, which uses it only on CPUs
with AMX (see benchmarks/ppo_speed.py).

Every candidate checkpoints as it goes and the script is resumable: run it again and each candidate continues
until its budget is spent. Checkpoints stay in `runs/expert-scan/` (not committed); the curves, the table and
the figure go to `results/experts/scan/<game>/`. A scan spans sessions through git: `--save-progress` (at the
end of a session) copies the unfinished candidates' runs to `results/experts/scan/<game>/in-progress/`, the one
place that later commits overwrite, and a run missing from `runs/` (a fresh clone) starts from that copy.

Usage: OMP_NUM_THREADS=1 python experiments/expert_scan.py --game bigfish --cpu-hours 1 [--save-progress]
"""
import argparse
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from ddrl.data import atomic_dir
from ddrl.expert import PPOConfig, device_name, read_curve, train_expert


@dataclass
class ScanConfig:
    game: str = "bigfish"                         # Procgen game
    cpu_hours: float = 1.0                        # CPU budget of each candidate
    threads: int = 1                              # torch threads
    runs: Path = Path("runs/expert-scan")         # checkpoints (not committed)
    results: Path = Path("results/experts/scan")  # curves, table and figure (committed)


CANDIDATES = {
    "nature": dict(arch="nature"),
    "impala-narrow": dict(arch="impala", arch_kwargs={"channels": [8, 16, 16]}),
    "impala": dict(arch="impala"),
}


def cpu_seconds_used(run: Path) -> float:
    "CPU seconds a candidate's run has used so far (0 before it starts)."
    checkpoint = run / "checkpoint.pt"
    if not checkpoint.exists():
        return 0.0
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)["state"]
    return state.get("cpu_seconds", 0.0)


RUN_FILES = ("checkpoint.pt", "curve.csv", "config.json")


def in_progress(cfg: ScanConfig) -> Path:
    return cfg.results / cfg.game / "in-progress"


def save_progress(cfg: ScanConfig):
    "Copy the unfinished candidates' runs into `in-progress/`, replacing what was there (finished runs need no copy)."
    unfinished = [n for n in CANDIDATES if 0 < cpu_seconds_used(cfg.runs / cfg.game / n) < cfg.cpu_hours * 3600]
    with atomic_dir(in_progress(cfg), overwrite=True) as tmp:
        for name in unfinished:
            for file in RUN_FILES:
                shutil.copy(cfg.runs / cfg.game / name / file, tmp / f"{name}-{file}")
    print(f"in progress: {unfinished or 'nothing'} -> {in_progress(cfg)}")


def restore_progress(cfg: ScanConfig, name: str):
    "Start a candidate missing from `runs/` from its committed in-progress copy, if there is one."
    run = cfg.runs / cfg.game / name
    saved = in_progress(cfg)
    if (run / "checkpoint.pt").exists() or not (saved / f"{name}-checkpoint.pt").exists():
        return
    run.mkdir(parents=True, exist_ok=True)
    for file in RUN_FILES:
        shutil.copy(saved / f"{name}-{file}", run / file)
    print(f"{name}: restored from {saved}")


def train_candidate(name: str, cfg: ScanConfig):
    "Train one candidate until its CPU budget is spent (resuming where it stopped)."
    run = cfg.runs / cfg.game / name
    restore_progress(cfg, name)
    ppo = PPOConfig(cfg.game, eval_every=2, checkpoint_every=1, **CANDIDATES[name])
    left = cfg.cpu_hours * 3600 - cpu_seconds_used(run)
    if left > 0:
        print(f"{name}: {left / 3600:.2f} CPU hours left", flush=True)
        train_expert(ppo, run, resume=(run / "checkpoint.pt").exists(), progress=False, stop_after_cpu_seconds=left)


def summary_row(name: str, run: Path) -> dict:
    "The last curve point of a candidate, with its speed."
    curve = read_curve(run / "curve.csv")
    last = curve[-1]
    tail = curve[-3:]   # the last three points, to smooth the 32-episode means a little
    return dict(candidate=name, steps=int(last["steps"]), cpu_hours=last["cpu_seconds"] / 3600,
                steps_per_cpu_second=last["steps"] / last["cpu_seconds"],
                train_return=sum(r["train_return"] for r in tail) / len(tail),
                unseen_return=sum(r["unseen_return"] for r in tail) / len(tail))


def plot_scan(runs: dict, path: Path, title: str):
    "Return on training and unseen levels against CPU hours, one colour per candidate."
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for name, run in runs.items():
        curve = read_curve(run / "curve.csv")
        hours = [r["cpu_seconds"] / 3600 for r in curve]
        axes[0].plot(hours, [r["train_return"] for r in curve], label=name)
        axes[1].plot(hours, [r["unseen_return"] for r in curve], label=name)
    axes[0].set(xlabel="CPU hours", ylabel="mean episode return", title="training levels (last 32 training episodes)")
    axes[1].set(xlabel="CPU hours", title="unseen levels (32 evaluation episodes)")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_results(cfg: ScanConfig, runs: dict):
    "Copy each candidate's curve and config, and write the table and the figure."
    folder = cfg.results / cfg.game
    folder.mkdir(parents=True, exist_ok=True)
    for name, run in runs.items():
        for file in ("curve.csv", "config.json"):
            shutil.copy(run / file, folder / f"{name}-{file}")
    rows = [summary_row(name, run) for name, run in runs.items()]
    lines = [f"# Expert scan on {cfg.game}: {cfg.cpu_hours:g} CPU hour(s) per candidate",
             "",
             f"Made by `OMP_NUM_THREADS=1 python experiments/expert_scan.py --game {cfg.game} "
             f"--cpu-hours {cfg.cpu_hours:g}` on {device_name(torch.device('cpu'))}, {time.strftime('%Y-%m-%d')}.",
             "Returns: mean of the last three curve points (each the mean of 32 episodes, sampled actions).",
             "",
             "| candidate | steps | CPU hours | steps per CPU second | training-level return | unseen-level return |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['candidate']} | {r['steps']:,} | {r['cpu_hours']:.2f} | {r['steps_per_cpu_second']:.0f} | "
                     f"{r['train_return']:.2f} | {r['unseen_return']:.2f} |")
    lines += ["", f"![curves]({cfg.game}.png)", ""]
    (folder.parent / f"{cfg.game}.md").write_text("\n".join(lines))
    (folder / "summary.json").write_text(json.dumps(rows, indent=1))
    plot_scan(runs, folder.parent / f"{cfg.game}.png", f"{cfg.game}: return per CPU hour")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default=ScanConfig.game)
    parser.add_argument("--cpu-hours", type=float, default=ScanConfig.cpu_hours)
    parser.add_argument("--threads", type=int, default=ScanConfig.threads)
    parser.add_argument("--only", nargs="*", choices=list(CANDIDATES), help="train only these candidates")
    parser.add_argument("--save-progress", action="store_true",
                        help="only copy the unfinished candidate's run to results/ (to commit at a session's end)")
    args = parser.parse_args()
    cfg = ScanConfig(args.game, args.cpu_hours, args.threads)
    if args.save_progress:
        return save_progress(cfg)
    torch.set_num_threads(cfg.threads)
    for name in CANDIDATES:
        if args.only and name not in args.only:
            continue
        train_candidate(name, cfg)
        started = {n: cfg.runs / cfg.game / n for n in CANDIDATES if (cfg.runs / cfg.game / n / "curve.csv").exists()}
        write_results(cfg, started)


if __name__ == "__main__":
    main()
