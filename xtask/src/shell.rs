//! Running commands, with the command line echoed and a clear error when one fails.

use std::ffi::{OsStr, OsString};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

/// Variables every command this process starts gets (set once, e.g. the development updater
/// key's config patch), without touching this process's own environment.
static CHILD_ENV: Mutex<Vec<(OsString, OsString)>> = Mutex::new(Vec::new());

/// Gives every command started from now on the variable `key`.
pub fn set_child_env(key: &str, value: &str) {
    CHILD_ENV
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push((key.into(), value.into()));
}

/// When this xtask process started, for the steps' times.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Prints a step heading, with the seconds since this xtask started (where the time goes).
pub fn step(what: &str) {
    let started = STARTED.get_or_init(std::time::Instant::now);
    println!("\n==> [{:.0} s] {what}", started.elapsed().as_secs_f64());
}

/// This xtask again, running `subcommand` in a private D-Bus session on a virtual display (what
/// the app's window, its single-instance plugin and the Secret Service need). The display is the
/// first free one from `first_display` on: sessions started at once search different ranges, so
/// they cannot pick the same one. The display never resets: an X server resets whenever its last
/// client leaves, and a window opened during the reset fails ("Failed to initialize GTK"; 2–3 %
/// of connections on a loaded machine, none with `-noreset`) — between two tests, an app
/// launched just after the previous one quit.
pub fn in_desktop_session(subcommand: &str, first_display: u32) -> Result<Cmd, String> {
    let xtask = std::env::current_exe().map_err(|error| format!("cannot find xtask: {error}"))?;
    Ok(Cmd::new("dbus-run-session")
        .args([
            "--",
            "xvfb-run",
            "--auto-servernum",
            &format!("--server-num={first_display}"),
            "--server-args=-screen 0 1280x900x24 -noreset",
        ])
        .arg(xtask)
        .arg(subcommand))
}

/// A command to run from the workspace root.
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
}

impl Cmd {
    /// A command running `program`.
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Self {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            envs: CHILD_ENV
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone(),
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        self.args
            .extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    /// Appends another command (program, arguments and environment) as arguments of this one.
    pub fn arg_cmd(mut self, inner: Cmd) -> Self {
        self.args.push(inner.program);
        self.args.extend(inner.args);
        self.envs.extend(inner.envs);
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        // `cargo xtask` runs this process with CARGO_MANIFEST_DIR set to the xtask folder; build
        // scripts that watch that variable (ring's) would rebuild whenever the clone's path, or
        // running cargo by hand instead, changes it. Children see what a plain cargo sees.
        command
            .args(&self.args)
            .current_dir(crate::root())
            .env_remove("CARGO_MANIFEST_DIR");
        if let Some(path) = path_with_cargo_bin() {
            command.env("PATH", path);
        }
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        command
    }

    fn describe(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|part| part.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Runs it to the end; an error unless it exits with 0.
    pub fn run(self) -> Result<(), String> {
        println!("$ {}", self.describe());
        let status = self
            .command()
            .status()
            .map_err(|error| format!("cannot start `{}`: {error}", self.describe()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.describe()))
        }
    }

    /// Runs a `cargo test` command to the end, echoing its output, and adds up the counts of its
    /// `test result:` lines into `tally`; an error unless it exits with 0.
    pub fn run_tests(self, tally: &mut TestTally) -> Result<(), String> {
        use std::io::BufRead;
        println!("$ {}", self.describe());
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|error| format!("cannot start `{}`: {error}", self.describe()))?;
        if let Some(stdout) = child.stdout.take() {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                println!("{line}");
                tally.add_line(&line);
            }
        }
        let status = child.wait().map_err(|error| error.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.describe()))
        }
    }

    /// Runs it and returns its standard output, or `None` if it cannot start or fails.
    pub fn output(self) -> Option<String> {
        let output = self.command().stderr(Stdio::null()).output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Runs it and returns its exit code (`None` when a signal ended it) and what it printed,
    /// whether or not it succeeded.
    pub fn exit_and_output(self) -> Result<(Option<i32>, String), String> {
        let output = self
            .command()
            .stderr(Stdio::inherit())
            .output()
            .map_err(|error| format!("cannot start `{}`: {error}", self.describe()))?;
        Ok((
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ))
    }

    /// Starts it in the background with its output (standard and error) going to `log`.
    pub fn spawn_logged(self, log: &std::path::Path) -> Result<Child, String> {
        println!("$ {} > {} &", self.describe(), log.display());
        let file = std::fs::File::create(log)
            .map_err(|error| format!("cannot create {log:?}: {error}"))?;
        let errors = file
            .try_clone()
            .map_err(|error| format!("cannot share {log:?}: {error}"))?;
        self.command()
            .stdout(file)
            .stderr(errors)
            .spawn()
            .map_err(|error| format!("cannot start `{}`: {error}", self.describe()))
    }

    /// Starts it in the background.
    pub fn spawn(self) -> Result<Child, String> {
        println!("$ {} &", self.describe());
        self.command()
            .spawn()
            .map_err(|error| format!("cannot start `{}`: {error}", self.describe()))
    }
}

/// Cargo's home (`CARGO_HOME`, else `~/.cargo`): its tools and its registry's sources.
pub fn cargo_home() -> Option<std::path::PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::PathBuf::from(home).join(".cargo"))
        })
}

/// `PATH` with cargo's bin folder in front, where `cargo install` puts the tools (tauri-driver,
/// wasm-bindgen), even when the caller's `PATH` lacks it.
fn path_with_cargo_bin() -> Option<OsString> {
    let cargo_home = cargo_home()?;
    let current = std::env::var_os("PATH").unwrap_or_default();
    let mut parts = vec![cargo_home.join("bin")];
    parts.extend(std::env::split_paths(&current));
    std::env::join_paths(parts).ok()
}

/// Passed and failed test counts, added up over several `cargo test` runs.
#[derive(Debug, Default)]
pub struct TestTally {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
}

impl TestTally {
    /// `N passed, M failed`, the closing line's words.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed)
    }

    /// Reads a [`TestTally::summary`] back.
    pub fn parse(summary: &str) -> Option<Self> {
        let (passed, failed) = summary.trim().split_once(", ")?;
        Some(Self {
            passed: passed.strip_suffix(" passed")?.parse().ok()?,
            failed: failed.strip_suffix(" failed")?.parse().ok()?,
        })
    }

    /// Adds another tally's counts.
    pub fn add(&mut self, other: &TestTally) {
        self.passed += other.passed;
        self.failed += other.failed;
    }

    /// Adds the counts of a libtest summary line such as
    /// `test result: ok. 4 passed; 0 failed; 0 ignored; …`.
    fn add_line(&mut self, line: &str) {
        let Some(summary) = line.strip_prefix("test result: ") else {
            return;
        };
        for part in summary.split(['.', ';']) {
            let mut words = part.split_whitespace();
            if let (Some(count), Some(label)) = (words.next(), words.next())
                && let Ok(count) = count.parse::<u64>()
            {
                match label {
                    "passed" => self.passed += count,
                    "failed" => self.failed += count,
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TestTally;

    #[test]
    fn tally_adds_up_libtest_summaries_and_ignores_other_lines() {
        let mut tally = TestTally::default();
        tally.add_line("test result: ok. 4 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 6.93s");
        tally.add_line(
            "test result: FAILED. 2 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out",
        );
        tally.add_line("test foo ... ok");
        tally.add_line("running 7 tests");
        assert_eq!((tally.passed, tally.failed), (6, 3));
        let read = TestTally::parse(&tally.summary()).unwrap();
        assert_eq!((read.passed, read.failed), (6, 3));
        assert!(TestTally::parse("").is_none());
        assert!(TestTally::parse("6 passed").is_none());
    }
}
