package triage

// Seed rule ids: the three patterns of the Elastic rule the project started
// from, read as three independent event rules (mode I of
// ../shared/docs/detection-semantics.md). Their ids never change.
const (
	RuleOfficeSpawnsShell = "office-spawns-shell"
	RuleRATLaunch         = "rat-launch"
	RuleUserDirExe        = "userdir-exe"
)
