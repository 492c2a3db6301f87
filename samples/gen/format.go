package gen

// On-disk constants of the EVTX format as Windows writes it (version 3.1).
// They are restated here rather than imported from package evtx: the writer
// must not share code with the reader it is used to test.
const (
	fileMagic       = "ElfFile\x00"
	chunkMagic      = "ElfChnk\x00"
	fileHeaderSize  = 0x1000 // block the file header reserves
	fileHeaderUsed  = 0x80   // bytes of it that hold fields
	chunkSize       = 0x10000
	chunkHeaderSize = 0x200 // 128-byte header + string table + template table
	chunkHeaderUsed = 0x80
	stringBuckets   = 64
	templateBuckets = 32
	recordMagic     = "\x2a\x2a\x00\x00"
	recordOverhead  = 24 + 4 // header before the BinXML, size copy after it
	majorVersion    = 3
	minorVersion    = 1
)

// Binary XML tokens.
const (
	tokEOF              = 0x00
	tokOpenStart        = 0x01
	tokCloseStart       = 0x02
	tokCloseEmpty       = 0x03
	tokEndElement       = 0x04
	tokValue            = 0x05
	tokAttribute        = 0x06
	tokTemplateInstance = 0x0c
	tokNormalSubst      = 0x0d
	tokOptionalSubst    = 0x0e
	tokFragmentHeader   = 0x0f
	tokMoreFlag         = 0x40 // on OpenStart: has attributes; on Attribute: another follows
)

// ValueType is a BinXML value type as stored in substitution descriptors.
type ValueType uint8

// Value types Windows uses in Sysmon and Security records.
const (
	TypeNull     ValueType = 0x00
	TypeString   ValueType = 0x01 // UTF-16LE, no terminator
	TypeUInt8    ValueType = 0x04
	TypeUInt16   ValueType = 0x06
	TypeUInt32   ValueType = 0x08
	TypeUInt64   ValueType = 0x0a
	TypeGUID     ValueType = 0x0f
	TypeFileTime ValueType = 0x11
	TypeSID      ValueType = 0x13
	TypeHexInt64 ValueType = 0x15
	TypeBinXML   ValueType = 0x21
)

// noDependency marks an element whose presence depends on no substitution.
const noDependency = 0xffff
