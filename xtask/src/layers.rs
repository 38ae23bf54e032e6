//! `cargo xtask layers`: the backend's top-level modules must import each other without a cycle.
//!
//! Every `.rs` file under `backend/src/<module>` is parsed with `syn`; each path that starts at
//! the crate root (`crate::store::…`, `super::…` climbing to the root, or a name the root
//! re-exports such as `crate::Config`) is an edge from the file's module to the named module.
//! The strongly connected components of that graph with more than one module are the cycles; the
//! check names each with one import that closes it. The layer table of `docs/architecture.md`
//! (`| layer | modules | may import |`, top layer first) is checked too: every module sits in one
//! layer and imports only its own layer and the ones below.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use syn::visit::Visit;

/// One import of another module: where it is written and what it names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Import {
    /// The file, relative to the crate's `src`.
    pub(crate) file: String,
    /// The path as written, such as `crate::record::histogram`.
    pub(crate) path: String,
}

/// The modules of a crate and the imports between them: `edges[from][to]` lists the imports.
#[derive(Debug, Default)]
pub(crate) struct ModuleGraph {
    edges: BTreeMap<String, BTreeMap<String, Vec<Import>>>,
}

/// The document whose layer table declares what may import what.
const ARCHITECTURE: &str = "docs/architecture.md";

/// Checks the backend's modules; fails naming every cycle and every import up the layers.
pub(crate) fn check() -> Result<()> {
    let root = crate::workspace_root();
    let graph = ModuleGraph::of_crate(&root.join("backend/src"))?;
    let document = std::fs::read_to_string(root.join(ARCHITECTURE))
        .with_context(|| format!("cannot read {ARCHITECTURE}"))?;
    let layers = Layers::from_markdown(&document)?;
    let mut problems: Vec<String> = graph
        .cycles()
        .iter()
        .map(|cycle| graph.describe(cycle))
        .collect();
    problems.extend(layers.violations(&graph));
    if problems.is_empty() {
        crate::step(&format!(
            "layers: {} top-level modules of the backend in {} layers, no import cycle",
            graph.edges.len(),
            layers.names.len()
        ));
        return Ok(());
    }
    bail!(
        "the backend's modules break the layers of {ARCHITECTURE}:\n{}",
        problems.join("\n")
    )
}

/// The layer table: layer names from the top, and each module's layer (0 = top).
#[derive(Debug)]
pub(crate) struct Layers {
    names: Vec<String>,
    of_module: BTreeMap<String, usize>,
}

impl Layers {
    /// Reads the table that starts with `| layer | modules |`; modules are the backquoted names.
    pub(crate) fn from_markdown(document: &str) -> Result<Layers> {
        let rows = document
            .lines()
            .skip_while(|line| !line.starts_with("| layer | modules |"))
            .skip(2)
            .take_while(|line| line.starts_with('|'));
        let mut layers = Layers {
            names: Vec::new(),
            of_module: BTreeMap::new(),
        };
        for row in rows {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let (Some(name), Some(modules)) = (cells.get(1), cells.get(2)) else {
                bail!("{ARCHITECTURE}: a layer row without modules: {row}");
            };
            let layer = layers.names.len();
            layers.names.push((*name).to_owned());
            for module in modules.split('`').skip(1).step_by(2) {
                if let Some(other) = layers.of_module.insert(module.to_owned(), layer) {
                    bail!(
                        "{ARCHITECTURE}: `{module}` is in two layers, {} and {name}",
                        layers.names[other]
                    );
                }
            }
        }
        if layers.names.is_empty() {
            bail!("{ARCHITECTURE} has no table starting with `| layer | modules |`");
        }
        Ok(layers)
    }

    /// Modules in no layer, and imports that go up the table.
    fn violations(&self, graph: &ModuleGraph) -> Vec<String> {
        let mut found = Vec::new();
        for (from, targets) in &graph.edges {
            let Some(&from_layer) = self.of_module.get(from) else {
                found.push(format!(
                    "  `{from}` is in no layer of the table; add it to one"
                ));
                continue;
            };
            for (to, imports) in targets {
                match self.of_module.get(to) {
                    Some(&to_layer) if to_layer < from_layer => found.push(format!(
                        "  {from} ({}) imports {to} ({}), a layer above: {} in {}",
                        self.names[from_layer],
                        self.names[to_layer],
                        imports[0].path,
                        imports[0].file
                    )),
                    _ => {}
                }
            }
        }
        found
    }
}

impl ModuleGraph {
    /// Reads every module of the crate whose `lib.rs` is in `src`.
    pub(crate) fn of_crate(src: &Path) -> Result<ModuleGraph> {
        let root = read(&src.join("lib.rs"))?;
        let modules = root_modules(&root);
        let reexports = root_reexports(&root, &modules);
        let mut graph = ModuleGraph::default();
        for module in &modules {
            for (file, depth) in module_files(src, module)? {
                let syntax = read(&file)?;
                let relative = file
                    .strip_prefix(src)
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                graph.add_file(module, &relative, depth, &syntax, &modules, &reexports);
            }
        }
        Ok(graph)
    }

    /// Adds the imports of one file of `module`, `depth` modules below the crate root.
    pub(crate) fn add_file(
        &mut self,
        module: &str,
        file: &str,
        depth: usize,
        syntax: &syn::File,
        modules: &BTreeSet<String>,
        reexports: &BTreeMap<String, String>,
    ) {
        self.edges.entry(module.to_owned()).or_default();
        let mut paths = RootPaths {
            depth,
            found: Vec::new(),
        };
        paths.visit_file(syntax);
        for path in paths.found {
            let Some(first) = path.first() else { continue };
            let target = if modules.contains(first) {
                first.clone()
            } else if let Some(owner) = reexports.get(first) {
                owner.clone()
            } else {
                continue;
            };
            if target == module {
                continue;
            }
            self.edges
                .entry(module.to_owned())
                .or_default()
                .entry(target)
                .or_default()
                .push(Import {
                    file: file.to_owned(),
                    path: format!("crate::{}", path.join("::")),
                });
        }
    }

    /// The modules that sit in a cycle, one set per strongly connected component (Tarjan).
    pub(crate) fn cycles(&self) -> Vec<Vec<String>> {
        let names: Vec<&String> = self.edges.keys().collect();
        let index_of: BTreeMap<&String, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let successors: Vec<Vec<usize>> = names
            .iter()
            .map(|name| {
                self.edges[*name]
                    .keys()
                    .filter_map(|to| index_of.get(to).copied())
                    .collect()
            })
            .collect();
        strongly_connected(&successors)
            .into_iter()
            .filter(|component| component.len() > 1)
            .map(|component| {
                let mut cycle: Vec<String> =
                    component.into_iter().map(|i| names[i].clone()).collect();
                cycle.sort();
                cycle
            })
            .collect()
    }

    /// One line per import between the modules of `cycle`.
    fn describe(&self, cycle: &[String]) -> String {
        let mut lines = vec![format!("  cycle among {}:", cycle.join(", "))];
        for from in cycle {
            for (to, imports) in &self.edges[from] {
                if cycle.contains(to) {
                    let first = &imports[0];
                    lines.push(format!(
                        "    {from} → {to}: {} in {} ({} imports)",
                        first.path,
                        first.file,
                        imports.len()
                    ));
                }
            }
        }
        lines.join("\n")
    }
}

fn read(file: &Path) -> Result<syn::File> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    syn::parse_file(&text).with_context(|| format!("cannot parse {}", file.display()))
}

/// The `mod` items of the crate root.
fn root_modules(root: &syn::File) -> BTreeSet<String> {
    root.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(module) => Some(module.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// What the root re-exports (`pub use config::{Config, Key}`), by name, with its module.
fn root_reexports(root: &syn::File, modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    fn names(tree: &syn::UseTree, found: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(path) => names(&path.tree, found),
            syn::UseTree::Name(name) => found.push(name.ident.to_string()),
            syn::UseTree::Rename(rename) => found.push(rename.rename.to_string()),
            syn::UseTree::Group(group) => group.items.iter().for_each(|item| names(item, found)),
            syn::UseTree::Glob(_) => {}
        }
    }
    let mut reexports = BTreeMap::new();
    for item in &root.items {
        let syn::Item::Use(used) = item else { continue };
        let syn::UseTree::Path(path) = &used.tree else {
            continue;
        };
        let module = path.ident.to_string();
        if !modules.contains(&module) {
            continue;
        }
        let mut found = Vec::new();
        names(&path.tree, &mut found);
        for name in found {
            reexports.insert(name, module.clone());
        }
    }
    reexports
}

/// The files of a top-level module, each with its depth below the crate root.
fn module_files(src: &Path, module: &str) -> Result<Vec<(PathBuf, usize)>> {
    let mut files = Vec::new();
    let single = src.join(format!("{module}.rs"));
    if single.is_file() {
        files.push((single, 1));
    }
    let folder = src.join(module);
    if folder.is_dir() {
        collect_files(&folder, 1, &mut files)?;
    }
    Ok(files)
}

fn collect_files(folder: &Path, depth: usize, files: &mut Vec<(PathBuf, usize)>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("cannot list {}", folder.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_files(&path, depth + 1, files)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let is_module_root = path.file_name().is_some_and(|name| name == "mod.rs");
            files.push((path, if is_module_root { depth } else { depth + 1 }));
        }
    }
    Ok(())
}

/// Collects the paths that start at the crate root, as segments after it.
struct RootPaths {
    depth: usize,
    found: Vec<Vec<String>>,
}

impl RootPaths {
    /// The segments after the crate root, if `segments` start there.
    fn after_root(&self, segments: &[String]) -> Option<Vec<String>> {
        if segments.first().is_some_and(|first| first == "crate") {
            return Some(segments[1..].to_vec());
        }
        let climbs = segments.iter().take_while(|s| *s == "super").count();
        (climbs > 0 && climbs >= self.depth).then(|| segments[climbs..].to_vec())
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => self.found_use(prefix, Some(name.ident.to_string())),
            syn::UseTree::Rename(rename) => self.found_use(prefix, Some(rename.ident.to_string())),
            syn::UseTree::Glob(_) => self.found_use(prefix, None),
            syn::UseTree::Group(group) => {
                for item in &group.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    fn found_use(&mut self, prefix: &[String], last: Option<String>) {
        let mut segments = prefix.to_vec();
        segments.extend(last.filter(|name| name != "self"));
        if let Some(path) = self.after_root(&segments) {
            self.found.push(path);
        }
    }
}

impl<'ast> Visit<'ast> for RootPaths {
    fn visit_item_use(&mut self, used: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &used.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        if let Some(found) = self.after_root(&segments) {
            self.found.push(found);
        }
        syn::visit::visit_path(self, path);
    }
}

/// Tarjan's algorithm: the strongly connected components of a graph given as successor lists.
fn strongly_connected(successors: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        successors: &'a [Vec<usize>],
        next_index: usize,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        components: Vec<Vec<usize>>,
    }
    fn visit(state: &mut State<'_>, node: usize) {
        state.index[node] = Some(state.next_index);
        state.low[node] = state.next_index;
        state.next_index += 1;
        state.stack.push(node);
        state.on_stack[node] = true;
        for &next in &state.successors[node] {
            match state.index[next] {
                None => {
                    visit(state, next);
                    state.low[node] = state.low[node].min(state.low[next]);
                }
                Some(index) if state.on_stack[next] => {
                    state.low[node] = state.low[node].min(index);
                }
                Some(_) => {}
            }
        }
        if Some(state.low[node]) == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack[member] = false;
                component.push(member);
                if member == node {
                    break;
                }
            }
            state.components.push(component);
        }
    }
    let count = successors.len();
    let mut state = State {
        successors,
        next_index: 0,
        index: vec![None; count],
        low: vec![0; count],
        on_stack: vec![false; count],
        stack: Vec::new(),
        components: Vec::new(),
    };
    for node in 0..count {
        if state.index[node].is_none() {
            visit(&mut state, node);
        }
    }
    state.components
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(files: &[(&str, &str, usize, &str)]) -> ModuleGraph {
        let modules: BTreeSet<String> = files.iter().map(|f| f.0.to_owned()).collect();
        let reexports = BTreeMap::from([("Config".to_owned(), "config".to_owned())]);
        let mut graph = ModuleGraph::default();
        for (module, file, depth, text) in files {
            let syntax = syn::parse_file(text).unwrap();
            graph.add_file(module, file, *depth, &syntax, &modules, &reexports);
        }
        graph
    }

    const LAYERED: [(&str, &str, usize, &str); 3] = [
        ("config", "config.rs", 1, "pub struct Config;"),
        (
            "store",
            "store/mod.rs",
            1,
            "use crate::Config; fn f() { super::config::x(); }",
        ),
        (
            "api",
            "api/charts/mod.rs",
            2,
            "use crate::{store::Store, config::{self, Key}}; use super::Local;",
        ),
    ];

    #[test]
    fn layered_modules_have_no_cycle() {
        let graph = graph(&LAYERED);
        assert_eq!(graph.cycles(), Vec::<Vec<String>>::new());
        assert_eq!(
            graph.edges["api"].keys().collect::<Vec<_>>(),
            ["config", "store"]
        );
        assert_eq!(graph.edges["store"].keys().collect::<Vec<_>>(), ["config"]);
    }

    const TABLE: &str = "text\n\n| layer | modules | may import |\n|---|---|---|\n\
        | top | `api` | all |\n| middle | `store` | below |\n| bottom | `config` | none |\n\nmore";

    #[test]
    fn imports_down_the_layer_table_pass_and_up_are_named() {
        let layers = Layers::from_markdown(TABLE).unwrap();
        assert_eq!(layers.names, ["top", "middle", "bottom"]);
        assert_eq!(layers.violations(&graph(&LAYERED)), Vec::<String>::new());
        let mut files = LAYERED.to_vec();
        files.push(("store", "store/x.rs", 2, "use crate::api::Router;"));
        assert_eq!(
            layers.violations(&graph(&files)),
            ["  store (middle) imports api (top), a layer above: crate::api::Router in store/x.rs"]
        );
        files.push(("jobs", "jobs.rs", 1, ""));
        assert!(
            layers.violations(&graph(&files))[0].contains("`jobs` is in no layer"),
            "a module missing from the table is named"
        );
    }

    #[test]
    fn an_import_that_closes_a_cycle_is_named() {
        let mut files = LAYERED.to_vec();
        files.push((
            "config",
            "config/check.rs",
            2,
            "fn f() { super::super::api::charts::x(); }",
        ));
        let graph = graph(&files);
        assert_eq!(graph.cycles(), vec![vec!["api", "config", "store"]]);
        let report = graph.describe(&graph.cycles()[0]);
        assert!(
            report.contains("config → api: crate::api::charts::x in config/check.rs"),
            "{report}"
        );
    }
}
