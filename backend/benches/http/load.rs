//! A minimal keep-alive HTTP/1.1 load generator, as light as `wrk`, so that the server's cost
//! dominates what is measured.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Connections kept open and busy at once.
pub(crate) const CONNECTIONS: usize = 16;

const REQUEST: &[u8] = b"GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n";

/// Sends requests over [`CONNECTIONS`] connections until `duration` has passed, each waiting
/// for its answer before the next (or, with a `rate`, at most that many per second in all);
/// the number of 200 answers.
pub(crate) async fn generate(address: SocketAddr, duration: Duration, rate: Option<u32>) -> u64 {
    let deadline = Instant::now() + duration;
    let per_connection =
        rate.map(|rate| Duration::from_secs_f64(CONNECTIONS as f64 / f64::from(rate)));
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| tokio::spawn(connection(address, deadline, per_connection)))
        .collect();
    let mut answered = 0;
    for task in tasks {
        answered += task.await.unwrap();
    }
    answered
}

async fn connection(address: SocketAddr, deadline: Instant, pause: Option<Duration>) -> u64 {
    let stream = TcpStream::connect(address).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    let mut body = Vec::new();
    let mut answered = 0;
    let mut ticks = pause.map(tokio::time::interval);
    while Instant::now() < deadline {
        if let Some(ticks) = &mut ticks {
            ticks.tick().await;
        }
        writer.write_all(REQUEST).await.unwrap();
        let mut length = 0;
        let mut ok = false;
        loop {
            line.clear();
            reader.read_line(&mut line).await.unwrap();
            if line == "\r\n" {
                break;
            }
            if line.starts_with("HTTP/1.1 ") {
                ok = line.starts_with("HTTP/1.1 200");
            } else if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body).await.unwrap();
        answered += u64::from(ok);
    }
    answered
}
