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

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt::Write;

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
///
/// The functions below write their text straight to the output as they parse: a `None` from
/// any of them declines the whole item, and what was written before it is dropped with it.
pub fn item(tokens: &TokenStream) -> Option<String> {
    thread_local! {
        /// The text being written, kept from item to item so that it seldom grows.
        static BUFFER: Cell<String> = const { Cell::new(String::new()) };
    }
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut cur = Cursor::new(&tokens);
    let mut out = BUFFER.take();
    out.clear();
    let mut done = Some(());
    while done.is_some() && !cur.done() {
        done = top_item(&mut cur, &mut out);
    }
    let text = done.map(|()| out.as_str().to_owned());
    BUFFER.set(out);
    text
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
        let mut text = String::new();
        self.ident_into(&mut text)?;
        Some(text)
    }

    /// [`Cursor::ident`], written to `out` (nothing written when there is none).
    fn ident_into(&mut self, out: &mut String) -> Option<()> {
        let Some(TokenTree::Ident(i)) = self.peek() else {
            return None;
        };
        let start = out.len();
        let _ = write!(out, "{i}");
        if matches!(
            &out[start..],
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
            out.truncate(start);
            return None;
        }
        self.pos += 1;
        Some(())
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
fn split_commas(tokens: &[TokenTree]) -> (impl Iterator<Item = &[TokenTree]>, bool) {
    let is_comma = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == ',');
    let trailing = tokens.last().is_some_and(is_comma);
    let body = if trailing {
        &tokens[..tokens.len() - 1]
    } else {
        tokens
    };
    // No tokens: no part (`split` would give one empty part).
    let parts = if tokens.is_empty() { 0 } else { usize::MAX };
    (body.split(is_comma).take(parts), trailing)
}

// ---------------------------------------------------------------------------------------------
// Items

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    if n <= SPACES.len() {
        out.push_str(&SPACES[..n]);
    } else {
        out.extend(std::iter::repeat_n(' ', n));
    }
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
        return impl_item(cur, vis, unsafety, out);
    }
    if cur.is_keyword("trait") {
        return trait_item(cur, vis, unsafety, out);
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
        attribute(group, inner, at, end, out)?;
        cur.pos += len;
    }
    Some(())
}

/// Writes one attribute's lines (`None`: declined, with part of it maybe written).
fn attribute(group: &Group, inner: bool, at: usize, end: usize, out: &mut String) -> Option<()> {
    let body = tokens_of(group);
    indent(out, at);
    let start = out.len();
    // Doc attributes: the comment `print.rs` writes; rustfmt leaves line comments alone. A
    // comment over several lines (a block comment) is re-indented by rustfmt: no rule.
    if matches!(body.first(), Some(TokenTree::Ident(i)) if i == "doc") {
        crate::print::doc_comment(&body, inner, out)?;
        // Control characters (tabs, carriage returns): rustfmt's handling is not written here.
        let text = &out[start..];
        if crate::print::any_byte(text, |b| !(0x20..0x7f).contains(&b))
            && text.chars().any(char::is_control)
        {
            return None;
        }
        out.push('\n');
        return Some(());
    }
    let prefix = if inner { "#![" } else { "#[" };
    out.push_str(prefix);
    // The attribute as a meta item, on one line: its path, then its value or list.
    let mut cur = Cursor::new(&body);
    meta_path(&mut cur, out)?;
    let path_end = out.len();
    // (start, end, is a list) of the nested items of a list, in `out`.
    let mut items = Vec::new();
    let mut list = None;
    let is_meta = if cur.done() {
        true
    } else if cur.punct('=').is_some() {
        meta_value(&cur, out)?
    } else {
        let group = cur.group(Delimiter::Parenthesis)?;
        if !cur.done() {
            return None;
        }
        let tokens = tokens_of(group);
        out.push('(');
        let is_meta = meta_list(&tokens, out, Some(&mut items))?;
        out.push(')');
        list = Some(tokens);
        is_meta
    };
    if !is_meta {
        // rustfmt keeps an attribute that is not a meta item (`name = ident`, `x = -1`) as
        // written: `print.rs`'s layout.
        out.truncate(start);
        crate::print::attribute_layout(&body, list.as_deref(), inner, at, out)?;
        out.push('\n');
        return Some(());
    }
    out.push(']');
    // rustfmt's `Attribute::rewrite`: the meta item in the width after `#[`, less `]`.
    let width = out.len() - start;
    // A list of one item: on one line whenever it fits (rustfmt's overflow lists); `derive`
    // lists too (rustfmt's `format_derive`: no `attr_fn_like_width`).
    let derive = list.is_some() && !inner && &out[start + prefix.len()..path_end] == "derive";
    let args_width = list.as_ref().map(|_| {
        items.iter().map(|&(s, e, _)| e - s).sum::<usize>() + 2 * items.len().saturating_sub(1)
    });
    if at + width <= end
        && (derive
            || list.is_some() && items.len() == 1
            || args_width.is_none_or(|w| w <= ATTR_FN_LIKE_WIDTH))
    {
        out.push('\n');
        return Some(());
    }
    // One nested item per line (no rule for nested lists there).
    if list.is_none() || items.iter().any(|&(_, _, is_list)| is_list) {
        return None;
    }
    let trailing_comma = matches!(
        list.as_deref().and_then(<[_]>::last),
        Some(TokenTree::Punct(p)) if p.as_char() == ','
    );
    let flat = out[start..].to_string();
    out.truncate(path_end);
    out.push_str("(\n");
    for (k, &(s, e, _)) in items.iter().enumerate() {
        let line = &flat[s - start..e - start];
        // `format_derive` ends a vertical list with a comma.
        let comma = k + 1 < items.len() || trailing_comma || derive;
        if at + INDENT + line.len() + 1 > MAX_WIDTH {
            // rustfmt keeps a literal it cannot fit and goes on: no rule here.
            return None;
        }
        indent(out, at + INDENT);
        out.push_str(line);
        if comma {
            out.push(',');
        }
        out.push('\n');
    }
    indent(out, at);
    out.push_str(")]\n");
    Some(())
}

/// A meta item's path (`a::b`), written to `out`; `None` for other tokens.
fn meta_path(cur: &mut Cursor, out: &mut String) -> Option<()> {
    let Some(TokenTree::Ident(i)) = cur.peek() else {
        return None;
    };
    let _ = write!(out, "{i}");
    cur.pos += 1;
    while cur.punct2(':', ':') {
        let Some(TokenTree::Ident(i)) = cur.peek() else {
            return None;
        };
        let _ = write!(out, "::{i}");
        cur.pos += 1;
    }
    Some(())
}

/// The value after `path =` (at `cur`), written to `out` as ` = value`: `Some(true)` for a
/// literal rustfmt takes as a meta item's value, `Some(false)` for other tokens (not a meta
/// item), `None` when unsure (decline).
fn meta_value(cur: &Cursor, out: &mut String) -> Option<bool> {
    match (cur.peek(), cur.peek_at(1)) {
        (Some(TokenTree::Literal(l)), None) => {
            out.push_str(" = ");
            meta_literal(l, out)?;
        }
        (Some(TokenTree::Ident(i)), None) if i == "true" || i == "false" => {
            let _ = write!(out, " = {i}");
        }
        _ => return Some(false),
    }
    Some(true)
}

/// The one-line text of the meta item `tokens` (as rustc parses attributes: `path`,
/// `path = literal`, `path(nested, ...)`), written to `out`: `Some(Some(is a list))` for a
/// meta item, `Some(None)` for attribute tokens that are not one (rustfmt keeps them as
/// written), `None` when unsure (decline).
fn meta(tokens: &[TokenTree], out: &mut String) -> Option<Option<bool>> {
    let mut cur = Cursor::new(tokens);
    meta_path(&mut cur, out)?;
    if cur.done() {
        return Some(Some(false));
    }
    if cur.punct('=').is_some() {
        return Some(meta_value(&cur, out)?.then_some(false));
    }
    let group = cur.group(Delimiter::Parenthesis)?;
    if !cur.done() {
        return None;
    }
    out.push('(');
    let is_meta = meta_list(&tokens_of(group), out, None)?;
    out.push(')');
    Some(is_meta.then_some(true))
}

/// The nested items of a meta list (`tokens`: between the parentheses), written to `out`
/// joined by `, `: `Some(true)` when they are all meta items or literals, `Some(false)` when
/// one is not a meta item, `None` when unsure (decline). `items`: receives where each item's
/// text is in `out`, and whether it is a list.
fn meta_list(
    tokens: &[TokenTree],
    out: &mut String,
    mut items: Option<&mut Vec<(usize, usize, bool)>>,
) -> Option<bool> {
    let mut rest = tokens;
    let mut first = true;
    while !rest.is_empty() {
        let comma = rest
            .iter()
            .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','));
        let (part, next) = match comma {
            Some(k) => (&rest[..k], &rest[k + 1..]),
            None => (rest, &[][..]),
        };
        if !first {
            out.push_str(", ");
        }
        first = false;
        let start = out.len();
        let is_list = match part {
            [] => return None,
            [TokenTree::Literal(l)] => {
                meta_literal(l, out)?;
                false
            }
            _ => match meta(part, out)? {
                Some(is_list) => is_list,
                None => return Some(false),
            },
        };
        if let Some(items) = items.as_deref_mut() {
            items.push((start, out.len(), is_list));
        }
        rest = next;
    }
    Some(true)
}

/// The text of a literal in a meta item, written to `out`: a plain string or an unsuffixed
/// integer (`None`, a decline, for others: what rustc's attribute parser makes of them is not
/// written here).
fn meta_literal(literal: &proc_macro2::Literal, out: &mut String) -> Option<()> {
    let start = out.len();
    let _ = write!(out, "{literal}");
    let text = &out[start..];
    let plain = text.starts_with('"') || text.bytes().all(|b| b.is_ascii_digit());
    plain.then_some(())
}

/// `const NAME: TYPE = EXPR;` at `at` (after the visibility).
fn const_item(cur: &mut Cursor, vis: &str, at: usize, out: &mut String) -> Option<()> {
    cur.keyword("const")?;
    // rustfmt's `rewrite_static`: the type on the line of the name, fitting before ` =`.
    indent(out, at);
    let start = out.len();
    out.push_str(vis);
    out.push_str("const ");
    cur.ident_into(out)?;
    cur.punct(':')?;
    out.push_str(": ");
    let ty_tokens = until_punct(cur, '=')?;
    parse_type_all(ty_tokens, out)?;
    out.push_str(" =");
    let lhs = out.len() - start;
    cur.punct('=')?;
    let expr_tokens = until_punct(cur, ';')?;
    cur.punct(';')?;
    let mut text = String::new();
    let expr = parse_expr_all(expr_tokens, &mut text)?;
    assign_item(lhs, at, &|shape| expr_rw(&text, &expr, shape), out)
}

/// The right side of `LHS = RHS;` on its own line at `at` (a `const` or `type` item, whose
/// indentation and left side of `lhs` columns are written), by [`assign_rhs`]; `None` when
/// the left side does not leave room for the right one on its line.
fn assign_item<'r>(
    lhs: usize,
    at: usize,
    rhs: &dyn Fn(Shape) -> Rewrite<'r>,
    out: &mut String,
) -> Option<()> {
    if at + lhs + 1 > MAX_WIDTH - 1 {
        return None;
    }
    assign_rhs(lhs, at, MAX_WIDTH - 1, rhs, out)?;
    out.push_str(";\n");
    Some(())
}

/// `const NAME: TYPE;` (a trait's associated constant).
fn trait_const(cur: &mut Cursor, at: usize, out: &mut String) -> Option<()> {
    cur.keyword("const")?;
    indent(out, at);
    let start = out.len();
    out.push_str("const ");
    cur.ident_into(out)?;
    cur.punct(':')?;
    out.push_str(": ");
    parse_type_all(until_punct(cur, ';')?, out)?;
    cur.punct(';')?;
    out.push(';');
    if at + out.len() - start > ONE_LINE_WIDTH {
        return None;
    }
    out.push('\n');
    Some(())
}

/// `type NAME = TYPE;`
fn type_item(cur: &mut Cursor, vis: &str, at: usize, out: &mut String) -> Option<()> {
    cur.keyword("type")?;
    indent(out, at);
    let start = out.len();
    out.push_str(vis);
    out.push_str("type ");
    cur.ident_into(out)?;
    out.push_str(" =");
    let lhs = out.len() - start;
    cur.punct('=')?;
    let mut text = String::new();
    let ty = parse_type_all(until_punct(cur, ';')?, &mut text)?;
    cur.punct(';')?;
    assign_item(lhs, at, &|shape| ty_rw(&text, &ty, shape), out)
}

/// `struct NAME { fields }` / `struct NAME(fields);` / `struct NAME<T> { ... }`.
fn struct_item(cur: &mut Cursor, vis: &str, out: &mut String) -> Option<()> {
    cur.keyword("struct")?;
    let start = out.len();
    out.push_str(vis);
    out.push_str("struct ");
    cur.ident_into(out)?;
    simple_generics(cur, out)?;
    if let Some(group) = cur.group(Delimiter::Parenthesis) {
        cur.punct(';')?;
        let inner = tokens_of(group);
        let (parts, trailing) = split_commas(&inner);
        if trailing {
            return None;
        }
        out.push('(');
        for (k, part) in parts.into_iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            let mut c = Cursor::new(part);
            out.push_str(visibility(&mut c)?);
            if c.is_punct('#') {
                return None;
            }
            parse_type_all(&part[c.pos..], out)?;
        }
        out.push_str(");");
        if out.len() - start > ONE_LINE_WIDTH {
            return None;
        }
        out.push('\n');
        return Some(());
    }
    let group = cur.group(Delimiter::Brace)?;
    out.push_str(" {");
    if out.len() - start > ONE_LINE_WIDTH {
        return None;
    }
    let inner = tokens_of(group);
    if inner.is_empty() {
        out.push_str("}\n");
        return Some(());
    }
    out.push('\n');
    let (parts, _) = split_commas(&inner);
    let mut text = String::new();
    for part in parts {
        let mut c = Cursor::new(part);
        attributes(&mut c, INDENT, MAX_WIDTH - 1, out)?;
        indent(out, INDENT);
        let start = out.len();
        out.push_str(visibility(&mut c)?);
        c.ident_into(out)?;
        c.punct(':')?;
        out.push(':');
        let lhs = out.len() - start;
        text.clear();
        let ty = parse_type_all(&part[c.pos..], &mut text)?;
        // rustfmt's `rewrite_struct_field`: the type after the name when it fits there on one
        // line, else `rewrite_assign_rhs`; 1 column kept for the comma.
        if INDENT + lhs + 1 > MAX_WIDTH - 1 {
            return None;
        }
        assign_rhs(
            lhs,
            INDENT,
            MAX_WIDTH - 1,
            &|shape| ty_rw(&text, &ty, shape),
            out,
        )?;
        out.push_str(",\n");
    }
    out.push_str("}\n");
    Some(())
}

/// `<T, U>` of plain type parameters, or nothing, written to `out`.
fn simple_generics(cur: &mut Cursor, out: &mut String) -> Option<()> {
    if cur.punct('<').is_none() {
        return Some(());
    }
    out.push('<');
    cur.ident_into(out)?;
    while cur.punct(',').is_some() {
        out.push_str(", ");
        cur.ident_into(out)?;
    }
    cur.punct('>')?;
    out.push('>');
    Some(())
}

/// `impl PATH { ... }` / `impl TRAIT for TYPE { ... }` (`unsafety`: `unsafe ` or nothing).
fn impl_item(cur: &mut Cursor, vis: &str, unsafety: &str, out: &mut String) -> Option<()> {
    if !vis.is_empty() {
        return None;
    }
    cur.keyword("impl")?;
    let start = out.len();
    out.push_str(unsafety);
    out.push_str("impl");
    simple_generics(cur, out)?;
    out.push(' ');
    let head_start = cur.pos;
    while !matches!(cur.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace) {
        cur.peek()?;
        cur.pos += 1;
    }
    let head = &cur.tokens[head_start..cur.pos];
    let for_at = head
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "for"));
    match for_at {
        Some(k) => {
            parse_type_all(&head[..k], out)?;
            out.push_str(" for ");
            parse_type_all(&head[k + 1..], out)?;
        }
        None => {
            parse_type_all(head, out)?;
        }
    }
    let body = cur.group(Delimiter::Brace)?;
    out.push_str(" {");
    block_item(start, body, out)
}

/// An `impl` or `trait` block whose one-line header (ending in `{`) is written from `start`,
/// then its associated items; `None` past [`ONE_LINE_WIDTH`], where rustfmt's rule for
/// breaking it is not written.
fn block_item(start: usize, body: &Group, out: &mut String) -> Option<()> {
    if out.len() - start > ONE_LINE_WIDTH {
        return None;
    }
    assoc_items(body, out)?;
    out.push_str("}\n");
    Some(())
}

/// `trait NAME { ... }` (after the visibility and `unsafe `).
fn trait_item(cur: &mut Cursor, vis: &str, unsafety: &str, out: &mut String) -> Option<()> {
    cur.keyword("trait")?;
    let start = out.len();
    out.push_str(vis);
    out.push_str(unsafety);
    out.push_str("trait ");
    cur.ident_into(out)?;
    let body = cur.group(Delimiter::Brace)?;
    out.push_str(" {");
    block_item(start, body, out)
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
            fn_item(&mut cur, vis, "const ", out)?;
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
            fn_item(&mut cur, vis, "", out)?;
        } else {
            return None;
        }
    }
    Some(())
}

/// `fn name(params) -> R { body }` one level in (after the visibility and `constness`).
fn fn_item(cur: &mut Cursor, vis: &str, constness: &str, out: &mut String) -> Option<()> {
    cur.keyword("fn")?;
    // The signature on one line (no rule for rustfmt's broken signatures).
    indent(out, INDENT);
    let start = out.len();
    out.push_str(vis);
    out.push_str(constness);
    out.push_str("fn ");
    cur.ident_into(out)?;
    let params = cur.group(Delimiter::Parenthesis)?;
    out.push('(');
    comma_parts(params, out, fn_param)?;
    out.push(')');
    if cur.punct2('-', '>') {
        let ret_start = cur.pos;
        while !matches!(cur.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace)
        {
            cur.peek()?;
            cur.pos += 1;
        }
        out.push_str(" -> ");
        parse_type_all(&cur.tokens[ret_start..cur.pos], out)?;
    }
    let body = cur.group(Delimiter::Brace)?;
    out.push_str(" {");
    if INDENT + out.len() - start > ONE_LINE_WIDTH {
        return None;
    }
    out.push('\n');
    let at = 2 * INDENT;
    let stmts = tokens_of(body);
    // Statements: `expr;` or a final `expr` (rustfmt never puts a body on the line of the
    // signature: `fn_single_line` is off).
    let mut rest: &[TokenTree] = &stmts;
    if rest.is_empty() {
        return None;
    }
    let mut text = String::new();
    while !rest.is_empty() {
        let semi = rest
            .iter()
            .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'));
        let (expr_tokens, end) = match semi {
            Some(k) => (&rest[..k], MAX_WIDTH - 1),
            None => (rest, MAX_WIDTH),
        };
        text.clear();
        let expr = parse_expr_all(expr_tokens, &mut text)?;
        let line = expr_rw(
            &text,
            &expr,
            Shape {
                col: at,
                block: at,
                end,
            },
        )??;
        if line == UNKNOWN_LINES {
            return None;
        }
        indent(out, at);
        out.push_str(&line);
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

/// A parameter of a `fn` item, written to `out`.
fn fn_param(tokens: &[TokenTree], out: &mut String) -> Option<()> {
    let mut cur = Cursor::new(tokens);
    if cur.punct('&').is_some() {
        let mutable = cur.eat_keyword("mut");
        cur.keyword("self")?;
        if !cur.done() {
            return None;
        }
        out.push_str(if mutable { "&mut self" } else { "&self" });
        return Some(());
    }
    if cur.eat_keyword("self") {
        if !cur.done() {
            return None;
        }
        out.push_str("self");
        return Some(());
    }
    if cur.eat_keyword("mut") {
        out.push_str("mut ");
    }
    cur.ident_into(out)?;
    cur.punct(':')?;
    out.push_str(": ");
    parse_type_all(&tokens[cur.pos..], out)?;
    Some(())
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
/// position, `Some(Some(text))` its layout (the one-line text of a type or an expression is
/// borrowed from it).
type Rewrite<'a> = Option<Option<Cow<'a, str>>>;

/// A layout rustfmt makes on several lines (or none), with no rule here for which: enough
/// when the other position wins anyway ([`assign_rhs`] with a right side that fits on the next
/// line).
const UNKNOWN_LINES: &str = "\n(several lines)";

/// `lhs rhs` as rustfmt's `rewrite_assign_rhs` lays it out (`choose_rhs`, `prefer_next_line`),
/// after the `lhs` columns of the left side, already written to `out`: `lhs` starts at column
/// `at` and is one line; `end` is the last column the text may use (the line's `;` or `,`
/// comes after it).
fn assign_rhs<'r>(
    lhs: usize,
    at: usize,
    end: usize,
    rhs: &dyn Fn(Shape) -> Rewrite<'r>,
    out: &mut String,
) -> Option<()> {
    let same = Shape {
        col: at + lhs + 1,
        block: at,
        end,
    };
    let orig = rhs(same)?;
    if let Some(orig) = &orig
        && !orig.contains('\n')
    {
        out.push(' ');
        out.push_str(orig);
        return Some(());
    }
    let next = Shape {
        col: at + INDENT,
        block: at + INDENT,
        end,
    };
    let new = rhs(next)?;
    let unknown = |t: &Option<Cow<str>>| t.as_deref() == Some(UNKNOWN_LINES);
    if unknown(&new) || unknown(&orig) && new.as_ref().is_none_or(|n| n.contains('\n')) {
        return None;
    }
    match (orig, new) {
        (Some(orig), Some(new)) if !prefer_next_line(&orig, &new) => {
            out.push(' ');
            out.push_str(&orig);
        }
        (_, Some(new)) => {
            out.push('\n');
            indent(out, at + INDENT);
            out.push_str(&new);
        }
        (Some(orig), None) => {
            out.push(' ');
            out.push_str(&orig);
        }
        // rustfmt keeps such an item as written: no rule.
        (None, None) => return None,
    }
    Some(())
}

/// rustfmt's `prefer_next_line`: the right side goes to the next line when it is one line
/// there, or takes fewer lines, or does not start by opening a bracket where the same-line
/// layout does.
fn prefer_next_line(orig: &str, new: &str) -> bool {
    let lines = |s: &str| s.bytes().map(|b| usize::from(b == b'\n')).sum::<usize>();
    // The last character of the first line.
    let first_ends = |s: &str| s.lines().next().and_then(|l| l.chars().next_back());
    !new.contains('\n')
        || lines(orig) > lines(new) + 1
        || matches!(first_ends(orig), Some(c @ ('(' | '{' | '[')) if first_ends(new) != Some(c))
}

fn fits(shape: Shape, text: &str) -> bool {
    shape.col + text.len() <= shape.end
}

// ---------------------------------------------------------------------------------------------
// Types
//
// A type is parsed into its one-line text (written to a string) and a [`Ty`]: what rustfmt's
// rules look at, with the places of its parts in that text (offsets from the type's start).

#[derive(Debug)]
enum Ty {
    /// A path without generic arguments, or a pointer to one: rustfmt finds no layout for it
    /// when it does not fit on one line (its rewrite only shortens the width).
    Plain,
    /// `Name<fn...>`: a path of one segment (`name` bytes) whose only generic argument is a
    /// function type.
    FnArg {
        name: usize,
        arg: Box<Ty>,
    },
    BareFn(BareFn),
    /// Any other type.
    Other,
}

/// `unsafe extern "system" fn(params) -> R`.
#[derive(Debug)]
struct BareFn {
    /// The length of `unsafe extern "system" fn`.
    prefix: usize,
    /// Each parameter (`name: T` or `T`; rustfmt lays out none over several lines).
    params: Vec<(usize, usize)>,
    /// Where the return type starts (after ` -> `), and its shape.
    ret: Option<(usize, Box<Ty>)>,
}

/// rustfmt's layout of the type `ty` of one-line text `text` in `shape`.
fn ty_rw<'t>(text: &'t str, ty: &Ty, shape: Shape) -> Rewrite<'t> {
    match ty {
        Ty::BareFn(f) => return fn_type(text, f, shape),
        Ty::FnArg { name, arg } if !fits(shape, text) => {
            return generic_type(&text[..*name], &text[name + 1..text.len() - 1], arg, shape);
        }
        _ => {}
    }
    if fits(shape, text) {
        Some(Some(Cow::Borrowed(text)))
    } else if matches!(ty, Ty::Plain) {
        Some(None)
    } else {
        None
    }
}

/// `Name<fn...>` that does not fit on one line: rustfmt's angle-bracket list puts the argument
/// on its own line, one level deeper, with a trailing comma (a function type is never
/// "overflowed" into the brackets).
fn generic_type<'t>(name: &str, arg_text: &'t str, arg: &Ty, shape: Shape) -> Rewrite<'t> {
    // rustfmt checks the name against the width, not the `<` after it.
    if shape.col + name.len() > shape.end {
        return Some(None);
    }
    let inner = shape.block + INDENT;
    let item = ty_rw(
        arg_text,
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
    let open = [name, "<"].concat();
    Some(Some(Cow::Owned(on_own_line(
        &open,
        &item,
        ",",
        inner,
        ">",
        shape.block,
    ))))
}

/// `open`, a new line, `body` + `after` indented by `at`, a new line, and `close` indented by
/// `close_at`: a body broken out onto its own line between two delimiters.
fn on_own_line(
    open: &str,
    body: &str,
    after: &str,
    at: usize,
    close: &str,
    close_at: usize,
) -> String {
    let mut out = String::with_capacity(
        open.len() + body.len() + after.len() + close.len() + at + close_at + 2,
    );
    out.push_str(open);
    out.push('\n');
    indent(&mut out, at);
    out.push_str(body);
    out.push_str(after);
    out.push('\n');
    indent(&mut out, close_at);
    out.push_str(close);
    out
}

/// rustfmt's `format_function_type` for `prefix(params) -> R` (one-line text `text`) in
/// `shape`.
fn fn_type<'t>(text: &'t str, f: &BareFn, shape: Shape) -> Rewrite<'t> {
    let prefix = &text[..f.prefix];
    // rustfmt reserves ` -> ` after `fn` first, whether there is a return type or not.
    let col = shape.col + f.prefix;
    if col + 4 > shape.end {
        return Some(None);
    }
    // The return type, laid out after `fn` and ` -> ` on the first line, whatever the
    // parameters become (on one line: its one-line text, the end of `text`).
    let output = match &f.ret {
        Some((start, ret)) => {
            let r = ty_rw(
                &text[*start..],
                ret,
                Shape {
                    col: col + 4,
                    block: shape.block,
                    end: shape.end,
                },
            )?;
            match r {
                Some(r) if !r.contains('\n') => {
                    debug_assert_eq!(r, &text[*start..]);
                    &text[start - 4..]
                }
                Some(_) => return None,
                None => return Some(None),
            }
        }
        None => "",
    };
    let params = &f.params;
    let list_indent = shape.block + INDENT;
    // A parameter wider than its line: rustfmt's layout of it is not written here.
    if params
        .iter()
        .any(|&(s, e)| list_indent + (e - s) + 1 >= MAX_WIDTH)
    {
        return None;
    }
    let total: usize =
        params.iter().map(|&(s, e)| e - s).sum::<usize>() + 2 * params.len().saturating_sub(1);
    if col + 2 + total + output.len() <= shape.end {
        return Some(Some(Cow::Borrowed(text)));
    }
    let mut out = String::with_capacity(
        text.len() + (params.len() + 2) * (list_indent + 2) + shape.block + output.len(),
    );
    out.push_str(prefix);
    // No parameters: `()` stays on the line (an empty list is "horizontal") and `-> R` goes
    // on a line of its own, as below.
    if params.is_empty() {
        out.push_str("()\n");
        indent(&mut out, list_indent);
        out.push_str(output.trim_start());
        return Some(Some(Cow::Owned(out)));
    }
    // One parameter per line, trailing comma. rustfmt then compares the width of the last
    // line, `)` with its indentation, plus ` -> R` with the space the first line had after
    // `fn`: when wider, `-> R` goes on a line of its own, at the parameters' indentation.
    out.push_str("(\n");
    for &(s, e) in params {
        indent(&mut out, list_indent);
        out.push_str(&text[s..e]);
        out.push_str(",\n");
    }
    indent(&mut out, shape.block);
    out.push(')');
    if output.is_empty() || shape.block + 1 + output.len() <= shape.end - col {
        out.push_str(output);
    } else {
        out.push('\n');
        indent(&mut out, list_indent);
        out.push_str(output.trim_start());
    }
    Some(Some(Cow::Owned(out)))
}

/// The type that `tokens` are, its one-line text written to `out`.
fn parse_type_all(tokens: &[TokenTree], out: &mut String) -> Option<Ty> {
    let mut cur = Cursor::new(tokens);
    let ty = parse_type(&mut cur, out)?;
    cur.done().then_some(ty)
}

/// The type at `cur`, its one-line text written to `out`.
fn parse_type(cur: &mut Cursor, out: &mut String) -> Option<Ty> {
    match cur.peek()? {
        TokenTree::Punct(p) if p.as_char() == '*' => {
            cur.pos += 1;
            let m = if cur.eat_keyword("mut") {
                "*mut "
            } else {
                cur.keyword("const")?;
                "*const "
            };
            out.push_str(m);
            Some(plain_if(parse_type(cur, out)?))
        }
        TokenTree::Punct(p) if p.as_char() == '&' => {
            cur.pos += 1;
            out.push('&');
            let lifetime = lifetime(cur, out);
            if lifetime {
                out.push(' ');
            }
            if cur.eat_keyword("mut") {
                out.push_str("mut ");
            }
            let ty = parse_type(cur, out)?;
            Some(if lifetime { Ty::Other } else { plain_if(ty) })
        }
        TokenTree::Punct(p) if p.as_char() == '\'' => lifetime(cur, out).then_some(Ty::Other),
        TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket => {
            cur.pos += 1;
            let inner = tokens_of(g);
            let semi = inner
                .iter()
                .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))?;
            out.push('[');
            parse_type_all(&inner[..semi], out)?;
            let [TokenTree::Literal(len)] = &inner[semi + 1..] else {
                return None;
            };
            let _ = write!(out, "; {len}]");
            Some(Ty::Other)
        }
        TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => {
            cur.pos += 1;
            out.push('(');
            comma_parts(g, out, |part, out| parse_type_all(part, out).map(drop))?;
            out.push(')');
            Some(Ty::Other)
        }
        TokenTree::Ident(_) => {
            let start = out.len();
            // The first segment (`Self`, `self` and `crate` are identifiers there), or a
            // function type.
            if cur.ident_into(out).is_none() {
                return match cur.peek() {
                    Some(TokenTree::Ident(i)) if i == "unsafe" || i == "extern" || i == "fn" => {
                        bare_fn(cur, out)
                    }
                    _ => None,
                };
            }
            let mut segments = 0;
            // The arguments of the last segment, and whether some segment has any.
            let mut args = Vec::new();
            let mut any_args = false;
            loop {
                let name = out.len() - start;
                args.clear();
                if cur.is_punct('<') {
                    cur.pos += 1;
                    out.push('<');
                    loop {
                        args.push(parse_type(cur, out)?);
                        if cur.punct(',').is_none() {
                            break;
                        }
                        out.push_str(", ");
                    }
                    cur.punct('>')?;
                    out.push('>');
                    any_args = true;
                }
                segments += 1;
                if !cur.punct2(':', ':') {
                    if segments == 1 && args.len() == 1 && matches!(args[0], Ty::BareFn(_)) {
                        let arg = Box::new(args.pop()?);
                        return Some(Ty::FnArg { name, arg });
                    }
                    break;
                }
                out.push_str("::");
                cur.ident_into(out)?;
            }
            Some(if any_args { Ty::Other } else { Ty::Plain })
        }
        _ => None,
    }
}

/// A pointer's or reference's shape: plain when what it points to is.
fn plain_if(ty: Ty) -> Ty {
    if matches!(ty, Ty::Plain) {
        Ty::Plain
    } else {
        Ty::Other
    }
}

/// A lifetime (`'a`) at `cur`, written to `out`, if one is there.
fn lifetime(cur: &mut Cursor, out: &mut String) -> bool {
    match (cur.peek(), cur.peek_at(1)) {
        (Some(TokenTree::Punct(p)), Some(TokenTree::Ident(i))) if p.as_char() == '\'' => {
            cur.pos += 2;
            let _ = write!(out, "'{i}");
            true
        }
        _ => false,
    }
}

/// A function type at `cur`, its one-line text written to `out`.
fn bare_fn(cur: &mut Cursor, out: &mut String) -> Option<Ty> {
    let start = out.len();
    if cur.eat_keyword("unsafe") {
        out.push_str("unsafe ");
    }
    if cur.eat_keyword("extern") {
        // `extern fn` without an ABI: rustfmt writes `extern "C"` (`force_explicit_abi`); no
        // rule here.
        let Some(TokenTree::Literal(abi)) = cur.peek() else {
            return None;
        };
        let _ = write!(out, "extern {abi} ");
        cur.pos += 1;
    }
    cur.keyword("fn")?;
    out.push_str("fn");
    let prefix = out.len() - start;
    let group = cur.group(Delimiter::Parenthesis)?;
    let inner = tokens_of(group);
    let (parts, trailing) = split_commas(&inner);
    if trailing {
        return None;
    }
    out.push('(');
    let mut params = Vec::new();
    for (k, part) in parts.into_iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        let param = out.len() - start;
        // `name: T` or `T` (no rule for variadics `...`).
        let named = matches!(part, [TokenTree::Ident(_), TokenTree::Punct(p), ..] if p.as_char() == ':' && p.spacing() == Spacing::Alone);
        if named {
            let mut c = Cursor::new(part);
            match c.peek()? {
                TokenTree::Ident(i) if i == "_" => {
                    c.pos += 1;
                    out.push('_');
                }
                _ => c.ident_into(out)?,
            }
            c.punct(':')?;
            out.push_str(": ");
            parse_type_all(&part[c.pos..], out)?;
        } else {
            parse_type_all(part, out)?;
        }
        params.push((param, out.len() - start));
    }
    out.push(')');
    let ret = if cur.punct2('-', '>') {
        out.push_str(" -> ");
        let ret_start = out.len() - start;
        Some((ret_start, Box::new(parse_type(cur, out)?)))
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
//
// Like types, an expression is parsed into its one-line text and an [`Expr`] with the places
// of its parts in that text.

#[derive(Debug)]
enum Expr {
    /// Text that has no line break rule here (literals, paths, operators, casts, fields).
    Flat(FlatKind),
    /// `callee(args)` (`callee` bytes; `bang` for a macro call), with each argument's place
    /// and shape.
    Call {
        callee: usize,
        bang: bool,
        args: Vec<(usize, usize, Expr)>,
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

/// `unsafe { ` and ` }` around an expression in its one-line text.
const UNSAFE_OPEN: &str = "unsafe { ";
const UNSAFE_CLOSE: &str = " }";

impl Expr {
    /// Whether every call in it takes at most `fn_call_width` for its arguments, as its
    /// one-line layout needs.
    fn calls_fit(&self) -> bool {
        match self {
            Expr::Flat(..) => true,
            // rustfmt's overflow lists: one argument stays on the line whenever it fits.
            Expr::Call { args, .. } => {
                (args.len() == 1 || args_width(args) <= FN_CALL_WIDTH)
                    && args.iter().all(|(_, _, a)| a.calls_fit())
            }
            Expr::Unsafe(e) => e.calls_fit(),
        }
    }
}

fn args_width(args: &[(usize, usize, Expr)]) -> usize {
    args.iter().map(|&(s, e, _)| e - s).sum::<usize>() + 2 * args.len().saturating_sub(1)
}

/// rustfmt's layout of the expression `expr` of one-line text `text` in `shape`.
fn expr_rw<'t>(text: &'t str, expr: &Expr, shape: Shape) -> Rewrite<'t> {
    if fits(shape, text) && expr.calls_fit() {
        return Some(Some(Cow::Borrowed(text)));
    }
    match expr {
        Expr::Call { callee, bang, args } => call(text, *callee, *bang, args, shape),
        Expr::Unsafe(inner) => block_expr(
            &text[UNSAFE_OPEN.len()..text.len() - UNSAFE_CLOSE.len()],
            inner,
            shape,
        ),
        // A literal or other text wider than its line: rustfmt keeps it (style edition 2024
        // string literals), gives up, or breaks an operator chain; which one is not written
        // here, and matters only when the text does not fit on the next line either.
        Expr::Flat(..) => Some(Some(Cow::Borrowed(UNKNOWN_LINES))),
    }
}

/// A call that is not on one line: rustfmt puts one argument per line, one level deeper than
/// the line the call is on, with a trailing comma unless it is a macro whose tokens have none.
fn call<'t>(
    text: &str,
    callee: usize,
    bang: bool,
    args: &[(usize, usize, Expr)],
    shape: Shape,
) -> Rewrite<'t> {
    if args.is_empty() {
        return None;
    }
    // rustfmt rewrites the callee in the shape first: no layout when it does not fit.
    if shape.col + callee + usize::from(bang) > shape.end {
        return Some(None);
    }
    // rustfmt first tries to overflow a last argument that is a block, or the only argument
    // when it is a call, into the parentheses: no rule here.
    if let Some((_, _, last)) = args.last()
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
    let callee_text = &text[..callee];
    let last_segment = callee_text.rsplit("::").next().unwrap_or(callee_text);
    if bang
        && SPECIAL.contains(&last_segment)
        && args
            .iter()
            .all(|(_, _, a)| matches!(a, Expr::Flat(FlatKind::Simple)))
    {
        return None;
    }
    let inner = shape.block + INDENT;
    // `callee(` or `callee!(`.
    let mut out = String::with_capacity(text.len() + (args.len() + 1) * (inner + 2));
    out.push_str(&text[..callee + usize::from(bang) + 1]);
    out.push('\n');
    for (k, (s, e, arg)) in args.iter().enumerate() {
        let line = &text[*s..*e];
        if inner + line.len() + 1 > MAX_WIDTH || !arg.calls_fit() {
            return None;
        }
        indent(&mut out, inner);
        out.push_str(line);
        if k + 1 < args.len() || !bang {
            out.push(',');
        }
        out.push('\n');
    }
    indent(&mut out, shape.block);
    out.push(')');
    Some(Some(Cow::Owned(out)))
}

/// `unsafe { expr }` that is not on one line: the expression on a line of its own.
fn block_expr<'t>(text: &str, inner: &Expr, shape: Shape) -> Rewrite<'t> {
    let at = shape.block + INDENT;
    let line = expr_rw(
        text,
        inner,
        Shape {
            col: at,
            block: at,
            end: MAX_WIDTH,
        },
    )??;
    if line.contains('\n') {
        return None;
    }
    Some(Some(Cow::Owned(on_own_line(
        "unsafe {",
        &line,
        "",
        at,
        "}",
        shape.block,
    ))))
}

/// The expression that `tokens` are, its one-line text written to `out`.
fn parse_expr_all(tokens: &[TokenTree], out: &mut String) -> Option<Expr> {
    if tokens.is_empty() {
        return None;
    }
    // `unsafe { expr }`
    if let [TokenTree::Ident(u), TokenTree::Group(g)] = tokens
        && u == "unsafe"
        && g.delimiter() == Delimiter::Brace
    {
        out.push_str(UNSAFE_OPEN);
        let inner = parse_expr_all(&tokens_of(g), out)?;
        out.push_str(UNSAFE_CLOSE);
        return Some(Expr::Unsafe(Box::new(inner)));
    }
    let start = out.len();
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
        if expr_path(path_tokens, out).is_some() {
            let callee = out.len() - start;
            out.push_str(if bang { "!(" } else { "(" });
            let mut args = Vec::new();
            comma_parts(g, out, |part, out| {
                let arg = out.len();
                let expr = parse_expr_all(part, out)?;
                args.push((arg - start, out.len() - start, expr));
                Some(())
            })?;
            out.push(')');
            return Some(Expr::Call { callee, bang, args });
        }
    }
    // A literal or a path is written the same by `flat_expr`.
    if let [TokenTree::Literal(l)] = tokens {
        let _ = write!(out, "{l}");
        return Some(Expr::Flat(FlatKind::Simple));
    }
    if expr_path(tokens, out).is_some() {
        return Some(Expr::Flat(FlatKind::Simple));
    }
    flat_expr(tokens, out)?;
    Some(Expr::Flat(FlatKind::Other))
}

/// `a::b::c`, written to `out`, for the tokens of a path and nothing else (nothing written
/// for other tokens).
fn expr_path(tokens: &[TokenTree], out: &mut String) -> Option<()> {
    let start = out.len();
    let path = expr_path_tokens(tokens, out);
    if path.is_none() {
        out.truncate(start);
    }
    path
}

fn expr_path_tokens(tokens: &[TokenTree], out: &mut String) -> Option<()> {
    // `Self`, `self` and `crate` are identifiers for [`Cursor::ident`].
    let mut cur = Cursor::new(tokens);
    cur.ident_into(out)?;
    while cur.punct2(':', ':') {
        out.push_str("::");
        cur.ident_into(out)?;
    }
    cur.done().then_some(())
}

/// An operator starting at `cur` (joined punctuation: `==`, `|=`), if one is there, written
/// to `out` with a space on each side.
fn operator(cur: &mut Cursor, out: &mut String) -> Option<()> {
    const BINARY: &[&str] = &[
        "==", "!=", "&&", "||", "|=", "&=", "^=", "+=", "-=", "&", "|", "^", "+", "-", "*", "/",
        "%", "=",
    ];
    out.push(' ');
    let start = out.len();
    let mut k = 0;
    while let Some(TokenTree::Punct(p)) = cur.peek_at(k) {
        out.push(p.as_char());
        k += 1;
        if p.spacing() == Spacing::Alone {
            break;
        }
    }
    if BINARY.contains(&&out[start..]) {
        cur.pos += k;
        out.push(' ');
        Some(())
    } else {
        None
    }
}

/// The one-line text of an expression of operands (literals, paths, calls, parenthesised
/// expressions, `.field`) joined by binary operators and `as` casts, with prefix `& * - !`,
/// written to `out`.
fn flat_expr(tokens: &[TokenTree], out: &mut String) -> Option<()> {
    let mut cur = Cursor::new(tokens);
    loop {
        // Operand: prefix operators, then a literal, a path (maybe called) or a group.
        while let Some(TokenTree::Punct(p)) = cur.peek() {
            if !matches!(p.as_char(), '&' | '*' | '-' | '!') {
                return None;
            }
            out.push(p.as_char());
            cur.pos += 1;
        }
        match cur.peek()? {
            TokenTree::Literal(l) => {
                let _ = write!(out, "{l}");
                cur.pos += 1;
            }
            TokenTree::Ident(_) => {
                let start = cur.pos;
                cur.pos += 1;
                while cur.punct2(':', ':') {
                    cur.peek()?;
                    cur.pos += 1;
                }
                expr_path(&cur.tokens[start..cur.pos], out)?;
                if let Some(TokenTree::Group(g)) = cur.peek()
                    && g.delimiter() == Delimiter::Parenthesis
                {
                    cur.pos += 1;
                    paren_list(g, out)?;
                }
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => {
                cur.pos += 1;
                paren_list(g, out)?;
            }
            _ => return None,
        }
        // Postfix `.field`, then `as TYPE`s, then a binary operator or the end.
        while cur.is_punct('.') {
            cur.pos += 1;
            match cur.peek()? {
                token @ (TokenTree::Ident(_) | TokenTree::Literal(_)) => {
                    let _ = write!(out, ".{token}");
                    cur.pos += 1;
                }
                _ => return None,
            }
        }
        while cur.eat_keyword("as") {
            let start = cur.pos;
            out.push_str(" as ");
            // The type runs to the next `as`, operator or the end.
            parse_type(&mut cur, out)?;
            if cur.pos == start {
                return None;
            }
        }
        if cur.done() {
            return Some(());
        }
        operator(&mut cur, out)?;
    }
}

/// `(a, b)` of flat expressions, written to `out`.
fn paren_list(group: &Group, out: &mut String) -> Option<()> {
    out.push('(');
    comma_parts(group, out, |part, out| parse_expr_all(part, out).map(drop))?;
    out.push(')');
    Some(())
}

/// Writes the comma-separated parts of `group` with `", "` between them, each by `write`;
/// `None` when `write` declines one, or for a trailing comma (no rule here).
fn comma_parts(
    group: &Group,
    out: &mut String,
    mut write: impl FnMut(&[TokenTree], &mut String) -> Option<()>,
) -> Option<()> {
    let inner = tokens_of(group);
    let (parts, trailing) = split_commas(&inner);
    if trailing {
        return None;
    }
    for (k, part) in parts.enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        write(part, out)?;
    }
    Some(())
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
