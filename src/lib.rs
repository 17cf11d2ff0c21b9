//! zhibiao (指标): indicator tracking for a district science & technology bureau.
//!
//! The modules and what each may use (checked by the test below, which reads the `crate::` paths
//! of every file outside its tests; each module may use only those listed before it):
//!
//! | module     | what it is                                               | uses                          |
//! |------------|----------------------------------------------------------|-------------------------------|
//! | `domain`   | the statistics' rules, pure: every number comes from here | —                             |
//! | `charts`   | chart models and drawing, pure                            | domain                        |
//! | `transfer` | files in and out (CSV, Excel, DHIS2, WDI), pure           | domain                        |
//! | `store`    | SQLite: rows in and out, nothing above it                 | domain                        |
//! | `error`    | the application's errors                                  | domain, charts, store         |
//! | `engine`   | the questions and changes of the application              | the above                     |
//! | `reports`  | bulletin, assessment and completeness reports             | the above but store           |
//! | `demo`     | the demo data                                             | the above but reports         |
//! | `app`      | the running application: state, transactions, sessions    | the above but reports, demo   |
//! | `http`     | the JSON API, a peer of `web`                             | the above but store, demo     |
//! | `web`      | the pages, a peer of `http`                               | the above but store, demo, http |
//! | `startup`  | the router of both and the server                         | app, http, web, store, charts, error |
//! | `cli`      | the command line                                          | all but http, web             |

pub mod app;
pub mod charts;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod error;
pub mod http;
pub mod reports;
pub mod startup;
pub mod store;
pub mod transfer;
pub mod web;

#[cfg(test)]
mod layers {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Each module and the modules it may use, in the order of the table above: a module may use
    /// only modules listed before it, so that no two modules use each other, however indirectly.
    const ALLOWED: &[(&str, &[&str])] = &[
        ("domain", &[]),
        ("charts", &["domain"]),
        ("transfer", &["domain"]),
        ("store", &["domain"]),
        ("error", &["domain", "charts", "store"]),
        ("engine", &["domain", "charts", "transfer", "store", "error"]),
        ("reports", &["domain", "charts", "transfer", "error", "engine"]),
        ("demo", &["domain", "charts", "transfer", "store", "error", "engine"]),
        ("app", &["domain", "charts", "transfer", "store", "error", "engine"]),
        ("http", &["domain", "charts", "transfer", "error", "engine", "reports", "app"]),
        ("web", &["domain", "charts", "transfer", "error", "engine", "reports", "app"]),
        ("startup", &["charts", "store", "error", "app", "http", "web"]),
        ("cli", &["domain", "charts", "transfer", "store", "error", "engine", "reports", "demo", "app", "startup"]),
    ];

    /// The modules `source` names through `crate::` (`crate::engine::world`, `crate::{demo, store}`,
    /// `crate::{engine::{a, b}, store::Pool}`), leaving out its tests. `root` is what reaches the
    /// crate's root from the file by `super` (`super::` in `src/x/mod.rs`, `super::super::` in
    /// `src/x/y.rs`); paths through it count as `crate::` paths.
    fn used_modules(source: &str, root: Option<&str>) -> BTreeSet<String> {
        let tests = source
            .match_indices("#[cfg(test)]")
            .map(|(at, _)| at)
            .find(|&at| source[at..].lines().nth(1).is_some_and(|line| line.trim_end().ends_with("mod tests {")));
        let code = &source[..tests.unwrap_or(source.len())];
        let code = match root {
            Some(root) => code.replace(root, "crate::"),
            None => code.to_string(),
        };
        let mut used = BTreeSet::new();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let mut names = Vec::new();
            match rest.strip_prefix('{') {
                // the first name of each item at the group's own depth
                Some(group) => {
                    let (mut depth, mut start) = (0, 0);
                    for (i, c) in group.char_indices() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => {
                                names.push(&group[start..i]);
                                break;
                            }
                            '}' => depth -= 1,
                            ',' if depth == 0 => {
                                names.push(&group[start..i]);
                                start = i + 1;
                            }
                            _ => {}
                        }
                    }
                }
                None => names.push(rest),
            }
            for name in names {
                let name = name.trim();
                let ident: String = name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                // `crate::day_regex!()` is a macro at the crate's root, not a module
                let macro_call = name[ident.len()..].starts_with('!');
                if !ident.is_empty() && ident != "self" && !macro_call {
                    used.insert(ident);
                }
            }
        }
        used
    }

    fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    #[test]
    fn the_allowed_uses_form_no_circle() {
        for (i, (module, uses)) in ALLOWED.iter().enumerate() {
            for used in *uses {
                let position = ALLOWED.iter().position(|(m, _)| m == used);
                assert!(position.is_some_and(|p| p < i), "{module} may use {used}, which is not listed before it");
            }
        }
    }

    #[test]
    fn every_module_uses_only_what_the_layers_allow() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut broken = Vec::new();
        for file in files {
            let relative = file.strip_prefix(&src).unwrap();
            let top = relative.components().next().unwrap().as_os_str().to_string_lossy();
            let module = top.trim_end_matches(".rs");
            if matches!(module, "lib" | "main") {
                continue;
            }
            let allowed = ALLOWED.iter().find(|(m, _)| *m == module).map(|(_, uses)| *uses);
            let Some(allowed) = allowed else {
                broken.push(format!("{module} is not in the table of layers"));
                continue;
            };
            // how deep the file's module is: 1 for src/x.rs and src/x/mod.rs, 2 for src/x/y.rs
            let depth = relative.components().count() - usize::from(relative.ends_with("mod.rs"));
            let root = "super::".repeat(depth);
            for used in used_modules(&std::fs::read_to_string(&file).unwrap(), Some(&root)) {
                if used != module && !allowed.contains(&used.as_str()) {
                    broken.push(format!("{} uses {used}", relative.display()));
                }
            }
        }
        assert!(broken.is_empty(), "uses the layers do not allow:\n{}", broken.join("\n"));
    }

    #[test]
    fn uses_are_read_from_paths_groups_and_supers_but_not_from_tests() {
        let source = "use crate::engine::world;\nuse crate::{demo, store::Pool, self};\nfn f() { crate::charts::x() }\n\
                      use crate::{app::{a, b}, error::{AppError, AppResult}, reports};\n\
                      use super::super::transfer::parse;\nconst P: &str = crate::day_regex!();\n#[cfg(test)]\npub(crate) mod tests {\n use crate::web; }";
        let want: BTreeSet<String> =
            ["app", "charts", "demo", "engine", "error", "reports", "store"].map(String::from).into();
        assert_eq!(used_modules(source, None), want);
        let with_root = used_modules(source, Some("super::super::"));
        assert!(with_root.contains("transfer") && with_root.is_superset(&want), "{with_root:?}");
    }
}
