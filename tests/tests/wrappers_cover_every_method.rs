//! Every own method of every class of the bundled header has exactly one safe or unsafe wrapper,
//! wrapper names are unique per class, and every reference link points at a page of the IIS
//! reference shipped in `shared/`. Counts come from the parsed model, not from a number kept
//! by hand.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use httpserv_codegen::{Options, wrap};

#[test]
fn one_wrapper_per_method_with_unique_names_and_real_links() {
    let (api, layouts) = httpserv_codegen::analyze(&Options::default()).expect("analyze");
    let (plan, warnings) = wrap::plan_bundled(&layouts).expect("wrapper table is valid");
    assert!(
        warnings.is_empty(),
        "the table must cover the header exactly:\n{}",
        warnings.join("\n")
    );

    let own_slots: usize = layouts.iter().map(|l| l.own_slots().len()).sum();
    let own_methods: usize = api
        .classes
        .iter()
        .map(|c| {
            c.virtual_methods().count()
                + c.members
                    .iter()
                    .filter(|m| {
                        matches!(
                            m.kind,
                            httpserv_codegen::model::MemberKind::VirtualDestructor {
                                overrides: false,
                                ..
                            }
                        )
                    })
                    .count()
        })
        .sum();
    assert_eq!(own_slots, own_methods, "every own method has one slot");
    assert_eq!(plan.len(), own_slots, "one wrapper per slot");

    let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (class, field, spec) in plan.iter() {
        assert!(
            names.entry(class).or_default().insert(&spec.name),
            "{class}: wrapper name `{}` used twice (again for {field})",
            spec.name
        );
        assert!(!spec.summary.is_empty(), "{class}::{field} has no summary");
    }

    let reference =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/iis-native-api");
    assert!(
        reference.is_dir(),
        "{} must exist (shared/ sits beside the repository)",
        reference.display()
    );
    let mut linked = 0;
    for (class, field, spec) in plan.iter() {
        if let Some(page) = &spec.page {
            let file = reference.join(format!("{page}.md"));
            assert!(
                file.is_file(),
                "{class}::{field} links to missing {}",
                file.display()
            );
            linked += 1;
        }
    }
    assert!(
        linked > own_slots / 2,
        "only {linked} wrappers link to a reference page"
    );

    // And the generated crate carries exactly these descriptions.
    let bindings = std::fs::read_to_string(
        httpserv_codegen::default_out_dir().join(httpserv_codegen::BINDINGS_FILE),
    )
    .unwrap();
    assert_eq!(bindings.matches("#[wrap(").count(), own_slots);
}
