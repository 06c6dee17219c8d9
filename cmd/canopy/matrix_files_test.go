package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"strings"
	"testing"
)

// The files module's part of the permission matrix (issue 9, section 11). Its fixtures sit in
// three spaces, chosen per route so that most cells say something:
//   - the organisation's space (every member but guests: owner, admin, dept_admin, group_owner
//     and member see it, guest and custom do not);
//   - group G's space (guest, custom, group_owner and target are in G; owner and admin manage
//     every space; dept_admin and member see it not at all: a group's space is not a department's,
//     so a department admin's scope does not reach it);
//   - department D's space (owner and admin manage it, dept_admin manages it by their scope; no
//     other role is in D).
// Everything is made by the organisation's owner, whose minimum retention is set to 0 days first
// so that a file can be deleted (and so put in the trash) at once.

// matrixReq is one request of the matrix: a JSON body, or raw bytes of a content type, and the
// extra headers the route needs (tus's Tus-Resumable, Upload-Offset and so on).
type matrixReq struct {
	json        any
	raw         []byte
	contentType string
	header      map[string]string
}

// send makes the request r describes.
func (c *client) send(method, path string, r matrixReq) response {
	c.t.Helper()
	if r.raw == nil && r.header == nil {
		return c.do(method, path, r.json)
	}
	body, ct := r.raw, r.contentType
	if r.json != nil {
		b, err := json.Marshal(r.json)
		if err != nil {
			c.t.Fatal(err)
		}
		body, ct = b, "application/json"
	}
	return c.rawWith(method, path, ct, body, r.header)
}

// tusHeader is what every tus request but OPTIONS carries.
var tusHeader = map[string]string{"Tus-Resumable": "1.0.0"}

// matrixRequest is the request the matrix sends to a route of m's organisation.
func matrixRequest(route string, m matrixOrg) matrixReq {
	if r, ok := filesRequest(route, m); ok {
		return r
	}
	if b, ok := tasksMatrixBody(route, m); ok {
		return matrixReq{json: b}
	}
	if b, ok := messagingMatrixBody(route, m.messaging); ok {
		return matrixReq{json: b}
	}
	if b, ok := announcementsMatrixBody(route, m); ok {
		return matrixReq{json: b}
	}
	if b, ok := moderationMatrixBody(route); ok {
		return matrixReq{json: b}
	}
	return matrixReq{json: matrixBody(route, m)}
}

// filesRequest is the request of a files route that takes a body, a raw one or extra headers,
// naming m's fixtures; false for any other route.
func filesRequest(route string, m matrixOrg) (matrixReq, bool) {
	if b, ok := filesMatrixBody(route, m); ok {
		return matrixReq{json: b}, true
	}
	switch route {
	case "POST /api/v1/orgs/:orgID/files":
		// The upload's target is in the query (matrixQuery); the body is the file's bytes.
		return matrixReq{raw: []byte("uploaded by the matrix"), contentType: "application/octet-stream"}, true
	case "POST /api/v1/orgs/:orgID/uploads/":
		return matrixReq{raw: []byte{}, header: map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": "10",
			"Upload-Metadata": tusMeta("filename", "matrix.bin", "folder", m.files["dSpace"])}}, true
	case "HEAD /api/v1/orgs/:orgID/uploads/:uploadID", "DELETE /api/v1/orgs/:orgID/uploads/:uploadID":
		return matrixReq{raw: []byte{}, header: tusHeader}, true
	case "PATCH /api/v1/orgs/:orgID/uploads/:uploadID":
		// Half of the upload's 10 bytes, so it stays open for the DELETE after.
		return matrixReq{raw: []byte("half!"), contentType: "application/offset+octet-stream",
			header: map[string]string{"Tus-Resumable": "1.0.0", "Upload-Offset": "0"}}, true
	}
	return matrixReq{}, false
}

// filesMatrixBody is the JSON body of a files route, if it takes one.
func filesMatrixBody(route string, m matrixOrg) (any, bool) {
	f := m.files
	switch route {
	case "POST /api/v1/orgs/:orgID/spaces/:spaceID/folders":
		return map[string]any{"name": "Made by the matrix"}, true
	case "PATCH /api/v1/orgs/:orgID/folders/:folderID":
		return map[string]any{"name": "Org folder renamed"}, true
	case "PATCH /api/v1/orgs/:orgID/files/:fileID":
		return map[string]any{"name": "g renamed.txt"}, true
	case "PUT /api/v1/admin/orgs/:orgID/files/policy":
		// The 0 days the fixture set, so later deletions still go through.
		return map[string]any{"min_retention_days": 0, "trash_days": 20}, true
	case "PUT /api/v1/admin/orgs/:orgID/spaces/:spaceID/policy":
		return map[string]any{"quota_bytes": 1 << 30}, true
	case "POST /api/v1/orgs/:orgID/shares":
		return map[string]any{"target_type": "file", "target_id": f["orgFile"], "principal_type": "group", "principal_id": m.ids["groupID"], "role": "viewer"}, true
	case "POST /api/v1/orgs/:orgID/links":
		return map[string]any{"target_type": "file", "target_id": f["gFile"]}, true
	}
	return nil, false
}

// filesQuery is the query a files route needs.
func filesQuery(route string, m matrixOrg) string {
	switch route {
	case "POST /api/v1/orgs/:orgID/files":
		return "?" + url.Values{"space_id": {m.files["orgSpace"]}, "name": {"upload.txt"}}.Encode()
	case "GET /api/v1/orgs/:orgID/shares":
		return "?target_type=file&target_id=" + m.files["gFile"]
	case "GET /api/v1/orgs/:orgID/links":
		return "?target_type=file&target_id=" + m.files["orgFile"]
	}
	return ""
}

// filesRouteIDs are the path ids of the files routes whose fixture is not the default one
// (filesDefaultIDs).
func filesRouteIDs(f map[string]string) map[string]map[string]string {
	return map[string]map[string]string{
		"GET /api/v1/orgs/:orgID/spaces/:spaceID":                {"spaceID": f["orgSpace"]},
		"POST /api/v1/orgs/:orgID/spaces/:spaceID/folders":       {"spaceID": f["dSpace"]},
		"PATCH /api/v1/orgs/:orgID/folders/:folderID":            {"folderID": f["orgFolder"]},
		"DELETE /api/v1/orgs/:orgID/folders/:folderID":           {"folderID": f["gThrowFolder"]},
		"GET /api/v1/orgs/:orgID/files/:fileID/thumbnail":        {"fileID": f["gImage"]},
		"DELETE /api/v1/orgs/:orgID/files/:fileID":               {"fileID": f["orgThrowFile"]},
		"POST /api/v1/orgs/:orgID/trash/:fileID/restore":         {"fileID": f["gTrashed"]},
		"PUT /api/v1/orgs/:orgID/holds/:targetType/:targetID":    {"targetType": "file", "targetID": f["holdFile"]},
		"DELETE /api/v1/orgs/:orgID/holds/:targetType/:targetID": {"targetType": "file", "targetID": f["heldFile"]},
		"GET /api/v1/admin/orgs/:orgID/spaces/:spaceID/policy":   {"spaceID": f["dSpace"]},
		"PUT /api/v1/admin/orgs/:orgID/spaces/:spaceID/policy":   {"spaceID": f["dSpace"]},
	}
}

// filesDefaultIDs are the path ids of the files routes that filesRouteIDs does not name: G's
// space, folder and file, the owner's share (of the organisation's file, with target) and link
// (to G's file), the owner's tus upload.
func filesDefaultIDs(f map[string]string) map[string]string {
	return map[string]string{"spaceID": f["gSpace"], "folderID": f["gFolder"], "fileID": f["gFile"], "shareID": f["share"],
		"linkID": f["link"], "uploadID": f["upload"], "targetType": "file", "targetID": f["holdFile"]}
}

// tinyPNG is a 2×2 image, which the thumbnail job can read.
func tinyPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mustMatrixFiles makes the files fixtures of m's organisation (see the top of this file) and
// returns their ids by name. dept and group are D and G, target a member in G.
func (e *testEnv) mustMatrixFiles(t *testing.T, d dir, dept, group, target string) map[string]string {
	t.Helper()
	c := d.c
	c.must(200, "PUT", d.admin("/files/policy"), map[string]any{"min_retention_days": 0})
	// A space is made when a member first lists their spaces: the owner joins D and G for that
	// moment only, so that the matrix's roles stay as matrixOrg describes them.
	me := c.must(200, "GET", "/api/v1/me", nil)["user"].(map[string]any)["id"].(string)
	c.must(204, "PUT", d.admin("/departments/"+dept+"/members/"+me), map[string]any{})
	c.must(204, "PUT", d.admin("/groups/"+group+"/members/"+me), map[string]any{})
	f := map[string]string{}
	for _, it := range c.must(200, "GET", d.org("/spaces"), nil)["items"].([]any) {
		sp := it.(map[string]any)
		switch {
		case sp["kind"] == "organisation":
			f["orgSpace"] = sp["id"].(string)
		case sp["kind"] == "group" && sp["owner_id"] == group:
			f["gSpace"] = sp["id"].(string)
		case sp["kind"] == "department" && sp["owner_id"] == dept:
			f["dSpace"] = sp["id"].(string)
		}
	}
	c.must(204, "DELETE", d.admin("/departments/"+dept+"/members/"+me), nil)
	c.must(204, "DELETE", d.admin("/groups/"+group+"/members/"+me), nil)
	if f["orgSpace"] == "" || f["gSpace"] == "" || f["dSpace"] == "" {
		t.Fatalf("the matrix's spaces: %v", f)
	}
	folder := func(space, name string) string {
		return c.must(201, "POST", d.org("/spaces/"+space+"/folders"), map[string]any{"name": name})["id"].(string)
	}
	file := func(space, folder, name string, body []byte) string {
		return mustUpload(t, c, d.orgID, space, folder, name, body)["id"].(string)
	}
	f["orgFolder"] = folder(f["orgSpace"], "Org folder")
	f["gFolder"] = folder(f["gSpace"], "G folder")
	f["gThrowFolder"] = folder(f["gSpace"], "G throwaway")
	f["orgFile"] = file(f["orgSpace"], f["orgFolder"], "org.txt", []byte("the organisation's file"))
	f["orgThrowFile"] = file(f["orgSpace"], "", "throwaway.txt", []byte("to be deleted"))
	f["gFile"] = file(f["gSpace"], f["gFolder"], "g.txt", []byte("the group's file"))
	f["gImage"] = file(f["gSpace"], "", "g.png", tinyPNG(t))
	f["gTrashed"] = file(f["gSpace"], "", "trashed.txt", []byte("in the trash"))
	c.must(204, "DELETE", d.org("/files/"+f["gTrashed"]), nil)
	f["holdFile"] = file(f["orgSpace"], "", "hold me.txt", []byte("to be held"))
	f["heldFile"] = file(f["orgSpace"], "", "held.txt", []byte("held"))
	c.must(204, "PUT", d.org("/holds/file/"+f["heldFile"]), nil)
	f["share"] = c.must(201, "POST", d.org("/shares"), map[string]any{"target_type": "file", "target_id": f["orgFile"],
		"principal_type": "user", "principal_id": target, "role": "viewer"})["id"].(string)
	f["link"] = c.must(201, "POST", d.org("/links"), map[string]any{"target_type": "file", "target_id": f["gFile"]})["id"].(string)
	loc := mustCreate(t, c, d.orgID, 10, tusMeta("filename", "resume.bin", "folder", f["orgSpace"]))
	f["upload"] = loc[strings.LastIndex(loc, "/")+1:]
	for {
		n, err := e.stack.files.MakeThumbnails(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if !c.must(200, "GET", d.org("/files/"+f["gImage"]), nil)["has_thumbnail"].(bool) {
		t.Fatal("the matrix's image has no thumbnail")
	}
	return f
}
