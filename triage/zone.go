package triage

import "strings"

// ZoneValue reads one key of a Zone.Identifier stream's text as Sysmon
// logs it in EID 15 Contents ("[ZoneTransfer]  ZoneId=3  ReferrerUrl=...
// HostUrl=...", line breaks rendered as spaces); keys match in any case.
func ZoneValue(contents, key string) string {
	if contents == "" {
		return ""
	}
	for _, tok := range strings.Fields(contents) {
		k, v, ok := strings.Cut(tok, "=")
		if ok && strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// streamHost returns the file a stream belongs to: "x.exe:Zone.Identifier"
// is about x.exe. Only the last colon after the drive counts.
func streamHost(path string) string {
	i := strings.LastIndexByte(path, ':')
	if i <= 1 || strings.LastIndexByte(path, '\\') > i {
		return path
	}
	return path[:i]
}
