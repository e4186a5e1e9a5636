package analytics

import (
	"time"
)

// Report is a report laid out as tables, the one form every renderer
// takes: JSON writes every table, CSV one, a workbook one sheet per table
// with its charts beside it. It says what the figures are, not how they
// look.
type Report struct {
	Command  string // "analytics timeline"
	From, To Day
	AsOf     time.Time
	Location *time.Location
	// Params are the settings that shaped the figures, in order
	// (filters, split, segmentation...).
	Params  []Param
	Tables  []*Table
	Quality DataQuality
}

// DataQuality is what the report's data-quality section says: the
// mentions the accumulator kept or left out, and per input the records
// read and rejected.
type DataQuality struct {
	Mentions Quality
	Sources  []SourceQuality
	By       ClientBy // ByUserID reports Mentions.NoUserID
}

// SourceQuality is one input's records.
type SourceQuality struct {
	Name           string
	Read, Rejected int64
	Reasons        []ReasonCount // by reason
}

// ReasonCount is how many records one reason rejected.
type ReasonCount struct {
	Reason string
	Count  int64
}

// Param is one setting of a report.
type Param struct {
	Key, Value string
}

// Kind is what a column holds.
type Kind uint8

const (
	KindText    Kind = iota
	KindInt          // a count
	KindFloat        // an average or ratio
	KindPercent      // 0 to 100
	KindHours        // runtime in hours
	KindDay          // a calendar day
	KindTime         // an instant, shown in the report's zone
)

// Column is one column of a table.
type Column struct {
	Key    string // JSON key: lower_snake
	Header string // CSV and sheet header
	Kind   Kind
}

// Value is one cell. Which field holds it follows the column's kind:
// Text, Int, Float (Float, Percent, Hours), Day, Time. Empty marks a cell
// with no value (an average over nobody).
type Value struct {
	Text  string
	Int   int64
	Float float64
	Day   Day
	Time  time.Time
	Empty bool
}

// Table is one table of a report. Its rows are made on demand, so a long
// table (one row per user) is never held as cells.
type Table struct {
	Name    string // sheet name and JSON key; unique in a report
	Title   string // one line saying what the table is
	Columns []Column
	Len     int
	// Row fills dst (len(Columns) cells, zeroed) with row i.
	Row func(i int, dst []Value)
	// Charts are drawn beside the table, each from its columns.
	Charts []Chart
}

// ChartKind is how a chart draws its series.
type ChartKind uint8

const (
	ChartLine   ChartKind = iota // a series over periods
	ChartColumn                  // a histogram: one bar per bucket
)

// Chart draws some of a table's columns.
type Chart struct {
	Kind     ChartKind
	Title    string
	Category int   // the column naming each point (a period, a bucket)
	Values   []int // the columns drawn, one series each
	// GroupBy, when >= 0, is a column whose runs of equal values are one
	// series each (a segment); rows of one group are contiguous and every
	// group has the same categories in the same order.
	GroupBy int
}

func text(s string) Value  { return Value{Text: s} }
func count(n int64) Value  { return Value{Int: n} }
func dayValue(d Day) Value { return Value{Day: d} }
func hours(ns int64) Value { return Value{Float: float64(ns) / float64(time.Hour)} }

// ratio is n/d, or an empty cell when d is 0.
func ratio(n, d float64) Value {
	if d == 0 {
		return Value{Empty: true}
	}
	return Value{Float: n / d}
}

// percent is 100*n/d, or an empty cell when d is 0.
func percent(n, d int64) Value {
	if d == 0 {
		return Value{Empty: true}
	}
	return Value{Float: 100 * float64(n) / float64(d)}
}
