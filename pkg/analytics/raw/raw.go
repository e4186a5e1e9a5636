// Package raw exports the normalised records as one gzip'd CSV file per
// day (events-2026-03-03.csv.gz) with a manifest (manifest.json) giving
// each file's date, size, record count and SHA-256, and verifies such a
// directory against its manifest.
//
// Each worker writes its own per-day streams into a temporary directory
// beside the output, keeping a few open at once; a stream closed to make
// room is continued later as a new gzip member, which every gzip reader
// reads on as one stream. Finish puts each day's members together behind
// a header member, atomically, then writes the manifest.
package raw

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/klauspost/compress/gzip"

	"github.com/usagerep/usagerep/pkg/analytics"
	"github.com/usagerep/usagerep/pkg/output"
	"github.com/usagerep/usagerep/pkg/record"
	"github.com/usagerep/usagerep/pkg/render/csvout"
	"github.com/usagerep/usagerep/pkg/render/jsonout"
)

// ManifestName is the manifest's file name in an export directory.
const ManifestName = "manifest.json"

// Columns are the files' columns, in order: the canonical fields, props
// as a JSON object and users as a JSON array.
var Columns = []string{
	"time", "kind", "system", "project", "entity_type", "entity_id",
	"peer_system", "peer_project", "peer_entity_type", "peer_entity_id",
	"integration", "integration_status", "integration_updated", "outcome",
	"action", "category", "count", "duration", "session",
	"email", "username", "display_name", "first_name", "last_name", "company", "user_id",
	"interaction", "service_account", "customer", "plan", "props", "users",
}

// FileName is the file of one day.
func FileName(d analytics.Day) string { return "events-" + d.String() + ".csv.gz" }

// Options fix what an export writes.
type Options struct {
	Dir      string // created if need be
	Location *time.Location
	// From and To, unless zero, bound the days written (inclusive); only
	// their dates matter.
	From, To time.Time
	AsOf     time.Time // records at or after it are left out; zero: none
	Filters  []*analytics.Filter
	// MaxOpen is how many day streams a worker keeps open; 0 means 8.
	MaxOpen int
}

// Export is one export in progress.
type Export struct {
	opts     Options
	tmp      string
	from, to analytics.Day
	asOf     int64

	mu    sync.Mutex
	sinks []*Sink
}

// NewExport prepares opts.Dir and a temporary directory inside it.
func NewExport(opts Options) (*Export, error) {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.MaxOpen <= 0 {
		opts.MaxOpen = 8
	}
	e := &Export{opts: opts, from: math.MinInt32, to: math.MaxInt32, asOf: math.MaxInt64}
	if !opts.From.IsZero() {
		e.from = analytics.DayOfDate(opts.From)
	}
	if !opts.To.IsZero() {
		e.to = analytics.DayOfDate(opts.To)
	}
	if e.to < e.from {
		return nil, errors.New("the last day is before the first")
	}
	if !opts.AsOf.IsZero() {
		e.asOf = opts.AsOf.UnixNano()
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, &output.Error{Op: "create", Path: opts.Dir, Err: err}
	}
	tmp, err := os.MkdirTemp(opts.Dir, ".usagerep-raw-")
	if err != nil {
		return nil, &output.Error{Op: "create", Path: opts.Dir, Err: err}
	}
	e.tmp = tmp
	return e, nil
}

// Abort drops what was written; after Finish it does nothing.
func (e *Export) Abort() {
	for _, s := range e.sinks {
		s.closeAll()
	}
	if e.tmp != "" {
		os.RemoveAll(e.tmp)
		e.tmp = ""
	}
}

// Sink returns a new worker's sink.
func (e *Export) Sink() *Sink {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := &Sink{e: e, id: len(e.sinks), counts: map[analytics.Day]int64{}, lastDay: noDay}
	e.sinks = append(e.sinks, s)
	return s
}

const noDay = analytics.Day(math.MinInt32)

// Sink writes one worker's records (it implements source.Sink).
type Sink struct {
	e      *Export
	id     int
	open   []*stream // at most MaxOpen
	clock  uint64
	counts map[analytics.Day]int64
	err    error // the first failure; later records are dropped

	// The day of the last record: [dayStart, dayEnd) is lastDay.
	lastDay          analytics.Day
	dayStart, dayEnd int64

	m   analytics.Mention
	buf []byte // scratch for a cell
	js  []byte // scratch for JSON cells
}

type stream struct {
	day  analytics.Day
	f    *os.File
	zw   *gzip.Writer
	cw   *csvout.Writer
	used uint64
}

// Record writes one record to its day's stream.
func (s *Sink) Record(r *record.Record) {
	if s.err != nil || r.Time >= s.e.asOf {
		return
	}
	d := s.day(r.Time)
	if d < s.e.from || d > s.e.to {
		return
	}
	if len(s.e.opts.Filters) > 0 {
		s.m.SetRecord(r)
		if !analytics.MatchAll(s.e.opts.Filters, &s.m) {
			return
		}
	}
	st, err := s.stream(d)
	if err != nil {
		s.err = err
		return
	}
	s.writeRecord(st.cw, r)
	if err := st.cw.EndRow(); err != nil {
		s.err = fmt.Errorf("%s: %w", st.f.Name(), err)
		return
	}
	s.counts[d]++
}

// day is t's day in the export's zone; records come mostly in order, so
// the last day is kept.
func (s *Sink) day(t int64) analytics.Day {
	if s.lastDay != noDay && t >= s.dayStart && t < s.dayEnd {
		return s.lastDay
	}
	loc := s.e.opts.Location
	tt := time.Unix(0, t).In(loc)
	y, m, d := tt.Date()
	s.lastDay = analytics.DayOfDate(tt)
	s.dayStart = time.Date(y, m, d, 0, 0, 0, 0, loc).UnixNano()
	s.dayEnd = time.Date(y, m, d+1, 0, 0, 0, 0, loc).UnixNano()
	return s.lastDay
}

// stream returns day d's open stream, opening it (and closing the least
// recently used one) if need be.
func (s *Sink) stream(d analytics.Day) (*stream, error) {
	s.clock++
	for _, st := range s.open {
		if st.day == d {
			st.used = s.clock
			return st, nil
		}
	}
	if len(s.open) >= s.e.opts.MaxOpen {
		i := 0
		for j, st := range s.open {
			if st.used < s.open[i].used {
				i = j
			}
		}
		if err := s.open[i].close(); err != nil {
			return nil, err
		}
		s.open = slices.Delete(s.open, i, i+1)
	}
	f, err := os.OpenFile(s.e.part(d, s.id), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, &output.Error{Op: "create", Path: s.e.opts.Dir, Err: err}
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.DefaultCompression) // the level is valid
	st := &stream{day: d, f: f, zw: zw, cw: csvout.NewWriter(zw), used: s.clock}
	s.open = append(s.open, st)
	return st, nil
}

// close ends the stream's gzip member and closes its file.
func (st *stream) close() error {
	err := st.cw.Flush()
	if cerr := st.zw.Close(); err == nil {
		err = cerr
	}
	if cerr := st.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &output.Error{Op: "write", Path: st.f.Name(), Err: err}
	}
	return nil
}

func (s *Sink) closeAll() error {
	var first error
	for _, st := range s.open {
		if err := st.close(); err != nil && first == nil {
			first = err
		}
	}
	s.open = nil
	return first
}

// part is worker id's file of day d in the temporary directory.
func (e *Export) part(d analytics.Day, id int) string {
	return filepath.Join(e.tmp, d.String()+".w"+strconv.Itoa(id)+".gz")
}

// writeRecord writes r's cells, in Columns' order.
func (s *Sink) writeRecord(w *csvout.Writer, r *record.Record) {
	s.buf = time.Unix(0, r.Time).UTC().AppendFormat(s.buf[:0], time.RFC3339Nano)
	w.Text(view(s.buf))
	if r.Kind == record.KindSync {
		w.Text("sync")
	} else {
		w.Text("activity")
	}
	for _, v := range []string{r.System, r.Project, r.EntityType, r.EntityID, r.PeerSystem, r.PeerProject, r.PeerEntityType, r.PeerEntityID, r.Integration} {
		w.Text(v)
	}
	w.Text(statusText(r.IntegrationStatus))
	if r.IntegrationUpdated != record.NoTime {
		s.buf = time.Unix(0, r.IntegrationUpdated).UTC().AppendFormat(s.buf[:0], time.RFC3339Nano)
		w.Text(view(s.buf))
	} else {
		w.Text("")
	}
	if r.Outcome == record.OutcomeFailure {
		w.Text("failure")
	} else {
		w.Text("success")
	}
	w.Text(r.Action)
	w.Text(r.Category)
	w.Int(r.Count)
	if r.HasDuration {
		s.buf = strconv.AppendFloat(s.buf[:0], r.Duration, 'f', -1, 64)
		w.Text(view(s.buf))
	} else {
		w.Text("")
	}
	w.Text(r.Session)
	s.buf = appendEmail(s.buf[:0], r.Email)
	w.Text(view(s.buf))
	for _, v := range []string{r.Username, r.DisplayName, r.FirstName, r.LastName, r.Company, r.UserID, r.Interaction} {
		w.Text(v)
	}
	w.Text(strconv.FormatBool(r.ServiceAccount))
	w.Text(r.Customer)
	w.Text(r.Plan)
	s.js = s.js[:0]
	if len(r.Props) > 0 {
		s.js = append(s.js, '{')
		for i, p := range r.Props {
			if i > 0 {
				s.js = append(s.js, ',')
			}
			s.js = jsonout.AppendString(s.js, p.Key)
			s.js = append(s.js, ':')
			s.js = jsonout.AppendString(s.js, p.Value)
		}
		s.js = append(s.js, '}')
	}
	w.Text(view(s.js))
	s.js = s.appendUsers(s.js[:0], r.Users)
	w.Text(view(s.js))
}

// appendEmail appends the normalised email, or nothing when it is none.
func appendEmail(dst []byte, e string) []byte {
	if e == "" {
		return dst
	}
	n, ok := record.NormalizeEmail(dst, e)
	if !ok {
		return dst
	}
	return n
}

func statusText(s record.Status) string {
	switch s {
	case record.StatusActive:
		return "active"
	case record.StatusInactive:
		return "inactive"
	}
	return ""
}

// appendUsers writes the users array as JSON: each element's present
// fields.
func (s *Sink) appendUsers(dst []byte, us []record.UserElem) []byte {
	if len(us) == 0 {
		return dst
	}
	dst = append(dst, '[')
	for i := range us {
		u := &us[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '{')
		n := 0
		field := func(k, v string) {
			if v == "" {
				return
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = jsonout.AppendString(dst, k)
			dst = append(dst, ':')
			dst = jsonout.AppendString(dst, v)
		}
		field("email", view(appendEmail(s.buf[:0], u.Email)))
		field("username", u.Username)
		field("display_name", u.DisplayName)
		field("first_name", u.FirstName)
		field("last_name", u.LastName)
		field("company", u.Company)
		field("user_id", u.UserID)
		field("system", u.System)
		field("project", u.Project)
		field("interaction", u.Interaction)
		if u.ServiceAccount {
			field("service_account", "true")
		}
		if u.Time != record.NoTime {
			field("time", view(time.Unix(0, u.Time).UTC().AppendFormat(s.buf[:0], time.RFC3339Nano)))
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Manifest describes an export directory.
type Manifest struct {
	Version  int      `json:"version"`
	AsOf     string   `json:"as_of,omitempty"`
	TimeZone string   `json:"time_zone"`
	Columns  []string `json:"columns"`
	Files    []File   `json:"files"`
}

// File is one day's file.
type File struct {
	Name    string `json:"file"`
	Date    string `json:"date"`
	Bytes   int64  `json:"bytes"`
	Records int64  `json:"records"`
	SHA256  string `json:"sha256"`
}

// Finish writes every day's file and the manifest, and removes the
// temporary directory. Days are in order; a day's records come worker by
// worker.
func (e *Export) Finish() (*Manifest, error) {
	defer e.Abort()
	days := map[analytics.Day]int64{}
	for _, s := range e.sinks {
		if s.err != nil {
			return nil, s.err
		}
		if err := s.closeAll(); err != nil {
			return nil, err
		}
		for d, n := range s.counts {
			days[d] += n
		}
	}
	var header bytes.Buffer
	zw := gzip.NewWriter(&header)
	cw := csvout.NewWriter(zw)
	if err := cw.Write(Columns); err != nil {
		return nil, err
	}
	if err := cw.Flush(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	m := &Manifest{Version: 1, TimeZone: e.opts.Location.String(), Columns: Columns}
	if !e.opts.AsOf.IsZero() {
		m.AsOf = e.opts.AsOf.In(e.opts.Location).Format(time.RFC3339Nano)
	}
	order := make([]analytics.Day, 0, len(days))
	for d := range days {
		order = append(order, d)
	}
	slices.Sort(order)
	for _, d := range order {
		f, err := e.assemble(d, header.Bytes())
		if err != nil {
			return nil, err
		}
		f.Records = days[d]
		m.Files = append(m.Files, f)
	}
	path := filepath.Join(e.opts.Dir, ManifestName)
	out, err := output.Create(path)
	if err != nil {
		return nil, err
	}
	defer out.Abort()
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	if err := out.Commit(); err != nil {
		return nil, err
	}
	return m, nil
}

// assemble writes day d's file: the header member, then each worker's
// members.
func (e *Export) assemble(d analytics.Day, header []byte) (File, error) {
	name := FileName(d)
	path := filepath.Join(e.opts.Dir, name)
	out, err := output.Create(path)
	if err != nil {
		return File{}, err
	}
	defer out.Abort()
	h := sha256.New()
	w := io.MultiWriter(out, h)
	n, err := w.Write(header)
	if err != nil {
		return File{}, err
	}
	size := int64(n)
	for _, s := range e.sinks {
		f, err := os.Open(e.part(d, s.id))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return File{}, &output.Error{Op: "read", Path: e.tmp, Err: err}
		}
		k, err := io.Copy(w, f)
		f.Close()
		if err != nil {
			return File{}, err
		}
		size += k
	}
	if err := out.Commit(); err != nil {
		return File{}, err
	}
	return File{Name: name, Date: d.String(), Bytes: size, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// ReadManifest reads dir's manifest.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, ManifestName), err)
	}
	for _, f := range m.Files {
		if f.Name == "" || f.Name != filepath.Base(f.Name) || strings.HasPrefix(f.Name, ".") {
			return nil, fmt.Errorf("%s: file %q is not a plain name in the directory", filepath.Join(dir, ManifestName), f.Name)
		}
	}
	return &m, nil
}

// Check is what verifying one file found.
type Check struct {
	File    File
	Bytes   int64 // as found
	Records int64 // as found; -1 when the file could not be read
	SHA256  string
	Problem string // "" when the file matches the manifest
}

// Verify reads every file of m in dir: its size, SHA-256 and records
// (CSV records after the header) must be the manifest's.
func Verify(dir string, m *Manifest) []Check {
	out := make([]Check, len(m.Files))
	for i, f := range m.Files {
		out[i] = verify(filepath.Join(dir, f.Name), f)
	}
	return out
}

func verify(path string, f File) Check {
	c := Check{File: f, Records: -1}
	fh, err := os.Open(path)
	if err != nil {
		c.Problem = err.Error()
		return c
	}
	defer fh.Close()
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(bufio.NewReader(fh), h)}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		c.Problem = "not gzip: " + err.Error()
		return c
	}
	r := csv.NewReader(zr)
	r.FieldsPerRecord = len(Columns)
	r.ReuseRecord = true
	var n int64
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			c.Problem = "unreadable CSV: " + err.Error()
			break
		}
		n++
	}
	if c.Problem == "" {
		c.Records = max(n-1, 0) // the header
		// Read what gzip did not need, so the hash covers the file.
		if _, err := io.Copy(io.Discard, cr); err != nil {
			c.Problem = err.Error()
		}
	}
	c.Bytes = cr.n
	c.SHA256 = hex.EncodeToString(h.Sum(nil))
	switch {
	case c.Problem != "":
	case c.Bytes != f.Bytes:
		c.Problem = fmt.Sprintf("%d bytes, the manifest says %d", c.Bytes, f.Bytes)
	case c.SHA256 != f.SHA256:
		c.Problem = "SHA-256 differs from the manifest's"
	case c.Records != f.Records:
		c.Problem = fmt.Sprintf("%d records, the manifest says %d", c.Records, f.Records)
	}
	return c
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
