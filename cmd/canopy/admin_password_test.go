package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPasswordArgument: a password is read from the first line of a file or of standard input
// ("-"), or taken from its flag; both, neither, or an empty first line are refused.
func TestPasswordArgument(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("From-A-File-42\r\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\nnot this\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	long := filepath.Join(t.TempDir(), "long")
	if err := os.WriteFile(long, []byte(strings.Repeat("x", 5000)), 0o600); err != nil {
		t.Fatal(err)
	}
	saved := stdin
	defer func() { stdin = saved }()
	stdin = strings.NewReader("From-Stdin-42")

	for _, c := range []struct {
		value, file, want, err string
	}{
		{file: file, want: "From-A-File-42"},
		{file: "-", want: "From-Stdin-42"},
		{value: "On-The-Line-42", want: "On-The-Line-42"},
		{value: "x", file: file, err: "not both"},
		{err: "--password-file is missing"},
		{file: empty, err: "first line is empty"},
		{file: filepath.Join(t.TempDir(), "absent"), err: "no such file"},
		{file: long, err: "longer than 4096 bytes"},
	} {
		got, err := passwordArg("--password", c.value, c.file)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("value %q file %q: error %v, want one saying %q", c.value, c.file, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("value %q file %q: %q, %v; want %q", c.value, c.file, got, err, c.want)
		}
	}
}
