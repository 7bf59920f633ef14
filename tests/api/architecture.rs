//! The dependency rules of the source tree, checked on the files themselves:
//! the vendor-neutral core never names a vendor module or the composition
//! root, vendors never name each other, and no two source files depend on
//! each other in a cycle (a module and its own child aside: declaring a
//! child and re-exporting from it is what modules are for).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that are vendor plug-ins.
const VENDORS: &[&str] = &["complycube", "verifik"];
/// The composition root: it alone may name every vendor.
const ROOTS: &[&str] = &["app"];

/// A module path (`complycube::checks::create`) → its file.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("read src")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                let mut p = prefix.to_vec();
                p.push(name);
                walk(&path, &p, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut p = prefix.to_vec();
                match name.as_str() {
                    "mod" => {}
                    "lib" if prefix.is_empty() => {}
                    "main" if prefix.is_empty() => continue,
                    _ => p.push(name),
                }
                out.insert(p.join("::"), path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, &[], &mut out);
    out
}

/// The source without comments and string literals (which may mention
/// paths without depending on them).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'r' && (b.get(i + 1) == Some(&b'#') || b.get(i + 1) == Some(&b'"')) {
            // A raw string r#"..."# (any number of #).
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            j += 1;
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            while j < b.len() && !b[j..].starts_with(&close) {
                j += 1;
            }
            i = j + close.len();
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            // A char literal such as '"'.
            out.push_str("' '");
            i += 3;
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            let mut j = i + 2;
            while j < b.len() && b[j] != b'\'' {
                j += 1;
            }
            out.push_str("' '");
            i = j + 1;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Expands a `use` tree (`a::{b, c::{d, e}}`) into its full paths.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" as ", "@")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let Some(open) = tree.find('{') else {
        return vec![tree.split('@').next().unwrap_or(&tree).to_owned()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.len().saturating_sub(1)];
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            expand(p)
                .into_iter()
                .map(|q| {
                    if q == "self" {
                        prefix.trim_end_matches("::").to_owned()
                    } else {
                        format!("{prefix}{q}")
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every `crate::`/`super::`/`self::` path a file's code names.
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    // `use` statements, braces and all.
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let after_use = &rest[i + 4..];
        if before.is_some_and(is_ident) {
            rest = after_use;
            continue;
        }
        let end = after_use.find(';').unwrap_or(after_use.len());
        out.extend(expand(&after_use[..end]));
        rest = &after_use[end..];
    }
    // Inline paths anywhere in the code.
    for anchor in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(anchor) {
            let at = from + i;
            from = at + anchor.len();
            if code[..at].chars().last().is_some_and(is_ident) {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(is_ident(c) || c == ':'))
                .map_or(code.len(), |e| at + e);
            let path = code[at..end].trim_end_matches(':');
            if path.contains("::") {
                out.push(path.to_owned());
            }
        }
    }
    out
}

/// Items a module re-exports (`pub(crate) use child::Item;`): module →
/// item name → the module the item really lives in.
type Reexports = BTreeMap<String, BTreeMap<String, String>>;

fn reexports(known: &BTreeMap<String, PathBuf>) -> Reexports {
    let mut out = Reexports::new();
    for (module, file) in known {
        let code = code_only(&std::fs::read_to_string(file).expect("read source"));
        for stmt in code.split(';') {
            let stmt = stmt.trim();
            let Some(tree) = stmt
                .strip_prefix("pub(crate) use ")
                .or_else(|| stmt.strip_prefix("pub use "))
            else {
                continue;
            };
            for path in expand(tree) {
                let full = if path.starts_with("crate::")
                    || path.starts_with("super::")
                    || path.starts_with("self::")
                {
                    path
                } else {
                    format!("self::{path}")
                };
                let name = full.rsplit("::").next().unwrap_or("").to_owned();
                if let Some(target) = resolve(module, &full, known, &Reexports::new()) {
                    if target != *module {
                        out.entry(module.clone()).or_default().insert(name, target);
                    }
                }
            }
        }
    }
    out
}

/// The module a path lands in: the longest module prefix that exists,
/// followed through re-exports.
fn resolve(
    from: &str,
    path: &str,
    known: &BTreeMap<String, PathBuf>,
    reexported: &Reexports,
) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<String> = if from.is_empty() {
        Vec::new()
    } else {
        from.split("::").map(str::to_owned).collect()
    };
    match segs.first().copied() {
        Some("crate") => {
            base.clear();
            segs.remove(0);
        }
        Some("super") => {
            // In `x/mod.rs` or `x.rs`, `super` is x's parent either way.
            while segs.first() == Some(&"super") {
                base.pop();
                segs.remove(0);
            }
        }
        Some("self") => {
            segs.remove(0);
        }
        _ => return None,
    }
    let mut best = base.join("::");
    let mut cur = base;
    for s in segs {
        cur.push(s.to_owned());
        let name = cur.join("::");
        if known.contains_key(&name) {
            best = name;
        } else {
            if let Some(real) = reexported.get(&best).and_then(|m| m.get(s)) {
                best = real.clone();
            }
            break;
        }
    }
    Some(best)
}

/// Whether one module is the other's direct parent.
fn parent_child(a: &str, b: &str) -> bool {
    let parent = |m: &str| {
        m.rsplit_once("::")
            .map_or(String::new(), |(p, _)| p.to_owned())
    };
    (!b.is_empty() && parent(b) == a) || (!a.is_empty() && parent(a) == b)
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let known = modules(&src);
    assert!(known.len() > 40, "found the source tree: {known:?}");
    let reexported = reexports(&known);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &known {
        let text = std::fs::read_to_string(file).expect("read source");
        let code = code_only(&text);
        let own = edges.entry(module.clone()).or_default();
        let mut aliases: Vec<(String, String)> = Vec::new();
        for p in paths(&code) {
            if let Some(target) = resolve(module, &p, &known, &reexported) {
                // `use crate::scenario;` makes `scenario::x` a path too.
                let last = p.rsplit("::").next().unwrap_or("");
                if target.rsplit("::").next() == Some(last) && !last.is_empty() {
                    aliases.push((last.to_owned(), target.clone()));
                }
                if target != *module {
                    own.insert(target);
                }
            }
        }
        for (alias, target) in aliases {
            let anchor = format!("{alias}::");
            let mut from = 0;
            while let Some(i) = code[from..].find(&anchor) {
                let at = from + i;
                from = at + anchor.len();
                let before = code[..at].chars().last();
                if before.is_some_and(|c| is_ident(c) || c == ':') {
                    continue;
                }
                let end = code[at..]
                    .find(|c: char| !(is_ident(c) || c == ':'))
                    .map_or(code.len(), |e| at + e);
                let rest = code[at + anchor.len()..end].trim_end_matches(':');
                let full = format!("crate::{}::{rest}", target);
                if let Some(t) = resolve(module, &full, &known, &reexported) {
                    if t != *module {
                        own.insert(t);
                    }
                }
            }
        }
    }
    edges
}

#[test]
fn the_core_names_no_vendor_and_no_composition_root() {
    let mut wrong = Vec::new();
    for (from, targets) in graph() {
        let from_top = top(&from);
        if from.is_empty() {
            continue; // lib.rs declares every module.
        }
        for to in targets {
            let to_top = top(&to);
            let vendor_to = VENDORS.contains(&to_top);
            let core_from = !VENDORS.contains(&from_top) && !ROOTS.contains(&from_top);
            if core_from && (vendor_to || ROOTS.contains(&to_top)) {
                wrong.push(format!("core module {from} names {to}"));
            }
            if VENDORS.contains(&from_top) && vendor_to && to_top != from_top {
                wrong.push(format!("vendor module {from} names vendor {to}"));
            }
            if !ROOTS.contains(&from_top) && ROOTS.contains(&to_top) {
                wrong.push(format!("{from} names the composition root {to}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_two_source_files_depend_on_each_other() {
    let g = graph();
    // Tarjan's strongly connected components over file-to-file edges,
    // leaving out a module's edges to its own parent or children.
    struct State<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        cycles: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let targets: Vec<&'a str> = s.g[v]
            .iter()
            .filter(|w| !parent_child(v, w) && s.g.contains_key(w.as_str()))
            .map(String::as_str)
            .collect();
        for w in targets {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort_unstable();
                s.cycles.push(comp);
            }
        }
    }
    let mut s = State {
        g: &g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        cycles: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    let cycles: Vec<String> = s.cycles.iter().map(|c| c.join(" <-> ")).collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_graph_has_the_edges_the_code_shows() {
    let g = graph();
    let has = |from: &str, to: &str| g.get(from).is_some_and(|t| t.contains(to));
    assert!(has("app", "complycube"), "{:?}", g.get("app"));
    assert!(has("complycube::checks::create", "complycube::tenant"));
    assert!(has("complycube::checks::create", "scenario"));
    assert!(has("scenario::apply", "journal"));
    // Through a parent's re-export to the child that defines the item.
    assert!(
        has("complycube::checks::create", "scenario::apply"),
        "{:?}",
        g.get("complycube::checks::create")
    );
    assert!(has("admin::clock", "core"));
    assert!(!has("core", "complycube"));
}

#[test]
fn the_checker_sees_paths_through_use_trees_and_inline() {
    let code = code_only(
        "use super::{a::{B, c}, d};\nuse crate::x::y as z; // crate::not_this\nfn f() { crate::q::r(); let s = \"crate::nor_this\"; }",
    );
    let mut got = paths(&code);
    got.sort();
    got.dedup();
    assert_eq!(
        got,
        [
            "crate::q::r",
            "crate::x::y",
            "super::a::B",
            "super::a::c",
            "super::d"
        ]
    );
}
