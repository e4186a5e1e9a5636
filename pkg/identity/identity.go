// Package identity decides which observations are one user: the
// priority-ordered matcher of spec 02-identity.md (usernames or emails,
// emails, display names, usernames), run once over distinct observations.
package identity

// Class is the priority class an identity was created in.
type Class uint8

const (
	ClassUsernameOrEmail Class = 1 // both email and username
	ClassEmail           Class = 2 // email only
	ClassDisplayName     Class = 3 // display name, no email
	ClassUsername        Class = 4 // username only
)

// Name is the class's column label in the reports.
func (c Class) Name() string {
	switch c {
	case ClassUsernameOrEmail:
		return "Usernames or Emails"
	case ClassEmail:
		return "Emails"
	case ClassDisplayName:
		return "Display Names"
	case ClassUsername:
		return "Usernames"
	}
	return "Unknown"
}

// Observation is one distinct way a user was seen, aggregated over the
// records of a window that carried exactly these values.
type Observation struct {
	System string
	// Email is normalised (lower-cased, valid) or empty. Username and
	// DisplayName are trimmed, in their original spelling.
	Email       string
	Username    string
	DisplayName string
	FirstName   string
	LastName    string
	Company     string
	UserID      string

	Interactions   []string // interaction types seen, any order
	ServiceAccount bool

	Count int64 // records that carried this observation
	First int64 // earliest time (Unix ns)
	Last  int64 // latest time (Unix ns)
}

// SystemSeen is one system an identity was observed in.
type SystemSeen struct {
	System      string
	First, Last int64
}

// Duplicate is one username of an identity's email in one system.
type Duplicate struct {
	Username string // first spelling
	System   string
}

// Identity is one resolved user.
type Identity struct {
	Class     Class
	Ambiguous bool // a display-name component that matched several identities

	// Primary values, shown in their first spelling; empty when absent.
	Email, Username, DisplayName string
	FirstName, LastName, Company string
	// Every other distinct normalised value, in first spelling, sorted.
	EmailAliases, UsernameAliases, DisplayNameAliases []string

	Systems        []SystemSeen // sorted by system name
	Interactions   []string     // sorted
	ServiceAccount bool
	LastSeen       int64
	Duplicates     []Duplicate // sorted by system, then username
	ProfileID      string

	// Observations are indices into the slice given to Resolve.
	Observations []int
}

// Options tune resolution.
type Options struct {
	// ServiceAccountPatterns are globs (path.Match syntax) matched against
	// the lower-cased email and username of every observation.
	ServiceAccountPatterns []string
}

// Result is the outcome of Resolve.
type Result struct {
	Identities []Identity // sorted by email, then username, then display name
	Anonymous  int64      // observation records naming nobody (no email, username or display name)
}
