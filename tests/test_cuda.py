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
