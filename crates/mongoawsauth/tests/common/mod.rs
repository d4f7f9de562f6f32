//! Helpers shared by the integration tests.

use std::time::Duration;

/// A loopback listener whose accept queue is full, so a new connection to it times out the way a
/// connection to an absent link-local address (IMDS off EC2) does. Keep the returned values alive
/// for as long as the address must stay silent.
pub async fn silent_listener() -> (tokio::net::TcpListener, Vec<tokio::net::TcpStream>, std::net::SocketAddr)
{
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    // A backlog of one that is never accepted: once it is full the kernel drops new SYNs.
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        if let Ok(Ok(s)) =
            tokio::time::timeout(Duration::from_millis(100), tokio::net::TcpStream::connect(addr)).await
        {
            fillers.push(s);
        }
    }
    (listener, fillers, addr)
}
