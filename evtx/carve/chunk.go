package carve

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/clicktrail/clicktrail/evtx"
)

const (
	chunkMagic      = "ElfChnk\x00"
	fileMagic       = "ElfFile\x00"
	chunkHeaderSize = 0x200 // header, string table and template table
	chunkHeaderLen  = 0x80  // the header proper
)

// chunkHeaderCRC checks the header checksum: bytes 0-120 and 128-512.
func chunkHeaderCRC(c []byte) bool {
	if len(c) < chunkHeaderSize {
		return false
	}
	return headerCRC(c) == binary.LittleEndian.Uint32(c[124:])
}

func headerCRC(c []byte) uint32 {
	h := crc32.NewIEEE()
	h.Write(c[:120])
	h.Write(c[128:chunkHeaderSize])
	return h.Sum32()
}

// chunkSound says whether a chunk can be handed to a parser as it is: its
// header checksum holds, and so does its records checksum unless the chunk
// is cut short before its records end (the parser reads what is there).
func chunkSound(c []byte) bool {
	if len(c) < chunkHeaderSize || string(c[:8]) != chunkMagic || !chunkHeaderCRC(c) {
		return false
	}
	free := int(binary.LittleEndian.Uint32(c[48:]))
	if free < chunkHeaderSize || free > evtx.ChunkSize {
		return false
	}
	if free > len(c) {
		return true
	}
	return crc32.ChecksumIEEE(c[chunkHeaderSize:free]) == binary.LittleEndian.Uint32(c[52:])
}

// rebuildHeader writes a chunk header into c[:0x200] for records laid out
// from 0x200 up to free, the last one at lastOff; c holds the whole chunk so
// the records checksum can be computed. When keepTables is set the string
// and template tables already in c are trusted and kept, else zeroed: the
// parser then learns names and templates from the records that carry them.
func rebuildHeader(c []byte, firstID, lastID uint64, lastOff, free int, keepTables bool) {
	h := c[:chunkHeaderSize]
	if !keepTables {
		clear(h[chunkHeaderLen:])
	}
	clear(h[:chunkHeaderLen])
	copy(h, chunkMagic)
	binary.LittleEndian.PutUint64(h[8:], firstID)
	binary.LittleEndian.PutUint64(h[16:], lastID)
	binary.LittleEndian.PutUint64(h[24:], firstID)
	binary.LittleEndian.PutUint64(h[32:], lastID)
	binary.LittleEndian.PutUint32(h[40:], chunkHeaderLen)
	binary.LittleEndian.PutUint32(h[44:], uint32(lastOff))
	binary.LittleEndian.PutUint32(h[48:], uint32(free))
	binary.LittleEndian.PutUint32(h[52:], crc32.ChecksumIEEE(c[chunkHeaderSize:free]))
	binary.LittleEndian.PutUint32(h[124:], headerCRC(c))
}

// fileHeader is the synthetic EVTX file header in front of a run of
// chunks; only its first 128 bytes are not zero.
func fileHeader(chunks int) [chunkHeaderLen]byte {
	var h [chunkHeaderLen]byte
	copy(h[:], fileMagic)
	binary.LittleEndian.PutUint64(h[16:], uint64(max(chunks-1, 0)))
	binary.LittleEndian.PutUint32(h[32:], chunkHeaderLen)
	binary.LittleEndian.PutUint16(h[36:], 1) // minor version
	binary.LittleEndian.PutUint16(h[38:], 3) // major version
	binary.LittleEndian.PutUint16(h[40:], evtx.FileHeaderSize)
	binary.LittleEndian.PutUint16(h[42:], uint16(min(chunks, 0xffff)))
	binary.LittleEndian.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	return h
}
