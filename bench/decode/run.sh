#!/usr/bin/env bash
# Times framepred's decode.Reader (bench/decode: H.264 -> 64x64 RGB float32
# tensors) against the ffmpeg CLI doing the same scaling to raw rgb24
#   ffmpeg -i X -vf scale=64:64 -pix_fmt rgb24 -f rawvideo - >/dev/null
# on a 640x360 and a 1280x720 H.264 clip of testsrc2, in interleaved runs
# (A B A B ...; both with FFmpeg's automatic decoder threads), and prints
# each side's frames/s per run, the medians, and the median of the per-pair
# ratios (framepred fps / ffmpeg fps: above 1 means framepred is faster)
# for wall-clock time and for CPU time (user+system). Both sides include
# process start and opening the file. On a shared machine run it niced and
# read the ratios of neighbouring runs.
#
#   bench/decode/run.sh                        # 1200 frames per clip, 5 pairs
#   RUNS=7 FRAMES=1800 SIZES="1920x1080" bench/decode/run.sh
#   CLIPS=/tmp/clips bench/decode/run.sh       # keep the clips between runs
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-5}
FRAMES=${FRAMES:-1200}
SIZES=${SIZES:-640x360 1280x720}
PRESET=${PRESET:-veryfast}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clips=${CLIPS:-$work}
mkdir -p "$clips"

go build -o "$work/framepred-decode" ./bench/decode

# secs CMD: "WALL CPU", the wall-clock and CPU (user+system) seconds CMD takes.
secs() {
	/usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >"$work/out"
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$work/time"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "decode bench: $FRAMES frames of testsrc2 per clip, H.264 preset $PRESET, to 64x64 RGB, $RUNS interleaved pairs"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
summary=()
for size in $SIZES; do
	clip="$clips/testsrc2-$size-$FRAMES.mp4"
	if [ ! -s "$clip" ]; then
		ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=$size:rate=30" -frames:v "$FRAMES" \
			-c:v libx264 -preset "$PRESET" -pix_fmt yuv420p "$clip"
	fi
	cat "$clip" >/dev/null # into the page cache before the first timed run
	frames=$(ffprobe -v error -select_streams v:0 -show_entries stream=nb_frames -of csv=p=0 "$clip")

	ours=("$work/framepred-decode" -w 64 -h 64 "$clip")
	theirs=(sh -c 'ffmpeg -nostdin -v error -i "$1" -vf scale=64:64 -pix_fmt rgb24 -f rawvideo - >/dev/null' sh "$clip")

	"${ours[@]}" >"$work/out"
	got=$(awk '{ print $2 }' "$work/out")
	if [ "$got" != "$frames" ]; then
		echo "framepred decoded $got frames of $clip, the container has $frames" >&2
		exit 1
	fi

	echo
	echo "## $size, $frames frames"
	fa=() fb=() r=() cr=()
	for i in $(seq "$RUNS"); do
		read -r ta xa < <(secs "${ours[@]}")
		read -r tb xb < <(secs "${theirs[@]}")
		fa+=("$(div "$frames" "$ta")") fb+=("$(div "$frames" "$tb")")
		r+=("$(div "$tb" "$ta")") cr+=("$(div "$xb" "$xa")")
		printf 'pair %d: framepred %7.1f fps (%ss, cpu %ss)  ffmpeg %7.1f fps (%ss, cpu %ss)  ratio %s (cpu %s)\n' \
			"$i" "${fa[-1]}" "$ta" "$xa" "${fb[-1]}" "$tb" "$xb" "${r[-1]}" "${cr[-1]}"
	done
	ma=$(printf '%s\n' "${fa[@]}" | median)
	mb=$(printf '%s\n' "${fb[@]}" | median)
	mr=$(printf '%s\n' "${r[@]}" | median)
	mc=$(printf '%s\n' "${cr[@]}" | median)
	echo "median: framepred $ma fps, ffmpeg $mb fps; median ratio (framepred/ffmpeg) $mr wall, $mc cpu"
	summary+=("$(printf '%-10s framepred %8.1f fps  ffmpeg %8.1f fps  ratio %s (cpu %s)' "$size" "$ma" "$mb" "$mr" "$mc")")
done
echo
printf '%s\n' "${summary[@]}"
