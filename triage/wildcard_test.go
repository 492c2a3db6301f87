package triage

import (
	"strings"
	"testing"
)

func TestPatternMatch(t *testing.T) {
	cases := []struct {
		pat, s string
		want   bool
	}{
		{"cmd.exe", "CMD.EXE", true},
		{"cmd.exe", "cmd.exe ", false},
		{"cmd.exe", "xcmd.exe", false},
		{`*\Downloads\*`, `C:\Users\bob\Downloads\x.exe`, true},
		{`*\Downloads\*`, `C:\Users\bob\DOWNLO~1\x.exe`, false},
		{`*\Downloads\*`, `C:/Users/bob/Downloads/x.exe`, false},
		{`*\Downloads\*`, `\Downloads\`, true},
		{"*.exe", "inv.pdf.scr", false},
		{"*.exe", ".exe", true},
		{"*.exe", "a.exe.exe", true},
		{"setup.exe", "setup (1).exe", false},
		{"?.exe", "ü.exe", true}, // '?' is one rune, not one byte
		{"??.exe", "ü.exe", false},
		{`*\Jürgen\*`, `C:\USERS\JÜRGEN\X`, true},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"*a*a*a*a*a*a*b", strings.Repeat("a", 5000), false},
	}
	for _, c := range cases {
		if got := Compile(c.pat).Match(c.s); got != c.want {
			t.Errorf("%q : %q = %v, want %v", c.s, c.pat, got, c.want)
		}
	}
}

func FuzzPattern(f *testing.F) {
	for _, s := range [][2]string{{`*\Downloads\*`, `C:\Users\b\Downloads\x.exe`}, {"?.exe", "ü.exe"}, {"a*b?c", "aXXbYc"}, {"*", "\xff\xfe"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, s string) {
		got := Compile(pat).Match(s)
		// A pattern without wildcards is case-insensitive equality.
		if !strings.ContainsAny(pat, "*?") && got != (fold(pat) == fold(s)) {
			t.Fatalf("exact %q vs %q: %v", pat, s, got)
		}
		// '*' alone matches everything; prefix* matches its prefix.
		if !Compile("*").Match(s) {
			t.Fatalf("* did not match %q", s)
		}
		if !strings.ContainsAny(s, "*?") && !Compile(s+"*").Match(s) {
			t.Fatalf("%q* did not match itself", s)
		}
	})
}
