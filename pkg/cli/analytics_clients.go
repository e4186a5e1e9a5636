package cli

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/spf13/cobra"
)

// clientsOptions hold analytics clients' own flags.
type clientsOptions struct {
	analyticsOptions
	Limit  int
	Offset int
}

func newAnalyticsClientsCmd(a *app, runF func(context.Context, *clientsOptions) error) *cobra.Command {
	opts := &clientsOptions{analyticsOptions: analyticsOptions{IO: a.io, Now: time.Now}}
	cmd := &cobra.Command{
		Use:   "clients [flags] <input>...",
		Short: "One row per user with its latest properties, first and last seen",
		Long: `clients lists the users active in the range, one row each, in the order of
the usage reports (email, username, display name): profile id, names,
company, the systems it was seen in, first and last seen (over everything
before as-of), its active days, sessions and events in the range, and the
latest value of each of its properties: plan, customer and every
props.NAME (a column per property any listed user has; empty when the
user never had it). --limit and --offset page through the list; by
default it is whole.

The xlsx sheet is streamed, so the list may be as long as Excel allows
(and continues on "Clients (2)" beyond).

Exit status: 0 done, 1 internal error, 2 bad flag or argument, 3 input
rejected under --strict or --max-errors, 4 output could not be written.`,
		Example: `  # Every user of March with its properties, as CSV
  usagerep analytics clients --from 2026-03-01 --to 2026-03-31 -o clients.csv logs/

  # The first page of 100, as JSON
  usagerep analytics clients --limit 100 logs/

  # The Windows users, as a workbook
  usagerep analytics clients --filter 'props.os ~ ^Windows' -o clients.xlsx logs/

  # One row per session: its id, user, start, end, runtime and events
  usagerep analytics clients --by session -o sessions.csv logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: analyticsRunE(a, opts, runF, runClients),
	}
	opts.register(cmd)
	f := cmd.Flags()
	f.IntVar(&opts.Limit, "limit", 0, "list this many users; 0 for all")
	f.IntVar(&opts.Offset, "offset", 0, "skip this many users first")
	return cmd
}

func runClients(ctx context.Context, opts *clientsOptions) error {
	return runAnalytics(ctx, &opts.analyticsOptions, "clients", url.Values{
		"limit": {strconv.Itoa(opts.Limit)}, "offset": {strconv.Itoa(opts.Offset)},
	})
}
