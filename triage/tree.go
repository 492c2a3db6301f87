package triage

import (
	"fmt"
	"time"
)

// Process is one node of a host's process tree.
type Process struct {
	Key     string // unique in a Result: host key + GUID (or pid and time for 4688)
	HostKey string
	Host    string
	GUID    string
	PID     uint64

	Image          string
	CommandLine    string
	User           string
	IntegrityLevel string
	Hashes         string
	CurrentDir     string
	OriginalName   string

	Start time.Time
	End   time.Time

	// StartEvent is the process-create event; nil when the process was
	// synthesised from a child's Parent* fields because its own start was
	// not in the logs.
	StartEvent  *Event
	Synthesised bool
	Parent      *Process
	Children    []*Process
	// Files holds the file creates and streams (EID 11/15) it wrote.
	Files []*Event
}

// Name is the process's file name.
func (p *Process) Name() string { return Name(p.Image) }

// maxChainDepth bounds walks up and down trees: real trees are shallow, and
// a forged or looping parent chain must not hang the run.
const maxChainDepth = 64

// Ancestors returns the chain from the root down to p's parent.
func (p *Process) Ancestors() []*Process {
	var up []*Process
	seen := map[*Process]bool{p: true}
	for q := p.Parent; q != nil && !seen[q] && len(up) < maxChainDepth; q = q.Parent {
		seen[q] = true
		up = append(up, q)
	}
	for i, j := 0, len(up)-1; i < j; i, j = i+1, j-1 {
		up[i], up[j] = up[j], up[i]
	}
	return up
}

// Descendant is a process below another, with its depth (1 = child).
type Descendant struct {
	Process *Process
	Depth   int
}

// maxDescendants bounds what one finding carries; a fork bomb under a
// finding is summarised by the count that was cut.
const maxDescendants = 500

// Descendants lists p's subtree depth-first in start order.
func (p *Process) Descendants() (out []Descendant, truncated bool) {
	seen := map[*Process]bool{p: true}
	var walk func(q *Process, depth int)
	walk = func(q *Process, depth int) {
		if depth > maxChainDepth {
			truncated = true
			return
		}
		for _, c := range q.Children {
			if seen[c] {
				continue
			}
			if len(out) >= maxDescendants {
				truncated = true
				return
			}
			seen[c] = true
			out = append(out, Descendant{Process: c, Depth: depth})
			walk(c, depth+1)
		}
	}
	walk(p, 1)
	return out, truncated
}

// forest builds per-host process trees from time-ordered events.
type forest struct {
	byKey map[string]*Process
	order []*Process
	// lastByPID finds 4688 parents: no GUIDs there, so the parent is the
	// latest process with that pid on the host that started before.
	lastByPID map[string]*Process
}

func newForest() *forest {
	return &forest{byKey: map[string]*Process{}, lastByPID: map[string]*Process{}}
}

func guidKey(host, guid string) string { return host + "|" + guid }

func pidKey(host string, pid uint64) string { return fmt.Sprintf("%s|pid:%d", host, pid) }

// node returns the process for key, creating an empty synthesised one.
func (f *forest) node(key, host string) *Process {
	if p, ok := f.byKey[key]; ok {
		return p
	}
	p := &Process{Key: key, HostKey: host, Synthesised: true}
	f.byKey[key] = p
	f.order = append(f.order, p)
	return p
}

// addStart places a process-create event; it returns the process node.
func (f *forest) addStart(e *Event) *Process {
	var p *Process
	if e.ProcessGUID != "" {
		p = f.node(guidKey(e.HostKey, e.ProcessGUID), e.HostKey)
	} else {
		// 4688 has no GUID: a pid is unique only while the process lives.
		key := fmt.Sprintf("%s|pid:%d@%s#%d", e.HostKey, e.ProcessID, e.Time.Format(time.RFC3339Nano), e.RecordID)
		p = f.node(key, e.HostKey)
	}
	if p.StartEvent == nil {
		p.StartEvent = e
		p.Synthesised = false
		p.Host, p.GUID, p.PID = e.Host, e.ProcessGUID, e.ProcessID
		p.Image, p.CommandLine, p.User = e.Image, e.CommandLine, e.User
		p.IntegrityLevel, p.Hashes, p.CurrentDir, p.OriginalName = e.IntegrityLevel, e.Hashes, e.CurrentDirectory, e.OriginalFileName
		p.Start = e.Time
	}
	if p.Parent == nil {
		if parent := f.parentOf(e); parent != nil && parent != p {
			p.Parent = parent
			parent.Children = append(parent.Children, p)
		}
	}
	if e.ProcessGUID == "" {
		f.lastByPID[pidKey(e.HostKey, e.ProcessID)] = p
	}
	return p
}

// parentOf finds or synthesises the parent named by e's Parent* fields.
func (f *forest) parentOf(e *Event) *Process {
	var parent *Process
	switch {
	case e.ParentProcessGUID != "":
		parent = f.node(guidKey(e.HostKey, e.ParentProcessGUID), e.HostKey)
		parent.GUID = e.ParentProcessGUID
	case e.ProcessGUID == "" && e.HasParentPID:
		if q, ok := f.lastByPID[pidKey(e.HostKey, e.ParentProcessID)]; ok {
			return q
		}
		parent = f.node(fmt.Sprintf("%s|pid:%d@parent-of#%d", e.HostKey, e.ParentProcessID, e.RecordID), e.HostKey)
		f.lastByPID[pidKey(e.HostKey, e.ParentProcessID)] = parent
	default:
		return nil
	}
	if parent.Synthesised {
		parent.Host = e.Host
		if parent.PID == 0 {
			parent.PID = e.ParentProcessID
		}
		if parent.Image == "" {
			parent.Image = e.ParentImage
		}
		if parent.CommandLine == "" {
			parent.CommandLine = e.ParentCommandLine
		}
		if parent.User == "" {
			parent.User = e.ParentUser
		}
	}
	return parent
}

// addEnd records a process end.
func (f *forest) addEnd(e *Event) {
	if e.ProcessGUID == "" {
		return
	}
	p := f.node(guidKey(e.HostKey, e.ProcessGUID), e.HostKey)
	p.End = e.Time
	if p.Image == "" {
		p.Image = e.Image
	}
	if p.Host == "" {
		p.Host, p.GUID, p.PID = e.Host, e.ProcessGUID, e.ProcessID
	}
}

// addFile attaches a file create or stream to the process that wrote it.
func (f *forest) addFile(e *Event) {
	if e.ProcessGUID == "" {
		return
	}
	p := f.node(guidKey(e.HostKey, e.ProcessGUID), e.HostKey)
	if p.Image == "" {
		p.Image = e.Image
	}
	if p.Host == "" {
		p.Host, p.GUID, p.PID = e.Host, e.ProcessGUID, e.ProcessID
	}
	p.Files = append(p.Files, e)
}
