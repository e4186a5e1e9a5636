package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/output"
	"github.com/usagerep/usagerep/pkg/source"
)

type schemaOptions struct {
	IO   *IOStreams
	JSON bool
}

func newSchemaCmd(a *app) *cobra.Command {
	opts := &schemaOptions{IO: a.io}
	cmd := &cobra.Command{
		Use:   "schema [flags]",
		Short: "List the canonical record's fields, types and aliases",
		Long: `schema lists the fields of the canonical record that every input is read into:
their types, the other names read without configuration (aliases), and what
they mean. With --json it writes a JSON Schema (draft 2020-12) of one JSON
Lines record, with each field's aliases under "x-aliases".

A CSV header names the same fields; nested JSON objects are dotted headers
(user.email). Map other names with fields: in usagerep.yaml or --map.`,
		Example: `  # The fields, for a person
  usagerep schema

  # Validate records with a JSON Schema tool
  usagerep schema --json > record.schema.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSchema(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write a JSON Schema document")
	return cmd
}

func runSchema(opts *schemaOptions) error {
	out, err := createOutput(output.Stdout, opts.IO)
	if err != nil {
		return outputError(err)
	}
	if opts.JSON {
		err = writeJSON(out, recordSchema())
	} else {
		err = writeSchemaText(out)
	}
	if err != nil {
		return outputError(err)
	}
	if err := out.Commit(); err != nil {
		return outputError(err)
	}
	return nil
}

func writeSchemaText(w io.Writer) error {
	ew := &errWriter{w: w}
	writeTable(ew, func(tw io.Writer) {
		fmt.Fprintln(tw, "FIELD\tTYPE\tALIASES\tMEANING")
		for _, f := range source.Fields() {
			typ := f.Type
			if len(f.Values) > 0 {
				typ = strings.Join(f.Values, "|")
			}
			if f.Required {
				typ += " (required)"
			}
			aliases := strings.Join(f.Aliases, ", ")
			if aliases == "" {
				aliases = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, typ, aliases, f.Description)
		}
	})
	var elem []string
	for _, f := range source.Fields() {
		if f.InUsers {
			elem = append(elem, f.Name)
		}
	}
	fmt.Fprintf(ew, "\nNotes:\n  %s.\n  A users[] element may carry %s.\n  Any other field is kept as a property, like a member of props.\n",
		source.TypeAliasNote, strings.Join(elem, ", "))
	return ew.err
}

// jsonSchema is a JSON Schema (draft 2020-12) node, only the keywords used.
type jsonSchema struct {
	Schema      string                 `json:"$schema,omitempty"`
	Title       string                 `json:"title,omitempty"`
	Description string                 `json:"description,omitempty"`
	Type        any                    `json:"type,omitempty"`
	Enum        []string               `json:"enum,omitempty"`
	Minimum     *float64               `json:"minimum,omitempty"`
	Pattern     string                 `json:"pattern,omitempty"`
	Required    []string               `json:"required,omitempty"`
	Properties  map[string]*jsonSchema `json:"properties,omitempty"`
	Items       *jsonSchema            `json:"items,omitempty"`
	Additional  *bool                  `json:"additionalProperties,omitempty"`
	Examples    []any                  `json:"examples,omitempty"`
	Aliases     []string               `json:"x-aliases,omitempty"`
}

// recordSchema describes one JSON Lines record. It is lenient where the
// decoder is: numbers may come as strings, enums in any case.
func recordSchema() *jsonSchema {
	yes := true
	root := &jsonSchema{
		Schema: "https://json-schema.org/draft/2020-12/schema",
		Title:  "usagerep canonical record",
		Description: "One line of a JSON Lines input of usagerep. Only time is required; strings are trimmed and an " +
			"empty string is absent. " + source.TypeAliasNote + ". Unknown fields are kept as properties.",
		Type:       "object",
		Required:   []string{"time"},
		Properties: map[string]*jsonSchema{},
		Additional: &yes,
	}
	elem := &jsonSchema{Type: "object", Properties: map[string]*jsonSchema{}, Additional: &yes}
	for _, f := range source.Fields() {
		s := fieldSchema(f)
		root.Properties[f.Name] = s
		if f.InUsers {
			e := *s
			e.Aliases = nil
			elem.Properties[f.Name] = &e
		}
	}
	root.Properties["users"].Items = elem
	return root
}

func fieldSchema(f source.FieldInfo) *jsonSchema {
	zero := 0.0
	s := &jsonSchema{Description: f.Description, Aliases: f.Aliases}
	switch f.Type {
	case "timestamp":
		s.Type = []string{"string", "number"}
		s.Examples = []any{"2026-03-03T10:15:00Z", "2026-03-03 10:15:00", 1772532900}
	case "enum":
		s.Type = "string"
		s.Enum = f.Values
		if f.Name == "outcome" {
			s.Enum = []string{"success", "ok", "succeeded", "failure", "failed", "error"}
		}
		s.Description += " (any case)"
	case "integer":
		s.Type = []string{"integer", "string"}
		s.Minimum = &zero
		s.Pattern = `^\s*[0-9]+(\.0*)?\s*$`
	case "duration":
		s.Type = []string{"number", "string"}
		s.Minimum = &zero
		s.Examples = []any{90, "1m30s"}
	case "bool":
		s.Type = []string{"boolean", "string"}
	case "object":
		s.Type = "object"
	case "array":
		s.Type = "array"
	default:
		s.Type = "string"
	}
	return s
}
