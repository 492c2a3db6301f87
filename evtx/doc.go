// Package evtx turns the bytes of Windows XML Event Log (.evtx) files into
// records. It knows the file format and nothing of Sysmon or detections.
//
// Two backends implement Parser: Native (native*.go), this package's own
// decoder and the default, and GolangEvtx (golangevtx.go) over
// github.com/0xrawsec/golang-evtx, kept selectable and as the oracle of the
// differential tests.
//
// A Parser walks every 64 KiB chunk slot up to the file size (the header's
// chunk count is often stale), reports chunk integrity as flags rather than
// dropping data, and yields each record with its location so that every
// finding built on it can be traced back to a byte offset. Bad input yields
// errors with that location, never a panic that escapes the parser.
package evtx
