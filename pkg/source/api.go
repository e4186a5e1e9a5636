// Package source finds inputs (files, directories, bundles, stdin), reads and
// decompresses them, cuts them into chunks of whole records, and decodes the
// chunks (JSON Lines or CSV, through a field mapping) into canonical records
// on several workers at once. Bad records become Rejects with their location.
package source

import (
	"fmt"

	"github.com/usagerep/usagerep/pkg/record"
)

// Format is the record encoding of an input.
type Format uint8

const (
	FormatAuto Format = iota // decide from the file name
	FormatJSONL
	FormatCSV
)

func (f Format) String() string {
	switch f {
	case FormatJSONL:
		return "jsonl"
	case FormatCSV:
		return "csv"
	}
	return "auto"
}

// ParseFormat reads a --format value for inputs ("jsonl", "csv", "" = auto).
func ParseFormat(s string) (Format, error) {
	switch s {
	case "", "auto":
		return FormatAuto, nil
	case "jsonl", "ndjson", "json":
		return FormatJSONL, nil
	case "csv":
		return FormatCSV, nil
	}
	return FormatAuto, fmt.Errorf("unknown input format %q (want jsonl or csv)", s)
}

// Mapping says where canonical fields come from in a foreign dump.
// Fields maps a canonical field name (e.g. "username") to a dotted path in a
// JSON record ("actor.login") or to a CSV header. A mapped field is read only
// from its mapped path (its default aliases no longer apply). Constants sets
// a canonical field to a fixed value for every record.
type Mapping struct {
	Fields    map[string]string `mapstructure:"fields" json:"fields,omitempty" yaml:"fields,omitempty"`
	Constants map[string]string `mapstructure:"constants" json:"constants,omitempty" yaml:"constants,omitempty"`
}

// Input is one stream of records: a file, a member of a bundle, or stdin.
type Input struct {
	Name   string // display name: path, path:member, or "-"
	Format Format
}

// Chunk is a run of whole records from one input, the unit of parallel work.
type Chunk struct {
	Input     *Input
	Data      []byte // whole lines; the last may lack its '\n'
	FirstLine int64  // 1-based line number of Data's first line
	// Header is the CSV header line (no line end) of the input, nil for JSONL.
	Header []byte
}

// Reject is one record that could not be read.
type Reject struct {
	Source string // file[:member]
	Line   int64
	Reason string // short, stable category: "invalid JSON", "missing time", ...
	Detail string // specifics, may be empty
	Raw    []byte // the record verbatim (borrowed; copy to keep)
}

func (r Reject) Error() string {
	if r.Detail == "" {
		return fmt.Sprintf("%s:%d: %s", r.Source, r.Line, r.Reason)
	}
	return fmt.Sprintf("%s:%d: %s: %s", r.Source, r.Line, r.Reason, r.Detail)
}

// Sink receives the good records of one worker. Each worker has its own
// Sink, so a Sink needs no locking. The record is borrowed (see package record).
type Sink interface {
	Record(r *record.Record)
}

// RejectFunc receives rejects from all workers; it must be safe for
// concurrent use. Returning an error stops the scan with that error.
type RejectFunc func(Reject) error

// DecodeOptions tune a decoder.
type DecodeOptions struct {
	Mapping   Mapping
	KeepProps bool // keep unknown fields as Record.Props (costs time)
	// MarkPresent fills Record.Present, for inspect's fill rates.
	MarkPresent bool
}
