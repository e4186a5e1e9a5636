// Package bytesize reads byte counts written for people: 16MiB, 500MB,
// 1048576. It is shared by the CLI's size flags and the data generator, so
// that the CLI does not depend on the generator for it.
package bytesize

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Parse reads a byte count such as "1GiB", "500MB", "64k" or "1048576".
// Binary units (KiB, MiB, GiB, TiB; also K, M, G, T) are powers of 1024;
// decimal units (KB, MB, GB, TB) are powers of 1000. Units are
// case-insensitive and a trailing "B" alone means bytes.
func Parse(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	var mult float64
	switch unit {
	case "", "b":
		mult = 1
	case "k", "kib":
		mult = 1 << 10
	case "m", "mib":
		mult = 1 << 20
	case "g", "gib":
		mult = 1 << 30
	case "t", "tib":
		mult = 1 << 40
	case "kb":
		mult = 1e3
	case "mb":
		mult = 1e6
	case "gb":
		mult = 1e9
	case "tb":
		mult = 1e12
	default:
		return 0, fmt.Errorf("invalid size %q: unknown unit %q", s, t[i:])
	}
	n := v * mult
	if n >= math.MaxInt64 || n != math.Trunc(n) {
		return 0, fmt.Errorf("invalid size %q: not a whole number of bytes below 8 EiB", s)
	}
	return int64(n), nil
}
