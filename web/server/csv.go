package server

// CSVCell neutralises a cell that a spreadsheet would take for a formula (OWASP, CSV
// injection): one that begins with =, +, -, @, a tab or a carriage return is prefixed with a
// single quote, which spreadsheets show as text. Every CSV export writes each cell through it,
// since names and titles come from users and any of them may begin so.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
