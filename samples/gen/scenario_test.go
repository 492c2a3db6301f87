package gen

import (
	"context"
	"strings"
	"testing"
)

const minimalScenario = `{"name":"t","host":"H","start":"2026-01-01T00:00:00Z","seed":1,
 "events":[{"id":"p","kind":"process","at":"1s","image":"C:\\Windows\\System32\\cmd.exe"},
           {"kind":"end","at":"2s","process":"p"}],
 "expect":[]}`

func TestParseScenarioErrors(t *testing.T) {
	tests := []struct {
		name, edit, want string
	}{
		{"ok", "", ""},
		{"unknown key", `"seed":1,`, "unknown field"},
		{"no host", `"host":"H",`, "host is required"},
		{"no start", `"start":"2026-01-01T00:00:00Z",`, "start is required"},
		{"bad kind", `"kind":"end"`, "unknown kind"},
		{"dangling ref", `"process":"p"`, "not an earlier process"},
		{"bad rule", `"expect":[]`, "not among the covered rules"},
		{"bad duration", `"at":"2s"`, "duration"},
		{"trailing data", "", "trailing data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := minimalScenario
			switch tc.name {
			case "unknown key":
				in = strings.Replace(in, tc.edit, `"seed":1,"colour":"red",`, 1)
			case "bad kind":
				in = strings.Replace(in, tc.edit, `"kind":"stop"`, 1)
			case "dangling ref":
				in = strings.Replace(in, tc.edit, `"process":"q"`, 1)
			case "bad rule":
				in = strings.Replace(in, tc.edit, `"expect":[{"rule":"r9","image":"x"}]`, 1)
			case "bad duration":
				in = strings.Replace(in, tc.edit, `"at":"soon"`, 1)
			case "trailing data":
				in += "{}"
			default:
				if tc.edit != "" {
					in = strings.Replace(in, tc.edit, "", 1)
				}
			}
			_, err := ParseScenario([]byte(in))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestEndedProcessCannotBeUsed(t *testing.T) {
	in := strings.Replace(minimalScenario, `{"kind":"end","at":"2s","process":"p"}`,
		`{"kind":"end","at":"2s","process":"p"},{"kind":"file","at":"3s","process":"p","target":"C:\\x"}`, 1)
	if _, err := ParseScenario([]byte(in)); err == nil || !strings.Contains(err.Error(), "already ended") {
		t.Fatalf("got %v", err)
	}
}

func TestExpandEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a{{U+202E}}b", "a\u202eb"},
		{"{{U+D800}}", LoneSurrogate(0xd800)},
		{"x{{U+0000}}y", "x\x00y"},
		{"{{REPEAT:3:Z}}", "ZZZ"},
		{"{{other}}", "{{other}}"},
		{"open {{ only", "open {{ only"},
	}
	for _, tc := range tests {
		got, err := expandEscapes(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("expandEscapes(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"{{U+XYZ}}", "{{U+123456}}", "{{REPEAT:x:A}}", "{{REPEAT:99999:A}}", "{{REPEAT:2:AB}}"} {
		if _, err := expandEscapes(bad); err == nil {
			t.Errorf("expandEscapes(%q) accepted", bad)
		}
	}
}

func TestBuiltinsParse(t *testing.T) {
	names := Builtins()
	want := []string{"atomic-t1204", "benign", "beyond-seed", "hostile", "rule-tests", "semantics-cases"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("built-ins %v, want %v", names, want)
	}
	if _, err := Builtin("nope"); err == nil {
		t.Error("Builtin(nope) found something")
	}
}

func TestWriteScenarioHonoursContext(t *testing.T) {
	sc, err := Builtin("benign")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := WriteScenario(ctx, &countFile{}, sc, ScenarioOptions{}); err == nil {
		t.Error("cancelled context did not stop the write")
	}
}

// FuzzParseScenario: any input either fails to parse or is written
// without panicking; errors are fine.
func FuzzParseScenario(f *testing.F) {
	f.Add([]byte(minimalScenario))
	for _, n := range []string{"rule-tests", "hostile"} {
		if data, err := builtinFS.ReadFile("scenarios/" + n + ".json"); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := ParseScenario(data)
		if err != nil {
			return
		}
		_, _ = WriteScenario(context.Background(), &countFile{}, sc, ScenarioOptions{})
	})
}
