//! HTTP and access-log dates: the IMF-fixdate of Date and Last-Modified ("Sun, 06 Nov 1994
//! 08:49:37 GMT"), the Common Log Format date ("29/Aug/2014:15:34:38 +0900") and the parser of
//! the former, with 2.2.5's rules (`h2o/time_.h`).

const WDAY: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MON: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// "Sun, 06 Nov 1994 08:49:37 GMT" for a UTC broken-down time (the year as four digits, as 2.2.5
/// prints it).
pub fn rfc1123(tm: &libc::tm) -> String {
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WDAY[tm.tm_wday.rem_euclid(7) as usize],
        tm.tm_mday,
        MON[tm.tm_mon.rem_euclid(12) as usize],
        (tm.tm_year + 1900).rem_euclid(10000),
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// "29/Aug/2014:15:34:38 +0900" for a local broken-down time (offset from `tm_gmtoff`).
pub fn log_time(tm: &libc::tm) -> String {
    let off = tm.tm_gmtoff / 60;
    let (sign, off) = if off < 0 { ('-', -off) } else { ('+', off) };
    format!(
        "{:02}/{}/{}:{:02}:{:02}:{:02} {}{:02}{:02}",
        tm.tm_mday,
        MON[tm.tm_mon.rem_euclid(12) as usize],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        sign,
        off / 60,
        off % 60
    )
}

/// A broken-down UTC time as the comparison needs it: year, month (0-11), day, hour, minute, second.
pub type Tm = [i32; 6];

/// Parses an RFC 1123 date as 2.2.5's `h2o_time_parse_rfc1123` does: exactly 29 bytes, digits at
/// their fixed places, an English month abbreviation; the weekday and zone are not checked.
pub fn parse_rfc1123(s: &[u8]) -> Option<Tm> {
    const MONTHS: [&[u8; 3]; 12] = [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    if s.len() != 29 {
        return None;
    }
    let digits = |at: usize, n: usize| -> Option<i32> {
        s[at..at + n].iter().try_fold(0i32, |v, &c| c.is_ascii_digit().then(|| v * 10 + (c - b'0') as i32))
    };
    let year = digits(12, 4)? - 1900;
    let mday = digits(5, 2)?;
    let hour = digits(17, 2)?;
    let min = digits(20, 2)?;
    let sec = digits(23, 2)?;
    let mon = MONTHS.iter().position(|m| &s[8..11] == *m)? as i32;
    Some([year, mon, mday, hour, min, sec])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_strings() {
        // SAFETY: all-zero is a valid tm.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        tm.tm_year = 94;
        tm.tm_mon = 10;
        tm.tm_mday = 6;
        tm.tm_wday = 0;
        tm.tm_hour = 8;
        tm.tm_min = 49;
        tm.tm_sec = 37;
        assert_eq!(rfc1123(&tm), "Sun, 06 Nov 1994 08:49:37 GMT");
        tm.tm_gmtoff = 9 * 3600;
        assert_eq!(log_time(&tm), "06/Nov/1994:08:49:37 +0900");
        tm.tm_gmtoff = -(3 * 3600 + 30 * 60);
        assert_eq!(log_time(&tm), "06/Nov/1994:08:49:37 -0330");
    }

    #[test]
    fn rfc1123_parsing() {
        assert_eq!(parse_rfc1123(b"Sun, 06 Nov 1994 08:49:37 GMT"), Some([94, 10, 6, 8, 49, 37]));
        assert_eq!(parse_rfc1123(b"garbage"), None);
        assert_eq!(parse_rfc1123(b"Sun, 06 Xyz 1994 08:49:37 GMT"), None);
        assert_eq!(parse_rfc1123(b"Sun, 06 Nov 1994 08:4a:37 GMT"), None);
        assert_eq!(parse_rfc1123(b"Sunday, 06-Nov-94 08:49:37 GMT"), None);
    }
}
