//! SQL only through bound parameters. sqlx 0.9 accepts only `&'static str`
//! (or a string explicitly wrapped in `AssertSqlSafe`) as SQL, so a value
//! can reach a statement's text only through `AssertSqlSafe` (or by leaking
//! a string to `'static`). This test pins every such place: a new one fails
//! until it is reviewed and listed here.

use std::path::{Path, PathBuf};

/// Reviewed uses, by file: partition DDL whose names and bounds come from
/// the database's own date formatting and are checked to be
/// `[A-Za-z0-9_-]` before use (Postgres cannot bind identifiers); the
/// write set's statement, built from table and column names and types
/// (`Table::name`, `Table::columns`: static text) and CTE numbers only.
const REVIEWED: &[(&str, usize)] =
    &[("service/src/jobs/compliance.rs", 1), ("service/src/store/sql/postgres/batch.rs", 1)];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn sql_text_never_holds_a_value() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    for dir in ["service/src", "sim/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "walked the sources");
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let rel = f.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let n = text.matches("AssertSqlSafe(").count();
        if n > 0 {
            found.push((rel.clone(), n));
        }
        assert!(!text.contains(".leak()") && !text.contains("Box::leak"), "{rel}: a leaked 'static string");
    }
    found.sort();
    let reviewed: Vec<(String, usize)> = REVIEWED.iter().map(|(f, n)| (f.to_string(), *n)).collect();
    assert_eq!(found, reviewed, "unreviewed AssertSqlSafe: bind values with .bind(), or review and list the use");
}
