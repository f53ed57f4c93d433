//! Unpacking a function's deployment package: a zip archive with stored or deflated entries
//! (what `zip`, Python's `zipfile` and the AWS tooling write). Entries that would land outside
//! the target directory are refused, and the unpacked size is capped as AWS caps it.

use std::{
    fmt,
    fs,
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::{Component, Path, PathBuf},
};

/// AWS's limit on a function's unzipped code.
pub const MAX_UNZIPPED_BYTES: u64 = 262_144_000;

const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
const CENTRAL_DIRECTORY_ENTRY: u32 = 0x0201_4b50;
const LOCAL_FILE_HEADER: u32 = 0x0403_4b50;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;
/// `version made by` host byte for Unix, whose external attributes carry the file mode.
const HOST_UNIX: u8 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipError {
    /// Not a zip archive, or a damaged one.
    Malformed(String),
    /// A feature this reader does not handle (zip64, encryption, other compression methods).
    Unsupported(String),
    TooLarge,
    Io(String),
}

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZipError::Malformed(why) => write!(f, "not a valid zip archive: {why}"),
            ZipError::Unsupported(what) => write!(f, "unsupported zip archive: {what}"),
            ZipError::TooLarge => write!(f, "the unzipped code is larger than {MAX_UNZIPPED_BYTES} bytes"),
            ZipError::Io(why) => write!(f, "cannot write the unzipped code: {why}"),
        }
    }
}

impl std::error::Error for ZipError {}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16, ZipError> {
    bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]])).ok_or_else(truncated)
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32, ZipError> {
    bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok_or_else(truncated)
}

fn truncated() -> ZipError {
    ZipError::Malformed("truncated".to_owned())
}

/// One file or directory the central directory lists.
struct Entry {
    name: String,
    method: u16,
    flags: u16,
    crc32: u32,
    compressed_size: usize,
    size: u64,
    mode: Option<u32>,
    local_header: usize,
}

/// Reads the central directory of `archive`.
fn entries(archive: &[u8]) -> Result<Vec<Entry>, ZipError> {
    // The end record is 22 bytes plus a comment of at most 65535 bytes.
    let search_from = archive.len().saturating_sub(22 + 65_535);
    let end = (search_from..archive.len().saturating_sub(21))
        .rev()
        .find(|&at| u32_at(archive, at) == Ok(END_OF_CENTRAL_DIRECTORY))
        .ok_or_else(|| ZipError::Malformed("no end of central directory record".to_owned()))?;
    let count = u16_at(archive, end + 10)? as usize;
    let offset = u32_at(archive, end + 16)?;
    if offset == u32::MAX || count == usize::from(u16::MAX) {
        return Err(ZipError::Unsupported("zip64".to_owned()));
    }
    let mut at = offset as usize;
    let mut listed = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(archive, at)? != CENTRAL_DIRECTORY_ENTRY {
            return Err(ZipError::Malformed("bad central directory entry".to_owned()));
        }
        let made_by_host = archive.get(at + 5).copied().ok_or_else(truncated)?;
        let name_length = u16_at(archive, at + 28)? as usize;
        let extra_length = u16_at(archive, at + 30)? as usize;
        let comment_length = u16_at(archive, at + 32)? as usize;
        let external = u32_at(archive, at + 38)?;
        let name_bytes = archive.get(at + 46..at + 46 + name_length).ok_or_else(truncated)?;
        listed.push(Entry {
            name: String::from_utf8_lossy(name_bytes).into_owned(),
            flags: u16_at(archive, at + 8)?,
            method: u16_at(archive, at + 10)?,
            crc32: u32_at(archive, at + 16)?,
            compressed_size: u32_at(archive, at + 20)? as usize,
            size: u64::from(u32_at(archive, at + 24)?),
            mode: (made_by_host == HOST_UNIX && external >> 16 != 0).then_some(external >> 16),
            local_header: u32_at(archive, at + 42)? as usize,
        });
        at += 46 + name_length + extra_length + comment_length;
    }
    Ok(listed)
}

/// Where an entry goes under `root`, or an error for names that escape it.
fn target(root: &Path, name: &str) -> Result<PathBuf, ZipError> {
    let relative = Path::new(name);
    let safe = relative.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !safe || name.contains('\\') {
        return Err(ZipError::Malformed(format!("entry {name:?} points outside the archive")));
    }
    Ok(root.join(relative))
}

/// The bytes of one entry, inflated and checked against its CRC-32.
fn contents(archive: &[u8], entry: &Entry, budget: u64) -> Result<Vec<u8>, ZipError> {
    if u32_at(archive, entry.local_header)? != LOCAL_FILE_HEADER {
        return Err(ZipError::Malformed(format!("bad local header for {}", entry.name)));
    }
    let name_length = u16_at(archive, entry.local_header + 26)? as usize;
    let extra_length = u16_at(archive, entry.local_header + 28)? as usize;
    let start = entry.local_header + 30 + name_length + extra_length;
    let data = archive.get(start..start + entry.compressed_size).ok_or_else(truncated)?;
    if entry.flags & 1 != 0 {
        return Err(ZipError::Unsupported(format!("{} is encrypted", entry.name)));
    }
    if entry.size > budget {
        return Err(ZipError::TooLarge);
    }
    let bytes = match entry.method {
        STORED => data.to_vec(),
        DEFLATED => miniz_oxide::inflate::decompress_to_vec_with_limit(data, entry.size as usize)
            .map_err(|e| ZipError::Malformed(format!("{} does not inflate: {e:?}", entry.name)))?,
        other => return Err(ZipError::Unsupported(format!("compression method {other} of {}", entry.name))),
    };
    if bytes.len() as u64 != entry.size || crc32(&bytes) != entry.crc32 {
        return Err(ZipError::Malformed(format!("{} does not match its checksum", entry.name)));
    }
    Ok(bytes)
}

/// Checks that `archive` is a zip this reader can unpack, without writing anything; returns
/// the unzipped size.
pub fn check(archive: &[u8]) -> Result<u64, ZipError> {
    let mut total = 0u64;
    for entry in entries(archive)? {
        target(Path::new("/"), &entry.name)?;
        if entry.name.ends_with('/') {
            continue;
        }
        total += contents(archive, &entry, MAX_UNZIPPED_BYTES - total)?.len() as u64;
    }
    Ok(total)
}

/// Unpacks `archive` into the directory `root` (created): directories 0755, files 0644, or
/// 0755 when the archive marks them executable (a custom runtime's `bootstrap`).
pub fn unpack(archive: &[u8], root: &Path) -> Result<u64, ZipError> {
    let io = |e: std::io::Error| ZipError::Io(e.to_string());
    fs::create_dir_all(root).map_err(io)?;
    fs::set_permissions(root, fs::Permissions::from_mode(0o755)).map_err(io)?;
    let mut total = 0u64;
    for entry in entries(archive)? {
        let path = target(root, &entry.name)?;
        if entry.name.ends_with('/') {
            create_dirs(root, &path).map_err(io)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            create_dirs(root, parent).map_err(io)?;
        }
        let bytes = contents(archive, &entry, MAX_UNZIPPED_BYTES - total)?;
        total += bytes.len() as u64;
        let executable = entry.mode.is_some_and(|mode| mode & 0o111 != 0);
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(if executable { 0o755 } else { 0o644 })
            .open(&path)
            .map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
    }
    Ok(total)
}

fn create_dirs(root: &Path, dir: &Path) -> std::io::Result<()> {
    if dir == root || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(root, parent)?;
    }
    fs::create_dir(dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))
}

/// CRC-32 (IEEE), as zip entries carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An archive with one stored entry, written by hand: local header, data, central
    /// directory, end record.
    fn stored_archive(name: &str, data: &[u8], mode: u32) -> Vec<u8> {
        let crc = crc32(data);
        let mut out = Vec::new();
        out.extend_from_slice(&LOCAL_FILE_HEADER.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        let directory = out.len();
        out.extend_from_slice(&CENTRAL_DIRECTORY_ENTRY.to_le_bytes());
        out.extend_from_slice(&[20, HOST_UNIX, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&(mode << 16).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        let directory_size = out.len() - directory;
        out.extend_from_slice(&END_OF_CENTRAL_DIRECTORY.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
        out.extend_from_slice(&(directory_size as u32).to_le_bytes());
        out.extend_from_slice(&(directory as u32).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn stored_entries_unpack_with_their_mode() {
        let root = std::env::temp_dir().join(format!("palisade-zip-test-{}", std::process::id()));
        let archive = stored_archive("bin/bootstrap", b"#!/bin/sh\necho hi\n", 0o100755);
        assert_eq!(check(&archive), Ok(18));
        assert_eq!(unpack(&archive, &root), Ok(18));
        let path = root.join("bin/bootstrap");
        assert_eq!(fs::read(&path).unwrap(), b"#!/bin/sh\necho hi\n");
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o755);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn entries_escaping_the_directory_are_refused() {
        let archive = stored_archive("../evil.py", b"x", 0o100644);
        assert!(matches!(check(&archive), Err(ZipError::Malformed(_))));
        let archive = stored_archive("/etc/evil.py", b"x", 0o100644);
        assert!(matches!(check(&archive), Err(ZipError::Malformed(_))));
    }

    #[test]
    fn damaged_archives_are_refused() {
        assert!(matches!(check(b"not a zip at all"), Err(ZipError::Malformed(_))));
        let mut archive = stored_archive("a.py", b"print(1)", 0o100644);
        archive[31 + "a.py".len()] ^= 0xff;
        assert!(matches!(check(&archive), Err(ZipError::Malformed(_))));
    }
}
