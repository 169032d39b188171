"""N-dimensional cart-pole distilled with PPMO at the minimal size N+1 and at 512 states; every run resumable.

Usage: python results/task/cartpole_table.py [--dims 1 2 3 4 5] [--learners 50]
Writes results/task/runs/cartpole-<N>d-<size>/ (batch.pt, curve.csv, curve.png, eval.json) and results/task/cartpole.md.
Runs that finished are evaluated again only if eval.json is missing; interrupted ones resume from their checkpoint.
"""
import argparse, json, time
from pathlib import Path
import numpy as np, torch
from ddrl.task import PPMOConfig, ppmo, evaluate_batch, load_batch, plot_batch

HERE = Path(__file__).parent

def load_batch_curve(out: Path) -> list[dict]:
    import csv
    return [{k: float(v) for k, v in r.items() if v not in ("", None)} for r in csv.DictReader(open(out / "curve.csv"))]
REFERENCE = {1: (2, "500 +- 0", "500"), 2: (3, "391 +- 143", "500"), 3: (4, "263 +- 107", "500"),
             4: (5, "128 +- 35", "398"), 5: (6, "86 +- 31", "279")}   # their released datasets, 50 fresh learners
META_EPOCHS = {1: 500, 2: 1000, 3: 1500, 4: 1500, 5: 1500}

def active_seconds(curve) -> float:
    "Distillation time without pauses: a meta-epoch that took over 20x the median (the process was stopped) counts as the median."
    d = np.diff([0.0] + [r["seconds"] for r in curve]); med = float(np.median(d))
    return float(np.minimum(d, 20 * med).sum() + (d > 20 * med).sum() * med - np.minimum(d, 20 * med)[d > 20 * med].sum())

def run(n: int, size: int, learners: int) -> dict:
    env = "cartpole" if n == 1 else f"cartpole-{n}d"
    out = HERE / "runs" / f"cartpole-{n}d-{size}"
    cfg = PPMOConfig(env, size=size, meta_epochs=META_EPOCHS[n], checkpoint_every=50, seed=0)
    done = (out / "batch.pt").exists() and load_batch(out).config["meta_epochs"] == cfg.meta_epochs and (out / "eval.json").exists()
    if done:
        res = json.loads((out / "eval.json").read_text())
        res["distill_seconds"] = round(active_seconds(load_batch_curve(out)), 1)
        return res
    t0 = time.time()
    batch = ppmo(cfg, out, resume=(out / "checkpoint.pt").exists(), progress=True)
    res = dict(env=env, n=n, size=size, meta_epochs=cfg.meta_epochs, distill_seconds=round(active_seconds(batch.curve), 1),
               wall_seconds_this_call=round(time.time() - t0, 1), inner_lr=batch.lr.item(), learners=learners,
               torch_threads=torch.get_num_threads())
    for mode in ("sampled", "greedy"):
        r = evaluate_batch(batch, env, learners, greedy=mode == "greedy")
        res[mode] = dict(mean=float(r.mean()), std=float(r.std()), returns=r.tolist())
    if size <= 16:
        import matplotlib.pyplot as plt
        fig = plot_batch(batch, f"{env}: {size} states"); fig.savefig(out / "batch.png", dpi=90); plt.close(fig)
    (out / "eval.json").write_text(json.dumps(res, indent=1))
    return res

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dims", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    p.add_argument("--sizes", nargs="+", default=["min", "512"], help="'min' (N+1) and/or numbers")
    p.add_argument("--learners", type=int, default=50)
    a = p.parse_args()
    rows = []
    for n in a.dims:
        for s in a.sizes:
            size = n + 1 if s == "min" else int(s)
            r = run(n, size, a.learners); rows.append(r)
            print(f"N={n} size={size}: sampled {r['sampled']['mean']:.1f} +- {r['sampled']['std']:.1f}, greedy {r['greedy']['mean']:.1f} "
                  f"({r['distill_seconds']:.0f} s of distillation)", flush=True)
    lines = ["| N | states | meta-epochs | distill time (s) | sampled (ours) | greedy (ours) | reference: states, sampled, greedy |",
             "|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["n"], r["size"])):
        ref = REFERENCE[r["n"]]
        lines.append(f"| {r['n']} | {r['size']} | {r['meta_epochs']} | {r['distill_seconds']:.0f} | {r['sampled']['mean']:.0f} +- "
                     f"{r['sampled']['std']:.0f} | {r['greedy']['mean']:.0f} +- {r['greedy']['std']:.0f} | "
                     f"{ref[0]}, {ref[1]}, {ref[2]} |")
    (HERE / "cartpole_table.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))

if __name__ == "__main__":
    main()
