package triage

import (
	"strconv"
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
)

// Kind is what an event tells about a process or file.
type Kind uint8

// Event kinds. Only process starts can fire the seed rules.
const (
	KindOther Kind = iota
	KindProcessStart
	KindProcessEnd
	KindFileCreate
	KindFileStream
)

func (k Kind) String() string {
	switch k {
	case KindProcessStart:
		return "process_start"
	case KindProcessEnd:
		return "process_end"
	case KindFileCreate:
		return "file_create"
	case KindFileStream:
		return "file_stream"
	}
	return "other"
}

// Origin is the log an event came from.
type Origin uint8

// Origins.
const (
	OriginSysmon Origin = iota + 1
	OriginSecurity
)

// Provider names and channels this package reads.
const (
	ProviderSysmon   = "Microsoft-Windows-Sysmon"
	ProviderSecurity = "Microsoft-Windows-Security-Auditing"
	UnknownHost      = "unknown"
)

// Event is one normalised Sysmon 1/5/11/15 or Security 4688 record.
// Placeholders ("", "-", the all-zero GUID) are stored as "" meaning null.
type Event struct {
	Kind    Kind
	Origin  Origin
	EventID uint16

	Host     string // Computer as written
	HostKey  string // lower-cased Computer; UnknownHost when missing
	Channel  string
	RecordID uint64
	// Created is System/TimeCreated; Time is Sysmon's UtcTime when present
	// (the moment of the process start or file write), else Created.
	Created time.Time
	Time    time.Time

	ProcessGUID       string // canonical: lower case, no braces
	ParentProcessGUID string
	ProcessID         uint64
	ParentProcessID   uint64
	HasParentPID      bool

	Image             string
	ParentImage       string
	CommandLine       string
	ParentCommandLine string
	// GrandparentImage comes from the process tree, not the event: it is
	// filled in by Analyze when the parent's own start is known.
	GrandparentImage string
	OriginalFileName string
	CurrentDirectory string
	User             string
	ParentUser       string
	IntegrityLevel   string
	Hashes           string
	Company          string
	Product          string
	Description      string
	FileVersion      string
	LogonID          string
	RuleName         string

	TargetFilename  string
	CreationUtcTime string
	Contents        string // EID 15 stream contents (Zone.Identifier)
	Hash            string // EID 15 hash

	// Where the record was read. Carved records were recovered from raw
	// bytes (deleted logs, unallocated space); Offset is then their offset
	// in the image or dump they came from.
	Carved      bool
	File        string
	FileIndex   int
	Chunk       int
	Offset      int64 // absolute file offset of the record
	contentHash uint64
}

// Name returns the file name of a Windows path: the text after the last
// backslash, or "" when there is none (ECS derives no name then).
func Name(path string) string {
	i := strings.LastIndexByte(path, '\\')
	if i < 0 {
		return ""
	}
	return path[i+1:]
}

// Wanted says whether a record can matter to triage; parsers use it to skip
// the rest before decoding their data.
func Wanted(provider string, eventID uint16) bool {
	switch provider {
	case ProviderSysmon:
		return eventID == 1 || eventID == 5 || eventID == 11 || eventID == 15
	case ProviderSecurity:
		return eventID == 4688
	}
	return false
}

// Normalize maps a record to an Event. ok is false for records triage does
// not use.
func Normalize(r *evtx.Record, fileIndex int) (ev Event, ok bool) {
	ev = Event{
		EventID:   r.EventID,
		Host:      r.Computer,
		HostKey:   hostKey(r.Computer),
		Channel:   r.Channel,
		RecordID:  r.RecordID,
		Created:   r.TimeCreated.UTC(),
		File:      r.File,
		FileIndex: fileIndex,
		Chunk:     r.ChunkIndex,
		Offset:    r.ChunkOffset + r.Offset,
	}
	switch {
	case r.Provider == ProviderSysmon:
		ev.Origin = OriginSysmon
		switch r.EventID {
		case 1:
			ev.Kind = KindProcessStart
		case 5:
			ev.Kind = KindProcessEnd
		case 11:
			ev.Kind = KindFileCreate
		case 15:
			ev.Kind = KindFileStream
		default:
			return ev, false
		}
		fillSysmon(&ev, r)
	case r.Provider == ProviderSecurity && r.EventID == 4688:
		ev.Origin = OriginSecurity
		ev.Kind = KindProcessStart
		fill4688(&ev, r)
	default:
		return ev, false
	}
	ev.contentHash = hashFields(r)
	return ev, true
}

func fillSysmon(ev *Event, r *evtx.Record) {
	v := func(name string) string { return null(r.Value(name)) }
	ev.RuleName = v("RuleName")
	ev.ProcessGUID = canonicalGUID(r.Value("ProcessGuid"))
	ev.ProcessID, _ = parseUint(r.Value("ProcessId"))
	ev.Image = v("Image")
	ev.User = v("User")
	ev.Time = ev.Created
	if t, ok := parseUtcTime(r.Value("UtcTime")); ok {
		ev.Time = t
	}
	switch ev.Kind {
	case KindProcessStart:
		ev.FileVersion = v("FileVersion")
		ev.Description = v("Description")
		ev.Product = v("Product")
		ev.Company = v("Company")
		ev.OriginalFileName = v("OriginalFileName")
		ev.CommandLine = v("CommandLine")
		ev.CurrentDirectory = v("CurrentDirectory")
		ev.LogonID = v("LogonId")
		ev.IntegrityLevel = v("IntegrityLevel")
		ev.Hashes = v("Hashes")
		ev.ParentProcessGUID = canonicalGUID(r.Value("ParentProcessGuid"))
		ev.ParentProcessID, ev.HasParentPID = parseUint(r.Value("ParentProcessId"))
		ev.ParentImage = v("ParentImage")
		ev.ParentCommandLine = v("ParentCommandLine")
		ev.ParentUser = v("ParentUser")
	case KindFileCreate, KindFileStream:
		ev.TargetFilename = v("TargetFilename")
		ev.CreationUtcTime = v("CreationUtcTime")
		ev.Contents = v("Contents")
		ev.Hash = v("Hash")
	}
}

// fill4688 maps Security 4688 the way Winlogbeat does. It has no GUIDs;
// process ids are hex.
func fill4688(ev *Event, r *evtx.Record) {
	v := func(name string) string { return null(r.Value(name)) }
	ev.Time = ev.Created
	ev.Image = v("NewProcessName")
	ev.ParentImage = v("ParentProcessName")
	ev.CommandLine = v("CommandLine")
	ev.ProcessID, _ = parseUint(r.Value("NewProcessId"))
	ev.ParentProcessID, ev.HasParentPID = parseUint(r.Value("ProcessId"))
	if user := v("SubjectUserName"); user != "" {
		if dom := v("SubjectDomainName"); dom != "" {
			user = dom + `\` + user
		}
		ev.User = user
	}
	ev.LogonID = v("SubjectLogonId")
	ev.IntegrityLevel = mandatoryLabel(v("MandatoryLabel"))
}

func hostKey(computer string) string {
	if computer == "" || computer == "-" {
		return UnknownHost
	}
	return strings.ToLower(computer)
}

// null turns Winlogbeat's placeholders into null, as its first ingest
// processor does.
func null(s string) string {
	switch s {
	case "", "-", "{00000000-0000-0000-0000-000000000000}", "00000000-0000-0000-0000-000000000000":
		return ""
	}
	return s
}

// canonicalGUID strips braces and lower-cases, so "{AB..}" and "ab.." are
// one key. The all-zero GUID is null.
func canonicalGUID(s string) string {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "{}"))
	if null(s) == "" {
		return ""
	}
	return s
}

// parseUint reads decimal or 0x-prefixed hex, as both Sysmon (decimal) and
// Security (hex) write process ids.
func parseUint(s string) (uint64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return 0, false
	}
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		return u, err == nil
	}
	u, err := strconv.ParseUint(s, 10, 64)
	return u, err == nil
}

// parseUtcTime reads Sysmon's "2006-01-02 15:04:05.000" (UTC) at whatever
// precision it was written with.
func parseUtcTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func mandatoryLabel(sid string) string {
	switch strings.ToUpper(sid) {
	case "S-1-16-0":
		return "Untrusted"
	case "S-1-16-4096":
		return "Low"
	case "S-1-16-8192":
		return "Medium"
	case "S-1-16-8448":
		return "MediumPlus"
	case "S-1-16-12288":
		return "High"
	case "S-1-16-16384":
		return "System"
	}
	return sid
}

// hashFields fingerprints a record's content (FNV-1a), so two records that
// share host, channel, id and time but differ are not merged.
func hashFields(r *evtx.Record) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= prime
		}
		h ^= 0xff
		h *= prime
	}
	add(r.Provider)
	add(strconv.Itoa(int(r.EventID)))
	// Backends differ in field order; a commutative sum of per-field
	// hashes keeps the fingerprint independent of it.
	var sum uint64
	for _, f := range r.Data {
		fh := uint64(14695981039346656037)
		for _, s := range [2]string{f.Name, f.Value} {
			for i := 0; i < len(s); i++ {
				fh ^= uint64(s[i])
				fh *= prime
			}
			fh ^= 0xff
			fh *= prime
		}
		sum += fh
	}
	return h ^ sum
}
