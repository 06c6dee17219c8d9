package access

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/web/server"
)

// exportPage is how many entries the export reads from the database at a time.
const exportPage = 1000

// exportAudit streams the filtered log as CSV or JSON, a page of entries at a time. The first
// page is read before anything is sent, so a failure there is an ordinary error response. A
// failure after that aborts the response: the client sees the download fail (the connection
// closes without the end of the body) rather than a well-formed file that silently stops short.
func (h *Handler) exportAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format != "csv" && format != "json" {
		return errs.Invalidf("query parameter \"format\" must be \"csv\" or \"json\"")
	}
	ctx, a := c.Request().Context(), server.Actor(c)
	f.Limit = exportPage
	first, err := h.svc.Audit(ctx, a, f)
	if err != nil {
		return err
	}
	// The rest is read page by page as it is sent, on the same context, past the request
	// timeout.
	server.LongResponse(c, server.ExportTimeout)
	w := c.Response()
	name := "audit-" + time.Now().UTC().Format("20060102-150405") + "." + format
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if format == "csv" {
		w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	w.WriteHeader(http.StatusOK)
	next := func(beforeID int64) ([]access.AuditEntry, error) {
		f.BeforeID = beforeID
		return h.svc.Audit(ctx, a, f)
	}
	if err := writeAudit(w, format, first, next); err != nil {
		server.Logger(c).Error("audit export aborted part-way", "error", err.Error())
		// net/http closes the connection without ending the body; the server's panic
		// recovery passes this one through, and its request log records the request as
		// aborted, with the status already sent.
		panic(http.ErrAbortHandler)
	}
	return nil
}

// writeAudit writes every entry, page after page, as CSV (with a header line) or as one JSON
// array. next returns the page after an entry id; a page shorter than exportPage is the last.
// It returns the first error, from next or from w, and then leaves the output unfinished: no
// closing bracket, no final flush of the CSV writer's buffer.
func writeAudit(w io.Writer, format string, page []access.AuditEntry, next func(beforeID int64) ([]access.AuditEntry, error)) error {
	cw := csv.NewWriter(w)
	if format == "csv" {
		if err := cw.Write([]string{"id", "at", "actor_id", "actor_name", "token_id", "ip", "action", "target_type", "target_id", "before", "after"}); err != nil {
			return err
		}
	} else if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	n := 0
	for len(page) > 0 {
		for _, e := range page {
			j := toAuditJSON(e)
			if format == "csv" {
				row := []string{strconv.FormatInt(j.ID, 10), j.At.Format(time.RFC3339Nano), deref(j.ActorID), j.ActorName, deref(j.TokenID), j.IP,
					j.Action, j.TargetType, j.TargetID, string(j.Before), string(j.After)}
				for i := range row {
					row[i] = csvCell(row[i])
				}
				if err := cw.Write(row); err != nil {
					return err
				}
				continue
			}
			b, err := json.Marshal(j)
			if err != nil {
				return err
			}
			if n > 0 {
				b = append([]byte(","), b...)
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
			n++
		}
		if len(page) < exportPage {
			break
		}
		var err error
		if page, err = next(page[len(page)-1].ID); err != nil {
			return err
		}
	}
	if format == "csv" {
		cw.Flush()
		return cw.Error()
	}
	_, err := io.WriteString(w, "]")
	return err
}

// csvCell neutralises a cell that a spreadsheet would take for a formula (server.CSVCell, shared
// with the other CSV exports). Names, ids and addresses in the audit log come from users, so any
// of them may begin so.
func csvCell(s string) string { return server.CSVCell(s) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
