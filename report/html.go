package report

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
)

//go:embed templates
var templateFS embed.FS

// HTML renders report.html. Build it once with NewHTML and reuse it.
type HTML struct {
	tmpl   *template.Template
	style  string
	script string
	csp    string
}

// NewHTML parses the embedded template and computes the page's
// Content-Security-Policy: nothing may load, and only the page's own style
// and script (pinned by hash) may run, so even markup that slipped through
// escaping could not execute.
func NewHTML() (*HTML, error) {
	t, err := template.ParseFS(templateFS, "templates/report.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("report template: %w", err)
	}
	css, err := templateFS.ReadFile("templates/report.css")
	if err != nil {
		return nil, err
	}
	js, err := templateFS.ReadFile("templates/report.js")
	if err != nil {
		return nil, err
	}
	h := &HTML{tmpl: t, style: string(css), script: string(js)}
	h.csp = fmt.Sprintf("default-src 'none'; style-src '%s'; script-src '%s'; img-src 'none'; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'", hashSource(h.style), hashSource(h.script))
	return h, nil
}

func hashSource(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Write renders the report.
func (h *HTML) Write(w io.Writer, in *Input) error {
	v := buildView(in, h.csp)
	// The style and script are our own embedded files; mark them so the
	// template does not escape them. Nothing from a log reaches them.
	data := struct {
		*htmlView
		Style  template.CSS
		Script template.JS
	}{v, template.CSS(h.style), template.JS(h.script)}
	return h.tmpl.Execute(w, data)
}
