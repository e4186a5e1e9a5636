package cli

import "github.com/usagerep/usagerep/pkg/report"

// appendJSONString appends s as a JSON string: the access renderer's
// encoder, in pkg/report since serve writes access reports too.
func appendJSONString(dst []byte, s string) []byte { return report.AppendJSONString(dst, s) }
