//! Emitted tokens → Rust source text for rustfmt, which gives it its final layout: the text
//! of the items `style.rs` declines (all of them with `generate --rustfmt`). `style.rs` also
//! uses the doc comments and attribute layout written here.
//!
//! rustfmt re-lays out what it parses, so this printer mostly writes the tokens one after the
//! other. Where rustfmt keeps the text as written, it writes what prettyplease (the formatter
//! it replaces, 45 ms slower) wrote, so the output stays byte-identical:
//!
//! - doc attributes: `#[doc = " text"]` stays an attribute on stable rustfmt, so it is written
//!   as the `/// text` comment prettyplease wrote;
//! - other attributes, laid out over lines as prettyplease did (rustfmt keeps an attribute it
//!   cannot fit in 100 columns, a long `#[wrap(safety = "...")]`, as written);
//! - items with a very long name or literal, which rustfmt may not fit either: printed by
//!   prettyplease itself (`LONG_WORD`); other items get the usual Rust spacing.

use std::fmt::Write;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Appends the text of `tokens` (whole items, or the inner attributes of a file) to `out`.
pub fn items(tokens: &TokenStream, out: &mut String) {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let start = out.len();
    let mut longest_word = 0;
    print(&tokens, Some(0), out, &mut longest_word);
    if longest_word > LONG_WORD
        && let Ok(file) = syn::parse2::<syn::File>(tokens.into_iter().collect())
    {
        out.truncate(start);
        out.push_str(&prettyplease::unparse(&file));
    }
}

/// Items with a longer name or literal (outside attributes) are printed by prettyplease.
///
/// rustfmt keeps the text of an item it cannot fit in 100 columns as written, and this printer
/// writes an item on fewer lines than prettyplease did. An item rustfmt cannot fit has a line
/// that cannot be broken, which takes long words; up to this length, headers with such names
/// still come out as before (`write.rs` tests compare both ways), and the bundled header has
/// one longer word (its SHA-256 in a one-line const), so the parse this costs is small.
const LONG_WORD: usize = 48;

/// Writes `tokens`. `item_level` is the indentation when at the top of the file or inside
/// braces, where attributes, items and fields stand on their own lines (`None` inside
/// parentheses or brackets).
///
/// Spacing within a line is the usual Rust spacing (prettyplease's): rustfmt keeps the text of
/// an item it cannot fit in its width (a const with a long string) as written.
///
/// `longest_word`: the length of the longest identifier or literal written so far.
fn print(
    tokens: &[TokenTree],
    item_level: Option<usize>,
    out: &mut String,
    longest_word: &mut usize,
) {
    let mut i = 0;
    let mut previous: Option<&TokenTree> = None;
    // Open `<` of generic arguments (`Option<...>`) on this level.
    let mut generics = 0usize;
    while i < tokens.len() {
        if let Some(indent) = item_level
            && let Some((len, text)) = attribute(&tokens[i..], indent)
        {
            new_line(out, indent);
            out.push_str(&text);
            out.push('\n');
            i += len;
            previous = None;
            continue;
        }
        let token = &tokens[i];
        if out.ends_with('\n') {
            indent_line(out, item_level.unwrap_or(0));
        } else if let Some(previous) = previous
            && space_between(
                previous,
                token,
                i.checked_sub(2).map(|k| &tokens[k]),
                generics,
            )
        {
            out.push(' ');
        }
        match token {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                out.push_str(open);
                if group.delimiter() == Delimiter::Brace && !inner.is_empty() {
                    let indent = item_level.unwrap_or(0);
                    out.push('\n');
                    print(&inner, Some(indent + INDENT), out, longest_word);
                    new_line(out, indent);
                } else {
                    print(&inner, None, out, longest_word);
                }
                out.push_str(close);
                if group.delimiter() == Delimiter::Brace && item_level.is_some() {
                    out.push('\n');
                }
            }
            TokenTree::Punct(punct) => {
                let ch = punct.as_char();
                out.push(ch);
                match ch {
                    '<' if matches!(previous, Some(TokenTree::Ident(_))) || generics > 0 => {
                        generics += 1;
                    }
                    '>' if generics > 0 && !is_punct(previous, '-') => generics -= 1,
                    ';' | ',' if item_level.is_some() => out.push('\n'),
                    _ => {}
                }
            }
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                let start = out.len();
                let _ = write!(out, "{token}");
                *longest_word = (*longest_word).max(out.len() - start);
            }
        }
        previous = Some(token);
        i += 1;
    }
}

fn is_punct(token: Option<&TokenTree>, ch: char) -> bool {
    matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == ch)
}

/// Whether Rust spacing puts a space between `a` and `b` (`before_a`: the token before `a`;
/// `generics`: open `<` of generic arguments).
fn space_between(
    a: &TokenTree,
    b: &TokenTree,
    before_a: Option<&TokenTree>,
    generics: usize,
) -> bool {
    // `a` as a prefix operator (`&T`, `*mut T`, `-1`): nothing before it that it could follow
    // as a binary operator.
    let prefix = |before: Option<&TokenTree>| {
        !matches!(
            before,
            Some(TokenTree::Ident(_) | TokenTree::Literal(_) | TokenTree::Group(_))
        )
    };
    if let TokenTree::Punct(p) = a {
        if p.spacing() == Spacing::Joint {
            return false;
        }
        match p.as_char() {
            '.' | '!' | '#' | '$' => return false,
            '&' | '*' | '-' if prefix(before_a) => return false,
            '<' if generics > 0 => return false,
            ':' if is_punct(before_a, ':') => return false,
            _ => {}
        }
    }
    match b {
        TokenTree::Punct(p) => match p.as_char() {
            ',' | ';' | ':' | '.' | '?' => false,
            '!' => !matches!(a, TokenTree::Ident(_)),
            '<' => !(generics > 0 || matches!(a, TokenTree::Ident(_))),
            '>' => generics == 0 || is_punct(Some(a), '-'),
            _ => true,
        },
        TokenTree::Group(g) if g.delimiter() != Delimiter::Brace => {
            // A call or index (`f(`, `m!(`, `a[`) against `= (`, `, [`.
            !(matches!(a, TokenTree::Ident(_))
                || is_punct(Some(a), '!')
                || generics > 0 && is_punct(Some(a), '>'))
        }
        _ => true,
    }
}

const INDENT: usize = 4;

/// Ends the current line if it has text, and indents the next one.
fn new_line(out: &mut String, indent: usize) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    indent_line(out, indent);
}

fn indent_line(out: &mut String, indent: usize) {
    const SPACES: &str = "                                                                ";
    if indent <= SPACES.len() {
        out.push_str(&SPACES[..indent]);
    } else {
        out.extend(std::iter::repeat_n(' ', indent));
    }
}

/// The attribute at the start of `tokens` as prettyplease wrote it, with the number of tokens
/// it stands for. rustfmt keeps an attribute it cannot fit in its width as written (a long
/// string in `#[wrap(...)]`), so it must be written as before, line breaks included.
pub(crate) fn attribute(tokens: &[TokenTree], indent: usize) -> Option<(usize, String)> {
    let TokenTree::Punct(hash) = tokens.first()? else {
        return None;
    };
    if hash.as_char() != '#' {
        return None;
    }
    let inner = matches!(tokens.get(1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
    let TokenTree::Group(group) = tokens.get(1 + usize::from(inner))? else {
        return None;
    };
    if group.delimiter() != Delimiter::Bracket {
        return None;
    }
    let len = 2 + usize::from(inner);
    let attr: Vec<TokenTree> = group.stream().into_iter().collect();
    let mut text = String::new();
    if doc_comment(&attr, inner, &mut text).is_some() {
        return Some((len, text));
    }
    attribute_layout(&attr, None, inner, indent, &mut text)?;
    Some((len, text))
}

/// Appends the layout of an attribute that is not a doc comment (`attr`: what is between the
/// brackets) to `out`, whose current line holds `indent` columns; `None` (and `out` left as it
/// was) for a form with no layout here. `list`: the tokens of the parenthesised list that ends
/// `attr`, when the caller has them already.
pub(crate) fn attribute_layout(
    attr: &[TokenTree],
    list: Option<&[TokenTree]>,
    inner: bool,
    indent: usize,
    out: &mut String,
) -> Option<()> {
    let start = out.len();
    out.push_str(if inner { "#![" } else { "#[" });
    // The path, then nothing or one parenthesised list (other forms: plain tokens).
    let mut rest = attr;
    while let Some((first, tail)) = rest.split_first() {
        match first {
            TokenTree::Ident(ident) => {
                let _ = write!(out, "{ident}");
            }
            TokenTree::Punct(p) if p.as_char() == ':' => out.push(':'),
            _ => break,
        }
        rest = tail;
    }
    match rest {
        [] => out.push(']'),
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::Parenthesis => {
            let mut nodes = Nodes {
                text: String::with_capacity(512),
                nodes: Vec::with_capacity(96),
            };
            let mut state = State::Word;
            match list {
                Some(tokens) => nodes.group(Delimiter::Parenthesis, tokens, &mut state),
                None => {
                    let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
                    nodes.group(Delimiter::Parenthesis, &tokens, &mut state);
                }
            }
            // Part of the list's width: no break before the next line.
            nodes.push_text("]");
            let column = indent + (out.len() - start);
            let mut layout = Layout {
                out,
                column,
                line_indent: indent,
            };
            layout.nodes(&nodes, indent);
        }
        _ => {
            out.truncate(start);
            return None;
        }
    }
    Some(())
}

/// prettyplease's page width and smallest line width.
const MARGIN: usize = 89;
const MIN_SPACE: usize = 60;

/// An attribute's list as prettyplease lays it out: words, places where a line may break, and
/// boxes (a parenthesised list) whose breaks all become new lines when the box does not fit.
#[derive(Debug, Clone, Copy)]
enum Node {
    /// `text[start..end]` of the [`Nodes`] (the words between two breaks, joined).
    Text {
        start: usize,
        end: usize,
    },
    /// `blank` spaces, or a new line (after `pre`) in a broken box; `closing` is the break
    /// before `)`, indented one level less.
    Break {
        blank: usize,
        pre: Option<char>,
        closing: bool,
    },
    Begin,
    End,
}

/// The nodes of an attribute's list, and the text their words point into.
struct Nodes {
    text: String,
    nodes: Vec<Node>,
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Word,
    Punct,
    TrailingComma,
}

impl Nodes {
    /// Extends the text node at the end (words with no break between them are written
    /// together), or starts one.
    fn extend_text(&mut self, start: usize) {
        let end = self.text.len();
        match self.nodes.last_mut() {
            Some(Node::Text { end: last, .. }) if *last == start => *last = end,
            _ => self.nodes.push(Node::Text { start, end }),
        }
    }

    fn push_text(&mut self, text: &str) {
        let start = self.text.len();
        self.text.push_str(text);
        self.extend_text(start);
    }

    fn push_char(&mut self, ch: char) {
        let start = self.text.len();
        self.text.push(ch);
        self.extend_text(start);
    }

    fn push_break(&mut self, blank: usize, pre: Option<char>) {
        self.nodes.push(Node::Break {
            blank,
            pre,
            closing: false,
        });
    }

    /// The nodes of attribute tokens by prettyplease's rules (attr.rs, `attr_tokens`).
    fn tokens(&mut self, tokens: &[TokenTree], state: &mut State) {
        for (k, token) in tokens.iter().enumerate() {
            match token {
                TokenTree::Ident(_) | TokenTree::Literal(_) => {
                    if *state == State::Word {
                        self.push_break(1, None);
                    }
                    let start = self.text.len();
                    let _ = write!(self.text, "{token}");
                    self.extend_text(start);
                    *state = State::Word;
                }
                TokenTree::Punct(punct) => {
                    let ch = punct.as_char();
                    if *state == State::Word && ch == '=' {
                        self.push_char(' ');
                    }
                    if ch == ',' && k + 1 == tokens.len() {
                        self.push_break(0, Some(','));
                        *state = State::TrailingComma;
                    } else {
                        self.push_char(ch);
                        match ch {
                            '=' => self.push_char(' '),
                            ',' => self.push_break(1, None),
                            _ => {}
                        }
                        *state = State::Punct;
                    }
                }
                TokenTree::Group(group) => {
                    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                    self.group(group.delimiter(), &inner, state);
                }
            }
        }
    }

    /// A group whose tokens are `inner`.
    fn group(&mut self, delimiter: Delimiter, inner: &[TokenTree], state: &mut State) {
        let (open, close) = match delimiter {
            Delimiter::Parenthesis => ("(", ")"),
            Delimiter::Brace => ("{", "}"),
            Delimiter::Bracket => ("[", "]"),
            Delimiter::None => ("", ""),
        };
        self.push_text(open);
        *state = State::Punct;
        if delimiter == Delimiter::Parenthesis {
            self.nodes.push(Node::Begin);
            self.push_break(0, None);
            self.tokens(inner, state);
            if *state != State::TrailingComma {
                self.push_break(0, None);
            }
            if let Some(Node::Break { closing, .. }) = self.nodes.last_mut() {
                *closing = true;
            }
            self.nodes.push(Node::End);
        } else {
            self.tokens(inner, state);
        }
        self.push_text(close);
        *state = State::Punct;
    }
}

/// Text being laid out, and where the next character goes.
struct Layout<'a> {
    out: &'a mut String,
    column: usize,
    /// The indentation of the current line.
    line_indent: usize,
}

impl Layout<'_> {
    /// Writes `nodes` (the boxes' lines start one level deeper than `indent`), as
    /// prettyplease's printer (Oppen's algorithm) does: a box breaks all its lines when its
    /// width, plus the text after it up to the next possible break, exceeds what is left of
    /// the line.
    fn nodes(&mut self, nodes: &Nodes, indent: usize) {
        // (broken, indent of its lines) of the open boxes.
        let mut boxes: Vec<(bool, usize)> = Vec::new();
        for (i, node) in nodes.nodes.iter().enumerate() {
            let (broken, box_indent) = boxes.last().copied().unwrap_or((false, indent));
            match *node {
                Node::Text { start, end } => {
                    self.out.push_str(&nodes.text[start..end]);
                    self.column += end - start;
                }
                Node::Break {
                    blank,
                    pre,
                    closing,
                } => {
                    if broken {
                        if let Some(pre) = pre {
                            self.out.push(pre);
                        }
                        let indent = if closing {
                            box_indent - INDENT
                        } else {
                            box_indent
                        };
                        self.out.push('\n');
                        indent_line(self.out, indent);
                        self.column = indent;
                        self.line_indent = indent;
                    } else {
                        indent_line(self.out, blank);
                        self.column += blank;
                    }
                }
                Node::Begin => {
                    let space = MARGIN.saturating_sub(self.line_indent).max(MIN_SPACE)
                        - (self.column - self.line_indent);
                    let fits = box_width(&nodes.nodes[i..]) <= space;
                    // A box that fits keeps its parent's indentation (prettyplease's `Fits`).
                    let inner = if fits {
                        box_indent
                    } else {
                        box_indent + INDENT
                    };
                    boxes.push((!fits, inner));
                }
                Node::End => {
                    boxes.pop();
                }
            }
        }
    }
}

/// The width of the box that `nodes` starts with, laid out on one line, plus the text after it
/// up to the next break.
fn box_width(nodes: &[Node]) -> usize {
    let mut depth = 0;
    let mut width = 0;
    for node in nodes {
        match *node {
            Node::Text { start, end } => width += end - start,
            Node::Break { blank, .. } if depth > 0 => width += blank,
            Node::Break { .. } => break,
            Node::Begin => depth += 1,
            Node::End => depth -= 1,
        }
    }
    width
}

/// Appends the comment prettyplease writes for a `doc = "..."` attribute (`attr`: what is
/// between the brackets) to `out`; `None` (and nothing written) for any other attribute or a
/// doc that has no comment form (then it stays an attribute, as with prettyplease).
pub(crate) fn doc_comment(attr: &[TokenTree], inner: bool, out: &mut String) -> Option<()> {
    let [
        TokenTree::Ident(name),
        TokenTree::Punct(eq),
        TokenTree::Literal(lit),
    ] = attr
    else {
        return None;
    };
    if name != "doc" || eq.as_char() != '=' {
        return None;
    }
    // Most docs are a plain one-line string: its text between the quotes, written in place
    // after the marker.
    let start = out.len();
    out.push_str(if inner { "//!" } else { "///" });
    let quote = out.len();
    let _ = write!(out, "{lit}");
    let text = &out[quote..];
    if let Some(doc) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
        && !any_byte(doc, |b| b == b'\\' || b == b'\n')
        && (inner || !doc.starts_with('/'))
    {
        let len = doc.trim_end_matches(' ').len();
        // `///"doc  "` → `///doc`.
        out.truncate(quote + 1 + len);
        out.remove(quote);
        return Some(());
    }
    out.truncate(start);
    let mut doc = string_value(lit)?;
    // prettyplease's rule (attr.rs): a line comment when the text is one line (and an outer
    // one would not read as `////`), else a block comment when the text can be one.
    if !doc.contains('\n') && (inner || !doc.starts_with('/')) {
        doc.truncate(doc.trim_end_matches(' ').len());
        out.push_str(if inner { "//!" } else { "///" });
        out.push_str(&doc);
        return Some(());
    }
    if can_be_block_comment(&doc) && (inner || !doc.starts_with(['*', '/'])) {
        out.push_str(if inner { "/*!" } else { "/**" });
        out.push_str(&trim_interior_trailing_spaces(&doc));
        out.push_str("*/");
        return Some(());
    }
    None
}

/// Whether `pred` holds for some byte of `text` (by blocks of 16 bytes, which the compiler
/// turns into vector instructions: docs are long).
pub(crate) fn any_byte(text: &str, pred: impl Fn(u8) -> bool) -> bool {
    let mut blocks = text.as_bytes().chunks_exact(16);
    for block in &mut blocks {
        if block.iter().fold(false, |any, &b| any | pred(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| pred(b))
}

/// The value of a string literal (`None` for other literals). Most docs have no escapes:
/// their value is the text between the quotes, without syn's unescaping.
fn string_value(lit: &proc_macro2::Literal) -> Option<String> {
    let text = lit.to_string();
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
        && !inner.contains('\\')
    {
        return Some(inner.to_string());
    }
    match syn::Lit::new(lit.clone()) {
        syn::Lit::Str(lit) => Some(lit.value()),
        _ => None,
    }
}

fn trim_interior_trailing_spaces(doc: &str) -> String {
    let mut lines: Vec<&str> = doc.split('\n').collect();
    let last = lines.pop().unwrap_or_default();
    let mut trimmed: String = lines
        .iter()
        .map(|line| format!("{}\n", line.trim_end_matches(' ')))
        .collect();
    trimmed.push_str(last);
    trimmed
}

/// Whether `/*` and `*/` inside `value` pair up, so that it can sit inside a block comment.
fn can_be_block_comment(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
                i += 2;
            }
            _ => i += 1,
        }
    }
    depth == 0 && !value.ends_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn text(tokens: TokenStream) -> String {
        let mut out = String::new();
        items(&tokens, &mut out);
        out
    }

    #[test]
    fn docs_become_comments() {
        let tokens = quote! {
            #![doc = " Inner."]
            #[doc = " Outer, trailing spaces go.  "]
            #[doc = ""]
            #[doc = "/ would read as ////"]
            #[doc = " two\n lines "]
            #[repr(C)]
            pub struct A {
                #[doc = " Field \"quoted\"."]
                pub a: u32,
            }
        };
        assert_eq!(
            text(tokens),
            "//! Inner.\n/// Outer, trailing spaces go.\n///\n#[doc = \"/ would read as ////\"]\n\
             /** two\n lines */\n#[repr(C)]\npub struct A {\n    /// Field \"quoted\".\n    \
             pub a: u32,\n}\n"
        );
    }

    #[test]
    fn attributes_are_laid_out_as_prettyplease_does() {
        // Widths around every break decision: the outer list, a nested list at its end and in
        // the middle, at item level and one level in.
        for len in 0..110 {
            let long = "x".repeat(len);
            let word = quote::format_ident!("w{}", "y".repeat(len % 37));
            let tokens = quote! {
                #[wrap(name = #word, cpp = #long, params(first = raw, second = bytes(count)), safety = "s")]
                #[deprecated(note = #long)]
                pub struct S {
                    #[wrap(name = get, params(first = raw, #word = bytes(count), third = cstr), doc = #long)]
                    pub f: u32,
                    #[wrap(name = #word, defaults(a = 1, b = -1, c = true), params(p = cstr))]
                    pub g: u32,
                }
            };
            let file: syn::File = syn::parse2(tokens.clone()).unwrap();
            assert_eq!(text(tokens), prettyplease::unparse(&file), "length {len}");
        }
    }

    #[test]
    fn block_comment_rule() {
        assert!(can_be_block_comment(" a /* b */ c"));
        assert!(!can_be_block_comment(" a */ b"));
        assert!(!can_be_block_comment(" a /* b"));
        assert!(!can_be_block_comment(" ends with /"));
    }
}
