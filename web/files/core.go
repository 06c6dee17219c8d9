package files

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appfiles "canopy/app/files"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/web/server"
)

func (h *Handler) registerCore(r *server.Router) {
	o := "/orgs/:orgID"
	r.Add(server.Needs(access.FilesRead), http.MethodGet, o+"/spaces", h.listSpaces)
	r.Add(server.Needs(access.FilesRead), http.MethodGet, o+"/spaces/:spaceID", h.getSpace)
	r.Add(server.Needs(access.FilesRead), http.MethodGet, o+"/spaces/:spaceID/entries", h.listEntries)
	r.Add(server.Needs(access.FilesWrite), http.MethodPost, o+"/spaces/:spaceID/folders", h.createFolder)
	r.Add(server.Needs(access.FilesRead), http.MethodGet, o+"/folders/:folderID", h.getFolder)
	r.Add(server.Needs(access.FilesWrite), http.MethodPatch, o+"/folders/:folderID", h.updateFolder)
	r.AddOwnLimit(server.Needs(access.FilesWrite), http.MethodPost, o+"/files", h.upload)
	r.Add(server.Needs(access.FilesRead), http.MethodGet, o+"/files/:fileID", h.getFile)
	r.Add(server.Needs(access.FilesWrite), http.MethodPatch, o+"/files/:fileID", h.updateFile)
	r.Add(server.Needs(access.FilesRead), http.MethodGet, o+"/files/:fileID/content", h.content)
	r.Add(server.Needs(access.FilesRead), http.MethodGet, o+"/files/:fileID/thumbnail", h.thumbnail)
}

// levelName names a level for the client.
func levelName(l appfiles.Level) string {
	switch l {
	case appfiles.LevelManage:
		return "manage"
	case appfiles.LevelWrite:
		return "write"
	case appfiles.LevelRead:
		return "read"
	}
	return "none"
}

type spaceJSON struct {
	ID                        uuid.UUID `json:"id"`
	Kind                      string    `json:"kind"`
	OwnerID                   uuid.UUID `json:"owner_id"`
	Name                      string    `json:"name"`
	MinRetentionDays          int       `json:"min_retention_days"`
	MaxRetentionDays          int       `json:"max_retention_days"`
	QuotaBytes                int64     `json:"quota_bytes"`
	UsedBytes                 int64     `json:"used_bytes"`
	EffectiveMinRetentionDays int       `json:"effective_min_retention_days"`
	LegalHold                 bool      `json:"legal_hold"`
	Access                    string    `json:"access"`
	CanWrite                  bool      `json:"can_write"`
	CanManage                 bool      `json:"can_manage"`
}

func toSpaceJSON(v appfiles.SpaceView) spaceJSON {
	sp := v.Space
	return spaceJSON{ID: sp.ID(), Kind: string(sp.Kind()), OwnerID: sp.OwnerID(), Name: v.Name, MinRetentionDays: sp.MinRetentionDays(),
		MaxRetentionDays: sp.MaxRetentionDays(), QuotaBytes: sp.QuotaBytes(), UsedBytes: v.Settings.UsedBytes,
		EffectiveMinRetentionDays: v.EffectiveMinRetentionDays, LegalHold: v.Settings.LegalHold, Access: levelName(v.Level),
		CanWrite: v.Level >= appfiles.LevelWrite, CanManage: v.Level >= appfiles.LevelManage}
}

type folderJSON struct {
	ID        uuid.UUID  `json:"id"`
	SpaceID   uuid.UUID  `json:"space_id"`
	ParentID  *uuid.UUID `json:"parent_id"`
	Name      string     `json:"name"`
	CreatedBy uuid.UUID  `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

func optID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toFolderJSON(f *files.Folder) folderJSON {
	return folderJSON{ID: f.ID(), SpaceID: f.SpaceID(), ParentID: optID(f.ParentID()), Name: f.Name(), CreatedBy: f.CreatedBy(),
		CreatedAt: f.CreatedAt(), UpdatedAt: f.UpdatedAt()}
}

type versionJSON struct {
	ID             uuid.UUID `json:"id"`
	Number         int       `json:"number"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	ContentType    string    `json:"content_type"`
	UploadedBy     uuid.UUID `json:"uploaded_by"`
	UploadedAt     time.Time `json:"uploaded_at"`
	AvailableUntil time.Time `json:"available_until"`
	LegalHold      bool      `json:"legal_hold"`
}

func toVersionJSON(v *files.Version) versionJSON {
	return versionJSON{ID: v.ID(), Number: v.Number(), Size: v.Size(), SHA256: v.SHA256(), ContentType: v.ContentType(),
		UploadedBy: v.UploadedBy(), UploadedAt: v.UploadedAt(), AvailableUntil: v.AvailableUntil(), LegalHold: v.LegalHold()}
}

type fileJSON struct {
	ID             uuid.UUID   `json:"id"`
	SpaceID        uuid.UUID   `json:"space_id"`
	FolderID       *uuid.UUID  `json:"folder_id"`
	Name           string      `json:"name"`
	Size           int64       `json:"size"`
	ContentType    string      `json:"content_type"`
	SHA256         string      `json:"sha256"`
	VersionCount   int         `json:"version_count"`
	CurrentVersion versionJSON `json:"current_version"`
	AvailableUntil time.Time   `json:"available_until"`
	LegalHold      bool        `json:"legal_hold"`
	HasThumbnail   bool        `json:"has_thumbnail"`
	CreatedBy      uuid.UUID   `json:"created_by"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	DeletedAt      *time.Time  `json:"deleted_at"`
}

// FileJSON is a file as the API shows it; the other parts of the module (sharing, the trash)
// answer with it too.
func FileJSON(v appfiles.FileView) any { return toFileJSON(v) }

func toFileJSON(v appfiles.FileView) fileJSON {
	f, cur := v.File, v.Current
	return fileJSON{ID: f.ID(), SpaceID: f.SpaceID(), FolderID: optID(f.FolderID()), Name: f.Name(), Size: cur.Size(), ContentType: cur.ContentType(),
		SHA256: cur.SHA256(), VersionCount: f.VersionCount(), CurrentVersion: toVersionJSON(cur), AvailableUntil: v.AvailableUntil,
		LegalHold: v.LegalHold, HasThumbnail: v.HasThumbnail, CreatedBy: f.CreatedBy(), CreatedAt: f.CreatedAt(), UpdatedAt: f.UpdatedAt(),
		DeletedAt: optTime(f.DeletedAt())}
}

type entryJSON struct {
	Type   string      `json:"type"`
	Folder *folderJSON `json:"folder,omitempty"`
	File   *fileJSON   `json:"file,omitempty"`
}

// EntryJSON is a listing entry as the API shows it.
func EntryJSON(e appfiles.Entry) any { return toEntryJSON(e) }

func toEntryJSON(e appfiles.Entry) entryJSON {
	if e.Folder != nil {
		f := toFolderJSON(e.Folder)
		return entryJSON{Type: "folder", Folder: &f}
	}
	f := toFileJSON(*e.File)
	return entryJSON{Type: "file", File: &f}
}

type crumbJSON struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

func toCrumbs(cs []appfiles.Crumb) []crumbJSON {
	out := make([]crumbJSON, len(cs))
	for i, c := range cs {
		out[i] = crumbJSON{c.ID, c.Name}
	}
	return out
}

func (h *Handler) listSpaces(c echo.Context) error {
	vs, err := h.svc.Spaces(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	return list(c, vs, len(vs), toSpaceJSON)
}

func (h *Handler) getSpace(c echo.Context) error {
	id, err := server.PathID(c, "spaceID", "space")
	if err != nil {
		return err
	}
	v, err := h.svc.Space(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSpaceJSON(v))
}

func (h *Handler) listEntries(c echo.Context) error {
	id, err := server.PathID(c, "spaceID", "space")
	if err != nil {
		return err
	}
	folder, err := server.QueryID(c, "folder_id", "folder")
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	order := c.QueryParam("order")
	if order != "" && order != "asc" && order != "desc" {
		return errs.E(errs.Invalid, "invalid_order", "order: must be asc or desc")
	}
	l, err := h.svc.Entries(c.Request().Context(), server.Actor(c), appfiles.EntryQuery{SpaceID: id, FolderID: folder,
		Query: strings.TrimSpace(c.QueryParam("q")), Sort: c.QueryParam("sort"), Desc: order == "desc", Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": mapped(l.Entries, toEntryJSON), "total": l.Total, "breadcrumb": toCrumbs(l.Breadcrumb), "access": levelName(l.Level)})
}

type createFolderRequest struct {
	Name     string  `json:"name"`
	ParentID *string `json:"parent_id"`
}

func (h *Handler) createFolder(c echo.Context) error {
	id, err := server.PathID(c, "spaceID", "space")
	if err != nil {
		return err
	}
	var req createFolderRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	parent, err := server.OptionalID(req.ParentID, "folder")
	if err != nil {
		return err
	}
	f, err := h.svc.CreateFolder(c.Request().Context(), server.Actor(c), id, parent, req.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toFolderJSON(f))
}

func (h *Handler) getFolder(c echo.Context) error {
	id, err := server.PathID(c, "folderID", "folder")
	if err != nil {
		return err
	}
	f, err := h.svc.Folder(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFolderJSON(f))
}

// optionalMove reads a "parent_id"/"folder_id" that may be absent (no move), null or "" (the
// root of the space) or an id.
func optionalMove(raw json.RawMessage, what string) (bool, uuid.UUID, error) {
	if raw == nil {
		return false, uuid.Nil, nil
	}
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return false, uuid.Nil, errs.E(errs.Invalid, "invalid_field", what+"_id: must be a string or null")
	}
	id, err := server.OptionalID(s, what)
	return true, id, err
}

type updateFolderRequest struct {
	Name     *string         `json:"name"`
	ParentID json.RawMessage `json:"parent_id"`
}

func (h *Handler) updateFolder(c echo.Context) error {
	id, err := server.PathID(c, "folderID", "folder")
	if err != nil {
		return err
	}
	var req updateFolderRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	move, parent, err := optionalMove(req.ParentID, "folder")
	if err != nil {
		return err
	}
	f, err := h.svc.UpdateFolder(c.Request().Context(), server.Actor(c), id, appfiles.FolderChange{Name: req.Name, Move: move, ParentID: parent})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFolderJSON(f))
}

// upload takes a file in one request: a raw body of known length (Content-Length) with the
// space_id, folder_id and name query parameters, or multipart/form-data whose fields space_id
// and folder_id come before the one "file" part. Neither is ever held in memory whole.
func (h *Handler) upload(c echo.Context) error {
	h.longTransfer(c)
	req := c.Request()
	a := server.Actor(c)
	limit := h.svc.MaxUploadBytes() + 1<<20
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	mt, params, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	in := appfiles.UploadInput{Size: req.ContentLength}
	if mt == "multipart/form-data" {
		if params["boundary"] == "" {
			return errs.E(errs.Invalid, "invalid_multipart", "the multipart body has no boundary")
		}
		if req.ContentLength < 0 {
			return errs.E(errs.Invalid, "length_required", "the request's Content-Length must be declared")
		}
		return h.uploadMultipart(c, multipart.NewReader(req.Body, params["boundary"]), req.ContentLength)
	}
	if req.ContentLength < 0 {
		return errs.E(errs.Invalid, "length_required", "the request's Content-Length must be declared")
	}
	var err error
	if in.SpaceID, err = queryTarget(c, "space_id", "space"); err != nil {
		return err
	}
	if in.FolderID, err = queryTarget(c, "folder_id", "folder"); err != nil {
		return err
	}
	in.Name, in.Body = c.QueryParam("name"), req.Body
	if in.Name == "" {
		return server.Required("name")
	}
	v, err := h.svc.Upload(req.Context(), a, in)
	if err != nil {
		return uploadError(err)
	}
	return c.JSON(http.StatusCreated, toFileJSON(v))
}

func queryTarget(c echo.Context, name, what string) (uuid.UUID, error) {
	return server.QueryID(c, name, what)
}

// uploadError turns the body limit's error into 413.
func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errs.E(errs.TooLarge, "too_large", "the file is larger than the size limit")
	}
	return err
}

const maxFieldBytes = 1024

func (h *Handler) uploadMultipart(c echo.Context, mr *multipart.Reader, contentLength int64) error {
	in := appfiles.UploadInput{Size: -1, MaxSize: contentLength}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return server.Required("file")
		}
		if err != nil {
			return uploadError(errs.Wrap(errs.Invalid, "invalid_multipart", "the multipart body is malformed", err))
		}
		switch part.FormName() {
		case "space_id", "folder_id", "name":
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes))
			if err != nil {
				return errs.Wrap(errs.Invalid, "invalid_multipart", "the multipart body is malformed", err)
			}
			v := strings.TrimSpace(string(b))
			switch part.FormName() {
			case "name":
				in.Name = v
			case "space_id":
				if in.SpaceID, err = server.OptionalID(&v, "space"); err != nil {
					return err
				}
			case "folder_id":
				if in.FolderID, err = server.OptionalID(&v, "folder"); err != nil {
					return err
				}
			}
		case "file":
			if in.Name == "" {
				in.Name = part.FileName()
			}
			if in.Name == "" {
				return server.Required("name")
			}
			in.Body = part
			v, err := h.svc.Upload(c.Request().Context(), server.Actor(c), in)
			if err != nil {
				return uploadError(err)
			}
			return c.JSON(http.StatusCreated, toFileJSON(v))
		default:
			return errs.E(errs.Invalid, "invalid_multipart", fmt.Sprintf("unexpected field %q: send space_id, folder_id, name, then file", part.FormName()))
		}
	}
}

type fileDetailJSON struct {
	fileJSON
	Versions   []versionJSON `json:"versions"`
	Breadcrumb []crumbJSON   `json:"breadcrumb"`
	Access     string        `json:"access"`
}

func toFileDetailJSON(d appfiles.FileDetail) fileDetailJSON {
	vs := make([]versionJSON, len(d.Versions))
	for i, v := range d.Versions {
		vs[i] = toVersionJSON(v)
	}
	return fileDetailJSON{fileJSON: toFileJSON(d.FileView), Versions: vs, Breadcrumb: toCrumbs(d.Breadcrumb), Access: levelName(d.Level)}
}

func (h *Handler) getFile(c echo.Context) error {
	id, err := server.PathID(c, "fileID", "file")
	if err != nil {
		return err
	}
	d, err := h.svc.File(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFileDetailJSON(d))
}

type updateFileRequest struct {
	Name     *string         `json:"name"`
	FolderID json.RawMessage `json:"folder_id"`
}

func (h *Handler) updateFile(c echo.Context) error {
	id, err := server.PathID(c, "fileID", "file")
	if err != nil {
		return err
	}
	var req updateFileRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	move, folder, err := optionalMove(req.FolderID, "folder")
	if err != nil {
		return err
	}
	d, err := h.svc.UpdateFile(c.Request().Context(), server.Actor(c), id, appfiles.FileChange{Name: req.Name, Move: move, FolderID: folder})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFileDetailJSON(d))
}

func (h *Handler) content(c echo.Context) error {
	id, err := server.PathID(c, "fileID", "file")
	if err != nil {
		return err
	}
	number, err := server.QueryInt(c, "version", 0, 1, 1<<30)
	if err != nil {
		return err
	}
	ct, err := h.svc.OpenContent(c.Request().Context(), server.Actor(c), id, number)
	if err != nil {
		return err
	}
	defer ct.Object.Close()
	h.longTransfer(c)
	return ServeContent(c, ct, c.QueryParam("download") == "1")
}

func (h *Handler) thumbnail(c echo.Context) error {
	id, err := server.PathID(c, "fileID", "file")
	if err != nil {
		return err
	}
	obj, err := h.svc.OpenThumbnail(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	defer obj.Close()
	return ServeThumbnail(c, obj.LastModified(), obj)
}

// ServeThumbnail writes a thumbnail (a JPEG the files module made) with ranges and conditional
// requests; other modules that show files of this one (message attachments) serve theirs so.
func ServeThumbnail(c echo.Context, modified time.Time, body io.ReadSeeker) error {
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "image/jpeg")
	hd.Set("Cache-Control", "private, max-age=3600")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return serve(c, modified, body)
}

// inline reports whether a type may be shown in the browser: images (not SVG, which runs
// script), audio, video and PDF. Everything else, HTML above all, is only ever downloaded.
func inline(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "image/svg+xml":
		return false
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"), mt == "application/pdf":
		return true
	}
	return false
}

// ContentDisposition builds an RFC 6266 header: an ASCII fallback filename and, for any other
// name, filename* in UTF-8 (RFC 8187), so 中文名.pdf downloads under its own name.
func ContentDisposition(kind, name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			b.WriteByte('_')
		} else {
			b.WriteRune(r)
		}
	}
	out := kind + `; filename="` + b.String() + `"`
	if b.String() != name {
		out += "; filename*=UTF-8''" + attrChars(name)
	}
	return out
}

// attrChars percent-encodes a value for an RFC 8187 ext-value: every byte but the attr-chars
// (letters, digits and !#$&+-.^_`|~) is encoded.
func attrChars(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// ServeContent writes a version with ranges (206, several ranges as multipart/byteranges),
// ETag (its SHA-256) and Last-Modified with conditional requests, and a Content-Disposition per
// RFC 6266: inline only for images, audio, video and PDF (unless download), never HTML or SVG;
// always with nosniff and a sandboxing Content-Security-Policy.
func ServeContent(c echo.Context, ct appfiles.Content, download bool) error {
	v := ct.Version
	return ServeVersion(c, Served{Name: ct.File.Name(), ContentType: v.ContentType(), SHA256: v.SHA256(), Number: v.Number(),
		Modified: v.UploadedAt(), Body: ct.Object}, download)
}

// Served is a version of a file as ServeVersion writes it: opened by this module, or by another
// that shows files of this one (message attachments).
type Served struct {
	Name        string
	ContentType string
	SHA256      string
	Number      int
	Modified    time.Time
	Body        io.ReadSeeker
}

// ServeVersion writes a version as ServeContent does.
func ServeVersion(c echo.Context, v Served, download bool) error {
	hd := c.Response().Header()
	show := !download && inline(v.ContentType)
	kind := "attachment"
	if show {
		kind = "inline"
	}
	hd.Set(echo.HeaderContentType, v.ContentType)
	if !show {
		hd.Set(echo.HeaderContentType, "application/octet-stream")
	}
	hd.Set(echo.HeaderContentDisposition, ContentDisposition(kind, v.Name))
	hd.Set("ETag", `"`+v.SHA256+`"`)
	hd.Set("Cache-Control", "private, no-cache")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Accept-Ranges", "bytes")
	// The app shows PDFs and media in frames of its own pages; nothing else may frame them,
	// and what is shown runs no script (the browser's PDF viewer is its own sandbox).
	hd.Set("X-Frame-Options", "SAMEORIGIN")
	if strings.HasPrefix(v.ContentType, "application/pdf") {
		hd.Set("Content-Security-Policy", "default-src 'none'; object-src 'self'; frame-ancestors 'self'")
	} else {
		hd.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox")
	}
	hd.Set("Canopy-Version", strconv.Itoa(v.Number))
	return serve(c, v.Modified, v.Body)
}

// serve runs http.ServeContent, whose own answers to a bad range (416), a failed precondition
// (412) or a content that fails to seek or read before anything is sent (500, the store gone
// since the version was opened) are plain text; those are held back and returned as errors,
// for the error handler to answer with the JSON error body: a failure of the content's own is
// returned as it is (the store's is 503 storage_unavailable).
func serve(c echo.Context, modified time.Time, content io.ReadSeeker) error {
	w := &errorBody{ResponseWriter: c.Response()}
	rc := &recordingSeeker{ReadSeeker: content}
	http.ServeContent(w, c.Request(), "", modified, rc)
	if w.status == 0 {
		return nil
	}
	h := c.Response().Header()
	for _, k := range []string{"Content-Range", echo.HeaderContentDisposition, echo.HeaderContentType, "ETag", echo.HeaderLastModified} {
		h.Del(k)
	}
	switch {
	case rc.err != nil:
		// net/http answers a failed seek to a range's start with 416 too: the content's own
		// failure comes first.
		return rc.err
	case w.status == http.StatusPreconditionFailed:
		return echo.NewHTTPError(w.status, "the file has changed since the version the request names")
	case w.status == http.StatusRequestedRangeNotSatisfiable:
		return echo.NewHTTPError(w.status, "the range is outside the file")
	}
	return errs.Internalf("serving a file: net/http answered %d", w.status)
}

// recordingSeeker keeps the last error of the content's seeks and reads other than EOF.
type recordingSeeker struct {
	io.ReadSeeker
	err error
}

func (r *recordingSeeker) Read(p []byte) (int, error) {
	n, err := r.ReadSeeker.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

func (r *recordingSeeker) Seek(offset int64, whence int) (int64, error) {
	n, err := r.ReadSeeker.Seek(offset, whence)
	if err != nil {
		r.err = err
	}
	return n, err
}

// errorBody holds back net/http's own error answers (412, 416, 500) and their text bodies, for
// serve to answer in JSON.
type errorBody struct {
	http.ResponseWriter
	status int
}

func (w *errorBody) WriteHeader(code int) {
	if code == http.StatusRequestedRangeNotSatisfiable || code == http.StatusPreconditionFailed || code >= 500 {
		w.status = code
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *errorBody) Write(b []byte) (int, error) {
	if w.status != 0 {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}
