package files

import (
	"net/http/httptest"
	"testing"

	appfiles "canopy/app/files"
	"canopy/domain/errs"
)

// TestParseMetadata: Upload-Metadata as tus clients send it (tus-js-client pads its base64, some
// clients do not; a key may come without a value), and what is refused, naming the key.
func TestParseMetadata(t *testing.T) {
	got, err := parseMetadata("filename 5ZCI5ZCMLnBkZg==, folder MDE5MmE1ZjI,is_confidential,filetype YXBwbGljYXRpb24vcGRm")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"filename": "合同.pdf", "folder": "0192a5f2", "is_confidential": "", "filetype": "application/pdf"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if m, err := parseMetadata("  "); err != nil || len(m) != 0 {
		t.Fatalf("empty: %v %v", m, err)
	}
	for _, bad := range []string{"filename ***", "filename YQ==,filename Yg==", ",filename YQ==", "file\x01name YQ==", "filename YQ==,,", "名字 YQ==", "filename \xff"} {
		if _, err := parseMetadata(bad); !errs.Is(err, errs.Invalid) || errs.CodeOf(err) != "invalid_metadata" {
			t.Errorf("%q: got %v, want Invalid invalid_metadata", bad, err)
		}
	}
}

// TestHeaderInt: tus numbers are plain non-negative decimals.
func TestHeaderInt(t *testing.T) {
	for v, want := range map[string]int64{"0": 0, "5368709120": 5 << 30} {
		r := httptest.NewRequest("PATCH", "/", nil)
		r.Header.Set("Upload-Offset", v)
		if n, err := headerInt(r, "Upload-Offset"); err != nil || n != want {
			t.Errorf("%q: %d %v", v, n, err)
		}
	}
	for _, v := range []string{"", "-1", "+1", "1.5", "0x10", "99999999999999999999", " 1"} {
		r := httptest.NewRequest("PATCH", "/", nil)
		r.Header.Set("Upload-Offset", v)
		if _, err := headerInt(r, "Upload-Offset"); !errs.Is(err, errs.Invalid) {
			t.Errorf("%q: got %v, want Invalid", v, err)
		}
	}
}

// TestTusError: tus clients retry 409, so only the conflicts a retry can resolve stay 409.
func TestTusError(t *testing.T) {
	for _, tc := range []struct {
		in   error
		kind errs.Kind
	}{
		{errs.E(errs.Conflict, appfiles.CodeOffsetMismatch, "m"), errs.Conflict},
		{errs.E(errs.Conflict, appfiles.CodeUploadBusy, "m"), errs.Conflict},
		{errs.E(errs.Conflict, "quota_exceeded", "m"), errs.TooLarge},
		{errs.E(errs.Conflict, "name_taken", "m"), errs.Invalid},
		{errs.NotFoundf("upload"), errs.NotFound},
	} {
		got := tusError(tc.in)
		if errs.KindOf(got) != tc.kind || errs.CodeOf(got) != errs.CodeOf(tc.in) {
			t.Errorf("%v: got %v (%v %q), want %v", tc.in, got, errs.KindOf(got), errs.CodeOf(got), tc.kind)
		}
	}
	if tusError(nil) != nil {
		t.Fatal("nil is not an error")
	}
}
