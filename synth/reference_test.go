package synth

import (
	"slices"
	"testing"
)

// refKicks is the reference experiment's velocity table and its sideways
// jumps, as twofutures.py computes them (VELS, KICKS): every integer
// velocity with 1 ≤ |v| ≤ 3 and round(5·(-vy, vx)/|v|).
var refKicks = map[Point]Point{
	{-3, 0}: {0, -5}, {-2, -2}: {4, -4}, {-2, -1}: {2, -4}, {-2, 0}: {0, -5},
	{-2, 1}: {-2, -4}, {-2, 2}: {-4, -4}, {-1, -2}: {4, -2}, {-1, -1}: {4, -4},
	{-1, 0}: {0, -5}, {-1, 1}: {-4, -4}, {-1, 2}: {-4, -2}, {0, -3}: {5, 0},
	{0, -2}: {5, 0}, {0, -1}: {5, 0}, {0, 1}: {-5, 0}, {0, 2}: {-5, 0},
	{0, 3}: {-5, 0}, {1, -2}: {4, 2}, {1, -1}: {4, 4}, {1, 0}: {0, 5},
	{1, 1}: {-4, 4}, {1, 2}: {-4, 2}, {2, -2}: {4, 4}, {2, -1}: {2, 4},
	{2, 0}: {0, 5}, {2, 1}: {-2, 4}, {2, 2}: {-4, 4}, {3, 0}: {0, 5},
}

func TestDefaultVelocitiesAndKicksMatchReference(t *testing.T) {
	c := DefaultConfig()
	vs := velocities(c)
	if len(vs) != len(refKicks) {
		t.Fatalf("%d velocities, reference has %d", len(vs), len(refKicks))
	}
	for _, v := range vs {
		want, ok := refKicks[v]
		if !ok {
			t.Errorf("velocity %v is not in the reference table", v)
			continue
		}
		ks := kicks(v, c.Kick, c.Branches)
		if !slices.Equal(ks, []Point{want, want.Scale(-1)}) {
			t.Errorf("kicks(%v) = %v, reference %v and its opposite", v, ks, want)
		}
	}
}

func TestKicksEvenlySpread(t *testing.T) {
	// For n jumps of length 10 the rounded vectors sum to about zero and
	// each is within rounding of length 10.
	for _, n := range []int{3, 4, 5, 6} {
		for _, v := range []Point{{1, 0}, {2, 1}, {-1, 3}, {0, -2}} {
			ks := kicks(v, 10, n)
			var sum Point
			for _, k := range ks {
				sum = sum.Add(k)
				if l2 := k.X*k.X + k.Y*k.Y; l2 < 9*9 || l2 > 11*11 {
					t.Errorf("n=%d v=%v: kick %v has length² %d, want about 100", n, v, k, l2)
				}
			}
			if abs(sum.X) > n/2+1 || abs(sum.Y) > n/2+1 {
				t.Errorf("n=%d v=%v: kicks %v sum to %v, want about 0", n, v, ks, sum)
			}
			if minSeparation(ks) == 0 {
				t.Errorf("n=%d v=%v: two kicks coincide: %v", n, v, ks)
			}
		}
	}
}
