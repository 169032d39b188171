#!/usr/bin/env bash
# Train the IMPALA experts at the paper's settings (PFRL PPO, 64 envs x 256 steps, 25M steps) on a lent GPU
# machine, all games at once (one process per game, 4 torch threads each), in commands of at most 10 minutes.
#
#   experiments/gpu_experts.sh setup            # unpack the carried packages (.gpu/site.tar.xz) into /tmp/site
#   experiments/gpu_experts.sh start            # start (or --resume) one training per game, detached (setsid)
#   experiments/gpu_experts.sh watch SECONDS    # print each game's last curve point every minute, then pack
#   experiments/gpu_experts.sh finish           # stop the trainings, write expert.pt at the last checkpoint,
#                                               # evaluate 100 episodes per split beside random (card.json), pack
#
# Runs live in $RUNS (default /root/gpu-experts/<game>); `pack` copies each run folder as <game>.tar to $OUT.
# A run that comes back is continued anywhere with `ddrl expert train --env GAME --out FOLDER --resume`.
set -euo pipefail
RUNS=${RUNS:-/root/gpu-experts}
GAMES=${GAMES:-"bigfish starpilot jumper"}
export PYTHONPATH="$PWD:/tmp/site${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 MPLBACKEND=Agg
export LD_LIBRARY_PATH="/tmp/site/syslibs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"   # libGL and X11 for procgen's Qt
DDRL=(python3 -c "import sys; from ddrl.cli import main; sys.exit(main(sys.argv[1:]))")   # `ddrl` from this checkout

pack() {
    for g in $GAMES; do
        [ -d "$RUNS/$g" ] && tar cf "${OUT:-/tmp}/$g.tar" -C "$RUNS" "$g" "$g.log" 2>/dev/null || true
    done
}

last_points() {
    for g in $GAMES; do
        if [ -f "$RUNS/$g/curve.csv" ]; then echo "$g $(tail -1 "$RUNS/$g/curve.csv")"; else echo "$g (no curve yet)"; fi
    done
}

case "${1:-}" in
setup)
    mkdir -p /tmp/site
    tar xJf .gpu/site.tar.xz -C /tmp/site
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    python3 -c "import torch, numpy, procgen, pfrl
print('torch', torch.__version__, 'numpy', numpy.__version__, 'cuda', torch.cuda.is_available())"
    python3 -c "from ddrl.data import ProcgenSpec
print('procgen', ProcgenSpec('bigfish').make().observe()[1]['rgb'].shape)"
    ;;
start)
    mkdir -p "$RUNS"
    for g in $GAMES; do
        resume=""
        [ -f "$RUNS/$g/checkpoint.pt" ] && resume="--resume"
        setsid nohup "${DDRL[@]}" expert train --env "$g" --arch impala --steps 25000000 --device cuda --threads 4 \
            --eval-every 20 --out "$RUNS/$g" --quiet $resume >> "$RUNS/$g.log" 2>&1 < /dev/null &
    done
    sleep 45
    pgrep -af "expert train" | cut -c1-120 || true
    for g in $GAMES; do echo "== $g"; tail -n 3 "$RUNS/$g.log"; done
    ;;
watch)
    end=$((SECONDS + ${2:-60}))
    while [ $SECONDS -lt $end ]; do
        sleep $(( end - SECONDS < 60 ? end - SECONDS : 60 ))
        echo "--- $(date -u +%H:%M:%S) steps,updates,wall_seconds,cpu_seconds,steps_per_second,train_return,..."
        last_points
    done
    pack
    ;;
finish)
    pkill -f "expert train" || true
    sleep 3
    for g in $GAMES; do
        [ -f "$RUNS/$g/checkpoint.pt" ] || continue
        steps=$(python3 -c "import sys; from ddrl.data import load_checkpoint; \
print(load_checkpoint(sys.argv[1], 'expert-run', map_location='cpu')['state']['steps'])" "$RUNS/$g/checkpoint.pt")
        echo "$g: finishing at the last checkpoint, $steps steps"
        "${DDRL[@]}" expert train --env "$g" --arch impala --steps "$steps" --device cuda --threads 4 --eval-every 20 \
            --out "$RUNS/$g" --quiet --resume >> "$RUNS/$g.log" 2>&1 &
    done
    wait
    for g in $GAMES; do [ -f "$RUNS/$g/card.json" ] && python3 -c "import json, sys; c = json.load(open(sys.argv[1])); \
e, r = c['evaluation'], c['random_policy']; print(sys.argv[2], c['steps_trained'], 'steps', \
'ID', round(e['id']['mean'], 2), 'OOD', round(e['ood']['mean'], 2), 'random ID', round(r['id']['mean'], 2), \
'OOD', round(r['ood']['mean'], 2))" "$RUNS/$g/card.json" "$g"; done
    pack
    ;;
*)
    sed -n 2,12p "$0"
    exit 2
    ;;
esac
