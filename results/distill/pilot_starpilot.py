"""Pilot (not the paper-size run): do 150 distilled frames teach better than 150 random real frames?

starpilot, shipped stop-gap expert; offline data: 30 expert episodes (levels 100-299, easy, seed 0,
sampled actions); synthetic sets of 150 frames: expert-gm and dm 200 iterations, dc 5 iterations
(10 matches x 50 inner steps each); students: the paper's synthetic student (100 Adam steps, batch 15,
lr 5e-3), 5 per method (seeds 0-4); evaluation: 30 episodes per student on each of ID (levels 100-299)
and OOD (unseen levels), sampled actions, environment seed 1.
Usage: python results/distill/pilot_starpilot.py   (writes pilot_starpilot.md beside itself)
"""
import time, warnings
from pathlib import Path
import numpy as np
from ddrl.data import OfflineDataset, ProcgenSpec, RandomPolicy, collect
from ddrl.expert import load_expert
from ddrl.bc import BCConfig, train_students
from ddrl.distill import DistillConfig, distill
from ddrl.eval import EvalSpec, evaluate_methods, paper_table, table_caption, to_markdown

GAME, SIZE, STUDENTS, EPISODES = "starpilot", 150, 5, 30
t0 = time.time()
expert = load_expert(GAME)
real = collect(expert, ProcgenSpec(GAME, num_envs=30, seed=0), 30, progress=False)
pick = np.random.default_rng(0).choice(len(real), SIZE, replace=False)
random_real = OfflineDataset(real.observations[pick], real.actions[pick], np.zeros(SIZE), np.r_[np.zeros(SIZE - 1), 1],
                             np.zeros(SIZE), [SIZE], n_actions=real.n_actions)
student = BCConfig(steps=100, batch_size=15, lr=5e-3)
methods = {"Random": [RandomPolicy()], "Expert": [expert],
           "real 150 (random)": train_students(random_real, student, range(STUDENTS), progress=False)}
timing = {}
for name, cfg in {"expert-gm": DistillConfig("expert-gm", size=SIZE, iterations=200),
                  "dc": DistillConfig("dc", size=SIZE, iterations=5),
                  "dm": DistillConfig("dm", size=SIZE, iterations=200)}.items():
    t = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        syn = distill(real, cfg, expert, progress=False)
    timing[name] = time.time() - t
    methods[name] = train_students(syn.to_dataset(), student, range(STUDENTS), progress=False)
results = evaluate_methods(methods, EvalSpec(GAME, EPISODES, num_envs=EPISODES, seed=1), modes=("sampled",), progress=False)
out = [f"# Pilot: distilled vs random real frames on {GAME}\n", __doc__.split("\n", 1)[1].split("Usage")[0].strip(), "",
       f"Offline data: {real.n_episodes} episodes, {len(real)} frames, mean return {real.episode_returns.mean():.2f}. "
       f"Distillation time: " + ", ".join(f"{k} {v:.0f} s" for k, v in timing.items()) + f"; total {time.time() - t0:.0f} s.", ""]
for split in ("id", "ood"):
    out += [f"**{table_caption(results, split, 'sampled')}**", "", to_markdown(paper_table(results, split, "sampled")), ""]
Path(__file__).with_suffix(".md").write_text("\n".join(out))
print("\n".join(out))
