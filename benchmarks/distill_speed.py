"""Outer iterations per second of each distillation method for 150 frames, against a faithful
re-creation of the published loop, measured side by side (each in its own process, for its peak memory).

The published loop, per iteration: for each of the 15 actions, draw 16 real frames of that action, take
the BC-loss (MSE on probabilities) gradient at the expert on them and on that action's synthetic frames,
add the squared L2 of the difference; then one SGD step (lr 0.1, momentum 0.5) on the frames.
`expert-gm` computes the same expected objective with the real class gradients precomputed once
(`class_mean_gradients`) and the synthetic side as one pure function (`matching_objective`);
`+compile` runs that function through torch.compile (exact up to float rounding), `+bf16` computes the
synthetic gradients in bfloat16 (AMX on this CPU; less exact: see the last column). For pbc, `+raw` trains its
inner students on raw 0-255 pixels (`student="cnn-raw"`), `+k4` averages 4 students per outer step
(`students_per_step`), `+bf16` trains them under bfloat16 autocast.
Each variant runs 1 + N iterations; s/iter is the median wall time of iterations 2..N+1 (pbc, whose
unroll length is random, the mean), "one-off" is the
rest of the run (class means, compilation, first iteration). "grad rel. err." compares the variant's first
frame gradient with plain float32 autograd of the expected objective (expert-gm variants); for the published loop it is
how far its own frame gradient, drawn with random 16-frame real batches, lies from that expectation (mean of 3 draws):
the noise the published method has by design, to set the bf16 variants' error beside.
The expert-gm variants and the published loop use the paper's MSE loss and class-balanced start, so their gradients
compare; `student-gm`, `dc`, `pbc` and `av-pbc` run with their defaults. "full run" is s/iter times the method's
default iterations (`DEFAULT_ITERATIONS`; dc: the pipeline's `dc_iterations`): the time a paper-preset distillation takes.
Usage: python benchmarks/distill_speed.py [--iterations 5] [--arch impala] [--frames 150] [--real 6000] [--methods expert-gm pbc pbc+raw+k4]
       [--dataset results/distill/bigfish/dataset --expert bigfish]   (real frames and a shipped expert instead of random ones)
"""
import argparse, copy, multiprocessing as mp, resource, time
import numpy as np, torch
from ddrl.data import OfflineDataset, load_dataset
from ddrl.distill import (DEFAULT_ITERATIONS, DistillConfig, distill, init_synthetic, class_mean_gradients, matching_objective,
                          _policy_params, _loss_fn)
from ddrl.expert import make_expert_net, load_expert
from ddrl.pipeline import RunConfig

def dataset(n, seed=0):
    rng = np.random.default_rng(seed)
    return OfflineDataset(rng.integers(0, 256, (n, 64, 64, 3), dtype=np.uint8), np.arange(n) % 15, np.zeros(n),
                          np.r_[np.zeros(n - 1), 1], np.zeros(n), [n], n_actions=15)

def published_loss(ds, syn, params, f, rng) -> torch.Tensor:
    "One iteration's matching loss as published: per action, 16 fresh real frames against that action's synthetic frames."
    loss = 0.0
    for a, idx in enumerate(syn.class_index()):
        real = rng.choice(np.flatnonzero(ds.actions == a), 16, replace=False)
        g_r = torch.autograd.grad(f(params, torch.as_tensor(ds.observations[real]), torch.as_tensor(ds.actions[real])), list(params.values()))
        g_s = torch.autograd.grad(f(params, syn.inputs[idx], syn.actions[idx]), list(params.values()), create_graph=True)
        loss = loss + sum(((s - r) ** 2).sum() for s, r in zip(g_s, g_r))
    return loss

def published_setup(ds, expert, frames, seed=0):
    syn = init_synthetic(ds, frames, seed=seed, init="balanced")
    expert = copy.deepcopy(expert); expert.channels_last = False   # the original's plain PyTorch layout
    params = {k: v.clone().requires_grad_() for k, v in _policy_params(expert).items()}
    return syn, params, _loss_fn(expert, "mse")

def published_loop(ds, expert, frames, iterations, seed=0) -> list[float]:
    "The published loop, re-created: 15 per-class passes over 16 fresh real frames plus the synthetic ones (NCHW, as the original)."
    syn, params, f = published_setup(ds, expert, frames, seed)
    opt = torch.optim.SGD([syn.frames], lr=0.1, momentum=0.5); rng = np.random.default_rng(seed); seconds = []
    for _ in range(iterations):
        t = time.perf_counter()
        loss = published_loss(ds, syn, params, f, rng)
        opt.zero_grad(); loss.backward(); opt.step(); syn.clamp_(); seconds.append(time.perf_counter() - t)
    return seconds

def expected_gradient(ds, expert, syn, **variant) -> torch.Tensor:
    "The frame gradient of the expected objective (real class means precomputed), plain float32 unless a variant is given."
    g, _ = matching_objective(expert, syn, class_mean_gradients(expert, ds, "mse"), "mse", **variant)(syn.frames.detach(), None)
    return g.float()

def relative_error(got, ref) -> float: return float((got - ref).norm() / ref.norm())

def published_deviation(ds, expert, frames, draws=3) -> float:
    "Relative L2 distance of the published loop's frame gradient (random real batches) from its expectation, averaged over draws."
    syn, params, f = published_setup(ds, expert, frames)
    ref, rng = expected_gradient(ds, expert, syn), np.random.default_rng(1)
    return float(np.mean([relative_error(torch.autograd.grad(published_loss(ds, syn, params, f, rng), [syn.frames])[0], ref)
                          for _ in range(draws)]))

def gradient_error(ds, expert, frames, precision, compile) -> float:
    "Relative L2 error of a variant's first frame gradient against plain float32 autograd."
    syn = init_synthetic(ds, frames, seed=0, init="balanced")
    return relative_error(expected_gradient(ds, expert, syn, precision=precision, compile=compile), expected_gradient(ds, expert, syn))

def child(name, args, q):
    torch.manual_seed(0); torch.set_num_threads(args.threads)
    ds = load_dataset(args.dataset) if args.dataset else dataset(args.real)
    expert = load_expert(args.expert) if args.expert else make_expert_net(args.arch).eval()
    method, *flags = name.split("+")
    precision, compile = ("bf16" if "bf16" in flags else "fp32"), "compile" in flags
    extra = dict(student="cnn-raw") if "raw" in flags else {}          # pbc: students on raw pixels
    for flag in flags:
        if flag[0] == "k" and flag[1:].isdigit(): extra["students_per_step"] = int(flag[1:])   # pbc: K students
    n = 1 if name == "dc" else args.iterations            # dc's outer iterations take half a minute each here
    t = time.perf_counter()
    if name == "published": seconds = published_loop(ds, expert, args.frames, 1 + n)
    else:
        paper = dict(loss="mse", init="balanced") if method == "expert-gm" else {}
        cfg = DistillConfig(method, size=args.frames, iterations=1 + n, outer_loop=args.outer_loop, inner_steps=args.inner_steps,
                            precision=precision, compile=compile, **paper, **extra)
        seconds = distill(ds, cfg, expert, progress=False).seconds
    total = time.perf_counter() - t
    per_it = float(np.mean(seconds[1:]) if method in ("pbc", "av-pbc") else np.median(seconds[1:]))   # pbc's unrolls vary
    err = (gradient_error(ds, expert, args.frames, precision, compile) if method == "expert-gm" else
           published_deviation(ds, expert, args.frames) if name == "published" else float("nan"))
    q.put((name, per_it, total - per_it * n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, err))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iterations", type=int, default=5); p.add_argument("--arch", default="impala")
    p.add_argument("--frames", type=int, default=150); p.add_argument("--real", type=int, default=6000)
    p.add_argument("--outer-loop", type=int, default=10); p.add_argument("--inner-steps", type=int, default=50)
    p.add_argument("--dataset", help="a real offline dataset instead of random frames (e.g. results/distill/bigfish/dataset)")
    p.add_argument("--expert", help="a shipped expert (game name or folder) instead of a freshly initialised --arch network")
    p.add_argument("--threads", type=int, default=torch.get_num_threads())
    p.add_argument("--methods", nargs="+", default=["expert-gm", "expert-gm+compile", "expert-gm+bf16+compile", "student-gm", "dc", "pbc", "av-pbc"],
                   help="besides the published loop")
    a = p.parse_args()
    print(f"{a.frames} synthetic frames, real frames: {a.dataset or f'{a.real} random'}, expert {a.expert or a.arch}, {a.threads} threads; "
          f"dc: {a.outer_loop} matches x {a.inner_steps} inner steps per outer iteration")
    ctx = mp.get_context("spawn"); res = {}
    for name in ["published", *a.methods]:
        q = ctx.Queue(); pr = ctx.Process(target=child, args=(name, a, q)); pr.start(); r = q.get(); pr.join(); res[name] = r
    base = res["published"][1]
    print(f"{'method':24s} {'s/iter':>8s} {'iter/s':>8s} {'vs published':>13s} {'one-off s':>10s} {'full run min':>13s} "
          f"{'peak RSS MB':>12s} {'grad rel. err.':>15s}")
    for name, per_it, setup, rss, err in res.values():
        method = name.split("+")[0]
        iterations = RunConfig().dc_iterations if method == "dc" else DEFAULT_ITERATIONS.get(method, 1000)
        full = (setup + per_it * iterations) / 60
        print(f"{name:24s} {per_it:8.3f} {1 / per_it:8.2f} {base / per_it:12.1f}x {setup:10.1f} {full:13.1f} {rss:12.0f} "
              f"{err:15.1e}")

if __name__ == "__main__":
    main()
