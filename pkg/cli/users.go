package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/userusage"
)

// usersOptions hold everything users needs; RunE only fills them.
type usersOptions struct {
	IO     *IOStreams
	Common commonFlags

	UserKey         string
	Date, From, To  string
	Parameters      string
	Filters         string
	MaxResults      int
	PageToken       string
	AllPages        bool
	CustomerID      string
	ServiceAccounts []string
	Inputs          []string

	// From configuration files only.
	Fields, Constants map[string]string
	Now               func() time.Time
}

func newUsersCmd(a *app, runF func(context.Context, *usersOptions) error) *cobra.Command {
	opts := &usersOptions{IO: a.io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "users <user-key> {--date <day> | --from <day> --to <day>} [flags] <input>...",
		Short: "Write Google-style user usage reports (the Reports API's JSON)",
		Long: `users writes the user usage report of the Google Workspace Reports API
(usage/users) for the activity in the inputs, in exactly that API's JSON, so
that its clients read it unchanged: one UsageReports document per line.

<user-key> is all, any email of a user (any case), a profile id, or, for
data without emails, a username that only one user has. Each
report holds, for one user on one date (days drawn in --tz): accounts:*
from the user's identity (first_name, last_name, display_name, username,
is_service_account, first_activity_time, last_activity_time, num_systems,
num_projects), usage:num_events (the sum of count that date) and one
<app>:num_<action> per action the user had that date (the app is the
record's category, usage without one). A user is listed on every date from
the first time they were seen, with 0 events on quiet days.

--date gives one date; --from/--to a range, one document per date. A date
after --as-of, or more than 450 days before it, is an error as in the real
API; the newest record's date carries PARTIAL_DATA_AVAILABLE, a later one
DATA_NOT_AVAILABLE and no reports.

--parameters keeps only the named parameters (unknown ones are ignored, with
a note on stderr); --filters keeps users whose parameters meet every
condition (app:name OP value, OP one of == <> != < <= > >=, also URL-encoded
as %3C%3E, %3C=, %3E=). Pages hold --max-results reports (1-1000) and a
nextPageToken; give it back with --page-token and the same query for the
next page, or use --all-pages.

Exit status: 0 done, 1 internal error, 2 bad flag, argument or query (a bad
date, filter or token, an unknown user), 3 input rejected under --strict or
--max-errors, 4 output could not be written.`,
		Example: `  # Every user on one day, the GitHub events of GH Archive
  usagerep users all --date 2021-07-21 --as-of 2021-07-21 --profile github-events gharchive.jsonl.gz

  # One user, by any of their emails, with a few parameters
  usagerep users Alice@Example.com --date 2026-03-03 --as-of 2026-03-04 \
    --parameters accounts:last_activity_time,usage:num_events logs/

  # Busy users: more than 10 events and seen in two systems or more
  usagerep users all --date 2026-03-03 --filters 'usage:num_events>10,accounts:num_systems>=2' logs/

  # A month, one document per date, every page of each
  usagerep users all --from 2026-03-01 --to 2026-03-31 --all-pages -o march.jsonl logs/

  # Page by page, 100 at a time
  usagerep users all --date 2026-03-03 --max-results 100 logs/ > page1.json
  usagerep users all --date 2026-03-03 --max-results 100 --page-token "$(jq -r .nextPageToken page1.json)" logs/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageErrorf("give the user key (all, an email or a profile id), then at least one input")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.UserKey, opts.Inputs = args[0], args[1:]
			opts.Fields = stringMap(a.config, "fields")
			opts.Constants = stringMap(a.config, "constants")
			if !cmd.Flags().Changed("service-account") {
				opts.ServiceAccounts = append(opts.ServiceAccounts, a.config.GetStringSlice("identity.service_accounts")...)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runUsers(cmd.Context(), opts)
		},
	}
	opts.Common.register(cmd, "-")
	f := cmd.Flags()
	f.Lookup("as-of").Usage = "the end of the data and \"today\" of the date rules: a date (the end of that day in --tz) or an RFC 3339 time (default: the current time)"
	f.StringVar(&opts.Date, "date", "", "the date of the reports, YYYY-MM-DD (or --from and --to)")
	f.StringVar(&opts.From, "from", "", "first date of a range, YYYY-MM-DD: one document per date")
	f.StringVar(&opts.To, "to", "", "last date of a range, inclusive, YYYY-MM-DD")
	f.StringVar(&opts.Parameters, "parameters", "", "comma-separated app:name parameters to show (default all), e.g. accounts:last_activity_time,usage:num_events")
	f.StringVar(&opts.Filters, "filters", "", "comma-separated conditions, all to be met, e.g. 'usage:num_events>10,accounts:is_service_account==false'")
	f.IntVar(&opts.MaxResults, "max-results", userusage.DefaultMaxResults, "reports per page, 1-1000")
	f.StringVar(&opts.PageToken, "page-token", "", "resume after the page that gave this nextPageToken (same query)")
	f.BoolVar(&opts.AllPages, "all-pages", false, "write every page, one document per line, not only the first of each date")
	f.StringVar(&opts.CustomerID, "customer-id", "", "keep the records of this customer (and those naming none), shown as entity.customerId")
	f.StringArrayVar(&opts.ServiceAccounts, "service-account", nil, "glob over lower-cased emails and usernames marking service accounts (repeatable), e.g. 'svc-*'")
	return cmd
}

func runUsers(ctx context.Context, opts *usersOptions) error {
	c := &opts.Common
	set, err := c.resolve(opts.Fields, opts.Constants, opts.Now())
	if err != nil {
		return err
	}
	req := userusage.Request{
		UserKey: opts.UserKey, Date: opts.Date, From: opts.From, To: opts.To,
		Parameters: opts.Parameters, Filters: opts.Filters, MaxResults: strconv.Itoa(opts.MaxResults),
		PageToken: opts.PageToken, CustomerID: opts.CustomerID,
	}
	q, err := userusage.ParseRequest(req)
	if err == nil {
		err = q.CheckDates(set.asOf, set.loc)
		var qe *userusage.Error
		if errors.As(err, &qe) && c.AsOf == "" && q.To.Time().Before(set.asOf) {
			// Too old for today, the default as-of: most often an old
			// dump, which its own as-of reads.
			qe.Message += fmt.Sprintf(" (as-of is now; --as-of %s reports as of that date)", q.To)
		}
	}
	if err != nil {
		return usersQueryError(err, opts)
	}
	if err := identity.ValidatePatterns(opts.ServiceAccounts); err != nil {
		return usageErrorf("--service-account: %v", err)
	}

	stopProfiles, err := c.startProfiles()
	if err != nil {
		return err
	}
	defer stopProfiles()

	// Opened before any input is read: an unwritable destination fails at
	// once, not after a long scan.
	out, err := createOutput(c.Output, opts.IO)
	if err != nil {
		return outputError(err)
	}
	defer out.Abort()

	acc, err := userusage.NewAccumulator(userusage.Options{
		First: q.From, Last: q.To, Location: set.loc, AsOf: set.asOf, Customer: q.CustomerID,
	})
	if err != nil {
		return usageErrorf("%v", err)
	}
	accs, res, err := scan(ctx, opts.IO, c, set, opts.Inputs, acc.Sibling, false)
	if err != nil {
		return err
	}
	for _, o := range accs {
		acc.Merge(o)
	}
	releaseMemory()
	store := userusage.Build(acc, userusage.BuildOptions{ServiceAccountPatterns: opts.ServiceAccounts})
	releaseMemory()
	if unknown := store.Unknown(q); len(unknown) > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "usagerep: --parameters: ignoring unknown %s (neither built in nor an action of the data)\n", strings.Join(unknown, ", "))
	}

	w := userusage.NewWriter(out)
	var pages, reports int
	err = store.Pages(q, opts.AllPages, func(p *userusage.Page) error {
		pages++
		reports += len(p.Reports)
		if err := w.Write(p); err != nil {
			return outputError(err)
		}
		return nil
	})
	if err != nil {
		return usersQueryError(err, opts)
	}
	if err := out.Commit(); err != nil {
		return outputError(err)
	}
	if err := stopProfiles(); err != nil {
		return err
	}
	if !c.Quiet {
		dates := q.From.String()
		if q.To != q.From {
			dates += " to " + q.To.String()
		}
		wrote := c.Output
		if wrote == "-" {
			wrote = "standard output"
		}
		fmt.Fprintf(opts.IO.ErrOut, "usagerep: %s records read (%s rejected) from %s in %s (%s); %s on %s for %s; wrote %s\n",
			groupDigits(res.records), groupDigits(res.rejected), plural(len(res.stats.Sources), "input"),
			res.elapsed.Round(time.Millisecond), throughput(res.stats.Bytes, res.elapsed),
			pluralWord(reports, "report"), pluralWord(pages, "page"), dates, wrote)
	}
	// No range check: records before the dates still list their users.
	warnIfEmpty(opts.IO.ErrOut, res, opts.Inputs, nil)
	return nil
}

// usersQueryError turns a bad query into a usage error (exit status 2)
// naming the flag or argument at fault; other errors pass unchanged.
func usersQueryError(err error, opts *usersOptions) error {
	var qe *userusage.Error
	if !errors.As(err, &qe) {
		return err
	}
	name := map[string]string{
		"userKey": "<user-key> " + strconv.Quote(opts.UserKey), "from": "--from", "to": "--to",
		"parameters": "--parameters", "filters": "--filters", "maxResults": "--max-results",
		"pageToken": "--page-token", "customerId": "--customer-id",
	}[qe.Param]
	if qe.Param == "date" {
		switch {
		case opts.Date != "":
			name = "--date " + opts.Date
		case opts.From != "" || opts.To != "":
			name = "--from/--to"
		default:
			name = "--date"
		}
	}
	if name == "" {
		return usageErrorf("%s", qe.Message)
	}
	return usageErrorf("%s: %s", name, qe.Message)
}

// pluralWord writes "1 report", "3 reports", with digits grouped.
func pluralWord(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return groupDigits(int64(n)) + " " + noun + "s"
}
