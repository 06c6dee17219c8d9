package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/infra/config"
)

// adminAccounts runs the installation's account commands: installation admins, email domains
// and activation links. It reports whether args named one of them.
func adminAccounts(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) (bool, error) {
	log := newLogger("warn")
	switch args[0] {
	case "grant-installation-admin":
		var email string
		if err := flags(args[0], args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&email, "email", "", "the account to make an installation admin")
		}); err != nil {
			return true, err
		}
		if email == "" {
			return true, errors.New("grant-installation-admin needs --email")
		}
		s, err := build(ctx, cfg, log)
		if err != nil {
			return true, err
		}
		defer s.close()
		u, err := s.orgs.GrantInstallationAdmin(ctx, email)
		if err != nil {
			return true, explain(err)
		}
		fmt.Fprintln(stdout, u.ID())
		return true, nil
	case "assign-domain", "unassign-domain":
		var orgID, domain string
		if err := flags(args[0], args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&orgID, "org", "", "organisation id")
			fs.StringVar(&domain, "domain", "", "email domain, such as acme.com")
		}); err != nil {
			return true, err
		}
		id, err := uuid.Parse(orgID)
		if err != nil || domain == "" {
			return true, fmt.Errorf("%s needs --org ORG_ID (a uuid) and --domain", args[0])
		}
		s, err := build(ctx, cfg, log)
		if err != nil {
			return true, err
		}
		defer s.close()
		if args[0] == "unassign-domain" {
			return true, explain(s.orgs.UnassignDomain(ctx, authz.Shell(), id, domain))
		}
		d, err := s.orgs.AssignDomain(ctx, authz.Shell(), id, domain)
		if err != nil {
			return true, explain(err)
		}
		// The organisation now manages the accounts already in the domain; those it did not
		// make may have passwords someone else knows, which it can reset.
		fmt.Fprintln(stdout, d.Domain.Domain())
		fmt.Fprintf(stdout, "existing accounts now managed by the organisation: %d (created elsewhere: %d)\n", d.Accounts, d.CreatedElsewhere)
		return true, nil
	case "activation-link":
		var orgID, email string
		if err := flags(args[0], args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&orgID, "org", "", "organisation id")
			fs.StringVar(&email, "email", "", "the member whose account to activate")
		}); err != nil {
			return true, err
		}
		id, err := uuid.Parse(orgID)
		if err != nil || email == "" {
			return true, errors.New("activation-link needs --org ORG_ID (a uuid) and --email")
		}
		s, err := build(ctx, cfg, log)
		if err != nil {
			return true, err
		}
		defer s.close()
		l, err := s.orgs.ShellActivationLink(ctx, id, email)
		if err != nil {
			return true, explain(err)
		}
		fmt.Fprintln(stdout, strings.TrimRight(cfg.Server.PublicURL, "/")+"/activate/"+url.PathEscape(l.Token))
		return true, nil
	}
	return false, nil
}
