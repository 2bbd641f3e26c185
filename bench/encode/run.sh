#!/usr/bin/env bash
# Times framepred's encode.Writer against the ffmpeg CLI encoding the same
# raw rgb24 frames with libx264 at the same preset and CRF (both with
# libx264's automatic threads), in interleaved runs (A B A B ...), and prints
# each side's median wall time and the median of the per-pair ratios
# (ffmpeg time / framepred time: above 1 means framepred is faster), for
# wall-clock and for CPU time (user+system; steadier on a busy machine).
# Both sides include reading the raw file and converting it to yuv420p;
# framepred also turns every frame into float32 first.
#
#   bench/encode/run.sh                      # 640x360, 250 frames, medium, CRF 18, 5 pairs
#   SIZE=1280x720 FRAMES=100 PRESET=veryfast RUNS=7 bench/encode/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZE=${SIZE:-640x360}
FRAMES=${FRAMES:-250}
PRESET=${PRESET:-medium}
CRF=${CRF:-18}
RUNS=${RUNS:-5}
W=${SIZE%x*} H=${SIZE#*x}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/framepred-encode" ./bench/encode
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=$SIZE:rate=25" -frames:v "$FRAMES" \
	-f rawvideo -pix_fmt rgb24 "$work/in.rgb"
cat "$work/in.rgb" >/dev/null # into the page cache before the first timed run

ours=("$work/framepred-encode" -in "$work/in.rgb" -w "$W" -h "$H" -fps 25
	-preset "$PRESET" -crf "$CRF" -out "$work/ours.mp4")
theirs=(ffmpeg -nostdin -v error -y -f rawvideo -pix_fmt rgb24 -s "$SIZE" -r 25 -i "$work/in.rgb"
	-c:v libx264 -preset "$PRESET" -crf "$CRF" -pix_fmt yuv420p "$work/ffmpeg.mp4")
# secs CMD: "WALL CPU", the wall-clock and CPU (user+system) seconds CMD takes.
secs() {
	/usr/bin/time -f '%e %U %S' -o "$work/time" "$@"
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$work/time"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "encode bench: $FRAMES frames of testsrc2 $SIZE, libx264 preset $PRESET CRF $CRF, $RUNS interleaved pairs"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
a=() b=() r=() ca=() cb=() cr=()
for i in $(seq "$RUNS"); do
	read -r ta xa < <(secs "${ours[@]}")
	read -r tb xb < <(secs "${theirs[@]}")
	a+=("$ta") b+=("$tb") ca+=("$xa") cb+=("$xb")
	r+=("$(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.3f", b / a }')")
	cr+=("$(awk -v a="$xa" -v b="$xb" 'BEGIN { printf "%.3f", b / a }')")
	printf 'pair %d: framepred %ss (cpu %ss)  ffmpeg %ss (cpu %ss)  ratio %s (cpu %s)\n' \
		"$i" "$ta" "$xa" "$tb" "$xb" "${r[-1]}" "${cr[-1]}"
done
for f in ours ffmpeg; do
	n=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$work/$f.mp4")
	printf '%-8s %s frames, %s bytes\n' "$f" "$n" "$(stat -c %s "$work/$f.mp4")"
done
ma=$(printf '%s\n' "${a[@]}" | median)
mb=$(printf '%s\n' "${b[@]}" | median)
mr=$(printf '%s\n' "${r[@]}" | median)
awk -v a="$ma" -v b="$mb" -v n="$FRAMES" 'BEGIN { printf "median: framepred %.3fs (%.1f frames/s), ffmpeg %.3fs (%.1f frames/s)\n", a, n / a, b, n / b }'
echo "median ratio (ffmpeg/framepred): $mr wall, $(printf '%s\n' "${cr[@]}" | median) cpu"
