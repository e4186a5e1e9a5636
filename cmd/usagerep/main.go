// Command usagerep writes usage reports from exported activity logs.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/usagerep/usagerep/pkg/cli"
)

// Set by the release build (goreleaser's default ldflags).
var (
	version string
	commit  string
	date    string
)

func main() {
	// A closed stdout (usagerep export -o - | head) must be a write error
	// with exit status 4, not death by SIGPIPE.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	os.Exit(cli.Main(os.Args[1:], cli.SystemIO(), cli.BuildInfo{Version: version, Commit: commit, Date: date}))
}
