package report

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"

	"github.com/clicktrail/clicktrail/triage"
)

// ecsFinding is one finding in Elastic Common Schema names, so the file
// loads into Elasticsearch as it is.
type ecsFinding struct {
	Timestamp string     `json:"@timestamp"`
	Event     ecsEvent   `json:"event"`
	Host      ecsHost    `json:"host"`
	Process   ecsProcess `json:"process"`
	User      *ecsUser   `json:"user,omitempty"`
	Rule      ecsRule    `json:"rule"`
	Threat    ecsThreat  `json:"threat"`
	Why       []ecsWhy   `json:"clicktrail.why"`
	Chain     string     `json:"clicktrail.chain"`
	Incident  string     `json:"clicktrail.incident_id"`
	Cause     *ecsCause  `json:"clicktrail.cause,omitempty"`
	Carved    bool       `json:"clicktrail.carved,omitempty"`
	Log       ecsLog     `json:"log"`
	Record    uint64     `json:"winlog.record_id"`
	Channel   string     `json:"winlog.channel"`
}

type ecsEvent struct {
	Code     uint16 `json:"code"`
	Kind     string `json:"kind"`
	Category string `json:"category"`
	Type     string `json:"type"`
	Severity string `json:"severity_name"`
}

type ecsHost struct {
	Name string `json:"name"`
}

type ecsParent struct {
	EntityID    string `json:"entity_id,omitempty"`
	PID         uint64 `json:"pid,omitempty"`
	Executable  string `json:"executable,omitempty"`
	Name        string `json:"name,omitempty"`
	CommandLine string `json:"command_line,omitempty"`
}

type ecsProcess struct {
	EntityID         string    `json:"entity_id,omitempty"`
	PID              uint64    `json:"pid"`
	Executable       string    `json:"executable,omitempty"`
	Name             string    `json:"name,omitempty"`
	CommandLine      string    `json:"command_line,omitempty"`
	WorkingDirectory string    `json:"working_directory,omitempty"`
	OriginalFileName string    `json:"pe.original_file_name,omitempty"`
	Hashes           string    `json:"hash.sysmon,omitempty"`
	Integrity        string    `json:"integrity_level,omitempty"`
	Parent           ecsParent `json:"parent"`
}

type ecsUser struct {
	Domain string `json:"domain,omitempty"`
	Name   string `json:"name"`
}

type ecsRule struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type ecsThreat struct {
	Framework string            `json:"framework"`
	Technique map[string]string `json:"technique"`
}

type ecsWhy struct {
	Field   string `json:"field"`
	Pattern string `json:"pattern"`
	Value   string `json:"value"`
	Negated bool   `json:"negated,omitempty"`
}

type ecsCause struct {
	Timestamp string `json:"@timestamp"`
	Code      uint16 `json:"event.code"`
	Process   string `json:"process.executable"`
	File      string `json:"file.path"`
	URL       string `json:"url.original,omitempty"`
	Record    uint64 `json:"winlog.record_id"`
}

type ecsLog struct {
	File   string `json:"file.path"`
	Chunk  int    `json:"chunk"`
	Offset int64  `json:"offset"`
}

// WriteFindingsJSONL writes one ECS object per finding per line.
func WriteFindingsJSONL(w io.Writer, in *Input) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(true) // the file may be opened by tools that render HTML
	for _, f := range in.Result.Findings {
		e := f.Event
		out := ecsFinding{
			Timestamp: fmtTime(e.Time),
			Event:     ecsEvent{Code: e.EventID, Kind: "alert", Category: "process", Type: "start", Severity: f.Severity},
			Host:      ecsHost{Name: e.Host},
			Process: ecsProcess{
				EntityID: guid(e.ProcessGUID), PID: e.ProcessID, Executable: e.Image, Name: f.Process.Name(),
				CommandLine: e.CommandLine, WorkingDirectory: e.CurrentDirectory, OriginalFileName: e.OriginalFileName,
				Hashes: e.Hashes, Integrity: e.IntegrityLevel,
				Parent: ecsParent{EntityID: guid(e.ParentProcessGUID), PID: e.ParentProcessID, Executable: e.ParentImage,
					Name: triage.Name(e.ParentImage), CommandLine: e.ParentCommandLine},
			},
			Rule:     ecsRule{ID: f.Rule.ID, Name: f.Rule.Title, Description: f.Rule.Description},
			Threat:   ecsThreat{Framework: "MITRE ATT&CK", Technique: map[string]string{"id": f.Rule.Technique}},
			Chain:    chain(f),
			Incident: incidentID(f),
			Carved:   e.Carved,
			Log:      ecsLog{File: e.File, Chunk: e.Chunk, Offset: e.Offset},
			Record:   e.RecordID,
			Channel:  e.Channel,
		}
		if e.User != "" {
			u := &ecsUser{Name: e.User}
			if i := strings.LastIndexByte(e.User, '\\'); i >= 0 {
				u.Domain, u.Name = e.User[:i], e.User[i+1:]
			}
			out.User = u
		}
		for _, m := range f.Why {
			out.Why = append(out.Why, ecsWhy{Field: m.Field, Pattern: m.Pattern, Value: m.Value, Negated: m.Negated})
		}
		if c := f.Cause; c != nil {
			out.Cause = &ecsCause{Timestamp: fmtTime(c.Time), Code: c.EventID, Process: c.Image, File: c.TargetFilename,
				URL: causeURL(f), Record: c.RecordID}
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// timesketchFinding is the shape Timesketch imports from JSON lines.
type timesketchFinding struct {
	Message       string `json:"message"`
	Datetime      string `json:"datetime"`
	TimestampDesc string `json:"timestamp_desc"`
	Rule          string `json:"rule"`
	Severity      string `json:"severity"`
	Technique     string `json:"technique"`
	Host          string `json:"host"`
	User          string `json:"user,omitempty"`
	Image         string `json:"image"`
	ParentImage   string `json:"parent_image,omitempty"`
	CommandLine   string `json:"command_line,omitempty"`
	ProcessGUID   string `json:"process_guid,omitempty"`
	Incident      string `json:"incident_id"`
	Why           string `json:"why"`
	Chain         string `json:"chain"`
	SourceFile    string `json:"source_file"`
	RecordID      uint64 `json:"record_id"`
	Carved        bool   `json:"carved,omitempty"`
}

// WriteTimesketchJSONL writes findings for Timesketch: message, datetime
// (ISO 8601 UTC) and timestamp_desc, plus flat fields.
func WriteTimesketchJSONL(w io.Writer, in *Input) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, f := range in.Result.Findings {
		e := f.Event
		out := timesketchFinding{
			Message: "[" + f.Rule.ID + "] " + sentence(f), Datetime: fmtTime(e.Time), TimestampDesc: "Process Start",
			Rule: f.Rule.ID, Severity: f.Severity, Technique: f.Rule.Technique, Host: e.Host, User: e.User,
			Image: e.Image, ParentImage: e.ParentImage, CommandLine: e.CommandLine, ProcessGUID: guid(e.ProcessGUID),
			Incident: incidentID(f), Why: why(f), Chain: chain(f), SourceFile: e.File, RecordID: e.RecordID, Carved: e.Carved,
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return bw.Flush()
}
