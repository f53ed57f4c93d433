//! `palisade status`: asks a running server for its health.

use std::{
    io::{Read, Write},
    net::TcpStream,
    time::Duration,
};

pub fn run(endpoint: &str) -> Result<(), String> {
    let address = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| format!("{endpoint}: status speaks plain http:// only"))?
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(address).map_err(|e| format!("no server at {endpoint}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
    write!(stream, "GET /_palisade/health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| e.to_string())?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    println!("{body}");
    Ok(())
}
