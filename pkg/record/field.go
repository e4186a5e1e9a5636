package record

// Field is a canonical field of a record (spec 01-input.md), one id for
// the decoders, mappings, filters and Record.Present alike. The order is
// the order in which a record's fields are checked, so time comes first,
// and bit i of Record.Present is Field(i).
type Field uint8

const (
	FieldTime Field = iota
	FieldKind
	FieldSystem
	FieldProject
	FieldEntityType
	FieldEntityID
	FieldPeerSystem
	FieldPeerProject
	FieldPeerEntityType
	FieldPeerEntityID
	FieldIntegration
	FieldIntegrationStatus
	FieldIntegrationUpdated
	FieldOutcome
	FieldAction
	FieldCategory
	FieldCount
	FieldDuration
	FieldSession
	FieldEmail
	FieldUsername
	FieldDisplayName
	FieldFirstName
	FieldLastName
	FieldCompany
	FieldUserID
	FieldInteraction
	FieldServiceAccount
	FieldCustomer
	FieldPlan
	// FieldProps and FieldUsers hold other fields rather than a value;
	// they come last.
	FieldProps
	FieldUsers
	// NumFields is the number of canonical fields.
	NumFields
)

// fieldNames are the canonical names, as written in records and mappings.
var fieldNames = [NumFields]string{
	FieldTime:               "time",
	FieldKind:               "kind",
	FieldSystem:             "system",
	FieldProject:            "project",
	FieldEntityType:         "entity_type",
	FieldEntityID:           "entity_id",
	FieldPeerSystem:         "peer_system",
	FieldPeerProject:        "peer_project",
	FieldPeerEntityType:     "peer_entity_type",
	FieldPeerEntityID:       "peer_entity_id",
	FieldIntegration:        "integration",
	FieldIntegrationStatus:  "integration_status",
	FieldIntegrationUpdated: "integration_updated",
	FieldOutcome:            "outcome",
	FieldAction:             "action",
	FieldCategory:           "category",
	FieldCount:              "count",
	FieldDuration:           "duration",
	FieldSession:            "session",
	FieldEmail:              "email",
	FieldUsername:           "username",
	FieldDisplayName:        "display_name",
	FieldFirstName:          "first_name",
	FieldLastName:           "last_name",
	FieldCompany:            "company",
	FieldUserID:             "user_id",
	FieldInteraction:        "interaction",
	FieldServiceAccount:     "service_account",
	FieldCustomer:           "customer",
	FieldPlan:               "plan",
	FieldProps:              "props",
	FieldUsers:              "users",
}

// String is the field's canonical name, "" for an id past NumFields.
func (f Field) String() string {
	if f >= NumFields {
		return ""
	}
	return fieldNames[f]
}

// LookupField returns the canonical field of that name.
func LookupField(name string) (Field, bool) {
	for f := range NumFields {
		if fieldNames[f] == name {
			return f, true
		}
	}
	return 0, false
}
