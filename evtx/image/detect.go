package image

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Kind is what the first sectors of a file say it is.
type Kind int

const (
	KindUnknown Kind = iota
	KindNTFS         // a bare NTFS volume
	KindMBR          // a disk with an MBR partition table
	KindGPT          // a disk with a GUID partition table
	KindEWF          // Expert Witness Format (E01, Ex01, L01)
	KindVirtual      // a virtual disk container (VMDK, VHDX, QCOW2)
)

func (k Kind) String() string {
	switch k {
	case KindNTFS:
		return "NTFS volume"
	case KindMBR:
		return "MBR-partitioned disk"
	case KindGPT:
		return "GPT-partitioned disk"
	case KindEWF:
		return "EWF (E01) image"
	case KindVirtual:
		return "virtual disk"
	}
	return "unknown"
}

// ErrEWF and ErrVirtual say an image is in a container format that must be
// turned into a raw image first; their text says how.
var (
	ErrEWF     = errors.New("EWF (E01) image: clicktrail reads raw images only: run `ewfexport -f raw -t disk IMAGE.E01` (Debian package ewf-tools) and scan disk.raw, or `ewfmount IMAGE.E01 /mnt/ewf` and scan /mnt/ewf/ewf1")
	ErrVirtual = errors.New("virtual disk container (VMDK, VHDX, QCOW2): clicktrail reads raw images only: run `qemu-img convert -O raw IMAGE disk.raw` (Debian package qemu-utils) and scan disk.raw")
)

const sectorSize = 512

// Signatures of container formats, which are not read, only named.
const (
	magicE01            = "EVF\x09\x0d\x0a\xff\x00"
	magicL01            = "LVF\x09\x0d\x0a\xff\x00"
	magicEx01           = "EVF2\x0d\x0a\x81\x00"
	magicLx01           = "LEF2\x0d\x0a\x81\x00"
	magicVMDK           = "KDMV"
	magicVHDX           = "vhdxfile"
	magicQCOW           = "QFI\xfb"
	magicVMDKDescriptor = "# Disk DescriptorFile"
)

func hasAnyPrefix(b []byte, prefixes ...string) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(b, []byte(p)) {
			return true
		}
	}
	return false
}

// Detect reads the first sectors of r. Only a container format is an error
// (ErrEWF, ErrVirtual); anything not recognised is KindUnknown.
func Detect(r io.ReaderAt, size int64) (Kind, error) {
	var head [2 * sectorSize]byte
	n, err := r.ReadAt(head[:], 0)
	if n < len(head) && err != nil && !errors.Is(err, io.EOF) {
		return KindUnknown, fmt.Errorf("reading the first sectors: %w", err)
	}
	b := head[:n]
	if hasAnyPrefix(b, magicE01, magicL01, magicEx01, magicLx01) {
		return KindEWF, ErrEWF
	}
	if hasAnyPrefix(b, magicVMDK, magicVHDX, magicQCOW, magicVMDKDescriptor) {
		return KindVirtual, ErrVirtual
	}
	if len(b) < sectorSize || b[510] != 0x55 || b[511] != 0xaa {
		return KindUnknown, nil
	}
	if isNTFSBoot(b) {
		return KindNTFS, nil
	}
	if hasGPT(r, size) {
		return KindGPT, nil
	}
	if _, ok := mbrEntries(b); ok {
		return KindMBR, nil
	}
	return KindUnknown, nil
}

func isNTFSBoot(sector []byte) bool {
	return len(sector) >= sectorSize && string(sector[3:11]) == "NTFS    " &&
		sector[510] == 0x55 && sector[511] == 0xaa
}
