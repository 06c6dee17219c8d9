package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"flag"

	"github.com/google/uuid"

	appidentity "canopy/app/identity"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/infra/config"
)

func admin(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: canopy admin create-org|create-token|demo|backup|restore|verify-files|grant-installation-admin|assign-domain|unassign-domain|activation-link ...")
	}
	log := newLogger("warn")
	switch args[0] {
	case "create-org":
		var name, email, pw, pwFile, ownerName string
		if err := flags("create-org", args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&name, "name", "", "organisation name")
			fs.StringVar(&email, "owner-email", "", "owner's email")
			fs.StringVar(&pwFile, "owner-password-file", "", "a file whose first line is the owner's password (- for standard input)")
			fs.StringVar(&pw, "owner-password", "", "owner's password (other users of the machine can read a command line: prefer --owner-password-file)")
			fs.StringVar(&ownerName, "owner-name", "", "owner's display name (default: from the email)")
		}); err != nil {
			return err
		}
		if name == "" || email == "" {
			return errors.New("create-org needs --name, --owner-email and --owner-password-file (or --owner-password)")
		}
		pw, err := passwordArg("--owner-password", pw, pwFile)
		if err != nil {
			return err
		}
		s, err := build(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer s.close()
		if ownerName == "" {
			ownerName, _, _ = strings.Cut(email, "@")
		}
		o, _, err := s.orgs.Bootstrap(ctx, name, appidentity.RegisterInput{Email: email, DisplayName: ownerName, Password: pw})
		if err != nil {
			return explain(err)
		}
		fmt.Fprintln(stdout, o.ID())
		return nil
	case "create-token":
		var orgID, email, name, scope string
		var days int
		if err := flags("create-token", args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&orgID, "org", "", "organisation id")
			fs.StringVar(&email, "email", "", "the member the token acts as")
			fs.StringVar(&name, "name", "", "a label for the token")
			fs.StringVar(&scope, "scope", identity.ScopeAPI, "api or scim")
			fs.IntVar(&days, "days", 90, "days until it expires (0: never)")
		}); err != nil {
			return err
		}
		id, err := uuid.Parse(orgID)
		if err != nil || email == "" || name == "" {
			return errors.New("create-token needs --org ORG_ID (a uuid), --email and --name")
		}
		if days < 0 || days > 3650 {
			return errors.New("--days must be between 0 and 3650")
		}
		s, err := build(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer s.close()
		u, err := s.identity.FindUserByEmail(ctx, email)
		if err != nil {
			return explain(err)
		}
		// The same rule as the API: only an active member of the organisation gets a token.
		if _, err := s.orgs.ResolveActor(ctx, appidentity.Principal{UserID: u.ID(), Method: appidentity.MethodSession}, id); err != nil {
			return fmt.Errorf("%s is not an active member of organisation %s", email, id)
		}
		_, secret, err := s.identity.CreateToken(ctx, appidentity.CreateTokenInput{
			OrgID: id, UserID: u.ID(), Name: name, Scopes: []string{scope}, TTL: time.Duration(days) * 24 * time.Hour,
			CredentialVersion: u.CredentialVersion(),
		})
		if err != nil {
			return explain(err)
		}
		fmt.Fprintln(stdout, secret)
		return nil
	case "demo":
		var email, pw, pwFile string
		if err := flags("demo", args[1:], func(fs *flag.FlagSet) {
			fs.StringVar(&email, "email", "", "the demo owner's email")
			fs.StringVar(&pwFile, "password-file", "", "a file whose first line is the demo owner's password (- for standard input)")
			fs.StringVar(&pw, "password", "", "the demo owner's password (prefer --password-file)")
		}); err != nil {
			return err
		}
		if email == "" {
			return errors.New("demo needs --email and --password-file (or --password)")
		}
		pw, err := passwordArg("--password", pw, pwFile)
		if err != nil {
			return err
		}
		s, err := build(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer s.close()
		orgID, err := ensureDemo(ctx, s, email, pw)
		if err != nil {
			return explain(err)
		}
		fmt.Fprintln(stdout, orgID)
		return nil
	case "backup":
		return adminBackup(ctx, cfg, args[1:], stdout)
	case "restore":
		return adminRestore(ctx, cfg, args[1:], stdout)
	case "verify-files":
		return adminVerifyFiles(ctx, cfg, args[1:], stdout)
	}
	if ok, err := adminAccounts(ctx, cfg, args, stdout); ok {
		return err
	}
	return fmt.Errorf("unknown admin command %q", args[0])
}

// stdin is what a password file named "-" reads (a test sets it).
var stdin io.Reader = os.Stdin

// passwordArg returns the password given on the command line (flag, its name) or, better, read
// from the first line of file ("-": standard input), where other users of the machine cannot
// read it in the process list; exactly one of the two must be given.
func passwordArg(name, value, file string) (string, error) {
	switch {
	case value != "" && file != "":
		return "", fmt.Errorf("give %s or %s-file, not both", name, name)
	case value != "":
		return value, nil
	case file == "":
		return "", fmt.Errorf("%s-file is missing", name)
	}
	r := stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("%s-file: %w", name, err)
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, passwordMax+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%s-file: %w", name, err)
	}
	line = strings.TrimRight(line, "\r\n")
	switch {
	case line == "":
		return "", fmt.Errorf("%s-file %s: its first line is empty", name, file)
	case len(line) > passwordMax:
		return "", fmt.Errorf("%s-file %s: its first line is longer than %d bytes", name, file, passwordMax)
	}
	return line, nil
}

// passwordMax bounds a password read from a file (the identity rules bound it far lower).
const passwordMax = 4096

// ensureDemo makes the demo owner, an installation admin, and the demo organisation once, and
// on later runs only resets the owner's password to the one given, so `make run` can print a
// login that works.
func ensureDemo(ctx context.Context, s *stack, email, pw string) (uuid.UUID, error) {
	orgID, err := ensureDemoOrg(ctx, s, email, pw)
	if err != nil {
		return uuid.Nil, err
	}
	if _, err := s.orgs.GrantInstallationAdmin(ctx, email); err != nil {
		return uuid.Nil, err
	}
	return orgID, nil
}

func ensureDemoOrg(ctx context.Context, s *stack, email, pw string) (uuid.UUID, error) {
	u, err := s.identity.FindUserByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) {
		o, _, err := s.orgs.Bootstrap(ctx, "Demo Company", appidentity.RegisterInput{Email: email, DisplayName: "Demo Owner", Password: pw})
		if err != nil {
			return uuid.Nil, err
		}
		return o.ID(), nil
	}
	if err != nil {
		return uuid.Nil, err
	}
	if err := s.identity.SetPassword(ctx, u.ID(), pw); err != nil {
		return uuid.Nil, err
	}
	orgs, err := s.orgs.MyOrgs(ctx, appidentity.Principal{UserID: u.ID(), Method: appidentity.MethodSession})
	if err != nil {
		return uuid.Nil, err
	}
	for _, m := range orgs {
		if m.Role == "owner" {
			return m.OrgID, nil
		}
	}
	o, _, err := s.orgs.Bootstrap(ctx, "Demo Company", appidentity.RegisterInput{Email: email})
	if err != nil {
		return uuid.Nil, err
	}
	return o.ID(), nil
}

// explain turns a classified error into its safe message for the shell.
func explain(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Kind != errs.Internal {
		return errors.New(e.Message)
	}
	return err
}
