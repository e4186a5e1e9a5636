package cli

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/internal/bytesize"
	"github.com/usagerep/usagerep/pkg/output"
	"github.com/usagerep/usagerep/pkg/source"
	"github.com/usagerep/usagerep/pkg/usage"
)

// commonFlags are the flags every report command shares (spec 00).
type commonFlags struct {
	AsOf        string
	TZ          string
	Profile     string
	InputFormat string
	Output      string
	Quiet       bool
	Strict      bool
	MaxErrors   int
	Rejects     string
	Workers     int
	Maps        []string
	Consts      []string
	CPUProfile  string
	MemProfile  string

	// Limits against hostile input (docs/reliability.md).
	MaxLineBytes         byteSize
	MaxArchiveDepth      int
	MaxDecompressedRatio float64
	MaxDecompressedBytes byteSize
}

func (c *commonFlags) register(cmd *cobra.Command, defaultOutput string) {
	f := cmd.Flags()
	f.StringVar(&c.AsOf, "as-of", "", "end of every window and \"now\": a date (end of that day in --tz) or an RFC 3339 time (default: the current time)")
	f.StringVar(&c.TZ, "tz", "UTC", "IANA time zone for day boundaries and shown times")
	f.StringVar(&c.Profile, "profile", "", "built-in field mapping for a known dump format ("+strings.Join(source.ProfileNames(), ", ")+")")
	f.StringVar(&c.InputFormat, "input-format", "", "record format of inputs whose name does not tell it, and of stdin: jsonl or csv")
	f.StringVarP(&c.Output, "output", "o", defaultOutput, "where to write; - for standard output")
	f.BoolVarP(&c.Quiet, "quiet", "q", false, "no progress bar and no summary line on stderr")
	f.BoolVar(&c.Strict, "strict", false, "stop at the first rejected record (exit status 3)")
	f.IntVar(&c.MaxErrors, "max-errors", 0, "stop once this many records were rejected (exit status 3); 0 means no limit")
	f.StringVar(&c.Rejects, "rejects", "", "write every rejected record, with its location and reason, to this JSON Lines file")
	f.IntVar(&c.Workers, "workers", runtime.GOMAXPROCS(0), "records are decoded on this many cores")
	f.StringArrayVar(&c.Maps, "map", nil, "map a canonical field to a source path or CSV header, FIELD=PATH (repeatable), e.g. --map username=actor.login")
	f.StringArrayVar(&c.Consts, "const", nil, "set a canonical field for every record, FIELD=VALUE (repeatable), e.g. --const system=GitHub")
	c.MaxLineBytes = source.DefaultMaxLineBytes
	f.Var(&c.MaxLineBytes, "max-line-bytes", "reject a line (CSV record) longer than this, without holding it in memory whole (e.g. 16MiB, 1GB)")
	f.IntVar(&c.MaxArchiveDepth, "max-archive-depth", source.DefaultMaxArchiveDepth, "read bundles nested this deep: 1 reads a bundle's members but skips a bundle inside it")
	f.Float64Var(&c.MaxDecompressedRatio, "max-decompressed-ratio", source.DefaultMaxDecompressedRatio, "abandon an input that expands more than this many times its size on disk, checked past its first 16 MiB (a decompression bomb); 0 turns the check off")
	c.MaxDecompressedBytes = source.DefaultMaxDecompressedBytes
	f.Var(&c.MaxDecompressedBytes, "max-decompressed-bytes", "abandon an input that expands to more than this; 0 turns the check off")
	f.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile to this file")
	f.StringVar(&c.MemProfile, "memprofile", "", "write a heap profile to this file at the end")
	_ = f.MarkHidden("cpuprofile")
	_ = f.MarkHidden("memprofile")
	completeCommonFlags(cmd)
}

// settings are the common flags, checked and resolved.
type settings struct {
	loc      *time.Location
	asOf     time.Time
	mapping  source.Mapping
	inFormat source.Format
}

func (c *commonFlags) resolve(cfgFields, cfgConsts map[string]string, now time.Time) (*settings, error) {
	s := &settings{}
	loc, err := time.LoadLocation(c.TZ)
	if err != nil || c.TZ == "" || strings.EqualFold(c.TZ, "local") {
		return nil, usageErrorf("--tz %q: not an IANA time zone name (e.g. UTC, Europe/Berlin)", c.TZ)
	}
	s.loc = loc
	if c.AsOf == "" {
		s.asOf = now.In(loc)
	} else if s.asOf, err = usage.ParseAsOf(c.AsOf, loc); err != nil {
		return nil, usageErrorf("%v", err)
	}
	if s.inFormat, err = source.ParseFormat(c.InputFormat); err != nil {
		return nil, usageErrorf("--input-format: %v", err)
	}
	if c.MaxErrors < 0 {
		return nil, usageErrorf("--max-errors must be 0 or more")
	}
	if c.Workers < 1 {
		return nil, usageErrorf("--workers must be 1 or more")
	}
	if c.MaxLineBytes < 1 || c.MaxLineBytes > maxLineLimit {
		return nil, usageErrorf("--max-line-bytes must be between 1 and %s", maxLineLimit)
	}
	if c.MaxArchiveDepth < 1 {
		return nil, usageErrorf("--max-archive-depth must be 1 or more")
	}
	if !(c.MaxDecompressedRatio >= 0) { // also NaN
		return nil, usageErrorf("--max-decompressed-ratio must be 0 (off) or more")
	}
	if c.MaxDecompressedBytes < 0 {
		return nil, usageErrorf("--max-decompressed-bytes must be 0 (off) or more")
	}
	if c.Profile != "" {
		p, ok := source.Profile(c.Profile)
		if !ok {
			return nil, usageErrorf("--profile %q: unknown (known: %s)", c.Profile, strings.Join(source.ProfileNames(), ", "))
		}
		s.mapping = p
	}
	flagFields, err := parseAssignments("map", c.Maps)
	if err != nil {
		return nil, err
	}
	flagConsts, err := parseAssignments("const", c.Consts)
	if err != nil {
		return nil, err
	}
	user := source.Mapping{
		Fields:    mergeMaps(mergeMaps(nil, cfgFields), flagFields),
		Constants: mergeMaps(mergeMaps(nil, cfgConsts), flagConsts),
	}
	s.mapping = source.MergeMappings(s.mapping, user)
	if _, err := source.NewDecoder(source.FormatJSONL, source.DecodeOptions{Mapping: s.mapping}); err != nil {
		return nil, usageErrorf("field mapping: %v", err)
	}
	return s, nil
}

// maxLineLimit bounds --max-line-bytes: every reader may hold a few
// buffers of that size.
const maxLineLimit byteSize = 1 << 30

func offIfZero[T float64 | byteSize](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

// byteSize is a flag value holding a byte count, written 16MiB, 500MB or
// 1048576 (see bytesize.Parse).
type byteSize int64

func (b *byteSize) Set(s string) error {
	n, err := bytesize.Parse(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

func (b *byteSize) Type() string { return "size" }

// String writes the size in the largest binary unit that divides it.
func (b byteSize) String() string {
	n := int64(b)
	for _, u := range []struct {
		name  string
		shift uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n != 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// scanResult is what reading the inputs gave.
type scanResult struct {
	stats    source.Stats
	records  int64
	rejected int64
	elapsed  time.Duration
	example  string // one reject, the same on every run (the earliest by source and line)
}

// errTooManyRejects stops a scan under --strict or --max-errors.
var errTooManyRejects = errors.New("too many rejected records")

// scanHooks let a command watch a scan beyond its sinks (inspect).
type scanHooks struct {
	onChunk     func(*source.Chunk) // every chunk before it is decoded, from any goroutine
	onReject    func(source.Reject) // every reject, one call at a time
	markPresent bool                // fill record.Record.Present
}

// scan reads every input once on c.Workers workers, each feeding its own
// sink, with progress, rejects and the error policy of the common flags.
func scan[S source.Sink](ctx context.Context, ios *IOStreams, c *commonFlags, s *settings, paths []string, newSink func() S, keepProps bool, hooks ...scanHooks) ([]S, *scanResult, error) {
	var hook scanHooks
	if len(hooks) > 0 {
		hook = hooks[0]
	}
	start := time.Now()
	if len(paths) == 0 {
		return nil, nil, usageErrorf("no input given (name files, directories or bundles, or - for standard input)")
	}
	opts := source.ScanOptions{
		Workers:         c.Workers,
		Format:          s.inFormat,
		Decode:          source.DecodeOptions{Mapping: s.mapping, KeepProps: keepProps, MarkPresent: hook.markPresent},
		OnChunk:         hook.onChunk,
		Stdin:           ios.In,
		MaxLineBytes:    int(c.MaxLineBytes),
		MaxArchiveDepth: c.MaxArchiveDepth,
		// For ScanOptions 0 is the default and a negative value is off.
		MaxDecompressedRatio: offIfZero(c.MaxDecompressedRatio),
		MaxDecompressedBytes: int64(offIfZero(c.MaxDecompressedBytes)),
	}
	_, total, err := source.Plan(paths, opts)
	if err != nil {
		return nil, nil, usageErrorf("%v", err)
	}

	var records atomic.Int64
	prog := newProgress(ios, c.Quiet, total, &records)
	opts.Progress = prog.addBytes

	rej, err := newRejectWriter(c.Rejects)
	if err != nil {
		return nil, nil, err
	}
	defer rej.abort()

	var (
		mu       sync.Mutex
		rejected int64
		first    string
		example  source.Reject // the earliest by source and line, Raw dropped (it is borrowed)
	)
	onReject := func(r source.Reject) error {
		if err := rej.write(r); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		rejected++
		if hook.onReject != nil {
			hook.onReject(r)
		}
		if first == "" {
			first = r.Error()
		}
		if rejected == 1 || r.Source < example.Source || r.Source == example.Source && r.Line < example.Line {
			example, example.Raw = r, nil
		}
		switch {
		case c.Strict:
			return fmt.Errorf("%w: --strict: %s", errTooManyRejects, r.Error())
		case c.MaxErrors > 0 && rejected >= int64(c.MaxErrors):
			return fmt.Errorf("%w: %d rejected (--max-errors %d); first: %s", errTooManyRejects, rejected, c.MaxErrors, first)
		}
		return nil
	}

	out := make([]S, c.Workers)
	sinks := make([]source.Sink, c.Workers)
	for i := range out {
		out[i] = newSink()
		sinks[i] = out[i]
	}
	opts.RecordsDecoded = func(n int64) { records.Add(n) }
	stats, err := source.Scan(ctx, paths, opts, sinks, onReject)
	prog.finish()
	if cerr := rej.commit(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, errTooManyRejects) {
			return nil, nil, inputError(err)
		}
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("interrupted")
		}
		return nil, nil, err
	}
	// A file or member that is not data is skipped, never silently.
	if !c.Quiet {
		for _, sk := range stats.Skipped {
			fmt.Fprintf(ios.ErrOut, "usagerep: skipped %s: %s\n", sk.Name, sk.Reason)
		}
	}
	res := &scanResult{stats: stats, elapsed: time.Since(start)}
	if rejected > 0 {
		res.example = example.Error()
	}
	for _, src := range stats.Sources {
		res.records += src.Records
		res.rejected += src.Rejected
	}
	return out, res, nil
}

// rejectWriter writes rejected records to the --rejects file as JSON
// Lines; raw bytes that are not UTF-8 go base64-encoded so nothing is lost.
type rejectWriter struct {
	mu  sync.Mutex
	f   *output.File
	enc *json.Encoder
	err error
}

type rejectLine struct {
	Source    string `json:"source"`
	Line      int64  `json:"line"`
	Reason    string `json:"reason"`
	Detail    string `json:"detail,omitempty"`
	Raw       string `json:"raw,omitempty"`
	RawBase64 string `json:"raw_base64,omitempty"`
}

func newRejectWriter(path string) (*rejectWriter, error) {
	w := &rejectWriter{}
	if path == "" {
		return w, nil
	}
	f, err := output.Create(path)
	if err != nil {
		return nil, outputError(fmt.Errorf("--rejects: %w", err))
	}
	w.f = f
	w.enc = json.NewEncoder(f)
	w.enc.SetEscapeHTML(false)
	return w, nil
}

func (w *rejectWriter) write(r source.Reject) error {
	if w.f == nil {
		return nil
	}
	line := rejectLine{Source: r.Source, Line: r.Line, Reason: r.Reason, Detail: r.Detail}
	if utf8.Valid(r.Raw) {
		line.Raw = string(r.Raw)
	} else {
		line.RawBase64 = base64.StdEncoding.EncodeToString(r.Raw)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = w.enc.Encode(line)
	}
	if w.err != nil {
		return outputError(fmt.Errorf("--rejects: %w", w.err))
	}
	return nil
}

func (w *rejectWriter) commit() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f = nil
	if w.err != nil {
		f.Abort()
		return outputError(fmt.Errorf("--rejects: %w", w.err))
	}
	if err := f.Commit(); err != nil {
		return outputError(fmt.Errorf("--rejects: %w", err))
	}
	return nil
}

func (w *rejectWriter) abort() {
	if w.f != nil {
		w.f.Abort()
	}
}

// startProfiles starts the CPU profile asked for by --cpuprofile; the
// returned function stops it and writes the --memprofile heap profile.
func (c *commonFlags) startProfiles() (stop func() error, err error) {
	stopCPU := func() {}
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return nil, outputError(fmt.Errorf("--cpuprofile: %w", err))
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		stopCPU = func() { pprof.StopCPUProfile(); f.Close() }
	}
	var once sync.Once
	var memErr error
	return func() error {
		once.Do(func() {
			stopCPU()
			memErr = writeMemProfile(c.MemProfile)
		})
		return memErr
	}, nil
}

// writeMemProfile writes the heap profile asked for by --memprofile.
func writeMemProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return outputError(fmt.Errorf("--memprofile: %w", err))
	}
	defer f.Close()
	runtime.GC()
	return pprof.WriteHeapProfile(f)
}

// outputFile is a destination that shows its bytes only on Commit.
type outputFile interface {
	io.Writer
	Commit() error
	Abort() error
}

// createOutput opens path atomically, or the command's stdout for "-".
func createOutput(path string, ios *IOStreams) (outputFile, error) {
	if path == output.Stdout {
		s := &stdoutFile{out: ios.Out}
		s.w = bufio.NewWriterSize(writerFunc(s.writeThrough), 256<<10)
		return s, nil
	}
	return output.Create(path)
}

// stdoutFile buffers standard output; Commit flushes it. Its errors are
// *output.Error, so they read "cannot write stdout: broken pipe" whether
// the pipe closed early (-o - | head) or the disk is full.
type stdoutFile struct {
	out io.Writer
	w   *bufio.Writer // over writeThrough
	err error         // the first failure
}

// writeThrough is the buffer's sink; it records the first failure.
func (s *stdoutFile) writeThrough(p []byte) (int, error) {
	n, err := s.out.Write(p)
	if err != nil {
		return n, s.fail(err)
	}
	return n, nil
}

func (s *stdoutFile) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	return s.w.Write(p)
}

func (s *stdoutFile) Abort() error { return nil }

func (s *stdoutFile) Commit() error {
	if s.err != nil {
		return s.err
	}
	if err := s.w.Flush(); err != nil {
		return s.fail(err)
	}
	return nil
}

func (s *stdoutFile) fail(err error) error {
	if s.err == nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err // "write /dev/stdout" would repeat what Error says
		}
		s.err = &output.Error{Op: "write", Path: "stdout", Err: err}
	}
	return s.err
}

type writerFunc func([]byte) (int, error)

func (fn writerFunc) Write(p []byte) (int, error) { return fn(p) }
