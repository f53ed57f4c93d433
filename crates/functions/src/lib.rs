//! Runs Lambda functions as local processes.
//!
//! A function's zip package is unpacked once per code hash into a cache directory. An execution
//! environment is the runtime in a process group of its own (Python through Palisade's own
//! runtime interface client, `bootstrap.py`; `provided.al2023` through the package's executable
//! `bootstrap`) with a Lambda Runtime API on a loopback port that serves it events and takes its
//! answers. As in Lambda, an environment that answered (or whose handler raised) stays warm for
//! the next invocation of the same function, configuration and credentials; one that timed out,
//! crashed or could not start its handler is killed, its whole process group with it.
//! When Palisade runs as root, the process runs as `nobody` with a private temporary directory,
//! so it cannot read Palisade's data directory or root key.

mod runtime_api;
pub mod zip;

use std::{
    collections::HashMap,
    ffi::CString,
    io,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::Stdio,
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use bytes::Bytes;
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, BufReader},
    process::{Child, Command},
    sync::mpsc,
    task::JoinHandle,
};

pub use runtime_api::MAX_RESPONSE_BYTES;
use runtime_api::{Event, RuntimeApi, RuntimeReport};

const BOOTSTRAP_PY: &str = include_str!("bootstrap.py");
/// How long the output of a stopped process may take to drain.
const OUTPUT_DRAIN: Duration = Duration::from_millis(500);
/// How long output written just before a response may take to be read.
const OUTPUT_SETTLE: Duration = Duration::from_millis(50);
/// How long an idle execution environment is kept for the next invocation.
const IDLE_LIMIT: Duration = Duration::from_secs(300);
/// How many idle environments are kept at most, across functions.
const MAX_IDLE: usize = 32;
/// The PATH functions get, as in AWS's runtimes (minus `/var/lang/bin`).
const FUNCTION_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// The user a function's process runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunAs {
    pub uid: u32,
    pub gid: u32,
}

impl RunAs {
    /// `nobody`, when this process is root and can switch to it; `None` otherwise (functions
    /// then run as Palisade's own user).
    pub fn nobody_if_root() -> Option<RunAs> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return None;
        }
        let name = CString::new("nobody").expect("no interior NUL");
        // SAFETY: getpwnam takes a NUL-terminated name and returns a pointer into static storage
        // or NULL; the fields are copied out before any other call could overwrite it.
        let entry = unsafe { libc::getpwnam(name.as_ptr()) };
        if entry.is_null() {
            return None;
        }
        // SAFETY: entry is non-null and points to a valid passwd record.
        let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
        Some(RunAs { uid, gid })
    }
}

/// How functions run on this machine.
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    /// The interpreter for `python3.x` runtimes; it must be able to import boto3, as AWS's
    /// Python runtime can.
    pub python: PathBuf,
    /// Where unpacked code and the invocations' private directories live.
    pub work_root: PathBuf,
    pub run_as: Option<RunAs>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeKind {
    Python,
    /// `provided.al2023`: the package's own executable `bootstrap`.
    Provided,
}

/// One invocation to run.
pub struct Invocation {
    pub request_id: String,
    pub function_arn: String,
    pub runtime: RuntimeKind,
    pub code_dir: PathBuf,
    /// The function's environment: its variables and the ones Lambda sets.
    pub environment: Vec<(String, String)>,
    pub payload: Vec<u8>,
    pub timeout: Duration,
    /// Invocations with the same key may run in the same warm environment: it names the
    /// function, its configuration, code and credentials.
    pub sandbox_key: String,
    /// The log stream of a new environment (`AWS_LAMBDA_LOG_STREAM_NAME`).
    pub log_stream: String,
}

/// How an invocation ended.
#[derive(Debug)]
pub enum Completion {
    Response(Vec<u8>),
    /// The handler raised: AWS's error document.
    HandlerError(Vec<u8>),
    /// The runtime could not load the handler: AWS's error document.
    InitError(Vec<u8>),
    ResponseTooLarge,
    TimedOut,
    /// The process ended without answering.
    Exited(String),
    /// The process could not be started.
    SpawnFailed(String),
}

/// A line the function wrote to stdout or stderr, and when, after the invocation started.
#[derive(Debug, Clone)]
pub struct OutputLine {
    pub elapsed: Duration,
    pub text: String,
}

#[derive(Debug)]
pub struct Outcome {
    pub completion: Completion,
    pub output: Vec<OutputLine>,
    pub duration: Duration,
    /// The process's peak resident memory, when it could be read.
    pub max_memory_kib: Option<u64>,
    /// The log stream of the environment that ran the invocation.
    pub log_stream: String,
    /// The invocation started a new environment.
    pub cold: bool,
}

pub struct Runner {
    settings: RunnerSettings,
    /// Warm execution environments waiting for their next invocation, by sandbox key.
    idle: Mutex<HashMap<String, Vec<Sandbox>>>,
}

impl Runner {
    pub fn new(settings: RunnerSettings) -> Runner {
        Runner { settings, idle: Mutex::default() }
    }

    pub fn settings(&self) -> &RunnerSettings {
        &self.settings
    }

    /// Creates the work root (traversable but not listable by the function user) and writes
    /// the Python runtime client into it.
    fn prepare(&self) -> io::Result<PathBuf> {
        let root = &self.settings.work_root;
        std::fs::create_dir_all(root.join("runtime"))?;
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o711))?;
        std::fs::set_permissions(root.join("runtime"), std::fs::Permissions::from_mode(0o755))?;
        let bootstrap = root.join("runtime/bootstrap.py");
        if std::fs::read_to_string(&bootstrap).ok().as_deref() != Some(BOOTSTRAP_PY) {
            std::fs::write(&bootstrap, BOOTSTRAP_PY)?;
            std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o644))?;
        }
        Ok(bootstrap)
    }

    /// The directory holding the code with hash `code_sha256`, unpacked from `archive` on first
    /// use. Unpacking goes to a scratch directory renamed into place, so a half-written tree is
    /// never used.
    pub fn install_code(&self, code_sha256: &str, archive: &[u8]) -> Result<PathBuf, zip::ZipError> {
        let io_error = |e: io::Error| zip::ZipError::Io(e.to_string());
        self.prepare().map_err(io_error)?;
        let code_root = self.settings.work_root.join("code");
        std::fs::create_dir_all(&code_root).map_err(io_error)?;
        std::fs::set_permissions(&code_root, std::fs::Permissions::from_mode(0o711)).map_err(io_error)?;
        let dir = code_root.join(code_sha256.replace(['/', '+', '='], "_"));
        if dir.is_dir() {
            return Ok(dir);
        }
        let scratch = code_root.join(format!(".unpacking-{}-{}", std::process::id(), unique_suffix()));
        zip::unpack(archive, &scratch)?;
        match std::fs::rename(&scratch, &dir) {
            Ok(()) => Ok(dir),
            // Another invocation unpacked the same code meanwhile.
            Err(_) if dir.is_dir() => {
                let _ = std::fs::remove_dir_all(&scratch);
                Ok(dir)
            }
            Err(e) => Err(io_error(e)),
        }
    }

    /// Like [`Runner::install_code`] for code Palisade ships itself: files written as given.
    pub fn install_files(&self, code_sha256: &str, files: &[(&str, &[u8])]) -> io::Result<PathBuf> {
        self.prepare()?;
        let code_root = self.settings.work_root.join("code");
        std::fs::create_dir_all(&code_root)?;
        std::fs::set_permissions(&code_root, std::fs::Permissions::from_mode(0o711))?;
        let dir = code_root.join(code_sha256.replace(['/', '+', '='], "_"));
        if dir.is_dir() {
            return Ok(dir);
        }
        let scratch = code_root.join(format!(".writing-{}-{}", std::process::id(), unique_suffix()));
        std::fs::create_dir(&scratch)?;
        std::fs::set_permissions(&scratch, std::fs::Permissions::from_mode(0o755))?;
        for (name, bytes) in files {
            let path = scratch.join(name);
            std::fs::write(&path, bytes)?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;
        }
        match std::fs::rename(&scratch, &dir) {
            Err(_) if dir.is_dir() => {
                let _ = std::fs::remove_dir_all(&scratch);
                Ok(dir)
            }
            outcome => outcome.map(|()| dir),
        }
    }

    /// Whether the code with this hash is unpacked already.
    pub fn code_dir(&self, code_sha256: &str) -> Option<PathBuf> {
        let dir = self.settings.work_root.join("code").join(code_sha256.replace(['/', '+', '='], "_"));
        dir.is_dir().then_some(dir)
    }

    /// Runs one invocation in a warm execution environment of the same function, configuration
    /// and credentials if one is idle, or in a new one.
    pub async fn invoke(&self, invocation: Invocation) -> Outcome {
        let started = Instant::now();
        self.retire_idle();
        let warm = self.idle.lock().expect("the pool lock is never poisoned").get_mut(&invocation.sandbox_key).and_then(Vec::pop);
        let (mut sandbox, cold) = match warm {
            Some(sandbox) => (sandbox, false),
            None => match self.start_sandbox(&invocation).await {
                Ok(sandbox) => (sandbox, true),
                Err(why) => {
                    return Outcome {
                        completion: Completion::SpawnFailed(why),
                        output: Vec::new(),
                        duration: started.elapsed(),
                        max_memory_kib: None,
                        log_stream: invocation.log_stream,
                        cold: true,
                    }
                }
            },
        };
        sandbox.output.lock().expect("the output lock is never poisoned").clear();
        sandbox.api.deliver(Event {
            request_id: invocation.request_id.clone(),
            deadline_ms: epoch_ms() + invocation.timeout.as_millis() as u64,
            function_arn: invocation.function_arn.clone(),
            payload: Bytes::from(invocation.payload),
        });
        let completion = tokio::select! {
            reported = sandbox.reports.recv() => completion_of(reported),
            status = sandbox.child.wait() => {
                // The runtime may have answered just before it exited.
                match sandbox.reports.try_recv() {
                    Ok(reported) => completion_of(Some(reported)),
                    Err(_) => Completion::Exited(status.map_or_else(|e| e.to_string(), |s| s.to_string())),
                }
            }
            _ = tokio::time::sleep(invocation.timeout) => Completion::TimedOut,
        };
        let max_memory_kib = sandbox.child.id().and_then(peak_memory_kib);
        let reusable = matches!(completion, Completion::Response(_) | Completion::HandlerError(_));
        if !reusable {
            // A timed-out, crashed or broken environment is discarded, as Lambda resets it.
            sandbox.stop();
            for reader in std::mem::take(&mut sandbox.readers) {
                let _ = tokio::time::timeout(OUTPUT_DRAIN, reader).await;
            }
        } else {
            settle(&sandbox.output).await;
        }
        let output = std::mem::take(&mut *sandbox.output.lock().expect("the output lock is never poisoned"))
            .into_iter()
            .map(|(at, text)| OutputLine { elapsed: at.saturating_duration_since(started), text })
            .collect();
        let outcome = Outcome {
            completion,
            output,
            duration: started.elapsed(),
            max_memory_kib,
            log_stream: sandbox.log_stream.clone(),
            cold,
        };
        if reusable {
            sandbox.idle_since = Instant::now();
            let mut idle = self.idle.lock().expect("the pool lock is never poisoned");
            idle.entry(invocation.sandbox_key).or_default().push(sandbox);
            make_room(&mut idle);
        }
        outcome
    }

    /// Stops environments idle for longer than [`IDLE_LIMIT`].
    fn retire_idle(&self) {
        let mut idle = self.idle.lock().expect("the pool lock is never poisoned");
        for sandboxes in idle.values_mut() {
            sandboxes.retain(|s| s.idle_since.elapsed() < IDLE_LIMIT);
        }
        idle.retain(|_, sandboxes| !sandboxes.is_empty());
    }

    /// A directory only the function's user can use: its HOME and TMPDIR.
    fn private_dir(&self, name: &str) -> io::Result<PathBuf> {
        let sandboxes = self.settings.work_root.join("sandboxes");
        std::fs::create_dir_all(&sandboxes)?;
        std::fs::set_permissions(&sandboxes, std::fs::Permissions::from_mode(0o711))?;
        let dir = sandboxes.join(name);
        std::fs::create_dir(&dir)?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        if let Some(run_as) = self.settings.run_as {
            std::os::unix::fs::chown(&dir, Some(run_as.uid), Some(run_as.gid))?;
        }
        Ok(dir)
    }

    /// Starts the runtime of a new execution environment.
    async fn start_sandbox(&self, invocation: &Invocation) -> Result<Sandbox, String> {
        let bootstrap = self.prepare().map_err(|e| format!("cannot prepare {}: {e}", self.settings.work_root.display()))?;
        let private_dir = self
            .private_dir(&format!("{}-{}", invocation.request_id, unique_suffix()))
            .map_err(|e| format!("cannot create the function's temporary directory: {e}"))?;
        let (api, reports) = RuntimeApi::start().await.map_err(|e| format!("cannot start the Runtime API: {e}"))?;
        let mut command = match invocation.runtime {
            RuntimeKind::Python => {
                let mut command = Command::new(&self.settings.python);
                command.arg("-u").arg(&bootstrap);
                command
            }
            RuntimeKind::Provided => Command::new(invocation.code_dir.join("bootstrap")),
        };
        command
            .env_clear()
            .envs(invocation.environment.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", &invocation.log_stream)
            .env("PATH", FUNCTION_PATH)
            .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
            .env("LAMBDA_TASK_ROOT", &invocation.code_dir)
            .env("LAMBDA_RUNTIME_DIR", bootstrap.parent().unwrap_or(Path::new("/")))
            .env("HOME", &private_dir)
            .env("TMPDIR", &private_dir)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .current_dir(&invocation.code_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        if let Some(run_as) = self.settings.run_as {
            command.uid(run_as.uid).gid(run_as.gid);
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&private_dir);
                return Err(format!("cannot start the runtime: {e}"));
            }
        };
        let output: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
        let readers = [
            child.stdout.take().map(|s| Box::new(s) as Box<dyn AsyncRead + Send + Unpin>),
            child.stderr.take().map(|s| Box::new(s) as Box<dyn AsyncRead + Send + Unpin>),
        ]
        .into_iter()
        .flatten()
        .map(|stream| tokio::spawn(collect_lines(stream, output.clone())))
        .collect();
        Ok(Sandbox {
            pid: child.id(),
            child,
            api,
            reports,
            output,
            readers,
            private_dir,
            log_stream: invocation.log_stream.clone(),
            idle_since: Instant::now(),
        })
    }
}

/// Stops the longest-idle environments beyond [`MAX_IDLE`].
fn make_room(idle: &mut HashMap<String, Vec<Sandbox>>) {
    while idle.values().map(Vec::len).sum::<usize>() > MAX_IDLE {
        let oldest = idle
            .iter()
            .flat_map(|(key, sandboxes)| sandboxes.iter().enumerate().map(move |(i, s)| (s.idle_since, key.clone(), i)))
            .min();
        let Some((_, key, index)) = oldest else { return };
        if let Some(sandboxes) = idle.get_mut(&key) {
            sandboxes.remove(index);
        }
        idle.retain(|_, sandboxes| !sandboxes.is_empty());
    }
}

/// One execution environment: the runtime's process group, its Runtime API and its output.
struct Sandbox {
    child: Child,
    pid: Option<u32>,
    api: RuntimeApi,
    reports: mpsc::UnboundedReceiver<RuntimeReport>,
    output: Arc<Mutex<Vec<(Instant, String)>>>,
    readers: Vec<JoinHandle<()>>,
    private_dir: PathBuf,
    log_stream: String,
    idle_since: Instant,
}

impl Sandbox {
    /// Kills the whole process group (a function's own subprocesses too).
    fn stop(&mut self) {
        if let Some(pid) = self.pid.take() {
            // SAFETY: kill with a negative pid signals the process group the child leads.
            unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.private_dir);
    }
}

/// Waits for output the runtime wrote before it answered to be read: until no line has
/// arrived for a few milliseconds, at most [`OUTPUT_SETTLE`].
async fn settle(output: &Mutex<Vec<(Instant, String)>>) {
    let deadline = Instant::now() + OUTPUT_SETTLE;
    let mut seen = usize::MAX;
    while Instant::now() < deadline {
        let count = output.lock().expect("the output lock is never poisoned").len();
        if count == seen {
            return;
        }
        seen = count;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Removes the work roots (`<prefix><pid>` under `parent`) of Palisade processes that are gone:
/// their unpacked code and any private directories a killed server left behind.
pub fn remove_abandoned_work_roots(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(prefix)).and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn completion_of(report: Option<RuntimeReport>) -> Completion {
    match report {
        Some(RuntimeReport::Response(body)) => Completion::Response(body.to_vec()),
        Some(RuntimeReport::Error(body)) => Completion::HandlerError(body.to_vec()),
        Some(RuntimeReport::InitError(body)) => Completion::InitError(body.to_vec()),
        Some(RuntimeReport::TooLarge) => Completion::ResponseTooLarge,
        None => Completion::Exited("the Runtime API stopped".to_owned()),
    }
}

async fn collect_lines(stream: Box<dyn AsyncRead + Send + Unpin>, output: Arc<Mutex<Vec<(Instant, String)>>>) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line).into_owned();
                output.lock().expect("the output lock is never poisoned").push((Instant::now(), text));
            }
        }
    }
}

/// `VmHWM` of a running process, from procfs.
fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn epoch_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn unique_suffix() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}
