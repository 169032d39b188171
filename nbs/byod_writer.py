"""Write a Minari-layout dataset with plain h5py -- no ddrl -- as a user's own data would be written.

Usage: python tests/byod_writer.py OUT --kind vector|image [--episodes 20] [--seed 0]
vector: CartPole-v1 (gymnasium) played by a noisy hand-written controller; 4-float observations, 2 actions.
image:  random 64x64x3 uint8 frames with 15 actions (the Procgen action space), episodes of random length.
Follows Minari's layout: data/main_data.hdf5 with episode_<i> groups holding observations (T + 1),
actions, rewards, terminations, truncations (T each); data/metadata.json with serialised spaces.
"""
import argparse, json
from pathlib import Path
import h5py, numpy as np

def cartpole_episodes(n, seed):
    import gymnasium as gym
    env, rng = gym.make("CartPole-v1"), np.random.default_rng(seed)
    for i in range(n):
        obs, _ = env.reset(seed=seed + i); O, A, R, TE, TR = [obs], [], [], [], []
        while True:
            a = int(obs[2] + 0.5 * obs[3] > 0) if rng.random() > 0.1 else int(rng.integers(2))   # push towards the pole's fall
            obs, r, term, trunc, _ = env.step(a)
            O.append(obs); A.append(a); R.append(r); TE.append(term); TR.append(trunc)
            if term or trunc: break
        yield np.array(O, np.float32), np.array(A, np.int64), np.array(R, np.float64), np.array(TE), np.array(TR)

def image_episodes(n, seed):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        T = int(rng.integers(5, 40))
        yield (rng.integers(0, 256, (T + 1, 64, 64, 3), dtype=np.uint8), rng.integers(0, 15, T), rng.normal(size=T),
               np.r_[np.zeros(T - 1, bool), True], np.zeros(T, bool))

def main():
    p = argparse.ArgumentParser(); p.add_argument("out"); p.add_argument("--kind", choices=["vector", "image"], required=True)
    p.add_argument("--episodes", type=int, default=20); p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    data = Path(a.out) / "data"; data.mkdir(parents=True, exist_ok=True)
    total = 0
    with h5py.File(data / "main_data.hdf5", "w") as f:
        episodes = cartpole_episodes(a.episodes, a.seed) if a.kind == "vector" else image_episodes(a.episodes, a.seed)
        for i, (O, A, R, TE, TR) in enumerate(episodes):
            g = f.create_group(f"episode_{i}"); g.attrs["id"] = i; g.attrs["total_steps"] = len(A)
            for k, v in dict(observations=O, actions=A, rewards=R, terminations=TE, truncations=TR).items(): g.create_dataset(k, data=v)
            total += len(A)
    obs = (dict(type="Box", dtype="float32", shape=[4], low=[-4.8, -1e38, -0.42, -1e38], high=[4.8, 1e38, 0.42, 1e38])
           if a.kind == "vector" else dict(type="Box", dtype="uint8", shape=[64, 64, 3], low=0, high=255))
    meta = dict(dataset_id=f"user/{a.kind}-v0", total_episodes=a.episodes, total_steps=total, data_format="hdf5",
                env_spec=json.dumps({"id": "CartPole-v1"}) if a.kind == "vector" else None,
                observation_space=json.dumps(obs), action_space=json.dumps(dict(type="Discrete", n=2 if a.kind == "vector" else 15)))
    (data / "metadata.json").write_text(json.dumps(meta))
    print(f"wrote {a.episodes} episodes, {total} steps to {a.out}")

if __name__ == "__main__":
    main()
