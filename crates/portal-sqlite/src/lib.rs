//! How the portal opens its SQLite files — the sandbox server's database and the app's cache
//! alike: the parent folder created, the file readable by its owner only, WAL journaling, a busy
//! timeout, foreign keys on, and embedded migrations applied in order, with the count recorded in
//! `PRAGMA user_version`. A file from a newer version (more migrations than this build knows) is
//! refused rather than guessed at.

use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

/// Why a database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// SQLite refused (not a database, corrupt, locked, unwritable…).
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The folder could not be created.
    #[error("cannot create the folder: {0}")]
    Folder(#[from] std::io::Error),
    /// Written by a newer version of the program.
    #[error("the file has schema version {found}, newer than this program's {known}")]
    TooNew {
        /// The file's version.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
}

/// Opens (creating if needed) the database at `path` and brings it up to date with `migrations`.
pub fn open(path: &Path, migrations: &[&str]) -> Result<Connection, OpenError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut conn = Connection::open(path)?;
    restrict_to_owner(path);
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    migrate(&mut conn, migrations)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<(), OpenError> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let known = i64::try_from(migrations.len()).unwrap_or(i64::MAX);
    if applied > known {
        return Err(OpenError::TooNew {
            found: applied,
            known,
        });
    }
    let tx = conn.transaction()?;
    for (version, migration) in (1_i64..).zip(migrations.iter()) {
        if version > applied {
            tx.execute_batch(migration)?;
            tx.pragma_update(None, "user_version", version)?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// The schema version of an open database.
pub fn schema_version(conn: &Connection) -> Result<i64, rusqlite::Error> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Owner-only permissions (Unix); elsewhere the platform's per-user folders already are.
fn restrict_to_owner(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Failing to tighten permissions (e.g. a file owned by someone else) must not stop the
        // program; SQLite's own open already succeeded.
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "CREATE TABLE a (x INTEGER);";
    const V2: &str = "CREATE TABLE b (y INTEGER);";

    #[test]
    fn migrations_apply_once_in_order_and_newer_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("db.sqlite3");
        let conn = open(&path, &[V1]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 1);
        drop(conn);
        let conn = open(&path, &[V1, V2]).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 2);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(conn);
        assert!(matches!(
            open(&path, &[V1]),
            Err(OpenError::TooNew { found: 2, known: 1 })
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn a_file_that_is_not_a_database_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        std::fs::write(&path, b"not a database at all, not even close").unwrap();
        assert!(matches!(open(&path, &[V1]), Err(OpenError::Sqlite(_))));
    }
}
