// Package carve recovers EVTX chunks and records from raw bytes: a disk
// image's unallocated clusters, a whole image, a memory dump, a log cut
// short or overwritten in places.
//
// It reads its input in bounded windows, so memory does not depend on the
// input's size. It looks for the chunk signature "ElfChnk\0" at every byte
// offset (deleted files' clusters are only cluster aligned, and dumps are not
// aligned at all). A chunk whose header and records checksums hold is kept as
// it is. Where a chunk is damaged, or only records are left, it looks for
// record signatures "**\0\0" whose size is repeated at the record's end,
// whose id and timestamp are plausible and whose binary XML starts with a
// fragment header, and places them back at their offset inside a chunk: the
// offset is known from a surviving chunk signature, or worked out from a
// record that carries its template inline (the template's offset then points
// just behind the record's own header). The chunk header is then rebuilt
// around them, with its checksums.
//
// Records that reference a template defined by a record that did not survive
// cannot be decoded: binary XML keeps the template, with all field names,
// only once per chunk. They are counted, never guessed at.
//
// What is found is handed out as Runs: chunks at consecutive 64 KiB steps,
// presented to an evtx.Parser as an EVTX file (a synthetic 4 KiB file header
// followed by the chunks read straight from the input, with rebuilt headers
// laid over them).
package carve
