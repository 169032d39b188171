"""Do 150 distilled frames teach a student better than 150 real frames? (evaluation protocol v2)

Protocol (per game). The offline dataset: 100 episodes of the shipped expert on levels 100-299 (easy, sampled
actions, seed 0). Every training set has 150 frames and is a unit of the analysis:
- real-frame controls, 5 subsets each (subset seeds 0-4): frames picked at random with their recorded actions;
  the same frames labelled with the expert's action distribution; frames picked class-balanced with their
  recorded actions (how `expert-gm` and `dc` start);
- each distillation method, 3 runs (distillation seeds 0-2), with the method's default settings (`DistillConfig`:
  random real frames as the start, cross-entropy, the method's iterations); `pbc-frozen` is `pbc` with its frames
  frozen (labels learned only), the ablation that tells whether the frames carry anything. A distillation run with
  seed s starts from the same frames as the control subsets with seed s (and pbc from their expert labels);
- BC 100%: the whole offline dataset (1000 Adam steps, batch 256), for scale; with `--percents`, percentile BC
  too (the paper's baselines): the top x% of episodes by return, every episode tied at the threshold kept.
Students: 10 per set (seeds 0-9), the paper's CNN, 100 Adam steps, batch 15, lr 5e-3 (BC: 1000 steps, batch 256).
Evaluation: every policy plays the same levels, one episode each, with its own action-sampling stream (sampled
actions): ID = 100 levels drawn from 100-299, ID-D = every level of the offline dataset, OOD = 100 levels outside
the training range; the random policy, the action prior (the dataset's action mix, whatever the state) and the
expert on the same levels. Means and differences carry 95% intervals from the crossed random-effects model of
`04_eval` (units: dataset seeds, else students; levels); a comparison "beats" only when its Holm-corrected interval
excludes 0 (Holm over each table). Every policy's divergence from the expert, KL(expert || policy), on 2,048 states
of the offline dataset: what imitation reduces, and how much of it goes beyond the action prior (students that are
not kept here are trained again for it, same data and seeds; a distilled set needs its frames, kept where it ran).

Every part (the dataset, each distillation run, each set's students, each set's evaluation) is saved with its
wall time under results/distill/<game>/ as it finishes, one set at a time (its frames, students, evaluation);
running again skips finished parts and resumes an unfinished distillation from its checkpoint. Committed: the
per-episode records (records/*.csv.gz), each distillation run's config, loss curve and frame grid, the part
records, the result page and its figures. Not committed (re-made with the same seeds when a part needs them):
the offline dataset, the synthetic sets' frames, checkpoints and students.
With `--student cnn-raw` every student (of every set, BC too, and inside pbc) is the paper's CNN on raw 0-255 pixels,
as the original code fed it, instead of [0, 1] inputs: a separate run, in results/distill/<game>-cnn-raw/ and
<game>-cnn-raw.md, on the same offline dataset. `--students-per-step K` averages pbc's outer loss over K students.
Usage: OMP_NUM_THREADS=1 python experiments/distilled_vs_real_frames.py --game starpilot [--methods pbc pbc-frozen]
       [--percents 10 25 40] [--student cnn-raw] [--students-per-step K] [--iterations N [METHOD=N ...]] [--only PART ...]
       [--out DIR] [--distill-seeds N --page NAME (a screen: N runs of some methods beside the run's controls)]
       [--lr X --label-lr Y --schedule cosine --precision bf16 --normalise (pbc's outer settings)]
       [--interim (the page from the sets evaluated so far)]
"""
import argparse
import json
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from ddrl.bc import BCConfig, load_students, save_students, train_students
from ddrl.data import (OfflineDataset, PriorPolicy, ProcgenSpec, RandomPolicy, collect, load_dataset, policy_logits,
                       save_dataset, top_percent)
from ddrl.distill import BILEVEL, CONTROLS, METHODS, DistillConfig, control_set, distill, pixel_change
from ddrl.eval import EvalSpec, evaluate_policies, results_frame
from ddrl.expert import device_name, load_expert
from ddrl.pipeline import _git_commit, write_json, write_text
from ddrl.report import (SPLIT_NAMES, comparison_table, markdown_table, percentile_table, plot_differences, plot_id_ood,
                         with_interval)

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = __doc__.split("\n", 2)[2].split("Every part")[0].strip()   # quoted on the result page
VARIANTS = {"pbc-frozen": dict(method="pbc", learn_frames=False)}        # name -> DistillConfig settings
PRIOR = "Action prior"       # the row of `PriorPolicy`: the offline dataset's action mix, whatever the state
DIVERGENCE_STATES = 2048     # offline-dataset states on which every policy's KL from the expert is measured


@dataclass
class Config:
    game: str = "starpilot"             # Procgen game
    out: Path = ROOT / "results" / "distill"  # parts in <out>/<game>/, the result page in <out>/<game>.md
    methods: tuple = ("pbc", "pbc-frozen")  # distillation methods (`METHODS`) and variants (`VARIANTS`)
    percents: tuple = ()                # percentile BC besides BC 100%: the top x% of episodes (the paper: 10 25 40)
    only: list | None = None            # run only these parts (None: every part)
    interim: bool = False               # make no new set: write the page from the sets evaluated so far (interim)
    size: int = 150                     # frames of every training set
    subset_seeds: int = 5               # subsets per real-frame control
    distill_seeds: int = 3              # runs per distillation method
    students: tuple = tuple(range(10))  # one student per seed, per set
    episodes: int = 100                 # expert episodes in the offline dataset
    eval_levels: int = 100              # ID and OOD levels (ID-D: every level of the dataset)
    num_levels: int = 200               # training (ID) levels ...
    start_level: int = 100              # ... starting here
    mode: str = "easy"                  # Procgen distribution mode
    collect_envs: int = 50              # parallel environments while collecting
    data_seed: int = 0                  # seed of the collection; subset and distillation seeds are offsets from it
    iterations: int | None = None       # outer iterations (None: each method's default)
    method_iterations: dict = field(default_factory=dict)  # method -> outer iterations, over `iterations`
    page: str | None = None             # the result page's name (None: the run's name); a screen of a few methods
    dc_iterations: int = 20             # outer iterations of dc (each 10 matches x 50 inner steps)
    student: BCConfig = field(default_factory=lambda: BCConfig(steps=100, batch_size=15, lr=5e-3))
    bc: BCConfig = field(default_factory=lambda: BCConfig(steps=1000, batch_size=256, lr=5e-3))  # BC x%
    eval_seed: int = 1                  # seeds the evaluation levels and the action streams
    student_kind: str = "cnn"           # every set's students: `cnn` ([0, 1] inputs) or `cnn-raw` (raw 0-255 pixels)
    students_per_step: int = 1          # pbc: students per outer step (`DistillConfig.students_per_step`)
    monitor_every: int = 0              # distillations: iterations between monitor points (`DistillConfig.monitor_every`)
    outer: dict = field(default_factory=dict)  # pbc's settings besides its defaults (lr, schedule, normalise, ...)
    def __post_init__(self):
        if self.student_kind != "cnn":
            self.student = replace(self.student, student=self.student_kind)
            self.bc = replace(self.bc, student=self.student_kind)


def parse_config() -> Config:
    "The default configuration with the command line's changes."
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default=Config.game, help=f"Procgen game (default: {Config.game})")
    parser.add_argument("--methods", nargs="*", default=list(Config.methods), help="distillation methods")
    parser.add_argument("--percents", nargs="*", type=float, default=[], help="percentile BC: top x%% of episodes")
    parser.add_argument("--only", nargs="*", help="parts to run (default: all), e.g. data distill-pbc-0 eval-pbc-0")
    parser.add_argument("--interim", action="store_true", help="make no new set: the page from the sets evaluated so far")
    parser.add_argument("--out", type=Path, default=Config.out, help=f"results folder (default: {Config.out})")
    parser.add_argument("--student", default="cnn", choices=["cnn", "cnn-raw"],
                        help="every set's students: the paper's CNN on [0, 1] inputs (default) or on raw 0-255 pixels")
    parser.add_argument("--students-per-step", type=int, default=1, help="pbc: students per outer step (default 1)")
    parser.add_argument("--monitor-every", type=int, default=0,
                        help="distillations: iterations between monitor points (fresh students' KL to the expert; "
                             "default 0: none)")
    parser.add_argument("--iterations", nargs="+", default=[], metavar="N|METHOD=N",
                        help="outer iterations of every distillation but dc (default: each method's own); "
                             "METHOD=N for one method, e.g. --iterations 150 student-gm=1000")
    parser.add_argument("--distill-seeds", type=int, default=Config.distill_seeds,
                        help=f"distillation runs per method (default {Config.distill_seeds}; 1: a screen)")
    parser.add_argument("--page", help="the result page's name, <out>/<page>.md (default: the run's name); for a screen "
                                       "of some methods beside the run's controls (made only where missing)")
    parser.add_argument("--lr", type=float, help="pbc: the frames' Adam lr, pixel levels (default: DistillConfig's, 1)")
    parser.add_argument("--label-lr", type=float, help="pbc: the soft labels' Adam lr (default: DistillConfig's, 0.01)")
    parser.add_argument("--schedule", choices=["constant", "cosine"], help="pbc: the outer lrs' schedule (default: constant)")
    parser.add_argument("--precision", choices=["fp32", "bf16"], help="pbc: its inner students' precision (default: fp32)")
    parser.add_argument("--normalise", action="store_true", help="pbc: each student's meta-gradient scaled to norm 1")
    args = parser.parse_args()
    iterations, method_iterations = None, {}
    for token in args.iterations:
        method, _, n = token.rpartition("=")
        if not n.isdigit() or int(n) < 1 or (method and method not in METHODS and method not in VARIANTS):
            parser.error(f"--iterations: expected N or METHOD=N with N >= 1 and METHOD one of "
                         f"{list(METHODS) + list(VARIANTS)}, found {token!r}")
        if method: method_iterations[method] = int(n)
        else: iterations = int(n)
    if args.distill_seeds < 1: parser.error(f"--distill-seeds: expected >= 1, found {args.distill_seeds}")
    if args.monitor_every < 0: parser.error(f"--monitor-every: expected >= 0, found {args.monitor_every}")
    if args.students_per_step < 1: parser.error(f"--students-per-step: expected >= 1, found {args.students_per_step}")
    if unknown := [m for m in args.methods if m not in METHODS and m not in VARIANTS]:
        parser.error(f"unknown methods {unknown}; expected some of {list(METHODS) + list(VARIANTS)}")
    if bad := [p for p in args.percents if not 0 < p < 100]:
        parser.error(f"--percents: expected values in (0, 100) (BC 100% always runs), found {bad}")
    return Config(game=args.game, out=args.out, methods=tuple(args.methods), only=args.only,
                  percents=tuple(sorted(set(args.percents))), interim=args.interim, student_kind=args.student,
                  students_per_step=args.students_per_step, iterations=iterations,
                  method_iterations=method_iterations, distill_seeds=args.distill_seeds, page=args.page,
                  monitor_every=args.monitor_every,
                  outer={k: v for k, v in dict(lr=args.lr, label_lr=args.label_lr, schedule=args.schedule,
                                               precision=args.precision, normalise=args.normalise or None).items()
                         if v is not None})


# ---- the training sets -------------------------------------------------------------------------------------

def training_sets(cfg: Config) -> list[dict]:
    "Every set: its part name, display name (the method in the tables), kind and dataset seed."
    sets = [dict(part=f"bc-{p:g}", name=f"BC {p:g}%", kind="bc", percent=p, seed=0) for p in (*cfg.percents, 100)]
    for kind, display in CONTROLS.items():
        sets += [dict(part=f"{kind}-{s}", name=display.format(n=cfg.size), kind=kind, seed=s)
                 for s in range(cfg.subset_seeds)]
    for method in cfg.methods:
        sets += [dict(part=f"{method}-{s}", name=method, kind="distill", method=method, seed=s)
                 for s in range(cfg.distill_seeds)]
    return sets


def distill_config(cfg: Config, method: str, seed: int) -> DistillConfig:
    "The distillation run of `method` with dataset seed `seed`."
    settings = VARIANTS.get(method, dict(method=method))
    default = cfg.dc_iterations if settings["method"] == "dc" else cfg.iterations
    iterations = cfg.method_iterations.get(method) or cfg.method_iterations.get(settings["method"]) or default
    extra = {} if cfg.student_kind == "cnn" else dict(student=cfg.student_kind)   # the default runs' configs unchanged
    bilevel = settings["method"] in BILEVEL
    if cfg.students_per_step != 1 and bilevel: extra["students_per_step"] = cfg.students_per_step
    if cfg.monitor_every: extra["monitor_every"] = cfg.monitor_every   # watching changes no number of the run
    if bilevel: extra.update(cfg.outer)
    return DistillConfig(**settings, size=cfg.size, iterations=iterations, seed=cfg.data_seed * 1000 + seed, **extra)


def run_name(cfg: Config) -> str:
    "The run's name: the game, with the student kind when it is not the default."
    return cfg.game if cfg.student_kind == "cnn" else f"{cfg.game}-{cfg.student_kind}"


def page_name(cfg: Config) -> str:
    "The result page's name: the run's, or the `--page` given for a screen."
    return cfg.page or run_name(cfg)


def folder(cfg: Config) -> Path:
    "Where the run's parts are saved."
    return cfg.out / run_name(cfg)


def dataset_path(cfg: Config) -> Path:
    "The offline dataset, shared by the runs of every student kind."
    return cfg.out / cfg.game / "dataset"


# ---- parts: each saved with its wall time, skipped when done ---------------------------------------------------

def run_part(cfg: Config, info: dict, name: str, work, needed: bool = True):
    "Put part `name`'s record into `info`: read if done (and still `needed` as input), else made by `work()`."
    done = folder(cfg) / "parts" / f"{name}.json"
    if done.exists() and needed:
        info[name] = json.loads(done.read_text())
        return
    if not needed or (cfg.only and name not in cfg.only):
        return
    start = time.time()
    result = dict(work() or {}, part=name, threads=torch.get_num_threads(), commit=COMMIT, machine=MACHINE)
    result["seconds"] = round(time.time() - start, 1)
    done.parent.mkdir(parents=True, exist_ok=True)
    write_json(done, result)
    info[name] = result
    print(f"{cfg.game} {name}: {result['seconds']:.0f} s", flush=True)


def machines(info: dict) -> str:
    "The machines that made the parts in `info`, as their records name them (older records name none)."
    named = sorted({r["machine"] for r in info.values() if "machine" in r})
    unnamed = sum("commit" in r and "machine" not in r for r in info.values())
    return "; ".join(named + ([f"not recorded for {unnamed} older parts"] if unnamed else [])) or "-"


def commit_label() -> str:
    "The checkout's short commit, with `+dirty` when tracked files differ from it."
    git = _git_commit()
    return (git["commit"] or "unknown")[:7] + ("+dirty" if git["dirty"] else "")


COMMIT = commit_label()   # the code this process runs (read once: later edits of the checkout do not change it)
MACHINE = device_name(torch.device("cpu"))   # where this process makes its parts (a run may span machines)
expert = lru_cache(maxsize=None)(load_expert)   # the shipped expert, loaded once per game
load_once = lru_cache(maxsize=1)(load_dataset)  # the offline dataset, read once (every part runs in this process)


def dataset(cfg: Config) -> OfflineDataset:
    "The offline dataset; collected again (same seed, the same episodes) when it is missing."
    path = dataset_path(cfg)
    if not path.exists():
        spec = ProcgenSpec(cfg.game, cfg.num_levels, cfg.start_level, cfg.mode, cfg.collect_envs, cfg.data_seed)
        save_dataset(collect(expert(cfg.game), spec, cfg.episodes, progress=False), path)
    return load_once(path)


def describe_data(cfg: Config) -> dict:
    "Part `data`: the offline dataset's size, mean return and levels."
    ds = dataset(cfg)
    return dict(episodes=ds.n_episodes, frames=len(ds), mean_return=float(ds.episode_returns.mean()),
                levels=sorted(set(ds.level_seeds.tolist())))


def check_dataset(cfg: Config, record: dict):
    "Stop when the offline dataset here (collected again if missing) is not the one the saved parts were made from."
    found = describe_data(cfg)
    for key in ["episodes", "frames", "mean_return", "levels"]:
        if found[key] != record[key]:
            raise SystemExit(f"{dataset_path(cfg)}: {key} is {found[key]} but the parts in {folder(cfg) / 'parts'} "
                             f"were made from {record[key]}; move them away to start again")


def distill_run(cfg: Config, method: str, seed: int) -> dict:
    "Part `distill-<method>-<seed>`: one synthetic set, resumed from its checkpoint."
    config = distill_config(cfg, method, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        syn = distill(dataset(cfg), config, expert(cfg.game), folder(cfg) / method / f"seed-{seed}",
                      resume=True, progress=True)
    return dict(config=asdict(config), first_loss=syn.history[0] if syn.history else None,
                last_loss=syn.history[-1] if syn.history else None,
                pixel_change=pixel_change(syn.to_dataset(), dataset(cfg)))


WATCHING = ("monitor_every", "monitor_students", "checkpoint_every")   # settings that change no number of a run


def check_distill_configs(cfg: Config, sets: list[dict]):
    "Stop when a finished distillation part was made with other settings than this command asks for."
    for s in sets:
        record = folder(cfg) / "parts" / f"distill-{s['part']}.json"
        if s["kind"] != "distill" or not record.exists(): continue
        saved, asked = json.loads(record.read_text())["config"], asdict(distill_config(cfg, s["method"], s["seed"]))
        defaults = {k: f.default for k, f in DistillConfig.__dataclass_fields__.items()}   # fields newer than a record
        saved = defaults | saved
        if changed := [k for k in asked if k not in WATCHING and saved[k] != asked[k]]:
            found = ", ".join(f"{k}={saved[k]!r} (this command: {asked[k]!r})" for k in changed)
            raise SystemExit(f"{record}: made with {found}. Run with the settings it was made with, or remove the set's "
                             f"parts (parts/*-{s['part']}.json, records/{s['part']}.csv.gz, {s['method']}/seed-{s['seed']}/) "
                             "to make it again with these.")


def set_data(cfg: Config, s: dict) -> OfflineDataset:
    "The frames and labels a set's students learn from."
    if s["kind"] == "bc": return dataset(cfg) if s["percent"] == 100 else top_percent(dataset(cfg), s["percent"])
    if s["kind"] == "distill": return load_dataset(folder(cfg) / s["method"] / f"seed-{s['seed']}")
    return control_set(s["kind"], dataset(cfg), cfg.size, cfg.data_seed * 1000 + s["seed"], expert(cfg.game))


def train_set(cfg: Config, s: dict) -> dict:
    "Part `students-<set>`: the set's students (BC x%: BC on the top x% of the dataset's episodes)."
    data = set_data(cfg, s)
    config = cfg.bc if s["kind"] == "bc" else cfg.student
    students = train_students(data, config, list(cfg.students), progress=False)
    save_students(students, folder(cfg) / "students" / s["part"], seeds=list(cfg.students), overwrite=True)
    record = dict(students=len(cfg.students), config=asdict(config), frames=len(data))
    if "filter" in data.metadata: record["filter"] = data.metadata["filter"]   # percentile BC: threshold b and ties
    return record


def eval_spec(cfg: Config, info: dict) -> EvalSpec:
    "Where every policy is evaluated: ID, ID-D (the dataset's levels) and OOD."
    return EvalSpec(cfg.game, cfg.eval_levels, cfg.num_levels, cfg.start_level, cfg.mode, cfg.eval_seed,
                    dataset_levels=info["data"]["levels"])


def evaluate_set(cfg: Config, info: dict, name: str, dataset_seed: int, policies: list, part: str) -> dict:
    "Part `eval-<set>`: its policies on every split (sampled actions); the records saved as CSV."
    records = evaluate_policies(policies, eval_spec(cfg, info), name, dataset_seed, progress=False)
    path = folder(cfg) / "records" / f"{part}.csv.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    records.to_csv(path, index=False)
    return dict(episodes=len(records), mean_return=float(records["return"].mean()))


@lru_cache(maxsize=None)
def expert_on_states(game: str, path: Path) -> tuple:
    "A fixed sample of the offline dataset's frames and the expert's log-probabilities on them."
    ds = load_once(path)
    pick = np.sort(np.random.default_rng(0).choice(len(ds), min(DIVERGENCE_STATES, len(ds)), replace=False))
    frames = np.asarray(ds.observations[pick])
    return frames, log_probs(expert(game), frames)


def log_probs(policy, frames: np.ndarray, chunk: int = 256) -> torch.Tensor:
    "A policy's action log-probabilities on frames, a chunk at a time."
    logits = [torch.as_tensor(policy_logits(policy, frames[i:i + chunk])) for i in range(0, len(frames), chunk)]
    return torch.cat(logits).log_softmax(-1)


def divergence(cfg: Config, policies: list) -> dict:
    "Part `kl-<set>`: each policy's KL(expert || policy) on the states, and how often their likeliest actions agree."
    frames, log_p = expert_on_states(cfg.game, dataset_path(cfg))
    kls, agree = [], []
    for policy in policies:
        log_q = log_probs(policy, frames)
        kls.append(float((log_p.exp() * (log_p - log_q)).sum(-1).mean()))
        agree.append(float((log_q.argmax(-1) == log_p.argmax(-1)).double().mean()))
    return dict(states=len(frames), kl=kls, agree=agree)


# ---- the result page ---------------------------------------------------------------------------------------

def load_records(cfg: Config, parts: list[str]) -> pd.DataFrame:
    return pd.concat([pd.read_csv(folder(cfg) / "records" / f"{p}.csv.gz") for p in parts], ignore_index=True)


def kl_cell(info: dict, parts: list[str]) -> str:
    "Mean KL(expert || policy) over the policies of `parts` and their agreement with the expert's likeliest action."
    records = [info[f"kl-{p}"] for p in parts if f"kl-{p}" in info]
    if not records: return ""
    kl, agree = np.mean([k for r in records for k in r["kl"]]), np.mean([a for r in records for a in r["agree"]])
    return f"{kl:.3f} ({agree:.0%})"


def means_table(cfg: Config, results: dict, info: dict, order: list[str], parts: dict) -> str:
    "Markdown: each method's mean and 95% interval per split, its units, KL to the expert, each distillation's record."
    df = results_frame(results)
    splits = list(results["spec"].splits)
    rows = []
    for name in order:
        d = df[df.method == name].set_index("split")
        cells = [with_interval(d.loc[s, "mean"], d.loc[s, "low"], d.loc[s, "high"]) for s in splits]
        unit = d.iloc[0]
        units = "1 policy" if unit.unit == "policy" else f"{unit.units} {'sets' if unit.unit == 'dataset_seed' else 'students'}"
        runs = [info[f"distill-{name}-{s}"] for s in range(cfg.distill_seeds) if f"distill-{name}-{s}" in info]
        loss = "; ".join(f"{r['first_loss']:.3g} -> {r['last_loss']:.3g}" for r in runs)
        change = "; ".join(f"{r['pixel_change'].get('max', float('nan')):.1f} / {r['pixel_change'].get('mean', float('nan')):.2f}"
                           for r in runs)
        seconds = "; ".join(f"{r['seconds']:.0f}" for r in runs)
        kl = "0" if name == "Expert" else kl_cell(info, parts.get(name, []))
        rows.append([name, units, f"{unit.students} x {unit.levels}", *cells, kl, loss, change, seconds])
    columns = ["method", "units", "students x levels (ID)", *[SPLIT_NAMES[s] for s in splits], "KL to expert (agree)",
               "loss first -> last", "pixel change max / mean", "distillation s"]
    return markdown_table(columns, rows)


def result_page(cfg: Config, info: dict, results: dict, order: list[str], parts: dict, missing: list[str]) -> str:
    "The result page: protocol, data, means, comparisons, figures (pairs whose two rows are both present)."
    controls = [c.format(n=cfg.size) for c in CONTROLS.values()]
    random_real, labelled, balanced = controls
    data = info["data"]
    methods = [m for m in dict.fromkeys(cfg.methods) if m in order]
    table = lambda pairs: comparison_table(results, [(a, b) for a, b in pairs if a in order and b in order])
    threads = sorted({record["threads"] for part, record in info.items() if part.startswith("distill-")}) or ["-"]
    percents = f" --percents {' '.join(f'{p:g}' for p in cfg.percents)}" if cfg.percents else ""
    options = "" if cfg.student_kind == "cnn" else f" --student {cfg.student_kind}"
    options += f" --students-per-step {cfg.students_per_step}" if cfg.students_per_step != 1 else ""
    iterations = ([str(cfg.iterations)] if cfg.iterations else []) + [f"{m}={n}" for m, n in cfg.method_iterations.items()]
    options += f" --iterations {' '.join(iterations)}" if iterations else ""
    screen = cfg.distill_seeds != Config.distill_seeds   # fewer (or more) runs per method than the protocol's
    options += f" --distill-seeds {cfg.distill_seeds}" if screen else ""
    options += f" --page {cfg.page}" if cfg.page else ""
    options += f" --monitor-every {cfg.monitor_every}" if cfg.monitor_every else ""
    for key, value in cfg.outer.items():
        flag = f" --{key.replace('_', '-')}"
        options += flag if value is True else f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}"
    command = (f"OMP_NUM_THREADS=1 python experiments/distilled_vs_real_frames.py --game {cfg.game} --methods "
               f"{' '.join(cfg.methods)}{percents}{options}")
    raw = " -- students on raw pixels" if cfg.student_kind == "cnn-raw" else ""
    text = [f"# {cfg.game}: {cfg.size} distilled frames vs {cfg.size} real frames (protocol v2){raw}"
            + (f" -- a screen, {cfg.distill_seeds} run(s) per method" if screen else "")
            + (" -- interim" if missing else "") + "\n",
            f"Made by `{command}{' --interim' if missing else ''}`, its parts at commit(s) "
            f"{', '.join(sorted({r['commit'] for r in info.values() if 'commit' in r}))} (each part's record in parts/ "
            f"names its own); machines: {machines(info)}.\n"]
    if missing:
        text += [f"**Interim: {len(missing)} of the training sets not evaluated yet** ({', '.join(missing)}); every number "
                 f"below comes from the sets evaluated so far, and `{command}` finishes the run.\n"]
    text += [
            PROTOCOL, "",
            *([f"**Students on raw pixels** (`--student cnn-raw`): every student here, of every set, BC's and pbc's "
               "inner ones, is the paper's CNN fed raw 0-255 pixels as the original code fed it (first-layer "
               "activations and Adam updates 255x those of [0, 1] inputs), not [0, 1] inputs as in "
               f"`{cfg.game}.md`.", ""] if cfg.student_kind == "cnn-raw" else []),
            *([f"**A screen**: {cfg.distill_seeds} distillation run(s) per method (`--distill-seeds "
               f"{cfg.distill_seeds}`), not {Config.distill_seeds}; the controls are the run's own (`{run_name(cfg)}.md`). "
               "With fewer runs a method's interval covers less of the variation between distillation runs (with "
               "one, none of it: only its students and levels): a method that looks better here needs its other "
               "runs before it can be said to beat anything.", ""] if screen else []),
            *([f"The bi-level methods (pbc, av-pbc) average their outer loss over {cfg.students_per_step} students per "
               "outer step.", ""]
              if cfg.students_per_step != 1 else []),
            *([f"pbc's outer settings besides its defaults: {', '.join(f'{k}={v}' for k, v in cfg.outer.items())} "
               "(`DistillConfig`).", ""] if cfg.outer else []),
            f"Offline data: {data['episodes']} episodes, {data['frames']} frames, mean return {data['mean_return']:.2f}, "
            f"{len(data['levels'])} distinct levels (the ID-D split). {results['spec'].describe()}.", "",
            "## Mean returns\n",
            "Mean return with its 95% interval per split (sampled actions); units: the sets a method was trained on "
            "(subset or distillation seeds), else its students, else the one policy. For distillation runs: the "
            "loss at the first and last iteration, how far the frames moved from the real frames they "
            "started from (pixel levels 0-255, on the float frames), and the wall time with "
            f"{'/'.join(map(str, threads))} torch thread(s) on the machines named above. `KL to expert`: the mean over "
            f"a row's policies of KL(expert || policy) on {DIVERGENCE_STATES:,} states of the offline dataset (what "
            "imitation reduces; the action prior's value is what a policy gets by ignoring the state), and how often "
            "its likeliest action is the expert's.\n",
            means_table(cfg, results, info, order, parts), "",
            f"![means]({page_name(cfg)}.png)\n"]
    if methods:
        pairs = [(m, c) for m in methods for c in controls + [PRIOR, "BC 100%"]]
        text += ["## Do distilled frames beat real frames?\n",
                 "Difference of mean returns, each method minus each control (the action prior and BC on the whole "
                 "dataset too), with 95% "
                 "intervals widened for Holm's correction over every cell of this table; **beats** / loses only where "
                 "the interval excludes 0.\n",
                 table(pairs), "",
                 f"![differences]({page_name(cfg)}-differences.png)\n"]
    frozen = [(v, settings["method"]) for v, settings in VARIANTS.items() if v in methods and settings["method"] in methods]
    if frozen:
        text += ["## Do the frames carry information?\n",
                 "Each method against its ablation with frozen frames (labels learned only; Holm over this table):\n",
                 table([(m, v) for v, m in frozen]), ""]
    if cfg.percents and all(f"BC {p:g}%" in order for p in cfg.percents):
        records = [json.loads((folder(cfg) / "parts" / f"students-bc-{p:g}.json").read_text()) for p in cfg.percents]
        filters = [dict(r["filter"], name=f"BC {p:g}%") for r, p in zip(records, cfg.percents)]
        text += ["## Percentile BC\n",
                 "BC on the top x% of the offline dataset's episodes keeps every episode whose return is at least the "
                 "threshold `b` (the return of the k-th best episode, k = ceil(x% of the episodes)), so ties can keep "
                 "more than k:\n", percentile_table(filters), "",
                 "Each against BC on every episode (Holm over this table):\n",
                 table([(f"BC {p:g}%", "BC 100%") for p in cfg.percents]), ""]
    pairs = [(labelled, random_real), (balanced, random_real), (labelled, PRIOR), ("BC 100%", labelled)]
    text += ["## What labels, picks and data do\n",
             "The controls against each other and against the action prior, and BC on the whole dataset against the "
             "strongest label control (Holm over this table):\n", table(pairs), ""]
    return "\n".join(text)


def write_page(cfg: Config, info: dict, sets: list[dict]):
    "Write <game>.md and its figures from the records of every evaluated set (interim when some are missing)."
    done = [s for s in sets if f"eval-{s['part']}" in info]
    records = load_records(cfg, ["Random", "Prior", "Expert"] + [s["part"] for s in done])
    results = dict(spec=eval_spec(cfg, info), records=records)
    order = list(dict.fromkeys(records.method))
    parts = {"Random": ["Random"], PRIOR: ["Prior"]}
    for s in done: parts.setdefault(s["name"], []).append(s["part"])
    page = result_page(cfg, info, results, order, parts, [s["part"] for s in sets if s not in done])
    notes = folder(cfg) / ("notes.md" if not cfg.page else f"notes-{cfg.page}.md")   # what a reader must know that
    if notes.exists(): page = page.rstrip("\n") + "\n\n" + notes.read_text()        # the records cannot say (by hand)
    write_text(cfg.out / f"{page_name(cfg)}.md", page)
    plt.close(plot_id_ood(results, path=cfg.out / f"{page_name(cfg)}.png",
                          title=f"{cfg.game}: {cfg.size}-frame sets, means with 95% intervals (sampled actions)"))
    pairs = [(m, c.format(n=cfg.size)) for m in dict.fromkeys(cfg.methods) for c in CONTROLS.values()]
    pairs = [(a, b) for a, b in pairs if a in order and b in order]
    if pairs:
        plt.close(plot_differences(results, pairs, path=cfg.out / f"{page_name(cfg)}-differences.png",
                                   title=f"{cfg.game}: distilled minus real frames, Holm-corrected 95% intervals"))
    print(page)


def can_remake(cfg: Config, s: dict, students: Path) -> bool:
    "Whether a set's students exist or can be trained again: a distilled set's frames are kept only where it ran."
    return students.exists() or s["kind"] != "distill" or (folder(cfg) / s["method"] / f"seed-{s['seed']}" / "data").exists()


def remade_students(cfg: Config, s: dict, students: Path) -> list:
    "A set's students, trained again (same data and seeds: the same students on CPU) when they are not kept here."
    if not students.exists(): train_set(cfg, s)
    return load_students(students)


def forget_if_missing(cfg: Config, part: str, output: Path):
    "Forget a finished part whose (uncommitted) output is gone, so that it is made again."
    if not output.exists(): (folder(cfg) / "parts" / f"{part}.json").unlink(missing_ok=True)


def main(cfg: Config):
    info = {}
    sets = training_sets(cfg)
    run_part(cfg, info, "data", lambda: describe_data(cfg))
    if "data" not in info:
        return
    check_dataset(cfg, info["data"])
    check_distill_configs(cfg, sets)
    run_part(cfg, info, "eval-Random", lambda: evaluate_set(cfg, info, "Random", 0, [RandomPolicy()], "Random"))
    prior = PriorPolicy.from_actions(dataset(cfg).actions, dataset(cfg).n_actions)   # the dataset's action mix
    run_part(cfg, info, "eval-Prior", lambda: evaluate_set(cfg, info, PRIOR, 0, [prior], "Prior"))
    run_part(cfg, info, "eval-Expert", lambda: evaluate_set(cfg, info, "Expert", 0, [expert(cfg.game)], "Expert"))
    run_part(cfg, info, "kl-Random", lambda: divergence(cfg, [RandomPolicy(dataset(cfg).n_actions)]))
    run_part(cfg, info, "kl-Prior", lambda: divergence(cfg, [prior]))
    # one set at a time, from its frames to its evaluation: a run stopped part-way keeps every set it finished
    # (frames and students are not committed, so a set whose evaluation did not finish is made again, same seeds);
    # seed by seed (every control and method with seed 0, then seed 1, ...), so that the sets finished at any point
    # compare like with like; BC last: its sets are the costliest (10 x 1000 steps at batch 256) and only the scale
    for s in sorted(sets, key=lambda s: (s["kind"] == "bc", s["seed"])):
        evaluated = (folder(cfg) / "parts" / f"eval-{s['part']}.json").exists()
        if cfg.interim and not evaluated: continue   # an interim page makes no new set
        if s["kind"] == "distill":
            name, run = f"distill-{s['method']}-{s['seed']}", folder(cfg) / s["method"] / f"seed-{s['seed']}"
            if not evaluated: forget_if_missing(cfg, name, run / "data")
            run_part(cfg, info, name, lambda s=s: distill_run(cfg, s["method"], s["seed"]))
        students = folder(cfg) / "students" / s["part"]
        if not evaluated: forget_if_missing(cfg, f"students-{s['part']}", students)
        run_part(cfg, info, f"students-{s['part']}", lambda s=s: train_set(cfg, s), needed=not evaluated)
        run_part(cfg, info, f"eval-{s['part']}",
                 lambda s=s, p=students: evaluate_set(cfg, info, s["name"], s["seed"], load_students(p), s["part"]))
        kl_done = (folder(cfg) / "parts" / f"kl-{s['part']}.json").exists()
        run_part(cfg, info, f"kl-{s['part']}", lambda s=s, p=students: divergence(cfg, remade_students(cfg, s, p)),
                 needed=kl_done or can_remake(cfg, s, students))
    finished = all(f"eval-{p}" in info for p in ["Random", "Prior", "Expert"] + [s["part"] for s in sets])
    if finished or (cfg.interim and all(f"eval-{p}" in info for p in ["Random", "Prior", "Expert"])):
        write_page(cfg, info, sets)
    else:
        missing = [s["part"] for s in sets if f"eval-{s['part']}" not in info]
        print(f"{cfg.game}: {len(missing)} sets not evaluated yet ({', '.join(missing[:5])} ...); run again")


if __name__ == "__main__":
    main(parse_config())
