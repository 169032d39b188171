"""What can a fresh student learn within the evaluation's budget? KL(expert || student) by training data and budget.

The distillation comparison (distilled_vs_real_frames.py) trains every student of a 150-frame set for 100 Adam steps
at batch 15, lr 5e-3, and BC students for 1000 steps at batch 256. This asks what those budgets allow: students are
trained on 150 real frames (with the expert's action distribution as labels, or their recorded actions) and on the
whole offline dataset, for the evaluation's budget and for larger ones, and each student's KL(expert || student) is
measured on the same 2,048 dataset states as the comparison's `KL to expert` column, beside the action prior (the
dataset's action mix, whatever the state: the best a policy can do that ignores the state) and the random policy.
A set of 150 frames can only beat the label control in play if a student trained on it within the budget learns
something the action prior does not. Rows `all frames + expert labels` train on every state of the dataset, labelled with the expert's
action distribution, with the evaluation's 100 steps and lr but batch 256 (the row `real 150 + expert labels` at
batch 150: full-batch steps on the 150 frames): how far 100 Adam steps can take a fresh student when each step's
gradient is nearly that of the whole dataset -- the gain a 150-frame set can still hope for within the budget. With `--pbc N`: pbc distilled for N iterations (dataset seed 0, its default
settings, with 8x its frame lr and 5x its label lr, and with gradients through all 100 student steps instead of
the last 20), each with 10 students at the evaluation's budget. Rows marked `raw pixels` train the paper's CNN on raw
0-255 pixels, as the original code fed it (`make_student("cnn-raw")`), instead of [0, 1] inputs -- its students and,
for pbc, the students inside the distillation (with 1 and with 4 students per outer step).

Uses (and collects again if missing) the offline dataset of the comparison: results/distill/<game>/dataset.
Writes results/distill/<game>-student-budget.md; rows (saved one by one: a stopped run resumes) and pbc runs in
results/distill/<game>/budget/.
Usage: OMP_NUM_THREADS=1 python experiments/student_budget.py --game starpilot [--pbc 150] [--out DIR]
"""
import argparse
import json
import time
import warnings
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch

import distilled_vs_real_frames as comparison
from ddrl.bc import BCConfig, BCData, train_students
from ddrl.data import PriorPolicy, RandomPolicy
from ddrl.distill import DistillConfig, control_set, distill, expert_log_probs
from ddrl.expert import device_name
from ddrl.pipeline import write_json
from ddrl.report import markdown_table

EVALUATION = BCConfig(steps=100, batch_size=15, lr=5e-3)   # the budget of every 150-frame set's students
BC = BCConfig(steps=1000, batch_size=256, lr=5e-3)         # the budget of BC students
# (training data, budget) per row: the evaluation's budget, then larger ones
ROWS = [("real 150 + expert labels", EVALUATION),
        ("real 150 + expert labels", BCConfig(steps=100, batch_size=15, lr=1e-3)),
        ("real 150 + expert labels", BCConfig(steps=100, batch_size=15, lr=2e-2)),
        ("real 150 + expert labels", BCConfig(steps=300, batch_size=15, lr=1e-3)),
        ("real 150 + expert labels", BCConfig(steps=1000, batch_size=15, lr=5e-3)),
        ("real 150 (recorded actions)", BCConfig(steps=1000, batch_size=15, lr=5e-3)),
        ("all frames (recorded actions)", EVALUATION),
        ("all frames (recorded actions)", BCConfig(steps=100, batch_size=15, lr=2e-2)),
        ("all frames (recorded actions)", BCConfig(steps=1000, batch_size=15, lr=5e-3)),
        ("all frames (recorded actions)", BC),
        ("real 150 + expert labels", replace(EVALUATION, student="cnn-raw")),
        ("real 150 + expert labels", BCConfig(steps=100, batch_size=15, lr=2e-3, student="cnn-raw")),
        ("real 150 (recorded actions)", replace(EVALUATION, student="cnn-raw")),
        ("all frames (recorded actions)", replace(EVALUATION, student="cnn-raw")),
        ("all frames (recorded actions)", replace(BC, student="cnn-raw")),
        ("all frames + expert labels", replace(EVALUATION, batch_size=256, student="cnn-raw")),
        ("all frames + expert labels", replace(EVALUATION, batch_size=256)),
        ("real 150 + expert labels", replace(EVALUATION, batch_size=150, student="cnn-raw"))]
PBC_VARIANTS = {"pbc": {},
                "pbc, frame lr x8, label lr x5": dict(lr=8.0, label_lr=0.05),
                "pbc, back-propagation through all 100 student steps": dict(window=100),
                "pbc, raw pixels": dict(student="cnn-raw"),
                "pbc, raw pixels, 4 students per outer step": dict(student="cnn-raw", students_per_step=4)}


@dataclass
class Config:
    game: str = "starpilot"       # Procgen game (its offline dataset is the comparison's)
    students: int = 3             # students per row (seeds 0..); rows at BC's budget: 2 (each ~4 CPU-minutes)
    pbc: int = 0                  # pbc outer iterations (0: no pbc rows)
    pbc_students: int = 10        # students per pbc set
    out: Path = comparison.Config.out  # the comparison's results folder: its dataset in <out>/<game>/dataset


def parse_config() -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default=Config.game, help=f"Procgen game (default: {Config.game})")
    parser.add_argument("--pbc", type=int, default=0, help="pbc outer iterations (default 0: no pbc rows)")
    parser.add_argument("--out", type=Path, default=Config.out, help=f"results folder (default: {Config.out})")
    args = parser.parse_args()
    if args.pbc < 0: parser.error(f"--pbc: expected iterations >= 0, found {args.pbc}")
    return Config(game=args.game, pbc=args.pbc, out=args.out)


cfg = parse_config()
torch.manual_seed(0)
comparison_cfg = comparison.Config(game=cfg.game, out=cfg.out)
folder = comparison.folder(comparison_cfg)
ds = comparison.dataset(comparison_cfg)
expert = comparison.expert(cfg.game)
data = {"real 150 + expert labels": lambda: control_set("real-expert-labels", ds, 150, 0, expert),
        "real 150 (recorded actions)": lambda: control_set("real-random", ds, 150, 0, expert),
        "all frames (recorded actions)": lambda: ds,
        "all frames + expert labels": lambda: BCData(torch.from_numpy(np.ascontiguousarray(ds.observations)),
                                                     expert_log_probs(expert, ds).exp(), ds.n_actions)}


def kl_row(name: str, budget: str, policies: list, seconds: float) -> list:
    "A table row: the policies' mean KL(expert || policy), each student's, and the agreement of likeliest actions."
    result = comparison.divergence(comparison_cfg, policies)
    kl, agree = np.array(result["kl"]), np.array(result["agree"])
    each = ", ".join(f"{k:.3f}" for k in kl) if len(kl) > 1 else ""
    return [name, budget, len(kl), f"{kl.mean():.3f}", each, f"{agree.mean():.0%}", f"{seconds:.0f}"]


def cached_row(key: str, make) -> list:
    "The row saved in budget/rows/`key`.json, made by `make()` when missing: a stopped run resumes row by row."
    saved = folder / "budget" / "rows" / f"{key}.json"
    if not saved.exists():
        saved.parent.mkdir(parents=True, exist_ok=True)
        write_json(saved, dict(row=make(), commit=comparison.COMMIT))
    record = json.loads(saved.read_text())
    row_commits.add(record["commit"])
    print(" | ".join(map(str, record["row"])), flush=True)
    return record["row"]


def train_row(name: str, budget: BCConfig) -> list:
    "Students trained on `name`'s data within `budget`, as a row (2 students when the budget exceeds 100,000 samples)."
    start = time.time()
    seeds = list(range(2 if budget.steps * budget.batch_size > 100_000 else cfg.students))
    students = train_students(data[name](), budget, seeds, progress=False)
    label = f"{budget.steps} steps, batch {budget.batch_size}, lr {budget.lr:g}{raw_pixels(budget.student)}"
    return kl_row(name, label, students, time.time() - start)


def raw_pixels(student: str) -> str:
    "The label's mark of students on raw pixels."
    return ", raw pixels" if student == "cnn-raw" else ""


def pbc_row(name: str, run: Path, settings: dict) -> list:
    "pbc distilled with `settings` into `run` (resumable), then its students at the evaluation's budget, as a row."
    start = time.time()
    config = DistillConfig(method="pbc", size=150, iterations=cfg.pbc, seed=0, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        syn = distill(ds, config, expert, run, resume=True, progress=True)
    student = settings.get("student", EVALUATION.student)
    students = train_students(syn.to_dataset(), replace(EVALUATION, student=student), list(range(cfg.pbc_students)),
                              progress=False)
    history = np.array(syn.history)
    label = (f"{cfg.pbc} iterations (outer loss, median of the first and last 50: {np.median(history[:50]):.3f} -> "
             f"{np.median(history[-50:]):.3f}); students: 100 steps, batch 15, lr 0.005{raw_pixels(student)}")
    return kl_row(name, label, students, time.time() - start)


row_commits = {comparison.COMMIT}   # the commits this page's rows were made at
prior = PriorPolicy.from_actions(ds.actions, ds.n_actions)
rows = [kl_row("action prior (the dataset's action mix)", "-", [prior], 0),
        kl_row("random policy", "-", [RandomPolicy(ds.n_actions)], 0)]
for name, budget in ROWS:
    data_key = name.split(" (")[0].replace(" + ", "-").replace(" ", "-")
    key = f"{data_key}-{budget.steps}x{budget.batch_size}-lr{budget.lr:g}{'-raw' if raw_pixels(budget.student) else ''}"
    key += f"-{cfg.students}students"
    rows.append(cached_row(key, lambda: train_row(name, budget)))
for name, settings in PBC_VARIANTS.items() if cfg.pbc else []:
    run = folder / "budget" / ("pbc" if not settings else "pbc-" + "-".join(f"{k}{v:g}" if not isinstance(v, str)
                                                                             else v for k, v in settings.items()))
    key = f"{run.name}-{cfg.pbc}iterations-{cfg.pbc_students}students"
    rows.append(cached_row(key, lambda: pbc_row(name, run, settings)))

command = f"OMP_NUM_THREADS=1 python experiments/student_budget.py --game {cfg.game}"
command += f" --pbc {cfg.pbc}" if cfg.pbc else ""
page = [f"# {cfg.game}: what a fresh student learns within a training budget\n",
        f"Made by `{command}` at commit {comparison.COMMIT} (rows made at {', '.join(sorted(row_commits))}) "
        f"on {device_name(torch.device('cpu'))}.\n",
        __doc__.split("\n\n")[1].replace("\n", " ") + "\n",
        f"Offline dataset: {ds.n_episodes} episodes, {len(ds)} frames (`{cfg.game}/dataset` beside this page); "
        f"KL in nats on {comparison.DIVERGENCE_STATES:,} of its states (seed-0 sample); `agree`: how often the "
        "student's likeliest action is the expert's; `KL to expert`: the students' mean KL(expert || student); "
        "`s`: wall time of the row's training (and distillation) in the run that made it.\n",
        markdown_table(["trained on", "budget", "students", "KL to expert", "each student", "agree", "s"],
                       rows),
        ""]


def plot_rows(rows: list, path: Path):
    "Each row's students' KL to the expert (grey dots) and their mean (diamond), the action prior as a line."
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(rows) + 1.2))
    labels = [f"{name} | {budget.split(' (')[0].split(';')[0]}" for name, budget, *_ in rows]
    for i, row in enumerate(rows):
        each = [float(k) for k in row[4].split(", ")] if row[4] else [float(row[3])]
        color = "tab:orange" if row[0].startswith("pbc") else "tab:blue"
        ax.plot(each, [i] * len(each), ".", color="grey", markersize=5)
        ax.plot(float(row[3]), i, "D", color=color, markersize=7)
    ax.axvline(float(rows[0][3]), color="tab:red", linestyle="--", label="action prior")
    ax.set(yticks=range(len(rows)), xscale="log", xlabel="KL(expert || student), nats (log scale)")
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)


figure = comparison_cfg.out / f"{cfg.game}-student-budget.png"
plot_rows(rows, figure)
page.insert(-1, f"![KL to the expert by training data and budget]({figure.name})\n")
out = comparison_cfg.out / f"{cfg.game}-student-budget.md"
tmp = out.with_suffix(".md.tmp")
tmp.write_text("\n".join(page))
tmp.replace(out)
print("\n".join(page))
