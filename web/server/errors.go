package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"canopy/domain/errs"
)

// errorBody is the one shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

var kindStatus = map[errs.Kind]int{
	errs.Invalid:         http.StatusBadRequest,
	errs.Unauthenticated: http.StatusUnauthorized,
	errs.Forbidden:       http.StatusForbidden,
	errs.NotFound:        http.StatusNotFound,
	errs.Conflict:        http.StatusConflict,
	errs.TooManyRequests: http.StatusTooManyRequests,
	errs.Unavailable:     http.StatusServiceUnavailable,
	errs.TooLarge:        http.StatusRequestEntityTooLarge,
	errs.Unprocessable:   http.StatusUnprocessableEntity,
	errs.Internal:        http.StatusInternalServerError,
}

var statusCode = map[int]string{
	http.StatusBadRequest:                   "invalid_request",
	http.StatusUnauthorized:                 "unauthenticated",
	http.StatusForbidden:                    "forbidden",
	http.StatusNotFound:                     "not_found",
	http.StatusMethodNotAllowed:             "method_not_allowed",
	http.StatusRequestEntityTooLarge:        "body_too_large",
	http.StatusUnsupportedMediaType:         "unsupported_media_type",
	http.StatusPreconditionFailed:           "precondition_failed",
	http.StatusRequestedRangeNotSatisfiable: "range_not_satisfiable",
	http.StatusUnprocessableEntity:          "unprocessable",
	http.StatusTooManyRequests:              "too_many_requests",
	http.StatusServiceUnavailable:           "unavailable",
}

// handleError is the server's one error handler: it maps an error's Kind to a status with
// errors.As, writes the JSON error body, and logs what the caller must not see.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, code, message := http.StatusInternalServerError, "internal", "internal error"
	var de *errs.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de):
		if u := unavailableIn(de.Err); de.Kind == errs.Internal && u != nil {
			de = u
		}
		status = kindStatus[de.Kind]
		if de.Kind != errs.Internal {
			code, message = de.Code, de.Message
		}
		if de.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(de.RetryAfter.Seconds()+0.999)))
		}
	case errors.As(err, &he):
		status = he.Code
		if c, ok := statusCode[status]; ok && status < 500 {
			code = c
			message = http.StatusText(status)
			if m, ok := he.Message.(string); ok && m != "" {
				message = m
			}
		}
	}
	log := Logger(c)
	if status >= 500 {
		log.Error("request failed", slog.Int("status", status), slog.String("error", err.Error()))
	} else {
		log.Debug("request refused", slog.Int("status", status), slog.String("code", code))
	}
	if a := s.area(c.Request().URL.Path); a != nil {
		a.writeError(c, status, code, message)
		return
	}
	body := errorBody{Error: errorDetail{Code: code, Message: message, RequestID: requestID(c)}}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}
