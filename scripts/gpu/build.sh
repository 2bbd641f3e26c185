#!/usr/bin/env bash
# build.sh: builds, into .gpu/, what scripts/gpu/run.sh runs on a machine
# with an NVIDIA GPU but no Go, no FFmpeg and no network (make gpu-check).
#
# .gpu/bundle.tar.xz holds
#   bin/cuda.test   framepred/cuda's tests (FRAMEPRED_GPU=1 runs them on device 0)
#   bin/gpu.test    framepred/gpu's tests: every op and whole steps against the CPU
#   bin/gpustep     parity, speed and memory of the training step (gpu/cmd/gpustep)
#   bin/gpucheck    the driver, cuBLAS and NVRTC, kernels and sgemm (cuda/cmd/gpucheck)
#   lib/            OpenBLAS and the libraries it needs that a GPU machine may
#                   lack (libgfortran, libquadmath), found with ldd
# None of them links FFmpeg (train and decode are not in them) or CUDA: the
# CUDA libraries are opened at run time (run.sh finds them in NVIDIA's
# Python wheels). They need glibc 2.34 or newer there; the script checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.gpu
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out" "$stage/bin" "$stage/lib"
export CGO_ENABLED=1
flags=(-trimpath -ldflags "-s -w")

go test -c "${flags[@]}" -o "$stage/bin/cuda.test" ./cuda
go test -c "${flags[@]}" -o "$stage/bin/gpu.test" ./gpu
go build "${flags[@]}" -o "$stage/bin/gpustep" ./gpu/cmd/gpustep
go build "${flags[@]}" -o "$stage/bin/gpucheck" ./cuda/cmd/gpucheck

# Every shared library the binaries need, but glibc's own and libgcc_s,
# which every Linux machine has.
for b in "$stage"/bin/*; do
	if ldd "$b" | grep -qi 'libav\|libsw\|libcuda\|libcublas\|libnvrtc'; then
		echo "build.sh: $(basename "$b") links FFmpeg or CUDA:"; ldd "$b"; exit 1
	fi
	ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'
done | sort -u | while read -r lib; do
	case $(basename "$lib") in
	libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | ld-linux*.so.* | libgcc_s.so.*) ;;
	*) cp -L "$lib" "$stage/lib/" ;;
	esac
done

glibc=$(for f in "$stage"/bin/* "$stage"/lib/*; do objdump -T "$f" | grep -o 'GLIBC_[0-9.]*'; done | sort -uV | tail -1)
echo "$glibc" >"$stage/GLIBC"
tar -C "$stage" -cJf "$out/bundle.tar.xz.tmp" bin lib GLIBC
mv "$out/bundle.tar.xz.tmp" "$out/bundle.tar.xz"
size=$(stat -c %s "$out/bundle.tar.xz")
echo "build.sh: $out/bundle.tar.xz, $((size / 1024 / 1024)) MiB: $(cd "$stage" && echo bin/* lib/*); needs $glibc"
if [ "$size" -gt $((40 * 1024 * 1024)) ]; then
	echo "build.sh: the bundle is over 40 MiB"; exit 1
fi
