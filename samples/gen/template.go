package gen

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
)

// node kinds of a template body.
const (
	nodeElement = iota
	nodeText
	nodeSubst
)

// tnode is one node of a template's XML: an element, literal text, or a
// substitution slot. Templates are kept as trees and encoded afresh in each
// chunk, because name offsets are chunk-relative.
type tnode struct {
	kind  int
	name  string // element name
	dep   uint16 // element's dependency id (noDependency for none)
	attrs []tattr
	kids  []tnode
	text  string    // nodeText
	idx   uint16    // nodeSubst
	typ   ValueType // nodeSubst
	opt   bool      // nodeSubst: optional (0x0e) rather than normal (0x0d)
}

type tattr struct {
	name string
	val  tnode // nodeText or nodeSubst
}

// template is a BinXML template definition: a GUID and a body.
type template struct {
	guid GUID
	id   uint32 // first four bytes of the GUID, as Windows writes it
	root tnode
}

func newTemplate(identity string, root tnode) *template {
	sum := sha256.Sum256([]byte("clicktrail-gen template\x00" + identity))
	t := &template{root: root}
	copy(t.guid[:], sum[:16])
	t.id = binary.LittleEndian.Uint32(t.guid[:])
	return t
}

func elem(name string, dep uint16, attrs []tattr, kids ...tnode) tnode {
	return tnode{kind: nodeElement, name: name, dep: dep, attrs: attrs, kids: kids}
}
func text(s string) tnode                           { return tnode{kind: nodeText, text: s} }
func optSub(i uint16, t ValueType) tnode            { return tnode{kind: nodeSubst, idx: i, typ: t, opt: true} }
func normSub(i uint16, t ValueType) tnode           { return tnode{kind: nodeSubst, idx: i, typ: t} }
func attr(name string, v tnode) tattr               { return tattr{name: name, val: v} }
func attrs(a ...tattr) []tattr                      { return a }
func depOn(i uint16) uint16                         { return i }
func simple(name string, dep uint16, v tnode) tnode { return elem(name, dep, nil, v) }

// Substitution slots of the System template, in the numbering Windows uses
// for manifest-based events (read from real Sysmon and Security records).
const (
	sysLevel             = 0
	sysOpcode            = 1
	sysTask              = 2
	sysEventID           = 3
	sysQualifiers        = 4
	sysKeywords          = 5
	sysTimeCreated       = 6
	sysActivityID        = 7
	sysProcessID         = 8
	sysThreadID          = 9
	sysEventRecordID     = 10
	sysVersion           = 11
	sysUserID            = 12
	sysRelatedActivityID = 13
	sysProviderName      = 14
	sysProviderGUID      = 15
	sysChannel           = 16
	sysEventData         = 17
	sysCount             = 18
)

// systemTemplate is the outer template of every record: the System block
// with the computer name as literal text (Windows bakes it into the
// template) and the EventData as an embedded BinXML substitution.
func systemTemplate(computer string, hasComputer bool) *template {
	sys := []tnode{
		elem("Provider", noDependency, attrs(attr("Name", optSub(sysProviderName, TypeString)), attr("Guid", optSub(sysProviderGUID, TypeGUID)))),
		elem("EventID", depOn(sysEventID), attrs(attr("Qualifiers", optSub(sysQualifiers, TypeUInt16))), optSub(sysEventID, TypeUInt16)),
		simple("Version", depOn(sysVersion), optSub(sysVersion, TypeUInt8)),
		simple("Level", depOn(sysLevel), optSub(sysLevel, TypeUInt8)),
		simple("Task", depOn(sysTask), optSub(sysTask, TypeUInt16)),
		simple("Opcode", depOn(sysOpcode), optSub(sysOpcode, TypeUInt8)),
		simple("Keywords", depOn(sysKeywords), optSub(sysKeywords, TypeHexInt64)),
		elem("TimeCreated", noDependency, attrs(attr("SystemTime", optSub(sysTimeCreated, TypeFileTime)))),
		simple("EventRecordID", depOn(sysEventRecordID), optSub(sysEventRecordID, TypeUInt64)),
		elem("Correlation", noDependency, attrs(attr("ActivityID", optSub(sysActivityID, TypeGUID)), attr("RelatedActivityID", optSub(sysRelatedActivityID, TypeGUID)))),
		elem("Execution", noDependency, attrs(attr("ProcessID", optSub(sysProcessID, TypeUInt32)), attr("ThreadID", optSub(sysThreadID, TypeUInt32)))),
		simple("Channel", depOn(sysChannel), optSub(sysChannel, TypeString)),
	}
	id := "system\x00"
	if hasComputer {
		sys = append(sys, simple("Computer", noDependency, text(computer)))
		id += "computer=" + computer
	} else {
		id += "no-computer"
	}
	sys = append(sys, elem("Security", noDependency, attrs(attr("UserID", optSub(sysUserID, TypeSID)))))
	root := elem("Event", depOn(sysEventData),
		attrs(attr("xmlns", text("http://schemas.microsoft.com/win/2004/08/events/event"))),
		elem("System", noDependency, nil, sys...),
		optSub(sysEventData, TypeBinXML))
	return newTemplate(id, root)
}

// eventDataTemplate is the inner template: <EventData> with one named
// <Data> per field, each a normal substitution of the field's type.
func eventDataTemplate(identity string, fields []Field) *template {
	kids := make([]tnode, len(fields))
	for i, f := range fields {
		kids[i] = elem("Data", noDependency, attrs(attr("Name", text(f.Name))), normSub(uint16(i), f.Type))
		identity += "\x00" + f.Name + "=" + strconv.Itoa(int(f.Type))
	}
	return newTemplate("eventdata\x00"+identity, elem("EventData", noDependency, nil, kids...))
}
