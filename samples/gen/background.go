package gen

import (
	"strconv"
	"time"
)

// background makes benign activity: browsers, Office opening documents,
// updaters, developer tools and Windows housekeeping. None of it matches
// the seed rules: browsers and Office only start their own helpers, and
// explorer only starts programs from Program Files, System32 or
// AppData\Local\Programs.
type background struct {
	b    *builder
	host string
	n    int // episodes made, for unique ids and names
}

func (bg *background) id(s string) string {
	return "bg" + strconv.Itoa(bg.n) + "-" + s
}

func (bg *background) home() string { return `C:\Users\` + bg.b.user }

// episode returns the events of one benign episode starting at at.
func (bg *background) episode(at time.Duration) []ScenarioEvent {
	bg.n++
	r := bg.b.rng
	step := func() time.Duration {
		at += time.Duration(20+r.IntN(900)) * time.Millisecond
		return at
	}
	ev := func(e ScenarioEvent) ScenarioEvent {
		e.Host = bg.host
		if e.At == 0 {
			e.At = Duration(step())
		}
		return e
	}
	home := bg.home()
	n := strconv.Itoa(bg.n)
	var out []ScenarioEvent
	switch r.IntN(7) {
	case 0, 1: // browser session with a download
		img, name := `C:\Program Files\Google\Chrome\Application\chrome.exe`, "chrome"
		switch r.IntN(3) {
		case 1:
			img, name = `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, "msedge"
		case 2:
			img, name = `C:\Program Files\Mozilla Firefox\firefox.exe`, "firefox"
		}
		br := bg.id(name)
		out = append(out, ev(ScenarioEvent{ID: br, Kind: KindProcess, Image: img, CurrentDirectory: `C:\Program Files\Google\Chrome\Application\`}))
		kids := 1 + r.IntN(3)
		for k := 0; k < kids; k++ {
			out = append(out, ev(ScenarioEvent{ID: bg.id("r" + strconv.Itoa(k)), Kind: KindProcess, Parent: br, Image: img,
				CommandLine: `"` + img + `" --type=renderer --lang=en-US --js-flags=--ms-user-locale= --renderer-client-id=` + strconv.Itoa(5+k) + ` --field-trial-handle=1956,i,` + strconv.Itoa(r.IntN(1<<30)) + ` /prefetch:1`}))
		}
		doc := docName(r.IntN(8)) + "-" + n + ".pdf"
		target := home + `\Downloads\` + doc
		out = append(out,
			ev(ScenarioEvent{Kind: KindFile, Process: br, Target: target}),
			ev(ScenarioEvent{Kind: KindStream, Process: br, Target: target + ":Zone.Identifier",
				Contents: "[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://intranet.example.com/docs\r\nHostUrl=https://intranet.example.com/files/" + doc + "\r\n"}))
		for k := 0; k < kids; k++ {
			out = append(out, ev(ScenarioEvent{Kind: KindEnd, Process: bg.id("r" + strconv.Itoa(k))}))
		}
		out = append(out, ev(ScenarioEvent{Kind: KindEnd, Process: br}))
	case 2: // Office opens a document
		apps := []struct{ img, ext string }{
			{`C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, ".docx"},
			{`C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`, ".xlsx"},
			{`C:\Program Files\Microsoft Office\root\Office16\POWERPNT.EXE`, ".pptx"},
		}
		a := apps[r.IntN(len(apps))]
		doc := home + `\Documents\` + docName(r.IntN(8)) + "-" + n + a.ext
		app := bg.id("office")
		out = append(out, ev(ScenarioEvent{ID: app, Kind: KindProcess, Image: a.img, CommandLine: `"` + a.img + `" /n "` + doc + `"`,
			CurrentDirectory: home + `\Documents\`}),
			ev(ScenarioEvent{Kind: KindFile, Process: app, Target: home + `\AppData\Roaming\Microsoft\Office\Recent\` + baseName(doc) + ".LNK"}))
		if r.IntN(3) == 0 {
			sp := bg.id("splwow")
			out = append(out, ev(ScenarioEvent{ID: sp, Kind: KindProcess, Parent: app, Image: `C:\Windows\splwow64.exe`,
				CommandLine: `C:\Windows\splwow64.exe 12288`}), ev(ScenarioEvent{Kind: KindEnd, Process: sp}))
		}
		out = append(out, ev(ScenarioEvent{Kind: KindEnd, Process: app}))
	case 3: // updater started by the task scheduler
		ups := []struct{ img, cmd, user string }{
			{`C:\Program Files (x86)\Google\Update\GoogleUpdate.exe`, " /ua /installsource scheduler", systemUser},
			{`C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe`, " /ua /installsource scheduler", systemUser},
			{home + `\AppData\Local\Microsoft\OneDrive\OneDriveStandaloneUpdater.exe`, " /reporting", bg.b.defaultUser()},
		}
		u := ups[r.IntN(len(ups))]
		up := bg.id("updater")
		out = append(out, ev(ScenarioEvent{ID: up, Kind: KindProcess, Image: u.img, CommandLine: `"` + u.img + `"` + u.cmd, User: u.user,
			ParentImage: `C:\Windows\System32\svchost.exe`, ParentCommand: `C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`,
			ParentUser: systemUser}),
			ev(ScenarioEvent{Kind: KindFile, Process: up, Target: `C:\Windows\SystemTemp\GUM` + strconv.FormatInt(int64(r.IntN(1<<16)), 16) + `.tmp\GoogleUpdateSetup.exe`}),
			ev(ScenarioEvent{Kind: KindEnd, Process: up}))
	case 4: // developer tools
		code := bg.id("code")
		img := home + `\AppData\Local\Programs\Microsoft VS Code\Code.exe`
		out = append(out, ev(ScenarioEvent{ID: code, Kind: KindProcess, Image: img, CurrentDirectory: home + `\src\clicktrail\`}))
		tools := []struct{ img, cmd string }{
			{`C:\Program Files\Git\cmd\git.exe`, `"C:\Program Files\Git\cmd\git.exe" status -z -uall`},
			{`C:\Program Files\Go\bin\go.exe`, `"C:\Program Files\Go\bin\go.exe" build ./...`},
			{`C:\Program Files\Git\cmd\git.exe`, `"C:\Program Files\Git\cmd\git.exe" fetch --all`},
		}
		t := tools[r.IntN(len(tools))]
		tl := bg.id("tool")
		out = append(out, ev(ScenarioEvent{ID: tl, Kind: KindProcess, Parent: code, Image: t.img, CommandLine: t.cmd}),
			ev(ScenarioEvent{Kind: KindFile, Process: tl, Target: home + `\src\clicktrail\.git\FETCH_HEAD`}),
			ev(ScenarioEvent{Kind: KindEnd, Process: tl}), ev(ScenarioEvent{Kind: KindEnd, Process: code}))
	case 5: // Windows housekeeping
		hs := []struct{ img, cmd, parent, pcmd string }{
			{`C:\Windows\System32\taskhostw.exe`, `taskhostw.exe Install $(Arg0)`, `C:\Windows\System32\svchost.exe`, `C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`},
			{`C:\Windows\System32\backgroundTaskHost.exe`, `"C:\Windows\system32\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider`, `C:\Windows\System32\svchost.exe`, `C:\Windows\system32\svchost.exe -k DcomLaunch -p`},
			{`C:\Windows\System32\SearchProtocolHost.exe`, `"C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe` + n + ` Global\UsGthrCtrlFltPipeMssGthrPipe` + n + ` 1 -2147483646 "Software\Microsoft\Windows Search"`, `C:\Windows\System32\SearchIndexer.exe`, `C:\Windows\system32\SearchIndexer.exe /Embedding`},
			{`C:\Windows\System32\RuntimeBroker.exe`, `C:\Windows\System32\RuntimeBroker.exe -Embedding`, `C:\Windows\System32\svchost.exe`, `C:\Windows\system32\svchost.exe -k DcomLaunch -p`},
		}
		x := hs[r.IntN(len(hs))]
		hk := bg.id("hk")
		out = append(out, ev(ScenarioEvent{ID: hk, Kind: KindProcess, Image: x.img, CommandLine: x.cmd, User: systemUser,
			ParentImage: x.parent, ParentCommand: x.pcmd, ParentUser: systemUser}),
			ev(ScenarioEvent{Kind: KindFile, Process: hk, Target: `C:\Windows\Temp\` + bg.id("hk") + ".tmp"}),
			ev(ScenarioEvent{Kind: KindEnd, Process: hk}))
	default: // the user opens a text file
		np := bg.id("notepad")
		out = append(out, ev(ScenarioEvent{ID: np, Kind: KindProcess, Image: `C:\Windows\System32\notepad.exe`,
			CommandLine: `"C:\Windows\System32\notepad.exe" ` + home + `\Documents\notes-` + n + `.txt`}),
			ev(ScenarioEvent{Kind: KindEnd, Process: np}))
	}
	return out
}

// docName picks a document base name.
func docName(i int) string {
	names := [...]string{"Q3 report", "minutes", "budget 2026", "invoice", "roadmap", "travel policy", "onboarding", "offer letter"}
	return names[i%len(names)]
}
