package files

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/files"
)

// PasswordHasher hashes link passwords (argon2id) and checks them.
type PasswordHasher interface {
	// Hash returns the encoded hash of a password.
	Hash(password string) (string, error)
	// Verify reports whether password matches the encoded hash.
	Verify(password, encoded string) (bool, error)
}

// AttemptLimiter counts attempts per key within a fixed window, shared by every replica (the
// one sign-in uses).
type AttemptLimiter interface {
	// Take reserves one attempt for key before it is made: zero when it is within limit in the
	// window, otherwise how long to wait (and the attempt is not counted). Atomic, so
	// concurrent attempts cannot pass the limit together.
	Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error)
	// Refund gives back an attempt that was not a failure after all.
	Refund(ctx context.Context, key string) error
}

// SharingConfig holds the limits of share links.
type SharingConfig struct {
	// UnlockAddressLimit wrong link passwords per client address (its /64 for IPv6) and
	// UnlockLinkLimit per link, from anywhere, are allowed within UnlockWindow; past either the
	// caller gets TooManyRequests. The limit per link bounds a guesser with many addresses; its
	// cost is that one can hold a link shut for a window, which its owner answers with a new link.
	UnlockAddressLimit int
	UnlockLinkLimit    int
	UnlockWindow       time.Duration
	// GrantTTL is how long an unlock lasts (never past the link's own expiry).
	GrantTTL time.Duration
	// MaxFolderEntries bounds the files a folder link lists.
	MaxFolderEntries int
}

// DefaultSharingConfig is the configuration unless set otherwise.
var DefaultSharingConfig = SharingConfig{UnlockAddressLimit: 10, UnlockLinkLimit: 30, UnlockWindow: 15 * time.Minute,
	GrantTTL: time.Hour, MaxFolderEntries: 1000}

// SharingDeps are what sharing needs beside the service's other adapters.
type SharingDeps struct {
	Shares  files.ShareRepository
	Links   files.LinkRepository
	Hasher  PasswordHasher
	Limiter AttemptLimiter
	Config  SharingConfig // zero fields take DefaultSharingConfig's
}

func (d SharingDeps) withDefaults() SharingDeps {
	c, def := &d.Config, DefaultSharingConfig
	if c.UnlockAddressLimit <= 0 {
		c.UnlockAddressLimit = def.UnlockAddressLimit
	}
	if c.UnlockLinkLimit <= 0 {
		c.UnlockLinkLimit = def.UnlockLinkLimit
	}
	if c.UnlockWindow <= 0 {
		c.UnlockWindow = def.UnlockWindow
	}
	if c.GrantTTL <= 0 {
		c.GrantTTL = def.GrantTTL
	}
	if c.MaxFolderEntries <= 0 {
		c.MaxFolderEntries = def.MaxFolderEntries
	}
	return d
}

// shareLevels is the Shares port on the share repository.
type shareLevels struct{ repo files.ShareRepository }

// NewShareLevels returns the Shares port that the access checks ask, reading the shares.
func NewShareLevels(repo files.ShareRepository) Shares { return shareLevels{repo} }

// Level implements Shares: the strongest role of the shares of the file or of any folder on its
// path with the user, one of their groups, or one of their departments or any above them (a
// department's share reaches its whole subtree).
func (l shareLevels) Level(ctx context.Context, orgID uuid.UUID, p Principals, fileID uuid.UUID, folderIDs []uuid.UUID) (Level, error) {
	targets := make([]files.Target, 0, len(folderIDs)+1)
	if fileID != uuid.Nil {
		targets = append(targets, files.Target{Type: files.TargetFile, ID: fileID})
	}
	for _, id := range folderIDs {
		targets = append(targets, files.Target{Type: files.TargetFolder, ID: id})
	}
	if len(targets) == 0 {
		return LevelNone, nil
	}
	role, ok, err := l.repo.Strongest(ctx, orgID, principalsOf(p), targets)
	if err != nil || !ok {
		return LevelNone, err
	}
	return roleLevel(role), nil
}

// principalsOf lists who the user is for shares.
func principalsOf(p Principals) []files.Principal {
	out := make([]files.Principal, 0, 1+len(p.Groups)+len(p.Departments))
	out = append(out, files.Principal{Type: files.PrincipalUser, ID: p.UserID})
	for _, g := range p.Groups {
		out = append(out, files.Principal{Type: files.PrincipalGroup, ID: g})
	}
	for _, d := range p.Departments {
		out = append(out, files.Principal{Type: files.PrincipalDepartment, ID: d.ID})
	}
	return out
}

func roleLevel(r files.Role) Level {
	if r == files.RoleEditor {
		return LevelWrite
	}
	return LevelRead
}

// targetPlace reads a shared file or folder of the actor's organisation and their place at it;
// NotFound when it is not there, is in the trash, or they may not read it.
func (s *Service) targetPlace(ctx context.Context, a authz.Actor, t files.Target) (place, error) {
	if err := t.Check(); err != nil {
		return place{}, err
	}
	if t.Type == files.TargetFile {
		_, pl, err := s.filePlace(ctx, a, t.ID)
		return pl, err
	}
	_, pl, err := s.folderPlace(ctx, a, t.ID)
	return pl, err
}

// requireShare is Forbidden unless the actor holds files.share where the place's space is.
func (s *Service) requireShare(ctx context.Context, a authz.Actor, pl place) error {
	scope, err := s.scopeOf(ctx, pl.space)
	if err != nil {
		return err
	}
	return authz.Require(ctx, s.authz, a, access.FilesShare, scope)
}

// mayRevoke is nil when the actor may end a share or link made by createdBy on t: its maker,
// or someone who manages the place. Someone who cannot see t gets NotFound naming what.
func (s *Service) mayRevoke(ctx context.Context, a authz.Actor, t files.Target, createdBy uuid.UUID, what string) error {
	if createdBy == a.UserID {
		return nil
	}
	pl, err := s.targetPlace(ctx, a, t)
	if errs.Is(err, errs.NotFound) {
		return errs.NotFoundf(what)
	}
	if err != nil {
		return err
	}
	if pl.level < LevelManage {
		return errs.E(errs.Forbidden, "forbidden", "only who made the "+what+", or who manages the space, may remove it")
	}
	return nil
}

// ShareInput asks to share a file or folder with a principal.
type ShareInput struct {
	Target    files.Target
	Principal files.Principal
	Role      files.Role
}

// ShareView is a share with the name of whom it is with.
type ShareView struct {
	Share         *files.Share
	PrincipalName string
}

// Share shares a file or folder the actor may read with a member, a group or a department
// (its subtree). It needs files.share where the file is; sharing as editor needs the actor to be
// able to write it, since nobody grants what they do not hold (Forbidden cannot_grant). A
// principal not of the organisation is NotFound. Sharing again with the same principal changes
// the role of the share there, which only its maker or whoever manages the space may do
// (Forbidden otherwise). Audited.
func (s *Service) Share(ctx context.Context, a authz.Actor, in ShareInput) (ShareView, error) {
	if err := in.Target.Check(); err != nil {
		return ShareView{}, err
	}
	if err := in.Principal.Check(); err != nil {
		return ShareView{}, err
	}
	if _, err := files.ParseRole(string(in.Role)); err != nil {
		return ShareView{}, err
	}
	pl, err := s.targetPlace(ctx, a, in.Target)
	if err != nil {
		return ShareView{}, err
	}
	if err := s.requireShare(ctx, a, pl); err != nil {
		return ShareView{}, err
	}
	if in.Role == files.RoleEditor && pl.level < LevelWrite {
		return ShareView{}, errs.E(errs.Forbidden, "cannot_grant", "you may only view this, so you may share it only as viewer")
	}
	name, err := s.principalName(ctx, a, in.Principal)
	if err != nil {
		return ShareView{}, err
	}
	existing, err := s.sharing.Shares.OfTarget(ctx, a.OrgID, in.Target)
	if err != nil {
		return ShareView{}, err
	}
	for _, sh := range existing {
		if sh.Principal() == in.Principal {
			return s.changeRole(ctx, a, sh, in.Role, name)
		}
	}
	sh, err := files.NewShare(a.OrgID, in.Target, in.Principal, in.Role, a.UserID, s.now())
	if err != nil {
		return ShareView{}, err
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.sharing.Shares.Create(ctx, sh); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.publishShared(ctx, a, pl, sh); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("files.share", string(in.Target.Type), in.Target.ID.String(), nil, shareAudit(sh)), nil
	})
	if err != nil {
		return ShareView{}, err
	}
	return ShareView{Share: sh, PrincipalName: name}, nil
}

// changeRole gives an existing share a new role.
func (s *Service) changeRole(ctx context.Context, a authz.Actor, sh *files.Share, role files.Role, name string) (ShareView, error) {
	if err := s.mayRevoke(ctx, a, sh.Target(), sh.CreatedBy(), "share"); err != nil {
		if errs.Is(err, errs.Forbidden) {
			return ShareView{}, errs.E(errs.Forbidden, "forbidden", "it is already shared with them by someone else; only they, or who manages the space, may change the role")
		}
		return ShareView{}, err
	}
	if sh.Role() == role {
		return ShareView{Share: sh, PrincipalName: name}, nil
	}
	before := shareAudit(sh)
	if err := sh.SetRole(role); err != nil {
		return ShareView{}, err
	}
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.sharing.Shares.UpdateRole(ctx, sh); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("files.share", string(sh.Target().Type), sh.Target().ID.String(), before, shareAudit(sh)), nil
	})
	if err != nil {
		return ShareView{}, err
	}
	return ShareView{Share: sh, PrincipalName: name}, nil
}

func shareAudit(sh *files.Share) map[string]any {
	return map[string]any{"share_id": sh.ID(), "principal_type": sh.Principal().Type, "principal_id": sh.Principal().ID, "role": sh.Role()}
}

// principalName names a principal of the actor's organisation; NotFound when it has none.
func (s *Service) principalName(ctx context.Context, a authz.Actor, p files.Principal) (string, error) {
	switch p.Type {
	case files.PrincipalUser:
		return s.directory.UserName(ctx, a.OrgID, p.ID)
	case files.PrincipalGroup:
		name, _, err := s.directory.Group(ctx, a.OrgID, p.ID, a.UserID)
		return name, err
	default:
		d, err := s.directory.Department(ctx, a.OrgID, p.ID)
		return d.Name, err
	}
}

// Shares lists the shares of a file or folder the actor may read.
func (s *Service) Shares(ctx context.Context, a authz.Actor, t files.Target) ([]ShareView, error) {
	if _, err := s.targetPlace(ctx, a, t); err != nil {
		return nil, err
	}
	shs, err := s.sharing.Shares.OfTarget(ctx, a.OrgID, t)
	if err != nil {
		return nil, err
	}
	out := make([]ShareView, 0, len(shs))
	for _, sh := range shs {
		name, err := s.principalName(ctx, a, sh.Principal())
		if err != nil && !errs.Is(err, errs.NotFound) {
			return nil, err
		}
		out = append(out, ShareView{Share: sh, PrincipalName: name})
	}
	return out, nil
}

// Unshare removes a share: its maker may, and so may whoever manages the space it is in.
// Audited.
func (s *Service) Unshare(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	sh, err := s.sharing.Shares.Get(ctx, a.OrgID, id)
	if err != nil {
		return err
	}
	if err := s.mayRevoke(ctx, a, sh.Target(), sh.CreatedBy(), "share"); err != nil {
		return err
	}
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.sharing.Shares.Delete(ctx, sh); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("files.unshare", string(sh.Target().Type), sh.Target().ID.String(), shareAudit(sh), nil), nil
	})
}

// SharedWithMe returns a page of what is shared with the actor, their groups or their
// departments: only the top of each shared tree (a file or folder inside a folder shared with
// them is reached through it), newest share first, leaving out what is in the trash and what
// they may not read after all.
func (s *Service) SharedWithMe(ctx context.Context, a authz.Actor, limit, offset int) ([]Entry, int, error) {
	p, err := s.directory.Principals(ctx, a.OrgID, a.UserID)
	if err != nil {
		return nil, 0, err
	}
	shs, err := s.sharing.Shares.With(ctx, a.OrgID, principalsOf(p))
	if err != nil {
		return nil, 0, err
	}
	slices.SortStableFunc(shs, func(x, y *files.Share) int { return y.CreatedAt().Compare(x.CreatedAt()) })

	type item struct {
		target files.Target
		file   *files.File
		folder *files.Folder // the folder shared, or the folder the shared file is in
	}
	var items []item
	seen := map[uuid.UUID]bool{}
	var sharedFolders []*files.Folder
	for _, sh := range shs {
		t := sh.Target()
		if seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		it := item{target: t}
		if t.Type == files.TargetFolder {
			if it.folder, err = s.folders.Get(ctx, a.OrgID, t.ID); err != nil {
				if errs.Is(err, errs.NotFound) {
					continue
				}
				return nil, 0, err
			}
			sharedFolders = append(sharedFolders, it.folder)
		} else {
			if it.file, err = s.files.Get(ctx, a.OrgID, t.ID); err != nil {
				if errs.Is(err, errs.NotFound) {
					continue
				}
				return nil, 0, err
			}
			if it.file.Trashed() {
				continue
			}
			if it.file.FolderID() != uuid.Nil {
				if it.folder, err = s.folders.Get(ctx, a.OrgID, it.file.FolderID()); err != nil {
					return nil, 0, err
				}
			}
		}
		items = append(items, it)
	}
	// under reports whether a folder lies in (or is) a shared folder other than self.
	under := func(f *files.Folder, self uuid.UUID) bool {
		for _, sf := range sharedFolders {
			if f != nil && sf.ID() != self && strings.HasPrefix(f.Path(), sf.Path()) {
				return true
			}
		}
		return false
	}
	var out []Entry
	var fileIDs []uuid.UUID
	for _, it := range items {
		self := uuid.Nil
		if it.target.Type == files.TargetFolder {
			self = it.folder.ID()
		}
		if under(it.folder, self) {
			continue
		}
		sp, err := s.space(ctx, a, spaceOf(it.file, it.folder))
		if err != nil {
			return nil, 0, err
		}
		fileID := uuid.Nil
		if it.file != nil {
			fileID = it.file.ID()
		}
		if _, err := s.where(ctx, a, sp, it.folder, fileID); err != nil {
			if errs.Is(err, errs.NotFound) {
				continue
			}
			return nil, 0, err
		}
		if it.file != nil {
			out = append(out, Entry{File: &FileView{File: it.file}})
			fileIDs = append(fileIDs, it.file.ID())
		} else {
			out = append(out, Entry{Folder: it.folder})
		}
	}
	total := len(out)
	out = out[min(offset, total):min(offset+limit, total)]
	var ids []uuid.UUID
	for _, e := range out {
		if e.File != nil {
			ids = append(ids, e.File.File.ID())
		}
	}
	if len(ids) > 0 {
		views, err := s.store.FileViews(ctx, a.OrgID, ids)
		if err != nil {
			return nil, 0, err
		}
		byID := make(map[uuid.UUID]FileView, len(views))
		for _, v := range views {
			byID[v.File.ID()] = v
		}
		for i, e := range out {
			if e.File != nil {
				if v, ok := byID[e.File.File.ID()]; ok {
					out[i].File = &v
				}
			}
		}
	}
	return out, total, nil
}

func spaceOf(f *files.File, folder *files.Folder) uuid.UUID {
	if f != nil {
		return f.SpaceID()
	}
	return folder.SpaceID()
}

// linkPolicy is the sharing policy that applies in a space: the strictest of the
// organisation's, the space's own and, for a department's space, those of the spaces of the
// departments above it.
func (s *Service) linkPolicy(ctx context.Context, sp *files.Space) (files.Policy, error) {
	org, err := s.store.Settings(ctx, sp.OrgID())
	if err != nil {
		return files.Policy{}, err
	}
	policies := []files.Policy{{LinksAllowed: org.LinksAllowed, MaxLinkExpiry: days(org.MaxLinkExpiryDays), PasswordRequired: org.LinkPasswordRequired}}
	spaces := []*files.Space{sp}
	if sp.Kind() == files.KindDepartment {
		d, err := s.directory.Department(ctx, sp.OrgID(), sp.OwnerID())
		if err != nil && !errs.Is(err, errs.NotFound) {
			return files.Policy{}, err
		}
		for _, id := range folderPathIDs(d.Path) {
			if id == sp.OwnerID() {
				continue
			}
			if up, err := s.spaces.ByOwner(ctx, sp.OrgID(), files.KindDepartment, id); err == nil {
				spaces = append(spaces, up)
			} else if !errs.Is(err, errs.NotFound) {
				return files.Policy{}, err
			}
		}
	}
	for _, x := range spaces {
		set, err := s.store.SpaceSettings(ctx, x.OrgID(), x.ID())
		if err != nil {
			return files.Policy{}, err
		}
		policies = append(policies, files.Policy{LinksAllowed: set.LinksAllowed == nil || *set.LinksAllowed,
			MaxLinkExpiry: days(set.MaxLinkExpiryDays), PasswordRequired: set.LinkPasswordRequired})
	}
	return files.Strictest(policies...), nil
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// Link password lengths, in characters.
const (
	MinLinkPassword = 4
	MaxLinkPassword = 256
)

// LinkInput asks for a share link. A zero ExpiresAt is none, MaxDownloads 0 no limit, an empty
// Password none.
type LinkInput struct {
	Target       files.Target
	Password     string
	ExpiresAt    time.Time
	MaxDownloads int
}

// NewLinkView is a link just made, with its token, which is never shown again.
type NewLinkView struct {
	Link  *files.Link
	Token string
}

// CreateLink makes a share link to a file or folder the actor may read, with files.share where
// it is, within the sharing policy that applies there (Forbidden links_not_allowed, or Invalid
// naming the expiry or the password it requires). The password is kept as an argon2id hash
// and the token only as its SHA-256. Audited.
func (s *Service) CreateLink(ctx context.Context, a authz.Actor, in LinkInput) (NewLinkView, error) {
	pl, err := s.targetPlace(ctx, a, in.Target)
	if err != nil {
		return NewLinkView{}, err
	}
	if err := s.requireShare(ctx, a, pl); err != nil {
		return NewLinkView{}, err
	}
	if n := utf8.RuneCountInString(in.Password); in.Password != "" && (n < MinLinkPassword || n > MaxLinkPassword) {
		return NewLinkView{}, errs.E(errs.Invalid, "invalid_link", "password: must be 4 to 256 characters")
	}
	policy, err := s.linkPolicy(ctx, pl.space)
	if err != nil {
		return NewLinkView{}, err
	}
	terms, err := files.NewLinkTerms(in.ExpiresAt, in.MaxDownloads, in.Password != "", policy, s.now())
	if err != nil {
		return NewLinkView{}, err
	}
	hash := ""
	if in.Password != "" {
		if hash, err = s.sharing.Hasher.Hash(in.Password); err != nil {
			return NewLinkView{}, err
		}
	}
	l, token, err := files.NewLink(a.OrgID, in.Target, terms, hash, a.UserID, s.now())
	if err != nil {
		return NewLinkView{}, err
	}
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.sharing.Links.Create(ctx, l); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("files.link_create", string(in.Target.Type), in.Target.ID.String(), nil, linkAudit(l)), nil
	})
	if err != nil {
		return NewLinkView{}, err
	}
	return NewLinkView{Link: l, Token: token}, nil
}

func linkAudit(l *files.Link) map[string]any {
	m := map[string]any{"link_id": l.ID(), "password_required": l.Terms().PasswordRequired(), "max_downloads": l.Terms().MaxDownloads()}
	if !l.Terms().ExpiresAt().IsZero() {
		m["expires_at"] = l.Terms().ExpiresAt()
	}
	return m
}

// LinkView is a link with its state now.
type LinkView struct {
	Link  *files.Link
	State files.LinkState
}

// Links lists the links of a file or folder the actor may read, newest first. Their tokens are
// not kept, so none is shown.
func (s *Service) Links(ctx context.Context, a authz.Actor, t files.Target) ([]LinkView, error) {
	if _, err := s.targetPlace(ctx, a, t); err != nil {
		return nil, err
	}
	ls, err := s.sharing.Links.OfTarget(ctx, a.OrgID, t)
	if err != nil {
		return nil, err
	}
	out := make([]LinkView, len(ls))
	for i, l := range ls {
		out[i] = LinkView{Link: l, State: l.State(s.now())}
	}
	return out, nil
}

// RevokeLink ends a link at once: its maker may, and so may whoever manages the space. Revoking
// a revoked link changes nothing. Audited.
func (s *Service) RevokeLink(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	l, err := s.sharing.Links.Get(ctx, a.OrgID, id)
	if err != nil {
		return err
	}
	if err := s.mayRevoke(ctx, a, l.Target(), l.CreatedBy(), "link"); err != nil {
		return err
	}
	if !l.RevokedAt().IsZero() {
		return nil
	}
	l.Revoke(s.now())
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.sharing.Links.Revoke(ctx, l); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("files.link_revoke", string(l.Target().Type), l.Target().ID.String(), linkAudit(l), map[string]any{"revoked_at": l.RevokedAt()}), nil
	})
}

// Visit is a request of the public to a link: its token, the unlock grant their browser holds
// for it ("" for none), and their address.
type Visit struct {
	Token string
	Grant string
	IP    string
}

// PublicLink is what the public sees of a link. Until a password link is unlocked, only that it
// needs one.
type PublicLink struct {
	Link     *files.Link
	Unlocked bool
	File     *FileView     // a file link's file, once unlocked
	Folder   *files.Folder // a folder link's folder, once unlocked
	Entries  []LinkEntry   // the files under a folder link's folder, once unlocked
	// Truncated says that the folder holds more files than Entries lists.
	Truncated bool
}

// LinkEntry is a file under a folder link's folder, with the path of folders between them.
type LinkEntry struct {
	File FileView
	Path []string // folder names from below the link's folder down to the file's
}

// openLink finds a usable link by its token: ErrLinkUnavailable for an unknown token, and for a
// link expired, revoked or used up, so that no answer tells them apart.
func (s *Service) openLink(ctx context.Context, token string) (*files.Link, error) {
	if token == "" || len(token) > 128 {
		return nil, files.ErrLinkUnavailable()
	}
	l, err := s.sharing.Links.ByTokenHash(ctx, files.HashSecret(token))
	if err != nil {
		return nil, err
	}
	if err := l.Check(s.now()); err != nil {
		return nil, err
	}
	return l, nil
}

// unlocked reports whether the visit may see the link: it has no password, or the visit holds
// a live grant of it.
func (s *Service) unlocked(ctx context.Context, l *files.Link, grant string) (bool, error) {
	if !l.Terms().PasswordRequired() {
		return true, nil
	}
	if grant == "" {
		return false, nil
	}
	return s.sharing.Links.HasGrant(ctx, l, files.HashSecret(grant), s.now())
}

// linkFolder reads the folder of a folder link; a folder gone is ErrLinkUnavailable.
func (s *Service) linkFolder(ctx context.Context, l *files.Link) (*files.Folder, error) {
	f, err := s.folders.Get(ctx, l.OrgID(), l.Target().ID)
	if errs.Is(err, errs.NotFound) {
		return nil, files.ErrLinkUnavailable()
	}
	return f, err
}

// linkFile reads the file of a file link; a file gone or in the trash is ErrLinkUnavailable.
func (s *Service) linkFile(ctx context.Context, l *files.Link) (*files.File, error) {
	f, err := s.files.Get(ctx, l.OrgID(), l.Target().ID)
	if errs.Is(err, errs.NotFound) || (err == nil && f.Trashed()) {
		return nil, files.ErrLinkUnavailable()
	}
	return f, err
}

// LinkInfo tells the public what a link opens: for a file, the file; for a folder, the files
// under it. A password link that the visit has not unlocked shows nothing but that.
func (s *Service) LinkInfo(ctx context.Context, v Visit) (PublicLink, error) {
	l, err := s.openLink(ctx, v.Token)
	if err != nil {
		return PublicLink{}, err
	}
	out := PublicLink{Link: l}
	if out.Unlocked, err = s.unlocked(ctx, l, v.Grant); err != nil || !out.Unlocked {
		return out, err
	}
	if l.Target().Type == files.TargetFile {
		f, err := s.linkFile(ctx, l)
		if err != nil {
			return PublicLink{}, err
		}
		fv, err := s.fileView(ctx, l.OrgID(), f.ID())
		if err != nil {
			return PublicLink{}, err
		}
		out.File = &fv
		return out, nil
	}
	folder, err := s.linkFolder(ctx, l)
	if err != nil {
		return PublicLink{}, err
	}
	out.Folder = folder
	out.Entries, out.Truncated, err = s.linkEntries(ctx, folder)
	return out, err
}

// linkEntries lists the live files of a folder's subtree with the path to each, by path then
// name, at most MaxFolderEntries of them.
func (s *Service) linkEntries(ctx context.Context, folder *files.Folder) ([]LinkEntry, bool, error) {
	under, err := s.store.FilesUnder(ctx, folder.OrgID(), folder.SpaceID(), folder)
	if err != nil {
		return nil, false, err
	}
	subtree, err := s.folders.Subtree(ctx, folder)
	if err != nil {
		return nil, false, err
	}
	names := make(map[uuid.UUID]string, len(subtree))
	paths := make(map[uuid.UUID]string, len(subtree))
	for _, f := range subtree {
		names[f.ID()], paths[f.ID()] = f.Name(), f.Path()
	}
	type found struct {
		id   uuid.UUID
		path []string
	}
	list := make([]found, 0, len(under))
	for _, fw := range under {
		var path []string
		for _, id := range folderPathIDs(strings.TrimPrefix(paths[fw.File.FolderID()], folder.Path())) {
			path = append(path, names[id])
		}
		list = append(list, found{fw.File.ID(), append(path, fw.File.Name())})
	}
	slices.SortFunc(list, func(x, y found) int { return slices.Compare(x.path, y.path) })
	truncated := len(list) > s.sharing.Config.MaxFolderEntries
	list = list[:min(len(list), s.sharing.Config.MaxFolderEntries)]
	ids := make([]uuid.UUID, len(list))
	for i, f := range list {
		ids[i] = f.id
	}
	views, err := s.store.FileViews(ctx, folder.OrgID(), ids)
	if err != nil {
		return nil, false, err
	}
	byID := make(map[uuid.UUID]FileView, len(views))
	for _, v := range views {
		byID[v.File.ID()] = v
	}
	out := make([]LinkEntry, 0, len(list))
	for _, f := range list {
		if v, ok := byID[f.id]; ok {
			out = append(out, LinkEntry{File: v, Path: f.path[:len(f.path)-1]})
		}
	}
	return out, truncated, nil
}

// Grant is an unlock of a password link: a secret for the visitor's browser, valid until
// ExpiresAt.
type Grant struct {
	Secret    string
	ExpiresAt time.Time
}

// Unlock checks a link's password and returns a grant to see it (none for a link without a
// password, which needs none). Every attempt is reserved with
// the limiter before the password is checked, per client address and per link, so parallel
// guesses cannot pass either limit; past one it is TooManyRequests with the time to wait. A wrong
// password is Forbidden wrong_password; a right one gives its reservations back, so that only
// failures count.
func (s *Service) Unlock(ctx context.Context, v Visit, password string) (Grant, error) {
	l, err := s.openLink(ctx, v.Token)
	if err != nil {
		return Grant{}, err
	}
	if !l.Terms().PasswordRequired() {
		// Nothing to unlock: no grant is stored, so that no one fills the table by asking.
		return Grant{}, nil
	}
	if err := s.checkLinkPassword(ctx, l, v.IP, password); err != nil {
		return Grant{}, err
	}
	now := s.now()
	g := Grant{ExpiresAt: now.Add(s.sharing.Config.GrantTTL)}
	if exp := l.Terms().ExpiresAt(); !exp.IsZero() && exp.Before(g.ExpiresAt) {
		g.ExpiresAt = exp
	}
	secret, hash := files.NewSecret(32)
	if err := s.sharing.Links.AddGrant(ctx, l, hash, g.ExpiresAt); err != nil {
		return Grant{}, err
	}
	g.Secret = secret
	return g, nil
}

func (s *Service) checkLinkPassword(ctx context.Context, l *files.Link, ip, password string) error {
	cfg := s.sharing.Config
	addrKey, linkKey := "link-unlock:address:"+addressKey(ip), "link-unlock:link:"+l.ID().String()
	wait, err := s.sharing.Limiter.Take(ctx, addrKey, cfg.UnlockAddressLimit, cfg.UnlockWindow)
	if err != nil {
		return err
	}
	if wait > 0 {
		return tooMany(wait)
	}
	wait, err = s.sharing.Limiter.Take(ctx, linkKey, cfg.UnlockLinkLimit, cfg.UnlockWindow)
	if err != nil {
		return err
	}
	if wait > 0 {
		// No password is checked, so the address's reservation is given back.
		if err := s.sharing.Limiter.Refund(ctx, addrKey); err != nil {
			return err
		}
		return tooMany(wait)
	}
	ok := false
	if len(password) <= 4*MaxLinkPassword {
		if ok, err = s.sharing.Hasher.Verify(password, l.PasswordHash()); err != nil {
			return err
		}
	}
	if !ok {
		return errs.E(errs.Forbidden, "wrong_password", "the password is wrong")
	}
	if err := s.sharing.Limiter.Refund(ctx, linkKey); err != nil {
		return err
	}
	return s.sharing.Limiter.Refund(ctx, addrKey)
}

// addressKey is the part of a limiter key that names the client: the address itself, or for
// IPv6 its /64, which one client usually holds whole.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Unmap().Is4() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// tooMany is the refusal of an attempt past a limit, saying how long to wait.
func tooMany(wait time.Duration) error {
	e := errs.E(errs.TooManyRequests, "too_many_attempts", "too many wrong passwords; try again later")
	e.RetryAfter = wait
	return e
}

// LinkContent opens the current version of a link's file, or of fileID under a folder link's
// folder, for the public. Every other id is NotFound, as is a link that is expired, revoked or
// used up (ErrLinkUnavailable); a password link not unlocked by the visit is Forbidden
// link_locked. When count is set (a download from the first byte) it counts one download,
// refused once the link's limit is reached, in one statement with the check.
func (s *Service) LinkContent(ctx context.Context, v Visit, fileID uuid.UUID, count bool) (Content, error) {
	l, err := s.openLink(ctx, v.Token)
	if err != nil {
		return Content{}, err
	}
	ok, err := s.unlocked(ctx, l, v.Grant)
	if err != nil {
		return Content{}, err
	}
	if !ok {
		return Content{}, errs.E(errs.Forbidden, "link_locked", "this link needs its password")
	}
	var f *files.File
	if l.Target().Type == files.TargetFile {
		if fileID != uuid.Nil && fileID != l.Target().ID {
			return Content{}, errs.NotFoundf("file")
		}
		if f, err = s.linkFile(ctx, l); err != nil {
			return Content{}, err
		}
	} else if f, err = s.fileUnderLink(ctx, l, fileID); err != nil {
		return Content{}, err
	}
	c, err := s.openVersion(ctx, f, 0)
	if err != nil {
		return Content{}, err
	}
	// A link limited to some downloads counts every request for its content, ranges too: a
	// range that does not start at 0 could otherwise fetch the whole file uncounted, less its
	// first byte. Unlimited links count only what starts a download.
	if count || l.Terms().MaxDownloads() > 0 {
		if err := s.sharing.Links.TakeDownload(ctx, l, s.now()); err != nil {
			_ = c.Object.Close()
			return Content{}, err
		}
	}
	return c, nil
}

// fileUnderLink reads a live file of the link's organisation that lies under the folder link's
// folder; any other is NotFound.
func (s *Service) fileUnderLink(ctx context.Context, l *files.Link, fileID uuid.UUID) (*files.File, error) {
	folder, err := s.linkFolder(ctx, l)
	if err != nil {
		return nil, err
	}
	if fileID == uuid.Nil {
		return nil, errs.NotFoundf("file")
	}
	f, err := s.files.Get(ctx, l.OrgID(), fileID)
	if err != nil {
		return nil, err
	}
	if f.Trashed() || f.FolderID() == uuid.Nil || f.SpaceID() != folder.SpaceID() {
		return nil, errs.NotFoundf("file")
	}
	in, err := s.folders.Get(ctx, l.OrgID(), f.FolderID())
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(in.Path(), folder.Path()) {
		return nil, errs.NotFoundf("file")
	}
	return f, nil
}

// publishShared tells the people a share reaches, in the share's transaction: the user, the
// group's members or the department subtree's members (never the sharer themselves, whom the
// notifications leave out).
func (s *Service) publishShared(ctx context.Context, a authz.Actor, pl place, sh *files.Share) error {
	if s.events == nil {
		return nil
	}
	p := sh.Principal()
	var aud appevents.Audience
	switch p.Type {
	case files.PrincipalUser:
		aud.Users = []uuid.UUID{p.ID}
	case files.PrincipalGroup:
		aud.Groups = []uuid.UUID{p.ID}
	case files.PrincipalDepartment:
		aud.Departments = []uuid.UUID{p.ID}
	}
	name := ""
	if pl.folder != nil && sh.Target().Type == files.TargetFolder {
		name = pl.folder.Name()
	} else if f, err := s.files.Get(ctx, a.OrgID, sh.Target().ID); err == nil {
		name = f.Name()
	}
	sharer, err := s.directory.UserName(ctx, a.OrgID, a.UserID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	payload, _ := json.Marshal(map[string]any{"target_type": sh.Target().Type, "target_id": sh.Target().ID, "name": name,
		"role": sh.Role(), "space_id": pl.space.ID(), "shared_by_name": sharer})
	return s.events.Publish(ctx, appevents.Event{Type: "files.file_shared", OrgID: a.OrgID, ActorID: a.UserID,
		SubjectType: string(sh.Target().Type), SubjectID: sh.Target().ID, Audience: aud, Payload: payload, CreatedAt: s.now()})
}
