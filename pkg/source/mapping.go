package source

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/usagerep/usagerep/pkg/record"
)

// fieldID names a canonical field inside the decoders (record.Field,
// under the short names below), or the "type" pseudo-field.
type fieldID = record.Field

const (
	fTime               = record.FieldTime
	fKind               = record.FieldKind
	fSystem             = record.FieldSystem
	fProject            = record.FieldProject
	fEntityType         = record.FieldEntityType
	fEntityID           = record.FieldEntityID
	fPeerSystem         = record.FieldPeerSystem
	fPeerProject        = record.FieldPeerProject
	fPeerEntityType     = record.FieldPeerEntityType
	fPeerEntityID       = record.FieldPeerEntityID
	fIntegration        = record.FieldIntegration
	fIntegrationStatus  = record.FieldIntegrationStatus
	fIntegrationUpdated = record.FieldIntegrationUpdated
	fOutcome            = record.FieldOutcome
	fAction             = record.FieldAction
	fCategory           = record.FieldCategory
	fCount              = record.FieldCount
	fDuration           = record.FieldDuration
	fSession            = record.FieldSession
	fEmail              = record.FieldEmail
	fUsername           = record.FieldUsername
	fDisplayName        = record.FieldDisplayName
	fFirstName          = record.FieldFirstName
	fLastName           = record.FieldLastName
	fCompany            = record.FieldCompany
	fUserID             = record.FieldUserID
	fInteraction        = record.FieldInteraction
	fServiceAccount     = record.FieldServiceAccount
	fCustomer           = record.FieldCustomer
	fPlan               = record.FieldPlan
	fProps              = record.FieldProps
	fUsers              = record.FieldUsers
	// fType is the "type" alias, which feeds kind or action by its value.
	fType     = record.NumFields
	numFields = fType + 1
)

// fieldNames are the canonical names and "type", as written in records
// and mappings.
var fieldNames = func() (names [numFields]string) {
	for f := range record.NumFields {
		names[f] = f.String()
	}
	names[fType] = "type"
	return names
}()

// defaultAliases are the names accepted without configuration, best first
// (spec 01-input.md). The canonical name always beats them. "type" is
// handled as its own pseudo-field, fType.
var defaultAliases = [numFields][]string{
	fTime:        {"timestamp", "@timestamp", "ts", "created_at"},
	fEmail:       {"user.email", "user_email", "mail"},
	fUsername:    {"user.username", "user.name", "login", "user_login"},
	fDisplayName: {"user.display_name", "displayName", "name"},
}

// elemFields are the fields a users[] element may carry.
var elemFields = []fieldID{
	fEmail, fUsername, fDisplayName, fFirstName, fLastName, fCompany, fUserID,
	fServiceAccount, fSystem, fProject, fInteraction, fTime,
}

// lookupField finds a canonical field: fType is not one a user may name.
func lookupField(name string) (fieldID, bool) { return record.LookupField(name) }

// target is one field fed by a key, with the rank of the name it came by:
// 0 for the canonical name or a mapped path, 1.. for aliases in order.
// A lower rank wins whatever the key order in the record.
type target struct {
	f    fieldID
	rank uint8
}

// pathEntry says that the value at a dotted path feeds a target.
type pathEntry struct {
	path string
	t    target
}

// compiled is a validated mapping: where every field is read from and
// which fields are constant.
type compiled struct {
	entries []pathEntry
	// typeFeedsKind and typeFeedsAction say whether the "type" alias still
	// applies to kind and action (not when they are mapped elsewhere).
	typeFeedsKind, typeFeedsAction bool
	// consts holds the constant fields' raw values; constMask has their bits.
	consts    [numFields]string
	constMask uint64
}

// compileMapping checks m and lists, for every field, the paths it is read
// from: its mapped path, or else its canonical name and default aliases.
func compileMapping(m Mapping) (*compiled, error) {
	c := &compiled{}
	var mapped [numFields]string
	for _, name := range slices.Sorted(maps.Keys(m.Fields)) {
		f, ok := lookupField(name)
		if !ok {
			return nil, fmt.Errorf("mapping: unknown field %q", name)
		}
		path := strings.TrimSpace(m.Fields[name])
		if err := checkPath(path); err != nil {
			return nil, fmt.Errorf("mapping: field %s: %w", name, err)
		}
		mapped[f] = path
	}
	for _, name := range slices.Sorted(maps.Keys(m.Constants)) {
		f, ok := lookupField(name)
		if !ok {
			return nil, fmt.Errorf("mapping: unknown constant field %q", name)
		}
		if f == fProps || f == fUsers {
			return nil, fmt.Errorf("mapping: %s cannot be a constant", name)
		}
		v := strings.TrimSpace(m.Constants[name])
		if v == "" {
			return nil, fmt.Errorf("mapping: constant %s is empty", name)
		}
		c.consts[f] = strings.Clone(v)
		c.constMask |= 1 << f
	}
	// A mapped path feeds only the fields mapped to it: mapping username
	// to "name" must not also make "name" a display_name.
	taken := map[string]bool{}
	for _, p := range mapped {
		if p != "" {
			taken[p] = true
		}
	}
	add := func(path string, t target) {
		if !taken[path] {
			c.entries = append(c.entries, pathEntry{path, t})
		}
	}
	for f := range fType {
		if mapped[f] != "" {
			c.entries = append(c.entries, pathEntry{mapped[f], target{f, 0}})
			continue
		}
		add(fieldNames[f], target{f, 0})
		for i, a := range defaultAliases[f] {
			add(a, target{f, uint8(i + 1)})
		}
	}
	c.typeFeedsKind = mapped[fKind] == ""
	c.typeFeedsAction = mapped[fAction] == ""
	if c.typeFeedsKind || c.typeFeedsAction {
		add("type", target{fType, 1})
	}
	return c, nil
}

func checkPath(path string) error {
	if path == "" {
		return fmt.Errorf("empty path")
	}
	for seg := range strings.SplitSeq(path, ".") {
		if seg == "" {
			return fmt.Errorf("path %q has an empty segment", path)
		}
	}
	return nil
}

// MergeMappings returns base overlaid with override: a field or constant
// set in override replaces the one in base. It is how a named profile and
// the user's own configuration combine. Neither argument is modified.
func MergeMappings(base, override Mapping) Mapping {
	merge := func(a, b map[string]string) map[string]string {
		if len(a) == 0 && len(b) == 0 {
			return nil
		}
		out := make(map[string]string, len(a)+len(b))
		maps.Copy(out, a)
		maps.Copy(out, b)
		return out
	}
	return Mapping{
		Fields:    merge(base.Fields, override.Fields),
		Constants: merge(base.Constants, override.Constants),
	}
}

// jsonNode is what the decoder knows about one key of a JSON object.
type jsonNode struct {
	targets []target  // fields fed by the value (props and users excluded)
	kids    *keyTable // members, when the value is an object
	props   bool      // an object value holds the record's props
	users   bool      // an array value holds the record's users
}

// buildJSONTable arranges entries into nested key tables. A dotted path is
// both a nested path (user -> email) and a literal key ("user.email"), so
// flattened exports work too. Only fields in allow are used (nil: all).
func buildJSONTable(entries []pathEntry, allow []fieldID) *keyTable {
	root := map[string]*jsonBuild{}
	for _, e := range entries {
		if allow != nil && !slices.Contains(allow, e.t.f) {
			continue
		}
		segs := strings.Split(e.path, ".")
		addPath(root, segs, e.t)
		if len(segs) > 1 {
			addPath(root, []string{e.path}, e.t)
		}
	}
	return freezeJSON(root)
}

// jsonBuild is the mutable form of a jsonNode while tables are built.
type jsonBuild struct {
	targets []target
	kids    map[string]*jsonBuild
}

func addPath(level map[string]*jsonBuild, segs []string, t target) {
	for i, s := range segs {
		n := level[s]
		if n == nil {
			n = &jsonBuild{}
			level[s] = n
		}
		if i == len(segs)-1 {
			if !slices.Contains(n.targets, t) {
				n.targets = append(n.targets, t)
			}
			return
		}
		if n.kids == nil {
			n.kids = map[string]*jsonBuild{}
		}
		level = n.kids
	}
}

func freezeJSON(level map[string]*jsonBuild) *keyTable {
	t := newKeyTable(len(level))
	for _, key := range slices.Sorted(maps.Keys(level)) {
		b := level[key]
		n := &jsonNode{}
		for _, tg := range b.targets {
			switch tg.f {
			case fProps:
				n.props = true
			case fUsers:
				n.users = true
			default:
				n.targets = append(n.targets, tg)
			}
		}
		if b.kids != nil {
			n.kids = freezeJSON(b.kids)
		}
		t.add(key, n)
	}
	return t
}

// keyTable is a small open-addressing hash table from key bytes to nodes.
// Looking a []byte up in it does not allocate, and its hash reads only the
// length and three bytes of the key, which matters at ~20 keys per record;
// the few keys of a mapping rarely collide, and a collision costs a probe.
//
// It also remembers the order the keys last came in: the records of one
// export write their keys in one order, so the decoder first tries the key
// that followed the previous one last time (see jsonlDecoder.member). A
// table belongs to one decoder, which is why it may learn.
type keyTable struct {
	shift uint32 // 32 - log2(len(slots))
	slots []keySlot
	first int32 // slot of the first key of the last object, or noSlot
}

type keySlot struct {
	key  string
	node *jsonNode
	// quoted is `"key":`, as the key is spelled when nothing is escaped;
	// empty when the key cannot be spelled so.
	quoted string
	// head holds quoted's first 16 bytes (little-endian), mask the bits
	// of head that quoted fills: one 16-byte comparison tells most keys.
	head, mask [2]uint64
	next       int32 // slot of the key that followed this one last, or noSlot
}

// spelledAt reports whether b[i:] starts with s.quoted.
func (s *keySlot) spelledAt(b []byte, i int) bool {
	q := s.quoted
	if q == "" || len(b)-i < len(q) {
		return false
	}
	if len(b)-i < 16 {
		return string(b[i:i+len(q)]) == q
	}
	x0, x1 := binary.LittleEndian.Uint64(b[i:]), binary.LittleEndian.Uint64(b[i+8:])
	if (x0^s.head[0])&s.mask[0]|(x1^s.head[1])&s.mask[1] != 0 {
		return false
	}
	return len(q) <= 16 || string(b[i+16:i+len(q)]) == q[16:]
}

// noSlot stands for a key the table does not hold, or none learnt yet.
const noSlot int32 = -1

func newKeyTable(n int) *keyTable {
	size, bits := 8, uint32(3)
	for size < 4*n {
		size, bits = size*2, bits+1
	}
	return &keyTable{shift: 32 - bits, slots: make([]keySlot, size), first: noSlot}
}

func (t *keyTable) add(key string, n *jsonNode) {
	mask := uint32(len(t.slots) - 1)
	for i := hashKey(key) >> t.shift; ; i = (i + 1) & mask {
		if t.slots[i].node == nil {
			s := keySlot{key: key, node: n, quoted: quotedKey(key), next: noSlot}
			for j := 0; j < len(s.quoted) && j < 16; j++ {
				s.head[j/8] |= uint64(s.quoted[j]) << (8 * (j % 8))
				s.mask[j/8] |= 0xff << (8 * (j % 8))
			}
			t.slots[i] = s
			return
		}
	}
}

// quotedKey is key as a JSON member name and colon, or "" when key has a
// byte JSON would escape.
func quotedKey(key string) string {
	for i := 0; i < len(key); i++ {
		if !strPlain[key[i]] {
			return ""
		}
	}
	return `"` + key + `":`
}

// node is slot's node: nil for noSlot.
func (t *keyTable) node(slot int32) *jsonNode {
	if slot == noSlot {
		return nil
	}
	return t.slots[slot].node
}

// lookup returns key's slot, or noSlot.
func (t *keyTable) lookup(key []byte) int32 {
	mask := uint32(len(t.slots) - 1)
	for i := hashKey(key) >> t.shift; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.node == nil {
			return noSlot
		}
		if s.key == string(key) {
			return int32(i)
		}
	}
}

// hashKey mixes the length, first, middle and last byte of k
// (Fibonacci hashing: the table uses the top bits of the product).
func hashKey[T string | []byte](k T) uint32 {
	n := len(k)
	if n == 0 {
		return 0
	}
	h := uint32(n) | uint32(k[0])<<8 | uint32(k[n/2])<<16 | uint32(k[n-1])<<24
	return h * 0x9E3779B1
}

// csvColumn says what a CSV column feeds: fields, a property, or nothing.
type csvColumn struct {
	targets []target
	propKey string // when non-empty: the column is kept as this property
}

// csvColumns resolves a header. Paths are literal header names; a header
// "props.NAME" is property NAME and any other unknown header is a property
// of its own name. Of duplicate headers only the first column is used.
func csvColumns(c *compiled, names []string) []csvColumn {
	byName := map[string][]target{}
	for _, e := range c.entries {
		if e.t.f == fProps || e.t.f == fUsers {
			continue // no nesting in CSV: such columns are plain properties
		}
		byName[e.path] = append(byName[e.path], e.t)
	}
	cols := make([]csvColumn, len(names))
	seen := map[string]bool{}
	for i, name := range names {
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		if ts, ok := byName[name]; ok {
			cols[i].targets = ts
			continue
		}
		if p, ok := strings.CutPrefix(name, "props."); ok && p != "" {
			cols[i].propKey = p
		} else {
			cols[i].propKey = name
		}
	}
	return cols
}
