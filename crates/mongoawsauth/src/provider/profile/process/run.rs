//! Running the process: no shell, stdin closed, stdout and stderr captured with caps, and the
//! whole process group killed when the time is up or the caller gives up.
//!
//! On Unix the process starts in a process group of its own, so that a helper that is itself a
//! script (`sh` running `aws sts …`, a Python wrapper) is killed with everything it started, not
//! just its first process. A helper that exits normally keeps whatever it left running in the
//! background (a credential agent may start a daemon on purpose); only a process that has not
//! exited when we give up has its group killed. On Windows only the process itself is killed.

use std::io;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use zeroize::Zeroizing;

/// What a finished process left.
pub(super) struct Finished {
    pub(super) status: ExitStatus,
    pub(super) stdout: Zeroizing<Vec<u8>>,
    pub(super) stderr: Vec<u8>,
}

/// Why the process gave no complete answer. Each carries what stderr held by then.
pub(super) enum RunError {
    /// The program could not be started.
    Spawn(io::Error),
    /// It had not finished when `timeout` passed; it was killed.
    TimedOut { stderr: Vec<u8> },
    /// It wrote more than the cap on stdout; it was killed.
    StdoutTooLarge { stderr: Vec<u8> },
    /// Reading its output or waiting for it failed.
    Io(io::Error, Vec<u8>),
}

/// Runs `argv` and waits for it within `timeout`, keeping at most `stdout_cap` bytes of stdout
/// (more is an error) and the first `stderr_keep` bytes of stderr (the rest is read and
/// dropped, so a chatty process never blocks on a full pipe). Dropping the returned future
/// kills the process the same way as a timeout does.
pub(super) async fn run(
    argv: &[String],
    timeout: Duration,
    stdout_cap: usize,
    stderr_keep: usize,
) -> Result<Finished, RunError> {
    let mut command = tokio::process::Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Safety net for the leader if the group kill below is not possible; tokio also reaps it.
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let started = tokio::time::Instant::now();
    let mut child = spawn(&mut command, started + timeout).await.map_err(RunError::Spawn)?;
    // Declared after `child`, so it is dropped first: the group is killed while the leader is
    // not yet reaped, so its id (the group's id) cannot have been reused.
    let mut group = GroupKiller::new(child.id());
    let (Some(mut out), Some(mut err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(RunError::Io(io::Error::other("the output pipes were not set up"), Vec::new()));
    };
    let mut stdout = Zeroizing::new(Vec::new());
    let mut stderr = Vec::new();
    let work = async {
        let mut out_open = true;
        let mut err_open = true;
        let mut buf = Zeroizing::new([0u8; 8192]);
        let mut err_buf = [0u8; 4096];
        while out_open || err_open {
            tokio::select! {
                read = read_some(&mut out, &mut buf[..]), if out_open => match read? {
                    0 => out_open = false,
                    n => {
                        if stdout.len() + n > stdout_cap {
                            return Ok(Outcome::StdoutTooLarge);
                        }
                        stdout.extend_from_slice(&buf[..n]);
                    }
                },
                read = read_some(&mut err, &mut err_buf), if err_open => match read? {
                    0 => err_open = false,
                    n => {
                        let room = stderr_keep.saturating_sub(stderr.len());
                        stderr.extend_from_slice(&err_buf[..n.min(room)]);
                    }
                },
            }
        }
        let status = child.wait().await?;
        Ok::<_, io::Error>(Outcome::Exited(status))
    };
    let outcome = tokio::time::timeout_at(started + timeout, work).await;
    match outcome {
        Ok(Ok(Outcome::Exited(status))) => {
            // The leader is reaped: its group id may be reused from now on.
            group.disarm();
            Ok(Finished { status, stdout, stderr })
        }
        Ok(Ok(Outcome::StdoutTooLarge)) => Err(RunError::StdoutTooLarge { stderr }),
        Ok(Err(e)) => Err(RunError::Io(e, stderr)),
        Err(_) => Err(RunError::TimedOut { stderr }),
    }
}

enum Outcome {
    Exited(ExitStatus),
    StdoutTooLarge,
}

/// How long to wait before each new try when the program is busy ("Text file busy").
const BUSY_RETRY_DELAYS: [Duration; 5] = [
    Duration::from_millis(5),
    Duration::from_millis(20),
    Duration::from_millis(50),
    Duration::from_millis(100),
    Duration::from_millis(250),
];

/// Starts the command, trying again a few times, before `deadline`, while the kernel reports the
/// program busy. `ETXTBSY` means some process holds the file open for writing; in a
/// multithreaded host that often is a transient copy: a helper the application has just written
/// and closed is still open in a child another thread is forking, until that child calls `exec`.
/// Any other error is returned at once.
async fn spawn(
    command: &mut tokio::process::Command,
    deadline: tokio::time::Instant,
) -> io::Result<tokio::process::Child> {
    let mut delays = BUSY_RETRY_DELAYS.iter();
    loop {
        match command.spawn() {
            Err(e) if is_busy(&e) => match delays.next() {
                Some(delay) if tokio::time::Instant::now() + *delay < deadline => {
                    tokio::time::sleep(*delay).await
                }
                _ => return Err(e),
            },
            other => return other,
        }
    }
}

/// Whether spawning failed because the program file is open for writing.
pub(super) fn is_busy(e: &io::Error) -> bool {
    #[cfg(unix)]
    return e.raw_os_error() == Some(libc::ETXTBSY);
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

async fn read_some<R: AsyncRead + Unpin>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    r.read(buf).await
}

/// Kills the child's process group when dropped, unless disarmed after the child was reaped.
struct GroupKiller {
    #[cfg_attr(not(unix), allow(dead_code))]
    pid: Option<u32>,
}

impl GroupKiller {
    fn new(pid: Option<u32>) -> Self {
        GroupKiller { pid }
    }

    fn disarm(&mut self) {
        self.pid = None;
    }
}

impl Drop for GroupKiller {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(pid) =
            self.pid.and_then(|p| i32::try_from(p).ok()).and_then(rustix::process::Pid::from_raw)
        {
            // ESRCH (the group is already gone) is the expected failure; nothing to report.
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// Creates an executable script for the test `tag` and returns its path with a descriptor
    /// still open for writing, which makes the kernel refuse to run it.
    fn busy_script(tag: &str) -> (std::path::PathBuf, std::fs::File) {
        let dir = std::env::temp_dir().join(format!("mongoawsauth-run-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("helper");
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(b"#!/bin/sh\necho ready\n").unwrap();
        file.set_permissions(std::fs::Permissions::from_mode(0o700)).unwrap();
        (path, file)
    }

    #[tokio::test]
    #[cfg_attr(miri, ignore = "Miri cannot spawn a process")]
    async fn a_program_busy_for_a_moment_is_started_once_it_is_free() {
        let (path, file) = busy_script("busy-moment");
        let argv = [path.to_str().unwrap().to_owned()];
        // While the file is open for writing, spawning fails with ETXTBSY.
        let refused = std::process::Command::new(&path).output().unwrap_err();
        assert!(is_busy(&refused), "{refused}");
        let closer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(10));
            drop(file);
        });
        let finished = run(&argv, Duration::from_secs(5), 1024, 1024).await.unwrap_or_else(|e| match e {
            RunError::Spawn(e) => panic!("not started: {e}"),
            _ => panic!("failed after it started"),
        });
        closer.join().unwrap();
        assert!(finished.status.success());
        assert_eq!(&finished.stdout[..], b"ready\n");
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[tokio::test]
    #[cfg_attr(miri, ignore = "Miri cannot spawn a process")]
    async fn a_program_that_stays_busy_is_reported_busy_within_the_timeout() {
        let (path, file) = busy_script("busy-always");
        let argv = [path.to_str().unwrap().to_owned()];
        let begun = std::time::Instant::now();
        match run(&argv, Duration::from_millis(60), 1024, 1024).await {
            Err(RunError::Spawn(e)) => assert!(is_busy(&e), "{e}"),
            Ok(_) => panic!("a program open for writing ran"),
            Err(_) => panic!("expected a spawn error"),
        }
        assert!(begun.elapsed() < Duration::from_secs(2), "gave up after {:?}", begun.elapsed());
        drop(file);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
