package gen

import "strconv"

// variant is how an observed value is spelled on one record.
type variant uint8

const (
	varNone        variant = iota
	varCapital             // John.Smith@Acme.Example, JSmith
	varUpper               // JOHN.SMITH@ACME.EXAMPLE
	varLower               // john smith
	varDoubleSpace         // John  Smith
	varLastFirst           // Smith, John
)

// appendVariant appends s spelled as v. Case changes touch ASCII letters
// only, which keeps the text valid UTF-8.
func appendVariant(b []byte, s string, v variant, p *person) []byte {
	switch v {
	case varCapital:
		up := true
		for i := 0; i < len(s); i++ {
			c := s[i]
			if up && c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			up = c == '.' || c == '_' || c == '@'
			b = append(b, c)
		}
		return b
	case varUpper:
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
		}
		return b
	case varLower:
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
		return b
	case varDoubleSpace:
		for i := 0; i < len(s); i++ {
			b = append(b, s[i])
			if s[i] == ' ' {
				return append(append(b, ' '), s[i+1:]...)
			}
		}
		return b
	case varLastFirst:
		if p != nil {
			b = append(b, p.last...)
			b = append(b, ", "...)
			return append(b, p.first...)
		}
	}
	return append(b, s...)
}

// appendInvalidEmail spells an email the way some exports mangle it; it is
// not an email any more (no '@').
func appendInvalidEmail(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			b = append(b, " at "...)
			continue
		}
		b = append(b, s[i])
	}
	return b
}

type text interface{ ~string | ~[]byte }

// appendQuoted appends s as a JSON string. Every string the generator
// writes comes from its own tables, which TestTablesArePlain checks need no
// escaping in JSON or quoting in CSV, so the hot path copies bytes.
func appendQuoted[T text](b []byte, s T) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendCSVField appends one RFC 4180 field, quoted only when it must be.
func appendCSVField[T text](b []byte, s T) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, s[start:i+1]...)
			b = append(b, '"')
			start = i + 1
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendTime appends t (Unix seconds, UTC) as RFC 3339. The date text is
// cached: records come in time order, so most share the previous one's day.
func (g *generator) appendTime(b []byte, t int64) []byte {
	day, sec := t/86400, t%86400
	if day != g.dayNum {
		g.dayNum = day
		y, m, d := civil(day)
		put4(g.dayText[0:4], y)
		g.dayText[4] = '-'
		put2(g.dayText[5:7], m)
		g.dayText[7] = '-'
		put2(g.dayText[8:10], d)
	}
	b = append(b, g.dayText[:]...)
	var c [10]byte
	c[0] = 'T'
	put2(c[1:3], sec/3600)
	c[3] = ':'
	put2(c[4:6], sec/60%60)
	c[6] = ':'
	put2(c[7:9], sec%60)
	c[9] = 'Z'
	return append(b, c[:]...)
}

func put2(b []byte, v int64) { b[0], b[1] = byte('0'+v/10), byte('0'+v%10) }

func put4(b []byte, v int64) {
	put2(b[0:2], v/100)
	put2(b[2:4], v%100)
}

// civil converts days since 1970-01-01 (>= 0) to a proleptic Gregorian
// date (Howard Hinnant's days_from_civil, inverted).
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

func appendEntityID(b []byte, id entityID) []byte {
	b = append(b, id.prefix...)
	if id.pad > 0 {
		for n, p := int64(10), 1; p < id.pad; n, p = n*10, p+1 {
			if id.num < n {
				b = append(b, '0')
			}
		}
	}
	return strconv.AppendInt(b, id.num, 10)
}

func appendTenths(b []byte, v int64) []byte {
	b = strconv.AppendInt(b, v/10, 10)
	return append(b, '.', byte('0'+v%10))
}

// appendWho appends the spelled value of one user field into tmp.
func (w *who) appendEmail(b []byte) []byte {
	if w.invalidEmail {
		return appendInvalidEmail(b, w.email)
	}
	return appendVariant(b, w.email, w.emailVar, w.p)
}

func (g *generator) jsonField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, key...)
	return appendQuoted(b, v)
}

func (g *generator) jsonWho(b []byte, w *who) []byte {
	// Most values are written as they are; only variants go through tmp.
	if w.email != "" {
		b = append(b, `,"email":`...)
		if w.emailVar == varNone && !w.invalidEmail {
			b = appendQuoted(b, w.email)
		} else {
			g.tmp = w.appendEmail(g.tmp[:0])
			b = appendQuoted(b, g.tmp)
		}
	}
	if w.username != "" {
		b = append(b, `,"username":`...)
		if w.userVar == varNone {
			b = appendQuoted(b, w.username)
		} else {
			g.tmp = appendVariant(g.tmp[:0], w.username, w.userVar, w.p)
			b = appendQuoted(b, g.tmp)
		}
	}
	if w.display != "" {
		b = append(b, `,"display_name":`...)
		if w.dispV == varNone {
			b = appendQuoted(b, w.display)
		} else {
			g.tmp = appendVariant(g.tmp[:0], w.display, w.dispV, w.p)
			b = appendQuoted(b, g.tmp)
		}
	}
	if w.names && w.p != nil {
		b = g.jsonField(b, `,"first_name":`, w.p.first)
		b = g.jsonField(b, `,"last_name":`, w.p.last)
		b = g.jsonField(b, `,"company":`, domains[w.p.dom].company)
	}
	if w.userID != 0 {
		b = append(b, `,"user_id":"`...)
		b = strconv.AppendInt(b, w.userID, 10)
		b = append(b, '"')
	}
	if w.svc {
		b = append(b, `,"service_account":true`...)
	}
	return b
}

// appendJSON appends the current record as one JSON line.
func (g *generator) appendJSON(b []byte) []byte {
	r := &g.rec
	b = append(b, `{"time":"`...)
	b = g.appendTime(b, r.t)
	if r.sync {
		b = append(b, `","kind":"sync"`...)
	} else {
		b = append(b, `","kind":"activity"`...)
	}
	b = g.jsonField(b, `,"system":`, r.sys)
	b = g.jsonField(b, `,"project":`, r.proj)
	if r.sync {
		b = g.jsonField(b, `,"entity_type":`, r.etype)
		if r.id.num >= 0 {
			b = append(b, `,"entity_id":"`...)
			b = append(appendEntityID(b, r.id), '"')
		}
		b = g.jsonField(b, `,"peer_system":`, r.peerSys)
		b = g.jsonField(b, `,"peer_project":`, r.peerProj)
		b = g.jsonField(b, `,"peer_entity_type":`, r.peerType)
		if r.peerID.num >= 0 {
			b = append(b, `,"peer_entity_id":"`...)
			b = append(appendEntityID(b, r.peerID), '"')
		}
		b = g.jsonField(b, `,"integration":`, r.integration)
		b = g.jsonField(b, `,"integration_status":`, r.status)
		if r.updated != 0 {
			b = append(b, `,"integration_updated":"`...)
			b = append(g.appendTime(b, r.updated), '"')
		}
		b = g.jsonField(b, `,"outcome":`, r.outcome)
	}
	b = g.jsonField(b, `,"action":`, r.action)
	if r.act != nil {
		b = g.jsonField(b, `,"category":`, r.act.category)
	}
	if !r.sync && r.count != 1 {
		b = append(b, `,"count":`...)
		b = strconv.AppendInt(b, r.count, 10)
	}
	if r.duration >= 0 {
		b = append(b, `,"duration":`...)
		b = appendTenths(b, r.duration)
	}
	if r.session != 0 {
		b = append(b, `,"session":"s-`...)
		b = append(strconv.AppendUint(b, r.session, 16), '"')
	}
	b = g.jsonWho(b, &r.who)
	b = g.jsonField(b, `,"interaction":`, r.interaction)
	b = g.jsonField(b, `,"customer":`, r.customer)
	b = g.jsonField(b, `,"plan":`, r.plan)
	if r.props {
		b = append(b, `,"props":{"os":`...)
		b = appendQuoted(b, r.os)
		b = append(b, `,"version":`...)
		b = appendQuoted(b, r.version)
		b = append(b, `,"country":`...)
		b = appendQuoted(b, r.country)
		b = append(b, `,"license_type":`...)
		b = appendQuoted(b, r.lic)
		b = append(b, '}')
	}
	if r.nusers > 0 {
		b = append(b, `,"users":[`...)
		for i := range r.nusers {
			e := &r.users[i]
			if i > 0 {
				b = append(b, ',')
			}
			// jsonWho writes ",key":..., so open the object with a
			// field that is always there.
			b = append(b, `{"interaction":`...)
			b = appendQuoted(b, e.interaction)
			b = g.jsonWho(b, &e.who)
			b = g.jsonField(b, `,"system":`, e.system)
			if e.t != 0 {
				b = append(b, `,"time":"`...)
				b = append(g.appendTime(b, e.t), '"')
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...)
}

// csvHeader is the canonical header: every record field, then the props
// as plain columns (unknown columns are kept as properties).
const csvHeader = "time,kind,system,project,entity_type,entity_id,peer_system,peer_project,peer_entity_type,peer_entity_id," +
	"integration,integration_status,integration_updated,outcome,action,category,count,duration,session," +
	"email,username,display_name,first_name,last_name,company,user_id,interaction,service_account,customer,plan," +
	"os,version,country,license_type\n"

// appendCSV appends the current record as one CSV row with every column
// of csvHeader. CSV has no users arrays.
func (g *generator) appendCSV(b []byte) []byte {
	r := &g.rec
	b = g.appendTime(b, r.t)
	if r.sync {
		b = append(b, ",sync,"...)
	} else {
		b = append(b, ",activity,"...)
	}
	b = append(b, r.sys...)
	b = append(b, ',')
	b = append(b, r.proj...)
	b = append(b, ',')
	if r.sync {
		b = append(b, r.etype...)
		b = append(b, ',')
		if r.id.num >= 0 {
			b = appendEntityID(b, r.id)
		}
		b = append(b, ',')
		b = append(b, r.peerSys...)
		b = append(b, ',')
		b = append(b, r.peerProj...)
		b = append(b, ',')
		b = append(b, r.peerType...)
		b = append(b, ',')
		if r.peerID.num >= 0 {
			b = appendEntityID(b, r.peerID)
		}
		b = append(b, ',')
		b = append(b, r.integration...)
		b = append(b, ',')
		b = append(b, r.status...)
		b = append(b, ',')
		if r.updated != 0 {
			b = g.appendTime(b, r.updated)
		}
		b = append(b, ',')
		b = append(b, r.outcome...)
		b = append(b, ',')
	} else {
		b = append(b, ",,,,,,,,,,"...) // the ten sync columns
	}
	b = append(b, r.action...)
	b = append(b, ',')
	if r.act != nil {
		b = append(b, r.act.category...)
	}
	b = append(b, ',')
	if !r.sync {
		b = strconv.AppendInt(b, r.count, 10)
	}
	b = append(b, ',')
	if r.duration >= 0 {
		b = appendTenths(b, r.duration)
	}
	b = append(b, ',')
	if r.session != 0 {
		b = append(b, "s-"...)
		b = strconv.AppendUint(b, r.session, 16)
	}
	b = append(b, ',')
	w := &r.who
	// Canonical values are plain (see appendQuoted); only variants may
	// need quoting, "Smith, John".
	switch {
	case w.email == "":
	case w.emailVar == varNone && !w.invalidEmail:
		b = append(b, w.email...)
	default:
		g.tmp = w.appendEmail(g.tmp[:0])
		b = appendCSVField(b, g.tmp)
	}
	b = append(b, ',')
	if w.userVar == varNone {
		b = append(b, w.username...)
	} else {
		g.tmp = appendVariant(g.tmp[:0], w.username, w.userVar, w.p)
		b = appendCSVField(b, g.tmp)
	}
	b = append(b, ',')
	if w.dispV == varNone {
		b = append(b, w.display...)
	} else {
		g.tmp = appendVariant(g.tmp[:0], w.display, w.dispV, w.p)
		b = appendCSVField(b, g.tmp)
	}
	b = append(b, ',')
	if w.names && w.p != nil {
		b = append(b, w.p.first...)
		b = append(b, ',')
		b = append(b, w.p.last...)
		b = append(b, ',')
		b = append(b, domains[w.p.dom].company...)
	} else {
		b = append(b, ",,"...)
	}
	b = append(b, ',')
	if w.userID != 0 {
		b = strconv.AppendInt(b, w.userID, 10)
	}
	b = append(b, ',')
	b = append(b, r.interaction...)
	b = append(b, ',')
	if w.svc {
		b = append(b, "true"...)
	}
	b = append(b, ',')
	b = append(b, r.customer...)
	b = append(b, ',')
	b = append(b, r.plan...)
	b = append(b, ',')
	if r.props {
		b = append(b, r.os...)
		b = append(b, ',')
		b = append(b, r.version...)
		b = append(b, ',')
		b = append(b, r.country...)
		b = append(b, ',')
		b = append(b, r.lic...)
	} else {
		b = append(b, ",,,"...)
	}
	return append(b, '\n')
}
