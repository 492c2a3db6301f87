package evtx

import "time"

// Field is one named value of a record's EventData or UserData, rendered as
// text the way Windows' own XML rendering would show it.
type Field struct {
	Name  string
	Value string
}

// Record is one event record with its System values, its data fields in
// document order and where it was found.
type Record struct {
	// Location.
	File        string // path as given by the caller
	ChunkIndex  int    // 0-based chunk slot in the file
	ChunkOffset int64  // file offset of the chunk
	Offset      int64  // offset of the record inside its chunk

	// Record header.
	RecordID uint64    // EventRecordID from the record header
	Written  time.Time // record header timestamp (UTC)

	// System.
	Provider    string
	EventID     uint16
	Version     uint8
	Level       uint8
	Task        uint16
	Opcode      uint8
	Keywords    string
	TimeCreated time.Time // UTC, 100 ns precision
	Channel     string
	Computer    string
	UserID      string // Security/UserID SID, when present
	ProcessID   uint32 // Execution/ProcessID
	ThreadID    uint32 // Execution/ThreadID

	// Data holds EventData (or UserData) values in document order. Unnamed
	// values get the names they would have in Windows' rendering order
	// ("Data", "Data[2]", ...), so nothing is lost.
	Data []Field
}

// Get returns the value of the first field called name.
func (r *Record) Get(name string) (string, bool) {
	for i := range r.Data {
		if r.Data[i].Name == name {
			return r.Data[i].Value, true
		}
	}
	return "", false
}

// Value is Get without the presence flag.
func (r *Record) Value(name string) string {
	v, _ := r.Get(name)
	return v
}
