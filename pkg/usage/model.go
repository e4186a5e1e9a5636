package usage

import (
	"time"

	"github.com/usagerep/usagerep/pkg/identity"
)

// Report is everything Usage Reports.zip holds: one workbook per period.
type Report struct {
	AsOf      time.Time // end of every window
	Location  *time.Location
	Workbooks []Workbook
}

// Workbook is the model of one "Usage Report (Last N ...).xlsx".
type Workbook struct {
	Period  Period
	Summary Summary

	UserCounts   []SystemUserCount // one per system, sorted by system name
	UserTotal    SystemUserCount   // System is "Total (all systems)"
	EntityTypes  []EntityTypeRow
	ProjectPairs []ProjectPairRow
	SystemPairs  []SystemPairRow
	Users        []UserRow
}

// Period is one reporting window [From, To).
type Period struct {
	Spec  string // as given: "6m"
	Label string // "Last 6 Months"
	From  time.Time
	To    time.Time
}

// FileName is the workbook's name inside the zip.
func (p Period) FileName() string { return "Usage Report (" + p.Label + ").xlsx" }

// ClassCounts is a number of identities broken down by identity class.
type ClassCounts struct {
	UsernamesOrEmails int64
	Emails            int64
	DisplayNames      int64
	Usernames         int64
}

// Summary is the Summary sheet.
type Summary struct {
	TotalUsers          int64
	ByClass             ClassCounts
	ServiceAccounts     int64
	TotalEntityTypes    int64
	TotalProjects       int64
	TotalEntitiesSynced int64

	Inputs  []string // display names of the inputs read
	Quality Quality
}

// Quality is the data-quality section.
type Quality struct {
	RecordsRead         int64 // good + rejected, all times
	RecordsRejected     int64
	RecordsInWindow     int64
	Anonymous           int64 // observations naming nobody, in the window
	AmbiguousIdentities int64
	Sources             []SourceQuality
}

// SourceQuality is one input's line in the data-quality section.
type SourceQuality struct {
	Source           string
	Read             int64
	Rejected         int64
	RejectReasons    []ReasonCount // sorted by count desc, then reason
	InvalidEmails    int64         // emails dropped as not an email
	SyncsWithoutPeer int64         // sync records missing system or peer_system
}

// ReasonCount is how many records were rejected for one reason.
type ReasonCount struct {
	Reason string
	Count  int64
}

// SystemUserCount is one row of Unique User Count.
type SystemUserCount struct {
	System string
	Count  int64
	ClassCounts
}

// EntityTypeRow is one row of Entity Type Count.
type EntityTypeRow struct {
	SystemPair string // "A <-> B"
	EndSystem  string
	EntityType string
	Status     string // "Active" / "Inactive"
	LastSynced time.Time
}

// ProjectPairRow is one row of Integrated Project Count.
type ProjectPairRow struct {
	System1, System2   string
	Project1, Project2 string
	Status             string
	LastUpdated        time.Time // zero when the data has none
	LastSynced         time.Time
}

// SystemPairRow is one row of Synced Data Count.
type SystemPairRow struct {
	System1, System2 string
	Entities         int64
	LastSynced       time.Time
}

// SystemSeen is one "System (first seen - last seen)" of Observed In.
type SystemSeen struct {
	System      string
	First, Last time.Time
}

// UserRow is one row of Detailed User Report.
type UserRow struct {
	Email, Username, DisplayName string
	Interactions                 []string
	ObservedIn                   []SystemSeen
	ServiceAccount               bool
	LastSeen                     time.Time
	Duplicates                   []identity.Duplicate
	Aliases                      []string
	IdentifiedBy                 identity.Class
	Ambiguous                    bool
	ProfileID                    string
}
