package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/clicktrail/clicktrail/triage"
)

// FindingsColumns is the column order of findings.csv. It only ever grows
// at the end, with a version note in the README.
func FindingsColumns() []string {
	return []string{
		"rule", "severity", "technique", "utc_time", "host", "process_guid", "parent_process_guid",
		"pid", "image", "parent_image", "command_line", "parent_command_line", "user",
		"integrity_level", "hashes", "why", "chain", "source_file", "chunk", "file_offset", "record_id",
		// v2 (added at the end, earlier columns unchanged):
		"incident_id", "rule_title", "cause_time", "cause_process", "cause_file", "cause_url", "carved",
	}
}

// WriteFindingsCSV writes one row per finding (RFC 4180, UTF-8).
func WriteFindingsCSV(w io.Writer, in *Input) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(FindingsColumns()); err != nil {
		return err
	}
	for _, f := range in.Result.Findings {
		e := f.Event
		var causeTime, causeProc, causeFile string
		if c := f.Cause; c != nil {
			causeTime, causeProc, causeFile = fmtTime(c.Time), c.Image, c.TargetFilename
		}
		row := []string{
			f.Rule.ID, f.Severity, f.Rule.Technique, fmtTime(e.Time), e.Host,
			guid(e.ProcessGUID), guid(e.ParentProcessGUID), strconv.FormatUint(e.ProcessID, 10),
			e.Image, e.ParentImage, e.CommandLine, e.ParentCommandLine, e.User,
			e.IntegrityLevel, e.Hashes, why(f), chain(f), e.File, strconv.Itoa(e.Chunk),
			strconv.FormatInt(e.Offset, 10), strconv.FormatUint(e.RecordID, 10),
			incidentID(f), f.Rule.Title, causeTime, causeProc, causeFile, causeURL(f), strconv.FormatBool(e.Carved),
		}
		if err := cw.Write(safeRow(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CoverageColumns is the column order of coverage.csv.
func CoverageColumns() []string {
	return []string{
		"file", "sha256", "size", "parser", "records", "sysmon_process_creates", "sysmon_file_creates",
		"sysmon_file_streams", "security_4688", "first_utc", "last_utc", "chunks", "bad_chunks",
		"dirty", "errors", "first_error", "missing_record_ids", "record_id_gaps", "process_starts", "orphan_process_starts",
	}
}

// WriteCoverageCSV writes one row per input file.
func WriteCoverageCSV(w io.Writer, in *Input) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CoverageColumns()); err != nil {
		return err
	}
	for _, c := range in.Result.Files {
		first := c.ReadError
		if first == "" && len(c.Errors) > 0 {
			first = c.Errors[0]
		}
		nerr := len(c.Errors)
		if c.ReadError != "" {
			nerr++
		}
		row := []string{
			c.Path, c.SHA256, strconv.FormatInt(c.Size, 10), c.Parser, strconv.Itoa(c.Records),
			strconv.Itoa(c.SysmonProcessCreates), strconv.Itoa(c.SysmonFileCreates),
			strconv.Itoa(c.SysmonFileStreams), strconv.Itoa(c.Security4688),
			fmtTime(c.FirstTime), fmtTime(c.LastTime), strconv.Itoa(c.Chunks), strconv.Itoa(c.BadChunks),
			strconv.FormatBool(c.Dirty), strconv.Itoa(nerr), first,
			strconv.FormatUint(c.MissingRecords, 10), gapList(c.RecordGaps),
			strconv.Itoa(c.ProcessStarts), strconv.Itoa(c.OrphanStarts),
		}
		if err := cw.Write(safeRow(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// safeCell neutralises a cell a spreadsheet would evaluate (OWASP CSV
// injection): a leading quote makes it text and the original stays visible.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	// Formulas may also hide behind leading spaces or a full-width sign.
	t := strings.TrimLeft(s, " ")
	if t != s && t != "" && strings.ContainsRune("=+-@", rune(t[0])) {
		return "'" + s
	}
	if strings.HasPrefix(s, "＝") || strings.HasPrefix(s, "＋") || strings.HasPrefix(s, "－") || strings.HasPrefix(s, "＠") {
		return "'" + s
	}
	return s
}

func safeRow(row []string) []string {
	for i := range row {
		row[i] = safeCell(row[i])
	}
	return row
}

func gapList(gaps []triage.RecordGap) string {
	parts := make([]string, len(gaps))
	for i, g := range gaps {
		parts[i] = strconv.FormatUint(g.After+1, 10) + "-" + strconv.FormatUint(g.Before-1, 10)
	}
	return strings.Join(parts, " ")
}
