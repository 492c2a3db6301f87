package gen

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func testEvent(sc *Schemas, cmd string) *Event {
	vals := make([]Value, len(sc.ProcessCreate.Fields))
	for i, f := range sc.ProcessCreate.Fields {
		switch f.Type {
		case TypeString:
			vals[i] = Str("-")
		case TypeUInt32:
			vals[i] = U32(4)
		case TypeGUID:
			vals[i] = GUIDValue(GUID{1})
		case TypeHexInt64:
			vals[i] = Hex64(0x3e7)
		}
	}
	vals[sc.ProcessCreate.Index("CommandLine")] = Str(cmd)
	return &Event{Schema: sc.ProcessCreate, Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Computer: "H", Values: vals}
}

func TestWriterLimits(t *testing.T) {
	sc := NewSchemas()
	t.Run("value too large", func(t *testing.T) {
		w, _ := NewWriter(&countFile{}, 1)
		_, err := w.Write(testEvent(sc, strings.Repeat("A", 40000)))
		if !errors.Is(err, ErrRecordTooLarge) {
			t.Fatalf("got %v", err)
		}
		if _, err := w.Write(testEvent(sc, "ok")); err != nil {
			t.Fatalf("writer unusable after a refused record: %v", err)
		}
	})
	t.Run("record larger than a chunk", func(t *testing.T) {
		w, _ := NewWriter(&countFile{}, 1)
		ev := testEvent(sc, strings.Repeat("A", 30000))
		ev.Values[sc.ProcessCreate.Index("ParentCommandLine")] = Str(strings.Repeat("B", 30000))
		if _, err := w.Write(ev); !errors.Is(err, ErrRecordTooLarge) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("max chunks", func(t *testing.T) {
		w, _ := NewWriter(&countFile{}, 1)
		w.MaxChunks = 2
		var err error
		n := 0
		for ; n < 10000 && err == nil; n++ {
			_, err = w.Write(testEvent(sc, strings.Repeat("c", 2000)))
		}
		if !errors.Is(err, ErrFileFull) || w.Chunks() != 2 {
			t.Fatalf("after %d records: %v, %d chunks", n, err, w.Chunks())
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("wrong value count and type", func(t *testing.T) {
		w, _ := NewWriter(&countFile{}, 1)
		ev := testEvent(sc, "x")
		ev.Values = ev.Values[:3]
		if _, err := w.Write(ev); err == nil {
			t.Error("short value list accepted")
		}
		ev = testEvent(sc, "x")
		ev.Values[sc.ProcessCreate.Index("ProcessId")] = Str("4")
		if _, err := w.Write(ev); err == nil {
			t.Error("string for a UInt32 field accepted")
		}
	})
	t.Run("write after close", func(t *testing.T) {
		w, _ := NewWriter(&countFile{}, 1)
		w.Close()
		if _, err := w.Write(testEvent(sc, "x")); err == nil {
			t.Error("write after close accepted")
		}
	})
}

func TestChunkRollover(t *testing.T) {
	sc := NewSchemas()
	w, _ := NewWriter(&countFile{}, 100)
	var last Placed
	for i := 0; i < 500; i++ {
		p, err := w.Write(testEvent(sc, strings.Repeat("x", 300)))
		if err != nil {
			t.Fatal(err)
		}
		if p.RecordID != uint64(100+i) {
			t.Fatalf("record %d got id %d", i, p.RecordID)
		}
		if p.Chunk < last.Chunk {
			t.Fatalf("chunk index went back")
		}
		last = p
	}
	if last.Chunk < 3 {
		t.Errorf("500 records of ~1 KiB filled only %d chunks", last.Chunk+1)
	}
	if w.NextRecordID() != 600 {
		t.Errorf("next id %d", w.NextRecordID())
	}
}
