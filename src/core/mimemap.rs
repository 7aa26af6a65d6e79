//! The MIME map's pure parts: the built-in extension table of 2.2.5's `h2o_mimemap_create`, the
//! default attributes of a MIME type, and the normalization of a type's name. The refcounted map
//! itself (2.2.5's shared allocations) is in `crate::ffi::mimemap`.
//!
//! The table was derived from the behaviour of Debian's libh2o-evloop 2.2.5 (asking its
//! `h2o_mimemap_get_type_by_extension` about candidate extensions); `tests/abi/diff/mimemap_diff.c`
//! checks it against that library.

/// The type of anything without a known extension.
pub const DEFAULT_TYPE: &str = "application/octet-stream";

/// (extension, MIME type) pairs defined by a new map, extension in lower case.
pub static BUILTIN_TYPES: &[(&str, &str)] = &[
    ("3gp", "video/3gpp"),
    ("3gpp", "video/3gpp"),
    ("7z", "application/x-7z-compressed"),
    ("ai", "application/postscript"),
    ("apng", "image/apng"),
    ("asf", "video/x-ms-asf"),
    ("asx", "video/x-ms-asf"),
    ("atom", "application/atom+xml"),
    ("avi", "video/x-msvideo"),
    ("bin", "application/octet-stream"),
    ("bmp", "image/x-ms-bmp"),
    ("cco", "application/x-cocoa"),
    ("crt", "application/x-x509-ca-cert"),
    ("css", "text/css"),
    ("csv", "text/csv"),
    ("deb", "application/octet-stream"),
    ("der", "application/x-x509-ca-cert"),
    ("dll", "application/octet-stream"),
    ("dmg", "application/octet-stream"),
    ("doc", "application/msword"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("ear", "application/java-archive"),
    ("eot", "application/vnd.ms-fontobject"),
    ("eps", "application/postscript"),
    ("exe", "application/octet-stream"),
    ("flv", "video/x-flv"),
    ("gif", "image/gif"),
    ("hqx", "application/mac-binhex40"),
    ("htc", "text/x-component"),
    ("htm", "text/html"),
    ("html", "text/html"),
    ("ico", "image/x-icon"),
    ("img", "application/octet-stream"),
    ("iso", "application/octet-stream"),
    ("jad", "text/vnd.sun.j2me.app-descriptor"),
    ("jar", "application/java-archive"),
    ("jardiff", "application/x-java-archive-diff"),
    ("jng", "image/x-jng"),
    ("jnlp", "application/x-java-jnlp-file"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "application/javascript"),
    ("json", "application/json"),
    ("jxr", "image/jxr"),
    ("kar", "audio/midi"),
    ("kml", "application/vnd.google-earth.kml+xml"),
    ("kmz", "application/vnd.google-earth.kmz"),
    ("m3u8", "application/vnd.apple.mpegurl"),
    ("m4a", "audio/x-m4a"),
    ("m4v", "video/x-m4v"),
    ("md", "text/markdown"),
    ("mid", "audio/midi"),
    ("midi", "audio/midi"),
    ("mml", "text/mathml"),
    ("mng", "video/x-mng"),
    ("mov", "video/quicktime"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
    ("mpeg", "video/mpeg"),
    ("mpg", "video/mpeg"),
    ("msi", "application/octet-stream"),
    ("msm", "application/octet-stream"),
    ("msp", "application/octet-stream"),
    ("ogg", "audio/ogg"),
    ("opus", "audio/ogg"),
    ("pdb", "application/x-pilot"),
    ("pdf", "application/pdf"),
    ("pem", "application/x-x509-ca-cert"),
    ("pl", "application/x-perl"),
    ("pm", "application/x-perl"),
    ("png", "image/png"),
    ("ppt", "application/vnd.ms-powerpoint"),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("prc", "application/x-pilot"),
    ("ps", "application/postscript"),
    ("ra", "audio/x-realaudio"),
    ("rar", "application/x-rar-compressed"),
    ("rpm", "application/x-redhat-package-manager"),
    ("rss", "application/rss+xml"),
    ("rtf", "application/rtf"),
    ("run", "application/x-makeself"),
    ("sea", "application/x-sea"),
    ("shtml", "text/html"),
    ("sit", "application/x-stuffit"),
    ("svg", "image/svg+xml"),
    ("svgz", "image/svg+xml"),
    ("swf", "application/x-shockwave-flash"),
    ("tcl", "application/x-tcl"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("tk", "application/x-tcl"),
    ("ts", "video/mp2t"),
    ("txt", "text/plain"),
    ("war", "application/java-archive"),
    ("wbmp", "image/vnd.wap.wbmp"),
    ("webm", "video/webm"),
    ("webp", "image/webp"),
    ("wml", "text/vnd.wap.wml"),
    ("wmlc", "application/vnd.wap.wmlc"),
    ("wmv", "video/x-ms-wmv"),
    ("woff", "application/font-woff"),
    ("woff2", "font/woff2"),
    ("xhtml", "application/xhtml+xml"),
    ("xls", "application/vnd.ms-excel"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("xml", "text/xml"),
    ("xpi", "application/x-xpinstall"),
    ("xspf", "application/xspf+xml"),
    ("zip", "application/zip"),
];

/// Attributes of a MIME type: (is_compressible, priority_highest).
///
/// Only the part before the first `;` (the type) is looked at, case-sensitively, as 2.2.5 does:
/// compressible are `text/...`, types containing `+xml`, JSON and the script and style types; CSS
/// and the JavaScript / ECMAScript types get the highest priority.
pub fn default_attributes(mime: &[u8]) -> (bool, bool) {
    let ty = match mime.iter().position(|&c| c == b';') {
        Some(i) => &mime[..i],
        None => mime,
    };
    let highest = matches!(
        ty,
        b"text/css" | b"application/ecmascript" | b"application/javascript" | b"text/ecmascript" | b"text/javascript"
    );
    let compressible =
        highest || mime.starts_with(b"text/") || ty.windows(4).any(|w| w == b"+xml") || ty == b"application/json";
    (compressible, highest)
}

/// The stored form of a type's name: lower case up to the first `;`, the parameters as given.
pub fn normalize(mime: &[u8]) -> Vec<u8> {
    let end = mime.iter().position(|&c| c == b';').unwrap_or(mime.len());
    let mut out = mime[..end].to_ascii_lowercase();
    out.extend_from_slice(&mime[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes() {
        assert_eq!(default_attributes(b"text/css;charset=utf-8"), (true, true));
        assert_eq!(default_attributes(b"text/css x"), (true, false));
        assert_eq!(default_attributes(b"application/json"), (true, false));
        assert_eq!(default_attributes(b"application/JSON"), (false, false));
        assert_eq!(default_attributes(b"application/x;+xml"), (false, false));
        assert_eq!(default_attributes(b"image/svg+xml"), (true, false));
        assert_eq!(default_attributes(b"image/png"), (false, false));
    }

    #[test]
    fn table_is_lower_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for (ext, _) in BUILTIN_TYPES {
            assert_eq!(ext.to_ascii_lowercase(), *ext);
            assert!(seen.insert(*ext));
        }
    }

    #[test]
    fn normalizes_the_type_only() {
        assert_eq!(normalize(b"Text/HTML; Charset=UTF-8"), b"text/html; Charset=UTF-8");
    }
}
