"""Issue 8's test at full size: do 150 distilled frames teach better than 150 real frames picked at random?

Protocol (per game): 100 episodes of the shipped expert on levels 100-299 (easy, sampled actions, seed 0) form
the offline dataset. Synthetic sets of 150 frames (seed 0): `expert-gm` as published (1000 iterations, SGD 0.1 /
0.5, MSE, hard labels; at that learning rate the frames move by less than a tenth of a pixel level in 1000
iterations), `expert-gm-lr1000` (the same objective with SGD lr 1000, which does move them), `dm` (1000 iterations, 16 real frames per action per iteration, the expert's action
distribution as labels) and `dc` (20 outer iterations of 10 matches x 50 inner steps: dc is ~40 s per
outer iteration here, so far fewer than its paper's). Baselines: 150 real frames picked at random (seed 0) with
their recorded actions, and -- to separate what labels do from what frames do -- the same 150 frames labelled
with the expert's action distribution. Students: the paper's CNN, 100 Adam steps, batch 15, lr 5e-3,
10 per set (seeds 0-9). Evaluation: every student 100 episodes on ID (levels 100-299) and 100 on OOD (unseen
levels), sampled actions, environment seed 1; Random and Expert rows on the same levels.

"Beats" means the difference of means to `real 150 (random)` is more than two standard errors (students as the
unit: s.e. = sqrt(se_a^2 + se_b^2)) on that split.

Every part (dataset, each synthetic set, each set's students, each evaluation) is saved with its wall time under
results/distill/<game>/ as it finishes; running again skips finished parts (distillation resumes from its checkpoint).
The offline dataset, checkpoints and students are not committed: the dataset is recollected (same seed, same data)
and students retrained (same seeds) only when a part that needs them is run again.
Writes results/distill/<game>.md and <game>.png when every part is done.
Usage: python experiments/distilled_vs_real_frames.py --game bigfish [--parts data dm students-dm ...] [--out DIR]
"""
import argparse
import json
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch

from ddrl.bc import BCConfig, load_students, save_students, train_students
from ddrl.data import OfflineDataset, ProcgenSpec, RandomPolicy, collect, load_dataset, policy_logits, save_dataset
from ddrl.distill import DistillConfig, distill, init_synthetic, random_real_frames
from ddrl.eval import EvalSpec, aggregate, evaluate_policies
from ddrl.expert import load_expert
from ddrl.report import format_difference, markdown_table, plot_vs_baseline, plus_minus

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = __doc__.split("\n", 2)[2].split("Every part")[0].strip()   # quoted on the result page


@dataclass
class Config:
    game: str = "bigfish"               # Procgen game
    out: Path = ROOT / "results" / "distill"  # parts in <out>/<game>/, the result page in <out>/<game>.md and .png
    parts: list | None = None           # run only these parts (None: every part)
    size: int = 150                     # frames of every synthetic set and of the real-frame baselines
    seeds: tuple = tuple(range(10))     # one student per seed, per set
    episodes: int = 100                 # expert episodes in the offline dataset; evaluation episodes per split
    num_levels: int = 200               # training (ID) levels ...
    start_level: int = 100              # ... starting here
    mode: str = "easy"                  # Procgen distribution mode
    collect_envs: int = 50              # parallel environments while collecting
    data_seed: int = 0                  # seed of the collection, the synthetic sets and the random real frames
    iterations: int = 1000              # outer iterations of expert-gm, expert-gm-lr1000 and dm
    dc_iterations: int = 20             # outer iterations of dc (each 10 matches x 50 inner steps)
    student: BCConfig = field(default_factory=lambda: BCConfig(steps=100, batch_size=15, lr=5e-3))  # each student
    eval_envs: int = 50                 # parallel environments while evaluating
    eval_seed: int = 1                  # environment seed of the evaluation (the same for every policy)


def parse_config() -> Config:
    "The default configuration with the command line's changes."
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", default=Config.game, help=f"Procgen game (default: {Config.game})")
    parser.add_argument("--parts", nargs="*", help="parts to run (default: all), e.g. data dm students-dm eval-dm")
    parser.add_argument("--out", type=Path, default=Config.out, help=f"results folder (default: {Config.out})")
    args = parser.parse_args()
    return Config(game=args.game, out=args.out, parts=args.parts)


def distillations(cfg: Config) -> dict:
    "The synthetic sets: name -> distillation config."
    return {"expert-gm": DistillConfig("expert-gm", size=cfg.size, iterations=cfg.iterations, seed=cfg.data_seed),
            "expert-gm-lr1000": DistillConfig("expert-gm", size=cfg.size, iterations=cfg.iterations, lr=1000.0,
                                              seed=cfg.data_seed),
            "dc": DistillConfig("dc", size=cfg.size, iterations=cfg.dc_iterations, seed=cfg.data_seed),
            "dm": DistillConfig("dm", size=cfg.size, iterations=cfg.iterations, seed=cfg.data_seed)}


def row_names(cfg: Config) -> list[str]:
    "The table's rows, as part names: the two policies, the two real-frame baselines, the synthetic sets."
    return ["Random", "Expert", "real-random", "real-expert-labels", *distillations(cfg)]


def display_name(cfg: Config, name: str) -> str:
    "A row's name on the result page."
    names = {"real-random": f"real {cfg.size} (random)", "real-expert-labels": f"real {cfg.size} + expert labels"}
    return names.get(name, name)


LABELS = {"Random": "", "Expert": "", "real-random": "recorded actions", "real-expert-labels": "expert distribution",
          "expert-gm": "hard (recorded)", "expert-gm-lr1000": "hard (recorded)", "dc": "hard (recorded)",
          "dm": "expert distribution"}


def record(cfg: Config, info: dict, name: str, work):
    "Put part `name`'s record into `info`: read if done, else made by `work()` (if the part is to run) and saved."
    folder = cfg.out / cfg.game
    done = folder / f"{name}.json"
    evaluation = (folder / name.replace("students-", "eval-", 1)).with_suffix(".json")
    # students are not committed: they are trained again (same seeds) only if their evaluation is to run
    students_needed = name.startswith("students-") and not (folder / name).exists() and not evaluation.exists()
    if done.exists() and not students_needed:
        info[name] = json.loads(done.read_text())
        return
    if cfg.parts and name not in cfg.parts:
        return
    start = time.time()
    result = dict(work() or {}, part=name, threads=torch.get_num_threads())
    result["seconds"] = round(time.time() - start, 1)
    tmp = done.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=1))
    tmp.replace(done)
    info[name] = result
    print(f"{cfg.game} {name}: {result['seconds']:.0f} s", flush=True)


def dataset(cfg: Config) -> OfflineDataset:
    "The offline dataset; collected again (same seed, the same episodes) when it is missing."
    path = cfg.out / cfg.game / "dataset"
    if not path.exists():
        spec = ProcgenSpec(cfg.game, cfg.num_levels, cfg.start_level, cfg.mode, cfg.collect_envs, cfg.data_seed)
        save_dataset(collect(load_expert(cfg.game), spec, cfg.episodes, progress=False), path)
    return load_dataset(path)


def real_sets(cfg: Config) -> dict:
    "The real-frame baselines: random frames with their recorded actions, and the same with the expert's labels."
    real = random_real_frames(dataset(cfg), cfg.size, seed=cfg.data_seed)
    logits = torch.as_tensor(policy_logits(load_expert(cfg.game), real.observations))
    probs = torch.softmax(logits, -1).numpy()
    labelled = OfflineDataset(real.observations, real.actions, real.rewards, real.terminations, real.truncations,
                              real.episode_lengths, n_actions=real.n_actions, soft_labels=probs)
    return {"real-random": real, "real-expert-labels": labelled}


def describe_data(cfg: Config) -> dict:
    "Part `data`: the offline dataset's size and mean return."
    ds = dataset(cfg)
    return dict(episodes=ds.n_episodes, frames=len(ds), mean_return=float(ds.episode_returns.mean()))


def distill_set(cfg: Config, name: str) -> dict:
    "Part `<set>`: one synthetic set, resumed from its checkpoint."
    config = distillations(cfg)[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        syn = distill(dataset(cfg), config, load_expert(cfg.game), cfg.out / cfg.game / name, resume=True,
                      progress=True)
    return dict(iterations=config.iterations, final_loss=syn.history[-1] if syn.history else None)


def train_set_students(cfg: Config, name: str) -> dict:
    "Part `students-<set>`: students on one set (synthetic or real)."
    data = real_sets(cfg)[name] if name.startswith("real") else load_dataset(cfg.out / cfg.game / name)
    seeds = list(cfg.seeds)
    students = train_students(data, cfg.student, seeds, progress=False)
    save_students(students, cfg.out / cfg.game / f"students-{name}", seeds=seeds, overwrite=True)
    return dict(students=len(seeds), steps=cfg.student.steps, batch=cfg.student.batch_size, lr=cfg.student.lr,
                frames=len(data))


def eval_spec(cfg: Config) -> EvalSpec:
    "Where every policy is evaluated."
    return EvalSpec(cfg.game, cfg.episodes, cfg.num_levels, cfg.start_level, cfg.mode, cfg.eval_envs, cfg.eval_seed)


def evaluate_row(cfg: Config, name: str) -> dict:
    "Part `eval-<row>`: a row's policies on both splits (sampled actions), aggregated, with each student's mean."
    if name == "Random":
        policies = [RandomPolicy()]
    elif name == "Expert":
        policies = [load_expert(cfg.game)]
    else:
        policies = load_students(cfg.out / cfg.game / f"students-{name}")
    returns = evaluate_policies(policies, eval_spec(cfg), modes=("sampled",), progress=False)
    return {s: dict(aggregate(r["sampled"]), per_student=r["sampled"].mean(1).tolist()) for s, r in returns.items()}


def pixel_change(cfg: Config, ds: OfflineDataset, name: str) -> float:
    "Largest change of any pixel (uint8 levels) from the real frame a stored synthetic frame started from."
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = init_synthetic(ds, cfg.size, seed=distillations(cfg)[name].seed).frames.detach().numpy()
    stored = load_dataset(cfg.out / cfg.game / name).observations.astype(np.float32)
    return float(np.abs(stored - start).max())


def table(cfg: Config, info: dict) -> str:
    "Markdown: every row's returns, its difference to the real-random baseline, and each synthetic set's record."
    columns = ["set", "frames", "labels", "ID mean +- s.e.", "OOD mean +- s.e.", "ID vs real random",
               "OOD vs real random", "students x episodes", "time s", "loss first -> last", "max pixel change"]
    sets = distillations(cfg)
    ds = dataset(cfg)
    baseline = info["eval-real-random"]
    rows = []
    for name in row_names(cfg):
        ev = info[f"eval-{name}"]
        frames = cfg.size if name not in ("Random", "Expert") else ""
        versus = ["", ""]
        if name != "real-random":
            versus = [format_difference(ev[s], baseline[s], verdict=True) for s in ("id", "ood")]
        seconds, loss, change = "", "", ""
        if name in sets:
            seconds = info[name]["seconds"]
            curve = np.loadtxt(cfg.out / cfg.game / name / "loss.csv", delimiter=",", skiprows=1)[:, 1]
            loss = f"{curve[0]:.4g} -> {curve[-1]:.4g}"
            change = f"{pixel_change(cfg, ds, name):.0f}"
        rows.append([display_name(cfg, name), frames, LABELS[name], plus_minus(ev["id"]["mean"], ev["id"]["stderr"]),
                     plus_minus(ev["ood"]["mean"], ev["ood"]["stderr"]), *versus,
                     f"{ev['id']['students']} x {ev['id']['episodes']}", seconds, loss, change])
    return markdown_table(columns, rows)


def figure(cfg: Config, info: dict, path: Path):
    "Every row's mean return +- s.e., ID and OOD side by side, the real-random baseline dashed."
    means = {display_name(cfg, n).replace(" + ", "\n+ "): info[f"eval-{n}"] for n in row_names(cfg)}
    title = (f"{cfg.game}: students on {cfg.size} frames ({len(cfg.seeds)} students x {cfg.episodes} episodes per "
             f"split, sampled; dashed: real {cfg.size} random)")
    fig = plot_vs_baseline(means, display_name(cfg, "real-random"), title=title, path=path, dpi=90)
    plt.close(fig)


def result_page(cfg: Config, info: dict) -> str:
    "The result page: protocol, data, table and figure."
    data = info["data"]
    text = [f"# {cfg.game}: {cfg.size} distilled frames vs {cfg.size} real frames picked at random\n",
            PROTOCOL,
            "",
            f"Offline data: {data['episodes']} episodes, {data['frames']} frames, mean return "
            f"{data['mean_return']:.2f} (shipped stop-gap expert). Evaluation: {eval_spec(cfg).describe()}; s.e. "
            f"across students (one episode return average per student) for students, across episodes for Random "
            f"and Expert. For each synthetic set: distillation wall time on 2 CPU cores, its matching loss at the "
            f"first and last iteration (loss.csv) and the largest change of any pixel from the real frame it started "
            f"from, in uint8 levels as stored.",
            "",
            table(cfg, info),
            "",
            f"![ID and OOD return of every set]({cfg.game}.png)\n"]
    return "\n".join(text)


def main(cfg: Config):
    (cfg.out / cfg.game).mkdir(parents=True, exist_ok=True)
    info = {}
    record(cfg, info, "data", lambda: describe_data(cfg))
    for name in distillations(cfg):
        record(cfg, info, name, lambda n=name: distill_set(cfg, n))
    for name in row_names(cfg)[2:]:
        record(cfg, info, f"students-{name}", lambda n=name: train_set_students(cfg, n))
    for name in row_names(cfg):
        record(cfg, info, f"eval-{name}", lambda n=name: evaluate_row(cfg, n))
    if not all(f"eval-{n}" in info for n in row_names(cfg)):
        return
    text = result_page(cfg, info)
    figure(cfg, info, cfg.out / f"{cfg.game}.png")
    (cfg.out / f"{cfg.game}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(parse_config())
