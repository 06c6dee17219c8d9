package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// Redacted stands in logs for a secret taken out of a request's path or query.
const Redacted = "[redacted]"

// SecretParam reports whether a path parameter holds a secret that logs must never show: one
// named token, or ending in Token or Secret (shareToken), or code. Routes declare their secrets
// by naming their parameters so; tokenID and other ids of tokens are not secrets.
func SecretParam(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, "token") || strings.HasSuffix(n, "secret") || n == "code"
}

// SecretQuery reports whether a query parameter holds a secret: token, access_token, code,
// signature and the like, the names OAuth, OIDC and presigned URLs use.
func SecretQuery(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "code", "key", "sig", "state", "session", "auth", "ticket":
		return true
	}
	for _, part := range []string{"token", "secret", "password", "passwd", "signature", "credential", "apikey", "api_key"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// RedirectQuery reports whether a query parameter holds a place to go next (the app's
// /login?next=/invite/<token>): a path, or a URL, that may itself carry a token. Its value is
// logged by the rule for paths that no route matched (redactLocation), so its known words and
// ids stay readable and everything else is redacted.
func RedirectQuery(name string) bool {
	switch strings.ToLower(name) {
	case "next", "redirect", "redirect_to", "redirect_uri", "redirect_url", "return", "return_to", "return_url", "returnto", "continue", "dest", "destination", "goto":
		return true
	}
	return false
}

var (
	uuidSegment   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	numberSegment = regexp.MustCompile(`^[0-9]{1,10}$`)
)

// routeWords are the fixed segments of the registered route templates: the words a logged path
// may show where no route says what its segments are. They are gathered again whenever routes
// were added since.
type routeWords struct {
	mu     sync.Mutex
	routes int
	words  map[string]bool
}

func (s *Server) isRouteWord(seg string) bool {
	w := &s.words
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.words == nil || w.routes != len(s.routes) {
		w.words = map[string]bool{"healthz": true, "readyz": true, "metrics": true}
		for _, rt := range s.routes {
			for _, part := range strings.Split(rt.Path, "/") {
				if part != "" && !strings.HasPrefix(part, ":") && part != "*" {
					w.words[part] = true
				}
			}
		}
		w.routes = len(s.routes)
	}
	return w.words[seg]
}

// keepSegment reports whether a path segment that no route declares may be logged as it is: a
// fixed word of some route, an id (a UUID) or a small number. Anything else could be a
// secret, such as the token in the link to a page of the app, so it is redacted.
func (s *Server) keepSegment(seg string) bool {
	return uuidSegment.MatchString(seg) || numberSegment.MatchString(seg) || s.isRouteWord(seg)
}

// requestSecrets works out how a request shows in logs: its path and query with every secret
// replaced by Redacted, and the secrets themselves, which the request's logger also scrubs from
// any other line (an error's text, say).
//
// A path that matched a route keeps its fixed words and the ids in its parameters, and loses
// the parameters the route declares secret (SecretParam). A path that matched none (a 404, or
// a page of the app served its shell) keeps only the segments keepSegment allows: nothing
// tells which of its segments is a token. A file of the app's build (safe) is logged whole.
func (s *Server) requestSecrets(c echo.Context, safe bool) (logPath, logQuery string, secrets []string) {
	r := c.Request()
	raw := r.URL.EscapedPath()
	if safe {
		return raw, "", nil
	}
	segs := strings.Split(raw, "/")
	tmpl := strings.Split(c.Path(), "/")
	matched := c.Path() != "" && len(tmpl) == len(segs)
	for i, seg := range segs {
		if seg == "" {
			continue
		}
		if matched && strings.HasPrefix(tmpl[i], ":") {
			if !SecretParam(tmpl[i][1:]) && s.keepSegment(seg) {
				continue
			}
		} else if (matched && tmpl[i] == seg) || s.keepSegment(seg) {
			continue
		}
		segs[i] = Redacted
		secrets = appendSecret(secrets, seg)
	}
	logPath = strings.Join(segs, "/")

	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			// A query that does not parse cannot be sorted into secrets and the rest.
			return logPath, Redacted, append(secrets, r.URL.RawQuery)
		}
		for name, vals := range q {
			switch {
			case SecretQuery(name):
				for i, v := range vals {
					secrets = appendSecret(secrets, v)
					vals[i] = Redacted
				}
			case RedirectQuery(name):
				for i, v := range vals {
					vals[i], secrets = s.redactLocation(v, secrets)
				}
			}
		}
		logQuery = strings.ReplaceAll(q.Encode(), url.QueryEscape(Redacted), Redacted)
		if len(logQuery) > 512 {
			logQuery = logQuery[:512] + "…"
		}
	}
	return logPath, logQuery, secrets
}

// redactLocation redacts a path or URL found in a query parameter (RedirectQuery) as a path
// that matched no route is redacted: each segment that keepSegment does not allow becomes
// Redacted and joins the secrets. Its own query or fragment, if any, is redacted whole, since
// nothing says which of its parts is a token.
func (s *Server) redactLocation(v string, secrets []string) (string, []string) {
	loc, rest, cut := v, "", false
	if i := strings.IndexAny(v, "?#"); i >= 0 {
		loc, rest, cut = v[:i], v[i+1:], true
	}
	segs := strings.Split(loc, "/")
	for i, seg := range segs {
		if seg == "" || s.keepSegment(seg) {
			continue
		}
		segs[i] = Redacted
		secrets = appendSecret(secrets, seg)
	}
	out := strings.Join(segs, "/")
	if cut && rest != "" {
		out += "?" + Redacted
		secrets = appendSecret(secrets, rest)
	}
	return out, secrets
}

// appendSecret adds a secret and its unescaped form. Strings shorter than 6 characters are
// left out: too short to be a credential, and scrubbing them would garble every line.
func appendSecret(secrets []string, v string) []string {
	if len(v) < 6 {
		return secrets
	}
	secrets = append(secrets, v)
	if u, err := url.PathUnescape(v); err == nil && u != v {
		secrets = append(secrets, u)
	}
	return secrets
}

// scrubHandler removes a request's secrets from every line logged for it: a handler's own
// lines and the error handler's are then safe even when an error's text quotes a token.
type scrubHandler struct {
	inner   slog.Handler
	secrets *strings.Replacer
}

func newScrubHandler(inner slog.Handler, secrets []string) slog.Handler {
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, Redacted)
	}
	return scrubHandler{inner: inner, secrets: strings.NewReplacer(pairs...)}
}

func (h scrubHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.secrets.Replace(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h scrubHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return scrubHandler{inner: h.inner.WithAttrs(clean), secrets: h.secrets}
}

func (h scrubHandler) WithGroup(name string) slog.Handler {
	return scrubHandler{inner: h.inner.WithGroup(name), secrets: h.secrets}
}

func (h scrubHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.secrets.Replace(v.String()))
	case slog.KindGroup:
		as := v.Group()
		clean := make([]any, len(as))
		for i, g := range as {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		// An error or a value of any other type is logged as its text.
		return slog.String(a.Key, h.secrets.Replace(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
