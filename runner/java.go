package runner

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// sourceFromJavaClass names a Java source after its public top-level class,
// as javac requires (Solution.java for `public class Solution`).
const sourceFromJavaClass = "java-public-class"

// javaMain finds, in Java source, the class a program is started from and
// the name its file must have. The public top-level type names the file;
// the main class is the public type if it declares main, else the first
// top-level type that does, else the public type, else "Main". A package
// declaration qualifies the main class (pkg.Main). file is "" when no type
// is public: any name will do.
//
// It is a scanner, not a parser: it skips comments, string, text-block and
// character literals, follows brace depth, and looks at top-level
// declarations and at `static … main(` in their bodies. It never fails;
// a source it cannot make sense of yields "Main" and lets javac say why.
func javaMain(src []byte) (main, file string) {
	s := javaScanner{src: src}
	var (
		pkg         string
		public      string // the public top-level type
		firstMain   string // the first top-level type that declares main
		publicMain  bool
		current     string // the top-level type whose body is open
		mods        []string
		inPackage   bool
		sawStatic   bool
		pendingType string
		pendingPub  bool
	)
	for {
		tok, depth, ok := s.next()
		if !ok {
			break
		}
		switch {
		case depth == 0 && inPackage:
			if tok == ";" {
				inPackage = false
			} else {
				pkg += tok
			}
		case depth == 0 && tok == "package" && pkg == "" && public == "" && firstMain == "":
			inPackage = true
		case depth == 0 && (tok == "class" || tok == "interface" || tok == "enum" || tok == "record"):
			if name, _, ok := s.peek(); ok && isJavaIdent(name) {
				s.next()
				pendingType = name
				pendingPub = slices.Contains(mods, "public")
			}
		case depth == 0 && tok == "{":
			// The body of the pending type opens; s.next reports the
			// brace at the depth outside it.
			if pendingType != "" {
				current = pendingType
				if pendingPub && public == "" {
					public = current
				}
				pendingType, pendingPub = "", false
			}
			mods = mods[:0]
		case depth == 0 && (tok == ";" || tok == "}"):
			mods = mods[:0]
		case depth == 0:
			mods = append(mods, tok)
		case depth == 1 && (tok == ";" || tok == "{" || tok == "}"):
			sawStatic = false
		case depth == 1 && tok == "static":
			sawStatic = true
		case depth == 1 && tok == "main" && sawStatic && current != "":
			if next, _, ok := s.peek(); ok && next == "(" {
				if firstMain == "" {
					firstMain = current
				}
				if current == public {
					publicMain = true
				}
			}
		}
	}
	switch {
	case public != "" && publicMain:
		main = public
	case firstMain != "":
		main = firstMain
	case public != "":
		main = public
	default:
		main = "Main"
	}
	if pkg != "" {
		main = pkg + "." + main
	}
	if public != "" {
		file = public + ".java"
	}
	return main, file
}

// javaScanner splits Java source into identifiers and single punctuation
// characters, skipping whitespace, comments and literals, and reports the
// brace depth each token stands at (an opening brace at the depth outside
// it, a closing one at the depth it returns to).
type javaScanner struct {
	src   []byte
	pos   int
	depth int
}

func (s *javaScanner) peek() (string, int, bool) {
	save := *s
	tok, depth, ok := s.next()
	*s = save
	return tok, depth, ok
}

func (s *javaScanner) next() (string, int, bool) {
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		rest := s.src[s.pos:]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			s.pos++
		case hasPrefix(rest, "//"):
			s.skipPast("\n")
		case hasPrefix(rest, "/*"):
			s.pos += 2
			s.skipPast("*/")
		case hasPrefix(rest, `"""`):
			s.pos += 3
			s.skipQuoted(`"""`)
		case c == '"' || c == '\'':
			s.pos++
			s.skipQuoted(string(c))
		case c == '{':
			s.pos++
			s.depth++
			return "{", s.depth - 1, true
		case c == '}':
			s.pos++
			if s.depth > 0 {
				s.depth--
			}
			return "}", s.depth, true
		default:
			r, size := utf8.DecodeRune(rest)
			if !isJavaIdentStart(r) {
				s.pos += size
				return string(rest[:size]), s.depth, true
			}
			start := s.pos
			for s.pos < len(s.src) {
				r, size := utf8.DecodeRune(s.src[s.pos:])
				if !isJavaIdentPart(r) {
					break
				}
				s.pos += size
			}
			return string(s.src[start:s.pos]), s.depth, true
		}
	}
	return "", s.depth, false
}

// skipPast moves past the next end (or to the end of the source).
func (s *javaScanner) skipPast(end string) {
	if i := strings.Index(string(s.src[s.pos:]), end); i >= 0 {
		s.pos += i + len(end)
	} else {
		s.pos = len(s.src)
	}
}

// skipQuoted moves past a literal's closing quote, honouring escapes; a
// one-character quote also ends at a line break (an unterminated literal).
func (s *javaScanner) skipQuoted(quote string) {
	for s.pos < len(s.src) {
		switch {
		case s.src[s.pos] == '\\':
			s.pos += 2
		case hasPrefix(s.src[s.pos:], quote):
			s.pos += len(quote)
			return
		case len(quote) == 1 && s.src[s.pos] == '\n':
			return
		default:
			s.pos++
		}
	}
	if s.pos > len(s.src) {
		s.pos = len(s.src)
	}
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

func isJavaIdentStart(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r)
}

func isJavaIdentPart(r rune) bool {
	return isJavaIdentStart(r) || unicode.IsDigit(r)
}

func isJavaIdent(s string) bool {
	for i, r := range s {
		if i == 0 && !isJavaIdentStart(r) || !isJavaIdentPart(r) {
			return false
		}
	}
	return s != ""
}
