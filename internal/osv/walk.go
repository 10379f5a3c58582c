package osv

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrLimit marks an input rejected because it exceeds a Limits bound.
var ErrLimit = errors.New("limit exceeded")

// Limits bound what Walk reads, so that a hostile or broken archive cannot
// exhaust memory or disk. Zero fields take the DefaultLimits value.
type Limits struct {
	// MaxFileBytes bounds one record file or archive entry.
	MaxFileBytes int64
	// MaxArchiveEntries bounds the entries of one zip archive.
	MaxArchiveEntries int
	// MaxArchiveBytes bounds the uncompressed bytes read from one archive.
	MaxArchiveBytes int64
	// MaxArchiveRatio bounds uncompressed bytes per compressed byte of one
	// archive; OSV JSON compresses about 5 to 15 times, zip bombs by
	// thousands.
	MaxArchiveRatio int64
}

// DefaultLimits fit osv.dev's complete all.zip (about 700,000 records in
// 2026) with a wide margin.
var DefaultLimits = Limits{
	MaxFileBytes:      32 << 20,
	MaxArchiveEntries: 2_000_000,
	MaxArchiveBytes:   16 << 30,
	MaxArchiveRatio:   100,
}

// ratioFloor is the uncompressed size below which the ratio is not checked:
// tiny archives compress oddly without being bombs.
const ratioFloor = 1 << 20

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxFileBytes > 0 {
		d.MaxFileBytes = l.MaxFileBytes
	}
	if l.MaxArchiveEntries > 0 {
		d.MaxArchiveEntries = l.MaxArchiveEntries
	}
	if l.MaxArchiveBytes > 0 {
		d.MaxArchiveBytes = l.MaxArchiveBytes
	}
	if l.MaxArchiveRatio > 0 {
		d.MaxArchiveRatio = l.MaxArchiveRatio
	}
	return d
}

// Options configure Walk.
type Options struct {
	Limits Limits
	// Progress, if set, is called after each file or archive entry with the
	// number done and the total, which is known before the first record.
	Progress func(done, total int)
}

// Problem is a file or archive entry that could not be used, and why.
type Problem struct {
	// Path is the file, or "archive.zip!entry" inside an archive.
	Path string
	Err  error
}

func (p Problem) Error() string { return p.Path + ": " + p.Err.Error() }

// MarshalJSON writes the problem as {"path": …, "reason": …}.
func (p Problem) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Path   string `json:"path"`
		Reason string `json:"reason"`
	}{p.Path, p.Err.Error()})
}

// Report says what Walk read.
type Report struct {
	// Files counts record files and archive entries read.
	Files int `json:"files"`
	// Records counts records passed to the callback.
	Records int `json:"records"`
	// Ignored counts files skipped because their name is not .json, .yaml
	// or .yml (README, LICENSE, …) inside directories and archives.
	Ignored int `json:"ignored"`
	// Problems lists every file that did not parse, with the reason.
	Problems []Problem `json:"problems,omitempty"`
}

// source is one record file: on disk, or an entry of an opened archive.
type source struct {
	path   string // shown in problems
	format string
	file   string    // on disk, when zf is nil
	zf     *zip.File // inside an archive
	arch   *archive
}

type archive struct {
	path       string
	compressed int64
	read       atomic.Int64 // uncompressed bytes read so far, by all workers
}

// Walk reads every OSV record under paths and calls fn for each, in a
// deterministic order. A path may be a record file (.json, .yaml, .yml), a
// zip archive (osv.dev's all.zip layout: one record per entry) or a
// directory, which is searched recursively for both, skipping hidden
// entries.
//
// A file that does not parse, or exceeds Limits.MaxFileBytes, is listed in
// the report and skipped. Walk stops with an error when a path cannot be
// read, an archive exceeds its limits (wrapping ErrLimit), or fn fails.
func Walk(paths []string, opt Options, fn func(Record) error) (Report, error) {
	lim := opt.Limits.withDefaults()
	var rep Report
	var srcs []source
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	for _, p := range paths {
		found, cs, err := list(p, lim, &rep)
		closers = append(closers, cs...)
		if err != nil {
			return rep, fmt.Errorf("osv: %w", err)
		}
		srcs = append(srcs, found...)
	}
	err := deliver(srcs, lim, func(i int, p parsed) error {
		if p.fatal != nil {
			return fmt.Errorf("osv: %s: %w", srcs[i].arch.path, p.fatal)
		}
		rep.Files++
		if p.err != nil {
			rep.Problems = append(rep.Problems, Problem{Path: srcs[i].path, Err: p.err})
		}
		for _, r := range p.recs {
			if err := fn(r); err != nil {
				return fmt.Errorf("osv: %s: %s: %w", srcs[i].path, r.ID, err)
			}
			rep.Records++
		}
		if opt.Progress != nil {
			opt.Progress(i+1, len(srcs))
		}
		return nil
	})
	return rep, err
}

// parsed is what one source gave: its records, or err for a file to be
// reported and skipped, or fatal for an archive over its limits.
type parsed struct {
	recs       []Record
	err, fatal error
}

// deliver reads and parses the sources on GOMAXPROCS workers and hands the
// results to fn one at a time, in the order of srcs, so the outcome does
// not depend on scheduling. At most a few results per worker wait ahead of
// fn, which bounds memory. It stops at the first error of fn.
func deliver(srcs []source, lim Limits, fn func(int, parsed) error) error {
	workers := runtime.GOMAXPROCS(0)
	type job struct {
		i   int
		out chan parsed
	}
	jobs := make(chan job)
	order := make(chan chan parsed, 4*workers)
	done := make(chan struct{})
	// On return, stop the feeder and wait for the workers, so that no read
	// outlives the archives Walk closes.
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(done)
	go func() {
		defer close(order)
		defer close(jobs)
		for i := range srcs {
			out := make(chan parsed, 1)
			select {
			case order <- out:
			case <-done:
				return
			}
			select {
			case jobs <- job{i, out}:
			case <-done:
				return
			}
		}
	}()
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				j.out <- srcs[j.i].parse(lim)
			}
		})
	}
	i := 0
	for out := range order {
		if err := fn(i, <-out); err != nil {
			return err
		}
		i++
	}
	return nil
}

// parse reads and parses one source.
func (s source) parse(lim Limits) parsed {
	data, err, fatal := s.read(lim)
	if fatal != nil {
		return parsed{fatal: fatal}
	}
	if err != nil {
		return parsed{err: err}
	}
	recs, err := parse(s.format, data)
	return parsed{recs: recs, err: err}
}

// list expands one path into the record files it holds, and returns the
// archives it opened.
func list(p string, lim Limits, rep *Report) ([]source, []io.Closer, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if !info.IsDir() {
		if isZip(p) {
			return listZip(p, info.Size(), lim, rep)
		}
		f := FormatOf(p)
		if f == "" {
			return nil, nil, fmt.Errorf("%s: not an OSV file (want .json, .yaml, .yml or a zip archive)", p)
		}
		return []source{{path: p, format: f, file: p}}, nil, nil
	}
	var srcs []source
	var closers []io.Closer
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != p && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
		case !d.Type().IsRegular():
			rep.Ignored++
		case strings.EqualFold(filepath.Ext(path), ".zip"):
			info, err := d.Info()
			if err != nil {
				return err
			}
			found, cs, err := listZip(path, info.Size(), lim, rep)
			closers = append(closers, cs...)
			if err != nil {
				return err
			}
			srcs = append(srcs, found...)
		case FormatOf(path) != "":
			srcs = append(srcs, source{path: path, format: FormatOf(path), file: path})
		default:
			rep.Ignored++
		}
		return nil
	})
	return srcs, closers, err
}

// isZip reports whether the file starts with a zip signature.
func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var sig [4]byte
	_, err = io.ReadFull(f, sig[:])
	return err == nil && string(sig[:]) == "PK\x03\x04"
}

func listZip(p string, size int64, lim Limits, rep *Report) ([]source, []io.Closer, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", p, err)
	}
	if n := len(zr.File); n > lim.MaxArchiveEntries {
		zr.Close()
		return nil, nil, fmt.Errorf("%s: %d entries, more than the limit of %d: %w", p, n, lim.MaxArchiveEntries, ErrLimit)
	}
	a := &archive{path: p, compressed: size}
	var declared uint64
	var srcs []source
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		declared += zf.UncompressedSize64
		f := FormatOf(zf.Name)
		if f == "" {
			rep.Ignored++
			continue
		}
		srcs = append(srcs, source{path: p + "!" + zf.Name, format: f, zf: zf, arch: a})
	}
	// The declared sizes can lie; read enforces the bound on real bytes too.
	if declared > uint64(lim.MaxArchiveBytes) {
		zr.Close()
		return nil, nil, fmt.Errorf("%s: declares %d uncompressed bytes, more than the limit of %d: %w", p, declared, lim.MaxArchiveBytes, ErrLimit)
	}
	return srcs, []io.Closer{zr}, nil
}

// read returns the file's bytes within the limits, or err for a file to be
// skipped and reported, or fatal when the archive it belongs to exceeds its
// limits and must not be read further.
func (s source) read(lim Limits) (data []byte, err, fatal error) {
	var r io.ReadCloser
	if s.zf != nil {
		r, err = s.zf.Open()
	} else {
		r, err = os.Open(s.file)
	}
	if err != nil {
		return nil, err, nil
	}
	defer r.Close()
	limit := lim.MaxFileBytes
	var buf bytes.Buffer
	if s.zf != nil && s.zf.UncompressedSize64 < uint64(limit) {
		buf.Grow(int(s.zf.UncompressedSize64))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if s.arch != nil {
		read := s.arch.read.Add(n)
		if read > lim.MaxArchiveBytes {
			return nil, nil, fmt.Errorf("more than %d uncompressed bytes: %w", lim.MaxArchiveBytes, ErrLimit)
		}
		if read > ratioFloor && read > lim.MaxArchiveRatio*max(s.arch.compressed, 1) {
			return nil, nil, fmt.Errorf("expands more than %d times (%d compressed bytes, %d read so far): %w",
				lim.MaxArchiveRatio, s.arch.compressed, read, ErrLimit)
		}
	}
	if err != nil {
		return nil, err, nil
	}
	if n > limit {
		return nil, fmt.Errorf("larger than the limit of %d bytes: %w", limit, ErrLimit), nil
	}
	return buf.Bytes(), nil, nil
}
