package triage

import (
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
)

func TestCollectorKeepsOneCopyWhateverTheOrder(t *testing.T) {
	mk := func(file string) []Event {
		r := start("WS1", 10, t0, "{365ABB72-0000-0000-0000-000000000001}", "{365ABB72-0000-0000-0000-0000000000AA}",
			`C:\Windows\explorer.exe`, `C:\Users\bob\Downloads\x.exe`)
		r.File = file
		other := start("WS1", 10, t0.Add(time.Hour), "{365ABB72-0000-0000-0000-000000000002}", "{365ABB72-0000-0000-0000-0000000000AA}",
			`C:\Windows\explorer.exe`, `C:\Users\bob\Downloads\y.exe`) // same id, log cleared since
		other.File = file
		var out []Event
		for _, rec := range []evtx.Record{r, other} {
			e, _ := Normalize(&rec, 0)
			out = append(out, e)
		}
		return out
	}
	// A carved copy loses even to a later path.
	c := NewCollector()
	carved := mk("a.img#carved@0x000000001000")
	for i := range carved {
		carved[i].Carved = true
	}
	c.Add(carved)
	c.Add(mk("z.evtx"))
	if evs, _ := c.Take(); evs[0].Carved || evs[0].File != "z.evtx" {
		t.Fatalf("kept %s (carved %v)", evs[0].File, evs[0].Carved)
	}
	for _, order := range [][]string{{"a.evtx", "b.evtx", "c.evtx"}, {"c.evtx", "b.evtx", "a.evtx"}} {
		c := NewCollector()
		for _, f := range order {
			c.Add(mk(f))
		}
		evs, dups := c.Take()
		if len(evs) != 2 || dups != 4 {
			t.Fatalf("order %v: %d events, %d dups", order, len(evs), dups)
		}
		for _, e := range evs {
			if e.File != "a.evtx" {
				t.Fatalf("order %v kept the copy from %s", order, e.File)
			}
		}
	}
}
