"Distillation: robust initialisation, every method runs, checkpoints resume, the CLI works."
import json, subprocess, sys, warnings
from pathlib import Path
import numpy as np, pytest, torch
from ddrl.data import OfflineDataset, load_dataset, save_dataset
from ddrl.distill import METHODS, DistillConfig, distill, init_synthetic, balanced_counts, random_real_frames
from ddrl.bc import StudentCNN

def dataset(actions, n_actions, seed=0):
    rng = np.random.default_rng(seed); n = len(actions)
    return OfflineDataset(rng.integers(0, 256, (n, 64, 64, 3), dtype=np.uint8), np.asarray(actions), rng.random(n),
                          np.r_[np.zeros(n - 1), 1], np.zeros(n), [n], n_actions=n_actions)

@pytest.mark.parametrize("method", METHODS)
def test_methods_handle_missing_and_scarce_actions(method, tmp_path):
    "Action 2 absent, action 3 with one frame, 6 actions in all: no NaN, labels aligned, warnings."
    ds = dataset([0] * 40 + [1] * 40 + [3] + [4] * 20 + [5] * 20, 6)
    torch.manual_seed(0); expert = StudentCNN(6)
    with pytest.warns(UserWarning, match="have no real frames"):
        syn = distill(ds, DistillConfig(method, size=13, iterations=2, outer_loop=2, inner_steps=1, checkpoint_every=1,
                                           init="balanced", student_steps=4, window=2),
                      expert, tmp_path / "run", progress=False)
    assert torch.isfinite(syn.frames).all() and all(np.isfinite(syn.history))
    assert syn.frames.min() >= 0 and syn.frames.max() <= 255
    out = load_dataset(tmp_path / "run")
    assert len(out) == 13 and (np.bincount(syn.actions.numpy(), minlength=6)[[2, 3]] == [0, 1]).all()
    assert (out.soft_labels is not None) == (method in ("pbc", "av-pbc"))    # pbc learns soft labels

def test_any_action_count():
    ds = dataset(np.arange(300) % 4, 4)
    syn = distill(ds, DistillConfig("student-gm", size=8, iterations=1, init="balanced"), None, progress=False)
    assert np.bincount(syn.actions.numpy(), minlength=4).tolist() == [2, 2, 2, 2]

def test_frames_move_and_stay_in_range():
    ds = dataset(np.arange(300) % 3, 3)
    torch.manual_seed(0); expert = StudentCNN(3)
    start = init_synthetic(ds, 9).frames.detach().clone()
    syn = distill(ds, DistillConfig("expert-gm", size=9, iterations=3, lr=1e4), expert, progress=False)
    assert not torch.equal(syn.frames.detach(), start) and 0 <= syn.frames.min() and syn.frames.max() <= 255

def test_bad_distill_input(tmp_path):
    ds = dataset(np.arange(30) % 3, 3)
    with pytest.raises(ValueError, match="unknown method 'mtt'"): DistillConfig("mtt")
    with pytest.raises(ValueError, match="'expert-gm' needs the trained expert"): distill(ds, DistillConfig(size=3, iterations=1), None)
    with pytest.raises(ValueError, match="exceeds the 30 real frames"): distill(ds, DistillConfig("pbc", size=31, iterations=1))
    vec = OfflineDataset(np.zeros((10, 4), np.float32), np.arange(10) % 2, np.zeros(10), np.r_[np.zeros(9), 1], np.zeros(10), [10])
    assert distill(vec, DistillConfig("pbc", size=2, iterations=1), progress=False).frames.shape == (2, 4)   # vectors are fine (MLP students)

@pytest.mark.parametrize("method", ["student-gm", "pbc"])   # a persistent student; a learned lr and Adam state
def test_resume_equals_uninterrupted(tmp_path, method):
    ds = dataset(np.arange(200) % 3, 3)
    kw = dict(size=6, checkpoint_every=1, student_steps=4, window=2, learn_lr=True)
    distill(ds, DistillConfig(method, iterations=2, **kw), None, tmp_path / "a", progress=False)
    a = distill(ds, DistillConfig(method, iterations=4, **kw), None, tmp_path / "a", resume=True, progress=False)
    b = distill(ds, DistillConfig(method, iterations=4, **kw), None, tmp_path / "b", progress=False)
    torch.testing.assert_close(a.frames, b.frames)
    torch.testing.assert_close(a.targets, b.targets)

def test_pbc_with_raw_pixel_students_several_per_step(tmp_path):
    "pbc whose inner students see raw pixels, 2 per outer step: it resumes as if uninterrupted; K < 1 is refused."
    ds = dataset(np.arange(200) % 3, 3)
    kw = dict(size=6, checkpoint_every=1, student_steps=4, window=2, student="cnn-raw", students_per_step=2)
    distill(ds, DistillConfig("pbc", iterations=2, **kw), None, tmp_path / "a", progress=False)
    a = distill(ds, DistillConfig("pbc", iterations=3, **kw), None, tmp_path / "a", resume=True, progress=False)
    b = distill(ds, DistillConfig("pbc", iterations=3, **kw), None, tmp_path / "b", progress=False)
    torch.testing.assert_close(a.frames, b.frames)
    assert json.loads((tmp_path / "b" / "config.json").read_text())["student"] == "cnn-raw"
    with pytest.raises(ValueError, match="students_per_step must be >= 1, found 0"): DistillConfig("pbc", students_per_step=0)

def test_methods_start_where_the_random_control_stands():
    "Default init: the frames of `random_real_frames` with the same seed; pbc's labels: the expert's distribution."
    ds = dataset(np.arange(300) % 3, 3)
    torch.manual_seed(0); expert = StudentCNN(3)
    control = random_real_frames(ds, 20, seed=7)
    syn = distill(ds, DistillConfig("pbc", size=20, iterations=1, seed=7, learn_frames=False, label_lr=1e-9,
                                    student_steps=2, window=1), expert, progress=False)
    assert syn.source_index.tolist() == control.metadata["source_index"]
    with torch.no_grad(): expected = expert(control.observations).softmax(-1)
    torch.testing.assert_close(syn.targets.detach(), expected, atol=1e-5, rtol=1e-4)

def test_frozen_frames_ablation_moves_labels_only():
    ds = dataset(np.arange(300) % 3, 3)
    torch.manual_seed(0); expert = StudentCNN(3)
    start = init_synthetic(ds, 9).frames.detach().clone()
    kw = dict(size=9, iterations=3, student_steps=4, window=2, label_lr=0.5)
    frozen = distill(ds, DistillConfig("pbc", learn_frames=False, **kw), expert, progress=False)
    full = distill(ds, DistillConfig("pbc", **kw), expert, progress=False)
    assert torch.equal(frozen.frames.detach(), start) and not torch.equal(full.frames.detach(), start)
    with torch.no_grad(): initial = expert(start / 255).softmax(-1)
    assert not torch.allclose(frozen.targets.detach(), initial)
    with pytest.raises(ValueError, match="nothing to learn"):
        distill(ds, DistillConfig("pbc", learn_frames=False, labels="hard", **kw), expert, progress=False)

def test_cli_distill(tmp_path):
    save_dataset(dataset(np.arange(150) % 15, 15), tmp_path / "real")
    ddrl = str(Path(sys.executable).parent / "ddrl")
    r = subprocess.run([ddrl, "distill", "--dataset", str(tmp_path / "real"), "--method", "dc", "--size", "15",
                        "--iterations", "1", "--lr", "0.5", "--out", str(tmp_path / "syn"), "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert load_dataset(tmp_path / "syn").metadata["method"] == "dc" and (tmp_path / "syn" / "frames.png").exists()
    assert json.loads((tmp_path / "syn" / "config.json").read_text())["lr"] == 0.5
    r = subprocess.run([ddrl, "distill", "--dataset", str(tmp_path / "real"), "--out", str(tmp_path / "x"), "--quiet"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "needs the trained expert" in r.stderr

def test_monitor_watches_without_changing_the_run(tmp_path):
    "A monitored pbc run (DBC: no expert, the recorded actions) learns the same set; its points survive a resume."
    ds = dataset(np.arange(200) % 3, 3)
    kw = dict(size=6, iterations=3, checkpoint_every=1, student_steps=4, window=2, student="cnn-raw")
    plain = distill(ds, DistillConfig("pbc", **kw), None, tmp_path / "plain", progress=False)
    distill(ds, DistillConfig("pbc", **{**kw, "iterations": 2}, monitor_every=2), None, tmp_path / "w", progress=False)
    watched = distill(ds, DistillConfig("pbc", **kw, monitor_every=2), None, tmp_path / "w", resume=True,
                      progress=False)
    assert torch.equal(plain.frames, watched.frames) and torch.equal(plain.targets, watched.targets)
    assert [it for it, _ in watched.monitor] == [0, 2, 3] and all(np.isfinite([kl for _, kl in watched.monitor]))
    assert (tmp_path / "w" / "monitor.csv").read_text().splitlines()[1:] == [f"{i},{v}" for i, v in watched.monitor]
    assert (tmp_path / "w" / "progress.png").exists() and not (tmp_path / "plain" / "monitor.csv").exists()
    with pytest.raises(ValueError, match="monitor_students must be >= 1"): DistillConfig("pbc", monitor_students=0)

def test_cli_distill_pbc_options(tmp_path):
    save_dataset(dataset(np.arange(60) % 3, 3), tmp_path / "real")
    ddrl = str(Path(sys.executable).parent / "ddrl")
    r = subprocess.run([ddrl, "distill", "--dataset", str(tmp_path / "real"), "--method", "pbc", "--size", "6",
                        "--iterations", "2", "--student", "cnn-raw", "--students-per-step", "2", "--monitor-every", "1",
                        "--monitor-students", "1", "--label-lr", "0.05", "--learn-lr", "--window", "5",
                        "--schedule", "cosine", "--precision", "bf16", "--normalise",
                        "--out", str(tmp_path / "syn"), "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    config = json.loads((tmp_path / "syn" / "config.json").read_text())
    assert (config["student"], config["students_per_step"], config["monitor_every"], config["monitor_students"]) == (
        "cnn-raw", 2, 1, 1)
    assert (config["label_lr"], config["learn_lr"], config["window"]) == (0.05, True, 5)
    assert (config["schedule"], config["precision"], config["normalise"]) == ("cosine", "bf16", True)
    assert len((tmp_path / "syn" / "monitor.csv").read_text().splitlines()) == 1 + 3
    r = subprocess.run([ddrl, "distill", "--dataset", str(tmp_path / "real"), "--method", "pbc", "--size", "6",
                        "--iterations", "1", "--students-per-step", "2", "--batched-students", "--window", "5",
                        "--out", str(tmp_path / "together"), "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((tmp_path / "together" / "config.json").read_text())["batched_students"] is True
