"Expert training from the command line: killed mid-run, resumed, finished with a curve and a card."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np, pytest, torch
from ddrl.expert import PPOConfig, train_expert, load_expert, read_curve, CURVE_FIELDS

DDRL = str(Path(sys.executable).parent / "ddrl")
TINY = ["--env", "bigfish", "--arch", "nature", "--steps", "3072", "--num-envs", "8", "--rollout", "32",
        "--checkpoint-every", "1", "--eval-every", "2", "--eval-episodes", "4", "--threads", "1", "--quiet"]

def test_killed_run_resumes_and_finishes(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([DDRL, "expert", "train", *TINY, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 240
    while not (out / "checkpoint.pt").exists():                      # wait for the first checkpoint ...
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        assert time.time() < deadline, "no checkpoint within 240 s"
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL); proc.wait()                   # ... then kill it hard, mid-run
    ck = torch.load(out / "checkpoint.pt", weights_only=False)       # the checkpoint on disk is whole
    killed_at = ck["state"]["steps"]
    assert 0 < killed_at < 3072 and not (out / "expert.pt").exists()
    r = subprocess.run([DDRL, "expert", "train", *TINY, "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 2 and "pass resume=True (--resume)" in r.stderr          # no silent restart
    r = subprocess.run([DDRL, "expert", "train", *TINY, "--out", str(out), "--resume"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"resumed {out} at step {killed_at:,}" in r.stdout
    assert (out / "expert.pt").exists() and (out / "curve.png").exists()
    curve = read_curve(out / "curve.csv")
    assert list(curve[0]) == CURVE_FIELDS and curve[-1]["steps"] == 3072
    assert all(a["steps"] < b["steps"] for a, b in zip(curve, curve[1:]))
    card = json.loads((out / "card.json").read_text())
    assert card["steps_trained"] == 3072 and card["arch"] == "nature" and card["evaluation"]["id"]["episodes"] == 4
    assert {"id", "ood"} <= set(card["random_policy"]) and card["device"].startswith("CPU")
    ev = subprocess.run([DDRL, "expert", "eval", "--env", "bigfish", "--checkpoint", str(out), "--episodes", "4", "--quiet"],
                        capture_output=True, text=True)
    assert ev.returncode == 0 and "ID" in ev.stdout and "OOD" in ev.stdout and "4 episodes, sampled actions" in ev.stdout

def test_same_seed_same_expert(tmp_path):
    cfg = PPOConfig("jumper", steps=512, arch="nature", num_envs=4, rollout=64, minibatches=2, eval_every=100, eval_episodes=2)
    a = load_expert(train_expert(cfg, tmp_path / "a", progress=False))
    b = load_expert(train_expert(cfg, tmp_path / "b", progress=False))
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values()): torch.testing.assert_close(va, vb, rtol=0, atol=0, msg=k)

def test_bad_expert_input(tmp_path):
    from ddrl.report import dataset_size_table
    t = dataset_size_table({"BC 10%": 5, "pbc": 150, "expert-gm": 150}, "bigfish")
    assert t.paper.tolist() == [2027, "", 150]          # only the paper's own methods get its numbers
    with pytest.raises(ValueError, match="unknown Procgen game"): PPOConfig(game="pong")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            train_expert(PPOConfig(steps=64, num_envs=2, rollout=32, minibatches=2, device="cuda"), tmp_path / "x", progress=False)
    with pytest.raises(FileNotFoundError, match="no expert for 'nosuchgame'"): load_expert("nosuchgame")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="expected expert.pt or checkpoint.pt"): load_expert(tmp_path / "empty")

SHIPPED = ["bigfish", "starpilot", "jumper", "bigfish-2.9m", "bigfish-nature", "starpilot-nature", "jumper-nature"]

@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_experts_load(name):
    net = load_expert(name)
    card = net.card
    game, arch = name.split("-")[0], "nature" if name.endswith("-nature") else "impala"
    assert card["game"] == game and card["arch"] == arch and type(net).__name__.lower().startswith(arch)
    assert card["steps_trained"] > 1_000_000 and card["evaluation"]["id"]["episodes"] == 100
    assert {"id", "ood"} <= set(card["random_policy"]) and card["note"]
    with torch.no_grad(): logits = net(np.zeros((2, 64, 64, 3), np.uint8))
    assert logits.shape == (2, 15) and torch.isfinite(logits).all()
