package gen

import "strings"

// hostileStrings are the values --hostile writes into command lines and
// file paths: markup, spreadsheet formulas, bidi overrides, unpaired
// surrogates, NUL, and a 32 KiB string (16,384 UTF-16 units). They only go
// into fields the seed rules do not read (command lines, file targets), so
// a hostile run produces the same findings as a plain one.
func hostileStrings(long bool) []string {
	l := []string{
		`<script>alert("clicktrail")</script>`,
		`"><img src=x onerror=alert(1)>&amp;&lt;`,
		`]]><![CDATA[x]]><!-- -->`,
		`=cmd|' /C calc'!A0`,
		`+SUM(1+1)*cmd|' /C calc'!A0`,
		`@SUM(1+9)*cmd|' /C calc'!A0`,
		"-2+3+cmd|' /C calc'!A0",
		"invoice\u202egpj.exe",
		"lone-high-" + LoneSurrogate(0xd800) + "-end",
		"lone-low-" + LoneSurrogate(0xdc00) + "-end",
		"nul-\x00-byte",
		"tab\tcr\rlf\n",
	}
	if long {
		l = append(l, "long-"+strings.Repeat("A", 16384-10)+"-end")
	}
	return l
}

func (b *builder) nextHostile(long bool) string {
	l := hostileStrings(long)
	s := l[b.hostileNext%len(l)]
	b.hostileNext++
	return s
}

// hostileTarget puts a hostile string into a file path's name, keeping
// the folder and extension.
func hostileTarget(target, h string) string {
	dir, name := "", target
	if i := strings.LastIndexByte(target, '\\'); i >= 0 {
		dir, name = target[:i+1], target[i+1:]
	}
	return dir + h + "-" + name
}
