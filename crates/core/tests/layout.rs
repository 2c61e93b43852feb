//! The core's shape, checked: imports run one way (no two files, and no two folders, reach each
//! other through `use`), and no source file is over 400 lines. A newcomer finds a concept by
//! its folder; a circle or a 900-line file is where they get lost. `cargo test --test layout --
//! --nocapture` prints the tree with line counts and the folder-to-folder imports.
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The longest a core source file may be, in lines (tests kept in their own files count too).
const MAX_LINES: usize = 400;

/// A module path (`["booking", "client", "claim"]`) for each source file under `src/`.
fn modules(root: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("the source folder reads") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(root).expect("under src");
            let mut parts: Vec<String> = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            out.insert(parts, path);
        }
    }
    out
}

/// The paths a file's `use` statements name, with `super::` and `self::` made absolute and
/// groups (`{a::B, c::D}`) expanded. Test modules (`#[cfg(test)] mod tests { ... }` to the
/// file's end) are skipped: `use super::*` there names the file itself.
fn imports(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let code = match text.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut statements = Vec::new();
    let mut open: Option<String> = None;
    for line in code.lines() {
        let line = line.trim();
        if let Some(mut statement) = open.take() {
            statement.push_str(line);
            match statement.find(';') {
                Some(end) => statements.push(statement[..end].to_owned()),
                None => open = Some(statement),
            }
            continue;
        }
        let body = ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|p| line.strip_prefix(p));
        if let Some(body) = body {
            match body.find(';') {
                Some(end) => statements.push(body[..end].to_owned()),
                None => open = Some(body.to_owned()),
            }
        }
    }
    // Paths written in place (`super::mask::MaskedPatient::of(..)`), outside comments.
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or("");
        for (at, _) in line
            .match_indices("super::")
            .chain(line.match_indices("crate::"))
        {
            let starts_word = line[..at]
                .chars()
                .last()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
            if !starts_word {
                continue;
            }
            let path: String = line[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            statements.push(path.trim_end_matches(':').to_owned());
        }
    }
    let mut paths = Vec::new();
    for statement in statements {
        let statement: String = statement.chars().filter(|c| !c.is_whitespace()).collect();
        for path in expand(&statement) {
            let mut base: Vec<String> = module.to_vec();
            let mut segments = path.split("::").peekable();
            match segments.peek().copied() {
                Some("crate") => {
                    base.clear();
                    segments.next();
                }
                Some("super") => {
                    while segments.peek() == Some(&"super") {
                        segments.next();
                        base.pop();
                    }
                }
                Some("self") => {
                    segments.next();
                }
                _ => continue, // alloc::, core::, std::
            }
            base.extend(segments.map(str::to_owned));
            paths.push(base);
        }
    }
    paths
}

/// `a::{b::C, d}` → `a::b::C`, `a::d` (one level of nesting is all the core uses).
fn expand(statement: &str) -> Vec<String> {
    match statement.find('{') {
        None => vec![statement.to_owned()],
        Some(open) => {
            let head = &statement[..open];
            let inner = &statement[open + 1..statement.rfind('}').unwrap_or(statement.len())];
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
                .flat_map(|p| expand(&format!("{head}{p}")))
                .collect()
        }
    }
}

/// The file a path lands in: its longest prefix that is a module.
fn owner<'a>(
    path: &[String],
    files: &'a BTreeMap<Vec<String>, PathBuf>,
) -> Option<&'a Vec<String>> {
    (1..=path.len())
        .rev()
        .find_map(|n| files.get_key_value(&path[..n]).map(|(k, _)| k))
}

/// Strongly connected groups of more than one node (Tarjan), each sorted.
fn circles<N: Ord + Clone>(edges: &BTreeMap<N, BTreeSet<N>>) -> Vec<Vec<N>> {
    struct T<N> {
        index: BTreeMap<N, usize>,
        low: BTreeMap<N, usize>,
        stack: Vec<N>,
        on: BTreeSet<N>,
        out: Vec<Vec<N>>,
    }
    fn visit<N: Ord + Clone>(n: &N, edges: &BTreeMap<N, BTreeSet<N>>, t: &mut T<N>) {
        let i = t.index.len();
        t.index.insert(n.clone(), i);
        t.low.insert(n.clone(), i);
        t.stack.push(n.clone());
        t.on.insert(n.clone());
        for m in edges.get(n).into_iter().flatten() {
            if !t.index.contains_key(m) {
                visit(m, edges, t);
                let low = t.low[n].min(t.low[m]);
                t.low.insert(n.clone(), low);
            } else if t.on.contains(m) {
                let low = t.low[n].min(t.index[m]);
                t.low.insert(n.clone(), low);
            }
        }
        if t.low[n] == t.index[n] {
            let mut group = Vec::new();
            while let Some(m) = t.stack.pop() {
                t.on.remove(&m);
                let done = &m == n;
                group.push(m);
                if done {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                t.out.push(group);
            }
        }
    }
    let mut t = T {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for n in edges.keys() {
        if !t.index.contains_key(n) {
            visit(n, edges, &mut t);
        }
    }
    t.out
}

struct Graph {
    files: BTreeMap<Vec<String>, PathBuf>,
    /// File → the files it imports from.
    edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
}

fn graph() -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&root);
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, path) in &files {
        let text = fs::read_to_string(path).expect("a source file reads");
        let to = edges.entry(module.clone()).or_default();
        for used in imports(&text, module) {
            if let Some(file) = owner(&used, &files) {
                // A folder's mod.rs naming what is inside it (`pub use client::Client;`) is
                // the folder's face, not a dependency.
                let face = path
                    .file_name()
                    .is_some_and(|n| n == "mod.rs" || n == "lib.rs");
                if file != module && !(face && file.starts_with(module)) {
                    to.insert(file.clone());
                }
            }
        }
    }
    Graph { files, edges }
}

/// The folder a file belongs to (`booking/client/claim.rs` → `booking/client`; a folder's
/// `mod.rs` belongs to the folder itself).
fn folder(module: &[String], files: &BTreeMap<Vec<String>, PathBuf>) -> Vec<String> {
    let path = &files[module];
    if path
        .file_name()
        .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
    {
        module.to_vec()
    } else {
        module[..module.len() - 1].to_vec()
    }
}

#[test]
fn no_two_core_files_import_each_other_even_through_others() {
    let g = graph();
    let found = circles(&g.edges);
    let named: Vec<Vec<String>> = found
        .iter()
        .map(|group| group.iter().map(|m| m.join("/")).collect())
        .collect();
    assert!(named.is_empty(), "import circles between files: {named:?}");
}

#[test]
fn no_two_core_folders_import_each_other() {
    let g = graph();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (from, tos) in &g.edges {
        let a = folder(from, &g.files);
        for to in tos {
            let b = folder(to, &g.files);
            if a != b {
                edges.entry(a.clone()).or_default().insert(b);
            }
        }
    }
    if std::env::var_os("LAYOUT_PRINT").is_some() {
        for (from, tos) in &edges {
            let tos: Vec<String> = tos.iter().map(|t| t.join("/")).collect();
            println!("{} -> {}", from.join("/"), tos.join(", "));
        }
    }
    let found = circles(&edges);
    let named: Vec<Vec<String>> = found
        .iter()
        .map(|group| group.iter().map(|m| m.join("/")).collect())
        .collect();
    assert!(
        named.is_empty(),
        "import circles between folders: {named:?}"
    );
}

#[test]
fn no_core_file_is_over_400_lines() {
    let g = graph();
    let mut long = Vec::new();
    for path in g.files.values() {
        let lines = fs::read_to_string(path).expect("reads").lines().count();
        if std::env::var_os("LAYOUT_PRINT").is_some() {
            println!("{lines:5} {}", path.display());
        }
        if lines > MAX_LINES {
            long.push(format!("{} ({lines} lines)", path.display()));
        }
    }
    assert!(long.is_empty(), "files over {MAX_LINES} lines: {long:?}");
}

#[test]
fn the_checker_sees_a_circle_and_a_group() {
    // The checker itself: a circle through three nodes is one group; a chain is none.
    let mut edges: BTreeMap<u8, BTreeSet<u8>> = BTreeMap::new();
    edges.entry(1).or_default().insert(2);
    edges.entry(2).or_default().insert(3);
    edges.entry(3).or_default().insert(1);
    edges.entry(3).or_default().insert(4);
    assert_eq!(circles(&edges), vec![vec![1, 2, 3]]);
    edges.get_mut(&3).unwrap().remove(&1);
    assert!(circles(&edges).is_empty());
    let paths = expand("super::{a::B,c::{D,E}}");
    assert_eq!(paths, ["super::a::B", "super::c::D", "super::c::E"]);
    let module = vec!["booking".to_owned(), "client".to_owned()];
    let used = imports("use super::io::{Command, Step};\n", &module);
    let used: Vec<String> = used.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        used,
        ["booking::io::Command", "booking::io::Step", "booking::io"]
    );
    let inline = imports(
        "    let p = super::mask::MaskedPatient::of(r); // super::x\n",
        &module,
    );
    assert_eq!(inline, [["booking", "mask", "MaskedPatient", "of"]]);
}
