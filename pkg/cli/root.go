// Package cli holds usagerep's commands: flags, configuration, progress and
// exit statuses. Commands parse their flags into an options struct and call a
// plain run function; report logic lives in the report packages.
package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// BuildInfo is what the release build stamps into the binary.
type BuildInfo struct {
	Version, Commit, Date string
}

// String renders the --version line, falling back to the module build
// information for `go install` builds that carry no ldflags.
func (b BuildInfo) String() string {
	v, commit, date := b.Version, b.Commit, b.Date
	if v == "" {
		v = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok {
			if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					if commit == "" {
						commit = s.Value
					}
				case "vcs.time":
					if date == "" {
						date = s.Value
					}
				}
			}
		}
	}
	var extra []string
	if commit != "" {
		extra = append(extra, "commit "+commit)
	}
	if date != "" {
		extra = append(extra, "built "+date)
	}
	if len(extra) == 0 {
		return v
	}
	return v + " (" + strings.Join(extra, ", ") + ")"
}

// app is what every command shares: streams and the loaded configuration.
type app struct {
	io         *IOStreams
	configFile string
	config     *viper.Viper
}

// NewRootCmd builds the command tree.
func NewRootCmd(io *IOStreams, info BuildInfo) *cobra.Command {
	a := &app{io: io}
	root := &cobra.Command{
		Use:   "usagerep",
		Short: "Usage reports from exported activity logs",
		Long: `usagerep turns exported activity logs (JSON Lines, JSON arrays or CSV, plain,
gzip'd or zstd'd, loose or in zip/tar bundles) into usage reports: who used which
systems, which projects and entity types were integrated, and how much was
synchronised.`,
		Example: `  # Usage Reports.zip with the last 6 months and the last year
  usagerep export --as-of 2026-11-22 logs/

  # A GitHub event stream, mapped by a built-in profile
  usagerep export --profile github-events events.jsonl.gz`,
		Version:       info.String(),
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Name() == "help" && !cmd.Parent().HasParent() {
				return nil // help must work to fix a broken configuration
			}
			v, err := loadConfig(cmd, a.configFile)
			a.config = v
			return err
		},
	}
	root.SetVersionTemplate("usagerep {{.Version}}\n")
	root.PersistentFlags().StringVar(&a.configFile, "config", "", "config file (default ./usagerep.yaml, then $XDG_CONFIG_HOME/usagerep/config.yaml)")
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErrorf("%v (see '%s --help')", err, cmd.CommandPath())
	})
	root.AddCommand(newExportCmd(a, nil))
	root.AddCommand(newAccessCmd(a, nil))
	root.AddCommand(newAnalyticsCmd(a))
	root.AddCommand(newRawCmd(a))
	root.AddCommand(newUsersCmd(a, nil))
	root.AddCommand(newServeCmd(a, nil), newTokenCmd(a))
	addToolCommands(root, a) // inspect, schema, config, completion
	return root
}

// sigpipe is notified of SIGPIPE and never read: that is what makes a
// write to a closed stdout (usagerep export -o - | head) fail with EPIPE,
// an output error (exit status 4), rather than kill the process.
var sigpipe = make(chan os.Signal, 1)

// Main runs usagerep with args and returns the exit status.
func Main(args []string, io *IOStreams, info BuildInfo) int {
	setDefaultGC()
	signal.Notify(sigpipe, syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := NewRootCmd(io, info)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	if code == ExitInternal && isArgsError(err) {
		code = ExitUsage
	}
	msg := err.Error()
	if code == ExitUsage && cmd != nil && !strings.Contains(msg, "--help") {
		msg += fmt.Sprintf(" (see '%s --help')", cmd.CommandPath())
	}
	fmt.Fprintln(io.ErrOut, "usagerep: "+msg)
	return code
}

// isArgsError recognises cobra's own argument and command errors, which
// are usage errors too.
func isArgsError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "invalid argument", "unknown flag", "unknown shorthand flag", "flag needs an argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
