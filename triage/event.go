package triage

import (
	"hash/crc32"
	"strconv"
	"strings"
	"time"
	"unsafe"

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
	// KindLogCleared is a log being cleared (Security 1102, System 104) and
	// KindSysmonStopped the Sysmon service stopping (Sysmon 4): the evidence
	// before or after them may be missing, which a report must say.
	KindLogCleared
	KindSysmonStopped
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
	case KindLogCleared:
		return "log_cleared"
	case KindSysmonStopped:
		return "sysmon_stopped"
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
	ProviderEventlog = "Microsoft-Windows-Eventlog"
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
	ClearedLog      string // for KindLogCleared: the log that was cleared
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
		return eventID == 1 || eventID == 4 || eventID == 5 || eventID == 11 || eventID == 15
	case ProviderSecurity:
		return eventID == 4688
	case ProviderEventlog:
		return eventID == 1102 || eventID == 104
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
		case 4:
			if !strings.EqualFold(r.Value("State"), "Stopped") {
				return ev, false
			}
			ev.Kind, ev.Time = KindSysmonStopped, ev.Created
			if t, ok := parseUtcTime(r.Value("UtcTime")); ok {
				ev.Time = t
			}
			ev.contentHash = hashFields(r)
			return ev, true
		default:
			return ev, false
		}
		fillSysmon(&ev, r)
	case r.Provider == ProviderSecurity && r.EventID == 4688:
		ev.Origin = OriginSecurity
		ev.Kind = KindProcessStart
		fill4688(&ev, r)
	case r.Provider == ProviderEventlog && (r.EventID == 1102 || r.EventID == 104):
		ev.Kind, ev.Time = KindLogCleared, ev.Created
		fillLogCleared(&ev, r)
	default:
		return ev, false
	}
	ev.contentHash = hashFields(r)
	return ev, true
}

// fillSysmon reads the record's fields in one pass (a lookup per field
// would walk the list two dozen times per record).
func fillSysmon(ev *Event, r *evtx.Record) {
	var utc, guid, pid, pguid, ppid string
	for i := range r.Data {
		f := &r.Data[i]
		v := null(f.Value)
		switch f.Name {
		case "RuleName":
			ev.RuleName = v
		case "UtcTime":
			utc = f.Value
		case "ProcessGuid":
			guid = f.Value
		case "ProcessId":
			pid = f.Value
		case "Image":
			ev.Image = v
		case "User":
			ev.User = v
		case "FileVersion":
			ev.FileVersion = v
		case "Description":
			ev.Description = v
		case "Product":
			ev.Product = v
		case "Company":
			ev.Company = v
		case "OriginalFileName":
			ev.OriginalFileName = v
		case "CommandLine":
			ev.CommandLine = v
		case "CurrentDirectory":
			ev.CurrentDirectory = v
		case "LogonId":
			ev.LogonID = v
		case "IntegrityLevel":
			ev.IntegrityLevel = v
		case "Hashes":
			ev.Hashes = v
		case "ParentProcessGuid":
			pguid = f.Value
		case "ParentProcessId":
			ppid = f.Value
		case "ParentImage":
			ev.ParentImage = v
		case "ParentCommandLine":
			ev.ParentCommandLine = v
		case "ParentUser":
			ev.ParentUser = v
		case "TargetFilename":
			ev.TargetFilename = v
		case "CreationUtcTime":
			ev.CreationUtcTime = v
		case "Contents":
			ev.Contents = v
		case "Hash":
			ev.Hash = v
		}
	}
	ev.ProcessGUID = canonicalGUID(guid)
	ev.ProcessID, _ = parseUint(pid)
	ev.Time = ev.Created
	if t, ok := parseUtcTime(utc); ok {
		ev.Time = t
	}
	if ev.Kind == KindProcessStart {
		ev.ParentProcessGUID = canonicalGUID(pguid)
		ev.ParentProcessID, ev.HasParentPID = parseUint(ppid)
	} else {
		// Only process creates describe a parent; other events' fields of
		// the same names (none today) must not leak into the tree.
		ev.ParentImage, ev.ParentCommandLine, ev.ParentUser = "", "", ""
	}
}

// fill4688 maps Security 4688 the way Winlogbeat does. It has no GUIDs;
// process ids are hex.
func fill4688(ev *Event, r *evtx.Record) {
	var user, domain, pid, ppid string
	for i := range r.Data {
		f := &r.Data[i]
		v := null(f.Value)
		switch f.Name {
		case "NewProcessName":
			ev.Image = v
		case "ParentProcessName":
			ev.ParentImage = v
		case "CommandLine":
			ev.CommandLine = v
		case "NewProcessId":
			pid = f.Value
		case "ProcessId":
			ppid = f.Value
		case "SubjectUserName":
			user = v
		case "SubjectDomainName":
			domain = v
		case "SubjectLogonId":
			ev.LogonID = v
		case "MandatoryLabel":
			ev.IntegrityLevel = mandatoryLabel(v)
		}
	}
	ev.Time = ev.Created
	ev.ProcessID, _ = parseUint(pid)
	ev.ParentProcessID, ev.HasParentPID = parseUint(ppid)
	if user != "" {
		if domain != "" {
			user = domain + `\` + user
		}
		ev.User = user
	}
}

// fillLogCleared reads who cleared which log. The fields sit in UserData
// (LogFileCleared/SubjectUserName, ...), so they are matched by their last
// name component.
func fillLogCleared(ev *Event, r *evtx.Record) {
	var user, domain string
	for _, f := range r.Data {
		name := f.Name
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		switch name {
		case "SubjectUserName":
			user = null(f.Value)
		case "SubjectDomainName":
			domain = null(f.Value)
		case "Channel":
			ev.ClearedLog = null(f.Value)
		}
	}
	if ev.ClearedLog == "" {
		ev.ClearedLog = ev.Channel // 1102 is written into the log it clears
	}
	if user != "" && domain != "" {
		user = domain + `\` + user
	}
	ev.User = user
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

// hashFields fingerprints a record's content, so two records that share
// host, channel, id and time but differ are not merged. Per-field CRC-32C
// (hardware-accelerated) values are summed, which keeps the fingerprint
// independent of the order a backend lists fields in.
func hashFields(r *evtx.Record) uint64 {
	tab := crc32.MakeTable(crc32.Castagnoli)
	h := uint64(crc32.Checksum(bytesOf(r.Provider), tab))<<32 | uint64(r.EventID)
	var sum uint64
	for i := range r.Data {
		f := &r.Data[i]
		// name+value run together; the value's length in the factor keeps
		// "ab"+"c" apart from "a"+"bc".
		c := crc32.Update(crc32.Checksum(bytesOf(f.Name), tab), tab, bytesOf(f.Value))
		sum += uint64(c) * uint64(len(f.Value)+1)
	}
	return h ^ sum
}

// bytesOf views a string's bytes without copying them: a copy per field
// per record was most of the allocation of a scan. crc32 only reads them.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
