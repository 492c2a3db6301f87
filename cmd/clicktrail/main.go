// Command clicktrail triages Windows event logs for signs that a user was
// tricked into running something (MITRE ATT&CK T1204) and what followed.
package main

import (
	"context"
	"os"
	"os/signal"
	// Time zones for --tz travel with the binary: evidence machines often
	// have no zoneinfo.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
