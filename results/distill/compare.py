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
Usage: python results/distill/compare.py --game bigfish [--parts data dm students-dm ...]
"""
import argparse, json, math, time, warnings
from pathlib import Path
import numpy as np, torch
from ddrl.data import OfflineDataset, ProcgenSpec, RandomPolicy, collect, save_dataset, load_dataset, policy_logits
from ddrl.expert import load_expert
from ddrl.bc import BCConfig, train_students, save_students, load_students
from ddrl.distill import DistillConfig, distill, random_real_frames
from ddrl.eval import EvalSpec, evaluate_policies, aggregate

SIZE, SEEDS, EPISODES, DC_ITERATIONS = 150, list(range(10)), 100, 20
STUDENT = BCConfig(steps=100, batch_size=15, lr=5e-3)
CONFIGS = {"expert-gm": DistillConfig("expert-gm", size=SIZE, iterations=1000),
           "expert-gm-lr1000": DistillConfig("expert-gm", size=SIZE, iterations=1000, lr=1000.0),
           "dc": DistillConfig("dc", size=SIZE, iterations=DC_ITERATIONS),
           "dm": DistillConfig("dm", size=SIZE, iterations=1000)}
ROWS = ["Random", "Expert", "real-random", "real-expert-labels", *CONFIGS]   # part names; shown as NAMES
NAMES = {"real-random": "real 150 (random)", "real-expert-labels": "real 150 + expert labels"}

def run(game: str, only: list[str] | None):
    out = Path(__file__).parent / game; out.mkdir(parents=True, exist_ok=True)
    spec = EvalSpec(game, episodes=EPISODES, num_envs=50, seed=1)
    info = {}
    def timed(name, fn):
        done = out / f"{name}.json"
        needed = name.startswith("students-") and not (out / name).exists() and not (out / name.replace("students-", "eval-", 1)).with_suffix(".json").exists()
        if done.exists() and not needed:   # students are not committed: retrained (same seeds) only if their evaluation is to run
            info[name] = json.loads(done.read_text()); return
        if only and name not in only: return
        t = time.time(); res = dict(fn() or {}, part=name, threads=torch.get_num_threads()); res["seconds"] = round(time.time() - t, 1)
        tmp = done.with_suffix(".tmp"); tmp.write_text(json.dumps(res, indent=1)); tmp.replace(done)
        info[name] = res; print(f"{game} {name}: {res['seconds']:.0f} s", flush=True)
    def dataset():
        if not (out / "dataset").exists():   # not committed: recollected with the same seed (the same episodes)
            save_dataset(collect(load_expert(game), ProcgenSpec(game, 200, 100, "easy", 50, 0), 100, progress=False), out / "dataset")
        return load_dataset(out / "dataset")
    def real_sets():
        ds = dataset(); real = random_real_frames(ds, SIZE, seed=0)
        probs = torch.softmax(torch.as_tensor(policy_logits(load_expert(game), real.observations)), -1).numpy()
        labelled = OfflineDataset(real.observations, real.actions, real.rewards, real.terminations, real.truncations,
                                  real.episode_lengths, n_actions=real.n_actions, soft_labels=probs)
        return {"real-random": real, "real-expert-labels": labelled}
    def part_data():
        ds = dataset(); return dict(episodes=ds.n_episodes, frames=len(ds), mean_return=float(ds.episode_returns.mean()))
    def part_distill(m):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            syn = distill(dataset(), CONFIGS[m], load_expert(game), out / m, resume=True, progress=True)
        return dict(iterations=CONFIGS[m].iterations, final_loss=syn.history[-1] if syn.history else None)
    def part_students(name):
        data = real_sets()[name] if name.startswith("real") else load_dataset(out / name)
        save_students(train_students(data, STUDENT, SEEDS, progress=False), out / f"students-{name}", seeds=SEEDS, overwrite=True)
        return dict(students=len(SEEDS), steps=STUDENT.steps, batch=STUDENT.batch_size, lr=STUDENT.lr, frames=len(data))
    def part_eval(name):
        pols = ([RandomPolicy()] if name == "Random" else [load_expert(game)] if name == "Expert" else load_students(out / f"students-{name}"))
        r = evaluate_policies(pols, spec, modes=("sampled",), progress=False)
        return {s: dict(aggregate(r[s]["sampled"]), per_student=r[s]["sampled"].mean(1).tolist()) for s in r}

    timed("data", part_data)
    for m in CONFIGS: timed(m, lambda m=m: part_distill(m))
    for name in ROWS[2:]: timed(f"students-{name}", lambda n=name: part_students(n))
    for name in ROWS: timed(f"eval-{name}", lambda n=name: part_eval(n))
    if not all(f"eval-{n}" in info for n in ROWS): return
    report(game, out, info, spec, dataset())

def verdict(a: dict, b: dict) -> str:
    "Difference of means a - b with its standard error (students as the unit) and what it says."
    d, se = a["mean"] - b["mean"], math.sqrt(a["stderr"] ** 2 + b["stderr"] ** 2)
    word = "**beats**" if d > 2 * se else "loses" if d < -2 * se else "tie"
    return f"{d:+.2f} +- {se:.2f} ({word})"

def pixel_change(ds, out, m) -> float:
    "Largest change of any pixel (uint8 levels) between the stored synthetic frames and the real frames they started from."
    from ddrl.distill import init_synthetic
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = init_synthetic(ds, SIZE, seed=CONFIGS[m].seed).frames.detach().numpy()
    return float(np.abs(load_dataset(out / m).observations.astype(np.float32) - start).max())

def report(game, out, info, spec, ds):
    base = {s: info["eval-real-random"][s] for s in ("id", "ood")}
    rows = ["| set | frames | labels | ID mean +- s.e. | OOD mean +- s.e. | ID vs real random | OOD vs real random | students x episodes | time s | loss first -> last | max pixel change |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    labels = {"real-random": "recorded actions", "real-expert-labels": "expert distribution", "expert-gm": "hard (recorded)", "expert-gm-lr1000": "hard (recorded)",
              "dc": "hard (recorded)", "dm": "expert distribution", "Random": "", "Expert": ""}
    for n in ROWS:
        e = info[f"eval-{n}"]; fr = SIZE if n not in ("Random", "Expert") else ""
        t = info[n]["seconds"] if n in CONFIGS else ""
        if n in CONFIGS:
            loss = np.loadtxt(out / n / "loss.csv", delimiter=",", skiprows=1)[:, 1]
            extra = f"{loss[0]:.4g} -> {loss[-1]:.4g} | {pixel_change(ds, out, n):.0f}"
        else: extra = " | "
        vs = [verdict(e[s], base[s]) if n != "real-random" else "" for s in ("id", "ood")]
        rows.append(f"| {NAMES.get(n, n)} | {fr} | {labels[n]} | {e['id']['mean']:.2f} +- {e['id']['stderr']:.2f} | {e['ood']['mean']:.2f} +- "
                    f"{e['ood']['stderr']:.2f} | {vs[0]} | {vs[1]} | {e['id']['students']} x {e['id']['episodes']} | {t} | {extra} |")
    d = info["data"]
    text = [f"# {game}: 150 distilled frames vs 150 real frames picked at random\n",
            __doc__.split("\n", 2)[2].split("Every part")[0].strip(), "",
            f"Offline data: {d['episodes']} episodes, {d['frames']} frames, mean return {d['mean_return']:.2f} (shipped stop-gap "
            f"expert). Evaluation: {spec.describe()}; s.e. across students (one episode return average per student) for "
            f"students, across episodes for Random and Expert. For each synthetic set: distillation wall time on 2 CPU cores, "
            f"its matching loss at the first and last iteration (loss.csv) and the largest change of any pixel from the real frame "
            f"it started from, in uint8 levels as stored.", "",
            "\n".join(rows), ""]
    plot(game, out, info, spec)
    text.append(f"![ID and OOD return of every set]({game}.png)\n")
    (out.parent / f"{game}.md").write_text("\n".join(text))
    print("\n".join(text))

def plot(game, out, info, spec):
    "Mean return +- s.e. per set, ID and OOD side by side, with the real-random baseline as dashed lines."
    import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 3.4)); x = np.arange(len(ROWS)); w = 0.38
    for j, (s, c) in enumerate((("id", "tab:blue"), ("ood", "tab:orange"))):
        m = [info[f"eval-{n}"][s]["mean"] for n in ROWS]; e = [info[f"eval-{n}"][s]["stderr"] for n in ROWS]
        ax.bar(x + (j - 0.5) * w, m, w, yerr=e, capsize=3, color=c, label=s.upper())
        ax.axhline(info["eval-real-random"][s]["mean"], color=c, ls="--", lw=1)
    ax.set_xticks(x, [NAMES.get(n, n).replace(" + ", "\n+ ") for n in ROWS], fontsize=7); ax.set_ylabel("episode return")
    ax.set_title(f"{game}: students on 150 frames ({len(SEEDS)} students x {spec.episodes} episodes per split, sampled; "
                 f"dashed: real 150 random)", fontsize=8)
    ax.legend(fontsize=8); fig.tight_layout(); fig.savefig(out.parent / f"{game}.png", dpi=90); plt.close(fig)

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--game", default="bigfish"); ap.add_argument("--parts", nargs="*")
    a = ap.parse_args(); run(a.game, a.parts)
