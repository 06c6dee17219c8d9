package markdown

import (
	"strings"
	"testing"
)

func TestHTMLStripsDangerousContent(t *testing.T) {
	r := New()
	cases := []struct {
		name, src string
		banned    []string
	}{
		{"script block", "hi\n\n<script>alert(1)</script>\n", []string{"<script", "alert(1)"}},
		{"inline script", "a <script>alert(1)</script> b", []string{"<script"}},
		{"onerror", `<img src="x" onerror="alert(1)">`, []string{"onerror", "<img"}},
		{"javascript link", "[click](javascript:alert(1))", []string{"javascript:"}},
		{"javascript autolink", "<javascript:alert(1)>", []string{"href=\"javascript"}},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", []string{"data:text/html"}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, []string{"<iframe"}},
		{"style", "<style>body{display:none}</style>\n\ntext", []string{"<style", "display:none"}},
		{"style attribute", `<p style="position:fixed">x</p>`, []string{"style="}},
		{"raw html anchor", `<a href="https://x.example" onclick="steal()">x</a>`, []string{"onclick", "steal()"}},
		{"image onerror via markdown title", `![a](https://x.example/a.png "t\" onerror=\"alert(1)")`, []string{"onerror=\""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := r.HTML(c.src)
			for _, b := range c.banned {
				if strings.Contains(strings.ToLower(out), strings.ToLower(b)) {
					t.Fatalf("HTML(%q) = %q, contains %q", c.src, out, b)
				}
			}
		})
	}
}

func TestHTMLKeepsFormatting(t *testing.T) {
	r := New()
	src := "# 标题\n\n中文内容：**加粗** 和 ~~删除~~。\n\n" +
		"| 列 | B |\n|---|---|\n| 一 | 2 |\n\n" +
		"```go\nfmt.Println(\"<b>\")\n```\n\n" +
		"- one\n- two\n\n1. first\n2. second\n\n" +
		"- [x] done\n- [ ] todo\n\n`inline`\n"
	out := r.HTML(src)
	for _, want := range []string{
		"<h1", "标题", "中文内容：<strong>加粗</strong> 和 <del>删除</del>。",
		"<table>", "<th>列</th>", "<td>一</td>",
		"<pre><code", "fmt.Println(&#34;&lt;b&gt;&#34;)",
		"<ul>", "<li>one</li>", "<ol>", "<li>first</li>",
		`type="checkbox"`, "<code>inline</code>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q:\n%s", want, out)
		}
	}
}

func TestHTMLJoinsChineseLines(t *testing.T) {
	out := New().HTML("第一行\n第二行\n\nEnglish\nlines")
	if !strings.Contains(out, "第一行第二行") || !strings.Contains(out, "English\nlines") {
		t.Errorf("HTML = %q", out)
	}
}

func TestHTMLLinks(t *testing.T) {
	r := New()
	for _, src := range []string{"[site](https://example.com/a)", "see https://example.com/a now", "<https://example.com/a>", "[rel](/tasks?task=1)"} {
		out := r.HTML(src)
		for _, want := range []string{`target="_blank"`, "nofollow", "noopener", "noreferrer"} {
			if !strings.Contains(out, want) {
				t.Errorf("HTML(%q) = %q, lacks %q", src, out, want)
			}
		}
	}
	// A link the author wrote with its own rel/target in raw HTML does not pass at all.
	if out := r.HTML(`<a href="https://example.com" target="_self">x</a>`); strings.Contains(out, "_self") {
		t.Errorf("raw anchor passed: %q", out)
	}
}
