package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"canopy/domain/errs"
	"canopy/domain/text"
)

// BindJSON decodes a JSON request body strictly: the content type must be JSON, unknown fields
// and trailing data are refused, and each failure gets a message that says what to fix. Every
// string in the body, keys included, must then be text (CheckJSONText), so that a NUL or another
// control character is a 400 naming its field whatever the handler does with it, and never
// reaches PostgreSQL, which refuses it with an error that would be a 500.
func BindJSON(c echo.Context, dst any) error {
	req := c.Request()
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	data, err := ReadBody(req.Body)
	if err != nil {
		return err
	}
	return decodeJSON(data, dst)
}

// ReadBody reads a request body whole; a body past the server's limit (or a route's own,
// http.MaxBytesReader) is 413.
func ReadBody(body io.Reader) ([]byte, error) {
	data, err := io.ReadAll(body)
	if err == nil {
		return data, nil
	}
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &mbe), err.Error() == "http: request body too large":
		return nil, echo.ErrStatusRequestEntityTooLarge
	case errors.As(err, &he):
		return nil, he
	}
	return nil, errs.Wrap(errs.Invalid, "malformed_json", "the request body could not be read", err)
}

// decodeJSON is BindJSON's decoding of the body it read: strict, then CheckJSONText.
func decodeJSON(data []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return errs.E(errs.Invalid, "malformed_json", "the body must hold exactly one JSON object")
	}
	return CheckJSONText(data)
}

// CheckJSONText applies text.MultiLine to every string of a JSON document, object keys
// included: each must be valid UTF-8 (checked on the bytes as sent, since encoding/json would
// quietly turn an invalid byte into U+FFFD) without NUL or another control character other than
// tab and line breaks. The error is Invalid with text's code (invalid_utf8, control_character)
// and names the field by its JSON path: "display_name", "users[2].email". Fields with a stricter
// rule (names, single-line text) are checked again by the entities.
//
// A document that is not valid JSON passes: the decoder reports that in its own words.
func CheckJSONText(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []jsonFrame
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF at the end; a syntax error is the decoder's to report
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, jsonFrame{array: t == '[', wantKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					stack[len(stack)-1].next()
				}
			}
			continue
		case string:
			isKey := top != nil && !top.array && top.wantKey
			field := jsonPath(stack)
			if isKey {
				field = jsonPath(stack, t)
			}
			if field == "" {
				field = "body"
			}
			// Only a string can hold a byte that is not UTF-8: the rest of the span is
			// punctuation and white space.
			if !utf8.Valid(data[start:dec.InputOffset()]) {
				return errs.E(errs.Invalid, text.CodeInvalidUTF8, field+": is not valid UTF-8 text")
			}
			if err := text.MultiLine(field, t); err != nil {
				return err
			}
			if isKey {
				top.key, top.wantKey = t, false
				continue
			}
		}
		if top != nil {
			top.next()
		}
	}
}

// jsonFrame is an object or array CheckJSONText is inside.
type jsonFrame struct {
	array   bool
	index   int    // the element being read, in an array
	key     string // the member being read, in an object
	wantKey bool   // the next string is a key
}

// next moves past a value that ended.
func (f *jsonFrame) next() {
	if f.array {
		f.index++
	} else {
		f.wantKey = true
	}
}

// jsonPath writes where the decoder is, as "users[2].email"; key, when given, is a key being
// read in the innermost object.
func jsonPath(stack []jsonFrame, key ...string) string {
	var b strings.Builder
	for i, f := range stack {
		switch {
		case f.array:
			fmt.Fprintf(&b, "[%d]", f.index)
		case i == len(stack)-1 && len(key) > 0:
			writeKey(&b, key[0])
		case !f.wantKey:
			writeKey(&b, f.key)
		}
	}
	return b.String()
}

func writeKey(b *strings.Builder, key string) {
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.WriteString(text.Printable(key))
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errs.E(errs.Invalid, "malformed_json", "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(errs.Invalid, "malformed_json", "the JSON body ends too early")
	case errors.As(err, &syn):
		return errs.E(errs.Invalid, "malformed_json", fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return errs.E(errs.Invalid, "malformed_json", "the body must be a JSON object")
		}
		return errs.E(errs.Invalid, "invalid_field", fmt.Sprintf("field %q must be a %s", typ.Field, jsonType(typ.Type.String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errs.E(errs.Invalid, "unknown_field", "unknown field "+strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return errs.E(errs.Invalid, "malformed_json", "the body is not valid JSON")
}

func jsonType(goType string) string {
	switch {
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"):
		return "number"
	case strings.Contains(goType, "string"):
		return "string"
	case strings.Contains(goType, "bool"):
		return "boolean"
	case strings.HasPrefix(goType, "[]"):
		return "array"
	}
	return "object"
}

// PathID parses a uuid path parameter. A malformed id names nothing, so it is NotFound like any
// other id the caller cannot see.
func PathID(c echo.Context, name, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, errs.NotFoundf(what)
	}
	return id, nil
}

// PathIDs parses several uuid path parameters, such as a group and a member in it; the name of
// each, less its "ID", says what was not found.
func PathIDs(c echo.Context, params ...string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(params))
	for i, p := range params {
		id, err := PathID(c, p, strings.TrimSuffix(p, "ID"))
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// NoContent answers 204 when err is nil.
func NoContent(c echo.Context, err error) error {
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// Required reports a missing field.
func Required(field string) error {
	return errs.E(errs.Invalid, "missing_field", fmt.Sprintf("field %q is required", field))
}

// QueryInt reads a whole-number query parameter from min to max; def when it is absent.
func QueryInt(c echo.Context, name string, def, min, max int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, errs.Invalidf("query parameter %q must be a whole number from %d to %d", name, min, max)
	}
	return n, nil
}

// Page reads the paging of a listing: limit (1 to 200, 50 by default) and offset.
func Page(c echo.Context) (limit, offset int, err error) {
	if limit, err = QueryInt(c, "limit", 50, 1, 200); err != nil {
		return
	}
	offset, err = QueryInt(c, "offset", 0, 0, 10_000_000)
	return
}

// QueryID parses an optional uuid query parameter; a malformed one names nothing the caller
// can see, so it is NotFound.
func QueryID(c echo.Context, name, what string) (uuid.UUID, error) {
	v := c.QueryParam(name)
	if v == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return uuid.Nil, errs.NotFoundf(what)
	}
	return id, nil
}

// QueryTime parses an optional time query parameter: an RFC 3339 time, or a date (its
// midnight UTC); the zero time when absent, and 400 invalid_date when malformed.
func QueryTime(c echo.Context, name string) (time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d, nil
	}
	return time.Time{}, errs.E(errs.Invalid, "invalid_date", name+": must be an RFC 3339 time such as 2026-05-01T09:00:00Z, or a date such as 2026-05-01")
}

// BodyID parses an optional id of a request body: uuid.Nil when absent or empty, 400
// invalid_field naming the field when malformed.
func BodyID(field string, v *string) (uuid.UUID, error) {
	if v == nil || *v == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(*v)
	if err != nil {
		return uuid.Nil, errs.E(errs.Invalid, "invalid_field", field+": must be an id")
	}
	return id, nil
}

// BodyIDs parses a list of ids of a request body; a malformed one is 400 invalid_field naming
// the field (it is not a path, so not a 404).
func BodyIDs(field string, vs []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(vs))
	for _, v := range vs {
		id, err := uuid.Parse(v)
		if err != nil {
			return nil, errs.E(errs.Invalid, "invalid_field", field+": must be ids")
		}
		out = append(out, id)
	}
	return out, nil
}

// OptionalID parses an optional uuid of a request body: uuid.Nil when it is absent or empty,
// NotFound when it is malformed.
func OptionalID(s *string, what string) (uuid.UUID, error) {
	if s == nil || *s == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(*s)
	if err != nil {
		return uuid.Nil, errs.NotFoundf(what)
	}
	return id, nil
}

// checkParams refuses a request whose query or path parameters are not text (text.MultiLine):
// search terms and filters reach SQL, and PostgreSQL answers a NUL or a byte that is not UTF-8
// with an error that would be a 500. The error names the parameter: "q: contains a control
// character". Every registered route has it, after its authentication.
func checkParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for name, vs := range c.QueryParams() {
			if err := text.Line("query parameter", name); err != nil {
				return err
			}
			for _, v := range vs {
				if err := text.MultiLine(name, v); err != nil {
					return err
				}
			}
		}
		for i, name := range c.ParamNames() {
			if v := c.ParamValues(); i < len(v) {
				if err := text.Line(name, v[i]); err != nil {
					return err
				}
			}
		}
		return next(c)
	}
}
