package gen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.sha256")

const goldenFile = "testdata/golden.sha256"

// TestGolden pins the exact bytes of every built-in scenario (plain and
// --hostile) and of a rotated --records sample: same scenario and seed,
// same file. Regenerate with: go test ./samples/gen -run TestGolden -update
func TestGolden(t *testing.T) {
	got := map[string]string{}
	dir := t.TempDir()
	for _, name := range Builtins() {
		for _, hostile := range []bool{false, true} {
			path, _, _ := writeBuiltin(t, dir, name, hostile)
			got[filepath.Base(path)] = fileSHA(t, path)
		}
	}
	scale, _ := writeScale(t, dir, 5000, false)
	for path := range scale {
		got["records-5000/"+filepath.Base(path)] = fileSHA(t, path)
	}
	got["records-5000/"+ManifestName] = fileSHA(t, filepath.Join(dir, ManifestName))

	names := make([]string, 0, len(got))
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", got[n], n)
	}
	if *update {
		if err := os.WriteFile(goldenFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != b.String() {
		t.Errorf("output differs from %s (run with -update if the change is intended):\n--- want\n%s--- got\n%s", goldenFile, want, b.String())
	}
}

// TestDeterministic writes the same scenario twice in one process and
// with another seed: equal bytes, then different bytes.
func TestDeterministic(t *testing.T) {
	sc, err := Builtin("benign")
	if err != nil {
		t.Fatal(err)
	}
	write := func(seed uint64) []byte {
		path := filepath.Join(t.TempDir(), "x.evtx")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := WriteScenario(context.Background(), f, sc, ScenarioOptions{Seed: seed}); err != nil {
			t.Fatal(err)
		}
		f.Close()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a, b, c := write(0), write(0), write(99)
	if sha256.Sum256(a) != sha256.Sum256(b) {
		t.Error("two runs with the same seed differ")
	}
	if sha256.Sum256(a) == sha256.Sum256(c) {
		t.Error("a different seed gave the same file")
	}
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
