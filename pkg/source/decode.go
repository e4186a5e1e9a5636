package source

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"time"
	"unsafe"

	"github.com/usagerep/usagerep/pkg/record"
)

// Decoder decodes chunks of one format. Not safe for concurrent use: one per worker.
type Decoder interface {
	// Decode sends each good record of c to sink and each bad one to reject, and returns
	// how many good and bad records it saw. It stops early only when reject returns an error (returned as err).
	Decode(c *Chunk, sink Sink, reject RejectFunc) (good, bad int64, err error)
}

// NewDecoder returns a decoder for f (FormatJSONL or FormatCSV) that reads
// fields through opts.Mapping. It fails on a bad mapping: an unknown
// canonical field, an empty path, or a constant that is not a valid value
// of its field.
func NewDecoder(f Format, opts DecodeOptions) (Decoder, error) {
	m, err := compileMapping(opts.Mapping)
	if err != nil {
		return nil, err
	}
	core, err := newCore(m, opts.KeepProps)
	if err != nil {
		return nil, err
	}
	core.markPresent = opts.MarkPresent
	switch f {
	case FormatJSONL:
		return newJSONLDecoder(core), nil
	case FormatCSV:
		return newCSVDecoder(core), nil
	}
	return nil, fmt.Errorf("no decoder for input format %s", f)
}

// Reject reasons: short, stable categories (see Reject.Reason).
const (
	reasonJSON         = "invalid JSON"
	reasonNotObject    = "not an object"
	reasonUTF8         = "invalid UTF-8"
	reasonNUL          = "NUL byte"
	reasonMissingTime  = "missing time"
	reasonTime         = "invalid time"
	reasonCount        = "invalid count"
	reasonDuration     = "invalid duration"
	reasonOutcome      = "invalid outcome"
	reasonKind         = "invalid kind"
	reasonStatus       = "invalid integration_status"
	reasonServiceAcct  = "invalid service_account"
	reasonWrongType    = "wrong type"
	reasonColumnCount  = "wrong column count"
	reasonUnbalanced   = "unbalanced quote"
	reasonInvalidUsers = "invalid users"
)

// valKind is the JSON type of a value held in a slot.
type valKind uint8

const (
	vString valKind = iota + 1 // JSON string body, escapes not yet decoded
	vText                      // final text: a CSV field, a constant
	vNumber
	vTrue
	vFalse
	vObject
	vArray
)

// slot holds the best value seen so far for one field of a record. Values
// are converted only once the whole record has been read, so that the
// precedence of names does not depend on key order and a losing alias
// never rejects a record.
type slot struct {
	raw  []byte
	kind valKind
	esc  bool // a vString with backslash escapes
	rank uint8
}

type slots struct {
	set uint64 // bit f: v[f] holds a value
	v   [numFields]slot
}

func (s *slots) put(t target, raw []byte, kind valKind, esc bool) {
	bit := uint64(1) << t.f
	if s.set&bit != 0 && s.v[t.f].rank <= t.rank {
		return
	}
	s.set |= bit
	s.v[t.f] = slot{raw: raw, kind: kind, esc: esc, rank: t.rank}
}

// core is what both decoders share: the compiled mapping, the record being
// built, the scratch buffer for decoded text, and the pending rejection.
type core struct {
	m           *compiled
	keepProps   bool
	markPresent bool // fill rec.Present
	consts      slots

	rec     record.Record
	scratch []byte // decoded strings of the current record; reset per record
	elem    slots  // fields of the users[] element being read

	reason, detail string // why the current record is rejected; "" if it is not

	typeFed fieldID // the field the "type" alias fed (fType: none)
}

func newCore(m *compiled, keepProps bool) (*core, error) {
	d := &core{m: m, keepProps: keepProps}
	for f := range numFields {
		if m.constMask&(1<<f) != 0 {
			v := m.consts[f]
			d.consts.put(target{f: f}, unsafe.Slice(unsafe.StringData(v), len(v)), vText, false)
		}
	}
	// Constants are validated here, once, by applying them to a record.
	d.rec.Reset()
	for set := m.constMask; set != 0; set &= set - 1 {
		f := fieldID(bits.TrailingZeros64(set))
		if !d.apply(f, &d.consts.v[f], &d.rec, nil) {
			return nil, fmt.Errorf("mapping: constant %s %q: %s", fieldNames[f], m.consts[f], d.reason)
		}
	}
	return d, nil
}

// begin resets the per-record state. The scratch buffer is reset by the
// format decoders, which may fill it before the record is begun.
func (d *core) begin(source string, line int64) {
	d.rec.Reset()
	d.rec.Source = source
	d.rec.Line = line
	d.reason, d.detail = "", ""
}

// fail records why the record is rejected; the first reason stands.
// It returns false so that callers can `return d.fail(...)`.
func (d *core) fail(reason, detail string) bool {
	if d.reason == "" {
		d.reason, d.detail = reason, detail
	}
	return false
}

// finish converts the winning value of every field into d.rec, then
// applies the constants, which override data.
func (d *core) finish(sl *slots) bool {
	if d.reason != "" {
		return false
	}
	const timeBit = 1 << fTime
	if (sl.set|d.m.constMask)&timeBit == 0 {
		return d.fail(reasonMissingTime, "")
	}
	set := sl.set &^ d.m.constMask
	for set != 0 {
		f := fieldID(bits.TrailingZeros64(set))
		set &= set - 1
		if f == fType {
			if !d.applyType(sl) {
				return false
			}
			continue
		}
		if !d.apply(f, &sl.v[f], &d.rec, nil) {
			return false
		}
	}
	// Constants cannot fail here: newCore has applied each of them once.
	for set := d.m.constMask; set != 0; set &= set - 1 {
		f := fieldID(bits.TrailingZeros64(set))
		d.apply(f, &d.consts.v[f], &d.rec, nil)
	}
	if d.markPresent {
		d.rec.Present = d.present(sl)
	}
	return true
}

// present is the set of fields sl gave a value, constants aside, with the
// "type" alias counted as the kind or action it fed.
func (d *core) present(sl *slots) uint64 {
	const typeBit = 1 << fType
	p := sl.set &^ d.m.constMask &^ typeBit
	if sl.set&typeBit != 0 && d.typeFed != fType {
		p |= 1 << d.typeFed
	}
	return p
}

// applyType resolves the "type" alias: "sync" or "activity" (any case)
// is a kind, anything else an action, each unless the field came by its
// own name.
func (d *core) applyType(sl *slots) bool {
	s := &sl.v[fType]
	d.typeFed = fType
	toKind := d.m.typeFeedsKind && sl.set&(1<<fKind) == 0
	toAction := d.m.typeFeedsAction && sl.set&(1<<fAction) == 0
	if s.kind == vObject || s.kind == vArray {
		if toAction {
			return d.fail(reasonWrongType, "type")
		}
		return true
	}
	txt := d.text(s)
	if len(txt) == 0 {
		return true
	}
	switch {
	case bytes.EqualFold(txt, []byte("sync")):
		if toKind {
			d.rec.Kind = record.KindSync
			d.typeFed = fKind
		}
	case bytes.EqualFold(txt, []byte("activity")):
		if toKind {
			d.rec.Kind = record.KindActivity
			d.typeFed = fKind
		}
	default:
		if toAction {
			d.rec.Action = unsafeString(txt)
			d.typeFed = fAction
		}
	}
	return true
}

// text returns a slot's value as trimmed text, decoding JSON escapes into
// the scratch buffer. Numbers and booleans are their literal text.
func (d *core) text(s *slot) []byte {
	b := s.raw
	if s.esc {
		start := len(d.scratch)
		d.scratch = appendUnescaped(d.scratch, b)
		b = d.scratch[start:]
	}
	if s.kind == vString || s.kind == vText {
		b = trimSpace(b)
	}
	return b
}

// trimSpace is bytes.TrimSpace with a fast exit for the common case of
// text that starts and ends with a printable ASCII character.
func trimSpace(b []byte) []byte {
	if n := len(b); n > 0 && b[0] > ' ' && b[0] < 0x80 && b[n-1] > ' ' && b[n-1] < 0x80 {
		return b
	}
	return bytes.TrimSpace(b)
}

// apply converts one field's value into r, or into the users[] element u
// when r is nil. Empty text means absent.
func (d *core) apply(f fieldID, s *slot, r *record.Record, u *record.UserElem) bool {
	if s.kind == vObject || s.kind == vArray {
		return d.fail(reasonWrongType, fieldNames[f])
	}
	txt := d.text(s)
	if len(txt) == 0 {
		if f == fTime && r != nil {
			return d.fail(reasonMissingTime, "")
		}
		return true
	}
	switch f {
	case fTime, fIntegrationUpdated:
		t, err := record.ParseTime(txt)
		if err != nil {
			detail := string(txt)
			if f != fTime {
				detail = fieldNames[f] + ": " + detail
			}
			if errors.Is(err, record.ErrTimeRange) {
				detail += " (outside the years 1678-2261)"
			}
			return d.fail(reasonTime, detail)
		}
		switch {
		case u != nil:
			u.Time = t
		case f == fTime:
			r.Time = t
		default:
			r.IntegrationUpdated = t
		}
	case fKind:
		switch {
		case bytes.EqualFold(txt, []byte("activity")):
			r.Kind = record.KindActivity
		case bytes.EqualFold(txt, []byte("sync")):
			r.Kind = record.KindSync
		default:
			return d.fail(reasonKind, string(txt))
		}
	case fIntegrationStatus:
		switch {
		case bytes.EqualFold(txt, []byte("active")):
			r.IntegrationStatus = record.StatusActive
		case bytes.EqualFold(txt, []byte("inactive")):
			r.IntegrationStatus = record.StatusInactive
		default:
			return d.fail(reasonStatus, string(txt))
		}
	case fOutcome:
		o, ok := parseOutcome(txt)
		if !ok {
			return d.fail(reasonOutcome, string(txt))
		}
		r.Outcome = o
	case fCount:
		n, ok := parseCount(txt)
		if !ok {
			return d.fail(reasonCount, string(txt))
		}
		r.Count = n
	case fDuration:
		sec, ok := parseDuration(txt)
		if !ok {
			return d.fail(reasonDuration, string(txt))
		}
		r.Duration, r.HasDuration = sec, true
	case fServiceAccount:
		v, ok := parseBool(txt)
		if !ok {
			return d.fail(reasonServiceAcct, string(txt))
		}
		if u != nil {
			u.ServiceAccount = v
		} else {
			r.ServiceAccount = v
		}
	default:
		var p *string
		if u != nil {
			p = elemString(u, f)
		} else {
			p = recordString(r, f)
		}
		if p != nil {
			*p = unsafeString(txt)
		}
	}
	return true
}

// finishElem converts the fields of one users[] element and appends it.
// Any problem in an element rejects the whole record as "invalid users".
func (d *core) finishElem(sl *slots, index int) bool {
	if d.reason != "" {
		return false
	}
	e := record.UserElem{Time: record.NoTime}
	set := sl.set
	for set != 0 {
		f := fieldID(bits.TrailingZeros64(set))
		set &= set - 1
		if !d.apply(f, &sl.v[f], nil, &e) {
			d.reason, d.detail = reasonInvalidUsers, fmt.Sprintf("users[%d]: %s: %s", index, d.reason, d.detail)
			return false
		}
	}
	d.rec.Users = append(d.rec.Users, e)
	return true
}

func (d *core) addProp(key, val []byte) {
	d.rec.Props = append(d.rec.Props, record.Prop{Key: unsafeString(key), Value: unsafeString(val)})
}

func recordString(r *record.Record, f fieldID) *string {
	switch f {
	case fSystem:
		return &r.System
	case fProject:
		return &r.Project
	case fEntityType:
		return &r.EntityType
	case fEntityID:
		return &r.EntityID
	case fPeerSystem:
		return &r.PeerSystem
	case fPeerProject:
		return &r.PeerProject
	case fPeerEntityType:
		return &r.PeerEntityType
	case fPeerEntityID:
		return &r.PeerEntityID
	case fIntegration:
		return &r.Integration
	case fAction:
		return &r.Action
	case fCategory:
		return &r.Category
	case fSession:
		return &r.Session
	case fInteraction:
		return &r.Interaction
	case fCustomer:
		return &r.Customer
	case fPlan:
		return &r.Plan
	}
	return userString(&r.User, f)
}

func elemString(e *record.UserElem, f fieldID) *string {
	switch f {
	case fSystem:
		return &e.System
	case fProject:
		return &e.Project
	case fInteraction:
		return &e.Interaction
	}
	return userString(&e.User, f)
}

func userString(u *record.User, f fieldID) *string {
	switch f {
	case fEmail:
		return &u.Email
	case fUsername:
		return &u.Username
	case fDisplayName:
		return &u.DisplayName
	case fFirstName:
		return &u.FirstName
	case fLastName:
		return &u.LastName
	case fCompany:
		return &u.Company
	case fUserID:
		return &u.UserID
	}
	return nil
}

func parseOutcome(b []byte) (record.Outcome, bool) {
	for _, s := range [...]string{"success", "ok", "succeeded"} {
		if bytes.EqualFold(b, []byte(s)) {
			return record.OutcomeSuccess, true
		}
	}
	for _, s := range [...]string{"failure", "failed", "error"} {
		if bytes.EqualFold(b, []byte(s)) {
			return record.OutcomeFailure, true
		}
	}
	return 0, false
}

func parseBool(b []byte) (v, ok bool) {
	for _, s := range [...]string{"true", "yes", "1"} {
		if bytes.EqualFold(b, []byte(s)) {
			return true, true
		}
	}
	for _, s := range [...]string{"false", "no", "0"} {
		if bytes.EqualFold(b, []byte(s)) {
			return false, true
		}
	}
	return false, false
}

// parseCount reads a non-negative integer, also written as a number with
// a zero fraction or an exponent ("3.0", "3e0").
func parseCount(b []byte) (int64, bool) {
	if len(b) > 0 && len(b) <= 18 {
		var n int64
		i := 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			n = n*10 + int64(b[i]-'0')
		}
		if i == len(b) {
			return n, true
		}
	}
	if !isNumber(b) {
		return 0, false
	}
	v, err := strconv.ParseFloat(unsafeString(b), 64)
	if err != nil || v < 0 || v != math.Trunc(v) || v >= math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// parseDuration reads seconds as a number, or a Go duration ("1m30s").
// Negative durations are rejected.
func parseDuration(b []byte) (float64, bool) {
	if isNumber(b) {
		v, err := strconv.ParseFloat(unsafeString(b), 64)
		if err != nil || v < 0 || math.IsInf(v, 0) {
			return 0, false
		}
		return v, true
	}
	d, err := time.ParseDuration(unsafeString(b))
	if err != nil || d < 0 {
		return 0, false
	}
	return d.Seconds(), true
}

// isNumber reports whether b is a decimal number in JSON's grammar, with
// an optional leading '+' allowed for text written by hand.
func isNumber(b []byte) bool {
	if len(b) > 0 && b[0] == '+' {
		b = b[1:]
	}
	end, ok := scanNumber(b, 0)
	return ok && end == len(b)
}

// unsafeString views b as a string without copying. The record that holds
// it is borrowed and valid only until the decoder reads the next record.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func sourceName(c *Chunk) string {
	if c.Input == nil {
		return ""
	}
	return c.Input.Name
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}
