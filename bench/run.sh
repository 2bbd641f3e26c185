#!/usr/bin/env bash
# run.sh: framepred's training step against PyTorch on the same networks,
# batches and threads (bench/doc.go lists the networks).
#
#   bench/run.sh [ROUNDS] [THREADS]     (defaults 5 and 2)
#
# It measures the machine's sgemm peak (OpenBLAS, 2048², THREADS threads,
# best of one run per round) and runs Go and PyTorch alternately, A B A B,
# ROUNDS times per network,
# and prints per network the median steps/s of each, the median of the
# per-round ratios, our convolution GFLOP/s as a fraction of the peak, and
# the median CPU milliseconds per step of each, and our heap allocations per
# step. On a shared machine only the ratios of neighbouring runs mean much;
# run it niced and read the medians. CPU time suffers less from neighbours
# than wall time, but with more than one thread PyTorch's includes OpenMP
# spin-waiting: compare CPU times at THREADS=1.
# Environment: STEPS (timed steps per run, default 20), BENCH_THREADING=openblas
# (let OpenBLAS thread the products instead of the kernels' goroutines).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
threads=${2:-2}
steps=${STEPS:-20}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -c -o "$tmp/bench.test" ./bench

# metric NAME: the number before NAME on a go test -bench line.
metric() { awk -v m="$1" '/^Benchmark/ { for (i = 2; i <= NF; i++) if ($i == m) print $(i-1) }'; }

# The peak is measured once per round and the best kept: neighbours only
# ever lower it.
peak=0
measure_peak() {
	local p
	p=$("$tmp/bench.test" -test.run '^$' -test.bench 'SgemmPeak' -test.benchtime 10x -test.cpu "$threads" | metric GFLOP/s)
	echo "sgemm: $p GFLOP/s (OpenBLAS, 2048², $threads threads)"
	peak=$(awk -v a="$peak" -v b="$p" 'BEGIN { print (b > a ? b : a) }')
}

: >"$tmp/results"
for r in $(seq 1 "$rounds"); do
	measure_peak
	for net in probe unet; do
		out=$("$tmp/bench.test" -test.run '^$' -test.bench "TrainStep/$net\$" -test.benchtime "${steps}x" -test.cpu "$threads")
		go_sps=$(metric steps/s <<<"$out")
		go_cpu=$(metric cpu-ms/step <<<"$out")
		gflops=$(metric GFLOP/s <<<"$out")
		bytes=$(metric B/op <<<"$out")
		allocs=$(metric allocs/op <<<"$out")
		pt=$("$py" bench/pytorch/bench.py "$net" --threads "$threads" --steps "$steps")
		pt_sps=$(sed -n 's/.*steps_per_s=\([0-9.]*\).*/\1/p' <<<"$pt")
		pt_cpu=$(sed -n 's/.*cpu_ms_per_step=\([0-9.]*\).*/\1/p' <<<"$pt")
		echo "round $r $net: go $go_sps steps/s, $go_cpu cpu-ms/step ($gflops conv GFLOP/s, $allocs allocs, $bytes B per step); pytorch $pt_sps steps/s, $pt_cpu cpu-ms/step"
		echo "$net $go_sps $pt_sps $gflops $allocs $bytes $go_cpu $pt_cpu" >>"$tmp/results"
	done
done

echo
echo "sgemm peak (best of $rounds): $peak GFLOP/s"
printf '%-6s %11s %13s %12s %12s %8s %14s %14s\n' net go_steps/s torch_steps/s ratio_median conv_GFLOP/s of_peak cpu_ms_go/torch allocs,B/step
for net in probe unet; do
	awk -v net="$net" -v peak="$peak" '
		function median(a, n,   i, j, t) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
		}
		$1 == net { n++; g[n] = $2; p[n] = $3; q[n] = $2 / $3; f[n] = $4; al = $5; by = $6; cg[n] = $7; cp[n] = $8 }
		END {
			mf = median(f, n)
			printf "%-6s %11.2f %13.2f %11.2fx %12.1f %7.0f%% %7.1f/%-6.1f %6d,%-6d\n", net, median(g, n), median(p, n), median(q, n), mf, 100 * mf / peak, median(cg, n), median(cp, n), al, by
		}' "$tmp/results"
done
