//! Just enough Rust syntax for the items these macros receive, read from token trees.
//!
//! Why not syn: building syn with `full` was the longest unit of a cold build of the `httpserv`
//! crate (4.1 of 9.9 s, on the critical path; BENCHMARKS.md, build cost), and these macros only
//! see a few narrow shapes, all written by the generator or by `register_module!`:
//!
//! - a struct with named fields, each `attrs vis name: Type`;
//! - a type alias `attrs vis type Name = Type;`;
//! - a function `attrs vis unsafe extern "system" fn name(...) -> R { ... }`;
//! - function-pointer types `[unsafe] [extern "abi"] fn(name: T, ...) [-> R]`, raw pointers
//!   `*mut T` / `*const T` and paths, inside those.
//!
//! Types, expressions and bodies stay token streams: the expansion copies them as they are.
//! Anything outside these shapes is a compile error that points at it, never a panic.

use std::fmt;

use crate::pm::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};

/// A compile error at a span (what `syn::Error` was here).
#[derive(Debug)]
pub struct Error {
    span: Span,
    message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Error {
            span,
            message: message.into(),
        }
    }

    /// An error pointing at the first token of `tokens` (the macro call if there is none).
    pub fn spanned(tokens: &TokenStream, message: impl Into<String>) -> Self {
        let span = tokens
            .clone()
            .into_iter()
            .next()
            .map_or_else(Span::call_site, |t| t.span());
        Error::new(span, message)
    }

    pub fn into_compile_error(self) -> TokenStream {
        let text = format!("::core::compile_error!({:?});", self.message);
        respan(parse(&text), self.span)
    }
}

/// Rust source text to tokens. The expansions are built as text (see `lib.rs`); text that does
/// not parse is a bug of these macros, reported as such rather than as a panic in rustc.
pub fn parse(text: &str) -> TokenStream {
    text.parse().unwrap_or_else(|_| {
        let message = format!("httpserv-macros produced code that does not parse: {text}");
        format!("::core::compile_error!({message:?});")
            .parse()
            .expect("a compile_error! call parses")
    })
}

/// `tokens` with every span set to `span` (so an error points at the input, not the macro).
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut new = Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                token = TokenTree::Group(new);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

/// `token` is the identifier `word`.
pub fn is_ident(token: &TokenTree, word: &str) -> bool {
    matches!(token, TokenTree::Ident(i) if ident_is(i, word))
}

/// `ident` is `word`. (`proc_macro::Ident` has no comparison with a string; `proc_macro2`'s,
/// which the tests use, has, hence clippy's suggestion to compare directly.)
#[allow(clippy::cmp_owned)]
pub fn ident_is(ident: &Ident, word: &str) -> bool {
    ident.to_string() == word
}

/// A walk over the top level of a token stream.
pub struct Cursor {
    tokens: Vec<TokenTree>,
    pos: usize,
}

impl Cursor {
    pub fn new(tokens: TokenStream) -> Self {
        Cursor {
            tokens: tokens.into_iter().collect(),
            pos: 0,
        }
    }

    pub fn peek(&self) -> Option<&TokenTree> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, offset: usize) -> Option<&TokenTree> {
        self.tokens.get(self.pos + offset)
    }

    pub fn next(&mut self) -> Option<TokenTree> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += usize::from(token.is_some());
        token
    }

    pub fn is_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    /// The span of the next token, or of the last one at the end.
    pub fn span(&self) -> Span {
        self.peek()
            .or(self.tokens.last())
            .map_or_else(Span::call_site, TokenTree::span)
    }

    /// Everything not read yet.
    pub fn rest(&mut self) -> TokenStream {
        let rest = self.tokens[self.pos..].iter().cloned().collect();
        self.pos = self.tokens.len();
        rest
    }

    pub fn peek_punct(&self, ch: char) -> bool {
        matches!(self.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ch)
    }

    pub fn eat_punct(&mut self, ch: char) -> bool {
        let found = self.peek_punct(ch);
        self.pos += usize::from(found);
        found
    }

    pub fn peek_keyword(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| is_ident(t, word))
    }

    pub fn eat_keyword(&mut self, word: &str) -> bool {
        let found = self.peek_keyword(word);
        self.pos += usize::from(found);
        found
    }

    pub fn expect_punct(&mut self, ch: char, what: &str) -> Result<()> {
        if self.eat_punct(ch) {
            Ok(())
        } else {
            Err(Error::new(self.span(), format!("expected `{ch}` {what}")))
        }
    }

    pub fn expect_keyword(&mut self, word: &str, what: &str) -> Result<()> {
        if self.eat_keyword(word) {
            Ok(())
        } else {
            Err(Error::new(self.span(), what.to_string()))
        }
    }

    pub fn expect_ident(&mut self, what: &str) -> Result<Ident> {
        match self.peek() {
            Some(TokenTree::Ident(ident)) => {
                let ident = ident.clone();
                self.pos += 1;
                Ok(ident)
            }
            _ => Err(Error::new(self.span(), format!("expected {what}"))),
        }
    }

    pub fn expect_group(&mut self, delimiter: Delimiter, what: &str) -> Result<TokenStream> {
        match self.peek() {
            Some(TokenTree::Group(g)) if g.delimiter() == delimiter => {
                let stream = g.stream();
                self.pos += 1;
                Ok(stream)
            }
            _ => Err(Error::new(self.span(), format!("expected {what}"))),
        }
    }

    /// The next string literal's value.
    pub fn expect_string(&mut self, what: &str) -> Result<String> {
        let span = self.span();
        match self.next() {
            Some(TokenTree::Literal(lit)) => string_value(&lit)
                .ok_or_else(|| Error::new(span, format!("expected a string literal for {what}"))),
            _ => Err(Error::new(
                span,
                format!("expected a string literal for {what}"),
            )),
        }
    }

    /// `::` at the cursor (two joint `:` puncts).
    fn peek_path_separator(&self) -> bool {
        matches!(
            (self.peek(), self.peek_at(1)),
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                if a.as_char() == ':' && b.as_char() == ':'
        )
    }
}

/// The value of a string literal (`"..."`, raw or not), escapes resolved; `None` for any other
/// literal.
///
/// Written here rather than taken from a literal-parsing crate: that crate was one more unit on
/// the path every cold build of `httpserv` waits for (BENCHMARKS.md, build cost), for two
/// functions.
pub fn string_value(lit: &Literal) -> Option<String> {
    let text = lit.to_string();
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..].strip_prefix('"')?;
        return body
            .strip_suffix(&raw[..hashes])?
            .strip_suffix('"')
            .map(str::to_string);
    }
    let body = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'x' => {
                let hex: String = [chars.next()?, chars.next()?].iter().collect();
                out.push(char::from(
                    u8::from_str_radix(&hex, 16).ok().filter(|b| *b < 0x80)?,
                ));
            }
            'u' => {
                let braced: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let hex = braced.strip_prefix('{')?.replace('_', "");
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            // A line continuation: the newline and the whitespace after it are dropped.
            '\n' => while chars.next_if(|c| c.is_whitespace()).is_some() {},
            _ => return None,
        }
    }
    Some(out)
}

/// The value of an integer literal (`3`, `0x10`, `1_000`, `7u32`); `None` for any other.
pub fn integer_value(lit: &Literal) -> Option<u64> {
    let text = lit.to_string().replace('_', "");
    let (radix, digits) = match text.get(..2) {
        Some("0x") => (16, &text[2..]),
        Some("0o") => (8, &text[2..]),
        Some("0b") => (2, &text[2..]),
        _ => (10, text.as_str()),
    };
    // A type suffix (`u32`, `usize`...) starts at the first `i` or `u`.
    let end = digits.find(['i', 'u']).unwrap_or(digits.len());
    let suffix = &digits[end..];
    let known = [
        "", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
    ];
    if !known.contains(&suffix) {
        return None;
    }
    u64::from_str_radix(&digits[..end], radix).ok()
}

/// Splits a list of fields or parameters at the commas of the top level (not inside groups or
/// the `<...>` of a type). A trailing comma gives no empty piece. `->` does not close a `<`.
pub fn split_commas(tokens: TokenStream) -> Vec<TokenStream> {
    split(tokens, true)
}

/// Splits a list of `key = value` entries, whose values are expressions (where `<` may be a
/// comparison), at the commas outside groups.
pub fn split_entries(tokens: TokenStream) -> Vec<TokenStream> {
    split(tokens, false)
}

fn split(tokens: TokenStream, types: bool) -> Vec<TokenStream> {
    let mut pieces = Vec::new();
    let mut current = Vec::new();
    let mut angles = 0usize;
    let mut after_dash = false;
    for token in tokens {
        if let TokenTree::Punct(p) = &token {
            let ch = p.as_char();
            match ch {
                ',' if angles == 0 || !types => {
                    pieces.push(current.drain(..).collect());
                    after_dash = false;
                    continue;
                }
                '<' => angles += 1,
                '>' if !after_dash => angles = angles.saturating_sub(1),
                _ => {}
            }
            after_dash = ch == '-';
        } else {
            after_dash = false;
        }
        current.push(token);
    }
    if !current.is_empty() {
        pieces.push(current.into_iter().collect());
    }
    pieces
}

/// An outer attribute `#[name ...]`.
#[derive(Clone)]
pub struct Attribute {
    /// The path, as written (`doc`, `wrap`, `repr`, `httpserv_macros::vtable`).
    pub path: String,
    /// What follows the path inside the brackets: for `#[wrap(a, b)]` the stream `a, b`; for
    /// `#[doc = "x"]` the stream `= "x"`.
    pub args: TokenStream,
    /// The span of the path, for errors.
    pub span: Span,
    tokens: TokenStream,
}

impl Attribute {
    pub fn is(&self, name: &str) -> bool {
        self.path == name
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.tokens)
    }
}

/// Writes each item followed by `separator`.
pub struct Joined<'a, T>(pub &'a [T], pub &'a str);

impl<T: fmt::Display> fmt::Display for Joined<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0
            .iter()
            .try_for_each(|item| write!(f, "{item}{}", self.1))
    }
}

pub fn parse_attributes(cursor: &mut Cursor) -> Result<Vec<Attribute>> {
    let mut attrs = Vec::new();
    while cursor.peek_punct('#') {
        let pound = cursor.next().expect("peeked");
        let span = cursor.span();
        let TokenTree::Group(group) = cursor.next().expect("`#` is followed by a token") else {
            return Err(Error::new(span, "expected `[` after `#`"));
        };
        if group.delimiter() != Delimiter::Bracket {
            return Err(Error::new(span, "expected `[` after `#`"));
        }
        let mut inner = Cursor::new(group.stream());
        let span = inner.span();
        let mut path = String::new();
        loop {
            if inner.peek_path_separator() {
                inner.pos += 2;
                path.push_str("::");
            }
            path.push_str(&inner.expect_ident("an attribute name")?.to_string());
            if !inner.peek_path_separator() {
                break;
            }
        }
        let args = match inner.peek() {
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                let stream = g.stream();
                inner.pos += 1;
                if !inner.is_end() {
                    return Err(Error::new(inner.span(), "unexpected tokens in attribute"));
                }
                stream
            }
            _ => inner.rest(),
        };
        let tokens = [pound, TokenTree::Group(group)].into_iter().collect();
        attrs.push(Attribute {
            path,
            args,
            span,
            tokens,
        });
    }
    Ok(attrs)
}

/// `pub`, `pub(crate)`, `pub(in path)` or nothing, as tokens.
fn parse_visibility(cursor: &mut Cursor) -> TokenStream {
    let mut vis = TokenStream::new();
    if cursor.peek_keyword("pub") {
        vis.extend(cursor.next());
        if let Some(TokenTree::Group(g)) = cursor.peek()
            && g.delimiter() == Delimiter::Parenthesis
        {
            vis.extend(cursor.next());
        }
    }
    vis
}

/// A struct with named fields and no generics (a vtable).
pub struct Struct {
    pub attrs: Vec<Attribute>,
    pub vis: TokenStream,
    pub name: Ident,
    pub fields: Vec<Field>,
}

pub struct Field {
    pub attrs: Vec<Attribute>,
    pub vis: TokenStream,
    pub name: Ident,
    pub ty: TokenStream,
}

impl Struct {
    pub fn parse(tokens: TokenStream) -> Result<Self> {
        let mut cursor = Cursor::new(tokens);
        let attrs = parse_attributes(&mut cursor)?;
        let vis = parse_visibility(&mut cursor);
        cursor.expect_keyword("struct", "`#[vtable]` expects a struct")?;
        let name = cursor.expect_ident("the struct's name")?;
        if cursor.peek_punct('<') {
            return Err(Error::new(
                cursor.span(),
                "`#[vtable]` expects a struct without generic parameters",
            ));
        }
        let body = cursor.expect_group(
            Delimiter::Brace,
            "`#[vtable]` expects a struct with named fields (one per slot)",
        )?;
        if !cursor.is_end() {
            return Err(Error::new(
                cursor.span(),
                "unexpected tokens after the struct",
            ));
        }
        let fields = split_commas(body)
            .into_iter()
            .map(Field::parse)
            .collect::<Result<_>>()?;
        Ok(Struct {
            attrs,
            vis,
            name,
            fields,
        })
    }
}

impl Field {
    fn parse(tokens: TokenStream) -> Result<Self> {
        let mut cursor = Cursor::new(tokens);
        let attrs = parse_attributes(&mut cursor)?;
        let vis = parse_visibility(&mut cursor);
        let name = cursor.expect_ident("a field name")?;
        cursor.expect_punct(':', "after the field name")?;
        if cursor.is_end() {
            return Err(Error::new(name.span(), "the field has no type"));
        }
        let ty = cursor.rest();
        Ok(Field {
            attrs,
            vis,
            name,
            ty,
        })
    }
}

impl fmt::Display for Struct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Struct {
            attrs,
            vis,
            name,
            fields,
        } = self;
        let (attrs, fields) = (Joined(attrs, " "), Joined(fields, ", "));
        write!(f, "{attrs}{vis} struct {name} {{ {fields} }}")
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Field {
            attrs,
            vis,
            name,
            ty,
        } = self;
        write!(f, "{} {vis} {name}: {ty}", Joined(attrs, " "))
    }
}

/// `attrs vis type Name = Type;`
pub struct TypeAlias {
    pub attrs: Vec<Attribute>,
    pub vis: TokenStream,
    pub name: Ident,
    pub ty: TokenStream,
}

impl TypeAlias {
    pub fn parse(tokens: TokenStream) -> Result<Self> {
        let mut cursor = Cursor::new(tokens);
        let attrs = parse_attributes(&mut cursor)?;
        let vis = parse_visibility(&mut cursor);
        cursor.expect_keyword("type", "`#[function_pointer]` expects a type alias")?;
        let name = cursor.expect_ident("the alias's name")?;
        if cursor.peek_punct('<') {
            return Err(Error::new(
                cursor.span(),
                "`#[function_pointer]` expects an alias without generic parameters",
            ));
        }
        cursor.expect_punct('=', "after the alias's name")?;
        let mut ty: Vec<TokenTree> = cursor.rest().into_iter().collect();
        match ty.pop() {
            Some(TokenTree::Punct(p)) if p.as_char() == ';' && !ty.is_empty() => {}
            _ => return Err(Error::new(name.span(), "expected `= Type;`")),
        }
        Ok(TypeAlias {
            attrs,
            vis,
            name,
            ty: ty.into_iter().collect(),
        })
    }
}

impl fmt::Display for TypeAlias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let TypeAlias {
            attrs,
            vis,
            name,
            ty,
        } = self;
        write!(f, "{} {vis} type {name} = {ty};", Joined(attrs, " "))
    }
}

/// A function-pointer type `[unsafe] [extern "abi"] fn(args) [-> R]`.
pub struct BareFn {
    /// The ABI tokens as written (`extern "system"`), empty for a Rust function pointer.
    pub abi_tokens: TokenStream,
    pub inputs: Vec<Arg>,
    /// The return type, `None` for `()`.
    pub output: Option<TokenStream>,
}

/// One parameter of a function-pointer type.
pub struct Arg {
    /// The name, if written (`_` counts as none).
    pub name: Option<Ident>,
    pub ty: TokenStream,
}

impl BareFn {
    /// Reads `ty` as a function-pointer type; `None` if it is another type.
    pub fn parse(ty: &TokenStream) -> Result<Option<Self>> {
        let mut cursor = Cursor::new(ty.clone());
        cursor.eat_keyword("unsafe");
        let mut abi_tokens = TokenStream::new();
        if cursor.peek_keyword("extern") {
            abi_tokens.extend(cursor.next());
            if let Some(TokenTree::Literal(_)) = cursor.peek() {
                abi_tokens.extend(cursor.next());
            }
        }
        if !cursor.eat_keyword("fn") {
            return Ok(None);
        }
        let args = cursor.expect_group(Delimiter::Parenthesis, "the parameters of `fn`")?;
        let inputs = split_commas(args)
            .into_iter()
            .map(Arg::parse)
            .collect::<Result<_>>()?;
        let output = if cursor.is_end() {
            None
        } else {
            cursor.expect_punct('-', "(`->`) or the end of the type")?;
            cursor.expect_punct('>', "after `-`")?;
            if cursor.is_end() {
                return Err(Error::new(cursor.span(), "expected a return type"));
            }
            Some(cursor.rest())
        };
        Ok(Some(BareFn {
            abi_tokens,
            inputs,
            output,
        }))
    }

    /// `-> R` or nothing, as text.
    pub fn return_text(&self) -> String {
        self.output
            .as_ref()
            .map(|ty| format!("-> {ty}"))
            .unwrap_or_default()
    }
}

impl Arg {
    fn parse(tokens: TokenStream) -> Result<Self> {
        let mut cursor = Cursor::new(tokens.clone());
        let named = matches!(
            (cursor.peek(), cursor.peek_at(1), cursor.peek_at(2)),
            (Some(TokenTree::Ident(_)), Some(TokenTree::Punct(colon)), next)
                if colon.as_char() == ':'
                    && !matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == ':')
        );
        if !named {
            return Ok(Arg {
                name: None,
                ty: tokens,
            });
        }
        let name = cursor.expect_ident("a parameter name")?;
        cursor.expect_punct(':', "after the parameter name")?;
        if cursor.is_end() {
            return Err(Error::new(name.span(), "the parameter has no type"));
        }
        Ok(Arg {
            name: Some(name).filter(|n| !ident_is(n, "_")),
            ty: cursor.rest(),
        })
    }
}

/// `*mut T` / `*const T` → (`T`, is `*mut`); `None` for other types.
pub fn pointee(ty: &TokenStream) -> Option<(TokenStream, bool)> {
    let mut cursor = Cursor::new(ty.clone());
    if !cursor.eat_punct('*') {
        return None;
    }
    let mutable = if cursor.eat_keyword("mut") {
        true
    } else if cursor.eat_keyword("const") {
        false
    } else {
        return None;
    };
    Some((cursor.rest(), mutable)).filter(|(target, _)| !target.is_empty())
}

/// The last name of a plain path type (`B_Vtbl`, `crate::x::B_Vtbl`).
pub fn path_last_ident(ty: &TokenStream) -> Option<Ident> {
    let mut cursor = Cursor::new(ty.clone());
    loop {
        if cursor.peek_path_separator() {
            cursor.pos += 2;
        }
        let Some(TokenTree::Ident(ident)) = cursor.next() else {
            return None;
        };
        if cursor.is_end() {
            return Some(ident);
        }
        if !cursor.peek_path_separator() {
            return None;
        }
    }
}

/// Given a written ABI string, the one to use instead (`None`: keep it).
pub type AbiRule<'a> = &'a dyn Fn(&str) -> Option<&'static str>;

/// Replaces the ABI string of every `extern "..."` in `tokens`: `outer` decides for the
/// function pointer `tokens` itself is (if `tokens` is one), `nested` for every other, at any
/// depth (parameters, return types, generic arguments). Each returns the new ABI, or `None`
/// to keep the written one.
pub fn rewrite_abis(tokens: &TokenStream, outer: AbiRule<'_>, nested: AbiRule<'_>) -> TokenStream {
    let is_fn_pointer = matches!(BareFn::parse(tokens), Ok(Some(_)));
    rewrite_level(tokens, is_fn_pointer.then_some(outer), nested)
}

fn rewrite_level(
    tokens: &TokenStream,
    mut outer: Option<AbiRule<'_>>,
    nested: AbiRule<'_>,
) -> TokenStream {
    let mut out = Vec::new();
    let mut after_extern = false;
    for token in tokens.clone() {
        let token = match token {
            TokenTree::Group(group) => {
                let inner = rewrite_level(&group.stream(), None, nested);
                let mut rewritten = Group::new(group.delimiter(), inner);
                rewritten.set_span(group.span());
                TokenTree::Group(rewritten)
            }
            TokenTree::Literal(lit) if after_extern => {
                // The first `extern` of a function-pointer type, before its `fn`, is its own.
                let rule = outer.take().unwrap_or(nested);
                match string_value(&lit).and_then(|abi| rule(&abi)) {
                    Some(abi) => {
                        let mut new = Literal::string(abi);
                        new.set_span(lit.span());
                        TokenTree::Literal(new)
                    }
                    None => TokenTree::Literal(lit),
                }
            }
            TokenTree::Ident(ident) if ident_is(&ident, "fn") => {
                // Past the outer `fn`: whatever follows belongs to nested pointers.
                outer = None;
                TokenTree::Ident(ident)
            }
            other => other,
        };
        after_extern = is_ident(&token, "extern");
        out.push(token);
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> TokenStream {
        text.parse().unwrap()
    }

    #[test]
    fn commas_inside_groups_and_generics_do_not_split() {
        let pieces = split_commas(tokens(
            "a: Option<unsafe extern \"system\" fn(x: u8, y: u8) -> u8>, b: HashMap<K, V>, c: fn() -> u8,",
        ));
        let text: Vec<String> = pieces.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[1].ends_with("HashMap < K , V >"), "{text:?}");
        assert_eq!(text[2], "c : fn () -> u8");
    }

    #[test]
    fn bare_fn_parts() {
        let f = BareFn::parse(&tokens(
            "unsafe extern \"system\" fn(this: *mut X, _: u32, *const u8) -> Option<fn()>",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(f.abi_tokens.to_string(), "extern \"system\"");
        assert_eq!(f.inputs.len(), 3);
        assert_eq!(f.inputs[0].name.as_ref().unwrap().to_string(), "this");
        assert!(f.inputs[1].name.is_none() && f.inputs[2].name.is_none());
        assert_eq!(f.inputs[2].ty.to_string(), "* const u8");
        assert_eq!(f.output.unwrap().to_string(), "Option < fn () >");
        assert!(BareFn::parse(&tokens("Option<fn()>")).unwrap().is_none());
        assert!(BareFn::parse(&tokens("fn(a: u8) - u8")).is_err());
    }

    #[test]
    fn pointers_and_paths() {
        let (target, mutable) = pointee(&tokens("*mut *const IFoo")).unwrap();
        assert!(mutable);
        assert_eq!(target.to_string(), "* const IFoo");
        assert!(pointee(&tokens("&u8")).is_none());
        let last = |s: &str| path_last_ident(&tokens(s)).map(|i| i.to_string());
        assert_eq!(last("crate::a::B_Vtbl").unwrap(), "B_Vtbl");
        assert_eq!(last("::B_Vtbl").unwrap(), "B_Vtbl");
        assert!(last("Vec<u8>").is_none());
    }

    #[test]
    fn outer_and_nested_abis_are_rewritten_separately() {
        let outer = |_: &str| Some("thiscall");
        let nested = |abi: &str| (abi == "system").then_some("stdcall");
        let slot = tokens(
            "unsafe extern \"system\" fn(cb: Option<extern \"system\" fn()>) -> Option<extern \"C\" fn(extern \"system\" fn())>",
        );
        let text = rewrite_abis(&slot, &outer, &nested).to_string();
        assert_eq!(
            text,
            "unsafe extern \"thiscall\" fn (cb : Option < extern \"stdcall\" fn () >) -> \
             Option < extern \"C\" fn (extern \"stdcall\" fn ()) >"
        );
        // Not a function pointer itself: every ABI is a nested one.
        let alias = tokens("Option<unsafe extern \"system\" fn()>");
        assert!(
            rewrite_abis(&alias, &outer, &nested)
                .to_string()
                .contains("\"stdcall\"")
        );
    }

    #[test]
    fn errors_become_compile_error_calls() {
        let error = Error::new(Span::call_site(), "bad \"thing\"");
        assert_eq!(
            error.into_compile_error().to_string(),
            r#":: core :: compile_error ! ("bad \"thing\"") ;"#
        );
        assert!(parse("fn (").to_string().contains("does not parse"));
    }

    #[test]
    fn literal_values() {
        let lit = |s: &str| match tokens(s).into_iter().next() {
            Some(TokenTree::Literal(l)) => l,
            _ => unreachable!(),
        };
        assert_eq!(
            string_value(&lit(r#""a \"b\"\n\u{e9}""#)).unwrap(),
            "a \"b\"\n\u{e9}"
        );
        assert_eq!(string_value(&lit(r##"r#"x"y"#"##)).unwrap(), "x\"y");
        assert_eq!(string_value(&lit("3")), None);
        assert_eq!(
            string_value(&lit(r#""\x41\t\\\'\0 \u{1F600} a\
                 b""#))
            .unwrap(),
            "A\t\\'\0 \u{1F600} ab"
        );
        assert_eq!(string_value(&lit("b\"x\"")), None);
        assert_eq!(integer_value(&lit("0x10")), Some(16));
        assert_eq!(integer_value(&lit("1_000u32")), Some(1000));
        assert_eq!(integer_value(&lit("0b101")), Some(5));
        assert_eq!(integer_value(&lit("3.5")), None);
        assert_eq!(integer_value(&lit("\"3\"")), None);
    }

    #[test]
    fn attributes_keep_their_tokens() {
        let mut cursor = Cursor::new(tokens(
            "#[doc = \"x\"] #[wrap(name = a, slot = 1)] #[httpserv_macros::vtable] pub x: u8",
        ));
        let attrs = parse_attributes(&mut cursor).unwrap();
        assert_eq!(attrs.len(), 3);
        assert!(attrs[0].is("doc"));
        assert_eq!(attrs[0].args.to_string(), "= \"x\"");
        assert_eq!(attrs[1].args.to_string(), "name = a , slot = 1");
        assert!(attrs[2].is("httpserv_macros::vtable"));
        assert_eq!(
            Joined(&attrs, " ").to_string(),
            "# [doc = \"x\"] # [wrap (name = a , slot = 1)] # [httpserv_macros :: vtable] "
        );
    }
}
