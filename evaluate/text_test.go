package evaluate

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"framepred/model"
)

// TestText checks that the text names what the numbers depend on, holds
// the step 1 table, the notes and one aligned table per model.
func TestText(t *testing.T) {
	r := constructedReport(t)
	cfg := model.DefaultConfig()
	r.Models[0].Info.Config = &cfg
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{
		"64 clips, horizon 1, seed 5, batch 24, PSNR capped at 100 dB",
		"data: synth heldout split, seed 11: 32×32 gray, 4 context + 1 future frames, 2 branches",
		"model mean: loss mse; checkpoint runs/mean.ckpt (step 1000); config unet v1, 4 context × 1 channels, width 16, depth 2, direct; extractor -; seed 1",
		"model blur: loss mse+perc; checkpoint -; config -; extractor edges; seed 3",
		"- branch leads on mean per-sample PSNR",
		"- Step 1: branch does not beat mean on sharpness",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}

	// Every table is a header and rows of equal width, numbers right-aligned.
	tables := tablesIn(text)
	if len(tables) != 1+len(r.Models) {
		t.Fatalf("%d tables, want %d:\n%s", len(tables), 1+len(r.Models), text)
	}
	for _, tab := range tables {
		w := utf8.RuneCountInString(tab[0])
		for _, line := range tab[1:] {
			if utf8.RuneCountInString(line) != w {
				t.Errorf("ragged table:\n%s", strings.Join(tab, "\n"))
				break
			}
		}
	}
	if got, want := len(tables[0]), 1+len(r.Models); got != want {
		t.Errorf("step 1 table has %d lines, want %d", got, want)
	}
	row := strings.Fields(tables[0][1]) // mean: avg.index, committed, peak, ...
	if row[0] != "mean" || row[1] != "1.000" || row[2] != "0.0%" || row[3] != "0.500" {
		t.Errorf("mean's step 1 row %q", tables[0][1])
	}
	if row := strings.Fields(tables[0][2]); row[0] != "branch" || row[1] != "0.000" || row[2] != "100.0%" || row[3] != "1.000" {
		t.Errorf("branch's step 1 row %q", tables[0][2])
	}
}

// tablesIn returns the blocks of lines that start with a header holding
// "PSNR of mean MSE", each up to the next line that is blank or a note.
func tablesIn(text string) [][]string {
	var tables [][]string
	var cur []string
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.Contains(line, "PSNR of mean MSE"):
			cur = []string{line}
		case cur != nil && line != "" && !strings.HasPrefix(line, "- ") && !strings.HasPrefix(line, "("):
			cur = append(cur, line)
		case cur != nil:
			tables = append(tables, cur)
			cur = nil
		}
	}
	if cur != nil {
		tables = append(tables, cur)
	}
	return tables
}
