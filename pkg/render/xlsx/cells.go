package xlsx

import (
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// kind is what a cell holds.
type kind uint8

const (
	kindEmpty kind = iota
	kindText
	kindInt
	kindTime
)

// cell is one value of a table row, before it is given to excelize; it lets
// the width pass and the writing pass share one fill function without
// boxing values.
type cell struct {
	kind kind
	text string
	num  int64
	time time.Time
}

func textCell(s string) cell {
	if s == "" {
		return cell{}
	}
	return cell{kind: kindText, text: s}
}

func intCell(n int64) cell { return cell{kind: kindInt, num: n} }

// timeCell is empty for the zero time: "never" is shown as nothing.
func timeCell(t time.Time) cell {
	if t.IsZero() {
		return cell{}
	}
	return cell{kind: kindTime, time: t}
}

// maxCellChars is Excel's limit on a cell's text, in UTF-16 code units.
const maxCellChars = 32767

// truncMarker ends a cell that was cut to fit, so a reader sees the cut.
const truncMarker = "… [truncated]"

var markerUnits = len(utf16.Encode([]rune(truncMarker)))

// fitCell cuts s to Excel's cell limit, ending it with truncMarker. The cut
// falls on a character boundary; the result is at most maxCellChars UTF-16
// units, as Excel counts.
func fitCell(s string) string {
	// A UTF-16 unit needs at least one UTF-8 byte, so short strings fit.
	if len(s) <= maxCellChars {
		return s
	}
	units := 0
	for _, r := range s {
		units += utf16Len(r)
	}
	if units <= maxCellChars {
		return s
	}
	budget := maxCellChars - markerUnits
	units = 0
	for i, r := range s {
		if units+utf16Len(r) > budget {
			return s[:i] + truncMarker
		}
		units += utf16Len(r)
	}
	return s // not reached: s is longer than budget
}

// utf16Len is how many UTF-16 units r takes; invalid bytes decode to
// U+FFFD, which takes one, as excelize writes them.
func utf16Len(r rune) int {
	if r >= 0x10000 && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

// timeLayout is how times are shown, in cells and inside text.
const (
	timeLayout = "2006-01-02 15:04:05"
	timeFormat = "yyyy-mm-dd hh:mm:ss" // the same, as an Excel number format
)

// Excel serial dates count days from 1899-12-30 for every date from
// 1900-03-01 (earlier ones are off by Excel's 1900 leap-year bug) up to
// 9999-12-31, its last.
var (
	excelEpoch   = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Unix()
	excelFirst   = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	excelPastEnd = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// excelTime converts t to an Excel serial date-time showing t's wall clock
// in loc, truncated to the second so the cell shows what the same time
// written as text shows. ok is false outside Excel's range.
func excelTime(t time.Time, loc *time.Location) (serial float64, ok bool) {
	t = t.In(loc)
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	wall := time.Date(y, mo, d, h, mi, s, 0, time.UTC).Unix()
	if wall < excelFirst || wall >= excelPastEnd {
		return 0, false
	}
	secs := wall - excelEpoch
	return float64(secs/86400) + float64(secs%86400)/86400, true
}

// appendTime appends t's wall clock in loc as timeLayout. It is
// time.Format's result, made without parsing the layout each time: the
// Detailed User Report formats two times per system per user.
func appendTime(dst []byte, t time.Time, loc *time.Location) []byte {
	t = t.In(loc)
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, timeLayout)
	}
	h, mi, s := t.Clock()
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	dst = append2(dst, int(mo), '-')
	dst = append2(dst, d, ' ')
	dst = append2(dst, h, ':')
	dst = append2(dst, mi, ':')
	return append(dst, byte('0'+s/10), byte('0'+s%10))
}

func append2(dst []byte, n int, sep byte) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10), sep)
}

// Column widths are in characters of the default font.
const (
	maxColWidth  = 80
	timeWidth    = len(timeLayout)
	widthPadding = 2 // room either side of the text
	filterButton = 3 // the autofilter's drop-down arrow in a header
)

// textWidth estimates how many character widths s takes on screen: its
// longest line, with wide (East Asian, emoji) characters counted twice and
// combining marks not at all. It stops counting at limit.
func textWidth(s string, limit int) int {
	widest, w := 0, 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if c == '\n' {
				widest, w = max(widest, w), 0
				continue
			}
			w++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			w += runeWidth(r)
		}
		if w >= limit {
			return limit
		}
	}
	return max(widest, w)
}

func runeWidth(r rune) int {
	switch {
	case r >= 0x0300 && r <= 0x036F, r >= 0x200B && r <= 0x200F, r >= 0xFE00 && r <= 0xFE0F:
		return 0 // combining marks, zero-width spaces and joiners, variation selectors
	case r >= 0x1100 && r <= 0x115F,
		r >= 0x2E80 && r <= 0xA4CF && r != 0x303F,
		r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF,
		r >= 0xFE30 && r <= 0xFE4F,
		r >= 0xFF00 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x1F300 && r <= 0x1F64F,
		r >= 0x1F900 && r <= 0x1F9FF,
		r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
}

// intWidth is the width of n written with thousands separators.
func intWidth(n int64) int {
	sign, u := 0, uint64(n)
	if n < 0 {
		sign, u = 1, -u
	}
	digits := 1
	for u >= 10 {
		u /= 10
		digits++
	}
	return sign + digits + (digits-1)/3
}

// cellWidth is how wide c shows, up to limit.
func cellWidth(c cell, limit int) int {
	switch c.kind {
	case kindText:
		return textWidth(c.text, limit)
	case kindInt:
		return intWidth(c.num)
	case kindTime:
		return timeWidth
	}
	return 0
}

// headerWidth is the width a column needs for its header: bold text is
// about a tenth wider, and the filter button takes room.
func headerWidth(h string) int {
	w := textWidth(h, maxColWidth)
	return w + (w+9)/10 + filterButton
}

// colWidth is the final width of a column whose widest content is
// content and whose header needs header.
func colWidth(content, header int) float64 {
	return float64(min(maxColWidth, max(content+widthPadding, header+widthPadding)))
}
