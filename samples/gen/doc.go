// Package gen writes synthetic but valid Sysmon and Security .evtx files:
// from scenarios (for tests and detection drills) and at scale (for
// benchmarks), deterministically for a given seed.
//
// # The file
//
// The writer is its own encoder and shares no code with package evtx (a
// writer and reader that share a bug would agree with each other). It
// writes what Windows writes, as read from real Sysmon and Security logs:
// a 4 KiB file header (version 3.1, clean, CRC32 of its first 120 bytes);
// 64 KiB chunks with the header CRC (bytes 0-120 and 128-512) and the
// records CRC, the 64-bucket string table and the 32-bucket template table;
// records of 8-byte multiple size whose Binary XML is a template instance.
// As on Windows the outer template holds System (with the computer name
// baked in as text) and an optional BinXml substitution for EventData,
// which is itself a fragment with its own template instance; each
// template's definition is written once per chunk, inline at its first
// use, and later instances point back to it. Substitution values carry the
// types Windows uses: UnicodeString, UInt8/16/32/64, GUID (ProcessGuid,
// ParentProcessGuid, LogonGuid), HexInt64 (LogonId, the 4688 ids),
// FILETIME (TimeCreated), SID (UserID, 4688 SIDs), BinXml (EventData).
// EventRecordIDs are consecutive across chunks and across rotated files.
//
// Event kinds: Sysmon 1 (v5), 5 (v3), 11 (v2), 15 (v2) with the field
// names and order of Sysmon 13.30+, and Security 4688 v0, v1 and v2.
//
// # Scenario files
//
// A scenario is a JSON object (unknown keys are errors):
//
//	{
//	  "name": "rule-tests",             // required
//	  "description": "...",
//	  "host": "WS-FIN-042.corp.example", // System/Computer (required)
//	  "domain": "CORP", "user": "alice", // the interactive user (defaults CORP, alice)
//	  "start": "2026-03-02T09:14:00Z",   // UTC (required)
//	  "seed": 1204,                      // all filler derives from it
//	  "background": {"per_minute": 12, "duration": "30m"}, // optional benign activity
//	  "events": [ ... ],
//	  "rules": ["office-spawns-shell", "rat-launch", "userdir-exe"], // what expect is complete for (default: these three)
//	  "expect": [{"rule": "office-spawns-shell", "image": "C:\\Windows\\System32\\wscript.exe", "case": "...", "note": "..."}]
//	}
//
// Each event has a kind and an offset "at" from start (a Go duration;
// events are written in list order, so a later event may carry an earlier
// time on purpose). Kinds and their fields:
//
//	process  Sysmon 1. image (required), command_line, current_directory,
//	         user ("DOMAIN\\name" or "NT AUTHORITY\\SYSTEM"), integrity,
//	         original_file_name, description, hashes, pid; the parent is
//	         "parent": the id of an earlier process event, or given as
//	         parent_image / parent_command_line / parent_user / parent_pid /
//	         parent_guid ("zero" for Sysmon's all-zero placeholder); with
//	         neither, the user's explorer.exe (or services.exe for SYSTEM).
//	         "emit": false creates the process without writing its record.
//	end      Sysmon 5 of "process" (an earlier process id); it cannot be
//	         referred to afterwards.
//	file     Sysmon 11: "process" created "target".
//	stream   Sysmon 15: "process" wrote stream "target" with "contents"
//	         (and "hash", computed from the contents when absent).
//	4688     Security 4688 of "process" (an existing process, as the
//	         second view of one start) or of a new process described like
//	         a process event; "version" 0, 1 or 2 (default 2).
//
// Every event may set "id" (process kinds), "host" (another computer),
// "no_computer" (leave System/Computer out), "case" and "note".
//
// Whatever a scenario leaves out is filled in the way a host has it, from
// the seed: ProcessGuids with the host's machine value in bytes 0-3 and the
// process start time (Unix seconds, little-endian) in bytes 4-7, LogonGuids
// that end in the LogonId, free PIDs that are multiples of 4, per-user
// sessions and SIDs, integrity levels, PE version info of well-known
// binaries, Hashes stable per image, TimeCreated a little after UtcTime.
//
// JSON cannot carry an unpaired UTF-16 surrogate, so strings may spell a
// code unit as {{U+XXXX}} (surrogates and U+0000 included) and a long run
// as {{REPEAT:N:C}}.
//
// Records of both channels share one file, as in a forwarded-events log.
//
// # Built-in scenarios
//
// Embedded from scenarios/*.json: rule-tests (the four methodology tests),
// atomic-t1204 (Atomic Red Team T1204 and T1219 chains), semantics-cases
// (the detection-semantics section 5 rows that need events), beyond-seed (what
// the seed rule misses and the other rules catch, with near misses), benign (none
// expected) and hostile. Their expect lists are checked against an
// independent reading of the rules in expect_test.go and against
// clicktrail itself in cmd/clicktrail/generate_e2e_test.go.
//
// # Scale
//
// Generate writes mixed benign traffic (browsers and downloads, Office,
// updaters, developer tools, Windows housekeeping) with findings planted
// every FindingEvery records, chunk by chunk in bounded memory, split into
// rotated files named like Windows' archives, and an expected.json listing
// each planted finding with its rule, image, host, ProcessGuid, record id
// and file.
//
// # Hostile content
//
// ScenarioOptions.Hostile and Options.Hostile put markup, spreadsheet
// formulas, right-to-left overrides, unpaired surrogates, NUL and a 32 KiB
// (16,384 UTF-16 units) string into command lines and file targets, fields
// the seed rules do not read, so findings stay the same. The hostile
// scenario puts such strings into images as well, with matching
// expectations.
package gen
