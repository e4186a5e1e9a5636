// Command usagerep writes usage reports from exported activity logs.
package main

import (
	"os"

	"github.com/usagerep/usagerep/pkg/cli"
)

// Set by the release build (goreleaser's default ldflags).
var (
	version string
	commit  string
	date    string
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.SystemIO(), cli.BuildInfo{Version: version, Commit: commit, Date: date}))
}
