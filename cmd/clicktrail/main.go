// Command clicktrail triages Windows event logs for signs that a user was
// tricked into running something (MITRE ATT&CK T1204) and what followed.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
