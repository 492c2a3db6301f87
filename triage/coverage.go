package triage

import (
	"sort"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
)

// FileCoverage is what one input file contributed and how sound it was.
type FileCoverage struct {
	Path    string
	SHA256  string
	Size    int64
	Parser  string
	Records int // records decoded (all providers)

	SysmonProcessCreates int
	SysmonProcessEnds    int
	SysmonFileCreates    int
	SysmonFileStreams    int
	Security4688         int
	// SysmonEIDs counts Sysmon records by event id, for the coverage view.
	SysmonEIDs map[uint16]int

	Chunks      int
	EmptyChunks int
	BadChunks   int
	Dirty       bool
	HeaderValid bool
	FirstTime   time.Time
	LastTime    time.Time
	// Errors are the located problems the parser reported; ReadError is set
	// when the file could not be read at all.
	Errors    []string
	ReadError string
	// RecordGaps are holes in the EventRecordID sequence between sound
	// chunks: records cleared, overwritten or in chunks that could not be
	// read. MissingRecords adds them up.
	RecordGaps     []RecordGap
	MissingRecords uint64
	// ProcessStarts counts the process starts whose kept copy is in this
	// file; OrphanStarts those whose parent's own start is in no input: a
	// high share means the logs begin after the activity that matters.
	ProcessStarts int
	OrphanStarts  int
}

// RecordGap is a run of record ids absent from a file.
type RecordGap struct {
	After, Before uint64 // last id seen before the gap, first id after it
}

// NewFileCoverage starts the coverage of one file.
func NewFileCoverage(path string) *FileCoverage {
	return &FileCoverage{Path: path, SysmonEIDs: map[uint16]int{}}
}

// Count notes one record's provider and event id. It is meant to be called
// from a parser's Filter, which sees every record.
func (c *FileCoverage) Count(provider string, eventID uint16) {
	switch provider {
	case ProviderSysmon:
		c.SysmonEIDs[eventID]++
		switch eventID {
		case 1:
			c.SysmonProcessCreates++
		case 5:
			c.SysmonProcessEnds++
		case 11:
			c.SysmonFileCreates++
		case 15:
			c.SysmonFileStreams++
		}
	case ProviderSecurity:
		if eventID == 4688 {
			c.Security4688++
		}
	}
}

// Finish copies what the parser reported.
func (c *FileCoverage) Finish(rep *evtx.FileReport) {
	if rep == nil {
		return
	}
	c.Parser = rep.Parser
	c.Records = rep.Records + rep.Skipped
	c.Chunks = 0
	for _, ch := range rep.Chunks {
		if ch.Empty {
			c.EmptyChunks++
			continue
		}
		c.Chunks++
	}
	c.BadChunks = rep.BadChunks()
	c.Dirty = rep.Dirty
	c.HeaderValid = rep.HeaderValid
	c.FirstTime, c.LastTime = rep.FirstTime, rep.LastTime
	for _, err := range rep.Errors {
		c.Errors = append(c.Errors, err.Error())
	}
	c.RecordGaps, c.MissingRecords = recordGaps(rep.Chunks)
}

// recordGaps compares the record-id ranges that sound chunk headers claim.
// Chunks are ordered by first id, so a log that wrapped around is no gap.
func recordGaps(chunks []evtx.ChunkStatus) ([]RecordGap, uint64) {
	var ranges [][2]uint64
	for _, ch := range chunks {
		if ch.Empty || ch.BadMagic || !ch.HeaderCRCValid || ch.LastRecordID < ch.FirstRecordID || ch.FirstRecordID == 0 {
			continue
		}
		ranges = append(ranges, [2]uint64{ch.FirstRecordID, ch.LastRecordID})
	}
	sort.Slice(ranges, func(i, j int) bool { return ranges[i][0] < ranges[j][0] })
	var gaps []RecordGap
	var missing uint64
	for i := 1; i < len(ranges); i++ {
		prev, next := ranges[i-1][1], ranges[i][0]
		if next > prev+1 {
			gaps = append(gaps, RecordGap{After: prev, Before: next})
			missing += next - prev - 1
		}
	}
	return gaps, missing
}
