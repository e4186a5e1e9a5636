package identity

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// ValidatePatterns checks service-account globs (path.Match syntax) so that
// a bad pattern is reported when the configuration is read, not silently
// ignored by Resolve.
func ValidatePatterns(patterns []string) error {
	var errs []error
	for _, p := range patterns {
		if strings.TrimSpace(p) == "" {
			errs = append(errs, errors.New("service-account pattern is empty"))
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			errs = append(errs, fmt.Errorf("service-account pattern %q: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// matcher decides whether a lower-cased email or username is a service
// account by the configured globs.
type matcher struct {
	globs []glob
}

// glob is a pattern with the literal text it must start and end with, a
// cheap test that rejects almost every value before path.Match runs.
type glob struct {
	pattern, prefix, suffix string
}

// newMatcher lower-cases the patterns, since they are matched against
// lower-cased values, and drops the ones ValidatePatterns rejects.
func newMatcher(patterns []string) matcher {
	var m matcher
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			continue
		}
		g := glob{pattern: p, prefix: p} // no special character: a literal
		if i := strings.IndexAny(p, `*?[\`); i >= 0 {
			g.prefix = p[:i]
			// After the last special character everything is literal; an
			// escaped character before it is simply not required.
			g.suffix = p[strings.LastIndexAny(p, `*?[]\`)+1:]
		}
		m.globs = append(m.globs, g)
	}
	return m
}

func (m matcher) match(v string) bool {
	for _, g := range m.globs {
		if len(v) < len(g.prefix)+len(g.suffix) || !strings.HasPrefix(v, g.prefix) || !strings.HasSuffix(v, g.suffix) {
			continue
		}
		if ok, _ := path.Match(g.pattern, v); ok {
			return true
		}
	}
	return false
}

// matchAll reports for each value whether it matches, or nil when there
// are no patterns.
func (m matcher) matchAll(vals []string) []bool {
	if len(m.globs) == 0 {
		return nil
	}
	out := make([]bool, len(vals))
	for i, v := range vals {
		out[i] = m.match(v)
	}
	return out
}
