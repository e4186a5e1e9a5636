package source

import (
	"maps"
	"slices"
)

// profiles are the mappings shipped for well-known export formats,
// selected with --profile NAME.
var profiles = map[string]Mapping{
	// GitHub's event stream (the REST events API, GH Archive).
	"github-events": {
		Fields: map[string]string{
			"time":         "created_at",
			"username":     "actor.login",
			"display_name": "actor.display_login",
			"project":      "repo.name",
			"action":       "type",
			"customer":     "org.login",
			"user_id":      "actor.id",
		},
		Constants: map[string]string{"system": "GitHub"},
	},
	// Wikipedia's recent-changes feed as published by Druid's "wikiticker"
	// sample: one edit per record; isRobot marks bot accounts.
	"wikiticker": {
		Fields: map[string]string{
			"time":            "time",
			"username":        "user",
			"project":         "channel",
			"entity_type":     "namespace",
			"entity_id":       "page",
			"service_account": "isRobot",
		},
		Constants: map[string]string{"system": "Wikipedia", "action": "edit"},
	},
	// One record per commit, as written by a `git log` export with
	// author_* and committer_* fields; the author is the user.
	"git-log": {
		Fields: map[string]string{
			"time":         "author_date",
			"email":        "author_email",
			"display_name": "author_name",
			"project":      "project",
			"action":       "event",
		},
		Constants: map[string]string{"system": "git"},
	},
}

// Profile returns the built-in mapping called name. The mapping is a copy
// that the caller may change.
func Profile(name string) (Mapping, bool) {
	p, ok := profiles[name]
	if !ok {
		return Mapping{}, false
	}
	return Mapping{Fields: maps.Clone(p.Fields), Constants: maps.Clone(p.Constants)}, true
}

// ProfileNames lists the built-in profiles in sorted order.
func ProfileNames() []string {
	return slices.Sorted(maps.Keys(profiles))
}
