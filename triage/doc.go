// Package triage turns event records into what happened: normalised process
// and file events, per-host process trees across files, detections that say
// why they fired, and per-file coverage. It never prints, exits or knows
// about output formats.
package triage
