//! Which header the generated crate was built from, as constants in the crate itself, so a
//! module (or `httpserv-codegen diff --against`) can tell the input without re-reading comments.
//! Only the file name, hash and SDK version: never a folder of the machine that generated it.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Api;

/// The provenance items placed at the top of the generated bindings.
pub fn tokens(api: &Api) -> TokenStream {
    let name = &api.header_name;
    let sha = &api.header_sha256;
    let version = match &api.sdk_version {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    };
    quote! {
        /// File name (no folders) of the header these bindings were generated from.
        pub const HEADER_NAME: &str = #name;
        /// SHA-256 (lowercase hex) of that header's bytes.
        pub const HEADER_SHA256: &str = #sha;
        /// The Windows SDK version the header was taken from with `--sdk`, if it was.
        pub const HEADER_SDK_VERSION: Option<&str> = #version;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hash_and_version_without_folders() {
        let api = Api {
            header_name: "httpserv.h".into(),
            header_sha256: "ab".repeat(32),
            sdk_version: Some("10.0.26100.0".into()),
            ..Api::default()
        };
        let text = tokens(&api).to_string();
        assert!(
            text.contains("HEADER_NAME : & str = \"httpserv.h\""),
            "{text}"
        );
        assert!(text.contains(&"ab".repeat(32)), "{text}");
        assert!(text.contains("Some (\"10.0.26100.0\")"), "{text}");
    }
}
