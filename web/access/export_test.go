package access

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"canopy/app/authz"
	"canopy/domain/access"
)

func TestCSVCellNeutralisesFormulas(t *testing.T) {
	cases := map[string]string{
		"=cmd()":        "'=cmd()",
		"+1":            "'+1",
		"-2+3":          "'-2+3",
		"@SUM(A1)":      "'@SUM(A1)",
		"\tx":           "'\tx",
		"\r=x":          "'\r=x",
		"":              "",
		"Alice":         "Alice",
		"a=b":           "a=b",
		"张伟":            "张伟",
		`{"name":"=x"}`: `{"name":"=x"}`,
	}
	for in, want := range cases {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// pages serves n full pages of entries and then fails, as a database that goes away part-way.
type pages struct {
	full   int
	served int
}

var errGone = errors.New("connection reset")

func (p *pages) page() ([]access.AuditEntry, error) {
	if p.served >= p.full {
		return nil, errGone
	}
	p.served++
	out := make([]access.AuditEntry, exportPage)
	for i := range out {
		out[i] = access.AuditEntry{ID: int64(p.served*exportPage - i), At: time.Unix(0, 0), ActorName: "=cmd()", Action: "group.create"}
	}
	return out, nil
}

func TestWriteAuditLeavesAFailedExportUnfinished(t *testing.T) {
	for _, format := range []string{"json", "csv"} {
		p := &pages{full: 2}
		first, _ := p.page()
		var buf bytes.Buffer
		err := writeAudit(&buf, format, first, func(int64) ([]access.AuditEntry, error) { return p.page() })
		if !errors.Is(err, errGone) {
			t.Fatalf("%s: got %v, want the reader's error", format, err)
		}
		switch format {
		case "json":
			if json.Valid(buf.Bytes()) || strings.HasSuffix(buf.String(), "]") {
				t.Errorf("json: the failed export ends as a well-formed array")
			}
		case "csv":
			// Whatever reached the writer is short of the rows read: it must not pass for a
			// complete file either, and the caller aborts the response.
			rows, _ := csv.NewReader(&buf).ReadAll()
			if len(rows) == 1+2*exportPage {
				t.Errorf("csv: every row was written despite the failure")
			}
		}
	}
	// A complete export ends well-formed.
	p := &pages{full: 1}
	first, _ := p.page()
	var buf bytes.Buffer
	if err := writeAudit(&buf, "json", first[:10], nil); err != nil || !json.Valid(buf.Bytes()) {
		t.Fatalf("complete export: %v %s", err, buf.String())
	}
}

// failing is an access service whose audit log fails after its first page.
type failing struct {
	Service
	p *pages
}

func (f failing) Audit(context.Context, authz.Actor, access.AuditFilter) ([]access.AuditEntry, error) {
	return f.p.page()
}

// TestExportThatFailsPartWayFailsTheDownload: the client of an export whose database fails
// after the first page gets an error, never a shortened file that looks complete.
func TestExportThatFailsPartWayFailsTheDownload(t *testing.T) {
	h := New(failing{p: &pages{full: 1}})
	e := echo.New()
	e.GET("/export", h.exportAudit)
	srv := httptest.NewServer(e)
	defer srv.Close()
	for _, format := range []string{"json", "csv"} {
		h.svc = failing{p: &pages{full: 1}}
		resp, err := http.Get(srv.URL + "/export?format=" + format)
		if err != nil {
			continue // the connection closed before the headers: the download failed
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("%s: the download completed (%d bytes) although the export failed part-way", format, len(body))
		}
	}
}
