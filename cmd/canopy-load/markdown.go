package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// machine is what the figures were measured on.
type machine struct {
	CPU         string `json:"cpu"`
	CPUs        int    `json:"cpus"`
	MemoryBytes int64  `json:"memory_bytes"`
	LoadStart   string `json:"load_average_start"` // 1, 5 and 15 minutes, as /proc/loadavg has them
	LoadEnd     string `json:"load_average_end"`
}

// machineInfo reads the CPU and memory from /proc; what it cannot read stays empty.
func machineInfo(loadStart, loadEnd string) machine {
	m := machine{LoadStart: loadStart, LoadEnd: loadEnd}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			switch k = strings.TrimSpace(k); {
			case !ok:
			case k == "processor":
				m.CPUs++
			case k == "model name" && m.CPU == "":
				m.CPU = strings.Join(strings.Fields(v), " ")
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				m.MemoryBytes = kb << 10
			}
		}
	}
	return m
}

// loadAverage is the first three fields of /proc/loadavg ("" when it cannot be read).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return ""
}

// writeMarkdown writes the report as a Markdown section (for docs/performance.md and
// docs/operations.md) to path, replacing the file.
func (r *report) writeMarkdown(path, password string) error {
	var b strings.Builder
	r.markdown(&b)
	s := b.String()
	if password != "" {
		// The command line leaves it out; this catches it in a label or an error text.
		s = strings.ReplaceAll(s, password, "***")
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

// markdown writes the report as a Markdown section.
func (r *report) markdown(w io.Writer) {
	label := r.Label
	if label == "" {
		label = "canopy-load against " + strings.Join(r.Targets, ", ")
	}
	fmt.Fprintf(w, "### %s\n\n", label)
	m := r.Machine
	cpu := m.CPU
	if cpu == "" {
		cpu = "unknown CPU"
	}
	fmt.Fprintf(w, "%s UTC; %s × %d, %.1f GiB memory; load average %s at the start, %s at the end.\n\n",
		r.Started.UTC().Format("2006-01-02 15:04"), cpu, m.CPUs, float64(m.MemoryBytes)/(1<<30), orUnknown(m.LoadStart), orUnknown(m.LoadEnd))
	fmt.Fprintf(w, "`canopy-load %s`\n\n", strings.Join(r.Command, " "))
	fmt.Fprintf(w, "%.0f s at %d calls/s asked: %d calls made (%.1f/s), %.1f successful/s; %d users, %d chats, %d WebSocket receivers, %d tasks.\n\n",
		r.DurationSeconds, r.RequestedRate, r.Requests, r.Rate, r.Throughput, r.Users, r.Chats, r.WS.Receivers, r.Tasks)

	fmt.Fprintln(w, "| call | share of the mix |")
	fmt.Fprintln(w, "|---|---:|")
	for _, s := range r.Mix {
		fmt.Fprintf(w, "| %s | %d %% |\n", s.Kind, s.Percent)
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "| call | calls | throughput/s | p50 ms | p95 ms | p99 ms | max ms | errors by status |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---|")
	for _, s := range r.Mix {
		c := r.Calls[s.Kind]
		if c == nil {
			fmt.Fprintf(w, "| %s | 0 | | | | | | |\n", s.Kind)
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %s |\n", s.Kind, c.Requests, c.Throughput, c.P50ms, c.P95ms, c.P99ms, c.MaxMs, errorsByStatus(c))
	}
	fmt.Fprintln(w)

	ws := r.WS
	fmt.Fprintf(w, "WebSocket: %d receivers, %d messages sent, %d of %d deliveries made (%d by catch-up); delivery p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; %d reconnects, %d duplicates, %d lost.\n\n",
		ws.Receivers, ws.MessagesSent, ws.Delivered, ws.Expected, ws.ViaCatchUp, ws.P50ms, ws.P95ms, ws.P99ms, ws.Reconnects, ws.Duplicates, ws.Lost)
	a := r.Accounting
	fmt.Fprintf(w, "Accounting: %d writes checked (%d task updates and %d card moves on %d tasks, %d messages, %d uploads), %d of unknown outcome; **%d lost writes, %d lost messages**; 5xx: %d (%d of them 503 with the JSON error body, %d other); %d calls hit the timeout.\n\n",
		a.TaskUpdates+a.CardMoves+a.Messages+a.Uploads, a.TaskUpdates, a.CardMoves, a.TasksChecked, a.Messages, a.Uploads, a.UnknownOutcome,
		r.LostWrites, r.LostMessages, r.Status5xx, r.Status503JSON, r.Status5xxOther, r.SlowOverTimeout)

	if len(r.Samples) > 0 {
		fmt.Fprint(w, "| minute | calls/s | p99 ms |")
		sep := "|---:|---:|---:|"
		for _, rs := range r.Samples[0].Replicas {
			fmt.Fprintf(w, " RSS MiB %s |", rs.Metrics)
			sep += "---:|"
		}
		for _, rs := range r.Samples[0].Replicas {
			fmt.Fprintf(w, " goroutines %s |", rs.Metrics)
			sep += "---:|"
		}
		fmt.Fprintf(w, "\n%s\n", sep)
		for _, s := range r.Samples {
			rate := 0.0
			if d := s.ElapsedS - s.StartS; d > 0 {
				rate = float64(s.Calls) / d
			}
			fmt.Fprintf(w, "| %s | %.1f | %.1f |", clock(s.ElapsedS), rate, s.P99ms)
			for _, rs := range s.Replicas {
				fmt.Fprintf(w, " %s |", orDash(rs.RSSBytes, func(v float64) string { return fmt.Sprintf("%.1f", v/(1<<20)) }))
			}
			for _, rs := range s.Replicas {
				fmt.Fprintf(w, " %s |", orDash(rs.Goroutines, func(v float64) string { return fmt.Sprintf("%.0f", v) }))
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w)
	}
	if len(r.Soak) > 0 {
		fmt.Fprintln(w, "Soak verdicts:")
		fmt.Fprintln(w)
		for _, v := range r.Soak {
			fmt.Fprintf(w, "- **%s** %s: %s\n", v.Result, v.Check, v.Detail)
		}
		fmt.Fprintln(w)
	}
	if r.Pass {
		fmt.Fprintln(w, "Result: pass.")
	} else {
		fmt.Fprintf(w, "Result: **fail**: %s.\n", strings.Join(r.Failures, "; "))
	}
}

// errorsByStatus lists a call kind's answers other than 2xx, "transport" for no answer.
func errorsByStatus(c *callFigures) string {
	keys := make([]string, 0, len(c.StatusCodes))
	for k := range c.StatusCodes {
		if !strings.HasPrefix(k, "2") {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "none"
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		name := k
		if k == "0" {
			name = "transport"
		}
		p := fmt.Sprintf("%s: %d", name, c.StatusCodes[k])
		if k == "503" && c.JSON503 > 0 {
			p += fmt.Sprintf(" (%d JSON)", c.JSON503)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// commandLine is the flags as given (args, already parsed by fs), for the report: the
// password and the output files (paths of the machine it ran on) are left out.
func commandLine(fs *flag.FlagSet, args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			break // where the flag package stops too
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		b, isBool := f.Value.(interface{ IsBoolFlag() bool })
		isBool = isBool && b.IsBoolFlag()
		if !hasValue && !isBool && i+1 < len(args) {
			i++
			value = args[i]
		}
		switch name {
		case "setup-password", "out", "md", "label":
			continue
		}
		switch {
		case isBool && (!hasValue || value == "true"):
			out = append(out, "-"+name)
		case isBool:
			out = append(out, "-"+name+"="+value)
		default:
			out = append(out, "-"+name, shellQuote(value))
		}
	}
	return out
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`|&;<>()*?[]#~!{}") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
