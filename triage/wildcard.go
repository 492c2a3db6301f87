package triage

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pattern is a compiled EQL ':' operand: anchored, case-insensitive, '*'
// matches any run of characters and '?' exactly one character (a rune, not
// a byte). There is no escape: '\' is a literal backslash, as in ES once the
// rule string is unescaped.
type Pattern struct {
	Text  string // as written in the rule
	lower string // simple-folded, for matching
	exact bool   // no wildcard at all
	// Literal parts every match must have, checked before the full match:
	// most values fail on them in one call to the strings package.
	prefix, suffix, inner string
}

// Compile prepares text for matching.
func Compile(text string) Pattern {
	p := Pattern{Text: text, lower: fold(text), exact: !strings.ContainsAny(text, "*?")}
	if p.exact {
		return p
	}
	first := strings.IndexAny(p.lower, "*?")
	last := strings.LastIndexAny(p.lower, "*?")
	p.prefix, p.suffix = p.lower[:first], p.lower[last+1:]
	for _, seg := range strings.FieldsFunc(p.lower[first:last+1], func(r rune) bool { return r == '*' || r == '?' }) {
		if len(seg) > len(p.inner) {
			p.inner = seg
		}
	}
	return p
}

// Match reports whether the whole of s matches.
func (p Pattern) Match(s string) bool { return p.matchFolded(fold(s)) }

// matchFolded matches a value already passed through fold, so a condition
// with many patterns folds its value once.
func (p *Pattern) matchFolded(fs string) bool {
	if p.exact {
		return fs == p.lower
	}
	if !strings.HasPrefix(fs, p.prefix) || !strings.HasSuffix(fs, p.suffix) || !strings.Contains(fs, p.inner) {
		return false
	}
	return wildMatch(p.lower, fs)
}

// fold lower-cases with Unicode simple folding so that "JÜRGEN" and
// "jürgen" compare equal.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	return strings.Map(unicode.ToLower, s)
}

// wildMatch is the classic greedy matcher with one backtrack point, which
// is linear for patterns with '*' only and never recurses, so hostile
// command lines cannot make it blow up.
func wildMatch(p, s string) bool {
	var pi, si int
	star, mark := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch p[pi] {
			case '*':
				star, mark = pi, si
				pi++
				continue
			case '?':
				_, w := utf8.DecodeRuneInString(s[si:])
				pi++
				si += w
				continue
			default:
				pr, pw := utf8.DecodeRuneInString(p[pi:])
				sr, sw := utf8.DecodeRuneInString(s[si:])
				if pr == sr {
					pi += pw
					si += sw
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		_, w := utf8.DecodeRuneInString(s[mark:])
		mark += w
		si = mark
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
