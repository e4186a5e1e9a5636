// Package userusage builds Google-style user usage reports (spec
// 05-user-usage-json.md): per user and date the parameters of the Google
// Workspace Reports API's usage/users report (accounts:*, usage:num_events
// and one <app>:num_<action> per action), selected by --parameters,
// filtered by --filters, paged by maxResults and opaque page tokens.
//
// The flow is the project's: an Accumulator per worker is fed borrowed
// records in the scan's one pass and keeps, per distinct observation, its
// first and last times and, per (observation, day) of the days asked for,
// the sums of count; Build resolves identities once over every observation
// before as-of and folds the sums per user and day into a Store; a Store
// answers any Query on its days with Pages, plain structs that AppendJSON
// writes in the exact shape of the real API. Nothing here knows of the
// command line or of HTTP: the CLI and the server share the Query type.
package userusage

import "time"

// The kinds of the real API's resources.
const (
	KindUsageReports = "admin#reports#usageReports"
	KindUsageReport  = "admin#reports#usageReport"
	EntityTypeUser   = "USER"
)

// Warning codes, as the real API's.
const (
	WarnDataNotAvailable     = "DATA_NOT_AVAILABLE"
	WarnPartialDataAvailable = "PARTIAL_DATA_AVAILABLE"
)

// Page is one UsageReports document: the reports of one date, at most
// the query's MaxResults of them.
type Page struct {
	Date          Date
	Warnings      []Warning
	NextPageToken string // empty on the last page
	Reports       []Report
}

// Warning is one entry of a page's warnings.
type Warning struct {
	Code    string
	Message string
	Data    []WarningData
}

// WarningData is one key/value pair of a warning.
type WarningData struct {
	Key, Value string
}

// Report is one user's usage on one date.
type Report struct {
	Date       Date
	Entity     Entity // its type is always USER
	Parameters []Parameter
}

// Entity names the user of a report.
type Entity struct {
	CustomerID string // empty without one
	UserEmail  string // the primary email; empty when the user has none
	ProfileID  string
}

// Parameter is one named, typed value; the field of Type holds it.
type Parameter struct {
	Name   string
	Type   Type
	Int    int64
	Bool   bool
	String string
	Time   time.Time // UTC, whole milliseconds
}
