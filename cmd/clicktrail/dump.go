package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
	"github.com/spf13/pflag"
)

// dumpRecord is the JSON shape of one record in 'clicktrail dump'.
type dumpRecord struct {
	File        string            `json:"file"`
	Chunk       int               `json:"chunk"`
	Offset      int64             `json:"offset"`
	RecordID    uint64            `json:"record_id"`
	TimeCreated string            `json:"time_created"`
	Provider    string            `json:"provider"`
	EventID     uint16            `json:"event_id"`
	Version     uint8             `json:"version"`
	Level       uint8             `json:"level"`
	Task        uint16            `json:"task"`
	Opcode      uint8             `json:"opcode"`
	Keywords    string            `json:"keywords,omitempty"`
	Channel     string            `json:"channel"`
	Computer    string            `json:"computer"`
	UserID      string            `json:"user_id,omitempty"`
	ProcessID   uint32            `json:"process_id"`
	ThreadID    uint32            `json:"thread_id"`
	Data        []evtx.Field      `json:"-"`
	DataObj     map[string]string `json:"data"`
}

func runDump(ctx context.Context, e *env, args []string) error {
	fs := pflag.NewFlagSet("dump", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	parserName := fs.String("parser", "", "EVTX decoder: native (default) or golang-evtx")
	asXML := fs.Bool("xml", false, "print each record's XML as Windows renders it (native decoder), one per line")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() == 0 {
		return usageError("dump needs at least one .evtx file")
	}
	p, err := evtx.New(*parserName)
	if err != nil {
		return usageError("%v", err)
	}
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var failed int
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(e.stderr, "clicktrail:", err)
			failed++
			continue
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			fmt.Fprintln(e.stderr, "clicktrail:", err)
			failed++
			continue
		}
		src := evtx.Source{Name: path, R: f, Size: fi.Size()}
		var rep *evtx.FileReport
		if *asXML {
			nat, ok := p.(evtx.Native)
			if !ok {
				f.Close()
				return usageError("--xml needs the native decoder")
			}
			rep, err = nat.ParseXML(ctx, src, evtx.Options{}, func(_ *evtx.Record, xml []byte) error {
				w.Write(xml)
				return w.WriteByte('\n')
			})
		} else {
			rep, err = p.Parse(ctx, src, evtx.Options{}, func(r *evtx.Record) error {
				d := dumpRecord{File: r.File, Chunk: r.ChunkIndex, Offset: r.ChunkOffset + r.Offset, RecordID: r.RecordID,
					TimeCreated: r.TimeCreated.UTC().Format(time.RFC3339Nano), Provider: r.Provider, EventID: r.EventID,
					Version: r.Version, Level: r.Level, Task: r.Task, Opcode: r.Opcode, Keywords: r.Keywords,
					Channel: r.Channel, Computer: r.Computer, UserID: r.UserID, ProcessID: r.ProcessID, ThreadID: r.ThreadID,
					DataObj: make(map[string]string, len(r.Data))}
				for _, fl := range r.Data {
					d.DataObj[fl.Name] = fl.Value
				}
				return enc.Encode(d)
			})
		}
		f.Close()
		if err != nil {
			fmt.Fprintln(e.stderr, "clicktrail:", err)
			failed++
			continue
		}
		for _, pe := range rep.Errors {
			fmt.Fprintln(e.stderr, "clicktrail: warning:", pe)
		}
	}
	if failed == len(fs.Args()) {
		return errNoInput
	}
	if failed > 0 {
		return errPartial
	}
	return nil
}
