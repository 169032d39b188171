"""How much do pbc's meta-gradients from different students agree? The signal-to-noise of one outer step.

pbc's outer step averages the meta-gradients of K fresh students (`students_per_step`). If students' meta-gradients
were the expected gradient plus independent noise, two disjoint means of K students would agree (cosine) at about
K / (K + r), r the noise-to-signal ratio of one student. This measures it on the starting set of a pbc run (150
random real frames of the offline dataset, the expert's logits as labels, distillation seed 0): N fresh students
(seeds 100..), each unrolled as pbc unrolls them (a random horizon of 20-100 Adam steps, back-propagation through
the last 20, the outer loss on 256 real states), one meta-gradient each over the frames and the label logits. It
prints each student's outer loss, the mean pairwise cosine of single students' meta-gradients, and the cosine
between the means of two disjoint groups of k students, plain (`normalise=False`) and with every student's
meta-gradient scaled to norm 1 first (`normalise=True`).

Uses the offline dataset of the comparison (results/distill/<game>/dataset; collected again if missing).
Writes results/distill/<game>-meta-gradient.md.
Usage: OMP_NUM_THREADS=1 python experiments/meta_gradient_agreement.py --game starpilot [--student cnn-raw] [--students 16]
"""
import argparse
from pathlib import Path

import numpy as np
import torch

import distilled_vs_real_frames as comparison
from ddrl.bc import make_student
from ddrl.distill import DistillConfig, _initial_set, expert_log_probs, policy_divergence, unrolled_student
from ddrl.expert import device_name
from ddrl.report import markdown_table

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--game", default="starpilot", help="Procgen game (default: starpilot)")
parser.add_argument("--student", default="cnn-raw", choices=["cnn", "cnn-raw"], help="the students (default: cnn-raw)")
parser.add_argument("--students", type=int, default=16, help="students, an even number >= 4 (default: 16)")
args = parser.parse_args()
if args.students < 4 or args.students % 2:
    parser.error(f"--students: expected an even number >= 4, found {args.students}")

comparison_cfg = comparison.Config(game=args.game)
ds = comparison.dataset(comparison_cfg)
expert = comparison.expert(args.game)
cfg = DistillConfig("pbc", student=args.student, seed=0)
syn = _initial_set(ds, cfg, expert, torch.device("cpu"))
rng = np.random.default_rng(0)
gradients, losses = [], []
for i in range(args.students):
    torch.manual_seed(100 + i)
    net = make_student(args.student, ds.n_actions, tuple(ds.observations.shape[1:]))
    steps = int(rng.integers(cfg.window, cfg.student_steps + 1))
    batches = torch.randint(0, len(syn), (steps, cfg.student_batch))
    params = unrolled_student(net, syn.inputs, syn.targets, batches, cfg.student_lr, cfg.window, cfg.loss)
    pick = np.sort(rng.choice(len(ds), cfg.real_batch, replace=False))
    states = torch.as_tensor(np.asarray(ds.observations[pick]))
    logits = torch.func.functional_call(net, params, (states,))
    loss = policy_divergence(logits, expert_log_probs(expert, states), None, torch.ones(len(pick)))
    syn.zero_grad()
    loss.backward()
    gradients.append(torch.cat([syn.frames.grad.flatten(), syn.label_logits.grad.flatten()]))
    losses.append(loss.item())
    print(f"student {i}: outer loss {loss.item():.3f}", flush=True)

g = torch.stack(gradients).double()
unit = g / g.norm(dim=1, keepdim=True)
cosine = lambda a, b: float(a @ b / (a.norm() * b.norm()))
half = args.students // 2
pairwise = np.mean([cosine(unit[i], unit[j]) for i in range(len(g)) for j in range(i + 1, len(g))])
groups = [k for k in (1, 2, 4, 8, 16, 32) if k <= half]
rows = [[k, f"{cosine(g[:k].mean(0), g[half:half + k].mean(0)):.3f}",
         f"{cosine(unit[:k].mean(0), unit[half:half + k].mean(0)):.3f}", f"{k / (k + (1 - pairwise) / pairwise):.3f}"]
        for k in groups]
command = f"OMP_NUM_THREADS=1 python experiments/meta_gradient_agreement.py --game {args.game} --student {args.student}"
command += f" --students {args.students}"
page = [f"# {args.game}: how much pbc's meta-gradients from different students agree\n",
        f"Made by `{command}` at commit {comparison.COMMIT} on {device_name(torch.device('cpu'))}.\n",
        " ".join(__doc__.split("\n\n")[1].split("\n")) + "\n",
        f"Outer losses of the {len(g)} students: {', '.join(f'{x:.3f}' for x in losses)} "
        f"(median {np.median(losses):.3f}).\n",
        f"Mean pairwise cosine of two single students' meta-gradients: **{pairwise:.3f}** "
        f"(noise-to-signal ratio r = (1 - c) / c = {(1 - pairwise) / pairwise:.1f}).\n",
        markdown_table(["k students per group", "cosine of the two groups' means",
                        "the same, each student's meta-gradient normalised first", "K / (K + r) (independent noise)"],
                       rows), ""]
out = comparison_cfg.out / f"{args.game}-meta-gradient.md"
tmp = out.with_suffix(".md.tmp")
tmp.write_text("\n".join(page))
tmp.replace(out)
print("\n".join(page))
