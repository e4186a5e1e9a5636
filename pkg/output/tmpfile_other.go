//go:build !linux

package output

import (
	"errors"
	"os"
)

var errUnsupported = errors.New("unnamed temporary files not supported")

func openUnnamed(string) (*os.File, error) { return nil, errUnsupported }

func linkUnnamed(*os.File, string) (string, error) { return "", errUnsupported }
