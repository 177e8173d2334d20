// Package export writes the benchmark commands' -json, -csv and -svg files.
package export

import (
	"encoding/json"
	"io"
	"os"
)

// File is one export: where it goes ("" for not asked) and what writes it.
type File struct {
	Path  string
	Write func(io.Writer) error
}

// Files writes each export asked for, stopping at the first error.
func Files(files ...File) error {
	for _, x := range files {
		if x.Path == "" {
			continue
		}
		f, err := os.Create(x.Path)
		if err == nil {
			err = x.Write(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// JSON writes v indented, for reading by people as well as programs.
func JSON(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(v)
}
