package password_test

import (
	"strings"
	"testing"

	"canopy/infra/password"
)

func TestArgon2idRoundTripWithOWASPParameters(t *testing.T) {
	h := password.NewHasher(password.OWASP)
	enc, err := h.Hash("Blue-Ferns-Rise")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("encoding %q does not record the OWASP parameters", enc)
	}
	again, _ := h.Hash("Blue-Ferns-Rise")
	if again == enc {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"Blue-Ferns-Rise": true, "blue-ferns-rise": false, "": false} {
		ok, err := h.Verify(pw, enc)
		if err != nil || ok != want {
			t.Errorf("Verify(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	// A hash made with other parameters still verifies: they are read from the hash.
	cheap := password.NewHasher(password.Params{MemoryKiB: 1024, Time: 1, Threads: 1})
	enc2, _ := cheap.Hash("x")
	if ok, _ := h.Verify("x", enc2); !ok {
		t.Fatal("parameters not read from the hash")
	}
	if _, err := h.Verify("x", "$2a$10$bcrypt"); err == nil {
		t.Fatal("a non-argon2 hash verified without error")
	}
}

func TestCommonList(t *testing.T) {
	c := password.NewCommonList()
	if len(c) < 3000 {
		t.Fatalf("list has %d entries; ASVS asks for at least the top 3000", len(c))
	}
	for _, p := range []string{"password", "12345678", "Football", "iloveyou"} {
		if !c.Contains(p) {
			t.Errorf("%q not flagged", p)
		}
	}
	if c.Contains("Blue-Ferns-Rise-42") {
		t.Error("a strong password flagged")
	}
}
