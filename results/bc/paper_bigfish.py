"""Percentile BC at the paper's sizes on bigfish, timed part by part, resumable.

The paper's protocol: 100 expert episodes on levels 100-299 (easy); BC on the top 10/25/40/100% of episodes,
10 students each, 1000 Adam steps, batch 256, lr 5e-3; every student 100 episodes ID and 100 OOD, sampled actions.
Each part (the dataset, each percentile's 10 students, each percentile's evaluation) is saved with its wall time
under results/bc/paper_bigfish/ as soon as it finishes; running the script again skips finished parts, so the run
can be spread over several sessions. The total reported is the sum of the parts' wall times.
Usage: python results/bc/paper_bigfish.py [--parts data bc-10 eval-10 ...]
"""
import argparse, json, time
from pathlib import Path
import numpy as np, torch
from ddrl.data import ProcgenSpec, RandomPolicy, collect, save_dataset, load_dataset, top_percent
from ddrl.expert import load_expert
from ddrl.bc import BCConfig, train_students, save_students, load_students
from ddrl.eval import EvalSpec, evaluate_policies, aggregate, paper_value

OUT = Path(__file__).parent / "paper_bigfish"
GAME, PERCENTS, SEEDS = "bigfish", (10, 25, 40, 100), list(range(10))
BC = BCConfig(steps=1000, batch_size=256, lr=5e-3)
EVAL = EvalSpec(GAME, episodes=100, num_envs=64, seed=1)

def timed(name, fn):
    done = OUT / f"{name}.json"
    if done.exists(): return json.loads(done.read_text())
    t = time.time(); info = fn(); info = dict(info or {}, part=name, seconds=round(time.time() - t, 1), threads=torch.get_num_threads())
    done.write_text(json.dumps(info, indent=1)); print(f"{name}: {info['seconds']:.0f} s", flush=True)
    return info

def part_data():
    ds = collect(load_expert(GAME), ProcgenSpec(GAME, 200, 100, "easy", 64, 0), 100, progress=False)
    save_dataset(ds, OUT / "dataset", overwrite=True)
    return dict(episodes=ds.n_episodes, frames=len(ds))

def part_bc(p):
    sub = top_percent(load_dataset(OUT / "dataset"), p)
    save_students(train_students(sub, BC, SEEDS, progress=False), OUT / f"bc-{p}", seeds=SEEDS, overwrite=True)
    return dict(frames=len(sub), episodes=sub.n_episodes, students=len(SEEDS), steps=BC.steps, batch=BC.batch_size)

def part_eval(name, policies):
    r = evaluate_policies(policies, EVAL, modes=("sampled",), progress=False)
    return {s: dict(aggregate(r[s]["sampled"]), returns=r[s]["sampled"].tolist()) for s in r}

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0]); ap.add_argument("--parts", nargs="*")
    a = ap.parse_args(); OUT.mkdir(parents=True, exist_ok=True)
    if not (OUT / "dataset").exists() and (OUT / "data.json").exists():   # the dataset is not committed: recollect it (same seed, same data)
        (OUT / "data.json").rename(OUT / "data-previous.json")
    parts = {"data": part_data, "eval-random": lambda: part_eval("Random", [RandomPolicy()]),
             "eval-expert": lambda: part_eval("Expert", [load_expert(GAME)])}
    for p in PERCENTS:
        parts[f"bc-{p}"] = lambda p=p: part_bc(p)
        parts[f"eval-{p}"] = lambda p=p: part_eval(f"BC {p}%", load_students(OUT / f"bc-{p}"))
    info = {name: timed(name, fn) for name, fn in parts.items() if not a.parts or name in a.parts}
    if len(info) < len(parts): return
    train = sum(info[f"bc-{p}"]["seconds"] for p in PERCENTS); ev = sum(info[f"eval-{p}"]["seconds"] for p in PERCENTS)
    rows = ["| method | frames | ID mean +- s.e. (students) | OOD mean +- s.e. | paper ID | paper OOD |", "|---|---|---|---|---|---|"]
    for name, key in [("Random", "eval-random"), ("Expert", "eval-expert")] + [(f"BC {p}%", f"eval-{p}") for p in PERCENTS]:
        e = info[key]; fr = info.get(key.replace("eval", "bc"), {}).get("frames", "")
        pv = [paper_value(GAME, s, name) for s in ("id", "ood")]
        rows.append(f"| {name} | {fr} | {e['id']['mean']:.2f} +- {e['id']['stderr']:.2f} ({e['id']['students']}) | "
                    f"{e['ood']['mean']:.2f} +- {e['ood']['stderr']:.2f} | " + " | ".join(f"{v[0]:.2f}" if v else "" for v in pv) + " |")
    text = [f"# Percentile BC on bigfish at the paper's sizes\n",
            f"{info['data']['episodes']} expert episodes ({info['data']['frames']} frames, shipped stop-gap expert, seed 0); "
            f"10 students per percentile (seeds 0-9), 1000 Adam steps, batch 256, lr 5e-3, cross-entropy; each student 100 "
            f"episodes ID (levels 100-299) and 100 OOD (unseen levels), sampled actions, environment seed 1.\n",
            "\n".join(rows), "",
            f"Wall time on 2 CPU cores ({info['bc-10']['threads']} torch threads): BC training {train / 60:.1f} min "
            f"(4 x 10 students), evaluation of the 40 students {ev / 60:.1f} min, "
            f"total {(train + ev) / 60:.1f} min for the four baselines (+ {info['data']['seconds'] / 60:.1f} min collecting the data, "
            f"{(info['eval-random']['seconds'] + info['eval-expert']['seconds']) / 60:.1f} min for the random and expert rows)."]
    (Path(__file__).parent / "paper_bigfish.md").write_text("\n".join(text) + "\n")
    print("\n".join(text))

if __name__ == "__main__":
    main()
