#!/usr/bin/env bash
# run.sh: framepred's GPU checks on a machine with an NVIDIA GPU, from the
# bundle that `make gpu-check` (scripts/gpu/build.sh) leaves in .gpu/. It
# needs no Go, FFmpeg or network there: the NVIDIA driver, and cuBLAS and
# NVRTC from NVIDIA's Python wheels (PyTorch's), which it finds with
# python3; PyTorch itself for the comparison.
#
#   bash scripts/gpu/run.sh            # results in $OUT (default out/gpu)
#
# In about five minutes (each part has a time limit, and parts are skipped
# past BUDGET seconds, default 360, so the whole run ends within 9 minutes)
# it writes:
#   summary.txt   what passed, steps/s ours and PyTorch's, their ratios
#   env.txt       nvidia-smi, library paths, versions, gpucheck's report
#   tests.txt     cuda.test and gpu.test with FRAMEPRED_GPU=1 (device 0)
#   parity.txt    gpustep -mode parity: GPU against CPU, demo and large nets
#   speed.txt     gpustep and torch_step.py, alternated, demo and large nets
#   profile.txt   gpustep -profile: GPU time by kind of op, per pass overhead
#   memory.txt    gpustep -mode memory: 1000 demo steps, memory flat
#
# FRAMEPRED_CUDA_LIBS, when set, replaces the search of the wheels. QUICK=1
# makes every part tiny (demo net only, batch 2, a step or two), to try the
# script on framepred/cuda/cudatest's stand-in libraries.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-out/gpu}
BUDGET=${BUDGET:-360}
mkdir -p "$OUT"
summary=$OUT/summary.txt
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }
status=0
# part NAME LIMIT FILE CMD...: runs CMD with a time limit, output appended
# to FILE, and records PASS or FAIL; skipped once the budget is spent.
part() {
	local name=$1 limit=$2 file=$3
	shift 3
	if [ "$SECONDS" -ge "$BUDGET" ]; then
		say "SKIP $name (time budget of $BUDGET s spent)"
		status=1
		return 1
	fi
	local t0=$SECONDS
	echo "== $name: $*" >>"$file"
	timeout --kill-after=10 "$limit" "$@" >>"$file" 2>&1
	local rc=$?
	if [ "$rc" -eq 0 ]; then
		say "PASS $name ($((SECONDS - t0)) s)"
	else
		say "FAIL $name (exit $rc after $((SECONDS - t0)) s; see $(basename "$file"))"
		status=1
	fi
	return "$rc"
}

# The bundle.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ ! -f .gpu/bundle.tar.xz ]; then
	say "FAIL no .gpu/bundle.tar.xz: run make gpu-check first"
	exit 1
fi
python3 - "$work" <<'EOF' || { say "FAIL cannot unpack .gpu/bundle.tar.xz"; exit 1; }
import sys, tarfile
with tarfile.open(".gpu/bundle.tar.xz") as t:
    t.extractall(sys.argv[1])
EOF
bin=$work/bin

# NVIDIA's wheels: CUDA 13 puts every library in nvidia/cu13/lib, CUDA 12
# in nvidia/<name>/lib (cublas, cuda_nvrtc); torch/lib as a last resort.
[ -n "${FRAMEPRED_CUDA_LIBS:-}" ] || FRAMEPRED_CUDA_LIBS=$(python3 - <<'EOF'
import glob, os, site
roots = site.getsitepackages() + [site.getusersitepackages()]
dirs = []
for pattern in ("nvidia/cu13/lib", "nvidia/cublas/lib", "nvidia/cuda_nvrtc/lib", "nvidia/*/lib", "torch/lib"):
    for r in roots:
        for d in sorted(glob.glob(os.path.join(r, pattern))):
            if glob.glob(os.path.join(d, "libcublas.so.*")) or glob.glob(os.path.join(d, "libnvrtc.so.*")):
                if d not in dirs:
                    dirs.append(d)
print(":".join(dirs))
EOF
)
export FRAMEPRED_CUDA_LIBS
export LD_LIBRARY_PATH=$work/lib${FRAMEPRED_CUDA_LIBS:+:$FRAMEPRED_CUDA_LIBS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export FRAMEPRED_GPU=1

env=$OUT/env.txt
{
	date -u
	nvidia-smi || echo "nvidia-smi failed"
	echo "FRAMEPRED_CUDA_LIBS=$FRAMEPRED_CUDA_LIBS"
	for d in ${FRAMEPRED_CUDA_LIBS//:/ }; do ls "$d" | grep -E 'cublas|nvrtc' | sed "s|^|  $d/|"; done
	echo "bundle needs $(cat "$work/GLIBC"); this machine: $(ldd --version | head -1)"
	ldd "$bin/gpustep"
	python3 -c 'import sys, torch; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>&1
	nproc
} >"$env" 2>&1
say "libraries: ${FRAMEPRED_CUDA_LIBS:-none found}"

if [ -n "${QUICK:-}" ]; then
	part "gpucheck" 90 "$env" "$bin/gpucheck" -small -steps 3
else
	part "gpucheck" 90 "$env" "$bin/gpucheck" -steps 100
fi
tests=$OUT/tests.txt
part "cuda tests" 120 "$tests" "$bin/cuda.test" -test.v -test.count=1
part "gpu tests" 150 "$tests" "$bin/gpu.test" -test.v -test.count=1

nets="demo large" batch=() quick=${QUICK:-}
if [ -n "$quick" ]; then
	nets=demo batch=(-batch 2)
fi
parity=$OUT/parity.txt
if [ -n "$quick" ]; then
	part "parity demo (batch 2)" 120 "$parity" "$bin/gpustep" -mode parity -net demo -batch 2 -steps 1
else
	part "parity demo (batch 8)" 120 "$parity" "$bin/gpustep" -mode parity -net demo -batch 8 -steps 4
	part "parity demo (batch 8), graphs" 120 "$parity" "$bin/gpustep" -mode parity -net demo -batch 8 -steps 4 -graphs
	part "parity large (batch 2)" 150 "$parity" "$bin/gpustep" -mode parity -net large -batch 2 -steps 3
fi

# Speed: ours (kernel by kernel, then as CUDA graphs) and PyTorch's eager
# step alternated, A B C A B C, then both with TF32 products (PyTorch's
# default for convolutions) once.
speed=$OUT/speed.txt
for net in $nets; do
	steps=300 warm=20
	[ "$net" = large ] && steps=40 warm=5
	[ -n "$quick" ] && steps=1 warm=1
	for round in 1 2; do
		part "speed ours $net round $round" 90 "$speed" "$bin/gpustep" -mode speed -net "$net" -steps "$steps" -warmup "$warm" "${batch[@]}"
		part "speed ours graphs $net round $round" 90 "$speed" "$bin/gpustep" -mode speed -net "$net" -steps "$steps" -warmup "$warm" -graphs "${batch[@]}"
		part "speed torch $net round $round" 120 "$speed" python3 scripts/gpu/torch_step.py "$net" --steps "$steps" --warmup "$warm"
	done
	part "speed ours graphs tf32 $net" 90 "$speed" "$bin/gpustep" -mode speed -net "$net" -steps "$steps" -warmup "$warm" -graphs -tf32 "${batch[@]}"
	part "speed torch $net tf32" 120 "$speed" python3 scripts/gpu/torch_step.py "$net" --steps "$steps" --warmup "$warm" --tf32 on
done
python3 - "$speed" <<'EOF' | tee -a "$summary"
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"(ours|ours-graphs|ours-graphs-tf32|torch) net=(\w+) .*steps_per_s=([\d.]+)", line)
    if m:
        who, net, sps = m.group(1), m.group(2), float(m.group(3))
        if who == "torch" and "tf32=on" in line:
            who = "torch-tf32"
        runs.setdefault((net, who), []).append(sps)
for net in ("demo", "large"):
    ours, graphs, torch = runs.get((net, "ours")), runs.get((net, "ours-graphs")), runs.get((net, "torch"))
    line = f"{net}: ours {statistics.median(ours):.1f} steps/s" if ours else f"{net}: no result of ours"
    if graphs:
        line += f", ours with graphs {statistics.median(graphs):.1f}"
    if torch:
        line += f", PyTorch eager fp32 {statistics.median(torch):.1f}"
    for label, mine in (("ours", ours), ("graphs", graphs)):
        if mine and torch:
            ratios = [o / t for o, t in zip(mine, torch)]
            line += f"; {label}/PyTorch {statistics.median(ratios):.2f} (rounds {', '.join(f'{r:.2f}' for r in ratios)})"
    if runs.get((net, "ours-graphs-tf32")):
        line += f"; TF32: ours with graphs {runs[(net, 'ours-graphs-tf32')][0]:.1f}"
    if runs.get((net, "torch-tf32")):
        line += f", PyTorch {runs[(net, 'torch-tf32')][0]:.1f}"
    print(line)
EOF
grep -E '^(ours|ours-graphs|ours-graphs-tf32|torch) ' "$speed" | sed 's/^/  /' >>"$summary"

profile=$OUT/profile.txt
memory=$OUT/memory.txt
if [ -n "$quick" ]; then
	part "profile demo" 60 "$profile" "$bin/gpustep" -mode speed -net demo -steps 1 -warmup 1 -profile "${batch[@]}"
	part "memory demo, 3 steps" 120 "$memory" "$bin/gpustep" -mode memory -net demo -steps 3 "${batch[@]}"
	part "memory demo with graphs, 3 steps" 120 "$memory" "$bin/gpustep" -mode memory -net demo -steps 3 -graphs "${batch[@]}"
else
	part "profile demo" 60 "$profile" "$bin/gpustep" -mode speed -net demo -steps 50 -warmup 5 -profile
	part "profile large" 90 "$profile" "$bin/gpustep" -mode speed -net large -steps 10 -warmup 2 -profile
	part "memory demo, 1000 steps" 120 "$memory" "$bin/gpustep" -mode memory -net demo -steps 1000
	part "memory demo with graphs, 1000 steps" 120 "$memory" "$bin/gpustep" -mode memory -net demo -steps 1000 -graphs
	part "memory large, 50 steps" 90 "$memory" "$bin/gpustep" -mode memory -net large -steps 50
fi

say "done in $SECONDS s, status $status"
exit "$status"
