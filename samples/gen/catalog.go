package gen

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// peInfo is the version resource Sysmon copies into Event ID 1.
type peInfo struct {
	version, description, product, company, original string
}

const (
	msWin   = "Microsoft® Windows® Operating System"
	msCorp  = "Microsoft Corporation"
	winVer  = "10.0.19041.1 (WinBuild.160101.0800)"
	office  = "Microsoft Office"
	officeV = "16.0.17928.20156"
)

// knownPE returns the version info of well-known binaries by file name;
// unknown files get Sysmon's "-" placeholders (and "?" for the version
// fields of files with no resource, as Sysmon writes them).
func knownPE(image string) peInfo {
	name := strings.ToLower(baseName(image))
	switch name {
	case "cmd.exe":
		return peInfo{winVer, "Windows Command Processor", msWin, msCorp, "Cmd.Exe"}
	case "powershell.exe":
		return peInfo{"10.0.19041.3996 (WinBuild.160101.0800)", "Windows PowerShell", msWin, msCorp, "PowerShell.EXE"}
	case "pwsh.exe":
		return peInfo{"7.4.6.500", "pwsh", "PowerShell", msCorp, "pwsh.dll"}
	case "wscript.exe":
		return peInfo{"5.812.10240.16384", "Microsoft ® Windows Based Script Host", msWin, msCorp, "wscript.exe"}
	case "cscript.exe":
		return peInfo{"5.812.10240.16384", "Microsoft ® Console Based Script Host", msWin, msCorp, "cscript.exe"}
	case "mshta.exe":
		return peInfo{"11.00.19041.1 (WinBuild.160101.0800)", "Microsoft (R) HTML Application host", "Internet Explorer", msCorp, "MSHTA.EXE"}
	case "rundll32.exe":
		return peInfo{winVer, "Windows host process (Rundll32)", msWin, msCorp, "RUNDLL32.EXE"}
	case "conhost.exe":
		return peInfo{winVer, "Console Window Host", msWin, msCorp, "CONHOST.EXE"}
	case "explorer.exe":
		return peInfo{"10.0.19041.4355 (WinBuild.160101.0800)", "Windows Explorer", msWin, msCorp, "EXPLORER.EXE"}
	case "whoami.exe":
		return peInfo{winVer, "whoami - displays logged on user information", msWin, msCorp, "whoami.exe"}
	case "curl.exe":
		return peInfo{"8.4.0", "The curl executable", "The curl executable", "curl, https://curl.se/", "curl.exe"}
	case "choice.exe":
		return peInfo{winVer, "Offers the user a choice", msWin, msCorp, "choice.exe"}
	case "calc.exe", "calculator.exe":
		return peInfo{winVer, "Windows Calculator", msWin, msCorp, "CALC.EXE"}
	case "notepad.exe":
		return peInfo{winVer, "Notepad", msWin, msCorp, "NOTEPAD.EXE"}
	case "msiexec.exe":
		return peInfo{"5.0.19041.3636 (WinBuild.160101.0800)", "Windows® installer", "Windows Installer - Unicode", msCorp, "msiexec.exe"}
	case "svchost.exe":
		return peInfo{winVer, "Host Process for Windows Services", msWin, msCorp, "svchost.exe"}
	case "services.exe":
		return peInfo{winVer, "Services and Controller app", msWin, msCorp, "services.exe"}
	case "taskhostw.exe":
		return peInfo{winVer, "Host Process for Windows Tasks", msWin, msCorp, "taskhostw.exe"}
	case "backgroundtaskhost.exe":
		return peInfo{winVer, "Background Task Host", msWin, msCorp, "backgroundTaskHost.exe"}
	case "searchprotocolhost.exe":
		return peInfo{"7.0.19041.3636 (WinBuild.160101.0800)", "Microsoft Windows Search Protocol Host", "Windows® Search", msCorp, "SearchProtocolHost.exe"}
	case "runtimebroker.exe":
		return peInfo{winVer, "Runtime Broker", msWin, msCorp, "RuntimeBroker.exe"}
	case "splwow64.exe":
		return peInfo{winVer, "Print driver host for applications", msWin, msCorp, "splwow64.exe"}
	case "winword.exe":
		return peInfo{officeV, "Microsoft Word", office, msCorp, "WinWord.exe"}
	case "excel.exe":
		return peInfo{officeV, "Microsoft Excel", office, msCorp, "Excel.exe"}
	case "powerpnt.exe":
		return peInfo{officeV, "Microsoft PowerPoint", office, msCorp, "POWERPNT.EXE"}
	case "outlook.exe":
		return peInfo{officeV, "Microsoft Outlook", office, msCorp, "Outlook.exe"}
	case "olk.exe":
		return peInfo{"1.2024.1023.300", "Outlook", "Outlook (new)", msCorp, "olk.exe"}
	case "chrome.exe":
		return peInfo{"131.0.6778.86", "Google Chrome", "Google Chrome", "Google LLC", "chrome.exe"}
	case "msedge.exe":
		return peInfo{"131.0.2903.70", "Microsoft Edge", "Microsoft Edge", msCorp, "msedge.exe"}
	case "firefox.exe":
		return peInfo{"133.0", "Firefox", "Firefox", "Mozilla Corporation", "firefox.exe"}
	case "acrord32.exe":
		return peInfo{"24.4.20220.0", "Adobe Acrobat Reader", "Adobe Acrobat Reader", "Adobe Systems Incorporated", "AcroRd32.exe"}
	case "foxitpdfreader.exe":
		return peInfo{"2024.3.0.26795", "Foxit PDF Reader", "Foxit PDF Reader", "Foxit Software Inc.", "FoxitPDFReader.exe"}
	case "anydesk.exe":
		return peInfo{"8.1.0", "AnyDesk", "AnyDesk", "AnyDesk Software GmbH", "-"}
	case "teamviewer.exe":
		return peInfo{"15.60.3.0", "TeamViewer", "TeamViewer", "TeamViewer Germany GmbH", "TeamViewer.exe"}
	case "teamviewer_service.exe":
		return peInfo{"15.60.3.0", "TeamViewer 15", "TeamViewer", "TeamViewer Germany GmbH", "TeamViewer_Service.exe"}
	case "googleupdate.exe":
		return peInfo{"1.3.36.372", "Google Installer", "Google Update", "Google LLC", "GoogleUpdate.exe"}
	case "microsoftedgeupdate.exe":
		return peInfo{"1.3.195.39", "Microsoft Edge Update", "Microsoft Edge Update", msCorp, "msedgeupdate.dll"}
	case "onedrivestandaloneupdater.exe":
		return peInfo{"24.220.1027.0001", "Standalone Updater", "Microsoft OneDrive", msCorp, "OneDriveStandaloneUpdater.exe"}
	case "code.exe":
		return peInfo{"1.95.3", "Visual Studio Code", "Visual Studio Code", msCorp, "electron.exe"}
	case "git.exe":
		return peInfo{"2.47.1.1", "Git for Windows", "Git", "The Git Development Community", "git.exe"}
	case "go.exe":
		return peInfo{"-", "-", "-", "-", "-"}
	case "7zfm.exe":
		return peInfo{"24.08", "7-Zip File Manager", "7-Zip", "Igor Pavlov", "7zFM.exe"}
	case "spotify.exe":
		return peInfo{"1.2.52.442", "Spotify", "Spotify", "Spotify Ltd", "Spotify.exe"}
	}
	return peInfo{"-", "-", "-", "-", "-"}
}

// baseName is the text after the last backslash (the whole string when
// there is none, matching no Windows separator).
func baseName(p string) string {
	if i := strings.LastIndexByte(p, '\\'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// fileHashes makes Sysmon's Hashes value for an image. The digests are of
// the path, not of a real file: stable per image, so one binary keeps one
// hash across events, as it would on a real host.
func fileHashes(image string) string {
	key := []byte("clicktrail-gen image\x00" + strings.ToLower(image))
	s1 := sha1.Sum(key)
	m5 := md5.Sum(key)
	s256 := sha256.Sum256(key)
	imp := md5.Sum(append(key, 'i'))
	return "SHA1=" + upperHex(s1[:]) + ",MD5=" + upperHex(m5[:]) + ",SHA256=" + upperHex(s256[:]) + ",IMPHASH=" + upperHex(imp[:])
}

// streamHash is the Hash value of Event ID 15 for stream contents.
func streamHash(contents string) string {
	b := []byte(contents)
	s1 := sha1.Sum(b)
	m5 := md5.Sum(b)
	s256 := sha256.Sum256(b)
	return "SHA1=" + upperHex(s1[:]) + ",MD5=" + upperHex(m5[:]) + ",SHA256=" + upperHex(s256[:]) + ",IMPHASH=00000000000000000000000000000000"
}

func upperHex(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
