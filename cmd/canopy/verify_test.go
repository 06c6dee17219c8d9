package main

import (
	"context"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
)

// TestVerifyFilesReportsWhatIsMissing runs `canopy admin verify-files` on an installation whose
// objects are all there (it passes), then removes one object from the bucket (a file of an
// organisation that keeps nothing, so nothing locks it), points another row at a size its object
// does not have, and records a retention on a third that the store does not enforce: each is
// reported, and the command fails.
func TestVerifyFilesReportsWhatIsMissing(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()

	keep := e.mustFilesOrg("Verify Keep Co", "o@keep-verify.example")
	keepSpace := spaceOf(t, keep.c, keep.orgID, "organisation")
	kept := mustUpload(t, keep.c, keep.orgID, keepSpace, "", "kept.txt", []byte("kept for years"))["id"].(string)

	tidy := e.zeroDayOrg("Verify Tidy Co", "o@tidy-verify.example", nil)
	tidySpace := spaceOf(t, tidy.c, tidy.orgID, "organisation")
	var gone string
	for _, body := range []string{"first draft", "second draft"} {
		gone = mustUpload(t, tidy.c, tidy.orgID, tidySpace, "", "gone.txt", []byte(body))["id"].(string)
	}
	resized := mustUpload(t, tidy.c, tidy.orgID, tidySpace, "", "resized.txt", []byte("twelve bytes"))["id"].(string)
	binned := mustUpload(t, tidy.c, tidy.orgID, tidySpace, "", "binned.txt", []byte("in the trash"))["id"].(string)
	tidy.c.must(204, "DELETE", tidy.org("/files/"+binned), nil)

	out, err := runAdmin(t, e, "verify-files")
	if err != nil || !strings.Contains(out, "file versions: 5 (3 current, 1 older, 1 in the trash)") ||
		!strings.Contains(out, "objects missing or of another size: 0") || !strings.Contains(out, "verify-files: ok") {
		t.Fatalf("verify-files on a whole installation: %v\n%s", err, out)
	}

	goneKey, goneVersion := e.objectOf(t, gone)
	if err := e.s3(t).RemoveObject(ctx, e.bucket(), goneKey, minio.RemoveObjectOptions{VersionID: goneVersion}); err != nil {
		t.Fatalf("remove the object of %s: %v", gone, err)
	}
	resizedKey, _ := e.objectOf(t, resized)
	if err := e.stack.db.Exec(`UPDATE file_versions SET size = size + 1 WHERE object_key = ?`, resizedKey).Error; err != nil {
		t.Fatal(err)
	}
	keptKey, _ := e.objectOf(t, kept)
	if err := e.stack.db.Exec(`UPDATE file_versions SET available_until = now() + interval '20 years', locked_until = now() + interval '20 years' WHERE object_key = ?`, keptKey).Error; err != nil {
		t.Fatal(err)
	}

	out, err = runAdmin(t, e, "verify-files")
	if err == nil || !strings.Contains(err.Error(), "3 problems") {
		t.Fatalf("verify-files with a missing object, a wrong size and a short retention: %v\n%s", err, out)
	}
	for _, want := range []string{
		"objects missing or of another size: 2",
		"retention shorter than recorded: 1",
		"problem: object " + goneKey + " ",
		"problem: object " + resizedKey + " ",
		"problem: object " + keptKey + ": retained until",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify-files printed no %q:\n%s", want, out)
		}
	}
	if pw := dbPassword(t, e.stack.cfg.Database.URL); strings.Contains(out, pw) {
		t.Fatal("verify-files printed the database password")
	}
}

// runAdmin runs `canopy admin ARGS` on the environment's configuration and returns what it printed.
func runAdmin(t *testing.T, e *testEnv, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := admin(context.Background(), e.stack.cfg, args, &out)
	return out.String(), err
}
