package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// bindTarget has the shapes request bodies have: strings, pointers, lists, nested objects, maps.
type bindTarget struct {
	Name    string            `json:"name"`
	Note    *string           `json:"note"`
	Tags    []string          `json:"tags"`
	Count   int               `json:"count"`
	Active  *bool             `json:"active"`
	Members []bindMember      `json:"members"`
	Extra   map[string]string `json:"extra"`
}

type bindMember struct {
	Value string `json:"value"`
	Roles []string
}

func bind(body []byte) (bindTarget, error) {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
	req.Header.Set(echo.HeaderContentType, "application/json; charset=utf-8")
	c := echo.New().NewContext(req, httptest.NewRecorder())
	var dst bindTarget
	err := BindJSON(c, &dst)
	return dst, err
}

// TestBindJSONRefusesControlCharacters: a NUL, another control character or a byte that is not
// UTF-8, anywhere in the body, is a 400 naming the field by its JSON path. On the old binder these
// were decoded and handed on, and PostgreSQL answered the NUL with an error that became a 500.
func TestBindJSONRefusesControlCharacters(t *testing.T) {
	for _, c := range []struct {
		name, body, code, field string
	}{
		{"NUL in a field", `{"name":"Ada\u0000"}`, text.CodeControlCharacter, "name"},
		{"NUL in a pointer", `{"note":"\u0000"}`, text.CodeControlCharacter, "note"},
		{"escape in a list", `{"tags":["ok","\u001b[31m"]}`, text.CodeControlCharacter, "tags[1]"},
		{"C1 control in a nested object", `{"members":[{"value":"a"},{"value":"b"},{"value":"\u0085"}]}`, text.CodeControlCharacter, "members[2].value"},
		{"a key of a map", `{"extra":{"k\u0000":"v"}}`, text.CodeControlCharacter, `extra.k\x00`},
		{"a value of a map", `{"extra":{"k":"v\u0007"}}`, text.CodeControlCharacter, "extra.k"},
		{"after other fields", `{"count":3,"active":true,"tags":[],"name":"x\u0000"}`, text.CodeControlCharacter, "name"},
		{"line separator", `{"name":"a\u2028b"}`, text.CodeControlCharacter, "name"},
		{"invalid UTF-8", "{\"name\":\"Ad\xffa\"}", text.CodeInvalidUTF8, "name"},
		{"invalid UTF-8 in a list", "{\"members\":[{\"value\":\"ok\"},{\"value\":\"\xc3\x28\"}]}", text.CodeInvalidUTF8, "members[1].value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := bind([]byte(c.body))
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Code != c.code {
				t.Fatalf("got %v, want Invalid %s", err, c.code)
			}
			if !strings.HasPrefix(e.Message, c.field+": ") {
				t.Fatalf("message %q does not name %s", e.Message, c.field)
			}
		})
	}
}

// TestBindJSONKeepsText: what people write (line breaks and tabs in a description, any script,
// emoji, a U+FFFD they wrote as an escape) binds as it was sent.
func TestBindJSONKeepsText(t *testing.T) {
	got, err := bind([]byte(`{"name":"张伟 😀 Zoë","note":"line one\nline two\tend","tags":["\ufffd"],"members":[{"value":"x","Roles":["a"]}],"extra":{"k":"v"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "张伟 😀 Zoë" || *got.Note != "line one\nline two\tend" || got.Tags[0] != "\ufffd" || got.Members[0].Roles[0] != "a" {
		t.Fatalf("bound %+v", got)
	}
}

// TestBindJSONErrors: the decoding errors keep their codes, and win over the text check.
func TestBindJSONErrors(t *testing.T) {
	for body, code := range map[string]string{
		``:                             "malformed_json",
		`{"name":`:                     "malformed_json",
		`{"name":"a"} {}`:              "malformed_json",
		`{"nope":"\u0000"}`:            "unknown_field",
		`{"count":"\u0000"}`:           "invalid_field",
		"{\"name\":\"\xff\",\"count\"": "malformed_json",
	} {
		_, err := bind([]byte(body))
		if errs.CodeOf(err) != code || !errs.Is(err, errs.Invalid) {
			t.Errorf("%q: got %v, want %s", body, err, code)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
	req.Header.Set(echo.HeaderContentType, "text/plain")
	var he *echo.HTTPError
	if err := BindJSON(echo.New().NewContext(req, httptest.NewRecorder()), &bindTarget{}); !errors.As(err, &he) || he.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain: %v", err)
	}
	// Past the body limit.
	rec := httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"name":"`+strings.Repeat("x", 100)+`"}`))
	req.Header.Set(echo.HeaderContentType, "application/json")
	req.Body = http.MaxBytesReader(rec, req.Body, 50)
	if err := BindJSON(echo.New().NewContext(req, rec), &bindTarget{}); !errors.As(err, &he) || he.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("past the limit: %v", err)
	}
}

// FuzzBindJSON: no body makes the binder panic; it either binds text that is valid UTF-8 without
// control characters (other than tab and line breaks), or refuses the body as Invalid.
func FuzzBindJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"Ada","tags":["a","b"],"count":1,"active":true}`,
		`{"members":[{"value":"x"},{"value":"\u0000"}]}`,
		`{"extra":{"\u0085":"v"}}`,
		"{\"name\":\"\xff\"}",
		`{"note":null,"name":"\ud800"}`,
		`[1,2,3]`,
		`"just a string"`,
		`{"name":"a"}{"name":"b"}`,
		`{"members":[[[[{}]]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := bind(body)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Code == "" || e.Message == "" {
				t.Fatalf("%q: not an Invalid error: %v", body, err)
			}
			return
		}
		strs := []string{got.Name}
		if got.Note != nil {
			strs = append(strs, *got.Note)
		}
		strs = append(strs, got.Tags...)
		for _, m := range got.Members {
			strs = append(strs, m.Value)
			strs = append(strs, m.Roles...)
		}
		for k, v := range got.Extra {
			strs = append(strs, k, v)
		}
		for _, s := range strs {
			if !utf8.ValidString(s) || text.MultiLine("s", s) != nil {
				t.Fatalf("%q: bound %q", body, s)
			}
		}
	})
}
