package identity_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	appidentity "canopy/app/identity"
	"canopy/domain/errs"
	"canopy/domain/identity"
)

type noActivations struct{}

func (noActivations) Replace(context.Context, *identity.ActivationToken) error { return nil }
func (noActivations) GetByHash(context.Context, []byte) (*identity.ActivationToken, error) {
	return nil, errs.NotFoundf("activation")
}
func (noActivations) Consume(context.Context, uuid.UUID, time.Time) error {
	return errs.NotFoundf("activation")
}
func (noActivations) EndForUser(context.Context, uuid.UUID, time.Time) error { return nil }

// TestActivationGuessesAreThrottled: an unknown link counts as a failed attempt of the caller's
// address, and a blocked address is refused before any lookup.
func TestActivationGuessesAreThrottled(t *testing.T) {
	limiter := &fakeLimiter{fails: map[string]int{}, blocked: map[string]time.Duration{}}
	svc, err := appidentity.NewService(appidentity.Config{LoginAddressLimit: 5, LoginWindow: time.Minute},
		appidentity.Deps{Tx: fakeTx{}, Clock: fixedClock{time.Now()}, Hasher: &plainHasher{}, Limiter: limiter, Users: fakeUsers{}, Activations: noActivations{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, guess := range []string{"nope", "", "x"} {
		if _, _, err := svc.Activation(context.Background(), guess, "10.1.1.1"); errs.CodeOf(err) != "activation_invalid" {
			t.Fatalf("%q: %v", guess, err)
		}
	}
	if limiter.fails["activation:address:10.1.1.1"] != 3 {
		t.Fatalf("fails %v", limiter.fails)
	}
	limiter.blocked["activation:address:10.1.1.1"] = time.Minute
	if _, _, err := svc.Activation(context.Background(), "nope", "10.1.1.1"); !errs.Is(err, errs.TooManyRequests) {
		t.Fatalf("blocked: %v", err)
	}
}

// TestActivationGuessesFromOneIPv6ClientShareACount: the addresses of one /64 are one client
// for activation links, as for sign-in, or it could rotate through them past the limit.
func TestActivationGuessesFromOneIPv6ClientShareACount(t *testing.T) {
	limiter := &fakeLimiter{fails: map[string]int{}, blocked: map[string]time.Duration{}}
	svc, err := appidentity.NewService(appidentity.Config{LoginAddressLimit: 3, LoginWindow: time.Minute},
		appidentity.Deps{Tx: fakeTx{}, Clock: fixedClock{time.Now()}, Hasher: &plainHasher{}, Limiter: limiter, Users: fakeUsers{}, Activations: noActivations{}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, _, err := svc.Activation(context.Background(), "nope", fmt.Sprintf("2001:db8:1:2::%x", i)); errs.CodeOf(err) != "activation_invalid" {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, _, err := svc.Activation(context.Background(), "nope", "2001:db8:1:2:ffff::1"); !errs.Is(err, errs.TooManyRequests) {
		t.Fatalf("the fourth guess from the same /64: %v", err)
	}
	if _, _, err := svc.Activation(context.Background(), "nope", "2001:db8:1:3::1"); errs.CodeOf(err) != "activation_invalid" {
		t.Fatalf("another /64: %v", err)
	}
}
