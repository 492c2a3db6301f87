// Command clicktrail triages Windows event logs for signs that a user was
// tricked into running something (MITRE ATT&CK T1204) and what followed.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	// Time zones for --tz travel with the binary: evidence machines often
	// have no zoneinfo.
	_ "time/tzdata"
)

func main() {
	// Decoding allocates many short-lived strings; collecting a quarter as
	// often costs some memory (well under 100 MiB on any input, see the
	// README's figures) and buys about a fifth of the run time. GOGC in the
	// environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
