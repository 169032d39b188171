"Task distillation: the MuJoCo smoke run, the CLI, and N-D cart-pole physics."
import subprocess, sys
from pathlib import Path
import numpy as np, pytest, torch
from ddrl.task import PPMOConfig, ppmo, evaluate_batch, load_batch, make_task_env, CartPoleNDVec

DDRL = str(Path(sys.executable).parent / "ddrl")

def test_mujoco_hopper_smoke(tmp_path):
    cfg = PPMOConfig("Hopper-v5", size=4, meta_epochs=3, envs_per_learner=2, rollout=32, checkpoint_every=1)
    b = ppmo(cfg, tmp_path / "hopper", progress=False)
    assert b.states.shape == (4, 11) and b.targets.shape == (4, 3) and b.log_std_target.shape == (3,)
    assert len(b.curve) == 3 and all(np.isfinite(c["loss"]) for c in b.curve)
    back = load_batch(tmp_path / "hopper")
    assert torch.equal(back.states, b.states.detach()) and back.config["env"] == "Hopper-v5"
    r = evaluate_batch(back, "Hopper-v5", learners=2, max_steps=50)
    assert r.shape == (2,) and np.isfinite(r).all()

def test_task_cli(tmp_path):
    out = tmp_path / "cp3"
    r = subprocess.run([DDRL, "task", "distill", "--env", "cartpole-3d", "--size", "4", "--meta-epochs", "2", "--rollout", "20",
                        "--eval-learners", "3", "--out", str(out), "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "cartpole-3d into 4 states" in r.stdout and (out / "batch.pt").exists() and (out / "curve.png").exists()
    r = subprocess.run([DDRL, "task", "eval", str(out), "--learners", "3", "--init", "xavier", "--width", "32"], capture_output=True, text=True)
    assert r.returncode == 0 and "sampled actions" in r.stdout and "greedy actions" in r.stdout and "init xavier, width 32" in r.stdout
    r = subprocess.run([DDRL, "task", "distill", "--env", "cartpole-xd", "--out", str(tmp_path / "x")], capture_output=True, text=True)
    assert r.returncode == 2 and "cartpole-<N>d" in r.stderr

def test_nd_cartpole_ends_when_any_dimension_fails():
    env = CartPoleNDVec(2, n_dims=3, seed=0); env.reset()
    env.state[0, 2, 2:] = 0.2, 1.0   # the pole of dimension 3 of copy 0 is falling past 12 degrees
    obs, rew, term, trunc, info = env.step(np.array([0, 0]))
    assert term.tolist() == [True, False] and info["_final"].tolist() == [True, False]
    assert np.abs(obs[0]).max() <= 0.05   # copy 0 restarted in the same step
    for _ in range(600):
        obs, rew, term, trunc, info = env.step(np.array([0, 1]))   # pushes only dimension 1 of each copy
    assert (env.steps <= 500).all()

def test_atari_pong_smoke():
    cfg = PPMOConfig("ALE/Pong-v5", size=4, meta_epochs=2, envs_per_learner=2, rollout=16, minibatches=2)
    b = ppmo(cfg, progress=False)
    assert b.states.shape == (4, 4, 84, 84) and b.targets.shape == (4, 6) and all(np.isfinite(c["loss"]) for c in b.curve)
    assert evaluate_batch(b, "ALE/Pong-v5", learners=2, max_steps=100).shape == (2,)

def test_task_ppo_cli_takes_the_tasks_update(tmp_path, monkeypatch):
    "`ddrl task ppo` trains Atari runs with cleanrl's Atari update and MuJoCo runs with the defaults."
    import json
    from dataclasses import asdict
    import ddrl.task, ddrl.cli
    seen = {}
    class Stop(Exception): pass
    def fake_ppo_baseline(cfg, steps, out, **kw):
        seen[cfg.env] = (steps, {k: v for k, v in kw.items() if k not in ("resume", "progress")})
        raise Stop
    monkeypatch.setattr(ddrl.task, "ppo_baseline", fake_ppo_baseline)
    for env in ("ALE/Pong-v5", "Hopper-v5"):
        run = tmp_path / env.replace("/", "-")
        run.mkdir()
        (run / "config.json").write_text(json.dumps(asdict(PPMOConfig(env, meta_epochs=3))))
        args = ddrl.cli.build_parser().parse_args(["task", "ppo", "--like", str(run), "--out", str(tmp_path / "ppo"),
                                                   "--eval-episodes", "1", "--quiet"])
        with pytest.raises(Stop): ddrl.cli.cmd_task_ppo(args)
    assert seen["ALE/Pong-v5"] == (3 * 10 * 200, ddrl.task.ATARI_PPO) and seen["Hopper-v5"] == (3 * 10 * 200, {})
