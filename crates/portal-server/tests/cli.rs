//! The command line as support staff use it: seed, invite, outbox, serve.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failed unwrap is a failed test.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_portal-server");

fn run(db: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("portal-server runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn seed_invite_and_outbox_work_on_a_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite3");
    let (ok, out, _) = run(&db, &["seed", "--demo"]);
    assert!(
        ok && out.contains("Seeded 4 demo customers") && out.contains("100-200-300"),
        "{out}"
    );
    let (ok, again, _) = run(&db, &["seed", "--demo"]);
    assert!(
        ok && again.contains("Seeded 4"),
        "seeding twice is harmless"
    );

    let (ok, out, _) = run(
        &db,
        &[
            "invite",
            "--account",
            "100-200-300",
            "--email",
            "jane.doe@example.com",
        ],
    );
    assert!(ok, "{out}");
    let links: Vec<&str> = out.lines().collect();
    assert!(links[0].starts_with("com.enerpro.portal://invite?code="));
    assert!(links[1].starts_with("https://portal.enerpro.example/app/invite?code="));

    let (ok, out, _) = run(&db, &["outbox"]);
    assert!(
        ok && out.contains("[invitation]") && out.contains(links[0]),
        "{out}"
    );
    // The demo customer who reads Spanish gets her invitation in Spanish.
    let (ok, out, _) = run(
        &db,
        &[
            "invite",
            "--account",
            "100-200-303",
            "--email",
            "maria.garcia@example.com",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out, _) = run(&db, &["outbox"]);
    assert!(
        ok && out.contains("Su invitación al portal de Enerpro")
            && out.contains("Hola, María García"),
        "{out}"
    );

    let (ok, _, err) = run(
        &db,
        &[
            "invite",
            "--account",
            "100-200-300",
            "--email",
            "someone@else.com",
        ],
    );
    assert!(!ok && err.contains("not the one on file"), "{err}");
    let (ok, _, err) = run(
        &db,
        &[
            "invite",
            "--account",
            "nope",
            "--email",
            "jane.doe@example.com",
        ],
    );
    assert!(!ok && err.contains("not found"), "{err}");
}

#[test]
fn serve_prints_the_admin_key_once_and_answers_health() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite3");
    let start = || {
        Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts")
    };
    let first_lines = |child: &mut std::process::Child| -> Vec<String> {
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let done = line.contains("listening on");
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    };
    let mut server = start();
    let lines = first_lines(&mut server);
    assert!(lines[0].starts_with("Admin key (shown once"), "{lines:?}");
    let url = lines
        .last()
        .and_then(|line| {
            line.split_whitespace()
                .find(|word| word.starts_with("http://"))
        })
        .expect("the address")
        .to_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let health: serde_json::Value = runtime
        .block_on(async { reqwest::get(format!("{url}/v1/health")).await?.json().await })
        .expect("health answers");
    assert_eq!(health["name"], "Enerpro Sandbox");
    let _ = server.kill();
    let _ = server.wait();

    let mut again = start();
    let lines = first_lines(&mut again);
    assert!(
        !lines.iter().any(|line| line.contains("Admin key")),
        "printed once only: {lines:?}"
    );
    let _ = again.kill();
    let _ = again.wait();
}

#[test]
fn advance_clock_moves_a_running_sandbox_and_refuses_bad_amounts() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime
        .block_on(portal_server::spawn("127.0.0.1:0"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.sqlite3");
    let advance = |by: &str, key: &str| {
        run(
            &db,
            &[
                "advance-clock",
                "--server",
                &server.base_url(),
                "--admin-key",
                key,
                &format!("--by={by}"),
            ],
        )
    };
    let (ok, stdout, stderr) = advance("2h", server.admin_key());
    assert!(ok, "{stderr}");
    assert!(stdout.contains("clock now reads"), "{stdout}");
    for bad in ["0", "-5m", "2w", "abc", "", "367d", "9999999999999999999h"] {
        let (ok, _, stderr) = advance(bad, server.admin_key());
        assert!(!ok, "{bad:?} was accepted");
        assert!(
            stderr.contains("expected 1 second to 366 days"),
            "{bad:?}: {stderr}"
        );
    }
    let (ok, _, stderr) = advance("1h", "adm_wrong");
    assert!(!ok);
    assert!(stderr.contains("admin key"), "{stderr}");
}

#[test]
fn import_sends_a_billing_systems_files_and_says_what_was_refused() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime
        .block_on(portal_server::spawn("127.0.0.1:0"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let import = |args: &[&str]| {
        let output = Command::new(BIN)
            .args(["import", "--server", &server.base_url(), "--admin-key"])
            .arg(server.admin_key())
            .args(args)
            .output()
            .expect("portal-server runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let write = |name: &str, content: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    };
    let meters = write(
        "meters.json",
        r#"{"meters":[{"id":"m_cli","account_number":"100-200-302"}]}"#,
    );
    let (ok, out, err) = import(&[&meters]);
    assert!(ok && out.contains(r#""meters_created":1"#), "{out}{err}");

    let csv = write(
        "readings.csv",
        "meter,start,end,kwh,quality\nm_cli,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,0.512,actual\n",
    );
    let (ok, out, err) = import(&[&csv]);
    assert!(ok && out.contains(r#""readings_created":1"#), "{out}{err}");
    let (ok, out, _) = import(&[&csv]);
    assert!(
        ok && out.contains(r#""readings_unchanged":1"#),
        "the same file again: {out}"
    );

    let feed = write(
        "usage.xml",
        r#"<feed xmlns:espi="http://naesb.org/espi"><entry><content><espi:ReadingType><espi:uom>72</espi:uom></espi:ReadingType></content></entry>
<entry><content><espi:IntervalBlock><espi:IntervalReading><espi:timePeriod><espi:duration>3600</espi:duration><espi:start>1790816400</espi:start></espi:timePeriod><espi:value>498</espi:value></espi:IntervalReading></espi:IntervalBlock></content></entry></feed>"#,
    );
    let (ok, out, err) = import(&["--meter", "m_cli", &feed]);
    assert!(ok && out.contains(r#""readings_created":1"#), "{out}{err}");

    // Refused, each with its reason and the place, and a failing exit status.
    let unknown = write(
        "bad.json",
        r#"{"meters":[{"id":"m_x","account_number":"999-999-999"}]}"#,
    );
    let notes = write("notes.txt", "hello");
    for (args, expected) in [
        (
            vec![unknown.as_str()],
            "meters[0].account_number: there is no account 999-999-999",
        ),
        (vec![feed.as_str()], "needs --meter"),
        (vec![notes.as_str()], "a .json"),
        (vec!["/nonexistent/file.csv"], "/nonexistent/file.csv"),
    ] {
        let (ok, _, err) = import(&args);
        assert!(!ok && err.contains(expected), "{expected:?} in {err:?}");
    }
    runtime.block_on(server.stop()).unwrap();
}

#[test]
fn serve_refuses_push_credentials_it_cannot_use_before_it_listens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite3");
    let not_a_key = dir.path().join("service-account.json");
    std::fs::write(&not_a_key, r#"{"project_id":"p"}"#).unwrap();
    for (args, expected) in [
        (
            vec!["--fcm-service-account", "/nonexistent/service-account.json"],
            "/nonexistent/service-account.json",
        ),
        (
            vec!["--fcm-service-account", not_a_key.to_str().unwrap()],
            "push credentials",
        ),
    ] {
        let (ok, _, err) = run(
            &db,
            &[&["serve", "--listen", "127.0.0.1:0"][..], &args[..]].concat(),
        );
        assert!(!ok && err.contains(expected), "{expected:?} in {err:?}");
    }
    let (ok, _, err) = run(
        &db,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--apns-key",
            "/tmp/k.p8",
        ],
    );
    assert!(!ok && err.contains("apns-key-id"), "{err}");
}
