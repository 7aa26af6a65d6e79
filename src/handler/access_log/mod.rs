//! The access log (`h2o_access_log_open_handle` / `h2o_access_log_register`): one line per request,
//! in an Apache-style format ([`logconf`] compiles it, [`render`] writes a line), appended to a
//! file or piped into a command, as libh2o 2.2.5 does.
//!
//! The C-facing pieces (the shared file handle, the logger's callbacks) are in
//! `crate::ffi::access_log`; this module holds what they call.

use std::cell::RefCell;
use std::ffi::c_int;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::IntoRawFd;

pub mod logconf;
pub mod render;

pub use logconf::{compile, LogConf, DEFAULT_FORMAT};

/// What `h2o_access_log_filehandle_t` holds (opaque to C; inside a shared allocation): the compiled
/// format and the descriptor lines go to. Both are released when the last reference goes.
#[repr(C)]
pub struct FileHandle {
    pub logconf: *mut LogConf,
    pub fd: c_int,
}

/// Opens a log destination as 2.2.5 does: `path` starting with `|` runs the rest with `/bin/sh -c`
/// and returns the write end of a pipe into its stdin; otherwise the file is opened for appending
/// (created with mode 0644). The descriptor is close-on-exec. On failure, the message 2.2.5 prints
/// on stderr (without the newline).
pub fn open_log(path: &[u8]) -> Result<c_int, String> {
    if let Some(command) = path.strip_prefix(b"|") {
        let child = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(std::ffi::OsStr::from_bytes(command))
            .stdin(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("failed to open logger: {}:{}", String::from_utf8_lossy(command), os_error(&e)))?;
        // The child runs on its own (as in 2.2.5 nobody waits for it); it exits when the pipe
        // closes. Rust creates the pipe close-on-exec, so later children do not inherit it.
        let stdin = child.stdin.ok_or_else(|| "failed to open logger: no pipe".to_string())?;
        return Ok(stdin.into_raw_fd());
    }
    let c_path = std::ffi::CString::new(path).map_err(|_| "failed to open log file: NUL in path".to_string())?;
    // SAFETY: a NUL-terminated path; plain flags.
    let fd = unsafe { libc::open(c_path.as_ptr(), libc::O_CREAT | libc::O_WRONLY | libc::O_APPEND | libc::O_CLOEXEC, 0o644) };
    if fd == -1 {
        let e = std::io::Error::last_os_error();
        return Err(format!("failed to open log file:{}:{}", String::from_utf8_lossy(path), os_error(&e)));
    }
    Ok(fd)
}

/// strerror's text of an OS error (what 2.2.5 prints), without Rust's "(os error N)".
fn os_error(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        // SAFETY: strerror returns a valid C string (copied at once).
        Some(n) => unsafe { std::ffi::CStr::from_ptr(libc::strerror(n)) }.to_string_lossy().into_owned(),
        None => e.to_string(),
    }
}

/// Writes all of `line` to `fd` (retrying after signals and short writes; 2.2.5 makes one `write`
/// and ignores what it returns). Gives up silently on an error, as a log line has nobody to report to.
pub fn write_line(fd: c_int, mut line: &[u8]) {
    while !line.is_empty() {
        // SAFETY: `line` is readable for its length.
        let n = unsafe { libc::write(fd, line.as_ptr().cast(), line.len()) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        line = &line[n as usize..];
    }
}

/// A line buffer per thread, reused across requests; one that grew past this is given back.
const KEEP_LINE_CAPACITY: usize = 64 * 1024;

thread_local! {
    static LINE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Renders the line for `req` with `fh`'s format and writes it to `fh`'s descriptor.
///
/// # Safety
/// `fh` is a live file handle; `req` as [`render::render`] requires.
pub unsafe fn log_access(fh: &FileHandle, req: *mut crate::abi::request::h2o_req_t) {
    // SAFETY: a live handle holds its compiled format.
    let conf = unsafe { &*fh.logconf };
    LINE.with(|cell| {
        // A protocol callback that logs recursively on this thread would find the buffer taken:
        // it then gets a fresh one.
        let mut fresh = Vec::new();
        let mut borrowed = cell.try_borrow_mut();
        let line = borrowed.as_deref_mut().unwrap_or(&mut fresh);
        line.clear();
        // SAFETY: the caller's contract.
        unsafe { render::render(conf, req, line) };
        write_line(fh.fd, line);
        if line.capacity() > KEEP_LINE_CAPACITY {
            *line = Vec::new();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("h2o-rs-access-log-{}-{name}", std::process::id()))
    }

    #[test]
    fn a_file_is_appended_to() {
        let p = temp_path("file");
        std::fs::write(&p, b"old\n").unwrap();
        let fd = open_log(p.as_os_str().as_bytes()).unwrap();
        write_line(fd, b"new\n");
        // SAFETY: our descriptor.
        unsafe { libc::close(fd) };
        assert_eq!(std::fs::read(&p).unwrap(), b"old\nnew\n");
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn a_command_gets_the_lines_on_stdin() {
        let p = temp_path("pipe");
        let fd = open_log(format!("| cat >> {}", p.display()).as_bytes()).unwrap();
        write_line(fd, b"one\n");
        write_line(fd, b"two\n");
        // SAFETY: our descriptor; closing it ends cat.
        unsafe { libc::close(fd) };
        let mut got = Vec::new();
        for _ in 0..200 {
            got = std::fs::read(&p).unwrap_or_default();
            if got.len() >= 8 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(got, b"one\ntwo\n");
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn an_unopenable_file_gets_2_2_5_message() {
        let e = open_log(b"/nonexistent-dir/x.log").unwrap_err();
        assert_eq!(e, "failed to open log file:/nonexistent-dir/x.log:No such file or directory");
    }
}
