//! Test support: the real `palisade` binary on a free port, driven by the real `aws` CLI,
//! python/botocore and raw HTTP.

#![allow(dead_code)]

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

pub struct Server {
    pub port: u16,
    pub data_dir: PathBuf,
    child: Option<Child>,
    args: Vec<String>,
    _temp: Option<TempDir>,
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("palisade-{label}-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Server {
    /// A server with its own data directory and the given extra flags.
    pub fn start(extra: &[&str]) -> Server {
        let temp = TempDir::new("server");
        let data_dir = temp.0.clone();
        let mut server = Server {
            port: free_port(),
            data_dir,
            child: None,
            args: extra.iter().map(|s| s.to_string()).collect(),
            _temp: Some(temp),
        };
        server.launch();
        server
    }

    /// A server on an existing data directory (the caller keeps it).
    pub fn start_in(data_dir: &Path, extra: &[&str]) -> Server {
        let mut server = Server {
            port: free_port(),
            data_dir: data_dir.to_path_buf(),
            child: None,
            args: extra.iter().map(|s| s.to_string()).collect(),
            _temp: None,
        };
        server.launch();
        server
    }

    fn launch(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .arg("serve")
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(&self.args)
            .env_remove("PALISADE_ROOT_KEY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("palisade binary runs");
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(response) = http(self.port, "GET", "/_palisade/health", &[], b"") {
                if response.status == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("palisade did not become ready on port {}", self.port);
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the process without letting it shut down (`kill -9`).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the process again on the same data directory and port.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    /// Runs the `aws` CLI against this server as `test`/`test`.
    pub fn aws(&self, args: &[&str]) -> Output {
        self.aws_as("test", "test", args)
    }

    pub fn aws_as(&self, access_key: &str, secret_key: &str, args: &[&str]) -> Output {
        aws_command(&self.endpoint(), access_key, secret_key).args(args).output().expect("aws CLI runs")
    }

    /// Runs the `aws` CLI with STS session credentials (the `Credentials` structure STS answers).
    pub fn aws_session(&self, credentials: &serde_json::Value, args: &[&str]) -> Output {
        let text = |member: &str| credentials[member].as_str().unwrap_or_default().to_owned();
        aws_command(&self.endpoint(), &text("AccessKeyId"), &text("SecretAccessKey"))
            .env("AWS_SESSION_TOKEN", text("SessionToken"))
            .args(args)
            .output()
            .expect("aws CLI runs")
    }

    /// The aws CLI's JSON output of a call that must succeed.
    pub fn aws_json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.aws(args);
        assert!(out.status.success(), "aws {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The workspace root, where `scripts/test` installs the aws CLI into `.venv`.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn tool(name: &str) -> PathBuf {
    let local = workspace_root().join(".venv/bin").join(name);
    if local.exists() {
        local
    } else {
        PathBuf::from(name)
    }
}

pub fn aws_command(endpoint: &str, access_key: &str, secret_key: &str) -> Command {
    let mut command = Command::new(tool("aws"));
    command
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", access_key)
        .env("AWS_SECRET_ACCESS_KEY", secret_key)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_PAGER", "")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .args(["--output", "json"]);
    command
}

/// The interpreter Lambda functions run with in tests: `PALISADE_LAMBDA_PYTHON`, which
/// `scripts/test` sets to a venv of the system Python with boto3 that `nobody` can run (functions
/// run as nobody when the tests run as root), else `python3`.
pub fn function_python() -> String {
    std::env::var("PALISADE_LAMBDA_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Runs a python script from `tests/python/` with the venv's interpreter.
pub fn python(script: &str, args: &[&str]) -> Output {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python").join(script);
    Command::new(tool("python3")).arg(path).args(args).output().expect("python3 runs")
}

/// What a command printed to standard error: the aws CLI's error code and message.
pub fn error_text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request on a fresh connection.
pub fn http(port: u16, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> std::io::Result<HttpResponse> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut request = format!("{method} {target} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or(std::io::ErrorKind::InvalidData)?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())))
        .collect::<Vec<_>>();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
        body = dechunk(&body);
    }
    Ok(HttpResponse { status, headers, body })
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&raw[..line_end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&raw[start..start + size]);
        raw = &raw[start + size + 2..];
    }
    out
}

/// Writes a MaxMind DB (format 2.0, IPv4, 24-bit records) that maps each network to
/// `{"country": {"iso_code": CODE}}`, as GeoLite2-Country does, for GeoMatch tests.
pub fn write_country_db(path: &Path, networks: &[(std::net::Ipv4Addr, u8, &str)]) {
    #[derive(Clone, Copy)]
    enum Record {
        Empty,
        Node(usize),
        Data(usize),
    }
    fn string(out: &mut Vec<u8>, text: &str) {
        out.push(0x40 | text.len() as u8);
        out.extend_from_slice(text.as_bytes());
    }
    fn uint(out: &mut Vec<u8>, type_byte: u8, value: u64) {
        let bytes: Vec<u8> = value.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        out.push(type_byte | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    let mut nodes: Vec<[Record; 2]> = vec![[Record::Empty; 2]];
    let mut data = Vec::new();
    for (address, prefix, code) in networks {
        let offset = data.len();
        data.push(0xE1);
        string(&mut data, "country");
        data.push(0xE1);
        string(&mut data, "iso_code");
        string(&mut data, code);
        let bits = u32::from(*address);
        let mut node = 0;
        for depth in 0..*prefix {
            let bit = ((bits >> (31 - depth)) & 1) as usize;
            if depth + 1 == *prefix {
                nodes[node][bit] = Record::Data(offset);
            } else {
                node = match nodes[node][bit] {
                    Record::Node(next) => next,
                    _ => {
                        nodes.push([Record::Empty; 2]);
                        nodes[node][bit] = Record::Node(nodes.len() - 1);
                        nodes.len() - 1
                    }
                };
            }
        }
    }
    let node_count = nodes.len();
    let mut file = Vec::new();
    for node in &nodes {
        for record in node {
            let value = match *record {
                Record::Empty => node_count,
                Record::Node(next) => next,
                Record::Data(offset) => node_count + 16 + offset,
            };
            file.extend_from_slice(&(value as u32).to_be_bytes()[1..]);
        }
    }
    file.extend_from_slice(&[0; 16]);
    file.extend_from_slice(&data);
    file.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
    file.push(0xE9);
    string(&mut file, "binary_format_major_version");
    uint(&mut file, 0xA0, 2);
    string(&mut file, "binary_format_minor_version");
    uint(&mut file, 0xA0, 0);
    string(&mut file, "build_epoch");
    let epoch: Vec<u8> = 1_700_000_000u64.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
    file.extend_from_slice(&[epoch.len() as u8, 2]);
    file.extend_from_slice(&epoch);
    string(&mut file, "database_type");
    string(&mut file, "GeoLite2-Country");
    string(&mut file, "description");
    file.push(0xE1);
    string(&mut file, "en");
    string(&mut file, "Palisade test countries");
    string(&mut file, "ip_version");
    uint(&mut file, 0xA0, 4);
    string(&mut file, "languages");
    file.extend_from_slice(&[1, 4]);
    string(&mut file, "en");
    string(&mut file, "node_count");
    uint(&mut file, 0xC0, node_count as u64);
    string(&mut file, "record_size");
    uint(&mut file, 0xA0, 24);
    std::fs::write(path, file).unwrap();
}

/// A local OIDC issuer (tests/python/oidc_issuer.py): HTTPS with a certificate for
/// `localhost`, its discovery document and JWKS, and ID tokens signed with its key. It stops when
/// dropped.
pub struct OidcIssuer {
    process: Child,
    pub description: serde_json::Value,
}

impl OidcIssuer {
    pub fn start() -> OidcIssuer {
        use std::io::BufRead;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/oidc_issuer.py");
        let python = workspace_root().join(".venv/bin/python3");
        let mut process = Command::new(python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        std::io::BufReader::new(process.stdout.take().unwrap()).read_line(&mut line).unwrap();
        OidcIssuer { process, description: serde_json::from_str(&line).expect("the issuer describes itself") }
    }

    pub fn url(&self) -> &str {
        self.description["issuer"].as_str().unwrap()
    }

    pub fn token(&self, name: &str) -> &str {
        self.description["tokens"][name].as_str().unwrap()
    }
}

impl Drop for OidcIssuer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
