package gen

import "github.com/usagerep/usagerep/pkg/internal/bytesize"

// ParseSize reads a byte count such as "1GiB", "500MB" or "1048576"; see
// bytesize.Parse. It stays here for cmd/usagerep-gen, which sits outside
// pkg/ and so cannot import pkg/internal.
func ParseSize(s string) (int64, error) { return bytesize.Parse(s) }
