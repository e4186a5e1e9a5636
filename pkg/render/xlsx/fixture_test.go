package xlsx

import (
	"fmt"
	"time"
	_ "time/tzdata" // the fixture's zone, whatever the machine has

	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/usage"
)

// berlin is the fixture's --tz: +01:00 in winter, +02:00 in summer, so a
// wrong conversion shows.
var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sampleReport is a small hand-made report with the cases the writer must
// get right: times in and out of summer time, zero times, formula-looking
// text, non-ASCII text, service accounts, ambiguity, duplicates, aliases.
func sampleReport() (*usage.Report, *usage.Workbook) {
	rep := &usage.Report{
		AsOf:     utc("2026-11-22T23:00:00Z"), // 2026-11-23 00:00:00 in Berlin
		Location: berlin,
	}
	wb := usage.Workbook{
		Period: usage.Period{
			Spec:  "6m",
			Label: "Last 6 Months",
			From:  utc("2026-05-22T22:00:00Z"), // 2026-05-23 00:00:00 CEST
			To:    utc("2026-11-22T23:00:00Z"),
		},
		Summary: usage.Summary{
			TotalUsers:          5,
			ByClass:             usage.ClassCounts{UsernamesOrEmails: 2, Emails: 1, DisplayNames: 1, Usernames: 1},
			ServiceAccounts:     1,
			TotalEntityTypes:    3,
			TotalProjects:       4,
			TotalEntitiesSynced: 1234567,
			Inputs:              []string{"logs/jira.jsonl.gz", "logs/github.csv"},
			Quality: usage.Quality{
				RecordsRead:         1500,
				RecordsRejected:     7,
				RecordsInWindow:     1402,
				Anonymous:           12,
				AmbiguousIdentities: 1,
				Sources: []usage.SourceQuality{
					{
						Source: "logs/jira.jsonl.gz", Read: 1000, Rejected: 5,
						RejectReasons: []usage.ReasonCount{{Reason: "missing time", Count: 3}, {Reason: "bad JSON", Count: 2}},
						InvalidEmails: 4, SyncsWithoutPeer: 1,
					},
					{Source: "logs/github.csv", Read: 500, Rejected: 2,
						RejectReasons: []usage.ReasonCount{{Reason: "too few columns", Count: 2}}},
				},
			},
		},
		UserCounts: []usage.SystemUserCount{
			{System: "GitHub", Count: 3, ClassCounts: usage.ClassCounts{UsernamesOrEmails: 1, Emails: 0, DisplayNames: 1, Usernames: 1}},
			{System: "Jira Cloud", Count: 3, ClassCounts: usage.ClassCounts{UsernamesOrEmails: 2, Emails: 1}},
			{System: "ServiceNow", Count: 1, ClassCounts: usage.ClassCounts{Emails: 1}},
		},
		UserTotal: usage.SystemUserCount{System: "Total (all systems)", Count: 5,
			ClassCounts: usage.ClassCounts{UsernamesOrEmails: 2, Emails: 1, DisplayNames: 1, Usernames: 1}},
		EntityTypes: []usage.EntityTypeRow{
			{SystemPair: "GitHub <-> Jira Cloud", EndSystem: "GitHub", EntityType: "Issue", Status: "Active", LastSynced: utc("2026-11-20T08:30:15Z")},
			{SystemPair: "GitHub <-> Jira Cloud", EndSystem: "Jira Cloud", EntityType: "Bug", Status: "Active", LastSynced: utc("2026-07-01T12:00:00Z")},
			{SystemPair: "Jira Cloud <-> ServiceNow", EndSystem: "ServiceNow", EntityType: "Incident", Status: "Inactive", LastSynced: utc("2026-06-02T23:59:59Z")},
		},
		ProjectPairs: []usage.ProjectPairRow{
			{System1: "GitHub", System2: "Jira Cloud", Project1: "acme/api", Project2: "API", Status: "Active",
				LastUpdated: utc("2026-10-01T09:00:00Z"), LastSynced: utc("2026-11-20T08:30:15Z")},
			{System1: "Jira Cloud", System2: "ServiceNow", Project1: "OPS", Project2: "=cmd|' /C calc'!A0", Status: "Inactive",
				LastSynced: utc("2026-06-02T23:59:59Z")},
		},
		SystemPairs: []usage.SystemPairRow{
			{System1: "GitHub", System2: "Jira Cloud", Entities: 1234000, LastSynced: utc("2026-11-20T08:30:15Z")},
			{System1: "Jira Cloud", System2: "ServiceNow", Entities: 567, LastSynced: utc("2026-06-02T23:59:59Z")},
		},
		Users: []usage.UserRow{
			{
				Email: "+15551234@sms.example", Username: "-dash", DisplayName: "@mention",
				Interactions: []string{"comment", "mention"},
				ObservedIn: []usage.SystemSeen{
					{System: "Jira Cloud", First: utc("2026-06-01T10:00:00Z"), Last: utc("2026-11-01T10:00:00Z")},
				},
				LastSeen:     utc("2026-11-01T10:00:00Z"),
				IdentifiedBy: identity.ClassEmail,
				ProfileID:    "p-0001",
			},
			{
				Email: "ann@example.com", Username: "ann", DisplayName: "Ann Müller",
				Interactions: []string{"assignee", "comment", "sync"},
				ObservedIn: []usage.SystemSeen{
					{System: "GitHub", First: utc("2026-05-23T06:00:00Z"), Last: utc("2026-11-20T08:30:15Z")},
					{System: "Jira Cloud", First: utc("2026-06-01T00:00:00Z"), Last: utc("2026-11-19T17:45:00Z")},
				},
				LastSeen:     utc("2026-11-20T08:30:15Z"),
				Duplicates:   []identity.Duplicate{{Username: "amueller", System: "GitHub"}, {Username: "ann.m", System: "Jira Cloud"}},
				Aliases:      []string{"ann.mueller@example.com", "amueller"},
				IdentifiedBy: identity.ClassUsernameOrEmail,
				ProfileID:    "p-0002",
			},
			{
				Email: "bot@example.com", Username: "sync-bot", DisplayName: "=HYPERLINK(\"http://evil\",\"x\")",
				Interactions:   []string{"sync"},
				ObservedIn:     []usage.SystemSeen{{System: "ServiceNow", First: utc("2026-06-02T23:59:59Z"), Last: utc("2026-06-02T23:59:59Z")}},
				ServiceAccount: true,
				LastSeen:       utc("2026-06-02T23:59:59Z"),
				IdentifiedBy:   identity.ClassUsernameOrEmail,
				ProfileID:      "p-0003",
			},
			{
				DisplayName:  "李小龍",
				Interactions: []string{"comment"},
				ObservedIn:   []usage.SystemSeen{{System: "GitHub", First: utc("2026-08-08T08:08:08Z"), Last: utc("2026-08-09T08:08:08Z")}},
				LastSeen:     utc("2026-08-09T08:08:08Z"),
				IdentifiedBy: identity.ClassDisplayName,
				Ambiguous:    true,
				ProfileID:    "p-0004",
			},
			{
				Username:     "octocat",
				Interactions: []string{"push"},
				ObservedIn:   []usage.SystemSeen{{System: "GitHub", First: utc("2026-09-01T00:00:00Z"), Last: utc("2026-09-30T00:00:00Z")}},
				IdentifiedBy: identity.ClassUsername,
				ProfileID:    "p-0005",
			},
		},
	}
	rep.Workbooks = []usage.Workbook{wb}
	return rep, &rep.Workbooks[0]
}

// bigReport is the sample report with n users shaped like real ones: two
// systems each, some duplicates and aliases.
func bigReport(n int) (*usage.Report, *usage.Workbook) {
	rep, wb := sampleReport()
	base := utc("2026-06-01T00:00:00Z")
	users := make([]usage.UserRow, n)
	for i := range users {
		first := base.Add(time.Duration(i%5000) * time.Minute)
		last := first.Add(time.Duration(i%97) * time.Hour)
		u := usage.UserRow{
			Email:        fmt.Sprintf("user%07d@example.com", i),
			Username:     fmt.Sprintf("user%07d", i),
			DisplayName:  fmt.Sprintf("User %d Example", i),
			Interactions: []string{"comment", "sync"},
			ObservedIn: []usage.SystemSeen{
				{System: "GitHub", First: first, Last: last},
				{System: "Jira Cloud", First: first.Add(time.Hour), Last: last},
			},
			LastSeen:     last,
			IdentifiedBy: identity.ClassUsernameOrEmail,
			ProfileID:    fmt.Sprintf("p-%08x", i),
		}
		if i%10 == 0 {
			u.Duplicates = []identity.Duplicate{{Username: u.Username + "-gh", System: "GitHub"}}
			u.Aliases = []string{fmt.Sprintf("u%d@example.org", i)}
		}
		users[i] = u
	}
	wb.Users = users
	return rep, wb
}
