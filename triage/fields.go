package triage

import (
	"fmt"
	"strings"
)

// fieldGetter reads one ECS field of an event. A "" result is null.
type fieldGetter func(*Event) string

// ecsFields maps the ECS names rules use to the Sysmon/4688 values behind
// them (Winlogbeat's mapping, ../shared/docs/detection-semantics.md §1).
var ecsFields = map[string]fieldGetter{
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
	"file.zone.id":                     func(e *Event) string { return zoneValue(e.Contents, "ZoneId") },
	"file.zone.host_url":               func(e *Event) string { return zoneValue(e.Contents, "HostUrl") },
	"file.zone.referrer_url":           func(e *Event) string { return zoneValue(e.Contents, "ReferrerUrl") },
	"process.parent.parent.executable": func(e *Event) string { return e.GrandparentImage },
	"process.parent.parent.name":       func(e *Event) string { return Name(e.GrandparentImage) },
	"event.type":                       eventType,
	"event.category":                   eventCategory,
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

func lookupField(name string) (fieldGetter, error) {
	g, ok := ecsFields[name]
	if !ok {
		return nil, fmt.Errorf("unknown field %q", name)
	}
	return g, nil
}
