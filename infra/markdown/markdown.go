// Package markdown renders the Markdown people write in task descriptions and comments to HTML
// that is safe to put into a page: goldmark with the GitHub extensions turns it into HTML, and
// bluemonday's user-generated-content policy then removes anything that could run script or
// restyle the page. Raw HTML in the source never reaches the output: goldmark is not given
// WithUnsafe, so it drops raw HTML blocks and inline tags, and bluemonday runs after it anyway.
package markdown

import (
	"bytes"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Renderer turns Markdown into sanitised HTML. The zero value is not usable; build one with New.
// It is safe for concurrent use: goldmark and bluemonday keep no per-call state.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New builds a Renderer.
func New() *Renderer {
	md := goldmark.New(
		// GFM: tables, strikethrough, autolinks (linkify) and task lists. CJK: a line break
		// between two Chinese characters is not a space (Chinese has none between words), and
		// "\ " lets a writer end emphasis before a Chinese character.
		goldmark.WithExtensions(extension.GFM, extension.NewCJK(extension.WithEastAsianLineBreaks(), extension.WithEscapedSpace())),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(newTabLinks{}, 1000))),
	)
	p := bluemonday.UGCPolicy()
	// Every link opens in a new tab and tells the target nothing: bluemonday adds "noopener"
	// to links with target="_blank", "nofollow" (the UGC policy) and "noreferrer" to all links.
	p.AllowAttrs("target").Matching(regexp.MustCompile(`^_blank$`)).OnElements("a")
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	// GFM task-list items render as disabled checkboxes; nothing else of a form is allowed.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")
	return &Renderer{md: md, policy: p}
}

// HTML renders src. It never fails: Markdown has no syntax errors, and the rare writer error of
// an in-memory buffer leaves the part rendered so far, which is sanitised like the rest.
func (r *Renderer) HTML(src string) string {
	var buf bytes.Buffer
	_ = r.md.Convert([]byte(src), &buf)
	return r.policy.Sanitize(buf.String())
}

// newTabLinks marks every link to open in a new tab; the sanitiser then adds the rel values.
type newTabLinks struct{}

// Transform implements parser.ASTTransformer.
func (newTabLinks) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *ast.Link, *ast.AutoLink:
			n.SetAttributeString("target", []byte("_blank"))
		}
		return ast.WalkContinue, nil
	})
}
