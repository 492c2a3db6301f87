// Package image finds EVTX logs inside raw disk images without mounting
// them: it recognises a partitioned disk (MBR or GPT) or a bare NTFS volume,
// walks each NTFS volume's file table for *.evtx files, and serves each
// file's bytes straight from the image, a read at a time, so memory does not
// grow with the size of a log or of the image.
//
// Names. A log inside an image is named by the image path, a '#', the
// volume, a ':' and its path inside the volume with forward slashes:
//
//	disk.img#p2:/Windows/System32/winevt/Logs/Security.evtx   partition 2 (table order, from 1)
//	vol.img#/Windows/System32/winevt/Logs/Security.evtx        a bare NTFS volume image
//
// NTFS parsing is done by www.velocidex.com/golang/go-ntfs. Expert Witness
// (E01) and virtual disk formats are recognised only to say how to turn
// them into a raw image first.
package image
