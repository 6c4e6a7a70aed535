//! rustfmt's layout, reproduced for the item shapes the emitter writes, so that no rustfmt
//! process has to run for them (rustfmt costs 2.8× the whole `clang++ -fsyntax-only` floor).
//!
//! The settings are those of `codegen/rustfmt-generated.toml` (style edition 2024, defaults
//! otherwise): `max_width` 100, `fn_call_width` 60, `attr_fn_like_width` 70, 4 spaces.
//!
//! Each item is parsed into a small model of the shapes this module has rules for: `const`,
//! `type`, `struct` (fields, tuple), `impl` and `trait` blocks with consts, types and `fn`s
//! whose bodies are a few simple statements, attributes and doc comments. Anything else (an
//! unknown token, a construct without a rule, a width where a rule is not known exactly: a
//! literal that does not fit, a parameter list rustfmt would lay out in a way not written
//! here) makes [`item`] return `None`: the caller then formats that item with rustfmt.
//! Recognising the shape is also the only validation the tokens of such an item get (rustfmt's
//! parse validates the others).
//!
//! The rules (each names the rustfmt behaviour it reproduces; the functions say more):
//!
//! - `assign_rhs`: `pub const X: T = expr;`, `pub type X = T;`, `pub name: T,` — rustfmt's
//!   `rewrite_assign_rhs` / `choose_rhs`: the right side on the same line when it fits there on
//!   one line, else on the next line (one level deeper) when `prefer_next_line` says so (it is
//!   one line there, or takes fewer lines, or does not start by opening a bracket where the
//!   same-line layout does), else the same-line layout on several lines.
//! - `fn_type`: `unsafe extern "system" fn(params) -> R` — rustfmt's `format_function_type`:
//!   no layout unless ` -> ` and the return type fit after `fn` on the first line; parameters
//!   on one line when everything fits, else one per line with a trailing comma; `-> R` on a
//!   line of its own when `)` plus it is wider than the first line's room (always for `()`).
//! - `generic_type`: `Option<fn...>` — rustfmt's angle-bracket lists: on one line when it
//!   fits, else the argument on its own line with a trailing comma.
//! - `call`: `f(args)` / `m!(args)` — rustfmt's overflow lists and `fn_call_width`: arguments
//!   on one line when they fit and take at most 60 columns (one argument: whenever it fits),
//!   else one per line (a trailing comma for calls, none for macros).
//! - `block_expr`: `unsafe { expr }` on one line when it fits (rustfmt's
//!   `rewrite_single_line_block`), else over three lines.
//! - `attribute`: doc attributes as `///` comments (written by `print.rs`); an attribute
//!   rustfmt cannot parse as a meta item (`#[wrap(name = ident)]`) is kept as written, which is
//!   `print.rs`'s layout; meta lists on one line when they fit and their arguments take at most
//!   70 columns (`attr_fn_like_width`; one item or a `derive` list: whenever it fits), else one
//!   per line.
//! - `head`: `use` lines sorted by rustfmt's style-edition-2024 version sort.
//! - items: `fn` bodies never on the signature's line (`fn_single_line` is off); no blank lines
//!   added or removed (the emitter writes none).

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};

const MAX_WIDTH: usize = 100;
const FN_CALL_WIDTH: usize = 60;
const ATTR_FN_LIKE_WIDTH: usize = 70;
const INDENT: usize = 4;

/// The width up to which a construct laid out only on one line here (a signature, an `impl`
/// or `struct` header, a tuple struct, a trait's constant) is written: rustfmt breaks such a
/// line somewhere before 100 columns by rules not written here, so longer ones are declined.
const ONE_LINE_WIDTH: usize = 90;

/// The text rustfmt would write for one emitted item stream (one or several items), or `None`
/// when it contains a shape without a rule here.
pub fn item(tokens: &TokenStream) -> Option<String> {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut cur = Cursor::new(&tokens);
    let mut out = String::new();
    while !cur.done() {
        top_item(&mut cur, &mut out)?;
    }
    Some(out)
}

/// The inner attributes and `use` lines of the file, as rustfmt writes them (the `use` lines
/// sorted), or `None` when one is not of a recognised shape.
pub fn head(inner_attrs: &TokenStream, uses: &[TokenStream]) -> Option<String> {
    let tokens: Vec<TokenTree> = inner_attrs.clone().into_iter().collect();
    let mut cur = Cursor::new(&tokens);
    let mut out = String::new();
    attributes(&mut cur, 0, MAX_WIDTH, &mut out)?;
    if !cur.done() {
        return None;
    }
    let mut paths = Vec::with_capacity(uses.len());
    for tokens in uses {
        let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
        let mut cur = Cursor::new(&tokens);
        cur.keyword("use")?;
        let mut segments = vec![cur.ident()?];
        while cur.punct2(':', ':') {
            segments.push(cur.ident()?);
        }
        cur.punct(';')?;
        if !cur.done() || segments.iter().any(|s| s.starts_with("r#")) {
            return None;
        }
        paths.push(segments);
    }
    // rustfmt sorts a run of `use` items; an order this sort cannot tell for sure (numbers
    // equal but for leading zeros) is left to rustfmt.
    let mut sure = true;
    paths.sort_by(|a, b| path_order(a, b, &mut sure));
    if !sure {
        return None;
    }
    for segments in paths {
        let line = format!("use {};", segments.join("::"));
        if line.len() > MAX_WIDTH {
            return None;
        }
        out.push_str(&line);
        out.push('\n');
    }
    Some(out)
}

/// rustfmt's order of two `use` paths (style edition 2024): segment by segment, each compared
/// by [`version_order`]; a path that is a prefix of the other first.
fn path_order(a: &[String], b: &[String], sure: &mut bool) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = version_order(x, y, sure);
        if order.is_ne() {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

/// The style guide's "version sorting" of two identifiers: split into chunks of `_`, of ASCII
/// digits and of other characters; `_` before anything else, numbers before other text and
/// compared by value, other text by code point; a prefix first. Equal numbers with different
/// leading zeros (an order this does not reproduce) clear `sure`.
fn version_order(a: &str, b: &str, sure: &mut bool) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut a, mut b) = (chunks(a), chunks(b));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (x.as_bytes()[0], y.as_bytes()[0]) {
                    (b'_', b'_') => Ordering::Equal,
                    (b'_', _) => Ordering::Less,
                    (_, b'_') => Ordering::Greater,
                    (p, q) if p.is_ascii_digit() && q.is_ascii_digit() => {
                        let (u, v) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                        let order = u.len().cmp(&v.len()).then_with(|| u.cmp(v));
                        if order.is_eq() && x != y {
                            *sure = false;
                        }
                        order
                    }
                    (p, _) if p.is_ascii_digit() => Ordering::Less,
                    (_, q) if q.is_ascii_digit() => Ordering::Greater,
                    _ => x.cmp(y),
                };
                if order.is_ne() {
                    return order;
                }
            }
        }
    }
}

/// Chunks for [`version_order`]: each `_` alone, runs of ASCII digits, runs of anything else.
fn chunks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let len = if first == '_' {
            1
        } else if first.is_ascii_digit() {
            rest.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len())
        } else {
            rest.find(|c: char| c == '_' || c.is_ascii_digit())
                .unwrap_or(rest.len())
        };
        let (chunk, tail) = rest.split_at(len);
        rest = tail;
        Some(chunk)
    })
}

// ---------------------------------------------------------------------------------------------
// Tokens

struct Cursor<'a> {
    tokens: &'a [TokenTree],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(tokens: &'a [TokenTree]) -> Self {
        Cursor { tokens, pos: 0 }
    }

    fn done(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    fn peek(&self) -> Option<&'a TokenTree> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, k: usize) -> Option<&'a TokenTree> {
        self.tokens.get(self.pos + k)
    }

    fn is_punct(&self, ch: char) -> bool {
        matches!(self.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ch)
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(TokenTree::Ident(i)) if i == word)
    }

    /// Consumes the punctuation `ch`.
    fn punct(&mut self, ch: char) -> Option<()> {
        if self.is_punct(ch) {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    /// Consumes `a` joined to `b` (`::`, `->`), if there.
    fn punct2(&mut self, a: char, b: char) -> bool {
        match (self.peek(), self.peek_at(1)) {
            (Some(TokenTree::Punct(p)), Some(TokenTree::Punct(q)))
                if p.as_char() == a && p.spacing() == Spacing::Joint && q.as_char() == b =>
            {
                self.pos += 2;
                true
            }
            _ => false,
        }
    }

    fn keyword(&mut self, word: &str) -> Option<()> {
        if self.is_keyword(word) {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    fn eat_keyword(&mut self, word: &str) -> bool {
        self.keyword(word).is_some()
    }

    /// An identifier that is not a keyword this module gives a meaning to.
    fn ident(&mut self) -> Option<String> {
        match self.peek() {
            Some(TokenTree::Ident(i)) => {
                let text = i.to_string();
                if matches!(
                    text.as_str(),
                    "pub"
                        | "const"
                        | "fn"
                        | "unsafe"
                        | "extern"
                        | "impl"
                        | "for"
                        | "struct"
                        | "type"
                        | "trait"
                        | "as"
                        | "mut"
                        | "dyn"
                        | "where"
                        | "use"
                        | "static"
                        | "enum"
                        | "union"
                        | "let"
                        | "match"
                        | "if"
                        | "else"
                        | "return"
                ) {
                    return None;
                }
                self.pos += 1;
                Some(text)
            }
            _ => None,
        }
    }

    fn group(&mut self, delimiter: Delimiter) -> Option<&'a Group> {
        match self.peek() {
            Some(TokenTree::Group(g)) if g.delimiter() == delimiter => {
                self.pos += 1;
                Some(g)
            }
            _ => None,
        }
    }
}

fn tokens_of(group: &Group) -> Vec<TokenTree> {
    group.stream().into_iter().collect()
}

/// Splits `tokens` at top-level commas; `trailing` tells whether the last part was empty
/// (a trailing comma), which is then dropped.
fn split_commas(tokens: &[TokenTree]) -> (Vec<&[TokenTree]>, bool) {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if matches!(t, TokenTree::Punct(p) if p.as_char() == ',') {
            parts.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    let trailing = start == tokens.len() && !tokens.is_empty();
    if !trailing {
        parts.push(&tokens[start..]);
    }
    if tokens.is_empty() {
        parts.clear();
    }
    (parts, trailing)
}

// ---------------------------------------------------------------------------------------------
// Items

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn visibility(cur: &mut Cursor) -> Option<&'static str> {
    if cur.eat_keyword("pub") {
        // `pub(crate)` and the like: no rule.
        if matches!(cur.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
        {
            return None;
        }
        Some("pub ")
    } else {
        Some("")
    }
}

/// One top-level item with its attributes.
fn top_item(cur: &mut Cursor, out: &mut String) -> Option<()> {
    attributes(cur, 0, MAX_WIDTH, out)?;
    let vis = visibility(cur)?;
    if cur.is_keyword("const") {
        return const_item(cur, vis, 0, out);
    }
    if cur.is_keyword("type") {
        return type_item(cur, vis, 0, out);
    }
    if cur.is_keyword("struct") {
        return struct_item(cur, vis, out);
    }
    let unsafety = if cur.eat_keyword("unsafe") {
        "unsafe "
    } else {
        ""
    };
    if cur.is_keyword("impl") {
        return impl_item(cur, &format!("{vis}{unsafety}"), out);
    }
    if cur.is_keyword("trait") {
        return trait_item(cur, &format!("{vis}{unsafety}"), out);
    }
    None
}

/// Outer (or inner, `#!`) attributes at `at`, one per line, up to column `end` (a struct
/// field's attributes get the field's width, which keeps a column for its comma).
fn attributes(cur: &mut Cursor, at: usize, end: usize, out: &mut String) -> Option<()> {
    while cur.is_punct('#') {
        let rest = &cur.tokens[cur.pos..];
        let inner = matches!(rest.get(1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
        let len = 2 + usize::from(inner);
        let Some(TokenTree::Group(group)) = rest.get(len - 1) else {
            return None;
        };
        if group.delimiter() != Delimiter::Bracket {
            return None;
        }
        let text = attribute(&rest[..len], group, inner, at, end)?;
        for (k, line) in text.split('\n').enumerate() {
            if k == 0 {
                indent(out, at);
            }
            out.push_str(line);
            out.push('\n');
        }
        cur.pos += len;
    }
    Some(())
}

/// One attribute's text (lines after the first carry their own indentation).
fn attribute(
    tokens: &[TokenTree],
    group: &Group,
    inner: bool,
    at: usize,
    end: usize,
) -> Option<String> {
    let body = tokens_of(group);
    // Doc attributes: the comment `print.rs` writes; rustfmt leaves line comments alone. A
    // comment over several lines (a block comment) is re-indented by rustfmt: no rule.
    if matches!(body.first(), Some(TokenTree::Ident(i)) if i == "doc") {
        let text = crate::print::doc_comment(&body, inner)?;
        // Control characters (tabs, carriage returns): rustfmt's handling is not written here.
        return (!text.chars().any(char::is_control)).then_some(text);
    }
    let prefix = if inner { "#![" } else { "#[" };
    match meta(&body)? {
        // rustfmt keeps an attribute that is not a meta item (`name = ident`, `x = -1`) as
        // written: `print.rs`'s layout.
        None => crate::print::attribute(tokens, at).map(|(_, text)| text),
        Some(meta) => {
            // rustfmt's `Attribute::rewrite`: the meta item in the width after `#[`, less `]`.
            let flat = format!("{prefix}{}]", meta.flat());
            // A list of one item: on one line whenever it fits (rustfmt's overflow lists);
            // `derive` lists too (rustfmt's `format_derive`: no `attr_fn_like_width`).
            let derive = matches!(&meta, Meta::List(path, ..) if path == "derive") && !inner;
            let args_width = meta.args_width();
            if at + flat.len() <= end
                && (derive
                    || matches!(&meta, Meta::List(_, items, _) if items.len() == 1)
                    || args_width.is_none_or(|w| w <= ATTR_FN_LIKE_WIDTH))
            {
                return Some(flat);
            }
            // One nested item per line (no rule for nested lists there).
            let Meta::List(path, items, trailing) = &meta else {
                return None;
            };
            let mut text = format!("{prefix}{path}(\n");
            for (k, item) in items.iter().enumerate() {
                if matches!(item, Meta::List(..)) {
                    return None;
                }
                let line = item.flat();
                // `format_derive` ends a vertical list with a comma.
                let comma = k + 1 < items.len() || *trailing || derive;
                if at + INDENT + line.len() + 1 > MAX_WIDTH {
                    // rustfmt keeps a literal it cannot fit and goes on: no rule here.
                    return None;
                }
                indent(&mut text, at + INDENT);
                text.push_str(&line);
                if comma {
                    text.push(',');
                }
                text.push('\n');
            }
            indent(&mut text, at);
            text.push_str(")]");
            Some(text)
        }
    }
}

/// A meta item as rustc parses attributes (`path`, `path = literal`, `path(nested, ...)`).
enum Meta {
    Path(String),
    NameValue(String, String),
    /// The path, the nested items, and whether the tokens end with a comma.
    List(String, Vec<Meta>, bool),
    Lit(String),
}

impl Meta {
    fn flat(&self) -> String {
        match self {
            Meta::Path(p) | Meta::Lit(p) => p.clone(),
            Meta::NameValue(p, v) => format!("{p} = {v}"),
            Meta::List(p, items, _) => {
                let items: Vec<String> = items.iter().map(Meta::flat).collect();
                format!("{p}({})", items.join(", "))
            }
        }
    }

    /// The width of the arguments of a list on one line.
    fn args_width(&self) -> Option<usize> {
        match self {
            Meta::List(_, items, _) => {
                let items: Vec<String> = items.iter().map(Meta::flat).collect();
                Some(
                    items.iter().map(String::len).sum::<usize>()
                        + 2 * items.len().saturating_sub(1),
                )
            }
            _ => None,
        }
    }
}

/// `Some(Some(meta))` for a meta item, `Some(None)` for attribute tokens that are not one
/// (rustfmt keeps them as written), `None` when unsure (decline).
fn meta(tokens: &[TokenTree]) -> Option<Option<Meta>> {
    let mut cur = Cursor::new(tokens);
    let mut path = match cur.peek() {
        Some(TokenTree::Ident(i)) => i.to_string(),
        _ => return None,
    };
    cur.pos += 1;
    while cur.punct2(':', ':') {
        let Some(TokenTree::Ident(i)) = cur.peek() else {
            return None;
        };
        path.push_str("::");
        path.push_str(&i.to_string());
        cur.pos += 1;
    }
    if cur.done() {
        return Some(Some(Meta::Path(path)));
    }
    if cur.punct('=').is_some() {
        let value = match (cur.peek(), cur.peek_at(1)) {
            (Some(TokenTree::Literal(l)), None) => meta_literal(l)?,
            (Some(TokenTree::Ident(i)), None) if i == "true" || i == "false" => i.to_string(),
            _ => return Some(None),
        };
        return Some(Some(Meta::NameValue(path, value)));
    }
    let group = cur.group(Delimiter::Parenthesis)?;
    if !cur.done() {
        return None;
    }
    let inner = tokens_of(group);
    let (parts, trailing) = split_commas(&inner);
    let mut items = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            [] => return None,
            [TokenTree::Literal(l)] => items.push(Meta::Lit(meta_literal(l)?)),
            _ => match meta(part)? {
                Some(m) => items.push(m),
                None => return Some(None),
            },
        }
    }
    Some(Some(Meta::List(path, items, trailing)))
}

/// The text of a literal in a meta item: a plain string or an unsuffixed integer (`None`, a
/// decline, for others: what rustc's attribute parser makes of them is not written here).
fn meta_literal(literal: &proc_macro2::Literal) -> Option<String> {
    let text = literal.to_string();
    let plain = text.starts_with('"') || text.bytes().all(|b| b.is_ascii_digit());
    plain.then_some(text)
}

/// `const NAME: TYPE = EXPR;` at `at` (after the visibility).
fn const_item(cur: &mut Cursor, vis: &str, at: usize, out: &mut String) -> Option<()> {
    cur.keyword("const")?;
    let name = cur.ident()?;
    cur.punct(':')?;
    let ty_tokens = until_punct(cur, '=')?;
    let ty = parse_type_all(ty_tokens)?;
    cur.punct('=')?;
    let expr_tokens = until_punct(cur, ';')?;
    cur.punct(';')?;
    let expr = parse_expr_all(expr_tokens)?;
    // rustfmt's `rewrite_static`: the type on the line of the name, fitting before ` =`.
    let ty = ty.flat();
    let lhs = format!("{vis}const {name}: {ty} =");
    assign_item(&lhs, at, &|shape| expr_rw(&expr, shape), out)
}

/// `LHS = RHS;` on its own line at `at` (a `const` or `type` item), by [`assign_rhs`]; `None`
/// when the left side does not leave room for the right one on its line.
fn assign_item(
    lhs: &str,
    at: usize,
    rhs: &dyn Fn(Shape) -> Rewrite,
    out: &mut String,
) -> Option<()> {
    if at + lhs.len() + 1 > MAX_WIDTH - 1 {
        return None;
    }
    let text = assign_rhs(lhs, at, MAX_WIDTH - 1, rhs)?;
    indent(out, at);
    out.push_str(&text);
    out.push_str(";\n");
    Some(())
}

/// `const NAME: TYPE;` (a trait's associated constant).
fn trait_const(cur: &mut Cursor, at: usize, out: &mut String) -> Option<()> {
    cur.keyword("const")?;
    let name = cur.ident()?;
    cur.punct(':')?;
    let ty = parse_type_all(until_punct(cur, ';')?)?;
    cur.punct(';')?;
    let line = format!("const {name}: {};", ty.flat());
    if at + line.len() > ONE_LINE_WIDTH {
        return None;
    }
    indent(out, at);
    out.push_str(&line);
    out.push('\n');
    Some(())
}

/// `type NAME = TYPE;`
fn type_item(cur: &mut Cursor, vis: &str, at: usize, out: &mut String) -> Option<()> {
    cur.keyword("type")?;
    let name = cur.ident()?;
    cur.punct('=')?;
    let ty = parse_type_all(until_punct(cur, ';')?)?;
    cur.punct(';')?;
    let lhs = format!("{vis}type {name} =");
    assign_item(&lhs, at, &|shape| ty_rw(&ty, shape), out)
}

/// `struct NAME { fields }` / `struct NAME(fields);` / `struct NAME<T> { ... }`.
fn struct_item(cur: &mut Cursor, vis: &str, out: &mut String) -> Option<()> {
    cur.keyword("struct")?;
    let name = cur.ident()?;
    let generics = simple_generics(cur)?;
    if let Some(group) = cur.group(Delimiter::Parenthesis) {
        cur.punct(';')?;
        let inner = tokens_of(group);
        let (parts, trailing) = split_commas(&inner);
        if trailing {
            return None;
        }
        let mut fields = Vec::new();
        for part in parts {
            let mut c = Cursor::new(part);
            let vis = visibility(&mut c)?;
            if c.is_punct('#') {
                return None;
            }
            let ty = parse_type_all(&part[c.pos..])?;
            fields.push(format!("{vis}{}", ty.flat()));
        }
        let line = format!("{vis}struct {name}{generics}({});", fields.join(", "));
        if line.len() > ONE_LINE_WIDTH {
            return None;
        }
        out.push_str(&line);
        out.push('\n');
        return Some(());
    }
    let group = cur.group(Delimiter::Brace)?;
    let header = format!("{vis}struct {name}{generics} {{");
    if header.len() > ONE_LINE_WIDTH {
        return None;
    }
    let inner = tokens_of(group);
    if inner.is_empty() {
        out.push_str(&header);
        out.push_str("}\n");
        return Some(());
    }
    out.push_str(&header);
    out.push('\n');
    let (parts, _) = split_commas(&inner);
    for part in parts {
        let mut c = Cursor::new(part);
        attributes(&mut c, INDENT, MAX_WIDTH - 1, out)?;
        let vis = visibility(&mut c)?;
        let field = c.ident()?;
        c.punct(':')?;
        let ty = parse_type_all(&part[c.pos..])?;
        // rustfmt's `rewrite_struct_field`: the type after the name when it fits there on one
        // line, else `rewrite_assign_rhs`; 1 column kept for the comma.
        let lhs = format!("{vis}{field}:");
        if INDENT + lhs.len() + 1 > MAX_WIDTH - 1 {
            return None;
        }
        let text = assign_rhs(&lhs, INDENT, MAX_WIDTH - 1, &|shape| ty_rw(&ty, shape))?;
        indent(out, INDENT);
        out.push_str(&text);
        out.push_str(",\n");
    }
    out.push_str("}\n");
    Some(())
}

/// `<T, U>` of plain type parameters, or nothing.
fn simple_generics(cur: &mut Cursor) -> Option<String> {
    if cur.punct('<').is_none() {
        return Some(String::new());
    }
    let mut names = vec![cur.ident()?];
    while cur.punct(',').is_some() {
        names.push(cur.ident()?);
    }
    cur.punct('>')?;
    Some(format!("<{}>", names.join(", ")))
}

/// `impl PATH { ... }` / `impl TRAIT for TYPE { ... }` (`prefix`: `unsafe ` or nothing).
fn impl_item(cur: &mut Cursor, prefix: &str, out: &mut String) -> Option<()> {
    if !prefix.trim_end().is_empty() && prefix != "unsafe " {
        return None;
    }
    cur.keyword("impl")?;
    let generics = simple_generics(cur)?;
    let start = cur.pos;
    while !matches!(cur.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace) {
        cur.peek()?;
        cur.pos += 1;
    }
    let head = &cur.tokens[start..cur.pos];
    let for_at = head
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "for"));
    let head_text = match for_at {
        Some(k) => format!(
            "{} for {}",
            parse_type_all(&head[..k])?.flat(),
            parse_type_all(&head[k + 1..])?.flat()
        ),
        None => parse_type_all(head)?.flat(),
    };
    let body = cur.group(Delimiter::Brace)?;
    block_item(&format!("{prefix}impl{generics} {head_text} {{"), body, out)
}

/// An `impl` or `trait` block: its one-line `header` (ending in `{`), then its associated
/// items; `None` past [`ONE_LINE_WIDTH`], where rustfmt's rule for breaking it is not written.
fn block_item(header: &str, body: &Group, out: &mut String) -> Option<()> {
    if header.len() > ONE_LINE_WIDTH {
        return None;
    }
    out.push_str(header);
    assoc_items(body, out)?;
    out.push_str("}\n");
    Some(())
}

/// `trait NAME { ... }` (`prefix`: visibility and `unsafe `).
fn trait_item(cur: &mut Cursor, prefix: &str, out: &mut String) -> Option<()> {
    cur.keyword("trait")?;
    let name = cur.ident()?;
    let body = cur.group(Delimiter::Brace)?;
    block_item(&format!("{prefix}trait {name} {{"), body, out)
}

/// The items of an `impl` or `trait` block, one level in; the block's `{` is already written.
fn assoc_items(body: &Group, out: &mut String) -> Option<()> {
    let tokens = tokens_of(body);
    if tokens.is_empty() {
        return Some(());
    }
    out.push('\n');
    let mut cur = Cursor::new(&tokens);
    while !cur.done() {
        attributes(&mut cur, INDENT, MAX_WIDTH, out)?;
        let vis = visibility(&mut cur)?;
        if cur.is_keyword("type") {
            type_item(&mut cur, vis, INDENT, out)?;
        } else if cur.is_keyword("const")
            && matches!(cur.peek_at(1), Some(TokenTree::Ident(i)) if i == "fn")
        {
            cur.pos += 1;
            fn_item(&mut cur, &format!("{vis}const "), out)?;
        } else if cur.is_keyword("const") {
            // `const X: T = v;` or, in a trait, `const X: T;`.
            let rest = &cur.tokens[cur.pos..];
            let semi = rest
                .iter()
                .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))?;
            let has_value = rest[..semi]
                .iter()
                .any(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == '='));
            if has_value {
                const_item(&mut cur, vis, INDENT, out)?;
            } else if vis.is_empty() {
                trait_const(&mut cur, INDENT, out)?;
            } else {
                return None;
            }
        } else if cur.is_keyword("fn") {
            fn_item(&mut cur, vis, out)?;
        } else {
            return None;
        }
    }
    Some(())
}

/// `fn name(params) -> R { body }` one level in (`prefix`: visibility, `const `).
fn fn_item(cur: &mut Cursor, prefix: &str, out: &mut String) -> Option<()> {
    cur.keyword("fn")?;
    let name = cur.ident()?;
    let params = cur.group(Delimiter::Parenthesis)?;
    let inner = tokens_of(params);
    let (parts, trailing) = split_commas(&inner);
    if trailing {
        return None;
    }
    let mut texts = Vec::new();
    for part in parts {
        texts.push(fn_param(part)?);
    }
    let ret = if cur.punct2('-', '>') {
        let start = cur.pos;
        while !matches!(cur.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace)
        {
            cur.peek()?;
            cur.pos += 1;
        }
        format!(
            " -> {}",
            parse_type_all(&cur.tokens[start..cur.pos])?.flat()
        )
    } else {
        String::new()
    };
    let body = cur.group(Delimiter::Brace)?;
    // The signature on one line (no rule for rustfmt's broken signatures).
    let sig = format!("{prefix}fn {name}({}){ret} {{", texts.join(", "));
    if INDENT + sig.len() > ONE_LINE_WIDTH {
        return None;
    }
    indent(out, INDENT);
    out.push_str(&sig);
    out.push('\n');
    let at = 2 * INDENT;
    let stmts = tokens_of(body);
    // Statements: `expr;` or a final `expr` (rustfmt never puts a body on the line of the
    // signature: `fn_single_line` is off).
    let mut rest: &[TokenTree] = &stmts;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let semi = rest
            .iter()
            .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'));
        let (expr_tokens, end) = match semi {
            Some(k) => (&rest[..k], MAX_WIDTH - 1),
            None => (rest, MAX_WIDTH),
        };
        let expr = parse_expr_all(expr_tokens)?;
        let text = expr_rw(
            &expr,
            Shape {
                col: at,
                block: at,
                end,
            },
        )??;
        if text == UNKNOWN_LINES {
            return None;
        }
        indent(out, at);
        out.push_str(&text);
        if semi.is_some() {
            out.push(';');
        }
        out.push('\n');
        rest = match semi {
            Some(k) => &rest[k + 1..],
            None => &[],
        };
    }
    indent(out, INDENT);
    out.push_str("}\n");
    Some(())
}

fn fn_param(tokens: &[TokenTree]) -> Option<String> {
    let mut cur = Cursor::new(tokens);
    if cur.punct('&').is_some() {
        let mutable = cur.eat_keyword("mut");
        cur.keyword("self")?;
        return cur
            .done()
            .then(|| format!("&{}self", if mutable { "mut " } else { "" }));
    }
    if cur.eat_keyword("self") {
        return cur.done().then(|| "self".to_string());
    }
    let mutable = cur.eat_keyword("mut");
    let name = cur.ident()?;
    cur.punct(':')?;
    let ty = parse_type_all(&tokens[cur.pos..])?;
    Some(format!(
        "{}{name}: {}",
        if mutable { "mut " } else { "" },
        ty.flat()
    ))
}

/// The tokens up to (not including) the punctuation `ch` at this level.
fn until_punct<'a>(cur: &mut Cursor<'a>, ch: char) -> Option<&'a [TokenTree]> {
    let start = cur.pos;
    while !cur.is_punct(ch) {
        cur.peek()?;
        cur.pos += 1;
    }
    // Not the first character of `==` or the like.
    match cur.peek() {
        Some(TokenTree::Punct(p)) if p.spacing() == Spacing::Alone => {
            Some(&cur.tokens[start..cur.pos])
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Layout

/// Where a piece of text goes: it starts at column `col`, lines after the first are indented
/// from `block`, and no line may reach past column `end`.
#[derive(Clone, Copy, Debug)]
struct Shape {
    col: usize,
    block: usize,
    end: usize,
}

/// A rewrite: `None` declines (no rule), `Some(None)` is rustfmt finding no layout at that
/// position, `Some(Some(text))` its layout.
type Rewrite = Option<Option<String>>;

/// A layout rustfmt makes on several lines (or none), with no rule here for which: enough
/// when the other position wins anyway ([`assign_rhs`] with a right side that fits on the next
/// line).
const UNKNOWN_LINES: &str = "\n(several lines)";

/// `lhs rhs` as rustfmt's `rewrite_assign_rhs` lays it out (`choose_rhs`, `prefer_next_line`):
/// `lhs` starts at column `at` and is one line; `end` is the last column the text may use
/// (the line's `;` or `,` comes after it).
fn assign_rhs(lhs: &str, at: usize, end: usize, rhs: &dyn Fn(Shape) -> Rewrite) -> Option<String> {
    let same = Shape {
        col: at + lhs.len() + 1,
        block: at,
        end,
    };
    let orig = rhs(same)?;
    if let Some(orig) = &orig
        && !orig.contains('\n')
    {
        return Some(format!("{lhs} {orig}"));
    }
    let next = Shape {
        col: at + INDENT,
        block: at + INDENT,
        end,
    };
    let new = rhs(next)?;
    let indent = " ".repeat(at + INDENT);
    let unknown = |t: &Option<String>| t.as_deref() == Some(UNKNOWN_LINES);
    if unknown(&new) || unknown(&orig) && new.as_ref().is_none_or(|n| n.contains('\n')) {
        return None;
    }
    match (orig, new) {
        (Some(orig), Some(new)) if !prefer_next_line(&orig, &new) => Some(format!("{lhs} {orig}")),
        (_, Some(new)) => Some(format!("{lhs}\n{indent}{new}")),
        (Some(orig), None) => Some(format!("{lhs} {orig}")),
        // rustfmt keeps such an item as written: no rule.
        (None, None) => None,
    }
}

/// rustfmt's `prefer_next_line`: the right side goes to the next line when it is one line
/// there, or takes fewer lines, or does not start by opening a bracket where the same-line
/// layout does.
fn prefer_next_line(orig: &str, new: &str) -> bool {
    let first_ends = |s: &str, ch: char| s.lines().next().is_some_and(|l| l.ends_with(ch));
    !new.contains('\n')
        || orig.matches('\n').count() > new.matches('\n').count() + 1
        || ['(', '{', '[']
            .iter()
            .any(|&c| first_ends(orig, c) && !first_ends(new, c))
}

fn fits(shape: Shape, text: &str) -> bool {
    shape.col + text.len() <= shape.end
}

// ---------------------------------------------------------------------------------------------
// Types

#[derive(Debug)]
enum Ty {
    /// A path, each segment with its generic arguments.
    Path(Vec<(String, Vec<Ty>)>),
    Lifetime(String),
    Ptr(&'static str, Box<Ty>),
    Ref(Option<String>, bool, Box<Ty>),
    Array(Box<Ty>, String),
    Tuple(Vec<Ty>),
    BareFn(BareFn),
}

#[derive(Debug)]
struct BareFn {
    /// `unsafe extern "system" fn`.
    prefix: String,
    /// Each parameter (`name: T` or `T`) on one line (rustfmt lays out none over several).
    params: Vec<String>,
    ret: Option<Box<Ty>>,
}

impl Ty {
    fn flat(&self) -> String {
        match self {
            Ty::Path(segments) => {
                let parts: Vec<String> = segments
                    .iter()
                    .map(|(name, args)| {
                        if args.is_empty() {
                            name.clone()
                        } else {
                            let args: Vec<String> = args.iter().map(Ty::flat).collect();
                            format!("{name}<{}>", args.join(", "))
                        }
                    })
                    .collect();
                parts.join("::")
            }
            Ty::Lifetime(l) => l.clone(),
            Ty::Ptr(m, t) => format!("*{m} {}", t.flat()),
            Ty::Ref(l, m, t) => {
                let mut s = String::from("&");
                if let Some(l) = l {
                    s.push_str(l);
                    s.push(' ');
                }
                if *m {
                    s.push_str("mut ");
                }
                s.push_str(&t.flat());
                s
            }
            Ty::Array(t, n) => format!("[{}; {n}]", t.flat()),
            Ty::Tuple(items) => {
                let items: Vec<String> = items.iter().map(Ty::flat).collect();
                format!("({})", items.join(", "))
            }
            Ty::BareFn(f) => {
                let params = &f.params;
                let ret = f.ret.as_ref().map(|r| format!(" -> {}", r.flat()));
                format!(
                    "{}({}){}",
                    f.prefix,
                    params.join(", "),
                    ret.unwrap_or_default()
                )
            }
        }
    }

    /// Whether rustfmt finds no layout for this type when it does not fit on one line (a path
    /// without generic arguments, or a pointer to one): its rewrite only shortens the width.
    fn is_plain(&self) -> bool {
        match self {
            Ty::Path(segments) => segments.iter().all(|(_, args)| args.is_empty()),
            Ty::Ptr(_, t) | Ty::Ref(None, _, t) => t.is_plain(),
            _ => false,
        }
    }
}

/// rustfmt's layout of a type in `shape`.
fn ty_rw(ty: &Ty, shape: Shape) -> Rewrite {
    if let Ty::BareFn(f) = ty {
        return fn_type(f, shape);
    }
    let flat = ty.flat();
    match ty {
        Ty::Path(segments) if !fits(shape, &flat) => {
            if let [(name, args)] = segments.as_slice()
                && let [arg @ Ty::BareFn(_)] = args.as_slice()
            {
                return generic_type(name, arg, shape);
            }
        }
        _ => {}
    }
    if fits(shape, &flat) {
        Some(Some(flat))
    } else if ty.is_plain() {
        Some(None)
    } else {
        None
    }
}

/// `Name<fn...>` that does not fit on one line: rustfmt's angle-bracket list puts the argument
/// on its own line, one level deeper, with a trailing comma (a function type is never
/// "overflowed" into the brackets).
fn generic_type(name: &str, arg: &Ty, shape: Shape) -> Rewrite {
    // rustfmt checks the name against the width, not the `<` after it.
    if shape.col + name.len() > shape.end {
        return Some(None);
    }
    let inner = shape.block + INDENT;
    let item = ty_rw(
        arg,
        Shape {
            col: inner,
            block: inner,
            end: MAX_WIDTH - 1,
        },
    )?;
    let Some(item) = item else {
        return Some(None);
    };
    if item == UNKNOWN_LINES {
        return Some(Some(item));
    }
    let close = " ".repeat(shape.block);
    Some(Some(format!(
        "{name}<\n{}{item},\n{close}>",
        " ".repeat(inner)
    )))
}

/// rustfmt's `format_function_type` for `prefix(params) -> R` in `shape`.
fn fn_type(f: &BareFn, shape: Shape) -> Rewrite {
    // rustfmt reserves ` -> ` after `fn` first, whether there is a return type or not.
    let col = shape.col + f.prefix.len();
    if col + 4 > shape.end {
        return Some(None);
    }
    // The return type, laid out after `fn` and ` -> ` on the first line, whatever the
    // parameters become.
    let output = match &f.ret {
        Some(ret) => {
            let r = ty_rw(
                ret,
                Shape {
                    col: col + 4,
                    block: shape.block,
                    end: shape.end,
                },
            )?;
            match r {
                Some(r) if !r.contains('\n') => format!(" -> {r}"),
                Some(_) => return None,
                None => return Some(None),
            }
        }
        None => String::new(),
    };
    let params = &f.params;
    let list_indent = shape.block + INDENT;
    // A parameter wider than its line: rustfmt's layout of it is not written here.
    if params
        .iter()
        .any(|p| list_indent + p.len() + 1 >= MAX_WIDTH)
    {
        return None;
    }
    let total: usize =
        params.iter().map(String::len).sum::<usize>() + 2 * params.len().saturating_sub(1);
    if col + 2 + total + output.len() <= shape.end {
        return Some(Some(format!("{}({}){output}", f.prefix, params.join(", "))));
    }
    // No parameters: `()` stays on the line (an empty list is "horizontal") and `-> R` goes
    // on a line of its own, as below.
    if params.is_empty() {
        let indent = " ".repeat(list_indent);
        return Some(Some(format!(
            "{}()\n{indent}{}",
            f.prefix,
            output.trim_start()
        )));
    }
    // One parameter per line, trailing comma. rustfmt then compares the width of the last
    // line, `)` with its indentation, plus ` -> R` with the space the first line had after
    // `fn`: when wider, `-> R` goes on a line of its own, at the parameters' indentation.
    let mut text = format!("{}(\n", f.prefix);
    for p in params {
        indent(&mut text, list_indent);
        text.push_str(p);
        text.push_str(",\n");
    }
    indent(&mut text, shape.block);
    text.push(')');
    if output.is_empty() || shape.block + 1 + output.len() <= shape.end - col {
        text.push_str(&output);
    } else {
        text.push('\n');
        indent(&mut text, list_indent);
        text.push_str(output.trim_start());
    }
    Some(Some(text))
}

fn parse_type_all(tokens: &[TokenTree]) -> Option<Ty> {
    let mut cur = Cursor::new(tokens);
    let ty = parse_type(&mut cur)?;
    cur.done().then_some(ty)
}

fn parse_type(cur: &mut Cursor) -> Option<Ty> {
    match cur.peek()? {
        TokenTree::Punct(p) if p.as_char() == '*' => {
            cur.pos += 1;
            let m = if cur.eat_keyword("mut") {
                "mut"
            } else {
                cur.keyword("const")?;
                "const"
            };
            Some(Ty::Ptr(m, Box::new(parse_type(cur)?)))
        }
        TokenTree::Punct(p) if p.as_char() == '&' => {
            cur.pos += 1;
            let lifetime = lifetime(cur);
            let m = cur.eat_keyword("mut");
            Some(Ty::Ref(lifetime, m, Box::new(parse_type(cur)?)))
        }
        TokenTree::Punct(p) if p.as_char() == '\'' => Some(Ty::Lifetime(lifetime(cur)?)),
        TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket => {
            cur.pos += 1;
            let inner = tokens_of(g);
            let semi = inner
                .iter()
                .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))?;
            let ty = parse_type_all(&inner[..semi])?;
            let [TokenTree::Literal(len)] = &inner[semi + 1..] else {
                return None;
            };
            Some(Ty::Array(Box::new(ty), len.to_string()))
        }
        TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => {
            cur.pos += 1;
            let inner = tokens_of(g);
            let (parts, trailing) = split_commas(&inner);
            if trailing {
                return None;
            }
            let items = parts
                .into_iter()
                .map(parse_type_all)
                .collect::<Option<Vec<Ty>>>()?;
            Some(Ty::Tuple(items))
        }
        TokenTree::Ident(i) if i == "unsafe" || i == "extern" || i == "fn" => bare_fn(cur),
        TokenTree::Ident(_) => {
            let mut segments = Vec::new();
            loop {
                let name = match cur.peek()? {
                    TokenTree::Ident(i) if i == "Self" || i == "self" || i == "crate" => {
                        cur.pos += 1;
                        i.to_string()
                    }
                    _ => cur.ident()?,
                };
                let mut args = Vec::new();
                if cur.is_punct('<') {
                    cur.pos += 1;
                    loop {
                        args.push(parse_type(cur)?);
                        if cur.punct(',').is_none() {
                            break;
                        }
                    }
                    cur.punct('>')?;
                }
                segments.push((name, args));
                if !cur.punct2(':', ':') {
                    break;
                }
            }
            Some(Ty::Path(segments))
        }
        _ => None,
    }
}

fn lifetime(cur: &mut Cursor) -> Option<String> {
    match (cur.peek(), cur.peek_at(1)) {
        (Some(TokenTree::Punct(p)), Some(TokenTree::Ident(i))) if p.as_char() == '\'' => {
            cur.pos += 2;
            Some(format!("'{i}"))
        }
        _ => None,
    }
}

fn bare_fn(cur: &mut Cursor) -> Option<Ty> {
    let mut prefix = String::new();
    if cur.eat_keyword("unsafe") {
        prefix.push_str("unsafe ");
    }
    if cur.eat_keyword("extern") {
        // `extern fn` without an ABI: rustfmt writes `extern "C"` (`force_explicit_abi`); no
        // rule here.
        let Some(TokenTree::Literal(abi)) = cur.peek() else {
            return None;
        };
        prefix.push_str("extern ");
        prefix.push_str(&abi.to_string());
        prefix.push(' ');
        cur.pos += 1;
    }
    cur.keyword("fn")?;
    prefix.push_str("fn");
    let group = cur.group(Delimiter::Parenthesis)?;
    let inner = tokens_of(group);
    let (parts, trailing) = split_commas(&inner);
    if trailing {
        return None;
    }
    let mut params = Vec::new();
    for part in parts {
        // `name: T` or `T` (no rule for variadics `...`).
        let named = matches!(part, [TokenTree::Ident(_), TokenTree::Punct(p), ..] if p.as_char() == ':' && p.spacing() == Spacing::Alone);
        if named {
            let mut c = Cursor::new(part);
            let name = match c.peek()? {
                TokenTree::Ident(i) if i == "_" => {
                    c.pos += 1;
                    "_".to_string()
                }
                _ => c.ident()?,
            };
            c.punct(':')?;
            params.push(format!(
                "{name}: {}",
                parse_type_all(&part[c.pos..])?.flat()
            ));
        } else {
            params.push(parse_type_all(part)?.flat());
        }
    }
    let ret = if cur.punct2('-', '>') {
        Some(Box::new(parse_type(cur)?))
    } else {
        None
    };
    Some(Ty::BareFn(BareFn {
        prefix,
        params,
        ret,
    }))
}

// ---------------------------------------------------------------------------------------------
// Expressions

#[derive(Debug)]
enum Expr {
    /// Text that has no line break rule here (literals, paths, operators, casts, fields).
    Flat(String, FlatKind),
    /// `callee(args)`; `bang` for a macro call.
    Call {
        callee: String,
        bang: bool,
        args: Vec<Expr>,
    },
    /// `unsafe { expr }`.
    Unsafe(Box<Expr>),
}

/// What a flat expression is, for rustfmt's rules that look at it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FlatKind {
    /// A literal or a path: "simple" for rustfmt's format-macro rule.
    Simple,
    Other,
}

impl Expr {
    fn flat(&self) -> String {
        match self {
            Expr::Flat(text, _) => text.clone(),
            Expr::Call { callee, bang, args } => {
                let args: Vec<String> = args.iter().map(Expr::flat).collect();
                format!(
                    "{callee}{}({})",
                    if *bang { "!" } else { "" },
                    args.join(", ")
                )
            }
            Expr::Unsafe(e) => format!("unsafe {{ {} }}", e.flat()),
        }
    }

    /// Whether every call in it takes at most `fn_call_width` for its arguments, as its
    /// one-line layout needs.
    fn calls_fit(&self) -> bool {
        match self {
            Expr::Flat(..) => true,
            // rustfmt's overflow lists: one argument stays on the line whenever it fits.
            Expr::Call { args, .. } => {
                (args.len() == 1 || args_width(args) <= FN_CALL_WIDTH)
                    && args.iter().all(Expr::calls_fit)
            }
            Expr::Unsafe(e) => e.calls_fit(),
        }
    }
}

fn args_width(args: &[Expr]) -> usize {
    args.iter().map(|a| a.flat().len()).sum::<usize>() + 2 * args.len().saturating_sub(1)
}

/// rustfmt's layout of an expression in `shape`.
fn expr_rw(expr: &Expr, shape: Shape) -> Rewrite {
    let flat = expr.flat();
    if fits(shape, &flat) && expr.calls_fit() {
        return Some(Some(flat));
    }
    match expr {
        Expr::Call { callee, bang, args } => call(callee, *bang, args, shape),
        Expr::Unsafe(inner) => block_expr(inner, shape),
        // A literal or other text wider than its line: rustfmt keeps it (style edition 2024
        // string literals), gives up, or breaks an operator chain; which one is not written
        // here, and matters only when the text does not fit on the next line either.
        Expr::Flat(..) => Some(Some(UNKNOWN_LINES.to_string())),
    }
}

/// A call that is not on one line: rustfmt puts one argument per line, one level deeper than
/// the line the call is on, with a trailing comma unless it is a macro whose tokens have none.
fn call(callee: &str, bang: bool, args: &[Expr], shape: Shape) -> Rewrite {
    let open = format!("{callee}{}(", if bang { "!" } else { "" });
    if args.is_empty() {
        return None;
    }
    // rustfmt rewrites the callee in the shape first: no layout when it does not fit.
    if shape.col + callee.len() + usize::from(bang) > shape.end {
        return Some(None);
    }
    // rustfmt first tries to overflow a last argument that is a block, or the only argument
    // when it is a call, into the parentheses: no rule here.
    if let Some(last) = args.last()
        && (matches!(last, Expr::Unsafe(_)) || matches!(last, Expr::Call { .. }) && args.len() == 1)
    {
        return None;
    }
    // rustfmt's format-like macros (`write!`, `format!`, `assert!`...) whose arguments are
    // all literals and paths get a layout of their own (the format string and the arguments
    // before it on the first line): no rule here.
    const SPECIAL: &[&str] = &[
        "format",
        "format_args",
        "print",
        "println",
        "eprint",
        "eprintln",
        "panic",
        "unreachable",
        "unimplemented",
        "todo",
        "debug",
        "error",
        "info",
        "warn",
        "trace",
        "assert",
        "debug_assert",
        "write",
        "writeln",
        "assert_eq",
        "assert_ne",
        "debug_assert_eq",
        "debug_assert_ne",
    ];
    let last_segment = callee.rsplit("::").next().unwrap_or(callee);
    if bang
        && SPECIAL.contains(&last_segment)
        && args
            .iter()
            .all(|a| matches!(a, Expr::Flat(_, FlatKind::Simple)))
    {
        return None;
    }
    let inner = shape.block + INDENT;
    let mut text = format!("{open}\n");
    for (k, arg) in args.iter().enumerate() {
        let line = arg.flat();
        if inner + line.len() + 1 > MAX_WIDTH || !arg.calls_fit() {
            return None;
        }
        indent(&mut text, inner);
        text.push_str(&line);
        if k + 1 < args.len() || !bang {
            text.push(',');
        }
        text.push('\n');
    }
    indent(&mut text, shape.block);
    text.push(')');
    Some(Some(text))
}

/// `unsafe { expr }` that is not on one line: the expression on a line of its own.
fn block_expr(inner: &Expr, shape: Shape) -> Rewrite {
    let at = shape.block + INDENT;
    let text = expr_rw(
        inner,
        Shape {
            col: at,
            block: at,
            end: MAX_WIDTH,
        },
    )??;
    if text.contains('\n') {
        return None;
    }
    Some(Some(format!(
        "unsafe {{\n{}{text}\n{}}}",
        " ".repeat(at),
        " ".repeat(shape.block)
    )))
}

fn parse_expr_all(tokens: &[TokenTree]) -> Option<Expr> {
    if tokens.is_empty() {
        return None;
    }
    // `unsafe { expr }`
    if let [TokenTree::Ident(u), TokenTree::Group(g)] = tokens
        && u == "unsafe"
        && g.delimiter() == Delimiter::Brace
    {
        return Some(Expr::Unsafe(Box::new(parse_expr_all(&tokens_of(g))?)));
    }
    // `path(args)` / `path!(args)`
    if let Some(TokenTree::Group(g)) = tokens.last()
        && g.delimiter() == Delimiter::Parenthesis
        && tokens.len() >= 2
    {
        let head = &tokens[..tokens.len() - 1];
        let (path_tokens, bang) = match head.last() {
            Some(TokenTree::Punct(p)) if p.as_char() == '!' => (&head[..head.len() - 1], true),
            _ => (head, false),
        };
        if let Some(callee) = expr_path(path_tokens) {
            let inner = tokens_of(g);
            let (parts, trailing) = split_commas(&inner);
            if trailing {
                return None;
            }
            let args = parts
                .into_iter()
                .map(parse_expr_all)
                .collect::<Option<Vec<Expr>>>()?;
            return Some(Expr::Call { callee, bang, args });
        }
    }
    let simple = matches!(tokens, [TokenTree::Literal(_)]) || expr_path(tokens).is_some();
    let text = flat_expr(tokens)?;
    Some(Expr::Flat(
        text,
        if simple {
            FlatKind::Simple
        } else {
            FlatKind::Other
        },
    ))
}

/// `a::b::c` as text, for the tokens of a path and nothing else.
fn expr_path(tokens: &[TokenTree]) -> Option<String> {
    let mut cur = Cursor::new(tokens);
    let mut text = match cur.peek()? {
        TokenTree::Ident(i) if i == "Self" || i == "self" || i == "crate" => {
            cur.pos += 1;
            i.to_string()
        }
        _ => cur.ident()?,
    };
    while cur.punct2(':', ':') {
        text.push_str("::");
        match cur.peek()? {
            TokenTree::Ident(i) if i == "Self" => {
                cur.pos += 1;
                text.push_str("Self");
            }
            _ => text.push_str(&cur.ident()?),
        }
    }
    cur.done().then_some(text)
}

/// An operator starting at `cur` (joined punctuation: `==`, `|=`), if one is there.
fn operator(cur: &mut Cursor) -> Option<String> {
    const BINARY: &[&str] = &[
        "==", "!=", "&&", "||", "|=", "&=", "^=", "+=", "-=", "&", "|", "^", "+", "-", "*", "/",
        "%", "=",
    ];
    let mut text = String::new();
    let mut k = 0;
    while let Some(TokenTree::Punct(p)) = cur.peek_at(k) {
        text.push(p.as_char());
        k += 1;
        if p.spacing() == Spacing::Alone {
            break;
        }
    }
    if BINARY.contains(&text.as_str()) {
        cur.pos += k;
        Some(text)
    } else {
        None
    }
}

/// The one-line text of an expression of operands (literals, paths, calls, parenthesised
/// expressions, `.field`) joined by binary operators and `as` casts, with prefix `& * - !`.
fn flat_expr(tokens: &[TokenTree]) -> Option<String> {
    let mut cur = Cursor::new(tokens);
    let mut text = String::new();
    loop {
        // Operand: prefix operators, then a literal, a path (maybe called) or a group.
        while let Some(TokenTree::Punct(p)) = cur.peek() {
            if !matches!(p.as_char(), '&' | '*' | '-' | '!') {
                return None;
            }
            text.push(p.as_char());
            cur.pos += 1;
        }
        match cur.peek()? {
            TokenTree::Literal(l) => {
                text.push_str(&l.to_string());
                cur.pos += 1;
            }
            TokenTree::Ident(_) => {
                let start = cur.pos;
                cur.pos += 1;
                while cur.punct2(':', ':') {
                    cur.peek()?;
                    cur.pos += 1;
                }
                text.push_str(&expr_path(&cur.tokens[start..cur.pos])?);
                if let Some(TokenTree::Group(g)) = cur.peek()
                    && g.delimiter() == Delimiter::Parenthesis
                {
                    cur.pos += 1;
                    text.push_str(&paren_list(g)?);
                }
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => {
                cur.pos += 1;
                text.push_str(&paren_list(g)?);
            }
            _ => return None,
        }
        // Postfix `.field`, then `as TYPE`s, then a binary operator or the end.
        while cur.is_punct('.') {
            cur.pos += 1;
            match cur.peek()? {
                TokenTree::Ident(_) | TokenTree::Literal(_) => {
                    text.push('.');
                    text.push_str(&cur.peek()?.to_string());
                    cur.pos += 1;
                }
                _ => return None,
            }
        }
        while cur.eat_keyword("as") {
            let start = cur.pos;
            // The type runs to the next `as`, operator or the end.
            let ty = parse_type(&mut cur)?;
            if cur.pos == start {
                return None;
            }
            text.push_str(" as ");
            text.push_str(&ty.flat());
        }
        if cur.done() {
            return Some(text);
        }
        let op = operator(&mut cur)?;
        text.push(' ');
        text.push_str(&op);
        text.push(' ');
    }
}

/// `(a, b)` of flat expressions.
fn paren_list(group: &Group) -> Option<String> {
    let inner = tokens_of(group);
    let (parts, trailing) = split_commas(&inner);
    if trailing {
        return None;
    }
    let parts = parts
        .into_iter()
        .map(|p| parse_expr_all(p).map(|e| e.flat()))
        .collect::<Option<Vec<String>>>()?;
    Some(format!("({})", parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_sort_chunks() {
        let mut sure = true;
        let mut names = [
            "x_2", "x10", "x2", "X", "x", "x_", "Win32", "core", "IO", "Iis",
        ];
        names.sort_by(|a, b| version_order(a, b, &mut sure));
        assert!(sure);
        assert_eq!(
            names,
            [
                "IO", "Iis", "Win32", "X", "core", "x", "x_", "x_2", "x2", "x10"
            ]
        );
        version_order("x01", "x1", &mut sure);
        assert!(!sure);
    }
}
