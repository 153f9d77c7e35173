package stguard

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The corpus directory (set by tests/CMakeLists.txt), else the repository's.
func corpusDir(t *testing.T) string {
	if dir := os.Getenv("STGUARD_CORPUS"); dir != "" {
		return dir
	}
	dir, err := filepath.Abs("../../corpus")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

type expectation struct {
	file           string
	strict, compat string // "OK" or the code name st-validate reports
}

func manifest(t *testing.T) []expectation {
	handle, err := os.Open(filepath.Join(corpusDir(t), "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer handle.Close()
	var out []expectation
	scanner := bufio.NewScanner(handle)
	for scanner.Scan() {
		fields := strings.Split(scanner.Text(), "\t")
		if len(fields) < 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		out = append(out, expectation{fields[0], fields[1], fields[2]})
	}
	if len(out) < 100 {
		t.Fatalf("MANIFEST.tsv lists only %d files", len(out))
	}
	return out
}

func verdict(err error) string {
	if err == nil {
		return "OK"
	}
	var stgErr *Error
	if errors.As(err, &stgErr) {
		return stgErr.Code.Name()
	}
	return "not a stguard error: " + err.Error()
}

// Every corpus file, both profiles: the verdict MANIFEST.tsv (and so
// st-validate) gives, from a path and from memory; accepted files are read
// tensor by tensor through two reader modes and must equal the file's bytes.
func TestCorpusVerdictsAndTensors(t *testing.T) {
	accepted := 0
	for _, want := range manifest(t) {
		path := filepath.Join(corpusDir(t), want.file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, run := range []struct {
			profile  Profile
			expected string
		}{{Strict, want.strict}, {Compat, want.compat}} {
			header, err := ValidatePath(path, run.profile)
			if got := verdict(err); got != run.expected {
				t.Errorf("%s (profile %d): path gives %s, expected %s", want.file, run.profile, got, run.expected)
				continue
			}
			if _, err := ValidateBuffer(data, run.profile); verdict(err) != run.expected {
				t.Errorf("%s (profile %d): buffer gives %s, expected %s", want.file, run.profile, verdict(err), run.expected)
			}
			if err != nil {
				if _, openErr := Open(path, run.profile, Mapped); verdict(openErr) != run.expected {
					t.Errorf("%s: reader opened with %s, expected %s", want.file, verdict(openErr), run.expected)
				}
				continue
			}
			accepted++
			if header.FileSize != uint64(len(data)) {
				t.Errorf("%s: header says %d bytes, file has %d", want.file, header.FileSize, len(data))
			}
			for _, mode := range []Mode{Mapped, Pread} {
				reader, err := Open(path, run.profile, mode)
				if err != nil {
					t.Errorf("%s: open in mode %d: %v", want.file, mode, err)
					continue
				}
				for index, tensor := range header.Tensors {
					got, err := reader.Bytes(index)
					expected := data[header.DataOffset+tensor.Begin : header.DataOffset+tensor.End]
					if err != nil || !bytes.Equal(got, expected) {
						t.Errorf("%s: tensor %q in mode %d: %v", want.file, tensor.Name, mode, err)
					}
				}
				if err := reader.Close(); err != nil {
					t.Errorf("%s: close: %v", want.file, err)
				}
				if err := reader.Close(); verdict(err) != "INVALID_ARGUMENT" {
					t.Errorf("%s: a second close gives %s, expected INVALID_ARGUMENT", want.file, verdict(err))
				}
			}
		}
	}
	if accepted == 0 {
		t.Fatal("no corpus file was accepted")
	}
}

// A rejection's details arrive intact: code, offset and message.
func TestErrorDetails(t *testing.T) {
	file := []byte{2, 0, 0, 0, 0, 0, 0, 0, '{', '}', 'x'}
	_, err := ValidateBuffer(file, Strict)
	var stgErr *Error
	if !errors.As(err, &stgErr) {
		t.Fatalf("expected a stguard error, got %v", err)
	}
	if stgErr.Code.Name() != "TRAILING_BYTES" || stgErr.Offset != 10 || stgErr.Message == "" {
		t.Errorf("unexpected details: %+v", stgErr)
	}
	if _, err := ValidateBuffer(nil, Strict); verdict(err) != "FILE_TOO_SMALL" {
		t.Errorf("an empty buffer gives %s", verdict(err))
	}
	if _, err := ValidatePath(filepath.Join(t.TempDir(), "missing"), Strict); verdict(err) != "IO_OPEN_FAILED" {
		t.Errorf("a missing file gives %s", verdict(err))
	}
}

// st-validate's JSON report for every corpus file, one run per profile: the
// C API must give the same code, offset, tensor and message for each.
func TestMatchesStValidate(t *testing.T) {
	tool := os.Getenv("STGUARD_ST_VALIDATE")
	if tool == "" {
		t.Skip("STGUARD_ST_VALIDATE is not set (tests/CMakeLists.txt sets it)")
	}
	var paths []string
	for _, want := range manifest(t) {
		paths = append(paths, filepath.Join(corpusDir(t), want.file))
	}
	for _, profile := range []struct {
		name  string
		value Profile
	}{{"strict", Strict}, {"compat", Compat}} {
		args := append([]string{"--profile", profile.name, "--format", "json"}, paths...)
		output, _ := exec.Command(tool, args...).Output() // exit 1 when some file is invalid
		var report struct {
			Files []struct {
				Path  string
				Valid bool
				Error *struct {
					Code    string
					Number  int32
					Message string
					Offset  *uint64
					Tensor  *string
				}
			}
		}
		if err := json.Unmarshal(output, &report); err != nil {
			t.Fatalf("st-validate --profile %s: %v", profile.name, err)
		}
		if len(report.Files) != len(paths) {
			t.Fatalf("st-validate reported %d files of %d", len(report.Files), len(paths))
		}
		for _, file := range report.Files {
			_, err := ValidatePath(file.Path, profile.value)
			if file.Valid {
				if err != nil {
					t.Errorf("%s (%s): st-validate accepts, the C API says %v", file.Path, profile.name, err)
				}
				continue
			}
			var stgErr *Error
			if !errors.As(err, &stgErr) || file.Error == nil {
				t.Errorf("%s (%s): st-validate rejects, the C API says %v", file.Path, profile.name, err)
				continue
			}
			offset, tensor := NoOffset, ""
			if file.Error.Offset != nil {
				offset = *file.Error.Offset
			}
			if file.Error.Tensor != nil {
				tensor = *file.Error.Tensor
			}
			if stgErr.Code.Name() != file.Error.Code || int32(stgErr.Code) != file.Error.Number ||
				stgErr.Offset != offset || stgErr.Tensor != tensor || stgErr.Message != file.Error.Message {
				t.Errorf("%s (%s): st-validate %+v, C API %+v", file.Path, profile.name, *file.Error, *stgErr)
			}
		}
	}
}
