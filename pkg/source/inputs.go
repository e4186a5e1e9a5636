package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// StdinName is the path that stands for standard input.
const StdinName = "-"

// compression is a stream wrapper recognised by its extension.
type compression uint8

const (
	compGzip compression = iota + 1
	compZstd
)

func (c compression) String() string {
	if c == compZstd {
		return "zstd"
	}
	return "gzip"
}

// bundle is an archive whose members are read in place.
type bundle uint8

const (
	notBundle bundle = iota
	bundleTar
	bundleZip
)

// kind is what a name says about its content: compression layers (outermost
// first), then either a bundle or a data stream of some format.
type kind struct {
	comps  []compression
	bundle bundle
	format Format // for data streams; FormatAuto when not recognised
}

// known reports whether the name was recognised (or a format was forced).
func (k kind) known() bool { return k.bundle != notBundle || k.format != FormatAuto }

// maxCompressionLayers bounds "x.gz.gz.gz..." names.
const maxCompressionLayers = 4

// classify recognises a file or member name (spec 01-input.md, Sources).
// Compression suffixes are peeled first, then the inner extension decides. A
// forced format applies to every data stream, recognised or not; bundles stay
// bundles.
func classify(name string, forced Format) kind {
	base := strings.ToLower(path.Base(filepath.ToSlash(name)))
	var k kind
peel:
	for len(k.comps) < maxCompressionLayers {
		switch {
		case strings.HasSuffix(base, ".gz"):
			base = base[:len(base)-len(".gz")]
			k.comps = append(k.comps, compGzip)
		case strings.HasSuffix(base, ".zst"):
			base = base[:len(base)-len(".zst")]
			k.comps = append(k.comps, compZstd)
		case strings.HasSuffix(base, ".zstd"):
			base = base[:len(base)-len(".zstd")]
			k.comps = append(k.comps, compZstd)
		case strings.HasSuffix(base, ".tgz"):
			base = base[:len(base)-len(".tgz")] + ".tar"
			k.comps = append(k.comps, compGzip)
		default:
			break peel
		}
	}
	switch path.Ext(base) {
	case ".tar":
		k.bundle = bundleTar
	case ".zip":
		k.bundle = bundleZip
	case ".jsonl", ".ndjson", ".json":
		k.format = FormatJSONL
	case ".csv":
		k.format = FormatCSV
	}
	if forced != FormatAuto && k.bundle == notBundle {
		k.format = forced
	}
	return k
}

// plannedFile is one top-level input: a file, a stream such as a named pipe,
// or standard input.
type plannedFile struct {
	path  string
	size  int64 // on-disk size; -1 when unknown (stdin, pipes)
	kind  kind
	stdin bool
	// seekable is true for regular files, which zip can read in place.
	seekable bool
}

// plan is the expansion of the paths given to Plan or Scan.
type plan struct {
	files   []plannedFile
	skipped []SkippedInput
	total   int64
}

// Plan expands paths (files, directories walked recursively and sorted by path
// with hidden files and directories skipped, "-" for standard input) into the
// list of top-level files to read and their total on-disk size, for a progress
// bar. It fails on a path that does not exist or cannot be read, on a file
// given explicitly whose name has no recognised extension while opts.Format is
// FormatAuto, and on standard input without opts.Format.
func Plan(paths []string, opts ScanOptions) (files []string, totalBytes int64, err error) {
	p, err := makePlan(paths, opts.Format)
	if err != nil {
		return nil, 0, err
	}
	files = make([]string, len(p.files))
	for i, f := range p.files {
		files[i] = f.path
	}
	return files, p.total, nil
}

func makePlan(paths []string, forced Format) (*plan, error) {
	p := &plan{}
	seen := make(map[string]bool)
	add := func(f plannedFile) {
		key := f.path
		if !f.stdin {
			if abs, err := filepath.Abs(f.path); err == nil {
				key = abs
			}
		}
		if seen[key] {
			return // the same file twice would count its records twice
		}
		seen[key] = true
		p.files = append(p.files, f)
		if f.size > 0 {
			p.total += f.size
		}
	}
	for _, name := range paths {
		if name == StdinName {
			if forced == FormatAuto {
				return nil, errors.New("reading standard input needs an input format (--input-format jsonl or csv)")
			}
			add(plannedFile{path: StdinName, size: -1, kind: kind{format: forced}, stdin: true})
			continue
		}
		info, err := os.Stat(name)
		if err != nil {
			return nil, inputError(name, err)
		}
		switch {
		case info.IsDir():
			files, skipped, err := walkDir(name, forced)
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				add(f)
			}
			p.skipped = append(p.skipped, skipped...)
		default:
			k := classify(name, forced)
			if !k.known() {
				return nil, fmt.Errorf("input %s: unrecognised file type (want .jsonl, .ndjson, .json or .csv, "+
					"optionally .gz or .zst, or a .zip, .tar, .tar.gz or .tgz bundle; or give --input-format)", name)
			}
			pf := plannedFile{path: name, size: -1, kind: k}
			if info.Mode().IsRegular() {
				// Fail now rather than halfway through. (A named pipe is
				// not opened here: that would block until a writer comes.)
				f, err := os.Open(name)
				if err != nil {
					return nil, inputError(name, err)
				}
				f.Close()
				pf.size, pf.seekable = info.Size(), true
			}
			add(pf)
		}
	}
	return p, nil
}

// walkDir lists the data files and bundles under root, sorted by path.
// Hidden files and directories are skipped silently (spec); other files that
// are not read are reported, so that no data file is lost without a word.
func walkDir(root string, forced Format) ([]plannedFile, []SkippedInput, error) {
	var files []plannedFile
	var skipped []SkippedInput
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return inputError(p, err)
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch t := d.Type(); {
		case t.IsDir():
			return nil
		case t&fs.ModeSymlink != 0:
			skipped = append(skipped, SkippedInput{Name: p, Reason: "symbolic link (not followed)"})
			return nil
		case !t.IsRegular():
			skipped = append(skipped, SkippedInput{Name: p, Reason: "not a regular file"})
			return nil
		}
		k := classify(p, forced)
		if !k.known() {
			skipped = append(skipped, SkippedInput{Name: p, Reason: "unrecognised file type"})
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return inputError(p, err)
		}
		files = append(files, plannedFile{path: p, size: info.Size(), kind: k, seekable: true})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(files, func(a, b plannedFile) int { return strings.Compare(a.path, b.path) })
	slices.SortFunc(skipped, func(a, b SkippedInput) int { return strings.Compare(a.Name, b.Name) })
	return files, skipped, nil
}

// inputError names the input once, however the OS error spells it.
func inputError(name string, err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		err = pe.Err
	}
	return fmt.Errorf("input %s: %w", name, err)
}

// hiddenMember reports whether a bundle member is hidden: any element of its
// path starts with '.' (this includes macOS "._x" resource forks) or is
// macOS's "__MACOSX" folder. Hidden members are skipped like hidden files.
func hiddenMember(name string) bool {
	for elem := range strings.SplitSeq(filepath.ToSlash(name), "/") {
		if (strings.HasPrefix(elem, ".") && elem != "." && elem != "..") || elem == "__MACOSX" {
			return true
		}
	}
	return false
}

// displayName makes a member name safe to print: names come from files we do
// not control, so control characters and invalid UTF-8 are escaped. It is
// only ever a label, never a path to open.
func displayName(name string) string {
	clean := utf8.ValidString(name)
	for _, r := range name {
		if !unicode.IsPrint(r) && r != ' ' {
			clean = false
			break
		}
	}
	if clean {
		return name
	}
	q := strconv.QuoteToGraphic(name)
	return q[1 : len(q)-1]
}
