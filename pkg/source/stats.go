package source

import (
	"sync"
	"sync/atomic"
)

// Reasons for rejects made while reading (rather than decoding) an input.
const (
	// ReasonLineTooLong: a line (a CSV record) longer than MaxLineBytes.
	ReasonLineTooLong = "line too long"
	// ReasonCorruptInput: compressed data or an archive that cannot be read
	// to its end; whatever was read before it is kept.
	ReasonCorruptInput = "corrupt input"
	// ReasonDecompressionLimit: the input expanded beyond
	// MaxDecompressedRatio or MaxDecompressedBytes (a decompression bomb?).
	ReasonDecompressionLimit = "decompression limit"
	// ReasonUnreadable: the file could not be opened.
	ReasonUnreadable = "unreadable input"
)

// SourceStats counts what was read from one source: a file, a bundle member,
// or stdin. Records counts every record read, good or rejected; Reasons
// counts rejects by Reject.Reason.
type SourceStats struct {
	Name     string
	Records  int64
	Rejected int64
	Reasons  map[string]int64
}

// SkippedInput is a file or bundle member that was not read, and why.
type SkippedInput struct {
	Name   string
	Reason string
}

// Stats is what a Scan read, source by source in input order.
type Stats struct {
	Sources []SourceStats
	Skipped []SkippedInput
	// Bytes is the on-disk (compressed) size of the inputs read; a file
	// abandoned part way (corrupt, over a limit) counts whole, so Bytes
	// matches the total of Plan when every file was reached.
	Bytes int64
	// Span is the times of the good records, so that a report whose
	// range misses them all can say where they are.
	Span Span
}

// Span is the earliest and latest time of some records, in Unix
// nanoseconds; the zero Span holds none.
type Span struct {
	Oldest, Newest int64
	Any            bool // whether it holds any record
}

// widen makes s hold the times oldest to newest too; it holds nothing
// more when oldest > newest.
func (s *Span) widen(oldest, newest int64) {
	switch {
	case oldest > newest:
	case !s.Any:
		*s = Span{Oldest: oldest, Newest: newest, Any: true}
	default:
		s.Oldest, s.Newest = min(s.Oldest, oldest), max(s.Newest, newest)
	}
}

// Totals sums Records and Rejected over all sources.
func (s Stats) Totals() (records, rejected int64) {
	for _, src := range s.Sources {
		records += src.Records
		rejected += src.Rejected
	}
	return records, rejected
}

// source is the live counterpart of SourceStats. Workers add to it
// concurrently.
type source struct {
	in       Input
	records  atomic.Int64
	rejected atomic.Int64

	mu      sync.Mutex
	reasons map[string]int64
}

func (s *source) countReject(reason string) {
	s.rejected.Add(1)
	s.mu.Lock()
	if s.reasons == nil {
		s.reasons = make(map[string]int64)
	}
	s.reasons[reason]++
	s.mu.Unlock()
}

func (s *source) stats() SourceStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SourceStats{
		Name:     s.in.Name,
		Records:  s.records.Load(),
		Rejected: s.rejected.Load(),
		Reasons:  s.reasons,
	}
}

// inputSlot collects, in order, the sources and skipped members of one
// top-level input. Only the goroutine reading that input appends to it.
type inputSlot struct {
	sources []*source
	skipped []SkippedInput
}

func (sl *inputSlot) newSource(name string, f Format) *source {
	src := &source{in: Input{Name: name, Format: f}}
	sl.sources = append(sl.sources, src)
	return src
}

func (sl *inputSlot) skip(name, reason string) {
	sl.skipped = append(sl.skipped, SkippedInput{Name: name, Reason: reason})
}
