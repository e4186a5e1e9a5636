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
	id   fieldID
	prop string // NAME of props.NAME
}

type fieldID uint8

const (
	fTime fieldID = iota
	fKind
	fSystem
	fProject
	fEntityType
	fEntityID
	fPeerSystem
	fPeerProject
	fPeerEntityType
	fPeerEntityID
	fIntegration
	fIntegrationStatus
	fIntegrationUpdated
	fOutcome
	fAction
	fCategory
	fCount
	fDuration
	fSession
	fEmail
	fUsername
	fDisplayName
	fFirstName
	fLastName
	fCompany
	fUserID
	fInteraction
	fServiceAccount
	fCustomer
	fPlan
	fProps
)

var fieldTable = []struct {
	name string
	kind fieldKind
}{
	fTime: {"time", kindTime}, fKind: {"kind", kindText}, fSystem: {"system", kindText},
	fProject: {"project", kindText}, fEntityType: {"entity_type", kindText}, fEntityID: {"entity_id", kindText},
	fPeerSystem: {"peer_system", kindText}, fPeerProject: {"peer_project", kindText},
	fPeerEntityType: {"peer_entity_type", kindText}, fPeerEntityID: {"peer_entity_id", kindText},
	fIntegration: {"integration", kindText}, fIntegrationStatus: {"integration_status", kindText},
	fIntegrationUpdated: {"integration_updated", kindTime}, fOutcome: {"outcome", kindText},
	fAction: {"action", kindText}, fCategory: {"category", kindText}, fCount: {"count", kindNumber},
	fDuration: {"duration", kindNumber}, fSession: {"session", kindText}, fEmail: {"email", kindText},
	fUsername: {"username", kindText}, fDisplayName: {"display_name", kindText},
	fFirstName: {"first_name", kindText}, fLastName: {"last_name", kindText}, fCompany: {"company", kindText},
	fUserID: {"user_id", kindText}, fInteraction: {"interaction", kindText},
	fServiceAccount: {"service_account", kindBool}, fCustomer: {"customer", kindText}, fPlan: {"plan", kindText},
	fProps: {"props", kindProp},
}

// FieldNames lists the canonical fields a filter or segmentation may
// name, besides props.NAME.
func FieldNames() []string {
	out := make([]string, 0, len(fieldTable))
	for _, f := range fieldTable[:fProps] {
		out = append(out, f.name)
	}
	return out
}

// ParseField reads a field name: canonical, or props.NAME.
func ParseField(name string) (Field, error) {
	if p, ok := strings.CutPrefix(name, "props."); ok {
		if p == "" {
			return Field{}, fmt.Errorf("props.: no property name")
		}
		return Field{Name: name, kind: kindProp, id: fProps, prop: p}, nil
	}
	for id, f := range fieldTable[:fProps] {
		if f.name == name {
			return Field{Name: name, kind: f.kind, id: fieldID(id)}, nil
		}
	}
	return Field{}, fmt.Errorf("unknown field %q (want props.NAME or one of %s)", name, strings.Join(FieldNames(), ", "))
}

// text returns a text field's value and whether it is present. Numbers
// and times have no text here (see number).
func (f *Field) text(m *Mention) (string, bool) {
	r := m.R
	var s string
	switch f.id {
	case fKind:
		s = "activity"
		if r.Kind == record.KindSync {
			s = "sync"
		}
	case fSystem:
		s = m.System
	case fProject:
		s = m.Project
	case fEntityType:
		s = r.EntityType
	case fEntityID:
		s = r.EntityID
	case fPeerSystem:
		s = r.PeerSystem
	case fPeerProject:
		s = r.PeerProject
	case fPeerEntityType:
		s = r.PeerEntityType
	case fPeerEntityID:
		s = r.PeerEntityID
	case fIntegration:
		s = r.Integration
	case fIntegrationStatus:
		switch r.IntegrationStatus {
		case record.StatusActive:
			s = "active"
		case record.StatusInactive:
			s = "inactive"
		}
	case fOutcome:
		s = "success"
		if r.Outcome == record.OutcomeFailure {
			s = "failure"
		}
	case fAction:
		s = r.Action
	case fCategory:
		s = r.Category
	case fSession:
		s = r.Session
	case fEmail:
		s = m.User.Email
	case fUsername:
		s = m.User.Username
	case fDisplayName:
		s = m.User.DisplayName
	case fFirstName:
		s = m.User.FirstName
	case fLastName:
		s = m.User.LastName
	case fCompany:
		s = m.User.Company
	case fUserID:
		s = m.User.UserID
	case fInteraction:
		s = m.Interaction
	case fServiceAccount:
		if m.User.ServiceAccount {
			return "true", true
		}
		return "false", true
	case fCustomer:
		s = r.Customer
	case fPlan:
		s = r.Plan
	case fProps:
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
	if f.id == fTime {
		return m.Time, true
	}
	return m.R.IntegrationUpdated, m.R.IntegrationUpdated != record.NoTime
}

// number returns a number field's value and whether it is present.
func (f *Field) number(m *Mention) (float64, bool) {
	r := m.R
	switch f.id {
	case fCount:
		return float64(r.Count), true
	case fDuration:
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
