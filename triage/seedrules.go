package triage

import "fmt"

// Seed rule ids: the three patterns of the Elastic rule the project started
// from, read as three independent event rules (mode I of
// ../shared/docs/detection-semantics.md). Their ids never change.
const (
	RuleOfficeSpawnsShell = "office-spawns-shell"
	RuleRATLaunch         = "rat-launch"
	RuleUserDirExe        = "userdir-exe"
)

// The seed rule's lists, as written in it (case is irrelevant under ':').
// Functions, not variables, so no caller can change another's copy.
func seedParents() []string {
	return []string{
		"WINWORD.EXE", "EXCEL.EXE", "POWERPNT.EXE", "OUTLOOK.EXE",
		"MSPUB.EXE", "ONENOTE.EXE", "VISIO.EXE",
		"acrord32.exe", "acrobat.exe", "foxitreader.exe",
		"chrome.exe", "msedge.exe", "firefox.exe", "iexplore.exe", "opera.exe",
	}
}

func seedChildren() []string {
	return []string{
		"cmd.exe", "powershell.exe", "pwsh.exe", "wscript.exe",
		"cscript.exe", "mshta.exe", "rundll32.exe", "regsvr32.exe",
		"certutil.exe", "bitsadmin.exe",
	}
}

func seedRATs() []string {
	return []string{
		"anydesk.exe", "teamviewer.exe", "screenconnect.exe",
		"connectwisecontrol.exe", "splashtopstreamer.exe", "ultraviewer.exe",
		"rustdesk.exe", "supremo.exe", "radmin.exe", "atera_agent.exe",
	}
}

func seedUserDirs() []string {
	return []string{
		`*\Downloads\*`, `*\Desktop\*`, `*\AppData\Local\Temp\*`,
		`*\AppData\Roaming\*`, `*\Users\Public\*`,
	}
}

// SeedRules returns the three seed rules, compiled. Each call builds new
// values, so callers may keep or change them freely.
func SeedRules() ([]*Rule, error) {
	rules := []*Rule{officeSpawnsShell(), ratLaunch(), userDirExe()}
	for _, r := range rules {
		if err := r.Compile(); err != nil {
			return nil, fmt.Errorf("seed rules: %w", err)
		}
	}
	return rules, nil
}

func officeSpawnsShell() *Rule {
	return &Rule{
		ID:    RuleOfficeSpawnsShell,
		Title: "Office application, PDF reader or browser starts a shell or LOLBin",
		Description: "A document or web page made its viewer start a command interpreter or a " +
			"living-off-the-land binary: the classic malicious macro, exploit or drive-by.",
		Technique:  "T1204.002",
		Severity:   "high",
		Confidence: "medium",
		Kind:       KindProcessStart,
		When: []Condition{
			{Field: "process.parent.name", Patterns: seedParents()},
			{Field: "process.name", Patterns: seedChildren()},
		},
		FalsePositives: []string{
			"Browser native-messaging hosts run through cmd.exe (chrome.exe -> cmd.exe /d /c \"...host.exe\" chrome-extension://...): allowlist the host's command line.",
			"Office add-ins and document-management plug-ins that shell out: allowlist by parent -> child and command line.",
		},
		Examples: []Example{
			{Name: "Winword starts CMD (case-insensitive names)", Match: true, Event: Event{
				ParentImage: `C:\Program Files\Microsoft Office\root\Office16\Winword.exe`, Image: `C:\Windows\System32\CMD.EXE`}},
			{Name: "IE starts mshta", Match: true, Event: Event{
				ParentImage: `C:\Program Files\Internet Explorer\iexplore.exe`, Image: `C:\Windows\System32\mshta.exe`}},
			{Name: "Winword starts conhost", Match: false, Event: Event{
				ParentImage: `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, Image: `C:\Windows\System32\conhost.exe`}},
			{Name: "new Outlook (olk.exe) is not in the list", Match: false, Event: Event{
				ParentImage: `C:\Program Files\WindowsApps\Microsoft.OutlookForWindows\olk.exe`, Image: `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`}},
			{Name: "renamed powershell is not seen (OriginalFileName unused)", Match: false, Event: Event{
				ParentImage: `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, Image: `C:\Users\bob\Downloads\inv.exe`, OriginalFileName: "PowerShell.EXE"}},
		},
	}
}

func ratLaunch() *Rule {
	return &Rule{
		ID:    RuleRATLaunch,
		Title: "Remote-access tool starts",
		Description: "A remote-access tool started. In a tech-support scam the caller talks the user into " +
			"installing one; check who started it and from where.",
		Technique:  "T1219",
		Severity:   "medium",
		Confidence: "low",
		Kind:       KindProcessStart,
		When: []Condition{
			{Field: "process.name", Patterns: seedRATs()},
		},
		FalsePositives: []string{
			"IT-managed installs (services.exe starting AnyDesk --service, TeamViewer_Service starting TeamViewer.exe): allowlist by host and parent.",
			"The list names binaries by exact file name; the real agents of several tools have other names (AteraAgent.exe, ScreenConnect.ClientService.exe, client32.exe) and are not seen.",
		},
		Examples: []Example{
			{Name: "AnyDesk as a service", Match: true, Event: Event{
				ParentImage: `C:\Windows\System32\services.exe`, Image: `C:\Program Files (x86)\AnyDesk\AnyDesk.exe`, CommandLine: `"AnyDesk.exe" --service`}},
			{Name: "TeamViewer.exe", Match: true, Event: Event{Image: `C:\Program Files\TeamViewer\TeamViewer.exe`}},
			{Name: "TeamViewer_Service.exe is not an exact name", Match: false, Event: Event{Image: `C:\Program Files\TeamViewer\TeamViewer_Service.exe`}},
			{Name: "AteraAgent.exe is not in the list", Match: false, Event: Event{Image: `C:\Program Files\ATERA Networks\AteraAgent\AteraAgent.exe`}},
		},
	}
}

func userDirExe() *Rule {
	return &Rule{
		ID:    RuleUserDirExe,
		Title: "Explorer starts an executable from a user-writable folder",
		Description: "The user double-clicked a program in Downloads, Desktop, Temp (including opened " +
			"archives), AppData\\Roaming or Users\\Public: the typical run of a downloaded payload.",
		Technique:  "T1204.002",
		Severity:   "medium",
		Confidence: "low",
		Kind:       KindProcessStart,
		When: []Condition{
			{Field: "process.parent.name", Patterns: []string{"explorer.exe"}},
			{Field: "process.executable", Patterns: seedUserDirs()},
			{Field: "process.name", Patterns: []string{"*.exe"}},
		},
		Unless: []Condition{
			{Field: "process.name", Patterns: []string{"setup.exe"}},
		},
		FalsePositives: []string{
			"Users running legitimate installers and portable tools from Downloads or Desktop: allowlist by hash or path.",
			"Per-user applications in AppData\\Roaming (Spotify, some updaters): allowlist by path glob.",
		},
		Examples: []Example{
			{Name: "invoice in Downloads", Match: true, Event: Event{
				ParentImage: `C:\Windows\explorer.exe`, Image: `C:\Users\bob\Downloads\Invoice.EXE`}},
			{Name: "non-ASCII user name", Match: true, Event: Event{
				ParentImage: `C:\Windows\explorer.exe`, Image: `C:\USERS\JÜRGEN\DOWNLOADS\RECHNUNG.EXE`}},
			{Name: "setup.exe is excluded", Match: false, Event: Event{
				ParentImage: `C:\Windows\explorer.exe`, Image: `C:\Users\bob\Downloads\SETUP.EXE`}},
			{Name: "double extension .scr", Match: false, Event: Event{
				ParentImage: `C:\Windows\explorer.exe`, Image: `C:\Users\bob\Downloads\inv.pdf.scr`}},
			{Name: "parent is not explorer", Match: false, Event: Event{
				ParentImage: `C:\Program Files\7-Zip\7zFM.exe`, Image: `C:\Users\bob\AppData\Local\Temp\7zO1A2\x.exe`}},
		},
	}
}
