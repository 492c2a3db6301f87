package gen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

const (
	systemUser   = `NT AUTHORITY\SYSTEM`
	utcLayout    = "2006-01-02 15:04:05.000"
	system32     = `C:\Windows\system32\`
	explorerPath = `C:\Windows\explorer.exe`
)

// builder turns scenario events into records, filling in what a scenario
// leaves out the way a real host would have it. All randomness comes from
// one seeded generator, so output is a function of the scenario and seed.
type builder struct {
	sc      *Schemas
	rng     *rand.Rand
	domain  string
	user    string // default interactive user, without domain
	start   time.Time
	hostile bool

	hosts map[string]*hostState
	procs map[string]*proc
	// hostileNext cycles through the hostile strings.
	hostileNext int
}

type hostState struct {
	name      string
	machine   uint32
	boot      time.Time
	counter   uint16
	sysmonPID uint32
	sysmonTID [4]uint32
	domainSID string
	nextRID   int
	live      map[uint32]bool
	sessions  map[string]*session
	explorer  map[string]*proc
	services  *proc
}

type session struct {
	user      string
	sid       string
	logonID   uint64
	logonGUID GUID
	system    bool
}

type proc struct {
	host      *hostState
	sess      *session
	guid      GUID
	pid       uint32
	image     string
	cmd       string
	cwd       string
	user      string
	integrity string
	start     time.Time

	parentGUID  GUID
	parentPID   uint32
	parentImage string
	parentCmd   string
	parentUser  string
}

func newBuilder(sc *Schemas, seed uint64, start time.Time, domain, user string) *builder {
	if domain == "" {
		domain = "CORP"
	}
	if user == "" {
		user = "alice"
	}
	return &builder{sc: sc, rng: rand.New(rand.NewPCG(seed, 0x636c69636b747261)), domain: domain, user: user,
		start: start.UTC(), hosts: map[string]*hostState{}, procs: map[string]*proc{}}
}

func (b *builder) host(name string) *hostState {
	if h, ok := b.hosts[name]; ok {
		return h
	}
	h := &hostState{name: name, machine: b.rng.Uint32(), boot: b.start.Add(-time.Duration(2+b.rng.IntN(70)) * time.Hour).Truncate(time.Second),
		counter: uint16(b.rng.IntN(0x400)), sysmonPID: 2000 + 4*uint32(b.rng.IntN(600)), live: map[uint32]bool{},
		sessions: map[string]*session{}, explorer: map[string]*proc{}, nextRID: 1001,
		domainSID: fmt.Sprintf("S-1-5-21-%d-%d-%d", 1000000000+b.rng.IntN(3000000000), 1000000000+b.rng.IntN(3000000000), 100000000+b.rng.IntN(900000000))}
	for i := range h.sysmonTID {
		h.sysmonTID[i] = 3000 + 4*uint32(b.rng.IntN(2000))
	}
	h.live[h.sysmonPID] = true
	b.hosts[name] = h
	return h
}

// guidAt builds a Sysmon-style GUID: machine value, then Unix seconds of
// t little-endian, then eight bytes of tail.
func guidAt(machine uint32, t time.Time, tail uint64) GUID {
	var g GUID
	binary.LittleEndian.PutUint32(g[0:], machine)
	binary.LittleEndian.PutUint32(g[4:], uint32(t.Unix()))
	binary.LittleEndian.PutUint64(g[8:], tail)
	return g
}

func (b *builder) session(h *hostState, user string) *session {
	key := strings.ToLower(user)
	if s, ok := h.sessions[key]; ok {
		return s
	}
	s := &session{user: user}
	switch key {
	case strings.ToLower(systemUser):
		s.system, s.sid, s.logonID = true, "S-1-5-18", 0x3e7
		s.logonGUID = guidAt(h.machine, h.boot, s.logonID)
	default:
		s.sid = h.domainSID + "-" + strconv.Itoa(h.nextRID)
		h.nextRID++
		s.logonID = 0x100000 + uint64(b.rng.IntN(0x3fffff))
		s.logonGUID = guidAt(h.machine, h.boot.Add(time.Duration(60+b.rng.IntN(600))*time.Second), s.logonID)
	}
	h.sessions[key] = s
	return s
}

// newPID picks a free process id (a multiple of 4, as Windows hands out)
// and marks it live until the process ends.
func (b *builder) newPID(h *hostState) uint32 {
	for tries := 0; ; tries++ {
		span := 8000
		if tries > 64 { // a crowded host: widen the range rather than spin
			span = 1 << 20
		}
		pid := 400 + 4*uint32(b.rng.IntN(span))
		if !h.live[pid] {
			h.live[pid] = true
			return pid
		}
	}
}

// otherPID is the id of a process this log does not track (a parent known
// only from its child's event): any id, not reserved.
func (b *builder) otherPID() uint32 { return 400 + 4*uint32(b.rng.IntN(8000)) }

func (b *builder) newProcGUID(h *hostState, t time.Time) GUID {
	h.counter++
	// Sysmon 13+: two bytes of sequence, zeros, then a small value.
	tail := uint64(h.counter) | uint64(1+b.rng.IntN(0x40))<<48
	return guidAt(h.machine, t, tail)
}

func (b *builder) defaultUser() string { return b.domain + `\` + b.user }

// explorerFor is the user's shell: it started at logon, before the log.
func (b *builder) explorerFor(h *hostState, user string) *proc {
	key := strings.ToLower(user)
	if p, ok := h.explorer[key]; ok {
		return p
	}
	s := b.session(h, user)
	st := h.boot.Add(time.Duration(120+b.rng.IntN(600)) * time.Second)
	p := &proc{host: h, sess: s, guid: b.newProcGUID(h, st), pid: b.newPID(h), image: explorerPath,
		cmd: `C:\Windows\Explorer.EXE`, cwd: system32, user: user, integrity: "Medium", start: st,
		parentGUID: b.newProcGUID(h, st.Add(-time.Second)), parentPID: b.otherPID(), parentImage: `C:\Windows\System32\userinit.exe`,
		parentCmd: `C:\Windows\system32\userinit.exe`, parentUser: user}
	h.explorer[key] = p
	return p
}

func (b *builder) servicesProc(h *hostState) *proc {
	if h.services == nil {
		s := b.session(h, systemUser)
		st := h.boot.Add(3 * time.Second)
		h.services = &proc{host: h, sess: s, guid: b.newProcGUID(h, st), pid: 600 + 4*uint32(b.rng.IntN(100)),
			image: `C:\Windows\System32\services.exe`, cmd: `C:\Windows\system32\services.exe`, cwd: system32,
			user: systemUser, integrity: "System", start: st, parentImage: `C:\Windows\System32\wininit.exe`,
			parentCmd: "wininit.exe", parentUser: systemUser, parentPID: 500 + 4*uint32(b.rng.IntN(25))}
		h.services.parentGUID = b.newProcGUID(h, st.Add(-time.Second))
		h.live[h.services.pid] = true
	}
	return h.services
}

// timeCreated is when the event log stamped the record: a little after
// the event itself, at 100 ns resolution.
func (b *builder) timeCreated(t time.Time) time.Time {
	return t.Add(time.Duration(1000+b.rng.IntN(40000)) * 100).Truncate(100 * time.Nanosecond)
}

func (b *builder) sysmonEvent(h *hostState, ev *ScenarioEvent, sch *Schema, t time.Time, vals []Value) *Event {
	return &Event{Schema: sch, Time: b.timeCreated(t), Computer: h.name, NoComputer: ev.NoComputer,
		ExecPID: h.sysmonPID, ExecTID: h.sysmonTID[b.rng.IntN(len(h.sysmonTID))], Values: vals}
}

// startProcess creates the process an event describes.
func (b *builder) startProcess(h *hostState, ev *ScenarioEvent, t time.Time) *proc {
	var parent *proc
	switch {
	case ev.Parent != "":
		parent = b.procs[ev.Parent]
	case ev.ParentImage != "":
	default:
		if strings.EqualFold(ev.User, systemUser) {
			parent = b.servicesProc(h)
		} else {
			u := ev.User
			if u == "" {
				u = b.defaultUser()
			}
			parent = b.explorerFor(h, u)
		}
	}
	user := ev.User
	if user == "" {
		if parent != nil {
			user = parent.user
		} else {
			user = b.defaultUser()
		}
	}
	s := b.session(h, user)
	p := &proc{host: h, sess: s, image: ev.Image, user: user, start: t}
	p.guid = b.newProcGUID(h, t)
	p.pid = ev.PID
	if p.pid == 0 {
		p.pid = b.newPID(h)
	} else {
		h.live[p.pid] = true
	}
	p.cmd = ev.CommandLine
	if p.cmd == "" {
		p.cmd = `"` + ev.Image + `"`
	}
	p.integrity = ev.Integrity
	if p.integrity == "" {
		p.integrity = "Medium"
		if s.system {
			p.integrity = "System"
		}
	}
	p.cwd = ev.CurrentDirectory
	if parent != nil {
		p.parentGUID, p.parentPID, p.parentImage, p.parentCmd, p.parentUser = parent.guid, parent.pid, parent.image, parent.cmd, parent.user
		if p.cwd == "" {
			p.cwd = parent.cwd
		}
	} else {
		p.parentImage = ev.ParentImage
		p.parentCmd = ev.ParentCommand
		if p.parentCmd == "" {
			p.parentCmd = `"` + ev.ParentImage + `"`
		}
		p.parentUser = ev.ParentUser
		if p.parentUser == "" {
			p.parentUser = user
		}
		p.parentPID = ev.ParentPID
		if p.parentPID == 0 {
			p.parentPID = b.otherPID()
		}
		switch {
		case ev.ParentGUID == "zero":
		case ev.ParentGUID != "":
			p.parentGUID, _ = ParseGUID(ev.ParentGUID) // checked by Validate
		default:
			p.parentGUID = b.newProcGUID(h, t.Add(-time.Duration(1+b.rng.IntN(3600))*time.Second))
		}
	}
	if p.cwd == "" {
		p.cwd = system32
	}
	if ev.ParentCommand != "" && parent != nil {
		p.parentCmd = ev.ParentCommand
	}
	if b.hostile {
		p.cmd += " " + b.nextHostile(false)
	}
	return p
}

// event turns one scenario event into zero or one record (and returns it).
func (b *builder) event(ev *ScenarioEvent) (*Event, error) {
	hostName := ev.Host
	if hostName == "" {
		return nil, fmt.Errorf("event %q: no host", ev.ID)
	}
	h := b.host(hostName)
	t := b.start.Add(time.Duration(ev.At))
	emit := ev.Emit == nil || *ev.Emit
	switch ev.Kind {
	case KindProcess:
		p := b.startProcess(h, ev, t)
		if ev.ID != "" {
			b.procs[ev.ID] = p
		}
		if !emit {
			return nil, nil
		}
		pe := knownPE(p.image)
		if ev.OriginalFileName != "" {
			pe.original = ev.OriginalFileName
		}
		if ev.Description != "" {
			pe.description = ev.Description
		}
		hashes := ev.Hashes
		if hashes == "" {
			hashes = fileHashes(p.image)
		}
		term := uint32(1)
		if p.sess.system {
			term = 0
		}
		vals := []Value{Str("-"), Str(t.Format(utcLayout)), GUIDValue(p.guid), U32(p.pid), Str(p.image),
			Str(pe.version), Str(pe.description), Str(pe.product), Str(pe.company), Str(pe.original), Str(p.cmd),
			Str(p.cwd), Str(p.user), GUIDValue(p.sess.logonGUID), Hex64(p.sess.logonID), U32(term), Str(p.integrity),
			Str(hashes), GUIDValue(p.parentGUID), U32(p.parentPID), Str(p.parentImage), Str(p.parentCmd), Str(p.parentUser)}
		return b.sysmonEvent(h, ev, b.sc.ProcessCreate, t, vals), nil
	case Kind4688:
		var p *proc
		if ev.Process != "" {
			p = b.procs[ev.Process]
		} else {
			p = b.startProcess(h, ev, t)
		}
		if ev.ID != "" {
			b.procs[ev.ID] = p
		}
		if !emit {
			return nil, nil
		}
		return b.security4688(h, ev, p, t), nil
	case KindEnd:
		p := b.procs[ev.Process]
		delete(p.host.live, p.pid)
		delete(b.procs, ev.Process) // ended processes cannot be referenced again
		if !emit {
			return nil, nil
		}
		vals := []Value{Str("-"), Str(t.Format(utcLayout)), GUIDValue(p.guid), U32(p.pid), Str(p.image), Str(p.user)}
		return b.sysmonEvent(h, ev, b.sc.ProcessEnd, t, vals), nil
	case KindFile, KindStream:
		p := b.procs[ev.Process]
		target := ev.Target
		if b.hostile {
			target = hostileTarget(target, b.nextHostile(true))
		}
		ts := Str(t.Format(utcLayout))
		if ev.Kind == KindFile {
			vals := []Value{Str("-"), ts, GUIDValue(p.guid), U32(p.pid), Str(p.image), Str(target), ts, Str(p.user)}
			return b.sysmonEvent(h, ev, b.sc.FileCreate, t, vals), nil
		}
		contents := ev.Contents
		if contents == "" {
			contents = "-"
		}
		hash := ev.Hash
		if hash == "" {
			hash = streamHash(contents)
		}
		vals := []Value{Str("-"), ts, GUIDValue(p.guid), U32(p.pid), Str(p.image), Str(target), ts, Str(hash), Str(contents), Str(p.user)}
		return b.sysmonEvent(h, ev, b.sc.StreamHash, t, vals), nil
	}
	return nil, fmt.Errorf("event %q: unknown kind %q", ev.ID, ev.Kind)
}

func (b *builder) security4688(h *hostState, ev *ScenarioEvent, p *proc, t time.Time) *Event {
	version := 2
	if ev.Version != nil {
		version = *ev.Version
	}
	s := p.sess
	subjUser, subjDomain := splitUser(p.user)
	if s.system {
		subjUser, subjDomain = strings.ToUpper(h.name)+"$", b.domain
	}
	elevation, label := "%%1938", "S-1-16-8192" // limited token, medium
	switch p.integrity {
	case "High":
		elevation, label = "%%1937", "S-1-16-12288"
	case "System":
		elevation, label = "%%1936", "S-1-16-16384"
	}
	vals := []Value{SIDValue(s.sid), Str(subjUser), Str(subjDomain), Hex64(s.logonID), Hex64(uint64(p.pid)),
		Str(p.image), Str(elevation), Hex64(uint64(p.parentPID))}
	sch := b.sc.Security4688v0
	if version >= 1 {
		vals = append(vals, Str(p.cmd))
		sch = b.sc.Security4688v1
	}
	if version >= 2 {
		vals = append(vals, SIDValue("S-1-0-0"), Str("-"), Str("-"), Hex64(0), Str(p.parentImage), SIDValue(label))
		sch = b.sc.Security4688v2
	}
	return &Event{Schema: sch, Time: b.timeCreated(t), Computer: h.name, NoComputer: ev.NoComputer,
		ExecPID: 4, ExecTID: 100 + 4*uint32(b.rng.IntN(4000)), Values: vals}
}

func splitUser(u string) (name, domain string) {
	if i := strings.IndexByte(u, '\\'); i >= 0 {
		return u[i+1:], u[:i]
	}
	return u, "-"
}
