package gen

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// written is what the writer was asked to put in one record: the truth
// every reader is compared against.
type written struct {
	file     string
	id       uint64
	time     time.Time
	schema   *Schema
	computer string
	values   []Value
}

func collect(into *[]written, file string) func(Placed, *Event) {
	return func(p Placed, ev *Event) {
		comp := ev.Computer
		if ev.NoComputer {
			comp = ""
		}
		*into = append(*into, written{file: file, id: p.RecordID, time: ev.Time, schema: ev.Schema, computer: comp,
			values: append([]Value(nil), ev.Values...)})
	}
}

// writeBuiltin writes a built-in scenario into dir and returns the path
// and the records written.
func writeBuiltin(t testing.TB, dir, name string, hostile bool) (string, []written, *Scenario) {
	t.Helper()
	sc, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	suffix := ""
	if hostile {
		suffix = "-hostile"
	}
	path := filepath.Join(dir, name+suffix+".evtx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []written
	if _, err := WriteScenario(context.Background(), f, sc, ScenarioOptions{Hostile: hostile, OnRecord: collect(&recs, path)}); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return path, recs, sc
}

// writeScale writes a small --records sample (two rotated files) into dir.
func writeScale(t testing.TB, dir string, records int64, hostile bool) (map[string][]written, *Manifest) {
	t.Helper()
	out := map[string][]written{}
	man, err := Generate(context.Background(), func(name string) (File, error) {
		return os.Create(filepath.Join(dir, name))
	}, Options{Records: records, Rotate: 2, FindingEvery: 97, Seed: 42, Hostile: hostile,
		OnRecord: func(file string, p Placed, ev *Event) {
			path := filepath.Join(dir, file)
			var recs []written
			collect(&recs, path)(p, ev)
			out[path] = append(out[path], recs...)
		}})
	if err != nil {
		t.Fatal(err)
	}
	return out, man
}

// needTool skips (locally) or fails (CI=true) when an external reader is
// missing.
func needTool(t *testing.T, name string, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI (looked in %v)", name, paths)
	}
	t.Skipf("%s not installed", name)
	return ""
}
