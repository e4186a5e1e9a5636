package record

import (
	"errors"
	"math"
	"strconv"
	"unsafe"
)

// Errors returned by ParseTime and FromEpoch. They are static values so that
// a bad timestamp costs no allocation.
var (
	ErrTimeSyntax = errors.New("unrecognised timestamp")
	ErrTimeRange  = errors.New("timestamp out of range")
)

// MinTime and MaxTime bound the instants a record can carry: years
// 1678..2261, well inside what Unix nanoseconds in an int64 can hold.
var (
	MinTime = daysFromCivil(1678, 1, 1) * secondsPerDay * 1e9
	MaxTime = daysFromCivil(2262, 1, 1)*secondsPerDay*1e9 - 1
)

const (
	secondsPerDay = 86400
	// epochMillisFrom is the magnitude from which an epoch number is read
	// as milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
	epochMillisFrom = 1e11
	// Epoch magnitudes from these on are past the year 2262 whatever the sign.
	maxEpochSeconds = 9_300_000_000
	maxEpochMillis  = maxEpochSeconds * 1000
)

// ParseTime reads a timestamp and returns it as Unix nanoseconds in UTC.
// Accepted forms (surrounding ASCII spaces are ignored):
//
//	2026-03-03T10:15:00Z            RFC 3339: 'T' or 't', 'Z' or 'z' or ±hh:mm,
//	2026-03-03T10:15:00.5+02:00     fractional seconds of 1 to 9 digits
//	2026-03-03 10:15:00             a space instead of 'T'; no zone means UTC
//	1772532900  1772532900.25       Unix epoch seconds (optionally fractional,
//	1772532900000                   a magnitude of 1e11 or more is milliseconds)
//
// Epoch numbers may carry a sign and, as JSON numbers do, an exponent.
// Anything else is ErrTimeSyntax; a valid timestamp outside years 1678..2261
// is ErrTimeRange. ParseTime does not allocate.
func ParseTime(b []byte) (int64, error) {
	for len(b) > 0 && isASCIISpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isASCIISpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	if len(b) >= 10 && b[4] == '-' {
		return parseDateTime(b)
	}
	return parseEpoch(b)
}

// FromEpoch converts Unix epoch seconds, or milliseconds when the magnitude
// is 1e11 or more, to Unix nanoseconds.
func FromEpoch(v float64) (int64, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ErrTimeSyntax
	}
	ns := v * 1e9
	if math.Abs(v) >= epochMillisFrom {
		ns = v * 1e6
	}
	if ns < float64(MinTime) || ns > float64(MaxTime) {
		return 0, ErrTimeRange
	}
	return int64(ns), nil
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// parseDateTime reads the RFC 3339 and "YYYY-MM-DD HH:MM:SS" forms.
func parseDateTime(b []byte) (int64, error) {
	// Fixed part: YYYY-MM-DDTHH:MM:SS is 19 bytes.
	if len(b) < 19 || b[7] != '-' || b[13] != ':' || b[16] != ':' {
		return 0, ErrTimeSyntax
	}
	sep := b[10]
	if sep != 'T' && sep != 't' && sep != ' ' {
		return 0, ErrTimeSyntax
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return 0, ErrTimeSyntax
	}
	rest := b[19:]

	var frac int64
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		nd := n - 1
		if nd == 0 || nd > 9 {
			return 0, ErrTimeSyntax
		}
		frac, _ = digits(rest[1:n])
		for i := nd; i < 9; i++ {
			frac *= 10
		}
		rest = rest[n:]
	}

	var offset int64 // seconds east of UTC
	switch {
	case len(rest) == 0:
		// Only the space-separated form may omit the zone (it means UTC);
		// an RFC 3339 time without a zone is a local time of unknown zone.
		if sep != ' ' {
			return 0, ErrTimeSyntax
		}
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, ErrTimeSyntax
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, ErrTimeSyntax
	}

	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return 0, ErrTimeSyntax
	}
	if year < 1678 || year > 2261 {
		return 0, ErrTimeRange
	}
	secs := daysFromCivil(year, month, day)*secondsPerDay + hour*3600 + minute*60 + sec - offset
	return secs*1e9 + frac, nil
}

// digits reads a run of ASCII digits (at most 18) as a number.
func digits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func daysIn(month, year int64) int64 {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// proleptic Gregorian date (Howard Hinnant's algorithm, for year >= 0).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// parseEpoch reads epoch seconds or milliseconds: -?digits(.digits)? exactly,
// and anything with an exponent through strconv.
func parseEpoch(b []byte) (int64, error) {
	s := b
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intDigits := s[:i]
	var fracDigits []byte
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		fracDigits = s[i+1 : j]
		i = j
	}
	if i < len(s) {
		if s[i] == 'e' || s[i] == 'E' {
			return epochFloat(b)
		}
		return 0, ErrTimeSyntax
	}
	if len(intDigits) == 0 {
		return 0, ErrTimeSyntax
	}
	// Leading zeros aside, anything past 15 digits is far out of range.
	for len(intDigits) > 1 && intDigits[0] == '0' {
		intDigits = intDigits[1:]
	}
	if len(intDigits) > 15 {
		return 0, ErrTimeRange
	}
	ip, _ := digits(intDigits)
	var ns int64
	switch {
	case ip >= maxEpochMillis || (ip >= maxEpochSeconds && ip < epochMillisFrom):
		return 0, ErrTimeRange // and the product below would overflow
	case ip >= epochMillisFrom:
		ns = ip*1e6 + scaleFrac(fracDigits, 6)
	default:
		ns = ip*1e9 + scaleFrac(fracDigits, 9)
	}
	if neg {
		ns = -ns
	}
	if ns < MinTime || ns > MaxTime {
		return 0, ErrTimeRange
	}
	return ns, nil
}

// scaleFrac reads fraction digits as a count of 10^-places units,
// truncating digits beyond places.
func scaleFrac(b []byte, places int) int64 {
	var n int64
	for i := range places {
		n *= 10
		if i < len(b) {
			n += int64(b[i] - '0')
		}
	}
	return n
}

func epochFloat(b []byte) (int64, error) {
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil {
		return 0, ErrTimeSyntax
	}
	return FromEpoch(v)
}
