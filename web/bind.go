package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"canopy/domain/errs"
)

// bindJSON decodes a JSON request body strictly: the content type must be JSON, unknown fields
// and trailing data are refused, and each failure gets a message that says what to fix.
func bindJSON(c echo.Context, dst any) error {
	req := c.Request()
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	dec := json.NewDecoder(req.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		return errs.E(errs.Invalid, "malformed_json", "the body must hold exactly one JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return echo.ErrStatusRequestEntityTooLarge
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
	if err.Error() == "http: request body too large" {
		return echo.ErrStatusRequestEntityTooLarge
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

// pathID parses a uuid path parameter. A malformed id names nothing, so it is NotFound like any
// other id the caller cannot see.
func pathID(c echo.Context, name, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, errs.NotFoundf(what)
	}
	return id, nil
}

// pathIDs parses several uuid path parameters, such as a group and a member in it; the name of
// each, less its "ID", says what was not found.
func pathIDs(c echo.Context, params ...string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(params))
	for i, p := range params {
		id, err := pathID(c, p, strings.TrimSuffix(p, "ID"))
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// noContent answers 204 when err is nil.
func noContent(c echo.Context, err error) error {
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// required reports a missing field.
func required(field string) error {
	return errs.E(errs.Invalid, "missing_field", fmt.Sprintf("field %q is required", field))
}
