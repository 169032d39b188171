#!/usr/bin/env bash
# Build .gpu/site.tar.xz: the packages a lent GPU machine lacks for expert training (Procgen, gym3, gym, PFRL,
# gymnasium, cffi for Python 3.12, and the system libraries Procgen's Qt links against), small enough to travel
# with the working tree (the device tool sends at most 64 MiB in all: this archive is ~33 MiB, so the checkout's
# tracked and untracked files must stay under ~31 MiB; `git ls-files -z | xargs -0 du -cb | tail -1` says how much:
# 47 MiB once the IMPALA experts landed, so move results/ out of the tree for the device calls, or prune it).
#
#   tools/gpu_packages.sh        # then carry ".gpu/site.tar.xz"; experiments/gpu_experts.sh setup unpacks it
#
# Shrinking, each step checked to leave bigfish, starpilot and jumper frames bit-identical (1,500 steps of 8
# envs, md5 of every frame): libenv.so stripped of symbols (17 MB -> 0.6 MB); the topdown_backgrounds and
# kenney-abstract images, which these three games never draw, replaced by 4x4 black PNGs (Procgen loads every
# asset at start, so the files must exist).
set -euo pipefail
cd "$(dirname "$0")/.."
SP=$(.venv/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
grep -qxF "/.gpu/" "$(git rev-parse --git-dir)/info/exclude" 2>/dev/null || {
    mkdir -p "$(git rev-parse --git-dir)/info"; echo "/.gpu/" >> "$(git rev-parse --git-dir)/info/exclude"; }
rm -rf .gpu/site .gpu/wheels
mkdir -p .gpu/site/syslibs .gpu/wheels
for p in procgen procgen_mirror.libs gym3 gym gym_notices pfrl gymnasium farama_notifications; do
    cp -r "$SP/$p" .gpu/site/
done
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux2014_x86_64 -d .gpu/wheels cffi==1.17.1 pycparser
for w in .gpu/wheels/*.whl; do (cd .gpu/site && unzip -q -o "../../$w"); done
rm -rf .gpu/site/*.dist-info .gpu/site/procgen/examples .gpu/site/procgen/src
find .gpu/site -name __pycache__ -type d -prune -exec rm -rf {} +
strip --strip-unneeded .gpu/site/procgen/data/prebuilt/libenv.so
.venv/bin/python -c "from PIL import Image; Image.new('RGB', (4, 4)).save('.gpu/tiny.png')"
for d in topdown_backgrounds kenney-abstract; do
    find ".gpu/site/procgen/data/assets/$d" -name "*.png" -exec cp .gpu/tiny.png {} \;
done
for l in libGL.so.1 libGLX.so.0 libGLdispatch.so.0 libX11.so.6 libXau.so.6 libXdmcp.so.6 libxcb.so.1 libbsd.so.0 \
         libmd.so.0 libglib-2.0.so.0 libgthread-2.0.so.0 libpcre2-8.so.0; do
    cp -L "/lib/x86_64-linux-gnu/$l" .gpu/site/syslibs/
done
tar cf - -C .gpu/site . | xz -6 -T2 > .gpu/site.tar.xz
ls -la .gpu/site.tar.xz
