//! The HTML directory listing of `H2O_FILE_FLAG_DIR_LISTING`, byte for byte the page 2.2.5 builds:
//! a title and heading with the (HTML-escaped) request path, a link to the parent, then one link
//! per entry other than `.` and `..`, sorted by name as bytes; links are URI-escaped then
//! HTML-escaped, labels HTML-escaped.

use crate::strings::{htmlescape, htmlescaped_len, uri_escape};

fn push_html(out: &mut Vec<u8>, s: &[u8]) {
    let at = out.len();
    out.resize(at + htmlescaped_len(s), 0);
    htmlescape(s, &mut out[at..]);
}

/// The page for `names` (any order) listed at request path `path`.
pub fn html(path: &[u8], names: &mut [Vec<u8>]) -> Vec<u8> {
    names.sort();
    let mut out = Vec::with_capacity(160 + 2 * path.len() + names.iter().map(|n| 30 + 4 * n.len()).sum::<usize>());
    out.extend_from_slice(b"<!DOCTYPE html>\n<TITLE>Index of ");
    push_html(&mut out, path);
    out.extend_from_slice(b"</TITLE>\n<H2>Index of ");
    push_html(&mut out, path);
    out.extend_from_slice(b"</H2>\n<UL>\n<LI><A HREF=\"..\">Parent Directory</A>");
    let mut link = Vec::new();
    for name in names.iter() {
        link.resize(name.len() * 3, 0);
        let n = uri_escape(name, b"", &mut link);
        out.extend_from_slice(b"<LI><A HREF=\"");
        push_html(&mut out, &link[..n]);
        out.extend_from_slice(b"\">");
        push_html(&mut out, name);
        out.extend_from_slice(b"</A>");
    }
    out.extend_from_slice(b"</UL>");
    out
}

/// The names in directory `dir` other than `.` and `..`; the errno when it cannot be opened.
pub fn read_names(dir: &std::ffi::CStr) -> Result<Vec<Vec<u8>>, std::ffi::c_int> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(dir.to_bytes()));
    let mut names = Vec::new();
    let entries = std::fs::read_dir(path).map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
    for e in entries {
        // an entry that cannot be read ends the listing, as a readdir error did in 2.2.5
        let Ok(e) = e else { break };
        names.push(e.file_name().as_bytes().to_vec());
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_matches_2_2_5() {
        // the bytes Debian's 2.2.5 sent for /listing/ of a directory with these entries
        let mut names = vec![b"x.foo".to_vec(), b"we ird&<>\"'.txt".to_vec(), b"inner".to_vec(), b"start.txt".to_vec()];
        let got = html(b"/listing/", &mut names);
        let want = concat!(
            "<!DOCTYPE html>\n<TITLE>Index of /listing/</TITLE>\n<H2>Index of /listing/</H2>\n<UL>\n",
            "<LI><A HREF=\"..\">Parent Directory</A><LI><A HREF=\"inner\">inner</A>",
            "<LI><A HREF=\"start.txt\">start.txt</A>",
            "<LI><A HREF=\"we%20ird&amp;%3C%3E%22&#39;.txt\">we ird&amp;&lt;&gt;&quot;&#39;.txt</A>",
            "<LI><A HREF=\"x.foo\">x.foo</A></UL>"
        );
        assert_eq!(String::from_utf8(got).unwrap(), want);
    }

    #[test]
    fn path_is_escaped() {
        let got = html(b"/<b>/", &mut []);
        assert!(String::from_utf8(got).unwrap().contains("Index of /&lt;b&gt;/</H2>"));
    }
}
