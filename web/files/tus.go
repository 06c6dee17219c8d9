package files

import (
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appfiles "canopy/app/files"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/web/server"
)

// Resumable uploads with the tus 1.0 protocol (https://tus.io/protocols/resumable-upload): the
// core protocol and the creation, termination and expiration extensions. tus-js-client, Uppy
// and any other tus client work unchanged; the engine is in app/files/tus.go.

const (
	tusVersion    = "1.0.0"
	tusExtensions = "creation,termination,expiration"
	// tusExposed are the response headers a browser's tus client must be able to read.
	tusExposed = "Location, Upload-Offset, Upload-Length, Upload-Expires, Upload-Metadata, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Canopy-File-ID"
	// tusContentType is the only body a PATCH takes.
	tusContentType = "application/offset+octet-stream"
	// headerFileID carries the new file's id on the response that completes an upload, so the
	// client needs no second request to find it.
	headerFileID = "Canopy-File-ID"
)

func (h *Handler) registerTus(r *server.Router) {
	o := "/orgs/:orgID/uploads"
	write := server.Needs(access.FilesWrite)
	r.Add(write, http.MethodOptions, o+"/", h.tusOptions)
	r.Add(write, http.MethodPost, o+"/", h.tusCreate)
	r.Add(write, http.MethodHead, o+"/:uploadID", h.tusHead)
	// A PATCH carries up to a whole file, past the server's body limit; the handler bounds it by
	// the upload's size limit itself.
	r.AddOwnLimit(write, http.MethodPatch, o+"/:uploadID", h.tusPatch)
	r.Add(write, http.MethodDelete, o+"/:uploadID", h.tusDelete)
}

// tusHeaders sets what every tus response carries, errors included, and checks the client's
// protocol version (412 with the versions spoken, as tus asks, when it is not 1.0.0).
func tusHeaders(c echo.Context, checkVersion bool) error {
	hd := c.Response().Header()
	hd.Set("Tus-Resumable", tusVersion)
	hd.Set("Access-Control-Expose-Headers", tusExposed)
	if checkVersion && c.Request().Header.Get("Tus-Resumable") != tusVersion {
		hd.Set("Tus-Version", tusVersion)
		return echo.NewHTTPError(http.StatusPreconditionFailed, "Tus-Resumable must be "+tusVersion+" (tus 1.0)")
	}
	return nil
}

func uploadURL(orgID, id uuid.UUID) string {
	return "/api/v1/orgs/" + orgID.String() + "/uploads/" + id.String()
}

// setExpires sets Upload-Expires as tus's expiration extension asks: an HTTP date.
func setExpires(c echo.Context, st appfiles.UploadState) {
	if !st.Complete() {
		c.Response().Header().Set("Upload-Expires", st.ExpiresAt.UTC().Format(http.TimeFormat))
	}
}

func (h *Handler) tusOptions(c echo.Context) error {
	_ = tusHeaders(c, false)
	hd := c.Response().Header()
	hd.Set("Tus-Version", tusVersion)
	hd.Set("Tus-Extension", tusExtensions)
	hd.Set("Tus-Max-Size", strconv.FormatInt(h.svc.MaxUploadBytes(), 10))
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) tusCreate(c echo.Context) error {
	if err := tusHeaders(c, true); err != nil {
		return err
	}
	req := c.Request()
	if req.Header.Get("Upload-Defer-Length") != "" {
		return errs.E(errs.Invalid, "length_required", "Upload-Length is required: uploads of a length not known in advance are not supported")
	}
	length, err := headerInt(req, "Upload-Length")
	if err != nil {
		return err
	}
	raw := strings.TrimSpace(req.Header.Get("Upload-Metadata"))
	meta, err := parseMetadata(raw)
	if err != nil {
		return err
	}
	in := appfiles.TusCreate{Length: length, Filename: meta["filename"], Metadata: raw}
	if f := meta["folder"]; f != "" {
		if in.Folder, err = uuid.Parse(f); err != nil {
			return errs.E(errs.Invalid, "invalid_folder", "Upload-Metadata: folder must be the id of a folder or a space")
		}
	}
	a := server.Actor(c)
	st, err := h.svc.CreateUpload(req.Context(), a, in)
	if err != nil {
		return tusError(err)
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderLocation, uploadURL(a.OrgID, st.ID))
	setExpires(c, st)
	if st.Complete() {
		hd.Set("Upload-Offset", "0")
		hd.Set(headerFileID, st.FileID.String())
	}
	return c.NoContent(http.StatusCreated)
}

func (h *Handler) tusHead(c echo.Context) error {
	if err := tusHeaders(c, true); err != nil {
		return err
	}
	id, err := server.PathID(c, "uploadID", "upload")
	if err != nil {
		return err
	}
	st, err := h.svc.UploadState(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("Upload-Offset", strconv.FormatInt(st.Offset, 10))
	hd.Set("Upload-Length", strconv.FormatInt(st.Length, 10))
	if st.Metadata != "" {
		hd.Set("Upload-Metadata", st.Metadata)
	}
	setExpires(c, st)
	// tus: the offset must never come from a cache.
	hd.Set("Cache-Control", "no-store")
	return c.NoContent(http.StatusOK)
}

func (h *Handler) tusPatch(c echo.Context) error {
	h.longTransfer(c)
	if err := tusHeaders(c, true); err != nil {
		return err
	}
	req := c.Request()
	if mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); mt != tusContentType {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "a PATCH body must be "+tusContentType)
	}
	id, err := server.PathID(c, "uploadID", "upload")
	if err != nil {
		return err
	}
	offset, err := headerInt(req, "Upload-Offset")
	if err != nil {
		return err
	}
	if req.ContentLength < 0 {
		return errs.E(errs.Invalid, "length_required", "a PATCH needs a Content-Length")
	}
	limit := h.svc.MaxUploadBytes()
	if req.ContentLength > limit {
		return errs.E(errs.TooLarge, "too_large", "the file is larger than the size limit")
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	st, err := h.svc.AppendUpload(req.Context(), server.Actor(c), id, offset, req.Body, req.ContentLength)
	if err != nil {
		return tusError(err)
	}
	hd := c.Response().Header()
	hd.Set("Upload-Offset", strconv.FormatInt(st.Offset, 10))
	setExpires(c, st)
	if st.Complete() {
		hd.Set(headerFileID, st.FileID.String())
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) tusDelete(c echo.Context) error {
	if err := tusHeaders(c, true); err != nil {
		return err
	}
	id, err := server.PathID(c, "uploadID", "upload")
	if err != nil {
		return err
	}
	return server.NoContent(c, tusError(h.svc.TerminateUpload(c.Request().Context(), server.Actor(c), id)))
}

// tusError keeps 409 for what tus means by it, a PATCH at the wrong offset or while another is
// writing, which tus clients retry. Any other conflict would be retried in vain: a quota that
// the upload does not fit in is 413 (quota_exceeded), the rest (a folder of the file's name) 400,
// with the same code and message.
func tusError(err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.Conflict || e.Code == appfiles.CodeOffsetMismatch || e.Code == appfiles.CodeUploadBusy {
		return err
	}
	kind := errs.Invalid
	if e.Code == "quota_exceeded" {
		kind = errs.TooLarge
	}
	return errs.Wrap(kind, e.Code, e.Message, err)
}

// headerInt reads a required tus header holding a number of bytes.
func headerInt(req *http.Request, name string) (int64, error) {
	v := req.Header.Get(name)
	if v == "" {
		return 0, errs.E(errs.Invalid, "missing_header", name+" is required")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || strings.HasPrefix(v, "+") {
		return 0, errs.E(errs.Invalid, "invalid_header", name+" must be a number of bytes")
	}
	return n, nil
}

// parseMetadata reads Upload-Metadata: comma-separated pairs of a key and its value in base64,
// or a key alone (an empty value). Keys are printable ASCII without commas; a key given twice or
// a value that is not base64 is refused, naming the key.
func parseMetadata(h string) (map[string]string, error) {
	out := map[string]string{}
	if !utf8.ValidString(h) {
		return nil, errs.E(errs.Invalid, "invalid_metadata", "Upload-Metadata is not valid text")
	}
	if strings.TrimSpace(h) == "" {
		return out, nil
	}
	for _, pair := range strings.Split(h, ",") {
		key, val, _ := strings.Cut(strings.TrimSpace(pair), " ")
		if key == "" || strings.IndexFunc(key, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
			return nil, errs.E(errs.Invalid, "invalid_metadata", "Upload-Metadata: each pair is a key (printable ASCII) and a base64 value")
		}
		if _, dup := out[key]; dup {
			return nil, errs.E(errs.Invalid, "invalid_metadata", fmt.Sprintf("Upload-Metadata: %q is given twice", key))
		}
		val = strings.TrimSpace(val)
		dec, err := base64.StdEncoding.DecodeString(val)
		if err != nil {
			// Some clients leave out the padding.
			if dec, err = base64.RawStdEncoding.DecodeString(val); err != nil {
				return nil, errs.E(errs.Invalid, "invalid_metadata", fmt.Sprintf("Upload-Metadata: the value of %q is not base64", key))
			}
		}
		out[key] = string(dec)
	}
	return out, nil
}
