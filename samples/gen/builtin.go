package gen

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed scenarios/*.json
var builtinFS embed.FS

// Builtins lists the built-in scenario names, sorted.
func Builtins() []string {
	ents, err := fs.ReadDir(builtinFS, "scenarios")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Builtin returns the built-in scenario called name.
func Builtin(name string) (*Scenario, error) {
	data, err := builtinFS.ReadFile("scenarios/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("no built-in scenario %q (have: %s)", name, strings.Join(Builtins(), ", "))
	}
	return ParseScenario(data)
}
