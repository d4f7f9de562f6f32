//! The `mongoawsauth-standins` binary's stdin commands: `counters` reports what the stand-ins
//! served, by the names a scenario's `requests` uses, so Python and Node scenario runners can
//! check them as the Rust runner does.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// The binary's stdout, line by line, read on a thread so a missing reply fails the test
/// instead of hanging it.
type Lines = Receiver<String>;

fn start() -> (Child, Lines, serde_json::Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mongoawsauth-standins"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let info = read_json(&rx);
    (child, rx, info)
}

fn read_json(out: &Lines) -> serde_json::Value {
    let line = out.recv_timeout(Duration::from_secs(10)).expect("no reply line within 10 s");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not one JSON line ({e}): {line:?}"))
}

fn command(child: &mut Child, out: &Lines, line: &str) -> serde_json::Value {
    let stdin = child.stdin.as_mut().unwrap();
    stdin.write_all(line.as_bytes()).unwrap();
    stdin.flush().unwrap();
    read_json(out)
}

/// One GET to the container stand-in with a token it never issued: one request, refused.
fn refused_container_request(full_uri: &str) {
    let rest = full_uri.strip_prefix("http://").unwrap();
    let (addr, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: not-the-token\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 4"), "the stand-in accepted a wrong token: {reply:.40}");
}

#[test]
fn counters_command_reports_what_was_served() {
    let (mut child, out, info) = start();

    let before = command(&mut child, &out, "counters\n");
    let counters = before["counters"].as_object().expect("a counters object");
    for name in ["imds.requests", "imds.credentials_issued", "container.requests", "sts.requests"] {
        assert_eq!(counters.get(name), Some(&serde_json::json!(0)), "{name} in {before}");
    }

    refused_container_request(info["container_url"].as_str().unwrap());
    // A blank line gets no reply: the next line read is the answer to `counters`.
    let after = command(&mut child, &out, "\ncounters\n");
    assert_eq!(after["counters"]["container.requests"], 1, "{after}");
    assert_eq!(after["counters"]["container.unauthorized"], 1, "{after}");
    assert_eq!(after["counters"]["imds.requests"], 0, "{after}");

    let unknown = command(&mut child, &out, "reset\n");
    let message = unknown["error"].as_str().expect("an error for an unknown command");
    assert!(message.contains("\"reset\"") && message.contains("counters"), "{message}");

    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the binary did not exit at stdin EOF");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success());
}
