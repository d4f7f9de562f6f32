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
    let mut child = command.spawn().map_err(RunError::Spawn)?;
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
    let outcome = tokio::time::timeout(timeout, work).await;
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
