// Package record defines the canonical activity record that every decoder
// produces and every report consumes, plus the small value types it uses.
//
// Records handed to a sink are borrowed: their strings and slices may point
// into the decoder's buffers and are valid only during the call. A consumer
// that keeps a value must copy it (strings.Clone). This is what lets the
// per-record path run without allocating.
package record

// Kind says whether a record is a plain activity or one synchronised entity.
type Kind uint8

const (
	KindActivity Kind = iota // default
	KindSync
)

// Status is an integration's status as written in the record.
type Status uint8

const (
	StatusUnknown Status = iota // absent
	StatusActive
	StatusInactive
)

// Outcome is the result of a sync or an action.
type Outcome uint8

const (
	OutcomeSuccess Outcome = iota // default
	OutcomeFailure
)

// NoTime marks an absent timestamp in optional time fields.
const NoTime int64 = -1 << 63

// User holds the fields that name who did something or who was observed.
// All strings are trimmed; empty means absent.
type User struct {
	Email          string
	Username       string
	DisplayName    string
	FirstName      string
	LastName       string
	Company        string
	UserID         string
	ServiceAccount bool
}

// Named reports whether any user field is present, i.e. whether the holder
// is an observation at all.
func (u *User) Named() bool {
	return u.Email != "" || u.Username != "" || u.DisplayName != "" ||
		u.FirstName != "" || u.LastName != "" || u.Company != "" ||
		u.UserID != "" || u.ServiceAccount
}

// UserElem is one element of a record's users array. Empty System, Project
// and Interaction, and Time == NoTime, mean "inherit from the record".
type UserElem struct {
	User
	System      string
	Project     string
	Interaction string
	Time        int64
}

// Prop is one extra property (an unknown field or a member of props).
// Value is the scalar's text; objects and arrays keep their raw JSON text.
type Prop struct {
	Key   string
	Value string
}

// Record is one thing that happened at one time (see spec 01-input.md).
// Times are Unix nanoseconds in UTC.
type Record struct {
	Time int64
	Kind Kind

	System     string
	Project    string
	EntityType string
	EntityID   string

	PeerSystem     string
	PeerProject    string
	PeerEntityType string
	PeerEntityID   string

	Integration        string
	IntegrationStatus  Status
	IntegrationUpdated int64 // NoTime when absent
	Outcome            Outcome

	Action   string
	Category string
	Count    int64 // >= 0, default 1
	// Duration is in seconds; HasDuration says whether it was given.
	Duration    float64
	HasDuration bool
	Session     string

	User
	Interaction string

	Customer string
	Plan     string

	Props []Prop     // only filled when the decoder was asked to keep them
	Users []UserElem // the users array (JSONL only)

	// Where the record came from, for errors: Source is the display name
	// of the file (file[:member]) and Line its 1-based line number.
	Source string
	Line   int64

	// Present has bit i set when Field(i) had a value in the input,
	// constants aside. Only decoders asked for it
	// (source.DecodeOptions.MarkPresent) fill it.
	Present uint64
}

// Reset clears r for reuse while keeping the capacity of its slices.
func (r *Record) Reset() {
	props, users := r.Props[:0], r.Users[:0]
	*r = Record{Props: props, Users: users, Count: 1, IntegrationUpdated: NoTime}
}
