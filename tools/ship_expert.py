"""Ship a finished expert run with the package: weights and card into ddrl/experts/, curve into results/experts/.

Usage: python tools/ship_expert.py RUN_DIR [RUN_DIR ...]   (each RUN_DIR holds expert.pt and card.json)
"""
import json, shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def ship(run: Path):
    card = json.loads((run / "card.json").read_text())
    game = card["game"]
    (ROOT / "ddrl" / "experts").mkdir(exist_ok=True)
    shutil.copyfile(run / "expert.pt", ROOT / "ddrl" / "experts" / f"{game}.pt")
    shutil.copyfile(run / "card.json", ROOT / "ddrl" / "experts" / f"{game}.json")
    dest = ROOT / "results" / "experts" / game; dest.mkdir(parents=True, exist_ok=True)
    for f in ("curve.csv", "curve.png", "card.json", "config.json"): shutil.copyfile(run / f, dest / f)
    e = card["evaluation"]
    print(f"{game}: {card['arch']} {card['steps_trained']:,} steps, ID {e['id']['mean']:.2f}, OOD {e['ood']['mean']:.2f}")

if __name__ == "__main__":
    if len(sys.argv) < 2: sys.exit(__doc__)
    for d in sys.argv[1:]: ship(Path(d))
