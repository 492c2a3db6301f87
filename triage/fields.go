package triage

import (
	"fmt"
	"sort"
	"strings"
)

// fieldGetter reads one ECS field of an event. A "" result is null.
type fieldGetter func(*Event) string

// ecsField is one field rules can name.
type ecsField struct {
	name string
	get  fieldGetter
}

// ecsFields lists the ECS names rules use and the Sysmon/4688 values behind
// them (Winlogbeat's mapping, ../shared/docs/detection-semantics.md §1).
// A field's position is its index in a foldCache.
func ecsFields() []ecsField {
	m := map[string]fieldGetter{
		"process.executable":               func(e *Event) string { return e.Image },
		"process.name":                     func(e *Event) string { return Name(e.Image) },
		"process.command_line":             func(e *Event) string { return e.CommandLine },
		"process.pe.original_file_name":    func(e *Event) string { return e.OriginalFileName },
		"process.pe.company":               func(e *Event) string { return e.Company },
		"process.pe.product":               func(e *Event) string { return e.Product },
		"process.pe.description":           func(e *Event) string { return e.Description },
		"process.working_directory":        func(e *Event) string { return e.CurrentDirectory },
		"process.parent.executable":        func(e *Event) string { return e.ParentImage },
		"process.parent.name":              func(e *Event) string { return Name(e.ParentImage) },
		"process.parent.command_line":      func(e *Event) string { return e.ParentCommandLine },
		"process.entity_id":                func(e *Event) string { return e.ProcessGUID },
		"process.parent.entity_id":         func(e *Event) string { return e.ParentProcessGUID },
		"user.name":                        func(e *Event) string { return e.User },
		"host.name":                        func(e *Event) string { return e.HostKey },
		"file.path":                        func(e *Event) string { return e.TargetFilename },
		"file.name":                        func(e *Event) string { return Name(streamHost(e.TargetFilename)) },
		"file.extension":                   func(e *Event) string { return extension(streamHost(e.TargetFilename)) },
		"file.zone.id":                     func(e *Event) string { return ZoneValue(e.Contents, "ZoneId") },
		"file.zone.host_url":               func(e *Event) string { return ZoneValue(e.Contents, "HostUrl") },
		"file.zone.referrer_url":           func(e *Event) string { return ZoneValue(e.Contents, "ReferrerUrl") },
		"process.parent.parent.executable": func(e *Event) string { return e.GrandparentImage },
		"process.parent.parent.name":       func(e *Event) string { return Name(e.GrandparentImage) },
		"event.type":                       eventType,
		"event.category":                   eventCategory,
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]ecsField, len(names))
	for i, n := range names {
		out[i] = ecsField{n, m[n]}
	}
	return out
}

func eventType(e *Event) string {
	switch e.Kind {
	case KindProcessStart:
		return "start"
	case KindProcessEnd:
		return "end"
	case KindFileCreate:
		return "creation"
	case KindFileStream:
		return "access"
	}
	return ""
}

func eventCategory(e *Event) string {
	switch e.Kind {
	case KindProcessStart, KindProcessEnd:
		return "process"
	case KindFileCreate, KindFileStream:
		return "file"
	}
	return ""
}

// extension is the text after the last dot of a file name, lower case.
func extension(path string) string {
	name := Name(path)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return strings.ToLower(name[i+1:])
	}
	return ""
}

func lookupField(name string) (int, error) {
	for i, f := range ecsFields() {
		if f.name == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown field %q", name)
}

// foldCache holds one event's field values, raw and folded, as rules ask
// for them: thirteen rules read process.name and friends again and again,
// and folding is most of what matching costs.
type foldCache struct {
	e      *Event
	fields []ecsField
	raw    []string
	folded []string
	state  []uint8 // 0 unread, 1 raw read, 2 folded too
}

func newFoldCache() *foldCache {
	f := ecsFields()
	return &foldCache{fields: f, raw: make([]string, len(f)), folded: make([]string, len(f)), state: make([]uint8, len(f))}
}

// reset points the cache at another event.
func (fc *foldCache) reset(e *Event) *foldCache {
	fc.e = e
	clear(fc.state)
	return fc
}

func (fc *foldCache) value(i int) string {
	if fc.state[i] == 0 {
		fc.raw[i] = fc.fields[i].get(fc.e)
		fc.state[i] = 1
	}
	return fc.raw[i]
}

func (fc *foldCache) foldedValue(i int) string {
	if fc.state[i] < 2 {
		fc.folded[i] = fold(fc.value(i))
		fc.state[i] = 2
	}
	return fc.folded[i]
}
