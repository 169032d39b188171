"""CUDA paths: expert training and resuming, and the whole pipeline (BC, distillation, evaluation) on a GPU.
Skipped without one; on a GPU machine: `pytest tests/test_cuda.py`."""
import json
import pytest
import torch
from ddrl.cli import main
from ddrl.expert import PPOConfig, train_expert, load_expert

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

def test_expert_trains_and_resumes_on_cuda(tmp_path):
    cfg = PPOConfig("bigfish", steps=1024, num_envs=4, rollout=64, minibatches=2, device="cuda",
                    eval_every=1, eval_episodes=2)
    train_expert(cfg, tmp_path, progress=False, stop_after_updates=2)
    train_expert(cfg, tmp_path, resume=True, progress=False)   # the checkpoint's RNG states come back to the CPU
    net = load_expert(tmp_path, device="cuda")
    assert next(net.parameters()).is_cuda

def test_ci_pipeline_on_cuda(tmp_path):
    assert main(["run", "--env", "bigfish", "--preset", "ci", "--executor", "inprocess", "--set", "device=cuda",
                 "--out", str(tmp_path), "--quiet"]) == 0
    results = json.loads((tmp_path / "bigfish" / "ci" / "manifest.json").read_text())
    assert results["device"] == "cuda" and {"expert", "data", "bc", "distill", "eval"} <= set(results["stages"])

def test_task_distillation_and_its_ppo_baseline_resume_on_cuda(tmp_path):
    from ddrl.task import PPMOConfig, ppmo, ppo_baseline, load_ppo
    cfg = PPMOConfig("cartpole", meta_epochs=2, envs_per_learner=2, rollout=32, checkpoint_every=1, device="cuda")
    ppmo(PPMOConfig(**{**cfg.__dict__, "meta_epochs": 1}), tmp_path / "run", progress=False)
    batch = ppmo(cfg, tmp_path / "run", resume=True, progress=False)   # the RNG state comes back to the CPU
    assert batch.states.is_cuda
    ppo_baseline(cfg, 64, tmp_path / "ppo", stop_at=1, progress=False)
    _, weights, _, curve = ppo_baseline(cfg, 128, tmp_path / "ppo", resume=True, progress=False)
    assert len(curve) == 2 and not any(w.is_cuda for w in weights.values())
    assert main(["task", "ppo", "--like", str(tmp_path / "run"), "--out", str(tmp_path / "ppo2"), "--steps", "64",
                 "--device", "cuda", "--eval-episodes", "2", "--quiet"]) == 0
    assert load_ppo(tmp_path / "ppo2")[3][-1]["env_steps"] == 64
