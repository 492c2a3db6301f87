package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"256MB", 256 << 20, false},
		{"1GB", 1 << 30, false},
		{"1.5g", 3 << 29, false},
		{"512KiB", 512 << 10, false},
		{"1000000", 1000000, false},
		{"10B", 10, false},
		{"", 0, true},
		{"-1MB", 0, true},
		{"lots", 0, true},
	}
	for _, tc := range tests {
		got, err := parseSize(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d (error %v)", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestGenerateUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"list", []string{"generate", "--list"}, exitOK},
		{"no mode", []string{"generate", "-o", filepath.Join(dir, "x.evtx")}, exitUsage},
		{"two modes", []string{"generate", "--scenario", "benign", "--records", "5", "-o", dir}, exitUsage},
		{"no output", []string{"generate", "--scenario", "benign"}, exitUsage},
		{"unknown scenario", []string{"generate", "--scenario", "nope", "-o", filepath.Join(dir, "x.evtx")}, exitUsage},
		{"bad size", []string{"generate", "--size", "huge", "-o", dir}, exitUsage},
		{"stray argument", []string{"generate", "--list", "extra"}, exitUsage},
		{"scenario file", []string{"generate", "--scenario", filepath.Join("..", "..", "samples", "gen", "scenarios", "rule-tests.json"), "-o", filepath.Join(dir, "f.evtx")}, exitOK},
	}
	for _, tc := range tests {
		var out, errb bytes.Buffer
		if code := run(context.Background(), tc.args, &out, &errb); code != tc.code {
			t.Errorf("%s: exit %d, want %d (%s)", tc.name, code, tc.code, errb.String())
		}
	}
}
