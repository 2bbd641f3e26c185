#!/usr/bin/env bash
# run.sh: framepred's training step against PyTorch on the same networks,
# batches, losses and thread counts (bench/doc.go lists the networks).
#
#   bench/run.sh [ROUNDS] [THREADS...]     (defaults: 5 rounds, threads 1 and 2)
#   NETS="unet unet+d" STEPS=10 bench/run.sh 3 2
#
# For each thread count it measures the machine's sgemm peak (OpenBLAS,
# 2048², that many threads, once per round, best kept: neighbours only ever
# lower it) and runs Go and PyTorch alternately, A B A B, ROUNDS times per
# network. It prints a line per run and then a table per thread count:
# median steps/s of each side, the median of the per-round ratios (above 1:
# framepred is faster), our convolution GFLOP/s (counted as PyTorch computes
# the same layers; an UpConv2d does 4/9 of that, see "done") and that as a
# fraction of the peak, the median CPU milliseconds per step of each side,
# the median of the per-round CPU-time ratios (PyTorch's over ours), our
# convolution GFLOP per CPU-second and that as a fraction of sgemm's (at
# one thread the steadier measure of the two on a busy machine; at two,
# both sides' CPU time includes waiting), and our heap allocations per step. Last, the edge-bank perceptual loss's
# share of a step: 1 - unet/unet+perc time, from the medians of wall and
# of CPU time.
#
# On a shared machine only the ratios of neighbouring runs mean much: run it
# niced and read the medians. CPU time suffers less from neighbours than
# wall time, but with more than one thread PyTorch's includes OpenMP
# spin-waiting: compare CPU times at one thread.
# Environment: STEPS (timed steps per run, default 20), NETS (default all),
# BENCH_THREADING=openblas (let OpenBLAS thread the products instead of the
# kernels' goroutines).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
shift || true
threads=${*:-1 2}
steps=${STEPS:-20}
nets=${NETS:-probe unet unet+d unet+perc rgb64}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -c -o "$tmp/bench.test" ./bench
"$py" -c 'import torch' 2>/dev/null || { echo "run.sh: $py cannot import torch (Debian: apt-get install python3-torch)"; exit 1; }

# metric NAME: the number before NAME on a go test -bench line.
metric() { awk -v m="$1" '/^Benchmark/ { for (i = 2; i <= NF; i++) if ($i == m) print $(i-1) }'; }

: >"$tmp/results"
for t in $threads; do
	peak=0 cpeak=0
	for r in $(seq 1 "$rounds"); do
		sg=$("$tmp/bench.test" -test.run '^$' -test.bench 'SgemmPeak' -test.benchtime 10x -test.cpu "$t")
		p=$(metric GFLOP/s <<<"$sg")
		pc=$(metric GFLOP/cpu-s <<<"$sg")
		echo "threads $t round $r: sgemm $p GFLOP/s, $pc GFLOP/cpu-s (OpenBLAS, 2048²), load $(cut -d' ' -f1 /proc/loadavg)"
		peak=$(awk -v a="$peak" -v b="$p" 'BEGIN { print (b > a ? b : a) }')
		cpeak=$(awk -v a="$cpeak" -v b="$pc" 'BEGIN { print (b > a ? b : a) }')
		for net in $nets; do
			re=$(sed 's/+/\\+/g' <<<"$net")
			out=$("$tmp/bench.test" -test.run '^$' -test.bench "TrainStep/$re\$" -test.benchtime "${steps}x" -test.cpu "$t")
			go_sps=$(metric steps/s <<<"$out")
			[ -n "$go_sps" ] || { echo "run.sh: no Go result for $net:"; echo "$out"; exit 1; }
			go_cpu=$(metric cpu-ms/step <<<"$out")
			gflops=$(metric GFLOP/s <<<"$out")
			cpu_gflops=$(metric GFLOP/cpu-s <<<"$out")
			done_gflops=$(metric done-GFLOP/s <<<"$out")
			allocs=$(metric allocs/op <<<"$out")
			pt=$("$py" bench/pytorch/bench.py "$net" --threads "$t" --steps "$steps")
			pt_sps=$(sed -n 's/.*steps_per_s=\([0-9.]*\).*/\1/p' <<<"$pt")
			pt_cpu=$(sed -n 's/.*cpu_ms_per_step=\([0-9.]*\).*/\1/p' <<<"$pt")
			echo "  $net: go $go_sps steps/s, $go_cpu cpu-ms/step ($gflops conv GFLOP/s, $allocs allocs/step); pytorch $pt_sps steps/s, $pt_cpu cpu-ms/step"
			echo "$t $net $go_sps $pt_sps $gflops $done_gflops $allocs $go_cpu $pt_cpu $cpu_gflops" >>"$tmp/results"
		done
	done
	echo "$t $peak $cpeak" >>"$tmp/peaks"
done

echo
echo "$(go version | cut -d' ' -f3), $("$py" -c 'import torch; print("torch", torch.__version__)'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %7s %10s %12s %8s %10s %7s %7s %15s %9s %8s %7s %12s\n' net threads go_steps/s torch_steps/s ratio conv_GFLOP/s done of_peak cpu_ms_go/torch cpu_ratio GF/cpu-s of_peak allocs/step
awk -v nets="$nets" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	FILENAME ~ /peaks$/ { peak[$1] = $2; cpeak[$1] = $3; next }
	{ k = $1 SUBSEP $2; n[k]++; i = n[k]; g[k, i] = $3; p[k, i] = $4; f[k, i] = $5; d[k, i] = $6; al[k] = $7; cg[k, i] = $8; cp[k, i] = $9; cf[k, i] = $10
	  if (!($1 in seen)) { seen[$1] = 1; order[++nt] = $1 } }
	END {
		m = split(nets, names, " ")
		for (ti = 1; ti <= nt; ti++) {
			t = order[ti]
			for (j = 1; j <= m; j++) {
				k = t SUBSEP names[j]; c = n[k]
				if (!c) continue
				delete a; delete b; delete q; delete ff; delete dd; delete x; delete y; delete cr; delete cc
				for (i = 1; i <= c; i++) { a[i] = g[k, i]; b[i] = p[k, i]; q[i] = g[k, i] / p[k, i]; ff[i] = f[k, i]; dd[i] = d[k, i]; x[i] = cg[k, i]; y[i] = cp[k, i]; cr[i] = cp[k, i] / cg[k, i]; cc[i] = cf[k, i] }
				ga = median(a, c); pa = median(b, c); mf = median(ff, c)
				sps[t, names[j], "go"] = ga; sps[t, names[j], "pt"] = pa
				cms[t, names[j], "go"] = median(x, c); cms[t, names[j], "pt"] = median(y, c)
				mc = median(cc, c)
				printf "%-10s %7d %10.2f %12.2f %7.2fx %10.1f %7.1f %6.0f%% %7.1f/%-7.1f %8.2fx %8.1f %6.0f%% %12d\n", names[j], t, ga, pa, median(q, c), mf, median(dd, c), 100 * mf / peak[t], median(x, c), median(y, c), median(cr, c), mc, 100 * mc / cpeak[t], al[k]
			}
			printf "%-10s %7d sgemm peak %.1f GFLOP/s, %.1f GFLOP/cpu-s\n", "", t, peak[t], cpeak[t]
		}
		for (ti = 1; ti <= nt; ti++) {
			t = order[ti]
			if ((t, "unet", "go") in sps && (t, "unet+perc", "go") in sps)
				printf "edge-bank perceptual loss, share of the unet+perc step at %d thread(s): go %.0f%% (CPU time %.0f%%), pytorch %.0f%% (CPU time %.0f%%)\n", t,
					100 * (1 - sps[t, "unet+perc", "go"] / sps[t, "unet", "go"]), 100 * (1 - cms[t, "unet", "go"] / cms[t, "unet+perc", "go"]),
					100 * (1 - sps[t, "unet+perc", "pt"] / sps[t, "unet", "pt"]), 100 * (1 - cms[t, "unet", "pt"] / cms[t, "unet+perc", "pt"])
		}
	}' "$tmp/peaks" "$tmp/results"
