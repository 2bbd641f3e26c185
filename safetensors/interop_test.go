package safetensors_test

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"framepred/internal/torchref"
	"framepred/safetensors"
)

// peerScript is an independent safetensors reader and writer in Python,
// written from the format's specification with json, struct and
// torch.frombuffer (Debian's python3-torch has no safetensors module).
// Usage: peer.py GO_FILE PY_FILE. It reads GO_FILE, checking the layout
// rules, writes PY_FILE, and prints both files' contents as JSON.
const peerScript = `
import json, struct, sys
import torch
assert sys.byteorder == "little"

DT = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
      "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
      "U8": torch.uint8, "BOOL": torch.bool}
NAME = {v: k for k, v in DT.items()}

def dump(ts, meta):
    return {"metadata": meta, "tensors": {k: {"dtype": NAME[t.dtype], "shape": list(t.shape),
            "values": t.double().flatten().tolist()} for k, t in ts.items()}}

def read(path):
    b = open(path, "rb").read()
    (n,) = struct.unpack("<Q", b[:8])
    hdr = b[8:8 + n].decode("utf-8")
    assert hdr[0] == "{", "header must start with {"
    assert n % 8 == 0, "framepred pads the header to 8 bytes"
    h = json.loads(hdr)
    meta = h.pop("__metadata__", None)
    buf = bytearray(b[8 + n:])
    pos = 0
    for s, e, k in sorted((v["data_offsets"][0], v["data_offsets"][1], k) for k, v in h.items()):
        assert s == pos, "gap or overlap at " + k
        pos = e
    assert pos == len(buf), "buffer not covered"
    ts = {}
    for k, v in h.items():
        s, e = v["data_offsets"]
        dt = DT[v["dtype"]]
        t = torch.frombuffer(buf[s:e], dtype=dt) if e > s else torch.empty(0, dtype=dt)
        t = t.reshape(v["shape"])
        assert t.numel() * t.element_size() == e - s, k
        assert s % t.element_size() == 0, "misaligned " + k
        ts[k] = t
    return dump(ts, meta)

def write(path):
    g = torch.Generator().manual_seed(5)
    ts = {"conv.weight": torch.randn(4, 3, 3, 3, generator=g),
          "conv.bias": torch.randn(4, generator=g).double(),
          "half": torch.randn(5, generator=g).half(),
          "bf": torch.randn(6, generator=g).bfloat16(),
          "step": torch.tensor(1234, dtype=torch.int64),
          "none": torch.zeros(0, 3)}
    meta = {"format": "pt", "note": "peer writer"}
    hdr, buf = {"__metadata__": meta}, bytearray()
    for k in sorted(ts):  # name order, not by alignment: a reader must not care
        raw = ts[k].contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        hdr[k] = {"dtype": NAME[ts[k].dtype], "shape": list(ts[k].shape),
                  "data_offsets": [len(buf), len(buf) + len(raw)]}
        buf += raw
    j = json.dumps(hdr).encode()  # ", " and ": " separators: whitespace inside the JSON
    j += b" " * 5                 # and trailing padding
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(j)) + j + bytes(buf))
    return dump(ts, meta)

print(json.dumps({"read": read(sys.argv[1]), "written": write(sys.argv[2])}))
`

type peerFile struct {
	Metadata map[string]string `json:"metadata"`
	Tensors  map[string]struct {
		DType  string    `json:"dtype"`
		Shape  []int     `json:"shape"`
		Values []float64 `json:"values"`
	} `json:"tensors"`
}

// TestPeerInterop exchanges files with the Python peer above. It needs
// /usr/bin/python3 with torch (Debian's python3-torch); CI installs no
// PyTorch, so there it skips and says why.
func TestPeerInterop(t *testing.T) {
	dir := t.TempDir()
	goFile, pyFile := filepath.Join(dir, "go.safetensors"), filepath.Join(dir, "py.safetensors")

	// What framepred writes, with the values each element means.
	ts := map[string]safetensors.Tensor{
		"features.0.weight": safetensors.FromFloat32([]int{2, 3}, []float32{0.5, -1.25, 3, 1e-7, -0, 65504}),
		"scalar":            safetensors.FromFloat32(nil, []float32{42}),
		"empty":             safetensors.FromFloat32([]int{0, 4}, nil),
		"f64":               {DType: "F64", Shape: []int{2}, Data: binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, math.Float64bits(0.1)), math.Float64bits(-3e200))},
		"f16":               {DType: "F16", Shape: []int{3}, Data: u16le(0x3c00, 0xc000, 0x3555)},
		"bf16":              {DType: "BF16", Shape: []int{1, 2}, Data: u16le(0x4049, 0xc2f7)},
		"i64":               {DType: "I64", Shape: []int{2}, Data: binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, uint64(1<<40)), uint64(math.MaxUint64))},
		"u8":                {DType: "U8", Shape: []int{3}, Data: []byte{0, 7, 255}},
		"mask":              {DType: "BOOL", Shape: []int{2}, Data: []byte{1, 0}},
	}
	want := map[string][]float64{
		"features.0.weight": {0.5, -1.25, 3, float64(float32(1e-7)), 0, 65504},
		"scalar":            {42},
		"empty":             {},
		"f64":               {0.1, -3e200},
		"f16":               {1, -2, 0.333251953125},
		"bf16":              {3.140625, -123.5},
		"i64":               {1 << 40, -1},
		"u8":                {0, 7, 255},
		"mask":              {1, 0},
	}
	meta := map[string]string{"format": "pt", "framepred": "checkpoint <step 3>"}
	if err := safetensors.WriteFile(goFile, ts, meta); err != nil {
		t.Fatal(err)
	}

	out := torchref.Run(t, "interop with PyTorch", "peer.py", peerScript, goFile, pyFile)
	var res struct{ Read, Written peerFile }
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("python peer output: %v\n%s", err, out)
	}

	// The peer reads framepred's file.
	if !maps(res.Read.Metadata, meta) {
		t.Errorf("peer read metadata %v, want %v", res.Read.Metadata, meta)
	}
	if len(res.Read.Tensors) != len(ts) {
		t.Errorf("peer read %d tensors, want %d", len(res.Read.Tensors), len(ts))
	}
	for name, w := range want {
		got, ok := res.Read.Tensors[name]
		if !ok {
			t.Errorf("peer did not find %q", name)
			continue
		}
		if got.DType != string(ts[name].DType) || !slices.Equal(got.Shape, ts[name].Shape) || !slices.Equal(got.Values, w) {
			t.Errorf("peer read %q as %s %v %v, want %s %v %v", name, got.DType, got.Shape, got.Values, ts[name].DType, ts[name].Shape, w)
		}
	}

	// framepred reads the peer's file.
	f, err := safetensors.ReadFile(pyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !maps(f.Metadata, res.Written.Metadata) {
		t.Errorf("metadata %v, peer wrote %v", f.Metadata, res.Written.Metadata)
	}
	if len(f.Names()) != len(res.Written.Tensors) {
		t.Errorf("read %v, peer wrote %d tensors", f.Names(), len(res.Written.Tensors))
	}
	for name, pw := range res.Written.Tensors {
		tn, err := f.Tensor(name)
		if err != nil {
			t.Error(err)
			continue
		}
		if string(tn.DType) != pw.DType || !slices.Equal(tn.Shape, pw.Shape) {
			t.Errorf("%q: %s %v, peer wrote %s %v", name, tn.DType, tn.Shape, pw.DType, pw.Shape)
			continue
		}
		if tn.DType == safetensors.I64 {
			if got := int64(binary.LittleEndian.Uint64(tn.Data)); float64(got) != pw.Values[0] {
				t.Errorf("%q = %d, peer wrote %v", name, got, pw.Values[0])
			}
			continue
		}
		vals, err := tn.Float32s()
		if err != nil {
			t.Error(err)
			continue
		}
		for i, v := range vals {
			// F32, F16 and BF16 convert exactly; F64 rounds to nearest.
			if v != float32(pw.Values[i]) {
				t.Errorf("%q[%d] = %v, peer wrote %v", name, i, v, pw.Values[i])
				break
			}
		}
	}
}
