package xlsx

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/usagerep/usagerep/pkg/usage"
)

// cellValue is c as excelize's stream writer would take it: the reference
// the row encoder is held to.
func (b *book) cellValue(c cell, bold bool) any {
	switch c.kind {
	case kindText:
		if bold {
			return excelize.Cell{StyleID: b.styles.bold, Value: fitCell(c.text)}
		}
		return fitCell(c.text)
	case kindInt:
		style := b.styles.count
		if bold {
			style = b.styles.boldCount
		}
		return excelize.Cell{StyleID: style, Value: c.num}
	case kindTime:
		if serial, ok := excelTime(c.time, b.loc); ok {
			return excelize.Cell{StyleID: b.styles.date, Value: serial}
		}
		return string(appendTime(nil, c.time, b.loc))
	}
	return nil
}

// rowCorpus is text that needs care in XML or in Excel.
var rowCorpus = []string{
	"plain", "=1+2", "+SUM(A1)", "-1", "@cmd", "\tlead tab", "trail space ", " ", "\r\nCRLF",
	`<b>&amp;"quoted"'apos'</b>`, "line\nfeed", "nul\x00byte", "bell\x07", "del\x7f",
	"bad\xffutf8", "\xc3", "ü ñ 漢字 😀", "\ufffe\uffff", "\U0010FFFF", "_x0041_ and _X12_",
	"__x0041__", "_x12G4_", "ends with _x004", "a" + strings.Repeat("é", 40000), everyASCIIByte(),
}

// everyASCIIByte is the bytes 0-127 in order, inside one text.
func everyASCIIByte() string {
	b := []byte("ascii:")
	for c := range 128 {
		b = append(b, byte(c))
	}
	return string(b)
}

// TestRowEncoderMatchesExcelize checks that the spliced rows are the bytes
// excelize's stream writer writes for the same cells.
func TestRowEncoderMatchesExcelize(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	times := []time.Time{
		time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 22, 23, 59, 59, 999, time.UTC),
	}
	tab := &table{
		sheet:   "T",
		headers: []string{"Text", "Int", "Time", "Empty"},
		rows:    len(rowCorpus) + 1,
		fill: func(_ *formatter, i int, row []cell) {
			if i < len(rowCorpus) {
				row[0] = textCell(rowCorpus[i])
			}
			row[1] = intCell(int64(i*i*1000) - 7)
			row[2] = timeCell(times[i%len(times)])
		},
		bold: func(i int) bool { return i%5 == 4 },
	}

	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f, loc: loc}
	if err := b.newStyles(); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	fm := &formatter{loc: loc}
	row := make([]cell, len(tab.headers))
	for i := range tab.rows {
		clear(row)
		tab.fill(fm, i, row)
		values := make([]any, len(row))
		for c := range row {
			values[c] = b.cellValue(row[c], tab.bold(i))
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+2), values); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	sheet := parts(t, out.Bytes())["xl/worksheets/sheet1.xml"]
	from, to := strings.Index(sheet, `<row r="2"`), strings.Index(sheet, sheetDataEnd)
	if from < 0 || to < from {
		t.Fatalf("no rows in excelize's sheet:\n%s", sheet)
	}
	want := sheet[from:to]

	var got bytes.Buffer
	if err := b.writeRows(&got, tab, 0, tab.rows); err != nil {
		t.Fatal(err)
	}
	if got.String() != want {
		g, w := got.String(), want
		for i := 0; i < min(len(g), len(w)); i++ {
			if g[i] != w[i] {
				lo := max(0, i-80)
				t.Fatalf("rows differ at byte %d:\n got: %q\nwant: %q", i, g[lo:min(len(g), i+80)], w[lo:min(len(w), i+80)])
			}
		}
		t.Fatalf("rows differ in length: got %d bytes, want %d", len(g), len(w))
	}
}

// TestEscapeLikeTextReadsBack checks that text looking like an OOXML
// escape (_xHHHH_) is stored so that it reads back as written, also when
// two such runs touch, where excelize's own writer loses one.
func TestEscapeLikeTextReadsBack(t *testing.T) {
	cases := map[string]string{
		"_x0041_":        "_x005F_x0041_",
		"_x0041_x0042_":  "_x005F_x0041_x005F_x0042_",
		"a_x12G4_b":      "a_x12G4_b",
		"_x004":          "_x004",
		"<_x00e9_&>":     "&lt;_x005F_x00e9_&amp;&gt;",
		"tab\there\nnew": "tab&#x9;here\nnew",
	}
	for in, want := range cases {
		if got := string(appendCellText(nil, in)); got != want {
			t.Errorf("appendCellText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColumnName(t *testing.T) {
	for n, want := range map[int]string{1: "A", 11: "K", 26: "Z", 27: "AA", 52: "AZ", 53: "BA", 702: "ZZ", 703: "AAA", 16384: "XFD"} {
		if got := columnName(n); got != want {
			t.Errorf("columnName(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestWriteRowsOrder checks that rows come out in order when they are
// encoded on several goroutines, and that a write error stops the writing.
func TestWriteRowsOrder(t *testing.T) {
	tab := &table{
		sheet: "T", headers: []string{"N"}, rows: 3*parallelRows + 17,
		fill: func(_ *formatter, i int, row []cell) { row[0] = intCell(int64(i)) },
	}
	b := &book{loc: time.UTC}
	var out bytes.Buffer
	if err := b.writeRows(&out, tab, 5, tab.rows); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for i := 5; i < tab.rows; i++ {
		r := strconv.Itoa(i - 5 + 2)
		cellXML := `<row r="` + r + `"><c r="A` + r + `"><v>` + strconv.Itoa(i) + `</v></c></row>`
		if !strings.HasPrefix(s, cellXML) {
			t.Fatalf("row %d: got %.80q, want %q", i, s, cellXML)
		}
		s = s[len(cellXML):]
	}
	if s != "" {
		t.Fatalf("%d bytes after the last row", len(s))
	}
	if err := b.writeRows(&failingWriter{n: 100, err: io.ErrShortWrite}, tab, 0, tab.rows); err != io.ErrShortWrite {
		t.Fatalf("writeRows to a failing writer: %v, want %v", err, io.ErrShortWrite)
	}
}

// TestCorpusReadsBack renders the corpus into a workbook's Detailed User
// Report and reads every cell back as the text it was given.
func TestCorpusReadsBack(t *testing.T) {
	rep, wb := sampleReport()
	wb.Users = wb.Users[:1]
	for _, s := range rowCorpus {
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\x07\ufffe\uffff") || len(s) > maxCellChars {
			continue // not kept as written, by design (U+FFFD, cut)
		}
		wb.Users = append(wb.Users, usage.UserRow{Email: s, Username: "u"})
	}
	f := open(t, render(t, rep, wb))
	for i, u := range wb.Users[1:] {
		ref := "A" + strconv.Itoa(i+3)
		if got := inspect(t, f, SheetDetailedUser, ref); got.raw != u.Email || got.formula != "" || got.kind != "text" {
			t.Errorf("%s: read back %+v, want text %q", ref, got, u.Email)
		}
	}
}
