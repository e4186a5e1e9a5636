package analytics

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/usagerep/usagerep/pkg/record"
)

// Mention is one user named by a record: the record's own user, or one
// element of its users array with the element's overrides applied. It is
// borrowed, like the record.
type Mention struct {
	R           *record.Record
	User        *record.User
	System      string
	Project     string
	Interaction string
	Time        int64 // Unix ns

	scratch []byte // the mention holder's, for matching numbers as text
}

// SetRecord makes m the mention of r's own user, keeping m's scratch
// space: a holder reusing one Mention matches filters without allocating.
func (m *Mention) SetRecord(r *record.Record) { mentionOf(m, r, nil) }

// mentionOf fills m for the record's own user (e == nil) or element e.
func mentionOf(m *Mention, r *record.Record, e *record.UserElem) {
	*m = Mention{R: r, User: &r.User, System: r.System, Project: r.Project, Interaction: r.Interaction, Time: r.Time, scratch: m.scratch}
	if e == nil {
		return
	}
	m.User = &e.User
	if e.System != "" {
		m.System = e.System
	}
	if e.Project != "" {
		m.Project = e.Project
	}
	if e.Interaction != "" {
		m.Interaction = e.Interaction
	}
	if e.Time != record.NoTime {
		m.Time = e.Time
	}
}

type fieldKind uint8

const (
	kindText fieldKind = iota
	kindNumber
	kindTime
	kindBool
	kindProp
)

// Field is a field a filter or a segmentation reads: a canonical field or
// props.NAME.
type Field struct {
	Name string // as written: "system", "props.os"
	kind fieldKind
	id   record.Field
	prop string // NAME of props.NAME
}

// fieldKinds are the kinds of the canonical fields; the rest are text.
var fieldKinds = [record.NumFields]fieldKind{
	record.FieldTime: kindTime, record.FieldIntegrationUpdated: kindTime,
	record.FieldCount: kindNumber, record.FieldDuration: kindNumber,
	record.FieldServiceAccount: kindBool,
}

// named says whether a filter or segmentation may name f: every field
// with a value, so neither props itself (props.NAME is) nor users.
func named(f record.Field) bool { return f < record.FieldProps }

// FieldNames lists the canonical fields a filter or segmentation may
// name, besides props.NAME.
func FieldNames() []string {
	var out []string
	for f := range record.NumFields {
		if named(f) {
			out = append(out, f.String())
		}
	}
	return out
}

// ParseField reads a field name: canonical, or props.NAME.
func ParseField(name string) (Field, error) {
	if p, ok := strings.CutPrefix(name, "props."); ok {
		if p == "" {
			return Field{}, fmt.Errorf("props.: no property name")
		}
		return Field{Name: name, kind: kindProp, id: record.FieldProps, prop: p}, nil
	}
	if id, ok := record.LookupField(name); ok && named(id) {
		return Field{Name: name, kind: fieldKinds[id], id: id}, nil
	}
	return Field{}, fmt.Errorf("unknown field %q (want props.NAME or one of %s)", name, strings.Join(FieldNames(), ", "))
}

// text returns a text field's value and whether it is present. Numbers
// and times have no text here (see number).
func (f *Field) text(m *Mention) (string, bool) {
	r := m.R
	var s string
	switch f.id {
	case record.FieldKind:
		s = "activity"
		if r.Kind == record.KindSync {
			s = "sync"
		}
	case record.FieldSystem:
		s = m.System
	case record.FieldProject:
		s = m.Project
	case record.FieldEntityType:
		s = r.EntityType
	case record.FieldEntityID:
		s = r.EntityID
	case record.FieldPeerSystem:
		s = r.PeerSystem
	case record.FieldPeerProject:
		s = r.PeerProject
	case record.FieldPeerEntityType:
		s = r.PeerEntityType
	case record.FieldPeerEntityID:
		s = r.PeerEntityID
	case record.FieldIntegration:
		s = r.Integration
	case record.FieldIntegrationStatus:
		switch r.IntegrationStatus {
		case record.StatusActive:
			s = "active"
		case record.StatusInactive:
			s = "inactive"
		}
	case record.FieldOutcome:
		s = "success"
		if r.Outcome == record.OutcomeFailure {
			s = "failure"
		}
	case record.FieldAction:
		s = r.Action
	case record.FieldCategory:
		s = r.Category
	case record.FieldSession:
		s = r.Session
	case record.FieldEmail:
		s = m.User.Email
	case record.FieldUsername:
		s = m.User.Username
	case record.FieldDisplayName:
		s = m.User.DisplayName
	case record.FieldFirstName:
		s = m.User.FirstName
	case record.FieldLastName:
		s = m.User.LastName
	case record.FieldCompany:
		s = m.User.Company
	case record.FieldUserID:
		s = m.User.UserID
	case record.FieldInteraction:
		s = m.Interaction
	case record.FieldServiceAccount:
		if m.User.ServiceAccount {
			return "true", true
		}
		return "false", true
	case record.FieldCustomer:
		s = r.Customer
	case record.FieldPlan:
		s = r.Plan
	case record.FieldProps:
		for i := range r.Props {
			if r.Props[i].Key == f.prop {
				return r.Props[i].Value, r.Props[i].Value != ""
			}
		}
		return "", false
	}
	return s, s != ""
}

// instant returns a time field's value and whether it is present.
func (f *Field) instant(m *Mention) (int64, bool) {
	if f.id == record.FieldTime {
		return m.Time, true
	}
	return m.R.IntegrationUpdated, m.R.IntegrationUpdated != record.NoTime
}

// number returns a number field's value and whether it is present.
func (f *Field) number(m *Mention) (float64, bool) {
	r := m.R
	switch f.id {
	case record.FieldCount:
		return float64(r.Count), true
	case record.FieldDuration:
		return r.Duration, r.HasDuration
	}
	return 0, false
}

// Segmentable reports whether users can be split by the field: times
// have a value per record, no useful segment.
func (f *Field) Segmentable() bool { return f.kind != kindTime }

// value appends the field's value as text, for segmentation: numbers as
// strconv writes them.
func (f *Field) value(m *Mention, buf []byte) ([]byte, bool) {
	switch f.kind {
	case kindNumber:
		v, ok := f.number(m)
		if !ok {
			return buf, false
		}
		return appendNumber(buf, v), true
	}
	s, ok := f.text(m)
	return append(buf, s...), ok
}

func appendNumber(buf []byte, v float64) []byte {
	return strconv.AppendFloat(buf, v, 'f', -1, 64)
}
