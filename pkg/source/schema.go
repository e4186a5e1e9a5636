package source

import "slices"

// FieldInfo describes one canonical field (spec 01-input.md) for the
// schema command and inspect.
type FieldInfo struct {
	Name string
	// Type is the field's value type: timestamp, string, enum, integer,
	// number, duration, bool, object or array.
	Type string
	// Values lists the accepted values of an enum (the first is the default).
	Values      []string
	Description string
	// Aliases are the other names read without configuration, best first.
	Aliases []string
	// InUsers says whether an element of users[] may carry the field.
	InUsers bool
	// Required is true for time alone.
	Required bool
}

// fieldDocs are the types and meanings of the fields, by fieldID.
var fieldDocs = [fType]struct {
	typ    string
	values []string
	desc   string
}{
	fTime:               {"timestamp", nil, "when it happened: RFC 3339, \"YYYY-MM-DD HH:MM:SS\" (UTC), or Unix epoch seconds or milliseconds"},
	fKind:               {"enum", []string{"activity", "sync"}, "a sync record is one entity synchronised between two end systems"},
	fSystem:             {"string", nil, "the system where it happened or where the user was observed"},
	fProject:            {"string", nil, "project, space or repository inside system"},
	fEntityType:         {"string", nil, "Bug, Story, Incident, ..."},
	fEntityID:           {"string", nil, "the entity's id, e.g. PROJ-12"},
	fPeerSystem:         {"string", nil, "the other end of a sync: its system"},
	fPeerProject:        {"string", nil, "the other end of a sync: its project"},
	fPeerEntityType:     {"string", nil, "the other end of a sync: its entity type"},
	fPeerEntityID:       {"string", nil, "the other end of a sync: its entity id"},
	fIntegration:        {"string", nil, "name or id of the integration that did the sync"},
	fIntegrationStatus:  {"enum", []string{"active", "inactive"}, "the integration's status when the record was written"},
	fIntegrationUpdated: {"timestamp", nil, "when the integration's configuration was last changed"},
	fOutcome:            {"enum", []string{"success", "failure"}, "result of a sync or an action; ok and succeeded mean success, failed and error mean failure"},
	fAction:             {"string", nil, "event name: comment, scan_upload, login, sync, ..."},
	fCategory:           {"string", nil, "event category, grouping actions"},
	fCount:              {"integer", nil, "how many times, 0 or more (default 1)"},
	fDuration:           {"duration", nil, "time spent: seconds, or a Go duration such as 1m30s"},
	fSession:            {"string", nil, "session id"},
	fEmail:              {"string", nil, "the user's email; lower-cased, dropped when not an email"},
	fUsername:           {"string", nil, "the user's login name; compared case-insensitively"},
	fDisplayName:        {"string", nil, "the user's shown name; compared case-insensitively, inner spaces collapsed"},
	fFirstName:          {"string", nil, "the user's first name"},
	fLastName:           {"string", nil, "the user's last name"},
	fCompany:            {"string", nil, "the user's company"},
	fUserID:             {"string", nil, "the user's id in its system"},
	fInteraction:        {"string", nil, "where the user was detected: mapped_field, comment, attachment, mention, update, creator, ..."},
	fServiceAccount:     {"bool", nil, "the user is an integration's service account (true/false, yes/no, 1/0)"},
	fCustomer:           {"string", nil, "tenant, for filtering"},
	fPlan:               {"string", nil, "subscription plan, for filtering"},
	fProps:              {"object", nil, "any other properties (os, version, country, ...); unknown fields are kept here too"},
	fUsers:              {"array", nil, "several users observed by one record (JSON Lines only); each element holds user fields and may override system, project, interaction and time"},
}

// Fields lists the canonical fields in their canonical order: Fields()[i]
// is bit i of record.Record.Present.
func Fields() []FieldInfo {
	out := make([]FieldInfo, 0, fType)
	for f := range fType {
		doc := fieldDocs[f]
		fi := FieldInfo{
			Name:        fieldNames[f],
			Type:        doc.typ,
			Values:      slices.Clone(doc.values),
			Description: doc.desc,
			Aliases:     slices.Clone(defaultAliases[f]),
			InUsers:     slices.Contains(elemFields, f),
			Required:    f == fTime,
		}
		if f == fKind || f == fAction {
			fi.Aliases = append(fi.Aliases, "type")
		}
		out = append(out, fi)
	}
	return out
}

// TypeAliasNote says how the "type" alias is read, for the schema.
const TypeAliasNote = `"type" feeds kind when its value is sync or activity, and action otherwise`

// FieldPaths lists, for every canonical field that m does not make a
// constant, the source paths (JSON) or headers (CSV) it is read from,
// best first: its mapped path, or its name and default aliases. It fails
// on a mapping NewDecoder would refuse.
func FieldPaths(m Mapping) (map[string][]string, error) {
	c, err := compileMapping(m)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, e := range c.entries {
		if e.t.f == fType {
			for _, f := range []fieldID{fKind, fAction} {
				if (f == fKind && c.typeFeedsKind) || (f == fAction && c.typeFeedsAction) {
					out[fieldNames[f]] = append(out[fieldNames[f]], e.path)
				}
			}
			continue
		}
		if c.constMask&(1<<e.t.f) != 0 {
			continue
		}
		out[fieldNames[e.t.f]] = append(out[fieldNames[e.t.f]], e.path)
	}
	return out, nil
}

// Description is what a file or member name is taken for.
type Description struct {
	// Compression lists the compression layers, outermost first: gzip, zstd.
	Compression []string
	// Bundle is "tar" or "zip" for a bundle read member by member.
	Bundle string
	// Format is the record format of a data stream (FormatAuto when the
	// name says nothing and no format is forced: such a file is skipped).
	Format Format
}

// Describe says how Scan reads the file or member called name, with the
// record format forced by ScanOptions.Format (FormatAuto for none). Only
// the last element of the name counts, so "b.tar:x/y.csv.gz" is a gzip'd
// CSV member.
func Describe(name string, forced Format) Description {
	k := classify(name, forced)
	d := Description{Format: k.format}
	for _, c := range k.comps {
		d.Compression = append(d.Compression, c.String())
	}
	switch k.bundle {
	case bundleTar:
		d.Bundle, d.Format = "tar", FormatAuto
	case bundleZip:
		d.Bundle, d.Format = "zip", FormatAuto
	}
	return d
}

// profileDocs say what each built-in profile is for.
var profileDocs = map[string]string{
	"github-events": "GitHub's event stream (the REST events API, GH Archive)",
	"wikiticker":    "Wikipedia's recent changes, as in Druid's wikiticker sample",
	"git-log":       "a git log export, one record per commit with author_* and committer_* fields",
}

// ProfileDescription says what the built-in profile name is for.
func ProfileDescription(name string) string { return profileDocs[name] }
